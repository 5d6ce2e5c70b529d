/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vfnet-msg.c: the rtnetlink messages of the VF settings, encoded and decoded as pure
 * functions over buffers (no socket: unit-tested and fuzzed). vfnet.c sends them through
 * vfiox_sys_netlink_transact() and decides what the answers mean.
 */
#ifndef VFIOX_VFNET_MSG_H
#define VFIOX_VFNET_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vfiox/sriov.h>

/* IFNAMSIZ of <net/if.h>, the NUL included. */
#define VFIOX_VF_IFNAMSIZ 16
/* Room for every request built here (RTM_GETLINK by name, RTM_SETLINK of one setting). */
#define VFIOX_VF_REQ_MAX 128

/* What the kernel answered to one request. */
struct vfiox_vf_reply {
	int error;	/* the ack's: 0 or -errno */
	char why[256];	/* its NLMSGERR_ATTR_MSG, control characters replaced; "" if none */
	bool have_link; /* an RTM_NEWLINK came (the answer to RTM_GETLINK) */
	int ifindex;	/* > 0 when have_link */
	char ifname[VFIOX_VF_IFNAMSIZ]; /* "" when the kernel sent none */
	long num_vfs;	   /* IFLA_NUM_VF; -1 when absent (an interface without a parent) */
	bool have_vfinfo;  /* IFLA_VFINFO_LIST came: the driver reports VF settings */
	unsigned int nvfs; /* VFs in that list */
	bool vf_found;	   /* the VF asked for is among them */
	/* Its settings; .set holds those the driver reported with a valid value. */
	struct vfiox_vf_config cfg;
};

/*
 * RTM_GETLINK with NLM_F_ACK and IFLA_EXT_MASK RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS,
 * for @ifindex (> 0) or, when 0, for @ifname (IFLA_IFNAME). Its length, or -EINVAL
 * (@ifname empty or too long, no @ifindex nor @ifname), -ENOSPC when @len is too small.
 */
int vfiox__vf_encode_get(void *buf, size_t len, uint32_t seq, int ifindex, const char *ifname);

/*
 * RTM_SETLINK with NLM_F_ACK of interface @ifindex: IFLA_VFINFO_LIST { IFLA_VF_INFO {
 * the one attribute of setting @bit (enum vfiox_vf_settings) of VF @vf, from @cfg } }.
 * Its length, -EINVAL for a @bit that is not one setting, -ENOSPC.
 */
int vfiox__vf_encode_set(void *buf, size_t len, uint32_t seq, int ifindex, unsigned int vf,
			 unsigned int bit, const struct vfiox_vf_config *cfg);

/*
 * The messages of sequence @seq in @buf (@len bytes, as the kernel sent them): the ack
 * (NLMSG_ERROR, its ext-ack message) or NLMSG_DONE, which must come, and at most one
 * RTM_NEWLINK, whose IFLA_VFINFO_LIST is searched for VF @vf. Every length is checked
 * against what holds it; a setting whose value is out of its range is left out of
 * @r->cfg.set. 0, or -EBADMSG for a malformed reply (then @r is not to be used).
 */
int vfiox__vf_parse(const void *buf, size_t len, uint32_t seq, unsigned int vf,
		    struct vfiox_vf_reply *r);

#endif /* VFIOX_VFNET_MSG_H */
