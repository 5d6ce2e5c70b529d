// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * BAR layout: which pages are mapped and which stay trapped, for every arrangement of
 * the MSI-X table and PBA the issue names, with sparse areas and 64 KiB pages.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "internal.h"

#define K 0x400ull

struct want {
	uint64_t offset, size;
	int kind;
};

/* Every layout covers [0, size) without gaps, never repeats a kind, maps whole pages. */
static void check_invariants(const struct vfiox_bar_geometry *g,
			     const struct vfiox_bar_segment *s, size_t n)
{
	uint64_t at = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i].offset != at || !s[i].size)
			fail_msg("segment %zu at 0x%llx+0x%llx, expected to start at 0x%llx", i,
				 (unsigned long long)s[i].offset, (unsigned long long)s[i].size,
				 (unsigned long long)at);
		if (i && s[i].kind == s[i - 1].kind)
			fail_msg("segments %zu and %zu have the same kind %d", i - 1, i, s[i].kind);
		if (s[i].kind == VFIOX_SEG_MAPPED &&
		    ((s[i].offset | s[i].size) & (g->page_size - 1)))
			fail_msg("mapped segment %zu 0x%llx+0x%llx is not whole pages", i,
				 (unsigned long long)s[i].offset, (unsigned long long)s[i].size);
		at += s[i].size;
	}
	assert_int_equal(at, g->size);
}

static void expect(const struct vfiox_bar_geometry *g, const struct want *w, size_t nw)
{
	struct vfiox_bar_segment *s = NULL;
	size_t n = 0, i;

	assert_int_equal(vfiox__bar_layout(g, &s, &n), 0);
	check_invariants(g, s, n);
	if (n != nw) {
		for (i = 0; i < n; i++)
			print_message("  got 0x%llx+0x%llx kind %d\n", (unsigned long long)s[i].offset,
				      (unsigned long long)s[i].size, s[i].kind);
		free(s);
		fail_msg("%zu segments, expected %zu", n, nw);
	}
	for (i = 0; i < n; i++) {
		if (s[i].offset != w[i].offset || s[i].size != w[i].size || s[i].kind != w[i].kind) {
			struct vfiox_bar_segment got = s[i];

			free(s);
			fail_msg("segment %zu: got 0x%llx+0x%llx kind %d, want 0x%llx+0x%llx kind %d",
				 i, (unsigned long long)got.offset, (unsigned long long)got.size,
				 got.kind, (unsigned long long)w[i].offset,
				 (unsigned long long)w[i].size, w[i].kind);
		}
	}
	free(s);
}

static struct vfiox_bar_geometry bar(uint64_t size, uint64_t page)
{
	return (struct vfiox_bar_geometry){ .size = size, .page_size = page, .mmappable = true };
}

static void test_no_msix_maps_everything(void **state)
{
	struct vfiox_bar_geometry g = bar(1024 * K, 4 * K);
	const struct want w[] = { { 0, 1024 * K, VFIOX_SEG_MAPPED } };

	(void)state;
	expect(&g, w, 1);
}

/* QEMU's nvme: 65 vectors at 0x2000 (0x410 bytes), PBA at 0x3000, 16 KiB BAR. */
static void test_table_and_pba_in_the_middle_and_at_the_end(void **state)
{
	struct vfiox_bar_geometry g = bar(16 * K, 4 * K);
	const struct want w[] = { { 0, 8 * K, VFIOX_SEG_MAPPED },
				  { 8 * K, 4 * K, VFIOX_SEG_MSIX_TABLE },
				  { 12 * K, 4 * K, VFIOX_SEG_MSIX_PBA } };

	(void)state;
	g.table = (struct vfiox_bar_hole){ 0x2000, 0x2000 + 65 * 16 };
	g.pba = (struct vfiox_bar_hole){ 0x3000, 0x3000 + 16 };
	expect(&g, w, 3);
}

static void test_table_at_the_start(void **state)
{
	struct vfiox_bar_geometry g = bar(64 * K, 4 * K);
	const struct want w[] = { { 0, 4 * K, VFIOX_SEG_MSIX_TABLE },
				  { 4 * K, 60 * K, VFIOX_SEG_MAPPED } };

	(void)state;
	g.table = (struct vfiox_bar_hole){ 0, 16 * 16 };
	expect(&g, w, 2);
}

