#include "php.h"
#include "zend_smart_str.h"
#include <curl/curl.h>
#include <math.h>
#include "ext/standard/php_string.h"
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "smtp_transport.h"
#include "smtp_curl.h"
#include "lib/reply.h"

/* Bounds on what a server can make us keep. */
#define TRANSCRIPT_MAX_LINES 1000
#define TRANSCRIPT_MAX_LINE 1000
#define REPLY_MAX_BYTES 8192

void php_smtp_mailbox_set_init(php_smtp_mailbox_set *set, uint32_t size_hint)
{
	zend_hash_init(&set->seen, size_hint, NULL, NULL, 0);
}

bool php_smtp_mailbox_set_add(php_smtp_mailbox_set *set, const char *address, size_t len)
{
	/* the key: the address with its domain (after the last '@') in lower case */
	zend_string *key = zend_string_init(address, len, 0);
	const char *at = zend_memrchr(address, '@', len);
	if (at) {
		for (char *p = ZSTR_VAL(key) + (at - address) + 1; p < ZSTR_VAL(key) + len; p++) {
			*p = zend_tolower_ascii(*p);
		}
	}
	zval dummy;
	ZVAL_NULL(&dummy);
	bool added = zend_hash_add(&set->seen, key, &dummy) != NULL;
	zend_string_release(key);
	return added;
}

void php_smtp_mailbox_set_destroy(php_smtp_mailbox_set *set)
{
	zend_hash_destroy(&set->seen);
}

void php_smtp_outcome_init(php_smtp_outcome *outcome)
{
	memset(outcome, 0, sizeof(*outcome));
	array_init(&outcome->accepted);
	array_init(&outcome->rejected);
	array_init(&outcome->deferred);
	array_init(&outcome->transcript);
}

void php_smtp_outcome_dtor(php_smtp_outcome *outcome)
{
	zval_ptr_dtor(&outcome->accepted);
	zval_ptr_dtor(&outcome->rejected);
	zval_ptr_dtor(&outcome->deferred);
	zval_ptr_dtor(&outcome->transcript);
	ZVAL_UNDEF(&outcome->accepted);
	ZVAL_UNDEF(&outcome->rejected);
	ZVAL_UNDEF(&outcome->deferred);
	ZVAL_UNDEF(&outcome->transcript);
	if (outcome->response) {
		zend_string_release(outcome->response);
		outcome->response = NULL;
	}
	php_smtp_failure_dtor(&outcome->failure);
}

/* ---- sockets ----
 *
 * When a session set-up fails (AUTH refused, say), libcurl says QUIT and then
 * waits for the reply as long as for any reply: a stalled server would hold
 * PHP for twice the timeout. A QUIT's reply tells us nothing we need, so once
 * QUIT is on the wire the socket is shut down and libcurl's wait ends at once.
 * libcurl does not hand out a connection's socket mid-transfer, so the mailer
 * keeps a registry of the sockets its handles opened and finds the right one
 * by local port. */

static int sockopt_callback(void *clientp, curl_socket_t fd, curlsocktype purpose)
{
	php_smtp_sockets *sockets = clientp;
	if (purpose == CURLSOCKTYPE_IPCXN && sockets->count < PHP_SMTP_MAX_SOCKETS) {
		sockets->fds[sockets->count++] = fd;
	}
	return CURL_SOCKOPT_OK;
}

static int closesocket_callback(void *clientp, curl_socket_t fd)
{
	php_smtp_sockets *sockets = clientp;
	for (int i = 0; i < sockets->count; i++) {
		if (sockets->fds[i] == fd) {
			sockets->fds[i] = sockets->fds[--sockets->count];
			break;
		}
	}
	return close(fd);
}

