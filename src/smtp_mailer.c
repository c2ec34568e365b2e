#include "php.h"
#include "smtp_mailer.h"
#include "smtp_receipt.h"
#include "smtp_message.h"
#include "smtp_errors.h"
#include "zend_attributes.h"
#include "smtp_mailer_arginfo.h"

zend_class_entry *php_smtp_mailer_ce;

ZEND_METHOD(Smtp_Mailer, __construct) { zval *c = NULL; ZEND_PARSE_PARAMETERS_START(0, 1) Z_PARAM_OPTIONAL Z_PARAM_ZVAL(c) ZEND_PARSE_PARAMETERS_END(); }
ZEND_METHOD(Smtp_Mailer, send) { zend_throw_error(NULL, "not yet"); }
ZEND_METHOD(Smtp_Mailer, sendRaw) { zend_throw_error(NULL, "not yet"); }
ZEND_METHOD(Smtp_Mailer, sendMany) { zend_throw_error(NULL, "not yet"); }
ZEND_METHOD(Smtp_Mailer, transcript) { RETURN_EMPTY_ARRAY(); }
ZEND_METHOD(Smtp_Mailer, close) { }

zend_result php_smtp_mailer_minit(void)
{
	php_smtp_mailer_ce = register_class_Smtp_Mailer();
	return SUCCESS;
}
