// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The host doctor (libvfiox/host.c) on fake hosts: a fixture sysfs with the extra files
 * the doctor reads (ACPI tables, VT-d ecap, modules, huge pages), a fake /proc (cmdline,
 * interrupts, self/status, mountinfo, swaps), /dev (vfio nodes, made with mknod where the
 * test may) and /etc (passwd, group, limits.conf, limits.d). The caller's RLIMIT_MEMLOCK
 * comes from a substitute for vfiox_sys_getrlimit (WRAP_test-check); rtnetlink is never
 * reached (no fake device has a network interface).
 */
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <vfiox/host.h>

#include "testutil.h"
#include "host-private.h"

int __wrap_vfiox_sys_getrlimit(int resource, struct rlimit *rl);

static struct rlimit fake_memlock = { 65536, 65536 };

int __wrap_vfiox_sys_getrlimit(int resource, struct rlimit *rl)
{
	assert_int_equal(resource, RLIMIT_MEMLOCK);
	*rl = fake_memlock;
	return 0;
}

/* ------------------------------------------------------------------ the fake host */

static void rm(struct env *e, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", fx_root(e->fx), rel);
	if (unlink(path))
		rmdir(path);
}

/* rm -rf of a tree the test made (the fixture's driver directory holds links). */
static void rm_rf(struct env *e, const char *rel)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s'", fx_root(e->fx), rel);
	assert_int_equal(system(cmd), 0);
}

static void mkdir_rel(struct env *e, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", fx_root(e->fx), rel);
	env_mkdirs(path);
}

static bool can_mknod = true;

/* A character device node @rel (10:196) with @mode and owner @uid:@gid. */
static bool chardev(struct env *e, const char *rel, mode_t mode, uid_t uid, gid_t gid)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", fx_root(e->fx), rel);
	unlink(path);
	if (mknod(path, S_IFCHR | mode, makedev(10, 196))) {
		can_mknod = false;
		return false;
	}
	chmod(path, mode);
	return !chown(path, uid, gid);
}

#define STATUS_ROOT "Name:\ttest\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\n" \
		    "CapEff:\t000001ffffffffff\n"
#define STATUS_USER "Name:\ttest\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n" \
		    "Groups:\t24 999 1000\nCapEff:\t0000000000000000\n"
#define IRQ_REMAPPED                                                                       \
	"           CPU0       \n"                                                         \
	"  0:        143  IR-IO-APIC   2-edge      timer\n"                               \
	" 24:          0  DMAR-MSI   0-edge      dmar0\n"                                 \
	" 27:         10  IR-PCI-MSIX-0000:00:04.0   0-edge      nvme0q0\n"               \
	"NMI:          0   Non-maskable interrupts\n"                                     \
	"LOC:       4223   Local timer interrupts\n"
#define IRQ_PLAIN                                                                          \
	"           CPU0       CPU1\n"                                                     \
	"  0:        143          0  IO-APIC   2-edge      timer\n"                        \
	" 27:         10          3  PCI-MSIX-0000:00:04.0   0-edge      nvme0q0\n"        \
	" 28:          1          0  PCI-MSI-0000:00:02.0   0-edge      eth0\n"           \
	"ERR:          0\n"

/*
 * A healthy Intel host: base + nonviable scenarios, 6 groups, DMAR, VT-d with IR, IR-
 * interrupts, modules, /dev/vfio/vfio 0666 and group 2 root-only, the caller root.
 */
static struct env *healthy(void)
{
	struct env *e = env_scenario("base");
	char root[4096];

