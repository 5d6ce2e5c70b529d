/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the vfioctl subcommands: argument handling, messages, JSON and tables. */
#ifndef VFIOCTL_H
#define VFIOCTL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/resource.h>

#include <vfiox/vfiox.h>

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

struct cmd {
	const char *name;
	const char *args;     /* one-line synopsis after the verb */
	const char *summary;  /* what it does, one line */
	const char *help;     /* option list for `vfioctl help VERB` */
	int (*run)(struct vfiox_ctx *ctx, int argc, char **argv);
};

extern const struct cmd cmd_list;
extern const struct cmd cmd_show;
extern const struct cmd cmd_rom;
extern const struct cmd cmd_reset;
extern const struct cmd cmd_irq_test;
extern const struct cmd cmd_bind;
extern const struct cmd cmd_restore;
extern const struct cmd cmd_sriov;
extern const struct cmd cmd_monitor;
extern const struct cmd cmd_check;
extern const struct cmd cmd_igd;
extern const struct cmd cmd_exec;
extern const struct cmd cmd_pass;
extern const struct cmd cmd_serve;
extern const struct cmd cmd_revoke;
extern const struct cmd cmd_qmp;
extern const struct cmd cmd_cdi;
extern const struct cmd cmd_grant;

void err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "vfioctl VERB: ..." plus a pointer to help, returns EXIT_USAGE. */
int usage_error(const struct cmd *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* After getopt_long returned '?' or ':': "unknown option '--x'" or "'--x' needs a value". */
const char *bad_option(char **argv);
/* Reports a failed library call with the library's own reason. */
int lib_error(struct vfiox_ctx *ctx, const char *what, int err);
/* "64M", "1G", "1048576", "unlimited" (RLIM_INFINITY): bytes in *out; -1 when it is none. */
int parse_size(const char *s, rlim_t *out);

/* JSON writer: pretty-printed, keys given by the caller, NULL key inside arrays. */
struct json {
	FILE *f;
	int depth;
	bool failed;
	bool need_comma[64];
	size_t len;
	char buf[64 * 1024];
};
void json_init(struct json *j, FILE *f);
void json_obj_open(struct json *j, const char *key);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);
void json_str(struct json *j, const char *key, const char *val); /* NULL -> null */
void json_strf(struct json *j, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A hex string of at least @digits digits, no 0x: "1b36". */
void json_hex(struct json *j, const char *key, unsigned long val, int digits);
void json_int(struct json *j, const char *key, long long val);
/* A number with one decimal ("12.5"). */
void json_fixed1(struct json *j, const char *key, double val);
void json_int_or_null(struct json *j, const char *key, long long val, bool present);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);
/*
 * The "schema" member, first in every document vfioctl prints: "vfioctl/DOC/N", the name of
 * man/schemas/DOC.schema.json and its version (vfioctl-json(7)). The version is here only.
 */
#define VFIOCTL_SCHEMA_VERSION "1"
#define VFIOCTL_SCHEMA(doc) "vfioctl/" doc "/" VFIOCTL_SCHEMA_VERSION
void json_schema(struct json *j, const char *doc);
/* Ends the document and flushes; false when writing failed. */
bool json_end(struct json *j);

/* Devices and groups in both forms, shared by list and show ("vfio_cdev" read through
 * @ctx, for devices on a VFIO driver only; @schema: the document's, when the device's
 * object is the document, else NULL). */
void json_device_brief(struct json *j, struct vfiox_ctx *ctx, const char *key,
		       struct vfiox_pci_dev *dev, const char *schema);
void json_blockers(struct json *j, const struct vfiox_group *g);
/* "reset_method": the sysfs attribute as an array of method names, or null. */
void json_reset_methods(struct json *j, const char *methods);
const char *or_dash(const char *s);

/*
 * vfio-view.c: the IOMMU backend a verb opens devices with, for every verb that does
 * (show, rom, reset, irq-test; the hand-over verbs may use it too). @arg is the value of
 * --backend, or NULL for the default: $VFIOX_BACKEND when set and not empty, else auto.
 * Sets *@backend to a VFIOX_BACKEND_* and returns 0, or prints a usage error naming the
 * allowed values (auto, type1, iommufd) and returns EXIT_USAGE.
 */
int backend_option(const struct cmd *cmd, const char *arg, int *backend);
/* "--backend iommufd" or "VFIOX_BACKEND=iommufd": where the last backend_option() found a
 * forced backend; NULL when it chose auto. */
const char *backend_source(void);

/*
 * vfio-view.c: the VFIO cdev of @dev, "/dev/vfio/devices/vfio0" (under the device root),
 * into @buf: 0; -ENODEV when it has none (not on a VFIO driver, or a kernel without VFIO
 * cdevs), with the reason in @why when it is not NULL. Reads sysfs only for devices on a
 * VFIO driver (one directory and one attribute).
 */
int device_cdev(struct vfiox_ctx *ctx, struct vfiox_pci_dev *dev, char *buf, size_t len,
		char *why, size_t whylen);

/*
 * vfio-view.c: a device on vfio-pci opened the way a VMM would (or, when @dev is NULL,
 * what shows the IOMMU of group @g: the group alone over type1, one of its devices on
 * vfio-pci over iommufd), over @backend (VFIOX_BACKEND_AUTO: vfiox_backend_choose()).
 * type1: container, group attached, device; iommufd: an iommufd container with an IOAS,
 * the device bound by its cdev and attached, no group. On failure @why says why and how
 * to get there; nothing stays open.
 */
