// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Interrupts (libvfiox/irq.c) against a fake kernel at vfiox_sys_ioctl: the one fake fd
 * (FK_BASE) is a vfio-pci device that answers VFIO_DEVICE_GET_INFO,
 * VFIO_DEVICE_GET_IRQ_INFO and VFIO_DEVICE_SET_IRQS the way
 * drivers/vfio/pci/vfio_pci_intrs.c does (one of INTx/MSI/MSI-X at a time, MSI-X growth
 * only with dynamic allocation, EINVAL for what is not enabled), and logs the bytes of
 * every SET_IRQS; fd FK_VM is a KVM VM that logs KVM_IRQFD. The eventfds are real ones,
 * so the waiter and the REQ check run on the real epoll and read. Every test ends with
 * the device closed once and no fd left open that it did not open itself.
 *
 * Linked with WRAP_test-irq in the Makefile.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/vfio.h>

#include <vfiox/irq.h>

#include "testutil.h"

#define FK_MAX 1 /* the device; FK_VM lies past it */
#include "fake-kernel.h"

#define FK_VM 1001
#define DEV "0000:00:04.0"
#define MAX_LOG 16
#define MAX_VEC 256
#define HDR 20 /* sizeof(struct vfio_irq_set) */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

int __real_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);

/* The library's hook for vfiox_device_close() (libvfiox/irq.c). */
void vfiox__irq_release(struct vfiox_device *d);

enum { NONE = -1 };

static struct fake {
	uint32_t num_irqs;
	uint32_t irq_flags[5], irq_count[5];
	bool dyn_msix;	  /* MSI-X can grow while enabled (and no NORESIZE) */
	int alloc_limit;  /* host vectors pci_alloc_irq_vectors can give; 0: any */
	int fail_set_at;  /* SET_IRQS number (1-based) that fails with fail_err */
	int fail_err;

	int type; /* NONE or the enabled index among INTx/MSI/MSI-X */
	uint32_t nvec;
	int vec[MAX_VEC];
	bool intx_masked;
	int intx_unmask_efd;
	int err_efd, req_efd;

	unsigned info_calls, set_calls;
	uint8_t log[MAX_LOG][HDR + 4 * MAX_VEC];
	uint32_t loglen[MAX_LOG];

	unsigned irqfd_calls;
	struct kvm_irqfd irqfd_log[MAX_LOG];
	int irqfd_efd[8]; /* assigned eventfds, -1 free */
	int base_fds;	  /* fds open when the test started */
} fk;

/* ------------------------------------------------------------------ the fake kernel */

static bool fk_is_eventfd(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return !strcmp(link, "anon_inode:[eventfd]");
}

static void fk_signal(int efd)
{
	uint64_t one = 1;

	if (efd >= 0)
		assert_int_equal(write(efd, &one, sizeof(one)), sizeof(one));
}

static int fk_msi_set_vector(uint32_t v, int fd)
{
	if (v >= fk.nvec && !(fk.type == VFIO_PCI_MSIX_IRQ_INDEX && fk.dyn_msix))
		return -EINVAL;
	if (fd >= 0 && !fk_is_eventfd(fd))
		return -EINVAL;
	if (v >= fk.nvec) {
		uint32_t i;

		for (i = fk.nvec; i < v; i++)
			fk.vec[i] = -1;
		fk.nvec = v + 1;
	}
	fk.vec[v] = fd;
	return 0;
}

/* vfio_pci_set_msi_trigger() */
static int fk_msi_trigger(uint32_t index, uint32_t start, uint32_t count, uint32_t flags,
			  const int32_t *fds)
{
	uint32_t i;
	int ret = 0;

	if (fk.type == (int)index && !count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
		fk.type = NONE;
		fk.nvec = 0;
		return 0;
	}
	if (!(fk.type == (int)index || fk.type == NONE))
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		bool fresh = fk.type != (int)index;

		if (fresh) {
			if (fk.alloc_limit && (int)(start + count) > fk.alloc_limit)
				return fk.alloc_limit; /* fewer than asked: vfio-pci returns how many */
			fk.type = (int)index;
			fk.nvec = start + count;
			for (i = 0; i < fk.nvec; i++)
				fk.vec[i] = -1;
		}
		/* vfio_msi_set_block(): all or nothing; a fresh enable is undone on failure. */
		for (i = 0; i < count && !ret; i++)
			ret = fk_msi_set_vector(start + i, fds[i]);
		if (ret) {
			while (i--)
				if (start + i < fk.nvec)
					fk.vec[start + i] = -1;
			if (fresh) {
				fk.type = NONE;
				fk.nvec = 0;
			}
		}
		return ret;
	}
	if (fk.type != (int)index)
		return -EINVAL;
	for (i = start; i < start + count && i < fk.nvec; i++)
		fk_signal(fk.vec[i]);
	return 0;
}

