// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer: the /proc/PID/status reader of the DMA memory-lock preflight (kernel data). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	uint64_t locked = 1;
	bool cap = false;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (vfiox__parse_proc_status(text, &locked, &cap) == 0 && locked % 1024)
		abort(); /* kB times 1024, never a fraction */
	vfiox__parse_proc_status(text, NULL, &cap);
	vfiox__parse_proc_status(text, &locked, NULL);
	free(text);
	return 0;
}
