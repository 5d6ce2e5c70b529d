// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The decoders of the kernel's VFIO info replies (libvfiox/vfio-info.c), fed hand-built
 * buffers: region info with sparse-mmap, type and MSI-X-mappable capabilities, IOMMU
 * info with IOVA ranges, DMA-available and migration, device info; and malformed chains,
 * each of which must fail with -EPROTO, a reason naming the problem and nothing leaked.
 * Every reply is parsed from an exact-size heap copy so ASan sees any read past it.
 *
 * Build: the common unit-test line (pure functions, nothing wrapped).
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

#include <linux/vfio.h>

#include "internal.h"

#include "fake-kernel.h"

#define REGION_FIXED 32
#define DEVICE_FIXED 20 /* sizeof(struct vfio_device_info): the kernel's first cap goes here */

#define IGD_TYPE 0x80008086u /* VFIO_REGION_TYPE_PCI_VENDOR_TYPE | Intel; (1 << 31) is UB */

static size_t add_migration(struct fk_reply *r, uint32_t flags, uint64_t pgsizes, uint64_t max)
{
	size_t off = fk_cap(r, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, 1, 24);

	fk_put32(r, off + 8, flags);
	fk_put64(r, off + 16, pgsizes);
	fk_put64(r, off + 24, max);
	return off;
}

/* The first @len bytes of @r in a buffer of exactly that size (ASan sees overreads). */
static uint8_t *exact_copy(const struct fk_reply *r, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, r->buf, len);
	return p;
}

static char why[256];

static int parse_region_len(const struct fk_reply *r, size_t len, struct vfiox_region *out)
{
	uint8_t *p = exact_copy(r, len);
	int ret;

	why[0] = '\0';
	ret = vfiox__parse_region_info(p, len, out, why, sizeof(why));
	free(p);
	return ret;
}

static int parse_region(const struct fk_reply *r, struct vfiox_region *out)
{
	return parse_region_len(r, r->len, out);
}

static int parse_iommu_len(const struct fk_reply *r, size_t len, struct vfiox_iommu_info *out)
{
	uint8_t *p = exact_copy(r, len);
	int ret;

	why[0] = '\0';
	ret = vfiox__parse_iommu_info(p, len, out, why, sizeof(why));
	free(p);
	return ret;
}

static int parse_iommu(const struct fk_reply *r, struct vfiox_iommu_info *out)
{
	return parse_iommu_len(r, r->len, out);
}

static int parse_device_len(const struct fk_reply *r, size_t len, struct vfiox_device_info *out)
{
	uint8_t *p = exact_copy(r, len);
	int ret;

	why[0] = '\0';
	ret = vfiox__parse_device_info(p, len, out, why, sizeof(why));
	free(p);
	return ret;
}

/* The reason must hold every fragment given (NULL-terminated). */
static void assert_why(const char *first, ...)
{
	const char *frag;
	va_list ap;

	va_start(ap, first);
	for (frag = first; frag; frag = va_arg(ap, const char *))
		if (!strstr(why, frag))
			fail_msg("reason '%s' lacks '%s'", why, frag);
	va_end(ap);
}

/* A failed region parse leaves nothing allocated behind (LSan/valgrind check the rest). */
static void assert_region_failed(const struct fk_reply *r, struct vfiox_region *out)
{
	assert_int_equal(parse_region(r, out), -EPROTO);
	assert_null(out->sparse);
	assert_int_equal(out->num_sparse, 0);
}

static void assert_iommu_failed(const struct fk_reply *r, struct vfiox_iommu_info *out)
{
	assert_int_equal(parse_iommu(r, out), -EPROTO);
	assert_null(out->iova_ranges);
	assert_int_equal(out->num_iova_ranges, 0);
}

/* ------------------------------------------------------------------ regions */

static void test_region_without_caps_decodes_the_fixed_struct(void **state)
{
	struct fk_reply r;
	struct vfiox_region reg;

	(void)state;
	fk_reply_region(&r, VFIO_PCI_BAR2_REGION_INDEX,
			VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			    VFIO_REGION_INFO_FLAG_MMAP,
			0x100000, 0x20000000000ull);
	assert_int_equal(parse_region(&r, &reg), 0);
	assert_int_equal(reg.index, 2);
	assert_string_equal(reg.name, "BAR2");
	assert_int_equal(reg.flags, 7);
	assert_int_equal(reg.size, 0x100000);
	assert_int_equal(reg.offset, 0x20000000000ull);
	assert_false(reg.has_type);
	assert_false(reg.has_sparse);
	assert_false(reg.msix_mappable);
	assert_null(reg.sparse);
	assert_int_equal(reg.num_unknown_caps, 0);
}

