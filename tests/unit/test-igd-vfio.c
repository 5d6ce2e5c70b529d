// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * An IGD on vfio-pci inspected through VFIO (libvfiox/igd.c read_vfio), against a fake
 * kernel at the syscall layer that builds the Intel regions as vfio-pci does
 * (drivers/vfio/pci/vfio_pci_igd.c, Linux 6.12): all three read-only; the OpRegion sized
 * by its header (KiB * 1024) plus RVDS when a 2.0+ OpRegion has an extended VBT, which
 * then reads as version 2.1 with RVDA 0x2000 and the VBT appended after 8 KiB; the host
 * and LPC bridge config regions as big as the bridges' config space. Container, group and
 * device come from vfiox_sys_openat of <dev>/vfio/... and vfiox_sys_ioctl; the regions
 * are read with vfiox_sys_pread; nothing may be written. The sysfs + proc tree is a
 * Coffee Lake machine (the public dumps test-igd.c uses).
 * Every fd opened is closed exactly once, on every path.
 *
 * Linked with WRAP_test-igd-vfio in the Makefile.
 */
#include "testutil.h"
#include "igd-dumps.h"

#include "fake-kernel.h"

#define MiB (1ull << 20)
#define KiB 1024u
#define OPR 0x2000u		/* OPREGION_SIZE */
#define SHIFT 40		/* VFIO_PCI_OFFSET_SHIFT */
#define NREG 12			/* the 9 of vfio-pci, then OpRegion, host cfg, LPC cfg */
#define R_OPREGION 9
#define R_HOST 10
#define R_LPC 11
#define GGC_MMIO 0x108040u	/* i915_reg.h GGC */

int __real_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
int __wrap_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
int __real_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __real_vfiox_sys_set_cloexec(int fd);
int __wrap_vfiox_sys_set_cloexec(int fd);
ssize_t __real_vfiox_sys_pread(int fd, void *buf, size_t len, off_t off);
ssize_t __wrap_vfiox_sys_pread(int fd, void *buf, size_t len, off_t off);
ssize_t __real_vfiox_sys_pwrite(int fd, const void *buf, size_t len, off_t off);
ssize_t __wrap_vfiox_sys_pwrite(int fd, const void *buf, size_t len, off_t off);

enum { K_CONTAINER = 1, K_GROUP, K_DEVICE };

static struct fake {
	char devroot[4096];
	int group_open_err, device_fd_err;
	int attached[FK_MAX]; /* group slot: its container fd, or -1 */
	struct fk_reply region[NREG];
	uint32_t nregions;
	uint8_t *data[NREG]; /* what a read of region i gives (BAR0: zeros but GGC) */
	int pread_err[NREG];
	size_t short_by[NREG];
	uint16_t ggc;
	unsigned bar0_reads, preads, ioctls;
	off_t last_bar0_off;
	int real_open, real_closed;
	uint8_t opregion[OPR + 64 * KiB], host_cfg[256], lpc_cfg[256];
} fk;

/* ------------------------------------------------------------------ the fake kernel */

int __wrap_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	size_t n = strlen(fk.devroot);
	int fd;

	if (fk.devroot[0] && !strncmp(path, fk.devroot, n) && !strncmp(path + n, "/vfio/", 6)) {
		assert_int_equal(flags & O_ACCMODE, O_RDWR);
		if (!strcmp(path + n + 6, "vfio"))
			return fk_new_fd(K_CONTAINER);
		if (strcmp(path + n + 6, "1") != 0)
			return -ENOENT; /* the IGD's group is 1 */
		if (fk.group_open_err)
			return fk.group_open_err;
		fd = fk_new_fd(K_GROUP);
		fk.attached[fk_slot(fd)] = -1;
		return fd;
	}
	fd = __real_vfiox_sys_openat(dirfd, path, flags, mode);
	if (fd >= 0)
		fk.real_open++;
	return fd;
}

int __wrap_vfiox_sys_close(int fd)
{
	if (fk_slot(fd) < 0)
		fk.real_closed++;
	return fk_close(fd);
}

int __wrap_vfiox_sys_set_cloexec(int fd)
{
	if (fk_slot(fd) < 0)
		return __real_vfiox_sys_set_cloexec(fd);
	assert_true(fk_slot_open(fk_slot(fd)));
	return 0;
}

