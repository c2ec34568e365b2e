#include "php.h"
#include "zend_smart_str.h"
#include <curl/curl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "smtp_pipeline.h"
#include "smtp_oauth_sasl.h"
#include "smtp_curl.h"
#include "lib/reply.h"

/* Bounds: what one fill puts in the output, what a reply may hold. */
#define OUT_CAPACITY (128 * 1024)
#define BODY_CHUNK (32 * 1024)
#define IN_CAPACITY (16 * 1024)
/* one MAIL FROM or RCPT TO line: a 320-octet address, its parameters, CRLF */
#define COMMAND_MAX 1100
#define POLL_SLICE_MS 100
/* sessions a job may be started on (see session_fail) */
#define MAX_TRIES 8
/* "BDAT <20 digits> LAST" and CRLF fit; a chunk is never smaller than
 * BDAT_MIN_CHUNK unless it is the message's last */
#define BDAT_HEADER_MAX 32
#define BDAT_MIN_CHUNK (4 * 1024)

/* RCPT TOs pipelined ahead of their replies. A server with a recipient limit
 * answers each one past it "452 too many recipients", and counts them: Postfix
 * lets 1,000 such replies pass (smtpd_recipient_overshoot_limit), then counts
 * each as an error and hangs up at the 20th (smtpd_hard_error_limit). With at
 * most this many unanswered, the first "too many" stops the rest well before
 * that; and a message of a few thousand recipients costs a round trip per
 * hundred of them, nothing next to their RCPT lines. */
#define RCPT_WINDOW 100

typedef enum {
	SESSION_CLOSED,     /* no connection */
	SESSION_CONNECTING, /* libcurl is connecting, greeting, starting TLS, authenticating */
	SESSION_READY,      /* ours: mail transactions */
	SESSION_DEAD,       /* could not connect: not used again in this run */
} session_state;

/* EXPECT_END answers the final "." or BDAT ... LAST; EXPECT_BDAT a chunk before it */
typedef enum { EXPECT_MAIL, EXPECT_RCPT, EXPECT_DATA, EXPECT_END, EXPECT_RSET, EXPECT_BDAT } expect_kind;

typedef struct {
	php_smtp_job *job; /* NULL for RSET */
	expect_kind kind;
	size_t recipient; /* for RCPT: the envelope's index */
	size_t position;  /* for RCPT: its place in the transaction */
} expectation;

struct php_smtp_session {
	CURL *easy;
	session_state state;
	curl_socket_t fd;
	bool pipelining, size, smtputf8, eightbitmime; /* what its EHLO offered */
	bool chunking;                                 /* CHUNKING offered, and used: only with PIPELINING (see session_connected) */

	/* while libcurl connects */
	php_smtp_setup setup;
	php_smtp_outcome setup_outcome; /* its transcript goes to the first job; on failure, to every job left */

	zval carry; /* transcript lines for the next job started here (greeting, RSET) */
	unsigned started; /* jobs started on this connection */

	php_smtp_job *jobs[2]; /* in flight, oldest first: at most one sending, one waiting for its last reply */
	int job_count;

	expectation *expect; /* replies owed to us, in order */
	size_t expect_head, expect_len, expect_cap;
	bool needs_rset;     /* a transaction was left open by a refusal */

	char *out; /* never moved while bytes are pending (TLS retries need the same buffer) */
	size_t out_len, out_sent;
	char *chunk; /* the message being read, before stuffing */

	char in[IN_CAPACITY];
	size_t in_len;
	php_smtp_reply_reader reply;

	double deadline; /* when the server has taken too long */

	/* a connection kept from an earlier request (persistent) */
	double kept_since;
	zend_ulong kept_messages;
};

/* One run: the waiting jobs and how the run is going. */
typedef struct {
	php_smtp_pipeline *pipeline;
	php_smtp_sockets *sockets;
	const php_smtp_config *config;
	php_smtp_job_feed *feed;
	int sessions;
	php_smtp_job *waiting, *waiting_tail; /* retried jobs first, then fresh ones */
	int waiting_count;
	bool feed_empty;
	bool aborted; /* the debug callable threw */
	php_smtp_session *last_dead;
} pipeline_run;

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- transcript and outcomes ---- */

static void note(pipeline_run *run, zval *transcript, const char *prefix, const char *text, size_t len)
{
	if (!php_smtp_transcript_add(run->config, transcript, prefix, text, len)) {
		run->aborted = true;
		/* the callable died of a fatal error: the request ends here (this
		 * is our own code, not libcurl's, and the Mailer stays marked as
		 * sending, so nothing uses its sessions again) */
		php_smtp_fatal_resume();
	}
}

static void job_keep_refusal(php_smtp_job *job, int code, const char *enhanced, zend_string *reply, php_smtp_phase phase)
{
	job->refusal_code = code;
	strlcpy(job->refusal_enhanced, enhanced, sizeof(job->refusal_enhanced));
	if (job->refusal) {
		zend_string_release(job->refusal);
	}
	job->refusal = zend_string_copy(reply);
	job->refusal_phase = phase;
}

static void job_forget_refusal(php_smtp_job *job)
{
	if (job->refusal) {
		zend_string_release(job->refusal);
		job->refusal = NULL;
	}
	job->refusal_code = 0;
}

/* The job's outcome from its refusal, or from what went wrong on the line. */
static void job_classify(pipeline_run *run, php_smtp_job *job, CURLcode rc, const char *why, php_smtp_phase phase)
{
	php_smtp_outcome *o = &job->outcome;
	bool refused = job->refusal_code != 0;
	php_smtp_observation seen = {
	    .curl_code = refused ? CURLE_SEND_ERROR : rc,
	    .curl_error = why,
	    .phase = refused ? job->refusal_phase : phase,
	    .reply_code = job->refusal_code,
	    .reply = refused ? ZSTR_VAL(job->refusal) : NULL,
	    .enhanced = job->refusal_enhanced,
	    .all_recipients_rejected =
	        zend_hash_num_elements(Z_ARRVAL(o->accepted)) == 0 && zend_hash_num_elements(Z_ARRVAL(o->rejected)) > 0,
	    .host = ZSTR_VAL(run->config->host),
	    .port = (long)run->config->port,
	};
	o->ok = false;
	php_smtp_failure_dtor(&o->failure);
	php_smtp_failure_classify(&seen, &o->failure);
}

/* The recipients refused only for now (a 4xx reply): what a spool takes
 * when the message went to the others. */
static void job_collect_deferred(php_smtp_job *job)
{
	php_smtp_outcome *o = &job->outcome;
	zend_string *address;
	zval *reply;
	zend_hash_clean(Z_ARRVAL(o->deferred));
	ZEND_HASH_FOREACH_STR_KEY_VAL(Z_ARRVAL(o->rejected), address, reply) {
		if (address && Z_TYPE_P(reply) == IS_STRING && Z_STRVAL_P(reply)[0] == '4') {
			add_next_index_str(&o->deferred, zend_string_copy(address));
		}
	}
	ZEND_HASH_FOREACH_END();
}

static void job_done(pipeline_run *run, php_smtp_job *job)
{
	job_forget_refusal(job);
	if (!job->outcome.ok) {
		php_smtp_config_explain_withheld(run->config, &job->outcome.failure);
	}
	job_collect_deferred(job);
	if (job->todo) {
		efree(job->todo);
		job->todo = NULL;
	}
	if (job->carry) {
		efree(job->carry);
		job->carry = NULL;
	}
	if (job->limit_reply) {
		zend_string_release(job->limit_reply);
		job->limit_reply = NULL;
	}
	job->todo_len = job->txn_len = job->carry_len = 0;
	run->feed->done(run->feed->ctx, job);
}

/* ---- recipients over several transactions ---- */

/* RFC 5321 4.5.3.1.10: a server that takes no more recipients in this
 * transaction says "452 too many recipients" (older ones 552), RFC 3463 gives
 * it X.5.3. Any other refusal is about the recipient itself. */
static bool reply_too_many_recipients(int code, const char *enhanced, zend_string *text)
{
	if (code != 452 && code != 552) {
		return false;
	}
	if (enhanced[0] && strcmp(enhanced + 1, ".5.3") == 0) {
		return true;
	}
	static const char phrase[] = "too many recipients";
	return zend_memnistr(ZSTR_VAL(text), phrase, sizeof(phrase) - 1, ZSTR_VAL(text) + ZSTR_LEN(text)) != NULL;
}