static void test_table_in_the_middle_spanning_pages(void **state)
{
	struct vfiox_bar_geometry g = bar(64 * K, 4 * K);
	const struct want w[] = { { 0, 16 * K, VFIOX_SEG_MAPPED },
				  { 16 * K, 12 * K, VFIOX_SEG_MSIX_TABLE },
				  { 28 * K, 36 * K, VFIOX_SEG_MAPPED } };

	(void)state;
	/* 512 vectors = 8 KiB, starting mid-page at 0x4800: pages 0x4000-0x7000 */
	g.table = (struct vfiox_bar_hole){ 0x4800, 0x4800 + 512 * 16 };
	expect(&g, w, 3);
}

static void test_table_and_pba_share_a_page(void **state)
{
	struct vfiox_bar_geometry g = bar(16 * K, 4 * K);
	const struct want w[] = { { 0, 4 * K, VFIOX_SEG_MAPPED },
				  { 4 * K, 4 * K, VFIOX_SEG_MSIX_TABLE },
				  { 8 * K, 8 * K, VFIOX_SEG_MAPPED } };

	(void)state;
	g.table = (struct vfiox_bar_hole){ 0x1000, 0x1000 + 8 * 16 };
	g.pba = (struct vfiox_bar_hole){ 0x1800, 0x1808 };
	expect(&g, w, 3);
}

/* The table in BAR0, the PBA in BAR2: each BAR gets only its own hole. */
static void test_table_and_pba_in_different_bars(void **state)
{
	struct vfiox_bar_geometry b0 = bar(16 * K, 4 * K), b2 = bar(8 * K, 4 * K);
	const struct want w0[] = { { 0, 4 * K, VFIOX_SEG_MSIX_TABLE },
				   { 4 * K, 12 * K, VFIOX_SEG_MAPPED } };
	const struct want w2[] = { { 0, 4 * K, VFIOX_SEG_MAPPED },
				   { 4 * K, 4 * K, VFIOX_SEG_MSIX_PBA } };

	(void)state;
	b0.table = (struct vfiox_bar_hole){ 0, 64 * 16 };
	b2.pba = (struct vfiox_bar_hole){ 0x1000, 0x1008 };
	expect(&b0, w0, 2);
	expect(&b2, w2, 2);
}

static void test_table_smaller_than_a_page_takes_the_whole_page(void **state)
{
	struct vfiox_bar_geometry g = bar(8 * K, 4 * K);
	const struct want w[] = { { 0, 4 * K, VFIOX_SEG_MAPPED },
				  { 4 * K, 4 * K, VFIOX_SEG_MSIX_TABLE } };

	(void)state;
	g.table = (struct vfiox_bar_hole){ 0x1000, 0x1010 };
	expect(&g, w, 2);
}

/* 64 KiB host pages (arm64, ppc64): the hole is a whole 64 KiB page. */
static void test_64k_pages_round_the_holes_out(void **state)
{
	struct vfiox_bar_geometry g = bar(256 * K, 64 * K), small = bar(16 * K, 64 * K);
	const struct want w[] = { { 0, 64 * K, VFIOX_SEG_MAPPED },
				  { 64 * K, 64 * K, VFIOX_SEG_MSIX_TABLE },
				  { 128 * K, 64 * K, VFIOX_SEG_MSIX_PBA },
				  { 192 * K, 64 * K, VFIOX_SEG_MAPPED } };
	/* nvme's 16 KiB BAR on 64 KiB pages: nothing can be mapped around the table */
	const struct want ws[] = { { 0, 16 * K, VFIOX_SEG_MSIX_TABLE } };

	(void)state;
	g.table = (struct vfiox_bar_hole){ 0x12000, 0x12000 + 65 * 16 };
	g.pba = (struct vfiox_bar_hole){ 0x23000, 0x23010 };
	expect(&g, w, 4);
	small.table = (struct vfiox_bar_hole){ 0x2000, 0x2000 + 65 * 16 };
	small.pba = (struct vfiox_bar_hole){ 0x3000, 0x3010 };
	expect(&small, ws, 1);
}