/* vfio_pci_set_intx_{trigger,mask,unmask}() */
static int fk_intx(uint32_t start, uint32_t count, uint32_t flags, const int32_t *fds)
{
	bool is_intx = fk.type == VFIO_PCI_INTX_IRQ_INDEX;

	switch (flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) {
	case VFIO_IRQ_SET_ACTION_TRIGGER:
		if (is_intx && !count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
			fk.type = NONE;
			fk.intx_unmask_efd = -1;
			return 0;
		}
		if (!(is_intx || fk.type == NONE) || start || count != 1)
			return -EINVAL;
		if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
			if (fds[0] >= 0 && !fk_is_eventfd(fds[0]))
				return -EINVAL;
			fk.type = VFIO_PCI_INTX_IRQ_INDEX;
			fk.nvec = 1;
			fk.vec[0] = fds[0];
			return 0;
		}
		if (!is_intx)
			return -EINVAL;
		fk_signal(fk.vec[0]);
		return 0;
	case VFIO_IRQ_SET_ACTION_MASK:
	case VFIO_IRQ_SET_ACTION_UNMASK:
		if (!is_intx || start || count != 1)
			return -EINVAL;
		if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
			if ((flags & VFIO_IRQ_SET_ACTION_MASK) ||
			    (fds[0] >= 0 && !fk_is_eventfd(fds[0])))
				return -EINVAL;
			fk.intx_unmask_efd = fds[0];
			return 0;
		}
		fk.intx_masked = (flags & VFIO_IRQ_SET_ACTION_MASK) != 0;
		return 0;
	}
	return -EINVAL;
}

/* vfio_pci_set_ctx_trigger_single() */
static int fk_single(int *ctx, uint32_t start, uint32_t count, uint32_t flags,
		     const int32_t *fds)
{
	if (!(flags & VFIO_IRQ_SET_ACTION_TRIGGER))
		return -ENOTTY;
	if (start || count > 1)
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_NONE) {
		if (*ctx < 0)
			return -EINVAL;
		if (count)
			fk_signal(*ctx);
		else
			*ctx = -1;
		return 0;
	}
	if (!count || (fds[0] >= 0 && !fk_is_eventfd(fds[0])))
		return -EINVAL;
	*ctx = fds[0];
	return 0;
}

static int fk_set_irqs(void *arg)
{
	struct vfio_irq_set hdr;
	const int32_t *fds;
	uint32_t size, action;
	unsigned n = fk.set_calls++;

	memcpy(&hdr, arg, HDR);
	assert_true(hdr.argsz >= HDR && hdr.argsz <= sizeof(fk.log[0]));
	if (n < MAX_LOG) {
		memcpy(fk.log[n], arg, hdr.argsz);
		fk.loglen[n] = hdr.argsz;
	}
	if (fk.fail_set_at == (int)n + 1)
		return fk.fail_err;
	fds = (const int32_t *)((const uint8_t *)arg + HDR);
	/* vfio_set_irqs_validate_and_prepare() */
	switch (hdr.flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		size = 0;
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		size = 4;
		break;
	default:
		return -EINVAL;
	}
	action = hdr.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	if (action != VFIO_IRQ_SET_ACTION_MASK && action != VFIO_IRQ_SET_ACTION_UNMASK &&
	    action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EINVAL;
	if (hdr.index >= fk.num_irqs || hdr.start >= fk.irq_count[hdr.index] ||
	    hdr.start + hdr.count > fk.irq_count[hdr.index])
		return -EINVAL;
	if (size && hdr.argsz - HDR < hdr.count * size)
		return -EINVAL;
	switch (hdr.index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		return fk_intx(hdr.start, hdr.count, hdr.flags, fds);
	case VFIO_PCI_MSI_IRQ_INDEX:
	case VFIO_PCI_MSIX_IRQ_INDEX:
		if (action != VFIO_IRQ_SET_ACTION_TRIGGER)
			return -ENOTTY; /* "XXX Need masking support exported" */
		return fk_msi_trigger(hdr.index, hdr.start, hdr.count, hdr.flags, fds);
	case VFIO_PCI_ERR_IRQ_INDEX:
		return fk_single(&fk.err_efd, hdr.start, hdr.count, hdr.flags, fds);
	case VFIO_PCI_REQ_IRQ_INDEX:
		return fk_single(&fk.req_efd, hdr.start, hdr.count, hdr.flags, fds);
	}
	return -EINVAL;
}

static int fk_irqfd(const struct kvm_irqfd *a)
{
	unsigned i;

	if (fk.irqfd_calls < MAX_LOG)
		fk.irqfd_log[fk.irqfd_calls] = *a;
	fk.irqfd_calls++;
	if (!fk_is_eventfd((int)a->fd))
		return -EINVAL;
	if (a->flags & KVM_IRQFD_FLAG_DEASSIGN) {
		for (i = 0; i < ARRAY_SIZE(fk.irqfd_efd); i++)
			if (fk.irqfd_efd[i] == (int)a->fd)
				fk.irqfd_efd[i] = -1;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(fk.irqfd_efd); i++)
		if (fk.irqfd_efd[i] == (int)a->fd)
			return -EBUSY;
	for (i = 0; i < ARRAY_SIZE(fk.irqfd_efd); i++)
		if (fk.irqfd_efd[i] < 0) {
			fk.irqfd_efd[i] = (int)a->fd;
			return 0;
		}
	return -ENOSPC;
}

int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg)
{
	struct vfio_irq_info *info = arg;
	int s = fk_slot(fd);

	if (fd == FK_VM) {
		if (request != KVM_IRQFD)
			return -ENOTTY;
		return fk_irqfd(arg);
	}
	if (s < 0)
		return __real_vfiox_sys_ioctl(fd, request, arg);
	if (!fk_slot_open(s))
		fail_msg("ioctl 0x%lx on the device fd after it was closed", request);
	switch (request) {
	case VFIO_DEVICE_GET_INFO:
		return 0;
	case VFIO_DEVICE_GET_IRQ_INFO:
		fk.info_calls++;
		if (info->argsz < sizeof(*info) || info->index >= fk.num_irqs)
			return -EINVAL;
		info->flags = fk.irq_flags[info->index];
		info->count = fk.irq_count[info->index];
		return 0;
	case VFIO_DEVICE_SET_IRQS:
		return fk_set_irqs(arg);
	default:
		return -ENOTTY;
	}
}

