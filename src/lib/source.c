#include "source.h"

#include <string.h>

/* ---- CRLF-normalising memory source ---- */

enum { CRLF_BODY, CRLF_DONE };

size_t smtp_crlf_normalized_size(const char *data, size_t len)
{
	size_t out = 0;
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\r') {
			if (i + 1 < len && data[i + 1] == '\n') {
				i++;
			}
			out += 2;
		} else if (data[i] == '\n') {
			out += 2;
		} else {
			out++;
		}
	}
	bool ends_with_eol = len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r');
	return ends_with_eol ? out : out + 2;
}

void smtp_crlf_source_init(smtp_crlf_source *s, const char *data, size_t len)
{
	s->data = data;
	s->len = len;
	s->pos = 0;
	s->pending = 0;
	s->state = CRLF_BODY;
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
			bool ends_with_eol = s->len > 0 && (s->data[s->len - 1] == '\n' || s->data[s->len - 1] == '\r');
			s->state = CRLF_DONE;
			if (!ends_with_eol) {
				s->pending = 2;
			}
			continue;
		}
		/* copy a run of ordinary bytes at once */
		const char *start = s->data + s->pos;
		size_t avail = s->len - s->pos;
		size_t run = 0;
		size_t room = cap - o;
		while (run < avail && run < room && start[run] != '\r' && start[run] != '\n') {
			run++;
		}
		if (run) {
			memcpy(buf + o, start, run);
			o += run;
			s->pos += run;
			continue;
		}
		/* a line ending of any kind becomes CRLF */
		if (start[0] == '\r' && avail > 1 && start[1] == '\n') {
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
