/*
 * Fingerprints of identities that hold secrets (a persistent session's
 * destination and credentials, an OAuth client's token grant): HMAC-SHA256
 * under a random key made once per process, so a fingerprint can sit in a
 * table without the secrets it stands for, and says nothing outside the
 * process that made it. Fingerprints are compared in constant time.
 *
 * Pure C (OpenSSL), no php.h: shared by the Zend glue and the unit tests.
 */
#ifndef SMTP_LIB_KEYED_HASH_H
#define SMTP_LIB_KEYED_HASH_H

#include <stdbool.h>
#include <stddef.h>

#define SMTP_KEYED_HASH_LEN 32

/* The fields of one identity, gathered before they are hashed. */
typedef struct {
	unsigned char *buf;
	size_t len, cap;
	bool failed; /* out of memory: smtp_keyed_hash_end() fails */
} smtp_keyed_hash;

void smtp_keyed_hash_begin(smtp_keyed_hash *h);

/* Adds one field, length-prefixed so that no two field lists read alike by
 * moving bytes from one field to the next. NULL counts as "". */
void smtp_keyed_hash_add(smtp_keyed_hash *h, const char *value, size_t len);

/* The fingerprint of the fields added. The gathered bytes are wiped and
 * freed either way. Returns false (out unset) when memory or the process's
 * random key could not be had: the caller then keeps nothing under it. */
bool smtp_keyed_hash_end(smtp_keyed_hash *h, unsigned char out[SMTP_KEYED_HASH_LEN]);

/* Two fingerprints are the same, compared in constant time. */
bool smtp_keyed_hash_equal(const unsigned char a[SMTP_KEYED_HASH_LEN], const unsigned char b[SMTP_KEYED_HASH_LEN]);

#endif
