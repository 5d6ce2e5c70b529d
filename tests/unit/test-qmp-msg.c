// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QMP's JSON (vfioctl/qmp-msg.c): the commands vfioctl qmp writes, byte for byte, and the
 * greetings, replies, errors, events and fd-set lists it reads, with every malformed input
 * refused with a reason rather than half read; and the report of vfioctl qmp --json
 * (qmp_report_json()), read back with the parser, field by field, for getfd and add-fd,
 * each side of QEMU 9.0, and on failure. (The verb itself needs a VFIO bundle, which only
 * the VM has; tests/host/test-qmp.c feeds this writer what a real QEMU replied.) And the
 * iommufd side: the object-add and device_add of an iommufd bundle, byte for byte and as
 * -object/-device arguments checked against QEMU's documented syntax, the type list that
 * says whether a QEMU has the iommufd object, and the report of such a bundle, attached
 * or not.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "qmp-msg.h"

static char why[256];

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, " \
		 "\"package\": \"Debian 1:7.2+dfsg-7\"}, \"capabilities\": [\"oob\"]}}"

static int reply(const char *s, struct qmp_reply *r)
{
	why[0] = '\0';
	return qmp_parse_reply(s, strlen(s), r, why, sizeof(why));
}

static void test_commands_are_encoded_exactly(void **state)
{
	char buf[256];
	int n;

	(void)state;
	n = qmp_encode(buf, sizeof(buf), "qmp_capabilities", "vfioctl-1", NULL, NULL);
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, "{\"execute\": \"qmp_capabilities\", \"id\": \"vfioctl-1\"}\r\n");
	qmp_encode(buf, sizeof(buf), "getfd", "vfioctl-2", "vfio-group-12", NULL);
	assert_string_equal(buf, "{\"execute\": \"getfd\", \"id\": \"vfioctl-2\", "
				 "\"arguments\": {\"fdname\": \"vfio-group-12\"}}\r\n");
	qmp_encode(buf, sizeof(buf), "add-fd", NULL, NULL, "vfio-container");
	assert_string_equal(buf, "{\"execute\": \"add-fd\", \"arguments\": "
				 "{\"opaque\": \"vfio-container\"}}\r\n");
	qmp_encode(buf, sizeof(buf), "getfd", NULL, "a\"b\\c\n", NULL);
	assert_string_equal(buf, "{\"execute\": \"getfd\", \"arguments\": "
				 "{\"fdname\": \"a\\\"b\\\\c\\u000a\"}}\r\n");
	assert_int_equal(qmp_encode(buf, 20, "qmp_capabilities", NULL, NULL, NULL), -1);
}

/* Checked against QEMU's documented syntax: qemu-options "-object iommufd,id=id[,fd=fd]",
 * docs/devel/vfio-iommufd.rst "-device vfio-pci,iommufd=iommufd0,fd=23" (no host= with fd=),
 * qapi IOMMUFDProperties { '*fd': 'str' }. */
