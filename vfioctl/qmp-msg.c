// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QMP's JSON: a small parser into a fixed arena (depth and size bounded, every byte
 * checked, since it reads what another program wrote) and the encoder of the commands
 * vfioctl qmp sends (getfd, add-fd, query-fdsets, closefd, qom-list-types, object-add of an
 * iommufd, device_add of a vfio-pci on it). No fd, no socket, no allocation.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "qmp-msg.h"

#define MAX_DEPTH 32

struct parser {
	const char *s;
	size_t len, at;
	struct qj_doc *d;
	char *why;
	size_t whylen;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (p->whylen) {
		va_start(ap, fmt);
		n = vsnprintf(p->why, p->whylen, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < p->whylen)
			snprintf(p->why + n, p->whylen - (size_t)n, " at byte %zu", p->at);
	}
	return -1;
}

static void skip_ws(struct parser *p)
{
	while (p->at < p->len && (p->s[p->at] == ' ' || p->s[p->at] == '\t' ||
				  p->s[p->at] == '\r' || p->s[p->at] == '\n'))
		p->at++;
}

static int new_node(struct parser *p, enum qj_type t)
{
	struct qj_node *n;

	if (p->d->nn == QMP_MAX_NODES)
		return fail(p, "more than %d JSON values", QMP_MAX_NODES);
	n = &p->d->n[p->d->nn];
	memset(n, 0, sizeof(*n));
	n->type = t;
	n->child = n->next = -1;
	return (int)p->d->nn++;
}

static int put_utf8(struct parser *p, unsigned int cp)
{
	char *o = p->d->pool + p->d->used;

	if (p->d->used + 4 >= sizeof(p->d->pool))
		return fail(p, "strings too long");
	if (cp < 0x80) {
		o[0] = (char)cp;
		p->d->used += 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		p->d->used += 2;
	} else {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		p->d->used += 3;
	}
	return 0;
}

/* A string at p->at (the opening quote) into the pool; its start, or NULL. */
static const char *parse_string(struct parser *p)
{
	size_t start = p->d->used;

	p->at++;
	for (;;) {
		unsigned char c;

		if (p->at >= p->len) {
			fail(p, "a string is not closed");
			return NULL;
		}
		c = (unsigned char)p->s[p->at++];
		if (c == '"')
			break;
		if (c < 0x20) {
			fail(p, "control character 0x%02x in a string", c);
			return NULL;
		}
		if (c != '\\') {
			/* Bytes >= 0x80 pass through as they are (UTF-8 stays UTF-8). */
			if (p->d->used + 2 >= sizeof(p->d->pool)) {
				fail(p, "strings too long");
				return NULL;
			}
			p->d->pool[p->d->used++] = (char)c;
			continue;
		}
		if (p->at >= p->len) {
			fail(p, "a string ends in a backslash");
			return NULL;
		}
		c = (unsigned char)p->s[p->at++];
		switch (c) {
		case '"': case '\\': case '/':
			break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u': {
			unsigned int cp = 0;
			int i;

			if (p->at + 4 > p->len) {
				fail(p, "a \\u escape is cut short");
				return NULL;
			}
			for (i = 0; i < 4; i++) {
				char h = p->s[p->at++];

				cp <<= 4;
				if (h >= '0' && h <= '9')
					cp |= (unsigned int)(h - '0');
				else if ((h | 0x20) >= 'a' && (h | 0x20) <= 'f')
					cp |= (unsigned int)((h | 0x20) - 'a' + 10);
				else {
					fail(p, "a \\u escape with '%c'", h);
					return NULL;
				}
			}
			if (!cp) {
				fail(p, "\\u0000 in a string");
				return NULL;
			}
			if (put_utf8(p, cp) < 0)
				return NULL;
			continue;
		}
		default:
			fail(p, "unknown escape \\%c", c);
			return NULL;
		}
		if (put_utf8(p, c) < 0)
			return NULL;
	}
	if (p->d->used + 1 >= sizeof(p->d->pool)) {
		fail(p, "strings too long");
		return NULL;
	}
	p->d->pool[p->d->used++] = '\0';
	return p->d->pool + start;
}

static int parse_value(struct parser *p, int depth);

