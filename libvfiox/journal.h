/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to libvfiox: the journal of what vfioctl changed, so that it can be undone.
 *
 * One file per device, <state_dir>/devices/<addr>, "key=value" lines, written atomically
 * (temp file, fsync, rename, fsync of the directory). Since format=2 (the second line) an
 * entry ends with "end=<CRC-32 of the text before it>", so an entry torn by a crash (on a
 * file system that lost the write) or garbled is told from a valid one and named; entries
 * without format= (older vfioctl) are read as before. An entry holds the ORIGINAL state
 * of a device, recorded before the first change: recording again never overwrites a
 * field that is already recorded, so a second bind (or an SR-IOV change after a bind)
 * keeps the state from before the first one. Restore (bind.c) puts every recorded field
 * back and then removes the entry.
 *
 * Usage before a change, e.g. for the SR-IOV attributes of a PF:
 *
 *	struct vfiox__jentry e;
 *
 *	vfiox__jentry_init(&e, "0000:03:00.0");
 *	e.sriov_numvfs = <current value>;
 *	e.sriov_autoprobe = <current value>;
 *	ret = vfiox__journal_record(ctx, &e);    // before writing sriov_numvfs
 */
#ifndef VFIOX_JOURNAL_H
#define VFIOX_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "internal.h"

#define VFIOX_JOURNAL_DRIVER_LEN 64
#define VFIOX_JOURNAL_TOKEN_LEN 40   /* a UUID and its NUL */
#define VFIOX_JOURNAL_MAX_PERSIST 4

/*
 * The recorded state of one device. Fields not recorded: has_driver/has_override false,
 * numbers -1, strings "".
 */
struct vfiox__jentry {
	char dev[VFIOX_PCI_ADDR_STRLEN];
	bool has_driver;
	char driver[VFIOX_JOURNAL_DRIVER_LEN];	 /* "" = no driver was bound */
	bool has_override;
	char override[VFIOX_JOURNAL_DRIVER_LEN]; /* "" = none ("(null)") */
	int sriov_numvfs;			 /* -1: not recorded */
	int sriov_autoprobe;			 /* sriov_drivers_autoprobe, -1: not recorded */
	char vf_token[VFIOX_JOURNAL_TOKEN_LEN];	 /* the token we generated, "" none */
	/* Files we created for --persist; restore deletes them. */
	char persist[VFIOX_JOURNAL_MAX_PERSIST][256];
	size_t num_persist;
};

/* Empties @e and sets its device name. */
void vfiox__jentry_init(struct vfiox__jentry *e, const char *dev);

/*
 * Merges @e into the device's entry: fields recorded already are kept, new ones added,
 * persist paths appended (no duplicates); vf_token is replaced when @e has one. Creates
 * the state directory (0700) when missing. 0 or -errno, with the last error set.
 */
int vfiox__journal_record(struct vfiox_ctx *ctx, const struct vfiox__jentry *e);

/* Reads the entry of @dev into @e: 0, -ENOENT when there is none, -EBADMSG when unreadable. */
int vfiox__journal_read(struct vfiox_ctx *ctx, const char *dev, struct vfiox__jentry *e);

/*
 * Writes @e as the whole entry of its device, atomically, replacing what was there (no
 * merge): how a field is forgotten. An @e with nothing recorded removes the entry. 0 or
 * -errno, with the last error set.
 */
int vfiox__journal_replace(struct vfiox_ctx *ctx, const struct vfiox__jentry *e);

/* Removes the entry of @dev: 0, or -ENOENT when there was none. */
int vfiox__journal_remove(struct vfiox_ctx *ctx, const char *dev);

/* Deletes the files @e lists as persist= (a missing one is fine): 0 or -errno, last error set. */
int vfiox__jentry_unlink_persist(struct vfiox_ctx *ctx, const struct vfiox__jentry *e);

/*
 * Forgets a device that is gone (a removed VF): deletes its persist files, so that no udev
 * rule outlives the entry that could remove it, then the entry. 0, -ENOENT when there was
 * none, or another -errno (the entry is kept).
 */
int vfiox__journal_drop(struct vfiox_ctx *ctx, const char *dev);

/*
 * The devices with an entry, sorted; *namesp is a malloc'ed array of malloc'ed strings
 * (free with vfiox__journal_list_free). No state directory yet is an empty list.
 */
int vfiox__journal_list(struct vfiox_ctx *ctx, char ***namesp, size_t *countp);
void vfiox__journal_list_free(char **names, size_t count);

/*
 * The journal's lock: one process at a time changes bindings. Takes an exclusive flock on
 * <state_dir>/lock, waiting for it as vfiox_ctx_set_lock_wait() says (and logging once who
 * holds it, from /proc/locks): 0 with the lock's fd in *fdp, -EBUSY (no wait) or
 * -ETIMEDOUT naming the process that holds it, or another -errno. vfiox__journal_unlock() releases it (fd < 0
 * is fine). The lock is not recursive: take it once per public call.
 */
int vfiox__journal_lock(struct vfiox_ctx *ctx, int *fdp);
void vfiox__journal_unlock(int fd);

/*
 * Text form of an entry, as in the file (for tests and the fuzzer): parse/format. Parsing
 * fails with -EBADMSG; _why() also says what is wrong (torn, garbled, which line) in @why.
 */
int vfiox__jentry_parse(const char *text, struct vfiox__jentry *e);
int vfiox__jentry_parse_why(const char *text, size_t len, struct vfiox__jentry *e, char *why,
			    size_t whylen);
int vfiox__jentry_format(const struct vfiox__jentry *e, char *buf, size_t len);

#endif /* VFIOX_JOURNAL_H */
