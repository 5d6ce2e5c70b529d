// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer: vfiox_igd_decode() on arbitrary config bytes of an IGD and of its host
 * bridge, as a damaged sysfs file, a hostile device or a firmware with odd values could
 * give them. The input is split in two:
 *
 *   bytes 0-1  little endian: bits 12:0 how many of the following bytes are the IGD's
 *              config space (cut to what there is and to 4096), bit 15 set: no host
 *              bridge (NULL), else every byte after the IGD's is the host bridge's
 *   then       the IGD's config bytes, then the host bridge's (cut to 4096)
 *
 * Each buffer is an exact-size copy so ASan catches a read past what "sysfs" returned.
 * What the decode says must hold together: an address has no bits below 1 MiB, a register
 * is reported read only when its bytes were there and then equals them, a device without
 * stolen memory has no base, and the same bytes cut to the 64 bytes a non-root reader gets
 * give the same device with nothing past the header decoded.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vfiox/igd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MiB ((uint64_t)1 << 20)
#define CFG_MAX 4096
#define P_ALL 0xffu /* the VFIOX_IGD_P_* bits igd.h defines */
#define P_DSM (VFIOX_IGD_P_DSM_PAST_TOLUD | VFIOX_IGD_P_DSM_NOT_AT_TOLUD | \
	       VFIOX_IGD_P_HOST_BDSM_DIFFERS | VFIOX_IGD_P_GSM_NOT_BELOW_DSM | \
	       VFIOX_IGD_P_DSM_WRAPS | VFIOX_IGD_P_BDSM_ZERO)

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

static uint8_t *copy(const uint8_t *p, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);

	if (b && n)
		memcpy(b, p, n);
	return b;
}

static void check_host(const struct vfiox_igd_layout *l, const uint8_t *host, size_t host_len)
{
	const uint64_t low = MiB - 1;

	if (!host || host_len < 4) {
		if (l->have_host || l->host_need_root || l->host_vendor_id || l->host_device_id)
			abort();
		return;
	}
	if (l->host_vendor_id != le16(host) || l->host_device_id != le16(host + 2))
		abort();
	if (l->have_host && (l->host_need_root || host_len < 0xC0 || l->host_vendor_id != 0x8086))
		abort();
	if (l->host_need_root && (host_len >= 0xC0 || l->host_vendor_id != 0x8086))
		abort();
	if (!l->have_host) {
		if (l->tolud || l->bgsm || l->host_bdsm || l->tsegmb || l->host_locks)
			abort();
		return;
	}
	/* TOLUD, BGSM, BDSM, TSEGMB: bits 31:20 of their registers, lock bits apart */
	if ((l->tolud | l->bgsm | l->host_bdsm | l->tsegmb) & (low | ~(uint64_t)UINT32_MAX))
		abort();
	if (l->tolud != (le32(host + 0xBC) & 0xfff00000u) ||
	    l->bgsm != (le32(host + 0xB4) & 0xfff00000u) ||
	    l->host_bdsm != (le32(host + 0xB0) & 0xfff00000u) ||
	    l->tsegmb != (le32(host + 0xB8) & 0xfff00000u))
		abort();
	if (l->host_locks > 0xf || !!(l->host_locks & 1) != (host[0xBC] & 1) ||
	    !!(l->host_locks & 2) != (host[0xB4] & 1) ||
	    !!(l->host_locks & 4) != (host[0xB0] & 1) ||
	    !!(l->host_locks & 8) != (host[0xB8] & 1))
		abort();
}

static void check_sizes(const struct vfiox_igd_layout *l)
{
	if (!l->have_gmch) {
		if (l->gmch || l->gms || l->ggms || l->dsm_size || l->gsm_size ||
		    (l->problems & VFIOX_IGD_P_GMS_RESERVED))
			abort();
		return;
	}
	/* GMS is at most 8 bits wide, GGMS 2; sizes come in 4 MiB (DSM) and 1 MiB (GSM) steps */
	if (l->gms > 0xff || l->ggms > 3 || l->dsm_size % (4 * MiB) || l->gsm_size % MiB)
		abort();
	/* gen8 takes every 8-bit code x 32 MiB as the kernel does (gen8_stolen_size); the GTT
	 * at most 8 MiB */
	if (l->dsm_size > 0xFFull * 32 * MiB || l->gsm_size > 8 * MiB)
		abort();
	if (!l->ggms != !l->gsm_size)
		abort();
	/* GMS 0 means none; another code without a size is reserved, and is said so */
	if (!!(l->problems & VFIOX_IGD_P_GMS_RESERVED) != (l->gms && !l->dsm_size))
		abort();
	if (!l->gms && l->dsm_size)
		abort();
}

