/*
 * Header writing (src/lib/encode.c): unstructured text, display-name phrases,
 * RFC 2047 encoded-words and RFC 2231 parameters, with folding.
 *
 * Input: mode byte, header-name length byte, then the value. Invariants:
 *   - CRLF line endings only, ending in CRLF; every continuation line starts
 *     with a space and is not white space only: no header injection;
 *   - no line over 998 octets; no line over 78 where the writer promises
 *     folding (text, phrase, encoded-words; not a long parameter value);
 *   - each encoded-word at most 75 characters, in the alphabet of its encoding;
 *   - unfolded and decoded, the value gives back the input (for text and
 *     encoded-words exactly; for phrases up to the collapsing of spaces;
 *     for extended parameters exactly; plain parameters when they are
 *     quotable ASCII).
 * Parameter values are capped at 255 bytes, the limit the Zend glue enforces
 * (MAX_FILENAME in src/smtp_message.c), and header names at 1..76 (MAX_HEADER_NAME).
 */
#include "fuzz_util.h"
#include "encode.h"

enum { MODE_TEXT, MODE_PHRASE, MODE_ENCODED, MODE_PARAM_PLAIN, MODE_PARAM_EXTENDED, MODE_COUNT };

static int hex(char c)
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

/* Decodes one encoded-word w[0..len) into out; false when it is not one. */
static bool decode_word(const char *w, size_t len, smtp_buf *out)
{
	if (len < 12 || memcmp(w, "=?utf-8?", 8) != 0 || w[len - 2] != '?' || w[len - 1] != '=' || w[9] != '?') {
		return false;
	}
	FUZZ_CHECK(len <= SMTP_ENCODED_WORD_MAX, "encoded-word of %zu characters", len);
	const char *p = w + 10;
	size_t n = len - 12;
	if (w[8] == 'B') {
		for (size_t i = 0; i < n; i++) {
			char c = p[i];
			FUZZ_CHECK((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
			               c == '/' || c == '=',
			           "bad character in a B word");
		}
		FUZZ_CHECK(n % 4 == 0, "B word payload not a multiple of 4");
		return smtp_base64_decode(out, p, n) == 0;
	}
	FUZZ_CHECK(w[8] == 'Q', "unknown encoding %c", w[8]);
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == '_') {
			smtp_buf_putc(out, ' ');
		} else if (c == '=') {
			FUZZ_CHECK(i + 2 < n && hex(p[i + 1]) >= 0 && hex(p[i + 2]) >= 0, "bad escape in a Q word");
			smtp_buf_putc(out, (char) (hex(p[i + 1]) << 4 | hex(p[i + 2])));
			i += 2;
		} else {
			/* RFC 2047 5(3): what may appear in a phrase */
			FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '!' ||
			               c == '*' || c == '+' || c == '-' || c == '/',
			           "character '%c' not allowed in a Q word", c);
			smtp_buf_putc(out, c);
		}
	}
	return true;
}

/* Value made only of encoded-words separated by spaces: decoded into out. */
static bool decode_all_words(const char *v, size_t len, smtp_buf *out)
{
	size_t i = 0;
	bool any = false;
	while (i < len) {
		while (i < len && v[i] == ' ') {
			i++;
		}
		size_t start = i;
		while (i < len && v[i] != ' ') {
			i++;
		}
		if (i > start) {
			if (!decode_word(v + start, i - start, out)) {
				return false;
			}
			any = true;
		}
	}
	return any;
}

