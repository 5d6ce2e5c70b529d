/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to libvfiox: /proc/iomem, parsed by a pure function (tested and fuzzed without a
 * kernel) and asked where a physical range lies.
 */
#ifndef VFIOX_IOMEM_H
#define VFIOX_IOMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vfiox_ctx;

/* One line: "  8b800000-8f7fffff : Graphics Stolen Memory" is depth 1. */
struct vfiox_iomem_entry {
	uint64_t start, end; /* inclusive, as the kernel prints them */
	unsigned int depth;  /* leading spaces / 2 */
	const char *name;    /* into the parsed copy of the text */
};

struct vfiox_iomem {
	struct vfiox_iomem_entry *v;
	size_t n;
	char *text;  /* the parsed copy; names point into it */
	bool hidden; /* every address reads 0: the kernel hides them from non-root readers */
};

/*
 * vfiox__iomem_parse(): the entries of @text (@len bytes, need not be NUL-terminated) in
 * file order. Lines that do not parse are skipped; an entry whose end is below its start
 * is skipped. Return: 0 or -ENOMEM. Release with vfiox__iomem_release().
 */
int vfiox__iomem_parse(const char *text, size_t len, struct vfiox_iomem *out);

/* <proc root>/iomem of @ctx. Return: 0; -EACCES (last error set) when hidden; -errno. */
int vfiox__iomem_read(struct vfiox_ctx *ctx, struct vfiox_iomem *out);

void vfiox__iomem_release(struct vfiox_iomem *m);

/* Where [@start, @end] (inclusive) lies. */
struct vfiox_iomem_verdict {
	const struct vfiox_iomem_entry *ram; /* the first "System RAM" (any depth) it overlaps */
	const struct vfiox_iomem_entry *top; /* the depth-0 entry holding all of it, or NULL */
};
void vfiox__iomem_classify(const struct vfiox_iomem *m, uint64_t start, uint64_t end,
			   struct vfiox_iomem_verdict *v);

/*
 * The first entry after @after (NULL: from the start) named @name that overlaps [@start,
 * @end] and has at least @min_depth, or NULL.
 */
const struct vfiox_iomem_entry *vfiox__iomem_find(const struct vfiox_iomem *m, const char *name,
						  uint64_t start, uint64_t end,
						  unsigned int min_depth,
						  const struct vfiox_iomem_entry *after);

#endif /* VFIOX_IOMEM_H */
