// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Intel IGD registers as pure functions of config bytes: the family table (PCI device id
 * to generation), the GMCH/BDSM/ASLS decode and the host bridge's TOLUD/BGSM, and the
 * OpRegion with its VBT. Nothing here touches the kernel, so all of it is unit-tested and
 * fuzzed from byte buffers.
 *
 * The encodings are those the kernel's own readers use: arch/x86/kernel/early-quirks.c
 * (gen6_stolen_size, gen8_stolen_size, chv_stolen_size, gen9_stolen_size, gen11_stolen_base)
 * and drivers/gpu/drm/i915/gt/intel_ggtt.c (gen6/gen8/chv_get_total_gtt_size); the
 * OpRegion layout is drivers/gpu/drm/i915/display/intel_opregion.c and the VBT header
 * check intel_bios.c (intel_bios_is_valid_vbt).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <vfiox/igd.h>

#include "internal.h"

#define MiB ((uint64_t)1 << 20)

/* How a generation lays out GMCH (0x50). */
enum gmch_layout {
	GMCH_NONE,  /* not decoded */
	GMCH_GEN6,  /* GMS 7:3 in 32 MiB, GGMS 9:8 in MiB (SNB, IVB, HSW, VLV) */
	GMCH_GEN8,  /* GMS 15:8 in 32 MiB, GGMS 7:6 as 1 << n MiB (BDW) */
	GMCH_CHV,   /* GMS 7:3 in Cherryview's own encoding, GGMS 9:8 as 1 << n MiB */
	GMCH_GEN9,  /* GMS 15:8, 32 MiB below 0xF0 and 4 MiB steps at 0xF0-0xFE; GGMS 7:6 */
};

struct family {
	uint16_t lo, hi; /* device ids, inclusive */
	const char *name;
	int gen;
	int kind;
	int gmch;
	int dsm_at;
};

