#include "php.h"
#include "zend_attributes.h"
#include "zend_exceptions.h"
#include "zend_smart_str.h"

#include "smtp_mailer.h"
#include "smtp_receipt.h"
#include "smtp_message.h"
#include "smtp_errors.h"
#include "smtp_dkim.h"
#include "smtp_spool.h"
#include "smtp_log.h"
#include "lib/address.h"
#include "lib/source.h"
#include "lib/mime.h"
#include "smtp_mailer_arginfo.h"

zend_class_entry *php_smtp_mailer_ce;
static zend_object_handlers mailer_handlers;

/* ---- object ---- */

static zend_object *mailer_create(zend_class_entry *ce)
{
	php_smtp_mailer *mailer = zend_object_alloc(sizeof(php_smtp_mailer), ce);
	zend_object_std_init(&mailer->std, ce);
	object_properties_init(&mailer->std, ce);
	mailer->std.handlers = &mailer_handlers;
	ZVAL_UNDEF(&mailer->config.debug);
	ZVAL_UNDEF(&mailer->config.token);
	array_init(&mailer->transcript);
	return &mailer->std;
}

static void mailer_close_connection(php_smtp_mailer *mailer)
{
	/* each session says QUIT and goes; a reply is not waited for */
	php_smtp_pipeline_close(&mailer->pipeline);
	php_smtp_pipeline_close(&mailer->fallback_pipeline);
}

/* persistent: the open session stays in the process for a later request */
static void mailer_keep_session(php_smtp_mailer *mailer)
{
	php_smtp_kept_session kept;
	if (mailer->configured && mailer->config.persistent && php_smtp_persistent_has_room(&mailer->config) &&
	    php_smtp_pipeline_detach(&mailer->pipeline, &kept)) {
		php_smtp_persistent_keep(&mailer->config, &kept);
	}
}

/* persistent: a session kept by an earlier request with the same destination
 * and identity, before the first send opens one */
static void mailer_take_session(php_smtp_mailer *mailer)
{
	php_smtp_kept_session kept;
	if (mailer->config.persistent && mailer->pipeline.count == 0 && !mailer->pipeline.multi &&
	    php_smtp_persistent_take(&mailer->config, &kept)) {
		php_smtp_pipeline_adopt(&mailer->pipeline, &kept);
	}
}

/* The socket registry its handles are made with (see php_smtp_persistent_sockets) */
static php_smtp_sockets *mailer_sockets(php_smtp_mailer *mailer)
{
	return mailer->config.persistent ? php_smtp_persistent_sockets() : &mailer->sockets;
}

static void mailer_free(zend_object *obj)
{
	php_smtp_mailer *mailer = php_smtp_mailer_from_obj(obj);
	mailer_keep_session(mailer);
	mailer_close_connection(mailer);
	if (mailer->configured) {
		php_smtp_config_dtor(&mailer->config);
	}
	zval_ptr_dtor(&mailer->transcript);
	zend_object_std_dtor(obj);
}

static HashTable *mailer_get_gc(zend_object *obj, zval **table, int *n)
{
	php_smtp_mailer *mailer = php_smtp_mailer_from_obj(obj);
	zend_get_gc_buffer *buffer = zend_get_gc_buffer_create();
	/* the callables may hold the Mailer itself (a closure over $mailer) */
	for (php_smtp_config *c = &mailer->config; c; c = c == &mailer->config ? c->fallback : NULL) {
		zend_get_gc_buffer_add_zval(buffer, &c->debug);
		zend_get_gc_buffer_add_zval(buffer, &c->token);
		if (c->oauth) {
			zend_get_gc_buffer_add_zval(buffer, &c->oauth->on_refresh_token);
		}
	}
	zend_get_gc_buffer_use(buffer, table, n);
	return zend_std_get_properties(obj);
}

bool php_smtp_mailer_ready(php_smtp_mailer *mailer)
{
	if (!mailer->configured) {
		zend_throw_error(NULL, "Smtp\\Mailer was not constructed");
		return false;
	}
	return true;
}

