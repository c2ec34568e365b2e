/*
 * smtp.log: one line for every message the extension sends or queues,
 * whichever API sent it, to a file (appended with O_APPEND, one write() per
 * line, so concurrent FPM workers never interleave) or to syslog (LOG_MAIL).
 *
 *   2026-11-26T16:40:01Z /srv/www/contact.php:12 from=<a@x.test> to=<b@y.test>,<c@y.test> id=<...@x.test> result=sent reply="250 2.0.0 Ok: queued as 4F2"
 *
 * Time in UTC; the script and line that sent it ("-:0" outside a script);
 * result is sent, queued or failed; reply is the server's final reply, or the
 * reason of the failure (double quotes and control characters in it become
 * single quotes and spaces). The syslog line is the same without the time.
 * A secret never reaches this file: the envelope, the Message-ID and the
 * reply are all there is.
 *
 * Where the lines come from: php_smtp_mailer_deliver() (send, sendRaw,
 * mail(), spool flush), sendMany's per-message outcome, and the spool's
 * divert (a temporary failure that was queued: one "queued" line instead of
 * a "failed" one; see php_smtp_log_left_to_spool()).
 *
 * Also here: PHP's own mail.log line for mail(), in PHP's format.
 */
#ifndef PHP_SMTP_LOG_H
#define PHP_SMTP_LOG_H

#include "php.h"

#include "smtp_config.h"
#include "smtp_transport.h"

/* True when the caller is going to offer this failed outcome to the spool
 * (a spool is configured and the failure is temporary): the divert writes
 * the line then ("queued", or "failed" if the spool could not take it), so
 * the send itself does not. */
bool php_smtp_log_left_to_spool(const php_smtp_config *config, const php_smtp_outcome *outcome);

/* One line for a delivery attempt, from its outcome. The Message-ID is the
 * envelope's; when that is unknown (a message read back from the spool) it
 * is read from the message's header block, only when smtp.log is set. Does
 * nothing for an outcome left to the spool; config may be NULL where no
 * spool is ever offered (sendMany). */
void php_smtp_log_outcome(const php_smtp_config *config, const php_smtp_envelope *envelope,
                          const php_smtp_outcome *outcome);

/* One line with an explicit result ("sent", "queued", "failed") and reply. */
void php_smtp_log_message(const php_smtp_envelope *envelope, const char *result, const char *reply);

/* PHP's mail.log line ("mail() on [script:line]: To: ... -- Headers: ...
 * -- Subject: ..."), to the file or syslog that mail.log names. */
void php_smtp_log_php_mail(const char *to, const char *headers, const char *subject);

#endif