/* A VFIO_*_GET_INFO reply as the kernel gives it, the query-then-resize protocol included. */
static int info(void *arg, const struct fk_reply *kr)
{
	uint32_t argsz = fk_get32(arg), need = (uint32_t)kr->len;

	if (!kr->last && argsz < need)
		need = argsz; /* no chain: the fixed part the caller has room for */
	return fk_answer_info(arg, kr, need);
}

int __wrap_vfiox_sys_ioctl(int fd, unsigned long req, void *arg)
{
	int s = fk_slot(fd);
	struct vfio_group_status *st = arg;
	struct fk_reply dev;
	uint32_t index;

	if (s < 0)
		return __real_vfiox_sys_ioctl(fd, req, arg);
	assert_true(fk_slot_open(s));
	fk.ioctls++;
	switch (req) {
	case VFIO_GET_API_VERSION:
		assert_int_equal(fk_fds.kind[s], K_CONTAINER);
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		assert_int_equal(fk_fds.kind[s], K_CONTAINER);
		return (long)arg == VFIO_TYPE1v2_IOMMU || (long)arg == VFIO_TYPE1_IOMMU;
	case VFIO_SET_IOMMU:
		assert_int_equal(fk_fds.kind[s], K_CONTAINER);
		return 0;
	case VFIO_GROUP_GET_STATUS:
		assert_int_equal(fk_fds.kind[s], K_GROUP);
		st->flags = VFIO_GROUP_FLAGS_VIABLE |
			    (fk.attached[s] >= 0 ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
		return 0;
	case VFIO_GROUP_SET_CONTAINER:
		assert_int_equal(fk_fds.kind[s], K_GROUP);
		fk.attached[s] = *(int *)arg;
		return 0;
	case VFIO_GROUP_UNSET_CONTAINER:
		assert_int_equal(fk_fds.kind[s], K_GROUP);
		fk.attached[s] = -1;
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD:
		assert_int_equal(fk_fds.kind[s], K_GROUP);
		assert_int_not_equal(fk.attached[s], -1);
		assert_string_equal(arg, "0000:00:02.0");
		return fk.device_fd_err ? fk.device_fd_err : fk_new_fd(K_DEVICE);
	case VFIO_DEVICE_GET_INFO:
		assert_int_equal(fk_fds.kind[s], K_DEVICE);
		fk_reply_device(&dev, 24, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET,
				fk.nregions, 5);
		return info(arg, &dev);
	case VFIO_DEVICE_GET_REGION_INFO:
		assert_int_equal(fk_fds.kind[s], K_DEVICE);
		index = fk_get32((uint8_t *)arg + 8);
		return index < fk.nregions ? info(arg, &fk.region[index]) : -EINVAL;
	default:
		fail_msg("ioctl 0x%lx on a fake fd of kind %d", req, fk_fds.kind[s]);
		return -ENOTTY;
	}
}

/* vfio_pci_rw: an index in bits 63:40; read-only regions; never past the region's end. */
ssize_t __wrap_vfiox_sys_pread(int fd, void *buf, size_t len, off_t off)
{
	int s = fk_slot(fd);
	uint32_t i = (uint32_t)((uint64_t)off >> SHIFT);
	uint64_t pos = (uint64_t)off & ((1ull << SHIFT) - 1), size;

	if (s < 0)
		return __real_vfiox_sys_pread(fd, buf, len, off);
	assert_true(fk_slot_open(s));
	assert_int_equal(fk_fds.kind[s], K_DEVICE);
	fk.preads++;
	if (i >= fk.nregions)
		return -EINVAL;
	size = fk_get32(fk.region[i].buf + 16) | (uint64_t)fk_get32(fk.region[i].buf + 20) << 32;
	if (!(fk_get32(fk.region[i].buf + 4) & VFIO_REGION_INFO_FLAG_READ) || pos >= size)
		return -EINVAL;
	if (len > size - pos)
		len = (size_t)(size - pos);
	if (fk.pread_err[i])
		return fk.pread_err[i];
	len -= fk.short_by[i] < len ? fk.short_by[i] : len;
	if (i == VFIO_PCI_BAR0_REGION_INDEX) {
		uint8_t ggc[2] = { (uint8_t)fk.ggc, (uint8_t)(fk.ggc >> 8) };
		size_t k;

		fk.bar0_reads++;
		fk.last_bar0_off = (off_t)pos;
		memset(buf, 0, len);
		for (k = 0; k < 2; k++)
			if (GGC_MMIO + k >= pos && GGC_MMIO + k < pos + len)
				((uint8_t *)buf)[GGC_MMIO + k - pos] = ggc[k];
		return (ssize_t)len;
	}
	assert_non_null(fk.data[i]);
	memcpy(buf, fk.data[i] + pos, len);
	return (ssize_t)len;
}

ssize_t __wrap_vfiox_sys_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	if (fk_slot(fd) >= 0)
		fail_msg("pwrite of %zu bytes at 0x%llx: vfio-pci's IGD regions are read-only", len,
			 (unsigned long long)off);
	return __real_vfiox_sys_pwrite(fd, buf, len, off);
}