#define IGD(lo, hi, name, gen, gmch, at) \
	{ lo, hi, name, gen, VFIOX_IGD_INTEGRATED, GMCH_##gmch, VFIOX_IGD_DSM_##at }
#define DGPU(lo, hi, name, gen) { lo, hi, name, gen, VFIOX_IGD_DISCRETE, GMCH_NONE, VFIOX_IGD_DSM_NONE }
#define OLD(lo, hi, name, gen) { lo, hi, name, gen, VFIOX_IGD_OLD, GMCH_NONE, VFIOX_IGD_DSM_NONE }

/*
 * Device ids from the kernel's include/drm/intel/pciids.h and xe_pciids.h, as ranges
 * holding only that family's ids. Searched in order: Broxton's 0x0A84 lies among
 * Haswell's 0x0Axx and must come first.
 */
static const struct family families[] = {
	OLD(0x2982, 0x2A43, "Broadwater/Crestline (gen4)", 4),
	OLD(0x2E02, 0x2E93, "Eaglelake (gen4)", 4),
	OLD(0x0042, 0x0046, "Ironlake (gen5)", 5),
	IGD(0x0A84, 0x0A84, "Broxton", 9, GEN9, BDSM32),
	IGD(0x1A84, 0x1A85, "Apollo Lake", 9, GEN9, BDSM32),
	IGD(0x5A84, 0x5A85, "Apollo Lake", 9, GEN9, BDSM32),
	IGD(0x0102, 0x0126, "Sandy Bridge", 6, GEN6, BDSM32),
	IGD(0x0155, 0x0155, "Valleyview", 7, GEN6, BDSM32),
	IGD(0x0157, 0x0157, "Valleyview", 7, GEN6, BDSM32),
	IGD(0x0152, 0x016A, "Ivy Bridge", 7, GEN6, BDSM32),
	IGD(0x0F30, 0x0F33, "Valleyview/Bay Trail", 7, GEN6, BDSM32),
	IGD(0x0402, 0x042E, "Haswell", 7, GEN6, BDSM32),
	IGD(0x0A02, 0x0A2E, "Haswell", 7, GEN6, BDSM32),
	IGD(0x0C02, 0x0C2E, "Haswell", 7, GEN6, BDSM32),
	IGD(0x0D02, 0x0D2E, "Haswell", 7, GEN6, BDSM32),
	IGD(0x1602, 0x163E, "Broadwell", 8, GEN8, BDSM32),
	IGD(0x22B0, 0x22B3, "Cherryview/Braswell", 8, CHV, BDSM32),
	IGD(0x1902, 0x193D, "Skylake", 9, GEN9, BDSM32),
	IGD(0x5902, 0x593B, "Kaby Lake", 9, GEN9, BDSM32),
	IGD(0x87C0, 0x87C0, "Amber Lake (Kaby Lake)", 9, GEN9, BDSM32),
	IGD(0x87CA, 0x87CA, "Amber Lake (Coffee Lake)", 9, GEN9, BDSM32),
	IGD(0x3184, 0x3185, "Gemini Lake", 9, GEN9, BDSM32),
	IGD(0x3E90, 0x3E9C, "Coffee Lake", 9, GEN9, BDSM32),
	IGD(0x3EA0, 0x3EA4, "Whiskey Lake", 9, GEN9, BDSM32),
	IGD(0x3EA5, 0x3EA9, "Coffee Lake", 9, GEN9, BDSM32),
	IGD(0x5A40, 0x5A5C, "Cannon Lake", 10, GEN9, BDSM32),
	IGD(0x9B21, 0x9BF6, "Comet Lake", 9, GEN9, BDSM32),
	IGD(0x8A50, 0x8A71, "Ice Lake", 11, GEN9, BDSM64),
	IGD(0x4541, 0x4571, "Elkhart Lake", 11, GEN9, BDSM64),
	IGD(0x4E51, 0x4E71, "Jasper Lake", 11, GEN9, BDSM64),
	IGD(0x9A40, 0x9AF8, "Tiger Lake", 12, GEN9, BDSM64),
	IGD(0x4C80, 0x4C9A, "Rocket Lake", 12, GEN9, BDSM64),
	IGD(0x4680, 0x4693, "Alder Lake-S", 12, GEN9, BDSM64),
	IGD(0x4626, 0x46D4, "Alder Lake", 12, GEN9, BDSM64),
	IGD(0xA720, 0xA7AD, "Raptor Lake", 12, GEN9, BDSM64),
	DGPU(0x4905, 0x4909, "DG1", 12),
	DGPU(0x5690, 0x56BF, "DG2/Arc (Alchemist)", 12),
	DGPU(0x56C0, 0x56C2, "Arctic Sound-M", 12),
	DGPU(0x0B69, 0x0B6E, "Ponte Vecchio", 12),
	DGPU(0x0BD0, 0x0BE5, "Ponte Vecchio", 12),
	IGD(0x7D40, 0x7D40, "Meteor Lake", 12, NONE, BAR2),
	IGD(0x7D45, 0x7D45, "Meteor Lake", 12, NONE, BAR2),
	IGD(0x7D55, 0x7D55, "Meteor Lake", 12, NONE, BAR2),
	IGD(0x7D60, 0x7D60, "Meteor Lake", 12, NONE, BAR2),
	IGD(0x7DD5, 0x7DD5, "Meteor Lake", 12, NONE, BAR2),
	IGD(0x7D41, 0x7D41, "Arrow Lake", 12, NONE, BAR2),
	IGD(0x7D51, 0x7D51, "Arrow Lake", 12, NONE, BAR2),
	IGD(0x7D67, 0x7D67, "Arrow Lake", 12, NONE, BAR2),
	IGD(0x7DD1, 0x7DD1, "Arrow Lake", 12, NONE, BAR2),
	IGD(0xB640, 0xB640, "Arrow Lake", 12, NONE, BAR2),
	IGD(0x6420, 0x6420, "Lunar Lake", 20, NONE, BAR2),
	IGD(0x64A0, 0x64B0, "Lunar Lake", 20, NONE, BAR2),
	DGPU(0xE202, 0xE223, "Battlemage", 20),
	IGD(0xB080, 0xB0B0, "Panther Lake", 30, NONE, BAR2),
};

static const struct family *family_of(uint16_t device_id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(families); i++)
		if (device_id >= families[i].lo && device_id <= families[i].hi)
			return &families[i];
	return NULL;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Data stolen memory size of a GMS code, 0 for a code the layout does not define. */
static uint64_t gms_bytes(int layout, unsigned int gms)
{
	switch (layout) {
	case GMCH_GEN6:
	case GMCH_GEN8:
		return gms * 32 * MiB;
	case GMCH_CHV:
		/* chv_stolen_size: 32 MiB steps to 0x10, then 4 MiB steps from 8 and from 36 MiB */
		if (gms < 0x11)
			return gms * 32 * MiB;
		if (gms < 0x17)
			return (gms - 0x11) * 4 * MiB + 8 * MiB;
		if (gms <= 0x1d)
			return (gms - 0x17) * 4 * MiB + 36 * MiB;
		return 0;
	case GMCH_GEN9:
		if (gms < 0xF0)
			return gms * 32 * MiB;
		if (gms <= 0xFE)
			return (gms - 0xF0 + 1) * 4 * MiB;
		return 0;
	}
	return 0;
}

static void decode_gmch(struct vfiox_igd_layout *l, int layout, uint16_t gmch)
{
	l->have_gmch = true;
	l->gmch = gmch;
	switch (layout) {
	case GMCH_GEN6:
		l->gms = (gmch >> 3) & 0x1f;
		l->ggms = (gmch >> 8) & 0x3;
		l->gsm_size = l->ggms * MiB;
		break;
	case GMCH_GEN8:
	case GMCH_GEN9:
		l->gms = (gmch >> 8) & 0xff;
		l->ggms = (gmch >> 6) & 0x3;
		l->gsm_size = l->ggms ? (1ull << l->ggms) * MiB : 0;
		break;
	case GMCH_CHV:
		/* Cherryview keeps Sandy Bridge's field positions with gen8's GTT sizes. */
		l->gms = (gmch >> 3) & 0x1f;
		l->ggms = (gmch >> 8) & 0x3;
		l->gsm_size = l->ggms ? (1ull << l->ggms) * MiB : 0;
		break;
	}
	l->dsm_size = gms_bytes(layout, l->gms);
	/* GMS 0 is "no stolen memory", a defined code; the rest must give a size. */
	if (l->gms && !l->dsm_size)
		l->problems |= VFIOX_IGD_P_GMS_RESERVED;
}

/* Host bridge: BDSM 0xB0, BGSM 0xB4, TSEGMB 0xB8, TOLUD 0xBC; bits 31:20, lock bit 0. */
static void decode_host(struct vfiox_igd_layout *l, const uint8_t *host, size_t host_len)
{
	static const struct {
		uint32_t off;
		unsigned int lock;
		size_t field;
	} regs[] = {
		{ 0xB0, 4, offsetof(struct vfiox_igd_layout, host_bdsm) },
		{ 0xB4, 2, offsetof(struct vfiox_igd_layout, bgsm) },
		{ 0xB8, 8, offsetof(struct vfiox_igd_layout, tsegmb) },
		{ 0xBC, 1, offsetof(struct vfiox_igd_layout, tolud) },
	};
	size_t i;

	if (!host || host_len < 4)
		return;
	l->host_vendor_id = le16(host);
	l->host_device_id = le16(host + 2);
	if (l->host_vendor_id != 0x8086)
		return;
	if (host_len < 0xC0) {
		l->host_need_root = true;
		return;
	}
	l->have_host = true;
	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		uint32_t v = le32(host + regs[i].off);

		*(uint64_t *)((char *)l + regs[i].field) = v & 0xfff00000u;
		if (v & 1)
			l->host_locks |= regs[i].lock;
	}
}

