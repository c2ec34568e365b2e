/*
 * DKIM signing: the Zend side (config and INI parsing, key loading); the
 * canonicalisation, hashing and signing are pure C in src/lib/dkim.c.
 */
#ifndef PHP_SMTP_DKIM_H
#define PHP_SMTP_DKIM_H

#include "php.h"
#include "lib/source.h"

typedef struct php_smtp_dkim_signers php_smtp_dkim_signers; /* one or more loaded keys */

/* From the Mailer's `dkim` config value: one array (domain, selector, key as
 * PEM or path, algorithm rsa-sha256|ed25519-sha256) or a list of them.
 * Throws Smtp\InvalidArgumentException naming the bad key and returns NULL. */
php_smtp_dkim_signers *php_smtp_dkim_signers_from_config(zval *config);

/* From smtp.dkim_domain, smtp.dkim_selector, smtp.dkim_key_file. Returns NULL
 * without an exception when they are not set; NULL with an exception when
 * they are set but wrong. */
php_smtp_dkim_signers *php_smtp_dkim_signers_from_ini(void);

/* Reads the whole message from source once (streaming: memory does not grow
 * with its size), rewinds it, and returns the DKIM-Signature header field(s)
 * to put in front of it, each ending in CRLF. Throws and returns NULL on failure. */
zend_string *php_smtp_dkim_sign(const php_smtp_dkim_signers *signers, const smtp_source *source);

/* Frees the signers; key material is wiped first. NULL is fine. */
void php_smtp_dkim_signers_free(php_smtp_dkim_signers *signers);

zend_result php_smtp_dkim_minit(void);

#endif
