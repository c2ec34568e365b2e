/*
 * Smtp\Spool and the Mailer's spool hook, the Zend side. What a spooled file
 * looks like and how it is written safely lives in lib/spool_file.c; this file
 * decides when to queue, when to retry, and when to give up.
 *
 * Two flushers never send one message twice: each file is sent only while
 * flock()ed by its sender, and a sent file is unlinked before the lock goes;
 * smtp_spool_open_locked() refuses a file whose name no longer points at it.
 */
#include "php.h"
#include "zend_exceptions.h"
#include "zend_interfaces.h"

#include <dirent.h>
#include <errno.h>
#include <sys/file.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smtp_spool.h"
#include "smtp_log.h"
#include "smtp_mailer.h"
#include "smtp_receipt.h"
#include "smtp_errors.h"
#include "lib/spool_file.h"
#include "smtp_spool_arginfo.h"

zend_class_entry *php_smtp_spool_ce;
static zend_object_handlers spool_handlers;

#define SPOOL_DEFAULT_MAX_AGE   (2 * 24 * 3600)
#define SPOOL_DEFAULT_RETRY_MIN 60
#define SPOOL_DEFAULT_RETRY_MAX 3600

typedef struct {
	zend_string *dir;
	zend_long max_age;
	zend_long retry_min;
	zend_long retry_max;
	zend_object std;
} php_smtp_spool;

static inline php_smtp_spool *spool_from_obj(zend_object *obj)
{
	return (php_smtp_spool *) ((char *) obj - offsetof(php_smtp_spool, std));
}
#define Z_SMTP_SPOOL_P(zv) spool_from_obj(Z_OBJ_P(zv))

static zend_object *spool_create(zend_class_entry *ce)
{
	php_smtp_spool *spool = zend_object_alloc(sizeof(php_smtp_spool), ce);
	zend_object_std_init(&spool->std, ce);
	object_properties_init(&spool->std, ce);
	spool->std.handlers = &spool_handlers;
	return &spool->std;
}

static void spool_free(zend_object *obj)
{
	php_smtp_spool *spool = spool_from_obj(obj);
	if (spool->dir) {
		zend_string_release(spool->dir);
	}
	zend_object_std_dtor(obj);
}

static bool spool_ready(php_smtp_spool *spool)
{
	if (!spool->dir) {
		zend_throw_error(NULL, "Smtp\\Spool was not constructed");
		return false;
	}
	return true;
}

/* ---- where a spool may be ---- */

bool php_smtp_spool_dir_allowed(const char *dir, char *err, size_t err_len)
{
	/* the spool is read and written with plain system calls, so PHP's
	 * open_basedir is checked here, as for attachments and DKIM key files */
	if (php_check_open_basedir_ex(dir, 0) != 0) {
		snprintf(err, err_len, "the spool directory %s is outside open_basedir", dir);
		return false;
	}
	return true;
}

/* ---- spool files a flush holds ----
 *
 * A flush keeps each message's file open, and so flock()ed, while it sends
 * it. A fatal error in the debug callable (zend_bailout) skips the close()
 * after the send; in an FPM worker the lock, and with it the message, would
 * then stay taken for the rest of the worker's life. So the files a flush
 * opens are noted here and whatever is still open at the end of the request
 * is closed then. */

#define HELD_MAX 64
ZEND_TLS int held_fds[HELD_MAX];
ZEND_TLS int held_count;

static int held_open(int fd)
{
	if (fd >= 0 && held_count < HELD_MAX) {
		held_fds[held_count++] = fd;
	}
	return fd;
}

static void held_close(int fd)
{
	for (int i = held_count - 1; i >= 0; i--) {
		if (held_fds[i] == fd) {
			held_fds[i] = held_fds[--held_count];
			break;
		}
	}
	close(fd);
}

static void held_close_all(void)
{
	while (held_count > 0) {
		close(held_fds[--held_count]);
	}
}

/* ---- the Mailer's hook ---- */

/* Writes envelope's message into the spool's queue/ with the given retry
 * state; the new file's name goes to name. Warns and returns false when it
 * cannot. */
static bool spool_store_new(const char *dir, const php_smtp_envelope *envelope, uint32_t attempts, int64_t next_try,
                            const char *last_error, char name[SMTP_SPOOL_NAME_MAX])
{
	char err[256] = "";
	/* the bytes are read again from the source, streamed into the file */
	if (smtp_source_rewind(envelope->source) != 0) {
		php_error_docref(NULL, E_WARNING, "Could not spool the message: the message source cannot be re-read: %s",
		                 smtp_source_error(envelope->source));
		return false;
	}
	if (!php_smtp_spool_dir_allowed(dir, err, sizeof(err)) || smtp_spool_dirs_make(dir, err, sizeof(err)) != 0) {
		php_error_docref(NULL, E_WARNING, "Could not spool the message: %s", err);
		return false;
	}

	time_t now = time(NULL);
	smtp_spool_meta meta = {0};
	meta.from = ZSTR_VAL(envelope->from);
	meta.recipients = ecalloc(envelope->recipient_count ? envelope->recipient_count : 1, sizeof(char *));
	for (size_t i = 0; i < envelope->recipient_count; i++) {
		meta.recipients[i] = ZSTR_VAL(envelope->recipients[i]);
	}
	meta.recipient_count = envelope->recipient_count;
	meta.smtputf8 = envelope->needs_smtputf8;
	meta.queued_at = now;
	meta.attempts = attempts;
	meta.next_try = next_try ? next_try : (int64_t) now;
	meta.last_error = (char *) last_error;
	/* a header line must stay one line */
	char *one_line_error = estrdup(meta.last_error);
	for (char *p = one_line_error; *p; p++) {
		if (*p == '\r' || *p == '\n') {
			*p = ' ';
		}
	}
	meta.last_error = one_line_error;

	smtp_spool_new_name(name, (int64_t) now);
	int rc = smtp_spool_store(dir, "queue", name, &meta, envelope->source, err, sizeof(err));
	efree(meta.recipients);
	efree(one_line_error);
	if (rc != 0) {
		php_error_docref(NULL, E_WARNING, "Could not spool the message: %s", err);
		return false;
	}
	return true;
}

