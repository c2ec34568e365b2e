/*
 * E-mail addresses: validation of an RFC 5321/5322 addr-spec and the IDNA
 * (punycode) form of its domain, so that what goes into MAIL FROM / RCPT TO
 * and into the From/To headers is always something a relay accepts.
 *
 * What is accepted (strict, but what real mail uses):
 *   - local part: a dot-atom (RFC 5322 atext, no leading, trailing or double
 *     dot) or a quoted string ("john doe"@example.com, with \" and \\ pairs);
 *     UTF-8 in either form is accepted and reported (it needs SMTPUTF8);
 *     at most 64 octets.
 *   - domain: host names of letters, digits and hyphens (labels of 1..63,
 *     no hyphen at either end, 253 octets in all); a name without a dot
 *     (user@localhost) is accepted, as Symfony's validator does; a non-ASCII
 *     name is turned into A-labels with libidn2 (IDNA2008, TR46
 *     non-transitional); domain literals [192.0.2.1] and [IPv6:2001:db8::1]
 *     are accepted when the address parses.
 *   - never: CR, LF, NUL, other control characters, or white space outside
 *     quotes; comments; a trailing dot on the domain.
 *
 * Pure C, no php.h: plain malloc/free, usable by the unit tests and fuzzers.
 */
#ifndef SMTP_LIB_ADDRESS_H
#define SMTP_LIB_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

#define SMTP_ADDRESS_MAX_LOCAL 64
#define SMTP_ADDRESS_MAX_DOMAIN 253
#define SMTP_ADDRESS_MAX 254

/* Validates an addr-spec (no display name, no angle brackets), turns a non-ASCII domain into IDNA
 * A-labels (libidn2, IDNA2008 + TR46 nontransitional), and returns a malloc'd copy in *out.
 * *utf8_local is set when the local part is non-ASCII (needs SMTPUTF8). Returns 0, or -1 with a
 * reason in err (e.g. "missing @", "CR or LF in address", "invalid domain"). */
int smtp_address_normalize(const char *in, size_t len, char **out, bool *utf8_local, char *err, size_t errlen);

/* Frees what smtp_address_normalize returned (NULL is fine). */
void smtp_address_free(char *address);

/* The domain of a normalized address (the text after its last '@'), or "" if it has none. */
const char *smtp_address_domain(const char *normalized);

/* True when two normalized addresses name the same mailbox: the local parts
 * compared exactly (RFC 5321 says they may be case-sensitive), the domains
 * without regard to ASCII case. Used to drop duplicate recipients. */
bool smtp_address_same_mailbox(const char *a, const char *b);

/* True when s[0..len) is valid UTF-8 (shortest forms, no surrogates, <= U+10FFFF). */
bool smtp_utf8_valid(const char *s, size_t len);

#endif
