// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The iommufd backend (libvfiox/iommufd.c), DMA over it (dma.c), the hot reset of a
 * device bound by its cdev (reset.c) and the choice between the backends, against a
 * fake kernel at the syscall layer.
 *
 * The fixture is a sysfs tree with devices on vfio-pci that have vfio-dev/vfioN, one on
 * another driver and one on vfio-pci without vfio-dev (a kernel without
 * CONFIG_VFIO_DEVICE_CDEV); the device root <root>/dev holds /dev/iommu, /dev/vfio/vfio,
 * /dev/vfio/N and /dev/vfio/devices/vfioN as plain files, which a test deletes to take
 * a node away. Opening one of them hands out a fake fd of its kind (a missing file is
 * -ENOENT, as the kernel's open). The fake iommufd allocates IOASes and answers
 * IOMMU_IOAS_IOVA_RANGES as iommufd_ioas_iova_ranges() does (copies what fits, always
 * tells the count, -EMSGSIZE when it did not fit), keeps the IOAS_MAP mappings and
 * refuses one outside the current ranges or over another; the fake cdev binds once,
 * attaches to an existing IOAS only, refuses an attach that would put a mapping into a
 * reserved range (EADDRINUSE), and answers the hot reset calls with device ids. A small
 * fake type1 container and group stand behind vfiox_device_open_any(). getrlimit, mmap of
 * /dev/mem and /proc (status, iomem, the holders of a group node) are faked too. Every
 * test ends with every fake fd closed exactly once.
 *
 * Linked with WRAP_test-iommufd in the Makefile.
 */
#include <inttypes.h>
#include <linux/vfio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vfiox/vfiox.h>

#include "internal.h"
#include "iommufd-uapi.h"
#include "testutil.h"

#define FK_MAX 64
#include "fake-kernel.h"

#ifndef VFIO_PCI_HOT_RESET_FLAG_DEV_ID
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID (1 << 0)
#endif
#ifndef VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED (1 << 1)
#endif

#define EDU "0000:00:03.0"   /* vfio-pci, group 3, vfio-dev/vfio3 */
#define NVME "0000:00:04.0"  /* vfio-pci, group 4, vfio-dev/vfio4 */
#define NET "0000:00:05.0"   /* e1000e, group 5 */
#define OLD "0000:00:06.0"   /* vfio-pci, group 6, no vfio-dev */
#define EDU2 "0000:00:07.0"  /* vfio-pci, group 7, vfio-dev/vfio7 */
#define GHOST "0000:00:1f.7" /* not in sysfs */
#define VF_TOKEN "2ab74924-c335-45f4-9b16-8569e5b08258"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define MSI_LO 0xfee00000ull
#define MSI_HI 0xfeefffffull
#define TOP 0xffffffffffffull
#define RW (VFIOX_DMA_READ | VFIOX_DMA_WRITE)
#define VA(x) ((void *)(uintptr_t)(x))
#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

int __real_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
int __wrap_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
int __real_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __real_vfiox_sys_set_cloexec(int fd);
int __wrap_vfiox_sys_set_cloexec(int fd);
int __real_vfiox_sys_getrlimit(int resource, struct rlimit *rl);
int __wrap_vfiox_sys_getrlimit(int resource, struct rlimit *rl);
int __real_vfiox_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off,
			  void **addrp);
int __wrap_vfiox_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off,
			  void **addrp);
int __real_vfiox_sys_munmap(void *addr, size_t len);
int __wrap_vfiox_sys_munmap(void *addr, size_t len);

enum fk_kind { K_FREE, K_IOMMUFD, K_CDEV, K_CONTAINER, K_GROUP, K_DEVICE, K_MEM };

struct fk_map {
	uint64_t iova, length, user_va;
	uint32_t flags;
};

static struct fake {
	char devroot[4096];
	int iommu_open_err, cdev_open_err;
	int open_flags[FK_MAX];
	char open_path[FK_MAX][256];

	/* IOMMU_IOAS_ALLOC and the IOASes that exist */
	int alloc_err;
	uint32_t alloc_id;
	uint32_t ioas[8];
	unsigned nioas, alloc_calls;
	struct vfiox_k_ioas_alloc last_alloc;

	/* IOMMU_IOAS_IOVA_RANGES: the ranges of the IOAS as they are now */
	struct vfiox_k_iova_range ranges[4200];
	uint32_t nranges;
	uint64_t align;
	uint32_t grow; /* every call reports this many ranges more than the one before */
	int ranges_err;
	unsigned ranges_calls;
	uint32_t first_num_iovas;
	uint64_t first_allowed;
	uint32_t ranges_ioas;

	/* IOMMU_IOAS_MAP / UNMAP */
	struct fk_map maps[1024];
	size_t nmaps;
	unsigned map_calls, unmap_calls, outside;
	int map_err;
	struct vfiox_k_ioas_map last_map;
	struct vfiox_k_ioas_unmap last_unmap;

	/* IOMMU_GET_HW_INFO */
	uint32_t hw_type, hw_len;
	uint8_t hw_data[128];
	uint64_t hw_caps;
	uint8_t hw_pasid;
	unsigned hw_calls;
	struct vfiox_k_hw_info last_hw;

	/* the cdevs */
	int bind_err, attach_err;
	bool devid_zero;
	uint32_t next_devid;
	bool bound[FK_MAX];
	uint32_t devid[FK_MAX];
	uint32_t attached[FK_MAX]; /* the IOAS, 0: none */
	unsigned bind_calls, attach_calls;
	struct vfiox_k_bind_iommufd last_bind;
	struct vfiox_k_attach_iommufd_pt last_attach;

	/* hot reset */
	struct vfio_pci_dependent_device rdevs[8];
	unsigned nrdevs;
	uint32_t rflags;
	unsigned hot_calls;
	uint32_t hot_argsz, hot_flags, hot_count;

	/* type1 */
	int group_container[FK_MAX];
	bool viable;
	int get_device_err;
	unsigned get_device_calls, set_container_calls;
	char device_arg[256];

	/* memory */
	uint64_t rlimit;
	void *mem_addr;
	size_t mem_len;
	unsigned mem_maps, mem_unmaps;
} fk;

/* ------------------------------------------------------------------ the fake kernel */

static bool ioas_exists(uint32_t id)
{
	unsigned i;

	for (i = 0; i < fk.nioas; i++)
		if (fk.ioas[i] == id)
			return true;
	return false;
}

static bool in_fk_ranges(uint64_t iova, uint64_t len)
{
	uint64_t last = iova + len - 1;
	uint32_t i;

	for (i = 0; i < fk.nranges; i++)
		if (iova >= fk.ranges[i].start && last <= fk.ranges[i].last && last >= iova)
			return true;
	return false;
}

static void set_ranges(uint32_t n, const uint64_t *pairs)
{
	uint32_t i;

	assert_true(n <= N_ELEMS(fk.ranges));
	for (i = 0; i < n; i++)
		fk.ranges[i] = (struct vfiox_k_iova_range){ pairs[2 * i], pairs[2 * i + 1] };
	fk.nranges = n;
}

/* What a device behind an Intel IOMMU leaves usable: all of 48 bits but the MSI window. */
static void msi_ranges(void)
{
	static const uint64_t r[] = { 0, MSI_LO - 1, MSI_HI + 1, TOP };

	set_ranges(2, r);
}

/* Under <devroot>: the kind of node @rel is, and the N of vfio/devices/vfioN. */
static int node_kind(const char *rel, int *num)
{
	char *end;

	if (!strcmp(rel, "iommu"))
		return K_IOMMUFD;
	if (!strcmp(rel, "vfio/vfio"))
		return K_CONTAINER;
	if (!strcmp(rel, "mem"))
		return K_MEM;
	if (!strncmp(rel, "vfio/devices/vfio", 17)) {
		*num = (int)strtol(rel + 17, &end, 10);
		return K_CDEV;
	}
	if (!strncmp(rel, "vfio/", 5) && rel[5] >= '0' && rel[5] <= '9') {
		*num = (int)strtol(rel + 5, &end, 10);
		return K_GROUP;
	}
	return K_FREE;
}

int __wrap_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	size_t n = strlen(fk.devroot);
	struct stat st;
	int kind, num = -1, fd, s;

	if (!fk.devroot[0] || strncmp(path, fk.devroot, n) || path[n] != '/')
		return __real_vfiox_sys_openat(dirfd, path, flags, mode);
	if (dirfd != AT_FDCWD)
		fail_msg("%s opened relative to fd %d", path, dirfd);
	kind = node_kind(path + n + 1, &num);
	if (kind == K_FREE)
		fail_msg("the library opened %s, which is no node of this fake kernel", path);
	if (stat(path, &st) < 0)
		return -ENOENT;
	if (kind == K_IOMMUFD && fk.iommu_open_err)
		return fk.iommu_open_err;
	if (kind == K_CDEV && fk.cdev_open_err)
		return fk.cdev_open_err;
	fd = fk_new_fd(kind);
	s = fk_slot(fd);
	fk.open_flags[s] = flags;
	snprintf(fk.open_path[s], sizeof(fk.open_path[s]), "%s", path + n);
	fk.group_container[s] = -1;
	return fd;
}

int __wrap_vfiox_sys_close(int fd)
{
	int s = fk_slot(fd), ret = fk_close(fd);

	if (s >= 0 && ret == 0) {
		/* The last close of a cdev unbinds it and detaches it from its IOAS. */
		fk.bound[s] = false;
		fk.attached[s] = 0;
		fk_vfio_closed(s, fd, K_GROUP, K_CONTAINER, fk.group_container);
	}
	return ret;
}

int __wrap_vfiox_sys_set_cloexec(int fd)
{
	int s = fk_slot(fd);

	if (s < 0)
		return __real_vfiox_sys_set_cloexec(fd);
	if (!fk_slot_open(s))
		fail_msg("FD_CLOEXEC on fd %d, which is not open", fd);
	return 0;
}

int __wrap_vfiox_sys_getrlimit(int resource, struct rlimit *rl)
{
	if (resource != RLIMIT_MEMLOCK)
		return __real_vfiox_sys_getrlimit(resource, rl);
	rl->rlim_cur = rl->rlim_max = fk.rlimit;
	return 0;
}

