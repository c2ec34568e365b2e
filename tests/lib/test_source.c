/*
 * The CRLF normaliser (smtp_crlf) and the two sources built on it
 * (src/lib/source.c), the memory source and the stream over another source:
 * every way of cutting the input into pieces and the output into buffers
 * gives the same CRLF text, again after a rewind, and the memory source's
 * announced size is what it produces.
 */
#include <string.h>

#include "source.h"
#include "tap.h"

/* Runs text through smtp_crlf in input pieces of `step` bytes and output
 * buffers of `cap` bytes; out must hold 3 * len + 2 bytes. */
static size_t normalise(const char *text, size_t len, size_t step, size_t cap, char *out)
{
	smtp_crlf c;
	smtp_crlf_init(&c);
	size_t o = 0, i = 0;
	while (i < len) {
		size_t piece = len - i < step ? len - i : step, used;
		o += smtp_crlf_convert(&c, text + i, piece, &used, out + o, cap);
		i += used;
	}
	size_t n;
	while ((n = smtp_crlf_finish(&c, out + o, cap)) > 0) {
		o += n;
	}
	return o;
}

static void convert(const char *name, const char *text, const char *want)
{
	size_t len = strlen(text);
	char out[256];
	bool ok = true;
	for (size_t step = 1; step <= 9 && ok; step++) {
		for (size_t cap = 1; cap <= 9 && ok; cap++) {
			size_t n = normalise(text, len, step, cap, out);
			ok = n == strlen(want) && memcmp(out, want, n) == 0;
			if (!ok) {
				tap_diag("step %zu, cap %zu: \"%.*s\"", step, cap, (int) n, out);
			}
		}
	}
	tap_ok(ok, name);
}

/* Reads s to its end in reads of at most cap bytes; false on a read error. */
static bool drain(const smtp_source *s, size_t cap, char *out, size_t room, size_t *len)
{
	ssize_t got;
	*len = 0;
	while ((got = smtp_source_read(s, out + *len, cap < room - *len ? cap : room - *len)) > 0) {
		*len += (size_t) got;
	}
	return got == 0;
}

/* Reads s through twice (a rewind between) in reads of 1..9 bytes: want each time. */
static bool reads_as(const smtp_source *s, const char *want)
{
	for (size_t cap = 1; cap <= 9; cap++) {
		for (int pass = 0; pass < 2; pass++) {
			char out[256];
			size_t n;
			if (!drain(s, cap, out, sizeof(out), &n) || n != strlen(want) || memcmp(out, want, n) != 0 ||
			    smtp_source_rewind(s) != 0) {
				tap_diag("cap %zu, pass %d: \"%.*s\"", cap, pass, (int) n, out);
				return false;
			}
		}
	}
	return true;
}

static void memory(const char *name, const char *text, const char *want)
{
	smtp_crlf_source m;
	smtp_crlf_source_init(&m, text, strlen(text));
	smtp_source s = smtp_crlf_source_as_source(&m);
	bool sized = m.size == strlen(want);
	tap_ok(sized && reads_as(&s, want), name);
}

/* A source over memory that hands out at most `step` bytes a read. */
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

/* smtp_crlf_stream over an inner source that hands out 1..9 bytes a read. */
static void stream(const char *name, const char *text, const char *want)
{
	bool ok = true;
	for (size_t step = 1; step <= 9 && ok; step++) {
		chunky c = {text, strlen(text), 0, step};
		smtp_source inner = {chunky_read, chunky_rewind, NULL, &c};
		smtp_crlf_stream st;
		smtp_crlf_stream_init(&st, &inner);
		smtp_source s = smtp_crlf_stream_as_source(&st);
		ok = reads_as(&s, want);
	}
	tap_ok(ok, name);
}

int main(void)
{
	static const struct {
		const char *name, *text, *want;
	} cases[] = {
		{"empty input is one CRLF", "", "\r\n"},
		{"a final CRLF is added", "a", "a\r\n"},
		{"CRLF text stays as it is", "a\r\nb\r\n", "a\r\nb\r\n"},
		{"a bare LF becomes CRLF", "a\nb\n", "a\r\nb\r\n"},
		{"a bare CR becomes CRLF", "a\rb\r", "a\r\nb\r\n"},
		{"LF CR is two line ends", "a\n\rb", "a\r\n\r\nb\r\n"},
		{"CR CR LF is two line ends", "a\r\r\nb", "a\r\n\r\nb\r\n"},
		{"a lone LF line", "\n", "\r\n"},
		{"a lone CR line", "\r", "\r\n"},
		{"LF dot LF cannot end DATA early", "x\n.\ny", "x\r\n.\r\ny\r\n"},
		{"mixed endings in one text", "one\r\ntwo\nthree\rfour", "one\r\ntwo\r\nthree\r\nfour\r\n"},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char name[160];
		snprintf(name, sizeof(name), "smtp_crlf: %s", cases[k].name);
		convert(name, cases[k].text, cases[k].want);
		snprintf(name, sizeof(name), "smtp_crlf_source: %s", cases[k].name);
		memory(name, cases[k].text, cases[k].want);
		snprintf(name, sizeof(name), "smtp_crlf_stream: %s", cases[k].name);
		stream(name, cases[k].text, cases[k].want);
	}

	/* a CRLF whose CR ends one piece of input and whose LF starts the next is one line end */
	smtp_crlf c;
	smtp_crlf_init(&c);
	char out[16];
	size_t used, o = smtp_crlf_convert(&c, "a\r", 2, &used, out, sizeof(out));
	o += smtp_crlf_convert(&c, "\nb", 2, &used, out + o, sizeof(out) - o);
	o += smtp_crlf_finish(&c, out + o, sizeof(out) - o);
	tap_ok(o == 6 && memcmp(out, "a\r\nb\r\n", 6) == 0, "smtp_crlf: CR and LF in two pieces are one CRLF");

	/* a full output buffer consumes nothing more */
	smtp_crlf_init(&c);
	o = smtp_crlf_convert(&c, "abc", 3, &used, out, 0);
	tap_ok(o == 0 && used == 0, "smtp_crlf: no room, nothing consumed");

	/* finish is idempotent once everything is out */
	smtp_crlf_init(&c);
	o = smtp_crlf_finish(&c, out, sizeof(out));
	tap_ok(o == 2 && smtp_crlf_finish(&c, out, sizeof(out)) == 0, "smtp_crlf: the final CRLF comes once");
	return tap_done();
}
