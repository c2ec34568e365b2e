#include "reply.h"

#include <string.h>

size_t smtp_line_trim_eol(const char *line, size_t len)
{
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
		len--;
	}
	return len;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int smtp_reply_parse_line(const char *line, size_t len, smtp_reply_line *out)
{
	len = smtp_line_trim_eol(line, len);
	if (len < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2])) {
		return -1;
	}
	int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (code < 200 || code > 599) {
		return -1;
	}
	out->code = code;
	if (len == 3) {
		out->last = true;
		out->text = line + 3;
		out->text_len = 0;
		return 0;
	}
	if (line[3] != ' ' && line[3] != '-') {
		return -1;
	}
	out->last = line[3] == ' ';
	out->text = line + 4;
	out->text_len = len - 4;
	return 0;
}

size_t smtp_reply_enhanced_status(const char *text, size_t len, char out[16])
{
	/* class "." subject "." detail: [245] . 1*3digit . 1*3digit */
	size_t i = 0;
	out[0] = '\0';
	if (len < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') {
		return 0;
	}
	i = 2;
	for (int part = 0; part < 2; part++) {
		size_t start = i;
		while (i < len && is_digit(text[i]) && i - start < 3) {
			i++;
		}
		if (i == start) {
			return 0;
		}
		if (part == 0) {
			if (i >= len || text[i] != '.') {
				return 0;
			}
			i++;
		}
	}
	if (i < len && text[i] != ' ' && text[i] != '\t') {
		return 0;
	}
	memcpy(out, text, i);
	out[i] = '\0';
	return i;
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool smtp_reply_ehlo_has(const char *text, size_t len, const char *keyword)
{
	size_t klen = strlen(keyword);
	if (len < klen) {
		return false;
	}
	for (size_t i = 0; i < klen; i++) {
		if (lower(text[i]) != lower(keyword[i])) {
			return false;
		}
	}
	/* the keyword alone, or followed by parameters */
	return len == klen || text[klen] == ' ' || text[klen] == '=';
}

bool smtp_reply_ehlo_auth_offers(const char *text, size_t len, const char *mechanism)
{
	if (!smtp_reply_ehlo_has(text, len, "AUTH") || len <= 4) {
		return false;
	}
	size_t mlen = strlen(mechanism);
	size_t i = 5; /* after "AUTH " or "AUTH=" */
	while (i < len) {
		while (i < len && text[i] == ' ') {
			i++;
		}
		size_t start = i;
		while (i < len && text[i] != ' ') {
			i++;
		}
		if (i - start == mlen) {
			size_t k = 0;
			while (k < mlen && lower(text[start + k]) == lower(mechanism[k])) {
				k++;
			}
			if (k == mlen) {
				return true;
			}
		}
	}
	return false;
}