static int parse_container(struct parser *p, int depth, bool obj)
{
	int node = new_node(p, obj ? QJ_OBJ : QJ_ARR), last = -1, child;
	char close = obj ? '}' : ']';

	if (node < 0)
		return -1;
	p->at++;
	skip_ws(p);
	if (p->at < p->len && p->s[p->at] == close) {
		p->at++;
		return node;
	}
	for (;;) {
		const char *key = NULL;

		skip_ws(p);
		if (obj) {
			if (p->at >= p->len || p->s[p->at] != '"')
				return fail(p, "an object member without a string key");
			key = parse_string(p);
			if (!key)
				return -1;
			skip_ws(p);
			if (p->at >= p->len || p->s[p->at] != ':')
				return fail(p, "no ':' after key \"%.40s\"", key);
			p->at++;
		}
		child = parse_value(p, depth + 1);
		if (child < 0)
			return -1;
		p->d->n[child].key = key;
		if (last < 0)
			p->d->n[node].child = child;
		else
			p->d->n[last].next = child;
		last = child;
		skip_ws(p);
		if (p->at < p->len && p->s[p->at] == ',') {
			p->at++;
			continue;
		}
		if (p->at < p->len && p->s[p->at] == close) {
			p->at++;
			return node;
		}
		return fail(p, "no ',' or '%c'", close);
	}
}

static int parse_number(struct parser *p)
{
	int node = new_node(p, QJ_NUM);
	bool neg = false, digits = false;
	unsigned long long v = 0;

	if (node < 0)
		return -1;
	if (p->s[p->at] == '-')
		neg = true, p->at++;
	while (p->at < p->len && p->s[p->at] >= '0' && p->s[p->at] <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return fail(p, "a number too large");
		v = v * 10 + (unsigned long long)(p->s[p->at++] - '0');
		digits = true;
	}
	if (!digits)
		return fail(p, "a number without digits");
	if (v > (unsigned long long)INT64_MAX)
		return fail(p, "a number too large");
	/* A fraction or an exponent: read past, keep the integer part. */
	if (p->at < p->len && p->s[p->at] == '.') {
		p->at++;
		while (p->at < p->len && p->s[p->at] >= '0' && p->s[p->at] <= '9')
			p->at++;
	}
	if (p->at < p->len && (p->s[p->at] == 'e' || p->s[p->at] == 'E')) {
		p->at++;
		if (p->at < p->len && (p->s[p->at] == '+' || p->s[p->at] == '-'))
			p->at++;
		while (p->at < p->len && p->s[p->at] >= '0' && p->s[p->at] <= '9')
			p->at++;
	}
	p->d->n[node].num = neg ? -(long long)v : (long long)v;
	return node;
}

static int parse_word(struct parser *p, const char *w, enum qj_type t, bool b)
{
	size_t n = strlen(w);
	int node;

	if (p->len - p->at < n || memcmp(p->s + p->at, w, n))
		return fail(p, "not a JSON value");
	node = new_node(p, t);
	if (node < 0)
		return -1;
	p->d->n[node].b = b;
	p->at += n;
	return node;
}

static int parse_value(struct parser *p, int depth)
{
	int node;
	const char *s;

	if (depth > MAX_DEPTH)
		return fail(p, "nested deeper than %d", MAX_DEPTH);
	skip_ws(p);
	if (p->at >= p->len)
		return fail(p, "the text ends where a value should be");
	switch (p->s[p->at]) {
	case '{':
		return parse_container(p, depth, true);
	case '[':
		return parse_container(p, depth, false);
	case '"':
		node = new_node(p, QJ_STR);
		if (node < 0 || !(s = parse_string(p)))
			return -1;
		p->d->n[node].str = s;
		return node;
	case 't':
		return parse_word(p, "true", QJ_BOOL, true);
	case 'f':
		return parse_word(p, "false", QJ_BOOL, false);
	case 'n':
		return parse_word(p, "null", QJ_NULL, false);
	default:
		if (p->s[p->at] == '-' || (p->s[p->at] >= '0' && p->s[p->at] <= '9'))
			return parse_number(p);
		return fail(p, "not a JSON value ('%c')", p->s[p->at]);
	}
}