static void check_bdsm(const struct vfiox_igd_layout *l, const uint8_t *cfg, size_t cfg_len)
{
	uint64_t end;

	if (l->dsm_base & (MiB - 1))
		abort();
	if (!l->have_bdsm) {
		if (l->bdsm || l->dsm_base || l->bdsm_lock || (l->problems & P_DSM))
			abort();
		return;
	}
	switch (l->dsm_at) {
	case VFIOX_IGD_DSM_BDSM32:
		if (cfg_len < 0x60 || l->bdsm != le32(cfg + 0x5C))
			abort();
		break;
	case VFIOX_IGD_DSM_BDSM64:
		if (cfg_len < 0xC8 || l->bdsm != le64(cfg + 0xC0))
			abort();
		break;
	default:
		/* no BDSM before gen6's layout is known, none behind BAR2 */
		abort();
	}
	if (l->dsm_base != (l->bdsm & ~(MiB - 1)) || l->bdsm_lock != (l->bdsm & 1))
		abort();
	if (!!(l->problems & VFIOX_IGD_P_BDSM_ZERO) != !l->dsm_base)
		abort();
	if (!l->dsm_base || !l->dsm_size || !l->have_gmch) {
		if (l->problems & (P_DSM & ~VFIOX_IGD_P_BDSM_ZERO))
			abort();
		return;
	}
	if (!!(l->problems & VFIOX_IGD_P_DSM_WRAPS) != (l->dsm_base + l->dsm_size < l->dsm_base))
		abort();
	if (l->problems & VFIOX_IGD_P_DSM_WRAPS)
		return;
	end = l->dsm_base + l->dsm_size;
	if (!l->have_host) {
		if (l->problems & (P_DSM & ~VFIOX_IGD_P_BDSM_ZERO))
			abort();
		return;
	}
	if (!!(l->problems & VFIOX_IGD_P_HOST_BDSM_DIFFERS) != (l->host_bdsm != l->dsm_base))
		abort();
	if ((l->problems & VFIOX_IGD_P_DSM_PAST_TOLUD) &&
	    (!l->tolud || end <= l->tolud || l->dsm_base >= (1ull << 32)))
		abort();
	if ((l->problems & VFIOX_IGD_P_DSM_NOT_AT_TOLUD) &&
	    (!l->tolud || end == l->tolud || (l->problems & VFIOX_IGD_P_DSM_PAST_TOLUD)))
		abort();
	if ((l->problems & VFIOX_IGD_P_GSM_NOT_BELOW_DSM) &&
	    (!l->bgsm || !l->gsm_size || l->bgsm + l->gsm_size == l->dsm_base))
		abort();
}

