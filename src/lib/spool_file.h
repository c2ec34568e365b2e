/*
 * The spool's on-disk format and its crash-safe file operations.
 *
 * A spool directory holds tmp/, queue/ and failed/. Each message is one
 * file: a short text header (the envelope and the retry state), an empty
 * line, then the message bytes exactly as they go after DATA (CRLF lines,
 * not dot-stuffed):
 *
 *   php-smtp-spool 1
 *   from <sender, may be empty>
 *   rcpt <recipient>           (one line each)
 *   smtputf8 0|1
 *   queued <unix time first queued>
 *   attempts <tries so far>
 *   next <unix time of the next try>
 *   error <the last failure, one line>
 *   <empty line>
 *   <message bytes>
 *
 * A file is written in tmp/, fsync'd, renamed into queue/ (or failed/), and
 * that directory fsync'd: only complete files ever appear in queue/, so a
 * crash leaves at most a stray file in tmp/, which nothing reads.
 *
 * Pure C, no php.h: it can be unit-tested and fuzzed alone. Every allocating
 * function has a matching free.
 */
#ifndef SMTP_LIB_SPOOL_FILE_H
#define SMTP_LIB_SPOOL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "source.h"

#define SMTP_SPOOL_MAGIC "php-smtp-spool 1"
/* A header bigger than this is not ours (or is damaged). */
#define SMTP_SPOOL_MAX_HEADER (4u * 1024u * 1024u)
#define SMTP_SPOOL_NAME_MAX 96
/* A header's numbers are checked against these (a file may be planted or
 * damaged): times (queued, next) from 0 to the end of year 9999, so adding
 * or subtracting one never overflows; attempts at most this many. */
#define SMTP_SPOOL_MAX_TIME INT64_C(253402300799)
#define SMTP_SPOOL_MAX_ATTEMPTS UINT32_C(1000000)

typedef struct {
	char *from;          /* "" for the null reverse-path */
	char **recipients;
	size_t recipient_count;
	bool smtputf8;
	int64_t queued_at;
	uint32_t attempts;
	int64_t next_try;
	char *last_error;    /* "" when none */
} smtp_spool_meta;

/* Makes dir and dir/{tmp,queue,failed} (0700) as needed, then checks them
 * with smtp_spool_dirs_check. Returns 0, or -1 with err filled. */
int smtp_spool_dirs_make(const char *dir, char *err, size_t err_len);

/* A spool must be private: dir and those of dir/{tmp,queue,failed} that
 * exist must be directories owned by the effective user and not writable by
 * group or others, or another local user could read queued mail and queue
 * messages of their own to go out with this site's credentials and DKIM key.
 * Returns 0 (also when dir does not exist yet: it will be made 0700), or -1
 * with the reason in err. */
int smtp_spool_dirs_check(const char *dir, char *err, size_t err_len);

/* A new unique file name ("<time>-<nanoseconds>-<pid>-<random>.msg"), sorting by time. */
void smtp_spool_new_name(char name[SMTP_SPOOL_NAME_MAX], int64_t now);

/* True for a name smtp_spool_new_name could have made (so stray files are left alone). */
bool smtp_spool_name_valid(const char *name);

/* Writes meta then every byte of body into dir/tmp/name, fsyncs it, renames it
 * to dir/<area>/name ("queue" or "failed") and fsyncs that directory. body is
 * read from where it stands (rewind it first). On failure nothing is left in
 * area (the temporary file is removed). Returns 0 or -1 with err filled. */
int smtp_spool_store(const char *dir, const char *area, const char *name, const smtp_spool_meta *meta,
                     const smtp_source *body, char *err, size_t err_len);

/* Parses the header at the start of fd. On success fills meta (free it with
 * smtp_spool_meta_free) and *body_offset. Strict: a NUL in the header, a
 * key given twice, or a number that is not plain decimal digits within the
 * bounds above fails it. Returns 0, or -1 with err filled. */
int smtp_spool_meta_read(int fd, smtp_spool_meta *meta, off_t *body_offset, char *err, size_t err_len);

/* Checks the envelope meta_read gave as strictly as a send checks its own
 * (smtp_address_normalize: no CR, LF, spaces, angle brackets or SMTP
 * parameters can hide in it, and no address is too long for a command),
 * replaces each address with its normalized form and sets smtputf8 when a
 * local part needs it. The sender may be empty (the null reverse-path).
 * Returns 0, or -1 with the reason (naming the address, made printable). */
int smtp_spool_meta_check_envelope(smtp_spool_meta *meta, char *err, size_t err_len);

/* The header text for meta (malloc'd, free()), or NULL when out of memory. */
char *smtp_spool_meta_format(const smtp_spool_meta *meta, size_t *len);

/* Sets meta->last_error to a one-line copy of text (CR, LF and NUL become spaces). */
int smtp_spool_meta_set_error(smtp_spool_meta *meta, const char *text);

void smtp_spool_meta_free(smtp_spool_meta *meta);

/* Seconds to wait after the attempts-th failed try: min_delay doubled for
 * each earlier try, never more than max_delay. */
int64_t smtp_spool_backoff(uint32_t attempts, int64_t min_delay, int64_t max_delay);

/* Opens dir/queue/name and takes an exclusive, non-blocking lock on it.
 * Returns the fd; -1 when it is gone or another process holds it (*busy set
 * true for the latter). The lock is checked against the name: a file another
 * flusher already sent and unlinked, or replaced, is reported as gone. */
int smtp_spool_open_locked(const char *dir, const char *name, bool *busy);

/* fsyncs a directory so a rename or unlink in it is durable. */
int smtp_spool_sync_dir(const char *path);

/* The bytes of a spooled message, from body_offset of an open file to its end. */
typedef struct {
	int fd;
	off_t body_offset;
	char error[160];
} smtp_spool_body;

void smtp_spool_body_init(smtp_spool_body *b, int fd, off_t body_offset);
smtp_source smtp_spool_body_as_source(smtp_spool_body *b);

#endif
