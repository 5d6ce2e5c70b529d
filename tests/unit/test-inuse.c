// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * "Is the device in use by the host?" (libvfiox/inuse.c) on fake trees: a fixture sysfs
 * with the class links the kernel makes (class/net, class/block with partitions and
 * holders, class/nvme-subsystem, class/vtconsole, class/graphics), a fake /proc
 * (self/mountinfo, swaps) and a fake /dev. The rtnetlink answers come from a substitute
 * for vfiox__netdev_facts() (linked with WRAP_test-inuse), which records what it was
 * asked; vfiox_sys_openat() is wrapped too, to count how often each source is read.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <vfiox/inuse.h>

#include "testutil.h"
#include "host-private.h"

#define VGA "0000:00:01.0"
#define NVME "0000:00:04.0"
#define NIC "0000:00:06.0"
#define NIC2 "0000:00:07.0"

int __wrap_vfiox__netdev_facts(struct vfiox_ctx *ctx, struct vfiox_netdev_cache **cachep,
			       int ifindex, const char *name, struct vfiox_netdev_facts *facts);
int __real_vfiox__netdev_facts(struct vfiox_ctx *ctx, struct vfiox_netdev_cache **cachep,
			       int ifindex, const char *name, struct vfiox_netdev_facts *facts);
int __real_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
int __wrap_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);

/* ------------------------------------------------------------------ files opened */

/* How often each file the probe reads once per call was opened (WRAP_test-inuse). */
static struct {
	unsigned mountinfo, swaps, class_net, class_block;
} opened;

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n >= k && !strcmp(s + n - k, tail);
}

int __wrap_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	opened.mountinfo += ends_with(path, "/self/mountinfo");
	opened.swaps += ends_with(path, "/swaps");
	opened.class_net += ends_with(path, "/class/net");
	opened.class_block += ends_with(path, "/class/block");
	return __real_vfiox_sys_openat(dirfd, path, flags, mode);
}

/* ------------------------------------------------------------------ the fake rtnetlink */

static struct {
	int ret;
	bool up;
	const char *addrs, *routes;
	unsigned calls;
	int ifindex[8];
	char names[8][32];
} nl;

int __wrap_vfiox__netdev_facts(struct vfiox_ctx *ctx, struct vfiox_netdev_cache **cachep,
			       int ifindex, const char *name, struct vfiox_netdev_facts *facts)
{
	(void)ctx;
	assert_null(*cachep); /* this substitute never makes one */
	memset(facts, 0, sizeof(*facts));
	if (nl.calls < 8) {
		nl.ifindex[nl.calls] = ifindex;
		snprintf(nl.names[nl.calls], sizeof(nl.names[0]), "%s", name);
	}
	nl.calls++;
	if (nl.ret)
		return nl.ret;
	facts->up = nl.up;
	facts->addrs = nl.addrs ? strdup(nl.addrs) : NULL;
	facts->routes = nl.routes ? strdup(nl.routes) : NULL;
	return 0;
}

/* ------------------------------------------------------------------ tree builders */