/* ------------------------------------------------------------------ what vfio-pci builds */

static void put64(uint8_t *c, size_t off, uint64_t v)
{
	put32(c, off, (uint32_t)v);
	put32(c, off + 4, (uint32_t)(v >> 32));
}

static void region(uint32_t i, uint32_t flags, uint64_t size)
{
	fk_reply_region(&fk.region[i], i, flags, size, (uint64_t)i << SHIFT);
}

static void vendor_region(uint32_t i, uint32_t subtype, uint64_t size, uint8_t *data)
{
	region(i, VFIO_REGION_INFO_FLAG_READ, size);
	/* VFIO_REGION_TYPE_PCI_VENDOR_TYPE | 0x8086; the uapi macro is the int 1 << 31 */
	fk_cap_type(&fk.region[i], 0x80008086u, subtype);
	fk.data[i] = data;
	if (fk.nregions < i + 1)
		fk.nregions = i + 1;
}

/* A VBT of @size at @v: "$VBT", its header, a BIOS data block; the rest a pattern. */
static void put_vbt(uint8_t *v, uint16_t size)
{
	size_t k;

	for (k = 0; k < size; k++)
		v[k] = (uint8_t)(k * 7 + 1);
	memcpy(v, "$VBT COFFEELAKE     ", 20);
	put16(v, 0x14, 0x100);
	put16(v, 0x16, 0x30);
	put16(v, 0x18, size);
	put32(v, 0x1C, 0x30);
	memcpy(v + 0x30, "BIOS_DATA_BLOCK ", 16);
	put16(v, 0x30 + 0x10, 228);
	put16(v, 0x30 + 0x12, 0x16);
	put16(v, 0x30 + 0x14, (uint16_t)(size - 0x30));
}

/* The firmware's 8 KiB OpRegion: @version as its le16 at 0x16 (0x0201 = 2.1). */
static void host_opregion(uint8_t *b, uint16_t version, uint32_t mbox, uint64_t rvda,
			  uint32_t rvds)
{
	memset(b, 0xA5, OPR);
	memcpy(b, "IntelGraphicsMem", 16);
	put32(b, 0x10, OPR / KiB);
	b[0x14] = 0;
	b[0x15] = 3;
	put16(b, 0x16, version);
	put32(b, 0x58, mbox);
	put64(b, 0x3BA, rvda);
	put32(b, 0x3C2, rvds);
}

/*
 * vfio_pci_igd_opregion_init() and vfio_pci_igd_rw(): size = header KiB * 1024, plus RVDS
 * for 2.0+ with RVDA and RVDS set; the 8 KiB copied with the version patched to 2.1 (from
 * 2.0) and RVDA replaced by 0x2000 (or 0), the extended VBT @vbt_ex after them.
 */
static void vfio_opregion(const uint8_t *host, const uint8_t *vbt_ex)
{
	uint16_t version = (uint16_t)(host[0x16] | host[0x17] << 8);
	uint32_t size = fk_get32(host + 0x10) * KiB, rvds = fk_get32(host + 0x3C2);
	uint64_t rvda;
	bool ext;

	memcpy(&rvda, host + 0x3BA, 8);
	ext = version >= 0x0200 && rvda && rvds;
	assert_true(!ext || vbt_ex);
	if (ext)
		size += rvds;
	assert_true(size <= sizeof(fk.opregion));
	memcpy(fk.opregion, host, OPR);
	if (version == 0x0200 && ext)
		put16(fk.opregion, 0x16, 0x0201);
	put64(fk.opregion, 0x3BA, ext ? OPR : 0);
	if (ext)
		memcpy(fk.opregion + OPR, vbt_ex, rvds);
	vendor_region(R_OPREGION, VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION, size, fk.opregion);
}