int __wrap_vfiox_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off,
			  void **addrp)
{
	int s = fk_slot(fd);
	void *p;

	if (s < 0)
		return __real_vfiox_sys_mmap(addr, len, prot, flags, fd, off, addrp);
	if (fk_fds.kind[s] != K_MEM)
		fail_msg("mmap of fd %d (kind %d)", fd, fk_fds.kind[s]);
	/* Shared anonymous memory stands for the physical pages. */
	p = mmap(NULL, len, prot, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	fk.mem_addr = p;
	fk.mem_len = len;
	fk.mem_maps++;
	*addrp = p;
	return 0;
}

int __wrap_vfiox_sys_munmap(void *addr, size_t len)
{
	if (fk.mem_addr && addr == fk.mem_addr && len == fk.mem_len) {
		fk.mem_unmaps++;
		fk.mem_addr = NULL;
	}
	return __real_vfiox_sys_munmap(addr, len);
}

/* iommufd_ioas_iova_ranges(): copies what fits, always reports the count. */
static int fk_iova_ranges(struct vfiox_k_ioas_iova_ranges *q)
{
	struct vfiox_k_iova_range *out = (void *)(uintptr_t)q->allowed_iovas;
	uint32_t max = q->num_iovas, n, i;

	if (fk.ranges_calls++ == 0) {
		fk.first_num_iovas = q->num_iovas;
		fk.first_allowed = q->allowed_iovas;
	}
	fk.ranges_ioas = q->ioas_id;
	if (q->size < sizeof(*q) || q->reserved)
		return -EINVAL;
	if (!ioas_exists(q->ioas_id))
		return -ENOENT;
	if (fk.ranges_err)
		return fk.ranges_err;
	n = fk.nranges + fk.grow * fk.ranges_calls;
	if (max && !out)
		return -EFAULT;
	for (i = 0; i < n && i < max; i++)
		out[i] = fk.ranges[i < fk.nranges ? i : 0];
	q->num_iovas = n;
	q->out_iova_alignment = fk.align;
	return n > max ? -EMSGSIZE : 0;
}

static int fk_ioas_map(struct vfiox_k_ioas_map *m)
{
	size_t i;

	fk.map_calls++;
	fk.last_map = *m;
	if (m->size < sizeof(*m) || m->reserved || !ioas_exists(m->ioas_id))
		return -EINVAL;
	if (!(m->flags & VFIOX_K_IOAS_MAP_FIXED_IOVA))
		fail_msg("IOMMU_IOAS_MAP without FIXED_IOVA: the kernel would choose the IOVA");
	if (fk.map_err)
		return fk.map_err;
	if (!m->length || ((m->iova | m->length | m->user_va) & (4 * KiB - 1)))
		return -EINVAL;
	if (!in_fk_ranges(m->iova, m->length)) {
		fk.outside++;
		return -EADDRINUSE; /* iopt_alloc_iova(): reserved or beyond the aperture */
	}
	for (i = 0; i < fk.nmaps; i++)
		if (m->iova < fk.maps[i].iova + fk.maps[i].length &&
		    fk.maps[i].iova < m->iova + m->length)
			return -EEXIST;
	assert_true(fk.nmaps < N_ELEMS(fk.maps));
	fk.maps[fk.nmaps++] = (struct fk_map){ m->iova, m->length, m->user_va, m->flags };
	return 0;
}

/* iopt_unmap_iova(): whole areas inside the range go; cutting one is refused. */
static int fk_ioas_unmap(struct vfiox_k_ioas_unmap *u)
{
	uint64_t end = u->iova + u->length, done = 0;
	size_t i;

	fk.unmap_calls++;
	fk.last_unmap = *u;
	if (u->size < sizeof(*u) || !ioas_exists(u->ioas_id))
		return -EINVAL;
	for (i = 0; i < fk.nmaps; i++) {
		struct fk_map *m = &fk.maps[i];

		if (m->iova < end && u->iova < m->iova + m->length &&
		    (m->iova < u->iova || m->iova + m->length > end))
			return -ENOENT;
	}
	for (i = 0; i < fk.nmaps;) {
		if (fk.maps[i].iova >= u->iova && fk.maps[i].iova + fk.maps[i].length <= end) {
			done += fk.maps[i].length;
			fk.maps[i] = fk.maps[--fk.nmaps];
		} else {
			i++;
		}
	}
	u->length = done;
	return done ? 0 : -ENOENT;
}

static bool devid_bound(uint32_t id)
{
	unsigned i;

	for (i = 0; i < fk_fds.nfds; i++)
		if (fk_fds.open[i] && fk.bound[i] && fk.devid[i] == id)
			return true;
	return false;
}

/* iommufd_get_hw_info(): copies what fits, zeroes the rest, says how much it has. */
static int fk_hw_info(struct vfiox_k_hw_info *q)
{
	uint8_t *out = (void *)(uintptr_t)q->data_uptr;
	uint32_t copy = q->data_len < fk.hw_len ? q->data_len : fk.hw_len;

	fk.hw_calls++;
	fk.last_hw = *q;
	if (q->size < sizeof(*q) || q->flags)
		return -EINVAL;
	if (!devid_bound(q->dev_id))
		return -ENOENT;
	memcpy(out, fk.hw_data, copy);
	memset(out + copy, 0, q->data_len - copy);
	q->data_len = fk.hw_len;
	q->out_data_type = fk.hw_type;
	q->out_max_pasid_log2 = fk.hw_pasid;
	q->out_capabilities = fk.hw_caps;
	return 0;
}

static int fk_iommufd_ioctl(unsigned long req, void *arg)
{
	struct vfiox_k_ioas_alloc *a = arg;

	switch (req) {
	case VFIOX_K_IOMMU_IOAS_ALLOC:
		fk.alloc_calls++;
		fk.last_alloc = *a;
		if (fk.alloc_err)
			return fk.alloc_err;
		if (a->size < sizeof(*a) || a->flags)
			return -EINVAL;
		a->out_ioas_id = fk.alloc_id;
		assert_true(fk.nioas < N_ELEMS(fk.ioas));
		fk.ioas[fk.nioas++] = fk.alloc_id;
		return 0;
	case VFIOX_K_IOMMU_IOAS_IOVA_RANGES:
		return fk_iova_ranges(arg);
	case VFIOX_K_IOMMU_IOAS_MAP:
		return fk_ioas_map(arg);
	case VFIOX_K_IOMMU_IOAS_UNMAP:
		return fk_ioas_unmap(arg);
	case VFIOX_K_IOMMU_GET_HW_INFO:
		return fk_hw_info(arg);
	default:
		fail_msg("iommufd got unexpected ioctl 0x%lx", req);
		return -ENOTTY;
	}
}

static int fk_hot_reset_info(struct vfio_pci_hot_reset_info *info)
{
	if (info->argsz < sizeof(*info))
		return -EINVAL;
	if (info->argsz < sizeof(*info) + fk.nrdevs * sizeof(info->devices[0])) {
		info->count = fk.nrdevs;
		return -ENOSPC;
	}
	info->flags = fk.rflags;
	info->count = fk.nrdevs;
	memcpy(info->devices, fk.rdevs, fk.nrdevs * sizeof(info->devices[0]));
	return 0;
}

static int fk_cdev_ioctl(int fd, unsigned long req, void *arg)
{
	struct vfiox_k_bind_iommufd *b = arg;
	struct vfiox_k_attach_iommufd_pt *at = arg;
	struct vfio_pci_hot_reset *hr = arg;
	int s = fk_slot(fd), i, fs;

	switch (req) {
	case VFIOX_K_VFIO_DEVICE_BIND_IOMMUFD:
		fk.bind_calls++;
		fk.last_bind = *b;
		if (b->argsz < sizeof(*b) || b->flags || fk.bound[s])
			return -EINVAL;
		if (fk.bind_err)
			return fk.bind_err;
		fs = fk_slot(b->iommufd);
		if (!fk_slot_open(fs) || fk_fds.kind[fs] != K_IOMMUFD)
			return -EBADF;
		fk.bound[s] = true;
		fk.devid[s] = fk.devid_zero ? 0 : fk.next_devid++;
		b->out_devid = fk.devid[s];
		return 0;
	case VFIOX_K_VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		fk.attach_calls++;
		fk.last_attach = *at;
		if (at->argsz < sizeof(*at) || at->flags || !fk.bound[s])
			return -EINVAL;
		if (fk.attach_err)
			return fk.attach_err;
		if (!ioas_exists(at->pt_id))
			return -ENOENT;
		/* The device's reserved regions may not cover what is mapped already. */
		for (i = 0; i < (int)fk.nmaps; i++)
			if (!in_fk_ranges(fk.maps[i].iova, fk.maps[i].length))
				return -EADDRINUSE;
		fk.attached[s] = at->pt_id;
		return 0;
	case VFIO_DEVICE_GET_PCI_HOT_RESET_INFO:
		return fk_hot_reset_info(arg);
	case VFIO_DEVICE_PCI_HOT_RESET:
		fk.hot_calls++;
		fk.hot_argsz = hr->argsz;
		fk.hot_flags = hr->flags;
		fk.hot_count = hr->count;
		return 0;
	default:
		fail_msg("cdev fd %d got unexpected ioctl 0x%lx", fd, req);
		return -ENOTTY;
	}
}

static int fk_type1_ioctl(int fd, int kind, unsigned long req, void *arg)
{
	struct vfio_group_status *st = arg;
	int s = fk_slot(fd);

	if (kind == K_CONTAINER) {
		switch (req) {
		case VFIO_GET_API_VERSION:
			return VFIO_API_VERSION;
		case VFIO_CHECK_EXTENSION:
			return (long)arg == VFIO_TYPE1v2_IOMMU;
		case VFIO_SET_IOMMU:
			return 0;
		}
	} else if (kind == K_GROUP) {
		switch (req) {
		case VFIO_GROUP_GET_STATUS:
			st->flags = (fk.viable ? VFIO_GROUP_FLAGS_VIABLE : 0) |
				    (fk.group_container[s] >= 0 ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
			return 0;
		case VFIO_GROUP_SET_CONTAINER:
			fk.set_container_calls++;
			fk.group_container[s] = *(int *)arg;
			return 0;
		case VFIO_GROUP_UNSET_CONTAINER:
			fk.group_container[s] = -1;
			return 0;
		case VFIO_GROUP_GET_DEVICE_FD:
			fk.get_device_calls++;
			snprintf(fk.device_arg, sizeof(fk.device_arg), "%s", (const char *)arg);
			if (fk.get_device_err)
				return fk.get_device_err;
			return fk_new_fd(K_DEVICE);
		}
	}
	fail_msg("fd %d (kind %d) got unexpected ioctl 0x%lx", fd, kind, req);
	return -ENOTTY;
}

int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg)
{
	int s = fk_slot(fd);

	if (s < 0)
		return __real_vfiox_sys_ioctl(fd, request, arg);
	if (!fk_slot_open(s))
		fail_msg("ioctl 0x%lx on fd %d, which is not open", request, fd);
	switch (fk_fds.kind[s]) {
	case K_IOMMUFD:
		return fk_iommufd_ioctl(request, arg);
	case K_CDEV:
		return fk_cdev_ioctl(fd, request, arg);
	default:
		return fk_type1_ioctl(fd, fk_fds.kind[s], request, arg);
	}
}

/* ------------------------------------------------------------------ the host */

static const struct fx_dev devs[] = {
	{ .addr = EDU, .vendor = 0x1234, .device = 0x11e8, .class_code = 0x00ff00,
	  .driver = "vfio-pci", .group = 3, .numa = -1 },
	{ .addr = NVME, .vendor = 0x1b36, .device = 0x0010, .class_code = 0x010802,
	  .driver = "vfio-pci", .group = 4, .numa = -1 },
	{ .addr = NET, .vendor = 0x8086, .device = 0x10d3, .class_code = 0x020000,
	  .driver = "e1000e", .group = 5, .numa = -1 },
	{ .addr = OLD, .vendor = 0x1234, .device = 0x11e8, .class_code = 0x00ff00,
	  .driver = "vfio-pci", .group = 6, .numa = -1 },
	{ .addr = EDU2, .vendor = 0x1234, .device = 0x11e8, .class_code = 0x00ff00,
	  .driver = "vfio-pci", .group = 7, .numa = -1 },
};

static char *root_path(struct env *e, const char *rel)
{
	static char path[4][4096];
	static unsigned next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", fx_root(e->fx), rel);
	return p;
}

/* A node in the fake /dev: a plain file. */
static void node(struct env *e, const char *rel)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "dev/%s", rel);
	env_put(e, buf, "");
}

static void no_node(struct env *e, const char *rel)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "dev/%s", rel);
	assert_int_equal(unlink(root_path(e, buf)), 0);
}

