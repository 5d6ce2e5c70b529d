// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The hand-over message and the LISTEN_FDNAMES names, both ways. Pure: no fd, no socket,
 * no allocation; handover.c moves the bytes and the fds. Whatever arrives is someone
 * else's text: every number, address and line is checked, and anything not in the format
 * is refused rather than skipped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "handover-msg.h"
#include "internal.h"

#define MAGIC "vfiox-handover"

static int why_fail(int err, char *why, size_t whylen, const char *fmt, ...) VFIOX_PRINTF(4, 5);

static int why_fail(int err, char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

const char *vfiox__ho_model_name(int model)
{
	switch (model) {
	case VFIOX_IOMMU_TYPE1:
		return "type1";
	case VFIOX_IOMMU_TYPE1V2:
		return "type1v2";
	case VFIOX_IOMMU_IOMMUFD:
		return "iommufd";
	default:
		return NULL;
	}
}

/* A decimal group number of @len bytes: digits only, no leading zero, at most INT_MAX. */
static int parse_group(const char *s, size_t len, int *id)
{
	long long v = 0;
	size_t i;

	if (!len || len > 10 || (s[0] == '0' && len > 1))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > 2147483647LL)
		return -1;
	*id = (int)v;
	return 0;
}

/* A PCI address of @len bytes, in the canonical form only ("0000:03:00.0", lower case). */
static int parse_addr(const char *s, size_t len, char *out)
{
	char tmp[VFIOX_PCI_ADDR_STRLEN];
	struct vfiox_pci_addr a;

	if (!len || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (strlen(tmp) != len)
		return -1; /* a NUL inside */
	if (vfiox_pci_addr_parse(tmp, &a) ||
	    vfiox_pci_addr_format(&a, out, VFIOX_PCI_ADDR_STRLEN) < 0 || strcmp(out, tmp))
		return -1;
	return 0;
}

static const char *kind_word(int kind)
{
	switch (kind) {
	case VFIOX_HANDOVER_CONTAINER:
		return "container";
	case VFIOX_HANDOVER_GROUP:
		return "group";
	case VFIOX_HANDOVER_DEVICE:
		return "device";
	case VFIOX_HANDOVER_IOMMUFD:
		return "iommufd";
	default:
		return "cdev";
	}
}

/* An iommufd bundle: the iommufd first and once, then cdevs, each address once. */
static int check_iommufd(const struct vfiox_ho_desc *d, bool fdnames, char *why, size_t whylen)
{
	size_t i, j;

	if (!fdnames && d->model != VFIOX_IOMMU_IOMMUFD)
		return why_fail(-EBADMSG, why, whylen, "the iommu line says %s, but the bundle "
				"holds an iommufd and cdevs (iommu iommufd)",
				vfiox__ho_model_name(d->model) ?: "nothing");
	if (d->e[0].kind != VFIOX_HANDOVER_IOMMUFD)
		return why_fail(-EBADMSG, why, whylen, "fd 0 is a cdev: the iommufd goes first, "
				"before the cdevs");
	for (i = 1; i < d->num; i++) {
		const struct vfiox_ho_entry *e = &d->e[i];

		if (e->kind == VFIOX_HANDOVER_IOMMUFD)
			return why_fail(-EBADMSG, why, whylen, "fd %zu is a second iommufd", i);
		for (j = 1; j < i; j++)
			if (!strcmp(d->e[j].dev, e->dev))
				return why_fail(-EBADMSG, why, whylen,
						"fd %zu: cdev %s twice (fds %zu and %zu)", i,
						e->dev, j, i);
		if (e->group < 0 && !fdnames)
			return why_fail(-EBADMSG, why, whylen, "fd %zu: cdev %s without its group",
					i, e->dev);
	}
	if (d->num < 2)
		return why_fail(-EBADMSG, why, whylen, "an iommufd and no cdev");
	return 0;
}

int vfiox__ho_check(const struct vfiox_ho_desc *d, bool fdnames, char *why, size_t whylen)
{
	size_t i, j, containers = 0, groups = 0, type1 = 0, iommufd = 0;

	if (d->num > VFIOX_HANDOVER_MAX_FDS)
		return why_fail(-EMSGSIZE, why, whylen, "%zu fds, more than the %d a bundle may hold",
				d->num, VFIOX_HANDOVER_MAX_FDS);
	for (i = 0; i < d->num; i++) {
		int kind = d->e[i].kind;

		if (kind < VFIOX_HANDOVER_CONTAINER || kind > VFIOX_HANDOVER_CDEV)
			return why_fail(-EBADMSG, why, whylen, "fd %zu: unknown kind %d", i, kind);
		if (kind >= VFIOX_HANDOVER_IOMMUFD)
			iommufd++;
		else
			type1++;
		if (iommufd && type1)
			return why_fail(-EBADMSG, why, whylen, "fd %zu: a %s in a bundle that also "
					"holds %s: a bundle is type1 (container, groups, "
					"devices) or iommufd (an iommufd and cdevs), never both", i,
					kind_word(kind), kind >= VFIOX_HANDOVER_IOMMUFD ?
					"a container, group or device" : "an iommufd or cdevs");
	}
	if (iommufd)
		return check_iommufd(d, fdnames, why, whylen);
	if (!fdnames && d->model != VFIOX_IOMMU_TYPE1 && d->model != VFIOX_IOMMU_TYPE1V2)
		return why_fail(-EBADMSG, why, whylen, d->model == VFIOX_IOMMU_IOMMUFD ?
				"the iommu line says iommufd, but the bundle holds a type1 container" :
				"no IOMMU model (type1 or type1v2)");
	for (i = 0; i < d->num; i++) {
		const struct vfiox_ho_entry *e = &d->e[i];
		bool found = false;

		switch (e->kind) {
		case VFIOX_HANDOVER_CONTAINER:
			if (++containers > 1)
				return why_fail(-EBADMSG, why, whylen, "fd %zu is a second container",
						i);
			continue;
		case VFIOX_HANDOVER_GROUP:
			groups++;
			if (e->group < 0)
				return why_fail(-EBADMSG, why, whylen, "fd %zu: group without a number",
						i);
			for (j = 0; j < i; j++)
				if (d->e[j].kind == VFIOX_HANDOVER_GROUP && d->e[j].group == e->group)
					return why_fail(-EBADMSG, why, whylen,
							"fd %zu: group %d twice (fds %zu and %zu)", i,
							e->group, j, i);
			continue;
		default: /* VFIOX_HANDOVER_DEVICE */
			for (j = 0; j < i; j++)
				if (d->e[j].kind == VFIOX_HANDOVER_DEVICE &&
				    !strcmp(d->e[j].dev, e->dev))
					return why_fail(-EBADMSG, why, whylen,
							"fd %zu: device %s twice (fds %zu and %zu)",
							i, e->dev, j, i);
			if (e->group < 0) {
				if (!fdnames)
					return why_fail(-EBADMSG, why, whylen,
							"fd %zu: device %s without its group", i,
							e->dev);
				continue;
			}
			for (j = 0; j < d->num && !found; j++)
				found = d->e[j].kind == VFIOX_HANDOVER_GROUP &&
					d->e[j].group == e->group;
			if (!found)
				return why_fail(-EBADMSG, why, whylen,
						"fd %zu: device %s is in group %d, which the bundle "
						"does not hold", i, e->dev, e->group);
			continue;
		}
	}
	if (!containers)
		return why_fail(-EBADMSG, why, whylen, "no container");
	if (!groups)
		return why_fail(-EBADMSG, why, whylen, "no group");
	return 0;
}

/* Appends to @buf; false when it does not fit. */
static bool put(char *buf, size_t len, size_t *at, const char *fmt, ...) VFIOX_PRINTF(4, 5);

static bool put(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at >= len)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *at)
		return false;
	*at += (size_t)n;
	return true;
}

