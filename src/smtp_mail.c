/*
 * mail() through SMTP.
 *
 * What PHP's mail() would have piped into sendmail is built here the same
 * way (To and Subject first, then the additional headers, an empty line and
 * the message), and sent with the same php_smtp_mailer_deliver() that
 * Smtp\Mailer uses. What sendmail would have done on top of that is done
 * here too: the envelope recipients are read from To, Cc and Bcc, Bcc is
 * removed from the data, the envelope sender comes from -f, and a message
 * without Date or Message-ID gets one.
 *
 * mail() never throws: every failure is one E_WARNING and false, and the
 * details stay readable through smtp_last_result().
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "php.h"
#include "php_ini.h"
#include "zend_exceptions.h"
#include "zend_smart_str.h"
#include "ext/standard/php_mail.h"
#include "ext/standard/php_string.h"
#include "ext/standard/basic_functions.h"
#include "SAPI.h"
#include "ext/random/php_random.h"
#include "ext/date/php_date.h"
#include "main/php_open_temporary_file.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "php_smtp.h"
#include "smtp_mail.h"
#include "smtp_mailer.h"
#include "smtp_config.h"
#include "smtp_transport.h"
#include "smtp_spool.h"
#include "smtp_log.h"
#include "lib/address.h"
#include "lib/source.h"
#include "lib/mime.h"
#include "lib/mail_headers.h"

/* PHP's own mail(), run while smtp.override_mail is off; and the functions
 * that reach PHP's internal php_mail() without mail(), whose messages are
 * captured (see capture_begin()) and sent here too. */
static zif_handler original_mail_handler;
static zif_handler original_mb_send_mail_handler;
static zif_handler original_error_log_handler;

/* The request's mailer (an Smtp\Mailer object, or UNDEF) and a hash of the
 * smtp.* settings it was made from: an ini_set() between two mail() calls
 * gets a new mailer instead of the old connection. */
ZEND_TLS zval request_mailer;
ZEND_TLS zend_ulong request_mailer_settings;

/* ---- addresses ---- */

typedef struct {
	zend_string **items;
	size_t count;
	size_t capacity;
	bool needs_smtputf8;
	bool seen_ready;
	php_smtp_mailbox_set seen; /* to drop duplicates in linear time */
} address_list;

static void address_list_add(address_list *list, zend_string *address)
{
	if (!list->seen_ready) {
		php_smtp_mailbox_set_init(&list->seen, 8);
		list->seen_ready = true;
	}
	if (!php_smtp_mailbox_set_add(&list->seen, ZSTR_VAL(address), ZSTR_LEN(address))) {
		zend_string_release(address);
		return;
	}
	if (list->count == list->capacity) {
		list->capacity = list->capacity ? list->capacity * 2 : 4;
		list->items = safe_erealloc(list->items, list->capacity, sizeof(zend_string *), 0);
	}
	list->items[list->count++] = address;
}

static void address_list_free(address_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		zend_string_release(list->items[i]);
	}
	if (list->items) {
		efree(list->items);
	}
	if (list->seen_ready) {
		php_smtp_mailbox_set_destroy(&list->seen);
	}
	memset(list, 0, sizeof(*list));
}

/* Each address the parser hands out goes into the list (ctx). */
static void collect_address(void *ctx, const char *address, size_t len, bool utf8_local)
{
	address_list *list = ctx;
	list->needs_smtputf8 |= utf8_local;
	address_list_add(list, zend_string_init(address, len, 0));
}

/* The parser's reason, as the one warning (it was malloc'd there). */
static void warn_parse_error(char *err)
{
	php_error_docref(NULL, E_WARNING, "SMTP delivery failed: %s", err ? err : "out of memory");
	smtp_mail_free(err);
}

/* Validates one addr-spec and adds it to list; on a bad one, a warning naming it. */
static bool add_addr_spec(address_list *list, const char *spec, size_t len)
{
	char *err;
	if (smtp_mail_addr_spec(spec, len, collect_address, list, &err) != 0) {
		warn_parse_error(err);
		return false;
	}
	return true;
}

/* Adds the addresses of an RFC 5322 address list to list (lib/mail_headers.c). */
static bool add_address_list(address_list *list, const char *value, size_t len)
{
	char *err;
	if (smtp_mail_address_list(value, len, collect_address, list, &err) != 0) {
		warn_parse_error(err);
		return false;
	}
	return true;
}

