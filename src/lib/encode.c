/*
 * MIME encodings and header folding; see encode.h.
 */
#include "encode.h"
#include "source.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- growable buffer ---- */

void smtp_buf_init(smtp_buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}

void smtp_buf_free(smtp_buf *b)
{
	free(b->data);
	smtp_buf_init(b);
}

bool smtp_buf_reserve(smtp_buf *b, size_t extra)
{
	if (b->oom) {
		return false;
	}
	if (extra <= b->cap - b->len) {
		return true;
	}
	size_t want = b->len + extra;
	if (want < b->len) {
		b->oom = true;
		return false;
	}
	size_t cap = b->cap ? b->cap : 256;
	while (cap < want) {
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	}
	char *grown = realloc(b->data, cap);
	if (!grown) {
		b->oom = true;
		return false;
	}
	b->data = grown;
	b->cap = cap;
	return true;
}

void smtp_buf_append(smtp_buf *b, const char *s, size_t len)
{
	if (len == 0 || !smtp_buf_reserve(b, len)) {
		return;
	}
	memcpy(b->data + b->len, s, len);
	b->len += len;
}

void smtp_buf_puts(smtp_buf *b, const char *s)
{
	smtp_buf_append(b, s, strlen(s));
}

void smtp_buf_putc(smtp_buf *b, char c)
{
	if (smtp_buf_reserve(b, 1)) {
		b->data[b->len++] = c;
	}
}

/* ---- base64 ---- */

static const char base64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Encodes len bytes (any count) into out, which must have room for 4*ceil(len/3). */
static size_t base64_raw(char *out, const unsigned char *in, size_t len)
{
	char *p = out;
	size_t i = 0;
	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t) in[i] << 16 | (uint32_t) in[i + 1] << 8 | in[i + 2];
		*p++ = base64_alphabet[v >> 18];
		*p++ = base64_alphabet[(v >> 12) & 63];
		*p++ = base64_alphabet[(v >> 6) & 63];
		*p++ = base64_alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t) in[i] << 16 | (i + 1 < len ? (uint32_t) in[i + 1] << 8 : 0);
		*p++ = base64_alphabet[v >> 18];
		*p++ = base64_alphabet[(v >> 12) & 63];
		*p++ = i + 1 < len ? base64_alphabet[(v >> 6) & 63] : '=';
		*p++ = '=';
	}
	return (size_t) (p - out);
}

void smtp_base64(smtp_buf *out, const unsigned char *in, size_t len)
{
	/* nothing to add: an empty buffer's data may be NULL, and NULL + 0 is undefined */
	if (len == 0 || !smtp_buf_reserve(out, (len + 2) / 3 * 4)) {
		return;
	}
	out->len += base64_raw(out->data + out->len, in, len);
}

void smtp_base64_lines(smtp_buf *out, const unsigned char *in, size_t len)
{
	size_t lines = (len + SMTP_BASE64_LINE_IN - 1) / SMTP_BASE64_LINE_IN;
	if (!smtp_buf_reserve(out, lines * (SMTP_BASE64_LINE + 2))) {
		return;
	}
	for (size_t off = 0; off < len; off += SMTP_BASE64_LINE_IN) {
		size_t n = len - off < SMTP_BASE64_LINE_IN ? len - off : SMTP_BASE64_LINE_IN;
		out->len += base64_raw(out->data + out->len, in + off, n);
		out->data[out->len++] = '\r';
		out->data[out->len++] = '\n';
	}
}

int smtp_base64_decode(smtp_buf *out, const char *in, size_t len)
{
	uint32_t acc = 0;
	int bits = 0;
	bool padding = false;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		int v;
		if (c == '\r' || c == '\n' || c == ' ' || c == '\t') {
			continue;
		}
		if (c == '=') {
			padding = true;
			continue;
		}
		const char *pos = c ? strchr(base64_alphabet, c) : NULL;
		if (!pos || padding) {
			return -1;
		}
		v = (int) (pos - base64_alphabet);
		acc = (acc << 6) | (uint32_t) v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			smtp_buf_putc(out, (char) ((acc >> bits) & 0xFF));
		}
	}
	return 0;
}