/* A packed list cut to its first keep entries. */
static void list_keep_first(zval *list, uint32_t keep)
{
	if (zend_hash_num_elements(Z_ARRVAL_P(list)) <= keep) {
		return;
	}
	zval kept, *entry;
	array_init_size(&kept, keep);
	uint32_t n = 0;
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(list), entry) {
		if (n++ == keep) {
			break;
		}
		Z_TRY_ADDREF_P(entry);
		add_next_index_zval(&kept, entry);
	}
	ZEND_HASH_FOREACH_END();
	zval_ptr_dtor(list);
	ZVAL_COPY_VALUE(list, &kept);
}

/* A map cut to its first keep entries (the later ones were added later). */
static void map_keep_first(zval *map, uint32_t keep)
{
	HashTable *ht = Z_ARRVAL_P(map);
	while (zend_hash_num_elements(ht) > keep) {
		HashPosition pos;
		zend_string *key;
		zend_ulong index;
		zend_hash_internal_pointer_end_ex(ht, &pos);
		if (zend_hash_get_current_key_ex(ht, &key, &index, &pos) == HASH_KEY_IS_STRING) {
			zend_hash_del(ht, key);
		} else {
			zend_hash_index_del(ht, index);
		}
	}
}

/* Sets up the job's next transaction: its first one takes every recipient;
 * at most as many as the server is known to take per transaction go in one. */
static void job_begin_transaction(pipeline_run *run, php_smtp_job *job)
{
	if (!job->todo) {
		size_t n = job->envelope->recipient_count;
		job->todo = safe_emalloc(n ? n : 1, sizeof(size_t), 0);
		for (size_t i = 0; i < n; i++) {
			job->todo[i] = i;
		}
		job->todo_len = n;
		job->delivered = 0;
	}
	size_t limit = run->pipeline->rcpt_limit;
	job->txn_len = limit && limit < job->todo_len ? limit : job->todo_len;
	job->carry_len = 0;
	job->txn_accepted = 0;
	job->rejected_before = zend_hash_num_elements(Z_ARRVAL(job->outcome.rejected));
}

/* This transaction did not end with the message taken: what it accepted is
 * not delivered, what it refused for its own reasons is, as if it never ran. */
static void job_undo_transaction(php_smtp_job *job)
{
	list_keep_first(&job->outcome.accepted, (uint32_t)job->delivered);
	map_keep_first(&job->outcome.rejected, job->rejected_before);
}

/* Those the server told "too many recipients" and that no further
 * transaction will carry: refused, for now, with that reply. */
static void job_refuse_carried(php_smtp_job *job)
{
	for (size_t i = 0; i < job->carry_len; i++) {
		zval reply;
		ZVAL_STR_COPY(&reply, job->limit_reply);
		zend_symtable_update(Z_ARRVAL(job->outcome.rejected), job->envelope->recipients[job->carry[i]], &reply);
	}
	job->carry_len = 0;
}

/* A later transaction failed after an earlier one delivered the message:
 * the message went, so the job succeeded, and every recipient still to be
 * served is refused with reply (a 4xx one stays for the spool). */
static void job_settle_rest(pipeline_run *run, php_smtp_job *job, zend_string *reply)
{
	php_smtp_outcome *o = &job->outcome;
	list_keep_first(&o->accepted, (uint32_t)job->delivered);
	job_refuse_carried(job);
	for (size_t i = 0; i < job->todo_len; i++) {
		zend_string *rcpt = job->envelope->recipients[job->todo[i]];
		if (!zend_symtable_exists(Z_ARRVAL(o->rejected), rcpt)) { /* else refused on its own, reply kept */
			zval value;
			ZVAL_STR_COPY(&value, reply);
			zend_symtable_update(Z_ARRVAL(o->rejected), rcpt, &value);
		}
	}
	o->ok = true;
	php_smtp_failure_dtor(&o->failure);
	memset(&o->failure, 0, sizeof(o->failure));
	zend_string *line = strpprintf(0, "a further transaction for %zu recipient(s) failed: %s", job->todo_len, ZSTR_VAL(reply));
	note(run, &o->transcript, "* ", ZSTR_VAL(line), ZSTR_LEN(line));
	zend_string_release(line);
	job_done(run, job);
}

/* ---- the waiting jobs ---- */

static void waiting_push_front(pipeline_run *run, php_smtp_job *job)
{
	job->next_waiting = run->waiting;
	run->waiting = job;
	if (!run->waiting_tail) {
		run->waiting_tail = job;
	}
	run->waiting_count++;
}

/* Makes sure `want` jobs wait, if the feed has them. */
static void waiting_fill(pipeline_run *run, int want)
{
	while (run->waiting_count < want && !run->feed_empty && !run->aborted) {
		php_smtp_job *job = run->feed->next(run->feed->ctx);
		if (!job) {
			run->feed_empty = true;
			break;
		}
		job->next_waiting = NULL;
		job->tries = 0;
		if (run->waiting_tail) {
			run->waiting_tail->next_waiting = job;
		} else {
			run->waiting = job;
		}
		run->waiting_tail = job;
		run->waiting_count++;
		if (EG(exception)) {
			run->aborted = true;
		}
	}
}

static php_smtp_job *waiting_pop(pipeline_run *run)
{
	php_smtp_job *job = run->waiting;
	if (job) {
		run->waiting = job->next_waiting;
		if (!run->waiting) {
			run->waiting_tail = NULL;
		}
		run->waiting_count--;
		job->next_waiting = NULL;
	}
	return job;
}

/* ---- sessions ---- */

static php_smtp_session *session_alloc(CURL *easy)
{
	php_smtp_session *s = ecalloc(1, sizeof(*s));
	s->easy = easy;
	s->fd = CURL_SOCKET_BAD;
	s->out = emalloc(OUT_CAPACITY);
	s->chunk = emalloc(BODY_CHUNK);
	array_init(&s->carry);
	ZVAL_UNDEF(&s->setup_outcome.transcript);
	return s;
}

static php_smtp_session *session_new(php_smtp_sockets *sockets)
{
	CURL *easy = php_smtp_transport_handle(sockets);
	return easy ? session_alloc(easy) : NULL;
}

/* libcurl calls the debug and header callbacks only while it runs the session
 * setup; between setups they would point at nothing. */
static void session_quiet(php_smtp_session *s)
{
	curl_easy_setopt(s->easy, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(s->easy, CURLOPT_DEBUGDATA, NULL);
	curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, NULL);
}

static void session_reset_io(php_smtp_session *s)
{
	s->out_len = s->out_sent = 0;
	s->in_len = 0;
	php_smtp_reply_reader_free(&s->reply);
	s->expect_head = s->expect_len = 0;
	s->needs_rset = false;
}

/* Drops the connection. With say_quit, QUIT goes out first (its reply is not
 * waited for: nothing follows it). */
static void session_disconnect(pipeline_run *run, php_smtp_session *s, bool say_quit)
{
	if (s->state == SESSION_READY && say_quit) {
		size_t n;
		curl_easy_send(s->easy, "QUIT\r\n", 6, &n);
	}
	if (s->state == SESSION_CONNECTING) {
		/* first, so that closing runs no PHP code from inside libcurl */
		session_quiet(s);
	}
	if (s->state == SESSION_READY || s->state == SESSION_CONNECTING) {
		/* removing a CONNECT_ONLY handle closes its connection */
		curl_multi_remove_handle(run->pipeline->multi, s->easy);
	}
	if (s->state == SESSION_CONNECTING) {
		php_smtp_setup_end(&s->setup, CURLE_ABORTED_BY_CALLBACK);
	}
	s->fd = CURL_SOCKET_BAD;
	s->state = SESSION_CLOSED;
	session_reset_io(s);
	zend_hash_clean(Z_ARRVAL(s->carry));
}

static void session_connect(pipeline_run *run, php_smtp_session *s)
{
	if (Z_TYPE(s->setup_outcome.transcript) != IS_UNDEF) {
		php_smtp_outcome_dtor(&s->setup_outcome);
	}
	php_smtp_outcome_init(&s->setup_outcome);
	php_smtp_setup_begin(&s->setup, s->easy, run->sockets, run->config, &s->setup_outcome);
	if (curl_multi_add_handle(run->pipeline->multi, s->easy) != CURLM_OK) {
		php_smtp_setup_end(&s->setup, CURLE_FAILED_INIT);
		session_quiet(s);
		s->state = SESSION_DEAD;
		run->last_dead = s;
		return;
	}
	s->state = SESSION_CONNECTING;
}

