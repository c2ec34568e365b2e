/* Placeholder so the module links while DKIM signing is being written. */
#include "php.h"
#include "smtp_dkim.h"
#include "smtp_errors.h"

php_smtp_dkim_signers *php_smtp_dkim_signers_from_config(zval *config)
{
	php_smtp_throw_invalid("dkim: signing is not built yet");
	return NULL;
}

php_smtp_dkim_signers *php_smtp_dkim_signers_from_ini(void)
{
	return NULL;
}

zend_string *php_smtp_dkim_sign(const php_smtp_dkim_signers *signers, const smtp_source *source)
{
	php_smtp_throw_invalid("dkim: signing is not built yet");
	return NULL;
}

void php_smtp_dkim_signers_free(php_smtp_dkim_signers *signers)
{
}

zend_result php_smtp_dkim_minit(void)
{
	return SUCCESS;
}
