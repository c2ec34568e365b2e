/*
 * Transcript redaction: what the client sent during AUTH never reaches a
 * transcript, a log or an exception. The rule works on the command text, so
 * it holds for every mechanism (PLAIN and XOAUTH2 initial responses, LOGIN's
 * username and password lines, CRAM-MD5's digest).
 *
 * Pure C, no php.h.
 */
#ifndef SMTP_LIB_REDACT_H
#define SMTP_LIB_REDACT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
	bool in_auth; /* an AUTH exchange is under way: every client line is a secret */
} smtp_redactor;

/* Writes the safe form of a client command line (without its CRLF) into out
 * (NUL-terminated, truncated to cap) and returns its length.
 * "AUTH PLAIN AGFsaWNl..." becomes "AUTH PLAIN ***"; a line sent while an
 * AUTH exchange is under way becomes "***". */
size_t smtp_redact_client_line(smtp_redactor *r, const char *line, size_t len, char *out, size_t cap);

/* Tells the redactor a server reply code arrived: anything but 334 ends an
 * AUTH exchange. */
void smtp_redact_server_reply(smtp_redactor *r, int code);

#endif
