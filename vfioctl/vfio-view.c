// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VFIO view in `vfioctl show`: open the group and the device the way a VMM would and
 * report what the kernel says (IOMMU, regions, interrupts). When that is impossible the
 * reason and the way to get the view are reported instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "vfioctl.h"

struct vfio_view {
	struct vfiox_container *container;
	struct vfiox_vgroup *group;
	struct vfiox_device *device;
	struct vfiox_iommu_info *iommu;
	struct vfiox_device_info info;
	struct vfiox_region **regions;
	struct vfiox_bar *bars[6]; /* layouts of the BARs the device has */
	struct vfiox_irq *irqs;
	size_t num_regions, num_irqs;
	/* The DMA budget: type1's entry limit (-1 unknown) and this process's memory lock. */
	long long entry_limit;
	bool memlock_known, cap_ipc_lock;
	uint64_t memlock_limit, locked;
	int backend; /* VFIOX_BACKEND_TYPE1 or VFIOX_BACKEND_IOMMUFD */
	char backend_why[400];
	/* iommufd: what IOMMU_GET_HW_INFO says of the IOMMU behind the device opened. */
	struct vfiox_iommu_hw_info hw;
	bool hw_ok;
	char hw_why[300];
	char why[600];
};

static void view_close(struct vfio_view *v)
{
	size_t i;

	for (i = 0; i < 6; i++)
		vfiox_bar_close(v->bars[i]);
	for (i = 0; i < v->num_regions; i++)
		vfiox_region_free(v->regions[i]);
	free(v->regions);
	free(v->irqs);
	vfiox_iommu_info_free(v->iommu);
	vfiox_device_close(v->device);
	vfiox_vgroup_close(v->group);
	vfiox_container_close(v->container);
	memset(v, 0, sizeof(*v));
}

static int view_fail(struct vfio_view *v, struct vfiox_ctx *ctx)
{
	snprintf(v->why, sizeof(v->why), "%s", vfiox_ctx_last_error(ctx));
	return -1;
}

/* ------------------------------------------------------------------ the backend */

static char forced_by[64];

int backend_option(const struct cmd *cmd, const char *arg, int *backend)
{
	const char *env = getenv("VFIOX_BACKEND");
	int b;

	forced_by[0] = '\0';
	if (!arg && (!env || !*env)) {
		*backend = VFIOX_BACKEND_AUTO;
		return 0;
	}
	b = vfiox_backend_parse(arg ? arg : env);
	if (b < 0)
		return usage_error(cmd, "%s '%s': the backend is auto, type1 or iommufd",
				   arg ? "--backend" : "VFIOX_BACKEND", arg ? arg : env);
	if (b != VFIOX_BACKEND_AUTO)
		snprintf(forced_by, sizeof(forced_by), "%s%s%s", arg ? "--backend" : "VFIOX_BACKEND",
			 arg ? " " : "=", arg ? arg : env);
	*backend = b;
	return 0;
}

const char *backend_source(void)
{
	return forced_by[0] ? forced_by : NULL;
}

/* A driver whose name has "vfio" in it: vfio-pci and its variants (mlx5_vfio_pci, ...). */
static bool vfio_driver(const char *drv)
{
	return drv && strstr(drv, "vfio");
}

int device_cdev(struct vfiox_ctx *ctx, struct vfiox_pci_dev *dev, char *buf, size_t len,
		char *why, size_t whylen)
{
	const char *name = vfiox_pci_dev_name(dev), *drv = vfiox_pci_dev_driver(dev);
	char path[4096];
	struct stat st;
	int ret;

	buf[0] = '\0';
	if (!vfio_driver(drv)) {
		if (why)
			snprintf(why, whylen, "%s is bound to %s, not to vfio-pci", name,
				 drv ? drv : "no driver");
		return -ENODEV;
	}
	/*
	 * The directory first: list asks this of every device on vfio-pci, and one path walk
	 * is what a device without vfio-dev (a kernel before Linux 6.1) costs then.
	 */
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/vfio-dev", vfiox_ctx_sysfs_root(ctx),
		 name);
	if (stat(path, &st)) {
		if (why)
			snprintf(why, whylen, "%s has no VFIO cdev: %s does not exist (a kernel "
				 "before Linux 6.1)", name, path);
		return -ENODEV;
	}
	/* The library also tells a vfio-dev/vfioN without a device number (no cdevs). */
	ret = vfiox_device_cdev(ctx, name, buf, len);
	if (ret) {
		if (why)
			snprintf(why, whylen, "%s", vfiox_ctx_last_error(ctx));
		buf[0] = '\0';
		return -ENODEV;
	}
	return 0;
}