static bool divert_to_spool(const php_smtp_config *config, const php_smtp_envelope *envelope,
                            php_smtp_outcome *outcome, zval *return_value)
{
	if (!config->spool || outcome->ok || EG(exception) || !php_smtp_failure_is_temporary(&outcome->failure)) {
		return false;
	}
	char name[SMTP_SPOOL_NAME_MAX];
	int64_t next_try = (int64_t) time(NULL) + smtp_spool_backoff(1, SPOOL_DEFAULT_RETRY_MIN, SPOOL_DEFAULT_RETRY_MAX);
	if (!spool_store_new(ZSTR_VAL(config->spool), envelope, 1, next_try,
	                     outcome->failure.message ? ZSTR_VAL(outcome->failure.message) : "", name)) {
		return false;
	}

	zval accepted, rejected;
	array_init(&accepted);
	array_init(&rejected);
	php_smtp_receipt_create(return_value, envelope->message_id, &accepted, &rejected, true, outcome->failure.message);
	php_smtp_outcome_dtor(outcome);
	return true;
}

/* The message went, but some recipients were refused only for now (a 4xx,
 * or a further transaction cut off, see smtp_pipeline.c): they are queued as
 * a message of their own, as a failed send would have been. The transcript
 * says so; their refusal stays in the Receipt's rejected. */
static void spool_deferred(const php_smtp_config *config, const php_smtp_envelope *envelope,
                           php_smtp_outcome *outcome)
{
	HashTable *deferred = Z_ARRVAL(outcome->deferred);
	uint32_t count = zend_hash_num_elements(deferred);
	if (!config->spool || !ZSTR_LEN(config->spool) || count == 0 || EG(exception)) {
		return;
	}
	php_smtp_envelope rest = *envelope;
	rest.recipients = safe_emalloc(count, sizeof(zend_string *), 0);
	rest.recipient_count = 0;
	zval *address;
	ZEND_HASH_FOREACH_VAL(deferred, address) {
		rest.recipients[rest.recipient_count++] = Z_STR_P(address);
	}
	ZEND_HASH_FOREACH_END();
	zval *first = zend_symtable_find(Z_ARRVAL(outcome->rejected), rest.recipients[0]);
	const char *why = first && Z_TYPE_P(first) == IS_STRING ? Z_STRVAL_P(first) : "refused for now";
	char name[SMTP_SPOOL_NAME_MAX];
	int64_t next_try = (int64_t) time(NULL) + smtp_spool_backoff(1, SPOOL_DEFAULT_RETRY_MIN, SPOOL_DEFAULT_RETRY_MAX);
	if (spool_store_new(ZSTR_VAL(config->spool), &rest, 1, next_try, why, name)) {
		zend_string *line = strpprintf(0, "* %u recipient(s) refused for now were queued in the spool as %s", count, name);
		SEPARATE_ARRAY(&outcome->transcript); /* the mailer's copy is updated by the caller */
		add_next_index_str(&outcome->transcript, line);
		php_smtp_log_message(&rest, "queued", why);
	}
	efree(rest.recipients);
}

/* The send left its smtp.log line to this divert: "queued", or "failed" when
 * the spool could not take the message (the outcome is gone once queued, so
 * its reason is kept first). A message that went to some recipients is not
 * diverted: only those refused for now are queued. */
bool php_smtp_spool_divert(const php_smtp_config *config, const php_smtp_envelope *envelope,
                           php_smtp_outcome *outcome, zval *return_value)
{
	if (outcome->ok) {
		spool_deferred(config, envelope, outcome);
		return false;
	}
	bool log_here = php_smtp_log_left_to_spool(config, outcome);
	zend_string *reason = log_here && outcome->failure.message ? zend_string_copy(outcome->failure.message) : NULL;
	bool queued = divert_to_spool(config, envelope, outcome, return_value);
	if (log_here) {
		php_smtp_log_message(envelope, queued ? "queued" : "failed", reason ? ZSTR_VAL(reason) : "");
	}
	if (reason) {
		zend_string_release(reason);
	}
	return queued;
}

