// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfioctl pass: connect to a program listening on a UNIX socket (SOCK_SEQPACKET) and send
 * it a bundle, the fds with SCM_RIGHTS and the description (libvfiox's hand-over message).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vfioctl.h"

/*
 * A connection to @path within @ms; -1 with the reason printed. A UNIX listener with a full
 * backlog answers EAGAIN and leaves the socket unconnected (no EINPROGRESS as for TCP), so
 * the connect is tried again until the time is up.
 */
static int connect_to(const char *path, int ms)
{
	struct sockaddr_un sa;
	struct timespec t0, t;
	int fd;

	if (socket_addr(path, &sa))
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		err_msg("socket: %s", strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		if (errno != EAGAIN)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= ms) {
			errno = ETIMEDOUT;
			break;
		}
		poll(NULL, 0, 10);
	}
	err_msg("cannot connect to %s: %s%s", path, strerror(errno),
		errno == ECONNREFUSED || errno == ENOENT ? " (is a program listening there?)"
		: errno == EPROTOTYPE ? " (the listener must use SOCK_SEQPACKET)"
		: errno == ETIMEDOUT ? " (its listener accepts no connection: backlog full)" : "");
	close(fd);
	return -1;
}

static int run_pass(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "group", required_argument, NULL, 'g' },
		{ "backend", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct bundle_args a = { .ngroups = 0 };
	struct vfiox_bundle *b = NULL;
	const char *path = NULL;
	char names[VFIOX_HANDOVER_MAX_FDS * 40], who[80];
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int c, ret, fd, ms = 10000;

	while ((c = getopt_long(argc, argv, "s:t:g:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 't':
			ret = parse_seconds(&cmd_pass, "--timeout", optarg, &ms);
			if (ret)
				return ret;
			break;
		case 'g':
			ret = bundle_args_group(&cmd_pass, &a, optarg);
			if (ret)
				return ret;
			break;
		case 'B':
			a.backend_arg = optarg;
			break;
		default:
			return verb_option_end(&cmd_pass, c, argv);
		}
	}
	if (!path)
		return usage_error(&cmd_pass, "--socket PATH is needed: where the program listens");
	ret = bundle_args_devices(&cmd_pass, &a, argc - optind, argv + optind);
	if (ret)
		return ret;
	if (bundle_args_open(ctx, &a, &b))
		return EXIT_FAIL;
	ret = EXIT_FAIL;
	fd = connect_to(path, ms);
	if (fd < 0)
		goto out;
	if (vfiox_bundle_send(b, fd, ms)) {
		lib_error(ctx, "sending", -EIO);
		goto out_close;
	}
	bundle_summary(b, names, sizeof(names));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		cred.pid = 0, cred.uid = (uid_t)-1;
	fprintf(stderr, "vfioctl pass: %s to %s (pid %d, %s)\n", names, path, (int)cred.pid,
		peer_name(cred.uid, who, sizeof(who)));
	ret = EXIT_OK;
out_close:
	close(fd);
out:
	vfiox_bundle_free(b);
	return ret;
}

const struct cmd cmd_pass = {
	.name = "pass",
	.args = "--socket PATH [--timeout S] [--backend B] [--group N]... [DEVICE...]",
	.summary = "send the VFIO fds of devices to a program listening on a UNIX socket",
	.help = "  --socket PATH   the program's socket (AF_UNIX, SOCK_SEQPACKET)\n"
		"  --timeout S     give up connecting or sending after S seconds (default 10)\n"
		"  --backend B     auto (default: $VFIOX_BACKEND, else auto), type1 or iommufd\n"
		"  DEVICE          PCI address of a device on vfio-pci: its group and its device fd\n"
		"                  (iommufd: its cdev)\n"
		"  --group N       IOMMU group N (iommufd: the cdevs of its devices on vfio-pci)\n"
		"\n"
		"One packet: the hand-over message (libvfiox(7)) and the fds in SCM_RIGHTS.\n",
	.run = run_pass,
};