/*
 * Why @h has its backend: "asked for with --backend iommufd" when it was forced, else
 * vfiox_backend_choose()'s reason without the name ("type1: no /dev/iommu (...)").
 */
static void set_reason(struct vfio_handles *h, int backend, const char *why)
{
	const char *colon = strchr(why, ':');

	if (backend != VFIOX_BACKEND_AUTO)
		snprintf(h->backend_why, sizeof(h->backend_why), "asked for with %s",
			 backend_source() ? backend_source() : "the caller");
	else
		snprintf(h->backend_why, sizeof(h->backend_why), "%s",
			 colon && colon[1] == ' ' ? colon + 2 : why);
}

/* The first member of @g on a VFIO driver, or NULL. */
static struct vfiox_pci_dev *group_vfio_member(struct vfiox_group *g)
{
	size_t i;

	for (i = 0; i < vfiox_group_num_devs(g); i++)
		if (vfio_driver(vfiox_pci_dev_driver(vfiox_group_dev(g, i))))
			return vfiox_group_dev(g, i);
	return NULL;
}

/*
 * The kernel refuses to bind a device of a group that is not viable to an iommufd with
 * EBUSY, which says nothing of why: say it as type1 does (vfiox_vgroup_open()).
 */
static bool group_not_viable(struct vfiox_group *g, char *why, size_t len)
{
	size_t i, n;

	if (vfiox_group_viable(g))
		return false;
	n = (size_t)snprintf(why, len, "IOMMU group %d is not viable: ", vfiox_group_id(g));
	for (i = 0; i < vfiox_group_num_blockers(g) && n < len; i++) {
		struct vfiox_pci_dev *b = vfiox_group_blocker(g, i);

		n += (size_t)snprintf(why + n, len - n, "%s%s (bound to %s)", i ? ", " : "",
				      vfiox_pci_dev_name(b), vfiox_pci_dev_driver(b));
	}
	if (n < len)
		snprintf(why + n, len - n, "; every member must be bound to vfio-pci, pci-stub, "
			 "pcieport or no driver (unbind those devices, or bind them to vfio-pci; "
			 "'vfioctl show %d' lists the members)", vfiox_group_id(g));
	return true;
}

/* The group alone in a type1 container: what shows the IOMMU of a group. */
static int open_group_type1(struct vfiox_ctx *ctx, struct vfiox_group *g, struct vfio_handles *h)
{
	h->backend = VFIOX_BACKEND_TYPE1;
	return vfiox_container_open(ctx, &h->container) ||
	       vfiox_vgroup_open(ctx, vfiox_group_id(g), &h->group) ||
	       vfiox_container_attach(h->container, h->group) ? -1 : 0;
}

int vfio_open(struct vfiox_ctx *ctx, struct vfiox_group *g, struct vfiox_pci_dev *dev,
	      const char *vf_token, int backend, struct vfio_handles *h, char *why, size_t len)
{
	char choice[sizeof(h->backend_why)];
	int ret;

	memset(h, 0, sizeof(*h));
	if (dev) {
		const char *drv = vfiox_pci_dev_driver(dev);

		if (!vfio_driver(drv)) {
			snprintf(why, len,
				 "%s is %s%s, not to vfio-pci: bind it to vfio-pci first "
				 "(echo vfio-pci > /sys/bus/pci/devices/%s/driver_override, "
				 "unbind it, echo %s > /sys/bus/pci/drivers_probe)",
				 vfiox_pci_dev_name(dev), drv ? "bound to " : "bound to no driver",
				 drv ? drv : "", vfiox_pci_dev_name(dev), vfiox_pci_dev_name(dev));
			return -1;
		}
	}
	if (!g) {
		snprintf(why, len,
			 "the device is in no IOMMU group: the IOMMU is off (see 'vfioctl list')");
		return -1;
	}
	if (!dev) {
		/* A group: type1 opens it as it is; iommufd sees it through one of its devices. */
		struct vfiox_pci_dev *member = backend == VFIOX_BACKEND_TYPE1 ? NULL
									: group_vfio_member(g);

		if (!member && backend == VFIOX_BACKEND_IOMMUFD) {
			snprintf(why, len, "the iommufd backend opens devices, not groups, and no "
				 "device of IOMMU group %d is bound to vfio-pci", vfiox_group_id(g));
			return -1;
		}
		ret = VFIOX_BACKEND_TYPE1;
		snprintf(choice, sizeof(choice), "type1: no member of the group is on vfio-pci to "
			 "open by its cdev");
		if (member)
			ret = vfiox_backend_choose(ctx, vfiox_pci_dev_name(member), backend, false,
						   choice, sizeof(choice));
		if (ret < 0)
			goto err_close;
		set_reason(h, backend, choice);
		if (member && ret == VFIOX_BACKEND_IOMMUFD) {
			size_t n = strlen(h->backend_why);

			snprintf(h->backend_why + n, sizeof(h->backend_why) - n,
				 " (through its member %s)", vfiox_pci_dev_name(member));
		}
		if (ret == VFIOX_BACKEND_TYPE1) {
			/* The group alone: no device opened, so none is reset. */
			if (open_group_type1(ctx, g, h))
				goto err_close;
			return 0;
		}
		dev = member;
		vf_token = NULL;
	} else {
		ret = vfiox_backend_choose(ctx, vfiox_pci_dev_name(dev), backend, vf_token != NULL,
					   choice, sizeof(choice));
		if (ret < 0)
			goto err_close;
		set_reason(h, backend, choice);
	}
	h->backend = ret;
	if (h->backend == VFIOX_BACKEND_IOMMUFD && group_not_viable(g, why, len))
		return -1;
	if (vfiox_device_open_any(ctx, vfiox_pci_dev_name(dev), h->backend, vf_token,
				  &h->container, &h->group, &h->device))
		goto err_close;
	return 0;
err_close:
	snprintf(why, len, "%s", vfiox_ctx_last_error(ctx));
	vfio_close(h);
	return -1;
}

