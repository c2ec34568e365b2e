/*
 * Helpers shared by the libFuzzer targets: an invariant check that aborts
 * (so libFuzzer saves the input as a crash), a reader that turns the fuzz
 * input into structured values, a tiny PRNG for chunk sizes, and the line
 * checks every writer must pass (CRLF only, bounded line length).
 *
 * Header-only and static: each target is one translation unit.
 */
#ifndef SMTP_FUZZ_UTIL_H
#define SMTP_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An invariant that does not hold is a finding, exactly like a crash. */
#define FUZZ_CHECK(cond, ...)                                                          \
	do {                                                                               \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "INVARIANT BROKEN %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                              \
	} while (0)

/* Consumes the fuzz input front to back; past the end every read gives zeros. */
typedef struct {
	const uint8_t *data;
	size_t len;
	size_t pos;
} fuzz_reader;

static inline void fuzz_reader_init(fuzz_reader *r, const uint8_t *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->pos = 0;
}

static inline uint8_t fuzz_u8(fuzz_reader *r)
{
	return r->pos < r->len ? r->data[r->pos++] : 0;
}

static inline uint16_t fuzz_u16(fuzz_reader *r)
{
	uint16_t hi = fuzz_u8(r);
	return (uint16_t) (hi << 8 | fuzz_u8(r));
}

/* Up to max bytes, length taken from the input (borrowed, not NUL-terminated). */
static inline const char *fuzz_bytes(fuzz_reader *r, size_t max, size_t *len)
{
	size_t want = max ? fuzz_u16(r) % (max + 1) : 0;
	size_t avail = r->len - r->pos;
	if (want > avail) {
		want = avail;
	}
	const char *p = (const char *) r->data + r->pos;
	r->pos += want;
	*len = want;
	return p;
}

static inline const char *fuzz_rest(fuzz_reader *r, size_t *len)
{
	*len = r->len - r->pos;
	const char *p = (const char *) r->data + r->pos;
	r->pos = r->len;
	return p;
}

/* xorshift32: deterministic chunk sizes from a seed taken from the input. */
static inline uint32_t fuzz_next(uint32_t *state)
{
	uint32_t x = *state ? *state : 0x9E3779B9u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* True when every line ending is CRLF (no bare CR, no bare LF), every line
 * has at most max_line octets before its CRLF, and (when require_final) the
 * text ends with CRLF. On failure, *bad_at is the offset of the problem. */
static inline bool fuzz_crlf_lines_ok(const char *s, size_t len, size_t max_line, bool require_final, size_t *bad_at)
{
	size_t line_start = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\r') {
			if (i + 1 >= len || s[i + 1] != '\n') {
				*bad_at = i;
				return false;
			}
			if (i - line_start > max_line) {
				*bad_at = line_start;
				return false;
			}
			i++;
			line_start = i + 1;
		} else if (s[i] == '\n') {
			*bad_at = i;
			return false;
		}
	}
	if (len - line_start > max_line || (require_final && line_start != len)) {
		*bad_at = line_start;
		return false;
	}
	return true;
}

/* The reference CRLF normalisation, written the slow obvious way: CRLF, a
 * lone CR and a lone LF each become CRLF. Returns a malloc'd buffer. */
static inline char *fuzz_reference_crlf(const char *s, size_t len, size_t *out_len)
{
	char *out = malloc(2 * len + 3);
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') {
			continue; /* the LF that follows writes the pair */
		}
		if (s[i] == '\r' || s[i] == '\n') {
			out[o++] = '\r';
			out[o++] = '\n';
		} else {
			out[o++] = s[i];
		}
	}
	*out_len = o;
	return out;
}

#endif
