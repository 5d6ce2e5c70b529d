// SPDX-License-Identifier: GPL-2.0-or-later
/* Messages, the JSON writer and aligned tables. */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vfioctl.h"

void err_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("vfioctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_error(const struct cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vfioctl %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: vfioctl %s %s\n(see 'vfioctl help %s')\n", cmd->name, cmd->args,
		cmd->name);
	return EXIT_USAGE;
}

int verb_help(const struct cmd *cmd)
{
	printf("usage: vfioctl %s %s\n%s", cmd->name, cmd->args, cmd->help);
	return EXIT_OK;
}

const char *bad_option(char **argv)
{
	static char msg[160];
	const char *arg = argv[optind - 1];

	/* opterr is off, so getopt_long said nothing: name the option here. */
	if (optopt && strncmp(arg, "--", 2))
		snprintf(msg, sizeof(msg), "option '-%c' is unknown or needs a value", optopt);
	else
		snprintf(msg, sizeof(msg), "option '%s' is unknown or needs a value", arg);
	return msg;
}

int lib_error(struct vfiox_ctx *ctx, const char *what, int err)
{
	const char *why = vfiox_ctx_last_error(ctx);

	if (why && *why)
		err_msg("%s", why);
	else
		err_msg("%s: %s", what, strerror(-err));
	return EXIT_FAIL;
}

const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* ------------------------------------------------------------------ JSON */

/*
 * A buffered writer: `list --json` on a large host emits hundreds of thousands of
 * tokens, and stdio's per-call locking and printf parsing were a third of its time.
 */
static void json_flush(struct json *j)
{
	if (j->len && fwrite(j->buf, 1, j->len, j->f) != j->len)
		j->failed = true;
	j->len = 0;
}

static void json_put(struct json *j, const char *s, size_t n)
{
	if (j->len + n > sizeof(j->buf)) {
		json_flush(j);
		if (n > sizeof(j->buf)) {
			if (fwrite(s, 1, n, j->f) != n)
				j->failed = true;
			return;
		}
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void json_puts(struct json *j, const char *s)
{
	json_put(j, s, strlen(s));
}

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->len = 0;
	j->depth = 0;
	j->failed = false;
	j->need_comma[0] = false;
}

static void json_escape(struct json *j, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	json_put(j, "\"", 1);
	while (*s) {
		/* Copy the run that needs no escaping in one go. */
		size_t run = 0;
		char esc[6];

		while (s[run] && s[run] != '"' && s[run] != '\\' && (unsigned char)s[run] >= 0x20 &&
		       s[run] != 0x7f)
			run++;
		json_put(j, s, run);
		s += run;
		if (!*s)
			break;
		esc[0] = '\\';
		if (*s == '"' || *s == '\\') {
			esc[1] = *s;
			json_put(j, esc, 2);
		} else if (*s == '\n') {
			json_put(j, "\\n", 2);
		} else if (*s == '\t') {
			json_put(j, "\\t", 2);
		} else {
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[(unsigned char)*s >> 4];
			esc[5] = hex[*s & 0xf];
			json_put(j, esc, 6);
		}
		s++;
	}
	json_put(j, "\"", 1);
}

static void json_indent(struct json *j)
{
	static const char spaces[] = "                                                                ";
	size_t n = 2 * (size_t)j->depth;

	json_put(j, "\n", 1);
	while (n) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		json_put(j, spaces, k);
		n -= k;
	}
}