/* libcurl finished setting the session up, or failed to. */
static void session_connected(pipeline_run *run, php_smtp_session *s, CURLcode rc)
{
	php_smtp_setup_end(&s->setup, rc);
	session_quiet(s);
	if (EG(exception)) {
		run->aborted = true;
	}
	curl_socket_t fd = CURL_SOCKET_BAD;
	if (s->setup_outcome.ok) {
		curl_easy_getinfo(s->easy, CURLINFO_ACTIVESOCKET, &fd);
	}
	if (!s->setup_outcome.ok || fd == CURL_SOCKET_BAD) {
		curl_multi_remove_handle(run->pipeline->multi, s->easy);
		if (s->setup_outcome.ok) {
			s->setup_outcome.ok = false;
			s->setup_outcome.failure.kind = PHP_SMTP_FAILURE_CONNECTION;
			s->setup_outcome.failure.message =
			    zend_string_init("libcurl did not hand over the connection", sizeof("libcurl did not hand over the connection") - 1, 0);
		}
		s->state = SESSION_DEAD;
		run->last_dead = s;
		return;
	}
	if (php_smtp_oauth_in_use(run->config)) {
		/* XOAUTH2 / OAUTHBEARER: libcurl stopped before AUTH. This may run
		 * PHP code (the token callables), which may call back into this
		 * Mailer: close() is then put off until the run ends (see
		 * php_smtp_pipeline_close) */
		bool offered = run->config->auth == PHP_SMTP_AUTH_OAUTHBEARER ? s->setup.offers_oauthbearer
		                                                               : s->setup.offers_xoauth2;
		if (!php_smtp_oauth_authenticate(s->easy, fd, run->config, offered, &s->setup_outcome)) {
			if (EG(exception)) {
				run->aborted = true;
			}
			curl_multi_remove_handle(run->pipeline->multi, s->easy);
			s->state = SESSION_DEAD;
			run->last_dead = s;
			return;
		}
	}
	s->fd = fd;
	s->pipelining = s->setup.offers_pipelining;
	s->size = s->setup.offers_size;
	s->smtputf8 = s->setup.offers_smtputf8;
	/* BDAT without PIPELINING waits a round trip for every chunk, where DATA
	 * streams the whole message: it is used only when both are offered */
	s->chunking = s->setup.offers_chunking && s->pipelining;
	s->eightbitmime = s->setup.offers_8bitmime;
	s->state = SESSION_READY;
	s->started = 0;
	session_reset_io(s);
	php_smtp_lines_append(&s->carry, &s->setup_outcome.transcript);
}

/* ---- output ---- */

static bool out_room(const php_smtp_session *s, size_t need)
{
	return OUT_CAPACITY - s->out_len >= need;
}

static void expect_push(php_smtp_session *s, php_smtp_job *job, expect_kind kind, size_t recipient)
{
	if (s->expect_head > 0 && s->expect_head == s->expect_len) {
		s->expect_head = s->expect_len = 0;
	}
	if (s->expect_len == s->expect_cap) {
		s->expect_cap = s->expect_cap ? s->expect_cap * 2 : 16;
		s->expect = erealloc(s->expect, s->expect_cap * sizeof(expectation));
	}
	s->expect[s->expect_len++] = (expectation){.job = job, .kind = kind, .recipient = recipient};
}

/* Appends one command line (and records it in the job's transcript). */
static void out_command(pipeline_run *run, php_smtp_session *s, php_smtp_job *job, const char *line, size_t len)
{
	memcpy(s->out + s->out_len, line, len);
	memcpy(s->out + s->out_len + len, "\r\n", 2);
	s->out_len += len + 2;
	note(run, job ? &job->outcome.transcript : &s->carry, "C: ", line, len);
}

/* MAIL, each RCPT and DATA; with chunking no DATA: the chunks follow */
static size_t total_commands(const php_smtp_job *job)
{
	return (job->chunking ? 1 : 2) + job->txn_len;
}

/* Command number i of job (0 MAIL, then each RCPT, then DATA), if it fits. */
static bool out_job_command(pipeline_run *run, php_smtp_session *s, php_smtp_job *job, size_t i)
{
	const php_smtp_envelope *e = job->envelope;
	char line[COMMAND_MAX];
	int len;
	if (i == 0) {
		char size[40] = "";
		if (s->size && e->size > 0) {
			snprintf(size, sizeof(size), " SIZE=%" CURL_FORMAT_CURL_OFF_T, e->size);
		}
		/* RFC 6152: 8-bit data is declared where the server takes it; where it
		 * does not, the data goes as it is (what the relay then does with it is
		 * its own choice: most take it) */
		len = snprintf(line, sizeof(line), "MAIL FROM:<%s>%s%s%s", ZSTR_VAL(e->from), size,
		               e->eight_bit && s->eightbitmime ? " BODY=8BITMIME" : "", e->needs_smtputf8 ? " SMTPUTF8" : "");
		if (len >= (int)sizeof(line) || !out_room(s, len + 2)) {
			return false;
		}
		out_command(run, s, job, line, len);
		expect_push(s, job, EXPECT_MAIL, 0);
	} else if (i <= job->txn_len) {
		if (s->pipelining && i - job->replies > RCPT_WINDOW) {
			return false; /* the rest as replies come */
		}
		size_t recipient = job->todo[i - 1];
		len = snprintf(line, sizeof(line), "RCPT TO:<%s>", ZSTR_VAL(e->recipients[recipient]));
		if (len >= (int)sizeof(line) || !out_room(s, len + 2)) {
			return false;
		}
		out_command(run, s, job, line, len);
		expect_push(s, job, EXPECT_RCPT, recipient);
		s->expect[s->expect_len - 1].position = i - 1;
	} else {
		if (!out_room(s, 6)) {
			return false;
		}
		out_command(run, s, job, "DATA", 4);
		expect_push(s, job, EXPECT_DATA, 0);
	}
	job->commands_sent = i + 1;
	return true;
}

static void session_fail(pipeline_run *run, php_smtp_session *s, CURLcode rc, const char *why);
static void job_fail_refused(pipeline_run *run, php_smtp_session *s, php_smtp_job *job);
static void pipeline_drop_inherited(php_smtp_pipeline *pipeline);

/* Reading the message failed half-way: the server must not take what it has,
 * so the connection goes; nothing was delivered. The job is the only one in
 * flight: its 354 came after the previous message's final reply (replies
 * arrive in order). */
static void job_unreadable(pipeline_run *run, php_smtp_session *s, php_smtp_job *job)
{
	const char *why = smtp_source_error(job->envelope->source);
	php_smtp_outcome *o = &job->outcome;
	s->jobs[--s->job_count] = NULL; /* it is the newest */
	if (job->delivered > 0) {
		zend_string *reply = strpprintf(0, "Reading the message again failed: %s", why && *why ? why : "read error");
		job_settle_rest(run, job, reply);
		zend_string_release(reply);
	} else {
		o->ok = false;
		php_smtp_failure_dtor(&o->failure);
		o->failure.kind = PHP_SMTP_FAILURE_LOCAL;
		o->failure.message =
		    strpprintf(0, "Reading the message failed, nothing was sent: %s", why && *why ? why : "read error");
		zend_hash_clean(Z_ARRVAL(o->accepted));
		job_done(run, job);
	}
	session_fail(run, s, CURLE_ABORTED_BY_CALLBACK, "the message could not be read");
}

static bool job_can_start(php_smtp_session *s)
{
	if (!s->pipelining && s->expect_head < s->expect_len) {
		return false; /* an RSET's reply first */
	}
	if (s->job_count == 0) {
		return true;
	}
	/* with PIPELINING the next envelope follows the previous message's "." */
	return s->pipelining && s->job_count == 1 && s->jobs[0]->body_done;
}

/* ---- CHUNKING (RFC 3030) ---- */

/* Queues BDAT chunks of the job's message until the output is full or LAST
 * is queued (then true). A chunk is what the source gives to fill the room
 * left: its size is known once read, so the bytes are read first and the
 * header is put in front of them. No dot-stuffing: a chunk is counted, not
 * delimited. */
static bool bdat_fill(pipeline_run *run, php_smtp_session *s, php_smtp_job *job)
{
	const smtp_source *source = job->envelope->source;
	while (!job->body_done && !job->bdat_failed) {
		size_t room = OUT_CAPACITY - s->out_len;
		if (room < BDAT_HEADER_MAX + BDAT_MIN_CHUNK) {
			return false; /* more once this is written */
		}
		char *data = s->out + s->out_len + BDAT_HEADER_MAX;
		size_t cap = room - BDAT_HEADER_MAX, n = 0;
		bool last = false;
		while (n < cap) {
			ssize_t got = smtp_source_read(source, data + n, cap - n);
			if (got < 0) {
				job_unreadable(run, s, job);
				return false;
			}
			if (got == 0) {
				last = true;
				break;
			}
			n += (size_t)got;
		}
		char header[BDAT_HEADER_MAX];
		int len = snprintf(header, sizeof(header), "BDAT %zu%s", n, last ? " LAST" : "");
		if (job->bdat_first == SIZE_MAX) {
			job->bdat_first = s->out_len;
		}
		memmove(s->out + s->out_len + len + 2, data, n);
		out_command(run, s, job, header, (size_t)len);
		s->out_len += n;
		job->bdat_pending++;
		expect_push(s, job, last ? EXPECT_END : EXPECT_BDAT, 0);
		job->body_done = last;
	}
	return job->body_done;
}

