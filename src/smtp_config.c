/*
 * Mailer configuration: DSN and array parsing, INI fallback, validation.
 *
 * Credentials never follow a connection they were not meant for: the INI
 * secrets (smtp.username, smtp.password) go only to the administrator's
 * relay, the one whose host, port, encryption, verify_peer, cafile,
 * allow_insecure_auth and auth are all php.ini's (see admin_relay_difference),
 * so a tenant's script cannot make the extension hand it the relay password
 * an administrator set for the pool.
 */
#include "php.h"
#include "zend_smart_str.h"
#include "ext/standard/url.h"
#include <unistd.h>

#include "php_smtp.h"
#include "smtp_config.h"
#include "smtp_errors.h"
#include "smtp_spool.h"
#include "lib/address.h"
#include "lib/spool_file.h"

const char *php_smtp_encryption_name(php_smtp_encryption encryption)
{
	switch (encryption) {
	case PHP_SMTP_ENCRYPTION_TLS:
		return "tls";
	case PHP_SMTP_ENCRYPTION_NONE:
		return "none";
	case PHP_SMTP_ENCRYPTION_STARTTLS:
	default:
		return "starttls";
	}
}

static const char *const known_keys[] = {"host",     "port",    "encryption", "username", "password",
                                         "auth",     "allow_insecure_auth",   "verify_peer", "cafile",
                                         "timeout",  "helo",    "from",       "from_name", "keepalive",
                                         "dkim",     "spool",   "fallback",   "deferred", "debug",
                                         "token",    "oauth",   "persistent", NULL};

static bool is_known_key(zend_string *key)
{
	for (const char *const *k = known_keys; *k; k++) {
		if (zend_string_equals_cstr(key, *k, strlen(*k))) {
			return true;
		}
	}
	return false;
}

static bool has_control_chars(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f) {
			return true;
		}
	}
	return false;
}

/* ---- value coercion: arrays give typed values, DSN queries give strings ---- */

static zend_result value_string(zval *v, const char *key, zend_string **out)
{
	if (Z_TYPE_P(v) == IS_LONG) {
		*out = zend_long_to_str(Z_LVAL_P(v));
		return SUCCESS;
	}
	if (Z_TYPE_P(v) != IS_STRING) {
		php_smtp_throw_invalid("Config key \"%s\" must be a string, %s given", key, zend_zval_type_name(v));
		return FAILURE;
	}
	if (has_control_chars(Z_STRVAL_P(v), Z_STRLEN_P(v))) {
		php_smtp_throw_invalid("Config key \"%s\" must not contain control characters (CR, LF, NUL, ...)", key);
		return FAILURE;
	}
	*out = zend_string_copy(Z_STR_P(v));
	return SUCCESS;
}

/* value_string() into *slot, releasing what was there. */
static zend_result value_string_into(zval *v, const char *key, zend_string **slot)
{
	zend_string *s;
	if (value_string(v, key, &s) == FAILURE) {
		return FAILURE;
	}
	if (*slot) {
		zend_string_release(*slot);
	}
	*slot = s;
	return SUCCESS;
}

static zend_result value_bool(zval *v, const char *key, bool *out)
{
	if (Z_TYPE_P(v) == IS_TRUE || Z_TYPE_P(v) == IS_FALSE) {
		*out = Z_TYPE_P(v) == IS_TRUE;
		return SUCCESS;
	}
	if (Z_TYPE_P(v) == IS_LONG && (Z_LVAL_P(v) == 0 || Z_LVAL_P(v) == 1)) {
		*out = Z_LVAL_P(v) == 1;
		return SUCCESS;
	}
	if (Z_TYPE_P(v) == IS_STRING) {
		const char *s = Z_STRVAL_P(v);
		if (!strcasecmp(s, "1") || !strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")) {
			*out = true;
			return SUCCESS;
		}
		if (!strcasecmp(s, "0") || !strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off") ||
		    !*s) {
			*out = false;
			return SUCCESS;
		}
	}
	php_smtp_throw_invalid("Config key \"%s\" must be a boolean", key);
	return FAILURE;
}

