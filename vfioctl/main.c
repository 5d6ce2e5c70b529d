// SPDX-License-Identifier: GPL-2.0-or-later
/* vfioctl: global options, dispatch to the subcommands, help. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "vfioctl.h"

#ifndef VFIOX_VERSION
#define VFIOX_VERSION "0.0.0"
#endif

/* --wait: how long a change of bindings waits for another vfioctl to finish, by default. */
#define DEFAULT_WAIT_S 60
#define MAX_WAIT_S 86400

static const struct cmd *const cmds[] = { &cmd_list, &cmd_show, &cmd_rom, &cmd_reset,
					  &cmd_irq_test, &cmd_bind, &cmd_restore,
					  &cmd_sriov, &cmd_monitor, &cmd_check, &cmd_igd,
					  &cmd_exec, &cmd_pass, &cmd_serve,
					  &cmd_revoke, &cmd_qmp, &cmd_cdi, &cmd_grant };

static void print_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: vfioctl [--sysfs-root DIR] [--dev-root DIR] [--wait SECONDS | --no-wait] [-v]\n"
		   "               VERB [OPTIONS] [TARGET...]\n"
		   "       vfioctl --version\n"
		   "       vfioctl help [VERB]\n\n"
		   "Hand PCI devices to VMs and userspace drivers with VFIO, safely.\n\nVerbs:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i]->name, cmds[i]->summary);
	fprintf(f, "  %-8s %s\n", "help", "show this text, or the options of one verb");
	fprintf(f, "\nGlobal options:\n"
		   "  --sysfs-root DIR  read sysfs from DIR instead of /sys ($VFIOX_SYSFS_ROOT)\n"
		   "  --dev-root DIR    use DIR instead of /dev ($VFIOX_DEV_ROOT)\n"
		   "  --wait SECONDS    while another vfioctl changes bindings, wait this long\n"
		   "                    for it to finish (default %d)\n"
		   "  --no-wait         fail at once instead (as --wait 0)\n"
		   "  -v, --verbose     print the library's debug messages\n"
		   "  -V, --version     print the version\n"
		   "\nExit status: 0 success, 1 failure, 2 usage error. See vfioctl(8).\n",
		DEFAULT_WAIT_S);
}

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i]->name, name))
			return cmds[i];
	return NULL;
}

static int run_help(int argc, char **argv)
{
	const struct cmd *cmd;

	if (argc < 2) {
		print_usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		printf("usage: vfioctl help [VERB]\n");
		return EXIT_OK;
	}
	cmd = find_cmd(argv[1]);
	if (!cmd) {
		err_msg("no verb '%s'; 'vfioctl help' lists them", argv[1]);
		return EXIT_USAGE;
	}
	printf("usage: vfioctl %s %s\n\n%s.\n\n%s", cmd->name, cmd->args, cmd->summary, cmd->help);
	return EXIT_OK;
}

static void log_to_stderr(void *userdata, int level, const char *msg)
{
	fprintf(stderr, "vfioctl: %s%s\n",
		level <= VFIOX_LOG_ERR ? "error: " : level <= VFIOX_LOG_WARNING ? "warning: " : "",
		msg);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sysfs-root", required_argument, NULL, 's' },
		{ "dev-root", required_argument, NULL, 'd' },
		{ "wait", required_argument, NULL, 'w' },
		{ "no-wait", no_argument, NULL, 'W' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *sysfs_root = NULL, *dev_root = NULL;
	const struct cmd *cmd;
	struct vfiox_ctx *ctx;
	long wait_s = DEFAULT_WAIT_S;
	char *end;
	int c, ret, level = VFIOX_LOG_WARNING;

	opterr = 0; /* each verb names a bad option in its own words */
	/* '+': stop at the verb, whose options are its own. */
	while ((c = getopt_long(argc, argv, "+vVh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sysfs_root = optarg;
			break;
		case 'd':
			dev_root = optarg;
			break;
		case 'w':
			errno = 0;
			wait_s = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || wait_s < 0 || wait_s > MAX_WAIT_S) {
				err_msg("--wait needs a number of seconds (0 to %d), not '%s'",
					MAX_WAIT_S, optarg);
				return EXIT_USAGE;
			}
			break;
		case 'W':
			wait_s = 0;
			break;
		case 'v':
			level = VFIOX_LOG_DEBUG;
			break;
		case 'V':
			printf("vfioctl %s (libvfiox %s)\n", VFIOX_VERSION, vfiox_version());
			return EXIT_OK;
		case 'h':
			print_usage(stdout);
			return EXIT_OK;
		default:
			err_msg("%s (see 'vfioctl help')", bad_option(argv));
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	if (!strcmp(argv[0], "help"))
		return run_help(argc, argv);
	cmd = find_cmd(argv[0]);
	if (!cmd) {
		err_msg("no verb '%s'; 'vfioctl help' lists them", argv[0]);
		return EXIT_USAGE;
	}

	if (vfiox_ctx_new(&ctx)) {
		err_msg("out of memory");
		return EXIT_FAIL;
	}
	vfiox_ctx_set_log(ctx, log_to_stderr, NULL, level);
	vfiox_ctx_set_lock_wait(ctx, (int)(wait_s * 1000));
	if (getenv("VFIOCTL_TEST_STOP_AT_STEP"))
		vfiox_ctx_set_step_cb(ctx, test_stop_hook, NULL);
	if ((sysfs_root && vfiox_ctx_set_sysfs_root(ctx, sysfs_root)) ||
	    (dev_root && vfiox_ctx_set_dev_root(ctx, dev_root))) {
		vfiox_ctx_free(ctx);
		err_msg("--sysfs-root/--dev-root need a non-empty directory");
		return EXIT_USAGE;
	}
	optind = 0; /* 0, not 1: glibc then resets its state for the verb's options */
	ret = cmd->run(ctx, argc, argv);
	vfiox_ctx_free(ctx);
	if (fflush(stdout) || ferror(stdout)) {
		err_msg("cannot write the output");
		return EXIT_FAIL;
	}
	return ret;
}
