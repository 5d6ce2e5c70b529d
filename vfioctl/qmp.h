/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp.c: a QMP client that moves bytes and fds (the JSON is qmp-msg.c's). Each call
 * returns 0 or -1 with the reason in conn->why; nothing waits longer than the timeout.
 */
#ifndef VFIOCTL_QMP_H
#define VFIOCTL_QMP_H

#include <stdbool.h>
#include <stddef.h>

#include "qmp-msg.h"

struct qmp_conn {
	int fd;
	int timeout_ms;
	const char *path;
	struct qmp_version version;
	char in[QMP_MAX_LINE + 1];
	size_t inlen;
	unsigned int seq;
	char why[1024];
};

/* Connects to @path, reads the greeting, negotiates (qmp_capabilities). */
int qmp_open(struct qmp_conn *c, const char *path, int timeout_ms);
/*
 * Sends @cmd (with @fdname or @opaque as its argument, see qmp_encode()) and @nfds fds in
 * SCM_RIGHTS on the same message, and reads up to the reply to it (events skipped) into
 * @r; @line gets its text when not NULL. A QMP error is -1 too, with @r filled and the
 * error in why.
 */
int qmp_exec(struct qmp_conn *c, const char *cmd, const char *fdname, const char *opaque,
	     const int *fds, size_t nfds, struct qmp_reply *r, char *line, size_t linelen);
/* qmp_exec() with the arguments @args (see qmp_encode_args()). */
int qmp_exec_args(struct qmp_conn *c, const char *cmd, const struct qmp_arg *args, size_t nargs,
		  const int *fds, size_t nfds, struct qmp_reply *r, char *line, size_t linelen);
/* Whether QEMU has the QOM type @type (qom-list-types implements=@type) into *@found. */
int qmp_has_type(struct qmp_conn *c, const char *type, bool *found);
/*
 * Gives QEMU @n fds, one command each with its fd in SCM_RIGHTS: getfd under
 * given[i].qmp_name (NULL: .name), or (@fdset) add-fd into a new fd set with that name as
 * its opaque, and then checks that
 * query-fdsets lists each in the set and as the fd QEMU replied. Sets given[i].passed and
 * fdset_id/fd from the replies, so that on -1 (why says what failed) given[] still tells
 * what QEMU holds.
 */
int qmp_give_fds(struct qmp_conn *c, bool fdset, const int *fds, struct qmp_given *given,
		 size_t n);
/*
 * vfioctl qmp --attach of an iommufd bundle whose fds QEMU holds (given[0] the iommufd,
 * then the cdevs, as qmp_give_fds() left them): object-add of an iommufd @obj_id on the
 * first, then device_add of a vfio-pci "vfiox-DDDD-BB-SS.F" (into @dev_ids[i]) on it for
 * each cdev, stopping at the first refusal. Each command and QEMU's answer go to
 * @sent[*@nsent++] (the error text in @errors[i]); each fd a command took is marked
 * consumed. 0, or -1 with why.
 */
int qmp_attach_iommufd(struct qmp_conn *c, bool fdset, struct qmp_given *given, size_t n,
		       const char *obj_id, char (*dev_ids)[64], struct qmp_sent *sent,
		       char (*errors)[512], size_t *nsent);
void qmp_close(struct qmp_conn *c);

#endif /* VFIOCTL_QMP_H */
