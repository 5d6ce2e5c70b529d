// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer: the decoders of a vfio-user server's replies (libvfiox/vfio-user-msg.c), fed
 * what a server could send. The first byte picks the decoder (low 3 bits) and the number
 * of fds said to come with the message (next 2 bits); the rest is one whole message
 * answering message id 1. Whatever a decoder accepts must agree with the request it
 * answers and with the negotiated limits.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "vfio-user-msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct vfiox_vu_caps proposal = {
	.major = 0,
	.minor = 1,
	.present = VFIOX_VU_CAP_MAX_MSG_FDS | VFIOX_VU_CAP_MAX_XFER | VFIOX_VU_CAP_PGSIZES |
		   VFIOX_VU_CAP_MAX_DMA_MAPS,
	.max_msg_fds = 16,
	.max_data_xfer_size = 1048576,
	.pgsizes = 4096,
	.max_dma_maps = 65535,
};

static void check_ret(int ret)
{
	if (ret != 0 && ret != VFIOX_VU_ERROR_REPLY && ret != -EBADMSG && ret != -EPROTO &&
	    ret != -ENOSPC && ret != -ENOMEM)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256];
	struct vfiox_vu_caps got;
	struct vfiox_device_info info;
	struct vfiox_region r;
	struct vfiox_irq irq;
	const uint8_t *rd;
	uint32_t need = 0;
	size_t n, nfds, i;
	uint8_t *buf;
	int ret;

	if (!size)
		return 0;
	n = size - 1;
	nfds = (data[0] >> 3) & 3;
	/* A copy of exactly @n bytes, so ASan catches any read past the end. */
	buf = malloc(n ? n : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, n);
	why[0] = 0;
	switch (data[0] & 7) {
	case 0:
		ret = vfiox__vu_dec_version(buf, n, nfds, 1, &proposal, &got, why, sizeof(why));
		check_ret(ret);
		if (ret == 0 && (nfds || got.major != 0 || got.minor > 1 ||
				 got.max_msg_fds > 16 || !got.max_data_xfer_size ||
				 got.max_data_xfer_size > 1048576 || got.pgsizes != 4096 ||
				 !got.max_dma_maps || got.max_dma_maps > 65535 ||
				 (got.present & ~proposal.present)))
			abort();
		break;
	case 1:
		ret = vfiox__vu_dec_device_info(buf, n, nfds, 1, &info, why, sizeof(why));
		check_ret(ret);
		if (ret == 0 && (nfds || n != 32 || info.num_regions > VFIOX_VU_MAX_REGIONS ||
				 info.num_irqs > VFIOX_VU_MAX_IRQS))
			abort();
		break;
	case 2:
		ret = vfiox__vu_dec_region_info(buf, n, nfds, 1, 1, 4096, &r, &need, why,
						sizeof(why));
		check_ret(ret);
		if (ret == -ENOSPC && (need <= 4096 || need > VFIOX_VU_MAX_INFO))
			abort();
		if (ret == 0) {
			if (r.index != 1 || nfds > 1 || n > 16 + 4096 ||
			    (nfds && !(r.flags & VFIO_REGION_INFO_FLAG_MMAP)) ||
			    r.offset > UINT64_MAX - r.size)
				abort();
			for (i = 0; i < r.num_sparse; i++)
				if (r.sparse[i].offset > r.size ||
				    r.sparse[i].size > r.size - r.sparse[i].offset)
					abort();
			free(r.sparse);
		}
		break;
	case 3:
		ret = vfiox__vu_dec_region_read(buf, n, nfds, 1, 0, 0, 8, &rd, why, sizeof(why));
		check_ret(ret);
		if (ret == 0 && (nfds || n != 16 + 16 + 8 || rd != buf + 32))
			abort();
		break;
	case 4:
		ret = vfiox__vu_dec_region_write(buf, n, nfds, 1, 0, 0, 8, why, sizeof(why));
		check_ret(ret);
		if (ret == 0 && (nfds || n != 32))
			abort();
		break;
	case 5:
		ret = vfiox__vu_dec_irq_info(buf, n, nfds, 1, 0, &irq, why, sizeof(why));
		check_ret(ret);
		if (ret == 0 && (nfds || irq.index != 0 || !irq.name))
			abort();
		break;
	case 6:
		ret = vfiox__vu_dec_reset(buf, n, nfds, 1, why, sizeof(why));
		check_ret(ret);
		if (ret == 0 && (nfds || n != 16))
			abort();
		break;
	default:
		ret = vfiox__vu_parse_caps((const char *)buf, n, &got, why, sizeof(why));
		if (ret != 0 && ret != -EBADMSG && ret != -EPROTO)
			abort();
		break;
	}
	if (ret && ret != VFIOX_VU_ERROR_REPLY && ret != -ENOSPC && !why[0])
		abort(); /* every refusal says why */
	if (strnlen(why, sizeof(why)) == sizeof(why))
		abort();
	free(buf);
	return 0;
}