static void check_layout(struct vfiox_igd_layout *l)
{
	uint64_t end;

	if (!l->have_bdsm)
		return;
	if (!l->dsm_base)
		l->problems |= VFIOX_IGD_P_BDSM_ZERO;
	if (!l->have_gmch || !l->dsm_size || !l->dsm_base)
		return;
	if (l->dsm_base + l->dsm_size < l->dsm_base) {
		l->problems |= VFIOX_IGD_P_DSM_WRAPS;
		return;
	}
	end = l->dsm_base + l->dsm_size;
	if (!l->have_host)
		return;
	if (l->host_bdsm != l->dsm_base)
		l->problems |= VFIOX_IGD_P_HOST_BDSM_DIFFERS;
	/* TOLUD only describes the low 4 GiB; a 64-bit DSM above it is not compared. */
	if (l->tolud && l->dsm_base < (1ull << 32)) {
		if (end > l->tolud)
			l->problems |= VFIOX_IGD_P_DSM_PAST_TOLUD;
		else if (end != l->tolud)
			l->problems |= VFIOX_IGD_P_DSM_NOT_AT_TOLUD;
	}
	if (l->bgsm && l->gsm_size && l->bgsm + l->gsm_size != l->dsm_base)
		l->problems |= VFIOX_IGD_P_GSM_NOT_BELOW_DSM;
}