/* What PHP's mail() does to To and Subject (lib/mail_headers.c). */
static zend_string *clean_header_argument(const char *in, size_t len)
{
	size_t n;
	char *clean = smtp_mail_clean_argument(in, len, &n);
	if (!clean) {
		zend_error_noreturn(E_ERROR, "Out of memory");
		return ZSTR_EMPTY_ALLOC();
	}
	zend_string *out = zend_string_init(clean, n, 0);
	smtp_mail_free(clean);
	return out;
}

/* a copy of v with the line breaks of folding turned into spaces */
static zend_string *unfold(const char *v, size_t vlen)
{
	zend_string *out = zend_string_init(v, vlen, 0);
	smtp_mail_unfold(ZSTR_VAL(out), vlen);
	return out;
}

/* The envelope sender named by -f (lib/mail_headers.c), or NULL. */
static zend_string *sender_from_parameters(const char *params, size_t len)
{
	size_t n;
	char *sender = smtp_mail_sender_param(params, len, &n);
	if (!sender) {
		return NULL;
	}
	zend_string *out = zend_string_init(sender, n, 0);
	smtp_mail_free(sender);
	return out;
}

/* ---- the request's mailer ---- */

static zend_ulong settings_hash(void)
{
	smart_str s = {0};
	static const char *const names[] = {"smtp.host", "smtp.port", "smtp.encryption", "smtp.username", "smtp.password",
	                                    "smtp.auth", "smtp.timeout", "smtp.verify_peer", "smtp.cafile", "smtp.helo",
	                                    "smtp.from", "smtp.from_name", "smtp.spool_dir", "smtp.dkim_domain",
	                                    "smtp.dkim_selector", "smtp.dkim_key_file", NULL};
	for (const char *const *name = names; *name; name++) {
		const char *value = zend_ini_string_ex((char *)*name, strlen(*name), 0, NULL);
		smart_str_appends(&s, value ? value : "");
		smart_str_appendc(&s, '\0');
	}
	smart_str_0(&s);
	zend_ulong hash = zend_hash_func(ZSTR_VAL(s.s), ZSTR_LEN(s.s));
	/* the password was copied in here: wipe it */
	ZEND_SECURE_ZERO(ZSTR_VAL(s.s), ZSTR_LEN(s.s));
	smart_str_free(&s);
	return hash;
}

/* A new mailer from the smtp.* settings, its object in object. NULL with a
 * warning when the settings are not usable. */
static php_smtp_mailer *mailer_from_ini(zval *object)
{
	object_init_ex(object, php_smtp_mailer_ce);
	php_smtp_mailer *mailer = Z_SMTP_MAILER_P(object);
	if (php_smtp_config_from_ini(&mailer->config) == FAILURE) {
		php_smtp_config_dtor(&mailer->config);
		zend_string *why = NULL;
		if (EG(exception)) {
			zval rv;
			zval *msg = zend_read_property_ex(zend_get_exception_base(EG(exception)), EG(exception),
			                                  ZSTR_KNOWN(ZEND_STR_MESSAGE), 1, &rv);
			why = zval_get_string(msg);
			zend_clear_exception();
		}
		php_error_docref(NULL, E_WARNING, "SMTP delivery failed: bad smtp.* settings: %s",
		                 why ? ZSTR_VAL(why) : "unknown error");
		if (why) {
			zend_string_release(why);
		}
		zval_ptr_dtor(object);
		ZVAL_UNDEF(object);
		return NULL;
	}
	mailer->configured = true;
	return mailer;
}

/* The mailer for this mail() call, its object held in held (the caller
 * releases it): the request's, made from the smtp.* settings on first use
 * and kept for the next call. While that one is sending, which means mail()
 * was called again from PHP code that ran in the middle of a mail() (an error
 * handler fired by its warning, a destructor), this call gets a mailer of its
 * own for the one message: the nested message still goes out, and the outer
 * one's session is left alone. NULL with a warning when the settings are not
 * usable. */
static php_smtp_mailer *request_mailer_get(zval *held)
{
	ZVAL_UNDEF(held);
	if (Z_TYPE(request_mailer) == IS_OBJECT && Z_SMTP_MAILER_P(&request_mailer)->sending) {
		return mailer_from_ini(held);
	}
	zend_ulong settings = settings_hash();
	if (Z_TYPE(request_mailer) == IS_OBJECT && settings == request_mailer_settings) {
		ZVAL_COPY(held, &request_mailer);
		return Z_SMTP_MAILER_P(held);
	}
	php_smtp_mail_rshutdown();

	php_smtp_mailer *mailer = mailer_from_ini(held);
	if (mailer) {
		ZVAL_COPY(&request_mailer, held);
		request_mailer_settings = settings;
	}
	return mailer;
}

/* ---- the result ---- */

