#include "php.h"
#include <curl/curl.h>
#include "zend_exceptions.h"
#include "ext/spl/spl_exceptions.h"

#include "smtp_errors.h"
#include "smtp_object.h"
#include "smtp_errors_arginfo.h"

zend_class_entry *php_smtp_exception_ce;
zend_class_entry *php_smtp_connection_exception_ce;
zend_class_entry *php_smtp_tls_exception_ce;
zend_class_entry *php_smtp_authentication_exception_ce;
zend_class_entry *php_smtp_recipient_exception_ce;
zend_class_entry *php_smtp_invalid_argument_exception_ce;

static zend_object *(*exception_create_parent)(zend_class_entry *ce);

/* Every Smtp\Exception starts with its read-only properties set to "nothing
 * known", so one made with `new` by user code reads like one we threw. */
static zend_object *exception_create(zend_class_entry *ce)
{
	zend_object *obj = exception_create_parent(ce);

	php_smtp_object_set_long(obj, "smtpCode", 0);
	php_smtp_object_set_str(obj, "enhancedStatus", "", 0);
	php_smtp_object_set_bool(obj, "temporary", false);
	php_smtp_object_set_empty_array(obj, "transcript");
	if (instanceof_function(ce, php_smtp_recipient_exception_ce)) {
		php_smtp_object_set_empty_array(obj, "rejected");
	}
	return obj;
}

bool php_smtp_failure_is_temporary(const php_smtp_failure *failure)
{
	if (failure->smtp_code >= 400 && failure->smtp_code < 500) {
		return true;
	}
	if (failure->smtp_code >= 500) {
		return false;
	}
	/* No reply to judge by: the network, a stalled server or a token
	 * endpoint that is down is worth another try; a TLS or local problem
	 * will fail the same way next time. */
	return failure->kind == PHP_SMTP_FAILURE_CONNECTION || failure->kind == PHP_SMTP_FAILURE_TOKEN_TEMPORARY;
}

static const char *phase_doing(php_smtp_phase phase)
{
	switch (phase) {
	case PHP_SMTP_PHASE_CONNECT:
		return "connecting";
	case PHP_SMTP_PHASE_EHLO:
	case PHP_SMTP_PHASE_HELO:
		return "greeting the server (EHLO)";
	case PHP_SMTP_PHASE_STARTTLS:
		return "starting TLS";
	case PHP_SMTP_PHASE_AUTH:
		return "authenticating";
	case PHP_SMTP_PHASE_MAIL:
		return "giving the sender (MAIL FROM)";
	case PHP_SMTP_PHASE_RCPT:
		return "giving the recipients (RCPT TO)";
	case PHP_SMTP_PHASE_DATA:
		return "starting the message (DATA)";
	case PHP_SMTP_PHASE_BODY:
		return "sending the message";
	case PHP_SMTP_PHASE_QUIT:
		return "closing the session";
	default:
		return "talking to the server";
	}
}

static bool curl_code_is_tls(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_USE_SSL_FAILED:
		return true;
	default:
		return false;
	}
}

static bool curl_code_is_network(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return true;
	default:
		return false;
	}
}

const char *php_smtp_auth_hint(int code, const char *reply)
{
	if (!reply) {
		return "";
	}
	if (strstr(reply, "5.7.139") || strstr(reply, "SmtpClientAuthentication is disabled")) {
		return " (Microsoft 365 has SMTP AUTH turned off for this mailbox or the whole tenant: an Exchange "
		       "administrator must turn on Authenticated SMTP for the mailbox (admin center > Users > Active users "
		       "> Mail > Manage email apps, or Set-CASMailbox <mailbox> -SmtpClientAuthenticationDisabled $false), "
		       "and for the tenant unless it is allowed per mailbox)";
	}
	if (code == 534 && strstr(reply, "5.7.9")) {
		return " (Google wants OAuth 2.0 for this account: use auth xoauth2 with a token for the scope "
		       "https://mail.google.com/, or an app password where the Workspace administrator allows them)";
	}
	if (code == 535 && strstr(reply, "5.7.3")) {
		return " (Microsoft 365 refused the sign-in: check that the username is the mailbox the token was issued "
		       "for, that the token has the SMTP.Send permission (scope https://outlook.office.com/SMTP.Send), and "
		       "that Authenticated SMTP is turned on for the mailbox)";
	}
	return "";
}

