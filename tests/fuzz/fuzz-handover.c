// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer: the hand-over message and LISTEN_FDNAMES decoders (libvfiox/handover-msg.c),
 * which read what another process sent. A message that decodes must satisfy the rules and
 * encode back to the very bytes it came as (the format has one spelling of everything);
 * names that decode must name each fd back the same way.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handover-msg.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void names_roundtrip(const uint8_t *data, size_t size)
{
	static struct vfiox_ho_desc d;
	char out[VFIOX_HANDOVER_MAX_FDS * VFIOX_HO_NAME_LEN], why[200];
	size_t nfds, i, at = 0;

	if (!size)
		return;
	nfds = data[0] % (VFIOX_HANDOVER_MAX_FDS + 2);
	if (vfiox__ho_decode_fdnames((const char *)data + 1, size - 1, nfds, &d, why,
				     sizeof(why)))
		return;
	if (d.num != nfds || vfiox__ho_check(&d, true, why, sizeof(why)))
		abort();
	for (i = 0; i < d.num; i++) {
		int n = vfiox__ho_fdname(&d.e[i], out + at, sizeof(out) - at);

		if (n < 0)
			abort();
		at += (size_t)n;
		if (i + 1 < d.num)
			out[at++] = ':';
	}
	if (at != size - 1 || memcmp(out, data + 1, at))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vfiox_ho_desc d, again;
	char out[VFIOX_HANDOVER_MAX_MSG + 1], why[200];
	int n;

	if (size && data[0] == 'N') {
		names_roundtrip(data + 1, size - 1);
		return 0;
	}
	if (vfiox__ho_decode((const char *)data, size, &d, why, sizeof(why)))
		return 0;
	if (!d.refused && vfiox__ho_check(&d, false, why, sizeof(why)))
		abort();
	n = vfiox__ho_encode(&d, out, sizeof(out), why, sizeof(why));
	if (n < 0 || (size_t)n != size || memcmp(out, data, size))
		abort();
	if (vfiox__ho_decode(out, (size_t)n, &again, why, sizeof(why)) ||
	    memcmp(&d, &again, sizeof(d)))
		abort();
	return 0;
}
