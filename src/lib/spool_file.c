#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include "spool_file.h"
#include "address.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void set_err(char *err, size_t err_len, const char *what, const char *path, int errnum)
{
	if (err && err_len) {
		snprintf(err, err_len, "%s %s: %s", what, path, errnum ? strerror(errnum) : "invalid");
	}
}

static int make_dir(const char *path, char *err, size_t err_len)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST) {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			return 0;
		}
		set_err(err, err_len, "not a directory:", path, ENOTDIR);
		return -1;
	}
	set_err(err, err_len, "cannot create", path, errno);
	return -1;
}

static const char *const spool_areas[] = {"tmp", "queue", "failed"};

int smtp_spool_dirs_make(const char *dir, char *err, size_t err_len)
{
	char path[4096];
	/* a directory someone else made or opened up is refused before anything
	 * is written into it */
	if (smtp_spool_dirs_check(dir, err, err_len) != 0 || make_dir(dir, err, err_len) != 0) {
		return -1;
	}
	for (size_t i = 0; i < sizeof(spool_areas) / sizeof(spool_areas[0]); i++) {
		if ((size_t) snprintf(path, sizeof(path), "%s/%s", dir, spool_areas[i]) >= sizeof(path)) {
			set_err(err, err_len, "path too long:", dir, ENAMETOOLONG);
			return -1;
		}
		if (make_dir(path, err, err_len) != 0) {
			return -1;
		}
	}
	return smtp_spool_dirs_check(dir, err, err_len);
}

/* One directory of the spool: ours alone, or the reason it is not. A path
 * that does not exist passes (it is made 0700 when needed). */
static int check_private_dir(const char *path, bool follow, char *err, size_t err_len)
{
	struct stat st;
	if ((follow ? stat(path, &st) : lstat(path, &st)) != 0) {
		if (errno == ENOENT) {
			return 0;
		}
		set_err(err, err_len, "cannot examine the spool directory", path, errno);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		set_err(err, err_len, "not a directory:", path, ENOTDIR);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		if (err && err_len) {
			snprintf(err, err_len,
			         "the spool directory %s belongs to uid %lu, not to this process's user (uid %lu): another user "
			         "could read the queued mail and add messages to it",
			         path, (unsigned long) st.st_uid, (unsigned long) geteuid());
		}
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		if (err && err_len) {
			snprintf(err, err_len,
			         "the spool directory %s is writable by its group or by others (mode %04o): another local user "
			         "could read the queued mail and add messages that go out with this site's credentials; "
			         "make it private (chmod 700)",
			         path, (unsigned) (st.st_mode & 07777));
		}
		return -1;
	}
	return 0;
}

int smtp_spool_dirs_check(const char *dir, char *err, size_t err_len)
{
	char path[4096];
	if (check_private_dir(dir, true, err, err_len) != 0) {
		return -1;
	}
	for (size_t i = 0; i < sizeof(spool_areas) / sizeof(spool_areas[0]); i++) {
		if ((size_t) snprintf(path, sizeof(path), "%s/%s", dir, spool_areas[i]) >= sizeof(path)) {
			set_err(err, err_len, "path too long:", dir, ENAMETOOLONG);
			return -1;
		}
		if (check_private_dir(path, false, err, err_len) != 0) {
			return -1;
		}
	}
	return 0;
}

void smtp_spool_new_name(char name[SMTP_SPOOL_NAME_MAX], int64_t now)
{
	/* time first so a directory listing sorts oldest first; pid and random
	 * bytes so two processes (or two messages in one second) never collide */
	unsigned char random_bytes[8] = {0};
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, random_bytes, sizeof(random_bytes)) != (ssize_t) sizeof(random_bytes)) {
			memset(random_bytes, 0, sizeof(random_bytes));
		}
		close(fd);
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t mix = (uint64_t) ts.tv_nsec;
	for (size_t i = 0; i < sizeof(random_bytes); i++) {
		mix = (mix << 8 | mix >> 56) ^ random_bytes[i];
	}
	/* the nanoseconds keep one process's messages in the order they were queued */
	snprintf(name, SMTP_SPOOL_NAME_MAX, "%010" PRId64 "-%09ld-%d-%016" PRIx64 ".msg", now, (long) ts.tv_nsec,
	         (int) getpid(), mix);
}

