// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Clearing an IGD's data stolen memory (libvfiox/igd-zero.c, vfiox_igd_zero_device())
 * against a model of the GPU, with the kernel and the library's lower layers substituted
 * at the functions igd-zero.c calls (-Wl,--wrap, WRAP_test-igd-zero in the Makefile):
 *
 * - Host memory is a memfd standing for physical memory from the GTT stolen memory (GSM)
 *   up: the GSM filled with 0x55, the DSM above it with 0xAA (what the last guest left),
 *   and a margin after the DSM with 0x33. Only the DSM may change.
 * - The IOMMU: the GPU reaches host memory only where a live vfiox_physmap_new() mapping
 *   covers it (wrapped: the call is recorded, identity mapping asserted) and only while
 *   bus master is on in the command register (vfiox_device_config_read/_write, wrapped).
 * - The device fd is a real memfd (so its close is harmless), adopted through a wrapped
 *   VFIO_DEVICE_GET_INFO; vfiox_device_region() (wrapped) gives BAR0 of 16 MiB and BAR2,
 *   at vfio-pci's offsets (index << 40). vfiox_sys_pread/_pwrite (wrapped) on it are
 *   BAR0: its upper 8 MiB the GGTT (one 8-byte entry per 4 KiB of graphics address space,
 *   started with distinct old values that must come back), GFX_FLSH_CNTL (0x101008) and,
 *   for Meteor Lake, GGC (0x108040) and DSMBASE (0x1080C0). As vfio-pci does, a BAR access
 *   through the fd with memory decode off fails with -EIO.
 * - BAR2, the aperture (vfiox_bar_open/_ptr/_close, wrapped): a reserved range of address
 *   space whose page i the model maps (MAP_FIXED | MAP_SHARED) onto the host memory page
 *   that GGTT entry i points at, when that entry is present, inside the host memory and
 *   reachable through the IOMMU; any other page is a scratch page that swallows writes.
 *   The model re-points the aperture only when 1 is written to GFX_FLSH_CNTL (the GGTT TLB
 *   invalidate): entries written without it leave the aperture where it was, so a library
 *   that forgets the invalidate writes its zeros into scratch pages and the test fails
 *   (test_model_repoints_only_on_flush proves the model does so).
 *   For Meteor Lake, BAR2 is 256 MiB: its first 8 MiB are the GSM, the DSM follows at
 *   8 MiB (reachable as above), the rest faults.
 * - A scratch page swallows writes: it reads 0xFF (as a master abort does) and what is
 *   written to it is gone by the time anything else happens, which the model sees as the
 *   library's next look at the clock (clock_gettime, wrapped; igd-zero.c times its writes
 *   before it reads them back). So zeros written through it read back as 0xFF, as from a
 *   GPU that drops writes. (Faulting on PROT_NONE pages would model it without the clock,
 *   but valgrind reports every such fault as an invalid access.)
 *
 * Every test ends with every fd it opened closed (the device's by vfiox_device_close(),
 * the count of /proc/self/fd as at the start), every physmap and BAR closed, the command
 * register as it was; the Makefile runs this under ASan and valgrind too.
 *
 * Linked with WRAP_test-igd-zero in the Makefile.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <time.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/vfio.h>

#include <vfiox/vfiox.h>
#include <vfiox/bar.h>
#include <vfiox/igd.h>
#include <vfiox/physmap.h>

#include "internal.h"

#define PAGE UINT64_C(4096)
#define MiB (UINT64_C(1) << 20)
#define REGION_OFF(i) ((uint64_t)(i) << 40) /* vfio-pci's VFIO_PCI_INDEX_TO_OFFSET */
#define BAR0_SIZE (16 * MiB)
#define GTT_OFF (BAR0_SIZE / 2)
#define GTT_ENTRIES (GTT_OFF / 8)
#define FLSH_CNTL 0x101008u
#define GGC_REG 0x108040u
#define DSMBASE_REG 0x1080C0u
#define APERTURE (4 * MiB) /* BAR2 before Meteor Lake: an 8 MiB DSM takes 2 steps */
#define MTL_BAR2 (256 * MiB)
#define MTL_DSM_AT (8 * MiB)
#define MARGIN (1 * MiB)
#define CMD_MEM 0x2
#define CMD_MASTER 0x4
#define CMD_INIT 0x0400 /* INTx disabled, memory and bus master off */
#define CMD_INIT_MTL 0x0402 /* memory on (pci_enable_device), bus master off */
#define RWF (VFIOX_DMA_READ | VFIOX_DMA_WRITE | VFIOX_DMA_FIXED)
#define MAX_PAGES (MTL_BAR2 / PAGE)

/* The entries the GGTT held before: distinct, present, pointing nowhere the GPU may go. */
#define OLD_PTE(i) ((UINT64_C(0x300000000) + (uint64_t)(i) * PAGE) | 1)

int __real_vfiox_sys_ioctl(int fd, unsigned long req, void *arg);
int __wrap_vfiox_sys_ioctl(int fd, unsigned long req, void *arg);
ssize_t __real_vfiox_sys_pread(int fd, void *buf, size_t len, off_t off);
ssize_t __wrap_vfiox_sys_pread(int fd, void *buf, size_t len, off_t off);
ssize_t __real_vfiox_sys_pwrite(int fd, const void *buf, size_t len, off_t off);
ssize_t __wrap_vfiox_sys_pwrite(int fd, const void *buf, size_t len, off_t off);
int __wrap_vfiox_physmap_new(struct vfiox_container *c, uint64_t phys, uint64_t size,
			     unsigned int flags, uint64_t limit, uint64_t *iova,
			     struct vfiox_physmap **mp);
void __wrap_vfiox_physmap_free(struct vfiox_physmap *pm);
int __wrap_vfiox_device_region(struct vfiox_device *d, uint32_t index, struct vfiox_region **rp);
int __wrap_vfiox_bar_open(struct vfiox_device *d, uint32_t index, unsigned int flags,
			  struct vfiox_bar **bp);
volatile void *__wrap_vfiox_bar_ptr(const struct vfiox_bar *b, uint64_t offset, uint64_t len);
void __wrap_vfiox_bar_close(struct vfiox_bar *b);
int __wrap_vfiox_device_config_read(struct vfiox_device *d, uint32_t offset, void *buf,
				    size_t len);
int __wrap_vfiox_device_config_write(struct vfiox_device *d, uint32_t offset, const void *buf,
				     size_t len);
