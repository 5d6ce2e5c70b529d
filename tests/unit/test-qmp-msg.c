// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QMP's JSON (vfioctl/qmp-msg.c): the commands vfioctl qmp writes, byte for byte, and the
 * greetings, replies, errors, events and fd-set lists it reads, with every malformed input
 * refused with a reason rather than half read; and the report of vfioctl qmp --json
 * (qmp_report_json()), read back with the parser, field by field, for getfd and add-fd,
 * each side of QEMU 9.0, and on failure. (The verb itself needs a VFIO bundle, which only
 * the VM has; tests/host/test-qmp.c feeds this writer what a real QEMU replied.)
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
	assert_false(qmp_vfio_fd_advice(&v, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "QEMU 8.2.0 cannot use these fds"));
	assert_non_null(strstr(buf, "9.0"));
	v.major = 9;
	assert_true(qmp_vfio_fd_advice(&v, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "iommufd"));
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
	{ "vfio-container", "container", -1, NULL, true, -1, -1 },
	{ "vfio-group-12", "group", 12, NULL, true, -1, -1 },
	{ "vfio-device-0000-03-00.0", "device", 12, "0000:03:00.0", true, -1, -1 },
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
	assert_memory_equal(buf, "{\n  \"schema\": 1,\n  \"socket\": \"/run/q.sock\",\n", 42);
	assert_int_equal(buf[strlen(buf) - 1], '\n');
	assert_int_equal(num_of(0, "schema"), 1);
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
		cmocka_unit_test(test_the_greeting_gives_the_version),
		cmocka_unit_test(test_wrong_greetings_are_refused),
		cmocka_unit_test(test_replies_errors_and_events),
		cmocka_unit_test(test_malformed_json_is_refused_with_a_reason),
		cmocka_unit_test(test_fdsets_are_listed),
		cmocka_unit_test(test_advice_by_version),
		cmocka_unit_test(test_report_of_getfd_to_qemu_7),
		cmocka_unit_test(test_report_of_add_fd_to_qemu_9),
		cmocka_unit_test(test_report_of_a_failure),
		cmocka_unit_test(test_report_that_does_not_fit_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
