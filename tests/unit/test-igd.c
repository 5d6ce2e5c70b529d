// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Intel IGD: the register decode of every generation from config bytes (the public dumps of
 * a Sandy Bridge and a Coffee Lake machine, checked number by number, and each generation's
 * documented encodings), the OpRegion/VBT decode, and the inspection on fake sysfs + proc
 * trees: the host cross-checks (/proc/iomem, reserved regions, i915's claim), the refusals
 * of --zero that need no device access, and QEMU's needs.
 */
#include "testutil.h"
#include "igd-dumps.h"

#include "igd-private.h"

#define MiB (1ull << 20)

/*
 * The dumps (shared/igd/, from public mailing-list posts): "OFF: bytes" rows, every other
 * byte unknown (zero).
 */
static const char snb_0126[] =
	"00: 86 80 26 01 07 04 90 00 09 00 00 03 00 00 00 00\n"
	"50: 11 02 00 00 11 00 00 00 00 00 00 00 01 00 a0 db\n"
	"c0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
	"f0: 00 00 00 00 00 00 00 00 00 00 06 00 18 60 ef da\n";
static const char cfl_3ea0[] =
	"00: 86 80 a0 3e\n"
	"50: c1 02 00 00\n"
	"5c: 01 00 80 8b\n"
	"c0: 00 00 00 00 00 00 00 00\n"
	"fc: 18 00 e1 88\n";
static const char cfl_3e34_host[] =
	"00: 86 80 34 3e\n"
	"50: c1 02 00 00\n"
	"b0: 01 00 80 8b 01 00 00 8b 01 00 00 8a 01 00 80 8f\n";

/* A display device of @device with class VGA, @gmch at 0x50 and @bdsm at 0x5C. */
static void igd_cfg(uint8_t *c, uint16_t device, uint16_t gmch, uint32_t bdsm)
{
	memset(c, 0, 256);
	put16(c, 0, 0x8086);
	put16(c, 2, device);
	put32(c, 8, 0x03000000);
	put16(c, 0x50, gmch);
	put32(c, 0x5C, bdsm);
	put32(c, 0xFC, 0x88e10018);
}

/* ------------------------------------------------------------------ the dumps */

static void test_decode_sandy_bridge_dump(void **state)
{
	struct vfiox_igd_layout l;
	uint8_t cfg[256];

	hex_rows(snb_0126, cfg, sizeof(cfg));
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_int_equal(l.kind, VFIOX_IGD_INTEGRATED);
	assert_string_equal(l.family, "Sandy Bridge");
	assert_int_equal(l.gen, 6);
	assert_int_equal(l.class_code, 0x030000);
	assert_int_equal(l.dsm_at, VFIOX_IGD_DSM_BDSM32);
	assert_true(l.have_gmch);
	assert_int_equal(l.gmch, 0x0211);
	assert_int_equal(l.gms, 2);
	assert_int_equal(l.ggms, 2);
	assert_int_equal(l.dsm_size, 64 * MiB);
	assert_int_equal(l.gsm_size, 2 * MiB);
	assert_int_equal(l.bdsm, 0xdba00001);
	assert_int_equal(l.dsm_base, 0xdba00000);
	assert_true(l.bdsm_lock);
	assert_true(l.have_asls);
	assert_int_equal(l.asls, 0xdaef6018);
	assert_false(l.have_host);
	assert_false(l.need_root);
	assert_int_equal(l.problems, 0);
}

static void test_decode_coffee_lake_dump_with_host_bridge(void **state)
{
	struct vfiox_igd_layout l;
	uint8_t cfg[256], host[256];

	hex_rows(cfl_3ea0, cfg, sizeof(cfg));
	hex_rows(cfl_3e34_host, host, sizeof(host));
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), host, sizeof(host), &l), 0);
	assert_int_equal(l.gen, 9);
	assert_int_equal(l.gmch, 0x02c1);
	assert_int_equal(l.gms, 2);
	assert_int_equal(l.ggms, 3);
	assert_int_equal(l.dsm_size, 64 * MiB);
	assert_int_equal(l.gsm_size, 8 * MiB);
	assert_int_equal(l.dsm_base, 0x8b800000);
	assert_true(l.bdsm_lock);
	assert_int_equal(l.asls, 0x88e10018);
	assert_true(l.have_host);
	assert_int_equal(l.host_device_id, 0x3e34);
	assert_int_equal(l.host_bdsm, 0x8b800000);
	assert_int_equal(l.bgsm, 0x8b000000);
	assert_int_equal(l.tsegmb, 0x8a000000);
	assert_int_equal(l.tolud, 0x8f800000);
	assert_int_equal(l.host_locks, 0xf);
	/* DSM 0x8b800000-0x8f7fffff ends at TOLUD; GSM 0x8b000000-0x8b7fffff ends at the DSM */
	assert_int_equal(l.dsm_base + l.dsm_size, l.tolud);
	assert_int_equal(l.bgsm + l.gsm_size, l.dsm_base);
	assert_int_equal(l.problems, 0);
}

