/*
 * DKIM signing, the Zend side: the Mailer's `dkim` config and the
 * smtp.dkim_* INI settings become loaded keys; php_smtp_dkim_sign() signs a
 * message source for the transport; Smtp\Dkim gives PHP code key generation,
 * the DNS record and signing. The canonicalisation and crypto are pure C in
 * src/lib/dkim.c.
 */
#include "php.h"
#include "zend_attributes.h"
#include "zend_smart_str.h"
#include "main/fopen_wrappers.h"

#include "php_smtp.h"
#include "smtp_dkim.h"
#include "smtp_errors.h"
#include "lib/dkim.h"
#include "smtp_dkim_arginfo.h"

zend_class_entry *php_smtp_dkim_ce;

typedef struct {
	smtp_dkim_key *key;
	zend_string *domain;
	zend_string *selector;
} dkim_entry;

struct php_smtp_dkim_signers {
	size_t count;
	dkim_entry *entries;
	smtp_dkim_signer *signers; /* what the library signs with; points into entries */
};

static php_smtp_dkim_signers *signers_alloc(size_t count)
{
	php_smtp_dkim_signers *s = ecalloc(1, sizeof(*s));
	s->entries = ecalloc(count, sizeof(*s->entries));
	s->signers = ecalloc(count, sizeof(*s->signers));
	return s;
}

void php_smtp_dkim_signers_free(php_smtp_dkim_signers *signers)
{
	if (!signers) {
		return;
	}
	for (size_t i = 0; i < signers->count; i++) {
		/* the library frees the key through OpenSSL, which wipes it */
		smtp_dkim_key_free(signers->entries[i].key);
		if (signers->entries[i].domain) {
			zend_string_release(signers->entries[i].domain);
		}
		if (signers->entries[i].selector) {
			zend_string_release(signers->entries[i].selector);
		}
	}
	efree(signers->entries);
	efree(signers->signers);
	efree(signers);
}

/* "Config key "dkim"" or "Config key "dkim" [1]" for a list, so an error
 * says which entry it is about. */
static void where(char *buf, size_t len, zend_long index)
{
	if (index < 0) {
		snprintf(buf, len, "Config key \"dkim\"");
	} else {
		snprintf(buf, len, "Config key \"dkim\" [" ZEND_LONG_FMT "]", index);
	}
}

/* A key given as a path is read by the library with plain stdio, so PHP's
 * open_basedir is checked here first; key material itself needs no check. */
static bool key_path_allowed(zend_string *key, const char *key_context)
{
	if (smtp_dkim_key_is_inline(ZSTR_VAL(key), ZSTR_LEN(key))) {
		return true;
	}
	if (zend_str_has_nul_byte(key) || php_check_open_basedir_ex(ZSTR_VAL(key), 0) != 0) {
		php_smtp_throw_invalid("%s: the key file is not allowed by open_basedir, or its name is invalid",
		                       key_context);
		return false;
	}
	return true;
}

/* Loads one signer into entry from its parts; throws naming the part at fault. */
static zend_result load_entry(dkim_entry *entry, smtp_dkim_signer *signer, const char *context, const char *key_context,
                              zend_string *domain, zend_string *selector, zend_string *key, zend_string *algorithm)
{
	smtp_dkim_error err;
	smtp_dkim_algorithm chosen = SMTP_DKIM_RSA_SHA256;

	if (algorithm && smtp_dkim_algorithm_parse(ZSTR_VAL(algorithm), ZSTR_LEN(algorithm), &chosen) != 0) {
		php_smtp_throw_invalid("%s: \"algorithm\" must be rsa-sha256 or ed25519-sha256, not \"%s\"", context,
		                       ZSTR_VAL(algorithm));
		return FAILURE;
	}
	if (!key_path_allowed(key, key_context)) {
		return FAILURE;
	}
	entry->key = smtp_dkim_key_load(ZSTR_VAL(key), ZSTR_LEN(key), &err);
	if (!entry->key) {
		php_smtp_throw_invalid("%s: %s", key_context, err.message);
		return FAILURE;
	}
	if (!algorithm) {
		/* rsa-sha256 unless the key says otherwise: an Ed25519 key can only
		 * make ed25519-sha256 signatures, so it needs no "algorithm" */
		chosen = smtp_dkim_key_algorithm(entry->key);
	}
	/* own copies (not shared references): the caller releases its strings */
	entry->domain = zend_string_init(ZSTR_VAL(domain), ZSTR_LEN(domain), 0);
	zend_str_tolower(ZSTR_VAL(entry->domain), ZSTR_LEN(entry->domain));
	entry->selector = zend_string_init(ZSTR_VAL(selector), ZSTR_LEN(selector), 0);
	signer->key = entry->key;
	signer->algorithm = chosen;
	signer->domain = ZSTR_VAL(entry->domain);
	signer->selector = ZSTR_VAL(entry->selector);
	if (smtp_dkim_signer_check(signer, &err) != 0) {
		php_smtp_throw_invalid("%s: %s", err.status == SMTP_DKIM_ERR_KEY ? key_context : context, err.message);
		return FAILURE;
	}
	return SUCCESS;
}

