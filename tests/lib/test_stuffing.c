/* Unit tests for src/lib/stuffing.c: dot-stuffing and the end of DATA. */
#include <stdlib.h>
#include <string.h>

#include "stuffing.h"
#include "tap.h"

/* Stuffs text in chunks of `chunk` bytes (0: all at once) and appends the end. */
static char *stuff_all(const char *text, size_t chunk)
{
	size_t len = strlen(text);
	char *out = malloc(SMTP_STUFF_MAX(len) + 6);
	size_t n = 0;
	smtp_stuffing st;
	smtp_stuffing_init(&st);
	if (chunk == 0) {
		chunk = len ? len : 1;
	}
	for (size_t at = 0; at < len; at += chunk) {
		size_t take = len - at < chunk ? len - at : chunk;
		n += smtp_stuff(&st, text + at, take, out + n);
	}
	n += smtp_stuff_end(&st, out + n);
	out[n] = 0;
	return out;
}

/* The same result for every chunk size from 1 to the whole. */
static void check(const char *name, const char *text, const char *want)
{
	size_t len = strlen(text);
	bool all = true;
	for (size_t chunk = 0; chunk <= len; chunk++) {
		char *got = stuff_all(text, chunk);
		if (strcmp(got, want) != 0) {
			tap_diag("%s, chunks of %zu: got \"%s\"", name, chunk, got);
			all = false;
		}
		free(got);
	}
	tap_ok(all, name);
}

int main(void)
{
	check("plain text gets . CRLF", "a\r\nb\r\n", "a\r\nb\r\n.\r\n");
	check("a missing final CRLF is added", "a\r\nb", "a\r\nb\r\n.\r\n");
	check("an empty message is just the dot", "", ".\r\n");
	check("a leading dot is doubled", ".hidden\r\n", "..hidden\r\n.\r\n");
	check("a lone dot line is doubled", "a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n");
	check("dots inside lines stay", "a.b\r\n x.\r\n", "a.b\r\n x.\r\n.\r\n");
	check("every line-leading dot", ".\r\n..\r\n...", "..\r\n...\r\n....\r\n.\r\n");
	check("a message of one dot", ".", "..\r\n.\r\n");
	check("a CR alone does not end the message properly", "a\r", "a\r\r\n.\r\n");
	check("a final LF alone is not CRLF", "a\n", "a\n\r\n.\r\n");

	/* the bound holds in the worst case: every other byte a line-leading dot */
	char worst[4001];
	for (int i = 0; i < 4000; i++) {
		worst[i] = i % 2 ? '.' : '\n';
	}
	worst[4000] = 0;
	char *out = malloc(SMTP_STUFF_MAX(4000));
	smtp_stuffing st;
	smtp_stuffing_init(&st);
	size_t n = smtp_stuff(&st, worst, 4000, out);
	tap_ok(n == 6000 && n <= SMTP_STUFF_MAX(4000), "worst case stays within SMTP_STUFF_MAX");
	free(out);
	return tap_done();
}