static zval *empty_array(zval *zv)
{
	array_init(zv);
	return zv;
}

static void store_result(php_smtp_outcome *outcome, const char *failure, zend_string *message_id,
                         zend_string *from, address_list *recipients)
{
	zval result, list;
	array_init(&result);
	add_assoc_bool(&result, "ok", outcome && outcome->ok);
	add_assoc_bool(&result, "queued", false);

	int code = 0;
	if (outcome && outcome->ok && outcome->response && ZSTR_LEN(outcome->response) >= 3) {
		code = (int)ZEND_STRTOL(ZSTR_VAL(outcome->response), NULL, 10);
	} else if (outcome) {
		code = outcome->failure.smtp_code;
	}
	add_assoc_long(&result, "code", code);
	if (outcome && outcome->response) {
		add_assoc_str(&result, "reply", zend_string_copy(outcome->response));
	} else {
		add_assoc_string(&result, "reply", "");
	}
	if (failure) {
		add_assoc_string(&result, "error", failure);
	} else {
		add_assoc_null(&result, "error");
	}
	add_assoc_str(&result, "message_id", message_id ? zend_string_copy(message_id) : ZSTR_EMPTY_ALLOC());
	add_assoc_str(&result, "from", from ? zend_string_copy(from) : ZSTR_EMPTY_ALLOC());
	array_init(&list);
	for (size_t i = 0; recipients && i < recipients->count; i++) {
		add_next_index_str(&list, zend_string_copy(recipients->items[i]));
	}
	add_assoc_zval(&result, "recipients", &list);
	if (outcome) {
		Z_TRY_ADDREF(outcome->accepted);
		add_assoc_zval(&result, "accepted", &outcome->accepted);
		Z_TRY_ADDREF(outcome->rejected);
		add_assoc_zval(&result, "rejected", &outcome->rejected);
		Z_TRY_ADDREF(outcome->transcript);
		add_assoc_zval(&result, "transcript", &outcome->transcript);
	} else {
		add_assoc_zval(&result, "accepted", empty_array(&list));
		add_assoc_zval(&result, "rejected", empty_array(&list));
		add_assoc_zval(&result, "transcript", empty_array(&list));
	}
	zval_ptr_dtor(&SMTP_G(last_result));
	ZVAL_COPY_VALUE(&SMTP_G(last_result), &result);
}

/* A local failure (before anything was sent): one warning, and the reason in
 * smtp_last_result(). The warning has already been raised by the caller when
 * raised is true. */
static void fail_local(const char *why, bool raised, zend_string *from, address_list *recipients)
{
	if (!raised) {
		php_error_docref(NULL, E_WARNING, "SMTP delivery failed: %s", why);
	}
	store_result(NULL, why, NULL, from, recipients);
}

/* The domain for a generated Message-ID: the sender's, else the HELO name,
 * else the machine's name. */
static void append_message_id(smart_str *data, zend_string *from, zend_string **message_id)
{
	unsigned char random[16];
	char hex[33];
	if (php_random_bytes_silent(random, sizeof(random)) == FAILURE) {
		/* without a secure source, time and pid still give a unique enough id */
		uint64_t t = (uint64_t)time(NULL), pid = (uint64_t)getpid();
		memcpy(random, &t, 8);
		memcpy(random + 8, &pid, 8);
	}
	for (size_t i = 0; i < sizeof(random); i++) {
		snprintf(hex + 2 * i, 3, "%02x", random[i]);
	}
	const char *domain = from ? smtp_address_domain(ZSTR_VAL(from)) : "";
	char host[256] = "localhost";
	if (!*domain) {
		if (gethostname(host, sizeof(host) - 1) == 0) {
			host[sizeof(host) - 1] = '\0';
		}
		domain = host;
	}
	*message_id = strpprintf(0, "%s@%s", hex, domain);
	smart_str_appends(data, "Message-ID: <");
	smart_str_append(data, *message_id);
	smart_str_appends(data, ">\r\n");
}

/* The owner of the running script, as PHP's X-PHP-Originating-Script shows
 * it (php_getuid() is not exported to extensions). */
static zend_long script_owner_uid(void)
{
	zend_stat_t *st = sapi_get_stat();
	return st ? (zend_long)st->st_uid : (zend_long)getuid();
}

/* ---- mail() ---- */

/* captured: the message came from PHP's php_mail() (mb_send_mail(),
 * error_log()), which has already checked the headers, logged to mail.log
 * and added X-PHP-Originating-Script. */
