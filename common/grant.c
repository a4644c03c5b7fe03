// SPDX-License-Identifier: GPL-2.0
/*
 * Batched grant mapping over the persistent grant cache; see
 * include/xenaccel/grant.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include <xenaccel/grant.h>

/**
 * xenaccel_grant_mapper_init - set up mapping for one ring
 * @m: the mapper
 * @domid: the frontend's domain
 * @cache: its persistent grant cache, or NULL
 * @max_batch: the most grants one request can map at once
 */
int xenaccel_grant_mapper_init(struct xenaccel_grant_mapper *m, domid_t domid,
			       struct xenaccel_gcache *cache,
			       unsigned int max_batch)
{
	memset(m, 0, sizeof(*m));
	m->domid = domid;
	m->cache = cache;
	m->max_batch = max_batch;
	gnttab_page_cache_init(&m->pool);
	m->map_ops = kvcalloc(max_batch, sizeof(*m->map_ops), GFP_KERNEL);
	m->to_map = kvcalloc(max_batch, sizeof(*m->to_map), GFP_KERNEL);
	m->reserved = kvcalloc(max_batch, sizeof(*m->reserved), GFP_KERNEL);
	m->map_pages = kvcalloc(max_batch, sizeof(*m->map_pages), GFP_KERNEL);
	m->unmap_ops = kvcalloc(max_batch, sizeof(*m->unmap_ops), GFP_KERNEL);
	m->unmap_pages = kvcalloc(max_batch, sizeof(*m->unmap_pages), GFP_KERNEL);
	if (!m->map_ops || !m->to_map || !m->reserved || !m->map_pages || !m->unmap_ops ||
	    !m->unmap_pages) {
		xenaccel_grant_mapper_destroy(m);
		return -ENOMEM;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(xenaccel_grant_mapper_init);

/* With no request in flight and the cache drained and released. */
void xenaccel_grant_mapper_destroy(struct xenaccel_grant_mapper *m)
{
	xenaccel_grant_flush(m);
	gnttab_page_cache_shrink(&m->pool, 0);
	kvfree(m->map_ops);
	kvfree(m->to_map);
	kvfree(m->reserved);
	kvfree(m->map_pages);
	kvfree(m->unmap_ops);
	kvfree(m->unmap_pages);
	m->map_ops = NULL;
	m->to_map = NULL;
	m->reserved = NULL;
	m->map_pages = NULL;
	m->unmap_ops = NULL;
	m->unmap_pages = NULL;
}
EXPORT_SYMBOL_GPL(xenaccel_grant_mapper_destroy);

static unsigned long xenaccel_grant_vaddr(struct page *page)
{
	return (unsigned long)pfn_to_kaddr(page_to_pfn(page));
}

/* Queue the unmap of a private mapping; the page returns at flush. */
static void xenaccel_grant_queue_unmap(struct xenaccel_grant_mapper *m,
				       struct page *page,
				       grant_handle_t handle, bool readonly)
{
	u32 flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0);

	if (m->nr_unmaps == m->max_batch)
		xenaccel_grant_flush(m);
	gnttab_set_unmap_op(&m->unmap_ops[m->nr_unmaps],
			    xenaccel_grant_vaddr(page), flags, handle);
	m->unmap_pages[m->nr_unmaps++] = page;
}

/*
 * Keep a fresh mapping in the cache if a reservation was made for it.
 * Returns false if it stays private.
 */
static bool xenaccel_grant_persist(struct xenaccel_grant_mapper *m,
				   struct xenaccel_grant *g)
{
	struct xenaccel_gcache_entry *entry;

	entry = kzalloc(sizeof(*entry), GFP_NOIO);
	if (!entry)
		goto private;
	entry->gref = g->gref;
	entry->readonly = false;
	entry->page = g->page;
	entry->handle = g->handle;
	if (xenaccel_gcache_insert(m->cache, entry)) {
		kfree(entry);
		goto private;
	}
	g->persistent = entry;
	return true;
private:
	xenaccel_gcache_unreserve(m->cache);
	return false;
}

/**
 * xenaccel_grant_map - map a request's grants
 * @m: the ring's mapper
 * @grants: gref and readonly filled in; the rest is set here
 * @n: how many (at most the mapper's max_batch)
 *
 * Cache hits cost nothing; all misses are mapped with one hypercall. A
 * miss that the cache has room for is mapped writable and kept (frontends
 * that negotiate persistent grants grant writable); others are private
 * and mapped only as the I/O needs.
 *
 * Return: 0, or -EIO if any grant could not be mapped (the request fails)
 * or -ENOMEM. Either way the caller gives all @n back with
 * xenaccel_grant_release().
 */
int xenaccel_grant_map(struct xenaccel_grant_mapper *m,
		       struct xenaccel_grant *grants, unsigned int n)
{
	unsigned int i, nr_map = 0;
	int ret = 0;

	if (WARN_ON_ONCE(n > m->max_batch))
		return -EINVAL;

	for (i = 0; i < n; i++) {
		grants[i].page = NULL;
		grants[i].persistent = NULL;
		grants[i].handle = INVALID_GRANT_HANDLE;
	}

	for (i = 0; i < n; i++) {
		struct xenaccel_grant *g = &grants[i];
		struct gnttab_map_grant_ref *op = &m->map_ops[nr_map];
		u32 flags = GNTMAP_host_map;

		if (m->cache) {
			g->persistent = xenaccel_gcache_get(m->cache, g->gref,
							    !g->readonly);
			if (g->persistent) {
				g->page = g->persistent->page;
				continue;
			}
		}
		if (gnttab_page_cache_get(&m->pool, &m->map_pages[nr_map])) {
			ret = -ENOMEM;
			break;
		}
		g->page = m->map_pages[nr_map];
		/*
		 * Room in the cache: map writable, so the mapping can serve
		 * later reads too. Otherwise a private mapping, only as
		 * writable as this I/O needs.
		 */
		m->reserved[nr_map] = m->cache &&
				      xenaccel_gcache_reserve(m->cache) == 0;
		if (!m->reserved[nr_map] && g->readonly)
			flags |= GNTMAP_readonly;
		gnttab_set_map_op(op, xenaccel_grant_vaddr(g->page), flags,
				  g->gref, m->domid);
		/* If the hypercall fails outright, no status says okay. */
		op->status = GNTST_general_error;
		m->to_map[nr_map++] = g;
	}
	if (!nr_map)
		return ret;

	if (gnttab_map_refs(m->map_ops, NULL, m->map_pages, nr_map))
		ret = -EIO;
	m->stats.map_calls++;
	m->stats.maps += nr_map;
	m->stats.max_map_batch = max(m->stats.max_map_batch, nr_map);

	for (i = 0; i < nr_map; i++) {
		struct gnttab_map_grant_ref *op = &m->map_ops[i];
		struct xenaccel_grant *g = m->to_map[i];

		if (op->status != GNTST_okay) {
			m->stats.map_errors++;
			ret = -EIO;
			if (m->reserved[i])
				xenaccel_gcache_unreserve(m->cache);
			continue;
		}
		g->handle = op->handle;
		if (m->reserved[i] && xenaccel_grant_persist(m, g))
			continue;
		/* A private mapping remembers how it was mapped. */
		g->readonly = !!(op->flags & GNTMAP_readonly);
	}
	return ret;
}
EXPORT_SYMBOL_GPL(xenaccel_grant_map);

/**
 * xenaccel_grant_release - give back a request's grants
 * @m: the ring's mapper
 * @grants: as filled in by xenaccel_grant_map(), successful or not
 * @n: how many
 *
 * Cached mappings go idle; private ones are queued for unmapping, which
 * happens at the next xenaccel_grant_flush(): flush before telling the
 * frontend the request is done.
 */
void xenaccel_grant_release(struct xenaccel_grant_mapper *m,
			    struct xenaccel_grant *grants, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct xenaccel_grant *g = &grants[i];

		if (g->persistent) {
			xenaccel_gcache_put(m->cache, g->persistent);
		} else if (g->handle != INVALID_GRANT_HANDLE) {
			xenaccel_grant_queue_unmap(m, g->page, g->handle,
						   g->readonly);
		} else if (g->page) {
			/* Never mapped: the page goes straight back. */
			gnttab_page_cache_put(&m->pool, &g->page, 1);
		}
		g->page = NULL;
		g->persistent = NULL;
		g->handle = INVALID_GRANT_HANDLE;
	}
}
EXPORT_SYMBOL_GPL(xenaccel_grant_release);

