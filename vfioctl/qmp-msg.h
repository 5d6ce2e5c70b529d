/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-msg.c: QMP's JSON both ways, as pure functions over buffers (no fd, no socket:
 * unit-tested and fuzzed). qmp.c moves the bytes and the fds.
 */
#ifndef VFIOCTL_QMP_MSG_H
#define VFIOCTL_QMP_MSG_H

#include <stdbool.h>
#include <stddef.h>

#define QMP_MAX_LINE (64 * 1024)
#define QMP_MAX_NODES 2048

/* A parsed JSON text: nodes in an array, strings in a pool (no allocation). */
enum qj_type { QJ_NULL, QJ_BOOL, QJ_NUM, QJ_STR, QJ_ARR, QJ_OBJ };
struct qj_node {
	enum qj_type type;
	const char *key; /* as a member of an object; NULL otherwise */
	const char *str; /* QJ_STR */
	long long num;	 /* QJ_NUM (integers; a fraction or exponent is cut) */
	bool b;		 /* QJ_BOOL */
	int child, next; /* first member/element, next sibling; -1: none */
};
struct qj_doc {
	struct qj_node n[QMP_MAX_NODES];
	size_t nn;
	char pool[QMP_MAX_LINE * 2];
	size_t used;
};

/* One JSON value of @len bytes (whitespace around allowed) into @d, root node 0: 0, or -1
 * with the reason in @why. */
int qj_parse(const char *text, size_t len, struct qj_doc *d, char *why, size_t whylen);
/* The member @key of object node @obj: its node, or -1. */
int qj_get(const struct qj_doc *d, int obj, const char *key);

struct qmp_version {
	int major, minor, micro;
	char package[128];
};
/* The greeting {"QMP": {"version": {"qemu": {...}}, ...}}: 0, or -1 with @why. */
int qmp_parse_greeting(const char *line, size_t len, struct qmp_version *v, char *why,
		       size_t whylen);

enum qmp_kind { QMP_RETURN, QMP_ERROR, QMP_EVENT };
struct qmp_reply {
	enum qmp_kind kind;
	char id[32];	   /* the command's "id", when it had one */
	char cls[64];	   /* QMP_ERROR: "GenericError" ... */
	char desc[512];	   /* QMP_ERROR: QEMU's words */
	char event[64];	   /* QMP_EVENT */
	long long fdset_id; /* add-fd's return; -1 otherwise */
	long long fd;	   /* add-fd's return; -1 otherwise */
};
/* A reply, an error or an event: 0, or -1 with @why for anything else. */
int qmp_parse_reply(const char *line, size_t len, struct qmp_reply *r, char *why, size_t whylen);

struct qmp_fdset_fd {
	long long fdset_id, fd;
	char opaque[64];
};
/* query-fdsets' return: every fd of every set into @fds (up to @max; the count in *@n, which
 * may exceed @max): 0, or -1 with @why. */
int qmp_parse_fdsets(const char *line, size_t len, struct qmp_fdset_fd *fds, size_t max,
		     size_t *n, char *why, size_t whylen);

/* One member of a command's "arguments": a string @s, or (@s NULL) the integer @n. */
struct qmp_arg {
	const char *key;
	const char *s;
	long long n;
};

/*
 * A command, one line with "\r\n": @cmd with @id (NULL: none) and, when @nargs > 0, an
 * "arguments" object of @args in their order. The length, or -1 when @len is too small.
 */
int qmp_encode_args(char *buf, size_t len, const char *cmd, const char *id,
		    const struct qmp_arg *args, size_t nargs);
/*
 * qmp_encode_args() with "fdname": @fdname (getfd, closefd) or "opaque": @opaque (add-fd)
 * as the one argument, when given.
 */
int qmp_encode(char *buf, size_t len, const char *cmd, const char *id, const char *fdname,
	       const char *opaque);

/*
 * QEMU's iommufd object and a vfio-pci device on it, from fds QEMU holds: @fdref is the
 * getfd name (or QEMU's own fd number, from add-fd) of /dev/iommu or of the device's cdev.
 * As QMP commands (object-add with qom-type iommufd, id, fd; device_add with driver
 * vfio-pci, id, iommufd, fd) and as the same properties in QEMU's option syntax
 * ("iommufd,id=ID,fd=FD" for -object, "vfio-pci,iommufd=ID,fd=FD,id=DEVID" for -device;
 * with fd= there is no host=). The length, or -1 when @len is too small or a value holds
 * a comma (which QEMU's option syntax would need doubled).
 */