static void test_fixed_region_indexes_are_named(void **state)
{
	static const char *const names[] = { "BAR0", "BAR1", "BAR2", "BAR3", "BAR4",
					     "BAR5", "ROM", "CONFIG", "VGA" };
	struct vfiox_region reg;
	struct fk_reply r;
	uint32_t i;

	(void)state;
	for (i = 0; i < 9; i++) {
		fk_reply_region(&r, i, VFIO_REGION_INFO_FLAG_READ, 0x1000, (uint64_t)i << 40);
		assert_int_equal(parse_region(&r, &reg), 0);
		assert_string_equal(reg.name, names[i]);
	}
	fk_reply_region(&r, 12, VFIO_REGION_INFO_FLAG_READ, 0x1000, 12ull << 40);
	assert_int_equal(parse_region(&r, &reg), 0);
	assert_string_equal(reg.name, "region 12");
}

static void test_zero_sized_region_without_caps_is_valid(void **state)
{
	struct vfiox_region reg;
	struct fk_reply r;

	(void)state;
	fk_reply_region(&r, VFIO_PCI_BAR3_REGION_INDEX, 0, 0, 3ull << 40);
	assert_int_equal(parse_region(&r, &reg), 0);
	assert_int_equal(reg.size, 0);
	assert_int_equal(reg.flags, 0);
	assert_string_equal(reg.name, "BAR3");
	assert_false(reg.has_sparse);
	assert_null(reg.sparse);
}

static void test_sparse_mmap_areas_are_decoded(void **state)
{
	/* An NVMe BAR0: the MSI-X table page at 0x2000 is left out of the mmap. */
	static const uint64_t areas[] = { 0x0, 0x2000, 0x3000, 0x1000 };
	struct vfiox_region reg;
	struct fk_reply r;

	(void)state;
	fk_reply_region(&r, 0,
			VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			    VFIO_REGION_INFO_FLAG_MMAP,
			0x4000, 0);
	fk_cap_sparse(&r, 2, areas);
	assert_int_equal(parse_region(&r, &reg), 0);
	assert_int_equal(reg.flags, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
					    VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS);
	assert_true(reg.has_sparse);
	assert_int_equal(reg.num_sparse, 2);
	assert_non_null(reg.sparse);
	assert_int_equal(reg.sparse[0].offset, 0x0);
	assert_int_equal(reg.sparse[0].size, 0x2000);
	assert_int_equal(reg.sparse[1].offset, 0x3000);
	assert_int_equal(reg.sparse[1].size, 0x1000);
	assert_string_equal(reg.name, "BAR0");
	assert_int_equal(reg.num_unknown_caps, 0);
	free(reg.sparse);
}

static void test_sparse_mmap_with_no_areas_means_nothing_mappable(void **state)
{
	struct vfiox_region reg;
	struct fk_reply r;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_MMAP, 0x4000, 0);
	fk_cap_sparse(&r, 0, NULL);
	assert_int_equal(parse_region(&r, &reg), 0);
	assert_true(reg.has_sparse);
	assert_int_equal(reg.num_sparse, 0);
	free(reg.sparse);
}

static void test_sparse_area_may_end_exactly_at_the_region_end(void **state)
{
	static const uint64_t areas[] = { 0x0, 0x4000 };
	struct vfiox_region reg;
	struct fk_reply r;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_MMAP, 0x4000, 0);
	fk_cap_sparse(&r, 1, areas);
	assert_int_equal(parse_region(&r, &reg), 0);
	assert_int_equal(reg.num_sparse, 1);
	assert_int_equal(reg.sparse[0].size, 0x4000);
	free(reg.sparse);
}

static void test_msix_mappable_is_reported(void **state)
{
	struct vfiox_region reg;
	struct fk_reply r;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_MMAP, 0x4000, 0);
	fk_cap(&r, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, 0);
	assert_int_equal(parse_region(&r, &reg), 0);
	assert_true(reg.msix_mappable);
	assert_false(reg.has_sparse);
	assert_false(reg.has_type);
	assert_int_equal(reg.num_unknown_caps, 0);
}

struct type_case {
	uint32_t type, subtype;
	const char *name;
};

static void test_vendor_region_types_are_named(void **state)
{
	static const struct type_case cases[] = {
		{ IGD_TYPE, VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION, "IGD OpRegion" },
		{ IGD_TYPE, VFIO_REGION_SUBTYPE_INTEL_IGD_HOST_CFG, "IGD host bridge config" },
		{ IGD_TYPE, VFIO_REGION_SUBTYPE_INTEL_IGD_LPC_CFG, "IGD LPC config" },
		{ VFIO_REGION_TYPE_GFX, VFIO_REGION_SUBTYPE_GFX_EDID, "EDID" },
		{ IGD_TYPE, 7, "region 9" },		  /* an Intel subtype nobody knows */
		{ 0x80001234u, 1, "region 9" },		  /* another vendor */
	};
	struct vfiox_region reg;
	struct fk_reply r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fk_reply_region(&r, 9, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
				0x2000, 9ull << 40);
		fk_cap_type(&r, cases[i].type, cases[i].subtype);
		assert_int_equal(parse_region(&r, &reg), 0);
		assert_true(reg.has_type);
		assert_int_equal(reg.type, cases[i].type);
		assert_int_equal(reg.subtype, cases[i].subtype);
		assert_string_equal(reg.name, cases[i].name);
		assert_int_equal(reg.size, 0x2000);
	}
}

