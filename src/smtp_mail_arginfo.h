/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: 23a0dd3cb58af1674f07de4ceaff6f8a474d3b9f */

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_smtp_last_result, 0, 0, IS_ARRAY, 1)
ZEND_END_ARG_INFO()


ZEND_FUNCTION(smtp_last_result);


static const zend_function_entry ext_functions[] = {
	ZEND_FE(smtp_last_result, arginfo_smtp_last_result)
	ZEND_FE_END
};