static const char cfl_3ea0[] =
	"00: 86 80 a0 3e 07 04 10 00 00 00 00 03\n"
	"50: c1 02 00 00\n"
	"5c: 01 00 80 8b\n"
	"fc: 18 00 e1 88\n";
static const char cfl_3e34_host[] =
	"00: 86 80 34 3e 06 00 90 20 07 00 00 06\n"
	"50: c1 02 00 00\n"
	"b0: 01 00 80 8b 01 00 00 8b 01 00 00 8a 01 00 80 8f\n";
static const char cfl_a30d_lpc[] = "00: 86 80 0d a3 07 00 00 02 10 00 01 06\n";

/*
 * The Coffee Lake machine on vfio-pci (@igd_id 3ea0, or 7d55 for Meteor Lake), as a fake
 * sysfs + proc tree and the regions vfio-pci gives it: BAR0 16 MiB, BAR2 256 MiB, the
 * shadow ROM, config, and the three Intel regions (an OpRegion 2.1 with a VBT of 0x1200
 * bytes in mailbox 4). @lpc: 00:1f.0 exists, and so does its region.
 */
/* The IGD's class in the next igd_host(); a non-primary IGD shows 0x038000. */
static uint32_t igd_class = 0x030000;

static struct env *igd_host(uint16_t igd_id, bool lpc)
{
	struct env *e = env_empty(0);
	struct fx_dev hb = { .addr = "0000:00:00.0", .vendor = 0x8086, .device = 0x3e34,
			     .class_code = 0x060000, .group = 0 };
	struct fx_dev igd = { .addr = "0000:00:02.0", .vendor = 0x8086, .device = igd_id,
			      .class_code = igd_class, .group = 1, .driver = "vfio-pci",
			      .boot_vga = 1 };
	struct fx_dev isa = { .addr = "0000:00:1f.0", .vendor = 0x8086, .device = 0xa30d,
			      .class_code = 0x060100, .group = 2 };
	uint8_t cfg[256], host[OPR];
	char dir[4096];
	unsigned i;

	memset(&fk, 0, sizeof(fk));
	fk_fds_reset();
	assert_int_equal(fx_add_dev(e->fx, &hb), 0);
	assert_int_equal(fx_add_dev(e->fx, &igd), 0);
	if (lpc)
		assert_int_equal(fx_add_dev(e->fx, &isa), 0);
	hex_rows(cfl_3ea0, cfg, sizeof(cfg));
	put16(cfg, 2, igd_id);
	assert_int_equal(fx_write_config(e->fx, "0000:00:02.0", 0, cfg, sizeof(cfg)), 0);
	hex_rows(cfl_3e34_host, fk.host_cfg, sizeof(fk.host_cfg));
	assert_int_equal(fx_write_config(e->fx, "0000:00:00.0", 0, fk.host_cfg, 256), 0);
	hex_rows(cfl_a30d_lpc, fk.lpc_cfg, sizeof(fk.lpc_cfg));
	env_put(e, "kernel/iommu_groups/1/reserved_regions",
		"0x000000008b000000 0x000000008f7fffff direct-relaxable\n");
	env_put(e, "_proc/iomem", "00100000-88e0ffff : System RAM\n"
				  "8a000000-8f7fffff : Reserved\n"
				  "  8b800000-8f7fffff : Graphics Stolen Memory\n");
	env_ctx(e);
	snprintf(dir, sizeof(dir), "%s/_proc", fx_root(e->fx));
	assert_int_equal(vfiox_ctx_set_proc_root(e->ctx, dir), 0);
	snprintf(fk.devroot, sizeof(fk.devroot), "%s/_dev", fx_root(e->fx));
	assert_int_equal(vfiox_ctx_set_dev_root(e->ctx, fk.devroot), 0);

