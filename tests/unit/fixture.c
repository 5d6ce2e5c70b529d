// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fake sysfs trees: see fixture.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"

#define FX_PATH_MAX 4096

struct fx_node {
	char addr[24];
	uint32_t domain;
	uint8_t bus, devfn;
	char *path; /* relative to the root, e.g. "devices/pci0000:00/0000:00:01.0" */
	int depth;  /* components in path */
	struct fx_dev spec; /* pointers in it are not kept */
	unsigned config_size;
	int parent; /* index or -1 */
	int child_bus_min, child_bus_max;
	unsigned num_vfs;
};

struct fx {
	char *root;
	int rootfd;
	unsigned flags;
	struct fx_node *nodes;
	size_t num, cap;
	size_t *ht; /* open addressing: index + 1, 0 = empty */
	size_t htcap;
	char err[512];
};

static int fx_err(struct fx *fx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fx_err(struct fx *fx, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fx->err, sizeof(fx->err), fmt, ap);
	va_end(ap);
	return err;
}

const char *fx_root(const struct fx *fx)
{
	return fx->root;
}

const char *fx_last_error(const struct fx *fx)
{
	return fx->err;
}

size_t fx_num_devs(const struct fx *fx)
{
	return fx->num;
}

/* ---- addresses and the device table ---- */

static int parse_addr(const char *s, uint32_t *dom, unsigned *bus, unsigned *dev, unsigned *fn)
{
	unsigned d = 0, b, v, f;
	int n = -1;

	if (!s)
		return -EINVAL;
	if (sscanf(s, "%x:%x:%x.%x%n", &d, &b, &v, &f, &n) == 4 && n > 0 && !s[n]) {
		/* with domain */
	} else if (n = -1, d = 0, sscanf(s, "%x:%x.%x%n", &b, &v, &f, &n) == 3 && n > 0 && !s[n]) {
		/* without */
	} else {
		return -EINVAL;
	}
	if (b > 0xff || v > 0x1f || f > 7)
		return -EINVAL;
	*dom = d;
	*bus = b;
	*dev = v;
	*fn = f;
	return 0;
}

static int canon_addr(const char *s, char *out, size_t len)
{
	uint32_t d;
	unsigned b, v, f;

	if (parse_addr(s, &d, &b, &v, &f))
		return -EINVAL;
	snprintf(out, len, "%04x:%02x:%02x.%x", d, b, v, f);
	return 0;
}

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int ht_grow(struct fx *fx)
{
	size_t ncap = fx->htcap ? fx->htcap * 2 : 256, i;
	size_t *ht = calloc(ncap, sizeof(*ht));

	if (!ht)
		return -ENOMEM;
	for (i = 0; i < fx->num; i++) {
		size_t h = hash_str(fx->nodes[i].addr) & (ncap - 1);

		while (ht[h])
			h = (h + 1) & (ncap - 1);
		ht[h] = i + 1;
	}
	free(fx->ht);
	fx->ht = ht;
	fx->htcap = ncap;
	return 0;
}

static int find_node(const struct fx *fx, const char *canon)
{
	size_t h;

	if (!fx->htcap)
		return -1;
	for (h = hash_str(canon) & (fx->htcap - 1); fx->ht[h]; h = (h + 1) & (fx->htcap - 1))
		if (!strcmp(fx->nodes[fx->ht[h] - 1].addr, canon))
			return (int)(fx->ht[h] - 1);
	return -1;
}

static int lookup(struct fx *fx, const char *addr)
{
	char canon[24];
	int i;

	if (canon_addr(addr, canon, sizeof(canon)))
		return fx_err(fx, -EINVAL, "'%s' is not a PCI address", addr ? addr : "(null)");
	i = find_node(fx, canon);
	if (i < 0)
		return fx_err(fx, -ENOENT, "no device %s in the fixture", canon);
	return i;
}

/* ---- file system helpers, all relative to rootfd ---- */