/* Whether the job's chunks go right behind its envelope, unanswered: only
 * when nothing else is in flight on the session (an idle session, checked
 * alive before the job started). Behind another message they wait for the
 * envelope's replies (bdat_after_envelope), which come in the same read as
 * that message's final reply: a server that hangs up after a message is
 * then never sent a byte of the next one, which stays free to go elsewhere. */
static bool bdat_blind(php_smtp_session *s, php_smtp_job *job)
{
	if (job->chunking && !job->body_started && job->commands_sent == total_commands(job) && s->job_count == 1 &&
	    s->jobs[0] == job) {
		job->body_started = true;
	}
	return job->chunking && job->body_started;
}

/* A job whose chunks waited for its envelope's replies: they go now (the
 * next fill sends them), or, when nobody can receive the message, it ends
 * without one byte of it sent. */
static void bdat_after_envelope(pipeline_run *run, php_smtp_session *s, php_smtp_job *job)
{
	if (job->body_started || job->commands_sent < total_commands(job) || job->replies < job->commands_sent) {
		return;
	}
	if (job->mail_accepted && zend_hash_num_elements(Z_ARRVAL(job->outcome.accepted)) > 0) {
		job->body_started = true;
		return;
	}
	s->needs_rset = job->mail_accepted;
	job_fail_refused(run, s, job);
}

/* A refused chunk (or LAST) explains the failure, unless the envelope's
 * refusal already does (nobody to deliver to). */
static void bdat_keep_refusal(php_smtp_job *job, int code, const char *enhanced, zend_string *text)
{
	bool deliverable = job->mail_accepted && zend_hash_num_elements(Z_ARRVAL(job->outcome.accepted)) > 0;
	if (deliverable || job->refusal_code == 0) {
		job_keep_refusal(job, code, enhanced, text, PHP_SMTP_PHASE_BODY);
	}
}

/* Every chunk sent of a refused message is answered: it ends, and RSET
 * (pipelined before the next MAIL) closes the failed transaction. */
static void bdat_end_failed(pipeline_run *run, php_smtp_session *s, php_smtp_job *job)
{
	s->needs_rset = s->job_count == 1; /* a job behind it was sent with its own RSET */
	/* those an earlier transaction delivered to stay accepted (as after DATA) */
	list_keep_first(&job->outcome.accepted, (uint32_t)job->delivered);
	job_fail_refused(run, s, job);
}

/* Starts the next waiting job here; false when none could start. */
static bool session_start_job(pipeline_run *run, php_smtp_session *s)
{
	php_smtp_job *job;
	while ((job = run->waiting) != NULL) {
		/* its first commands must fit behind what is already there (the rest
		 * of a long recipient list follows once this is written) */
		size_t commands = 2 + job->envelope->recipient_count;
		size_t need = COMMAND_MAX * (commands < 64 ? commands : 64);
		if (!out_room(s, need) && s->out_len > 0) {
			return false;
		}
		waiting_pop(run);
		job->tries++;
		/* a connection that carried messages before may have gone stale meanwhile */
		job->reused_connection = s->started++ > 0;
		job->commands_sent = job->replies = 0;
		job->mail_accepted = job->body_started = job->body_done = job->body_aborted = false;
		job->chunking = s->chunking;
		job->body_sent = job->bdat_failed = false;
		job->bdat_pending = 0;
		job->bdat_first = SIZE_MAX;
		job_forget_refusal(job);
		job_begin_transaction(run, job);
		php_smtp_lines_append(&job->outcome.transcript, &s->carry);
		zend_hash_clean(Z_ARRVAL(s->carry));
		if (job->envelope->needs_smtputf8 && !s->smtputf8) {
			job->outcome.ok = false;
			job->outcome.failure.kind = PHP_SMTP_FAILURE_SERVER;
			job->outcome.failure.message =
			    strpprintf(0, "An address has a non-ASCII local part, and %s:" ZEND_LONG_FMT " does not offer SMTPUTF8",
			               ZSTR_VAL(run->config->host), run->config->port);
			job_done(run, job);
			continue;
		}
		if (s->job_count == 1 && s->jobs[0]->chunking) {
			/* behind a message still in chunks: whether they all succeed is not
			 * known yet, and after a refused one the server wants RSET before
			 * the next MAIL (RFC 3030 2); after a delivered one it costs a line */
			out_command(run, s, job, "RSET", 4);
			expect_push(s, NULL, EXPECT_RSET, 0);
		}
		s->jobs[s->job_count++] = job;
		size_t count = s->pipelining ? total_commands(job) : 1;
		for (size_t i = 0; i < count; i++) {
			if (!out_job_command(run, s, job, i)) {
				break; /* the rest goes once this part is written (a very long recipient list) */
			}
		}
		return true;
	}
	return false;
}

/* Fills the (empty) output with everything that can go now: an RSET owed,
 * the next command of an unpipelined job, the message after its 354 with its
 * ".", and with PIPELINING the next job's envelope behind it. */
static void session_fill(pipeline_run *run, php_smtp_session *s)
{
	s->out_len = s->out_sent = 0;
	if (s->state != SESSION_READY) {
		return;
	}
	if (s->needs_rset) {
		out_command(run, s, NULL, "RSET", 4);
		expect_push(s, NULL, EXPECT_RSET, 0);
		s->needs_rset = false;
	}
	php_smtp_job *job = s->job_count ? s->jobs[s->job_count - 1] : NULL;

	/* commands not sent yet: unpipelined, one per reply; pipelined, what did not fit */
	if (job && !job->body_started && job->commands_sent < total_commands(job) &&
	    (s->pipelining || job->replies == job->commands_sent)) {
		size_t upto = s->pipelining ? total_commands(job) : job->commands_sent + 1;
		for (size_t i = job->commands_sent; i < upto; i++) {
			if (!out_job_command(run, s, job, i)) {
				break;
			}
		}
		if (!bdat_blind(s, job)) {
			return;
		}
	}

	if (job && job->chunking && job->body_started && !job->body_done) {
		if (!bdat_fill(run, s, job)) {
			return; /* more once this is written, or the message ended */
		}
	} else if (job && job->body_started && !job->body_done) {
		while (out_room(s, SMTP_STUFF_MAX(BODY_CHUNK) + 5)) {
			ssize_t n = job->body_aborted ? 0 : smtp_source_read(job->envelope->source, s->chunk, BODY_CHUNK);
			if (n < 0) {
				job_unreadable(run, s, job);
				return;
			}
			if (n == 0) {
				s->out_len += smtp_stuff_end(&job->stuffing, s->out + s->out_len);
				job->body_done = true;
				expect_push(s, job, EXPECT_END, 0);
				if (job->body_aborted) {
					note(run, &job->outcome.transcript, "C: ", ".", 1);
				}
				break;
			}
			s->out_len += smtp_stuff(&job->stuffing, s->chunk, n, s->out + s->out_len);
		}
		if (!job->body_done) {
			return; /* more once this is written */
		}
	}

	if (job_can_start(s) && (!job || job->body_done)) {
		waiting_fill(run, 1);
		if (session_start_job(run, s)) {
			php_smtp_job *started = s->jobs[s->job_count - 1];
			if (bdat_blind(s, started)) {
				bdat_fill(run, s, started);
			}
		}
	}
}

/* Writes what is pending; false when the connection failed (handled). */
static bool session_flush(pipeline_run *run, php_smtp_session *s)
{
	while (s->out_sent < s->out_len) {
		size_t n = 0;
		CURLcode rc = curl_easy_send(s->easy, s->out + s->out_sent, s->out_len - s->out_sent, &n);
		if (rc == CURLE_AGAIN) {
			return true;
		}
		if (rc != CURLE_OK) {
			session_fail(run, s, CURLE_SEND_ERROR, "the connection broke while sending");
			return false;
		}
		s->out_sent += n;
		s->deadline = now_seconds() + run->config->timeout;
		for (int i = 0; i < s->job_count; i++) {
			php_smtp_job *job = s->jobs[i];
			if (job->chunking && !job->body_sent && job->bdat_first != SIZE_MAX && s->out_sent > job->bdat_first) {
				job->body_sent = true; /* a part of it went out: never sent twice */
			}
		}
	}
	return true;
}

static void session_read(pipeline_run *run, php_smtp_session *s);

