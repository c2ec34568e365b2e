/*
 * SMTP reply lines (RFC 5321 4.2): three digits, then ' ' (last line) or '-'
 * (more follow), then text. Servers lie and break lines; everything here is
 * checked, bounded and never trusts a length it did not measure.
 *
 * Pure C, no php.h.
 */
#ifndef SMTP_LIB_REPLY_H
#define SMTP_LIB_REPLY_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
	int code;         /* 200..599 */
	bool last;        /* ' ' or nothing after the code: this line ends the reply */
	const char *text; /* after the separator, without the line ending; points into the input */
	size_t text_len;
} smtp_reply_line;

/* Parses one line (with or without its CRLF). Returns 0, or -1 when it is not
 * a reply line (no three digits, a code outside 200..599, a bad separator). */
int smtp_reply_parse_line(const char *line, size_t len, smtp_reply_line *out);

/* Finds an RFC 3463 enhanced status code ("5.7.8") at the start of text and
 * copies it into out (NUL-terminated). Returns its length, or 0 when absent. */
size_t smtp_reply_enhanced_status(const char *text, size_t len, char out[16]);

/* True when an EHLO reply line's text announces keyword (case-insensitive),
 * e.g. "AUTH PLAIN LOGIN" or "AUTH=LOGIN" for "AUTH", "STARTTLS" for "STARTTLS". */
bool smtp_reply_ehlo_has(const char *text, size_t len, const char *keyword);

/* True when an EHLO reply line's text is an AUTH list naming mechanism
 * (case-insensitive), e.g. "AUTH PLAIN XOAUTH2" for "XOAUTH2". */
bool smtp_reply_ehlo_auth_offers(const char *text, size_t len, const char *mechanism);

/* Length of line without a trailing CR, LF or CRLF. */
size_t smtp_line_trim_eol(const char *line, size_t len);

#endif
