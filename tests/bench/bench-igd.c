// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * bench-igd: what the IGD code costs against the floor.
 *
 * - decode: vfiox_igd_decode() of the Coffee Lake dump with its host bridge, per call
 *   (target: well under a millisecond).
 * - zeroing: vfiox_igd_zero_device() clearing a 64 MiB data stolen memory through the GGTT
 *   aperture against a plain memset() of the same mapping, side by side in one run
 *   (target: at least 0.9x the memset's bandwidth). The GPU is a model whose translation
 *   costs nothing, as the hardware's does: its aperture (BAR2) is a mapping of the memory
 *   standing for the DSM, and the GGTT entries (upper half of BAR0) and GFX_FLSH_CNTL are
 *   reached through the substituted pread/pwrite of the device fd. So what the library
 *   adds (building and writing 16,384 entries, the invalidate, putting the entries back)
 *   is what the ratio shows. The correctness of the same path is tests/unit/test-igd-zero.
 *   The read-back (proof) is timed separately: it is extra work, not part of the ratio.
 *
 * Built with -Wl,--wrap for the functions the model stands in for (see the Makefile).
 * Exit status: 0 targets met, 1 a target missed (printed), 2 error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <vfiox/vfiox.h>

#define MiB (1ull << 20)
#define DSM_BASE 0x8b800000ull
#define DSM_SIZE (64 * MiB)
#define BAR0_SIZE (16 * MiB)
#define BAR2_SIZE (64 * MiB)
#define BAR2_OFF (1ull << 32) /* where the fake device fd has BAR2 */
#define ROUNDS 31

static uint8_t *aperture;
static uint64_t *ggtt;
static int dev_fd = -1;
static uint16_t command;

/* ------------------------------------------------------------------ the model */

int __wrap_vfiox_physmap_new(struct vfiox_container *c, uint64_t phys, uint64_t size,
			     unsigned int flags, uint64_t limit, uint64_t *iova,
			     struct vfiox_physmap **mp);
void __wrap_vfiox_physmap_free(struct vfiox_physmap *m);
int __wrap_vfiox_device_region(struct vfiox_device *d, uint32_t index, struct vfiox_region **rp);
ssize_t __wrap_vfiox_sys_pread(int fd, void *buf, size_t len, off_t off);
ssize_t __wrap_vfiox_sys_pwrite(int fd, const void *buf, size_t len, off_t off);
ssize_t __real_vfiox_sys_pread(int fd, void *buf, size_t len, off_t off);
ssize_t __real_vfiox_sys_pwrite(int fd, const void *buf, size_t len, off_t off);
int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __real_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __wrap_vfiox_bar_open(struct vfiox_device *d, uint32_t index, unsigned int flags,
			  struct vfiox_bar **bp);
volatile void *__wrap_vfiox_bar_ptr(const struct vfiox_bar *b, uint64_t offset, uint64_t len);
void __wrap_vfiox_bar_close(struct vfiox_bar *b);
int __wrap_vfiox_device_config_read(struct vfiox_device *d, uint32_t offset, void *buf,
				    size_t len);
int __wrap_vfiox_device_config_write(struct vfiox_device *d, uint32_t offset, const void *buf,
				     size_t len);

int __wrap_vfiox_physmap_new(struct vfiox_container *c, uint64_t phys, uint64_t size,
			     unsigned int flags, uint64_t limit, uint64_t *iova,
			     struct vfiox_physmap **mp)
{
	*mp = (struct vfiox_physmap *)&ggtt; /* any non-NULL token */
	return phys == DSM_BASE && size == DSM_SIZE ? 0 : -EINVAL;
}

void __wrap_vfiox_physmap_free(struct vfiox_physmap *m)
{
}

/* The device fd answers VFIO_DEVICE_GET_INFO (vfiox_device_adopt() asks), nothing else. */
int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg)
{
	return fd == dev_fd ? 0 : __real_vfiox_sys_ioctl(fd, request, arg);
}

