#include "source.h"

#include <string.h>

/* ---- the CRLF normaliser ---- */

void smtp_crlf_init(smtp_crlf *c)
{
	c->pending = 0;
	c->after_cr = false;
	c->open_line = true;
	c->ended = false;
}

/* The next CR or LF at or after p, or end. */
static const char *next_line_break(const char *p, const char *end)
{
	const char *lf = memchr(p, '\n', end - p);
	const char *cr = memchr(p, '\r', (lf ? lf : end) - p);
	return cr ? cr : lf ? lf : end;
}

/* Writes what is left of a CRLF; returns the bytes written. */
static size_t crlf_flush(smtp_crlf *c, char *out, size_t cap)
{
	size_t o = 0;
	while (c->pending && o < cap) {
		out[o++] = c->pending == 2 ? '\r' : '\n';
		c->pending--;
	}
	return o;
}

size_t smtp_crlf_convert(smtp_crlf *c, const char *in, size_t in_len, size_t *used, char *out, size_t cap)
{
	size_t o = 0, i = 0;
	while (o < cap) {
		if (c->pending) {
			o += crlf_flush(c, out + o, cap - o);
			continue;
		}
		if (i == in_len) {
			break;
		}
		/* a run of ordinary bytes goes as it is (memchr finds the line breaks
		 * far faster than a byte loop) */
		const char *start = in + i, *end = in + in_len;
		size_t room = cap - o;
		const char *stop = next_line_break(start, (size_t) (end - start) < room ? end : start + room);
		if (stop > start) {
			memcpy(out + o, start, (size_t) (stop - start));
			o += (size_t) (stop - start);
			i += (size_t) (stop - start);
			c->after_cr = false;
			c->open_line = true;
			continue;
		}
		/* a line ending of any kind becomes CRLF; the LF of a CRLF (perhaps
		 * in the next piece of input) adds nothing */
		char ch = in[i++];
		if (ch == '\n' && c->after_cr) {
			c->after_cr = false;
			continue;
		}
		c->after_cr = ch == '\r';
		c->open_line = false;
		c->pending = 2;
	}
	*used = i;
	return o;
}

void smtp_crlf_verbatim(smtp_crlf *c, const char *bytes, size_t len)
{
	if (len > 0) {
		/* clean text's last byte ends a line only as the LF of a CRLF */
		c->open_line = bytes[len - 1] != '\n';
		c->after_cr = false;
	}
}

size_t smtp_crlf_finish(smtp_crlf *c, char *out, size_t cap)
{
	if (!c->ended && !c->pending) {
		c->ended = true;
		if (c->open_line) {
			c->open_line = false;
			c->pending = 2;
		}
	}
	return crlf_flush(c, out, cap);
}

/* ---- CRLF-normalising memory source ---- */

static bool ends_with_line_break(const char *data, size_t len)
{
	return len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r');
}

/* Count the LFs without a CR before them and the CRs without an LF after them. */
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
	smtp_crlf_init(&s->crlf);
	/* Well-formed text (the usual case) is copied as it is. */
	size_t bare = count_bare_line_breaks(data, len);
	s->clean = bare == 0;
	s->size = len + bare + (ends_with_line_break(data, len) ? 0 : 2);
}

static ssize_t crlf_read(void *ctx, char *buf, size_t cap)
{
	smtp_crlf_source *s = ctx;
	size_t o = 0;
	while (o < cap && s->pos < s->len) {
		const char *start = s->data + s->pos;
		size_t n;
		if (s->clean) {
			n = s->len - s->pos < cap - o ? s->len - s->pos : cap - o;
			memcpy(buf + o, start, n);
			smtp_crlf_verbatim(&s->crlf, start, n);
			o += n;
		} else {
			o += smtp_crlf_convert(&s->crlf, start, s->len - s->pos, &n, buf + o, cap - o);
		}
		s->pos += n;
	}
	if (s->pos == s->len) {
		o += smtp_crlf_finish(&s->crlf, buf + o, cap - o);
	}
	return (ssize_t) o;
}

static int crlf_rewind(void *ctx)
{
	smtp_crlf_source *s = ctx;
	s->pos = 0;
	smtp_crlf_init(&s->crlf);
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
	s->done = false;
	smtp_crlf_init(&s->crlf);
}

static ssize_t crlf_stream_read(void *ctx, char *buf, size_t cap)
{
	smtp_crlf_stream *s = ctx;
	size_t o = 0;
	while (o < cap) {
		if (s->in_pos == s->in_len) {
			if (s->done) {
				o += smtp_crlf_finish(&s->crlf, buf + o, cap - o);
				break;
			}
			ssize_t n = smtp_source_read(s->inner, s->in, sizeof(s->in));
			if (n < 0) {
				return -1;
			}
			s->in_len = (size_t) n;
			s->in_pos = 0;
			s->done = n == 0;
			continue;
		}
		size_t used;
		o += smtp_crlf_convert(&s->crlf, s->in + s->in_pos, s->in_len - s->in_pos, &used, buf + o, cap - o);
		s->in_pos += used;
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
