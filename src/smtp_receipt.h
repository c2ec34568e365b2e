#ifndef PHP_SMTP_RECEIPT_H
#define PHP_SMTP_RECEIPT_H

#include "php.h"

extern zend_class_entry *php_smtp_receipt_ce;

/* Creates a Receipt in return_value. accepted and rejected are arrays whose
 * references are taken over; message_id and response are copied. */
void php_smtp_receipt_create(zval *return_value, zend_string *message_id, zval *accepted, zval *rejected, bool queued,
                             zend_string *response);

zend_result php_smtp_receipt_minit(void);

#endif
