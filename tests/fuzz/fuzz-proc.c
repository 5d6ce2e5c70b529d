// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer: the parsers of kernel and configuration text the in-use detection and the
 * doctor read: /proc/self/mountinfo, /proc/swaps, /proc/cmdline, /proc/interrupts and
 * limits.conf. Each gets its own copy of the input (they modify it in place).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "host-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_mount(void *arg, const char *majmin, const char *mp, const char *src,
		    const char *fstype)
{
	size_t *n = arg;

	/* every field is a string inside the text; the device number has its colon */
	if (!strchr(majmin, ':') || !mp || !src || !fstype)
		abort();
	*n += strlen(mp) + strlen(src) + strlen(fstype);
	return 0;
}

static int on_swap(void *arg, const char *path)
{
	size_t *n = arg;

	if (path[0] != '/')
		abort();
	*n += strlen(path);
	return 0;
}

static char *copy(const uint8_t *data, size_t size)
{
	char *t = malloc(size + 1);

	if (t) {
		memcpy(t, data, size);
		t[size] = '\0';
	}
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const groups[] = { "kvm", "alice" };
	static const unsigned long gids[] = { 999, 1000 };
	struct vfiox_limits_user u = { .name = "alice", .uid = 1000, .gid = 1000,
				       .groups = groups, .gids = gids, .ngroups = 2 };
	struct vfiox_limits_state st;
	unsigned remapped, plain;
	char buf[16];
	const char *v;
	size_t n = 0;
	char *t;

	if ((t = copy(data, size))) {
		vfiox__parse_mountinfo(t, on_mount, &n);
		free(t);
	}
	if ((t = copy(data, size))) {
		vfiox__parse_swaps(t, on_swap, &n);
		free(t);
	}
	if ((t = copy(data, size))) {
		v = vfiox__cmdline_param(t, "intel_iommu", buf, sizeof(buf));
		if (v && (v != buf || strlen(v) >= sizeof(buf)))
			abort();
		v = vfiox__cmdline_param(t, "nointremap", buf, 1);
		if (v && *v)
			abort();
		free(t);
	}
	if ((t = copy(data, size))) {
		vfiox__parse_interrupts(t, &remapped, &plain);
		if ((size_t)remapped + plain > size)
			abort(); /* at most one interrupt a line */
		free(t);
	}
	if ((t = copy(data, size))) {
		vfiox__limits_init(&st);
		vfiox__parse_limits(t, "limits.conf", &u, &st);
		if (st.soft_src > VFIOX_LIMIT_SRC_NONE || st.hard_src > VFIOX_LIMIT_SRC_NONE ||
		    (st.soft_src < VFIOX_LIMIT_SRC_NONE && !st.soft_from[0]))
			abort();
		free(t);
	}
	return 0;
}