static void smtp_send_mail(const char *to, size_t to_len, const char *subject, size_t subject_len,
                           const char *message, size_t message_len, zend_string *headers,
                           zend_string *extra_params, bool captured, zval *return_value)
{
	zend_string *to_clean = clean_header_argument(to, to_len);
	zend_string *subject_clean = clean_header_argument(subject, subject_len);
	address_list recipients = {0};
	smtp_mail_headers scan = {0};
	zend_string *from = NULL, *message_id = NULL;
	smart_str data = {0};
	php_smtp_mailer *mailer = NULL;
	zval held;
	ZVAL_UNDEF(&held);
	RETVAL_FALSE;

	if (!captured && headers && smtp_mail_headers_malformed(ZSTR_VAL(headers), ZSTR_LEN(headers))) {
		fail_local("Multiple or malformed newlines found in additional_header", false, NULL, NULL);
		goto done;
	}
	if (!captured) {
		php_smtp_log_php_mail(ZSTR_VAL(to_clean), headers ? ZSTR_VAL(headers) : NULL, ZSTR_VAL(subject_clean));
	}

	/* To, then Cc and Bcc: all envelope recipients */
	{
		zend_string *to_unfolded = unfold(ZSTR_VAL(to_clean), ZSTR_LEN(to_clean));
		bool ok = add_address_list(&recipients, ZSTR_VAL(to_unfolded), ZSTR_LEN(to_unfolded));
		zend_string_release(to_unfolded);
		if (!ok) {
			fail_local("invalid To address", true, NULL, NULL);
			goto done;
		}
	}
	smart_str_appends(&data, "To: ");
	smart_str_append(&data, to_clean);
	smart_str_appends(&data, "\r\nSubject: ");
	smart_str_append(&data, subject_clean);
	smart_str_appends(&data, "\r\n");
	if (PG(mail_x_header) && !captured) {
		const char *script = zend_get_executed_filename();
		zend_string *base = php_basename(script, strlen(script), NULL, 0);
		smart_str_append_printf(&data, "X-PHP-Originating-Script: " ZEND_LONG_FMT ":%s\r\n", script_owner_uid(),
		                        ZSTR_VAL(base));
		zend_string_release(base);
	}
	if (headers) {
		char *err;
		int rc = smtp_mail_headers_scan(ZSTR_VAL(headers), ZSTR_LEN(headers), collect_address, &recipients, &scan, &err);
		if (rc != 0) {
			/* a NUL: only a captured message can have one (mail() refused it above) */
			const char *why = rc == -2 ? "NUL in additional_header" : "invalid Cc or Bcc address";
			warn_parse_error(err);
			fail_local(why, true, NULL, &recipients);
			goto done;
		}
		smart_str_appendl(&data, scan.kept, scan.kept_len);
	}
	if (recipients.count == 0) {
		fail_local("no recipient in To, Cc or Bcc", false, NULL, NULL);
		goto done;
	}
	if (recipients.count > PHP_SMTP_MAX_RECIPIENTS) {
		char why[128];
		snprintf(why, sizeof(why), "more than %d recipients in To, Cc and Bcc (%zu): send a larger list as several messages",
		         PHP_SMTP_MAX_RECIPIENTS, recipients.count);
		fail_local(why, false, NULL, NULL);
		goto done;
	}

	/* The envelope sender: -f (mail.force_extra_parameters wins, as in PHP), smtp.from, the From header */
	mailer = request_mailer_get(&held);
	if (!mailer) {
		store_result(NULL, "bad smtp.* settings", NULL, NULL, &recipients);
		goto done;
	}
	/* a fresh or idle mailer: never refused. Held as sending until this
	 * call is done with it, warnings included */
	php_smtp_mailer_begin(mailer);
	const char *forced = zend_ini_string("mail.force_extra_parameters", sizeof("mail.force_extra_parameters") - 1, 0);
	zend_string *sender = NULL;
	if (forced && *forced) {
		sender = sender_from_parameters(forced, strlen(forced));
	} else if (extra_params && ZSTR_LEN(extra_params)) {
		sender = sender_from_parameters(ZSTR_VAL(extra_params), ZSTR_LEN(extra_params));
	}
	if (!sender && mailer->config.from && ZSTR_LEN(mailer->config.from)) {
		/* a copy of its own (not a reference): it is released below */
		sender = zend_string_init(ZSTR_VAL(mailer->config.from), ZSTR_LEN(mailer->config.from), 0);
	}
	if (!sender && scan.from) {
		address_list from_list = {0};
		if (add_address_list(&from_list, scan.from, scan.from_len) && from_list.count) {
			sender = zend_string_copy(from_list.items[0]);
		}
		address_list_free(&from_list);
	}
	if (!sender) {
		fail_local("no envelope sender: set smtp.from, a From header or -f in the fifth argument", false, NULL,
		           &recipients);
		goto done;
	}
	{
		address_list one = {0};
		bool ok = add_addr_spec(&one, ZSTR_VAL(sender), ZSTR_LEN(sender));
		zend_string_release(sender);
		if (!ok || one.count == 0) {
			address_list_free(&one);
			fail_local("invalid envelope sender", ok == false, NULL, &recipients);
			goto done;
		}
		from = zend_string_copy(one.items[0]);
		recipients.needs_smtputf8 |= one.needs_smtputf8;
		address_list_free(&one);
	}

	/* What sendmail adds to a message that lacks them */
	if (!scan.from && mailer->config.from && ZSTR_LEN(mailer->config.from)) {
		if (mailer->config.from_name && ZSTR_LEN(mailer->config.from_name)) {
			smart_str_append_printf(&data, "From: \"%s\" <%s>\r\n", ZSTR_VAL(mailer->config.from_name),
			                        ZSTR_VAL(mailer->config.from));
		} else {
			smart_str_append_printf(&data, "From: %s\r\n", ZSTR_VAL(mailer->config.from));
		}
	}
	if (!scan.has_date) {
		zend_string *date = php_format_date("D, d M Y H:i:s O", sizeof("D, d M Y H:i:s O") - 1, time(NULL), 1);
		smart_str_appends(&data, "Date: ");
		smart_str_append(&data, date);
		smart_str_appends(&data, "\r\n");
		zend_string_release(date);
	}
	if (!scan.has_message_id) {
		append_message_id(&data, from, &message_id);
	}
	smart_str_appends(&data, "\r\n");
	smart_str_appendl(&data, message, message_len);
	smart_str_appends(&data, "\r\n");
	smart_str_0(&data);
	if (!message_id) {
		/* the script gave its own: read it back for smtp_last_result() */
		size_t id_start, id_len;
		if (smtp_header_message_id(ZSTR_VAL(data.s), ZSTR_LEN(data.s), &id_start, &id_len)) {
			message_id = zend_string_init(ZSTR_VAL(data.s) + id_start, id_len, 0);
		}
	}

	smtp_crlf_source body;
	smtp_crlf_source_init(&body, ZSTR_VAL(data.s), ZSTR_LEN(data.s));
	smtp_source source = smtp_crlf_source_as_source(&body);
	php_smtp_envelope envelope = {
		.from = from,
		.recipients = recipients.items,
		.recipient_count = recipients.count,
		.needs_smtputf8 = recipients.needs_smtputf8,
		.eight_bit = smtp_data_8bit(ZSTR_VAL(data.s), ZSTR_LEN(data.s)),
		.source = &source,
		.size = (curl_off_t)body.size,
		.message_id = message_id,
	};
	php_smtp_outcome outcome;
	php_smtp_mailer_deliver(mailer, &envelope, &outcome);
	if (EG(exception)) {
		/* a debug callback may have thrown: mail() itself never does */
		zend_clear_exception();
	}
	if (!outcome.ok) {
		/* A temporary failure with smtp.spool_dir set: queued, and true, as
		 * sendmail says EX_TEMPFAIL (which PHP's mail() counts as success).
		 * The divert frees the outcome once the message is safely queued. */
		int code = outcome.failure.smtp_code;
		zend_string *reason = outcome.failure.message ? zend_string_copy(outcome.failure.message) : NULL;
		zval receipt;
		ZVAL_UNDEF(&receipt);
		if (php_smtp_spool_divert(&mailer->config, &envelope, &outcome, &receipt)) {
			zval_ptr_dtor(&receipt);
			store_result(NULL, NULL, message_id, from, &recipients);
			zval *last = &SMTP_G(last_result);
			add_assoc_bool(last, "ok", true);
			add_assoc_bool(last, "queued", true);
			add_assoc_long(last, "code", code);
			add_assoc_str(last, "reply", reason ? reason : ZSTR_EMPTY_ALLOC());
			RETVAL_TRUE;
			goto done;
		}
		if (reason) {
			zend_string_release(reason);
		}
		if (EG(exception)) {
			zend_clear_exception();
		}
	}
	if (outcome.ok) {
		php_smtp_spool_divert(&mailer->config, &envelope, &outcome, NULL); /* those refused for now */
	}
	const char *why = NULL;
	if (!outcome.ok) {
		why = outcome.failure.message ? ZSTR_VAL(outcome.failure.message) : "unknown error";
		php_error_docref(NULL, E_WARNING, "SMTP delivery failed: %s", why);
	}
	store_result(&outcome, why, message_id, from, &recipients);
	if (outcome.ok) {
		RETVAL_TRUE;
	}
	php_smtp_outcome_dtor(&outcome);

done:
	smart_str_free(&data);
	smtp_mail_headers_free(&scan);
	address_list_free(&recipients);
	if (from) {
		zend_string_release(from);
	}
	if (message_id) {
		zend_string_release(message_id);
	}
	zend_string_release(to_clean);
	zend_string_release(subject_clean);
	if (mailer) {
		php_smtp_mailer_end(mailer);
	}
	zval_ptr_dtor(&held);
}

