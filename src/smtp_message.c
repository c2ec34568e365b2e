/* Placeholder so the module links while Smtp\Message is being written. */
#include "php.h"
#include "smtp_message.h"

zend_class_entry *php_smtp_message_ce;

zend_result php_smtp_message_prepare(zend_object *message, const char *default_from, const char *default_from_name,
                                     php_smtp_outgoing *out)
{
	zend_throw_error(NULL, "Smtp\\Message is not built yet");
	return FAILURE;
}

void php_smtp_outgoing_release(php_smtp_outgoing *out)
{
}

zend_result php_smtp_message_minit(void)
{
	return SUCCESS;
}