static void test_decode_without_root_reads_only_the_ids(void **state)
{
	struct vfiox_igd_layout l;
	uint8_t cfg[256], host[256];

	hex_rows(cfl_3ea0, cfg, sizeof(cfg));
	hex_rows(cfl_3e34_host, host, sizeof(host));
	assert_int_equal(vfiox_igd_decode(cfg, 64, host, 64, &l), 0);
	assert_string_equal(l.family, "Whiskey Lake");
	assert_true(l.need_root);
	assert_true(l.host_need_root);
	assert_false(l.have_gmch);
	assert_false(l.have_bdsm);
	assert_false(l.have_asls);
	assert_false(l.have_host);
	assert_int_equal(l.dsm_size, 0);
	assert_int_equal(l.dsm_base, 0);
}

/* ------------------------------------------------------------------ each generation */

static void test_decode_gen9_gms_codes(void **state)
{
	static const struct {
		unsigned gms;
		uint64_t bytes;
	} codes[] = {
		{ 0x00, 0 },	     { 0x01, 32 * MiB },  { 0x40, 2048 * MiB }, { 0xEF, 0xEFull * 32 * MiB },
		{ 0xF0, 4 * MiB },   { 0xF1, 8 * MiB },	  { 0xFE, 60 * MiB },
	};
	struct vfiox_igd_layout l;
	uint8_t cfg[256];
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		igd_cfg(cfg, 0x1912 /* Skylake */, (uint16_t)(codes[i].gms << 8 | 3 << 6),
			0x80000001);
		assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
		assert_int_equal(l.gms, codes[i].gms);
		assert_int_equal(l.dsm_size, codes[i].bytes);
		assert_int_equal(l.gsm_size, 8 * MiB);
		assert_int_equal(l.problems & VFIOX_IGD_P_GMS_RESERVED, 0);
	}
	/* 0xFF is no size: refused, never read as 32 MiB * 255 */
	igd_cfg(cfg, 0x1912, 0xFF << 8 | 3 << 6, 0x80000001);
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_int_equal(l.dsm_size, 0);
	assert_true(l.problems & VFIOX_IGD_P_GMS_RESERVED);
}

static void test_decode_gen6_and_gen8_field_positions(void **state)
{
	struct vfiox_igd_layout l;
	uint8_t cfg[256];

	/* Ivy Bridge: GMS 7:3 = 5 (160 MiB), GGMS 9:8 = 1 (1 MiB); bits 15:10 ignored */
	igd_cfg(cfg, 0x0166, 0xFC00 | 1 << 8 | 5 << 3, 0xc0000000);
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_string_equal(l.family, "Ivy Bridge");
	assert_int_equal(l.gms, 5);
	assert_int_equal(l.dsm_size, 160 * MiB);
	assert_int_equal(l.gsm_size, 1 * MiB);
	assert_false(l.bdsm_lock);
	/* Broadwell: GMS 15:8 = 0x10 (512 MiB), GGMS 7:6 = 2 (1 << 2 = 4 MiB); no 4 MiB codes */
	igd_cfg(cfg, 0x1616, 0x10 << 8 | 2 << 6, 0xc0000001);
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_string_equal(l.family, "Broadwell");
	assert_int_equal(l.gen, 8);
	assert_int_equal(l.dsm_size, 512 * MiB);
	assert_int_equal(l.gsm_size, 4 * MiB);
	igd_cfg(cfg, 0x1616, 0xF1 << 8 | 2 << 6, 0xc0000001);
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_int_equal(l.dsm_size, 0xF1ull * 32 * MiB);
	/* Haswell and Valleyview use the gen6 layout; Broxton's 0x0A84 is not Haswell */
	igd_cfg(cfg, 0x0A16, 3 << 3 | 2 << 8, 0xc0000001);
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_string_equal(l.family, "Haswell");
	assert_int_equal(l.dsm_size, 96 * MiB);
	igd_cfg(cfg, 0x0A84, 0xF0 << 8 | 3 << 6, 0xc0000001);
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_string_equal(l.family, "Broxton");
	assert_int_equal(l.gen, 9);
	assert_int_equal(l.dsm_size, 4 * MiB);
}

static void test_decode_cherryview_own_encoding(void **state)
{
	static const struct {
		unsigned gms;
		uint64_t bytes;
	} codes[] = {
		{ 0x02, 64 * MiB }, { 0x10, 512 * MiB }, { 0x11, 8 * MiB },  { 0x16, 28 * MiB },
		{ 0x17, 36 * MiB }, { 0x1d, 60 * MiB },
	};
	struct vfiox_igd_layout l;
	uint8_t cfg[256];
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		/* GMS at Sandy Bridge's bits 7:3, GGMS at 9:8 as 1 << n MiB */
		igd_cfg(cfg, 0x22B0, (uint16_t)(codes[i].gms << 3 | 3 << 8), 0x7b000001);
		assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
		assert_string_equal(l.family, "Cherryview/Braswell");
		assert_int_equal(l.gms, codes[i].gms);
		assert_int_equal(l.dsm_size, codes[i].bytes);
		assert_int_equal(l.gsm_size, 8 * MiB);
	}
	igd_cfg(cfg, 0x22B0, 0x1e << 3 | 3 << 8, 0x7b000001);
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_true(l.problems & VFIOX_IGD_P_GMS_RESERVED);
}