	region(0, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		  VFIO_REGION_INFO_FLAG_MMAP, 16 * MiB);
	for (i = 1; i < 9; i++)
		region(i, 0, 0);
	region(2, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		  VFIO_REGION_INFO_FLAG_MMAP, 256 * MiB);
	region(VFIO_PCI_ROM_REGION_INDEX, VFIO_REGION_INFO_FLAG_READ, 0x20000);
	region(VFIO_PCI_CONFIG_REGION_INDEX,
	       VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE, 256);
	host_opregion(host, 0x0201, VFIOX_IGD_MBOX_ACPI | VFIOX_IGD_MBOX_SWSCI |
		      VFIOX_IGD_MBOX_ASLE, 0, 0);
	put_vbt(host + 0x400, 0x1200);
	vfio_opregion(host, NULL);
	vendor_region(R_HOST, VFIO_REGION_SUBTYPE_INTEL_IGD_HOST_CFG, 256, fk.host_cfg);
	if (lpc)
		vendor_region(R_LPC, VFIO_REGION_SUBTYPE_INTEL_IGD_LPC_CFG, 256, fk.lpc_cfg);
	return e;
}

/* The status of finding @id (-1: absent), its summary and fix. */
static int finding(const struct vfiox_igd *g, const char *id, const char **summary,
		   const char **fix)
{
	const struct vfiox_findings *f = vfiox_igd_findings(g);
	size_t i;

	for (i = 0; i < vfiox_findings_count(f); i++)
		if (!strcmp(vfiox_findings_id(f, i), id)) {
			if (summary)
				*summary = vfiox_findings_summary(f, i);
			if (fix)
				*fix = vfiox_findings_fix(f, i);
			return vfiox_findings_status(f, i);
		}
	return -1;
}

#define assert_has(s, w) assert_non_null(strstr((s), (w)))

static struct vfiox_igd *inspect(struct env *e, unsigned flags)
{
	struct vfiox_igd *g = NULL;
	int ret = vfiox_igd_inspect(e->ctx, "00:02.0", flags, &g);

