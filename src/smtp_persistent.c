#include "php.h"
#include "ext/standard/info.h"
#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "php_smtp.h"
#include "smtp_persistent.h"
#include "lib/keyed_hash.h"
#include "lib/clock.h"

#define KEPT_MAX 64

typedef struct {
	unsigned char key[SMTP_KEYED_HASH_LEN]; /* the identity's keyed hash (smtp_keyed_hash) */
	char destination[300]; /* host:port (encryption): what the listing shows */
	char username[128];
	php_smtp_kept_session session;
	pid_t pid;                /* the process that opened it: the only one that may use it */
	double created, last_used;
} kept_entry;

/* Thread safety (ZTS: FrankenPHP, Apache's event/worker MPM with a ZTS PHP).
 * The registry is the thread's own, reached through the module globals
 * (SMTP_G(kept_sessions)), never a process-wide table: a session is opened,
 * used, kept, taken and closed by one thread only. libcurl allows a handle
 * in one thread at a time; one thread per session makes that hold without a
 * lock, and it keeps the socket registry the handles' callbacks write to
 * (below) out of reach of another thread's opens and closes. A thread's
 * sessions end with it (GSHUTDOWN). What stays process-wide is immutable
 * (the keyed hash's key, src/lib/keyed_hash.c) or locked (the abandoned handles). */
typedef struct {
	kept_entry *entries[KEPT_MAX];
	int count;
	/* libcurl copies a handle's socket callbacks and their data into the
	 * connection when it opens it, so a connection that may outlive its
	 * request must be opened with data that outlives every request: this */
	php_smtp_sockets sockets;
} kept_registry;

/* This thread's registry, made at its first use; NULL when out of memory,
 * for good (then nothing is kept: a registry that appeared later would be
 * handed sessions whose handles were made with a Mailer's own sockets). */
ZEND_TLS bool registry_failed;
static kept_registry *registry(void)
{
	if (!SMTP_G(kept_sessions) && !registry_failed) {
		SMTP_G(kept_sessions) = calloc(1, sizeof(kept_registry));
		registry_failed = !SMTP_G(kept_sessions);
	}
	return SMTP_G(kept_sessions);
}

/* Set by MSHUTDOWN, after which libcurl is cleaned up: a registry still
 * holding sessions then (a thread the SAPI did not end first) can no longer
 * hand them to libcurl. */
static bool module_down;

static void add_zstr(smtp_keyed_hash *h, const zend_string *value)
{
	smtp_keyed_hash_add(h, value ? ZSTR_VAL(value) : NULL, value ? ZSTR_LEN(value) : 0);
}

/* Who and where, as a keyed hash (src/lib/keyed_hash.c): the secrets
 * themselves are never stored, and the hash says nothing outside this process. */
static bool identity_key(const php_smtp_config *c, unsigned char out[SMTP_KEYED_HASH_LEN])
{
	/* A token callable's identity cannot be known: its session is never kept,
	 * or another Mailer naming the same mailbox would send as it unchecked. */
	if (Z_TYPE(c->token) != IS_UNDEF && Z_TYPE(c->token) != IS_STRING) {
		return false;
	}
	smtp_keyed_hash h;
	smtp_keyed_hash_begin(&h);
	char number[64];
	add_zstr(&h, c->host);
	snprintf(number, sizeof(number), ZEND_LONG_FMT "/%d/%d/%d/%d", c->port, (int)c->encryption, (int)c->verify_peer,
	         (int)c->auth, (int)c->allow_insecure_auth);
	smtp_keyed_hash_add(&h, number, strlen(number));
	add_zstr(&h, c->cafile);
	add_zstr(&h, c->username);
	add_zstr(&h, c->password);
	/* an OAuth session is the token's or the OAuth client's, as a password's is the password's */
	add_zstr(&h, Z_TYPE(c->token) == IS_STRING ? Z_STR(c->token) : NULL);
	add_zstr(&h, c->oauth ? c->oauth->token_url : NULL);
	add_zstr(&h, c->oauth ? c->oauth->client_id : NULL);
	add_zstr(&h, c->oauth ? c->oauth->client_secret : NULL);
	add_zstr(&h, c->oauth ? c->oauth->refresh_token : NULL);
	add_zstr(&h, c->oauth ? c->oauth->scope : NULL);
	add_zstr(&h, c->helo);
	return smtp_keyed_hash_end(&h, out);
}

php_smtp_sockets *php_smtp_persistent_sockets(void)
{
	kept_registry *r = registry();
	return r ? &r->sockets : NULL;
}

