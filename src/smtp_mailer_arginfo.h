/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: 5293a0feb74a6ecd2832673b9baef1af107c1760 */

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_Smtp_Mailer___construct, 0, 0, 0)
	ZEND_ARG_TYPE_MASK(0, config, MAY_BE_ARRAY|MAY_BE_STRING, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_Smtp_Mailer_send, 0, 1, Smtp\\Receipt, 0)
	ZEND_ARG_OBJ_INFO(0, message, Smtp\\Message, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_Smtp_Mailer_sendRaw, 0, 3, Smtp\\Receipt, 0)
	ZEND_ARG_TYPE_INFO(0, from, IS_STRING, 0)
	ZEND_ARG_TYPE_MASK(0, recipients, MAY_BE_ARRAY|MAY_BE_STRING, NULL)
	ZEND_ARG_TYPE_INFO(0, data, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Mailer_sendMany, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, messages, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, concurrency, IS_LONG, 0, "4")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Mailer_transcript, 0, 0, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Mailer_close, 0, 0, IS_VOID, 0)
ZEND_END_ARG_INFO()


ZEND_METHOD(Smtp_Mailer, __construct);
ZEND_METHOD(Smtp_Mailer, send);
ZEND_METHOD(Smtp_Mailer, sendRaw);
ZEND_METHOD(Smtp_Mailer, sendMany);
ZEND_METHOD(Smtp_Mailer, transcript);
ZEND_METHOD(Smtp_Mailer, close);


static const zend_function_entry class_Smtp_Mailer_methods[] = {
	ZEND_ME(Smtp_Mailer, __construct, arginfo_class_Smtp_Mailer___construct, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Mailer, send, arginfo_class_Smtp_Mailer_send, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Mailer, sendRaw, arginfo_class_Smtp_Mailer_sendRaw, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Mailer, sendMany, arginfo_class_Smtp_Mailer_sendMany, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Mailer, transcript, arginfo_class_Smtp_Mailer_transcript, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Mailer, close, arginfo_class_Smtp_Mailer_close, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};

static zend_class_entry *register_class_Smtp_Mailer(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Smtp", "Mailer", class_Smtp_Mailer_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_NOT_SERIALIZABLE;


	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "__construct", sizeof("__construct") - 1), 0, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	return class_entry;
}
