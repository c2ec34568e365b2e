/* Unit tests for src/lib/encode.c: base64, quoted-printable, RFC 2047 words, folding. */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "encode.h"
#include "tap.h"

static bool buf_is(const smtp_buf *b, const char *want)
{
	return b->len == strlen(want) && (b->len == 0 || memcmp(b->data, want, b->len) == 0);
}

/* Every line ends in CRLF and is at most max octets (without it). */
static bool lines_within(const char *s, size_t len, size_t max)
{
	size_t line = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\r') {
			if (i + 1 >= len || s[i + 1] != '\n') {
				return false;
			}
			if (line > max) {
				return false;
			}
			line = 0;
			i++;
		} else if (s[i] == '\n') {
			return false;
		} else {
			line++;
		}
	}
	return line == 0;
}

static void base64_known_answers(void)
{
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	bool all = true;
	for (int i = 0; i < 7; i++) {
		smtp_buf b;
		smtp_buf_init(&b);
		smtp_base64(&b, (const unsigned char *) plain[i], strlen(plain[i]));
		if (!buf_is(&b, want[i])) {
			all = false;
		}
		smtp_buf_free(&b);
	}
	tap_ok(all, "base64: RFC 4648 test vectors");
}

static void base64_lines_and_chunks(void)
{
	unsigned char data[57 * 7 + 10];
	for (size_t i = 0; i < sizeof(data); i++) {
		data[i] = (unsigned char) (i * 131 + 7);
	}
	smtp_buf whole, chunked, decoded;
	smtp_buf_init(&whole);
	smtp_buf_init(&chunked);
	smtp_buf_init(&decoded);
	smtp_base64_lines(&whole, data, sizeof(data));
	smtp_base64_lines(&chunked, data, 57 * 3);
	smtp_base64_lines(&chunked, data + 57 * 3, 57 * 4);
	smtp_base64_lines(&chunked, data + 57 * 7, 10);
	tap_ok(whole.len == chunked.len && memcmp(whole.data, chunked.data, whole.len) == 0,
	       "base64: 57-byte-aligned chunks join into the one-pass text");
	tap_ok(lines_within(whole.data, whole.len, 76) && whole.len == 7 * 78 + 16 + 2, "base64: lines of 76 plus CRLF");
	tap_ok(smtp_base64_decode(&decoded, whole.data, whole.len) == 0 && decoded.len == sizeof(data) &&
	           memcmp(decoded.data, data, sizeof(data)) == 0,
	       "base64: round trip of binary data");
	smtp_buf_free(&whole);
	smtp_buf_free(&chunked);
	smtp_buf_free(&decoded);
}

static void qp_case(const char *in, const char *want, const char *name)
{
	smtp_buf b;
	smtp_buf_init(&b);
	smtp_qp_encode(&b, in, strlen(in));
	if (!tap_ok(buf_is(&b, want), name)) {
		tap_diag("got: %.*s", (int) b.len, b.data);
	}
	smtp_buf_free(&b);
}

/* A quoted-printable text round-trips and has no line over 76. */
static void qp_round_trip(const char *in, size_t len, const char *name)
{
	smtp_buf enc, dec;
	smtp_buf_init(&enc);
	smtp_buf_init(&dec);
	smtp_qp_encode(&enc, in, len);
	bool ok = lines_within(enc.data, enc.len, 76) && smtp_qp_decode(&dec, enc.data, enc.len) == 0 &&
	          dec.len == len && memcmp(dec.data, in, len) == 0;
	tap_ok(ok, name);
	smtp_buf_free(&enc);
	smtp_buf_free(&dec);
}

