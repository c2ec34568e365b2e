/*
 * The spool file header parser (src/lib/spool_file.c): a spool file may be
 * truncated by a crash, damaged on disk or planted by another local user.
 * The input is the whole file (given to the parser through a memfd).
 * Invariants on success: a sender and at least one recipient, no LF inside
 * any value, the body offset just past the first empty line; and the parsed
 * meta formatted and parsed again gives the same meta (a stable round trip).
 */
#include "fuzz_util.h"
#include "spool_file.h"

#include <sys/mman.h>
#include <unistd.h>

static int memfd_with(const char *data, size_t len)
{
	int fd = memfd_create("spool", MFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0, "memfd_create failed");
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		FUZZ_CHECK(n > 0, "write to memfd failed");
		done += (size_t) n;
	}
	return fd;
}

static void check_value(const char *s)
{
	FUZZ_CHECK(s != NULL && strchr(s, '\n') == NULL, "a value holds a line break");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536) {
		return 0;
	}
	int fd = memfd_with((const char *) data, size);
	smtp_spool_meta meta;
	off_t body = -1;
	char err[200];
	int rc = smtp_spool_meta_read(fd, &meta, &body, err, sizeof(err));
	close(fd);
	FUZZ_CHECK(strlen(err) < sizeof(err) || rc == 0, "err not terminated");
	if (rc != 0) {
		/* a failed parse leaves nothing to free */
		FUZZ_CHECK(meta.from == NULL && meta.recipients == NULL && meta.last_error == NULL, "meta left filled");
		return 0;
	}
	FUZZ_CHECK(body >= 2 && (size_t) body <= size && data[body - 1] == '\n' && data[body - 2] == '\n',
	           "body offset %lld not after an empty line", (long long) body);
	FUZZ_CHECK(memmem(data, (size_t) body, "\n\n", 2) == data + body - 2, "body offset not at the first empty line");
	check_value(meta.from);
	check_value(meta.last_error);
	FUZZ_CHECK(meta.recipient_count > 0, "no recipients");
	for (size_t i = 0; i < meta.recipient_count; i++) {
		check_value(meta.recipients[i]);
	}

	size_t text_len;
	char *text = smtp_spool_meta_format(&meta, &text_len);
	FUZZ_CHECK(text != NULL && strlen(text) == text_len, "format failed");
	fd = memfd_with(text, text_len);
	smtp_spool_meta again;
	off_t body_again;
	FUZZ_CHECK(smtp_spool_meta_read(fd, &again, &body_again, err, sizeof(err)) == 0, "own format refused: %s", err);
	close(fd);
	FUZZ_CHECK((size_t) body_again == text_len, "formatted header has a different length");
	FUZZ_CHECK(strcmp(meta.from, again.from) == 0 && strcmp(meta.last_error, again.last_error) == 0, "strings differ");
	FUZZ_CHECK(meta.recipient_count == again.recipient_count, "recipient counts differ");
	for (size_t i = 0; i < meta.recipient_count; i++) {
		FUZZ_CHECK(strcmp(meta.recipients[i], again.recipients[i]) == 0, "recipient %zu differs", i);
	}
	FUZZ_CHECK(meta.smtputf8 == again.smtputf8 && meta.queued_at == again.queued_at &&
	               meta.attempts == again.attempts && meta.next_try == again.next_try,
	           "numbers differ");

	free(text);
	smtp_spool_meta_free(&again);
	smtp_spool_meta_free(&meta);
	return 0;
}