/* ---- listing ---- */

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The message files in dir/area, oldest first; *count set. Free with names_free. */
static char **names_list(zend_string *dir, const char *area, size_t *count)
{
	*count = 0;
	char *path;
	spprintf(&path, 0, "%s/%s", ZSTR_VAL(dir), area);
	DIR *d = opendir(path);
	efree(path);
	if (!d) {
		return NULL;
	}
	size_t cap = 16;
	char **names = emalloc(cap * sizeof(char *));
	struct dirent *entry;
	while ((entry = readdir(d)) != NULL) {
		if (!smtp_spool_name_valid(entry->d_name)) {
			continue; /* dot files, editor leftovers, anything not ours */
		}
		if (*count == cap) {
			cap *= 2;
			names = erealloc(names, cap * sizeof(char *));
		}
		names[(*count)++] = estrdup(entry->d_name);
	}
	closedir(d);
	qsort(names, *count, sizeof(char *), compare_names);
	return names;
}

static void names_free(char **names, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		efree(names[i]);
	}
	if (names) {
		efree(names);
	}
}

static void add_meta_entry(zval *list, const char *id, const smtp_spool_meta *meta, zend_long size)
{
	zval entry, recipients;
	array_init(&entry);
	add_assoc_string(&entry, "id", (char *) id);
	add_assoc_string(&entry, "from", meta->from);
	array_init_size(&recipients, (uint32_t) meta->recipient_count);
	for (size_t i = 0; i < meta->recipient_count; i++) {
		add_next_index_string(&recipients, meta->recipients[i]);
	}
	add_assoc_zval(&entry, "recipients", &recipients);
	add_assoc_long(&entry, "attempts", (zend_long) meta->attempts);
	add_assoc_long(&entry, "queued_at", (zend_long) meta->queued_at);
	add_assoc_long(&entry, "next_try", (zend_long) meta->next_try);
	add_assoc_string(&entry, "last_error", meta->last_error);
	add_assoc_long(&entry, "size", size);
	add_next_index_zval(list, &entry);
}

/* ---- Smtp\Spool ---- */

static bool option_long(zval *value, const char *name, zend_long min, zend_long *out)
{
	ZVAL_DEREF(value);
	if (Z_TYPE_P(value) != IS_LONG || Z_LVAL_P(value) < min) {
		php_smtp_throw_invalid("Spool option \"%s\" must be an integer of at least " ZEND_LONG_FMT, name, min);
		return false;
	}
	*out = Z_LVAL_P(value);
	return true;
}

ZEND_METHOD(Smtp_Spool, __construct)
{
	zend_string *dir;
	HashTable *options = NULL;

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_PATH_STR(dir)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT(options)
	ZEND_PARSE_PARAMETERS_END();

	php_smtp_spool *spool = Z_SMTP_SPOOL_P(ZEND_THIS);
	if (spool->dir) {
		zend_throw_error(NULL, "Smtp\\Spool is already constructed");
		RETURN_THROWS();
	}
	if (ZSTR_LEN(dir) == 0) {
		zend_argument_value_error(1, "must not be empty");
		RETURN_THROWS();
	}
	zend_long max_age = SPOOL_DEFAULT_MAX_AGE, retry_min = SPOOL_DEFAULT_RETRY_MIN, retry_max = SPOOL_DEFAULT_RETRY_MAX;
	if (options) {
		zend_string *key;
		zval *value;
		ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, value) {
			bool ok = false;
			if (!key) {
				php_smtp_throw_invalid("Spool options must be keyed (max_age, retry_min, retry_max)");
				RETURN_THROWS();
			} else if (zend_string_equals_literal(key, "max_age")) {
				ok = option_long(value, "max_age", 0, &max_age);
			} else if (zend_string_equals_literal(key, "retry_min")) {
				ok = option_long(value, "retry_min", 1, &retry_min);
			} else if (zend_string_equals_literal(key, "retry_max")) {
				ok = option_long(value, "retry_max", 1, &retry_max);
			} else {
				php_smtp_throw_invalid("Unknown spool option \"%s\" (expected max_age, retry_min, retry_max)",
				                       ZSTR_VAL(key));
				RETURN_THROWS();
			}
			if (!ok) {
				RETURN_THROWS();
			}
		} ZEND_HASH_FOREACH_END();
	}
	if (retry_max < retry_min) {
		php_smtp_throw_invalid("Spool option \"retry_max\" must not be less than \"retry_min\"");
		RETURN_THROWS();
	}

	char err[512];
	if (!php_smtp_spool_dir_allowed(ZSTR_VAL(dir), err, sizeof(err))) {
		php_smtp_throw_invalid("Spool: %s", err);
		RETURN_THROWS();
	}
	if (smtp_spool_dirs_make(ZSTR_VAL(dir), err, sizeof(err)) != 0) {
		php_smtp_failure failure = {0};
		failure.kind = PHP_SMTP_FAILURE_LOCAL;
		failure.message = strpprintf(0, "Spool: %s", err);
		php_smtp_failure_throw(&failure, NULL, NULL);
		php_smtp_failure_dtor(&failure);
		RETURN_THROWS();
	}
	/* without a trailing slash, so paths built from it look right in errors */
	size_t len = ZSTR_LEN(dir);
	while (len > 1 && ZSTR_VAL(dir)[len - 1] == '/') {
		len--;
	}
	spool->dir = zend_string_init(ZSTR_VAL(dir), len, 0);
	spool->max_age = max_age;
	spool->retry_min = retry_min;
	spool->retry_max = retry_max;
}

