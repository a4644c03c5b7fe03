/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mapping the guest pages of a request: through the persistent grant cache
 * where the frontend negotiated it, in one map hypercall for all the grants
 * of a request that miss the cache (an indirect request offers hundreds),
 * and with unmaps queued so one hypercall serves many completed requests.
 */
#ifndef XENACCEL_GRANT_H
#define XENACCEL_GRANT_H

#include <linux/types.h>
#include <xen/grant_table.h>
#include <xen/xenbus.h>		/* INVALID_GRANT_HANDLE, before 5.12 */
#include <xenaccel/gcache.h>

/* One guest page a request uses. */
struct xenaccel_grant {
	grant_ref_t gref;		/* in: from the (validated) request */
	bool readonly;			/* in: the backend only reads the page */
	struct page *page;		/* out: where it is mapped */
	struct xenaccel_gcache_entry *persistent; /* out: cached mapping */
	grant_handle_t handle;		/* out: a private mapping's handle */
};

struct xenaccel_grant_stats {
	u64 map_calls;			/* map hypercalls */
	u64 maps;			/* grants mapped by them */
	u64 unmap_calls;
	u64 unmaps;
	u64 map_errors;			/* grants the hypervisor refused */
	unsigned int max_map_batch;	/* most grants in one map hypercall */
	unsigned int max_unmap_batch;
};

/*
 * Per ring, used only by the ring's worker, except the cache and pool,
 * which have their own locks since reclaim releases into them.
 */
struct xenaccel_grant_mapper {
	domid_t domid;
	struct xenaccel_gcache *cache;	/* NULL without persistent grants */
	struct gnttab_page_cache pool;	/* unpopulated pages to map into */
	unsigned int max_batch;		/* size of the arrays below */
	struct gnttab_map_grant_ref *map_ops;
	struct xenaccel_grant **to_map;	/* the grant each map op is for */
	bool *reserved;			/* ...and whether the cache keeps it */
	struct page **map_pages;
	/* Private mappings released but not yet unmapped. */
	struct gnttab_unmap_grant_ref *unmap_ops;
	struct page **unmap_pages;
	unsigned int nr_unmaps;
	u64 seen_full;			/* cache->stats.full at the last trim */
	struct xenaccel_grant_stats stats;
};

/* Idle mappings one trim unmaps at most. */
#define XENACCEL_GRANT_TRIM_BATCH 64

int xenaccel_grant_mapper_init(struct xenaccel_grant_mapper *m, domid_t domid,
			       struct xenaccel_gcache *cache,
			       unsigned int max_batch);
void xenaccel_grant_mapper_destroy(struct xenaccel_grant_mapper *m);
int xenaccel_grant_map(struct xenaccel_grant_mapper *m,
		       struct xenaccel_grant *grants, unsigned int n);
void xenaccel_grant_release(struct xenaccel_grant_mapper *m,
			    struct xenaccel_grant *grants, unsigned int n);
void xenaccel_grant_flush(struct xenaccel_grant_mapper *m);
void xenaccel_grant_shrink_pool(struct xenaccel_grant_mapper *m,
				unsigned int keep);
void xenaccel_grant_trim(struct xenaccel_grant_mapper *m);
void xenaccel_grant_release_entries(struct xenaccel_grant_mapper *m,
				    struct list_head *entries);

/* Whether private mappings wait for xenaccel_grant_flush(). */
static inline bool xenaccel_grant_unmaps_queued(const struct xenaccel_grant_mapper *m)
{
	return m->nr_unmaps != 0;
}

#endif /* XENACCEL_GRANT_H */
