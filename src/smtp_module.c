/*
 * The module: INI settings, phpinfo(), and MINIT/MSHUTDOWN/RINIT/RSHUTDOWN,
 * which only forward to one init function per concern.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "php.h"
#include "php_ini.h"
#include "SAPI.h"
#include "ext/standard/info.h"
#include <curl/curl.h>
#include <openssl/opensslv.h>
#include <openssl/crypto.h>

#include "php_smtp.h"
#include "smtp_errors.h"
#include "smtp_curl.h"
#include "smtp_persistent.h"
#include "smtp_receipt.h"
#include "smtp_mailer.h"
#include "smtp_message.h"
#include "smtp_dkim.h"
#include "smtp_spool.h"
#include "smtp_mail.h"
#include "smtp_oauth.h"
#include "smtp_transport.h"
#include "smtp_mail_arginfo.h"

ZEND_DECLARE_MODULE_GLOBALS(smtp)

/* smtp.encryption accepts exactly the values the Mailer config does. */
static ZEND_INI_MH(OnUpdateEncryption)
{
	if (new_value && ZSTR_LEN(new_value) && !zend_string_equals_literal(new_value, "starttls") &&
	    !zend_string_equals_literal(new_value, "tls") && !zend_string_equals_literal(new_value, "none")) {
		php_error_docref(NULL, E_WARNING, "smtp.encryption must be starttls, tls or none");
		return FAILURE;
	}
	return OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

static ZEND_INI_MH(OnUpdateAuth)
{
	static const char *const known[] = {"auto", "plain", "login", "cram-md5", "xoauth2", "oauthbearer", NULL};
	if (new_value && ZSTR_LEN(new_value)) {
		bool ok = false;
		for (const char *const *k = known; *k; k++) {
			if (zend_string_equals_cstr(new_value, *k, strlen(*k))) {
				ok = true;
			}
		}
		if (!ok) {
			php_error_docref(NULL, E_WARNING, "smtp.auth must be auto, plain, login, cram-md5, xoauth2 or oauthbearer");
			return FAILURE;
		}
	}
	return OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

static ZEND_INI_MH(OnUpdatePort)
{
	if (new_value && ZSTR_LEN(new_value)) {
		zend_long port = ZEND_STRTOL(ZSTR_VAL(new_value), NULL, 10);
		if (port < 0 || port > 65535) {
			php_error_docref(NULL, E_WARNING, "smtp.port must be between 0 (by encryption) and 65535");
			return FAILURE;
		}
	}
	return OnUpdateLong(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

/* phpinfo() and ini_get_all() displays never show a secret, only whether one is set. */
static ZEND_INI_DISP(display_secret)
{
	zend_string *value = (type == ZEND_INI_DISPLAY_ORIG && ini_entry->modified) ? ini_entry->orig_value
	                                                                           : ini_entry->value;
	const char *shown = (value && ZSTR_LEN(value)) ? "********" : (sapi_module.phpinfo_as_text ? "no value" : "<i>no value</i>");
	PHPWRITE(shown, strlen(shown));
}

/* ---- smtp.password, smtp.oauth_client_secret, smtp.oauth_refresh_token ----
 *
 * The relay's secrets, which a hosting panel sets per pool. A tenant's script
 * must not be able to read them. They are PHP_INI_SYSTEM | PHP_INI_PERDIR
 * (php.ini, php_admin_value, -d; never ini_set()); on_modify keeps each value
 * in a buffer of the extension's own, which SMTP_G(...) points at, and the
 * INI entry itself then only ever shows "********": masked at MINIT (after
 * the php.ini / -d value was applied) and at RINIT (after FPM or Apache
 * applied a per-pool or per-vhost value), so ini_get(), ini_get_all(),
 * ReflectionExtension::getINIEntries() and phpinfo() see the mask. The copy
 * PHP keeps in its configuration hash (what get_cfg_var() reads) is replaced
 * by the mask at MINIT too.
 *
 * At the end of a request in which a vhost value was applied, PHP restores
 * the entry to its value before the request, which is the mask: on_modify
 * then goes back to the php.ini value it kept from startup. */
/* sized by php_smtp.h, whose globals hold the applied copies: a name too many fails to compile */
static const char *const secret_names[PHP_SMTP_SECRET_COUNT] = {"smtp.password", "smtp.oauth_client_secret", "smtp.oauth_refresh_token"};
#define SECRET_COUNT PHP_SMTP_SECRET_COUNT
static zend_string *password_mask;           /* permanent and interned: compared by address */
static char *startup_secrets[SECRET_COUNT];  /* php.ini / -d, set at MINIT; read-only after it */
/* a later value (FPM pool, vhost, .user.ini) is the thread's own: SMTP_G(applied_secrets) */

static void free_secret(char **secret)
{
	if (*secret) {
		ZEND_SECURE_ZERO(*secret, strlen(*secret));
		pefree(*secret, 1);
		*secret = NULL;
	}
}

static size_t secret_index(const zend_ini_entry *entry)
{
	for (size_t i = 0; i < SECRET_COUNT; i++) {
		if (zend_string_equals_cstr(entry->name, secret_names[i], strlen(secret_names[i]))) {
			return i;
		}
	}
	return 0;
}

static ZEND_INI_MH(OnUpdateSecret)
{
	char **slot = (char **)ZEND_INI_GET_ADDR();
	size_t i = secret_index(entry);
	if (password_mask && new_value == password_mask) {
		/* the entry restored to (or, in a new thread, refreshed with) its masked startup value */
		free_secret(&SMTP_G(applied_secrets)[i]);
		*slot = startup_secrets[i];
		return SUCCESS;
	}
	char *copy = pestrndup(new_value ? ZSTR_VAL(new_value) : "", new_value ? ZSTR_LEN(new_value) : 0, 1);
	if (stage == ZEND_INI_STAGE_STARTUP && !startup_secrets[i]) {
		/* php.ini or -d, at MINIT; a thread started later (ZTS) refreshes
		 * with the mask, or with "" when no value was set: that one goes
		 * to its own slot below (the thread's globals), never over the shared startup copy */
		startup_secrets[i] = copy;
	} else {
		free_secret(&SMTP_G(applied_secrets)[i]);
		SMTP_G(applied_secrets)[i] = copy;
	}
	*slot = copy;
	return SUCCESS;
}

/* Drops a string that held a secret: wiped first when nobody else can
 * still be using it (an interned string is shared, so only let go of). */
static void release_secret_string(zend_string *secret)
{
	if (!ZSTR_IS_INTERNED(secret) && GC_REFCOUNT(secret) == 1) {
		ZEND_SECURE_ZERO(ZSTR_VAL(secret), ZSTR_LEN(secret));
	}
	zend_string_release(secret);
}

/* Puts the mask in place of the entries' visible values. */
static void mask_secret_entries(void)
{
	for (size_t i = 0; i < SECRET_COUNT; i++) {
		zend_ini_entry *entry = zend_hash_str_find_ptr(EG(ini_directives), secret_names[i], strlen(secret_names[i]));
		if (!entry || !entry->value || entry->value == password_mask || ZSTR_LEN(entry->value) == 0) {
			continue;
		}
		zend_string *shown = entry->value;
		entry->value = password_mask;
		if (entry->modified && entry->orig_value == shown) {
			entry->orig_value = password_mask;
		} else {
			release_secret_string(shown);
		}
	}
}

static void secrets_minit(void)
{
	password_mask = zend_string_init_interned("********", sizeof("********") - 1, 1);
	mask_secret_entries();
	for (size_t i = 0; i < SECRET_COUNT; i++) {
		zval *configured = zend_hash_str_find(php_ini_get_configuration_hash(), secret_names[i], strlen(secret_names[i]));
		if (configured && Z_TYPE_P(configured) == IS_STRING && Z_STRLEN_P(configured)) {
			zend_string *secret = Z_STR_P(configured);
			ZVAL_INTERNED_STR(configured, password_mask);
			if (!ZSTR_IS_INTERNED(secret)) {
				/* Wiped, and kept rather than freed: who allocated the
				 * configuration hash's strings is PHP's business (and under a
				 * preloaded ASan runtime not always the malloc we would free to). */
				ZEND_SECURE_ZERO(ZSTR_VAL(secret), ZSTR_LEN(secret));
				zend_string_release_ex(secret, 1);
			}
		}
	}
}

static void secrets_mshutdown(void)
{
	for (size_t i = 0; i < SECRET_COUNT; i++) {
		free_secret(&startup_secrets[i]);
	}
}

/* Every setting can be fixed per vhost or FPM pool with php_admin_value. */
PHP_INI_BEGIN()
	STD_PHP_INI_ENTRY("smtp.host", "", PHP_INI_ALL, OnUpdateString, host, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY("smtp.port", "0", PHP_INI_ALL, OnUpdatePort, port, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY("smtp.encryption", "starttls", PHP_INI_ALL, OnUpdateEncryption, encryption, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY("smtp.username", "", PHP_INI_ALL, OnUpdateString, username, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY_EX("smtp.password", "", PHP_INI_SYSTEM | PHP_INI_PERDIR, OnUpdateSecret, password, zend_smtp_globals, smtp_globals, display_secret)
	STD_PHP_INI_ENTRY("smtp.auth", "auto", PHP_INI_ALL, OnUpdateAuth, auth, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY("smtp.timeout", "30", PHP_INI_ALL, OnUpdateReal, timeout, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_BOOLEAN("smtp.verify_peer", "1", PHP_INI_ALL, OnUpdateBool, verify_peer, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY("smtp.cafile", "", PHP_INI_ALL, OnUpdateString, cafile, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY("smtp.helo", "", PHP_INI_ALL, OnUpdateString, helo, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY("smtp.from", "", PHP_INI_ALL, OnUpdateString, from, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY("smtp.from_name", "", PHP_INI_ALL, OnUpdateString, from_name, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_BOOLEAN("smtp.override_mail", "0", PHP_INI_SYSTEM | PHP_INI_PERDIR, OnUpdateBool, override_mail, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY("smtp.spool_dir", "", PHP_INI_ALL, OnUpdateString, spool_dir, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY("smtp.dkim_domain", "", PHP_INI_ALL, OnUpdateString, dkim_domain, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY("smtp.dkim_selector", "", PHP_INI_ALL, OnUpdateString, dkim_selector, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY("smtp.dkim_key_file", "", PHP_INI_ALL, OnUpdateString, dkim_key_file, zend_smtp_globals, smtp_globals)
	/* OAuth 2.0 for auth xoauth2/oauthbearer: the relay's client, used under the same rule as smtp.password */
	STD_PHP_INI_ENTRY("smtp.oauth_token_url", "", PHP_INI_ALL, OnUpdateString, oauth_token_url, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY("smtp.oauth_client_id", "", PHP_INI_ALL, OnUpdateString, oauth_client_id, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY_EX("smtp.oauth_client_secret", "", PHP_INI_SYSTEM | PHP_INI_PERDIR, OnUpdateSecret, oauth_client_secret, zend_smtp_globals, smtp_globals, display_secret)
	STD_PHP_INI_ENTRY_EX("smtp.oauth_refresh_token", "", PHP_INI_SYSTEM | PHP_INI_PERDIR, OnUpdateSecret, oauth_refresh_token, zend_smtp_globals, smtp_globals, display_secret)
	STD_PHP_INI_ENTRY("smtp.oauth_scope", "", PHP_INI_ALL, OnUpdateString, oauth_scope, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY("smtp.log", "", PHP_INI_SYSTEM | PHP_INI_PERDIR, OnUpdateString, log, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_BOOLEAN("smtp.persistent", "0", PHP_INI_ALL, OnUpdateBool, persistent, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY("smtp.persistent_idle", "60", PHP_INI_SYSTEM | PHP_INI_PERDIR, OnUpdateReal, persistent_idle, zend_smtp_globals, smtp_globals)
	STD_PHP_INI_ENTRY("smtp.persistent_max", "1", PHP_INI_SYSTEM | PHP_INI_PERDIR, OnUpdateLong, persistent_max, zend_smtp_globals, smtp_globals)
PHP_INI_END()

static PHP_GINIT_FUNCTION(smtp)
{
#if defined(COMPILE_DL_SMTP) && defined(ZTS)
	ZEND_TSRMLS_CACHE_UPDATE();
#endif
	memset(smtp_globals, 0, sizeof(*smtp_globals));
	ZVAL_UNDEF(&smtp_globals->last_result);
}

/* Per thread under ZTS (TSRM calls it for every thread's globals, at the thread's end
 * and at module shutdown), once otherwise: the secrets applied for this thread go, and
 * the thread's kept sessions with them (they are never handed to another thread;
 * NTS: MSHUTDOWN closed them already). */
static PHP_GSHUTDOWN_FUNCTION(smtp)
{
	php_smtp_persistent_gshutdown(&smtp_globals->kept_sessions);
	for (size_t i = 0; i < SECRET_COUNT; i++) {
		free_secret(&smtp_globals->applied_secrets[i]);
	}
}

static PHP_MINIT_FUNCTION(smtp)
{
	REGISTER_INI_ENTRIES();
	secrets_minit();

	/* no curl_global_init() here: it waits for the first send (php_smtp_curl_ready) */
	if (php_smtp_errors_minit() == FAILURE || php_smtp_receipt_minit() == FAILURE ||
	    php_smtp_mailer_minit() == FAILURE || php_smtp_message_minit() == FAILURE ||
	    php_smtp_dkim_minit() == FAILURE || php_smtp_spool_minit() == FAILURE ||
	    php_smtp_mail_minit() == FAILURE) {
		return FAILURE;
	}
	return SUCCESS;
}

static PHP_MSHUTDOWN_FUNCTION(smtp)
{
	php_smtp_mail_mshutdown();
	php_smtp_persistent_shutdown(); /* before libcurl's global cleanup */
	php_smtp_curl_shutdown();
	UNREGISTER_INI_ENTRIES();
	secrets_mshutdown();
	php_smtp_oauth_mshutdown();
	return SUCCESS;
}

static PHP_RINIT_FUNCTION(smtp)
{
#if defined(COMPILE_DL_SMTP) && defined(ZTS)
	ZEND_TSRMLS_CACHE_UPDATE();
#endif
	/* Per-request state starts empty. What the last request left (its end
	 * cut short by a fatal error, say) pointed into its memory, which is gone:
	 * it is forgotten here, never used. */
	ZVAL_UNDEF(&SMTP_G(last_result));
	php_smtp_transport_rinit();
	php_smtp_spool_rinit();
	php_smtp_mail_rinit();
	/* FPM and Apache apply php_admin_value before the request starts */
	mask_secret_entries();
	php_smtp_persistent_sweep(); /* kept sessions idle for too long say QUIT */
	return SUCCESS;
}

static PHP_RSHUTDOWN_FUNCTION(smtp)
{
	/* Each step runs PHP code or may (the debug callable, a destructor when
	 * the last reference to a Mailer goes): a fatal error in one must not
	 * skip the others. */
	zend_try {
		php_smtp_spool_rshutdown(); /* deferred sends: the response is out by now */
	} zend_end_try();
	zend_try {
		php_smtp_mail_rshutdown();
	} zend_end_try();
	zval_ptr_dtor(&SMTP_G(last_result));
	ZVAL_UNDEF(&SMTP_G(last_result));
	return SUCCESS;
}

static PHP_MINFO_FUNCTION(smtp)
{
	curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW); /* loads libcurl */
	char features[256];

	php_info_print_table_start();
	php_info_print_table_row(2, "SMTP support", "enabled");
	php_info_print_table_row(2, "Extension version", PHP_SMTP_VERSION);
	if (!curl) {
		php_info_print_table_row(2, "libcurl", php_smtp_curl_error());
		php_info_print_table_end();
		DISPLAY_INI_ENTRIES();
		return;
	}
	php_info_print_table_row(2, "libcurl version", curl->version);
	php_info_print_table_row(2, "libcurl TLS backend", curl->ssl_version ? curl->ssl_version : "none");
	php_info_print_table_row(2, "libcurl built against", LIBCURL_VERSION);
	php_info_print_table_row(2, "OpenSSL version (DKIM)", OpenSSL_version(OPENSSL_VERSION));
	php_info_print_table_row(2, "OpenSSL built against", OPENSSL_VERSION_TEXT);
	php_info_print_table_row(2, "Proven by CI", PHP_SMTP_PROVEN);

	bool has_smtp = false, has_smtps = false;
	for (const char *const *p = curl->protocols; *p; p++) {
		has_smtp |= strcmp(*p, "smtp") == 0;
		has_smtps |= strcmp(*p, "smtps") == 0;
	}
	snprintf(features, sizeof(features), "%s%s%s%s%s", has_smtp ? "smtp " : "", has_smtps ? "smtps " : "",
	         (curl->features & CURL_VERSION_SSL) ? "starttls " : "",
	         (curl->features & CURL_VERSION_IDN) ? "idn " : "",
	         (curl->features & CURL_VERSION_GSSAPI) ? "gssapi" : "");
	php_info_print_table_row(2, "libcurl SMTP features", features);
	php_info_print_table_row(2, "SASL mechanisms", "PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER");
	php_smtp_persistent_info();
	php_info_print_table_end();

	DISPLAY_INI_ENTRIES();
}

zend_module_entry smtp_module_entry = {
	STANDARD_MODULE_HEADER,
	PHP_SMTP_EXTNAME,
	ext_functions,
	PHP_MINIT(smtp),
	PHP_MSHUTDOWN(smtp),
	PHP_RINIT(smtp),
	PHP_RSHUTDOWN(smtp),
	PHP_MINFO(smtp),
	PHP_SMTP_VERSION,
	PHP_MODULE_GLOBALS(smtp),
	PHP_GINIT(smtp),
	PHP_GSHUTDOWN(smtp),
	NULL,
	STANDARD_MODULE_PROPERTIES_EX,
};

#ifdef COMPILE_DL_SMTP
#ifdef ZTS
ZEND_TSRMLS_CACHE_DEFINE()
#endif
ZEND_GET_MODULE(smtp)
#endif