ZEND_METHOD(Smtp_Spool, count)
{
	ZEND_PARSE_PARAMETERS_NONE();
	php_smtp_spool *spool = Z_SMTP_SPOOL_P(ZEND_THIS);
	if (!spool_ready(spool)) {
		RETURN_THROWS();
	}
	size_t count;
	char **names = names_list(spool->dir, "queue", &count);
	names_free(names, count);
	RETURN_LONG((zend_long) count);
}

ZEND_METHOD(Smtp_Spool, messages)
{
	bool failed = false;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_BOOL(failed)
	ZEND_PARSE_PARAMETERS_END();

	php_smtp_spool *spool = Z_SMTP_SPOOL_P(ZEND_THIS);
	if (!spool_ready(spool)) {
		RETURN_THROWS();
	}
	const char *area = failed ? "failed" : "queue";
	size_t count;
	char **names = names_list(spool->dir, area, &count);
	array_init(return_value);
	for (size_t i = 0; i < count; i++) {
		char *path;
		spprintf(&path, 0, "%s/%s/%s", ZSTR_VAL(spool->dir), area, names[i]);
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		efree(path);
		if (fd < 0) {
			continue; /* sent or moved since the listing */
		}
		smtp_spool_meta meta;
		off_t body_offset;
		char err[160];
		struct stat st;
		if (fstat(fd, &st) == 0 && smtp_spool_meta_read(fd, &meta, &body_offset, err, sizeof(err)) == 0) {
			add_meta_entry(return_value, names[i], &meta, (zend_long) (st.st_size - body_offset));
			smtp_spool_meta_free(&meta);
		}
		close(fd);
	}
	names_free(names, count);
}

typedef struct {
	zend_long sent, deferred, failed, busy, waiting;
	zval errors;
} flush_summary;

/* Moves a message out of queue/ into failed/ with its last error. The lock
 * on the queued file is held throughout, so nobody sends it meanwhile. */
static bool give_up(php_smtp_spool *spool, const char *name, smtp_spool_meta *meta, smtp_source *body)
{
	char err[256];
	if (smtp_source_rewind(body) != 0 ||
	    smtp_spool_store(ZSTR_VAL(spool->dir), "failed", name, meta, body, err, sizeof(err)) != 0) {
		php_error_docref(NULL, E_WARNING, "Spool: could not move %s to failed/: %s", name, err);
		return false;
	}
	char *path, *queue;
	spprintf(&path, 0, "%s/queue/%s", ZSTR_VAL(spool->dir), name);
	spprintf(&queue, 0, "%s/queue", ZSTR_VAL(spool->dir));
	unlink(path);
	smtp_spool_sync_dir(queue);
	efree(path);
	efree(queue);
	return true;
}

/* The bytes src produces (it is read once and rewound), or -1: no SIZE is declared then. */
static curl_off_t source_size(const smtp_source *src)
{
	char chunk[16384];
	curl_off_t total = 0;
	ssize_t n;
	while ((n = smtp_source_read(src, chunk, sizeof(chunk))) > 0) {
		total += n;
	}
	if (smtp_source_rewind(src) != 0 || n < 0) {
		return -1;
	}
	return total;
}

/* Tries one locked message. Returns false when flushing must stop (an
 * exception from user code, e.g. the debug callback). */