/* ---- text bodies ---- */

void smtp_text_canonicalize(smtp_buf *out, const char *in, size_t len)
{
	if (len == 0) {
		return;
	}
	/* one implementation of "every line break becomes CRLF": the memory source's */
	smtp_crlf_source crlf;
	smtp_crlf_source_init(&crlf, in, len);
	if (!smtp_buf_reserve(out, crlf.size)) {
		return;
	}
	smtp_source source = smtp_crlf_source_as_source(&crlf);
	ssize_t n = smtp_source_read(&source, out->data + out->len, crlf.size);
	out->len += n > 0 ? (size_t)n : 0;
}

const char *smtp_cte_name(smtp_cte cte)
{
	switch (cte) {
	case SMTP_CTE_QUOTED_PRINTABLE:
		return "quoted-printable";
	case SMTP_CTE_BASE64:
		return "base64";
	case SMTP_CTE_7BIT:
	default:
		return "7bit";
	}
}

/* Printable ASCII that quoted-printable leaves as it is (space and tab are decided by position). */
static bool qp_literal(unsigned char c)
{
	return (c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t';
}

/* True when every byte is printable ASCII or a tab. Eight bytes at a time:
 * a word passes when no byte has the high bit, none is below 0x20 and none
 * is 0x7f; only a word that fails is looked at byte by byte (for tabs). */
static bool is_printable_ascii(const char *s, size_t len)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		uint64_t below_space = (w - ones * 0x20) & ~w & highs;
		uint64_t del = ((w ^ (ones * 0x7f)) - ones) & ~(w ^ (ones * 0x7f)) & highs;
		if (!((w & highs) | below_space | del)) {
			continue;
		}
		for (size_t j = i; j < i + 8; j++) {
			unsigned char c = (unsigned char) s[j];
			if ((unsigned char) (c - 32) >= 95 && c != '\t') {
				return false;
			}
		}
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char) s[i];
		if ((unsigned char) (c - 32) >= 95 && c != '\t') {
			return false;
		}
	}
	return true;
}

/* The common case, fast: CRLF lines of printable ASCII (and tabs) no longer
 * than SMTP allows go out as they are. */
static bool is_plain_7bit(const char *text, size_t len)
{
	size_t i = 0;
	while (i < len) {
		const char *lf = memchr(text + i, '\n', len - i);
		size_t end = lf ? (size_t)(lf - text) : len;
		if (lf && (end == i || text[end - 1] != '\r')) {
			return false; /* a bare LF */
		}
		size_t line_end = lf ? end - 1 : end;
		if (line_end - i > SMTP_LINE_MAX) {
			return false;
		}
		if (!is_printable_ascii(text + i, line_end - i)) {
			return false;
		}
		i = lf ? end + 1 : len;
	}
	return true;
}

smtp_cte smtp_cte_for_text(const char *text, size_t len)
{
	if (is_plain_7bit(text, len)) {
		return SMTP_CTE_7BIT;
	}
	size_t line = 0, longest = 0, plain = 0;
	bool only_ascii = true;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) text[i];
		if (c == '\r' && i + 1 < len && text[i + 1] == '\n') {
			i++;
			longest = line > longest ? line : longest;
			line = 0;
			plain += 2;
			continue;
		}
		line++;
		if (qp_literal(c)) {
			plain++;
		} else if (c != '=') {
			only_ascii = false;
		}
	}
	longest = line > longest ? line : longest;
	if (only_ascii && longest <= SMTP_LINE_MAX) {
		return SMTP_CTE_7BIT;
	}
	size_t qp = plain + 3 * (len - plain);
	qp += qp / 73 * 3; /* soft line breaks */
	size_t b64 = (len + 2) / 3 * 4;
	b64 += (b64 / SMTP_BASE64_LINE + 1) * 2;
	return qp <= b64 ? SMTP_CTE_QUOTED_PRINTABLE : SMTP_CTE_BASE64;
}

