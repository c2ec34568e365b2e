/*
 * The mail transaction engine of every send: send(), sendRaw() and mail()
 * run it with one session, sendMany() with several at once, each session
 * carrying one message after another.
 *
 * libcurl opens each session (connect, EHLO, STARTTLS, AUTH, with every
 * check of smtp_transport.c) and stops there (CURLOPT_CONNECT_ONLY); the mail
 * transactions are then ours, spoken over curl_easy_send/recv. With
 * PIPELINING (RFC 2920) the end of one message, the next MAIL FROM, its RCPT
 * TOs and DATA leave in one write, and their replies come back in one read:
 * a message costs one round trip instead of libcurl 7.88's four, and none of
 * its per-transfer bookkeeping (URL parsing, verbose notes, a copy for
 * dot-stuffing). Without PIPELINING it waits for each reply, as RFC 5321 says.
 *
 * When the server offers CHUNKING (RFC 3030) as well as PIPELINING, the
 * message goes as BDAT chunks instead of DATA: on an idle session the
 * envelope and the whole message (`BDAT <n> LAST`) leave in one write and
 * their replies come back in one read, with no dot-stuffing.
 */
#ifndef PHP_SMTP_PIPELINE_H
#define PHP_SMTP_PIPELINE_H

#include "smtp_transport.h"
#include "smtp_persistent.h"
#include "lib/stuffing.h"
#include <sys/types.h>

#define PHP_SMTP_PIPELINE_MAX_SESSIONS 64

/* One message to send. The caller fills envelope and initialises outcome;
 * the engine fills outcome and hands the job back through done(). */
typedef struct php_smtp_job {
	const php_smtp_envelope *envelope;
	php_smtp_outcome outcome;

	/* the engine's bookkeeping */
	struct php_smtp_job *next_waiting;
	int tries;              /* sessions it was started on */
	bool reused_connection; /* its session had carried a message before it */
	size_t commands_sent;   /* of MAIL, RCPT..., DATA */
	size_t replies;         /* to those */
	bool mail_accepted;
	bool body_started;      /* 354 came: the message is going out */
	bool body_done;         /* ... and its final "." is in the output */
	bool body_aborted;      /* 354 came, but no recipient was accepted: only "." went */
	/* Recipients over several transactions (RFC 5321 4.5.3.1.10): a server
	 * that answers "452 too many recipients" gets the rest in further ones */
	size_t *todo;           /* envelope indices not yet through a finished transaction */
	size_t todo_len;
	size_t txn_len;         /* this transaction's RCPTs: todo[0..txn_len) */
	size_t *carry;          /* those of them told "too many": the next transaction's first */
	size_t carry_len;
	size_t txn_accepted;    /* accepted in this transaction */
	size_t delivered;       /* accepted in transactions whose message was taken: the first of outcome.accepted */
	uint32_t rejected_before; /* entries of outcome.rejected from earlier transactions */
	zend_string *limit_reply; /* the "too many recipients" reply, for those it finally leaves out */
	smtp_stuffing stuffing;
	/* CHUNKING (RFC 3030): the message goes in BDAT chunks instead of DATA.
	 * body_started then means its first chunk is queued; body_sent that a
	 * byte of it was written (from then on it is never retried). */
	bool chunking;
	bool body_sent;
	bool bdat_failed;       /* a chunk was refused: no more chunks, RSET once all are answered */
	size_t bdat_pending;    /* chunks queued and not answered yet */
	size_t bdat_first;      /* where its first BDAT starts in the session's output (SIZE_MAX: none yet) */
	int refusal_code;       /* the refusal that explains a failure */
	char refusal_enhanced[16];
	zend_string *refusal;
	php_smtp_phase refusal_phase;
} php_smtp_job;

/* Where jobs come from and go back to. next() returns NULL when none is left. */
typedef struct {
	php_smtp_job *(*next)(void *ctx);
	void (*done)(void *ctx, php_smtp_job *job);
	void *ctx;
} php_smtp_job_feed;

typedef struct php_smtp_session php_smtp_session;

/* The sessions, kept open between runs (a mailer's keepalive). */
typedef struct {
	CURLM *multi;
	size_t rcpt_limit; /* recipients the server takes per transaction, once learned (0: not known) */
	php_smtp_session *sessions[PHP_SMTP_PIPELINE_MAX_SESSIONS];
	int count;
	bool running;       /* a run is under way (it may call PHP code that calls back) */
	bool close_pending; /* close() came from such code: done when the run ends */
	pid_t pid; /* the process whose connections these are (a forked child must not use them) */
} php_smtp_pipeline;

/* Sends every job feed gives over up to `sessions` sessions, blocking until
 * each one is done. */
void php_smtp_pipeline_run(php_smtp_pipeline *pipeline, php_smtp_sockets *sockets, const php_smtp_config *config,
                           int sessions, php_smtp_job_feed *feed);

/* Sends one message over the first session (kept open with keepalive):
 * send() and sendRaw(). outcome is initialised by the caller. */
void php_smtp_pipeline_send(php_smtp_pipeline *pipeline, php_smtp_sockets *sockets, const php_smtp_config *config,
                            const php_smtp_envelope *envelope, php_smtp_outcome *outcome);

/* Says QUIT on every open session (not waiting for the reply) and frees everything. */
void php_smtp_pipeline_close(php_smtp_pipeline *pipeline);

/* persistent: hands an idle open session and the multi it is added to over
 * (the other sessions say QUIT); false when none is idle and open. The
 * pipeline can then be closed without touching it. */
bool php_smtp_pipeline_detach(php_smtp_pipeline *pipeline, php_smtp_kept_session *out);

/* persistent: makes a kept session the first of an empty pipeline. */
void php_smtp_pipeline_adopt(php_smtp_pipeline *pipeline, const php_smtp_kept_session *in);

#endif
