// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Containers, groups and devices (libvfiox/vfio.c) against a fake kernel at the syscall
 * layer: vfiox_sys_openat of <devroot>/vfio/vfio and <devroot>/vfio/N hands out fake fds
 * (FK_BASE and up), and vfiox_sys_ioctl answers the VFIO requests on them from a script
 * each test adjusts: API version, extensions, group status, the IOMMU and device info
 * replies with capability chains (the query-then-resize protocol included), regions and
 * interrupts. Everything else (the fixture's sysfs, /proc) passes through to the real
 * calls. Every fd the library opens or adopts must be closed exactly once, on the error
 * paths as on the good ones: each test ends with fk_assert_all_closed().
 *
 * Linked with WRAP_test-vfio in the Makefile.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "testutil.h"

#include "fake-kernel.h"

#define DEVROOT_MISSING "/nonexistent/vfiox-test-dev"
#define NVME "0000:00:04.0"
#define VF_TOKEN "2ab74924-c335-45f4-9b16-8569e5b08258"
#define MAX_REGIONS 16

int __real_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
int __wrap_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
int __real_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __real_vfiox_sys_set_cloexec(int fd);
int __wrap_vfiox_sys_set_cloexec(int fd);

enum fk_kind { FK_FREE, FK_CONTAINER, FK_GROUP, FK_DEVICE, FK_OTHER };

static struct fake {
	char devroot[1024];
	int group_id[FK_MAX];
	int group_container[FK_MAX]; /* the container fd a group is attached to, or -1 */
	bool iommu_set[FK_MAX];	     /* containers: VFIO_SET_IOMMU done */
	int real_open, real_closed;

	int container_open_err, group_open_err;
	char last_open_path[4096];
	int last_open_flags;

	int api_err, api_version;
	int ext_type1v2, ext_type1; /* VFIO_CHECK_EXTENSION replies */
	unsigned ioctls, api_calls;
	int other_err; /* what an FK_OTHER fd answers to every ioctl */

	bool viable;
	int status_err;
	int set_container_err;
	unsigned set_container_calls, unset_container_calls;
	int set_iommu_err;
	unsigned set_iommu_calls;
	int iommu_model;

	char device_name[64];
	char last_device_arg[256];
	unsigned get_device_fd_calls;
	int get_device_fd_err;
	int cloexec_err;
	unsigned cloexec_calls;
	int cloexec_fd;

	struct fk_reply iommu, devinfo, regions[MAX_REGIONS]; /* len 0: no such reply (-EINVAL) */
	int info_err;		/* every GET_INFO fails with this */
	int devinfo_err;	/* VFIO_DEVICE_GET_INFO only (adopting) */
	uint32_t force_argsz;	/* the first reply asks for this much */
	bool keep_growing;	/* every reply asks for 8 bytes more */
	int region_index_delta; /* the reply names another index */
	unsigned iommu_info_calls, device_info_calls, region_info_calls, irq_calls;
	uint32_t irq_count[8];
	uint32_t irq_flags[8];
	unsigned num_irqs;
} fk;

/* ------------------------------------------------------------------ reply builders */

/* A region at the offset vfio-pci gives its index (VFIO_PCI_INDEX_TO_OFFSET). */
static void kregion(struct fk_reply *r, uint32_t index, uint32_t flags, uint64_t size)
{
	fk_reply_region(r, index, flags, size, (uint64_t)index << 40);
}

/* ------------------------------------------------------------------ the fake kernel */

static bool path_is(const char *path, const char *suffix, int *id)
{
	size_t n = strlen(fk.devroot);
	char *end;
	long v;

	if (strncmp(path, fk.devroot, n) || strncmp(path + n, "/vfio/", 6))
		return false;
	path += n + 6;
	if (!id)
		return !strcmp(path, suffix);
	if (!*path || *path < '0' || *path > '9')
		return false;
	v = strtol(path, &end, 10);
	if (*end)
		return false;
	*id = (int)v;
	return true;
}

int __wrap_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	int id, fd;

	if (fk.devroot[0] && !strncmp(path, fk.devroot, strlen(fk.devroot))) {
		snprintf(fk.last_open_path, sizeof(fk.last_open_path), "%s", path);
		fk.last_open_flags = flags;
		if (dirfd != AT_FDCWD)
			fail_msg("%s opened relative to fd %d", path, dirfd);
		if (path_is(path, "vfio", NULL)) {
			if (fk.container_open_err)
				return fk.container_open_err;
			return fk_new_fd(FK_CONTAINER);
		}
		if (path_is(path, NULL, &id)) {
			if (fk.group_open_err)
				return fk.group_open_err;
			fd = fk_new_fd(FK_GROUP);
			fk.group_id[fk_slot(fd)] = id;
			return fd;
		}
		return -ENOENT;
	}
	fd = __real_vfiox_sys_openat(dirfd, path, flags, mode);
	if (fd >= 0)
		fk.real_open++;
	return fd;
}

int __wrap_vfiox_sys_close(int fd)
{
	int s = fk_slot(fd), ret = fk_close(fd);

	if (s < 0)
		fk.real_closed++;
	else if (!ret)
		fk_vfio_closed(s, fd, FK_GROUP, FK_CONTAINER, fk.group_container);
	return ret;
}

int __wrap_vfiox_sys_set_cloexec(int fd)
{
	int s = fk_slot(fd);

	if (s < 0)
		return __real_vfiox_sys_set_cloexec(fd);
	if (!fk_slot_open(s))
		fail_msg("FD_CLOEXEC on fd %d, which is not open", fd);
	fk.cloexec_calls++;
	fk.cloexec_fd = fd;
	return fk.cloexec_err;
}

/* VFIO_*_GET_INFO as the kernel answers it, with the faults the tests inject. */
static int fk_info(void *arg, const struct fk_reply *kr, unsigned *calls)
{
	uint32_t argsz = fk_get32(arg), need = (uint32_t)kr->len;

	(*calls)++;
	if (fk.info_err)
		return fk.info_err;
	if (fk.force_argsz && *calls == 1)
		need = fk.force_argsz;
	else if (fk.keep_growing)
		need = argsz + 8;
	else if (!kr->last)
		need = argsz < kr->len ? argsz : (uint32_t)kr->len; /* no chain: no resize */
	return fk_answer_info(arg, kr, need);
}

