/*
 * The MIME writer; see mime.h for the structure it produces.
 */
#include "mime.h"
#include "encode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Input bytes per base64 chunk: a whole number of 57-byte lines, so chunks
 * join into exactly the text one pass over the file would give. */
#define CHUNK_IN (SMTP_BASE64_LINE_IN * 1152)

typedef enum {
	SEGMENT_RENDERED,   /* bytes in the writer's own buffer */
	SEGMENT_BASE64_DATA, /* borrowed bytes, base64-encoded while read */
	SEGMENT_BASE64_FILE, /* a file, opened and base64-encoded while read */
} segment_kind;

typedef struct {
	segment_kind kind;
	size_t offset; /* RENDERED: into rendered (an offset: the buffer may move while building) */
	size_t len;    /* RENDERED, BASE64_DATA */
	const char *data;
	char *path;
} segment;

struct smtp_mime_writer {
	smtp_buf rendered;
	segment *segments;
	size_t segment_count;
	size_t rendered_start; /* start of the rendered segment being built */

	/* read position */
	size_t current;     /* segment index */
	size_t position;    /* RENDERED: offset in it; BASE64_*: input bytes consumed */
	FILE *file;         /* BASE64_FILE while being read */
	bool produced;      /* the current base64 segment has output something */
	unsigned char *chunk_in;
	smtp_buf chunk_out; /* encoded bytes not yet handed out */
	size_t chunk_pos;
	char error[320];
	FILE *(*open_file)(const char *path, char *err, size_t errlen);
};

/* An attached file, opened by the caller's function when it gave one. */
static FILE *open_attachment(const smtp_mime_writer *w, const char *path, char *err, size_t errlen)
{
	if (w->open_file) {
		return w->open_file(path, err, errlen);
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot read attachment %s: %s", path, strerror(errno));
	}
	return f;
}

/* ---- building ---- */

static bool add_segment(smtp_mime_writer *w, segment s)
{
	segment *grown = realloc(w->segments, (w->segment_count + 1) * sizeof(segment));
	if (!grown) {
		free(s.path);
		w->rendered.oom = true;
		return false;
	}
	w->segments = grown;
	w->segments[w->segment_count++] = s;
	return true;
}

/* Closes the rendered bytes written since the last segment into a segment of their own. */
static void flush_rendered(smtp_mime_writer *w)
{
	if (w->rendered.len > w->rendered_start) {
		segment s = {.kind = SEGMENT_RENDERED, .offset = w->rendered_start, .len = w->rendered.len - w->rendered_start};
		add_segment(w, s);
	}
	w->rendered_start = w->rendered.len;
}

static void put_mailbox_list(smtp_buf *b, const char *header, const smtp_mailbox *list, size_t count)
{
	if (count == 0) {
		return;
	}
	smtp_header_writer h;
	smtp_header_begin(&h, b, header, strlen(header));
	for (size_t i = 0; i < count; i++) {
		const smtp_mailbox *m = &list[i];
		bool last = i + 1 == count;
		smtp_buf token;
		smtp_buf_init(&token);
		if (m->name && m->name_len) {
			smtp_header_phrase(&h, m->name, m->name_len);
			smtp_buf_putc(&token, '<');
			smtp_buf_puts(&token, m->address);
			smtp_buf_putc(&token, '>');
		} else {
			smtp_buf_puts(&token, m->address);
		}
		if (!last) {
			smtp_buf_putc(&token, ','); /* kept with its address so a fold comes after it */
		}
		if (token.oom) {
			b->oom = true;
		}
		smtp_header_piece(&h, token.data, token.len);
		smtp_buf_free(&token);
	}
	smtp_header_end(&h);
}

static void put_simple_header(smtp_buf *b, const char *name, const char *value)
{
	smtp_buf_puts(b, name);
	smtp_buf_append(b, ": ", 2);
	smtp_buf_puts(b, value);
	smtp_buf_append(b, "\r\n", 2);
}

static void put_boundary(smtp_buf *b, const char *boundary, bool last)
{
	smtp_buf_append(b, "--", 2);
	smtp_buf_puts(b, boundary);
	smtp_buf_puts(b, last ? "--\r\n" : "\r\n");
}

