// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Device reset (libvfiox/reset.c) against a fake kernel at the syscall layer: device and
 * group fds are adopted fakes (FK_BASE and up), and vfiox_sys_ioctl answers
 * VFIO_DEVICE_RESET, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO and VFIO_DEVICE_PCI_HOT_RESET on
 * them the way vfio-pci does: a hot reset info buffer too small for every device gets
 * -ENOSPC with only the header written back, count filled in. Every request the library
 * sends is recorded so the tests can compare it whole. The reset_method the messages
 * quote comes from a fixture sysfs holding the devices of TEST-HOST.md (nvme "flr bus",
 * edu behind a PCIe-to-PCI bridge "bus"). Each test ends with every fake fd closed once.
 *
 * Linked with WRAP_test-reset in the Makefile.
 */
#include <linux/vfio.h>

#include <vfiox/reset.h>

#include "testutil.h"

#define FK_MAX 32
#include "fake-kernel.h"

#define FK_DEVS 64
#define NVME "0000:00:04.0"
#define EDU1 "0000:02:01.0"
#define EDU2 "0000:02:02.0"
#define EDU3 "0000:02:03.0"
#define NO_METHOD "0000:00:05.0"
#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#ifndef VFIO_PCI_HOT_RESET_FLAG_DEV_ID
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID (1 << 0)
#endif

int __real_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);

enum fk_kind { FK_FREE, FK_DEVICE, FK_GROUP };

static struct fake {
	/* VFIO_DEVICE_RESET */
	unsigned reset_calls;
	int reset_fd;
	void *reset_arg;
	int reset_err;

	/* VFIO_DEVICE_GET_PCI_HOT_RESET_INFO */
	struct vfio_pci_dependent_device devs[FK_DEVS];
	unsigned ndevs;
	unsigned grow;		/* devices that appear before each further call ... */
	unsigned grow_calls;	/* ... for this many calls */
	uint32_t reply_flags;
	unsigned claim_extra;	/* a good reply claims this many devices more than it wrote */
	int enospc_count;	/* >0: -ENOSPC always, with this count */
	int info_err;
	unsigned info_calls;
	uint32_t info_argsz[8];
	uint32_t info_flags_in[8];

	/* VFIO_DEVICE_PCI_HOT_RESET */
	unsigned hot_calls;
	int hot_fd;
	int hot_err;
	uint32_t sent_argsz, sent_flags, sent_count;
	int32_t sent_fds[16];
	size_t sent_bytes;
} fk;

/* ------------------------------------------------------------------ the fake kernel */

int __wrap_vfiox_sys_close(int fd)
{
	return fk_close(fd);
}

/* vfio_pci_ioctl_get_pci_hot_reset_info(): never writes more than argsz bytes. */
static int fk_hot_reset_info(struct vfio_pci_hot_reset_info *info)
{
	unsigned call = fk.info_calls++;
	uint32_t count;

	if (call < 8) {
		fk.info_argsz[call] = info->argsz;
		fk.info_flags_in[call] = info->flags;
	}
	if (info->argsz < sizeof(*info))
		return -EINVAL;
	if (fk.info_err)
		return fk.info_err;
	count = fk.ndevs + (call < fk.grow_calls ? call : fk.grow_calls) * fk.grow;
	assert_true(count <= FK_DEVS);
	info->flags = 0;
	if (fk.enospc_count > 0) {
		info->count = (uint32_t)fk.enospc_count;
		return -ENOSPC;
	}
	if (info->argsz < sizeof(*info) + count * sizeof(info->devices[0])) {
		info->count = count;
		return -ENOSPC;
	}
	info->flags = fk.reply_flags;
	info->count = count + fk.claim_extra;
	memcpy(info->devices, fk.devs, count * sizeof(info->devices[0]));
	return 0;
}

