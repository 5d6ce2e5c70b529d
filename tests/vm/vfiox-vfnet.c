// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiox-vfnet: test helper for the VM's VF settings (t-95-vfnet.sh).
 *
 *   vfiox-vfnet set IFNAME VF MAC VLAN QOS TRUST SPOOFCHK LINKSTATE
 *	vfiox_netdev_vf_configure() with all five settings, the values as given (a link state
 *	the CLI would refuse, such as 7, goes to the driver): "ok", or the library's message
 *	and exit 1.
 *   vfiox-vfnet raw IFNAME VF
 *	the VF's settings read with this file's own RTM_GETLINK and its own walk of the
 *	reply (the <linux/rtnetlink.h> macros, nothing of libvfiox), to check the library's
 *	read-back another way: "mac=... vlan=N qos=N spoofchk=N trust=N link=N".
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <vfiox/vfiox.h>

static int do_set(char **argv)
{
	struct vfiox_vf_config cfg = { 0 };
	struct vfiox_ctx *ctx;
	unsigned m[6];
	int ret;

	if (sscanf(argv[2], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		return 2;
	for (ret = 0; ret < 6; ret++)
		cfg.mac[ret] = (uint8_t)m[ret];
	cfg.set = VFIOX_VF_MAC | VFIOX_VF_VLAN | VFIOX_VF_TRUST | VFIOX_VF_SPOOFCHK |
		  VFIOX_VF_LINK_STATE;
	cfg.vlan = (uint16_t)atoi(argv[3]);
	cfg.qos = (uint8_t)atoi(argv[4]);
	cfg.trust = atoi(argv[5]);
	cfg.spoofchk = atoi(argv[6]);
	cfg.link_state = (unsigned)atoi(argv[7]);
	if (vfiox_ctx_new(&ctx))
		return 1;
	ret = vfiox_netdev_vf_configure(ctx, argv[0], (unsigned)atoi(argv[1]), &cfg);
	if (ret)
		printf("%s\n", vfiox_ctx_last_error(ctx));
	else
		printf("ok\n");
	vfiox_ctx_free(ctx);
	return ret ? 1 : 0;
}

static int do_raw(const char *ifname, unsigned vf)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifi;
		char attrs[64];
	} req = { 0 };
	static char buf[65536];
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	struct rtattr *rta;
	struct nlmsghdr *h;
	unsigned int mask = RTEXT_FILTER_VF;
	int fd, n, found = 0;

	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.h.nlmsg_type = RTM_GETLINK;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.h.nlmsg_seq = 77;
	req.ifi.ifi_index = (int)if_nametoindex(ifname);
	if (!req.ifi.ifi_index)
		return perror(ifname), 1;
	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.h.nlmsg_len));
	rta->rta_type = IFLA_EXT_MASK;
	rta->rta_len = RTA_LENGTH(sizeof(mask));
	memcpy(RTA_DATA(rta), &mask, sizeof(mask));
	req.h.nlmsg_len = NLMSG_ALIGN(req.h.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0 || sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&k, sizeof(k)) < 0)
		return perror("netlink"), 1;
	n = (int)recv(fd, buf, sizeof(buf), 0);
	close(fd);
	for (h = (struct nlmsghdr *)buf; n > 0 && NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
		struct rtattr *a;
		int left;

		if (h->nlmsg_type != RTM_NEWLINK)
			continue;
		left = (int)IFLA_PAYLOAD(h);
		for (a = IFLA_RTA(NLMSG_DATA(h)); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
			struct rtattr *info;
			int l2;

			if ((a->rta_type & NLA_TYPE_MASK) != IFLA_VFINFO_LIST)
				continue;
			l2 = (int)RTA_PAYLOAD(a);
			for (info = RTA_DATA(a); RTA_OK(info, l2); info = RTA_NEXT(info, l2)) {
				struct ifla_vf_mac *mac = NULL;
				struct ifla_vf_vlan *vlan = NULL;
				struct ifla_vf_spoofchk *sp = NULL;
				struct ifla_vf_trust *tr = NULL;
				struct ifla_vf_link_state *ls = NULL;
				struct rtattr *x;
				int l3 = (int)RTA_PAYLOAD(info);

				for (x = RTA_DATA(info); RTA_OK(x, l3); x = RTA_NEXT(x, l3)) {
					switch (x->rta_type) {
					case IFLA_VF_MAC: mac = RTA_DATA(x); break;
					case IFLA_VF_VLAN: vlan = RTA_DATA(x); break;
					case IFLA_VF_SPOOFCHK: sp = RTA_DATA(x); break;
					case IFLA_VF_TRUST: tr = RTA_DATA(x); break;
					case IFLA_VF_LINK_STATE: ls = RTA_DATA(x); break;
					}
				}
				if (!mac || mac->vf != vf || !vlan || !sp || !tr || !ls)
					continue;
				printf("mac=%02x:%02x:%02x:%02x:%02x:%02x vlan=%u qos=%u "
				       "spoofchk=%d trust=%d link=%u\n", mac->mac[0], mac->mac[1],
				       mac->mac[2], mac->mac[3], mac->mac[4], mac->mac[5],
				       vlan->vlan, vlan->qos, (int)sp->setting, (int)tr->setting,
				       ls->link_state);
				found = 1;
			}
		}
	}
	if (!found)
		fprintf(stderr, "%s: VF %u not in the kernel's answer\n", ifname, vf);
	return found ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 10 && !strcmp(argv[1], "set"))
		return do_set(argv + 2);
	if (argc == 4 && !strcmp(argv[1], "raw"))
		return do_raw(argv[2], (unsigned)atoi(argv[3]));
	fprintf(stderr, "usage: vfiox-vfnet set IFNAME VF MAC VLAN QOS TRUST SPOOFCHK LINKSTATE\n"
		"       vfiox-vfnet raw IFNAME VF\n");
	return 2;
}