/* Replaces the handler of PHP's mail(): same parameters, same checks. */
static ZEND_NAMED_FUNCTION(smtp_mail_handler)
{
	if (!SMTP_G(override_mail)) {
		original_mail_handler(INTERNAL_FUNCTION_PARAM_PASSTHRU);
		return;
	}

	char *to, *subject, *message;
	size_t to_len, subject_len, message_len;
	zend_string *headers_str = NULL, *extra_params = NULL;
	HashTable *headers_ht = NULL;

	ZEND_PARSE_PARAMETERS_START(3, 5)
		Z_PARAM_PATH(to, to_len)
		Z_PARAM_PATH(subject, subject_len)
		Z_PARAM_PATH(message, message_len)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT_OR_STR(headers_ht, headers_str)
		Z_PARAM_PATH_STR(extra_params)
	ZEND_PARSE_PARAMETERS_END();

	zend_string *headers = NULL;
	if (headers_str && ZSTR_LEN(headers_str)) {
		/* PHP's mail() drops trailing white space (a final newline) from string headers */
		headers = php_trim(headers_str, NULL, 0, 2);
	} else if (headers_ht) {
		headers = php_mail_build_headers(headers_ht);
		if (EG(exception)) {
			/* a bad array header: a TypeError or ValueError, as PHP's own mail() throws */
			if (headers) {
				zend_string_release(headers);
			}
			RETURN_THROWS();
		}
	}

	smtp_send_mail(to, to_len, subject, subject_len, message, message_len, headers, extra_params, false, return_value);
	if (headers) {
		zend_string_release(headers);
	}
}

