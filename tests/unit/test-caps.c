// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Capability decoding from the config file of fake devices: the lists, MSI, MSI-X,
 * PCI Express, ACS and SR-IOV, and the walker's defences against malformed chains
 * (notes/SPEC.md, "Capabilities"). A hang counts as a failure: main() arms alarm().
 *
 * Build: the common unit-test line.
 */
#include <unistd.h>

#include "testutil.h"

#define DEV "0000:04:00.0"

/* Every capability the fixture can build, in a 4 KiB config space. */
static const struct fx_dev full_dev = {
	.addr = DEV, .vendor = 0x15b3, .device = 0x1017, .subsys_vendor = 0x15b3,
	.subsys_device = 0x0007, .class_code = 0x020000, .driver = "mlx5_core", .group = 4,
	.numa = -1,
	.caps = { .pcie = true, .pcie_port_type = 0, .pcie_flr = true, .pcie_link_speed = 3,
		  .pcie_link_width = 8,
		  .msi = true, .msi_vectors = 8, .msi_64bit = true, .msi_enabled = true,
		  .msix = true, .msix_table_size = 2048, .msix_table_bir = 2,
		  .msix_table_offset = 0x10000, .msix_pba_bir = 4, .msix_pba_offset = 0x18000,
		  .msix_masked = true,
		  .acs = true, .acs_cap = 0x007f, .acs_ctrl = 0x0015,
		  .sriov = true, .sriov_total_vfs = 64, .sriov_initial_vfs = 16,
		  .sriov_offset = 0x100, .sriov_stride = 2, .sriov_vf_device = 0x1018 },
};

struct want_cap {
	uint16_t id, offset;
	bool extended;
};

static const struct want_cap full_caps[] = {
	{ 0x10, 0x40, false }, { 0x05, 0x80, false }, { 0x11, 0xa0, false },
	{ 0x0d, 0x100, true }, { 0x10, 0x140, true },
};

/* A fixture with the full device, not yet scanned, so its config can be damaged first. */
static struct env *full_env(void)
{
	struct env *e = env_empty(0);

	FX(e, fx_add_dev(e->fx, &full_dev));
	return e;
}

static void poke8(struct env *e, unsigned off, uint8_t v)
{
	FX(e, fx_write_config(e->fx, DEV, off, &v, 1));
}

static void poke32(struct env *e, unsigned off, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	FX(e, fx_write_config(e->fx, DEV, off, b, 4));
}

/* Extended capability header: id, version 1, next. */
static uint32_t ehdr(uint16_t id, unsigned next)
{
	return id | (1u << 16) | ((uint32_t)next << 20);
}

static void assert_caps_of(struct env *e, const char *addr, const struct want_cap *want, size_t n)
{
	const struct vfiox_pci_cap *caps = NULL;
	size_t count = 0, i;
	int ret = vfiox_pci_dev_caps(env_dev(e, addr), &caps, &count);

	if (ret)
		fail_msg("vfiox_pci_dev_caps(%s) = %d: %s", addr, ret, vfiox_ctx_last_error(e->ctx));
	for (i = 0; i < count; i++) {
		char got[64];

		snprintf(got, sizeof(got), "{%#x @%#x %s}", caps[i].id, caps[i].offset,
			 caps[i].extended ? "ext" : "std");
		if (i >= n)
			fail_msg("%s: unexpected capability #%zu %s (expected %zu)", addr, i, got, n);
		if (caps[i].id != want[i].id || caps[i].offset != want[i].offset ||
		    caps[i].extended != want[i].extended)
			fail_msg("%s: capability #%zu is %s, expected {%#x @%#x %s}", addr, i, got,
				 want[i].id, want[i].offset, want[i].extended ? "ext" : "std");
	}
	if (count != n)
		fail_msg("%s: %zu capabilities, expected %zu", addr, count, n);
}

#define assert_caps(e, want, n) assert_caps_of((e), DEV, (want), (n))