static void test_region_with_every_cap_and_an_unknown_one(void **state)
{
	static const uint64_t areas[] = { 0x1000, 0x1000 };
	struct vfiox_region reg;
	struct fk_reply r;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_MMAP, 0x4000, 0);
	fk_cap(&r, 0x77, 3, 12); /* unknown: kept, not dropped */
	fk_cap_sparse(&r, 1, areas);
	fk_cap(&r, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, 0);
	fk_cap(&r, 0x1234, 1, 0);
	assert_int_equal(parse_region(&r, &reg), 0);
	assert_int_equal(reg.num_unknown_caps, 2);
	assert_int_equal(reg.unknown_caps[0], 0x77);
	assert_int_equal(reg.unknown_caps[1], 0x1234);
	assert_true(reg.msix_mappable);
	assert_int_equal(reg.num_sparse, 1);
	assert_int_equal(reg.sparse[0].offset, 0x1000);
	free(reg.sparse);
}

static void test_unknown_caps_beyond_16_are_counted(void **state)
{
	struct vfiox_region reg;
	struct fk_reply r;
	uint16_t i;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_READ, 0x1000, 0);
	for (i = 0; i < 20; i++)
		fk_cap(&r, (uint16_t)(0x100 + i), 1, 0);
	assert_int_equal(parse_region(&r, &reg), 0);
	assert_int_equal(reg.num_unknown_caps, 20);
	for (i = 0; i < 16; i++)
		assert_int_equal(reg.unknown_caps[i], 0x100 + i);
}

static void test_cap_offset_without_the_caps_flag_is_ignored(void **state)
{
	struct vfiox_region reg;
	struct fk_reply r;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_READ, 0x1000, 0);
	fk_put32(&r, 12, 0x7777); /* garbage, but the kernel did not say there are caps */
	assert_int_equal(parse_region(&r, &reg), 0);
	assert_int_equal(reg.num_unknown_caps, 0);
	assert_false(reg.has_sparse);
}

/* ------------------------------------------------------------------ malformed chains */

static void test_next_pointing_backwards_is_rejected(void **state)
{
	struct vfiox_region reg;
	struct fk_reply r;
	size_t a, b;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_READ, 0x4000, 0);
	a = fk_cap(&r, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, 0);
	b = fk_cap(&r, 0x55, 1, 0);
	fk_put32(&r, b + 4, (uint32_t)a);
	assert_region_failed(&r, &reg);
	assert_int_equal(a, 32);
	assert_int_equal(b, 40);
	assert_why("capability at 40", "points back to 32", NULL);
}

static void test_next_pointing_to_itself_is_rejected(void **state)
{
	struct vfiox_region reg;
	struct fk_reply r;
	size_t a;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_READ, 0x4000, 0);
	a = fk_cap(&r, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, 8);
	fk_put32(&r, a + 4, (uint32_t)a);
	assert_region_failed(&r, &reg);
	assert_why("capability at 32", "points back to 32", NULL);
}

static void test_next_pointing_into_its_own_header_is_rejected(void **state)
{
	struct vfiox_region reg;
	struct fk_reply r;
	size_t a;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_READ, 0x4000, 0);
	a = fk_cap(&r, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, 16);
	fk_put32(&r, a + 4, (uint32_t)a + 4);
	assert_region_failed(&r, &reg);
	assert_why("capability at 32", "into itself", "36", NULL);
}

static void test_next_beyond_the_reply_is_rejected(void **state)
{
	struct vfiox_region reg;
	struct fk_reply r;
	size_t a;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_READ, 0x4000, 0);
	a = fk_cap(&r, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, 8);
	assert_int_equal(r.len, 48);
	fk_put32(&r, a + 4, 0x1000);
	assert_region_failed(&r, &reg);
	assert_why("capability offset 4096 outside the reply", "48 bytes", NULL);
}

static void test_first_cap_past_the_reply_is_rejected(void **state)
{
	struct vfiox_region reg;
	struct fk_reply r;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_CAPS, 0x4000, 0);
	fk_put32(&r, 12, 0xffffffffu);
	assert_region_failed(&r, &reg);
	assert_why("capability offset 4294967295 outside the reply", "32 bytes", NULL);
}

