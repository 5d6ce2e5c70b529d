// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: QMP's JSON as vfioctl qmp reads it from QEMU (vfioctl/qmp-msg.c): the
 * greeting, replies, fd-set lists and type lists. Whatever parses must leave a consistent
 * tree: every link inside the arena, every string inside the pool and NUL-terminated. And
 * the other way: an object-add and a device_add built from the input's text (as ids and fd
 * names) must be one JSON object that reads back to the very strings they were built from.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qmp-msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The string member @key of object @obj is @want. */
static void expect(const struct qj_doc *d, int obj, const char *key, const char *want)
{
	int k = qj_get(d, obj, key);

	if (k < 0 || d->n[k].type != QJ_STR || strcmp(d->n[k].str, want))
		abort();
}

/* The input cut in two NUL-free strings, used as an id and an fd name. */
static void encode_roundtrip(const uint8_t *data, size_t size)
{
	static struct qj_doc d;
	char a[128], b[128], out[4096], why[256];
	size_t half = size / 2, la = half < 127 ? half : 127, lb = size - half < 127 ? size - half : 127;
	int n, args;

	memcpy(a, data, la);
	a[la] = '\0';
	memcpy(b, data + half, lb);
	b[lb] = '\0';
	if (strlen(a) != la || strlen(b) != lb || !la || !lb)
		return; /* a NUL inside: C strings cannot carry it */
	n = qmp_encode_iommufd_add(out, sizeof(out), "vfioctl-1", a, b);
	if (n < 0) {
		if (!strchr(a, ',') && !strchr(b, ','))
			abort(); /* only a comma is refused, and the room is ample */
		return;
	}
	if (n < 2 || memcmp(out + n - 2, "\r\n", 2) || qj_parse(out, (size_t)n, &d, why, sizeof(why)))
		abort();
	expect(&d, 0, "execute", "object-add");
	args = qj_get(&d, 0, "arguments");
	expect(&d, args, "qom-type", "iommufd");
	expect(&d, args, "id", a);
	expect(&d, args, "fd", b);
	n = qmp_encode_vfio_add(out, sizeof(out), NULL, b, a, b);
	if (n < 0 || qj_parse(out, (size_t)n, &d, why, sizeof(why)))
		abort();
	args = qj_get(&d, 0, "arguments");
	expect(&d, args, "driver", "vfio-pci");
	expect(&d, args, "iommufd", a);
	expect(&d, args, "fd", b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct qj_doc d;
	struct qmp_version v;
	struct qmp_reply r;
	struct qmp_fdset_fd fds[4];
	char why[256];
	bool found;
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
	qmp_parse_type_list((const char *)data, size, "iommufd", &found, why, sizeof(why));
	encode_roundtrip(data, size);
	return 0;
}
