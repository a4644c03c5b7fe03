/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Self-test cases shared by debug module builds and the user-space unit
 * tests (tests/unit/main.c): each module's debug build runs its cases at
 * load with xenaccel_selftest_run(), and refuses to load if one fails. The
 * file that includes the cases defines
 * XA_EXPECT(cond): report and jump to the test's "out" label when @cond is
 * false, so the test can clean up and return false.
 */
#ifndef XENACCEL_SELFTEST_H
#define XENACCEL_SELFTEST_H

struct xa_selftest {
	const char *name;
	bool (*fn)(void);
};

int xenaccel_selftest_run(const char *suite, const struct xa_selftest *tests,
			  size_t nr);

#ifdef __KERNEL__
/* In a debug module: the failed check goes to the kernel log. */
#define XA_EXPECT(cond)							\
	do {								\
		if (!(cond)) {						\
			pr_err("self-test %s failed: %s (line %d)\n",	\
			       __func__, #cond, __LINE__);		\
			goto out;					\
		}							\
	} while (0)
#endif

#endif /* XENACCEL_SELFTEST_H */
