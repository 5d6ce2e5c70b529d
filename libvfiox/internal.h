/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private to libvfiox: shared structures and the kernel-access layer. */
#ifndef VFIOX_INTERNAL_H
#define VFIOX_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <vfiox/vfiox.h>

#define VFIOX_EXPORT __attribute__((visibility("default")))
#define VFIOX_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct pci_access;
struct pci_dev;

struct vfiox_ctx {
	char *sysfs_root;
	char *dev_root;
	char *proc_root;
	char *state_dir;
	char *etc_root;
	vfiox_log_fn log_fn;
	void *log_data;
	int log_max;
	int lock_wait_ms;      /* vfiox_ctx_set_lock_wait(): 0 none, -1 for ever */
	vfiox_step_fn step_fn; /* vfiox_ctx_set_step_cb() */
	void *step_data;
	size_t steps;	       /* reported in the current public call */
	bool stopped;	       /* the step callback stopped the current call */
	char last_error[512];
	struct pci_access *pacc; /* libpci handle, created on first use */
	char *pacc_sysfs_path;   /* the sysfs.path it was created for */
};

/* Detail attributes, read on first use (see scan.c: load_details). */
struct vfiox_dev_details {
	int revision;
	int numa_node;
	int boot_vga;
	int sriov_totalvfs;
	int sriov_numvfs;
	char *driver_override;
	char *reset_method;
	struct vfiox_pci_dev *physfn;
	struct vfiox_pci_dev **vfs;
	size_t num_vfs;
};

/* Config space as far as it could be read, and what was decoded from it. */
struct vfiox_dev_config {
	uint8_t data[4096];
	size_t len;
	int err; /* 0 or -errno of the last read attempt that mattered */
	struct vfiox_pci_cap *caps;
	size_t num_caps;
};

struct vfiox_pci_dev {
	struct vfiox_scan *scan;
	struct vfiox_pci_addr addr;
	char name[VFIOX_PCI_ADDR_STRLEN];
	uint16_t vendor_id, device_id, subsys_vendor_id, subsys_device_id;
	uint32_t class_code;
	char *driver;
	int group_id;
	bool details_loaded;
	bool names_loaded;
	bool config_loaded;
	struct vfiox_dev_details det;
	const char *vendor_name, *device_name, *class_name, *subsys_name; /* scan->names */
	struct vfiox_dev_config *cfg;
};

struct vfiox_group {
	int id;
	struct vfiox_pci_dev **devs;
	size_t num_devs;
	struct vfiox_pci_dev **blockers;
	size_t num_blockers;
};

/* Names looked up once per id, shared by every device with that id. */
struct vfiox_name_slot {
	uint64_t key; /* 0: empty */
	char *name;   /* NULL: the database does not know it */
};

struct vfiox_scan {
	struct vfiox_ctx *ctx;
	struct vfiox_name_slot *names;
	size_t names_cap, names_used;
	int bus_fd; /* <sysfs>/bus/pci/devices */
	struct vfiox_pci_dev *devs;
	size_t num_devs;
	struct vfiox_group *groups;
	size_t num_groups;
};

/*
 * The IOMMU backends: vfio.c (type1: containers and groups) and iommufd.c (/dev/iommu, an
 * IOAS, devices by their cdev) each fill one table; dma.c and everything that works on
 * devices go through it and never ask which backend they run on.
 */
struct vfiox_iommu_ops {
	int backend;            /* VFIOX_BACKEND_* */
	const char *map_call;   /* the kernel's calls, for messages */
	const char *unmap_call;
	/* Whether DMA can be mapped: a group attached (type1), a device attached (iommufd). */
	bool (*ready)(const struct vfiox_container *c);
	/* Page sizes, usable IOVA ranges and the entry budget, as vfiox_iommu_info. */
	int (*info)(struct vfiox_container *c, struct vfiox_iommu_info **infop);
	/* One kernel mapping; the kernel's -errno as it is (dma.c words it). */
	int (*map)(struct vfiox_container *c, uint64_t vaddr, uint64_t iova, uint64_t size,
		   unsigned int flags);
	int (*unmap)(struct vfiox_container *c, uint64_t iova, uint64_t size);
};
extern const struct vfiox_iommu_ops vfiox__type1_ops;
extern const struct vfiox_iommu_ops vfiox__iommufd_ops;