int __wrap_vfiox_sys_close(int fd)
{
	return fk_close(fd);
}

/* ------------------------------------------------------------------ the script */

static int count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(dir);
	while ((de = readdir(dir)))
		n += de->d_name[0] != '.';
	closedir(dir);
	return n - 1; /* the directory's own fd */
}

/* An NVMe device on vfio-pci with a 6.x kernel whose MSI-X cannot grow dynamically. */
static int fk_reset(void **state)
{
	unsigned i;

	(void)state;
	memset(&fk, 0, sizeof(fk));
	fk_fds_reset();
	fk.type = NONE;
	fk.intx_unmask_efd = fk.err_efd = fk.req_efd = -1;
	for (i = 0; i < ARRAY_SIZE(fk.irqfd_efd); i++)
		fk.irqfd_efd[i] = -1;
	fk.num_irqs = 5;
	fk.irq_flags[0] = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	fk.irq_count[0] = 1;
	fk.irq_flags[1] = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	fk.irq_count[1] = 8;
	fk.irq_flags[2] = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	fk.irq_count[2] = 65;
	fk.irq_flags[3] = VFIO_IRQ_INFO_EVENTFD;
	fk.irq_count[3] = 1;
	fk.irq_flags[4] = VFIO_IRQ_INFO_EVENTFD;
	fk.irq_count[4] = 1;
	fk.base_fds = count_fds();
	return 0;
}

/* Dynamic MSI-X (Linux 6.5+): no NORESIZE on index 2. */
static void fk_dyn_msix(void)
{
	fk.dyn_msix = true;
	fk.irq_flags[2] = VFIO_IRQ_INFO_EVENTFD;
}

static struct vfiox_device *open_dev(struct env *e)
{
	struct vfiox_device *d = NULL;

	env_ctx(e);
	assert_int_equal(vfiox_device_adopt(e->ctx, fk_new_fd(0), DEV, &d), 0);
	return d;
}

static struct env *irq_env(void)
{
	struct env *e = env_empty(0);

	env_ctx(e);
	return e;
}

static int efd_new(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static uint64_t efd_read(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

/* SET_IRQS number @n (0-based) was exactly this struct vfio_irq_set. */
static void expect_set(unsigned n, uint32_t flags, uint32_t index, uint32_t start,
		       uint32_t count, const int *efds)
{
	uint8_t want[HDR + 4 * MAX_VEC];
	uint32_t ndata = (flags & VFIO_IRQ_SET_DATA_EVENTFD) ? count : 0;
	uint32_t hdr[5] = { HDR + 4 * ndata, flags, index, start, count }, i;

	if (n >= fk.set_calls)
		fail_msg("SET_IRQS #%u expected, only %u made", n, fk.set_calls);
	memcpy(want, hdr, sizeof(hdr));
	for (i = 0; i < ndata; i++) {
		int32_t v = efds[i];

		memcpy(want + HDR + 4 * i, &v, 4);
	}
	assert_int_equal(fk.loglen[n], HDR + 4 * ndata);
	if (memcmp(fk.log[n], want, HDR + 4 * ndata)) {
		uint32_t got[5];

		memcpy(got, fk.log[n], sizeof(got));
		for (i = 0; i < ndata; i++) {
			int32_t g;

			memcpy(&g, fk.log[n] + HDR + 4 * i, 4);
			if (g != efds[i])
				fail_msg("SET_IRQS #%u: data[%u] = %d, expected %d", n, i, g, efds[i]);
		}
		fail_msg("SET_IRQS #%u: {argsz %u flags 0x%x index %u start %u count %u}, expected "
			 "{%u 0x%x %u %u %u}", n, got[0], got[1], got[2], got[3], got[4], hdr[0],
			 hdr[1], hdr[2], hdr[3], hdr[4]);
	}
}

static void close_efds(const int *fds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* The device closed once, and no fd open that was not open at the start. */
static void finish(struct env *e, struct vfiox_device *d)
{
	vfiox_device_close(d);
	fk_assert_fds_closed();
	assert_int_equal(fk_fds.closes, d ? 1 : 0);
	env_free(e);
	assert_int_equal(count_fds(), fk.base_fds);
}

#define TRIG_EFD (VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)
#define TRIG_NONE (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER)

/* ------------------------------------------------------------------ SET_IRQS bytes */

static void test_msix_enable_sends_one_eventfd_per_vector(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);
	int fds[3] = { efd_new(), efd_new(), -1 };

	(void)state;
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 0, 3, fds), 0);
	assert_int_equal(fk.set_calls, 1);
	expect_set(0, TRIG_EFD, VFIO_PCI_MSIX_IRQ_INDEX, 0, 3, fds);
	assert_int_equal(fk.type, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(fk.nvec, 3);

	/* Software trigger: the kernel signals the eventfds of the vectors asked for. */
	assert_int_equal(vfiox_irq_trigger(d, VFIOX_IRQ_MSIX, 0, 2), 0);
	expect_set(1, TRIG_NONE, VFIO_PCI_MSIX_IRQ_INDEX, 0, 2, NULL);
	assert_int_equal(efd_read(fds[0]), 1);
	assert_int_equal(efd_read(fds[1]), 1);

	assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_MSIX), 0);
	expect_set(2, TRIG_NONE, VFIO_PCI_MSIX_IRQ_INDEX, 0, 0, NULL);
	assert_int_equal(fk.type, NONE);
	close_efds(fds, 3);
	finish(e, d);
}