static int fk_get_device_fd(int s, const char *arg)
{
	size_t n = strcspn(arg, " ");

	fk.get_device_fd_calls++;
	snprintf(fk.last_device_arg, sizeof(fk.last_device_arg), "%s", arg);
	if (fk.group_container[s] < 0)
		return -EINVAL;
	if (fk.get_device_fd_err)
		return fk.get_device_fd_err;
	if (n != strlen(fk.device_name) || strncmp(arg, fk.device_name, n))
		return -ENODEV;
	return fk_new_fd(FK_DEVICE);
}

static int fk_container_ioctl(int fd, unsigned long req, void *arg)
{
	int s = fk_slot(fd), i;
	bool has_group = false;

	switch (req) {
	case VFIO_GET_API_VERSION:
		fk.api_calls++;
		return fk.api_err ? fk.api_err : fk.api_version;
	case VFIO_CHECK_EXTENSION:
		if ((long)arg == VFIO_TYPE1v2_IOMMU)
			return fk.ext_type1v2;
		if ((long)arg == VFIO_TYPE1_IOMMU)
			return fk.ext_type1;
		return 0;
	case VFIO_SET_IOMMU:
		fk.set_iommu_calls++;
		fk.iommu_model = (int)(long)arg;
		for (i = 0; i < FK_MAX; i++)
			has_group |= fk.group_container[i] == fd;
		if (!has_group || fk.iommu_set[s])
			return -EINVAL;
		if (fk.set_iommu_err)
			return fk.set_iommu_err;
		fk.iommu_set[s] = true;
		return 0;
	case VFIO_IOMMU_GET_INFO:
		if (!fk.iommu_set[s])
			return -ENOTTY; /* no IOMMU driver behind the container yet */
		return fk_info(arg, &fk.iommu, &fk.iommu_info_calls);
	default:
		return -ENOTTY;
	}
}

static int fk_group_ioctl(int fd, unsigned long req, void *arg)
{
	int s = fk_slot(fd), c;
	struct vfio_group_status *st = arg;

	switch (req) {
	case VFIO_GROUP_GET_STATUS:
		if (fk.status_err)
			return fk.status_err;
		if (st->argsz < sizeof(*st))
			return -EINVAL;
		st->flags = (fk.viable ? VFIO_GROUP_FLAGS_VIABLE : 0) |
			    (fk.group_container[s] >= 0 ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
		return 0;
	case VFIO_GROUP_SET_CONTAINER:
		fk.set_container_calls++;
		c = fk_slot(*(int *)arg);
		if (!fk_slot_open(c) || fk_fds.kind[c] != FK_CONTAINER)
			return -EBADF;
		if (fk.group_container[s] >= 0)
			return -EINVAL;
		if (fk.set_container_err)
			return fk.set_container_err;
		fk.group_container[s] = *(int *)arg;
		return 0;
	case VFIO_GROUP_UNSET_CONTAINER:
		fk.unset_container_calls++;
		if (fk.group_container[s] < 0)
			return -EINVAL;
		c = fk_slot(fk.group_container[s]);
		fk.group_container[s] = -1;
		if (c >= 0) {
			int i;
			bool others = false;

			for (i = 0; i < FK_MAX; i++)
				others |= fk.group_container[i] == FK_BASE + c;
			if (!others)
				fk.iommu_set[c] = false;
		}
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD:
		return fk_get_device_fd(s, arg);
	default:
		return -ENOTTY;
	}
}

static int fk_device_ioctl(unsigned long req, void *arg)
{
	struct vfio_irq_info *irq = arg;
	uint32_t index;

	switch (req) {
	case VFIO_DEVICE_GET_INFO:
		if (fk.devinfo_err)
			return fk.devinfo_err;
		return fk_info(arg, &fk.devinfo, &fk.device_info_calls);
	case VFIO_DEVICE_GET_REGION_INFO:
		index = fk_get32((uint8_t *)arg + 8);
		if (index >= MAX_REGIONS || !fk.regions[index].len) {
			fk.region_info_calls++;
			return -EINVAL;
		}
		if (fk.region_index_delta) {
			struct fk_reply other = fk.regions[index];

			fk_put32(&other, 8, index + (uint32_t)fk.region_index_delta);
			return fk_info(arg, &other, &fk.region_info_calls);
		}
		return fk_info(arg, &fk.regions[index], &fk.region_info_calls);
	case VFIO_DEVICE_GET_IRQ_INFO:
		fk.irq_calls++;
		if (irq->argsz < sizeof(*irq) || irq->index >= fk.num_irqs)
			return -EINVAL;
		irq->flags = fk.irq_flags[irq->index];
		irq->count = fk.irq_count[irq->index];
		return 0;
	default:
		return -ENOTTY;
	}
}

int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg)
{
	int s = fk_slot(fd);

	if (s < 0)
		return __real_vfiox_sys_ioctl(fd, request, arg);
	if (!fk_slot_open(s))
		fail_msg("ioctl 0x%lx on fd %d, which is not open", request, fd);
	fk.ioctls++;
	switch (fk_fds.kind[s]) {
	case FK_CONTAINER:
		return fk_container_ioctl(fd, request, arg);
	case FK_GROUP:
		return fk_group_ioctl(fd, request, arg);
	case FK_DEVICE:
		return fk_device_ioctl(request, arg);
	case FK_OTHER:
		return fk.other_err;
	default:
		fail_msg("ioctl on fd %d of no kind", fd);
		return -EBADF;
	}
}

/* ------------------------------------------------------------------ the script */

static const uint64_t nvme_bar0_areas[] = { 0x0, 0x2000, 0x3000, 0x1000 };
static const uint64_t x86_ranges[] = { 0x0, 0xfedfffffull, 0xfef00000ull, 0xffffffffffffull };

