/*
 * Smtp\Message: the Zend side of the MIME builder (the encoding itself is in
 * src/lib/, pure C). The Mailer asks a Message for what it needs to send it:
 * php_smtp_message_prepare() gives the envelope and a source of the exact
 * bytes toString() returns.
 */
#ifndef PHP_SMTP_MESSAGE_H
#define PHP_SMTP_MESSAGE_H

#include "php.h"
#include "lib/source.h"

extern zend_class_entry *php_smtp_message_ce;

typedef struct {
	zend_string *envelope_from; /* returnPath, else From (IDNA applied); NULL when neither is set */
	zend_string **recipients;   /* To + Cc + Bcc without duplicates, IDNA applied (emalloc'd array) */
	size_t recipient_count;
	zend_string *message_id; /* the Message-ID that goes out, without angle brackets */
	bool needs_smtputf8;     /* an address has a non-ASCII local part */
	smtp_source source;      /* the message bytes, rewindable; valid until php_smtp_outgoing_release() */
	void *state;             /* owned by the message module */
} php_smtp_outgoing;

/* Prepares message (an Smtp\Message) for sending. default_from and
 * default_from_name (either may be NULL) fill in a missing From. Throws and
 * returns FAILURE when the message cannot be sent as it is (no recipient, no
 * sender, an attachment that is missing or unreadable). */
zend_result php_smtp_message_prepare(zend_object *message, const char *default_from, const char *default_from_name,
                                     php_smtp_outgoing *out);

/* Frees what prepare made (safe on a zeroed or half-filled out). */
void php_smtp_outgoing_release(php_smtp_outgoing *out);

zend_result php_smtp_message_minit(void);

#endif
