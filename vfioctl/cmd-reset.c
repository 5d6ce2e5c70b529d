// SPDX-License-Identifier: GPL-2.0-or-later
/* vfioctl reset: a device reset or a bus hot reset through VFIO, or only the plan. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "vfioctl.h"

#define MAX_GROUPS 64

static void print_plan(struct vfiox_pci_dev *dev, const struct vfiox_reset_plan *plan,
		       const char *no_plan, struct json *j)
{
	const char *methods = vfiox_pci_dev_reset_method(dev);
	size_t i;

	if (j) {
		json_obj_open(j, NULL);
		json_schema(j, "reset-plan");
		json_str(j, "address", vfiox_pci_dev_name(dev));
		json_reset_methods(j, methods);
		if (plan) {
			json_arr_open(j, "hot_reset_devices");
			for (i = 0; i < vfiox_reset_plan_num_devs(plan); i++) {
				json_obj_open(j, NULL);
				json_str(j, "address", vfiox_reset_plan_dev_name(plan, i));
				json_int(j, "iommu_group", vfiox_reset_plan_dev_group(plan, i));
				json_obj_close(j);
			}
			json_arr_close(j);
			json_arr_open(j, "hot_reset_groups");
			for (i = 0; i < vfiox_reset_plan_num_groups(plan); i++)
				json_int(j, NULL, vfiox_reset_plan_group(plan, i));
			json_arr_close(j);
			json_null(j, "hot_reset_unavailable");
		} else {
			json_null(j, "hot_reset_devices");
			json_null(j, "hot_reset_groups");
			json_str(j, "hot_reset_unavailable", no_plan);
		}
		json_obj_close(j);
		json_end(j);
		return;
	}
	printf("%s\n", vfiox_pci_dev_name(dev));
	printf("  %-22s %s\n", "reset (device):",
	       !methods ? "the kernel reports no reset_method" :
	       *methods ? methods : "none: the device cannot be reset on its own");
	if (!plan) {
		printf("  %-22s unavailable: %s\n", "reset --hot (bus):", no_plan);
		return;
	}
	for (i = 0; i < vfiox_reset_plan_num_devs(plan); i++)
		printf("  %-22s %s (IOMMU group %d)\n", i ? "" : "reset --hot resets:",
		       vfiox_reset_plan_dev_name(plan, i), vfiox_reset_plan_dev_group(plan, i));
	printf("  %-22s", "and needs the groups:");
	for (i = 0; i < vfiox_reset_plan_num_groups(plan); i++)
		printf(" %d", vfiox_reset_plan_group(plan, i));
	printf("\n");
}

static void print_hot_reset(struct vfiox_pci_dev *dev, const struct vfiox_reset_plan *plan)
{
	size_t i;

	printf("%s: hot reset of", vfiox_pci_dev_name(dev));
	for (i = 0; i < vfiox_reset_plan_num_devs(plan); i++)
		printf(" %s", vfiox_reset_plan_dev_name(plan, i));
	printf("\n");
}

/* type1: opens every other group of the plan; those we cannot open are reported, not fatal. */
static size_t open_plan_groups(struct vfiox_ctx *ctx, const struct vfiox_reset_plan *plan,
			       struct vfio_handles *h, struct vfiox_vgroup **groups)
{
	size_t i, n = 0;

	groups[n++] = h->group;
	for (i = 0; i < vfiox_reset_plan_num_groups(plan) && n < MAX_GROUPS; i++) {
		int id = vfiox_reset_plan_group(plan, i);

		if (id == vfiox_vgroup_id(h->group))
			continue;
		if (vfiox_vgroup_open(ctx, id, &groups[n])) {
			fprintf(stderr, "vfioctl: cannot take IOMMU group %d for the hot reset: %s\n",
				id, vfiox_ctx_last_error(ctx));
			continue;
		}
		n++;
	}
	return n;
}

/*
 * iommufd: the kernel counts a device of the plan as ours when it, or a device of its
 * IOMMU group, is bound to our iommufd. So one device of every other group of the plan is
 * bound to it by its cdev; those that cannot be are reported, not fatal (the library then
 * names what is not ours).
 */
static size_t open_plan_cdevs(struct vfiox_ctx *ctx, const struct vfiox_reset_plan *plan,
			      struct target *t, struct vfiox_device **devs)
{
	int own = vfiox_pci_dev_iommu_group(t->dev);
	size_t i, k, n = 0;