static void assert_cut_warned(struct env *e)
{
	if (!env_warned(e, DEV, NULL))
		fail_msg("a cut chain must log a warning naming %s; log:\n%s", DEV, e->log);
}

static void assert_no_warning(struct env *e)
{
	if (e->warnings)
		fail_msg("unexpected warnings:\n%s", e->log);
}

/* ---- decoding ---- */

static void test_full_device_lists_both_chains_in_order(void **state)
{
	struct env *e = full_env();

	(void)state;
	env_scan(e);
	assert_caps(e, full_caps, 5);
	assert_no_warning(e);
	env_free(e);
}

static void test_msix_fields_are_decoded(void **state)
{
	struct env *e = full_env();
	struct vfiox_msix_info m;

	(void)state;
	FX(e, fx_scn_base(e->fx));
	FX(e, fx_scn_sriov(e->fx));
	env_scan(e);
	memset(&m, 0xa5, sizeof(m));
	assert_int_equal(vfiox_pci_dev_msix(env_dev(e, DEV), &m), 0);
	assert_int_equal(m.table_size, 2048);
	assert_int_equal(m.table_bir, 2);
	assert_int_equal(m.table_offset, 0x10000);
	assert_int_equal(m.pba_bir, 4);
	assert_int_equal(m.pba_offset, 0x18000);
	assert_false(m.enabled);
	assert_true(m.masked);

	memset(&m, 0xa5, sizeof(m));
	assert_int_equal(vfiox_pci_dev_msix(env_dev(e, "0000:00:04.0"), &m), 0);
	assert_int_equal(m.table_size, 65);
	assert_int_equal(m.table_bir, 0);
	assert_int_equal(m.table_offset, 0x2000);
	assert_int_equal(m.pba_bir, 0);
	assert_int_equal(m.pba_offset, 0x3000);
	assert_false(m.enabled);
	assert_false(m.masked);

	memset(&m, 0xa5, sizeof(m));
	assert_int_equal(vfiox_pci_dev_msix(env_dev(e, "0000:03:00.0"), &m), 0);
	assert_int_equal(m.table_size, 10);
	assert_int_equal(m.table_bir, 3);
	assert_int_equal(m.table_offset, 0);
	assert_int_equal(m.pba_bir, 3);
	assert_int_equal(m.pba_offset, 0x2000);
	assert_true(m.enabled);
	assert_false(m.masked);
	env_free(e);
}

static void test_msi_fields_are_decoded(void **state)
{
	static const uint8_t counts[] = { 1, 2, 4, 8, 16, 32 };
	struct env *e = full_env();
	struct vfiox_msi_info m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(counts); i++) {
		char addr[16];
		struct fx_dev d = { .addr = addr, .vendor = 0x8086, .device = 0x10d3,
				    .class_code = 0x020000, .group = 10 + (int)i, .numa = -1,
				    .caps = { .msi = true, .msi_vectors = counts[i],
					      .msi_64bit = i % 2, .msi_per_vector_mask = i % 3 == 0,
					      .msi_enabled = i == 5 } };

		snprintf(addr, sizeof(addr), "0000:10:%02zx.0", i);
		FX(e, fx_add_dev(e->fx, &d));
	}
	env_scan(e);
	memset(&m, 0xa5, sizeof(m));
	assert_int_equal(vfiox_pci_dev_msi(env_dev(e, DEV), &m), 0);
	assert_int_equal(m.vectors, 8);
	assert_true(m.addr64);
	assert_false(m.per_vector_mask);
	assert_true(m.enabled);
	for (i = 0; i < sizeof(counts); i++) {
		char addr[16];

		snprintf(addr, sizeof(addr), "0000:10:%02zx.0", i);
		memset(&m, 0xa5, sizeof(m));
		assert_int_equal(vfiox_pci_dev_msi(env_dev(e, addr), &m), 0);
		assert_int_equal(m.vectors, counts[i]);
		assert_int_equal(m.addr64, i % 2);
		assert_int_equal(m.per_vector_mask, i % 3 == 0);
		assert_int_equal(m.enabled, i == 5);
	}
	env_free(e);
}