bool php_smtp_mailer_begin(php_smtp_mailer *mailer)
{
	if (mailer->sending) {
		static const char why[] =
		    "this Mailer is sending: send(), sendRaw(), sendMany(), close() and Spool::flush() cannot use it from "
		    "code that runs during its send (its debug callable, an error handler, a destructor); throw from the "
		    "debug callable to stop the send, or use another Mailer";
		php_smtp_failure failure = {.kind = PHP_SMTP_FAILURE_LOCAL};
		failure.message = zend_string_init(why, sizeof(why) - 1, 0);
		php_smtp_failure_throw(&failure, NULL, NULL);
		php_smtp_failure_dtor(&failure);
		return false;
	}
	mailer->sending = true;
	GC_ADDREF(&mailer->std);
	return true;
}

void php_smtp_mailer_end(php_smtp_mailer *mailer)
{
	ZEND_ASSERT(mailer->sending);
	mailer->sending = false;
	OBJ_RELEASE(&mailer->std);
}

/* ---- sending ---- */

/* DKIM: the signature fields go in front of the message. The struct holds
 * the source that libcurl reads, so it must stay put while a send runs. */
typedef struct {
	zend_string *signature;
	smtp_prefixed_source prefixed;
	smtp_source source;
} dkim_wrap;

static zend_string *exception_message_and_clear(void)
{
	zval rv;
	zval *msg = zend_read_property_ex(zend_get_exception_base(EG(exception)), EG(exception),
	                                  ZSTR_KNOWN(ZEND_STR_MESSAGE), 1, &rv);
	zend_string *text = Z_TYPE_P(msg) == IS_STRING ? zend_string_copy(Z_STR_P(msg)) : ZSTR_EMPTY_ALLOC();
	zend_clear_exception();
	return text;
}

/* Signs envelope's message when the mailer has DKIM keys, pointing
 * envelope->source at the signed stream. On failure fills outcome->failure. */
static bool dkim_wrap_envelope(php_smtp_mailer *mailer, php_smtp_envelope *envelope, dkim_wrap *wrap,
                               php_smtp_outcome *outcome)
{
	memset(wrap, 0, sizeof(*wrap));
	if (!mailer->config.dkim) {
		return true;
	}
	wrap->signature = php_smtp_dkim_sign(mailer->config.dkim, envelope->source);
	if (!wrap->signature) {
		outcome->ok = false;
		outcome->failure.kind = PHP_SMTP_FAILURE_LOCAL;
		if (EG(exception)) {
			zend_string *why = exception_message_and_clear();
			outcome->failure.message = strpprintf(0, "DKIM signing failed: %s", ZSTR_VAL(why));
			zend_string_release(why);
		} else {
			outcome->failure.message = zend_string_init("DKIM signing failed", sizeof("DKIM signing failed") - 1, 0);
		}
		return false;
	}
	smtp_prefixed_source_init(&wrap->prefixed, ZSTR_VAL(wrap->signature), ZSTR_LEN(wrap->signature),
	                          envelope->source);
	wrap->source = smtp_prefixed_source_as_source(&wrap->prefixed);
	envelope->source = &wrap->source;
	if (envelope->size >= 0) {
		envelope->size += ZSTR_LEN(wrap->signature);
	}
	return true;
}

static void dkim_wrap_release(dkim_wrap *wrap)
{
	if (wrap->signature) {
		zend_string_release(wrap->signature);
		wrap->signature = NULL;
	}
}

static void remember_transcript(php_smtp_mailer *mailer, php_smtp_outcome *outcome)
{
	zval_ptr_dtor(&mailer->transcript);
	ZVAL_COPY(&mailer->transcript, &outcome->transcript);
}

/* ---- the fallback relay ---- */

/* The one place that decides whether a failed send is tried again at the
 * fallback relay: only a temporary failure (network trouble, 4xx: see
 * php_smtp_failure_is_temporary), and only when the primary took the message
 * for nobody (outcome->ok is false), so no recipient can get it twice. A 5xx
 * is final wherever it came from, and never goes to a second relay. */