static void shutdown_current_socket(php_smtp_setup *t)
{
	long local_port = -1;
	if (!t->sockets || curl_easy_getinfo(t->easy, CURLINFO_LOCAL_PORT, &local_port) != CURLE_OK || local_port <= 0) {
		return;
	}
	for (int i = 0; i < t->sockets->count; i++) {
		union {
			struct sockaddr any;
			struct sockaddr_in v4;
			struct sockaddr_in6 v6;
		} addr;
		memset(&addr, 0, sizeof(addr));
		socklen_t len = sizeof(addr);
		if (getsockname(t->sockets->fds[i], &addr.any, &len) != 0) {
			continue;
		}
		int port = addr.any.sa_family == AF_INET6 ? ntohs(addr.v6.sin6_port) : ntohs(addr.v4.sin_port);
		if (port == local_port) {
			shutdown(t->sockets->fds[i], SHUT_RDWR);
			return;
		}
	}
}

/* ---- PHP code called in the middle of a send ---- */

/* A fatal error in the debug callable (zend_bailout) is kept here from where
 * it is caught until php_smtp_fatal_resume() raises it again. */
ZEND_TLS bool fatal_pending;

bool php_smtp_call_user(const zval *callable, uint32_t argc, zval *argv)
{
	if (fatal_pending) {
		return false; /* the request is dying: no more PHP code */
	}
	zval held, retval;
	/* the callable is held for its call, whatever it drops */
	ZVAL_COPY(&held, callable);
	ZVAL_UNDEF(&retval);
	zend_execute_data *frame = EG(current_execute_data);
	bool died = false;
	zend_try {
		call_user_function(NULL, NULL, &held, &retval, argc, argv);
	} zend_catch {
		died = true;
	} zend_end_try();
	if (died) {
		/* what the dead call left (its return value, its frames) goes with
		 * the request; the stack the caller sees is put back */
		EG(current_execute_data) = frame;
		fatal_pending = true;
		return false;
	}
	zval_ptr_dtor(&retval);
	zval_ptr_dtor(&held);
	return !EG(exception);
}

void php_smtp_fatal_resume(void)
{
	if (fatal_pending) {
		fatal_pending = false;
		zend_bailout();
	}
}

bool php_smtp_fatal_is_pending(void)
{
	return fatal_pending;
}

void php_smtp_transport_rinit(void)
{
	fatal_pending = false;
}

/* ---- transcript ---- */

static void stop_with(php_smtp_setup *t, php_smtp_failure_kind kind, int code, zend_string *message)
{
	if (t->stop) {
		zend_string_release(message);
		return;
	}
	t->stop = true;
	t->stop_failure.kind = kind;
	t->stop_failure.smtp_code = code;
	t->stop_failure.message = message;
}

void php_smtp_lines_append(zval *to, zval *from)
{
	zval *line;
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(from), line) {
		Z_TRY_ADDREF_P(line);
		add_next_index_zval(to, line);
	}
	ZEND_HASH_FOREACH_END();
}

bool php_smtp_transcript_add(const php_smtp_config *config, zval *transcript, const char *prefix, const char *text,
                             size_t len)
{
	if (zend_hash_num_elements(Z_ARRVAL_P(transcript)) >= TRANSCRIPT_MAX_LINES) {
		return true;
	}
	if (len > TRANSCRIPT_MAX_LINE) {
		len = TRANSCRIPT_MAX_LINE;
	}
	zend_string *line = zend_string_concat2(prefix, strlen(prefix), text, len);

	/* Belt and braces: the password itself never shows, whatever carried it. */
	const zend_string *password = config->password;
	if (password && ZSTR_LEN(password) >= 4 && php_memnstr(ZSTR_VAL(line), ZSTR_VAL(password), ZSTR_LEN(password),
	                                                       ZSTR_VAL(line) + ZSTR_LEN(line))) {
		zend_string *masked = php_str_to_str(ZSTR_VAL(line), ZSTR_LEN(line), ZSTR_VAL(password), ZSTR_LEN(password),
		                                     "***", 3);
		zend_string_release(line);
		line = masked;
	}
	add_next_index_str(transcript, zend_string_copy(line));

	/* an exception from PHP code that ran earlier (an error handler, say)
	 * stops the send as the callable's own would */
	bool ok = !EG(exception) && !fatal_pending;
	if (ok && Z_TYPE(config->debug) != IS_UNDEF) {
		zval arg;
		ZVAL_STR_COPY(&arg, line);
		ok = php_smtp_call_user(&config->debug, 1, &arg);
		zval_ptr_dtor(&arg);
	}
	zend_string_release(line);
	return ok;
}