/* Between two chunks of a message: a refusal of an earlier one that already
 * arrived stops the next (RFC 3030 2), however fast the socket drains. */
static void bdat_read_between(pipeline_run *run, php_smtp_session *s)
{
	php_smtp_job *job = s->job_count ? s->jobs[s->job_count - 1] : NULL;
	if (!job || !job->chunking || !job->body_started || job->body_done) {
		return;
	}
	struct pollfd p = {.fd = s->fd, .events = POLLIN, .revents = 0};
	if (poll(&p, 1, 0) > 0) {
		session_read(run, s);
	}
}

/* Fills and writes until nothing more can go now. */
static void session_pump(pipeline_run *run, php_smtp_session *s)
{
	while (s->state == SESSION_READY && s->out_sent == s->out_len && !run->aborted) {
		bdat_read_between(run, s);
		if (s->state != SESSION_READY || s->out_sent != s->out_len) {
			break;
		}
		session_fill(run, s);
		if (s->out_len > 0) {
			s->deadline = now_seconds() + run->config->timeout;
		}
		if (s->out_len == 0 || !session_flush(run, s)) {
			break;
		}
	}
}

/* ---- replies ---- */

static void session_drop_job(php_smtp_session *s, php_smtp_job *job)
{
	for (int i = 0; i < s->job_count; i++) {
		if (s->jobs[i] == job) {
			for (int j = i; j + 1 < s->job_count; j++) {
				s->jobs[j] = s->jobs[j + 1];
			}
			s->jobs[--s->job_count] = NULL;
			break;
		}
	}
}

static void job_finish_from_session(pipeline_run *run, php_smtp_session *s, php_smtp_job *job)
{
	session_drop_job(s, job);
	job_done(run, job);
}

/* The transaction ended without the message: the job fails, unless an
 * earlier transaction delivered it (then only the rest is refused). */
static void job_fail_refused(pipeline_run *run, php_smtp_session *s, php_smtp_job *job)
{
	session_drop_job(s, job);
	if (job->delivered > 0) {
		job_undo_transaction(job);
		zend_string *reply = job->refusal_code ? strpprintf(0, "%d %s", job->refusal_code, ZSTR_VAL(job->refusal))
		                                       : zend_string_init("the transaction failed", sizeof("the transaction failed") - 1, 0);
		job_settle_rest(run, job, reply);
		zend_string_release(reply);
		return;
	}
	job_refuse_carried(job);
	job_classify(run, job, CURLE_SEND_ERROR, NULL, PHP_SMTP_PHASE_OTHER);
	job_done(run, job);
}

/* The message was taken for this transaction's recipients. Those the server
 * had no room for, and those not offered yet, go in another transaction (on
 * this session when it is free, or another one): true when one is due. */
static bool job_next_transaction(pipeline_run *run, php_smtp_session *s, php_smtp_job *job)
{
	job->delivered = zend_hash_num_elements(Z_ARRVAL(job->outcome.accepted));
	size_t rest = job->todo_len - job->txn_len;
	/* the next todo: the carried ones (earlier in the list), then the rest */
	memmove(job->todo + job->carry_len, job->todo + job->txn_len, rest * sizeof(size_t));
	if (job->carry_len) {
		memcpy(job->todo, job->carry, job->carry_len * sizeof(size_t));
	}
	job->todo_len = job->carry_len + rest;
	job->txn_len = job->carry_len = 0;
	if (job->todo_len == 0) {
		return false;
	}
	session_drop_job(s, job);
	if (smtp_source_rewind(job->envelope->source) != 0) {
		const char *why = smtp_source_error(job->envelope->source);
		zend_string *reply = strpprintf(0, "Reading the message again failed: %s", why && *why ? why : "read error");
		job_settle_rest(run, job, reply);
		zend_string_release(reply);
		return true;
	}
	zend_string *line = strpprintf(0, "%zu recipient(s) delivered; %zu more in another transaction%s",
	                               job->delivered, job->todo_len,
	                               run->pipeline->rcpt_limit ? " (the server limits recipients per transaction)" : "");
	note(run, &job->outcome.transcript, "* ", ZSTR_VAL(line), ZSTR_LEN(line));
	zend_string_release(line);
	job->tries = 0; /* it made progress: retries count afresh */
	waiting_push_front(run, job);
	return true;
}

/* One complete reply, the answer to the oldest thing we are owed. */
static void session_reply(pipeline_run *run, php_smtp_session *s, int code, zend_string *text)
{
	char enhanced[16];
	smtp_reply_enhanced_status(ZSTR_VAL(text), ZSTR_LEN(text), enhanced);

	if (s->expect_head == s->expect_len) {
		session_fail(run, s, CURLE_WEIRD_SERVER_REPLY,
		             code == 421 ? "the server closed the session (421)" : "the server sent a reply nobody asked for");
		return;
	}
	expectation e = s->expect[s->expect_head++];
	php_smtp_job *job = e.job;
	if (!job) {
		return; /* RSET: whatever it says, the next MAIL tells */
	}
	job->replies++;
	bool positive = code >= 200 && code < 400;

	if (code == 421) {
		/* the server is going away: the job's refusal, then the session's end */
		job_keep_refusal(job, code, enhanced, text,
		                 e.kind == EXPECT_END || e.kind == EXPECT_BDAT ? PHP_SMTP_PHASE_BODY : PHP_SMTP_PHASE_MAIL);
		session_fail(run, s, CURLE_RECV_ERROR, "the server closed the session (421)");
		return;
	}

	switch (e.kind) {
	case EXPECT_MAIL:
		job->mail_accepted = positive;
		if (!positive) {
			job_keep_refusal(job, code, enhanced, text, PHP_SMTP_PHASE_MAIL);
			if (!s->pipelining) {
				job_fail_refused(run, s, job);
				break;
			}
		}
		if (job->chunking) {
			bdat_after_envelope(run, s, job);
		}
		break;
	case EXPECT_RCPT: {
		zend_string *rcpt = job->envelope->recipients[e.recipient];
		if (positive) {
			add_next_index_str(&job->outcome.accepted, zend_string_copy(rcpt));
			job->txn_accepted++;
		} else if (reply_too_many_recipients(code, enhanced, text)) {
			/* no room in this transaction: it goes in the next one */
			if (!job->carry) {
				job->carry = safe_emalloc(job->todo_len, sizeof(size_t), 0);
			}
			job->carry[job->carry_len++] = e.recipient;
			if (!job->limit_reply) {
				job->limit_reply = strpprintf(0, "%d %s", code, ZSTR_VAL(text));
			}
			if (!job->refusal_code) {
				job_keep_refusal(job, code, enhanced, text, PHP_SMTP_PHASE_RCPT);
			}
			if (job->carry_len == 1) {
				/* the server's limit is what it took: later transactions are
				 * that size, and no more RCPT goes in this one */
				size_t *limit = &run->pipeline->rcpt_limit;
				if (job->txn_accepted > 0 && (*limit == 0 || job->txn_accepted < *limit)) {
					*limit = job->txn_accepted;
				}
				size_t rcpts_sent = job->commands_sent > 0 ? job->commands_sent - 1 : 0;
				if (rcpts_sent < job->txn_len) {
					job->txn_len = rcpts_sent;
				}
			}
		} else {
			zval reply;
			ZVAL_STR(&reply, strpprintf(0, "%d %s", code, ZSTR_VAL(text)));
			zend_symtable_update(Z_ARRVAL(job->outcome.rejected), rcpt, &reply);
			if (!job->refusal_code) {
				job_keep_refusal(job, code, enhanced, text, PHP_SMTP_PHASE_RCPT);
			}
		}
		bool last = e.position + 1 == job->txn_len;
		if (last && !s->pipelining && job->txn_accepted == 0) {
			/* nobody to send to: no DATA; the open transaction is reset */
			s->needs_rset = true;
			job_fail_refused(run, s, job);
		} else if (job->chunking) {
			bdat_after_envelope(run, s, job);
		}
		break;
	}
	case EXPECT_DATA: {
		bool deliverable = job->mail_accepted && job->txn_accepted > 0;
		if (code == 354) {
			job->body_started = true;
			job->body_aborted = !deliverable; /* a server that says 354 anyway gets an empty message */
			smtp_stuffing_init(&job->stuffing);
		} else {
			if (deliverable || job->refusal_code == 0) {
				job_keep_refusal(job, code, enhanced, text, PHP_SMTP_PHASE_DATA);
			}
			s->needs_rset = job->mail_accepted;
			job_fail_refused(run, s, job);
		}
		break;
	}
	case EXPECT_BDAT:
		job->bdat_pending--;
		if ((code < 200 || code >= 300) && !job->bdat_failed) {
			/* RFC 3030 2: no more chunks; the server discards those already
			 * on their way and answers each */
			job->bdat_failed = true;
			bdat_keep_refusal(job, code, enhanced, text);
		}
		if (job->bdat_failed && job->bdat_pending == 0) {
			bdat_end_failed(run, s, job);
		}
		break;
	case EXPECT_END:
		if (job->chunking) {
			job->bdat_pending--;
			if (code >= 200 && code < 300 && !job->bdat_failed) {
				job->outcome.ok = true;
				if (job->outcome.response) {
					zend_string_release(job->outcome.response);
				}
				job->outcome.response = strpprintf(0, "%d %s", code, ZSTR_VAL(text));
				/* recipients the server had no room for go in another transaction, as after DATA */
				if (!job_next_transaction(run, s, job)) {
					job_finish_from_session(run, s, job);
				}
			} else {
				if (!job->bdat_failed) {
					bdat_keep_refusal(job, code, enhanced, text);
				}
				bdat_end_failed(run, s, job);
			}
			break;
		}
		if (job->body_aborted) {
			job_fail_refused(run, s, job);
		} else if (code >= 200 && code < 300) {
			php_smtp_outcome *o = &job->outcome;
			o->ok = true;
			if (o->response) {
				zend_string_release(o->response);
			}
			o->response = strpprintf(0, "%d %s", code, ZSTR_VAL(text));
			if (!job_next_transaction(run, s, job)) {
				job_finish_from_session(run, s, job);
			}
		} else {
			job_keep_refusal(job, code, enhanced, text, PHP_SMTP_PHASE_BODY);
			list_keep_first(&job->outcome.accepted, (uint32_t)job->delivered);
			job_fail_refused(run, s, job);
		}
		break;
	case EXPECT_RSET:
		break;
	}
}