/* vfio.c: the VFIO objects, shared with the files that work on devices. */
struct vfiox_container {
	struct vfiox_ctx *ctx;
	const struct vfiox_iommu_ops *ops;
	int fd;                      /* /dev/vfio/vfio, or /dev/iommu */
	unsigned int models;         /* type1 */
	int model;                   /* type1: the model set; iommufd: VFIOX_IOMMU_IOMMUFD */
	struct vfiox_vgroup *groups; /* type1: attached, linked through next */
	uint32_t ioas;               /* iommufd: the IOAS devices attach to */
	size_t num_devices;          /* iommufd: devices attached to the IOAS */
	struct vfiox_device *devices; /* iommufd: those devices, linked through ioas_next */
	struct vfiox_dma_state *dma; /* dma.c: built on first use */
};

struct vfiox_vgroup {
	struct vfiox_ctx *ctx;
	int fd;
	int id;
	struct vfiox_container *container;
	struct vfiox_vgroup *next;
	bool borrowed; /* found attached (an adopted fd): closing it must not detach it */
};

struct vfiox_device {
	struct vfiox_ctx *ctx;
	int fd;
	char *name;
	uint32_t devid;                 /* iommufd: the bound device's id; 0: from a group */
	struct vfiox_container *ioas;   /* iommufd: the container it is attached to */
	struct vfiox_device *ioas_next;
	/* Where the config region lies in the fd, once asked (size 0: not yet). */
	uint64_t cfg_offset, cfg_size;
};

/* ctx.c: error reporting. Both return @err so callers can "return vfiox__err(...)". */
int vfiox__err(struct vfiox_ctx *ctx, int err, const char *fmt, ...) VFIOX_PRINTF(3, 4);
void vfiox__log(struct vfiox_ctx *ctx, int level, const char *fmt, ...) VFIOX_PRINTF(3, 4);
#define vfiox__warn(ctx, ...) vfiox__log(ctx, VFIOX_LOG_WARNING, __VA_ARGS__)
#define vfiox__dbg(ctx, ...) vfiox__log(ctx, VFIOX_LOG_DEBUG, __VA_ARGS__)
/*
 * ctx.c: reports the next change of the current call to the context's step callback
 * (vfiox_ctx_set_step_cb()): 0 to go on, or the callback's -errno with the last error
 * set (and ctx->stopped). Public calls that report steps call vfiox__steps_begin() first.
 */
int vfiox__step(struct vfiox_ctx *ctx, const char *fmt, ...) VFIOX_PRINTF(2, 3);
void vfiox__steps_begin(struct vfiox_ctx *ctx);

/*
 * sys.c: every kernel access of the library. Each returns the syscall's value or -errno
 * (never -1 with errno), so tests can substitute these with -Wl,--wrap.
 */
int vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
int vfiox_sys_close(int fd);
ssize_t vfiox_sys_read(int fd, void *buf, size_t len);
ssize_t vfiox_sys_pread(int fd, void *buf, size_t len, off_t off);
ssize_t vfiox_sys_readlinkat(int dirfd, const char *path, char *buf, size_t len);
ssize_t vfiox_sys_getdents(int fd, void *buf, size_t len);
int vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int vfiox_sys_set_cloexec(int fd);
ssize_t vfiox_sys_pwrite(int fd, const void *buf, size_t len, off_t off);
/* mmap: returns 0 and the mapping in *addrp, or -errno. */
int vfiox_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off, void **addrp);
int vfiox_sys_munmap(void *addr, size_t len);
int vfiox_sys_eventfd(unsigned int initval, int flags);
int vfiox_sys_epoll_create(void);
int vfiox_sys_epoll_ctl(int epfd, int op, int fd, void *event);
int vfiox_sys_epoll_wait(int epfd, void *events, int maxevents, int timeout_ms);
long vfiox_sys_page_size(void);
struct rlimit;
int vfiox_sys_getrlimit(int resource, struct rlimit *rl);
int vfiox_sys_memfd_create(const char *name, unsigned int flags); /* always MFD_CLOEXEC */
int vfiox_sys_ftruncate(int fd, off_t len);
int vfiox_sys_madvise(void *addr, size_t len, int advice);
int vfiox_sys_flock(int fd, int op);
ssize_t vfiox_sys_write(int fd, const void *buf, size_t len);
int vfiox_sys_fsync(int fd);
int vfiox_sys_mkdirat(int dirfd, const char *path, mode_t mode);
int vfiox_sys_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);
int vfiox_sys_unlinkat(int dirfd, const char *path, int flags);
int vfiox_sys_inotify_init(void); /* IN_CLOEXEC | IN_NONBLOCK */
int vfiox_sys_inotify_add_watch(int fd, const char *path, uint32_t mask);
/* Fills @len bytes from the kernel's random pool (getrandom); 0 or -errno. */
int vfiox_sys_getrandom(void *buf, size_t len);
/*
 * Sends one netlink request (NLM_F_ACK set by the caller) on a new socket with
 * NETLINK_EXT_ACK, NETLINK_CAP_ACK and NETLINK_GET_STRICT_CHK on, and collects the
 * messages of its sequence number up to and with its ack (NLMSG_ERROR) or NLMSG_DONE, as
 * received, into a buffer malloc'd into *@reply (the caller frees it; the contents are the
 * kernel's, unchecked: vfnet-msg.c parses them). Their length, or -errno of the socket
 * calls (-ETIMEDOUT after 10 s without an answer, -EMSGSIZE beyond 4 MiB).
 */
ssize_t vfiox_sys_netlink_transact(int protocol, const void *req, size_t len, void **reply);
struct stat;
int vfiox_sys_fstatat(int dirfd, const char *path, struct stat *st, int flags);
int vfiox_sys_fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags);
int vfiox_sys_fchmodat(int dirfd, const char *path, mode_t mode);
struct msghdr;
/* sendmsg always with MSG_NOSIGNAL, recvmsg always with MSG_CMSG_CLOEXEC. */
ssize_t vfiox_sys_sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t vfiox_sys_recvmsg(int fd, struct msghdr *msg, int flags);
/* One fd: its revents (non-zero), 0 on timeout (-1: none), or -errno. */
int vfiox_sys_poll(int fd, short events, int timeout_ms);
/* socket(2), always SOCK_CLOEXEC; connect(2) (EINTR retried as the kernel allows). */
int vfiox_sys_socket(int domain, int type, int protocol);
int vfiox_sys_connect(int fd, const void *addr, unsigned int len);
int vfiox_sys_getsockopt(int fd, int level, int name, void *val, unsigned int *len);
int vfiox_sys_getpid(void);
/* pidfd_open(2) and pidfd_getfd(2): an fd of another process, O_CLOEXEC, as ptrace allows. */
int vfiox_sys_pidfd_open(int pid);
int vfiox_sys_pidfd_getfd(int pidfd, int fd);

/*
 * dma.c: VmLck (bytes) and CAP_IPC_LOCK of the text of /proc/PID/status, each when its
 * pointer is not NULL; pure (fuzzed). 0, or -EPROTO when a wanted line is missing or odd.
 */
int vfiox__parse_proc_status(const char *text, uint64_t *locked, bool *cap);
/*
 * dma.c: vfiox_dma_map() of memory type1 neither pins nor charges to RLIMIT_MEMLOCK (a
 * VM_PFNMAP mapping of /dev/mem): tracked like any mapping, left out of the preflight.
 */
int vfiox__dma_map_unpinned(struct vfiox_container *c, void *vaddr, uint64_t size,
			    unsigned int flags, uint64_t limit, uint64_t *iova);
