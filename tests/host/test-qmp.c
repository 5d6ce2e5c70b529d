// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfioctl qmp's client (vfioctl/qmp.c, qmp-msg.c) against a real QEMU: Debian's
 * qemu-system-x86_64 started here with -machine none -display none -S and a QMP socket.
 * Fds go over SCM_RIGHTS with getfd (then closefd finds them: QEMU held them) and add-fd
 * (then query-fdsets lists them with their names); a QMP error, a server that greets
 * wrongly, one that closes at once and one that says nothing are each reported clearly.
 * The fds are memfds named like a bundle's: the host has no VFIO, and QEMU does not look
 * at what an fd is when it takes it. (The VM's guest, which has VFIO, has no QEMU.)
 *
 * Prints TAP and "N passed, M failed"; exits 1 when a test failed. Without
 * qemu-system-x86_64 prints "1..0 # SKIP <reason>" and exits 0.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qmp.h"

#include "host-tap.h"

static char *find_qemu(void)
{
	static char path[4096];
	const char *env = getenv("PATH");
	char *copy, *dir, *save = NULL;

	copy = strdup(env ? env : "/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(path, sizeof(path), "%s/qemu-system-x86_64", dir);
		if (!access(path, X_OK)) {
			free(copy);
			return path;
		}
	}
	free(copy);
	return NULL;
}

static void wait_for(const char *path)
{
	struct timespec ts = { 0, 20000000 };
	struct stat st;
	int i;

	for (i = 0; i < 500 && stat(path, &st); i++)
		nanosleep(&ts, NULL);
}

/* A fake monitor at @path that accepts one connection and does @what with it. */
static pid_t fake_server(const char *path, const char *what)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), c;
	pid_t pid;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		printf("Bail out! %s is too long for a socket\n", path);
		exit(1);
	}
	memcpy(sa.sun_path, path, strlen(path));
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
		printf("Bail out! fake server at %s: %s\n", path, strerror(errno));
		exit(1);
	}
	pid = fork();
	if (pid) {
		close(fd);
		return pid;
	}
	c = accept(fd, NULL, NULL);
	if (!strcmp(what, "wrong"))
		dprintf(c, "{\"hello\": \"this is not QEMU\"}\r\n");
	if (!strcmp(what, "silent"))
		sleep(3);
	_exit(0);
}

static void fake_case(const char *dir, const char *what, int ms, const char *want, const char *desc)
{
	char path[256];
	struct qmp_conn *c = calloc(1, sizeof(*c));
	pid_t pid;
	int ret;

	snprintf(path, sizeof(path), "%s/fake-%s.sock", dir, what);
	pid = fake_server(path, what);
	ret = qmp_open(c, path, ms);
	check(ret == -1 && strstr(c->why, want), desc, "got %d: %s (want \"%s\")", ret, c->why,
	      want);
	qmp_close(c);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	free(c);
}

