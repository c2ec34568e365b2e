/*
 * Unit tests for src/lib/dkim.c: canonicalisation known answers (RFC 6376
 * 3.4.5), chunk-split invariance of the streaming body canonicaliser, the
 * RFC 8463 appendix A signatures reproduced byte for byte (Ed25519 and
 * RSASSA-PKCS1-v1_5 are both deterministic), keys, generation, and signing
 * from a source with bounded memory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "dkim.h"
#include "tap.h"

/* ---- RFC 8463 appendix A ---------------------------------------------------- */

static const char rfc8463_ed25519_secret[] = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
static const char rfc8463_ed25519_record[] = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
static const char rfc8463_rsa_pem[] = "-----BEGIN RSA PRIVATE KEY-----\n"
                                      "MIICXQIBAAKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi\n"
                                      "Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqM\n"
                                      "KrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\n"
                                      "AoGAH0cxOhFZDgzXWhDhnAJDw5s4roOXN4OhjiXa8W7Y3rhX3FJqmJSPuC8N9vQm\n"
                                      "6SVbaLAE4SG5mLMueHlh4KXffEpuLEiNp9Ss3O4YfLiQpbRqE7Tm5SxKjvvQoZZe\n"
                                      "zHorimOaChRL2it47iuWxzxSiRMv4c+j70GiWdxXnxe4UoECQQDzJB/0U58W7RZy\n"
                                      "6enGVj2kWF732CoWFZWzi1FicudrBFoy63QwcowpoCazKtvZGMNlPWnC7x/6o8Gc\n"
                                      "uSe0ga2xAkEA8C7PipPm1/1fTRQvj1o/dDmZp243044ZNyxjg+/OPN0oWCbXIGxy\n"
                                      "WvmZbXriOWoSALJTjExEgraHEgnXssuk7QJBALl5ICsYMu6hMxO73gnfNayNgPxd\n"
                                      "WFV6Z7ULnKyV7HSVYF0hgYOHjeYe9gaMtiJYoo0zGN+L3AAtNP9huqkWlzECQE1a\n"
                                      "licIeVlo1e+qJ6Mgqr0Q7Aa7falZ448ccbSFYEPD6oFxiOl9Y9se9iYHZKKfIcst\n"
                                      "o7DUw1/hz2Ck4N5JrgUCQQCyKveNvjzkkd8HjYs0SwM0fPjK16//5qDZ2UiDGnOe\n"
                                      "uEzxBDAr518Z8VFbR41in3W4Y3yCDgQlLlcETrS+zYcL\n"
                                      "-----END RSA PRIVATE KEY-----\n";
static const char rfc8463_rsa_record[] =
	"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"
	"J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+"
	"2kryOTIKT+l/K4w3QIDAQAB";

static const char rfc_headers[] = "From: Joe SixPack <joe@football.example.com>\r\n"
                                  "To: Suzie Q <suzie@shopping.example.net>\r\n"
                                  "Subject: Is dinner ready?\r\n"
                                  "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
                                  "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n";
static const char rfc_body[] = "Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n";

/* The two DKIM-Signature fields as RFC 8463 A.3 prints them, up to "b=". */
static const char rfc8463_ed25519_field[] = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
                                            " d=football.example.com; i=@football.example.com;\r\n"
                                            " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
                                            " subject : date : message-id : from : subject : date;\r\n"
                                            " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
                                            " b=";
static const char rfc8463_ed25519_b[] = "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==";
static const char rfc8463_rsa_field[] = "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
                                        " d=football.example.com; i=@football.example.com;\r\n"
                                        " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n"
                                        " date : message-id : from : subject : date;\r\n"
                                        " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
                                        " b=";
static const char rfc8463_rsa_b[] = "F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9m"
                                    "PYQTnGdaSGsgeefOsk2JzdA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=";

/* ---- helpers ------------------------------------------------------------------------------ */