static void vfio_dev(struct env *e, const char *addr, const char *cdev)
{
	char attr[128], path[4096];

	snprintf(attr, sizeof(attr), "vfio-dev/%s", cdev);
	FX(e, fx_dev_path(e->fx, addr, attr, path, sizeof(path)));
	env_mkdirs(path);
	snprintf(attr, sizeof(attr), "bus/pci/devices/%s/vfio-dev/%s/dev", addr, cdev);
	env_put(e, attr, "511:0\n");
}

static struct env *host(void)
{
	struct env *e = env_empty(0);
	size_t i;

	for (i = 0; i < N_ELEMS(devs); i++)
		FX(e, fx_add_dev(e->fx, &devs[i]));
	vfio_dev(e, EDU, "vfio3");
	vfio_dev(e, NVME, "vfio4");
	vfio_dev(e, EDU2, "vfio7");
	node(e, "iommu");
	node(e, "vfio/vfio");
	node(e, "vfio/3");
	node(e, "vfio/4");
	node(e, "vfio/7");
	node(e, "vfio/devices/vfio3");
	node(e, "vfio/devices/vfio4");
	node(e, "vfio/devices/vfio7");
	node(e, "mem");
	env_put(e, "proc/self/status", "Name:\ttest-iommufd\nVmLck:\t       0 kB\n"
					"CapEff:\t0000000000000000\n");
	env_put(e, "proc/iomem", "00000000-00000fff : Reserved\n"
				  "00001000-0009fbff : System RAM\n"
				  "00100000-0bffffff : System RAM\n"
				  "0c000000-0c3fffff : Reserved\n"
				  "0c400000-1ffdffff : System RAM\n");
	env_ctx(e);
	snprintf(fk.devroot, sizeof(fk.devroot), "%s", root_path(e, "dev"));
	assert_int_equal(vfiox_ctx_set_dev_root(e->ctx, fk.devroot), 0);
	assert_int_equal(vfiox_ctx_set_proc_root(e->ctx, root_path(e, "proc")), 0);
	return e;
}

static struct vfiox_container *iommufd(struct env *e)
{
	struct vfiox_container *c = NULL;
	int ret = vfiox_iommufd_open(e->ctx, &c);

	if (ret)
		fail_msg("vfiox_iommufd_open = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	return c;
}

static struct vfiox_device *cdev(struct env *e, struct vfiox_container *c, const char *addr)
{
	struct vfiox_device *d = NULL;
	int ret = vfiox_device_open_cdev(c, addr, &d);

	if (ret)
		fail_msg("vfiox_device_open_cdev(%s) = %d: %s", addr, ret,
			 vfiox_ctx_last_error(e->ctx));
	return d;
}

/* The container with EDU attached: what DMA needs. */
static struct vfiox_container *ready(struct env *e, struct vfiox_device **dp)
{
	struct vfiox_container *c = iommufd(e);

