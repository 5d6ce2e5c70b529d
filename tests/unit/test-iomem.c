// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc/iomem (libvfiox/iomem.c): the pure parser on texts as kernels print them (a q35
 * guest with a range reserved at boot, a Coffee Lake host whose reserved range holds the
 * graphics stolen memory), on what a non-root reader sees (every address 0) and on
 * garbage; where a range lies (System RAM at depth 0 and nested, ranges spanning two
 * entries); and the reader of a context's <proc root>/iomem.
 */
#include <vfiox/vfiox.h>

#include "internal.h"
#include "iomem.h"
#include "testutil.h"

/* A q35 guest with 512 MiB, booted with memmap=4M$0x0c000000. */
static const char q35[] =
	"00000000-00000fff : Reserved\n"
	"00001000-0009fbff : System RAM\n"
	"0009fc00-0009ffff : Reserved\n"
	"000a0000-000bffff : PCI Bus 0000:00\n"
	"000c0000-000c99ff : Video ROM\n"
	"000ca000-000cadff : Adapter ROM\n"
	"000f0000-000fffff : Reserved\n"
	"  000f0000-000fffff : System ROM\n"
	"00100000-0bffffff : System RAM\n"
	"  05600000-06400ee6 : Kernel code\n"
	"  06600000-06a73fff : Kernel rodata\n"
	"0c000000-0c3fffff : Reserved\n"
	"0c400000-1ffdffff : System RAM\n"
	"1ffe0000-1fffffff : Reserved\n"
	"20000000-afffffff : PCI Bus 0000:00\n"
	"b0000000-bfffffff : PCI ECAM 0000 [bus 00-ff]\n"
	"  b0000000-bfffffff : Reserved\n"
	"c0000000-febfffff : PCI Bus 0000:00\n"
	"  fea00000-feafffff : PCI Bus 0000:01\n"
	"    fea00000-feafffff : PCI Bus 0000:02\n"
	"      fea00000-fea0ffff : 0000:02:01.0\n"
	"        fea00000-fea0ffff : vfio-pci\n"
	"fed90000-fed90fff : dmar0\n"
	"fee00000-fee00fff : Local APIC\n"
	"fffc0000-ffffffff : Reserved\n"
	"100000000-17fffffff : PCI Bus 0000:00\n";

/* A Coffee Lake laptop: TSEG, GTT and data stolen memory in one reserved range. */
static const char cfl[] =
	"00000000-00000fff : Reserved\n"
	"00001000-0009dfff : System RAM\n"
	"0009e000-000fffff : Reserved\n"
	"  000a0000-000bffff : PCI Bus 0000:00\n"
	"  000f0000-000fffff : System ROM\n"
	"00100000-88a0efff : System RAM\n"
	"88a0f000-88e7efff : Reserved\n"
	"88e7f000-89ffefff : ACPI Non-volatile Storage\n"
	"89fff000-89ffffff : System RAM\n"
	"8a000000-8f7fffff : Reserved\n"
	"  8b800000-8f7fffff : Graphics Stolen Memory\n"
	"8f800000-dfffffff : PCI Bus 0000:00\n"
	"  a0000000-afffffff : 0000:00:02.0\n"
	"  b0000000-b0ffffff : 0000:00:02.0\n"
	"    b0000000-b0ffffff : i915\n"
	"e0000000-efffffff : PCI ECAM 0000 [bus 00-ff]\n"
	"fed00000-fed003ff : HPET 0\n"
	"100000000-46e7fffff : System RAM\n"
	"  1b5200000-1b6401e0e : Kernel code\n"
	"46e800000-46fffffff : RAM buffer\n";

/* The same host read by a user without CAP_SYS_ADMIN. */
static const char hidden[] =
	"00000000-00000000 : Reserved\n"
	"00000000-00000000 : System RAM\n"
	"00000000-00000000 : Reserved\n"
	"  00000000-00000000 : Graphics Stolen Memory\n";

static void parse(const char *text, struct vfiox_iomem *m)
{
	assert_int_equal(vfiox__iomem_parse(text, strlen(text), m), 0);
}

static void assert_entry(const struct vfiox_iomem_entry *e, uint64_t start, uint64_t end,
			 unsigned int depth, const char *name)
{
	assert_non_null(e);
	assert_int_equal(e->start, start);
	assert_int_equal(e->end, end);
	assert_int_equal(e->depth, depth);
	assert_string_equal(e->name, name);
}

