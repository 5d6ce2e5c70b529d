// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The IOVA allocator: the kernel's reserved windows and a device's DMA mask are never
 * crossed, alignments hold, releases coalesce back to the kernel's ranges; and random
 * sequences of alloc/reserve/release checked step by step against a plain-array model.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iova.h"

#define K 0x400ull
#define M (K * K)
#define G (M * K)
#define MSI_START 0xfee00000ull
#define MSI_LAST 0xfeefffffull

/* What VFIO_IOMMU_GET_INFO reports on x86 with interrupt remapping: the MSI window out. */
static const struct vfiox_iova_range x86[] = {
	{ 0x0, 0xfedfffff },
	{ 0xfef00000, 0x7fffffffff },
};

#define hex(x) ((unsigned long long)(x))
#define ARRAY_SIZE_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- helpers */

struct extents {
	struct vfiox_iova_range r[64];
	size_t n;
};

static int collect(void *arg, const struct vfiox_iova_range *r)
{
	struct extents *x = arg;

	if (x->n == ARRAY_SIZE_OF(x->r))
		return -E2BIG;
	x->r[x->n++] = *r;
	return 0;
}

static struct vfiox_iova_space *space(const struct vfiox_iova_range *r, size_t n, uint64_t page)
{
	struct vfiox_iova_space *sp = NULL;

	assert_int_equal(vfiox__iova_new(r, n, page, &sp), 0);
	assert_non_null(sp);
	return sp;
}

static void expect_free(struct vfiox_iova_space *sp, const struct vfiox_iova_range *want,
			size_t n)
{
	struct extents got = { .n = 0 };
	size_t i;

	assert_int_equal(vfiox__iova_check(sp), 0);
	assert_int_equal(vfiox__iova_for_each_free(sp, collect, &got), 0);
	assert_int_equal(vfiox__iova_num_free_extents(sp), got.n);
	if (got.n == n) {
		for (i = 0; i < n; i++)
			if (got.r[i].start != want[i].start || got.r[i].end != want[i].end)
				break;
		if (i == n)
			return;
	}
	for (i = 0; i < got.n; i++)
		print_message("  free 0x%llx-0x%llx\n", hex(got.r[i].start), hex(got.r[i].end));
	for (i = 0; i < n; i++)
		print_message("  want 0x%llx-0x%llx\n", hex(want[i].start), hex(want[i].end));
	fail_msg("free extents differ from the expected %zu", n);
}

static uint64_t alloc_ok(struct vfiox_iova_space *sp, uint64_t size, uint64_t align,
			 uint64_t limit)
{
	uint64_t iova = 0;
	int ret = vfiox__iova_alloc(sp, size, align, limit, &iova);

	if (ret)
		fail_msg("alloc(0x%llx, align 0x%llx, limit 0x%llx) = %d", hex(size), hex(align),
			 hex(limit), ret);
	return iova;
}

static int alloc_err(struct vfiox_iova_space *sp, uint64_t size, uint64_t align, uint64_t limit)
{
	uint64_t iova = 0xdeadbeef;
	int ret = vfiox__iova_alloc(sp, size, align, limit, &iova);

	if (!ret)
		fail_msg("alloc(0x%llx, align 0x%llx, limit 0x%llx) = 0x%llx, expected an error",
			 hex(size), hex(align), hex(limit), hex(iova));
	assert_int_equal(iova, 0xdeadbeef);
	return ret;
}

/* ---------------------------------------------------------------- deterministic */

static void test_msi_window_is_never_handed_out(void **state)
{
	struct vfiox_iova_space *sp = space(x86, 2, 4 * K);
	uint64_t iova, count = 0, seen_above = 0;

	(void)state;
	/* Fill everything below 4 GiB with 1 MiB blocks: 4078 below the window, 17 above. */
	while (vfiox__iova_alloc(sp, M, 0, 1ull << 32, &iova) == 0) {
		if (iova + M - 1 >= MSI_START && iova <= MSI_LAST)
			fail_msg("0x%llx+1M overlaps the MSI window", hex(iova));
		assert_true(iova + M <= 1ull << 32);
		seen_above += iova > MSI_LAST;
		count++;
	}
	assert_int_equal(count, 4095);
	assert_int_equal(seen_above, 17);
	assert_int_equal(vfiox__iova_used(sp), 4095 * M);
	assert_int_equal(vfiox__iova_reserve(sp, MSI_START, M), -EEXIST);
	assert_int_equal(vfiox__iova_reserve(sp, MSI_START + 4 * K, 4 * K), -EEXIST);
	/* Without the limit the next one comes from above 4 GiB. */
	assert_int_equal(alloc_ok(sp, M, 0, 0), 1ull << 32);
	vfiox__iova_free_space(sp);
}