int target_open(struct vfiox_ctx *ctx, const char *addr, const char *vf_token, const char *what,
		struct target *t)
{
	return target_open_backend(ctx, addr, vf_token, VFIOX_BACKEND_AUTO, what, t);
}

int target_open_backend(struct vfiox_ctx *ctx, const char *addr, const char *vf_token,
			int backend, const char *what, struct target *t)
{
	char why[600];

	memset(t, 0, sizeof(*t));
	if (vfiox_scan_new(ctx, &t->scan)) {
		lib_error(ctx, "scanning PCI devices", -EIO);
		return -1;
	}
	if (vfiox_scan_find_dev(t->scan, addr, &t->dev)) {
		lib_error(ctx, addr, -ENODEV);
		target_close(t);
		return -1;
	}
	if (vfio_open(ctx, device_group(t->scan, t->dev), t->dev, vf_token, backend, &t->h, why,
		      sizeof(why))) {
		err_msg("cannot %s %s: %s", what, vfiox_pci_dev_name(t->dev), why);
		target_close(t);
		return -1;
	}
	return 0;
}

void target_close(struct target *t)
{
	vfio_close(&t->h);
	vfiox_scan_free(t->scan);
	memset(t, 0, sizeof(*t));
}

void vfio_close(struct vfio_handles *h)
{
	vfiox_device_close(h->device);
	vfiox_vgroup_close(h->group);
	vfiox_container_close(h->container);
	memset(h, 0, sizeof(*h));
}

static void read_budget(struct vfio_view *v, struct vfiox_ctx *ctx)
{
	char path[4096];
	FILE *f;

	v->entry_limit = -1;
	snprintf(path, sizeof(path), "%s/module/vfio_iommu_type1/parameters/dma_entry_limit",
		 vfiox_ctx_sysfs_root(ctx));
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%lld", &v->entry_limit) != 1)
			v->entry_limit = -1;
		fclose(f);
	}
	v->memlock_known = vfiox_memlock_info(ctx, &v->memlock_limit, &v->locked,
					      &v->cap_ipc_lock) == 0;
}

/* Opens container and group; with @dev also the device and all its info. */
static int view_open(struct vfio_view *v, struct vfiox_ctx *ctx, struct vfiox_group *g,
		     struct vfiox_pci_dev *dev, const char *vf_token, int backend)
{
	struct vfio_handles h;
	uint32_t i;

