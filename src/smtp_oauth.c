#include "php.h"
#include "zend_smart_str.h"
#include "ext/standard/url.h"
#include "ext/json/php_json.h"
#include <curl/curl.h>
#include <pthread.h>
#include <time.h>
#include <math.h>

#include "php_smtp.h"
#include "smtp_config.h"
#include "smtp_oauth.h"
#include "smtp_curl.h"
#include "lib/keyed_hash.h"
#include "lib/clock.h"

/* A token endpoint's answer is small; anything bigger is not one. */
#define RESPONSE_MAX (64 * 1024)
/* Cached tokens kept at most (distinct clients/accounts in one process). */
#define CACHE_MAX 64
/* A token without expires_in is kept this long (seconds). */
#define DEFAULT_LIFETIME 300
#define KEY_LENGTH SMTP_KEYED_HASH_LEN

void php_smtp_release_secret(zend_string **s)
{
	if (*s) {
		if (!ZSTR_IS_INTERNED(*s) && GC_REFCOUNT(*s) == 1) {
			ZEND_SECURE_ZERO(ZSTR_VAL(*s), ZSTR_LEN(*s));
		}
		zend_string_release(*s);
		*s = NULL;
	}
}

static void free_cstr_secret(char **s)
{
	if (*s) {
		ZEND_SECURE_ZERO(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

/* ---- the grant's configuration ---- */

void php_smtp_oauth_grant_free(php_smtp_oauth_grant *g)
{
	if (!g) {
		return;
	}
	if (g->token_url) {
		zend_string_release(g->token_url);
	}
	if (g->client_id) {
		zend_string_release(g->client_id);
	}
	if (g->scope) {
		zend_string_release(g->scope);
	}
	php_smtp_release_secret(&g->client_secret);
	php_smtp_release_secret(&g->refresh_token);
	zval_ptr_dtor(&g->on_refresh_token);
	efree(g);
}

static bool is_loopback_host(const char *host)
{
	return !strcasecmp(host, "localhost") || !strcmp(host, "127.0.0.1") || !strcmp(host, "::1") ||
	       !strcmp(host, "[::1]");
}

/* https://, or http:// to this machine only: the client secret and the
 * refresh token travel in the request body, and plain HTTP over a network
 * would hand them to anyone on the path. */
static bool check_token_url(zend_string *url, const char *what)
{
	php_url *u = php_url_parse_ex(ZSTR_VAL(url), ZSTR_LEN(url));
	bool ok = false;
	if (u && u->scheme && u->host) {
		ok = zend_string_equals_literal_ci(u->scheme, "https") ||
		     (zend_string_equals_literal_ci(u->scheme, "http") && is_loopback_host(ZSTR_VAL(u->host)));
	}
	if (u) {
		php_url_free(u);
	}
	if (!ok) {
		php_smtp_throw_invalid("%s must be an https:// URL (http:// only to localhost, 127.0.0.1 or [::1])", what);
	}
	return ok;
}

static bool has_control_chars(zend_string *s)
{
	for (size_t i = 0; i < ZSTR_LEN(s); i++) {
		unsigned char c = (unsigned char)ZSTR_VAL(s)[i];
		if (c < 0x20 || c == 0x7f) {
			return true;
		}
	}
	return false;
}

static bool grant_string(zval *v, const char *key, zend_string **out)
{
	ZVAL_DEREF(v);
	if (Z_TYPE_P(v) != IS_STRING || Z_STRLEN_P(v) == 0 || has_control_chars(Z_STR_P(v))) {
		php_smtp_throw_invalid("Config key \"oauth\": \"%s\" must be a non-empty string without control characters",
		                       key);
		return false;
	}
	*out = zend_string_copy(Z_STR_P(v));
	return true;
}

static bool grant_check(php_smtp_oauth_grant *g, const char *where)
{
	if (!g->token_url || !g->client_id) {
		php_smtp_throw_invalid("%s needs token_url and client_id (and refresh_token for the refresh token grant, "
		                       "or client_secret for client credentials)", where);
		return false;
	}
	if (!g->refresh_token && !g->client_secret) {
		php_smtp_throw_invalid("%s: the client credentials grant (no refresh_token) needs client_secret", where);
		return false;
	}
	return true;
}

php_smtp_oauth_grant *php_smtp_oauth_grant_from_array(zval *array)
{
	php_smtp_oauth_grant *g = ecalloc(1, sizeof(*g));
	ZVAL_UNDEF(&g->on_refresh_token);
	zend_string *key;
	zval *v;
	ZEND_HASH_FOREACH_STR_KEY_VAL(Z_ARRVAL_P(array), key, v) {
		bool ok;
		if (!key) {
			php_smtp_throw_invalid("Config key \"oauth\" must be an array with string keys");
			ok = false;
		} else if (zend_string_equals_literal(key, "token_url")) {
			ok = !g->token_url && grant_string(v, "token_url", &g->token_url) &&
			     check_token_url(g->token_url, "Config key \"oauth\": token_url");
		} else if (zend_string_equals_literal(key, "client_id")) {
			ok = !g->client_id && grant_string(v, "client_id", &g->client_id);
		} else if (zend_string_equals_literal(key, "client_secret")) {
			ok = !g->client_secret && grant_string(v, "client_secret", &g->client_secret);
		} else if (zend_string_equals_literal(key, "refresh_token")) {
			ok = !g->refresh_token && grant_string(v, "refresh_token", &g->refresh_token);
		} else if (zend_string_equals_literal(key, "scope")) {
			ok = !g->scope && grant_string(v, "scope", &g->scope);
		} else if (zend_string_equals_literal(key, "on_refresh_token")) {
			ZVAL_DEREF(v);
			ok = zend_is_callable(v, 0, NULL) && Z_TYPE_P(v) != IS_STRING;
			if (ok) {
				ZVAL_COPY(&g->on_refresh_token, v);
			} else {
				php_smtp_throw_invalid("Config key \"oauth\": \"on_refresh_token\" must be a Closure or another "
				                       "callable object or array");
			}
		} else {
			php_smtp_throw_invalid("Config key \"oauth\": unknown key \"%s\" (token_url, client_id, client_secret, "
			                       "refresh_token, scope, on_refresh_token)", ZSTR_VAL(key));
			ok = false;
		}
		if (!ok) {
			php_smtp_oauth_grant_free(g);
			return NULL;
		}
	}
	ZEND_HASH_FOREACH_END();
	if (!grant_check(g, "Config key \"oauth\"")) {
		php_smtp_oauth_grant_free(g);
		return NULL;
	}
	return g;
}

static zend_string *ini_value(const char *value)
{
	return value && *value ? zend_string_init(value, strlen(value), 0) : NULL;
}

php_smtp_oauth_grant *php_smtp_oauth_grant_from_ini(void)
{
	if (!SMTP_G(oauth_token_url) || !*SMTP_G(oauth_token_url)) {
		return NULL;
	}
	php_smtp_oauth_grant *g = ecalloc(1, sizeof(*g));
	ZVAL_UNDEF(&g->on_refresh_token);
	g->token_url = ini_value(SMTP_G(oauth_token_url));
	g->client_id = ini_value(SMTP_G(oauth_client_id));
	g->client_secret = ini_value(SMTP_G(oauth_client_secret));
	g->refresh_token = ini_value(SMTP_G(oauth_refresh_token));
	g->scope = ini_value(SMTP_G(oauth_scope));
	if (!check_token_url(g->token_url, "smtp.oauth_token_url") || !grant_check(g, "smtp.oauth_token_url")) {
		php_smtp_oauth_grant_free(g);
		return NULL;
	}
	return g;
}

bool php_smtp_oauth_in_use(const php_smtp_config *c)
{
	return c->username && (c->auth == PHP_SMTP_AUTH_XOAUTH2 || c->auth == PHP_SMTP_AUTH_OAUTHBEARER);
}

bool php_smtp_oauth_can_refresh(const php_smtp_config *c)
{
	return c->oauth || (Z_TYPE(c->token) != IS_UNDEF && Z_TYPE(c->token) != IS_STRING);
}

/* ---- the cache ----
 *
 * Keyed by a keyed hash (src/lib/keyed_hash.c) of everything that identifies
 * the token (endpoint, client, secret, refresh token, scope), so that no
 * secret sits in a key and
 * two configurations share a token only when a token endpoint would give
 * them the same one. An entry also keeps the refresh token the provider
 * rotated to, which later refreshes use instead of the configured one; the
 * rotated token's own key points at an entry too, so a caller that stored
 * it (on_refresh_token) finds the cached access token under it. */

typedef struct cache_entry {
	unsigned char key[KEY_LENGTH];
	char *access_token;
	char *refresh_token; /* rotated, or NULL */
	double expires_at;   /* monotonic seconds: refresh from then on */
	struct cache_entry *next;
} cache_entry;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static cache_entry *cache_head;
static int cache_count;

static void add_zstr(smtp_keyed_hash *h, const zend_string *value)
{
	smtp_keyed_hash_add(h, value ? ZSTR_VAL(value) : NULL, value ? ZSTR_LEN(value) : 0);
}

/* false when no key can be made: the token is then neither looked up nor kept */
static bool cache_key(const php_smtp_oauth_grant *g, const char *refresh_token, unsigned char key[KEY_LENGTH])
{
	smtp_keyed_hash h;
	smtp_keyed_hash_begin(&h);
	add_zstr(&h, g->token_url);
	add_zstr(&h, g->client_id);
	add_zstr(&h, g->client_secret);
	smtp_keyed_hash_add(&h, refresh_token, refresh_token ? strlen(refresh_token) : 0);
	add_zstr(&h, g->scope);
	return smtp_keyed_hash_end(&h, key);
}

static cache_entry *cache_find(const unsigned char key[KEY_LENGTH])
{
	for (cache_entry *e = cache_head; e; e = e->next) {
		if (smtp_keyed_hash_equal(e->key, key)) {
			return e;
		}
	}
	return NULL;
}

static void cache_entry_free(cache_entry *e)
{
	free_cstr_secret(&e->access_token);
	free_cstr_secret(&e->refresh_token);
	ZEND_SECURE_ZERO(e, sizeof(*e));
	free(e);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Stores a token under key (replacing what was there). Locked by the caller. */
static void cache_store(const unsigned char key[KEY_LENGTH], const char *access_token,
                        const char *refresh_token, double expires_at)
{
	cache_entry *e = cache_find(key);
	if (!e) {
		if (cache_count >= CACHE_MAX) {
			/* the oldest went in at the tail */
			cache_entry **p = &cache_head;
			while ((*p)->next) {
				p = &(*p)->next;
			}
			cache_entry_free(*p);
			*p = NULL;
			cache_count--;
		}
		e = calloc(1, sizeof(*e));
		if (!e) {
			return;
		}
		memcpy(e->key, key, KEY_LENGTH);
		e->next = cache_head;
		cache_head = e;
		cache_count++;
	}
	char *access = dup_or_null(access_token);
	char *refresh = dup_or_null(refresh_token);
	if (!access || (refresh_token && !refresh)) {
		free_cstr_secret(&access);
		free_cstr_secret(&refresh);
		e->expires_at = 0;
		return;
	}
	free_cstr_secret(&e->access_token);
	e->access_token = access;
	if (refresh) {
		free_cstr_secret(&e->refresh_token);
		e->refresh_token = refresh;
	}
	e->expires_at = expires_at;
}

void php_smtp_oauth_mshutdown(void)
{
	pthread_mutex_lock(&cache_lock);
	while (cache_head) {
		cache_entry *next = cache_head->next;
		cache_entry_free(cache_head);
		cache_head = next;
	}
	cache_count = 0;
	pthread_mutex_unlock(&cache_lock);
}

/* ---- the token request ---- */

typedef struct {
	smart_str body;
	bool too_big;
} response_buffer;

static size_t collect(char *data, size_t size, size_t nitems, void *userp)
{
	response_buffer *r = userp;
	size_t n = size * nitems;
	size_t have = r->body.s ? ZSTR_LEN(r->body.s) : 0;
	if (have + n > RESPONSE_MAX) {
		r->too_big = true;
		return 0;
	}
	/* a persistent smart_str: this runs inside libcurl, and the buffer
	 * outlives nothing but this request */
	smart_str_appendl_ex(&r->body, data, n, 1);
	return n;
}

static void form_field(smart_str *form, CURL *easy, const char *name, zend_string *value)
{
	if (!value) {
		return;
	}
	char *escaped = curl_easy_escape(easy, ZSTR_VAL(value), (int)ZSTR_LEN(value));
	if (!escaped) {
		return;
	}
	if (form->s && ZSTR_LEN(form->s)) {
		smart_str_appendc_ex(form, '&', 1);
	}
	smart_str_appends_ex(form, name, 1);
	smart_str_appendc_ex(form, '=', 1);
	smart_str_appends_ex(form, escaped, 1);
	ZEND_SECURE_ZERO(escaped, strlen(escaped));
	curl_free(escaped);
}

static void wipe_smart_str(smart_str *s)
{
	if (s->s) {
		ZEND_SECURE_ZERO(ZSTR_VAL(s->s), ZSTR_LEN(s->s));
		smart_str_free_ex(s, 1);
	}
}

static void fail(php_smtp_failure *failure, php_smtp_failure_kind kind, zend_string *message)
{
	php_smtp_failure_dtor(failure);
	failure->kind = kind;
	failure->smtp_code = 0;
	failure->enhanced[0] = '\0';
	failure->message = message;
}

/* A string member of a decoded JSON object, or NULL. */
static zend_string *json_string(zval *object, const char *name)
{
	zval *v = zend_hash_str_find(Z_ARRVAL_P(object), name, strlen(name));
	return v && Z_TYPE_P(v) == IS_STRING ? Z_STR_P(v) : NULL;
}

/* Where ext/json keeps json_last_error()'s state: PHP 8.6 replaced the error code by
 * error_details (the code with its line and column; found by the experimental chroot) */
#if PHP_VERSION_ID >= 80600
#define JSON_ERROR_STATE error_details
typedef php_json_error_details json_error_state;
#else
#define JSON_ERROR_STATE error_code
typedef php_json_error_code json_error_state;
#endif

/* The grant's answer, as RFC 6749 5.1 and 5.2 describe it. Returns the access
 * token and sets *lifetime and *rotated (a new refresh token, or NULL: the
 * caller frees it), or NULL with failure filled. */
static zend_string *read_token_response(const php_smtp_oauth_grant *g, long status, response_buffer *r,
                                        double *lifetime, char **rotated, php_smtp_failure *failure)
{
	const char *url = ZSTR_VAL(g->token_url);
	zval json;
	memset(&json, 0, sizeof(json)); /* all of it: the analyzer cannot see through the decoder */
	ZVAL_UNDEF(&json);
	/* json_last_error() is the script's: leave it as it was */
	json_error_state saved = JSON_G(JSON_ERROR_STATE);
	if (r->body.s) {
		smart_str_0(&r->body); /* the JSON scanner reads up to a NUL */
		php_json_decode_ex(&json, ZSTR_VAL(r->body.s), ZSTR_LEN(r->body.s), PHP_JSON_OBJECT_AS_ARRAY, 8);
	}
	JSON_G(JSON_ERROR_STATE) = saved;
	bool object = Z_TYPE(json) == IS_ARRAY;

	if (status >= 500 || status == 429 || (status >= 300 && !object)) {
		/* the provider is down or busy, or something in front of it answered: try later */
		fail(failure, PHP_SMTP_FAILURE_TOKEN_TEMPORARY,
		     strpprintf(0, "The token endpoint %s answered HTTP %ld; the message can be sent once it works again", url,
		                status));
		zval_ptr_dtor(&json);
		return NULL;
	}
	zend_string *error = object ? json_string(&json, "error") : NULL;
	if (status != 200 || error) {
		zend_string *description = object ? json_string(&json, "error_description") : NULL;
		const char *code = error ? ZSTR_VAL(error) : "no error code";
		const char *hint = "";
		if (error && zend_string_equals_literal(error, "invalid_grant")) {
			hint = g->refresh_token ? ": the refresh token was revoked or has expired (consent withdrawn, password "
			                          "changed, or unused too long): reconnect the account to get a new one"
			                        : ": the provider refused the client credentials grant";
		} else if (error && zend_string_equals_literal(error, "invalid_client")) {
			hint = ": the client id or client secret is wrong, or the secret has expired: create a new secret in "
			       "the app registration";
		} else if (error && zend_string_equals_literal(error, "invalid_scope")) {
			hint = ": the app registration does not allow this scope";
		} else if (error && zend_string_equals_literal(error, "unauthorized_client")) {
			hint = ": the app registration does not allow this grant type";
		}
		fail(failure, PHP_SMTP_FAILURE_AUTH,
		     strpprintf(0, "The token endpoint %s refused to issue an access token (HTTP %ld, %s%s%s)%s", url, status,
		                code, description ? ": " : "", description ? ZSTR_VAL(description) : "", hint));
		zval_ptr_dtor(&json);
		return NULL;
	}
	zend_string *access = object ? json_string(&json, "access_token") : NULL;
	if (!object || !access || ZSTR_LEN(access) == 0 || has_control_chars(access)) {
		fail(failure, PHP_SMTP_FAILURE_AUTH,
		     strpprintf(0, "The token endpoint %s answered without an access token (is token_url the token "
		                   "endpoint?)", url));
		zval_ptr_dtor(&json);
		return NULL;
	}
	*lifetime = DEFAULT_LIFETIME;
	zval *expires = zend_hash_str_find(Z_ARRVAL(json), "expires_in", sizeof("expires_in") - 1);
	if (expires && Z_TYPE_P(expires) == IS_LONG && Z_LVAL_P(expires) > 0) {
		*lifetime = (double)Z_LVAL_P(expires);
	} else if (expires && Z_TYPE_P(expires) == IS_STRING) {
		/* some providers send it as a string */
		zend_long n = ZEND_STRTOL(Z_STRVAL_P(expires), NULL, 10);
		if (n > 0) {
			*lifetime = (double)n;
		}
	}
	zend_string *refresh = json_string(&json, "refresh_token");
	*rotated = NULL;
	if (refresh && ZSTR_LEN(refresh) && !has_control_chars(refresh) &&
	    !(g->refresh_token && zend_string_equals(refresh, g->refresh_token))) {
		*rotated = strdup(ZSTR_VAL(refresh));
	}
	zend_string *token = zend_string_copy(access);
	/* the decoded copy holds the tokens: wiped before it goes */
	zend_string *key;
	zval *v;
	ZEND_HASH_FOREACH_STR_KEY_VAL(Z_ARRVAL(json), key, v) {
		if (key && Z_TYPE_P(v) == IS_STRING && Z_REFCOUNTED_P(v) && Z_REFCOUNT_P(v) == 1 &&
		    (zend_string_equals_literal(key, "refresh_token") || zend_string_equals_literal(key, "id_token"))) {
			ZEND_SECURE_ZERO(Z_STRVAL_P(v), Z_STRLEN_P(v));
		}
	}
	ZEND_HASH_FOREACH_END();
	zval_ptr_dtor(&json);
	return token;
}

/* Runs the grant: POST to the token endpoint (RFC 6749 6 and 4.4). */
static zend_string *request_token(const php_smtp_config *c, const php_smtp_oauth_grant *g, const char *refresh_token,
                                  double *lifetime, char **rotated, php_smtp_failure *failure)
{
	if (!php_smtp_curl_ready()) {
		fail(failure, PHP_SMTP_FAILURE_LOCAL, zend_string_init(php_smtp_curl_error(), strlen(php_smtp_curl_error()), 0));
		return NULL;
	}
	CURL *easy = curl_easy_init();
	if (!easy) {
		fail(failure, PHP_SMTP_FAILURE_LOCAL, zend_string_init("libcurl could not make a handle", 30, 0));
		return NULL;
	}
	smart_str form = {0};
	zend_string *refresh = refresh_token ? zend_string_init(refresh_token, strlen(refresh_token), 0) : NULL;
	zend_string *grant_type = refresh ? zend_string_init("refresh_token", sizeof("refresh_token") - 1, 0)
	                                  : zend_string_init("client_credentials", sizeof("client_credentials") - 1, 0);
	form_field(&form, easy, "grant_type", grant_type);
	form_field(&form, easy, "client_id", g->client_id);
	form_field(&form, easy, "client_secret", g->client_secret);
	form_field(&form, easy, "refresh_token", refresh);
	form_field(&form, easy, "scope", g->scope);
	zend_string_release(grant_type);
	php_smtp_release_secret(&refresh);
	smart_str_0(&form);

	response_buffer response = {{0}, false};
	char error[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
	curl_easy_setopt(easy, CURLOPT_URL, ZSTR_VAL(g->token_url));
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROXY, "");
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, form.s ? ZSTR_VAL(form.s) : "");
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)(form.s ? ZSTR_LEN(form.s) : 0));
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "php-smtp/" PHP_SMTP_VERSION);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &response);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(easy, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (c->cafile) {
		curl_easy_setopt(easy, CURLOPT_CAINFO, ZSTR_VAL(c->cafile));
	}
	long timeout_ms = (long)ceil(c->timeout * 1000);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms * 2);

	CURLcode rc = curl_easy_perform(easy);
	long status = 0;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(easy);
	curl_slist_free_all(headers);
	wipe_smart_str(&form);

	zend_string *token = NULL;
	if (rc != CURLE_OK) {
		/* unreachable, timed out, TLS trouble: the message waits (spool) rather than fail for good,
		 * except when the certificate is wrong, which will not fix itself */
		bool tls = rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
		           rc == CURLE_SSL_CONNECT_ERROR;
		fail(failure, tls ? PHP_SMTP_FAILURE_TLS : PHP_SMTP_FAILURE_TOKEN_TEMPORARY,
		     strpprintf(0, "The token endpoint %s could not be reached: %s", ZSTR_VAL(g->token_url),
		                response.too_big ? "its answer is larger than 64 KB" : (*error ? error : curl_easy_strerror(rc))));
	} else {
		token = read_token_response(g, status, &response, lifetime, rotated, failure);
	}
	wipe_smart_str(&response.body);
	return token;
}

