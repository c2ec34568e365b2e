/* Unit tests for src/lib/mail_headers.c: what mail() reads from its arguments. */
#include <stdlib.h>
#include <string.h>

#include "mail_headers.h"
#include "tap.h"

/* the addresses handed out, joined by " " */
typedef struct {
	char text[4096];
	int utf8;
} collected;

static void collect(void *ctx, const char *address, size_t len, bool utf8_local)
{
	collected *c = ctx;
	if (c->text[0]) {
		strncat(c->text, " ", sizeof(c->text) - strlen(c->text) - 1);
	}
	strncat(c->text, address, len < sizeof(c->text) - strlen(c->text) - 1 ? len : sizeof(c->text) - strlen(c->text) - 1);
	c->utf8 += utf8_local;
}

static void list(const char *name, const char *value, int want_rc, const char *want, const char *want_err)
{
	collected c = {"", 0};
	char *err = NULL;
	int rc = smtp_mail_address_list(value, strlen(value), collect, &c, &err);
	bool ok = rc == want_rc && strcmp(c.text, want) == 0 &&
	          (want_err ? err && strcmp(err, want_err) == 0 : err == NULL);
	if (!tap_ok(ok, name)) {
		tap_diag("rc %d, got \"%s\", err \"%s\"", rc, c.text, err ? err : "(none)");
	}
	free(err);
}

static void clean(const char *name, const char *in, const char *want)
{
	size_t n;
	char *out = smtp_mail_clean_argument(in, strlen(in), &n);
	if (!tap_ok(out && n == strlen(want) && strcmp(out, want) == 0, name)) {
		tap_diag("got \"%s\"", out ? out : "(null)");
	}
	free(out);
}

static void scan(const char *name, const char *h, size_t len, int want_rc, const char *want_kept, const char *want_rcpts,
                 const char *want_from, bool date, bool id)
{
	collected c = {"", 0};
	smtp_mail_headers out;
	char *err = NULL;
	int rc = smtp_mail_headers_scan(h, len, collect, &c, &out, &err);
	bool ok = rc == want_rc;
	if (rc == 0) {
		ok = ok && strcmp(out.kept, want_kept) == 0 && out.kept_len == strlen(want_kept) &&
		     strcmp(c.text, want_rcpts) == 0 && out.has_date == date && out.has_message_id == id &&
		     (want_from ? out.from && strcmp(out.from, want_from) == 0 : out.from == NULL);
	}
	if (!tap_ok(ok, name)) {
		tap_diag("rc %d, kept \"%s\", rcpts \"%s\", from \"%s\", err \"%s\"", rc, out.kept ? out.kept : "",
		         c.text, out.from ? out.from : "(null)", err ? err : "");
	}
	free(err);
	smtp_mail_headers_free(&out);
}

static void sender(const char *name, const char *params, const char *want)
{
	size_t n = 0;
	char *got = smtp_mail_sender_param(params, strlen(params), &n);
	bool ok = want ? got && strcmp(got, want) == 0 && n == strlen(want) : got == NULL;
	if (!tap_ok(ok, name)) {
		tap_diag("got \"%s\"", got ? got : "(null)");
	}
	free(got);
}

