/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_IGD_H
#define VFIOX_IGD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vfiox/ctx.h>
#include <vfiox/host.h>
#include <vfiox/vfio.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: Intel integrated graphics (IGD)
 *
 * An Intel integrated GPU before Meteor Lake keeps memory of its own in host RAM that the
 * firmware set aside ("stolen" memory): the data stolen memory (DSM, framebuffers and
 * whatever a driver put there) and below it the GTT stolen memory (GSM, the global GTT).
 * Its place is in the GPU's config space (BDSM, and from gen11 a 64-bit BDSM at 0xC0), its
 * size in the graphics control register (GMCH, 0x50) whose fields and encodings differ
 * between generations, and the host bridge (00:00.0) has TOLUD and BGSM. From Meteor Lake
 * the stolen memory sits behind BAR2 and config space has no BDSM.
 *
 * vfiox_igd_decode() is a pure function of the config bytes; vfiox_igd_inspect() adds what
 * the host says (/proc/iomem, the group's reserved regions, the driver) and, for a device
 * on vfio-pci, the Intel regions of vfio-pci (OpRegion with the VBT, host bridge and LPC
 * bridge config), and judges it all as findings, QEMU's needs included.
 * vfiox_igd_zero() clears the DSM so that the next user of the GPU cannot read what the
 * last one left.
 */

/* What a device is, for IGD purposes. */
enum vfiox_igd_kind {
	VFIOX_IGD_NONE = 0,	  /* not an Intel display device */
	VFIOX_IGD_INTEGRATED = 1, /* an integrated GPU of a known family */
	VFIOX_IGD_DISCRETE = 2,	  /* a discrete Intel GPU (DG1, DG2, Battlemage...): no stolen memory */
	VFIOX_IGD_UNKNOWN = 3,	  /* an Intel display device of a family the table does not know */
	VFIOX_IGD_OLD = 4,	  /* Ironlake and older: another register layout, not decoded */
};

/* Where the data stolen memory's base is read. */
enum vfiox_igd_dsm_at {
	VFIOX_IGD_DSM_NONE = 0,	  /* nowhere: no stolen memory, or not decoded */
	VFIOX_IGD_DSM_BDSM32 = 1, /* BDSM, config 0x5C (gen6 to gen9) */
	VFIOX_IGD_DSM_BDSM64 = 2, /* BDSM, config 0xC0/0xC4 (gen11, gen12) */
	VFIOX_IGD_DSM_BAR2 = 3,	  /* behind BAR2, 8 MiB in (Meteor Lake and later); no BDSM */
};

/* Layout problems found by vfiox_igd_decode() (bits of vfiox_igd_layout.problems). */
#define VFIOX_IGD_P_GMS_RESERVED (1u << 0)   /* GMS holds a code the generation does not define */
#define VFIOX_IGD_P_BDSM_ZERO (1u << 1)	     /* BDSM has no address: the firmware set none */
#define VFIOX_IGD_P_DSM_PAST_TOLUD (1u << 2) /* the DSM runs past TOLUD */
#define VFIOX_IGD_P_DSM_NOT_AT_TOLUD (1u << 3) /* the DSM does not end at TOLUD */
#define VFIOX_IGD_P_HOST_BDSM_DIFFERS (1u << 4) /* the host bridge's BDSM is another address */
#define VFIOX_IGD_P_GSM_NOT_BELOW_DSM (1u << 5) /* BGSM + GSM size is not the DSM base */
#define VFIOX_IGD_P_ASLS_NONE (1u << 6)	       /* ASLS is 0 or ~0: no OpRegion */
#define VFIOX_IGD_P_DSM_WRAPS (1u << 7)	       /* base + size overflows */

/**
 * struct vfiox_igd_layout - what the config registers say
 * @vendor_id: of the device
 * @device_id: of the device
 * @class_code: 24-bit class, when @cfg_len covers it (else 0)
 * @kind: &enum vfiox_igd_kind
 * @family: "Coffee Lake", ..., or NULL when the table does not know the device
 * @gen: graphics generation (6, 7, 8, 9, 11, 12; 12 for Meteor/Arrow Lake, 20 for Lunar
 *	Lake, 30 for Panther Lake), 0 when unknown
 * @dsm_at: &enum vfiox_igd_dsm_at
 * @cfg_len: config bytes given
 * @need_root: registers past the first 64 bytes were needed but missing (the kernel shows
 *	them to root only)
 * @have_gmch: @gmch was read (and its fields decoded for this generation)
 * @gmch: the graphics control register (0x50)
 * @gms: its GMS (data stolen memory size) field
 * @ggms: its GGMS (GTT stolen memory size) field
 * @dsm_size: bytes of data stolen memory (0 when GMS is reserved or unknown)
 * @gsm_size: bytes of GTT stolen memory
 * @have_bdsm: @bdsm was read
 * @bdsm: the BDSM register as read (32 or 64 bits)
 * @dsm_base: the DSM base: the address bits of @bdsm only
 * @bdsm_lock: its lock bit (bit 0)
 * @have_asls: @asls was read
 * @asls: the OpRegion address (ASLS, 0xFC)
 * @have_host: host bridge registers were decoded
 * @host_vendor_id: of the host bridge
 * @host_device_id: of the host bridge
 * @host_need_root: the host bridge registers were missing for want of root
 * @tolud: top of low usable DRAM (host 0xBC), address bits
 * @bgsm: base of GTT stolen memory (host 0xB4), address bits
 * @host_bdsm: the host bridge's copy of BDSM (0xB0), address bits
 * @tsegmb: TSEG base (host 0xB8), address bits
 * @host_locks: lock bits: 1 TOLUD, 2 BGSM, 4 BDSM, 8 TSEGMB
 * @problems: VFIOX_IGD_P_* bits
 */
struct vfiox_igd_layout {
	uint16_t vendor_id, device_id;
	uint32_t class_code;
	int kind;
	const char *family;
	int gen;
	int dsm_at;
	size_t cfg_len;
	bool need_root;
	bool have_gmch;
	uint16_t gmch;
	unsigned int gms, ggms;
	uint64_t dsm_size, gsm_size;
	bool have_bdsm;
	uint64_t bdsm, dsm_base;
	bool bdsm_lock;
	bool have_asls;
	uint32_t asls;
	bool have_host;
	uint16_t host_vendor_id, host_device_id;
	bool host_need_root;
	uint64_t tolud, bgsm, host_bdsm, tsegmb;
	unsigned int host_locks;
	unsigned int problems;
};

/**
 * vfiox_igd_decode() - decode an IGD's registers from config space bytes
 * @cfg: the device's config space from offset 0
 * @cfg_len: bytes in @cfg (64 for a non-root reader, 256 or 4096 for root)
 * @host: the host bridge's (00:00.0) config space, or NULL
 * @host_len: bytes in @host
 * @layout: receives the decode
 *
 * A pure function: it reads nothing but its arguments. Registers are decoded only for a
 * generation whose layout is known; a device the table does not know gets only its ids.
 *
 * Return: 0; -EINVAL when @cfg holds no vendor and device id.
 */
int vfiox_igd_decode(const uint8_t *cfg, size_t cfg_len, const uint8_t *host, size_t host_len,
		     struct vfiox_igd_layout *layout);

/* Where the VBT of an OpRegion lives. */
enum vfiox_igd_vbt_at {
	VFIOX_IGD_VBT_NONE = 0,	    /* no VBT found */
	VFIOX_IGD_VBT_MAILBOX = 1,  /* mailbox 4, inside the 8 KiB OpRegion */
	VFIOX_IGD_VBT_RVDA_REL = 2, /* extended VBT at RVDA from the OpRegion (2.1 and later) */
	VFIOX_IGD_VBT_RVDA_ABS = 3, /* extended VBT at physical address RVDA (OpRegion 2.0) */
};

/* Mailboxes of an OpRegion (bits of vfiox_igd_opregion.mboxes, as the header has them). */
#define VFIOX_IGD_MBOX_ACPI (1u << 0)
#define VFIOX_IGD_MBOX_SWSCI (1u << 1)
#define VFIOX_IGD_MBOX_ASLE (1u << 2)
#define VFIOX_IGD_MBOX_ASLE_EXT (1u << 4)
#define VFIOX_IGD_MBOX_BACKLIGHT (1u << 5)

/**
 * struct vfiox_igd_opregion - an OpRegion decoded
 * @size: its size as the header says (bytes; the header counts KiB)
 * @ver_major: version, major
 * @ver_minor: version, minor
 * @ver_rev: version, revision
 * @mboxes: VFIOX_IGD_MBOX_* bits
 * @rvda: the ASLE mailbox's RVDA (0: none)
 * @rvds: the ASLE mailbox's RVDS (bytes)
 * @vbt_at: &enum vfiox_igd_vbt_at
 * @vbt_offset: the VBT's offset in the buffer decoded (for VFIOX_IGD_VBT_RVDA_ABS: 0)
 * @vbt_size: its size, from its header
 * @vbt_version: the VBT header's version
 * @bdb_version: the BIOS data block's version (0 when not reachable)
 * @problem: empty, or why the VBT (not the OpRegion) was not found valid
 */
struct vfiox_igd_opregion {
	uint32_t size;
	uint8_t ver_major, ver_minor, ver_rev;
	uint32_t mboxes;
	uint64_t rvda;
	uint32_t rvds;
	int vbt_at;
	uint64_t vbt_offset;
	uint32_t vbt_size;
	uint16_t vbt_version;
	uint16_t bdb_version;
	char problem[160];
};

/**
 * vfiox_igd_opregion_decode() - decode an OpRegion and find its VBT
 * @buf: the OpRegion as vfio-pci's OpRegion region holds it (the 8 KiB OpRegion, then for
 *	version 2.0 and later the extended VBT)
 * @len: bytes in @buf
 * @op: receives the decode
 * @why: receives the reason when the OpRegion is refused
 * @why_len: size of @why
 *
 * A pure function. The VBT is looked for where the version says: RVDA/RVDS when set
 * (relative to the OpRegion from 2.1 on, a physical address in 2.0), else mailbox 4; it
 * must start with "$VBT", fit in @buf and its header, and its BIOS data block must be
 * signed "BIOS_DATA_BLOCK ". A VBT that fails leaves the OpRegion decoded, with
 * @op->problem saying why.
 *
 * Return: 0; -EPROTO when @buf is not an OpRegion (signature, size beyond @len).
 */
int vfiox_igd_opregion_decode(const uint8_t *buf, size_t len, struct vfiox_igd_opregion *op,
			      char *why, size_t why_len);

/**
 * struct vfiox_igd_resv - one of the IOMMU group's reserved regions
 * @start: first address
 * @end: last address
 * @type: as the kernel names it: "direct", "direct-relaxable", "reserved", "msi", "sw-msi"
 */
struct vfiox_igd_resv {
	uint64_t start, end;
	char type[24];
};

/**
 * struct vfiox_igd_host - what the host says about the stolen memory
 * @iomem_read: /proc/iomem was read with its addresses
 * @iomem_hidden: /proc/iomem hides its addresses (not root)
 * @dsm_in_ram: the DSM overlaps System RAM
 * @dsm_top: the name of the top-level /proc/iomem entry holding all of the DSM ("" for none)
 * @dsm_top_start: that entry's first address
 * @dsm_top_end: its last
 * @stolen_reserved: the kernel's early quirk reserved "Graphics Stolen Memory" over the DSM
 * @stolen_claimed: a driver (i915) claimed the DSM: a nested "Graphics Stolen Memory" entry
 * @num_resv: entries in @resv
 * @resv: the group's reserved_regions (the first 16)
 * @dsm_resv: index in @resv of a direct or direct-relaxable region holding the DSM, or -1
 */
struct vfiox_igd_host {
	bool iomem_read, iomem_hidden;
	bool dsm_in_ram;
	char dsm_top[48];
	uint64_t dsm_top_start, dsm_top_end;
	bool stolen_reserved, stolen_claimed;
	size_t num_resv;
	struct vfiox_igd_resv resv[16];
	int dsm_resv;
};

/**
 * struct vfiox_igd_vfio - what vfio-pci offers for the IGD
 * @opened: the device was opened through VFIO
 * @error: why not, when it was not (empty when it is not on vfio-pci)
 * @opregion_size: size of the OpRegion region (0: none)
 * @opregion_flags: its VFIO_REGION_INFO_FLAG_* flags
 * @host_cfg_size: size of the host bridge config region (0: none)
 * @lpc_cfg_size: size of the LPC bridge config region (0: none)
 * @lpc_vendor_id: the LPC bridge's ids, read through its region (0 when not read)
 * @lpc_device_id: the LPC bridge's device id
 * @lpc_class: its class code
 * @rom_size: size of the ROM region (0: none)
 * @mtl_ggc_read: (Meteor Lake and later) GGC was read from BAR0
 * @mtl_ggc: its value
 */
struct vfiox_igd_vfio {
	bool opened;
	char error[256];
	uint64_t opregion_size;
	uint32_t opregion_flags;
	uint64_t host_cfg_size, lpc_cfg_size;
	uint16_t lpc_vendor_id, lpc_device_id;
	uint32_t lpc_class;
	uint64_t rom_size;
	bool mtl_ggc_read;
	uint16_t mtl_ggc;
};

/* An IGD inspected: config decode, host checks, VFIO regions, findings. */
struct vfiox_igd;

/* Flags of vfiox_igd_inspect(). */
#define VFIOX_IGD_NO_VFIO (1u << 0) /* never open the device through VFIO */

/**
 * vfiox_igd_inspect() - look at an IGD and the host around it
 * @ctx: the context (its roots say where sysfs, proc and dev are)
 * @device: a PCI address, or NULL for the Intel display device at 0000:00:02.0
 * @flags: VFIOX_IGD_NO_VFIO or 0
 * @igdp: receives the result; free it with vfiox_igd_free()
 *
 * Reads config space (the device's and the host bridge's), /proc/iomem and the group's
 * reserved_regions; when the device is on vfio-pci and its group is free, opens it for the
 * Intel regions and reads them. Nothing is changed. A fact that cannot be read becomes a
 * finding saying why (root, a busy group), not an error. The findings use the ids
 * "igd.device", "igd.gmch", "igd.dsm", "igd.gsm", "igd.host_bridge", "igd.iomem",
 * "igd.stolen", "igd.rmrr", "igd.opregion", "igd.vbt", "igd.regions", "qemu.gms",
 * "qemu.legacy", "qemu.guest_ram", "qemu.args".
 *
 * Return: 0; -EINVAL for a malformed @device; -ENODEV when there is no such device or,
 * for @device NULL, no Intel display device at 00:02.0; -ENOMEM; -errno when sysfs
 * cannot be scanned. The last error says why.
 */
int vfiox_igd_inspect(struct vfiox_ctx *ctx, const char *device, unsigned int flags,
		      struct vfiox_igd **igdp);

/**
 * vfiox_igd_free() - release an inspection
 * @igd: the inspection, or NULL
 */
void vfiox_igd_free(struct vfiox_igd *igd);

/**
 * vfiox_igd_device() - the device inspected
 * @igd: the inspection
 *
 * Return: its PCI address ("0000:00:02.0"); owned by @igd.
 */
const char *vfiox_igd_device(const struct vfiox_igd *igd);

/**
 * vfiox_igd_driver() - the device's driver when inspected
 * @igd: the inspection
 *
 * Return: the driver's name, or NULL for none; owned by @igd.
 */
const char *vfiox_igd_driver(const struct vfiox_igd *igd);

/**
 * vfiox_igd_layout() - the register decode
 * @igd: the inspection
 *
 * Return: the layout; owned by @igd.
 */
const struct vfiox_igd_layout *vfiox_igd_layout(const struct vfiox_igd *igd);

/**
 * vfiox_igd_host() - what the host says
 * @igd: the inspection
 *
 * Return: the host facts; owned by @igd.
 */
const struct vfiox_igd_host *vfiox_igd_host(const struct vfiox_igd *igd);

/**
 * vfiox_igd_vfio() - what vfio-pci offers
 * @igd: the inspection
 *
 * Return: the VFIO facts; owned by @igd.
 */
const struct vfiox_igd_vfio *vfiox_igd_vfio(const struct vfiox_igd *igd);

/**
 * vfiox_igd_opregion() - the OpRegion, when it was read through VFIO
 * @igd: the inspection
 *
 * Return: the decode, or NULL when it was not read (or did not decode); owned by @igd.
 */
const struct vfiox_igd_opregion *vfiox_igd_opregion(const struct vfiox_igd *igd);

/**
 * vfiox_igd_vbt() - the VBT bytes
 * @igd: the inspection
 * @datap: receives a pointer to them; owned by @igd
 * @lenp: receives their length
 *
 * Return: 0; -ENOENT when no valid VBT was read (the "igd.vbt" finding says why).
 */
int vfiox_igd_vbt(const struct vfiox_igd *igd, const void **datap, size_t *lenp);

/**
 * vfiox_igd_findings() - the judgement: every finding with a status and a fix
 * @igd: the inspection
 *
 * Return: the findings (read them with the vfiox_findings_* getters); owned by @igd.
 */
const struct vfiox_findings *vfiox_igd_findings(const struct vfiox_igd *igd);

/**
 * vfiox_igd_qemu_args() - the QEMU arguments an assignment of this IGD needs
 * @igd: the inspection
 *
 * Return: "-device vfio-pci,host=...,x-igd-opregion=on ..." as far as the facts allow;
 * owned by @igd.
 */
const char *vfiox_igd_qemu_args(const struct vfiox_igd *igd);

/* Methods of vfiox_igd_zero(). */
enum vfiox_igd_zero_method {
	VFIOX_IGD_ZERO_NONE = 0,
	VFIOX_IGD_ZERO_GGTT = 1, /* GGTT entries (upper half of BAR0) point the aperture (BAR2) at the DSM */
	VFIOX_IGD_ZERO_BAR2 = 2, /* the DSM behind BAR2 at 8 MiB (Meteor Lake and later) */
};

/* Flags of vfiox_igd_zero(). */
#define VFIOX_IGD_ZERO_DRY_RUN (1u << 0) /* check and plan only; nothing is written */
#define VFIOX_IGD_ZERO_NO_VERIFY (1u << 1) /* skip reading the DSM back */

/**
 * struct vfiox_igd_zero_report - what vfiox_igd_zero() did or would do
 * @method: &enum vfiox_igd_zero_method
 * @dsm_base: first byte cleared (host physical)
 * @dsm_size: bytes cleared
 * @iova: where the container maps the DSM for the GPU (the DSM's own address)
 * @window: bytes of aperture used per step
 * @steps: steps (GGTT reprogrammings) taken
 * @pte_size: bytes per GGTT entry (4 or 8)
 * @pte_first: the first GGTT entry value written (the DSM base's)
 * @bytes_written: bytes of zeros written
 * @bytes_verified: bytes read back and found zero
 * @write_ns: time spent writing zeros
 * @verify_ns: time spent reading back
 * @total_ns: time of the whole call
 * @plan: what is (or would be) done, one step per line
 */
struct vfiox_igd_zero_report {
	int method;
	uint64_t dsm_base, dsm_size;
	uint64_t iova;
	uint64_t window;
	uint64_t steps;
	unsigned int pte_size;
	uint64_t pte_first;
	uint64_t bytes_written, bytes_verified;
	uint64_t write_ns, verify_ns, total_ns;
	char plan[2048];
};

/**
 * vfiox_igd_zero() - clear an IGD's data stolen memory and prove it
 * @ctx: the context
 * @device: the IGD's PCI address (NULL: 00:02.0); it must be on vfio-pci
 * @flags: VFIOX_IGD_ZERO_DRY_RUN, VFIOX_IGD_ZERO_NO_VERIFY
 * @rep: receives what was done
 *
 * Opens the device's group (refused while another process holds it), a type1 container
 * and the device, checks every fact of vfiox_igd_inspect() (refusing on any failure), maps
 * the DSM into the container at its own address (through /dev/mem, see
 * vfiox_physmap_new()) so the GPU's accesses reach it through the IOMMU, and clears it the
 * way the i915/xe drivers reach stolen memory: before Meteor Lake through the GGTT
 * aperture (entries in the upper half of BAR0 pointed at the DSM, zeros written through
 * BAR2, the entries put back), from Meteor Lake through BAR2. The GTT stolen memory is
 * never written. Everything is closed again.
 *
 * Return: 0; -EBUSY (driver other than vfio-pci, group held); -EPERM (lockdown, /dev/mem
 * refused, a cross-check failed); -EOPNOTSUPP (a generation without a documented method);
 * -EIO when the read-back found a byte not zero; other -errno. The last error says why.
 */
int vfiox_igd_zero(struct vfiox_ctx *ctx, const char *device, unsigned int flags,
		   struct vfiox_igd_zero_report *rep);

/**
 * vfiox_igd_zero_device() - vfiox_igd_zero() for a caller that holds the device
 * @c: the container the device's group is attached to (type1)
 * @d: the IGD, opened through VFIO
 * @layout: its decode (vfiox_igd_decode() or vfiox_igd_layout())
 * @flags: as for vfiox_igd_zero()
 * @rep: receives what was done
 *
 * For a VMM that clears the stolen memory when a guest releases the GPU. The caller is
 * responsible for the checks vfiox_igd_zero() makes about the host (the DSM reserved, not
 * System RAM, not claimed by a driver); this function maps the DSM, clears and verifies.
 *
 * Return: as vfiox_igd_zero().
 */
int vfiox_igd_zero_device(struct vfiox_container *c, struct vfiox_device *d,
			  const struct vfiox_igd_layout *layout, unsigned int flags,
			  struct vfiox_igd_zero_report *rep);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_IGD_H */
