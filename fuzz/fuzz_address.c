/*
 * Address validation and IDNA (src/lib/address.c): what a form field becomes
 * in MAIL FROM, RCPT TO and the From/To headers. An accepted address must be
 * safe to put in an SMTP command (no CR, LF, NUL, no white space outside
 * quotes), at most 254 octets, with an ASCII domain; normalising it again
 * must give the same text (idempotence); anything with CR or LF is refused.
 */
#include "fuzz_util.h"
#include "address.h"

#include <strings.h>

/* A slow, obviously-right UTF-8 check to compare smtp_utf8_valid against. */
static bool reference_utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n;
		if (s[i] < 0x80) {
			i++;
			continue;
		} else if ((s[i] & 0xE0) == 0xC0) {
			n = 2, cp = s[i] & 0x1F;
		} else if ((s[i] & 0xF0) == 0xE0) {
			n = 3, cp = s[i] & 0x0F;
		} else if ((s[i] & 0xF8) == 0xF0) {
			n = 4, cp = s[i] & 0x07;
		} else {
			return false;
		}
		if (i + n > len) {
			return false;
		}
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xC0) != 0x80) {
				return false;
			}
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		static const uint32_t shortest[5] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < shortest[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
			return false;
		}
		i += n;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096) {
		return 0; /* longer than any address; keeps libidn2 fast */
	}
	char *in = malloc(size ? size : 1);
	memcpy(in, data, size);

	FUZZ_CHECK(smtp_utf8_valid(in, size) == reference_utf8_valid(data, size), "utf8_valid disagrees");

	char *out = NULL, err[128];
	bool utf8_local = true;
	int rc = smtp_address_normalize(in, size, &out, &utf8_local, err, sizeof(err));
	FUZZ_CHECK(strlen(err) < sizeof(err), "err not terminated");
	if (rc != 0) {
		FUZZ_CHECK(out == NULL && err[0] != '\0', "failure without a reason, or with a result");
		free(in);
		return 0;
	}
	FUZZ_CHECK(memchr(in, '\r', size) == NULL && memchr(in, '\n', size) == NULL && memchr(in, '\0', size) == NULL,
	           "an address with CR, LF or NUL was accepted");

	size_t len = strlen(out);
	FUZZ_CHECK(len > 2 && len <= SMTP_ADDRESS_MAX, "normalized length %zu", len);
	const char *at = strrchr(out, '@');
	FUZZ_CHECK(at != NULL && at != out && at[1] != '\0', "no local part or domain in %s", out);
	size_t local_len = (size_t) (at - out);
	FUZZ_CHECK(local_len <= SMTP_ADDRESS_MAX_LOCAL, "local part too long");
	FUZZ_CHECK(memcmp(out, in, local_len) == 0, "local part changed");
	bool non_ascii_local = false;
	for (size_t i = 0; i < local_len; i++) {
		non_ascii_local |= (unsigned char) out[i] >= 0x80;
	}
	FUZZ_CHECK(utf8_local == non_ascii_local, "utf8_local flag wrong");

	/* the domain: ASCII letters, digits, hyphens and dots, or a literal */
	const char *domain = smtp_address_domain(out);
	FUZZ_CHECK(domain == at + 1, "smtp_address_domain points elsewhere");
	for (const char *p = domain; *p; p++) {
		unsigned char c = (unsigned char) *p;
		FUZZ_CHECK(c > 0x20 && c < 0x7F, "non-ASCII or space in the domain %s", domain);
	}
	if (domain[0] != '[') {
		FUZZ_CHECK(strlen(domain) <= SMTP_ADDRESS_MAX_DOMAIN && domain[strlen(domain) - 1] != '.', "bad domain");
	}

	/* white space or controls only inside a quoted local part */
	bool quoted = out[0] == '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) out[i];
		if (c <= 0x20 || c == 0x7F) {
			FUZZ_CHECK(quoted && i < local_len && c == ' ', "space or control outside quotes at %zu", i);
		}
	}

	/* idempotent, and the same mailbox as itself */
	char *again = NULL;
	bool utf8_again;
	FUZZ_CHECK(smtp_address_normalize(out, len, &again, &utf8_again, err, sizeof(err)) == 0,
	           "normalized address refused: %s", err);
	FUZZ_CHECK(strcmp(again, out) == 0 && utf8_again == utf8_local, "not idempotent: %s -> %s", out, again);
	FUZZ_CHECK(smtp_address_same_mailbox(out, again), "not the same mailbox as itself");
	smtp_address_free(again);
	smtp_address_free(out);
	free(in);
	return 0;
}
