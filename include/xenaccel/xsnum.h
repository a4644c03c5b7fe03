/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Numbers a frontend writes in xenstore (ring refs, event channels, queue
 * counts, ring orders): decimal digits and nothing else. The kernel's
 * scanf("%u") reads "12abc" as 12 and 2^32 + 12 as 12, and kstrtouint()
 * takes "+1" and a trailing newline; a value like that from a guest is a
 * mistake or an attack, and both backends refuse it the same way.
 */
#ifndef XENACCEL_XSNUM_H
#define XENACCEL_XSNUM_H

#include <linux/kernel.h>
#include <linux/types.h>

/* A decimal number at *@s, moving past it; false if there is none or it overflows. */
static inline bool xa_parse_decimal(const char **s, unsigned long *val)
{
	const char *p = *s;
	unsigned long v = 0;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned int d = *p - '0';

		if (v > (ULONG_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*s = p;
	*val = v;
	return true;
}

/**
 * xa_parse_u32 - parse a number a frontend wrote in xenstore
 * @s: the value: decimal digits and nothing else
 * @val: out, unless @s is refused
 *
 * "", "-1", "+1", " 1", "0x10", "12abc" and anything above 2^32 - 1 are
 * refused.
 *
 * Return: true if @s is such a number.
 */
static inline bool xa_parse_u32(const char *s, u32 *val)
{
	unsigned long v;

	if (!xa_parse_decimal(&s, &v) || *s || v != (u32)v)
		return false;
	*val = v;
	return true;
}

#endif /* XENACCEL_XSNUM_H */