/* Adds a line to this transfer's transcript; a debug callable that throws ends the transfer. */
static void transcript_add(php_smtp_setup *t, const char *prefix, const char *text, size_t len)
{
	if (!php_smtp_transcript_add(t->config, &t->outcome->transcript, prefix, text, len)) {
		stop_with(t, PHP_SMTP_FAILURE_LOCAL, 0,
		          zend_string_init("The debug callable threw", sizeof("The debug callable threw") - 1, 0));
	}
}

static php_smtp_phase phase_of_command(const char *line, size_t len)
{
	static const struct {
		const char *verb;
		php_smtp_phase phase;
	} verbs[] = {{"EHLO", PHP_SMTP_PHASE_EHLO},  {"HELO", PHP_SMTP_PHASE_HELO}, {"STARTTLS", PHP_SMTP_PHASE_STARTTLS},
	             {"AUTH", PHP_SMTP_PHASE_AUTH},  {"MAIL", PHP_SMTP_PHASE_MAIL}, {"RCPT", PHP_SMTP_PHASE_RCPT},
	             {"DATA", PHP_SMTP_PHASE_DATA},  {"QUIT", PHP_SMTP_PHASE_QUIT}};
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		size_t vlen = strlen(verbs[i].verb);
		if (len >= vlen && strncasecmp(line, verbs[i].verb, vlen) == 0 && (len == vlen || line[vlen] == ' ')) {
			return verbs[i].phase;
		}
	}
	return PHP_SMTP_PHASE_OTHER;
}

/* libcurl's verbose stream: commands we send, and its own notes. Replies are
 * recorded by the header callback, which sees the same lines. */
static int debug_callback(CURL *easy, curl_infotype type, char *data, size_t size, void *userp)
{
	php_smtp_setup *t = userp;

	if (type == CURLINFO_HEADER_OUT) {
		/* one command per call; AUTH continuations are redacted by the redactor */
		const char *p = data, *end = data + size;
		while (p < end) {
			const char *eol = memchr(p, '\n', end - p);
			size_t len = smtp_line_trim_eol(p, (eol ? eol + 1 : end) - p);
			char safe[TRANSCRIPT_MAX_LINE + 1];
			bool was_in_auth = t->redactor.in_auth;
			size_t safe_len = smtp_redact_client_line(&t->redactor, p, len, safe, sizeof(safe));
			transcript_add(t, "C: ", safe, safe_len);
			if (!was_in_auth && phase_of_command(p, len) == PHP_SMTP_PHASE_QUIT) {
				/* keep the phase the session failed in; do not wait for 221 */
				shutdown_current_socket(t);
			} else if (!was_in_auth) {
				t->phase = phase_of_command(p, len);
			}
			p = eol ? eol + 1 : end;
		}
	} else if (type == CURLINFO_TEXT) {
		size_t len = smtp_line_trim_eol(data, size);
		/* libcurl's bookkeeping note prints a heap address: nothing for a reader */
		static const char bundle_note[] = "Found bundle for host";
		if (len >= sizeof(bundle_note) - 1 && memcmp(data, bundle_note, sizeof(bundle_note) - 1) == 0) {
			return 0;
		}
		if (len) {
			transcript_add(t, "* ", data, len);
		}
	}
	return 0;
}

/* ---- replies ---- */

bool php_smtp_reply_add(php_smtp_reply_reader *r, const smtp_reply_line *line)
{
	bool first = r->lines == 0;
	if (!first && line->code != r->code) {
		return false;
	}
	r->code = line->code;
	size_t kept = r->text.s ? ZSTR_LEN(r->text.s) : 0;
	if (kept + line->text_len + 1 < REPLY_MAX_BYTES) {
		if (!first) {
			smart_str_appendc(&r->text, '\n');
		}
		smart_str_appendl(&r->text, line->text, line->text_len);
	}
	r->lines++;
	return true;
}

