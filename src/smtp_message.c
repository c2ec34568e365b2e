/*
 * Smtp\Message: the Zend side of the MIME builder. Setters validate at the
 * call that got the bad input (so no header can be injected and an invalid
 * address is reported where it was written) and keep plain zend_strings;
 * rendering hands them to the pure-C writer in src/lib/mime.c.
 *
 * Identity: the Date, the Message-ID and the boundary seed are chosen the
 * first time the message is rendered (or messageId() is called) and kept, so
 * toString(), writeTo() and a send of unchanged content give the same bytes.
 * Setters called later change the content but never that identity; a clone
 * starts without one and so gets its own.
 */
#include "php.h"
#include "ext/random/php_random.h"
#include "ext/standard/basic_functions.h"
#include "ext/standard/php_string.h"
#include "main/php_streams.h"
#include "zend_smart_str.h"

#include <sys/stat.h>
#include <unistd.h>

#include "smtp_errors.h"
#include "smtp_message.h"
#include "smtp_transport.h"
#include "smtp_message_arginfo.h"
#include "lib/address.h"
#include "lib/encode.h"
#include "lib/mime.h"

zend_class_entry *php_smtp_message_ce;
static zend_object_handlers message_handlers;

#define MAX_FILENAME 255
#define MAX_HEADER_NAME 76 /* "Name: " still fits the 78 columns */
#define WRITE_CHUNK 65536

typedef struct {
	zend_string *address; /* validated, IDNA applied */
	zend_string *name;    /* or NULL */
	bool utf8_local;
} php_smtp_mailbox;

typedef struct {
	php_smtp_mailbox *items;
	uint32_t count;
} php_smtp_mailbox_list;

typedef struct {
	zend_string *path; /* absolute; NULL for data */
	zend_string *data;
	zend_string *name;
	zend_string *type; /* or NULL: by extension */
	zend_string *cid;  /* embeds only */
} php_smtp_part;

typedef struct {
	php_smtp_part *items;
	uint32_t count;
} php_smtp_part_list;

typedef struct {
	zend_string *name;
	zend_string *value;
} php_smtp_header;

typedef struct {
	php_smtp_mailbox from;
	php_smtp_mailbox return_path;
	php_smtp_mailbox_list to, cc, bcc, reply_to;
	zend_string *subject, *text, *html;
	php_smtp_part_list attachments, embeds;
	php_smtp_header *headers;
	uint32_t header_count;

	bool identity_fixed;
	char message_id[300];
	char date[40];
	char boundary_seed[33];

	zend_object std;
} php_smtp_message;

static inline php_smtp_message *message_from_obj(zend_object *obj)
{
	return (php_smtp_message *) ((char *) obj - offsetof(php_smtp_message, std));
}

#define Z_SMTP_MESSAGE_P(zv) message_from_obj(Z_OBJ_P(zv))

/* ---- object lifecycle ---- */

static zend_object *message_create(zend_class_entry *ce)
{
	php_smtp_message *m = zend_object_alloc(sizeof(php_smtp_message), ce);
	zend_object_std_init(&m->std, ce);
	object_properties_init(&m->std, ce);
	m->std.handlers = &message_handlers;
	return &m->std;
}

static void mailbox_release(php_smtp_mailbox *mb)
{
	if (mb->address) {
		zend_string_release(mb->address);
	}
	if (mb->name) {
		zend_string_release(mb->name);
	}
	memset(mb, 0, sizeof(*mb));
}

static void mailbox_copy(php_smtp_mailbox *dst, const php_smtp_mailbox *src)
{
	dst->address = src->address ? zend_string_copy(src->address) : NULL;
	dst->name = src->name ? zend_string_copy(src->name) : NULL;
	dst->utf8_local = src->utf8_local;
}

/* The room a list of count mailboxes has: it doubles (from 4) as it grows, so
 * adding 100,000 recipients one by one copies them a few times, not 100,000
 * times (a list grown by one each call was quadratic where realloc moves). */
static uint32_t mailbox_capacity(uint32_t count)
{
	uint32_t capacity = 4;
	if (count == 0) {
		return 0;
	}
	while (capacity < count) {
		capacity *= 2;
	}
	return capacity;
}

static void mailbox_list_release(php_smtp_mailbox_list *list)
{
	for (uint32_t i = 0; i < list->count; i++) {
		mailbox_release(&list->items[i]);
	}
	if (list->items) {
		efree(list->items);
	}
	list->items = NULL;
	list->count = 0;
}

static void mailbox_list_copy(php_smtp_mailbox_list *dst, const php_smtp_mailbox_list *src)
{
	dst->count = src->count;
	dst->items = src->count ? safe_emalloc(mailbox_capacity(src->count), sizeof(php_smtp_mailbox), 0) : NULL;
	for (uint32_t i = 0; i < src->count; i++) {
		mailbox_copy(&dst->items[i], &src->items[i]);
	}
}