/* One array: domain, selector, key, algorithm. */
static zend_result parse_entry(php_smtp_dkim_signers *s, size_t slot, HashTable *ht, zend_long index)
{
	char context[64];
	zend_string *name, *domain = NULL, *selector = NULL, *key = NULL, *algorithm = NULL;
	zend_ulong num;
	zval *value;

	where(context, sizeof(context), index);
	ZEND_HASH_FOREACH_KEY_VAL(ht, num, name, value) {
		if (!name) {
			php_smtp_throw_invalid("%s: unexpected entry [" ZEND_ULONG_FMT "] (expected domain, selector, key, "
			                       "algorithm)",
			                       context, num);
			return FAILURE;
		}
		zend_string **target = NULL;
		if (zend_string_equals_literal(name, "domain")) {
			target = &domain;
		} else if (zend_string_equals_literal(name, "selector")) {
			target = &selector;
		} else if (zend_string_equals_literal(name, "key")) {
			target = &key;
		} else if (zend_string_equals_literal(name, "algorithm")) {
			target = &algorithm;
		} else {
			php_smtp_throw_invalid("%s: unknown key \"%s\" (expected domain, selector, key, algorithm)", context,
			                       ZSTR_VAL(name));
			return FAILURE;
		}
		ZVAL_DEREF(value);
		if (Z_TYPE_P(value) != IS_STRING || Z_STRLEN_P(value) == 0) {
			php_smtp_throw_invalid("%s: \"%s\" must be a non-empty string", context, ZSTR_VAL(name));
			return FAILURE;
		}
		*target = Z_STR_P(value);
	} ZEND_HASH_FOREACH_END();

	const char *missing = !domain ? "domain" : !selector ? "selector" : !key ? "key" : NULL;
	if (missing) {
		php_smtp_throw_invalid("%s: \"%s\" is required", context, missing);
		return FAILURE;
	}
	char key_context[80];
	snprintf(key_context, sizeof(key_context), "%s: \"key\"", context);
	s->count = slot + 1; /* from here the entry is ours to free */
	return load_entry(&s->entries[slot], &s->signers[slot], context, key_context, domain, selector, key, algorithm);
}

php_smtp_dkim_signers *php_smtp_dkim_signers_from_config(zval *config)
{
	ZVAL_DEREF(config);
	if (Z_TYPE_P(config) != IS_ARRAY || zend_hash_num_elements(Z_ARRVAL_P(config)) == 0) {
		php_smtp_throw_invalid("Config key \"dkim\" must be an array (domain, selector, key, algorithm) or a "
		                       "non-empty list of them");
		return NULL;
	}
	HashTable *ht = Z_ARRVAL_P(config);
	zval *first = zend_hash_index_find(ht, 0);
	bool is_list = zend_array_is_list(ht) && first && Z_TYPE_P(first) == IS_ARRAY;
	php_smtp_dkim_signers *s = signers_alloc(is_list ? zend_hash_num_elements(ht) : 1);

	if (!is_list) {
		if (parse_entry(s, 0, ht, -1) == FAILURE) {
			php_smtp_dkim_signers_free(s);
			return NULL;
		}
		return s;
	}
	zend_long index = 0;
	zval *item;
	ZEND_HASH_FOREACH_VAL(ht, item) {
		ZVAL_DEREF(item);
		if (Z_TYPE_P(item) != IS_ARRAY) {
			php_smtp_throw_invalid("Config key \"dkim\" [" ZEND_LONG_FMT "] must be an array (domain, selector, key, "
			                       "algorithm)",
			                       index);
			php_smtp_dkim_signers_free(s);
			return NULL;
		}
		if (parse_entry(s, (size_t) index, Z_ARRVAL_P(item), index) == FAILURE) {
			php_smtp_dkim_signers_free(s);
			return NULL;
		}
		index++;
	} ZEND_HASH_FOREACH_END();
	return s;
}

