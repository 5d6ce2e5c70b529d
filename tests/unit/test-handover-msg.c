// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The hand-over message and the LISTEN_FDNAMES names (libvfiox/handover-msg.c), both ways,
 * for type1 bundles (container, groups, devices) and iommufd ones (an iommufd, cdevs):
 * what the encoder writes, that it decodes back to the same description, and every way a
 * message or a name list is refused (a mix of the two kinds among them), each with the
 * reason it gives.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "handover-msg.h"

static struct vfiox_ho_desc d, back;
static char why[256];

#define MSG(...) "vfiox-handover 1\n" __VA_ARGS__

static void entry(struct vfiox_ho_desc *x, int kind, int group, const char *dev)
{
	struct vfiox_ho_entry *e = &x->e[x->num++];

	e->kind = kind;
	e->group = group;
	snprintf(e->dev, sizeof(e->dev), "%s", dev ? dev : "");
}

static void two_groups_one_device(struct vfiox_ho_desc *x)
{
	memset(x, 0, sizeof(*x));
	x->model = VFIOX_IOMMU_TYPE1V2;
	entry(x, VFIOX_HANDOVER_CONTAINER, -1, NULL);
	entry(x, VFIOX_HANDOVER_GROUP, 12, NULL);
	entry(x, VFIOX_HANDOVER_GROUP, 13, NULL);
	entry(x, VFIOX_HANDOVER_DEVICE, 12, "0000:03:00.0");
}

static void iommufd_two_cdevs(struct vfiox_ho_desc *x)
{
	memset(x, 0, sizeof(*x));
	x->model = VFIOX_IOMMU_IOMMUFD;
	entry(x, VFIOX_HANDOVER_IOMMUFD, -1, NULL);
	entry(x, VFIOX_HANDOVER_CDEV, 12, "0000:03:00.0");
	entry(x, VFIOX_HANDOVER_CDEV, 13, "0000:04:00.0");
}

static int decode(const char *text)
{
	why[0] = '\0';
	return vfiox__ho_decode(text, strlen(text), &back, why, sizeof(why));
}

/* Refused with @err and a reason holding @word. */
static void refused(const char *text, int err, const char *word)
{
	int ret = decode(text);

	if (ret != err || !strstr(why, word))
		fail_msg("decode of \"%s\" = %d (%s), want %d with \"%s\"", text, ret, why, err, word);
}

static void test_encode_writes_the_documented_text(void **state)
{
	char buf[512];
	int n;

	(void)state;
	two_groups_one_device(&d);
	n = vfiox__ho_encode(&d, buf, sizeof(buf), why, sizeof(why));
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, MSG("iommu type1v2\ncontainer\ngroup 12\ngroup 13\n"
				     "device 0000:03:00.0 12\nend\n"));
}

static void test_a_message_decodes_back_to_its_description(void **state)
{
	char buf[512];

	(void)state;
	two_groups_one_device(&d);
	d.model = VFIOX_IOMMU_TYPE1;
	assert_true(vfiox__ho_encode(&d, buf, sizeof(buf), why, sizeof(why)) > 0);
	assert_int_equal(decode(buf), 0);
	assert_int_equal(back.model, VFIOX_IOMMU_TYPE1);
	assert_int_equal(back.num, 4);
	assert_false(back.refused);
	assert_memory_equal(back.e, d.e, sizeof(d.e[0]) * 4);
}

static void test_a_refusal_round_trips_with_its_reason(void **state)
{
	char buf[512];

	(void)state;
	memset(&d, 0, sizeof(d));
	d.refused = true;
	snprintf(d.error, sizeof(d.error), "uid 1000 is not allowed");
	assert_true(vfiox__ho_encode(&d, buf, sizeof(buf), why, sizeof(why)) > 0);
	assert_string_equal(buf, MSG("error uid 1000 is not allowed\nend\n"));
	assert_int_equal(decode(buf), 0);
	assert_true(back.refused);
	assert_string_equal(back.error, "uid 1000 is not allowed");
	assert_int_equal(back.num, 0);
}

