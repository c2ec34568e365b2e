/*
 * The extension's exceptions, and the one place where a failure becomes one.
 *
 * Transport code describes what went wrong as a php_smtp_failure (a kind, the
 * server's reply code and enhanced status, a message); php_smtp_failure_throw()
 * picks the class and fills the read-only properties. Whether a failure is
 * temporary (worth retrying or spooling) is decided here too, and only here.
 */
#ifndef PHP_SMTP_ERRORS_H
#define PHP_SMTP_ERRORS_H

#include "php.h"

extern zend_class_entry *php_smtp_exception_ce;
extern zend_class_entry *php_smtp_connection_exception_ce;
extern zend_class_entry *php_smtp_tls_exception_ce;
extern zend_class_entry *php_smtp_authentication_exception_ce;
extern zend_class_entry *php_smtp_recipient_exception_ce;
extern zend_class_entry *php_smtp_invalid_argument_exception_ce;

typedef enum {
	PHP_SMTP_FAILURE_SERVER,     /* the server refused: Smtp\Exception */
	PHP_SMTP_FAILURE_CONNECTION, /* could not connect, line dropped, stalled: always temporary */
	PHP_SMTP_FAILURE_TLS,
	PHP_SMTP_FAILURE_AUTH,
	PHP_SMTP_FAILURE_RECIPIENT, /* every recipient refused */
	PHP_SMTP_FAILURE_LOCAL,     /* our side: an unreadable attachment, out of memory */
} php_smtp_failure_kind;

typedef struct {
	php_smtp_failure_kind kind;
	int smtp_code;        /* the server's reply code, 0 if none */
	char enhanced[16];    /* e.g. "5.7.8", or "" */
	zend_string *message; /* owned; what the user reads */
} php_smtp_failure;

/* 4xx replies and network trouble are worth another try; 5xx and local errors are final. */
bool php_smtp_failure_is_temporary(const php_smtp_failure *failure);

/* Builds the exception object for a failure without throwing it (sendMany
 * returns these). transcript: a list to copy in, or NULL. rejected: for a
 * RecipientException, address => reply, or NULL. */
zend_object *php_smtp_failure_to_exception(const php_smtp_failure *failure, zval *transcript, zval *rejected);

/* Throws the exception for failure. */
void php_smtp_failure_throw(const php_smtp_failure *failure, zval *transcript, zval *rejected);

void php_smtp_failure_dtor(php_smtp_failure *failure);

/* Throws Smtp\InvalidArgumentException with a formatted message. */
void php_smtp_throw_invalid(const char *format, ...) ZEND_ATTRIBUTE_FORMAT(printf, 1, 2);

zend_result php_smtp_errors_minit(void);

#endif
