// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The host doctor: what VFIO device assignment needs, checked from sysfs, proc, dev and
 * etc (all under the context's roots), as findings with a status and a fix.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <vfiox/host.h>
#include <vfiox/inuse.h>
#include <vfiox/iommufd.h>

#include "internal.h"
#include "host-private.h"

#define PATH_LEN 4096
#define MAX_GROUPS 64
/* CAP_IPC_LOCK: type1 pins memory without counting it against the limit. */
#define CAP_IPC_LOCK_BIT 14
/* ACS bits the kernel requires of a port for isolation: SV, RR, CR, UF. */
#define ACS_SV 0x01
#define ACS_RR 0x04
#define ACS_CR 0x08
#define ACS_UF 0x10
#define ACS_REQUIRED (ACS_SV | ACS_RR | ACS_CR | ACS_UF)
/* The interrupt-remapping bit of the VT-d extended capability register. */
#define ECAP_IR (1ull << 3)

struct finding {
	char *id, *subject, *summary, *fix;
	int status;
};

struct vfiox_findings {
	struct finding *v;
	size_t n, cap;
};

/* Who the limits and permissions are checked for. */
struct who {
	char name[64];
	bool given;	/* --user, else the caller */
	unsigned long uid, gid;
	unsigned long gids[MAX_GROUPS];
	char *gnames[MAX_GROUPS];
	size_t ngroups;
	bool cap_ipc_lock; /* the caller's effective set; for a user: uid 0 */
};

struct check {
	struct vfiox_ctx *ctx;
	struct vfiox_findings *f;
	struct who who;
	int err; /* out of memory while adding */
	char cmdline[4096];
	bool have_cmdline;
	int num_groups;
	bool dmar, ivrs;
	/* The two IOMMU backends (see probe_backends()). */
	bool legacy;            /* <dev>/vfio/vfio exists: type1 */
	bool iommu_node;        /* <dev>/iommu exists: iommufd */
	bool vfio_loaded;       /* <sysfs>/module/vfio or class/vfio-dev */
	unsigned vfio_devs;     /* entries of <sysfs>/class/vfio-dev */
	unsigned cdevs;         /* ... that have a device number: VFIO cdevs */
};

/* ------------------------------------------------------------------ findings */

struct vfiox_findings *vfiox__findings_new(void)
{
	return calloc(1, sizeof(struct vfiox_findings));
}

int vfiox__findings_vadd(struct vfiox_findings *f, const char *id, int status,
			 const char *subject, const char *fmt, va_list ap)
{
	struct finding *e;
	int n;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct finding *v = realloc(f->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		f->v = v;
		f->cap = cap;
	}
	e = &f->v[f->n];
	memset(e, 0, sizeof(*e));
	e->status = status;
	e->id = strdup(id);
	e->subject = subject ? strdup(subject) : NULL;
	n = vasprintf(&e->summary, fmt, ap);
	if (n < 0)
		e->summary = NULL;
	if (!e->id || !e->summary || (subject && !e->subject)) {
		free(e->id);
		free(e->subject);
		free(e->summary);
		return -ENOMEM;
	}
	f->n++;
	return 0;
}

int vfiox__findings_vfix(struct vfiox_findings *f, const char *fmt, va_list ap)
{
	struct finding *e;

	if (!f->n)
		return -EINVAL;
	e = &f->v[f->n - 1];
	free(e->fix);
	if (vasprintf(&e->fix, fmt, ap) < 0) {
		e->fix = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void VFIOX_PRINTF(5, 6) add(struct check *c, const char *id, int status,
				   const char *subject, const char *fmt, ...)
{
	va_list ap;

	if (c->err)
		return;
	va_start(ap, fmt);
	c->err = vfiox__findings_vadd(c->f, id, status, subject, fmt, ap);
	va_end(ap);
}

/* The fix of the finding added last. */
static void VFIOX_PRINTF(2, 3) fix(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err || !c->f->n)
		return;
	va_start(ap, fmt);
	c->err = vfiox__findings_vfix(c->f, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ small readers */

static bool exists(const char *root, const char *rel, struct stat *st)
{
	char path[PATH_LEN];
	struct stat tmp;

	if (vfiox__root_path(path, sizeof(path), root, rel))
		return false;
	return !vfiox_sys_fstatat(AT_FDCWD, path, st ? st : &tmp, 0);
}

static ssize_t read_small(const char *root, const char *rel, char *buf, size_t len)
{
	char path[PATH_LEN];

	if (vfiox__root_path(path, sizeof(path), root, rel))
		return -ENAMETOOLONG;
	return vfiox__read_attr(AT_FDCWD, path, buf, len);
}

/* A whole file under @root, or NULL (the reason stays in the last error). */
static char *read_all(struct check *c, const char *root, const char *rel)
{
	char path[PATH_LEN];
	int err;

	if (vfiox__root_path(path, sizeof(path), root, rel)) {
		vfiox__err(c->ctx, -ENAMETOOLONG, "%s/%s: the path is too long", root, rel);
		return NULL;
	}
	return vfiox__read_text(c->ctx, path, &err);
}

struct names {
	char **v;
	size_t n, cap;
	const char *prefix; /* only entries starting with it */
};

static int collect_name(void *arg, const char *name)
{
	struct names *l = arg;
	char *copy;

	if (l->prefix && strncmp(name, l->prefix, strlen(l->prefix)))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	l->v[l->n++] = copy;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Entry names of @root/@rel in C-locale order; 0 entries when it does not exist. */
static int list_dir(const char *root, const char *rel, const char *prefix, struct names *l)
{
	char path[PATH_LEN];
	int ret;

	memset(l, 0, sizeof(*l));
	l->prefix = prefix;
	if (vfiox__root_path(path, sizeof(path), root, rel))
		return -ENAMETOOLONG;
	ret = vfiox__for_each_dirent(AT_FDCWD, path, collect_name, l);
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	return ret;
}

static void names_free(struct names *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static const char *kib(unsigned long long v, char *buf, size_t len)
{
	if (v == VFIOX_LIMIT_INF)
		snprintf(buf, len, "unlimited");
	else if (v >= 1024 * 1024 && !(v % (1024 * 1024)))
		snprintf(buf, len, "%llu GiB", v / (1024 * 1024));
	else if (v >= 1024 && !(v % 1024))
		snprintf(buf, len, "%llu MiB", v / 1024);
	else
		snprintf(buf, len, "%llu KiB", v);
	return buf;
}

/* ------------------------------------------------------------------ parsers */

const char *vfiox__cmdline_param(const char *cmdline, const char *key, char *buf, size_t len)
{
	const char *p = cmdline, *found = NULL;
	size_t klen = strlen(key), flen = 0;

	if (!len)
		return NULL;
	while (*p) {
		const char *w;
		size_t n;
		bool quoted = false;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		w = p;
		/* the kernel lets "..." hold spaces inside a parameter */
		while (*p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n'))) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		n = (size_t)(p - w);
		if (n >= klen && !strncmp(w, key, klen) && (n == klen || w[klen] == '=')) {
			found = n == klen ? w + n : w + klen + 1;
			flen = n == klen ? 0 : n - klen - 1;
		}
		if (!strncmp(w, "--", 2) && n == 2)
			break; /* what follows goes to init */
	}
	if (!found)
		return NULL;
	if (flen >= 2 && found[0] == '"' && found[flen - 1] == '"') {
		found++;
		flen -= 2;
	}
	if (flen >= len)
		flen = len - 1;
	memcpy(buf, found, flen);
	buf[flen] = '\0';
	return buf;
}

void vfiox__limits_init(struct vfiox_limits_state *st)
{
	memset(st, 0, sizeof(*st));
	st->soft_src = st->hard_src = VFIOX_LIMIT_SRC_NONE;
}

static bool in_group(const struct vfiox_limits_user *u, const char *name)
{
	size_t i;

	for (i = 0; i < u->ngroups; i++)
		if (u->groups[i] && !strcmp(u->groups[i], name))
			return true;
	return false;
}

static bool has_gid(const struct vfiox_limits_user *u, unsigned long gid)
{
	size_t i;

	if (u->gid == gid)
		return true;
	for (i = 0; i < u->ngroups; i++)
		if (u->gids && u->gids[i] == gid)
			return true;
	return false;
}

/* "1000:", ":1000", "1000:2000", "1000" into [lo, hi]; false when it is not numeric. */
static bool parse_range(const char *s, unsigned long *lo, unsigned long *hi, bool *exact)
{
	const char *colon = strchr(s, ':');
	char *end;

	*exact = !colon;
	if (!isdigit((unsigned char)*s) && !(colon == s && isdigit((unsigned char)s[1])))
		return false;
	if (!colon) {
		*lo = *hi = strtoul(s, &end, 10);
		return !*end;
	}
	*lo = colon == s ? 0 : strtoul(s, &end, 10);
	if (colon != s && end != colon)
		return false;
	if (!colon[1]) {
		*hi = (unsigned long)-1;
		return true;
	}
	*hi = strtoul(colon + 1, &end, 10);
	if (colon == s)
		*lo = *hi, *exact = true; /* ":N" matches N exactly */
	return !*end;
}

/* The source rank of @domain for the user, or -1 when the line is not for them. */
static int domain_rank(const char *domain, const struct vfiox_limits_user *u)
{
	unsigned long lo, hi;
	bool exact;

	if (!strcmp(domain, u->name))
		return 0;
	if (domain[0] == '@' && domain[1]) {
		if (parse_range(domain + 1, &lo, &hi, &exact))
			/* an exact gid looks at every group, a range at the primary one */
			return (exact ? has_gid(u, lo) : u->gid >= lo && u->gid <= hi) ? 1 : -1;
		return in_group(u, domain + 1) ? 1 : -1;
	}
	if (domain[0] == '%')
		return !domain[1] ? 3 : in_group(u, domain + 1) ? 2 : -1;
	if (!strcmp(domain, "*"))
		return 4;
	if (parse_range(domain, &lo, &hi, &exact))
		return u->uid >= lo && u->uid <= hi ? 0 : -1;
	return -1;
}

int vfiox__parse_limits(char *text, const char *file, const struct vfiox_limits_user *u,
			struct vfiox_limits_state *st)
{
	char *line, *save = NULL;
	unsigned lineno = 0;
	char *p = text;

	/* strtok_r would merge empty lines and spoil the line numbers */
	for (line = p; line; line = save) {
		char *f[4], *tok, *lsave = NULL, *hash;
		unsigned long long v;
		int n = 0, rank;
		bool soft, hard;

		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		while (n < 4 && (tok = strtok_r(n ? NULL : line, " \t\r", &lsave)))
			f[n++] = tok;
		if (!n)
			continue;
		if (n < 4 || strtok_r(NULL, " \t\r", &lsave)) {
			if (!(n == 2 && !strcmp(f[1], "-")))
				st->bad_lines++;
			continue;
		}
		if (strcmp(f[2], "memlock"))
			continue;
		soft = !strcmp(f[1], "soft") || !strcmp(f[1], "-");
		hard = !strcmp(f[1], "hard") || !strcmp(f[1], "-");
		if (!soft && !hard) {
			st->bad_lines++;
			continue;
		}
		if (!strcasecmp(f[3], "unlimited") || !strcasecmp(f[3], "infinity") ||
		    !strcmp(f[3], "-1")) {
			v = VFIOX_LIMIT_INF;
		} else {
			char *end;

			if (!isdigit((unsigned char)f[3][0])) {
				st->bad_lines++;
				continue;
			}
			errno = 0;
			v = strtoull(f[3], &end, 10);
			if (errno || *end) {
				st->bad_lines++;
				continue;
			}
		}
		rank = domain_rank(f[0], u);
		if (rank < 0)
			continue;
		/* pam_limits: a value from a better-ranked line stops the rest of this line */
		if (soft) {
			if (st->soft_src < rank)
				continue;
			st->soft = v;
			st->soft_src = rank;
			snprintf(st->soft_from, sizeof(st->soft_from), "%s:%u", file, lineno);
		}
		if (hard) {
			if (st->hard_src < rank)
				continue;
			st->hard = v;
			st->hard_src = rank;
			snprintf(st->hard_from, sizeof(st->hard_from), "%s:%u", file, lineno);
		}
	}
	return 0;
}

/*
 * "  25:   0   IR-PCI-MSIX-0000:00:02.0   0-edge   PCIe PME": the chip name is the
 * first field after the per-CPU counts. Remapped chips start with "IR-"; the others of
 * interest are the PCI MSI and IO-APIC ones.
 */
int vfiox__parse_interrupts(char *text, unsigned *remapped, unsigned *plain)
{
	char *line, *save = NULL;

	*remapped = *plain = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tok, *lsave = NULL, *colon;

		tok = strtok_r(line, " \t", &lsave);
		if (!tok)
			continue;
		colon = strchr(tok, ':');
		if (!colon || colon == tok || colon[1] || !isdigit((unsigned char)tok[0]))
			continue; /* NMI:, LOC:, the CPU header: not device interrupts */
		while ((tok = strtok_r(NULL, " \t", &lsave)) && isdigit((unsigned char)tok[0]))
			;
		if (!tok)
			continue;
		if (!strncmp(tok, "IR-", 3))
			(*remapped)++;
		else if (strstr(tok, "PCI-MSI") || strstr(tok, "IO-APIC"))
			(*plain)++;
	}
	return 0;
}

/* ------------------------------------------------------------------ who */

/* "Uid:\t1000\t1000\t1000\t1000" and friends from <proc>/self/status. */
static int caller_identity(struct check *c)
{
	struct who *w = &c->who;
	char *text = read_all(c, c->ctx->proc_root, "self/status"), *line, *save = NULL;

	snprintf(w->name, sizeof(w->name), "the caller");
	w->uid = w->gid = (unsigned long)-1;
	if (!text)
		return -ENOENT;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long a, b;
		unsigned long long caps;

		if (sscanf(line, "Uid: %lu %lu", &a, &b) == 2)
			w->uid = b;
		else if (sscanf(line, "Gid: %lu %lu", &a, &b) == 2)
			w->gid = b;
		else if (sscanf(line, "CapEff: %llx", &caps) == 1)
			w->cap_ipc_lock = caps & (1ull << CAP_IPC_LOCK_BIT);
		else if (!strncmp(line, "Groups:", 7)) {
			char *tok, *gsave = NULL;

			for (tok = strtok_r(line + 7, " \t", &gsave);
			     tok && w->ngroups < MAX_GROUPS; tok = strtok_r(NULL, " \t", &gsave))
				w->gids[w->ngroups++] = strtoul(tok, NULL, 10);
		}
	}
	free(text);
	return 0;
}

/* @name from <etc>/passwd and its groups from <etc>/group. */
static int user_identity(struct check *c, const char *name)
{
	struct who *w = &c->who;
	char *text, *line, *save = NULL;
	bool found = false;

	snprintf(w->name, sizeof(w->name), "%s", name);
	w->given = true;
	text = read_all(c, c->ctx->etc_root, "passwd");
	if (!text) {
		char why[sizeof(c->ctx->last_error)];

		/* a copy: the reason cannot be formatted from the buffer it is written to */
		snprintf(why, sizeof(why), "%s", vfiox_ctx_last_error(c->ctx));
		return vfiox__err(c->ctx, -ENOENT, "cannot check user %s: %s", name, why);
	}
	for (line = strtok_r(text, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[4], *tok;
		int n = 0;

		/* strsep keeps empty fields: "name:x:uid:gid:..." */
		for (tok = strsep(&line, ":"); tok && n < 4; tok = strsep(&line, ":"))
			f[n++] = tok;
		if (n == 4 && !strcmp(f[0], name)) {
			w->uid = strtoul(f[2], NULL, 10);
			w->gid = strtoul(f[3], NULL, 10);
			found = true;
		}
	}
	free(text);
	if (!found)
		return vfiox__err(c->ctx, -ENOENT, "no user %s in %s/passwd (users of LDAP or "
				  "other name services are not looked up)", name,
				  c->ctx->etc_root);
	w->cap_ipc_lock = w->uid == 0;
	text = read_all(c, c->ctx->etc_root, "group");
	if (!text)
		return 0; /* no group file: the primary gid alone */
	save = NULL;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4], *tok, *msave = NULL;
		int n = 0;
		bool member;

		for (tok = strsep(&line, ":"); tok && n < 4; tok = strsep(&line, ":"))
			f[n++] = tok;
		if (n < 4 || w->ngroups >= MAX_GROUPS)
			continue;
		member = strtoul(f[2], NULL, 10) == w->gid;
		for (tok = strtok_r(f[3], ",", &msave); tok && !member;
		     tok = strtok_r(NULL, ",", &msave))
			member = !strcmp(tok, name);
		if (!member)
			continue;
		w->gnames[w->ngroups] = strdup(f[0]);
		if (!w->gnames[w->ngroups]) {
			free(text);
			return vfiox__err(c->ctx, -ENOMEM, "out of memory");
		}
		w->gids[w->ngroups++] = strtoul(f[2], NULL, 10);
	}
	free(text);
	return 0;
}

static bool may_rw(const struct who *w, const struct stat *st)
{
	size_t i;

	if (w->uid == 0)
		return true;
	if (st->st_uid == w->uid)
		return (st->st_mode & 0600) == 0600;
	if (st->st_gid == w->gid)
		return (st->st_mode & 0060) == 0060;
	for (i = 0; i < w->ngroups; i++)
		if (st->st_gid == w->gids[i])
			return (st->st_mode & 0060) == 0060;
	return (st->st_mode & 0006) == 0006;
}

/* ------------------------------------------------------------------ the host */

static void check_iommu(struct check *c)
{
	struct vfiox_ctx *ctx = c->ctx;
	struct names l;
	struct stat st;
	int ret;

	ret = list_dir(ctx->sysfs_root, "kernel/iommu_groups", NULL, &l);
	c->num_groups = (int)l.n;
	names_free(&l);
	if (ret && ret != -ENOENT)
		add(c, "iommu.groups", VFIOX_CHECK_WARN, NULL,
		    "cannot read %s/kernel/iommu_groups: "
		    "%s",
		    ctx->sysfs_root, strerror(-ret));
	else if (c->num_groups)
		add(c, "iommu.groups", VFIOX_CHECK_OK, NULL, "the IOMMU is on: %d IOMMU groups",
		    c->num_groups);
	else {
		add(c, "iommu.groups", VFIOX_CHECK_FAIL, NULL, "no IOMMU groups: the IOMMU is off "
		    "or absent, and no device can be given to VFIO");
		fix(c, "enable VT-d (Intel) or AMD-Vi/IOMMU (AMD) in the firmware setup and boot "
		    "with intel_iommu=on or amd_iommu=on (see iommu.firmware, iommu.cmdline)");
	}

	c->dmar = exists(ctx->sysfs_root, "firmware/acpi/tables/DMAR", NULL);
	c->ivrs = exists(ctx->sysfs_root, "firmware/acpi/tables/IVRS", NULL);
	if (c->dmar || c->ivrs)
		add(c, "iommu.firmware", VFIOX_CHECK_OK, NULL, "the firmware describes an IOMMU: "
		    "ACPI %s table present (%s)", c->dmar ? "DMAR" : "IVRS",
		    c->dmar ? "Intel VT-d" : "AMD-Vi");
	else if (!exists(ctx->sysfs_root, "firmware/acpi/tables", &st))
		add(c, "iommu.firmware", VFIOX_CHECK_INFO, NULL, "no ACPI tables in sysfs (not an "
		    "ACPI host, or %s/firmware/acpi is hidden): the IOMMU comes from elsewhere "
		    "(device tree)", ctx->sysfs_root);
	else {
		add(c, "iommu.firmware", c->num_groups ? VFIOX_CHECK_INFO : VFIOX_CHECK_FAIL, NULL,
		    "no ACPI DMAR or IVRS table: the firmware describes no IOMMU%s",
		    c->num_groups ? " (yet groups exist: a virtual or non-ACPI IOMMU)" : "");
		if (!c->num_groups)
			fix(c, "turn on VT-d / AMD-Vi (often \"IOMMU\", \"Virtualization "
			    "Technology for Directed I/O\") in the firmware setup");
	}
}

/*
 * @word is one of the comma-separated options of a parameter's value: intel_iommu=,
 * amd_iommu=, iommu= and intremap= all take lists ("on,igfx_off" is on, not off).
 */
static bool has_opt(const char *val, const char *word)
{
	size_t n = strlen(word);

	while (val && *val) {
		size_t len = strcspn(val, ",");

		if (len == n && !strncmp(val, word, n))
			return true;
		val += len;
		if (*val)
			val++;
	}
	return false;
}

static void check_cmdline(struct check *c)
{
	char iommu[64], intel[64], amd[64], pt[16], *text;
	const char *pi, *pn, *pa, *pp;
	char found[256] = "";
	size_t n = 0;

	text = read_all(c, c->ctx->proc_root, "cmdline");
	if (!text) {
		add(c, "iommu.cmdline", VFIOX_CHECK_INFO, NULL, "cannot read the kernel command "
		    "line: %s", vfiox_ctx_last_error(c->ctx));
		return;
	}
	snprintf(c->cmdline, sizeof(c->cmdline), "%s", text);
	c->have_cmdline = true;
	free(text);
	pi = vfiox__cmdline_param(c->cmdline, "iommu", iommu, sizeof(iommu));
	pn = vfiox__cmdline_param(c->cmdline, "intel_iommu", intel, sizeof(intel));
	pa = vfiox__cmdline_param(c->cmdline, "amd_iommu", amd, sizeof(amd));
	pp = vfiox__cmdline_param(c->cmdline, "iommu.passthrough", pt, sizeof(pt));
	if (pi)
		n += (size_t)snprintf(found + n, sizeof(found) - n, " iommu=%s", pi);
	if (pn && n < sizeof(found))
		n += (size_t)snprintf(found + n, sizeof(found) - n, " intel_iommu=%s", pn);
	if (pa && n < sizeof(found))
		n += (size_t)snprintf(found + n, sizeof(found) - n, " amd_iommu=%s", pa);
	if (pp && n < sizeof(found))
		snprintf(found + n, sizeof(found) - n, " iommu.passthrough=%s", pp);

	if (has_opt(pi, "off") || (has_opt(pn, "off") && !c->ivrs) ||
	    (has_opt(pa, "off") && !c->dmar)) {
		add(c, "iommu.cmdline", VFIOX_CHECK_FAIL, NULL, "the kernel command line switches "
		    "the IOMMU off:%s", found);
		fix(c, "remove it from the kernel command line (GRUB_CMDLINE_LINUX in "
		    "/etc/default/grub, then update-grub) and reboot");
	} else if (c->dmar && !c->num_groups && !has_opt(pn, "on")) {
		add(c, "iommu.cmdline", VFIOX_CHECK_FAIL, NULL, "intel_iommu=on is not on the "
		    "kernel command line, and this kernel leaves VT-d off without it%s%s",
		    *found ? ":" : "", found);
		fix(c, "add intel_iommu=on to GRUB_CMDLINE_LINUX in /etc/default/grub, run "
		    "update-grub and reboot");
	} else if (has_opt(pi, "pt") || (pp && !strcmp(pp, "1"))) {
		add(c, "iommu.cmdline", VFIOX_CHECK_INFO, NULL, "%s: host devices bypass "
		    "translation (passthrough); devices given to VFIO are translated all the same",
		    found + 1);
	} else if (*found) {
		add(c, "iommu.cmdline", VFIOX_CHECK_OK, NULL, "IOMMU parameters:%s", found);
	} else {
		add(c, "iommu.cmdline", VFIOX_CHECK_OK, NULL, "no IOMMU parameters on the kernel "
		    "command line: the kernel's defaults apply%s",
		    c->num_groups ? " (and they turned the IOMMU on)" : "");
	}
}

struct ecap_walk {
	struct check *c;
	unsigned units, ir_units;
};

static int ecap_unit(void *arg, const char *name)
{
	struct ecap_walk *w = arg;
	char rel[512], buf[64], *end;
	unsigned long long ecap;

	snprintf(rel, sizeof(rel), "class/iommu/%s/intel-iommu/ecap", name);
	if (read_small(w->c->ctx->sysfs_root, rel, buf, sizeof(buf)) <= 0)
		return 0;
	errno = 0;
	ecap = strtoull(buf, &end, 16);
	if (errno || *end)
		return 0;
	w->units++;
	if (ecap & ECAP_IR)
		w->ir_units++;
	return 0;
}

static void check_irq_remapping(struct check *c)
{
	struct ecap_walk w = { .c = c };
	char path[PATH_LEN], intremap[32], unsafe[8] = "", hw[160] = "", cmd[80] = "";
	unsigned remapped = 0, plain = 0;
	bool off_cmdline = false, allowed;
	char *text;

	vfiox__root_path(path, sizeof(path), c->ctx->sysfs_root, "class/iommu");
	vfiox__for_each_dirent(AT_FDCWD, path, ecap_unit, &w);
	if (w.units)
		snprintf(hw, sizeof(hw), "; %u of %u VT-d units support it (ecap IR bit)",
			 w.ir_units, w.units);
	if (c->have_cmdline) {
		const char *how = NULL;

		if (vfiox__cmdline_param(c->cmdline, "nointremap", intremap, sizeof(intremap)))
			how = "nointremap";
		else if (has_opt(vfiox__cmdline_param(c->cmdline, "intremap", intremap,
						      sizeof(intremap)), "off"))
			how = "intremap=off";
		off_cmdline = how != NULL;
		if (off_cmdline)
			snprintf(cmd, sizeof(cmd), "; the kernel command line switches it off (%s)",
				 how);
	}
	read_small(c->ctx->sysfs_root, "module/vfio_iommu_type1/parameters/allow_unsafe_interrupts",
		   unsafe, sizeof(unsafe));
	allowed = unsafe[0] == 'Y' || unsafe[0] == '1';
	text = read_all(c, c->ctx->proc_root, "interrupts");
	if (text) {
		vfiox__parse_interrupts(text, &remapped, &plain);
		free(text);
	}
	if (remapped) {
		add(c, "irq_remapping", VFIOX_CHECK_OK, NULL, "interrupt remapping is on (certain: "
		    "%u interrupts in /proc/interrupts go through IR- chips)%s", remapped, hw);
	} else if (plain) {
		add(c, "irq_remapping", allowed ? VFIOX_CHECK_WARN : VFIOX_CHECK_FAIL, NULL,
		    "interrupt remapping is off (likely: none of the %u PCI MSI and IO-APIC "
		    "interrupts in /proc/interrupts goes through an IR- chip)%s%s%s",
		    plain, hw, cmd,
		    allowed ? "; vfio_iommu_type1 allow_unsafe_interrupts=Y lets VFIO run "
			      "without it, and a device can then inject interrupts"
			    : "; vfio_iommu_type1 refuses to attach groups without it");
		fix(c, "%s%s",
		    off_cmdline ? "remove intremap=off/nointremap from the kernel "
				  "command line; "
				: "",
		    "enable interrupt remapping (x2APIC, VT-d/AMD-Vi "
		    "interrupt remapping) in the firmware setup; only as a last resort, and "
		    "unsafe: "
		    "options vfio_iommu_type1 allow_unsafe_interrupts=1");
	} else {
		add(c, "irq_remapping", VFIOX_CHECK_INFO, NULL, "interrupt remapping: unknown (no "
		    "PCI MSI or IO-APIC interrupt in %s/interrupts to tell by)%s%s",
		    c->ctx->proc_root, hw, cmd);
	}
}

static void check_modules(struct check *c)
{
	static const char *const mods[] = { "vfio", "vfio_iommu_type1", "vfio_pci" };
	const char *root = c->ctx->sysfs_root;
	char missing[128] = "", rel[64];
	size_t i, n = 0;
	bool driver = exists(root, "bus/pci/drivers/vfio-pci", NULL);

	for (i = 0; i < ARRAY_SIZE(mods); i++) {
		snprintf(rel, sizeof(rel), "module/%s", mods[i]);
		if (!exists(root, rel, NULL) && !(i == 2 && driver))
			n += (size_t)snprintf(missing + n, sizeof(missing) - n, " %s", mods[i]);
	}
	if (!strcmp(missing, " vfio_iommu_type1") && c->iommu_node) {
		/* A kernel may have iommufd alone: then nothing needs type1. */
		add(c, "modules", VFIOX_CHECK_INFO, NULL, "vfio and vfio_pci are loaded (or built "
		    "in), vfio_iommu_type1 is not (%s/module has no such entry): there is no type1 "
		    "backend, and iommufd (%s/iommu) serves instead", root, c->ctx->dev_root);
		return;
	}
	if (!n) {
		add(c, "modules", VFIOX_CHECK_OK, NULL, "vfio, vfio_iommu_type1 and vfio_pci are "
		    "loaded (or built in)%s", driver ? "; the vfio-pci driver is registered" : "");
		return;
	}
	add(c, "modules", VFIOX_CHECK_FAIL, NULL, "not loaded:%s (%s/module has no such entry)",
	    missing, root);
	fix(c, "modprobe vfio-pci (it brings vfio and vfio_iommu_type1); to load it at boot: "
	    "echo vfio-pci > /etc/modules-load.d/vfio.conf");
}

struct node_walk {
	struct check *c;
	unsigned total, denied;
	char denied_list[160];
};

static int group_node(void *arg, const char *name)
{
	struct node_walk *w = arg;
	char rel[128];
	struct stat st;
	size_t n;

	if (!isdigit((unsigned char)name[0]))
		return 0;
	snprintf(rel, sizeof(rel), "vfio/%s", name);
	if (!exists(w->c->ctx->dev_root, rel, &st))
		return 0;
	w->total++;
	if (may_rw(&w->c->who, &st))
		return 0;
	w->denied++;
	n = strlen(w->denied_list);
	if (n + strlen(name) + 2 < sizeof(w->denied_list))
		snprintf(w->denied_list + n, sizeof(w->denied_list) - n, "%s%s", n ? " " : "",
			 name);
	return 0;
}

static void check_dev_vfio(struct check *c)
{
	const char *dev = c->ctx->dev_root, *subject = c->who.given ? c->who.name : NULL;
	struct node_walk w = { .c = c };
	char path[PATH_LEN];
	struct stat st;

	if (!exists(dev, "vfio/vfio", &st) && c->vfio_loaded && c->iommu_node) {
		add(c, "dev_vfio", VFIOX_CHECK_INFO, subject, "%s/vfio/vfio does not exist: this "
		    "kernel has no type1 container (CONFIG_VFIO_CONTAINER and "
		    "CONFIG_IOMMUFD_VFIO_CONTAINER are off), and devices open through %s/iommu "
		    "and their cdevs (see iommufd, vfio_cdev); programs that know only type1 "
		    "cannot use VFIO here", dev, dev);
		return;
	}
	if (!exists(dev, "vfio/vfio", &st)) {
		add(c, "dev_vfio", VFIOX_CHECK_FAIL, subject, "%s/vfio/vfio does not exist: no "
		    "VFIO container can be opened", dev);
		fix(c, "load vfio (modprobe vfio-pci); if it is loaded, devtmpfs or udev did not "
		    "create the node");
		return;
	}
	if (!S_ISCHR(st.st_mode)) {
		add(c, "dev_vfio", VFIOX_CHECK_FAIL, subject, "%s/vfio/vfio is not a character "
		    "device", dev);
		fix(c, "remove it; the kernel's devtmpfs creates the right node when vfio loads");
		return;
	}
	vfiox__root_path(path, sizeof(path), dev, "vfio");
	vfiox__for_each_dirent(AT_FDCWD, path, group_node, &w);
	if (!may_rw(&c->who, &st)) {
		add(c, "dev_vfio", VFIOX_CHECK_FAIL, subject, "%s may not open %s/vfio/vfio (mode "
		    "%04o, owner %u:%u)", c->who.name, dev, (unsigned)(st.st_mode & 07777),
		    (unsigned)st.st_uid, (unsigned)st.st_gid);
		fix(c, "chmod 0666 %s/vfio/vfio (the kernel's default: the container grants "
		    "nothing by itself)", dev);
	} else if (w.denied) {
		add(c, "dev_vfio", VFIOX_CHECK_WARN, subject, "%s may open %s/vfio/vfio but not "
		    "%u of %u group nodes (%s); ACLs are not considered", c->who.name, dev,
		    w.denied, w.total, w.denied_list);
		fix(c, "let the user's group have them, with a udev rule: SUBSYSTEM==\"vfio\", "
		    "GROUP=\"kvm\", MODE=\"0660\" (or run the VMM as root, or let libvirt hand the "
		    "nodes over)");
	} else if (w.total) {
		add(c, "dev_vfio", VFIOX_CHECK_OK, subject, "%s may open %s/vfio/vfio and all %u "
		    "group nodes", c->who.name, dev, w.total);
	} else {
		add(c, "dev_vfio", VFIOX_CHECK_OK, subject, "%s may open %s/vfio/vfio; there is no "
		    "group node yet (one appears when a group's devices are bound to vfio-pci)",
		    c->who.name, dev);
	}
}

/* ------------------------------------------------------------------ the backends */

struct vfio_dev_walk {
	struct check *c;
	unsigned nodes, missing, denied;
	char missing_list[96], denied_list[96];
};

static void note(char *list, size_t len, const char *name)
{
	size_t n = strlen(list);

	if (n + strlen(name) + 2 < len)
		snprintf(list + n, len - n, "%s%s", n ? " " : "", name);
}

/*
 * class/vfio-dev/vfioN exists for every VFIO device since Linux 6.1; only a kernel with
 * CONFIG_VFIO_DEVICE_CDEV gives it a device number (vfioN/dev) and the node
 * <dev>/vfio/devices/vfioN.
 */
static int vfio_dev_entry(void *arg, const char *name)
{
	struct vfio_dev_walk *w = arg;
	char rel[256];
	struct stat st;

	if (strncmp(name, "vfio", 4))
		return 0;
	w->c->vfio_devs++;
	snprintf(rel, sizeof(rel), "class/vfio-dev/%s/dev", name);
	if (!exists(w->c->ctx->sysfs_root, rel, NULL))
		return 0;
	w->c->cdevs++;
	snprintf(rel, sizeof(rel), "vfio/devices/%s", name);
	if (!exists(w->c->ctx->dev_root, rel, &st) || !S_ISCHR(st.st_mode)) {
		w->missing++;
		note(w->missing_list, sizeof(w->missing_list), name);
		return 0;
	}
	w->nodes++;
	if (!may_rw(&w->c->who, &st)) {
		w->denied++;
		note(w->denied_list, sizeof(w->denied_list), name);
	}
	return 0;
}

/* What the backend findings and dev_vfio need to know, read once. */
static void probe_backends(struct check *c, struct vfio_dev_walk *w)
{
	char path[PATH_LEN];

	c->legacy = exists(c->ctx->dev_root, "vfio/vfio", NULL);
	c->iommu_node = exists(c->ctx->dev_root, "iommu", NULL);
	memset(w, 0, sizeof(*w));
	w->c = c;
	if (!vfiox__root_path(path, sizeof(path), c->ctx->sysfs_root, "class/vfio-dev"))
		c->vfio_loaded = !vfiox__for_each_dirent(AT_FDCWD, path, vfio_dev_entry, w);
	c->vfio_loaded |= exists(c->ctx->sysfs_root, "module/vfio", NULL);
}

static void check_iommufd(struct check *c)
{
	const char *dev = c->ctx->dev_root, *subject = c->who.given ? c->who.name : NULL;
	struct stat st;

	if (!exists(dev, "iommu", &st)) {
		add(c, "iommufd", VFIOX_CHECK_INFO, subject, "%s/iommu does not exist: this kernel "
		    "has no iommufd (built without CONFIG_IOMMUFD, or its module is not loaded: "
		    "modprobe iommufd)%s", dev,
		    c->legacy ? "; devices open through their groups (type1, /dev/vfio/vfio), "
				"which is all VFIO needs" : "");
		return;
	}
	if (!S_ISCHR(st.st_mode)) {
		add(c, "iommufd", VFIOX_CHECK_WARN, subject, "%s/iommu is not a character device",
		    dev);
		fix(c, "remove it; the kernel's devtmpfs creates the right node when iommufd loads");
		return;
	}
	if (may_rw(&c->who, &st)) {
		add(c, "iommufd", VFIOX_CHECK_OK, subject, "iommufd is there: %s may open %s/iommu "
		    "(mode %04o, owner %u:%u)", c->who.name, dev, (unsigned)(st.st_mode & 07777),
		    (unsigned)st.st_uid, (unsigned)st.st_gid);
		return;
	}
	/* Without type1 this is the only way in; with it, a way that is closed. */
	add(c, "iommufd", c->legacy ? VFIOX_CHECK_WARN : VFIOX_CHECK_FAIL, subject, "%s may not "
	    "open %s/iommu (mode %04o, owner %u:%u): the iommufd backend is closed to %s%s",
	    c->who.name, dev, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
	    (unsigned)st.st_gid, c->who.given ? c->who.name : "the caller",
	    c->legacy ? " (type1 may still serve)" : ", and there is no type1 to fall back on");
	fix(c, "let the user's group have it, with a udev rule: SUBSYSTEM==\"misc\", "
	    "KERNEL==\"iommu\", GROUP=\"kvm\", MODE=\"0660\" (an iommufd grants nothing by "
	    "itself: the device cdevs do)");
}

static void check_vfio_cdev(struct check *c, const struct vfio_dev_walk *w)
{
	const char *sys = c->ctx->sysfs_root, *dev = c->ctx->dev_root;
	const char *subject = c->who.given ? c->who.name : NULL;

	if (!c->cdevs && c->vfio_devs) {
		add(c, "vfio_cdev", VFIOX_CHECK_INFO, subject, "the kernel has no VFIO cdevs: "
		    "none of the %u devices in %s/class/vfio-dev has a device number (a kernel "
		    "without CONFIG_VFIO_DEVICE_CDEV); devices open through their groups (type1) "
		    "only", c->vfio_devs, sys);
		return;
	}
	if (!c->cdevs) {
		add(c, "vfio_cdev", VFIOX_CHECK_INFO, subject, "VFIO cdevs: %s", c->iommu_node ?
		    "cannot tell yet: no device is bound to vfio-pci (a device there shows one as "
		    "vfio-dev/vfioN/dev when the kernel has CONFIG_VFIO_DEVICE_CDEV)" :
		    "none, as they need iommufd, which this kernel lacks");
		return;
	}
	if (w->missing) {
		add(c, "vfio_cdev", VFIOX_CHECK_WARN, subject, "the kernel has VFIO cdevs (%u in "
		    "%s/class/vfio-dev), but %u of them have no node in %s/vfio/devices (%s)",
		    c->cdevs, sys, w->missing, dev, w->missing_list);
		fix(c, "mount devtmpfs on %s (the kernel creates the nodes there), or let udev "
		    "create them", dev);
	} else if (w->denied) {
		add(c, "vfio_cdev", VFIOX_CHECK_WARN, subject, "the kernel has VFIO cdevs, and %s "
		    "may not open %u of the %u nodes in %s/vfio/devices (%s); ACLs are not "
		    "considered", c->who.name, w->denied, w->nodes, dev, w->denied_list);
		fix(c, "let the user's group have them, with a udev rule: SUBSYSTEM==\"vfio-dev\", "
		    "GROUP=\"kvm\", MODE=\"0660\" (or run the VMM as root, or let libvirt hand "
		    "them over)");
	} else {
		add(c, "vfio_cdev", VFIOX_CHECK_OK, subject, "the kernel has VFIO cdevs "
		    "(CONFIG_VFIO_DEVICE_CDEV): %s may open all %u nodes in %s/vfio/devices",
		    c->who.name, w->nodes, dev);
	}
}

/* The login limits of a user: limits.conf, then limits.d/ *.conf in name order. */
static void user_memlock(struct check *c)
{
	const struct who *w = &c->who;
	const char *etc = c->ctx->etc_root;
	struct vfiox_limits_user u = { .name = w->name, .uid = w->uid, .gid = w->gid,
				       .groups = (const char *const *)w->gnames,
				       .gids = w->gids, .ngroups = w->ngroups };
	struct vfiox_limits_state st;
	char soft[32], hard[32], rel[PATH_LEN], *text;
	struct names l;
	size_t i;

	vfiox__limits_init(&st);
	text = read_all(c, etc, "security/limits.conf");
	if (text) {
		vfiox__parse_limits(text, "limits.conf", &u, &st);
		free(text);
	}
	list_dir(etc, "security/limits.d", NULL, &l);
	for (i = 0; i < l.n; i++) {
		size_t len = strlen(l.v[i]);

		if (len < 6 || strcmp(l.v[i] + len - 5, ".conf"))
			continue;
		snprintf(rel, sizeof(rel), "security/limits.d/%s", l.v[i]);
		text = read_all(c, etc, rel);
		if (!text)
			continue;
		snprintf(rel, sizeof(rel), "limits.d/%s", l.v[i]);
		vfiox__parse_limits(text, rel, &u, &st);
		free(text);
	}
	names_free(&l);
	if (w->uid == 0) {
		add(c, "memlock", VFIOX_CHECK_OK, w->name, "%s is root: CAP_IPC_LOCK lets VFIO pin "
		    "memory without a limit", w->name);
		return;
	}
	if (st.soft_src == VFIOX_LIMIT_SRC_NONE && st.hard_src == VFIOX_LIMIT_SRC_NONE) {
		add(c, "memlock", VFIOX_CHECK_WARN, w->name,
		    "no memlock line for %s in "
		    "%s/security/limits.conf or limits.d: a login gets the limit of the process "
		    "that starts it (the kernel's default is 8 MiB), and VFIO pins all of a "
		    "guest's "
		    "memory",
		    w->name, etc);
		fix(c, "echo '%s - memlock unlimited' > /etc/security/limits.d/90-vfio.conf "
		    "(or the guest's memory size in KiB); services started by systemd do not read "
		    "limits.conf: give them LimitMEMLOCK=infinity", w->name);
		return;
	}
	kib(st.soft_src == VFIOX_LIMIT_SRC_NONE ? 0 : st.soft, soft, sizeof(soft));
	kib(st.hard_src == VFIOX_LIMIT_SRC_NONE ? 0 : st.hard, hard, sizeof(hard));
	if (st.soft == VFIOX_LIMIT_INF && st.hard == VFIOX_LIMIT_INF &&
	    st.soft_src != VFIOX_LIMIT_SRC_NONE && st.hard_src != VFIOX_LIMIT_SRC_NONE) {
		add(c, "memlock", VFIOX_CHECK_OK, w->name, "a login of %s gets memlock unlimited "
		    "(soft from %s, hard from %s); services started by systemd use LimitMEMLOCK= "
		    "instead", w->name, st.soft_from, st.hard_from);
		return;
	}
	add(c, "memlock", VFIOX_CHECK_WARN, w->name, "a login of %s gets memlock soft %s (%s), "
	    "hard %s (%s): VFIO can pin at most that much guest memory%s", w->name,
	    st.soft_src == VFIOX_LIMIT_SRC_NONE ? "(not set)" : soft,
	    st.soft_src == VFIOX_LIMIT_SRC_NONE ? "inherited" : st.soft_from,
	    st.hard_src == VFIOX_LIMIT_SRC_NONE ? "(not set)" : hard,
	    st.hard_src == VFIOX_LIMIT_SRC_NONE ? "inherited" : st.hard_from,
	    st.bad_lines ? "; some lines of the files do not parse" : "");
	fix(c, "set '%s - memlock unlimited' (or at least the guest's memory in KiB) in "
	    "/etc/security/limits.d/90-vfio.conf; systemd services: LimitMEMLOCK=infinity",
	    w->name);
}

static void check_memlock(struct check *c)
{
	struct rlimit rl;
	char cur[32], max[32];
	int ret;

	if (c->who.given) {
		user_memlock(c);
		return;
	}
	ret = vfiox_sys_getrlimit(RLIMIT_MEMLOCK, &rl);
	if (ret) {
		add(c, "memlock", VFIOX_CHECK_INFO, NULL, "cannot read the locked-memory limit: %s",
		    strerror(-ret));
		return;
	}
	kib(rl.rlim_cur == RLIM_INFINITY ? VFIOX_LIMIT_INF : rl.rlim_cur / 1024, cur, sizeof(cur));
	kib(rl.rlim_max == RLIM_INFINITY ? VFIOX_LIMIT_INF : rl.rlim_max / 1024, max, sizeof(max));
	if (c->who.cap_ipc_lock)
		add(c, "memlock", VFIOX_CHECK_OK, NULL, "the caller has CAP_IPC_LOCK: VFIO pins "
		    "memory without a limit (RLIMIT_MEMLOCK soft %s, hard %s)", cur, max);
	else if (rl.rlim_cur == RLIM_INFINITY)
		add(c, "memlock", VFIOX_CHECK_OK, NULL, "the caller's locked-memory limit is "
		    "unlimited");
	else {
		add(c, "memlock", VFIOX_CHECK_WARN, NULL, "the caller may lock %s (hard limit %s): "
		    "VFIO pins all of a guest's memory, so guests larger than that fail to start",
		    cur, max);
		fix(c,
		    "ulimit -l unlimited (as root, or up to the hard limit); for a user's logins "
		    "a memlock line in /etc/security/limits.d (check with --user USER); for a "
		    "systemd service LimitMEMLOCK=infinity");
	}
}

static void check_hugepages(struct check *c)
{
	const char *root = c->ctx->sysfs_root;
	char list[256] = "", rel[256], nr[32], fr[32];
	unsigned long long total = 0;
	struct names l;
	size_t i, n = 0;

	if (list_dir(root, "kernel/mm/hugepages", "hugepages-", &l) || !l.n) {
		names_free(&l);
		add(c, "hugepages", VFIOX_CHECK_INFO, NULL, "the kernel offers no huge pages "
		    "(%s/kernel/mm/hugepages is empty or absent)", root);
		return;
	}
	for (i = 0; i < l.n; i++) {
		snprintf(rel, sizeof(rel), "kernel/mm/hugepages/%s/nr_hugepages", l.v[i]);
		if (read_small(root, rel, nr, sizeof(nr)) <= 0)
			continue;
		snprintf(rel, sizeof(rel), "kernel/mm/hugepages/%s/free_hugepages", l.v[i]);
		if (read_small(root, rel, fr, sizeof(fr)) <= 0)
			snprintf(fr, sizeof(fr), "?");
		total += strtoull(nr, NULL, 10);
		if (n < sizeof(list))
			n += (size_t)snprintf(list + n, sizeof(list) - n,
					      "%s%s: %s reserved, %s free", n ? "; " : "",
					      l.v[i] + 10, nr, fr);
	}
	names_free(&l);
	add(c, "hugepages", total ? VFIOX_CHECK_OK : VFIOX_CHECK_INFO, NULL, "%s%s", list,
	    total ? "" : " (optional: huge pages make mapping guest memory for DMA faster and "
			 "use fewer IOMMU entries; e.g. hugepages=N on the command line)");
}

/* ------------------------------------------------------------------ a device */

/*
 * "0000:00:1f.2 (ahci), 0000:00:1f.3 (no driver)" of @g's members into @buf; what does not
 * fit becomes " and N more", never a cut address.
 */
static void list_members(struct vfiox_group *g, char *buf, size_t len, bool only_host)
{
	size_t i, o = 0, left = 0;
	const size_t more = 24; /* room kept for " and 1234567 more" */

	buf[0] = '\0';
	for (i = 0; i < g->num_devs; i++) {
		const char *drv = g->devs[i]->driver;
		char item[160];
		int n;

		if (only_host && (!drv || strstr(drv, "vfio") ||
				  vfiox_driver_keeps_group_viable(drv)))
			continue;
		n = snprintf(item, sizeof(item), "%s%s (%s)", o ? ", " : "", g->devs[i]->name,
			     drv ? drv : "no driver");
		if (left || n < 0 || (size_t)n >= sizeof(item) || o + (size_t)n + more >= len) {
			left++;
			continue;
		}
		memcpy(buf + o, item, (size_t)n + 1);
		o += (size_t)n;
	}
	if (left)
		snprintf(buf + o, len - o, " and %zu more", left);
}

/* The bridges above @dev, nearest first, from its sysfs directory path. */
static size_t upstream_bridges(struct vfiox_scan *scan, struct vfiox_pci_dev *dev,
			       struct vfiox_pci_dev **out, size_t max)
{
	char rel[256], target[PATH_LEN], *seg, *save = NULL;
	struct vfiox_pci_dev *chain[32];
	size_t n = 0, k = 0;
	ssize_t len;

	snprintf(rel, sizeof(rel), "%s", dev->name);
	len = vfiox_sys_readlinkat(scan->bus_fd, rel, target, sizeof(target) - 1);
	if (len < 0)
		return 0;
	target[len] = '\0';
	for (seg = strtok_r(target, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		struct vfiox_pci_dev *b;

		if (!strchr(seg, '.') || !strchr(seg, ':') || !strcmp(seg, dev->name))
			continue;
		if (!vfiox_scan_find_dev(scan, seg, &b) && n < ARRAY_SIZE(chain))
			chain[n++] = b;
	}
	while (n && k < max)
		out[k++] = chain[--n];
	return k;
}

static void check_acs(struct check *c, struct vfiox_scan *scan, struct vfiox_pci_dev *dev)
{
	struct vfiox_pci_dev *br[16];
	size_t i, n = upstream_bridges(scan, dev, br, ARRAY_SIZE(br));

	if (!n) {
		add(c, "device.acs", VFIOX_CHECK_INFO, dev->name, "%s sits on a root bus: no "
		    "bridge above it", dev->name);
		return;
	}
	for (i = 0; i < n; i++) {
		struct vfiox_pcie_info pcie;
		struct vfiox_acs_info acs;
		const char *b = br[i]->name;
		bool is_pcie = !vfiox_pci_dev_pcie(br[i], &pcie);
		int ret;

		if (!is_pcie) {
			add(c, "device.acs", VFIOX_CHECK_INFO, b,
			    "%s is a conventional PCI bridge: "
			    "devices behind it cannot be isolated from one another and share its "
			    "IOMMU group",
			    b);
			continue;
		}
		if (pcie.port_type == 7 || pcie.port_type == 8) {
			add(c, "device.acs", VFIOX_CHECK_INFO, b,
			    "%s is a bridge %s PCI: the "
			    "conventional side cannot be isolated, its devices share one IOMMU "
			    "group",
			    b,
			    pcie.port_type == 7 ? "from PCI Express to"
						: "from PCI to PCI Express");
			continue;
		}
		if (pcie.port_type != 4 && pcie.port_type != 6) {
			add(c, "device.acs", VFIOX_CHECK_INFO, b,
			    "%s (PCIe port type %u) routes no "
			    "peer-to-peer traffic between devices below it: ACS does not apply",
			    b, pcie.port_type);
			continue;
		}
		ret = vfiox_pci_dev_acs(br[i], &acs);
		if (ret) {
			add(c, "device.acs", VFIOX_CHECK_WARN, b,
			    "%s (%s port) shows no ACS "
			    "capability%s: devices below it may reach one another without the "
			    "IOMMU, so the kernel groups them together unless a quirk vouches for "
			    "it",
			    b, pcie.port_type == 4 ? "root" : "downstream",
			    ret == -ENOENT
				? " (or its extended config space cannot be read: run as "
				  "root)"
				: "");
			fix(c,
			    "nothing to fix in software; put the device behind a port with ACS, or "
			    "accept the larger IOMMU group (see device.group)");
		} else if ((acs.ctrl & ACS_REQUIRED) == ACS_REQUIRED) {
			add(c, "device.acs", VFIOX_CHECK_OK, b,
			    "%s (%s port): ACS source validation, "
			    "request and completion redirect and upstream forwarding are on "
			    "(control "
			    "%#06x)",
			    b, pcie.port_type == 4 ? "root" : "downstream", acs.ctrl);
		} else {
			add(c, "device.acs", VFIOX_CHECK_WARN, b,
			    "%s (%s port) has ACS but not all "
			    "of SV, RR, CR, UF enabled (capability %#06x, control %#06x): the "
			    "kernel "
			    "does not count it as isolating",
			    b, pcie.port_type == 4 ? "root" : "downstream", acs.cap, acs.ctrl);
			fix(c, "the kernel enables ACS when the IOMMU is on; firmware that hides "
			    "capability bits needs an update");
		}
	}
}

/* Which backend vfiox_device_open_any() would choose for @dev, and why. */
static void check_device_backend(struct check *c, struct vfiox_pci_dev *dev)
{
	char why[sizeof(c->ctx->last_error)], saved[sizeof(c->ctx->last_error)];
	const char *drv = dev->driver, *reason;
	int b;

	b = vfiox_backend_choose(c->ctx, dev->name, VFIOX_BACKEND_AUTO, false, why, sizeof(why));
	if (b < 0) {
		snprintf(saved, sizeof(saved), "%s", vfiox_ctx_last_error(c->ctx));
		add(c, "device.backend", VFIOX_CHECK_FAIL, dev->name, "no IOMMU backend can open "
		    "%s: %s", dev->name, saved);
		fix(c, "modprobe vfio-pci (see modules, dev_vfio, iommufd)");
		return;
	}
	/* "type1: no /dev/iommu (...)": the reason after the backend's name */
	reason = strchr(why, ':');
	reason = reason && reason[1] == ' ' ? reason + 2 : why;
	if (drv && strstr(drv, "vfio"))
		add(c, "device.backend", VFIOX_CHECK_INFO, dev->name, "%s opens over %s: %s",
		    dev->name, vfiox_backend_name(b), reason);
	else if (!c->iommu_node)
		add(c, "device.backend", VFIOX_CHECK_INFO, dev->name, "%s is not on vfio-pci yet; "
		    "there it would open over %s: %s", dev->name, vfiox_backend_name(b), reason);
	else if (c->vfio_devs && !c->cdevs)
		/* Not on vfio-pci, a device has no cdev: what it gets there is the kernel's. */
		add(c, "device.backend", VFIOX_CHECK_INFO, dev->name, "%s is not on vfio-pci yet; "
		    "there it would open over type1: %s/iommu is there, but this kernel gives VFIO "
		    "devices no cdev", dev->name, c->ctx->dev_root);
	else
		add(c, "device.backend", VFIOX_CHECK_INFO, dev->name, "%s is not on vfio-pci yet, "
		    "so it has no cdev; there it would open over iommufd (%s/iommu is there%s)",
		    dev->name, c->ctx->dev_root, c->cdevs ? ", and this kernel gives VFIO devices "
		    "cdevs" : "; whether this kernel gives VFIO devices cdevs, and so iommufd "
		    "rather than type1, shows once a device is on vfio-pci");
}

static void check_device(struct check *c, const char *addr)
{
	struct vfiox_scan *scan = NULL;
	struct vfiox_pci_dev *dev;
	struct vfiox_group *g = NULL;
	struct vfiox_uses *u = NULL;
	char members[1024], host[1024];
	size_t i;
	int ret;

	ret = vfiox_scan_new(c->ctx, &scan);
	if (ret) {
		c->err = ret;
		return;
	}
	ret = vfiox_scan_find_dev(scan, addr, &dev);
	if (ret) {
		c->err = ret;
		goto out_free;
	}
	if (dev->group_id < 0 || vfiox_scan_find_group(scan, dev->group_id, &g)) {
		add(c, "device.group", VFIOX_CHECK_FAIL, dev->name, "%s is in no IOMMU group: VFIO "
		    "cannot take it", dev->name);
		fix(c, "turn the IOMMU on (see iommu.groups)");
	} else {
		list_members(g, members, sizeof(members), false);
		add(c, "device.group", VFIOX_CHECK_INFO, dev->name, "%s is in IOMMU group %d with "
		    "%zu device%s: %s", dev->name, g->id, g->num_devs, g->num_devs == 1 ? "" : "s",
		    members);
		list_members(g, host, sizeof(host), true);
		if (!host[0])
			add(c, "device.unbind", VFIOX_CHECK_OK, dev->name,
			    "every member of group %d "
			    "is on vfio-pci, on no driver or on one that keeps the group usable",
			    g->id);
		else {
			add(c, "device.unbind", VFIOX_CHECK_WARN, dev->name, "to give group %d to "
			    "VFIO these must leave their host drivers: %s", g->id, host);
			fix(c, "vfioctl bind --group %d (it refuses what the host still uses; see "
			    "device.in_use)", g->id);
		}
	}
	check_acs(c, scan, dev);
	ret = g ? vfiox_group_uses(g, &u) : vfiox_pci_dev_uses(dev, &u);
	if (ret) {
		add(c, "device.in_use", VFIOX_CHECK_WARN, dev->name, "cannot tell whether the host "
		    "uses %s: %s", g ? "the group" : dev->name, vfiox_ctx_last_error(c->ctx));
		fix(c, "run as root (netlink and /proc answer more to root)");
	} else if (!vfiox_uses_count(u)) {
		add(c, "device.in_use", VFIOX_CHECK_OK, dev->name, "the host uses nothing of %s "
		    "(no interface up or addressed, no disk mounted or swapped on, no console)",
		    g ? "the group" : dev->name);
	}
	for (i = 0; i < vfiox_uses_count(u); i++) {
		add(c, "device.in_use", VFIOX_CHECK_FAIL, vfiox_uses_dev(u, i), "%s",
		    vfiox_uses_reason(u, i));
		fix(c, "%s", vfiox_uses_fix(u, i));
	}
	vfiox_uses_free(u);
	check_device_backend(c, dev);
out_free:
	vfiox_scan_free(scan);
}

/* ------------------------------------------------------------------ the API */

VFIOX_EXPORT int vfiox_host_check(struct vfiox_ctx *ctx, const char *device, const char *user,
				  struct vfiox_findings **findingsp)
{
	struct check c = { .ctx = ctx };
	struct vfio_dev_walk vw;
	struct vfiox_pci_addr a;
	size_t i;
	int ret = 0;

	*findingsp = NULL;
	if (device && vfiox_pci_addr_parse(device, &a))
		return vfiox__err(ctx, -EINVAL, "'%s' is not a PCI address (expected DDDD:BB:DD.F "
				  "or BB:DD.F, as lspci -D prints)", device);
	c.f = vfiox__findings_new();
	if (!c.f)
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	if (user) {
		ret = user_identity(&c, user);
		if (ret)
			goto err_free;
	} else {
		caller_identity(&c);
	}
	check_iommu(&c);
	check_cmdline(&c);
	check_irq_remapping(&c);
	probe_backends(&c, &vw);
	check_modules(&c);
	check_dev_vfio(&c);
	check_iommufd(&c);
	check_vfio_cdev(&c, &vw);
	check_memlock(&c);
	check_hugepages(&c);
	if (device && !c.err)
		check_device(&c, device);
	ret = c.err;
	if (ret == -ENOMEM)
		vfiox__err(ctx, ret, "out of memory");
	if (ret)
		goto err_free;
	for (i = 0; i < c.who.ngroups; i++)
		free(c.who.gnames[i]);
	*findingsp = c.f;
	return 0;
err_free:
	for (i = 0; i < c.who.ngroups; i++)
		free(c.who.gnames[i]);
	vfiox_findings_free(c.f);
	return ret;
}

VFIOX_EXPORT size_t vfiox_findings_count(const struct vfiox_findings *f)
{
	return f ? f->n : 0;
}

#define FGETTER(field)                                                                      \
	VFIOX_EXPORT const char *vfiox_findings_##field(const struct vfiox_findings *f,     \
							size_t i)                           \
	{                                                                                   \
		return f && i < f->n ? f->v[i].field : NULL;                                \
	}
FGETTER(id)
FGETTER(subject)
FGETTER(summary)
FGETTER(fix)

VFIOX_EXPORT int vfiox_findings_status(const struct vfiox_findings *f, size_t i)
{
	return f && i < f->n ? f->v[i].status : -ERANGE;
}

VFIOX_EXPORT int vfiox_findings_worst(const struct vfiox_findings *f)
{
	int worst = VFIOX_CHECK_OK;
	size_t i;

	for (i = 0; f && i < f->n; i++)
		if (f->v[i].status > worst)
			worst = f->v[i].status;
	return worst;
}

VFIOX_EXPORT void vfiox_findings_free(struct vfiox_findings *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->v[i].id);
		free(f->v[i].subject);
		free(f->v[i].summary);
		free(f->v[i].fix);
	}
	free(f->v);
	free(f);
}

VFIOX_EXPORT const char *vfiox_check_status_name(int status)
{
	switch (status) {
	case VFIOX_CHECK_OK:
		return "ok";
	case VFIOX_CHECK_INFO:
		return "info";
	case VFIOX_CHECK_WARN:
		return "warn";
	case VFIOX_CHECK_FAIL:
		return "fail";
	default:
		return "?";
	}
}
