// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vfiox-user-probe: libvfiox's vfio-user client against a server it did not write
 * (tests/host/test-vfio-user-peer.sh runs it against libvfio-user's samples/server).
 * Connects, negotiates, prints the negotiated limits, the device, every region (size,
 * flags, sparse-mmap areas) and interrupt index, one "key value..." line each, then
 * exercises the sample server's BAR0 (an 8-byte time_t: a write of T arms a timer, a read
 * gives now - T) and BAR1 (0x3000 bytes of memory), asks for things the server must
 * refuse, and resets the device.
 *
 *	vfiox-user-probe [-t TIMEOUT_MS] [-s SECONDS] [-n] SOCKET
 *
 * -s sleeps after the device info (for the test to kill the server meanwhile); -n stops
 * after the negotiation. Exit 0 when every step did what it should; 1 with the library's
 * last error on stderr ("vfiox-user-probe: STEP: ERROR") when one did not.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#include <vfiox/vfiox.h>

static struct vfiox_ctx *ctx;

static int fail(const char *step, int ret)
{
	fprintf(stderr, "vfiox-user-probe: %s: %s (%s)\n", step, vfiox_ctx_last_error(ctx),
		strerror(-ret));
	return 1;
}

static void flags_str(uint32_t f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", f & VFIO_REGION_INFO_FLAG_READ ? "r" : "-",
		 f & VFIO_REGION_INFO_FLAG_WRITE ? "w" : "-",
		 f & VFIO_REGION_INFO_FLAG_MMAP ? "m" : "-",
		 f & VFIO_REGION_INFO_FLAG_CAPS ? "c" : "-");
}

