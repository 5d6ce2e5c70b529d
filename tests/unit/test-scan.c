// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Scanning fake sysfs trees through the public API: devices, groups, viability, SR-IOV
 * links, domains, no IOMMU, detail attributes, and what the scan does with missing,
 * unreadable and garbage attributes (notes/SPEC.md, "Library behaviour on odd sysfs
 * contents").
 *
 * Build: the common unit-test line. Names are looked up in the system pci.ids (Debian
 * package pci.ids), which test_names_come_from_the_pci_id_database needs.
 */
#include "testutil.h"

/* ---- helpers ---- */

static void assert_names(struct env *e, const char *const *want, size_t n)
{
	size_t i, got = vfiox_scan_num_devs(e->scan);

	for (i = 0; i < n && i < got; i++) {
		const char *name = vfiox_pci_dev_name(vfiox_scan_dev(e->scan, i));

		if (strcmp(name, want[i]))
			fail_msg("device #%zu is %s, expected %s", i, name, want[i]);
	}
	if (got != n)
		fail_msg("scan has %zu devices, expected %zu", got, n);
	assert_null(vfiox_scan_dev(e->scan, n));
}

static void assert_group(struct env *e, int id, bool viable, const char *const *members,
			 size_t nmembers, const char *const *blockers, size_t nblockers)
{
	struct vfiox_group *g = env_group(e, id);
	size_t i;

	assert_int_equal(vfiox_group_id(g), id);
	if (vfiox_group_num_devs(g) != nmembers)
		fail_msg("group %d has %zu members, expected %zu", id, vfiox_group_num_devs(g),
			 nmembers);
	for (i = 0; i < nmembers; i++) {
		struct vfiox_pci_dev *d = vfiox_group_dev(g, i);

		assert_non_null(d);
		if (strcmp(vfiox_pci_dev_name(d), members[i]))
			fail_msg("group %d member #%zu is %s, expected %s", id, i,
				 vfiox_pci_dev_name(d), members[i]);
		assert_int_equal(vfiox_pci_dev_iommu_group(d), id);
	}
	assert_null(vfiox_group_dev(g, nmembers));
	if (vfiox_group_viable(g) != viable)
		fail_msg("group %d viable = %d, expected %d", id, vfiox_group_viable(g), viable);
	if (vfiox_group_num_blockers(g) != nblockers)
		fail_msg("group %d has %zu blockers, expected %zu", id,
			 vfiox_group_num_blockers(g), nblockers);
	for (i = 0; i < nblockers; i++) {
		struct vfiox_pci_dev *d = vfiox_group_blocker(g, i);

		assert_non_null(d);
		if (strcmp(vfiox_pci_dev_name(d), blockers[i]))
			fail_msg("group %d blocker #%zu is %s, expected %s", id, i,
				 vfiox_pci_dev_name(d), blockers[i]);
	}
	assert_null(vfiox_group_blocker(g, nblockers));
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void assert_ids(struct vfiox_pci_dev *d, uint16_t ven, uint16_t dev, uint16_t sven,
		       uint16_t sdev, uint32_t cls)
{
	const char *n = vfiox_pci_dev_name(d);

	if (vfiox_pci_dev_vendor_id(d) != ven || vfiox_pci_dev_device_id(d) != dev ||
	    vfiox_pci_dev_subsys_vendor_id(d) != sven || vfiox_pci_dev_subsys_device_id(d) != sdev ||
	    vfiox_pci_dev_class(d) != cls)
		fail_msg("%s: ids %04x:%04x sub %04x:%04x class %06x, expected %04x:%04x sub "
			 "%04x:%04x class %06x", n, vfiox_pci_dev_vendor_id(d),
			 vfiox_pci_dev_device_id(d), vfiox_pci_dev_subsys_vendor_id(d),
			 vfiox_pci_dev_subsys_device_id(d), vfiox_pci_dev_class(d), ven, dev, sven,
			 sdev, cls);
}

/* ---- whole scenarios ---- */

static void test_host_lists_every_device_in_address_order(void **state)
{
	static const char *const names[] = {
		"0000:00:00.0", "0000:00:01.0", "0000:00:02.0", "0000:00:04.0", "0000:00:1c.0",
		"0000:00:1e.0", "0000:00:1f.0", "0000:00:1f.2", "0000:00:1f.3", "0000:01:00.0",
		"0000:01:00.1", "0000:02:00.0", "0000:02:00.1", "0000:03:00.0", "0000:03:10.0",
		"0000:03:10.4", "0000:03:11.0", "0000:03:11.4", "0000:05:00.0", "0000:05:01.0",
		"0001:00:00.0", "0001:00:01.0", "0001:01:00.0", "10000:e1:00.0",
	};
	static const int groups[] = { 0, 1, 2, 5, 9, 10, 11, 20, 21, 22, 23, 24, 25, 40, 41, 42 };
	struct env *e = env_scenario("host");
	size_t i;

	(void)state;
	env_scan(e);
	assert_names(e, names, N(names));
	assert_int_equal(vfiox_scan_num_groups(e->scan), N(groups));
	for (i = 0; i < N(groups); i++)
		assert_int_equal(vfiox_group_id(vfiox_scan_group(e->scan, i)), groups[i]);
	assert_null(vfiox_scan_group(e->scan, N(groups)));
	/* nothing odd in this tree: no warnings */
	if (e->warnings)
		fail_msg("clean tree produced warnings:\n%s", e->log);
	assert_ptr_equal(vfiox_scan_ctx(e->scan), e->ctx);
	env_free(e);
}

static void test_identity_comes_from_uevent(void **state)
{
	struct env *e = env_scenario("host");
	struct vfiox_pci_dev *d;
	const struct vfiox_pci_addr *a;

	(void)state;
	env_scan(e);
	d = env_dev(e, "0000:00:04.0");
	assert_ids(d, 0x1b36, 0x0010, 0x1af4, 0x1100, 0x010802);
	assert_str_or_null(vfiox_pci_dev_driver(d), "vfio-pci");
	assert_int_equal(vfiox_pci_dev_iommu_group(d), 2);
	assert_false(vfiox_pci_dev_is_bridge(d));
	a = vfiox_pci_dev_addr(d);
	assert_int_equal(a->domain, 0);
	assert_int_equal(a->bus, 0);
	assert_int_equal(a->dev, 4);
	assert_int_equal(a->func, 0);

	d = env_dev(e, "0000:00:00.0");
	assert_ids(d, 0x8086, 0x29c0, 0x1af4, 0x1100, 0x060000);
	assert_null(vfiox_pci_dev_driver(d)); /* unbound: NULL, not "" */
	assert_int_equal(vfiox_pci_dev_iommu_group(d), 0);
	assert_false(vfiox_pci_dev_is_bridge(d)); /* host bridge is no PCI-PCI bridge */

	d = env_dev(e, "0000:00:1e.0"); /* subtractive-decode PCI bridge, class 060401 */
	assert_ids(d, 0x8086, 0x244e, 0, 0, 0x060401);
	assert_true(vfiox_pci_dev_is_bridge(d));
	d = env_dev(e, "0000:00:02.0");
	assert_true(vfiox_pci_dev_is_bridge(d));
	assert_str_or_null(vfiox_pci_dev_driver(d), "pcieport");
	d = env_dev(e, "0000:00:1f.0"); /* ISA bridge 0601: not a PCI-PCI bridge */
	assert_false(vfiox_pci_dev_is_bridge(d));

	d = env_dev(e, "10000:e1:00.0");
	a = vfiox_pci_dev_addr(d);
	assert_int_equal(a->domain, 0x10000);
	assert_int_equal(a->bus, 0xe1);
	assert_string_equal(vfiox_pci_dev_name(d), "10000:e1:00.0");
	env_free(e);
}

static void test_semi_transparent_bridge_is_a_bridge(void **state)
{
	struct env *e = env_empty(0);
	struct fx_dev d = { .addr = "0000:00:1e.0", .vendor = 0x8086, .device = 0x244e,
			    .class_code = 0x060901, .group = 3, .numa = -1 };
	struct fx_dev other = { .addr = "0000:00:1e.1", .vendor = 0x8086, .device = 0x244e,
				.class_code = 0x060500, .group = 3, .numa = -1 };

	(void)state;
	FX(e, fx_add_dev(e->fx, &d));
	FX(e, fx_add_dev(e->fx, &other));
	env_scan(e);
	assert_true(vfiox_pci_dev_is_bridge(env_dev(e, "0000:00:1e.0")));
	assert_false(vfiox_pci_dev_is_bridge(env_dev(e, "0000:00:1e.1"))); /* PCMCIA bridge */
	env_free(e);
}

static void test_bridge_group_holds_bridge_and_endpoints(void **state)
{
	static const char *const members[] = { "0000:00:1e.0", "0000:05:00.0", "0000:05:01.0" };
	struct env *e = env_scenario("bridge-group");

	(void)state;
	env_scan(e);
	assert_int_equal(vfiox_scan_num_devs(e->scan), 6);
	assert_int_equal(vfiox_scan_num_groups(e->scan), 4); /* 0 1 2 5 */
	assert_group(e, 5, true, members, 3, NULL, 0);
	assert_null(vfiox_pci_dev_driver(env_dev(e, "0000:00:1e.0")));
	assert_str_or_null(vfiox_pci_dev_driver(env_dev(e, "0000:05:00.0")), "vfio-pci");
	assert_null(vfiox_pci_dev_driver(env_dev(e, "0000:05:01.0")));
	env_free(e);
}

static void test_nonviable_group_names_its_blockers(void **state)
{
	static const char *const g9[] = { "0000:00:1f.0", "0000:00:1f.2", "0000:00:1f.3" };
	static const char *const g9b[] = { "0000:00:1f.2" };
	static const char *const g10[] = { "0000:00:1c.0", "0000:01:00.0", "0000:01:00.1" };
	static const char *const g11[] = { "0000:02:00.0", "0000:02:00.1" };
	struct env *e = env_scenario("nonviable");

	(void)state;
	env_scan(e);
	/* unbound + ahci + vfio-pci: ahci alone blocks */
	assert_group(e, 9, false, g9, 3, g9b, 1);
	assert_str_or_null(vfiox_pci_dev_driver(vfiox_group_blocker(env_group(e, 9), 0)), "ahci");
	/* pcieport + pci-stub + a vfio variant driver: viable */
	assert_group(e, 10, true, g10, 3, NULL, 0);
	/* two blockers, in address order */
	assert_group(e, 11, false, g11, 2, g11, 2);
	/* single-device groups of the base part */
	{
		static const char *const g1[] = { "0000:00:01.0" };
		static const char *const g2[] = { "0000:00:04.0" };

		assert_group(e, 1, false, g1, 1, g1, 1); /* bochs-drm */
		assert_group(e, 2, true, g2, 1, NULL, 0);
	}
	env_free(e);
}

static void test_driver_rule_matches_the_kernel(void **state)
{
	static const char *const keep[] = { "vfio-pci", "mlx5_vfio_pci", "vfio_pci",
					    "nvgrace_gpu_vfio_pci", "pci-stub", "pcieport" };
	static const char *const block[] = { "ahci", "nvidia", "igb", "snd_hda_intel",
					     "xhci_hcd", "pci-stubby", "pcieport2", "nvme" };
	size_t i;

	(void)state;
	assert_true(vfiox_driver_keeps_group_viable(NULL));
	for (i = 0; i < N(keep); i++)
		if (!vfiox_driver_keeps_group_viable(keep[i]))
			fail_msg("driver %s should keep a group viable", keep[i]);
	for (i = 0; i < N(block); i++)
		if (vfiox_driver_keeps_group_viable(block[i]))
			fail_msg("driver %s should block a group", block[i]);
}

static void test_sriov_links_pf_and_vfs(void **state)
{
	static const char *const vfs[] = { "0000:03:10.0", "0000:03:10.4", "0000:03:11.0",
					   "0000:03:11.4" };
	struct env *e = env_scenario("sriov");
	struct vfiox_pci_dev *pf;
	size_t i;

	(void)state;
	env_scan(e);
	assert_int_equal(vfiox_scan_num_devs(e->scan), 3 + 2 + 4);
	pf = env_dev(e, "0000:03:00.0");
	assert_int_equal(vfiox_pci_dev_sriov_totalvfs(pf), 7);
	assert_int_equal(vfiox_pci_dev_sriov_numvfs(pf), 4);
	assert_int_equal(vfiox_pci_dev_num_vfs(pf), 4);
	assert_null(vfiox_pci_dev_physfn(pf));
	assert_str_or_null(vfiox_pci_dev_driver(pf), "igb");
	for (i = 0; i < N(vfs); i++) {
		struct vfiox_pci_dev *vf = vfiox_pci_dev_vf(pf, i);

		assert_non_null(vf);
		assert_string_equal(vfiox_pci_dev_name(vf), vfs[i]);
		assert_ptr_equal(vf, env_dev(e, vfs[i]));
		assert_ptr_equal(vfiox_pci_dev_physfn(vf), pf);
		assert_int_equal(vfiox_pci_dev_iommu_group(vf), 22 + (int)i);
		assert_ids(vf, 0x8086, 0x1520, 0x8086, 0x0001, 0x020000);
		assert_str_or_null(vfiox_pci_dev_driver(vf), "vfio-pci");
		/* a VF is no PF */
		assert_int_equal(vfiox_pci_dev_sriov_totalvfs(vf), -1);
		assert_int_equal(vfiox_pci_dev_sriov_numvfs(vf), -1);
		assert_int_equal(vfiox_pci_dev_num_vfs(vf), 0);
		assert_null(vfiox_pci_dev_vf(vf, 0));
	}
	assert_null(vfiox_pci_dev_vf(pf, 4));
	/* a device that is neither */
	assert_null(vfiox_pci_dev_physfn(env_dev(e, "0000:00:02.0")));
	assert_int_equal(vfiox_pci_dev_num_vfs(env_dev(e, "0000:00:02.0")), 0);
	env_free(e);
}

static void test_pf_without_enabled_vfs(void **state)
{
	struct env *e = env_empty(0);
	struct fx_dev pf = { .addr = "0000:03:00.0", .vendor = 0x8086, .device = 0x1521,
			     .class_code = 0x020000, .driver = "igb", .group = 7, .numa = -1,
			     .caps = { .sriov = true, .sriov_total_vfs = 8, .sriov_offset = 0x80,
				       .sriov_stride = 4, .sriov_vf_device = 0x1520 } };
	struct vfiox_pci_dev *d;

	(void)state;
	FX(e, fx_add_dev(e->fx, &pf));
	env_scan(e);
	d = env_dev(e, "03:00.0");
	assert_int_equal(vfiox_pci_dev_sriov_totalvfs(d), 8);
	assert_int_equal(vfiox_pci_dev_sriov_numvfs(d), 0);
	assert_int_equal(vfiox_pci_dev_num_vfs(d), 0);
	assert_null(vfiox_pci_dev_vf(d, 0));
	env_free(e);
}

static void test_second_domain_sorts_after_the_first(void **state)
{
	static const char *const names[] = { "0000:00:00.0", "0000:00:01.0", "0000:00:04.0",
					     "0001:00:00.0", "0001:00:01.0", "0001:01:00.0",
					     "10000:e1:00.0" };
	static const char *const g41[] = { "0001:00:01.0", "0001:01:00.0" };
	static const char *const g41b[] = { "0001:01:00.0" }; /* nvme blocks */
	struct env *e = env_scenario("domains");
	struct vfiox_pci_dev *d = NULL;

	(void)state;
	env_scan(e);
	assert_names(e, names, N(names));
	assert_group(e, 41, false, g41, 2, g41b, 1);
	d = env_dev(e, "0001:01:00.0");
	assert_str_or_null(vfiox_pci_dev_driver(d), "nvme");
	assert_int_equal(vfiox_pci_dev_numa_node(d), 1);
	/* the short form means domain 0, never another domain's bus 01 */
	assert_int_equal(vfiox_scan_find_dev(e->scan, "01:00.0", &d), -ENODEV);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "0000:01:00.0"));
	assert_ptr_equal(env_dev(e, "1:1:0.0"), env_dev(e, "0001:01:00.0"));
	assert_ptr_equal(env_dev(e, "10000:E1:00.0"), env_dev(e, "10000:e1:00.0"));
	env_free(e);
}