static void test_pcie_fields_are_decoded(void **state)
{
	struct env *e = full_env();
	struct vfiox_pcie_info p;

	(void)state;
	FX(e, fx_scn_nonviable(e->fx));
	env_scan(e);
	memset(&p, 0xa5, sizeof(p));
	assert_int_equal(vfiox_pci_dev_pcie(env_dev(e, DEV), &p), 0);
	assert_int_equal(p.port_type, 0);
	assert_true(p.flr);
	assert_int_equal(p.link_speed, 3);
	assert_int_equal(p.link_width, 8);

	memset(&p, 0xa5, sizeof(p));
	assert_int_equal(vfiox_pci_dev_pcie(env_dev(e, "0000:00:1c.0"), &p), 0);
	assert_int_equal(p.port_type, 4); /* root port */
	assert_false(p.flr);
	assert_int_equal(p.link_speed, 1);
	assert_int_equal(p.link_width, 1);

	memset(&p, 0xa5, sizeof(p));
	assert_int_equal(vfiox_pci_dev_pcie(env_dev(e, "0000:02:00.0"), &p), 0);
	assert_int_equal(p.port_type, 0);
	assert_false(p.flr);
	assert_int_equal(p.link_speed, 3);
	assert_int_equal(p.link_width, 16);

	/* conventional PCI */
	assert_int_equal(vfiox_pci_dev_pcie(env_dev(e, "0000:00:1f.2"), &p), -ENOENT);
	env_free(e);
}

static void test_acs_and_sriov_registers_are_decoded(void **state)
{
	struct env *e = full_env();
	struct vfiox_acs_info a;
	struct vfiox_sriov_info s;

	(void)state;
	FX(e, fx_scn_sriov(e->fx));
	env_scan(e);
	memset(&a, 0xa5, sizeof(a));
	assert_int_equal(vfiox_pci_dev_acs(env_dev(e, DEV), &a), 0);
	assert_int_equal(a.cap, 0x007f);
	assert_int_equal(a.ctrl, 0x0015);
	memset(&s, 0xa5, sizeof(s));
	assert_int_equal(vfiox_pci_dev_sriov(env_dev(e, DEV), &s), 0);
	assert_int_equal(s.total_vfs, 64);
	assert_int_equal(s.initial_vfs, 16);
	assert_int_equal(s.num_vfs, 0);
	assert_int_equal(s.vf_offset, 0x100);
	assert_int_equal(s.vf_stride, 2);
	assert_int_equal(s.vf_device_id, 0x1018);

	/* root port with ACS only */
	memset(&a, 0xa5, sizeof(a));
	assert_int_equal(vfiox_pci_dev_acs(env_dev(e, "0000:00:02.0"), &a), 0);
	assert_int_equal(a.cap, 0x005f);
	assert_int_equal(a.ctrl, 0x001d);
	assert_int_equal(vfiox_pci_dev_sriov(env_dev(e, "0000:00:02.0"), &s), -ENOENT);

	/* PF with SR-IOV only (at 0x100) and 4 VFs enabled */
	{
		static const struct want_cap pf[] = {
			{ 0x10, 0x40, false }, { 0x05, 0x80, false }, { 0x11, 0xa0, false },
			{ 0x10, 0x100, true },
		};

		assert_caps_of(e, "0000:03:00.0", pf, 4);
	}
	memset(&s, 0xa5, sizeof(s));
	assert_int_equal(vfiox_pci_dev_sriov(env_dev(e, "0000:03:00.0"), &s), 0);
	assert_int_equal(s.total_vfs, 7);
	assert_int_equal(s.initial_vfs, 7);
	assert_int_equal(s.num_vfs, 4);
	assert_int_equal(s.vf_offset, 0x80);
	assert_int_equal(s.vf_stride, 4);
	assert_int_equal(s.vf_device_id, 0x1520);
	assert_int_equal(vfiox_pci_dev_acs(env_dev(e, "0000:03:00.0"), &a), -ENOENT);
	env_free(e);
}