static void str_release_opt(zend_string *s)
{
	if (s) {
		zend_string_release(s);
	}
}

static zend_string *str_copy_opt(zend_string *s)
{
	return s ? zend_string_copy(s) : NULL;
}

static void part_list_release(php_smtp_part_list *list)
{
	for (uint32_t i = 0; i < list->count; i++) {
		php_smtp_part *p = &list->items[i];
		str_release_opt(p->path);
		str_release_opt(p->data);
		str_release_opt(p->name);
		str_release_opt(p->type);
		str_release_opt(p->cid);
	}
	if (list->items) {
		efree(list->items);
	}
	list->items = NULL;
	list->count = 0;
}

static void part_list_copy(php_smtp_part_list *dst, const php_smtp_part_list *src)
{
	dst->count = src->count;
	dst->items = src->count ? safe_emalloc(src->count, sizeof(php_smtp_part), 0) : NULL;
	for (uint32_t i = 0; i < src->count; i++) {
		const php_smtp_part *s = &src->items[i];
		php_smtp_part *d = &dst->items[i];
		d->path = str_copy_opt(s->path);
		d->data = str_copy_opt(s->data);
		d->name = str_copy_opt(s->name);
		d->type = str_copy_opt(s->type);
		d->cid = str_copy_opt(s->cid);
	}
}

/* Safe on a half-built object: every field starts zeroed. */
static void message_free(zend_object *obj)
{
	php_smtp_message *m = message_from_obj(obj);

	mailbox_release(&m->from);
	mailbox_release(&m->return_path);
	mailbox_list_release(&m->to);
	mailbox_list_release(&m->cc);
	mailbox_list_release(&m->bcc);
	mailbox_list_release(&m->reply_to);
	str_release_opt(m->subject);
	str_release_opt(m->text);
	str_release_opt(m->html);
	part_list_release(&m->attachments);
	part_list_release(&m->embeds);
	for (uint32_t i = 0; i < m->header_count; i++) {
		zend_string_release(m->headers[i].name);
		zend_string_release(m->headers[i].value);
	}
	if (m->headers) {
		efree(m->headers);
	}
	zend_object_std_dtor(obj);
}

/* A clone is a new message: same content, its own Date, Message-ID and boundaries. */
static zend_object *message_clone(zend_object *old_obj)
{
	php_smtp_message *old = message_from_obj(old_obj);
	zend_object *new_obj = message_create(old_obj->ce);
	php_smtp_message *m = message_from_obj(new_obj);

	zend_objects_clone_members(new_obj, old_obj);
	mailbox_copy(&m->from, &old->from);
	mailbox_copy(&m->return_path, &old->return_path);
	mailbox_list_copy(&m->to, &old->to);
	mailbox_list_copy(&m->cc, &old->cc);
	mailbox_list_copy(&m->bcc, &old->bcc);
	mailbox_list_copy(&m->reply_to, &old->reply_to);
	m->subject = str_copy_opt(old->subject);
	m->text = str_copy_opt(old->text);
	m->html = str_copy_opt(old->html);
	part_list_copy(&m->attachments, &old->attachments);
	part_list_copy(&m->embeds, &old->embeds);
	m->header_count = old->header_count;
	m->headers = old->header_count ? safe_emalloc(old->header_count, sizeof(php_smtp_header), 0) : NULL;
	for (uint32_t i = 0; i < old->header_count; i++) {
		m->headers[i].name = zend_string_copy(old->headers[i].name);
		m->headers[i].value = zend_string_copy(old->headers[i].value);
	}
	return new_obj;
}

/* ---- validation ---- */

/* CR, LF and NUL are what header injection is made of: refused everywhere. */
static const char *injection_problem(const zend_string *s)
{
	const char *p = ZSTR_VAL(s);
	for (size_t i = 0; i < ZSTR_LEN(s); i++) {
		if (p[i] == '\r' || p[i] == '\n') {
			return "CR or LF";
		}
		if (p[i] == '\0') {
			return "NUL";
		}
	}
	return NULL;
}

/* Header text: no CR, LF or NUL, and valid UTF-8 (it is labelled utf-8). */
static bool check_header_text(const zend_string *s, const char *what)
{
	const char *problem = injection_problem(s);
	if (problem) {
		php_smtp_throw_invalid("%s contains %s (header injection refused)", what, problem);
		return false;
	}
	if (!smtp_utf8_valid(ZSTR_VAL(s), ZSTR_LEN(s))) {
		php_smtp_throw_invalid("%s is not valid UTF-8", what);
		return false;
	}
	return true;
}

