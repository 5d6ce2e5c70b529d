// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Clearing an IGD's data stolen memory (DSM) so the next user of the GPU cannot read what
 * the last one left there, the way the GPU's own drivers reach stolen memory:
 *
 * - Before Meteor Lake, through the GGTT aperture. The global GTT lives in the upper half
 *   of BAR0 (i915 gt/intel_ggtt.c: gen6_gttadr_offset(), ggtt_probe_common()); each 8-byte
 *   entry from gen8 on is the page's address with bit 0 present (gen8_ggtt_pte_encode());
 *   CPU writes to BAR2 (the aperture, GMADR) at offset N * 4 KiB land in the page entry N
 *   points at. i915 reaches stolen pages exactly so: it points a reserved GGTT slot at the
 *   page and writes through the aperture (gem/i915_gem_stolen.c dbg_poison(),
 *   i915_gpu_error.c i915_vma_coredump_create()); after rewriting entries it invalidates
 *   the GGTT TLB by writing 1 to GFX_FLSH_CNTL_GEN6 (0x101008) and reading it back
 *   (gen6_ggtt_invalidate()). The entries are put back afterwards.
 * - From Meteor Lake, through BAR2 (LMEMBAR): the DSM lies 8 MiB into it, its size in GGC
 *   (MMIO 0x108040) and its base in DSMBASE (MMIO 0x1080C0) (i915 gem/i915_gem_stolen.c
 *   i915_gem_stolen_lmem_setup(), mtl_get_gms_size(); xe xe_ttm_stolen_mgr.c
 *   detect_bar2_integrated()).
 *
 * Either way the GPU's accesses go through the IOMMU, so the container maps the DSM at its
 * own address (vfiox_physmap_new()). The GTT stolen memory (GSM) is never written
 * directly: QEMU's docs/igd-assign.txt warns that a direct access freezes the host.
 * Gen6/7 are refused: i915 itself stops using stolen memory there while VT-d is active
 * (i915_gem_init_stolen(): "DMAR active, disabling use of stolen memory").
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <linux/vfio.h>

#include <vfiox/bar.h>
#include <vfiox/igd.h>
#include <vfiox/physmap.h>

#include "internal.h"
#include "host-private.h"
#include "igd-private.h"

#define PAGE 4096u
#define MiB ((uint64_t)1 << 20)
#define GFX_FLSH_CNTL_GEN6 0x101008u
#define GGC_MMIO 0x108040u
#define DSMBASE_MMIO 0x1080C0u
#define MTL_DSM_OFFSET (8 * MiB)
/* One step rewrites at most this much of the GGTT: 64 MiB of aperture, 128 KiB of entries. */
#define WINDOW_MAX (64 * MiB)
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4