static void test_device_without_capabilities(void **state)
{
	struct env *e = env_scenario("base");
	struct vfiox_pci_dev *d;
	const struct vfiox_pci_cap *caps = NULL;
	size_t count = 99;
	struct vfiox_msi_info msi;
	struct vfiox_msix_info msix;
	struct vfiox_pcie_info pcie;
	struct vfiox_acs_info acs;
	struct vfiox_sriov_info sriov;

	(void)state;
	env_scan(e);
	d = env_dev(e, "0000:00:00.0");
	assert_int_equal(vfiox_pci_dev_caps(d, &caps, &count), 0);
	assert_int_equal(count, 0);
	assert_int_equal(vfiox_pci_dev_msi(d, &msi), -ENOENT);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "0000:00:00.0"));
	assert_int_equal(vfiox_pci_dev_msix(d, &msix), -ENOENT);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "0000:00:00.0"));
	assert_int_equal(vfiox_pci_dev_pcie(d, &pcie), -ENOENT);
	assert_int_equal(vfiox_pci_dev_acs(d, &acs), -ENOENT);
	assert_int_equal(vfiox_pci_dev_sriov(d, &sriov), -ENOENT);
	env_free(e);
}

static void test_extended_caps_need_4k_of_config(void **state)
{
	static const struct want_cap std[] = { { 0x10, 0x40, false }, { 0x05, 0x80, false },
					       { 0x11, 0xa0, false } };
	struct env *e = env_empty(0);
	struct fx_dev d = full_dev;
	struct vfiox_acs_info a;
	struct vfiox_sriov_info s;

	(void)state;
	d.caps.config_size = 256; /* what a conventional device or a 256-byte read gives */
	FX(e, fx_add_dev(e->fx, &d));
	env_scan(e);
	assert_caps(e, std, 3);
	assert_int_equal(vfiox_pci_dev_acs(env_dev(e, DEV), &a), -ENOENT);
	assert_int_equal(vfiox_pci_dev_sriov(env_dev(e, DEV), &s), -ENOENT);
	assert_no_warning(e);
	env_free(e);
}

static void test_header_only_config_is_eacces(void **state)
{
	struct env *e = full_env();
	const struct vfiox_pci_cap *caps;
	size_t count;
	struct vfiox_msix_info m;

	(void)state;
	FX(e, fx_truncate_config(e->fx, DEV, 64)); /* what non-root reads on a real host */
	env_scan(e);
	assert_int_equal(vfiox_pci_dev_caps(env_dev(e, DEV), &caps, &count), -EACCES);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), DEV));
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "root"));
	assert_int_equal(vfiox_pci_dev_msix(env_dev(e, DEV), &m), -EACCES);
	/* identity does not need config space */
	assert_int_equal(vfiox_pci_dev_vendor_id(env_dev(e, DEV)), 0x15b3);
	env_free(e);
}

static void test_missing_config_is_eio(void **state)
{
	struct env *e = full_env();
	const struct vfiox_pci_cap *caps;
	size_t count;

	(void)state;
	FX(e, fx_remove_attr(e->fx, DEV, "config"));
	env_scan(e);
	assert_int_equal(vfiox_pci_dev_caps(env_dev(e, DEV), &caps, &count), -EIO);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), DEV));
	env_free(e);
}