static void test_no_iommu_lists_devices_without_groups(void **state)
{
	struct env *e = env_scenario("noiommu");
	struct vfiox_group *g = NULL;
	size_t i;

	(void)state;
	env_scan(e);
	assert_int_equal(vfiox_scan_num_devs(e->scan), 3 + 8);
	assert_int_equal(vfiox_scan_num_groups(e->scan), 0);
	assert_null(vfiox_scan_group(e->scan, 0));
	for (i = 0; i < vfiox_scan_num_devs(e->scan); i++)
		assert_int_equal(vfiox_pci_dev_iommu_group(vfiox_scan_dev(e->scan, i)), -1);
	assert_str_or_null(vfiox_pci_dev_driver(env_dev(e, "0000:00:1f.2")), "ahci");
	assert_int_equal(vfiox_scan_find_group(e->scan, 0, &g), -ENOENT);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "0"));
	if (e->warnings)
		fail_msg("IOMMU off is normal, yet the scan warned:\n%s", e->log);
	env_free(e);
}

static void test_many_devices_come_out_sorted(void **state)
{
	struct env *e = env_empty(0);
	struct vfiox_pci_addr prev = { 0 };
	size_t i;
	int b, s;

	(void)state;
	/* added in descending order, so directory order is no help */
	for (b = 0x3f; b >= 0; b--)
		for (s = 31; s >= 0; s -= 3) {
			char addr[16];
			struct fx_dev d = { .addr = addr, .vendor = 0x1af4, .device = 0x1041,
					    .class_code = 0x020000, .group = b, .numa = -1,
					    .driver = s % 2 ? "virtio-pci" : NULL };

			snprintf(addr, sizeof(addr), "0000:%02x:%02x.0", b, s);
			FX(e, fx_add_dev(e->fx, &d));
		}
	env_scan(e);
	assert_int_equal(vfiox_scan_num_devs(e->scan), 64 * 11);
	assert_int_equal(vfiox_scan_num_groups(e->scan), 64);
	for (i = 0; i < vfiox_scan_num_devs(e->scan); i++) {
		const struct vfiox_pci_addr *a = vfiox_pci_dev_addr(vfiox_scan_dev(e->scan, i));

		if (i && vfiox_pci_addr_cmp(&prev, a) >= 0)
			fail_msg("device #%zu %s is not after its predecessor", i,
				 vfiox_pci_dev_name(vfiox_scan_dev(e->scan, i)));
		prev = *a;
	}
	for (i = 0; i < 64; i++) {
		struct vfiox_group *g = vfiox_scan_group(e->scan, i);

		assert_int_equal(vfiox_group_id(g), (int)i);
		assert_int_equal(vfiox_group_num_devs(g), 11);
		assert_int_equal(vfiox_group_num_blockers(g), 6); /* virtio-pci in slots 31 25 19 13 7 1 */
		assert_false(vfiox_group_viable(g));
	}
	env_free(e);
}