zend_string *php_smtp_reply_take(php_smtp_reply_reader *r)
{
	r->lines = 0;
	return smart_str_extract(&r->text);
}

void php_smtp_reply_reader_free(php_smtp_reply_reader *r)
{
	smart_str_free(&r->text);
	r->lines = 0;
}

/* A complete reply arrived: act on it. */
static void reply_complete(php_smtp_setup *t, int code)
{
	zend_string *text = php_smtp_reply_take(&t->reply);

	t->last_code = code;
	if (t->last_reply) {
		zend_string_release(t->last_reply);
	}
	t->last_reply = text;
	smtp_reply_enhanced_status(ZSTR_VAL(text), ZSTR_LEN(text), t->last_enhanced);
	smtp_redact_server_reply(&t->redactor, code);
	if (code >= 400) {
		t->refusal_code = code;
		t->refusal_phase = t->phase;
		memcpy(t->refusal_enhanced, t->last_enhanced, sizeof(t->refusal_enhanced));
		if (t->refusal) {
			zend_string_release(t->refusal);
		}
		t->refusal = zend_string_copy(text);
	}

	if (t->phase == PHP_SMTP_PHASE_STARTTLS && code == 220) {
		t->tls_active = true;
	}
}

/* Decides, at the end of an EHLO reply on the connection that will carry the
 * message, whether going on is safe. */
static bool ehlo_allows_sending(php_smtp_setup *t)
{
	const php_smtp_config *c = t->config;
	bool final_ehlo = t->tls_active || c->encryption == PHP_SMTP_ENCRYPTION_NONE;
	if (!final_ehlo) {
		return true; /* libcurl sends STARTTLS next, or fails because it is not offered */
	}
	if (c->username && !t->offers_auth) {
		/* libcurl 7.88 would carry on without authenticating. */
		stop_with(t, PHP_SMTP_FAILURE_AUTH, 0,
		          strpprintf(0, "%s:" ZEND_LONG_FMT " does not offer AUTH%s, but a username is set: refusing to send "
		                        "without authenticating",
		                     ZSTR_VAL(c->host), c->port,
		                     c->encryption == PHP_SMTP_ENCRYPTION_STARTTLS ? " after STARTTLS" : ""));
		return false;
	}
	return true;
}

static size_t header_callback(char *data, size_t size, size_t nitems, void *userp)
{
	php_smtp_setup *t = userp;
	size_t total = size * nitems;

	if (t->stop) {
		return 0;
	}
	size_t len = smtp_line_trim_eol(data, total);
	transcript_add(t, "S: ", data, len);
	if (t->stop) {
		return 0;
	}

	smtp_reply_line line;
	if (smtp_reply_parse_line(data, len, &line) != 0) {
		/* not a reply line: libcurl fails the transaction on it too */
		return total;
	}

	bool first_line = t->reply.lines == 0;
	if (t->phase == PHP_SMTP_PHASE_EHLO || t->phase == PHP_SMTP_PHASE_HELO) {
		/* the first line greets; the rest list what the server offers */
		if (first_line) {
			t->offers_auth = false;
			t->offers_smtputf8 = false;
			t->offers_pipelining = false;
			t->offers_size = false;
			t->offers_xoauth2 = false;
			t->offers_oauthbearer = false;
			t->offers_chunking = false;
			t->offers_8bitmime = false;
		} else if (line.code == 250) {
			t->offers_xoauth2 |= smtp_reply_ehlo_auth_offers(line.text, line.text_len, "XOAUTH2");
			t->offers_oauthbearer |= smtp_reply_ehlo_auth_offers(line.text, line.text_len, "OAUTHBEARER");
			t->offers_auth |= smtp_reply_ehlo_has(line.text, line.text_len, "AUTH");
			t->offers_smtputf8 |= smtp_reply_ehlo_has(line.text, line.text_len, "SMTPUTF8");
			t->offers_pipelining |= smtp_reply_ehlo_has(line.text, line.text_len, "PIPELINING");
			t->offers_size |= smtp_reply_ehlo_has(line.text, line.text_len, "SIZE");
			t->offers_chunking |= smtp_reply_ehlo_has(line.text, line.text_len, "CHUNKING");
			t->offers_8bitmime |= smtp_reply_ehlo_has(line.text, line.text_len, "8BITMIME");
		}
	}
	php_smtp_reply_add(&t->reply, &line); /* a line with another code: libcurl fails the set-up on it */

	if (line.last) {
		php_smtp_phase phase = t->phase;
		reply_complete(t, line.code);
		if ((phase == PHP_SMTP_PHASE_EHLO || phase == PHP_SMTP_PHASE_HELO) && line.code == 250 &&
		    !ehlo_allows_sending(t)) {
			return 0;
		}
	}
	return t->stop ? 0 : total;
}