static void test_first_cap_inside_the_fixed_struct_is_rejected(void **state)
{
	struct vfiox_region reg;
	struct vfiox_iommu_info info;
	struct vfiox_device_info dev;
	struct fk_reply r;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_READ, 0x4000, 0);
	fk_cap(&r, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, 0);
	fk_put32(&r, 12, 16); /* the size field */
	assert_region_failed(&r, &reg);
	assert_why("capability offset 16", "first 32 fixed", NULL);

	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	fk_cap_dma_avail(&r, 10);
	fk_put32(&r, 16, 8);
	assert_iommu_failed(&r, &info);
	assert_why("capability offset 8", "first 24 fixed", NULL);

	fk_reply_device(&r, DEVICE_FIXED, VFIO_DEVICE_FLAGS_PCI, 9, 5);
	fk_cap(&r, 1, 1, 8);
	fk_put32(&r, 16, 4);
	assert_int_equal(parse_device_len(&r, r.len, &dev), -EPROTO);
	assert_why("capability offset 4", "first 20 fixed", NULL);
}

/* struct vfio_device_info has no padding: vfio-pci puts the first capability at 20. */
static void test_device_cap_at_offset_20_is_accepted(void **state)
{
	struct vfiox_device_info dev;
	struct fk_reply r;

	(void)state;
	fk_reply_device(&r, DEVICE_FIXED, VFIO_DEVICE_FLAGS_PCI, 9, 5);
	fk_cap(&r, 5, 1, 4);
	assert_int_equal(r.last, 20);
	assert_int_equal(parse_device_len(&r, r.len, &dev), 0);
	assert_int_equal(dev.num_caps, 1);
	assert_int_equal(dev.cap_ids[0], 5);
}

static void test_truncated_header_at_the_end_is_rejected(void **state)
{
	struct vfiox_region reg;
	struct fk_reply r;
	size_t a;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_READ, 0x4000, 0);
	a = fk_cap(&r, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, 4);
	/* The next header would start at 44: only 4 of its 8 bytes are in the reply. */
	fk_put32(&r, a + 4, (uint32_t)a + 12);
	assert_int_equal(r.len, 44);
	assert_region_failed(&r, &reg);
	assert_why("capability offset 44 outside the reply", "44 bytes", NULL);

	/* The same with the reply cut inside the first header. */
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_READ, 0x4000, 0);
	fk_cap(&r, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, 0);
	assert_int_equal(parse_region_len(&r, 36, &reg), -EPROTO);
	assert_null(reg.sparse);
	assert_why("capability offset 32 outside the reply", "36 bytes", NULL);
}

static void test_sparse_cap_shorter_than_its_header_is_rejected(void **state)
{
	struct vfiox_region reg;
	struct fk_reply r;
	size_t a;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_MMAP, 0x4000, 0);
	a = fk_cap(&r, VFIO_REGION_INFO_CAP_SPARSE_MMAP, 1, 0); /* no nr_areas at all */
	fk_cap(&r, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, 0);
	assert_int_equal(a, 32);
	assert_region_failed(&r, &reg);
	assert_why("sparse-mmap capability at 32 has 8 bytes, needs 16", NULL);
}

static void test_sparse_nr_areas_larger_than_the_room_is_rejected(void **state)
{
	static const uint64_t areas[] = { 0x0, 0x1000 };
	struct vfiox_region reg;
	struct fk_reply r;
	size_t a;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_MMAP, 0x4000, 0);
	a = fk_cap_sparse(&r, 1, areas);
	fk_put32(&r, a + 8, 3);
	assert_region_failed(&r, &reg);
	assert_why("sparse-mmap capability at 32 claims 3 areas, room for 1", NULL);

	/* A count that would overflow a 32-bit multiplication. */
	fk_put32(&r, a + 8, 0x10000001u);
	assert_region_failed(&r, &reg);
	assert_why("claims 268435457 areas, room for 1", NULL);

	/* The room ends at the next capability, not at the end of the reply. */
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_MMAP, 0x4000, 0);
	a = fk_cap_sparse(&r, 1, areas);
	fk_cap(&r, 0x99, 1, 32);
	fk_put32(&r, a + 8, 2);
	assert_region_failed(&r, &reg);
	assert_why("claims 2 areas, room for 1", NULL);
}

static void test_type_cap_shorter_than_16_bytes_is_rejected(void **state)
{
	struct vfiox_region reg;
	struct fk_reply r;

	(void)state;
	fk_reply_region(&r, 9, VFIO_REGION_INFO_FLAG_READ, 0x2000, 0);
	fk_cap(&r, VFIO_REGION_INFO_CAP_TYPE, 1, 4); /* type but no subtype */
	assert_region_failed(&r, &reg);
	assert_why("type capability at 32 has 12 bytes, needs 16", NULL);
}