static void test_edu_28bit_mask_is_honoured(void **state)
{
	struct vfiox_iova_space *sp = space(x86, 2, 4 * K);
	uint64_t iova, count = 0;

	(void)state;
	while (vfiox__iova_alloc(sp, M, 0, 1ull << 28, &iova) == 0) {
		assert_true(iova + M <= 1ull << 28);
		count++;
	}
	assert_int_equal(count, 256);
	assert_int_equal(vfiox__iova_used(sp), 256 * M);
	assert_int_equal(alloc_err(sp, 4 * K, 0, 1ull << 28), -ENOSPC);
	/* A limit that is not page-aligned still bounds the block's last byte. */
	assert_int_equal(alloc_err(sp, 4 * K, 0, (1ull << 28) + 0x800), -ENOSPC);
	assert_int_equal(alloc_ok(sp, 4 * K, 0, (1ull << 28) + 0x1000), 1ull << 28);
	assert_int_equal(alloc_ok(sp, 4 * K, 0, 0), (1ull << 28) + 4 * K);
	vfiox__iova_free_space(sp);
}

static void test_alignment_to_2m_and_1g(void **state)
{
	struct vfiox_iova_space *sp = space(x86, 2, 4 * K);
	const struct vfiox_iova_range want[] = {
		{ 0x2000, 0x1fffff },
		{ 0x600000, 0x3fffffff },
		{ 0xc0000000, 0xfedfffff },
		{ 0xfef00000, 0xffffffff },
		{ 0x140000000, 0x7fffffffff },
	};

	(void)state;
	assert_int_equal(alloc_ok(sp, 4 * K, 0, 0), 0);
	assert_int_equal(alloc_ok(sp, 2 * M, 2 * M, 0), 2 * M);
	assert_int_equal(alloc_ok(sp, G, G, 0), G);
	/* Smaller alignments take the lowest hole that fits. */
	assert_int_equal(alloc_ok(sp, 4 * K, 4 * K, 0), 4 * K);
	assert_int_equal(alloc_ok(sp, G, G, 1ull << 32), 2 * G);
	/* 1 GiB at 3 GiB would cover the MSI window: below 4 GiB it does not fit. */
	assert_int_equal(alloc_err(sp, G, G, 1ull << 32), -ENOSPC);
	assert_int_equal(alloc_ok(sp, G, G, 0), 4 * G);
	assert_int_equal(alloc_ok(sp, 2 * M, 2 * M, 0), 4 * M);
	expect_free(sp, want, ARRAY_SIZE_OF(want));
	vfiox__iova_free_space(sp);
}

static void test_exact_fits_and_misaligned_holes(void **state)
{
	/* A misaligned 2 MiB hole, an aligned one, then room for anything. */
	const struct vfiox_iova_range r[] = {
		{ 0x1000, 0x200fff },
		{ 0x400000, 0x5fffff },
		{ 0x10000000, 0x1fffffff },
	};
	const struct vfiox_iova_range rest[] = { r[0], { 0x10200000, 0x1fffffff } };
	struct vfiox_iova_space *sp = space(r, 3, 4 * K);
	uint64_t iova;

	(void)state;
	/* The exact hole, not the big extent above it. */
	assert_int_equal(alloc_ok(sp, 2 * M, 2 * M, 0), 0x400000);
	assert_int_equal(alloc_ok(sp, 2 * M, 2 * M, 0), 0x10000000);
	expect_free(sp, rest, 2);
	assert_int_equal(alloc_err(sp, 2 * M, 2 * M, 0x10000000), -ENOSPC);
	assert_int_equal(alloc_ok(sp, 2 * M, 0, 0), 0x1000);
	assert_int_equal(vfiox__iova_num_free_extents(sp), 1);
	assert_int_equal(alloc_err(sp, 4 * K, 0, 0x10000000), -ENOSPC);
	assert_int_equal(vfiox__iova_release(sp, 0x1000, 2 * M), 0);
	assert_int_equal(vfiox__iova_release(sp, 0x400000, 2 * M), 0);
	assert_int_equal(vfiox__iova_release(sp, 0x10000000, 2 * M), 0);
	expect_free(sp, r, 3);
	assert_int_equal(vfiox__iova_used(sp), 0);
	/* Sizes round up to the page: 100 bytes take a page and are released as asked. */
	iova = alloc_ok(sp, 100, 0, 0);
	assert_int_equal(iova, 0x1000);
	assert_int_equal(vfiox__iova_used(sp), 4 * K);
	assert_int_equal(vfiox__iova_release(sp, iova, 100), 0);
	expect_free(sp, r, 3);
	vfiox__iova_free_space(sp);
}

/*
 * More misaligned holes than the allocator scans before asking for a roomy extent, and
 * no roomy extent: the one aligned exact hole must still be found.
 */
