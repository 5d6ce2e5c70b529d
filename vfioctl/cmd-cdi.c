// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfioctl cdi: a Container Device Interface spec for VFIO devices and groups, for Podman,
 * containerd, CRI-O and Kubernetes device plugins (/etc/cdi, /var/run/cdi).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "vfioctl.h"

#define CDI_DEFAULT_VENDOR "vfioctl.io"
#define CDI_DEFAULT_CLASS "pci"

/* A device node as the container sees it ("/dev" + rel), read once from the host. */
struct cdi_node {
	char rel[128];  /* "/vfio/12", "/vfio/devices/vfio0", "/iommu" */
	bool known;     /* stat()ed: a character device with these numbers */
	unsigned int major, minor, mode;
};

/* One CDI device: a PCI device ("0000:03:00.0") or an IOMMU group ("group-12"). */
struct cdi_entry {
	char name[32];
	struct vfiox_pci_dev **members; /* whose addresses go into the env */
	size_t nmembers;
	size_t *nodes;                  /* indices into cdi_spec.nodes */
	size_t nnodes;
};

struct cdi_spec {
	struct vfiox_ctx *ctx;
	struct cdi_node *nodes;
	size_t nnodes, cap;
	struct cdi_entry *entries;
	size_t nentries;
	char env_name[300]; /* PCI_RESOURCE_VFIOCTL_IO_PCI */
};

static bool vfio_bound(const struct vfiox_pci_dev *dev)
{
	const char *drv = vfiox_pci_dev_driver(dev);

	return drv && strstr(drv, "vfio");
}

/*
 * CDI's name rules (its pkg/parser): a vendor starts with a letter, ends with a letter or
 * digit, and has letters, digits, '-', '_' and '.' between; a class the same, where a dot
 * needs cdiVersion 0.6.0.
 */