int __real_clock_gettime(clockid_t clk, struct timespec *ts);
int __wrap_clock_gettime(clockid_t clk, struct timespec *ts);

enum { PG_HOLE, PG_MEM, PG_SCRATCH };

/* What one test's GPU is. */
struct gpu {
	bool mtl;		  /* Meteor Lake: DSM behind BAR2, GGC/DSMBASE in BAR0 */
	uint64_t dsm_base, dsm_size; /* where the host memory puts the DSM */
	uint16_t ggc;		  /* MTL: GGC as BAR0 reads it */
	uint64_t dsmbase;	  /* MTL: DSMBASE as BAR0 reads it */
	uint16_t cmd;		  /* the command register at the start */
};

static struct model {
	struct gpu g;
	int fds_at_start;
	/* host memory: [mem_phys, mem_phys + mem_size) = GSM, DSM, margin */
	int mem_fd;
	uint8_t *mem;
	uint64_t mem_phys, mem_size, gsm_size;
	/* the device */
	int dev_fd;
	struct vfiox_ctx *ctx;
	struct vfiox_device *dev;
	uint8_t cfg[256];
	uint64_t *ggtt;
	uint64_t tlb[APERTURE / PAGE]; /* the entries as of the last invalidate */
	uint64_t bar2_size;
	uint8_t *ap; /* BAR2 as the CPU sees it */
	uint8_t pg[MAX_PAGES];
	unsigned drops_done; /* times the scratch pages dropped what was written */
	bool drops;   /* a GPU that drops writes: never re-points the aperture */
	int region_err;
	/* the IOMMU, through vfiox_physmap_new() */
	int physmap_err;
	unsigned pm_news, pm_frees;
	struct vfiox_physmap *pm;
	uint64_t pm_phys, pm_size, pm_limit, pm_iova_in;
	unsigned pm_flags;
	/* the BAR2 mapping, through vfiox_bar_open() */
	struct vfiox_bar *bar;
	unsigned bar_opens, bar_closes, bar_flags, bar_index;
	/* what went through the device fd */
	unsigned preads, pwrites, ggtt_writes, flushes, region_calls, stray, bad_ioctls;
	unsigned cfg_reads, cfg_writes;
	unsigned ggtt_write_fail_at; /* that GGTT write (1-based) fails, 0: none */
	bool ggtt_write_fail_all;
	unsigned cmd_checks, cmd_bad; /* accesses made with memory or bus master off */
} m;

static int container_token;
#define CONTAINER ((struct vfiox_container *)&container_token)

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static uint16_t cmd(void)
{
	return (uint16_t)(m.cfg[4] | m.cfg[5] << 8);
}

static void cmd_check(void)
{
	m.cmd_checks++;
	if ((cmd() & (CMD_MEM | CMD_MASTER)) != (CMD_MEM | CMD_MASTER))
		m.cmd_bad++;
}

/* ------------------------------------------------------------------ the aperture */

/* The first offset in [p, p + len) that is not @v, or -1. */
static long differs(const uint8_t *p, uint64_t len, uint8_t v)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return (long)i;
	return -1;
}

static void *page_at(size_t p)
{
	return m.ap + p * PAGE;
}

static void map_pages(size_t first, size_t n, int kind, uint64_t mem_off)
{
	void *want = page_at(first), *got;
	size_t i;

	if (kind == PG_MEM)
		got = mmap(want, n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, m.mem_fd,
			   (off_t)mem_off);
	else
		got = mmap(want, n * PAGE, kind == PG_SCRATCH ? PROT_READ | PROT_WRITE : PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	assert_ptr_equal(got, want);
	if (kind == PG_SCRATCH)
		memset(want, 0xFF, n * PAGE);
	for (i = 0; i < n; i++)
		m.pg[first + i] = (uint8_t)kind;
}

/* The host memory offset a GGTT entry (or a GPU address) reaches, or -1. */
static int64_t reach(uint64_t pte)
{
	uint64_t a = pte & ~0xfffull;

	if (!(pte & 1) || !(cmd() & CMD_MASTER) || a < m.mem_phys || a - m.mem_phys >= m.mem_size)
		return -1;
	if (!m.pm || a < m.pm_phys || a - m.pm_phys >= m.pm_size)
		return -1; /* not mapped in the container: an IOMMU fault, the write is lost */
	return (int64_t)(a - m.mem_phys);
}

/* Maps BAR2 as the GPU would route it now (for the GGTT: as of the last invalidate). */
static void ap_refresh(void)
{
	size_t n, i, j;

	if (!m.ap)
		return;
	if (m.g.mtl) {
		int64_t dsm = reach(m.g.dsm_base | 1);

		map_pages(0, MTL_DSM_AT / PAGE, PG_MEM, 0); /* the GSM, 8 MiB below the DSM */
		if (dsm >= 0)
			map_pages(MTL_DSM_AT / PAGE, m.g.dsm_size / PAGE, PG_MEM, (uint64_t)dsm);
		else
			map_pages(MTL_DSM_AT / PAGE, m.g.dsm_size / PAGE, PG_SCRATCH, 0);
		i = (MTL_DSM_AT + m.g.dsm_size) / PAGE;
		map_pages(i, MTL_BAR2 / PAGE - i, PG_HOLE, 0);
		return;
	}
	n = APERTURE / PAGE;
	for (i = 0; i < n; i = j) {
		int64_t t = reach(m.tlb[i]);

		for (j = i + 1; j < n; j++) {
			int64_t u = reach(m.tlb[j]);

			if (t < 0 ? u >= 0 : u != t + (int64_t)((j - i) * PAGE))
				break;
		}
		map_pages(i, j - i, t < 0 ? PG_SCRATCH : PG_MEM, t < 0 ? 0 : (uint64_t)t);
	}
}

/* GFX_FLSH_CNTL written with 1: the GPU drops the entries it cached. */
static void invalidate(void)
{
	m.flushes++;
	cmd_check();
	if (m.drops)
		return;
	memcpy(m.tlb, m.ggtt, sizeof(m.tlb));
	ap_refresh();
}

/* What was written to scratch pages is gone. */
static void scratch_drop(void)
{
	size_t i, j, n = m.bar2_size / PAGE;

	if (!m.ap)
		return;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && m.pg[j] == m.pg[i]; j++)
			;
		if (m.pg[i] == PG_SCRATCH && differs(page_at(i), (j - i) * PAGE, 0xFF) >= 0) {
			memset(page_at(i), 0xFF, (j - i) * PAGE);
			m.drops_done++;
		}
	}
}

