#include "redact.h"
#include "reply.h"

#include <string.h>

static size_t copy_out(char *out, size_t cap, const char *s, size_t len)
{
	if (cap == 0) {
		return 0;
	}
	if (len >= cap) {
		len = cap - 1;
	}
	memcpy(out, s, len);
	out[len] = '\0';
	return len;
}

static bool starts_with_auth(const char *line, size_t len)
{
	return len >= 4 && (line[0] | 0x20) == 'a' && (line[1] | 0x20) == 'u' && (line[2] | 0x20) == 't' &&
	       (line[3] | 0x20) == 'h' && (len == 4 || line[4] == ' ');
}

size_t smtp_redact_client_line(smtp_redactor *r, const char *line, size_t len, char *out, size_t cap)
{
	len = smtp_line_trim_eol(line, len);

	if (r->in_auth) {
		return copy_out(out, cap, "***", 3);
	}
	if (!starts_with_auth(line, len)) {
		return copy_out(out, cap, line, len);
	}

	r->in_auth = true;
	/* Keep "AUTH MECH"; whatever follows the mechanism is an initial response. */
	size_t mech_end = 5;
	while (mech_end < len && line[mech_end] != ' ') {
		mech_end++;
	}
	if (mech_end >= len) {
		return copy_out(out, cap, line, len);
	}
	size_t n = copy_out(out, cap, line, mech_end);
	if (n == mech_end && cap > n + 4) {
		memcpy(out + n, " ***", 5);
		n += 4;
	}
	return n;
}

void smtp_redact_server_reply(smtp_redactor *r, int code)
{
	if (code != 334) {
		r->in_auth = false;
	}
}
