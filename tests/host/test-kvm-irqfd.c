// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vfiox_kvm_irqfd_assign() / _deassign() against the host's real /dev/kvm: a VM with an
 * in-kernel irqchip, eventfds routed to GSIs, with and without a resample fd. While an
 * eventfd is assigned KVM consumes its signals (irqfd_wakeup reads the counter and
 * injects), so "a write to the eventfd cannot be read back" proves the routing is live
 * and "it can be read back" proves it is gone.
 *
 * Prints TAP and "N passed, M failed"; exits 1 when a test failed. Without /dev/kvm, or
 * when KVM refuses a VM or an irqchip, prints "1..0 # SKIP <reason>" and exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <vfiox/ctx.h>
#include <vfiox/irq.h>

#include "host-tap.h"

static struct vfiox_ctx *ctx;

static const char *last_error(void)
{
	static char line[600];

	snprintf(line, sizeof(line), "last error: %s", vfiox_ctx_last_error(ctx));
	return line;
}

static int efd_new(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	if (fd < 0) {
		printf("Bail out! eventfd: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

/*
 * Signals @efd and reads it back: 0 when KVM took the signal (the irqfd is live), 1 when
 * it was still there, -errno.
 */
static int signal_and_read_back(int efd)
{
	uint64_t v = 1;

	if (write(efd, &v, sizeof(v)) != sizeof(v))
		return -errno;
	if (read(efd, &v, sizeof(v)) == sizeof(v))
		return 1;
	return errno == EAGAIN ? 0 : -errno;
}

static void skip(const char *fmt, const char *arg)
{
	printf("1..0 # SKIP ");
	printf(fmt, arg);
	printf("\n");
	exit(0);
}

int main(void)
{
	int kvm, vm, vm2, efd, efd2, rs, p[2], ret, r;
	const char *msg;

	tap_detail = last_error;
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		skip("cannot open /dev/kvm: %s", strerror(errno));
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		skip("KVM_CREATE_VM: %s", strerror(errno));
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
		skip("KVM_CREATE_IRQCHIP: %s (no in-kernel irqchip here)", strerror(errno));
	if (vfiox_ctx_new(&ctx)) {
		printf("Bail out! vfiox_ctx_new\n");
		return 1;
	}
	printf("1..12\n");

	efd = efd_new();
	efd2 = efd_new();
	rs = efd_new();

	ret = vfiox_kvm_irqfd_assign(ctx, vm, efd, 5, -1);
	check(ret == 0, "assign an eventfd to GSI 5", "returned %d", ret);
	r = signal_and_read_back(efd);
	check(r == 0, "while assigned, KVM consumes the eventfd's signals", "read back: %d", r);

	ret = vfiox_kvm_irqfd_assign(ctx, vm, efd, 6, -1);
	msg = vfiox_ctx_last_error(ctx);
	check(ret == -EBUSY && strstr(msg, "already assigned") && strstr(msg, "GSI 6") &&
	      strstr(msg, "vfiox_kvm_irqfd_deassign"),
	      "a second assign of the same eventfd is EBUSY with a clear error",
	      "returned %d", ret);

	ret = vfiox_kvm_irqfd_deassign(ctx, vm, efd, 5);
	check(ret == 0, "deassign it", "returned %d", ret);
	r = signal_and_read_back(efd);
	check(r == 1, "after deassign, the signal stays in the eventfd", "read back: %d", r);
	ret = vfiox_kvm_irqfd_deassign(ctx, vm, efd, 5);
	check(ret == 0, "deassigning what is not assigned is 0 (KVM's answer)", "returned %d",
	      ret);

	ret = vfiox_kvm_irqfd_assign(ctx, vm, efd, 6, -1);
	check(ret == 0, "after deassign the eventfd can be assigned again", "returned %d", ret);
	vfiox_kvm_irqfd_deassign(ctx, vm, efd, 6);

	ret = vfiox_kvm_irqfd_assign(ctx, vm, efd2, 10, rs);
	check(ret == 0, "assign with a resample fd (level-triggered, for INTx)", "returned %d",
	      ret);
	r = signal_and_read_back(efd2);
	check(r == 0, "the resampling irqfd is live", "read back: %d", r);
	ret = vfiox_kvm_irqfd_deassign(ctx, vm, efd2, 10);
	r = signal_and_read_back(efd2);
	check(ret == 0 && r == 1, "deassign the resampling irqfd", "returned %d, read back %d",
	      ret, r);

	if (pipe2(p, O_CLOEXEC) < 0) {
		printf("Bail out! pipe2: %s\n", strerror(errno));
		return 1;
	}
	ret = vfiox_kvm_irqfd_assign(ctx, vm, p[0], 7, -1);
	msg = vfiox_ctx_last_error(ctx);
	check(ret == -EINVAL && strstr(msg, "is not an eventfd") && strstr(msg, "pipe:"),
	      "a pipe is refused and named as no eventfd", "returned %d", ret);
	close(p[0]);
	close(p[1]);

	vm2 = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm2 >= 0) {
		ret = vfiox_kvm_irqfd_assign(ctx, vm2, efd, 5, -1);
		msg = vfiox_ctx_last_error(ctx);
		check(ret == -EINVAL && strstr(msg, "KVM_CREATE_IRQCHIP"),
		      "a VM without an in-kernel irqchip is refused and the error says so",
		      "returned %d", ret);
		close(vm2);
	} else {
		check(0, "a VM without an in-kernel irqchip is refused", "second KVM_CREATE_VM: %s",
		      strerror(errno));
	}

	close(efd);
	close(efd2);
	close(rs);
	close(vm);
	close(kvm);
	vfiox_ctx_free(ctx);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