static void check_lines(const char *s, size_t len, size_t max_line)
{
	size_t bad_at;
	FUZZ_CHECK(fuzz_crlf_lines_ok(s, len, SMTP_LINE_MAX, true, &bad_at), "bad line ending or line over 998 at %zu",
	           bad_at);
	/* The 78-column promise is about content: white space at a line's end
	 * (a value that ends in spaces, after a 76-character name) is not folded. */
	size_t line_start = 0;
	for (size_t i = 0; i + 1 < len; i++) {
		if (s[i] == '\r') {
			size_t end = i;
			while (end > line_start && (s[end - 1] == ' ' || s[end - 1] == '\t')) {
				end--;
			}
			FUZZ_CHECK(end - line_start <= max_line, "line over %zu at %zu", max_line, line_start);
			line_start = i + 2;
		}
	}
	for (size_t i = 0; i + 2 < len; i++) {
		if (s[i] == '\r') {
			/* a continuation: starts with a space, and is not white space only */
			FUZZ_CHECK(s[i + 2] == ' ' || s[i + 2] == '\t', "line after %zu does not start with white space", i);
			size_t j = i + 2;
			while (j < len && (s[j] == ' ' || s[j] == '\t')) {
				j++;
			}
			FUZZ_CHECK(j < len && s[j] != '\r', "white-space-only continuation line at %zu", i + 2);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_reader r;
	fuzz_reader_init(&r, data, size);
	int mode = fuzz_u8(&r) % MODE_COUNT;
	size_t name_len = 1 + fuzz_u8(&r) % 76;
	size_t len;
	const char *rest = fuzz_rest(&r, &len);
	if ((mode == MODE_PARAM_PLAIN || mode == MODE_PARAM_EXTENDED) && len > 255) {
		len = 255;
	}
	if (len > 8192) {
		len = 8192;
	}
	char *value = malloc(len ? len : 1);
	memcpy(value, rest, len);
	char name[80];
	memset(name, 'a', name_len);
	memcpy(name, "X-", name_len < 2 ? name_len : 2);

	smtp_buf out;
	smtp_buf_init(&out);
	smtp_header_writer w;
	smtp_header_begin(&w, &out, name, name_len);
	switch (mode) {
	case MODE_TEXT:
		smtp_header_text(&w, value, len);
		break;
	case MODE_PHRASE:
		smtp_header_phrase(&w, value, len);
		break;
	case MODE_ENCODED:
		smtp_header_encoded_words(&w, value, len);
		break;
	case MODE_PARAM_PLAIN:
	case MODE_PARAM_EXTENDED:
		smtp_header_piece(&w, "attachment", 10);
		smtp_header_glue(&w, ";", 1);
		smtp_header_param(&w, "filename", value, len, mode == MODE_PARAM_EXTENDED);
		break;
	}
	smtp_header_end(&w);
	FUZZ_CHECK(!out.oom, "out of memory");

	bool folded_promise = mode == MODE_TEXT || mode == MODE_PHRASE || mode == MODE_ENCODED;
	check_lines(out.data, out.len, folded_promise ? SMTP_LINE_WANTED : SMTP_LINE_MAX);
	FUZZ_CHECK(out.len > name_len && memcmp(out.data, name, name_len) == 0 && out.data[name_len] == ':',
	           "the field does not start with its name");

	/* unfold: drop each CRLF (a fold keeps the white space after it) and the final one */
	smtp_buf unfolded, decoded;
	smtp_buf_init(&unfolded);
	smtp_buf_init(&decoded);
	for (size_t i = name_len + 1; i < out.len; i++) {
		if (out.data[i] == '\r') {
			i++;
			continue;
		}
		smtp_buf_putc(&unfolded, out.data[i]);
	}
	const char *v = unfolded.data ? unfolded.data : "";
	size_t vlen = unfolded.len;

	switch (mode) {
	case MODE_TEXT:
		if (vlen >= 2 && memmem(v, vlen, "=?", 2) && decode_all_words(v, vlen, &decoded)) {
			FUZZ_CHECK(decoded.len == len && (len == 0 || memcmp(decoded.data, value, len) == 0),
			           "decoded text differs from the input");
		} else {
			FUZZ_CHECK(vlen == len + 1 && v[0] == ' ' && memcmp(v + 1, value, len) == 0,
			           "unfolded text differs from the input");
		}
		break;
	case MODE_ENCODED:
		FUZZ_CHECK(len == 0 ? vlen == 0 : decode_all_words(v, vlen, &decoded), "not all encoded-words");
		FUZZ_CHECK(decoded.len == len && (len == 0 || memcmp(decoded.data, value, len) == 0),
		           "decoded words differ from the input");
		break;
	case MODE_PHRASE: {
		smtp_buf words; /* the input with runs of spaces collapsed and trimmed */
		smtp_buf_init(&words);
		for (size_t i = 0; i < len; i++) {
			if (value[i] != ' ' || (words.len && i + 1 < len && value[i + 1] != ' ')) {
				smtp_buf_putc(&words, value[i]);
			}
		}
		if (vlen >= 2 && v[1] == '"') {
			for (size_t i = 2; i + 1 < vlen; i++) {
				smtp_buf_putc(&decoded, v[i] == '\\' ? v[++i] : v[i]);
			}
			FUZZ_CHECK(v[vlen - 1] == '"', "unterminated quoted phrase");
			FUZZ_CHECK(decoded.len == len && memcmp(decoded.data, value, len) == 0, "quoted phrase differs");
		} else if (memmem(v, vlen, "=?", 2) && decode_all_words(v, vlen, &decoded)) {
			FUZZ_CHECK(decoded.len == len && memcmp(decoded.data, value, len) == 0, "encoded phrase differs");
		} else {
			/* atoms: the words, one space apart */
			size_t start = vlen && v[0] == ' ' ? 1 : 0;
			FUZZ_CHECK(vlen - start == words.len && memcmp(v + start, words.data ? words.data : "", words.len) == 0,
			           "atom phrase differs from the input's words");
		}
		smtp_buf_free(&words);
		break;
	}
	case MODE_PARAM_PLAIN:
	case MODE_PARAM_EXTENDED: {
		const char *p = memmem(v, vlen, "; filename", 10);
		FUZZ_CHECK(p != NULL, "no filename parameter");
		p += 10;
		size_t plen = vlen - (size_t) (p - v);
		bool quotable = true;
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char) value[i];
			quotable &= c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
		}
		if (plen >= 9 && memcmp(p, "*=utf-8''", 9) == 0) {
			FUZZ_CHECK(mode == MODE_PARAM_EXTENDED && !quotable, "extended form where plain was due");
			for (size_t i = 9; i < plen; i++) {
				if (p[i] == '%') {
					FUZZ_CHECK(i + 2 < plen && hex(p[i + 1]) >= 0 && hex(p[i + 2]) >= 0, "bad %% escape");
					smtp_buf_putc(&decoded, (char) (hex(p[i + 1]) << 4 | hex(p[i + 2])));
					i += 2;
				} else {
					FUZZ_CHECK(strchr("!#$&+-.^_`|~", p[i]) || (p[i] >= '0' && p[i] <= '9') ||
					               (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z'),
					           "byte 0x%02x in an extended value", (unsigned char) p[i]);
					smtp_buf_putc(&decoded, p[i]);
				}
			}
			FUZZ_CHECK(decoded.len == len && (len == 0 || memcmp(decoded.data, value, len) == 0),
			           "extended parameter differs from the input");
		} else {
			FUZZ_CHECK(plen >= 3 && p[0] == '=' && p[1] == '"' && p[plen - 1] == '"', "malformed plain parameter");
			for (size_t i = 2; i + 1 < plen; i++) {
				FUZZ_CHECK(p[i] != '"' && p[i] != '\\' && p[i] >= 0x20 && p[i] < 0x7F, "unquotable byte in value");
			}
			if (quotable) {
				FUZZ_CHECK(plen - 3 == len && memcmp(p + 2, value, len) == 0, "plain parameter differs");
			}
		}
		break;
	}
	}
	smtp_buf_free(&decoded);
	smtp_buf_free(&unfolded);
	smtp_buf_free(&out);
	free(value);
	return 0;
}