static void quoted_printable(void)
{
	qp_case("caf\xc3\xa9\r\n", "caf=C3=A9\r\n", "qp: UTF-8 octets escaped");
	qp_case("a = b\r\n", "a =3D b\r\n", "qp: = escaped");
	qp_case("trailing \r\ntab\t\r\n", "trailing=20\r\ntab=09\r\n", "qp: trailing white space encoded");
	qp_case("From me\r\nnot From\r\n", "=46rom me\r\nnot From\r\n", "qp: From at line start encoded");
	qp_case(".leading dot\r\n", ".leading dot\r\n", "qp: leading dot left to the transport");

	char line[2000];
	memset(line, 'a', 1200);
	memcpy(line + 1200, "\r\n", 3);
	qp_round_trip(line, 1202, "qp: a 1200-octet line is cut with soft breaks");

	/* escapes must never be split by a soft break: try every alignment */
	bool all = true;
	for (int shift = 0; shift < 4; shift++) {
		char text[800];
		size_t n = 0;
		for (int k = 0; k < shift; k++) {
			text[n++] = 'x';
		}
		for (int k = 0; k < 200; k++) {
			text[n++] = (char) 0xC3;
			text[n++] = (char) 0xA9;
		}
		text[n++] = '\r';
		text[n++] = '\n';
		smtp_buf enc, dec;
		smtp_buf_init(&enc);
		smtp_buf_init(&dec);
		smtp_qp_encode(&enc, text, n);
		if (!lines_within(enc.data, enc.len, 76) || smtp_qp_decode(&dec, enc.data, enc.len) != 0 || dec.len != n ||
		    memcmp(dec.data, text, n) != 0) {
			all = false;
		}
		smtp_buf_free(&enc);
		smtp_buf_free(&dec);
	}
	tap_ok(all, "qp: escapes never split across soft breaks, any alignment");

	unsigned char bin[258];
	for (int i = 0; i < 256; i++) {
		bin[i] = (unsigned char) i;
	}
	bin[256] = '\r';
	bin[257] = '\n';
	/* every byte value (the CR LF pair inside is a line break and comes back as such) */
	qp_round_trip((const char *) bin, sizeof(bin), "qp: every octet value round-trips");
}

static void transfer_encoding_choice(void)
{
	const char *ascii = "Hello\r\nWorld\r\n";
	tap_ok(smtp_cte_for_text(ascii, strlen(ascii)) == SMTP_CTE_7BIT, "cte: short ASCII lines are 7bit");
	char long_line[1100];
	memset(long_line, 'x', 1000);
	memcpy(long_line + 1000, "\r\n", 2);
	tap_ok(smtp_cte_for_text(long_line, 1002) == SMTP_CTE_QUOTED_PRINTABLE, "cte: a 1000-octet line is not 7bit");
	const char *fr = "Votre commande a \xc3\xa9" "t\xc3\xa9 exp\xc3\xa9" "di\xc3\xa9" "e hier, merci beaucoup.\r\n";
	tap_ok(smtp_cte_for_text(fr, strlen(fr)) == SMTP_CTE_QUOTED_PRINTABLE, "cte: mostly ASCII with accents is QP");
	const char *zh = "\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\xe7\x95\x8c\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\xe7\x95\x8c\r\n";
	tap_ok(smtp_cte_for_text(zh, strlen(zh)) == SMTP_CTE_BASE64, "cte: Chinese (all non-ASCII) is base64");

	/* the word-at-a-time check: one odd byte at every position of an 8-byte word, and after it */
	bool each_position = true;
	for (size_t pos = 0; pos < 24; pos++) {
		char line[32];
		memset(line, 'a', 24);
		memcpy(line + 24, "\r\n", 2);
		const char odd[] = {'\x7f', '\x01', '\x1f', (char) 0x80, (char) 0xff, '\0'};
		for (size_t k = 0; k < sizeof(odd); k++) {
			line[pos] = odd[k];
			each_position &= smtp_cte_for_text(line, 26) != SMTP_CTE_7BIT;
		}
		line[pos] = '\t';
		each_position &= smtp_cte_for_text(line, 26) == SMTP_CTE_7BIT;
		line[pos] = '~';
		each_position &= smtp_cte_for_text(line, 26) == SMTP_CTE_7BIT;
	}
	tap_ok(each_position, "cte: DEL, controls, NUL and 8-bit bytes anywhere are not 7bit; tab and ~ are");
	tap_ok(smtp_cte_for_text("a\nb\r\n", 5) != SMTP_CTE_7BIT, "cte: a bare LF is not 7bit");
	smtp_buf b;
	smtp_buf_init(&b);
	smtp_text_canonicalize(&b, "a\nb\rc\r\nd", 8);
	tap_ok(buf_is(&b, "a\r\nb\r\nc\r\nd\r\n"), "canonical text: LF, CR, CRLF all become CRLF, final CRLF added");
	smtp_buf_free(&b);
}

