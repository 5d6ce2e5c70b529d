// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfioctl serve: a broker that keeps a bundle and hands it to each allowed peer that
 * connects to its UNIX socket (SOCK_SEQPACKET). SO_PEERCRED and SO_PEERGROUPS decide who
 * is allowed; the socket's owner, group and mode already keep others from connecting where
 * the allowed set can be said that way. Nothing waits on a peer: accept and send never
 * block, a peer without room for the message is dropped. One log line per peer on stderr;
 * SIGTERM or SIGINT stop it cleanly (the socket removed, everything closed). An iommufd
 * bundle is opened afresh for each peer: a cdev binds once, to the first receiver's
 * iommufd, so the same open files could serve nobody after it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vfioctl.h"

#define MAX_ALLOW 32
#define MAX_PEER_GROUPS 256

struct allow {
	bool group;
	unsigned int id;
	const char *arg;
};

struct serve {
	struct allow allow[MAX_ALLOW];
	size_t nallow;
	char allowed[512]; /* the list as given, for messages */
	const char *path;
	unsigned long served, refused;
	const struct bundle_args *args; /* what to open afresh for each peer (iommufd) */
	int backend;
};

static int parse_allow(struct serve *s, const char *arg)
{
	struct allow *a = &s->allow[s->nallow];
	const char *name = arg[0] == '@' ? arg + 1 : arg;
	struct passwd *pw;
	struct group *gr;
	char *end;
	unsigned long v;

	if (s->nallow == MAX_ALLOW)
		return usage_error(&cmd_serve, "at most %d --allow", MAX_ALLOW);
	a->group = arg[0] == '@';
	a->arg = arg;
	errno = 0;
	v = strtoul(name, &end, 10);
	if (*name && !*end && !errno && v < 0xffffffffu) {
		a->id = (unsigned int)v;
	} else if (a->group && (gr = getgrnam(name))) {
		a->id = gr->gr_gid;
	} else if (!a->group && (pw = getpwnam(name))) {
		a->id = pw->pw_uid;
	} else {
		return usage_error(&cmd_serve, "--allow %s: no such %s (a name, a number, or @GROUP "
				   "for a group)", arg, a->group ? "group" : "user");
	}
	snprintf(s->allowed + strlen(s->allowed), sizeof(s->allowed) - strlen(s->allowed), "%s%s",
		 s->nallow ? " " : "", arg);
	s->nallow++;
	return 0;
}

/* Whether the peer on @fd is allowed, by its uid or any of its groups. */
static bool peer_allowed(const struct serve *s, int fd, const struct ucred *cred)
{
	gid_t groups[MAX_PEER_GROUPS];
	socklen_t len = sizeof(groups);
	size_t i, k, n = 0;

	if (!getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
		n = len / sizeof(gid_t);
	for (i = 0; i < s->nallow; i++) {
		if (!s->allow[i].group) {
			if (s->allow[i].id == cred->uid)
				return true;
			continue;
		}
		if (s->allow[i].id == cred->gid)
			return true;
		for (k = 0; k < n; k++)
			if (groups[k] == s->allow[i].id)
				return true;
	}
	return false;
}

/*
 * The socket's owner, group and mode: one user (and at most one group) or one group can be
 * said with them; a longer list cannot, and then SO_PEERCRED alone decides. The mode is
 * given at bind() (the umask), the owner through an O_PATH fd of what is at the path once
 * it is checked to be our socket: chown()/chmod() of the path would follow a symlink that
 * whoever can write the directory put there meanwhile, and give them a file of root's.
 */
struct sock_mode {
	mode_t mode;
	bool chown;
	uid_t uid;
	gid_t gid;
};

static void plan_socket_mode(const struct serve *s, struct sock_mode *m, char *desc, size_t len)
{
	size_t users = 0, groups = 0, i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < s->nallow; i++) {
		if (s->allow[i].group) {
			groups++;
			m->gid = s->allow[i].id;
		} else {
			users++;
			m->uid = s->allow[i].id;
		}
	}
	if (users <= 1 && groups <= 1) {
		m->mode = groups ? 0660 : 0600;
		m->chown = true;
		snprintf(desc, len, "mode %04o, owner uid %u, group gid %u", (unsigned)m->mode,
			 (unsigned)m->uid, (unsigned)m->gid);
	} else {
		m->mode = 0666;
		snprintf(desc, len, "mode 0666: %zu users and %zu groups cannot be said with a mode, "
			 "SO_PEERCRED decides", users, groups);
	}
}