static void put_multipart_header(smtp_buf *b, const char *subtype, const char *boundary)
{
	smtp_buf_puts(b, "Content-Type: multipart/");
	smtp_buf_puts(b, subtype);
	smtp_buf_puts(b, ";\r\n boundary=\"");
	smtp_buf_puts(b, boundary);
	smtp_buf_puts(b, "\"\r\n\r\n");
}

/* A text part: its headers, a blank line and the encoded body (ending in CRLF). */
static void put_text_part(smtp_buf *b, const char *subtype, const char *text, size_t len)
{
	smtp_buf canonical;
	smtp_buf_init(&canonical);
	smtp_text_canonicalize(&canonical, text, len);
	if (canonical.oom) {
		b->oom = true;
	}
	smtp_cte cte = smtp_cte_for_text(canonical.data ? canonical.data : "", canonical.len);

	smtp_buf_puts(b, "Content-Type: text/");
	smtp_buf_puts(b, subtype);
	smtp_buf_puts(b, "; charset=utf-8\r\nContent-Transfer-Encoding: ");
	smtp_buf_puts(b, smtp_cte_name(cte));
	smtp_buf_puts(b, "\r\n\r\n");
	if (canonical.len == 0) {
		smtp_buf_append(b, "\r\n", 2); /* an empty body still ends in CRLF before the next boundary */
	} else if (cte == SMTP_CTE_7BIT) {
		smtp_buf_append(b, canonical.data, canonical.len);
	} else if (cte == SMTP_CTE_QUOTED_PRINTABLE) {
		smtp_qp_encode(b, canonical.data, canonical.len);
	} else {
		smtp_base64_lines(b, (const unsigned char *) canonical.data, canonical.len);
	}
	smtp_buf_free(&canonical);
}

static void put_attachment_part(smtp_mime_writer *w, const smtp_mime_attachment *a, bool inline_part)
{
	smtp_buf *b = &w->rendered;
	const char *type = a->content_type ? a->content_type : smtp_mime_type_for_name(a->filename, a->filename_len);
	smtp_header_writer h;

	smtp_header_begin(&h, b, "Content-Type", 12);
	smtp_header_piece(&h, type, strlen(type));
	if (a->filename_len) {
		smtp_header_glue(&h, ";", 1);
		smtp_header_param(&h, "name", a->filename, a->filename_len, false);
	}
	smtp_header_end(&h);
	put_simple_header(b, "Content-Transfer-Encoding", "base64");
	smtp_header_begin(&h, b, "Content-Disposition", 19);
	smtp_header_piece(&h, inline_part ? "inline" : "attachment", inline_part ? 6 : 10);
	if (a->filename_len) {
		smtp_header_glue(&h, ";", 1);
		smtp_header_param(&h, "filename", a->filename, a->filename_len, true);
	}
	smtp_header_end(&h);
	if (inline_part && a->content_id) {
		smtp_buf_puts(b, "Content-ID: <");
		smtp_buf_puts(b, a->content_id);
		smtp_buf_puts(b, ">\r\n");
	}
	smtp_buf_append(b, "\r\n", 2);

	flush_rendered(w);
	segment s = {0};
	if (a->path) {
		s.kind = SEGMENT_BASE64_FILE;
		s.path = strdup(a->path);
		if (!s.path) {
			w->rendered.oom = true;
			return;
		}
	} else {
		s.kind = SEGMENT_BASE64_DATA;
		s.data = a->data;
		s.len = a->data_len;
	}
	add_segment(w, s);
}

/* The html part, wrapped with its embedded parts in multipart/related when there are any. */
static void put_html_with_embeds(smtp_mime_writer *w, const smtp_mime_spec *spec, const char *text, size_t len,
                                 const char *subtype, const char *boundary)
{
	if (spec->embed_count == 0) {
		put_text_part(&w->rendered, subtype, text, len);
		return;
	}
	put_multipart_header(&w->rendered, "related", boundary);
	put_boundary(&w->rendered, boundary, false);
	put_text_part(&w->rendered, subtype, text, len);
	for (size_t i = 0; i < spec->embed_count; i++) {
		put_boundary(&w->rendered, boundary, false);
		put_attachment_part(w, &spec->embeds[i], true);
	}
	put_boundary(&w->rendered, boundary, true);
}

