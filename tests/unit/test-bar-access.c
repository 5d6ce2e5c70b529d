// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * BAR accessors against a fake kernel at the syscall layer: which accesses go through
 * the mapping and which through pread/pwrite, with mmap, pread and pwrite substituted.
 * The fake device: BAR0 16 KiB, mmappable; MSI-X with 65 vectors, table at 0x2000 and
 * PBA at 0x3000 of BAR0 (QEMU's nvme).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>
#include <linux/vfio.h>

#include <vfiox/vfiox.h>

#include "internal.h"

#define FK_MAX 1
#include "fake-kernel.h"

#define FAKE_FD FK_BASE /* the device: every call the fake kernel answers names it */
#define BAR0_OFF 0x0ull
#define BAR0_SIZE 0x4000ull
#define CFG_OFF 0x70000000000ull

int __wrap_vfiox_sys_ioctl(int fd, unsigned long req, void *arg);
ssize_t __wrap_vfiox_sys_pread(int fd, void *buf, size_t len, off_t off);
ssize_t __wrap_vfiox_sys_pwrite(int fd, const void *buf, size_t len, off_t off);
int __wrap_vfiox_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off,
			  void **addrp);
int __wrap_vfiox_sys_munmap(void *addr, size_t len);

static struct {
	uint8_t cfg[256];
	uint8_t bar[BAR0_SIZE]; /* what the device fd reads and writes */
	unsigned preads, pwrites, maps, unmaps;
	off_t last_off;
	size_t last_len;
	ssize_t short_by; /* make the next BAR transfer fall short */
	uint32_t bar_flags;
} fk;

int __wrap_vfiox_sys_close(int fd)
{
	return fk_close(fd);
}

int __wrap_vfiox_sys_ioctl(int fd, unsigned long req, void *arg)
{
	assert_int_equal(fd, FAKE_FD);
	if (req == VFIO_DEVICE_GET_INFO) {
		struct vfio_device_info *i = arg;

		i->flags = VFIO_DEVICE_FLAGS_PCI;
		i->num_regions = 9;
		i->num_irqs = 5;
		return 0;
	}
	if (req == VFIO_DEVICE_GET_REGION_INFO) {
		struct vfio_region_info *r = arg;

		r->cap_offset = 0;
		if (r->index == 0) {
			r->flags = fk.bar_flags;
			r->size = BAR0_SIZE;
			r->offset = BAR0_OFF;
		} else if (r->index == VFIO_PCI_CONFIG_REGION_INDEX) {
			r->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
			r->size = sizeof(fk.cfg);
			r->offset = CFG_OFF;
		} else {
			r->flags = 0;
			r->size = 0;
			r->offset = (uint64_t)r->index << 40;
		}
		return 0;
	}
	return -ENOTTY;
}

static ssize_t transfer(void *dst, const void *src, size_t len)
{
	ssize_t n = (ssize_t)len - fk.short_by;

	fk.short_by = 0;
	memcpy(dst, src, (size_t)n);
	return n;
}

ssize_t __wrap_vfiox_sys_pread(int fd, void *buf, size_t len, off_t off)
{
	assert_int_equal(fd, FAKE_FD);
	if ((uint64_t)off >= CFG_OFF) {
		memcpy(buf, fk.cfg + (off - (off_t)CFG_OFF), len);
		return (ssize_t)len;
	}
	fk.preads++;
	fk.last_off = off;
	fk.last_len = len;
	return transfer(buf, fk.bar + off, len);
}

ssize_t __wrap_vfiox_sys_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	assert_int_equal(fd, FAKE_FD);
	fk.pwrites++;
	fk.last_off = off;
	fk.last_len = len;
	return transfer(fk.bar + off, buf, len);
}

/* The "mapping" is the fake BAR itself: what is written through it is what pread sees. */
int __wrap_vfiox_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off,
			  void **addrp)
{
	(void)addr;
	(void)prot;
	(void)flags;
	assert_int_equal(fd, FAKE_FD);
	assert_true((uint64_t)off + len <= BAR0_SIZE);
	assert_int_equal(off % 4096, 0);
	fk.maps++;
	*addrp = fk.bar + off;
	return 0;
}

int __wrap_vfiox_sys_munmap(void *addr, size_t len)
{
	(void)addr;
	(void)len;
	fk.unmaps++;
	return 0;
}

