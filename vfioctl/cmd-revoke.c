// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfioctl revoke: ask the process holding a handed-over device to release it (VFIO's REQ
 * interrupt), then put the device back on the driver it had (the journal); or name the
 * holder and change nothing.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "vfioctl.h"

static int run_revoke(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct vfiox_pci_addr a;
	int c, ret, ms = 10000;

	while ((c = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			ret = parse_seconds(&cmd_revoke, "--timeout", optarg, &ms);
			if (ret)
				return ret;
			break;
		default:
			return verb_option_end(&cmd_revoke, c, argv);
		}
	}
	if (optind != argc - 1)
		return usage_error(&cmd_revoke, "name one device");
	if (vfiox_pci_addr_parse(argv[optind], &a))
		return usage_error(&cmd_revoke, "'%s' is not a PCI address (DDDD:BB:DD.F)",
				   argv[optind]);
	ret = vfiox_device_revoke(ctx, argv[optind], ms);
	if (ret < 0)
		return lib_error(ctx, "revoke", ret);
	if (ret == 1)
		printf("%s\n", vfiox_ctx_last_error(ctx));
	else
		printf("%s: released and back on the driver it had before vfioctl bind\n",
		       argv[optind]);
	return EXIT_OK;
}

const struct cmd cmd_revoke = {
	.name = "revoke",
	.args = "DEVICE [--timeout S]",
	.summary = "take a handed-over device back: REQ to its holder, then the driver it had",
	.help = "  DEVICE       PCI address of a device on vfio-pci\n"
		"  --timeout S  how long the holder has to release it (default 10)\n"
		"\n"
		"Nothing changes when the holder keeps the device: it is named, exit 1.\n",
	.run = run_revoke,
};