/* Symlink @rel -> @target, both as the kernel spells them (relative to the root). */
static void link_rel(struct env *e, const char *rel, const char *target)
{
	char path[4096], dir[4096], *slash;

	snprintf(path, sizeof(path), "%s/%s", fx_root(e->fx), rel);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	env_mkdirs(dir);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

/* "devices/pci0000:00/0000:00:06.0": the device dir relative to the root. */
static void dev_rel(struct env *e, const char *addr, char *buf, size_t len)
{
	char abs[4096];

	FX(e, fx_dev_path(e->fx, addr, NULL, abs, sizeof(abs)));
	snprintf(buf, len, "%s", abs + strlen(fx_root(e->fx)) + 1);
}

/* A network interface below @addr, as class/net/@name with its ifindex. */
static void add_netdev(struct env *e, const char *addr, const char *name, int ifindex)
{
	char d[1024], rel[2048], target[2048], num[16];

	dev_rel(e, addr, d, sizeof(d));
	snprintf(rel, sizeof(rel), "%s/net/%s/ifindex", d, name);
	snprintf(num, sizeof(num), "%d\n", ifindex);
	env_put(e, rel, num);
	snprintf(rel, sizeof(rel), "class/net/%s", name);
	snprintf(target, sizeof(target), "../../%s/net/%s", d, name);
	link_rel(e, rel, target);
}

/* A block device at @dir (relative to the root) named @name with number @majmin. */
static void add_block_at(struct env *e, const char *dir, const char *name, const char *majmin)
{
	char rel[2048], target[2048], text[64];

	snprintf(rel, sizeof(rel), "%s/%s/dev", dir, name);
	snprintf(text, sizeof(text), "%s\n", majmin);
	env_put(e, rel, text);
	snprintf(target, sizeof(target), "%s/%s/%s/holders", fx_root(e->fx), dir, name);
	env_mkdirs(target);
	snprintf(rel, sizeof(rel), "class/block/%s", name);
	snprintf(target, sizeof(target), "../../%s/%s", dir, name);
	link_rel(e, rel, target);
}

/* NVMe controller nvme0 of @addr with namespace nvme0n1 (259:0) and partitions p1..p3. */
static void add_nvme_disk(struct env *e, const char *addr)
{
	char d[512], ctrl[1024], disk[2048];

	dev_rel(e, addr, d, sizeof(d));
	snprintf(ctrl, sizeof(ctrl), "%s/nvme/nvme0", d);
	add_block_at(e, ctrl, "nvme0n1", "259:0");
	snprintf(disk, sizeof(disk), "%s/nvme0n1", ctrl);
	add_block_at(e, disk, "nvme0n1p1", "259:1");
	add_block_at(e, disk, "nvme0n1p2", "259:2");
	add_block_at(e, disk, "nvme0n1p3", "259:3");
}

/* @holder (a dm device under devices/virtual/block) built on @below. */
static void add_holder(struct env *e, const char *below, const char *holder, const char *majmin)
{
	char rel[2048], target[2048];

	add_block_at(e, "devices/virtual/block", holder, majmin);
	snprintf(rel, sizeof(rel), "class/block/%s/holders/%s", below, holder);
	snprintf(target, sizeof(target), "../../../../../../../virtual/block/%s", holder);
	/* the target only has to exist for ls; the library reads the entry names */
	link_rel(e, rel, target);
}

static void proc_file(struct env *e, const char *name, const char *text)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "_proc/%s", name);
	env_put(e, rel, text);
}

#define SWAPS_HEADER "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
#define MOUNTS_BASE                                                                         \
	"1 1 0:2 / / rw - rootfs rootfs rw\n"                                              \
	"23 1 0:21 / /proc rw,relatime - proc proc rw\n"                                   \
	"24 1 0:22 / /sys rw,relatime - sysfs sysfs rw\n"

/* base scenario + a NIC (e1000e) and a second NIC; empty proc; ctx roots pointed there. */
static struct env *setup(void)
{
	struct env *e = env_scenario("base");
	char root[4096];

	FX(e, fx_add_dev(e->fx, &(struct fx_dev){ .addr = NIC, .vendor = 0x8086,
						   .device = 0x10d3, .class_code = 0x020000,
						   .driver = "e1000e", .group = 6 }));
	FX(e, fx_add_dev(e->fx, &(struct fx_dev){ .addr = NIC2, .vendor = 0x8086,
						   .device = 0x10d3, .class_code = 0x020000,
						   .driver = "e1000e", .group = 7 }));
	proc_file(e, "self/mountinfo", MOUNTS_BASE);
	proc_file(e, "swaps", SWAPS_HEADER);
	snprintf(root, sizeof(root), "%s/_dev", fx_root(e->fx));
	env_mkdirs(root);
	env_scan(e);
	snprintf(root, sizeof(root), "%s/_proc", fx_root(e->fx));
	assert_int_equal(vfiox_ctx_set_proc_root(e->ctx, root), 0);
	snprintf(root, sizeof(root), "%s/_dev", fx_root(e->fx));
	assert_int_equal(vfiox_ctx_set_dev_root(e->ctx, root), 0);
	memset(&nl, 0, sizeof(nl));
	return e;
}

static struct vfiox_uses *uses_of(struct env *e, const char *addr)
{
	struct vfiox_uses *u = NULL;
	int ret = vfiox_pci_dev_uses(env_dev(e, addr), &u);

	if (ret)
		fail_msg("vfiox_pci_dev_uses(%s) = %d: %s", addr, ret, vfiox_ctx_last_error(e->ctx));
	assert_non_null(u);
	return u;
}

#define assert_contains(s, sub)                                                             \
	do {                                                                                \
		const char *s__ = (s);                                                      \
		if (!s__ || !strstr(s__, (sub)))                                            \
			fail_msg("%s = \"%s\" does not contain \"%s\"", #s,                 \
				 s__ ? s__ : "(null)", (sub));                              \
	} while (0)

/* ------------------------------------------------------------------ network interfaces */