static struct vfiox_ctx *ctx;
static struct vfiox_device *dev;

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	fk_fds_reset();
	fk.bar_flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		       VFIO_REGION_INFO_FLAG_MMAP;
	/* status: capability list; MSI-X at 0x40: 65 vectors, table BAR0+0x2000, PBA +0x3000 */
	fk.cfg[0x06] = 0x10;
	fk.cfg[0x34] = 0x40;
	fk.cfg[0x40] = 0x11;
	fk.cfg[0x42] = 64;
	fk.cfg[0x45] = 0x20;
	fk.cfg[0x49] = 0x30;
	for (size_t i = 0; i < BAR0_SIZE; i++)
		fk.bar[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(vfiox_ctx_new(&ctx), 0);
	assert_int_equal(vfiox_device_adopt(ctx, fk_new_fd(0), "0000:00:04.0", &dev), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vfiox_device_close(dev);
	vfiox_ctx_free(ctx);
	return 0;
}

static void test_registers_go_through_the_mapping(void **state)
{
	struct vfiox_bar *b;
	uint32_t v;
	uint16_t h;

	(void)state;
	assert_int_equal(vfiox_bar_open(dev, 0, 0, &b), 0);
	assert_int_equal(fk.maps, 1);
	assert_int_equal(vfiox_bar_num_segments(b), 3);
	assert_int_equal(vfiox_bar_read32(b, 0x10, &v), 0);
	assert_int_equal(v, fk_get32(fk.bar + 0x10));
	assert_int_equal(vfiox_bar_write16(b, 0x1ffe, 0xbeef), 0);
	assert_int_equal(vfiox_bar_read16(b, 0x1ffe, &h), 0);
	assert_int_equal(h, 0xbeef);
	assert_int_equal(fk.preads + fk.pwrites, 0);
	vfiox_bar_close(b);
	assert_int_equal(fk.unmaps, 1);
}

static void test_table_and_pba_go_through_the_device_fd(void **state)
{
	struct vfiox_bar *b;
	uint64_t q;
	uint32_t v;

	(void)state;
	assert_int_equal(vfiox_bar_open(dev, 0, 0, &b), 0);
	assert_int_equal(vfiox_bar_read32(b, 0x2008, &v), 0);
	assert_int_equal(fk.preads, 1);
	assert_int_equal(fk.last_off, BAR0_OFF + 0x2008);
	assert_int_equal(fk.last_len, 4);
	assert_int_equal(v, fk_get32(fk.bar + 0x2008));
	assert_int_equal(vfiox_bar_write64(b, 0x3000, 0x1122334455667788ull), 0);
	assert_int_equal(fk.pwrites, 1);
	assert_int_equal(fk.last_len, 8);
	/* back and forth between mapped and trapped: each access takes its own path */
	assert_int_equal(vfiox_bar_read32(b, 0x0, &v), 0);
	assert_int_equal(vfiox_bar_read64(b, 0x3000, &q), 0);
	assert_int_equal(q, 0x1122334455667788ull);
	assert_int_equal(vfiox_bar_read32(b, 0x1000, &v), 0);
	assert_int_equal(fk.preads, 2);
	assert_null(vfiox_bar_ptr(b, 0x2000, 4));
	assert_non_null(vfiox_bar_ptr(b, 0x1ff0, 16));
	assert_null(vfiox_bar_ptr(b, 0x1ff0, 32)); /* runs into the table */
	vfiox_bar_close(b);
}

/* The header's inline accessors: the same results, the same paths, the same refusals. */
static void test_inline_accessors_take_the_same_paths(void **state)
{
	struct vfiox_bar *b;
	uint64_t q;
	uint32_t v;
	uint16_t h;
	uint8_t c;

	(void)state;
	assert_int_equal(vfiox_bar_open(dev, 0, 0, &b), 0);
	/* Before any access the window is empty: the first read goes through the library. */
	assert_int_equal(vfiox_bar_fast_read32(b, 0x10, &v), 0);
	assert_int_equal(v, fk_get32(fk.bar + 0x10));
	assert_int_equal(vfiox_bar_fast_write16(b, 0x1ffe, 0xcafe), 0);
	assert_int_equal(vfiox_bar_fast_read16(b, 0x1ffe, &h), 0);
	assert_int_equal(h, 0xcafe);
	assert_int_equal(vfiox_bar_fast_write8(b, 0x5, 0x42), 0);
	assert_int_equal(vfiox_bar_fast_read8(b, 0x5, &c), 0);
	assert_int_equal(c, 0x42);
	assert_int_equal(vfiox_bar_fast_write64(b, 0x100, 0x0102030405060708ull), 0);
	assert_int_equal(vfiox_bar_fast_read64(b, 0x100, &q), 0);
	assert_int_equal(q, 0x0102030405060708ull);
	assert_int_equal(fk.preads + fk.pwrites, 0);
	/* The MSI-X table is outside the window: through the device fd, as before. */
	assert_int_equal(vfiox_bar_fast_read32(b, 0x2008, &v), 0);
	assert_int_equal(fk.preads, 1);
	assert_int_equal(v, fk_get32(fk.bar + 0x2008));
	assert_int_equal(vfiox_bar_fast_write32(b, 0x2008, 7), 0);
	assert_int_equal(fk.pwrites, 1);
	/* Misaligned or out of the BAR: refused by the library, as before. */
	assert_int_equal(vfiox_bar_fast_read64(b, 0x1ffc, &q), -EINVAL);
	assert_int_equal(vfiox_bar_fast_read32(b, 0x2, &v), -EINVAL);
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "not aligned"));
	assert_int_equal(vfiox_bar_fast_read32(b, BAR0_SIZE, &v), -EINVAL);
	vfiox_bar_close(b);
}

