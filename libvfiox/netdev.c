// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What rtnetlink says about a network interface: up or down, its addresses, the routes
 * through it (libnl-route). The one place libvfiox talks netlink; the unit tests replace
 * vfiox__netdev_facts() as a whole, since netlink replies cannot be faked below libnl.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "internal.h"
#include "host-private.h"

/* Addresses and routes named in a finding; the rest are counted. */
#define MAX_LISTED 4

struct list {
	char *buf;
	size_t len, count;
};

static int list_add(struct list *l, const char *item)
{
	size_t n = strlen(item);
	char *p;

	if (++l->count > MAX_LISTED)
		return 0;
	p = realloc(l->buf, l->len + n + 3);
	if (!p)
		return -ENOMEM;
	l->buf = p;
	if (l->len) {
		memcpy(l->buf + l->len, ", ", 2);
		l->len += 2;
	}
	memcpy(l->buf + l->len, item, n + 1);
	l->len += n;
	return 0;
}

/* Appends " and N more" when items were left out; hands the string over. */
static int list_finish(struct list *l, char **out)
{
	if (l->count > MAX_LISTED) {
		char more[48];
		char *p;

		snprintf(more, sizeof(more), " and %zu more", l->count - MAX_LISTED);
		p = realloc(l->buf, l->len + strlen(more) + 1);
		if (!p)
			return -ENOMEM;
		strcpy(p + l->len, more);
		l->buf = p;
	}
	*out = l->buf;
	l->buf = NULL;
	return 0;
}

static int nl_to_errno(int err)
{
	switch (-err) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_NODEV:
	case NLE_OBJ_NOTFOUND:
		return -ENODEV;
	case NLE_AF_NOSUPPORT:
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

struct walk {
	int ifindex;
	struct list list;
	int err;
};

static void add_addr(struct nl_object *obj, void *arg)
{
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	struct walk *w = arg;
	char buf[128];

	if (w->err || rtnl_addr_get_ifindex(a) != w->ifindex || !rtnl_addr_get_local(a))
		return;
	nl_addr2str(rtnl_addr_get_local(a), buf, sizeof(buf));
	w->err = list_add(&w->list, buf);
}

/* The routes every interface that is up gets from the kernel, IPv6 link-local/multicast. */
static bool automatic_route(struct rtnl_route *r)
{
	struct nl_addr *dst = rtnl_route_get_dst(r);
	const uint8_t *b;

	if (rtnl_route_get_table(r) == RT_TABLE_LOCAL)
		return true;
	if (rtnl_route_get_type(r) != RTN_UNICAST)
		return true;
	if (rtnl_route_get_family(r) != AF_INET6 || !dst || nl_addr_get_len(dst) < 2)
		return false;
	b = nl_addr_get_binary_addr(dst);
	return b[0] == 0xff || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
}

static void add_route(struct nl_object *obj, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct walk *w = arg;
	struct nl_addr *dst, *gw = NULL;
	char d[128], g[128], item[300];
	int i, n = rtnl_route_get_nnexthops(r);
	bool ours = false;

	if (w->err || automatic_route(r))
		return;
	for (i = 0; i < n; i++) {
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, i);

		if (nh && rtnl_route_nh_get_ifindex(nh) == w->ifindex) {
			ours = true;
			gw = rtnl_route_nh_get_gateway(nh);
			break;
		}
	}
	if (!ours)
		return;
	dst = rtnl_route_get_dst(r);
	if (!dst || !nl_addr_get_prefixlen(dst))
		snprintf(d, sizeof(d), "default");
	else
		nl_addr2str(dst, d, sizeof(d));
	if (gw)
		snprintf(item, sizeof(item), "%s via %s", d, nl_addr2str(gw, g, sizeof(g)));
	else
		snprintf(item, sizeof(item), "%s", d);
	w->err = list_add(&w->list, item);
}

/* One rtnetlink socket, and the address and route dumps, shared by the interfaces asked
 * about in one probe: the dumps list the whole host, so they are taken once. */
struct vfiox_netdev_cache {
	struct nl_sock *sk;
	struct nl_cache *addrs, *routes; /* NULL until an interface is there to look at */
};

void vfiox__netdev_cache_free(struct vfiox_netdev_cache *c)
{
	if (!c)
		return;
	nl_cache_free(c->routes);
	nl_cache_free(c->addrs);
	nl_socket_free(c->sk);
	free(c);
}

static int cache_open(struct vfiox_ctx *ctx, const char *name, struct vfiox_netdev_cache **cp)
{
	struct vfiox_netdev_cache *c;
	int ret;

	c = calloc(1, sizeof(*c));
	if (!c)
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	c->sk = nl_socket_alloc();
	if (!c->sk) {
		free(c);
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	}
	ret = nl_connect(c->sk, NETLINK_ROUTE);
	if (ret < 0) {
		ret = vfiox__err(ctx, nl_to_errno(ret), "cannot ask the kernel about interface "
				 "%s: rtnetlink socket: %s", name, nl_geterror(ret));
		vfiox__netdev_cache_free(c);
		return ret;
	}
	*cp = c;
	return 0;
}

int vfiox__netdev_facts(struct vfiox_ctx *ctx, struct vfiox_netdev_cache **cachep, int ifindex,
			const char *name, struct vfiox_netdev_facts *facts)
{
	struct rtnl_link *link = NULL;
	struct walk w = { .ifindex = ifindex };
	struct vfiox_netdev_cache *c;
	int ret;

	memset(facts, 0, sizeof(*facts));
	if (!*cachep) {
		ret = cache_open(ctx, name, cachep);
		if (ret)
			return ret;
	}
	c = *cachep;
	ret = rtnl_link_get_kernel(c->sk, ifindex, NULL, &link);
	if (ret < 0) {
		ret = nl_to_errno(ret);
		if (ret == -ENODEV)
			vfiox__dbg(ctx, "interface %s (index %d): not in this network namespace",
				   name, ifindex);
		else
			vfiox__err(ctx, ret, "cannot ask the kernel about interface %s: %s", name,
				   strerror(-ret));
		return ret;
	}
	facts->up = rtnl_link_get_flags(link) & IFF_UP;
	rtnl_link_put(link);
	if (!c->addrs) {
		ret = rtnl_addr_alloc_cache(c->sk, &c->addrs);
		if (ret >= 0)
			ret = rtnl_route_alloc_cache(c->sk, AF_UNSPEC, 0, &c->routes);
		if (ret < 0) {
			nl_cache_free(c->addrs);
			c->addrs = NULL;
			return vfiox__err(ctx, nl_to_errno(ret), "cannot read the addresses and "
					  "routes of interface %s over rtnetlink: %s", name,
					  nl_geterror(ret));
		}
	}
	nl_cache_foreach(c->addrs, add_addr, &w);
	if (!w.err)
		w.err = list_finish(&w.list, &facts->addrs);
	free(w.list.buf); /* left only when list_finish() failed */
	w.list = (struct list){ 0 };
	if (!w.err)
		nl_cache_foreach(c->routes, add_route, &w);
	if (!w.err)
		w.err = list_finish(&w.list, &facts->routes);
	free(w.list.buf);
	if (!w.err)
		return 0;
	vfiox__netdev_facts_release(facts);
	return vfiox__err(ctx, w.err, "out of memory");
}

void vfiox__netdev_facts_release(struct vfiox_netdev_facts *facts)
{
	free(facts->addrs);
	free(facts->routes);
	facts->addrs = facts->routes = NULL;
}