static void test_encode_refuses_what_decode_would(void **state)
{
	char buf[512];

	(void)state;
	two_groups_one_device(&d);
	d.e[3].group = 14; /* a device whose group is not in the bundle */
	assert_int_equal(vfiox__ho_encode(&d, buf, sizeof(buf), why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "group 14"));
	two_groups_one_device(&d);
	d.model = 0;
	assert_int_equal(vfiox__ho_encode(&d, buf, sizeof(buf), why, sizeof(why)), -EINVAL);
	two_groups_one_device(&d);
	assert_int_equal(vfiox__ho_encode(&d, buf, 20, why, sizeof(why)), -ENOSPC);
	memset(&d, 0, sizeof(d));
	d.refused = true;
	snprintf(d.error, sizeof(d.error), "two\nlines");
	assert_int_equal(vfiox__ho_encode(&d, buf, sizeof(buf), why, sizeof(why)), -EINVAL);
}

static void test_truncated_messages_are_refused(void **state)
{
	const char *full = MSG("iommu type1v2\ncontainer\ngroup 12\nend\n");
	size_t len = strlen(full), cut;
	int ret;

	(void)state;
	/* Every proper prefix: none of them is a message. */
	for (cut = 0; cut < len; cut++) {
		ret = vfiox__ho_decode(full, cut, &back, why, sizeof(why));
		if (ret != -EBADMSG)
			fail_msg("prefix of %zu bytes decoded to %d", cut, ret);
	}
	refused(MSG("iommu type1v2\ncontainer\ngroup 12\n"), -EBADMSG, "truncated");
	refused(MSG("iommu type1v2\ncontainer\ngroup 12"), -EBADMSG, "cut short");
}

static void test_other_versions_and_other_text_are_refused(void **state)
{
	(void)state;
	refused("vfiox-handover 2\niommu type1v2\ncontainer\ngroup 1\nend\n", -EPROTO,
		"version 2");
	refused("hello\n", -EBADMSG, "not a hand-over message");
	refused("vfiox-handover  1\nend\n", -EBADMSG, "not a hand-over message");
	refused("", -EBADMSG, "empty");
}

static void test_descriptions_that_break_the_rules_are_refused(void **state)
{
	(void)state;
	refused(MSG("iommu type1v2\ngroup 12\nend\n"), -EBADMSG, "no container");
	refused(MSG("iommu type1v2\ncontainer\nend\n"), -EBADMSG, "no group");
	refused(MSG("container\ngroup 12\nend\n"), -EBADMSG, "no IOMMU model");
	refused(MSG("iommu type9\ncontainer\ngroup 12\nend\n"), -EBADMSG, "unknown IOMMU model");
	refused(MSG("container\niommu type1v2\ngroup 12\nend\n"), -EBADMSG, "second");
	refused(MSG("iommu type1v2\ncontainer\ncontainer\ngroup 12\nend\n"), -EBADMSG,
		"second container");
	refused(MSG("iommu type1v2\ncontainer\ngroup 12\ngroup 12\nend\n"), -EBADMSG, "twice");
	refused(MSG("iommu type1v2\ncontainer\ngroup 12\ndevice 0000:03:00.0 12\n"
		    "device 0000:03:00.0 12\nend\n"), -EBADMSG, "twice");
	refused(MSG("iommu type1v2\ncontainer\ngroup 12\ndevice 0000:03:00.0 13\nend\n"),
		-EBADMSG, "does not hold");
}

static void test_malformed_lines_are_refused(void **state)
{
	(void)state;
	refused(MSG("iommu type1v2\ncontainer\ngroup 012\nend\n"), -EBADMSG, "line 4");
	refused(MSG("iommu type1v2\ncontainer\ngroup -1\nend\n"), -EBADMSG, "line 4");
	refused(MSG("iommu type1v2\ncontainer\ngroup 2147483648\nend\n"), -EBADMSG, "line 4");
	refused(MSG("iommu type1v2\ncontainer\ngroup 12 \nend\n"), -EBADMSG, "line 4");
	refused(MSG("iommu type1v2\ncontainer\ngroup 12\ndevice 03:00.0 12\nend\n"), -EBADMSG,
		"line 5");
	refused(MSG("iommu type1v2\ncontainer\ngroup 12\ndevice 0000:03:00.A 12\nend\n"),
		-EBADMSG, "line 5");
	refused(MSG("iommu type1v2\ncontainer\ngroup 12\nvolume 3\nend\n"), -EBADMSG, "line 5");
	refused(MSG("iommu type1v2\ncontainer\ngroup 12\nend\nend\n"), -EBADMSG, "follows");
	refused(MSG("iommu type1v2\ncontainer\ngroup\t12\nend\n"), -EBADMSG, "0x09");
	refused(MSG("iommu type1v2\ncontainer\ngroup 12\nerror late\nend\n"), -EBADMSG,
		"after the description");
}