static bool fallback_wanted(const php_smtp_mailer *mailer, const php_smtp_outcome *outcome)
{
	return mailer->config.fallback && !outcome->ok && !EG(exception) &&
	       php_smtp_failure_is_temporary(&outcome->failure);
}

/* Sends envelope (already DKIM-signed: the same bytes go) through the
 * fallback relay, replacing outcome. The transcript keeps the primary's
 * lines, then a line naming the switch, then the fallback's session, so the
 * Receipt's story says which relay took the message. A failure names both. */
static void send_via_fallback(php_smtp_mailer *mailer, const php_smtp_envelope *envelope, php_smtp_outcome *outcome)
{
	const php_smtp_config *primary = &mailer->config, *fallback = mailer->config.fallback;
	if (smtp_source_rewind(envelope->source) != 0) {
		return; /* cannot read the message again: the primary's failure stands */
	}

	zend_string *note = strpprintf(0, "* relay %s:" ZEND_LONG_FMT " failed temporarily (%s); trying the fallback relay %s:" ZEND_LONG_FMT,
	                               primary->host ? ZSTR_VAL(primary->host) : "localhost", primary->port,
	                               outcome->failure.message ? ZSTR_VAL(outcome->failure.message) : "no reason given",
	                               fallback->host ? ZSTR_VAL(fallback->host) : "localhost", fallback->port);
	zend_string *primary_failure = outcome->failure.message ? zend_string_copy(outcome->failure.message) : NULL;
	zval story;
	array_init(&story);
	php_smtp_lines_append(&story, &outcome->transcript);
	add_next_index_str(&story, zend_string_copy(note));
	if (Z_TYPE(fallback->debug) != IS_UNDEF && !EG(exception)) {
		zval arg;
		ZVAL_STR_COPY(&arg, note);
		php_smtp_call_user(&fallback->debug, 1, &arg);
		zval_ptr_dtor(&arg);
		php_smtp_fatal_resume(); /* not inside libcurl here: a fatal error goes on at once */
	}
	zend_string_release(note);

	php_smtp_outcome_dtor(outcome);
	php_smtp_outcome_init(outcome);
	if (!EG(exception)) {
		php_smtp_pipeline_send(&mailer->fallback_pipeline, &mailer->sockets, fallback, envelope, outcome);
	} else {
		outcome->failure.kind = PHP_SMTP_FAILURE_LOCAL;
		outcome->failure.message = zend_string_init("The debug callable threw", sizeof("The debug callable threw") - 1, 0);
	}
	php_smtp_lines_append(&story, &outcome->transcript);
	zval_ptr_dtor(&outcome->transcript);
	ZVAL_COPY_VALUE(&outcome->transcript, &story);

	if (!outcome->ok && outcome->failure.message && primary_failure) {
		zend_string *both = strpprintf(0, "%s (fallback relay: %s)", ZSTR_VAL(primary_failure),
		                               ZSTR_VAL(outcome->failure.message));
		zend_string_release(outcome->failure.message);
		outcome->failure.message = both;
	}
	if (primary_failure) {
		zend_string_release(primary_failure);
	}
}

void php_smtp_mailer_deliver(php_smtp_mailer *mailer, const php_smtp_envelope *envelope, php_smtp_outcome *outcome)
{
	php_smtp_outcome_init(outcome);

	php_smtp_envelope signed_envelope = *envelope;
	dkim_wrap wrap;
	if (dkim_wrap_envelope(mailer, &signed_envelope, &wrap, outcome)) {
		mailer_take_session(mailer);
		php_smtp_pipeline_send(&mailer->pipeline, mailer_sockets(mailer), &mailer->config, &signed_envelope, outcome);
		if (fallback_wanted(mailer, outcome)) {
			send_via_fallback(mailer, &signed_envelope, outcome);
		}
	}
	dkim_wrap_release(&wrap);
	remember_transcript(mailer, outcome);
	php_smtp_log_outcome(&mailer->config, envelope, outcome);
}

