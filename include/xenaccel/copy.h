/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Batched grant copies (GNTTABOP_copy) between backend memory and pages a
 * frontend granted: the caller queues copies for as much work as it has (a
 * whole NAPI poll of packets, every queued packet of a ring), issues them
 * in one hypercall, then reads each copy's status.
 *
 * The queueing helpers split a copy wherever the backend buffer crosses a
 * Xen page, so callers hand in plain virtual addresses. The guest side of
 * a copy must already lie within one granted page: that is a property of
 * the (validated) request, which only the caller can check.
 */
#ifndef XENACCEL_COPY_H
#define XENACCEL_COPY_H

#include <linux/types.h>
#include <xen/grant_table.h>

struct xenaccel_copy_stats {
	u64 calls;			/* copy hypercalls */
	u64 ops;			/* copies they carried */
	u64 bytes;
	u64 errors;			/* copies the hypervisor refused */
	u64 ns;				/* time spent in the hypercalls */
	unsigned int max_batch;		/* most copies in one hypercall */
};

/* Used by one context at a time (a NAPI poll, a ring's thread). */
struct xenaccel_copier {
	struct gnttab_copy *ops;
	unsigned int nr;		/* queued, not yet issued */
	unsigned int max;
	struct xenaccel_copy_stats stats;
};

int xenaccel_copier_init(struct xenaccel_copier *c, unsigned int max);
void xenaccel_copier_destroy(struct xenaccel_copier *c);
int xenaccel_copy_from_guest(struct xenaccel_copier *c, domid_t domid,
			     grant_ref_t gref, unsigned int offset,
			     void *dst, unsigned int len);
int xenaccel_copy_to_guest(struct xenaccel_copier *c, domid_t domid,
			   grant_ref_t gref, unsigned int offset,
			   const void *src, unsigned int len);
unsigned int xenaccel_copy_flush(struct xenaccel_copier *c);

/* Copies that can still be queued before a flush. */
static inline unsigned int xenaccel_copy_room(const struct xenaccel_copier *c)
{
	return c->max - c->nr;
}

/* After a flush, and once the statuses were read: start a new batch. */
static inline void xenaccel_copy_reset(struct xenaccel_copier *c)
{
	c->nr = 0;
}

#endif /* XENACCEL_COPY_H */