/* Large trees are read by several threads: same result, warnings still reach the caller. */
static void test_large_tree_read_in_parallel_keeps_order_and_warnings(void **state)
{
	struct env *e = env_empty(0);
	struct vfiox_pci_dev *d = NULL;
	char addr[16];
	size_t i;
	int b, s;

	(void)state;
	for (b = 0x2f; b >= 0; b--) /* 48 buses x 32 slots = 1536 devices, above the threshold */
		for (s = 31; s >= 0; s--) {
			struct fx_dev dv = { .addr = addr, .vendor = 0x8086, .device = 0x10fb,
					     .class_code = 0x020000, .group = b * 32 + s,
					     .numa = -1, .driver = s % 3 ? "ixgbe" : NULL };

			snprintf(addr, sizeof(addr), "0000:%02x:%02x.0", b, s);
			FX(e, fx_add_dev(e->fx, &dv));
		}
	/* one device in the middle and one at the end cannot be identified */
	FX(e, fx_write_attr(e->fx, "0000:17:05.0", "uevent", "PCI_ID=zz\n"));
	FX(e, fx_write_attr(e->fx, "0000:17:05.0", "vendor", "garbage\n"));
	FX(e, fx_write_attr(e->fx, "0000:2f:1f.0", "uevent", "PCI_ID=zz\n"));
	FX(e, fx_write_attr(e->fx, "0000:2f:1f.0", "class", "x\n"));
	FX(e, fx_write_attr(e->fx, "0000:2f:1f.0", "vendor", "0x8086\n"));
	FX(e, fx_write_attr(e->fx, "0000:2f:1f.0", "device", "0x10fb\n"));
	env_scan(e);
	assert_int_equal(vfiox_scan_num_devs(e->scan), 48 * 32 - 2);
	for (i = 1; i < vfiox_scan_num_devs(e->scan); i++)
		assert_true(vfiox_pci_addr_cmp(vfiox_pci_dev_addr(vfiox_scan_dev(e->scan, i - 1)),
					       vfiox_pci_dev_addr(vfiox_scan_dev(e->scan, i))) < 0);
	assert_int_equal(vfiox_scan_find_dev(e->scan, "0000:17:05.0", &d), -ENODEV);
	assert_int_equal(vfiox_scan_find_dev(e->scan, "0000:2f:1f.0", &d), -ENODEV);
	if (!env_warned(e, "0000:17:05.0", "vendor") || !env_warned(e, "0000:2f:1f.0", "class"))
		fail_msg("warnings from the reader threads were lost; log:\n%s", e->log);
	assert_int_equal(vfiox_scan_find_dev(e->scan, "0000:2f:1d.0", &d), 0); /* slot 29: bound */
	assert_string_equal(vfiox_pci_dev_driver(d), "ixgbe");
	assert_int_equal(vfiox_pci_dev_iommu_group(d), 0x2f * 32 + 29);
	assert_int_equal(vfiox_scan_find_dev(e->scan, "0000:00:00.0", &d), 0);
	assert_null(vfiox_pci_dev_driver(d));
	env_free(e);
}