static const char hex_digits[] = "0123456789ABCDEF";

void smtp_qp_encode(smtp_buf *out, const char *in, size_t len)
{
	/* The longest encoded line is 75 characters plus the "=" of a soft break. */
	const size_t max_col = 75;
	size_t col = 0;

	smtp_buf_reserve(out, len + len / 8 + 16);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) in[i];
		if (c == '\r' && i + 1 < len && in[i + 1] == '\n') {
			smtp_buf_append(out, "\r\n", 2);
			i++;
			col = 0;
			continue;
		}
		bool at_line_end = i + 1 == len || (in[i + 1] == '\r' && i + 2 < len && in[i + 2] == '\n');
		bool literal = qp_literal(c);
		if ((c == ' ' || c == '\t') && at_line_end) {
			literal = false; /* trailing white space would be stripped in transit */
		}
		size_t width = literal ? 1 : 3;
		/* A soft break is needed unless this is the last character of the line
		 * and it fits in 76 without one. */
		if (col + width > max_col && !(at_line_end && col + width <= max_col + 1)) {
			smtp_buf_append(out, "=\r\n", 3);
			col = 0;
		}
		/* Checked after the soft break, which can also put "From " at the start of a line. */
		if (literal && c == 'F' && col == 0 && len - i >= 5 && memcmp(in + i, "From ", 5) == 0) {
			literal = false;
			width = 3;
		}
		if (literal) {
			smtp_buf_putc(out, (char) c);
		} else {
			char esc[3] = {'=', hex_digits[c >> 4], hex_digits[c & 15]};
			smtp_buf_append(out, esc, 3);
		}
		col += width;
	}
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	return -1;
}

int smtp_qp_decode(smtp_buf *out, const char *in, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (in[i] != '=') {
			smtp_buf_putc(out, in[i]);
			continue;
		}
		if (i + 2 < len && in[i + 1] == '\r' && in[i + 2] == '\n') {
			i += 2;
			continue;
		}
		if (i + 2 >= len || hex_value(in[i + 1]) < 0 || hex_value(in[i + 2]) < 0) {
			return -1;
		}
		smtp_buf_putc(out, (char) (hex_value(in[i + 1]) << 4 | hex_value(in[i + 2])));
		i += 2;
	}
	return 0;
}

/* ---- headers ---- */

bool smtp_header_text_needs_encoding(const char *s, size_t len)
{
	size_t word = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) s[i];
		if (c >= 0x80 || (c < 0x20 && c != '\t') || c == 0x7F) {
			return true;
		}
		if (c == '=' && i + 1 < len && s[i + 1] == '?') {
			return true;
		}
		word = c == ' ' ? 0 : word + 1;
		/* a word that cannot fit a folded line (" " + word) */
		if (word > SMTP_LINE_WANTED - 1) {
			return true;
		}
	}
	return false;
}

void smtp_header_begin(smtp_header_writer *w, smtp_buf *buf, const char *name, size_t name_len)
{
	w->buf = buf;
	smtp_buf_append(buf, name, name_len);
	smtp_buf_putc(buf, ':');
	w->col = name_len + 1;
}

void smtp_header_piece(smtp_header_writer *w, const char *s, size_t len)
{
	/* Never fold before a piece of white space only (empty, or tabs) or at the
	 * start of a continuation line: a line of white space only is not allowed. */
	bool has_text = false;
	for (size_t i = 0; i < len && !has_text; i++) {
		has_text = s[i] != ' ' && s[i] != '\t';
	}
	if (has_text && w->col > 1 && w->col + 1 + len > SMTP_LINE_WANTED) {
		smtp_buf_append(w->buf, "\r\n ", 3);
		w->col = 1;
	} else {
		smtp_buf_putc(w->buf, ' ');
		w->col++;
	}
	smtp_buf_append(w->buf, s, len);
	w->col += len;
}

void smtp_header_glue(smtp_header_writer *w, const char *s, size_t len)
{
	smtp_buf_append(w->buf, s, len);
	w->col += len;
}

