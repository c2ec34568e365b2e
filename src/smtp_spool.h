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

/* Called after a send failed. When config has a spool and the failure is
 * temporary, writes the message (re-read from envelope->source) to the spool,
 * puts a Receipt with queued=true in return_value, releases outcome and
 * returns true. Otherwise (no spool, a permanent failure, or the spool could
 * not be written: that is warned about) returns false and leaves outcome for
 * the caller to report as before. */
bool php_smtp_spool_divert(const php_smtp_config *config, const php_smtp_envelope *envelope,
                           php_smtp_outcome *outcome, zend_string *message_id, zval *return_value);

zend_result php_smtp_spool_minit(void);

#endif