int main(void)
{
	/* address lists */
	list("one bare address", "a@x.test", 0, "a@x.test", NULL);
	list("display names, quoted commas, comments", "Ann <a@x.test>, \"Doe, J\" <j@z.test>, b@y.test (Bob, <no>)", 0,
	     "a@x.test j@z.test b@y.test", NULL);
	list("a group and its end", "team: c@x.test, d@x.test;, e@x.test", 0, "c@x.test d@x.test e@x.test", NULL);
	list("an empty group, empty elements", "undisclosed-recipients:;, , a@x.test,", 0, "a@x.test", NULL);
	list("nested comments with escapes", "a@x.test (one (two \\) three) four)", 0, "a@x.test", NULL);
	list("a quoted local part", "\"john doe\"@x.test", 0, "\"john doe\"@x.test", NULL);
	list("an IDN domain becomes A-labels", "K <k@b\xC3\xBC\x63her.example>", 0, "k@xn--bcher-kva.example", NULL);
	list("a bad one stops the list, named", "a@x.test, not an address, b@y.test", -1, "a@x.test",
	     "invalid address \"not an address\": missing @");
	list("an unterminated angle address", "Ann <a@x.test", -1, "", "unterminated <address> in \"Ann <a@x.test\"");
	list("a comma inside angle brackets is not a separator", "<a@x.test,b@y.test>", -1, "",
	     "invalid address \"a@x.test,b@y.test\": invalid character in local part");
	{
		collected c = {"", 0};
		char *err = NULL;
		int rc = smtp_mail_address_list("\xC3\xA9l\xC3\xA8ve@x.test", 11, collect, &c, &err);
		tap_ok(rc == 0 && c.utf8 == 1, "a UTF-8 local part is handed out with utf8_local");
		free(err);
	}

	/* To and Subject */
	clean("control characters become spaces", "a\x01" "b\tc\x7f", "a b c ");
	clean("a folded line is kept", "Hello\r\n there", "Hello\r\n there");
	clean("a bare LF or a CRLF without white space becomes spaces", "a\nb\r\nc", "a b  c");
	clean("trailing white space goes", "subject \r\n\t ", "subject");

	/* PHP's additional_headers rule */
	tap_ok(!smtp_mail_headers_malformed("X-A: 1\r\nX-B: 2", 14), "well-formed headers pass");
	tap_ok(smtp_mail_headers_malformed("X-A: 1\r\n\r\nBcc: e@x.test", 23), "an empty line is refused");
	tap_ok(smtp_mail_headers_malformed(" X-A: 1", 7), "a leading space is refused");
	tap_ok(smtp_mail_headers_malformed("X-A: 1\n", 7), "a final line break is refused");
	tap_ok(smtp_mail_headers_malformed("X-A: 1\0X", 8), "a NUL is refused");
	tap_ok(smtp_mail_headers_malformed("X-A: 1\n\0X: 2", 13), "a NUL right after a line break is refused (fuzz finding)");

	/* the header block */
	const char *h = "From: Shop <shop@x.test>\r\nCc: \"Doe, Jane\" <jane@z.test>,\r\n carl@z.test (Carl)\r\n"
	                "bcc: Hidden <hidden@w.test>\r\nX-Folded: first\n\tsecond\r\nDate: today\r\nMessage-ID: <1@x>";
	scan("Cc and Bcc to the envelope, Bcc out of the data, breaks made CRLF", h, strlen(h), 0,
	     "From: Shop <shop@x.test>\r\nCc: \"Doe, Jane\" <jane@z.test>,\r\n carl@z.test (Carl)\r\n"
	     "X-Folded: first\r\n\tsecond\r\nDate: today\r\nMessage-ID: <1@x>\r\n",
	     "jane@z.test carl@z.test hidden@w.test", " Shop <shop@x.test>", true, true);
	const char *cr = "From: a@x.test\rBcc: secret@y.test\rX-A: 1";
	scan("a lone CR ends a field as it would on the wire: the Bcc behind it is seen and removed", cr, strlen(cr), 0,
	     "From: a@x.test\r\nX-A: 1\r\n", "secret@y.test", " a@x.test", false, false);
	const char *obs = "Cc : a@x.test\r\nBCC\t: b@x.test\r\nFrom: first@x.test\r\nFrom: second@x.test";
	scan("obsolete white space before the colon; the first From is the one", obs, strlen(obs), 0,
	     "Cc : a@x.test\r\nFrom: first@x.test\r\nFrom: second@x.test\r\n", "a@x.test b@x.test", " first@x.test",
	     false, false);
	scan("a bad Bcc address fails the scan", "Bcc: nobody", 11, -1, "", "", NULL, false, false);
	scan("a NUL fails the scan", "X-A: 1\0Bcc: e@x.test", 20, -2, "", "", NULL, false, false);
	scan("no headers: an empty block", "", 0, 0, "", "", NULL, false, false);
	scan("an empty line inside a field never reaches the block (fuzz finding)", "\n folded\r\nX: a\n\n b", 18, 0,
	     " folded\r\nX: a\r\n b\r\n", "", NULL, false, false);
	scan("a field goes on across an empty line, as it reads once that is gone", "Cc: a@x.test,\n\r b@y.test", 24, 0,
	     "Cc: a@x.test,\r\n b@y.test\r\n", "a@x.test b@y.test", NULL, false, false);

	/* -f */
	sender("-f and a word", "-f a@x.test", "a@x.test");
	sender("-f joined", "-oi -fa@x.test -X", "a@x.test");
	sender("-f quoted", "-f 'a@x.test'", "a@x.test");
	sender("-f double-quoted, joined", "-f\"a@x.test\"", "a@x.test");
	sender("no -f", "-oi -t", NULL);
	sender("-f at the end: an empty sender", "-oi -f", "");
	return tap_done();
}
