/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * handover-msg.c: the hand-over message and the LISTEN_FDNAMES names, encoded and decoded
 * as pure functions over buffers (no fd, no socket: unit-tested and fuzzed). The format is
 * described in include/vfiox/handover.h and libvfiox(7).
 */
#ifndef VFIOX_HANDOVER_MSG_H
#define VFIOX_HANDOVER_MSG_H

#include <stdbool.h>
#include <stddef.h>

#include <vfiox/handover.h>
#include <vfiox/pci.h>

/* Longest line of a message, its newline included. */
#define VFIOX_HO_MAX_LINE 256
/* Longest LISTEN_FDNAMES name ("vfio-device-0000-03-00.0", "vfio-group-2147483647",
 * "vfio-cdev-0000-03-00.0"). */
#define VFIOX_HO_NAME_LEN 32

struct vfiox_ho_entry {
	int kind;  /* enum vfiox_handover_kind */
	int group; /* groups, devices and cdevs; -1 for the container and the iommufd, and for
		    * a device or cdev when unknown (LISTEN_FDNAMES) */
	char dev[VFIOX_PCI_ADDR_STRLEN]; /* devices and cdevs: canonical address */
};

struct vfiox_ho_desc {
	int model; /* enum vfiox_iommu_model (VFIOX_IOMMU_IOMMUFD for an iommufd bundle);
		    * VFIOX_IOMMU_NONE when not known */
	size_t num;
	struct vfiox_ho_entry e[VFIOX_HANDOVER_MAX_FDS];
	bool refused;	 /* an "error" message: no entries, @error says why */
	char error[VFIOX_HO_MAX_LINE];
};

/*
 * The message of @d into @buf (NUL-terminated): its length, -ENOSPC when @len is too small,
 * -EINVAL when @d breaks a rule the decoder checks (@why says which).
 */
int vfiox__ho_encode(const struct vfiox_ho_desc *d, char *buf, size_t len, char *why,
		     size_t whylen);
/*
 * The message in @buf[0..len) (no NUL needed) into @d: 0; -EBADMSG (does not parse, or
 * breaks a rule), -EPROTO (another version), -EMSGSIZE (too long or too many fds), with the
 * reason in @why. A refusal decodes to 0 with d->refused set.
 */
int vfiox__ho_decode(const char *buf, size_t len, struct vfiox_ho_desc *d, char *why,
		     size_t whylen);
/*
 * The rules every description keeps: 0 or -EBADMSG with @why. A bundle is type1 (one
 * container; groups unique; devices unique and their group present; model type1 or
 * type1v2) or iommufd (one iommufd, first; then at least one cdev, each address once;
 * model iommufd), never a mix. @fdnames: device and cdev entries may have group -1 and
 * there is no model.
 */
int vfiox__ho_check(const struct vfiox_ho_desc *d, bool fdnames, char *why, size_t whylen);
/* The LISTEN_FDNAMES name of @e into @buf: its length, or -ENOSPC. */
int vfiox__ho_fdname(const struct vfiox_ho_entry *e, char *buf, size_t len);
/*
 * LISTEN_FDNAMES, @len bytes of colon-separated names, one per fd for @nfds fds, into @d
 * (model VFIOX_IOMMU_NONE, device groups -1): 0, -EBADMSG or -EMSGSIZE with @why.
 */
int vfiox__ho_decode_fdnames(const char *names, size_t len, size_t nfds, struct vfiox_ho_desc *d,
			     char *why, size_t whylen);
/* "type1", "type1v2", "iommufd" for the message; NULL for another model. */
const char *vfiox__ho_model_name(int model);

#endif /* VFIOX_HANDOVER_MSG_H */
