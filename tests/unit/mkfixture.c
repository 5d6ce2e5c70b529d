// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mkfixture - write a named fake-sysfs scenario (see fixture.h) into a directory.
 *
 *   mkfixture SCENARIO DIR     DIR is created if missing and left on disk
 *   mkfixture --list           print the scenario names
 *
 * Exit: 0 done, 1 failure, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"

static int usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: mkfixture SCENARIO DIR | --list\nscenarios:");
	for (i = 0; fx_scenario_names[i]; i++)
		fprintf(f, " %s", fx_scenario_names[i]);
	fprintf(f, "\n");
	return f == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	struct fx *fx;
	size_t i;
	int ret;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (i = 0; fx_scenario_names[i]; i++)
			printf("%s\n", fx_scenario_names[i]);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return usage(stdout);
	if (argc != 3)
		return usage(stderr);
	ret = fx_scenario(&fx, argv[1], argv[2]);
	if (ret == -EINVAL) {
		fprintf(stderr, "mkfixture: unknown scenario '%s'\n", argv[1]);
		return usage(stderr);
	}
	if (ret) {
		fprintf(stderr, "mkfixture: cannot build %s in %s: %s\n", argv[1], argv[2],
			strerror(-ret));
		return 1;
	}
	printf("%s\n", fx_root(fx));
	fx_free(fx);
	return 0;
}
