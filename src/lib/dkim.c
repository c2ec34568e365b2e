/*
 * DKIM signing: canonicalisation, key handling and signatures (see dkim.h).
 * Pure C + OpenSSL EVP; no php.h.
 */
#include "dkim.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* The DKIM-Signature field is folded so that no line is longer than this. */
#define DKIM_FOLD_COLUMNS 78
/* A key file bigger than this is not a key (an 8192-bit RSA PEM is ~6.3 KiB). */
#define DKIM_MAX_KEY_FILE (64 * 1024)
/* How much the source is asked for at a time. */
#define DKIM_READ_CHUNK (16 * 1024)

static void set_error(smtp_dkim_error *err, smtp_dkim_status status, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static void set_error(smtp_dkim_error *err, smtp_dkim_status status, const char *format, ...)
{
	/* OpenSSL's queue may hold the reasons of what just failed; they must not
	 * leak into whoever looks at the queue next (PHP's openssl extension). */
	ERR_clear_error();
	if (!err) {
		return;
	}
	va_list args;
	va_start(args, format);
	err->status = status;
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start is right above; the analyzer loses it */
	vsnprintf(err->message, sizeof(err->message), format, args);
	va_end(args);
}

static void clear_error(smtp_dkim_error *err)
{
	if (err) {
		err->status = SMTP_DKIM_OK;
		err->message[0] = '\0';
	}
}

static inline bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static inline char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c + ('a' - 'A')) : c;
}

const char *smtp_dkim_algorithm_name(smtp_dkim_algorithm algorithm)
{
	return algorithm == SMTP_DKIM_ED25519_SHA256 ? "ed25519-sha256" : "rsa-sha256";
}

int smtp_dkim_algorithm_parse(const char *name, size_t len, smtp_dkim_algorithm *algorithm)
{
	if (len == strlen("rsa-sha256") && memcmp(name, "rsa-sha256", len) == 0) {
		*algorithm = SMTP_DKIM_RSA_SHA256;
		return 0;
	}
	if (len == strlen("ed25519-sha256") && memcmp(name, "ed25519-sha256", len) == 0) {
		*algorithm = SMTP_DKIM_ED25519_SHA256;
		return 0;
	}
	return -1;
}

/* ---- a small growable buffer ------------------------------------------- */

typedef struct {
	char *data;
	size_t len;
	size_t cap;
	bool failed; /* an allocation failed: every later append is a no-op */
} dkim_buf;

static bool buf_reserve(dkim_buf *b, size_t extra)
{
	if (b->failed) {
		return false;
	}
	if (extra > SIZE_MAX - b->len - 1) {
		b->failed = true;
		return false;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap) {
		return true;
	}
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need) {
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	}
	char *data = realloc(b->data, cap);
	if (!data) {
		b->failed = true;
		return false;
	}
	b->data = data;
	b->cap = cap;
	return true;
}