	memset(v, 0, sizeof(*v));
	if (vfio_open(ctx, g, dev, vf_token, backend, &h, v->why, sizeof(v->why)))
		return -1;
	v->container = h.container;
	v->group = h.group;
	v->device = h.device;
	v->backend = h.backend;
	snprintf(v->backend_why, sizeof(v->backend_why), "%s", h.backend_why);
	if (vfiox_container_iommu_info(v->container, &v->iommu))
		return view_fail(v, ctx);
	read_budget(v, ctx);
	/* Not knowing the hardware does not take the view away. */
	if (v->backend == VFIOX_BACKEND_IOMMUFD && v->device) {
		v->hw_ok = vfiox_device_iommu_hw_info(v->device, &v->hw) == 0;
		if (!v->hw_ok)
			snprintf(v->hw_why, sizeof(v->hw_why), "%s", vfiox_ctx_last_error(ctx));
	}
	if (!dev)
		return 0;
	if (vfiox_device_info(v->device, &v->info))
		return view_fail(v, ctx);
	v->regions = calloc(v->info.num_regions ? v->info.num_regions : 1, sizeof(*v->regions));
	v->irqs = calloc(v->info.num_irqs ? v->info.num_irqs : 1, sizeof(*v->irqs));
	if (!v->regions || !v->irqs) {
		snprintf(v->why, sizeof(v->why), "out of memory");
		return -1;
	}
	for (i = 0; i < v->info.num_regions; i++) {
		int ret = vfiox_device_region(v->device, i, &v->regions[v->num_regions]);

		/* vfio-pci refuses indexes the device lacks (VGA on a non-VGA device). */
		if (ret == -EINVAL)
			continue;
		if (ret)
			return view_fail(v, ctx);
		if (i < 6 && v->regions[v->num_regions]->size &&
		    vfiox_bar_open(v->device, i, 0, &v->bars[i]))
			return view_fail(v, ctx);
		v->num_regions++;
	}
	for (i = 0; i < v->info.num_irqs; i++) {
		int ret = vfiox_device_irq(v->device, i, &v->irqs[v->num_irqs]);

		/* ERR exists only for PCIe devices: vfio-pci refuses the index otherwise. */
		if (ret == -EINVAL)
			continue;
		if (ret)
			return view_fail(v, ctx);
		v->num_irqs++;
	}
	return 0;
}

static const char *model_name(int m)
{
	return m == VFIOX_IOMMU_TYPE1V2 ? "type1v2" : m == VFIOX_IOMMU_TYPE1 ? "type1"
	       : m == VFIOX_IOMMU_IOMMUFD ? "iommufd" : "none";
}

/* IOMMU_HW_CAP_* by name, as in the JSON: "dirty-tracking pasid-exec". */
static void hw_caps(uint64_t caps, char *buf, size_t len)
{
	static const char *const names[] = { "dirty-tracking", "pasid-exec", "pasid-priv" };
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < 64 && n < len; i++) {
		if (!(caps & (1ull << i)))
			continue;
		if (i < sizeof(names) / sizeof(names[0]))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "", names[i]);
		else
			n += (size_t)snprintf(buf + n, len - n, "%sbit%zu", n ? " " : "", i);
	}
}

static void size_str(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	while (n >= 1024 && !(n & 1023) && u < 4) {
		n >>= 10;
		u++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)n, units[u]);
}

static const char *const seg_reasons[] = {
	[VFIOX_SEG_MAPPED] = "mapped", [VFIOX_SEG_MSIX_TABLE] = "msix-table",
	[VFIOX_SEG_MSIX_PBA] = "msix-pba", [VFIOX_SEG_SPARSE_GAP] = "sparse-gap",
	[VFIOX_SEG_NOT_MMAPPABLE] = "not-mmappable",
};

static const char *seg_reason(int kind)
{
	return kind >= 0 && kind <= VFIOX_SEG_NOT_MMAPPABLE ? seg_reasons[kind] : "unknown";
}

static const char *const seg_words[] = {
	[VFIOX_SEG_MAPPED] = "mapped", [VFIOX_SEG_MSIX_TABLE] = "trapped (MSI-X table)",
	[VFIOX_SEG_MSIX_PBA] = "trapped (MSI-X PBA)",
	[VFIOX_SEG_SPARSE_GAP] = "trapped (outside the sparse-mmap areas)",
	[VFIOX_SEG_NOT_MMAPPABLE] = "trapped (not mmappable)",
};

static void print_bar_layouts(const struct vfio_view *v)
{
	size_t i, k;

	for (i = 0; i < 6; i++) {
		if (!v->bars[i])
			continue;
		for (k = 0; k < vfiox_bar_num_segments(v->bars[i]); k++) {
			const struct vfiox_bar_segment *sg = vfiox_bar_segment(v->bars[i], k);
			char label[32];

			snprintf(label, sizeof(label), "BAR%zu layout:", i);
			printf("  %-17s 0x%llx-0x%llx %s\n", k ? "" : label,
			       (unsigned long long)sg->offset,
			       (unsigned long long)(sg->offset + sg->size - 1),
			       sg->kind >= 0 && sg->kind <= VFIOX_SEG_NOT_MMAPPABLE ? seg_words[sg->kind]
										 : "?");
		}
	}
}

static void region_flags(uint32_t f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", f & VFIO_REGION_INFO_FLAG_READ ? "read " : "",
		 f & VFIO_REGION_INFO_FLAG_WRITE ? "write " : "",
		 f & VFIO_REGION_INFO_FLAG_MMAP ? "mmap " : "");
	if (*buf)
		buf[strlen(buf) - 1] = '\0';
}