static void test_decode_gen11_reads_64bit_bdsm_at_c0(void **state)
{
	struct vfiox_igd_layout l;
	uint8_t cfg[256];

	/* Tiger Lake: 0x5C holds garbage that must not be read as the base */
	igd_cfg(cfg, 0x9A49, 0xF1 << 8 | 3 << 6, 0xdeadbeef);
	put32(cfg, 0xC0, 0x3c800001);
	put32(cfg, 0xC4, 0x00000001);
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_string_equal(l.family, "Tiger Lake");
	assert_int_equal(l.gen, 12);
	assert_int_equal(l.dsm_at, VFIOX_IGD_DSM_BDSM64);
	assert_int_equal(l.bdsm, 0x13c800001ull);
	assert_int_equal(l.dsm_base, 0x13c800000ull);
	assert_true(l.bdsm_lock);
	assert_int_equal(l.dsm_size, 8 * MiB);
	/* 200 bytes: the 64-bit BDSM is past them */
	assert_int_equal(vfiox_igd_decode(cfg, 0xC4, NULL, 0, &l), 0);
	assert_false(l.have_bdsm);
	assert_true(l.need_root);
}

static void test_decode_meteor_lake_has_no_bdsm(void **state)
{
	struct vfiox_igd_layout l;
	uint8_t cfg[256];

	igd_cfg(cfg, 0x7D55, 0xF1C0, 0x8b800001);
	put32(cfg, 0xC0, 0x8b800001);
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_string_equal(l.family, "Meteor Lake");
	assert_int_equal(l.kind, VFIOX_IGD_INTEGRATED);
	assert_int_equal(l.dsm_at, VFIOX_IGD_DSM_BAR2);
	assert_false(l.have_gmch);
	assert_false(l.have_bdsm);
	assert_int_equal(l.dsm_base, 0);
	assert_int_equal(l.dsm_size, 0);
	igd_cfg(cfg, 0x64A0, 0xF1C0, 0x8b800001);
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_string_equal(l.family, "Lunar Lake");
	assert_int_equal(l.dsm_at, VFIOX_IGD_DSM_BAR2);
	assert_false(l.have_bdsm);
}

static void test_decode_discrete_and_foreign_gpus_have_no_base(void **state)
{
	struct vfiox_igd_layout l;
	uint8_t cfg[256];

	igd_cfg(cfg, 0x56A0, 0x02c1, 0x8b800001); /* DG2 */
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_int_equal(l.kind, VFIOX_IGD_DISCRETE);
	assert_false(l.have_bdsm);
	assert_int_equal(l.dsm_base, 0);
	igd_cfg(cfg, 0xE20B, 0x02c1, 0x8b800001); /* Battlemage */
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_int_equal(l.kind, VFIOX_IGD_DISCRETE);
	igd_cfg(cfg, 0x3ea0, 0x02c1, 0x8b800001);
	put16(cfg, 0, 0x10de); /* the same bytes from another vendor */
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_int_equal(l.kind, VFIOX_IGD_NONE);
	assert_null(l.family);
	assert_false(l.have_bdsm);
	igd_cfg(cfg, 0xFFF0, 0x02c1, 0x8b800001); /* an Intel display device nobody knows */
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_int_equal(l.kind, VFIOX_IGD_UNKNOWN);
	assert_false(l.have_gmch);
	igd_cfg(cfg, 0x0046, 0x02c1, 0x8b800001); /* Ironlake */
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_int_equal(l.kind, VFIOX_IGD_OLD);
	assert_false(l.have_gmch);
}