static void buf_append(dkim_buf *b, const char *s, size_t len)
{
	if (!buf_reserve(b, len)) {
		return;
	}
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

static void buf_puts(dkim_buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

static void buf_putc(dkim_buf *b, char c)
{
	buf_append(b, &c, 1);
}

static void buf_free(dkim_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* base64 without line breaks; malloc'd, NULL when out of memory. */
static char *base64_encode(const unsigned char *in, size_t len)
{
	if (len > (SIZE_MAX / 4) * 3 - 3 || len > 0x7fffffff / 2) {
		return NULL;
	}
	size_t out_cap = ((len + 2) / 3) * 4 + 1;
	char *out = malloc(out_cap);
	if (!out) {
		return NULL;
	}
	EVP_EncodeBlock((unsigned char *) out, in, (int) len);
	return out;
}

/* ---- body canonicalisation ------------------------------------------------ */

/* The state is a handful of flags and one counter, whatever the body: the
 * whitespace run and the empty lines seen but not yet known to be inside the
 * body (trailing ones are dropped) are counted, not stored. Output goes
 * through a small buffer so the sink (SHA-256) sees blocks, not bytes. */
struct smtp_dkim_body_canon {
	smtp_dkim_canon canon;
	smtp_dkim_sink sink;
	void *sink_ctx;
	bool pending_cr;          /* a CR was the last byte: a line break if LF follows */
	bool pending_wsp;         /* relaxed: a whitespace run inside the current line */
	bool line_has_content;    /* the current line has put out something */
	bool body_has_content;    /* some line has been put out */
	bool failed;              /* the sink refused: everything after is ignored */
	uint64_t pending_empty_lines;
	size_t out_len;
	char out[2048];
};

static void canon_flush(smtp_dkim_body_canon *c)
{
	if (c->out_len && !c->failed) {
		if (c->sink(c->sink_ctx, c->out, c->out_len) != 0) {
			c->failed = true;
		}
	}
	c->out_len = 0;
}

static inline void canon_emit(smtp_dkim_body_canon *c, char ch)
{
	if (c->out_len == sizeof(c->out)) {
		canon_flush(c);
	}
	c->out[c->out_len++] = ch;
}

/* Empty lines turn out to be inside the body once something follows them. */
static void canon_emit_pending_lines(smtp_dkim_body_canon *c)
{
	for (; c->pending_empty_lines; c->pending_empty_lines--) {
		canon_emit(c, '\r');
		canon_emit(c, '\n');
	}
}

/* One byte that is not part of a line break. */
static void canon_byte(smtp_dkim_body_canon *c, char ch)
{
	if (c->canon == SMTP_DKIM_RELAXED && is_wsp(ch)) {
		c->pending_wsp = true;
		return;
	}
	canon_emit_pending_lines(c);
	if (c->pending_wsp) {
		/* relaxed: a run inside a line (or at its start) is one SP; one at
		 * the end of a line is dropped, which canon_line_end does. */
		canon_emit(c, ' ');
		c->pending_wsp = false;
	}
	canon_emit(c, ch);
	c->line_has_content = true;
	c->body_has_content = true;
}

static void canon_line_end(smtp_dkim_body_canon *c)
{
	c->pending_wsp = false;
	if (c->line_has_content) {
		canon_emit(c, '\r');
		canon_emit(c, '\n');
		c->line_has_content = false;
	} else {
		c->pending_empty_lines++;
	}
}

smtp_dkim_body_canon *smtp_dkim_body_canon_new(smtp_dkim_canon canon, smtp_dkim_sink sink, void *sink_ctx)
{
	smtp_dkim_body_canon *c = calloc(1, sizeof(*c));
	if (c) {
		c->canon = canon;
		c->sink = sink;
		c->sink_ctx = sink_ctx;
	}
	return c;
}

int smtp_dkim_body_canon_update(smtp_dkim_body_canon *c, const char *data, size_t len)
{
	for (size_t i = 0; i < len && !c->failed; i++) {
		char ch = data[i];
		if (ch == '\n') {
			c->pending_cr = false;
			canon_line_end(c);
			continue;
		}
		if (c->pending_cr) {
			/* a CR not followed by LF is an ordinary byte */
			c->pending_cr = false;
			canon_byte(c, '\r');
		}
		if (ch == '\r') {
			c->pending_cr = true;
		} else {
			canon_byte(c, ch);
		}
	}
	return c->failed ? -1 : 0;
}

int smtp_dkim_body_canon_finish(smtp_dkim_body_canon *c)
{
	if (c->pending_cr) {
		c->pending_cr = false;
		canon_byte(c, '\r');
	}
	/* A last line without its line break gets one (RFC 6376 3.4.3, 3.4.4);
	 * trailing whitespace and empty lines are dropped. */
	c->pending_wsp = false;
	if (c->line_has_content) {
		canon_emit(c, '\r');
		canon_emit(c, '\n');
		c->line_has_content = false;
	}
	c->pending_empty_lines = 0;
	/* simple: an empty body is one CRLF; relaxed: it stays empty. */
	if (c->canon == SMTP_DKIM_SIMPLE && !c->body_has_content) {
		canon_emit(c, '\r');
		canon_emit(c, '\n');
	}
	canon_flush(c);
	return c->failed ? -1 : 0;
}

void smtp_dkim_body_canon_free(smtp_dkim_body_canon *c)
{
	free(c);
}

struct smtp_dkim_body_hash {
	smtp_dkim_body_canon *canon;
	EVP_MD_CTX *md;
};

static int hash_sink(void *ctx, const char *data, size_t len)
{
	return EVP_DigestUpdate((EVP_MD_CTX *) ctx, data, len) == 1 ? 0 : -1;
}

smtp_dkim_body_hash *smtp_dkim_body_hash_new(smtp_dkim_canon canon)
{
	smtp_dkim_body_hash *h = calloc(1, sizeof(*h));
	if (!h) {
		return NULL;
	}
	h->md = EVP_MD_CTX_new();
	if (!h->md || EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1) {
		smtp_dkim_body_hash_free(h);
		return NULL;
	}
	h->canon = smtp_dkim_body_canon_new(canon, hash_sink, h->md);
	if (!h->canon) {
		smtp_dkim_body_hash_free(h);
		return NULL;
	}
	return h;
}

int smtp_dkim_body_hash_update(smtp_dkim_body_hash *h, const char *data, size_t len)
{
	return smtp_dkim_body_canon_update(h->canon, data, len);
}

int smtp_dkim_body_hash_final(smtp_dkim_body_hash *h, unsigned char out[SMTP_DKIM_HASH_LEN])
{
	unsigned int out_len = 0;
	if (smtp_dkim_body_canon_finish(h->canon) != 0 || EVP_DigestFinal_ex(h->md, out, &out_len) != 1 ||
	    out_len != SMTP_DKIM_HASH_LEN) {
		return -1;
	}
	return 0;
}

void smtp_dkim_body_hash_free(smtp_dkim_body_hash *h)
{
	if (!h) {
		return;
	}
	smtp_dkim_body_canon_free(h->canon);
	EVP_MD_CTX_free(h->md);
	free(h);
}

/* ---- header fields ---------------------------------------------------------- */

int smtp_dkim_parse_fields(const char *block, size_t len, smtp_dkim_field **fields_out, size_t *count_out)
{
	smtp_dkim_field *fields = NULL;
	size_t count = 0, cap = 0;
	size_t pos = 0;

	*fields_out = NULL;
	*count_out = 0;
	while (pos < len) {
		/* one line: [pos, line_end), the break after it ends at next */
		const char *lf = memchr(block + pos, '\n', len - pos);
		size_t next = lf ? (size_t) (lf - block) + 1 : len;
		size_t line_end = lf ? (size_t) (lf - block) : len;
		if (line_end > pos && block[line_end - 1] == '\r') {
			line_end--;
		}
		if (is_wsp(block[pos])) {
			/* a continuation line belongs to the field before it */
			if (count) {
				fields[count - 1].len = line_end - (size_t) (fields[count - 1].text - block);
			}
		} else if (line_end > pos) {
			if (count == cap) {
				size_t new_cap = cap ? cap * 2 : 32;
				smtp_dkim_field *grown = realloc(fields, new_cap * sizeof(*fields));
				if (!grown) {
					free(fields);
					return -1;
				}
				fields = grown;
				cap = new_cap;
			}
			smtp_dkim_field *f = &fields[count++];
			f->text = block + pos;
			f->len = line_end - pos;
			const char *colon = memchr(f->text, ':', f->len);
			size_t name_len = colon ? (size_t) (colon - f->text) : 0;
			while (name_len && is_wsp(f->text[name_len - 1])) {
				name_len--;
			}
			f->name_len = name_len;
		}
		pos = next;
	}
	*fields_out = fields;
	*count_out = count;
	return 0;
}

char *smtp_dkim_canon_field(smtp_dkim_canon canon, const char *field, size_t len, size_t *out_len)
{
	char *out = malloc(len + 1);
	if (!out) {
		return NULL;
	}
	if (canon == SMTP_DKIM_SIMPLE) {
		memcpy(out, field, len);
		out[len] = '\0';
		*out_len = len;
		return out;
	}

	const char *colon = memchr(field, ':', len);
	size_t name_end = colon ? (size_t) (colon - field) : len;
	size_t o = 0;
	/* the name in lower case, without the whitespace before ':' */
	size_t name_len = name_end;
	while (name_len && is_wsp(field[name_len - 1])) {
		name_len--;
	}
	for (size_t i = 0; i < name_len; i++) {
		out[o++] = ascii_lower(field[i]);
	}
	if (colon) {
		out[o++] = ':';
		/* the value unfolded (line breaks dropped), each whitespace run one SP,
		 * none at the start or the end */
		bool pending_space = false, started = false;
		for (size_t i = name_end + 1; i < len; i++) {
			char ch = field[i];
			if (ch == '\r' || ch == '\n') {
				continue;
			}
			if (is_wsp(ch)) {
				pending_space = started;
				continue;
			}
			if (pending_space) {
				out[o++] = ' ';
				pending_space = false;
			}
			out[o++] = ch;
			started = true;
		}
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

/* The next name in an h= list: skips whitespace and ':' separators. */
static bool next_list_name(const char **cursor, const char **name, size_t *name_len)
{
	const char *p = *cursor;
	while (*p && (*p == ':' || is_wsp(*p) || *p == '\r' || *p == '\n')) {
		p++;
	}
	if (!*p) {
		return false;
	}
	const char *start = p;
	while (*p && *p != ':' && !is_wsp(*p) && *p != '\r' && *p != '\n') {
		p++;
	}
	*name = start;
	*name_len = (size_t) (p - start);
	*cursor = p;
	return true;
}

static bool names_equal(const char *a, size_t a_len, const char *b, size_t b_len)
{
	if (a_len != b_len) {
		return false;
	}
	for (size_t i = 0; i < a_len; i++) {
		if (ascii_lower(a[i]) != ascii_lower(b[i])) {
			return false;
		}
	}
	return true;
}

char *smtp_dkim_signed_fields(const smtp_dkim_field *fields, size_t count, const char *h_list, smtp_dkim_canon canon,
                              size_t *out_len)
{
	dkim_buf out = {0};
	bool *taken = calloc(count ? count : 1, sizeof(bool));
	if (!taken) {
		return NULL;
	}
	buf_reserve(&out, 0);

	const char *cursor = h_list, *name;
	size_t name_len;
	while (next_list_name(&cursor, &name, &name_len)) {
		/* RFC 6376 5.4.2: repeated fields are used from the bottom up */
		for (size_t i = count; i-- > 0;) {
			if (taken[i] || !names_equal(fields[i].text, fields[i].name_len, name, name_len)) {
				continue;
			}
			taken[i] = true;
			size_t canon_len;
			char *canonical = smtp_dkim_canon_field(canon, fields[i].text, fields[i].len, &canon_len);
			if (!canonical) {
				out.failed = true;
				break;
			}
			buf_append(&out, canonical, canon_len);
			buf_append(&out, "\r\n", 2);
			free(canonical);
			break;
		}
	}
	free(taken);
	if (out.failed) {
		buf_free(&out);
		return NULL;
	}
	*out_len = out.len;
	return out.data;
}

static const char *const signed_field_names[] = {
	"from", "to", "cc", "subject", "date", "message-id", "mime-version", "content-type", "reply-to", NULL,
};

char *smtp_dkim_header_list(const smtp_dkim_field *fields, size_t count)
{
	dkim_buf list = {0};
	buf_reserve(&list, 0);
	for (const char *const *name = signed_field_names; *name; name++) {
		for (size_t i = 0; i < count; i++) {
			if (names_equal(fields[i].text, fields[i].name_len, *name, strlen(*name))) {
				if (list.len) {
					buf_putc(&list, ':');
				}
				buf_puts(&list, *name);
			}
		}
	}
	/* one From more than there is: a From added later breaks the signature */
	if (list.len) {
		buf_putc(&list, ':');
	}
	buf_puts(&list, "from");
	if (list.failed) {
		buf_free(&list);
		return NULL;
	}
	return list.data;
}

/* ---- keys ------------------------------------------------------------------------ */

struct smtp_dkim_key {
	EVP_PKEY *pkey;
	smtp_dkim_algorithm algorithm;
	int bits;
};

/* An encrypted PEM must fail, not prompt on the terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *userdata)
{
	(void) buf;
	(void) size;
	(void) rwflag;
	(void) userdata;
	return -1;
}

static smtp_dkim_key *key_from_pkey(EVP_PKEY *pkey, smtp_dkim_error *err)
{
	smtp_dkim_algorithm algorithm;
	int id = EVP_PKEY_id(pkey);
	int bits = EVP_PKEY_bits(pkey);

	if (id == EVP_PKEY_RSA) {
		algorithm = SMTP_DKIM_RSA_SHA256;
		if (bits < SMTP_DKIM_MIN_RSA_BITS) {
			set_error(err, SMTP_DKIM_ERR_KEY, "the RSA key has %d bits; DKIM needs at least %d (2048 is advised)",
			          bits, SMTP_DKIM_MIN_RSA_BITS);
			EVP_PKEY_free(pkey);
			return NULL;
		}
	} else if (id == EVP_PKEY_ED25519) {
		algorithm = SMTP_DKIM_ED25519_SHA256;
	} else {
		set_error(err, SMTP_DKIM_ERR_KEY, "the key is neither RSA nor Ed25519 (DKIM signs with rsa-sha256 or ed25519-sha256)");
		EVP_PKEY_free(pkey);
		return NULL;
	}
	smtp_dkim_key *key = calloc(1, sizeof(*key));
	if (!key) {
		set_error(err, SMTP_DKIM_ERR_MEMORY, "out of memory");
		EVP_PKEY_free(pkey);
		return NULL;
	}
	key->pkey = pkey;
	key->algorithm = algorithm;
	key->bits = bits;
	return key;
}

static bool contains(const char *text, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++) {
		if (memcmp(text + i, needle, n) == 0) {
			return true;
		}
	}
	return false;
}

static smtp_dkim_key *key_from_pem(const char *pem, size_t len, smtp_dkim_error *err)
{
	if (len > 0x7fffffff) {
		set_error(err, SMTP_DKIM_ERR_KEY, "the key is too large to be a private key");
		return NULL;
	}
	if (contains(pem, len, "ENCRYPTED")) {
		set_error(err, SMTP_DKIM_ERR_KEY, "the PEM key is encrypted; give it without a passphrase");
		return NULL;
	}
	if (contains(pem, len, "-----BEGIN PUBLIC KEY") || contains(pem, len, "-----BEGIN RSA PUBLIC KEY")) {
		set_error(err, SMTP_DKIM_ERR_KEY, "this is a public key; signing needs the private key");
		return NULL;
	}
	BIO *bio = BIO_new_mem_buf(pem, (int) len);
	if (!bio) {
		set_error(err, SMTP_DKIM_ERR_MEMORY, "out of memory");
		return NULL;
	}
	EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (!pkey) {
		set_error(err, SMTP_DKIM_ERR_KEY, "the PEM private key could not be read (not an RSA or Ed25519 private key, or damaged)");
		return NULL;
	}
	ERR_clear_error();
	return key_from_pkey(pkey, err);
}

static bool is_base64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* A raw Ed25519 secret in base64: 43 characters and an optional '=', around
 * which whitespace (a trailing newline in a file) is allowed. */
static bool looks_like_ed25519_seed(const char *text, size_t len, const char **b64)
{
	while (len && (is_wsp(*text) || *text == '\r' || *text == '\n')) {
		text++;
		len--;
	}
	while (len && (is_wsp(text[len - 1]) || text[len - 1] == '\r' || text[len - 1] == '\n')) {
		len--;
	}
	if (len == 44 && text[43] == '=') {
		len = 43;
	}
	if (len != 43) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (!is_base64_char(text[i])) {
			return false;
		}
	}
	*b64 = text;
	return true;
}

static smtp_dkim_key *key_from_ed25519_seed(const char *b64, smtp_dkim_error *err)
{
	unsigned char padded[44], decoded[33];
	memcpy(padded, b64, 43);
	padded[43] = '=';
	/* 44 characters with one '=' decode to 33 bytes, the last a pad byte */
	int n = EVP_DecodeBlock(decoded, padded, 44);
	OPENSSL_cleanse(padded, sizeof(padded));
	if (n != 33) {
		OPENSSL_cleanse(decoded, sizeof(decoded));
		set_error(err, SMTP_DKIM_ERR_KEY, "the Ed25519 key is not valid base64");
		return NULL;
	}
	EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, decoded, 32);
	OPENSSL_cleanse(decoded, sizeof(decoded));
	if (!pkey) {
		set_error(err, SMTP_DKIM_ERR_CRYPTO, "OpenSSL could not make an Ed25519 key");
		return NULL;
	}
	return key_from_pkey(pkey, err);
}

static smtp_dkim_key *key_from_material(const char *text, size_t len, smtp_dkim_error *err, bool *recognised)
{
	const char *b64;
	size_t skip = 0;
	while (skip < len && (is_wsp(text[skip]) || text[skip] == '\r' || text[skip] == '\n')) {
		skip++;
	}
	*recognised = true;
	/* PEM, possibly after text such as the "Bag Attributes" of a PKCS#12 export */
	if (contains(text + skip, len - skip, "-----BEGIN")) {
		return key_from_pem(text + skip, len - skip, err);
	}
	if (looks_like_ed25519_seed(text, len, &b64)) {
		return key_from_ed25519_seed(b64, err);
	}
	*recognised = false;
	return NULL;
}

bool smtp_dkim_key_is_inline(const char *text, size_t len)
{
	const char *b64;
	size_t skip = 0;
	while (skip < len && (is_wsp(text[skip]) || text[skip] == '\r' || text[skip] == '\n')) {
		skip++;
	}
	return contains(text + skip, len - skip, "-----BEGIN") || looks_like_ed25519_seed(text, len, &b64);
}

/* Reads a whole small file into a malloc'd buffer. Returns 0 or an errno. */
static int read_small_file(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		return errno ? errno : ENOENT;
	}
	char *buf = malloc(DKIM_MAX_KEY_FILE + 1);
	if (!buf) {
		fclose(f);
		return ENOMEM;
	}
	size_t n = fread(buf, 1, DKIM_MAX_KEY_FILE + 1, f);
	int read_error = ferror(f);
	fclose(f);
	if (read_error || n > DKIM_MAX_KEY_FILE) {
		smtp_dkim_secret_free(buf, DKIM_MAX_KEY_FILE + 1);
		return read_error ? EIO : EFBIG;
	}
	*data = buf;
	*len = n;
	return 0;
}

smtp_dkim_key *smtp_dkim_key_load(const char *text, size_t len, smtp_dkim_error *err)
{
	bool recognised;
	clear_error(err);
	if (len == 0) {
		set_error(err, SMTP_DKIM_ERR_KEY, "the key is empty");
		return NULL;
	}
	smtp_dkim_key *key = key_from_material(text, len, err, &recognised);
	if (recognised) {
		return key;
	}

	/* Not key material: a path. It is named in errors only when it looks like
	 * one, so a mangled key pasted here is never echoed back. */
	bool path_like = len < 1024 && memchr(text, '\0', len) == NULL && memchr(text, '\n', len) == NULL;
	bool show = path_like && len <= 200 && memchr(text, '/', len) != NULL;
	if (!path_like) {
		set_error(err, SMTP_DKIM_ERR_KEY, "the key is neither a PEM private key nor a file path");
		return NULL;
	}
	char path[1024];
	memcpy(path, text, len);
	path[len] = '\0';

	char *data = NULL;
	size_t data_len = 0;
	int rc = read_small_file(path, &data, &data_len);
	if (rc != 0) {
		if (show) {
			set_error(err, SMTP_DKIM_ERR_KEY, "cannot read the key file %.200s: %s", path,
			          rc == EFBIG ? "too large to be a key" : strerror(rc));
		} else {
			set_error(err, SMTP_DKIM_ERR_KEY, "the key is not a PEM private key, and no readable file has that name");
		}
		return NULL;
	}
	key = key_from_material(data, data_len, err, &recognised);
	smtp_dkim_secret_free(data, DKIM_MAX_KEY_FILE + 1);
	if (!recognised) {
		if (show) {
			set_error(err, SMTP_DKIM_ERR_KEY, "the key file %.200s holds no PEM private key", path);
		} else {
			set_error(err, SMTP_DKIM_ERR_KEY, "the key file holds no PEM private key");
		}
		return NULL;
	}
	if (!key && err && show) {
		/* say which file the reason is about */
		char reason[sizeof(err->message)];
		snprintf(reason, sizeof(reason), "%s", err->message);
		snprintf(err->message, sizeof(err->message), "key file %.100s: %.140s", path, reason);
	}
	return key;
}

smtp_dkim_algorithm smtp_dkim_key_algorithm(const smtp_dkim_key *key)
{
	return key->algorithm;
}

int smtp_dkim_key_bits(const smtp_dkim_key *key)
{
	return key->bits;
}

char *smtp_dkim_key_dns_record(const smtp_dkim_key *key, smtp_dkim_error *err)
{
	unsigned char raw[32];
	unsigned char *der = NULL;
	char *b64 = NULL;
	const char *k;

	clear_error(err);
	if (key->algorithm == SMTP_DKIM_ED25519_SHA256) {
		size_t raw_len = sizeof(raw);
		if (EVP_PKEY_get_raw_public_key(key->pkey, raw, &raw_len) != 1 || raw_len != sizeof(raw)) {
			set_error(err, SMTP_DKIM_ERR_CRYPTO, "OpenSSL could not give the Ed25519 public key");
			return NULL;
		}
		b64 = base64_encode(raw, raw_len);
		k = "ed25519";
	} else {
		int der_len = i2d_PUBKEY(key->pkey, &der);
		if (der_len <= 0) {
			set_error(err, SMTP_DKIM_ERR_CRYPTO, "OpenSSL could not encode the RSA public key");
			return NULL;
		}
		b64 = base64_encode(der, (size_t) der_len);
		OPENSSL_free(der);
		k = "rsa";
	}
	if (!b64) {
		set_error(err, SMTP_DKIM_ERR_MEMORY, "out of memory");
		return NULL;
	}
	size_t record_len = strlen("v=DKIM1; k=; p=") + strlen(k) + strlen(b64) + 1;
	char *record = malloc(record_len);
	if (record) {
		snprintf(record, record_len, "v=DKIM1; k=%s; p=%s", k, b64);
	} else {
		set_error(err, SMTP_DKIM_ERR_MEMORY, "out of memory");
	}
	free(b64);
	return record;
}

void smtp_dkim_key_free(smtp_dkim_key *key)
{
	if (!key) {
		return;
	}
	/* EVP_PKEY_free clears the private numbers (BN_clear_free, and
	 * OPENSSL_secure_clear_free for the Ed25519 secret). */
	EVP_PKEY_free(key->pkey);
	free(key);
}

void smtp_dkim_secret_free(char *secret, size_t len)
{
	if (secret) {
		OPENSSL_cleanse(secret, len);
		free(secret);
	}
}

int smtp_dkim_sign_data(const smtp_dkim_key *key, const char *data, size_t len, unsigned char **sig_out,
                        size_t *sig_len_out, smtp_dkim_error *err)
{
	unsigned char digest[SMTP_DKIM_HASH_LEN];
	unsigned char *sig = NULL;
	size_t sig_len = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = 0;

	*sig_out = NULL;
	*sig_len_out = 0;
	if (!md) {
		set_error(err, SMTP_DKIM_ERR_MEMORY, "out of memory");
		return -1;
	}
	if (key->algorithm == SMTP_DKIM_ED25519_SHA256) {
		/* RFC 8463 3: PureEdDSA over the SHA-256 hash of the data, so OpenSSL
		 * gets the 32-byte hash and no digest of its own (NULL md). */
		unsigned int digest_len = 0;
		if (EVP_Digest(data, len, digest, &digest_len, EVP_sha256(), NULL) == 1 &&
		    EVP_DigestSignInit(md, NULL, NULL, NULL, key->pkey) == 1 &&
		    EVP_DigestSign(md, NULL, &sig_len, digest, sizeof(digest)) == 1 && (sig = malloc(sig_len)) != NULL &&
		    EVP_DigestSign(md, sig, &sig_len, digest, sizeof(digest)) == 1) {
			ok = 1;
		}
	} else {
		if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key->pkey) == 1 &&
		    EVP_DigestSignUpdate(md, data, len) == 1 && EVP_DigestSignFinal(md, NULL, &sig_len) == 1 &&
		    (sig = malloc(sig_len)) != NULL && EVP_DigestSignFinal(md, sig, &sig_len) == 1) {
			ok = 1;
		}
	}
	EVP_MD_CTX_free(md);
	if (!ok) {
		free(sig);
		set_error(err, SMTP_DKIM_ERR_CRYPTO, "OpenSSL could not make the %s signature",
		          smtp_dkim_algorithm_name(key->algorithm));
		return -1;
	}
	*sig_out = sig;
	*sig_len_out = sig_len;
	return 0;
}

