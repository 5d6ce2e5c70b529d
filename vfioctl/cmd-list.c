// SPDX-License-Identifier: GPL-2.0-or-later
/* vfioctl list: IOMMU groups with their devices. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "vfioctl.h"

struct list_filter {
	const char *driver;
	uint32_t class_value;
	int class_digits; /* 0: no class filter */
	int group;        /* -1: all */
};

static bool dev_matches(const struct list_filter *f, const struct vfiox_pci_dev *dev)
{
	if (f->driver) {
		const char *drv = vfiox_pci_dev_driver(dev);

		if (!strcmp(f->driver, "none") ? drv != NULL : (!drv || strcmp(drv, f->driver)))
			return false;
	}
	if (f->class_digits &&
	    vfiox_pci_dev_class(dev) >> (4 * (6 - f->class_digits)) != f->class_value)
		return false;
	if (f->group >= 0 && vfiox_pci_dev_iommu_group(dev) != f->group)
		return false;
	return true;
}

static int parse_class(const char *s, struct list_filter *f)
{
	char *end;
	size_t n;

	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	n = strlen(s);
	if (n != 2 && n != 4 && n != 6)
		return -1;
	f->class_value = (uint32_t)strtoul(s, &end, 16);
	if (*end)
		return -1;
	f->class_digits = (int)n;
	return 0;
}

/* A device on a VFIO driver with a cdev: "vfio-pci (/dev/vfio/devices/vfio0)". */
static void device_row(struct table *t, struct vfiox_ctx *ctx, struct vfiox_pci_dev *dev)
{
	char ids[16], name[512], drv[4200], cdev[4096];
	const char *vendor = vfiox_pci_dev_vendor_name(dev);
	const char *device = vfiox_pci_dev_device_name(dev);
	const char *d = vfiox_pci_dev_driver(dev);

	snprintf(ids, sizeof(ids), "[%04x:%04x]", vfiox_pci_dev_vendor_id(dev),
		 vfiox_pci_dev_device_id(dev));
	snprintf(name, sizeof(name), "%s %s", vendor ? vendor : "Unknown vendor",
		 device ? device : "unknown device");
	if (d && strstr(d, "vfio") && !device_cdev(ctx, dev, cdev, sizeof(cdev), NULL, 0))
		snprintf(drv, sizeof(drv), "%s (%s)", d, cdev);
	else
		snprintf(drv, sizeof(drv), "%s", d ? d : "-");
	table_add(t, vfiox_pci_dev_name(dev), ids, drv, vfiox_pci_dev_class_name(dev), name);
}

static void print_group_heading(const struct vfiox_group *g)
{
	size_t i, n = vfiox_group_num_blockers(g);

	printf("IOMMU group %d: ", vfiox_group_id(g));
	if (!n) {
		printf("viable\n");
		return;
	}
	printf("NOT viable (");
	for (i = 0; i < n; i++) {
		struct vfiox_pci_dev *b = vfiox_group_blocker(g, i);

		printf("%s%s bound to %s", i ? ", " : "", vfiox_pci_dev_name(b),
		       vfiox_pci_dev_driver(b));
	}
	printf(")\n");
}

static void print_iommu_off_hint(FILE *f)
{
	fputs("\nThis host has no IOMMU groups: the IOMMU is off or missing, so no device can be\n"
	      "assigned with VFIO. To enable it:\n"
	      "  - in the firmware setup, turn on VT-d (Intel) or AMD-Vi / IOMMU (AMD);\n"
	      "  - on the kernel command line, add intel_iommu=on (Intel; AMD's IOMMU is on by\n"
	      "    default, amd_iommu=on where it is not), e.g. in GRUB_CMDLINE_LINUX of\n"
	      "    /etc/default/grub, then update-grub and reboot;\n"
	      "  - afterwards /sys/kernel/iommu_groups lists the groups.\n", f);
}

static int list_human(struct vfiox_scan *scan, const struct list_filter *f)
{
	size_t gi, i, shown = 0, ngroups = vfiox_scan_num_groups(scan);
	struct table t;

	for (gi = 0; gi < ngroups; gi++) {
		struct vfiox_group *g = vfiox_scan_group(scan, gi);

		table_init(&t, 5);
		for (i = 0; i < vfiox_group_num_devs(g); i++) {
			struct vfiox_pci_dev *dev = vfiox_group_dev(g, i);

			if (dev_matches(f, dev))
				device_row(&t, vfiox_scan_ctx(scan), dev);
		}
		if (t.nrows || (!f->driver && !f->class_digits && f->group < 0)) {
			printf("%s", shown++ ? "\n" : "");
			print_group_heading(g);
			table_print(&t, stdout, "  ");
		}
		table_free(&t);
	}
	if (f->group < 0) {
		table_init(&t, 5);
		for (i = 0; i < vfiox_scan_num_devs(scan); i++) {
			struct vfiox_pci_dev *dev = vfiox_scan_dev(scan, i);

			if (vfiox_pci_dev_iommu_group(dev) < 0 && dev_matches(f, dev))
				device_row(&t, vfiox_scan_ctx(scan), dev);
		}
		if (t.nrows) {
			printf("%sNo IOMMU group:\n", shown++ ? "\n" : "");
			table_print(&t, stdout, "  ");
		}
		table_free(&t);
	}
	if (!ngroups)
		print_iommu_off_hint(stdout);
	else if (!shown)
		printf("No device matches.\n");
	return EXIT_OK;
}

