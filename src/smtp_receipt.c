#include "php.h"
#include "smtp_receipt.h"
#include "smtp_object.h"
#include "smtp_receipt_arginfo.h"

zend_class_entry *php_smtp_receipt_ce;

/* Only the extension makes receipts: the constructor is private. */
ZEND_METHOD(Smtp_Receipt, __construct)
{
	ZEND_PARSE_PARAMETERS_NONE();
}

void php_smtp_receipt_create(zval *return_value, zend_string *message_id, zval *accepted, zval *rejected, bool queued,
                             zend_string *response)
{
	object_init_ex(return_value, php_smtp_receipt_ce);
	zend_object *obj = Z_OBJ_P(return_value);
	zval z;

	ZVAL_STR(&z, message_id ? zend_string_copy(message_id) : ZSTR_EMPTY_ALLOC());
	php_smtp_object_set_slot(obj, "messageId", &z);
	php_smtp_object_set_slot(obj, "accepted", accepted);
	php_smtp_object_set_slot(obj, "rejected", rejected);
	php_smtp_object_set_bool(obj, "queued", queued);
	ZVAL_STR(&z, response ? zend_string_copy(response) : ZSTR_EMPTY_ALLOC());
	php_smtp_object_set_slot(obj, "response", &z);
}

zend_result php_smtp_receipt_minit(void)
{
	php_smtp_receipt_ce = register_class_Smtp_Receipt();
	return SUCCESS;
}
