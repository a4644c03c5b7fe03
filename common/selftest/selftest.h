/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Self-test cases shared by debug module builds (common/selftest.c) and the
 * user-space unit tests (tests/unit/main.c). The includer defines
 * XA_EXPECT(cond): report and jump to the test's "out" label when @cond is
 * false, so the test can clean up and return false.
 */
#ifndef XENACCEL_SELFTEST_H
#define XENACCEL_SELFTEST_H

struct xa_selftest {
	const char *name;
	bool (*fn)(void);
};

#endif /* XENACCEL_SELFTEST_H */
