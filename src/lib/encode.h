/*
 * The encodings a MIME message needs: base64 and quoted-printable bodies,
 * RFC 2047 encoded-words for non-ASCII header text, RFC 2231 parameter
 * values, and header folding (78 columns wanted, 998 octets never exceeded).
 *
 * Everything appends to an smtp_buf, a growable byte buffer. An allocation
 * failure is remembered in the buffer (oom) rather than reported by each
 * call, so a caller checks once at the end.
 *
 * Pure C, no php.h.
 */
#ifndef SMTP_LIB_ENCODE_H
#define SMTP_LIB_ENCODE_H

#include <stdbool.h>
#include <stddef.h>

#define SMTP_LINE_WANTED 78  /* RFC 5322 2.1.1: SHOULD */
#define SMTP_LINE_MAX 998    /* RFC 5322 2.1.1: MUST, without the CRLF */
#define SMTP_ENCODED_WORD_MAX 75
#define SMTP_BASE64_LINE 76   /* encoded characters per body line */
#define SMTP_BASE64_LINE_IN 57 /* input bytes per full base64 line */

typedef struct {
	char *data;
	size_t len;
	size_t cap;
	bool oom;
} smtp_buf;

void smtp_buf_init(smtp_buf *b);
void smtp_buf_free(smtp_buf *b);
void smtp_buf_append(smtp_buf *b, const char *s, size_t len);
void smtp_buf_puts(smtp_buf *b, const char *s);
void smtp_buf_putc(smtp_buf *b, char c);
/* Makes room for extra more bytes; false when out of memory. */
bool smtp_buf_reserve(smtp_buf *b, size_t extra);

/* Base64 in lines of 76 characters, each ended by CRLF (the last one too, when
 * len > 0). Fed whole multiples of 57 bytes, consecutive calls produce the same
 * text as one call over all the input: that is how attachments are streamed. */
void smtp_base64_lines(smtp_buf *out, const unsigned char *in, size_t len);

/* Base64 without line breaks (for encoded-words and tests). */
void smtp_base64(smtp_buf *out, const unsigned char *in, size_t len);

/* Decodes base64, ignoring CR, LF and spaces. Returns 0, or -1 on a bad character. */
int smtp_base64_decode(smtp_buf *out, const char *in, size_t len);

/* Copies text with every line ending (CRLF, LF, or a lone CR) made CRLF and a
 * final CRLF added when missing (unless the text is empty). */
void smtp_text_canonicalize(smtp_buf *out, const char *in, size_t len);

typedef enum {
	SMTP_CTE_7BIT,
	SMTP_CTE_QUOTED_PRINTABLE,
	SMTP_CTE_BASE64,
} smtp_cte;

const char *smtp_cte_name(smtp_cte cte);

/* Picks the transfer encoding for canonical (CRLF) text: 7bit when it is
 * ASCII without NUL or other controls and no line is over 998 octets;
 * otherwise quoted-printable or base64, whichever comes out shorter
 * (quoted-printable on a tie, as it stays readable). */
smtp_cte smtp_cte_for_text(const char *text, size_t len);

/* Quoted-printable (RFC 2045 6.7) of canonical text: CRLF stays a hard line
 * break, lines are cut with soft breaks at 76 characters, an encoded octet is
 * never split, trailing white space is encoded, and "From " at the start of a
 * line is written "=46rom " so no mbox tool mangles it. */
void smtp_qp_encode(smtp_buf *out, const char *in, size_t len);

/* Decodes quoted-printable (for tests). Returns 0, or -1 on a malformed escape. */
int smtp_qp_decode(smtp_buf *out, const char *in, size_t len);

/* True when s needs RFC 2047 encoding to go into an unstructured header:
 * a byte >= 0x80, a control character other than tab, "=?" (which a reader
 * would take for an encoded-word), or a word too long to fold. */
bool smtp_header_text_needs_encoding(const char *s, size_t len);

/*
 * Writes one header field, folding as it goes. Begin, add pieces, end.
 * Folding happens only between pieces: before a piece that would pass column
 * 78, a CRLF and a space are written instead of a plain space.
 */
typedef struct {
	smtp_buf *buf;
	size_t col; /* octets on the current line so far */
} smtp_header_writer;

/* Writes "Name:". */
void smtp_header_begin(smtp_header_writer *w, smtp_buf *buf, const char *name, size_t name_len);
/* Writes a piece that is never split, preceded by one space (or a fold). */
void smtp_header_piece(smtp_header_writer *w, const char *s, size_t len);
/* Writes s glued to what precedes it, without any space (e.g. the "," after an address). */
void smtp_header_glue(smtp_header_writer *w, const char *s, size_t len);
/* Unstructured text (Subject, custom headers): as it is, folded at its
 * spaces, when that is possible; otherwise as RFC 2047 encoded-words. */
void smtp_header_text(smtp_header_writer *w, const char *s, size_t len);
/* A display name: atoms as they are, a quoted string when it has specials,
 * encoded-words when it is not ASCII (or too long to quote). */
void smtp_header_phrase(smtp_header_writer *w, const char *s, size_t len);
/* RFC 2047 encoded-words (B or Q, whichever is shorter) for all of s: each
 * word <= 75 characters, never splitting a UTF-8 character, each fitting the
 * line it is on. Q uses only the characters allowed in a phrase. */
void smtp_header_encoded_words(smtp_header_writer *w, const char *s, size_t len);
/* Ends the field with CRLF. */
void smtp_header_end(smtp_header_writer *w);

/* A MIME parameter, as one piece (the caller glues the ";" before it).
 * Plain ASCII values are written name="value". Others are written, when
 * extended is set, as name*=utf-8''percent-encoded (RFC 2231: what
 * Content-Disposition's filename uses), else as name="fallback" with each
 * character that cannot be quoted in ASCII replaced by '_' (the Content-Type
 * name, which old readers show). Both forms in one header would be a
 * duplicate parameter, which strict parsers reject. */
void smtp_header_param(smtp_header_writer *w, const char *name, const char *value, size_t len, bool extended);

#endif