static void test_iommufd_object_and_device_are_encoded_exactly(void **state)
{
	char buf[512];
	const struct qmp_arg types = { "implements", "iommufd", 0 };
	const struct qmp_arg num = { "fdset-id", NULL, 3 };
	int n;

	(void)state;
	n = qmp_encode_iommufd_add(buf, sizeof(buf), "vfioctl-4", "vfiox-iommufd", "vfiox-iommufd");
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, "{\"execute\": \"object-add\", \"id\": \"vfioctl-4\", "
				 "\"arguments\": {\"qom-type\": \"iommufd\", \"id\": "
				 "\"vfiox-iommufd\", \"fd\": \"vfiox-iommufd\"}}\r\n");
	qmp_encode_vfio_add(buf, sizeof(buf), "vfioctl-5", "vfiox-0000-03-00.0", "vfiox-iommufd",
			    "vfiox-cdev-0000-03-00.0");
	assert_string_equal(buf, "{\"execute\": \"device_add\", \"id\": \"vfioctl-5\", "
				 "\"arguments\": {\"driver\": \"vfio-pci\", \"id\": "
				 "\"vfiox-0000-03-00.0\", \"iommufd\": \"vfiox-iommufd\", \"fd\": "
				 "\"vfiox-cdev-0000-03-00.0\"}}\r\n");
	assert_int_equal(qmp_iommufd_opt(buf, sizeof(buf), "vfiox-iommufd", "vfiox-iommufd"),
			 (int)strlen("iommufd,id=vfiox-iommufd,fd=vfiox-iommufd"));
	assert_string_equal(buf, "iommufd,id=vfiox-iommufd,fd=vfiox-iommufd");
	qmp_vfio_opt(buf, sizeof(buf), "vfiox-0000-03-00.0", "vfiox-iommufd", "24");
	assert_string_equal(buf, "vfio-pci,iommufd=vfiox-iommufd,fd=24,id=vfiox-0000-03-00.0");
	assert_null(strstr(buf, "host="));
	assert_int_equal(qmp_vfio_dev_id(buf, sizeof(buf), "0000:03:00.0"), 18);
	assert_string_equal(buf, "vfiox-0000-03-00.0");
	/* what QEMU's option syntax would take apart is refused, not sent */
	assert_int_equal(qmp_iommufd_opt(buf, sizeof(buf), "a,b", "x"), -1);
	assert_int_equal(qmp_encode_vfio_add(buf, sizeof(buf), NULL, "d", "o", "x,y"), -1);
	assert_int_equal(qmp_encode_iommufd_add(buf, 40, NULL, "vfiox-iommufd", "vfiox-iommufd"),
			 -1);
	qmp_encode_args(buf, sizeof(buf), "qom-list-types", NULL, &types, 1);
	assert_string_equal(buf, "{\"execute\": \"qom-list-types\", \"arguments\": "
				 "{\"implements\": \"iommufd\"}}\r\n");
	qmp_encode_args(buf, sizeof(buf), "remove-fd", NULL, &num, 1);
	assert_string_equal(buf, "{\"execute\": \"remove-fd\", \"arguments\": "
				 "{\"fdset-id\": 3}}\r\n");
	assert_true(qmp_id_ok("vfiox-iommufd"));
	assert_true(qmp_id_ok("iommufd0"));
	assert_false(qmp_id_ok("0iommufd"));
	assert_false(qmp_id_ok("a,b"));
	assert_false(qmp_id_ok(""));
}

static void test_type_lists_are_read(void **state)
{
	const char *nine = "{\"return\": [{\"name\": \"iommufd\", \"parent\": \"object\"}], "
			   "\"id\": \"vfioctl-3\"}";
	const char *seven = "{\"return\": [], \"id\": \"vfioctl-3\"}";
	bool found;

	(void)state;
	assert_int_equal(qmp_parse_type_list(nine, strlen(nine), "iommufd", &found, why,
					     sizeof(why)), 0);
	assert_true(found);
	assert_int_equal(qmp_parse_type_list(seven, strlen(seven), "iommufd", &found, why,
					     sizeof(why)), 0);
	assert_false(found);
	assert_int_equal(qmp_parse_type_list("{\"return\": {}}", 14, "iommufd", &found, why,
					     sizeof(why)), -1);
	assert_non_null(strstr(why, "not return a list"));
	assert_int_equal(qmp_parse_type_list("{\"return\": [{}]}", 15, "iommufd", &found, why,
					     sizeof(why)), -1);
}

static void test_the_greeting_gives_the_version(void **state)
{
	struct qmp_version v;

	(void)state;
	assert_int_equal(qmp_parse_greeting(GREETING, strlen(GREETING), &v, why, sizeof(why)), 0);
	assert_int_equal(v.major, 7);
	assert_int_equal(v.minor, 2);
	assert_int_equal(v.micro, 22);
	assert_string_equal(v.package, "Debian 1:7.2+dfsg-7");
}

static void test_wrong_greetings_are_refused(void **state)
{
	static const char *const bad[] = {
		"{\"hello\": 1}",
		"{\"QMP\": {\"capabilities\": []}}",
		"{\"QMP\": {\"version\": {\"qemu\": {\"major\": \"7\", \"minor\": 2, \"micro\": 0}}}}",
		"SSH-2.0-OpenSSH_9.2",
		"{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}}}} x",
		"",
	};
	struct qmp_version v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (qmp_parse_greeting(bad[i], strlen(bad[i]), &v, why, sizeof(why)) != -1 ||
		    !why[0])
			fail_msg("greeting \"%s\" was taken (%s)", bad[i], why);
	}
}