void smtp_header_end(smtp_header_writer *w)
{
	smtp_buf_append(w->buf, "\r\n", 2);
	w->col = 0;
}

/* Characters that may stand for themselves in a Q encoded-word anywhere,
 * phrases included (RFC 2047 5(3)). */
static bool q_literal(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '!' || c == '*' ||
	       c == '+' || c == '-' || c == '/';
}

static size_t q_width(unsigned char c)
{
	return (q_literal(c) || c == ' ') ? 1 : 3;
}

/* Length of the UTF-8 sequence starting at s (1 for a stray byte, which is then encoded alone). */
static size_t utf8_char_len(const char *s, size_t avail)
{
	unsigned char c = (unsigned char) s[0];
	size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (n > avail) {
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if (((unsigned char) s[i] & 0xC0) != 0x80) {
			return 1;
		}
	}
	return n;
}

#define ENCODED_WORD_OVERHEAD 12 /* "=?utf-8?B?" and "?=" */

void smtp_header_encoded_words(smtp_header_writer *w, const char *s, size_t len)
{
	size_t q_total = 0;
	for (size_t i = 0; i < len; i++) {
		q_total += q_width((unsigned char) s[i]);
	}
	bool use_b = (len + 2) / 3 * 4 < q_total;

	size_t i = 0;
	while (i < len) {
		/* Room on this line after the separating space; fold first when even
		 * one character (at worst 4 octets: 12 characters) would not fit. */
		size_t room = w->col + 1 < SMTP_LINE_WANTED ? SMTP_LINE_WANTED - w->col - 1 : 0;
		if (room < ENCODED_WORD_OVERHEAD + 12 && w->col > 1) {
			smtp_buf_append(w->buf, "\r\n", 2);
			w->col = 0;
			room = SMTP_LINE_WANTED - 1;
		}
		size_t limit = room < SMTP_ENCODED_WORD_MAX ? room : SMTP_ENCODED_WORD_MAX;
		if (limit < ENCODED_WORD_OVERHEAD + 12) {
			limit = ENCODED_WORD_OVERHEAD + 12; /* only with a header name near 78 columns */
		}
		size_t payload_room = limit - ENCODED_WORD_OVERHEAD;

		/* Take whole characters while the encoded word still fits. */
		size_t end = i, q_len = 0;
		while (end < len) {
			size_t n = utf8_char_len(s + end, len - end);
			size_t grown;
			if (use_b) {
				grown = (end + n - i + 2) / 3 * 4;
			} else {
				grown = q_len;
				for (size_t k = 0; k < n; k++) {
					grown += q_width((unsigned char) s[end + k]);
				}
			}
			if (grown > payload_room) {
				break;
			}
			q_len = grown;
			end += n;
		}
		if (end == i) {
			end = i + utf8_char_len(s + i, len - i); /* cannot happen with the limits above */
		}

		char word[SMTP_ENCODED_WORD_MAX + 16];
		size_t wlen = 0;
		/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): word is a counted buffer (wlen), never a C string */
		memcpy(word, use_b ? "=?utf-8?B?" : "=?utf-8?Q?", 10);
		wlen = 10;
		if (use_b) {
			wlen += base64_raw(word + wlen, (const unsigned char *) s + i, end - i);
		} else {
			for (size_t k = i; k < end; k++) {
				unsigned char c = (unsigned char) s[k];
				if (c == ' ') {
					word[wlen++] = '_';
				} else if (q_literal(c)) {
					word[wlen++] = (char) c;
				} else {
					word[wlen++] = '=';
					word[wlen++] = hex_digits[c >> 4];
					word[wlen++] = hex_digits[c & 15];
				}
			}
		}
		word[wlen++] = '?';
		word[wlen++] = '=';
		smtp_header_piece(w, word, wlen);
		i = end;
	}
}

