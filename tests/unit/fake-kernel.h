/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fake-kernel.h - shared by the unit tests that substitute kernel replies at the syscall
 * layer (libvfiox/sys.c, -Wl,--wrap=vfiox_sys_* in WRAP_test-X of the Makefile): a table
 * of fake fds numbered from FK_BASE, each with a kind the test chooses, opened once and
 * closed once; the close that tells them from real fds; the check that every fake fd was
 * closed exactly once; little-endian field access for the structs the kernel fills; and
 * the VFIO_*_GET_INFO replies with their capability chains, byte for byte.
 * Header-only, like testutil.h, so every test-*.c builds from the one compile line.
 *
 * A test may set FK_BASE and FK_MAX before including this. Its own struct fake keeps what
 * its kernel answers; fk_fds_reset() belongs in its per-test reset. A test that wraps
 * vfiox_sys_close writes the wrap and calls fk_close() from it, so the wraps a test links
 * with stay visible in the test itself.
 */
#ifndef VFIOX_TESTS_FAKE_KERNEL_H
#define VFIOX_TESTS_FAKE_KERNEL_H

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/vfio.h>

#ifndef FK_BASE
#define FK_BASE 1000
#endif
#ifndef FK_MAX
#define FK_MAX 64
#endif

int __real_vfiox_sys_close(int fd);
int __wrap_vfiox_sys_close(int fd);

static struct fk_fds {
	int kind[FK_MAX]; /* the test's own enum; 0 for a test with one kind */
	bool open[FK_MAX];
	unsigned nfds; /* slots handed out, never reused, so a stale fd stays detectable */
	unsigned opens, closes, bad_closes;
} fk_fds __attribute__((unused)); /* a test of replies alone has no fds */

static inline void fk_fds_reset(void)
{
	memset(&fk_fds, 0, sizeof(fk_fds));
}

/* The slot of fake fd @fd, or -1 for any other fd (a real one: pass it on). */
static inline int fk_slot(int fd)
{
	return fd >= FK_BASE && fd < FK_BASE + FK_MAX ? fd - FK_BASE : -1;
}

/* Slot @s was handed out and is not closed yet; false for -1. */
static inline bool fk_slot_open(int s)
{
	return s >= 0 && (unsigned)s < fk_fds.nfds && fk_fds.open[s];
}

/* A new open fake fd of @kind, as the kernel's open or a VFIO_GROUP_GET_DEVICE_FD gives. */
static inline int fk_new_fd(int kind)
{
	unsigned i = fk_fds.nfds++;

	assert_true(i < FK_MAX);
	fk_fds.kind[i] = kind;
	fk_fds.open[i] = true;
	fk_fds.opens++;
	return FK_BASE + (int)i;
}

/*
 * The body of __wrap_vfiox_sys_close: a real fd goes to the real close; a fake one is
 * closed (0), unless it is not open, which the kernel answers with -EBADF and the fake
 * counts in bad_closes.
 */
static inline int fk_close(int fd)
{
	int s = fk_slot(fd);

	if (s < 0)
		return __real_vfiox_sys_close(fd);
	if (!fk_slot_open(s)) {
		fk_fds.bad_closes++;
		return -EBADF;
	}
	fk_fds.open[s] = false;
	fk_fds.closes++;
	return 0;
}

/*
 * What the kernel does on the last close of a VFIO fd: a group leaves its container, a
 * container loses its groups. @group_container[slot] holds the container fd a group is
 * attached to, or -1; @s and @fd are the slot and fd fk_close() just closed.
 */
static inline void fk_vfio_closed(int s, int fd, int group_kind, int container_kind,
				  int *group_container)
{
	int i;

	if (fk_fds.kind[s] == group_kind)
		group_container[s] = -1;
	if (fk_fds.kind[s] == container_kind)
		for (i = 0; i < FK_MAX; i++)
			if (group_container[i] == fd)
				group_container[i] = -1;
}

/* Every fake fd handed out was closed, and each exactly once. */
static inline void fk_assert_fds_closed(void)
{
	unsigned i;

	for (i = 0; i < fk_fds.nfds; i++)
		if (fk_fds.open[i])
			fail_msg("fd %u (kind %d) was never closed", FK_BASE + i, fk_fds.kind[i]);
	assert_int_equal(fk_fds.bad_closes, 0);
	assert_int_equal(fk_fds.closes, fk_fds.opens);
}

/* Little-endian fields at any alignment, as the kernel lays out its VFIO structs. */
static inline uint32_t fk_get32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/*
 * A VFIO_*_GET_INFO reply as the kernel lays it out: the fixed struct, then capabilities
 * appended in order, each linked from the one before (the first from cap_offset, which
 * also sets the CAPS flag). argsz, at offset 0, always holds the length so far.
 */
struct fk_reply {
	uint8_t buf[8192];
	size_t len;
	size_t fixed;			/* the kernel's fixed struct */
	size_t flags_at, cap_offset_at; /* where the fixed struct keeps them */
	uint32_t caps_flag;
	size_t last; /* header of the last capability appended, 0: none yet */
};

static inline void fk_put16(struct fk_reply *r, size_t off, uint16_t v)
{
	assert_true(off + 2 <= sizeof(r->buf));
	memcpy(r->buf + off, &v, 2);
}

static inline void fk_put32(struct fk_reply *r, size_t off, uint32_t v)
{
	assert_true(off + 4 <= sizeof(r->buf));
	memcpy(r->buf + off, &v, 4);
}

static inline void fk_put64(struct fk_reply *r, size_t off, uint64_t v)
{
	assert_true(off + 8 <= sizeof(r->buf));
	memcpy(r->buf + off, &v, 8);
}