static int fk_hot_reset(int fd, struct vfio_pci_hot_reset *req)
{
	fk.hot_calls++;
	fk.hot_fd = fd;
	fk.sent_argsz = req->argsz;
	fk.sent_flags = req->flags;
	fk.sent_count = req->count;
	assert_true(req->argsz >= sizeof(*req));
	fk.sent_bytes = req->argsz;
	assert_true(req->count <= 16);
	/* Reading past argsz would be the kernel's bug; reading past count is ours to test. */
	assert_true(sizeof(*req) + req->count * sizeof(req->group_fds[0]) <= req->argsz);
	memcpy(fk.sent_fds, req->group_fds, req->count * sizeof(req->group_fds[0]));
	return fk.hot_err;
}

int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg)
{
	struct vfio_group_status *st = arg;
	int s = fk_slot(fd);

	if (s < 0)
		return __real_vfiox_sys_ioctl(fd, request, arg);
	if (!fk_slot_open(s))
		fail_msg("ioctl 0x%lx on fd %d, which is not open", request, fd);
	if (fk_fds.kind[s] == FK_GROUP) {
		if (request != VFIO_GROUP_GET_STATUS)
			fail_msg("group fd %d got ioctl 0x%lx", fd, request);
		st->flags = VFIO_GROUP_FLAGS_VIABLE;
		return 0;
	}
	switch (request) {
	case VFIO_DEVICE_GET_INFO:
		return 0; /* vfiox_device_adopt() checks that the fd is a device */
	case VFIO_DEVICE_RESET:
		fk.reset_calls++;
		fk.reset_fd = fd;
		fk.reset_arg = arg;
		return fk.reset_err;
	case VFIO_DEVICE_GET_PCI_HOT_RESET_INFO:
		return fk_hot_reset_info(arg);
	case VFIO_DEVICE_PCI_HOT_RESET:
		return fk_hot_reset(fd, arg);
	default:
		fail_msg("device fd %d got unexpected ioctl 0x%lx", fd, request);
		return -ENOTTY;
	}
}

/* ------------------------------------------------------------------ the script */

static void kdev(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint32_t group)
{
	assert_true(fk.ndevs < FK_DEVS);
	fk.devs[fk.ndevs++] = (struct vfio_pci_dependent_device){
		.group_id = group, .segment = seg, .bus = bus, .devfn = (uint8_t)(dev << 3 | fn) };
}

/* The three edu devices behind the bridge, in the groups given. */
static void kbridged(uint32_t g1, uint32_t g2, uint32_t g3)
{
	kdev(0, 2, 1, 0, g1);
	kdev(0, 2, 2, 0, g2);
	kdev(0, 2, 3, 0, g3);
}

static int fk_reset(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	fk_fds_reset();
	return 0;
}

#define EDU(addr_, group_, method_)                                                          \
	{ .addr = (addr_), .vendor = 0x1234, .device = 0x11e8, .subsys_vendor = 0x1af4,      \
	  .subsys_device = 0x1100, .class_code = 0x00ff00, .revision = 0x10,                 \
	  .driver = "vfio-pci", .group = (group_), .parent = "0000:01:00.0", .numa = -1,     \
	  .reset_method = (method_) }

/* The devices of TEST-HOST.md: nvme alone, three edu behind a PCIe-to-PCI bridge. */
static const struct fx_dev host_devs[] = {
	{ .addr = NVME, .vendor = 0x1b36, .device = 0x0010, .class_code = 0x010802,
	  .driver = "vfio-pci", .group = 2, .numa = -1, .reset_method = "flr bus" },
	{ .addr = NO_METHOD, .vendor = 0x1234, .device = 0x11e8, .class_code = 0x00ff00,
	  .driver = "vfio-pci", .group = 3, .numa = -1, .reset_method = "" },
	{ .addr = "0000:00:1c.0", .vendor = 0x1b36, .device = 0x000c, .class_code = 0x060400,
	  .driver = "pcieport", .group = 6, .numa = -1 },
	{ .addr = "0000:01:00.0", .vendor = 0x1b36, .device = 0x000e, .class_code = 0x060400,
	  .group = 7, .parent = "0000:00:1c.0", .numa = -1 },
	EDU(EDU1, 7, "bus"),
	EDU(EDU2, 8, "bus"),
	EDU(EDU3, 9, NULL),
};