	*dp = cdev(e, c, EDU);
	return c;
}

static int fk_reset(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	fk_fds_reset();
	fk.alloc_id = 7;
	fk.next_devid = 0x41;
	fk.align = 4 * KiB;
	fk.rlimit = RLIM_INFINITY;
	fk.viable = true;
	msi_ranges();
	return 0;
}

static int last_slot_of(int kind)
{
	int i;

	for (i = (int)fk_fds.nfds - 1; i >= 0; i--)
		if (fk_fds.kind[i] == kind)
			return i;
	return -1;
}

/* ------------------------------------------------------------------ names */

static void backend_names_and_parse_round_trip(void **state)
{
	static const char *const bad[] = { "", "IOMMUFD", "type2", "vfio", "?", "auto ", "iommu" };
	int b;
	size_t i;

	(void)state;
	for (b = VFIOX_BACKEND_AUTO; b <= VFIOX_BACKEND_IOMMUFD; b++)
		assert_int_equal(vfiox_backend_parse(vfiox_backend_name(b)), b);
	assert_string_equal(vfiox_backend_name(VFIOX_BACKEND_AUTO), "auto");
	assert_string_equal(vfiox_backend_name(VFIOX_BACKEND_TYPE1), "type1");
	assert_string_equal(vfiox_backend_name(VFIOX_BACKEND_IOMMUFD), "iommufd");
	assert_string_equal(vfiox_backend_name(3), "?");
	assert_string_equal(vfiox_backend_name(-1), "?");
	assert_int_equal(vfiox_backend_parse("legacy"), VFIOX_BACKEND_TYPE1);
	assert_int_equal(vfiox_backend_parse("container"), VFIOX_BACKEND_TYPE1);
	assert_int_equal(vfiox_backend_parse("cdev"), VFIOX_BACKEND_IOMMUFD);
	assert_int_equal(vfiox_backend_parse(NULL), -EINVAL);
	for (i = 0; i < N_ELEMS(bad); i++)
		if (vfiox_backend_parse(bad[i]) != -EINVAL)
			fail_msg("vfiox_backend_parse(\"%s\") = %d", bad[i],
				 vfiox_backend_parse(bad[i]));
}

/* ------------------------------------------------------------------ the iommufd */

static void open_without_dev_iommu_names_config_iommufd_and_type1(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = NULL;

	(void)state;
	no_node(e, "iommu");
	assert_int_equal(vfiox_iommufd_open(e->ctx, &c), -ENOENT);
	assert_null(c);
	env_assert_error(e, "/dev/iommu does not exist", "CONFIG_IOMMUFD", "type1");
	assert_int_equal(fk_fds.opens, 0);
	env_free(e);
}

static void open_without_permission_says_how_to_get_it(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = NULL;

	(void)state;
	fk.iommu_open_err = -EACCES;
	assert_int_equal(vfiox_iommufd_open(e->ctx, &c), -EACCES);
	assert_null(c);
	env_assert_error(e, "no permission to open", "/dev/iommu", "run as root");
	fk.iommu_open_err = -EIO;
	assert_int_equal(vfiox_iommufd_open(e->ctx, &c), -EIO);
	env_assert_error(e, "cannot open", "/dev/iommu", strerror(EIO));
	env_free(e);
}

static void open_of_a_file_that_is_no_iommufd_is_ebadf_and_closes_it(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = NULL;

	(void)state;
	fk.alloc_err = -ENOTTY;
	assert_int_equal(vfiox_iommufd_open(e->ctx, &c), -EBADF);
	assert_null(c);
	env_assert_error(e, "is not an iommufd", "IOMMU_IOAS_ALLOC", NULL);
	/* Another refusal keeps its errno. */
	fk.alloc_err = -ENOMEM;
	assert_int_equal(vfiox_iommufd_open(e->ctx, &c), -ENOMEM);
	assert_int_equal(fk_fds.opens, 2);
	fk_assert_fds_closed();
	env_free(e);
}

static void ioas_id_0_from_the_kernel_is_eproto(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = NULL;

	(void)state;
	fk.alloc_id = 0;
	assert_int_equal(vfiox_iommufd_open(e->ctx, &c), -EPROTO);
	assert_null(c);
	env_assert_error(e, "IOMMU_IOAS_ALLOC answered IOAS id 0", NULL, NULL);
	fk_assert_fds_closed();
	env_free(e);
}

static void open_allocates_an_ioas_and_reports_the_iommufd_backend(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = iommufd(e), *t1 = NULL;
	int s = last_slot_of(K_IOMMUFD);

	(void)state;
	assert_int_equal(vfiox_container_backend(c), VFIOX_BACKEND_IOMMUFD);
	assert_int_equal(vfiox_container_ioas(c), 7);
	assert_int_equal(vfiox_container_fd(c), FK_BASE + s);
	assert_string_equal(fk.open_path[s], "/iommu");
	assert_int_equal(fk.open_flags[s] & (O_ACCMODE | O_CLOEXEC), O_RDWR | O_CLOEXEC);
	assert_int_equal(fk.alloc_calls, 1);
	assert_int_equal(fk.last_alloc.size, sizeof(struct vfiox_k_ioas_alloc));
	assert_int_equal(fk.last_alloc.flags, 0);
	/* A type1 container has no IOAS. */
	assert_int_equal(vfiox_container_open(e->ctx, &t1), 0);
	assert_int_equal(vfiox_container_backend(t1), VFIOX_BACKEND_TYPE1);
	assert_int_equal(vfiox_container_ioas(t1), 0);
	vfiox_container_close(t1);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void adopt_uses_an_existing_ioas_and_refuses_an_unknown_one(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = NULL;
	int fd;

	(void)state;
	fk.ioas[fk.nioas++] = 12;
	fd = fk_new_fd(K_IOMMUFD);
	assert_int_equal(vfiox_iommufd_adopt(e->ctx, fd, 12, &c), 0);
	assert_int_equal(vfiox_container_ioas(c), 12);
	assert_int_equal(vfiox_container_fd(c), fd);
	assert_int_equal(vfiox_container_backend(c), VFIOX_BACKEND_IOMMUFD);
	assert_int_equal(fk.alloc_calls, 0);
	assert_int_equal(fk.ranges_calls, 1);
	assert_int_equal(fk.ranges_ioas, 12);
	vfiox_container_close(c);
	/* No IOAS 13 in that iommufd: -ENOENT, and the fd is closed all the same. */
	c = NULL;
	assert_int_equal(vfiox_iommufd_adopt(e->ctx, fk_new_fd(K_IOMMUFD), 13, &c), -ENOENT);
	assert_null(c);
	env_assert_error(e, "has no IOAS 13", NULL, NULL);
	/* IOAS 0: a new one is allocated. */
	assert_int_equal(vfiox_iommufd_adopt(e->ctx, fk_new_fd(K_IOMMUFD), 0, &c), 0);
	assert_int_equal(vfiox_container_ioas(c), 7);
	assert_int_equal(fk.alloc_calls, 1);
	vfiox_container_close(c);
	assert_int_equal(vfiox_iommufd_adopt(e->ctx, -1, 12, &c), -EBADF);
	fk_assert_fds_closed();
	env_free(e);
}

/* ------------------------------------------------------------------ finding the cdev */

static void cdev_is_found_through_sysfs_vfio_dev(void **state)
{
	struct env *e = host();
	char buf[4096], want[sizeof(fk.devroot) + 32];

	(void)state;
	assert_int_equal(vfiox_device_cdev(e->ctx, EDU, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/vfio/devices/vfio3", fk.devroot);
	assert_string_equal(buf, want);
	/* Only sysfs is asked: the node need not exist. */
	no_node(e, "vfio/devices/vfio4");
	assert_int_equal(vfiox_device_cdev(e->ctx, NVME, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "/vfio/devices/vfio4"));
	assert_int_equal(vfiox_device_cdev(e->ctx, EDU, buf, 8), -ENAMETOOLONG);
	assert_int_equal(fk_fds.opens, 0);
	env_free(e);
}

static void cdev_of_a_device_on_another_driver_names_the_driver_and_vfioctl_bind(void **state)
{
	struct env *e = host();
	char buf[4096];

	(void)state;
	assert_int_equal(vfiox_device_cdev(e->ctx, NET, buf, sizeof(buf)), -ENODEV);
	env_assert_error(e, "bound to e1000e", "vfioctl bind " NET, NULL);
	env_free(e);
}

static void cdev_missing_on_vfio_pci_names_config_vfio_device_cdev(void **state)
{
	struct env *e = host();
	char buf[4096];

	(void)state;
	assert_int_equal(vfiox_device_cdev(e->ctx, OLD, buf, sizeof(buf)), -ENODEV);
	env_assert_error(e, OLD " has no VFIO cdev", "CONFIG_VFIO_DEVICE_CDEV", "type1");
	env_free(e);
}

/* Debian's 6.12: vfio-dev/vfioN is there for every VFIO device, without a device number. */
static void cdev_without_a_device_number_is_no_cdev(void **state)
{
	struct env *e = host();
	char buf[4096], why[512];

	(void)state;
	assert_int_equal(unlink(root_path(e, "bus/pci/devices/" EDU "/vfio-dev/vfio3/dev")), 0);
	assert_int_equal(vfiox_device_cdev(e->ctx, EDU, buf, sizeof(buf)), -ENODEV);
	env_assert_error(e, EDU " has no VFIO cdev", "vfio-dev/vfio3 has no device number",
			 "CONFIG_VFIO_DEVICE_CDEV");
	assert_int_equal(vfiox_backend_choose(e->ctx, EDU, VFIOX_BACKEND_AUTO, false, why,
					      sizeof(why)), VFIOX_BACKEND_TYPE1);
	assert_non_null(strstr(why, "CONFIG_VFIO_DEVICE_CDEV"));
	assert_int_equal(vfiox_backend_choose(e->ctx, EDU, VFIOX_BACKEND_IOMMUFD, false, NULL, 0),
			 -ENODEV);
	env_free(e);
}

static void cdev_of_no_such_device_says_so(void **state)
{
	struct env *e = host();
	char buf[4096];

	(void)state;
	assert_int_equal(vfiox_device_cdev(e->ctx, GHOST, buf, sizeof(buf)), -ENODEV);
	env_assert_error(e, "no PCI device " GHOST, NULL, NULL);
	env_free(e);
}

static void two_cdevs_for_one_device_are_eproto(void **state)
{
	struct env *e = host();
	char buf[4096];

	(void)state;
	vfio_dev(e, EDU, "vfio9");
	assert_int_equal(vfiox_device_cdev(e->ctx, EDU, buf, sizeof(buf)), -EPROTO);
	env_assert_error(e, "2 VFIO cdevs", NULL, NULL);
	env_free(e);
}

/* ------------------------------------------------------------------ opening by cdev */

static void open_cdev_binds_to_the_iommufd_then_attaches_to_the_ioas(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = iommufd(e);
	struct vfiox_device *d = cdev(e, c, EDU);
	int s = last_slot_of(K_CDEV);

	(void)state;
	assert_string_equal(fk.open_path[s], "/vfio/devices/vfio3");
	assert_int_equal(fk.open_flags[s] & (O_ACCMODE | O_CLOEXEC), O_RDWR | O_CLOEXEC);
	assert_int_equal(vfiox_device_fd(d), FK_BASE + s);
	assert_int_equal(fk.bind_calls, 1);
	assert_int_equal(fk.last_bind.argsz, sizeof(struct vfiox_k_bind_iommufd));
	assert_int_equal(fk.last_bind.flags, 0);
	assert_int_equal(fk.last_bind.iommufd, vfiox_container_fd(c));
	assert_int_equal(fk.attach_calls, 1);
	assert_int_equal(fk.last_attach.argsz, sizeof(struct vfiox_k_attach_iommufd_pt));
	assert_int_equal(fk.last_attach.flags, 0);
	assert_int_equal(fk.last_attach.pt_id, 7);
	assert_int_equal(fk.attached[s], 7);
	assert_int_equal(vfiox_device_devid(d), 0x41);
	/* No DMA state yet: attaching asked nothing about the ranges. */
	assert_int_equal(fk.ranges_calls, 0);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void bind_refused_busy_names_the_group_node_and_its_holder(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = iommufd(e);
	struct vfiox_device *d = NULL;
	char target[sizeof(fk.devroot) + 32];

	(void)state;
	fk.bind_err = -EBUSY;
	assert_int_equal(vfiox_device_open_cdev(c, EDU, &d), -EBUSY);
	assert_null(d);
	env_assert_error(e, "cannot bind " EDU, "its IOMMU group 3 is open through", "/dev/vfio/3");
	env_assert_error(e, "(by another process, or by this one)", "type1", NULL);
	/* A process of /proc holds the group: it is named. */
	env_put(e, "proc/4242/comm", "qemu-system-x86\n");
	env_mkdirs(root_path(e, "proc/4242/fd"));
	snprintf(target, sizeof(target), "%s/vfio/3", fk.devroot);
	assert_int_equal(symlink(target, root_path(e, "proc/4242/fd/9")), 0);
	assert_int_equal(vfiox_device_open_cdev(c, EDU, &d), -EBUSY);
	env_assert_error(e, "/dev/vfio/3 by pid 4242 (qemu-system-x86)", NULL, NULL);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

struct refusal {
	int bind_err, attach_err;
	bool devid_zero;
	int want;
	const char *w1, *w2;
};

static void every_bind_or_attach_refusal_is_worded_and_closes_the_cdev(void **state)
{
	static const struct refusal rows[] = {
		{ -EINVAL, 0, false, -EINVAL, "bound already", "only one cdev fd per device" },
		{ -ENOTTY, 0, false, -EBADF, "not a VFIO cdev", "VFIO_DEVICE_BIND_IOMMUFD" },
		{ -EPERM, 0, false, -EPERM, "VF token", "type1" },
		{ -EIO, 0, false, -EIO, "VFIO_DEVICE_BIND_IOMMUFD", "Input/output error" },
		{ 0, 0, true, -EPROTO, "answered device id 0", NULL },
		{ 0, -EADDRINUSE, false, -EADDRINUSE, "reserved IOVA ranges",
		  "attach devices before mapping" },
		{ 0, -ENODEV, false, -ENODEV, "cannot attach " EDU " to IOAS 7",
		  "VFIO_DEVICE_ATTACH_IOMMUFD_PT" },
	};
	struct env *e = host();
	struct vfiox_container *c = iommufd(e);
	struct vfiox_device *d = NULL;
	size_t i;
	int s;

	(void)state;
	for (i = 0; i < N_ELEMS(rows); i++) {
		fk.bind_err = rows[i].bind_err;
		fk.attach_err = rows[i].attach_err;
		fk.devid_zero = rows[i].devid_zero;
		if (vfiox_device_open_cdev(c, EDU, &d) != rows[i].want)
			fail_msg("row %zu: not %d: %s", i, rows[i].want, vfiox_ctx_last_error(e->ctx));
		assert_null(d);
		env_assert_error(e, rows[i].w1, rows[i].w2, EDU);
		s = last_slot_of(K_CDEV);
		if (fk_slot_open(s))
			fail_msg("row %zu: the cdev fd %d stayed open", i, FK_BASE + s);
	}
	assert_int_equal(fk.bind_calls, N_ELEMS(rows));
	assert_int_equal(fk.attach_calls, 2);
	/* Nothing counts as attached: DMA is still refused. */
	assert_int_equal(vfiox_dma_map(c, VA(0x100000), 4 * KiB, RW, 0, &(uint64_t){ 0 }), -EINVAL);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void open_cdev_without_its_node_or_sysfs_entry_is_enodev(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = iommufd(e);
	struct vfiox_device *d = NULL;

	(void)state;
	no_node(e, "vfio/devices/vfio3");
	assert_int_equal(vfiox_device_open_cdev(c, EDU, &d), -ENODEV);
	env_assert_error(e, "no such node", "devtmpfs", NULL);
	assert_int_equal(vfiox_device_open_cdev(c, OLD, &d), -ENODEV);
	env_assert_error(e, "CONFIG_VFIO_DEVICE_CDEV", NULL, NULL);
	fk.cdev_open_err = -EACCES;
	assert_int_equal(vfiox_device_open_cdev(c, NVME, &d), -EACCES);
	env_assert_error(e, "no permission to open", "/dev/vfio/devices/vfio4", NULL);
	assert_null(d);
	assert_int_equal(fk.bind_calls, 0);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void a_cdev_on_a_type1_container_is_einval(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = NULL;
	struct vfiox_device *d = NULL;

	(void)state;
	assert_int_equal(vfiox_container_open(e->ctx, &c), 0);
	assert_int_equal(vfiox_device_open_cdev(c, EDU, &d), -EINVAL);
	env_assert_error(e, "needs an iommufd container", NULL, NULL);
	/* Adopting hands the fd over: it is closed on this refusal too. */
	assert_int_equal(vfiox_device_adopt_cdev(c, fk_new_fd(K_CDEV), EDU, &d), -EINVAL);
	env_assert_error(e, "not to a type1 one", NULL, NULL);
	assert_null(d);
	assert_int_equal(fk.bind_calls, 0);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

/* And the other way round: groups belong to type1 containers; nothing reaches the kernel. */
static void a_group_on_an_iommufd_container_is_einval(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = iommufd(e);
	struct vfiox_vgroup *g = NULL;

	(void)state;
	assert_int_equal(vfiox_vgroup_open(e->ctx, 3, &g), 0);
	assert_int_equal(vfiox_container_attach(c, g), -EINVAL);
	env_assert_error(e, "IOMMU group 3", "iommufd container", "vfiox_device_open_cdev");
	assert_int_equal(fk.set_container_calls, 0);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void adopt_cdev_binds_a_given_fd(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = iommufd(e);
	struct vfiox_device *d = NULL;
	int fd = fk_new_fd(K_CDEV);

	(void)state;
	assert_int_equal(vfiox_device_adopt_cdev(c, fd, EDU, &d), 0);
	assert_int_equal(vfiox_device_fd(d), fd);
	assert_int_equal(vfiox_device_devid(d), 0x41);
	assert_int_equal(fk.attached[fk_slot(fd)], 7);
	assert_int_equal(vfiox_device_adopt_cdev(c, -1, EDU, &d), -EBADF);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

/* The container closed first: the device keeps its fd, loses the link, closes cleanly. */
static void closing_the_container_first_leaves_the_device_closable(void **state)
{
	struct env *e = host();
	struct vfiox_device *d;
	struct vfiox_container *c = ready(e, &d);
	struct vfiox_iommu_hw_info hw;

	(void)state;
	vfiox_container_close(c);
	assert_int_equal(vfiox_device_iommu_hw_info(d, &hw), -EINVAL);
	env_assert_error(e, "container was closed", NULL, NULL);
	assert_int_equal(fk.hw_calls, 0);
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

/* ------------------------------------------------------------------ DMA */

static void dma_before_any_device_is_attached_names_attach(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = iommufd(e);
	struct vfiox_iommu_info *info = NULL;
	struct vfiox_device *d;
	uint64_t iova;

	(void)state;
	assert_int_equal(vfiox_dma_map(c, VA(0x100000), 4 * KiB, RW, 0, &iova), -EINVAL);
	env_assert_error(e, "IOAS has no device yet", "attach one first", NULL);
	assert_int_equal(vfiox_container_iommu_info(c, &info), -EINVAL);
	env_assert_error(e, "a device attached to the IOAS", NULL, NULL);
	assert_int_equal(fk.ranges_calls + fk.map_calls, 0);
	/* The last device gone: refused again. */
	d = cdev(e, c, EDU);
	vfiox_device_close(d);
	assert_int_equal(vfiox_dma_map(c, VA(0x100000), 4 * KiB, RW, 0, &iova), -EINVAL);
	assert_int_equal(fk.map_calls, 0);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void dma_map_and_unmap_go_to_ioas_map_and_unmap(void **state)
{
	struct env *e = host();
	struct vfiox_device *d;
	struct vfiox_container *c = ready(e, &d);
	uint64_t iova, iova2;

	(void)state;
	assert_int_equal(vfiox_dma_map(c, VA(0x7f0000100000), 64 * KiB, VFIOX_DMA_READ, 0, &iova),
			 0);
	assert_int_equal(fk.map_calls, 1);
	assert_int_equal(fk.last_map.size, sizeof(struct vfiox_k_ioas_map));
	assert_int_equal(fk.last_map.flags,
			 VFIOX_K_IOAS_MAP_FIXED_IOVA | VFIOX_K_IOAS_MAP_READABLE);
	assert_int_equal(fk.last_map.ioas_id, 7);
	assert_int_equal(fk.last_map.reserved, 0);
	assert_int_equal(fk.last_map.user_va, 0x7f0000100000);
	assert_int_equal(fk.last_map.length, 64 * KiB);
	assert_int_equal(fk.last_map.iova, iova);
	assert_int_equal(vfiox_dma_map(c, VA(0x7f0000200000), 8 * KiB, VFIOX_DMA_WRITE, 0, &iova2),
			 0);
	assert_int_equal(fk.last_map.flags,
			 VFIOX_K_IOAS_MAP_FIXED_IOVA | VFIOX_K_IOAS_MAP_WRITEABLE);
	assert_int_equal(vfiox_dma_map(c, VA(0x7f0000300000), 4 * KiB, RW, 0, &iova2), 0);
	assert_int_equal(fk.last_map.flags, VFIOX_K_IOAS_MAP_FIXED_IOVA |
						    VFIOX_K_IOAS_MAP_READABLE |
						    VFIOX_K_IOAS_MAP_WRITEABLE);
	/* A fixed IOVA is sent as given. */
	iova2 = 0x40000000;
	assert_int_equal(vfiox_dma_map(c, VA(0x7f0000400000), 4 * KiB, RW | VFIOX_DMA_FIXED, 0,
				       &iova2), 0);
	assert_int_equal(fk.last_map.iova, 0x40000000);
	assert_int_equal(fk.nmaps, 4);
	assert_int_equal(vfiox_dma_entries_avail(c), -1); /* iommufd has no entry budget */
	assert_int_equal(vfiox_dma_unmap(c, iova, 64 * KiB), 0);
	assert_int_equal(fk.unmap_calls, 1);
	assert_int_equal(fk.last_unmap.size, sizeof(struct vfiox_k_ioas_unmap));
	assert_int_equal(fk.last_unmap.ioas_id, 7);
	assert_int_equal(fk.last_unmap.iova, iova);
	assert_int_equal(fk.last_unmap.length, 64 * KiB);
	assert_int_equal(fk.nmaps, 3);
	assert_int_equal(vfiox_dma_unmap_all(c), 0);
	assert_int_equal(fk.nmaps, 0);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void iova_ranges_are_asked_with_no_room_first_then_with_the_count(void **state)
{
	struct env *e = host();
	struct vfiox_device *d;
	struct vfiox_container *c = ready(e, &d);
	struct vfiox_iommu_info *info = NULL;

	(void)state;
	assert_int_equal(vfiox_container_iommu_info(c, &info), 0);
	assert_int_equal(fk.ranges_calls, 2);
	assert_int_equal(fk.first_num_iovas, 0);
	assert_int_equal(fk.first_allowed, 0);
	assert_int_equal(fk.ranges_ioas, 7);
	assert_int_equal(info->num_iova_ranges, 2);
	assert_int_equal(info->iova_ranges[0].start, 0);
	assert_int_equal(info->iova_ranges[0].end, MSI_LO - 1);
	assert_int_equal(info->iova_ranges[1].start, MSI_HI + 1);
	assert_int_equal(info->iova_ranges[1].end, TOP);
	assert_int_equal(info->pgsizes, 4 * KiB);
	assert_int_equal(info->dma_avail, -1);
	vfiox_iommu_info_free(info);
	/* No ranges at all: one call answers. */
	fk.nranges = 0;
	fk.ranges_calls = 0;
	assert_int_equal(vfiox_container_iommu_info(c, &info), 0);
	assert_int_equal(fk.ranges_calls, 1);
	assert_int_equal(info->num_iova_ranges, 0);
	vfiox_iommu_info_free(info);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void allocations_never_land_outside_the_ioas_ranges(void **state)
{
	struct env *e = host();
	struct vfiox_device *d;
	struct vfiox_container *c = ready(e, &d);
	uint64_t iova;
	int i;

	(void)state;
	/* 72 x 64 MiB: 4.5 GiB, across the MSI window below 4 GiB. */
	for (i = 0; i < 72; i++) {
		assert_int_equal(vfiox_dma_map(c, VA(0x7f0000000000 + (uint64_t)i * 64 * MiB),
					       64 * MiB, RW, 0, &iova), 0);
		if (iova <= MSI_HI && iova + 64 * MiB - 1 >= MSI_LO)
			fail_msg("buffer %d at 0x%" PRIx64 " overlaps the MSI window", i, iova);
		assert_true(in_fk_ranges(iova, 64 * MiB));
	}
	assert_int_equal(fk.outside, 0);
	assert_int_equal(fk.nmaps, 72);
	/* Below 4 GiB, 1 MiB ones fill the 46 MiB left under the window, never into it. */
	for (i = 0; i < 46; i++) {
		assert_int_equal(vfiox_dma_map(c, VA(0x7e0000000000 + (uint64_t)i * MiB), MiB, RW,
					       1ull << 32, &iova), 0);
		assert_true(in_fk_ranges(iova, MiB));
	}
	assert_int_equal(iova, MSI_LO - MiB);
	assert_int_equal(vfiox_dma_map(c, VA(0x7e0010000000), MiB, RW, 1ull << 32, &iova),
			 -ENOSPC);
	env_assert_error(e, "no free IOVA range of 1 MiB below 0x100000000", NULL, NULL);
	assert_int_equal(fk.outside, 0);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void ranges_that_leave_no_room_are_enospc(void **state)
{
	static const uint64_t tiny[] = { 0x10000, 0x1ffff };
	struct env *e = host();
	struct vfiox_device *d;
	struct vfiox_container *c = ready(e, &d);
	uint64_t iova;

	(void)state;
	set_ranges(1, tiny);
	assert_int_equal(vfiox_dma_map(c, VA(0x100000), 64 * KiB, RW, 0, &iova), 0);
	assert_int_equal(iova, 0x10000);
	assert_int_equal(vfiox_dma_map(c, VA(0x200000), 4 * KiB, RW, 0, &iova), -ENOSPC);
	env_assert_error(e, "no free IOVA range of 4 KiB", NULL, NULL);
	assert_int_equal(fk.map_calls, 1);
	vfiox_dma_unmap_all(c);
	vfiox_device_close(d);
	vfiox_container_close(c);
	/* An IOAS with no usable range at all. */
	c = ready(e, &d);
	fk.nranges = 0;
	assert_int_equal(vfiox_dma_map(c, VA(0x100000), 4 * KiB, RW, 0, &iova), -ENOSPC);
	env_assert_error(e, "no free IOVA range", NULL, NULL);
	assert_int_equal(fk.map_calls, 1);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

/* The IOAS's alignment, when above the CPU page, is the granule of every mapping. */
static void ioas_alignment_above_the_page_size_is_the_mapping_granule(void **state)
{
	static const uint64_t r[] = { 0, 0xfffffffff };
	struct env *e = host();
	struct vfiox_device *d;
	struct vfiox_container *c = ready(e, &d);
	uint64_t iova;
	int i;

	(void)state;
	set_ranges(1, r);
	fk.align = 64 * KiB;
	assert_int_equal(vfiox_dma_map(c, VA(0x100000), 4 * KiB, RW, 0, &iova), -EINVAL);
	env_assert_error(e, "multiple of the IOMMU page size", "64 KiB", NULL);
	for (i = 0; i < 4; i++) {
		assert_int_equal(vfiox_dma_map(c, VA(0x100000 + i * 64 * KiB), 64 * KiB, RW, 0,
					       &iova), 0);
		assert_int_equal(iova % (64 * KiB), 0);
	}
	vfiox_dma_unmap_all(c);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void batch_merges_adjacent_chunks_into_one_ioas_map(void **state)
{
	struct env *e = host();
	struct vfiox_device *d;
	struct vfiox_container *c = ready(e, &d);
	uint64_t iova[16];
	int i;

	(void)state;
	assert_int_equal(vfiox_dma_batch_begin(c), 0);
	for (i = 0; i < 16; i++)
		assert_int_equal(vfiox_dma_map(c, VA(0x40000000 + i * 64 * KiB), 64 * KiB, RW, 0,
					       &iova[i]), 0);
	assert_int_equal(fk.map_calls, 0);
	assert_int_equal(vfiox_dma_batch_end(c), 0);
	assert_int_equal(fk.map_calls, 1);
	assert_int_equal(fk.last_map.length, MiB);
	assert_int_equal(fk.last_map.user_va, 0x40000000);
	assert_int_equal(fk.last_map.iova, iova[0]);
	assert_int_equal(fk.last_map.ioas_id, 7);
	for (i = 1; i < 16; i++)
		assert_int_equal(iova[i], iova[0] + i * 64 * KiB);
	assert_int_equal(vfiox_dma_entries_used(c), 1);
	assert_int_equal(vfiox_dma_num_mappings(c), 16);
	/* One chunk out of the middle: the kernel entry is cut by unmapping and remapping. */
	assert_int_equal(vfiox_dma_unmap(c, iova[5], 64 * KiB), 0);
	assert_int_equal(fk.nmaps, 2);
	assert_int_equal(fk.unmap_calls, 1);
	vfiox_dma_unmap_all(c);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void kernel_enomem_gets_the_memlock_message_with_per_user_charging(void **state)
{
	struct env *e = host();
	struct vfiox_device *d;
	struct vfiox_container *c = ready(e, &d);
	uint64_t iova;

	(void)state;
	fk.rlimit = 64 * MiB;
	/* Another process of this user pinned the rest: the kernel says no. */
	fk.map_err = -ENOMEM;
	assert_int_equal(vfiox_dma_map(c, VA(0x100000), MiB, RW, 0, &iova), -ENOMEM);
	env_assert_error(e, "cannot pin 1 MiB for DMA",
			 "(iommufd charges every process of this user together)",
			 "limit (RLIMIT_MEMLOCK) is 64 MiB");
	env_assert_error(e, "ulimit -l", "LimitMEMLOCK=", NULL);
	assert_int_equal(vfiox_dma_num_mappings(c), 0);
	/* The library's own preflight says the same, without asking the kernel. */
	fk.map_err = 0;
	assert_int_equal(vfiox_dma_map(c, VA(0x100000), 32 * MiB, RW, 0, &iova), 0);
	assert_int_equal(vfiox_dma_map(c, VA(0x10000000), 33 * MiB, RW, 0, &iova), -ENOMEM);
	env_assert_error(e, "32 MiB are locked already",
			 "iommufd charges every process of this user together", NULL);
	assert_int_equal(fk.map_calls, 2);
	vfiox_dma_unmap_all(c);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void kernel_efault_says_iommufd_maps_only_process_memory(void **state)
{
	struct env *e = host();
	struct vfiox_device *d;
	struct vfiox_container *c = ready(e, &d);
	uint64_t iova;

	(void)state;
	fk.map_err = -EFAULT;
	assert_int_equal(vfiox_dma_map(c, VA(0x100000), 4 * KiB, RW, 0, &iova), -EFAULT);
	env_assert_error(e, "IOMMU_IOAS_MAP", "ordinary process memory", "type1");
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void physical_memory_cannot_be_mapped_over_iommufd(void **state)
{
	struct env *e = host();
	struct vfiox_device *d;
	struct vfiox_container *c = ready(e, &d);
	struct vfiox_physmap *m = NULL;
	uint64_t iova;

	(void)state;
	assert_int_equal(vfiox_physmap_new(c, 0x0c000000, MiB, RW, 0, &iova, &m), -EOPNOTSUPP);
	assert_null(m);
	env_assert_error(e, "iommufd cannot map physical memory", "type1", "0xc000000");
	assert_int_equal(fk.map_calls, 0);
	assert_int_equal(fk.mem_maps, 1);
	assert_int_equal(fk.mem_unmaps, 1);
	assert_int_equal(vfiox_dma_num_mappings(c), 0);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

/*
 * A second device with a reserved region of its own ([1 MiB, 4 MiB), say an RMRR) attached
 * after DMA was mapped: what it took away is never handed out.
 */
static void device_attached_after_mappings_keeps_the_allocator_out_of_its_reserved_range(
	void **state)
{
	static const uint64_t narrower[] = { 0, MiB - 1, 4 * MiB, MSI_LO - 1, MSI_HI + 1, TOP };
	struct env *e = host();
	struct vfiox_device *d, *d2;
	struct vfiox_container *c = ready(e, &d);
	uint64_t iova;
	unsigned calls;
	int i;

	(void)state;
	assert_int_equal(vfiox_dma_map(c, VA(0x7f0000000000), 512 * KiB, RW, 0, &iova), 0);
	assert_int_equal(iova, 0);
	set_ranges(3, narrower);
	calls = fk.ranges_calls;
	d2 = cdev(e, c, NVME);
	assert_true(fk.ranges_calls > calls);
	for (i = 0; i < 16; i++) {
		assert_int_equal(vfiox_dma_map(c, VA(0x7f0010000000 + i * 256 * KiB), 256 * KiB,
					       RW, 0, &iova), 0);
		if (iova < 4 * MiB && iova + 256 * KiB > MiB)
			fail_msg("mapping %d at 0x%" PRIx64 " lies in the range the second device "
				 "reserves", i, iova);
		/* The rest of the first usable range first, then from 4 MiB on. */
		assert_int_equal(iova, i < 2 ? 512 * KiB + i * 256 * KiB
					     : 4 * MiB + (i - 2) * 256 * KiB);
	}
	assert_int_equal(fk.outside, 0);
	/* A fixed IOVA there is refused by the library, not sent. */
	iova = 2 * MiB;
	calls = fk.map_calls;
	assert_int_equal(vfiox_dma_map(c, VA(0x7f0030000000), 4 * KiB, RW | VFIOX_DMA_FIXED, 0,
				       &iova), -EEXIST);
	env_assert_error(e, "is not all usable", NULL, NULL);
	assert_int_equal(fk.map_calls, calls);
	vfiox_dma_unmap_all(c);
	vfiox_device_close(d2);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

/*
 * A device attached while a DMA batch is open: the batch's mappings have their IOVA but
 * are not in the kernel yet, so the kernel cannot refuse the attach for them. One that
 * lies where the device reserves IOVA could never be mapped: the attach is refused.
 */
static void device_attached_over_a_pending_batch_mapping_is_refused(void **state)
{
	static const uint64_t narrower[] = { 0, MiB - 1, 4 * MiB, MSI_LO - 1, MSI_HI + 1, TOP };
	struct env *e = host();
	struct vfiox_device *d, *d2 = NULL;
	struct vfiox_container *c = ready(e, &d);
	uint64_t iova[2];

	(void)state;
	assert_int_equal(vfiox_dma_batch_begin(c), 0);
	assert_int_equal(vfiox_dma_map(c, VA(0x7f0000000000), 512 * KiB, RW, 0, &iova[0]), 0);
	assert_int_equal(vfiox_dma_map(c, VA(0x7f0010000000), MiB, RW, 0, &iova[1]), 0);
	assert_int_equal(iova[1], 512 * KiB); /* reaches into [1 MiB, 4 MiB) */
	set_ranges(3, narrower);
	assert_int_equal(vfiox_device_open_cdev(c, NVME, &d2), -EADDRINUSE);
	assert_null(d2);
	env_assert_error(e, "the open DMA batch has IOVA 0x80000-0x17ffff", "end the batch", NULL);
	assert_int_equal(fk_slot_open(last_slot_of(K_CDEV)), false);
	/* The batch is as it was, and maps where the IOAS still allows it. */
	msi_ranges();
	assert_int_equal(vfiox_dma_batch_end(c), 0);
	assert_int_equal(fk.nmaps, 2);
	/* Outside a batch the same attach is fine: the kernel judges what is mapped. */
	assert_int_equal(vfiox_dma_unmap(c, iova[1], MiB), 0);
	set_ranges(3, narrower);
	d2 = cdev(e, c, NVME);
	vfiox_dma_unmap_all(c);
	vfiox_device_close(d2);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

/*
 * With nothing mapped, a device attaching makes the DMA state be built again from the
 * ranges as they are then: also wider ones, once the device that narrowed them is gone.
 */
static void device_attached_with_nothing_mapped_rebuilds_the_state(void **state)
{
	static const uint64_t narrow[] = { 16 * MiB, MSI_LO - 1, MSI_HI + 1, TOP };
	struct env *e = host();
	struct vfiox_device *d, *d2, *d3;
	struct vfiox_container *c = ready(e, &d);
	uint64_t iova;

	(void)state;
	set_ranges(2, narrow);
	d2 = cdev(e, c, NVME);
	assert_int_equal(vfiox_dma_map(c, VA(0x100000), MiB, RW, 0, &iova), 0);
	assert_int_equal(iova, 16 * MiB);
	assert_int_equal(vfiox_dma_unmap(c, iova, MiB), 0);
	vfiox_device_close(d2);
	msi_ranges();
	d3 = cdev(e, c, EDU2);
	assert_int_equal(vfiox_dma_map(c, VA(0x100000), MiB, RW, 0, &iova), 0);
	assert_int_equal(iova, 0);
	vfiox_dma_unmap_all(c);
	vfiox_device_close(d3);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

/* ------------------------------------------------------------------ malformed ranges */

struct bad_ranges {
	const char *what;
	uint32_t n;
	uint64_t r[6];
	uint64_t align;
	uint32_t grow;
	const char *w1, *w2;
};

static void malformed_iova_ranges_are_eproto_with_the_reason(void **state)
{
	static const struct bad_ranges rows[] = {
		{ "reversed", 1, { 0x20000, 0x1ffff }, 4096, 0, "range 0 (0x20000-0x1ffff)",
		  "reversed" },
		{ "overlapping", 2, { 0, 0x1ffff, 0x10000, 0x2ffff }, 4096, 0,
		  "range 1 (0x10000-0x2ffff)", "overlaps the one before" },
		{ "out of order", 2, { 0x100000, 0x1fffff, 0, 0xfffff }, 4096, 0, "range 1",
		  "overlaps the one before" },
		{ "touching twice", 2, { 0, 0xfffff, 0xfffff, 0x1fffff }, 4096, 0, "range 1",
		  "overlaps" },
		{ "start unaligned", 1, { 0x800, 0xfffff }, 4096, 0, "range 0",
		  "not aligned to 0x1000" },
		{ "end unaligned", 2, { 0, 0xfff, 0x2000, 0x27ff }, 4096, 0, "range 1",
		  "not aligned to 0x1000" },
		{ "alignment not a power of two", 1, { 0, 0xfffff }, 0x3000, 0,
		  "alignment 0x3000 is not a power of two", NULL },
		{ "count keeps growing", 2, { 0, MSI_LO - 1, MSI_HI + 1, TOP }, 4096, 1,
		  "number of ranges kept changing", NULL },
	};
	struct env *e = host();
	struct vfiox_container *c = iommufd(e);
	struct vfiox_device *d = cdev(e, c, EDU);
	struct vfiox_iommu_info *info = NULL;
	uint64_t iova;
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(rows); i++) {
		set_ranges(rows[i].n, rows[i].r);
		fk.align = rows[i].align;
		fk.grow = rows[i].grow;
		fk.ranges_calls = 0;
		if (vfiox_dma_map(c, VA(0x100000), 4 * KiB, RW, 0, &iova) != -EPROTO)
			fail_msg("%s: not EPROTO: %s", rows[i].what, vfiox_ctx_last_error(e->ctx));
		env_assert_error(e, "IOMMU_IOAS_IOVA_RANGES of IOAS 7", rows[i].w1, rows[i].w2);
		assert_int_equal(vfiox_container_iommu_info(c, &info), -EPROTO);
		assert_null(info);
	}
	assert_int_equal(fk.map_calls, 0);
	/* A count that grows once is followed. */
	msi_ranges();
	fk.align = 4096;
	fk.grow = 0;
	assert_int_equal(vfiox_dma_map(c, VA(0x100000), 4 * KiB, RW, 0, &iova), 0);
	vfiox_dma_unmap_all(c);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void more_than_4096_ranges_are_not_believed(void **state)
{
	struct env *e = host();
	struct vfiox_device *d;
	struct vfiox_container *c = ready(e, &d);
	uint64_t iova;
	uint32_t i;

	(void)state;
	for (i = 0; i < 4097; i++)
		fk.ranges[i] = (struct vfiox_k_iova_range){ (uint64_t)i << 20,
							    ((uint64_t)i << 20) + 0xfffff - 0x1000 };
	fk.nranges = 4097;
	assert_int_equal(vfiox_dma_map(c, VA(0x100000), 4 * KiB, RW, 0, &iova), -EPROTO);
	env_assert_error(e, "claims 4097 ranges", "more than the 4096 believed", NULL);
	assert_int_equal(fk.ranges_calls, 1);
	/* 4096 are. */
	fk.nranges = 4096;
	assert_int_equal(vfiox_dma_map(c, VA(0x100000), 4 * KiB, RW, 0, &iova), 0);
	vfiox_dma_unmap_all(c);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void kernel_errors_of_iova_ranges_are_passed_on(void **state)
{
	struct env *e = host();
	struct vfiox_device *d;
	struct vfiox_container *c = ready(e, &d);
	uint64_t iova;

	(void)state;
	fk.ranges_err = -EIO;
	assert_int_equal(vfiox_dma_map(c, VA(0x100000), 4 * KiB, RW, 0, &iova), -EIO);
	env_assert_error(e, "IOMMU_IOAS_IOVA_RANGES of IOAS 7", strerror(EIO), NULL);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

/* The parser alone (what the fuzz target drives): good replies pass through unchanged. */
static void parse_ioas_ranges_accepts_sorted_disjoint_aligned_ranges(void **state)
{
	static const struct vfiox_k_iova_range k[] = {
		{ 0, 0xfff }, { 0x1000, MSI_LO - 1 }, { MSI_HI + 1, UINT64_MAX },
	};
	struct vfiox_iova_range out[3];
	char why[160] = "";
	size_t i;

	(void)state;
	assert_int_equal(vfiox__parse_ioas_ranges(k, 3, 4096, out, why, sizeof(why)), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(out[i].start, k[i].start);
		assert_int_equal(out[i].end, k[i].last);
	}
	/* Alignment 0 and 1 check nothing; no range at all is fine. */
	assert_int_equal(vfiox__parse_ioas_ranges(k, 3, 0, out, why, sizeof(why)), 0);
	assert_int_equal(vfiox__parse_ioas_ranges(k, 3, 1, out, why, sizeof(why)), 0);
	assert_int_equal(vfiox__parse_ioas_ranges(NULL, 0, 4096, out, why, sizeof(why)), 0);
	assert_int_equal(vfiox__parse_ioas_ranges(k, 3, 1ull << 13, out, why, sizeof(why)),
			 -EPROTO);
	assert_non_null(strstr(why, "range 0 (0x0-0xfff) is not aligned to 0x2000"));
}

/* ------------------------------------------------------------------ IOMMU hardware */

static void hw_info_decodes_vtd_registers(void **state)
{
	struct vfiox_k_hw_info_vtd vtd = { .flags = 1, .cap_reg = 0x00d2008c22260206ull,
					   .ecap_reg = 0x0000000000f00f1aull };
	struct env *e = host();
	struct vfiox_device *d;
	struct vfiox_container *c = ready(e, &d);
	struct vfiox_iommu_hw_info hw;

	(void)state;
	memcpy(fk.hw_data, &vtd, sizeof(vtd));
	fk.hw_len = sizeof(vtd);
	fk.hw_type = VFIOX_IOMMU_HW_INTEL_VTD;
	fk.hw_caps = VFIOX_IOMMU_HW_CAP_DIRTY_TRACKING;
	fk.hw_pasid = 20;
	memset(&hw, 0xa5, sizeof(hw));
	assert_int_equal(vfiox_device_iommu_hw_info(d, &hw), 0);
	assert_int_equal(fk.hw_calls, 1);
	assert_int_equal(fk.last_hw.size, sizeof(struct vfiox_k_hw_info));
	assert_int_equal(fk.last_hw.dev_id, vfiox_device_devid(d));
	assert_int_equal(fk.last_hw.data_len, 64);
	assert_int_equal(hw.type, VFIOX_IOMMU_HW_INTEL_VTD);
	assert_string_equal(hw.type_name, "intel-vtd");
	assert_int_equal(hw.vtd_flags, 1);
	assert_int_equal(hw.vtd_cap_reg, 0x00d2008c22260206ull);
	assert_int_equal(hw.vtd_ecap_reg, 0x0000000000f00f1aull);
	assert_int_equal(hw.capabilities, VFIOX_IOMMU_HW_CAP_DIRTY_TRACKING);
	assert_int_equal(hw.max_pasid_log2, 20);
	assert_int_equal(hw.data_len, sizeof(vtd));
	assert_memory_equal(hw.data, &vtd, sizeof(vtd));
	assert_int_equal(hw.data[sizeof(vtd)], 0);
	/* Less VT-d data than its struct: refused. */
	fk.hw_len = 16;
	assert_int_equal(vfiox_device_iommu_hw_info(d, &hw), -EPROTO);
	env_assert_error(e, "16 bytes of VT-d data", NULL, NULL);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void hw_info_names_each_type(void **state)
{
	static const struct { uint32_t type, len; const char *name; } rows[] = {
		{ VFIOX_IOMMU_HW_NONE, 0, "none" },
		{ VFIOX_IOMMU_HW_ARM_SMMUV3, 40, "arm-smmuv3" },
		{ 99, 8, "unknown" },
	};
	struct env *e = host();
	struct vfiox_device *d;
	struct vfiox_container *c = ready(e, &d);
	struct vfiox_iommu_hw_info hw;
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(rows); i++) {
		fk.hw_type = rows[i].type;
		fk.hw_len = rows[i].len;
		memset(fk.hw_data, (int)i + 1, sizeof(fk.hw_data));
		assert_int_equal(vfiox_device_iommu_hw_info(d, &hw), 0);
		assert_int_equal(hw.type, rows[i].type);
		assert_string_equal(hw.type_name, rows[i].name);
		assert_int_equal(hw.data_len, rows[i].len);
		assert_int_equal(hw.vtd_cap_reg, 0);
		if (rows[i].len)
			assert_int_equal(hw.data[rows[i].len - 1], i + 1);
		assert_int_equal(hw.data[rows[i].len], 0);
	}
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

/*
 * The kernel says how much data it has, which a newer kernel may make more than the
 * buffer (iommufd_get_hw_info() copies only what fits): the first 64 bytes are kept.
 */
static void hw_info_keeps_the_first_64_bytes_of_a_longer_reply(void **state)
{
	struct vfiox_k_hw_info_vtd vtd = { .cap_reg = 0x1234, .ecap_reg = 0x5678 };
	struct env *e = host();
	struct vfiox_device *d;
	struct vfiox_container *c = ready(e, &d);
	struct vfiox_iommu_hw_info hw;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fk.hw_data); i++)
		fk.hw_data[i] = (uint8_t)i;
	memcpy(fk.hw_data, &vtd, sizeof(vtd));
	fk.hw_len = 96;
	fk.hw_type = VFIOX_IOMMU_HW_INTEL_VTD;
	assert_int_equal(vfiox_device_iommu_hw_info(d, &hw), 0);
	assert_int_equal(hw.data_len, 64);
	assert_memory_equal(hw.data, fk.hw_data, 64);
	assert_int_equal(hw.vtd_cap_reg, 0x1234);
	assert_int_equal(hw.vtd_ecap_reg, 0x5678);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void hw_info_of_a_group_opened_device_is_einval(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_device *d = NULL;
	struct vfiox_iommu_hw_info hw;

	(void)state;
	no_node(e, "iommu");
	assert_int_equal(vfiox_device_open_any(e->ctx, EDU, VFIOX_BACKEND_AUTO, NULL, &c, &g, &d),
			 0);
	assert_int_equal(vfiox_device_devid(d), 0);
	assert_int_equal(vfiox_device_iommu_hw_info(d, &hw), -EINVAL);
	env_assert_error(e, "comes from iommufd", "opened through its group", NULL);
	assert_int_equal(fk.hw_calls, 0);
	vfiox_device_close(d);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

/* ------------------------------------------------------------------ the choice */

static void auto_picks_iommufd_when_dev_iommu_and_the_cdev_exist(void **state)
{
	struct env *e = host();
	char why[512];

	(void)state;
	assert_int_equal(vfiox_backend_choose(e->ctx, EDU, VFIOX_BACKEND_AUTO, false, why,
					      sizeof(why)), VFIOX_BACKEND_IOMMUFD);
	assert_non_null(strstr(why, "iommufd: "));
	assert_non_null(strstr(why, "/dev/iommu"));
	assert_non_null(strstr(why, "/vfio/devices/vfio3"));
	/* Forced, the same. */
	assert_int_equal(vfiox_backend_choose(e->ctx, EDU, VFIOX_BACKEND_IOMMUFD, false, why,
					      sizeof(why)), VFIOX_BACKEND_IOMMUFD);
	assert_non_null(strstr(why, "asked for"));
	/* why may be NULL. */
	assert_int_equal(vfiox_backend_choose(e->ctx, EDU, VFIOX_BACKEND_AUTO, false, NULL, 0),
			 VFIOX_BACKEND_IOMMUFD);
	assert_int_equal(fk_fds.opens, 0);
	env_free(e);
}

static void auto_picks_type1_without_dev_iommu_a_cdev_or_with_a_vf_token(void **state)
{
	struct env *e = host();
	char why[512];

	(void)state;
	/* A VF token only type1 passes. */
	assert_int_equal(vfiox_backend_choose(e->ctx, EDU, VFIOX_BACKEND_AUTO, true, why,
					      sizeof(why)), VFIOX_BACKEND_TYPE1);
	assert_non_null(strstr(why, "type1: the device needs a VF token"));
	/* No cdev: the reason is what vfiox_device_cdev() found. */
	assert_int_equal(vfiox_backend_choose(e->ctx, OLD, VFIOX_BACKEND_AUTO, false, why,
					      sizeof(why)), VFIOX_BACKEND_TYPE1);
	assert_non_null(strstr(why, "type1: "));
	assert_non_null(strstr(why, "CONFIG_VFIO_DEVICE_CDEV"));
	assert_int_equal(vfiox_backend_choose(e->ctx, NET, VFIOX_BACKEND_AUTO, false, why,
					      sizeof(why)), VFIOX_BACKEND_TYPE1);
	assert_non_null(strstr(why, "bound to e1000e"));
	/* No /dev/iommu. */
	no_node(e, "iommu");
	assert_int_equal(vfiox_backend_choose(e->ctx, EDU, VFIOX_BACKEND_AUTO, false, why,
					      sizeof(why)), VFIOX_BACKEND_TYPE1);
	assert_non_null(strstr(why, "type1: no "));
	assert_non_null(strstr(why, "CONFIG_IOMMUFD"));
	env_free(e);
}

static void a_forced_backend_that_cannot_serve_is_refused(void **state)
{
	struct env *e = host();
	char why[512] = "untouched";

	(void)state;
	assert_int_equal(vfiox_backend_choose(e->ctx, EDU, VFIOX_BACKEND_IOMMUFD, true, why,
					      sizeof(why)), -EOPNOTSUPP);
	env_assert_error(e, "needs a VF token", "use type1", NULL);
	assert_int_equal(vfiox_backend_choose(e->ctx, OLD, VFIOX_BACKEND_IOMMUFD, false, why,
					      sizeof(why)), -ENODEV);
	env_assert_error(e, "the iommufd backend: ", "CONFIG_VFIO_DEVICE_CDEV", NULL);
	assert_int_equal(vfiox_backend_choose(e->ctx, EDU, 7, false, why, sizeof(why)), -EINVAL);
	env_assert_error(e, "unknown backend 7", NULL, NULL);
	no_node(e, "iommu");
	assert_int_equal(vfiox_backend_choose(e->ctx, EDU, VFIOX_BACKEND_IOMMUFD, false, why,
					      sizeof(why)), -ENODEV);
	env_assert_error(e, "needs", "/dev/iommu", "CONFIG_IOMMUFD");
	no_node(e, "vfio/vfio");
	assert_int_equal(vfiox_backend_choose(e->ctx, EDU, VFIOX_BACKEND_TYPE1, false, why,
					      sizeof(why)), -ENOENT);
	env_assert_error(e, "the type1 backend needs", "/dev/vfio/vfio", "CONFIG_VFIO_CONTAINER");
	/* Neither: VFIO is not loaded. */
	assert_int_equal(vfiox_backend_choose(e->ctx, EDU, VFIOX_BACKEND_AUTO, false, why,
					      sizeof(why)), -ENOENT);
	env_assert_error(e, "neither", "modprobe vfio-pci", NULL);
	assert_string_equal(why, "untouched");
	env_free(e);
}

static void auto_without_dev_vfio_vfio_takes_iommufd_or_explains(void **state)
{
	struct env *e = host();
	char why[512];

	(void)state;
	no_node(e, "vfio/vfio");
	assert_int_equal(vfiox_backend_choose(e->ctx, EDU, VFIOX_BACKEND_AUTO, false, why,
					      sizeof(why)), VFIOX_BACKEND_IOMMUFD);
	assert_int_equal(vfiox_backend_choose(e->ctx, EDU, VFIOX_BACKEND_AUTO, true, why,
					      sizeof(why)), -EOPNOTSUPP);
	env_assert_error(e, "needs a VF token", "no /dev/vfio/vfio", NULL);
	assert_int_equal(vfiox_backend_choose(e->ctx, OLD, VFIOX_BACKEND_AUTO, false, why,
					      sizeof(why)), -ENODEV);
	env_assert_error(e, "only iommufd is there", "CONFIG_VFIO_DEVICE_CDEV", NULL);
	env_free(e);
}

static void open_any_auto_opens_the_device_over_iommufd(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = (void *)1;
	struct vfiox_device *d = NULL;

	(void)state;
	assert_int_equal(vfiox_device_open_any(e->ctx, EDU, VFIOX_BACKEND_AUTO, NULL, &c, &g, &d),
			 0);
	assert_int_equal(vfiox_container_backend(c), VFIOX_BACKEND_IOMMUFD);
	assert_null(g);
	assert_int_equal(vfiox_device_devid(d), 0x41);
	assert_int_equal(fk.attached[fk_slot(vfiox_device_fd(d))], 7);
	assert_int_equal(fk.set_container_calls, 0);
	vfiox_device_close(d);
	vfiox_container_close(c);
	/* Forced iommufd needs no place for a group. */
	assert_int_equal(vfiox_device_open_any(e->ctx, NVME, VFIOX_BACKEND_IOMMUFD, NULL, &c, NULL,
					       &d), 0);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void open_any_opens_over_type1_through_the_group_with_the_vf_token(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = NULL, *c2 = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_device *d = NULL, *d2 = NULL;

	(void)state;
	assert_int_equal(vfiox_device_open_any(e->ctx, EDU, VFIOX_BACKEND_AUTO, VF_TOKEN, &c, &g,
					       &d), 0);
	assert_int_equal(vfiox_container_backend(c), VFIOX_BACKEND_TYPE1);
	assert_non_null(g);
	assert_int_equal(vfiox_vgroup_id(g), 3);
	assert_string_equal(fk.device_arg, EDU " vf_token=" VF_TOKEN);
	assert_int_equal(fk.bind_calls, 0);
	assert_int_equal(vfiox_device_devid(d), 0);
	/* Type1 needs a place for the group. */
	assert_int_equal(vfiox_device_open_any(e->ctx, NVME, VFIOX_BACKEND_TYPE1, NULL, &c2, NULL,
					       &d2), -EINVAL);
	assert_null(c2);
	assert_null(d2);
	vfiox_device_close(d);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void open_any_leaves_nothing_open_on_failure(void **state)
{
	struct env *e = host();
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_device *d = NULL;
	unsigned opens;

	(void)state;
	/* iommufd: the bind fails after /dev/iommu and the cdev were opened. */
	fk.bind_err = -EBUSY;
	assert_int_equal(vfiox_device_open_any(e->ctx, EDU, VFIOX_BACKEND_AUTO, NULL, &c, &g, &d),
			 -EBUSY);
	env_assert_error(e, "cannot bind " EDU, "/dev/vfio/3", NULL);
	assert_int_equal(fk_fds.opens, 2);
	fk_assert_fds_closed();
	fk.bind_err = 0;
	/* iommufd: the attach fails. */
	fk.attach_err = -EADDRINUSE;
	assert_int_equal(vfiox_device_open_any(e->ctx, EDU, VFIOX_BACKEND_IOMMUFD, NULL, &c, &g,
					       &d), -EADDRINUSE);
	fk_assert_fds_closed();
	fk.attach_err = 0;
	/* type1: the device fd is refused after container and group were set up. */
	opens = fk_fds.opens;
	fk.get_device_err = -EBUSY;
	assert_int_equal(vfiox_device_open_any(e->ctx, EDU, VFIOX_BACKEND_TYPE1, NULL, &c, &g, &d),
			 -EBUSY);
	assert_int_equal(fk_fds.opens, opens + 2);
	fk_assert_fds_closed();
	/* type1: the group is not viable. */
	fk.get_device_err = 0;
	fk.viable = false;
	assert_int_equal(vfiox_device_open_any(e->ctx, EDU, VFIOX_BACKEND_TYPE1, NULL, &c, &g, &d),
			 -EPERM);
	fk_assert_fds_closed();
	/* No such device: nothing is opened at all. */
	opens = fk_fds.opens;
	assert_int_equal(vfiox_device_open_any(e->ctx, GHOST, VFIOX_BACKEND_AUTO, NULL, &c, &g, &d),
			 -ENODEV);
	assert_int_equal(fk_fds.opens, opens);
	assert_null(c);
	assert_null(g);
	assert_null(d);
	fk_assert_fds_closed();
	env_free(e);
}

/* ------------------------------------------------------------------ hot reset */

static void kdev(uint8_t slot, uint32_t devid)
{
	assert_true(fk.nrdevs < N_ELEMS(fk.rdevs));
	fk.rdevs[fk.nrdevs++] = (struct vfio_pci_dependent_device){
		.group_id = devid, .segment = 0, .bus = 0, .devfn = (uint8_t)(slot << 3) };
}

static void hot_reset_of_a_cdev_device_sends_no_group_fds(void **state)
{
	struct env *e = host();
	struct vfiox_device *d, *d2;
	struct vfiox_container *c = ready(e, &d);
	struct vfiox_reset_plan *p = NULL;

	(void)state;
	d2 = cdev(e, c, NVME);
	kdev(3, vfiox_device_devid(d));
	kdev(4, vfiox_device_devid(d2));
	fk.rflags = VFIO_PCI_HOT_RESET_FLAG_DEV_ID | VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED;
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), 0);
	assert_int_equal(vfiox_reset_plan_num_devs(p), 2);
	assert_int_equal(vfiox_reset_plan_dev_group(p, 0), 3);
	assert_int_equal(vfiox_reset_plan_dev_group(p, 1), 4);
	vfiox_reset_plan_free(p);
	assert_int_equal(vfiox_device_hot_reset(d, NULL, 0), 0);
	assert_int_equal(fk.hot_calls, 1);
	assert_int_equal(fk.hot_argsz, sizeof(struct vfio_pci_hot_reset));
	assert_int_equal(fk.hot_flags, 0);
	assert_int_equal(fk.hot_count, 0);
	vfiox_device_close(d2);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void hot_reset_of_a_cdev_device_is_refused_when_a_device_is_not_owned(void **state)
{
	struct env *e = host();
	struct vfiox_device *d;
	struct vfiox_container *c = ready(e, &d);

	(void)state;
	kdev(3, vfiox_device_devid(d));
	kdev(4, 0xffffffffu);
	kdev(7, 0xffffffffu);
	fk.rflags = VFIO_PCI_HOT_RESET_FLAG_DEV_ID;
	assert_int_equal(vfiox_device_hot_reset(d, NULL, 0), -EPERM);
	env_assert_error(e, "hot reset of " EDU " also resets " NVME ", " EDU2 ", which are not",
			 "open them by their cdev", NULL);
	assert_null(strstr(vfiox_ctx_last_error(e->ctx), "SR-IOV"));
	assert_int_equal(fk.hot_calls, 0);
	/* A VF among them: the kernel never counts it (device sets of their own), so say so. */
	assert_int_equal(symlink("../" EDU, root_path(e, "bus/pci/devices/" EDU2 "/physfn")), 0);
	assert_int_equal(vfiox_device_hot_reset(d, NULL, 0), -EPERM);
	env_assert_error(e, "; " EDU2 " is an SR-IOV VF of " EDU, "device sets of their own",
			 "vfioctl sriov " EDU " --vfs 0");
	/* One device: the words agree, and the VF hint names only the devices not owned. */
	fk.nrdevs = 0;
	kdev(3, vfiox_device_devid(d));
	kdev(4, 0xffffffffu);
	kdev(7, vfiox_device_devid(d) + 1);
	assert_int_equal(vfiox_device_hot_reset(d, NULL, 0), -EPERM);
	env_assert_error(e, "also resets " NVME ", which is not open in this iommufd",
			 "open it by its cdev", NULL);
	assert_null(strstr(vfiox_ctx_last_error(e->ctx), "SR-IOV"));
	assert_int_equal(fk.hot_calls, 0);
	vfiox_device_close(d);
	vfiox_container_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fk_reset, env_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(backend_names_and_parse_round_trip),
		T(open_without_dev_iommu_names_config_iommufd_and_type1),
		T(open_without_permission_says_how_to_get_it),
		T(open_of_a_file_that_is_no_iommufd_is_ebadf_and_closes_it),
		T(ioas_id_0_from_the_kernel_is_eproto),
		T(open_allocates_an_ioas_and_reports_the_iommufd_backend),
		T(adopt_uses_an_existing_ioas_and_refuses_an_unknown_one),
		T(cdev_is_found_through_sysfs_vfio_dev),
		T(cdev_of_a_device_on_another_driver_names_the_driver_and_vfioctl_bind),
		T(cdev_missing_on_vfio_pci_names_config_vfio_device_cdev),
		T(cdev_without_a_device_number_is_no_cdev),
		T(cdev_of_no_such_device_says_so),
		T(two_cdevs_for_one_device_are_eproto),
		T(open_cdev_binds_to_the_iommufd_then_attaches_to_the_ioas),
		T(bind_refused_busy_names_the_group_node_and_its_holder),
		T(every_bind_or_attach_refusal_is_worded_and_closes_the_cdev),
		T(open_cdev_without_its_node_or_sysfs_entry_is_enodev),
		T(a_cdev_on_a_type1_container_is_einval),
		T(a_group_on_an_iommufd_container_is_einval),
		T(adopt_cdev_binds_a_given_fd),
		T(closing_the_container_first_leaves_the_device_closable),
		T(dma_before_any_device_is_attached_names_attach),
		T(dma_map_and_unmap_go_to_ioas_map_and_unmap),
		T(iova_ranges_are_asked_with_no_room_first_then_with_the_count),
		T(allocations_never_land_outside_the_ioas_ranges),
		T(ranges_that_leave_no_room_are_enospc),
		T(ioas_alignment_above_the_page_size_is_the_mapping_granule),
		T(batch_merges_adjacent_chunks_into_one_ioas_map),
		T(kernel_enomem_gets_the_memlock_message_with_per_user_charging),
		T(kernel_efault_says_iommufd_maps_only_process_memory),
		T(physical_memory_cannot_be_mapped_over_iommufd),
		T(device_attached_after_mappings_keeps_the_allocator_out_of_its_reserved_range),
		T(device_attached_over_a_pending_batch_mapping_is_refused),
		T(device_attached_with_nothing_mapped_rebuilds_the_state),
		T(malformed_iova_ranges_are_eproto_with_the_reason),
		T(more_than_4096_ranges_are_not_believed),
		T(kernel_errors_of_iova_ranges_are_passed_on),
		T(parse_ioas_ranges_accepts_sorted_disjoint_aligned_ranges),
		T(hw_info_decodes_vtd_registers),
		T(hw_info_names_each_type),
		T(hw_info_keeps_the_first_64_bytes_of_a_longer_reply),
		T(hw_info_of_a_group_opened_device_is_einval),
		T(auto_picks_iommufd_when_dev_iommu_and_the_cdev_exist),
		T(auto_picks_type1_without_dev_iommu_a_cdev_or_with_a_vf_token),
		T(a_forced_backend_that_cannot_serve_is_refused),
		T(auto_without_dev_vfio_vfio_takes_iommufd_or_explains),
		T(open_any_auto_opens_the_device_over_iommufd),
		T(open_any_opens_over_type1_through_the_group_with_the_vf_token),
		T(open_any_leaves_nothing_open_on_failure),
		T(hot_reset_of_a_cdev_device_sends_no_group_fds),
		T(hot_reset_of_a_cdev_device_is_refused_when_a_device_is_not_owned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
