/*
 * DKIM canonicalisation (src/lib/dkim.c). The body canonicaliser is a stream:
 * split anywhere (inside CRLF pairs, white-space runs, trailing empty lines)
 * it must produce the same bytes as one call over the whole body, and the
 * body hash must be the same. The output must be CRLF lines, end in CRLF
 * (simple: an empty body is one CRLF; relaxed: an empty body is empty), carry
 * no trailing empty lines, and for relaxed no white space at a line end and
 * no run of two. Header fields: parsing never reads outside the block, and
 * (on CRLF-normalised input, as the signer gets it) relaxed canonical fields have a lower-case name, no CR/LF, no double space.
 */
#include "fuzz_util.h"
#include "dkim.h"
#include "encode.h"

static int collect(void *ctx, const char *data, size_t len)
{
	smtp_buf_append(ctx, data, len);
	return 0;
}

static void canon_body(smtp_dkim_canon c, const char *body, size_t len, uint32_t seed, size_t max_chunk, smtp_buf *out)
{
	smtp_dkim_body_canon *canon = smtp_dkim_body_canon_new(c, collect, out);
	FUZZ_CHECK(canon != NULL, "canon_new failed");
	size_t off = 0;
	while (off < len) {
		size_t n = max_chunk ? 1 + fuzz_next(&seed) % max_chunk : len;
		if (n > len - off) {
			n = len - off;
		}
		FUZZ_CHECK(smtp_dkim_body_canon_update(canon, body + off, n) == 0, "update failed");
		off += n;
	}
	FUZZ_CHECK(smtp_dkim_body_canon_finish(canon) == 0, "finish failed");
	smtp_dkim_body_canon_free(canon);
}

static void hash_body(smtp_dkim_canon c, const char *body, size_t len, uint32_t seed, size_t max_chunk,
                      unsigned char out[SMTP_DKIM_HASH_LEN])
{
	smtp_dkim_body_hash *h = smtp_dkim_body_hash_new(c);
	FUZZ_CHECK(h != NULL, "hash_new failed");
	size_t off = 0;
	while (off < len) {
		size_t n = max_chunk ? 1 + fuzz_next(&seed) % max_chunk : len;
		if (n > len - off) {
			n = len - off;
		}
		FUZZ_CHECK(smtp_dkim_body_hash_update(h, body + off, n) == 0, "hash update failed");
		off += n;
	}
	FUZZ_CHECK(smtp_dkim_body_hash_final(h, out) == 0, "hash final failed");
	smtp_dkim_body_hash_free(h);
}

/* Chunk-split invariance on any input; the shape of the output only for
 * input with CRLF line endings (what the signer is given: the message source
 * is CRLF-normalised first), since simple canonicalisation leaves a bare CR
 * as it is, as RFC 6376 3.4.3 says. */