/* Validates one address for the envelope; throws naming it. */
static zend_string *envelope_address(const char *what, zend_string *address, bool *needs_smtputf8)
{
	char *normalized = NULL;
	bool utf8_local = false;
	char err[160];
	if (smtp_address_normalize(ZSTR_VAL(address), ZSTR_LEN(address), &normalized, &utf8_local, err, sizeof(err)) != 0 ||
	    !normalized) {
		php_smtp_throw_invalid("Invalid %s address \"%s\": %s", what, ZSTR_VAL(address), err);
		return NULL;
	}
	zend_string *result = zend_string_init(normalized, strlen(normalized), 0);
	smtp_address_free(normalized);
	*needs_smtputf8 |= utf8_local;
	return result;
}

static void envelope_free_recipients(zend_string **recipients, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		zend_string_release(recipients[i]);
	}
	efree(recipients);
}

/* Turns an outcome into the return value or the exception. */
static void finish_send(php_smtp_outcome *outcome, zend_string *message_id, zval *return_value)
{
	if (EG(exception)) {
		/* PHP code run by the send threw (the debug callable, an error
		 * handler): that exception is what the caller gets */
	} else if (outcome->ok) {
		zval accepted, rejected;
		ZVAL_COPY(&accepted, &outcome->accepted);
		ZVAL_COPY(&rejected, &outcome->rejected);
		php_smtp_receipt_create(return_value, message_id, &accepted, &rejected, false, outcome->response);
	} else {
		php_smtp_failure_throw(&outcome->failure, &outcome->transcript, &outcome->rejected);
	}
	php_smtp_outcome_dtor(outcome);
}

static bool message_envelope(php_smtp_mailer *mailer, zend_object *message, php_smtp_outgoing *out,
                             php_smtp_envelope *envelope);

/* ---- sendMany: several sessions at once (smtp_pipeline.c) ---- */

typedef struct {
	php_smtp_job job; /* first: the engine hands this pointer back */
	zval *result;     /* the slot in the result array this message fills */
	php_smtp_outgoing out;
	php_smtp_envelope envelope;
	dkim_wrap wrap;
} batch_item;

typedef struct {
	php_smtp_mailer *mailer;
	HashTable *messages;
	HashPosition pos;
	zval *results;
} batch_feed;

static void batch_store_outcome(php_smtp_mailer *mailer, batch_item *item)
{
	php_smtp_outcome *o = &item->job.outcome;
	zval_ptr_dtor(item->result);
	ZVAL_NULL(item->result);
	if (php_smtp_log_left_to_spool(&mailer->config, o)) {
		/* a temporary failure goes to the spool, as with send(). The spool gets
		 * the unsigned message (the flush signs it again), and writes the
		 * smtp.log line itself */
		php_smtp_envelope unsigned_envelope = item->envelope;
		unsigned_envelope.source = &item->out.source;
		unsigned_envelope.size = -1;
		if (php_smtp_spool_divert(&mailer->config, &unsigned_envelope, o, item->result)) {
			php_smtp_outcome_init(o); /* the divert released it; the item's release expects one */
			return;
		}
		ZVAL_OBJ(item->result, php_smtp_failure_to_exception(&o->failure, &o->transcript, &o->rejected));
		return;
	}
	if (o->ok) {
		php_smtp_envelope unsigned_envelope = item->envelope;
		unsigned_envelope.source = &item->out.source;
		unsigned_envelope.size = -1;
		php_smtp_spool_divert(&mailer->config, &unsigned_envelope, o, NULL); /* those refused for now */
		remember_transcript(mailer, o); /* with the line naming the spooled file, if any */
		zval accepted, rejected;
		ZVAL_COPY(&accepted, &o->accepted);
		ZVAL_COPY(&rejected, &o->rejected);
		php_smtp_receipt_create(item->result, item->out.message_id, &accepted, &rejected, false, o->response);
	} else {
		ZVAL_OBJ(item->result, php_smtp_failure_to_exception(&o->failure, &o->transcript, &o->rejected));
	}
	php_smtp_log_outcome(NULL, &item->envelope, o);
}