static void put_body(smtp_mime_writer *w, const smtp_mime_spec *spec, const char *mixed, const char *alternative,
                     const char *related)
{
	smtp_buf *b = &w->rendered;

	if (spec->attachment_count) {
		put_multipart_header(b, "mixed", mixed);
		put_boundary(b, mixed, false);
	}
	if (spec->text && spec->html) {
		put_multipart_header(b, "alternative", alternative);
		put_boundary(b, alternative, false);
		put_text_part(b, "plain", spec->text, spec->text_len);
		put_boundary(b, alternative, false);
		put_html_with_embeds(w, spec, spec->html, spec->html_len, "html", related);
		put_boundary(b, alternative, true);
	} else if (spec->html) {
		put_html_with_embeds(w, spec, spec->html, spec->html_len, "html", related);
	} else {
		/* text only, or nothing: an empty text/plain part is the honest body */
		put_html_with_embeds(w, spec, spec->text ? spec->text : "", spec->text ? spec->text_len : 0, "plain",
		                     related);
	}
	if (spec->attachment_count) {
		for (size_t i = 0; i < spec->attachment_count; i++) {
			put_boundary(b, mixed, false);
			put_attachment_part(w, &spec->attachments[i], false);
		}
		put_boundary(b, mixed, true);
	}
}

smtp_mime_writer *smtp_mime_writer_new(const smtp_mime_spec *spec, char *err, size_t errlen)
{
	smtp_mime_writer *w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	smtp_buf_init(&w->rendered);
	smtp_buf_init(&w->chunk_out);
	w->open_file = spec->open_file;
	smtp_buf *b = &w->rendered;
	smtp_header_writer h;

	put_simple_header(b, "Date", spec->date);
	if (spec->from) {
		put_mailbox_list(b, "From", spec->from, 1);
	}
	put_mailbox_list(b, "To", spec->to, spec->to_count);
	put_mailbox_list(b, "Cc", spec->cc, spec->cc_count);
	put_mailbox_list(b, "Reply-To", spec->reply_to, spec->reply_to_count);
	if (spec->subject) {
		smtp_header_begin(&h, b, "Subject", 7);
		smtp_header_text(&h, spec->subject, spec->subject_len);
		smtp_header_end(&h);
	}
	smtp_buf_puts(b, "Message-ID: <");
	smtp_buf_puts(b, spec->message_id);
	smtp_buf_puts(b, ">\r\n");
	for (size_t i = 0; i < spec->header_count; i++) {
		const smtp_header_field *f = &spec->headers[i];
		smtp_header_begin(&h, b, f->name, f->name_len);
		smtp_header_text(&h, f->value, f->value_len);
		smtp_header_end(&h);
	}
	put_simple_header(b, "MIME-Version", "1.0");

	/* Three boundaries, one per nesting level; "=_" cannot occur in base64 or
	 * quoted-printable text, and the seed makes a clash with 7bit text unlikely. */
	char mixed[80], alternative[80], related[80];
	snprintf(mixed, sizeof(mixed), "=_m_%.64s", spec->boundary_seed);
	snprintf(alternative, sizeof(alternative), "=_a_%.64s", spec->boundary_seed);
	snprintf(related, sizeof(related), "=_r_%.64s", spec->boundary_seed);
	put_body(w, spec, mixed, alternative, related);
	flush_rendered(w);

	if (w->rendered.oom) {
		snprintf(err, errlen, "out of memory");
		smtp_mime_writer_free(w);
		return NULL;
	}
	return w;
}

int smtp_mime_writer_check_files(smtp_mime_writer *w, char *err, size_t errlen)
{
	for (size_t i = 0; i < w->segment_count; i++) {
		if (w->segments[i].kind != SEGMENT_BASE64_FILE) {
			continue;
		}
		FILE *f = open_attachment(w, w->segments[i].path, err, errlen);
		if (!f) {
			return -1;
		}
		fclose(f);
	}
	return 0;
}