static void test_sparse_area_outside_the_region_is_rejected(void **state)
{
	static const uint64_t past_end[] = { 0x0, 0x1000, 0x3000, 0x2000 };
	static const uint64_t wraps[] = { 0x1000, UINT64_MAX };
	static const uint64_t starts_past[] = { 0x5000, 0 };
	struct vfiox_region reg;
	struct fk_reply r;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_MMAP, 0x4000, 0);
	fk_cap_sparse(&r, 2, past_end);
	assert_region_failed(&r, &reg);
	assert_why("sparse area 1", "offset 0x3000", "size 0x2000", "outside the region",
		   "size 0x4000", NULL);

	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_MMAP, 0x4000, 0);
	fk_cap_sparse(&r, 1, wraps); /* offset + size wraps to below the region size */
	assert_region_failed(&r, &reg);
	assert_why("sparse area 0", "outside the region", NULL);

	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_MMAP, 0x4000, 0);
	fk_cap_sparse(&r, 1, starts_past);
	assert_region_failed(&r, &reg);
	assert_why("sparse area 0", "offset 0x5000", NULL);

	/* In a zero-sized region, any non-empty area lies outside. */
	fk_reply_region(&r, 0, 0, 0, 0);
	fk_cap_sparse(&r, 1, past_end);
	assert_region_failed(&r, &reg);
	assert_why("sparse area 0", "size 0x0)", NULL);
}

static void test_duplicate_sparse_caps_are_rejected(void **state)
{
	static const uint64_t areas[] = { 0x0, 0x1000 };
	struct vfiox_region reg;
	struct fk_reply r;
	size_t second;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_MMAP, 0x4000, 0);
	fk_cap_sparse(&r, 1, areas);
	second = fk_cap_sparse(&r, 1, areas);
	assert_region_failed(&r, &reg);
	assert_why("two sparse-mmap capabilities", NULL);
	{
		char at[32];

		snprintf(at, sizeof(at), "second at %zu", second);
		assert_why(at, NULL);
	}

	/* Also when the first one has no areas. */
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_MMAP, 0x4000, 0);
	fk_cap_sparse(&r, 0, NULL);
	fk_cap_sparse(&r, 1, areas);
	assert_region_failed(&r, &reg);
	assert_why("two sparse-mmap capabilities", NULL);
}

static void test_64_caps_pass_and_65_are_rejected(void **state)
{
	struct vfiox_region reg;
	struct fk_reply r;
	int i;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_READ, 0x1000, 0);
	for (i = 0; i < 64; i++)
		fk_cap(&r, 0x200, 1, 0);
	assert_int_equal(parse_region(&r, &reg), 0);
	assert_int_equal(reg.num_unknown_caps, 64);

	fk_cap(&r, 0x200, 1, 0);
	assert_region_failed(&r, &reg);
	assert_why("more than 64 capabilities", NULL);
}

static void test_caps_past_64_after_a_sparse_cap_do_not_leak_it(void **state)
{
	static const uint64_t areas[] = { 0x0, 0x1000 };
	struct vfiox_region reg;
	struct fk_reply r;
	int i;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_MMAP, 0x4000, 0);
	fk_cap_sparse(&r, 1, areas);
	for (i = 0; i < 70; i++)
		fk_cap(&r, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, 0);
	assert_region_failed(&r, &reg); /* the areas allocated first must be freed */
	assert_why("more than 64 capabilities", NULL);
}

static void test_region_reply_shorter_than_the_fixed_struct_is_rejected(void **state)
{
	struct vfiox_region reg;
	struct fk_reply r;

	(void)state;
	fk_reply_region(&r, 0, VFIO_REGION_INFO_FLAG_READ, 0x1000, 0);
	assert_int_equal(parse_region_len(&r, 31, &reg), -EPROTO);
	assert_why("region info reply of 31 bytes, at least 32 expected", NULL);
	assert_int_equal(parse_region_len(&r, 0, &reg), -EPROTO);
	assert_why("region info reply of 0 bytes", NULL);
}

/* ------------------------------------------------------------------ walker */

struct seen {
	struct vfiox_cap_view caps[8];
	int n;
	int stop_at; /* return -ECANCELED on this call (1-based), 0: never */
};

static int record_cap(void *arg, const struct vfiox_cap_view *cap, char *w, size_t wl)
{
	struct seen *s = arg;

	if (s->n < 8)
		s->caps[s->n] = *cap;
	s->n++;
	if (s->n == s->stop_at) {
		snprintf(w, wl, "stopped by the callback");
		return -ECANCELED;
	}
	return 0;
}

