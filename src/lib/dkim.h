/*
 * DKIM signing (RFC 6376) with rsa-sha256 and ed25519-sha256 (RFC 8463).
 *
 * Pure C over OpenSSL's EVP interface, no php.h: the Zend glue in
 * src/smtp_dkim.c, the unit tests and the fuzzers all link it alone.
 *
 * The pieces, from the bottom up:
 *   - body canonicalisation (simple, relaxed) as a stream: fed chunks of any
 *     size, split anywhere, it keeps O(1) state and feeds a sink (the SHA-256
 *     of the body hash, or a test's buffer);
 *   - header field parsing and canonicalisation, and the selection of the
 *     fields named in h= (bottom-up, as RFC 6376 5.4.2 says);
 *   - keys (PEM, PKCS#8 or traditional RSA, a raw base64 Ed25519 seed, or a
 *     path to a file holding one of those), signing, key generation;
 *   - smtp_dkim_sign_source(): what the transport calls. It reads a message
 *     source once, signs it with every signer and rewinds the source.
 *
 * Everything that allocates has a matching free; memory that held a private
 * key is wiped with OPENSSL_cleanse before it is freed.
 */
#ifndef SMTP_LIB_DKIM_H
#define SMTP_LIB_DKIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "source.h"

#define SMTP_DKIM_HASH_LEN 32
/* The header block is held in memory to be signed; a bigger one is refused
 * (real header blocks are a few KiB; only the body may be large). */
#define SMTP_DKIM_MAX_HEADER_BLOCK (1024 * 1024)
/* RFC 8301: signers must not use RSA keys shorter than 1024 bits. */
#define SMTP_DKIM_MIN_RSA_BITS 1024
#define SMTP_DKIM_MAX_RSA_BITS 8192

typedef enum {
	SMTP_DKIM_SIMPLE,
	SMTP_DKIM_RELAXED,
} smtp_dkim_canon;

typedef enum {
	SMTP_DKIM_RSA_SHA256,
	SMTP_DKIM_ED25519_SHA256,
} smtp_dkim_algorithm;

typedef enum {
	SMTP_DKIM_OK = 0,
	SMTP_DKIM_ERR_KEY,      /* the key is unusable, or does not fit the algorithm */
	SMTP_DKIM_ERR_ARGUMENT, /* a bad domain, selector, algorithm name or key size */
	SMTP_DKIM_ERR_MESSAGE,  /* the message cannot be signed (no From, a huge header block) */
	SMTP_DKIM_ERR_SOURCE,   /* the message source failed to read or rewind */
	SMTP_DKIM_ERR_CRYPTO,   /* OpenSSL failed */
	SMTP_DKIM_ERR_MEMORY,
} smtp_dkim_status;

/* What went wrong, in words a user can act on. Never holds key material. */
typedef struct {
	smtp_dkim_status status;
	char message[256];
} smtp_dkim_error;

/* "rsa-sha256" / "ed25519-sha256". */
const char *smtp_dkim_algorithm_name(smtp_dkim_algorithm algorithm);
/* Returns 0 and sets *algorithm for a known name (exact, lower case), -1 otherwise. */
int smtp_dkim_algorithm_parse(const char *name, size_t len, smtp_dkim_algorithm *algorithm);

/* ---- body canonicalisation ------------------------------------------- */

/* Receives canonical body bytes. Returns 0, or -1 to make the canonicaliser fail. */
typedef int (*smtp_dkim_sink)(void *ctx, const char *data, size_t len);

typedef struct smtp_dkim_body_canon smtp_dkim_body_canon;

smtp_dkim_body_canon *smtp_dkim_body_canon_new(smtp_dkim_canon canon, smtp_dkim_sink sink, void *sink_ctx);
/* Feeds len bytes; chunks may split lines, CRLF pairs and whitespace runs
 * anywhere. A bare LF ends a line like CRLF does. Returns 0, or -1 when the sink failed. */
int smtp_dkim_body_canon_update(smtp_dkim_body_canon *canon, const char *data, size_t len);
/* Ends the body (adds the final CRLF a non-empty body needs, drops trailing
 * empty lines). Returns 0 or -1. */
int smtp_dkim_body_canon_finish(smtp_dkim_body_canon *canon);
void smtp_dkim_body_canon_free(smtp_dkim_body_canon *canon);

/* The body hash (bh=): canonicalisation feeding SHA-256. */
typedef struct smtp_dkim_body_hash smtp_dkim_body_hash;

smtp_dkim_body_hash *smtp_dkim_body_hash_new(smtp_dkim_canon canon);
int smtp_dkim_body_hash_update(smtp_dkim_body_hash *hash, const char *data, size_t len);
int smtp_dkim_body_hash_final(smtp_dkim_body_hash *hash, unsigned char out[SMTP_DKIM_HASH_LEN]);
void smtp_dkim_body_hash_free(smtp_dkim_body_hash *hash);

/* ---- header fields ------------------------------------------------------ */

/* One header field inside a header block: its raw text from the name to the
 * end of its last continuation line, without the final line break. */
typedef struct {
	const char *text;
	size_t len;
	size_t name_len; /* bytes of the field name (before ':' and any space), 0 if it has no ':' */
} smtp_dkim_field;

/* Splits a header block (lines ending in CRLF or LF; the last one may have
 * no line break) into fields pointing into block. *fields is malloc'd (free()
 * it); 0 fields is fine. Returns 0, or -1 when out of memory. */
int smtp_dkim_parse_fields(const char *block, size_t len, smtp_dkim_field **fields, size_t *count);