void smtp_mime_writer_free(smtp_mime_writer *w)
{
	if (!w) {
		return;
	}
	if (w->file) {
		fclose(w->file);
	}
	for (size_t i = 0; i < w->segment_count; i++) {
		free(w->segments[i].path);
	}
	free(w->segments);
	free(w->chunk_in);
	smtp_buf_free(&w->chunk_out);
	smtp_buf_free(&w->rendered);
	free(w);
}

/* ---- reading ---- */

/* Fills chunk_out with the next encoded chunk of the current base64 segment.
 * Returns 1 when it did, 0 when the segment is finished, -1 on error. */
static int next_chunk(smtp_mime_writer *w, segment *s)
{
	w->chunk_out.len = 0;
	w->chunk_pos = 0;
	size_t got;
	const unsigned char *in;

	if (s->kind == SEGMENT_BASE64_DATA) {
		got = s->len - w->position < CHUNK_IN ? s->len - w->position : CHUNK_IN;
		in = (const unsigned char *) s->data + w->position;
	} else {
		if (!w->file) {
			w->file = open_attachment(w, s->path, w->error, sizeof(w->error));
			if (!w->file) {
				return -1;
			}
		}
		if (!w->chunk_in) {
			w->chunk_in = malloc(CHUNK_IN);
			if (!w->chunk_in) {
				snprintf(w->error, sizeof(w->error), "out of memory");
				return -1;
			}
		}
		/* fread may return short counts before the end: fill the chunk so it
		 * stays a multiple of 57 bytes (line-aligned) unless the file ends. */
		got = 0;
		while (got < CHUNK_IN) {
			size_t n = fread(w->chunk_in + got, 1, CHUNK_IN - got, w->file);
			if (n == 0) {
				break;
			}
			got += n;
		}
		if (ferror(w->file)) {
			snprintf(w->error, sizeof(w->error), "cannot read attachment %s: %s", s->path, strerror(errno));
			return -1;
		}
		in = w->chunk_in;
	}

	if (got == 0) {
		if (w->file) {
			fclose(w->file);
			w->file = NULL;
		}
		if (!w->produced) {
			/* an empty attachment: its body is one empty line, so the next boundary has its CRLF */
			w->produced = true;
			smtp_buf_append(&w->chunk_out, "\r\n", 2);
			return 1;
		}
		return 0;
	}
	w->position += got;
	w->produced = true;
	smtp_base64_lines(&w->chunk_out, in, got);
	if (w->chunk_out.oom) {
		snprintf(w->error, sizeof(w->error), "out of memory");
		return -1;
	}
	return 1;
}

static ssize_t writer_read(void *ctx, char *buf, size_t cap)
{
	smtp_mime_writer *w = ctx;
	size_t filled = 0;

	while (filled < cap && w->current < w->segment_count) {
		segment *s = &w->segments[w->current];
		if (s->kind == SEGMENT_RENDERED) {
			size_t n = s->len - w->position;
			if (n > cap - filled) {
				n = cap - filled;
			}
			memcpy(buf + filled, w->rendered.data + s->offset + w->position, n);
			filled += n;
			w->position += n;
			if (w->position == s->len) {
				w->current++;
				w->position = 0;
				w->produced = false;
			}
			continue;
		}
		if (w->chunk_pos == w->chunk_out.len) {
			int rc = next_chunk(w, s);
			if (rc < 0) {
				return -1;
			}
			if (rc == 0) {
				w->current++;
				w->position = 0;
				w->produced = false;
				continue;
			}
		}
		size_t n = w->chunk_out.len - w->chunk_pos;
		if (n > cap - filled) {
			n = cap - filled;
		}
		memcpy(buf + filled, w->chunk_out.data + w->chunk_pos, n);
		filled += n;
		w->chunk_pos += n;
	}
	return (ssize_t) filled;
}

static int writer_rewind(void *ctx)
{
	smtp_mime_writer *w = ctx;
	if (w->file) {
		fclose(w->file);
		w->file = NULL;
	}
	w->current = 0;
	w->position = 0;
	w->produced = false;
	w->chunk_out.len = 0;
	w->chunk_pos = 0;
	w->error[0] = '\0';
	return 0;
}

