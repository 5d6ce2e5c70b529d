// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer: the OpRegion/VBT decoder (vfiox_igd_opregion_decode()) on arbitrary bytes,
 * as vfio-pci's OpRegion region of a GPU with a broken or hostile firmware could hold
 * them, and the parser of an IOMMU group's reserved_regions (vfiox__igd_parse_resv()) on
 * the same bytes as text. The OpRegion gets an exact-size copy (at most the 64 KiB that
 * igd.c reads) so ASan catches a read past the region.
 *
 * What is accepted must hold together: an OpRegion has its signature and a size the
 * region holds; a VBT found (no problem said) starts with "$VBT", lies inside the buffer
 * and inside the place its version gives it (mailbox 4, or RVDA/RVDS), and its BIOS data
 * block, signed "BIOS_DATA_BLOCK ", lies inside the VBT.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vfiox/igd.h>

#include "igd-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OPREGION_MAX (64u << 10) /* what igd.c reads of the region at most */
#define OPREGION_SIZE 0x2000u
#define MBOX4 0x400u
#define ASLE_EXT 0x1C00u
#define RESV_MAX 4

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void check_opregion(const uint8_t *buf, size_t len)
{
	static const struct vfiox_igd_opregion zero;
	struct vfiox_igd_opregion op, again;
	char why[160];
	const uint8_t *v;
	uint32_t bdb;
	int ret;

	memset(why, 'x', sizeof(why));
	ret = vfiox_igd_opregion_decode(buf, len, &op, why, sizeof(why));
	if (!memchr(why, '\0', sizeof(why)) || !memchr(op.problem, '\0', sizeof(op.problem)))
		abort();
	if (ret) {
		/* refused: said why, nothing half-decoded */
		if (ret != -EPROTO || !why[0] || memcmp(&op, &zero, sizeof(op)))
			abort();
		if (len >= OPREGION_SIZE && !memcmp(buf, "IntelGraphicsMem", 16) &&
		    le32(buf + 0x10) >= 8 && (uint64_t)le32(buf + 0x10) * 1024 <= len)
			abort();
		return;
	}
	if (why[0] || len < OPREGION_SIZE || memcmp(buf, "IntelGraphicsMem", 16))
		abort();
	if (op.size < OPREGION_SIZE || op.size > len || op.size % 1024 ||
	    op.size / 1024 != le32(buf + 0x10))
		abort();
	if (op.mboxes != le32(buf + 0x58))
		abort();
	if (!(op.mboxes & VFIOX_IGD_MBOX_ASLE) && (op.rvda || op.rvds))
		abort();

	/* a pure function */
	if (vfiox_igd_opregion_decode(buf, len, &again, NULL, 0) || memcmp(&op, &again, sizeof(op)))
		abort();

	switch (op.vbt_at) {
	case VFIOX_IGD_VBT_MAILBOX:
	case VFIOX_IGD_VBT_RVDA_REL:
		break;
	case VFIOX_IGD_VBT_RVDA_ABS:
		/* 2.0's physical address is never inside the region: never a VBT found there */
		if (!op.problem[0] || op.ver_major != 2 || op.ver_minor != 0 || !op.rvda)
			abort();
		return;
	default:
		abort();
	}
	if (op.problem[0])
		return;

	/* A VBT found: inside the buffer, in its place, with its header and BDB inside it. */
	if (op.vbt_size < 0x30 || op.vbt_offset > len || op.vbt_size > len - op.vbt_offset)
		abort();
	if (op.vbt_at == VFIOX_IGD_VBT_MAILBOX &&
	    (op.vbt_offset != MBOX4 ||
	     op.vbt_offset + op.vbt_size >
		     ((op.mboxes & VFIOX_IGD_MBOX_ASLE_EXT) ? ASLE_EXT : OPREGION_SIZE)))
		abort();
	if (op.vbt_at == VFIOX_IGD_VBT_RVDA_REL &&
	    (op.ver_major < 2 || (op.ver_major == 2 && op.ver_minor < 1) ||
	     op.vbt_offset != op.rvda || op.rvda < OPREGION_SIZE || op.vbt_size > op.rvds))
		abort();
	v = buf + op.vbt_offset;
	if (memcmp(v, "$VBT", 4) || le16(v + 0x18) != op.vbt_size ||
	    le16(v + 0x14) != op.vbt_version)
		abort();
	bdb = le32(v + 0x1C);
	if ((uint64_t)bdb + 0x16 > op.vbt_size ||
	    (uint64_t)bdb + le16(v + bdb + 0x14) > op.vbt_size ||
	    le16(v + bdb + 0x10) != op.bdb_version)
		abort();
	/* igd.h: "its BIOS data block must be signed "BIOS_DATA_BLOCK "" (as i915 checks) */
	if (memcmp(v + bdb, "BIOS_DATA_BLOCK ", 16))
		abort();
}

static void check_resv(const uint8_t *data, size_t size)
{
	struct vfiox_igd_resv v[RESV_MAX];
	char *text = malloc(size + 1);
	size_t n = 99, i, j;

	if (!text)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	if (vfiox__igd_parse_resv(text, v, RESV_MAX, &n) || n > RESV_MAX)
		abort();
	for (i = 0; i < n; i++) {
		if (v[i].start > v[i].end || !memchr(v[i].type, '\0', sizeof(v[i].type)) ||
		    !v[i].type[0])
			abort();
		for (j = 0; v[i].type[j]; j++)
			if (v[i].type[j] == ' ' || v[i].type[j] == '\n' || v[i].type[j] == '\t')
				abort();
	}
	/* n = 0 asked for: nothing written */
	if (vfiox__igd_parse_resv(text, v, 0, &n) || n)
		abort();
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	size_t len = size > OPREGION_MAX ? OPREGION_MAX : size;

	buf = malloc(len ? len : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, len);
	check_opregion(buf, len);
	free(buf);
	/* reserved_regions is a short file; the parser rescans each line */
	check_resv(data, size > 4096 ? 4096 : size);
	return 0;
}
