/*
 * The transport's first half: opening an SMTP session with libcurl.
 *
 * libcurl connects, reads the greeting, says EHLO, STARTTLS and EHLO again,
 * and authenticates (CURLOPT_CONNECT_ONLY), then hands the connection over:
 * the mail transactions are smtp_pipeline.c's. This file watches the set-up.
 * A debug callback records the transcript (credentials redacted as they
 * pass); a header callback reads every reply line, so that we know what the
 * server offers (AUTH, PIPELINING, SIZE, SMTPUTF8) and can stop libcurl
 * before a session goes on without the authentication the user asked for.
 */
#ifndef PHP_SMTP_TRANSPORT_H
#define PHP_SMTP_TRANSPORT_H

#include "php.h"
#include "zend_smart_str.h"
#include <curl/curl.h>

#include "smtp_config.h"
#include "smtp_errors.h"
#include "lib/source.h"
#include "lib/redact.h"
#include "lib/reply.h"

/* What to send: the envelope and the bytes. */
typedef struct {
	zend_string *from;        /* envelope sender, already validated */
	zend_string **recipients; /* validated */
	size_t recipient_count;
	bool needs_smtputf8;
	bool eight_bit;           /* the data has octets above 127: BODY=8BITMIME where offered */
	const smtp_source *source;
	curl_off_t size;          /* -1 when unknown */
	zend_string *message_id; /* without angle brackets, borrowed; NULL when unknown */
} php_smtp_envelope;

/* The most recipients one message may have (after duplicates are dropped).
 * RFC 5321 makes servers take at least 100 a transaction, Postfix takes 1,000:
 * this many is a hundred transactions or more, megabytes of RCPT lines and a
 * spool file whose header holds them all. A list larger than this is a
 * mailing list, better sent as one message per recipient (sendMany), where a
 * bounce or an unsubscribe link can name its recipient. */
#define PHP_SMTP_MAX_RECIPIENTS 100000

/* A set of mailboxes: the envelope's recipients without duplicates, in time
 * linear in their number. Two addresses are one mailbox when their local
 * parts are equal (RFC 5321 2.4: a local part may be case-sensitive, only its
 * host decides) and their domains equal without regard to case. */
typedef struct {
	HashTable seen;
} php_smtp_mailbox_set;

void php_smtp_mailbox_set_init(php_smtp_mailbox_set *set, uint32_t size_hint);
/* True when address (normalized) was not in the set: it is now. */
bool php_smtp_mailbox_set_add(php_smtp_mailbox_set *set, const char *address, size_t len);
void php_smtp_mailbox_set_destroy(php_smtp_mailbox_set *set);

/* How one transaction ended. */
typedef struct {
	bool ok;                 /* the server accepted the message for at least one recipient */
	zval accepted;           /* list of addresses */
	zval rejected;           /* address => reply */
	zval deferred;           /* list: those of rejected refused only for now (4xx, or a later
	                          * transaction cut off), which a spool may take (see smtp_spool.c) */
	zend_string *response;   /* the final reply to the message */
	php_smtp_failure failure; /* when !ok */
	zval transcript;         /* list of lines, redacted */
} php_smtp_outcome;

/* The sockets a mailer's libcurl handles have open (see smtp_transport.c). */
#define PHP_SMTP_MAX_SOCKETS 80
typedef struct {
	curl_socket_t fds[PHP_SMTP_MAX_SOCKETS];
	int count;
} php_smtp_sockets;

/* A reply being read line by line (RFC 5321 4.2.1): its lines' texts joined
 * by "\n", at most REPLY_MAX_BYTES of them kept. */
typedef struct {
	smart_str text;
	int lines; /* so far */
	int code;  /* of the first line */
} php_smtp_reply_reader;

/* Adds a parsed line. False when it cannot belong to the reply being read
 * (its code differs from the first line's): the server is not speaking SMTP. */
bool php_smtp_reply_add(php_smtp_reply_reader *reader, const smtp_reply_line *line);

/* The text, once the last line was added (the caller owns it); the reader starts over. */
zend_string *php_smtp_reply_take(php_smtp_reply_reader *reader);

void php_smtp_reply_reader_free(php_smtp_reply_reader *reader);

/* One session set-up's state while libcurl runs it. */
typedef struct php_smtp_setup {
	CURL *easy;
	php_smtp_sockets *sockets;
	const php_smtp_config *config;
	php_smtp_outcome *outcome;

	zend_string *url;
	char curl_error[CURL_ERROR_SIZE];

	php_smtp_phase phase;
	bool tls_active;
	bool offers_auth, offers_smtputf8, offers_pipelining, offers_size, offers_8bitmime; /* from the latest EHLO reply */
	bool offers_xoauth2, offers_oauthbearer;                          /* ... its AUTH list */
	bool offers_chunking; /* RFC 3030 BDAT */
	smtp_redactor redactor;

	php_smtp_reply_reader reply; /* the reply being read */
	int last_code;         /* the last complete reply */
	char last_enhanced[16];
	zend_string *last_reply;

	/* the last refusal (4xx/5xx) and where it came: what a failure reports,
	 * even when libcurl says QUIT afterwards */
	int refusal_code;
	char refusal_enhanced[16];
	zend_string *refusal;
	php_smtp_phase refusal_phase;

	bool stop;             /* a callback decided the set-up must end now */
	php_smtp_failure stop_failure;
} php_smtp_setup;

/* Makes an easy handle with the options every session shares. malloc'd by libcurl. */
CURL *php_smtp_transport_handle(php_smtp_sockets *sockets);

/* Sets up transfer to open a session over easy (connect, EHLO, STARTTLS,
 * AUTH: CURLOPT_CONNECT_ONLY) and stop there; the caller then speaks the mail
 * transaction itself over curl_easy_send/recv (smtp_pipeline.c). Its end()
 * reports ok when the session is ready. */
void php_smtp_setup_begin(php_smtp_setup *t, CURL *easy, php_smtp_sockets *sockets,
                                     const php_smtp_config *c, php_smtp_outcome *outcome);

/* Records how the set-up ended (libcurl's result) in the outcome (ok: the
 * session is ready), and releases what begin_connect() made. */
void php_smtp_setup_end(php_smtp_setup *transfer, CURLcode rc);

/* Calls PHP code (the debug callable) from the middle of a send, holding the
 * callable for the call; its return value is dropped. False when it threw, or
 * when it died of a fatal error (E_ERROR, E_USER_ERROR, the memory limit:
 * zend_bailout). Such a death is caught here rather than allowed to longjmp
 * through libcurl's frames or a half-updated session: it is kept pending, no
 * more PHP code is called, and php_smtp_fatal_resume() raises it again once
 * the caller is out of libcurl. */
bool php_smtp_call_user(const zval *callable, uint32_t argc, zval *argv);

/* Raises a pending fatal error again (zend_bailout); nothing when none is pending. */
void php_smtp_fatal_resume(void);
bool php_smtp_fatal_is_pending(void);

/* At request start: no fatal error carried over from the last request. */
void php_smtp_transport_rinit(void);

/* Adds a line to transcript (the password masked, whatever carried it) and
 * hands it to config's debug callable. Returns false when that threw or died
 * (see php_smtp_call_user), or when an exception was already pending. */
bool php_smtp_transcript_add(const php_smtp_config *config, zval *transcript, const char *prefix, const char *text,
                             size_t len);

/* Appends the lines (a list) of from to to. */
void php_smtp_lines_append(zval *to, zval *from);

void php_smtp_outcome_init(php_smtp_outcome *outcome);
void php_smtp_outcome_dtor(php_smtp_outcome *outcome);

#endif
