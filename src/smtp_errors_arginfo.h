/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: 7454a34f4582cdae82742d847153fce4400e3fe0 */




static const zend_function_entry class_Smtp_Exception_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_Smtp_ConnectionException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_Smtp_TlsException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_Smtp_AuthenticationException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_Smtp_RecipientException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_Smtp_InvalidArgumentException_methods[] = {
	ZEND_FE_END
};

static zend_class_entry *register_class_Smtp_Exception(zend_class_entry *class_entry_RuntimeException)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Smtp", "Exception", class_Smtp_Exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_RuntimeException);

	zval property_smtpCode_default_value;
	ZVAL_UNDEF(&property_smtpCode_default_value);
	zend_string *property_smtpCode_name = zend_string_init("smtpCode", sizeof("smtpCode") - 1, 1);
	zend_declare_typed_property(class_entry, property_smtpCode_name, &property_smtpCode_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_smtpCode_name);

	zval property_enhancedStatus_default_value;
	ZVAL_UNDEF(&property_enhancedStatus_default_value);
	zend_string *property_enhancedStatus_name = zend_string_init("enhancedStatus", sizeof("enhancedStatus") - 1, 1);
	zend_declare_typed_property(class_entry, property_enhancedStatus_name, &property_enhancedStatus_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING));
	zend_string_release(property_enhancedStatus_name);

	zval property_temporary_default_value;
	ZVAL_UNDEF(&property_temporary_default_value);
	zend_string *property_temporary_name = zend_string_init("temporary", sizeof("temporary") - 1, 1);
	zend_declare_typed_property(class_entry, property_temporary_name, &property_temporary_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_BOOL));
	zend_string_release(property_temporary_name);

	zval property_transcript_default_value;
	ZVAL_UNDEF(&property_transcript_default_value);
	zend_string *property_transcript_name = zend_string_init("transcript", sizeof("transcript") - 1, 1);
	zend_declare_typed_property(class_entry, property_transcript_name, &property_transcript_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ARRAY));
	zend_string_release(property_transcript_name);

	return class_entry;
}

static zend_class_entry *register_class_Smtp_ConnectionException(zend_class_entry *class_entry_Smtp_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Smtp", "ConnectionException", class_Smtp_ConnectionException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_Smtp_Exception);

	return class_entry;
}

static zend_class_entry *register_class_Smtp_TlsException(zend_class_entry *class_entry_Smtp_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Smtp", "TlsException", class_Smtp_TlsException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_Smtp_Exception);

	return class_entry;
}

static zend_class_entry *register_class_Smtp_AuthenticationException(zend_class_entry *class_entry_Smtp_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Smtp", "AuthenticationException", class_Smtp_AuthenticationException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_Smtp_Exception);

	return class_entry;
}

static zend_class_entry *register_class_Smtp_RecipientException(zend_class_entry *class_entry_Smtp_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Smtp", "RecipientException", class_Smtp_RecipientException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_Smtp_Exception);

	zval property_rejected_default_value;
	ZVAL_UNDEF(&property_rejected_default_value);
	zend_string *property_rejected_name = zend_string_init("rejected", sizeof("rejected") - 1, 1);
	zend_declare_typed_property(class_entry, property_rejected_name, &property_rejected_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ARRAY));
	zend_string_release(property_rejected_name);

	return class_entry;
}

static zend_class_entry *register_class_Smtp_InvalidArgumentException(zend_class_entry *class_entry_InvalidArgumentException)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Smtp", "InvalidArgumentException", class_Smtp_InvalidArgumentException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_InvalidArgumentException);

	return class_entry;
}