int qmp_encode_iommufd_add(char *buf, size_t len, const char *id, const char *obj_id,
			   const char *fdref);
int qmp_encode_vfio_add(char *buf, size_t len, const char *id, const char *dev_id,
			const char *obj_id, const char *fdref);
int qmp_iommufd_opt(char *buf, size_t len, const char *obj_id, const char *fdref);
int qmp_vfio_opt(char *buf, size_t len, const char *dev_id, const char *obj_id,
		 const char *fdref);
/* "vfiox-0000-03-00.0": the QOM id vfioctl qmp gives the vfio-pci device of @addr. */
int qmp_vfio_dev_id(char *buf, size_t len, const char *addr);
/* A QOM / QemuOpts id: a letter first, then letters, digits, '-', '.', '_'. */
bool qmp_id_ok(const char *id);

/*
 * Whether @v can have the iommufd object (QEMU 9.0 added it); false with the reason in
 * @buf. Whether this build has it (CONFIG_IOMMUFD) qom-list-types says:
 * qmp_parse_type_list().
 */
bool qmp_iommufd_version_ok(const struct qmp_version *v, char *buf, size_t len);
/* qom-list-types' return: whether it lists type @name (*@found): 0, or -1 with @why. */
int qmp_parse_type_list(const char *line, size_t len, const char *name, bool *found, char *why,
			size_t whylen);

/*
 * What a QEMU of @v can do with VFIO fds, for the user: true when its vfio-pci takes fds
 * (9.0 and later, through iommufd); @buf gets the sentence. @iommufd: the fds are an
 * iommufd bundle's (an iommufd and cdevs), which such a QEMU takes; otherwise type1
 * container and group fds, which no QEMU takes.
 */
bool qmp_vfio_fd_advice(const struct qmp_version *v, bool iommufd, char *buf, size_t len);

/* One fd as vfioctl qmp gave it to QEMU, or tried to. */
struct qmp_given {
	const char *name;	/* the bundle's name (LISTEN_FDNAMES form) */
	const char *kind;	/* "container", "group", "device", "iommufd", "cdev" */
	int group;		/* -1: none */
	const char *device;	/* the PCI address of a device fd; NULL otherwise */
	bool passed;		/* QEMU's reply accepted it */
	long long fdset_id, fd; /* add-fd's reply; -1 for getfd or before it */
	const char *qmp_name;	/* what QEMU holds it as: getfd's fdname, add-fd's opaque;
				 * NULL: the same as name */
	bool consumed;		/* an object-add or device_add took it (no closefd then) */
};

/* One command vfioctl qmp --attach sent, and QEMU's answer. */
struct qmp_sent {
	const char *execute;	/* "object-add", "device_add" */
	const char *id;		/* the object's or device's id */
	bool ok;
	const char *error;	/* QEMU's words when !ok */
};

/* What vfioctl qmp did, for qmp_report_json(). */
struct qmp_report {
	const char *socket;
	bool ok;
	const char *error;		   /* the reason when !ok */
	const struct qmp_version *version; /* NULL: no greeting read */
	bool fdset;			   /* add-fd (else getfd) */
	const struct qmp_given *fds;
	size_t nfds;
	const char *backend;		   /* "type1", "iommufd"; NULL: not known (no bundle) */
	const char *iommufd_id;		   /* iommufd: the object's id */
	bool attach;			   /* --attach was asked for */
	const struct qmp_sent *sent;	   /* --attach: what was sent */
	size_t nsent;
};

/*
 * vfioctl qmp --json (schema vfioctl/qmp/1, see vfioctl-json(7)) of @r into @buf, with a
 * final newline: the QEMU version, the backend, the mode, each fd with what QEMU reported,
 * the advice for that version and, as separate fields, the arguments, access and QMP
 * commands it names (for an iommufd bundle the object and device to add), what --attach
 * sent and how to release what QEMU holds. The length, or -1 when @len is too small.
 */
int qmp_report_json(char *buf, size_t len, const struct qmp_report *r);

#endif /* VFIOCTL_QMP_MSG_H */
