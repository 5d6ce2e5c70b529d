// SPDX-License-Identifier: GPL-2.0-or-later
/* vfioctl bind / restore: hand devices to vfio-pci and put them back from the journal. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "vfioctl.h"

#define MAX_GROUPS 64

static int add_group_id(int *ids, size_t *n, int id)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (ids[i] == id)
			return 0;
	if (*n >= MAX_GROUPS)
		return -ENOSPC;
	ids[(*n)++] = id;
	return 0;
}

static void print_plan(struct vfiox_bind_plan *plan, bool dry_run, struct json *j)
{
	size_t i, n = vfiox_bind_plan_num_devs(plan);

	if (j) {
		json_arr_open(j, "devices");
		for (i = 0; i < n; i++) {
			struct vfiox_pci_dev *dev = vfiox_bind_plan_dev(plan, i);

			json_obj_open(j, NULL);
			json_str(j, "address", vfiox_pci_dev_name(dev));
			json_str(j, "driver_before", vfiox_pci_dev_driver(dev));
			json_int(j, "iommu_group", vfiox_pci_dev_iommu_group(dev));
			json_str(j, "note", vfiox_bind_plan_dev_note(plan, i));
			json_obj_close(j);
		}
		json_arr_close(j);
		json_arr_open(j, "steps");
		for (i = 0; i < vfiox_bind_plan_num_steps(plan); i++)
			json_str(j, NULL, vfiox_bind_plan_step(plan, i));
		json_arr_close(j);
		return;
	}
	for (i = 0; i < n; i++) {
		const char *note = vfiox_bind_plan_dev_note(plan, i);

		if (note)
			printf("%s: %s, nothing to do\n",
			       vfiox_pci_dev_name(vfiox_bind_plan_dev(plan, i)), note);
	}
	if (!dry_run)
		return;
	if (!vfiox_bind_plan_num_steps(plan)) {
		printf("plan: nothing to write\n");
		return;
	}
	printf("plan (%zu writes; each device is journaled before its first):\n",
	       vfiox_bind_plan_num_steps(plan));
	for (i = 0; i < vfiox_bind_plan_num_steps(plan); i++)
		printf("  %2zu. %s\n", i + 1, vfiox_bind_plan_step(plan, i));
}

/* After the bind: where each device is now and whether its group can be used. */
static int report_after(struct vfiox_ctx *ctx, struct vfiox_bind_plan *plan, const int *ids,
			size_t nids, struct json *j)
{
	struct vfiox_scan *scan;
	size_t i, k;
	int ret = EXIT_OK;

	if (vfiox_scan_new(ctx, &scan))
		return lib_error(ctx, "scan", -EIO);
	if (!j)
		for (i = 0; i < vfiox_bind_plan_num_devs(plan); i++) {
			struct vfiox_pci_dev *old = vfiox_bind_plan_dev(plan, i), *dev;

			if (vfiox_bind_plan_dev_note(plan, i) ||
			    vfiox_scan_find_dev(scan, vfiox_pci_dev_name(old), &dev))
				continue;
			printf("%s: bound to %s (was %s)\n", vfiox_pci_dev_name(dev),
			       or_dash(vfiox_pci_dev_driver(dev)),
			       vfiox_pci_dev_driver(old) ? vfiox_pci_dev_driver(old) : "no driver");
		}
	if (j)
		json_arr_open(j, "groups");
	for (k = 0; k < nids; k++) {
		struct vfiox_group *g;
		char node[4200];

		snprintf(node, sizeof(node), "%s/vfio/%d", vfiox_ctx_dev_root(ctx), ids[k]);
		if (vfiox_scan_find_group(scan, ids[k], &g))
			continue;
		if (j) {
			json_obj_open(j, NULL);
			json_int(j, "group", ids[k]);
			json_bool(j, "viable", vfiox_group_viable(g));
			json_str(j, "node", node);
			json_blockers(j, g);
			json_obj_close(j);
			continue;
		}
		if (vfiox_group_viable(g)) {
			printf("IOMMU group %d: viable, %s\n", ids[k], node);
			continue;
		}
		printf("IOMMU group %d: NOT viable:", ids[k]);
		for (i = 0; i < vfiox_group_num_blockers(g); i++) {
			struct vfiox_pci_dev *b = vfiox_group_blocker(g, i);

			printf(" %s (%s)", vfiox_pci_dev_name(b), or_dash(vfiox_pci_dev_driver(b)));
		}
		printf("; bind %s too, or 'vfioctl bind --group %d'\n",
		       vfiox_group_num_blockers(g) == 1 ? "it" : "them", ids[k]);
		ret = EXIT_FAIL;
	}
	if (j)
		json_arr_close(j);
	vfiox_scan_free(scan);
	return ret;
}