static void test_walker_reports_each_cap_with_its_extent(void **state)
{
	struct seen s = { .n = 0 };
	struct fk_reply r;
	uint8_t *p;
	int ret;

	(void)state;
	fk_reply_region(&r, 0, 0, 0x1000, 0);
	fk_cap(&r, 5, 2, 8);  /* at 32, 16 bytes */
	fk_cap(&r, 6, 1, 24); /* at 48, 32 bytes */
	fk_cap(&r, 7, 9, 0);  /* at 80, to the end: 8 bytes + the 8 added below */
	r.len += 8;
	p = exact_copy(&r, r.len);
	ret = vfiox__walk_info_caps(p, r.len, REGION_FIXED, 32, record_cap, &s, why,
				    sizeof(why));
	assert_int_equal(ret, 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.caps[0].id, 5);
	assert_int_equal(s.caps[0].version, 2);
	assert_int_equal(s.caps[0].offset, 32);
	assert_int_equal(s.caps[0].len, 16);
	assert_ptr_equal(s.caps[0].data, p + 32);
	assert_int_equal(s.caps[1].id, 6);
	assert_int_equal(s.caps[1].offset, 48);
	assert_int_equal(s.caps[1].len, 32);
	assert_int_equal(s.caps[2].id, 7);
	assert_int_equal(s.caps[2].version, 9);
	assert_int_equal(s.caps[2].offset, 80);
	assert_int_equal(s.caps[2].len, 16);

	/* A callback's error ends the walk and is returned as it is. */
	s = (struct seen){ .stop_at = 2 };
	ret = vfiox__walk_info_caps(p, r.len, REGION_FIXED, 32, record_cap, &s, why,
				    sizeof(why));
	assert_int_equal(ret, -ECANCELED);
	assert_int_equal(s.n, 2);
	assert_string_equal(why, "stopped by the callback");

	/* first == 0: no chain, no call. */
	s = (struct seen){ .n = 0 };
	assert_int_equal(vfiox__walk_info_caps(p, r.len, REGION_FIXED, 0, record_cap, &s, why,
					       sizeof(why)), 0);
	assert_int_equal(s.n, 0);
	free(p);
}

/* ------------------------------------------------------------------ IOMMU */

static const uint64_t x86_ranges[] = {
	0x0, 0xfedfffffull,		/* below the MSI window */
	0xfef00000ull, 0xffffffffffffull, /* above it, to 48 bits */
};

static void test_iommu_info_with_iova_ranges_dma_avail_and_migration(void **state)
{
	struct vfiox_iommu_info info;
	struct fk_reply r;

	(void)state;
	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x40201000ull);
	fk_cap_iova(&r, 2, x86_ranges);
	add_migration(&r, 1, 0x1000, 0x8000000);
	fk_cap_dma_avail(&r, 65535);
	assert_int_equal(parse_iommu(&r, &info), 0);
	assert_int_equal(info.flags, VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
	assert_int_equal(info.pgsizes, 0x40201000ull);
	assert_int_equal(info.num_iova_ranges, 2);
	assert_int_equal(info.iova_ranges[0].start, 0);
	assert_int_equal(info.iova_ranges[0].end, 0xfedfffffull);
	assert_int_equal(info.iova_ranges[1].start, 0xfef00000ull);
	assert_int_equal(info.iova_ranges[1].end, 0xffffffffffffull);
	assert_int_equal(info.dma_avail, 65535);
	assert_true(info.migration);
	assert_int_equal(info.migration_flags, 1);
	assert_int_equal(info.migration_pgsizes, 0x1000);
	assert_int_equal(info.max_dirty_bitmap_size, 0x8000000);
	assert_int_equal(info.num_unknown_caps, 0);
	free(info.iova_ranges);
}

static void test_iommu_info_without_caps_reports_nothing_extra(void **state)
{
	struct vfiox_iommu_info info;
	struct fk_reply r;

	(void)state;
	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	assert_int_equal(parse_iommu(&r, &info), 0);
	assert_int_equal(info.pgsizes, 0x1000);
	assert_null(info.iova_ranges);
	assert_int_equal(info.num_iova_ranges, 0);
	assert_int_equal(info.dma_avail, -1);
	assert_false(info.migration);

	/* A kernel from before cap_offset: 16 bytes are a whole reply. */
	assert_int_equal(parse_iommu_len(&r, 16, &info), 0);
	assert_int_equal(info.pgsizes, 0x1000);
	assert_int_equal(info.dma_avail, -1);
}

static void test_iommu_unknown_caps_are_reported(void **state)
{
	struct vfiox_iommu_info info;
	struct fk_reply r;

	(void)state;
	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	fk_cap(&r, 0x42, 1, 8);
	fk_cap_dma_avail(&r, 0);
	fk_cap(&r, 0x43, 2, 0);
	assert_int_equal(parse_iommu(&r, &info), 0);
	assert_int_equal(info.num_unknown_caps, 2);
	assert_int_equal(info.unknown_caps[0], 0x42);
	assert_int_equal(info.unknown_caps[1], 0x43);
	assert_int_equal(info.dma_avail, 0); /* reported as 0, not "unknown" */
}

static void test_iova_nr_larger_than_the_room_is_rejected(void **state)
{
	struct vfiox_iommu_info info;
	struct fk_reply r;
	size_t a;

	(void)state;
	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	a = fk_cap_iova(&r, 2, x86_ranges);
	fk_put32(&r, a + 8, 3);
	assert_iommu_failed(&r, &info);
	assert_why("IOVA range capability at 24 claims 3 ranges, room for 2", NULL);

	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	a = fk_cap_iova(&r, 2, x86_ranges);
	fk_put32(&r, a + 8, 0xffffffffu);
	assert_iommu_failed(&r, &info);
	assert_why("claims 4294967295 ranges, room for 2", NULL);
}