static int put_bytes(struct fx *fx, const char *rel, const void *buf, size_t len)
{
	int fd = openat(fx->rootfd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return fx_err(fx, -errno, "create %s/%s: %s", fx->root, rel, strerror(errno));
	n = write(fd, buf, len);
	if (n < 0 || (size_t)n != len) {
		int err = n < 0 ? -errno : -EIO;

		close(fd);
		return fx_err(fx, err, "write %s/%s: %s", fx->root, rel, strerror(-err));
	}
	close(fd);
	return 0;
}

static int put(struct fx *fx, const char *rel, const char *text)
{
	return put_bytes(fx, rel, text, strlen(text));
}

static int putf(struct fx *fx, const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int putf(struct fx *fx, const char *rel, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return fx_err(fx, -EOVERFLOW, "contents of %s too long", rel);
	return put_bytes(fx, rel, buf, (size_t)n);
}

static int mkdir_rel(struct fx *fx, const char *rel)
{
	if (mkdirat(fx->rootfd, rel, 0755) && errno != EEXIST)
		return fx_err(fx, -errno, "mkdir %s/%s: %s", fx->root, rel, strerror(errno));
	return 0;
}

/* mkdir -p, relative to the root */
static int mkdirs_rel(struct fx *fx, const char *rel)
{
	char buf[FX_PATH_MAX], *p;
	int err;

	if (snprintf(buf, sizeof(buf), "%s", rel) >= (int)sizeof(buf))
		return fx_err(fx, -ENAMETOOLONG, "path too long: %s", rel);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		err = mkdir_rel(fx, buf);
		*p = '/';
		if (err)
			return err;
	}
	return mkdir_rel(fx, buf);
}

/* Creates symlink @rel -> "../" * @up + @target. */
static int link_up(struct fx *fx, const char *rel, int up, const char *target)
{
	char buf[FX_PATH_MAX];
	size_t pos = 0;
	int i;

	for (i = 0; i < up; i++) {
		if (pos + 3 >= sizeof(buf))
			return fx_err(fx, -ENAMETOOLONG, "link target too long");
		memcpy(buf + pos, "../", 3);
		pos += 3;
	}
	if (snprintf(buf + pos, sizeof(buf) - pos, "%s", target) >= (int)(sizeof(buf) - pos))
		return fx_err(fx, -ENAMETOOLONG, "link target too long");
	if (symlinkat(buf, fx->rootfd, rel))
		return fx_err(fx, -errno, "symlink %s/%s -> %s: %s", fx->root, rel, buf,
			      strerror(errno));
	return 0;
}

static int rel_path(struct fx *fx, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int rel_path(struct fx *fx, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		return fx_err(fx, -ENAMETOOLONG, "path too long");
	return 0;
}

/* rm -rf @name in @dirfd, restoring permissions taken away on the way. */
static int rm_tree_at(int at, const char *name)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (!unlinkat(at, name, 0) || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == EACCES) {
		fchmodat(at, name, 0755, 0);
		fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	fchmod(fd, 0755);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		rm_tree_at(dirfd(d), de->d_name);
	}
	closedir(d);
	if (unlinkat(at, name, AT_REMOVEDIR))
		return -errno;
	return 0;
}

/* ---- fixture lifetime ---- */

static int fx_init(struct fx *fx, unsigned flags)
{
	int err;

	fx->rootfd = open(fx->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fx->rootfd < 0)
		return -errno;
	fx->flags = flags;
	if ((err = mkdirs_rel(fx, "devices")) || (err = mkdirs_rel(fx, "bus/pci/devices")) ||
	    (err = mkdirs_rel(fx, "bus/pci/drivers")) || (err = mkdirs_rel(fx, "bus/pci/slots")))
		return err;
	if (!(flags & FX_NO_IOMMU) && (err = mkdirs_rel(fx, "kernel/iommu_groups")))
		return err;
	return 0;
}

int fx_new(struct fx **fxp, unsigned flags)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[FX_PATH_MAX];
	struct fx *fx;
	int err;

	/* tmpfs when there is one: like sysfs it lives in memory, and creating inodes on
	 * some disk file systems costs 0.3 ms each (10,000 devices: 1.5 s vs 9 s) */
	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
	if (snprintf(tmpl, sizeof(tmpl), "%s/vfiox-fx.XXXXXX", tmp) >= (int)sizeof(tmpl))
		return -ENAMETOOLONG;
	fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -ENOMEM;
	fx->rootfd = -1;
	if (!mkdtemp(tmpl)) {
		free(fx);
		return -errno;
	}
	fx->root = strdup(tmpl);
	if (!fx->root) {
		rmdir(tmpl);
		free(fx);
		return -ENOMEM;
	}
	err = fx_init(fx, flags & ~(unsigned)FX_KEEP);
	if (err) {
		fx_free(fx);
		return err;
	}
	fx->flags |= flags & FX_KEEP;
	*fxp = fx;
	return 0;
}

int fx_new_at(struct fx **fxp, const char *dir, unsigned flags)
{
	struct fx *fx;
	int err;

	if (!dir || !*dir)
		return -EINVAL;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -ENOMEM;
	fx->rootfd = -1;
	fx->root = realpath(dir, NULL);
	if (!fx->root) {
		err = -errno;
		free(fx);
		return err;
	}
	err = fx_init(fx, flags | FX_KEEP);
	if (err) {
		fx_free(fx);
		return err;
	}
	*fxp = fx;
	return 0;
}

