// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfioctl qmp: give a bundle's fds to a running QEMU over its QMP monitor (getfd, or add-fd
 * into fd sets checked with query-fdsets), and say what that QEMU can do with them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "qmp.h"
#include "vfioctl.h"

static void print_next_steps(struct qmp_conn *c, struct vfiox_bundle *b, bool fdset,
			     const struct qmp_given *given)
{
	char advice[600];
	size_t i;

	if (qmp_vfio_fd_advice(&c->version, advice, sizeof(advice))) {
		printf("%s.\n", advice);
		return;
	}
	printf("%s.\nInstead, let QEMU open the group itself:\n", advice);
	for (i = 0; i < vfiox_bundle_num_fds(b); i++) {
		const char *dev = vfiox_bundle_fd_device(b, i);
		int g = vfiox_bundle_fd_group(b, i);

		if (vfiox_bundle_fd_kind(b, i) == VFIOX_HANDOVER_GROUP)
			printf("  give QEMU's user read-write access to /dev/vfio/%d "
			       "(e.g. chown USER /dev/vfio/%d)\n", g, g);
		if (dev)
			printf("  -device vfio-pci,host=%s   (or device_add vfio-pci,host=%s)\n", dev,
			       dev);
	}
	printf("  and /dev/vfio/vfio (mode 0666 by default), and RLIMIT_MEMLOCK for all of the "
	       "guest's RAM (ulimit -l, LimitMEMLOCK=).\n"
	       "The fds passed now keep the groups open, which stops QEMU from opening them: "
	       "remove them first:\n");
	for (i = 0; i < vfiox_bundle_num_fds(b); i++)
		if (fdset)
			printf("  {\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": %lld}}\n",
			       given[i].fdset_id);
		else
			printf("  {\"execute\": \"closefd\", \"arguments\": {\"fdname\": \"%s\"}}\n",
			       vfiox_bundle_fd_name(b, i));
}

static const char *kind_name(int kind)
{
	switch (kind) {
	case VFIOX_HANDOVER_CONTAINER:
		return "container";
	case VFIOX_HANDOVER_GROUP:
		return "group";
	case VFIOX_HANDOVER_DEVICE:
		return "device";
	}
	return "unknown";
}

static int print_json(const struct qmp_report *r)
{
	static char buf[QMP_MAX_LINE];
	int n = qmp_report_json(buf, sizeof(buf), r);

	if (n < 0) {
		err_msg("the JSON report does not fit in %zu bytes", sizeof(buf));
		return -1;
	}
	if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n || fflush(stdout)) {
		err_msg("writing the JSON report: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int run_qmp(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "fdset", no_argument, NULL, 'F' },
		{ "timeout", required_argument, NULL, 't' },
		{ "group", required_argument, NULL, 'g' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct qmp_conn conn;
	static struct qmp_given given[VFIOX_HANDOVER_MAX_FDS];
	int fds[VFIOX_HANDOVER_MAX_FDS];
	struct bundle_args a = { .ngroups = 0 };
	struct qmp_report rep = { .ok = false };
	struct vfiox_bundle *b = NULL;
	const char *path = NULL;
	bool fdset = false, json = false;
	int c, ret, ms = 10000;
	size_t i, n = 0;

	while ((c = getopt_long(argc, argv, "s:Ft:g:jh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'F':
			fdset = true;
			break;
		case 'j':
			json = true;
			break;
		case 't':
			ret = parse_seconds(&cmd_qmp, "--timeout", optarg, &ms);
			if (ret)
				return ret;
			break;
		case 'g':
			ret = bundle_args_group(&cmd_qmp, &a, optarg);
			if (ret)
				return ret;
			break;
		default:
			return verb_option_end(&cmd_qmp, c, argv);
		}
	}
	if (!path)
		return usage_error(&cmd_qmp, "--socket QMP_PATH is needed: QEMU's QMP socket");
	ret = bundle_args_devices(&cmd_qmp, &a, argc - optind, argv + optind);
	if (ret)
		return ret;
	rep.socket = path;
	rep.fdset = fdset;
	rep.fds = given;
	ret = EXIT_FAIL;
	if (bundle_args_open(ctx, &a, &b)) {
		rep.error = vfiox_ctx_last_error(ctx);
		goto out;
	}
	n = vfiox_bundle_num_fds(b);
	for (i = 0; i < n; i++) {
		fds[i] = vfiox_bundle_fd(b, i);
		given[i] = (struct qmp_given){
			.name = vfiox_bundle_fd_name(b, i),
			.kind = kind_name(vfiox_bundle_fd_kind(b, i)),
			.group = vfiox_bundle_fd_group(b, i),
			.device = vfiox_bundle_fd_device(b, i),
			.fdset_id = -1,
			.fd = -1,
		};
	}
	rep.nfds = n;
	if (qmp_open(&conn, path, ms)) {
		err_msg("%s", conn.why);
		rep.error = conn.why;
		goto out_close;
	}
	rep.version = &conn.version;
	if (!json)
		printf("QEMU %d.%d.%d%s%s%s on %s\n", conn.version.major, conn.version.minor,
		       conn.version.micro, conn.version.package[0] ? " (" : "",
		       conn.version.package, conn.version.package[0] ? ")" : "", path);
	if (qmp_give_fds(&conn, fdset, fds, given, n)) {
		err_msg("%s", conn.why);
		rep.error = conn.why;
		goto out_close;
	}
	rep.ok = true;
	ret = EXIT_OK;
	if (json)
		goto out_close;
	for (i = 0; i < n; i++)
		if (fdset)
			printf("%s: fd set %lld (QEMU's fd %lld; /dev/fdset/%lld)\n", given[i].name,
			       given[i].fdset_id, given[i].fd, given[i].fdset_id);
		else
			printf("%s: getfd name \"%s\"\n", given[i].name, given[i].name);
	print_next_steps(&conn, b, fdset, given);
out_close:
	qmp_close(&conn);
out:
	if (json && print_json(&rep))
		ret = EXIT_FAIL;
	vfiox_bundle_free(b);
	return ret;
}

const struct cmd cmd_qmp = {
	.name = "qmp",
	.args = "--socket QMP_PATH [--fdset] [--json] [--timeout S] [--group N]... [DEVICE...]",
	.summary = "give the VFIO fds of devices to a running QEMU over its QMP monitor",
	.help = "  --socket QMP_PATH  QEMU's monitor (-qmp unix:QMP_PATH,server=on,wait=off)\n"
		"  --fdset            add-fd each fd into a new fd set (checked with query-fdsets)\n"
		"                     instead of getfd by name\n"
		"  --json             print one JSON object (schema 1), also on failure\n"
		"  --timeout S        give up on a silent QEMU after S seconds (default 10)\n"
		"  DEVICE             PCI address of a device on vfio-pci: its group and device fd\n"
		"  --group N          IOMMU group N\n"
		"\n"
		"Prints the names or fd sets, and what this QEMU version can do with them.\n",
	.run = run_qmp,
};