static void test_capability_names(void **state)
{
	static const struct {
		struct vfiox_pci_cap cap;
		const char *name;
	} cases[] = {
		{ { 0x05, 0x80, false }, "MSI" },
		{ { 0x11, 0xa0, false }, "MSI-X" },
		{ { 0x10, 0x40, false }, "Express" },
		{ { 0x0d, 0x100, true }, "ACS" },
		{ { 0x10, 0x140, true }, "SR-IOV" }, /* same id as Express, other list */
		{ { 0xee, 0x40, false }, "unknown" },
		{ { 0xee, 0x100, true }, "unknown" },
		{ { 0xffff, 0x100, true }, "unknown" },
		{ { 0x00, 0x40, false }, "unknown" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = vfiox_pci_cap_name(&cases[i].cap);

		assert_non_null(got);
		if (strcmp(got, cases[i].name))
			fail_msg("name of {%#x %s} is \"%s\", expected \"%s\"", cases[i].cap.id,
				 cases[i].cap.extended ? "ext" : "std", got, cases[i].name);
	}
}

/* ---- malformed chains ---- */

static void test_std_pointer_to_itself_is_cut(void **state)
{
	static const struct want_cap want[] = {
		{ 0x10, 0x40, false }, { 0x05, 0x80, false },
		{ 0x0d, 0x100, true }, { 0x10, 0x140, true },
	};
	struct env *e = full_env();

	(void)state;
	poke8(e, 0x81, 0x80); /* MSI -> MSI */
	env_scan(e);
	assert_caps(e, want, 4);
	assert_cut_warned(e);
	env_free(e);
}

static void test_std_pointer_back_into_the_chain_is_cut(void **state)
{
	static const struct want_cap want[] = {
		{ 0x10, 0x40, false }, { 0x05, 0x80, false }, { 0x11, 0xa0, false },
		{ 0x0d, 0x100, true }, { 0x10, 0x140, true },
	};
	struct env *e = full_env();
	struct vfiox_msix_info m;

	(void)state;
	poke8(e, 0xa1, 0x40); /* MSI-X -> PCIe: a loop over three entries */
	env_scan(e);
	assert_caps(e, want, 5);
	assert_cut_warned(e);
	/* what was kept still decodes */
	assert_int_equal(vfiox_pci_dev_msix(env_dev(e, DEV), &m), 0);
	assert_int_equal(m.table_size, 2048);
	env_free(e);
}

static void test_std_pointer_into_the_header_is_cut(void **state)
{
	static const struct want_cap want[] = {
		{ 0x10, 0x40, false }, { 0x0d, 0x100, true }, { 0x10, 0x140, true },
	};
	static const struct want_cap ext_only[] = {
		{ 0x0d, 0x100, true }, { 0x10, 0x140, true },
	};
	struct env *e = full_env();
	struct env *e2 = full_env();
	struct vfiox_msi_info msi;

	(void)state;
	poke8(e, 0x41, 0x3c); /* PCIe -> 0x3c, below 0x40 */
	env_scan(e);
	assert_caps(e, want, 3);
	assert_cut_warned(e);
	assert_int_equal(vfiox_pci_dev_msi(env_dev(e, DEV), &msi), -ENOENT);

	poke8(e2, 0x34, 0x20); /* first pointer already inside the header */
	env_scan(e2);
	assert_caps(e2, ext_only, 2);
	assert_cut_warned(e2);
	env_free(e);
	env_free(e2);
}

static void test_std_pointer_low_bits_are_masked(void **state)
{
	struct env *e = full_env();

	(void)state;
	poke8(e, 0x34, 0x43); /* 0x40 | 3 */
	poke8(e, 0x41, 0x82); /* 0x80 | 2 */
	poke8(e, 0x81, 0xa1); /* 0xa0 | 1 */
	env_scan(e);
	assert_caps(e, full_caps, 5);
	assert_no_warning(e);
	env_free(e);
}

static void test_std_list_ignored_without_the_status_bit(void **state)
{
	static const struct want_cap ext_only[] = {
		{ 0x0d, 0x100, true }, { 0x10, 0x140, true },
	};
	struct env *e = full_env();

	(void)state;
	poke8(e, 0x06, 0x00); /* status: no capability list, as the kernel checks */
	env_scan(e);
	assert_caps(e, ext_only, 2);
	env_free(e);
}

static void test_cap_body_past_config_space_is_eio(void **state)
{
	struct env *e = env_empty(0);
	struct fx_dev d = { .addr = DEV, .vendor = 0x8086, .device = 0x10d3,
			    .class_code = 0x020000, .group = 1, .numa = -1,
			    .caps = { .msi = true, .msi_vectors = 1 } };
	static const struct want_cap want[] = { { 0x05, 0x80, false }, { 0x11, 0xfc, false } };
	struct vfiox_msix_info m;
	struct vfiox_msi_info msi;

	(void)state;
	FX(e, fx_add_dev(e->fx, &d));
	/* MSI -> an MSI-X header at 0xfc of a 256-byte space: its body would end at 0x108 */
	poke8(e, 0x81, 0xfc);
	poke8(e, 0xfc, 0x11);
	poke8(e, 0xfd, 0x00);
	env_scan(e);
	assert_caps(e, want, 2);
	assert_int_equal(vfiox_pci_dev_msix(env_dev(e, DEV), &m), -EIO);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), DEV));
	assert_int_equal(vfiox_pci_dev_msi(env_dev(e, DEV), &msi), 0);
	env_free(e);
}