int smtp_dkim_generate_key(smtp_dkim_algorithm algorithm, int bits, char **private_pem, size_t *private_pem_len,
                           char **dns_record, smtp_dkim_error *err)
{
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	BIO *bio = NULL;
	smtp_dkim_key *key = NULL;
	char *pem = NULL;
	size_t pem_len = 0;

	clear_error(err);
	*private_pem = NULL;
	*private_pem_len = 0;
	*dns_record = NULL;
	if (algorithm == SMTP_DKIM_RSA_SHA256 && (bits < SMTP_DKIM_MIN_RSA_BITS || bits > SMTP_DKIM_MAX_RSA_BITS)) {
		set_error(err, SMTP_DKIM_ERR_ARGUMENT, "an RSA key must have %d to %d bits (2048 is advised), not %d",
		          SMTP_DKIM_MIN_RSA_BITS, SMTP_DKIM_MAX_RSA_BITS, bits);
		return -1;
	}

	ctx = EVP_PKEY_CTX_new_id(algorithm == SMTP_DKIM_RSA_SHA256 ? EVP_PKEY_RSA : EVP_PKEY_ED25519, NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 ||
	    (algorithm == SMTP_DKIM_RSA_SHA256 && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) != 1) ||
	    EVP_PKEY_keygen(ctx, &pkey) != 1) {
		set_error(err, SMTP_DKIM_ERR_CRYPTO, "OpenSSL could not generate the %s key",
		          smtp_dkim_algorithm_name(algorithm));
		goto fail;
	}
	/* A secure-memory BIO: the PEM it holds is wiped when it is freed. */
	bio = BIO_new(BIO_s_secmem());
	char *bio_data = NULL;
	long bio_len;
	if (!bio || PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) != 1 ||
	    (bio_len = BIO_get_mem_data(bio, &bio_data)) <= 0) {
		set_error(err, SMTP_DKIM_ERR_CRYPTO, "OpenSSL could not write the private key as PEM");
		goto fail;
	}
	pem_len = (size_t) bio_len;
	pem = malloc(pem_len + 1);
	if (!pem) {
		set_error(err, SMTP_DKIM_ERR_MEMORY, "out of memory");
		goto fail;
	}
	memcpy(pem, bio_data, pem_len);
	pem[pem_len] = '\0';

	key = key_from_pkey(pkey, err);
	pkey = NULL; /* the key owns it now, or freed it */
	if (!key) {
		goto fail;
	}
	*dns_record = smtp_dkim_key_dns_record(key, err);
	if (!*dns_record) {
		goto fail;
	}
	smtp_dkim_key_free(key);
	BIO_free(bio);
	EVP_PKEY_CTX_free(ctx);
	*private_pem = pem;
	*private_pem_len = pem_len;
	return 0;

