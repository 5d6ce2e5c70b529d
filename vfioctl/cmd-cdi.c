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

#include "qmp-msg.h"
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
	bool quiet;         /* --check, --json-only: no notes on stderr */
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
		if (!s->quiet)
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

/* The env line of @e ("PCI_RESOURCE_..=ADDR,ADDR"), allocated; NULL when out of memory. */
static char *entry_env(const struct cdi_spec *s, const struct cdi_entry *e)
{
	size_t k, len = strlen(s->env_name) + 2 + e->nmembers * VFIOX_PCI_ADDR_STRLEN;
	char *env = malloc(len);

	if (!env) {
		err_msg("out of memory");
		return NULL;
	}
	snprintf(env, len, "%s=", s->env_name);
	for (k = 0; k < e->nmembers; k++) {
		if (k)
			strcat(env, ",");
		strcat(env, vfiox_pci_dev_name(e->members[k]));
	}
	return env;
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
		char *env = entry_env(s, e);

		if (!env)
			return false;
		json_obj_open(&j, NULL);
		json_str(&j, "name", e->name);
		json_obj_open(&j, "containerEdits");
		json_arr_open(&j, "deviceNodes");
		for (k = 0; k < e->nnodes; k++)
			json_node(&j, &s->nodes[e->nodes[k]]);
		json_arr_close(&j);
		json_arr_open(&j, "env");
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

static void note_unbound(const struct cdi_spec *s, struct vfiox_pci_dev *dev)
{
	const char *drv = vfiox_pci_dev_driver(dev);

	if (s->quiet)
		return;
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

/*
 * The PCI devices and a selection flag per device and per group, all unset: 0, or 1 with
 * the message said and *ret the exit status (the caller frees what was made either way).
 */
static int scan_select(struct vfiox_ctx *ctx, struct vfiox_scan **scan, bool **dsel,
		       bool **gsel, int *ret)
{
	if (vfiox_scan_new(ctx, scan)) {
		*ret = lib_error(ctx, "scanning PCI devices", -EIO);
		return 1;
	}
	*dsel = calloc(vfiox_scan_num_devs(*scan) + 1, sizeof(**dsel));
	*gsel = calloc(vfiox_scan_num_groups(*scan) + 1, sizeof(**gsel));
	if (!*dsel || !*gsel) {
		err_msg("out of memory");
		return 1;
	}
	return 0;
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
			note_unbound(s, dev);
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
				note_unbound(s, dev);
			e->members[e->nmembers++] = dev;
		}
		if (entry_nodes(s, e, vfiox_group_id(g)))
			return -1;
	}
	return 0;
}

static void spec_kind(struct cdi_spec *s, char *kind, size_t len, const char *vendor,
		      const char *class)
{
	size_t k, n;

	snprintf(kind, len, "%s/%s", vendor, class);
	n = (size_t)snprintf(s->env_name, sizeof(s->env_name), "PCI_RESOURCE_%s", kind);
	for (k = strlen("PCI_RESOURCE_"); k < n && k < sizeof(s->env_name); k++)
		s->env_name[k] = isalnum((unsigned char)s->env_name[k]) ?
					 (char)toupper((unsigned char)s->env_name[k]) : '_';
}