static void test_many_misaligned_holes_do_not_hide_an_aligned_one(void **state)
{
	const struct vfiox_iova_range r[] = { { 0, 96 * M - 1 } };
	struct vfiox_iova_space *sp = space(r, 1, 4 * K);
	uint64_t at = 0, hole;
	int i;

	(void)state;
	/* Holes of 2 MiB at i * 4 MiB + 4 KiB for i < 20, and one at 88 MiB, aligned. */
	for (i = 0; i <= 20; i++) {
		hole = i < 20 ? (uint64_t)i * 4 * M + 4 * K : 88 * M;
		if (hole > at)
			assert_int_equal(vfiox__iova_reserve(sp, at, hole - at), 0);
		at = hole + 2 * M;
	}
	assert_int_equal(vfiox__iova_reserve(sp, at, 96 * M - at), 0);
	assert_int_equal(vfiox__iova_num_free_extents(sp), 21);
	assert_int_equal(alloc_ok(sp, 2 * M, 2 * M, 0), 88 * M);
	assert_int_equal(alloc_err(sp, 2 * M, 2 * M, 0), -ENOSPC);
	assert_int_equal(alloc_ok(sp, 2 * M, 0, 0), 4 * K);
	/* 1 MiB aligned to 1 MiB fits in each of the rest (at 1 MiB, 5 MiB, ...). */
	assert_int_equal(alloc_ok(sp, M, M, 0), 5 * M);
	vfiox__iova_free_space(sp);
}

static void test_enospc_leaves_the_space_unchanged(void **state)
{
	const struct vfiox_iova_range r[] = { { 0x10000, 0x1ffff }, { 0x30000, 0x33fff } };
	const struct vfiox_iova_range after[] = { { 0x10000, 0x1ffff }, { 0x32000, 0x33fff } };
	struct vfiox_iova_space *sp = space(r, 2, 4 * K);

	(void)state;
	assert_int_equal(alloc_ok(sp, 8 * K, 0, 0x40000), 0x10000);
	assert_int_equal(vfiox__iova_release(sp, 0x10000, 8 * K), 0);
	assert_int_equal(alloc_ok(sp, 8 * K, 8 * K, 0x40000) , 0x10000);
	assert_int_equal(vfiox__iova_release(sp, 0x10000, 8 * K), 0);
	assert_int_equal(vfiox__iova_reserve(sp, 0x30000, 8 * K), 0);
	assert_int_equal(alloc_err(sp, 128 * K, 0, 0), -ENOSPC);
	assert_int_equal(alloc_err(sp, 4 * K, 0, 0x10000), -ENOSPC);
	assert_int_equal(alloc_err(sp, 8 * K, 64 * K, 0x11000), -ENOSPC);
	assert_int_equal(alloc_err(sp, 8 * K, 128 * K, 0), -ENOSPC);
	assert_int_equal(alloc_err(sp, 8 * K, 1ull << 63, 0), -ENOSPC);
	expect_free(sp, after, 2);
	assert_int_equal(vfiox__iova_used(sp), 8 * K);
	assert_int_equal(vfiox__iova_num_allocs(sp), 1);
	vfiox__iova_free_space(sp);
}

static void test_reserve_refuses_overlap_and_reserved_ranges(void **state)
{
	struct vfiox_iova_space *sp = space(x86, 2, 4 * K);
	uint64_t a;

	(void)state;
	assert_int_equal(vfiox__iova_reserve(sp, MSI_START, M), -EEXIST);
	assert_int_equal(vfiox__iova_reserve(sp, MSI_START - M, 2 * M), -EEXIST);
	assert_int_equal(vfiox__iova_reserve(sp, MSI_LAST + 1 - 4 * K, 8 * K), -EEXIST);
	assert_int_equal(vfiox__iova_reserve(sp, 0x8000000000, 4 * K), -EEXIST);
	assert_int_equal(vfiox__iova_reserve(sp, 0x7ffffff000, 8 * K), -EEXIST);
	assert_int_equal(vfiox__iova_reserve(sp, 0x7ffffff000, 4 * K), 0);
	assert_int_equal(vfiox__iova_reserve(sp, 0x2000, 0x3000), 0);
	a = alloc_ok(sp, 16 * K, 0, 0);
	assert_int_equal(a, 0x5000);
	assert_int_equal(vfiox__iova_reserve(sp, a + 12 * K, 4 * K), -EEXIST);
	assert_int_equal(vfiox__iova_reserve(sp, a - 4 * K, 8 * K), -EEXIST);
	assert_int_equal(vfiox__iova_reserve(sp, 0x4000, 4 * K), -EEXIST);
	/* The allocator goes around what was reserved. */
	assert_int_equal(alloc_ok(sp, 16 * K, 0, 0), 0x9000);
	assert_int_equal(alloc_ok(sp, 8 * K, 0, 0), 0);
	assert_int_equal(vfiox__iova_reserve(sp, 0x1000, 4 * K), -EEXIST);
	assert_int_equal(vfiox__iova_reserve(sp, 0x10800, 4 * K), -EINVAL);
	assert_int_equal(vfiox__iova_reserve(sp, 0x10000, 0), -EINVAL);
	assert_int_equal(vfiox__iova_reserve(sp, 0xfffffffffffff000, 8 * K), -EINVAL);
	assert_int_equal(vfiox__iova_release(sp, 0x2000, 0x3000), 0);
	assert_int_equal(vfiox__iova_release(sp, 0x7ffffff000, 4 * K), 0);
	assert_int_equal(vfiox__iova_used(sp), 40 * K);
	vfiox__iova_free_space(sp);
}

