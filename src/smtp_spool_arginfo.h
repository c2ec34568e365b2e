/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: ed25fbe903f8f2784f9dd5ab149274e3faa7586f */

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_Smtp_Spool___construct, 0, 0, 1)
	ZEND_ARG_TYPE_INFO(0, dir, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Spool_count, 0, 0, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Spool_flush, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_OBJ_INFO(0, mailer, Smtp\\Mailer, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, limit, IS_LONG, 0, "100")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, force, _IS_BOOL, 0, "false")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Spool_messages, 0, 0, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, failed, _IS_BOOL, 0, "false")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Spool_message, 0, 1, IS_ARRAY, 1)
	ZEND_ARG_TYPE_INFO(0, id, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Spool_retry, 0, 1, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, id, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Spool_purge, 0, 0, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, failed, _IS_BOOL, 0, "false")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, olderThan, IS_LONG, 0, "0")
ZEND_END_ARG_INFO()


ZEND_METHOD(Smtp_Spool, __construct);
ZEND_METHOD(Smtp_Spool, count);
ZEND_METHOD(Smtp_Spool, flush);
ZEND_METHOD(Smtp_Spool, messages);
ZEND_METHOD(Smtp_Spool, message);
ZEND_METHOD(Smtp_Spool, retry);
ZEND_METHOD(Smtp_Spool, purge);


static const zend_function_entry class_Smtp_Spool_methods[] = {
	ZEND_ME(Smtp_Spool, __construct, arginfo_class_Smtp_Spool___construct, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Spool, count, arginfo_class_Smtp_Spool_count, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Spool, flush, arginfo_class_Smtp_Spool_flush, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Spool, messages, arginfo_class_Smtp_Spool_messages, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Spool, message, arginfo_class_Smtp_Spool_message, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Spool, retry, arginfo_class_Smtp_Spool_retry, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Spool, purge, arginfo_class_Smtp_Spool_purge, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};

static zend_class_entry *register_class_Smtp_Spool(zend_class_entry *class_entry_Countable)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Smtp", "Spool", class_Smtp_Spool_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NOT_SERIALIZABLE;
	zend_class_implements(class_entry, 1, class_entry_Countable);

	return class_entry;
}
