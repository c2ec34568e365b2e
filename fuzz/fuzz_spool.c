/*
 * The spool file header parser (src/lib/spool_file.c): a spool file may be
 * truncated by a crash, damaged on disk or planted by another local user.
 * The input is the whole file (given to the parser through a memfd).
 * Invariants on success: a sender and at least one recipient, no LF inside
 * any value, no NUL in the header, every number within its bounds, the body
 * offset just past the first empty line; the parsed meta formatted and parsed
 * again gives the same meta (a stable round trip). Then the envelope check
 * (smtp_spool_meta_check_envelope): what it passes is what a send would
 * send, every address a valid addr-spec that normalizes to itself, no CR,
 * LF, NUL, space or angle bracket, within RFC 5321's length, SMTPUTF8 set
 * when a local part needs it. The body through smtp_crlf_stream, read in
 * random chunks, equals smtp_crlf_source over the same bytes and holds no
 * bare CR or LF.
 */
#include "fuzz_util.h"
#include "spool_file.h"
#include "address.h"
#include "source.h"

#include <sys/mman.h>
#include <unistd.h>

static int memfd_with(const char *data, size_t len)
{
	int fd = memfd_create("spool", MFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0, "memfd_create failed");
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		FUZZ_CHECK(n > 0, "write to memfd failed");
		done += (size_t) n;
	}
	return fd;
}

static void check_value(const char *s)
{
	FUZZ_CHECK(s != NULL && strchr(s, '\n') == NULL, "a value holds a line break");
}

/* What the envelope check passed must be what a send would put in MAIL/RCPT. */
static void check_address(const char *address, bool *utf8)
{
	size_t len = strlen(address);
	FUZZ_CHECK(len > 0 && len <= SMTP_ADDRESS_MAX, "address length %zu", len);
	FUZZ_CHECK(strpbrk(address, "\r\n") == NULL, "CR or LF in \"%s\"", address);
	/* a space or an angle bracket only inside a quoted local part (RFC 5321
	 * Quoted-string, as a send allows it), never where it could end the path */
	const char *rest = address;
	if (*rest == '"') {
		for (rest++; *rest && *rest != '"'; rest++) {
			if (*rest == '\\' && rest[1]) {
				rest++;
			}
		}
		FUZZ_CHECK(*rest == '"', "unterminated quoted local part in \"%s\"", address);
		rest++;
	}
	FUZZ_CHECK(strpbrk(rest, " <>\"") == NULL, "space, angle bracket or quote outside quotes in \"%s\"", address);
	char *again = NULL, why[128];
	bool utf8_local = false;
	FUZZ_CHECK(smtp_address_normalize(address, len, &again, &utf8_local, why, sizeof(why)) == 0 && again,
	           "accepted address does not validate again: %s", why);
	FUZZ_CHECK(strcmp(again, address) == 0, "normalizing is not idempotent: \"%s\" -> \"%s\"", address, again);
	smtp_address_free(again);
	*utf8 |= utf8_local;
}

/* A source over memory that hands out a few bytes a read. */
typedef struct {
	const char *data;
	size_t len, pos, step;
} chunky;

static ssize_t chunky_read(void *ctx, char *buf, size_t cap)
{
	chunky *c = ctx;
	size_t n = c->len - c->pos;
	n = n < cap ? n : cap;
	n = n < c->step ? n : c->step;
	memcpy(buf, c->data + c->pos, n);
	c->pos += n;
	return (ssize_t) n;
}

static int chunky_rewind(void *ctx)
{
	((chunky *) ctx)->pos = 0;
	return 0;
}

