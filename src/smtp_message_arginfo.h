/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: 72434928d6a66b9e5e0e51f71ef74acfdc2d6f80 */

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_Smtp_Message___construct, 0, 0, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Message_from, 0, 1, IS_STATIC, 0)
	ZEND_ARG_TYPE_INFO(0, address, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, name, IS_STRING, 1, "null")
ZEND_END_ARG_INFO()

#define arginfo_class_Smtp_Message_to arginfo_class_Smtp_Message_from

#define arginfo_class_Smtp_Message_cc arginfo_class_Smtp_Message_from

#define arginfo_class_Smtp_Message_bcc arginfo_class_Smtp_Message_from

#define arginfo_class_Smtp_Message_replyTo arginfo_class_Smtp_Message_from

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Message_returnPath, 0, 1, IS_STATIC, 0)
	ZEND_ARG_TYPE_INFO(0, address, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Message_subject, 0, 1, IS_STATIC, 0)
	ZEND_ARG_TYPE_INFO(0, subject, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Message_text, 0, 1, IS_STATIC, 0)
	ZEND_ARG_TYPE_INFO(0, body, IS_STRING, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_Smtp_Message_html arginfo_class_Smtp_Message_text

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Message_attach, 0, 1, IS_STATIC, 0)
	ZEND_ARG_TYPE_INFO(0, path, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, name, IS_STRING, 1, "null")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, type, IS_STRING, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Message_attachData, 0, 2, IS_STATIC, 0)
	ZEND_ARG_TYPE_INFO(0, data, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, type, IS_STRING, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Message_embed, 0, 2, IS_STATIC, 0)
	ZEND_ARG_TYPE_INFO(0, path, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, cid, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, name, IS_STRING, 1, "null")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, type, IS_STRING, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Message_header, 0, 2, IS_STATIC, 0)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, value, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Message_toString, 0, 0, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Smtp_Message_writeTo, 0, 1, IS_LONG, 0)
	ZEND_ARG_INFO(0, stream)
ZEND_END_ARG_INFO()

#define arginfo_class_Smtp_Message_messageId arginfo_class_Smtp_Message_toString


ZEND_METHOD(Smtp_Message, __construct);
ZEND_METHOD(Smtp_Message, from);
ZEND_METHOD(Smtp_Message, to);
ZEND_METHOD(Smtp_Message, cc);
ZEND_METHOD(Smtp_Message, bcc);
ZEND_METHOD(Smtp_Message, replyTo);
ZEND_METHOD(Smtp_Message, returnPath);
ZEND_METHOD(Smtp_Message, subject);
ZEND_METHOD(Smtp_Message, text);
ZEND_METHOD(Smtp_Message, html);
ZEND_METHOD(Smtp_Message, attach);
ZEND_METHOD(Smtp_Message, attachData);
ZEND_METHOD(Smtp_Message, embed);
ZEND_METHOD(Smtp_Message, header);
ZEND_METHOD(Smtp_Message, toString);
ZEND_METHOD(Smtp_Message, writeTo);
ZEND_METHOD(Smtp_Message, messageId);


static const zend_function_entry class_Smtp_Message_methods[] = {
	ZEND_ME(Smtp_Message, __construct, arginfo_class_Smtp_Message___construct, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Message, from, arginfo_class_Smtp_Message_from, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Message, to, arginfo_class_Smtp_Message_to, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Message, cc, arginfo_class_Smtp_Message_cc, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Message, bcc, arginfo_class_Smtp_Message_bcc, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Message, replyTo, arginfo_class_Smtp_Message_replyTo, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Message, returnPath, arginfo_class_Smtp_Message_returnPath, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Message, subject, arginfo_class_Smtp_Message_subject, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Message, text, arginfo_class_Smtp_Message_text, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Message, html, arginfo_class_Smtp_Message_html, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Message, attach, arginfo_class_Smtp_Message_attach, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Message, attachData, arginfo_class_Smtp_Message_attachData, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Message, embed, arginfo_class_Smtp_Message_embed, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Message, header, arginfo_class_Smtp_Message_header, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Message, toString, arginfo_class_Smtp_Message_toString, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Message, writeTo, arginfo_class_Smtp_Message_writeTo, ZEND_ACC_PUBLIC)
	ZEND_ME(Smtp_Message, messageId, arginfo_class_Smtp_Message_messageId, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};

static zend_class_entry *register_class_Smtp_Message(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Smtp", "Message", class_Smtp_Message_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}