static void check(const struct vfiox_igd_layout *l, const uint8_t *cfg, size_t cfg_len,
		  const uint8_t *host, size_t host_len)
{
	if (l->cfg_len != cfg_len || l->vendor_id != le16(cfg) || l->device_id != le16(cfg + 2))
		abort();
	if (l->class_code != (cfg_len >= 0x0c ? le32(cfg + 8) >> 8 : 0))
		abort();
	if (l->problems & ~P_ALL)
		abort();
	if (l->dsm_base & (MiB - 1))
		abort();
	switch (l->kind) {
	case VFIOX_IGD_NONE:
	case VFIOX_IGD_UNKNOWN:
		/* not Intel, or Intel but not in the table: only the ids */
		if (l->family || l->gen || l->dsm_at != VFIOX_IGD_DSM_NONE)
			abort();
		if (l->kind == VFIOX_IGD_UNKNOWN &&
		    (l->vendor_id != 0x8086 || (l->class_code >> 16) != 0x03))
			abort();
		break;
	case VFIOX_IGD_INTEGRATED:
	case VFIOX_IGD_DISCRETE:
	case VFIOX_IGD_OLD:
		if (!l->family || !l->family[0] || l->vendor_id != 0x8086 || l->gen < 4 ||
		    l->gen > 30)
			abort();
		/* only an integrated GPU keeps memory in host RAM */
		if (l->kind != VFIOX_IGD_INTEGRATED && l->dsm_at != VFIOX_IGD_DSM_NONE)
			abort();
		if (l->kind == VFIOX_IGD_INTEGRATED && l->dsm_at == VFIOX_IGD_DSM_NONE)
			abort();
		break;
	default:
		abort();
	}
	if (l->vendor_id != 0x8086 && (l->family || l->kind != VFIOX_IGD_NONE))
		abort();
	if (l->kind != VFIOX_IGD_INTEGRATED) {
		/* nothing decoded for a device without stolen memory, not even the host bridge */
		if (l->have_gmch || l->have_bdsm || l->have_asls || l->have_host || l->need_root ||
		    l->host_need_root || l->dsm_base || l->dsm_size || l->gsm_size || l->problems ||
		    l->host_vendor_id || l->host_device_id)
			abort();
		return;
	}
	/* Meteor Lake and later: no BDSM, no GMCH in config space */
	if (l->dsm_at == VFIOX_IGD_DSM_BAR2 && (l->have_bdsm || l->have_gmch || l->dsm_base))
		abort();
	if (l->have_gmch && (cfg_len < 0x52 || l->gmch != le16(cfg + 0x50)))
		abort();
	if (l->have_asls) {
		if (cfg_len < 0x100 || l->asls != le32(cfg + 0xFC))
			abort();
		if (!!(l->problems & VFIOX_IGD_P_ASLS_NONE) !=
		    (l->asls == 0 || l->asls == UINT32_MAX))
			abort();
	} else if (l->asls || (l->problems & VFIOX_IGD_P_ASLS_NONE)) {
		abort();
	}
	/* past the header is root's: whatever is missing for want of bytes says so */
	if (!!l->need_root != (cfg_len < 0x100))
		abort();
	if (cfg_len >= 0x100 && !l->have_asls)
		abort();
	if (l->dsm_at != VFIOX_IGD_DSM_BAR2 && cfg_len >= 0x100 && !l->have_gmch)
		abort();
	if ((l->dsm_at == VFIOX_IGD_DSM_BDSM32 && cfg_len >= 0x60 && !l->have_bdsm) ||
	    (l->dsm_at == VFIOX_IGD_DSM_BDSM64 && cfg_len >= 0xC8 && !l->have_bdsm))
		abort();
	check_sizes(l);
	check_bdsm(l, cfg, cfg_len);
	check_host(l, host, host_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfiox_igd_layout l, again, low;
	size_t cfg_len, host_len;
	uint8_t *cfg, *host = NULL;
	bool no_host;
	int ret;

	if (size < 2)
		return 0;
	cfg_len = le16(data) & 0x1fff;
	no_host = data[1] & 0x80;
	data += 2;
	size -= 2;
	if (cfg_len > size)
		cfg_len = size;
	if (cfg_len > CFG_MAX)
		cfg_len = CFG_MAX;
	host_len = no_host ? 0 : size - cfg_len;
	if (host_len > CFG_MAX)
		host_len = CFG_MAX;
	cfg = copy(data, cfg_len);
	if (!no_host)
		host = copy(data + cfg_len, host_len);
	if (!cfg || (!no_host && !host))
		goto out;

	ret = vfiox_igd_decode(cfg, cfg_len, host, host_len, &l);
	if (cfg_len < 4) {
		static const struct vfiox_igd_layout zero;

		if (ret != -EINVAL || memcmp(&l, &zero, sizeof(l)))
			abort();
		goto out;
	}
	if (ret)
		abort();
	check(&l, cfg, cfg_len, host, host_len);

	/* a pure function: the same bytes, the same answer */
	if (vfiox_igd_decode(cfg, cfg_len, host, host_len, &again) || memcmp(&l, &again, sizeof(l)))
		abort();

	/* what a non-root reader gets: the 64-byte header; the same device, nothing past it */
	if (cfg_len > 64) {
		if (vfiox_igd_decode(cfg, 64, host, host_len, &low))
			abort();
		check(&low, cfg, 64, host, host_len);
		if (low.kind != l.kind || low.family != l.family || low.gen != l.gen ||
		    low.dsm_at != l.dsm_at || low.have_gmch || low.have_bdsm || low.have_asls ||
		    (low.kind == VFIOX_IGD_INTEGRATED && !low.need_root))
			abort();
	}
out:
	free(cfg);
	free(host);
	return 0;
}
