/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: 3904ca29b475d04d69e645d192cb943cde80582f */

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_Smtp_Receipt___construct, 0, 0, 0)
ZEND_END_ARG_INFO()


ZEND_METHOD(Smtp_Receipt, __construct);


static const zend_function_entry class_Smtp_Receipt_methods[] = {
	ZEND_ME(Smtp_Receipt, __construct, arginfo_class_Smtp_Receipt___construct, ZEND_ACC_PRIVATE)
	ZEND_FE_END
};

static zend_class_entry *register_class_Smtp_Receipt(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Smtp", "Receipt", class_Smtp_Receipt_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	zval property_messageId_default_value;
	ZVAL_UNDEF(&property_messageId_default_value);
	zend_string *property_messageId_name = zend_string_init("messageId", sizeof("messageId") - 1, 1);
	zend_declare_typed_property(class_entry, property_messageId_name, &property_messageId_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING));
	zend_string_release(property_messageId_name);

	zval property_accepted_default_value;
	ZVAL_UNDEF(&property_accepted_default_value);
	zend_string *property_accepted_name = zend_string_init("accepted", sizeof("accepted") - 1, 1);
	zend_declare_typed_property(class_entry, property_accepted_name, &property_accepted_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ARRAY));
	zend_string_release(property_accepted_name);

	zval property_rejected_default_value;
	ZVAL_UNDEF(&property_rejected_default_value);
	zend_string *property_rejected_name = zend_string_init("rejected", sizeof("rejected") - 1, 1);
	zend_declare_typed_property(class_entry, property_rejected_name, &property_rejected_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ARRAY));
	zend_string_release(property_rejected_name);

	zval property_queued_default_value;
	ZVAL_UNDEF(&property_queued_default_value);
	zend_string *property_queued_name = zend_string_init("queued", sizeof("queued") - 1, 1);
	zend_declare_typed_property(class_entry, property_queued_name, &property_queued_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_BOOL));
	zend_string_release(property_queued_name);

	zval property_response_default_value;
	ZVAL_UNDEF(&property_response_default_value);
	zend_string *property_response_name = zend_string_init("response", sizeof("response") - 1, 1);
	zend_declare_typed_property(class_entry, property_response_name, &property_response_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING));
	zend_string_release(property_response_name);

	return class_entry;
}