/* The canonical form of one raw field (name, ':', value, folds included, no
 * final CRLF), without a CRLF at the end. Relaxed: lower-case name, unfolded,
 * whitespace runs as one SP, no space around ':' or at the end. Simple: as is.
 * Returns a malloc'd string (free() it) or NULL when out of memory. */
char *smtp_dkim_canon_field(smtp_dkim_canon canon, const char *field, size_t len, size_t *out_len);

/* The header part of the data a signature covers: for each name in h_list
 * ("from:to:..."; whitespace around names allowed, as in an h= tag), the last
 * field of that name not taken yet, canonicalised, followed by CRLF. A name
 * with no field left adds nothing (that is what makes signing From twice
 * refuse a second From). Returns a malloc'd buffer or NULL when out of memory. */
char *smtp_dkim_signed_fields(const smtp_dkim_field *fields, size_t count, const char *h_list, smtp_dkim_canon canon,
                              size_t *out_len);

/* ---- keys ---------------------------------------------------------------- */

typedef struct smtp_dkim_key smtp_dkim_key;

/* Loads a private key from text, decided by content: a PEM block ("-----BEGIN",
 * PKCS#8 or traditional RSA, unencrypted), a base64 raw 32-byte Ed25519 secret
 * (RFC 8463's and dkimpy's form), or else a path to a file holding either.
 * RSA keys shorter than SMTP_DKIM_MIN_RSA_BITS are refused. Returns NULL with
 * err filled (SMTP_DKIM_ERR_KEY) on failure. */
smtp_dkim_key *smtp_dkim_key_load(const char *text, size_t len, smtp_dkim_error *err);
/* Whether smtp_dkim_key_load() would take text as key material (PEM or a raw
 * Ed25519 secret) rather than as a path; lets a caller vet paths first (PHP's open_basedir). */
bool smtp_dkim_key_is_inline(const char *text, size_t len);
smtp_dkim_algorithm smtp_dkim_key_algorithm(const smtp_dkim_key *key);
int smtp_dkim_key_bits(const smtp_dkim_key *key);
/* The TXT record to publish at <selector>._domainkey.<domain>:
 * "v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>" or
 * "v=DKIM1; k=ed25519; p=<base64 of the raw 32-byte public key>".
 * malloc'd (free() it), NULL with err filled on failure. */
char *smtp_dkim_key_dns_record(const smtp_dkim_key *key, smtp_dkim_error *err);
/* Frees the key (OpenSSL wipes its private parts). NULL is fine. */
void smtp_dkim_key_free(smtp_dkim_key *key);

/* Signs data the way the algorithm of the key wants: rsa-sha256 is RSASSA-
 * PKCS1-v1_5 over SHA-256 of data; ed25519-sha256 is Ed25519 over the SHA-256
 * hash of data (RFC 8463 3). *sig is malloc'd (free() it). Returns 0 or -1. */
int smtp_dkim_sign_data(const smtp_dkim_key *key, const char *data, size_t len, unsigned char **sig, size_t *sig_len,
                        smtp_dkim_error *err);

/* Makes a key pair: bits is used for RSA only (1024..8192). *private_pem
 * (PKCS#8 PEM) must be released with smtp_dkim_secret_free(); *dns_record
 * (as smtp_dkim_key_dns_record) with free(). Returns 0, or -1 with err filled. */
int smtp_dkim_generate_key(smtp_dkim_algorithm algorithm, int bits, char **private_pem, size_t *private_pem_len,
                           char **dns_record, smtp_dkim_error *err);
/* Wipes len bytes of secret then frees it. NULL is fine. */
void smtp_dkim_secret_free(char *secret, size_t len);

/* ---- signing a message ---------------------------------------------------- */

/* One signature to make. The pointers are borrowed: they must outlive the call. */
typedef struct {
	const smtp_dkim_key *key;
	smtp_dkim_algorithm algorithm;
	const char *domain;   /* d= */
	const char *selector; /* s= */
} smtp_dkim_signer;

/* Checks that a signer can sign: domain and selector are DNS labels, the
 * algorithm fits the key. Returns 0, or -1 with err (SMTP_DKIM_ERR_ARGUMENT
 * or SMTP_DKIM_ERR_KEY) naming what is wrong. */
int smtp_dkim_signer_check(const smtp_dkim_signer *signer, smtp_dkim_error *err);

/* The h= list this library signs for a header block: each of From, To, Cc,
 * Subject, Date, Message-ID, MIME-Version, Content-Type, Reply-To once per
 * field present, and "from" once more so no From can be added. malloc'd,
 * lower case, ':'-separated; NULL when out of memory. */
char *smtp_dkim_header_list(const smtp_dkim_field *fields, size_t count);

/* Signs a message whose header block (every field with its line break) and
 * relaxed body hash are known: returns the DKIM-Signature field(s), one per
 * signer, each folded to at most 78 columns and ending in CRLF (malloc'd,
 * free() it), or NULL with err filled. c=relaxed/relaxed, t=now. */
char *smtp_dkim_sign_header_block(const smtp_dkim_signer *signers, size_t count, const char *header_block,
                                  size_t header_len, const unsigned char body_hash[SMTP_DKIM_HASH_LEN], time_t now,
                                  size_t *out_len, smtp_dkim_error *err);

/* What the transport calls: reads the message from source once (headers
 * end at the first empty line; the body is hashed as it streams, so memory
 * does not grow with its size), signs it with every signer, rewinds the source
 * and returns the DKIM-Signature field(s) to put in front of it, as
 * smtp_dkim_sign_header_block does. NULL with err filled on failure. */
char *smtp_dkim_sign_source(const smtp_dkim_signer *signers, size_t count, const smtp_source *source, time_t now,
                            size_t *out_len, smtp_dkim_error *err);

#endif