int __wrap_clock_gettime(clockid_t clk, struct timespec *ts)
{
	scratch_drop();
	return __real_clock_gettime(clk, ts);
}

/* ------------------------------------------------------------------ the wraps */

int __wrap_vfiox_sys_ioctl(int fd, unsigned long req, void *arg)
{
	struct vfio_device_info *info = arg;

	if (fd < 0 || fd != m.dev_fd)
		return __real_vfiox_sys_ioctl(fd, req, arg);
	if (req != VFIO_DEVICE_GET_INFO || m.dev) {
		m.bad_ioctls++;
		return -ENOTTY;
	}
	info->flags = VFIO_DEVICE_FLAGS_PCI;
	info->num_regions = VFIO_PCI_NUM_REGIONS;
	info->num_irqs = VFIO_PCI_NUM_IRQS;
	return 0;
}

/* Where a transfer on the device fd lands in BAR0, or false (and counted) when elsewhere. */
static bool bar0_at(off_t off, size_t len, uint64_t *o)
{
	if (off < 0 || (uint64_t)off >= REGION_OFF(0) + BAR0_SIZE ||
	    len > BAR0_SIZE - ((uint64_t)off - REGION_OFF(0))) {
		m.stray++;
		return false;
	}
	*o = (uint64_t)off - REGION_OFF(0);
	return true;
}

ssize_t __wrap_vfiox_sys_pread(int fd, void *buf, size_t len, off_t off)
{
	uint64_t o;

	if (fd < 0 || fd != m.dev_fd)
		return __real_vfiox_sys_pread(fd, buf, len, off);
	m.preads++;
	if (!bar0_at(off, len, &o))
		return -EINVAL;
	if (!(cmd() & CMD_MEM))
		return -EIO; /* vfio-pci refuses BAR access while memory decode is off */
	memset(buf, 0, len);
	if (o >= GTT_OFF)
		memcpy(buf, (uint8_t *)m.ggtt + (o - GTT_OFF), len);
	else if (o == FLSH_CNTL && len == 4)
		; /* reads 0: the invalidate is done */
	else if (m.g.mtl && o == GGC_REG && len == 2)
		memcpy(buf, &m.g.ggc, 2);
	else if (m.g.mtl && o == DSMBASE_REG && len == 8)
		memcpy(buf, &m.g.dsmbase, 8);
	else
		m.stray++;
	return (ssize_t)len;
}

ssize_t __wrap_vfiox_sys_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	uint32_t v;
	uint64_t o;

	if (fd < 0 || fd != m.dev_fd)
		return __real_vfiox_sys_pwrite(fd, buf, len, off);
	m.pwrites++;
	if (!bar0_at(off, len, &o))
		return -EINVAL;
	if (!(cmd() & CMD_MEM))
		return -EIO;
	if (o >= GTT_OFF) {
		m.ggtt_writes++;
		cmd_check();
		if (m.ggtt_write_fail_all || m.ggtt_writes == m.ggtt_write_fail_at)
			return -ENXIO;
		if (o % 8 || len % 8)
			m.stray++;
		memcpy((uint8_t *)m.ggtt + (o - GTT_OFF), buf, len);
		return (ssize_t)len;
	}
	if (o == FLSH_CNTL && len == 4) {
		memcpy(&v, buf, 4);
		if (v == 1)
			invalidate();
		else
			m.stray++;
		return 4;
	}
	m.stray++; /* no other register of this GPU is the library's to write */
	return (ssize_t)len;
}

int __wrap_vfiox_device_region(struct vfiox_device *d, uint32_t index, struct vfiox_region **rp)
{
	struct vfiox_region *r;

	assert_ptr_equal(d, m.dev);
	m.region_calls++;
	if (m.region_err)
		return m.region_err;
	assert_true(index == VFIO_PCI_BAR0_REGION_INDEX || index == VFIO_PCI_BAR2_REGION_INDEX);
	r = calloc(1, sizeof(*r));
	assert_non_null(r);
	r->index = index;
	r->name = index ? "BAR2" : "BAR0";
	r->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		   VFIO_REGION_INFO_FLAG_MMAP;
	r->size = index ? m.bar2_size : BAR0_SIZE;
	r->offset = REGION_OFF(index);
	*rp = r;
	return 0;
}

int __wrap_vfiox_physmap_new(struct vfiox_container *c, uint64_t phys, uint64_t size,
			     unsigned int flags, uint64_t limit, uint64_t *iova,
			     struct vfiox_physmap **mp)
{
	assert_ptr_equal(c, CONTAINER);
	assert_null(m.pm);
	m.pm_news++;
	m.pm_phys = phys;
	m.pm_size = size;
	m.pm_flags = flags;
	m.pm_limit = limit;
	m.pm_iova_in = *iova;
	if (m.physmap_err)
		return m.physmap_err;
	m.pm = malloc(16);
	assert_non_null(m.pm);
	*mp = m.pm;
	ap_refresh();
	return 0;
}

void __wrap_vfiox_physmap_free(struct vfiox_physmap *pm)
{
	if (!pm)
		return;
	assert_ptr_equal(pm, m.pm);
	free(pm);
	m.pm = NULL;
	m.pm_frees++;
	ap_refresh(); /* unmapped from the container: the GPU reaches it no more */
}

int __wrap_vfiox_bar_open(struct vfiox_device *d, uint32_t index, unsigned int flags,
			  struct vfiox_bar **bp)
{
	assert_ptr_equal(d, m.dev);
	assert_null(m.bar);
	m.bar_opens++;
	m.bar_index = index;
	m.bar_flags = flags;
	m.bar = malloc(16);
	assert_non_null(m.bar);
	*bp = m.bar;
	return 0;
}

volatile void *__wrap_vfiox_bar_ptr(const struct vfiox_bar *b, uint64_t offset, uint64_t len)
{
	assert_ptr_equal(b, m.bar);
	assert_int_equal(m.bar_index, 2);
	if (offset > m.bar2_size || len > m.bar2_size - offset)
		return NULL;
	cmd_check();
	return m.ap + offset;
}

void __wrap_vfiox_bar_close(struct vfiox_bar *b)
{
	if (!b)
		return;
	assert_ptr_equal(b, m.bar);
	free(b);
	m.bar = NULL;
	m.bar_closes++;
}