static void test_replies_errors_and_events(void **state)
{
	struct qmp_reply r;

	(void)state;
	assert_int_equal(reply("{\"return\": {}, \"id\": \"vfioctl-3\"}", &r), 0);
	assert_int_equal(r.kind, QMP_RETURN);
	assert_string_equal(r.id, "vfioctl-3");
	assert_int_equal(r.fdset_id, -1);
	assert_int_equal(reply("{\"return\": {\"fdset-id\": 1, \"fd\": 25}}", &r), 0);
	assert_int_equal(r.fdset_id, 1);
	assert_int_equal(r.fd, 25);
	assert_int_equal(reply("{\"id\": \"x\", \"error\": {\"class\": \"GenericError\", "
			       "\"desc\": \"No file descriptor supplied via SCM_RIGHTS\"}}", &r), 0);
	assert_int_equal(r.kind, QMP_ERROR);
	assert_string_equal(r.cls, "GenericError");
	assert_string_equal(r.desc, "No file descriptor supplied via SCM_RIGHTS");
	assert_int_equal(reply("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, "
			       "\"event\": \"STOP\"}", &r), 0);
	assert_int_equal(r.kind, QMP_EVENT);
	assert_string_equal(r.event, "STOP");
	assert_int_equal(reply("{\"error\": {}}", &r), 0);
	assert_string_equal(r.desc, "(QEMU gave no description)");
}

static void test_malformed_json_is_refused_with_a_reason(void **state)
{
	static const struct {
		const char *text, *word;
	} bad[] = {
		{ "{\"return\": {}", "no ',' or '}'" },
		{ "{\"return\" {}}", "no ':'" },
		{ "{return: {}}", "string key" },
		{ "{\"a\": \"b", "not closed" },
		{ "{\"a\": \"\\q\"}", "unknown escape" },
		{ "{\"a\": \"\\u00zz\"}", "\\u escape" },
		{ "{\"a\": \"\\u0000\"}", "\\u0000" },
		{ "{\"a\": tru}", "not a JSON value" },
		{ "{\"a\": 99999999999999999999}", "too large" },
		{ "{\"a\": -}", "without digits" },
		{ "[1, 2] 3", "more after the value" },
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "deeper" },
		{ "{\"a\": 1}", "no \"return\"" },
		{ "[]", "not an object" },
	};
	struct qmp_reply r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (reply(bad[i].text, &r) != -1 || !strstr(why, bad[i].word))
			fail_msg("\"%s\": %s (want \"%s\")", bad[i].text, why, bad[i].word);
}