VFIOX_EXPORT int vfiox_igd_decode(const uint8_t *cfg, size_t cfg_len, const uint8_t *host,
				  size_t host_len, struct vfiox_igd_layout *l)
{
	const struct family *fam;

	if (!l)
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	if (!cfg || cfg_len < 4)
		return -EINVAL;
	l->cfg_len = cfg_len;
	l->vendor_id = le16(cfg);
	l->device_id = le16(cfg + 2);
	if (cfg_len >= 0x0c)
		l->class_code = le32(cfg + 8) >> 8;
	if (l->vendor_id != 0x8086)
		return 0;
	fam = family_of(l->device_id);
	if (!fam) {
		/* An Intel device of display class that the table does not know. */
		l->kind = (l->class_code >> 16) == 0x03 ? VFIOX_IGD_UNKNOWN : VFIOX_IGD_NONE;
		return 0;
	}
	l->kind = fam->kind;
	l->family = fam->name;
	l->gen = fam->gen;
	l->dsm_at = fam->dsm_at;
	if (fam->kind != VFIOX_IGD_INTEGRATED)
		return 0;

	/* Everything past the 64-byte header is shown to root only. */
	if (fam->gmch != GMCH_NONE) {
		if (cfg_len >= 0x52)
			decode_gmch(l, fam->gmch, le16(cfg + 0x50));
		else
			l->need_root = true;
	}
	if (fam->dsm_at == VFIOX_IGD_DSM_BDSM32) {
		if (cfg_len >= 0x60) {
			l->have_bdsm = true;
			l->bdsm = le32(cfg + 0x5C);
		} else {
			l->need_root = true;
		}
	} else if (fam->dsm_at == VFIOX_IGD_DSM_BDSM64) {
		if (cfg_len >= 0xC8) {
			l->have_bdsm = true;
			l->bdsm = le64(cfg + 0xC0);
		} else {
			l->need_root = true;
		}
	}
	if (l->have_bdsm) {
		l->dsm_base = l->bdsm & ~(MiB - 1);
		l->bdsm_lock = l->bdsm & 1;
	}
	if (cfg_len >= 0x100) {
		l->have_asls = true;
		l->asls = le32(cfg + 0xFC);
		if (!l->asls || l->asls == 0xffffffffu)
			l->problems |= VFIOX_IGD_P_ASLS_NONE;
	} else {
		l->need_root = true;
	}
	decode_host(l, host, host_len);
	check_layout(l);
	return 0;
}

/* ------------------------------------------------------------------ OpRegion and VBT */

#define OPREGION_SIZE 0x2000
#define OPREGION_HEADER_SIZE_OFF 0x10
#define OPREGION_VERSION_OFF 0x14
#define OPREGION_MBOX_OFF 0x58
#define OPREGION_ASLE 0x300
#define ASLE_RVDA (OPREGION_ASLE + 0xBA)
#define ASLE_RVDS (OPREGION_ASLE + 0xC2)
#define OPREGION_VBT 0x400
#define OPREGION_ASLE_EXT 0x1C00
#define VBT_HEADER_LEN 0x30
#define BDB_HEADER_LEN 0x16

static const char opregion_sig[16] = "IntelGraphicsMem";

/*
 * A VBT at @off of @buf, at most @room bytes, checked as i915's intel_bios_is_valid_vbt()
 * does ("$VBT", a header that fits, its size within @room, the BIOS data block's header and
 * size inside it) and also for the data block's signature.
 */
static void check_vbt(const uint8_t *buf, uint64_t off, uint64_t room,
		      struct vfiox_igd_opregion *op)
{
	const uint8_t *v = buf + off;
	uint32_t bdb, bdb_size;