/* Unmap every queued private mapping, in one hypercall. */
void xenaccel_grant_flush(struct xenaccel_grant_mapper *m)
{
	unsigned int n = m->nr_unmaps;

	if (!n)
		return;
	/* The guest's memory is unreachable after this: a failure is a bug. */
	WARN_ON(gnttab_unmap_refs(m->unmap_ops, NULL, m->unmap_pages, n));
	gnttab_page_cache_put(&m->pool, m->unmap_pages, n);
	m->nr_unmaps = 0;
	m->stats.unmap_calls++;
	m->stats.unmaps += n;
	m->stats.max_unmap_batch = max(m->stats.max_unmap_batch, n);
}
EXPORT_SYMBOL_GPL(xenaccel_grant_flush);

/* Keep at most @keep spare pages in the ring's pool. */
void xenaccel_grant_shrink_pool(struct xenaccel_grant_mapper *m,
				unsigned int keep)
{
	gnttab_page_cache_shrink(&m->pool, keep);
}
EXPORT_SYMBOL_GPL(xenaccel_grant_shrink_pool);

/**
 * xenaccel_grant_release_entries - unmap and free evicted cache entries
 * @m: the mapper whose cache they came from
 * @entries: idle entries detached by xenaccel_gcache_evict() or _drain()
 *
 * The gcache ->release() of a backend calls this. It runs in the ring's
 * worker or in reclaim, so it uses its own batch, not the mapper's queue.
 */