static void irq_flags(uint32_t f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", f & VFIO_IRQ_INFO_EVENTFD ? "eventfd " : "",
		 f & VFIO_IRQ_INFO_MASKABLE ? "maskable " : "",
		 f & VFIO_IRQ_INFO_AUTOMASKED ? "automasked " : "",
		 f & VFIO_IRQ_INFO_NORESIZE ? "noresize " : "");
	if (*buf)
		buf[strlen(buf) - 1] = '\0';
}

/* ------------------------------------------------------------------ human */

static void print_hw_info(const struct vfio_view *v)
{
	const struct vfiox_iommu_hw_info *hw = &v->hw;
	char caps[160], pasid[40];

	if (!v->hw_ok) {
		printf("  %-17s unavailable: %s\n", "IOMMU hardware:", v->hw_why);
		return;
	}
	hw_caps(hw->capabilities, caps, sizeof(caps));
	if (hw->max_pasid_log2)
		snprintf(pasid, sizeof(pasid), "PASIDs of %u bits", hw->max_pasid_log2);
	else
		snprintf(pasid, sizeof(pasid), "no PASID");
	printf("  %-17s %s; capabilities: %s; %s\n", "IOMMU hardware:", hw->type_name,
	       caps[0] ? caps : "none", pasid);
	if (hw->type == VFIOX_IOMMU_HW_INTEL_VTD)
		printf("  %-17s cap 0x%016llx, ecap 0x%016llx%s\n", "VT-d registers:",
		       (unsigned long long)hw->vtd_cap_reg, (unsigned long long)hw->vtd_ecap_reg,
		       hw->vtd_flags & 1 ? ", erratum 772415 (SPR17)" : "");
}

static void print_iommu(const struct vfio_view *v)
{
	const struct vfiox_iommu_info *io = v->iommu;
	unsigned int models = vfiox_container_models(v->container);
	bool fd = v->backend == VFIOX_BACKEND_IOMMUFD;
	char pg[640] = "";
	size_t i, n = 0;

	/* "type1: no /dev/iommu (...)", "iommufd, asked for with --backend iommufd" */
	printf("  %-17s %s%s%s\n", "VFIO backend:", fd ? "iommufd" : "type1",
	       !v->backend_why[0] ? "" : strncmp(v->backend_why, "asked for", 9) ? ": " : ", ",
	       v->backend_why);
	if (fd && v->device)
		printf("  %-17s iommufd, IOAS %u, device id %u\n", "IOMMU model:",
		       vfiox_container_ioas(v->container), vfiox_device_devid(v->device));
	else if (fd)
		printf("  %-17s iommufd, IOAS %u\n", "IOMMU model:",
		       vfiox_container_ioas(v->container));
	else
		printf("  %-17s %s (offered:%s%s)\n", "IOMMU model:",
		       model_name(vfiox_container_model(v->container)),
		       models & (1u << VFIOX_IOMMU_TYPE1) ? " type1" : "",
		       models & (1u << VFIOX_IOMMU_TYPE1V2) ? " type1v2" : "");
	for (i = 12; i < 64 && n < sizeof(pg); i++)
		if (io->pgsizes & (1ull << i)) {
			char s[24];

			size_str(1ull << i, s, sizeof(s));
			n += (size_t)snprintf(pg + n, sizeof(pg) - n, "%s%s", n ? ", " : "", s);
		}
	/* iommufd reports the alignment its IOAS needs, not the page sizes of the IOMMU. */
	printf("  %-17s %s\n", fd ? "IOVA alignment:" : "IOMMU page sizes:", n ? pg : "-");
	if (!io->iova_ranges)
		printf("  %-17s not reported by this kernel\n", "IOVA ranges:");
	for (i = 0; i < io->num_iova_ranges; i++)
		printf("  %-17s 0x%llx-0x%llx\n", i ? "" : "IOVA ranges:",
		       (unsigned long long)io->iova_ranges[i].start,
		       (unsigned long long)io->iova_ranges[i].end);
	if (fd)
		printf("  %-17s no entry limit (iommufd)\n", "DMA mappings:");
	else if (io->dma_avail >= 0 && v->entry_limit >= 0)
		printf("  %-17s %lld available (dma_entry_limit %lld)\n", "DMA mappings:",
		       (long long)io->dma_avail, v->entry_limit);
	else if (io->dma_avail >= 0)
		printf("  %-17s %lld available\n", "DMA mappings:", (long long)io->dma_avail);
	else
		printf("  %-17s not reported by this kernel\n", "DMA mappings:");
	if (v->memlock_known) {
		char lim[24], lck[24];

		size_str(v->locked, lck, sizeof(lck));
		if (v->memlock_limit == UINT64_MAX)
			snprintf(lim, sizeof(lim), "unlimited");
		else
			size_str(v->memlock_limit, lim, sizeof(lim));
		printf("  %-17s limit %s, %s locked%s%s\n", "Memory lock:", lim, lck,
		       v->cap_ipc_lock ? "; CAP_IPC_LOCK, so no limit applies" : "",
		       fd ? "; iommufd charges per user" : "");
	}
	if (fd && v->device)
		print_hw_info(v);
	if (io->migration)
		printf("  %-17s dirty tracking, bitmap up to %llu bytes\n", "Migration:",
		       (unsigned long long)io->max_dirty_bitmap_size);
	for (i = 0; i < io->num_unknown_caps && i < 16; i++)
		printf("  %-17s unknown capability %u\n", i ? "" : "IOMMU caps:", io->unknown_caps[i]);
}