static zend_result value_long(zval *v, const char *key, zend_long min, zend_long max, zend_long *out)
{
	zend_long n;
	if (Z_TYPE_P(v) == IS_LONG) {
		n = Z_LVAL_P(v);
	} else if (Z_TYPE_P(v) == IS_STRING &&
	           is_numeric_string(Z_STRVAL_P(v), Z_STRLEN_P(v), &n, NULL, false) == IS_LONG) {
	} else {
		php_smtp_throw_invalid("Config key \"%s\" must be an integer", key);
		return FAILURE;
	}
	if (n < min || n > max) {
		php_smtp_throw_invalid("Config key \"%s\" must be between " ZEND_LONG_FMT " and " ZEND_LONG_FMT ", "
		                       ZEND_LONG_FMT " given", key, min, max, n);
		return FAILURE;
	}
	*out = n;
	return SUCCESS;
}

static zend_result value_double(zval *v, const char *key, double min, double max, double *out)
{
	double d;
	zend_long l;
	if (Z_TYPE_P(v) == IS_DOUBLE) {
		d = Z_DVAL_P(v);
	} else if (Z_TYPE_P(v) == IS_LONG) {
		d = (double)Z_LVAL_P(v);
	} else if (Z_TYPE_P(v) == IS_STRING) {
		zend_uchar t = is_numeric_string(Z_STRVAL_P(v), Z_STRLEN_P(v), &l, &d, false);
		if (t == IS_LONG) {
			d = (double)l;
		} else if (t != IS_DOUBLE) {
			php_smtp_throw_invalid("Config key \"%s\" must be a number of seconds", key);
			return FAILURE;
		}
	} else {
		php_smtp_throw_invalid("Config key \"%s\" must be a number of seconds", key);
		return FAILURE;
	}
	if (!(d >= min && d <= max)) {
		php_smtp_throw_invalid("Config key \"%s\" must be between %g and %g", key, min, max);
		return FAILURE;
	}
	*out = d;
	return SUCCESS;
}

static zend_result check_host(zend_string *host)
{
	const char *s = ZSTR_VAL(host);
	size_t len = ZSTR_LEN(host);
	if (len == 0 || len > 253) {
		php_smtp_throw_invalid("Config key \"host\" must be a host name or IP address");
		return FAILURE;
	}
	if (s[0] == '[') {
		/* an IPv6 literal, kept in brackets for the URL */
		if (s[len - 1] != ']' || strspn(s + 1, "0123456789abcdefABCDEF:.%") != len - 2) {
			php_smtp_throw_invalid("Config key \"host\" is not a valid IPv6 literal: \"%s\"", s);
			return FAILURE;
		}
		return SUCCESS;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		/* letters, digits, '-', '.', ':' (bare IPv6) and non-ASCII (IDN, which libcurl converts) */
		if (!(isalnum(c) || c == '-' || c == '.' || c == ':' || c == '_' || c >= 0x80)) {
			php_smtp_throw_invalid("Config key \"host\" contains an invalid character: \"%s\"", s);
			return FAILURE;
		}
	}
	return SUCCESS;
}

