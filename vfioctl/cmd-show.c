// SPDX-License-Identifier: GPL-2.0-or-later
/* vfioctl show: everything known about one device or one IOMMU group. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "vfioctl.h"

static const char *const pcie_types[16] = {
	[0] = "Endpoint", [1] = "Legacy Endpoint", [4] = "Root Port",
	[5] = "Upstream Port", [6] = "Downstream Port", [7] = "PCI/PCI-X Bridge",
	[8] = "PCI/PCI-X to PCIe Bridge", [9] = "Root Complex Integrated Endpoint",
	[10] = "Root Complex Event Collector",
};

static const char *pcie_type_name(unsigned int t)
{
	return t < 16 && pcie_types[t] ? pcie_types[t] : "Unknown";
}

struct vfiox_group *device_group(struct vfiox_scan *scan, struct vfiox_pci_dev *dev)
{
	struct vfiox_group *g = NULL;
	int id = vfiox_pci_dev_iommu_group(dev);

	if (id >= 0)
		vfiox_scan_find_group(scan, id, &g);
	return g;
}

/* ------------------------------------------------------------------ JSON */

static void json_caps(struct json *j, struct vfiox_pci_dev *dev)
{
	const struct vfiox_pci_cap *caps;
	struct vfiox_msix_info msix;
	struct vfiox_msi_info msi;
	struct vfiox_pcie_info pcie;
	struct vfiox_acs_info acs;
	size_t i, n;

	if (vfiox_pci_dev_caps(dev, &caps, &n)) {
		json_null(j, "capabilities");
		json_null(j, "msi");
		json_null(j, "msix");
		json_null(j, "pcie");
		json_null(j, "acs");
		return;
	}
	json_arr_open(j, "capabilities");
	for (i = 0; i < n; i++) {
		json_obj_open(j, NULL);
		json_strf(j, "id", "%02x", caps[i].id);
		json_str(j, "name", vfiox_pci_cap_name(&caps[i]));
		json_strf(j, "offset", "%02x", caps[i].offset);
		json_bool(j, "extended", caps[i].extended);
		json_obj_close(j);
	}
	json_arr_close(j);
	if (!vfiox_pci_dev_msi(dev, &msi)) {
		json_obj_open(j, "msi");
		json_int(j, "vectors", msi.vectors);
		json_bool(j, "addr64", msi.addr64);
		json_bool(j, "per_vector_mask", msi.per_vector_mask);
		json_bool(j, "enabled", msi.enabled);
		json_obj_close(j);
	} else {
		json_null(j, "msi");
	}
	if (!vfiox_pci_dev_msix(dev, &msix)) {
		json_obj_open(j, "msix");
		json_int(j, "table_size", msix.table_size);
		json_int(j, "table_bir", msix.table_bir);
		json_strf(j, "table_offset", "0x%x", msix.table_offset);
		json_int(j, "pba_bir", msix.pba_bir);
		json_strf(j, "pba_offset", "0x%x", msix.pba_offset);
		json_bool(j, "enabled", msix.enabled);
		json_bool(j, "masked", msix.masked);
		json_obj_close(j);
	} else {
		json_null(j, "msix");
	}
	if (!vfiox_pci_dev_pcie(dev, &pcie)) {
		json_obj_open(j, "pcie");
		json_int(j, "port_type", pcie.port_type);
		json_str(j, "port_type_name", pcie_type_name(pcie.port_type));
		json_bool(j, "flr", pcie.flr);
		json_int(j, "link_speed", pcie.link_speed);
		json_int(j, "link_width", pcie.link_width);
		json_obj_close(j);
	} else {
		json_null(j, "pcie");
	}
	if (!vfiox_pci_dev_acs(dev, &acs)) {
		json_obj_open(j, "acs");
		json_strf(j, "cap", "%04x", acs.cap);
		json_strf(j, "ctrl", "%04x", acs.ctrl);
		json_obj_close(j);
	} else {
		json_null(j, "acs");
	}
}

