/*
 * Quoted-printable (src/lib/encode.c) and the transfer-encoding choice.
 * For raw input and for its canonical (CRLF) form: decode(encode(x)) == x;
 * printable ASCII only; CRLF only; lines of at most 76 characters; no white
 * space before a line break (it would be stripped in transit); no line that
 * starts with "From " (mbox tools would mangle it). smtp_cte_for_text may
 * say 7bit only for ASCII without controls and lines <= 998.
 */
#include "fuzz_util.h"
#include "encode.h"

static void check_qp(const char *in, size_t len)
{
	smtp_buf enc, dec;
	smtp_buf_init(&enc);
	smtp_buf_init(&dec);
	smtp_qp_encode(&enc, in, len);
	FUZZ_CHECK(!enc.oom, "out of memory");

	size_t bad_at;
	FUZZ_CHECK(fuzz_crlf_lines_ok(enc.data, enc.len, 76, false, &bad_at), "bad line ending or length at %zu", bad_at);
	size_t line_start = 0;
	for (size_t i = 0; i < enc.len; i++) {
		unsigned char c = (unsigned char) enc.data[i];
		FUZZ_CHECK((c >= 0x20 && c < 0x7F) || c == '\t' || c == '\r' || c == '\n', "byte 0x%02x in QP", c);
		if (c == '\r') {
			FUZZ_CHECK(i == line_start || (enc.data[i - 1] != ' ' && enc.data[i - 1] != '\t'),
			           "white space before a line break at %zu", i);
		}
		if (i == line_start) {
			FUZZ_CHECK(enc.len - i < 5 || memcmp(enc.data + i, "From ", 5) != 0, "a line starts with \"From \" at %zu",
			           i);
		}
		if (c == '\n') {
			line_start = i + 1;
		}
	}
	/* the last line has no line break after it: trailing white space there is stripped too */
	FUZZ_CHECK(enc.len == 0 || (enc.data[enc.len - 1] != ' ' && enc.data[enc.len - 1] != '\t'),
	           "white space at the end of the text");

	FUZZ_CHECK(smtp_qp_decode(&dec, enc.data ? enc.data : "", enc.len) == 0, "own output does not decode");
	FUZZ_CHECK(dec.len == len && (len == 0 || memcmp(dec.data, in, len) == 0), "round trip differs");
	smtp_buf_free(&enc);
	smtp_buf_free(&dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *raw = malloc(size ? size : 1);
	memcpy(raw, data, size);
	check_qp(raw, size);

	smtp_buf canonical;
	smtp_buf_init(&canonical);
	smtp_text_canonicalize(&canonical, raw, size);
	size_t bad_at;
	FUZZ_CHECK(fuzz_crlf_lines_ok(canonical.data, canonical.len, SIZE_MAX, true, &bad_at), "canonical text has a bare "
	           "CR/LF at %zu", bad_at);
	check_qp(canonical.data ? canonical.data : "", canonical.len);

	smtp_cte cte = smtp_cte_for_text(canonical.data ? canonical.data : "", canonical.len);
	if (cte == SMTP_CTE_7BIT) {
		FUZZ_CHECK(fuzz_crlf_lines_ok(canonical.data, canonical.len, SMTP_LINE_MAX, false, &bad_at),
		           "7bit chosen with a line over 998 at %zu", bad_at);
		for (size_t i = 0; i < canonical.len; i++) {
			unsigned char c = (unsigned char) canonical.data[i];
			FUZZ_CHECK(c < 0x80 && c != 0 && (c >= 0x20 || c == '\t' || c == '\r' || c == '\n') && c != 0x7F,
			           "7bit chosen for byte 0x%02x", c);
		}
	}

	/* the decoder on arbitrary text */
	smtp_buf dec;
	smtp_buf_init(&dec);
	if (smtp_qp_decode(&dec, raw, size) == 0) {
		FUZZ_CHECK(dec.len <= size, "decoder grew the text");
	}
	smtp_buf_free(&dec);
	smtp_buf_free(&canonical);
	free(raw);
	return 0;
}
