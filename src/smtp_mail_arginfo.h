/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: d6ebf5c9619c18edbca98215a807ff0831f37f0e */

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_smtp_last_result, 0, 0, IS_ARRAY, 1)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_smtp_persistent_sessions, 0, 0, IS_ARRAY, 0)
ZEND_END_ARG_INFO()


ZEND_FUNCTION(smtp_last_result);
ZEND_FUNCTION(smtp_persistent_sessions);


static const zend_function_entry ext_functions[] = {
	ZEND_FE(smtp_last_result, arginfo_smtp_last_result)
	ZEND_FE(smtp_persistent_sessions, arginfo_smtp_persistent_sessions)
	ZEND_FE_END
};