static void q35_guest_parses_every_line_with_its_depth(void **state)
{
	struct vfiox_iomem m;

	parse(q35, &m);
	assert_int_equal(m.n, 26);
	assert_false(m.hidden);
	assert_entry(&m.v[0], 0, 0xfff, 0, "Reserved");
	assert_entry(&m.v[7], 0xf0000, 0xfffff, 1, "System ROM");
	assert_entry(&m.v[11], 0x0c000000, 0x0c3fffff, 0, "Reserved");
	assert_entry(&m.v[15], 0xb0000000, 0xbfffffff, 0, "PCI ECAM 0000 [bus 00-ff]");
	assert_entry(&m.v[21], 0xfea00000, 0xfea0ffff, 4, "vfio-pci");
	assert_entry(&m.v[25], 0x100000000ull, 0x17fffffffull, 0, "PCI Bus 0000:00");
	vfiox__iomem_release(&m);
	assert_null(m.v);
	assert_null(m.text);
}

static void reserved_at_boot_is_not_ram(void **state)
{
	struct vfiox_iomem_verdict v;
	struct vfiox_iomem m;

	parse(q35, &m);
	vfiox__iomem_classify(&m, 0x0c000000, 0x0c3fffff, &v);
	assert_null(v.ram);
	assert_entry(v.top, 0x0c000000, 0x0c3fffff, 0, "Reserved");
	/* One page of it, anywhere inside, has the same answer. */
	vfiox__iomem_classify(&m, 0x0c200000, 0x0c200fff, &v);
	assert_null(v.ram);
	assert_entry(v.top, 0x0c000000, 0x0c3fffff, 0, "Reserved");
	vfiox__iomem_release(&m);
}

static void ram_at_depth_zero_is_found(void **state)
{
	struct vfiox_iomem_verdict v;
	struct vfiox_iomem m;

	parse(q35, &m);
	/* The reserved range and the page after it: the RAM that follows. */
	vfiox__iomem_classify(&m, 0x0c000000, 0x0c400fff, &v);
	assert_entry(v.ram, 0x0c400000, 0x1ffdffff, 0, "System RAM");
	assert_null(v.top); /* it spans two entries */
	/* The page before: the RAM below. */
	vfiox__iomem_classify(&m, 0x0bfff000, 0x0c000fff, &v);
	assert_entry(v.ram, 0x00100000, 0x0bffffff, 0, "System RAM");
	assert_null(v.top);
	/* Inside RAM. */
	vfiox__iomem_classify(&m, 0x01000000, 0x01ffffff, &v);
	assert_entry(v.ram, 0x00100000, 0x0bffffff, 0, "System RAM");
	assert_entry(v.top, 0x00100000, 0x0bffffff, 0, "System RAM");
	/* The last byte of RAM and nothing more; the first byte after. */
	vfiox__iomem_classify(&m, 0x1ffdffff, 0x1ffdffff, &v);
	assert_non_null(v.ram);
	vfiox__iomem_classify(&m, 0x1ffe0000, 0x1ffe0000, &v);
	assert_null(v.ram);
	vfiox__iomem_release(&m);
}

static void nested_ram_is_found(void **state)
{
	static const char text[] =
		"00000000-0009ffff : System RAM\n"
		"40000000-4fffffff : Soft Reserved\n"
		"  40000000-47ffffff : dax0.0\n"
		"    40000000-43ffffff : System RAM (kmem)\n"
		"  48000000-4fffffff : System RAM\n";
	struct vfiox_iomem_verdict v;
	struct vfiox_iomem m;

	parse(text, &m);
	vfiox__iomem_classify(&m, 0x47fff000, 0x48000fff, &v);
	assert_entry(v.ram, 0x48000000, 0x4fffffff, 1, "System RAM");
	assert_entry(v.top, 0x40000000, 0x4fffffff, 0, "Soft Reserved");
	/* Only the exact name counts: "System RAM (kmem)" is another resource. */
	vfiox__iomem_classify(&m, 0x40000000, 0x40000fff, &v);
	assert_null(v.ram);
	vfiox__iomem_release(&m);
	/* A nested line outside its parent (not the kernel's, but possible text) is no top. */
	parse("00000000-0009ffff : System RAM\n  00a00000-00afffff : orphan\n", &m);
	vfiox__iomem_classify(&m, 0x00a00000, 0x00a00fff, &v);
	assert_null(v.ram);
	assert_null(v.top);
	vfiox__iomem_release(&m);
}