static void test_netdev_up_with_address_and_routes_is_in_use(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;

	add_netdev(e, NIC, "eth0", 2);
	nl.up = true;
	nl.addrs = "10.0.2.15/24";
	nl.routes = "default via 10.0.2.2, 10.0.2.0/24";
	u = uses_of(e, NIC);
	assert_int_equal(nl.calls, 1);
	assert_int_equal(nl.ifindex[0], 2);
	assert_string_equal(nl.names[0], "eth0");
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_string_equal(vfiox_uses_kind(u, 0), "netdev");
	assert_string_equal(vfiox_uses_what(u, 0), "eth0");
	assert_string_equal(vfiox_uses_dev(u, 0), NIC);
	assert_contains(vfiox_uses_reason(u, 0), "eth0 of " NIC " is up, has addresses "
			"10.0.2.15/24 and routes default via 10.0.2.2, 10.0.2.0/24");
	assert_contains(vfiox_uses_fix(u, 0), "ip addr flush dev eth0 && ip link set dev eth0 down");
	vfiox_uses_free(u);
	env_free(e);
}

static void test_netdev_down_without_addresses_is_not_in_use(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;

	add_netdev(e, NIC, "eth0", 2);
	u = uses_of(e, NIC);
	assert_int_equal(nl.calls, 1); /* it was found and asked about */
	assert_int_equal(vfiox_uses_count(u), 0);
	vfiox_uses_free(u);
	env_free(e);
}

static void test_netdev_each_of_up_addresses_routes_alone_is_in_use(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;

	add_netdev(e, NIC, "eth0", 2);
	nl.addrs = "192.168.1.5/24";
	u = uses_of(e, NIC);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_contains(vfiox_uses_reason(u, 0), "is down and has addresses 192.168.1.5/24");
	vfiox_uses_free(u);

	nl.addrs = NULL;
	nl.routes = "10.9.0.0/16 via 10.0.2.1";
	u = uses_of(e, NIC);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_contains(vfiox_uses_reason(u, 0), "is down and has routes 10.9.0.0/16 via 10.0.2.1");
	vfiox_uses_free(u);

	nl.routes = NULL;
	nl.up = true;
	u = uses_of(e, NIC);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_contains(vfiox_uses_reason(u, 0), "eth0 of " NIC " is up;");
	vfiox_uses_free(u);
	env_free(e);
}

static void test_netdev_of_other_devices_and_virtual_ones_are_not_asked(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;

	add_netdev(e, NIC2, "eth1", 3);
	link_rel(e, "class/net/lo", "../../devices/virtual/net/lo");
	env_put(e, "devices/virtual/net/lo/ifindex", "1\n");
	nl.up = true;
	nl.addrs = "127.0.0.1/8";
	u = uses_of(e, NIC);
	assert_int_equal(nl.calls, 0);
	assert_int_equal(vfiox_uses_count(u), 0);
	vfiox_uses_free(u);
	u = uses_of(e, NIC2);
	assert_int_equal(nl.calls, 1);
	assert_int_equal(nl.ifindex[0], 3);
	assert_int_equal(vfiox_uses_count(u), 1);
	vfiox_uses_free(u);
	env_free(e);
}

static void test_netdev_query_failure_fails_the_check(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u = (struct vfiox_uses *)1;

	add_netdev(e, NIC, "eth0", 2);
	nl.ret = -EPERM;
	assert_int_equal(vfiox_pci_dev_uses(env_dev(e, NIC), &u), -EPERM);
	assert_null(u);
	env_free(e);
}

static void test_netdev_in_another_namespace_is_not_in_use(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;

	add_netdev(e, NIC, "eth0", 2);
	nl.ret = -ENODEV;
	u = uses_of(e, NIC);
	assert_int_equal(vfiox_uses_count(u), 0);
	vfiox_uses_free(u);
	env_free(e);
}

static void test_netdev_without_ifindex_is_warned_and_skipped(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;
	char d[1024], rel[2048];

	add_netdev(e, NIC, "eth0", 2);
	dev_rel(e, NIC, d, sizeof(d));
	snprintf(rel, sizeof(rel), "%s/net/eth0/ifindex", d);
	env_put(e, rel, "garbage\n");
	u = uses_of(e, NIC);
	assert_int_equal(nl.calls, 0);
	assert_int_equal(vfiox_uses_count(u), 0);
	assert_true(env_warned(e, "eth0", "ifindex"));
	vfiox_uses_free(u);
	env_free(e);
}

/*
 * The real rtnetlink side, on this host's loopback interface: one cache serves every
 * interface asked about (the host's address and route dumps are taken once), and its
 * answers are those of a fresh query. Skipped where rtnetlink cannot be asked.
 */