/* ---- details ---- */

static void test_details_of_bound_and_unbound_devices(void **state)
{
	struct env *e = env_scenario("base");
	struct vfiox_pci_dev *d;

	(void)state;
	env_scan(e);
	d = env_dev(e, "0000:00:04.0");
	assert_int_equal(vfiox_pci_dev_revision(d), 2);
	assert_str_or_null(vfiox_pci_dev_driver_override(d), "vfio-pci");
	assert_int_equal(vfiox_pci_dev_numa_node(d), 0);
	assert_str_or_null(vfiox_pci_dev_reset_method(d), "flr bus");
	assert_int_equal(vfiox_pci_dev_boot_vga(d), -1); /* not VGA */
	assert_int_equal(vfiox_pci_dev_sriov_totalvfs(d), -1);
	assert_int_equal(vfiox_pci_dev_sriov_numvfs(d), -1);
	assert_null(vfiox_pci_dev_physfn(d));

	d = env_dev(e, "0000:00:01.0");
	assert_int_equal(vfiox_pci_dev_revision(d), 5);
	assert_null(vfiox_pci_dev_driver_override(d)); /* "(null)" */
	assert_int_equal(vfiox_pci_dev_numa_node(d), -1);
	assert_null(vfiox_pci_dev_reset_method(d)); /* no attribute */
	assert_int_equal(vfiox_pci_dev_boot_vga(d), 1);
	env_free(e);
}

