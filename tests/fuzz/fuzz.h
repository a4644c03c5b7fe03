/* SPDX-License-Identifier: GPL-2.0 */
/* What every fuzz target shares: the kernel shim and its own assertion. */
#ifndef XENACCEL_FUZZ_H
#define XENACCEL_FUZZ_H

#include "shim.h"

/* A property the data path relies on; a violation is a finding. */
#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "violated: %s\n", #cond);	\
			abort();					\
		}							\
	} while (0)

#endif /* XENACCEL_FUZZ_H */