static void test_intx_enable_mask_unmask_trigger_disable(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);
	int efd = efd_new(), rs = efd_new(), none = -1;
	unsigned info;

	(void)state;
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_INTX, 0, 1, &efd), 0);
	expect_set(0, TRIG_EFD, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &efd);
	assert_int_equal(vfiox_irq_mask(d, VFIOX_IRQ_INTX, 0, 1), 0);
	expect_set(1, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK, 0, 0, 1, NULL);
	assert_true(fk.intx_masked);

	/* The unmask that ends every INTx handler is one ioctl: the irq info is cached. */
	info = fk.info_calls;
	assert_int_equal(vfiox_irq_unmask(d, VFIOX_IRQ_INTX, 0, 1), 0);
	expect_set(2, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK, 0, 0, 1, NULL);
	assert_false(fk.intx_masked);
	assert_int_equal(fk.info_calls, info);

	assert_int_equal(vfiox_irq_unmask_eventfd(d, VFIOX_IRQ_INTX, rs), 0);
	expect_set(3, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK, 0, 0, 1, &rs);
	assert_int_equal(fk.intx_unmask_efd, rs);
	assert_int_equal(vfiox_irq_unmask_eventfd(d, VFIOX_IRQ_INTX, -1), 0);
	expect_set(4, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK, 0, 0, 1, &none);
	assert_int_equal(fk.intx_unmask_efd, -1);

	assert_int_equal(vfiox_irq_trigger(d, VFIOX_IRQ_INTX, 0, 1), 0);
	expect_set(5, TRIG_NONE, 0, 0, 1, NULL);
	assert_int_equal(efd_read(efd), 1);

	assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_INTX), 0);
	expect_set(6, TRIG_NONE, 0, 0, 0, NULL);
	assert_int_equal(fk.type, NONE);
	assert_int_equal(fk.set_calls, 7);
	close(efd);
	close(rs);
	finish(e, d);
}

static void test_replacing_eventfds_within_the_enabled_vectors_is_one_call(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);
	int fds[4] = { efd_new(), efd_new(), efd_new(), efd_new() }, x = efd_new(), none = -1;

	(void)state;
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 0, 4, fds), 0);
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 2, 1, &x), 0);
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 1, 1, &none), 0);
	assert_int_equal(fk.set_calls, 3);
	expect_set(1, TRIG_EFD, 2, 2, 1, &x);
	expect_set(2, TRIG_EFD, 2, 1, 1, &none);
	assert_int_equal(fk.nvec, 4);
	assert_int_equal(fk.vec[0], fds[0]);
	assert_int_equal(fk.vec[1], -1);
	assert_int_equal(fk.vec[2], x);
	assert_int_equal(fk.vec[3], fds[3]);
	assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_MSIX), 0);
	close_efds(fds, 4);
	close(x);
	finish(e, d);
}

/* ------------------------------------------------------------------ growing */

static void test_growing_msix_without_resize_reissues_the_earlier_eventfds(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);
	int a[2] = { efd_new(), efd_new() }, b[2] = { efd_new(), efd_new() };
	int all[5] = { a[0], a[1], -1, b[0], b[1] };

	(void)state;
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 0, 2, a), 0);
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 3, 2, b), 0);
	/* Disabled, then enabled with all five vectors: the first two keep their eventfds. */
	assert_int_equal(fk.set_calls, 3);
	expect_set(1, TRIG_NONE, 2, 0, 0, NULL);
	expect_set(2, TRIG_EFD, 2, 0, 5, all);
	assert_int_equal(fk.type, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(fk.nvec, 5);
	assert_memory_equal(fk.vec, all, sizeof(all));

	/* The library remembers all five: growing again keeps them all. */
	{
		int c = efd_new(), all2[7] = { a[0], a[1], -1, b[0], b[1], -1, c };

		assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 6, 1, &c), 0);
		expect_set(4, TRIG_EFD, 2, 0, 7, all2);
		assert_memory_equal(fk.vec, all2, sizeof(all2));
		assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_MSIX), 0);
		close(c);
	}
	close_efds(a, 2);
	close_efds(b, 2);
	finish(e, d);
}

static void test_growing_after_someone_else_disabled_the_index_still_works(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);
	int a = efd_new(), b = efd_new(), all[2] = { a, b };

	(void)state;
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 0, 1, &a), 0);
	fk.type = NONE; /* another user of the device fd disabled MSI-X */
	fk.nvec = 0;
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 1, 1, &b), 0);
	expect_set(2, TRIG_EFD, 2, 0, 2, all);
	assert_int_equal(fk.type, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(fk.nvec, 2);
	assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_MSIX), 0);
	close(a);
	close(b);
	finish(e, d);
}

