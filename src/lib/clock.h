/*
 * Seconds on the monotonic clock, for deadlines and ages (a session's idle
 * time, a token's life, a reply's timeout): a change of the wall clock must
 * not move them. Pure C, header-only.
 */
#ifndef SMTP_LIB_CLOCK_H
#define SMTP_LIB_CLOCK_H

#include <time.h>

static inline double smtp_monotonic_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
