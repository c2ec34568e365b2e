/* Unit tests for src/lib/spool_file.c (the strict header, the envelope check,
 * the private-directory check) and smtp_crlf_stream in src/lib/source.c. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool_file.h"
#include "source.h"
#include "tap.h"

static int memfd_with(const char *text)
{
	int fd = memfd_create("spool", 0);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text)) {
		abort();
	}
	return fd;
}

/* Parses a header made of the usual lines with `line` added; 0 or -1. */
static int parse_with(const char *line, smtp_spool_meta *meta, char *err, size_t err_len)
{
	char text[512];
	snprintf(text, sizeof(text), "php-smtp-spool 1\nfrom a@x.test\nrcpt b@y.test\n%s\n\nbody", line);
	int fd = memfd_with(text);
	off_t body;
	int rc = smtp_spool_meta_read(fd, meta, &body, err, err_len);
	close(fd);
	return rc;
}

static void header(const char *name, const char *line, bool accepted)
{
	smtp_spool_meta meta;
	char err[200] = "";
	int rc = parse_with(line, &meta, err, sizeof(err));
	if (!tap_ok((rc == 0) == accepted, name)) {
		tap_diag("\"%s\": rc %d, %s", line, rc, err);
	}
	if (rc == 0) {
		smtp_spool_meta_free(&meta);
	}
}

static void envelope(const char *name, const char *from, const char *rcpt, bool accepted, const char *want_rcpt)
{
	smtp_spool_meta meta = {0};
	meta.from = strdup(from);
	meta.recipients = malloc(sizeof(char *));
	meta.recipients[0] = strdup(rcpt);
	meta.recipient_count = 1;
	meta.last_error = strdup("");
	char err[200] = "";
	int rc = smtp_spool_meta_check_envelope(&meta, err, sizeof(err));
	bool ok = (rc == 0) == accepted && (!want_rcpt || (rc == 0 && strcmp(meta.recipients[0], want_rcpt) == 0));
	if (!tap_ok(ok, name)) {
		tap_diag("rc %d, %s, rcpt now \"%s\"", rc, err, meta.recipients[0]);
	}
	smtp_spool_meta_free(&meta);
}

typedef struct {
	const char *data;
	size_t len, pos, step;
} chunky;

static ssize_t chunky_read(void *ctx, char *buf, size_t cap)
{
	chunky *c = ctx;
	size_t n = c->len - c->pos;
	n = n < cap ? n : cap;
	n = n < c->step ? n : c->step;
	memcpy(buf, c->data + c->pos, n);
	c->pos += n;
	return (ssize_t) n;
}

static int chunky_rewind(void *ctx)
{
	((chunky *) ctx)->pos = 0;
	return 0;
}

/* smtp_crlf_stream gives text's CRLF form for every chunking of its input and output. */
static void stream(const char *name, const char *text, const char *want)
{
	bool ok = true;
	for (size_t step = 1; step <= 9 && ok; step++) {
		for (size_t cap = 1; cap <= 9 && ok; cap++) {
			chunky c = {text, strlen(text), 0, step};
			smtp_source inner = {chunky_read, chunky_rewind, NULL, &c};
			smtp_crlf_stream st;
			smtp_crlf_stream_init(&st, &inner);
			smtp_source s = smtp_crlf_stream_as_source(&st);
			for (int pass = 0; pass < 2 && ok; pass++) {
				char out[256];
				size_t n = 0;
				ssize_t got;
				while ((got = smtp_source_read(&s, out + n, cap)) > 0) {
					n += (size_t) got;
				}
				ok = n == strlen(want) && memcmp(out, want, n) == 0;
				smtp_source_rewind(&s);
			}
		}
	}
	tap_ok(ok, name);
}

static void directory(const char *name, mode_t mode, const char *sub, mode_t sub_mode, bool accepted)
{
	char dir[] = "/tmp/smtp-spool-unit-XXXXXX", path[256], err[300] = "";
	if (!mkdtemp(dir)) {
		abort();
	}
	chmod(dir, mode);
	if (sub) {
		snprintf(path, sizeof(path), "%s/%s", dir, sub);
		mkdir(path, 0700);
		chmod(path, sub_mode);
	}
	int rc = smtp_spool_dirs_check(dir, err, sizeof(err));
	if (!tap_ok((rc == 0) == accepted, name)) {
		tap_diag("rc %d: %s", rc, err);
	}
	if (sub) {
		rmdir(path);
	}
	rmdir(dir);
}

int main(void)
{
	header("plain numbers in bounds", "queued 1700000000\nattempts 3\nnext 253402300799\nsmtputf8 1", true);
	header("a negative time", "queued -1", false);
	header("INT64_MIN (now - queued would overflow)", "queued -9223372036854775808", false);
	header("past year 9999", "next 253402300800", false);
	header("20 digits", "queued 99999999999999999999", false);
	header("attempts past the bound", "attempts 1000001", false);
	header("attempts that would wrap a uint32", "attempts 4294967297", false);
	header("a sign", "next +5", false);
	header("a space inside", "next 5 ", false);
	header("smtputf8 other than 0 or 1", "smtputf8 7", false);
	header("a key given twice", "queued 1\nqueued 2", false);
	header("a second sender", "from c@x.test", false);
	header("rcpt may repeat", "rcpt c@y.test", true);
	header("an unknown key is skipped", "future 1", true);

	envelope("a plain envelope", "a@x.test", "b@y.test", true, "b@y.test");
	envelope("the null sender", "", "b@y.test", true, NULL);
	envelope("CR in a recipient", "a@x.test", "b@y.test\rRSET", false, NULL);
	envelope("parameters after a recipient", "a@x.test", "b@y.test> NOTIFY=SUCCESS", false, NULL);
	envelope("parameters after the sender", "a@x.test> SIZE=1", "b@y.test", false, NULL);
	envelope("two addresses in one", "a@x.test", "b@y.test c@y.test", false, NULL);
	envelope("angle brackets", "a@x.test", "<b@y.test>", false, NULL);
	envelope("too long for a command", "a@x.test",
	         "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee@"
	         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb."
	         "cccccccccccccccccccccccccccccccccccccccccccccccc.dddddddddddddddddddddddddddddddddddddddddddddddd.test",
	         false, NULL);
	envelope("an IDN domain becomes A-labels", "a@x.test", "b@b\xc3\xbc" "cher.test", true, "b@xn--bcher-kva.test");

	stream("CRLF text unchanged", "a\r\nb\r\n", "a\r\nb\r\n");
	stream("bare LF and bare CR become CRLF", "a\nb\rc", "a\r\nb\r\nc\r\n");
	stream("LF . LF cannot end DATA", "x\n.\ny\n", "x\r\n.\r\ny\r\n");
	stream("CR CR LF", "a\r\r\nb", "a\r\n\r\nb\r\n");
	stream("empty gets one CRLF", "", "\r\n");

	directory("0700 is private", 0700, NULL, 0, true);
	directory("0755 is private (not writable by others)", 0755, NULL, 0, true);
	directory("0777 is not", 0777, NULL, 0, false);
	directory("0770 is not", 0770, NULL, 0, false);
	directory("a group-writable queue/ is not", 0700, "queue", 0770, false);
	tap_ok(smtp_spool_dirs_check("/nonexistent/spool/dir", NULL, 0) == 0, "a directory not made yet passes");
	return tap_done();
}