int qj_parse(const char *text, size_t len, struct qj_doc *d, char *why, size_t whylen)
{
	struct parser p = { .s = text, .len = len, .d = d, .why = why, .whylen = whylen };

	d->nn = 0;
	d->used = 0;
	if (len > QMP_MAX_LINE)
		return fail(&p, "a line of %zu bytes, more than %d", len, QMP_MAX_LINE);
	if (parse_value(&p, 0) < 0)
		return -1;
	skip_ws(&p);
	if (p.at != len)
		return fail(&p, "more after the value");
	return 0;
}

int qj_get(const struct qj_doc *d, int obj, const char *key)
{
	int c;

	if (obj < 0 || d->n[obj].type != QJ_OBJ)
		return -1;
	for (c = d->n[obj].child; c >= 0; c = d->n[c].next)
		if (d->n[c].key && !strcmp(d->n[c].key, key))
			return c;
	return -1;
}

static int why_set(char *why, size_t whylen, const char *msg)
{
	if (whylen)
		snprintf(why, whylen, "%s", msg);
	return -1;
}

static int get_int(const struct qj_doc *d, int obj, const char *key, long long *v)
{
	int n = qj_get(d, obj, key);

	if (n < 0 || d->n[n].type != QJ_NUM)
		return -1;
	*v = d->n[n].num;
	return 0;
}

static void get_str(const struct qj_doc *d, int obj, const char *key, char *buf, size_t len)
{
	int n = qj_get(d, obj, key);

	buf[0] = '\0';
	if (n >= 0 && d->n[n].type == QJ_STR)
		snprintf(buf, len, "%s", d->n[n].str);
}

static struct qj_doc doc; /* vfioctl is single-threaded; the fuzzer too */

int qmp_parse_greeting(const char *line, size_t len, struct qmp_version *v, char *why,
		       size_t whylen)
{
	long long major, minor, micro;
	int qmp, ver, qemu;

	if (qj_parse(line, len, &doc, why, whylen))
		return -1;
	qmp = qj_get(&doc, 0, "QMP");
	ver = qj_get(&doc, qmp, "version");
	qemu = qj_get(&doc, ver, "qemu");
	if (qmp < 0 || ver < 0)
		return why_set(why, whylen, "not a QMP greeting (no \"QMP\": {\"version\": ...})");
	if (get_int(&doc, qemu, "major", &major) || get_int(&doc, qemu, "minor", &minor) ||
	    get_int(&doc, qemu, "micro", &micro) || major < 0 || major > 1000 || minor < 0 ||
	    minor > 1000 || micro < 0 || micro > 1000)
		return why_set(why, whylen, "a QMP greeting without a QEMU version");
	v->major = (int)major;
	v->minor = (int)minor;
	v->micro = (int)micro;
	get_str(&doc, ver, "package", v->package, sizeof(v->package));
	return 0;
}

int qmp_parse_reply(const char *line, size_t len, struct qmp_reply *r, char *why, size_t whylen)
{
	int ret, err, ev;

	memset(r, 0, sizeof(*r));
	r->fdset_id = r->fd = -1;
	if (qj_parse(line, len, &doc, why, whylen))
		return -1;
	if (doc.n[0].type != QJ_OBJ)
		return why_set(why, whylen, "a QMP message that is not an object");
	get_str(&doc, 0, "id", r->id, sizeof(r->id));
	ret = qj_get(&doc, 0, "return");
	err = qj_get(&doc, 0, "error");
	ev = qj_get(&doc, 0, "event");
	if (ret >= 0) {
		r->kind = QMP_RETURN;
		get_int(&doc, ret, "fdset-id", &r->fdset_id);
		get_int(&doc, ret, "fd", &r->fd);
		return 0;
	}
	if (err >= 0) {
		r->kind = QMP_ERROR;
		get_str(&doc, err, "class", r->cls, sizeof(r->cls));
		get_str(&doc, err, "desc", r->desc, sizeof(r->desc));
		if (!r->desc[0])
			snprintf(r->desc, sizeof(r->desc), "(QEMU gave no description)");
		return 0;
	}
	if (ev >= 0 && doc.n[ev].type == QJ_STR) {
		r->kind = QMP_EVENT;
		snprintf(r->event, sizeof(r->event), "%s", doc.n[ev].str);
		return 0;
	}
	return why_set(why, whylen, "a QMP message with no \"return\", \"error\" or \"event\"");
}

