/* Unit tests for src/lib/address.c: what is accepted, what is refused and why, and IDNA. */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "tap.h"

/* Expects in to be accepted and normalized to want (with the given SMTPUTF8 need). */
static void accepts(const char *in, const char *want, bool want_utf8, const char *name)
{
	char *out = NULL, err[128];
	bool utf8 = false;
	int rc = smtp_address_normalize(in, strlen(in), &out, &utf8, err, sizeof(err));
	bool passed = rc == 0 && out && strcmp(out, want) == 0 && utf8 == want_utf8;
	if (!tap_ok(passed, name)) {
		tap_diag("in=%s rc=%d out=%s utf8=%d err=%s", in, rc, out ? out : "(null)", utf8, err);
	}
	smtp_address_free(out);
}

/* Expects in (len bytes, may hold NUL) to be refused with a reason containing want_reason. */
static void refuses_n(const char *in, size_t len, const char *want_reason, const char *name)
{
	char *out = (char *) 1, err[128];
	bool utf8 = true;
	int rc = smtp_address_normalize(in, len, &out, &utf8, err, sizeof(err));
	bool passed = rc == -1 && out == NULL && strstr(err, want_reason) != NULL;
	if (!tap_ok(passed, name)) {
		tap_diag("rc=%d err=%s (wanted: %s)", rc, err, want_reason);
	}
}

static void refuses(const char *in, const char *want_reason, const char *name)
{
	refuses_n(in, strlen(in), want_reason, name);
}

int main(void)
{
	accepts("ann@example.org", "ann@example.org", false, "plain address");
	accepts("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk", false, "dot-atom with plus");
	accepts("o'brien!#$%&*/=?^_`{|}~-@example.org", "o'brien!#$%&*/=?^_`{|}~-@example.org", false,
	        "every atext special in local part");
	accepts("\"john doe\"@example.org", "\"john doe\"@example.org", false, "quoted local part with space");
	accepts("\"a\\\"b@c\"@example.org", "\"a\\\"b@c\"@example.org", false, "quoted local part with \\\" and @");
	accepts("root@localhost", "root@localhost", false, "dotless domain accepted");
	accepts("a@[127.0.0.1]", "a@[127.0.0.1]", false, "IPv4 domain literal");
	accepts("a@[IPv6:::1]", "a@[IPv6:::1]", false, "IPv6 domain literal");
	accepts("Ann@Example.ORG", "Ann@Example.ORG", false, "ASCII case kept");
	accepts("user@b\xc3\xbc" "cher.example", "user@xn--bcher-kva.example", false, "IDNA: bücher.example");
	accepts("user@B\xc3\x9c" "CHER.example", "user@xn--bcher-kva.example", false, "IDNA maps upper case (TR46)");
	accepts("user@fa\xc3\x9f.de", "user@xn--fa-hia.de", false, "IDNA non-transitional: ß kept (faß.de)");
	accepts("info@xn--bcher-kva.example", "info@xn--bcher-kva.example", false, "A-label domain passes");
	accepts("nguy\xe1\xbb\x85n@example.vn", "nguy\xe1\xbb\x85n@example.vn", true, "UTF-8 local part flags SMTPUTF8");
	accepts("\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a", "\xe7\x94\xa8\xe6\x88\xb7@xn--fsqu00a.xn--4rr70v",
	        true, "UTF-8 local part and IDN domain (用户@例子.广告)");

	refuses("", "empty address", "empty");
	refuses("ann.example.org", "missing @", "missing @");
	refuses("ann@example.org\r\nBcc: x@evil.test", "CR or LF", "CRLF injection");
	refuses("ann@example.org\n", "CR or LF", "trailing LF");
	refuses_n("ann@example.org\0x", 17, "NUL", "NUL byte");
	refuses("ann smith@example.org", "space", "space outside quotes");
	refuses("ann@exa mple.org", "space", "space in domain");
	refuses("@example.org", "empty local part", "empty local part");
	refuses("ann@", "empty domain", "empty domain");
	refuses(".ann@example.org", "dot", "leading dot");
	refuses("ann.@example.org", "dot", "trailing dot in local part");
	refuses("a..b@example.org", "two dots", "double dot");
	refuses("a,b@example.org", "invalid character", "comma in local part");
	refuses("a(comment)@example.org", "invalid character", "comment refused");
	refuses("<ann@example.org>", "angle brackets", "angle brackets refused");
	refuses("\"unterminated@example.org", "quote", "unterminated quote");
	refuses("\"a\"b\"@example.org", "quote", "bare quote inside quoted string");
	refuses("ann@example.org.", "empty label", "trailing dot on domain");
	refuses("ann@example..org", "empty label", "empty label");
	refuses("ann@-example.org", "hyphen", "label starting with hyphen");
	refuses("ann@example-.org", "hyphen", "label ending with hyphen");
	refuses("ann@ex_ample.org", "only letters", "underscore in domain");
	refuses("ann@[300.1.1.1]", "domain literal", "bad IPv4 literal");
	refuses("ann@[IPv6:zz::1]", "domain literal", "bad IPv6 literal");
	refuses("a\x01" "b@example.org", "control character", "control character");
	refuses("a\xff@example.org", "UTF-8", "invalid UTF-8 in local part");
	refuses("a@b\xc3.org", "UTF-8", "truncated UTF-8 in domain");
	refuses("a@\xc0\xae.org", "UTF-8", "overlong UTF-8 in domain");
	refuses("a@\xe2\x98\x83\xe2\x98\x83.example", "invalid domain", "IDNA2008 refuses symbols (☃☃.example)");

	{
		char local[70], addr[100];
		memset(local, 'a', 65);
		local[65] = '\0';
		snprintf(addr, sizeof(addr), "%s@example.org", local);
		refuses(addr, "64", "local part of 65 octets");
		local[64] = '\0';
		snprintf(addr, sizeof(addr), "%s@example.org", local);
		accepts(addr, addr, false, "local part of 64 octets");
	}
	{
		char addr[200];
		snprintf(addr, sizeof(addr), "a@%0*d.org", 64, 0);
		refuses(addr, "63", "label of 64 octets");
	}
	{
		/* 4 labels of 63 + dots = 255 octets */
		char domain[300] = "", addr[320];
		for (int i = 0; i < 4; i++) {
			char label[64];
			memset(label, 'a' + i, 63);
			label[63] = '\0';
			strcat(domain, label);
			if (i < 3) {
				strcat(domain, ".");
			}
		}
		snprintf(addr, sizeof(addr), "a@%s", domain);
		refuses(addr, "253", "domain over 253 octets");
	}

	tap_ok(strcmp(smtp_address_domain("a@b.example"), "b.example") == 0, "domain of an address");
	tap_ok(strcmp(smtp_address_domain("\"x@y\"@z.example"), "z.example") == 0, "domain after the last @");
	tap_ok(smtp_address_same_mailbox("Ann@Example.ORG", "Ann@example.org"), "same mailbox: domain case ignored");
	tap_ok(!smtp_address_same_mailbox("Ann@example.org", "ann@example.org"), "different mailbox: local case kept");
	tap_ok(!smtp_address_same_mailbox("ann@example.org", "ann@example.net"), "different domains");

	{
		/* err is optional and a short buffer is truncated, never overrun */
		char *out;
		bool utf8;
		char small[5];
		tap_ok(smtp_address_normalize("x", 1, &out, &utf8, NULL, 0) == -1, "err buffer optional");
		tap_ok(smtp_address_normalize("x", 1, &out, &utf8, small, sizeof(small)) == -1 && strlen(small) == 4,
		       "short err buffer truncated");
	}

	return tap_done();
}
