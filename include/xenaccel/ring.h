/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backend side of a Xen shared request/response ring, independent of the
 * request ABI.
 *
 * blkif has three request layouts (native, x86_32, x86_64) and netif two
 * rings, but every ring built by Xen's ring.h is the same thing: a 64-byte
 * header of four indices followed by a power-of-two array of fixed-size
 * slots. One consumer serves them all, so the rules below live in one place:
 *
 *  - the producer index is read once, then a read barrier, and an index
 *    that claims more requests than the ring can hold breaks the ring for
 *    good (a frontend bug or an attack, never something to recover from);
 *  - each request is copied exactly once into backend memory, and only that
 *    copy is parsed and validated (the XSA-155 lesson);
 *  - the caller bounds the number of requests taken per call, so one busy
 *    frontend cannot monopolise a worker.
 *
 * Requests are consumed by one context. Responses may be produced by others
 * (a bio completion answering at once), serialised by the caller's lock;
 * the consumer only ever reads rsp_prod_pvt, which grows.
 */
#ifndef XENACCEL_RING_H
#define XENACCEL_RING_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/stddef.h>
#include <linux/build_bug.h>
#include <xen/interface/io/ring.h>

/* The indices at the start of every shared ring page (see ring.h). */
struct xenaccel_sring_hdr {
	RING_IDX req_prod, req_event;
	RING_IDX rsp_prod, rsp_event;
};

struct xenaccel_ring {
	struct xenaccel_sring_hdr *hdr;	/* shared with the frontend */
	void *slots;			/* first slot, just past the header */
	unsigned int slot_size;		/* bytes per slot (req/rsp union) */
	unsigned int nr_slots;		/* a power of two */
	RING_IDX req_cons;		/* next request to copy out */
	RING_IDX rsp_prod_pvt;		/* responses written, not yet pushed */
					/* (read locklessly by the consumer) */
	bool overrun;			/* producer index was invalid: stop */
};

void __xenaccel_ring_init(struct xenaccel_ring *ring, void *sring,
			  size_t slots_offset, unsigned int slot_size,
			  size_t ring_bytes);

/*
 * xenaccel_ring_init - attach to a ring declared with DEFINE_RING_TYPES()
 * @_ring: the backend's private state
 * @_sring: the mapped shared ring, e.g. a struct blkif_sring *
 * @_bytes: bytes mapped (PAGE_SIZE << ring-page-order)
 */
#define xenaccel_ring_init(_ring, _sring, _bytes)			\
	do {								\
		BUILD_BUG_ON(offsetof(typeof(*(_sring)), req_prod) !=	\
			     offsetof(struct xenaccel_sring_hdr, req_prod)); \
		BUILD_BUG_ON(offsetof(typeof(*(_sring)), rsp_event) !=	\
			     offsetof(struct xenaccel_sring_hdr, rsp_event)); \
		__xenaccel_ring_init(_ring, _sring,			\
				     offsetof(typeof(*(_sring)), ring),	\
				     sizeof(((typeof(_sring))NULL)->ring[0]), \
				     _bytes);				\
	} while (0)

int xenaccel_ring_copy_requests(struct xenaccel_ring *ring, void *dst,
				size_t req_size, unsigned int max);
bool xenaccel_ring_has_requests(struct xenaccel_ring *ring);
bool xenaccel_ring_final_check(struct xenaccel_ring *ring);
bool xenaccel_ring_event_after(struct xenaccel_ring *ring, unsigned int n);
void xenaccel_ring_put_response(struct xenaccel_ring *ring, const void *rsp,
				size_t rsp_size);
bool xenaccel_ring_push_responses(struct xenaccel_ring *ring);
unsigned int xenaccel_ring_frontend_lag(const struct xenaccel_ring *ring);

/* Requests copied out whose responses are not written yet. */
static inline unsigned int xenaccel_ring_in_flight(const struct xenaccel_ring *ring)
{
	return ring->req_cons - READ_ONCE(ring->rsp_prod_pvt);
}

#endif /* XENACCEL_RING_H */