static void test_whole_and_no_mmap_flags(void **state)
{
	struct vfiox_bar *b;
	uint32_t v;

	(void)state;
	assert_int_equal(vfiox_bar_open(dev, 0, VFIOX_BAR_WHOLE, &b), 0);
	assert_int_equal(vfiox_bar_num_segments(b), 1);
	assert_int_equal(vfiox_bar_read32(b, 0x2008, &v), 0);
	assert_int_equal(fk.preads, 0);
	vfiox_bar_close(b);
	assert_int_equal(vfiox_bar_open(dev, 0, VFIOX_BAR_NO_MMAP, &b), 0);
	assert_int_equal(fk.maps, 1); /* only the WHOLE one */
	assert_int_equal(vfiox_bar_read32(b, 0x10, &v), 0);
	assert_int_equal(fk.preads, 1);
	assert_int_equal(v, fk_get32(fk.bar + 0x10));
	vfiox_bar_close(b);
}

static void test_bad_accesses_are_refused_before_the_kernel(void **state)
{
	struct vfiox_bar *b;
	uint32_t v;
	uint64_t q;

	(void)state;
	assert_int_equal(vfiox_bar_open(dev, 0, 0, &b), 0);
	assert_int_equal(vfiox_bar_read32(b, 0x2, &v), -EINVAL);
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "not aligned"));
	assert_int_equal(vfiox_bar_read32(b, BAR0_SIZE, &v), -EINVAL);
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "beyond"));
	assert_int_equal(vfiox_bar_read64(b, BAR0_SIZE - 4, &q), -EINVAL);
	assert_int_equal(vfiox_bar_write32(b, 0x3002, 1), -EINVAL);
	assert_int_equal(fk.preads + fk.pwrites, 0);
	/* a short transfer is an error naming the BAR and offset */
	fk.short_by = 2;
	assert_int_equal(vfiox_bar_read32(b, 0x2010, &v), -EIO);
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "BAR0 read at 0x2010"));
	vfiox_bar_close(b);
}

static void test_absent_or_bad_bars(void **state)
{
	struct vfiox_bar *b = NULL;

	(void)state;
	assert_int_equal(vfiox_bar_open(dev, 2, 0, &b), -ENOENT);
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "has no BAR2"));
	assert_int_equal(vfiox_bar_open(dev, 6, 0, &b), -EINVAL);
	assert_null(b);
	fk.bar_flags &= ~(uint32_t)VFIO_REGION_INFO_FLAG_MMAP;
	assert_int_equal(vfiox_bar_open(dev, 0, 0, &b), 0);
	assert_int_equal(fk.maps, 0);
	assert_int_equal(vfiox_bar_segment(b, 0)->kind, VFIOX_SEG_NOT_MMAPPABLE);
	vfiox_bar_close(b);
}

static void test_config_space_and_capabilities(void **state)
{
	uint16_t off = 0;
	uint8_t byte;

	(void)state;
	assert_int_equal(vfiox_device_find_cap(dev, 0x11, false, &off), 0);
	assert_int_equal(off, 0x40);
	assert_int_equal(vfiox_device_find_cap(dev, 0x05, false, &off), -ENOENT);
	assert_int_equal(vfiox_device_config_read(dev, 0x34, &byte, 1), 0);
	assert_int_equal(byte, 0x40);
	assert_int_equal(vfiox_device_config_read(dev, 255, &byte, 2), -EINVAL);
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "CONFIG"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registers_go_through_the_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_and_pba_go_through_the_device_fd, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_inline_accessors_take_the_same_paths, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_whole_and_no_mmap_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_accesses_are_refused_before_the_kernel, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_absent_or_bad_bars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_space_and_capabilities, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