void json_reset_methods(struct json *j, const char *methods)
{
	char *copy, *tok, *save = NULL;

	if (!methods) {
		json_null(j, "reset_method");
		return;
	}
	json_arr_open(j, "reset_method");
	copy = strdup(methods);
	for (tok = copy ? strtok_r(copy, " ", &save) : NULL; tok; tok = strtok_r(NULL, " ", &save))
		json_str(j, NULL, tok);
	free(copy);
	json_arr_close(j);
}

static void show_device_json(struct vfiox_scan *scan, struct vfiox_pci_dev *dev,
			     const char *vf_token, int backend)
{
	struct vfiox_group *g = device_group(scan, dev);
	struct vfiox_pci_dev *pf = vfiox_pci_dev_physfn(dev);
	int rev = vfiox_pci_dev_revision(dev), numa = vfiox_pci_dev_numa_node(dev);
	int vga = vfiox_pci_dev_boot_vga(dev);
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_device_brief(&j, vfiox_scan_ctx(scan), NULL, dev, "show-device");
	if (rev >= 0)
		json_strf(&j, "revision", "%02x", rev);
	else
		json_null(&j, "revision");
	json_str(&j, "subsystem", vfiox_pci_dev_subsys_name(dev));
	json_str(&j, "driver_override", vfiox_pci_dev_driver_override(dev));
	json_int_or_null(&j, "numa_node", numa, numa >= 0);
	json_reset_methods(&j, vfiox_pci_dev_reset_method(dev));
	if (vga >= 0)
		json_bool(&j, "boot_vga", vga);
	else
		json_null(&j, "boot_vga");
	json_str(&j, "physfn", pf ? vfiox_pci_dev_name(pf) : NULL);
	if (vfiox_pci_dev_sriov_totalvfs(dev) >= 0) {
		json_obj_open(&j, "sriov");
		json_int(&j, "totalvfs", vfiox_pci_dev_sriov_totalvfs(dev));
		json_int(&j, "numvfs", vfiox_pci_dev_sriov_numvfs(dev));
		json_arr_open(&j, "vfs");
		for (i = 0; i < vfiox_pci_dev_num_vfs(dev); i++)
			json_str(&j, NULL, vfiox_pci_dev_name(vfiox_pci_dev_vf(dev, i)));
		json_arr_close(&j);
		json_obj_close(&j);
	} else {
		json_null(&j, "sriov");
	}
	json_caps(&j, dev);
	if (g) {
		json_obj_open(&j, "group");
		json_int(&j, "group", vfiox_group_id(g));
		json_bool(&j, "viable", vfiox_group_viable(g));
		json_blockers(&j, g);
		json_arr_open(&j, "devices");
		for (i = 0; i < vfiox_group_num_devs(g); i++)
			json_str(&j, NULL, vfiox_pci_dev_name(vfiox_group_dev(g, i)));
		json_arr_close(&j);
		json_obj_close(&j);
	} else {
		json_null(&j, "group");
	}
	vfio_view_device(vfiox_scan_ctx(scan), g, dev, vf_token, backend, &j);
	json_obj_close(&j);
	json_end(&j);
}

static void show_group_json(struct vfiox_ctx *ctx, struct vfiox_group *g, int backend)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_obj_open(&j, NULL);
	json_schema(&j, "show-group");
	json_int(&j, "group", vfiox_group_id(g));
	json_bool(&j, "viable", vfiox_group_viable(g));
	json_blockers(&j, g);
	json_arr_open(&j, "devices");
	for (i = 0; i < vfiox_group_num_devs(g); i++) {
		json_device_brief(&j, ctx, NULL, vfiox_group_dev(g, i), NULL);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	vfio_view_group(ctx, g, backend, &j);
	json_obj_close(&j);
	json_end(&j);
}

/* ------------------------------------------------------------------ human */

#define FIELD "  %-17s "