static void test_fdsets_are_listed(void **state)
{
	const char *text = "{\"return\": [{\"fdset-id\": 0, \"fds\": [{\"fd\": 23, \"opaque\": "
			   "\"vfio-container\"}]}, {\"fdset-id\": 1, \"fds\": [{\"fd\": 24, "
			   "\"opaque\": \"vfio-group-12\"}, {\"fd\": 25}]}]}";
	struct qmp_fdset_fd fds[2];
	size_t n;

	(void)state;
	assert_int_equal(qmp_parse_fdsets(text, strlen(text), fds, 2, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 3); /* counted past the room */
	assert_int_equal(fds[0].fdset_id, 0);
	assert_int_equal(fds[0].fd, 23);
	assert_string_equal(fds[0].opaque, "vfio-container");
	assert_int_equal(fds[1].fdset_id, 1);
	assert_string_equal(fds[1].opaque, "vfio-group-12");
	text = "{\"return\": [{\"fds\": []}]}";
	assert_int_equal(qmp_parse_fdsets(text, strlen(text), fds, 2, &n, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "fdset-id"));
	text = "{\"return\": {}}";
	assert_int_equal(qmp_parse_fdsets(text, strlen(text), fds, 2, &n, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not return a list"));
}

static void test_advice_by_version(void **state)
{
	struct qmp_version v = { .major = 8, .minor = 2, .micro = 0 };
	char buf[600];

	(void)state;
	assert_false(qmp_vfio_fd_advice(&v, false, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "QEMU 8.2.0 cannot use these fds"));
	assert_non_null(strstr(buf, "9.0"));
	assert_false(qmp_vfio_fd_advice(&v, true, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "QEMU 8.2.0 has no iommufd object"));
	assert_false(qmp_iommufd_version_ok(&v, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "QEMU 8.2.0 has no iommufd object"));
	v.major = 9;
	assert_true(qmp_vfio_fd_advice(&v, false, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "type1 container and group fds, which it does not take"));
	assert_non_null(strstr(buf, "--backend iommufd"));
	assert_true(qmp_vfio_fd_advice(&v, true, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "takes these fds through iommufd"));
	assert_true(qmp_iommufd_version_ok(&v, buf, sizeof(buf)));
}

static struct qj_doc doc;

/* The report as JSON, parsed back (the writer's output is valid JSON or this fails). */
static void report(const struct qmp_report *r, char *buf, size_t len)
{
	int n = qmp_report_json(buf, len, r);

	if (n < 0 || (size_t)n != strlen(buf) || qj_parse(buf, (size_t)n, &doc, why, sizeof(why)))
		fail_msg("report: %d, %s\n%s", n, why, buf);
	assert_int_equal(doc.n[0].type, QJ_OBJ);
}

/* Member @key of @obj, which must be there with type @t. */
static int member(int obj, const char *key, enum qj_type t)
{
	int k = qj_get(&doc, obj, key);

	if (k < 0 || doc.n[k].type != t)
		fail_msg("\"%s\": %s (type %d, want %d)", key, k < 0 ? "missing" : "wrong type",
			 k < 0 ? -1 : (int)doc.n[k].type, (int)t);
	return k;
}

static const char *str_of(int obj, const char *key)
{
	return doc.n[member(obj, key, QJ_STR)].str;
}

static long long num_of(int obj, const char *key)
{
	return doc.n[member(obj, key, QJ_NUM)].num;
}

static int nth(int arr, int i)
{
	int k = doc.n[arr].child, j;

	for (j = 0; k >= 0 && j < i; j++)
		k = doc.n[k].next;
	if (k < 0)
		fail_msg("element %d missing", i);
	return k;
}

static int count(int arr)
{
	int k, n = 0;

	for (k = doc.n[arr].child; k >= 0; k = doc.n[k].next)
		n++;
	return n;
}

static struct qmp_given bundle[3] = {
	{ "vfio-container", "container", -1, NULL, true, -1, -1, NULL, false },
	{ "vfio-group-12", "group", 12, NULL, true, -1, -1, NULL, false },
	{ "vfio-device-0000-03-00.0", "device", 12, "0000:03:00.0", true, -1, -1, NULL, false },
};

static void test_report_of_getfd_to_qemu_7(void **state)
{
	struct qmp_version v = { 7, 2, 22, "Debian 1:7.2+dfsg-7" };
	struct qmp_report r = { .socket = "/run/q.sock", .ok = true, .version = &v,
				.fds = bundle, .nfds = 3 };
	static char buf[8192];
	int q, fds, f, a, k;

	(void)state;
	report(&r, buf, sizeof(buf));
	/* output.c's layout, as every other verb's --json */
	assert_memory_equal(buf, "{\n  \"schema\": \"vfioctl/qmp/1\",\n  \"socket\": \"/run/q.sock\",\n",
			    58);
	assert_int_equal(buf[strlen(buf) - 1], '\n');
	assert_string_equal(str_of(0, "schema"), "vfioctl/qmp/1");
	assert_true(doc.n[member(0, "ok", QJ_BOOL)].b);
	member(0, "error", QJ_NULL);
	q = member(0, "qemu", QJ_OBJ);
	assert_string_equal(str_of(q, "version"), "7.2.22");
	assert_int_equal(num_of(q, "major"), 7);
	assert_int_equal(num_of(q, "minor"), 2);
	assert_int_equal(num_of(q, "micro"), 22);
	assert_string_equal(str_of(q, "package"), "Debian 1:7.2+dfsg-7");
	assert_string_equal(str_of(0, "mode"), "getfd");
	fds = member(0, "fds", QJ_ARR);
	assert_int_equal(count(fds), 3);
	f = nth(fds, 0);
	assert_string_equal(str_of(f, "name"), "vfio-container");
	assert_string_equal(str_of(f, "kind"), "container");
	member(f, "group", QJ_NULL);
	member(f, "device", QJ_NULL);
	assert_string_equal(str_of(f, "fdname"), "vfio-container");
	member(f, "fdset_id", QJ_NULL);
	member(f, "fd", QJ_NULL);
	member(f, "path", QJ_NULL);
	f = nth(fds, 1);
	assert_string_equal(str_of(f, "kind"), "group");
	assert_int_equal(num_of(f, "group"), 12);
	assert_string_equal(str_of(f, "fdname"), "vfio-group-12");
	f = nth(fds, 2);
	assert_string_equal(str_of(f, "kind"), "device");
	assert_int_equal(num_of(f, "group"), 12);
	assert_string_equal(str_of(f, "device"), "0000:03:00.0");
	assert_true(doc.n[member(f, "passed", QJ_BOOL)].b);
	assert_false(doc.n[member(0, "takes_vfio_fds", QJ_BOOL)].b);
	assert_non_null(strstr(str_of(0, "advice"), "QEMU 7.2.22 cannot use these fds"));
	a = member(0, "qemu_args", QJ_ARR);
	assert_int_equal(count(a), 2);
	assert_string_equal(doc.n[nth(a, 0)].str, "-device");
	assert_string_equal(doc.n[nth(a, 1)].str, "vfio-pci,host=0000:03:00.0");
	a = member(0, "device_add", QJ_ARR);
	assert_int_equal(count(a), 1);
	assert_string_equal(str_of(nth(a, 0), "execute"), "device_add");
	k = member(nth(a, 0), "arguments", QJ_OBJ);
	assert_string_equal(str_of(k, "driver"), "vfio-pci");
	assert_string_equal(str_of(k, "host"), "0000:03:00.0");
	a = member(0, "access", QJ_ARR);
	assert_int_equal(count(a), 2);
	assert_string_equal(doc.n[nth(a, 0)].str, "/dev/vfio/12");
	assert_string_equal(doc.n[nth(a, 1)].str, "/dev/vfio/vfio");
	assert_true(doc.n[member(0, "memlock", QJ_BOOL)].b);
	a = member(0, "release", QJ_ARR);
	assert_int_equal(count(a), 3);
	for (k = 0; k < 3; k++) {
		int cmd = nth(a, k);

		assert_string_equal(str_of(cmd, "execute"), "closefd");
		assert_string_equal(str_of(member(cmd, "arguments", QJ_OBJ), "fdname"),
				    bundle[k].name);
	}
}

static void test_report_of_add_fd_to_qemu_9(void **state)
{
	struct qmp_version v = { 9, 0, 1, "" };
	struct qmp_given g[2] = { bundle[0], bundle[1] };
	struct qmp_report r = { .socket = "q", .ok = true, .version = &v, .fdset = true,
				.fds = g, .nfds = 2 };
	static char buf[8192];
	int fds, f, a, k;

	(void)state;
	g[0].fdset_id = 0;
	g[0].fd = 23;
	g[1].fdset_id = 1;
	g[1].fd = 24;
	report(&r, buf, sizeof(buf));
	assert_string_equal(str_of(0, "mode"), "add-fd");
	member(member(0, "qemu", QJ_OBJ), "package", QJ_NULL);
	fds = member(0, "fds", QJ_ARR);
	for (k = 0; k < 2; k++) {
		char path[32];

		f = nth(fds, k);
		member(f, "fdname", QJ_NULL);
		assert_int_equal(num_of(f, "fdset_id"), g[k].fdset_id);
		assert_int_equal(num_of(f, "fd"), g[k].fd);
		snprintf(path, sizeof(path), "/dev/fdset/%lld", g[k].fdset_id);
		assert_string_equal(str_of(f, "path"), path);
	}
	/* 9.0 takes fds, but iommufd ones: the advice says so, and there is nothing to run */
	assert_true(doc.n[member(0, "takes_vfio_fds", QJ_BOOL)].b);
	assert_non_null(strstr(str_of(0, "advice"), "iommufd"));
	assert_int_equal(count(member(0, "qemu_args", QJ_ARR)), 0);
	assert_int_equal(count(member(0, "device_add", QJ_ARR)), 0);
	assert_int_equal(count(member(0, "access", QJ_ARR)), 0);
	assert_false(doc.n[member(0, "memlock", QJ_BOOL)].b);
	a = member(0, "release", QJ_ARR);
	assert_int_equal(count(a), 2);
	for (k = 0; k < 2; k++) {
		assert_string_equal(str_of(nth(a, k), "execute"), "remove-fd");
		assert_int_equal(num_of(member(nth(a, k), "arguments", QJ_OBJ), "fdset-id"), k);
	}
}

static void test_report_of_a_failure(void **state)
{
	struct qmp_version v = { 7, 2, 0, "" };
	struct qmp_given g[2] = { bundle[0], bundle[1] };
	struct qmp_report r = { .socket = "q", .error = "QEMU refused getfd: \"x\"\n(GenericError)",
				.version = &v, .fds = g, .nfds = 2 };
	static char buf[8192];
	int f;

	(void)state;
	g[1].passed = false;
	report(&r, buf, sizeof(buf));
	assert_false(doc.n[member(0, "ok", QJ_BOOL)].b);
	assert_string_equal(str_of(0, "error"), "QEMU refused getfd: \"x\"\n(GenericError)");
	f = nth(member(0, "fds", QJ_ARR), 1);
	assert_false(doc.n[member(f, "passed", QJ_BOOL)].b);
	member(f, "fdname", QJ_NULL);
	/* what QEMU does hold is still named, with how to drop it */
	assert_int_equal(count(member(0, "release", QJ_ARR)), 1);

	/* before any greeting: no version, no advice, nothing to run */
	r.version = NULL;
	r.nfds = 0;
	r.error = NULL;
	report(&r, buf, sizeof(buf));
	assert_string_equal(str_of(0, "error"), "(no reason given)");
	member(0, "qemu", QJ_NULL);
	member(0, "takes_vfio_fds", QJ_NULL);
	member(0, "advice", QJ_NULL);
	assert_int_equal(count(member(0, "fds", QJ_ARR)), 0);
	assert_int_equal(count(member(0, "qemu_args", QJ_ARR)), 0);
	assert_int_equal(count(member(0, "access", QJ_ARR)), 0);
	assert_false(doc.n[member(0, "memlock", QJ_BOOL)].b);
	assert_int_equal(count(member(0, "release", QJ_ARR)), 0);
}

static struct qmp_given iommufd_bundle[3] = {
	{ "iommufd", "iommufd", -1, NULL, true, -1, -1, "vfiox-iommufd", false },
	{ "vfio-cdev-0000-03-00.0", "cdev", 12, "0000:03:00.0", true, -1, -1,
	  "vfiox-cdev-0000-03-00.0", false },
	{ "vfio-cdev-0000-04-00.0", "cdev", 13, "0000:04:00.0", true, -1, -1,
	  "vfiox-cdev-0000-04-00.0", false },
};

static void test_report_of_an_iommufd_bundle_to_qemu_9(void **state)
{
	struct qmp_version v = { 9, 1, 0, "" };
	struct qmp_report r = { .socket = "q", .ok = true, .version = &v, .fds = iommufd_bundle,
				.nfds = 3, .backend = "iommufd", .iommufd_id = "vfiox-iommufd" };
	static char buf[16384];
	int a, k, f;

	(void)state;
	report(&r, buf, sizeof(buf));
	assert_string_equal(str_of(0, "backend"), "iommufd");
	f = nth(member(0, "fds", QJ_ARR), 1);
	assert_string_equal(str_of(f, "kind"), "cdev");
	assert_string_equal(str_of(f, "name"), "vfio-cdev-0000-03-00.0");
	assert_string_equal(str_of(f, "fdname"), "vfiox-cdev-0000-03-00.0");
	assert_string_equal(str_of(f, "device"), "0000:03:00.0");
	assert_true(doc.n[member(0, "takes_vfio_fds", QJ_BOOL)].b);
	assert_true(doc.n[member(0, "usable", QJ_BOOL)].b);
	a = member(0, "qemu_args", QJ_ARR);
	assert_int_equal(count(a), 6);
	assert_string_equal(doc.n[nth(a, 0)].str, "-object");
	assert_string_equal(doc.n[nth(a, 1)].str, "iommufd,id=vfiox-iommufd,fd=vfiox-iommufd");
	assert_string_equal(doc.n[nth(a, 2)].str, "-device");
	assert_string_equal(doc.n[nth(a, 3)].str, "vfio-pci,iommufd=vfiox-iommufd,"
						  "fd=vfiox-cdev-0000-03-00.0,id=vfiox-0000-03-00.0");
	assert_string_equal(doc.n[nth(a, 5)].str, "vfio-pci,iommufd=vfiox-iommufd,"
						  "fd=vfiox-cdev-0000-04-00.0,id=vfiox-0000-04-00.0");
	a = member(0, "object_add", QJ_ARR);
	assert_int_equal(count(a), 1);
	assert_string_equal(str_of(nth(a, 0), "execute"), "object-add");
	k = member(nth(a, 0), "arguments", QJ_OBJ);
	assert_string_equal(str_of(k, "qom-type"), "iommufd");
	assert_string_equal(str_of(k, "id"), "vfiox-iommufd");
	assert_string_equal(str_of(k, "fd"), "vfiox-iommufd");
	a = member(0, "device_add", QJ_ARR);
	assert_int_equal(count(a), 2);
	k = member(nth(a, 1), "arguments", QJ_OBJ);
	assert_string_equal(str_of(k, "driver"), "vfio-pci");
	assert_string_equal(str_of(k, "id"), "vfiox-0000-04-00.0");
	assert_string_equal(str_of(k, "iommufd"), "vfiox-iommufd");
	assert_string_equal(str_of(k, "fd"), "vfiox-cdev-0000-04-00.0");
	assert_int_equal(qj_get(&doc, k, "host"), -1);
	assert_int_equal(count(member(0, "access", QJ_ARR)), 0);
	assert_true(doc.n[member(0, "memlock", QJ_BOOL)].b);
	assert_false(doc.n[member(0, "attached", QJ_BOOL)].b);
	a = member(0, "release", QJ_ARR);
	assert_int_equal(count(a), 3);
	assert_string_equal(str_of(member(nth(a, 0), "arguments", QJ_OBJ), "fdname"),
			    "vfiox-iommufd");
}

/* --attach went through: the devices, then the object, are what to release. */
static void test_report_of_an_attach(void **state)
{
	struct qmp_version v = { 9, 0, 0, "" };
	struct qmp_given g[2] = { iommufd_bundle[0], iommufd_bundle[1] };
	struct qmp_sent sent[2] = { { "object-add", "vfiox-iommufd", true, NULL },
				    { "device_add", "vfiox-0000-03-00.0", true, NULL } };
	struct qmp_report r = { .socket = "q", .ok = true, .version = &v, .fds = g, .nfds = 2,
				.backend = "iommufd", .iommufd_id = "vfiox-iommufd", .attach = true,
				.sent = sent, .nsent = 2 };
	static char buf[16384];
	int a;

	(void)state;
	g[0].consumed = g[1].consumed = true;
	report(&r, buf, sizeof(buf));
	assert_true(doc.n[member(0, "attach", QJ_BOOL)].b);
	assert_true(doc.n[member(0, "attached", QJ_BOOL)].b);
	a = member(0, "sent", QJ_ARR);
	assert_int_equal(count(a), 2);
	assert_string_equal(str_of(nth(a, 1), "execute"), "device_add");
	assert_true(doc.n[member(nth(a, 1), "ok", QJ_BOOL)].b);
	assert_true(doc.n[member(nth(member(0, "fds", QJ_ARR), 0), "consumed", QJ_BOOL)].b);
	a = member(0, "release", QJ_ARR);
	assert_int_equal(count(a), 2); /* no closefd: QEMU's commands took the fds */
	assert_string_equal(str_of(nth(a, 0), "execute"), "device_del");
	assert_string_equal(str_of(member(nth(a, 0), "arguments", QJ_OBJ), "id"),
			    "vfiox-0000-03-00.0");
	assert_string_equal(str_of(nth(a, 1), "execute"), "object-del");
	/* refused midway (7.2 with --force): QEMU's words, nothing attached */
	sent[0].ok = false;
	sent[0].error = "QEMU refused object-add: Invalid parameter 'iommufd' (GenericError)";
	g[0].consumed = g[1].consumed = false;
	r.nsent = 1;
	r.ok = false;
	r.error = sent[0].error;
	v.major = 7;
	report(&r, buf, sizeof(buf));
	assert_false(doc.n[member(0, "attached", QJ_BOOL)].b);
	assert_false(doc.n[member(0, "usable", QJ_BOOL)].b);
	assert_string_equal(str_of(nth(member(0, "sent", QJ_ARR), 0), "error"), sent[0].error);
	a = member(0, "release", QJ_ARR);
	assert_int_equal(count(a), 2); /* both fds by closefd */
	assert_string_equal(str_of(nth(a, 0), "execute"), "closefd");
	assert_non_null(strstr(str_of(0, "advice"), "QEMU 7.0.0 has no iommufd object"));
	/* forced: what it would take is still said, with usable false */
	assert_int_equal(count(member(0, "object_add", QJ_ARR)), 1);
	assert_int_equal(count(member(0, "qemu_args", QJ_ARR)), 4);
	/* an iommufd fd QEMU never took: nothing to add */
	g[0].passed = g[1].passed = false;
	report(&r, buf, sizeof(buf));
	assert_int_equal(count(member(0, "object_add", QJ_ARR)), 0);
	assert_int_equal(count(member(0, "qemu_args", QJ_ARR)), 0);
	assert_int_equal(count(member(0, "release", QJ_ARR)), 0);
}

/* add-fd: fd= is QEMU's own fd number (monitor_fd_param() takes a number or a name). */
static void test_report_of_an_iommufd_bundle_in_fd_sets(void **state)
{
	struct qmp_version v = { 9, 0, 0, "" };
	struct qmp_given g[2] = { iommufd_bundle[0], iommufd_bundle[1] };
	struct qmp_report r = { .socket = "q", .ok = true, .version = &v, .fdset = true, .fds = g,
				.nfds = 2, .backend = "iommufd", .iommufd_id = "io0" };
	static char buf[16384];
	int a;

	(void)state;
	g[0].fdset_id = 0;
	g[0].fd = 23;
	g[1].fdset_id = 1;
	g[1].fd = 24;
	report(&r, buf, sizeof(buf));
	a = member(0, "qemu_args", QJ_ARR);
	assert_string_equal(doc.n[nth(a, 1)].str, "iommufd,id=io0,fd=23");
	assert_string_equal(doc.n[nth(a, 3)].str, "vfio-pci,iommufd=io0,fd=24,id=vfiox-0000-03-00.0");
	a = member(0, "release", QJ_ARR);
	assert_string_equal(str_of(nth(a, 1), "execute"), "remove-fd");
}

static void test_report_that_does_not_fit_is_refused(void **state)
{
	struct qmp_version v = { 7, 2, 0, "" };
	struct qmp_report r = { .socket = "q", .ok = true, .version = &v, .fds = bundle,
				.nfds = 3 };
	static char buf[8192];
	int n;

	(void)state;
	n = qmp_report_json(buf, sizeof(buf), &r);
	assert_true(n > 0);
	assert_int_equal(qmp_report_json(buf, (size_t)n, &r), -1); /* no room for the NUL */
	assert_int_equal(qmp_report_json(buf, (size_t)n + 1, &r), n);
	assert_int_equal(qmp_report_json(buf, 0, &r), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands_are_encoded_exactly),
		cmocka_unit_test(test_iommufd_object_and_device_are_encoded_exactly),
		cmocka_unit_test(test_type_lists_are_read),
		cmocka_unit_test(test_the_greeting_gives_the_version),
		cmocka_unit_test(test_wrong_greetings_are_refused),
		cmocka_unit_test(test_replies_errors_and_events),
		cmocka_unit_test(test_malformed_json_is_refused_with_a_reason),
		cmocka_unit_test(test_fdsets_are_listed),
		cmocka_unit_test(test_advice_by_version),
		cmocka_unit_test(test_report_of_getfd_to_qemu_7),
		cmocka_unit_test(test_report_of_add_fd_to_qemu_9),
		cmocka_unit_test(test_report_of_a_failure),
		cmocka_unit_test(test_report_of_an_iommufd_bundle_to_qemu_9),
		cmocka_unit_test(test_report_of_an_attach),
		cmocka_unit_test(test_report_of_an_iommufd_bundle_in_fd_sets),
		cmocka_unit_test(test_report_that_does_not_fit_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
