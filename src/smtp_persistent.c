#include "php.h"
#include "ext/standard/info.h"
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "php_smtp.h"
#include "smtp_persistent.h"

#define KEPT_MAX 64

typedef struct {
	unsigned char key[32]; /* HMAC-SHA256 of the identity, keyed per process */
	char destination[300]; /* host:port (encryption): what the listing shows */
	char username[128];
	php_smtp_kept_session session;
	pid_t pid;                /* the process that opened it: the only one that may use it */
	double created, last_used;
} kept_entry;

/* malloc'd, shared by the threads of a ZTS build, hence the lock */
static kept_entry *entries[KEPT_MAX];
static int entry_count;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned char hmac_key[32];
static bool hmac_key_ready;
static pthread_once_t hmac_key_once = PTHREAD_ONCE_INIT;

static void hmac_key_init(void)
{
	hmac_key_ready = RAND_bytes(hmac_key, sizeof(hmac_key)) == 1;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void add_field(smart_str *s, const char *value, size_t len)
{
	smart_str_append_unsigned(s, len); /* length-prefixed: no two identities read alike */
	smart_str_appendc(s, ':');
	smart_str_appendl(s, value, len);
}

static void add_zstr(smart_str *s, const zend_string *value)
{
	add_field(s, value ? ZSTR_VAL(value) : "", value ? ZSTR_LEN(value) : 0);
}

/* Who and where, hashed with a random per-process key: the secret itself is
 * never stored, and the hash says nothing outside this process. */
static bool identity_key(const php_smtp_config *c, unsigned char out[32])
{
	pthread_once(&hmac_key_once, hmac_key_init);
	if (!hmac_key_ready) {
		return false;
	}
	/* A token callable's identity cannot be known: its session is never kept,
	 * or another Mailer naming the same mailbox would send as it unchecked. */
	if (Z_TYPE(c->token) != IS_UNDEF && Z_TYPE(c->token) != IS_STRING) {
		return false;
	}
	smart_str s = {0};
	char number[64];
	add_zstr(&s, c->host);
	snprintf(number, sizeof(number), ZEND_LONG_FMT "/%d/%d/%d/%d", c->port, (int)c->encryption, (int)c->verify_peer,
	         (int)c->auth, (int)c->allow_insecure_auth);
	add_field(&s, number, strlen(number));
	add_zstr(&s, c->cafile);
	add_zstr(&s, c->username);
	add_zstr(&s, c->password);
	/* an OAuth session is the token's or the OAuth client's, as a password's is the password's */
	add_zstr(&s, Z_TYPE(c->token) == IS_STRING ? Z_STR(c->token) : NULL);
	add_zstr(&s, c->oauth ? c->oauth->token_url : NULL);
	add_zstr(&s, c->oauth ? c->oauth->client_id : NULL);
	add_zstr(&s, c->oauth ? c->oauth->client_secret : NULL);
	add_zstr(&s, c->oauth ? c->oauth->refresh_token : NULL);
	add_zstr(&s, c->oauth ? c->oauth->scope : NULL);
	add_zstr(&s, c->helo);
	smart_str_0(&s);
	unsigned int len = 0;
	bool ok = HMAC(EVP_sha256(), hmac_key, sizeof(hmac_key), (const unsigned char *)ZSTR_VAL(s.s), ZSTR_LEN(s.s), out,
	               &len) != NULL &&
	          len == 32;
	ZEND_SECURE_ZERO(ZSTR_VAL(s.s), ZSTR_LEN(s.s)); /* it held the password and the OAuth secrets */
	smart_str_free(&s);
	return ok;
}

/* libcurl copies a handle's socket callbacks and their data into the
 * connection when it opens it, so a connection that may outlive its request
 * must be opened with data that outlives every request: this registry. */
static php_smtp_sockets process_sockets;

php_smtp_sockets *php_smtp_persistent_sockets(void)
{
	return &process_sockets;
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
 * handles), kept reachable: left on purpose, not lost. */
static void **abandoned;
static size_t abandoned_count, abandoned_cap;

void php_smtp_persistent_abandon(void *handle)
{
	if (!handle) {
		return;
	}
	if (abandoned_count == abandoned_cap) {
		size_t cap = abandoned_cap ? abandoned_cap * 2 : 16;
		void **grown = realloc(abandoned, cap * sizeof(void *));
		if (!grown) {
			return;
		}
		abandoned = grown;
		abandoned_cap = cap;
	}
	abandoned[abandoned_count++] = handle;
}

/* Outside the lock: the entry is no longer in the registry. */
static void entry_close(kept_entry *e, bool say_quit)
{
	if (e->pid != getpid()) {
		/* a forked child: the connection and its TLS state are the parent's.
		 * Not a byte is sent and libcurl's handles are not touched (their
		 * cleanup would write a TLS close_notify): the child's copy of the
		 * socket is closed, the rest of its copy left as it is. */
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

/* Under the lock: takes out every entry that must go (another process's, or
 * idle too long), into drop. */
static int collect_stale(kept_entry **drop, double now, pid_t pid)
{
	int n = 0;
	for (int i = 0; i < entry_count;) {
		kept_entry *e = entries[i];
		if (e->pid != pid || now - e->last_used > idle_limit()) {
			drop[n++] = e;
			entries[i] = entries[--entry_count];
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
	unsigned char key[32];
	if (!identity_key(config, key)) {
		return false;
	}
	kept_entry *drop[KEPT_MAX], *found = NULL;
	pthread_mutex_lock(&lock);
	int n = collect_stale(drop, now_seconds(), getpid());
	for (int i = 0; i < entry_count; i++) {
		if (memcmp(entries[i]->key, key, sizeof(key)) == 0) {
			found = entries[i];
			entries[i] = entries[--entry_count];
			break;
		}
	}
	pthread_mutex_unlock(&lock);
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
	unsigned char key[32];
	if (!identity_key(config, key)) {
		return false;
	}
	zend_long max = SMTP_G(persistent_max) > 0 ? SMTP_G(persistent_max) : 1;
	pid_t pid = getpid();
	int same = 0;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < entry_count; i++) {
		same += entries[i]->pid == pid && memcmp(entries[i]->key, key, sizeof(key)) == 0;
	}
	bool room = entry_count < KEPT_MAX && same < max;
	pthread_mutex_unlock(&lock);
	return room;
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
	e->last_used = now_seconds();
	e->created = session->since > 0 ? session->since : e->last_used;
	snprintf(e->destination, sizeof(e->destination), "%s:" ZEND_LONG_FMT " (%s)", ZSTR_VAL(config->host), config->port,
	         php_smtp_encryption_name(config->encryption));
	if (config->username) {
		snprintf(e->username, sizeof(e->username), "%s", ZSTR_VAL(config->username));
	}
	pthread_mutex_lock(&lock);
	bool kept = entry_count < KEPT_MAX;
	if (kept) {
		entries[entry_count++] = e;
	}
	pthread_mutex_unlock(&lock);
	if (!kept) {
		entry_close(e, true);
	}
}

void php_smtp_persistent_forget(const php_smtp_config *config)
{
	unsigned char key[32];
	if (!identity_key(config, key)) {
		return;
	}
	kept_entry *drop[KEPT_MAX];
	int n = 0;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < entry_count;) {
		if (memcmp(entries[i]->key, key, sizeof(key)) == 0) {
			drop[n++] = entries[i];
			entries[i] = entries[--entry_count];
			continue;
		}
		i++;
	}
	pthread_mutex_unlock(&lock);
	close_all(drop, n);
}

void php_smtp_persistent_sweep(void)
{
	if (entry_count == 0) {
		return; /* read without the lock: a stale answer only delays the sweep */
	}
	kept_entry *drop[KEPT_MAX];
	pthread_mutex_lock(&lock);
	int n = collect_stale(drop, now_seconds(), getpid());
	pthread_mutex_unlock(&lock);
	close_all(drop, n);
}

void php_smtp_persistent_shutdown(void)
{
	pthread_mutex_lock(&lock);
	int n = entry_count;
	kept_entry *drop[KEPT_MAX];
	for (int i = 0; i < n; i++) {
		drop[i] = entries[i];
	}
	entry_count = 0;
	pthread_mutex_unlock(&lock);
	close_all(drop, n);
}

/* A snapshot of the registry's public facts (no key, no secret). */
typedef struct {
	char destination[300], username[128];
	double age, idle;
	zend_ulong messages;
} kept_info;

static int snapshot(kept_info *out)
{
	double now = now_seconds();
	pid_t pid = getpid();
	int n = 0;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < entry_count; i++) {
		kept_entry *e = entries[i];
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
	pthread_mutex_unlock(&lock);
	return n;
}

void php_smtp_persistent_info(void)
{
	kept_info info[KEPT_MAX];
	int n = snapshot(info);
	char count[32];
	snprintf(count, sizeof(count), "%d", n);
	php_info_print_table_row(2, "Kept sessions (this process)", count);
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
