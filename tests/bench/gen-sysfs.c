// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * gen-sysfs - build a large fake sysfs tree for the list benchmark.
 *
 *   gen-sysfs DIR [NDEVS [NGROUPS]]      defaults: 10000 devices in 2500 groups
 *
 * Layout (domain 0000): 16 PCIe root ports 00:1c.0-7 and 00:1d.0-7 (pcieport, four
 * functions per group), and behind them multi-function endpoints, NDEVS/NGROUPS functions
 * per group (4 by default), 16 slots a bus, each bus nested under root port
 * (bus - 1) % 16. Every group's functions are one device model, drawn in turn from a
 * table of real vendor/device ids (so name lookups in pci.ids happen) with the drivers
 * those devices really get; every third group is bound to vfio-pci, every seventh is
 * unbound. Each endpoint has a PCIe and an MSI-X capability in 256 bytes of config.
 *
 * Prints the number of devices and groups written. Exit 0, 1 on failure, 2 on usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"

struct model {
	uint16_t vendor, device, subsys_device;
	uint32_t class_code;
	const char *driver;
};

static const struct model models[] = {
	{ 0x8086, 0x1593, 0x0002, 0x020000, "ice" },	     /* E810-C */
	{ 0x8086, 0x154c, 0x0000, 0x020000, "iavf" },	     /* 700 Series VF */
	{ 0x15b3, 0x101d, 0x0016, 0x020000, "mlx5_core" },    /* ConnectX-6 Dx */
	{ 0x15b3, 0x101e, 0x0016, 0x020000, "mlx5_core" },    /* mlx5Gen VF */
	{ 0x144d, 0xa80a, 0xa801, 0x010802, "nvme" },	     /* PM9A3 */
	{ 0x8086, 0x0b60, 0x8008, 0x010802, "nvme" },	     /* Sentinel Rock */
	{ 0x10de, 0x20b5, 0x1533, 0x030200, "nvidia" },	     /* A100 80GB */
	{ 0x10de, 0x2236, 0x1482, 0x030200, "nvidia" },	     /* A10 */
	{ 0x14e4, 0x1751, 0x5045, 0x020000, "bnxt_en" },      /* BCM57504 */
	{ 0x1af4, 0x1041, 0x1100, 0x020000, "virtio-pci" },   /* virtio-net */
	{ 0x1af4, 0x1042, 0x1100, 0x010000, "virtio-pci" },   /* virtio-blk */
	{ 0x1d0f, 0x8061, 0x0000, 0x010802, "nvme" },	     /* EBS */
	{ 0x1d0f, 0xefa1, 0x0000, 0x020000, "efa" },	     /* EFA */
	{ 0x1924, 0x0b03, 0x8022, 0x020000, "sfc" },	     /* SFC9250 */
	{ 0x1077, 0x2261, 0x029b, 0x0c0400, "qla2xxx" },      /* ISP2722 */
	{ 0x1002, 0x740f, 0x0c34, 0x038000, "amdgpu" },	     /* MI210 */
	{ 0x8086, 0x37d2, 0x0000, 0x020000, "i40e" },	     /* X722 */
	{ 0x1000, 0x0097, 0x30e0, 0x010700, "mpt3sas" },      /* SAS3008 */
};

#define NMODELS (sizeof(models) / sizeof(models[0]))
#define NPORTS 16

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long ndevs = 10000, ngroups = 2500, per, g, f, made = 0, nbuses, per_port;
	struct fx *fx;
	double t0 = now();
	int ret;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: gen-sysfs DIR [NDEVS [NGROUPS]]\n");
		return 2;
	}
	if (argc > 2)
		ndevs = strtoul(argv[2], NULL, 10);
	if (argc > 3)
		ngroups = strtoul(argv[3], NULL, 10);
	per = ngroups ? ndevs / ngroups : 0;
	if (!per || per > 8 || per * ngroups != ndevs || ngroups <= NPORTS / per ||
	    ndevs < NPORTS) {
		fprintf(stderr, "gen-sysfs: NDEVS must be NGROUPS times 1..8, NDEVS >= %d\n",
			NPORTS);
		return 2;
	}
	nbuses = (ngroups - (NPORTS + per - 1) / per + 15) / 16;
	per_port = (nbuses + NPORTS - 1) / NPORTS;
	ret = fx_new_at(&fx, argv[1], FX_KEEP);
	if (ret) {
		fprintf(stderr, "gen-sysfs: cannot create %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}

	/* root ports: groups 0 .. NPORTS/per - 1 */
	for (f = 0; f < NPORTS; f++) {
		char addr[16];
		struct fx_dev d = {
			.addr = addr, .vendor = 0x8086, .device = 0xa110 + (uint16_t)f,
			.class_code = 0x060400, .driver = "pcieport", .group = (int)(f / per),
			.numa = (int)(f / 8),
			.caps = { .pcie = true, .pcie_port_type = 4, .pcie_link_speed = 4,
				  .pcie_link_width = 16, .msi = true, .msi_vectors = 1 },
		};

		snprintf(addr, sizeof(addr), "0000:00:%02lx.%lx", 0x1c + f / 8, f % 8);
		if ((ret = fx_add_dev(fx, &d)))
			goto fail;
		made++;
	}

	/* endpoints: the remaining groups, per functions each */
	for (g = (NPORTS + per - 1) / per; made < ndevs; g++) {
		/* a device of per functions; 16 slots a bus from bus 1 */
		unsigned long slot_idx = g - (NPORTS + per - 1) / per;
		unsigned long bus = 1 + slot_idx / 16, slot = slot_idx % 16;
		const struct model *m = &models[g % NMODELS];
		const char *driver = g % 7 == 0 ? NULL : g % 3 == 0 ? "vfio-pci" : m->driver;
		char parent[16];

		if (bus > 0xff) {
			fprintf(stderr, "gen-sysfs: too many devices for one domain\n");
			fx_free(fx);
			return 2;
		}
		snprintf(parent, sizeof(parent), "0000:00:%02lx.%lx", 0x1c + (bus - 1) / per_port / 8,
			 (bus - 1) / per_port % 8);
		for (f = 0; f < per && made < ndevs; f++) {
			char addr[16];
			struct fx_dev d = {
				.addr = addr, .vendor = m->vendor, .device = m->device,
				.subsys_vendor = m->vendor, .subsys_device = m->subsys_device,
				.class_code = m->class_code, .revision = (uint8_t)(g % 4),
				.driver = driver, .group = (int)g, .parent = parent,
				.numa = (int)(bus % 2), .reset_method = "flr bus",
				.caps = { .pcie = true, .pcie_flr = true, .pcie_link_speed = 4,
					  .pcie_link_width = 8, .msix = true,
					  .msix_table_size = 64, .msix_table_offset = 0x2000,
					  .msix_pba_offset = 0x3000 },
			};

			snprintf(addr, sizeof(addr), "0000:%02lx:%02lx.%lx", bus, slot, f);
			if ((ret = fx_add_dev(fx, &d)))
				goto fail;
			made++;
		}
	}
	printf("%lu devices in %lu groups under %s (%.2f s)\n", made, g, fx_root(fx),
	       now() - t0);
	fx_free(fx);
	return 0;

fail:
	fprintf(stderr, "gen-sysfs: %s\n", fx_last_error(fx));
	fx_free(fx);
	return 1;
}
