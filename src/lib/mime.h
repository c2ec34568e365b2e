/*
 * The MIME message model and its streaming writer.
 *
 * The caller describes a message (smtp_mime_spec: addresses already
 * validated, bodies, attachments); smtp_mime_writer_new() renders everything
 * small at once (the header block, the encoded text and html bodies, the part
 * headers and boundaries) and keeps attachments as segments that are read and
 * base64-encoded a chunk at a time only when the source is read. Memory stays
 * flat however large the attachments are: one input and one output chunk.
 *
 * The writer is an smtp_source: rewinding starts over and reopens files, so
 * DKIM can hash the message and the transport can then send the same bytes.
 *
 * Structure:
 *   text                  -> text/plain
 *   html                  -> text/html
 *   text + html           -> multipart/alternative (text, html)
 *   html + embeds         -> multipart/related (html, inline parts)
 *   text + html + embeds  -> multipart/alternative (text, multipart/related (html, inline parts))
 *   any of those + attachments -> multipart/mixed (body, attachments)
 *
 * Pure C, no php.h.
 */
#ifndef SMTP_LIB_MIME_H
#define SMTP_LIB_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "source.h"

typedef struct {
	const char *address; /* validated, IDNA applied, NUL-terminated */
	const char *name;    /* display name (UTF-8), or NULL */
	size_t name_len;
} smtp_mailbox;

typedef struct {
	const char *name; /* printable ASCII without ':', checked by the caller */
	size_t name_len;
	const char *value; /* UTF-8 without CR, LF or NUL, checked by the caller */
	size_t value_len;
} smtp_header_field;

typedef struct {
	const char *path;  /* a file read at send time (copied), or NULL for data */
	const char *data;  /* bytes in memory, borrowed: they must outlive the writer */
	size_t data_len;
	const char *filename; /* UTF-8, the name the recipient sees */
	size_t filename_len;
	const char *content_type; /* NULL: chosen by the file name's extension */
	const char *content_id;   /* embedded parts only, without angle brackets */
} smtp_mime_attachment;

typedef struct {
	const char *date;       /* RFC 5322 date-time, see smtp_format_date() */
	const char *message_id; /* without angle brackets */
	const smtp_mailbox *from; /* NULL: no From header */
	const smtp_mailbox *to;
	size_t to_count;
	const smtp_mailbox *cc;
	size_t cc_count;
	const smtp_mailbox *reply_to;
	size_t reply_to_count;
	const char *subject; /* NULL: no Subject header */
	size_t subject_len;
	const smtp_header_field *headers;
	size_t header_count;
	const char *text; /* NULL when there is no text part */
	size_t text_len;
	const char *html; /* NULL when there is no html part */
	size_t html_len;
	const smtp_mime_attachment *attachments;
	size_t attachment_count;
	const smtp_mime_attachment *embeds;
	size_t embed_count;
	const char *boundary_seed; /* letters and digits (e.g. 32 hex), fixed per message */
	/* Opens an attached file each time it is read (NULL: fopen "rb"), so the
	 * caller can check the path again at that moment (PHP's open_basedir: the
	 * file may have become a link to elsewhere since it was attached).
	 * Returns NULL with the reason in err. */
	FILE *(*open_file)(const char *path, char *err, size_t errlen);
} smtp_mime_spec;

typedef struct smtp_mime_writer smtp_mime_writer;

/* Renders spec. Returns NULL when out of memory (with a reason in err). */
smtp_mime_writer *smtp_mime_writer_new(const smtp_mime_spec *spec, char *err, size_t errlen);

/* Checks that every attached file can still be opened, so a send can fail
 * before it starts. Returns 0, or -1 with a reason naming the file. */
int smtp_mime_writer_check_files(smtp_mime_writer *w, char *err, size_t errlen);

/* The writer as a pull source (valid until the writer is freed). */
smtp_source smtp_mime_writer_source(smtp_mime_writer *w);

void smtp_mime_writer_free(smtp_mime_writer *w);

/* "Thu, 26 Nov 2026 16:21:04 +0100" in the local time zone, English names
 * whatever the locale. out must hold 40 bytes. */
void smtp_format_date(time_t when, char *out, size_t outlen);

/* The media type for a file name by its extension (case-insensitive), or
 * application/octet-stream. */
const char *smtp_mime_type_for_name(const char *name, size_t len);

/* Finds the Message-ID in the header block at the start of text (up to the
 * first empty line, or len): the first "<...>" of the Message-ID field,
 * folded or not. Sets *start and *id_len to the id without angle brackets
 * and returns true, or returns false when there is none. */
bool smtp_header_message_id(const char *text, size_t len, size_t *start, size_t *id_len);

#endif