static void test_details_are_read_on_first_use_and_kept(void **state)
{
	struct env *e = env_scenario("base");
	struct vfiox_pci_dev *d;

	(void)state;
	env_scan(e);
	d = env_dev(e, "0000:00:04.0");
	/* changed after the scan, before first use: the new value shows */
	FX(e, fx_write_attr(e->fx, "0000:00:04.0", "numa_node", "3\n"));
	assert_int_equal(vfiox_pci_dev_numa_node(d), 3);
	/* changed after first use: the kept value shows */
	FX(e, fx_write_attr(e->fx, "0000:00:04.0", "numa_node", "1\n"));
	assert_int_equal(vfiox_pci_dev_numa_node(d), 3);
	env_free(e);
}

static void test_missing_details_are_minus_one_or_null(void **state)
{
	static const char *const attrs[] = { "revision", "numa_node", "boot_vga",
					     "driver_override", "reset_method" };
	struct env *e = env_scenario("base");
	struct vfiox_pci_dev *d;
	size_t i;

	(void)state;
	for (i = 0; i < N(attrs); i++) {
		FX(e, fx_remove_attr(e->fx, "0000:00:01.0", attrs[i]));
		if (strcmp(attrs[i], "boot_vga"))
			FX(e, fx_remove_attr(e->fx, "0000:00:04.0", attrs[i]));
	}
	env_scan(e);
	assert_int_equal(vfiox_scan_num_devs(e->scan), 3);
	d = env_dev(e, "0000:00:01.0");
	assert_int_equal(vfiox_pci_dev_revision(d), -1);
	assert_int_equal(vfiox_pci_dev_numa_node(d), -1);
	assert_int_equal(vfiox_pci_dev_boot_vga(d), -1);
	assert_null(vfiox_pci_dev_driver_override(d));
	assert_null(vfiox_pci_dev_reset_method(d));
	d = env_dev(e, "0000:00:04.0");
	assert_int_equal(vfiox_pci_dev_revision(d), -1);
	assert_int_equal(vfiox_pci_dev_numa_node(d), -1);
	assert_null(vfiox_pci_dev_driver_override(d));
	assert_null(vfiox_pci_dev_reset_method(d));
	/* identity did not need any of them */
	assert_ids(d, 0x1b36, 0x0010, 0x1af4, 0x1100, 0x010802);
	env_free(e);
}

static void test_empty_reset_method_and_override(void **state)
{
	struct env *e = env_scenario("base");
	struct vfiox_pci_dev *d;

	(void)state;
	FX(e, fx_write_attr(e->fx, "0000:00:04.0", "reset_method", "\n"));
	FX(e, fx_write_attr(e->fx, "0000:00:04.0", "driver_override", "\n"));
	FX(e, fx_write_attr(e->fx, "0000:00:01.0", "driver_override", ""));
	env_scan(e);
	d = env_dev(e, "0000:00:04.0");
	assert_str_or_null(vfiox_pci_dev_reset_method(d), ""); /* present, no method */
	assert_null(vfiox_pci_dev_driver_override(d));
	assert_null(vfiox_pci_dev_driver_override(env_dev(e, "0000:00:01.0")));
	env_free(e);
}

static void test_garbage_details_are_minus_one(void **state)
{
	struct env *e = env_scenario("sriov");
	struct vfiox_pci_dev *d;

	(void)state;
	FX(e, fx_write_attr(e->fx, "0000:00:04.0", "numa_node", "abc\n"));
	FX(e, fx_write_attr(e->fx, "0000:00:04.0", "revision", "0xzz\n"));
	FX(e, fx_write_attr(e->fx, "0000:00:01.0", "boot_vga", "yes\n"));
	FX(e, fx_write_attr(e->fx, "0000:00:01.0", "numa_node", "99999999999999999999\n"));
	FX(e, fx_write_attr(e->fx, "0000:00:01.0", "revision", "0x100\n"));
	FX(e, fx_write_attr(e->fx, "0000:00:00.0", "numa_node", "1x\n"));
	FX(e, fx_write_attr(e->fx, "0000:03:00.0", "sriov_totalvfs", "x\n"));
	env_scan(e);
	assert_int_equal(vfiox_scan_num_devs(e->scan), 9);
	d = env_dev(e, "0000:00:04.0");
	assert_int_equal(vfiox_pci_dev_numa_node(d), -1);
	assert_int_equal(vfiox_pci_dev_revision(d), -1);
	d = env_dev(e, "0000:00:01.0");
	assert_int_equal(vfiox_pci_dev_boot_vga(d), -1);
	assert_int_equal(vfiox_pci_dev_numa_node(d), -1);
	assert_int_equal(vfiox_pci_dev_revision(d), -1); /* > 255 */
	assert_int_equal(vfiox_pci_dev_numa_node(env_dev(e, "0000:00:00.0")), -1);
	d = env_dev(e, "0000:03:00.0");
	assert_int_equal(vfiox_pci_dev_sriov_totalvfs(d), -1);
	/* the VFs' own physfn links still lead to the PF */
	assert_ptr_equal(vfiox_pci_dev_physfn(env_dev(e, "0000:03:10.0")), d);
	/* identity untouched */
	assert_str_or_null(vfiox_pci_dev_driver(d), "igb");
	env_free(e);
}

