/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to libvfiox: the pieces of the in-use detection (inuse.c) and of the host
 * doctor (host.c) that the unit tests and the fuzzer reach directly: the one function
 * that asks the kernel over rtnetlink (netdev.c; tests replace it with -Wl,--wrap) and the
 * parsers of kernel and configuration text (pure functions over a buffer).
 */
#ifndef VFIOX_HOST_PRIVATE_H
#define VFIOX_HOST_PRIVATE_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct vfiox_ctx;

/* "@root/@rel" into @buf; -ENAMETOOLONG rather than a cut path that names another file. */
static inline int vfiox__root_path(char *buf, size_t len, const char *root, const char *rel)
{
	int n = snprintf(buf, len, "%s/%s", root, rel);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* What the kernel says about one network interface; strings are malloc'd or NULL. */
struct vfiox_netdev_facts {
	bool up;      /* IFF_UP */
	char *addrs;  /* "10.0.2.15/24, fe80::1/64": its addresses, NULL for none */
	char *routes; /* "default via 10.0.2.2, 10.0.2.0/24": routes through it, NULL for none */
};

/*
 * netdev.c: asks rtnetlink about interface @ifindex (@name for messages). Routes of the
 * local table and the kernel's own IPv6 link-local and multicast routes are left out:
 * every interface that is up has them. Returns 0; -ENODEV when the kernel has no such
 * interface (in this network namespace); -errno with the last error set otherwise.
 * Release with vfiox__netdev_facts_release().
 *
 * *@cachep (NULL at first) keeps the socket and the host's address and route dumps for
 * the next interfaces of the same probe; free it with vfiox__netdev_cache_free().
 */
struct vfiox_netdev_cache;
int vfiox__netdev_facts(struct vfiox_ctx *ctx, struct vfiox_netdev_cache **cachep, int ifindex,
			const char *name, struct vfiox_netdev_facts *facts);
void vfiox__netdev_facts_release(struct vfiox_netdev_facts *facts);
void vfiox__netdev_cache_free(struct vfiox_netdev_cache *cache);

/*
 * inuse.c: the parsers of /proc/self/mountinfo and /proc/swaps. Each calls @fn for every
 * entry whose fields parse, with the octal escapes (\040 ...) of the kernel decoded, and
 * skips the lines that do not; @text is modified. @fn returns 0 to go on, else stops the
 * walk with that value. Return: what @fn returned last, or 0.
 */
typedef int (*vfiox_mount_fn)(void *arg, const char *majmin, const char *mountpoint,
			      const char *source, const char *fstype);
int vfiox__parse_mountinfo(char *text, vfiox_mount_fn fn, void *arg);
typedef int (*vfiox_swap_fn)(void *arg, const char *path);
int vfiox__parse_swaps(char *text, vfiox_swap_fn fn, void *arg);

/*
 * inuse.c: vfiox_group_uses() for any @n devices of one scan (e.g. the VFs of a PF): the
 * class directories, mountinfo and swaps are read once for all of them, not once per
 * device. Findings in the order of @devs; n == 0 gives an empty list (without a context,
 * -ENOMEM alone sets no last error).
 */
struct vfiox_pci_dev;
struct vfiox_uses;
int vfiox__devs_uses(struct vfiox_pci_dev *const *devs, size_t n, struct vfiox_uses **usesp);

/* inuse.c: a whole text file (proc, etc), NUL-terminated; NULL with the last error set. */
char *vfiox__read_text(struct vfiox_ctx *ctx, const char *path, int *errp);

/*
 * host.c: the parsers of the doctor.
 *
 * vfiox__cmdline_param(): the value of kernel parameter @key in @cmdline ("on" for
 * "intel_iommu=on"), "" for a bare @key, NULL when absent; the last one wins, as in the
 * kernel. Copies at most @len - 1 bytes into @buf and returns @buf or NULL.
 */
const char *vfiox__cmdline_param(const char *cmdline, const char *key, char *buf, size_t len);

/*
 * vfiox__parse_limits(): applies the memlock lines of one limits.conf file to @st, as
 * pam_limits does for a user (files in the order limits.conf, then limits.d/ *.conf by
 * name): the source of a value ranks user (or uid range) 0, @group (or gid range) 1,
 * %group 2, % 3, * 4; a line replaces the value unless it came from a better rank, so
 * lines of equal rank override earlier ones. Values are KiB; "unlimited", "infinity" and
 * -1 are VFIOX_LIMIT_INF. Initialise with vfiox__limits_init().
 */
#define VFIOX_LIMIT_INF ((unsigned long long)-1)
#define VFIOX_LIMIT_SRC_NONE 6
struct vfiox_limits_user {
	const char *name;
	unsigned long uid, gid;	    /* gid: the primary group */
	const char *const *groups;  /* names of every group the user is in */
	const unsigned long *gids;  /* and their numbers */
	size_t ngroups;
};
struct vfiox_limits_state {
	unsigned long long soft, hard;	     /* KiB or VFIOX_LIMIT_INF */
	int soft_src, hard_src;		     /* VFIOX_LIMIT_SRC_NONE: no line applied */
	char soft_from[160], hard_from[160]; /* "limits.d/90-vfio.conf:3" */
	unsigned bad_lines;
};
void vfiox__limits_init(struct vfiox_limits_state *st);
int vfiox__parse_limits(char *text, const char *file, const struct vfiox_limits_user *u,
			struct vfiox_limits_state *st);

/*
 * vfiox__parse_interrupts(): counts the lines of /proc/interrupts whose chip name says
 * the interrupt is remapped ("IR-PCI-MSI", "IR-IO-APIC", ...) and the lines of PCI MSI and
 * IO-APIC interrupts that are not.
 */
int vfiox__parse_interrupts(char *text, unsigned *remapped, unsigned *plain);

/*
 * host.c: findings built by other files (igd.c). vfiox__findings_vadd() appends one;
 * vfiox__findings_vfix() sets the fix of the last one. Both return 0 or -ENOMEM (-EINVAL:
 * no finding to fix); the list stays valid either way.
 */
struct vfiox_findings;
struct vfiox_findings *vfiox__findings_new(void);
int vfiox__findings_vadd(struct vfiox_findings *f, const char *id, int status,
			 const char *subject, const char *fmt, va_list ap);
int vfiox__findings_vfix(struct vfiox_findings *f, const char *fmt, va_list ap);

/* physmap.c: the active mode of <sysfs>/kernel/security/lockdown ("integrity"), or "". */
void vfiox__lockdown_mode(struct vfiox_ctx *ctx, char *mode, size_t len);

#endif /* VFIOX_HOST_PRIVATE_H */