static void test_decode_garbage_is_reported(void **state)
{
	struct vfiox_igd_layout l;
	uint8_t cfg[256] = { 0x86, 0x80, 0xa0 }, host[256];

	assert_int_equal(vfiox_igd_decode(cfg, 3, NULL, 0, &l), -EINVAL);
	assert_int_equal(vfiox_igd_decode(NULL, 256, NULL, 0, &l), -EINVAL);
	assert_int_equal(vfiox_igd_decode(cfg, 256, NULL, 0, NULL), -EINVAL);
	hex_rows(cfl_3ea0, cfg, sizeof(cfg));
	hex_rows(cfl_3e34_host, host, sizeof(host));
	/* host bridge with another BDSM, DSM past TOLUD, GSM not below */
	put32(host, 0xB0, 0x8b900001);
	put32(host, 0xBC, 0x8f000001);
	put32(host, 0xB4, 0x8a000001);
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), host, sizeof(host), &l), 0);
	assert_true(l.problems & VFIOX_IGD_P_HOST_BDSM_DIFFERS);
	assert_true(l.problems & VFIOX_IGD_P_DSM_PAST_TOLUD);
	assert_true(l.problems & VFIOX_IGD_P_GSM_NOT_BELOW_DSM);
	/* ASLS 0 and ~0; BDSM without address */
	put32(cfg, 0xFC, 0);
	put32(cfg, 0x5C, 0x00000001);
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_true(l.problems & VFIOX_IGD_P_ASLS_NONE);
	assert_true(l.problems & VFIOX_IGD_P_BDSM_ZERO);
	put32(cfg, 0xFC, 0xffffffff);
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_true(l.problems & VFIOX_IGD_P_ASLS_NONE);
	/* a 64-bit base plus size past the end of the address space */
	igd_cfg(cfg, 0x9A49, 0x40 << 8 | 3 << 6, 0);
	put32(cfg, 0xC0, 0xfff00001);
	put32(cfg, 0xC4, 0xffffffff);
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	assert_true(l.problems & VFIOX_IGD_P_DSM_WRAPS);
}

/* ------------------------------------------------------------------ OpRegion and VBT */

#define OPR 0x2000

/* An OpRegion of @ver (major.minor) with mailboxes @mbox and a VBT of @vbt_size at @at. */
static uint8_t *opregion(size_t len, unsigned major, unsigned minor, uint32_t mbox, size_t at,
			 uint16_t vbt_size)
{
	uint8_t *b = calloc(1, len);

	assert_non_null(b);
	memcpy(b, "IntelGraphicsMem", 16);
	put32(b, 0x10, (uint32_t)(len / 1024));
	b[0x15] = 3;
	b[0x16] = (uint8_t)minor;
	b[0x17] = (uint8_t)major;
	put32(b, 0x58, mbox);
	if (at) {
		memcpy(b + at, "$VBT SKYLAKE        ", 20);
		put16(b, at + 0x14, 0x100);
		put16(b, at + 0x16, 0x30);
		put16(b, at + 0x18, vbt_size);
		put32(b, at + 0x1C, 0x30);
		memcpy(b + at + 0x30, "BIOS_DATA_BLOCK ", 16);
		put16(b, at + 0x30 + 0x10, 228);
		put16(b, at + 0x30 + 0x12, 0x16);
		put16(b, at + 0x30 + 0x14, (uint16_t)(vbt_size - 0x30));
	}
	return b;
}

static void test_opregion_vbt_in_mailbox_4(void **state)
{
	struct vfiox_igd_opregion op;
	char why[160];
	uint8_t *b = opregion(OPR, 2, 1, VFIOX_IGD_MBOX_ACPI | VFIOX_IGD_MBOX_ASLE, 0x400, 0x1200);

	assert_int_equal(vfiox_igd_opregion_decode(b, OPR, &op, why, sizeof(why)), 0);
	assert_int_equal(op.size, OPR);
	assert_int_equal(op.ver_major, 2);
	assert_int_equal(op.ver_minor, 1);
	assert_int_equal(op.ver_rev, 3);
	assert_int_equal(op.mboxes, VFIOX_IGD_MBOX_ACPI | VFIOX_IGD_MBOX_ASLE);
	assert_int_equal(op.vbt_at, VFIOX_IGD_VBT_MAILBOX);
	assert_int_equal(op.vbt_offset, 0x400);
	assert_int_equal(op.vbt_size, 0x1200);
	assert_int_equal(op.vbt_version, 0x100);
	assert_int_equal(op.bdb_version, 228);
	assert_string_equal(op.problem, "");
	/* mailbox 4 ends at mailbox 5 (0x1C00) when that is present: 0x1900 no longer fits */
	free(b);
	b = opregion(OPR, 2, 1, VFIOX_IGD_MBOX_ASLE_EXT, 0x400, 0x1900);
	assert_int_equal(vfiox_igd_opregion_decode(b, OPR, &op, why, sizeof(why)), 0);
	assert_non_null(strstr(op.problem, "claims"));
	free(b);
}