static void test_netdev_facts_share_one_cache(void **state)
{
	struct env *e = setup();
	struct vfiox_netdev_cache *cache = NULL, *first, *fresh = NULL;
	struct vfiox_netdev_facts a, b;

	if (__real_vfiox__netdev_facts(e->ctx, &cache, 1, "lo", &a)) {
		vfiox__netdev_cache_free(cache);
		env_free(e);
		skip();
	}
	first = cache;
	assert_non_null(first);
	assert_int_equal(__real_vfiox__netdev_facts(e->ctx, &cache, 0x7ffffff0, "none", &b),
			 -ENODEV);
	assert_ptr_equal(cache, first);
	assert_int_equal(__real_vfiox__netdev_facts(e->ctx, &cache, 1, "lo", &b), 0);
	assert_ptr_equal(cache, first);
	assert_int_equal(a.up, b.up);
	assert_string_equal(a.addrs ? a.addrs : "-", b.addrs ? b.addrs : "-");
	assert_string_equal(a.routes ? a.routes : "-", b.routes ? b.routes : "-");
	vfiox__netdev_facts_release(&b);
	assert_int_equal(__real_vfiox__netdev_facts(e->ctx, &fresh, 1, "lo", &b), 0);
	assert_ptr_not_equal(fresh, first);
	assert_string_equal(a.addrs ? a.addrs : "-", b.addrs ? b.addrs : "-");
	vfiox__netdev_facts_release(&a);
	vfiox__netdev_facts_release(&b);
	vfiox__netdev_cache_free(fresh);
	vfiox__netdev_cache_free(cache);
	env_free(e);
}

/* ------------------------------------------------------------------ storage */

static void test_mounted_partition_is_in_use_by_device_number(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;

	add_nvme_disk(e, NVME);
	proc_file(e, "self/mountinfo", MOUNTS_BASE
		  "40 1 259:1 / /mnt/data rw,relatime shared:5 - ext4 /dev/nvme0n1p1 rw\n");
	u = uses_of(e, NVME);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_string_equal(vfiox_uses_kind(u, 0), "mount");
	assert_string_equal(vfiox_uses_what(u, 0), "/dev/nvme0n1p1 on /mnt/data");
	assert_contains(vfiox_uses_reason(u, 0), "/dev/nvme0n1p1, a disk of " NVME ", is mounted "
			"on /mnt/data (ext4)");
	assert_contains(vfiox_uses_fix(u, 0), "umount /mnt/data");
	vfiox_uses_free(u);
	/* the same tree, nothing mounted from it: the NIC and the VGA device are not touched */
	u = uses_of(e, NIC);
	assert_int_equal(vfiox_uses_count(u), 0);
	vfiox_uses_free(u);
	env_free(e);
}

static void test_mount_with_anonymous_device_number_matches_by_source(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;

	add_nvme_disk(e, NVME);
	/* btrfs reports an anonymous 0:N; the source names the partition; \040 is a space */
	proc_file(e, "self/mountinfo", MOUNTS_BASE
		  "41 1 0:45 / /srv/my\\040disk rw - btrfs /dev/nvme0n1p2 rw\n"
		  "42 1 0:46 / /other rw - btrfs /dev/sdz1 rw\n");
	u = uses_of(e, NVME);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_string_equal(vfiox_uses_what(u, 0), "/dev/nvme0n1p2 on /srv/my disk");
	assert_contains(vfiox_uses_fix(u, 0), "umount '/srv/my disk'");
	vfiox_uses_free(u);
	env_free(e);
}

/* The fix names the whole mount point, quoted, however long (it used to be cut at 1 KiB). */
static void test_long_mount_point_is_quoted_whole_in_the_fix(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;
	char mp[1601], line[2048], want[2048];

	add_nvme_disk(e, NVME);
	memset(mp, 'a', sizeof(mp) - 1);
	mp[0] = '/';
	memcpy(mp + 1500, "it's\\040end", 11); /* "it's end", the space escaped */
	mp[sizeof(mp) - 1] = '\0';
	snprintf(line, sizeof(line), MOUNTS_BASE "40 1 259:1 / %s rw - ext4 /dev/nvme0n1p1 rw\n",
		 mp);
	proc_file(e, "self/mountinfo", line);
	u = uses_of(e, NVME);
	assert_int_equal(vfiox_uses_count(u), 1);
	mp[1500] = '\0';
	snprintf(want, sizeof(want), "umount '%sit'\\''s end%s' (and", mp, mp + 1511);
	assert_contains(vfiox_uses_fix(u, 0), want);
	vfiox_uses_free(u);
	env_free(e);
}

static void test_swap_on_partition_is_in_use(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;

	add_nvme_disk(e, NVME);
	proc_file(e, "swaps", SWAPS_HEADER
		  "/dev/nvme0n1p3                          partition\t1048572\t\t0\t\t-2\n"
		  "/swapfile                               file\t\t1048572\t\t0\t\t-3\n");
	u = uses_of(e, NVME);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_string_equal(vfiox_uses_kind(u, 0), "swap");
	assert_string_equal(vfiox_uses_what(u, 0), "/dev/nvme0n1p3 (swap)");
	assert_contains(vfiox_uses_reason(u, 0), "in use as swap");
	assert_contains(vfiox_uses_fix(u, 0), "swapoff /dev/nvme0n1p3");
	vfiox_uses_free(u);
	env_free(e);
}

