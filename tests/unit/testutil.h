/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * testutil.h - shared by the cmocka unit tests: a fixture, a context pointed at it with
 * its log captured, and a scan of it. Header-only so every test-*.c builds from the one
 * compile line the Makefile uses (test .c + fixture.c + libvfiox.a).
 */
#ifndef VFIOX_TESTS_TESTUTIL_H
#define VFIOX_TESTS_TESTUTIL_H

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <vfiox/vfiox.h>

#include "fixture.h"

struct env {
	struct fx *fx;
	struct vfiox_ctx *ctx;
	struct vfiox_scan *scan;
	char log[32768]; /* "W: msg\n" lines: E, W, I or D */
	size_t loglen;
	unsigned warnings; /* messages at VFIOX_LOG_WARNING or more severe */
};

static inline void env_log_cb(void *userdata, int level, const char *msg)
{
	struct env *e = userdata;
	char c = level <= VFIOX_LOG_ERR ? 'E' : level <= VFIOX_LOG_WARNING ? 'W' :
		 level <= VFIOX_LOG_INFO ? 'I' : 'D';
	int n;

	if (level <= VFIOX_LOG_WARNING)
		e->warnings++;
	if (e->loglen >= sizeof(e->log) - 1)
		return;
	n = snprintf(e->log + e->loglen, sizeof(e->log) - e->loglen, "%c: %s\n", c, msg);
	if (n > 0)
		e->loglen += (size_t)n < sizeof(e->log) - e->loglen ? (size_t)n
								    : sizeof(e->log) - e->loglen - 1;
}

/* mkdir -p @path (absolute). */
static inline void env_mkdirs(const char *path)
{
	char buf[4096], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(buf, 0755);
		*p = '/';
	}
	mkdir(buf, 0755);
}

/* Writes @text to @rel under the fixture root, creating the directories on the way. */
static inline void env_put(struct env *e, const char *rel, const char *text)
{
	char path[4096], dir[4096], *slash;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fx_root(e->fx), rel);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	env_mkdirs(dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* The context's last error holds each of the given words (w2, w3 may be NULL). */
static inline void env_assert_error(const struct env *e, const char *w1, const char *w2,
				    const char *w3)
{
	const char *msg = vfiox_ctx_last_error(e->ctx);

	if (!strstr(msg, w1) || (w2 && !strstr(msg, w2)) || (w3 && !strstr(msg, w3)))
		fail_msg("last error '%s' lacks '%s' / '%s' / '%s'", msg, w1, w2 ? w2 : "",
			 w3 ? w3 : "");
}

/* True when some warning (or error) line contains every one of the given words. */
static inline bool env_warned(const struct env *e, const char *w1, const char *w2)
{
	const char *line = e->log;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[1024];

		snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
		if ((buf[0] == 'W' || buf[0] == 'E') && strstr(buf, w1) && (!w2 || strstr(buf, w2)))
			return true;
		line += len + (end ? 1 : 0);
	}
	return false;
}

/*
 * Live envs, so that env_teardown() can free what a failed test (cmocka longjmps out of
 * it) left behind and ASan/valgrind report only the library's leaks.
 */
static struct env *env_live[16];

static inline struct env *env_new(void)
{
	struct env *e = calloc(1, sizeof(*e));
	size_t i;

	assert_non_null(e);
	for (i = 0; i < sizeof(env_live) / sizeof(env_live[0]); i++)
		if (!env_live[i]) {
			env_live[i] = e;
			return e;
		}
	fail_msg("more than %zu live envs", sizeof(env_live) / sizeof(env_live[0]));
	return e;
}

/* Builds scenario @name in a fresh fixture. */
static inline struct env *env_scenario(const char *name)
{
	struct env *e = env_new();
	int ret = fx_scenario(&e->fx, name, NULL);

	if (ret)
		fail_msg("fx_scenario(%s) = %d", name, ret);
	return e;
}

/* An empty fixture: add devices, then env_scan(). */
static inline struct env *env_empty(unsigned flags)
{
	struct env *e = env_new();
	int ret = fx_new(&e->fx, flags);

	if (ret)
		fail_msg("fx_new = %d", ret);
	return e;
}

static inline void env_ctx(struct env *e)
{
	if (e->ctx)
		return;
	assert_int_equal(vfiox_ctx_new(&e->ctx), 0);
	assert_int_equal(vfiox_ctx_set_sysfs_root(e->ctx, fx_root(e->fx)), 0);
	vfiox_ctx_set_log(e->ctx, env_log_cb, e, VFIOX_LOG_DEBUG);
}

/* (Re)scans the fixture; the scan must succeed. */
static inline void env_scan(struct env *e)
{
	int ret;

	env_ctx(e);
	vfiox_scan_free(e->scan);
	e->scan = NULL;
	ret = vfiox_scan_new(e->ctx, &e->scan);
	if (ret)
		fail_msg("vfiox_scan_new(%s) = %d: %s", fx_root(e->fx), ret,
			 vfiox_ctx_last_error(e->ctx));
	assert_non_null(e->scan);
}

static inline void env_free(struct env *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < sizeof(env_live) / sizeof(env_live[0]); i++)
		if (env_live[i] == e)
			env_live[i] = NULL;
	vfiox_scan_free(e->scan);
	vfiox_ctx_free(e->ctx);
	fx_free(e->fx);
	free(e);
}

/* cmocka teardown: frees the envs a failed test did not. */
static inline int env_teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(env_live) / sizeof(env_live[0]); i++)
		env_free(env_live[i]);
	return 0;
}

/* A test with env_teardown(). */
#define env_test(f) cmocka_unit_test_teardown(f, env_teardown)

/* The device at @addr; fails the test when the scan does not have it. */
static inline struct vfiox_pci_dev *env_dev(struct env *e, const char *addr)
{
	struct vfiox_pci_dev *dev = NULL;
	int ret = vfiox_scan_find_dev(e->scan, addr, &dev);

	if (ret || !dev)
		fail_msg("vfiox_scan_find_dev(%s) = %d: %s", addr, ret, vfiox_ctx_last_error(e->ctx));
	return dev;
}

static inline struct vfiox_group *env_group(struct env *e, int id)
{
	struct vfiox_group *g = NULL;
	int ret = vfiox_scan_find_group(e->scan, id, &g);

	if (ret || !g)
		fail_msg("vfiox_scan_find_group(%d) = %d: %s", id, ret, vfiox_ctx_last_error(e->ctx));
	return g;
}

static inline void env_must(struct env *e, int ret, const char *what)
{
	if (ret)
		fail_msg("%s = %d: %s", what, ret, fx_last_error(e->fx));
}

#define FX(e, call) env_must((e), (call), #call)

/* Compares a NULL-able string with an expectation that may be NULL. */
#define assert_str_or_null(got, want)                                                       \
	do {                                                                                \
		const char *g__ = (got), *w__ = (want);                                     \
		if (!w__ && g__)                                                            \
			fail_msg("%s = \"%s\", expected NULL", #got, g__);                 \
		if (w__ && !g__)                                                            \
			fail_msg("%s = NULL, expected \"%s\"", #got, w__);                 \
		if (w__ && strcmp(g__, w__))                                                \
			fail_msg("%s = \"%s\", expected \"%s\"", #got, g__, w__);          \
	} while (0)

#endif /* VFIOX_TESTS_TESTUTIL_H */