static void json_key(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		json_put(j, ",", 1);
	if (j->depth)
		json_indent(j);
	j->need_comma[j->depth] = true;
	if (key) {
		json_escape(j, key);
		json_put(j, ": ", 2);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_key(j, key);
	json_put(j, &c, 1);
	if (j->depth < (int)(sizeof(j->need_comma) - 1))
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void json_close(struct json *j, char c)
{
	bool had = j->need_comma[j->depth];

	j->depth--;
	if (had)
		json_indent(j);
	json_put(j, &c, 1);
}

void json_obj_open(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_obj_close(struct json *j)
{
	json_close(j, '}');
}

void json_arr_open(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_arr_close(struct json *j)
{
	json_close(j, ']');
}

void json_str(struct json *j, const char *key, const char *val)
{
	json_key(j, key);
	if (val)
		json_escape(j, val);
	else
		json_put(j, "null", 4);
}

void json_strf(struct json *j, const char *key, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_str(j, key, buf);
}

void json_hex(struct json *j, const char *key, unsigned long val, int digits)
{
	static const char hex[] = "0123456789abcdef";
	char buf[20];
	int i;

	if (digits > 16)
		digits = 16;
	while (digits < 16 && val >> (4 * digits))
		digits++;
	buf[0] = '"';
	for (i = 0; i < digits; i++)
		buf[1 + i] = hex[(val >> (4 * (digits - 1 - i))) & 0xf];
	buf[1 + digits] = '"';
	json_key(j, key);
	json_put(j, buf, (size_t)digits + 2);
}

void json_int(struct json *j, const char *key, long long val)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%lld", val);

	json_key(j, key);
	json_put(j, buf, (size_t)n);
}

void json_fixed1(struct json *j, const char *key, double val)
{
	char buf[40];
	int n = snprintf(buf, sizeof(buf), "%.1f", val);

	json_key(j, key);
	json_put(j, buf, (size_t)n);
}

void json_int_or_null(struct json *j, const char *key, long long val, bool present)
{
	if (present)
		json_int(j, key, val);
	else
		json_null(j, key);
}

void json_bool(struct json *j, const char *key, bool val)
{
	json_key(j, key);
	json_puts(j, val ? "true" : "false");
}

void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	json_put(j, "null", 4);
}

void json_schema(struct json *j, const char *doc)
{
	json_strf(j, "schema", "vfioctl/%s/" VFIOCTL_SCHEMA_VERSION, doc);
}

bool json_end(struct json *j)
{
	json_put(j, "\n", 1);
	json_flush(j);
	return !j->failed;
}

void json_device_brief(struct json *j, struct vfiox_ctx *ctx, const char *key,
		       struct vfiox_pci_dev *dev, const char *schema)
{
	int group = vfiox_pci_dev_iommu_group(dev);
	const char *drv = vfiox_pci_dev_driver(dev);
	char cdev[4096];

	json_obj_open(j, key);
	if (schema)
		json_schema(j, schema);
	json_str(j, "address", vfiox_pci_dev_name(dev));
	json_hex(j, "vendor_id", vfiox_pci_dev_vendor_id(dev), 4);
	json_hex(j, "device_id", vfiox_pci_dev_device_id(dev), 4);
	json_hex(j, "subsystem_vendor_id", vfiox_pci_dev_subsys_vendor_id(dev), 4);
	json_hex(j, "subsystem_device_id", vfiox_pci_dev_subsys_device_id(dev), 4);
	json_hex(j, "class", vfiox_pci_dev_class(dev), 6);
	json_str(j, "vendor", vfiox_pci_dev_vendor_name(dev));
	json_str(j, "device", vfiox_pci_dev_device_name(dev));
	json_str(j, "class_name", vfiox_pci_dev_class_name(dev));
	json_str(j, "driver", vfiox_pci_dev_driver(dev));
	json_int_or_null(j, "iommu_group", group, group >= 0);
	json_bool(j, "bridge", vfiox_pci_dev_is_bridge(dev));
	/* Only devices on a VFIO driver can have a cdev: the others cost nothing here. */
	json_str(j, "vfio_cdev", drv && strstr(drv, "vfio") &&
			 !device_cdev(ctx, dev, cdev, sizeof(cdev), NULL, 0) ? cdev : NULL);
	/* the caller closes the object so show can add fields */
}

void json_blockers(struct json *j, const struct vfiox_group *g)
{
	size_t i;

	json_arr_open(j, "blockers");
	for (i = 0; i < vfiox_group_num_blockers(g); i++)
		json_str(j, NULL, vfiox_pci_dev_name(vfiox_group_blocker(g, i)));
	json_arr_close(j);
}

/* ------------------------------------------------------------------ tables */

void table_init(struct table *t, int ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
}

void table_add(struct table *t, ...)
{
	va_list ap;
	int c;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		char **cells = realloc(t->cells, cap * (size_t)t->ncols * sizeof(*cells));

		if (!cells) {
			err_msg("out of memory");
			exit(EXIT_FAIL);
		}
		t->cells = cells;
		t->cap = cap;
	}
	va_start(ap, t);
	for (c = 0; c < t->ncols; c++) {
		const char *s = va_arg(ap, const char *);

		t->cells[t->nrows * (size_t)t->ncols + (size_t)c] = strdup(or_dash(s));
	}
	va_end(ap);
	t->nrows++;
}

void table_print(struct table *t, FILE *f, const char *indent)
{
	int widths[16] = { 0 }, c;
	size_t r;

	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols && c < 16; c++) {
			const char *s = t->cells[r * (size_t)t->ncols + (size_t)c];
			int w = s ? (int)strlen(s) : 1;

			if (w > widths[c])
				widths[c] = w;
		}
	for (r = 0; r < t->nrows; r++) {
		fputs(indent, f);
		for (c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * (size_t)t->ncols + (size_t)c];

			if (c == t->ncols - 1)
				fprintf(f, "%s\n", s ? s : "-");
			else
				fprintf(f, "%-*s  ", widths[c < 16 ? c : 15], s ? s : "-");
		}
	}
}