static void test_whole_disk_swap_and_mount_are_two_findings(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;

	add_nvme_disk(e, NVME);
	proc_file(e, "swaps", SWAPS_HEADER "/dev/nvme0n1 partition 16380 0 -2\n");
	proc_file(e, "self/mountinfo", MOUNTS_BASE "40 1 259:1 / /boot rw - vfat /dev/nvme0n1p1 rw\n");
	u = uses_of(e, NVME);
	assert_int_equal(vfiox_uses_count(u), 2);
	assert_string_equal(vfiox_uses_kind(u, 0), "mount");
	assert_string_equal(vfiox_uses_kind(u, 1), "swap");
	assert_string_equal(vfiox_uses_what(u, 1), "/dev/nvme0n1 (swap)");
	vfiox_uses_free(u);
	env_free(e);
}

static void test_mount_through_device_mapper_names_the_disk_below(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;

	add_nvme_disk(e, NVME);
	add_holder(e, "nvme0n1p3", "dm-0", "254:0");
	proc_file(e, "self/mountinfo", MOUNTS_BASE
		  "50 1 254:0 / /home rw - xfs /dev/mapper/vg-home rw\n");
	u = uses_of(e, NVME);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_string_equal(vfiox_uses_kind(u, 0), "mount");
	assert_string_equal(vfiox_uses_what(u, 0), "/dev/mapper/vg-home on /home");
	assert_contains(vfiox_uses_reason(u, 0), "/dev/mapper/vg-home (built on nvme0n1p3)");
	vfiox_uses_free(u);
	env_free(e);
}

static void test_unused_stacked_device_is_a_holder_finding(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;

	add_nvme_disk(e, NVME);
	add_holder(e, "nvme0n1p2", "md0", "9:0");
	add_holder(e, "md0", "dm-1", "254:1"); /* dm on md on the partition */
	u = uses_of(e, NVME);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_string_equal(vfiox_uses_kind(u, 0), "holder");
	assert_string_equal(vfiox_uses_what(u, 0), "/dev/dm-1");
	assert_contains(vfiox_uses_reason(u, 0), "(built on nvme0n1p2)");
	assert_contains(vfiox_uses_fix(u, 0), "stop dm-1");
	vfiox_uses_free(u);
	/* once the top is mounted the finding is the mount, not the holder */
	proc_file(e, "self/mountinfo", MOUNTS_BASE "50 1 254:1 / /var rw - ext4 /dev/dm-1 rw\n");
	u = uses_of(e, NVME);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_string_equal(vfiox_uses_kind(u, 0), "mount");
	vfiox_uses_free(u);
	env_free(e);
}

static void test_nvme_multipath_head_disk_counts_for_its_controller(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;
	char d[1024], target[2048];

	dev_rel(e, NVME, d, sizeof(d));
	add_block_at(e, "devices/virtual/nvme-subsystem/nvme-subsys0", "nvme0n1", "259:0");
	link_rel(e, "class/nvme-subsystem/nvme-subsys0",
		 "../../devices/virtual/nvme-subsystem/nvme-subsys0");
	snprintf(target, sizeof(target), "../../../%s/nvme/nvme0", d + strlen("devices/"));
	link_rel(e, "devices/virtual/nvme-subsystem/nvme-subsys0/nvme0", target);
	proc_file(e, "swaps", SWAPS_HEADER "/dev/nvme0n1 partition 16380 0 -2\n");
	u = uses_of(e, NVME);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_string_equal(vfiox_uses_kind(u, 0), "swap");
	vfiox_uses_free(u);
	/* a subsystem whose controller is elsewhere is not ours */
	u = uses_of(e, NIC);
	assert_int_equal(vfiox_uses_count(u), 0);
	vfiox_uses_free(u);
	env_free(e);
}

static void test_swap_named_by_another_node_matches_by_device_number(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;
	char node[4096];

	add_nvme_disk(e, NVME);
	snprintf(node, sizeof(node), "%s/_dev/mapper", fx_root(e->fx));
	env_mkdirs(node);
	strcat(node, "/swapvol");
	if (mknod(node, S_IFBLK | 0600, makedev(259, 2))) {
		env_free(e);
		skip(); /* no CAP_MKNOD here */
	}
	proc_file(e, "swaps", SWAPS_HEADER "/dev/mapper/swapvol partition 16380 0 -2\n");
	u = uses_of(e, NVME);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_contains(vfiox_uses_reason(u, 0), "/dev/mapper/swapvol");
	vfiox_uses_free(u);
	env_free(e);
}