/* Older kernels leave the table out with sparse areas; our holes add to theirs. */
static void test_sparse_areas_combine_with_msix_holes(void **state)
{
	const struct vfiox_sparse_area sp[] = { { 0, 0x2000 }, { 0x3000, 0x1000 } };
	struct vfiox_bar_geometry g = bar(16 * K, 4 * K);
	const struct want w[] = { { 0, 8 * K, VFIOX_SEG_MAPPED },
				  { 8 * K, 4 * K, VFIOX_SEG_SPARSE_GAP },
				  { 12 * K, 4 * K, VFIOX_SEG_MSIX_PBA } };

	(void)state;
	g.has_sparse = true;
	g.sparse = sp;
	g.num_sparse = 2;
	g.pba = (struct vfiox_bar_hole){ 0x3000, 0x3010 };
	expect(&g, w, 3);
}

static void test_unaligned_sparse_area_shrinks_to_whole_pages(void **state)
{
	const struct vfiox_sparse_area sp[] = { { 0x800, 0x2000 } };
	struct vfiox_bar_geometry g = bar(16 * K, 4 * K);
	const struct want w[] = { { 0, 4 * K, VFIOX_SEG_SPARSE_GAP },
				  { 4 * K, 4 * K, VFIOX_SEG_MAPPED },
				  { 8 * K, 8 * K, VFIOX_SEG_SPARSE_GAP } };

	(void)state;
	g.has_sparse = true;
	g.sparse = sp;
	g.num_sparse = 1;
	expect(&g, w, 3);
}

static void test_empty_sparse_list_maps_nothing(void **state)
{
	struct vfiox_bar_geometry g = bar(16 * K, 4 * K);
	const struct want w[] = { { 0, 16 * K, VFIOX_SEG_SPARSE_GAP } };

	(void)state;
	g.has_sparse = true;
	expect(&g, w, 1);
}

static void test_not_mmappable_region_is_all_trapped(void **state)
{
	struct vfiox_bar_geometry g = bar(256, 4 * K), io = bar(32, 4 * K);
	const struct want w[] = { { 0, 256, VFIOX_SEG_NOT_MMAPPABLE } };
	const struct want wt[] = { { 0, 32, VFIOX_SEG_MSIX_TABLE } };

	(void)state;
	g.mmappable = false;
	expect(&g, w, 1);
	io.mmappable = false;
	io.table = (struct vfiox_bar_hole){ 0, 16 };
	expect(&io, wt, 1);
}

static void test_whole_flag_maps_the_msix_pages_too(void **state)
{
	struct vfiox_bar_geometry g = bar(16 * K, 4 * K), off = bar(16 * K, 4 * K);
	const struct want w[] = { { 0, 16 * K, VFIOX_SEG_MAPPED } };
	const struct want wo[] = { { 0, 8 * K, VFIOX_SEG_NOT_MMAPPABLE },
				   { 8 * K, 4 * K, VFIOX_SEG_MSIX_TABLE },
				   { 12 * K, 4 * K, VFIOX_SEG_NOT_MMAPPABLE } };

	(void)state;
	g.table = off.table = (struct vfiox_bar_hole){ 0x2000, 0x2000 + 65 * 16 };
	g.flags = VFIOX_BAR_WHOLE;
	expect(&g, w, 1);
	off.flags = VFIOX_BAR_NO_MMAP;
	expect(&off, wo, 3);
}

static void test_bad_geometry_is_einval(void **state)
{
	struct vfiox_bar_geometry g = bar(0, 4 * K);
	struct vfiox_bar_segment *s = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(vfiox__bar_layout(&g, &s, &n), -EINVAL);
	g = bar(16 * K, 3000);
	assert_int_equal(vfiox__bar_layout(&g, &s, &n), -EINVAL);
	assert_null(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_msix_maps_everything),
		cmocka_unit_test(test_table_and_pba_in_the_middle_and_at_the_end),
		cmocka_unit_test(test_table_at_the_start),
		cmocka_unit_test(test_table_in_the_middle_spanning_pages),
		cmocka_unit_test(test_table_and_pba_share_a_page),
		cmocka_unit_test(test_table_and_pba_in_different_bars),
		cmocka_unit_test(test_table_smaller_than_a_page_takes_the_whole_page),
		cmocka_unit_test(test_64k_pages_round_the_holes_out),
		cmocka_unit_test(test_sparse_areas_combine_with_msix_holes),
		cmocka_unit_test(test_unaligned_sparse_area_shrinks_to_whole_pages),
		cmocka_unit_test(test_empty_sparse_list_maps_nothing),
		cmocka_unit_test(test_not_mmappable_region_is_all_trapped),
		cmocka_unit_test(test_whole_flag_maps_the_msix_pages_too),
		cmocka_unit_test(test_bad_geometry_is_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