static void test_short_iommu_caps_are_rejected(void **state)
{
	struct vfiox_iommu_info info;
	struct fk_reply r;

	(void)state;
	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	fk_cap(&r, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1, 4);
	assert_iommu_failed(&r, &info);
	assert_why("IOVA range capability at 24 has 12 bytes, needs 16", NULL);

	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	fk_cap(&r, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, 1, 16);
	assert_iommu_failed(&r, &info);
	assert_why("migration capability at 24 has 24 bytes, needs 32", NULL);

	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	fk_cap(&r, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 1, 0);
	fk_cap(&r, 0x42, 1, 0);
	assert_iommu_failed(&r, &info);
	assert_why("DMA available capability at 24 has 8 bytes, needs 12", NULL);
}

static void test_iova_ranges_out_of_order_or_inverted_are_rejected(void **state)
{
	static const uint64_t reversed[] = { 0x100000, 0x1fffff, 0x0, 0xfffff };
	static const uint64_t overlapping[] = { 0x0, 0x1fffff, 0x1fffff, 0x2fffff };
	static const uint64_t inverted[] = { 0x0, 0xfff, 0x3000, 0x2000 };
	struct vfiox_iommu_info info;
	struct fk_reply r;

	(void)state;
	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	fk_cap_iova(&r, 2, reversed);
	assert_iommu_failed(&r, &info);
	assert_why("IOVA range 1 (0x0-0xfffff)", "out of order", NULL);

	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	fk_cap_iova(&r, 2, overlapping);
	assert_iommu_failed(&r, &info);
	assert_why("IOVA range 1 (0x1fffff-0x2fffff)", NULL);

	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	fk_cap_iova(&r, 2, inverted);
	assert_iommu_failed(&r, &info);
	assert_why("IOVA range 1 (0x3000-0x2000)", "empty", NULL);

	/* A single-address range is fine (ranges are inclusive). */
	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	fk_cap_iova(&r, 1, (const uint64_t[]){ 0x5000, 0x5000 });
	assert_int_equal(parse_iommu(&r, &info), 0);
	assert_int_equal(info.num_iova_ranges, 1);
	assert_int_equal(info.iova_ranges[0].start, 0x5000);
	assert_int_equal(info.iova_ranges[0].end, 0x5000);
	free(info.iova_ranges);
}

static void test_duplicate_iova_caps_are_rejected(void **state)
{
	struct vfiox_iommu_info info;
	struct fk_reply r;

	(void)state;
	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	fk_cap_iova(&r, 2, x86_ranges);
	fk_cap_dma_avail(&r, 5);
	fk_cap_iova(&r, 1, x86_ranges);
	assert_iommu_failed(&r, &info);
	assert_why("two IOVA range capabilities", "second at 88", NULL);

	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	fk_cap_iova(&r, 0, NULL);
	fk_cap_iova(&r, 1, x86_ranges);
	assert_iommu_failed(&r, &info);
	assert_why("two IOVA range capabilities", NULL);
}

static void test_iommu_chain_errors_after_iova_ranges_free_them(void **state)
{
	struct vfiox_iommu_info info;
	struct fk_reply r;
	size_t a;

	(void)state;
	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	fk_cap_iova(&r, 2, x86_ranges);
	a = fk_cap_dma_avail(&r, 5);
	fk_put32(&r, a + 4, 24); /* back to the IOVA cap: would loop */
	assert_iommu_failed(&r, &info);
	assert_why("points back to 24", NULL);
}

static void test_iommu_reply_shorter_than_16_bytes_is_rejected(void **state)
{
	struct vfiox_iommu_info info;
	struct fk_reply r;

	(void)state;
	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	assert_int_equal(parse_iommu_len(&r, 15, &info), -EPROTO);
	assert_why("IOMMU info reply of 15 bytes, at least 16 expected", NULL);
	assert_null(info.iova_ranges);
}

/* ------------------------------------------------------------------ device */