static void test_opregion_extended_vbt_at_rvda(void **state)
{
	struct vfiox_igd_opregion op;
	char why[160];
	uint8_t *b = opregion(OPR + 0x3000, 2, 1, VFIOX_IGD_MBOX_ASLE, OPR, 0x2800);

	/* RVDA relative (2.1), RVDS the extended VBT's size: vfio-pci appends it at 8 KiB */
	put32(b, 0x3BA, OPR);
	put32(b, 0x3C2, 0x2800);
	assert_int_equal(vfiox_igd_opregion_decode(b, OPR + 0x3000, &op, why, sizeof(why)), 0);
	assert_int_equal(op.vbt_at, VFIOX_IGD_VBT_RVDA_REL);
	assert_int_equal(op.rvda, OPR);
	assert_int_equal(op.rvds, 0x2800);
	assert_int_equal(op.vbt_offset, OPR);
	assert_int_equal(op.vbt_size, 0x2800);
	assert_string_equal(op.problem, "");
	/* RVDS past the region */
	put32(b, 0x3C2, 0x4000);
	assert_int_equal(vfiox_igd_opregion_decode(b, OPR + 0x3000, &op, why, sizeof(why)), 0);
	assert_non_null(strstr(op.problem, "outside the region"));
	/* 2.0: RVDA is a physical address, not in the buffer */
	put32(b, 0x3C2, 0x2800);
	b[0x16] = 0;
	assert_int_equal(vfiox_igd_opregion_decode(b, OPR + 0x3000, &op, why, sizeof(why)), 0);
	assert_int_equal(op.vbt_at, VFIOX_IGD_VBT_RVDA_ABS);
	assert_non_null(strstr(op.problem, "physical address"));
	free(b);
}

static void test_opregion_garbage_is_refused(void **state)
{
	struct vfiox_igd_opregion op;
	char why[160];
	uint8_t *b = opregion(OPR, 2, 1, 0, 0x400, 0x1000);

	assert_int_equal(vfiox_igd_opregion_decode(b, OPR - 1, &op, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "bytes"));
	put32(b, 0x10, 16); /* 16 KiB in an 8 KiB region */
	assert_int_equal(vfiox_igd_opregion_decode(b, OPR, &op, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "16 KiB"));
	put32(b, 0x10, 8);
	b[3] = 'X';
	assert_int_equal(vfiox_igd_opregion_decode(b, OPR, &op, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "signature"));
	b[3] = 'e';
	/* a VBT without its signature, with a BDB outside it, with a size past its place */
	b[0x401] = 'X';
	assert_int_equal(vfiox_igd_opregion_decode(b, OPR, &op, why, sizeof(why)), 0);
	assert_non_null(strstr(op.problem, "$VBT"));
	b[0x401] = 'V';
	put32(b, 0x400 + 0x1C, 0x0ff0);
	assert_int_equal(vfiox_igd_opregion_decode(b, OPR, &op, why, sizeof(why)), 0);
	assert_non_null(strstr(op.problem, "BIOS data block"));
	put32(b, 0x400 + 0x1C, 0x30);
	put16(b, 0x400 + 0x30 + 0x14, 0x2000);
	assert_int_equal(vfiox_igd_opregion_decode(b, OPR, &op, why, sizeof(why)), 0);
	assert_non_null(strstr(op.problem, "runs past"));
	put16(b, 0x400 + 0x30 + 0x14, 0x100);
	assert_int_equal(vfiox_igd_opregion_decode(b, OPR, &op, why, sizeof(why)), 0);
	assert_string_equal(op.problem, "");
	memset(b + 0x430, 0, 16); /* the data block unsigned */
	assert_int_equal(vfiox_igd_opregion_decode(b, OPR, &op, why, sizeof(why)), 0);
	assert_non_null(strstr(op.problem, "BIOS_DATA_BLOCK"));
	free(b);
}

static void test_reserved_regions_parse(void **state)
{
	struct vfiox_igd_resv v[4];
	size_t n;

	assert_int_equal(vfiox__igd_parse_resv("0x000000008b000000 0x000000008f7fffff "
					       "direct-relaxable\n"
					       "garbage line\n"
					       "0x00000000fee00000 0x00000000feefffff msi\n"
					       "0x10 0x0f reserved\n",
					       v, 4, &n),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].start, 0x8b000000);
	assert_int_equal(v[0].end, 0x8f7fffff);
	assert_string_equal(v[0].type, "direct-relaxable");
	assert_string_equal(v[1].type, "msi");
	assert_int_equal(vfiox__igd_parse_resv("", v, 4, &n), 0);
	assert_int_equal(n, 0);
}

/* ------------------------------------------------------------------ inspection */

#define IOMEM_CFL                                                                      \
	"00000000-00000fff : Reserved\n"                                                 \
	"00001000-0009efff : System RAM\n"                                               \
	"00100000-88e0ffff : System RAM\n"                                               \
	"88e10000-88e11fff : ACPI Non-volatile Storage\n"                                \
	"8a000000-8f7fffff : Reserved\n"                                                 \
	"  8b800000-8f7fffff : Graphics Stolen Memory\n"                                 \
	"8f800000-dfffffff : PCI Bus 0000:00\n"                                          \
	"100000000-46f7fffff : System RAM\n"

/* The Coffee Lake machine in a fake tree: host bridge, IGD (driver @drv), LPC bridge. */
static struct env *cfl_host(const char *drv, const char *iomem, bool root)
{
	struct env *e = env_empty(0);
	struct fx_dev hb = { .addr = "0000:00:00.0", .vendor = 0x8086, .device = 0x3e34,
			     .class_code = 0x060000, .group = 0 };
	struct fx_dev igd = { .addr = "0000:00:02.0", .vendor = 0x8086, .device = 0x3ea0,
			      .class_code = 0x030000, .group = 1, .driver = drv, .boot_vga = 1 };
	struct fx_dev lpc = { .addr = "0000:00:1f.0", .vendor = 0x8086, .device = 0xa30d,
			      .class_code = 0x060100, .group = 2 };
	uint8_t cfg[256];
	char path[4096], root_dir[4096];
	FILE *f;

