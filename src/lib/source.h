/*
 * A rewindable pull source of message bytes: what the transport reads the
 * DATA of a message from. The MIME writer, a memory buffer (sendRaw) and the
 * DKIM signer (which reads a source once to hash it, then rewinds it to send)
 * all speak this one interface, so the transport never knows which it has.
 *
 * Pure C, no php.h: it is shared by the Zend glue, the unit tests and the fuzzers.
 */
#ifndef SMTP_LIB_SOURCE_H
#define SMTP_LIB_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct smtp_source {
	/* Copy up to cap bytes into buf. Returns the count, 0 at the end, -1 on error. */
	ssize_t (*read)(void *ctx, char *buf, size_t cap);
	/* Start again from the first byte. Returns 0, or -1 on error. */
	int (*rewind)(void *ctx);
	/* A human-readable reason for the last -1, never NULL (may be ""). */
	const char *(*error)(void *ctx);
	void *ctx;
} smtp_source;

static inline ssize_t smtp_source_read(const smtp_source *s, char *buf, size_t cap)
{
	return s->read(s->ctx, buf, cap);
}

static inline int smtp_source_rewind(const smtp_source *s)
{
	return s->rewind(s->ctx);
}

static inline const char *smtp_source_error(const smtp_source *s)
{
	return s->error ? s->error(s->ctx) : "";
}

/* True when data holds an octet above 127: the message needs BODY=8BITMIME
 * (RFC 6152) where the server offers it. */
static inline bool smtp_data_8bit(const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)data[i] & 0x80) {
			return true;
		}
	}
	return false;
}

/* Reads s through for smtp_data_8bit() and rewinds it. Returns 0, or -1 when
 * it could not be read or rewound. */
int smtp_source_8bit(const smtp_source *s, bool *eight_bit);

/* ---- sources over memory ---- */

/* Bytes in memory, sent with every bare CR and bare LF made CRLF and a final
 * CRLF added when missing (see crlf.h). The bytes are borrowed: they must
 * outlive the source. */
typedef struct {
	const char *data;
	size_t len;
	size_t pos;
	int pending; /* bytes of a line ending still to emit: "\n" after a "\r" that did not fit, or a whole final CRLF */
	int state;
	bool clean;  /* no bare CR or LF: bytes go out as they are */
	size_t size; /* what the source produces in all */
} smtp_crlf_source;

void smtp_crlf_source_init(smtp_crlf_source *s, const char *data, size_t len);
smtp_source smtp_crlf_source_as_source(smtp_crlf_source *s);

/* Another source's bytes with the same normalisation as smtp_crlf_source:
 * every bare CR and bare LF becomes CRLF, and a final CRLF is added when
 * missing. For bytes that were not made here (a spool file), so what goes
 * to the dot-stuffer is always CRLF text: a lone LF "." LF cannot end the
 * DATA early at a server that accepts bare line feeds. */
#define SMTP_CRLF_STREAM_CHUNK 8192
typedef struct {
	const smtp_source *inner;
	char in[SMTP_CRLF_STREAM_CHUNK];
	size_t in_len, in_pos;
	bool after_cr;   /* the last input byte was a CR (its CRLF is out): a following LF is dropped */
	bool line_start; /* the last byte produced ended a line (or nothing was produced yet) */
	bool produced;   /* something was produced */
	bool done;       /* the inner source ended */
	int pending;     /* bytes of a CRLF still to produce (2: CR LF, 1: LF) */
} smtp_crlf_stream;

void smtp_crlf_stream_init(smtp_crlf_stream *s, const smtp_source *inner);
smtp_source smtp_crlf_stream_as_source(smtp_crlf_stream *s);

/* A prefix in memory (e.g. DKIM-Signature fields) followed by another source.
 * Rewinding starts again at the prefix and rewinds the inner source. */
typedef struct {
	const char *prefix;
	size_t prefix_len;
	size_t pos;
	const smtp_source *inner;
} smtp_prefixed_source;

void smtp_prefixed_source_init(smtp_prefixed_source *s, const char *prefix, size_t len, const smtp_source *inner);
smtp_source smtp_prefixed_source_as_source(smtp_prefixed_source *s);

#endif
