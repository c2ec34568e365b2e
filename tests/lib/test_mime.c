/* Unit tests for src/lib/mime.c: structure, streaming, rewinding, missing files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "encode.h"
#include "mime.h"
#include "tap.h"

/* Reads the whole source with reads of at most step bytes. Returns -1 on a read error. */
static int read_all(smtp_source *src, size_t step, smtp_buf *out)
{
	char buf[70000];
	for (;;) {
		ssize_t n = smtp_source_read(src, buf, step < sizeof(buf) ? step : sizeof(buf));
		if (n < 0) {
			return -1;
		}
		if (n == 0) {
			return 0;
		}
		smtp_buf_append(out, buf, (size_t) n);
	}
}

static size_t count(const smtp_buf *b, const char *needle)
{
	size_t found = 0, nlen = strlen(needle);
	for (size_t i = 0; i + nlen <= b->len; i++) {
		if (memcmp(b->data + i, needle, nlen) == 0) {
			found++;
		}
	}
	return found;
}

static bool contains(const smtp_buf *b, const char *needle)
{
	return count(b, needle) > 0;
}

static bool lines_ok(const smtp_buf *b)
{
	size_t line = 0;
	for (size_t i = 0; i < b->len; i++) {
		if (b->data[i] == '\n' && (i == 0 || b->data[i - 1] != '\r')) {
			return false;
		}
		if (b->data[i] == '\r' && (i + 1 == b->len || b->data[i + 1] != '\n')) {
			return false;
		}
		if (b->data[i] == '\n') {
			line = 0;
		} else if (b->data[i] != '\r' && ++line > 998) {
			return false;
		}
	}
	return true;
}

static smtp_mailbox from = {"shop@example.com", "Shop", 4};
static smtp_mailbox to[] = {{"ann@example.org", "Ann", 3}, {"bob@example.org", NULL, 0}};

static smtp_mime_spec base_spec(void)
{
	smtp_mime_spec s = {0};
	s.date = "Thu, 26 Nov 2026 16:21:04 +0000";
	s.message_id = "0123456789abcdef0123456789abcdef@example.com";
	s.from = &from;
	s.to = to;
	s.to_count = 2;
	s.subject = "Hi";
	s.subject_len = 2;
	s.boundary_seed = "00112233445566778899aabbccddeeff";
	return s;
}

static smtp_buf render(const smtp_mime_spec *spec, size_t step)
{
	char err[200];
	smtp_buf out;
	smtp_buf_init(&out);
	smtp_mime_writer *w = smtp_mime_writer_new(spec, err, sizeof(err));
	smtp_source src = smtp_mime_writer_source(w);
	read_all(&src, step, &out);
	smtp_mime_writer_free(w);
	smtp_buf_putc(&out, '\0');
	out.len--;
	return out;
}

/* smtp_header_message_id: what it finds (as "id") or "-" when it finds none */
static bool id_is(const char *text, const char *want)
{
	size_t start, len;
	if (!smtp_header_message_id(text, strlen(text), &start, &len)) {
		return strcmp(want, "-") == 0;
	}
	return strlen(want) == len && memcmp(text + start, want, len) == 0;
}

static void header_message_id_cases(void)
{
	tap_ok(id_is("Message-ID: <a@x>\r\nSubject: s\r\n\r\nbody\r\n", "a@x"), "message-id: the first field");
	tap_ok(id_is("Subject: s\r\nmessage-id:<b@x>\r\n\r\n", "b@x"), "message-id: any case, no space");
	tap_ok(id_is("Subject: s\nMessage-ID:\n <c@x>\n\n", "c@x"), "message-id: folded onto the next line, LF only");
	tap_ok(id_is("Subject: s\r\n\r\nMessage-ID: <body@x>\r\n", "-"), "message-id: not looked for in the body");
	tap_ok(id_is("Message-IDs: <no@x>\r\nX-Message-ID: <no@x>\r\n\r\n", "-"), "message-id: only that field name");
	tap_ok(id_is("Message-ID: broken\r\nX: <no@x>\r\n\r\n", "-"), "message-id: no brackets in the field, none");
	tap_ok(id_is("Message-ID: <d@x>", "d@x"), "message-id: a header block without an end");
}