static void check_body(smtp_dkim_canon c, const char *body, size_t len, uint32_t seed, size_t max_chunk, bool crlf_input)
{
	smtp_buf whole, split;
	smtp_buf_init(&whole);
	smtp_buf_init(&split);
	canon_body(c, body, len, seed, 0, &whole);
	canon_body(c, body, len, seed, max_chunk, &split);
	FUZZ_CHECK(whole.len == split.len && (whole.len == 0 || memcmp(whole.data, split.data, whole.len) == 0),
	           "chunked canonicalisation differs from one pass");

	const char *o = whole.data ? whole.data : "";
	size_t olen = whole.len, bad_at;
	if (!crlf_input) {
		/* nothing more to check */
	} else if (c == SMTP_DKIM_SIMPLE) {
		FUZZ_CHECK(fuzz_crlf_lines_ok(o, olen, SIZE_MAX, true, &bad_at), "bad line ending at %zu", bad_at);
		FUZZ_CHECK(olen >= 2, "simple body empty (RFC 6376 3.4.3: one CRLF)");
		FUZZ_CHECK(olen == 2 || olen < 4 || memcmp(o + olen - 4, "\r\n\r\n", 4) != 0, "trailing empty line kept");
	} else {
		FUZZ_CHECK(fuzz_crlf_lines_ok(o, olen, SIZE_MAX, olen > 0, &bad_at), "bad line ending at %zu", bad_at);
		FUZZ_CHECK(olen < 4 || memcmp(o + olen - 4, "\r\n\r\n", 4) != 0, "trailing empty line kept");
		FUZZ_CHECK(olen != 2, "relaxed body of one empty line");
		for (size_t i = 0; i < olen; i++) {
			if (o[i] == ' ') {
				FUZZ_CHECK(i + 1 < olen && o[i + 1] != ' ' && o[i + 1] != '\r', "space run or trailing space at %zu", i);
			}
			FUZZ_CHECK(o[i] != '\t', "tab left in a relaxed body");
		}
	}

	unsigned char h1[SMTP_DKIM_HASH_LEN], h2[SMTP_DKIM_HASH_LEN];
	hash_body(c, body, len, seed, 0, h1);
	hash_body(c, body, len, seed ^ 0xA5A5u, max_chunk, h2);
	FUZZ_CHECK(memcmp(h1, h2, sizeof(h1)) == 0, "chunked body hash differs");

	smtp_buf_free(&whole);
	smtp_buf_free(&split);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_reader r;
	fuzz_reader_init(&r, data, size);
	smtp_dkim_canon c = fuzz_u8(&r) & 1 ? SMTP_DKIM_RELAXED : SMTP_DKIM_SIMPLE;
	uint32_t seed = fuzz_u16(&r) + 1u;
	size_t max_chunk = 1 + fuzz_u8(&r) % 32;
	size_t len;
	const char *rest = fuzz_rest(&r, &len);
	char *body = malloc(len ? len : 1);
	memcpy(body, rest, len);

	check_body(c, body, len, seed, max_chunk, false);
	size_t normal_len;
	char *normal = fuzz_reference_crlf(body, len, &normal_len);
	check_body(c, normal, normal_len, seed, max_chunk, true);

	/* the same bytes, CRLF-normalised as the signer gets them, as a header block */
	smtp_dkim_field *fields = NULL;
	size_t count = 0;
	FUZZ_CHECK(smtp_dkim_parse_fields(normal, normal_len, &fields, &count) == 0, "parse_fields failed");
	for (size_t i = 0; i < count; i++) {
		FUZZ_CHECK(fields[i].text >= normal && fields[i].text + fields[i].len <= normal + normal_len, "field outside the block");
		FUZZ_CHECK(fields[i].name_len <= fields[i].len, "name longer than the field");
		size_t clen;
		char *canon = smtp_dkim_canon_field(c, fields[i].text, fields[i].len, &clen);
		FUZZ_CHECK(canon != NULL, "canon_field failed");
		if (c == SMTP_DKIM_RELAXED) {
			/* a line without ':' is not a field; its text is passed on as it is */
			const char *colon = memchr(canon, ':', clen);
			/* the value: unfolded, white space runs made one SP, none at the end
			 * (a name is kept as it is but for case: a malformed one, with a
			 * line break before its ':', is not ours to repair) */
			for (size_t k = colon ? (size_t) (colon - canon) + 1 : clen; k < clen; k++) {
				FUZZ_CHECK(canon[k] != '\r' && canon[k] != '\n', "line break in a relaxed field value");
				FUZZ_CHECK(!(canon[k] == ' ' && (k + 1 == clen || canon[k + 1] == ' ')),
				           "space run or trailing space in a relaxed field value");
				FUZZ_CHECK(canon[k] != '\t', "tab in a relaxed field value");
			}
			for (const char *p = canon; colon && p < colon; p++) {
				FUZZ_CHECK(!(*p >= 'A' && *p <= 'Z'), "upper case in a relaxed field name");
			}
		} else {
			FUZZ_CHECK(clen == fields[i].len && memcmp(canon, fields[i].text, clen) == 0, "simple field changed");
		}
		free(canon);
	}
	size_t signed_len;
	char *signed_fields = smtp_dkim_signed_fields(fields, count, "from:to:subject:from:date", c, &signed_len);
	FUZZ_CHECK(signed_fields != NULL, "signed_fields failed");
	free(signed_fields);
	free(fields);
	free(normal);

	free(body);
	return 0;
}
