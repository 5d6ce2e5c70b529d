// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: QMP's JSON as vfioctl qmp reads it from QEMU (vfioctl/qmp-msg.c): the
 * greeting, replies and fd-set lists. Whatever parses must leave a consistent tree: every
 * link inside the arena, every string inside the pool and NUL-terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qmp-msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct qj_doc d;
	struct qmp_version v;
	struct qmp_reply r;
	struct qmp_fdset_fd fds[4];
	char why[256];
	size_t i, n;

	if (!qj_parse((const char *)data, size, &d, why, sizeof(why))) {
		if (!d.nn || d.used > sizeof(d.pool))
			abort();
		for (i = 0; i < d.nn; i++) {
			const struct qj_node *x = &d.n[i];

			if (x->child >= (int)d.nn || x->next >= (int)d.nn || x->child == (int)i ||
			    (x->next >= 0 && x->next <= (int)i))
				abort();
			if (x->type == QJ_STR && (x->str < d.pool || x->str >= d.pool + d.used ||
						  !memchr(x->str, 0, (size_t)(d.pool + d.used - x->str))))
				abort();
		}
	}
	qmp_parse_greeting((const char *)data, size, &v, why, sizeof(why));
	qmp_parse_reply((const char *)data, size, &r, why, sizeof(why));
	if (!qmp_parse_fdsets((const char *)data, size, fds, 4, &n, why, sizeof(why)))
		for (i = 0; i < n && i < 4; i++)
			if (strlen(fds[i].opaque) >= sizeof(fds[i].opaque))
				abort();
	return 0;
}