void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

int test_stop_hook(void *userdata, size_t step, const char *text)
{
	const char *k = getenv("VFIOCTL_TEST_STOP_AT_STEP");
	static size_t calls;

	/*
	 * Counted over the whole command, not by @step: 'sriov --vfs N' makes the SR-IOV
	 * change and then binds the VFs, two calls that each number their steps from 1.
	 */
	(void)userdata;
	(void)step;
	calls++;
	if (k && strtoul(k, NULL, 10) == calls) {
		fprintf(stderr, "vfioctl: test hook: stopped before step %zu: %s\n", calls, text);
		fflush(stderr);
		raise(SIGSTOP);
	}
	return 0;
}

int verb_option_end(const struct cmd *cmd, int c, char **argv)
{
	if (c == 'h')
		return verb_help(cmd);
	return usage_error(cmd, "%s", bad_option(argv));
}

void findings_print(const struct vfiox_findings *f)
{
	size_t i, n = vfiox_findings_count(f);
	unsigned count[4] = { 0 };

	for (i = 0; i < n; i++) {
		int st = vfiox_findings_status(f, i);
		const char *subject = vfiox_findings_subject(f, i);
		const char *fx = vfiox_findings_fix(f, i);

		if (st >= 0 && st <= 3)
			count[st]++;
		printf("%-5s %s%s%s%s: %s\n", vfiox_check_status_name(st), vfiox_findings_id(f, i),
		       subject ? " [" : "", subject ? subject : "", subject ? "]" : "",
		       vfiox_findings_summary(f, i));
		if (fx)
			printf("      fix: %s\n", fx);
	}
	printf("%u ok, %u info, %u warn, %u fail\n", count[VFIOX_CHECK_OK],
	       count[VFIOX_CHECK_INFO], count[VFIOX_CHECK_WARN], count[VFIOX_CHECK_FAIL]);
}

void json_findings(struct json *j, const struct vfiox_findings *f)
{
	size_t i, n = vfiox_findings_count(f);
	long long count[4] = { 0 };

	json_arr_open(j, "findings");
	for (i = 0; i < n; i++) {
		int st = vfiox_findings_status(f, i);

		if (st >= 0 && st <= 3)
			count[st]++;
		json_obj_open(j, NULL);
		json_str(j, "id", vfiox_findings_id(f, i));
		json_str(j, "status", vfiox_check_status_name(st));
		json_str(j, "subject", vfiox_findings_subject(f, i));
		json_str(j, "summary", vfiox_findings_summary(f, i));
		json_str(j, "fix", vfiox_findings_fix(f, i));
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_open(j, "counts");
	json_int(j, "ok", count[VFIOX_CHECK_OK]);
	json_int(j, "info", count[VFIOX_CHECK_INFO]);
	json_int(j, "warn", count[VFIOX_CHECK_WARN]);
	json_int(j, "fail", count[VFIOX_CHECK_FAIL]);
	json_obj_close(j);
	json_str(j, "worst", vfiox_check_status_name(vfiox_findings_worst(f)));
}