	assert_int_equal(fx_add_dev(e->fx, &hb), 0);
	assert_int_equal(fx_add_dev(e->fx, &igd), 0);
	assert_int_equal(fx_add_dev(e->fx, &lpc), 0);
	hex_rows(cfl_3ea0, cfg, sizeof(cfg));
	put32(cfg, 8, 0x03000000);
	assert_int_equal(fx_dev_path(e->fx, "0000:00:02.0", "config", path, sizeof(path)), 0);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(cfg, 1, root ? 256 : 64, f), root ? 256 : 64);
	fclose(f);
	hex_rows(cfl_3e34_host, cfg, sizeof(cfg));
	put32(cfg, 8, 0x06000000);
	assert_int_equal(fx_dev_path(e->fx, "0000:00:00.0", "config", path, sizeof(path)), 0);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(cfg, 1, root ? 256 : 64, f), root ? 256 : 64);
	fclose(f);
	env_put(e, "kernel/iommu_groups/1/reserved_regions",
		"0x000000008b000000 0x000000008f7fffff direct-relaxable\n"
		"0x00000000fee00000 0x00000000feefffff msi\n");
	env_put(e, "_proc/iomem", iomem);
	env_put(e, "kernel/security/lockdown", "[none] integrity confidentiality\n");
	env_ctx(e);
	snprintf(root_dir, sizeof(root_dir), "%s/_proc", fx_root(e->fx));
	assert_int_equal(vfiox_ctx_set_proc_root(e->ctx, root_dir), 0);
	snprintf(root_dir, sizeof(root_dir), "%s/_dev", fx_root(e->fx));
	assert_int_equal(vfiox_ctx_set_dev_root(e->ctx, root_dir), 0);
	return e;
}

/* The status of finding @id (-1: absent), its summary in *@summary. */
static int finding(const struct vfiox_igd *g, const char *id, const char **summary)
{
	const struct vfiox_findings *f = vfiox_igd_findings(g);
	size_t i;

	for (i = 0; i < vfiox_findings_count(f); i++)
		if (!strcmp(vfiox_findings_id(f, i), id)) {
			if (summary)
				*summary = vfiox_findings_summary(f, i);
			return vfiox_findings_status(f, i);
		}
	return -1;
}

static void test_inspect_coffee_lake_host(void **state)
{
	struct env *e = cfl_host("i915", IOMEM_CFL, true);
	const struct vfiox_igd_host *h;
	struct vfiox_igd *g;
	const char *s;

	assert_int_equal(vfiox_igd_inspect(e->ctx, NULL, 0, &g), 0);
	assert_string_equal(vfiox_igd_device(g), "0000:00:02.0");
	assert_string_equal(vfiox_igd_driver(g), "i915");
	assert_int_equal(vfiox_igd_layout(g)->dsm_base, 0x8b800000);
	assert_int_equal(vfiox_igd_layout(g)->tolud, 0x8f800000);
	h = vfiox_igd_host(g);
	assert_true(h->iomem_read);
	assert_false(h->dsm_in_ram);
	assert_string_equal(h->dsm_top, "Reserved");
	assert_int_equal(h->dsm_top_start, 0x8a000000);
	assert_true(h->stolen_reserved);
	assert_false(h->stolen_claimed);
	assert_int_equal(h->num_resv, 2);
	assert_int_equal(h->dsm_resv, 0);
	assert_int_equal(finding(g, "igd.device", NULL), VFIOX_CHECK_OK);
	assert_int_equal(finding(g, "igd.gmch", &s), VFIOX_CHECK_OK);
	assert_non_null(strstr(s, "64 MiB"));
	assert_int_equal(finding(g, "igd.dsm", &s), VFIOX_CHECK_OK);
	assert_non_null(strstr(s, "0x8b800000-0x8f7fffff"));
	assert_int_equal(finding(g, "igd.gsm", &s), VFIOX_CHECK_OK);
	assert_non_null(strstr(s, "0x8b000000-0x8b7fffff"));
	assert_int_equal(finding(g, "igd.host_bridge", NULL), VFIOX_CHECK_OK);
	assert_int_equal(finding(g, "igd.iomem", &s), VFIOX_CHECK_OK);
	assert_non_null(strstr(s, "0x8a000000-0x8f7fffff"));
	assert_int_equal(finding(g, "igd.stolen", NULL), VFIOX_CHECK_INFO);
	assert_int_equal(finding(g, "igd.rmrr", &s), VFIOX_CHECK_INFO);
	assert_non_null(strstr(s, "direct-relaxable"));
	assert_int_equal(finding(g, "igd.regions", NULL), VFIOX_CHECK_INFO);
	assert_int_equal(finding(g, "qemu.gms", &s), VFIOX_CHECK_OK);
	assert_non_null(strstr(s, "x-igd-gms=2"));
	assert_int_equal(finding(g, "qemu.guest_ram", &s), VFIOX_CHECK_INFO);
	assert_non_null(strstr(s, "max-ram-below-4g=2224M"));
	/* legacy: gen9, VGA, Intel LPC at 1f.0, but the fake device has no ROM */
	assert_int_equal(finding(g, "qemu.legacy", &s), VFIOX_CHECK_WARN);
	assert_non_null(strstr(s, "ROM"));
	assert_non_null(strstr(vfiox_igd_qemu_args(g), "host=0000:00:02.0"));
	assert_non_null(strstr(vfiox_igd_qemu_args(g), "x-igd-gms=2"));
	assert_non_null(strstr(vfiox_igd_qemu_args(g), "x-igd-opregion=on"));
	assert_null(vfiox_igd_opregion(g));
	vfiox_igd_free(g);
	env_free(e);
}

