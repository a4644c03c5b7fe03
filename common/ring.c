// SPDX-License-Identifier: GPL-2.0
/*
 * The backend half of a Xen shared ring: see include/xenaccel/ring.h for
 * the rules this enforces.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/string.h>
#include <asm/barrier.h>

#include <xenaccel/ring.h>

void __xenaccel_ring_init(struct xenaccel_ring *ring, void *sring,
			  size_t slots_offset, unsigned int slot_size,
			  size_t ring_bytes)
{
	size_t room = ring_bytes - slots_offset;

	ring->hdr = sring;
	ring->slots = (char *)sring + slots_offset;
	ring->slot_size = slot_size;
	/* As __RING_SIZE(): as many slots as fit, rounded down to 2^n. */
	ring->nr_slots = rounddown_pow_of_two(room / slot_size);
	ring->req_cons = 0;
	ring->rsp_prod_pvt = 0;
	ring->overrun = false;
}
EXPORT_SYMBOL_GPL(__xenaccel_ring_init);

static void *xenaccel_ring_slot(const struct xenaccel_ring *ring, RING_IDX idx)
{
	return (char *)ring->slots +
	       (size_t)(idx & (ring->nr_slots - 1)) * ring->slot_size;
}

/*
 * Unconsumed requests, given a producer index already checked not to
 * overrun: like RING_HAS_UNCONSUMED_REQUESTS, never more than the free
 * response slots.
 */
static unsigned int xenaccel_ring_pending(const struct xenaccel_ring *ring,
					  RING_IDX prod)
{
	unsigned int unconsumed = prod - ring->req_cons;
	unsigned int room = ring->nr_slots - xenaccel_ring_in_flight(ring);

	return min(unconsumed, room);
}

/*
 * Read the frontend's producer index once. Returns false if it claims more
 * outstanding requests than the ring holds (RING_REQUEST_PROD_OVERFLOW).
 */
static bool xenaccel_ring_read_prod(struct xenaccel_ring *ring, RING_IDX *prod)
{
	*prod = READ_ONCE(ring->hdr->req_prod);
	/* Read the requests only after the index that published them. */
	virt_rmb();
	if (*prod - READ_ONCE(ring->rsp_prod_pvt) > ring->nr_slots) {
		ring->overrun = true;
		return false;
	}
	return true;
}

/**
 * xenaccel_ring_copy_requests - copy up to @max requests out of the ring
 * @ring: the ring
 * @dst: array of @max requests of @req_size bytes each
 * @req_size: size of one request (at most the slot size)
 * @max: the most requests to take in this call
 *
 * Each request is copied once; the caller validates only its copy.
 *
 * Return: the number of requests copied, or -EOVERFLOW if the producer index
 * overran the ring. The ring then stays stopped: the caller should shut the
 * device down.
 */
int xenaccel_ring_copy_requests(struct xenaccel_ring *ring, void *dst,
				size_t req_size, unsigned int max)
{
	unsigned int i, n;
	RING_IDX prod;

	if (ring->overrun || !xenaccel_ring_read_prod(ring, &prod))
		return -EOVERFLOW;

	n = min(xenaccel_ring_pending(ring, prod), max);
	for (i = 0; i < n; i++, ring->req_cons++)
		memcpy((char *)dst + i * req_size,
		       xenaccel_ring_slot(ring, ring->req_cons), req_size);
	/* The copies are complete before anything looks at them. */
	barrier();
	return n;
}
EXPORT_SYMBOL_GPL(xenaccel_ring_copy_requests);

/* Whether requests are waiting; an overrun ring reports none. */
bool xenaccel_ring_has_requests(struct xenaccel_ring *ring)
{
	RING_IDX prod;

	if (ring->overrun || !xenaccel_ring_read_prod(ring, &prod))
		return false;
	return xenaccel_ring_pending(ring, prod) != 0;
}
EXPORT_SYMBOL_GPL(xenaccel_ring_has_requests);

