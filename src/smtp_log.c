/*
 * smtp.log and mail.log lines: see smtp_log.h for the format.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "php.h"
#include "php_ini.h"
#include "zend_smart_str.h"
#include "ext/date/php_date.h"
#include <fcntl.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "php_smtp.h"
#include "smtp_log.h"
#include "ext/standard/php_string.h"
#include "lib/mime.h"
#include "smtp_errors.h"

/* A log line stays one line and a reply cannot end the quoted field early. */
static void append_clean(smart_str *line, const char *text, size_t len, bool quoted)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c == 0x7f) {
			c = ' ';
		} else if (quoted && c == '"') {
			c = '\'';
		} else if (!quoted && c == ' ') {
			c = '_';
		}
		smart_str_appendc(line, (char)c);
	}
}

/* Appends line (without its newline) to the file or syslog that target names.
 * A file is opened with O_APPEND and written with one write(): the kernel
 * keeps each line whole even with many PHP workers appending at once. */
static void write_line(const char *target, smart_str *line, bool with_time)
{
	if (strcmp(target, "syslog") == 0) {
		smart_str_0(line);
		syslog(LOG_MAIL | LOG_INFO, "%s", ZSTR_VAL(line->s));
		return;
	}
	smart_str out = {0};
	if (with_time) {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ ", &tm);
		smart_str_appends(&out, stamp);
	}
	smart_str_append_smart_str(&out, line);
	smart_str_appendc(&out, '\n');
	smart_str_0(&out);
	int fd = open(target, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		php_error_docref(NULL, E_WARNING, "Could not open the mail log \"%s\": %s", target, strerror(errno));
	} else {
		ssize_t written = write(fd, ZSTR_VAL(out.s), ZSTR_LEN(out.s));
		if (written != (ssize_t)ZSTR_LEN(out.s)) {
			php_error_docref(NULL, E_WARNING, "Could not write the mail log \"%s\": %s", target,
			                 written < 0 ? strerror(errno) : "short write");
		}
		close(fd);
	}
	smart_str_free(&out);
}

static void append_script(smart_str *line)
{
	if (zend_is_executing()) {
		const char *script = zend_get_executed_filename();
		append_clean(line, script, strlen(script), false);
		smart_str_append_printf(line, ":%u", zend_get_executed_lineno());
	} else {
		smart_str_appends(line, "-:0");
	}
}

/* The Message-ID of the message source, read from its header block, or NULL.
 * The source is rewound before and after: every sender rewinds it again
 * before it reads it, so this costs one extra read of the first few
 * kilobytes. Only for messages whose envelope does not know its id. */
static zend_string *source_message_id(const smtp_source *source)
{
	char head[16384];
	size_t len = 0;
	if (!source || smtp_source_rewind(source) != 0) {
		return NULL;
	}
	while (len < sizeof(head)) {
		ssize_t n = smtp_source_read(source, head + len, sizeof(head) - len);
		if (n <= 0) {
			break;
		}
		len += (size_t)n;
		if (php_memnstr(head, "\r\n\r\n", 4, head + len) || php_memnstr(head, "\n\n", 2, head + len)) {
			break;
		}
	}
	smtp_source_rewind(source);
	size_t start, id_len;
	return smtp_header_message_id(head, len, &start, &id_len) ? zend_string_init(head + start, id_len, 0) : NULL;
}

bool php_smtp_log_left_to_spool(const php_smtp_config *config, const php_smtp_outcome *outcome)
{
	return config && config->spool && ZSTR_LEN(config->spool) && !outcome->ok && !EG(exception) &&
	       php_smtp_failure_is_temporary(&outcome->failure);
}

void php_smtp_log_message(const php_smtp_envelope *envelope, const char *result, const char *reply)
{
	const char *target = SMTP_G(log);
	if (!target || !*target) {
		return;
	}
	smart_str line = {0};
	append_script(&line);
	smart_str_appends(&line, " from=<");
	if (envelope->from) {
		append_clean(&line, ZSTR_VAL(envelope->from), ZSTR_LEN(envelope->from), false);
	}
	smart_str_appends(&line, "> to=");
	for (size_t i = 0; i < envelope->recipient_count; i++) {
		smart_str_appends(&line, i ? ",<" : "<");
		append_clean(&line, ZSTR_VAL(envelope->recipients[i]), ZSTR_LEN(envelope->recipients[i]), false);
		smart_str_appendc(&line, '>');
	}
	smart_str_appends(&line, " id=<");
	zend_string *known = envelope->message_id;
	zend_string *found = known && ZSTR_LEN(known) ? NULL : source_message_id(envelope->source);
	zend_string *id = found ? found : known;
	if (id) {
		append_clean(&line, ZSTR_VAL(id), ZSTR_LEN(id), false);
	}
	if (found) {
		zend_string_release(found);
	}
	smart_str_appends(&line, "> result=");
	smart_str_appends(&line, result);
	smart_str_appends(&line, " reply=\"");
	if (reply) {
		append_clean(&line, reply, strlen(reply), true);
	}
	smart_str_appendc(&line, '"');
	write_line(target, &line, true);
	smart_str_free(&line);
}

void php_smtp_log_outcome(const php_smtp_config *config, const php_smtp_envelope *envelope,
                          const php_smtp_outcome *outcome)
{
	if (!SMTP_G(log) || !*SMTP_G(log) || php_smtp_log_left_to_spool(config, outcome)) {
		return;
	}
	const char *reply;
	if (outcome->ok) {
		reply = outcome->response ? ZSTR_VAL(outcome->response) : "";
	} else {
		reply = outcome->failure.message ? ZSTR_VAL(outcome->failure.message) : "unknown error";
	}
	php_smtp_log_message(envelope, outcome->ok ? "sent" : "failed", reply);
}

void php_smtp_log_php_mail(const char *to, const char *headers, const char *subject)
{
	const char *target = zend_ini_string("mail.log", sizeof("mail.log") - 1, 0);
	if (!target || !*target) {
		return;
	}
	smart_str line = {0};
	smart_str_appends(&line, "mail() on [");
	if (zend_is_executing()) {
		smart_str_appends(&line, zend_get_executed_filename());
		smart_str_append_printf(&line, ":%u", zend_get_executed_lineno());
	}
	smart_str_appends(&line, "]: To: ");
	smart_str_appends(&line, to);
	smart_str_appends(&line, " -- Headers: ");
	smart_str_appends(&line, headers ? headers : "");
	smart_str_appends(&line, " -- Subject: ");
	smart_str_appends(&line, subject);
	smart_str_0(&line);
	/* as PHP does: the header block's line breaks become spaces */
	for (char *p = ZSTR_VAL(line.s); *p; p++) {
		if (*p == '\r' || *p == '\n') {
			*p = ' ';
		}
	}
	if (strcmp(target, "syslog") == 0) {
		write_line(target, &line, false);
	} else {
		/* PHP's own file format: "[d-M-Y H:i:s e] line" */
		zend_string *date = php_format_date("d-M-Y H:i:s e", sizeof("d-M-Y H:i:s e") - 1, time(NULL), 1);
		smart_str stamped = {0};
		smart_str_appendc(&stamped, '[');
		smart_str_append(&stamped, date);
		smart_str_appends(&stamped, "] ");
		smart_str_append_smart_str(&stamped, &line);
		zend_string_release(date);
		write_line(target, &stamped, false);
		smart_str_free(&stamped);
	}
	smart_str_free(&line);
}