static void test_unreadable_details_are_minus_one_or_null(void **state)
{
	static const char *const attrs[] = { "numa_node", "revision", "reset_method",
					     "driver_override", "sriov_totalvfs" };
	struct env *e = env_scenario("sriov");
	struct vfiox_pci_dev *d;
	size_t i;

	(void)state;
	for (i = 0; i < N(attrs); i++)
		FX(e, fx_make_unreadable(e->fx, "0000:03:00.0", attrs[i]));
	FX(e, fx_make_unreadable(e->fx, "0000:00:01.0", "boot_vga"));
	env_scan(e);
	assert_int_equal(vfiox_scan_num_devs(e->scan), 9);
	d = env_dev(e, "0000:03:00.0");
	assert_int_equal(vfiox_pci_dev_numa_node(d), -1);
	assert_int_equal(vfiox_pci_dev_revision(d), -1);
	assert_null(vfiox_pci_dev_reset_method(d));
	assert_null(vfiox_pci_dev_driver_override(d));
	assert_int_equal(vfiox_pci_dev_sriov_totalvfs(d), -1);
	assert_int_equal(vfiox_pci_dev_boot_vga(env_dev(e, "0000:00:01.0")), -1);
	env_free(e);
}

/* ---- identity from odd trees ---- */

static void test_unreadable_uevent_falls_back_to_files(void **state)
{
	struct env *e = env_scenario("base");
	struct vfiox_pci_dev *d;

	(void)state;
	FX(e, fx_make_unreadable(e->fx, "0000:00:04.0", "uevent"));
	env_scan(e);
	assert_int_equal(vfiox_scan_num_devs(e->scan), 3);
	d = env_dev(e, "0000:00:04.0");
	assert_ids(d, 0x1b36, 0x0010, 0x1af4, 0x1100, 0x010802);
	assert_str_or_null(vfiox_pci_dev_driver(d), "vfio-pci"); /* from the driver link */
	assert_int_equal(vfiox_pci_dev_iommu_group(d), 2);
	env_free(e);
}

static void test_missing_uevent_unbound_device(void **state)
{
	struct env *e = env_scenario("base");
	struct vfiox_pci_dev *d;

	(void)state;
	FX(e, fx_remove_attr(e->fx, "0000:00:00.0", "uevent"));
	env_scan(e);
	d = env_dev(e, "0000:00:00.0");
	assert_ids(d, 0x8086, 0x29c0, 0x1af4, 0x1100, 0x060000);
	assert_null(vfiox_pci_dev_driver(d));
	env_free(e);
}

static void test_garbage_uevent_ids_fall_back_to_files(void **state)
{
	struct env *e = env_scenario("base");
	struct vfiox_pci_dev *d;

	(void)state;
	FX(e, fx_write_attr(e->fx, "0000:00:04.0", "uevent",
			    "DRIVER=vfio-pci\nPCI_CLASS=zz\nPCI_ID=XYZW:0010\n"
			    "PCI_SUBSYS_ID=1AF4:1100\nPCI_SLOT_NAME=0000:00:04.0\n"));
	FX(e, fx_write_attr(e->fx, "0000:00:01.0", "uevent", "\x01\x02garbage\xff\n\n=\n"));
	FX(e, fx_write_attr(e->fx, "0000:00:00.0", "uevent",
			    "PCI_CLASS=60000\nPCI_ID=8086:29C0:1\nPCI_SUBSYS_ID=1AF4\n"));
	env_scan(e);
	assert_int_equal(vfiox_scan_num_devs(e->scan), 3);
	d = env_dev(e, "0000:00:04.0");
	assert_ids(d, 0x1b36, 0x0010, 0x1af4, 0x1100, 0x010802);
	assert_str_or_null(vfiox_pci_dev_driver(d), "vfio-pci");
	d = env_dev(e, "0000:00:01.0");
	assert_ids(d, 0x1b36, 0x0100, 0x1af4, 0x1100, 0x030000);
	assert_str_or_null(vfiox_pci_dev_driver(d), "bochs-drm");
	d = env_dev(e, "0000:00:00.0");
	assert_ids(d, 0x8086, 0x29c0, 0x1af4, 0x1100, 0x060000);
	env_free(e);
}

static void test_uevent_wins_over_id_files(void **state)
{
	struct env *e = env_scenario("base");

	(void)state;
	/* the kernel may fix ids up; uevent is what the spec reads first */
	FX(e, fx_write_attr(e->fx, "0000:00:04.0", "vendor", "0x9999\n"));
	FX(e, fx_write_attr(e->fx, "0000:00:04.0", "class", "0xff0000\n"));
	FX(e, fx_remove_attr(e->fx, "0000:00:04.0", "driver"));
	env_scan(e);
	assert_ids(env_dev(e, "0000:00:04.0"), 0x1b36, 0x0010, 0x1af4, 0x1100, 0x010802);
	/* DRIVER= in uevent is enough; the link is not needed */
	assert_str_or_null(vfiox_pci_dev_driver(env_dev(e, "0000:00:04.0")), "vfio-pci");
	env_free(e);
}

static void test_device_without_ids_is_skipped_with_a_warning(void **state)
{
	static const char *const left[] = { "0000:00:00.0", "0000:00:01.0" };
	struct env *e = env_scenario("base");
	struct vfiox_pci_dev *d = NULL;

	(void)state;
	FX(e, fx_write_attr(e->fx, "0000:00:04.0", "uevent", "PCI_ID=garbage\nPCI_CLASS=10802\n"));
	FX(e, fx_write_attr(e->fx, "0000:00:04.0", "vendor", "garbage\n"));
	env_scan(e);
	assert_names(e, left, 2);
	assert_int_equal(vfiox_scan_find_dev(e->scan, "0000:00:04.0", &d), -ENODEV);
	if (!env_warned(e, "0000:00:04.0", "vendor"))
		fail_msg("no warning naming 0000:00:04.0 and 'vendor'; log:\n%s", e->log);
	/* its group dir still exists: the group is there, without PCI members */
	assert_int_equal(vfiox_scan_num_groups(e->scan), 3);
	assert_int_equal(vfiox_group_num_devs(env_group(e, 2)), 0);
	assert_true(vfiox_group_viable(env_group(e, 2)));
	env_free(e);
}