/* An NVMe device behind type1v2, as a 6.x kernel describes it. */
static int fk_reset(void **state)
{
	unsigned i;

	(void)state;
	memset(&fk, 0, sizeof(fk));
	fk_fds_reset();
	for (i = 0; i < FK_MAX; i++)
		fk.group_container[i] = -1;
	snprintf(fk.devroot, sizeof(fk.devroot), "%s", DEVROOT_MISSING);
	fk.ext_type1v2 = 1;
	fk.ext_type1 = 1;
	fk.viable = true;
	fk.other_err = -ENOTTY;
	snprintf(fk.device_name, sizeof(fk.device_name), "%s", NVME);

	fk_reply_iommu(&fk.iommu, VFIO_IOMMU_INFO_PGSIZES, 0x40201000ull);
	fk_cap_iova(&fk.iommu, 2, x86_ranges);
	fk_cap_dma_avail(&fk.iommu, 65535);

	/* The kernel's struct vfio_device_info, with its pad: 24 bytes. */
	fk_reply_device(&fk.devinfo, 24, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET, 9, 5);

	kregion(&fk.regions[0], 0,
		VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP,
		0x4000);
	fk_cap_sparse(&fk.regions[0], 2, nvme_bar0_areas);
	fk_cap(&fk.regions[0], VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, 0);
	for (i = 1; i < 6; i++)
		kregion(&fk.regions[i], i, 0, 0);
	kregion(&fk.regions[6], 6, VFIO_REGION_INFO_FLAG_READ, 0);
	kregion(&fk.regions[7], 7, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
		0x1000);
	kregion(&fk.regions[8], 8, 0, 0);
	kregion(&fk.regions[9], 9, VFIO_REGION_INFO_FLAG_READ, 0x2000);
	fk_cap_type(&fk.regions[9], 0x80008086u, VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION);
	kregion(&fk.regions[12], 12, VFIO_REGION_INFO_FLAG_READ, 0x100);
	fk_cap_type(&fk.regions[12], 0x80001234u, 7);

	fk.num_irqs = 5;
	fk.irq_flags[0] = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	fk.irq_count[0] = 1;
	fk.irq_flags[1] = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	fk.irq_count[1] = 0;
	fk.irq_flags[2] = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	fk.irq_count[2] = 130;
	fk.irq_flags[3] = VFIO_IRQ_INFO_EVENTFD;
	fk.irq_count[3] = 1;
	fk.irq_flags[4] = VFIO_IRQ_INFO_EVENTFD;
	fk.irq_count[4] = 1;
	return 0;
}

static int fk_teardown(void **state)
{
	return env_teardown(state);
}

/* Every fake fd was closed exactly once, and the real fds the library opened, too. */
static void fk_assert_all_closed(void)
{
	fk_assert_fds_closed();
	assert_int_equal(fk.real_closed, fk.real_open);
}

/* A context over the fixture's sysfs, whose /dev is the fake kernel's. */
static struct env *fk_env(const char *scenario)
{
	struct env *e = env_scenario(scenario);

	env_ctx(e);
	assert_int_equal(vfiox_ctx_set_dev_root(e->ctx, fk.devroot), 0);
	return e;
}