struct zero {
	struct vfiox_ctx *ctx;
	struct vfiox_container *c;
	struct vfiox_device *d;
	struct vfiox_igd_zero_report *rep;
	unsigned int flags;
	struct vfiox_region *bar0, *bar2;
	struct vfiox_bar *aperture;
	uint64_t *saved; /* the GGTT entries the window uses, as they were */
	uint64_t *ptes;
	size_t plan_used;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void VFIOX_PRINTF(2, 3) plan(struct zero *z, const char *fmt, ...)
{
	char *buf = z->rep->plan;
	size_t len = sizeof(z->rep->plan);
	va_list ap;
	int n;

	if (z->plan_used >= len - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + z->plan_used, len - z->plan_used, fmt, ap);
	va_end(ap);
	if (n > 0)
		z->plan_used += (size_t)n;
	if (z->plan_used < len - 1)
		buf[z->plan_used++] = '\n', buf[z->plan_used] = '\0';
	else
		z->plan_used = len - 1;
}

static int bar_io(struct zero *z, const struct vfiox_region *r, uint64_t off, void *buf,
		  size_t len, bool write)
{
	return vfiox__igd_region_io(z->d, r, off, buf, len, write);
}

/* Writes GFX_FLSH_CNTL and reads it back, so the GPU drops the GGTT entries it cached. */
static int ggtt_invalidate(struct zero *z)
{
	uint32_t one = 1, back;
	int ret = bar_io(z, z->bar0, GFX_FLSH_CNTL_GEN6, &one, 4, true);

	return ret ? ret : bar_io(z, z->bar0, GFX_FLSH_CNTL_GEN6, &back, 4, false);
}

/* Zeros through the mapping at @p, then (unless told not to) reads every byte back. */
static int clear_window(struct zero *z, volatile void *p, uint64_t len, uint64_t phys)
{
	volatile const uint64_t *q = p;
	uint64_t t0, t1, i, v, first = 0, bad = 0;
	bool found = false;

	t0 = now_ns();
	memset((void *)p, 0, len);
	__sync_synchronize();
	t1 = now_ns();
	z->rep->write_ns += t1 - t0;
	z->rep->bytes_written += len;
	if (z->flags & VFIOX_IGD_ZERO_NO_VERIFY)
		return 0;
	/* Every word is read once; the first one not zero is what the message names. */
	for (i = 0; i < len / 8; i++) {
		v = q[i];
		if (v && !found) {
			found = true;
			first = i;
			bad = v;
		}
	}
	z->rep->verify_ns += now_ns() - t1;
	if (found)
		return vfiox__err(z->ctx, -EIO, "the stolen memory at 0x%" PRIx64 " still reads "
				  "0x%016" PRIx64 " after it was cleared: the GPU did not write "
				  "through to it; nothing was proven cleared from there on",
				  phys + first * 8, bad);
	z->rep->bytes_verified += len;
	return 0;
}

static int open_regions(struct zero *z)
{
	int ret = vfiox_device_region(z->d, VFIO_PCI_BAR0_REGION_INDEX, &z->bar0);

	if (!ret)
		ret = vfiox_device_region(z->d, VFIO_PCI_BAR2_REGION_INDEX, &z->bar2);
	if (ret)
		return vfiox__err(z->ctx, ret, "%s: cannot read its BAR0/BAR2 region info: %s",
				  vfiox_device_name(z->d), vfiox_ctx_last_error(z->ctx));
	if (!z->bar0->size || !z->bar2->size)
		return vfiox__err(z->ctx, -ENODEV, "%s has no %s: not an IGD this method knows",
				  vfiox_device_name(z->d), z->bar0->size ? "BAR2" : "BAR0");
	return 0;
}

/* Before Meteor Lake: GGTT entries in the upper half of BAR0, zeros through the aperture. */
static int ggtt_plan(struct zero *z)
{
	struct vfiox_igd_zero_report *rep = z->rep;
	uint64_t gtt_off = z->bar0->size / 2, entries = z->bar0->size / 2 / 8, window;
	size_t n;

	rep->method = VFIOX_IGD_ZERO_GGTT;
	rep->pte_size = 8;
	window = z->bar2->size < WINDOW_MAX ? z->bar2->size : WINDOW_MAX;
	if (window > rep->dsm_size)
		window = rep->dsm_size;
	if (window / PAGE > entries)
		window = entries * PAGE;
	if (!window || window % PAGE)
		return vfiox__err(z->ctx, -EPROTO, "%s: BAR2 of %" PRIu64 " bytes and BAR0 of %"
				  PRIu64 " give no aperture window to work with",
				  vfiox_device_name(z->d), z->bar2->size, z->bar0->size);
	rep->window = window;
	rep->steps = (rep->dsm_size + window - 1) / window;
	rep->pte_first = rep->dsm_base | 1;
	n = (size_t)(window / PAGE);
	plan(z, "map the DSM 0x%" PRIx64 "-0x%" PRIx64 " into the container at IOVA 0x%" PRIx64
	     " (through /dev/mem), read and write", rep->dsm_base,
	     rep->dsm_base + rep->dsm_size - 1, rep->iova);
	plan(z, "save GGTT entries 0-%zu (BAR0 + 0x%" PRIx64 ", %zu bytes)", n - 1, gtt_off,
	     n * 8);
	plan(z, "for each of %" PRIu64 " steps of %" PRIu64 " MiB: write entries 0-%zu as "
	     "(DSM page address | 1), starting 0x%016" PRIx64 "; write 1 to GFX_FLSH_CNTL "
	     "(BAR0 + 0x%x) and read it back; write zeros to BAR2 0-0x%" PRIx64 "%s",
	     rep->steps, window / MiB, n - 1, rep->pte_first, GFX_FLSH_CNTL_GEN6, window - 1,
	     z->flags & VFIOX_IGD_ZERO_NO_VERIFY ? "" : "; read it all back and check for zero");
	plan(z, "put the saved GGTT entries back, invalidate again, unmap the DSM");
	return 0;
}

static int ggtt_clear(struct zero *z)
{
	struct vfiox_igd_zero_report *rep = z->rep;
	uint64_t gtt_off = z->bar0->size / 2, window = rep->window, done;
	size_t i, n = (size_t)(window / PAGE);
	int ret, undo;

	z->saved = calloc(n, 8);
	z->ptes = calloc(n, 8);
	if (!z->saved || !z->ptes)
		return vfiox__err(z->ctx, -ENOMEM, "out of memory");
	ret = vfiox_bar_open(z->d, 2, VFIOX_BAR_WHOLE, &z->aperture);
	if (!ret && !vfiox_bar_ptr(z->aperture, 0, window))
		ret = vfiox__err(z->ctx, -EOPNOTSUPP, "%s: its aperture (BAR2) cannot be mapped",
				 vfiox_device_name(z->d));
	if (ret)
		return ret;
	ret = bar_io(z, z->bar0, gtt_off, z->saved, n * 8, false);
	if (ret)
		return vfiox__err(z->ctx, ret, "%s: cannot read its GGTT (BAR0 + 0x%" PRIx64 "): %s",
				  vfiox_device_name(z->d), gtt_off, strerror(-ret));
	for (done = 0; done < rep->dsm_size; done += window) {
		uint64_t len = rep->dsm_size - done < window ? rep->dsm_size - done : window;

		for (i = 0; i < len / PAGE; i++)
			z->ptes[i] = (rep->dsm_base + done + i * PAGE) | 1;
		ret = bar_io(z, z->bar0, gtt_off, z->ptes, (size_t)(len / PAGE) * 8, true);
		if (!ret)
			ret = ggtt_invalidate(z);
		if (ret) {
			vfiox__err(z->ctx, ret, "%s: cannot write its GGTT: %s",
				   vfiox_device_name(z->d), strerror(-ret));
			break;
		}
		ret = clear_window(z, vfiox_bar_ptr(z->aperture, 0, len), len,
				   rep->dsm_base + done);
		if (ret)
			break;
	}
	/* The entries go back whatever happened; a failure to do so is worth saying. */
	undo = bar_io(z, z->bar0, gtt_off, z->saved, n * 8, true);
	if (!undo)
		undo = ggtt_invalidate(z);
	if (undo && !ret)
		ret = vfiox__err(z->ctx, undo, "%s: the DSM is cleared but its GGTT entries could "
				 "not be put back (%s): reset the device before use",
				 vfiox_device_name(z->d), strerror(-undo));
	return ret;
}

/* Meteor Lake and later: the DSM 8 MiB into BAR2, its base and size in BAR0's MMIO. */
static int bar2_plan(struct zero *z)
{
	struct vfiox_igd_zero_report *rep = z->rep;
	uint64_t dsmbase = 0, size;
	uint16_t ggc = 0;
	unsigned int gms;
	int ret;

	rep->method = VFIOX_IGD_ZERO_BAR2;
	ret = bar_io(z, z->bar0, GGC_MMIO, &ggc, 2, false);
	if (!ret)
		ret = bar_io(z, z->bar0, DSMBASE_MMIO, &dsmbase, 8, false);
	if (ret)
		return vfiox__err(z->ctx, ret, "%s: cannot read GGC/DSMBASE in BAR0: %s",
				  vfiox_device_name(z->d), strerror(-ret));
	gms = ggc >> 8;
	/* mtl_get_gms_size(): GGMS must be 3 (8 MiB); GMS 0-4 in 32 MiB, 0xF0-0xFE in 4 MiB */
	size = gms <= 4 ? gms * 32 * MiB : gms >= 0xF0 && gms <= 0xFE ? (gms - 0xF0 + 1) * 4 * MiB : 0;
	if ((ggc & 0xC0) != 0xC0 || !size)
		return vfiox__err(z->ctx, -EPROTO, "%s: GGC 0x%04x (BAR0 + 0x%x) is not a setting "
				  "this generation defines: refusing to guess the stolen memory's "
				  "size", vfiox_device_name(z->d), ggc, GGC_MMIO);
	rep->dsm_base = dsmbase & ~(MiB - 1);
	rep->dsm_size = size;
	rep->iova = rep->dsm_base;
	if (!rep->dsm_base || z->bar2->size < MTL_DSM_OFFSET + size)
		return vfiox__err(z->ctx, -EPROTO, "%s: DSMBASE 0x%" PRIx64 " and %" PRIu64
				  " MiB do not fit its BAR2 of %" PRIu64 " MiB",
				  vfiox_device_name(z->d), dsmbase, size / MiB,
				  z->bar2->size / MiB);
	rep->window = size;
	rep->steps = 1;
	plan(z, "map the DSM 0x%" PRIx64 "-0x%" PRIx64 " (DSMBASE) into the container at IOVA "
	     "0x%" PRIx64 " (through /dev/mem), read and write", rep->dsm_base,
	     rep->dsm_base + size - 1, rep->iova);
	plan(z, "write zeros to BAR2 0x%" PRIx64 "-0x%" PRIx64 "%s", MTL_DSM_OFFSET,
	     MTL_DSM_OFFSET + size - 1,
	     z->flags & VFIOX_IGD_ZERO_NO_VERIFY ? "" : "; read it all back and check for zero");
	return 0;
}

static int bar2_clear(struct zero *z)
{
	struct vfiox_igd_zero_report *rep = z->rep;
	uint64_t size = rep->dsm_size, done;
	int ret = vfiox_bar_open(z->d, 2, VFIOX_BAR_WHOLE, &z->aperture);

	if (ret)
		return ret;
	for (done = 0; done < size; done += WINDOW_MAX) {
		uint64_t len = size - done < WINDOW_MAX ? size - done : WINDOW_MAX;
		volatile void *p = vfiox_bar_ptr(z->aperture, MTL_DSM_OFFSET + done, len);

		if (!p)
			return vfiox__err(z->ctx, -EOPNOTSUPP, "%s: BAR2 cannot be mapped",
					  vfiox_device_name(z->d));
		ret = clear_window(z, p, len, rep->dsm_base + done);
		if (ret)
			return ret;
	}
	return 0;
}

/* A generation without a documented way to clear its stolen memory: the refusal. */
static int no_method(struct vfiox_ctx *ctx, const char *dev, const struct vfiox_igd_layout *l)
{
	if (l->kind != VFIOX_IGD_INTEGRATED)
		return vfiox__err(ctx, -EOPNOTSUPP, "%s is not an integrated Intel GPU (see vfioctl "
				  "igd %s): there is no stolen memory to clear", dev, dev);
	if (l->gen < 8)
		return vfiox__err(ctx, -EOPNOTSUPP, "%s (%s, gen%d): no documented way to reach "
				  "its stolen memory through the IOMMU (i915 itself stops using it "
				  "while VT-d is on); not cleared", dev,
				  l->family ? l->family : "unknown", l->gen);
	return 0;
}

/*
 * Turns @bits on in the command register; the value before the first change is kept in
 * *@old and *@saved says whether it must be put back.
 */
static int command_set(struct zero *z, uint16_t bits, uint16_t *old, bool *saved)
{
	uint16_t cmd;
	int ret;

	ret = vfiox_device_config_read(z->d, PCI_COMMAND, &cmd, 2);
	if (!ret && (cmd | bits) != cmd) {
		if (!*saved)
			*old = cmd;
		cmd |= bits;
		ret = vfiox_device_config_write(z->d, PCI_COMMAND, &cmd, 2);
		if (!ret)
			*saved = true;
	}
	if (!ret)
		return 0;
	return vfiox__err(z->ctx, ret, "%s: cannot turn on %s in its command register",
			  vfiox_device_name(z->d),
			  bits & PCI_COMMAND_MASTER ? "bus mastering" : "memory decoding");
}

VFIOX_EXPORT int vfiox_igd_zero_device(struct vfiox_container *c, struct vfiox_device *d,
				       const struct vfiox_igd_layout *l, unsigned int flags,
				       struct vfiox_igd_zero_report *rep)
{
	struct zero z = { .ctx = d->ctx, .c = c, .d = d, .rep = rep, .flags = flags };
	struct vfiox_physmap *pm = NULL;
	uint64_t t0 = now_ns(), iova;
	uint16_t cmd = 0;
	bool cmd_saved = false;
	int ret;