int vfiox__ho_encode(const struct vfiox_ho_desc *d, char *buf, size_t len, char *why,
		     size_t whylen)
{
	size_t at = 0, i;
	bool ok;
	int ret;

	if (d->refused) {
		if (strchr(d->error, '\n') || !d->error[0] ||
		    strlen(d->error) + sizeof("error \n") > VFIOX_HO_MAX_LINE)
			return why_fail(-EINVAL, why, whylen,
					"a refusal is one line of 1 to %zu characters",
					VFIOX_HO_MAX_LINE - sizeof("error \n"));
		ok = put(buf, len, &at, MAGIC " %d\nerror %s\nend\n", VFIOX_HANDOVER_VERSION,
			 d->error);
		return ok ? (int)at : why_fail(-ENOSPC, why, whylen, "the buffer is too small");
	}
	ret = vfiox__ho_check(d, false, why, whylen);
	if (ret)
		return -EINVAL;
	ok = put(buf, len, &at, MAGIC " %d\niommu %s\n", VFIOX_HANDOVER_VERSION,
		 vfiox__ho_model_name(d->model));
	for (i = 0; ok && i < d->num; i++) {
		const struct vfiox_ho_entry *e = &d->e[i];

		if (e->kind == VFIOX_HANDOVER_CONTAINER)
			ok = put(buf, len, &at, "container\n");
		else if (e->kind == VFIOX_HANDOVER_GROUP)
			ok = put(buf, len, &at, "group %d\n", e->group);
		else if (e->kind == VFIOX_HANDOVER_DEVICE)
			ok = put(buf, len, &at, "device %s %d\n", e->dev, e->group);
		else if (e->kind == VFIOX_HANDOVER_IOMMUFD)
			ok = put(buf, len, &at, "iommufd\n");
		else
			ok = put(buf, len, &at, "cdev %s %d\n", e->dev, e->group);
	}
	ok = ok && put(buf, len, &at, "end\n");
	if (!ok)
		return why_fail(-ENOSPC, why, whylen, "the buffer is too small");
	if (at > VFIOX_HANDOVER_MAX_MSG)
		return why_fail(-EINVAL, why, whylen, "the message would be %zu bytes, more than %d",
				at, VFIOX_HANDOVER_MAX_MSG);
	return (int)at;
}