static void print_viability(const struct vfiox_group *g)
{
	size_t i, n = vfiox_group_num_blockers(g);

	if (!n) {
		printf("viable\n");
		return;
	}
	printf("NOT viable\n");
	for (i = 0; i < n; i++) {
		struct vfiox_pci_dev *b = vfiox_group_blocker(g, i);

		printf(FIELD "%s is bound to %s: unbind it or bind it to vfio-pci\n", "",
		       vfiox_pci_dev_name(b), vfiox_pci_dev_driver(b));
	}
}

static void print_caps(struct vfiox_ctx *ctx, struct vfiox_pci_dev *dev)
{
	const struct vfiox_pci_cap *caps;
	struct vfiox_msix_info msix;
	struct vfiox_msi_info msi;
	struct vfiox_pcie_info pcie;
	struct vfiox_sriov_info sriov;
	size_t i, n;

	if (vfiox_pci_dev_caps(dev, &caps, &n)) {
		printf(FIELD "unavailable: %s\n", "Capabilities:", vfiox_ctx_last_error(ctx));
		return;
	}
	if (!n)
		printf(FIELD "none\n", "Capabilities:");
	for (i = 0; i < n; i++) {
		char off[16], detail[160] = "";

		snprintf(off, sizeof(off), "[%x]", caps[i].offset);
		if (!caps[i].extended && caps[i].id == 0x11 && !vfiox_pci_dev_msix(dev, &msix))
			snprintf(detail, sizeof(detail),
				 ": %u vectors, table BAR%u+0x%x, PBA BAR%u+0x%x%s",
				 msix.table_size, msix.table_bir, msix.table_offset, msix.pba_bir,
				 msix.pba_offset, msix.enabled ? ", enabled" : "");
		else if (!caps[i].extended && caps[i].id == 0x05 && !vfiox_pci_dev_msi(dev, &msi))
			snprintf(detail, sizeof(detail), ": %u vector%s, %s-bit%s%s", msi.vectors,
				 msi.vectors == 1 ? "" : "s", msi.addr64 ? "64" : "32",
				 msi.per_vector_mask ? ", maskable" : "",
				 msi.enabled ? ", enabled" : "");
		else if (!caps[i].extended && caps[i].id == 0x10 && !vfiox_pci_dev_pcie(dev, &pcie))
			snprintf(detail, sizeof(detail), ": %s%s", pcie_type_name(pcie.port_type),
				 pcie.flr ? ", FLR" : "");
		else if (caps[i].extended && caps[i].id == 0x10 && !vfiox_pci_dev_sriov(dev, &sriov))
			snprintf(detail, sizeof(detail),
				 ": %u/%u VFs, offset %u, stride %u, VF device %04x",
				 sriov.num_vfs, sriov.total_vfs, sriov.vf_offset, sriov.vf_stride,
				 sriov.vf_device_id);
		printf(FIELD "%-6s %s%s\n", i ? "" : "Capabilities:", off,
		       vfiox_pci_cap_name(&caps[i]), detail);
	}
}