static void test_release_of_what_is_not_live_is_enoent(void **state)
{
	struct vfiox_iova_space *sp = space(x86, 2, 4 * K);
	uint64_t a, b;

	(void)state;
	a = alloc_ok(sp, 64 * K, 0, 0);
	b = alloc_ok(sp, 64 * K, 0, 0);
	assert_int_equal(vfiox__iova_release(sp, 1ull << 32, 4 * K), -ENOENT);
	assert_int_equal(vfiox__iova_release(sp, MSI_START, M), -ENOENT);
	assert_int_equal(vfiox__iova_release(sp, a, 32 * K), -ENOENT);      /* a part */
	assert_int_equal(vfiox__iova_release(sp, a + 4 * K, 60 * K), -ENOENT);
	assert_int_equal(vfiox__iova_release(sp, a, 128 * K), -ENOENT);     /* a and b */
	assert_int_equal(vfiox__iova_release(sp, a, 0), -EINVAL);
	assert_int_equal(vfiox__iova_release(sp, a, UINT64_MAX), -EINVAL);
	assert_int_equal(vfiox__iova_used(sp), 128 * K);
	assert_int_equal(vfiox__iova_release(sp, a, 64 * K), 0);
	assert_int_equal(vfiox__iova_release(sp, a, 64 * K), -ENOENT);     /* twice */
	assert_int_equal(vfiox__iova_release(sp, b, 64 * K), 0);
	expect_free(sp, x86, 2);
	vfiox__iova_free_space(sp);
}

static void test_release_coalesces_back_to_the_kernel_ranges(void **state)
{
	struct vfiox_iova_space *sp = space(x86, 2, 4 * K);
	uint64_t a[5], i;
	const struct vfiox_iova_range holes[] = {
		{ 0x1000, 0x2fff },     /* b */
		{ 0x6000, 0x9fff },     /* d */
		{ 0xf000, 0xfedfffff }, /* after e */
		{ 0xfef00000, 0x7fffffffff },
	};

	(void)state;
	for (i = 0; i < 5; i++)
		a[i] = alloc_ok(sp, (i + 1) * 4 * K, 0, 0);
	assert_int_equal(a[4], 0xa000);
	assert_int_equal(vfiox__iova_num_free_extents(sp), 2);
	assert_int_equal(vfiox__iova_release(sp, a[1], 8 * K), 0);  /* no neighbour free */
	assert_int_equal(vfiox__iova_release(sp, a[3], 16 * K), 0);
	expect_free(sp, holes, 4);
	assert_int_equal(vfiox__iova_release(sp, a[2], 12 * K), 0); /* both neighbours */
	assert_int_equal(vfiox__iova_num_free_extents(sp), 3);
	assert_int_equal(vfiox__iova_release(sp, a[0], 4 * K), 0);  /* the one above */
	assert_int_equal(vfiox__iova_num_free_extents(sp), 3);
	assert_int_equal(vfiox__iova_release(sp, a[4], 20 * K), 0); /* both, to the end */
	expect_free(sp, x86, 2);
	assert_int_equal(vfiox__iova_used(sp), 0);
	assert_int_equal(vfiox__iova_num_allocs(sp), 0);
	vfiox__iova_free_space(sp);
}

static void test_bad_arguments_are_einval(void **state)
{
	struct vfiox_iova_space *sp = NULL;
	const struct vfiox_iova_range backwards[] = { { 0x2000, 0x1fff } };
	uint64_t iova;

	(void)state;
	assert_int_equal(vfiox__iova_new(x86, 2, 0, &sp), -EINVAL);
	assert_int_equal(vfiox__iova_new(x86, 2, 3 * K, &sp), -EINVAL);
	assert_int_equal(vfiox__iova_new(backwards, 1, 4 * K, &sp), -EINVAL);
	assert_int_equal(vfiox__iova_new(NULL, 1, 4 * K, &sp), -EINVAL);
	assert_null(sp);
	sp = space(x86, 2, 4 * K);
	assert_int_equal(vfiox__iova_alloc(sp, 0, 0, 0, &iova), -EINVAL);
	assert_int_equal(vfiox__iova_alloc(sp, UINT64_MAX, 0, 0, &iova), -EINVAL);
	assert_int_equal(vfiox__iova_alloc(sp, 4 * K, 3 * K, 0, &iova), -EINVAL);
	assert_int_equal(vfiox__iova_alloc(sp, 4 * K, 0, 0, NULL), -EINVAL);
	assert_int_equal(vfiox__iova_used(sp), 0);
	vfiox__iova_free_space(sp);
	vfiox__iova_free_space(NULL);
}