/* Which job a line of the transcript belongs to: the owner of the next reply. */
static zval *reply_transcript(php_smtp_session *s)
{
	if (s->expect_head < s->expect_len && s->expect[s->expect_head].job) {
		return &s->expect[s->expect_head].job->outcome.transcript;
	}
	return &s->carry;
}

/* Splits what arrived into lines and replies. */
static void session_parse(pipeline_run *run, php_smtp_session *s)
{
	size_t at = 0;
	while (s->state == SESSION_READY) {
		char *start = s->in + at;
		char *lf = memchr(start, '\n', s->in_len - at);
		if (!lf) {
			break;
		}
		size_t raw = lf + 1 - start;
		size_t len = smtp_line_trim_eol(start, raw);
		at += raw;
		note(run, reply_transcript(s), "S: ", start, len);

		smtp_reply_line line;
		if (smtp_reply_parse_line(start, len, &line) != 0 || !php_smtp_reply_add(&s->reply, &line)) {
			session_fail(run, s, CURLE_WEIRD_SERVER_REPLY, "the server sent a line that is not an SMTP reply");
			return;
		}
		if (line.last) {
			zend_string *text = php_smtp_reply_take(&s->reply);
			/* each reply has the timeout to arrive whole: a server that
			 * trickles bytes cannot stretch it */
			s->deadline = now_seconds() + run->config->timeout;
			session_reply(run, s, line.code, text);
			zend_string_release(text);
		}
	}
	if (s->state != SESSION_READY) {
		return;
	}
	memmove(s->in, s->in + at, s->in_len - at);
	s->in_len -= at;
	if (s->in_len == sizeof(s->in)) {
		session_fail(run, s, CURLE_WEIRD_SERVER_REPLY, "the server sent a reply line longer than 16 KB");
	}
}

static void session_read(pipeline_run *run, php_smtp_session *s)
{
	/* TLS may hold decrypted bytes the socket no longer shows: read to EAGAIN */
	while (s->state == SESSION_READY) {
		size_t n = 0;
		CURLcode rc = curl_easy_recv(s->easy, s->in + s->in_len, sizeof(s->in) - s->in_len, &n);
		if (rc == CURLE_AGAIN) {
			return;
		}
		if (rc != CURLE_OK || n == 0) {
			session_fail(run, s, rc == CURLE_OK ? CURLE_GOT_NOTHING : CURLE_RECV_ERROR,
			             rc == CURLE_OK ? "the server closed the connection" : "the connection broke while reading");
			return;
		}
		s->in_len += n;
		session_parse(run, s);
	}
}

/* ---- failures ---- */

/* The connection is gone (or must go). A job whose message went out, even in
 * part, fails: it may or may not have arrived, and a second copy is worse than
 * a clear error. A job that had not sent its message yet, on a connection that
 * had carried a message before it (kept alive and perhaps closed in between,
 * or a server that hangs up after each message while the next envelope was
 * already on its way), waits for another session. On a fresh connection the
 * failure is the answer, so a job is tried at most once more than it was
 * pipelined behind another message that ended its connection: each such retry
 * follows another message's end, and MAX_TRIES bounds the rest. */
static void job_after_break(pipeline_run *run, php_smtp_job *job, CURLcode rc, const char *why, php_smtp_phase phase)
{
	bool went_out = job->chunking ? job->body_sent : job->body_started;
	bool retry = !went_out && job->reused_connection && job->tries < MAX_TRIES &&
	             smtp_source_rewind(job->envelope->source) == 0;
	if (retry) {
		static const char line[] = "kept-alive connection was closed by the server; reconnecting";
		note(run, &job->outcome.transcript, "* ", line, sizeof(line) - 1);
		job_undo_transaction(job);
		job_forget_refusal(job);
		waiting_push_front(run, job);
		return;
	}
	if (job->delivered > 0) {
		/* an earlier transaction delivered it: the rest failed for now */
		job_undo_transaction(job);
		zend_string *reply = strpprintf(0, "451 4.4.2 %s before this transaction ended", why);
		job_settle_rest(run, job, reply);
		zend_string_release(reply);
		return;
	}
	if (job->body_started && !job->body_aborted && job->refusal_code == 0) {
		zend_hash_clean(Z_ARRVAL(job->outcome.accepted));
	}
	job_refuse_carried(job);
	note(run, &job->outcome.transcript, "* ", why, strlen(why));
	job_classify(run, job, rc, why, job->body_started ? PHP_SMTP_PHASE_BODY : phase);
	job_done(run, job);
}

static void session_fail(pipeline_run *run, php_smtp_session *s, CURLcode rc, const char *why)
{
	php_smtp_job *oldest = s->job_count > 0 ? s->jobs[0] : NULL;
	php_smtp_job *newest = s->job_count > 1 ? s->jobs[1] : NULL;
	php_smtp_phase phase = PHP_SMTP_PHASE_OTHER;
	if (s->expect_head < s->expect_len) {
		static const php_smtp_phase phases[] = {PHP_SMTP_PHASE_MAIL, PHP_SMTP_PHASE_RCPT, PHP_SMTP_PHASE_DATA,
		                                        PHP_SMTP_PHASE_BODY, PHP_SMTP_PHASE_OTHER, PHP_SMTP_PHASE_BODY};
		phase = phases[s->expect[s->expect_head].kind];
	}
	s->jobs[0] = s->jobs[1] = NULL;
	s->job_count = 0;
	/* no QUIT: it could land inside a half-sent message */
	session_disconnect(run, s, false);

	/* the newest first, so that a retried job keeps its place at the front */
	if (newest) {
		job_after_break(run, newest, rc, why, phase);
	}
	if (oldest) {
		job_after_break(run, oldest, rc, why, phase);
	}
}

/* No session could be opened: every job left gets the reason. */
static void fail_everything_left(pipeline_run *run)
{
	php_smtp_outcome none;
	php_smtp_outcome_init(&none);
	php_smtp_outcome *why = run->last_dead ? &run->last_dead->setup_outcome : &none;
	if (!run->last_dead) {
		none.failure.kind = PHP_SMTP_FAILURE_LOCAL;
		none.failure.message = zend_string_init("libcurl could not make a handle", sizeof("libcurl could not make a handle") - 1, 0);
	}
	for (;;) {
		waiting_fill(run, 1);
		php_smtp_job *job = waiting_pop(run);
		if (!job) {
			break;
		}
		php_smtp_outcome *o = &job->outcome;
		if (job->delivered > 0) {
			/* its first transactions went: the rest waited for a session that never came */
			zend_string *reply = strpprintf(0, "451 4.4.2 no new session for the remaining recipients: %s",
			                                why->failure.message ? ZSTR_VAL(why->failure.message) : "could not connect");
			job_settle_rest(run, job, reply);
			zend_string_release(reply);
			continue;
		}
		o->ok = false;
		php_smtp_failure_dtor(&o->failure);
		o->failure = why->failure;
		if (o->failure.message) {
			o->failure.message = zend_string_copy(o->failure.message);
		}
		php_smtp_lines_append(&o->transcript, &why->transcript);
		zend_hash_clean(Z_ARRVAL(o->accepted));
		php_smtp_lines_append(&o->rejected, &why->rejected);
		job_done(run, job);
	}
	php_smtp_outcome_dtor(&none);
}

