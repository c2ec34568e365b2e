/*
 * Dot-stuffing (src/lib/stuffing.c), fed in chunk sizes the input chooses:
 * the output must equal a reference done the slow way (a "." doubled at the
 * start of every line, then CRLF "." CRLF, or "." CRLF after a final CRLF),
 * stay within SMTP_STUFF_MAX, and undo exactly: removing one leading "." from
 * each line and the terminator gives the input back.
 */
#include "fuzz_util.h"
#include "stuffing.h"

static char *reference(const char *in, size_t len, size_t *out_len)
{
	char *out = malloc(len * 2 + 6);
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (in[i] == '.' && (i == 0 || in[i - 1] == '\n')) {
			out[o++] = '.';
		}
		out[o++] = in[i];
	}
	if (len > 0 && !(len >= 2 && in[len - 2] == '\r' && in[len - 1] == '\n')) {
		out[o++] = '\r';
		out[o++] = '\n';
	}
	memcpy(out + o, ".\r\n", 3);
	*out_len = o + 3;
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_reader r;
	fuzz_reader_init(&r, data, size);
	uint32_t seed = (uint32_t) fuzz_u16(&r) << 16 | fuzz_u16(&r);
	size_t max_chunk = 1 + fuzz_u8(&r) % 64;
	size_t len;
	const char *in = fuzz_rest(&r, &len);

	size_t ref_len;
	char *ref = reference(in, len, &ref_len);

	char *out = malloc(SMTP_STUFF_MAX(len) + 5 + 1);
	size_t o = 0;
	smtp_stuffing st;
	smtp_stuffing_init(&st);
	for (size_t at = 0; at < len;) {
		size_t want = 1 + fuzz_next(&seed) % max_chunk;
		if (want > len - at) {
			want = len - at;
		}
		char *chunk = malloc(want); /* exact size: an overrun is an ASan report */
		memcpy(chunk, in + at, want);
		size_t n = smtp_stuff(&st, chunk, want, out + o);
		FUZZ_CHECK(n <= SMTP_STUFF_MAX(want), "%zu bytes out for %zu in", n, want);
		free(chunk);
		o += n;
		at += want;
	}
	o += smtp_stuff_end(&st, out + o);
	FUZZ_CHECK(o == ref_len && memcmp(out, ref, o) == 0, "output differs from the reference (%zu vs %zu bytes)", o,
	           ref_len);

	/* undo: the terminator is the only line that is "." alone */
	FUZZ_CHECK(o >= 3 && memcmp(out + o - 3, ".\r\n", 3) == 0, "no terminator");
	size_t u = 0;
	char *undone = malloc(o + 1);
	for (size_t i = 0; i < o - 3; i++) {
		if (out[i] == '.' && (i == 0 || out[i - 1] == '\n')) {
			FUZZ_CHECK(i + 1 < o - 3 && out[i + 1] == '.', "a line-leading dot that is not doubled at %zu", i);
			i++; /* keep the second */
		}
		undone[u++] = out[i];
	}
	/* the terminator may have needed its own CRLF in front */
	bool added_crlf = len > 0 && !(len >= 2 && in[len - 2] == '\r' && in[len - 1] == '\n');
	if (added_crlf) {
		FUZZ_CHECK(u >= 2, "missing the added CRLF");
		u -= 2;
	}
	FUZZ_CHECK(u == len && memcmp(undone, in, len) == 0, "undoing the stuffing does not give the input back");
	free(undone);
	free(out);
	free(ref);
	return 0;
}