static bool flush_one(php_smtp_spool *spool, php_smtp_mailer *mailer, const char *name, int fd, bool force,
                      zend_long *tried, flush_summary *summary)
{
	smtp_spool_meta meta;
	off_t body_offset;
	char err[256];
	struct stat st;
	smtp_spool_body body;
	smtp_spool_body_init(&body, fd, 0);
	smtp_source source = smtp_spool_body_as_source(&body);

	if (fstat(fd, &st) != 0 || smtp_spool_meta_read(fd, &meta, &body_offset, err, sizeof(err)) != 0) {
		/* unreadable: keep it for a person to look at, out of the way */
		char *from, *to;
		spprintf(&from, 0, "%s/queue/%s", ZSTR_VAL(spool->dir), name);
		spprintf(&to, 0, "%s/failed/%s", ZSTR_VAL(spool->dir), name);
		if (rename(from, to) == 0) {
			summary->failed++;
			add_assoc_string(&summary->errors, (char *) name, err);
		}
		efree(from);
		efree(to);
		return true;
	}
	time_t now = time(NULL);
	if (!force && meta.next_try > (int64_t) now) {
		summary->waiting++;
		smtp_spool_meta_free(&meta);
		return true;
	}
	(*tried)++;

	body.body_offset = body_offset;
	smtp_source_rewind(&source);
	/* the file may have been planted or damaged: its envelope is checked as a
	 * send's is, and one that fails is given up at once with the reason */
	if (smtp_spool_meta_check_envelope(&meta, err, sizeof(err)) != 0) {
		smtp_spool_meta_set_error(&meta, err);
		add_assoc_string(&summary->errors, (char *) name, meta.last_error);
		if (give_up(spool, name, &meta, &source)) {
			summary->failed++;
		}
		smtp_spool_meta_free(&meta);
		return true;
	}
	/* and its bytes go out as CRLF text, whatever line ends the file has */
	smtp_crlf_stream crlf;
	smtp_crlf_stream_init(&crlf, &source);
	smtp_source normalized = smtp_crlf_stream_as_source(&crlf);

	php_smtp_envelope envelope = {0};
	envelope.from = zend_string_init(meta.from, strlen(meta.from), 0);
	envelope.recipients = safe_emalloc(meta.recipient_count, sizeof(zend_string *), 0);
	for (size_t i = 0; i < meta.recipient_count; i++) {
		envelope.recipients[i] = zend_string_init(meta.recipients[i], strlen(meta.recipients[i]), 0);
	}
	envelope.recipient_count = meta.recipient_count;
	envelope.needs_smtputf8 = meta.smtputf8;
	envelope.source = &normalized;
	envelope.size = source_size(&normalized);
	/* a read error shows again when the message is sent */
	smtp_source_8bit(&normalized, &envelope.eight_bit);

	php_smtp_outcome outcome;
	php_smtp_mailer_deliver(mailer, &envelope, &outcome);
	bool go_on = !EG(exception);

	uint32_t deferred = zend_hash_num_elements(Z_ARRVAL(outcome.deferred));
	if (!go_on) {
		/* left queued as it was: the next flush tries it again */
	} else if (outcome.ok && deferred > 0 && (int64_t) now - meta.queued_at < (int64_t) spool->max_age) {
		/* it went to some; those refused for now stay queued, alone */
		char **all = meta.recipients;
		size_t all_count = meta.recipient_count;
		meta.recipients = safe_emalloc(deferred, sizeof(char *), 0);
		meta.recipient_count = 0;
		zval *address;
		ZEND_HASH_FOREACH_VAL(Z_ARRVAL(outcome.deferred), address) {
			meta.recipients[meta.recipient_count++] = Z_STRVAL_P(address);
		}
		ZEND_HASH_FOREACH_END();
		zval *first = zend_symtable_str_find(Z_ARRVAL(outcome.rejected), meta.recipients[0], strlen(meta.recipients[0]));
		smtp_spool_meta_set_error(&meta, first && Z_TYPE_P(first) == IS_STRING ? Z_STRVAL_P(first) : "refused for now");
		meta.attempts++;
		meta.next_try = (int64_t) now + smtp_spool_backoff(meta.attempts, spool->retry_min, spool->retry_max);
		if (smtp_source_rewind(&source) != 0 ||
		    smtp_spool_store(ZSTR_VAL(spool->dir), "queue", name, &meta, &source, err, sizeof(err)) != 0) {
			php_error_docref(NULL, E_WARNING, "Spool: could not update %s: %s", name, err);
		}
		efree(meta.recipients);
		meta.recipients = all;
		meta.recipient_count = all_count;
		summary->sent++;
		summary->deferred++;
	} else if (outcome.ok) {
		/* unlinked while still locked: no other flusher can pick it up now */
		char *path, *queue;
		spprintf(&path, 0, "%s/queue/%s", ZSTR_VAL(spool->dir), name);
		spprintf(&queue, 0, "%s/queue", ZSTR_VAL(spool->dir));
		unlink(path);
		smtp_spool_sync_dir(queue);
		efree(path);
		efree(queue);
		summary->sent++;
	} else {
		const char *why = outcome.failure.message ? ZSTR_VAL(outcome.failure.message) : "unknown failure";
		smtp_spool_meta_set_error(&meta, why);
		if (meta.attempts < SMTP_SPOOL_MAX_ATTEMPTS) {
			meta.attempts++; /* kept within what smtp_spool_meta_read accepts */
		}
		add_assoc_string(&summary->errors, (char *) name, meta.last_error);
		bool too_old = (int64_t) now - meta.queued_at >= (int64_t) spool->max_age;
		if (php_smtp_failure_is_temporary(&outcome.failure) && !too_old) {
			meta.next_try = (int64_t) now + smtp_spool_backoff(meta.attempts, spool->retry_min, spool->retry_max);
			/* rewritten whole and renamed over the old file: a crash leaves
			 * either the old state or the new one */
			if (smtp_source_rewind(&source) != 0 ||
			    smtp_spool_store(ZSTR_VAL(spool->dir), "queue", name, &meta, &source, err, sizeof(err)) != 0) {
				php_error_docref(NULL, E_WARNING, "Spool: could not update %s: %s", name, err);
			}
			summary->deferred++;
		} else if (give_up(spool, name, &meta, &source)) {
			summary->failed++;
		}
	}

	php_smtp_outcome_dtor(&outcome);
	for (size_t i = 0; i < envelope.recipient_count; i++) {
		zend_string_release(envelope.recipients[i]);
	}
	efree(envelope.recipients);
	zend_string_release(envelope.from);
	smtp_spool_meta_free(&meta);
	return go_on;
}

