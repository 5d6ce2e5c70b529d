// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfioctl qmp's client (vfioctl/qmp.c, qmp-msg.c) against a real QEMU: Debian's
 * qemu-system-x86_64 started here with -machine none -display none -S and a QMP socket.
 * Fds go over SCM_RIGHTS with getfd (then closefd finds them: QEMU held them) and add-fd
 * (then query-fdsets lists them with their names); a QMP error, a server that greets
 * wrongly, one that closes at once and one that says nothing are each reported clearly.
 * The fds are memfds named like a bundle's: the host has no VFIO, and QEMU does not look
 * at what an fd is when it takes it. (The VM's guest, which has VFIO, has no QEMU.)
 * The verb itself cannot run here (it opens a VFIO bundle first), so what it does after
 * that runs instead: qmp_give_fds() with getfd and add-fd, and a refusal midway, each
 * followed by its --json report (qmp_report_json()), whose fields are checked against
 * QEMU: the fdnames by closefd, the fd sets, fds and names by query-fdsets.
 *
 * The iommufd side against the same QEMU (7.2 in Debian 12, which has no iommufd object):
 * getfd of the names vfioctl qmp gives an iommufd bundle's fds; qom-list-types, which says
 * a type is there (memory-backend-ram) or not (iommufd); the refusal of a QEMU before 9.0;
 * object-add forced on it, refused with QEMU's own words, the fds then still QEMU's; the
 * -object and -device arguments given to QEMU's own option parser (it gets past the syntax
 * to the type and property 7.2 does not have). And the verb itself, run on a fake host
 * (mkfixture's "base" with plain files for /dev/iommu and the cdev, which the sender opens
 * and never binds): refused before anything is sent, and with --force --attach --json
 * QEMU's refusal in the report, each checked against QEMU afterwards by closefd.
 *
 * Prints TAP and "N passed, M failed"; exits 1 when a test failed. Without
 * qemu-system-x86_64 prints "1..0 # SKIP <reason>" and exits 0.
 */
#include <errno.h>
#include <fcntl.h>
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

/* build/ from this binary's path (build/tests/host/test-qmp), for vfioctl and mkfixture. */
static const char *build_dir(void)
{
	static char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *p;
	int i;

	if (n <= 0)
		return NULL;
	path[n] = '\0';
	for (i = 0; i < 3; i++) {
		p = strrchr(path, '/');
		if (!p)
			return NULL;
		*p = '\0';
	}
	return path;
}

/* Runs @argv with @env added; stdout and stderr into @out and @err; its exit status. */
static int run_cmd(char *const *argv, char *const *env, const char *out, const char *err)
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		int i, o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		for (i = 0; env && env[i]; i++)
			putenv(env[i]);
		dup2(o, 1);
		dup2(e, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static char file_buf[65536];

static const char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, file_buf, sizeof(file_buf) - 1);

	if (fd >= 0)
		close(fd);
	file_buf[n > 0 ? n : 0] = '\0';
	return file_buf;
}

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

/* What vfioctl qmp does after opening its bundle: qmp_give_fds, then qmp_report_json. */
static struct qmp_given given[2];
static struct qj_doc jdoc;
static char report_buf[16384], why[256];

static int give(struct qmp_conn *c, bool fdset, const char *const *names, size_t n)
{
	int fds[2], ret;
	size_t i;

	for (i = 0; i < n; i++) {
		bool group = !strncmp(names[i], "vfio-group-", 11);

		given[i] = (struct qmp_given){ .name = names[i],
					       .kind = group ? "group" : "container",
					       .group = group ? 12 : -1 };
		fds[i] = memfd(names[i]);
	}
	ret = qmp_give_fds(c, fdset, fds, given, n);
	for (i = 0; i < n; i++)
		close(fds[i]);
	return ret;
}

