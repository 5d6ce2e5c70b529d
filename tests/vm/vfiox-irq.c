// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiox-irq ADDR intx|msi COUNT : test helper for the VM, for QEMU's edu device. Enables
 * the interrupt on an eventfd, makes the device raise it COUNT times (write to 0x60,
 * acknowledge at 0x64, for INTx unmask through VFIO) and prints "N/COUNT delivered".
 * Bus mastering is turned on first: edu's MSI is a memory write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vfiox/vfiox.h>

int main(int argc, char **argv)
{
	struct vfiox_ctx *ctx;
	struct vfiox_scan *scan = NULL;
	struct vfiox_pci_dev *pdev;
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_device *d = NULL;
	struct vfiox_bar *bar = NULL;
	struct vfiox_irq_waiter *w = NULL;
	uint32_t index, status;
	uint16_t cmd;
	uint64_t tag;
	int efd = -1, i, count, delivered = 0, ret = 1;

	if (argc != 4 || (strcmp(argv[2], "intx") && strcmp(argv[2], "msi"))) {
		fprintf(stderr, "usage: vfiox-irq ADDR intx|msi COUNT\n");
		return 2;
	}
	index = strcmp(argv[2], "msi") ? VFIOX_IRQ_INTX : VFIOX_IRQ_MSI;
	count = atoi(argv[3]);
	if (vfiox_ctx_new(&ctx))
		return 1;
	if (vfiox_scan_new(ctx, &scan) || vfiox_scan_find_dev(scan, argv[1], &pdev) ||
	    vfiox_container_open(ctx, &c) ||
	    vfiox_vgroup_open(ctx, vfiox_pci_dev_iommu_group(pdev), &g) ||
	    vfiox_container_attach(c, g) ||
	    vfiox_device_open(g, vfiox_pci_dev_name(pdev), NULL, &d) ||
	    vfiox_bar_open(d, 0, 0, &bar) ||
	    vfiox_device_config_read(d, 4, &cmd, 2))
		goto out;
	cmd |= 0x4; /* bus master */
	if (vfiox_device_config_write(d, 4, &cmd, 2) || vfiox_irq_eventfd(ctx, &efd) ||
	    vfiox_irq_waiter_new(ctx, &w) || vfiox_irq_waiter_add(w, efd, 1) ||
	    vfiox_irq_enable(d, index, 0, 1, &efd))
		goto out;
	for (i = 0; i < count; i++) {
		if (vfiox_bar_write32(bar, 0x60, 1u << i % 8))
			goto out;
		if (vfiox_irq_waiter_wait(w, 2000, &tag, 1) == 1)
			delivered++;
		if (vfiox_bar_read32(bar, 0x24, &status) || vfiox_bar_write32(bar, 0x64, status))
			goto out;
		if (index == VFIOX_IRQ_INTX && vfiox_irq_unmask(d, index, 0, 1))
			goto out;
	}
	printf("%d/%d delivered\n", delivered, count);
	ret = delivered == count ? 0 : 1;
	vfiox_irq_disable(d, index);
	goto done;
out:
	fprintf(stderr, "vfiox-irq: %s\n", vfiox_ctx_last_error(ctx));
done:
	vfiox_irq_waiter_free(w);
	if (efd >= 0)
		close(efd);
	vfiox_bar_close(bar);
	vfiox_device_close(d);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	vfiox_scan_free(scan);
	vfiox_ctx_free(ctx);
	return ret;
}