static int set_socket_owner(const struct serve *s, const struct sock_mode *m)
{
	struct stat st;
	int fd, ret = -1;

	if (!m->chown)
		return 0;
	fd = open(s->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		err_msg("cannot open %s to give it to uid %u gid %u: %s", s->path, (unsigned)m->uid,
			(unsigned)m->gid, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISSOCK(st.st_mode) || st.st_uid != geteuid()) {
		err_msg("%s is no longer the socket vfioctl serve created (something replaced it "
			"after bind: is its directory writable by others?): not changing its owner; "
			"use a directory only root can write", s->path);
		goto out;
	}
	if (fchownat(fd, "", m->uid, m->gid, AT_EMPTY_PATH)) {
		err_msg("cannot give %s to uid %u gid %u: %s", s->path, (unsigned)m->uid,
			(unsigned)m->gid, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

/*
 * A listening socket at the path, created with @mode: a stale socket file is replaced,
 * anything else refused.
 */
static int listen_at(struct serve *s, mode_t mode)
{
	struct sockaddr_un sa;
	struct stat st;
	mode_t old;
	int fd, probe, ret, err;

	if (socket_addr(s->path, &sa))
		return -1;
	if (!lstat(s->path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			err_msg("%s exists and is not a socket: remove it or choose another path",
				s->path);
			return -1;
		}
		/*
		 * Stale only when nobody listens there (ECONNREFUSED): a listener of another
		 * socket type (EPROTOTYPE) or with a full backlog (EAGAIN) is a live program's.
		 */
		probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		ret = probe >= 0 ? connect(probe, (struct sockaddr *)&sa, sizeof(sa)) : -1;
		err = errno;
		if (probe >= 0)
			close(probe);
		if (!ret) {
			err_msg("another server listens on %s already: stop it first", s->path);
			return -1;
		}
		if (probe < 0) {
			err_msg("socket: %s", strerror(err));
			return -1;
		}
		if (err != ECONNREFUSED && err != ENOENT) {
			err_msg("%s is in use by another program (connect: %s): stop it or choose "
				"another path", s->path, strerror(err));
			return -1;
		}
		unlink(s->path);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		err_msg("socket: %s", strerror(errno));
		return -1;
	}
	/* Created with its mode, owned by root: nobody else connects before the owner is set. */
	old = umask(~mode & 0777);
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (ret || listen(fd, 16)) {
		err_msg("cannot listen on %s: %s", s->path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* A group of the bundle that is no longer viable: its number, or -1. */
static int lost_viability(struct vfiox_bundle *b)
{
	bool viable, attached;
	size_t i;

	for (i = 0; i < vfiox_bundle_num_fds(b); i++) {
		int id = vfiox_bundle_fd_group(b, i);

		if (vfiox_bundle_fd_kind(b, i) != VFIOX_HANDOVER_GROUP)
			continue;
		if (vfiox_vgroup_status(vfiox_bundle_group(b, id), &viable, &attached) ||
		    !viable || !attached)
			return id;
	}
	return -1;
}

static void serve_peer(struct vfiox_ctx *ctx, struct serve *s, struct vfiox_bundle *b, int fd)
{
	struct ucred cred = { 0 };
	socklen_t len = sizeof(cred);
	char who[96], why[240], names[VFIOX_HANDOVER_MAX_FDS * 48];
	struct vfiox_bundle *fresh = NULL;
	int lost;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		fprintf(stderr, "vfioctl serve: a peer without credentials (SO_PEERCRED: %s): "
			"dropped\n", strerror(errno));
		s->refused++;
		return;
	}
	peer_name(cred.uid, who, sizeof(who));
	if (!peer_allowed(s, fd, &cred)) {
		snprintf(why, sizeof(why), "%.80s is not allowed by this vfioctl serve (--allow %.80s)",
			 who, s->allowed);
		vfiox_handover_refuse(ctx, fd, why, 0);
		fprintf(stderr, "vfioctl serve: refused pid %d, %s: not allowed\n", (int)cred.pid,
			who);
		s->refused++;
		return;
	}
	if (s->backend == VFIOX_BACKEND_IOMMUFD) {
		/* Opening checks again what a hand-over needs: viable, held nowhere. */
		if (vfiox_bundle_open_backend(ctx, s->args->groups, s->args->ngroups,
					      s->args->devs, s->args->ndevs, 0,
					      VFIOX_BACKEND_IOMMUFD, &fresh)) {
			snprintf(why, sizeof(why), "%.235s", vfiox_ctx_last_error(ctx));
			vfiox_handover_refuse(ctx, fd, why, 0);
			fprintf(stderr, "vfioctl serve: refused pid %d, %s: %s\n", (int)cred.pid,
				who, why);
			s->refused++;
			return;
		}
		b = fresh;
	}
	lost = lost_viability(b);
	if (lost >= 0) {
		snprintf(why, sizeof(why), "IOMMU group %d is no longer viable: a member was bound to "
			 "a host driver ('vfioctl show %d')", lost, lost);
		vfiox_handover_refuse(ctx, fd, why, 0);
		fprintf(stderr, "vfioctl serve: refused pid %d, %s: %s\n", (int)cred.pid, who, why);
		s->refused++;
		return;
	}
	if (vfiox_bundle_send(b, fd, 0)) {
		fprintf(stderr, "vfioctl serve: pid %d, %s: %s (dropped)\n", (int)cred.pid, who,
			vfiox_ctx_last_error(ctx));
		s->refused++;
		vfiox_bundle_free(fresh);
		return;
	}
	bundle_summary(b, names, sizeof(names));
	fprintf(stderr, "vfioctl serve: handed %s to pid %d, %s\n", names, (int)cred.pid, who);
	s->served++;
	/* The peer has them now; ours would keep the cdevs open (held) for the next one. */
	vfiox_bundle_free(fresh);
}

static int serve_loop(struct vfiox_ctx *ctx, struct serve *s, struct vfiox_bundle *b, int lfd,
		      int sfd)
{
	struct pollfd p[2] = { { .fd = lfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
	struct signalfd_siginfo si;

	for (;;) {
		int fd;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			err_msg("poll: %s", strerror(errno));
			return EXIT_FAIL;
		}
		if (p[1].revents) {
			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				si.ssi_signo = SIGTERM;
			fprintf(stderr, "vfioctl serve: %s: stopped after %lu hand-overs and %lu "
				"refusals, %s removed\n", strsignal((int)si.ssi_signo), s->served,
				s->refused, s->path);
			return EXIT_OK;
		}
		if (!p[0].revents)
			continue;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			       errno == ENOMEM)) {
			/* the peer stays queued and the socket readable: pause, do not spin */
			fprintf(stderr, "vfioctl serve: cannot accept a peer: %s; trying again\n",
				strerror(errno));
			poll(&p[1], 1, 100);
			continue;
		}
		if (fd < 0)
			continue; /* the peer left before we looked: the next one */
		serve_peer(ctx, s, b, fd);
		close(fd);
	}
}

static int run_serve(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "allow", required_argument, NULL, 'a' },
		{ "group", required_argument, NULL, 'g' },
		{ "backend", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct bundle_args a = { .ngroups = 0 };
	struct serve s = { .nallow = 0 };
	struct vfiox_bundle *b = NULL;
	struct sock_mode sm;
	char mode[160], names[VFIOX_HANDOVER_MAX_FDS * 48];
	sigset_t sigs, old;
	int c, ret, lfd, sfd;

	while ((c = getopt_long(argc, argv, "s:a:g:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			s.path = optarg;
			break;
		case 'a':
			ret = parse_allow(&s, optarg);
			if (ret)
				return ret;
			break;
		case 'g':
			ret = bundle_args_group(&cmd_serve, &a, optarg);
			if (ret)
				return ret;
			break;
		case 'B':
			a.backend_arg = optarg;
			break;
		default:
			return verb_option_end(&cmd_serve, c, argv);
		}
	}
	if (!s.path)
		return usage_error(&cmd_serve, "--socket PATH is needed: where peers connect");
	if (!s.nallow)
		return usage_error(&cmd_serve, "--allow USER or --allow @GROUP is needed: who may "
				   "have the devices");
	ret = bundle_args_devices(&cmd_serve, &a, argc - optind, argv + optind);
	if (ret)
		return ret;
	if (bundle_args_open(ctx, &a, &b))
		return EXIT_FAIL;
	s.args = &a;
	s.backend = vfiox_bundle_backend(b);
	bundle_summary(b, names, sizeof(names));
	if (s.backend == VFIOX_BACKEND_IOMMUFD) {
		/* Checked; each peer gets its own, opened when it comes. */
		vfiox_bundle_free(b);
		b = NULL;
	}
	ret = EXIT_FAIL;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &sigs, &old) || (sfd = signalfd(-1, &sigs, SFD_CLOEXEC)) < 0) {
		err_msg("signalfd: %s", strerror(errno));
		goto out;
	}
	plan_socket_mode(&s, &sm, mode, sizeof(mode));
	lfd = listen_at(&s, sm.mode);
	if (lfd < 0)
		goto out_sig;
	test_stop_hook(NULL, 1, "the socket is bound, its owner not set yet");
	if (set_socket_owner(&s, &sm))
		goto out_listen;
	fprintf(stderr, "vfioctl serve: listening on %s (%s; allowed: %s) with %s%s\n", s.path,
		mode, s.allowed, names, s.backend == VFIOX_BACKEND_IOMMUFD ?
		", opened afresh for each peer (a cdev binds once)" : "");
	ret = serve_loop(ctx, &s, b, lfd, sfd);
out_listen:
	close(lfd);
	unlink(s.path);
out_sig:
	close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	vfiox_bundle_free(b);
	return ret;
}

const struct cmd cmd_serve = {
	.name = "serve",
	.args = "--socket PATH --allow USER|@GROUP... [--backend B] [--group N]... [DEVICE...]",
	.summary = "keep the VFIO fds of devices and hand them to each allowed peer that asks",
	.help = "  --socket PATH   the socket to create (AF_UNIX, SOCK_SEQPACKET)\n"
		"  --allow USER    a user (name or uid) who may have the bundle (repeatable)\n"
		"  --allow @GROUP  the members of a group (name or gid)\n"
		"  --backend B     auto (default: $VFIOX_BACKEND, else auto), type1 or iommufd\n"
		"  DEVICE          PCI address of a device on vfio-pci: its group and its device fd\n"
		"                  (iommufd: its cdev)\n"
		"  --group N       IOMMU group N (iommufd: the cdevs of its devices on vfio-pci)\n"
		"\n"
		"A peer connects and receives the hand-over message and the fds; a peer not allowed\n"
		"gets a refusal naming its uid. One log line per peer on stderr; SIGTERM stops it.\n"
		"An iommufd bundle is opened afresh for each peer (a cdev binds once): the next\n"
		"peer gets it once the one before has closed it.\n",
	.run = run_serve,
};