/* The report, parsed back; 0 when it says ok, -1 when it says not, -2 when it is broken. */
static int report_of(struct qmp_conn *c, bool fdset, const char *error, size_t n)
{
	struct qmp_report rep = { .socket = c->path, .ok = !error, .error = error,
				  .version = &c->version, .fdset = fdset, .fds = given,
				  .nfds = n };
	int len = qmp_report_json(report_buf, sizeof(report_buf), &rep), k;

	snprintf(why, sizeof(why), "the report does not fit");
	if (len < 0 || qj_parse(report_buf, (size_t)len, &jdoc, why, sizeof(why)))
		return -2;
	k = qj_get(&jdoc, 0, "schema");
	if (k < 0 || jdoc.n[k].type != QJ_STR || strcmp(jdoc.n[k].str, "vfioctl/qmp/1") ||
	    (k = qj_get(&jdoc, 0, "ok")) < 0) {
		snprintf(why, sizeof(why), "no schema vfioctl/qmp/1 or no ok in the report");
		return -2;
	}
	return jdoc.n[k].b ? 0 : -1;
}

/* report_of() for an iommufd bundle after --attach sent @n commands. */
static int report_of_attach(struct qmp_conn *c, const struct qmp_sent *sent, size_t n)
{
	struct qmp_report rep = { .socket = c->path, .ok = false, .error = c->why,
				  .version = &c->version, .fds = given, .nfds = 2,
				  .backend = "iommufd", .iommufd_id = "vfiox-iommufd",
				  .attach = true, .sent = sent, .nsent = n };
	int len = qmp_report_json(report_buf, sizeof(report_buf), &rep), k;

	if (len < 0 || qj_parse(report_buf, (size_t)len, &jdoc, why, sizeof(why)))
		return -2;
	k = qj_get(&jdoc, 0, "ok");
	return k >= 0 && jdoc.n[k].b ? 0 : -1;
}

static int jtype(int obj, const char *key)
{
	int k = obj >= 0 ? qj_get(&jdoc, obj, key) : -1;

	return k < 0 ? -1 : (int)jdoc.n[k].type;
}

static const char *jstr(int obj, const char *key)
{
	int k = obj >= 0 ? qj_get(&jdoc, obj, key) : -1;

	return k >= 0 && jdoc.n[k].type == QJ_STR ? jdoc.n[k].str : "";
}

static long long jnum(int obj, const char *key)
{
	int k = obj >= 0 ? qj_get(&jdoc, obj, key) : -1;

	return k >= 0 && jdoc.n[k].type == QJ_NUM ? jdoc.n[k].num : -1;
}

static bool jtrue(int obj, const char *key)
{
	int k = obj >= 0 ? qj_get(&jdoc, obj, key) : -1;

	return k >= 0 && jdoc.n[k].type == QJ_BOOL && jdoc.n[k].b;
}

static int jnth(int arr, int i)
{
	int k = arr >= 0 && jdoc.n[arr].type == QJ_ARR ? jdoc.n[arr].child : -1;

	while (k >= 0 && i--)
		k = jdoc.n[k].next;
	return k;
}

static int jcount(const char *key)
{
	int k = jnth(qj_get(&jdoc, 0, key), 0), n = 0;

	for (; k >= 0; k = jdoc.n[k].next)
		n++;
	return n;
}

static int fd_entry(size_t i)
{
	return jnth(qj_get(&jdoc, 0, "fds"), (int)i);
}

/* The report's "qemu" is what the greeting said, and its advice is this version's. */
static void check_version_and_advice(struct qmp_conn *c)
{
	int q = qj_get(&jdoc, 0, "qemu");
	char v[64];

	snprintf(v, sizeof(v), "%d.%d.%d", c->version.major, c->version.minor, c->version.micro);
	check(q >= 0 && !strcmp(jstr(q, "version"), v) && jnum(q, "major") == c->version.major &&
		      jnum(q, "minor") == c->version.minor && jnum(q, "micro") == c->version.micro &&
		      !strcmp(jstr(q, "package"), c->version.package),
	      "the report's qemu version is the greeting's", "%s vs %s", report_buf, v);
	check(c->version.major >= 9 ? jtrue(0, "takes_vfio_fds") && jcount("qemu_args") == 0
				    : !jtrue(0, "takes_vfio_fds") && jtrue(0, "memlock") &&
					      jcount("access") == 2 &&
					      strstr(jstr(0, "advice"), "cannot use these fds"),
	      "the report's advice and arguments follow the version", "%s", report_buf);
}

/* vfioctl qmp's names for an iommufd bundle of 0000:03:00.0, given as memfds. */
static const char *const io_names[] = { "iommufd", "vfio-cdev-0000-03-00.0" };
static const char *const io_qmp[] = { "vfiox-iommufd", "vfiox-cdev-0000-03-00.0" };

