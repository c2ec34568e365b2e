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
	PHP_SMTP_FAILURE_TOKEN_TEMPORARY, /* the OAuth token endpoint is unreachable or down: temporary */
} php_smtp_failure_kind;

typedef struct {
	php_smtp_failure_kind kind;
	int smtp_code;        /* the server's reply code, 0 if none */
	char enhanced[16];    /* e.g. "5.7.8", or "" */
	zend_string *message; /* owned; what the user reads */
} php_smtp_failure;

/* Where an SMTP session was when something happened: the last command the
 * client sent (the greeting comes before any). */
typedef enum {
	PHP_SMTP_PHASE_CONNECT, /* connecting, or waiting for the greeting */
	PHP_SMTP_PHASE_EHLO,
	PHP_SMTP_PHASE_HELO,
	PHP_SMTP_PHASE_STARTTLS,
	PHP_SMTP_PHASE_AUTH,
	PHP_SMTP_PHASE_MAIL,
	PHP_SMTP_PHASE_RCPT,
	PHP_SMTP_PHASE_DATA, /* DATA sent, waiting for 354 */
	PHP_SMTP_PHASE_BODY, /* 354 received: the message is going out, then its final reply */
	PHP_SMTP_PHASE_QUIT,
	PHP_SMTP_PHASE_OTHER,
} php_smtp_phase;

/* What the transport saw when a transfer ended: libcurl's result and the
 * server's last complete reply. php_smtp_failure_classify() turns it into a
 * failure, the only place a CURLcode or a reply becomes an exception kind. */
typedef struct {
	int curl_code;          /* a CURLcode */
	const char *curl_error; /* libcurl's error buffer, may be "" */
	php_smtp_phase phase;
	int reply_code;         /* last complete reply, 0 if none */
	const char *reply;      /* its text, lines joined by "\n" (may be NULL) */
	const char *enhanced;   /* its enhanced status, or "" */
	bool all_recipients_rejected;
	const char *host;
	long port;
} php_smtp_observation;

/* Fills failure from what was observed. */
void php_smtp_failure_classify(const php_smtp_observation *seen, php_smtp_failure *failure);

/* A hint for an AUTH refusal that a provider explains in its own words
 * (Microsoft 365's 5.7.139 and 5.7.3, Google's 534 5.7.9), or "". */
const char *php_smtp_auth_hint(int code, const char *reply);

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