static void session_close(php_smtp_kept_session *s, bool say_quit)
{
	if (say_quit) {
		size_t n;
		curl_easy_send(s->easy, "QUIT\r\n", 6, &n);
	}
	/* removing a CONNECT_ONLY handle closes its connection */
	curl_multi_remove_handle(s->multi, s->easy);
	curl_easy_cleanup(s->easy);
	curl_multi_cleanup(s->multi);
}

/* What a forked child must leave alone (its copies of the parent's libcurl
 * handles), kept reachable: left on purpose, not lost. Process-wide, so
 * locked: any thread may abandon. */
static void **abandoned;
static size_t abandoned_count, abandoned_cap;
static pthread_mutex_t abandoned_lock = PTHREAD_MUTEX_INITIALIZER;

void php_smtp_persistent_abandon(void *handle)
{
	if (!handle) {
		return;
	}
	pthread_mutex_lock(&abandoned_lock);
	if (abandoned_count == abandoned_cap) {
		size_t cap = abandoned_cap ? abandoned_cap * 2 : 16;
		void **grown = realloc(abandoned, cap * sizeof(void *));
		if (!grown) {
			pthread_mutex_unlock(&abandoned_lock);
			return;
		}
		abandoned = grown;
		abandoned_cap = cap;
	}
	abandoned[abandoned_count++] = handle;
	pthread_mutex_unlock(&abandoned_lock);
}

/* The entry is no longer in the registry. */
static void entry_close(kept_entry *e, bool say_quit)
{
	if (e->pid != getpid() || module_down) {
		/* a forked child: the connection and its TLS state are the parent's.
		 * Not a byte is sent and libcurl's handles are not touched (their
		 * cleanup would write a TLS close_notify): the child's copy of the
		 * socket is closed, the rest of its copy left as it is. The same
		 * after MSHUTDOWN, when libcurl is gone. */
		close(e->session.fd);
		php_smtp_persistent_abandon(e->session.easy);
		php_smtp_persistent_abandon(e->session.multi);
		free(e);
		return;
	}
	session_close(&e->session, say_quit);
	free(e);
}

static double idle_limit(void)
{
	return SMTP_G(persistent_idle) > 0 ? SMTP_G(persistent_idle) : 60;
}

/* Takes out every entry that must go (another process's, or idle too long),
 * into drop: closed after the registry is consistent again. */
static int collect_stale(kept_registry *r, kept_entry **drop, double now, pid_t pid)
{
	int n = 0;
	for (int i = 0; i < r->count;) {
		kept_entry *e = r->entries[i];
		if (e->pid != pid || now - e->last_used > idle_limit()) {
			drop[n++] = e;
			r->entries[i] = r->entries[--r->count];
			continue;
		}
		i++;
	}
	return n;
}

static void close_all(kept_entry **drop, int n)
{
	for (int i = 0; i < n; i++) {
		entry_close(drop[i], true);
	}
}

bool php_smtp_persistent_take(const php_smtp_config *config, php_smtp_kept_session *out)
{
	unsigned char key[SMTP_KEYED_HASH_LEN];
	kept_registry *r = registry();
	if (!r || !identity_key(config, key)) {
		return false;
	}
	kept_entry *drop[KEPT_MAX], *found = NULL;
	int n = collect_stale(r, drop, smtp_monotonic_seconds(), getpid());
	for (int i = 0; i < r->count; i++) {
		if (smtp_keyed_hash_equal(r->entries[i]->key, key)) {
			found = r->entries[i];
			r->entries[i] = r->entries[--r->count];
			break;
		}
	}
	close_all(drop, n);
	if (!found) {
		return false;
	}
	*out = found->session;
	out->since = found->created;
	free(found);
	return true;
}

bool php_smtp_persistent_has_room(const php_smtp_config *config)
{
	unsigned char key[SMTP_KEYED_HASH_LEN];
	kept_registry *r = SMTP_G(kept_sessions);
	/* no registry: the session's handles were not made with its sockets */
	if (!r || !identity_key(config, key)) {
		return false;
	}
	zend_long max = SMTP_G(persistent_max) > 0 ? SMTP_G(persistent_max) : 1;
	pid_t pid = getpid();
	int same = 0;
	for (int i = 0; i < r->count; i++) {
		same += r->entries[i]->pid == pid && smtp_keyed_hash_equal(r->entries[i]->key, key);
	}
	return r->count < KEPT_MAX && same < max;
}