static void coffee_lake_stolen_memory_is_reserved_and_named(void **state)
{
	const struct vfiox_iomem_entry *e;
	struct vfiox_iomem_verdict v;
	struct vfiox_iomem m;

	parse(cfl, &m);
	assert_int_equal(m.n, 20);
	vfiox__iomem_classify(&m, 0x8b800000, 0x8f7fffff, &v);
	assert_null(v.ram);
	assert_entry(v.top, 0x8a000000, 0x8f7fffff, 0, "Reserved");
	e = vfiox__iomem_find(&m, "Graphics Stolen Memory", 0x8b800000, 0x8f7fffff, 1, NULL);
	assert_entry(e, 0x8b800000, 0x8f7fffff, 1, "Graphics Stolen Memory");
	assert_null(vfiox__iomem_find(&m, "Graphics Stolen Memory", 0x8b800000, 0x8f7fffff, 1, e));
	/* The GTT stolen memory below it lies in the same reserved range, not named. */
	assert_null(vfiox__iomem_find(&m, "Graphics Stolen Memory", 0x8b000000, 0x8b7fffff, 0,
				      NULL));
	/* Too deep a minimum depth finds nothing. */
	assert_null(vfiox__iomem_find(&m, "Graphics Stolen Memory", 0x8b800000, 0x8f7fffff, 2,
				      NULL));
	/* 64-bit lines: RAM above 4 GiB. */
	vfiox__iomem_classify(&m, 0x200000000ull, 0x200000fffull, &v);
	assert_entry(v.ram, 0x100000000ull, 0x46e7fffffull, 0, "System RAM");
	vfiox__iomem_release(&m);
}

static void find_walks_every_match_in_order(void **state)
{
	const struct vfiox_iomem_entry *e;
	struct vfiox_iomem m;
	int n = 0;

	parse(cfl, &m);
	for (e = NULL; (e = vfiox__iomem_find(&m, "Reserved", 0, UINT64_MAX, 0, e)); n++)
		assert_string_equal(e->name, "Reserved");
	assert_int_equal(n, 4);
	e = vfiox__iomem_find(&m, "System RAM", 0x88000000, 0x8a0fffff, 0, NULL);
	assert_entry(e, 0x00100000, 0x88a0efff, 0, "System RAM");
	e = vfiox__iomem_find(&m, "System RAM", 0x88000000, 0x8a0fffff, 0, e);
	assert_entry(e, 0x89fff000, 0x89ffffff, 0, "System RAM");
	assert_null(vfiox__iomem_find(&m, "System RAM", 0x88000000, 0x8a0fffff, 0, e));
	vfiox__iomem_release(&m);
}

static void non_root_view_is_hidden(void **state)
{
	struct vfiox_iomem m;

	parse(hidden, &m);
	assert_int_equal(m.n, 4);
	assert_true(m.hidden);
	vfiox__iomem_release(&m);
	/* One real address among zeros: not hidden (the root of a zero-based entry). */
	parse("00000000-00000000 : Reserved\n00001000-0009ffff : System RAM\n", &m);
	assert_false(m.hidden);
	vfiox__iomem_release(&m);
	/* Nothing at all is not "hidden" either. */
	parse("", &m);
	assert_int_equal(m.n, 0);
	assert_false(m.hidden);
	vfiox__iomem_release(&m);
}

