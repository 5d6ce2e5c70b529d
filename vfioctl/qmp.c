// SPDX-License-Identifier: GPL-2.0-or-later
/* The QMP client of vfioctl qmp: a UNIX stream socket, lines in, commands and fds out. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "qmp.h"

static int why(struct qmp_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int why(struct qmp_conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return -1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* One line (without its "\r\n") into @out, NUL-terminated; its length or -1. */
static long read_line(struct qmp_conn *c, char *out, size_t outlen)
{
	long deadline = now_ms() + c->timeout_ms;

	for (;;) {
		char *nl = memchr(c->in, '\n', c->inlen);
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		long left;
		ssize_t n;

		if (nl) {
			size_t len = (size_t)(nl - c->in), keep = len;

			if (keep && c->in[keep - 1] == '\r')
				keep--;
			if (keep >= outlen)
				return why(c, "%s sent a line of %zu bytes, longer than %zu", c->path,
					   keep, outlen - 1);
			memcpy(out, c->in, keep);
			out[keep] = '\0';
			memmove(c->in, nl + 1, c->inlen - len - 1);
			c->inlen -= len + 1;
			return (long)keep;
		}
		if (c->inlen == QMP_MAX_LINE)
			return why(c, "%s sent more than %d bytes without a newline", c->path,
				   QMP_MAX_LINE);
		left = deadline - now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) != 1)
			return why(c, "%s said nothing for %d ms", c->path, c->timeout_ms);
		n = recv(c->fd, c->in + c->inlen, QMP_MAX_LINE - c->inlen, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return why(c, "reading from %s: %s", c->path, strerror(errno));
		if (n == 0)
			return why(c, "%s closed the connection%s", c->path,
				   c->version.major ? "" : " before greeting");
		c->inlen += (size_t)n;
	}
}

static int send_all(struct qmp_conn *c, const char *buf, size_t len, const int *fds, size_t nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * 64)];
	} cm;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct pollfd p = { .fd = c->fd, .events = POLLOUT };
	ssize_t n;

	if (nfds > 64)
		return why(c, "more than 64 fds in one message");
	if (nfds) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm.h.cmsg_level = SOL_SOCKET;
		cm.h.cmsg_type = SCM_RIGHTS;
		cm.h.cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(&cm.h), fds, sizeof(int) * nfds);
	}
	while (iov.iov_len) {
		if (poll(&p, 1, c->timeout_ms) != 1)
			return why(c, "%s takes nothing for %d ms", c->path, c->timeout_ms);
		n = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return why(c, "writing to %s: %s", c->path, strerror(errno));
		/* The fds went with the first bytes. */
		msg.msg_control = NULL;
		msg.msg_controllen = 0;
		iov.iov_base = (char *)iov.iov_base + n;
		iov.iov_len -= (size_t)n;
	}
	return 0;
}

int qmp_exec_args(struct qmp_conn *c, const char *cmd, const struct qmp_arg *args, size_t nargs,
		  const int *fds, size_t nfds, struct qmp_reply *r, char *line, size_t linelen)
{
	char out[1024], id[32], in[QMP_MAX_LINE + 1], w[256];
	long n;
	int len;

	snprintf(id, sizeof(id), "vfioctl-%u", ++c->seq);
	len = qmp_encode_args(out, sizeof(out), cmd, id, args, nargs);
	if (len < 0)
		return why(c, "%s: the command does not fit in %zu bytes", cmd, sizeof(out));
	if (send_all(c, out, (size_t)len, fds, nfds))
		return -1;
	for (;;) {
		n = read_line(c, in, sizeof(in));
		if (n < 0)
			return -1;
		if (qmp_parse_reply(in, (size_t)n, r, w, sizeof(w)))
			return why(c, "%s answered %s with something that is not QMP: %s (\"%.80s\")",
				   c->path, cmd, w, in);
		if (r->kind == QMP_EVENT)
			continue;
		if (strcmp(r->id, id))
			return why(c, "%s answered %s with the reply to another command (id \"%s\")",
				   c->path, cmd, r->id);
		if (line)
			snprintf(line, linelen, "%s", in);
		if (r->kind == QMP_ERROR)
			return why(c, "QEMU refused %s: %s (%s)", cmd, r->desc,
				   r->cls[0] ? r->cls : "no class");
		return 0;
	}
}

int qmp_exec(struct qmp_conn *c, const char *cmd, const char *fdname, const char *opaque,
	     const int *fds, size_t nfds, struct qmp_reply *r, char *line, size_t linelen)
{
	struct qmp_arg a = { fdname ? "fdname" : "opaque", fdname ? fdname : opaque, 0 };

	return qmp_exec_args(c, cmd, &a, fdname || opaque ? 1 : 0, fds, nfds, r, line, linelen);
}

int qmp_has_type(struct qmp_conn *c, const char *type, bool *found)
{
	static char line[QMP_MAX_LINE + 1];
	const struct qmp_arg a = { "implements", type, 0 };
	struct qmp_reply r;
	char w[256];

	if (qmp_exec_args(c, "qom-list-types", &a, 1, NULL, 0, &r, line, sizeof(line)))
		return -1;
	if (qmp_parse_type_list(line, strlen(line), type, found, w, sizeof(w)))
		return why(c, "qom-list-types: %s", w);
	return 0;
}