ZEND_METHOD(Smtp_Spool, flush)
{
	zval *mailer_zv;
	zend_long limit = 100;
	bool force = false;

	ZEND_PARSE_PARAMETERS_START(1, 3)
		Z_PARAM_OBJECT_OF_CLASS(mailer_zv, php_smtp_mailer_ce)
		Z_PARAM_OPTIONAL
		Z_PARAM_LONG(limit)
		Z_PARAM_BOOL(force)
	ZEND_PARSE_PARAMETERS_END();

	php_smtp_spool *spool = Z_SMTP_SPOOL_P(ZEND_THIS);
	if (!spool_ready(spool)) {
		RETURN_THROWS();
	}
	if (limit < 1) {
		zend_argument_value_error(2, "must be at least 1");
		RETURN_THROWS();
	}
	php_smtp_mailer *mailer = Z_SMTP_MAILER_P(mailer_zv);
	if (!php_smtp_mailer_ready(mailer)) {
		RETURN_THROWS();
	}
	/* opened up since the constructor looked? Then nothing in it is trusted.
	 * Checked before the Mailer is taken: a return after that must end it. */
	char dir_err[512];
	if (smtp_spool_dirs_check(ZSTR_VAL(spool->dir), dir_err, sizeof(dir_err)) != 0) {
		php_smtp_failure failure = {.kind = PHP_SMTP_FAILURE_LOCAL};
		failure.message = strpprintf(0, "Spool: %s", dir_err);
		php_smtp_failure_throw(&failure, NULL, NULL);
		php_smtp_failure_dtor(&failure);
		RETURN_THROWS();
	}
	if (!php_smtp_mailer_begin(mailer)) {
		RETURN_THROWS();
	}

	flush_summary summary = {0};
	array_init(&summary.errors);
	size_t count;
	char **names = names_list(spool->dir, "queue", &count);
	zend_long tried = 0;
	bool stopped = false;
	for (size_t i = 0; i < count && tried < limit && !stopped; i++) {
		bool busy;
		char *dir = ZSTR_VAL(spool->dir);
		int fd = held_open(smtp_spool_open_locked(dir, names[i], &busy));
		if (fd < 0) {
			summary.busy += busy; /* another flusher has it; gone ones are not counted */
			continue;
		}
		stopped = !flush_one(spool, mailer, names[i], fd, force, &tried, &summary);
		held_close(fd); /* releases the lock, after the file was unlinked or replaced */
	}
	names_free(names, count);
	php_smtp_mailer_end(mailer);
	if (stopped) {
		zval_ptr_dtor(&summary.errors);
		RETURN_THROWS();
	}

	names = names_list(spool->dir, "queue", &count);
	names_free(names, count);
	array_init(return_value);
	add_assoc_long(return_value, "sent", summary.sent);
	add_assoc_long(return_value, "deferred", summary.deferred);
	add_assoc_long(return_value, "failed", summary.failed);
	add_assoc_long(return_value, "busy", summary.busy);
	add_assoc_long(return_value, "waiting", summary.waiting);
	add_assoc_long(return_value, "remaining", (zend_long) count);
	add_assoc_zval(return_value, "errors", &summary.errors);
}

/* ---- operator tools: one message, retry, purge ---- */

static void check_id(zend_string *id, uint32_t arg, bool *ok)
{
	/* a name the spool could have made: never a path */
	*ok = smtp_spool_name_valid(ZSTR_VAL(id)) && strlen(ZSTR_VAL(id)) == ZSTR_LEN(id);
	if (!*ok) {
		zend_argument_value_error(arg, "is not a spool message id");
	}
}

/* Reads the whole body of an open spool file from body_offset into a string. */
static zend_string *read_body(int fd, off_t body_offset, off_t size)
{
	size_t len = size > body_offset ? (size_t) (size - body_offset) : 0;
	zend_string *data = zend_string_alloc(len, 0);
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(fd, ZSTR_VAL(data) + got, len - got, body_offset + (off_t) got);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		got += (size_t) n;
	}
	ZSTR_LEN(data) = got;
	ZSTR_VAL(data)[got] = '\0';
	return data;
}

/* This call's spool, once it and the message id are known good; NULL after throwing. */
static php_smtp_spool *spool_with_id(zval *this_ptr, zend_string *id)
{
	php_smtp_spool *spool = Z_SMTP_SPOOL_P(this_ptr);
	bool ok;
	if (!spool_ready(spool)) {
		return NULL;
	}
	check_id(id, 1, &ok);
	return ok ? spool : NULL;
}

ZEND_METHOD(Smtp_Spool, message)
{
	zend_string *id;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR(id)
	ZEND_PARSE_PARAMETERS_END();

	php_smtp_spool *spool = spool_with_id(ZEND_THIS, id);
	if (!spool) {
		RETURN_THROWS();
	}
	static const char *const areas[] = {"queue", "failed"};
	for (size_t a = 0; a < 2; a++) {
		char *path;
		spprintf(&path, 0, "%s/%s/%s", ZSTR_VAL(spool->dir), areas[a], ZSTR_VAL(id));
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		efree(path);
		if (fd < 0) {
			continue;
		}
		smtp_spool_meta meta;
		off_t body_offset;
		char err[160];
		struct stat st;
		if (fstat(fd, &st) != 0 || smtp_spool_meta_read(fd, &meta, &body_offset, err, sizeof(err)) != 0) {
			close(fd);
			continue;
		}
		zval list;
		array_init(&list);
		add_meta_entry(&list, ZSTR_VAL(id), &meta, (zend_long) (st.st_size - body_offset));
		smtp_spool_meta_free(&meta);
		ZVAL_COPY(return_value, zend_hash_index_find(Z_ARRVAL(list), 0));
		zval_ptr_dtor(&list);
		add_assoc_string(return_value, "area", (char *) areas[a]);
		add_assoc_str(return_value, "data", read_body(fd, body_offset, st.st_size));
		close(fd);
		return;
	}
	RETURN_NULL();
}

