#include "keyed_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One key for the life of the process, shared by its threads (ZTS). */
static unsigned char process_key[32];
static bool process_key_ready;
static pthread_once_t process_key_once = PTHREAD_ONCE_INIT;

static void process_key_init(void)
{
	process_key_ready = RAND_bytes(process_key, sizeof(process_key)) == 1;
}

void smtp_keyed_hash_begin(smtp_keyed_hash *h)
{
	h->buf = NULL;
	h->len = h->cap = 0;
	h->failed = false;
}

static void append(smtp_keyed_hash *h, const void *bytes, size_t len)
{
	if (h->failed || len == 0) {
		return;
	}
	if (len > SIZE_MAX / 2 - h->len) {
		h->failed = true;
		return;
	}
	if (h->len + len > h->cap) {
		size_t cap = h->cap ? h->cap : 256;
		while (cap < h->len + len) {
			cap *= 2;
		}
		/* not realloc: the old block holds secrets and must be wiped, not left behind */
		unsigned char *grown = malloc(cap);
		if (!grown) {
			h->failed = true;
			return;
		}
		if (h->buf) {
			memcpy(grown, h->buf, h->len);
			OPENSSL_cleanse(h->buf, h->cap);
			free(h->buf);
		}
		h->buf = grown;
		h->cap = cap;
	}
	memcpy(h->buf + h->len, bytes, len);
	h->len += len;
}

void smtp_keyed_hash_add(smtp_keyed_hash *h, const char *value, size_t len)
{
	uint64_t n = value ? len : 0;
	append(h, &n, sizeof(n));
	if (value) {
		append(h, value, len);
	}
}

bool smtp_keyed_hash_end(smtp_keyed_hash *h, unsigned char out[SMTP_KEYED_HASH_LEN])
{
	pthread_once(&process_key_once, process_key_init);
	unsigned int len = 0;
	bool ok = !h->failed && process_key_ready &&
	          HMAC(EVP_sha256(), process_key, sizeof(process_key), h->buf ? h->buf : (const unsigned char *) "", h->len,
	               out, &len) != NULL &&
	          len == SMTP_KEYED_HASH_LEN;
	if (h->buf) {
		OPENSSL_cleanse(h->buf, h->cap);
		free(h->buf);
	}
	smtp_keyed_hash_begin(h);
	return ok;
}

bool smtp_keyed_hash_equal(const unsigned char a[SMTP_KEYED_HASH_LEN], const unsigned char b[SMTP_KEYED_HASH_LEN])
{
	return CRYPTO_memcmp(a, b, SMTP_KEYED_HASH_LEN) == 0;
}