static void test_inspect_dsm_in_system_ram_fails_and_zero_refuses(void **state)
{
	struct env *e = cfl_host("vfio-pci", "00001000-9fffffff : System RAM\n", true);
	struct vfiox_igd_zero_report rep;
	struct vfiox_igd *g;
	const char *s;

	assert_int_equal(vfiox_igd_inspect(e->ctx, "00:02.0", VFIOX_IGD_NO_VFIO, &g), 0);
	assert_true(vfiox_igd_host(g)->dsm_in_ram);
	assert_int_equal(finding(g, "igd.iomem", &s), VFIOX_CHECK_FAIL);
	assert_non_null(strstr(s, "System RAM"));
	assert_int_equal(vfiox_findings_worst(vfiox_igd_findings(g)), VFIOX_CHECK_FAIL);
	vfiox_igd_free(g);
	assert_int_equal(vfiox_igd_zero(e->ctx, "00:02.0", VFIOX_IGD_ZERO_DRY_RUN, &rep), -EPERM);
	env_assert_error(e, "refusing", "igd.iomem", "System RAM");
	env_free(e);
}

static void test_inspect_dsm_outside_reserved_and_claimed(void **state)
{
	struct env *e = cfl_host("vfio-pci", "8b800000-8f7fffff : PCI Bus 0000:00\n", true);
	struct vfiox_igd_zero_report rep;
	struct vfiox_igd *g;

	assert_int_equal(vfiox_igd_inspect(e->ctx, "00:02.0", VFIOX_IGD_NO_VFIO, &g), 0);
	assert_int_equal(finding(g, "igd.iomem", NULL), VFIOX_CHECK_FAIL);
	vfiox_igd_free(g);
	env_free(e);

	/* i915 holds it: the nested entry */
	e = cfl_host("vfio-pci",
		     "8a000000-8f7fffff : Reserved\n"
		     "  8b800000-8f7fffff : Graphics Stolen Memory\n"
		     "    8b800001-8f7ffffe : Graphics Stolen Memory\n",
		     true);
	assert_int_equal(vfiox_igd_inspect(e->ctx, "00:02.0", VFIOX_IGD_NO_VFIO, &g), 0);
	assert_true(vfiox_igd_host(g)->stolen_claimed);
	assert_int_equal(finding(g, "igd.stolen", NULL), VFIOX_CHECK_WARN);
	vfiox_igd_free(g);
	assert_int_equal(vfiox_igd_zero(e->ctx, "00:02.0", 0, &rep), -EPERM);
	env_assert_error(e, "igd.stolen", "i915", NULL);
	env_free(e);
}

static void test_inspect_without_root_says_so(void **state)
{
	struct env *e = cfl_host("i915", "00000000-00000000 : Reserved\n"
					 "00000000-00000000 : System RAM\n", false);
	struct vfiox_igd *g;
	const char *s;

	assert_int_equal(vfiox_igd_inspect(e->ctx, NULL, 0, &g), 0);
	assert_true(vfiox_igd_layout(g)->need_root);
	assert_int_equal(finding(g, "igd.gmch", &s), VFIOX_CHECK_WARN);
	assert_non_null(strstr(s, "root"));
	assert_int_equal(finding(g, "igd.host_bridge", &s), VFIOX_CHECK_WARN);
	assert_non_null(strstr(s, "root"));
	assert_int_equal(finding(g, "igd.dsm", NULL), -1);
	vfiox_igd_free(g);
	env_free(e);
}

