// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * PCI address parsing, formatting and ordering (vfiox_pci_addr_*).
 *
 * The grammar is the one include/vfiox/pci.h documents: "DDDD:BB:DD.F" or "BB:DD.F",
 * hexadecimal in either case, domain 1-8 digits, bus 1-2, device 1-2 (<= 0x1f),
 * function 1 (<= 7), nothing before or after.
 *
 * Build: needs nothing beyond the common unit-test line (fixture.c is linked but unused).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <vfiox/vfiox.h>

struct ok_case {
	const char *text;
	uint32_t domain;
	uint8_t bus, dev, func;
};

static void test_parse_accepts_documented_forms(void **state)
{
	static const struct ok_case cases[] = {
		{ "0000:03:00.0", 0, 0x03, 0x00, 0 },
		{ "03:00.0", 0, 0x03, 0x00, 0 },
		{ "1:0:1f.7", 1, 0x00, 0x1f, 7 },	/* every field at its shortest */
		{ "0:0:0.0", 0, 0, 0, 0 },
		{ "0000:00:1f.7", 0, 0x00, 0x1f, 7 },	/* device and function at their maximum */
		{ "0000:ff:00.0", 0, 0xff, 0x00, 0 },	/* bus at its maximum */
		{ "0001:00:00.0", 1, 0, 0, 0 },
		{ "10000:e1:00.0", 0x10000, 0xe1, 0, 0 }, /* VMD domains have 5 digits */
		{ "ffffffff:ff:1f.7", 0xffffffff, 0xff, 0x1f, 7 }, /* 8-digit domain */
		{ "0000:0A:1F.7", 0, 0x0a, 0x1f, 7 },	/* upper-case hex */
		{ "Ab:0c.3", 0, 0xab, 0x0c, 3 },
		{ "00000000:00:00.0", 0, 0, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vfiox_pci_addr a;
		int ret;

		memset(&a, 0xa5, sizeof(a));
		ret = vfiox_pci_addr_parse(cases[i].text, &a);
		if (ret != 0)
			fail_msg("parse(\"%s\") = %d, expected 0", cases[i].text, ret);
		if (a.domain != cases[i].domain || a.bus != cases[i].bus || a.dev != cases[i].dev ||
		    a.func != cases[i].func)
			fail_msg("parse(\"%s\") = %x:%x:%x.%x, expected %x:%x:%x.%x", cases[i].text,
				 a.domain, a.bus, a.dev, a.func, cases[i].domain, cases[i].bus,
				 cases[i].dev, cases[i].func);
	}
}

static void test_parse_rejects_garbage(void **state)
{
	static const char *const bad[] = {
		"",
		"0000:03:00",		/* no function */
		"03:00",
		"03:00.8",		/* function > 7 */
		"03:00.10",		/* function has one digit */
		"03:20.0",		/* device > 0x1f */
		"03:100.0",
		"0000:100:00.0",	/* bus has at most 2 digits */
		"0000:003:00.0",
		"123456789:00:00.0",	/* domain of 9 digits */
		"zz:00.0",
		"0000:0g:00.0",
		"0000:03:00.0x",	/* trailing junk */
		"0000:03:00.0 ",	/* trailing space */
		" 0000:03:00.0",	/* leading space */
		"0000:03:00.0\n",	/* trailing newline */
		"\t03:00.0",
		"-1:00.0",		/* negative */
		"0000:-1:00.0",
		"+3:00.0",		/* sign */
		"0x03:00.0",		/* prefix */
		"0000:03:00:0",
		"0000.03.00.0",
		"0000:03:00.0.0",
		"0000:0000:03:00.0",	/* too many fields */
		":03:00.0",
		"0000::00.0",
		"03:.0",
		"03:00.",
		"0000:03:00.0000000000000000000000000000000000", /* overlong */
		"00000000000000000000000000000000000000000000:03:00.0",
		"03 :00.0",
		"03:00 .0",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vfiox_pci_addr a = { .domain = 0x12345678, .bus = 0x9a, .dev = 0x1b, .func = 6 };
		int ret = vfiox_pci_addr_parse(bad[i], &a);

		if (ret != -EINVAL)
			fail_msg("parse(\"%s\") = %d, expected -EINVAL (%d)", bad[i], ret, -EINVAL);
		/* a failed parse leaves the output alone */
		if (a.domain != 0x12345678 || a.bus != 0x9a || a.dev != 0x1b || a.func != 6)
			fail_msg("parse(\"%s\") failed but changed the address", bad[i]);
	}
}

static void test_parse_null_is_einval(void **state)
{
	struct vfiox_pci_addr a;

	(void)state;
	assert_int_equal(vfiox_pci_addr_parse(NULL, &a), -EINVAL);
}

static void test_format_uses_sysfs_spelling(void **state)
{
	static const struct {
		struct vfiox_pci_addr a;
		const char *text;
	} cases[] = {
		{ { 0, 0x03, 0x00, 0 }, "0000:03:00.0" },
		{ { 0, 0xab, 0x1f, 7 }, "0000:ab:1f.7" },
		{ { 1, 0x00, 0x01, 0 }, "0001:00:01.0" },
		{ { 0x10000, 0xe1, 0x00, 0 }, "10000:e1:00.0" },
		{ { 0xffffffff, 0xff, 0x1f, 7 }, "ffffffff:ff:1f.7" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[VFIOX_PCI_ADDR_STRLEN];
		int ret;

		memset(buf, 'x', sizeof(buf));
		ret = vfiox_pci_addr_format(&cases[i].a, buf, sizeof(buf));
		assert_int_equal(ret, (int)strlen(cases[i].text));
		assert_string_equal(buf, cases[i].text);
	}
}

static void test_format_reports_short_buffer(void **state)
{
	struct vfiox_pci_addr a = { 0, 3, 0, 0 };
	struct vfiox_pci_addr big = { 0xffffffff, 0xff, 0x1f, 7 };
	char buf[VFIOX_PCI_ADDR_STRLEN];

	(void)state;
	/* "0000:03:00.0" is 12 characters: 13 bytes needed */
	assert_int_equal(vfiox_pci_addr_format(&a, buf, 12), -ENOSPC);
	assert_int_equal(vfiox_pci_addr_format(&a, buf, 0), -ENOSPC);
	assert_int_equal(vfiox_pci_addr_format(&a, buf, 13), 12);
	assert_string_equal(buf, "0000:03:00.0");
	/* the documented size suffices for the longest address */
	assert_int_equal(vfiox_pci_addr_format(&big, buf, VFIOX_PCI_ADDR_STRLEN), 16);
	assert_int_equal(vfiox_pci_addr_format(&big, buf, VFIOX_PCI_ADDR_STRLEN - 1), -ENOSPC);
}

static void test_parse_format_round_trip(void **state)
{
	static const char *const texts[] = {
		"0000:00:00.0", "0000:03:00.1", "0001:80:1f.7", "10000:e1:00.0", "ffffffff:ff:1f.7",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct vfiox_pci_addr a;
		char buf[VFIOX_PCI_ADDR_STRLEN];

		assert_int_equal(vfiox_pci_addr_parse(texts[i], &a), 0);
		assert_int_equal(vfiox_pci_addr_format(&a, buf, sizeof(buf)), (int)strlen(texts[i]));
		assert_string_equal(buf, texts[i]);
	}
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_cmp_orders_domain_bus_dev_func(void **state)
{
	/* ascending; each pair differs in one field, high fields dominate low ones */
	static const struct vfiox_pci_addr asc[] = {
		{ 0, 0x00, 0x00, 0 },
		{ 0, 0x00, 0x00, 1 },
		{ 0, 0x00, 0x01, 0 },
		{ 0, 0x00, 0x1f, 7 },
		{ 0, 0x01, 0x00, 0 },
		{ 0, 0xff, 0x1f, 7 },
		{ 1, 0x00, 0x00, 0 },
		{ 0x10000, 0x00, 0x00, 0 },
		{ 0x7fffffff, 0x00, 0x00, 0 },
		{ 0x80000000, 0x00, 0x00, 0 }, /* no signed overflow in the comparison */
		{ 0xffffffff, 0xff, 0x1f, 7 },
	};
	size_t n = sizeof(asc) / sizeof(asc[0]), i, j;

	(void)state;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int want = (i > j) - (i < j);
			int got = sign(vfiox_pci_addr_cmp(&asc[i], &asc[j]));

			if (got != want)
				fail_msg("cmp(#%zu %x:%x:%x.%x, #%zu %x:%x:%x.%x) has sign %d, "
					 "expected %d", i, asc[i].domain, asc[i].bus, asc[i].dev,
					 asc[i].func, j, asc[j].domain, asc[j].bus, asc[j].dev,
					 asc[j].func, got, want);
		}
}

static int qsort_cmp(const void *a, const void *b)
{
	return vfiox_pci_addr_cmp(a, b);
}

static void test_cmp_sorts_like_lspci(void **state)
{
	static const char *const shuffled[] = {
		"10000:e1:00.0", "0000:05:01.0", "0001:00:00.0", "0000:00:1f.3", "0000:00:02.0",
		"0000:05:00.0", "0000:00:1f.0", "0001:01:00.0", "0000:00:00.0",
	};
	static const char *const sorted[] = {
		"0000:00:00.0", "0000:00:02.0", "0000:00:1f.0", "0000:00:1f.3", "0000:05:00.0",
		"0000:05:01.0", "0001:00:00.0", "0001:01:00.0", "10000:e1:00.0",
	};
	struct vfiox_pci_addr a[9];
	size_t i;

	(void)state;
	for (i = 0; i < 9; i++)
		assert_int_equal(vfiox_pci_addr_parse(shuffled[i], &a[i]), 0);
	qsort(a, 9, sizeof(a[0]), qsort_cmp);
	for (i = 0; i < 9; i++) {
		char buf[VFIOX_PCI_ADDR_STRLEN];

		assert_true(vfiox_pci_addr_format(&a[i], buf, sizeof(buf)) > 0);
		assert_string_equal(buf, sorted[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_accepts_documented_forms),
		cmocka_unit_test(test_parse_rejects_garbage),
		cmocka_unit_test(test_parse_null_is_einval),
		cmocka_unit_test(test_format_uses_sysfs_spelling),
		cmocka_unit_test(test_format_reports_short_buffer),
		cmocka_unit_test(test_parse_format_round_trip),
		cmocka_unit_test(test_cmp_orders_domain_bus_dev_func),
		cmocka_unit_test(test_cmp_sorts_like_lspci),
	};

	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