int qmp_parse_fdsets(const char *line, size_t len, struct qmp_fdset_fd *fds, size_t max,
		     size_t *n, char *why, size_t whylen)
{
	int ret, set, f;
	long long id;

	*n = 0;
	if (qj_parse(line, len, &doc, why, whylen))
		return -1;
	ret = qj_get(&doc, 0, "return");
	if (ret < 0 || doc.n[ret].type != QJ_ARR)
		return why_set(why, whylen, "query-fdsets did not return a list");
	for (set = doc.n[ret].child; set >= 0; set = doc.n[set].next) {
		int list = qj_get(&doc, set, "fds");

		if (get_int(&doc, set, "fdset-id", &id) || list < 0 || doc.n[list].type != QJ_ARR)
			return why_set(why, whylen, "an fd set without \"fdset-id\" and \"fds\"");
		for (f = doc.n[list].child; f >= 0; f = doc.n[f].next) {
			long long fd;

			if (get_int(&doc, f, "fd", &fd))
				return why_set(why, whylen, "an fd set entry without \"fd\"");
			if (*n < max) {
				fds[*n].fdset_id = id;
				fds[*n].fd = fd;
				get_str(&doc, f, "opaque", fds[*n].opaque, sizeof(fds[*n].opaque));
			}
			(*n)++;
		}
	}
	return 0;
}

/* @s as a JSON string (quotes included) at @at; false when it does not fit. */
static bool put_str(char *buf, size_t len, size_t *at, const char *s)
{
	if (*at + 1 >= len)
		return false;
	buf[(*at)++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int k;

		if (c == '"' || c == '\\')
			k = snprintf(buf + *at, len - *at, "\\%c", c);
		else if (c < 0x20)
			k = snprintf(buf + *at, len - *at, "\\u%04x", c);
		else
			k = snprintf(buf + *at, len - *at, "%c", c);
		if (k < 0 || (size_t)k >= len - *at)
			return false;
		*at += (size_t)k;
	}
	if (*at + 1 >= len)
		return false;
	buf[(*at)++] = '"';
	buf[*at] = '\0';
	return true;
}

static bool put_raw(char *buf, size_t len, size_t *at, const char *s)
{
	size_t n = strlen(s);

	if (*at + n >= len)
		return false;
	memcpy(buf + *at, s, n + 1);
	*at += n;
	return true;
}

int qmp_encode_args(char *buf, size_t len, const char *cmd, const char *id,
		    const struct qmp_arg *args, size_t nargs)
{
	size_t at = 0, i;
	bool ok = put_raw(buf, len, &at, "{\"execute\": ") && put_str(buf, len, &at, cmd);
	char num[32];

	if (ok && id)
		ok = put_raw(buf, len, &at, ", \"id\": ") && put_str(buf, len, &at, id);
	if (ok && nargs)
		ok = put_raw(buf, len, &at, ", \"arguments\": {");
	for (i = 0; ok && i < nargs; i++) {
		ok = (!i || put_raw(buf, len, &at, ", ")) && put_str(buf, len, &at, args[i].key) &&
		     put_raw(buf, len, &at, ": ");
		if (ok && args[i].s) {
			ok = put_str(buf, len, &at, args[i].s);
		} else if (ok) {
			snprintf(num, sizeof(num), "%lld", args[i].n);
			ok = put_raw(buf, len, &at, num);
		}
	}
	if (ok && nargs)
		ok = put_raw(buf, len, &at, "}");
	ok = ok && put_raw(buf, len, &at, "}\r\n");
	return ok ? (int)at : -1;
}

int qmp_encode(char *buf, size_t len, const char *cmd, const char *id, const char *fdname,
	       const char *opaque)
{
	struct qmp_arg a = { fdname ? "fdname" : "opaque", fdname ? fdname : opaque, 0 };

	return qmp_encode_args(buf, len, cmd, id, &a, fdname || opaque ? 1 : 0);
}

static bool no_comma(const char *s)
{
	return s && !strchr(s, ',');
}

int qmp_encode_iommufd_add(char *buf, size_t len, const char *id, const char *obj_id,
			   const char *fdref)
{
	const struct qmp_arg a[] = {
		{ "qom-type", "iommufd", 0 }, { "id", obj_id, 0 }, { "fd", fdref, 0 },
	};

	if (!no_comma(obj_id) || !no_comma(fdref))
		return -1;
	return qmp_encode_args(buf, len, "object-add", id, a, 3);
}