/* Validates address (and the optional display name) into mb. */
static bool make_mailbox(php_smtp_mailbox *mb, zend_string *address, zend_string *name, const char *method)
{
	char err[160], what[64];
	char *normalized = NULL;
	bool utf8_local = false;

	if (smtp_address_normalize(ZSTR_VAL(address), ZSTR_LEN(address), &normalized, &utf8_local, err, sizeof(err)) !=
	    0) {
		/* The address is quoted only when it is safe to show on one line. */
		if (injection_problem(address) || ZSTR_LEN(address) > 320) {
			php_smtp_throw_invalid("Invalid address given to %s(): %s", method, err);
		} else {
			php_smtp_throw_invalid("Invalid address \"%s\" given to %s(): %s", ZSTR_VAL(address), method, err);
		}
		return false;
	}
	if (name) {
		snprintf(what, sizeof(what), "The name given to %s()", method);
		if (!check_header_text(name, what)) {
			smtp_address_free(normalized);
			return false;
		}
	}
	mb->address = zend_string_init(normalized, strlen(normalized), 0);
	smtp_address_free(normalized);
	mb->name = name && ZSTR_LEN(name) ? zend_string_copy(name) : NULL;
	mb->utf8_local = utf8_local;
	return true;
}

static void add_mailbox(INTERNAL_FUNCTION_PARAMETERS, php_smtp_mailbox_list *(*pick)(php_smtp_message *),
                        const char *method)
{
	zend_string *address, *name = NULL;

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_STR(address)
		Z_PARAM_OPTIONAL
		Z_PARAM_STR_OR_NULL(name)
	ZEND_PARSE_PARAMETERS_END();

	php_smtp_message *m = Z_SMTP_MESSAGE_P(ZEND_THIS);
	php_smtp_mailbox mb = {0};
	if (!make_mailbox(&mb, address, name, method)) {
		RETURN_THROWS();
	}
	php_smtp_mailbox_list *list = pick(m);
	if (list->count == mailbox_capacity(list->count)) {
		list->items = safe_erealloc(list->items, mailbox_capacity(list->count + 1), sizeof(php_smtp_mailbox), 0);
	}
	list->items[list->count++] = mb;
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

static php_smtp_mailbox_list *pick_to(php_smtp_message *m) { return &m->to; }
static php_smtp_mailbox_list *pick_cc(php_smtp_message *m) { return &m->cc; }
static php_smtp_mailbox_list *pick_bcc(php_smtp_message *m) { return &m->bcc; }
static php_smtp_mailbox_list *pick_reply_to(php_smtp_message *m) { return &m->reply_to; }

/* A media type as RFC 6838 names them: type "/" subtype, restricted characters. */
static bool valid_media_type(const zend_string *type)
{
	const char *s = ZSTR_VAL(type);
	size_t len = ZSTR_LEN(type), slashes = 0, segment = 0;
	if (len == 0 || len > 127) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '/') {
			if (segment == 0) {
				return false;
			}
			slashes++;
			segment = 0;
			continue;
		}
		if (!(isalnum((unsigned char) c) || strchr("!#$&^_.+-", c))) {
			return false;
		}
		segment++;
	}
	return slashes == 1 && segment > 0;
}