static void show_device_human(struct vfiox_scan *scan, struct vfiox_pci_dev *dev,
			      const char *vf_token, int backend)
{
	struct vfiox_ctx *ctx = vfiox_scan_ctx(scan);
	struct vfiox_group *g = device_group(scan, dev);
	struct vfiox_pci_dev *pf = vfiox_pci_dev_physfn(dev);
	const char *s, *drv;
	int rev = vfiox_pci_dev_revision(dev), v;
	size_t i;

	printf("%s %s [%04x]: %s %s [%04x:%04x]", vfiox_pci_dev_name(dev),
	       or_dash(vfiox_pci_dev_class_name(dev)), vfiox_pci_dev_class(dev) >> 8,
	       vfiox_pci_dev_vendor_name(dev) ? vfiox_pci_dev_vendor_name(dev) : "Unknown vendor",
	       vfiox_pci_dev_device_name(dev) ? vfiox_pci_dev_device_name(dev) : "unknown device",
	       vfiox_pci_dev_vendor_id(dev), vfiox_pci_dev_device_id(dev));
	if (rev >= 0)
		printf(" (rev %02x)", rev);
	printf("\n");
	if (vfiox_pci_dev_subsys_vendor_id(dev) || vfiox_pci_dev_subsys_device_id(dev))
		printf(FIELD "%s [%04x:%04x]\n", "Subsystem:", or_dash(vfiox_pci_dev_subsys_name(dev)),
		       vfiox_pci_dev_subsys_vendor_id(dev), vfiox_pci_dev_subsys_device_id(dev));
	printf(FIELD "%06x%s\n", "Class code:", vfiox_pci_dev_class(dev),
	       vfiox_pci_dev_is_bridge(dev) ? " (bridge)" : "");
	printf(FIELD "%s\n", "Driver:", vfiox_pci_dev_driver(dev) ? vfiox_pci_dev_driver(dev)
								  : "none");
	printf(FIELD "%s\n", "Driver override:", or_dash(vfiox_pci_dev_driver_override(dev)));
	drv = vfiox_pci_dev_driver(dev);
	if (drv && strstr(drv, "vfio")) {
		char cdev[4096], why[600];

		if (device_cdev(ctx, dev, cdev, sizeof(cdev), why, sizeof(why)))
			printf(FIELD "none: %s\n", "VFIO cdev:", why);
		else
			printf(FIELD "%s\n", "VFIO cdev:", cdev);
	}
	if (g) {
		printf(FIELD "%d, ", "IOMMU group:", vfiox_group_id(g));
		print_viability(g);
		printf(FIELD, "Group members:");
		for (i = 0; i < vfiox_group_num_devs(g); i++) {
			struct vfiox_pci_dev *m = vfiox_group_dev(g, i);

			printf("%s%s (%s)", i ? ", " : "", vfiox_pci_dev_name(m),
			       vfiox_pci_dev_driver(m) ? vfiox_pci_dev_driver(m) : "no driver");
		}
		printf("\n");
	} else {
		printf(FIELD "none (the IOMMU is off: see 'vfioctl list')\n", "IOMMU group:");
	}
	v = vfiox_pci_dev_numa_node(dev);
	if (v >= 0)
		printf(FIELD "%d\n", "NUMA node:", v);
	else
		printf(FIELD "-\n", "NUMA node:");
	s = vfiox_pci_dev_reset_method(dev);
	printf(FIELD "%s\n", "Reset methods:", !s ? "- (not reported)" : *s ? s : "none");
	v = vfiox_pci_dev_boot_vga(dev);
	if (v >= 0)
		printf(FIELD "%s\n", "Boot VGA:", v ? "yes (firmware console)" : "no");
	if (pf)
		printf(FIELD "virtual function of %s\n", "SR-IOV:", vfiox_pci_dev_name(pf));
	if (vfiox_pci_dev_sriov_totalvfs(dev) >= 0) {
		printf(FIELD "physical function, %d of %d VFs enabled", "SR-IOV:",
		       vfiox_pci_dev_sriov_numvfs(dev), vfiox_pci_dev_sriov_totalvfs(dev));
		for (i = 0; i < vfiox_pci_dev_num_vfs(dev); i++)
			printf("%s%s", i ? ", " : ": ", vfiox_pci_dev_name(vfiox_pci_dev_vf(dev, i)));
		printf("\n");
	}
	print_caps(ctx, dev);
	vfio_view_device(ctx, g, dev, vf_token, backend, NULL);
}

