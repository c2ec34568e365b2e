/*
 * mail()'s header scanner and address-list parser: see mail_headers.h.
 */
#include "mail_headers.h"
#include "address.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- a growing buffer ---- */

typedef struct {
	char *data;
	size_t len, cap;
	bool oom;
} text_buf;

static void buf_append(text_buf *b, const char *s, size_t n)
{
	if (b->oom || n == 0) {
		return;
	}
	if (!b->data || b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1) {
			cap *= 2;
		}
		char *grown = realloc(b->data, cap);
		if (!grown) {
			b->oom = true;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void buf_free(text_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* The malloc'd messages for *err (NULL when there is no memory for them). */
static char *error_invalid(const char *spec, size_t len, const char *why)
{
	int n = snprintf(NULL, 0, "invalid address \"%.*s\": %s", (int)len, spec, why);
	char *text = n < 0 ? NULL : malloc((size_t)n + 1);
	if (text) {
		snprintf(text, (size_t)n + 1, "invalid address \"%.*s\": %s", (int)len, spec, why);
	}
	return text;
}

static char *error_unterminated(const char *value, size_t len)
{
	int n = snprintf(NULL, 0, "unterminated <address> in \"%.*s\"", (int)len, value);
	char *text = n < 0 ? NULL : malloc((size_t)n + 1);
	if (text) {
		snprintf(text, (size_t)n + 1, "unterminated <address> in \"%.*s\"", (int)len, value);
	}
	return text;
}

/* ---- To and Subject ---- */

char *smtp_mail_clean_argument(const char *in, size_t len, size_t *out_len)
{
	while (len && isspace((unsigned char)in[len - 1])) {
		len--;
	}
	char *s = malloc(len + 1);
	if (!s) {
		return NULL;
	}
	memcpy(s, in, len);
	s[len] = '\0';
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\r' && i + 2 < len && s[i + 1] == '\n' && (s[i + 2] == ' ' || s[i + 2] == '\t')) {
			i += 2;
			while (i + 1 < len && (s[i + 1] == ' ' || s[i + 1] == '\t')) {
				i++;
			}
			continue;
		}
		if (iscntrl((unsigned char)s[i])) {
			s[i] = ' ';
		}
	}
	*out_len = len;
	return s;
}

bool smtp_mail_headers_malformed(const char *h, size_t len)
{
	if (len == 0) {
		return false;
	}
	if (h[0] < 33 || h[0] > 126 || h[0] == ':') {
		return true;
	}
	/* anywhere: PHP's own check reads a C string, which ends at a NUL (the loop
	 * below steps over the byte after a line break) */
	if (memchr(h, '\0', len)) {
		return true;
	}
	for (size_t i = 0; i < len; i++) {
		if (h[i] == '\r') {
			if (i + 1 == len || h[i + 1] == '\r' ||
			    (h[i + 1] == '\n' && (i + 2 == len || h[i + 2] == '\n' || h[i + 2] == '\r'))) {
				return true;
			}
			i++;
		} else if (h[i] == '\n') {
			if (i + 1 == len || h[i + 1] == '\r' || h[i + 1] == '\n') {
				return true;
			}
			i++;
		}
	}
	return false;
}

void smtp_mail_unfold(char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\r' || s[i] == '\n') {
			s[i] = ' ';
		}
	}
}

/* ---- addresses ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int smtp_mail_addr_spec(const char *spec, size_t len, smtp_mail_address_fn fn, void *ctx, char **err)
{
	*err = NULL;
	while (len && is_blank(*spec)) {
		spec++;
		len--;
	}
	while (len && is_blank(spec[len - 1])) {
		len--;
	}
	if (len == 0) {
		return 0; /* an empty element of a list ("a@x, , b@y"), or an empty group */
	}
	char *normalized = NULL;
	bool utf8_local = false;
	char why[160];
	if (smtp_address_normalize(spec, len, &normalized, &utf8_local, why, sizeof(why)) != 0) {
		*err = error_invalid(spec, len, why);
		return -1;
	}
	fn(ctx, normalized, strlen(normalized), utf8_local);
	smtp_address_free(normalized);
	return 0;
}