static void test_growing_dynamic_msix_adds_only_the_new_vectors(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);
	int a[2] = { efd_new(), efd_new() }, b = efd_new();

	(void)state;
	fk_dyn_msix();
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 0, 2, a), 0);
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 9, 1, &b), 0);
	assert_int_equal(fk.set_calls, 2);
	expect_set(1, TRIG_EFD, 2, 9, 1, &b);
	assert_int_equal(fk.nvec, 10);
	assert_int_equal(fk.vec[0], a[0]);
	assert_int_equal(fk.vec[1], a[1]);
	assert_int_equal(fk.vec[9], b);
	assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_MSIX), 0);
	close_efds(a, 2);
	close(b);
	finish(e, d);
}

static void test_growing_msi_always_reenables(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);
	int a = efd_new(), b = efd_new(), all[2] = { a, b };

	(void)state;
	fk_dyn_msix(); /* dynamic allocation is MSI-X only */
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSI, 0, 1, &a), 0);
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSI, 1, 1, &b), 0);
	expect_set(1, TRIG_NONE, 1, 0, 0, NULL);
	expect_set(2, TRIG_EFD, 1, 0, 2, all);
	assert_int_equal(fk.nvec, 2);
	assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_MSI), 0);
	close(a);
	close(b);
	finish(e, d);
}

static void test_failed_growth_restores_the_previous_vectors(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);
	int a[2] = { efd_new(), efd_new() }, b = efd_new();

	(void)state;
	fk.alloc_limit = 4; /* the host has 4 vectors for this device */
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 0, 2, a), 0);
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 7, 1, &b), -ENOSPC);
	env_assert_error(e, DEV, "MSI-X (irq index 2)", "only 4 host vectors of the 8");
	env_assert_error(e, "the 2 vectors before are enabled again", NULL, NULL);
	assert_int_equal(fk.set_calls, 4);
	expect_set(3, TRIG_EFD, 2, 0, 2, a);
	assert_int_equal(fk.type, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(fk.nvec, 2);
	assert_int_equal(fk.vec[0], a[0]);
	/* Nothing about the failed vector was kept: a later growth re-issues two. */
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 2, 1, &b), 0);
	{
		int all[3] = { a[0], a[1], b };

		expect_set(5, TRIG_EFD, 2, 0, 3, all);
	}
	assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_MSIX), 0);
	close_efds(a, 2);
	close(b);
	finish(e, d);
}

static void test_enable_that_gets_too_few_vectors_is_enospc(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);
	int fds[8], i;

	(void)state;
	for (i = 0; i < 8; i++)
		fds[i] = efd_new();
	fk.alloc_limit = 3;
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSI, 0, 8, fds), -ENOSPC);
	env_assert_error(e, DEV, "MSI (irq index 1) vectors 0-7", "only 3 host vectors");
	assert_int_equal(fk.type, NONE);
	close_efds(fds, 8);
	finish(e, d);
}

/* ------------------------------------------------------------------ refusals */

static void test_mask_on_a_non_maskable_index_is_refused(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);
	int efd = efd_new();

	(void)state;
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 0, 1, &efd), 0);
	assert_int_equal(vfiox_irq_mask(d, VFIOX_IRQ_MSIX, 0, 1), -EINVAL);
	env_assert_error(e, DEV ": MSI-X (irq index 2) cannot be masked", "vfio-pci masks INTx only",
			 "-1 as its eventfd");
	assert_int_equal(vfiox_irq_unmask(d, VFIOX_IRQ_MSI, 0, 1), -EINVAL);
	env_assert_error(e, DEV ": MSI (irq index 1) cannot be unmasked", NULL, NULL);
	assert_int_equal(vfiox_irq_unmask_eventfd(d, VFIOX_IRQ_MSIX, efd), -EINVAL);
	env_assert_error(e, DEV, "MSI-X (irq index 2) is not maskable", NULL);
	assert_int_equal(fk.set_calls, 1); /* none of them reached the kernel */
	assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_MSIX), 0);
	close(efd);
	finish(e, d);
}

static void test_another_interrupt_type_enabled_is_named(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);
	int efd = efd_new(), m = efd_new();

	(void)state;
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_INTX, 0, 1, &efd), 0);
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSI, 0, 1, &m), -EINVAL);
	env_assert_error(e, DEV ": enabling MSI (irq index 1) vector 0",
			 "INTx (irq index 0) is enabled", "disable INTx first");
	assert_int_equal(fk.type, VFIO_PCI_INTX_IRQ_INDEX);
	assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_INTX), 0);
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSI, 0, 1, &m), 0);
	assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_MSI), 0);
	close(efd);
	close(m);
	finish(e, d);
}

static void test_an_fd_that_is_not_an_eventfd_is_named(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);
	int p[2], fds[2];
	char want[64];

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fds[0] = efd_new();
	fds[1] = p[0];
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 4, 2, fds), -EINVAL);
	snprintf(want, sizeof(want), "fd %d (vector 5) is not an eventfd", p[0]);
	env_assert_error(e, DEV ": enabling MSI-X (irq index 2) vectors 4-5", want, "pipe:");
	assert_int_equal(fk.type, NONE); /* the kernel undid the block */
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 0, 1, (int[]){ -7 }), -EINVAL);
	env_assert_error(e, "vector 0: -7 is neither an eventfd nor -1", NULL, NULL);
	close(p[0]);
	close(p[1]);
	close(fds[0]);
	finish(e, d);
}