/* dma.c: the container's DMA state goes (the kernel drops the mappings with the model). */
void vfiox__dma_release(struct vfiox_container *c);
/* dma.c: a device attached to an IOAS that has DMA state: keep the allocator out of the
 * IOVA that its reserved regions took away (@ranges: the IOAS's usable ranges now). */
int vfiox__dma_narrow(struct vfiox_container *c, const struct vfiox_iova_range *ranges, size_t n);
/* vfio.c: a device handle for @fd (owned from now on, closed on failure). */
int vfiox__device_new(struct vfiox_ctx *ctx, int fd, const char *name, struct vfiox_device **dp);
/* vfio.c: query-then-resize for VFIO_*_GET_INFO (see there). */
int vfiox__get_info(struct vfiox_ctx *ctx, int fd, unsigned long req, const void *init,
		    size_t fixed, const char *what, uint8_t **bufp, size_t *lenp);
/* dma.c: the first free usable IOVA for @size inside [lo, lo + len) (len 0: no end). */
int vfiox__dma_window_fit(struct vfiox_container *c, uint64_t lo, uint64_t len, uint64_t size,
			  uint64_t align, uint64_t *iova);

/* holders.c: "pid 123 (qemu-system-x86)" for each process with @path open, or "". */
void vfiox__find_holders(struct vfiox_ctx *ctx, const char *path, char *buf, size_t len);
/* holders.c: the same, and each holder's pid, its first fd on @path and command in @list
 * (up to @max); the number of holders found (may exceed @max). @len may be 0. */
struct vfiox_holder {
	int pid;
	int fd;
	char comm[64];
};
size_t vfiox__holders(struct vfiox_ctx *ctx, const char *path, struct vfiox_holder *list,
		      size_t max, char *buf, size_t len);

/* sysfs.c: small readers built on sys.c. */
ssize_t vfiox__read_attr(int dirfd, const char *path, char *buf, size_t len);
int vfiox__read_attr_long(int dirfd, const char *path, int base, long *val);
int vfiox__read_link_name(int dirfd, const char *path, char *buf, size_t len);
/* Calls @fn for each entry name of directory @path (relative to @dirfd) but "." and "..". */
int vfiox__for_each_dirent(int dirfd, const char *path, int (*fn)(void *arg, const char *name),
			   void *arg);

/* pcilib.c: the libpci side. */
int vfiox__pci_access(struct vfiox_ctx *ctx, struct pci_access **accp);
void vfiox__pci_release(struct vfiox_ctx *ctx);
int vfiox__pci_read_config(struct vfiox_pci_dev *dev, uint8_t *buf, size_t len);
char *vfiox__pci_lookup(struct vfiox_ctx *ctx, int what, unsigned a1, unsigned a2, unsigned a3,
			unsigned a4);

/* caps.c: pure parsing of config space (fuzzed). */
int vfiox__parse_caps(const uint8_t *cfg, size_t len, struct vfiox_pci_cap **capsp,
		      size_t *countp, char *why, size_t whylen);

/* scan.c: parses a device's uevent text (modified in place); returns the VFIOX_UEVENT_* found. */
enum {
	VFIOX_UEVENT_ID = 1,
	VFIOX_UEVENT_SUBSYS = 2,
	VFIOX_UEVENT_CLASS = 4,
	VFIOX_UEVENT_DRIVER = 8,
};
int vfiox__parse_uevent(struct vfiox_pci_dev *dev, char *text);

/*
 * vfio-info.c: the one walker for VFIO capability chains and the decoders of the
 * kernel's info replies. Pure functions over a buffer (fuzzed): @len is how many bytes
 * of the reply are valid. They return 0, -EPROTO with the reason in @why, or -ENOMEM.
 */
struct vfiox_cap_view {
	uint16_t id;
	uint16_t version;
	uint32_t offset;     /* of the header within the reply */
	const uint8_t *data; /* the header */
	size_t len;          /* bytes from the header to the next capability or the end */
};
typedef int (*vfiox_cap_fn)(void *arg, const struct vfiox_cap_view *cap, char *why,
			    size_t whylen);