static void test_nul_bytes_are_refused(void **state)
{
	static const char text[] = "vfiox-handover 1\niommu type1v2\ncontainer\ngroup 1\0\nend\n";

	(void)state;
	assert_int_equal(vfiox__ho_decode(text, sizeof(text) - 1, &back, why, sizeof(why)),
			 -EBADMSG);
	assert_non_null(strstr(why, "0x00"));
}

static void test_limits_on_length_and_fds(void **state)
{
	static char big[VFIOX_HANDOVER_MAX_MSG + 64];
	size_t at, i;
	int ret;

	(void)state;
	at = (size_t)snprintf(big, sizeof(big), MSG("iommu type1v2\ncontainer\n"));
	for (i = 0; i < VFIOX_HANDOVER_MAX_FDS; i++)
		at += (size_t)snprintf(big + at, sizeof(big) - at, "group %zu\n", i);
	snprintf(big + at, sizeof(big) - at, "end\n");
	ret = decode(big);
	assert_int_equal(ret, -EMSGSIZE); /* 65 fds */
	assert_non_null(strstr(why, "more than 64"));
	memset(big, 'a', sizeof(big));
	assert_int_equal(vfiox__ho_decode(big, VFIOX_HANDOVER_MAX_MSG + 1, &back, why, sizeof(why)),
			 -EMSGSIZE);
	at = (size_t)snprintf(big, sizeof(big), MSG("error "));
	memset(big + at, 'x', 300);
	snprintf(big + at + 300, sizeof(big) - at - 300, "\nend\n");
	refused(big, -EBADMSG, "longer than 256");
}

static void test_an_iommufd_bundle_encodes_and_decodes_back(void **state)
{
	char buf[512];

	(void)state;
	iommufd_two_cdevs(&d);
	assert_true(vfiox__ho_encode(&d, buf, sizeof(buf), why, sizeof(why)) > 0);
	assert_string_equal(buf, MSG("iommu iommufd\niommufd\ncdev 0000:03:00.0 12\n"
				     "cdev 0000:04:00.0 13\nend\n"));
	assert_int_equal(decode(buf), 0);
	assert_int_equal(back.model, VFIOX_IOMMU_IOMMUFD);
	assert_int_equal(back.num, 3);
	assert_memory_equal(back.e, d.e, sizeof(d.e[0]) * 3);
}

static void test_encode_refuses_broken_iommufd_bundles(void **state)
{
	char buf[512];

	(void)state;
	iommufd_two_cdevs(&d);
	d.model = VFIOX_IOMMU_TYPE1V2;
	assert_int_equal(vfiox__ho_encode(&d, buf, sizeof(buf), why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "iommu line says type1v2"));
	iommufd_two_cdevs(&d);
	d.e[2].kind = VFIOX_HANDOVER_GROUP; /* a group fd among the cdevs */
	assert_int_equal(vfiox__ho_encode(&d, buf, sizeof(buf), why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "never both"));
	two_groups_one_device(&d);
	d.model = VFIOX_IOMMU_IOMMUFD;
	assert_int_equal(vfiox__ho_encode(&d, buf, sizeof(buf), why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "type1 container"));
}