int qmp_encode_vfio_add(char *buf, size_t len, const char *id, const char *dev_id,
			const char *obj_id, const char *fdref)
{
	const struct qmp_arg a[] = {
		{ "driver", "vfio-pci", 0 }, { "id", dev_id, 0 }, { "iommufd", obj_id, 0 },
		{ "fd", fdref, 0 },
	};

	if (!no_comma(dev_id) || !no_comma(obj_id) || !no_comma(fdref))
		return -1;
	return qmp_encode_args(buf, len, "device_add", id, a, 4);
}

static int opt_result(int n, size_t len)
{
	return n < 0 || (size_t)n >= len ? -1 : n;
}

int qmp_iommufd_opt(char *buf, size_t len, const char *obj_id, const char *fdref)
{
	if (!no_comma(obj_id) || !no_comma(fdref))
		return -1;
	return opt_result(snprintf(buf, len, "iommufd,id=%s,fd=%s", obj_id, fdref), len);
}

int qmp_vfio_opt(char *buf, size_t len, const char *dev_id, const char *obj_id,
		 const char *fdref)
{
	if (!no_comma(dev_id) || !no_comma(obj_id) || !no_comma(fdref))
		return -1;
	return opt_result(snprintf(buf, len, "vfio-pci,iommufd=%s,fd=%s,id=%s", obj_id, fdref,
				   dev_id), len);
}

int qmp_vfio_dev_id(char *buf, size_t len, const char *addr)
{
	int n = snprintf(buf, len, "vfiox-%s", addr);
	size_t i;

	if (opt_result(n, len) < 0)
		return -1;
	for (i = 0; buf[i]; i++)
		if (buf[i] == ':')
			buf[i] = '-';
	return n;
}