static struct env *fk_env(void)
{
	struct env *e = env_empty(0);
	size_t i;

	for (i = 0; i < N_ELEMS(host_devs); i++)
		FX(e, fx_add_dev(e->fx, &host_devs[i]));
	env_ctx(e);
	return e;
}

static struct vfiox_device *open_dev(struct env *e, const char *name)
{
	struct vfiox_device *d = NULL;
	int ret = vfiox_device_adopt(e->ctx, fk_new_fd(FK_DEVICE), name, &d);

	if (ret)
		fail_msg("vfiox_device_adopt = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	return d;
}

static struct vfiox_vgroup *open_group(struct env *e, int id)
{
	struct vfiox_vgroup *g = NULL;
	int ret = vfiox_vgroup_adopt(e->ctx, fk_new_fd(FK_GROUP), id, &g);

	if (ret)
		fail_msg("vfiox_vgroup_adopt = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	return g;
}

static void assert_plan_dev(const struct vfiox_reset_plan *p, size_t i, const char *name,
			    int group)
{
	const struct vfiox_pci_addr *a = vfiox_reset_plan_dev_addr(p, i);
	struct vfiox_pci_addr want;

	assert_non_null(a);
	assert_int_equal(vfiox_pci_addr_parse(name, &want), 0);
	assert_int_equal(vfiox_pci_addr_cmp(a, &want), 0);
	assert_string_equal(vfiox_reset_plan_dev_name(p, i), name);
	assert_int_equal(vfiox_reset_plan_dev_group(p, i), group);
}

#define PLAN_ARGSZ(room) ((uint32_t)(sizeof(struct vfio_pci_hot_reset_info) + \
				     (room) * sizeof(struct vfio_pci_dependent_device)))

/* ------------------------------------------------------------------ VFIO_DEVICE_RESET */

static void test_reset_sends_device_reset_without_argument(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, NVME);

	(void)state;
	assert_int_equal(vfiox_device_reset(d), 0);
	assert_int_equal(fk.reset_calls, 1);
	assert_int_equal(fk.reset_fd, vfiox_device_fd(d));
	assert_null(fk.reset_arg);
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_reset_refused_for_bus_only_device_points_to_hot_reset(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, EDU1);

	(void)state;
	fk.reset_err = -EINVAL; /* vfio-pci: reset_works is false */
	assert_int_equal(vfiox_device_reset(d), -EINVAL);
	env_assert_error(e, "cannot reset " EDU1 " on its own", "reset_method is \"bus\"",
			 "use a hot reset");
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_reset_enotty_quotes_flr_method(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, NVME);

	(void)state;
	fk.reset_err = -ENOTTY;
	assert_int_equal(vfiox_device_reset(d), -ENOTTY);
	env_assert_error(e, NVME, "reset_method is \"flr bus\"", "none of them usable");
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_reset_refused_with_empty_or_absent_reset_method(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, NO_METHOD), *d3 = open_dev(e, EDU3);
	struct vfiox_device *gone = open_dev(e, "0000:09:00.0");

	(void)state;
	fk.reset_err = -EINVAL;
	assert_int_equal(vfiox_device_reset(d), -EINVAL);
	env_assert_error(e, NO_METHOD, "reset_method is empty", "knows no way to reset it");
	assert_int_equal(vfiox_device_reset(d3), -EINVAL);
	env_assert_error(e, EDU3, "reset_method is unknown", "sysfs has no reset_method for it");
	/* Not in sysfs at all: the lookup's "not found" is not what the caller reads. */
	assert_int_equal(vfiox_device_reset(gone), -EINVAL);
	env_assert_error(e, "cannot reset 0000:09:00.0 on its own", "reset_method is unknown",
			 "0000:09:00.0 is not in sysfs");
	vfiox_device_close(gone);
	vfiox_device_close(d3);
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_reset_busy_says_try_again(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, NVME);

	(void)state;
	fk.reset_err = -EAGAIN;
	assert_int_equal(vfiox_device_reset(d), -EAGAIN);
	env_assert_error(e, "cannot reset " NVME " now", "try again", NULL);
	fk.reset_err = -EIO;
	assert_int_equal(vfiox_device_reset(d), -EIO);
	env_assert_error(e, NVME, "VFIO_DEVICE_RESET", strerror(EIO));
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