bool smtp_spool_name_valid(const char *name)
{
	size_t len = strlen(name);
	if (len < 5 || len >= SMTP_SPOOL_NAME_MAX || name[0] == '.' || strcmp(name + len - 4, ".msg") != 0) {
		return false;
	}
	for (size_t i = 0; i < len - 4; i++) {
		char c = name[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-')) {
			return false;
		}
	}
	return true;
}

int smtp_spool_sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		return -1;
	}
	int rc = fsync(fd);
	close(fd);
	return rc;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		data += n;
		len -= (size_t) n;
	}
	return 0;
}

char *smtp_spool_meta_format(const smtp_spool_meta *meta, size_t *len)
{
	size_t cap = 256 + strlen(meta->from) + strlen(meta->last_error ? meta->last_error : "");
	for (size_t i = 0; i < meta->recipient_count; i++) {
		cap += strlen(meta->recipients[i]) + 6;
	}
	char *out = malloc(cap);
	if (!out) {
		return NULL;
	}
	size_t pos = (size_t) snprintf(out, cap, SMTP_SPOOL_MAGIC "\nfrom %s\n", meta->from);
	for (size_t i = 0; i < meta->recipient_count; i++) {
		pos += (size_t) snprintf(out + pos, cap - pos, "rcpt %s\n", meta->recipients[i]);
	}
	pos += (size_t) snprintf(out + pos, cap - pos,
	                         "smtputf8 %d\nqueued %" PRId64 "\nattempts %" PRIu32 "\nnext %" PRId64 "\nerror %s\n\n",
	                         meta->smtputf8 ? 1 : 0, meta->queued_at, meta->attempts, meta->next_try,
	                         meta->last_error ? meta->last_error : "");
	*len = pos;
	return out;
}

int smtp_spool_store(const char *dir, const char *area, const char *name, const smtp_spool_meta *meta,
                     const smtp_source *body, char *err, size_t err_len)
{
	char tmp_path[4096], final_path[4096], area_path[4096];
	if ((size_t) snprintf(tmp_path, sizeof(tmp_path), "%s/tmp/%s", dir, name) >= sizeof(tmp_path) ||
	    (size_t) snprintf(final_path, sizeof(final_path), "%s/%s/%s", dir, area, name) >= sizeof(final_path) ||
	    (size_t) snprintf(area_path, sizeof(area_path), "%s/%s", dir, area) >= sizeof(area_path)) {
		set_err(err, err_len, "path too long:", dir, ENAMETOOLONG);
		return -1;
	}
	size_t header_len = 0;
	char *header = smtp_spool_meta_format(meta, &header_len);
	if (!header) {
		set_err(err, err_len, "out of memory writing", tmp_path, ENOMEM);
		return -1;
	}
	/* a file of this name in tmp/ can only be left from a crash mid-write */
	unlink(tmp_path);
	int fd = open(tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		set_err(err, err_len, "cannot create", tmp_path, errno);
		free(header);
		return -1;
	}
	int rc = write_all(fd, header, header_len);
	free(header);
	if (rc != 0) {
		set_err(err, err_len, "cannot write", tmp_path, errno);
		goto fail;
	}
	char chunk[16384];
	for (;;) {
		ssize_t n = smtp_source_read(body, chunk, sizeof(chunk));
		if (n < 0) {
			if (err && err_len) {
				snprintf(err, err_len, "cannot read the message: %s", smtp_source_error(body));
			}
			goto fail;
		}
		if (n == 0) {
			break;
		}
		if (write_all(fd, chunk, (size_t) n) != 0) {
			set_err(err, err_len, "cannot write", tmp_path, errno);
			goto fail;
		}
	}
	/* the bytes must be on disk before the name says the file is complete */
	if (fsync(fd) != 0) {
		set_err(err, err_len, "cannot fsync", tmp_path, errno);
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		set_err(err, err_len, "cannot close", tmp_path, errno);
		goto fail;
	}
	fd = -1;
	if (rename(tmp_path, final_path) != 0) {
		set_err(err, err_len, "cannot rename into", final_path, errno);
		goto fail;
	}
	if (smtp_spool_sync_dir(area_path) != 0) {
		/* the file is complete and named; only its durability across a power
		 * loss is in doubt, and removing it now would lose the message */
		set_err(err, err_len, "cannot fsync", area_path, errno);
	}
	return 0;

fail:
	if (fd >= 0) {
		close(fd);
	}
	unlink(tmp_path);
	return -1;
}

