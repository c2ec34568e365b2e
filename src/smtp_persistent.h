/*
 * Sessions kept in the worker process after the request (`persistent`):
 * an authenticated connection a later request's Mailer reuses when its
 * destination and identity are the same (host, port, encryption, certificate
 * checks and CA, username, a keyed hash of the secret, AUTH mechanism, HELO).
 *
 * What is kept is libcurl's: the easy handle of the connection and the multi
 * it must stay added to (removing it closes the connection), in malloc'd
 * memory, never request memory. A session is kept by one process: a forked
 * child that finds its parent's sessions closes their sockets without a byte
 * sent (the TLS state is the parent's) and forgets them. One that idled
 * longer than smtp.persistent_idle is closed with QUIT when next looked at.
 */
#ifndef PHP_SMTP_PERSISTENT_H
#define PHP_SMTP_PERSISTENT_H

#include "php.h"
#include <curl/curl.h>

#include "smtp_config.h"
#include "smtp_transport.h"

/* One kept connection, handed between the registry and a pipeline. */
typedef struct {
	CURLM *multi;
	CURL *easy;
	curl_socket_t fd;
	bool pipelining, size, smtputf8, chunking;
	bool needs_rset;       /* a refused transaction was left open */
	zend_ulong messages;   /* carried so far */
	double since;          /* when it was first kept (monotonic seconds; 0: now) */
} php_smtp_kept_session;

/* Takes a kept session for config's destination and identity out of the
 * registry; false when there is none (expired and foreign ones are dropped
 * on the way). The caller owns it then. */
bool php_smtp_persistent_take(const php_smtp_config *config, php_smtp_kept_session *out);

/* The socket registry the handles of a persistent Mailer are made with:
 * libcurl keeps a connection's socket-callback data from its opening on, so
 * it must outlive every request (not ZTS-safe: one registry per process). */
php_smtp_sockets *php_smtp_persistent_sockets(void);

/* Whether the registry would keep one more session for config. */
bool php_smtp_persistent_has_room(const php_smtp_config *config);

/* Keeps the session (made with php_smtp_persistent_sockets()). */
void php_smtp_persistent_keep(const php_smtp_config *config, const php_smtp_kept_session *session);

/* Closes (QUIT) the kept sessions for config: Mailer::close(). */
void php_smtp_persistent_forget(const php_smtp_config *config);

/* RINIT: closes the sessions idle for too long. MSHUTDOWN: closes all. */
void php_smtp_persistent_sweep(void);
void php_smtp_persistent_shutdown(void);

/* A forked child's copy of a parent's libcurl handle: never touched again,
 * kept reachable (left on purpose, not leaked). */
void php_smtp_persistent_abandon(void *handle);

/* phpinfo() rows. */
void php_smtp_persistent_info(void);

#endif