php_smtp_dkim_signers *php_smtp_dkim_signers_from_ini(void)
{
	const char *domain = SMTP_G(dkim_domain), *selector = SMTP_G(dkim_selector), *key_file = SMTP_G(dkim_key_file);
	bool has_domain = domain && *domain, has_selector = selector && *selector, has_key = key_file && *key_file;

	if (!has_domain && !has_selector && !has_key) {
		return NULL;
	}
	const char *missing = !has_domain ? "smtp.dkim_domain" : !has_selector ? "smtp.dkim_selector" : !has_key ? "smtp.dkim_key_file" : NULL;
	if (missing) {
		php_smtp_throw_invalid("%s is not set: smtp.dkim_domain, smtp.dkim_selector and smtp.dkim_key_file go together",
		                       missing);
		return NULL;
	}
	php_smtp_dkim_signers *s = signers_alloc(1);
	zend_string *d = zend_string_init(domain, strlen(domain), 0);
	zend_string *sel = zend_string_init(selector, strlen(selector), 0);
	zend_string *k = zend_string_init(key_file, strlen(key_file), 0);
	s->count = 1;
	zend_result rc = load_entry(&s->entries[0], &s->signers[0], "smtp.dkim_domain/smtp.dkim_selector", "smtp.dkim_key_file", d,
	                           sel, k, NULL);
	zend_string_release(d);
	zend_string_release(sel);
	/* smtp.dkim_key_file is meant to be a path, but it may hold a PEM */
	ZEND_SECURE_ZERO(ZSTR_VAL(k), ZSTR_LEN(k));
	zend_string_release(k);
	if (rc == FAILURE) {
		php_smtp_dkim_signers_free(s);
		return NULL;
	}
	return s;
}

/* A library failure as an exception: the message's or the caller's fault is
 * an InvalidArgumentException; a source or OpenSSL failure an Smtp\Exception. */
static void throw_dkim_error(const smtp_dkim_error *err)
{
	if (err->status == SMTP_DKIM_ERR_MESSAGE || err->status == SMTP_DKIM_ERR_KEY ||
	    err->status == SMTP_DKIM_ERR_ARGUMENT) {
		php_smtp_throw_invalid("DKIM: %s", err->message);
		return;
	}
	php_smtp_failure failure = {0};
	failure.kind = PHP_SMTP_FAILURE_LOCAL;
	failure.message = strpprintf(0, "DKIM: %s", err->message);
	php_smtp_failure_throw(&failure, NULL, NULL);
	php_smtp_failure_dtor(&failure);
}

zend_string *php_smtp_dkim_sign(const php_smtp_dkim_signers *signers, const smtp_source *source)
{
	smtp_dkim_error err;
	size_t len = 0;
	char *fields = smtp_dkim_sign_source(signers->signers, signers->count, source, time(NULL), &len, &err);
	if (!fields) {
		throw_dkim_error(&err);
		return NULL;
	}
	zend_string *result = zend_string_init(fields, len, 0);
	free(fields);
	return result;
}

/* ---- Smtp\Dkim ---- */

ZEND_METHOD(Smtp_Dkim, __construct)
{
	ZEND_PARSE_PARAMETERS_NONE();
}

ZEND_METHOD(Smtp_Dkim, generateKey)
{
	zend_string *algorithm_name = NULL;
	zend_long bits = 2048;
	smtp_dkim_algorithm algorithm = SMTP_DKIM_RSA_SHA256;
	smtp_dkim_error err;
	char *pem = NULL, *record = NULL;
	size_t pem_len = 0;

	ZEND_PARSE_PARAMETERS_START(0, 2)
		Z_PARAM_OPTIONAL
		Z_PARAM_STR(algorithm_name)
		Z_PARAM_LONG(bits)
	ZEND_PARSE_PARAMETERS_END();

	if (algorithm_name &&
	    smtp_dkim_algorithm_parse(ZSTR_VAL(algorithm_name), ZSTR_LEN(algorithm_name), &algorithm) != 0) {
		zend_argument_value_error(1, "must be \"rsa-sha256\" or \"ed25519-sha256\"");
		RETURN_THROWS();
	}
	if (algorithm == SMTP_DKIM_RSA_SHA256 && (bits < SMTP_DKIM_MIN_RSA_BITS || bits > SMTP_DKIM_MAX_RSA_BITS)) {
		zend_argument_value_error(2, "must be between %d and %d for an RSA key (2048 is advised)",
		                          SMTP_DKIM_MIN_RSA_BITS, SMTP_DKIM_MAX_RSA_BITS);
		RETURN_THROWS();
	}
	if (smtp_dkim_generate_key(algorithm, (int) bits, &pem, &pem_len, &record, &err) != 0) {
		throw_dkim_error(&err);
		RETURN_THROWS();
	}
	array_init(return_value);
	add_assoc_string(return_value, "algorithm", smtp_dkim_algorithm_name(algorithm));
	add_assoc_stringl(return_value, "private_key", pem, pem_len);
	add_assoc_string(return_value, "dns_record", record);
	smtp_dkim_secret_free(pem, pem_len + 1);
	free(record);
}