void smtp_spool_meta_free(smtp_spool_meta *meta)
{
	free(meta->from);
	for (size_t i = 0; i < meta->recipient_count; i++) {
		free(meta->recipients[i]);
	}
	free(meta->recipients);
	free(meta->last_error);
	memset(meta, 0, sizeof(*meta));
}

int smtp_spool_meta_set_error(smtp_spool_meta *meta, const char *text)
{
	char *copy = strdup(text ? text : "");
	if (!copy) {
		return -1;
	}
	for (char *p = copy; *p; p++) {
		if (*p == '\r' || *p == '\n') {
			*p = ' ';
		}
	}
	free(meta->last_error);
	meta->last_error = copy;
	return 0;
}

/* Plain decimal digits (no sign, no spaces), at most max. Never overflows. */
static bool parse_bounded(const char *text, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (!*text) {
		return false;
	}
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9') {
			return false;
		}
		unsigned digit = (unsigned) (*p - '0');
		if (v > max / 10 || (v == max / 10 && digit > max % 10)) {
			return false;
		}
		v = v * 10 + digit;
	}
	*out = v;
	return true;
}

/* Which keys a header has had: each may appear once (rcpt as often as needed). */
enum {
	SEEN_FROM = 1 << 0,
	SEEN_SMTPUTF8 = 1 << 1,
	SEEN_QUEUED = 1 << 2,
	SEEN_ATTEMPTS = 1 << 3,
	SEEN_NEXT = 1 << 4,
	SEEN_ERROR = 1 << 5,
};

static bool first_time(unsigned *seen, unsigned key)
{
	if (*seen & key) {
		return false;
	}
	*seen |= key;
	return true;
}

/* One header line (without its LF) into meta. */
static int parse_line(smtp_spool_meta *meta, char *line, unsigned *seen)
{
	char *space = strchr(line, ' ');
	if (!space) {
		return -1;
	}
	*space = '\0';
	const char *key = line, *value = space + 1;
	uint64_t number;
	if (strcmp(key, "from") == 0) {
		return first_time(seen, SEEN_FROM) && (meta->from = strdup(value)) ? 0 : -1;
	}
	if (strcmp(key, "rcpt") == 0) {
		char **grown = realloc(meta->recipients, (meta->recipient_count + 1) * sizeof(char *));
		if (!grown) {
			return -1;
		}
		meta->recipients = grown;
		if (!(grown[meta->recipient_count] = strdup(value))) {
			return -1;
		}
		meta->recipient_count++;
		return 0;
	}
	if (strcmp(key, "error") == 0) {
		return first_time(seen, SEEN_ERROR) && (meta->last_error = strdup(value)) ? 0 : -1;
	}
	if (strcmp(key, "smtputf8") == 0) {
		if (!first_time(seen, SEEN_SMTPUTF8) || !parse_bounded(value, 1, &number)) {
			return -1;
		}
		meta->smtputf8 = number == 1;
	} else if (strcmp(key, "queued") == 0) {
		if (!first_time(seen, SEEN_QUEUED) || !parse_bounded(value, (uint64_t) SMTP_SPOOL_MAX_TIME, &number)) {
			return -1;
		}
		meta->queued_at = (int64_t) number;
	} else if (strcmp(key, "attempts") == 0) {
		if (!first_time(seen, SEEN_ATTEMPTS) || !parse_bounded(value, SMTP_SPOOL_MAX_ATTEMPTS, &number)) {
			return -1;
		}
		meta->attempts = (uint32_t) number;
	} else if (strcmp(key, "next") == 0) {
		if (!first_time(seen, SEEN_NEXT) || !parse_bounded(value, (uint64_t) SMTP_SPOOL_MAX_TIME, &number)) {
			return -1;
		}
		meta->next_try = (int64_t) number;
	}
	/* an unknown key is skipped: a newer writer may add some */
	return 0;
}

