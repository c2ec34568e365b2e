/*
 * Smtp\Mailer: configuration, one kept-alive connection, and the send paths
 * (send, sendRaw, sendMany). mail() and the spool send through the same
 * php_smtp_mailer_deliver().
 */
#ifndef PHP_SMTP_MAILER_H
#define PHP_SMTP_MAILER_H

#include "php.h"
#include <curl/curl.h>

#include "smtp_config.h"
#include "smtp_transport.h"
#include "smtp_pipeline.h"

extern zend_class_entry *php_smtp_mailer_ce;

typedef struct {
	php_smtp_config config;
	bool configured;
	php_smtp_pipeline pipeline; /* its sessions stay open between sends (keepalive) */
	php_smtp_pipeline fallback_pipeline; /* the fallback relay's: sendMany may need it mid-batch */
	php_smtp_sockets sockets; /* what the handles above have open */
	zval transcript; /* the last session's lines */
	bool sending; /* a send is running: see php_smtp_mailer_begin() */
	zend_object std;
} php_smtp_mailer;

static inline php_smtp_mailer *php_smtp_mailer_from_obj(zend_object *obj)
{
	return (php_smtp_mailer *)((char *)obj - offsetof(php_smtp_mailer, std));
}
#define Z_SMTP_MAILER_P(zv) php_smtp_mailer_from_obj(Z_OBJ_P(zv))

/* Sends envelope through the mailer's connection (DKIM-signing it first when
 * configured). The outcome says what happened; nothing is thrown. */
void php_smtp_mailer_deliver(php_smtp_mailer *mailer, const php_smtp_envelope *envelope, php_smtp_outcome *outcome);

/* False, with an Error thrown, for a Mailer whose constructor never ran. */
bool php_smtp_mailer_ready(php_smtp_mailer *mailer);

/* PHP code runs in the middle of a send (the debug callable, an error handler
 * fired by a warning, a destructor), and the send's sessions, buffers and
 * envelope must outlive it. So every send path brackets its work with
 * begin/end: begin marks the Mailer as sending and holds a reference to its
 * object (nothing can free it meanwhile); while it is marked, send(),
 * sendRaw(), sendMany(), close() and Spool::flush() on it throw
 * Smtp\Exception "this Mailer is sending" instead of touching what the send
 * is using. begin returns false, with that exception thrown, when the Mailer
 * is already sending. end may free the Mailer (its last reference). */
bool php_smtp_mailer_begin(php_smtp_mailer *mailer);
void php_smtp_mailer_end(php_smtp_mailer *mailer);

zend_result php_smtp_mailer_minit(void);

#endif