static void test_unreadable_mountinfo_fails_with_the_path(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u = (struct vfiox_uses *)1;
	char path[4096];

	add_nvme_disk(e, NVME);
	snprintf(path, sizeof(path), "%s/_proc/self/mountinfo", fx_root(e->fx));
	unlink(path);
	assert_int_equal(vfiox_pci_dev_uses(env_dev(e, NVME), &u), -ENOENT);
	assert_null(u);
	assert_contains(vfiox_ctx_last_error(e->ctx), "self/mountinfo");
	/* a device without block devices does not need it */
	u = uses_of(e, NIC);
	assert_int_equal(vfiox_uses_count(u), 0);
	vfiox_uses_free(u);
	env_free(e);
}

/* ------------------------------------------------------------------ console */

static void vtcon(struct env *e, const char *name, const char *text, int bind)
{
	char rel[256], target[256], b[8];

	snprintf(rel, sizeof(rel), "devices/virtual/vtconsole/%s/name", name);
	env_put(e, rel, text);
	snprintf(rel, sizeof(rel), "devices/virtual/vtconsole/%s/bind", name);
	snprintf(b, sizeof(b), "%d\n", bind);
	env_put(e, rel, b);
	snprintf(rel, sizeof(rel), "class/vtconsole/%s", name);
	snprintf(target, sizeof(target), "../../devices/virtual/vtconsole/%s", name);
	link_rel(e, rel, target);
}

static void test_boot_vga_under_vgacon_is_in_use(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;

	vtcon(e, "vtcon0", "(S) dummy device\n", 0);
	vtcon(e, "vtcon1", "(S) VGA+\n", 1);
	u = uses_of(e, VGA);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_string_equal(vfiox_uses_kind(u, 0), "console");
	assert_string_equal(vfiox_uses_what(u, 0), "VGA text console (vgacon, vtcon1)");
	assert_contains(vfiox_uses_reason(u, 0), VGA " is the boot VGA device");
	assert_contains(vfiox_uses_fix(u, 0), "echo 0 > /sys/class/vtconsole/vtcon1/bind");
	vfiox_uses_free(u);
	/* unbound, the console is no use */
	vtcon(e, "vtcon1", "(S) VGA+\n", 0);
	u = uses_of(e, VGA);
	assert_int_equal(vfiox_uses_count(u), 0);
	vfiox_uses_free(u);
	env_free(e);
}

/*
 * A sysfs root of 1 KiB (here the same tree spelt with "/." 500 times): every path is still
 * whole, so the console is found; a cut path used to read as "no console bound".
 */
static void test_long_sysfs_root_still_finds_the_console(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;
	char root[4096];
	size_t n;
	int i;

	vtcon(e, "vtcon1", "(S) VGA+\n", 1);
	n = (size_t)snprintf(root, sizeof(root), "%s", fx_root(e->fx));
	for (i = 0; i < 500; i++)
		n += (size_t)snprintf(root + n, sizeof(root) - n, "/.");
	assert_int_equal(vfiox_ctx_set_sysfs_root(e->ctx, root), 0);
	u = uses_of(e, VGA);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_string_equal(vfiox_uses_what(u, 0), "VGA text console (vgacon, vtcon1)");
	vfiox_uses_free(u);
	/* a root too long for any path is an error, not "nothing in use" */
	for (i = 0; i < 600; i++)
		n += (size_t)snprintf(root + n, sizeof(root) - n, "/.");
	assert_int_equal(vfiox_ctx_set_sysfs_root(e->ctx, root), 0);
	u = (struct vfiox_uses *)1;
	assert_int_equal(vfiox_pci_dev_uses(env_dev(e, VGA), &u), -ENAMETOOLONG);
	assert_null(u);
	env_free(e);
}

static void test_vgacon_does_not_hold_a_vga_device_that_did_not_boot(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;

	FX(e, fx_write_attr(e->fx, VGA, "boot_vga", "0\n"));
	env_scan(e);
	vtcon(e, "vtcon0", "(S) VGA+\n", 1);
	u = uses_of(e, VGA);
	assert_int_equal(vfiox_uses_count(u), 0);
	vfiox_uses_free(u);
	env_free(e);
}