static void batch_item_free(batch_item *item)
{
	dkim_wrap_release(&item->wrap);
	php_smtp_outgoing_release(&item->out);
	php_smtp_outcome_dtor(&item->job.outcome);
	efree(item);
}

/* The next message, prepared and signed; bad ones get their exception in
 * their slot and the next is taken. */
static php_smtp_job *batch_next(void *ctx)
{
	batch_feed *feed = ctx;
	php_smtp_mailer *mailer = feed->mailer;
	zval *message;
	while ((message = zend_hash_get_current_data_ex(feed->messages, &feed->pos)) != NULL) {
		zend_string *key = NULL;
		zend_ulong index = 0;
		zend_hash_get_current_key_ex(feed->messages, &key, &index, &feed->pos);
		zend_hash_move_forward_ex(feed->messages, &feed->pos);
		batch_item *item = ecalloc(1, sizeof(*item));
		item->result = key ? zend_hash_find(Z_ARRVAL_P(feed->results), key)
		                   : zend_hash_index_find(Z_ARRVAL_P(feed->results), index);

		if (!message_envelope(mailer, Z_OBJ_P(message), &item->out, &item->envelope)) {
			/* this message is bad; the others still go */
			zval_ptr_dtor(item->result);
			ZVAL_OBJ(item->result, EG(exception));
			GC_ADDREF(EG(exception));
			zend_clear_exception();
			efree(item);
			continue;
		}
		/* deferred: queued now (a queued Receipt in its slot), sent at the end
		 * of the request, as with send() */
		if (mailer->config.deferred) {
			zval_ptr_dtor(item->result);
			ZVAL_NULL(item->result);
			if (php_smtp_spool_defer(&mailer->std, &item->envelope, item->result)) {
				php_smtp_outgoing_release(&item->out);
				efree(item);
				continue;
			}
		}
		php_smtp_outcome_init(&item->job.outcome);
		if (!dkim_wrap_envelope(mailer, &item->envelope, &item->wrap, &item->job.outcome)) {
			batch_store_outcome(mailer, item);
			batch_item_free(item);
			continue;
		}
		item->job.envelope = &item->envelope;
		return &item->job;
	}
	return NULL;
}

static void batch_done(void *ctx, php_smtp_job *job)
{
	batch_feed *feed = ctx;
	batch_item *item = (batch_item *)job;
	if (fallback_wanted(feed->mailer, &job->outcome)) {
		/* blocking, on the fallback's own handle; the batch waits meanwhile */
		send_via_fallback(feed->mailer, &item->envelope, &job->outcome);
	}
	remember_transcript(feed->mailer, &job->outcome);
	batch_store_outcome(feed->mailer, item);
	batch_item_free(item);
}

static void send_batch(php_smtp_mailer *mailer, HashTable *messages, int concurrency, zval *return_value)
{
	/* results keep the input's keys and order: fill them in as sends finish */
	array_init_size(return_value, zend_hash_num_elements(messages));
	zend_string *key;
	zend_ulong index;
	ZEND_HASH_FOREACH_KEY(messages, index, key) {
		zval null;
		ZVAL_NULL(&null);
		if (key) {
			zend_hash_add_new(Z_ARRVAL_P(return_value), key, &null);
		} else {
			zend_hash_index_add_new(Z_ARRVAL_P(return_value), index, &null);
		}
	}
	ZEND_HASH_FOREACH_END();

	batch_feed state = {.mailer = mailer, .messages = messages, .results = return_value};
	zend_hash_internal_pointer_reset_ex(messages, &state.pos);
	php_smtp_job_feed feed = {.next = batch_next, .done = batch_done, .ctx = &state};
	mailer_take_session(mailer);
	php_smtp_pipeline_run(&mailer->pipeline, mailer_sockets(mailer), &mailer->config, concurrency, &feed);
}

