// SPDX-License-Identifier: LGPL-2.1-or-later
/* /proc/iomem: the kernel's map of physical address space, parsed and asked. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "host-private.h"
#include "internal.h"
#include "iomem.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits at *@p (before @end): at least one, at most 16, so the value never wraps. */
static bool parse_hex(const char **p, const char *end, uint64_t *val)
{
	const char *s = *p;
	uint64_t v = 0;
	int d, n = 0;

	while (s < end && (d = hexval(*s)) >= 0) {
		if (++n > 16)
			return false;
		v = v << 4 | (uint64_t)d;
		s++;
	}
	if (!n)
		return false;
	*p = s;
	*val = v;
	return true;
}

/* One line [@s, @end) of the copy: "<2*depth spaces>start-end : name". */
static bool parse_line(char *s, char *end, struct vfiox_iomem_entry *e)
{
	const char *p = s;
	size_t spaces = 0;

	while (p < end && *p == ' ') {
		p++;
		spaces++;
	}
	/* The kernel indents by two per level; anything else is not its line. */
	if (spaces % 2 || spaces / 2 > UINT_MAX)
		return false;
	e->depth = (unsigned int)(spaces / 2);
	if (!parse_hex(&p, end, &e->start) || p >= end || *p++ != '-' ||
	    !parse_hex(&p, end, &e->end))
		return false;
	if (end - p < 3 || memcmp(p, " : ", 3))
		return false;
	if (e->end < e->start)
		return false;
	e->name = p + 3;
	*end = '\0';
	return true;
}

int vfiox__iomem_parse(const char *text, size_t len, struct vfiox_iomem *out)
{
	size_t lines = 1, i;
	char *s, *nl, *stop;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	out->text = malloc(len + 1);
	out->v = calloc(lines, sizeof(*out->v));
	if (!out->text || !out->v) {
		vfiox__iomem_release(out);
		return -ENOMEM;
	}
	if (len)
		memcpy(out->text, text, len);
	out->text[len] = '\0';
	stop = out->text + len;
	for (s = out->text; s < stop; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(stop - s));
		if (!nl)
			nl = stop;
		if (parse_line(s, nl, &out->v[out->n]))
			out->n++;
	}
	out->hidden = out->n > 0;
	for (i = 0; i < out->n && out->hidden; i++)
		out->hidden = !out->v[i].start && !out->v[i].end;
	return 0;
}

void vfiox__iomem_release(struct vfiox_iomem *m)
{
	free(m->v);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

int vfiox__iomem_read(struct vfiox_ctx *ctx, struct vfiox_iomem *out)
{
	char path[4096];
	char *text;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (vfiox__root_path(path, sizeof(path), ctx->proc_root, "iomem"))
		return vfiox__err(ctx, -ENAMETOOLONG, "%s/iomem: the path is too long",
				  ctx->proc_root);
	text = vfiox__read_text(ctx, path, &ret);
	if (!text)
		return ret;
	ret = vfiox__iomem_parse(text, strlen(text), out);
	free(text);
	if (ret < 0)
		return vfiox__err(ctx, ret, "out of memory reading %s", path);
	if (out->hidden) {
		vfiox__iomem_release(out);
		return vfiox__err(ctx, -EACCES,
				  "%s shows every address as 0: the kernel shows physical addresses "
				  "only to root (CAP_SYS_ADMIN); run as root", path);
	}
	if (!out->n) {
		vfiox__iomem_release(out);
		return vfiox__err(ctx, -EPROTO, "%s has no line of the form 'start-end : name'",
				  path);
	}
	return 0;
}

static bool overlaps(const struct vfiox_iomem_entry *e, uint64_t start, uint64_t end)
{
	return e->start <= end && start <= e->end;
}

void vfiox__iomem_classify(const struct vfiox_iomem *m, uint64_t start, uint64_t end,
			   struct vfiox_iomem_verdict *v)
{
	size_t i;

	v->ram = NULL;
	v->top = NULL;
	for (i = 0; i < m->n; i++) {
		const struct vfiox_iomem_entry *e = &m->v[i];

		if (!v->ram && overlaps(e, start, end) && !strcmp(e->name, "System RAM"))
			v->ram = e;
		if (!v->top && !e->depth && e->start <= start && end <= e->end)
			v->top = e;
	}
}

const struct vfiox_iomem_entry *vfiox__iomem_find(const struct vfiox_iomem *m, const char *name,
						  uint64_t start, uint64_t end,
						  unsigned int min_depth,
						  const struct vfiox_iomem_entry *after)
{
	size_t i = after ? (size_t)(after - m->v) + 1 : 0;

	for (; i < m->n; i++) {
		const struct vfiox_iomem_entry *e = &m->v[i];

		if (e->depth >= min_depth && overlaps(e, start, end) && !strcmp(e->name, name))
			return e;
	}
	return NULL;
}