/* The words of one line: up to 3, separated by single spaces. */
struct words {
	const char *w[3];
	size_t len[3];
	size_t n;
};

static int split(const char *line, size_t len, struct words *ws)
{
	size_t i = 0;

	memset(ws, 0, sizeof(*ws));
	while (i < len) {
		size_t start = i;

		while (i < len && line[i] != ' ')
			i++;
		if (i == start || ws->n == 3)
			return -1; /* an empty word (two spaces, a leading or trailing one), or a 4th */
		ws->w[ws->n] = line + start;
		ws->len[ws->n++] = i - start;
		if (i < len && ++i == len)
			return -1; /* a trailing space */
	}
	return 0;
}

static bool word_is(const struct words *ws, size_t i, const char *s)
{
	return i < ws->n && ws->len[i] == strlen(s) && !memcmp(ws->w[i], s, ws->len[i]);
}

/* One fd line ("container", "group N", "device ADDR N", "iommufd", "cdev ADDR N") into
 * @e; 0 or -1. */
static int parse_entry(const struct words *ws, struct vfiox_ho_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->group = -1;
	if (word_is(ws, 0, "container") && ws->n == 1) {
		e->kind = VFIOX_HANDOVER_CONTAINER;
		return 0;
	}
	if (word_is(ws, 0, "group") && ws->n == 2) {
		e->kind = VFIOX_HANDOVER_GROUP;
		return parse_group(ws->w[1], ws->len[1], &e->group);
	}
	if ((word_is(ws, 0, "device") || word_is(ws, 0, "cdev")) && ws->n == 3) {
		e->kind = word_is(ws, 0, "cdev") ? VFIOX_HANDOVER_CDEV : VFIOX_HANDOVER_DEVICE;
		if (parse_addr(ws->w[1], ws->len[1], e->dev))
			return -1;
		return parse_group(ws->w[2], ws->len[2], &e->group);
	}
	if (word_is(ws, 0, "iommufd") && ws->n == 1) {
		e->kind = VFIOX_HANDOVER_IOMMUFD;
		return 0;
	}
	return -1;
}