fail:
	smtp_dkim_secret_free(pem, pem_len + 1);
	smtp_dkim_key_free(key);
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	EVP_PKEY_CTX_free(ctx);
	return -1;
}

/* ---- signing a message ---------------------------------------------------------- */

/* A DNS name (d=) or selector (s=): dot-separated labels of letters, digits,
 * '-' and '_' (selectors and some domains use '_'). Nothing that could break
 * out of a tag value. */
static bool valid_dns_name(const char *name)
{
	size_t len = strlen(name), label = 0;
	if (len == 0 || len > 253) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c == '.') {
			if (label == 0) {
				return false;
			}
			label = 0;
			continue;
		}
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
		if (!ok || ++label > 63) {
			return false;
		}
	}
	return label > 0;
}

int smtp_dkim_signer_check(const smtp_dkim_signer *signer, smtp_dkim_error *err)
{
	clear_error(err);
	if (!signer->domain || !valid_dns_name(signer->domain)) {
		set_error(err, SMTP_DKIM_ERR_ARGUMENT, "domain must be a DNS name like example.com (IDNA A-labels for non-ASCII)");
		return -1;
	}
	if (!signer->selector || !valid_dns_name(signer->selector)) {
		set_error(err, SMTP_DKIM_ERR_ARGUMENT, "selector must be a DNS label like mail2025 (letters, digits, '-', '_', '.')");
		return -1;
	}
	if (!signer->key) {
		set_error(err, SMTP_DKIM_ERR_KEY, "no key");
		return -1;
	}
	if (signer->key->algorithm != signer->algorithm) {
		set_error(err, SMTP_DKIM_ERR_KEY, "algorithm %s does not fit the key, which is an %s key",
		          smtp_dkim_algorithm_name(signer->algorithm),
		          signer->key->algorithm == SMTP_DKIM_RSA_SHA256 ? "RSA" : "Ed25519");
		return -1;
	}
	return 0;
}