static const char *writer_error(void *ctx)
{
	smtp_mime_writer *w = ctx;
	return w->error;
}

smtp_source smtp_mime_writer_source(smtp_mime_writer *w)
{
	smtp_source s = {.read = writer_read, .rewind = writer_rewind, .error = writer_error, .ctx = w};
	return s;
}

/* ---- small helpers ---- */

void smtp_format_date(time_t when, char *out, size_t outlen)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	localtime_r(&when, &tm);
	long offset = tm.tm_gmtoff / 60;
	char sign = offset < 0 ? '-' : '+';
	if (offset < 0) {
		offset = -offset;
	}
	snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld", days[tm.tm_wday], tm.tm_mday,
	         months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, offset / 60, offset % 60);
}

static const struct {
	const char *extension;
	const char *type;
} media_types[] = {
	{"pdf", "application/pdf"},
	{"png", "image/png"},
	{"jpg", "image/jpeg"},
	{"jpeg", "image/jpeg"},
	{"gif", "image/gif"},
	{"webp", "image/webp"},
	{"svg", "image/svg+xml"},
	{"bmp", "image/bmp"},
	{"ico", "image/vnd.microsoft.icon"},
	{"txt", "text/plain"},
	{"csv", "text/csv"},
	{"htm", "text/html"},
	{"html", "text/html"},
	{"css", "text/css"},
	{"ics", "text/calendar"},
	{"vcf", "text/vcard"},
	{"md", "text/markdown"},
	{"json", "application/json"},
	{"xml", "application/xml"},
	{"zip", "application/zip"},
	{"gz", "application/gzip"},
	{"tar", "application/x-tar"},
	{"7z", "application/x-7z-compressed"},
	{"rtf", "application/rtf"},
	{"doc", "application/msword"},
	{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{"xls", "application/vnd.ms-excel"},
	{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"ppt", "application/vnd.ms-powerpoint"},
	{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	{"odt", "application/vnd.oasis.opendocument.text"},
	{"ods", "application/vnd.oasis.opendocument.spreadsheet"},
	{"mp3", "audio/mpeg"},
	{"wav", "audio/wav"},
	{"mp4", "video/mp4"},
	{"eml", "message/rfc822"},
};

static bool is_line_start_of_field(const char *p, size_t avail, const char *name, size_t name_len)
{
	return avail > name_len && strncasecmp(p, name, name_len) == 0 && p[name_len] == ':';
}

bool smtp_header_message_id(const char *text, size_t len, size_t *start, size_t *id_len)
{
	static const char name[] = "Message-ID";
	const char *p = text, *end = text + len;
	while (p < end && *p != '\r' && *p != '\n') {
		const char *eol = memchr(p, '\n', end - p);
		const char *line_end = eol ? eol : end;
		if (is_line_start_of_field(p, end - p, name, sizeof(name) - 1)) {
			/* the field goes on over continuation lines (starting with space or tab) */
			const char *field_end = line_end;
			while (field_end < end && field_end + 1 < end && (field_end[1] == ' ' || field_end[1] == '\t')) {
				const char *next = memchr(field_end + 1, '\n', end - field_end - 1);
				field_end = next ? next : end;
			}
			const char *open = memchr(p, '<', field_end - p);
			const char *close = open ? memchr(open, '>', field_end - open) : NULL;
			if (!open || !close) {
				return false;
			}
			*start = (size_t)(open + 1 - text);
			*id_len = (size_t)(close - open - 1);
			return true;
		}
		p = eol ? eol + 1 : end;
	}
	return false;
}

const char *smtp_mime_type_for_name(const char *name, size_t len)
{
	size_t dot = len;
	while (dot > 0 && name[dot - 1] != '.' && name[dot - 1] != '/') {
		dot--;
	}
	if (dot == 0 || name[dot - 1] != '.') {
		return "application/octet-stream";
	}
	size_t ext_len = len - dot;
	for (size_t i = 0; i < sizeof(media_types) / sizeof(media_types[0]); i++) {
		if (strlen(media_types[i].extension) == ext_len && strncasecmp(name + dot, media_types[i].extension, ext_len) == 0) {
			return media_types[i].type;
		}
	}
	return "application/octet-stream";
}