/* ------------------------------------------------------------------ the plan */

static void test_plan_one_device_in_one_query(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, NVME);
	struct vfiox_reset_plan *p = NULL;

	(void)state;
	kdev(0, 0, 4, 0, 2);
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), 0);
	assert_int_equal(fk.info_calls, 1);
	assert_int_equal(fk.info_argsz[0], PLAN_ARGSZ(8));
	assert_int_equal(fk.info_flags_in[0], 0);
	assert_int_equal(vfiox_reset_plan_num_devs(p), 1);
	assert_plan_dev(p, 0, NVME, 2);
	assert_int_equal(vfiox_reset_plan_num_groups(p), 1);
	assert_int_equal(vfiox_reset_plan_group(p, 0), 2);
	/* Out of range */
	assert_null(vfiox_reset_plan_dev_addr(p, 1));
	assert_null(vfiox_reset_plan_dev_name(p, 1));
	assert_int_equal(vfiox_reset_plan_dev_group(p, 1), -ERANGE);
	assert_int_equal(vfiox_reset_plan_group(p, 1), -ERANGE);
	vfiox_reset_plan_free(p);
	vfiox_reset_plan_free(NULL);
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_plan_bridged_three_devices_sorted_with_functions(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, EDU1);
	struct vfiox_reset_plan *p = NULL;

	(void)state;
	/* In no particular order, one with a function number and a segment. */
	kdev(0, 2, 3, 0, 7);
	kdev(0, 2, 1, 0, 7);
	kdev(0, 2, 2, 5, 7);
	kdev(1, 0x80, 0x1f, 7, 7);
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), 0);
	assert_int_equal(vfiox_reset_plan_num_devs(p), 4);
	assert_plan_dev(p, 0, EDU1, 7);
	assert_plan_dev(p, 1, "0000:02:02.5", 7);
	assert_plan_dev(p, 2, EDU3, 7);
	assert_plan_dev(p, 3, "0001:80:1f.7", 7);
	assert_int_equal(vfiox_reset_plan_num_groups(p), 1);
	assert_int_equal(vfiox_reset_plan_group(p, 0), 7);
	vfiox_reset_plan_free(p);

	/* The bridged edu case: three devices, three groups, each counted once. */
	fk.ndevs = 0;
	kdev(0, 2, 3, 0, 9);
	kdev(0, 2, 1, 0, 7);
	kdev(0, 2, 2, 0, 8);
	kdev(0, 2, 4, 0, 7);
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), 0);
	assert_int_equal(vfiox_reset_plan_num_devs(p), 4);
	assert_plan_dev(p, 0, EDU1, 7);
	assert_plan_dev(p, 1, EDU2, 8);
	assert_plan_dev(p, 2, EDU3, 9);
	assert_plan_dev(p, 3, "0000:02:04.0", 7);
	assert_int_equal(vfiox_reset_plan_num_groups(p), 3);
	assert_int_equal(vfiox_reset_plan_group(p, 0), 7);
	assert_int_equal(vfiox_reset_plan_group(p, 1), 8);
	assert_int_equal(vfiox_reset_plan_group(p, 2), 9);
	vfiox_reset_plan_free(p);
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_plan_resizes_after_enospc(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, EDU1);
	struct vfiox_reset_plan *p = NULL;
	char name[VFIOX_PCI_ADDR_STRLEN];
	unsigned i;

	(void)state;
	for (i = 0; i < 12; i++)
		kdev(0, 2, (uint8_t)(i / 8), (uint8_t)(i % 8), 20 + i % 3);
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), 0);
	assert_int_equal(fk.info_calls, 2);
	assert_int_equal(fk.info_argsz[0], PLAN_ARGSZ(8));
	assert_int_equal(fk.info_argsz[1], PLAN_ARGSZ(12));
	assert_int_equal(vfiox_reset_plan_num_devs(p), 12);
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "0000:02:%02x.%u", i / 8, i % 8);
		assert_plan_dev(p, i, name, (int)(20 + i % 3));
	}
	assert_int_equal(vfiox_reset_plan_num_groups(p), 3);
	assert_int_equal(vfiox_reset_plan_group(p, 2), 22);
	vfiox_reset_plan_free(p);
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_plan_follows_devices_appearing_between_queries(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, EDU1);
	struct vfiox_reset_plan *p = NULL;
	unsigned i;

	(void)state;
	for (i = 0; i < 40; i++)
		kdev(0, 3, (uint8_t)(i / 8), (uint8_t)(i % 8), 30);
	fk.ndevs = 10;
	fk.grow = 5; /* 10, then 15, and 15 on the third query */
	fk.grow_calls = 1;
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), 0);
	assert_int_equal(fk.info_calls, 3);
	assert_int_equal(fk.info_argsz[1], PLAN_ARGSZ(10));
	assert_int_equal(fk.info_argsz[2], PLAN_ARGSZ(15));
	assert_int_equal(vfiox_reset_plan_num_devs(p), 15);
	vfiox_reset_plan_free(p);

	/* Always more: given up after three queries, nothing leaked. */
	fk.info_calls = 0;
	fk.ndevs = 9;
	fk.grow = 10; /* 9, 19, 29 */
	fk.grow_calls = 100;
	p = NULL;
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), -EPROTO);
	assert_null(p);
	assert_int_equal(fk.info_calls, 3);
	env_assert_error(e, EDU1, "kept growing", NULL);
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_plan_reply_claiming_more_devices_than_fit_is_eproto(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, EDU1);
	struct vfiox_reset_plan *p = NULL;

	(void)state;
	kbridged(7, 7, 7);
	fk.claim_extra = 6; /* 9 claimed, room for 8 */
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), -EPROTO);
	assert_null(p);
	env_assert_error(e, EDU1, "claims 9 devices", "room for 8");

	/* -ENOSPC with a count that would have fitted: no endless loop. */
	fk.claim_extra = 0;
	fk.enospc_count = 8;
	fk.info_calls = 0;
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), -EPROTO);
	assert_int_equal(fk.info_calls, 1);
	env_assert_error(e, EDU1, "too small", "asks for 8 devices where 8 fit");

	/* An absurd count is not allocated for. */
	fk.enospc_count = 1 << 30;
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), -EPROTO);
	env_assert_error(e, EDU1, "1073741824 devices", NULL);

	/* No device at all, not even the one asked about. */
	fk.enospc_count = 0;
	fk.ndevs = 0;
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), -EPROTO);
	env_assert_error(e, EDU1, "names no device", NULL);

	/* A group number that is no int. */
	kdev(0, 2, 1, 0, 0x80000000u);
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), -EPROTO);
	env_assert_error(e, EDU1, "IOMMU group 2147483648", NULL);
	assert_null(p);
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_plan_by_device_id_takes_the_groups_from_sysfs(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, EDU1);
	struct vfiox_reset_plan *p = NULL;

	(void)state;
	/* The cdev form: device ids (1, 2, and "not owned") where the groups were. */
	kbridged(1, 2, 0xffffffffu);
	fk.reply_flags = VFIO_PCI_HOT_RESET_FLAG_DEV_ID;
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), 0);
	assert_int_equal(vfiox_reset_plan_num_devs(p), 3);
	assert_plan_dev(p, 0, EDU1, 7);
	assert_plan_dev(p, 1, EDU2, 8);
	assert_plan_dev(p, 2, EDU3, 9);
	assert_int_equal(vfiox_reset_plan_num_groups(p), 3);
	vfiox_reset_plan_free(p);
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_plan_kernel_errors_say_why(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, NVME);
	struct vfiox_reset_plan *p = NULL;

	(void)state;
	fk.info_err = -ENODEV;
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), -ENODEV);
	env_assert_error(e, NVME " cannot be hot reset", "neither its slot nor its bus", NULL);
	fk.info_err = -EPERM;
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), -EPERM);
	env_assert_error(e, NVME, "in no IOMMU group", "IOMMU");
	fk.info_err = -ENOTTY;
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), -ENOTTY);
	env_assert_error(e, NVME " has no hot reset", "not a vfio-pci device", NULL);
	fk.info_err = -EFAULT;
	assert_int_equal(vfiox_device_hot_reset_plan(d, &p), -EFAULT);
	env_assert_error(e, NVME, "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO", strerror(EFAULT));
	assert_null(p);
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