	if (ret)
		fail_msg("vfiox_igd_inspect = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	return g;
}

/* Every fake fd closed exactly once, the real ones the library opened too; then freed. */
static void done(struct env *e, struct vfiox_igd *g)
{
	vfiox_igd_free(g);
	fk_assert_fds_closed();
	assert_int_equal(fk.real_closed, fk.real_open);
	env_free(e);
}

/* ------------------------------------------------------------------ the cases */

static void test_coffee_lake_three_regions_vbt_in_mailbox_4(void **state)
{
	struct env *e = igd_host(0x3ea0, true);
	struct vfiox_igd *g = inspect(e, 0);
	const struct vfiox_igd_vfio *v = vfiox_igd_vfio(g);
	const struct vfiox_igd_opregion *op = vfiox_igd_opregion(g);
	const void *vbt;
	const char *s;
	size_t len;

	(void)state;
	assert_true(v->opened);
	assert_string_equal(v->error, "");
	assert_int_equal(v->opregion_size, OPR);
	/* read-only, not mmap-able; CAPS: the type capability that names it */
	assert_int_equal(v->opregion_flags, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_CAPS);
	assert_int_equal(v->host_cfg_size, 256);
	assert_int_equal(v->lpc_cfg_size, 256);
	assert_int_equal(v->lpc_vendor_id, 0x8086);
	assert_int_equal(v->lpc_device_id, 0xa30d);
	assert_int_equal(v->lpc_class, 0x060100);
	assert_int_equal(v->rom_size, 0x20000);
	assert_false(v->mtl_ggc_read);
	assert_int_equal(fk.bar0_reads, 0); /* GGC is in config space before Meteor Lake */

	assert_non_null(op);
	assert_int_equal(op->size, OPR);
	assert_int_equal(op->ver_major, 2);
	assert_int_equal(op->ver_minor, 1);
	assert_int_equal(op->ver_rev, 3);
	assert_int_equal(op->mboxes,
			 VFIOX_IGD_MBOX_ACPI | VFIOX_IGD_MBOX_SWSCI | VFIOX_IGD_MBOX_ASLE);
	assert_int_equal(op->vbt_at, VFIOX_IGD_VBT_MAILBOX);
	assert_int_equal(op->vbt_offset, 0x400);
	assert_int_equal(op->bdb_version, 228);
	assert_int_equal(vfiox_igd_vbt(g, &vbt, &len), 0);
	assert_int_equal(len, 0x1200);
	assert_memory_equal(vbt, fk.opregion + 0x400, 0x1200);

	assert_int_equal(finding(g, "igd.regions", &s, NULL), VFIOX_CHECK_OK);
	assert_has(s, "IGD OpRegion 8 KiB, IGD host bridge config yes, IGD LPC config yes");
	assert_int_equal(finding(g, "igd.opregion", &s, NULL), VFIOX_CHECK_OK);
	assert_has(s, "OpRegion 2.1.3, 8 KiB, mailboxes ACPI SWSCI ASLE (read-only)");
	assert_int_equal(finding(g, "igd.vbt", &s, NULL), VFIOX_CHECK_OK);
	assert_has(s, "4608 bytes, BDB version 228, in mailbox 4 at offset 0x400");
	/* gen9, VGA, the LPC bridge's ids (read through its region), vfio-pci's shadow ROM */
	assert_int_equal(finding(g, "qemu.legacy", &s, NULL), VFIOX_CHECK_OK);
	assert_has(vfiox_igd_qemu_args(g), "x-igd-opregion=on");
	assert_int_equal(fk_fds.opens, 3);
	done(e, g);

	/* the region's ids win over sysfs: an LPC region that is no ISA bridge */
	e = igd_host(0x3ea0, true);
	fk.lpc_cfg[0x0A] = 0x80;
	g = inspect(e, 0);
	assert_int_equal(vfiox_igd_vfio(g)->lpc_class, 0x068000);
	assert_int_equal(finding(g, "qemu.legacy", &s, NULL), VFIOX_CHECK_WARN);
	assert_has(s, "no Intel ISA/LPC bridge at 00:1f.0");
	done(e, g);
}

static void test_extended_vbt_as_vfio_pci_presents_it(void **state)
{
	/* a 2.0 host (RVDA a physical address) and a 2.1 host with the VBT 16 KiB in */
	static const struct {
		uint16_t version;
		uint64_t rvda;
	} hosts[] = { { 0x0200, 0x88e20000 }, { 0x0201, 0x4000 } };
	static uint8_t host[OPR], vbt_ex[0x2000];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		struct env *e = igd_host(0x3ea0, true);
		const struct vfiox_igd_opregion *op;
		struct vfiox_igd *g;
		const void *vbt;
		const char *s;
		size_t len;

		host_opregion(host, hosts[i].version, VFIOX_IGD_MBOX_ACPI | VFIOX_IGD_MBOX_ASLE,
			      hosts[i].rvda, sizeof(vbt_ex));
		memset(vbt_ex, 0x5A, sizeof(vbt_ex));
		put_vbt(vbt_ex, 0x1a00); /* more than mailbox 4's 7 KiB */
		vfio_opregion(host, vbt_ex);
		g = inspect(e, 0);
		assert_int_equal(vfiox_igd_vfio(g)->opregion_size, OPR + sizeof(vbt_ex));
		op = vfiox_igd_opregion(g);
		assert_non_null(op);
		assert_int_equal(op->size, OPR);
		assert_int_equal(op->ver_major, 2);
		assert_int_equal(op->ver_minor, 1);
		assert_int_equal(op->rvda, 0x2000);
		assert_int_equal(op->rvds, sizeof(vbt_ex));
		assert_int_equal(op->vbt_at, VFIOX_IGD_VBT_RVDA_REL);
		assert_int_equal(op->vbt_offset, 0x2000);
		assert_int_equal(vfiox_igd_vbt(g, &vbt, &len), 0);
		assert_int_equal(len, 0x1a00);
		assert_memory_equal(vbt, vbt_ex, 0x1a00);
		assert_int_equal(finding(g, "igd.regions", &s, NULL), VFIOX_CHECK_OK);
		assert_has(s, "IGD OpRegion 16 KiB");
		assert_int_equal(finding(g, "igd.vbt", &s, NULL), VFIOX_CHECK_OK);
		assert_has(s, "6656 bytes, BDB version 228, extended (RVDA) at offset 0x2000");
		done(e, g);
	}
}