/* The lowest cdiVersion whose rules the spec keeps, after CDI's own version table. */
static const char *spec_version(const struct cdi_spec *s, const char *class)
{
	bool digit = false;
	size_t k;

	for (k = 0; k < s->nentries; k++)
		digit |= !isalpha((unsigned char)s->entries[k].name[0]);
	if (strchr(class, '.'))
		return "0.6.0: a class with a dot needs it";
	if (digit)
		return "0.5.0: device names that start with a digit (PCI addresses) need it";
	return "0.3.0: nothing newer is needed";
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

#define CHECK_MAX_SIZE QMP_MAX_LINE /* qmp-msg.c's parser: bounded in size, depth and values */

static const char *jstr(const struct qj_doc *d, int obj, const char *key)
{
	int n = qj_get(d, obj, key);

	return n >= 0 && d->n[n].type == QJ_STR ? d->n[n].str : NULL;
}

static bool jis(const struct qj_doc *d, int n, enum qj_type t)
{
	return n >= 0 && d->n[n].type == t;
}

static int malformed(const char *file, const char *what)
{
	err_msg("%s: not a CDI spec: %s", file, what);
	return EXIT_FAIL;
}

/* "a.b.c" as a number (a*1e6 + b*1e3 + c) to compare versions; -1 if it is none. */
static long version_num(const char *v)
{
	long a = 0, b = 0, c = 0;
	char tail;

	if (sscanf(v, "%ld.%ld.%ld%c", &a, &b, &c, &tail) != 3 || a < 0 || b < 0 || c < 0 ||
	    b > 999 || c > 999)
		return -1;
	return a * 1000000 + b * 1000 + c;
}

static const struct cdi_entry *built_entry(const struct cdi_spec *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nentries; i++)
		if (!strcmp(s->entries[i].name, name))
			return &s->entries[i];
	return NULL;
}

/* Node @k of the file (object @fn) against the host's @hn: the number of problems said. */
static int check_node(const struct qj_doc *d, int fn, const struct cdi_node *hn,
		      const char *name, size_t k)
{
	static const char *const nums[] = { "major", "minor", "fileMode" };
	unsigned int hv[3] = { hn->major, hn->minor, hn->mode };
	const char *path = jstr(d, fn, "path"), *type = jstr(d, fn, "type");
	char hpath[140];
	int bad = 0, i;

	snprintf(hpath, sizeof(hpath), "/dev%s", hn->rel);
	if (!path || strcmp(path, hpath)) {
		printf("%s: deviceNodes[%zu] path: the file has %s, the host %s\n", name, k,
		       path ? path : "none", hpath);
		return 1;
	}
	if ((type ? 1 : 0) != hn->known || (type && strcmp(type, "c"))) {
		printf("%s: %s type: the file has %s, the host %s\n", name, path,
		       type ? type : "none", hn->known ? "c" : "none (no node yet)");
		bad++;
	}
	for (i = 0; i < 3; i++) {
		int n = qj_get(d, fn, nums[i]);

		if (!hn->known && n < 0)
			continue;
		if (!hn->known)
			printf("%s: %s %s: the file has %lld, the host no node\n", name, path,
			       nums[i], d->n[n].num);
		else if (n < 0)
			printf("%s: %s %s: the file has none, the host %u\n", name, path, nums[i],
			       hv[i]);
		else if (d->n[n].num != (long long)hv[i])
			printf("%s: %s %s: the file has %lld, the host %u\n", name, path, nums[i],
			       d->n[n].num, hv[i]);
		else
			continue;
		bad++;
	}
	return bad;
}