static int give_iommufd(struct qmp_conn *c)
{
	int fds[2], ret;
	size_t i;

	for (i = 0; i < 2; i++) {
		given[i] = (struct qmp_given){ .name = io_names[i], .kind = i ? "cdev" : "iommufd",
					       .group = i ? 12 : -1,
					       .device = i ? "0000:03:00.0" : NULL,
					       .qmp_name = io_qmp[i] };
		fds[i] = memfd(io_names[i]);
	}
	ret = qmp_give_fds(c, false, fds, given, 2);
	for (i = 0; i < 2; i++)
		close(fds[i]);
	return ret;
}

/* QEMU's own parser on one -object or -device argument: what it says about it. */
static const char *qemu_says(const char *qemu, const char *dir, const char *opt, const char *arg)
{
	char out[300], err[300];
	char *argv[] = { (char *)qemu, "-machine", "q35", "-accel", "tcg", "-display", "none",
			 "-nodefaults", "-S", (char *)opt, (char *)arg, NULL };

	snprintf(out, sizeof(out), "%s/qemu.out", dir);
	snprintf(err, sizeof(err), "%s/qemu.err", dir);
	if (run_cmd(argv, NULL, out, err) < 0)
		return "(QEMU did not run)";
	return slurp(err);
}

/* The API's iommufd path with the real QEMU, on the open connection @c. */
static void iommufd_with_qemu(struct qmp_conn *c, const char *qemu, const char *dir)
{
	static struct qmp_sent sent[2];
	static char dev_ids[2][64], errors[2][512];
	struct qmp_reply r;
	char why_v[300], opt[300];
	const char *said;
	size_t nsent = 0, i;
	bool found = true;
	int ret;

	ret = give_iommufd(c);
	check(ret == 0 && given[0].passed && given[1].passed,
	      "getfd of an iommufd bundle's names (vfiox-iommufd, vfiox-cdev-0000-03-00.0)", "%s",
	      c->why);
	ret = qmp_has_type(c, "memory-backend-ram", &found);
	check(ret == 0 && found, "qom-list-types implements=memory-backend-ram lists it", "%d %s",
	      ret, c->why);
	ret = qmp_has_type(c, "iommufd", &found);
	check(ret == 0 && found == (c->version.major >= 9),
	      "qom-list-types implements=iommufd: listed from QEMU 9.0 on, not before",
	      "%d found %d: %s", ret, found, c->why);
	check(qmp_iommufd_version_ok(&c->version, why_v, sizeof(why_v)) == (c->version.major >= 9),
	      "the version check refuses a QEMU before 9.0, before anything is sent", "%s", why_v);
	printf("#   %s\n", why_v);
	/* forced: QEMU's own refusal, and the fds still QEMU's */
	ret = qmp_attach_iommufd(c, false, given, 2, "vfiox-iommufd", dev_ids, sent, errors,
				 &nsent);
	if (c->version.major < 9) {
		check(ret == -1 && nsent == 1 && !sent[0].ok &&
			      strstr(c->why, "QEMU refused object-add") && strstr(c->why, "iommufd") &&
			      !given[0].consumed,
		      "object-add of an iommufd is refused by QEMU before 9.0, in its own words",
		      "%d %zu: %s", ret, nsent, c->why);
		printf("#   %s\n", c->why);
		ret = report_of_attach(c, sent, nsent);
		check(ret == -1 && !strcmp(jstr(0, "backend"), "iommufd") &&
			      strstr(jstr(0, "error"), "QEMU refused object-add") &&
			      jcount("sent") == 1 && !jtrue(0, "attached") && !jtrue(0, "usable") &&
			      jcount("release") == 2,
		      "its --json: ok false, QEMU's words, one command sent, both fds to closefd",
		      "%s", report_buf);
	} else {
		/* -machine none: no PCI bus for device_add, but the object is QEMU's */
		check(nsent >= 1 && sent[0].ok, "object-add of the iommufd is taken by QEMU 9.0+",
		      "%s", c->why);
	}
	for (i = 0; i < 2; i++) {
		if (given[i].consumed)
			continue;
		ret = qmp_exec(c, "closefd", io_qmp[i], NULL, NULL, 0, &r, NULL, 0);
		check(ret == 0, "QEMU still holds the fds no command took (closefd)", "%s: %s",
		      io_qmp[i], c->why);
	}
	/* QEMU's option parser on the arguments vfioctl qmp prints */
	qmp_iommufd_opt(opt, sizeof(opt), "vfiox-iommufd", "vfiox-iommufd");
	said = qemu_says(qemu, dir, "-object", opt);
	check(c->version.major >= 9 ? !strstr(said, "does not accept") && !strstr(said, "expects")
				    : !!strstr(said, "Parameter 'qom-type' does not accept value "
						     "'iommufd'"),
	      "-object iommufd,id=vfiox-iommufd,fd=vfiox-iommufd parses; 7.2 lacks only the type",
	      "%s", said);
	printf("#   %s", said);
	qmp_vfio_opt(opt, sizeof(opt), "vfiox-0000-03-00.0", "vfiox-iommufd",
		     "vfiox-cdev-0000-03-00.0");
	said = qemu_says(qemu, dir, "-device", opt);
	check(c->version.major >= 9 ? !strstr(said, "not found") && !strstr(said, "expects")
				    : !!strstr(said, "Property 'vfio-pci.iommufd' not found"),
	      "-device vfio-pci,iommufd=...,fd=...,id=... parses; 7.2 lacks only the property",
	      "%s", said);
	printf("#   %s", said);
	said = qemu_says(qemu, dir, "-device", "vfio-pci,id=0bad");
	check(!!strstr(said, "expects an identifier"),
	      "(QEMU's parser does refuse a bad id: the check above can fail)", "%s", said);
}