static void test_opregion_refused_no_vbt(void **state)
{
	static const char *const whys[] = { "the header says 16 KiB, the region holds 8192 bytes",
					    "no \"IntelGraphicsMem\" signature" };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct env *e = igd_host(0x3ea0, true);
		struct vfiox_igd *g;
		const void *vbt;
		const char *s;
		size_t len;

		/* not what vfio-pci builds (it sizes by the header, refuses a bad signature) */
		if (i == 0)
			put32(fk.opregion, 0x10, 16);
		else
			fk.opregion[15] = 'n';
		g = inspect(e, 0);
		assert_int_equal(finding(g, "igd.opregion", &s, NULL), VFIOX_CHECK_FAIL);
		assert_has(s, "the OpRegion region is refused");
		assert_has(s, whys[i]);
		assert_null(vfiox_igd_opregion(g));
		assert_int_equal(vfiox_igd_vbt(g, &vbt, &len), -ENOENT);
		assert_int_equal(finding(g, "igd.vbt", NULL, NULL), -1);
		assert_int_equal(finding(g, "igd.regions", NULL, NULL), VFIOX_CHECK_OK);
		done(e, g);
	}
}

static void test_no_lpc_region(void **state)
{
	/* no 00:1f.0: vfio_pci_igd_cfg_init() registers the host bridge's, then -ENODEV */
	struct env *e = igd_host(0x3ea0, false);
	struct vfiox_igd *g = inspect(e, 0);
	const char *s, *fix;

	(void)state;
	assert_int_equal(fk.nregions, R_HOST + 1);
	assert_int_equal(vfiox_igd_vfio(g)->lpc_cfg_size, 0);
	assert_int_equal(vfiox_igd_vfio(g)->lpc_vendor_id, 0);
	assert_int_equal(finding(g, "igd.regions", &s, &fix), VFIOX_CHECK_WARN);
	assert_has(s, "IGD host bridge config yes, IGD LPC config (none)");
	assert_has(fix, "an Intel ISA bridge at 00:1f.0");
	assert_int_equal(finding(g, "igd.opregion", NULL, NULL), VFIOX_CHECK_OK);
	assert_int_equal(finding(g, "qemu.legacy", &s, NULL), VFIOX_CHECK_WARN);
	assert_has(s, "no Intel ISA/LPC bridge at 00:1f.0");
	done(e, g);
}

static void test_display_class_gets_no_regions(void **state)
{
	/* vfio-pci 6.12 sets up the IGD regions for VGA-class Intel devices only */
	struct env *e;
	struct vfiox_igd *g;
	const char *s, *fix;

	(void)state;
	igd_class = 0x038000;
	e = igd_host(0x3ea0, true);
	igd_class = 0x030000;
	fk.nregions = VFIO_PCI_NUM_REGIONS;
	g = inspect(e, 0);
	assert_true(vfiox_igd_vfio(g)->opened);
	assert_int_equal(vfiox_igd_vfio(g)->opregion_size, 0);
	assert_int_equal(finding(g, "igd.regions", &s, &fix), VFIOX_CHECK_WARN);
	assert_has(s, "IGD OpRegion (none)");
	assert_has(fix, "VGA-class (0x0300)");
	assert_int_equal(finding(g, "qemu.legacy", &s, NULL), VFIOX_CHECK_WARN);
	assert_has(s, "not VGA");
	done(e, g);
}

static void test_group_busy_and_device_refused(void **state)
{
	struct env *e = igd_host(0x3ea0, true);
	struct vfiox_igd *g;
	const char *s;

	(void)state;
	fk.group_open_err = -EBUSY;
	g = inspect(e, 0);
	assert_false(vfiox_igd_vfio(g)->opened);
	assert_int_equal(finding(g, "igd.regions", &s, NULL), VFIOX_CHECK_WARN);
	assert_has(s, "could not open it through VFIO: IOMMU group 1");
	assert_has(s, "is in use by");
	assert_has(vfiox_igd_vfio(g)->error, "a group can be open in one process at a time");
	assert_null(vfiox_igd_opregion(g));
	assert_int_equal(fk_fds.opens, 1); /* the container, closed again */
	done(e, g);

	/* vfio-pci's open_device fails (e.g. its IGD regions could not be set up) */
	e = igd_host(0x3ea0, true);
	fk.device_fd_err = -EINVAL;
	g = inspect(e, 0);
	assert_int_equal(finding(g, "igd.regions", &s, NULL), VFIOX_CHECK_WARN);
	assert_has(s, "could not open it through VFIO: 0000:00:02.0");
	assert_int_equal(fk_fds.opens, 2);
	done(e, g);
}

