/*
 * mail() through SMTP: with smtp.override_mail=1, PHP's own mail() function
 * sends through the extension (the smtp.* INI settings, one kept-alive
 * connection per request) instead of piping into sendmail.
 *
 * The handler of the standard "mail" function is swapped at MINIT and put
 * back at MSHUTDOWN; while smtp.override_mail is off the original handler
 * runs, so the INI can be set per directory or per FPM pool.
 */
#ifndef PHP_SMTP_MAIL_H
#define PHP_SMTP_MAIL_H

#include "php.h"

zend_result php_smtp_mail_minit(void);
zend_result php_smtp_mail_mshutdown(void);
/* Closes the request's connection (QUIT) and forgets its mailer. */
void php_smtp_mail_rshutdown(void);
/* At request start: no mailer, whatever the last request's end left. */
void php_smtp_mail_rinit(void);

#endif