/* Entry @dn of the file against what vfioctl cdi writes for its name now. */
static int check_entry(const struct cdi_spec *s, struct vfiox_scan *scan, const struct qj_doc *d,
		       int dn)
{
	const char *name = jstr(d, dn, "name");
	int ce = qj_get(d, dn, "containerEdits"), nodes = qj_get(d, ce, "deviceNodes");
	int env = qj_get(d, ce, "env"), c, bad = 0;
	const struct cdi_entry *e = built_entry(s, name);
	struct vfiox_pci_dev *dev;
	size_t k;
	char *line;

	if (!vfiox_scan_find_dev(scan, name, &dev) && !e && vfiox_pci_dev_iommu_group(dev) < 0) {
		printf("%s: iommu_group: the host has it in none\n", name);
		return 1;
	}
	if (!e) {
		printf("%s: no such device or IOMMU group on the host\n", name);
		return 1;
	}
	for (k = 0; k < e->nmembers; k++) {
		const char *drv = vfiox_pci_dev_driver(e->members[k]);

		if (vfio_bound(e->members[k]))
			continue;
		printf("%s: driver: %s is bound to %s, not vfio-pci ('vfioctl bind %s' hands it "
		       "back)\n", name, vfiox_pci_dev_name(e->members[k]), drv ? drv : "no driver",
		       vfiox_pci_dev_name(e->members[k]));
		bad++;
	}
	for (k = 0, c = d->n[nodes].child; k < e->nnodes || c >= 0; k++) {
		if (c < 0) {
			printf("%s: deviceNodes: the file lacks /dev%s\n", name,
			       s->nodes[e->nodes[k]].rel);
			bad++;
			continue;
		}
		if (k >= e->nnodes) {
			printf("%s: deviceNodes: the file has %s, the host no such node\n", name,
			       jstr(d, c, "path"));
			bad++;
		} else {
			bad += check_node(d, c, &s->nodes[e->nodes[k]], name, k);
		}
		c = d->n[c].next;
	}
	line = entry_env(s, e);
	if (!line)
		return bad + 1;
	c = d->n[env].child;
	if (c < 0 || d->n[c].next >= 0 || strcmp(d->n[c].str, line)) {
		printf("%s: env: the file has %s, the host %s\n", name,
		       c < 0 ? "none" : d->n[c].str, line);
		bad++;
	}
	free(line);
	return bad;
}

/* Every device and entry well-typed, so the comparison needs no more checks. */
static const char *spec_shape(const struct qj_doc *d, int devs)
{
	int dn, c;

	for (dn = d->n[devs].child; dn >= 0; dn = d->n[dn].next) {
		int ce = qj_get(d, dn, "containerEdits"), nodes, env;

		if (!jis(d, dn, QJ_OBJ) || !jstr(d, dn, "name"))
			return "a device without a string \"name\"";
		if (!jis(d, ce, QJ_OBJ))
			return "a device without an object \"containerEdits\"";
		nodes = qj_get(d, ce, "deviceNodes");
		env = qj_get(d, ce, "env");
		if (!jis(d, nodes, QJ_ARR) || !jis(d, env, QJ_ARR))
			return "containerEdits without the arrays \"deviceNodes\" and \"env\"";
		for (c = d->n[nodes].child; c >= 0; c = d->n[c].next) {
			static const char *const nums[] = { "major", "minor", "fileMode" };
			int i, n;

			if (!jis(d, c, QJ_OBJ) || !jstr(d, c, "path"))
				return "a deviceNode without a string \"path\"";
			if (qj_get(d, c, "type") >= 0 && !jstr(d, c, "type"))
				return "a deviceNode whose \"type\" is not a string";
			for (i = 0; i < 3; i++) {
				n = qj_get(d, c, nums[i]);
				if (n >= 0 && !jis(d, n, QJ_NUM))
					return "a deviceNode whose major, minor or fileMode is no number";
			}
		}
		for (c = d->n[env].child; c >= 0; c = d->n[c].next)
			if (!jis(d, c, QJ_STR))
				return "an env that is not an array of strings";
	}
	return NULL;
}

