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

#define MAX_FDSETS 256

/* Every fd added is in QEMU's list, in the set it said, with its name. */
static int check_fdsets(struct qmp_conn *c, struct vfiox_bundle *b, const long long *set,
			const long long *qfd)
{
	static char line[QMP_MAX_LINE + 1];
	struct qmp_fdset_fd fds[MAX_FDSETS];
	struct qmp_reply r;
	char w[256];
	size_t n, i, k;

	if (qmp_exec(c, "query-fdsets", NULL, NULL, NULL, 0, &r, line, sizeof(line)))
		return -1;
	if (qmp_parse_fdsets(line, strlen(line), fds, MAX_FDSETS, &n, w, sizeof(w))) {
		err_msg("query-fdsets: %s", w);
		return -1;
	}
	for (i = 0; i < vfiox_bundle_num_fds(b); i++) {
		for (k = 0; k < n && k < MAX_FDSETS; k++)
			if (fds[k].fdset_id == set[i] && fds[k].fd == qfd[i] &&
			    !strcmp(fds[k].opaque, vfiox_bundle_fd_name(b, i)))
				break;
		if (k == n || k == MAX_FDSETS) {
			err_msg("QEMU said it added %s as fd %lld of fd set %lld, but query-fdsets "
				"does not list it", vfiox_bundle_fd_name(b, i), qfd[i], set[i]);
			return -1;
		}
	}
	return 0;
}

static void print_next_steps(struct qmp_conn *c, struct vfiox_bundle *b, bool fdset,
			     const long long *set)
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
			       set[i]);
		else
			printf("  {\"execute\": \"closefd\", \"arguments\": {\"fdname\": \"%s\"}}\n",
			       vfiox_bundle_fd_name(b, i));
}

static int run_qmp(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "fdset", no_argument, NULL, 'F' },
		{ "timeout", required_argument, NULL, 't' },
		{ "group", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct qmp_conn conn;
	long long set[VFIOX_HANDOVER_MAX_FDS], qfd[VFIOX_HANDOVER_MAX_FDS];
	struct bundle_args a = { .ngroups = 0 };
	struct vfiox_bundle *b = NULL;
	const char *path = NULL;
	struct qmp_reply r;
	bool fdset = false;
	int c, ret, ms = 10000;
	size_t i;

	while ((c = getopt_long(argc, argv, "s:Ft:g:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'F':
			fdset = true;
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
	if (bundle_args_open(ctx, &a, &b))
		return EXIT_FAIL;
	ret = EXIT_FAIL;
	if (qmp_open(&conn, path, ms)) {
		err_msg("%s", conn.why);
		goto out;
	}
	printf("QEMU %d.%d.%d%s%s%s on %s\n", conn.version.major, conn.version.minor,
	       conn.version.micro, conn.version.package[0] ? " (" : "", conn.version.package,
	       conn.version.package[0] ? ")" : "", path);
	for (i = 0; i < vfiox_bundle_num_fds(b); i++) {
		int fd = vfiox_bundle_fd(b, i);
		const char *name = vfiox_bundle_fd_name(b, i);

		if (qmp_exec(&conn, fdset ? "add-fd" : "getfd", fdset ? NULL : name,
			     fdset ? name : NULL, &fd, 1, &r, NULL, 0)) {
			err_msg("%s (%zu of %zu fds passed before)", conn.why, i,
				vfiox_bundle_num_fds(b));
			goto out_close;
		}
		set[i] = r.fdset_id;
		qfd[i] = r.fd;
		if (fdset && (r.fdset_id < 0 || r.fd < 0)) {
			err_msg("add-fd of %s returned no fd set and fd", name);
			goto out_close;
		}
	}
	if (fdset && check_fdsets(&conn, b, set, qfd)) {
		if (conn.why[0])
			err_msg("%s", conn.why);
		goto out_close;
	}
	for (i = 0; i < vfiox_bundle_num_fds(b); i++)
		if (fdset)
			printf("%s: fd set %lld (QEMU's fd %lld; /dev/fdset/%lld)\n",
			       vfiox_bundle_fd_name(b, i), set[i], qfd[i], set[i]);
		else
			printf("%s: getfd name \"%s\"\n", vfiox_bundle_fd_name(b, i),
			       vfiox_bundle_fd_name(b, i));
	print_next_steps(&conn, b, fdset, set);
	ret = EXIT_OK;
out_close:
	qmp_close(&conn);
out:
	vfiox_bundle_free(b);
	return ret;
}

const struct cmd cmd_qmp = {
	.name = "qmp",
	.args = "--socket QMP_PATH [--fdset] [--timeout S] [--group N]... [DEVICE...]",
	.summary = "give the VFIO fds of devices to a running QEMU over its QMP monitor",
	.help = "  --socket QMP_PATH  QEMU's monitor (-qmp unix:QMP_PATH,server=on,wait=off)\n"
		"  --fdset            add-fd each fd into a new fd set (checked with query-fdsets)\n"
		"                     instead of getfd by name\n"
		"  --timeout S        give up on a silent QEMU after S seconds (default 10)\n"
		"  DEVICE             PCI address of a device on vfio-pci: its group and device fd\n"
		"  --group N          IOMMU group N\n"
		"\n"
		"Prints the names or fd sets, and what this QEMU version can do with them.\n",
	.run = run_qmp,
};