static zend_result check_helo(zend_string *helo)
{
	size_t len = ZSTR_LEN(helo);
	if (len == 0 || len > 255 ||
	    strspn(ZSTR_VAL(helo), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.[]:") != len) {
		php_smtp_throw_invalid("Config key \"helo\" must be a host name or an address literal");
		return FAILURE;
	}
	return SUCCESS;
}

static zend_result check_from(zend_string *from)
{
	char *normalized = NULL;
	bool utf8_local = false;
	char err[128];
	if (smtp_address_normalize(ZSTR_VAL(from), ZSTR_LEN(from), &normalized, &utf8_local, err, sizeof(err)) != 0) {
		php_smtp_throw_invalid("Config key \"from\" is not a valid address (%s): \"%s\"", err, ZSTR_VAL(from));
		return FAILURE;
	}
	free(normalized);
	return SUCCESS;
}

/* ---- DSN ---- */

/* Turns "smtp://user:pass@host:587?timeout=5" into the same keys an array
 * would have, all values strings. */
static zend_result dsn_to_array(zend_string *dsn, zval *out)
{
	php_url *url = php_url_parse_ex(ZSTR_VAL(dsn), ZSTR_LEN(dsn));
	if (!url || !url->scheme || !url->host) {
		if (url) {
			php_url_free(url);
		}
		php_smtp_throw_invalid("The DSN is not a URL like smtp://user:pass@host:587");
		return FAILURE;
	}
	array_init(out);

	bool implicit_tls;
	if (zend_string_equals_literal_ci(url->scheme, "smtp")) {
		implicit_tls = false;
	} else if (zend_string_equals_literal_ci(url->scheme, "smtps")) {
		implicit_tls = true;
	} else {
		php_smtp_throw_invalid("The DSN scheme must be smtp:// (STARTTLS) or smtps:// (implicit TLS), \"%s\" given",
		                       ZSTR_VAL(url->scheme));
		php_url_free(url);
		return FAILURE;
	}

	add_assoc_str(out, "host", zend_string_copy(url->host));
	if (url->port) {
		add_assoc_long(out, "port", url->port);
	}
	if (url->user) {
		zend_string *user = zend_string_dup(url->user, 0);
		ZSTR_LEN(user) = php_raw_url_decode(ZSTR_VAL(user), ZSTR_LEN(user));
		add_assoc_str(out, "username", user);
	}
	if (url->pass) {
		zend_string *pass = zend_string_dup(url->pass, 0);
		ZSTR_LEN(pass) = php_raw_url_decode(ZSTR_VAL(pass), ZSTR_LEN(pass));
		add_assoc_str(out, "password", pass);
	}

	if (url->query) {
		char *query = estrndup(ZSTR_VAL(url->query), ZSTR_LEN(url->query));
		char *save = NULL;
		for (char *pair = php_strtok_r(query, "&", &save); pair; pair = php_strtok_r(NULL, "&", &save)) {
			char *eq = strchr(pair, '=');
			char *value = eq ? eq + 1 : "";
			if (eq) {
				*eq = '\0';
			}
			size_t klen = php_url_decode(pair, strlen(pair));
			size_t vlen = php_url_decode(value, strlen(value));
			zval v;
			ZVAL_STRINGL(&v, value, vlen);
			zend_symtable_str_update(Z_ARRVAL_P(out), pair, klen, &v);
		}
		efree(query);
	}

	zval *enc = zend_hash_str_find(Z_ARRVAL_P(out), "encryption", sizeof("encryption") - 1);
	if (implicit_tls) {
		if (enc && !(Z_TYPE_P(enc) == IS_STRING && zend_string_equals_literal(Z_STR_P(enc), "tls"))) {
			php_smtp_throw_invalid("smtps:// means implicit TLS: it cannot be combined with encryption=%s",
			                       Z_TYPE_P(enc) == IS_STRING ? Z_STRVAL_P(enc) : "?");
			php_url_free(url);
			return FAILURE;
		}
		add_assoc_string(out, "encryption", "tls");
	} else if (!enc) {
		add_assoc_string(out, "encryption", "starttls");
	}
	php_url_free(url);
	return SUCCESS;
}

/* ---- the parser ---- */

static zend_string *ini_string(const char *value)
{
	return (value && *value) ? zend_string_init(value, strlen(value), 0) : NULL;
}

static bool auth_from_name(const char *name, size_t len, php_smtp_auth *out)
{
	static const struct {
		const char *name;
		php_smtp_auth auth;
	} mechs[] = {{"auto", PHP_SMTP_AUTH_AUTO},
	             {"plain", PHP_SMTP_AUTH_PLAIN},
	             {"login", PHP_SMTP_AUTH_LOGIN},
	             {"cram-md5", PHP_SMTP_AUTH_CRAM_MD5},
	             {"xoauth2", PHP_SMTP_AUTH_XOAUTH2},
	             {"oauthbearer", PHP_SMTP_AUTH_OAUTHBEARER}};
	for (size_t i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++) {
		if (len == strlen(mechs[i].name) && memcmp(name, mechs[i].name, len) == 0) {
			*out = mechs[i].auth;
			return true;
		}
	}
	return false;
}

static zend_result config_parse(php_smtp_config *config, zval *input, bool is_fallback);


/* A token string is a secret: wiped when this was its last holder. */
static void release_token(zval *token)
{
	if (Z_TYPE_P(token) == IS_STRING) {
		zend_string *s = Z_STR_P(token);
		php_smtp_release_secret(&s);
	} else {
		zval_ptr_dtor(token);
	}
	ZVAL_UNDEF(token);
}

static zend_result apply_key(php_smtp_config *c, zend_string *key, zval *v, bool nested)
{
	const char *k = ZSTR_VAL(key);
	ZVAL_DEREF(v);

	if (zend_string_equals_literal(key, "host")) {
		return value_string_into(v, k, &c->host) == FAILURE ? FAILURE : check_host(c->host);
	}
	if (zend_string_equals_literal(key, "port")) {
		return value_long(v, k, 1, 65535, &c->port);
	}
	if (zend_string_equals_literal(key, "encryption")) {
		zend_string *s;
		if (value_string(v, k, &s) == FAILURE) {
			return FAILURE;
		}
		zend_result r = SUCCESS;
		if (zend_string_equals_literal(s, "starttls")) {
			c->encryption = PHP_SMTP_ENCRYPTION_STARTTLS;
		} else if (zend_string_equals_literal(s, "tls") || zend_string_equals_literal(s, "ssl")) {
			c->encryption = PHP_SMTP_ENCRYPTION_TLS;
		} else if (zend_string_equals_literal(s, "none")) {
			c->encryption = PHP_SMTP_ENCRYPTION_NONE;
		} else {
			php_smtp_throw_invalid("Config key \"encryption\" must be starttls, tls or none, \"%s\" given",
			                       ZSTR_VAL(s));
			r = FAILURE;
		}
		zend_string_release(s);
		return r;
	}
	if (zend_string_equals_literal(key, "username") || zend_string_equals_literal(key, "password")) {
		bool is_user = ZSTR_VAL(key)[0] == 'u';
		zend_string **slot = is_user ? &c->username : &c->password;
		zend_string *s;
		if (value_string(v, k, &s) == FAILURE) {
			return FAILURE;
		}
		if (*slot) {
			ZEND_SECURE_ZERO(ZSTR_VAL(*slot), ZSTR_LEN(*slot));
			zend_string_release(*slot);
		}
		*slot = s;
		return SUCCESS;
	}
	if (zend_string_equals_literal(key, "auth")) {
		if (Z_TYPE_P(v) == IS_STRING && auth_from_name(Z_STRVAL_P(v), Z_STRLEN_P(v), &c->auth)) {
			return SUCCESS;
		}
		php_smtp_throw_invalid("Config key \"auth\" must be auto, plain, login, cram-md5, xoauth2 or oauthbearer");
		return FAILURE;
	}
	if (zend_string_equals_literal(key, "token")) {
		/* a string is the token itself, never a function's name */
		if (Z_TYPE_P(v) == IS_STRING) {
			if (Z_STRLEN_P(v) == 0 || has_control_chars(Z_STRVAL_P(v), Z_STRLEN_P(v))) {
				php_smtp_throw_invalid("Config key \"token\" must be a non-empty access token without control "
				                       "characters, or a callable");
				return FAILURE;
			}
		} else if (!zend_is_callable(v, 0, NULL)) {
			php_smtp_throw_invalid("Config key \"token\" must be an access token string or a callable "
			                       "fn(bool $refresh): string");
			return FAILURE;
		}
		release_token(&c->token);
		ZVAL_COPY(&c->token, v);
		return SUCCESS;
	}
	if (zend_string_equals_literal(key, "oauth")) {
		if (Z_TYPE_P(v) != IS_ARRAY) {
			php_smtp_throw_invalid("Config key \"oauth\" must be an array (token_url, client_id, client_secret, "
			                       "refresh_token, scope, on_refresh_token)");
			return FAILURE;
		}
		php_smtp_oauth_grant_free(c->oauth);
		c->oauth = php_smtp_oauth_grant_from_array(v);
		return c->oauth ? SUCCESS : FAILURE;
	}
	if (zend_string_equals_literal(key, "allow_insecure_auth")) {
		return value_bool(v, k, &c->allow_insecure_auth);
	}
	if (zend_string_equals_literal(key, "verify_peer")) {
		return value_bool(v, k, &c->verify_peer);
	}
	if (zend_string_equals_literal(key, "keepalive")) {
		return value_bool(v, k, &c->keepalive);
	}
	if (zend_string_equals_literal(key, "persistent")) {
		return value_bool(v, k, &c->persistent);
	}
	if (zend_string_equals_literal(key, "deferred")) {
		return value_bool(v, k, &c->deferred);
	}
	if (zend_string_equals_literal(key, "timeout")) {
		return value_double(v, k, 0.001, 3600, &c->timeout);
	}
	if (zend_string_equals_literal(key, "cafile")) {
		if (value_string_into(v, k, &c->cafile) == FAILURE) {
			return FAILURE;
		}
		if (access(ZSTR_VAL(c->cafile), R_OK) != 0) {
			php_smtp_throw_invalid("Config key \"cafile\": cannot read \"%s\"", ZSTR_VAL(c->cafile));
			return FAILURE;
		}
		return SUCCESS;
	}
	if (zend_string_equals_literal(key, "helo")) {
		return value_string_into(v, k, &c->helo) == FAILURE ? FAILURE : check_helo(c->helo);
	}
	if (zend_string_equals_literal(key, "from")) {
		return value_string_into(v, k, &c->from) == FAILURE ? FAILURE : check_from(c->from);
	}
	if (zend_string_equals_literal(key, "from_name")) {
		return value_string_into(v, k, &c->from_name);
	}
	if (zend_string_equals_literal(key, "spool")) {
		if (value_string_into(v, k, &c->spool) == FAILURE) {
			return FAILURE;
		}
		/* refused now rather than warned about at the first temporary failure */
		char err[512];
		if (ZSTR_LEN(c->spool) && (!php_smtp_spool_dir_allowed(ZSTR_VAL(c->spool), err, sizeof(err)) ||
		                           smtp_spool_dirs_check(ZSTR_VAL(c->spool), err, sizeof(err)) != 0)) {
			php_smtp_throw_invalid("Config key \"spool\": %s", err);
			return FAILURE;
		}
		return SUCCESS;
	}
	if (zend_string_equals_literal(key, "dkim")) {
		if (Z_TYPE_P(v) != IS_ARRAY) {
			php_smtp_throw_invalid("Config key \"dkim\" must be an array (domain, selector, key, algorithm) or a "
			                       "list of them");
			return FAILURE;
		}
		php_smtp_dkim_signers_free(c->dkim);
		c->dkim = php_smtp_dkim_signers_from_config(v);
		return c->dkim ? SUCCESS : FAILURE;
	}
	if (zend_string_equals_literal(key, "fallback")) {
		if (nested) {
			php_smtp_throw_invalid("Config key \"fallback\" cannot itself have a fallback");
			return FAILURE;
		}
		if (Z_TYPE_P(v) != IS_ARRAY && Z_TYPE_P(v) != IS_STRING) {
			php_smtp_throw_invalid("Config key \"fallback\" must be an array or a DSN string");
			return FAILURE;
		}
		if (c->fallback) {
			php_smtp_config_dtor(c->fallback);
			efree(c->fallback);
		}
		c->fallback = ecalloc(1, sizeof(php_smtp_config));
		if (config_parse(c->fallback, v, true) == FAILURE || EG(exception)) {
			return FAILURE;
		}
		if (c->fallback->fallback) {
			php_smtp_throw_invalid("Config key \"fallback\" cannot itself have a fallback");
			return FAILURE;
		}
		return SUCCESS;
	}
	if (zend_string_equals_literal(key, "debug")) {
		if (!zend_is_callable(v, 0, NULL)) {
			php_smtp_throw_invalid("Config key \"debug\" must be callable");
			return FAILURE;
		}
		zval_ptr_dtor(&c->debug);
		ZVAL_COPY(&c->debug, v);
		return SUCCESS;
	}
	php_smtp_throw_invalid("Unknown config key \"%s\"", k);
	return FAILURE;
}

static void config_defaults(php_smtp_config *c)
{
	memset(c, 0, sizeof(*c));
	c->encryption = PHP_SMTP_ENCRYPTION_STARTTLS;
	c->auth = PHP_SMTP_AUTH_AUTO;
	c->verify_peer = true;
	c->timeout = 30;
	c->keepalive = true;
	ZVAL_UNDEF(&c->debug);
	ZVAL_UNDEF(&c->token);
}

/* The machine's name, for EHLO. */
static zend_string *default_helo(void)
{
	char name[256];
	if (gethostname(name, sizeof(name) - 1) == 0) {
		name[sizeof(name) - 1] = '\0';
		size_t len = strlen(name);
		if (len && strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == len) {
			return zend_string_init(name, len, 0);
		}
	}
	return zend_string_init("localhost", sizeof("localhost") - 1, 0);
}

/* True when a script (ini_set) or a .user.ini / .htaccess changed an smtp.*
 * setting in this request. Values from php.ini, and those an administrator
 * fixed with php_admin_value (which locks them to PHP_INI_SYSTEM), are not;
 * neither is an FPM pool's php_value, which FPM writes as the base value. */
static bool ini_changed_below_admin(const char *name)
{
	zend_ini_entry *entry = zend_hash_str_find_ptr(EG(ini_directives), name, strlen(name));
	return entry && entry->modified && entry->modifiable != ZEND_INI_SYSTEM;
}

static php_smtp_encryption ini_encryption(void)
{
	/* PHP's INI parser reads the bare keyword none as an empty string */
	const char *e = SMTP_G(encryption);
	if (!e || !*e || strcmp(e, "none") == 0) {
		return PHP_SMTP_ENCRYPTION_NONE;
	}
	return strcmp(e, "tls") == 0 ? PHP_SMTP_ENCRYPTION_TLS : PHP_SMTP_ENCRYPTION_STARTTLS;
}

static zend_long default_port(php_smtp_encryption encryption)
{
	return encryption == PHP_SMTP_ENCRYPTION_TLS ? 465 : encryption == PHP_SMTP_ENCRYPTION_NONE ? 25 : 587;
}

static bool ini_has_secrets(void)
{
	return SMTP_G(username) && *SMTP_G(username); /* no username, no AUTH */
}

/* The one decision "is this connection the administrator's relay?": NULL
 * when every setting that decides where and how credentials travel is
 * php.ini's (a key given with exactly php.ini's value changes nothing),
 * otherwise the first one that is not. The INI's values are the ones php.ini
 * or php_admin_value set; one a script or a .user.ini changed in this
 * request no longer counts as the administrator's. */
static const char *admin_relay_difference(const php_smtp_config *c, bool is_fallback)
{
	static const char *const relay_settings[] = {"smtp.host",   "smtp.port", "smtp.encryption",      "smtp.verify_peer",
	                                             "smtp.cafile", "smtp.auth", "smtp.oauth_token_url", NULL};
	if (is_fallback) {
		return "fallback";
	}
	for (const char *const *name = relay_settings; *name; name++) {
		if (ini_changed_below_admin(*name)) {
			return *name;
		}
	}
	/* compared byte for byte: "Relay.example." may resolve elsewhere than
	 * "relay.example" (search domains), so only the very name counts */
	const char *ini_host = SMTP_G(host);
	if (!ini_host || !*ini_host || !zend_string_equals_cstr(c->host, ini_host, strlen(ini_host))) {
		return "host";
	}
	php_smtp_encryption encryption = ini_encryption();
	if (c->encryption != encryption) {
		return "encryption";
	}
	if (c->port != (SMTP_G(port) > 0 ? SMTP_G(port) : default_port(encryption))) {
		return "port";
	}
	if (c->verify_peer != SMTP_G(verify_peer)) {
		return "verify_peer";
	}
	const char *ini_cafile = SMTP_G(cafile) ? SMTP_G(cafile) : "";
	if (c->cafile ? !zend_string_equals_cstr(c->cafile, ini_cafile, strlen(ini_cafile)) : *ini_cafile != '\0') {
		return "cafile";
	}
	if (c->allow_insecure_auth) {
		return "allow_insecure_auth"; /* php.ini has no such setting: its value is the default, false */
	}
	php_smtp_auth auth = PHP_SMTP_AUTH_AUTO;
	const char *ini_auth = SMTP_G(auth);
	if (ini_auth && *ini_auth) {
		auth_from_name(ini_auth, strlen(ini_auth), &auth);
	}
	if (c->auth != auth) {
		return "auth";
	}
	return NULL;
}

/* Every INI secret, filled in one place and only for the administrator's
 * relay: the password, and the relay's OAuth client (smtp.oauth_*) when the
 * mechanism may be OAuth. */
static zend_result ini_secrets_fill(php_smtp_config *c)
{
	c->username = ini_string(SMTP_G(username));
	c->password = ini_string(SMTP_G(password));
	if (c->auth == PHP_SMTP_AUTH_XOAUTH2 || c->auth == PHP_SMTP_AUTH_OAUTHBEARER || c->auth == PHP_SMTP_AUTH_AUTO) {
		c->oauth = php_smtp_oauth_grant_from_ini();
		if (EG(exception)) {
			return FAILURE;
		}
	}
	return SUCCESS;
}

void php_smtp_config_explain_withheld(const php_smtp_config *c, php_smtp_failure *failure)
{
	if (!c->ini_secrets_withheld || !failure->message ||
	    !(failure->kind == PHP_SMTP_FAILURE_SERVER || failure->kind == PHP_SMTP_FAILURE_RECIPIENT ||
	      failure->kind == PHP_SMTP_FAILURE_AUTH)) {
		return;
	}
	const char *why = c->ini_secrets_withheld;
	zend_string *reason;
	if (strcmp(why, "fallback") == 0) {
		reason = zend_string_init("a fallback relay never gets them", sizeof("a fallback relay never gets them") - 1, 0);
	} else if (strncmp(why, "smtp.", 5) == 0) {
		reason = strpprintf(0, "%s was changed in this request (ini_set() or .user.ini)", why);
	} else {
		reason = strpprintf(0, "this Mailer's \"%s\" is not php.ini's", why);
	}
	zend_string *message =
	    strpprintf(0, "%s (sent without the php.ini credentials: they are kept for the relay php.ini names, and %s)",
	               ZSTR_VAL(failure->message), ZSTR_VAL(reason));
	zend_string_release(reason);
	zend_string_release(failure->message);
	failure->message = message;
}

/* Fills what the user left out from smtp.*, then checks the whole. */
static zend_result finish(php_smtp_config *c, HashTable *given, bool is_fallback)
{
#define GIVEN(name) zend_hash_str_exists(given, name, sizeof(name) - 1)
	bool host_from_ini = false;
	if (!GIVEN("host")) {
		c->host = ini_string(SMTP_G(host));
		host_from_ini = c->host != NULL;
		if (c->host && check_host(c->host) == FAILURE) {
			return FAILURE;
		}
	}
	if (!c->host) {
		php_smtp_throw_invalid("No SMTP host: give \"host\" (or a DSN), or set smtp.host");
		return FAILURE;
	}
	if (!GIVEN("persistent")) {
		c->persistent = SMTP_G(persistent);
	}
	if (!GIVEN("encryption") && SMTP_G(encryption)) {
		/* PHP's INI parser reads the bare keyword none (as in "smtp.encryption=none"
		 * in php.ini or -d) as an empty string: empty means none */
		zval v;
		ZVAL_STRING(&v, *SMTP_G(encryption) ? SMTP_G(encryption) : "none");
		zend_string *k = zend_string_init("encryption", sizeof("encryption") - 1, 0);
		zend_result r = apply_key(c, k, &v, true);
		zend_string_release(k);
		zval_ptr_dtor(&v);
		if (r == FAILURE) {
			return FAILURE;
		}
	}
	/* smtp.port belongs to smtp.host: another host gets the default port */
	bool same_host_as_ini = host_from_ini || (SMTP_G(host) && zend_string_equals_cstr(c->host, SMTP_G(host),
	                                                                                   strlen(SMTP_G(host))));
	if (!GIVEN("port") && same_host_as_ini && SMTP_G(port) > 0) {
		c->port = SMTP_G(port);
	}
	if (!GIVEN("auth") && SMTP_G(auth) && *SMTP_G(auth)) {
		zval v;
		ZVAL_STRING(&v, SMTP_G(auth));
		zend_string *k = zend_string_init("auth", sizeof("auth") - 1, 0);
		zend_result r = apply_key(c, k, &v, true);
		zend_string_release(k);
		zval_ptr_dtor(&v);
		if (r == FAILURE) {
			return FAILURE;
		}
	}
	if (!GIVEN("timeout") && SMTP_G(timeout) > 0) {
		c->timeout = SMTP_G(timeout);
	}
	if (!GIVEN("verify_peer")) {
		c->verify_peer = SMTP_G(verify_peer);
	}
	if (!GIVEN("cafile")) {
		c->cafile = ini_string(SMTP_G(cafile));
	}
	if (!GIVEN("helo")) {
		c->helo = ini_string(SMTP_G(helo));
		if (!c->helo) {
			c->helo = default_helo();
		} else if (check_helo(c->helo) == FAILURE) {
			return FAILURE;
		}
	}
	if (!GIVEN("from")) {
		c->from = ini_string(SMTP_G(from));
		if (c->from && check_from(c->from) == FAILURE) {
			return FAILURE;
		}
	}
	if (!GIVEN("from_name")) {
		c->from_name = ini_string(SMTP_G(from_name));
	}
	if (!GIVEN("spool")) {
		c->spool = ini_string(SMTP_G(spool_dir));
	}
	if (!GIVEN("dkim")) {
		c->dkim = php_smtp_dkim_signers_from_ini();
		if (EG(exception)) {
			return FAILURE;
		}
	}

	if (c->port == 0) {
		c->port = default_port(c->encryption);
	}
	/* INI credentials only for the administrator's relay, decided once the
	 * connection settings are final: see admin_relay_difference() */
	if (!GIVEN("username") && !GIVEN("password") && !GIVEN("token") && !GIVEN("oauth") && ini_has_secrets()) {
		c->ini_secrets_withheld = admin_relay_difference(c, is_fallback);
		if (!c->ini_secrets_withheld && ini_secrets_fill(c) == FAILURE) {
			return FAILURE;
		}
	}
#undef GIVEN
	if (c->username && ZSTR_LEN(c->username) == 0) {
		zend_string_release(c->username);
		c->username = NULL;
	}
	if (c->password && !c->username) {
		ZEND_SECURE_ZERO(ZSTR_VAL(c->password), ZSTR_LEN(c->password));
		zend_string_release(c->password);
		c->password = NULL;
	}
	bool has_token = Z_TYPE(c->token) != IS_UNDEF || c->oauth;
	if (has_token && c->auth == PHP_SMTP_AUTH_AUTO) {
		c->auth = PHP_SMTP_AUTH_XOAUTH2;
	}
	if (has_token && c->auth != PHP_SMTP_AUTH_XOAUTH2 && c->auth != PHP_SMTP_AUTH_OAUTHBEARER) {
		php_smtp_throw_invalid("Config keys \"token\" and \"oauth\" need auth xoauth2 or oauthbearer");
		return FAILURE;
	}
	if (has_token && !c->username) {
		php_smtp_throw_invalid("OAuth needs \"username\": the mailbox the token was issued for");
		return FAILURE;
	}
	if (Z_TYPE(c->token) != IS_UNDEF && c->oauth) {
		php_smtp_throw_invalid("Give either \"token\" or \"oauth\", not both");
		return FAILURE;
	}
	if (c->username && c->encryption == PHP_SMTP_ENCRYPTION_NONE && !c->allow_insecure_auth) {
		php_smtp_throw_invalid("Refusing to send credentials over an unencrypted connection: use encryption "
		                       "starttls or tls, or set allow_insecure_auth to true if you really mean it");
		return FAILURE;
	}
	if (c->deferred && !c->spool) {
		php_smtp_throw_invalid("Config key \"deferred\" needs \"spool\" (a directory to queue messages in)");
		return FAILURE;
	}
	return SUCCESS;
}

zend_result php_smtp_config_parse(php_smtp_config *config, zval *input)
{
	return config_parse(config, input, false);
}

static zend_result config_parse(php_smtp_config *config, zval *input, bool is_fallback)
{
	config_defaults(config);

	zval dsn_array;
	ZVAL_UNDEF(&dsn_array);
	HashTable *keys;
	if (input && Z_TYPE_P(input) == IS_STRING) {
		if (has_control_chars(Z_STRVAL_P(input), Z_STRLEN_P(input))) {
			php_smtp_throw_invalid("The DSN must not contain control characters");
			return FAILURE;
		}
		if (dsn_to_array(Z_STR_P(input), &dsn_array) == FAILURE) {
			zval_ptr_dtor(&dsn_array);
			return FAILURE;
		}
		keys = Z_ARRVAL(dsn_array);
	} else if (input && Z_TYPE_P(input) == IS_ARRAY) {
		keys = Z_ARRVAL_P(input);
	} else if (!input || Z_TYPE_P(input) == IS_NULL) {
		keys = (HashTable *)&zend_empty_array;
	} else {
		php_smtp_throw_invalid("The config must be a DSN string or an array");
		return FAILURE;
	}

	zend_string *key;
	zend_ulong index;
	zval *value;
	zend_result result = SUCCESS;
	ZEND_HASH_FOREACH_KEY_VAL(keys, index, key, value) {
		if (!key) {
			php_smtp_throw_invalid("Config keys must be strings, found index " ZEND_ULONG_FMT, index);
			result = FAILURE;
			break;
		}
		if (!is_known_key(key)) {
			php_smtp_throw_invalid("Unknown config key \"%s\"", ZSTR_VAL(key));
			result = FAILURE;
			break;
		}
		if (apply_key(config, key, value, false) == FAILURE) {
			result = FAILURE;
			break;
		}
	}
	ZEND_HASH_FOREACH_END();

	if (result == SUCCESS) {
		result = finish(config, keys, is_fallback);
	}
	zval_ptr_dtor(&dsn_array);
	return result;
}

zend_result php_smtp_config_from_ini(php_smtp_config *config)
{
	return php_smtp_config_parse(config, NULL);
}


static void release(zend_string **s)
{
	if (*s) {
		zend_string_release(*s);
		*s = NULL;
	}
}

void php_smtp_config_dtor(php_smtp_config *c)
{
	release(&c->host);
	php_smtp_release_secret(&c->username);
	php_smtp_release_secret(&c->password);
	release_token(&c->token);
	php_smtp_oauth_grant_free(c->oauth);
	c->oauth = NULL;
	release(&c->cafile);
	release(&c->helo);
	release(&c->from);
	release(&c->from_name);
	release(&c->spool);
	php_smtp_dkim_signers_free(c->dkim);
	c->dkim = NULL;
	if (c->fallback) {
		php_smtp_config_dtor(c->fallback);
		efree(c->fallback);
		c->fallback = NULL;
	}
	zval_ptr_dtor(&c->debug);
	ZVAL_UNDEF(&c->debug);
}
