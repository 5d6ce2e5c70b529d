// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer: the parser of the kernel's rtnetlink answers about VF settings
 * (libvfiox/vfnet-msg.c), fed what a kernel or a driver could send: netlink messages with
 * an RTM_NEWLINK (IFLA_VFINFO_LIST) and an ack with ext-ack TLVs. The first byte picks the
 * VF asked for, the rest is the reply (sequence 1). Whatever it accepts must be
 * self-consistent.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vfnet-msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned int all = VFIOX_VF_MAC | VFIOX_VF_VLAN | VFIOX_VF_TRUST |
				 VFIOX_VF_SPOOFCHK | VFIOX_VF_LINK_STATE;
	struct vfiox_vf_reply r;
	uint8_t *buf;
	size_t i, n;
	int ret;

	if (!size)
		return 0;
	n = size - 1;
	/* A copy of exactly @n bytes, so ASan catches any read past the end. */
	buf = malloc(n ? n : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, n);
	ret = vfiox__vf_parse(buf, n, 1, data[0] % 8, &r);
	if (ret != 0 && ret != -EBADMSG)
		abort();
	if (ret == 0) {
		if (r.error > 0 || r.error < -4095)
			abort();
		if (strnlen(r.why, sizeof(r.why)) == sizeof(r.why) ||
		    strnlen(r.ifname, sizeof(r.ifname)) == sizeof(r.ifname))
			abort();
		for (i = 0; r.why[i]; i++)
			if ((unsigned char)r.why[i] < 0x20 || (unsigned char)r.why[i] >= 0x7f)
				abort();
		if (r.have_link && r.ifindex <= 0)
			abort();
		if ((r.vf_found && (!r.have_link || !r.have_vfinfo || !r.nvfs)) ||
		    (r.have_vfinfo && !r.have_link) || r.nvfs > 1024)
			abort();
		if (r.cfg.set & ~all || (!r.vf_found && r.cfg.set))
			abort();
		if ((r.cfg.set & VFIOX_VF_VLAN) && (r.cfg.vlan > 4095 || r.cfg.qos > 7))
			abort();
		if ((r.cfg.set & VFIOX_VF_LINK_STATE) && r.cfg.link_state > VFIOX_VF_LINK_DISABLE)
			abort();
	}
	free(buf);
	return 0;
}