static void test_ranges_are_sorted_merged_and_shrunk_to_pages(void **state)
{
	const struct vfiox_iova_range r[] = {
		{ 0x40000, 0x407ff },   /* less than a page: dropped */
		{ 0x10000, 0x1ffff },
		{ 0x30800, 0x31fff },   /* starts mid-page: 0x31000 */
		{ 0x0, 0x17fff },       /* overlaps the second */
		{ 0x20000, 0x207ff },   /* touches it; half pages merge into one with the next */
		{ 0x20800, 0x20fff },
		{ 0x50000, 0x51234 },   /* ends mid-page: 0x50fff */
	};
	const struct vfiox_iova_range want[] = {
		{ 0x0, 0x20fff },
		{ 0x31000, 0x31fff },
		{ 0x50000, 0x50fff },
	};
	const struct vfiox_iova_range want64k[] = { { 0x0, 0x1ffff } };
	struct vfiox_iova_space *sp = space(r, ARRAY_SIZE_OF(r), 4 * K);

	(void)state;
	expect_free(sp, want, 3);
	vfiox__iova_free_space(sp);
	sp = space(r, ARRAY_SIZE_OF(r), 64 * K);
	expect_free(sp, want64k, 1);
	assert_int_equal(alloc_ok(sp, 4 * K, 0, 0), 0);
	assert_int_equal(alloc_ok(sp, 4 * K, 0, 0), 64 * K); /* a whole 64 KiB page each */
	assert_int_equal(vfiox__iova_used(sp), 128 * K);
	vfiox__iova_free_space(sp);
	sp = space(NULL, 0, 4 * K);
	assert_int_equal(vfiox__iova_num_free_extents(sp), 0);
	assert_int_equal(alloc_err(sp, 4 * K, 0, 0), -ENOSPC);
	vfiox__iova_free_space(sp);
}

/* A 64-bit aperture: last - start arithmetic must not wrap anywhere. */
static void test_the_whole_64bit_space(void **state)
{
	const struct vfiox_iova_range all[] = { { 0, UINT64_MAX } };
	const struct vfiox_iova_range top[] = { { 0xffffffffffff0000, UINT64_MAX } };
	const uint64_t half = 1ull << 63;
	struct vfiox_iova_space *sp = space(all, 1, 4 * K);

	(void)state;
	assert_int_equal(alloc_ok(sp, half, half, 0), 0);
	assert_int_equal(alloc_ok(sp, half - 8 * K, 0, 0), half);
	assert_int_equal(alloc_ok(sp, 4 * K, 0, 0), UINT64_MAX - 8 * K + 1);
	assert_int_equal(vfiox__iova_num_free_extents(sp), 1);
	assert_int_equal(alloc_err(sp, 8 * K, 0, 0), -ENOSPC);
	assert_int_equal(alloc_err(sp, 4 * K, 8 * K, 0), -ENOSPC); /* aligning up wraps */
	assert_int_equal(vfiox__iova_used(sp), UINT64_MAX - 4 * K + 1);
	assert_int_equal(vfiox__iova_release(sp, UINT64_MAX - 8 * K + 1, 4 * K), 0);
	assert_int_equal(vfiox__iova_release(sp, 0, half), 0);
	assert_int_equal(vfiox__iova_release(sp, half, half - 8 * K), 0);
	expect_free(sp, all, 1);
	vfiox__iova_free_space(sp);

	sp = space(top, 1, 64 * K);
	assert_int_equal(alloc_err(sp, 64 * K, half, 0), -ENOSPC);
	assert_int_equal(alloc_err(sp, 128 * K, 0, 0), -ENOSPC);
	assert_int_equal(alloc_ok(sp, 1, 0, 0), 0xffffffffffff0000);
	assert_int_equal(vfiox__iova_reserve(sp, 0xffffffffffff0000, 64 * K), -EEXIST);
	assert_int_equal(vfiox__iova_release(sp, 0xffffffffffff0000, 1), 0);
	assert_int_equal(vfiox__iova_reserve(sp, 0xffffffffffff0000, 64 * K), 0);
	assert_int_equal(vfiox__iova_release(sp, 0xffffffffffff0000, 64 * K), 0);
	expect_free(sp, top, 1);
	vfiox__iova_free_space(sp);
}

/* ---------------------------------------------------------------- random, against a model */

/* splitmix64: a fixed seed makes every run the same sequence. */
static uint64_t rnd_state;

