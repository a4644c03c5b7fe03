// SPDX-License-Identifier: GPL-2.0
/*
 * User-space unit tests of xenaccel's core logic: the cases in
 * common/selftest/ (also run in-kernel by debug builds) against the shim.
 * Prints one line per failure and ends with "N passed, N failed".
 */
#include "shim.h"

#include <xenaccel/gcache.h>
#include <xenaccel/ring.h>
#include "../../blkback/abi.h"
#include "../../netback/proto.h"

unsigned long jiffies = (unsigned long)-3000;	/* wraps during the run */
unsigned int shim_warnings;

#define XA_EXPECT(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("FAIL %s: %s (%s:%d)\n", __func__, #cond, \
			       __FILE__, __LINE__);			\
			goto out;					\
		}							\
	} while (0)

#include <xenaccel/selftest.h>
#include <xenaccel/xsnum.h>
#include "../../common/selftest/gcache.c"
#include "../../common/selftest/ring.c"
#include "../../blkback/selftest/parse.c"
#include "../../netback/selftest/parse.c"

static void run(const struct xa_selftest *tests, size_t nr,
		unsigned int *passed, unsigned int *failed)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		unsigned int warnings = shim_warnings;
		/* An unexpected WARN fails the test that triggered it. */
		bool ok = tests[i].fn() && shim_warnings == warnings;

		printf("%s %s\n", ok ? "ok  " : "FAIL", tests[i].name);
		if (ok)
			(*passed)++;
		else
			(*failed)++;
		jiffies += 1000;
	}
}

int main(void)
{
	unsigned int passed = 0, failed = 0;

	run(xa_gcache_tests, ARRAY_SIZE(xa_gcache_tests), &passed, &failed);
	run(xa_ring_tests, ARRAY_SIZE(xa_ring_tests), &passed, &failed);
	run(xa_blkif_parse_tests, ARRAY_SIZE(xa_blkif_parse_tests), &passed, &failed);
	run(xa_netif_tests, ARRAY_SIZE(xa_netif_tests), &passed, &failed);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