static void test_device_info_decodes_counts_and_cap_ids(void **state)
{
	struct vfiox_device_info info;
	struct fk_reply r;

	(void)state;
	fk_reply_device(&r, DEVICE_FIXED, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET, 9, 5);
	assert_int_equal(parse_device_len(&r, r.len, &info), 0);
	assert_int_equal(info.flags, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
	assert_int_equal(info.num_regions, 9);
	assert_int_equal(info.num_irqs, 5);
	assert_int_equal(info.num_caps, 0);

	/* The 16 bytes an old kernel fills. */
	assert_int_equal(parse_device_len(&r, 16, &info), 0);
	assert_int_equal(info.num_regions, 9);

	fk_reply_device(&r, DEVICE_FIXED, VFIO_DEVICE_FLAGS_PCI, 10, 5);
	fk_cap(&r, VFIO_DEVICE_INFO_CAP_ZPCI_BASE, 1, 32);
	fk_cap(&r, VFIO_DEVICE_INFO_CAP_ZPCI_GROUP, 1, 16);
	fk_cap(&r, 0x99, 1, 0);
	assert_int_equal(parse_device_len(&r, r.len, &info), 0);
	assert_int_equal(info.flags, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_CAPS);
	assert_int_equal(info.num_regions, 10);
	assert_int_equal(info.num_caps, 3);
	assert_int_equal(info.cap_ids[0], VFIO_DEVICE_INFO_CAP_ZPCI_BASE);
	assert_int_equal(info.cap_ids[1], VFIO_DEVICE_INFO_CAP_ZPCI_GROUP);
	assert_int_equal(info.cap_ids[2], 0x99);
}

static void test_malformed_device_info_is_rejected(void **state)
{
	struct vfiox_device_info info;
	struct fk_reply r;
	size_t a;

	(void)state;
	fk_reply_device(&r, DEVICE_FIXED, VFIO_DEVICE_FLAGS_PCI, 9, 5);
	assert_int_equal(parse_device_len(&r, 15, &info), -EPROTO);
	assert_why("device info reply of 15 bytes, at least 16 expected", NULL);

	fk_reply_device(&r, DEVICE_FIXED, VFIO_DEVICE_FLAGS_PCI, 9, 5);
	a = fk_cap(&r, 1, 1, 8);
	fk_put32(&r, a + 4, (uint32_t)a);
	assert_int_equal(parse_device_len(&r, r.len, &info), -EPROTO);
	assert_why("points back to 20", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_region_without_caps_decodes_the_fixed_struct),
		cmocka_unit_test(test_fixed_region_indexes_are_named),
		cmocka_unit_test(test_zero_sized_region_without_caps_is_valid),
		cmocka_unit_test(test_sparse_mmap_areas_are_decoded),
		cmocka_unit_test(test_sparse_mmap_with_no_areas_means_nothing_mappable),
		cmocka_unit_test(test_sparse_area_may_end_exactly_at_the_region_end),
		cmocka_unit_test(test_msix_mappable_is_reported),
		cmocka_unit_test(test_vendor_region_types_are_named),
		cmocka_unit_test(test_region_with_every_cap_and_an_unknown_one),
		cmocka_unit_test(test_unknown_caps_beyond_16_are_counted),
		cmocka_unit_test(test_cap_offset_without_the_caps_flag_is_ignored),
		cmocka_unit_test(test_next_pointing_backwards_is_rejected),
		cmocka_unit_test(test_next_pointing_to_itself_is_rejected),
		cmocka_unit_test(test_next_pointing_into_its_own_header_is_rejected),
		cmocka_unit_test(test_next_beyond_the_reply_is_rejected),
		cmocka_unit_test(test_first_cap_past_the_reply_is_rejected),
		cmocka_unit_test(test_first_cap_inside_the_fixed_struct_is_rejected),
		cmocka_unit_test(test_device_cap_at_offset_20_is_accepted),
		cmocka_unit_test(test_truncated_header_at_the_end_is_rejected),
		cmocka_unit_test(test_sparse_cap_shorter_than_its_header_is_rejected),
		cmocka_unit_test(test_sparse_nr_areas_larger_than_the_room_is_rejected),
		cmocka_unit_test(test_type_cap_shorter_than_16_bytes_is_rejected),
		cmocka_unit_test(test_sparse_area_outside_the_region_is_rejected),
		cmocka_unit_test(test_duplicate_sparse_caps_are_rejected),
		cmocka_unit_test(test_64_caps_pass_and_65_are_rejected),
		cmocka_unit_test(test_caps_past_64_after_a_sparse_cap_do_not_leak_it),
		cmocka_unit_test(test_region_reply_shorter_than_the_fixed_struct_is_rejected),
		cmocka_unit_test(test_walker_reports_each_cap_with_its_extent),
		cmocka_unit_test(test_iommu_info_with_iova_ranges_dma_avail_and_migration),
		cmocka_unit_test(test_iommu_info_without_caps_reports_nothing_extra),
		cmocka_unit_test(test_iommu_unknown_caps_are_reported),
		cmocka_unit_test(test_iova_nr_larger_than_the_room_is_rejected),
		cmocka_unit_test(test_short_iommu_caps_are_rejected),
		cmocka_unit_test(test_iova_ranges_out_of_order_or_inverted_are_rejected),
		cmocka_unit_test(test_duplicate_iova_caps_are_rejected),
		cmocka_unit_test(test_iommu_chain_errors_after_iova_ranges_free_them),
		cmocka_unit_test(test_iommu_reply_shorter_than_16_bytes_is_rejected),
		cmocka_unit_test(test_device_info_decodes_counts_and_cap_ids),
		cmocka_unit_test(test_malformed_device_info_is_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
