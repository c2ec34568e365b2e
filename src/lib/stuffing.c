#include "stuffing.h"

#include <string.h>

void smtp_stuffing_init(smtp_stuffing *st)
{
	st->at_line_start = true;
	st->last[0] = st->last[1] = 0;
	st->seen = 0;
}

size_t smtp_stuff(smtp_stuffing *st, const char *in, size_t len, char *out)
{
	if (len == 0) {
		return 0;
	}
	char *o = out;
	const char *p = in, *end = in + len;
	/* Copy whole runs between line starts with memcpy; only the byte after
	 * each LF needs a look. */
	while (p < end) {
		if (st->at_line_start && *p == '.') {
			*o++ = '.';
		}
		const char *lf = memchr(p, '\n', end - p);
		const char *stop = lf ? lf + 1 : end;
		memcpy(o, p, stop - p);
		o += stop - p;
		p = stop;
		st->at_line_start = lf != NULL;
	}
	if (len >= 2) {
		st->last[0] = in[len - 2];
		st->last[1] = in[len - 1];
	} else {
		st->last[0] = st->last[1];
		st->last[1] = in[0];
	}
	st->seen += len;
	return o - out;
}

size_t smtp_stuff_end(const smtp_stuffing *st, char *out)
{
	bool ends_with_crlf = st->seen >= 2 && st->last[0] == '\r' && st->last[1] == '\n';
	size_t n = 0;
	if (st->seen > 0 && !ends_with_crlf) {
		out[n++] = '\r';
		out[n++] = '\n';
	}
	out[n++] = '.';
	out[n++] = '\r';
	out[n++] = '\n';
	return n;
}