static void show_group_human(struct vfiox_ctx *ctx, struct vfiox_group *g, int backend)
{
	struct table t;
	size_t i;

	printf("IOMMU group %d: ", vfiox_group_id(g));
	if (vfiox_group_viable(g)) {
		printf("viable, %zu device%s\n", vfiox_group_num_devs(g),
		       vfiox_group_num_devs(g) == 1 ? "" : "s");
	} else {
		printf("NOT viable\n");
		for (i = 0; i < vfiox_group_num_blockers(g); i++) {
			struct vfiox_pci_dev *b = vfiox_group_blocker(g, i);

			printf("  %s is bound to %s: unbind it or bind it to vfio-pci\n",
			       vfiox_pci_dev_name(b), vfiox_pci_dev_driver(b));
		}
	}
	table_init(&t, 5);
	for (i = 0; i < vfiox_group_num_devs(g); i++) {
		struct vfiox_pci_dev *dev = vfiox_group_dev(g, i);
		char ids[16];

		snprintf(ids, sizeof(ids), "[%04x:%04x]", vfiox_pci_dev_vendor_id(dev),
			 vfiox_pci_dev_device_id(dev));
		table_add(&t, vfiox_pci_dev_name(dev), ids, vfiox_pci_dev_driver(dev),
			  vfiox_pci_dev_class_name(dev), vfiox_pci_dev_device_name(dev));
	}
	table_print(&t, stdout, "  ");
	table_free(&t);
	vfio_view_group(ctx, g, backend, NULL);
}

/* A target is a group when it is all decimal digits, a device otherwise. */
static bool is_group_number(const char *s, int *id)
{
	char *end;
	long v;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	v = strtol(s, &end, 10);
	if (v > 0x7fffffff)
		return false;
	*id = (int)v;
	return true;
}

static int run_show(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "vf-token", required_argument, NULL, 't' },
		{ "backend", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct vfiox_scan *scan;
	const char *vf_token = NULL, *backend_arg = NULL;
	bool json = false;
	const char *target;
	int c, ret, id, backend;

	while ((c = getopt_long(argc, argv, "jt:B:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 't':
			vf_token = optarg;
			break;
		case 'B':
			backend_arg = optarg;
			break;
		default:
			return verb_option_end(&cmd_show, c, argv);
		}
	}
	if (optind >= argc)
		return usage_error(&cmd_show, "which device or group? (a PCI address or a group number)");
	if (argc - optind > 1)
		return usage_error(&cmd_show, "one device or group at a time ('%s' is extra)",
				   argv[optind + 1]);
	target = argv[optind];
	if (backend_option(&cmd_show, backend_arg, &backend))
		return EXIT_USAGE;

	ret = vfiox_scan_new(ctx, &scan);
	if (ret)
		return lib_error(ctx, "scanning PCI devices", ret);
	if (is_group_number(target, &id)) {
		struct vfiox_group *g;

		ret = vfiox_scan_find_group(scan, id, &g);
		if (ret) {
			ret = lib_error(ctx, target, ret);
		} else {
			json ? show_group_json(ctx, g, backend) : show_group_human(ctx, g, backend);
			ret = EXIT_OK;
		}
	} else {
		struct vfiox_pci_dev *dev;

		ret = vfiox_scan_find_dev(scan, target, &dev);
		if (ret) {
			ret = lib_error(ctx, target, ret);
		} else {
			json ? show_device_json(scan, dev, vf_token, backend)
			     : show_device_human(scan, dev, vf_token, backend);
			ret = EXIT_OK;
		}
	}
	vfiox_scan_free(scan);
	return ret;
}

const struct cmd cmd_show = {
	.name = "show",
	.args = "[--json] [--vf-token UUID] [--backend auto|type1|iommufd] DEVICE|GROUP",
	.summary = "show everything known about a PCI device or an IOMMU group",
	.help = "  DEVICE         PCI address: 0000:03:00.0, or 03:00.0 for domain 0\n"
		"  GROUP          IOMMU group number, as in /dev/vfio/N\n"
		"  --vf-token UUID  the VF token, for a VF whose PF is bound to vfio-pci\n"
		"  --backend B    open it over B: auto (the default, or $VFIOX_BACKEND), type1\n"
		"                 (/dev/vfio/vfio and the group) or iommufd (/dev/iommu, the cdev)\n"
		"  --json         machine-readable output (schema vfioctl/show-device/1 or\n"
		"                 vfioctl/show-group/1, see vfioctl-json(7))\n"
		"For a device bound to vfio-pci (and its viable group) show also opens it\n"
		"through VFIO and reports the backend, the IOMMU, regions and interrupts the\n"
		"kernel gives.\n",
	.run = run_show,
};