void fx_free(struct fx *fx)
{
	size_t i;

	if (!fx)
		return;
	if (fx->root && !(fx->flags & FX_KEEP)) {
		char *slash = strrchr(fx->root, '/');
		int parent;

		if (slash && slash != fx->root) {
			*slash = '\0';
			parent = open(fx->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			*slash = '/';
			if (parent >= 0) {
				rm_tree_at(parent, slash + 1);
				close(parent);
			}
		}
	}
	if (fx->rootfd >= 0)
		close(fx->rootfd);
	for (i = 0; i < fx->num; i++)
		free(fx->nodes[i].path);
	free(fx->nodes);
	free(fx->ht);
	free(fx->root);
	free(fx);
}

/* ---- config space ---- */

static void put16(uint8_t *c, unsigned off, uint16_t v)
{
	c[off] = (uint8_t)v;
	c[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *c, unsigned off, uint32_t v)
{
	put16(c, off, (uint16_t)v);
	put16(c, off + 2, (uint16_t)(v >> 16));
}

static bool is_bridge_class(uint32_t class_code)
{
	return (class_code >> 8) == 0x0604 || (class_code >> 8) == 0x0609;
}

static unsigned ilog2_u(unsigned v)
{
	unsigned r = 0;

	while (v > 1) {
		v >>= 1;
		r++;
	}
	return r;
}

static unsigned config_size_of(const struct fx_caps *c)
{
	if (c->config_size)
		return c->config_size;
	return (c->acs || c->sriov) ? 4096 : 256;
}

static void build_config(const struct fx_node *n, uint8_t *cfg)
{
	const struct fx_dev *d = &n->spec; /* ids and caps only: its pointers are NULL */
	const struct fx_caps *c = &d->caps;
	uint8_t *prev_next = &cfg[0x34];
	unsigned ext_prev = 0;
	bool bridge = is_bridge_class(d->class_code);

	memset(cfg, 0, 4096);
	put16(cfg, 0x00, d->vendor);
	put16(cfg, 0x02, d->device);
	put16(cfg, 0x04, 0x0006); /* memory space, bus master */
	cfg[0x08] = d->revision;
	cfg[0x09] = (uint8_t)d->class_code;
	cfg[0x0a] = (uint8_t)(d->class_code >> 8);
	cfg[0x0b] = (uint8_t)(d->class_code >> 16);
	cfg[0x0e] = bridge ? 1 : 0;
	if (bridge) {
		cfg[0x18] = n->bus;
		cfg[0x19] = 0;
		cfg[0x1a] = 0;
	} else {
		put16(cfg, 0x2c, d->subsys_vendor);
		put16(cfg, 0x2e, d->subsys_device);
	}
	cfg[0x3d] = 1; /* INTA */

	if (c->pcie) {
		unsigned o = FX_CAP_PCIE_OFF;

		*prev_next = (uint8_t)o;
		cfg[o] = 0x10;
		put16(cfg, o + 2, (uint16_t)(0x0002 | ((c->pcie_port_type & 0xf) << 4) |
					    (bridge && c->pcie_port_type == 4 ? 0x0100 : 0)));
		put32(cfg, o + 4, c->pcie_flr ? (1u << 28) : 0);
		put32(cfg, o + 0xc, (uint32_t)(c->pcie_link_speed & 0xf) |
					    ((uint32_t)(c->pcie_link_width & 0x3f) << 4));
		put16(cfg, o + 0x12, (uint16_t)((c->pcie_link_speed & 0xf) |
						((c->pcie_link_width & 0x3f) << 4)));
		prev_next = &cfg[o + 1];
	}
	if (c->msi) {
		unsigned o = FX_CAP_MSI_OFF;
		unsigned mmc = ilog2_u(c->msi_vectors ? c->msi_vectors : 1);

		*prev_next = (uint8_t)o;
		cfg[o] = 0x05;
		put16(cfg, o + 2, (uint16_t)((c->msi_enabled ? 1 : 0) | ((mmc & 7) << 1) |
					    (c->msi_64bit ? 0x80 : 0) |
					    (c->msi_per_vector_mask ? 0x100 : 0)));
		prev_next = &cfg[o + 1];
	}
	if (c->msix) {
		unsigned o = FX_CAP_MSIX_OFF;
		unsigned ts = c->msix_table_size ? c->msix_table_size - 1u : 0;

		*prev_next = (uint8_t)o;
		cfg[o] = 0x11;
		put16(cfg, o + 2, (uint16_t)((ts & 0x7ff) | (c->msix_masked ? 0x4000 : 0) |
					    (c->msix_enabled ? 0x8000 : 0)));
		put32(cfg, o + 4, (c->msix_table_offset & ~7u) | (c->msix_table_bir & 7u));
		put32(cfg, o + 8, (c->msix_pba_offset & ~7u) | (c->msix_pba_bir & 7u));
		prev_next = &cfg[o + 1];
	}
	if (cfg[0x34])
		put16(cfg, 0x06, 0x0010); /* capability list */

	if (n->config_size < 4096)
		return;
	if (c->acs) {
		unsigned o = FX_ECAP_ACS_OFF;

		put32(cfg, o, 0x000d | (1u << 16));
		put16(cfg, o + 4, c->acs_cap);
		put16(cfg, o + 6, c->acs_ctrl);
		ext_prev = o;
	}
	if (c->sriov) {
		unsigned o = FX_ECAP_SRIOV_OFF(c->acs);

		if (ext_prev)
			put32(cfg, ext_prev, (cfg[ext_prev] | (uint32_t)cfg[ext_prev + 1] << 8 |
					      (uint32_t)cfg[ext_prev + 2] << 16) |
						     ((uint32_t)o << 20));
		put32(cfg, o, 0x0010 | (1u << 16));
		put16(cfg, o + 0x0c, c->sriov_initial_vfs);
		put16(cfg, o + 0x0e, c->sriov_total_vfs);
		put16(cfg, o + 0x14, c->sriov_offset ? c->sriov_offset : 1);
		put16(cfg, o + 0x16, c->sriov_stride ? c->sriov_stride : 1);
		put16(cfg, o + 0x1a, c->sriov_vf_device ? c->sriov_vf_device : d->device);
		put32(cfg, o + 0x1c, 0x553); /* supported page sizes */
		put32(cfg, o + 0x20, 1);     /* 4K */
	}
}

/* ---- devices ---- */

static int node_alloc(struct fx *fx, const char *canon, struct fx_node **np)
{
	struct fx_node *n;
	size_t h;
	int err;

	if (fx->num == fx->cap) {
		size_t cap = fx->cap ? fx->cap * 2 : 64;
		struct fx_node *nodes = realloc(fx->nodes, cap * sizeof(*nodes));

		if (!nodes)
			return -ENOMEM;
		fx->nodes = nodes;
		fx->cap = cap;
	}
	if ((fx->num + 1) * 2 > fx->htcap && (err = ht_grow(fx)))
		return err;
	n = &fx->nodes[fx->num];
	memset(n, 0, sizeof(*n));
	snprintf(n->addr, sizeof(n->addr), "%s", canon);
	for (h = hash_str(canon) & (fx->htcap - 1); fx->ht[h]; h = (h + 1) & (fx->htcap - 1))
		;
	fx->ht[h] = fx->num + 1;
	fx->num++;
	*np = n;
	return 0;
}

static int count_components(const char *p)
{
	int n = 1;

	for (; *p; p++)
		n += *p == '/';
	return n;
}

/* Writes the attribute files of node @n (its dir exists). */
static int write_attrs(struct fx *fx, struct fx_node *n, const struct fx_dev *d)
{
	char rel[FX_PATH_MAX], modalias[128];
	uint8_t cfg[4096];
	int err, i;
	char res[13 * 60 + 1];
	size_t rp = 0;

	snprintf(modalias, sizeof(modalias), "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X",
		 d->vendor, d->device, d->subsys_vendor, d->subsys_device,
		 (d->class_code >> 16) & 0xff, (d->class_code >> 8) & 0xff, d->class_code & 0xff);

#define ATTR(name) (rel_path(fx, rel, sizeof(rel), "%s/%s", n->path, name) ? -ENAMETOOLONG : 0)
	if ((err = ATTR("uevent")))
		return err;
	if (d->driver)
		err = putf(fx, rel,
			   "DRIVER=%s\nPCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\n"
			   "PCI_SLOT_NAME=%s\nMODALIAS=%s\n",
			   d->driver, d->class_code, d->vendor, d->device, d->subsys_vendor,
			   d->subsys_device, n->addr, modalias);
	else
		err = putf(fx, rel,
			   "PCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\n"
			   "PCI_SLOT_NAME=%s\nMODALIAS=%s\n",
			   d->class_code, d->vendor, d->device, d->subsys_vendor,
			   d->subsys_device, n->addr, modalias);
	if (err)
		return err;
	if ((err = ATTR("vendor")) || (err = putf(fx, rel, "0x%04x\n", d->vendor)) ||
	    (err = ATTR("device")) || (err = putf(fx, rel, "0x%04x\n", d->device)) ||
	    (err = ATTR("subsystem_vendor")) ||
	    (err = putf(fx, rel, "0x%04x\n", d->subsys_vendor)) ||
	    (err = ATTR("subsystem_device")) ||
	    (err = putf(fx, rel, "0x%04x\n", d->subsys_device)) || (err = ATTR("class")) ||
	    (err = putf(fx, rel, "0x%06x\n", d->class_code)) || (err = ATTR("revision")) ||
	    (err = putf(fx, rel, "0x%02x\n", d->revision)) || (err = ATTR("driver_override")) ||
	    (err = putf(fx, rel, "%s\n", d->driver_override ? d->driver_override : "(null)")) ||
	    (err = ATTR("numa_node")) || (err = putf(fx, rel, "%d\n", d->numa)) ||
	    (err = ATTR("local_cpulist")) || (err = put(fx, rel, "0-1\n")) ||
	    (err = ATTR("irq")) || (err = put(fx, rel, "0\n")) || (err = ATTR("enable")) ||
	    (err = put(fx, rel, "1\n")) || (err = ATTR("modalias")) ||
	    (err = putf(fx, rel, "%s\n", modalias)))
		return err;
	for (i = 0; i < 13; i++)
		rp += (size_t)snprintf(res + rp, sizeof(res) - rp,
				       "0x%016llx 0x%016llx 0x%016llx\n", 0ULL, 0ULL, 0ULL);
	if ((err = ATTR("resource")) || (err = put_bytes(fx, rel, res, rp)))
		return err;
	if (d->reset_method &&
	    ((err = ATTR("reset_method")) || (err = putf(fx, rel, "%s\n", d->reset_method))))
		return err;
	if ((d->class_code >> 8) == 0x0300 &&
	    ((err = ATTR("boot_vga")) || (err = putf(fx, rel, "%d\n", d->boot_vga))))
		return err;
	if (d->caps.sriov) {
		const struct fx_caps *c = &d->caps;

		if ((err = ATTR("sriov_totalvfs")) ||
		    (err = putf(fx, rel, "%u\n", c->sriov_total_vfs)) ||
		    (err = ATTR("sriov_numvfs")) || (err = put(fx, rel, "0\n")) ||
		    (err = ATTR("sriov_drivers_autoprobe")) || (err = put(fx, rel, "1\n")) ||
		    (err = ATTR("sriov_offset")) ||
		    (err = putf(fx, rel, "%u\n", c->sriov_offset ? c->sriov_offset : 1)) ||
		    (err = ATTR("sriov_stride")) ||
		    (err = putf(fx, rel, "%u\n", c->sriov_stride ? c->sriov_stride : 1)) ||
		    (err = ATTR("sriov_vf_device")) ||
		    (err = putf(fx, rel, "%x\n",
				c->sriov_vf_device ? c->sriov_vf_device : d->device)))
			return err;
	}
	build_config(n, cfg);
	if ((err = ATTR("config")) || (err = put_bytes(fx, rel, cfg, n->config_size)))
		return err;
	if ((err = ATTR("subsystem")) || (err = link_up(fx, rel, n->depth, "bus/pci")))
		return err;
#undef ATTR
	return 0;
}

static int link_driver(struct fx *fx, struct fx_node *n, const char *driver)
{
	char rel[FX_PATH_MAX];
	int err;

	if ((err = rel_path(fx, rel, sizeof(rel), "bus/pci/drivers/%s", driver)))
		return err;
	if (mkdirat(fx->rootfd, rel, 0755) == 0) {
		char f[FX_PATH_MAX];

		/* a new driver dir: the files a real one has */
		if ((err = rel_path(fx, f, sizeof(f), "%s/bind", rel)) || (err = put(fx, f, "")) ||
		    (err = rel_path(fx, f, sizeof(f), "%s/unbind", rel)) ||
		    (err = put(fx, f, "")) ||
		    (err = rel_path(fx, f, sizeof(f), "%s/new_id", rel)) || (err = put(fx, f, "")))
			return err;
	} else if (errno != EEXIST) {
		return fx_err(fx, -errno, "mkdir %s/%s: %s", fx->root, rel, strerror(errno));
	}
	if ((err = rel_path(fx, rel, sizeof(rel), "bus/pci/drivers/%s/%s", driver, n->addr)) ||
	    (err = link_up(fx, rel, 4, n->path)))
		return err;
	{
		char target[FX_PATH_MAX];

		if ((err = rel_path(fx, rel, sizeof(rel), "%s/driver", n->path)) ||
		    (err = rel_path(fx, target, sizeof(target), "bus/pci/drivers/%s", driver)))
			return err;
		return link_up(fx, rel, n->depth, target);
	}
}

static int link_group(struct fx *fx, struct fx_node *n, int group)
{
	char rel[FX_PATH_MAX], target[64];
	int err;

	if ((err = rel_path(fx, rel, sizeof(rel), "kernel/iommu_groups/%d", group)))
		return err;
	if (mkdirat(fx->rootfd, rel, 0755) == 0) {
		char f[FX_PATH_MAX];

		if ((err = rel_path(fx, f, sizeof(f), "%s/devices", rel)) ||
		    (err = mkdir_rel(fx, f)) ||
		    (err = rel_path(fx, f, sizeof(f), "%s/type", rel)) ||
		    (err = put(fx, f, "DMA\n")) ||
		    (err = rel_path(fx, f, sizeof(f), "%s/reserved_regions", rel)) ||
		    (err = put(fx, f, "0x00000000fee00000 0x00000000feefffff msi\n")))
			return err;
	} else if (errno != EEXIST) {
		return fx_err(fx, -errno, "mkdir %s/%s: %s", fx->root, rel, strerror(errno));
	}
	if ((err = rel_path(fx, rel, sizeof(rel), "kernel/iommu_groups/%d/devices/%s", group,
			    n->addr)) ||
	    (err = link_up(fx, rel, 4, n->path)))
		return err;
	snprintf(target, sizeof(target), "kernel/iommu_groups/%d", group);
	if ((err = rel_path(fx, rel, sizeof(rel), "%s/iommu_group", n->path)))
		return err;
	return link_up(fx, rel, n->depth, target);
}

/* Adds a device whose dir goes into @dir_rel (NULL: derived from the parent). */
static int add_dev_in(struct fx *fx, const struct fx_dev *d, int parent, const char *dir_rel)
{
	char canon[24], rel[FX_PATH_MAX];
	struct fx_node *n;
	uint32_t dom;
	unsigned bus, dev, fn;
	int err, idx;

	if (!d || parse_addr(d->addr, &dom, &bus, &dev, &fn))
		return fx_err(fx, -EINVAL, "'%s' is not a PCI address",
			      d && d->addr ? d->addr : "(null)");
	canon_addr(d->addr, canon, sizeof(canon));
	if (find_node(fx, canon) >= 0)
		return fx_err(fx, -EEXIST, "%s added twice", canon);
	if (d->caps.config_size && d->caps.config_size != 256 && d->caps.config_size != 4096)
		return fx_err(fx, -EINVAL, "%s: config_size must be 256 or 4096", canon);

	if (dir_rel)
		err = rel_path(fx, rel, sizeof(rel), "%s/%s", dir_rel, canon);
	else if (parent >= 0)
		err = rel_path(fx, rel, sizeof(rel), "%s/%s", fx->nodes[parent].path, canon);
	else
		err = rel_path(fx, rel, sizeof(rel), "devices/pci%04x:%02x/%s", dom, bus, canon);
	if (err)
		return err;
	if (!dir_rel && parent < 0) {
		char root[64];

		snprintf(root, sizeof(root), "devices/pci%04x:%02x", dom, bus);
		if ((err = mkdir_rel(fx, root)))
			return err;
	}
	if (mkdirat(fx->rootfd, rel, 0755))
		return fx_err(fx, -errno, "mkdir %s/%s: %s", fx->root, rel, strerror(errno));

	if ((err = node_alloc(fx, canon, &n)))
		return fx_err(fx, err, "out of memory");
	idx = (int)(n - fx->nodes);
	n->path = strdup(rel);
	if (!n->path)
		return fx_err(fx, -ENOMEM, "out of memory");
	n->depth = count_components(rel);
	n->domain = dom;
	n->bus = (uint8_t)bus;
	n->devfn = (uint8_t)(dev << 3 | fn);
	n->spec = *d;
	n->spec.addr = NULL;
	n->spec.driver = NULL;
	n->spec.parent = NULL;
	n->spec.reset_method = NULL;
	n->spec.driver_override = NULL;
	n->config_size = config_size_of(&d->caps);
	n->parent = parent;
	n->child_bus_min = -1;
	n->child_bus_max = -1;

	if ((err = write_attrs(fx, n, d)))
		return err;
	if ((err = rel_path(fx, rel, sizeof(rel), "bus/pci/devices/%s", canon)) ||
	    (err = link_up(fx, rel, 3, fx->nodes[idx].path)))
		return err;
	if (d->driver && (err = link_driver(fx, &fx->nodes[idx], d->driver)))
		return err;
	if (d->group >= 0 && !(fx->flags & FX_NO_IOMMU) &&
	    (err = link_group(fx, &fx->nodes[idx], d->group)))
		return err;

	/* keep the bridge's bus numbers honest for lspci -t and friends */
	if (parent >= 0 && is_bridge_class(fx->nodes[parent].spec.class_code)) {
		struct fx_node *p = &fx->nodes[parent];
		uint8_t b[2];

		if (p->child_bus_min < 0 || (int)bus < p->child_bus_min)
			p->child_bus_min = (int)bus;
		if ((int)bus > p->child_bus_max)
			p->child_bus_max = (int)bus;
		b[0] = (uint8_t)p->child_bus_min;
		b[1] = (uint8_t)p->child_bus_max;
		if ((err = fx_write_config(fx, p->addr, 0x19, b, 2)))
			return err;
	}
	return 0;
}

int fx_add_dev(struct fx *fx, const struct fx_dev *d)
{
	int parent = -1;

	if (d && d->parent) {
		parent = lookup(fx, d->parent);
		if (parent < 0)
			return parent;
	}
	return add_dev_in(fx, d, parent, NULL);
}

static void vf_geometry(const struct fx_node *pf, unsigned *offset, unsigned *stride)
{
	const struct fx_caps *c = &pf->spec.caps;

	*offset = c->sriov && c->sriov_offset ? c->sriov_offset : 1;
	*stride = c->sriov && c->sriov_stride ? c->sriov_stride : 1;
}

static int vf_addr_of(const struct fx_node *pf, unsigned idx, char *buf, size_t len)
{
	unsigned offset, stride, rid;

	vf_geometry(pf, &offset, &stride);
	rid = ((unsigned)pf->bus << 8 | pf->devfn) + offset + idx * stride;
	if (rid > 0xffff)
		return -ERANGE;
	snprintf(buf, len, "%04x:%02x:%02x.%x", pf->domain, rid >> 8, (rid >> 3) & 0x1f, rid & 7);
	return 0;
}

int fx_vf_addr(struct fx *fx, const char *pf, unsigned idx, char *buf, size_t len)
{
	int i = lookup(fx, pf);

	if (i < 0)
		return i;
	if (len < 24)
		return -ENOSPC;
	return vf_addr_of(&fx->nodes[i], idx, buf, len);
}

int fx_add_vfs(struct fx *fx, const char *pf, unsigned n, const char *driver, int first_group)
{
	char vf[24], rel[FX_PATH_MAX], target[64], pfdir[FX_PATH_MAX];
	int pi = lookup(fx, pf), err;
	struct fx_node *p;
	unsigned i;

	if (pi < 0)
		return pi;
	p = &fx->nodes[pi];
	if (p->num_vfs)
		return fx_err(fx, -EBUSY, "%s already has VFs", p->addr);
	if (p->spec.caps.sriov && n > p->spec.caps.sriov_total_vfs)
		return fx_err(fx, -EINVAL, "%s: %u VFs > TotalVFs %u", p->addr, n,
			      p->spec.caps.sriov_total_vfs);
	/* the dir that holds the PF holds its VFs */
	snprintf(pfdir, sizeof(pfdir), "%s", p->path);
	*strrchr(pfdir, '/') = '\0';

	for (i = 0; i < n; i++) {
		struct fx_dev d;
		int vi;

		p = &fx->nodes[pi]; /* the table may move */
		if (vf_addr_of(p, i, vf, sizeof(vf)))
			return fx_err(fx, -ERANGE, "%s: VF %u beyond bus 255", p->addr, i);
		d = p->spec;
		d.addr = vf;
		d.device = p->spec.caps.sriov && p->spec.caps.sriov_vf_device ?
				   p->spec.caps.sriov_vf_device :
				   p->spec.device;
		d.driver = driver;
		d.group = first_group >= 0 ? first_group + (int)i : FX_NO_GROUP;
		d.reset_method = "flr";
		d.driver_override = NULL;
		d.caps.sriov = false;
		d.caps.acs = false;
		d.caps.msi = false;
		d.caps.config_size = 256;
		d.caps.pcie_port_type = 0;
		if ((err = add_dev_in(fx, &d, p->parent, pfdir)))
			return err;
		vi = find_node(fx, vf);
		p = &fx->nodes[pi];
		if ((err = rel_path(fx, rel, sizeof(rel), "%s/virtfn%u", p->path, i)))
			return err;
		snprintf(target, sizeof(target), "%s", vf);
		if ((err = link_up(fx, rel, 1, target)))
			return err;
		if ((err = rel_path(fx, rel, sizeof(rel), "%s/physfn", fx->nodes[vi].path)))
			return err;
		snprintf(target, sizeof(target), "%s", p->addr);
		if ((err = link_up(fx, rel, 1, target)))
			return err;
	}
	p = &fx->nodes[pi];
	p->num_vfs = n;
	if ((err = rel_path(fx, rel, sizeof(rel), "%s/sriov_numvfs", p->path)) ||
	    (err = putf(fx, rel, "%u\n", n)))
		return err;
	if (p->spec.caps.sriov && p->config_size == 4096) {
		uint8_t ctl[2] = { n ? 0x09 : 0, 0 }, num[2] = { (uint8_t)n, (uint8_t)(n >> 8) };

		if ((err = fx_write_config(fx, p->addr, FX_ECAP_SRIOV_OFF(p->spec.caps.acs) + 0x08, ctl, 2)) ||
		    (err = fx_write_config(fx, p->addr, FX_ECAP_SRIOV_OFF(p->spec.caps.acs) + 0x10, num, 2)))
			return err;
	}
	return 0;
}

/* ---- attribute surgery ---- */

static int attr_rel(struct fx *fx, const char *addr, const char *attr, char *rel, size_t len)
{
	int i = lookup(fx, addr);

	if (i < 0)
		return i;
	if (!attr || !*attr)
		return rel_path(fx, rel, len, "%s", fx->nodes[i].path);
	return rel_path(fx, rel, len, "%s/%s", fx->nodes[i].path, attr);
}

int fx_dev_path(struct fx *fx, const char *addr, const char *attr, char *buf, size_t len)
{
	char rel[FX_PATH_MAX];
	int err = attr_rel(fx, addr, attr, rel, sizeof(rel));

	if (err)
		return err;
	if ((size_t)snprintf(buf, len, "%s/%s", fx->root, rel) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int fx_write_attr(struct fx *fx, const char *addr, const char *attr, const char *text)
{
	char rel[FX_PATH_MAX];
	int err = attr_rel(fx, addr, attr, rel, sizeof(rel));

	if (err)
		return err;
	/* replace links and dirs rather than write through them */
	{
		struct stat st;

		if (!fstatat(fx->rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) && !S_ISREG(st.st_mode))
			rm_tree_at(fx->rootfd, rel);
	}
	return put(fx, rel, text);
}

int fx_remove_attr(struct fx *fx, const char *addr, const char *attr)
{
	char rel[FX_PATH_MAX];
	int err = attr_rel(fx, addr, attr, rel, sizeof(rel));

	if (err)
		return err;
	if (!attr || !*attr)
		return fx_err(fx, -EINVAL, "fx_remove_attr needs an attribute name");
	err = rm_tree_at(fx->rootfd, rel);
	if (err)
		return fx_err(fx, err, "remove %s/%s: %s", fx->root, rel, strerror(-err));
	return 0;
}

int fx_chmod_attr(struct fx *fx, const char *addr, const char *attr, mode_t mode)
{
	char rel[FX_PATH_MAX];
	int err = attr_rel(fx, addr, attr, rel, sizeof(rel));

	if (err)
		return err;
	if (fchmodat(fx->rootfd, rel, mode, 0))
		return fx_err(fx, -errno, "chmod %s/%s: %s", fx->root, rel, strerror(errno));
	return 0;
}

int fx_make_unreadable(struct fx *fx, const char *addr, const char *attr)
{
	char rel[FX_PATH_MAX];
	int err = attr_rel(fx, addr, attr, rel, sizeof(rel));

	if (err)
		return err;
	if (!attr || !*attr)
		return fx_err(fx, -EINVAL, "fx_make_unreadable needs an attribute name");
	if ((err = rm_tree_at(fx->rootfd, rel)))
		return fx_err(fx, err, "remove %s/%s: %s", fx->root, rel, strerror(-err));
	if (mkdirat(fx->rootfd, rel, 0))
		return fx_err(fx, -errno, "mkdir %s/%s: %s", fx->root, rel, strerror(errno));
	return 0;
}

int fx_symlink_attr(struct fx *fx, const char *addr, const char *attr, const char *target)
{
	char rel[FX_PATH_MAX];
	int err = attr_rel(fx, addr, attr, rel, sizeof(rel));

	if (err)
		return err;
	if (!attr || !*attr)
		return fx_err(fx, -EINVAL, "fx_symlink_attr needs an attribute name");
	if ((err = rm_tree_at(fx->rootfd, rel)))
		return fx_err(fx, err, "remove %s/%s: %s", fx->root, rel, strerror(-err));
	if (symlinkat(target, fx->rootfd, rel))
		return fx_err(fx, -errno, "symlink %s/%s: %s", fx->root, rel, strerror(errno));
	return 0;
}

int fx_write_config(struct fx *fx, const char *addr, unsigned off, const void *buf, size_t len)
{
	char rel[FX_PATH_MAX];
	int err = attr_rel(fx, addr, "config", rel, sizeof(rel)), fd;
	ssize_t n;

	if (err)
		return err;
	fd = openat(fx->rootfd, rel, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fx_err(fx, -errno, "open %s/%s: %s", fx->root, rel, strerror(errno));
	n = pwrite(fd, buf, len, (off_t)off);
	err = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	close(fd);
	if (err)
		return fx_err(fx, err, "write %s/%s: %s", fx->root, rel, strerror(-err));
	return 0;
}

int fx_truncate_config(struct fx *fx, const char *addr, size_t len)
{
	char rel[FX_PATH_MAX];
	int err = attr_rel(fx, addr, "config", rel, sizeof(rel)), fd;

	if (err)
		return err;
	fd = openat(fx->rootfd, rel, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fx_err(fx, -errno, "open %s/%s: %s", fx->root, rel, strerror(errno));
	err = ftruncate(fd, (off_t)len) ? -errno : 0;
	close(fd);
	if (err)
		return fx_err(fx, err, "truncate %s/%s: %s", fx->root, rel, strerror(-err));
	return 0;
}

int fx_add_bus_entry(struct fx *fx, const char *name)
{
	char rel[FX_PATH_MAX], target[FX_PATH_MAX];
	int err;

	if (!name || !*name || strchr(name, '/'))
		return fx_err(fx, -EINVAL, "bad entry name");
	if ((err = mkdir_rel(fx, "devices/platform")) ||
	    (err = rel_path(fx, target, sizeof(target), "devices/platform/%s", name)) ||
	    (err = mkdir_rel(fx, target)) ||
	    (err = rel_path(fx, rel, sizeof(rel), "bus/pci/devices/%s", name)))
		return err;
	return link_up(fx, rel, 3, target);
}

/* ---- scenarios ---- */

#define ENDPOINT_CAPS(flr_, speed_, width_) \
	.pcie = true, .pcie_port_type = 0, .pcie_flr = (flr_), .pcie_link_speed = (speed_), \
	.pcie_link_width = (width_)

static const struct fx_dev scn_base[] = {
	{ .addr = "0000:00:00.0", .vendor = 0x8086, .device = 0x29c0, .subsys_vendor = 0x1af4,
	  .subsys_device = 0x1100, .class_code = 0x060000, .group = 0, .numa = -1 },
	{ .addr = "0000:00:01.0", .vendor = 0x1b36, .device = 0x0100, .subsys_vendor = 0x1af4,
	  .subsys_device = 0x1100, .class_code = 0x030000, .revision = 0x05,
	  .driver = "bochs-drm", .group = 1, .numa = -1, .boot_vga = 1 },
	{ .addr = "0000:00:04.0", .vendor = 0x1b36, .device = 0x0010, .subsys_vendor = 0x1af4,
	  .subsys_device = 0x1100, .class_code = 0x010802, .revision = 0x02,
	  .driver = "vfio-pci", .group = 2, .numa = 0, .reset_method = "flr bus",
	  .driver_override = "vfio-pci",
	  .caps = { ENDPOINT_CAPS(true, 1, 1), .msix = true, .msix_table_size = 65,
		    .msix_table_bir = 0, .msix_table_offset = 0x2000, .msix_pba_bir = 0,
		    .msix_pba_offset = 0x3000 } },
};

static const struct fx_dev scn_bridge_group[] = {
	{ .addr = "0000:00:1e.0", .vendor = 0x8086, .device = 0x244e, .class_code = 0x060401,
	  .revision = 0x92, .group = 5, .numa = -1 },
	{ .addr = "0000:05:00.0", .vendor = 0x8086, .device = 0x100e, .subsys_vendor = 0x8086,
	  .subsys_device = 0x001e, .class_code = 0x020000, .revision = 0x03,
	  .driver = "vfio-pci", .group = 5, .parent = "0000:00:1e.0", .numa = -1,
	  .caps = { .msi = true, .msi_vectors = 1, .msi_64bit = true } },
	{ .addr = "0000:05:01.0", .vendor = 0x1274, .device = 0x5000, .subsys_vendor = 0x1274,
	  .subsys_device = 0x2000, .class_code = 0x040100, .revision = 0x00, .group = 5,
	  .parent = "0000:00:1e.0", .numa = -1 },
};

static const struct fx_dev scn_nonviable[] = {
	{ .addr = "0000:00:1f.0", .vendor = 0x8086, .device = 0x2918, .subsys_vendor = 0x1af4,
	  .subsys_device = 0x1100, .class_code = 0x060100, .revision = 0x02, .group = 9,
	  .numa = -1 },
	{ .addr = "0000:00:1f.2", .vendor = 0x8086, .device = 0x2922, .subsys_vendor = 0x1af4,
	  .subsys_device = 0x1100, .class_code = 0x010601, .revision = 0x02, .driver = "ahci",
	  .group = 9, .numa = -1, .caps = { .msi = true, .msi_vectors = 1 } },
	{ .addr = "0000:00:1f.3", .vendor = 0x8086, .device = 0x2930, .subsys_vendor = 0x1af4,
	  .subsys_device = 0x1100, .class_code = 0x0c0500, .revision = 0x02,
	  .driver = "vfio-pci", .group = 9, .numa = -1 },
	{ .addr = "0000:00:1c.0", .vendor = 0x1b36, .device = 0x000c, .class_code = 0x060400,
	  .driver = "pcieport", .group = 10, .numa = -1,
	  .caps = { .pcie = true, .pcie_port_type = 4, .pcie_link_speed = 1,
		    .pcie_link_width = 1, .msi = true, .msi_vectors = 1 } },
	{ .addr = "0000:01:00.0", .vendor = 0x8086, .device = 0x10d3, .subsys_vendor = 0x8086,
	  .subsys_device = 0x0000, .class_code = 0x020000, .driver = "pci-stub", .group = 10,
	  .parent = "0000:00:1c.0", .numa = -1, .reset_method = "flr bus",
	  .caps = { ENDPOINT_CAPS(true, 1, 1), .msix = true, .msix_table_size = 5,
		    .msix_table_bir = 3, .msix_table_offset = 0, .msix_pba_bir = 3,
		    .msix_pba_offset = 0x2000 } },
	{ .addr = "0000:01:00.1", .vendor = 0x15b3, .device = 0x101e, .subsys_vendor = 0x15b3,
	  .subsys_device = 0x0062, .class_code = 0x020000, .driver = "mlx5_vfio_pci",
	  .group = 10, .parent = "0000:00:1c.0", .numa = -1, .reset_method = "flr",
	  .caps = { ENDPOINT_CAPS(true, 4, 8) } },
	{ .addr = "0000:02:00.0", .vendor = 0x10de, .device = 0x1eb8, .subsys_vendor = 0x10de,
	  .subsys_device = 0x12a2, .class_code = 0x030200, .revision = 0xa1, .driver = "nvidia",
	  .group = 11, .numa = -1, .reset_method = "bus",
	  .caps = { ENDPOINT_CAPS(false, 3, 16), .msi = true, .msi_vectors = 1,
		    .msi_64bit = true } },
	{ .addr = "0000:02:00.1", .vendor = 0x10de, .device = 0x10f8, .subsys_vendor = 0x10de,
	  .subsys_device = 0x12a2, .class_code = 0x040300, .revision = 0xa1,
	  .driver = "snd_hda_intel", .group = 11, .numa = -1 },
};

static const struct fx_dev scn_sriov[] = {
	{ .addr = "0000:00:02.0", .vendor = 0x1b36, .device = 0x000c, .class_code = 0x060400,
	  .driver = "pcieport", .group = 20, .numa = -1,
	  .caps = { .pcie = true, .pcie_port_type = 4, .pcie_link_speed = 2,
		    .pcie_link_width = 4, .acs = true, .acs_cap = 0x005f, .acs_ctrl = 0x001d } },
	{ .addr = "0000:03:00.0", .vendor = 0x8086, .device = 0x1521, .subsys_vendor = 0x8086,
	  .subsys_device = 0x0001, .class_code = 0x020000, .revision = 0x01, .driver = "igb",
	  .group = 21, .parent = "0000:00:02.0", .numa = 0, .reset_method = "flr bus",
	  .caps = { ENDPOINT_CAPS(true, 2, 4), .msi = true, .msi_vectors = 1,
		    .msi_64bit = true, .msi_per_vector_mask = true, .msix = true,
		    .msix_table_size = 10, .msix_table_bir = 3, .msix_table_offset = 0,
		    .msix_pba_bir = 3, .msix_pba_offset = 0x2000, .msix_enabled = true,
		    .sriov = true, .sriov_total_vfs = 7, .sriov_initial_vfs = 7,
		    .sriov_offset = 0x80, .sriov_stride = 4, .sriov_vf_device = 0x1520 } },
};

static const struct fx_dev scn_domains[] = {
	{ .addr = "10000:e1:00.0", .vendor = 0x8086, .device = 0x0a54, .subsys_vendor = 0x8086,
	  .subsys_device = 0x4802, .class_code = 0x010802, .driver = "vfio-pci", .group = 42,
	  .numa = 1, .caps = { ENDPOINT_CAPS(true, 3, 4) } },
	{ .addr = "0001:00:00.0", .vendor = 0x1b36, .device = 0x0008, .class_code = 0x060000,
	  .group = 40, .numa = 1 },
	{ .addr = "0001:00:01.0", .vendor = 0x1b36, .device = 0x000c, .class_code = 0x060400,
	  .driver = "pcieport", .group = 41, .numa = 1,
	  .caps = { .pcie = true, .pcie_port_type = 4, .pcie_link_speed = 3,
		    .pcie_link_width = 4 } },
	{ .addr = "0001:01:00.0", .vendor = 0x144d, .device = 0xa808, .subsys_vendor = 0x144d,
	  .subsys_device = 0xa801, .class_code = 0x010802, .driver = "nvme", .group = 41,
	  .parent = "0001:00:01.0", .numa = 1, .reset_method = "flr bus",
	  .caps = { ENDPOINT_CAPS(true, 3, 4), .msix = true, .msix_table_size = 33,
		    .msix_table_bir = 0, .msix_table_offset = 0x3000, .msix_pba_bir = 0,
		    .msix_pba_offset = 0x2000 } },
};

static int add_table(struct fx *fx, const struct fx_dev *t, size_t n)
{
	size_t i;
	int err;

	for (i = 0; i < n; i++)
		if ((err = fx_add_dev(fx, &t[i])))
			return err;
	return 0;
}

#define ADD_TABLE(fx, t) add_table(fx, t, sizeof(t) / sizeof(t[0]))

int fx_scn_base(struct fx *fx)
{
	return ADD_TABLE(fx, scn_base);
}

int fx_scn_bridge_group(struct fx *fx)
{
	return ADD_TABLE(fx, scn_bridge_group);
}

int fx_scn_nonviable(struct fx *fx)
{
	return ADD_TABLE(fx, scn_nonviable);
}

int fx_scn_sriov(struct fx *fx)
{
	int err = ADD_TABLE(fx, scn_sriov);

	if (err)
		return err;
	return fx_add_vfs(fx, "0000:03:00.0", 4, "vfio-pci", 22);
}

int fx_scn_domains(struct fx *fx)
{
	return ADD_TABLE(fx, scn_domains);
}

const char *const fx_scenario_names[] = {
	"base", "bridge-group", "nonviable", "sriov", "domains", "host", "noiommu", NULL,
};

int fx_scenario(struct fx **fxp, const char *name, const char *dir)
{
	unsigned flags = 0;
	struct fx *fx;
	int err;

	if (!name)
		return -EINVAL;
	if (!strcmp(name, "noiommu"))
		flags |= FX_NO_IOMMU;
	else if (strcmp(name, "base") && strcmp(name, "bridge-group") &&
		 strcmp(name, "nonviable") && strcmp(name, "sriov") && strcmp(name, "domains") &&
		 strcmp(name, "host"))
		return -EINVAL;
	err = dir ? fx_new_at(&fx, dir, flags) : fx_new(&fx, flags);
	if (err)
		return err;
	err = fx_scn_base(fx);
	if (!err && (!strcmp(name, "bridge-group") || !strcmp(name, "host")))
		err = fx_scn_bridge_group(fx);
	if (!err && (!strcmp(name, "nonviable") || !strcmp(name, "host") ||
		     !strcmp(name, "noiommu")))
		err = fx_scn_nonviable(fx);
	if (!err && (!strcmp(name, "sriov") || !strcmp(name, "host")))
		err = fx_scn_sriov(fx);
	if (!err && (!strcmp(name, "domains") || !strcmp(name, "host")))
		err = fx_scn_domains(fx);
	if (err) {
		fprintf(stderr, "fixture: scenario %s: %s\n", name, fx->err);
		fx_free(fx);
		return err;
	}
	*fxp = fx;
	return 0;
}