static int run_check(struct vfiox_ctx *ctx, const char *file, const char *vendor,
		     const char *class, bool kind_given, bool all)
{
	struct cdi_spec s = { .ctx = ctx, .quiet = true };
	struct vfiox_scan *scan = NULL;
	struct qj_doc *d = NULL;
	const char *ver, *kind, *shape, *slash;
	char *text = NULL, why[200], want[300], fvendor[300], *fclass;
	bool *dsel = NULL, *gsel = NULL;
	int fd, devs, dn, ret = EXIT_FAIL, bad = 0;
	size_t len = 0, nent = 0, i;
	ssize_t r;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_msg("cannot read %s: %s", file, strerror(errno));
		return EXIT_FAIL;
	}
	text = malloc(CHECK_MAX_SIZE + 1);
	d = malloc(sizeof(*d));
	if (!text || !d) {
		err_msg("out of memory");
		goto out;
	}
	while ((r = read(fd, text + len, CHECK_MAX_SIZE + 1 - len)) > 0 &&
	       (len += (size_t)r) <= CHECK_MAX_SIZE)
		;
	if (r < 0) {
		err_msg("cannot read %s: %s", file, strerror(errno));
		goto out;
	}
	if (len > CHECK_MAX_SIZE) {
		err_msg("%s: more than %d bytes: not a spec vfioctl cdi --check reads", file,
			CHECK_MAX_SIZE);
		goto out;
	}
	if (qj_parse(text, len, d, why, sizeof(why))) {
		err_msg("%s: not JSON: %s", file, why);
		goto out;
	}
	ver = jstr(d, 0, "cdiVersion");
	kind = jstr(d, 0, "kind");
	devs = qj_get(d, 0, "devices");
	if (!jis(d, 0, QJ_OBJ) || !ver || !kind || !jis(d, devs, QJ_ARR)) {
		ret = malformed(file, "no object with a string \"cdiVersion\" and \"kind\" and an "
				"array \"devices\"");
		goto out;
	}
	shape = spec_shape(d, devs);
	if (shape) {
		ret = malformed(file, shape);
		goto out;
	}
	slash = strchr(kind, '/');
	snprintf(fvendor, sizeof(fvendor), "%.*s", slash ? (int)(slash - kind) : 0, kind);
	fclass = slash ? (char *)slash + 1 : NULL;
	if (!slash || !cdi_name_ok(fvendor) || !cdi_name_ok(fclass) ||
	    strlen(kind) >= sizeof(want)) {
		ret = malformed(file, "its kind is not VENDOR/CLASS");
		goto out;
	}
	if (kind_given) {
		snprintf(want, sizeof(want), "%s/%s", vendor, class);
		if (strcmp(want, kind)) {
			printf("kind: the file has %s, --vendor/--class ask for %s\n", kind, want);
			bad++;
		}
	}
	spec_kind(&s, want, sizeof(want), fvendor, fclass);

	if (scan_select(ctx, &scan, &dsel, &gsel, &ret))
		goto out;
	/* Select what the file names, as vfioctl cdi would for it: the same build_spec(). */
	for (dn = d->n[devs].child; dn >= 0; dn = d->n[dn].next) {
		const char *name = jstr(d, dn, "name");
		struct vfiox_pci_dev *dev;
		int id;
		char tail;

		nent++;
		if (!vfiox_scan_find_dev(scan, name, &dev) && vfiox_pci_dev_iommu_group(dev) >= 0)
			dsel[scan_index(scan, dev)] = true;
		else if (sscanf(name, "group-%d%c", &id, &tail) == 1)
			for (i = 0; i < vfiox_scan_num_groups(scan); i++)
				if (vfiox_group_id(vfiox_scan_group(scan, i)) == id)
					gsel[i] = true;
	}
	if (build_spec(&s, scan, dsel, gsel))
		goto out;
	for (dn = d->n[devs].child; dn >= 0; dn = d->n[dn].next)
		bad += check_entry(&s, scan, d, dn);
	snprintf(why, sizeof(why), "%.5s", spec_version(&s, fclass));
	if (version_num(ver) < version_num(why)) {
		printf("cdiVersion: the file has %s, its names need %s\n", ver, why);
		bad++;
	}
	if (all) {
		for (i = 0; i < vfiox_scan_num_devs(scan); i++) {
			struct vfiox_pci_dev *dev = vfiox_scan_dev(scan, i);
			char g[32];

			if (!vfio_bound(dev) || vfiox_pci_dev_iommu_group(dev) < 0)
				continue;
			if (!built_entry(&s, vfiox_pci_dev_name(dev))) {
				printf("%s: on vfio-pci, not in %s\n", vfiox_pci_dev_name(dev), file);
				bad++;
			}
			snprintf(g, sizeof(g), "group-%d", vfiox_pci_dev_iommu_group(dev));
			if (!built_entry(&s, g) && !dsel[i]) {
				printf("%s: the group of %s, not in %s\n", g, vfiox_pci_dev_name(dev),
				       file);
				bad++;
			}
		}
	}
	if (bad) {
		printf("%s: %d problem%s; regenerate it: vfioctl cdi --vendor %s --class %s "
		       "(DEVICE... | --group N... | --all) --output %s\n", file, bad,
		       bad == 1 ? "" : "s", fvendor, fclass, file);
		ret = EXIT_FAIL;
	} else {
		printf("%s: %zu entries match the host\n", file, nent);
		ret = EXIT_OK;
	}