static void print_device_view(const struct vfio_view *v)
{
	struct table t;
	size_t i;

	print_iommu(v);
	printf("  %-17s %s%s%s\n", "VFIO device:",
	       v->info.flags & VFIO_DEVICE_FLAGS_PCI ? "PCI" : "not PCI",
	       v->info.flags & VFIO_DEVICE_FLAGS_RESET ? ", resettable" : "",
	       v->info.num_caps ? ", with capabilities" : "");
	for (i = 0; i < v->info.num_caps && i < 16; i++)
		printf("  %-17s capability %u\n", "", v->info.cap_ids[i]);
	printf("  Regions:\n");
	table_init(&t, 5);
	for (i = 0; i < v->num_regions; i++) {
		const struct vfiox_region *r = v->regions[i];
		char idx[16], size[32], fl[64], extra[512] = "";
		size_t k, n = 0;

		if (!r->size && !r->has_type)
			continue; /* not implemented by the device */
		snprintf(idx, sizeof(idx), "%u", r->index);
		size_str(r->size, size, sizeof(size));
		region_flags(r->flags, fl, sizeof(fl));
		if (r->has_type)
			n += (size_t)snprintf(extra + n, sizeof(extra) - n, "type 0x%x/%u ", r->type,
					      r->subtype);
		if (r->msix_mappable)
			n += (size_t)snprintf(extra + n, sizeof(extra) - n, "msix-mappable ");
		if (r->has_sparse) {
			n += (size_t)snprintf(extra + n, sizeof(extra) - n, "sparse:");
			for (k = 0; k < r->num_sparse && n < sizeof(extra); k++)
				n += (size_t)snprintf(extra + n, sizeof(extra) - n, " 0x%llx+0x%llx",
						      (unsigned long long)r->sparse[k].offset,
						      (unsigned long long)r->sparse[k].size);
			if (n < sizeof(extra))
				n += (size_t)snprintf(extra + n, sizeof(extra) - n, " ");
		}
		for (k = 0; k < r->num_unknown_caps && k < 16 && n < sizeof(extra); k++)
			n += (size_t)snprintf(extra + n, sizeof(extra) - n, "cap#%u ",
					      r->unknown_caps[k]);
		if (n && n < sizeof(extra))
			extra[n - 1] = '\0';
		table_add(&t, idx, r->name, size, fl, n ? extra : "");
	}
	table_print(&t, stdout, "    ");
	table_free(&t);
	print_bar_layouts(v);
	printf("  Interrupts:\n");
	table_init(&t, 4);
	for (i = 0; i < v->num_irqs; i++) {
		char idx[16], count[16], fl[80];

		snprintf(idx, sizeof(idx), "%u", v->irqs[i].index);
		snprintf(count, sizeof(count), "%u", v->irqs[i].count);
		irq_flags(v->irqs[i].flags, fl, sizeof(fl));
		table_add(&t, idx, v->irqs[i].name, count, v->irqs[i].count ? fl : "none");
	}
	table_print(&t, stdout, "    ");
	table_free(&t);
}

/* ------------------------------------------------------------------ JSON */

static void json_flag_list(struct json *j, const char *key, const char *words);

