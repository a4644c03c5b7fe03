// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel self-tests, built only with XENACCEL_DEBUG=1: Debian's kernels
 * have no KUnit, so a debug build runs the same cases as the user-space unit
 * tests at load time, against the real kernel primitives, and refuses to
 * load if one fails.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/printk.h>
#include <linux/string.h>

#include <xenaccel/gcache.h>
#include <xenaccel/ring.h>
#include "core.h"

#define XA_EXPECT(cond)							\
	do {								\
		if (!(cond)) {						\
			pr_err("self-test %s failed: %s (line %d)\n",	\
			       __func__, #cond, __LINE__);		\
			goto out;					\
		}							\
	} while (0)

#include "selftest/selftest.h"
#include "selftest/gcache.c"
#include "selftest/ring.c"

static void xa_run(const struct xa_selftest *tests, size_t nr,
		   unsigned int *passed, unsigned int *failed)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		if (tests[i].fn())
			(*passed)++;
		else
			(*failed)++;
	}
}

int xenaccel_selftest(void)
{
	unsigned int passed = 0, failed = 0;

	xa_run(xa_gcache_tests, ARRAY_SIZE(xa_gcache_tests), &passed, &failed);
	xa_run(xa_ring_tests, ARRAY_SIZE(xa_ring_tests), &passed, &failed);
	pr_info("self-tests: %u passed, %u failed\n", passed, failed);
	return failed ? -EINVAL : 0;
}