/* A copy of an untrusted value fit for a message: at most 80 bytes, control
 * characters shown as '?'. */
static void printable(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	for (const char *p = in; *p && o + 4 < cap && o < 80; p++) {
		unsigned char c = (unsigned char) *p;
		out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char) c;
	}
	if (*in && strlen(in) > o) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* Validates one address in place (replaced by its normalized form). */
static int check_address(char **address, bool *utf8, const char *what, char *err, size_t err_len)
{
	char why[128] = "", *normalized = NULL, shown[96];
	bool utf8_local = false;
	if (smtp_address_normalize(*address, strlen(*address), &normalized, &utf8_local, why, sizeof(why)) != 0 ||
	    !normalized) {
		printable(*address, shown, sizeof(shown));
		snprintf(err, err_len, "invalid %s address in the spool file (%s): \"%s\"", what, why[0] ? why : "invalid",
		         shown);
		smtp_address_free(normalized);
		return -1;
	}
	free(*address);
	*address = normalized;
	*utf8 |= utf8_local;
	return 0;
}

int smtp_spool_meta_check_envelope(smtp_spool_meta *meta, char *err, size_t err_len)
{
	bool utf8 = false;
	if (!meta->from || meta->recipient_count == 0) {
		snprintf(err, err_len, "spool header without %s", !meta->from ? "sender" : "recipients");
		return -1;
	}
	if (meta->from[0] && check_address(&meta->from, &utf8, "sender", err, err_len) != 0) {
		return -1;
	}
	for (size_t i = 0; i < meta->recipient_count; i++) {
		if (check_address(&meta->recipients[i], &utf8, "recipient", err, err_len) != 0) {
			return -1;
		}
	}
	meta->smtputf8 |= utf8;
	return 0;
}