void smtp_header_text(smtp_header_writer *w, const char *s, size_t len)
{
	if (smtp_header_text_needs_encoding(s, len)) {
		smtp_header_encoded_words(w, s, len);
		return;
	}
	/* Split at each space: a fold then replaces exactly that space, so the
	 * unfolded value is the original text. */
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == ' ') {
			smtp_header_piece(w, s + start, i - start);
			start = i + 1;
		}
	}
}

static bool is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
		return true;
	}
	return c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

void smtp_header_phrase(smtp_header_writer *w, const char *s, size_t len)
{
	bool printable_ascii = true, atoms_only = true;
	size_t escapes = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) s[i];
		if (c < 0x20 || c >= 0x7F) {
			printable_ascii = false;
			break;
		}
		if (c == '=' && i + 1 < len && s[i + 1] == '?') {
			printable_ascii = false; /* would read as an encoded-word */
			break;
		}
		if (c != ' ' && !is_atext(c)) {
			atoms_only = false;
		}
		if (c == '"' || c == '\\') {
			escapes++;
		}
	}
	if (printable_ascii && atoms_only && !smtp_header_text_needs_encoding(s, len)) {
		size_t start = 0;
		for (size_t i = 0; i <= len; i++) {
			if (i == len || s[i] == ' ') {
				if (i > start) { /* runs of spaces collapse: they are not significant in a phrase */
					smtp_header_piece(w, s + start, i - start);
				}
				start = i + 1;
			}
		}
		return;
	}
	if (printable_ascii && len + escapes + 2 <= SMTP_LINE_WANTED - 1) {
		char quoted[SMTP_LINE_WANTED + 2];
		size_t q = 0;
		quoted[q++] = '"';
		for (size_t i = 0; i < len; i++) {
			if (s[i] == '"' || s[i] == '\\') {
				quoted[q++] = '\\';
			}
			quoted[q++] = s[i];
		}
		quoted[q++] = '"';
		smtp_header_piece(w, quoted, q);
		return;
	}
	smtp_header_encoded_words(w, s, len);
}

/* RFC 2231 attribute-char: what may appear in an extended value without %-encoding. */
static bool attr_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
		return true;
	}
	return c != 0 && strchr("!#$&+-.^_`|~", c) != NULL;
}

/* name="value", with what cannot be quoted as ASCII replaced by '_'. */
static void param_plain(smtp_header_writer *w, const char *name, const char *value, size_t len)
{
	smtp_buf plain;
	smtp_buf_init(&plain);
	smtp_buf_puts(&plain, name);
	smtp_buf_append(&plain, "=\"", 2);
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char) value[i];
		size_t n = utf8_char_len(value + i, len - i);
		if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
			smtp_buf_putc(&plain, '_');
		} else {
			smtp_buf_putc(&plain, (char) c);
		}
		i += n;
	}
	smtp_buf_putc(&plain, '"');
	if (plain.oom) {
		w->buf->oom = true;
	}
	smtp_header_piece(w, plain.data, plain.len);
	smtp_buf_free(&plain);
}

/* name*=utf-8''percent-encoded (RFC 2231). */
static void param_extended(smtp_header_writer *w, const char *name, const char *value, size_t len)
{
	smtp_buf extended;
	smtp_buf_init(&extended);
	smtp_buf_puts(&extended, name);
	smtp_buf_puts(&extended, "*=utf-8''");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) value[i];
		if (attr_char(c)) {
			smtp_buf_putc(&extended, (char) c);
		} else {
			char esc[3] = {'%', hex_digits[c >> 4], hex_digits[c & 15]};
			smtp_buf_append(&extended, esc, 3);
		}
	}
	if (extended.oom) {
		w->buf->oom = true;
	}
	smtp_header_piece(w, extended.data, extended.len);
	smtp_buf_free(&extended);
}

void smtp_header_param(smtp_header_writer *w, const char *name, const char *value, size_t len, bool extended)
{
	bool exact = true;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) value[i];
		if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
			exact = false;
		}
	}
	if (exact || !extended) {
		param_plain(w, name, value, len);
	} else {
		param_extended(w, name, value, len);
	}
}
