/*
 * What mail() reads out of its arguments, the way sendmail -t would: the
 * envelope recipients from To, Cc and Bcc (RFC 5322 address lists: display
 * names, quoted strings, comments, groups, folding), the header block that
 * goes into the data (without Bcc), the From value, whether Date and
 * Message-ID are there, and the envelope sender named by -f in the fifth
 * argument. These are the fields a contact form often fills from a
 * visitor's input, so this is pure C (no php.h), unit-tested in tests/lib
 * and fuzzed by fuzz/fuzz_mail_headers.c.
 *
 * Every address handed out went through smtp_address_normalize() (address.h).
 * Line breaks: CRLF, a lone LF and a lone CR each end a line, as each would on
 * the wire (the data is sent with every bare CR or LF made CRLF); a line that
 * starts with a space or a tab continues the field before it.
 */
#ifndef SMTP_LIB_MAIL_HEADERS_H
#define SMTP_LIB_MAIL_HEADERS_H

#include <stdbool.h>
#include <stddef.h>

/* Receives each envelope address found, normalized (NUL-terminated, borrowed
 * for the call); utf8_local when its local part needs SMTPUTF8. */
typedef void (*smtp_mail_address_fn)(void *ctx, const char *address, size_t len, bool utf8_local);

/* What PHP's mail() does to its To and Subject: trailing white space goes,
 * and every control character becomes a space, except a CRLF followed by
 * white space (a folded line, RFC 5322 2.2.3), which is kept. Returns a
 * malloc'd NUL-terminated copy (length in *out_len), or NULL (no memory). */
char *smtp_mail_clean_argument(const char *in, size_t len, size_t *out_len);

/* PHP's rule for additional_headers (php_mail_detect_multiple_crlf): true
 * when they start with something other than a field name, or hold an empty
 * line (which would end the header block early and let the rest become the
 * body), a line break at the very end, or a NUL. */
bool smtp_mail_headers_malformed(const char *h, size_t len);

/* Line breaks (CR and LF) made spaces, in place: a folded value unfolded. */
void smtp_mail_unfold(char *s, size_t len);

/* One addr-spec, white space around it ignored; nothing is handed out when
 * it is empty. Returns 0, or -1 with *err (malloc'd, for the caller to free)
 * saying why: invalid address "the text": the reason. */
int smtp_mail_addr_spec(const char *spec, size_t len, smtp_mail_address_fn fn, void *ctx, char **err);

/* The addresses of an RFC 5322 address list ("Ann <a@x.test>, b@y.test,
 * "Doe, J" <j@z.test>, team: c@x.test, d@x.test;"), in order, to fn. Quoted
 * strings and comments may hold commas and angle brackets; a group's name is
 * skipped; empty elements are allowed. The value is expected unfolded.
 * Returns 0, or -1 at the first bad element with *err (malloc'd): invalid
 * address "...": reason, or unterminated <address> in "...". */
int smtp_mail_address_list(const char *value, size_t len, smtp_mail_address_fn fn, void *ctx, char **err);

typedef struct {
	char *kept;       /* the fields without Bcc, each line ending in CRLF (malloc'd, NUL-terminated) */
	size_t kept_len;
	char *from;       /* the first From field's value, unfolded (malloc'd), or NULL */
	size_t from_len;
	bool has_date;
	bool has_message_id;
} smtp_mail_headers;

/* Reads additional headers field by field: the addresses of Cc and Bcc to
 * fn, Bcc left out of kept. Returns 0; -1 with *err (malloc'd) at the first
 * bad Cc or Bcc address, or with *err NULL when memory ran out; -2 with *err
 * when the headers hold a NUL. On failure out is left empty. */
int smtp_mail_headers_scan(const char *h, size_t len, smtp_mail_address_fn fn, void *ctx, smtp_mail_headers *out,
                           char **err);

void smtp_mail_headers_free(smtp_mail_headers *headers);

/* The envelope sender that -f names in sendmail-style parameters ("-f a@x",
 * "-fa@x", in single or double quotes or not), not yet validated: malloc'd
 * (length in *out_len), or NULL when there is none. Nothing else in the
 * parameters means anything here: they are never given to a shell. */
char *smtp_mail_sender_param(const char *params, size_t len, size_t *out_len);

/* Frees what this file handed out as malloc'd text: an *err, a cleaned
 * argument, a -f sender. */
void smtp_mail_free(char *text);

#endif
