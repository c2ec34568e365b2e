/*
 * The CRLF normaliser (smtp_crlf), the two sources built on it (the memory
 * source, and the stream over another source that a spool flush sends a body
 * through) and the prefixed source (src/lib/source.c), fed and read in piece
 * sizes the input chooses: the output must
 * equal a reference normalisation done the slow way, contain no bare CR or
 * LF, match the size the source announces, and come out the same after a rewind.
 */
#include "fuzz_util.h"
#include "source.h"

/* Reads src to its end in pseudo-random chunks of 1..max_chunk bytes. */
static char *drain(const smtp_source *src, uint32_t seed, size_t max_chunk, size_t limit, size_t *out_len)
{
	char *out = malloc(limit + 1);
	size_t o = 0;
	for (;;) {
		size_t want = 1 + fuzz_next(&seed) % max_chunk;
		char *chunk = malloc(want); /* exact size: an overrun is an ASan report */
		ssize_t n = smtp_source_read(src, chunk, want);
		FUZZ_CHECK(n >= 0 && (size_t) n <= want, "read returned %zd for a %zu-byte buffer", n, want);
		FUZZ_CHECK(o + (size_t) n <= limit, "source produced more than %zu bytes", limit);
		memcpy(out + o, chunk, (size_t) n);
		free(chunk);
		o += (size_t) n;
		if (n == 0) {
			break;
		}
	}
	*out_len = o;
	return out;
}

/* An inner source that hands out 1..max bytes a read, as a file read might. */
typedef struct {
	const char *data;
	size_t len, pos, max;
	uint32_t seed;
} pieces;

static ssize_t pieces_read(void *ctx, char *buf, size_t cap)
{
	pieces *p = ctx;
	size_t n = 1 + fuzz_next(&p->seed) % p->max;
	n = n < cap ? n : cap;
	n = n < p->len - p->pos ? n : p->len - p->pos;
	memcpy(buf, p->data + p->pos, n);
	p->pos += n;
	return (ssize_t) n;
}

static int pieces_rewind(void *ctx)
{
	((pieces *) ctx)->pos = 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_reader r;
	fuzz_reader_init(&r, data, size);
	uint32_t seed = (uint32_t) fuzz_u16(&r) << 16 | fuzz_u16(&r);
	size_t max_chunk = 1 + fuzz_u8(&r) % 64;
	size_t prefix_len;
	const char *prefix_in = fuzz_bytes(&r, 64, &prefix_len);
	size_t len;
	const char *in = fuzz_rest(&r, &len);

	/* exact-size copies, so reading one byte too far is caught */
	char *body = malloc(len ? len : 1);
	memcpy(body, in, len);
	char *prefix = malloc(prefix_len ? prefix_len : 1);
	memcpy(prefix, prefix_in, prefix_len);

	size_t ref_len;
	char *ref = fuzz_reference_crlf(body, len, &ref_len);
	if (ref_len < 2 || ref[ref_len - 2] != '\r' || ref[ref_len - 1] != '\n') {
		ref[ref_len++] = '\r'; /* the final CRLF the source promises (an empty input is one CRLF) */
		ref[ref_len++] = '\n';
	}
	smtp_crlf_source crlf;
	smtp_crlf_source_init(&crlf, body, len);
	FUZZ_CHECK(crlf.size == ref_len, "size %zu, reference %zu", crlf.size, ref_len);
	smtp_source src = smtp_crlf_source_as_source(&crlf);

	size_t out_len, bad_at;
	char *out = drain(&src, seed, max_chunk, ref_len, &out_len);
	FUZZ_CHECK(out_len == ref_len && memcmp(out, ref, ref_len) == 0, "output differs from the reference");
	FUZZ_CHECK(fuzz_crlf_lines_ok(out, out_len, SIZE_MAX, true, &bad_at), "bare CR or LF at %zu", bad_at);
	free(out);

	/* after a rewind, other chunk sizes, the same bytes */
	FUZZ_CHECK(smtp_source_rewind(&src) == 0, "rewind failed");
	out = drain(&src, seed ^ 0x5bd1e995u, 1 + (max_chunk * 7) % 64, ref_len, &out_len);
	FUZZ_CHECK(out_len == ref_len && memcmp(out, ref, ref_len) == 0, "output differs after rewind");
	free(out);

	/* a prefix in front of the same source: prefix bytes verbatim, then the body */
	smtp_prefixed_source prefixed;
	smtp_prefixed_source_init(&prefixed, prefix, prefix_len, &src);
	smtp_source both = smtp_prefixed_source_as_source(&prefixed);
	for (int round = 0; round < 2; round++) {
		FUZZ_CHECK(smtp_source_rewind(&both) == 0, "prefixed rewind failed");
		out = drain(&both, seed + (uint32_t) round, max_chunk, prefix_len + ref_len, &out_len);
		FUZZ_CHECK(out_len == prefix_len + ref_len && memcmp(out, prefix, prefix_len) == 0 &&
		               memcmp(out + prefix_len, ref, ref_len) == 0,
		           "prefixed output differs (round %d)", round);
		free(out);
	}
	FUZZ_CHECK(smtp_source_error(&both) != NULL, "error() returned NULL");

	/* the stream over another source: the memory source's bytes, again after a rewind */
	pieces inner = {body, len, 0, 1 + max_chunk * 3, seed ^ 0x9e3779b9u};
	smtp_source inner_source = {pieces_read, pieces_rewind, NULL, &inner};
	smtp_crlf_stream *stream = malloc(sizeof(*stream));
	smtp_crlf_stream_init(stream, &inner_source);
	smtp_source streamed = smtp_crlf_stream_as_source(stream);
	for (int round = 0; round < 2; round++) {
		out = drain(&streamed, seed + 7u * (uint32_t) round, max_chunk, ref_len, &out_len);
		FUZZ_CHECK(out_len == ref_len && memcmp(out, ref, ref_len) == 0, "the stream differs (round %d)", round);
		free(out);
		FUZZ_CHECK(smtp_source_rewind(&streamed) == 0, "stream rewind failed");
	}
	free(stream);

	/* the normaliser itself, fed input pieces and given output room of random sizes */
	smtp_crlf core;
	smtp_crlf_init(&core);
	out = malloc(ref_len + 64); /* room beyond the reference: producing too much is caught below */
	size_t o = 0, i = 0, n;
	while (i < len) {
		size_t piece = 1 + fuzz_next(&seed) % max_chunk, room = 1 + fuzz_next(&seed) % max_chunk, used;
		piece = piece < len - i ? piece : len - i;
		n = smtp_crlf_convert(&core, body + i, piece, &used, out + o, room);
		FUZZ_CHECK(n <= room && used <= piece && (n > 0 || used > 0), "smtp_crlf_convert: no progress");
		o += n;
		FUZZ_CHECK(o <= ref_len, "smtp_crlf produced more than the reference");
		i += used;
	}
	while ((n = smtp_crlf_finish(&core, out + o, 1 + fuzz_next(&seed) % 3)) > 0) {
		o += n;
		FUZZ_CHECK(o <= ref_len, "smtp_crlf_finish produced more than the reference");
	}
	FUZZ_CHECK(o == ref_len && memcmp(out, ref, ref_len) == 0, "smtp_crlf differs from the reference");
	free(out);

	free(ref);
	free(prefix);
	free(body);
	return 0;
}