/* Builds a header field folded at DKIM_FOLD_COLUMNS: words go on the current
 * line while they fit, otherwise on a new line starting with one SP. */
typedef struct {
	dkim_buf buf;
	size_t column;
} folder;

static void fold_word(folder *f, const char *word, size_t len, bool space_before)
{
	size_t need = len + (space_before ? 1 : 0);
	if (f->column + need > DKIM_FOLD_COLUMNS && f->column > 1) {
		buf_append(&f->buf, "\r\n ", 3);
		f->column = 1;
	} else if (space_before) {
		buf_putc(&f->buf, ' ');
		f->column++;
	}
	buf_append(&f->buf, word, len);
	f->column += len;
}

/* One signature: the field up to "b=" is hashed (relaxed) after the signed
 * fields, then the base64 signature is folded in after "b=". */
static int sign_one(const smtp_dkim_signer *signer, const smtp_dkim_field *fields, size_t count, const char *h_list,
                    const char *bh, time_t now, dkim_buf *out, smtp_dkim_error *err)
{
	folder f = {{0}, 0};
	char word[512];
	char *data = NULL, *canonical = NULL, *b64 = NULL;
	unsigned char *sig = NULL;
	size_t data_len = 0, canonical_len = 0, sig_len = 0;
	int rc = -1;

	if (smtp_dkim_signer_check(signer, err) != 0) {
		return -1;
	}

	fold_word(&f, "DKIM-Signature:", strlen("DKIM-Signature:"), false);
	fold_word(&f, "v=1;", 4, true);
	snprintf(word, sizeof(word), "a=%s;", smtp_dkim_algorithm_name(signer->algorithm));
	fold_word(&f, word, strlen(word), true);
	fold_word(&f, "c=relaxed/relaxed;", strlen("c=relaxed/relaxed;"), true);
	snprintf(word, sizeof(word), "d=%s;", signer->domain);
	fold_word(&f, word, strlen(word), true);
	snprintf(word, sizeof(word), "s=%s;", signer->selector);
	fold_word(&f, word, strlen(word), true);
	snprintf(word, sizeof(word), "t=%lld;", (long long) now);
	fold_word(&f, word, strlen(word), true);
	/* h= may be long: it breaks after any ':' (FWS is allowed there) */
	{
		const char *p = h_list;
		bool first = true;
		while (*p) {
			const char *colon = strchr(p, ':');
			size_t piece = colon ? (size_t) (colon - p) + 1 : strlen(p);
			snprintf(word, sizeof(word), "%s%.*s%s", first ? "h=" : "", (int) piece, p, colon ? "" : ";");
			fold_word(&f, word, strlen(word), first);
			first = false;
			p += piece;
		}
	}
	snprintf(word, sizeof(word), "bh=%s;", bh);
	fold_word(&f, word, strlen(word), true);
	fold_word(&f, "b=", 2, true);
	if (f.buf.failed) {
		set_error(err, SMTP_DKIM_ERR_MEMORY, "out of memory");
		goto done;
	}

	/* RFC 6376 3.7: the signed fields, then this field with an empty b= and no CRLF */
	data = smtp_dkim_signed_fields(fields, count, h_list, SMTP_DKIM_RELAXED, &data_len);
	canonical = smtp_dkim_canon_field(SMTP_DKIM_RELAXED, f.buf.data, f.buf.len, &canonical_len);
	if (!data || !canonical) {
		set_error(err, SMTP_DKIM_ERR_MEMORY, "out of memory");
		goto done;
	}
	{
		char *joined = realloc(data, data_len + canonical_len + 1);
		if (!joined) {
			set_error(err, SMTP_DKIM_ERR_MEMORY, "out of memory");
			goto done;
		}
		data = joined;
		memcpy(data + data_len, canonical, canonical_len);
		data_len += canonical_len;
	}
	if (smtp_dkim_sign_data(signer->key, data, data_len, &sig, &sig_len, err) != 0) {
		goto done;
	}
	b64 = base64_encode(sig, sig_len);
	if (!b64) {
		set_error(err, SMTP_DKIM_ERR_MEMORY, "out of memory");
		goto done;
	}
	/* the signature fills the rest of the line, then whole lines */
	for (size_t pos = 0, total = strlen(b64); pos < total;) {
		size_t room = f.column < DKIM_FOLD_COLUMNS ? DKIM_FOLD_COLUMNS - f.column : 0;
		if (room == 0) {
			buf_append(&f.buf, "\r\n ", 3);
			f.column = 1;
			continue;
		}
		size_t take = total - pos < room ? total - pos : room;
		buf_append(&f.buf, b64 + pos, take);
		f.column += take;
		pos += take;
	}
	buf_append(&f.buf, "\r\n", 2);
	if (f.buf.failed) {
		set_error(err, SMTP_DKIM_ERR_MEMORY, "out of memory");
		goto done;
	}
	buf_append(out, f.buf.data, f.buf.len);
	rc = out->failed ? -1 : 0;
	if (rc != 0) {
		set_error(err, SMTP_DKIM_ERR_MEMORY, "out of memory");
	}

done:
	buf_free(&f.buf);
	free(data);
	free(canonical);
	free(sig);
	free(b64);
	return rc;
}