static void fail_for_abort(pipeline_run *run)
{
	for (int i = 0; i < run->sessions; i++) {
		php_smtp_session *s = run->pipeline->sessions[i];
		while (s->job_count > 0) {
			waiting_push_front(run, s->jobs[--s->job_count]);
			s->jobs[s->job_count] = NULL;
		}
		session_disconnect(run, s, false);
	}
	php_smtp_job *job;
	while ((job = waiting_pop(run)) != NULL) {
		job->outcome.ok = false;
		php_smtp_failure_dtor(&job->outcome.failure);
		job->outcome.failure.kind = PHP_SMTP_FAILURE_LOCAL;
		job->outcome.failure.message =
		    zend_string_init("The debug callable threw", sizeof("The debug callable threw") - 1, 0);
		job_done(run, job);
	}
}

/* Every job the feed has fails: the pipeline is busy with the run that
 * called the PHP code that started this one. */
static void fail_reentered(pipeline_run *run)
{
	php_smtp_job *job;
	while ((job = run->feed->next(run->feed->ctx)) != NULL) {
		job->outcome.ok = false;
		php_smtp_failure_dtor(&job->outcome.failure);
		job->outcome.failure.kind = PHP_SMTP_FAILURE_LOCAL;
		job->outcome.failure.message = zend_string_init(
		    "This Smtp\\Mailer is busy sending (called back from its own token callable): use another Mailer there",
		    sizeof("This Smtp\\Mailer is busy sending (called back from its own token callable): use another Mailer there") - 1, 0);
		run->feed->done(run->feed->ctx, job);
		if (EG(exception)) {
			break;
		}
	}
}

/* ---- the loop ---- */

/* Before an idle connection that carried messages takes the next one: has the
 * server closed it, or said something unasked (a 421 before closing)? One
 * poll, no round trip. Readable means that, or only a TLS record with no
 * data (a session ticket), which the read consumes. A dead one is closed
 * here, so the job goes to a new session before a byte of it is sent. */
static void session_check_alive(pipeline_run *run, php_smtp_session *s)
{
	struct pollfd p = {.fd = s->fd, .events = POLLIN, .revents = 0};
	if (poll(&p, 1, 0) <= 0) {
		return;
	}
	size_t n = 0;
	CURLcode rc = curl_easy_recv(s->easy, s->in + s->in_len, sizeof(s->in) - s->in_len, &n);
	if (rc == CURLE_AGAIN) {
		return;
	}
	char said[512];
	size_t said_len = rc == CURLE_OK ? smtp_line_trim_eol(s->in + s->in_len, n < sizeof(said) ? n : sizeof(said)) : 0;
	memcpy(said, s->in + s->in_len, said_len);
	session_disconnect(run, s, false); /* forgets the carried lines: the notes follow */
	if (said_len > 0) {
		note(run, &s->carry, "S: ", said, said_len);
	}
	static const char line[] = "kept-alive connection was closed by the server; reconnecting";
	note(run, &s->carry, "* ", line, sizeof(line) - 1);
}

static bool session_busy(const php_smtp_session *s)
{
	return s->job_count > 0 || s->out_sent < s->out_len || s->expect_head < s->expect_len;
}

typedef struct {
	int ready, idle, busy, connecting;
} session_counts;

static session_counts count_sessions(const pipeline_run *run)
{
	session_counts n = {0, 0, 0, 0};
	for (int i = 0; i < run->sessions; i++) {
		const php_smtp_session *s = run->pipeline->sessions[i];
		if (s->state == SESSION_READY) {
			n.ready++;
			n.busy += session_busy(s);
			n.idle += !session_busy(s);
		}
		n.connecting += s->state == SESSION_CONNECTING;
	}
	return n;
}

void php_smtp_pipeline_run(php_smtp_pipeline *pipeline, php_smtp_sockets *sockets, const php_smtp_config *config,
                           int sessions, php_smtp_job_feed *feed)
{
	pipeline_run run = {.pipeline = pipeline, .sockets = sockets, .config = config, .feed = feed};
	if (pipeline->running) {
		/* called back from a callable this run is waiting for (a token
		 * callable that sends with the same Mailer): the sessions are in use */
		fail_reentered(&run);
		return;
	}
	pipeline_drop_inherited(pipeline);
	pipeline->running = true;
	if (!pipeline->multi && php_smtp_curl_ready()) {
		pipeline->multi = curl_multi_init();
		pipeline->pid = getpid();
		/* room for every session: libcurl must never close one to make space */
		curl_multi_setopt(pipeline->multi, CURLMOPT_MAXCONNECTS, (long)PHP_SMTP_PIPELINE_MAX_SESSIONS + 1);
	}
	while (pipeline->count < sessions) {
		php_smtp_session *s = session_new(sockets);
		if (!s) {
			break;
		}
		pipeline->sessions[pipeline->count++] = s;
	}
	run.sessions = sessions < pipeline->count ? sessions : pipeline->count;
	for (int i = 0; i < run.sessions; i++) {
		php_smtp_session *s = pipeline->sessions[i];
		if (s->state == SESSION_DEAD) {
			s->state = SESSION_CLOSED;
		}
	}

	struct pollfd fds[PHP_SMTP_PIPELINE_MAX_SESSIONS];
	php_smtp_session *polled[PHP_SMTP_PIPELINE_MAX_SESSIONS];
	while (!run.aborted) {
		/* give every idle session a job, and open sessions for the jobs left */
		session_counts n = count_sessions(&run);
		waiting_fill(&run, n.idle + run.sessions);
		for (int i = 0; i < run.sessions && run.waiting; i++) {
			php_smtp_session *s = pipeline->sessions[i];
			if (s->state == SESSION_READY && !session_busy(s) && s->started > 0) {
				session_check_alive(&run, s);
			}
			if (s->state == SESSION_READY && !session_busy(s)) {
				session_pump(&run, s);
			}
		}
		int unserved = run.waiting_count - n.connecting;
		for (int i = 0; i < run.sessions && unserved > 0; i++) {
			php_smtp_session *s = pipeline->sessions[i];
			if (s->state == SESSION_CLOSED) {
				session_connect(&run, s);
				unserved--;
			}
		}
		if (run.aborted) {
			break;
		}
		n = count_sessions(&run);
		if (n.busy == 0 && run.waiting_count == 0 && run.feed_empty) {
			break; /* all sent */
		}
		if (n.busy == 0 && n.ready == 0 && n.connecting == 0 && run.waiting_count > 0) {
			fail_everything_left(&run); /* every session failed to open */
			break;
		}

		/* wait for the sessions we talk to, and libcurl's connecting ones */
		int nfds = 0;
		double now = now_seconds(), nearest = now + POLL_SLICE_MS / 1000.0;
		for (int i = 0; i < run.sessions; i++) {
			php_smtp_session *s = pipeline->sessions[i];
			if (s->state != SESSION_READY || !session_busy(s)) {
				continue;
			}
			if (s->deadline <= now) {
				session_fail(&run, s, CURLE_OPERATION_TIMEDOUT, "no reply in time");
				continue;
			}
			if (s->deadline < nearest) {
				nearest = s->deadline;
			}
			fds[nfds].fd = s->fd;
			fds[nfds].events = POLLIN | (s->out_sent < s->out_len ? POLLOUT : 0);
			fds[nfds].revents = 0;
			polled[nfds++] = s;
		}
		int wait_ms = (int)((nearest - now) * 1000) + 1;
		if (n.connecting > 0) {
			int running;
			bool became_ready = false, still_connecting = false;
			curl_multi_perform(pipeline->multi, &running);
			/* out of libcurl: a fatal error its callbacks caught ends the request now */
			php_smtp_fatal_resume();
			CURLMsg *msg;
			int queued;
			while ((msg = curl_multi_info_read(pipeline->multi, &queued)) != NULL) {
				if (msg->msg != CURLMSG_DONE) {
					continue;
				}
				for (int i = 0; i < run.sessions; i++) {
					php_smtp_session *s = pipeline->sessions[i];
					if (s->easy == msg->easy_handle && s->state == SESSION_CONNECTING) {
						session_connected(&run, s, msg->data.result);
						s->deadline = now_seconds() + config->timeout;
						became_ready |= s->state == SESSION_READY;
						break;
					}
				}
			}
			if (became_ready) {
				continue; /* give the new session work before waiting */
			}
			for (int i = 0; i < run.sessions; i++) {
				still_connecting |= pipeline->sessions[i]->state == SESSION_CONNECTING;
			}
			if (still_connecting) {
				struct curl_waitfd extra[PHP_SMTP_PIPELINE_MAX_SESSIONS];
				for (int i = 0; i < nfds; i++) {
					extra[i].fd = fds[i].fd;
					extra[i].events = (fds[i].events & POLLIN ? CURL_WAIT_POLLIN : 0) |
					                  (fds[i].events & POLLOUT ? CURL_WAIT_POLLOUT : 0);
					extra[i].revents = 0;
				}
				curl_multi_poll(pipeline->multi, extra, nfds, wait_ms, NULL);
				for (int i = 0; i < nfds; i++) {
					fds[i].revents = (extra[i].revents & CURL_WAIT_POLLIN ? POLLIN : 0) |
					                 (extra[i].revents & CURL_WAIT_POLLOUT ? POLLOUT : 0);
				}
			} else if (nfds > 0) {
				poll(fds, nfds, wait_ms);
			}
		} else if (nfds > 0) {
			poll(fds, nfds, wait_ms);
		}
		for (int i = 0; i < nfds; i++) {
			php_smtp_session *s = polled[i];
			if (s->state != SESSION_READY) {
				continue;
			}
			if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
				session_read(&run, s);
			}
			if (s->state == SESSION_READY && s->out_sent < s->out_len && (fds[i].revents & (POLLOUT | POLLERR))) {
				session_flush(&run, s);
			}
			session_pump(&run, s);
		}
	}

	if (run.aborted || EG(exception)) {
		run.aborted = true;
		fail_for_abort(&run);
	}
	for (int i = 0; i < run.sessions; i++) {
		php_smtp_session *s = pipeline->sessions[i];
		if (s->state == SESSION_CONNECTING || (!config->keepalive && s->state == SESSION_READY)) {
			session_disconnect(&run, s, true);
		}
	}
	pipeline->running = false;
	if (pipeline->close_pending) {
		pipeline->close_pending = false;
		php_smtp_pipeline_close(pipeline);
	}
	/* a fatal error caught in PHP code the run called goes on from here, out of libcurl */
	php_smtp_fatal_resume();
}