static void test_std_chain_of_48_is_walked_and_a_longer_loop_cut(void **state)
{
	struct env *e = env_empty(0);
	struct env *e2;
	struct fx_dev d = { .addr = DEV, .vendor = 0x8086, .device = 0x10d3,
			    .class_code = 0x020000, .group = 1, .numa = -1,
			    .caps = { .msi = true } };
	struct want_cap want[48];
	unsigned off;
	size_t i;

	(void)state;
	FX(e, fx_add_dev(e->fx, &d));
	/* vendor-specific caps at every dword from 0x40 to 0xfc: 48 distinct entries */
	for (off = 0x40, i = 0; off <= 0xfc; off += 4, i++) {
		poke8(e, off, 0x09);
		poke8(e, off + 1, off == 0xfc ? 0 : (uint8_t)(off + 4));
		want[i] = (struct want_cap){ 0x09, (uint16_t)off, false };
	}
	poke8(e, 0x34, 0x40);
	env_scan(e);
	assert_caps(e, want, 48);
	assert_no_warning(e);
	env_free(e);

	/* the same chain closed into a ring: 48 entries, then cut */
	e2 = env_empty(0);
	e = e2;
	FX(e, fx_add_dev(e->fx, &d));
	for (off = 0x40; off <= 0xfc; off += 4) {
		poke8(e, off, 0x09);
		poke8(e, off + 1, off == 0xfc ? 0x40 : (uint8_t)(off + 4));
	}
	poke8(e, 0x34, 0x40);
	env_scan(e);
	assert_caps(e, want, 48);
	assert_cut_warned(e);
	env_free(e);
}

static void test_ext_loop_is_cut(void **state)
{
	static const struct want_cap want[] = {
		{ 0x10, 0x40, false }, { 0x05, 0x80, false }, { 0x11, 0xa0, false },
		{ 0x0d, 0x100, true }, { 0x10, 0x140, true },
	};
	struct env *e = full_env();
	struct vfiox_sriov_info s;

	(void)state;
	poke32(e, 0x140, ehdr(0x10, 0x100)); /* SR-IOV -> ACS */
	env_scan(e);
	assert_caps(e, want, 5);
	assert_cut_warned(e);
	assert_int_equal(vfiox_pci_dev_sriov(env_dev(e, DEV), &s), 0);
	assert_int_equal(s.total_vfs, 64);
	env_free(e);
}

static void test_ext_pointer_to_itself_is_cut(void **state)
{
	static const struct want_cap want[] = {
		{ 0x10, 0x40, false }, { 0x05, 0x80, false }, { 0x11, 0xa0, false },
		{ 0x0d, 0x100, true },
	};
	struct env *e = full_env();

	(void)state;
	poke32(e, 0x100, ehdr(0x0d, 0x100));
	env_scan(e);
	assert_caps(e, want, 4);
	assert_cut_warned(e);
	env_free(e);
}