/* Hands a rotated refresh token to on_refresh_token. False when it threw. */
static bool hand_back(const php_smtp_oauth_grant *g, const char *rotated)
{
	if (Z_TYPE(g->on_refresh_token) == IS_UNDEF) {
		return true;
	}
	zval arg, retval, callable;
	/* held: the callable may drop the Mailer's config while it runs */
	ZVAL_COPY(&callable, &g->on_refresh_token);
	ZVAL_STRING(&arg, rotated);
	ZVAL_UNDEF(&retval);
	call_user_function(NULL, NULL, &callable, &retval, 1, &arg);
	if (Z_REFCOUNT(arg) == 1) {
		ZEND_SECURE_ZERO(Z_STRVAL(arg), Z_STRLEN(arg));
	}
	zval_ptr_dtor(&arg);
	zval_ptr_dtor(&retval);
	zval_ptr_dtor(&callable);
	return !EG(exception);
}

/* What a grant under the cache lock gives back (through a pointer, so that
 * nothing in granted_token's frame changes between its zend_try and a bailout). */
typedef struct {
	zend_string *token;
	char *rotated;
} grant_result;

/* The cached token, or a new one from the token endpoint. Under cache_lock. */
static void locked_grant(const php_smtp_config *c, const php_smtp_oauth_grant *g, bool refresh,
                         const unsigned char *key, grant_result *r, php_smtp_failure *failure)
{
	/* key is NULL when no cache key could be made: nothing looked up, nothing kept */
	cache_entry *e = key ? cache_find(key) : NULL;
	double now = smtp_monotonic_seconds();
	if (e && !refresh && e->access_token && e->expires_at > now) {
		r->token = zend_string_init(e->access_token, strlen(e->access_token), 0);
		return;
	}
	char *refresh_token = NULL;
	if (g->refresh_token) {
		refresh_token = strdup(e && e->refresh_token ? e->refresh_token : ZSTR_VAL(g->refresh_token));
	}
	double lifetime = 0;
	if (g->refresh_token && !refresh_token) {
		fail(failure, PHP_SMTP_FAILURE_LOCAL, zend_string_init("Out of memory", sizeof("Out of memory") - 1, 0));
	} else {
		r->token = request_token(c, g, refresh_token, &lifetime, &r->rotated, failure);
	}
	free_cstr_secret(&refresh_token);
	if (r->token) {
		/* refreshed a little before it expires: a token that is about to
		 * expire could lapse between AUTH and the end of a long session */
		double margin = lifetime / 10 < 60 ? lifetime / 10 : 60;
		double expires_at = smtp_monotonic_seconds() + lifetime - margin;
		if (key) {
			cache_store(key, ZSTR_VAL(r->token), r->rotated, expires_at);
		}
		unsigned char rotated_key[KEY_LENGTH];
		if (r->rotated && cache_key(g, r->rotated, rotated_key)) {
			cache_store(rotated_key, ZSTR_VAL(r->token), r->rotated, expires_at);
		}
	}
}