bool qmp_id_ok(const char *id)
{
	size_t i;

	if (!id || !((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z')))
		return false;
	for (i = 1; id[i]; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z') ||
		      (id[i] >= '0' && id[i] <= '9') || id[i] == '-' || id[i] == '.' ||
		      id[i] == '_'))
			return false;
	return i < 64;
}

bool qmp_iommufd_version_ok(const struct qmp_version *v, char *buf, size_t len)
{
	if (v->major >= 9) {
		snprintf(buf, len, "QEMU %d.%d.%d can have an iommufd object (9.0 and later)",
			 v->major, v->minor, v->micro);
		return true;
	}
	snprintf(buf, len, "QEMU %d.%d.%d has no iommufd object (-object iommufd and "
		 "vfio-pci's iommufd= and fd= came in QEMU 9.0): it cannot use an iommufd or "
		 "cdev fd", v->major, v->minor, v->micro);
	return false;
}

int qmp_parse_type_list(const char *line, size_t len, const char *name, bool *found, char *why,
			size_t whylen)
{
	int ret, t;

	*found = false;
	if (qj_parse(line, len, &doc, why, whylen))
		return -1;
	ret = qj_get(&doc, 0, "return");
	if (ret < 0 || doc.n[ret].type != QJ_ARR)
		return why_set(why, whylen, "qom-list-types did not return a list");
	for (t = doc.n[ret].child; t >= 0; t = doc.n[t].next) {
		int n = qj_get(&doc, t, "name");

		if (n < 0 || doc.n[n].type != QJ_STR)
			return why_set(why, whylen, "a qom-list-types entry without a \"name\"");
		if (!strcmp(doc.n[n].str, name))
			*found = true;
	}
	return 0;
}

bool qmp_vfio_fd_advice(const struct qmp_version *v, bool iommufd, char *buf, size_t len)
{
	if (v->major < 9 && iommufd)
		return qmp_iommufd_version_ok(v, buf, len);
	if (v->major < 9) {
		snprintf(buf, len, "QEMU %d.%d.%d cannot use these fds: up to 8.x its VFIO opens "
			 "/dev/vfio/N itself and takes no group or container fd (fd-taking VFIO "
			 "came with iommufd in QEMU 9.0)", v->major, v->minor, v->micro);
		return false;
	}
	if (iommufd)
		snprintf(buf, len, "QEMU %d.%d.%d takes these fds through iommufd: the /dev/iommu "
			 "fd as an iommufd object, each /dev/vfio/devices/vfioX fd as a vfio-pci "
			 "device on it (object-add, then device_add, on this QMP socket: the names "
			 "belong to its monitor)", v->major, v->minor, v->micro);
	else
		snprintf(buf, len, "QEMU %d.%d.%d takes VFIO fds through iommufd only: "
			 "-object iommufd,id=iommufd0,fd=NAME and -device "
			 "vfio-pci,iommufd=iommufd0,fd=NAME want a /dev/iommu fd and a "
			 "/dev/vfio/devices/vfioX device fd; these are type1 container and group "
			 "fds, which it does not take (vfioctl qmp --backend iommufd passes those)",
			 v->major, v->minor, v->micro);
	return true;
}

/*
 * The report of vfioctl qmp --json. It lives here and not in output.c's writer so that it
 * is a pure function the unit and host tests link (output.c needs the whole CLI); it
 * prints in output.c's layout (two-space indent, ": ", the same escapes).
 */
struct jw {
	char *buf;
	size_t len, at;
	int depth;
	bool comma[8];
	bool ok;
};

static void jw_put(struct jw *w, const char *s, size_t n)
{
	if (!w->ok || w->at + n >= w->len) {
		w->ok = false;
		return;
	}
	memcpy(w->buf + w->at, s, n);
	w->at += n;
	w->buf[w->at] = '\0';
}

static void jw_puts(struct jw *w, const char *s)
{
	jw_put(w, s, strlen(s));
}

static void jw_escape(struct jw *w, const char *s)
{
	char esc[8];

	jw_put(w, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			jw_put(w, esc, 2);
		} else if (c == '\n') {
			jw_put(w, "\\n", 2);
		} else if (c == '\t') {
			jw_put(w, "\\t", 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			jw_put(w, esc, 6);
		} else {
			jw_put(w, (const char *)&c, 1);
		}
	}
	jw_put(w, "\"", 1);
}

static void jw_key(struct jw *w, const char *key)
{
	int i;

	if (w->comma[w->depth])
		jw_put(w, ",", 1);
	w->comma[w->depth] = true;
	if (w->depth) {
		jw_put(w, "\n", 1);
		for (i = 0; i < w->depth; i++)
			jw_put(w, "  ", 2);
	}
	if (key) {
		jw_escape(w, key);
		jw_put(w, ": ", 2);
	}
}

static void jw_open(struct jw *w, const char *key, char c)
{
	jw_key(w, key);
	jw_put(w, &c, 1);
	if (w->depth + 1 >= (int)(sizeof(w->comma) / sizeof(w->comma[0]))) {
		w->ok = false;
		return;
	}
	w->comma[++w->depth] = false;
}

static void jw_close(struct jw *w, char c)
{
	bool empty = !w->comma[w->depth];
	int i;

	w->depth--;
	if (!empty) {
		jw_put(w, "\n", 1);
		for (i = 0; i < w->depth; i++)
			jw_put(w, "  ", 2);
	}
	jw_put(w, &c, 1);
}

static void jw_str(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	if (s)
		jw_escape(w, s);
	else
		jw_puts(w, "null");
}

static void jw_int(struct jw *w, const char *key, long long v, bool present)
{
	char num[32];

	jw_key(w, key);
	snprintf(num, sizeof(num), "%lld", v);
	jw_puts(w, present ? num : "null");
}

static void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_puts(w, v ? "true" : "false");
}

/* {"execute": @cmd, "arguments": {@args}}: a command ready to send. */
static void jw_command_args(struct jw *w, const char *cmd, const struct qmp_arg *args, size_t n)
{
	size_t i;

	jw_open(w, NULL, '{');
	jw_str(w, "execute", cmd);
	jw_open(w, "arguments", '{');
	for (i = 0; i < n; i++)
		if (args[i].s)
			jw_str(w, args[i].key, args[i].s);
		else
			jw_int(w, args[i].key, args[i].n, true);
	jw_close(w, '}');
	jw_close(w, '}');
}

/* {"execute": @cmd, "arguments": {@arg: @s or @n}}. */
static void jw_command(struct jw *w, const char *cmd, const char *arg, const char *s, long long n)
{
	struct qmp_arg a = { arg, s, n };

	jw_command_args(w, cmd, &a, 1);
}

/* What QEMU holds fd @g as, for the fd= of an object or device: its name, or its number. */
static const char *fd_ref(const struct qmp_report *r, const struct qmp_given *g, char *buf,
			  size_t len)
{
	if (!r->fdset)
		return g->qmp_name ? g->qmp_name : g->name;
	snprintf(buf, len, "%lld", g->fd);
	return buf;
}

/* The iommufd fd of an iommufd bundle, passed: its entry, or NULL. */
static const struct qmp_given *passed_iommufd(const struct qmp_report *r)
{
	return r->nfds && !strcmp(r->fds[0].kind, "iommufd") && r->fds[0].passed ? &r->fds[0]
										  : NULL;
}

int qmp_report_json(char *buf, size_t len, const struct qmp_report *r)
{
	struct jw w = { .buf = buf, .len = len, .ok = len > 0 };
	bool iommufd = r->backend && !strcmp(r->backend, "iommufd");
	bool takes = false, usable, attached = r->attach && r->nsent > 0;
	const struct qmp_given *io = iommufd ? passed_iommufd(r) : NULL;
	char advice[600], s[300], ref[32], ioref[32], devid[64];
	size_t i;

	if (len)
		buf[0] = '\0';
	if (r->version)
		takes = qmp_vfio_fd_advice(r->version, iommufd, advice, sizeof(advice));
	usable = takes && iommufd;
	for (i = 0; i < r->nsent; i++)
		attached = attached && r->sent[i].ok;
	jw_open(&w, NULL, '{');
	jw_str(&w, "schema", "vfioctl/qmp/1"); /* VFIOCTL_SCHEMA("qmp"), vfioctl.h */
	jw_str(&w, "socket", r->socket);
	jw_bool(&w, "ok", r->ok);
	jw_str(&w, "error", r->ok ? NULL : r->error ? r->error : "(no reason given)");
	if (r->version) {
		jw_open(&w, "qemu", '{');
		snprintf(s, sizeof(s), "%d.%d.%d", r->version->major, r->version->minor,
			 r->version->micro);
		jw_str(&w, "version", s);
		jw_int(&w, "major", r->version->major, true);
		jw_int(&w, "minor", r->version->minor, true);
		jw_int(&w, "micro", r->version->micro, true);
		jw_str(&w, "package", r->version->package[0] ? r->version->package : NULL);
		jw_close(&w, '}');
	} else {
		jw_str(&w, "qemu", NULL);
	}
	jw_str(&w, "backend", r->backend);
	jw_str(&w, "mode", r->fdset ? "add-fd" : "getfd");
	jw_open(&w, "fds", '[');
	for (i = 0; i < r->nfds; i++) {
		const struct qmp_given *g = &r->fds[i];
		bool set = r->fdset && g->passed;

		jw_open(&w, NULL, '{');
		jw_str(&w, "name", g->name);
		jw_str(&w, "kind", g->kind);
		jw_int(&w, "group", g->group, g->group >= 0);
		jw_str(&w, "device", g->device);
		jw_bool(&w, "passed", g->passed);
		jw_str(&w, "fdname", !r->fdset && g->passed ? (g->qmp_name ? g->qmp_name : g->name)
							     : NULL);
		jw_int(&w, "fdset_id", g->fdset_id, set);
		jw_int(&w, "fd", g->fd, set);
		snprintf(s, sizeof(s), "/dev/fdset/%lld", g->fdset_id);
		jw_str(&w, "path", set ? s : NULL);
		jw_bool(&w, "consumed", g->consumed);
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	if (r->version)
		jw_bool(&w, "takes_vfio_fds", takes);
	else
		jw_str(&w, "takes_vfio_fds", NULL);
	if (r->version)
		jw_bool(&w, "usable", usable);
	else
		jw_str(&w, "usable", NULL);
	jw_str(&w, "advice", r->version ? advice : NULL);
	/*
	 * What the human form prints: for type1 under "Instead, let QEMU open the group
	 * itself"; for iommufd the object and the devices on the fds QEMU holds (also for a
	 * QEMU that cannot use them, sent with --force: "usable" says which).
	 */
	jw_open(&w, "qemu_args", '[');
	for (i = 0; r->version && !takes && !iommufd && i < r->nfds; i++)
		if (r->fds[i].device) {
			snprintf(s, sizeof(s), "vfio-pci,host=%s", r->fds[i].device);
			jw_str(&w, NULL, "-device");
			jw_str(&w, NULL, s);
		}
	if (io && qmp_iommufd_opt(s, sizeof(s), r->iommufd_id,
					    fd_ref(r, io, ioref, sizeof(ioref))) > 0) {
		jw_str(&w, NULL, "-object");
		jw_str(&w, NULL, s);
	}
	for (i = 1; io && i < r->nfds; i++)
		if (r->fds[i].passed && qmp_vfio_dev_id(devid, sizeof(devid), r->fds[i].device) > 0 &&
		    qmp_vfio_opt(s, sizeof(s), devid, r->iommufd_id,
				 fd_ref(r, &r->fds[i], ref, sizeof(ref))) > 0) {
			jw_str(&w, NULL, "-device");
			jw_str(&w, NULL, s);
		}
	jw_close(&w, ']');
	jw_open(&w, "object_add", '[');
	if (io) {
		const struct qmp_arg a[] = { { "qom-type", "iommufd", 0 },
					     { "id", r->iommufd_id, 0 },
					     { "fd", fd_ref(r, io, ioref, sizeof(ioref)), 0 } };

		jw_command_args(&w, "object-add", a, 3);
	}
	jw_close(&w, ']');
	jw_open(&w, "device_add", '[');
	for (i = 0; r->version && !takes && !iommufd && i < r->nfds; i++)
		if (r->fds[i].device) {
			const struct qmp_arg a[] = { { "driver", "vfio-pci", 0 },
						     { "host", r->fds[i].device, 0 } };

			jw_command_args(&w, "device_add", a, 2);
		}
	for (i = 1; io && i < r->nfds; i++)
		if (r->fds[i].passed && qmp_vfio_dev_id(devid, sizeof(devid), r->fds[i].device) > 0) {
			const struct qmp_arg a[] = {
				{ "driver", "vfio-pci", 0 }, { "id", devid, 0 },
				{ "iommufd", r->iommufd_id, 0 },
				{ "fd", fd_ref(r, &r->fds[i], ref, sizeof(ref)), 0 },
			};

			jw_command_args(&w, "device_add", a, 4);
		}
	jw_close(&w, ']');
	jw_open(&w, "access", '[');
	for (i = 0; r->version && !takes && !iommufd && i < r->nfds; i++)
		if (!strcmp(r->fds[i].kind, "group")) {
			snprintf(s, sizeof(s), "/dev/vfio/%d", r->fds[i].group);
			jw_str(&w, NULL, s);
		}
	if (r->version && !takes && !iommufd)
		jw_str(&w, NULL, "/dev/vfio/vfio");
	jw_close(&w, ']');
	/* iommufd pins and charges the guest's RAM to QEMU's user as type1 does */
	jw_bool(&w, "memlock", r->version && (iommufd ? usable : !takes));
	jw_bool(&w, "attach", r->attach);
	jw_open(&w, "sent", '[');
	for (i = 0; i < r->nsent; i++) {
		jw_open(&w, NULL, '{');
		jw_str(&w, "execute", r->sent[i].execute);
		jw_str(&w, "id", r->sent[i].id);
		jw_bool(&w, "ok", r->sent[i].ok);
		jw_str(&w, "error", r->sent[i].ok ? NULL : r->sent[i].error);
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	jw_bool(&w, "attached", attached);
	/*
	 * What QEMU holds keeps the devices open: how to drop it, whatever happened after,
	 * in order: the devices added, the object, then the fds no command took.
	 */
	jw_open(&w, "release", '[');
	for (i = r->nsent; i-- > 0;)
		if (r->sent[i].ok)
			jw_command(&w, !strcmp(r->sent[i].execute, "object-add") ? "object-del"
										  : "device_del",
				   "id", r->sent[i].id, 0);
	for (i = 0; i < r->nfds; i++)
		if (r->fds[i].passed && !(r->fds[i].consumed && !r->fdset)) {
			if (r->fdset)
				jw_command(&w, "remove-fd", "fdset-id", NULL, r->fds[i].fdset_id);
			else
				jw_command(&w, "closefd", "fdname",
					   r->fds[i].qmp_name ? r->fds[i].qmp_name : r->fds[i].name,
					   0);
		}
	jw_close(&w, ']');
	jw_close(&w, '}');
	jw_put(&w, "\n", 1);
	return w.ok ? (int)w.at : -1;
}
