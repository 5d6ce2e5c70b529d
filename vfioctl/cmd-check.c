// SPDX-License-Identifier: GPL-2.0-or-later
/* vfioctl check: the host doctor, and what stands between a device and VFIO. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "vfioctl.h"

static void print_human(const struct vfiox_findings *f, const char *device, const char *user)
{
	printf("vfioctl check: %s%s%s%s\n", device ? "the host and " : "the host",
	       device ? device : "", user ? ", for user " : "", user ? user : "");
	findings_print(f);
}

static bool print_json(const struct vfiox_findings *f, const char *device, const char *user)
{
	struct json j;

	json_init(&j, stdout);
	json_obj_open(&j, NULL);
	json_schema(&j, "check");
	json_str(&j, "device", device);
	json_str(&j, "user", user);
	json_findings(&j, f);
	json_obj_close(&j);
	return json_end(&j);
}

static int run_check(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct vfiox_findings *f = NULL;
	const char *user = NULL, *device = NULL;
	bool json = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "u:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			return verb_option_end(&cmd_check, c, argv);
		}
	}
	if (argc - optind > 1)
		return usage_error(&cmd_check, "name at most one device");
	if (user && !*user)
		return usage_error(&cmd_check, "--user needs a user name");
	if (optind < argc)
		device = argv[optind];
	ret = vfiox_host_check(ctx, device, user, &f);
	if (ret == -EINVAL && device)
		return usage_error(&cmd_check, "%s", vfiox_ctx_last_error(ctx));
	if (ret)
		return lib_error(ctx, "check", ret);
	if (json) {
		if (!print_json(f, device, user)) {
			vfiox_findings_free(f);
			err_msg("check: cannot write the output");
			return EXIT_FAIL;
		}
	} else {
		print_human(f, device, user);
	}
	ret = vfiox_findings_worst(f) == VFIOX_CHECK_FAIL ? EXIT_FAIL : EXIT_OK;
	vfiox_findings_free(f);
	return ret;
}

const struct cmd cmd_check = {
	.name = "check",
	.args = "[DEVICE] [--user USER] [--json]",
	.summary = "check the host (and a device) for VFIO: IOMMU, interrupts, limits, blockers",
	.help = "Checks what VFIO device assignment needs and prints each finding with its\n"
		"status (ok, info, warn, fail) and a fix. Nothing is changed. Both IOMMU\n"
		"backends are looked at: type1 (/dev/vfio/vfio) and iommufd (/dev/iommu and\n"
		"the VFIO cdevs in /dev/vfio/devices); a host with one of them is fine.\n"
		"\n"
		"  DEVICE        also check this PCI device: its IOMMU group and the drivers\n"
		"                there, ACS on the bridges above it, what must be unbound, what\n"
		"                of the group the host uses (network, storage, console), and\n"
		"                which backend it opens over and why\n"
		"  --user USER   memlock limit and /dev/vfio, /dev/iommu permissions of USER at\n"
		"                login (limits.conf and limits.d), instead of the caller's\n"
		"  --json        findings as JSON (vfioctl/check/1, see vfioctl-json(7))\n"
		"\n"
		"Exit status: 0 when no finding fails, 1 when one does, 2 for a usage error.\n",
	.run = run_check,
};