static int run_bind(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "persist", no_argument, NULL, 'p' },
		{ "driver", required_argument, NULL, 'D' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int gids[MAX_GROUPS], ids[MAX_GROUPS];
	size_t ngids = 0, nids = 0, i;
	const char *driver = NULL;
	struct vfiox_bind_plan *plan = NULL;
	struct vfiox_scan *scan = NULL;
	unsigned int flags = 0;
	long timeout = -1;
	bool json = false;
	struct json j;
	char *end;
	int c, ret, rc = EXIT_FAIL;

	while ((c = getopt_long(argc, argv, "g:nfpD:t:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			errno = 0;
			gids[ngids] = (int)strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || gids[ngids] < 0)
				return usage_error(&cmd_bind, "--group needs a group number, not "
						   "'%s'", optarg);
			if (++ngids == MAX_GROUPS)
				return usage_error(&cmd_bind, "at most %d groups", MAX_GROUPS - 1);
			break;
		case 'n':
			flags |= VFIOX_BIND_DRY_RUN;
			break;
		case 'f':
			flags |= VFIOX_BIND_FORCE;
			break;
		case 'p':
			flags |= VFIOX_BIND_PERSIST;
			break;
		case 'D':
			driver = optarg;
			break;
		case 't':
			errno = 0;
			timeout = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || timeout < 0 || timeout > 3600000)
				return usage_error(&cmd_bind, "--timeout needs milliseconds, not "
						   "'%s'", optarg);
			break;
		case 'j':
			json = true;
			break;
		default:
			return verb_option_end(&cmd_bind, c, argv);
		}
	}
	if (optind == argc && !ngids)
		return usage_error(&cmd_bind, "name a device or --group N");
	for (i = optind; i < (size_t)argc; i++) {
		struct vfiox_pci_addr a;

		if (vfiox_pci_addr_parse(argv[i], &a))
			return usage_error(&cmd_bind, "'%s' is not a PCI address "
					   "(DDDD:BB:DD.F)", argv[i]);
	}
	if (vfiox_scan_new(ctx, &scan))
		return lib_error(ctx, "scan", -EIO);
	if (vfiox_bind_plan_new(scan, driver, &plan)) {
		rc = lib_error(ctx, "bind", -EINVAL);
		goto out_free;
	}
	for (i = optind; i < (size_t)argc; i++) {
		struct vfiox_pci_dev *dev;

		if (vfiox_scan_find_dev(scan, argv[i], &dev)) {
			err_msg("no PCI device %s here; 'vfioctl list' shows the devices", argv[i]);
			goto out_free;
		}
		if (vfiox_bind_plan_add_dev(plan, dev)) {
			rc = lib_error(ctx, "bind", -EINVAL);
			goto out_free;
		}
		if (add_group_id(ids, &nids, vfiox_pci_dev_iommu_group(dev))) {
			rc = usage_error(&cmd_bind, "more than %d IOMMU groups in one call: "
					 "split it", MAX_GROUPS);
			goto out_free;
		}
	}
	for (i = 0; i < ngids; i++) {
		struct vfiox_group *g;

		if (vfiox_scan_find_group(scan, gids[i], &g)) {
			err_msg("no IOMMU group %d here; 'vfioctl list --groups' shows them",
				gids[i]);
			goto out_free;
		}
		if (vfiox_bind_plan_add_group(plan, g)) {
			rc = lib_error(ctx, "bind", -EINVAL);
			goto out_free;
		}
		if (add_group_id(ids, &nids, gids[i])) {
			rc = usage_error(&cmd_bind, "more than %d IOMMU groups in one call: "
					 "split it", MAX_GROUPS);
			goto out_free;
		}
	}
	vfiox_bind_plan_set_step_cb(plan, test_stop_hook, NULL);
	/*
	 * Refusals (in use, part of a group) come before anything is printed. With --force
	 * there are none, and the run itself says what will break (once).
	 */
	ret = 0;
	if ((flags & VFIOX_BIND_DRY_RUN) || !(flags & VFIOX_BIND_FORCE))
		ret = vfiox_bind_plan_run(plan, flags | VFIOX_BIND_DRY_RUN, 0);
	if (ret) {
		rc = lib_error(ctx, "bind", ret);
		goto out_free;
	}
	if (json) {
		json_init(&j, stdout);
		json_obj_open(&j, NULL);
		json_schema(&j, "bind");
		json_bool(&j, "dry_run", flags & VFIOX_BIND_DRY_RUN);
	}
	print_plan(plan, flags & VFIOX_BIND_DRY_RUN, json ? &j : NULL);
	if (flags & VFIOX_BIND_DRY_RUN) {
		rc = EXIT_OK;
		goto out_json;
	}
	ret = vfiox_bind_plan_run(plan, flags, (int)timeout);
	if (ret) {
		rc = lib_error(ctx, "bind", ret);
		if (json)
			json_str(&j, "error", vfiox_ctx_last_error(ctx));
		goto out_json;
	}
	rc = report_after(ctx, plan, ids, nids, json ? &j : NULL);
	if (flags & VFIOX_BIND_PERSIST && !json)
		printf("persistent: udev rules in %s/udev/rules.d/61-vfioctl-*.rules\n",
		       vfiox_ctx_etc_root(ctx));