static void test_device_without_class_is_skipped_with_a_warning(void **state)
{
	struct env *e = env_scenario("base");

	(void)state;
	FX(e, fx_write_attr(e->fx, "0000:00:01.0", "uevent", "PCI_ID=1B36:0100\n"));
	FX(e, fx_remove_attr(e->fx, "0000:00:01.0", "class"));
	env_scan(e);
	assert_int_equal(vfiox_scan_num_devs(e->scan), 2);
	if (!env_warned(e, "0000:00:01.0", "class"))
		fail_msg("no warning naming 0000:00:01.0 and 'class'; log:\n%s", e->log);
	env_free(e);
}

static void test_missing_subsystem_ids_are_zero(void **state)
{
	struct env *e = env_scenario("base");

	(void)state;
	FX(e, fx_write_attr(e->fx, "0000:00:04.0", "uevent",
			    "DRIVER=vfio-pci\nPCI_CLASS=10802\nPCI_ID=1B36:0010\n"));
	FX(e, fx_remove_attr(e->fx, "0000:00:04.0", "subsystem_vendor"));
	FX(e, fx_remove_attr(e->fx, "0000:00:04.0", "subsystem_device"));
	env_scan(e);
	assert_ids(env_dev(e, "0000:00:04.0"), 0x1b36, 0x0010, 0, 0, 0x010802);
	env_free(e);
}

static void test_iommu_group_link_variants(void **state)
{
	struct env *e = env_scenario("base");
	struct vfiox_group *g;

	(void)state;
	FX(e, fx_symlink_attr(e->fx, "0000:00:00.0", "iommu_group",
			      "../../../kernel/iommu_groups/abc"));
	FX(e, fx_remove_attr(e->fx, "0000:00:01.0", "iommu_group"));
	/* a group the kernel/iommu_groups dir does not (yet) have */
	FX(e, fx_symlink_attr(e->fx, "0000:00:04.0", "iommu_group",
			      "../../../kernel/iommu_groups/77"));
	env_scan(e);
	assert_int_equal(vfiox_pci_dev_iommu_group(env_dev(e, "0000:00:00.0")), -1);
	if (!env_warned(e, "0000:00:00.0", "abc"))
		fail_msg("no warning naming 0000:00:00.0 and its link 'abc'; log:\n%s", e->log);
	assert_int_equal(vfiox_pci_dev_iommu_group(env_dev(e, "0000:00:01.0")), -1);
	assert_int_equal(vfiox_pci_dev_iommu_group(env_dev(e, "0000:00:04.0")), 77);
	g = env_group(e, 77);
	assert_int_equal(vfiox_group_num_devs(g), 1);
	assert_string_equal(vfiox_pci_dev_name(vfiox_group_dev(g, 0)), "0000:00:04.0");
	/* groups 0 1 2 still exist as dirs, without members now, plus 77 */
	assert_int_equal(vfiox_scan_num_groups(e->scan), 4);
	assert_int_equal(vfiox_group_id(vfiox_scan_group(e->scan, 3)), 77);
	assert_int_equal(vfiox_group_num_devs(env_group(e, 0)), 0);
	env_free(e);
}

static void test_bus_entries_that_are_not_addresses_are_skipped(void **state)
{
	struct env *e = env_scenario("base");

	(void)state;
	FX(e, fx_add_bus_entry(e->fx, "garbage"));
	FX(e, fx_add_bus_entry(e->fx, "0000:03:00"));
	FX(e, fx_add_bus_entry(e->fx, "0000:03:20.0"));
	env_scan(e);
	assert_int_equal(vfiox_scan_num_devs(e->scan), 3);
	if (!env_warned(e, "garbage", NULL) || !env_warned(e, "0000:03:00", NULL) ||
	    !env_warned(e, "0000:03:20.0", NULL))
		fail_msg("a skipped entry was not named in a warning; log:\n%s", e->log);
	env_free(e);
}

/* ---- errors ---- */

static void test_lookup_errors_name_the_input(void **state)
{
	struct env *e = env_scenario("base");
	struct vfiox_pci_dev *d = NULL;
	struct vfiox_group *g = NULL;

	(void)state;
	env_ctx(e);
	assert_string_equal(vfiox_ctx_last_error(e->ctx), "");
	env_scan(e);
	assert_int_equal(vfiox_scan_find_dev(e->scan, "0000:09:00.0", &d), -ENODEV);
	assert_null(d);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "0000:09:00.0"));
	assert_int_equal(vfiox_scan_find_dev(e->scan, "09:00.0", &d), -ENODEV);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "0000:09:00.0"));
	assert_int_equal(vfiox_scan_find_dev(e->scan, "zz:not-an-addr", &d), -EINVAL);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "zz:not-an-addr"));
	assert_int_equal(vfiox_scan_find_dev(e->scan, "", &d), -EINVAL);
	assert_null(d);
	assert_int_equal(vfiox_scan_find_group(e->scan, 999, &g), -ENOENT);
	assert_null(g);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "999"));
	assert_int_equal(vfiox_scan_find_group(e->scan, -1, &g), -ENOENT);
	/* the short form finds domain 0 */
	assert_ptr_equal(env_dev(e, "00:04.0"), vfiox_scan_dev(e->scan, 2));
	env_free(e);
}

static void test_scan_of_a_root_without_pci_is_enoent(void **state)
{
	struct env *e = env_empty(0);
	struct vfiox_scan *scan = NULL;
	char path[4096];

	(void)state;
	env_ctx(e);
	snprintf(path, sizeof(path), "%s/nonexistent", fx_root(e->fx));
	assert_int_equal(vfiox_ctx_set_sysfs_root(e->ctx, path), 0);
	assert_string_equal(vfiox_ctx_sysfs_root(e->ctx), path);
	assert_int_equal(vfiox_scan_new(e->ctx, &scan), -ENOENT);
	assert_null(scan);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), path));
	env_free(e);
}

static void test_empty_tree_scans_to_nothing(void **state)
{
	struct env *e = env_empty(0);

	(void)state;
	env_scan(e);
	assert_int_equal(vfiox_scan_num_devs(e->scan), 0);
	assert_int_equal(vfiox_scan_num_groups(e->scan), 0);
	assert_null(vfiox_scan_dev(e->scan, 0));
	env_free(e);
}