static zend_string *granted_token(const php_smtp_config *c, const php_smtp_oauth_grant *g, bool refresh,
                                  php_smtp_failure *failure)
{
	unsigned char key[KEY_LENGTH];
	bool keyed = cache_key(g, g->refresh_token ? ZSTR_VAL(g->refresh_token) : NULL, key);

	/* One request at a time per process: with a rotating provider, two
	 * threads refreshing with the same refresh token would see the second
	 * refused (or the whole grant revoked as a replay). No PHP code runs
	 * under the lock, but the engine can still bail out of it (memory_limit
	 * reached while the answer is decoded or the token copied): the lock is
	 * given back before the bailout goes on, or every later token request of
	 * this worker process, and under ZTS of all its threads, would wait
	 * forever. */
	grant_result r = {NULL, NULL};
	bool bailed = false;
	pthread_mutex_lock(&cache_lock);
	zend_try {
		locked_grant(c, g, refresh, keyed ? key : NULL, &r, failure);
	} zend_catch {
		bailed = true;
	} zend_end_try();
	pthread_mutex_unlock(&cache_lock);
	if (bailed) {
		zend_bailout();
	}

	zend_string *token = r.token;
	if (token && r.rotated && !hand_back(g, r.rotated)) {
		php_smtp_release_secret(&token);
		fail(failure, PHP_SMTP_FAILURE_LOCAL,
		     zend_string_init("The on_refresh_token callable threw", sizeof("The on_refresh_token callable threw") - 1, 0));
	}
	free_cstr_secret(&r.rotated);
	return token;
}