ZEND_METHOD(Smtp_Spool, retry)
{
	zend_string *id;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR(id)
	ZEND_PARSE_PARAMETERS_END();

	php_smtp_spool *spool = spool_with_id(ZEND_THIS, id);
	if (!spool) {
		RETURN_THROWS();
	}
	char *path, *failed_dir;
	spprintf(&path, 0, "%s/failed/%s", ZSTR_VAL(spool->dir), ZSTR_VAL(id));
	spprintf(&failed_dir, 0, "%s/failed", ZSTR_VAL(spool->dir));
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	bool moved = false;
	struct stat st;
	/* locked, and still linked: two retries at once move it once */
	if (fd >= 0 && flock(fd, LOCK_EX) == 0 && fstat(fd, &st) == 0 && st.st_nlink > 0) {
		smtp_spool_meta meta;
		off_t body_offset;
		char err[256];
		if (smtp_spool_meta_read(fd, &meta, &body_offset, err, sizeof(err)) == 0) {
			/* due now, and its age starts again, or max_age would give it
			 * up at its first temporary failure */
			time_t now = time(NULL);
			meta.next_try = (int64_t) now;
			meta.queued_at = (int64_t) now;
			smtp_spool_body body;
			smtp_spool_body_init(&body, fd, body_offset);
			smtp_source source = smtp_spool_body_as_source(&body);
			if (smtp_source_rewind(&source) == 0 &&
			    smtp_spool_store(ZSTR_VAL(spool->dir), "queue", ZSTR_VAL(id), &meta, &source, err, sizeof(err)) == 0) {
				unlink(path);
				smtp_spool_sync_dir(failed_dir);
				moved = true;
			} else {
				php_error_docref(NULL, E_WARNING, "Spool: could not move %s back to the queue: %s", ZSTR_VAL(id), err);
			}
			smtp_spool_meta_free(&meta);
		}
	}
	if (fd >= 0) {
		close(fd);
	}
	efree(path);
	efree(failed_dir);
	RETURN_BOOL(moved);
}

ZEND_METHOD(Smtp_Spool, purge)
{
	bool failed = false;
	zend_long older_than = 0;

	ZEND_PARSE_PARAMETERS_START(0, 2)
		Z_PARAM_OPTIONAL
		Z_PARAM_BOOL(failed)
		Z_PARAM_LONG(older_than)
	ZEND_PARSE_PARAMETERS_END();

	php_smtp_spool *spool = Z_SMTP_SPOOL_P(ZEND_THIS);
	if (!spool_ready(spool)) {
		RETURN_THROWS();
	}
	if (older_than < 0) {
		zend_argument_value_error(2, "must be at least 0");
		RETURN_THROWS();
	}
	const char *area = failed ? "failed" : "queue";
	char *area_dir;
	spprintf(&area_dir, 0, "%s/%s", ZSTR_VAL(spool->dir), area);
	size_t count;
	char **names = names_list(spool->dir, area, &count);
	time_t now = time(NULL);
	zend_long purged = 0;
	for (size_t i = 0; i < count; i++) {
		char *path;
		spprintf(&path, 0, "%s/%s", area_dir, names[i]);
		int fd;
		if (failed) {
			fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
				close(fd);
				fd = -1; /* a retry is moving it */
			}
		} else {
			bool busy;
			fd = smtp_spool_open_locked(ZSTR_VAL(spool->dir), names[i], &busy); /* a flusher's message is left alone */
		}
		if (fd >= 0) {
			smtp_spool_meta meta;
			off_t body_offset;
			char err[160];
			bool old_enough = older_than == 0; /* an unreadable file has no age: only "all" takes it */
			if (older_than > 0 && smtp_spool_meta_read(fd, &meta, &body_offset, err, sizeof(err)) == 0) {
				old_enough = (int64_t) now - meta.queued_at >= (int64_t) older_than;
				smtp_spool_meta_free(&meta);
			}
			if (old_enough && unlink(path) == 0) {
				purged++;
			}
			close(fd);
		}
		efree(path);
	}
	names_free(names, count);
	if (purged) {
		smtp_spool_sync_dir(area_dir);
	}
	efree(area_dir);
	RETURN_LONG(purged);
}

/* ---- deferred sending ----
 *
 * With `deferred => true` a send only spools the message (due now) and
 * remembers it here; at the end of the request, after the response went out,
 * php_smtp_spool_rshutdown() flushes exactly those messages through the same
 * Mailer. The Mailer object may have no other reference left by then, so a
 * reference to it is held from the send until that flush.
 *
 * The list is request memory (emalloc): it must not outlive the request, even
 * when the request ends in a fatal error. The flush runs the debug callable,
 * so a fatal error there (E_USER_ERROR, the memory limit) longjmps out of it:
 * it is caught around the flush and the list is released all the same, and
 * RINIT starts every request with an empty list whatever the last one left. */

typedef struct {
	zend_object *mailer; /* one reference held */
	zend_string *dir;
	char name[SMTP_SPOOL_NAME_MAX];
} deferred_message;

ZEND_TLS deferred_message *deferred_list;
ZEND_TLS size_t deferred_count, deferred_capacity;
ZEND_TLS bool deferred_flushing; /* the request-end flush is running */