void php_smtp_failure_classify(const php_smtp_observation *seen, php_smtp_failure *failure)
{
	CURLcode rc = (CURLcode)seen->curl_code;
	const char *curl_error = (seen->curl_error && *seen->curl_error) ? seen->curl_error : curl_easy_strerror(rc);
	bool refused = seen->reply_code >= 400;

	memset(failure, 0, sizeof(*failure));
	if (refused) {
		failure->smtp_code = seen->reply_code;
		strlcpy(failure->enhanced, seen->enhanced ? seen->enhanced : "", sizeof(failure->enhanced));
	}

	if (refused && seen->all_recipients_rejected) {
		failure->kind = PHP_SMTP_FAILURE_RECIPIENT;
		failure->message = strpprintf(0, "The server accepted none of the recipients: %d %s", seen->reply_code,
		                              seen->reply ? seen->reply : "");
	} else if (refused && seen->phase == PHP_SMTP_PHASE_CONNECT) {
		failure->kind = PHP_SMTP_FAILURE_CONNECTION;
		failure->message = strpprintf(0, "%s:%ld greeted with a refusal: %d %s", seen->host, seen->port,
		                              seen->reply_code, seen->reply ? seen->reply : "");
	} else if (refused && seen->phase == PHP_SMTP_PHASE_STARTTLS) {
		failure->kind = PHP_SMTP_FAILURE_TLS;
		failure->message = strpprintf(0, "The server refused STARTTLS: %d %s", seen->reply_code,
		                              seen->reply ? seen->reply : "");
	} else if (rc == CURLE_LOGIN_DENIED || (refused && seen->phase == PHP_SMTP_PHASE_AUTH)) {
		failure->kind = PHP_SMTP_FAILURE_AUTH;
		if (refused) {
			failure->message = strpprintf(0, "Authentication failed: %d %s%s", seen->reply_code,
			                              seen->reply ? seen->reply : "",
			                              php_smtp_auth_hint(seen->reply_code, seen->reply));
		} else {
			failure->message = strpprintf(0, "Authentication failed: %s (no mechanism both sides support?)",
			                              curl_error);
		}
	} else if (refused) {
		failure->kind = PHP_SMTP_FAILURE_SERVER;
		failure->message = strpprintf(0, "The server refused while %s: %d %s", phase_doing(seen->phase),
		                              seen->reply_code, seen->reply ? seen->reply : "");
	} else if (curl_code_is_tls(rc)) {
		failure->kind = PHP_SMTP_FAILURE_TLS;
		if (rc == CURLE_USE_SSL_FAILED) {
			failure->message = strpprintf(0, "TLS is required but %s:%ld did not start it: %s", seen->host,
			                              seen->port, curl_error);
		} else {
			failure->message = strpprintf(0, "TLS with %s:%ld failed: %s", seen->host, seen->port, curl_error);
		}
	} else if (curl_code_is_network(rc)) {
		failure->kind = PHP_SMTP_FAILURE_CONNECTION;
		failure->message = strpprintf(0, "Connection to %s:%ld failed while %s: %s", seen->host, seen->port,
		                              phase_doing(seen->phase), curl_error);
	} else if (rc == CURLE_WEIRD_SERVER_REPLY) {
		failure->kind = PHP_SMTP_FAILURE_SERVER;
		failure->message = strpprintf(0, "The server sent a reply that is not SMTP while %s: %s",
		                              phase_doing(seen->phase), curl_error);
	} else {
		failure->kind = PHP_SMTP_FAILURE_SERVER;
		failure->message = strpprintf(0, "Sending failed while %s: %s", phase_doing(seen->phase), curl_error);
	}
}

