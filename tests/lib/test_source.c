/*
 * The CRLF normaliser (smtp_crlf) and the memory source built on it
 * (src/lib/source.c): every way of cutting the input into pieces and the
 * output into buffers gives the same CRLF text, and the memory source's
 * announced size is what it produces, again after a rewind.
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

static void memory(const char *name, const char *text, const char *want)
{
	bool ok = true;
	for (size_t cap = 1; cap <= 9 && ok; cap++) {
		smtp_crlf_source m;
		smtp_crlf_source_init(&m, text, strlen(text));
		smtp_source s = smtp_crlf_source_as_source(&m);
		ok = m.size == strlen(want);
		for (int pass = 0; pass < 2 && ok; pass++) {
			char out[256];
			size_t n = 0;
			ssize_t got;
			while ((got = smtp_source_read(&s, out + n, cap)) > 0) {
				n += (size_t) got;
			}
			ok = got == 0 && n == strlen(want) && memcmp(out, want, n) == 0 && smtp_source_rewind(&s) == 0;
		}
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