int vfiox__ho_decode(const char *buf, size_t len, struct vfiox_ho_desc *d, char *why,
		     size_t whylen)
{
	char header[32];
	size_t at = 0, lineno = 0;
	bool ended = false;

	memset(d, 0, sizeof(*d));
	if (len > VFIOX_HANDOVER_MAX_MSG)
		return why_fail(-EMSGSIZE, why, whylen, "%zu bytes, more than the %d a message may have",
				len, VFIOX_HANDOVER_MAX_MSG);
	if (!len)
		return why_fail(-EBADMSG, why, whylen, "an empty message");
	while (at < len) {
		const char *line = buf + at, *nl = memchr(line, '\n', len - at);
		size_t ll, i;
		struct words ws;

		lineno++;
		if (!nl)
			return why_fail(-EBADMSG, why, whylen, "line %zu is cut short (no newline): "
					"a truncated message", lineno);
		ll = (size_t)(nl - line);
		at += ll + 1;
		if (ll + 1 > VFIOX_HO_MAX_LINE)
			return why_fail(-EBADMSG, why, whylen, "line %zu is longer than %d bytes",
					lineno, VFIOX_HO_MAX_LINE);
		for (i = 0; i < ll; i++)
			if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e)
				return why_fail(-EBADMSG, why, whylen,
						"line %zu holds byte 0x%02x, not printable ASCII",
						lineno, (unsigned char)line[i]);
		if (ended)
			return why_fail(-EBADMSG, why, whylen, "line %zu follows \"end\"", lineno);
		if (lineno == 1) {
			int ver;

			snprintf(header, sizeof(header), "%.*s", (int)(ll < 31 ? ll : 31), line);
			if (split(line, ll, &ws) || !word_is(&ws, 0, MAGIC) || ws.n != 2 ||
			    parse_group(ws.w[1], ws.len[1], &ver))
				return why_fail(-EBADMSG, why, whylen, "not a hand-over message (it "
						"starts \"%s\", not \"" MAGIC " %d\")", header,
						VFIOX_HANDOVER_VERSION);
			if (ver != VFIOX_HANDOVER_VERSION)
				return why_fail(-EPROTO, why, whylen, "message version %d; this "
						"library reads version %d", ver,
						VFIOX_HANDOVER_VERSION);
			continue;
		}
		if (ll == 3 && !memcmp(line, "end", 3)) {
			ended = true;
			continue;
		}
		if (ll > 6 && !memcmp(line, "error ", 6)) {
			if (lineno != 2)
				return why_fail(-EBADMSG, why, whylen, "line %zu: an error after the "
						"description", lineno);
			d->refused = true;
			memcpy(d->error, line + 6, ll - 6);
			d->error[ll - 6] = '\0';
			continue;
		}
		if (d->refused)
			return why_fail(-EBADMSG, why, whylen, "line %zu: more after an error", lineno);
		if (split(line, ll, &ws))
			return why_fail(-EBADMSG, why, whylen, "line %zu: malformed (\"%.*s\")", lineno,
					(int)ll, line);
		if (word_is(&ws, 0, "iommu")) {
			if (lineno != 2 || ws.n != 2)
				return why_fail(-EBADMSG, why, whylen, "line %zu: the iommu line goes "
						"second, once", lineno);
			if (word_is(&ws, 1, "type1v2"))
				d->model = VFIOX_IOMMU_TYPE1V2;
			else if (word_is(&ws, 1, "type1"))
				d->model = VFIOX_IOMMU_TYPE1;
			else if (word_is(&ws, 1, "iommufd"))
				d->model = VFIOX_IOMMU_IOMMUFD;
			else
				return why_fail(-EBADMSG, why, whylen, "line %zu: unknown IOMMU model "
						"\"%.*s\"", lineno, (int)ws.len[1], ws.w[1]);
			continue;
		}
		if (d->num == VFIOX_HANDOVER_MAX_FDS)
			return why_fail(-EMSGSIZE, why, whylen, "more than %d fds described",
					VFIOX_HANDOVER_MAX_FDS);
		if (parse_entry(&ws, &d->e[d->num]))
			return why_fail(-EBADMSG, why, whylen, "line %zu: not \"container\", "
					"\"group N\", \"device DDDD:BB:SS.F N\", \"iommufd\" or "
					"\"cdev DDDD:BB:SS.F N\": \"%.*s\"", lineno, (int)ll, line);
		d->num++;
	}
	if (!ended)
		return why_fail(-EBADMSG, why, whylen, "no \"end\" line: a truncated message");
	if (d->refused)
		return 0;
	return vfiox__ho_check(d, false, why, whylen);
}