static void test_fbcon_on_the_device_framebuffer_is_in_use(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;
	char d[1024], target[2048];

	FX(e, fx_write_attr(e->fx, VGA, "boot_vga", "0\n")); /* a second GPU, DRM driver */
	env_scan(e);
	dev_rel(e, VGA, d, sizeof(d));
	vtcon(e, "vtcon1", "(M) frame buffer device\n", 1);
	snprintf(target, sizeof(target), "../../%s/graphics/fb0", d);
	link_rel(e, "class/graphics/fb0", target);
	snprintf(target, sizeof(target), "%s/graphics/fb0/name", d);
	env_put(e, target, "bochs-drmdrmfb\n");
	snprintf(target, sizeof(target), "%s/graphics/fb0/device", d);
	link_rel(e, target, "../../../0000:00:01.0");
	link_rel(e, "class/graphics/fbcon", "../../devices/virtual/graphics/fbcon");
	u = uses_of(e, VGA);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_string_equal(vfiox_uses_what(u, 0), "fbcon on fb0 (bochs-drmdrmfb)");
	assert_contains(vfiox_uses_fix(u, 0), "vtcon1/bind");
	vfiox_uses_free(u);
	env_free(e);
}

static void test_firmware_framebuffer_on_boot_vga_is_in_use(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u;

	env_put(e, "devices/platform/efi-framebuffer.0/graphics/fb0/name", "EFI VGA\n");
	link_rel(e, "devices/platform/efi-framebuffer.0/graphics/fb0/device",
		 "../../../efi-framebuffer.0");
	link_rel(e, "class/graphics/fb0", "../../devices/platform/efi-framebuffer.0/graphics/fb0");
	u = uses_of(e, VGA);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_string_equal(vfiox_uses_what(u, 0), "fb0 (EFI VGA, firmware framebuffer)");
	assert_contains(vfiox_uses_fix(u, 0), "efifb:off");
	vfiox_uses_free(u);
	vtcon(e, "vtcon1", "(M) frame buffer device\n", 1);
	u = uses_of(e, VGA);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_string_equal(vfiox_uses_what(u, 0), "fbcon on fb0 (EFI VGA)");
	vfiox_uses_free(u);
	/* the NVMe controller is no display: never a console finding */
	u = uses_of(e, NVME);
	assert_int_equal(vfiox_uses_count(u), 0);
	vfiox_uses_free(u);
	env_free(e);
}

/* ------------------------------------------------------------------ groups, API edges */

static void test_group_uses_names_the_member(void **state)
{
	struct env *e = env_scenario("bridge-group");
	struct vfiox_uses *u = NULL;
	char root[4096], d[1024], rel[2048], target[2048];

	proc_file(e, "self/mountinfo", MOUNTS_BASE);
	proc_file(e, "swaps", SWAPS_HEADER);
	env_scan(e);
	snprintf(root, sizeof(root), "%s/_proc", fx_root(e->fx));
	assert_int_equal(vfiox_ctx_set_proc_root(e->ctx, root), 0);
	memset(&nl, 0, sizeof(nl));
	dev_rel(e, "0000:05:01.0", d, sizeof(d));
	snprintf(rel, sizeof(rel), "%s/net/enp5s1/ifindex", d);
	env_put(e, rel, "4\n");
	snprintf(target, sizeof(target), "../../%s/net/enp5s1", d);
	link_rel(e, "class/net/enp5s1", target);
	nl.up = true;
	assert_int_equal(vfiox_group_uses(env_group(e, 5), &u), 0);
	assert_int_equal(vfiox_uses_count(u), 1);
	assert_string_equal(vfiox_uses_dev(u, 0), "0000:05:01.0");
	assert_string_equal(vfiox_uses_what(u, 0), "enp5s1");
	vfiox_uses_free(u);

	/* a disk of 05:00.0 mounted: its finding comes first (member order, not kind order) */
	dev_rel(e, "0000:05:00.0", d, sizeof(d));
	snprintf(rel, sizeof(rel), "%s/host0/block", d);
	add_block_at(e, rel, "sdb", "8:16");
	proc_file(e, "self/mountinfo", MOUNTS_BASE "40 1 8:16 / /data rw - ext4 /dev/sdb rw\n");
	memset(&opened, 0, sizeof(opened));
	assert_int_equal(vfiox_group_uses(env_group(e, 5), &u), 0);
	assert_int_equal(vfiox_uses_count(u), 2);
	assert_string_equal(vfiox_uses_dev(u, 0), "0000:05:00.0");
	assert_string_equal(vfiox_uses_kind(u, 0), "mount");
	assert_string_equal(vfiox_uses_dev(u, 1), "0000:05:01.0");
	assert_string_equal(vfiox_uses_kind(u, 1), "netdev");
	/* the three members are probed together: each source is read once, not three times */
	assert_int_equal(opened.class_net, 1);
	assert_int_equal(opened.class_block, 1);
	assert_int_equal(opened.mountinfo, 1);
	assert_int_equal(opened.swaps, 1);
	vfiox_uses_free(u);
	env_free(e);
}