static void test_iommufd_bundles_that_break_the_rules_are_refused(void **state)
{
	(void)state;
	refused(MSG("iommu iommufd\ncdev 0000:03:00.0 12\niommufd\nend\n"), -EBADMSG,
		"the iommufd goes first");
	refused(MSG("iommu iommufd\niommufd\niommufd\ncdev 0000:03:00.0 12\nend\n"),
		-EBADMSG, "second iommufd");
	refused(MSG("iommu iommufd\niommufd\nend\n"), -EBADMSG, "no cdev");
	refused(MSG("iommu iommufd\niommufd\ncdev 0000:03:00.0 12\ncdev 0000:03:00.0 12\n"
		    "end\n"), -EBADMSG, "twice");
	refused(MSG("iommu type1v2\niommufd\ncdev 0000:03:00.0 12\nend\n"), -EBADMSG,
		"iommu line says type1v2");
	refused(MSG("iommufd\ncdev 0000:03:00.0 12\nend\n"), -EBADMSG, "says nothing");
	refused(MSG("iommu iommufd\ncontainer\ngroup 12\nend\n"), -EBADMSG,
		"holds a type1 container");
	/* a mix, either way round */
	refused(MSG("iommu type1v2\ncontainer\ngroup 12\ncdev 0000:03:00.0 12\nend\n"),
		-EBADMSG, "never both");
	refused(MSG("iommu iommufd\niommufd\ncdev 0000:03:00.0 12\ngroup 12\nend\n"),
		-EBADMSG, "never both");
	refused(MSG("iommu iommufd\niommufd\ndevice 0000:03:00.0 12\nend\n"), -EBADMSG,
		"a device in a bundle that also holds an iommufd or cdevs");
	/* malformed lines */
	refused(MSG("iommu iommufd\niommufd\ncdev 0000:03:00.0\nend\n"), -EBADMSG, "line 4");
	refused(MSG("iommu iommufd\niommufd 3\ncdev 0000:03:00.0 1\nend\n"), -EBADMSG,
		"line 3");
	refused(MSG("iommu iommufd\niommufd\ncdev 3:0.0 1\nend\n"), -EBADMSG, "line 4");
	refused(MSG("iommu iommufd2\niommufd\ncdev 0000:03:00.0 1\nend\n"), -EBADMSG,
		"unknown IOMMU model");
}

static void test_fdnames_are_formed_as_systemd_wants(void **state)
{
	char name[VFIOX_HO_NAME_LEN];

	(void)state;
	two_groups_one_device(&d);
	assert_int_equal(vfiox__ho_fdname(&d.e[0], name, sizeof(name)), 14);
	assert_string_equal(name, "vfio-container");
	vfiox__ho_fdname(&d.e[1], name, sizeof(name));
	assert_string_equal(name, "vfio-group-12");
	vfiox__ho_fdname(&d.e[3], name, sizeof(name));
	assert_string_equal(name, "vfio-device-0000-03-00.0");
	assert_int_equal(vfiox__ho_fdname(&d.e[3], name, 10), -ENOSPC);
	iommufd_two_cdevs(&d);
	assert_int_equal(vfiox__ho_fdname(&d.e[0], name, sizeof(name)), 7);
	assert_string_equal(name, "iommufd");
	vfiox__ho_fdname(&d.e[1], name, sizeof(name));
	assert_string_equal(name, "vfio-cdev-0000-03-00.0");
}

static int decode_names(const char *names, size_t nfds)
{
	why[0] = '\0';
	return vfiox__ho_decode_fdnames(names, strlen(names), nfds, &back, why, sizeof(why));
}

static void test_fdnames_decode(void **state)
{
	(void)state;
	assert_int_equal(decode_names("vfio-container:vfio-group-12:vfio-device-0000-03-00.0", 3),
			 0);
	assert_int_equal(back.num, 3);
	assert_int_equal(back.e[0].kind, VFIOX_HANDOVER_CONTAINER);
	assert_int_equal(back.e[1].kind, VFIOX_HANDOVER_GROUP);
	assert_int_equal(back.e[1].group, 12);
	assert_int_equal(back.e[2].kind, VFIOX_HANDOVER_DEVICE);
	assert_string_equal(back.e[2].dev, "0000:03:00.0");
	assert_int_equal(back.e[2].group, -1); /* the names carry no group */
	assert_int_equal(back.model, VFIOX_IOMMU_NONE);
	/* Any order: systemd keeps the order the passer chose. */
	assert_int_equal(decode_names("vfio-group-3:vfio-container", 2), 0);
	/* an iommufd bundle */
	assert_int_equal(decode_names("iommufd:vfio-cdev-0000-03-00.0:vfio-cdev-0000-04-00.1", 3),
			 0);
	assert_int_equal(back.e[0].kind, VFIOX_HANDOVER_IOMMUFD);
	assert_int_equal(back.e[0].group, -1);
	assert_int_equal(back.e[2].kind, VFIOX_HANDOVER_CDEV);
	assert_string_equal(back.e[2].dev, "0000:04:00.1");
	assert_int_equal(back.e[2].group, -1);
}

