#include "php.h"
#include "zend_smart_str.h"
#include "ext/standard/base64.h"
#include <poll.h>
#include <time.h>

#include "smtp_oauth_sasl.h"
#include "smtp_oauth.h"
#include "lib/reply.h"
#include "lib/redact.h"

/* RFC 5321 4.5.3.1.4: a command line, CRLF included. RFC 4954 4: an initial
 * response that would make AUTH longer goes in the two-step exchange. */
#define COMMAND_LINE_MAX 512
#define IN_MAX 16384
#define TRANSCRIPT_LINE_MAX 1000
/* what of a provider's error challenge is kept for the message */
#define PROVIDER_ERROR_MAX 400

typedef enum { ATTEMPT_OK, ATTEMPT_REFUSED, ATTEMPT_BROKEN } attempt_result;

typedef struct {
	CURL *easy;
	curl_socket_t fd;
	const php_smtp_config *config;
	php_smtp_outcome *outcome;
	const char *mechanism;
	smtp_redactor redactor;
	bool debug_threw;

	char in[IN_MAX];
	size_t in_len;
	php_smtp_reply_reader reader;

	int code; /* the last reply */
	zend_string *text;
	char enhanced[16];
	zend_string *provider_error; /* the decoded error challenge, printable */
	const char *why;             /* when the connection broke */
} exchange;

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void note(exchange *x, const char *prefix, const char *text, size_t len)
{
	if (!php_smtp_transcript_add(x->config, &x->outcome->transcript, prefix, text, len)) {
		x->debug_threw = true;
	}
}

static bool wait_for(exchange *x, short events, double deadline)
{
	double left = deadline - now_seconds();
	if (left <= 0) {
		return false;
	}
	struct pollfd p = {.fd = x->fd, .events = events, .revents = 0};
	int n = poll(&p, 1, (int)(left * 1000) + 1);
	return n > 0;
}

/* Sends line + CRLF; the transcript gets its redacted form. */
static bool send_line(exchange *x, const char *line, size_t len)
{
	char safe[TRANSCRIPT_LINE_MAX + 1];
	size_t safe_len = smtp_redact_client_line(&x->redactor, line, len, safe, sizeof(safe));
	note(x, "C: ", safe, safe_len);

	smart_str out = {0};
	smart_str_appendl(&out, line, len);
	smart_str_appendl(&out, "\r\n", 2);
	size_t sent = 0, total = ZSTR_LEN(out.s);
	double deadline = now_seconds() + x->config->timeout;
	bool ok = true;
	while (sent < total) {
		size_t n = 0;
		CURLcode rc = curl_easy_send(x->easy, ZSTR_VAL(out.s) + sent, total - sent, &n);
		if (rc == CURLE_AGAIN) {
			if (!wait_for(x, POLLOUT, deadline)) {
				x->why = "no progress sending AUTH in time";
				ok = false;
				break;
			}
			continue;
		}
		if (rc != CURLE_OK) {
			x->why = "the connection broke while sending AUTH";
			ok = false;
			break;
		}
		sent += n;
	}
	ZEND_SECURE_ZERO(ZSTR_VAL(out.s), ZSTR_LEN(out.s));
	smart_str_free(&out);
	return ok;
}

/* Reads one complete reply into x->code / x->text. */
static bool read_reply(exchange *x)
{
	double deadline = now_seconds() + x->config->timeout;
	for (;;) {
		char *lf;
		while ((lf = memchr(x->in, '\n', x->in_len)) != NULL) {
			size_t raw = lf + 1 - x->in;
			size_t len = smtp_line_trim_eol(x->in, raw);
			note(x, "S: ", x->in, len);
			smtp_reply_line line;
			bool good = smtp_reply_parse_line(x->in, len, &line) == 0 && php_smtp_reply_add(&x->reader, &line);
			memmove(x->in, x->in + raw, x->in_len - raw);
			x->in_len -= raw;
			if (!good) {
				x->why = "the server sent a line that is not an SMTP reply";
				return false;
			}
			if (line.last) {
				if (x->text) {
					zend_string_release(x->text);
				}
				x->text = php_smtp_reply_take(&x->reader);
				x->code = line.code;
				smtp_reply_enhanced_status(ZSTR_VAL(x->text), ZSTR_LEN(x->text), x->enhanced);
				smtp_redact_server_reply(&x->redactor, line.code);
				return true;
			}
		}
		if (x->in_len == sizeof(x->in)) {
			x->why = "the server sent a reply line longer than 16 KB";
			return false;
		}
		size_t n = 0;
		CURLcode rc = curl_easy_recv(x->easy, x->in + x->in_len, sizeof(x->in) - x->in_len, &n);
		if (rc == CURLE_AGAIN) {
			if (!wait_for(x, POLLIN, deadline)) {
				x->why = "no reply to AUTH in time";
				return false;
			}
			continue;
		}
		if (rc != CURLE_OK || n == 0) {
			x->why = rc == CURLE_OK ? "the server closed the connection during AUTH"
			                        : "the connection broke during AUTH";
			return false;
		}
		x->in_len += n;
	}
}

