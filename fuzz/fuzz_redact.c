/*
 * Transcript redaction (src/lib/redact.c). The input is a session: lines
 * separated by LF; a line starting with three digits is a server reply, any
 * other a client line. The invariant is the security promise: nothing a
 * client sends from "AUTH" until a reply other than 334 reaches the output,
 * except "AUTH <mechanism>" itself; every other line passes unchanged.
 * Output buffer sizes come from the input, to exercise truncation.
 */
#include "fuzz_util.h"
#include "redact.h"

#include <strings.h>

static bool is_auth(const char *s, size_t len)
{
	return len >= 4 && strncasecmp(s, "auth", 4) == 0 && (len == 4 || s[4] == ' ');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1) {
		return 0;
	}
	size_t cap = data[0]; /* 0..255: truncation and the cap == 0 case */
	const char *s = (const char *) data + 1;
	size_t len = size - 1;
	smtp_redactor r = {false};
	bool in_auth = false; /* the fuzzer's own model of the session */
	char *out = malloc(cap ? cap : 1);

	size_t start = 0;
	while (start < len) {
		const char *nl = memchr(s + start, '\n', len - start);
		size_t line_len = nl ? (size_t) (nl - (s + start)) : len - start;
		const char *line = s + start;
		start += line_len + 1;

		if (line_len >= 3 && line[0] >= '0' && line[0] <= '9' && line[1] >= '0' && line[1] <= '9' && line[2] >= '0' &&
		    line[2] <= '9') {
			int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
			smtp_redact_server_reply(&r, code);
			if (code != 334) {
				in_auth = false;
			}
			continue;
		}

		/* an exact-size copy so ASan catches reads past the line */
		char *copy = malloc(line_len ? line_len : 1);
		memcpy(copy, line, line_len);
		memset(out, 0x55, cap ? cap : 1);
		size_t n = smtp_redact_client_line(&r, copy, line_len, out, cap);

		if (cap == 0) {
			FUZZ_CHECK(n == 0, "wrote into a zero-sized buffer");
		} else {
			FUZZ_CHECK(n < cap && out[n] == '\0', "output not terminated at its length");
		}

		/* the line without its CR (the LF was the separator) */
		size_t body = line_len;
		while (body && (copy[body - 1] == '\r' || copy[body - 1] == '\n')) {
			body--;
		}
		char expected[600];
		size_t expected_len;
		if (in_auth) {
			memcpy(expected, "***", 3);
			expected_len = 3;
		} else if (is_auth(copy, body)) {
			in_auth = true;
			size_t mech_end = 5;
			while (mech_end < body && copy[mech_end] != ' ') {
				mech_end++;
			}
			if (mech_end >= body) {
				expected_len = body < sizeof(expected) ? body : sizeof(expected);
				memcpy(expected, copy, expected_len);
			} else {
				expected_len = mech_end < sizeof(expected) - 4 ? mech_end : sizeof(expected) - 4;
				memcpy(expected, copy, expected_len);
				memcpy(expected + expected_len, " ***", 4);
				expected_len += 4;
			}
		} else {
			expected_len = body < sizeof(expected) ? body : sizeof(expected);
			memcpy(expected, copy, expected_len);
		}
		if (cap > 0) {
			/* the output is a prefix of the expected form; a truncated
			 * redaction may drop " ***" but never shows more than the mechanism */
			FUZZ_CHECK(n <= expected_len && memcmp(out, expected, n) == 0, "line %.40s redacted as %.40s", copy, out);
			if (expected_len < cap && expected_len <= 255) {
				FUZZ_CHECK(n == expected_len, "short output without truncation");
			}
		}
		free(copy);
	}
	free(out);
	return 0;
}