/**
 * xenaccel_ring_final_check - last look for requests before sleeping
 * @ring: the ring
 *
 * As RING_FINAL_CHECK_FOR_REQUESTS: ask for an event on the next request,
 * then look again, so a request published meanwhile is not missed.
 *
 * Return: true if there is work (no event will come for it).
 */
bool xenaccel_ring_final_check(struct xenaccel_ring *ring)
{
	if (xenaccel_ring_has_requests(ring))
		return true;
	WRITE_ONCE(ring->hdr->req_event, ring->req_cons + 1);
	/* The frontend must see req_event before we re-read req_prod. */
	virt_mb();
	return xenaccel_ring_has_requests(ring);
}
EXPORT_SYMBOL_GPL(xenaccel_ring_final_check);

/**
 * xenaccel_ring_event_after - ask for an event once @n requests wait
 * @ring: the ring
 * @n: how many unconsumed requests make the frontend send an event (>= 1)
 *
 * As xenaccel_ring_final_check() with req_event @n ahead instead of one:
 * the frontend queues @n - 1 requests without an event. The caller must
 * look at the ring again on its own if fewer come.
 *
 * Return: true if @n requests already wait, or the producer index overran
 * the ring: no event will come for them, look now.
 */
bool xenaccel_ring_event_after(struct xenaccel_ring *ring, unsigned int n)
{
	RING_IDX prod;

	n = max(n, 1U);
	WRITE_ONCE(ring->hdr->req_event, ring->req_cons + n);
	/* The frontend must see req_event before we re-read req_prod. */
	virt_mb();
	if (ring->overrun || !xenaccel_ring_read_prod(ring, &prod))
		return true;
	return xenaccel_ring_pending(ring, prod) >= n;
}
EXPORT_SYMBOL_GPL(xenaccel_ring_event_after);

/**
 * xenaccel_ring_put_response - write the next response (not yet visible)
 * @ring: the ring
 * @rsp: the response, built in backend memory with its padding zeroed
 * @rsp_size: its size (at most the slot size)
 *
 * Only call this for a request that was copied out: a response slot is
 * free exactly when its request has been consumed.
 */
void xenaccel_ring_put_response(struct xenaccel_ring *ring, const void *rsp,
				size_t rsp_size)
{
	memcpy(xenaccel_ring_slot(ring, ring->rsp_prod_pvt), rsp, rsp_size);
	WRITE_ONCE(ring->rsp_prod_pvt, ring->rsp_prod_pvt + 1);
}
EXPORT_SYMBOL_GPL(xenaccel_ring_put_response);

/**
 * xenaccel_ring_push_responses - publish written responses
 * @ring: the ring
 *
 * As RING_PUSH_RESPONSES_AND_CHECK_NOTIFY.
 *
 * Return: true if the frontend asked for an event for these responses.
 */
bool xenaccel_ring_push_responses(struct xenaccel_ring *ring)
{
	RING_IDX old = ring->hdr->rsp_prod;
	RING_IDX new = ring->rsp_prod_pvt;

	/* Responses are in place before the index that publishes them. */
	virt_wmb();
	WRITE_ONCE(ring->hdr->rsp_prod, new);
	/* The index is visible before we read which one the frontend awaits. */
	virt_mb();
	return (RING_IDX)(new - READ_ONCE(ring->hdr->rsp_event)) <
	       (RING_IDX)(new - old);
}
EXPORT_SYMBOL_GPL(xenaccel_ring_push_responses);

/**
 * xenaccel_ring_frontend_lag - published responses the frontend is behind
 * @ring: the ring
 *
 * Counted from the response the frontend last asked an event for: 0 when
 * it has taken every published response and waits. It may have taken some
 * since it last asked, so this is an upper bound. Only a hint: a hostile
 * rsp_event reads as 0, never as more than the ring holds.
 */
unsigned int xenaccel_ring_frontend_lag(const struct xenaccel_ring *ring)
{
	RING_IDX lag = READ_ONCE(ring->hdr->rsp_prod) + 1 -
		       READ_ONCE(ring->hdr->rsp_event);

	return lag <= ring->nr_slots ? lag : 0;
}
EXPORT_SYMBOL_GPL(xenaccel_ring_frontend_lag);
