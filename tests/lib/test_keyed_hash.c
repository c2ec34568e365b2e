/*
 * The keyed hash of identities (src/lib/keyed_hash.c): the same fields give
 * the same fingerprint within the process, any other field list another one
 * (moving bytes across a field boundary included), a long field that makes
 * the buffer grow is hashed whole, and the comparison says equal only for
 * equal fingerprints.
 */
#include <string.h>

#include "keyed_hash.h"
#include "tap.h"

/* The fingerprint of up to four fields (NULL ends the list early). */
static bool fingerprint(unsigned char out[SMTP_KEYED_HASH_LEN], const char *a, const char *b, const char *c,
                        const char *d)
{
	const char *fields[] = {a, b, c, d};
	smtp_keyed_hash h;
	smtp_keyed_hash_begin(&h);
	for (int i = 0; i < 4 && fields[i]; i++) {
		smtp_keyed_hash_add(&h, fields[i], strlen(fields[i]));
	}
	return smtp_keyed_hash_end(&h, out);
}

int main(void)
{
	unsigned char x[SMTP_KEYED_HASH_LEN], y[SMTP_KEYED_HASH_LEN];

	tap_ok(fingerprint(x, "mx.example.test", "ann", "secret-1", NULL) &&
	           fingerprint(y, "mx.example.test", "ann", "secret-1", NULL) && smtp_keyed_hash_equal(x, y),
	       "the same fields give the same fingerprint");

	fingerprint(y, "mx.example.test", "ann", "secret-2", NULL);
	tap_ok(!smtp_keyed_hash_equal(x, y), "another secret, another fingerprint");

	fingerprint(x, "ab", "c", NULL, NULL);
	fingerprint(y, "a", "bc", NULL, NULL);
	tap_ok(!smtp_keyed_hash_equal(x, y), "bytes moved across a field boundary change the fingerprint");

	fingerprint(x, "a", "", NULL, NULL);
	fingerprint(y, "a", NULL, NULL, NULL);
	tap_ok(!smtp_keyed_hash_equal(x, y), "an empty field counts (two fields are not one)");

	smtp_keyed_hash h;
	smtp_keyed_hash_begin(&h);
	smtp_keyed_hash_add(&h, NULL, 5);
	smtp_keyed_hash_end(&h, x);
	smtp_keyed_hash_begin(&h);
	smtp_keyed_hash_add(&h, "", 0);
	smtp_keyed_hash_end(&h, y);
	tap_ok(smtp_keyed_hash_equal(x, y), "NULL counts as the empty string");

	/* a field far over the first buffer, differing only in its last byte */
	static char big[100000];
	memset(big, 'k', sizeof(big) - 1);
	fingerprint(x, "id", big, NULL, NULL);
	big[sizeof(big) - 2] = 'K';
	bool made = fingerprint(y, "id", big, NULL, NULL);
	tap_ok(made && !smtp_keyed_hash_equal(x, y), "a long field is hashed whole");

	unsigned char z[SMTP_KEYED_HASH_LEN];
	memcpy(z, x, sizeof(z));
	z[SMTP_KEYED_HASH_LEN - 1] ^= 1;
	tap_ok(smtp_keyed_hash_equal(x, x) && !smtp_keyed_hash_equal(x, z), "equal only when every byte is");

	unsigned char none[SMTP_KEYED_HASH_LEN] = {0};
	fingerprint(x, "", NULL, NULL, NULL);
	tap_ok(!smtp_keyed_hash_equal(x, none), "a fingerprint is not all zero (the key was made)");
	return tap_done();
}
