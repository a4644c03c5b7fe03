// SPDX-License-Identifier: GPL-2.0
/*
 * Taking persistent grants back: the global budget, the idle purge and the
 * shrinker, over every registered grant cache.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/seq_file.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/shrinker.h>
#include <linux/workqueue.h>

#include <xenaccel/gcache.h>
#include "core.h"

/*
 * Every persistent grant keeps one dom0 page frame mapped to guest memory.
 * A larger budget lets more guests keep their whole working set mapped
 * (fewer map/unmap hypercalls); a smaller one bounds what guests can pin.
 */
static unsigned int gcache_budget_mb;
module_param(gcache_budget_mb, uint, 0444);
MODULE_PARM_DESC(gcache_budget_mb,
		 "Most memory mapped as persistent grants by all devices together, in MiB (0: 1/16 of dom0 RAM)");

/*
 * A mapping idle this long is unmapped. Short timeouts cost remaps when an
 * idle guest wakes up; long ones keep mappings of guests that left.
 */
static unsigned int gcache_idle_timeout_s = 60;
module_param(gcache_idle_timeout_s, uint, 0444);
MODULE_PARM_DESC(gcache_idle_timeout_s,
		 "Seconds a persistent grant may stay unused before it is unmapped (default 60)");

/* All caches reclaim may take from; the mutex also keeps them alive. */
static LIST_HEAD(xenaccel_gcache_registry);
static DEFINE_MUTEX(xenaccel_gcache_registry_lock);

static struct shrinker *xenaccel_gcache_shrinker;
static void xenaccel_gcache_purge_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(xenaccel_gcache_purge_work,
			    xenaccel_gcache_purge_fn);

/* Make @cache visible to reclaim. Its ->release() must be set. */
void xenaccel_gcache_register(struct xenaccel_gcache *cache)
{
	mutex_lock(&xenaccel_gcache_registry_lock);
	list_add_tail(&cache->registry, &xenaccel_gcache_registry);
	mutex_unlock(&xenaccel_gcache_registry_lock);
}
EXPORT_SYMBOL_GPL(xenaccel_gcache_register);

/* After this returns, reclaim no longer touches @cache. */
void xenaccel_gcache_unregister(struct xenaccel_gcache *cache)
{
	mutex_lock(&xenaccel_gcache_registry_lock);
	list_del_init(&cache->registry);
	mutex_unlock(&xenaccel_gcache_registry_lock);
}
EXPORT_SYMBOL_GPL(xenaccel_gcache_unregister);

/*
 * Evict and release up to @max idle entries idle since @idle_since or
 * earlier, taking from the caches in turn. Caller holds the registry lock.
 */
static unsigned long xenaccel_gcache_reclaim(unsigned long max,
					     unsigned long idle_since)
{
	struct xenaccel_gcache *cache;
	unsigned long freed = 0;

	list_for_each_entry(cache, &xenaccel_gcache_registry, registry) {
		LIST_HEAD(evicted);
		unsigned int n;

		if (freed >= max)
			break;
		n = xenaccel_gcache_evict(cache, &evicted,
					  min_t(unsigned long, max - freed, UINT_MAX),
					  idle_since);
		if (n)
			cache->ops->release(cache, &evicted);
		freed += n;
	}
	/* Start with the next cache next time, so none is always first. */
	if (!list_empty(&xenaccel_gcache_registry))
		list_rotate_left(&xenaccel_gcache_registry);
	return freed;
}

static void xenaccel_gcache_purge_fn(struct work_struct *work)
{
	unsigned long timeout = gcache_idle_timeout_s * HZ;

	mutex_lock(&xenaccel_gcache_registry_lock);
	xenaccel_gcache_reclaim(ULONG_MAX, jiffies - timeout);
	mutex_unlock(&xenaccel_gcache_registry_lock);
	schedule_delayed_work(&xenaccel_gcache_purge_work, timeout / 2 + 1);
}

