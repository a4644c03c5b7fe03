// SPDX-License-Identifier: GPL-2.0
/*
 * Persistent grant cache: lookup, LRU, cap and budget accounting. See
 * include/xenaccel/gcache.h. Mapping and unmapping live elsewhere; this file
 * is pure bookkeeping, which is also what the user-space unit tests build.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/jiffies.h>
#include <linux/string.h>

#include <xenaccel/gcache.h>

struct xenaccel_gcache_budget xenaccel_gcache_budget = {
	.used = ATOMIC_LONG_INIT(0),
};
EXPORT_SYMBOL_GPL(xenaccel_gcache_budget);

void xenaccel_gcache_init(struct xenaccel_gcache *cache,
			  unsigned int max_entries,
			  const struct xenaccel_gcache_ops *ops)
{
	spin_lock_init(&cache->lock);
	cache->tree = RB_ROOT;
	INIT_LIST_HEAD(&cache->lru);
	cache->nr_entries = 0;
	cache->nr_idle = 0;
	cache->max_entries = max_entries;
	memset(&cache->stats, 0, sizeof(cache->stats));
	cache->ops = ops;
	INIT_LIST_HEAD(&cache->registry);
}
EXPORT_SYMBOL_GPL(xenaccel_gcache_init);

static struct xenaccel_gcache_entry *
xenaccel_gcache_find(struct xenaccel_gcache *cache, grant_ref_t gref)
{
	struct rb_node *node = cache->tree.rb_node;

	while (node) {
		struct xenaccel_gcache_entry *entry =
			rb_entry(node, struct xenaccel_gcache_entry, node);

		if (gref < entry->gref)
			node = node->rb_left;
		else if (gref > entry->gref)
			node = node->rb_right;
		else
			return entry;
	}
	return NULL;
}

/**
 * xenaccel_gcache_get - look up a mapping and mark it busy
 * @cache: the connection's cache
 * @gref: the grant reference, as the frontend gave it
 * @write: the I/O will write to the page
 *
 * A read-only mapping does not serve a write: that is a miss.
 *
 * Return: the entry, to be given back with xenaccel_gcache_put(), or NULL.
 */
struct xenaccel_gcache_entry *
xenaccel_gcache_get(struct xenaccel_gcache *cache, grant_ref_t gref,
		    bool write)
{
	struct xenaccel_gcache_entry *entry;

	spin_lock_bh(&cache->lock);
	entry = xenaccel_gcache_find(cache, gref);
	if (!entry || (write && entry->readonly)) {
		cache->stats.misses++;
		spin_unlock_bh(&cache->lock);
		return NULL;
	}
	if (entry->users++ == 0) {
		list_del_init(&entry->lru);
		cache->nr_idle--;
	}
	cache->stats.hits++;
	spin_unlock_bh(&cache->lock);
	return entry;
}
EXPORT_SYMBOL_GPL(xenaccel_gcache_get);

/**
 * xenaccel_gcache_reserve - claim room for one new persistent mapping
 * @cache: the connection's cache
 *
 * Called before mapping, so a full cache costs no hypercall. Room is taken
 * from both the connection's cap and the global budget; it is returned by
 * xenaccel_gcache_unreserve() if the mapping is not inserted, or when the
 * entry is evicted.
 *
 * Return: 0, or -ENOSPC: map this grant without caching it.
 */