	memset(rep, 0, sizeof(*rep));
	ret = no_method(z.ctx, vfiox_device_name(d), l);
	if (ret)
		return ret;
	if (l->dsm_at != VFIOX_IGD_DSM_BAR2) {
		if (!l->have_gmch || !l->have_bdsm || !l->dsm_base || !l->dsm_size)
			return vfiox__err(z.ctx, -EPROTO, "%s: its GMCH/BDSM give no data stolen "
					  "memory to clear (run vfioctl igd to see why)",
					  vfiox_device_name(d));
		rep->dsm_base = l->dsm_base;
		rep->dsm_size = l->dsm_size;
		rep->iova = l->dsm_base;
	}
	ret = open_regions(&z);
	/* Meteor Lake's sizes are registers in BAR0, which answers only with memory decoding on. */
	if (!ret && l->dsm_at == VFIOX_IGD_DSM_BAR2)
		ret = command_set(&z, PCI_COMMAND_MEMORY, &cmd, &cmd_saved);
	if (!ret)
		ret = l->dsm_at == VFIOX_IGD_DSM_BAR2 ? bar2_plan(&z) : ggtt_plan(&z);
	if (ret || (flags & VFIOX_IGD_ZERO_DRY_RUN))
		goto out;
	iova = rep->dsm_base;
	ret = vfiox_physmap_new(c, rep->dsm_base, rep->dsm_size,
				VFIOX_DMA_READ | VFIOX_DMA_WRITE | VFIOX_DMA_FIXED, 0, &iova, &pm);
	if (!ret)
		ret = command_set(&z, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, &cmd, &cmd_saved);
	if (ret)
		goto out;
	ret = l->dsm_at == VFIOX_IGD_DSM_BAR2 ? bar2_clear(&z) : ggtt_clear(&z);
out:
	if (cmd_saved)
		vfiox_device_config_write(d, PCI_COMMAND, &cmd, 2);
	vfiox_bar_close(z.aperture);
	vfiox_physmap_free(pm);
	vfiox_region_free(z.bar0);
	vfiox_region_free(z.bar2);
	free(z.saved);
	free(z.ptes);
	rep->total_ns = now_ns() - t0;
	return ret;
}

static int refuse_host(struct vfiox_ctx *ctx, const struct vfiox_igd *igd)
{
	const char *drv = vfiox_igd_driver(igd), *id = NULL, *summary = NULL;
	const char *dev = vfiox_igd_device(igd);
	char mode[32], path[4096];
	struct stat st;

	int ret = no_method(ctx, dev, vfiox_igd_layout(igd));

	if (ret)
		return ret;
	if (!drv || strcmp(drv, "vfio-pci") != 0)
		return vfiox__err(ctx, -EBUSY, "%s is bound to %s%s: %s; bind it to vfio-pci first "
				  "(vfioctl bind %s)", dev, drv ? "" : "no driver", drv ? drv : "",
				  drv && (!strcmp(drv, "i915") || !strcmp(drv, "xe")) ?
					  "its driver owns the stolen memory" :
					  "the clearing goes through vfio-pci", dev);
	if (vfiox__igd_worst(igd, &id, &summary) >= VFIOX_CHECK_WARN)
		return vfiox__err(ctx, -EPERM, "%s: refusing to clear its stolen memory: %s: %s",
				  dev, id, summary);
	vfiox__lockdown_mode(ctx, mode, sizeof(mode));
	if (mode[0] && strcmp(mode, "none"))
		return vfiox__err(ctx, -EPERM, "%s: the kernel is locked down ([%s] in "
				  "%s/kernel/security/lockdown), which refuses /dev/mem: the "
				  "stolen memory cannot be mapped for the GPU", dev, mode,
				  vfiox_ctx_sysfs_root(ctx));
	if (vfiox__root_path(path, sizeof(path), vfiox_ctx_dev_root(ctx), "mem") ||
	    vfiox_sys_fstatat(AT_FDCWD, path, &st, 0))
		return vfiox__err(ctx, -ENOENT, "%s: there is no %s, through which the stolen "
				  "memory is mapped for the GPU (CONFIG_DEVMEM)", dev, path);
	return 0;
}

VFIOX_EXPORT int vfiox_igd_zero(struct vfiox_ctx *ctx, const char *device, unsigned int flags,
				struct vfiox_igd_zero_report *rep)
{
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_device *d = NULL;
	struct vfiox_igd *igd;
	int ret, group;

	memset(rep, 0, sizeof(*rep));
	ret = vfiox_igd_inspect(ctx, device, VFIOX_IGD_NO_VFIO, &igd);
	if (ret)
		return ret;
	ret = refuse_host(ctx, igd);
	if (ret)
		goto out;
	group = vfiox__igd_group(igd);
	if (group < 0) {
		ret = vfiox__err(ctx, -ENODEV, "%s is in no IOMMU group: the IOMMU is off",
				 vfiox_igd_device(igd));
		goto out;
	}
	/* vfiox_vgroup_open() names the process that holds a busy group. */
	ret = vfiox_container_open(ctx, &c);
	if (!ret)
		ret = vfiox_vgroup_open(ctx, group, &g);
	if (!ret)
		ret = vfiox_container_attach(c, g);
	if (!ret)
		ret = vfiox_device_open(g, vfiox_igd_device(igd), NULL, &d);
	if (ret)
		goto out;
	ret = vfiox_igd_zero_device(c, d, vfiox_igd_layout(igd), flags, rep);
out:
	vfiox_device_close(d);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	vfiox_igd_free(igd);
	return ret;
}
