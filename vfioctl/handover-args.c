// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the hand-over verbs (exec, pass, serve, qmp) share: which devices and groups go in
 * the bundle (--group N and DEVICE arguments) over which backend (--backend), opening it,
 * and a summary of its fds.
 */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "vfioctl.h"

int bundle_args_group(const struct cmd *cmd, struct bundle_args *a, const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 0 || v > 0x7fffffff)
		return usage_error(cmd, "--group needs an IOMMU group number, not '%s'", arg);
	if (a->ngroups == VFIOX_HANDOVER_MAX_FDS)
		return usage_error(cmd, "at most %d groups", VFIOX_HANDOVER_MAX_FDS);
	a->groups[a->ngroups++] = (int)v;
	return 0;
}

int bundle_args_devices(const struct cmd *cmd, struct bundle_args *a, int argc, char **argv)
{
	struct vfiox_pci_addr addr;
	int i;

	for (i = 0; i < argc; i++) {
		if (vfiox_pci_addr_parse(argv[i], &addr))
			return usage_error(cmd, "'%s' is not a PCI address (DDDD:BB:DD.F)", argv[i]);
		if (a->ndevs == VFIOX_HANDOVER_MAX_FDS)
			return usage_error(cmd, "at most %d devices", VFIOX_HANDOVER_MAX_FDS);
		a->devs[a->ndevs++] = argv[i];
	}
	if (!a->ngroups && !a->ndevs)
		return usage_error(cmd, "name a device or --group N");
	return backend_option(cmd, a->backend_arg, &a->backend);
}

int bundle_args_open(struct vfiox_ctx *ctx, const struct bundle_args *a, struct vfiox_bundle **bp)
{
	int ret = vfiox_bundle_open_backend(ctx, a->groups, a->ngroups, a->devs, a->ndevs,
					    a->ndevs ? VFIOX_BUNDLE_DEVICE_FDS : 0, a->backend, bp);

	if (ret)
		return lib_error(ctx, "opening the bundle", ret);
	return 0;
}

const char *bundle_kind_name(int kind)
{
	switch (kind) {
	case VFIOX_HANDOVER_CONTAINER:
		return "container";
	case VFIOX_HANDOVER_GROUP:
		return "group";
	case VFIOX_HANDOVER_DEVICE:
		return "device";
	case VFIOX_HANDOVER_IOMMUFD:
		return "iommufd";
	case VFIOX_HANDOVER_CDEV:
		return "cdev";
	}
	return "unknown";
}

void bundle_summary(struct vfiox_bundle *b, char *buf, size_t len)
{
	size_t i, at = 0;
	int n;

	n = snprintf(buf, len, "%s bundle", vfiox_backend_name(vfiox_bundle_backend(b)));
	at = n > 0 ? (size_t)n : 0;
	for (i = 0; i < vfiox_bundle_num_fds(b) && at < len; i++) {
		n = snprintf(buf + at, len - at, "%s %s (%s)", i ? "," : "",
			     vfiox_bundle_fd_name(b, i),
			     bundle_kind_name(vfiox_bundle_fd_kind(b, i)));
		at += n > 0 ? (size_t)n : 0;
	}
}

int socket_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (!*path || strlen(path) >= sizeof(sa->sun_path)) {
		err_msg("socket path '%s' is empty or longer than %zu bytes", path,
			sizeof(sa->sun_path) - 1);
		return -1;
	}
	memcpy(sa->sun_path, path, strlen(path));
	return 0;
}

int parse_seconds(const struct cmd *cmd, const char *opt, const char *arg, int *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || v < 0 || v > 86400)
		return usage_error(cmd, "%s needs seconds (0 to 86400), not '%s'", opt, arg);
	*ms = (int)(v * 1000);
	return 0;
}

const char *peer_name(unsigned int uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	snprintf(buf, len, "uid %u (%s)", (unsigned)uid, pw ? pw->pw_name : "no passwd entry");
	return buf;
}