bool php_smtp_spool_defer(zend_object *mailer_obj, const php_smtp_envelope *envelope, zval *return_value)
{
	if (deferred_flushing) {
		/* a send made during the request-end flush (from a debug callable):
		 * the response is gone already, so it goes out now, as itself */
		return false;
	}
	php_smtp_mailer *mailer = php_smtp_mailer_from_obj(mailer_obj);
	zend_string *dir = mailer->config.spool;
	char name[SMTP_SPOOL_NAME_MAX];
	const char *why = "deferred: to be sent at the end of the request";
	if (!spool_store_new(ZSTR_VAL(dir), envelope, 0, 0, why, name)) {
		return false;
	}
	if (deferred_count == deferred_capacity) {
		deferred_capacity = deferred_capacity ? deferred_capacity * 2 : 8;
		deferred_list = safe_erealloc(deferred_list, deferred_capacity, sizeof(deferred_message), 0);
	}
	deferred_message *entry = &deferred_list[deferred_count++];
	GC_ADDREF(mailer_obj);
	entry->mailer = mailer_obj;
	entry->dir = zend_string_copy(dir);
	memcpy(entry->name, name, sizeof(name));

	php_smtp_log_message(envelope, "queued", why);
	zval accepted, rejected;
	array_init(&accepted);
	array_init(&rejected);
	zend_string *response = zend_string_init(why, strlen(why), 0);
	php_smtp_receipt_create(return_value, envelope->message_id, &accepted, &rejected, true, response);
	zend_string_release(response);
	return true;
}

/* Ends the HTTP response first where the SAPI can (FastCGI/FPM), so the
 * client does not wait for the relay. */
static void finish_response(void)
{
	zval fn, retval;
	ZVAL_STRING(&fn, "fastcgi_finish_request");
	if (zend_hash_str_exists(EG(function_table), "fastcgi_finish_request", sizeof("fastcgi_finish_request") - 1)) {
		call_user_function(NULL, NULL, &fn, &retval, 0, NULL);
		zval_ptr_dtor(&retval);
		if (EG(exception)) {
			zend_clear_exception();
		}
	}
	zval_ptr_dtor(&fn);
}

/* Sends the deferred messages in order, each under its Mailer's send guard;
 * stops at the first whose debug callable threw (the rest stay queued). */
static void deliver_deferred(void)
{
	for (size_t i = 0; i < deferred_count; i++) {
		deferred_message *entry = &deferred_list[i];
		php_smtp_mailer *mailer = php_smtp_mailer_from_obj(entry->mailer);
		if (!mailer->configured || !php_smtp_mailer_begin(mailer)) {
			zend_clear_exception();
			continue;
		}
		bool busy, go_on = true;
		/* a flusher elsewhere may have it already: then it is theirs */
		int fd = held_open(smtp_spool_open_locked(ZSTR_VAL(entry->dir), entry->name, &busy));
		if (fd >= 0) {
			php_smtp_spool spool = {0};
			spool.dir = entry->dir;
			spool.max_age = SPOOL_DEFAULT_MAX_AGE;
			spool.retry_min = SPOOL_DEFAULT_RETRY_MIN;
			spool.retry_max = SPOOL_DEFAULT_RETRY_MAX;
			flush_summary summary = {0};
			array_init(&summary.errors);
			zend_long tried = 0;
			if (!flush_one(&spool, mailer, entry->name, fd, true, &tried, &summary)) {
				zend_clear_exception(); /* the debug callable threw: the rest stay queued */
				go_on = false;
			}
			zval_ptr_dtor(&summary.errors);
			held_close(fd);
		}
		php_smtp_mailer_end(mailer);
		if (!go_on) {
			break;
		}
	}
}

void php_smtp_spool_rshutdown(void)
{
	held_close_all(); /* a flush that a fatal error cut short */
	if (!deferred_count) {
		return;
	}
	/* after a fatal error nothing more is tried: the messages stay queued */
	if (!CG(unclean_shutdown) && !EG(exception)) {
		finish_response();
		deferred_flushing = true;
		zend_try {
			deliver_deferred();
		} zend_catch {
			/* a fatal error in a debug callable: what was not sent stays
			 * queued, and the list is released below all the same */
		} zend_end_try();
		deferred_flushing = false;
	}
	for (size_t i = 0; i < deferred_count; i++) {
		zend_string_release(deferred_list[i].dir);
		OBJ_RELEASE(deferred_list[i].mailer);
	}
	efree(deferred_list);
	deferred_list = NULL;
	deferred_count = deferred_capacity = 0;
	held_close_all();
}

void php_smtp_spool_rinit(void)
{
	/* whatever the last request left here was its memory, gone with it */
	deferred_list = NULL;
	deferred_count = deferred_capacity = 0;
	deferred_flushing = false;
	held_close_all(); /* none, unless the last request's end was skipped */
}

zend_result php_smtp_spool_minit(void)
{
	php_smtp_spool_ce = register_class_Smtp_Spool(zend_ce_countable);
	php_smtp_spool_ce->create_object = spool_create;

	memcpy(&spool_handlers, zend_get_std_object_handlers(), sizeof(zend_object_handlers));
	spool_handlers.offset = offsetof(php_smtp_spool, std);
	spool_handlers.free_obj = spool_free;
	spool_handlers.clone_obj = NULL;
	return SUCCESS;
}
