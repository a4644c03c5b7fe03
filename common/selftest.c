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
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/string.h>

#include <xenaccel/gcache.h>
#include <xenaccel/ring.h>
#include "core.h"

#include <xenaccel/selftest.h>
#include "selftest/gcache.c"
#include "selftest/ring.c"

/**
 * xenaccel_selftest_run - run a module's self-tests
 * @suite: its name, for the log
 * @tests: the cases
 * @nr: how many
 *
 * Return: 0, or -EINVAL if any failed (each failure is logged).
 */
int xenaccel_selftest_run(const char *suite, const struct xa_selftest *tests,
			  size_t nr)
{
	unsigned int passed = 0, failed = 0;
	size_t i;

	for (i = 0; i < nr; i++) {
		if (tests[i].fn())
			passed++;
		else
			failed++;
	}
	pr_info("%s self-tests: %u passed, %u failed\n", suite, passed, failed);
	return failed ? -EINVAL : 0;
}
EXPORT_SYMBOL_GPL(xenaccel_selftest_run);

int xenaccel_selftest(void)
{
	return xenaccel_selftest_run("gcache", xa_gcache_tests,
				     ARRAY_SIZE(xa_gcache_tests)) ?:
	       xenaccel_selftest_run("ring", xa_ring_tests,
				     ARRAY_SIZE(xa_ring_tests));
}