/* Decodes the encoded-words of an unfolded header value and checks each one. */
static bool decode_words(const char *value, smtp_buf *out, bool *each_valid_utf8, bool *each_short)
{
	*each_valid_utf8 = *each_short = true;
	const char *p = value;
	while ((p = strstr(p, "=?utf-8?")) != NULL) {
		char kind = p[8];
		const char *start = p + 10, *end = strstr(start, "?=");
		if (!end) {
			return false;
		}
		if ((size_t) (end + 2 - p) > 75) {
			*each_short = false;
		}
		smtp_buf word;
		smtp_buf_init(&word);
		if (kind == 'B') {
			if (smtp_base64_decode(&word, start, (size_t) (end - start)) != 0) {
				return false;
			}
		} else {
			for (const char *q = start; q < end; q++) {
				if (*q == '_') {
					smtp_buf_putc(&word, ' ');
				} else if (*q == '=') {
					char hex[3] = {q[1], q[2], 0};
					smtp_buf_putc(&word, (char) strtol(hex, NULL, 16));
					q += 2;
				} else {
					smtp_buf_putc(&word, *q);
				}
			}
		}
		if (!smtp_utf8_valid(word.data ? word.data : "", word.len)) {
			*each_valid_utf8 = false;
		}
		smtp_buf_append(out, word.data, word.len);
		smtp_buf_free(&word);
		p = end + 2;
	}
	return true;
}

/* Renders "Name: value" with smtp_header_text and checks folding, then unfolds. */
static void header_text_case(const char *name, const char *text, bool want_encoded, const char *label)
{
	smtp_buf b, decoded;
	smtp_buf_init(&b);
	smtp_buf_init(&decoded);
	smtp_header_writer w;
	smtp_header_begin(&w, &b, name, strlen(name));
	smtp_header_text(&w, text, strlen(text));
	smtp_header_end(&w);

	bool folded_ok = lines_within(b.data, b.len, 78);
	/* unfold: drop each CRLF (the space after it stays) */
	smtp_buf unfolded;
	smtp_buf_init(&unfolded);
	for (size_t i = 0; i + 2 <= b.len; i++) {
		if (b.data[i] == '\r' && b.data[i + 1] == '\n') {
			i++;
			continue;
		}
		smtp_buf_putc(&unfolded, b.data[i]);
	}
	smtp_buf_putc(&unfolded, '\0');
	const char *value = unfolded.data + strlen(name) + 2;
	bool round_trip, valid_utf8 = true, short_words = true;
	bool encoded = strstr(value, "=?utf-8?") != NULL;
	if (encoded) {
		round_trip = decode_words(value, &decoded, &valid_utf8, &short_words) && decoded.len == strlen(text) &&
		             memcmp(decoded.data, text, decoded.len) == 0;
	} else {
		round_trip = strcmp(value, text) == 0;
	}
	bool ok = folded_ok && round_trip && valid_utf8 && short_words && encoded == want_encoded;
	if (!tap_ok(ok, label)) {
		tap_diag("folded_ok=%d round_trip=%d valid_utf8=%d short=%d encoded=%d", folded_ok, round_trip, valid_utf8,
		         short_words, encoded);
		tap_diag("%.*s", (int) b.len, b.data);
	}
	smtp_buf_free(&b);
	smtp_buf_free(&decoded);
	smtp_buf_free(&unfolded);
}