static void garbage_lines_are_skipped(void **state)
{
	static const char text[] =
		"garbage\n"
		"\n"
		"00001000-0009ffff : System RAM\n"
		" 00100000-001fffff : odd indentation\n"
		"\t00100000-001fffff : a tab\n"
		"00200000-002fffff: no space before the colon\n"
		"00300000-003fffff :no space after\n"
		"00400000 : no end\n"
		"-004fffff : no start\n"
		"00500000-0050ffffg : not hex\n"
		"00600000-005fffff : end below start\n"
		"12345678901234567-12345678901234568 : seventeen digits\n"
		"ffffffffffffffff-ffffffffffffffff : sixteen digits\n"
		"00700000-007fffff : \n"
		"00800000-008fffff : name : with colons\r\n"
		"  00900000-009fffff : the last line, no newline";
	struct vfiox_iomem m;

	parse(text, &m);
	assert_int_equal(m.n, 5);
	assert_entry(&m.v[0], 0x1000, 0x9ffff, 0, "System RAM");
	assert_entry(&m.v[1], UINT64_MAX, UINT64_MAX, 0, "sixteen digits");
	assert_entry(&m.v[2], 0x700000, 0x7fffff, 0, "");
	assert_entry(&m.v[3], 0x800000, 0x8fffff, 0, "name : with colons\r");
	assert_entry(&m.v[4], 0x900000, 0x9fffff, 1, "the last line, no newline");
	vfiox__iomem_release(&m);
}

static void text_need_not_be_terminated(void **state)
{
	static const char text[] = "00001000-0009ffff : System RAM\n00100000-001fffff : Reserved";
	struct vfiox_iomem m;
	char *copy = malloc(sizeof(text) - 1);

	assert_non_null(copy);
	memcpy(copy, text, sizeof(text) - 1);
	/* Cut inside the second line's name: the name ends at the cut. */
	assert_int_equal(vfiox__iomem_parse(copy, sizeof(text) - 5, &m), 0);
	free(copy);
	assert_int_equal(m.n, 2);
	assert_entry(&m.v[1], 0x100000, 0x1fffff, 0, "Rese");
	vfiox__iomem_release(&m);
	/* Cut inside the second line's end address: only the first line. */
	assert_int_equal(vfiox__iomem_parse(text, 40, &m), 0);
	assert_int_equal(m.n, 1);
	vfiox__iomem_release(&m);
}

/* ------------------------------------------------------------------ the reader */

static struct env *proc_env(const char *iomem)
{
	struct env *e = env_empty(0);
	char root[4096];

	env_ctx(e);
	if (iomem)
		env_put(e, "_proc/iomem", iomem);
	else
		env_put(e, "_proc/version", "Linux\n");
	snprintf(root, sizeof(root), "%s/_proc", fx_root(e->fx));
	assert_int_equal(vfiox_ctx_set_proc_root(e->ctx, root), 0);
	return e;
}

static void read_gives_the_entries(void **state)
{
	struct env *e = proc_env(cfl);
	struct vfiox_iomem m;

	assert_int_equal(vfiox__iomem_read(e->ctx, &m), 0);
	assert_int_equal(m.n, 20);
	assert_entry(&m.v[10], 0x8b800000, 0x8f7fffff, 1, "Graphics Stolen Memory");
	vfiox__iomem_release(&m);
	env_free(e);
}

static void read_of_hidden_addresses_says_root_is_needed(void **state)
{
	struct env *e = proc_env(hidden);
	struct vfiox_iomem m;

	assert_int_equal(vfiox__iomem_read(e->ctx, &m), -EACCES);
	assert_null(m.v);
	env_assert_error(e, "iomem", "every address as 0", "root");
	env_free(e);
}

static void read_without_iomem_or_lines_fails(void **state)
{
	struct env *e = proc_env(NULL);
	struct vfiox_iomem m;

	assert_int_equal(vfiox__iomem_read(e->ctx, &m), -ENOENT);
	env_assert_error(e, "iomem", "cannot open", NULL);
	env_put(e, "_proc/iomem", "nothing here\n");
	assert_int_equal(vfiox__iomem_read(e->ctx, &m), -EPROTO);
	assert_null(m.v);
	env_assert_error(e, "iomem", "no line", NULL);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		env_test(q35_guest_parses_every_line_with_its_depth),
		env_test(reserved_at_boot_is_not_ram),
		env_test(ram_at_depth_zero_is_found),
		env_test(nested_ram_is_found),
		env_test(coffee_lake_stolen_memory_is_reserved_and_named),
		env_test(find_walks_every_match_in_order),
		env_test(non_root_view_is_hidden),
		env_test(garbage_lines_are_skipped),
		env_test(text_need_not_be_terminated),
		env_test(read_gives_the_entries),
		env_test(read_of_hidden_addresses_says_root_is_needed),
		env_test(read_without_iomem_or_lines_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