/* RFC 7628 3.1: a saslname, with "," and "=" escaped. */
static void append_saslname(smart_str *s, zend_string *name)
{
	for (size_t i = 0; i < ZSTR_LEN(name); i++) {
		char ch = ZSTR_VAL(name)[i];
		if (ch == ',') {
			smart_str_appendl(s, "=2C", 3);
		} else if (ch == '=') {
			smart_str_appendl(s, "=3D", 3);
		} else {
			smart_str_appendc(s, ch);
		}
	}
}

/* The client's first message, base64: XOAUTH2 (Google's and Microsoft's
 * format) or OAUTHBEARER's GS2 header and key/value pairs. */
static zend_string *initial_response(const php_smtp_config *c, zend_string *token)
{
	smart_str raw = {0};
	if (c->auth == PHP_SMTP_AUTH_OAUTHBEARER) {
		smart_str_appendl(&raw, "n,a=", 4);
		append_saslname(&raw, c->username);
		smart_str_appendl(&raw, ",\x01host=", 7);
		smart_str_append(&raw, c->host);
		smart_str_appendl(&raw, "\x01port=", 6);
		smart_str_append_long(&raw, c->port);
		smart_str_appendl(&raw, "\x01" "auth=Bearer ", 13);
	} else {
		smart_str_appendl(&raw, "user=", 5);
		smart_str_append(&raw, c->username);
		smart_str_appendl(&raw, "\x01" "auth=Bearer ", 13);
	}
	smart_str_append(&raw, token);
	smart_str_appendl(&raw, "\x01\x01", 2);
	smart_str_0(&raw);
	zend_string *encoded = php_base64_encode((const unsigned char *)ZSTR_VAL(raw.s), ZSTR_LEN(raw.s));
	ZEND_SECURE_ZERO(ZSTR_VAL(raw.s), ZSTR_LEN(raw.s));
	smart_str_free(&raw);
	return encoded;
}

/* Keeps what the provider said in its error challenge (JSON such as
 * {"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}),
 * printable characters only. */
static void keep_provider_error(exchange *x)
{
	if (x->provider_error) {
		zend_string_release(x->provider_error);
		x->provider_error = NULL;
	}
	const char *text = ZSTR_VAL(x->text);
	size_t len = strcspn(text, "\n");
	zend_string *decoded = php_base64_decode_ex((const unsigned char *)text, len, false);
	if (!decoded) {
		return;
	}
	smart_str kept = {0};
	for (size_t i = 0; i < ZSTR_LEN(decoded) && i < PROVIDER_ERROR_MAX; i++) {
		unsigned char ch = (unsigned char)ZSTR_VAL(decoded)[i];
		smart_str_appendc(&kept, ch >= 0x20 && ch < 0x7f ? (char)ch : ' ');
	}
	zend_string_release(decoded);
	x->provider_error = smart_str_extract(&kept);
	if (ZSTR_LEN(x->provider_error) == 0) {
		zend_string_release(x->provider_error);
		x->provider_error = NULL;
	}
}

/* One AUTH exchange with token. */
static attempt_result attempt(exchange *x, zend_string *token)
{
	zend_string *response = initial_response(x->config, token);
	size_t mech_len = strlen(x->mechanism);
	attempt_result result = ATTEMPT_BROKEN;
	smart_str line = {0};
	smart_str_appendl(&line, "AUTH ", 5);
	smart_str_appendl(&line, x->mechanism, mech_len);

	bool sent;
	if (5 + mech_len + 1 + ZSTR_LEN(response) + 2 <= COMMAND_LINE_MAX) {
		smart_str_appendc(&line, ' ');
		smart_str_append(&line, response);
		sent = send_line(x, ZSTR_VAL(line.s), ZSTR_LEN(line.s)) && read_reply(x);
	} else {
		/* too long for one line: AUTH, an empty challenge, then the response */
		sent = send_line(x, ZSTR_VAL(line.s), ZSTR_LEN(line.s)) && read_reply(x);
		if (sent && x->code == 334) {
			sent = send_line(x, ZSTR_VAL(response), ZSTR_LEN(response)) && read_reply(x);
		}
	}
	ZEND_SECURE_ZERO(ZSTR_VAL(line.s), ZSTR_LEN(line.s));
	smart_str_free(&line);
	ZEND_SECURE_ZERO(ZSTR_VAL(response), ZSTR_LEN(response));
	zend_string_release(response);

	if (sent && x->code == 334) {
		/* the token was refused; the challenge says why, and the server
		 * waits for an answer before it sends the final reply */
		keep_provider_error(x);
		bool bearer = x->config->auth == PHP_SMTP_AUTH_OAUTHBEARER;
		sent = send_line(x, bearer ? "AQ==" : "", bearer ? 4 : 0) && read_reply(x);
		if (sent && x->code == 334) {
			x->why = "the server kept asking after the error challenge was answered";
			sent = false;
		}
	}
	if (sent) {
		result = x->code >= 200 && x->code < 300 ? ATTEMPT_OK : ATTEMPT_REFUSED;
	}
	return result;
}