ZEND_METHOD(Smtp_Mailer, __construct)
{
	zval *config = NULL;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_ZVAL(config)
	ZEND_PARSE_PARAMETERS_END();

	php_smtp_mailer *mailer = Z_SMTP_MAILER_P(ZEND_THIS);
	if (mailer->configured) {
		zend_throw_error(NULL, "Smtp\\Mailer is already constructed");
		RETURN_THROWS();
	}
	if (php_smtp_config_parse(&mailer->config, config) == FAILURE) {
		php_smtp_config_dtor(&mailer->config);
		RETURN_THROWS();
	}
	/* the fallback relay tells the same debug callable, unless it has its own */
	if (mailer->config.fallback && Z_TYPE(mailer->config.fallback->debug) == IS_UNDEF &&
	    Z_TYPE(mailer->config.debug) != IS_UNDEF) {
		ZVAL_COPY(&mailer->config.fallback->debug, &mailer->config.debug);
	}
	mailer->configured = true;
}

static void send_raw(php_smtp_mailer *mailer, zend_string *from, HashTable *recipient_list,
                     zend_string *one_recipient, zend_string *data, zval *return_value)
{
	php_smtp_envelope envelope = {0};
	/* An empty sender is the null reverse-path of bounces: MAIL FROM:<> */
	envelope.from = ZSTR_LEN(from) ? envelope_address("sender", from, &envelope.needs_smtputf8)
	                               : ZSTR_EMPTY_ALLOC();
	if (!envelope.from) {
		RETURN_THROWS();
	}

	size_t capacity = recipient_list ? zend_hash_num_elements(recipient_list) : 1;
	zend_string **recipients = safe_emalloc(capacity ? capacity : 1, sizeof(zend_string *), 0);
	size_t count = 0;
	bool failed = false;
	php_smtp_mailbox_set seen;
	php_smtp_mailbox_set_init(&seen, (uint32_t)capacity);
	if (recipient_list) {
		zval *entry;
		ZEND_HASH_FOREACH_VAL(recipient_list, entry) {
			ZVAL_DEREF(entry);
			if (Z_TYPE_P(entry) != IS_STRING) {
				zend_argument_type_error(2, "must contain only strings, %s found", zend_zval_type_name(entry));
				failed = true;
				break;
			}
			zend_string *address = envelope_address("recipient", Z_STR_P(entry), &envelope.needs_smtputf8);
			if (!address) {
				failed = true;
				break;
			}
			if (!php_smtp_mailbox_set_add(&seen, ZSTR_VAL(address), ZSTR_LEN(address))) {
				zend_string_release(address); /* a duplicate */
			} else if (count == PHP_SMTP_MAX_RECIPIENTS) {
				zend_string_release(address);
				php_smtp_throw_invalid("A message may have at most %d recipients: send a larger list as several messages "
				                       "(sendMany)", PHP_SMTP_MAX_RECIPIENTS);
				failed = true;
				break;
			} else {
				recipients[count++] = address;
			}
		}
		ZEND_HASH_FOREACH_END();
	} else if (one_recipient) {
		zend_string *address = envelope_address("recipient", one_recipient, &envelope.needs_smtputf8);
		if (address) {
			recipients[count++] = address;
		} else {
			failed = true;
		}
	}
	if (!failed && count == 0) {
		zend_argument_value_error(2, "must name at least one recipient");
		failed = true;
	}
	php_smtp_mailbox_set_destroy(&seen);
	if (failed) {
		envelope_free_recipients(recipients, count);
		zend_string_release(envelope.from);
		RETURN_THROWS();
	}

	smtp_crlf_source body;
	smtp_crlf_source_init(&body, ZSTR_VAL(data), ZSTR_LEN(data));
	smtp_source source = smtp_crlf_source_as_source(&body);
	envelope.recipients = recipients;
	envelope.recipient_count = count;
	envelope.eight_bit = smtp_data_8bit(ZSTR_VAL(data), ZSTR_LEN(data));
	envelope.source = &source;
	envelope.size = (curl_off_t)body.size;

	size_t id_start, id_len;
	envelope.message_id = smtp_header_message_id(ZSTR_VAL(data), ZSTR_LEN(data), &id_start, &id_len)
	                          ? zend_string_init(ZSTR_VAL(data) + id_start, id_len, 0)
	                          : ZSTR_EMPTY_ALLOC();
	if (!mailer->config.deferred || !php_smtp_spool_defer(&mailer->std, &envelope, return_value)) {
		php_smtp_outcome outcome;
		php_smtp_mailer_deliver(mailer, &envelope, &outcome);
		if (!php_smtp_spool_divert(&mailer->config, &envelope, &outcome, return_value)) {
			remember_transcript(mailer, &outcome); /* with the line naming the spooled file, if any */
			finish_send(&outcome, envelope.message_id, return_value);
		}
	}
	zend_string_release(envelope.message_id);
	envelope_free_recipients(recipients, count);
	zend_string_release(envelope.from);
}