struct vfio_handles {
	struct vfiox_container *container;
	struct vfiox_vgroup *group;   /* type1 only */
	struct vfiox_device *device;
	int backend;                  /* VFIOX_BACKEND_TYPE1 or VFIOX_BACKEND_IOMMUFD */
	char backend_why[400];        /* why that one: "no /dev/iommu (...)", "asked for ..." */
};
struct vfiox_group;
int vfio_open(struct vfiox_ctx *ctx, struct vfiox_group *g, struct vfiox_pci_dev *dev,
	      const char *vf_token, int backend, struct vfio_handles *h, char *why, size_t len);
void vfio_close(struct vfio_handles *h);
/* A device named on the command line, opened through VFIO (see vfio_open()). */
struct target {
	struct vfiox_scan *scan;
	struct vfiox_pci_dev *dev;
	struct vfio_handles h;
};
/* Scans, finds @addr and opens it over @backend; on failure prints "cannot @what ADDR: why"
 * (or the lookup error) and returns -1 with nothing left open. */
int target_open_backend(struct vfiox_ctx *ctx, const char *addr, const char *vf_token,
			int backend, const char *what, struct target *t);
/* target_open_backend() with VFIOX_BACKEND_AUTO. */
int target_open(struct vfiox_ctx *ctx, const char *addr, const char *vf_token, const char *what,
		struct target *t);
void target_close(struct target *t);
/*
 * Test-only, for the binding verbs' step callback: VFIOCTL_TEST_STOP_AT_STEP=K stops
 * vfioctl (SIGSTOP) right before write K of the command (counted over all its library
 * calls: bind, restore, sriov, grant), so a test can kill -9 it there and check that
 * 'restore --all' puts everything back. main() installs it as the context's step callback
 * when the variable is set. vfioctl serve stops at step 1, after the socket
 * is bound and before its owner is set, so a test can swap the path meanwhile. Returns 0.
 */
int test_stop_hook(void *userdata, size_t step, const char *text);
/*
 * The end of every verb's getopt switch: -h/--help prints the verb's help (exit 0), any
 * other option is a usage error naming it (exit 2).
 */
int verb_option_end(const struct cmd *cmd, int c, char **argv);
/* Prints `vfioctl VERB ARGS` and the verb's option list: the --help of every verb. */
int verb_help(const struct cmd *cmd);

/* The device's IOMMU group, for devices in one. */
struct vfiox_group *device_group(struct vfiox_scan *scan, struct vfiox_pci_dev *dev);

/* vfio-view.c: the VFIO side of show, over @backend; j NULL prints for humans. */
void vfio_view_device(struct vfiox_ctx *ctx, struct vfiox_group *g, struct vfiox_pci_dev *dev,
		      const char *vf_token, int backend, struct json *j);
void vfio_view_group(struct vfiox_ctx *ctx, struct vfiox_group *g, int backend, struct json *j);

/*
 * handover-args.c: the bundle of the hand-over verbs, from --group N, --backend and DEVICE
 * arguments.
 */
struct bundle_args {
	int groups[VFIOX_HANDOVER_MAX_FDS];
	size_t ngroups;
	const char *devs[VFIOX_HANDOVER_MAX_FDS];
	size_t ndevs;
	const char *backend_arg; /* --backend, or NULL */
	int backend;		 /* VFIOX_BACKEND_*, once bundle_args_devices() ran */
};
/* --group @arg: 0, or a usage error printed (EXIT_USAGE). */
int bundle_args_group(const struct cmd *cmd, struct bundle_args *a, const char *arg);
/*
 * The DEVICE arguments, that there is something to open, and the backend (--backend, else
 * $VFIOX_BACKEND, else auto; backend_option()): 0 or EXIT_USAGE.
 */
int bundle_args_devices(const struct cmd *cmd, struct bundle_args *a, int argc, char **argv);
/* Opens the bundle (device fds for the devices named) over a->backend: 0, or EXIT_FAIL
 * with the reason printed. */
int bundle_args_open(struct vfiox_ctx *ctx, const struct bundle_args *a, struct vfiox_bundle **bp);
/* "container", "group", "device", "iommufd", "cdev": an &enum vfiox_handover_kind. */
const char *bundle_kind_name(int kind);
/*
 * "type1 bundle vfio-container (container), vfio-group-12 (group), ...": the backend and
 * each fd's name and kind, for log lines.
 */
void bundle_summary(struct vfiox_bundle *b, char *buf, size_t len);
struct sockaddr_un;
/* AF_UNIX address of @path; -1 with the message printed when it does not fit. */
int socket_addr(const char *path, struct sockaddr_un *sa);
/* @arg as seconds (fractions allowed) into @ms: 0, or a usage error naming @opt. */
int parse_seconds(const struct cmd *cmd, const char *opt, const char *arg, int *ms);
/* "uid 1000 (alice)", for log lines and refusals. */
const char *peer_name(unsigned int uid, char *buf, size_t len);

/* Aligned table: add rows of cells, then print with each column as wide as its widest cell. */
struct table {
	int ncols;
	char **cells;
	size_t nrows, cap;
};
/* Findings as vfioctl check prints them (a line each, fixes, the counts), or into JSON as
 * "findings", "counts" and "worst". */
void findings_print(const struct vfiox_findings *f);
void json_findings(struct json *j, const struct vfiox_findings *f);

void table_init(struct table *t, int ncols);
void table_add(struct table *t, ...); /* ncols strings (NULL prints "-") */
void table_print(struct table *t, FILE *f, const char *indent);
void table_free(struct table *t);

#endif /* VFIOCTL_H */