static char *b64(const unsigned char *in, size_t len)
{
	char *out = malloc(((len + 2) / 3) * 4 + 1);
	EVP_EncodeBlock((unsigned char *) out, in, (int) len);
	return out;
}

typedef struct {
	char *data;
	size_t len, cap;
} sink_buf;

static int collect(void *ctx, const char *data, size_t len)
{
	sink_buf *b = ctx;
	if (b->len + len + 1 > b->cap) {
		b->cap = (b->len + len + 1) * 2;
		b->data = realloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

/* Canonicalises body given as chunks of the given sizes (0-terminated list; the rest in one). */
static char *canon_chunks(smtp_dkim_canon canon, const char *body, size_t len, const size_t *sizes, size_t *out_len)
{
	sink_buf out = {calloc(1, 1), 0, 1};
	smtp_dkim_body_canon *c = smtp_dkim_body_canon_new(canon, collect, &out);
	size_t pos = 0;
	for (; sizes && *sizes && pos < len; sizes++) {
		size_t n = *sizes < len - pos ? *sizes : len - pos;
		smtp_dkim_body_canon_update(c, body + pos, n);
		pos += n;
	}
	smtp_dkim_body_canon_update(c, body + pos, len - pos);
	smtp_dkim_body_canon_finish(c);
	smtp_dkim_body_canon_free(c);
	*out_len = out.len;
	return out.data;
}

static char *canon_body(smtp_dkim_canon canon, const char *body)
{
	size_t len;
	return canon_chunks(canon, body, strlen(body), NULL, &len);
}

static char *body_hash_b64(smtp_dkim_canon canon, const char *body, size_t len)
{
	unsigned char hash[SMTP_DKIM_HASH_LEN];
	smtp_dkim_body_hash *h = smtp_dkim_body_hash_new(canon);
	smtp_dkim_body_hash_update(h, body, len);
	smtp_dkim_body_hash_final(h, hash);
	smtp_dkim_body_hash_free(h);
	return b64(hash, sizeof(hash));
}

static void expect_str(const char *got, const char *want, const char *name)
{
	if (!tap_ok(got && strcmp(got, want) == 0, name)) {
		tap_diag("got  [%s]", got ? got : "(null)");
		tap_diag("want [%s]", want);
	}
}

/* The canonical header block: every field canonicalised and ended by CRLF. */
static char *canon_headers(smtp_dkim_canon canon, const char *block)
{
	smtp_dkim_field *fields;
	size_t count;
	sink_buf out = {calloc(1, 1), 0, 1};
	smtp_dkim_parse_fields(block, strlen(block), &fields, &count);
	for (size_t i = 0; i < count; i++) {
		size_t len;
		char *c = smtp_dkim_canon_field(canon, fields[i].text, fields[i].len, &len);
		collect(&out, c, len);
		collect(&out, "\r\n", 2);
		free(c);
	}
	free(fields);
	return out.data;
}

/* A memory source handing out at most `step` bytes per read, counting rewinds. */
typedef struct {
	const char *data;
	size_t len, pos, step;
	int rewinds;
} mem_source;

static ssize_t mem_read(void *ctx, char *buf, size_t cap)
{
	mem_source *m = ctx;
	size_t n = m->len - m->pos;
	if (n > cap) {
		n = cap;
	}
	if (m->step && n > m->step) {
		n = m->step;
	}
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t) n;
}

static int mem_rewind(void *ctx)
{
	mem_source *m = ctx;
	m->pos = 0;
	m->rewinds++;
	return 0;
}

static const char *mem_error(void *ctx)
{
	(void) ctx;
	return "";
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_rfc6376_examples(void)
{
	/* RFC 6376 3.4.5 */
	const char *headers = "A: X\r\nB : Y\t\r\n\tZ  \r\n";
	const char *body = " C \r\nD \t E\r\n\r\n\r\n";
	char *s;

	s = canon_headers(SMTP_DKIM_RELAXED, headers);
	expect_str(s, "a:X\r\nb:Y Z\r\n", "RFC 6376 3.4.5: relaxed header canonicalisation");
	free(s);
	s = canon_headers(SMTP_DKIM_SIMPLE, headers);
	expect_str(s, "A: X\r\nB : Y\t\r\n\tZ  \r\n", "RFC 6376 3.4.5: simple header canonicalisation");
	free(s);
	s = canon_body(SMTP_DKIM_RELAXED, body);
	expect_str(s, " C\r\nD E\r\n", "RFC 6376 3.4.5: relaxed body canonicalisation");
	free(s);
	s = canon_body(SMTP_DKIM_SIMPLE, body);
	expect_str(s, " C \r\nD \t E\r\n", "RFC 6376 3.4.5: simple body canonicalisation");
	free(s);
}

static void test_body_edges(void)
{
	char *s;
	s = body_hash_b64(SMTP_DKIM_RELAXED, "", 0);
	expect_str(s, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "empty body, relaxed: hash of nothing");
	free(s);
	s = body_hash_b64(SMTP_DKIM_SIMPLE, "", 0);
	expect_str(s, "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=", "empty body, simple: hash of CRLF");
	free(s);
	s = body_hash_b64(SMTP_DKIM_RELAXED, "\r\n\r\n \t\r\n", 6);
	expect_str(s, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "only empty and blank lines, relaxed: empty");
	free(s);
	s = canon_body(SMTP_DKIM_RELAXED, "abc");
	expect_str(s, "abc\r\n", "relaxed: a body without a final CRLF gets one");
	free(s);
	s = canon_body(SMTP_DKIM_SIMPLE, "abc");
	expect_str(s, "abc\r\n", "simple: a body without a final CRLF gets one");
	free(s);
	s = canon_body(SMTP_DKIM_RELAXED, "abc\r\n\r\n\r\n\r\n");
	expect_str(s, "abc\r\n", "relaxed: trailing empty lines dropped");
	free(s);
	s = canon_body(SMTP_DKIM_SIMPLE, "abc\r\n\r\n \r\n\r\n");
	expect_str(s, "abc\r\n\r\n \r\n", "simple: only truly empty trailing lines dropped");
	free(s);
	s = canon_body(SMTP_DKIM_RELAXED, "a  \t b\t \r\n\t\tx\r\n\r\ny\r\n");
	expect_str(s, "a b\r\n x\r\n\r\ny\r\n", "relaxed: whitespace runs, trailing and leading whitespace");
	free(s);
	s = canon_body(SMTP_DKIM_RELAXED, "a\nb\n\n");
	expect_str(s, "a\r\nb\r\n", "bare LF ends a line like CRLF");
	free(s);
	s = canon_body(SMTP_DKIM_RELAXED, "a\rb\r\n");
	expect_str(s, "a\rb\r\n", "a lone CR is an ordinary byte");
	free(s);
	s = body_hash_b64(SMTP_DKIM_RELAXED, rfc_body, strlen(rfc_body));
	expect_str(s, "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=", "RFC 8463 A.3 body hash (relaxed)");
	free(s);
	s = body_hash_b64(SMTP_DKIM_SIMPLE, rfc_body, strlen(rfc_body));
	expect_str(s, "4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=", "RFC 6376 example body hash (simple)");
	free(s);
}

static void test_split_invariance(void)
{
	/* whitespace runs, CRLF pairs, lone CR, bare LF, empty and blank lines inside and at the end */
	static const char body[] = " \t lead\t  mid  \t\r\n\r\n \t \r\nx\r\r\ny\n\n\t\r\n  z \t\r\n\r\n \r\n\t\r\n\r\n";
	size_t len = sizeof(body) - 1;

	for (int canon = SMTP_DKIM_SIMPLE; canon <= SMTP_DKIM_RELAXED; canon++) {
		size_t whole_len;
		char *whole = canon_chunks(canon, body, len, NULL, &whole_len);
		int bad = 0, tried = 0;

		/* every two-way and three-way split */
		for (size_t i = 0; i <= len; i++) {
			for (size_t j = 0; i + j <= len; j++) {
				size_t sizes[] = {i, j, 0}, got_len;
				if (i == 0) {
					sizes[0] = j;
					sizes[1] = 0;
				}
				char *got = canon_chunks(canon, body, len, sizes, &got_len);
				tried++;
				if (got_len != whole_len || memcmp(got, whole, whole_len) != 0) {
					if (!bad++) {
						tap_diag("split at %zu,%zu differs: [%s] vs [%s]", i, j, got, whole);
					}
				}
				free(got);
			}
		}
		/* byte by byte */
		{
			size_t ones[sizeof(body)], got_len;
			for (size_t i = 0; i < len; i++) {
				ones[i] = 1;
			}
			ones[len] = 0;
			char *got = canon_chunks(canon, body, len, ones, &got_len);
			tried++;
			bad += got_len != whole_len || memcmp(got, whole, whole_len) != 0;
			free(got);
		}
		/* random chunk sizes */
		srand(6376);
		for (int round = 0; round < 2000; round++) {
			size_t sizes[sizeof(body) + 1], k = 0, got_len;
			for (size_t left = len; left && k < sizeof(body) - 1;) {
				size_t n = 1 + (size_t) rand() % 9;
				n = n > left ? left : n;
				sizes[k++] = n;
				left -= n;
			}
			sizes[k] = 0;
			char *got = canon_chunks(canon, body, len, sizes, &got_len);
			tried++;
			bad += got_len != whole_len || memcmp(got, whole, whole_len) != 0;
			free(got);
		}
		char name[128];
		snprintf(name, sizeof(name), "%s body: same output for all %d ways to split it",
		         canon == SMTP_DKIM_RELAXED ? "relaxed" : "simple", tried);
		tap_ok(bad == 0, name);
		free(whole);
	}

	/* the hash side too: a hash fed per byte equals the hash fed whole */
	{
		unsigned char a[SMTP_DKIM_HASH_LEN], b[SMTP_DKIM_HASH_LEN];
		smtp_dkim_body_hash *h1 = smtp_dkim_body_hash_new(SMTP_DKIM_RELAXED);
		smtp_dkim_body_hash *h2 = smtp_dkim_body_hash_new(SMTP_DKIM_RELAXED);
		smtp_dkim_body_hash_update(h1, body, len);
		for (size_t i = 0; i < len; i++) {
			smtp_dkim_body_hash_update(h2, body + i, 1);
		}
		smtp_dkim_body_hash_final(h1, a);
		smtp_dkim_body_hash_final(h2, b);
		tap_ok(memcmp(a, b, sizeof(a)) == 0, "body hash fed byte by byte equals the hash fed whole");
		smtp_dkim_body_hash_free(h1);
		smtp_dkim_body_hash_free(h2);
	}
}

static void test_field_selection(void)
{
	const char *block = "From: first\r\nX-Other: 1\r\nfrom: second\r\nTo: a,\r\n  b\r\n";
	smtp_dkim_field *fields;
	size_t count, len;
	smtp_dkim_parse_fields(block, strlen(block), &fields, &count);
	tap_ok(count == 4, "four fields parsed, the folded one as one");
	char *s = smtp_dkim_signed_fields(fields, count, "from : from:from:to", SMTP_DKIM_RELAXED, &len);
	expect_str(s, "from:second\r\nfrom:first\r\nto:a, b\r\n", "repeated fields are taken bottom-up; a missing one adds nothing");
	free(s);
	s = smtp_dkim_header_list(fields, count);
	expect_str(s, "from:from:to:from", "h= lists each signed field present, and From once more");
	free(s);
	free(fields);
}

static void test_rfc8463_signatures(void)
{
	smtp_dkim_error err;
	smtp_dkim_field *fields;
	size_t count;
	const char *h = "from : to : subject : date : message-id : from : subject : date";
	smtp_dkim_parse_fields(rfc_headers, strlen(rfc_headers), &fields, &count);

	struct {
		const char *key_text, *field, *want_b, *name;
	} cases[] = {
		{rfc8463_ed25519_secret, rfc8463_ed25519_field, rfc8463_ed25519_b, "RFC 8463 A.3: ed25519-sha256 b= reproduced exactly"},
		{rfc8463_rsa_pem, rfc8463_rsa_field, rfc8463_rsa_b, "RFC 8463 A.3: rsa-sha256 b= reproduced exactly"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		smtp_dkim_key *key = smtp_dkim_key_load(cases[i].key_text, strlen(cases[i].key_text), &err);
		if (!tap_ok(key != NULL, "RFC 8463 A.1 key loads")) {
			tap_diag("%s", err.message);
			continue;
		}
		size_t data_len, canon_len, sig_len;
		char *data = smtp_dkim_signed_fields(fields, count, h, SMTP_DKIM_RELAXED, &data_len);
		char *canon = smtp_dkim_canon_field(SMTP_DKIM_RELAXED, cases[i].field, strlen(cases[i].field), &canon_len);
		data = realloc(data, data_len + canon_len);
		memcpy(data + data_len, canon, canon_len);
		unsigned char *sig = NULL;
		int rc = smtp_dkim_sign_data(key, data, data_len + canon_len, &sig, &sig_len, &err);
		char *got = rc == 0 ? b64(sig, sig_len) : NULL;
		expect_str(got, cases[i].want_b, cases[i].name);
		free(got);
		free(sig);
		free(data);
		free(canon);
		smtp_dkim_key_free(key);
	}
	free(fields);
}

static void test_keys(void)
{
	smtp_dkim_error err;
	smtp_dkim_key *key;
	char *record;

	key = smtp_dkim_key_load(rfc8463_ed25519_secret, strlen(rfc8463_ed25519_secret), &err);
	tap_ok(key && smtp_dkim_key_algorithm(key) == SMTP_DKIM_ED25519_SHA256, "base64 Ed25519 secret is an Ed25519 key");
	record = key ? smtp_dkim_key_dns_record(key, &err) : NULL;
	expect_str(record, rfc8463_ed25519_record, "Ed25519 DNS record matches RFC 8463 A.2");
	free(record);
	smtp_dkim_key_free(key);

	key = smtp_dkim_key_load(rfc8463_rsa_pem, strlen(rfc8463_rsa_pem), &err);
	tap_ok(key && smtp_dkim_key_algorithm(key) == SMTP_DKIM_RSA_SHA256 && smtp_dkim_key_bits(key) == 1024,
	       "traditional RSA PEM loads (1024 bits)");
	record = key ? smtp_dkim_key_dns_record(key, &err) : NULL;
	expect_str(record, rfc8463_rsa_record, "RSA DNS record matches RFC 8463 A.2");
	free(record);

	{
		/* as `openssl pkcs12 -nodes` writes it: attributes before the PEM block */
		char bagged[sizeof(rfc8463_rsa_pem) + 64];
		snprintf(bagged, sizeof(bagged), "Bag Attributes\n    localKeyID: 01 00 00 00\n%s", rfc8463_rsa_pem);
		smtp_dkim_key *k = smtp_dkim_key_load(bagged, strlen(bagged), &err);
		tap_ok(k && smtp_dkim_key_bits(k) == 1024, "PEM after PKCS#12 bag attributes loads");
		smtp_dkim_key_free(k);
	}

	/* algorithm and key must agree */
	smtp_dkim_signer signer = {key, SMTP_DKIM_ED25519_SHA256, "example.com", "sel"};
	tap_ok(smtp_dkim_signer_check(&signer, &err) == -1 && err.status == SMTP_DKIM_ERR_KEY &&
	           strstr(err.message, "does not fit"),
	       "ed25519-sha256 with an RSA key is refused");
	signer.algorithm = SMTP_DKIM_RSA_SHA256;
	signer.domain = "exa mple.com";
	tap_ok(smtp_dkim_signer_check(&signer, &err) == -1 && strstr(err.message, "domain"), "a domain with a space is refused");
	signer.domain = "example.com";
	signer.selector = "s;b=x";
	tap_ok(smtp_dkim_signer_check(&signer, &err) == -1 && strstr(err.message, "selector"), "a selector with ';' is refused");
	smtp_dkim_key_free(key);

	/* from a file, PKCS#8 as `openssl genpkey` writes it */
	char path[] = "/tmp/dkim-test-key-XXXXXX";
	int fd = mkstemp(path);
	char *pem, *rec;
	size_t pem_len;
	tap_ok(smtp_dkim_generate_key(SMTP_DKIM_RSA_SHA256, 2048, &pem, &pem_len, &rec, &err) == 0 &&
	           strncmp(pem, "-----BEGIN PRIVATE KEY-----", 27) == 0 && strncmp(rec, "v=DKIM1; k=rsa; p=MII", 21) == 0,
	       "generate rsa 2048: PKCS#8 PEM and a k=rsa record");
	if (fd >= 0 && write(fd, pem, pem_len) == (ssize_t) pem_len) {
		close(fd);
		key = smtp_dkim_key_load(path, strlen(path), &err);
		tap_ok(key && smtp_dkim_key_bits(key) == 2048, "key loads from a file path");
		record = key ? smtp_dkim_key_dns_record(key, &err) : NULL;
		expect_str(record, rec, "the loaded key gives the generated record");
		free(record);
		smtp_dkim_key_free(key);
	}
	unlink(path);
	smtp_dkim_secret_free(pem, pem_len);
	free(rec);

	tap_ok(smtp_dkim_generate_key(SMTP_DKIM_ED25519_SHA256, 0, &pem, &pem_len, &rec, &err) == 0 &&
	           strncmp(rec, "v=DKIM1; k=ed25519; p=", 22) == 0 && strlen(rec) == 22 + 44,
	       "generate ed25519: a k=ed25519 record with a 32-byte key");
	key = smtp_dkim_key_load(pem, pem_len, &err);
	tap_ok(key && smtp_dkim_key_algorithm(key) == SMTP_DKIM_ED25519_SHA256, "generated Ed25519 PEM loads back");
	smtp_dkim_key_free(key);
	smtp_dkim_secret_free(pem, pem_len);
	free(rec);

	tap_ok(smtp_dkim_generate_key(SMTP_DKIM_RSA_SHA256, 512, &pem, &pem_len, &rec, &err) == -1 &&
	           err.status == SMTP_DKIM_ERR_ARGUMENT,
	       "generating a 512-bit RSA key is refused");

	/* a 512-bit key made elsewhere is refused when loaded */
	{
		EVP_PKEY *small = NULL;
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
		EVP_PKEY_keygen_init(ctx);
		EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 512);
		EVP_PKEY_keygen(ctx, &small);
		BIO *bio = BIO_new(BIO_s_mem());
		PEM_write_bio_PrivateKey(bio, small, NULL, NULL, 0, NULL, NULL);
		char *data;
		long n = BIO_get_mem_data(bio, &data);
		key = smtp_dkim_key_load(data, (size_t) n, &err);
		tap_ok(!key && strstr(err.message, "512 bits"), "a 512-bit RSA key is refused");
		BIO_free(bio);
		EVP_PKEY_free(small);
		EVP_PKEY_CTX_free(ctx);

		/* an EC key is not a DKIM key */
		EVP_PKEY *ec = NULL;
		ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
		EVP_PKEY_keygen_init(ctx);
		EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, NID_X9_62_prime256v1);
		EVP_PKEY_keygen(ctx, &ec);
		bio = BIO_new(BIO_s_mem());
		PEM_write_bio_PrivateKey(bio, ec, NULL, NULL, 0, NULL, NULL);
		n = BIO_get_mem_data(bio, &data);
		key = smtp_dkim_key_load(data, (size_t) n, &err);
		tap_ok(!key && strstr(err.message, "neither RSA nor Ed25519"), "an EC key is refused");
		BIO_free(bio);
		EVP_PKEY_free(ec);
		EVP_PKEY_CTX_free(ctx);
	}

	const char *damaged = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
	key = smtp_dkim_key_load(damaged, strlen(damaged), &err);
	tap_ok(!key && err.status == SMTP_DKIM_ERR_KEY, "a damaged PEM is refused");
	const char *pub = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n";
	key = smtp_dkim_key_load(pub, strlen(pub), &err);
	tap_ok(!key && strstr(err.message, "public key"), "a public key is refused, saying so");
	key = smtp_dkim_key_load("/nonexistent/dkim.key", 21, &err);
	tap_ok(!key && strstr(err.message, "/nonexistent/dkim.key") && strstr(err.message, "No such file"),
	       "a missing key file is named in the error");
	const char *garbage = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC secret-looking";
	key = smtp_dkim_key_load(garbage, strlen(garbage), &err);
	tap_ok(!key && strstr(err.message, "MIIE") == NULL, "a mangled key is never echoed in the error");
}

static char *sign_message(const smtp_dkim_signer *signers, size_t n, const char *msg, size_t step, int *rewinds,
                          smtp_dkim_error *err)
{
	mem_source m = {msg, strlen(msg), 0, step, 0};
	smtp_source src = {mem_read, mem_rewind, mem_error, &m};
	size_t len;
	char *out = smtp_dkim_sign_source(signers, n, &src, 1700000000, &len, err);
	if (rewinds) {
		*rewinds = m.rewinds;
	}
	tap_ok(m.pos == 0, "the source is rewound after signing");
	return out;
}

static bool lines_fit(const char *s)
{
	for (const char *line = s; *line;) {
		const char *end = strstr(line, "\r\n");
		if (!end || end - line > 78) {
			return false;
		}
		line = end + 2;
	}
	return true;
}

static void test_sign_source(void)
{
	smtp_dkim_error err;
	smtp_dkim_key *rsa = smtp_dkim_key_load(rfc8463_rsa_pem, strlen(rfc8463_rsa_pem), &err);
	smtp_dkim_key *ed = smtp_dkim_key_load(rfc8463_ed25519_secret, strlen(rfc8463_ed25519_secret), &err);
	smtp_dkim_signer both[] = {
		{rsa, SMTP_DKIM_RSA_SHA256, "football.example.com", "test"},
		{ed, SMTP_DKIM_ED25519_SHA256, "football.example.com", "brisbane"},
	};
	char msg[1024];
	snprintf(msg, sizeof(msg), "%s\r\n%s", rfc_headers, rfc_body);

	char *whole = sign_message(both, 2, msg, 0, NULL, &err);
	tap_ok(whole && strncmp(whole, "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=football.example.com;", 77) == 0,
	       "two signers: the rsa signature first");
	tap_ok(whole && strstr(whole, "\r\nDKIM-Signature: v=1; a=ed25519-sha256;") != NULL, "then the ed25519 one");
	tap_ok(whole && strstr(whole, "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;") != NULL, "bh= is the RFC body hash");
	tap_ok(whole && strstr(whole, "h=from:to:subject:date:message-id:from;") != NULL, "h= signs From twice");
	tap_ok(whole && strstr(whole, "t=1700000000;") != NULL, "t= is the signing time");
	tap_ok(whole && lines_fit(whole), "every line at most 78 columns and ending in CRLF");

	int rewinds = 0;
	char *bytewise = sign_message(both, 2, msg, 1, &rewinds, &err);
	expect_str(bytewise, whole ? whole : "", "a source read one byte at a time signs the same");
	tap_ok(rewinds == 2, "the source is rewound before and after reading");
	char *sevens = sign_message(both, 2, msg, 7, NULL, &err);
	expect_str(sevens, whole ? whole : "", "a source read 7 bytes at a time signs the same");
	free(whole);
	free(bytewise);
	free(sevens);

	char *none = sign_message(both, 2, "To: a@b.example\r\nSubject: x\r\n\r\nbody\r\n", 0, NULL, &err);
	tap_ok(!none && err.status == SMTP_DKIM_ERR_MESSAGE && strstr(err.message, "From"), "a message without From is refused");

	char *lf = sign_message(both, 1, "From: a@b.example\nSubject: x\n\nbody\n", 3, NULL, &err);
	tap_ok(lf && strstr(lf, "bh=") != NULL, "a message with bare LF line ends is signed");
	free(lf);

	char *headers_only = sign_message(both + 1, 1, "From: a@b.example\r\nSubject: x\r\n", 0, NULL, &err);
	tap_ok(headers_only && strstr(headers_only, "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;") != NULL,
	       "a message with no empty line has an empty body");
	free(headers_only);

	smtp_dkim_key_free(rsa);
	smtp_dkim_key_free(ed);
}

/* A 64 MiB message made on the fly: the signer's memory must not follow its size. */
typedef struct {
	size_t produced, total;
} big_source;

static ssize_t big_read(void *ctx, char *buf, size_t cap)
{
	big_source *b = ctx;
	static const char head[] = "From: big@example.com\r\nSubject: big\r\n\r\n";
	static const char line[] = "0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\t \r\n";
	size_t n = 0;
	while (n < cap && b->produced < b->total) {
		const char *src;
		size_t off;
		if (b->produced < sizeof(head) - 1) {
			src = head;
			off = b->produced;
			size_t k = sizeof(head) - 1 - off;
			k = k > cap - n ? cap - n : k;
			memcpy(buf + n, src + off, k);
			n += k;
			b->produced += k;
			continue;
		}
		off = (b->produced - (sizeof(head) - 1)) % (sizeof(line) - 1);
		size_t k = sizeof(line) - 1 - off;
		k = k > cap - n ? cap - n : k;
		k = k > b->total - b->produced ? b->total - b->produced : k;
		memcpy(buf + n, line + off, k);
		n += k;
		b->produced += k;
	}
	return (ssize_t) n;
}

static int big_rewind(void *ctx)
{
	((big_source *) ctx)->produced = 0;
	return 0;
}

static long max_rss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void test_bounded_memory(void)
{
	smtp_dkim_error err;
	smtp_dkim_key *ed = smtp_dkim_key_load(rfc8463_ed25519_secret, strlen(rfc8463_ed25519_secret), &err);
	smtp_dkim_signer signer = {ed, SMTP_DKIM_ED25519_SHA256, "example.com", "big"};
	big_source b = {0, (size_t) 64 * 1024 * 1024};
	smtp_source src = {big_read, big_rewind, mem_error, &b};
	size_t len;

	long before = max_rss_kib();
	char *out = smtp_dkim_sign_source(&signer, 1, &src, 1700000000, &len, &err);
	long grown = max_rss_kib() - before;
	char name[128];
	snprintf(name, sizeof(name), "signing a 64 MiB message grows peak memory by %ld KiB (< 2048)", grown);
	tap_ok(out && grown < 2048, name);
	free(out);
	smtp_dkim_key_free(ed);
}

int main(void)
{
	test_rfc6376_examples();
	test_body_edges();
	test_split_invariance();
	test_field_selection();
	test_rfc8463_signatures();
	test_keys();
	test_sign_source();
	test_bounded_memory();
	return tap_done();
}
