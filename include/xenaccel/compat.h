/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels xenaccel builds on, in one place.
 *
 * Force-included into every file by Kbuild, so the drivers read like
 * upstream code. It comes before every other header, so it includes none:
 * macros and declarations only, with the code in common/compat.c.
 *
 * The XENACCEL_HAVE_* macros come from header probes in the top-level
 * Kbuild, never from version numbers: Debian's stable kernels carry
 * backports.
 */
#ifndef XENACCEL_COMPAT_H
#define XENACCEL_COMPAT_H

#ifndef __ASSEMBLY__

/*
 * xenbus_driver.remove returns void since 6.4 (and in Debian's 6.1 by
 * backport). Drivers write a void remove, declare the int wrapper older
 * kernels want with XENACCEL_DEFINE_XENBUS_REMOVE(fn), and set
 * .remove = XENACCEL_XENBUS_REMOVE(fn).
 */
#ifdef XENACCEL_HAVE_XENBUS_REMOVE_VOID
#define XENACCEL_DEFINE_XENBUS_REMOVE(fn)
#define XENACCEL_XENBUS_REMOVE(fn) fn
#else
#define XENACCEL_DEFINE_XENBUS_REMOVE(fn)				\
static int fn##_int(struct xenbus_device *dev)				\
{									\
	fn(dev);							\
	return 0;							\
}

#define XENACCEL_XENBUS_REMOVE(fn) fn##_int
#endif

struct shrinker;
struct shrink_control;

/*
 * Shrinkers: allocated with shrinker_alloc() since 6.7, embedded and named
 * since 6.0, embedded and anonymous before. Implemented in common/compat.c:
 * this header is force-included before anything else, so it declares only.
 */
struct shrinker *
xenaccel_shrinker_create(unsigned long (*count)(struct shrinker *,
						struct shrink_control *),
			 unsigned long (*scan)(struct shrinker *,
					       struct shrink_control *),
			 const char *name);
void xenaccel_shrinker_destroy(struct shrinker *shrinker);

#endif /* __ASSEMBLY__ */
#endif /* XENACCEL_COMPAT_H */