/* Container, group 12 and the attachment between them; must all succeed. */
static void open_attached(struct env *e, struct vfiox_container **c, struct vfiox_vgroup **g)
{
	int ret;

	ret = vfiox_container_open(e->ctx, c);
	if (ret)
		fail_msg("vfiox_container_open = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	ret = vfiox_vgroup_open(e->ctx, 12, g);
	if (ret)
		fail_msg("vfiox_vgroup_open = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	ret = vfiox_container_attach(*c, *g);
	if (ret)
		fail_msg("vfiox_container_attach = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
}

static struct vfiox_device *open_nvme(struct env *e, struct vfiox_vgroup *g)
{
	struct vfiox_device *d = NULL;
	int ret = vfiox_device_open(g, NVME, NULL, &d);

	if (ret)
		fail_msg("vfiox_device_open = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	return d;
}

/* ------------------------------------------------------------------ containers */

static void test_container_prefers_type1v2_when_offered(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	char path[4200];
	bool viable, set;

	(void)state;
	assert_int_equal(vfiox_container_open(e->ctx, &c), 0);
	snprintf(path, sizeof(path), "%s/vfio/vfio", DEVROOT_MISSING);
	assert_string_equal(fk.last_open_path, path);
	assert_int_equal(fk.last_open_flags & O_ACCMODE, O_RDWR);
	assert_int_equal(vfiox_container_fd(c), FK_BASE);
	assert_int_equal(vfiox_container_models(c),
			 (1u << VFIOX_IOMMU_TYPE1V2) | (1u << VFIOX_IOMMU_TYPE1));
	assert_int_equal(vfiox_container_model(c), VFIOX_IOMMU_NONE);
	assert_int_equal(fk.set_iommu_calls, 0); /* chosen at the first attach, not before */

	assert_int_equal(vfiox_vgroup_open(e->ctx, 12, &g), 0);
	snprintf(path, sizeof(path), "%s/vfio/12", DEVROOT_MISSING);
	assert_string_equal(fk.last_open_path, path);
	assert_int_equal(vfiox_vgroup_fd(g), FK_BASE + 1);
	assert_int_equal(vfiox_vgroup_id(g), 12);
	assert_int_equal(vfiox_vgroup_status(g, &viable, &set), 0);
	assert_true(viable);
	assert_false(set);

	assert_int_equal(vfiox_container_attach(c, g), 0);
	assert_int_equal(fk.group_container[1], FK_BASE);
	assert_int_equal(fk.set_iommu_calls, 1);
	assert_int_equal(fk.iommu_model, VFIO_TYPE1v2_IOMMU);
	assert_int_equal(vfiox_container_model(c), VFIOX_IOMMU_TYPE1V2);
	assert_int_equal(vfiox_vgroup_status(g, &viable, &set), 0);
	assert_true(set);
	assert_int_equal(vfiox_container_check_extension(c, VFIO_TYPE1v2_IOMMU), 1);

	vfiox_vgroup_close(g);
	assert_int_equal(fk.unset_container_calls, 1); /* detached before the close */
	vfiox_container_close(c);
	assert_int_equal(fk_fds.opens, 2);
	fk_assert_all_closed();
	env_free(e);
}

static void test_container_falls_back_to_type1(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;

	(void)state;
	fk.ext_type1v2 = 0;
	open_attached(e, &c, &g);
	assert_int_equal(vfiox_container_models(c), 1u << VFIOX_IOMMU_TYPE1);
	assert_int_equal(fk.iommu_model, VFIO_TYPE1_IOMMU);
	assert_int_equal(vfiox_container_model(c), VFIOX_IOMMU_TYPE1);
	vfiox_vgroup_close(g);
	/* The kernel drops the model with the last group; so does the library. */
	assert_int_equal(vfiox_container_model(c), VFIOX_IOMMU_NONE);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

static void test_second_group_shares_the_model(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL, *g2 = NULL;

	(void)state;
	open_attached(e, &c, &g);
	assert_int_equal(vfiox_vgroup_open(e->ctx, 13, &g2), 0);
	assert_int_equal(vfiox_container_attach(c, g2), 0);
	assert_int_equal(fk.set_iommu_calls, 1);
	assert_int_equal(vfiox_container_attach(c, g2), -EBUSY);
	env_assert_error(e, "IOMMU group 13", "already attached", NULL);
	assert_int_equal(vfiox_vgroup_detach(g), 0);
	assert_int_equal(vfiox_container_model(c), VFIOX_IOMMU_TYPE1V2); /* g2 holds it */
	assert_int_equal(vfiox_vgroup_detach(g), 0); /* not attached: 0, no ioctl */
	assert_int_equal(fk.unset_container_calls, 1);
	vfiox_vgroup_close(g2);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	assert_int_equal(fk.unset_container_calls, 2);
	fk_assert_all_closed();
	env_free(e);
}

static void test_api_version_mismatch_is_eproto(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;

	(void)state;
	fk.api_version = 1;
	assert_int_equal(vfiox_container_open(e->ctx, &c), -EPROTO);
	assert_null(c);
	env_assert_error(e, DEVROOT_MISSING "/vfio/vfio", "version 1", NULL);
	assert_int_equal(fk_fds.opens, 1);
	fk_assert_all_closed();
	env_free(e);
}

static void test_no_type1_iommu_is_enodev(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;

	(void)state;
	fk.ext_type1v2 = 0;
	fk.ext_type1 = -EINVAL; /* a failed check is no offer either */
	assert_int_equal(vfiox_container_open(e->ctx, &c), -ENODEV);
	assert_null(c);
	env_assert_error(e, DEVROOT_MISSING "/vfio/vfio", "no type1 IOMMU", "modprobe vfio_iommu_type1");
	fk_assert_all_closed();
	env_free(e);
}

static void test_container_open_failures_name_the_path_and_the_fix(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;

	(void)state;
	fk.container_open_err = -ENOENT;
	assert_int_equal(vfiox_container_open(e->ctx, &c), -ENOENT);
	env_assert_error(e, DEVROOT_MISSING "/vfio/vfio", "does not exist", "modprobe vfio-pci");

	fk.container_open_err = -EACCES;
	assert_int_equal(vfiox_container_open(e->ctx, &c), -EACCES);
	env_assert_error(e, DEVROOT_MISSING "/vfio/vfio", "no permission", "run as root");

	fk.container_open_err = -EMFILE;
	assert_int_equal(vfiox_container_open(e->ctx, &c), -EMFILE);
	env_assert_error(e, DEVROOT_MISSING "/vfio/vfio", "Too many open files", NULL);
	assert_null(c);
	assert_int_equal(fk_fds.opens, 0);
	fk_assert_all_closed();
	env_free(e);
}

static void test_container_get_api_version_failure_closes_the_fd(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;

	(void)state;
	fk.api_err = -EIO;
	assert_int_equal(vfiox_container_open(e->ctx, &c), -EIO);
	assert_null(c);
	env_assert_error(e, "VFIO_GET_API_VERSION", "Input/output error", NULL);
	assert_int_equal(fk_fds.opens, 1);
	fk_assert_all_closed();
	env_free(e);
}

/* ------------------------------------------------------------------ groups */

static void test_group_open_failures_name_the_path_and_the_fix(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_vgroup *g = NULL;

	(void)state;
	fk.group_open_err = -ENOENT;
	assert_int_equal(vfiox_vgroup_open(e->ctx, 12, &g), -ENOENT);
	env_assert_error(e, DEVROOT_MISSING "/vfio/12", "does not exist", "bound to vfio-pci");

	fk.group_open_err = -EACCES;
	assert_int_equal(vfiox_vgroup_open(e->ctx, 12, &g), -EACCES);
	env_assert_error(e, DEVROOT_MISSING "/vfio/12", "no permission", "run as root");

	fk.group_open_err = -EBUSY;
	assert_int_equal(vfiox_vgroup_open(e->ctx, 12, &g), -EBUSY);
	env_assert_error(e, DEVROOT_MISSING "/vfio/12", "in use", "one process at a time");

	assert_int_equal(vfiox_vgroup_open(e->ctx, -1, &g), -EINVAL);
	env_assert_error(e, "-1 is not an IOMMU group number", NULL, NULL);
	assert_null(g);
	assert_int_equal(fk_fds.opens, 0);
	fk_assert_all_closed();
	env_free(e);
}

/* /proc shows who holds the group: here, this very process holds the device node. */
static void test_busy_group_names_the_holder(void **state)
{
	struct env *e = env_scenario("base");
	struct vfiox_vgroup *g = NULL;
	char dir[1100], node[1200], pid[32];
	int hold;

	(void)state;
	snprintf(fk.devroot, sizeof(fk.devroot), "%.1000s/dev", fx_root(e->fx));
	assert_int_equal(mkdir(fk.devroot, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/vfio", fk.devroot);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(node, sizeof(node), "%s/12", dir);
	hold = open(node, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(hold >= 0);
	env_ctx(e);
	assert_int_equal(vfiox_ctx_set_dev_root(e->ctx, fk.devroot), 0);

	fk.group_open_err = -EBUSY;
	assert_int_equal(vfiox_vgroup_open(e->ctx, 12, &g), -EBUSY);
	snprintf(pid, sizeof(pid), "pid %d (", (int)getpid());
	env_assert_error(e, "IOMMU group 12", "in use by", pid);
	close(hold);
	fk_assert_all_closed();
	env_free(e);
}

static void test_nonviable_group_names_the_member_and_its_driver(void **state)
{
	struct env *e = fk_env("nonviable");
	struct vfiox_vgroup *g = NULL;
	const char *msg;

	(void)state;
	fk.viable = false;
	assert_int_equal(vfiox_vgroup_open(e->ctx, 9, &g), -EPERM);
	assert_null(g);
	env_assert_error(e, "IOMMU group 9 is not viable", "0000:00:1f.2 (bound to ahci)",
			 "bind them to vfio-pci");
	msg = vfiox_ctx_last_error(e->ctx);
	/* Only the blocker: the unbound and the vfio-pci member are fine. */
	if (strstr(msg, "0000:00:1f.0") || strstr(msg, "0000:00:1f.3"))
		fail_msg("a viable member is blamed: '%s'", msg);
	assert_int_equal(fk_fds.opens, 1);
	fk_assert_all_closed(); /* the group fd, and every sysfs fd the scan took */
	env_free(e);
}

static void test_nonviable_group_with_two_blockers_names_both(void **state)
{
	struct env *e = fk_env("nonviable");
	struct vfiox_vgroup *g = NULL;

	(void)state;
	fk.viable = false;
	assert_int_equal(vfiox_vgroup_open(e->ctx, 11, &g), -EPERM);
	env_assert_error(e, "0000:02:00.0 (bound to nvidia)", "0000:02:00.1 (bound to snd_hda_intel)",
			 "IOMMU group 11");
	fk_assert_all_closed();
	env_free(e);
}

static void test_group_status_failure_closes_the_fd(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_vgroup *g = NULL;

	(void)state;
	fk.status_err = -EIO;
	assert_int_equal(vfiox_vgroup_open(e->ctx, 12, &g), -EIO);
	assert_null(g);
	env_assert_error(e, DEVROOT_MISSING "/vfio/12", "VFIO_GROUP_GET_STATUS", NULL);
	fk_assert_all_closed();
	env_free(e);
}

static void test_attach_failures_leave_no_model(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;

	(void)state;
	assert_int_equal(vfiox_container_open(e->ctx, &c), 0);
	assert_int_equal(vfiox_vgroup_open(e->ctx, 12, &g), 0);

	fk.set_container_err = -EPERM;
	assert_int_equal(vfiox_container_attach(c, g), -EPERM);
	env_assert_error(e, "IOMMU group 12", "not viable", NULL);
	assert_int_equal(fk.set_iommu_calls, 0);

	fk.set_container_err = 0;
	fk.set_iommu_err = -ENODEV;
	assert_int_equal(vfiox_container_attach(c, g), -ENODEV);
	env_assert_error(e, "type1v2", "No such device", NULL);
	assert_int_equal(fk.unset_container_calls, 1); /* undone */
	assert_int_equal(fk.group_container[1], -1);
	assert_int_equal(vfiox_container_model(c), VFIOX_IOMMU_NONE);

	/* And the IOMMU info needs a model. */
	{
		struct vfiox_iommu_info *info = NULL;

		assert_int_equal(vfiox_container_iommu_info(c, &info), -EINVAL);
		assert_null(info);
		assert_int_equal(fk.iommu_info_calls, 0);
	}

	fk.set_iommu_err = 0;
	assert_int_equal(vfiox_container_attach(c, g), 0);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

/* ------------------------------------------------------------------ adopting */

static void test_adopting_works_for_each_kind(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_device *d = NULL;
	struct vfiox_device_info info;
	int cfd = fk_new_fd(FK_CONTAINER), gfd = fk_new_fd(FK_GROUP), dfd;

	(void)state;
	assert_int_equal(vfiox_container_adopt(e->ctx, cfd, &c), 0);
	assert_int_equal(vfiox_container_fd(c), cfd);
	assert_int_equal(vfiox_vgroup_adopt(e->ctx, gfd, 12, &g), 0);
	assert_int_equal(vfiox_vgroup_id(g), 12);
	assert_int_equal(vfiox_container_attach(c, g), 0);
	dfd = fk_new_fd(FK_DEVICE);
	assert_int_equal(vfiox_device_adopt(e->ctx, dfd, NVME, &d), 0);
	assert_string_equal(vfiox_device_name(d), NVME);
	assert_int_equal(vfiox_device_fd(d), dfd);
	assert_int_equal(vfiox_device_info(d, &info), 0);
	assert_int_equal(info.num_regions, 9);
	vfiox_device_close(d);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

/* A management tool may pass fds that it attached already: use them as they are. */
static void test_adopting_an_attached_group_links_it(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_iommu_info *info = NULL;
	int cfd = fk_new_fd(FK_CONTAINER), gfd = fk_new_fd(FK_GROUP);

	(void)state;
	/* what the other process did: SET_CONTAINER and SET_IOMMU */
	fk.group_container[fk_slot(gfd)] = cfd;
	fk.iommu_set[fk_slot(cfd)] = true;
	assert_int_equal(vfiox_container_adopt(e->ctx, cfd, &c), 0);
	assert_int_equal(vfiox_vgroup_adopt(e->ctx, gfd, 12, &g), 0);
	assert_int_equal(vfiox_container_attach(c, g), 0);
	assert_int_equal(fk.set_container_calls, 0); /* not attached a second time */
	assert_int_equal(vfiox_container_model(c), VFIOX_IOMMU_TYPE1V2);
	assert_int_equal(vfiox_container_iommu_info(c, &info), 0);
	vfiox_iommu_info_free(info);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

static void test_vf_token_must_be_a_uuid(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_device *d = NULL;

	(void)state;
	open_attached(e, &c, &g);
	fk.last_device_arg[0] = '\0';
	assert_int_equal(vfiox_device_open(g, "0000:03:10.0", "not-a-uuid", &d), -EINVAL);
	assert_null(d);
	assert_string_equal(fk.last_device_arg, "");
	env_assert_error(e, "not-a-uuid", "not a UUID", NULL);
	/* a well-formed token the kernel refuses: the message blames the token, not the group */
	fk.get_device_fd_err = -EINVAL;
	assert_int_equal(vfiox_device_open(g, "0000:03:10.0", VF_TOKEN, &d), -EINVAL);
	env_assert_error(e, "0000:03:10.0", "vf_token", NULL);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

static void test_adopting_a_non_vfio_fd_is_ebadf_and_closes_it(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_device *d = NULL;
	int fd;

	(void)state;
	/* ENOTTY: a file, a pipe, or a VFIO fd of the wrong kind. */
	fd = fk_new_fd(FK_OTHER);
	assert_int_equal(vfiox_container_adopt(e->ctx, fd, &c), -EBADF);
	env_assert_error(e, "not a VFIO container", NULL, NULL);
	fd = fk_new_fd(FK_GROUP);
	assert_int_equal(vfiox_container_adopt(e->ctx, fd, &c), -EBADF);
	fd = fk_new_fd(FK_CONTAINER);
	assert_int_equal(vfiox_vgroup_adopt(e->ctx, fd, 12, &g), -EBADF);
	env_assert_error(e, "not a VFIO group", NULL, NULL);
	fd = fk_new_fd(FK_CONTAINER);
	assert_int_equal(vfiox_device_adopt(e->ctx, fd, NVME, &d), -EBADF);
	env_assert_error(e, "not a VFIO device", NULL, NULL);

	/* EINVAL: what many drivers answer to an ioctl they do not know. */
	fk.other_err = -EINVAL;
	fd = fk_new_fd(FK_OTHER);
	assert_int_equal(vfiox_container_adopt(e->ctx, fd, &c), -EBADF);
	fd = fk_new_fd(FK_OTHER);
	assert_int_equal(vfiox_vgroup_adopt(e->ctx, fd, 12, &g), -EBADF);
	fd = fk_new_fd(FK_OTHER);
	assert_int_equal(vfiox_device_adopt(e->ctx, fd, NVME, &d), -EBADF);

	/* A negative fd: nothing to close. */
	assert_int_equal(vfiox_container_adopt(e->ctx, -1, &c), -EBADF);
	assert_int_equal(vfiox_vgroup_adopt(e->ctx, -1, 12, &g), -EBADF);
	assert_int_equal(vfiox_device_adopt(e->ctx, -1, NVME, &d), -EBADF);
	assert_null(c);
	assert_null(g);
	assert_null(d);
	assert_int_equal(fk_fds.opens, 7);
	fk_assert_all_closed();
	env_free(e);
}

static void test_adopted_fds_are_closed_on_every_refusal(void **state)
{
	struct env *e = fk_env("nonviable");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;

	(void)state;
	fk.api_version = 2;
	assert_int_equal(vfiox_container_adopt(e->ctx, fk_new_fd(FK_CONTAINER), &c), -EPROTO);
	env_assert_error(e, "version 2", NULL, NULL);
	fk.api_version = 0;
	fk.ext_type1 = fk.ext_type1v2 = 0;
	assert_int_equal(vfiox_container_adopt(e->ctx, fk_new_fd(FK_CONTAINER), &c), -ENODEV);
	fk.viable = false;
	assert_int_equal(vfiox_vgroup_adopt(e->ctx, fk_new_fd(FK_GROUP), 9, &g), -EPERM);
	env_assert_error(e, "0000:00:1f.2 (bound to ahci)", NULL, NULL);
	fk_assert_all_closed();
	env_free(e);
}

/* ------------------------------------------------------------------ IOMMU info */

static void test_iommu_info_queries_then_resizes(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_iommu_info *info = NULL;

	(void)state;
	fk_cap(&fk.iommu, 0x4242, 1, 4); /* unknown to the library */
	open_attached(e, &c, &g);
	assert_int_equal(vfiox_container_iommu_info(c, &info), 0);
	assert_int_equal(fk.iommu_info_calls, 2);
	assert_non_null(info);
	assert_int_equal(info->flags, VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
	assert_int_equal(info->pgsizes, 0x40201000ull);
	assert_int_equal(info->num_iova_ranges, 2);
	assert_int_equal(info->iova_ranges[0].start, 0);
	assert_int_equal(info->iova_ranges[0].end, 0xfedfffffull);
	assert_int_equal(info->iova_ranges[1].start, 0xfef00000ull);
	assert_int_equal(info->iova_ranges[1].end, 0xffffffffffffull);
	assert_int_equal(info->dma_avail, 65535);
	assert_false(info->migration);
	assert_int_equal(info->num_unknown_caps, 1);
	assert_int_equal(info->unknown_caps[0], 0x4242);
	vfiox_iommu_info_free(info);
	vfiox_iommu_info_free(NULL);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

static void test_iommu_info_without_caps_takes_one_call(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_iommu_info *info = NULL;

	(void)state;
	fk_reply_iommu(&fk.iommu, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	open_attached(e, &c, &g);
	assert_int_equal(vfiox_container_iommu_info(c, &info), 0);
	assert_int_equal(fk.iommu_info_calls, 1);
	assert_int_equal(info->pgsizes, 0x1000);
	assert_null(info->iova_ranges);
	assert_int_equal(info->dma_avail, -1);
	vfiox_iommu_info_free(info);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

static void test_malformed_iommu_info_is_eproto(void **state)
{
	static const uint64_t reversed[] = { 0x100000, 0x1fffff, 0x0, 0xfffff };
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_iommu_info *info = NULL;

	(void)state;
	fk_reply_iommu(&fk.iommu, VFIO_IOMMU_INFO_PGSIZES, 0x1000);
	fk_cap_iova(&fk.iommu, 2, reversed);
	open_attached(e, &c, &g);
	assert_int_equal(vfiox_container_iommu_info(c, &info), -EPROTO);
	assert_null(info);
	env_assert_error(e, "malformed IOMMU info", "IOVA range 1", "out of order");
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

static void test_iommu_info_argsz_over_64k_is_eproto(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_iommu_info *info = NULL;

	(void)state;
	fk.force_argsz = 64 * 1024 + 1;
	open_attached(e, &c, &g);
	assert_int_equal(vfiox_container_iommu_info(c, &info), -EPROTO);
	assert_null(info);
	assert_int_equal(fk.iommu_info_calls, 1); /* no 64 KiB + 1 allocation tried */
	env_assert_error(e, "IOMMU info", "65537", NULL);

	/* 64 KiB exactly is still believed. */
	fk.force_argsz = 64 * 1024;
	fk.iommu_info_calls = 0;
	assert_int_equal(vfiox_container_iommu_info(c, &info), 0);
	assert_int_equal(fk.iommu_info_calls, 2);
	assert_int_equal(info->num_iova_ranges, 2);
	vfiox_iommu_info_free(info);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

static void test_iommu_info_that_keeps_growing_is_eproto(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_iommu_info *info = NULL;

	(void)state;
	fk.keep_growing = true;
	open_attached(e, &c, &g);
	assert_int_equal(vfiox_container_iommu_info(c, &info), -EPROTO);
	assert_null(info);
	assert_int_equal(fk.iommu_info_calls, 2);
	env_assert_error(e, "IOMMU info", "kept growing", NULL);

	fk.keep_growing = false;
	fk.info_err = -EFAULT;
	assert_int_equal(vfiox_container_iommu_info(c, &info), -EFAULT);
	env_assert_error(e, "VFIO_IOMMU_GET_INFO", "Bad address", NULL);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

/* ------------------------------------------------------------------ devices */

static void test_device_open_before_attach_is_einval(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_vgroup *g = NULL;
	struct vfiox_device *d = NULL;

	(void)state;
	assert_int_equal(vfiox_vgroup_open(e->ctx, 12, &g), 0);
	assert_int_equal(vfiox_device_open(g, NVME, NULL, &d), -EINVAL);
	assert_null(d);
	assert_int_equal(fk.get_device_fd_calls, 0);
	env_assert_error(e, "IOMMU group 12", "attached to a container", NULL);
	vfiox_vgroup_close(g);
	assert_int_equal(fk.unset_container_calls, 0);
	fk_assert_all_closed();
	env_free(e);
}

static void test_device_open_passes_the_name_and_sets_cloexec(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_device *d;

	(void)state;
	open_attached(e, &c, &g);
	d = open_nvme(e, g);
	assert_string_equal(fk.last_device_arg, NVME);
	assert_int_equal(vfiox_device_fd(d), FK_BASE + 2);
	assert_int_equal(fk.cloexec_calls, 1);
	assert_int_equal(fk.cloexec_fd, FK_BASE + 2);
	assert_string_equal(vfiox_device_name(d), NVME);
	vfiox_device_close(d);
	vfiox_device_close(NULL);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

static void test_vf_token_is_passed_in_the_device_string(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_device *d = NULL;

	(void)state;
	snprintf(fk.device_name, sizeof(fk.device_name), "0000:03:10.0");
	open_attached(e, &c, &g);
	assert_int_equal(vfiox_device_open(g, "0000:03:10.0", VF_TOKEN, &d), 0);
	assert_string_equal(fk.last_device_arg, "0000:03:10.0 vf_token=" VF_TOKEN);
	assert_string_equal(vfiox_device_name(d), "0000:03:10.0");
	vfiox_device_close(d);

	/* The kernel refuses a VF of a vfio-pci PF without its token with EACCES. */
	fk.get_device_fd_err = -EACCES;
	d = NULL;
	assert_int_equal(vfiox_device_open(g, "0000:03:10.0", NULL, &d), -EACCES);
	assert_null(d);
	assert_string_equal(fk.last_device_arg, "0000:03:10.0");
	env_assert_error(e, "0000:03:10.0", "needs a vf_token", NULL);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

/* Closing the container first detaches its groups: no group keeps a stale container. */
static void test_container_closed_before_its_groups(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	bool viable = false, set = true;

	(void)state;
	open_attached(e, &c, &g);
	vfiox_container_close(c);
	assert_int_equal(fk.unset_container_calls, 1);
	assert_int_equal(vfiox_vgroup_status(g, &viable, &set), 0);
	assert_true(viable);
	assert_false(set);
	assert_int_equal(vfiox_vgroup_detach(g), 0); /* nothing left to detach */
	assert_int_equal(fk.unset_container_calls, 1);
	vfiox_vgroup_close(g);
	assert_int_equal(fk.unset_container_calls, 1);
	fk_assert_all_closed();
	env_free(e);
}

/* A name that does not fit the kernel's argument is refused, never cut short. */
static void test_overlong_device_name_is_refused(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_device *d = NULL;
	char name[200];

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	open_attached(e, &c, &g);
	fk.last_device_arg[0] = '\0';
	assert_int_equal(vfiox_device_open(g, name, NULL, &d), -ENAMETOOLONG);
	assert_null(d);
	assert_string_equal(fk.last_device_arg, ""); /* the kernel was not asked */
	env_assert_error(e, "too long", NULL, NULL);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

static void test_device_open_failures(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_device *d = NULL;

	(void)state;
	open_attached(e, &c, &g);
	assert_int_equal(vfiox_device_open(g, "0000:00:05.0", NULL, &d), -ENODEV);
	env_assert_error(e, "0000:00:05.0", "not a device of IOMMU group 12", NULL);

	fk.get_device_fd_err = -EBUSY;
	assert_int_equal(vfiox_device_open(g, NVME, NULL, &d), -EBUSY);
	env_assert_error(e, NVME, "busy", NULL);

	/* The fd came, FD_CLOEXEC failed: the fd must not stay open. */
	fk.get_device_fd_err = 0;
	fk.cloexec_err = -EBADF;
	assert_int_equal(vfiox_device_open(g, NVME, NULL, &d), -EBADF);
	env_assert_error(e, "FD_CLOEXEC", NVME, NULL);
	assert_null(d);
	assert_int_equal(fk_fds.opens, 3);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

static void test_device_info_with_caps_is_resized(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_device_info info;
	struct vfiox_device *d;

	(void)state;
	open_attached(e, &c, &g);
	d = open_nvme(e, g);
	assert_int_equal(vfiox_device_info(d, &info), 0);
	assert_int_equal(fk.device_info_calls, 1);
	assert_int_equal(info.flags, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
	assert_int_equal(info.num_regions, 9);
	assert_int_equal(info.num_irqs, 5);
	assert_int_equal(info.num_caps, 0);

	fk_cap(&fk.devinfo, VFIO_DEVICE_INFO_CAP_ZPCI_BASE, 1, 32);
	fk_cap(&fk.devinfo, 0x77, 1, 0);
	fk.device_info_calls = 0;
	assert_int_equal(vfiox_device_info(d, &info), 0);
	assert_int_equal(fk.device_info_calls, 2);
	assert_int_equal(info.flags, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET |
					     VFIO_DEVICE_FLAGS_CAPS);
	assert_int_equal(info.num_caps, 2);
	assert_int_equal(info.cap_ids[0], VFIO_DEVICE_INFO_CAP_ZPCI_BASE);
	assert_int_equal(info.cap_ids[1], 0x77);

	/* A chain that loops. */
	fk_put32(&fk.devinfo, fk.devinfo.last + 4, 24);
	assert_int_equal(vfiox_device_info(d, &info), -EPROTO);
	env_assert_error(e, NVME, "malformed device info", "points back to 24");

	fk.info_err = -EIO;
	assert_int_equal(vfiox_device_info(d, &info), -EIO);
	env_assert_error(e, NVME, "VFIO_DEVICE_GET_INFO", "Input/output error");
	vfiox_device_close(d);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

static void test_regions_are_decoded_and_named(void **state)
{
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_region *bar0 = NULL, *cfg = NULL, *igd = NULL, *r12 = NULL, *bar3 = NULL;
	struct vfiox_device *d;

	(void)state;
	open_attached(e, &c, &g);
	d = open_nvme(e, g);

	assert_int_equal(vfiox_device_region(d, 0, &bar0), 0);
	assert_int_equal(fk.region_info_calls, 2); /* 32 bytes, then the chain's size */
	assert_int_equal(bar0->index, 0);
	assert_string_equal(bar0->name, "BAR0");
	assert_int_equal(bar0->flags, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
					      VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS);
	assert_int_equal(bar0->size, 0x4000);
	assert_int_equal(bar0->offset, 0);
	assert_true(bar0->msix_mappable);
	assert_true(bar0->has_sparse);
	assert_int_equal(bar0->num_sparse, 2);
	assert_int_equal(bar0->sparse[0].offset, 0);
	assert_int_equal(bar0->sparse[0].size, 0x2000);
	assert_int_equal(bar0->sparse[1].offset, 0x3000);
	assert_int_equal(bar0->sparse[1].size, 0x1000);

	assert_int_equal(vfiox_device_region(d, 3, &bar3), 0);
	assert_string_equal(bar3->name, "BAR3");
	assert_int_equal(bar3->size, 0);

	assert_int_equal(vfiox_device_region(d, 7, &cfg), 0);
	assert_string_equal(cfg->name, "CONFIG");
	assert_int_equal(cfg->offset, 7ull << 40);

	assert_int_equal(vfiox_device_region(d, 12, &r12), 0);
	assert_string_equal(r12->name, "region 12");
	assert_true(r12->has_type);
	assert_int_equal(r12->type, 0x80001234u);

	assert_int_equal(vfiox_device_region(d, 9, &igd), 0);
	assert_string_equal(igd->name, "IGD OpRegion");
	assert_int_equal(igd->type, 0x80008086u);
	assert_int_equal(igd->subtype, 1);
	/* A generated name belongs to its region, not to a buffer the next call reuses. */
	assert_string_equal(r12->name, "region 12");

	vfiox_region_free(bar0);
	vfiox_region_free(bar3);
	vfiox_region_free(cfg);
	vfiox_region_free(r12);
	vfiox_region_free(igd);
	vfiox_region_free(NULL);
	vfiox_device_close(d);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

static void test_region_errors_name_the_device_and_region(void **state)
{
	static const uint64_t outside[] = { 0x3000, 0x2000 };
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_region *r = NULL;
	struct vfiox_device *d;

	(void)state;
	open_attached(e, &c, &g);
	d = open_nvme(e, g);

	/* An index the kernel does not have. */
	assert_int_equal(vfiox_device_region(d, 14, &r), -EINVAL);
	env_assert_error(e, NVME, "region 14", "Invalid argument");

	/* A sparse area past the end of the BAR. */
	kregion(&fk.regions[0], 0, VFIO_REGION_INFO_FLAG_MMAP, 0x4000);
	fk_cap_sparse(&fk.regions[0], 1, outside);
	assert_int_equal(vfiox_device_region(d, 0, &r), -EPROTO);
	env_assert_error(e, NVME, "region 0", "outside the region");

	/* A chain that points back. */
	kregion(&fk.regions[2], 2, VFIO_REGION_INFO_FLAG_MMAP, 0x4000);
	fk_cap(&fk.regions[2], VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, 0);
	fk_put32(&fk.regions[2], fk.regions[2].last + 4, 32);
	assert_int_equal(vfiox_device_region(d, 2, &r), -EPROTO);
	env_assert_error(e, NVME, "region 2", "points back to 32");

	/* The reply names another region. */
	fk.region_index_delta = 1;
	assert_int_equal(vfiox_device_region(d, 7, &r), -EPROTO);
	env_assert_error(e, NVME, "asked for region 7", "answered for 8");
	fk.region_index_delta = 0;

	/* argsz beyond 64 KiB, and a reply that keeps growing. */
	fk.force_argsz = 0x100000;
	fk.region_info_calls = 0;
	assert_int_equal(vfiox_device_region(d, 9, &r), -EPROTO);
	assert_int_equal(fk.region_info_calls, 1);
	env_assert_error(e, NVME, "region 9", "1048576");
	fk.force_argsz = 0;
	fk.keep_growing = true;
	assert_int_equal(vfiox_device_region(d, 9, &r), -EPROTO);
	env_assert_error(e, NVME, "region 9", "kept growing");
	assert_null(r);

	vfiox_device_close(d);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

static void test_irq_info(void **state)
{
	static const char *const names[] = { "INTx", "MSI", "MSI-X", "ERR", "REQ" };
	struct env *e = fk_env("base");
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_device *d;
	struct vfiox_irq irq;
	uint32_t i;

	(void)state;
	open_attached(e, &c, &g);
	d = open_nvme(e, g);
	for (i = 0; i < 5; i++) {
		assert_int_equal(vfiox_device_irq(d, i, &irq), 0);
		assert_int_equal(irq.index, i);
		assert_string_equal(irq.name, names[i]);
		assert_int_equal(irq.flags, fk.irq_flags[i]);
		assert_int_equal(irq.count, fk.irq_count[i]);
	}
	assert_int_equal(vfiox_device_irq(d, 2, &irq), 0);
	assert_int_equal(irq.count, 130);
	assert_int_equal(vfiox_device_irq(d, 5, &irq), -EINVAL);
	env_assert_error(e, NVME, "irq index 5", "Invalid argument");
	vfiox_device_close(d);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	fk_assert_all_closed();
	env_free(e);
}

#define fk_test(f) cmocka_unit_test_setup_teardown(f, fk_reset, fk_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		fk_test(test_container_prefers_type1v2_when_offered),
		fk_test(test_container_falls_back_to_type1),
		fk_test(test_second_group_shares_the_model),
		fk_test(test_api_version_mismatch_is_eproto),
		fk_test(test_no_type1_iommu_is_enodev),
		fk_test(test_container_open_failures_name_the_path_and_the_fix),
		fk_test(test_container_get_api_version_failure_closes_the_fd),
		fk_test(test_group_open_failures_name_the_path_and_the_fix),
		fk_test(test_busy_group_names_the_holder),
		fk_test(test_nonviable_group_names_the_member_and_its_driver),
		fk_test(test_nonviable_group_with_two_blockers_names_both),
		fk_test(test_group_status_failure_closes_the_fd),
		fk_test(test_attach_failures_leave_no_model),
		fk_test(test_adopting_works_for_each_kind),
		fk_test(test_adopting_a_non_vfio_fd_is_ebadf_and_closes_it),
		fk_test(test_adopted_fds_are_closed_on_every_refusal),
		fk_test(test_iommu_info_queries_then_resizes),
		fk_test(test_iommu_info_without_caps_takes_one_call),
		fk_test(test_malformed_iommu_info_is_eproto),
		fk_test(test_iommu_info_argsz_over_64k_is_eproto),
		fk_test(test_iommu_info_that_keeps_growing_is_eproto),
		fk_test(test_device_open_before_attach_is_einval),
		fk_test(test_device_open_passes_the_name_and_sets_cloexec),
		fk_test(test_vf_token_is_passed_in_the_device_string),
		fk_test(test_device_open_failures),
		fk_test(test_adopting_an_attached_group_links_it),
		fk_test(test_vf_token_must_be_a_uuid),
		fk_test(test_container_closed_before_its_groups),
		fk_test(test_overlong_device_name_is_refused),
		fk_test(test_device_info_with_caps_is_resized),
		fk_test(test_regions_are_decoded_and_named),
		fk_test(test_region_errors_name_the_device_and_region),
		fk_test(test_irq_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