static void json_hw_info(struct json *j, const struct vfio_view *v)
{
	const struct vfiox_iommu_hw_info *hw = &v->hw;
	char caps[160];

	if (!v->hw_ok) {
		json_null(j, "hw_info");
		json_str(j, "hw_info_unavailable",
			 v->backend == VFIOX_BACKEND_IOMMUFD && v->device ? v->hw_why : NULL);
		return;
	}
	json_obj_open(j, "hw_info");
	json_str(j, "type", hw->type_name);
	json_int(j, "type_id", hw->type);
	hw_caps(hw->capabilities, caps, sizeof(caps));
	json_flag_list(j, "capabilities", caps);
	json_int(j, "max_pasid_log2", hw->max_pasid_log2);
	json_int(j, "data_len", hw->data_len);
	if (hw->type == VFIOX_IOMMU_HW_INTEL_VTD) {
		json_obj_open(j, "vtd");
		json_int(j, "flags", hw->vtd_flags);
		json_hex(j, "cap_reg", (unsigned long)hw->vtd_cap_reg, 16);
		json_hex(j, "ecap_reg", (unsigned long)hw->vtd_ecap_reg, 16);
		json_obj_close(j);
	} else {
		json_null(j, "vtd");
	}
	json_obj_close(j);
	json_null(j, "hw_info_unavailable");
}

static void json_iommu(struct json *j, const struct vfio_view *v)
{
	const struct vfiox_iommu_info *io = v->iommu;
	unsigned int models = vfiox_container_models(v->container);
	bool fd = v->backend == VFIOX_BACKEND_IOMMUFD;
	size_t i;

	json_obj_open(j, "iommu");
	json_str(j, "backend", vfiox_backend_name(v->backend));
	json_str(j, "backend_reason", v->backend_why);
	json_str(j, "model", model_name(vfiox_container_model(v->container)));
	json_arr_open(j, "models");
	if (models & (1u << VFIOX_IOMMU_TYPE1))
		json_str(j, NULL, "type1");
	if (models & (1u << VFIOX_IOMMU_TYPE1V2))
		json_str(j, NULL, "type1v2");
	json_arr_close(j);
	json_int_or_null(j, "ioas", vfiox_container_ioas(v->container), fd);
	json_strf(j, "pgsizes", "0x%llx", (unsigned long long)io->pgsizes);
	if (io->iova_ranges) {
		json_arr_open(j, "iova_ranges");
		for (i = 0; i < io->num_iova_ranges; i++) {
			json_obj_open(j, NULL);
			json_strf(j, "start", "0x%llx", (unsigned long long)io->iova_ranges[i].start);
			json_strf(j, "end", "0x%llx", (unsigned long long)io->iova_ranges[i].end);
			json_obj_close(j);
		}
		json_arr_close(j);
	} else {
		json_null(j, "iova_ranges");
	}
	json_int_or_null(j, "dma_avail", io->dma_avail, io->dma_avail >= 0);
	json_obj_open(j, "dma_budget");
	json_int_or_null(j, "entries_avail", io->dma_avail, io->dma_avail >= 0);
	json_int_or_null(j, "entry_limit", v->entry_limit, !fd && v->entry_limit >= 0);
	json_int_or_null(j, "memlock_limit", (long long)v->memlock_limit,
			 v->memlock_known && v->memlock_limit != UINT64_MAX);
	json_bool(j, "memlock_unlimited", v->memlock_known && v->memlock_limit == UINT64_MAX);
	json_int_or_null(j, "locked", (long long)v->locked, v->memlock_known);
	json_bool(j, "cap_ipc_lock", v->cap_ipc_lock);
	json_str(j, "memlock_accounting", fd ? "user" : "process");
	json_obj_close(j);
	json_hw_info(j, v);
	if (io->migration) {
		json_obj_open(j, "migration");
		json_int(j, "flags", io->migration_flags);
		json_strf(j, "pgsizes", "0x%llx", (unsigned long long)io->migration_pgsizes);
		json_int(j, "max_dirty_bitmap_size", (long long)io->max_dirty_bitmap_size);
		json_obj_close(j);
	} else {
		json_null(j, "migration");
	}
	json_arr_open(j, "unknown_caps");
	for (i = 0; i < io->num_unknown_caps && i < 16; i++)
		json_int(j, NULL, io->unknown_caps[i]);
	json_arr_close(j);
	json_obj_close(j);
}

static void json_flag_list(struct json *j, const char *key, const char *words)
{
	char *copy = strdup(words), *tok, *save = NULL;

	json_arr_open(j, key);
	for (tok = copy ? strtok_r(copy, " ", &save) : NULL; tok; tok = strtok_r(NULL, " ", &save))
		json_str(j, NULL, tok);
	json_arr_close(j);
	free(copy);
}

