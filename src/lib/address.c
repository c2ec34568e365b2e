/*
 * Address validation and IDNA; see address.h for what is accepted and why.
 */
#include "address.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int fail(char *err, size_t errlen, const char *reason)
{
	if (err && errlen) {
		snprintf(err, errlen, "%s", reason);
	}
	return -1;
}

bool smtp_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s, *end = p + len;

	while (p < end) {
		unsigned char c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		size_t need;
		uint32_t cp, min;
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1, cp = c & 0x1F, min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2, cp = c & 0x0F, min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return false; /* a continuation byte, an overlong lead (C0, C1) or F5..FF */
		}
		if ((size_t) (end - p) <= need) {
			return false;
		}
		for (size_t i = 1; i <= need; i++) {
			if ((p[i] & 0xC0) != 0x80) {
				return false;
			}
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
			return false;
		}
		p += need + 1;
	}
	return true;
}

/* RFC 5322 atext, less the non-ASCII bytes, which the caller treats separately. */
static bool is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
		return true;
	}
	return c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* Checks the local part, which must be either a dot-atom or a quoted string. */
static int check_local(const char *s, size_t len, bool *non_ascii, char *err, size_t errlen)
{
	*non_ascii = false;
	if (len == 0) {
		return fail(err, errlen, "empty local part");
	}
	if (len > SMTP_ADDRESS_MAX_LOCAL) {
		return fail(err, errlen, "local part longer than 64 octets");
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char) s[i] >= 0x80) {
			*non_ascii = true;
		}
	}
	if (*non_ascii && !smtp_utf8_valid(s, len)) {
		return fail(err, errlen, "invalid UTF-8 in local part");
	}

	if (s[0] == '"') {
		if (len < 2 || s[len - 1] != '"') {
			return fail(err, errlen, "unterminated quoted local part");
		}
		for (size_t i = 1; i < len - 1; i++) {
			unsigned char c = (unsigned char) s[i];
			if (c == '\\') {
				/* quoted-pair: only printable ASCII or space may follow */
				if (i + 1 >= len - 1) {
					return fail(err, errlen, "backslash at the end of a quoted local part");
				}
				unsigned char next = (unsigned char) s[++i];
				if (next < 0x20 || next == 0x7F) {
					return fail(err, errlen, "control character in address");
				}
				continue;
			}
			if (c == '"') {
				return fail(err, errlen, "unescaped quote in local part");
			}
			if ((c < 0x20 && c != '\t') || c == 0x7F) {
				return fail(err, errlen, "control character in address");
			}
			if (c == '\t') {
				return fail(err, errlen, "tab in address");
			}
		}
		return 0;
	}

	if (s[0] == '.' || s[len - 1] == '.') {
		return fail(err, errlen, "local part starts or ends with a dot");
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) s[i];
		if (c == '.') {
			if (s[i + 1] == '.') {
				return fail(err, errlen, "two dots in a row in local part");
			}
			continue;
		}
		if (c >= 0x80 || is_atext(c)) {
			continue;
		}
		if (c == ' ' || c == '\t') {
			return fail(err, errlen, "space in address outside quotes");
		}
		if (c < 0x20 || c == 0x7F) {
			return fail(err, errlen, "control character in address");
		}
		return fail(err, errlen, "invalid character in local part");
	}
	return 0;
}

/* Letters, digits and hyphens in dot-separated labels (RFC 1035 / 5321 "Domain"). */
static int check_hostname(const char *s, size_t len, char *err, size_t errlen)
{
	if (len == 0) {
		return fail(err, errlen, "empty domain");
	}
	if (len > SMTP_ADDRESS_MAX_DOMAIN) {
		return fail(err, errlen, "domain longer than 253 octets");
	}
	size_t label_start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			size_t label_len = i - label_start;
			if (label_len == 0) {
				return fail(err, errlen, "invalid domain: empty label");
			}
			if (label_len > 63) {
				return fail(err, errlen, "invalid domain: label longer than 63 octets");
			}
			if (s[label_start] == '-' || s[i - 1] == '-') {
				return fail(err, errlen, "invalid domain: label starts or ends with a hyphen");
			}
			label_start = i + 1;
			continue;
		}
		unsigned char c = (unsigned char) s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
			return fail(err, errlen, "invalid domain: only letters, digits, hyphens and dots are allowed");
		}
	}
	return 0;
}

/* [192.0.2.1] or [IPv6:2001:db8::1]; the address inside must parse. */
static int check_literal(const char *s, size_t len, char *err, size_t errlen)
{
	char inner[64];
	unsigned char buf[16];

	if (len < 3 || s[len - 1] != ']' || len - 2 >= sizeof(inner)) {
		return fail(err, errlen, "invalid domain literal");
	}
	memcpy(inner, s + 1, len - 2);
	inner[len - 2] = '\0';
	if (strncasecmp(inner, "IPv6:", 5) == 0) {
		if (inet_pton(AF_INET6, inner + 5, buf) == 1) {
			return 0;
		}
	} else if (inet_pton(AF_INET, inner, buf) == 1) {
		return 0;
	}
	return fail(err, errlen, "invalid domain literal");
}

