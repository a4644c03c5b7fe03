// SPDX-License-Identifier: GPL-2.0
/* The code behind include/xenaccel/compat.h. */
#include <linux/export.h>
#include <linux/slab.h>
#include <linux/shrinker.h>

struct shrinker *
xenaccel_shrinker_create(unsigned long (*count)(struct shrinker *,
						struct shrink_control *),
			 unsigned long (*scan)(struct shrinker *,
					       struct shrink_control *),
			 const char *name)
{
	struct shrinker *shrinker;

#ifdef XENACCEL_HAVE_SHRINKER_ALLOC
	shrinker = shrinker_alloc(0, "%s", name);
	if (!shrinker)
		return NULL;
	shrinker->count_objects = count;
	shrinker->scan_objects = scan;
	shrinker_register(shrinker);
#else
	shrinker = kzalloc(sizeof(*shrinker), GFP_KERNEL);
	if (!shrinker)
		return NULL;
	shrinker->count_objects = count;
	shrinker->scan_objects = scan;
	shrinker->seeks = DEFAULT_SEEKS;
#ifdef XENACCEL_HAVE_SHRINKER_NAME
	if (register_shrinker(shrinker, "%s", name)) {
#else
	if (register_shrinker(shrinker)) {
#endif
		kfree(shrinker);
		return NULL;
	}
#endif
	return shrinker;
}
EXPORT_SYMBOL_GPL(xenaccel_shrinker_create);

void xenaccel_shrinker_destroy(struct shrinker *shrinker)
{
#ifdef XENACCEL_HAVE_SHRINKER_ALLOC
	shrinker_free(shrinker);
#else
	unregister_shrinker(shrinker);
	kfree(shrinker);
#endif
}
EXPORT_SYMBOL_GPL(xenaccel_shrinker_destroy);
