/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Persistent grant cache: grant mappings kept across requests, one cache per
 * frontend connection (per ring), keyed by grant reference.
 *
 * An entry is either busy (users > 0: in-flight I/O uses its page) or idle
 * (on the LRU list). Only idle entries are ever evicted, so a page under I/O
 * is never unmapped. Each cache has its own cap and all caches together are
 * held to one global budget of mapped pages, so no set of guests can pin
 * dom0 memory without bound; the shrinker and the idle purge take idle
 * entries back.
 *
 * This file's logic never maps or unmaps: eviction hands detached entries to
 * the cache's ->release() (or to the caller) to unmap in one batch.
 */
#ifndef XENACCEL_GCACHE_H
#define XENACCEL_GCACHE_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <xen/grant_table.h>

struct page;
struct xenaccel_gcache;

struct xenaccel_gcache_entry {
	struct rb_node node;		/* in cache->tree, keyed by gref */
	struct list_head lru;		/* in cache->lru while idle */
	grant_ref_t gref;
	bool readonly;			/* mapped without write access */
	unsigned int users;		/* requests using the page now */
	unsigned long last_used;	/* jiffies when it last went idle */
	struct page *page;
	grant_handle_t handle;
};

struct xenaccel_gcache_ops {
	/* Unmap and free entries evicted by reclaim; may sleep. */
	void (*release)(struct xenaccel_gcache *cache, struct list_head *entries);
};

struct xenaccel_gcache_stats {
	u64 hits;
	u64 misses;
	u64 inserts;			/* new persistent mappings */
	u64 evictions;
	u64 full;			/* cap or budget refused a mapping */
};

struct xenaccel_gcache {
	/*
	 * Protects everything below. The ring's worker (a kthread, or NAPI
	 * in softirq: hence _bh) looks up and returns entries; reclaim
	 * (shrinker, idle purge) evicts from another CPU.
	 */
	spinlock_t lock;
	struct rb_root tree;
	struct list_head lru;		/* idle entries, least recent first */
	unsigned int nr_entries;
	unsigned int nr_idle;
	unsigned int max_entries;	/* this connection's cap */
	struct xenaccel_gcache_stats stats;

	const struct xenaccel_gcache_ops *ops;
	struct list_head registry;	/* in the global list reclaim walks */
};

/* Mapped persistent pages in all caches, and the most there may be. */
struct xenaccel_gcache_budget {
	atomic_long_t used;
	long limit;
};

extern struct xenaccel_gcache_budget xenaccel_gcache_budget;

void xenaccel_gcache_init(struct xenaccel_gcache *cache,
			  unsigned int max_entries,
			  const struct xenaccel_gcache_ops *ops);
struct xenaccel_gcache_entry *
xenaccel_gcache_get(struct xenaccel_gcache *cache, grant_ref_t gref,
		    bool write);
int xenaccel_gcache_reserve(struct xenaccel_gcache *cache);
void xenaccel_gcache_unreserve(struct xenaccel_gcache *cache);
int xenaccel_gcache_insert(struct xenaccel_gcache *cache,
			   struct xenaccel_gcache_entry *entry);
void xenaccel_gcache_put(struct xenaccel_gcache *cache,
			 struct xenaccel_gcache_entry *entry);
unsigned int xenaccel_gcache_evict(struct xenaccel_gcache *cache,
				   struct list_head *out, unsigned int max,
				   unsigned long idle_since);
unsigned int xenaccel_gcache_drain(struct xenaccel_gcache *cache,
				   struct list_head *out);
void xenaccel_gcache_register(struct xenaccel_gcache *cache);
void xenaccel_gcache_unregister(struct xenaccel_gcache *cache);
void xenaccel_gcache_get_stats(struct xenaccel_gcache *cache,
			       struct xenaccel_gcache_stats *stats,
			       unsigned int *nr_entries, unsigned int *nr_idle);

#endif /* XENACCEL_GCACHE_H */