/* ---- mb_send_mail() and error_log($msg, 1, $to) ----
 *
 * Both reach PHP's internal php_mail(), which pipes To, Subject, the headers
 * and the body into sendmail_path: that is where mb_send_mail() does its
 * encoding, and what a drop-in must not redo. So the original function runs
 * as it is, with sendmail_path pointed for the length of the call at a
 * command that only writes its input into a private temporary file (made by
 * mkstemp, mode 0600; the command holds nothing but that path, and whatever
 * php_mail() appends to it, the fifth argument included (shell-escaped by
 * PHP), are only positional parameters of "sh -c", never run; absolute paths
 * because an FPM pool may run with an empty PATH). The captured message then
 * goes through the same path as mail(), and the function returns what that
 * returned: true, or false with one warning. */

typedef struct {
	char path[MAXPATHLEN];
	zend_string *saved_sendmail_path; /* the value to put back */
	bool active;
} mail_capture;

static bool path_is_plain(const char *path)
{
	return *path && strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-") == strlen(path);
}

static bool capture_begin(mail_capture *capture)
{
	memset(capture, 0, sizeof(*capture));
	const char *dir = php_get_temporary_directory();
	if (!dir || !path_is_plain(dir)) {
		dir = "/tmp"; /* a quote in the path would end up in a shell command */
	}
	snprintf(capture->path, sizeof(capture->path), "%s/php-smtp-mail-XXXXXX", dir);
	int fd = mkstemp(capture->path);
	if (fd < 0 || !path_is_plain(capture->path)) {
		if (fd >= 0) {
			close(fd);
			unlink(capture->path);
		}
		php_error_docref(NULL, E_WARNING, "SMTP delivery failed: could not make a temporary file in %s: %s", dir,
		                 strerror(errno));
		return false;
	}
	fchmod(fd, 0600);
	close(fd);

	const char *current = zend_ini_string("sendmail_path", sizeof("sendmail_path") - 1, 0);
	capture->saved_sendmail_path = zend_string_init(current ? current : "", current ? strlen(current) : 0, 0);
	char command[MAXPATHLEN + 64];
	int len = snprintf(command, sizeof(command), "/bin/sh -c 'exec /bin/cat >\"$0\"' '%s'", capture->path);
	/* sendmail_path is PHP_INI_SYSTEM: only the extension itself changes it, and puts it back */
	zend_string *name = zend_string_init("sendmail_path", sizeof("sendmail_path") - 1, 0);
	zend_result altered = zend_alter_ini_entry_chars(name, command, len, PHP_INI_SYSTEM, PHP_INI_STAGE_RUNTIME);
	zend_string_release(name);
	if (altered == FAILURE) {
		zend_string_release(capture->saved_sendmail_path);
		unlink(capture->path);
		php_error_docref(NULL, E_WARNING, "SMTP delivery failed: could not redirect sendmail_path");
		return false;
	}
	capture->active = true;
	return true;
}