/* ---- setup ---- */

CURL *php_smtp_transport_handle(php_smtp_sockets *sockets)
{
	if (!php_smtp_curl_ready()) {
		return NULL;
	}
	CURL *easy = curl_easy_init();
	if (!easy) {
		return NULL;
	}
	curl_easy_setopt(easy, CURLOPT_SOCKOPTFUNCTION, sockopt_callback);
	curl_easy_setopt(easy, CURLOPT_SOCKOPTDATA, sockets);
	curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, closesocket_callback);
	curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, sockets);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, debug_callback);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, header_callback);
	curl_easy_setopt(easy, CURLOPT_SASL_IR, 1L);
	curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(easy, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	/* Straight to the relay: no proxy from the environment (and no getenv() per transfer). */
	curl_easy_setopt(easy, CURLOPT_PROXY, "");
	return easy;
}

static const char *login_options(php_smtp_auth auth)
{
	switch (auth) {
	case PHP_SMTP_AUTH_PLAIN:
		return "AUTH=PLAIN";
	case PHP_SMTP_AUTH_LOGIN:
		return "AUTH=LOGIN";
	case PHP_SMTP_AUTH_CRAM_MD5:
		return "AUTH=CRAM-MD5";
	case PHP_SMTP_AUTH_AUTO:
	default:
		return "AUTH=*";
	}
}

static zend_string *build_url(const php_smtp_config *c)
{
	const char *scheme = c->encryption == PHP_SMTP_ENCRYPTION_TLS ? "smtps" : "smtp";
	const char *host = ZSTR_VAL(c->host);
	bool bare_ipv6 = host[0] != '[' && strchr(host, ':') != NULL;
	/* The URL path is what libcurl says in EHLO. */
	return strpprintf(0, "%s://%s%s%s:" ZEND_LONG_FMT "/%s", scheme, bare_ipv6 ? "[" : "", host, bare_ipv6 ? "]" : "",
	                  c->port, c->helo ? ZSTR_VAL(c->helo) : "localhost");
}