static void test_zero_refusals_before_any_device_access(void **state)
{
	struct env *e = cfl_host("i915", IOMEM_CFL, true);
	struct vfiox_igd_zero_report rep;

	assert_int_equal(vfiox_igd_zero(e->ctx, "00:02.0", 0, &rep), -EBUSY);
	env_assert_error(e, "bound to i915", "owns the stolen memory", "vfioctl bind");
	env_free(e);

	e = cfl_host(NULL, IOMEM_CFL, true);
	assert_int_equal(vfiox_igd_zero(e->ctx, "00:02.0", 0, &rep), -EBUSY);
	env_assert_error(e, "no driver", "vfio-pci", NULL);
	env_free(e);

	e = cfl_host("vfio-pci", IOMEM_CFL, true);
	env_put(e, "kernel/security/lockdown", "none [integrity] confidentiality\n");
	assert_int_equal(vfiox_igd_zero(e->ctx, "00:02.0", VFIOX_IGD_ZERO_DRY_RUN, &rep), -EPERM);
	env_assert_error(e, "locked down", "[integrity]", NULL);
	env_put(e, "kernel/security/lockdown", "[none] integrity confidentiality\n");
	/* no <dev>/mem in the fake tree */
	assert_int_equal(vfiox_igd_zero(e->ctx, "00:02.0", VFIOX_IGD_ZERO_DRY_RUN, &rep), -ENOENT);
	env_assert_error(e, "/mem", "CONFIG_DEVMEM", NULL);
	assert_int_equal(vfiox_igd_zero(e->ctx, "00:1f.0", 0, &rep), -EOPNOTSUPP);
	env_assert_error(e, "not an integrated Intel GPU", NULL, NULL);
	assert_int_equal(vfiox_igd_zero(e->ctx, "00:05.0", 0, &rep), -ENODEV);
	assert_int_equal(vfiox_igd_zero(e->ctx, "nonsense", 0, &rep), -EINVAL);
	env_free(e);
}

static void test_inspect_without_igd(void **state)
{
	struct env *e = env_empty(0);
	struct fx_dev vga = { .addr = "0000:00:02.0", .vendor = 0x1234, .device = 0x1111,
			      .class_code = 0x030000, .group = 1 };
	struct vfiox_igd *g;
	const char *s;

	env_ctx(e);
	assert_int_equal(vfiox_igd_inspect(e->ctx, NULL, 0, &g), -ENODEV);
	env_assert_error(e, "no device at 0000:00:02.0", NULL, NULL);
	assert_int_equal(fx_add_dev(e->fx, &vga), 0);
	assert_int_equal(vfiox_igd_inspect(e->ctx, NULL, 0, &g), -ENODEV);
	env_assert_error(e, "1234:1111", "not an Intel display device", NULL);
	/* named, it is inspected: no stolen memory, no base */
	assert_int_equal(vfiox_igd_inspect(e->ctx, "00:02.0", 0, &g), 0);
	assert_int_equal(vfiox_igd_layout(g)->kind, VFIOX_IGD_NONE);
	assert_int_equal(finding(g, "igd.device", &s), VFIOX_CHECK_INFO);
	assert_non_null(strstr(s, "not an Intel GPU"));
	assert_int_equal(finding(g, "igd.dsm", NULL), -1);
	assert_string_equal(vfiox_igd_qemu_args(g), "");
	vfiox_igd_free(g);
	assert_int_equal(vfiox_igd_inspect(e->ctx, "00:09.0", 0, &g), -ENODEV);
	assert_int_equal(vfiox_igd_inspect(e->ctx, "zz", 0, &g), -EINVAL);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_sandy_bridge_dump),
		cmocka_unit_test(test_decode_coffee_lake_dump_with_host_bridge),
		cmocka_unit_test(test_decode_without_root_reads_only_the_ids),
		cmocka_unit_test(test_decode_gen9_gms_codes),
		cmocka_unit_test(test_decode_gen6_and_gen8_field_positions),
		cmocka_unit_test(test_decode_cherryview_own_encoding),
		cmocka_unit_test(test_decode_gen11_reads_64bit_bdsm_at_c0),
		cmocka_unit_test(test_decode_meteor_lake_has_no_bdsm),
		cmocka_unit_test(test_decode_discrete_and_foreign_gpus_have_no_base),
		cmocka_unit_test(test_decode_garbage_is_reported),
		cmocka_unit_test(test_opregion_vbt_in_mailbox_4),
		cmocka_unit_test(test_opregion_extended_vbt_at_rvda),
		cmocka_unit_test(test_opregion_garbage_is_refused),
		cmocka_unit_test(test_reserved_regions_parse),
		cmocka_unit_test_teardown(test_inspect_coffee_lake_host, env_teardown),
		cmocka_unit_test_teardown(test_inspect_dsm_in_system_ram_fails_and_zero_refuses,
					  env_teardown),
		cmocka_unit_test_teardown(test_inspect_dsm_outside_reserved_and_claimed,
					  env_teardown),
		cmocka_unit_test_teardown(test_inspect_without_root_says_so, env_teardown),
		cmocka_unit_test_teardown(test_zero_refusals_before_any_device_access,
					  env_teardown),
		cmocka_unit_test_teardown(test_inspect_without_igd, env_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
