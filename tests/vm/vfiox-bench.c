// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiox-bench EDU NVME : the device benchmarks of `make bench`, run in the VM.
 *  - 32-bit MMIO read of edu's id register: library accessor on the mapped path against
 *    a raw volatile pointer read of the same register, and the trapped (pread) path;
 *  - a software-triggered MSI-X interrupt round trip through the library (trigger, wait
 *    on the waiter) against the floor of a raw eventfd write and read.
 * Variants alternate block by block in one run; the ratios are the medians of the
 * ratios of adjacent blocks (an accessor block against the raw block just before it),
 * which drift and a busy host cannot skew the way separate medians can.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"

#define BLOCKS 41

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	struct vfiox_ctx *ctx;
	struct helper_dev edu, nvme;
	struct vfiox_bar *mapped = NULL, *trapped = NULL;
	struct vfiox_irq_waiter *w = NULL;
	double raw[BLOCKS], acc[BLOCKS], prd[BLOCKS], irq[BLOCKS], efd_floor[BLOCKS], fast[BLOCKS];
	double r_acc[BLOCKS], r_prd[BLOCKS], r_irq[BLOCKS], r_fast[BLOCKS];
	volatile uint32_t *reg;
	uint32_t v, sink = 0;
	uint64_t tag, cnt = 1;
	int b, i, efd = -1, floor_fd = -1, n_mmio = 4000, n_pread = 400, n_irq = 100;

	if (argc != 3) {
		fprintf(stderr, "usage: vfiox-bench EDU NVME\n");
		return 2;
	}
	if (vfiox_ctx_new(&ctx) || helper_open(ctx, argv[1], &edu) || helper_open(ctx, argv[2], &nvme) ||
	    vfiox_bar_open(edu.d, 0, 0, &mapped) ||
	    vfiox_bar_open(edu.d, 0, VFIOX_BAR_NO_MMAP, &trapped) ||
	    vfiox_irq_eventfd(ctx, &efd) || vfiox_irq_waiter_new(ctx, &w) ||
	    vfiox_irq_waiter_add(w, efd, 0) || vfiox_irq_enable(nvme.d, VFIOX_IRQ_MSIX, 0, 1, &efd)) {
		fprintf(stderr, "vfiox-bench: %s\n", vfiox_ctx_last_error(ctx));
		return 1;
	}
	reg = (volatile uint32_t *)vfiox_bar_ptr(mapped, 0, 4);
	floor_fd = eventfd(0, EFD_CLOEXEC);
	if (!reg || floor_fd < 0)
		return 1;

	for (b = 0; b < BLOCKS; b++) {
		double t0 = now_ns();

		for (i = 0; i < n_mmio; i++)
			sink += *reg;
		raw[b] = (now_ns() - t0) / n_mmio;
		t0 = now_ns();
		for (i = 0; i < n_mmio; i++) {
			vfiox_bar_read32(mapped, 0, &v);
			sink += v;
		}
		acc[b] = (now_ns() - t0) / n_mmio;
		t0 = now_ns();
		for (i = 0; i < n_mmio; i++) {
			vfiox_bar_fast_read32(mapped, 0, &v);
			sink += v;
		}
		fast[b] = (now_ns() - t0) / n_mmio;
		t0 = now_ns();
		for (i = 0; i < n_pread; i++) {
			vfiox_bar_read32(trapped, 0, &v);
			sink += v;
		}
		prd[b] = (now_ns() - t0) / n_pread;
		t0 = now_ns();
		for (i = 0; i < n_irq; i++) {
			if (vfiox_irq_trigger(nvme.d, VFIOX_IRQ_MSIX, 0, 1) ||
			    vfiox_irq_waiter_wait(w, 1000, &tag, 1) != 1) {
				fprintf(stderr, "vfiox-bench: interrupt lost: %s\n",
					vfiox_ctx_last_error(ctx));
				return 1;
			}
		}
		irq[b] = (now_ns() - t0) / n_irq;
		t0 = now_ns();
		for (i = 0; i < n_irq; i++) {
			if (write(floor_fd, &cnt, 8) != 8 || read(floor_fd, &tag, 8) != 8)
				return 1;
		}
		efd_floor[b] = (now_ns() - t0) / n_irq;
		r_acc[b] = acc[b] / raw[b];
		r_fast[b] = fast[b] / raw[b];
		r_prd[b] = prd[b] / raw[b];
		r_irq[b] = irq[b] / efd_floor[b];
	}
	if (sink == 0x12345) /* keeps the reads */
		putchar(' ');
	{
		double r = median(raw, BLOCKS), a = median(acc, BLOCKS), p = median(prd, BLOCKS);
		double q = median(irq, BLOCKS), f = median(efd_floor, BLOCKS);
		double ra = median(r_acc, BLOCKS), rp = median(r_prd, BLOCKS);
		double fa = median(fast, BLOCKS), rf = median(r_fast, BLOCKS);
		double rq = median(r_irq, BLOCKS);

		printf("bench: MMIO read32, raw pointer        %10.1f ns\n", r);
		printf("bench: MMIO read32, inline accessor    %10.1f ns   ratio %.3fx (target <= 1.2x: %s)\n",
		       fa, rf, rf <= 1.2 ? "MET" : "MISSED");
		printf("bench: MMIO read32, called accessor    %10.1f ns   ratio %.3fx (a call into the "
		       "shared library)\n", a, ra);
		printf("bench: MMIO read32, accessor (pread)   %10.1f ns   %.1fx the raw read\n", p, rp);
		printf("bench: irq round trip, library         %10.1f ns   (trigger + wait, MSI-X)\n", q);
		printf("bench: irq floor, eventfd write+read   %10.1f ns   ratio %.1fx\n", f, rq);
	}
	vfiox_irq_disable(nvme.d, VFIOX_IRQ_MSIX);
	return 0;
}