int smtp_mail_address_list(const char *value, size_t len, smtp_mail_address_fn fn, void *ctx, char **err)
{
	*err = NULL;
	text_buf bare = {0}; /* the element without its comments, for a bare addr-spec */
	size_t i = 0;
	while (i < len) {
		const char *open = NULL, *close = NULL;
		bool quoted = false;
		int comment_depth = 0;
		bare.len = 0;
		for (; i < len; i++) {
			char c = value[i];
			if (comment_depth) {
				if (c == '\\' && i + 1 < len) {
					i++;
				} else if (c == '(') {
					comment_depth++;
				} else if (c == ')') {
					comment_depth--;
				}
				continue;
			}
			if (quoted) {
				buf_append(&bare, &c, 1);
				if (c == '\\' && i + 1 < len) {
					buf_append(&bare, &value[++i], 1);
				} else if (c == '"') {
					quoted = false;
				}
				continue;
			}
			if (c == '(') {
				comment_depth = 1;
			} else if (c == '"') {
				quoted = true;
				buf_append(&bare, &c, 1);
			} else if (c == '<' && !open) {
				open = value + i;
			} else if (c == '>' && open && !close) {
				close = value + i;
			} else if (c == ':' && !open) {
				bare.len = 0; /* "group-name:" starts a group: what came before is its name */
			} else if (c == ',' || c == ';') {
				if (!open || close) {
					break;
				}
			} else if (!open) {
				buf_append(&bare, &c, 1);
			}
		}
		i++; /* past the separator */
		int rc;
		if (bare.oom) {
			rc = -1; /* *err stays NULL: no memory */
		} else if (open && close) {
			rc = smtp_mail_addr_spec(open + 1, (size_t)(close - open - 1), fn, ctx, err);
		} else if (open) {
			*err = error_unterminated(value, len);
			rc = -1;
		} else {
			rc = smtp_mail_addr_spec(bare.data ? bare.data : "", bare.len, fn, ctx, err);
		}
		if (rc != 0) {
			buf_free(&bare);
			return -1;
		}
	}
	buf_free(&bare);
	return 0;
}

/* ---- the header block ---- */

static bool field_named(const char *field, size_t name_len, const char *name)
{
	return name_len == strlen(name) && strncasecmp(field, name, name_len) == 0;
}

/* Where the line that starts at h[at] ends (its break not included), and
 * where the next one starts: a CRLF, a lone LF or a lone CR ends it. */
static size_t line_end(const char *h, size_t len, size_t at, size_t *next)
{
	size_t i = at;
	while (i < len && h[i] != '\r' && h[i] != '\n') {
		i++;
	}
	*next = i == len ? len : (h[i] == '\r' && i + 1 < len && h[i + 1] == '\n' ? i + 2 : i + 1);
	return i;
}

/* One field (its lines from start to end, breaks of any kind inside). */
static int scan_field(const char *field, size_t len, smtp_mail_address_fn fn, void *ctx, smtp_mail_headers *out,
                      text_buf *kept, char **err)
{
	const char *colon = memchr(field, ':', len);
	size_t name_len = colon ? (size_t)(colon - field) : 0;
	while (name_len && (field[name_len - 1] == ' ' || field[name_len - 1] == '\t')) {
		name_len--; /* "Cc : x" (obsolete syntax, still seen) */
	}
	bool is_bcc = colon && field_named(field, name_len, "Bcc");
	bool is_cc = colon && field_named(field, name_len, "Cc");
	bool is_from = colon && field_named(field, name_len, "From");
	if (is_bcc || is_cc || (is_from && !out->from)) {
		size_t value_len = len - (size_t)(colon - field) - 1;
		char *value = malloc(value_len + 1);
		if (!value) {
			return -1;
		}
		memcpy(value, colon + 1, value_len);
		value[value_len] = '\0';
		smtp_mail_unfold(value, value_len);
		if (is_from) {
			out->from = value;
			out->from_len = value_len;
		} else {
			int rc = smtp_mail_address_list(value, value_len, fn, ctx, err);
			free(value);
			if (rc != 0) {
				return -1;
			}
		}
	} else if (colon && field_named(field, name_len, "Date")) {
		out->has_date = true;
	} else if (colon && field_named(field, name_len, "Message-ID")) {
		out->has_message_id = true;
	}
	if (!is_bcc) {
		/* its lines, each ended by CRLF: what the wire carries anyway. An
		 * empty one (two breaks before a continuation) would end the header
		 * block there and make the rest the body: it is left out. mail()'s
		 * own check refuses such headers first; a captured message cannot
		 * have them; this keeps the scanner safe on its own. */
		size_t at = 0, next;
		while (at < len) {
			size_t end = line_end(field, len, at, &next);
			if (end > at) {
				buf_append(kept, field + at, end - at);
				buf_append(kept, "\r\n", 2);
			}
			at = next;
		}
	}
	return 0;
}

