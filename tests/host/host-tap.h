/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * host-tap.h - TAP for the host tests (tests/host/test-*.c): check() prints "ok N - WHAT",
 * or "not ok N - WHAT" with the printf-style detail; a test may set tap_detail to add a
 * line to every failure (the library's last error). tap_finish() prints the plan and the
 * counts and gives the exit status.
 */
#ifndef VFIOX_TESTS_HOST_TAP_H
#define VFIOX_TESTS_HOST_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int num, passed, failed;
static const char *(*tap_detail)(void);

static void check(int ok, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check(int ok, const char *what, const char *fmt, ...)
{
	va_list ap;

	num++;
	if (ok) {
		passed++;
		printf("ok %d - %s\n", num, what);
		return;
	}
	failed++;
	printf("not ok %d - %s\n#   ", num, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (tap_detail)
		printf("#   %s\n", tap_detail());
}

static inline int tap_finish(void)
{
	printf("1..%d\n%d passed, %d failed\n", num, passed, failed);
	return failed ? 1 : 0;
}

#endif /* VFIOX_TESTS_HOST_TAP_H */