int qmp_open(struct qmp_conn *c, const char *path, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char line[QMP_MAX_LINE + 1], w[256];
	struct qmp_reply r;
	long n;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->path = path;
	c->timeout_ms = timeout_ms;
	if (strlen(path) >= sizeof(sa.sun_path))
		return why(c, "socket path '%s' is longer than %zu bytes", path,
			   sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, strlen(path));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return why(c, "socket: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return why(c, "cannot connect to %s: %s%s", path, strerror(errno),
			   errno == ENOENT || errno == ECONNREFUSED
				   ? " (is QEMU running with -qmp unix:PATH,server=on,wait=off?)"
				   : "");
	n = read_line(c, line, sizeof(line));
	if (n < 0)
		return -1;
	if (qmp_parse_greeting(line, (size_t)n, &c->version, w, sizeof(w)))
		return why(c, "%s did not greet as a QMP monitor: %s (it said \"%.80s\")", path, w,
			   line);
	if (qmp_exec(c, "qmp_capabilities", NULL, NULL, NULL, 0, &r, NULL, 0))
		return -1;
	return 0;
}

#define MAX_LISTED 256

/* Every fd added is in QEMU's list, in the set it said, as the fd it said, with its name. */
static int check_fdsets(struct qmp_conn *c, const struct qmp_given *given, size_t n)
{
	static char line[QMP_MAX_LINE + 1];
	static struct qmp_fdset_fd fds[MAX_LISTED];
	struct qmp_reply r;
	char w[256];
	size_t listed, i, k;

	if (qmp_exec(c, "query-fdsets", NULL, NULL, NULL, 0, &r, line, sizeof(line)))
		return -1;
	if (qmp_parse_fdsets(line, strlen(line), fds, MAX_LISTED, &listed, w, sizeof(w)))
		return why(c, "query-fdsets: %s", w);
	for (i = 0; i < n; i++) {
		const char *name = given[i].qmp_name ? given[i].qmp_name : given[i].name;

		for (k = 0; k < listed && k < MAX_LISTED; k++)
			if (fds[k].fdset_id == given[i].fdset_id && fds[k].fd == given[i].fd &&
			    !strcmp(fds[k].opaque, name))
				break;
		if (k == listed || k == MAX_LISTED)
			return why(c, "QEMU said it added %s as fd %lld of fd set %lld, but "
				   "query-fdsets does not list it", name, given[i].fd,
				   given[i].fdset_id);
	}
	return 0;
}

int qmp_give_fds(struct qmp_conn *c, bool fdset, const int *fds, struct qmp_given *given,
		 size_t n)
{
	struct qmp_reply r;
	size_t i;

	for (i = 0; i < n; i++) {
		given[i].passed = given[i].consumed = false;
		given[i].fdset_id = given[i].fd = -1;
	}
	for (i = 0; i < n; i++) {
		const char *name = given[i].qmp_name ? given[i].qmp_name : given[i].name;

		if (qmp_exec(c, fdset ? "add-fd" : "getfd", fdset ? NULL : name,
			     fdset ? name : NULL, &fds[i], 1, &r, NULL, 0)) {
			char was[sizeof(c->why)];

			snprintf(was, sizeof(was), "%s", c->why);
			return why(c, "%s (%zu of %zu fds passed before)", was, i, n);
		}
		if (fdset && (r.fdset_id < 0 || r.fd < 0))
			return why(c, "add-fd of %s returned no fd set and fd", name);
		given[i].passed = true;
		given[i].fdset_id = r.fdset_id;
		given[i].fd = r.fd;
	}
	return fdset ? check_fdsets(c, given, n) : 0;
}

/* getfd's fdname or QEMU's fd number (add-fd), as the fd= of an object or device. */
static const char *fd_ref(bool fdset, const struct qmp_given *g, char *buf, size_t len)
{
	if (!fdset)
		return g->qmp_name ? g->qmp_name : g->name;
	snprintf(buf, len, "%lld", g->fd);
	return buf;
}

int qmp_attach_iommufd(struct qmp_conn *c, bool fdset, struct qmp_given *given, size_t n,
		       const char *obj_id, char (*dev_ids)[64], struct qmp_sent *sent,
		       char (*errors)[512], size_t *nsent)
{
	char ref[32];
	struct qmp_reply r;
	size_t i;

	*nsent = 0;
	if (!n || strcmp(given[0].kind, "iommufd"))
		return why(c, "not an iommufd bundle: nothing to attach");
	for (i = 0; i < n; i++) {
		bool object = i == 0;
		const char *fd = fd_ref(fdset, &given[i], ref, sizeof(ref));
		struct qmp_sent *s = &sent[(*nsent)++];
		int ret;

		if (!object && qmp_vfio_dev_id(dev_ids[i], sizeof(dev_ids[i]), given[i].device) < 0)
			return why(c, "%s: no device id", given[i].name);
		s->execute = object ? "object-add" : "device_add";
		s->id = object ? obj_id : dev_ids[i];
		if (object) {
			const struct qmp_arg a[] = { { "qom-type", "iommufd", 0 },
						     { "id", obj_id, 0 }, { "fd", fd, 0 } };

			ret = qmp_exec_args(c, "object-add", a, 3, NULL, 0, &r, NULL, 0);
		} else {
			const struct qmp_arg a[] = { { "driver", "vfio-pci", 0 },
						     { "id", dev_ids[i], 0 },
						     { "iommufd", obj_id, 0 }, { "fd", fd, 0 } };

			ret = qmp_exec_args(c, "device_add", a, 4, NULL, 0, &r, NULL, 0);
		}
		s->ok = ret == 0;
		snprintf(errors[i], sizeof(errors[i]), "%.511s", ret ? c->why : "");
		s->error = ret ? errors[i] : NULL;
		if (ret)
			return -1;
		/* QEMU took the fd from the monitor's list (monitor_fd_param()) */
		given[i].consumed = true;
	}
	return 0;
}

void qmp_close(struct qmp_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