/* Puts sendmail_path back as it was and returns what was captured (NULL if
 * nothing); the file is gone afterwards. */
static zend_string *capture_end(mail_capture *capture)
{
	zend_string *name = zend_string_init("sendmail_path", sizeof("sendmail_path") - 1, 0);
	zend_alter_ini_entry_chars(name, ZSTR_VAL(capture->saved_sendmail_path), ZSTR_LEN(capture->saved_sendmail_path),
	                           PHP_INI_SYSTEM, PHP_INI_STAGE_RUNTIME);
	zend_string_release(name);
	zend_string_release(capture->saved_sendmail_path);
	capture->active = false;

	zend_string *text = NULL;
	int fd = open(capture->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
			text = zend_string_alloc(st.st_size, 0);
			size_t have = 0;
			while (have < (size_t)st.st_size) {
				ssize_t n = read(fd, ZSTR_VAL(text) + have, st.st_size - have);
				if (n <= 0) {
					break;
				}
				have += n;
			}
			ZSTR_LEN(text) = have;
			ZSTR_VAL(text)[have] = '\0';
		}
		close(fd);
	}
	unlink(capture->path);
	return text;
}

/* Sends what php_mail() wrote: "To: ...\nSubject: ...\n[headers\n]\nbody\n". */
static void send_captured(zend_string *text, zend_string *extra_params, zval *return_value)
{
	const char *p = ZSTR_VAL(text), *end = p + ZSTR_LEN(text);
	/* the header block ends at the first empty line */
	const char *blank = NULL;
	for (const char *q = p; q < end; q++) {
		if (*q == '\n' && (q + 1 < end && (q[1] == '\n' || (q[1] == '\r' && q + 2 < end && q[2] == '\n')))) {
			blank = q + 1;
			break;
		}
	}
	if (!blank || strncmp(p, "To: ", 4) != 0) {
		php_error_docref(NULL, E_WARNING, "SMTP delivery failed: the message PHP built could not be read");
		RETURN_FALSE;
	}
	const char *body = blank + (*blank == '\r' ? 2 : 1);
	size_t body_len = end - body;
	if (body_len && body[body_len - 1] == '\n') { /* the line break php_mail() adds */
		body_len--;
		if (body_len && body[body_len - 1] == '\r') {
			body_len--;
		}
	}
	/* To and Subject are the first two fields (each may be folded) */
	const char *fields[2][2] = {{NULL, NULL}, {NULL, NULL}};
	const char *q = p;
	for (int i = 0; i < 2; i++) {
		static const char *const names[] = {"To: ", "Subject: "};
		if (q >= blank || strncmp(q, names[i], strlen(names[i])) != 0) {
			php_error_docref(NULL, E_WARNING, "SMTP delivery failed: the message PHP built could not be read");
			RETURN_FALSE;
		}
		fields[i][0] = q + strlen(names[i]);
		const char *eol = memchr(q, '\n', blank - q);
		while (eol && eol + 1 < blank && (eol[1] == ' ' || eol[1] == '\t')) {
			eol = memchr(eol + 1, '\n', blank - eol - 1);
		}
		fields[i][1] = eol ? eol : blank;
		q = eol ? eol + 1 : blank;
	}
	size_t to_len = fields[0][1] - fields[0][0], subject_len = fields[1][1] - fields[1][0];
	zend_string *headers = NULL;
	if (q < blank) {
		size_t len = blank - q;
		while (len && (q[len - 1] == '\n' || q[len - 1] == '\r')) {
			len--;
		}
		headers = zend_string_init(q, len, 0);
	}
	smtp_send_mail(fields[0][0], to_len, fields[1][0], subject_len, body, body_len, headers, extra_params, true,
	               return_value);
	if (headers) {
		zend_string_release(headers);
	}
}