static int memfd(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0) {
		printf("Bail out! memfd_create: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

int main(void)
{
	static struct qmp_conn c;
	static char line[QMP_MAX_LINE + 1];
	char dir[] = "/tmp/vfiox-qmp.XXXXXX", sock[256], advice[600];
	const char *names[] = { "vfio-container", "vfio-group-12" };
	struct qmp_fdset_fd sets[16];
	long long set_id[2], qfd[2];
	struct qmp_reply r;
	char *qemu = find_qemu();
	size_t n, i, k;
	pid_t pid;
	int fd, ret;

	if (!qemu) {
		printf("1..0 # SKIP qemu-system-x86_64 is not installed (Debian: qemu-system-x86)\n");
		return 0;
	}
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(sock, sizeof(sock), "%s/qmp.sock", dir);
	pid = fork();
	if (!pid) {
		char arg[300];

		snprintf(arg, sizeof(arg), "unix:%s,server=on,wait=off", sock);
		execl(qemu, qemu, "-machine", "none", "-display", "none", "-S", "-nodefaults",
		      "-qmp", arg, (char *)NULL);
		_exit(127);
	}
	wait_for(sock);

	ret = qmp_open(&c, sock, 10000);
	check(ret == 0 && c.version.major > 0, "greeting and qmp_capabilities with a real QEMU",
	      "%s", c.why);
	if (ret)
		goto out;
	printf("# QEMU %d.%d.%d (%s)\n", c.version.major, c.version.minor, c.version.micro,
	       c.version.package);

	/* getfd: QEMU holds it under its name, which closefd proves (it fails for no such fd). */
	fd = memfd(names[1]);
	ret = qmp_exec(&c, "getfd", names[1], NULL, &fd, 1, &r, NULL, 0);
	close(fd);
	check(ret == 0 && r.kind == QMP_RETURN, "getfd with the fd in SCM_RIGHTS is accepted", "%s",
	      c.why);
	ret = qmp_exec(&c, "closefd", names[1], NULL, NULL, 0, &r, NULL, 0);
	check(ret == 0, "QEMU held it: closefd finds vfio-group-12", "%s", c.why);
	ret = qmp_exec(&c, "closefd", names[1], NULL, NULL, 0, &r, NULL, 0);
	check(ret == -1 && r.kind == QMP_ERROR && strstr(c.why, "QEMU refused closefd:") &&
		      strstr(c.why, "GenericError"),
	      "a QMP error is reported with QEMU's words and class", "%s", c.why);
	printf("#   %s\n", c.why);
	ret = qmp_exec(&c, "getfd", "vfio-group-13", NULL, NULL, 0, &r, NULL, 0);
	check(ret == -1 && strstr(c.why, "SCM_RIGHTS"),
	      "getfd without an fd: QEMU's refusal names SCM_RIGHTS", "%s", c.why);

	/* add-fd: a new set each, listed by query-fdsets with the names as opaque. */
	for (i = 0; i < 2; i++) {
		fd = memfd(names[i]);
		ret = qmp_exec(&c, "add-fd", NULL, names[i], &fd, 1, &r, NULL, 0);
		close(fd);
		set_id[i] = r.fdset_id;
		qfd[i] = r.fd;
		check(ret == 0 && r.fdset_id >= 0 && r.fd >= 0, "add-fd returns an fd set and fd",
		      "%s", c.why);
	}
	check(set_id[0] != set_id[1], "each fd in a set of its own", "sets %lld %lld", set_id[0],
	      set_id[1]);
	ret = qmp_exec(&c, "query-fdsets", NULL, NULL, NULL, 0, &r, line, sizeof(line));
	ret = ret || qmp_parse_fdsets(line, strlen(line), sets, 16, &n, advice, sizeof(advice));
	for (i = 0, k = 0; !ret && i < 2; i++)
		for (size_t j = 0; j < n && j < 16; j++)
			k += sets[j].fdset_id == set_id[i] && sets[j].fd == qfd[i] &&
			     !strcmp(sets[j].opaque, names[i]);
	check(!ret && k == 2, "query-fdsets lists both fds, in their sets, with their names",
	      "ret %d, %zu listed, %zu matched: %s", ret, n, k, line);

	check(!qmp_vfio_fd_advice(&c.version, advice, sizeof(advice)) == (c.version.major < 9),
	      "the advice follows the version (fd-taking VFIO from 9.0 on)", "%s", advice);
	printf("#   %s\n", advice);
	qmp_close(&c);

	/* The same socket once QEMU is gone. */
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	pid = 0;
	ret = qmp_open(&c, sock, 1000);
	check(ret == -1 && strstr(c.why, "cannot connect") && strstr(c.why, "-qmp unix:"),
	      "no QEMU behind the socket: cannot connect, and how to start one", "%s", c.why);
	qmp_close(&c);

	fake_case(dir, "wrong", 2000, "did not greet as a QMP monitor",
		  "a server with another greeting is named as no QMP monitor");
	fake_case(dir, "closed", 2000, "closed the connection before greeting",
		  "a server that closes at once: the connection closed before the greeting");
	fake_case(dir, "silent", 300, "said nothing for 300 ms",
		  "a silent server: given up after the timeout");
out:
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	unlink(sock);
	for (i = 0; i < 3; i++) {
		static const char *const w[] = { "wrong", "closed", "silent" };

		snprintf(line, sizeof(line), "%s/fake-%s.sock", dir, w[i]);
		unlink(line);
	}
	rmdir(dir);
	return tap_finish();
}