static void header_encoding(void)
{
	header_text_case("Subject", "Hello world", false, "header: ASCII subject as it is");
	header_text_case("Subject", "\xc4\x90\xc6\xa1n h\xc3\xa0ng m\xe1\xbb\x9bi t\xe1\xbb\xab website", true,
	                 "header: Vietnamese subject as encoded-words, round trip");
	char long_ascii[400] = "";
	for (int i = 0; i < 30; i++) {
		strcat(long_ascii, "word-nine ");
	}
	strcat(long_ascii, "end");
	header_text_case("Subject", long_ascii, false, "header: 300-char ASCII subject folded at 78, unfolds exactly");
	char euro[700] = "";
	for (int i = 0; i < 200; i++) {
		strcat(euro, "\xe2\x82\xac");
	}
	header_text_case("Subject", euro, true, "header: 200 three-octet chars never split, words <= 75");
	char emoji[500] = "";
	for (int i = 0; i < 100; i++) {
		strcat(emoji, i % 3 ? "\xf0\x9f\x98\x80" : "a \xf0\x9f\x98\x80");
	}
	header_text_case("Subject", emoji, true, "header: four-octet chars mixed with ASCII never split");
	char vn_long[2000] = "";
	for (int i = 0; i < 12; i++) {
		strcat(vn_long, "\xc4\x90\xc6\xa1n h\xc3\xa0ng m\xe1\xbb\x9bi t\xe1\xbb\xab website ");
	}
	header_text_case("Subject", vn_long, true, "header: long Vietnamese subject folded, round trip");
	char word[120];
	memset(word, 'w', 100);
	word[100] = '\0';
	header_text_case("Subject", word, true, "header: an unfoldable 100-char word is encoded");
	header_text_case("Subject", "looks =?like?= a word", true, "header: =? in text is encoded");
	header_text_case("X-A-Rather-Long-Custom-Header-Name-That-Takes-Up-Most-Of-The-Line-Yes",
	                 "\xc3\xa9t\xc3\xa9 long value", true, "header: long header name folds before the first word");
}

static void phrase_case(const char *name, const char *want, const char *label)
{
	smtp_buf b;
	smtp_buf_init(&b);
	smtp_header_writer w;
	smtp_header_begin(&w, &b, "From", 4);
	smtp_header_phrase(&w, name, strlen(name));
	smtp_header_end(&w);
	if (!tap_ok(buf_is(&b, want), label)) {
		tap_diag("got: %.*s", (int) b.len, b.data);
	}
	smtp_buf_free(&b);
}

static void phrases_and_params(void)
{
	phrase_case("Ann Smith", "From: Ann Smith\r\n", "phrase: atoms as they are");
	phrase_case("Smith, Ann", "From: \"Smith, Ann\"\r\n", "phrase: comma quoted");
	phrase_case("A \"B\" C\\", "From: \"A \\\"B\\\" C\\\\\"\r\n", "phrase: quote and backslash escaped");
	phrase_case("Nguy\xe1\xbb\x85n V\xc4\x83n An", "From: =?utf-8?B?Tmd1eeG7hW4gVsSDbiBBbg==?=\r\n",
	            "phrase: Vietnamese name as a B word (shorter than Q here)");

	smtp_buf b;
	smtp_header_writer w;
	smtp_buf_init(&b);
	smtp_header_begin(&w, &b, "Content-Disposition", 19);
	smtp_header_piece(&w, "attachment", 10);
	smtp_header_glue(&w, ";", 1);
	smtp_header_param(&w, "filename", "report.pdf", 10, true);
	smtp_header_end(&w);
	tap_ok(buf_is(&b, "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"), "param: ASCII filename quoted");
	phrase_case("Ann Accent \xc3\xa9", "From: =?utf-8?Q?Ann_Accent_=C3=A9?=\r\n", "phrase: mostly ASCII name as a Q word");
	smtp_buf_free(&b);

	smtp_buf_init(&b);
	smtp_header_begin(&w, &b, "Content-Disposition", 19);
	smtp_header_piece(&w, "attachment", 10);
	smtp_header_glue(&w, ";", 1);
	smtp_header_param(&w, "filename", "b\xc3\xa1o c\xc3\xa1o.pdf", 13, true);
	smtp_header_end(&w);
	smtp_header_begin(&w, &b, "Content-Type", 12);
	smtp_header_piece(&w, "application/pdf", 15);
	smtp_header_glue(&w, ";", 1);
	smtp_header_param(&w, "name", "b\xc3\xa1o c\xc3\xa1o.pdf", 13, false);
	smtp_header_end(&w);
	bool ok = buf_is(&b, "Content-Disposition: attachment; filename*=utf-8''b%C3%A1o%20c%C3%A1o.pdf\r\n"
	                     "Content-Type: application/pdf; name=\"b_o c_o.pdf\"\r\n");
	if (!tap_ok(ok, "param: non-ASCII name: RFC 2231 filename*, ASCII fallback in the Content-Type name")) {
		tap_diag("got: %.*s", (int) b.len, b.data);
	}
	smtp_buf_free(&b);
}

int main(void)
{
	base64_known_answers();
	base64_lines_and_chunks();
	quoted_printable();
	transfer_encoding_choice();
	header_encoding();
	phrases_and_params();
	return tap_done();
}
