// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfioctl qmp: give a bundle's fds to a running QEMU over its QMP monitor (getfd, or add-fd
 * into fd sets checked with query-fdsets), and say what that QEMU can do with them. An
 * iommufd bundle goes only to a QEMU that has the iommufd object (9.0 and later, built
 * with it), and with --attach becomes an iommufd object and vfio-pci devices there.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "qmp.h"
#include "vfioctl.h"

#define DEFAULT_IOMMUFD_ID "vfiox-iommufd"

struct qmp_opts {
	const char *path;
	bool fdset, json, attach, force;
	const char *iommufd_id;
	int ms;
};

/* A QMP command as one line for people: the encoder's text without its "\r\n". */
static void print_command(const char *indent, const char *text, int n)
{
	if (n > 2)
		printf("%s%.*s\n", indent, n - 2, text);
}

static void print_type1_steps(struct qmp_conn *c, struct vfiox_bundle *b, bool fdset,
			      const struct qmp_given *given)
{
	char advice[600];
	size_t i;

	if (qmp_vfio_fd_advice(&c->version, false, advice, sizeof(advice))) {
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

/* getfd's name or QEMU's fd number of @g, for fd=. */
static const char *fd_ref(bool fdset, const struct qmp_given *g, char *buf, size_t len)
{
	if (!fdset)
		return g->qmp_name;
	snprintf(buf, len, "%lld", g->fd);
	return buf;
}

/* The object and devices an iommufd bundle becomes, as options and as QMP; or what --attach did. */
static void print_iommufd_steps(struct qmp_conn *c, const struct qmp_opts *o,
				const struct qmp_given *given, size_t n,
				const struct qmp_sent *sent, size_t nsent)
{
	char advice[600], line[1024], ref[32], id[64];
	size_t i;
	int len;

	qmp_vfio_fd_advice(&c->version, true, advice, sizeof(advice));
	printf("%s.\n", advice);
	if (o->attach) {
		for (i = 0; i < nsent; i++)
			printf("%s %s %s: %s\n", sent[i].execute, i ? "vfio-pci" : "iommufd",
			       sent[i].id, sent[i].ok ? "ok" : sent[i].error);
		printf("To take %s back, on this QMP socket:\n", nsent && sent[nsent - 1].ok ?
		       "them" : "what QEMU holds");
		/* the devices added, the object, then the fds no command took */
		for (i = nsent; i-- > 0;) {
			struct qmp_arg a = { "id", sent[i].id, 0 };

			if (!sent[i].ok)
				continue;
			len = qmp_encode_args(line, sizeof(line), i ? "device_del" : "object-del",
					      NULL, &a, 1);
			print_command("  ", line, len);
		}
		for (i = 0; i < n; i++) {
			struct qmp_arg a = { o->fdset ? "fdset-id" : "fdname",
					     o->fdset ? NULL : given[i].qmp_name, given[i].fdset_id };

			if (!given[i].passed || (given[i].consumed && !o->fdset))
				continue;
			len = qmp_encode_args(line, sizeof(line), o->fdset ? "remove-fd" : "closefd",
					      NULL, &a, 1);
			print_command("  ", line, len);
		}
		return;
	}
	printf("In QEMU's option syntax (fd= names an fd of this QMP socket's monitor; on a "
	       "command line fd= takes an fd number QEMU inherited):\n");
	if (qmp_iommufd_opt(line, sizeof(line), o->iommufd_id,
			    fd_ref(o->fdset, &given[0], ref, sizeof(ref))) > 0)
		printf("  -object %s\n", line);
	for (i = 1; i < n; i++)
		if (qmp_vfio_dev_id(id, sizeof(id), given[i].device) > 0 &&
		    qmp_vfio_opt(line, sizeof(line), id, o->iommufd_id,
				 fd_ref(o->fdset, &given[i], ref, sizeof(ref))) > 0)
			printf("  -device %s\n", line);
	printf("As QMP commands on this socket (vfioctl qmp --attach sends them):\n");
	len = qmp_encode_iommufd_add(line, sizeof(line), NULL, o->iommufd_id,
				     fd_ref(o->fdset, &given[0], ref, sizeof(ref)));
	print_command("  ", line, len);
	for (i = 1; i < n; i++) {
		if (qmp_vfio_dev_id(id, sizeof(id), given[i].device) < 0)
			continue;
		len = qmp_encode_vfio_add(line, sizeof(line), NULL, id, o->iommufd_id,
					  fd_ref(o->fdset, &given[i], ref, sizeof(ref)));
		print_command("  ", line, len);
	}
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

/*
 * Whether QEMU can take an iommufd bundle: the version (9.0 added the object), then
 * whether this build has it (qom-list-types). 0, or -1 with the refusal in c->why.
 */
static int iommufd_check(struct qmp_conn *c)
{
	char why[300];
	bool found;

	if (!qmp_iommufd_version_ok(&c->version, why, sizeof(why))) {
		snprintf(c->why, sizeof(c->why), "%s: nothing was sent (--force sends the fds "
			 "anyway, and --attach then shows QEMU's own refusal)", why);
		return -1;
	}
	if (qmp_has_type(c, "iommufd", &found))
		return -1;
	if (!found) {
		snprintf(c->why, sizeof(c->why), "QEMU %d.%d.%d has no iommufd object type "
			 "(qom-list-types lists none: built without CONFIG_IOMMUFD): nothing was "
			 "sent (--force sends the fds anyway)", c->version.major, c->version.minor,
			 c->version.micro);
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
		{ "backend", required_argument, NULL, 'B' },
		{ "attach", no_argument, NULL, 'A' },
		{ "force", no_argument, NULL, 'f' },
		{ "iommufd-id", required_argument, NULL, 'I' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct qmp_conn conn;
	static struct qmp_given given[VFIOX_HANDOVER_MAX_FDS];
	static char qmp_names[VFIOX_HANDOVER_MAX_FDS][64];
	static struct qmp_sent sent[VFIOX_HANDOVER_MAX_FDS];
	static char dev_ids[VFIOX_HANDOVER_MAX_FDS][64], errors[VFIOX_HANDOVER_MAX_FDS][512];
	struct qmp_opts o = { .iommufd_id = NULL, .ms = 10000 };
	int fds[VFIOX_HANDOVER_MAX_FDS];
	struct bundle_args a = { .ngroups = 0 };
	struct qmp_report rep = { .ok = false };
	struct vfiox_bundle *b = NULL;
	bool iommufd;
	size_t i, n = 0, nsent = 0;
	int c, ret;

	while ((c = getopt_long(argc, argv, "s:Ft:g:jh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.path = optarg;
			break;
		case 'F':
			o.fdset = true;
			break;
		case 'j':
			o.json = true;
			break;
		case 'A':
			o.attach = true;
			break;
		case 'f':
			o.force = true;
			break;
		case 'I':
			if (!qmp_id_ok(optarg))
				return usage_error(&cmd_qmp, "--iommufd-id '%s': a QEMU id is a "
						   "letter and then letters, digits, '-', '.' or "
						   "'_', at most 63", optarg);
			o.iommufd_id = optarg;
			break;
		case 't':
			ret = parse_seconds(&cmd_qmp, "--timeout", optarg, &o.ms);
			if (ret)
				return ret;
			break;
		case 'g':
			ret = bundle_args_group(&cmd_qmp, &a, optarg);
			if (ret)
				return ret;
			break;
		case 'B':
			a.backend_arg = optarg;
			break;
		default:
			return verb_option_end(&cmd_qmp, c, argv);
		}
	}
	if (!o.path)
		return usage_error(&cmd_qmp, "--socket QMP_PATH is needed: QEMU's QMP socket");
	ret = bundle_args_devices(&cmd_qmp, &a, argc - optind, argv + optind);
	if (ret)
		return ret;
	if (a.backend == VFIOX_BACKEND_TYPE1 && (o.attach || o.iommufd_id))
		return usage_error(&cmd_qmp, "%s is for an iommufd bundle, and the backend is type1 "
				   "(QEMU takes no type1 fd)", o.attach ? "--attach" : "--iommufd-id");
	if (!o.iommufd_id)
		o.iommufd_id = DEFAULT_IOMMUFD_ID;
	rep.socket = o.path;
	rep.fdset = o.fdset;
	rep.fds = given;
	rep.attach = o.attach;
	rep.sent = sent;
	if (a.backend != VFIOX_BACKEND_AUTO)
		rep.backend = vfiox_backend_name(a.backend);
	ret = EXIT_FAIL;
	if (bundle_args_open(ctx, &a, &b)) {
		rep.error = vfiox_ctx_last_error(ctx);
		goto out;
	}
	iommufd = vfiox_bundle_backend(b) == VFIOX_BACKEND_IOMMUFD;
	rep.backend = vfiox_backend_name(vfiox_bundle_backend(b));
	rep.iommufd_id = iommufd ? o.iommufd_id : NULL;
	if (!iommufd && o.attach) {
		err_msg("--attach is for an iommufd bundle, and auto chose type1 (%s): QEMU takes "
			"no type1 fd; --backend iommufd says why not", a.ndevs ? a.devs[0] : "the group");
		rep.error = "--attach needs an iommufd bundle; auto chose type1";
		goto out;
	}
	n = vfiox_bundle_num_fds(b);
	for (i = 0; i < n; i++) {
		int kind = vfiox_bundle_fd_kind(b, i);
		const char *dev = vfiox_bundle_fd_device(b, i);

		fds[i] = vfiox_bundle_fd(b, i);
		/* Ours in QEMU's monitor: vfiox-iommufd (or --iommufd-id), vfiox-cdev-DDDD-BB-SS.F */
		if (kind == VFIOX_HANDOVER_IOMMUFD)
			snprintf(qmp_names[i], sizeof(qmp_names[i]), "%s", o.iommufd_id);
		else if (kind == VFIOX_HANDOVER_CDEV)
			snprintf(qmp_names[i], sizeof(qmp_names[i]), "vfiox-%s",
				 vfiox_bundle_fd_name(b, i) + strlen("vfio-"));
		else
			snprintf(qmp_names[i], sizeof(qmp_names[i]), "%s", vfiox_bundle_fd_name(b, i));
		given[i] = (struct qmp_given){
			.name = vfiox_bundle_fd_name(b, i),
			.kind = bundle_kind_name(kind),
			.group = vfiox_bundle_fd_group(b, i),
			.device = dev,
			.fdset_id = -1,
			.fd = -1,
			.qmp_name = qmp_names[i],
		};
	}
	rep.nfds = n;
	if (qmp_open(&conn, o.path, o.ms)) {
		err_msg("%s", conn.why);
		rep.error = conn.why;
		goto out_close;
	}
	rep.version = &conn.version;
	if (!o.json)
		printf("QEMU %d.%d.%d%s%s%s on %s\n", conn.version.major, conn.version.minor,
		       conn.version.micro, conn.version.package[0] ? " (" : "",
		       conn.version.package, conn.version.package[0] ? ")" : "", o.path);
	if (iommufd && !o.force && iommufd_check(&conn)) {
		err_msg("%s", conn.why);
		rep.error = conn.why;
		goto out_close;
	}
	if (qmp_give_fds(&conn, o.fdset, fds, given, n)) {
		err_msg("%s", conn.why);
		rep.error = conn.why;
		goto out_close;
	}
	if (o.attach && qmp_attach_iommufd(&conn, o.fdset, given, n, o.iommufd_id, dev_ids, sent,
					   errors, &nsent)) {
		rep.nsent = nsent;
		err_msg("%s", conn.why);
		rep.error = conn.why;
		if (!o.json)
			print_iommufd_steps(&conn, &o, given, n, sent, nsent);
		goto out_close;
	}
	rep.nsent = nsent;
	rep.ok = true;
	ret = EXIT_OK;
	if (o.json)
		goto out_close;
	printf("%s bundle\n", rep.backend);
	for (i = 0; i < n; i++)
		if (o.fdset)
			printf("%s (%s): fd set %lld (QEMU's fd %lld; /dev/fdset/%lld)\n",
			       given[i].name, given[i].kind, given[i].fdset_id, given[i].fd,
			       given[i].fdset_id);
		else
			printf("%s (%s): getfd name \"%s\"\n", given[i].name, given[i].kind,
			       given[i].qmp_name);
	if (iommufd)
		print_iommufd_steps(&conn, &o, given, n, sent, nsent);
	else
		print_type1_steps(&conn, b, o.fdset, given);
out_close:
	qmp_close(&conn);
out:
	if (o.json && print_json(&rep))
		ret = EXIT_FAIL;
	vfiox_bundle_free(b);
	return ret;
}

const struct cmd cmd_qmp = {
	.name = "qmp",
	.args = "--socket QMP_PATH [--fdset] [--json] [--timeout S] [--backend B] [--attach] "
		"[--force] [--iommufd-id ID] [--group N]... [DEVICE...]",
	.summary = "give the VFIO fds of devices to a running QEMU over its QMP monitor",
	.help = "  --socket QMP_PATH  QEMU's monitor (-qmp unix:QMP_PATH,server=on,wait=off)\n"
		"  --fdset            add-fd each fd into a new fd set (checked with query-fdsets)\n"
		"                     instead of getfd by name\n"
		"  --json             print one JSON object (vfioctl/qmp/1), also on failure\n"
		"  --timeout S        give up on a silent QEMU after S seconds (default 10)\n"
		"  --backend B        auto (default: $VFIOX_BACKEND, else auto), type1 or iommufd:\n"
		"                     QEMU 9.0+ takes an iommufd bundle (/dev/iommu and cdevs)\n"
		"  --attach           iommufd: object-add the iommufd and device_add a vfio-pci\n"
		"                     on each cdev, and report QEMU's answers\n"
		"  --force            iommufd: send to a QEMU older than 9.0 (or without the\n"
		"                     iommufd object) anyway\n"
		"  --iommufd-id ID    iommufd: the object's id and the fd's name (vfiox-iommufd)\n"
		"  DEVICE             PCI address of a device on vfio-pci: its group and device fd\n"
		"                     (iommufd: its cdev)\n"
		"  --group N          IOMMU group N (iommufd: the cdevs of its devices on vfio-pci)\n"
		"\n"
		"Prints the names or fd sets, and what this QEMU version can do with them: for an\n"
		"iommufd bundle the -object iommufd and -device vfio-pci arguments on those fds.\n",
	.run = run_qmp,
};