/* The verb itself, on a fake host, against the QEMU on @sock (no other client connected). */
static void iommufd_verb(const char *sock, const char *dir, const struct qmp_version *qv)
{
	static struct qmp_conn v;
	const char *build = build_dir();
	char vfioctl[4200], mkfix[4200], sys[300], dev[300], path[600], out[300], err[300];
	char env_sys[400], env_dev[400];
	struct qmp_reply r;
	int ret, rc, f;

	if (!build) {
		check(0, "the build directory", "%s", "/proc/self/exe unreadable");
		return;
	}
	if (qv->major >= 9) {
		printf("ok %d - # SKIP vfioctl qmp's refusal of a QEMU before 9.0: this one is "
		       "%d.%d\n", ++num, qv->major, qv->minor);
		passed++;
		return;
	}
	snprintf(vfioctl, sizeof(vfioctl), "%s/vfioctl", build);
	snprintf(mkfix, sizeof(mkfix), "%s/tests/mkfixture", build);
	if (access(vfioctl, X_OK) || access(mkfix, X_OK)) {
		printf("ok %d - # SKIP vfioctl qmp itself: %s or %s is not built (make all "
		       "%s/tests/mkfixture)\n", ++num, vfioctl, mkfix, build);
		passed++;
		return;
	}
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	snprintf(dev, sizeof(dev), "%s/dev", dir);
	snprintf(out, sizeof(out), "%s/verb.out", dir);
	snprintf(err, sizeof(err), "%s/verb.err", dir);
	{
		char *argv[] = { mkfix, "base", sys, NULL };

		if (run_cmd(argv, NULL, out, err)) {
			check(0, "mkfixture base", "%s", slurp(err));
			return;
		}
	}
	snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:00:04.0/vfio-dev", sys);
	mkdir(path, 0755);
	strcat(path, "/vfio0");
	mkdir(path, 0755);
	strcat(path, "/dev");
	close(open(path, O_WRONLY | O_CREAT, 0644));
	mkdir(dev, 0755);
	snprintf(path, sizeof(path), "%s/vfio", dev);
	mkdir(path, 0755);
	strcat(path, "/devices");
	mkdir(path, 0755);
	strcat(path, "/vfio0");
	close(open(path, O_WRONLY | O_CREAT, 0644));
	snprintf(path, sizeof(path), "%s/iommu", dev);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	snprintf(env_sys, sizeof(env_sys), "VFIOX_SYSFS_ROOT=%s", sys);
	snprintf(env_dev, sizeof(env_dev), "VFIOX_DEV_ROOT=%s", dev);
	{
		char *env[] = { env_sys, env_dev, NULL };
		char *argv[] = { vfioctl, "qmp", "--socket", (char *)sock, "--backend", "iommufd",
				 "0000:00:04.0", NULL };

		rc = run_cmd(argv, env, out, err);
		check(rc == 1, "vfioctl qmp --backend iommufd to a QEMU before 9.0: exit 1",
		      "rc %d: %s", rc, slurp(err));
		check(!!strstr(slurp(err), "has no iommufd object") &&
			      !!strstr(file_buf, "nothing was sent"),
		      "vfioctl qmp says QEMU has no iommufd object and that nothing was sent", "%s",
		      file_buf);
		printf("#   %s", file_buf);
	}
	ret = qmp_open(&v, sock, 10000);
	ret = ret || qmp_exec(&v, "closefd", "vfiox-iommufd", NULL, NULL, 0, &r, NULL, 0) != -1;
	check(!ret, "and indeed QEMU holds no vfiox-iommufd (closefd fails)", "%s", v.why);
	qmp_close(&v);
	{
		char *env[] = { env_sys, env_dev, NULL };
		char *argv[] = { vfioctl, "qmp", "--socket", (char *)sock, "--backend", "iommufd",
				 "--force", "--attach", "--json", "0000:00:04.0", NULL };

		rc = run_cmd(argv, env, out, err);
		slurp(out);
		ret = qj_parse(file_buf, strlen(file_buf), &jdoc, why, sizeof(why));
		check(rc == 1 && !ret && !jtrue(0, "ok") &&
			      strstr(jstr(0, "error"), "QEMU refused object-add") &&
			      !strcmp(jstr(0, "backend"), "iommufd"),
		      "vfioctl qmp --force --attach --json: exit 1, QEMU's refusal of object-add in "
		      "the report", "rc %d, %s: %s", rc, why, file_buf);
		f = fd_entry(1);
		check(f >= 0 && !strcmp(jstr(f, "kind"), "cdev") &&
			      !strcmp(jstr(f, "fdname"), "vfiox-cdev-0000-00-04.0") &&
			      jtrue(f, "passed") && !jtrue(f, "consumed") && jcount("release") == 2 &&
			      jcount("sent") == 1 && !jtrue(0, "attached"),
		      "its report: the cdev passed and not taken, one command sent, two to release",
		      "%s", file_buf);
		printf("#   %s\n", jstr(0, "error"));
	}
	ret = qmp_open(&v, sock, 10000);
	ret = ret || qmp_exec(&v, "closefd", "vfiox-iommufd", NULL, NULL, 0, &r, NULL, 0);
	ret = ret || qmp_exec(&v, "closefd", "vfiox-cdev-0000-00-04.0", NULL, NULL, 0, &r, NULL, 0);
	check(!ret, "QEMU holds both fds the report says to release (closefd)", "%s", v.why);
	qmp_close(&v);
}