static void test_ctx_roots_and_environment(void **state)
{
	struct vfiox_ctx *ctx = NULL;

	(void)state;
	assert_int_equal(setenv("VFIOX_SYSFS_ROOT", "/tmp/some-sysfs", 1), 0);
	assert_int_equal(setenv("VFIOX_DEV_ROOT", "/tmp/some-dev", 1), 0);
	assert_int_equal(vfiox_ctx_new(&ctx), 0);
	assert_string_equal(vfiox_ctx_sysfs_root(ctx), "/tmp/some-sysfs");
	assert_string_equal(vfiox_ctx_dev_root(ctx), "/tmp/some-dev");
	assert_int_equal(vfiox_ctx_set_sysfs_root(ctx, ""), -EINVAL);
	assert_int_equal(vfiox_ctx_set_dev_root(ctx, ""), -EINVAL);
	assert_string_equal(vfiox_ctx_sysfs_root(ctx), "/tmp/some-sysfs");
	vfiox_ctx_free(ctx);
	unsetenv("VFIOX_SYSFS_ROOT");
	unsetenv("VFIOX_DEV_ROOT");
	assert_int_equal(vfiox_ctx_new(&ctx), 0);
	assert_string_equal(vfiox_ctx_sysfs_root(ctx), "/sys");
	assert_string_equal(vfiox_ctx_dev_root(ctx), "/dev");
	assert_string_equal(vfiox_version(), "0.1.0");
	vfiox_ctx_free(ctx);
	vfiox_ctx_free(NULL);
	vfiox_scan_free(NULL);
}

/* ---- names ---- */

static void test_names_come_from_the_pci_id_database(void **state)
{
	struct env *e = env_scenario("host");
	struct fx_dev unknown = { .addr = "0000:06:00.0", .vendor = 0x1234, .device = 0x11e8,
				  .class_code = 0x500000, .group = 50, .numa = -1 };
	/* subclass ff of class 00 is not in pci.ids: libpci falls back to the base class */
	struct fx_dev edu = { .addr = "0000:06:01.0", .vendor = 0x1234, .device = 0x11e8,
			      .class_code = 0x00ff00, .group = 51, .numa = -1 };
	struct vfiox_pci_dev *d;

	(void)state;
	FX(e, fx_add_dev(e->fx, &unknown));
	FX(e, fx_add_dev(e->fx, &edu));
	env_scan(e);
	d = env_dev(e, "0000:00:04.0");
	assert_str_or_null(vfiox_pci_dev_vendor_name(d), "Red Hat, Inc.");
	assert_str_or_null(vfiox_pci_dev_device_name(d), "QEMU NVM Express Controller");
	assert_str_or_null(vfiox_pci_dev_class_name(d), "Non-Volatile memory controller");
	d = env_dev(e, "0000:00:1f.3");
	assert_str_or_null(vfiox_pci_dev_class_name(d), "SMBus");
	assert_str_or_null(vfiox_pci_dev_device_name(d), "82801I (ICH9 Family) SMBus Controller");
	d = env_dev(e, "0000:03:10.0");
	assert_str_or_null(vfiox_pci_dev_device_name(d), "I350 Ethernet Controller Virtual Function");
	d = env_dev(e, "0000:00:00.0");
	assert_str_or_null(vfiox_pci_dev_subsys_name(d), "Red Hat, Inc. QEMU Virtual Machine");
	d = env_dev(e, "0000:00:1e.0"); /* no subsystem ids */
	assert_null(vfiox_pci_dev_subsys_name(d));
	d = env_dev(e, "0000:06:00.0");
	assert_null(vfiox_pci_dev_vendor_name(d));
	assert_null(vfiox_pci_dev_device_name(d));
	assert_null(vfiox_pci_dev_class_name(d));
	d = env_dev(e, "0000:06:01.0");
	assert_str_or_null(vfiox_pci_dev_class_name(d), "Unclassified device"); /* no " [00ff]" */
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		env_test(test_host_lists_every_device_in_address_order),
		env_test(test_identity_comes_from_uevent),
		env_test(test_semi_transparent_bridge_is_a_bridge),
		env_test(test_bridge_group_holds_bridge_and_endpoints),
		env_test(test_nonviable_group_names_its_blockers),
		env_test(test_driver_rule_matches_the_kernel),
		env_test(test_sriov_links_pf_and_vfs),
		env_test(test_pf_without_enabled_vfs),
		env_test(test_second_domain_sorts_after_the_first),
		env_test(test_no_iommu_lists_devices_without_groups),
		env_test(test_many_devices_come_out_sorted),
		env_test(test_details_of_bound_and_unbound_devices),
		env_test(test_details_are_read_on_first_use_and_kept),
		env_test(test_missing_details_are_minus_one_or_null),
		env_test(test_empty_reset_method_and_override),
		env_test(test_garbage_details_are_minus_one),
		env_test(test_unreadable_details_are_minus_one_or_null),
		env_test(test_unreadable_uevent_falls_back_to_files),
		env_test(test_missing_uevent_unbound_device),
		env_test(test_garbage_uevent_ids_fall_back_to_files),
		env_test(test_uevent_wins_over_id_files),
		env_test(test_device_without_ids_is_skipped_with_a_warning),
		env_test(test_large_tree_read_in_parallel_keeps_order_and_warnings),
		env_test(test_device_without_class_is_skipped_with_a_warning),
		env_test(test_missing_subsystem_ids_are_zero),
		env_test(test_iommu_group_link_variants),
		env_test(test_bus_entries_that_are_not_addresses_are_skipped),
		env_test(test_lookup_errors_name_the_input),
		env_test(test_scan_of_a_root_without_pci_is_enoent),
		env_test(test_empty_tree_scans_to_nothing),
		env_test(test_ctx_roots_and_environment),
		env_test(test_names_come_from_the_pci_id_database),
	};

	return cmocka_run_group_tests_name("scan", tests, NULL, NULL);
}