static bool cdi_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || !isalpha((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

/* The node @rel of the host, stat()ed once; -1 with the message printed on a refusal. */
static int node_add(struct cdi_spec *s, const char *rel, bool optional, size_t *idx)
{
	char host[8400];
	struct cdi_node *n = NULL;
	struct stat st = { 0 };
	size_t i;

	for (i = 0; i < s->nnodes; i++)
		if (!strcmp(s->nodes[i].rel, rel)) {
			*idx = i;
			return 0;
		}
	if (strlen(rel) >= sizeof(n->rel)) {
		err_msg("/dev%s: path too long", rel);
		return -1;
	}
	snprintf(host, sizeof(host), "%s%s", vfiox_ctx_dev_root(s->ctx), rel);
	if (stat(host, &st)) {
		if (errno != ENOENT) {
			err_msg("cannot read %s: %s", host, strerror(errno));
			return -1;
		}
		if (optional)
			return -ENOENT;
		fprintf(stderr, "vfioctl: note: %s does not exist (yet): its deviceNode has the "
			"path only, and the container runtime reads the node when it injects it\n",
			host);
	} else if (!S_ISCHR(st.st_mode)) {
		/* Numbers of anything else would be a spec that injects the wrong node. */
		err_msg("%s is not a character device: refusing to describe it as /dev%s", host,
			rel);
		return -1;
	}
	if (s->nnodes == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct cdi_node *nodes = realloc(s->nodes, cap * sizeof(*nodes));

		if (!nodes) {
			err_msg("out of memory");
			return -1;
		}
		s->nodes = nodes;
		s->cap = cap;
	}
	n = &s->nodes[s->nnodes];
	memset(n, 0, sizeof(*n));
	memcpy(n->rel, rel, strlen(rel) + 1);
	if (S_ISCHR(st.st_mode)) {
		n->known = true;
		n->major = major(st.st_rdev);
		n->minor = minor(st.st_rdev);
		n->mode = st.st_mode & 07777;
	}
	*idx = s->nnodes++;
	return 0;
}

/*
 * An entry's nodes: the legacy interface (/dev/vfio/vfio and the group's /dev/vfio/N),
 * then, where the host has iommufd (/dev/iommu), the members' VFIO cdevs and /dev/iommu.
 */
static int entry_nodes(struct cdi_spec *s, struct cdi_entry *e, int group)
{
	const char *root = vfiox_ctx_dev_root(s->ctx);
	size_t i, k, iommu;
	char rel[4200];
	int ret;

	e->nodes = calloc(3 + e->nmembers, sizeof(*e->nodes));
	if (!e->nodes) {
		err_msg("out of memory");
		return -1;
	}
	snprintf(rel, sizeof(rel), "/vfio/%d", group);
	if (node_add(s, "/vfio/vfio", false, &e->nodes[e->nnodes++]) ||
	    node_add(s, rel, false, &e->nodes[e->nnodes++]))
		return -1;
	ret = -ENOENT;
	for (i = 0; i < e->nmembers; i++) {
		char cdev[4096];

		if (device_cdev(s->ctx, e->members[i], cdev, sizeof(cdev), NULL, 0))
			continue;
		if (ret == -ENOENT) {
			ret = node_add(s, "/iommu", true, &iommu);
			if (ret == -1)
				return -1;
		}
		if (ret)
			break; /* no /dev/iommu: a cdev alone is of no use */
		k = strlen(root);
		snprintf(rel, sizeof(rel), "%s", strncmp(cdev, root, k) ? cdev : cdev + k);
		if (node_add(s, rel, false, &e->nodes[e->nnodes++]))
			return -1;
	}
	if (!ret)
		e->nodes[e->nnodes++] = iommu;
	return 0;
}

static struct cdi_entry *entry_new(struct cdi_spec *s, size_t nmembers)
{
	struct cdi_entry *e = &s->entries[s->nentries];

	memset(e, 0, sizeof(*e));
	e->members = calloc(nmembers ? nmembers : 1, sizeof(*e->members));
	if (!e->members) {
		err_msg("out of memory");
		return NULL;
	}
	s->nentries++;
	return e;
}

static void spec_free(struct cdi_spec *s)
{
	size_t i;

	for (i = 0; i < s->nentries; i++) {
		free(s->entries[i].members);
		free(s->entries[i].nodes);
	}
	free(s->entries);
	free(s->nodes);
}

static void json_node(struct json *j, const struct cdi_node *n)
{
	json_obj_open(j, NULL);
	json_strf(j, "path", "/dev%s", n->rel);
	if (n->known) {
		json_str(j, "type", "c");
		json_int(j, "major", n->major);
		json_int(j, "minor", n->minor);
		json_int(j, "fileMode", n->mode);
		json_str(j, "permissions", "rw");
	}
	json_obj_close(j);
}

static bool spec_write(const struct cdi_spec *s, FILE *f, const char *version, const char *kind)
{
	struct json j;
	size_t i, k;

	json_init(&j, f);
	json_obj_open(&j, NULL);
	json_str(&j, "cdiVersion", version);
	json_str(&j, "kind", kind);
	json_arr_open(&j, "devices");
	for (i = 0; i < s->nentries; i++) {
		const struct cdi_entry *e = &s->entries[i];
		size_t len = strlen(s->env_name) + 2 + e->nmembers * VFIOX_PCI_ADDR_STRLEN;
		char *env = malloc(len);

		if (!env) {
			err_msg("out of memory");
			return false;
		}
		json_obj_open(&j, NULL);
		json_str(&j, "name", e->name);
		json_obj_open(&j, "containerEdits");
		json_arr_open(&j, "deviceNodes");
		for (k = 0; k < e->nnodes; k++)
			json_node(&j, &s->nodes[e->nodes[k]]);
		json_arr_close(&j);
		json_arr_open(&j, "env");
		snprintf(env, len, "%s=", s->env_name);
		for (k = 0; k < e->nmembers; k++) {
			if (k)
				strcat(env, ",");
			strcat(env, vfiox_pci_dev_name(e->members[k]));
		}
		json_str(&j, NULL, env);
		free(env);
		json_arr_close(&j);
		json_obj_close(&j);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_obj_close(&j);
	return json_end(&j);
}

/*
 * FILE replaced whole or not at all: a temporary file next to it (".NAME.XXXXXX", which
 * the CDI registries skip: they read *.json and *.yaml), synced, renamed over FILE.
 */
static int write_atomic(const struct cdi_spec *s, const char *path, const char *version,
			const char *kind)
{
	const char *slash = strrchr(path, '/');
	char tmp[4200];
	FILE *f;
	int fd, dfd;

	if (slash)
		snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", path);
	if (strlen(path) + 9 >= sizeof(tmp)) {
		err_msg("%s: path too long", path);
		return EXIT_FAIL;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err_msg("cannot write %s: cannot create a temporary file next to it: %s", path,
			strerror(errno));
		return EXIT_FAIL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err_msg("cannot write %s: %s", path, strerror(errno));
		close(fd);
		goto out_unlink;
	}
	/* CDI specs are read by the container engines, as root or not: 0644, as /etc's files. */
	if (fchmod(fd, 0644) || !spec_write(s, f, version, kind) || fflush(f) || fsync(fd)) {
		err_msg("cannot write %s: %s", tmp, strerror(errno ? errno : EIO));
		fclose(f);
		goto out_unlink;
	}
	if (fclose(f)) {
		err_msg("cannot write %s: %s", tmp, strerror(errno));
		goto out_unlink;
	}
	if (rename(tmp, path)) {
		err_msg("cannot replace %s: %s", path, strerror(errno));
		goto out_unlink;
	}
	/* The rename itself, durable too. */
	snprintf(tmp, sizeof(tmp), "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
		 slash ? path : ".");
	dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return EXIT_OK;
out_unlink:
	unlink(tmp);
	return EXIT_FAIL;
}

static void note_unbound(struct vfiox_pci_dev *dev)
{
	const char *drv = vfiox_pci_dev_driver(dev);

	fprintf(stderr, "vfioctl: note: %s is bound to %s, not vfio-pci: its entries describe it "
		"as 'vfioctl bind %s' would hand it over\n", vfiox_pci_dev_name(dev),
		drv ? drv : "no driver", vfiox_pci_dev_name(dev));
}

static ssize_t scan_index(struct vfiox_scan *scan, const struct vfiox_pci_dev *dev)
{
	size_t i;

	for (i = 0; i < vfiox_scan_num_devs(scan); i++)
		if (vfiox_scan_dev(scan, i) == dev)
			return (ssize_t)i;
	return -1;
}

/* Devices first (in address order), then groups (ascending), so the output is stable. */
static int build_spec(struct cdi_spec *s, struct vfiox_scan *scan, bool *dsel, bool *gsel)
{
	size_t i, k, ndev = vfiox_scan_num_devs(scan), ngrp = vfiox_scan_num_groups(scan);

	s->entries = calloc(ndev + ngrp + 1, sizeof(*s->entries));
	if (!s->entries) {
		err_msg("out of memory");
		return -1;
	}
	for (i = 0; i < ndev; i++) {
		struct vfiox_pci_dev *dev = vfiox_scan_dev(scan, i);
		struct cdi_entry *e;

		if (!dsel[i])
			continue;
		if (!vfio_bound(dev))
			note_unbound(dev);
		e = entry_new(s, 1);
		if (!e)
			return -1;
		snprintf(e->name, sizeof(e->name), "%s", vfiox_pci_dev_name(dev));
		e->members[e->nmembers++] = dev;
		if (entry_nodes(s, e, vfiox_pci_dev_iommu_group(dev)))
			return -1;
	}
	for (i = 0; i < ngrp; i++) {
		struct vfiox_group *g = vfiox_scan_group(scan, i);
		struct cdi_entry *e;

		if (!gsel[i])
			continue;
		e = entry_new(s, vfiox_group_num_devs(g));
		if (!e)
			return -1;
		snprintf(e->name, sizeof(e->name), "group-%d", vfiox_group_id(g));
		for (k = 0; k < vfiox_group_num_devs(g); k++) {
			struct vfiox_pci_dev *dev = vfiox_group_dev(g, k);
			ssize_t d = scan_index(scan, dev);

			if (vfiox_pci_dev_is_bridge(dev))
				continue; /* bind leaves bridges alone, and so does a VM */
			if (!vfio_bound(dev) && (d < 0 || !dsel[d]))
				note_unbound(dev);
			e->members[e->nmembers++] = dev;
		}
		if (entry_nodes(s, e, vfiox_group_id(g)))
			return -1;
	}
	return 0;
}

/* Marks @dev and its group; -1 with the message printed when it is in no group. */
static int select_dev(struct vfiox_scan *scan, struct vfiox_pci_dev *dev, bool *dsel, bool *gsel)
{
	size_t i;

	if (vfiox_pci_dev_iommu_group(dev) < 0) {
		err_msg("%s is in no IOMMU group, so VFIO cannot hand it over (is the IOMMU on? "
			"'vfioctl check' says)", vfiox_pci_dev_name(dev));
		return -1;
	}
	dsel[scan_index(scan, dev)] = true;
	for (i = 0; i < vfiox_scan_num_groups(scan); i++)
		if (vfiox_group_id(vfiox_scan_group(scan, i)) == vfiox_pci_dev_iommu_group(dev))
			gsel[i] = true;
	return 0;
}

static int select_group(struct vfiox_scan *scan, int id, bool *dsel, bool *gsel)
{
	size_t i, k, n = 0;

	for (i = 0; i < vfiox_scan_num_groups(scan); i++) {
		struct vfiox_group *g = vfiox_scan_group(scan, i);

		if (vfiox_group_id(g) != id)
			continue;
		for (k = 0; k < vfiox_group_num_devs(g); k++) {
			struct vfiox_pci_dev *dev = vfiox_group_dev(g, k);

			if (!vfiox_pci_dev_is_bridge(dev)) {
				dsel[scan_index(scan, dev)] = true;
				n++;
			}
		}
		if (!n) {
			err_msg("IOMMU group %d has only bridges: nothing in it to hand over", id);
			return -1;
		}
		gsel[i] = true;
		return 0;
	}
	err_msg("no IOMMU group %d here; 'vfioctl list' shows the groups", id);
	return -1;
}

static int run_cdi(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vendor", required_argument, NULL, 'V' },
		{ "class", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "group", required_argument, NULL, 'g' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *vendor = CDI_DEFAULT_VENDOR, *class = CDI_DEFAULT_CLASS, *out = NULL;
	const char *why;
	struct cdi_spec s = { .ctx = ctx };
	struct vfiox_scan *scan = NULL;
	bool all = false, *dsel = NULL, *gsel = NULL, digit = false;
	int *gids, c, i, ngids = 0, ret = EXIT_FAIL;
	char kind[300], version[8], *end;
	size_t k, n;
	long v;

	gids = calloc((size_t)argc, sizeof(*gids));
	if (!gids) {
		err_msg("out of memory");
		return EXIT_FAIL;
	}
	while ((c = getopt_long(argc, argv, "V:c:o:g:ah", opts, NULL)) != -1) {
		switch (c) {
		case 'V':
			vendor = optarg;
			break;
		case 'c':
			class = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'g':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 0 || v > 0x7fffffff) {
				ret = usage_error(&cmd_cdi, "--group needs an IOMMU group number, "
						  "not '%s'", optarg);
				goto out;
			}
			gids[ngids++] = (int)v;
			break;
		case 'a':
			all = true;
			break;
		default:
			ret = verb_option_end(&cmd_cdi, c, argv);
			goto out;
		}
	}
	ret = EXIT_USAGE;
	if (!cdi_name_ok(vendor)) {
		usage_error(&cmd_cdi, "--vendor '%s': a CDI vendor starts with a letter, ends with "
			    "a letter or digit, and has only letters, digits, '-', '_' and '.'",
			    vendor);
		goto out;
	}
	if (!cdi_name_ok(class)) {
		usage_error(&cmd_cdi, "--class '%s': a CDI class starts with a letter, ends with a "
			    "letter or digit, and has only letters, digits, '-', '_' (and '.', "
			    "from cdiVersion 0.6.0)", class);
		goto out;
	}
	if (all && (optind < argc || ngids)) {
		usage_error(&cmd_cdi, "--all takes no DEVICE and no --group");
		goto out;
	}
	if (!all && optind == argc && !ngids) {
		usage_error(&cmd_cdi, "name a device, --group N or --all");
		goto out;
	}
	if (out && !*out) {
		usage_error(&cmd_cdi, "--output needs a file name, or - for stdout");
		goto out;
	}
	for (i = optind; i < argc; i++) {
		struct vfiox_pci_addr a;

		if (vfiox_pci_addr_parse(argv[i], &a)) {
			usage_error(&cmd_cdi, "'%s' is not a PCI address (DDDD:BB:DD.F)", argv[i]);
			goto out;
		}
	}

	ret = EXIT_FAIL;
	if (vfiox_scan_new(ctx, &scan)) {
		ret = lib_error(ctx, "scanning PCI devices", -EIO);
		goto out;
	}
	dsel = calloc(vfiox_scan_num_devs(scan) + 1, sizeof(*dsel));
	gsel = calloc(vfiox_scan_num_groups(scan) + 1, sizeof(*gsel));
	if (!dsel || !gsel) {
		err_msg("out of memory");
		goto out;
	}
	for (i = optind; i < argc; i++) {
		struct vfiox_pci_dev *dev;

		if (vfiox_scan_find_dev(scan, argv[i], &dev)) {
			err_msg("no PCI device %s here; 'vfioctl list' shows the devices", argv[i]);
			goto out;
		}
		if (select_dev(scan, dev, dsel, gsel))
			goto out;
	}
	for (i = 0; i < ngids; i++)
		if (select_group(scan, gids[i], dsel, gsel))
			goto out;
	if (all) {
		for (k = n = 0; k < vfiox_scan_num_devs(scan); k++) {
			struct vfiox_pci_dev *dev = vfiox_scan_dev(scan, k);

			if (vfio_bound(dev) && vfiox_pci_dev_iommu_group(dev) >= 0) {
				select_dev(scan, dev, dsel, gsel);
				n++;
			}
		}
		if (!n) {
			err_msg("no device is bound to vfio-pci here, so there is nothing to describe "
				"(name one to describe it as 'vfioctl bind' would hand it over)");
			goto out;
		}
	}

	snprintf(kind, sizeof(kind), "%s/%s", vendor, class);
	n = (size_t)snprintf(s.env_name, sizeof(s.env_name), "PCI_RESOURCE_%s", kind);
	for (k = strlen("PCI_RESOURCE_"); k < n && k < sizeof(s.env_name); k++)
		s.env_name[k] = isalnum((unsigned char)s.env_name[k]) ?
					(char)toupper((unsigned char)s.env_name[k]) : '_';
	if (build_spec(&s, scan, dsel, gsel))
		goto out;

	/* The lowest cdiVersion whose rules the spec keeps, after CDI's own version table. */
	for (k = 0; k < s.nentries; k++)
		digit |= !isalpha((unsigned char)s.entries[k].name[0]);
	if (strchr(class, '.'))
		why = "0.6.0: a class with a dot needs it";
	else if (digit)
		why = "0.5.0: device names that start with a digit (PCI addresses) need it";
	else
		why = "0.3.0: nothing newer is needed";
	snprintf(version, sizeof(version), "%.5s", why);
	fprintf(stderr, "vfioctl: cdiVersion %s\n", why);

	if (out && strcmp(out, "-")) {
		ret = write_atomic(&s, out, version, kind);
		if (ret == EXIT_OK)
			fprintf(stderr, "vfioctl: CDI spec of %zu devices (%s) written to %s\n",
				s.nentries, kind, out);
	} else {
		ret = spec_write(&s, stdout, version, kind) ? EXIT_OK : EXIT_FAIL;
	}
out:
	spec_free(&s);
	free(dsel);
	free(gsel);
	vfiox_scan_free(scan);
	free(gids);
	return ret;
}

const struct cmd cmd_cdi = {
	.name = "cdi",
	.args = "[--vendor DOMAIN] [--class NAME] [--output FILE|-] (DEVICE... | --group N... | --all)",
	.summary = "write a Container Device Interface (CDI) spec for VFIO devices",
	.help = "  DEVICE           PCI address: a CDI device for it and one for its IOMMU group\n"
		"                   (one not yet on vfio-pci: as 'vfioctl bind' would hand it over)\n"
		"  --group N        IOMMU group N: a CDI device for it (group-N) and for each of its\n"
		"                   devices (bridges left out); repeatable\n"
		"  --all            every device on vfio-pci, and their groups\n"
		"  --vendor DOMAIN  the vendor part of the kind (default " CDI_DEFAULT_VENDOR ")\n"
		"  --class NAME     the class part of the kind (default " CDI_DEFAULT_CLASS ")\n"
		"  --output FILE    replace FILE atomically, e.g. /etc/cdi/vfioctl.json\n"
		"                   (default, or -: stdout)\n"
		"The devices are named VENDOR/CLASS=0000:03:00.0 and VENDOR/CLASS=group-12.\n",
	.run = run_cdi,
};