static void test_ext_pointer_below_0x100_is_cut(void **state)
{
	static const struct want_cap want[] = {
		{ 0x10, 0x40, false }, { 0x05, 0x80, false }, { 0x11, 0xa0, false },
		{ 0x0d, 0x100, true },
	};
	struct env *e = full_env();

	(void)state;
	poke32(e, 0x100, ehdr(0x0d, 0x0a0)); /* into the standard area */
	env_scan(e);
	assert_caps(e, want, 4);
	assert_cut_warned(e);
	env_free(e);
}

static void test_ext_pointer_low_bits_are_masked(void **state)
{
	struct env *e = full_env();

	(void)state;
	poke32(e, 0x100, ehdr(0x0d, 0x143)); /* 0x140 | 3 */
	env_scan(e);
	assert_caps(e, full_caps, 5);
	assert_no_warning(e);
	env_free(e);
}

static void test_ext_header_all_ones_or_zero_means_none(void **state)
{
	static const struct want_cap std[] = { { 0x10, 0x40, false }, { 0x05, 0x80, false },
					       { 0x11, 0xa0, false } };
	struct env *e = full_env();
	struct env *e2 = full_env();
	struct vfiox_acs_info a;

	(void)state;
	poke32(e, 0x100, 0xffffffff); /* what a device without extended space returns */
	env_scan(e);
	assert_caps(e, std, 3);
	assert_int_equal(vfiox_pci_dev_acs(env_dev(e, DEV), &a), -ENOENT);
	assert_no_warning(e);

	poke32(e2, 0x100, 0);
	env_scan(e2);
	assert_caps(e2, std, 3);
	assert_no_warning(e2);
	env_free(e);
	env_free(e2);
}

static void test_ext_chain_is_limited_to_480_entries(void **state)
{
	struct env *e = full_env();
	struct want_cap want[3 + 480];
	unsigned off;
	size_t i;

	(void)state;
	want[0] = full_caps[0];
	want[1] = full_caps[1];
	want[2] = full_caps[2];
	/* 960 distinct vendor-specific headers, 0x100 to 0xffc: no loop, just too many */
	for (off = 0x100, i = 3; off < 0x1000; off += 4) {
		poke32(e, off, ehdr(0x0b, off == 0xffc ? 0 : off + 4));
		if (i < 3 + 480)
			want[i++] = (struct want_cap){ 0x0b, (uint16_t)off, true };
	}
	env_scan(e);
	/* the kernel's bound for the extended list: (4096 - 256) / 8 entries */
	assert_caps(e, want, 3 + 480);
	assert_cut_warned(e);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		env_test(test_full_device_lists_both_chains_in_order),
		env_test(test_msix_fields_are_decoded),
		env_test(test_msi_fields_are_decoded),
		env_test(test_pcie_fields_are_decoded),
		env_test(test_acs_and_sriov_registers_are_decoded),
		env_test(test_device_without_capabilities),
		env_test(test_extended_caps_need_4k_of_config),
		env_test(test_header_only_config_is_eacces),
		env_test(test_missing_config_is_eio),
		env_test(test_capability_names),
		env_test(test_std_pointer_to_itself_is_cut),
		env_test(test_std_pointer_back_into_the_chain_is_cut),
		env_test(test_std_pointer_into_the_header_is_cut),
		env_test(test_std_pointer_low_bits_are_masked),
		env_test(test_std_list_ignored_without_the_status_bit),
		env_test(test_cap_body_past_config_space_is_eio),
		env_test(test_std_chain_of_48_is_walked_and_a_longer_loop_cut),
		env_test(test_ext_loop_is_cut),
		env_test(test_ext_pointer_to_itself_is_cut),
		env_test(test_ext_pointer_below_0x100_is_cut),
		env_test(test_ext_pointer_low_bits_are_masked),
		env_test(test_ext_header_all_ones_or_zero_means_none),
		env_test(test_ext_chain_is_limited_to_480_entries),
	};

	/* a walker that loops forever fails the run instead of hanging it (valgrind is slow) */
	alarm(120);
	return cmocka_run_group_tests_name("caps", tests, NULL, NULL);
}