int smtp_spool_meta_read(int fd, smtp_spool_meta *meta, off_t *body_offset, char *err, size_t err_len)
{
	memset(meta, 0, sizeof(*meta));
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap + 1);
	char *end = NULL;
	if (!buf) {
		goto oom;
	}
	/* read until the empty line that ends the header */
	while (!end) {
		if (len == cap) {
			if (cap >= SMTP_SPOOL_MAX_HEADER) {
				snprintf(err, err_len, "spool header too long");
				goto fail;
			}
			char *grown = realloc(buf, cap * 2 + 1);
			if (!grown) {
				goto oom;
			}
			buf = grown;
			cap *= 2;
		}
		ssize_t n = pread(fd, buf + len, cap - len, (off_t) len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			snprintf(err, err_len, n < 0 ? "cannot read the spool file: %s" : "truncated spool header%s",
			         n < 0 ? strerror(errno) : "");
			goto fail;
		}
		size_t from = len > 0 ? len - 1 : 0;
		len += (size_t) n;
		buf[len] = '\0';
		end = memmem(buf + from, len - from, "\n\n", 2);
	}
	*end = '\0';
	*body_offset = (off_t) (end - buf) + 2;
	if (memchr(buf, '\0', (size_t) (end - buf)) != NULL) {
		/* the lines below are C strings: a NUL would cut one short unseen */
		snprintf(err, err_len, "NUL byte in the spool header");
		goto fail;
	}
	unsigned seen = 0;

	char *line = buf;
	size_t magic_len = sizeof(SMTP_SPOOL_MAGIC) - 1;
	if (strncmp(line, SMTP_SPOOL_MAGIC, magic_len) != 0 || (line[magic_len] != '\n' && line[magic_len] != '\0')) {
		snprintf(err, err_len, "not a php-smtp spool file");
		goto fail;
	}
	line += magic_len; /* at the LF that ends the magic line, or the end */
	while (*line == '\n') {
		line++;
		char *eol = strchr(line, '\n');
		if (eol) {
			*eol = '\0';
		}
		size_t line_len = strlen(line);
		if (*line && parse_line(meta, line, &seen) != 0) {
			/* parse_line cut the line at its first space: whole again for the message */
			size_t key_len = strlen(line);
			if (key_len < line_len) {
				line[key_len] = ' ';
			}
			snprintf(err, err_len, "bad spool header line \"%.40s\"", line);
			goto fail;
		}
		if (!eol) {
			break;
		}
		*eol = '\n';
		line = eol;
	}
	if (!meta->from || meta->recipient_count == 0) {
		snprintf(err, err_len, "spool header without %s", !meta->from ? "sender" : "recipients");
		goto fail;
	}
	if (!meta->last_error && !(meta->last_error = strdup(""))) {
		goto oom;
	}
	free(buf);
	return 0;

oom:
	snprintf(err, err_len, "out of memory");
fail:
	free(buf);
	smtp_spool_meta_free(meta);
	return -1;
}

int64_t smtp_spool_backoff(uint32_t attempts, int64_t min_delay, int64_t max_delay)
{
	int64_t delay = min_delay > 0 ? min_delay : 1;
	for (uint32_t i = 1; i < attempts && delay < max_delay; i++) {
		delay *= 2;
	}
	return delay > max_delay ? max_delay : delay;
}

int smtp_spool_open_locked(const char *dir, const char *name, bool *busy)
{
	char path[4096];
	*busy = false;
	if ((size_t) snprintf(path, sizeof(path), "%s/queue/%s", dir, name) >= sizeof(path)) {
		return -1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		*busy = errno == EWOULDBLOCK;
		close(fd);
		return -1;
	}
	/* Between our open() and flock() another flusher may have sent the
	 * message and unlinked it, or rewritten it under the same name: only the
	 * file the name points at now, locked by us, may be sent. */
	struct stat held, named;
	if (fstat(fd, &held) != 0 || stat(path, &named) != 0 || held.st_ino != named.st_ino ||
	    held.st_dev != named.st_dev || held.st_nlink == 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- the body as a source ---- */

static ssize_t body_read(void *ctx, char *buf, size_t cap)
{
	smtp_spool_body *b = ctx;
	for (;;) {
		ssize_t n = read(b->fd, buf, cap);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			snprintf(b->error, sizeof(b->error), "cannot read the spool file: %s", strerror(errno));
		}
		return n;
	}
}

static int body_rewind(void *ctx)
{
	smtp_spool_body *b = ctx;
	if (lseek(b->fd, b->body_offset, SEEK_SET) < 0) {
		snprintf(b->error, sizeof(b->error), "cannot seek in the spool file: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static const char *body_error(void *ctx)
{
	return ((smtp_spool_body *) ctx)->error;
}

void smtp_spool_body_init(smtp_spool_body *b, int fd, off_t body_offset)
{
	b->fd = fd;
	b->body_offset = body_offset;
	b->error[0] = '\0';
	lseek(fd, body_offset, SEEK_SET);
}

smtp_source smtp_spool_body_as_source(smtp_spool_body *b)
{
	smtp_source s = {body_read, body_rewind, body_error, b};
	return s;
}