int vfiox__ho_fdname(const struct vfiox_ho_entry *e, char *buf, size_t len)
{
	char dev[VFIOX_PCI_ADDR_STRLEN];
	size_t i;
	int n;

	switch (e->kind) {
	case VFIOX_HANDOVER_CONTAINER:
		n = snprintf(buf, len, "vfio-container");
		break;
	case VFIOX_HANDOVER_GROUP:
		n = snprintf(buf, len, "vfio-group-%d", e->group);
		break;
	case VFIOX_HANDOVER_DEVICE:
	case VFIOX_HANDOVER_CDEV:
		/* LISTEN_FDNAMES separates with colons: the address's colons become dashes. */
		snprintf(dev, sizeof(dev), "%s", e->dev);
		for (i = 0; dev[i]; i++)
			if (dev[i] == ':')
				dev[i] = '-';
		n = snprintf(buf, len, "vfio-%s-%s",
			     e->kind == VFIOX_HANDOVER_CDEV ? "cdev" : "device", dev);
		break;
	case VFIOX_HANDOVER_IOMMUFD:
		n = snprintf(buf, len, "iommufd");
		break;
	default:
		return -EINVAL;
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

/* "vfio-device-" or "vfio-cdev-" and an address with dashes for colons into @e->dev. */
static int parse_dashed_addr(const char *s, size_t len, struct vfiox_ho_entry *e)
{
	char addr[VFIOX_PCI_ADDR_STRLEN];
	size_t i;

	if (!len || len >= sizeof(addr))
		return -1;
	/* Dashes back to colons; a dash anywhere else makes it no canonical address. */
	memcpy(addr, s, len);
	addr[len] = '\0';
	for (i = 0; addr[i]; i++)
		if (addr[i] == '-')
			addr[i] = ':';
	return parse_addr(addr, len, e->dev);
}

/* One name of @len bytes into @e; 0 or -1. */
static int parse_fdname(const char *s, size_t len, struct vfiox_ho_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->group = -1;
	if (len == 14 && !memcmp(s, "vfio-container", 14)) {
		e->kind = VFIOX_HANDOVER_CONTAINER;
		return 0;
	}
	if (len == 7 && !memcmp(s, "iommufd", 7)) {
		e->kind = VFIOX_HANDOVER_IOMMUFD;
		return 0;
	}
	if (len > 11 && !memcmp(s, "vfio-group-", 11)) {
		e->kind = VFIOX_HANDOVER_GROUP;
		return parse_group(s + 11, len - 11, &e->group);
	}
	if (len > 12 && !memcmp(s, "vfio-device-", 12)) {
		e->kind = VFIOX_HANDOVER_DEVICE;
		return parse_dashed_addr(s + 12, len - 12, e);
	}
	if (len > 10 && !memcmp(s, "vfio-cdev-", 10)) {
		e->kind = VFIOX_HANDOVER_CDEV;
		return parse_dashed_addr(s + 10, len - 10, e);
	}
	return -1;
}

int vfiox__ho_decode_fdnames(const char *names, size_t len, size_t nfds, struct vfiox_ho_desc *d,
			     char *why, size_t whylen)
{
	size_t at = 0;

	memset(d, 0, sizeof(*d));
	if (nfds > VFIOX_HANDOVER_MAX_FDS)
		return why_fail(-EMSGSIZE, why, whylen, "LISTEN_FDS=%zu, more than the %d a bundle "
				"may hold", nfds, VFIOX_HANDOVER_MAX_FDS);
	if (!nfds)
		return why_fail(-EBADMSG, why, whylen, "LISTEN_FDS is 0: no fd was passed");
	for (;;) {
		const char *s = names + at, *colon = memchr(s, ':', len - at);
		size_t nl = colon ? (size_t)(colon - s) : len - at;

		if (d->num == nfds)
			return why_fail(-EBADMSG, why, whylen, "LISTEN_FDNAMES has more names than "
					"the %zu fds of LISTEN_FDS", nfds);
		if (parse_fdname(s, nl, &d->e[d->num]))
			return why_fail(-EBADMSG, why, whylen, "LISTEN_FDNAMES: name %zu \"%.*s\" is "
					"not vfio-container, vfio-group-N, "
					"vfio-device-DDDD-BB-SS.F, iommufd or "
					"vfio-cdev-DDDD-BB-SS.F", d->num + 1,
					(int)(nl < 64 ? nl : 64), s);
		d->num++;
		if (!colon)
			break;
		at += nl + 1;
	}
	if (d->num != nfds)
		return why_fail(-EBADMSG, why, whylen, "LISTEN_FDNAMES has %zu names for the %zu fds "
				"of LISTEN_FDS", d->num, nfds);
	return vfiox__ho_check(d, true, why, whylen);
}
