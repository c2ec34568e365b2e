/*
 * SMTP data transparency (RFC 5321 4.5.2): a line of the message that begins
 * with "." goes out with one more "." in front, and the message ends with
 * CRLF "." CRLF. The input is already CRLF text (the sources in source.h make
 * it so); this works on any chunking of it, with O(1) state.
 *
 * Pure C, no php.h.
 */
#ifndef SMTP_LIB_STUFFING_H
#define SMTP_LIB_STUFFING_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
	bool at_line_start; /* the next byte begins a line */
	char last[2];       /* the last two bytes seen, for the final CRLF */
	size_t seen;        /* bytes seen so far */
} smtp_stuffing;

void smtp_stuffing_init(smtp_stuffing *st);

/* The most bytes smtp_stuff() writes for len input bytes. */
#define SMTP_STUFF_MAX(len) ((len) * 2)

/* Copies len bytes from in to out, doubling each line-leading ".". out must
 * hold SMTP_STUFF_MAX(len) bytes. Returns the bytes written. */
size_t smtp_stuff(smtp_stuffing *st, const char *in, size_t len, char *out);

/* The end of the message: CRLF "." CRLF, or "." CRLF when the message already
 * ended with CRLF (an empty message also gets just "." CRLF). out must hold 5
 * bytes. Returns the bytes written. */
size_t smtp_stuff_end(const smtp_stuffing *st, char *out);

#endif