int smtp_mail_headers_scan(const char *h, size_t len, smtp_mail_address_fn fn, void *ctx, smtp_mail_headers *out,
                           char **err)
{
	memset(out, 0, sizeof(*out));
	*err = NULL;
	if (memchr(h, '\0', len)) {
		*err = strdup("NUL in additional_header");
		return -2;
	}
	text_buf kept = {0};
	size_t start = 0, at = 0;
	int rc = 0;
	while (at < len && rc == 0) {
		size_t next;
		size_t end = line_end(h, len, at, &next);
		/* empty lines are left out of the block (see scan_field), so the
		 * field goes on across them as it will read once they are gone */
		while (next < len && (h[next] == '\r' || h[next] == '\n')) {
			line_end(h, len, next, &next);
		}
		/* a line that starts with white space continues the field */
		if (next >= len || (h[next] != ' ' && h[next] != '\t')) {
			if (end > start) {
				rc = scan_field(h + start, end - start, fn, ctx, out, &kept, err);
			}
			start = next;
		}
		at = next;
	}
	if (rc == 0 && kept.oom) {
		rc = -1;
	}
	if (rc != 0) {
		buf_free(&kept);
		smtp_mail_headers_free(out);
		return -1;
	}
	if (!kept.data) {
		kept.data = calloc(1, 1);
		if (!kept.data) {
			smtp_mail_headers_free(out);
			return -1;
		}
	}
	out->kept = kept.data;
	out->kept_len = kept.len;
	return 0;
}

void smtp_mail_headers_free(smtp_mail_headers *headers)
{
	free(headers->kept);
	free(headers->from);
	memset(headers, 0, sizeof(*headers));
}

/* ---- the fifth argument ---- */

char *smtp_mail_sender_param(const char *params, size_t len, size_t *out_len)
{
	const char *nul = memchr(params, '\0', len);
	const char *p = params, *end_of_all = nul ? nul : params + len;
	while (p < end_of_all) {
		while (p < end_of_all && (*p == ' ' || *p == '\t')) {
			p++;
		}
		const char *token = p;
		while (p < end_of_all && *p != ' ' && *p != '\t') {
			p++;
		}
		if (p - token >= 2 && token[0] == '-' && token[1] == 'f') {
			const char *value = token + 2;
			const char *end = p;
			if (value == end) { /* "-f addr": the value is the next word */
				while (p < end_of_all && (*p == ' ' || *p == '\t')) {
					p++;
				}
				value = p;
				while (p < end_of_all && *p != ' ' && *p != '\t') {
					p++;
				}
				end = p;
			}
			if (end - value >= 2 && (*value == '\'' || *value == '"') && end[-1] == *value) {
				value++;
				end--;
			}
			size_t n = end > value ? (size_t)(end - value) : 0;
			char *sender = malloc(n + 1);
			if (!sender) {
				return NULL;
			}
			memcpy(sender, value, n);
			sender[n] = '\0';
			*out_len = n;
			return sender;
		}
	}
	return NULL;
}

void smtp_mail_free(char *text)
{
	free(text);
}