static void check_body(const char *bytes, size_t len)
{
	smtp_crlf_source ref;
	smtp_crlf_source_init(&ref, bytes, len);
	smtp_source ref_source = smtp_crlf_source_as_source(&ref);
	char *want = malloc(ref.size + 1), *got = malloc(ref.size + 64);
	FUZZ_CHECK(want && got, "out of memory");
	size_t want_len = 0;
	ssize_t n;
	while ((n = smtp_source_read(&ref_source, want + want_len, ref.size + 1 - want_len)) > 0) {
		want_len += (size_t) n;
	}
	FUZZ_CHECK(want_len == ref.size, "smtp_crlf_source size");

	chunky inner = {bytes, len, 0, 1 + len % 7};
	smtp_source inner_source = {chunky_read, chunky_rewind, NULL, &inner};
	smtp_crlf_stream *stream = malloc(sizeof(*stream));
	FUZZ_CHECK(stream != NULL, "out of memory");
	smtp_crlf_stream_init(stream, &inner_source);
	smtp_source s = smtp_crlf_stream_as_source(stream);
	for (int pass = 0; pass < 2; pass++) {
		size_t got_len = 0, cap = 1 + (len * 13 + (size_t) pass) % 11;
		while (got_len < ref.size + 64 && (n = smtp_source_read(&s, got + got_len, cap < ref.size + 64 - got_len ? cap : ref.size + 64 - got_len)) > 0) {
			got_len += (size_t) n;
		}
		FUZZ_CHECK(got_len == want_len && memcmp(got, want, want_len) == 0, "the stream differs from smtp_crlf_source");
		for (size_t i = 0; i < got_len; i++) {
			FUZZ_CHECK(got[i] != '\n' || (i > 0 && got[i - 1] == '\r'), "bare LF at %zu", i);
			FUZZ_CHECK(got[i] != '\r' || (i + 1 < got_len && got[i + 1] == '\n'), "bare CR at %zu", i);
		}
		FUZZ_CHECK(smtp_source_rewind(&s) == 0, "rewind failed");
	}
	free(stream);
	free(want);
	free(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536) {
		return 0;
	}
	int fd = memfd_with((const char *) data, size);
	smtp_spool_meta meta;
	off_t body = -1;
	char err[200];
	int rc = smtp_spool_meta_read(fd, &meta, &body, err, sizeof(err));
	close(fd);
	FUZZ_CHECK(strlen(err) < sizeof(err) || rc == 0, "err not terminated");
	if (rc != 0) {
		/* a failed parse leaves nothing to free */
		FUZZ_CHECK(meta.from == NULL && meta.recipients == NULL && meta.last_error == NULL, "meta left filled");
		return 0;
	}
	FUZZ_CHECK(body >= 2 && (size_t) body <= size && data[body - 1] == '\n' && data[body - 2] == '\n',
	           "body offset %lld not after an empty line", (long long) body);
	FUZZ_CHECK(memmem(data, (size_t) body, "\n\n", 2) == data + body - 2, "body offset not at the first empty line");
	check_value(meta.from);
	check_value(meta.last_error);
	FUZZ_CHECK(meta.recipient_count > 0, "no recipients");
	for (size_t i = 0; i < meta.recipient_count; i++) {
		check_value(meta.recipients[i]);
	}

	size_t text_len;
	char *text = smtp_spool_meta_format(&meta, &text_len);
	FUZZ_CHECK(text != NULL && strlen(text) == text_len, "format failed");
	fd = memfd_with(text, text_len);
	smtp_spool_meta again;
	off_t body_again;
	FUZZ_CHECK(smtp_spool_meta_read(fd, &again, &body_again, err, sizeof(err)) == 0, "own format refused: %s", err);
	close(fd);
	FUZZ_CHECK((size_t) body_again == text_len, "formatted header has a different length");
	FUZZ_CHECK(strcmp(meta.from, again.from) == 0 && strcmp(meta.last_error, again.last_error) == 0, "strings differ");
	FUZZ_CHECK(meta.recipient_count == again.recipient_count, "recipient counts differ");
	for (size_t i = 0; i < meta.recipient_count; i++) {
		FUZZ_CHECK(strcmp(meta.recipients[i], again.recipients[i]) == 0, "recipient %zu differs", i);
	}
	FUZZ_CHECK(meta.smtputf8 == again.smtputf8 && meta.queued_at == again.queued_at &&
	               meta.attempts == again.attempts && meta.next_try == again.next_try,
	           "numbers differ");

	free(text);
	smtp_spool_meta_free(&again);

	FUZZ_CHECK(memchr(data, '\0', (size_t) body) == NULL, "a NUL in an accepted header");
	FUZZ_CHECK(meta.queued_at >= 0 && meta.queued_at <= SMTP_SPOOL_MAX_TIME && meta.next_try >= 0 &&
	               meta.next_try <= SMTP_SPOOL_MAX_TIME && meta.attempts <= SMTP_SPOOL_MAX_ATTEMPTS,
	           "a number out of bounds");
	if (smtp_spool_meta_check_envelope(&meta, err, sizeof(err)) == 0) {
		bool utf8 = false;
		if (meta.from[0]) {
			check_address(meta.from, &utf8);
		}
		for (size_t i = 0; i < meta.recipient_count; i++) {
			check_address(meta.recipients[i], &utf8);
		}
		FUZZ_CHECK(!utf8 || meta.smtputf8, "a UTF-8 local part without smtputf8");
	} else {
		FUZZ_CHECK(strlen(err) > 0 && strchr(err, '\n') == NULL && strchr(err, '\r') == NULL,
		           "a refusal without a one-line reason");
	}
	smtp_spool_meta_free(&meta);

	check_body((const char *) data + body, size - (size_t) body);
	return 0;
}