out:
	spec_free(&s);
	free(dsel);
	free(gsel);
	vfiox_scan_free(scan);
	free(d);
	free(text);
	close(fd);
	return ret;
}

static int run_cdi(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vendor", required_argument, NULL, 'V' },
		{ "class", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "group", required_argument, NULL, 'g' },
		{ "all", no_argument, NULL, 'a' },
		{ "check", required_argument, NULL, 'C' },
		{ "json-only", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *vendor = CDI_DEFAULT_VENDOR, *class = CDI_DEFAULT_CLASS, *out = NULL;
	const char *check = NULL;
	bool kind_given = false, json_only = false;
	const char *why;
	struct cdi_spec s = { .ctx = ctx };
	struct vfiox_scan *scan = NULL;
	bool all = false, *dsel = NULL, *gsel = NULL;
	int *gids, c, i, ngids = 0, ret = EXIT_FAIL;
	char kind[300], version[8], *end;
	size_t k, n;
	long v;

	gids = calloc((size_t)argc, sizeof(*gids));
	if (!gids) {
		err_msg("out of memory");
		return EXIT_FAIL;
	}
	while ((c = getopt_long(argc, argv, "V:c:o:g:C:ah", opts, NULL)) != -1) {
		switch (c) {
		case 'C':
			check = optarg;
			break;
		case 'V':
			kind_given = true;
			vendor = optarg;
			break;
		case 'c':
			kind_given = true;
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
		case 'j':
			json_only = true;
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
	if (check) {
		if (!*check || out || ngids || optind < argc || json_only)
			usage_error(&cmd_cdi, "--check takes a FILE and no DEVICE, --group, "
				    "--output or --json-only");
		else
			ret = run_check(ctx, check, vendor, class, kind_given, all);
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
	if (scan_select(ctx, &scan, &dsel, &gsel, &ret))
		goto out;
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

	/* For scripts and device plugins that read both streams: the document alone. */
	s.quiet = json_only;
	spec_kind(&s, kind, sizeof(kind), vendor, class);
	if (build_spec(&s, scan, dsel, gsel))
		goto out;

	why = spec_version(&s, class);
	snprintf(version, sizeof(version), "%.5s", why);
	if (!json_only)
		fprintf(stderr, "vfioctl: cdiVersion %s\n", why);

	if (out && strcmp(out, "-")) {
		ret = write_atomic(&s, out, version, kind);
		if (ret == EXIT_OK && !json_only)
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
	.args = "[--vendor DOMAIN] [--class NAME] [--output FILE|-] [--json-only]\n"
		"       (DEVICE... | --group N... | --all)\n"
		"       vfioctl cdi --check FILE [--vendor DOMAIN] [--class NAME] [--all]",
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
		"  --json-only      nothing but the JSON document: no notes on stderr (the\n"
		"                   cdiVersion, where it went, devices not on vfio-pci, missing\n"
		"                   nodes); errors are still said, with a non-zero exit\n"
		"  --check FILE     compare FILE with the host: one line per stale or missing\n"
		"                   entry, exit 1 (with --all: devices on vfio-pci it lacks too)\n"
		"The devices are named VENDOR/CLASS=0000:03:00.0 and VENDOR/CLASS=group-12.\n",
	.run = run_cdi,
};