ZEND_METHOD(Smtp_Mailer, sendRaw)
{
	zend_string *from, *data;
	zend_string *one_recipient = NULL;
	HashTable *recipient_list = NULL;

	ZEND_PARSE_PARAMETERS_START(3, 3)
		Z_PARAM_STR(from)
		Z_PARAM_ARRAY_HT_OR_STR(recipient_list, one_recipient)
		Z_PARAM_STR(data)
	ZEND_PARSE_PARAMETERS_END();

	php_smtp_mailer *mailer = Z_SMTP_MAILER_P(ZEND_THIS);
	if (!php_smtp_mailer_ready(mailer) || !php_smtp_mailer_begin(mailer)) {
		RETURN_THROWS();
	}
	send_raw(mailer, from, recipient_list, one_recipient, data, return_value);
	php_smtp_mailer_end(mailer);
}

/* Gets a Message ready: its envelope, pointing into out. Throws and returns
 * false when the message cannot be sent as it is. */
static bool message_envelope(php_smtp_mailer *mailer, zend_object *message, php_smtp_outgoing *out,
                             php_smtp_envelope *envelope)
{
	const php_smtp_config *c = &mailer->config;

	memset(out, 0, sizeof(*out));
	memset(envelope, 0, sizeof(*envelope));
	if (php_smtp_message_prepare(message, c->from ? ZSTR_VAL(c->from) : NULL,
	                             c->from_name ? ZSTR_VAL(c->from_name) : NULL, out) == FAILURE) {
		php_smtp_outgoing_release(out);
		return false;
	}
	envelope->from = out->envelope_from ? out->envelope_from : (c->from ? c->from : ZSTR_EMPTY_ALLOC());
	envelope->recipients = out->recipients;
	envelope->recipient_count = out->recipient_count;
	envelope->needs_smtputf8 = out->needs_smtputf8;
	/* the MIME writer encodes every body 7-bit: only addresses in UTF-8 go
	 * into the header raw, and those come with SMTPUTF8 */
	envelope->eight_bit = out->needs_smtputf8;
	envelope->source = &out->source;
	envelope->size = -1;
	envelope->message_id = out->message_id;
	return true;
}

/* Sends one Smtp\Message: a Receipt in return_value, or an exception thrown. */
static void send_message(php_smtp_mailer *mailer, zend_object *message, zval *return_value)
{
	php_smtp_outgoing out;
	php_smtp_envelope envelope;
	if (!message_envelope(mailer, message, &out, &envelope)) {
		return;
	}
	/* deferred: queued now, sent at the end of the request (when the spool
	 * cannot take it, warned about, it goes out now instead) */
	if (mailer->config.deferred && php_smtp_spool_defer(&mailer->std, &envelope, return_value)) {
		php_smtp_outgoing_release(&out);
		return;
	}
	php_smtp_outcome outcome;
	php_smtp_mailer_deliver(mailer, &envelope, &outcome);
	if (!php_smtp_spool_divert(&mailer->config, &envelope, &outcome, return_value)) {
		remember_transcript(mailer, &outcome); /* with the line naming the spooled file, if any */
		finish_send(&outcome, envelope.message_id, return_value);
	}
	php_smtp_outgoing_release(&out);
}

