#ifndef PHP_SMTP_MAILER_H
#define PHP_SMTP_MAILER_H

#include "php.h"

extern zend_class_entry *php_smtp_mailer_ce;

zend_result php_smtp_mailer_minit(void);

#endif