static uint64_t rnd(void)
{
	uint64_t z = (rnd_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

struct config {
	const char *name;
	const struct vfiox_iova_range *usable; /* sorted, disjoint, whole pages */
	size_t nusable;
	uint64_t page;
	unsigned int max_size_log2;  /* sizes up to 2^this bytes */
	unsigned int max_align_log2; /* alignments up to 2^this */
	const uint64_t *limits;      /* picked from at random; 0 = none */
	size_t nlimits;
};

struct live {
	uint64_t start, last;
	uint64_t asked; /* the size the caller passed */
};

/* The reference: live ranges in a sorted array; free space is whatever they leave. */
struct model {
	const struct config *cfg;
	struct live *live;
	size_t n, cap;
	uint64_t used;
	struct vfiox_iova_range *gaps; /* usable minus live, from model_gaps() */
	size_t ngaps, gapcap;
};

static void model_gaps(struct model *m)
{
	const struct config *c = m->cfg;
	size_t u, i = 0;

	if (m->gapcap < m->n + c->nusable) {
		m->gapcap = 2 * (m->n + c->nusable);
		m->gaps = realloc(m->gaps, m->gapcap * sizeof(*m->gaps));
		assert_non_null(m->gaps);
	}
	m->ngaps = 0;
	for (u = 0; u < c->nusable; u++) {
		uint64_t at = c->usable[u].start;
		bool open = true; /* [at, ...] still free */

		for (; i < m->n && m->live[i].start <= c->usable[u].end; i++) {
			if (m->live[i].start > at)
				m->gaps[m->ngaps++] = (struct vfiox_iova_range){ at, m->live[i].start - 1 };
			if (m->live[i].last == c->usable[u].end) {
				open = false;
				break;
			}
			at = m->live[i].last + 1;
		}
		if (open)
			m->gaps[m->ngaps++] = (struct vfiox_iova_range){ at, c->usable[u].end };
		else
			i++;
	}
}

/* The gap holding all of [start, last], or NULL. */
static const struct vfiox_iova_range *model_gap_of(const struct model *m, uint64_t start,
						   uint64_t last)
{
	size_t i;

	for (i = 0; i < m->ngaps; i++)
		if (m->gaps[i].start <= start && last <= m->gaps[i].end)
			return &m->gaps[i];
	return NULL;
}

/* The lowest aligned block below @hi, as a first-fit over the gaps would find it. */
static bool model_lowest_fit(const struct model *m, uint64_t size, uint64_t align, uint64_t hi,
			     uint64_t *bp)
{
	size_t i;

	for (i = 0; i < m->ngaps; i++) {
		uint64_t s = m->gaps[i].start, b, e;

		if (s > UINT64_MAX - (align - 1))
			return false;
		b = (s + align - 1) & ~(align - 1);
		if (b > UINT64_MAX - (size - 1))
			return false;
		e = b + size - 1;
		if (e <= m->gaps[i].end && e <= hi) {
			*bp = b;
			return true;
		}
	}
	return false;
}

static size_t model_find(const struct model *m, uint64_t start)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->live[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Adds a range the allocator handed out, after checking it against the free gaps. */
static void model_add(struct model *m, uint64_t start, uint64_t size, uint64_t asked)
{
	uint64_t last = start + size - 1;
	size_t at;

	if (last < start || !model_gap_of(m, start, last))
		fail_msg("[%s] 0x%llx-0x%llx overlaps a live range or is outside the usable ones",
			 m->cfg->name, hex(start), hex(last));
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 256;
		m->live = realloc(m->live, m->cap * sizeof(*m->live));
		assert_non_null(m->live);
	}
	at = model_find(m, start);
	memmove(&m->live[at + 1], &m->live[at], (m->n - at) * sizeof(*m->live));
	m->live[at] = (struct live){ start, last, asked };
	m->n++;
	m->used += size;
}

static void model_remove(struct model *m, size_t i)
{
	m->used -= m->live[i].last - m->live[i].start + 1;
	memmove(&m->live[i], &m->live[i + 1], (m->n - i - 1) * sizeof(*m->live));
	m->n--;
}

struct ranges {
	struct vfiox_iova_range *r;
	size_t n, cap;
};

static int collect_all(void *arg, const struct vfiox_iova_range *r)
{
	struct ranges *x = arg;

	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 256;
		x->r = realloc(x->r, x->cap * sizeof(*x->r));
		if (!x->r)
			return -ENOMEM;
	}
	x->r[x->n++] = *r;
	return 0;
}

/* The allocator's free extents and live allocations are exactly the model's. */
static void check_space(struct vfiox_iova_space *sp, struct model *m, struct ranges *tmp,
			unsigned int step)
{
	size_t i;

	if (vfiox__iova_check(sp))
		fail_msg("[%s] step %u: the trees are inconsistent", m->cfg->name, step);
	model_gaps(m);
	tmp->n = 0;
	assert_int_equal(vfiox__iova_for_each_free(sp, collect_all, tmp), 0);
	if (tmp->n != m->ngaps || vfiox__iova_num_free_extents(sp) != m->ngaps)
		fail_msg("[%s] step %u: %zu free extents (counted %zu), the model has %zu",
			 m->cfg->name, step, tmp->n, vfiox__iova_num_free_extents(sp), m->ngaps);
	for (i = 0; i < m->ngaps; i++)
		if (tmp->r[i].start != m->gaps[i].start || tmp->r[i].end != m->gaps[i].end)
			fail_msg("[%s] step %u: free extent %zu is 0x%llx-0x%llx, model 0x%llx-0x%llx",
				 m->cfg->name, step, i, hex(tmp->r[i].start), hex(tmp->r[i].end),
				 hex(m->gaps[i].start), hex(m->gaps[i].end));
	tmp->n = 0;
	assert_int_equal(vfiox__iova_for_each_alloc(sp, collect_all, tmp), 0);
	assert_int_equal(tmp->n, m->n);
	assert_int_equal(vfiox__iova_num_allocs(sp), m->n);
	for (i = 0; i < m->n; i++)
		if (tmp->r[i].start != m->live[i].start || tmp->r[i].end != m->live[i].last)
			fail_msg("[%s] step %u: allocation %zu differs", m->cfg->name, step, i);
	assert_int_equal(vfiox__iova_used(sp), m->used);
}

static uint64_t random_size(const struct config *c)
{
	unsigned int lg = (unsigned int)rnd_below(c->max_size_log2 + 1);
	uint64_t s = (1ull << lg) + rnd_below(1ull << lg); /* up to twice that, unaligned */

	return rnd_below(4) ? (s + c->page - 1) & ~(c->page - 1) : s;
}

static uint64_t random_align(const struct config *c)
{
	uint64_t r = rnd_below(16);

	if (r < 6)
		return 0;
	if (r == 15)
		return 1ull << 63;
	return 1ull << rnd_below(c->max_align_log2 + 1); /* some below the page */
}

static void step_alloc(struct vfiox_iova_space *sp, struct model *m, unsigned int step)
{
	const struct config *c = m->cfg;
	uint64_t asked = random_size(c), align = random_align(c), limit, size, a, hi, want = 0;
	uint64_t iova = 0;
	bool fit;
	int ret;

	limit = c->limits[rnd_below(c->nlimits)];
	size = (asked + c->page - 1) & ~(c->page - 1);
	a = align < c->page ? c->page : align;
	hi = limit ? limit - 1 : UINT64_MAX;
	fit = model_lowest_fit(m, size, a, hi, &want);
	ret = vfiox__iova_alloc(sp, asked, align, limit, &iova);
	if (ret == -ENOSPC && !fit)
		return;
	if (ret)
		fail_msg("[%s] step %u: alloc(0x%llx, align 0x%llx, limit 0x%llx) = %d, but "
			 "0x%llx fits", c->name, step, hex(asked), hex(align), hex(limit), ret,
			 hex(want));
	if (!fit)
		fail_msg("[%s] step %u: alloc(0x%llx, align 0x%llx, limit 0x%llx) = 0x%llx, the "
			 "model has no room", c->name, step, hex(asked), hex(align), hex(limit),
			 hex(iova));
	if (iova & (a - 1))
		fail_msg("[%s] step %u: 0x%llx is not aligned to 0x%llx", c->name, step, hex(iova),
			 hex(a));
	if (iova + size - 1 > hi)
		fail_msg("[%s] step %u: 0x%llx+0x%llx crosses the limit 0x%llx", c->name, step,
			 hex(iova), hex(size), hex(limit));
	/* Without an alignment to satisfy, the block is the lowest that fits. */
	if (a == c->page && iova != want)
		fail_msg("[%s] step %u: alloc(0x%llx) = 0x%llx, the lowest fit is 0x%llx", c->name,
			 step, hex(asked), hex(iova), hex(want));
	model_add(m, iova, size, asked);
}

static void step_reserve(struct vfiox_iova_space *sp, struct model *m, unsigned int step)
{
	const struct config *c = m->cfg;
	uint64_t base, iova, size = (random_size(c) + c->page - 1) & ~(c->page - 1);
	int ret, want;

	/* Mostly inside a gap, sometimes across a live range or outside usable space. */
	if (m->n && rnd_below(3) == 0) {
		const struct live *l = &m->live[rnd_below(m->n)];

		base = l->start - (l->start - c->usable[0].start >= c->page ? c->page : 0);
	} else if (m->ngaps) {
		base = m->gaps[rnd_below(m->ngaps)].start;
	} else {
		base = c->usable[0].start;
	}
	iova = base + rnd_below(8) * c->page;
	if (iova < base) /* wrapped past 2^64 */
		return;
	if (iova > UINT64_MAX - (size - 1)) {
		assert_int_equal(vfiox__iova_reserve(sp, iova, size), -EINVAL);
		return;
	}
	want = model_gap_of(m, iova, iova + size - 1) ? 0 : -EEXIST;
	ret = vfiox__iova_reserve(sp, iova, size);
	if (ret != want)
		fail_msg("[%s] step %u: reserve(0x%llx, 0x%llx) = %d, expected %d", c->name, step,
			 hex(iova), hex(size), ret, want);
	if (!ret)
		model_add(m, iova, size, size);
}

static void step_release(struct vfiox_iova_space *sp, struct model *m, unsigned int step,
			 bool bogus)
{
	const struct config *c = m->cfg;
	uint64_t iova, size;
	size_t i;
	int ret, want;

	if (!m->n)
		return;
	i = rnd_below(m->n);
	iova = m->live[i].start;
	size = m->live[i].asked;
	if (bogus) {
		switch (rnd_below(3)) {
		case 0:
			size += c->page;
			break;
		case 1:
			iova += c->page;
			size = c->page;
			break;
		default:
			iova = m->live[i].last + 1;
			if (!iova)
				return;
			break;
		}
	}
	i = model_find(m, iova);
	want = i < m->n && m->live[i].start == iova &&
	       m->live[i].last - iova + 1 == ((size + c->page - 1) & ~(c->page - 1)) ? 0 : -ENOENT;
	ret = vfiox__iova_release(sp, iova, size);
	if (ret != want)
		fail_msg("[%s] step %u: release(0x%llx, 0x%llx) = %d, expected %d", c->name, step,
			 hex(iova), hex(size), ret, want);
	if (!ret)
		model_remove(m, i);
}

static void run_config(const struct config *c, unsigned int steps, uint64_t seed)
{
	struct vfiox_iova_space *sp = space(c->usable, c->nusable, c->page);
	struct model m = { .cfg = c };
	struct ranges tmp = { 0 };
	unsigned int step;
	size_t peak = 0;

	rnd_state = seed;
	check_space(sp, &m, &tmp, 0);
	for (step = 1; step <= steps; step++) {
		uint64_t r = rnd_below(100);

		if (r < 50)
			step_alloc(sp, &m, step);
		else if (r < 60)
			step_reserve(sp, &m, step);
		else if (r < 95)
			step_release(sp, &m, step, false);
		else
			step_release(sp, &m, step, true);
		check_space(sp, &m, &tmp, step);
		if (m.n > peak)
			peak = m.n;
	}
	/* Free everything in random order: back to exactly the kernel's ranges. */
	while (m.n) {
		step_release(sp, &m, ++step, false);
		if (m.n % 16 == 0)
			check_space(sp, &m, &tmp, step);
	}
	check_space(sp, &m, &tmp, step);
	assert_int_equal(m.ngaps, c->nusable);
	expect_free(sp, c->usable, c->nusable);
	assert_int_equal(vfiox__iova_used(sp), 0);
	assert_true(peak > 50); /* the sequence did build up a populated space */
	free(tmp.r);
	free(m.gaps);
	free(m.live);
	vfiox__iova_free_space(sp);
}

static void test_random_sequences_x86_ranges_and_dma_masks(void **state)
{
	static const uint64_t limits[] = { 0, 0, 1ull << 28, 1ull << 32, (1ull << 30) + 12345 };
	const struct config c = {
		.name = "x86", .usable = x86, .nusable = 2, .page = 4 * K,
		.max_size_log2 = 26, .max_align_log2 = 30,
		.limits = limits, .nlimits = ARRAY_SIZE_OF(limits),
	};

	(void)state;
	run_config(&c, 4000, 0x1f0a5eed);
}

/* A small, fragmented space: -ENOSPC, exact fits and misaligned holes all the time. */
static void test_random_sequences_fragmented_space(void **state)
{
	static const struct vfiox_iova_range r[] = {
		{ 0x1000, 0x8fff },     { 0x10000, 0x3ffff },   { 0x50000, 0x5ffff },
		{ 0x81000, 0xfffff },   { 0x200000, 0x3fffff }, { 0x401000, 0x4fffff },
	};
	static const uint64_t limits[] = { 0, 0x40000, 0x100000, 0x300000, 0x480001 };
	const struct config c = {
		.name = "fragmented", .usable = r, .nusable = ARRAY_SIZE_OF(r), .page = 4 * K,
		.max_size_log2 = 16, .max_align_log2 = 18,
		.limits = limits, .nlimits = ARRAY_SIZE_OF(limits),
	};

	(void)state;
	run_config(&c, 4000, 0xf7a9);
}

/* 64 KiB pages and a range that ends at 2^64 - 1. */
static void test_random_sequences_64k_pages_at_the_top(void **state)
{
	static const struct vfiox_iova_range r[] = {
		{ 0x10000, 0x3fffff },
		{ 0xfffffffffe000000, UINT64_MAX },
	};
	static const uint64_t limits[] = { 0, 0, 0x200000, 0xffffffffff000000 };
	const struct config c = {
		.name = "64k-top", .usable = r, .nusable = 2, .page = 64 * K,
		.max_size_log2 = 21, .max_align_log2 = 24,
		.limits = limits, .nlimits = ARRAY_SIZE_OF(limits),
	};

	(void)state;
	run_config(&c, 4000, 0x64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msi_window_is_never_handed_out),
		cmocka_unit_test(test_edu_28bit_mask_is_honoured),
		cmocka_unit_test(test_alignment_to_2m_and_1g),
		cmocka_unit_test(test_exact_fits_and_misaligned_holes),
		cmocka_unit_test(test_many_misaligned_holes_do_not_hide_an_aligned_one),
		cmocka_unit_test(test_enospc_leaves_the_space_unchanged),
		cmocka_unit_test(test_reserve_refuses_overlap_and_reserved_ranges),
		cmocka_unit_test(test_release_of_what_is_not_live_is_enoent),
		cmocka_unit_test(test_release_coalesces_back_to_the_kernel_ranges),
		cmocka_unit_test(test_bad_arguments_are_einval),
		cmocka_unit_test(test_ranges_are_sorted_merged_and_shrunk_to_pages),
		cmocka_unit_test(test_the_whole_64bit_space),
		cmocka_unit_test(test_random_sequences_x86_ranges_and_dma_masks),
		cmocka_unit_test(test_random_sequences_fragmented_space),
		cmocka_unit_test(test_random_sequences_64k_pages_at_the_top),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