ZEND_METHOD(Smtp_Mailer, send)
{
	zval *message;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_OBJECT_OF_CLASS(message, php_smtp_message_ce)
	ZEND_PARSE_PARAMETERS_END();

	php_smtp_mailer *mailer = Z_SMTP_MAILER_P(ZEND_THIS);
	if (!php_smtp_mailer_ready(mailer) || !php_smtp_mailer_begin(mailer)) {
		RETURN_THROWS();
	}
	/* held for the send whoever else lets go of it (the frame does too, but
	 * the send does not rely on how it was called) */
	zend_object *held = Z_OBJ_P(message);
	GC_ADDREF(held);
	send_message(mailer, held, return_value);
	OBJ_RELEASE(held);
	php_smtp_mailer_end(mailer);
}

ZEND_METHOD(Smtp_Mailer, sendMany)
{
	HashTable *messages;
	zend_long concurrency = 4;

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_ARRAY_HT(messages)
		Z_PARAM_OPTIONAL
		Z_PARAM_LONG(concurrency)
	ZEND_PARSE_PARAMETERS_END();

	php_smtp_mailer *mailer = Z_SMTP_MAILER_P(ZEND_THIS);
	if (!php_smtp_mailer_ready(mailer)) {
		RETURN_THROWS();
	}
	if (concurrency < 1 || concurrency > 64) {
		zend_argument_value_error(2, "must be between 1 and 64");
		RETURN_THROWS();
	}
	zval *entry;
	ZEND_HASH_FOREACH_VAL(messages, entry) {
		if (Z_TYPE_P(entry) != IS_OBJECT || !instanceof_function(Z_OBJCE_P(entry), php_smtp_message_ce)) {
			zend_argument_type_error(1, "must contain only Smtp\\Message objects, %s found",
			                         zend_zval_type_name(entry));
			RETURN_THROWS();
		}
	}
	ZEND_HASH_FOREACH_END();

	if (!php_smtp_mailer_begin(mailer)) {
		RETURN_THROWS();
	}
	/* the batch walks the array and its Messages while PHP code may run:
	 * hold them (a write to the caller's variable then separates it) */
	GC_TRY_ADDREF(messages);
	send_batch(mailer, messages, (int)concurrency, return_value);
	zend_array_release(messages);
	php_smtp_mailer_end(mailer);
}

ZEND_METHOD(Smtp_Mailer, transcript)
{
	ZEND_PARSE_PARAMETERS_NONE();
	php_smtp_mailer *mailer = Z_SMTP_MAILER_P(ZEND_THIS);
	RETURN_COPY(&mailer->transcript);
}

ZEND_METHOD(Smtp_Mailer, close)
{
	ZEND_PARSE_PARAMETERS_NONE();
	php_smtp_mailer *mailer = Z_SMTP_MAILER_P(ZEND_THIS);
	/* refused mid-send: the sessions are in use (their buffers, libcurl's handles) */
	if (!php_smtp_mailer_begin(mailer)) {
		RETURN_THROWS();
	}
	mailer_close_connection(mailer);
	if (mailer->configured && mailer->config.persistent) {
		php_smtp_persistent_forget(&mailer->config); /* close() ends the kept session too */
	}
	php_smtp_mailer_end(mailer);
}

zend_result php_smtp_mailer_minit(void)
{
	php_smtp_mailer_ce = register_class_Smtp_Mailer();
	php_smtp_mailer_ce->create_object = mailer_create;

	memcpy(&mailer_handlers, zend_get_std_object_handlers(), sizeof(zend_object_handlers));
	mailer_handlers.offset = offsetof(php_smtp_mailer, std);
	mailer_handlers.free_obj = mailer_free;
	mailer_handlers.get_gc = mailer_get_gc;
	mailer_handlers.clone_obj = NULL;
	return SUCCESS;
}
