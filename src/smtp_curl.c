#include "config.h"

#ifdef PHP_SMTP_CURL_DLOPEN
/* the functions below are libcurl's own names: no type-checking macros here */
#define CURL_DISABLE_TYPECHECK
#endif
#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "smtp_curl.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static bool initialised;
static char why[256];

#ifdef PHP_SMTP_CURL_DLOPEN
#include <dlfcn.h>

#ifdef __APPLE__
#define LIBCURL_NAME "libcurl.4.dylib"
#else
#define LIBCURL_NAME "libcurl.so.4" /* the SONAME since libcurl 7.16 */
#endif

#define HIDDEN __attribute__((visibility("hidden")))

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* libcurl's functions, once loaded; NULL before */
static struct {
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLcode (*easy_send)(CURL *, const void *, size_t, size_t *);
	CURLcode (*easy_recv)(CURL *, void *, size_t, size_t *);
	const char *(*easy_strerror)(CURLcode);
	CURLcode (*easy_perform)(CURL *);
	char *(*easy_escape)(CURL *, const char *, int);
	void (*free)(void *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_cleanup)(CURLM *);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd[], unsigned int, int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
	curl_version_info_data *(*version_info)(CURLversion);
} lib;
static bool loaded;

static void load(void)
{
	/* RTLD_LOCAL: nothing else in the process resolves against it through us */
	void *handle = dlopen(LIBCURL_NAME, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		snprintf(why, sizeof(why), "cannot load libcurl: %s", dlerror());
		return;
	}
	struct {
		const char *name;
		void **slot;
	} table[] = {
#define SYMBOL(field, name) {name, (void **)&lib.field}
	    SYMBOL(global_init, "curl_global_init"),
	    SYMBOL(global_cleanup, "curl_global_cleanup"),
	    SYMBOL(easy_init, "curl_easy_init"),
	    SYMBOL(easy_cleanup, "curl_easy_cleanup"),
	    SYMBOL(easy_setopt, "curl_easy_setopt"),
	    SYMBOL(easy_getinfo, "curl_easy_getinfo"),
	    SYMBOL(easy_send, "curl_easy_send"),
	    SYMBOL(easy_recv, "curl_easy_recv"),
	    SYMBOL(easy_strerror, "curl_easy_strerror"),
	    SYMBOL(easy_perform, "curl_easy_perform"),
	    SYMBOL(easy_escape, "curl_easy_escape"),
	    SYMBOL(free, "curl_free"),
	    SYMBOL(slist_append, "curl_slist_append"),
	    SYMBOL(slist_free_all, "curl_slist_free_all"),
	    SYMBOL(multi_init, "curl_multi_init"),
	    SYMBOL(multi_cleanup, "curl_multi_cleanup"),
	    SYMBOL(multi_add_handle, "curl_multi_add_handle"),
	    SYMBOL(multi_remove_handle, "curl_multi_remove_handle"),
	    SYMBOL(multi_perform, "curl_multi_perform"),
	    SYMBOL(multi_poll, "curl_multi_poll"),
	    SYMBOL(multi_info_read, "curl_multi_info_read"),
	    SYMBOL(multi_setopt, "curl_multi_setopt"),
	    SYMBOL(version_info, "curl_version_info"),
#undef SYMBOL
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		void *address = dlsym(handle, table[i].name);
		if (!address) {
			snprintf(why, sizeof(why), "libcurl (%s) has no %s: it is older than 7.66", LIBCURL_NAME, table[i].name);
			memset(&lib, 0, sizeof(lib));
			dlclose(handle);
			return;
		}
		*table[i].slot = address;
	}
	loaded = true;
}

bool php_smtp_curl_load(void)
{
	pthread_once(&load_once, load);
	return loaded;
}

/* ---- the libcurl API the extension calls, forwarded ---- */

HIDDEN CURLcode curl_global_init(long flags)
{
	return php_smtp_curl_load() ? lib.global_init(flags) : CURLE_FAILED_INIT;
}

HIDDEN void curl_global_cleanup(void)
{
	if (loaded) {
		lib.global_cleanup();
	}
}

HIDDEN CURL *curl_easy_init(void)
{
	return loaded ? lib.easy_init() : NULL;
}

/* Handles exist only once libcurl is loaded: the functions taking one need no check. */
HIDDEN void curl_easy_cleanup(CURL *easy)
{
	lib.easy_cleanup(easy);
}

/* The one argument after the option has the type its number says (curl.h:
 * CURLOPTTYPE_*): long, a pointer (object or function), or curl_off_t. */
HIDDEN CURLcode curl_easy_setopt(CURL *easy, CURLoption option, ...)
{
	va_list ap;
	va_start(ap, option);
	CURLcode rc;
	/* NOLINTBEGIN(bugprone-branch-clone,clang-analyzer-valist.Uninitialized): long and curl_off_t are
	 * one type on LP64 only; and ap is initialised by the va_start above, which the analyzer loses
	 * track of when it follows a caller into this forwarder */
	if (option < CURLOPTTYPE_OBJECTPOINT) {
		rc = lib.easy_setopt(easy, option, va_arg(ap, long));
	} else if (option >= CURLOPTTYPE_OFF_T && option < CURLOPTTYPE_BLOB) {
		rc = lib.easy_setopt(easy, option, va_arg(ap, curl_off_t));
	} else {
		rc = lib.easy_setopt(easy, option, va_arg(ap, void *));
	}
	/* NOLINTEND(bugprone-branch-clone,clang-analyzer-valist.Uninitialized) */
	va_end(ap);
	return rc;
}