int xenaccel_gcache_reserve(struct xenaccel_gcache *cache)
{
	struct xenaccel_gcache_budget *budget = &xenaccel_gcache_budget;
	int ret = 0;

	spin_lock_bh(&cache->lock);
	if (cache->nr_entries >= cache->max_entries ||
	    atomic_long_inc_return(&budget->used) > budget->limit) {
		if (cache->nr_entries < cache->max_entries)
			atomic_long_dec(&budget->used);
		cache->stats.full++;
		ret = -ENOSPC;
	} else {
		cache->nr_entries++;
	}
	spin_unlock_bh(&cache->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(xenaccel_gcache_reserve);

void xenaccel_gcache_unreserve(struct xenaccel_gcache *cache)
{
	spin_lock_bh(&cache->lock);
	WARN_ON_ONCE(cache->nr_entries == 0);
	cache->nr_entries--;
	atomic_long_dec(&xenaccel_gcache_budget.used);
	spin_unlock_bh(&cache->lock);
}
EXPORT_SYMBOL_GPL(xenaccel_gcache_unreserve);

/**
 * xenaccel_gcache_insert - add a freshly mapped, reserved entry, busy
 * @cache: the connection's cache
 * @entry: gref, readonly, page and handle filled in
 *
 * Return: 0, or -EEXIST if the gref is cached already (the frontend used it
 * twice at once): keep this mapping private and unreserve.
 */
int xenaccel_gcache_insert(struct xenaccel_gcache *cache,
			   struct xenaccel_gcache_entry *entry)
{
	struct rb_node **link = &cache->tree.rb_node, *parent = NULL;

	spin_lock_bh(&cache->lock);
	while (*link) {
		struct xenaccel_gcache_entry *this =
			rb_entry(*link, struct xenaccel_gcache_entry, node);

		parent = *link;
		if (entry->gref < this->gref) {
			link = &parent->rb_left;
		} else if (entry->gref > this->gref) {
			link = &parent->rb_right;
		} else {
			spin_unlock_bh(&cache->lock);
			return -EEXIST;
		}
	}
	entry->users = 1;
	INIT_LIST_HEAD(&entry->lru);
	rb_link_node(&entry->node, parent, link);
	rb_insert_color(&entry->node, &cache->tree);
	cache->stats.inserts++;
	spin_unlock_bh(&cache->lock);
	return 0;
}
EXPORT_SYMBOL_GPL(xenaccel_gcache_insert);

/* Give back an entry from get() or insert(); the last user makes it idle. */
void xenaccel_gcache_put(struct xenaccel_gcache *cache,
			 struct xenaccel_gcache_entry *entry)
{
	spin_lock_bh(&cache->lock);
	if (!WARN_ON_ONCE(entry->users == 0) && --entry->users == 0) {
		entry->last_used = jiffies;
		list_add_tail(&entry->lru, &cache->lru);
		cache->nr_idle++;
	}
	spin_unlock_bh(&cache->lock);
}
EXPORT_SYMBOL_GPL(xenaccel_gcache_put);

/* Caller holds the lock; @entry is idle. */
static void xenaccel_gcache_detach(struct xenaccel_gcache *cache,
				   struct xenaccel_gcache_entry *entry,
				   struct list_head *out)
{
	rb_erase(&entry->node, &cache->tree);
	list_move_tail(&entry->lru, out);
	cache->nr_idle--;
	cache->nr_entries--;
	atomic_long_dec(&xenaccel_gcache_budget.used);
}

/**
 * xenaccel_gcache_evict - detach idle entries, least recently used first
 * @cache: the connection's cache
 * @out: list the detached entries are added to, for the caller to unmap
 * @max: the most entries to detach
 * @idle_since: only entries idle since this time (jiffies) or earlier
 *
 * Return: the number of entries detached.
 */
unsigned int xenaccel_gcache_evict(struct xenaccel_gcache *cache,
				   struct list_head *out, unsigned int max,
				   unsigned long idle_since)
{
	struct xenaccel_gcache_entry *entry, *next;
	unsigned int n = 0;

	spin_lock_bh(&cache->lock);
	list_for_each_entry_safe(entry, next, &cache->lru, lru) {
		/* The LRU is ordered by last_used: the rest are newer. */
		if (n == max || time_after(entry->last_used, idle_since))
			break;
		xenaccel_gcache_detach(cache, entry, out);
		n++;
	}
	cache->stats.evictions += n;
	spin_unlock_bh(&cache->lock);
	return n;
}
EXPORT_SYMBOL_GPL(xenaccel_gcache_evict);

/**
 * xenaccel_gcache_drain - detach every entry, at disconnect
 * @cache: the connection's cache, with no I/O in flight
 * @out: list the entries are added to, for the caller to unmap
 *
 * Return: the number of entries detached.
 */
unsigned int xenaccel_gcache_drain(struct xenaccel_gcache *cache,
				   struct list_head *out)
{
	struct xenaccel_gcache_entry *entry, *next;
	unsigned int n = 0;

	spin_lock_bh(&cache->lock);
	list_for_each_entry_safe(entry, next, &cache->lru, lru) {
		xenaccel_gcache_detach(cache, entry, out);
		n++;
	}
	/* A busy entry here means a request outlived its connection. */
	WARN_ON_ONCE(cache->nr_entries != 0);
	spin_unlock_bh(&cache->lock);
	return n;
}
EXPORT_SYMBOL_GPL(xenaccel_gcache_drain);

/* A consistent snapshot of the counters, for sysfs and debugfs. */
void xenaccel_gcache_get_stats(struct xenaccel_gcache *cache,
			       struct xenaccel_gcache_stats *stats,
			       unsigned int *nr_entries, unsigned int *nr_idle)
{
	spin_lock_bh(&cache->lock);
	*stats = cache->stats;
	*nr_entries = cache->nr_entries;
	*nr_idle = cache->nr_idle;
	spin_unlock_bh(&cache->lock);
}
EXPORT_SYMBOL_GPL(xenaccel_gcache_get_stats);
