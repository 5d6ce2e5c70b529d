// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfioctl exec: open a bundle as root and run a program with it, the fds at 3, 4, ... as
 * systemd passes sockets (LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES), optionally with a raised
 * RLIMIT_MEMLOCK and as another user, with no way back to root.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vfioctl.h"

#define MAX_SUPP_GROUPS 256

struct exec_user {
	const char *name;
	uid_t uid;
	gid_t gid;
	gid_t groups[MAX_SUPP_GROUPS];
	int ngroups;
};

int parse_size(const char *s, rlim_t *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (!strcmp(s, "unlimited")) {
		*out = RLIM_INFINITY;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K':
		mul = 1ull << 10;
		break;
	case 'm': case 'M':
		mul = 1ull << 20;
		break;
	case 'g': case 'G':
		mul = 1ull << 30;
		break;
	case 't': case 'T':
		mul = 1ull << 40;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (*end && end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
		return -1;
	if (v > UINT64_MAX / mul)
		return -1;
	*out = (rlim_t)(v * mul);
	return 0;
}

/* USER as a name from the password database, or UID[:GID] for a user it does not know. */
static int resolve_user(const struct cmd *cmd, const char *arg, struct exec_user *u)
{
	struct passwd *pw = getpwnam(arg);
	unsigned long uid, gid;
	char *end;

	u->name = arg;
	if (pw) {
		u->uid = pw->pw_uid;
		u->gid = pw->pw_gid;
		u->ngroups = MAX_SUPP_GROUPS;
		if (getgrouplist(pw->pw_name, pw->pw_gid, u->groups, &u->ngroups) < 0) {
			err_msg("%s is in more than %d groups", arg, MAX_SUPP_GROUPS);
			return EXIT_FAIL;
		}
		return 0;
	}
	errno = 0;
	uid = strtoul(arg, &end, 10);
	if (errno || end == arg || (*end && *end != ':') || uid > 0xfffffffeul)
		return usage_error(cmd, "no user '%s' (a name from /etc/passwd, or UID[:GID])", arg);
	gid = uid;
	if (*end == ':') {
		const char *g = end + 1;

		gid = strtoul(g, &end, 10);
		if (errno || end == g || *end || gid > 0xfffffffeul)
			return usage_error(cmd, "'%s': the group after ':' must be a number", arg);
	}
	u->uid = (uid_t)uid;
	u->gid = (gid_t)gid;
	u->groups[0] = u->gid;
	u->ngroups = 1;
	return 0;
}

/* Groups, gid, uid, in that order, all three ids each; then check that root is gone. */
static int drop_to(const struct exec_user *u)
{
	if (setgroups((size_t)u->ngroups, u->groups) || setresgid(u->gid, u->gid, u->gid) ||
	    setresuid(u->uid, u->uid, u->uid)) {
		err_msg("cannot become %s (uid %u, gid %u): %s", u->name, (unsigned)u->uid,
			(unsigned)u->gid, strerror(errno));
		return -1;
	}
	if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		err_msg("after dropping to uid %u the process could become root again: refusing to "
			"run the program", (unsigned)u->uid);
		return -1;
	}
	/* And no setuid program can give it back either. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		err_msg("PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The bundle's fds at 3, 4, ... without FD_CLOEXEC, and every other fd above 2 closed: first
 * every fd moved above where the targets end, so that no dup2 lands on one still needed.
 */
static int place_fds(struct vfiox_bundle *b)
{
	int n = (int)vfiox_bundle_num_fds(b), tmp[VFIOX_HANDOVER_MAX_FDS], i;

	for (i = 0; i < n; i++) {
		tmp[i] = fcntl(vfiox_bundle_fd(b, (size_t)i), F_DUPFD_CLOEXEC, 3 + n);
		if (tmp[i] < 0) {
			err_msg("cannot duplicate %s: %s", vfiox_bundle_fd_name(b, (size_t)i),
				strerror(errno));
			return -1;
		}
	}
	for (i = 0; i < n; i++)
		if (dup2(tmp[i], 3 + i) < 0) {
			err_msg("cannot move %s to fd %d: %s", vfiox_bundle_fd_name(b, (size_t)i),
				3 + i, strerror(errno));
			return -1;
		}
	if (syscall(SYS_close_range, 3 + n, ~0u, 0)) {
		err_msg("cannot close the other fds (close_range): %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int set_listen_env(struct vfiox_bundle *b)
{
	char names[VFIOX_HANDOVER_MAX_FDS * 40], num[32];
	size_t i, at = 0;

	for (i = 0; i < vfiox_bundle_num_fds(b); i++)
		at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s", i ? ":" : "",
				       vfiox_bundle_fd_name(b, i));
	snprintf(num, sizeof(num), "%zu", vfiox_bundle_num_fds(b));
	if (setenv("LISTEN_FDS", num, 1) || setenv("LISTEN_FDNAMES", names, 1))
		return -1;
	/* exec keeps the pid: the program's is this one. */
	snprintf(num, sizeof(num), "%d", (int)getpid());
	return setenv("LISTEN_PID", num, 1);
}

static int run_exec(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "memlock", required_argument, NULL, 'm' },
		{ "group", required_argument, NULL, 'g' },
		{ "backend", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct bundle_args a = { .ngroups = 0 };
	struct exec_user u = { .name = NULL };
	struct vfiox_bundle *b = NULL;
	const char *user = NULL, *memlock_arg = NULL;
	struct rlimit rl;
	bool memlock = false;
	int c, dashes, ret;

	/* Options and devices end at "--"; the program and its arguments are never parsed. */
	for (dashes = 1; dashes < argc && strcmp(argv[dashes], "--"); dashes++)
		;
	while ((c = getopt_long(dashes, argv, "u:m:g:h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case 'm':
			if (parse_size(optarg, &rl.rlim_cur))
				return usage_error(&cmd_exec, "--memlock needs a size (64M, 2G, "
						   "unlimited), not '%s'", optarg);
			rl.rlim_max = rl.rlim_cur;
			memlock = true;
			memlock_arg = optarg;
			break;
		case 'g':
			ret = bundle_args_group(&cmd_exec, &a, optarg);
			if (ret)
				return ret;
			break;
		case 'B':
			a.backend_arg = optarg;
			break;
		default:
			return verb_option_end(&cmd_exec, c, argv);
		}
	}
	if (dashes >= argc - 1)
		return usage_error(&cmd_exec, "name the program after '--' (vfioctl exec DEVICE -- "
				   "PROGRAM [ARGS])");
	ret = bundle_args_devices(&cmd_exec, &a, dashes - optind, argv + optind);
	if (ret)
		return ret;
	if (user) {
		ret = resolve_user(&cmd_exec, user, &u);
		if (ret)
			return ret;
	}
	if (bundle_args_open(ctx, &a, &b))
		return EXIT_FAIL;
	ret = EXIT_FAIL;
	if (memlock && setrlimit(RLIMIT_MEMLOCK, &rl)) {
		err_msg("cannot set RLIMIT_MEMLOCK to %s: %s (raising the hard limit needs "
			"CAP_SYS_RESOURCE: run vfioctl exec as root)", memlock_arg, strerror(errno));
		goto out;
	}
	if (place_fds(b) || set_listen_env(b))
		goto out;
	if (user && drop_to(&u))
		goto out;
	execvp(argv[dashes + 1], argv + dashes + 1);
	err_msg("cannot run %s: %s%s", argv[dashes + 1], strerror(errno),
		user && errno == EACCES ? " (as the user given with --user)" : "");
out:
	vfiox_bundle_free(b);
	return ret;
}

const struct cmd cmd_exec = {
	.name = "exec",
	.args = "[--user USER] [--memlock SIZE] [--backend B] [--group N]... [DEVICE...] -- "
		"PROGRAM [ARGS]",
	.summary = "run a program with the VFIO fds of devices, as another user",
	.help = "  DEVICE          PCI address of a device on vfio-pci: its group and its device fd\n"
		"                  (iommufd: its cdev)\n"
		"  --group N       IOMMU group N (its fd; the program opens the devices; iommufd:\n"
		"                  the cdev of each of its devices on vfio-pci)\n"
		"  --user USER     run PROGRAM as USER (name, or UID[:GID]); no way back to root\n"
		"  --memlock SIZE  RLIMIT_MEMLOCK for PROGRAM (64M, 2G, unlimited): DMA needs it\n"
		"  --backend B     auto (default: $VFIOX_BACKEND, else auto), type1 or iommufd\n"
		"\n"
		"PROGRAM gets the container, the groups and the device fds (type1), or the iommufd\n"
		"and the devices' cdevs, not bound (iommufd), at 3, 4, ... and nothing else open,\n"
		"with LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES (vfio-container, vfio-group-N,\n"
		"vfio-device-DDDD-BB-SS.F; iommufd, vfio-cdev-DDDD-BB-SS.F) as systemd sets them.\n",
	.run = run_exec,
};