int __wrap_vfiox_device_config_read(struct vfiox_device *d, uint32_t offset, void *buf,
				    size_t len)
{
	assert_ptr_equal(d, m.dev);
	assert_true(offset + len <= sizeof(m.cfg));
	m.cfg_reads++;
	memcpy(buf, m.cfg + offset, len);
	return 0;
}

int __wrap_vfiox_device_config_write(struct vfiox_device *d, uint32_t offset, const void *buf,
				     size_t len)
{
	assert_ptr_equal(d, m.dev);
	m.cfg_writes++;
	if (offset != 4 || len != 2) {
		m.stray++;
		return -EINVAL;
	}
	memcpy(m.cfg + 4, buf, 2);
	ap_refresh(); /* bus master on or off: what the GPU reaches changes */
	return 0;
}

/* ------------------------------------------------------------------ the model's life */

static void model_free(void)
{
	vfiox_device_close(m.dev);
	m.dev = NULL;
	m.dev_fd = -1;
	vfiox_ctx_free(m.ctx);
	m.ctx = NULL;
	if (m.ap)
		munmap(m.ap, m.bar2_size);
	m.ap = NULL;
	if (m.mem)
		munmap(m.mem, m.mem_size);
	m.mem = NULL;
	if (m.mem_fd >= 0)
		close(m.mem_fd);
	m.mem_fd = -1;
	free(m.ggtt);
	m.ggtt = NULL;
	free(m.pm);
	m.pm = NULL;
	free(m.bar);
	m.bar = NULL;
}