char *smtp_dkim_sign_header_block(const smtp_dkim_signer *signers, size_t count, const char *header_block,
                                  size_t header_len, const unsigned char body_hash[SMTP_DKIM_HASH_LEN], time_t now,
                                  size_t *out_len, smtp_dkim_error *err)
{
	smtp_dkim_field *fields = NULL;
	size_t field_count = 0;
	char *h_list = NULL, *bh = NULL;
	dkim_buf out = {0};
	bool has_from = false;

	clear_error(err);
	if (count == 0) {
		set_error(err, SMTP_DKIM_ERR_ARGUMENT, "no signer");
		return NULL;
	}
	if (smtp_dkim_parse_fields(header_block, header_len, &fields, &field_count) != 0) {
		set_error(err, SMTP_DKIM_ERR_MEMORY, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < field_count; i++) {
		has_from |= names_equal(fields[i].text, fields[i].name_len, "from", 4);
	}
	if (!has_from) {
		set_error(err, SMTP_DKIM_ERR_MESSAGE, "the message has no From header field, which DKIM must sign");
		goto fail;
	}
	h_list = smtp_dkim_header_list(fields, field_count);
	bh = base64_encode(body_hash, SMTP_DKIM_HASH_LEN);
	if (!h_list || !bh) {
		set_error(err, SMTP_DKIM_ERR_MEMORY, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < count; i++) {
		if (sign_one(&signers[i], fields, field_count, h_list, bh, now, &out, err) != 0) {
			goto fail;
		}
	}
	free(fields);
	free(h_list);
	free(bh);
	*out_len = out.len;
	return out.data;

fail:
	free(fields);
	free(h_list);
	free(bh);
	buf_free(&out);
	return NULL;
}

/* Where the header block ends in buf[0..len): the body starts after the first
 * empty line. Returns true and sets *header_end (the block, with the break of
 * its last field) and *body_start; false when no empty line is there yet. */
static bool find_header_end(const char *buf, size_t len, size_t from, size_t *header_end, size_t *body_start)
{
	if (from == 0) {
		/* a message that starts with an empty line has no header fields */
		if (len >= 1 && buf[0] == '\n') {
			*header_end = 0;
			*body_start = 1;
			return true;
		}
		if (len >= 2 && buf[0] == '\r' && buf[1] == '\n') {
			*header_end = 0;
			*body_start = 2;
			return true;
		}
	}
	for (size_t i = from; i < len; i++) {
		if (buf[i] != '\n') {
			continue;
		}
		if (i + 1 < len && buf[i + 1] == '\n') {
			*header_end = i + 1;
			*body_start = i + 2;
			return true;
		}
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
			*header_end = i + 1;
			*body_start = i + 3;
			return true;
		}
	}
	return false;
}

char *smtp_dkim_sign_source(const smtp_dkim_signer *signers, size_t count, const smtp_source *source, time_t now,
                            size_t *out_len, smtp_dkim_error *err)
{
	dkim_buf headers = {0};
	smtp_dkim_body_hash *body = NULL;
	unsigned char body_hash[SMTP_DKIM_HASH_LEN];
	char *chunk = NULL, *result = NULL;
	bool in_body = false;
	size_t header_end = 0, body_start = 0;

	clear_error(err);
	for (size_t i = 0; i < count; i++) {
		if (smtp_dkim_signer_check(&signers[i], err) != 0) {
			return NULL;
		}
	}
	/* the source may have been read before (a retry): start from its first byte */
	if (smtp_source_rewind(source) != 0) {
		set_error(err, SMTP_DKIM_ERR_SOURCE, "the message could not be read from its start: %s",
		          smtp_source_error(source));
		return NULL;
	}
	body = smtp_dkim_body_hash_new(SMTP_DKIM_RELAXED);
	chunk = malloc(DKIM_READ_CHUNK);
	if (!body || !chunk) {
		set_error(err, SMTP_DKIM_ERR_MEMORY, "out of memory");
		goto done;
	}

	for (;;) {
		ssize_t n = smtp_source_read(source, chunk, DKIM_READ_CHUNK);
		if (n < 0) {
			set_error(err, SMTP_DKIM_ERR_SOURCE, "reading the message to sign it failed: %s", smtp_source_error(source));
			goto done;
		}
		if (n == 0) {
			break;
		}
		if (in_body) {
			if (smtp_dkim_body_hash_update(body, chunk, (size_t) n) != 0) {
				set_error(err, SMTP_DKIM_ERR_CRYPTO, "hashing the body failed");
				goto done;
			}
			continue;
		}
		/* Still in the header block: keep it, and look for its end from a
		 * few bytes back, since the empty line may straddle two chunks. */
		size_t scan_from = headers.len > 3 ? headers.len - 3 : 0;
		buf_append(&headers, chunk, (size_t) n);
		if (headers.failed) {
			set_error(err, SMTP_DKIM_ERR_MEMORY, "out of memory");
			goto done;
		}
		if (find_header_end(headers.data, headers.len, scan_from, &header_end, &body_start)) {
			in_body = true;
			if (smtp_dkim_body_hash_update(body, headers.data + body_start, headers.len - body_start) != 0) {
				set_error(err, SMTP_DKIM_ERR_CRYPTO, "hashing the body failed");
				goto done;
			}
			headers.len = header_end;
		} else if (headers.len > SMTP_DKIM_MAX_HEADER_BLOCK) {
			set_error(err, SMTP_DKIM_ERR_MESSAGE, "the header block is larger than %d bytes; it cannot be signed",
			          SMTP_DKIM_MAX_HEADER_BLOCK);
			goto done;
		}
	}
	if (!in_body) {
		/* no empty line: all header fields, an empty body */
		header_end = headers.len;
	}
	if (smtp_dkim_body_hash_final(body, body_hash) != 0) {
		set_error(err, SMTP_DKIM_ERR_CRYPTO, "hashing the body failed");
		goto done;
	}
	result = smtp_dkim_sign_header_block(signers, count, headers.data ? headers.data : "", header_end, body_hash, now,
	                                     out_len, err);
	if (result && smtp_source_rewind(source) != 0) {
		set_error(err, SMTP_DKIM_ERR_SOURCE, "the message could not be read again after signing: %s",
		          smtp_source_error(source));
		free(result);
		result = NULL;
	}

done:
	if (!result && err && err->status != SMTP_DKIM_ERR_SOURCE) {
		/* leave the source as it was found, whatever refused the message */
		smtp_source_rewind(source);
	}
	buf_free(&headers);
	free(chunk);
	smtp_dkim_body_hash_free(body);
	return result;
}