/* Where, how secure, who, and the clocks. */
static void session_options(php_smtp_setup *t, CURL *easy, const php_smtp_config *c)
{
	t->url = build_url(c);
	curl_easy_setopt(easy, CURLOPT_URL, ZSTR_VAL(t->url));
	curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L); /* the transcript; a pipeline quiets its handles between sessions */
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(easy, CURLOPT_DEBUGDATA, t);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->curl_error);

	curl_easy_setopt(easy, CURLOPT_USE_SSL,
	                 (long)(c->encryption == PHP_SMTP_ENCRYPTION_NONE ? CURLUSESSL_NONE : CURLUSESSL_ALL));
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, c->verify_peer ? 1L : 0L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, c->verify_peer ? 2L : 0L);
	if (c->cafile) {
		/* An extra CA: the system's stay trusted through the CA directory. */
		curl_easy_setopt(easy, CURLOPT_CAINFO, ZSTR_VAL(c->cafile));
		if (access("/etc/ssl/certs", R_OK) == 0) {
			curl_easy_setopt(easy, CURLOPT_CAPATH, "/etc/ssl/certs");
		}
	}

	/* XOAUTH2 and OAUTHBEARER are ours, once libcurl has the session open
	 * (smtp_oauth_sasl.c): libcurl gets no credentials then */
	if (c->username && !php_smtp_oauth_in_use(c)) {
		curl_easy_setopt(easy, CURLOPT_USERNAME, ZSTR_VAL(c->username));
		curl_easy_setopt(easy, CURLOPT_LOGIN_OPTIONS, login_options(c->auth));
		curl_easy_setopt(easy, CURLOPT_PASSWORD, c->password ? ZSTR_VAL(c->password) : "");
	} else {
		curl_easy_setopt(easy, CURLOPT_USERNAME, NULL);
		curl_easy_setopt(easy, CURLOPT_PASSWORD, NULL);
		curl_easy_setopt(easy, CURLOPT_LOGIN_OPTIONS, NULL);
	}

	/* Three clocks: connecting, each reply, and the whole set-up (greeting,
	 * EHLO, STARTTLS, EHLO, AUTH: a server that trickles is cut off too). */
	long timeout_ms = (long)ceil(c->timeout * 1000);
	long reply_seconds = (long)ceil(c->timeout);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(easy, CURLOPT_SERVER_RESPONSE_TIMEOUT, reply_seconds < 1 ? 1L : reply_seconds);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms * 6);
	curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, reply_seconds < 1 ? 1L : reply_seconds);
}

static void transfer_init(php_smtp_setup *t, CURL *easy, php_smtp_sockets *sockets, const php_smtp_config *c,
                          php_smtp_outcome *outcome)
{
	memset(t, 0, sizeof(*t));
	t->easy = easy;
	t->sockets = sockets;
	t->config = c;
	t->outcome = outcome;
	t->phase = PHP_SMTP_PHASE_CONNECT;
	t->tls_active = c->encryption == PHP_SMTP_ENCRYPTION_TLS;
}

void php_smtp_setup_begin(php_smtp_setup *t, CURL *easy, php_smtp_sockets *sockets,
                                     const php_smtp_config *c, php_smtp_outcome *outcome)
{
	transfer_init(t, easy, sockets, c, outcome);
	session_options(t, easy, c);
	curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 1L);
	/* the connection is ours to use after libcurl is done with it */
	curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 0L);
	curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
}

void php_smtp_setup_end(php_smtp_setup *t, CURLcode rc)
{
	php_smtp_outcome *o = t->outcome;

	if (t->stop) {
		o->ok = false;
		o->failure = t->stop_failure;
		memset(&t->stop_failure, 0, sizeof(t->stop_failure));
	} else if (rc == CURLE_OK) {
		o->ok = true; /* a session ready for MAIL FROM: the caller goes on */
	} else {
		/* A refusal explains a failure better than whatever followed it (QUIT). */
		bool refused = t->refusal_code != 0;
		zend_string *reply = refused ? t->refusal : t->last_reply;
		php_smtp_observation seen = {
		    .curl_code = rc,
		    .curl_error = t->curl_error,
		    .phase = refused ? t->refusal_phase : t->phase,
		    .reply_code = refused ? t->refusal_code : t->last_code,
		    .reply = reply ? ZSTR_VAL(reply) : NULL,
		    .enhanced = refused ? t->refusal_enhanced : t->last_enhanced,
		    .host = ZSTR_VAL(t->config->host),
		    .port = (long)t->config->port,
		};
		o->ok = false;
		php_smtp_failure_classify(&seen, &o->failure);
	}

	/* libcurl keeps a pointer to this until told otherwise */
	curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, NULL);
	if (t->url) {
		zend_string_release(t->url);
		t->url = NULL;
	}
	if (t->last_reply) {
		zend_string_release(t->last_reply);
		t->last_reply = NULL;
	}
	if (t->refusal) {
		zend_string_release(t->refusal);
		t->refusal = NULL;
	}
	php_smtp_reply_reader_free(&t->reply);
	php_smtp_failure_dtor(&t->stop_failure);
}