int __wrap_vfiox_device_region(struct vfiox_device *d, uint32_t index, struct vfiox_region **rp)
{
	struct vfiox_region *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->index = index;
	r->flags = 0xf;
	r->size = index == 0 ? BAR0_SIZE : index == 2 ? BAR2_SIZE : 0;
	r->offset = index == 2 ? BAR2_OFF : 0;
	*rp = r;
	return 0;
}

ssize_t __wrap_vfiox_sys_pread(int fd, void *buf, size_t len, off_t off)
{
	if (fd != dev_fd)
		return __real_vfiox_sys_pread(fd, buf, len, off);
	if ((uint64_t)off >= BAR0_SIZE / 2 && (uint64_t)off + len <= BAR0_SIZE)
		memcpy(buf, (uint8_t *)ggtt + off - BAR0_SIZE / 2, len);
	else
		memset(buf, 0, len);
	return (ssize_t)len;
}

ssize_t __wrap_vfiox_sys_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	if (fd != dev_fd)
		return __real_vfiox_sys_pwrite(fd, buf, len, off);
	if ((uint64_t)off >= BAR0_SIZE / 2 && (uint64_t)off + len <= BAR0_SIZE)
		memcpy((uint8_t *)ggtt + off - BAR0_SIZE / 2, buf, len);
	return (ssize_t)len;
}

int __wrap_vfiox_bar_open(struct vfiox_device *d, uint32_t index, unsigned int flags,
			  struct vfiox_bar **bp)
{
	*bp = (struct vfiox_bar *)aperture;
	return 0;
}

volatile void *__wrap_vfiox_bar_ptr(const struct vfiox_bar *b, uint64_t offset, uint64_t len)
{
	return offset + len <= BAR2_SIZE ? aperture + offset : NULL;
}

void __wrap_vfiox_bar_close(struct vfiox_bar *b)
{
}

int __wrap_vfiox_device_config_read(struct vfiox_device *d, uint32_t offset, void *buf,
				    size_t len)
{
	memcpy(buf, &command, len < 2 ? len : 2);
	return 0;
}

int __wrap_vfiox_device_config_write(struct vfiox_device *d, uint32_t offset, const void *buf,
				     size_t len)
{
	memcpy(&command, buf, len < 2 ? len : 2);
	return 0;
}

/* ------------------------------------------------------------------ timing */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void put32(uint8_t *c, size_t off, uint32_t v)
{
	c[off] = (uint8_t)v;
	c[off + 1] = (uint8_t)(v >> 8);
	c[off + 2] = (uint8_t)(v >> 16);
	c[off + 3] = (uint8_t)(v >> 24);
}