int smtp_address_normalize(const char *in, size_t len, char **out, bool *utf8_local, char *err, size_t errlen)
{
	*out = NULL;
	*utf8_local = false;
	if (err && errlen) {
		err[0] = '\0';
	}

	/* Injection first: whatever else is wrong, these are what an attacker sends. */
	for (size_t i = 0; i < len; i++) {
		if (in[i] == '\r' || in[i] == '\n') {
			return fail(err, errlen, "CR or LF in address");
		}
		if (in[i] == '\0') {
			return fail(err, errlen, "NUL in address");
		}
	}
	if (len == 0) {
		return fail(err, errlen, "empty address");
	}
	if (in[0] == '<' || in[len - 1] == '>') {
		return fail(err, errlen, "angle brackets in address (give the name separately)");
	}

	/* The separating @ is the last one: a quoted local part may contain more. */
	const char *at = NULL;
	for (size_t i = len; i > 0; i--) {
		if (in[i - 1] == '@') {
			at = in + i - 1;
			break;
		}
	}
	if (!at) {
		return fail(err, errlen, "missing @");
	}
	size_t local_len = (size_t) (at - in);
	const char *domain = at + 1;
	size_t domain_len = len - local_len - 1;

	bool non_ascii_local;
	if (check_local(in, local_len, &non_ascii_local, err, errlen) < 0) {
		return -1;
	}
	if (domain_len == 0) {
		return fail(err, errlen, "empty domain");
	}

	char *ascii_domain = NULL; /* malloc'd by libidn2 when the domain was converted */
	const char *use_domain = domain;
	size_t use_len = domain_len;

	if (domain[0] == '[') {
		if (check_literal(domain, domain_len, err, errlen) < 0) {
			return -1;
		}
	} else {
		bool non_ascii_domain = false;
		for (size_t i = 0; i < domain_len; i++) {
			unsigned char c = (unsigned char) domain[i];
			if (c >= 0x80) {
				non_ascii_domain = true;
			} else if (c == ' ' || c == '\t') {
				return fail(err, errlen, "space in address outside quotes");
			} else if (c < 0x20 || c == 0x7F) {
				return fail(err, errlen, "control character in address");
			}
		}
		if (non_ascii_domain) {
			if (!smtp_utf8_valid(domain, domain_len)) {
				return fail(err, errlen, "invalid UTF-8 in domain");
			}
			char *nul_terminated = malloc(domain_len + 1);
			if (!nul_terminated) {
				return fail(err, errlen, "out of memory");
			}
			memcpy(nul_terminated, domain, domain_len);
			nul_terminated[domain_len] = '\0';
			uint8_t *converted = NULL;
			int rc = idn2_lookup_u8((const uint8_t *) nul_terminated, &converted,
			                        IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
			free(nul_terminated);
			if (rc != IDN2_OK) {
				if (err && errlen) {
					snprintf(err, errlen, "invalid domain: %s", idn2_strerror(rc));
				}
				return -1;
			}
			ascii_domain = (char *) converted;
			use_domain = ascii_domain;
			use_len = strlen(ascii_domain);
		}
		if (check_hostname(use_domain, use_len, err, errlen) < 0) {
			idn2_free(ascii_domain);
			return -1;
		}
	}

	if (local_len + 1 + use_len > SMTP_ADDRESS_MAX) {
		idn2_free(ascii_domain);
		return fail(err, errlen, "address longer than 254 octets");
	}

	char *result = malloc(local_len + 1 + use_len + 1);
	if (!result) {
		idn2_free(ascii_domain);
		return fail(err, errlen, "out of memory");
	}
	memcpy(result, in, local_len);
	result[local_len] = '@';
	memcpy(result + local_len + 1, use_domain, use_len);
	result[local_len + 1 + use_len] = '\0';
	idn2_free(ascii_domain);

	*out = result;
	*utf8_local = non_ascii_local;
	return 0;
}

void smtp_address_free(char *address)
{
	free(address);
}

const char *smtp_address_domain(const char *normalized)
{
	const char *at = strrchr(normalized, '@');
	return at ? at + 1 : "";
}

bool smtp_address_same_mailbox(const char *a, const char *b)
{
	const char *at_a = strrchr(a, '@'), *at_b = strrchr(b, '@');
	if (!at_a || !at_b) {
		return strcmp(a, b) == 0;
	}
	size_t local_a = (size_t) (at_a - a), local_b = (size_t) (at_b - b);
	return local_a == local_b && memcmp(a, b, local_a) == 0 && strcasecmp(at_a + 1, at_b + 1) == 0;
}