static void test_vectors_out_of_range_are_refused_before_the_kernel(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);
	int efd = efd_new(), two[2] = { efd, -1 };

	(void)state;
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 64, 2, two), -EINVAL);
	env_assert_error(e, DEV ": MSI-X (irq index 2) has 65 vectors (0-64)", "vectors 64-65", NULL);
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_INTX, 0, 2, two), -EINVAL);
	env_assert_error(e, "INTx (irq index 0) has 1 vector (0-0)", NULL, NULL);
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 0, 0, two), -EINVAL);
	env_assert_error(e, "count is 0", "vfiox_irq_disable", NULL);
	fk.irq_count[1] = 0;
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSI, 0, 1, &efd), -EINVAL);
	env_assert_error(e, DEV ": the device has no MSI (irq index 1", NULL, NULL);
	assert_int_equal(vfiox_irq_enable(d, 7, 0, 1, &efd), -EINVAL);
	env_assert_error(e, DEV ": unknown (irq index 7)", "the device has no such index", NULL);
	assert_int_equal(fk.set_calls, 0);
	close(efd);
	finish(e, d);
}

static void test_kernel_einval_and_ebusy_name_the_device_and_index(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);
	int efd = efd_new();

	(void)state;
	/* INTx on a line shared with a driver, for a device without INTx masking. */
	fk.fail_set_at = 1;
	fk.fail_err = -EBUSY;
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_INTX, 0, 1, &efd), -EBUSY);
	env_assert_error(e, DEV ": enabling INTx (irq index 0) vector 0", "shared", "use MSI or MSI-X");

	/* MSI-X busy for a reason the library cannot know: the kernel's word. */
	fk.fail_set_at = 2;
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 0, 1, &efd), -EBUSY);
	env_assert_error(e, DEV ": enabling MSI-X (irq index 2) vector 0", "Device or resource busy",
			 NULL);

	/* Someone else enabled INTx on the fd: the kernel says EINVAL, we say what may be. */
	fk.fail_set_at = 3;
	fk.fail_err = -EINVAL;
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 0, 1, &efd), -EINVAL);
	env_assert_error(e, DEV ": enabling MSI-X (irq index 2)", "another user of the device fd",
			 "disable it first");

	/* Unmask, mask and trigger of what is not enabled. */
	assert_int_equal(vfiox_irq_unmask(d, VFIOX_IRQ_INTX, 0, 1), -EINVAL);
	env_assert_error(e, DEV ": unmasking INTx (irq index 0) vector 0", "INTx is not enabled",
			 "vfiox_irq_enable");
	assert_int_equal(vfiox_irq_trigger(d, VFIOX_IRQ_MSIX, 0, 1), -EINVAL);
	env_assert_error(e, DEV ": triggering MSI-X (irq index 2) vector 0", "MSI-X is not enabled",
			 NULL);
	assert_int_equal(vfiox_irq_unmask_eventfd(d, VFIOX_IRQ_INTX, efd), -EINVAL);
	env_assert_error(e, DEV ": setting the unmask eventfd of INTx (irq index 0)", "not enabled",
			 NULL);
	close(efd);
	finish(e, d);
}

static void test_disable_what_is_not_enabled_is_0_and_a_missing_index_einval(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);

	(void)state;
	assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_MSIX), 0);
	assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_INTX), 0);
	assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_REQ), 0);
	assert_int_equal(vfiox_irq_disable(d, 9), -EINVAL);
	env_assert_error(e, DEV ": unknown (irq index 9)", "no such index", NULL);
	fk.fail_set_at = 5;
	fk.fail_err = -EIO;
	assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_MSI), -EIO);
	env_assert_error(e, DEV ": disabling MSI (irq index 1)", "Input/output error", NULL);
	finish(e, d);
}

/* ------------------------------------------------------------------ ERR, REQ */

static void test_req_pending_reads_the_req_eventfd(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);
	int req = efd_new(), blocking = eventfd(0, EFD_CLOEXEC), err = efd_new();

	(void)state;
	assert_int_equal(vfiox_irq_req_pending(d), -ENOENT);
	env_assert_error(e, DEV ": REQ (irq index 4)", "vfiox_irq_enable(d, VFIOX_IRQ_REQ, 0, 1", NULL);

	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_ERR, 0, 1, &err), 0);
	expect_set(0, TRIG_EFD, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, &err);
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_REQ, 0, 1, &req), 0);
	expect_set(1, TRIG_EFD, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, &req);
	assert_int_equal(fk.req_efd, req);
	assert_int_equal(vfiox_irq_req_pending(d), 0);
	fk_signal(fk.req_efd); /* the kernel wants the device back (unbind) */
	fk_signal(fk.req_efd); /* and asks again 10 s later */
	assert_int_equal(vfiox_irq_req_pending(d), 1);
	assert_int_equal(vfiox_irq_req_pending(d), 0); /* read: cleared */

	/* A blocking eventfd does not block the check. */
	assert_true(blocking >= 0);
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_REQ, 0, 1, &blocking), 0);
	assert_int_equal(vfiox_irq_req_pending(d), 0);
	fk_signal(fk.req_efd);
	assert_int_equal(vfiox_irq_req_pending(d), 1);

	assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_REQ), 0);
	expect_set(3, TRIG_NONE, VFIO_PCI_REQ_IRQ_INDEX, 0, 0, NULL);
	assert_int_equal(fk.req_efd, -1);
	assert_int_equal(vfiox_irq_req_pending(d), -ENOENT);
	assert_int_equal(vfiox_irq_disable(d, VFIOX_IRQ_ERR), 0);
	close(req);
	close(blocking);
	close(err);
	finish(e, d);
}