int main(void)
{
	struct vfiox_igd_zero_report rep;
	struct vfiox_igd_layout l;
	struct vfiox_device *d = NULL;
	struct vfiox_ctx *ctx = NULL;
	uint8_t cfg[256] = { 0 }, host[256] = { 0 };
	uint64_t t0, lib[ROUNDS], raw[ROUNDS], verify[ROUNDS];
	double ratio[ROUNDS], decode_ns;
	int i, n = 200000, missed = 0;

	/* The Coffee Lake of shared/igd, with its DSM grown to 64 MiB (it is). */
	put32(cfg, 0, 0x3ea08086);
	put32(cfg, 8, 0x03000000);
	put32(cfg, 0x50, 0x02c1);
	put32(cfg, 0x5c, (uint32_t)DSM_BASE | 1);
	put32(cfg, 0xfc, 0x88e10018);
	put32(host, 0, 0x3e348086);
	put32(host, 0xb0, (uint32_t)DSM_BASE | 1);
	put32(host, 0xb4, 0x8b000001);
	put32(host, 0xb8, 0x8a000001);
	put32(host, 0xbc, 0x8f800001);

	t0 = now_ns();
	for (i = 0; i < n; i++)
		vfiox_igd_decode(cfg, sizeof(cfg), host, sizeof(host), &l);
	decode_ns = (double)(now_ns() - t0) / n;
	if (l.dsm_size != DSM_SIZE || l.dsm_base != DSM_BASE) {
		fprintf(stderr, "bench-igd: the decode is wrong\n");
		return 2;
	}
	printf("igd decode (Coffee Lake + host bridge): %.0f ns per device (target < 1 ms): %s\n",
	       decode_ns, decode_ns < 1e6 ? "met" : "MISSED");
	missed |= decode_ns >= 1e6;

	aperture = mmap(NULL, BAR2_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ggtt = calloc(BAR0_SIZE / 2 / 8, 8);
	dev_fd = memfd_create("igd-bench", MFD_CLOEXEC);
	if (aperture == MAP_FAILED || !ggtt || dev_fd < 0 || vfiox_ctx_new(&ctx) ||
	    vfiox_device_adopt(ctx, dev_fd, "0000:00:02.0", &d)) {
		fprintf(stderr, "bench-igd: setup failed\n");
		return 2;
	}
	/* warm both paths */
	memset(aperture, 0xaa, BAR2_SIZE);
	if (vfiox_igd_zero_device(NULL, d, &l, 0, &rep)) {
		fprintf(stderr, "bench-igd: %s\n", vfiox_ctx_last_error(ctx));
		return 2;
	}
	for (i = 0; i < ROUNDS; i++) {
		/* alternate which goes first, so neither always finds the caches warm */
		int k;

		for (k = 0; k < 2; k++) {
			memset(aperture, 0xaa, DSM_SIZE);
			if ((i + k) % 2 == 0) {
				t0 = now_ns();
				memset(aperture, 0, DSM_SIZE);
				__sync_synchronize();
				raw[i] = now_ns() - t0;
			} else {
				t0 = now_ns();
				if (vfiox_igd_zero_device(NULL, d, &l, VFIOX_IGD_ZERO_NO_VERIFY,
							  &rep) || rep.bytes_written != DSM_SIZE) {
					fprintf(stderr, "bench-igd: %s\n", vfiox_ctx_last_error(ctx));
					return 2;
				}
				lib[i] = now_ns() - t0;
			}
		}
		ratio[i] = (double)raw[i] / (double)lib[i];
		memset(aperture, 0xaa, DSM_SIZE);
		if (vfiox_igd_zero_device(NULL, d, &l, 0, &rep) ||
		    rep.bytes_verified != DSM_SIZE) {
			fprintf(stderr, "bench-igd: %s\n", vfiox_ctx_last_error(ctx));
			return 2;
		}
		verify[i] = rep.verify_ns;
	}
	qsort(raw, ROUNDS, sizeof(raw[0]), cmp_u64);
	qsort(lib, ROUNDS, sizeof(lib[0]), cmp_u64);
	qsort(verify, ROUNDS, sizeof(verify[0]), cmp_u64);
	qsort(ratio, ROUNDS, sizeof(ratio[0]), cmp_double);
	printf("igd zero 64 MiB through the aperture (model): memset %.0f MiB/s, "
	       "vfiox_igd_zero_device %.0f MiB/s (medians of %d)\n",
	       DSM_SIZE / (double)MiB / (raw[ROUNDS / 2] / 1e9),
	       DSM_SIZE / (double)MiB / (lib[ROUNDS / 2] / 1e9), ROUNDS);
	printf("igd zero bandwidth vs memset of the same mapping: median %.3fx of adjacent pairs "
	       "(range %.3f-%.3f; target >= 0.9x): %s\n", ratio[ROUNDS / 2], ratio[0],
	       ratio[ROUNDS - 1], ratio[ROUNDS / 2] >= 0.9 ? "met" : "MISSED");
	printf("igd read-back (the proof, extra): %.0f MiB/s\n",
	       DSM_SIZE / (double)MiB / (verify[ROUNDS / 2] / 1e9));
	missed |= ratio[ROUNDS / 2] < 0.9;
	vfiox_device_close(d);
	vfiox_ctx_free(ctx);
	free(ggtt);
	munmap(aperture, BAR2_SIZE);
	return missed ? 1 : 0;
}