ZEND_METHOD(Smtp_Dkim, dnsRecord)
{
	zend_string *key_text;
	smtp_dkim_error err;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR(key_text)
	ZEND_PARSE_PARAMETERS_END();

	if (!key_path_allowed(key_text, "DKIM key")) {
		RETURN_THROWS();
	}
	smtp_dkim_key *key = smtp_dkim_key_load(ZSTR_VAL(key_text), ZSTR_LEN(key_text), &err);
	if (!key) {
		php_smtp_throw_invalid("DKIM key: %s", err.message);
		RETURN_THROWS();
	}
	char *record = smtp_dkim_key_dns_record(key, &err);
	smtp_dkim_key_free(key);
	if (!record) {
		throw_dkim_error(&err);
		RETURN_THROWS();
	}
	RETVAL_STRING(record);
	free(record);
}

ZEND_METHOD(Smtp_Dkim, dnsName)
{
	zend_string *selector, *domain;
	smtp_dkim_error err;

	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_STR(selector)
		Z_PARAM_STR(domain)
	ZEND_PARSE_PARAMETERS_END();

	/* the same checks as signing, with a key-less signer */
	smtp_dkim_signer probe = {NULL, SMTP_DKIM_RSA_SHA256, ZSTR_VAL(domain), ZSTR_VAL(selector)};
	if (smtp_dkim_signer_check(&probe, &err) != 0 && err.status == SMTP_DKIM_ERR_ARGUMENT) {
		zend_argument_value_error(strstr(err.message, "selector") ? 1 : 2, "%s", err.message);
		RETURN_THROWS();
	}
	zend_string *lower = zend_string_tolower(domain);
	RETVAL_STR(strpprintf(0, "%s._domainkey.%s", ZSTR_VAL(selector), ZSTR_VAL(lower)));
	zend_string_release(lower);
}

ZEND_METHOD(Smtp_Dkim, sign)
{
	zend_string *message;
	zval *config;
	zend_long when = 0;
	bool when_is_null = true;
	smtp_dkim_error err;

	ZEND_PARSE_PARAMETERS_START(2, 3)
		Z_PARAM_STR(message)
		Z_PARAM_ARRAY(config)
		Z_PARAM_OPTIONAL
		Z_PARAM_LONG_OR_NULL(when, when_is_null)
	ZEND_PARSE_PARAMETERS_END();

	if (!when_is_null && when < 0) {
		zend_argument_value_error(3, "must be a Unix time (0 or more) or null");
		RETURN_THROWS();
	}
	php_smtp_dkim_signers *signers = php_smtp_dkim_signers_from_config(config);
	if (!signers) {
		RETURN_THROWS();
	}

	/* what is signed is what a Mailer would send: CRLF line ends throughout */
	smtp_crlf_source crlf;
	smtp_crlf_source_init(&crlf, ZSTR_VAL(message), ZSTR_LEN(message));
	smtp_source source = smtp_crlf_source_as_source(&crlf);
	size_t fields_len = 0;
	char *fields = smtp_dkim_sign_source(signers->signers, signers->count, &source,
	                                     when_is_null ? time(NULL) : (time_t) when, &fields_len, &err);
	php_smtp_dkim_signers_free(signers);
	if (!fields) {
		throw_dkim_error(&err);
		RETURN_THROWS();
	}

	smart_str out = {0};
	smart_str_alloc(&out, fields_len + crlf.size, 0);
	smart_str_appendl(&out, fields, fields_len);
	free(fields);
	char chunk[8192];
	ssize_t n;
	while ((n = smtp_source_read(&source, chunk, sizeof(chunk))) > 0) {
		smart_str_appendl(&out, chunk, (size_t) n);
	}
	RETURN_STR(smart_str_extract(&out));
}

zend_result php_smtp_dkim_minit(void)
{
	php_smtp_dkim_ce = register_class_Smtp_Dkim();
	return SUCCESS;
}