static void test_fdnames_refusals(void **state)
{
	struct {
		const char *names;
		size_t nfds;
		int err;
		const char *word;
	} cases[] = {
		{ "vfio-container:vfio-group-12", 3, -EBADMSG, "2 names for the 3 fds" },
		{ "vfio-container:vfio-group-12", 1, -EBADMSG, "more names" },
		{ "vfio-container:vfio-group-1:stdin", 3, -EBADMSG, "\"stdin\"" },
		{ "vfio-container:vfio-group-", 2, -EBADMSG, "name 2" },
		{ "vfio-container:vfio-group-1:vfio-device-0000:03:00.0", 3, -EBADMSG, "name 3" },
		{ "vfio-container:vfio-group-1:vfio-device-0000-03-00-0", 3, -EBADMSG, "name 3" },
		{ "vfio-container::vfio-group-1", 3, -EBADMSG, "name 2" },
		{ "vfio-group-1", 1, -EBADMSG, "no container" },
		{ "vfio-container", 1, -EBADMSG, "no group" },
		{ "vfio-container:vfio-group-1:vfio-container", 3, -EBADMSG, "second container" },
		{ "vfio-container:vfio-group-1:vfio-group-1", 3, -EBADMSG, "twice" },
		{ "", 0, -EBADMSG, "LISTEN_FDS is 0" },
		{ "vfio-cdev-0000-03-00.0:iommufd", 2, -EBADMSG, "the iommufd goes first" },
		{ "iommufd", 1, -EBADMSG, "no cdev" },
		{ "iommufd:iommufd:vfio-cdev-0000-03-00.0", 3, -EBADMSG, "second iommufd" },
		{ "iommufd:vfio-cdev-0000-03-00.0:vfio-cdev-0000-03-00.0", 3, -EBADMSG, "twice" },
		{ "iommufd:vfio-cdev-0000-03-00.0:vfio-group-3", 3, -EBADMSG, "never both" },
		{ "vfio-container:vfio-group-3:vfio-cdev-0000-03-00.0", 3, -EBADMSG, "never both" },
		{ "iommufd:vfio-cdev-0000:03:00.0", 2, -EBADMSG, "name 2" },
		{ "iommufd:vfio-cdev-", 2, -EBADMSG, "name 2" },
		{ "iommufd0:vfio-cdev-0000-03-00.0", 2, -EBADMSG, "name 1" },
		{ "vfio-container", 65, -EMSGSIZE, "more than the 64" },
	};
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ret = decode_names(cases[i].names, cases[i].nfds);
		if (ret != cases[i].err || !strstr(why, cases[i].word))
			fail_msg("\"%s\" (%zu fds) = %d (%s), want %d with \"%s\"", cases[i].names,
				 cases[i].nfds, ret, why, cases[i].err, cases[i].word);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_writes_the_documented_text),
		cmocka_unit_test(test_a_message_decodes_back_to_its_description),
		cmocka_unit_test(test_a_refusal_round_trips_with_its_reason),
		cmocka_unit_test(test_encode_refuses_what_decode_would),
		cmocka_unit_test(test_truncated_messages_are_refused),
		cmocka_unit_test(test_other_versions_and_other_text_are_refused),
		cmocka_unit_test(test_descriptions_that_break_the_rules_are_refused),
		cmocka_unit_test(test_malformed_lines_are_refused),
		cmocka_unit_test(test_nul_bytes_are_refused),
		cmocka_unit_test(test_limits_on_length_and_fds),
		cmocka_unit_test(test_an_iommufd_bundle_encodes_and_decodes_back),
		cmocka_unit_test(test_encode_refuses_broken_iommufd_bundles),
		cmocka_unit_test(test_iommufd_bundles_that_break_the_rules_are_refused),
		cmocka_unit_test(test_fdnames_are_formed_as_systemd_wants),
		cmocka_unit_test(test_fdnames_decode),
		cmocka_unit_test(test_fdnames_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