out_json:
	if (json) {
		json_obj_close(&j);
		if (!json_end(&j))
			rc = EXIT_FAIL;
	}
out_free:
	vfiox_bind_plan_free(plan);
	vfiox_scan_free(scan);
	return rc;
}

static int run_restore(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool all = false;
	size_t n = 0;
	int c, i, ret, rc = EXIT_OK;

	while ((c = getopt_long(argc, argv, "ah", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		default:
			return verb_option_end(&cmd_restore, c, argv);
		}
	}
	if (all == (optind < argc))
		return usage_error(&cmd_restore, "name devices or give --all (not both)");
	if (all) {
		ret = vfiox_bind_restore_all(ctx, &n);
		if (ret)
			return lib_error(ctx, "restore", ret);
		printf("restored %zu device%s from the journal in %s\n", n, n == 1 ? "" : "s",
		       vfiox_ctx_state_dir(ctx));
		return EXIT_OK;
	}
	for (i = optind; i < argc; i++) {
		struct vfiox_pci_addr a;

		if (vfiox_pci_addr_parse(argv[i], &a))
			return usage_error(&cmd_restore, "'%s' is not a PCI address (DDDD:BB:DD.F)",
					   argv[i]);
	}
	for (i = optind; i < argc; i++) {
		struct vfiox_pci_addr a;
		char name[VFIOX_PCI_ADDR_STRLEN];

		vfiox_pci_addr_parse(argv[i], &a);
		vfiox_pci_addr_format(&a, name, sizeof(name));
		ret = vfiox_bind_restore(ctx, name);
		if (ret) {
			rc = lib_error(ctx, "restore", ret);
			continue;
		}
		printf("%s: restored\n", name);
	}
	return rc;
}

const struct cmd cmd_bind = {
	.name = "bind",
	.args = "[--dry-run] [--force] [--persist] [--json] [--timeout MS] [--driver NAME] "
		"[--group N]... [DEVICE...]",
	.summary = "hand devices or whole IOMMU groups to vfio-pci; 'restore' undoes it",
	.help = "  DEVICE           PCI address of a device to bind (bridges are refused)\n"
		"  --group N        every endpoint of IOMMU group N (bridges are left alone)\n"
		"  --dry-run        print the exact sysfs writes, change nothing\n"
		"  --force          bind devices the host uses, or part of a group whose other\n"
		"                   members stay on host drivers (says what will break)\n"
		"  --persist        also bind at every boot: a udev rule in\n"
		"                   /etc/udev/rules.d/61-vfioctl-DEVICE.rules (restore removes it)\n"
		"  --driver NAME    a VFIO driver other than vfio-pci\n"
		"  --timeout MS     wait this long for /dev/vfio/N (default 5000)\n"
		"  --json           machine-readable output (schema vfioctl/bind/1)\n"
		"The original state is journaled in $VFIOX_STATE_DIR (default /run/vfioctl).\n",
	.run = run_bind,
};

const struct cmd cmd_restore = {
	.name = "restore",
	.args = "--all | DEVICE...",
	.summary = "put devices back on the drivers they had before 'vfioctl bind'",
	.help = "  DEVICE           a device vfioctl changed: its journaled driver and\n"
		"                   driver_override come back, its udev rule goes\n"
		"  --all            replay the whole journal (e.g. after a crash)\n",
	.run = run_restore,
};