static int list_json(struct vfiox_scan *scan, const struct list_filter *f)
{
	size_t gi, i, ngroups = vfiox_scan_num_groups(scan);
	struct json j;

	json_init(&j, stdout);
	json_obj_open(&j, NULL);
	json_schema(&j, "list");
	json_bool(&j, "iommu", ngroups > 0);
	json_arr_open(&j, "groups");
	for (gi = 0; gi < ngroups; gi++) {
		struct vfiox_group *g = vfiox_scan_group(scan, gi);
		bool opened = false;

		for (i = 0; i < vfiox_group_num_devs(g); i++) {
			struct vfiox_pci_dev *dev = vfiox_group_dev(g, i);

			if (!dev_matches(f, dev))
				continue;
			if (!opened) {
				json_obj_open(&j, NULL);
				json_int(&j, "group", vfiox_group_id(g));
				json_bool(&j, "viable", vfiox_group_viable(g));
				json_blockers(&j, g);
				json_arr_open(&j, "devices");
				opened = true;
			}
			json_device_brief(&j, vfiox_scan_ctx(scan), NULL, dev, NULL);
			json_obj_close(&j);
		}
		if (!opened && !f->driver && !f->class_digits && f->group < 0) {
			/* A group of non-PCI devices only: still a group. */
			json_obj_open(&j, NULL);
			json_int(&j, "group", vfiox_group_id(g));
			json_bool(&j, "viable", vfiox_group_viable(g));
			json_blockers(&j, g);
			json_arr_open(&j, "devices");
			opened = true;
		}
		if (opened) {
			json_arr_close(&j);
			json_obj_close(&j);
		}
	}
	json_arr_close(&j);
	json_arr_open(&j, "ungrouped");
	for (i = 0; f->group < 0 && i < vfiox_scan_num_devs(scan); i++) {
		struct vfiox_pci_dev *dev = vfiox_scan_dev(scan, i);

		if (vfiox_pci_dev_iommu_group(dev) < 0 && dev_matches(f, dev)) {
			json_device_brief(&j, vfiox_scan_ctx(scan), NULL, dev, NULL);
			json_obj_close(&j);
		}
	}
	json_arr_close(&j);
	json_obj_close(&j);
	json_end(&j);
	if (!ngroups)
		print_iommu_off_hint(stderr);
	return EXIT_OK;
}

static int run_list(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "driver", required_argument, NULL, 'd' },
		{ "class", required_argument, NULL, 'c' },
		{ "group", required_argument, NULL, 'g' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct list_filter f = { .group = -1 };
	struct vfiox_scan *scan;
	bool json = false;
	char *end;
	long v;
	int c, ret;

	while ((c = getopt_long(argc, argv, "d:c:g:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			f.driver = optarg;
			break;
		case 'c':
			if (parse_class(optarg, &f))
				return usage_error(&cmd_list,
						   "--class '%s': expected 2, 4 or 6 hex digits "
						   "(base class, +subclass, +interface), e.g. 02 or 0108",
						   optarg);
			break;
		case 'g':
			v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 0 || v > 0x7fffffff)
				return usage_error(&cmd_list,
						   "--group '%s': expected a group number", optarg);
			f.group = (int)v;
			break;
		case 'j':
			json = true;
			break;
		default:
			return verb_option_end(&cmd_list, c, argv);
		}
	}
	if (optind < argc)
		return usage_error(&cmd_list, "unexpected argument '%s'", argv[optind]);

	ret = vfiox_scan_new(ctx, &scan);
	if (ret)
		return lib_error(ctx, "scanning PCI devices", ret);
	if (f.group >= 0) {
		struct vfiox_group *g;

		if (vfiox_scan_find_group(scan, f.group, &g)) {
			ret = lib_error(ctx, "finding the group", -ENOENT);
			vfiox_scan_free(scan);
			return ret;
		}
	}
	ret = json ? list_json(scan, &f) : list_human(scan, &f);
	vfiox_scan_free(scan);
	return ret;
}

const struct cmd cmd_list = {
	.name = "list",
	.args = "[--driver NAME] [--class HEX] [--group N] [--json]",
	.summary = "list IOMMU groups and their devices, with drivers and viability",
	.help = "  --driver NAME  only devices bound to NAME ('none': unbound devices)\n"
		"  --class HEX    only devices whose class starts with HEX: 2, 4 or 6 digits\n"
		"                 (02 network, 0108 NVMe, 0300 VGA, 010802 NVMe interface)\n"
		"  --group N      only IOMMU group N\n"
		"  --json         JSON output (schema vfioctl/list/1, see vfioctl-json(7))\n",
	.run = run_list,
};