int vfiox__walk_info_caps(const uint8_t *buf, size_t len, size_t fixed, uint32_t first,
			  vfiox_cap_fn fn, void *arg, char *why, size_t whylen);
int vfiox__parse_region_info(const uint8_t *buf, size_t len, struct vfiox_region *r, char *why,
			     size_t whylen);
int vfiox__parse_iommu_info(const uint8_t *buf, size_t len, struct vfiox_iommu_info *info,
			    char *why, size_t whylen);
int vfiox__parse_device_info(const uint8_t *buf, size_t len, struct vfiox_device_info *info,
			     char *why, size_t whylen);
const char *vfiox__region_name(uint32_t index, bool has_type, uint32_t type, uint32_t subtype);
const char *vfiox__irq_name(uint32_t index);

/* bar.c: the layout of a BAR, a pure function (unit-tested on every hole arrangement). */
struct vfiox_bar_hole {
	uint64_t start, end; /* [start, end); empty when end <= start */
};
struct vfiox_bar_geometry {
	uint64_t size;
	uint64_t page_size;
	bool mmappable;                         /* region flag MMAP */
	bool has_sparse;                        /* only these areas may be mapped */
	const struct vfiox_sparse_area *sparse;
	size_t num_sparse;
	struct vfiox_bar_hole table, pba;       /* MSI-X structures in this BAR */
	unsigned int flags;                     /* VFIOX_BAR_* */
};
int vfiox__bar_layout(const struct vfiox_bar_geometry *g, struct vfiox_bar_segment **segsp,
		      size_t *nsegsp);

/* irq.c: forgets the interrupt state kept for @d; vfiox_device_close() calls it. */
void vfiox__irq_release(struct vfiox_device *d);

/* names.c */
void vfiox__names_free(struct vfiox_scan *scan);

/* monitor.c: decodes one uevent, "KEY=VALUE" entries separated by NUL (fuzzed): 1 with
 * @ev filled, 0 for an event of no interest, -EBADMSG for a malformed one. */
struct vfiox_event;
int vfiox__uevent_decode(const char *buf, size_t len, struct vfiox_event *ev);

/* vfnet.c: the network interface of PCI device @dev: its name and ifindex; -ENODEV when
 * it has none (the last error says so). */
int vfiox__pci_netdev(struct vfiox_ctx *ctx, const char *dev, char *name, size_t len,
		      int *ifindex);

/* handover.c: vfiox_bundle_listen_fds() with the fds from @base on (3; unit tests their own). */
int vfiox__bundle_listen_at(struct vfiox_ctx *ctx, int base, unsigned int flags,
			    struct vfiox_bundle **bp);

/* util */
/* Unaligned native-endian reads of kernel and peer structs (the fields VFIO defines). */
static inline uint16_t vfiox__get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t vfiox__get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t vfiox__get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}
char *vfiox__strdup(const char *s);

/* grant.c: writes @path whole or not at all (temp file, fsync, rename). 0 or -errno. */
int vfiox__write_atomic(const char *path, const char *text, size_t len, mode_t mode);

/*
 * udev-wait.c. vfiox__udevd_runs: udevd's control socket exists (@ctx NULL: /run/udev's;
 * otherwise the one for @ctx's device tree, none for a tree other than /dev).
 * vfiox__wait_udev_node: where udevd runs, wait until it has finished with @node (recorded
 * it after creating or changing it); at once when no udevd runs. 0 or -errno (-ETIMEDOUT).
 */
bool vfiox__udevd_runs(const struct vfiox_ctx *ctx);
int vfiox__wait_udev_node(struct vfiox_ctx *ctx, const char *node, int timeout_ms);
/* After a rule under /etc/udev changed: where udevd runs, make it read its rules again. */
void vfiox__udev_reload(struct vfiox_ctx *ctx);

#endif /* VFIOX_INTERNAL_H */