static unsigned long xenaccel_gcache_count(struct shrinker *shrinker,
					   struct shrink_control *sc)
{
	struct xenaccel_gcache *cache;
	unsigned long idle = 0;

	/* Reclaim may run under our allocations: never wait for the lock. */
	if (!mutex_trylock(&xenaccel_gcache_registry_lock))
		return 0;
	list_for_each_entry(cache, &xenaccel_gcache_registry, registry)
		idle += READ_ONCE(cache->nr_idle);
	mutex_unlock(&xenaccel_gcache_registry_lock);
	return idle;
}

static unsigned long xenaccel_gcache_scan(struct shrinker *shrinker,
					  struct shrink_control *sc)
{
	unsigned long freed;

	if (!mutex_trylock(&xenaccel_gcache_registry_lock))
		return SHRINK_STOP;
	freed = xenaccel_gcache_reclaim(sc->nr_to_scan, jiffies);
	mutex_unlock(&xenaccel_gcache_registry_lock);
	return freed ?: SHRINK_STOP;
}

/*
 * debugfs xenaccel/gcache: what all persistent grant caches hold together.
 * Leak checks read it: with no device connected, every count is zero.
 */
static int xenaccel_gcache_debugfs_show(struct seq_file *m, void *unused)
{
	struct xenaccel_gcache_stats total = {}, s;
	struct xenaccel_gcache *cache;
	unsigned int caches = 0, entries = 0, idle = 0, e, i;

	mutex_lock(&xenaccel_gcache_registry_lock);
	list_for_each_entry(cache, &xenaccel_gcache_registry, registry) {
		xenaccel_gcache_get_stats(cache, &s, &e, &i);
		caches++;
		entries += e;
		idle += i;
		total.hits += s.hits;
		total.misses += s.misses;
		total.inserts += s.inserts;
		total.evictions += s.evictions;
		total.full += s.full;
	}
	mutex_unlock(&xenaccel_gcache_registry_lock);
	seq_printf(m, "budget_used %ld\nbudget_limit %ld\ncaches %u\nentries %u\nidle %u\n",
		   atomic_long_read(&xenaccel_gcache_budget.used),
		   xenaccel_gcache_budget.limit, caches, entries, idle);
	seq_printf(m, "hits %llu\nmisses %llu\ninserts %llu\nevictions %llu\nfull %llu\n",
		   total.hits, total.misses, total.inserts, total.evictions,
		   total.full);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xenaccel_gcache_debugfs);

int __init xenaccel_gcache_reclaim_init(void)
{
	unsigned long budget_pages;

	if (gcache_budget_mb)
		budget_pages = (unsigned long)gcache_budget_mb << (20 - PAGE_SHIFT);
	else
		budget_pages = totalram_pages() / 16;
	xenaccel_gcache_budget.limit = budget_pages;

	xenaccel_gcache_shrinker =
		xenaccel_shrinker_create(xenaccel_gcache_count,
					 xenaccel_gcache_scan,
					 "xenaccel-gcache");
	if (!xenaccel_gcache_shrinker)
		return -ENOMEM;
	if (!gcache_idle_timeout_s)
		gcache_idle_timeout_s = 1;
	schedule_delayed_work(&xenaccel_gcache_purge_work,
			      gcache_idle_timeout_s * HZ / 2 + 1);
	debugfs_create_file("gcache", 0444, xenaccel_debugfs_dir, NULL,
			    &xenaccel_gcache_debugfs_fops);
	pr_info("persistent grant budget %lu MiB, idle timeout %u s\n",
		budget_pages >> (20 - PAGE_SHIFT), gcache_idle_timeout_s);
	return 0;
}

void xenaccel_gcache_reclaim_exit(void)
{
	cancel_delayed_work_sync(&xenaccel_gcache_purge_work);
	xenaccel_shrinker_destroy(xenaccel_gcache_shrinker);
	/* Backends depend on us: they unregistered all caches already. */
	WARN_ON(!list_empty(&xenaccel_gcache_registry));
}