HIDDEN CURLcode curl_easy_getinfo(CURL *easy, CURLINFO info, ...)
{
	va_list ap;
	va_start(ap, info);
	CURLcode rc = lib.easy_getinfo(easy, info, va_arg(ap, void *)); /* always a pointer to the result */
	va_end(ap);
	return rc;
}

HIDDEN CURLcode curl_easy_send(CURL *easy, const void *buffer, size_t length, size_t *sent)
{
	return lib.easy_send(easy, buffer, length, sent);
}

HIDDEN CURLcode curl_easy_recv(CURL *easy, void *buffer, size_t length, size_t *received)
{
	return lib.easy_recv(easy, buffer, length, received);
}

HIDDEN const char *curl_easy_strerror(CURLcode code)
{
	return loaded ? lib.easy_strerror(code) : "libcurl is not loaded";
}

/* The OAuth token request (smtp_oauth.c): an ordinary HTTPS transfer. */
HIDDEN CURLcode curl_easy_perform(CURL *easy)
{
	return lib.easy_perform(easy);
}

HIDDEN char *curl_easy_escape(CURL *easy, const char *string, int length)
{
	return lib.easy_escape(easy, string, length);
}

HIDDEN void curl_free(void *pointer)
{
	if (loaded) {
		lib.free(pointer);
	}
}

HIDDEN struct curl_slist *curl_slist_append(struct curl_slist *list, const char *string)
{
	return loaded ? lib.slist_append(list, string) : NULL;
}

HIDDEN void curl_slist_free_all(struct curl_slist *list)
{
	if (loaded) {
		lib.slist_free_all(list);
	}
}

HIDDEN CURLM *curl_multi_init(void)
{
	return loaded ? lib.multi_init() : NULL;
}

HIDDEN CURLMcode curl_multi_cleanup(CURLM *multi)
{
	return lib.multi_cleanup(multi);
}

HIDDEN CURLMcode curl_multi_add_handle(CURLM *multi, CURL *easy)
{
	return multi ? lib.multi_add_handle(multi, easy) : CURLM_BAD_HANDLE;
}

HIDDEN CURLMcode curl_multi_remove_handle(CURLM *multi, CURL *easy)
{
	return multi ? lib.multi_remove_handle(multi, easy) : CURLM_BAD_HANDLE;
}

HIDDEN CURLMcode curl_multi_perform(CURLM *multi, int *running)
{
	return multi ? lib.multi_perform(multi, running) : CURLM_BAD_HANDLE;
}

HIDDEN CURLMcode curl_multi_poll(CURLM *multi, struct curl_waitfd extra[], unsigned int count, int timeout_ms, int *ret)
{
	return multi ? lib.multi_poll(multi, extra, count, timeout_ms, ret) : CURLM_BAD_HANDLE;
}

HIDDEN CURLMsg *curl_multi_info_read(CURLM *multi, int *queued)
{
	return multi ? lib.multi_info_read(multi, queued) : NULL;
}

HIDDEN CURLMcode curl_multi_setopt(CURLM *multi, CURLMoption option, ...)
{
	if (!multi) {
		return CURLM_BAD_HANDLE;
	}
	va_list ap;
	va_start(ap, option);
	CURLMcode rc;
	/* NOLINTBEGIN(bugprone-branch-clone,clang-analyzer-valist.Uninitialized): as in curl_easy_setopt */
	if (option < CURLOPTTYPE_OBJECTPOINT) {
		rc = lib.multi_setopt(multi, option, va_arg(ap, long));
	} else if (option >= CURLOPTTYPE_OFF_T && option < CURLOPTTYPE_BLOB) {
		rc = lib.multi_setopt(multi, option, va_arg(ap, curl_off_t));
	} else {
		rc = lib.multi_setopt(multi, option, va_arg(ap, void *));
	}
	/* NOLINTEND(bugprone-branch-clone,clang-analyzer-valist.Uninitialized) */
	va_end(ap);
	return rc;
}

HIDDEN curl_version_info_data *curl_version_info(CURLversion version)
{
	return php_smtp_curl_load() ? lib.version_info(version) : NULL;
}

#else /* libcurl linked */

bool php_smtp_curl_load(void)
{
	return true;
}

#endif

/* ---- global initialisation ---- */

/* curl_global_init() also initialises OpenSSL, libssh2 and friends: work a
 * process that never mails need not do. */
static void init(void)
{
	if (!php_smtp_curl_load()) {
		return;
	}
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	initialised = rc == CURLE_OK;
	if (!initialised) {
		snprintf(why, sizeof(why), "curl_global_init failed: %s", curl_easy_strerror(rc));
	}
}

bool php_smtp_curl_ready(void)
{
	pthread_once(&init_once, init);
	return initialised;
}

const char *php_smtp_curl_error(void)
{
	return why;
}

void php_smtp_curl_shutdown(void)
{
	/* MSHUTDOWN, one thread left: only what was initialised is cleaned up */
	if (initialised) {
		curl_global_cleanup();
		initialised = false;
	}
}