	FX(e, fx_scn_nonviable(e->fx));
	env_put(e, "firmware/acpi/tables/DMAR", "DMAR");
	env_put(e, "firmware/acpi/tables/APIC", "APIC");
	env_put(e, "devices/virtual/iommu/dmar0/intel-iommu/ecap", "f00f4a\n");
	assert_int_equal(symlink("../../devices/virtual/iommu/dmar0",
				 (snprintf(root, sizeof(root), "%s/class/iommu/dmar0", fx_root(e->fx)),
				  mkdir_rel(e, "class/iommu"), root)), 0);
	mkdir_rel(e, "module/vfio");
	env_put(e, "module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "N\n");
	mkdir_rel(e, "module/vfio_pci");
	mkdir_rel(e, "bus/pci/drivers/vfio-pci");
	env_put(e, "kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "512\n");
	env_put(e, "kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "500\n");
	env_put(e, "kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages", "0\n");
	env_put(e, "kernel/mm/hugepages/hugepages-1048576kB/free_hugepages", "0\n");
	env_put(e, "_proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on quiet\n");
	env_put(e, "_proc/interrupts", IRQ_REMAPPED);
	env_put(e, "_proc/self/status", STATUS_ROOT);
	env_put(e, "_proc/self/mountinfo", "1 1 0:2 / / rw - rootfs rootfs rw\n");
	env_put(e, "_proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n");
	mkdir_rel(e, "_dev/vfio");
	chardev(e, "_dev/vfio/vfio", 0666, 0, 0);
	chardev(e, "_dev/vfio/2", 0600, 0, 0);
	env_put(e, "_etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
			      "alice:x:1000:1000::/home/alice:/bin/sh\n"
			      "bob:x:1001:1001::/home/bob:/bin/sh\n");
	env_put(e, "_etc/group", "root:x:0:\nkvm:x:999:alice\nalice:x:1000:\nbob:x:1001:\n");
	env_ctx(e);
	snprintf(root, sizeof(root), "%s/_proc", fx_root(e->fx));
	assert_int_equal(vfiox_ctx_set_proc_root(e->ctx, root), 0);
	snprintf(root, sizeof(root), "%s/_dev", fx_root(e->fx));
	assert_int_equal(vfiox_ctx_set_dev_root(e->ctx, root), 0);
	snprintf(root, sizeof(root), "%s/_etc", fx_root(e->fx));
	assert_int_equal(vfiox_ctx_set_etc_root(e->ctx, root), 0);
	fake_memlock = (struct rlimit){ 65536, 65536 };
	return e;
}

static struct vfiox_findings *run(struct env *e, const char *dev, const char *user)
{
	struct vfiox_findings *f = NULL;
	int ret = vfiox_host_check(e->ctx, dev, user, &f);

	if (ret)
		fail_msg("vfiox_host_check(%s, %s) = %d: %s", dev ? dev : "-", user ? user : "-",
			 ret, vfiox_ctx_last_error(e->ctx));
	assert_non_null(f);
	return f;
}

/* The index of the first finding @id (with @subject, unless NULL); fails when absent. */
static size_t find(const struct vfiox_findings *f, const char *id, const char *subject)
{
	size_t i;

	for (i = 0; i < vfiox_findings_count(f); i++)
		if (!strcmp(vfiox_findings_id(f, i), id) &&
		    (!subject || (vfiox_findings_subject(f, i) &&
				  !strcmp(vfiox_findings_subject(f, i), subject))))
			return i;
	fail_msg("no finding %s%s%s", id, subject ? " for " : "", subject ? subject : "");
	return 0;
}

static size_t count_id(const struct vfiox_findings *f, const char *id)
{
	size_t i, n = 0;

	for (i = 0; i < vfiox_findings_count(f); i++)
		n += !strcmp(vfiox_findings_id(f, i), id);
	return n;
}

#define assert_contains(s, sub)                                                             \
	do {                                                                                \
		const char *s__ = (s);                                                      \
		if (!s__ || !strstr(s__, (sub)))                                            \
			fail_msg("%s = \"%s\" does not contain \"%s\"", #s,                 \
				 s__ ? s__ : "(null)", (sub));                              \
	} while (0)

/* Asserts finding @id has @status and its summary contains @text. */
#define assert_finding(f, id, subject, status, text)                                        \
	do {                                                                                \
		size_t i__ = find((f), (id), (subject));                                    \
		if (vfiox_findings_status((f), i__) != (status))                            \
			fail_msg("%s: status %s, expected %s: %s", (id),                    \
				 vfiox_check_status_name(vfiox_findings_status((f), i__)),  \
				 vfiox_check_status_name(status),                           \
				 vfiox_findings_summary((f), i__));                         \
		assert_contains(vfiox_findings_summary((f), i__), (text));                  \
	} while (0)

#define FIX(f, id, subject) vfiox_findings_fix((f), find((f), (id), (subject)))

/* ------------------------------------------------------------------ host findings */

static void test_healthy_host_has_no_failure(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f = run(e, NULL, NULL);

	assert_finding(f, "iommu.groups", NULL, VFIOX_CHECK_OK, "the IOMMU is on: 6 IOMMU groups");
	assert_finding(f, "iommu.firmware", NULL, VFIOX_CHECK_OK,
		       "ACPI DMAR table present (Intel VT-d)");
	assert_finding(f, "iommu.cmdline", NULL, VFIOX_CHECK_OK,
		       "IOMMU parameters: intel_iommu=on");
	assert_finding(f, "irq_remapping", NULL, VFIOX_CHECK_OK,
		       "interrupt remapping is on (certain: 2 interrupts in /proc/interrupts go "
		       "through IR- chips); 1 of 1 VT-d units support it (ecap IR bit)");
	assert_finding(f, "modules", NULL, VFIOX_CHECK_OK, "the vfio-pci driver is registered");
	if (can_mknod)
		assert_finding(f, "dev_vfio", NULL, VFIOX_CHECK_OK, "the caller may open");
	assert_finding(f, "memlock", NULL, VFIOX_CHECK_OK, "the caller has CAP_IPC_LOCK");
	assert_finding(f, "hugepages", NULL, VFIOX_CHECK_OK, "2048kB: 512 reserved, 500 free");
	/* A type1 host (Debian's 6.12): no iommufd is information, not a fault. */
	assert_finding(f, "iommufd", NULL, VFIOX_CHECK_INFO, "/iommu does not exist: this kernel "
		       "has no iommufd");
	assert_contains(vfiox_findings_summary(f, find(f, "iommufd", NULL)),
			"devices open through their groups (type1, /dev/vfio/vfio)");
	assert_finding(f, "vfio_cdev", NULL, VFIOX_CHECK_INFO,
		       "none, as they need iommufd, which this kernel lacks");
	assert_null(FIX(f, "iommufd", NULL));
	assert_null(FIX(f, "iommu.groups", NULL));
	if (can_mknod)
		assert_int_equal(vfiox_findings_worst(f), VFIOX_CHECK_INFO);
	assert_int_equal(count_id(f, "device.group"), 0);
	assert_int_equal(count_id(f, "device.backend"), 0);
	vfiox_findings_free(f);
	env_free(e);
}

static void test_iommu_off_without_cmdline_parameter_fails_with_the_fix(void **state)
{
	struct env *e = env_scenario("noiommu");
	struct vfiox_findings *f;
	char root[4096];

	env_put(e, "firmware/acpi/tables/DMAR", "DMAR");
	env_put(e, "_proc/cmdline", "root=/dev/sda1 quiet\n");
	env_put(e, "_proc/self/status", STATUS_ROOT);
	env_ctx(e);
	snprintf(root, sizeof(root), "%s/_proc", fx_root(e->fx));
	vfiox_ctx_set_proc_root(e->ctx, root);
	snprintf(root, sizeof(root), "%s/_dev", fx_root(e->fx));
	vfiox_ctx_set_dev_root(e->ctx, root);
	f = run(e, NULL, NULL);
	assert_finding(f, "iommu.groups", NULL, VFIOX_CHECK_FAIL, "no IOMMU groups");
	assert_finding(f, "iommu.cmdline", NULL, VFIOX_CHECK_FAIL,
		       "intel_iommu=on is not on the kernel command line");
	assert_contains(FIX(f, "iommu.cmdline", NULL), "add intel_iommu=on");
	/* vfio_pci counts as there: devices are bound to its driver (bus/pci/drivers/vfio-pci) */
	assert_finding(f, "modules", NULL, VFIOX_CHECK_FAIL, "not loaded: vfio vfio_iommu_type1 (");
	assert_contains(FIX(f, "modules", NULL), "modprobe vfio-pci");
	assert_finding(f, "dev_vfio", NULL, VFIOX_CHECK_FAIL, "/vfio/vfio does not exist");
	assert_finding(f, "irq_remapping", NULL, VFIOX_CHECK_INFO, "unknown");
	assert_finding(f, "hugepages", NULL, VFIOX_CHECK_INFO, "no huge pages");
	assert_int_equal(vfiox_findings_worst(f), VFIOX_CHECK_FAIL);
	vfiox_findings_free(f);
	env_free(e);
}

static void test_cmdline_off_fails_and_passthrough_is_info(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;

	env_put(e, "_proc/cmdline", "quiet intel_iommu=on intel_iommu=off\n");
	f = run(e, NULL, NULL);
	assert_finding(f, "iommu.cmdline", NULL, VFIOX_CHECK_FAIL,
		       "switches the IOMMU off: intel_iommu=off");
	vfiox_findings_free(f);
	env_put(e, "_proc/cmdline", "iommu=pt intel_iommu=on\n");
	f = run(e, NULL, NULL);
	assert_finding(f, "iommu.cmdline", NULL, VFIOX_CHECK_INFO,
		       "iommu=pt intel_iommu=on: host devices bypass");
	vfiox_findings_free(f);
	rm(e, "firmware/acpi/tables/DMAR");
	env_put(e, "firmware/acpi/tables/IVRS", "IVRS");
	env_put(e, "_proc/cmdline", "amd_iommu=off\n");
	f = run(e, NULL, NULL);
	assert_finding(f, "iommu.firmware", NULL, VFIOX_CHECK_OK, "IVRS table present (AMD-Vi)");
	assert_finding(f, "iommu.cmdline", NULL, VFIOX_CHECK_FAIL, "amd_iommu=off");
	vfiox_findings_free(f);
	env_free(e);
}

/* The IOMMU parameters take comma-separated lists: an option is a whole list item. */
static void test_cmdline_option_lists_are_read_item_by_item(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;

	env_put(e, "_proc/cmdline", "quiet intel_iommu=on,igfx_off intremap=nosid\n");
	f = run(e, NULL, NULL);
	assert_finding(f, "iommu.cmdline", NULL, VFIOX_CHECK_OK,
		       "IOMMU parameters: intel_iommu=on,igfx_off");
	assert_null(strstr(vfiox_findings_summary(f, find(f, "irq_remapping", NULL)),
			   "switches it off"));
	vfiox_findings_free(f);
	env_put(e, "_proc/cmdline", "iommu=off,pt intel_iommu=sm_off,on intremap=nosid,off\n");
	f = run(e, NULL, NULL);
	assert_finding(f, "iommu.cmdline", NULL, VFIOX_CHECK_FAIL, "switches the IOMMU off: "
		       "iommu=off,pt intel_iommu=sm_off,on");
	env_put(e, "_proc/interrupts", IRQ_PLAIN);
	vfiox_findings_free(f);
	f = run(e, NULL, NULL);
	assert_finding(f, "irq_remapping", NULL, VFIOX_CHECK_FAIL,
		       "the kernel command line switches it off (intremap=off)");
	vfiox_findings_free(f);
	env_free(e);

	/* sm_on alone does not turn VT-d on: a host without groups still needs "on" */
	e = env_scenario("noiommu");
	env_put(e, "firmware/acpi/tables/DMAR", "DMAR");
	env_put(e, "_proc/cmdline", "root=/dev/sda1 intel_iommu=sm_on\n");
	env_put(e, "_proc/self/status", STATUS_ROOT);
	env_ctx(e);
	{
		char root[4096];

		snprintf(root, sizeof(root), "%s/_proc", fx_root(e->fx));
		assert_int_equal(vfiox_ctx_set_proc_root(e->ctx, root), 0);
	}
	f = run(e, NULL, NULL);
	assert_finding(f, "iommu.cmdline", NULL, VFIOX_CHECK_FAIL,
		       "intel_iommu=on is not on the kernel command line");
	vfiox_findings_free(f);
	env_free(e);
}

static void test_irq_remapping_off_fails_unless_unsafe_allowed(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;

	env_put(e, "_proc/interrupts", IRQ_PLAIN);
	env_put(e, "devices/virtual/iommu/dmar0/intel-iommu/ecap", "f00f42\n"); /* IR bit clear */
	f = run(e, NULL, NULL);
	assert_finding(f, "irq_remapping", NULL, VFIOX_CHECK_FAIL,
		       "interrupt remapping is off (likely: none of the 3 PCI MSI and IO-APIC "
		       "interrupts in /proc/interrupts goes through an IR- chip); 0 of 1 VT-d units");
	assert_contains(vfiox_findings_summary(f, find(f, "irq_remapping", NULL)),
			"vfio_iommu_type1 refuses to attach groups without it");
	assert_contains(FIX(f, "irq_remapping", NULL), "allow_unsafe_interrupts=1");
	vfiox_findings_free(f);

	env_put(e, "_proc/cmdline", "intel_iommu=on intremap=off\n");
	env_put(e, "module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "Y\n");
	f = run(e, NULL, NULL);
	assert_finding(f, "irq_remapping", NULL, VFIOX_CHECK_WARN,
		       "the kernel command line switches it off (intremap=off)");
	assert_contains(FIX(f, "irq_remapping", NULL), "remove intremap=off");
	vfiox_findings_free(f);
	env_free(e);
}

static void test_modules_missing_are_named(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;

	rm(e, "module/vfio_pci");
	f = run(e, NULL, NULL); /* the registered driver stands for a built-in vfio_pci */
	assert_finding(f, "modules", NULL, VFIOX_CHECK_OK, "loaded");
	vfiox_findings_free(f);
	rm_rf(e, "bus/pci/drivers/vfio-pci");
	rm(e, "module/vfio");
	f = run(e, NULL, NULL);
	assert_finding(f, "modules", NULL, VFIOX_CHECK_FAIL, "not loaded: vfio vfio_pci (");
	vfiox_findings_free(f);
	env_free(e);
}

static void test_dev_vfio_permissions_for_a_user(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;

	if (!can_mknod) {
		env_free(e);
		skip();
	}
	f = run(e, NULL, "alice");
	assert_finding(f, "dev_vfio", "alice", VFIOX_CHECK_WARN,
		       "alice may open ");
	assert_contains(vfiox_findings_summary(f, find(f, "dev_vfio", "alice")),
			"but not 1 of 1 group nodes (2)");
	assert_contains(FIX(f, "dev_vfio", "alice"), "SUBSYSTEM==\"vfio\"");
	vfiox_findings_free(f);
	/* the kvm group (alice is a member) gets the node: fine */
	chardev(e, "_dev/vfio/2", 0660, 0, 999);
	f = run(e, NULL, "alice");
	assert_finding(f, "dev_vfio", "alice", VFIOX_CHECK_OK, "all 1 group nodes");
	vfiox_findings_free(f);
	f = run(e, NULL, "bob");
	assert_finding(f, "dev_vfio", "bob", VFIOX_CHECK_WARN, "bob may open");
	vfiox_findings_free(f);
	chardev(e, "_dev/vfio/vfio", 0600, 0, 0);
	f = run(e, NULL, "bob");
	assert_finding(f, "dev_vfio", "bob", VFIOX_CHECK_FAIL, "bob may not open");
	assert_contains(FIX(f, "dev_vfio", "bob"), "chmod 0666");
	vfiox_findings_free(f);
	env_free(e);
}

static void test_dev_vfio_regular_file_is_not_a_node(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;

	if (can_mknod) {
		rm(e, "_dev/vfio/2");
		f = run(e, NULL, NULL);
		assert_finding(f, "dev_vfio", NULL, VFIOX_CHECK_OK, "there is no group node yet");
		vfiox_findings_free(f);
	}

	rm(e, "_dev/vfio/vfio");
	env_put(e, "_dev/vfio/vfio", "x");
	f = run(e, NULL, NULL);
	assert_finding(f, "dev_vfio", NULL, VFIOX_CHECK_FAIL, "is not a character device");
	vfiox_findings_free(f);
	env_free(e);
}

/* ------------------------------------------------------------------ memlock */

static void test_memlock_of_the_caller(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;

	env_put(e, "_proc/self/status", STATUS_USER);
	f = run(e, NULL, NULL);
	assert_finding(f, "memlock", NULL, VFIOX_CHECK_WARN,
		       "the caller may lock 64 KiB (hard limit 64 KiB)");
	assert_contains(FIX(f, "memlock", NULL), "LimitMEMLOCK=infinity");
	vfiox_findings_free(f);
	fake_memlock = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	f = run(e, NULL, NULL);
	assert_finding(f, "memlock", NULL, VFIOX_CHECK_OK, "unlimited");
	vfiox_findings_free(f);
	env_free(e);
}

static void test_memlock_of_a_user_follows_pam_limits_ranks(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;

	env_put(e, "_etc/security/limits.conf", "# comment\n"
					    "*     hard memlock 1024\n"
					    "@kvm  -    memlock 4194304\n"
					    "bogus line\n");
	env_put(e, "_etc/security/limits.d/90-vfio.conf", "alice soft memlock unlimited\n");
	env_put(e, "_etc/security/limits.d/10-early.conf", "alice hard memlock 2048\n");
	env_put(e, "_etc/security/limits.d/README", "alice - memlock 1\n"); /* not *.conf */
	f = run(e, NULL, "alice");
	/* the user's own lines beat the @kvm line; the hard one comes from limits.d/10 */
	assert_finding(f, "memlock", "alice", VFIOX_CHECK_WARN,
		       "a login of alice gets memlock soft unlimited (limits.d/90-vfio.conf:1), "
		       "hard 2 MiB (limits.d/10-early.conf:1)");
	assert_contains(vfiox_findings_summary(f, find(f, "memlock", "alice")),
			"some lines of the files do not parse");
	vfiox_findings_free(f);

	/* bob is not in kvm: only "*" applies to him */
	f = run(e, NULL, "bob");
	assert_finding(f, "memlock", "bob", VFIOX_CHECK_WARN,
		       "memlock soft (not set) (inherited), hard 1 MiB (limits.conf:2)");
	vfiox_findings_free(f);

	/* equal rank: the later line wins; a uid range counts as the user */
	env_put(e, "_etc/security/limits.d/10-early.conf", "1000: - memlock unlimited\n");
	f = run(e, NULL, "alice");
	assert_finding(f, "memlock", "alice", VFIOX_CHECK_OK, "gets memlock unlimited "
		       "(soft from limits.d/90-vfio.conf:1, hard from limits.d/10-early.conf:1)");
	vfiox_findings_free(f);
	env_free(e);
}

static void test_memlock_of_a_user_without_lines_warns_and_root_is_ok(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f = run(e, NULL, "bob");

	assert_finding(f, "memlock", "bob", VFIOX_CHECK_WARN, "no memlock line for bob");
	assert_contains(FIX(f, "memlock", "bob"), "bob - memlock unlimited");
	vfiox_findings_free(f);
	f = run(e, NULL, "root");
	assert_finding(f, "memlock", "root", VFIOX_CHECK_OK, "root is root");
	vfiox_findings_free(f);
	env_free(e);
}

static void test_unknown_user_is_enoent(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f = (struct vfiox_findings *)1;

	assert_int_equal(vfiox_host_check(e->ctx, NULL, "mallory", &f), -ENOENT);
	assert_null(f);
	assert_contains(vfiox_ctx_last_error(e->ctx), "no user mallory in ");
	env_free(e);
}

/* The reason of the passwd failure is kept whole after the user's name (it used to be
 * formatted from the last-error buffer into itself). */
static void test_unreadable_passwd_names_the_user_and_the_file(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f = (struct vfiox_findings *)1;
	char want[4200];

	rm(e, "_etc/passwd");
	assert_int_equal(vfiox_host_check(e->ctx, NULL, "alice", &f), -ENOENT);
	assert_null(f);
	snprintf(want, sizeof(want), "cannot check user alice: cannot open %s/_etc/passwd: %s",
		 fx_root(e->fx), strerror(ENOENT));
	assert_string_equal(vfiox_ctx_last_error(e->ctx), want);
	env_free(e);
}

/* ------------------------------------------------------------------ a device */

static void test_device_group_names_what_must_be_unbound(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f = run(e, "0000:00:1f.3", NULL);

	assert_finding(f, "device.group", "0000:00:1f.3", VFIOX_CHECK_INFO,
		       "0000:00:1f.3 is in IOMMU group 9 with 3 devices: 0000:00:1f.0 (no driver), "
		       "0000:00:1f.2 (ahci), 0000:00:1f.3 (vfio-pci)");
	assert_finding(f, "device.unbind", "0000:00:1f.3", VFIOX_CHECK_WARN,
		       "must leave their host drivers: 0000:00:1f.2 (ahci)");
	assert_contains(FIX(f, "device.unbind", "0000:00:1f.3"), "vfioctl bind --group 9");
	assert_finding(f, "device.in_use", "0000:00:1f.3", VFIOX_CHECK_OK, "the host uses nothing");
	assert_finding(f, "device.acs", "0000:00:1f.3", VFIOX_CHECK_INFO, "root bus");
	vfiox_findings_free(f);
	/* group 10: pcieport, pci-stub, a vfio variant: nothing to unbind */
	f = run(e, "0000:01:00.0", NULL);
	assert_finding(f, "device.unbind", "0000:01:00.0", VFIOX_CHECK_OK, "every member of group 10");
	vfiox_findings_free(f);
	env_free(e);
}

static void test_device_in_use_fails_with_member_reason_and_fix(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;
	char d[1024], rel[2048], target[2048], abs[4096];

	FX(e, fx_dev_path(e->fx, "0000:00:1f.2", NULL, abs, sizeof(abs)));
	snprintf(d, sizeof(d), "%s", abs + strlen(fx_root(e->fx)) + 1);
	snprintf(rel, sizeof(rel), "%s/ata1/host0/target0:0:0/0:0:0:0/block/sda/dev", d);
	env_put(e, rel, "8:0\n");
	snprintf(rel, sizeof(rel), "%s/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda1/dev", d);
	env_put(e, rel, "8:1\n");
	mkdir_rel(e, "class/block");
	snprintf(target, sizeof(target), "../../%s/ata1/host0/target0:0:0/0:0:0:0/block/sda", d);
	snprintf(abs, sizeof(abs), "%s/class/block/sda", fx_root(e->fx));
	assert_int_equal(symlink(target, abs), 0);
	strcat(target, "/sda1");
	snprintf(abs, sizeof(abs), "%s/class/block/sda1", fx_root(e->fx));
	assert_int_equal(symlink(target, abs), 0);
	env_put(e, "_proc/self/mountinfo", "1 1 0:2 / / rw - rootfs rootfs rw\n"
				       "30 1 8:1 / /boot rw - ext4 /dev/sda1 rw\n");
	f = run(e, "0000:00:1f.3", NULL); /* a member of the group, not the ahci itself */
	assert_finding(f, "device.in_use", "0000:00:1f.2", VFIOX_CHECK_FAIL,
		       "/dev/sda1, a disk of 0000:00:1f.2, is mounted on /boot (ext4)");
	assert_contains(FIX(f, "device.in_use", "0000:00:1f.2"), "umount /boot");
	assert_int_equal(vfiox_findings_worst(f), VFIOX_CHECK_FAIL);
	vfiox_findings_free(f);
	env_free(e);
}

/* A group too large for the summary lists what fits and counts the rest, never a cut address. */
static void test_large_group_counts_the_members_that_do_not_fit(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;
	const char *sum, *tail;
	char addr[16];
	int i;

	for (i = 0; i < 60; i++) {
		snprintf(addr, sizeof(addr), "0000:30:%02x.%x", i / 8, i % 8);
		FX(e, fx_add_dev(e->fx, &(struct fx_dev){ .addr = addr, .vendor = 0x8086,
							   .device = 0x10d3, .class_code = 0x020000,
							   .driver = "e1000e", .group = 40 }));
	}
	f = run(e, "0000:30:00.0", NULL);
	sum = vfiox_findings_summary(f, find(f, "device.group", "0000:30:00.0"));
	assert_contains(sum, "is in IOMMU group 40 with 60 devices: 0000:30:00.0 (e1000e), ");
	tail = strstr(sum, " and ");
	assert_non_null(tail);
	assert_int_equal(tail[-1], ')'); /* the last address listed is whole */
	assert_true(strlen(tail) > 10 && !strcmp(tail + strlen(tail) - 5, " more"));
	sum = vfiox_findings_summary(f, find(f, "device.unbind", "0000:30:00.0"));
	assert_non_null(strstr(sum, "(e1000e) and "));
	vfiox_findings_free(f);
	env_free(e);
}

static void add_port(struct env *e, const char *addr, const char *parent, uint8_t type,
		     bool acs, uint16_t ctrl, int group)
{
	struct fx_dev d = { .addr = addr, .vendor = 0x8086, .device = 0xa110,
			    .class_code = 0x060400, .driver = "pcieport", .group = group,
			    .parent = parent };

	d.caps.pcie = true;
	d.caps.pcie_port_type = type;
	d.caps.acs = acs;
	d.caps.acs_cap = 0x5f;
	d.caps.acs_ctrl = ctrl;
	FX(e, fx_add_dev(e->fx, &d));
}

static void test_acs_on_every_bridge_above(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;

	add_port(e, "0000:00:1d.0", NULL, 4, true, 0x1d, 30);   /* root port, SV RR CR UF */
	add_port(e, "0000:20:00.0", "0000:00:1d.0", 5, false, 0, 30); /* switch upstream */
	add_port(e, "0000:21:01.0", "0000:20:00.0", 6, true, 0x01, 31); /* downstream, SV only */
	add_port(e, "0000:21:02.0", "0000:20:00.0", 6, false, 0, 32);   /* downstream, no ACS */
	FX(e, fx_add_dev(e->fx, &(struct fx_dev){ .addr = "0000:22:00.0", .vendor = 0x1b36,
						   .device = 0x10, .class_code = 0x010802,
						   .driver = "nvme", .group = 33,
						   .parent = "0000:21:01.0" }));
	FX(e, fx_add_dev(e->fx, &(struct fx_dev){ .addr = "0000:23:00.0", .vendor = 0x1b36,
						   .device = 0x10, .class_code = 0x010802,
						   .driver = "nvme", .group = 34,
						   .parent = "0000:21:02.0" }));
	f = run(e, "0000:22:00.0", NULL);
	assert_finding(f, "device.acs", "0000:00:1d.0", VFIOX_CHECK_OK, "(root port): ACS source "
		       "validation, request and completion redirect and upstream forwarding are on");
	assert_finding(f, "device.acs", "0000:20:00.0", VFIOX_CHECK_INFO, "ACS does not apply");
	assert_finding(f, "device.acs", "0000:21:01.0", VFIOX_CHECK_WARN,
		       "(downstream port) has ACS but not all of SV, RR, CR, UF enabled");
	assert_int_equal(count_id(f, "device.acs"), 3);
	vfiox_findings_free(f);
	f = run(e, "0000:23:00.0", NULL);
	assert_finding(f, "device.acs", "0000:21:02.0", VFIOX_CHECK_WARN, "shows no ACS capability");
	vfiox_findings_free(f);
	env_free(e);
}

static void test_conventional_bridge_is_info(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;

	FX(e, fx_scn_bridge_group(e->fx));
	f = run(e, "0000:05:01.0", NULL);
	assert_finding(f, "device.acs", "0000:00:1e.0", VFIOX_CHECK_INFO,
		       "is a conventional PCI bridge: devices behind it cannot be isolated");
	vfiox_findings_free(f);
	env_free(e);
}

/* ------------------------------------------------------------------ the backends */

/*
 * 0000:00:04.0 (on vfio-pci) gets vfio-dev/vfio0, and class/vfio-dev/vfio0 points there;
 * with @devnum also its device number, as a kernel with VFIO cdevs gives it.
 */
static void vfio_dev(struct env *e, bool devnum)
{
	char path[4096];

	mkdir_rel(e, "bus/pci/devices/0000:00:04.0/vfio-dev/vfio0");
	if (devnum)
		env_put(e, "bus/pci/devices/0000:00:04.0/vfio-dev/vfio0/dev", "511:0\n");
	mkdir_rel(e, "class/vfio-dev");
	snprintf(path, sizeof(path), "%s/class/vfio-dev/vfio0", fx_root(e->fx));
	assert_int_equal(symlink("../../bus/pci/devices/0000:00:04.0/vfio-dev/vfio0", path), 0);
}

static void test_vfio_dev_without_device_number_is_no_cdev(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;

	/* Debian's 6.12: vfio-dev/vfio0 for the device, no dev in it, no /dev/iommu. */
	vfio_dev(e, false);
	f = run(e, "0000:00:04.0", NULL);
	assert_finding(f, "vfio_cdev", NULL, VFIOX_CHECK_INFO, "the kernel has no VFIO cdevs: "
		       "none of the 1 devices in");
	assert_finding(f, "device.backend", "0000:00:04.0", VFIOX_CHECK_INFO,
		       "0000:00:04.0 opens over type1: no ");
	assert_contains(vfiox_findings_summary(f, find(f, "device.backend", NULL)),
			"/iommu (a kernel without CONFIG_IOMMUFD)");
	assert_null(FIX(f, "device.backend", "0000:00:04.0"));
	vfiox_findings_free(f);
	env_free(e);
}

static void test_iommufd_host_with_cdevs(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;

	vfio_dev(e, true);
	mkdir_rel(e, "_dev/vfio/devices");
	if (!chardev(e, "_dev/iommu", 0660, 0, 0) ||
	    !chardev(e, "_dev/vfio/devices/vfio0", 0600, 0, 0)) {
		env_free(e);
		skip();
	}
	f = run(e, "0000:00:04.0", NULL);
	assert_finding(f, "iommufd", NULL, VFIOX_CHECK_OK, "iommufd is there: the caller may "
		       "open");
	assert_contains(vfiox_findings_summary(f, find(f, "iommufd", NULL)),
			"/iommu (mode 0660, owner 0:0)");
	assert_finding(f, "vfio_cdev", NULL, VFIOX_CHECK_OK, "the kernel has VFIO cdevs "
		       "(CONFIG_VFIO_DEVICE_CDEV): the caller may open all 1 nodes in");
	assert_finding(f, "device.backend", "0000:00:04.0", VFIOX_CHECK_INFO,
		       "0000:00:04.0 opens over iommufd: ");
	assert_contains(vfiox_findings_summary(f, find(f, "device.backend", NULL)),
			"/vfio/devices/vfio0 are there");
	assert_int_equal(vfiox_findings_worst(f), VFIOX_CHECK_INFO); /* device.group, .backend */
	vfiox_findings_free(f);

	/* Not yet on vfio-pci: no cdev, and what it would get once there. */
	f = run(e, "0000:00:1f.2", NULL);
	assert_finding(f, "device.backend", "0000:00:1f.2", VFIOX_CHECK_INFO,
		       "0000:00:1f.2 is not on vfio-pci yet, so it has no cdev; there it would "
		       "open over iommufd");
	assert_contains(vfiox_findings_summary(f, find(f, "device.backend", NULL)),
			"/iommu is there, and this kernel gives VFIO devices cdevs)");
	vfiox_findings_free(f);

	/* A user: root owns both nodes, so alice is shut out of iommufd (type1 remains). */
	f = run(e, NULL, "alice");
	assert_finding(f, "iommufd", "alice", VFIOX_CHECK_WARN, "alice may not open");
	assert_contains(vfiox_findings_summary(f, find(f, "iommufd", "alice")),
			"(type1 may still serve)");
	assert_contains(FIX(f, "iommufd", "alice"), "KERNEL==\"iommu\", GROUP=\"kvm\"");
	assert_finding(f, "vfio_cdev", "alice", VFIOX_CHECK_WARN,
		       "alice may not open 1 of the 1 nodes in");
	assert_contains(FIX(f, "vfio_cdev", "alice"), "SUBSYSTEM==\"vfio-dev\"");
	vfiox_findings_free(f);

	/* A cdev whose node devtmpfs did not make. */
	rm(e, "_dev/vfio/devices/vfio0");
	f = run(e, NULL, NULL);
	assert_finding(f, "vfio_cdev", NULL, VFIOX_CHECK_WARN, "but 1 of them have no node in");
	assert_contains(FIX(f, "vfio_cdev", NULL), "devtmpfs");
	vfiox_findings_free(f);
	env_free(e);
}

static void test_iommufd_only_host_needs_no_type1(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;

	/* CONFIG_VFIO_CONTAINER off: no /dev/vfio/vfio, no vfio_iommu_type1. */
	vfio_dev(e, true);
	rm_rf(e, "module/vfio_iommu_type1");
	rm(e, "_dev/vfio/vfio");
	mkdir_rel(e, "_dev/vfio/devices");
	if (!chardev(e, "_dev/iommu", 0666, 0, 0) ||
	    !chardev(e, "_dev/vfio/devices/vfio0", 0600, 0, 0)) {
		env_free(e);
		skip();
	}
	f = run(e, "0000:00:04.0", NULL);
	assert_finding(f, "dev_vfio", NULL, VFIOX_CHECK_INFO, "/vfio/vfio does not exist: this "
		       "kernel has no type1 container");
	assert_finding(f, "modules", NULL, VFIOX_CHECK_INFO, "vfio_iommu_type1 is not");
	assert_finding(f, "device.backend", "0000:00:04.0", VFIOX_CHECK_INFO, "opens over iommufd");
	assert_int_equal(count_id(f, "modules"), 1);
	vfiox_findings_free(f);

	/* Without type1, a user shut out of /dev/iommu cannot use VFIO at all. */
	chardev(e, "_dev/iommu", 0660, 0, 0);
	f = run(e, NULL, "alice");
	assert_finding(f, "iommufd", "alice", VFIOX_CHECK_FAIL, "there is no type1 to fall back on");
	vfiox_findings_free(f);
	env_free(e);
}

static void test_no_backend_at_all_fails_the_device(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;

	rm(e, "_dev/vfio/vfio");
	f = run(e, "0000:00:04.0", NULL);
	assert_finding(f, "dev_vfio", NULL, VFIOX_CHECK_FAIL, "/vfio/vfio does not exist");
	assert_finding(f, "device.backend", "0000:00:04.0", VFIOX_CHECK_FAIL,
		       "no IOMMU backend can open 0000:00:04.0: neither");
	assert_contains(FIX(f, "device.backend", "0000:00:04.0"), "modprobe vfio-pci");
	vfiox_findings_free(f);
	env_free(e);
}

static void test_bad_device_arguments(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f = (struct vfiox_findings *)1;

	assert_int_equal(vfiox_host_check(e->ctx, "zz:1", NULL, &f), -EINVAL);
	assert_null(f);
	assert_contains(vfiox_ctx_last_error(e->ctx), "'zz:1' is not a PCI address");
	assert_int_equal(vfiox_host_check(e->ctx, "0000:ee:00.0", NULL, &f), -ENODEV);
	assert_null(f);
	assert_contains(vfiox_ctx_last_error(e->ctx), "no PCI device 0000:ee:00.0");
	env_free(e);
}

static void test_getters_out_of_range(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f = run(e, NULL, NULL);
	size_t n = vfiox_findings_count(f);

	assert_true(n >= 8);
	assert_null(vfiox_findings_id(f, n));
	assert_null(vfiox_findings_summary(f, n));
	assert_null(vfiox_findings_subject(f, n));
	assert_null(vfiox_findings_fix(f, n));
	assert_int_equal(vfiox_findings_status(f, n), -ERANGE);
	assert_string_equal(vfiox_check_status_name(VFIOX_CHECK_WARN), "warn");
	assert_string_equal(vfiox_check_status_name(42), "?");
	vfiox_findings_free(f);
	vfiox_findings_free(NULL);
	env_free(e);
}

static void test_odd_files_become_findings_not_errors(void **state)
{
	struct env *e = healthy();
	struct vfiox_findings *f;

	env_put(e, "devices/virtual/iommu/dmar0/intel-iommu/ecap", "not hex\n");
	env_put(e, "kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "");
	rm(e, "_proc/cmdline");
	rm(e, "_proc/interrupts");
	env_put(e, "_etc/passwd", "broken\nalice:x\nalice:x:1000:1000::/home/alice:/bin/sh\n");
	rm(e, "_etc/group");
	f = run(e, NULL, "alice");
	assert_finding(f, "iommu.cmdline", NULL, VFIOX_CHECK_INFO,
		       "cannot read the kernel command line");
	/* an ecap that does not parse is no unit; no interrupts: unknown */
	assert_finding(f, "irq_remapping", NULL, VFIOX_CHECK_INFO, "interrupt remapping: unknown");
	assert_null(strstr(vfiox_findings_summary(f, find(f, "irq_remapping", NULL)), "VT-d units"));
	/* the empty size is skipped, the other size is listed */
	assert_finding(f, "hugepages", NULL, VFIOX_CHECK_INFO,
		       "1048576kB: 0 reserved, 0 free (optional");
	/* the short passwd lines are skipped; without a group file only the primary gid counts */
	assert_finding(f, "memlock", "alice", VFIOX_CHECK_WARN, "no memlock line for alice");
	vfiox_findings_free(f);
	env_free(e);
}

/* ------------------------------------------------------------------ parsers */

static void test_cmdline_param(void **state)
{
	char buf[32];

	assert_string_equal(vfiox__cmdline_param("a intel_iommu=on b", "intel_iommu", buf,
						 sizeof(buf)), "on");
	assert_string_equal(vfiox__cmdline_param("iommu=pt iommu=off", "iommu", buf, sizeof(buf)),
			    "off"); /* the last one wins */
	assert_null(vfiox__cmdline_param("intel_iommu=on", "iommu", buf, sizeof(buf)));
	assert_string_equal(vfiox__cmdline_param("nointremap quiet", "nointremap", buf,
						 sizeof(buf)), "");
	assert_string_equal(vfiox__cmdline_param("x=\"a b\" y", "x", buf, sizeof(buf)), "a b");
	assert_null(vfiox__cmdline_param("quiet -- intel_iommu=off", "intel_iommu", buf,
					 sizeof(buf)));
	assert_string_equal(vfiox__cmdline_param("iommu=abcdefgh", "iommu", buf, 4), "abc");
	assert_null(vfiox__cmdline_param("", "iommu", buf, sizeof(buf)));
}

static void test_interrupts_parser_counts_chips(void **state)
{
	char a[] = IRQ_REMAPPED, b[] = IRQ_PLAIN, c[] = "garbage\n:\n 9:\n12: 1 2 3\n";
	unsigned r, p;

	vfiox__parse_interrupts(a, &r, &p);
	assert_int_equal(r, 2);
	assert_int_equal(p, 0);
	vfiox__parse_interrupts(b, &r, &p);
	assert_int_equal(r, 0);
	assert_int_equal(p, 3);
	vfiox__parse_interrupts(c, &r, &p);
	assert_int_equal(r + p, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		env_test(test_healthy_host_has_no_failure),
		env_test(test_iommu_off_without_cmdline_parameter_fails_with_the_fix),
		env_test(test_cmdline_off_fails_and_passthrough_is_info),
		env_test(test_cmdline_option_lists_are_read_item_by_item),
		env_test(test_irq_remapping_off_fails_unless_unsafe_allowed),
		env_test(test_modules_missing_are_named),
		env_test(test_dev_vfio_permissions_for_a_user),
		env_test(test_dev_vfio_regular_file_is_not_a_node),
		env_test(test_memlock_of_the_caller),
		env_test(test_memlock_of_a_user_follows_pam_limits_ranks),
		env_test(test_memlock_of_a_user_without_lines_warns_and_root_is_ok),
		env_test(test_unknown_user_is_enoent),
		env_test(test_unreadable_passwd_names_the_user_and_the_file),
		env_test(test_device_group_names_what_must_be_unbound),
		env_test(test_device_in_use_fails_with_member_reason_and_fix),
		env_test(test_large_group_counts_the_members_that_do_not_fit),
		env_test(test_acs_on_every_bridge_above),
		env_test(test_conventional_bridge_is_info),
		env_test(test_vfio_dev_without_device_number_is_no_cdev),
		env_test(test_iommufd_host_with_cdevs),
		env_test(test_iommufd_only_host_needs_no_type1),
		env_test(test_no_backend_at_all_fails_the_device),
		env_test(test_bad_device_arguments),
		env_test(test_getters_out_of_range),
		env_test(test_odd_files_become_findings_not_errors),
		cmocka_unit_test(test_cmdline_param),
		cmocka_unit_test(test_interrupts_parser_counts_chips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