/* A refusal that a fresh token may cure: the token was refused (an error
 * challenge, or 535), not the account or the mechanism. */
static bool worth_a_fresh_token(const exchange *x)
{
	if (x->code != 535 && !x->provider_error) {
		return false;
	}
	const char *text = ZSTR_VAL(x->text);
	return !strstr(text, "5.7.139") && !strstr(text, "SmtpClientAuthentication is disabled");
}

static void fail_with(exchange *x, php_smtp_failure_kind kind, int code, zend_string *message)
{
	php_smtp_outcome *o = x->outcome;
	o->ok = false;
	php_smtp_failure_dtor(&o->failure);
	o->failure.kind = kind;
	o->failure.smtp_code = code;
	o->failure.enhanced[0] = '\0';
	if (code) {
		strlcpy(o->failure.enhanced, x->enhanced, sizeof(o->failure.enhanced));
	}
	o->failure.message = message;
}

/* Fetches a token; on failure the outcome says why. */
static zend_string *get_token(exchange *x, bool refresh)
{
	php_smtp_failure failure = {0};
	zend_string *token = php_smtp_oauth_token(x->config, refresh, &failure);
	if (!token) {
		const char *why = failure.message ? ZSTR_VAL(failure.message) : "no token";
		note(x, "* ", why, strlen(why));
		php_smtp_outcome *o = x->outcome;
		o->ok = false;
		php_smtp_failure_dtor(&o->failure);
		o->failure = failure;
	}
	return token;
}

bool php_smtp_oauth_authenticate(CURL *easy, curl_socket_t fd, const php_smtp_config *c, bool offered,
                                 php_smtp_outcome *outcome)
{
	exchange *x = ecalloc(1, sizeof(*x));
	x->easy = easy;
	x->fd = fd;
	x->config = c;
	x->outcome = outcome;
	x->mechanism = c->auth == PHP_SMTP_AUTH_OAUTHBEARER ? "OAUTHBEARER" : "XOAUTH2";

	bool ok = false;
	if (!offered) {
		fail_with(x, PHP_SMTP_FAILURE_AUTH, 0,
		          strpprintf(0, "%s:" ZEND_LONG_FMT " does not offer AUTH %s: refusing to send without "
		                        "authenticating (is this the provider's submission server?)",
		                     ZSTR_VAL(c->host), c->port, x->mechanism));
		goto done;
	}
	zend_string *token = get_token(x, false);
	if (!token) {
		goto done;
	}
	attempt_result r = attempt(x, token);
	bool refreshed = false;
	if (r == ATTEMPT_REFUSED && !x->debug_threw && worth_a_fresh_token(x) && php_smtp_oauth_can_refresh(c)) {
		php_smtp_release_secret(&token);
		static const char line[] = "the server refused the token: asking for a fresh one";
		note(x, "* ", line, sizeof(line) - 1);
		token = get_token(x, true);
		if (!token) {
			goto done;
		}
		refreshed = true;
		r = attempt(x, token);
	}
	php_smtp_release_secret(&token);

	if (x->debug_threw) {
		fail_with(x, PHP_SMTP_FAILURE_LOCAL, 0,
		          zend_string_init("The debug callable threw", sizeof("The debug callable threw") - 1, 0));
	} else if (r == ATTEMPT_OK) {
		ok = true;
	} else if (r == ATTEMPT_BROKEN) {
		fail_with(x, PHP_SMTP_FAILURE_CONNECTION, 0,
		          strpprintf(0, "Connection to %s:" ZEND_LONG_FMT " failed while authenticating: %s",
		                     ZSTR_VAL(c->host), c->port, x->why ? x->why : "unknown"));
	} else {
		const char *text = ZSTR_VAL(x->text);
		fail_with(x, PHP_SMTP_FAILURE_AUTH, x->code,
		          strpprintf(0, "Authentication (%s) failed: %d %s%s%s%s%s%s", x->mechanism, x->code, text,
		                     x->provider_error ? "; the provider said: " : "",
		                     x->provider_error ? ZSTR_VAL(x->provider_error) : "",
		                     php_smtp_auth_hint(x->code, text),
		                     refreshed ? "; a freshly issued token was refused too" : "",
		                     x->code == 535 && !refreshed && !php_smtp_oauth_can_refresh(c)
		                         ? " (the token may have expired: give a callable or \"oauth\" so that a fresh "
		                           "one can be fetched)"
		                         : ""));
	}

done:
	if (x->text) {
		zend_string_release(x->text);
	}
	if (x->provider_error) {
		zend_string_release(x->provider_error);
	}
	php_smtp_reply_reader_free(&x->reader);
	ZEND_SECURE_ZERO(x->in, sizeof(x->in));
	efree(x);
	outcome->ok = ok;
	return ok;
}
