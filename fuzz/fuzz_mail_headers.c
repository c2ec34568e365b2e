/*
 * mail()'s header scanner and address-list parser (src/lib/mail_headers.c):
 * what a contact form's fields become in the envelope and in the data.
 *
 * The input is To, Subject, the additional headers and the fifth argument,
 * separated by 0x1E (any byte may appear inside them, NUL and CR included).
 * It goes through the same steps as smtp_send_mail() in src/smtp_mail.c, both
 * with PHP's additional_headers check (mail()) and without it (a message
 * captured from mb_send_mail()), and checks:
 *   - every envelope address (To, Cc, Bcc, the -f sender) is a valid addr-spec:
 *     smtp_address_normalize() accepts it and gives it back unchanged, and it
 *     holds no CR, LF or NUL;
 *   - no NUL, bare CR or bare LF in the data's header block, no empty line in
 *     it (that would end the block), To and Subject fold only with CRLF + WSP;
 *   - Bcc never reaches the data: split the block the way the wire does (each
 *     CR, LF or CRLF ends a line), no line is a Bcc field;
 *   - deterministic and stable: a second scan of the same input gives the same
 *     result, and a scan of the block it kept gives that block back, with the
 *     Cc addresses and nothing of the Bcc ones. (The API takes whole strings,
 *     so "split anywhere" is this: the result depends on the bytes only.)
 */
#include "fuzz_util.h"
#include "address.h"
#include "mail_headers.h"

#include <strings.h>

typedef struct {
	char *text; /* addresses, each followed by '\n' */
	size_t len, cap;
	size_t count;
} addresses;

static void collect(void *ctx, const char *address, size_t len, bool utf8_local)
{
	addresses *a = ctx;
	FUZZ_CHECK(strlen(address) == len, "length and NUL disagree");
	FUZZ_CHECK(memchr(address, '\r', len) == NULL && memchr(address, '\n', len) == NULL, "CR or LF in %s", address);
	char *again = NULL, err[160];
	bool utf8_again = false;
	FUZZ_CHECK(smtp_address_normalize(address, len, &again, &utf8_again, err, sizeof(err)) == 0,
	           "an address handed out is not a valid addr-spec: %s (%s)", address, err);
	FUZZ_CHECK(strcmp(again, address) == 0 && utf8_again == utf8_local, "not normalized: %s -> %s", address, again);
	smtp_address_free(again);
	if (a->len + len + 2 > a->cap) {
		a->cap = (a->len + len + 2) * 2;
		a->text = realloc(a->text, a->cap);
		FUZZ_CHECK(a->text != NULL, "out of memory");
	}
	memcpy(a->text + a->len, address, len);
	a->len += len;
	a->text[a->len++] = '\n';
	a->text[a->len] = '\0';
	a->count++;
}

static bool is_bcc_line(const char *line, size_t len)
{
	size_t i = 0;
	if (len < 3 || strncasecmp(line, "bcc", 3) != 0) {
		return false;
	}
	for (i = 3; i < len && (line[i] == ' ' || line[i] == '\t'); i++) {
	}
	return i < len && line[i] == ':';
}

/* The block as it leaves: lines ended by CRLF only, no NUL, no empty line,
 * no Bcc field. */
static void check_block(const char *what, const char *s, size_t len)
{
	size_t bad;
	FUZZ_CHECK(memchr(s, '\0', len) == NULL, "NUL in %s", what);
	FUZZ_CHECK(fuzz_crlf_lines_ok(s, len, (size_t)-1, true, &bad), "bare CR/LF or no final CRLF in %s at %zu", what, bad);
	size_t start = 0;
	for (size_t i = 0; i + 1 < len; i++) {
		if (s[i] == '\r' && s[i + 1] == '\n') {
			FUZZ_CHECK(i > start, "an empty line in %s at %zu ends the header block", what, i);
			FUZZ_CHECK(!is_bcc_line(s + start, i - start), "a Bcc field in %s: %.*s", what, (int)(i - start), s + start);
			start = i + 2;
			i++;
		}
	}
}

/* To or Subject after cleaning: line breaks only as CRLF + WSP, no NUL. */
static void check_argument(const char *s, size_t len)
{
	FUZZ_CHECK(memchr(s, '\0', len) == NULL, "NUL in a cleaned argument");
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\r') {
			FUZZ_CHECK(i + 2 < len && s[i + 1] == '\n' && (s[i + 2] == ' ' || s[i + 2] == '\t'),
			           "a CR that is not a fold at %zu", i);
		} else if (s[i] == '\n') {
			FUZZ_CHECK(i > 0 && s[i - 1] == '\r', "a bare LF at %zu", i);
		}
	}
	/* (trailing controls become trailing spaces, as in PHP's mail(): harmless) */
	FUZZ_CHECK(len == 0 || (s[len - 1] != '\r' && s[len - 1] != '\n'), "a trailing line break");
}

