// SPDX-License-Identifier: GPL-2.0
/*
 * Debug builds only (XENACCEL_DEBUG=1): the request parsing cases, run at
 * load against the kernel's own headers; a failure refuses the load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/string.h>

#include <xenaccel/selftest.h>
#include "abi.h"
#include "common.h"

#include "selftest/parse.c"

int xa_blkif_selftest(void)
{
	return xenaccel_selftest_run("blkif parse", xa_blkif_parse_tests,
				     ARRAY_SIZE(xa_blkif_parse_tests));
}