int main(int argc, char **argv)
{
	struct vfiox_vu_limits lim;
	struct vfiox_device_info info;
	struct vfiox_vu *vu;
	int timeout = 0, pause_s = 0, opt, ret;
	bool negotiate_only = false;
	uint32_t i;

	while ((opt = getopt(argc, argv, "t:s:n")) != -1) {
		switch (opt) {
		case 't':
			timeout = atoi(optarg);
			break;
		case 's':
			pause_s = atoi(optarg);
			break;
		case 'n':
			negotiate_only = true;
			break;
		default:
			fprintf(stderr, "usage: vfiox-user-probe [-t MS] [-s SECONDS] [-n] SOCKET\n");
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: vfiox-user-probe [-t MS] [-s SECONDS] [-n] SOCKET\n");
		return 2;
	}
	if (vfiox_ctx_new(&ctx) < 0) {
		fprintf(stderr, "vfiox-user-probe: no context\n");
		return 1;
	}
	ret = vfiox_vu_connect(ctx, argv[optind], timeout, &vu);
	if (ret)
		return fail("connect", ret);
	vfiox_vu_negotiated(vu, &lim);
	printf("version %u.%u\n", lim.major, lim.minor);
	printf("max_msg_fds %" PRIu32 "\n", lim.max_msg_fds);
	printf("max_data_xfer_size %" PRIu64 "\n", lim.max_data_xfer_size);
	printf("pgsizes 0x%" PRIx64 "\n", lim.pgsizes);
	printf("max_dma_maps %" PRIu32 "\n", lim.max_dma_maps);
	fflush(stdout);
	if (negotiate_only)
		goto out;

	ret = vfiox_vu_device_info(vu, &info);
	if (ret)
		return fail("device info", ret);
	printf("device flags 0x%" PRIx32 " pci %s reset %s regions %" PRIu32 " irqs %" PRIu32 "\n",
	       info.flags, info.flags & VFIO_DEVICE_FLAGS_PCI ? "yes" : "no",
	       info.flags & VFIO_DEVICE_FLAGS_RESET ? "yes" : "no", info.num_regions,
	       info.num_irqs);
	fflush(stdout);
	if (pause_s)
		sleep((unsigned)pause_s);

	for (i = 0; i < info.num_regions; i++) {
		struct vfiox_region *r;
		char fl[8];
		size_t k;

		ret = vfiox_vu_region(vu, i, &r);
		if (ret)
			return fail("region info", ret);
		flags_str(r->flags, fl, sizeof(fl));
		printf("region %" PRIu32 " %s size 0x%" PRIx64 " flags %s sparse", r->index,
		       r->name, r->size, fl);
		if (!r->has_sparse)
			printf(" -");
		for (k = 0; k < r->num_sparse; k++)
			printf("%s0x%" PRIx64 "+0x%" PRIx64, k ? "," : " ", r->sparse[k].offset,
			       r->sparse[k].size);
		printf("\n");
		vfiox_region_free(r);
	}
	for (i = 0; i < info.num_irqs; i++) {
		struct vfiox_irq irq;

		ret = vfiox_vu_irq(vu, i, &irq);
		if (ret)
			return fail("irq info", ret);
		printf("irq %" PRIu32 " %s count %" PRIu32 " flags 0x%" PRIx32 "\n", i, irq.name,
		       irq.count, irq.flags);
	}

	/* BAR0: a time_t; writing T arms the server's timer for T (so T is in the future),
	 * reading gives now - T. */
	{
		int64_t t = (int64_t)time(NULL) + 3600, back = 0;
		uint32_t small;

		ret = vfiox_vu_region_write(vu, 0, 0, &t, sizeof(t));
		if (ret)
			return fail("BAR0 write", ret);
		ret = vfiox_vu_region_read(vu, 0, 0, &back, sizeof(back));
		if (ret)
			return fail("BAR0 read", ret);
		printf("bar0 wrote now+3600 read %" PRId64 " %s\n", back,
		       back <= -3598 && back >= -3601 ? "ok" : "WRONG");
		/* The sample takes only 8-byte accesses at 0: a 4-byte read is refused. */
		ret = vfiox_vu_region_read(vu, 0, 0, &small, sizeof(small));
		printf("bar0 read 4 bytes: %d (%s)\n", ret, ret ? vfiox_ctx_last_error(ctx) : "");
		if (ret != -EINVAL)
			return fail("BAR0 4-byte read should be refused", ret ? ret : -EPROTO);
	}
	/* BAR1: plain memory. */
	{
		uint32_t v = 0x5a5aa5a5, back = 0;

		ret = vfiox_vu_region_write(vu, 1, 0, &v, sizeof(v));
		if (ret)
			return fail("BAR1 write", ret);
		ret = vfiox_vu_region_read(vu, 1, 0, &back, sizeof(back));
		if (ret)
			return fail("BAR1 read", ret);
		printf("bar1 at 0x0 wrote 0x%08" PRIx32 " read 0x%08" PRIx32 " %s\n", v, back,
		       back == v ? "ok" : "WRONG");
		v = 0x11223344;
		ret = vfiox_vu_region_write(vu, 1, 0x2004, &v, sizeof(v));
		if (ret)
			return fail("BAR1 write at 0x2004", ret);
		ret = vfiox_vu_region_read(vu, 1, 0x2004, &back, sizeof(back));
		if (ret)
			return fail("BAR1 read at 0x2004", ret);
		/* libvfio-user's sample reads BAR1 from its start whatever the offset. */
		printf("bar1 at 0x2004 wrote 0x%08" PRIx32 " read 0x%08" PRIx32 " %s\n", v, back,
		       back == v ? "ok" : "differs");
		ret = vfiox_vu_region_read(vu, 1, 0x3000, &back, sizeof(back));
		printf("bar1 read past the end: %d (%s)\n", ret,
		       ret ? vfiox_ctx_last_error(ctx) : "");
		if (ret != -EINVAL)
			return fail("BAR1 read past the end should be refused", ret ? ret : -EPROTO);
	}
	{
		struct vfiox_region *r;

		ret = vfiox_vu_region(vu, 200, &r);
		printf("region 200: %d (%s)\n", ret, ret ? vfiox_ctx_last_error(ctx) : "");
		if (ret != -EINVAL) {
			vfiox_region_free(ret ? NULL : r);
			return fail("region 200 should be refused", ret ? ret : -EPROTO);
		}
	}
	ret = vfiox_vu_reset(vu);
	if (ret)
		return fail("reset", ret);
	printf("reset ok\n");
out:
	vfiox_vu_close(vu);
	vfiox_ctx_free(ctx);
	printf("done\n");
	return 0;
}
