#include "source.h"

#include <string.h>

/* ---- CRLF-normalising memory source ---- */

enum { CRLF_BODY, CRLF_DONE };

static bool ends_with_line_break(const char *data, size_t len)
{
	return len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r');
}

/* memchr finds line breaks far faster than a byte loop: count the LFs without
 * a CR before them and the CRs without an LF after them. */
static size_t count_bare_line_breaks(const char *data, size_t len)
{
	const char *end = data + len;
	size_t bare = 0;
	for (const char *p = data, *q; (q = memchr(p, '\n', end - p)) != NULL; p = q + 1) {
		bare += q == data || q[-1] != '\r';
	}
	for (const char *p = data, *q; (q = memchr(p, '\r', end - p)) != NULL; p = q + 1) {
		bare += q + 1 == end || q[1] != '\n';
	}
	return bare;
}

void smtp_crlf_source_init(smtp_crlf_source *s, const char *data, size_t len)
{
	s->data = data;
	s->len = len;
	s->pos = 0;
	s->pending = 0;
	s->state = CRLF_BODY;
	/* Well-formed text (the usual case) is copied as it is. */
	size_t bare = count_bare_line_breaks(data, len);
	s->clean = bare == 0;
	s->size = len + bare + (ends_with_line_break(data, len) ? 0 : 2);
}

/* The next CR or LF at or after p, or end. */
static const char *next_line_break(const char *p, const char *end)
{
	const char *lf = memchr(p, '\n', end - p);
	const char *cr = memchr(p, '\r', (lf ? lf : end) - p);
	return cr ? cr : lf ? lf : end;
}

static ssize_t crlf_read(void *ctx, char *buf, size_t cap)
{
	smtp_crlf_source *s = ctx;
	size_t o = 0;

	while (o < cap) {
		if (s->pending) {
			/* finish a line ending that did not fit last time */
			buf[o++] = s->pending == 2 ? '\r' : '\n';
			s->pending--;
			continue;
		}
		if (s->state == CRLF_DONE) {
			break;
		}
		if (s->pos == s->len) {
			s->state = CRLF_DONE;
			if (!ends_with_line_break(s->data, s->len)) {
				s->pending = 2;
			}
			continue;
		}
		const char *start = s->data + s->pos;
		const char *end = s->data + s->len;
		size_t room = cap - o;
		if (s->clean) {
			size_t n = (size_t)(end - start) < room ? (size_t)(end - start) : room;
			memcpy(buf + o, start, n);
			o += n;
			s->pos += n;
			continue;
		}
		/* copy the run of ordinary bytes up to the next line break */
		const char *stop = next_line_break(start, (size_t)(end - start) < room ? end : start + room);
		size_t run = (size_t)(stop - start);
		if (run) {
			memcpy(buf + o, start, run);
			o += run;
			s->pos += run;
			continue;
		}
		/* a line ending of any kind becomes CRLF */
		if (start[0] == '\r' && start + 1 < end && start[1] == '\n') {
			s->pos += 2;
		} else {
			s->pos += 1;
		}
		s->pending = 2;
	}
	return (ssize_t)o;
}

static int crlf_rewind(void *ctx)
{
	smtp_crlf_source *s = ctx;
	smtp_crlf_source_init(s, s->data, s->len);
	return 0;
}

static const char *no_error(void *ctx)
{
	(void)ctx;
	return "";
}

smtp_source smtp_crlf_source_as_source(smtp_crlf_source *s)
{
	smtp_source source = {crlf_read, crlf_rewind, no_error, s};
	return source;
}

/* ---- CRLF-normalising stream over another source ---- */

void smtp_crlf_stream_init(smtp_crlf_stream *s, const smtp_source *inner)
{
	s->inner = inner;
	s->in_len = s->in_pos = 0;
	s->after_cr = false;
	s->line_start = true;
	s->produced = false;
	s->done = false;
	s->pending = 0;
}