static void test_getters_out_of_range_and_null(void **state)
{
	struct env *e = setup();
	struct vfiox_uses *u = uses_of(e, NIC);

	assert_int_equal(vfiox_uses_count(u), 0);
	assert_null(vfiox_uses_kind(u, 0));
	assert_null(vfiox_uses_what(u, 0));
	assert_null(vfiox_uses_reason(u, 0));
	assert_null(vfiox_uses_fix(u, 0));
	assert_null(vfiox_uses_dev(u, 0));
	assert_int_equal(vfiox_uses_count(NULL), 0);
	vfiox_uses_free(u);
	vfiox_uses_free(NULL);
	env_free(e);
}

/* ------------------------------------------------------------------ parsers */

struct seen {
	char buf[1024];
};

static int note_mount(void *arg, const char *majmin, const char *mp, const char *src,
		      const char *fstype)
{
	struct seen *s = arg;
	size_t n = strlen(s->buf);

	snprintf(s->buf + n, sizeof(s->buf) - n, "[%s|%s|%s|%s]", majmin, mp, src, fstype);
	return 0;
}

static int note_swap(void *arg, const char *path)
{
	struct seen *s = arg;
	size_t n = strlen(s->buf);

	snprintf(s->buf + n, sizeof(s->buf) - n, "[%s]", path);
	return 0;
}

static void test_mountinfo_parser_skips_malformed_lines(void **state)
{
	char text[] = "garbage\n"
		      "1 2 3\n"
		      "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw\n"
		      "37 35 98:1 / /no/separator rw shared:1 ext3 /dev/x rw\n"
		      "38 35 98:2 / /no/source rw - ext3\n"
		      "39 35 nonum / /x rw - ext3 /dev/y rw\n"
		      "40 35 8:1 / /a\\134b\\011c rw a:1 b:2 - vfat /dev/sd\\040a1 rw\n"
		      "41 35 8:2 / /trailing\\04 rw - ext4 /dev/sda2 rw";
	struct seen s = { "" };

	assert_int_equal(vfiox__parse_mountinfo(text, note_mount, &s), 0);
	assert_string_equal(s.buf, "[98:0|/mnt2|/dev/root|ext3]"
				   "[8:1|/a\\b\tc|/dev/sd a1|vfat]"
				   "[8:2|/trailing\\04|/dev/sda2|ext4]");
}

static void test_swaps_parser_takes_paths_only(void **state)
{
	char text[] = SWAPS_HEADER "/dev/sda2 partition 1 0 -2\n"
				   "relative partition 1 0 -2\n"
				   "/lonely\n"
				   "/with\\040space file 1 0 -3\n";
	struct seen s = { "" };

	assert_int_equal(vfiox__parse_swaps(text, note_swap, &s), 0);
	assert_string_equal(s.buf, "[/dev/sda2][/with space]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		env_test(test_netdev_up_with_address_and_routes_is_in_use),
		env_test(test_netdev_down_without_addresses_is_not_in_use),
		env_test(test_netdev_each_of_up_addresses_routes_alone_is_in_use),
		env_test(test_netdev_of_other_devices_and_virtual_ones_are_not_asked),
		env_test(test_netdev_query_failure_fails_the_check),
		env_test(test_netdev_in_another_namespace_is_not_in_use),
		env_test(test_netdev_without_ifindex_is_warned_and_skipped),
		env_test(test_netdev_facts_share_one_cache),
		env_test(test_mounted_partition_is_in_use_by_device_number),
		env_test(test_mount_with_anonymous_device_number_matches_by_source),
		env_test(test_long_mount_point_is_quoted_whole_in_the_fix),
		env_test(test_swap_on_partition_is_in_use),
		env_test(test_whole_disk_swap_and_mount_are_two_findings),
		env_test(test_mount_through_device_mapper_names_the_disk_below),
		env_test(test_unused_stacked_device_is_a_holder_finding),
		env_test(test_nvme_multipath_head_disk_counts_for_its_controller),
		env_test(test_swap_named_by_another_node_matches_by_device_number),
		env_test(test_unreadable_mountinfo_fails_with_the_path),
		env_test(test_boot_vga_under_vgacon_is_in_use),
		env_test(test_long_sysfs_root_still_finds_the_console),
		env_test(test_vgacon_does_not_hold_a_vga_device_that_did_not_boot),
		env_test(test_fbcon_on_the_device_framebuffer_is_in_use),
		env_test(test_firmware_framebuffer_on_boot_vga_is_in_use),
		env_test(test_group_uses_names_the_member),
		env_test(test_getters_out_of_range_and_null),
		cmocka_unit_test(test_mountinfo_parser_skips_malformed_lines),
		cmocka_unit_test(test_swaps_parser_takes_paths_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