static zend_class_entry *failure_class(php_smtp_failure_kind kind)
{
	switch (kind) {
	case PHP_SMTP_FAILURE_CONNECTION:
		return php_smtp_connection_exception_ce;
	case PHP_SMTP_FAILURE_TLS:
		return php_smtp_tls_exception_ce;
	case PHP_SMTP_FAILURE_AUTH:
	case PHP_SMTP_FAILURE_TOKEN_TEMPORARY:
		return php_smtp_authentication_exception_ce;
	case PHP_SMTP_FAILURE_RECIPIENT:
		return php_smtp_recipient_exception_ce;
	case PHP_SMTP_FAILURE_SERVER:
	case PHP_SMTP_FAILURE_LOCAL:
	default:
		return php_smtp_exception_ce;
	}
}

zend_object *php_smtp_failure_to_exception(const php_smtp_failure *failure, zval *transcript, zval *rejected)
{
	zend_class_entry *ce = failure_class(failure->kind);
	zval ex;

	object_init_ex(&ex, ce);
	zend_object *obj = Z_OBJ(ex);

	zval msg;
	if (failure->message) {
		ZVAL_STR_COPY(&msg, failure->message);
	} else {
		ZVAL_STRING(&msg, "SMTP failure");
	}
	zend_update_property_ex(zend_ce_exception, obj, ZSTR_KNOWN(ZEND_STR_MESSAGE), &msg);
	zval_ptr_dtor(&msg);

	zval code;
	ZVAL_LONG(&code, failure->smtp_code);
	zend_update_property_ex(zend_ce_exception, obj, ZSTR_KNOWN(ZEND_STR_CODE), &code);

	php_smtp_object_set_long(obj, "smtpCode", failure->smtp_code);
	php_smtp_object_set_str(obj, "enhancedStatus", failure->enhanced, strlen(failure->enhanced));
	php_smtp_object_set_bool(obj, "temporary", php_smtp_failure_is_temporary(failure));
	if (transcript && Z_TYPE_P(transcript) == IS_ARRAY) {
		Z_TRY_ADDREF_P(transcript);
		php_smtp_object_set_slot(obj, "transcript", transcript);
	}
	if (rejected && Z_TYPE_P(rejected) == IS_ARRAY && ce == php_smtp_recipient_exception_ce) {
		Z_TRY_ADDREF_P(rejected);
		php_smtp_object_set_slot(obj, "rejected", rejected);
	}
	return obj;
}

void php_smtp_failure_throw(const php_smtp_failure *failure, zval *transcript, zval *rejected)
{
	zval ex;
	ZVAL_OBJ(&ex, php_smtp_failure_to_exception(failure, transcript, rejected));
	zend_throw_exception_object(&ex);
}

void php_smtp_failure_dtor(php_smtp_failure *failure)
{
	if (failure->message) {
		zend_string_release(failure->message);
		failure->message = NULL;
	}
}

void php_smtp_throw_invalid(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	zend_string *message = vstrpprintf(0, format, args);
	va_end(args);
	zend_throw_exception(php_smtp_invalid_argument_exception_ce, ZSTR_VAL(message), 0);
	zend_string_release(message);
}

zend_result php_smtp_errors_minit(void)
{
	php_smtp_exception_ce = register_class_Smtp_Exception(spl_ce_RuntimeException);
	exception_create_parent = php_smtp_exception_ce->create_object;
	php_smtp_exception_ce->create_object = exception_create;

	php_smtp_connection_exception_ce = register_class_Smtp_ConnectionException(php_smtp_exception_ce);
	php_smtp_tls_exception_ce = register_class_Smtp_TlsException(php_smtp_exception_ce);
	php_smtp_authentication_exception_ce = register_class_Smtp_AuthenticationException(php_smtp_exception_ce);
	php_smtp_recipient_exception_ce = register_class_Smtp_RecipientException(php_smtp_exception_ce);
	php_smtp_invalid_argument_exception_ce =
	    register_class_Smtp_InvalidArgumentException(spl_ce_InvalidArgumentException);

	/* Subclasses registered from C do not inherit create_object. */
	php_smtp_connection_exception_ce->create_object = exception_create;
	php_smtp_tls_exception_ce->create_object = exception_create;
	php_smtp_authentication_exception_ce->create_object = exception_create;
	php_smtp_recipient_exception_ce->create_object = exception_create;
	return SUCCESS;
}