	for (i = 0; i < vfiox_reset_plan_num_groups(plan) && n < MAX_GROUPS; i++) {
		int id = vfiox_reset_plan_group(plan, i);
		const char *name = NULL;

		if (id == own)
			continue;
		for (k = 0; k < vfiox_reset_plan_num_devs(plan) && !name; k++)
			if (vfiox_reset_plan_dev_group(plan, k) == id)
				name = vfiox_reset_plan_dev_name(plan, k);
		if (!name)
			continue;
		if (vfiox_device_open_cdev(t->h.container, name, &devs[n])) {
			fprintf(stderr, "vfioctl: cannot bind %s (IOMMU group %d) to the iommufd for "
				"the hot reset: %s\n", name, id, vfiox_ctx_last_error(ctx));
			continue;
		}
		n++;
	}
	return n;
}

static int run_reset(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", no_argument, NULL, 'p' },
		{ "hot", no_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "vf-token", required_argument, NULL, 't' },
		{ "backend", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct vfiox_vgroup *groups[MAX_GROUPS];
	struct vfiox_device *devs[MAX_GROUPS];
	struct vfiox_reset_plan *plan = NULL;
	struct target t;
	const char *vf_token = NULL, *backend_arg = NULL;
	bool show_plan = false, hot = false, json = false;
	char no_plan[600] = "";
	size_t n, i;
	int c, ret = EXIT_FAIL, backend;

	while ((c = getopt_long(argc, argv, "pHjt:B:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			show_plan = true;
			break;
		case 'H':
			hot = true;
			break;
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
			return verb_option_end(&cmd_reset, c, argv);
		}
	}
	if (optind != argc - 1)
		return usage_error(&cmd_reset, "name one device");
	if (json && !show_plan)
		return usage_error(&cmd_reset, "--json goes with --plan");
	if (backend_option(&cmd_reset, backend_arg, &backend))
		return EXIT_USAGE;
	if (target_open_backend(ctx, argv[optind], vf_token, backend, "reset", &t))
		return EXIT_FAIL;
	if (vfiox_device_hot_reset_plan(t.h.device, &plan))
		snprintf(no_plan, sizeof(no_plan), "%s", vfiox_ctx_last_error(ctx));

	if (show_plan) {
		struct json j;

		if (json)
			json_init(&j, stdout);
		print_plan(t.dev, plan, no_plan, json ? &j : NULL);
		ret = EXIT_OK;
	} else if (!hot) {
		if (vfiox_device_reset(t.h.device)) {
			ret = lib_error(ctx, "reset", -EIO);
		} else {
			printf("%s: reset\n", vfiox_pci_dev_name(t.dev));
			ret = EXIT_OK;
		}
	} else if (!plan) {
		err_msg("no hot reset for %s: %s", vfiox_pci_dev_name(t.dev), no_plan);
	} else if (t.h.backend == VFIOX_BACKEND_IOMMUFD) {
		/* A cdev device proves ownership through its iommufd: no group fds. */
		n = open_plan_cdevs(ctx, plan, &t, devs);
		if (vfiox_device_hot_reset(t.h.device, NULL, 0)) {
			ret = lib_error(ctx, "hot reset", -EIO);
		} else {
			print_hot_reset(t.dev, plan);
			ret = EXIT_OK;
		}
		for (i = 0; i < n; i++)
			vfiox_device_close(devs[i]);
	} else {
		n = open_plan_groups(ctx, plan, &t.h, groups);
		if (vfiox_device_hot_reset(t.h.device, groups, n)) {
			ret = lib_error(ctx, "hot reset", -EIO);
		} else {
			print_hot_reset(t.dev, plan);
			ret = EXIT_OK;
		}
		for (i = 1; i < n; i++)
			vfiox_vgroup_close(groups[i]);
	}
	vfiox_reset_plan_free(plan);
	target_close(&t);
	return ret;
}

const struct cmd cmd_reset = {
	.name = "reset",
	.args = "[--plan [--json]] [--hot] [--vf-token UUID] [--backend auto|type1|iommufd] DEVICE",
	.summary = "reset a device on vfio-pci, or show what a reset would touch",
	.help = "  DEVICE           PCI address of a device bound to vfio-pci\n"
		"  --plan           reset nothing: show the device's reset methods and every\n"
		"                   device and IOMMU group a hot (bus) reset would touch (opening\n"
		"                   the device lets vfio-pci reset it, as every VFIO user does)\n"
		"  --json           with --plan: the plan as JSON (vfioctl/reset-plan/1)\n"
		"  --hot            a bus hot reset: every group of the plan must be ours\n"
		"                   (viable, not held by another process)\n"
		"  --vf-token UUID  the VF token, for a VF whose PF is bound to vfio-pci\n"
		"  --backend B      open it over B: auto (the default, or $VFIOX_BACKEND), type1\n"
		"                   (the hot reset passes every group of the plan) or iommufd\n"
		"                   (a device of each group bound to one iommufd)\n",
	.run = run_reset,
};