/* Asks the token callable; it may do anything, re-entering the extension included. */
static zend_string *called_token(const php_smtp_config *c, bool refresh, php_smtp_failure *failure)
{
	zval callable, arg, retval;
	ZVAL_COPY(&callable, &c->token); /* held while it runs */
	ZVAL_BOOL(&arg, refresh);
	ZVAL_UNDEF(&retval);
	zend_result r = call_user_function(NULL, NULL, &callable, &retval, 1, &arg);
	zval_ptr_dtor(&callable);
	if (r == FAILURE || EG(exception)) {
		zval_ptr_dtor(&retval);
		fail(failure, PHP_SMTP_FAILURE_LOCAL,
		     zend_string_init("The token callable threw", sizeof("The token callable threw") - 1, 0));
		return NULL;
	}
	if (Z_TYPE(retval) != IS_STRING || Z_STRLEN(retval) == 0 || has_control_chars(Z_STR(retval))) {
		fail(failure, PHP_SMTP_FAILURE_LOCAL,
		     strpprintf(0, "The token callable must return a non-empty access token string without control "
		                   "characters, %s returned", zend_zval_type_name(&retval)));
		zval_ptr_dtor(&retval);
		return NULL;
	}
	return Z_STR(retval); /* its reference is ours */
}

zend_string *php_smtp_oauth_token(const php_smtp_config *c, bool refresh, php_smtp_failure *failure)
{
	if (c->oauth) {
		return granted_token(c, c->oauth, refresh, failure);
	}
	if (Z_TYPE(c->token) == IS_STRING) {
		return zend_string_copy(Z_STR(c->token));
	}
	if (Z_TYPE(c->token) != IS_UNDEF) {
		return called_token(c, refresh, failure);
	}
	if (c->password) {
		return zend_string_copy(c->password);
	}
	fail(failure, PHP_SMTP_FAILURE_LOCAL,
	     zend_string_init("No OAuth token: give \"token\" or \"oauth\"", sizeof("No OAuth token: give \"token\" or \"oauth\"") - 1, 0));
	return NULL;
}