static void test_release_forgets_the_device(void **state)
{
	struct env *e = irq_env();
	struct vfiox_device *d = open_dev(e);
	int req = efd_new();

	(void)state;
	assert_int_equal(vfiox_irq_enable(d, VFIOX_IRQ_REQ, 0, 1, &req), 0);
	vfiox__irq_release(d); /* what vfiox_device_close() calls */
	assert_int_equal(vfiox_irq_req_pending(d), -ENOENT);
	vfiox__irq_release(d); /* twice is harmless */
	close(req);
	finish(e, d);
}

/* ------------------------------------------------------------------ waiter */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_waiter_returns_the_tags_that_fired(void **state)
{
	struct env *e = irq_env();
	struct vfiox_irq_waiter *w = NULL;
	int fds[3] = { efd_new(), efd_new(), efd_new() };
	uint64_t tags[8];

	(void)state;
	assert_int_equal(vfiox_irq_waiter_new(e->ctx, &w), 0);
	assert_int_equal(vfiox_irq_waiter_add(w, fds[0], 10), 0);
	assert_int_equal(vfiox_irq_waiter_add(w, fds[1], 20), 0);
	assert_int_equal(vfiox_irq_waiter_add(w, fds[2], 30), 0);
	assert_int_equal(vfiox_irq_waiter_wait(w, 0, tags, 8), 0);

	fk_signal(fds[0]);
	fk_signal(fds[0]);
	fk_signal(fds[2]);
	assert_int_equal(vfiox_irq_waiter_wait(w, 1000, tags, 8), 2);
	qsort(tags, 2, sizeof(tags[0]), cmp_u64);
	assert_int_equal(tags[0], 10);
	assert_int_equal(tags[1], 30);
	/* Read: the counters are 0 again, nothing fires. */
	assert_int_equal(vfiox_irq_waiter_wait(w, 0, tags, 8), 0);
	assert_int_equal(efd_read(fds[0]), 0);

	/* Room for one: the other stays pending for the next call. */
	fk_signal(fds[1]);
	fk_signal(fds[2]);
	assert_int_equal(vfiox_irq_waiter_wait(w, 1000, tags, 1), 1);
	assert_int_equal(vfiox_irq_waiter_wait(w, 1000, tags + 1, 1), 1);
	qsort(tags, 2, sizeof(tags[0]), cmp_u64);
	assert_int_equal(tags[0], 20);
	assert_int_equal(tags[1], 30);

	/* Removed: no longer reported (and its counter left alone). */
	assert_int_equal(vfiox_irq_waiter_remove(w, fds[1]), 0);
	fk_signal(fds[1]);
	assert_int_equal(vfiox_irq_waiter_wait(w, 0, tags, 8), 0);
	assert_int_equal(efd_read(fds[1]), 1);
	assert_int_equal(vfiox_irq_waiter_remove(w, fds[1]), -ENOENT);
	/* The freed slot is reused. */
	assert_int_equal(vfiox_irq_waiter_add(w, fds[1], 21), 0);
	fk_signal(fds[1]);
	assert_int_equal(vfiox_irq_waiter_wait(w, 1000, tags, 8), 1);
	assert_int_equal(tags[0], 21);

	vfiox_irq_waiter_free(w);
	close_efds(fds, 3);
	finish(e, NULL);
}

static void test_waiter_times_out_with_0(void **state)
{
	struct env *e = irq_env();
	struct vfiox_irq_waiter *w = NULL;
	int efd = efd_new();
	uint64_t tag;

	(void)state;
	assert_int_equal(vfiox_irq_waiter_new(e->ctx, &w), 0);
	assert_int_equal(vfiox_irq_waiter_wait(w, 20, &tag, 1), 0); /* empty set */
	assert_int_equal(vfiox_irq_waiter_add(w, efd, 1), 0);
	assert_int_equal(vfiox_irq_waiter_wait(w, 30, &tag, 1), 0);
	assert_int_equal(vfiox_irq_waiter_wait(w, 0, &tag, 0), -EINVAL);
	vfiox_irq_waiter_free(w);
	close(efd);
	finish(e, NULL);
}