/* One scan, its output checked; returns 0 or the scan's failure. */
static int scan_checked(const char *h, size_t len, addresses *rcpts, smtp_mail_headers *out)
{
	char *err = NULL;
	int rc = smtp_mail_headers_scan(h, len, collect, rcpts, out, &err);
	if (rc != 0) {
		FUZZ_CHECK(err != NULL && err[0] != '\0', "a failure without a reason");
		FUZZ_CHECK(out->kept == NULL && out->from == NULL, "a failure left output");
		FUZZ_CHECK((rc == -2) == (memchr(h, '\0', len) != NULL), "rc %d and NUL disagree", rc);
		free(err);
		return rc;
	}
	FUZZ_CHECK(err == NULL && out->kept != NULL && strlen(out->kept) == out->kept_len, "kept not terminated");
	check_block("the kept headers", out->kept, out->kept_len);
	FUZZ_CHECK(out->kept_len <= 2 * len + 2, "kept grew: %zu from %zu", out->kept_len, len);
	if (out->from) {
		FUZZ_CHECK(strlen(out->from) == out->from_len, "NUL in From");
		FUZZ_CHECK(!memchr(out->from, '\r', out->from_len) && !memchr(out->from, '\n', out->from_len), "From folded");
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 8192) {
		return 0;
	}
	/* To 0x1E Subject 0x1E headers 0x1E params */
	const char *part[4] = {"", "", "", ""};
	size_t part_len[4] = {0, 0, 0, 0};
	const char *p = (const char *)data, *end = p + size;
	for (int i = 0; i < 4; i++) {
		const char *sep = i < 3 ? memchr(p, 0x1E, (size_t)(end - p)) : NULL;
		part[i] = p;
		part_len[i] = (size_t)((sep ? sep : end) - p);
		p = sep ? sep + 1 : end;
		if (!sep) {
			break;
		}
	}

	/* To and Subject */
	size_t to_len, subject_len;
	char *to = smtp_mail_clean_argument(part[0], part_len[0], &to_len);
	char *subject = smtp_mail_clean_argument(part[1], part_len[1], &subject_len);
	FUZZ_CHECK(to && subject, "out of memory");
	check_argument(to, to_len);
	check_argument(subject, subject_len);
	addresses rcpts = {0};
	char *err = NULL;
	char *to_unfolded = malloc(to_len + 1);
	memcpy(to_unfolded, to, to_len + 1);
	smtp_mail_unfold(to_unfolded, to_len);
	if (smtp_mail_address_list(to_unfolded, to_len, collect, &rcpts, &err) != 0) {
		FUZZ_CHECK(err != NULL, "a failed list without a reason");
		free(err);
		err = NULL;
	}
	free(to_unfolded);

	/* the headers, as mail() takes them (PHP's check first) and as a captured message */
	const char *h = part[2];
	size_t h_len = part_len[2];
	bool malformed = smtp_mail_headers_malformed(h, h_len);
	FUZZ_CHECK(!(memchr(h, '\0', h_len) && !malformed), "a NUL passed the additional_header check");
	smtp_mail_headers first, second;
	addresses first_rcpts = {0}, second_rcpts = {0};
	int rc = scan_checked(h, h_len, &first_rcpts, &first);
	int rc2 = scan_checked(h, h_len, &second_rcpts, &second);
	FUZZ_CHECK(rc == rc2, "two scans disagree: %d, %d", rc, rc2);
	if (rc == 0) {
		FUZZ_CHECK(first.kept_len == second.kept_len && memcmp(first.kept, second.kept, first.kept_len) == 0 &&
		               first_rcpts.len == second_rcpts.len &&
		               (first_rcpts.len == 0 || memcmp(first_rcpts.text, second_rcpts.text, first_rcpts.len) == 0) &&
		               first.has_date == second.has_date && first.has_message_id == second.has_message_id &&
		               (first.from == NULL) == (second.from == NULL),
		           "two scans of the same headers disagree");

		/* the data's header block as smtp_send_mail() builds it */
		size_t block_len = 4 + to_len + 11 + subject_len + 2 + first.kept_len;
		char *block = malloc(block_len + 1);
		snprintf(block, block_len + 1, "To: %s\r\nSubject: %s\r\n%s", to, subject, first.kept);
		check_block("the data's header block", block, block_len);
		free(block);

		/* the kept block scanned again: itself, with only the Cc addresses
		 * (a subset of what the first scan found), no Bcc left to remove */
		smtp_mail_headers third;
		addresses third_rcpts = {0};
		FUZZ_CHECK(scan_checked(first.kept, first.kept_len, &third_rcpts, &third) == 0, "the kept block fails a scan");
		FUZZ_CHECK(third.kept_len == first.kept_len && memcmp(third.kept, first.kept, first.kept_len) == 0,
		           "scanning the kept block changed it");
		FUZZ_CHECK(third_rcpts.count <= first_rcpts.count, "more recipients from the kept block");
		smtp_mail_headers_free(&third);
		free(third_rcpts.text);
	}
	smtp_mail_headers_free(&first);
	smtp_mail_headers_free(&second);
	free(first_rcpts.text);
	free(second_rcpts.text);

	/* -f: the sender it names, if valid, is an addr-spec too */
	size_t sender_len;
	char *sender = smtp_mail_sender_param(part[3], part_len[3], &sender_len);
	if (sender) {
		FUZZ_CHECK(strlen(sender) == sender_len, "NUL in the -f sender");
		FUZZ_CHECK(!memchr(sender, ' ', sender_len) && !memchr(sender, '\t', sender_len), "white space in the -f word");
		if (smtp_mail_addr_spec(sender, sender_len, collect, &rcpts, &err) != 0) {
			free(err);
		}
		free(sender);
	}

	free(rcpts.text);
	free(to);
	free(subject);
	return 0;
}