static ssize_t crlf_stream_read(void *ctx, char *buf, size_t cap)
{
	smtp_crlf_stream *s = ctx;
	size_t o = 0;
	while (o < cap) {
		if (s->pending) {
			buf[o++] = s->pending == 2 ? '\r' : '\n';
			s->pending--;
			continue;
		}
		if (s->in_pos == s->in_len) {
			if (s->done) {
				break;
			}
			ssize_t n = smtp_source_read(s->inner, s->in, sizeof(s->in));
			if (n < 0) {
				return -1;
			}
			s->in_len = (size_t) n;
			s->in_pos = 0;
			if (n == 0) {
				s->done = true;
				/* the last line ends with CRLF, as smtp_crlf_source makes it */
				if (!s->line_start || !s->produced) {
					s->pending = 2;
					s->line_start = s->produced = true;
				}
				continue;
			}
		}
		/* a run of ordinary bytes goes as it is */
		const char *start = s->in + s->in_pos, *end = s->in + s->in_len;
		const char *stop = next_line_break(start, (size_t) (end - start) < cap - o ? end : start + (cap - o));
		if (stop > start) {
			memcpy(buf + o, start, (size_t) (stop - start));
			o += (size_t) (stop - start);
			s->in_pos += (size_t) (stop - start);
			s->after_cr = s->line_start = false;
			s->produced = true;
			continue;
		}
		char c = s->in[s->in_pos++];
		if (c == '\n' && s->after_cr) {
			s->after_cr = false; /* the LF of a CRLF whose CRLF is already out */
			continue;
		}
		s->after_cr = c == '\r';
		s->produced = true;
		if (c == '\r' || c == '\n') {
			s->pending = 2;
			s->line_start = true;
		} else {
			buf[o++] = c;
			s->line_start = false;
		}
	}
	return (ssize_t) o;
}

static int crlf_stream_rewind(void *ctx)
{
	smtp_crlf_stream *s = ctx;
	const smtp_source *inner = s->inner;
	if (smtp_source_rewind(inner) != 0) {
		return -1;
	}
	smtp_crlf_stream_init(s, inner);
	return 0;
}

static const char *crlf_stream_error(void *ctx)
{
	return smtp_source_error(((smtp_crlf_stream *) ctx)->inner);
}

smtp_source smtp_crlf_stream_as_source(smtp_crlf_stream *s)
{
	smtp_source source = {crlf_stream_read, crlf_stream_rewind, crlf_stream_error, s};
	return source;
}

/* ---- prefix + inner source ---- */

void smtp_prefixed_source_init(smtp_prefixed_source *s, const char *prefix, size_t len, const smtp_source *inner)
{
	s->prefix = prefix;
	s->prefix_len = len;
	s->pos = 0;
	s->inner = inner;
}

static ssize_t prefixed_read(void *ctx, char *buf, size_t cap)
{
	smtp_prefixed_source *s = ctx;
	size_t o = 0;
	if (s->pos < s->prefix_len) {
		size_t n = s->prefix_len - s->pos;
		if (n > cap) {
			n = cap;
		}
		memcpy(buf, s->prefix + s->pos, n);
		s->pos += n;
		o = n;
	}
	if (o < cap) {
		ssize_t n = smtp_source_read(s->inner, buf + o, cap - o);
		if (n < 0) {
			return -1;
		}
		o += (size_t)n;
	}
	return (ssize_t)o;
}

static int prefixed_rewind(void *ctx)
{
	smtp_prefixed_source *s = ctx;
	s->pos = 0;
	return smtp_source_rewind(s->inner);
}

static const char *prefixed_error(void *ctx)
{
	smtp_prefixed_source *s = ctx;
	return smtp_source_error(s->inner);
}

smtp_source smtp_prefixed_source_as_source(smtp_prefixed_source *s)
{
	smtp_source source = {prefixed_read, prefixed_rewind, prefixed_error, s};
	return source;
}

int smtp_source_8bit(const smtp_source *s, bool *eight_bit)
{
	char buf[8192];
	ssize_t n;
	*eight_bit = false;
	if (smtp_source_rewind(s) != 0) {
		return -1;
	}
	while ((n = smtp_source_read(s, buf, sizeof(buf))) > 0) {
		if (!*eight_bit && smtp_data_8bit(buf, (size_t)n)) {
			*eight_bit = true;
			break;
		}
	}
	if (n < 0 || smtp_source_rewind(s) != 0) {
		return -1;
	}
	return 0;
}