static void test_opregion_read_error(void **state)
{
	static const char *const whys[] = { "Input/output error", "Input/output error",
					    "Bad address" };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct env *e = igd_host(0x3ea0, true);
		struct vfiox_igd *g;
		const void *vbt;
		const char *s;
		size_t len;

		if (i == 1)
			fk.short_by[R_OPREGION] = 1;
		else
			fk.pread_err[R_OPREGION] = i ? -EFAULT : -EIO;
		g = inspect(e, 0);
		assert_int_equal(finding(g, "igd.opregion", &s, NULL), VFIOX_CHECK_FAIL);
		assert_has(s, "reading the OpRegion region failed: ");
		assert_has(s, whys[i]);
		assert_null(vfiox_igd_opregion(g));
		assert_int_equal(vfiox_igd_vbt(g, &vbt, &len), -ENOENT);
		assert_int_equal(vfiox_igd_vfio(g)->lpc_device_id, 0xa30d); /* the others still read */
		done(e, g);
	}
}

static void test_meteor_lake_ggc_from_bar0(void **state)
{
	struct env *e = igd_host(0x7d55, true);
	struct vfiox_igd *g;
	const char *s;

	(void)state;
	fk.ggc = 0xF1C0;
	g = inspect(e, 0);
	assert_string_equal(vfiox_igd_layout(g)->family, "Meteor Lake");
	assert_true(vfiox_igd_vfio(g)->mtl_ggc_read);
	assert_int_equal(vfiox_igd_vfio(g)->mtl_ggc, 0xF1C0);
	assert_int_equal(fk.bar0_reads, 1);
	assert_int_equal(fk.last_bar0_off, GGC_MMIO);
	assert_int_equal(finding(g, "igd.gmch", &s, NULL), VFIOX_CHECK_OK);
	assert_has(s, "GGC 0xf1c0 (BAR0 + 0x108040): GMS 0xf1 = 8 MiB data stolen memory, GGMS 3");
	assert_int_equal(finding(g, "igd.dsm", &s, NULL), VFIOX_CHECK_INFO);
	assert_null(strstr(s, "readable through VFIO once"));
	done(e, g);

	/* a GMS code without a size */
	e = igd_host(0x7d55, true);
	fk.ggc = 0x10C0;
	g = inspect(e, 0);
	assert_int_equal(finding(g, "igd.gmch", &s, NULL), VFIOX_CHECK_WARN);
	assert_has(s, "GMS 0x10 = 0 bytes");
	done(e, g);
}

static void test_no_vfio_flag_opens_nothing(void **state)
{
	struct env *e = igd_host(0x3ea0, true);
	struct vfiox_igd *g = inspect(e, VFIOX_IGD_NO_VFIO);

	(void)state;
	assert_int_equal(fk_fds.opens, 0);
	assert_int_equal(fk.ioctls, 0);
	assert_int_equal(fk.preads, 0);
	assert_false(vfiox_igd_vfio(g)->opened);
	assert_int_equal(vfiox_igd_vfio(g)->opregion_size, 0);
	assert_null(vfiox_igd_opregion(g));
	assert_int_equal(finding(g, "igd.dsm", NULL, NULL), VFIOX_CHECK_OK); /* config still read */
	/* nothing was tried, so nothing is said to have failed */
	assert_int_equal(finding(g, "igd.regions", NULL, NULL), VFIOX_CHECK_INFO);
	done(e, g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		env_test(test_coffee_lake_three_regions_vbt_in_mailbox_4),
		env_test(test_extended_vbt_as_vfio_pci_presents_it),
		env_test(test_opregion_refused_no_vbt),
		env_test(test_no_lpc_region),
		env_test(test_display_class_gets_no_regions),
		env_test(test_group_busy_and_device_refused),
		env_test(test_opregion_read_error),
		env_test(test_meteor_lake_ggc_from_bar0),
		env_test(test_no_vfio_flag_opens_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