static void json_device_view(struct json *j, const struct vfio_view *v)
{
	size_t i, k;

	json_obj_open(j, "vfio");
	json_iommu(j, v);
	json_obj_open(j, "device");
	json_int(j, "flags", v->info.flags);
	json_bool(j, "pci", v->info.flags & VFIO_DEVICE_FLAGS_PCI);
	json_bool(j, "reset", v->info.flags & VFIO_DEVICE_FLAGS_RESET);
	json_int(j, "num_regions", v->info.num_regions);
	json_int(j, "num_irqs", v->info.num_irqs);
	json_int_or_null(j, "iommufd_devid", vfiox_device_devid(v->device),
			 vfiox_device_devid(v->device) != 0);
	json_arr_open(j, "caps");
	for (i = 0; i < v->info.num_caps && i < 16; i++)
		json_int(j, NULL, v->info.cap_ids[i]);
	json_arr_close(j);
	json_obj_close(j);
	json_arr_open(j, "regions");
	for (i = 0; i < v->num_regions; i++) {
		const struct vfiox_region *r = v->regions[i];
		char fl[64];

		json_obj_open(j, NULL);
		json_int(j, "index", r->index);
		json_str(j, "name", r->name);
		json_int(j, "size", (long long)r->size);
		json_strf(j, "offset", "0x%llx", (unsigned long long)r->offset);
		region_flags(r->flags, fl, sizeof(fl));
		json_flag_list(j, "flags", fl);
		if (r->has_type) {
			json_obj_open(j, "type");
			json_strf(j, "type", "0x%x", r->type);
			json_int(j, "subtype", r->subtype);
			json_obj_close(j);
		} else {
			json_null(j, "type");
		}
		json_bool(j, "msix_mappable", r->msix_mappable);
		if (r->has_sparse) {
			json_arr_open(j, "sparse");
			for (k = 0; k < r->num_sparse; k++) {
				json_obj_open(j, NULL);
				json_strf(j, "offset", "0x%llx", (unsigned long long)r->sparse[k].offset);
				json_int(j, "size", (long long)r->sparse[k].size);
				json_obj_close(j);
			}
			json_arr_close(j);
		} else {
			json_null(j, "sparse");
		}
		json_arr_open(j, "unknown_caps");
		for (k = 0; k < r->num_unknown_caps && k < 16; k++)
			json_int(j, NULL, r->unknown_caps[k]);
		json_arr_close(j);
		if (r->index < 6 && v->bars[r->index]) {
			const struct vfiox_bar *b = v->bars[r->index];

			json_arr_open(j, "layout");
			for (k = 0; k < vfiox_bar_num_segments(b); k++) {
				const struct vfiox_bar_segment *sg = vfiox_bar_segment(b, k);

				json_obj_open(j, NULL);
				json_strf(j, "offset", "0x%llx", (unsigned long long)sg->offset);
				json_int(j, "size", (long long)sg->size);
				json_bool(j, "mapped", sg->kind == VFIOX_SEG_MAPPED);
				json_str(j, "reason", seg_reason(sg->kind));
				json_obj_close(j);
			}
			json_arr_close(j);
		} else {
			json_null(j, "layout");
		}
		json_obj_close(j);
	}
	json_arr_close(j);
	json_arr_open(j, "irqs");
	for (i = 0; i < v->num_irqs; i++) {
		char fl[80];

		json_obj_open(j, NULL);
		json_int(j, "index", v->irqs[i].index);
		json_str(j, "name", v->irqs[i].name);
		json_int(j, "count", v->irqs[i].count);
		irq_flags(v->irqs[i].flags, fl, sizeof(fl));
		json_flag_list(j, "flags", fl);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

/* ------------------------------------------------------------------ entry points */

void vfio_view_device(struct vfiox_ctx *ctx, struct vfiox_group *g, struct vfiox_pci_dev *dev,
		      const char *vf_token, int backend, struct json *j)
{
	struct vfio_view v;

	if (view_open(&v, ctx, g, dev, vf_token, backend)) {
		if (j) {
			json_null(j, "vfio");
			json_str(j, "vfio_unavailable", v.why);
		} else {
			printf("  %-17s unavailable: %s\n", "VFIO:", v.why);
		}
	} else if (j) {
		json_device_view(j, &v);
		json_null(j, "vfio_unavailable");
	} else {
		print_device_view(&v);
	}
	view_close(&v);
}

void vfio_view_group(struct vfiox_ctx *ctx, struct vfiox_group *g, int backend, struct json *j)
{
	struct vfio_view v;

	if (!vfiox_group_viable(g)) {
		if (j) {
			json_null(j, "iommu");
			json_str(j, "vfio_unavailable", "the group is not viable");
		}
		return;
	}
	if (view_open(&v, ctx, g, NULL, NULL, backend)) {
		if (j) {
			json_null(j, "iommu");
			json_str(j, "vfio_unavailable", v.why);
		} else {
			printf("  %-17s unavailable: %s\n", "VFIO:", v.why);
		}
	} else if (j) {
		json_iommu(j, &v);
		json_null(j, "vfio_unavailable");
	} else {
		print_iommu(&v);
	}
	view_close(&v);
}