/* ------------------------------------------------------------------ the hot reset */

static void test_hot_reset_sends_each_needed_group_fd_once(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, EDU1);
	struct vfiox_vgroup *g7 = open_group(e, 7), *g8 = open_group(e, 8);
	struct vfiox_vgroup *g9 = open_group(e, 9), *g2 = open_group(e, 2);
	struct vfiox_vgroup *given[] = { g9, g2, g7, g8, g7 };

	(void)state;
	kbridged(7, 8, 9);
	assert_int_equal(vfiox_device_hot_reset(d, given, N_ELEMS(given)), 0);
	assert_int_equal(fk.hot_calls, 1);
	assert_int_equal(fk.hot_fd, vfiox_device_fd(d));
	assert_int_equal(fk.sent_argsz, sizeof(struct vfio_pci_hot_reset) + 3 * sizeof(int32_t));
	assert_int_equal(fk.sent_flags, 0);
	assert_int_equal(fk.sent_count, 3);
	/* In the plan's group order; group 2 is not on this bus and is not sent. */
	assert_int_equal(fk.sent_fds[0], vfiox_vgroup_fd(g7));
	assert_int_equal(fk.sent_fds[1], vfiox_vgroup_fd(g8));
	assert_int_equal(fk.sent_fds[2], vfiox_vgroup_fd(g9));

	/* One group for all three. */
	fk.ndevs = 0;
	kbridged(7, 7, 7);
	assert_int_equal(vfiox_device_hot_reset(d, &g7, 1), 0);
	assert_int_equal(fk.hot_calls, 2);
	assert_int_equal(fk.sent_argsz, sizeof(struct vfio_pci_hot_reset) + sizeof(int32_t));
	assert_int_equal(fk.sent_count, 1);
	assert_int_equal(fk.sent_fds[0], vfiox_vgroup_fd(g7));

	vfiox_vgroup_close(g2);
	vfiox_vgroup_close(g9);
	vfiox_vgroup_close(g8);
	vfiox_vgroup_close(g7);
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_hot_reset_refuses_one_missing_group_before_the_kernel(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, EDU1);
	struct vfiox_vgroup *g7 = open_group(e, 7), *g9 = open_group(e, 9);
	struct vfiox_vgroup *given[] = { g7, g9 };

	(void)state;
	kbridged(7, 8, 9);
	assert_int_equal(vfiox_device_hot_reset(d, given, 2), -EPERM);
	assert_int_equal(fk.hot_calls, 0);
	assert_string_equal(vfiox_ctx_last_error(e->ctx),
			    "hot reset of " EDU1 " also resets " EDU2 " in IOMMU group 8, which is "
			    "not ours: open group 8 and pass it");
	vfiox_vgroup_close(g9);
	vfiox_vgroup_close(g7);
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_hot_reset_refusal_lists_every_missing_group_and_device(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, EDU1);
	struct vfiox_vgroup *g7 = open_group(e, 7);

	(void)state;
	kbridged(7, 8, 9);
	kdev(0, 2, 4, 0, 8);
	kdev(0, 2, 4, 1, 7);
	assert_int_equal(vfiox_device_hot_reset(d, &g7, 1), -EPERM);
	assert_int_equal(fk.hot_calls, 0);
	assert_string_equal(vfiox_ctx_last_error(e->ctx),
			    "hot reset of " EDU1 " also resets " EDU2 ", 0000:02:04.0 in IOMMU "
			    "group 8 and " EDU3 " in IOMMU group 9, which are not ours: open "
			    "groups 8 and 9 and pass them");
	/* EDU3 a VF: named as such, as the reason passing its group would not do. */
	{
		char link[4096];

		snprintf(link, sizeof(link), "%s/bus/pci/devices/" EDU3 "/physfn", fx_root(e->fx));
		assert_int_equal(symlink("../" EDU1, link), 0);
		assert_int_equal(vfiox_device_hot_reset(d, &g7, 1), -EPERM);
		env_assert_error(e, "pass them; " EDU3 " is an SR-IOV VF of " EDU1,
				 "never resets them along with their PF", "--vfs 0");
		assert_int_equal(unlink(link), 0);
	}

	/* Its own group forgotten too. */
	assert_int_equal(vfiox_device_hot_reset(d, NULL, 0), -EPERM);
	assert_int_equal(fk.hot_calls, 0);
	env_assert_error(e, "group 8 and " EDU3 " in IOMMU group 9, which are not ours",
			 "; it also needs its own IOMMU group 7, which was not passed: pass it too",
		   NULL);

	/* Only its own group forgotten. */
	fk.ndevs = 0;
	kbridged(7, 7, 7);
	assert_int_equal(vfiox_device_hot_reset(d, NULL, 0), -EPERM);
	assert_string_equal(vfiox_ctx_last_error(e->ctx),
			    "hot reset of " EDU1 " needs its own IOMMU group 7, which was not "
			    "passed: pass it too");
	assert_int_equal(fk.hot_calls, 0);
	vfiox_vgroup_close(g7);
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_hot_reset_refusal_names_a_few_devices_per_group(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, EDU1);
	struct vfiox_vgroup *g7 = open_group(e, 7);
	unsigned i;

	(void)state;
	kdev(0, 2, 1, 0, 7);
	for (i = 0; i < 7; i++)
		kdev(0, 5, 0, (uint8_t)i, 40);
	assert_int_equal(vfiox_device_hot_reset(d, &g7, 1), -EPERM);
	env_assert_error(e, "0000:05:00.3 and 3 more in IOMMU group 40",
			 "open group 40 and pass it", NULL);
	assert_int_equal(fk.hot_calls, 0);
	vfiox_vgroup_close(g7);
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_hot_reset_null_group_and_plan_failure_never_reach_the_kernel(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, EDU1);
	struct vfiox_vgroup *g7 = open_group(e, 7);
	struct vfiox_vgroup *given[] = { g7, NULL };

	(void)state;
	kbridged(7, 7, 7);
	assert_int_equal(vfiox_device_hot_reset(d, given, 2), -EINVAL);
	env_assert_error(e, EDU1, "group 1 of 2 passed is NULL", NULL);
	assert_int_equal(fk.info_calls, 0);
	fk.info_err = -ENODEV;
	assert_int_equal(vfiox_device_hot_reset(d, &g7, 1), -ENODEV);
	env_assert_error(e, "neither its slot nor its bus", NULL, NULL);
	assert_int_equal(fk.hot_calls, 0);
	vfiox_vgroup_close(g7);
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_hot_reset_kernel_refusals_say_what_to_do(void **state)
{
	struct env *e = fk_env();
	struct vfiox_device *d = open_dev(e, EDU1);
	struct vfiox_vgroup *g7 = open_group(e, 7);

	(void)state;
	kbridged(7, 7, 7);
	fk.hot_err = -EPERM;
	assert_int_equal(vfiox_device_hot_reset(d, &g7, 1), -EPERM);
	env_assert_error(e, "the kernel refused the hot reset of " EDU1, "bound to vfio-pci",
			 "another process may hold one");
	fk.hot_err = -EINVAL;
	assert_int_equal(vfiox_device_hot_reset(d, &g7, 1), -EINVAL);
	env_assert_error(e, "the kernel refused the hot reset of " EDU1, strerror(EINVAL), NULL);
	assert_null(strstr(vfiox_ctx_last_error(e->ctx), "SR-IOV"));
	/* A VF in the plan: the likely reason is named, with what to do. */
	{
		char link[4096];

		snprintf(link, sizeof(link), "%s/bus/pci/devices/" EDU3 "/physfn", fx_root(e->fx));
		assert_int_equal(symlink("../" EDU1, link), 0);
		assert_int_equal(vfiox_device_hot_reset(d, &g7, 1), -EINVAL);
		env_assert_error(e, "(Invalid argument)", "; " EDU3 " is an SR-IOV VF of " EDU1,
				 "vfioctl sriov " EDU1 " --vfs 0");
		assert_int_equal(unlink(link), 0);
	}
	fk.hot_err = -EBUSY;
	assert_int_equal(vfiox_device_hot_reset(d, &g7, 1), -EBUSY);
	env_assert_error(e, "hot reset of " EDU1 " could not start", "busy", "try again");
	fk.hot_err = -ENOTTY;
	assert_int_equal(vfiox_device_hot_reset(d, &g7, 1), -ENOTTY);
	env_assert_error(e, EDU1 " has no hot reset", "VFIO_DEVICE_PCI_HOT_RESET", NULL);
	fk.hot_err = -EIO;
	assert_int_equal(vfiox_device_hot_reset(d, &g7, 1), -EIO);
	env_assert_error(e, "hot reset of " EDU1 " failed", strerror(EIO), NULL);
	assert_int_equal(fk.hot_calls, 6);
	vfiox_vgroup_close(g7);
	vfiox_device_close(d);
	fk_assert_fds_closed();
	env_free(e);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fk_reset, env_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reset_sends_device_reset_without_argument),
		T(test_reset_refused_for_bus_only_device_points_to_hot_reset),
		T(test_reset_enotty_quotes_flr_method),
		T(test_reset_refused_with_empty_or_absent_reset_method),
		T(test_reset_busy_says_try_again),
		T(test_plan_one_device_in_one_query),
		T(test_plan_bridged_three_devices_sorted_with_functions),
		T(test_plan_resizes_after_enospc),
		T(test_plan_follows_devices_appearing_between_queries),
		T(test_plan_reply_claiming_more_devices_than_fit_is_eproto),
		T(test_plan_by_device_id_takes_the_groups_from_sysfs),
		T(test_plan_kernel_errors_say_why),
		T(test_hot_reset_sends_each_needed_group_fd_once),
		T(test_hot_reset_refuses_one_missing_group_before_the_kernel),
		T(test_hot_reset_refusal_lists_every_missing_group_and_device),
		T(test_hot_reset_refusal_names_a_few_devices_per_group),
		T(test_hot_reset_null_group_and_plan_failure_never_reach_the_kernel),
		T(test_hot_reset_kernel_refusals_say_what_to_do),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