static void model_start(const struct gpu *g)
{
	size_t i;
	int fd;

	memset(&m, 0, sizeof(m));
	m.mem_fd = m.dev_fd = -1;
	m.g = *g;
	m.fds_at_start = count_fds();
	m.gsm_size = 8 * MiB;
	m.mem_phys = g->dsm_base - m.gsm_size;
	m.mem_size = m.gsm_size + g->dsm_size + MARGIN;
	m.mem_fd = memfd_create("igd-host-memory", MFD_CLOEXEC);
	assert_true(m.mem_fd >= 0);
	assert_int_equal(ftruncate(m.mem_fd, (off_t)m.mem_size), 0);
	m.mem = mmap(NULL, m.mem_size, PROT_READ | PROT_WRITE, MAP_SHARED, m.mem_fd, 0);
	assert_true(m.mem != MAP_FAILED);
	memset(m.mem, 0x55, m.gsm_size);
	memset(m.mem + m.gsm_size, 0xAA, g->dsm_size);
	memset(m.mem + m.gsm_size + g->dsm_size, 0x33, MARGIN);

	m.ggtt = malloc(GTT_ENTRIES * 8);
	assert_non_null(m.ggtt);
	for (i = 0; i < GTT_ENTRIES; i++)
		m.ggtt[i] = OLD_PTE(i);
	memcpy(m.tlb, m.ggtt, sizeof(m.tlb));
	m.cfg[0] = 0x86, m.cfg[1] = 0x80;
	m.cfg[4] = (uint8_t)g->cmd, m.cfg[5] = (uint8_t)(g->cmd >> 8);

	m.bar2_size = g->mtl ? MTL_BAR2 : APERTURE;
	m.ap = mmap(NULL, m.bar2_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(m.ap != MAP_FAILED);
	ap_refresh();

	assert_int_equal(vfiox_ctx_new(&m.ctx), 0);
	fd = memfd_create("igd-device", MFD_CLOEXEC);
	assert_true(fd >= 0);
	m.dev_fd = fd;
	assert_int_equal(vfiox_device_adopt(m.ctx, fd, "0000:00:02.0", &m.dev), 0);
}

/* Ends a test: everything the library opened is closed, and so is everything we did. */
static void model_end(void)
{
	int fd = m.dev_fd;

	assert_null(m.pm);
	assert_null(m.bar);
	assert_int_equal(m.pm_frees, m.pm_news - (m.physmap_err ? m.pm_news : 0));
	assert_int_equal(m.bar_closes, m.bar_opens);
	assert_int_equal(m.bad_ioctls, 0);
	assert_int_equal(m.stray, 0);
	assert_int_equal(cmd(), m.g.cmd);
	/* The GGTT's last write was followed by an invalidate: the GPU uses what it holds. */
	assert_memory_equal(m.tlb, m.ggtt, sizeof(m.tlb));
	model_free();
	assert_int_equal(fcntl(fd, F_GETFD), -1); /* vfiox_device_close() closed the device fd */
	assert_int_equal(errno, EBADF);
	assert_int_equal(count_fds(), m.fds_at_start);
}

static int teardown(void **state)
{
	(void)state;
	model_free();
	return 0;
}

/* ------------------------------------------------------------------ helpers */

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* A display device's config space, decoded as the library decodes it. */
static struct vfiox_igd_layout decode(uint16_t vendor, uint16_t device, uint16_t gmch,
				      uint32_t bdsm32, uint64_t bdsm64)
{
	struct vfiox_igd_layout l;
	uint8_t cfg[256] = { 0 };

	put16(cfg, vendor);
	put16(cfg + 2, device);
	cfg[0x0b] = 0x03; /* display controller */
	put16(cfg + 0x50, gmch);
	put32(cfg + 0x5c, bdsm32);
	put64(cfg + 0xc0, bdsm64);
	put32(cfg + 0xfc, 0x7a000000u); /* ASLS */
	assert_int_equal(vfiox_igd_decode(cfg, sizeof(cfg), NULL, 0, &l), 0);
	return l;
}

#define CFL_DSM UINT64_C(0x7b800000)	 /* gen9: 32-bit BDSM */
#define ICL_DSM UINT64_C(0x17c000000)	 /* gen11: 64-bit BDSM, above 4 GiB */
#define MTL_DSM UINT64_C(0x7c800000)

static struct vfiox_igd_layout coffee_lake(void)
{
	/* GMS 0xF1 (8 MiB in 4 MiB steps), GGMS 3 (8 MiB of GTT), BDSM locked */
	struct vfiox_igd_layout l = decode(0x8086, 0x3ea0, 0xF1C0, CFL_DSM | 1, 0);

	assert_int_equal(l.kind, VFIOX_IGD_INTEGRATED);
	assert_int_equal(l.gen, 9);
	assert_int_equal(l.dsm_at, VFIOX_IGD_DSM_BDSM32);
	assert_int_equal(l.dsm_base, CFL_DSM);
	assert_int_equal(l.dsm_size, 8 * MiB);
	assert_int_equal(l.gsm_size, 8 * MiB);
	return l;
}

static const struct gpu cfl_gpu = { .dsm_base = CFL_DSM, .dsm_size = 8 * MiB, .cmd = CMD_INIT };

static void assert_memory(uint8_t dsm)
{
	long at;

	if ((at = differs(m.mem, m.gsm_size, 0x55)) >= 0)
		fail_msg("GSM written at 0x%" PRIx64, m.mem_phys + (uint64_t)at);
	if ((at = differs(m.mem + m.gsm_size, m.g.dsm_size, dsm)) >= 0)
		fail_msg("DSM at 0x%" PRIx64 " reads 0x%02x, expected 0x%02x",
			 m.g.dsm_base + (uint64_t)at, m.mem[m.gsm_size + (uint64_t)at], dsm);
	if ((at = differs(m.mem + m.gsm_size + m.g.dsm_size, MARGIN, 0x33)) >= 0)
		fail_msg("memory after the DSM written at 0x%" PRIx64,
			 m.g.dsm_base + m.g.dsm_size + (uint64_t)at);
}

static void assert_ggtt_restored(void)
{
	size_t i;

	for (i = 0; i < GTT_ENTRIES; i++)
		if (m.ggtt[i] != OLD_PTE(i))
			fail_msg("GGTT entry %zu is 0x%016" PRIx64 ", was 0x%016" PRIx64, i, m.ggtt[i],
				 OLD_PTE(i));
}

/* The DSM was mapped into the container at its own address, for reading and writing. */
static void assert_identity_physmap(void)
{
	assert_int_equal(m.pm_news, 1);
	assert_int_equal(m.pm_phys, m.g.dsm_base);
	assert_int_equal(m.pm_iova_in, m.g.dsm_base);
	assert_int_equal(m.pm_size, m.g.dsm_size);
	assert_int_equal(m.pm_flags, RWF);
	assert_int_equal(m.pm_limit, 0);
}

/* Nothing at all was asked of the device or the container. */
static void assert_untouched(void)
{
	assert_int_equal(m.region_calls, 0);
	assert_int_equal(m.preads + m.pwrites, 0);
	assert_int_equal(m.cfg_reads + m.cfg_writes, 0);
	assert_int_equal(m.pm_news, 0);
	assert_int_equal(m.bar_opens, 0);
	assert_memory(0xAA);
	assert_ggtt_restored();
}

static void assert_error(const char *w1, const char *w2)
{
	const char *msg = vfiox_ctx_last_error(m.ctx);

	if (!strstr(msg, w1) || (w2 && !strstr(msg, w2)))
		fail_msg("last error '%s' lacks '%s' / '%s'", msg, w1, w2 ? w2 : "");
}

static void assert_plan(const struct vfiox_igd_zero_report *rep, const char *want)
{
	if (!strstr(rep->plan, want))
		fail_msg("plan lacks '%s':\n%s", want, rep->plan);
}

/* The plan of the GGTT method names the ranges it touches. */
static void assert_ggtt_plan(const struct vfiox_igd_zero_report *rep, uint64_t steps)
{
	char want[256];

	snprintf(want, sizeof(want), "map the DSM 0x%" PRIx64 "-0x%" PRIx64
		 " into the container at IOVA 0x%" PRIx64, m.g.dsm_base,
		 m.g.dsm_base + m.g.dsm_size - 1, m.g.dsm_base);
	assert_plan(rep, want);
	assert_plan(rep, "save GGTT entries 0-1023 (BAR0 + 0x800000, 8192 bytes)");
	snprintf(want, sizeof(want), "for each of %" PRIu64 " steps of 4 MiB: write entries 0-1023 "
		 "as (DSM page address | 1), starting 0x%016" PRIx64, steps, m.g.dsm_base | 1);
	assert_plan(rep, want);
	assert_plan(rep, "write 1 to GFX_FLSH_CNTL (BAR0 + 0x101008) and read it back");
	assert_plan(rep, "write zeros to BAR2 0-0x3fffff");
	assert_plan(rep, "put the saved GGTT entries back");
}

static void assert_ggtt_report(const struct vfiox_igd_zero_report *rep, uint64_t steps)
{
	assert_int_equal(rep->method, VFIOX_IGD_ZERO_GGTT);
	assert_int_equal(rep->dsm_base, m.g.dsm_base);
	assert_int_equal(rep->dsm_size, m.g.dsm_size);
	assert_int_equal(rep->iova, m.g.dsm_base);
	assert_int_equal(rep->window, APERTURE);
	assert_int_equal(rep->steps, steps);
	assert_int_equal(rep->pte_size, 8);
	assert_int_equal(rep->pte_first, m.g.dsm_base | 1);
	assert_ggtt_plan(rep, steps);
}

/* ------------------------------------------------------------------ the tests */

/*
 * The model itself: GGTT entries written without the invalidate leave the aperture on
 * scratch pages, so writes through it are lost; after the write of 1 to GFX_FLSH_CNTL
 * they land in the page the entry names. This is what makes a library that forgets
 * ggtt_invalidate() fail test_zero_coffee_lake: its zeros never reach the DSM, the
 * read-back finds 0xFF and the call fails with -EIO.
 */
static void test_model_repoints_only_on_flush(void **state)
{
	struct vfiox_physmap *pm;
	struct vfiox_bar *b;
	struct timespec ts;
	uint64_t iova = CFL_DSM, pte = CFL_DSM | 1;
	uint16_t on = CMD_INIT | CMD_MEM | CMD_MASTER, off = CMD_INIT;
	uint32_t one = 1;
	volatile uint8_t *p;

	(void)state;
	model_start(&cfl_gpu);
	assert_int_equal(__wrap_vfiox_physmap_new(CONTAINER, CFL_DSM, 8 * MiB, RWF, 0, &iova, &pm), 0);
	assert_int_equal(__wrap_vfiox_device_config_write(m.dev, 4, &on, 2), 0);
	assert_int_equal(__wrap_vfiox_sys_pwrite(m.dev_fd, &pte, 8, (off_t)(REGION_OFF(0) + GTT_OFF)), 8);
	assert_int_equal(__wrap_vfiox_bar_open(m.dev, 2, VFIOX_BAR_WHOLE, &b), 0);
	p = __wrap_vfiox_bar_ptr(b, 0, PAGE);
	assert_non_null(p);

	memset((void *)p, 0, PAGE); /* entry 0 written, the TLB not invalidated */
	clock_gettime(CLOCK_MONOTONIC, &ts); /* and then the writes are gone */
	assert_int_equal(p[0], 0xFF);
	assert_int_equal(m.drops_done, 1);
	assert_memory(0xAA);

	assert_int_equal(__wrap_vfiox_sys_pwrite(m.dev_fd, &one, 4, (off_t)FLSH_CNTL), 4);
	memset((void *)p, 0, PAGE);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	assert_int_equal(p[0], 0);
	assert_int_equal(differs(m.mem + m.gsm_size, PAGE, 0), -1);
	assert_int_equal(differs(m.mem + m.gsm_size + PAGE, m.g.dsm_size - PAGE, 0xAA), -1);

	pte = OLD_PTE(0);
	assert_int_equal(__wrap_vfiox_sys_pwrite(m.dev_fd, &pte, 8, (off_t)(REGION_OFF(0) + GTT_OFF)), 8);
	assert_int_equal(__wrap_vfiox_sys_pwrite(m.dev_fd, &one, 4, (off_t)FLSH_CNTL), 4);
	__wrap_vfiox_bar_close(b);
	__wrap_vfiox_physmap_free(pm);
	assert_int_equal(__wrap_vfiox_device_config_write(m.dev, 4, &off, 2), 0);
	assert_int_equal(m.flushes, 2);
	model_end();
}

static void test_zero_coffee_lake(void **state)
{
	struct vfiox_igd_layout l = coffee_lake();
	struct vfiox_igd_zero_report rep;

	(void)state;
	model_start(&cfl_gpu);
	assert_int_equal(vfiox_igd_zero_device(CONTAINER, m.dev, &l, 0, &rep), 0);
	/*
	 * The zeros reached the DSM only through entries the model re-pointed on the
	 * invalidate, while the DSM was mapped in the container and bus master was on.
	 */
	assert_memory(0x00);
	assert_ggtt_restored();
	assert_ggtt_report(&rep, 2);
	assert_plan(&rep, "; read it all back and check for zero");
	assert_int_equal(rep.bytes_written, 8 * MiB);
	assert_int_equal(rep.bytes_verified, 8 * MiB);
	assert_true(rep.total_ns >= rep.write_ns + rep.verify_ns);
	assert_identity_physmap();
	assert_int_equal(m.pm_frees, 1);
	assert_int_equal(m.bar_opens, 1);
	assert_int_equal(m.bar_flags, VFIOX_BAR_WHOLE);
	/* two steps and the restore, each an entry write and an invalidate */
	assert_int_equal(m.ggtt_writes, 3);
	assert_int_equal(m.flushes, 3);
	assert_true(m.cmd_checks >= 8);
	assert_int_equal(m.cmd_bad, 0); /* memory and bus master on throughout */
	assert_int_equal(m.cfg_writes, 2); /* on, and back to CMD_INIT (model_end checks) */
	model_end();
}

static void test_zero_gen11_bdsm64(void **state)
{
	/* Ice Lake: BDSM at 0xC0/0xC4 (the DSM above 4 GiB), GMS 0xF3: 16 MiB in 4 steps */
	struct vfiox_igd_layout l = decode(0x8086, 0x8a52, 0xF3C0, 0, ICL_DSM | 1);
	const struct gpu g = { .dsm_base = ICL_DSM, .dsm_size = 16 * MiB, .cmd = CMD_INIT };
	struct vfiox_igd_zero_report rep;

	(void)state;
	assert_int_equal(l.gen, 11);
	assert_int_equal(l.dsm_at, VFIOX_IGD_DSM_BDSM64);
	assert_int_equal(l.dsm_base, ICL_DSM);
	assert_int_equal(l.dsm_size, 16 * MiB);
	model_start(&g);
	assert_int_equal(vfiox_igd_zero_device(CONTAINER, m.dev, &l, 0, &rep), 0);
	assert_memory(0x00);
	assert_ggtt_restored();
	assert_ggtt_report(&rep, 4);
	assert_int_equal(rep.bytes_written, 16 * MiB);
	assert_int_equal(rep.bytes_verified, 16 * MiB);
	assert_identity_physmap();
	assert_int_equal(m.flushes, 5);
	assert_int_equal(m.cmd_bad, 0);
	model_end();
}

static void test_dry_run_writes_nothing(void **state)
{
	struct vfiox_igd_layout l = coffee_lake();
	struct vfiox_igd_zero_report rep;

	(void)state;
	model_start(&cfl_gpu);
	assert_int_equal(vfiox_igd_zero_device(CONTAINER, m.dev, &l, VFIOX_IGD_ZERO_DRY_RUN, &rep), 0);
	assert_ggtt_report(&rep, 2);
	assert_int_equal(rep.bytes_written, 0);
	assert_int_equal(rep.bytes_verified, 0);
	assert_int_equal(m.pwrites, 0);
	assert_int_equal(m.preads, 0);
	assert_int_equal(m.pm_news, 0);
	assert_int_equal(m.bar_opens, 0);
	assert_int_equal(m.cfg_writes, 0);
	assert_memory(0xAA);
	assert_ggtt_restored();
	model_end();
}

/* A GPU that drops writes: the aperture never leaves the scratch pages. */
static void test_gpu_drops_writes(void **state)
{
	struct vfiox_igd_layout l = coffee_lake();
	struct vfiox_igd_zero_report rep;
	char addr[32];

	(void)state;
	model_start(&cfl_gpu);
	m.drops = true;
	assert_int_equal(vfiox_igd_zero_device(CONTAINER, m.dev, &l, 0, &rep), -EIO);
	snprintf(addr, sizeof(addr), "0x%" PRIx64 " ", CFL_DSM);
	assert_error(addr, "still reads 0xffffffffffffffff");
	assert_error("did not write through", NULL);
	assert_memory(0xAA);
	assert_ggtt_restored();
	assert_int_equal(rep.bytes_written, APERTURE); /* the first step, then it stopped */
	assert_int_equal(rep.bytes_verified, 0);
	assert_int_equal(m.ggtt_writes, 2);	/* step 1 and the restore */
	assert_int_equal(m.flushes, 2);
	assert_int_equal(m.pm_frees, 1);
	model_end(); /* the command register is back too */
}

static void test_physmap_failure(void **state)
{
	struct vfiox_igd_layout l = coffee_lake();
	struct vfiox_igd_zero_report rep;

	(void)state;
	model_start(&cfl_gpu);
	m.physmap_err = -EPERM;
	assert_int_equal(vfiox_igd_zero_device(CONTAINER, m.dev, &l, 0, &rep), -EPERM);
	assert_int_equal(m.pm_news, 1);
	assert_int_equal(m.pwrites, 0);
	assert_int_equal(m.cfg_writes, 0);
	assert_int_equal(m.bar_opens, 0);
	assert_int_equal(rep.bytes_written, 0);
	assert_memory(0xAA);
	assert_ggtt_restored();
	model_end();
}

/* The second step's entries cannot be written: the error, and the first entries put back. */
static void test_ggtt_write_fails(void **state)
{
	struct vfiox_igd_layout l = coffee_lake();
	struct vfiox_igd_zero_report rep;
	long at;

	(void)state;
	model_start(&cfl_gpu);
	m.ggtt_write_fail_at = 2;
	assert_int_equal(vfiox_igd_zero_device(CONTAINER, m.dev, &l, 0, &rep), -ENXIO);
	assert_error("cannot write its GGTT", strerror(ENXIO));
	assert_int_equal(m.ggtt_writes, 3); /* step 1, step 2 (failed), the restore */
	assert_ggtt_restored();
	assert_int_equal(rep.bytes_written, APERTURE);
	/* The first 4 MiB were cleared, the rest is as it was; nothing outside the DSM. */
	assert_int_equal(differs(m.mem + m.gsm_size, APERTURE, 0), -1);
	at = differs(m.mem + m.gsm_size + APERTURE, m.g.dsm_size - APERTURE, 0xAA);
	assert_int_equal(at, -1);
	assert_int_equal(differs(m.mem, m.gsm_size, 0x55), -1);
	assert_int_equal(differs(m.mem + m.gsm_size + m.g.dsm_size, MARGIN, 0x33), -1);
	model_end();
}

/* No GGTT write gets through: the first error is the one returned, the restore tried. */
static void test_ggtt_unwritable(void **state)
{
	struct vfiox_igd_layout l = coffee_lake();
	struct vfiox_igd_zero_report rep;

	(void)state;
	model_start(&cfl_gpu);
	m.ggtt_write_fail_all = true;
	assert_int_equal(vfiox_igd_zero_device(CONTAINER, m.dev, &l, 0, &rep), -ENXIO);
	assert_error("cannot write its GGTT", NULL);
	assert_int_equal(m.ggtt_writes, 2); /* step 1 and the attempt to put the entries back */
	assert_int_equal(m.flushes, 0);
	assert_int_equal(rep.bytes_written, 0);
	assert_memory(0xAA);
	assert_ggtt_restored();
	model_end();
}

static void refused(struct vfiox_igd_layout l, const char *why)
{
	struct vfiox_igd_zero_report rep;

	model_start(&cfl_gpu);
	memset(&rep, 0x5a, sizeof(rep));
	assert_int_equal(vfiox_igd_zero_device(CONTAINER, m.dev, &l, 0, &rep), -EOPNOTSUPP);
	assert_error(why, NULL);
	assert_int_equal(rep.method, VFIOX_IGD_ZERO_NONE);
	assert_int_equal(rep.bytes_written, 0);
	assert_untouched();
	model_end();
}

static void test_refusals(void **state)
{
	struct vfiox_igd_layout l;

	(void)state;
	/* Sandy Bridge: GMS 5 (160 MiB) at bits 7:3, a valid BDSM, but gen6 */
	l = decode(0x8086, 0x0126, 0x0228, 0x7b800001u, 0);
	assert_int_equal(l.gen, 6);
	assert_true(l.dsm_size && l.dsm_base);
	refused(l, "gen6");
	l = decode(0x8086, 0x56a0, 0xF1C0, CFL_DSM | 1, 0); /* DG2: discrete */
	assert_int_equal(l.kind, VFIOX_IGD_DISCRETE);
	refused(l, "not an integrated Intel GPU");
	l = decode(0x10de, 0x1eb8, 0xF1C0, CFL_DSM | 1, 0); /* another vendor's GPU */
	assert_int_equal(l.kind, VFIOX_IGD_NONE);
	refused(l, "not an integrated Intel GPU");
}

static void test_no_verify(void **state)
{
	struct vfiox_igd_layout l = coffee_lake();
	struct vfiox_igd_zero_report rep;

	(void)state;
	model_start(&cfl_gpu);
	assert_int_equal(vfiox_igd_zero_device(CONTAINER, m.dev, &l, VFIOX_IGD_ZERO_NO_VERIFY, &rep), 0);
	assert_memory(0x00);
	assert_ggtt_restored();
	assert_ggtt_report(&rep, 2);
	assert_int_equal(rep.bytes_written, 8 * MiB);
	assert_int_equal(rep.bytes_verified, 0);
	assert_int_equal(rep.verify_ns, 0);
	assert_null(strstr(rep.plan, "read it all back"));
	model_end();
}

static struct vfiox_igd_layout meteor_lake(void)
{
	struct vfiox_igd_layout l = decode(0x8086, 0x7d55, 0xFFFF, 0xffffffffu, ~0ull);

	assert_int_equal(l.kind, VFIOX_IGD_INTEGRATED);
	assert_int_equal(l.dsm_at, VFIOX_IGD_DSM_BAR2);
	assert_false(l.have_gmch);
	assert_false(l.have_bdsm);
	return l;
}

static const struct gpu mtl_gpu = { .mtl = true, .dsm_base = MTL_DSM, .dsm_size = 8 * MiB,
				    .ggc = 0xF1C0, .dsmbase = MTL_DSM | 1, .cmd = CMD_INIT_MTL };

static void test_meteor_lake_bar2(void **state)
{
	struct vfiox_igd_layout l = meteor_lake();
	struct vfiox_igd_zero_report rep;
	char want[160];

	(void)state;
	model_start(&mtl_gpu);
	assert_int_equal(vfiox_igd_zero_device(CONTAINER, m.dev, &l, 0, &rep), 0);
	assert_memory(0x00); /* BAR2's first 8 MiB, the GSM, untouched */
	assert_int_equal(rep.method, VFIOX_IGD_ZERO_BAR2);
	assert_int_equal(rep.dsm_base, MTL_DSM);
	assert_int_equal(rep.dsm_size, 8 * MiB);
	assert_int_equal(rep.iova, MTL_DSM);
	assert_int_equal(rep.steps, 1);
	assert_int_equal(rep.bytes_written, 8 * MiB);
	assert_int_equal(rep.bytes_verified, 8 * MiB);
	snprintf(want, sizeof(want), "map the DSM 0x%" PRIx64 "-0x%" PRIx64 " (DSMBASE) into the "
		 "container at IOVA 0x%" PRIx64, MTL_DSM, MTL_DSM + 8 * MiB - 1, MTL_DSM);
	assert_plan(&rep, want);
	assert_plan(&rep, "write zeros to BAR2 0x800000-0xffffff");
	assert_identity_physmap();
	assert_int_equal(m.bar_opens, 1);
	assert_int_equal(m.ggtt_writes + m.flushes, 0);
	assert_int_equal(m.pwrites, 0);
	assert_int_equal(m.cmd_bad, 0);
	assert_ggtt_restored();
	model_end();
}

static void mtl_refused(uint16_t ggc, uint64_t dsmbase, const char *why)
{
	struct vfiox_igd_layout l = meteor_lake();
	struct gpu g = mtl_gpu;
	struct vfiox_igd_zero_report rep;

	g.ggc = ggc;
	g.dsmbase = dsmbase;
	model_start(&g);
	assert_int_equal(vfiox_igd_zero_device(CONTAINER, m.dev, &l, 0, &rep), -EPROTO);
	assert_error(why, NULL);
	assert_int_equal(m.pwrites, 0);
	assert_int_equal(m.pm_news, 0);
	assert_int_equal(m.bar_opens, 0);
	assert_int_equal(m.cfg_writes, 0);
	assert_memory(0xAA);
	model_end();
}

static void test_meteor_lake_refusals(void **state)
{
	(void)state;
	mtl_refused(0xF180, MTL_DSM | 1, "GGC 0xf180"); /* GGMS 2: not the fixed 8 MiB */
	mtl_refused(0x05C0, MTL_DSM | 1, "GGC 0x05c0"); /* GMS 5: reserved */
	mtl_refused(0xFFC0, MTL_DSM | 1, "GGC 0xffc0"); /* GMS 0xFF: reserved */
	mtl_refused(0x00C0, MTL_DSM | 1, "GGC 0x00c0"); /* GMS 0: no stolen memory */
	mtl_refused(0xF1C0, 0, "DSMBASE 0x0");		/* no base */
}

static void test_meteor_lake_dry_run(void **state)
{
	struct vfiox_igd_layout l = meteor_lake();
	struct vfiox_igd_zero_report rep;

	(void)state;
	model_start(&mtl_gpu);
	assert_int_equal(vfiox_igd_zero_device(CONTAINER, m.dev, &l, VFIOX_IGD_ZERO_DRY_RUN, &rep), 0);
	assert_int_equal(rep.method, VFIOX_IGD_ZERO_BAR2);
	assert_int_equal(rep.dsm_base, MTL_DSM);
	assert_plan(&rep, "write zeros to BAR2 0x800000-0xffffff");
	assert_int_equal(m.preads, 2); /* GGC and DSMBASE, nothing more */
	assert_int_equal(m.pwrites + m.cfg_writes + m.pm_news + m.bar_opens, 0);
	assert_memory(0xAA);
	model_end();
}

/* A VMM's guest may leave memory decoding off: BAR0's GGC and DSMBASE still get read. */
static void test_meteor_lake_memory_decode_off(void **state)
{
	struct vfiox_igd_layout l = meteor_lake();
	struct vfiox_igd_zero_report rep;
	struct gpu g = mtl_gpu;

	(void)state;
	g.cmd = CMD_INIT;
	model_start(&g);
	assert_int_equal(vfiox_igd_zero_device(CONTAINER, m.dev, &l, VFIOX_IGD_ZERO_DRY_RUN, &rep),
			 0);
	assert_int_equal(rep.dsm_size, 8 * MiB);
	assert_int_equal(m.cfg_writes, 2); /* memory decoding on, and back (model_end checks) */
	assert_memory(0xAA);
	model_end();
	model_start(&g);
	assert_int_equal(vfiox_igd_zero_device(CONTAINER, m.dev, &l, 0, &rep), 0);
	assert_int_equal(rep.bytes_verified, 8 * MiB);
	model_end();
}

static void test_no_bar2(void **state)
{
	struct vfiox_igd_layout l = coffee_lake();
	struct vfiox_igd_zero_report rep;

	(void)state;
	model_start(&cfl_gpu);
	m.bar2_size = 0; /* the region says so; the model's mapping stays for model_free */
	munmap(m.ap, APERTURE);
	m.ap = NULL;
	assert_int_equal(vfiox_igd_zero_device(CONTAINER, m.dev, &l, 0, &rep), -ENODEV);
	assert_error("has no BAR2", NULL);
	assert_int_equal(m.pwrites + m.cfg_writes + m.pm_news + m.bar_opens, 0);
	assert_memory(0xAA);
	model_end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_model_repoints_only_on_flush, teardown),
		cmocka_unit_test_teardown(test_zero_coffee_lake, teardown),
		cmocka_unit_test_teardown(test_zero_gen11_bdsm64, teardown),
		cmocka_unit_test_teardown(test_dry_run_writes_nothing, teardown),
		cmocka_unit_test_teardown(test_gpu_drops_writes, teardown),
		cmocka_unit_test_teardown(test_physmap_failure, teardown),
		cmocka_unit_test_teardown(test_ggtt_write_fails, teardown),
		cmocka_unit_test_teardown(test_ggtt_unwritable, teardown),
		cmocka_unit_test_teardown(test_refusals, teardown),
		cmocka_unit_test_teardown(test_no_verify, teardown),
		cmocka_unit_test_teardown(test_meteor_lake_bar2, teardown),
		cmocka_unit_test_teardown(test_meteor_lake_refusals, teardown),
		cmocka_unit_test_teardown(test_meteor_lake_dry_run, teardown),
		cmocka_unit_test_teardown(test_meteor_lake_memory_decode_off, teardown),
		cmocka_unit_test_teardown(test_no_bar2, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
