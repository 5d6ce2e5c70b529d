// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiox-irq ADDR intx|msi COUNT : test helper for the VM, for QEMU's edu device. Enables
 * the interrupt on an eventfd, makes the device raise it COUNT times (write to 0x60,
 * acknowledge at 0x64, for INTx unmask through VFIO) and prints "N/COUNT delivered".
 * Bus mastering is turned on first: edu's MSI is a memory write.
 *
 * vfiox-irq ADDR intx-mask COUNT : the same with INTx masked through VFIO before the device
 * raises it: prints "M/COUNT arrived while masked, N/COUNT after unmask".
 *
 * vfiox-irq ADDR grow : MSI-X vectors 0-1 enabled, then 2-3 added; prints, for each of
 * the four, whether a software trigger arrives on its own eventfd ("0:ok 1:ok ...").
 *
 * vfiox-irq ADDR req SECONDS : enables the REQ interrupt, prints "ready", and waits; when
 * the kernel asks for the device back (an unbind from another shell) prints "req" and
 * closes the device so the unbind can finish.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"

static int other_modes(int argc, char **argv)
{
	struct vfiox_ctx *ctx;
	struct helper_dev dev = { 0 };
	struct vfiox_device *d;
	struct vfiox_irq_waiter *w = NULL;
	int efds[4] = { -1, -1, -1, -1 }, i, ret = 1;
	uint64_t tags[4];

	if (vfiox_ctx_new(&ctx))
		return 1;
	if (helper_open(ctx, argv[1], &dev) || vfiox_irq_waiter_new(ctx, &w))
		goto out;
	d = dev.d;
	if (!strcmp(argv[2], "grow")) {
		for (i = 0; i < 4; i++)
			if (vfiox_irq_eventfd(ctx, &efds[i]) || vfiox_irq_waiter_add(w, efds[i], (uint64_t)i))
				goto out;
		if (vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 0, 2, efds) ||
		    vfiox_irq_enable(d, VFIOX_IRQ_MSIX, 2, 2, efds + 2))
			goto out;
		for (i = 0; i < 4; i++) {
			int n;

			if (vfiox_irq_trigger(d, VFIOX_IRQ_MSIX, (uint32_t)i, 1))
				goto out;
			n = vfiox_irq_waiter_wait(w, 1000, tags, 4);
			printf("%d:%s%s", i, n == 1 && tags[0] == (uint64_t)i ? "ok" : "LOST",
			       i < 3 ? " " : "\n");
		}
		vfiox_irq_disable(d, VFIOX_IRQ_MSIX);
		ret = 0;
	} else if (argc == 4) {
		if (vfiox_irq_eventfd(ctx, &efds[0]) || vfiox_irq_waiter_add(w, efds[0], 9) ||
		    vfiox_irq_enable(d, VFIOX_IRQ_REQ, 0, 1, efds))
			goto out;
		printf("ready\n");
		fflush(stdout);
		if (vfiox_irq_waiter_wait(w, atoi(argv[3]) * 1000, tags, 1) == 1) {
			printf("req\n");
			ret = 0;
		} else {
			printf("no request\n");
		}
		fflush(stdout);
	}
	goto done;
out:
	fprintf(stderr, "vfiox-irq: %s\n", vfiox_ctx_last_error(ctx));
done:
	vfiox_irq_waiter_free(w);
	helper_close(&dev); /* for req: closing the device lets the pending unbind finish */
	for (i = 0; i < 4; i++)
		if (efds[i] >= 0)
			close(efds[i]);
	vfiox_ctx_free(ctx);
	return ret;
}

int main(int argc, char **argv)
{
	struct vfiox_ctx *ctx;
	struct helper_dev dev = { 0 };
	struct vfiox_device *d = NULL;
	struct vfiox_bar *bar = NULL;
	struct vfiox_irq_waiter *w = NULL;
	uint32_t index, status;
	uint16_t cmd;
	uint64_t tag;
	int efd = -1, i, count, delivered = 0, early = 0, ret = 1;
	bool masked;

	if (argc >= 3 && (!strcmp(argv[2], "grow") || !strcmp(argv[2], "req")))
		return other_modes(argc, argv);
	if (argc != 4 || (strcmp(argv[2], "intx") && strcmp(argv[2], "msi") &&
			  strcmp(argv[2], "intx-mask"))) {
		fprintf(stderr, "usage: vfiox-irq ADDR intx|msi|intx-mask COUNT | ADDR grow | "
				"ADDR req SECONDS\n");
		return 2;
	}
	index = strcmp(argv[2], "msi") ? VFIOX_IRQ_INTX : VFIOX_IRQ_MSI;
	masked = !strcmp(argv[2], "intx-mask");
	count = atoi(argv[3]);
	if (vfiox_ctx_new(&ctx))
		return 1;
	if (helper_open(ctx, argv[1], &dev) || !(d = dev.d) || vfiox_bar_open(d, 0, 0, &bar) ||
	    vfiox_device_config_read(d, 4, &cmd, 2))
		goto out;
	cmd |= 0x4; /* bus master */
	if (vfiox_device_config_write(d, 4, &cmd, 2) || vfiox_irq_eventfd(ctx, &efd) ||
	    vfiox_irq_waiter_new(ctx, &w) || vfiox_irq_waiter_add(w, efd, 1) ||
	    vfiox_irq_enable(d, index, 0, 1, &efd))
		goto out;
	for (i = 0; i < count; i++) {
		/* Masked by us: the raised line must stay silent until unmasked, then arrive. */
		if (masked && vfiox_irq_mask(d, index, 0, 1))
			goto out;
		if (vfiox_bar_write32(bar, 0x60, 1u << i % 8))
			goto out;
		if (masked) {
			if (vfiox_irq_waiter_wait(w, 300, &tag, 1) != 0)
				early++;
			if (vfiox_irq_unmask(d, index, 0, 1))
				goto out;
		}
		if (vfiox_irq_waiter_wait(w, 2000, &tag, 1) == 1)
			delivered++;
		if (vfiox_bar_read32(bar, 0x24, &status) || vfiox_bar_write32(bar, 0x64, status))
			goto out;
		if (index == VFIOX_IRQ_INTX && vfiox_irq_unmask(d, index, 0, 1))
			goto out;
	}
	if (masked)
		printf("%d/%d arrived while masked, %d/%d after unmask\n", early, count, delivered,
		       count);
	else
		printf("%d/%d delivered\n", delivered, count);
	ret = delivered == count && !early ? 0 : 1;
	vfiox_irq_disable(d, index);
	goto done;
out:
	fprintf(stderr, "vfiox-irq: %s\n", vfiox_ctx_last_error(ctx));
done:
	vfiox_irq_waiter_free(w);
	if (efd >= 0)
		close(efd);
	vfiox_bar_close(bar);
	helper_close(&dev);
	vfiox_ctx_free(ctx);
	return ret;
}
