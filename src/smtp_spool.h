/*
 * Smtp\Spool: a durable directory queue for messages a relay could not take
 * yet, and the Mailer's hook that queues a message on a temporary failure.
 * The file format and the crash-safe file work are pure C in lib/spool_file.c.
 */
#ifndef PHP_SMTP_SPOOL_H
#define PHP_SMTP_SPOOL_H

#include "php.h"

#include "smtp_config.h"
#include "smtp_transport.h"

extern zend_class_entry *php_smtp_spool_ce;

/* False, with the reason in err, when dir is outside open_basedir. */
bool php_smtp_spool_dir_allowed(const char *dir, char *err, size_t err_len);

/* Called after a send failed. When config has a spool and the failure is
 * temporary, writes the message (re-read from envelope->source) to the spool,
 * puts a Receipt with queued=true in return_value, releases outcome and
 * returns true. Otherwise (no spool, a permanent failure, or the spool could
 * not be written: that is warned about) returns false and leaves outcome for
 * the caller to report as before. */
bool php_smtp_spool_divert(const php_smtp_config *config, const php_smtp_envelope *envelope,
                           php_smtp_outcome *outcome, zval *return_value);

/* Deferred mode: writes the message into the spool of the Mailer mailer_obj,
 * due now, puts a Receipt with queued=true in return_value and remembers the
 * message (holding a reference to the Mailer) for the end of the request.
 * Returns false (warned) when the spool could not take it. */
bool php_smtp_spool_defer(zend_object *mailer_obj, const php_smtp_envelope *envelope, zval *return_value);

/* At the end of the request: sends what this request deferred (after ending
 * the response where the SAPI can), leaving what fails in the spool. A fatal
 * error in a debug callable it runs is caught: the list is released anyway. */
void php_smtp_spool_rshutdown(void);

/* At the start of a request: an empty list, whatever the last request left. */
void php_smtp_spool_rinit(void);

zend_result php_smtp_spool_minit(void);

#endif