/* Runs the original handler with its message captured, then sends that. */
static void call_captured(zif_handler original, zend_string *extra_params, INTERNAL_FUNCTION_PARAMETERS)
{
	mail_capture capture;
	if (!capture_begin(&capture)) {
		RETURN_FALSE;
	}
	original(INTERNAL_FUNCTION_PARAM_PASSTHRU);
	zend_string *text = capture_end(&capture);
	bool ran = !EG(exception) && Z_TYPE_P(return_value) == IS_TRUE;
	zval_ptr_dtor(return_value);
	ZVAL_FALSE(return_value);
	if (EG(exception)) {
		/* an argument error: thrown as the original throws it */
	} else if (ran && text) {
		send_captured(text, extra_params, return_value);
	} else if (ran) {
		php_error_docref(NULL, E_WARNING, "SMTP delivery failed: PHP built no message");
	}
	/* !ran: the original refused the call and has said why */
	if (text) {
		zend_string_release(text);
	}
}

static ZEND_NAMED_FUNCTION(smtp_mb_send_mail_handler)
{
	if (!SMTP_G(override_mail)) {
		original_mb_send_mail_handler(INTERNAL_FUNCTION_PARAM_PASSTHRU);
		return;
	}
	/* the fifth argument (the envelope sender's -f), read here: php_mail()
	 * would only have given it to the command */
	zend_string *extra_params = NULL;
	if (ZEND_CALL_NUM_ARGS(execute_data) >= 5) {
		zval *arg = ZEND_CALL_ARG(execute_data, 5);
		if (Z_TYPE_P(arg) == IS_STRING) {
			extra_params = Z_STR_P(arg);
		}
	}
	call_captured(original_mb_send_mail_handler, extra_params, INTERNAL_FUNCTION_PARAM_PASSTHRU);
}

static ZEND_NAMED_FUNCTION(smtp_error_log_handler)
{
	/* only message_type 1 (mail) is ours; every other type is PHP's */
	zval *type = ZEND_CALL_NUM_ARGS(execute_data) >= 2 ? ZEND_CALL_ARG(execute_data, 2) : NULL;
	if (!SMTP_G(override_mail) || !type || zval_get_long(type) != 1) {
		original_error_log_handler(INTERNAL_FUNCTION_PARAM_PASSTHRU);
		return;
	}
	call_captured(original_error_log_handler, NULL, INTERNAL_FUNCTION_PARAM_PASSTHRU);
}

static void swap_handler(const char *name, zif_handler *original, zif_handler replacement)
{
	zend_function *fn = zend_hash_str_find_ptr(CG(function_table), name, strlen(name));
	if (fn && fn->type == ZEND_INTERNAL_FUNCTION) {
		*original = fn->internal_function.handler;
		fn->internal_function.handler = replacement;
	}
}

static void restore_handler(const char *name, zif_handler original, zif_handler replacement)
{
	zend_function *fn = zend_hash_str_find_ptr(CG(function_table), name, strlen(name));
	if (fn && original && fn->type == ZEND_INTERNAL_FUNCTION && fn->internal_function.handler == replacement) {
		fn->internal_function.handler = original;
	}
}

ZEND_FUNCTION(smtp_last_result)
{
	ZEND_PARSE_PARAMETERS_NONE();
	if (Z_TYPE(SMTP_G(last_result)) == IS_UNDEF) {
		RETURN_NULL();
	}
	RETURN_COPY(&SMTP_G(last_result));
}

zend_result php_smtp_mail_minit(void)
{
	ZVAL_UNDEF(&request_mailer);
	/* every extension is loaded (its functions registered) before any MINIT
	 * runs, so mbstring's function is there whatever the load order */
	swap_handler("mail", &original_mail_handler, smtp_mail_handler);
	swap_handler("mb_send_mail", &original_mb_send_mail_handler, smtp_mb_send_mail_handler);
	swap_handler("error_log", &original_error_log_handler, smtp_error_log_handler);
	return SUCCESS;
}

zend_result php_smtp_mail_mshutdown(void)
{
	restore_handler("mail", original_mail_handler, smtp_mail_handler);
	restore_handler("mb_send_mail", original_mb_send_mail_handler, smtp_mb_send_mail_handler);
	restore_handler("error_log", original_error_log_handler, smtp_error_log_handler);
	return SUCCESS;
}

void php_smtp_mail_rinit(void)
{
	/* what the last request left here was its memory, gone with it */
	ZVAL_UNDEF(&request_mailer);
	request_mailer_settings = 0;
}

void php_smtp_mail_rshutdown(void)
{
	if (Z_TYPE(request_mailer) != IS_UNDEF) {
		zval_ptr_dtor(&request_mailer);
		ZVAL_UNDEF(&request_mailer);
	}
	request_mailer_settings = 0;
}
