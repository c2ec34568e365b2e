/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: 12a722efca5eb39df414f873ad32d7327bf341a1 */

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_Smtp_Dkim___construct, 0, 0, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Dkim_generateKey, 0, 0, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, algorithm, IS_STRING, 0, "\"rsa-sha256\"")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, bits, IS_LONG, 0, "2048")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Dkim_dnsRecord, 0, 1, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, key, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Dkim_dnsName, 0, 2, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, selector, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, domain, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Dkim_sign, 0, 2, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, message, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, config, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, time, IS_LONG, 1, "null")
ZEND_END_ARG_INFO()


ZEND_METHOD(Smtp_Dkim, __construct);
ZEND_METHOD(Smtp_Dkim, generateKey);
ZEND_METHOD(Smtp_Dkim, dnsRecord);
ZEND_METHOD(Smtp_Dkim, dnsName);
ZEND_METHOD(Smtp_Dkim, sign);


static const zend_function_entry class_Smtp_Dkim_methods[] = {
	ZEND_ME(Smtp_Dkim, __construct, arginfo_class_Smtp_Dkim___construct, ZEND_ACC_PRIVATE)
	ZEND_ME(Smtp_Dkim, generateKey, arginfo_class_Smtp_Dkim_generateKey, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Smtp_Dkim, dnsRecord, arginfo_class_Smtp_Dkim_dnsRecord, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Smtp_Dkim, dnsName, arginfo_class_Smtp_Dkim_dnsName, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Smtp_Dkim, sign, arginfo_class_Smtp_Dkim_sign, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_FE_END
};

static zend_class_entry *register_class_Smtp_Dkim(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Smtp", "Dkim", class_Smtp_Dkim_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NOT_SERIALIZABLE;


	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "dnsrecord", sizeof("dnsrecord") - 1), 0, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "sign", sizeof("sign") - 1), 1, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	return class_entry;
}