static void test_waiter_refuses_duplicates_and_unpollable_fds(void **state)
{
	struct env *e = irq_env();
	struct vfiox_irq_waiter *w = NULL;
	int efd = efd_new(), file;

	(void)state;
	assert_int_equal(vfiox_irq_waiter_new(e->ctx, &w), 0);
	assert_int_equal(vfiox_irq_waiter_add(w, efd, 1), 0);
	assert_int_equal(vfiox_irq_waiter_add(w, efd, 2), -EEXIST);
	env_assert_error(e, "eventfd", "already", NULL);
	file = open("/proc/self/stat", O_RDONLY | O_CLOEXEC); /* epoll refuses regular files */
	assert_true(file >= 0);
	assert_int_equal(vfiox_irq_waiter_add(w, file, 3), -EPERM);
	env_assert_error(e, "cannot watch fd", "not a pollable fd", NULL);
	assert_int_equal(vfiox_irq_waiter_add(w, -1, 3), -EBADF);
	close(file);
	vfiox_irq_waiter_free(w);
	vfiox_irq_waiter_free(NULL);
	close(efd);
	finish(e, NULL);
}

static void test_vfiox_irq_eventfd_is_nonblocking_and_cloexec(void **state)
{
	struct env *e = irq_env();
	int efd = -1;

	(void)state;
	assert_int_equal(vfiox_irq_eventfd(e->ctx, &efd), 0);
	assert_true(fk_is_eventfd(efd));
	assert_true(fcntl(efd, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(efd, F_GETFL) & O_NONBLOCK);
	close(efd);
	finish(e, NULL);
}

/* ------------------------------------------------------------------ KVM irqfd */

static void test_kvm_irqfd_bytes_and_busy(void **state)
{
	struct env *e = irq_env();
	int efd = efd_new(), rs = efd_new(), other = efd_new();
	struct kvm_irqfd want;

	(void)state;
	assert_int_equal(vfiox_kvm_irqfd_assign(e->ctx, FK_VM, efd, 24, -1), 0);
	want = (struct kvm_irqfd){ .fd = (uint32_t)efd, .gsi = 24 };
	assert_memory_equal(&fk.irqfd_log[0], &want, sizeof(want));

	assert_int_equal(vfiox_kvm_irqfd_assign(e->ctx, FK_VM, efd, 25, -1), -EBUSY);
	env_assert_error(e, "KVM irqfd assign (VM fd 1001", "already assigned",
			 "vfiox_kvm_irqfd_deassign");

	assert_int_equal(vfiox_kvm_irqfd_assign(e->ctx, FK_VM, other, 10, rs), 0);
	want = (struct kvm_irqfd){ .fd = (uint32_t)other, .gsi = 10,
				   .flags = KVM_IRQFD_FLAG_RESAMPLE, .resamplefd = (uint32_t)rs };
	assert_memory_equal(&fk.irqfd_log[2], &want, sizeof(want));

	assert_int_equal(vfiox_kvm_irqfd_deassign(e->ctx, FK_VM, efd, 24), 0);
	want = (struct kvm_irqfd){ .fd = (uint32_t)efd, .gsi = 24,
				   .flags = KVM_IRQFD_FLAG_DEASSIGN };
	assert_memory_equal(&fk.irqfd_log[3], &want, sizeof(want));
	assert_int_equal(vfiox_kvm_irqfd_deassign(e->ctx, FK_VM, other, 10), 0);

	/* A pipe is no eventfd; the message says what it is. */
	{
		int p[2];

		assert_int_equal(pipe2(p, O_CLOEXEC), 0);
		assert_int_equal(vfiox_kvm_irqfd_assign(e->ctx, FK_VM, p[0], 1, -1), -EINVAL);
		env_assert_error(e, "GSI 1", "is not an eventfd (it is pipe:", NULL);
		close(p[0]);
		close(p[1]);
	}
	assert_int_equal(vfiox_kvm_irqfd_assign(e->ctx, FK_VM, -1, 1, -1), -EBADF);
	assert_int_equal(fk.irqfd_calls, 6);
	close(efd);
	close(rs);
	close(other);
	finish(e, NULL);
}

#define fk_test(f) cmocka_unit_test_setup_teardown(f, fk_reset, env_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		fk_test(test_msix_enable_sends_one_eventfd_per_vector),
		fk_test(test_intx_enable_mask_unmask_trigger_disable),
		fk_test(test_replacing_eventfds_within_the_enabled_vectors_is_one_call),
		fk_test(test_growing_msix_without_resize_reissues_the_earlier_eventfds),
		fk_test(test_growing_after_someone_else_disabled_the_index_still_works),
		fk_test(test_growing_dynamic_msix_adds_only_the_new_vectors),
		fk_test(test_growing_msi_always_reenables),
		fk_test(test_failed_growth_restores_the_previous_vectors),
		fk_test(test_enable_that_gets_too_few_vectors_is_enospc),
		fk_test(test_mask_on_a_non_maskable_index_is_refused),
		fk_test(test_another_interrupt_type_enabled_is_named),
		fk_test(test_an_fd_that_is_not_an_eventfd_is_named),
		fk_test(test_vectors_out_of_range_are_refused_before_the_kernel),
		fk_test(test_kernel_einval_and_ebusy_name_the_device_and_index),
		fk_test(test_disable_what_is_not_enabled_is_0_and_a_missing_index_einval),
		fk_test(test_req_pending_reads_the_req_eventfd),
		fk_test(test_release_forgets_the_device),
		fk_test(test_waiter_returns_the_tags_that_fired),
		fk_test(test_waiter_times_out_with_0),
		fk_test(test_waiter_refuses_duplicates_and_unpollable_fds),
		fk_test(test_vfiox_irq_eventfd_is_nonblocking_and_cloexec),
		fk_test(test_kvm_irqfd_bytes_and_busy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
