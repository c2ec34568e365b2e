/*
 * SMTP reply lines, enhanced status codes and EHLO keywords (src/lib/reply.c):
 * what a hostile or broken server controls. Every result must point inside
 * the input and agree with the grammar it claims to have matched.
 */
#include "fuzz_util.h"
#include "reply.h"

#include <strings.h>

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes, so ASan sees any read past the line */
	char *line = malloc(size ? size : 1);
	memcpy(line, data, size);

	size_t trimmed = smtp_line_trim_eol(line, size);
	FUZZ_CHECK(trimmed <= size, "trim grew the line");
	FUZZ_CHECK(trimmed == 0 || (line[trimmed - 1] != '\r' && line[trimmed - 1] != '\n'), "EOL left after trim");
	for (size_t i = trimmed; i < size; i++) {
		FUZZ_CHECK(line[i] == '\r' || line[i] == '\n', "trim removed a byte that is not CR/LF");
	}

	smtp_reply_line reply;
	if (smtp_reply_parse_line(line, size, &reply) == 0) {
		FUZZ_CHECK(reply.code >= 200 && reply.code <= 599, "code %d out of range", reply.code);
		FUZZ_CHECK(trimmed >= 3 && digit(line[0]) && digit(line[1]) && digit(line[2]), "no three digits");
		FUZZ_CHECK(reply.code == (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'), "wrong code");
		FUZZ_CHECK(reply.text >= line && reply.text + reply.text_len <= line + trimmed, "text outside the line");
		FUZZ_CHECK(trimmed == 3 ? reply.last && reply.text_len == 0 : (line[3] == ' ') == reply.last,
		           "last flag disagrees with the separator");
		FUZZ_CHECK(trimmed == 3 || line[3] == ' ' || line[3] == '-', "bad separator accepted");

		char status[16];
		memset(status, 'x', sizeof(status));
		size_t n = smtp_reply_enhanced_status(reply.text, reply.text_len, status);
		FUZZ_CHECK(n < sizeof(status) && status[n] == '\0', "status not terminated");
		if (n) {
			/* class "." 1*3digit "." 1*3digit, a prefix of text, then the end or white space */
			FUZZ_CHECK(n >= 5 && n <= 9 && memcmp(status, reply.text, n) == 0, "status not a prefix of text");
			FUZZ_CHECK(status[0] == '2' || status[0] == '4' || status[0] == '5', "bad class");
			FUZZ_CHECK(n == reply.text_len || reply.text[n] == ' ' || reply.text[n] == '\t', "status runs on");
			int dots = 0;
			for (size_t i = 1; i < n; i++) {
				FUZZ_CHECK(digit(status[i]) || status[i] == '.', "bad character in status");
				dots += status[i] == '.';
			}
			FUZZ_CHECK(dots == 2 && status[n - 1] != '.' && status[2] != '.', "bad status shape");
		} else {
			FUZZ_CHECK(status[0] == '\0', "absent status not emptied");
		}

		static const char *const keywords[] = {"AUTH", "STARTTLS", "SIZE", "8BITMIME", "SMTPUTF8", "PIPELINING"};
		for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++) {
			size_t klen = strlen(keywords[k]);
			bool has = smtp_reply_ehlo_has(reply.text, reply.text_len, keywords[k]);
			bool expected = reply.text_len >= klen && strncasecmp(reply.text, keywords[k], klen) == 0 &&
			                (reply.text_len == klen || reply.text[klen] == ' ' || reply.text[klen] == '=');
			FUZZ_CHECK(has == expected, "ehlo_has(%s) = %d, expected %d", keywords[k], has, expected);
		}
	} else {
		/* a rejected line must really break the grammar */
		bool grammar = trimmed >= 3 && digit(line[0]) && digit(line[1]) && digit(line[2]) &&
		               (trimmed == 3 || line[3] == ' ' || line[3] == '-');
		int code = grammar ? (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0') : 0;
		FUZZ_CHECK(!grammar || code < 200 || code > 599, "a valid reply line was rejected");
	}
	free(line);
	return 0;
}
