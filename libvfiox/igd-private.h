/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private to libvfiox: the pieces of igd.c that igd-zero.c, the unit tests and the fuzzers use. */
#ifndef VFIOX_IGD_PRIVATE_H
#define VFIOX_IGD_PRIVATE_H

#include <stddef.h>

#include <vfiox/igd.h>

/* The lines of a group's reserved_regions, at most @max of them; pure. Return: 0. */
int vfiox__igd_parse_resv(const char *text, struct vfiox_igd_resv *v, size_t max, size_t *n);

/*
 * The worst finding of an inspection that decides whether the stolen memory may be
 * cleared (QEMU's needs and the OpRegion do not), with its id and summary.
 */
int vfiox__igd_worst(const struct vfiox_igd *igd, const char **idp, const char **summaryp);

#endif /* VFIOX_IGD_PRIVATE_H */