static inline void fk_reply_init(struct fk_reply *r, size_t fixed, size_t flags_at,
				 size_t cap_offset_at, uint32_t caps_flag)
{
	memset(r, 0, sizeof(*r));
	r->fixed = r->len = fixed;
	r->flags_at = flags_at;
	r->cap_offset_at = cap_offset_at;
	r->caps_flag = caps_flag;
	fk_put32(r, 0, (uint32_t)fixed);
}

/* struct vfio_region_info. */
static inline void fk_reply_region(struct fk_reply *r, uint32_t index, uint32_t flags,
				   uint64_t size, uint64_t offset)
{
	fk_reply_init(r, sizeof(struct vfio_region_info), 4, 12, VFIO_REGION_INFO_FLAG_CAPS);
	fk_put32(r, 4, flags);
	fk_put32(r, 8, index);
	fk_put64(r, 16, size);
	fk_put64(r, 24, offset);
}

/* struct vfio_iommu_type1_info. */
static inline void fk_reply_iommu(struct fk_reply *r, uint32_t flags, uint64_t pgsizes)
{
	fk_reply_init(r, sizeof(struct vfio_iommu_type1_info), 4, 16, VFIO_IOMMU_INFO_CAPS);
	fk_put32(r, 4, flags);
	fk_put64(r, 8, pgsizes);
}

/* struct vfio_device_info; @fixed: 20 as the struct is declared, 24 with the kernel's pad. */
static inline void fk_reply_device(struct fk_reply *r, size_t fixed, uint32_t flags,
				   uint32_t regions, uint32_t irqs)
{
	fk_reply_init(r, fixed, 4, 16, VFIO_DEVICE_FLAGS_CAPS);
	fk_put32(r, 4, flags);
	fk_put32(r, 8, regions);
	fk_put32(r, 12, irqs);
}

/*
 * Appends a capability header and @body zeroed bytes after it, links it from the one
 * before (or from cap_offset, setting the CAPS flag) and returns its offset.
 */
static inline size_t fk_cap(struct fk_reply *r, uint16_t id, uint16_t version, size_t body)
{
	size_t off = r->len;

	assert_true(off + 8 + body <= sizeof(r->buf));
	fk_put16(r, off, id);
	fk_put16(r, off + 2, version);
	fk_put32(r, off + 4, 0);
	if (r->last) {
		fk_put32(r, r->last + 4, (uint32_t)off);
	} else {
		fk_put32(r, r->cap_offset_at, (uint32_t)off);
		fk_put32(r, r->flags_at, fk_get32(r->buf + r->flags_at) | r->caps_flag);
	}
	r->last = off;
	r->len = off + 8 + body;
	fk_put32(r, 0, (uint32_t)r->len);
	return off;
}

/* A sparse-mmap capability with @nr areas given as offset, size pairs. */
static inline size_t fk_cap_sparse(struct fk_reply *r, uint32_t nr, const uint64_t *areas)
{
	size_t off = fk_cap(r, VFIO_REGION_INFO_CAP_SPARSE_MMAP, 1, 8 + 16 * (size_t)nr);
	uint32_t i;

	fk_put32(r, off + 8, nr);
	for (i = 0; i < nr; i++) {
		fk_put64(r, off + 16 + 16 * i, areas[2 * i]);
		fk_put64(r, off + 24 + 16 * i, areas[2 * i + 1]);
	}
	return off;
}

static inline size_t fk_cap_type(struct fk_reply *r, uint32_t type, uint32_t subtype)
{
	size_t off = fk_cap(r, VFIO_REGION_INFO_CAP_TYPE, 1, 8);

	fk_put32(r, off + 8, type);
	fk_put32(r, off + 12, subtype);
	return off;
}

/* An IOVA range capability with @nr ranges given as start, end pairs (inclusive). */
static inline size_t fk_cap_iova(struct fk_reply *r, uint32_t nr, const uint64_t *ranges)
{
	size_t off = fk_cap(r, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1, 8 + 16 * (size_t)nr);
	uint32_t i;

	fk_put32(r, off + 8, nr);
	for (i = 0; i < nr; i++) {
		fk_put64(r, off + 16 + 16 * i, ranges[2 * i]);
		fk_put64(r, off + 24 + 16 * i, ranges[2 * i + 1]);
	}
	return off;
}

static inline size_t fk_cap_dma_avail(struct fk_reply *r, uint32_t avail)
{
	size_t off = fk_cap(r, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 1, 8); /* 4 + 4 padding */

	fk_put32(r, off + 8, avail);
	return off;
}

/*
 * Answers a VFIO_*_GET_INFO call with @kr as the kernel does, for a reply of @need bytes:
 * an argsz that holds them gets the whole reply (argsz left as the caller set it); a smaller
 * one gets the fixed part with argsz raised to @need and cap_offset 0. Never writes more
 * than argsz bytes.
 */
static inline int fk_answer_info(void *arg, const struct fk_reply *kr, uint32_t need)
{
	uint32_t argsz = fk_get32(arg);
	uint8_t fixed[64];

	if (argsz < 16)
		return -EINVAL;
	if (argsz >= need) {
		memcpy((uint8_t *)arg + 4, kr->buf + 4, need - 4);
		return 0;
	}
	memcpy(fixed, kr->buf, kr->fixed);
	memcpy(fixed, &need, 4);
	memset(fixed + kr->cap_offset_at, 0, 4);
	memcpy(arg, fixed, argsz < kr->fixed ? argsz : kr->fixed);
	return 0;
}

/* @path's contents, up to @len - 1 bytes and NUL-terminated; "" if it cannot be read. */
static inline ssize_t fk_read_text(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

#endif /* VFIOX_TESTS_FAKE_KERNEL_H */