void php_smtp_persistent_keep(const php_smtp_config *config, const php_smtp_kept_session *session)
{
	kept_entry *e = calloc(1, sizeof(*e));
	if (!e || !identity_key(config, e->key)) {
		free(e);
		php_smtp_kept_session copy = *session;
		session_close(&copy, true); /* cannot be kept: ends as a session that is not kept would */
		return;
	}
	e->session = *session;
	e->pid = getpid();
	e->last_used = smtp_monotonic_seconds();
	e->created = session->since > 0 ? session->since : e->last_used;
	snprintf(e->destination, sizeof(e->destination), "%s:" ZEND_LONG_FMT " (%s)", ZSTR_VAL(config->host), config->port,
	         php_smtp_encryption_name(config->encryption));
	if (config->username) {
		snprintf(e->username, sizeof(e->username), "%s", ZSTR_VAL(config->username));
	}
	kept_registry *r = SMTP_G(kept_sessions);
	bool kept = r && r->count < KEPT_MAX;
	if (kept) {
		r->entries[r->count++] = e;
	} else {
		entry_close(e, true);
	}
}

void php_smtp_persistent_forget(const php_smtp_config *config)
{
	unsigned char key[SMTP_KEYED_HASH_LEN];
	kept_registry *r = SMTP_G(kept_sessions);
	if (!r || !identity_key(config, key)) {
		return;
	}
	kept_entry *drop[KEPT_MAX];
	int n = 0;
	for (int i = 0; i < r->count;) {
		if (smtp_keyed_hash_equal(r->entries[i]->key, key)) {
			drop[n++] = r->entries[i];
			r->entries[i] = r->entries[--r->count];
			continue;
		}
		i++;
	}
	close_all(drop, n);
}

void php_smtp_persistent_sweep(void)
{
	kept_registry *r = SMTP_G(kept_sessions);
	if (!r || r->count == 0) {
		return;
	}
	kept_entry *drop[KEPT_MAX];
	int n = collect_stale(r, drop, smtp_monotonic_seconds(), getpid());
	close_all(drop, n);
}

/* Closes every session r holds and frees it. */
static void registry_free(kept_registry *r)
{
	if (!r) {
		return;
	}
	kept_entry *drop[KEPT_MAX];
	int n = r->count;
	for (int i = 0; i < n; i++) {
		drop[i] = r->entries[i];
	}
	r->count = 0;
	close_all(drop, n);
	free(r);
}

void php_smtp_persistent_shutdown(void)
{
	/* this thread's (the only one in NTS); in ZTS the others' end with
	 * their threads, see php_smtp_persistent_gshutdown */
	registry_free(SMTP_G(kept_sessions));
	SMTP_G(kept_sessions) = NULL;
	module_down = true;
}

void php_smtp_persistent_gshutdown(void **kept_sessions)
{
	registry_free(*kept_sessions);
	*kept_sessions = NULL;
}

/* A snapshot of the registry's public facts (no key, no secret). */
typedef struct {
	char destination[300], username[128];
	double age, idle;
	zend_ulong messages;
} kept_info;

static int snapshot(kept_info *out)
{
	double now = smtp_monotonic_seconds();
	pid_t pid = getpid();
	int n = 0;
	kept_registry *r = SMTP_G(kept_sessions);
	for (int i = 0; r && i < r->count; i++) {
		kept_entry *e = r->entries[i];
		if (e->pid != pid) {
			continue;
		}
		memcpy(out[n].destination, e->destination, sizeof(e->destination));
		memcpy(out[n].username, e->username, sizeof(e->username));
		out[n].age = now - e->created;
		out[n].idle = now - e->last_used;
		out[n].messages = e->session.messages;
		n++;
	}
	return n;
}

void php_smtp_persistent_info(void)
{
	kept_info info[KEPT_MAX];
	int n = snapshot(info);
	char count[32];
	snprintf(count, sizeof(count), "%d", n);
	php_info_print_table_row(2, "Kept sessions (this process or thread)", count);
	for (int i = 0; i < n; i++) {
		char line[600];
		snprintf(line, sizeof(line), "%s%s%s, age %.0f s, idle %.0f s, %lu messages", info[i].username,
		         info[i].username[0] ? "@" : "", info[i].destination, info[i].age, info[i].idle,
		         (unsigned long)info[i].messages);
		php_info_print_table_row(2, "Kept session", line);
	}
}

ZEND_FUNCTION(smtp_persistent_sessions)
{
	ZEND_PARSE_PARAMETERS_NONE();
	kept_info info[KEPT_MAX];
	int n = snapshot(info);
	array_init(return_value);
	for (int i = 0; i < n; i++) {
		zval row;
		array_init(&row);
		add_assoc_string(&row, "destination", info[i].destination);
		add_assoc_string(&row, "username", info[i].username);
		add_assoc_double(&row, "age", info[i].age);
		add_assoc_double(&row, "idle", info[i].idle);
		add_assoc_long(&row, "messages", (zend_long)info[i].messages);
		add_next_index_zval(return_value, &row);
	}
}
