// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QMP's JSON (vfioctl/qmp-msg.c): the commands vfioctl qmp writes, byte for byte, and the
 * greetings, replies, errors, events and fd-set lists it reads, with every malformed input
 * refused with a reason rather than half read.
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