/* A Content-ID the html can name as cid:...: atext, dots and @, no brackets. */
static bool valid_content_id(const zend_string *cid)
{
	if (ZSTR_LEN(cid) == 0 || ZSTR_LEN(cid) > 200) {
		return false;
	}
	for (size_t i = 0; i < ZSTR_LEN(cid); i++) {
		unsigned char c = (unsigned char) ZSTR_VAL(cid)[i];
		if (!(isalnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~.@", c)))) {
			return false;
		}
	}
	return true;
}

static bool check_part_name(const zend_string *name, const char *method)
{
	char what[64];
	snprintf(what, sizeof(what), "The name given to %s()", method);
	if (!check_header_text(name, what)) {
		return false;
	}
	if (ZSTR_LEN(name) > MAX_FILENAME) {
		php_smtp_throw_invalid("The name given to %s() is longer than %d bytes", method, MAX_FILENAME);
		return false;
	}
	return true;
}

static bool check_part_type(const zend_string *type, const char *method)
{
	if (type && !valid_media_type(type)) {
		php_smtp_throw_invalid("The type given to %s() is not a media type like \"application/pdf\"", method);
		return false;
	}
	return true;
}

/* Checks that path names a readable regular file now (it is read only at
 * send time) and returns its absolute path, so a later chdir() cannot change
 * which file is sent. */
static zend_string *check_file(zend_string *path, const char *method)
{
	char resolved[MAXPATHLEN];
	zend_stat_t st;

	if (ZSTR_LEN(path) == 0 || injection_problem(path)) {
		php_smtp_throw_invalid("Invalid path given to %s()", method);
		return NULL;
	}
	if (php_check_open_basedir_ex(ZSTR_VAL(path), 0)) {
		php_smtp_throw_invalid("Cannot attach \"%s\": outside open_basedir", ZSTR_VAL(path));
		return NULL;
	}
	if (!expand_filepath(ZSTR_VAL(path), resolved)) {
		php_smtp_throw_invalid("Cannot attach \"%s\": the path cannot be resolved", ZSTR_VAL(path));
		return NULL;
	}
	if (VCWD_STAT(resolved, &st) != 0) {
		php_smtp_throw_invalid("Cannot attach \"%s\": %s", ZSTR_VAL(path), strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		php_smtp_throw_invalid("Cannot attach \"%s\": not a regular file", ZSTR_VAL(path));
		return NULL;
	}
	if (VCWD_ACCESS(resolved, R_OK) != 0) {
		php_smtp_throw_invalid("Cannot attach \"%s\": %s", ZSTR_VAL(path), strerror(errno));
		return NULL;
	}
	return zend_string_init(resolved, strlen(resolved), 0);
}

static void add_part(php_smtp_part_list *list, php_smtp_part part)
{
	list->items = safe_erealloc(list->items, list->count + 1, sizeof(php_smtp_part), 0);
	list->items[list->count++] = part;
}

static void replace_str(zend_string **slot, zend_string *value)
{
	str_release_opt(*slot);
	*slot = zend_string_copy(value);
}

/* ---- methods ---- */

ZEND_METHOD(Smtp_Message, __construct)
{
	ZEND_PARSE_PARAMETERS_NONE();
}

ZEND_METHOD(Smtp_Message, from)
{
	zend_string *address, *name = NULL;

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_STR(address)
		Z_PARAM_OPTIONAL
		Z_PARAM_STR_OR_NULL(name)
	ZEND_PARSE_PARAMETERS_END();

	php_smtp_message *m = Z_SMTP_MESSAGE_P(ZEND_THIS);
	php_smtp_mailbox mb = {0};
	if (!make_mailbox(&mb, address, name, "from")) {
		RETURN_THROWS();
	}
	mailbox_release(&m->from);
	m->from = mb;
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

ZEND_METHOD(Smtp_Message, to)
{
	add_mailbox(INTERNAL_FUNCTION_PARAM_PASSTHRU, pick_to, "to");
}

ZEND_METHOD(Smtp_Message, cc)
{
	add_mailbox(INTERNAL_FUNCTION_PARAM_PASSTHRU, pick_cc, "cc");
}

ZEND_METHOD(Smtp_Message, bcc)
{
	add_mailbox(INTERNAL_FUNCTION_PARAM_PASSTHRU, pick_bcc, "bcc");
}

ZEND_METHOD(Smtp_Message, replyTo)
{
	add_mailbox(INTERNAL_FUNCTION_PARAM_PASSTHRU, pick_reply_to, "replyTo");
}

ZEND_METHOD(Smtp_Message, returnPath)
{
	zend_string *address;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR(address)
	ZEND_PARSE_PARAMETERS_END();

	php_smtp_message *m = Z_SMTP_MESSAGE_P(ZEND_THIS);
	php_smtp_mailbox mb = {0};
	if (!make_mailbox(&mb, address, NULL, "returnPath")) {
		RETURN_THROWS();
	}
	mailbox_release(&m->return_path);
	m->return_path = mb;
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

ZEND_METHOD(Smtp_Message, subject)
{
	zend_string *subject;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR(subject)
	ZEND_PARSE_PARAMETERS_END();

	if (!check_header_text(subject, "The subject")) {
		RETURN_THROWS();
	}
	replace_str(&Z_SMTP_MESSAGE_P(ZEND_THIS)->subject, subject);
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

ZEND_METHOD(Smtp_Message, text)
{
	zend_string *body;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR(body)
	ZEND_PARSE_PARAMETERS_END();

	replace_str(&Z_SMTP_MESSAGE_P(ZEND_THIS)->text, body);
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

ZEND_METHOD(Smtp_Message, html)
{
	zend_string *body;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR(body)
	ZEND_PARSE_PARAMETERS_END();

	replace_str(&Z_SMTP_MESSAGE_P(ZEND_THIS)->html, body);
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

ZEND_METHOD(Smtp_Message, attach)
{
	zend_string *path, *name = NULL, *type = NULL;

	ZEND_PARSE_PARAMETERS_START(1, 3)
		Z_PARAM_STR(path)
		Z_PARAM_OPTIONAL
		Z_PARAM_STR_OR_NULL(name)
		Z_PARAM_STR_OR_NULL(type)
	ZEND_PARSE_PARAMETERS_END();

	if ((name && !check_part_name(name, "attach")) || !check_part_type(type, "attach")) {
		RETURN_THROWS();
	}
	zend_string *absolute = check_file(path, "attach");
	if (!absolute) {
		RETURN_THROWS();
	}
	zend_string *shown = name ? zend_string_copy(name) : php_basename(ZSTR_VAL(path), ZSTR_LEN(path), NULL, 0);
	if (!name && !check_part_name(shown, "attach")) {
		zend_string_release(shown);
		zend_string_release(absolute);
		RETURN_THROWS();
	}
	php_smtp_part part = {.path = absolute, .name = shown, .type = str_copy_opt(type)};
	add_part(&Z_SMTP_MESSAGE_P(ZEND_THIS)->attachments, part);
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

ZEND_METHOD(Smtp_Message, attachData)
{
	zend_string *data, *name, *type = NULL;

	ZEND_PARSE_PARAMETERS_START(2, 3)
		Z_PARAM_STR(data)
		Z_PARAM_STR(name)
		Z_PARAM_OPTIONAL
		Z_PARAM_STR_OR_NULL(type)
	ZEND_PARSE_PARAMETERS_END();

	if (!check_part_name(name, "attachData") || !check_part_type(type, "attachData")) {
		RETURN_THROWS();
	}
	php_smtp_part part = {.data = zend_string_copy(data), .name = zend_string_copy(name), .type = str_copy_opt(type)};
	add_part(&Z_SMTP_MESSAGE_P(ZEND_THIS)->attachments, part);
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

ZEND_METHOD(Smtp_Message, embed)
{
	zend_string *path, *cid, *name = NULL, *type = NULL;

	ZEND_PARSE_PARAMETERS_START(2, 4)
		Z_PARAM_STR(path)
		Z_PARAM_STR(cid)
		Z_PARAM_OPTIONAL
		Z_PARAM_STR_OR_NULL(name)
		Z_PARAM_STR_OR_NULL(type)
	ZEND_PARSE_PARAMETERS_END();

	if (!valid_content_id(cid)) {
		php_smtp_throw_invalid("The cid given to embed() must be 1 to 200 characters of letters, digits, "
		                       "dots, @ and !#$%%&'*+-/=?^_`{|}~ (no CR, LF, spaces or angle brackets)");
		RETURN_THROWS();
	}
	if ((name && !check_part_name(name, "embed")) || !check_part_type(type, "embed")) {
		RETURN_THROWS();
	}
	zend_string *absolute = check_file(path, "embed");
	if (!absolute) {
		RETURN_THROWS();
	}
	zend_string *shown = name ? zend_string_copy(name) : php_basename(ZSTR_VAL(path), ZSTR_LEN(path), NULL, 0);
	if (!name && !check_part_name(shown, "embed")) {
		zend_string_release(shown);
		zend_string_release(absolute);
		RETURN_THROWS();
	}
	php_smtp_part part = {.path = absolute, .name = shown, .type = str_copy_opt(type), .cid = zend_string_copy(cid)};
	add_part(&Z_SMTP_MESSAGE_P(ZEND_THIS)->embeds, part);
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

/* The headers the builder writes itself, and the setter to use instead. Refusing
 * them (rather than routing them) keeps one way to set each and makes a
 * second From or a smuggled Bcc impossible. */
static const struct {
	const char *name;
	const char *instead;
} owned_headers[] = {
	{"from", "from()"},
	{"to", "to()"},
	{"cc", "cc()"},
	{"bcc", "bcc()"},
	{"reply-to", "replyTo()"},
	{"subject", "subject()"},
	{"return-path", "returnPath()"},
	{"date", "nothing: it is set when the message is first rendered"},
	{"message-id", "messageId() to read it: it is generated"},
	{"mime-version", "nothing: it is always 1.0"},
	{"content-type", "text(), html(), attach() and embed()"},
	{"content-transfer-encoding", "nothing: it is chosen by content"},
};

ZEND_METHOD(Smtp_Message, header)
{
	zend_string *name, *value;

	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_STR(name)
		Z_PARAM_STR(value)
	ZEND_PARSE_PARAMETERS_END();

	const char *problem = injection_problem(name);
	if (problem) {
		php_smtp_throw_invalid("The header name contains %s (header injection refused)", problem);
		RETURN_THROWS();
	}
	if (ZSTR_LEN(name) == 0 || ZSTR_LEN(name) > MAX_HEADER_NAME) {
		php_smtp_throw_invalid("A header name must be 1 to %d characters long", MAX_HEADER_NAME);
		RETURN_THROWS();
	}
	for (size_t i = 0; i < ZSTR_LEN(name); i++) {
		unsigned char c = (unsigned char) ZSTR_VAL(name)[i];
		if (c < 33 || c > 126 || c == ':') {
			php_smtp_throw_invalid("The header name \"%s\" may contain only printable ASCII without spaces or ':'",
			                       ZSTR_VAL(name));
			RETURN_THROWS();
		}
	}
	for (size_t i = 0; i < sizeof(owned_headers) / sizeof(owned_headers[0]); i++) {
		if (zend_binary_strcasecmp(ZSTR_VAL(name), ZSTR_LEN(name), owned_headers[i].name,
		                           strlen(owned_headers[i].name)) == 0) {
			php_smtp_throw_invalid("The %s header cannot be set with header(): use %s", ZSTR_VAL(name),
			                       owned_headers[i].instead);
			RETURN_THROWS();
		}
	}
	char what[120];
	snprintf(what, sizeof(what), "The value of the %s header", ZSTR_VAL(name));
	if (!check_header_text(value, what)) {
		RETURN_THROWS();
	}

	php_smtp_message *m = Z_SMTP_MESSAGE_P(ZEND_THIS);
	m->headers = safe_erealloc(m->headers, m->header_count + 1, sizeof(php_smtp_header), 0);
	m->headers[m->header_count].name = zend_string_copy(name);
	m->headers[m->header_count].value = zend_string_copy(value);
	m->header_count++;
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

/* ---- rendering ---- */

static void hex_encode(char *out, const unsigned char *bytes, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * len] = '\0';
}

/* Chooses the Date, Message-ID and boundary seed once. The Message-ID's right
 * side is the From domain (RFC 5322 3.6.4 wants it unique to this host; the
 * sender's domain is what receivers expect), else this host's name. */
static zend_result fix_identity(php_smtp_message *m)
{
	if (m->identity_fixed) {
		return SUCCESS;
	}
	unsigned char random[32];
	if (php_random_bytes_throw(random, sizeof(random)) == FAILURE) {
		return FAILURE;
	}
	char id_hex[33];
	hex_encode(id_hex, random, 16);
	hex_encode(m->boundary_seed, random + 16, 16);

	const char *domain;
	char host[256];
	if (m->from.address) {
		domain = smtp_address_domain(ZSTR_VAL(m->from.address));
	} else if (gethostname(host, sizeof(host)) == 0 && host[0] && strchr(host, '.')) {
		host[sizeof(host) - 1] = '\0';
		domain = host;
	} else {
		domain = "localhost.localdomain";
	}
	snprintf(m->message_id, sizeof(m->message_id), "%s@%s", id_hex, domain);
	smtp_format_date(time(NULL), m->date, sizeof(m->date));
	m->identity_fixed = true;
	return SUCCESS;
}

/* What a rendering keeps alive: the writer borrows the bytes of attachData(). */
typedef struct {
	smtp_mime_writer *writer;
	zend_string **kept;
	uint32_t kept_count;
} render_state;

static void render_state_free(render_state *rs)
{
	if (!rs) {
		return;
	}
	smtp_mime_writer_free(rs->writer);
	for (uint32_t i = 0; i < rs->kept_count; i++) {
		zend_string_release(rs->kept[i]);
	}
	if (rs->kept) {
		efree(rs->kept);
	}
	efree(rs);
}

static smtp_mailbox *mailboxes_for_lib(const php_smtp_mailbox_list *list)
{
	if (!list->count) {
		return NULL;
	}
	smtp_mailbox *out = safe_emalloc(list->count, sizeof(smtp_mailbox), 0);
	for (uint32_t i = 0; i < list->count; i++) {
		out[i].address = ZSTR_VAL(list->items[i].address);
		out[i].name = list->items[i].name ? ZSTR_VAL(list->items[i].name) : NULL;
		out[i].name_len = list->items[i].name ? ZSTR_LEN(list->items[i].name) : 0;
	}
	return out;
}

static smtp_mime_attachment *parts_for_lib(const php_smtp_part_list *list, render_state *rs)
{
	if (!list->count) {
		return NULL;
	}
	smtp_mime_attachment *out = safe_emalloc(list->count, sizeof(smtp_mime_attachment), 0);
	for (uint32_t i = 0; i < list->count; i++) {
		const php_smtp_part *p = &list->items[i];
		memset(&out[i], 0, sizeof(out[i]));
		out[i].path = p->path ? ZSTR_VAL(p->path) : NULL;
		if (p->data) {
			out[i].data = ZSTR_VAL(p->data);
			out[i].data_len = ZSTR_LEN(p->data);
			rs->kept[rs->kept_count++] = zend_string_copy(p->data);
		}
		out[i].filename = ZSTR_VAL(p->name);
		out[i].filename_len = ZSTR_LEN(p->name);
		out[i].content_type = p->type ? ZSTR_VAL(p->type) : NULL;
		out[i].content_id = p->cid ? ZSTR_VAL(p->cid) : NULL;
	}
	return out;
}

/* Opens an attached file when the message is read (at send time): the path
 * was checked against open_basedir by attach(), and is checked again now,
 * as PHP's own fopen() does at each open, because the file may have been
 * replaced by a link to somewhere else since. */
static FILE *open_attached_file(const char *path, char *err, size_t errlen)
{
	if (php_check_open_basedir_ex(path, 0) != 0) {
		snprintf(err, errlen, "cannot read attachment %s: it is outside open_basedir now", path);
		return NULL;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot read attachment %s: %s", path, strerror(errno));
	}
	return f;
}

static void throw_local(const char *message)
{
	php_smtp_failure failure = {.kind = PHP_SMTP_FAILURE_LOCAL};
	failure.message = zend_string_init(message, strlen(message), 0);
	php_smtp_failure_throw(&failure, NULL, NULL);
	php_smtp_failure_dtor(&failure);
}

/* Renders the message as it is now. Returns NULL after throwing. */
static render_state *render(php_smtp_message *m)
{
	if (fix_identity(m) == FAILURE) {
		return NULL;
	}
	render_state *rs = ecalloc(1, sizeof(render_state));
	rs->kept = safe_emalloc(m->attachments.count + m->embeds.count + 1, sizeof(zend_string *), 0);

	smtp_mime_spec spec = {0};
	spec.date = m->date;
	spec.message_id = m->message_id;
	smtp_mailbox from;
	if (m->from.address) {
		from.address = ZSTR_VAL(m->from.address);
		from.name = m->from.name ? ZSTR_VAL(m->from.name) : NULL;
		from.name_len = m->from.name ? ZSTR_LEN(m->from.name) : 0;
		spec.from = &from;
	}
	smtp_mailbox *to = mailboxes_for_lib(&m->to), *cc = mailboxes_for_lib(&m->cc),
	             *reply_to = mailboxes_for_lib(&m->reply_to);
	spec.to = to;
	spec.to_count = m->to.count;
	spec.cc = cc;
	spec.cc_count = m->cc.count;
	spec.reply_to = reply_to;
	spec.reply_to_count = m->reply_to.count;
	if (m->subject) {
		spec.subject = ZSTR_VAL(m->subject);
		spec.subject_len = ZSTR_LEN(m->subject);
	}
	smtp_header_field *fields = m->header_count ? safe_emalloc(m->header_count, sizeof(smtp_header_field), 0) : NULL;
	for (uint32_t i = 0; i < m->header_count; i++) {
		fields[i].name = ZSTR_VAL(m->headers[i].name);
		fields[i].name_len = ZSTR_LEN(m->headers[i].name);
		fields[i].value = ZSTR_VAL(m->headers[i].value);
		fields[i].value_len = ZSTR_LEN(m->headers[i].value);
	}
	spec.headers = fields;
	spec.header_count = m->header_count;
	if (m->text) {
		spec.text = ZSTR_VAL(m->text);
		spec.text_len = ZSTR_LEN(m->text);
	}
	if (m->html) {
		spec.html = ZSTR_VAL(m->html);
		spec.html_len = ZSTR_LEN(m->html);
	}
	smtp_mime_attachment *attachments = parts_for_lib(&m->attachments, rs);
	smtp_mime_attachment *embeds = parts_for_lib(&m->embeds, rs);
	spec.attachments = attachments;
	spec.attachment_count = m->attachments.count;
	spec.embeds = embeds;
	spec.embed_count = m->embeds.count;
	spec.boundary_seed = m->boundary_seed;
	spec.open_file = open_attached_file;

	char err[320];
	rs->writer = smtp_mime_writer_new(&spec, err, sizeof(err));

	if (to) efree(to);
	if (cc) efree(cc);
	if (reply_to) efree(reply_to);
	if (fields) efree(fields);
	if (attachments) efree(attachments);
	if (embeds) efree(embeds);

	if (!rs->writer) {
		render_state_free(rs);
		throw_local(err);
		return NULL;
	}
	if (smtp_mime_writer_check_files(rs->writer, err, sizeof(err)) != 0) {
		render_state_free(rs);
		throw_local(err);
		return NULL;
	}
	return rs;
}

ZEND_METHOD(Smtp_Message, toString)
{
	ZEND_PARSE_PARAMETERS_NONE();

	render_state *rs = render(Z_SMTP_MESSAGE_P(ZEND_THIS));
	if (!rs) {
		RETURN_THROWS();
	}
	smtp_source src = smtp_mime_writer_source(rs->writer);
	smart_str out = {0};
	for (;;) {
		smart_str_alloc(&out, WRITE_CHUNK, 0);
		ssize_t n = smtp_source_read(&src, ZSTR_VAL(out.s) + ZSTR_LEN(out.s), WRITE_CHUNK);
		if (n < 0) {
			smart_str_free(&out);
			throw_local(smtp_source_error(&src));
			render_state_free(rs);
			RETURN_THROWS();
		}
		if (n == 0) {
			break;
		}
		ZSTR_LEN(out.s) += (size_t) n;
	}
	render_state_free(rs);
	RETURN_STR(smart_str_extract(&out));
}

ZEND_METHOD(Smtp_Message, writeTo)
{
	zval *zstream;
	php_stream *stream;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_RESOURCE(zstream)
	ZEND_PARSE_PARAMETERS_END();

	php_stream_from_zval(stream, zstream);

	render_state *rs = render(Z_SMTP_MESSAGE_P(ZEND_THIS));
	if (!rs) {
		RETURN_THROWS();
	}
	smtp_source src = smtp_mime_writer_source(rs->writer);
	char *chunk = emalloc(WRITE_CHUNK);
	zend_long total = 0;
	for (;;) {
		ssize_t n = smtp_source_read(&src, chunk, WRITE_CHUNK);
		if (n < 0) {
			throw_local(smtp_source_error(&src));
			break;
		}
		if (n == 0) {
			break;
		}
		ssize_t written = php_stream_write(stream, chunk, (size_t) n);
		if (written != n) {
			throw_local("writing the message to the stream failed");
			break;
		}
		total += n;
	}
	efree(chunk);
	render_state_free(rs);
	if (EG(exception)) {
		RETURN_THROWS();
	}
	RETURN_LONG(total);
}

ZEND_METHOD(Smtp_Message, messageId)
{
	ZEND_PARSE_PARAMETERS_NONE();

	php_smtp_message *m = Z_SMTP_MESSAGE_P(ZEND_THIS);
	if (fix_identity(m) == FAILURE) {
		RETURN_THROWS();
	}
	RETURN_STRING(m->message_id);
}

/* ---- the Mailer's side ---- */

zend_result php_smtp_message_prepare(zend_object *message, const char *default_from, const char *default_from_name,
                                     php_smtp_outgoing *out)
{
	php_smtp_message *m = message_from_obj(message);
	memset(out, 0, sizeof(*out));

	if (!m->from.address && default_from && *default_from) {
		zend_string *address = zend_string_init(default_from, strlen(default_from), 0);
		zend_string *name = default_from_name && *default_from_name
		                        ? zend_string_init(default_from_name, strlen(default_from_name), 0)
		                        : NULL;
		php_smtp_mailbox mb = {0};
		bool ok = make_mailbox(&mb, address, name, "from (the default from)");
		zend_string_release(address);
		str_release_opt(name);
		if (!ok) {
			return FAILURE;
		}
		m->from = mb;
	}
	if (!m->from.address) {
		php_smtp_throw_invalid("The message has no From: call from() or set the mailer's from option");
		return FAILURE;
	}
	uint32_t total = m->to.count + m->cc.count + m->bcc.count;
	if (total == 0) {
		php_smtp_throw_invalid("The message has no recipient: call to(), cc() or bcc()");
		return FAILURE;
	}

	const php_smtp_mailbox *sender = m->return_path.address ? &m->return_path : &m->from;
	out->envelope_from = zend_string_copy(sender->address);
	out->needs_smtputf8 = sender->utf8_local || m->from.utf8_local;

	out->recipients = safe_emalloc(total, sizeof(zend_string *), 0);
	php_smtp_mailbox_set seen;
	php_smtp_mailbox_set_init(&seen, total);
	const php_smtp_mailbox_list *lists[] = {&m->to, &m->cc, &m->bcc, &m->reply_to};
	for (int l = 0; l < 4; l++) {
		for (uint32_t i = 0; i < lists[l]->count; i++) {
			const php_smtp_mailbox *mb = &lists[l]->items[i];
			/* Reply-To is not a recipient, but its address is in the headers. */
			out->needs_smtputf8 |= mb->utf8_local;
			if (l == 3 || !php_smtp_mailbox_set_add(&seen, ZSTR_VAL(mb->address), ZSTR_LEN(mb->address))) {
				continue;
			}
			out->recipients[out->recipient_count++] = zend_string_copy(mb->address);
		}
	}
	php_smtp_mailbox_set_destroy(&seen);
	if (out->recipient_count > PHP_SMTP_MAX_RECIPIENTS) {
		php_smtp_throw_invalid("A message may have at most %d recipients, this one has %zu: send a larger list as "
		                       "several messages (sendMany)", PHP_SMTP_MAX_RECIPIENTS, out->recipient_count);
		php_smtp_outgoing_release(out);
		return FAILURE;
	}

	render_state *rs = render(m);
	if (!rs) {
		php_smtp_outgoing_release(out);
		return FAILURE;
	}
	out->message_id = zend_string_init(m->message_id, strlen(m->message_id), 0);
	out->source = smtp_mime_writer_source(rs->writer);
	out->state = rs;
	return SUCCESS;
}

void php_smtp_outgoing_release(php_smtp_outgoing *out)
{
	if (out->envelope_from) {
		zend_string_release(out->envelope_from);
	}
	for (size_t i = 0; i < out->recipient_count; i++) {
		zend_string_release(out->recipients[i]);
	}
	if (out->recipients) {
		efree(out->recipients);
	}
	if (out->message_id) {
		zend_string_release(out->message_id);
	}
	render_state_free(out->state);
	memset(out, 0, sizeof(*out));
}

zend_result php_smtp_message_minit(void)
{
	php_smtp_message_ce = register_class_Smtp_Message();
	php_smtp_message_ce->create_object = message_create;

	memcpy(&message_handlers, zend_get_std_object_handlers(), sizeof(zend_object_handlers));
	message_handlers.offset = offsetof(php_smtp_message, std);
	message_handlers.free_obj = message_free;
	message_handlers.clone_obj = message_clone;
	return SUCCESS;
}