	if (room < VBT_HEADER_LEN) {
		snprintf(op->problem, sizeof(op->problem),
			 "the VBT's place holds %llu bytes, less than its header",
			 (unsigned long long)room);
		return;
	}
	if (memcmp(v, "$VBT", 4) != 0) {
		snprintf(op->problem, sizeof(op->problem),
			 "no \"$VBT\" signature at offset 0x%llx", (unsigned long long)off);
		return;
	}
	op->vbt_version = le16(v + 0x14);
	op->vbt_size = le16(v + 0x18);
	bdb = le32(v + 0x1C);
	if (op->vbt_size < VBT_HEADER_LEN || op->vbt_size > room) {
		snprintf(op->problem, sizeof(op->problem),
			 "the VBT claims %u bytes, its place holds %llu", op->vbt_size,
			 (unsigned long long)room);
		return;
	}
	if ((uint64_t)bdb + BDB_HEADER_LEN > op->vbt_size) {
		snprintf(op->problem, sizeof(op->problem),
			 "the VBT's BIOS data block header (offset 0x%x) lies outside its %u bytes",
			 bdb, op->vbt_size);
		return;
	}
	/* i915 checks no more; every real VBT's data block is signed, garbage is not */
	if (memcmp(v + bdb, "BIOS_DATA_BLOCK ", 16) != 0) {
		snprintf(op->problem, sizeof(op->problem),
			 "no \"BIOS_DATA_BLOCK \" signature at VBT offset 0x%x", bdb);
		return;
	}
	bdb_size = le16(v + bdb + 0x14);
	if ((uint64_t)bdb + bdb_size > op->vbt_size) {
		snprintf(op->problem, sizeof(op->problem),
			 "the VBT's BIOS data block (%u bytes at 0x%x) runs past its %u bytes",
			 bdb_size, bdb, op->vbt_size);
		return;
	}
	op->bdb_version = le16(v + bdb + 0x10);
	op->vbt_offset = off;
}

VFIOX_EXPORT int vfiox_igd_opregion_decode(const uint8_t *buf, size_t len,
					   struct vfiox_igd_opregion *op, char *why,
					   size_t why_len)
{
	uint32_t size_kib;
	bool v21;

	memset(op, 0, sizeof(*op));
	if (why && why_len)
		why[0] = '\0';
	if (!buf || len < OPREGION_SIZE) {
		if (why)
			snprintf(why, why_len, "%zu bytes, an OpRegion has %u", buf ? len : 0,
				 OPREGION_SIZE);
		return -EPROTO;
	}
	if (memcmp(buf, opregion_sig, sizeof(opregion_sig)) != 0) {
		if (why)
			snprintf(why, why_len, "no \"IntelGraphicsMem\" signature");
		return -EPROTO;
	}
	size_kib = le32(buf + OPREGION_HEADER_SIZE_OFF);
	if (size_kib < OPREGION_SIZE / 1024 || (uint64_t)size_kib * 1024 > len) {
		if (why)
			snprintf(why, why_len,
				 "the header says %u KiB, the region holds %zu bytes", size_kib,
				 len);
		return -EPROTO;
	}
	op->size = size_kib * 1024;
	/* The version dword: revision in bits 15:8, minor 23:16, major 31:24. */
	op->ver_rev = buf[OPREGION_VERSION_OFF + 1];
	op->ver_minor = buf[OPREGION_VERSION_OFF + 2];
	op->ver_major = buf[OPREGION_VERSION_OFF + 3];
	op->mboxes = le32(buf + OPREGION_MBOX_OFF);
	if (op->mboxes & VFIOX_IGD_MBOX_ASLE) {
		op->rvda = le64(buf + ASLE_RVDA);
		op->rvds = le32(buf + ASLE_RVDS);
	}

	v21 = op->ver_major > 2 || (op->ver_major == 2 && op->ver_minor >= 1);
	if (op->ver_major >= 2 && op->rvda && op->rvds) {
		if (!v21) {
			/* 2.0: a physical address, outside what a region can show. */
			op->vbt_at = VFIOX_IGD_VBT_RVDA_ABS;
			op->vbt_size = op->rvds;
			snprintf(op->problem, sizeof(op->problem),
				 "OpRegion 2.0 keeps its VBT at physical address 0x%llx, outside "
				 "the region", (unsigned long long)op->rvda);
			return 0;
		}
		op->vbt_at = VFIOX_IGD_VBT_RVDA_REL;
		if (op->rvda < OPREGION_SIZE || op->rvda > len || op->rvds > len - op->rvda) {
			snprintf(op->problem, sizeof(op->problem),
				 "the extended VBT (RVDA 0x%llx, RVDS %u) lies outside the region's "
				 "%zu bytes", (unsigned long long)op->rvda, op->rvds, len);
			return 0;
		}
		check_vbt(buf, op->rvda, op->rvds, op);
		return 0;
	}
	/* Mailbox 4 ends where mailbox 5 starts, or at the end of the OpRegion without it. */
	op->vbt_at = VFIOX_IGD_VBT_MAILBOX;
	check_vbt(buf, OPREGION_VBT,
		  op->mboxes & VFIOX_IGD_MBOX_ASLE_EXT ? OPREGION_ASLE_EXT - OPREGION_VBT
						       : OPREGION_SIZE - OPREGION_VBT,
		  op);
	return 0;
}
