/*
 * Base64 (src/lib/encode.c): decode(encode(x)) == x for the line-wrapped and
 * the unwrapped form; lines of at most 76 characters, CRLF only, the base64
 * alphabet only; encoding in 57-byte-multiple pieces (how attachments are
 * streamed) gives the same text as one call; and the decoder survives any
 * input.
 */
#include "fuzz_util.h"
#include "encode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	smtp_buf lines, flat, decoded, streamed;
	smtp_buf_init(&lines);
	smtp_buf_init(&flat);
	smtp_buf_init(&decoded);
	smtp_buf_init(&streamed);

	smtp_base64_lines(&lines, data, size);
	size_t bad_at;
	FUZZ_CHECK(!lines.oom, "out of memory");
	FUZZ_CHECK(fuzz_crlf_lines_ok(lines.data, lines.len, SMTP_BASE64_LINE, true, &bad_at), "bad line at %zu", bad_at);
	FUZZ_CHECK(size > 0 || lines.len == 0, "output for empty input");
	for (size_t i = 0; i < lines.len; i++) {
		char c = lines.data[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
		          c == '/' || c == '=' || c == '\r' || c == '\n';
		FUZZ_CHECK(ok, "byte 0x%02x in base64 output", (unsigned char) c);
	}
	FUZZ_CHECK(smtp_base64_decode(&decoded, lines.data, lines.len) == 0, "own output does not decode");
	FUZZ_CHECK(decoded.len == size && (size == 0 || memcmp(decoded.data, data, size) == 0), "round trip differs");

	smtp_base64(&flat, data, size);
	FUZZ_CHECK(flat.len == (size + 2) / 3 * 4, "unwrapped length %zu for %zu bytes", flat.len, size);
	FUZZ_CHECK(flat.len == 0 || memchr(flat.data, '\r', flat.len) == NULL, "CR in unwrapped base64");
	decoded.len = 0;
	FUZZ_CHECK(smtp_base64_decode(&decoded, flat.data, flat.len) == 0, "unwrapped output does not decode");
	FUZZ_CHECK(decoded.len == size && (size == 0 || memcmp(decoded.data, data, size) == 0), "unwrapped round trip");

	/* streamed in pieces whose sizes are multiples of 57 (the first input byte picks them) */
	size_t step = SMTP_BASE64_LINE_IN * (1 + (size ? data[0] % 4 : 0));
	for (size_t off = 0; off < size; off += step) {
		smtp_base64_lines(&streamed, data + off, size - off < step ? size - off : step);
	}
	FUZZ_CHECK(streamed.len == lines.len && (lines.len == 0 || memcmp(streamed.data, lines.data, lines.len) == 0),
	           "streamed base64 differs from one pass");

	/* the decoder on arbitrary text: no crash, and never more than 3/4 of the input */
	decoded.len = 0;
	if (smtp_base64_decode(&decoded, (const char *) data, size) == 0) {
		FUZZ_CHECK(decoded.len <= size * 3 / 4 + 1, "decoder produced too much");
	}

	smtp_buf_free(&lines);
	smtp_buf_free(&flat);
	smtp_buf_free(&decoded);
	smtp_buf_free(&streamed);
	return 0;
}