/* The session's request memory; its libcurl handle is the caller's business. */
static void session_free(php_smtp_session *s)
{
	if (Z_TYPE(s->setup_outcome.transcript) != IS_UNDEF) {
		php_smtp_outcome_dtor(&s->setup_outcome);
	}
	zval_ptr_dtor(&s->carry);
	php_smtp_reply_reader_free(&s->reply);
	if (s->expect) {
		efree(s->expect);
	}
	efree(s->out);
	efree(s->chunk);
	efree(s);
}

/* A forked child inherits its parent's sessions, whose connections and TLS
 * state are the parent's: the child closes its copy of each socket, sends
 * nothing, leaves libcurl's handles alone (their cleanup would write QUIT or
 * a TLS close_notify into the parent's connection) and starts with none. */
static void pipeline_drop_inherited(php_smtp_pipeline *pipeline)
{
	if (pipeline->pid == 0 || pipeline->pid == getpid()) {
		return;
	}
	for (int i = 0; i < pipeline->count; i++) {
		php_smtp_session *s = pipeline->sessions[i];
		if (s->state == SESSION_READY && s->fd != CURL_SOCKET_BAD) {
			close(s->fd);
		}
		php_smtp_persistent_abandon(s->easy);
		session_free(s);
		pipeline->sessions[i] = NULL;
	}
	pipeline->count = 0;
	php_smtp_persistent_abandon(pipeline->multi);
	pipeline->multi = NULL;
	pipeline->pid = 0;
}

void php_smtp_pipeline_close(php_smtp_pipeline *pipeline)
{
	/* No deferral for a close() from code a run called: the Mailer refuses
	 * that (php_smtp_mailer_begin). What reaches here with a run still marked
	 * is the clean-up after a fatal error cut that run short (zend_bailout):
	 * its sessions must go, or libcurl's handles leak. */
	pipeline->running = false;
	pipeline->close_pending = false;
	pipeline_drop_inherited(pipeline);
	for (int i = 0; i < pipeline->count; i++) {
		php_smtp_session *s = pipeline->sessions[i];
		if (s->state == SESSION_READY) {
			size_t n;
			curl_easy_send(s->easy, "QUIT\r\n", 6, &n);
		}
		if (s->state == SESSION_CONNECTING) {
			/* a run that a fatal error cut short: no PHP code from here on */
			session_quiet(s);
		}
		if (pipeline->multi && (s->state == SESSION_READY || s->state == SESSION_CONNECTING)) {
			curl_multi_remove_handle(pipeline->multi, s->easy);
		}
		if (s->state == SESSION_CONNECTING) {
			php_smtp_setup_end(&s->setup, CURLE_ABORTED_BY_CALLBACK);
		}
		curl_easy_cleanup(s->easy);
		session_free(s);
		pipeline->sessions[i] = NULL;
	}
	pipeline->count = 0;
	if (pipeline->multi) {
		curl_multi_cleanup(pipeline->multi);
		pipeline->multi = NULL;
	}
}

/* ---- persistent sessions ---- */

bool php_smtp_pipeline_detach(php_smtp_pipeline *pipeline, php_smtp_kept_session *out)
{
	pipeline_drop_inherited(pipeline);
	php_smtp_session *kept = NULL;
	for (int i = 0; i < pipeline->count && !kept; i++) {
		php_smtp_session *s = pipeline->sessions[i];
		if (s->state == SESSION_READY && !session_busy(s)) {
			kept = s;
		}
	}
	if (!kept || !pipeline->multi) {
		return false;
	}
	/* the multi goes with it: the others leave it first (QUIT, as close would) */
	pipeline_run run = {.pipeline = pipeline};
	for (int i = 0; i < pipeline->count; i++) {
		php_smtp_session *s = pipeline->sessions[i];
		if (s != kept && (s->state == SESSION_READY || s->state == SESSION_CONNECTING)) {
			session_disconnect(&run, s, true);
		}
	}
	*out = (php_smtp_kept_session){
	    .multi = pipeline->multi,
	    .easy = kept->easy,
	    .fd = kept->fd,
	    .pipelining = kept->pipelining,
	    .size = kept->size,
	    .smtputf8 = kept->smtputf8,
	    .chunking = kept->chunking,
	    .needs_rset = kept->needs_rset,
	    .messages = kept->kept_messages + kept->started - (kept->kept_since > 0 ? 1 : 0),
	    .since = kept->kept_since,
	};
	/* what stays is request memory only: close() frees it without touching the connection */
	pipeline->multi = NULL;
	kept->easy = NULL;
	kept->fd = CURL_SOCKET_BAD;
	kept->state = SESSION_CLOSED;
	return true;
}

void php_smtp_pipeline_adopt(php_smtp_pipeline *pipeline, const php_smtp_kept_session *in)
{
	php_smtp_session *s = session_alloc(in->easy);
	pipeline->multi = in->multi;
	pipeline->pid = getpid();
	s->fd = in->fd;
	s->pipelining = in->pipelining;
	s->size = in->size;
	s->smtputf8 = in->smtputf8;
	s->chunking = in->chunking;
	s->state = SESSION_READY;
	/* it carried messages: checked alive before use, a job on it may be retried */
	s->started = 1;
	s->needs_rset = in->needs_rset;
	s->kept_since = in->since;
	s->kept_messages = in->messages;
	static const char line[] = "using a session kept from an earlier request";
	zval text;
	ZVAL_STR(&text, strpprintf(0, "* %s", line));
	add_next_index_zval(&s->carry, &text);
	pipeline->sessions[pipeline->count++] = s;
}

/* ---- one message ---- */

typedef struct {
	php_smtp_job job;
	bool taken;
} single_feed;

static php_smtp_job *single_next(void *ctx)
{
	single_feed *feed = ctx;
	if (feed->taken) {
		return NULL;
	}
	feed->taken = true;
	return &feed->job;
}

static void single_done(void *ctx, php_smtp_job *job)
{
	(void)ctx;
	(void)job;
}

void php_smtp_pipeline_send(php_smtp_pipeline *pipeline, php_smtp_sockets *sockets, const php_smtp_config *config,
                            const php_smtp_envelope *envelope, php_smtp_outcome *outcome)
{
	single_feed state;
	memset(&state, 0, sizeof(state));
	state.job.envelope = envelope;
	state.job.outcome = *outcome; /* moved in, and back out below */
	php_smtp_job_feed feed = {.next = single_next, .done = single_done, .ctx = &state};
	php_smtp_pipeline_run(pipeline, sockets, config, 1, &feed);
	*outcome = state.job.outcome;
}