int main(void)
{
	header_message_id_cases();
	smtp_mime_spec spec = base_spec();
	spec.text = "Hello\n.dot line\n";
	spec.text_len = strlen(spec.text);
	smtp_buf m = render(&spec, 65536);
	tap_ok(contains(&m, "From: Shop <shop@example.com>\r\n"), "from header with name");
	tap_ok(contains(&m, "To: Ann <ann@example.org>, bob@example.org\r\n"), "to list, comma separated");
	tap_ok(contains(&m, "Message-ID: <0123456789abcdef0123456789abcdef@example.com>\r\n"), "message-id in brackets");
	tap_ok(contains(&m, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
	                    "Content-Transfer-Encoding: 7bit\r\n\r\nHello\r\n.dot line\r\n"),
	       "text only: single text/plain 7bit part, CRLF lines");
	tap_ok(!contains(&m, "multipart"), "text only: no multipart");
	tap_ok(lines_ok(&m), "text only: CRLF everywhere, no line over 998");
	smtp_buf_free(&m);

	spec.html = "<p>Hi <img src=\"cid:logo\"></p>";
	spec.html_len = strlen(spec.html);
	m = render(&spec, 65536);
	tap_ok(contains(&m, "Content-Type: multipart/alternative;\r\n boundary=\"=_a_00112233445566778899aabbccddeeff\""),
	       "text+html: multipart/alternative");
	tap_ok(count(&m, "--=_a_00112233445566778899aabbccddeeff\r\n") == 2 &&
	           count(&m, "--=_a_00112233445566778899aabbccddeeff--\r\n") == 1,
	       "text+html: two parts and a closing boundary");
	smtp_buf_free(&m);

	/* html + embed + an in-memory attachment + a file attachment */
	char path[] = "/tmp/smtp-mime-test-XXXXXX";
	int fd = mkstemp(path);
	unsigned char file_bytes[200000];
	for (size_t i = 0; i < sizeof(file_bytes); i++) {
		file_bytes[i] = (unsigned char) (i * 7 + i / 256);
	}
	if (fd < 0 || write(fd, file_bytes, sizeof(file_bytes)) != (ssize_t) sizeof(file_bytes)) {
		tap_ok(false, "temporary file written");
		return tap_done();
	}
	close(fd);
	smtp_mime_attachment embed = {.data = "PNGDATA", .data_len = 7, .filename = "logo.png", .filename_len = 8,
	                              .content_id = "logo"};
	smtp_mime_attachment attachments[2] = {
		{.data = "a,b\n1,2\n", .data_len = 8, .filename = "a.csv", .filename_len = 5},
		{.path = path, .filename = "report.pdf", .filename_len = 10},
	};
	spec.embeds = &embed;
	spec.embed_count = 1;
	spec.attachments = attachments;
	spec.attachment_count = 2;
	m = render(&spec, 65536);
	smtp_buf small = render(&spec, 7);
	tap_ok(m.len == small.len && memcmp(m.data, small.data, m.len) == 0, "reads of 7 bytes give the same bytes as 64 KB");
	tap_ok(contains(&m, "multipart/mixed") && contains(&m, "multipart/alternative") &&
	           contains(&m, "multipart/related"),
	       "mixed > alternative > related nesting");
	tap_ok(contains(&m, "Content-Type: image/png; name=\"logo.png\"\r\nContent-Transfer-Encoding: base64\r\n"
	                    "Content-Disposition: inline; filename=\"logo.png\"\r\nContent-ID: <logo>\r\n"),
	       "embed: inline part with Content-ID");
	tap_ok(contains(&m, "Content-Type: text/csv; name=\"a.csv\"") && contains(&m, "Content-Type: application/pdf"),
	       "attachments typed by extension");
	tap_ok(lines_ok(&m), "full message: CRLF everywhere, no line over 998");

	/* the file part decodes to the file */
	const char *marker = "filename=\"report.pdf\"\r\n\r\n";
	char *start = strstr(m.data, marker);
	bool file_ok = false;
	if (start) {
		start += strlen(marker);
		char *end = strstr(start, "--=_m_");
		smtp_buf decoded;
		smtp_buf_init(&decoded);
		file_ok = end && smtp_base64_decode(&decoded, start, (size_t) (end - start)) == 0 &&
		          decoded.len == sizeof(file_bytes) && memcmp(decoded.data, file_bytes, decoded.len) == 0;
		smtp_buf_free(&decoded);
	}
	tap_ok(file_ok, "file attachment decodes to the file, byte for byte");

	/* rewind gives the same bytes again */
	char err[300];
	smtp_mime_writer *w = smtp_mime_writer_new(&spec, err, sizeof(err));
	smtp_source src = smtp_mime_writer_source(w);
	smtp_buf first, second;
	smtp_buf_init(&first);
	smtp_buf_init(&second);
	char part[1000];
	ssize_t n = smtp_source_read(&src, part, sizeof(part)); /* stop half-way in, then rewind */
	(void) n;
	smtp_source_rewind(&src);
	read_all(&src, 4096, &first);
	smtp_source_rewind(&src);
	read_all(&src, 65536, &second);
	tap_ok(first.len == m.len && second.len == m.len && memcmp(first.data, m.data, m.len) == 0 &&
	           memcmp(second.data, m.data, m.len) == 0,
	       "rewind: the same bytes each time");
	tap_ok(smtp_mime_writer_check_files(w, err, sizeof(err)) == 0, "check_files: present file passes");

	/* the file vanishes before sending */
	unlink(path);
	smtp_source_rewind(&src);
	smtp_buf third;
	smtp_buf_init(&third);
	tap_ok(smtp_mime_writer_check_files(w, err, sizeof(err)) == -1 && strstr(err, path) != NULL,
	       "check_files: a vanished file fails, naming it");
	tap_ok(read_all(&src, 65536, &third) == -1 && strstr(smtp_source_error(&src), path) != NULL,
	       "read: a vanished file is a read error naming it");
	smtp_mime_writer_free(w);
	smtp_buf_free(&first);
	smtp_buf_free(&second);
	smtp_buf_free(&third);
	smtp_buf_free(&small);
	smtp_buf_free(&m);

	char date[40];
	smtp_format_date(0, date, sizeof(date));
	tap_ok(strlen(date) == 31 && date[3] == ',' && (date[26] == '+' || date[26] == '-'), "date: RFC 5322 shape");
	tap_ok(strcmp(smtp_mime_type_for_name("A.JPG", 5), "image/jpeg") == 0 &&
	           strcmp(smtp_mime_type_for_name("x.unknown", 9), "application/octet-stream") == 0 &&
	           strcmp(smtp_mime_type_for_name("noext", 5), "application/octet-stream") == 0,
	       "media types by extension, case-insensitive, with a default");
	return tap_done();
}