int main(void)
{
	static struct qmp_conn c;
	static char line[QMP_MAX_LINE + 1];
	char dir[] = "/tmp/vfiox-qmp.XXXXXX", sock[256], advice[600];
	const char *names[] = { "vfio-container", "vfio-group-12" };
	struct qmp_fdset_fd sets[16];
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

	/* vfioctl qmp's own path (qmp_give_fds, then its --json report) with getfd. */
	ret = give(&c, false, names, 2);
	check(ret == 0, "getfd of a bundle's fds as vfioctl qmp gives them", "%s", c.why);
	ret = report_of(&c, false, ret == 0 ? NULL : c.why, 2);
	check(ret == 0, "the --json report of getfd parses, schema vfioctl/qmp/1, ok, mode getfd", "%s", why);
	for (i = 0; i < 2; i++) {
		int f = fd_entry(i);

		check(f >= 0 && !strcmp(jstr(f, "fdname"), names[i]) && jtrue(f, "passed") &&
			      jtype(f, "fdset_id") == QJ_NULL,
		      "getfd report: the fd's fdname, passed, no fd set", "fd %zu: %s", i,
		      report_buf);
		ret = qmp_exec(&c, "closefd", names[i], NULL, NULL, 0, &r, NULL, 0);
		check(ret == 0, "QEMU holds the fd under the fdname the report gives (closefd)",
		      "%s: %s", names[i], c.why);
	}
	check_version_and_advice(&c);

	/* A refusal midway: QEMU takes no fdname that starts with a digit. */
	{
		const char *bad[] = { "vfio-container", "12-not-a-name" };
		int f;

		ret = give(&c, false, bad, 2);
		check(ret == -1 && strstr(c.why, "QEMU refused getfd") &&
			      strstr(c.why, "1 of 2 fds passed before"),
		      "a getfd refused midway is reported with QEMU's words and the count",
		      "%d: %s", ret, c.why);
		printf("#   %s\n", c.why);
		ret = report_of(&c, false, c.why, 2);
		f = fd_entry(1);
		check(ret == -1 && !jtrue(0, "ok") && strstr(jstr(0, "error"), "QEMU refused") &&
			      fd_entry(0) >= 0 && jtrue(fd_entry(0), "passed") && f >= 0 &&
			      !jtrue(f, "passed") && jcount("release") == 1,
		      "its --json: ok false, QEMU's error, the first fd passed, one to release",
		      "%s", report_buf);
		ret = qmp_exec(&c, "closefd", bad[0], NULL, NULL, 0, &r, NULL, 0);
		check(ret == 0, "the fd the failed report says QEMU holds is there (closefd)",
		      "%s", c.why);
	}

	/* add-fd, as vfioctl qmp --fdset: a new set each, which query-fdsets lists. */
	ret = give(&c, true, names, 2);
	check(ret == 0 && given[0].fdset_id >= 0 && given[0].fd >= 0 && given[1].fdset_id >= 0 &&
		      given[1].fd >= 0,
	      "add-fd returns an fd set and fd, and query-fdsets agrees (qmp_give_fds)", "%s",
	      c.why);
	check(given[0].fdset_id != given[1].fdset_id, "each fd in a set of its own",
	      "sets %lld %lld", given[0].fdset_id, given[1].fdset_id);
	ret = report_of(&c, true, NULL, 2);
	check(ret == 0 && !strcmp(jstr(0, "mode"), "add-fd"),
	      "the --json report of add-fd parses, schema vfioctl/qmp/1, ok, mode add-fd", "%s", why);
	ret = qmp_exec(&c, "query-fdsets", NULL, NULL, NULL, 0, &r, line, sizeof(line));
	ret = ret || qmp_parse_fdsets(line, strlen(line), sets, 16, &n, advice, sizeof(advice));
	for (i = 0, k = 0; !ret && i < 2; i++) {
		int f = fd_entry(i);
		char path[64];

		if (f < 0 || jtype(f, "fdset_id") != QJ_NUM || jtype(f, "fd") != QJ_NUM)
			continue;
		snprintf(path, sizeof(path), "/dev/fdset/%lld", jnum(f, "fdset_id"));
		for (size_t j = 0; j < n && j < 16; j++)
			k += sets[j].fdset_id == jnum(f, "fdset_id") &&
			     sets[j].fd == jnum(f, "fd") && !strcmp(sets[j].opaque, jstr(f, "name")) &&
			     !strcmp(jstr(f, "path"), path) && jtype(f, "fdname") == QJ_NULL;
	}
	check(!ret && k == 2,
	      "query-fdsets lists each fd of the --json report: its fd set, fd and name",
	      "ret %d, %zu listed, %zu matched: %s\n%s", ret, n, k, line, report_buf);
	for (i = 0, k = 0; !ret && i < 2; i++) {
		int rel = jnth(qj_get(&jdoc, 0, "release"), (int)i), a;

		a = rel >= 0 ? qj_get(&jdoc, rel, "arguments") : -1;
		k += a >= 0 && !strcmp(jstr(rel, "execute"), "remove-fd") &&
		     jtype(a, "fdset-id") == QJ_NUM && jnum(a, "fdset-id") == given[i].fdset_id;
	}
	check(k == 2, "the report's release commands remove those fd sets", "%s", report_buf);
	check_version_and_advice(&c);

	check(!qmp_vfio_fd_advice(&c.version, false, advice, sizeof(advice)) == (c.version.major < 9),
	      "the advice follows the version (fd-taking VFIO from 9.0 on)", "%s", advice);
	printf("#   %s\n", advice);

	iommufd_with_qemu(&c, qemu, dir);
	qmp_close(&c);
	iommufd_verb(sock, dir, &c.version);

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
