/*
 * A tiny TAP-like reporter for the C unit tests: each check prints
 * "ok N - name" or "not ok N - name", and tap_done() makes the exit status
 * non-zero when any failed, so `make check` fails too.
 */
#ifndef SMTP_TEST_TAP_H
#define SMTP_TEST_TAP_H

#include <stdbool.h>
#include <stdio.h>

static int tap_count;
static int tap_failed;

static inline bool tap_ok(bool passed, const char *name)
{
	tap_count++;
	if (!passed) {
		tap_failed++;
	}
	printf("%sok %d - %s\n", passed ? "" : "not ", tap_count, name);
	return passed;
}

/* For a failed check: one "# ..." diagnostic line (TAP comment). */
#define tap_diag(...)                                                                                                  \
	do {                                                                                                               \
		printf("# ");                                                                                                  \
		printf(__VA_ARGS__);                                                                                           \
		printf("\n");                                                                                                  \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed) {
		printf("# %d of %d failed\n", tap_failed, tap_count);
	}
	return tap_failed ? 1 : 0;
}

#endif