void xenaccel_grant_release_entries(struct xenaccel_grant_mapper *m,
				    struct list_head *entries)
{
	struct gnttab_unmap_grant_ref ops[16];
	struct page *pages[ARRAY_SIZE(ops)];
	struct xenaccel_gcache_entry *entry, *next;
	unsigned int n = 0;

	list_for_each_entry_safe(entry, next, entries, lru) {
		gnttab_set_unmap_op(&ops[n], xenaccel_grant_vaddr(entry->page),
				    GNTMAP_host_map, entry->handle);
		pages[n++] = entry->page;
		list_del(&entry->lru);
		kfree(entry);
		if (n == ARRAY_SIZE(ops) || list_empty(entries)) {
			WARN_ON(gnttab_unmap_refs(ops, NULL, pages, n));
			gnttab_page_cache_put(&m->pool, pages, n);
			n = 0;
		}
	}
}
EXPORT_SYMBOL_GPL(xenaccel_grant_release_entries);

/**
 * xenaccel_grant_trim - make room in a full cache for the current working set
 * @m: the ring's mapper
 *
 * When the cache has refused mappings since the last call, unmap some
 * entries that have been idle for a second or more, least recently used
 * first, so the grants now in use can become persistent. Call it from the
 * ring's worker when a round of work is done.
 */
void xenaccel_grant_trim(struct xenaccel_grant_mapper *m)
{
	struct xenaccel_gcache *cache = m->cache;
	LIST_HEAD(evicted);
	u64 full;

	if (!cache)
		return;
	full = READ_ONCE(cache->stats.full);
	if (full == m->seen_full)
		return;
	m->seen_full = full;
	if (xenaccel_gcache_evict(cache, &evicted, XENACCEL_GRANT_TRIM_BATCH,
				  jiffies - HZ))
		xenaccel_grant_release_entries(m, &evicted);
}
EXPORT_SYMBOL_GPL(xenaccel_grant_trim);
