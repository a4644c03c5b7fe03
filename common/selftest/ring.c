// SPDX-License-Identifier: GPL-2.0
/*
 * Ring consumer self-tests: producer overrun, requests copied once, bounded
 * batches, index wrap-around, responses and notification. Built into debug
 * modules and the user-space unit tests; see selftest/gcache.c.
 *
 * A frontend is played by writing the shared page directly. The response
 * is larger than the request, so the slot stride differs from both sizes.
 */

struct xa_test_req {
	u32 id;
	u32 payload;
};

struct xa_test_rsp {
	u32 id;
	u32 status;
	u64 extra;
};

DEFINE_RING_TYPES(xa_test, struct xa_test_req, struct xa_test_rsp);

#define XA_TEST_RING_BYTES 4096

struct ring_fixture {
	union {
		struct xa_test_sring sring;
		u8 bytes[XA_TEST_RING_BYTES];
	} shared;
	struct xenaccel_ring ring;
	struct xa_test_req got[256];
};

/* Too big for a kernel stack; the tests run one at a time. */
static struct ring_fixture ring_fx;

/* Start both sides at index @start, to test wrap-around. */
static void ring_setup(struct ring_fixture *f, RING_IDX start)
{
	memset(f, 0, sizeof(*f));
	xenaccel_ring_init(&f->ring, &f->shared.sring, XA_TEST_RING_BYTES);
	f->shared.sring.req_prod = start;
	f->shared.sring.rsp_prod = start;
	f->shared.sring.req_event = start + 1;
	f->shared.sring.rsp_event = start + 1;
	f->ring.req_cons = start;
	f->ring.rsp_prod_pvt = start;
}

/* Slot @idx of the shared ring (ring[] may be declared with one element). */
static union xa_test_sring_entry *ring_slot(struct ring_fixture *f, RING_IDX idx)
{
	return &f->shared.sring.ring[0] + (idx & (f->ring.nr_slots - 1));
}

/* The frontend's side: queue @n requests with ids from @first_id. */
static void ring_produce(struct ring_fixture *f, unsigned int n, u32 first_id)
{
	RING_IDX prod = f->shared.sring.req_prod;
	unsigned int i;

	for (i = 0; i < n; i++, prod++) {
		struct xa_test_req *req = &ring_slot(f, prod)->req;

		req->id = first_id + i;
		req->payload = ~(first_id + i);
	}
	f->shared.sring.req_prod = prod;
}

/* The backend's side: copy out up to @max requests into f->got. */
static int ring_take(struct ring_fixture *f, unsigned int max)
{
	return xenaccel_ring_copy_requests(&f->ring, f->got, sizeof(f->got[0]), max);
}

static bool ring_got_ids(struct ring_fixture *f, unsigned int n, u32 first_id)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (f->got[i].id != first_id + i ||
		    f->got[i].payload != ~(first_id + i))
			return false;
	return true;
}

static bool ring_test_geometry(void)
{
	struct ring_fixture *f = &ring_fx;
	bool ok = false;

	ring_setup(f, 0);
	/* The same size ring.h's own macro computes. */
	XA_EXPECT(f->ring.nr_slots ==
		  __RING_SIZE(&f->shared.sring, XA_TEST_RING_BYTES));
	XA_EXPECT(f->ring.slot_size == sizeof(union xa_test_sring_entry));
	ok = true;
out:
	return ok;
}

static bool ring_test_copy_once(void)
{
	struct ring_fixture *f = &ring_fx;
	bool ok = false;

	ring_setup(f, 0);
	ring_produce(f, 3, 10);
	XA_EXPECT(ring_take(f, ARRAY_SIZE(f->got)) == 3);
	XA_EXPECT(ring_got_ids(f, 3, 10));
	XA_EXPECT(f->ring.req_cons == 3);

	/* The frontend rewrites consumed slots: the copies do not change... */
	memset(ring_slot(f, 0), 0xa5, 3 * sizeof(*ring_slot(f, 0)));
	XA_EXPECT(ring_got_ids(f, 3, 10));
	/* ...and nothing is delivered twice. */
	XA_EXPECT(ring_take(f, ARRAY_SIZE(f->got)) == 0);
	XA_EXPECT(!xenaccel_ring_has_requests(&f->ring));

	ring_produce(f, 2, 20);
	XA_EXPECT(ring_take(f, ARRAY_SIZE(f->got)) == 2);
	XA_EXPECT(ring_got_ids(f, 2, 20));
	ok = true;
out:
	return ok;
}

static bool ring_test_bounded_batch(void)
{
	struct ring_fixture *f = &ring_fx;
	bool ok = false;

	ring_setup(f, 0);
	ring_produce(f, 10, 0);
	XA_EXPECT(ring_take(f, 4) == 4);
	XA_EXPECT(ring_got_ids(f, 4, 0));
	XA_EXPECT(ring_take(f, 4) == 4);
	XA_EXPECT(ring_got_ids(f, 4, 4));
	XA_EXPECT(ring_take(f, 4) == 2);
	XA_EXPECT(ring_got_ids(f, 2, 8));
	ok = true;
out:
	return ok;
}

static bool ring_test_producer_overrun(void)
{
	struct ring_fixture *f = &ring_fx;
	bool ok = false;

	ring_setup(f, 0);
	f->got[0].id = 0xdead;
	/* One more request than the ring holds: stop, copy nothing. */
	f->shared.sring.req_prod = f->ring.nr_slots + 1;
	XA_EXPECT(ring_take(f, ARRAY_SIZE(f->got)) == -EOVERFLOW);
	XA_EXPECT(f->ring.overrun);
	XA_EXPECT(f->ring.req_cons == 0);
	XA_EXPECT(f->got[0].id == 0xdead);
	XA_EXPECT(!xenaccel_ring_has_requests(&f->ring));
	/* Stopped for good, even if the index is put back. */
	f->shared.sring.req_prod = 1;
	XA_EXPECT(ring_take(f, ARRAY_SIZE(f->got)) == -EOVERFLOW);

	/* An index far behind is as bad as one far ahead. */
	ring_setup(f, 1000);
	f->shared.sring.req_prod = 999;
	XA_EXPECT(ring_take(f, ARRAY_SIZE(f->got)) == -EOVERFLOW);
	ok = true;
out:
	return ok;
}

static bool ring_test_full_ring(void)
{
	struct ring_fixture *f = &ring_fx;
	struct xa_test_rsp rsp = { .id = 0 };
	unsigned int nr;
	bool ok = false;

	ring_setup(f, 0);
	nr = f->ring.nr_slots;
	XA_EXPECT(nr <= ARRAY_SIZE(f->got));
	/* Exactly full is legal. */
	ring_produce(f, nr, 0);
	XA_EXPECT(ring_take(f, ARRAY_SIZE(f->got)) == (int)nr);
	XA_EXPECT(xenaccel_ring_in_flight(&f->ring) == nr);
	/* With no response yet, one more request would overwrite one. */
	ring_produce(f, 1, nr);
	XA_EXPECT(ring_take(f, ARRAY_SIZE(f->got)) == -EOVERFLOW);

	/* After a response, that same request is legal. */
	ring_setup(f, 0);
	ring_produce(f, nr, 0);
	XA_EXPECT(ring_take(f, ARRAY_SIZE(f->got)) == (int)nr);
	xenaccel_ring_put_response(&f->ring, &rsp, sizeof(rsp));
	ring_produce(f, 1, nr);
	XA_EXPECT(ring_take(f, ARRAY_SIZE(f->got)) == 1);
	XA_EXPECT(ring_got_ids(f, 1, nr));
	ok = true;
out:
	return ok;
}

static bool ring_test_wraparound(void)
{
	struct ring_fixture *f = &ring_fx;
	bool ok = false;

	ring_setup(f, 0xfffffffe);
	ring_produce(f, 5, 40);
	XA_EXPECT(xenaccel_ring_has_requests(&f->ring));
	XA_EXPECT(ring_take(f, ARRAY_SIZE(f->got)) == 5);
	XA_EXPECT(ring_got_ids(f, 5, 40));
	XA_EXPECT(f->ring.req_cons == 3);
	ok = true;
out:
	return ok;
}

static bool ring_test_responses(void)
{
	struct ring_fixture *f = &ring_fx;
	struct xa_test_rsp rsp = { .id = 7, .status = 1, .extra = 99 };
	bool ok = false;

	ring_setup(f, 0);
	ring_produce(f, 2, 0);
	XA_EXPECT(ring_take(f, ARRAY_SIZE(f->got)) == 2);

	/* The frontend waits for the first response: notify. */
	f->shared.sring.rsp_event = 1;
	xenaccel_ring_put_response(&f->ring, &rsp, sizeof(rsp));
	XA_EXPECT(f->shared.sring.rsp_prod == 0);	/* not yet published */
	XA_EXPECT(xenaccel_ring_push_responses(&f->ring));
	XA_EXPECT(f->shared.sring.rsp_prod == 1);
	XA_EXPECT(ring_slot(f, 0)->rsp.id == 7);
	XA_EXPECT(ring_slot(f, 0)->rsp.extra == 99);

	/* It waits for a later one: no notification. */
	f->shared.sring.rsp_event = 5;
	rsp.id = 8;
	xenaccel_ring_put_response(&f->ring, &rsp, sizeof(rsp));
	XA_EXPECT(!xenaccel_ring_push_responses(&f->ring));
	XA_EXPECT(ring_slot(f, 1)->rsp.id == 8);
	XA_EXPECT(xenaccel_ring_in_flight(&f->ring) == 0);
	ok = true;
out:
	return ok;
}

static bool ring_test_final_check(void)
{
	struct ring_fixture *f = &ring_fx;
	bool ok = false;

	ring_setup(f, 0);
	ring_produce(f, 1, 0);
	XA_EXPECT(xenaccel_ring_final_check(&f->ring));
	XA_EXPECT(ring_take(f, ARRAY_SIZE(f->got)) == 1);
	/* Idle: ask for an event on the very next request. */
	XA_EXPECT(!xenaccel_ring_final_check(&f->ring));
	XA_EXPECT(f->shared.sring.req_event == 2);
	ok = true;
out:
	return ok;
}

static bool ring_test_event_after(void)
{
	struct ring_fixture *f = &ring_fx;
	bool ok = false;

	ring_setup(f, 0);
	ring_produce(f, 3, 0);
	XA_EXPECT(ring_take(f, ARRAY_SIZE(f->got)) == 3);
	/* An event once 4 more wait: the 4th request crosses req_event. */
	XA_EXPECT(!xenaccel_ring_event_after(&f->ring, 4));
	XA_EXPECT(f->shared.sring.req_event == 7);
	/* Fewer than asked for wait: still none, the caller looks later. */
	ring_produce(f, 2, 3);
	XA_EXPECT(!xenaccel_ring_event_after(&f->ring, 4));
	/* As many as asked for already wait: no event will come, look now. */
	ring_produce(f, 2, 5);
	XA_EXPECT(xenaccel_ring_event_after(&f->ring, 4));
	/* 0 means the next request, as the final check. */
	XA_EXPECT(ring_take(f, ARRAY_SIZE(f->got)) == 4);
	XA_EXPECT(!xenaccel_ring_event_after(&f->ring, 0));
	XA_EXPECT(f->shared.sring.req_event == 8);
	/* An overrun producer is reported as work, the ring stopped. */
	f->shared.sring.req_prod = 7 + f->ring.nr_slots + 1;
	XA_EXPECT(xenaccel_ring_event_after(&f->ring, 4));
	XA_EXPECT(f->ring.overrun);
	ok = true;
out:
	return ok;
}

static bool ring_test_frontend_lag(void)
{
	struct ring_fixture *f = &ring_fx;
	struct xa_test_rsp rsp = { .id = 1 };
	unsigned int i;
	bool ok = false;

	ring_setup(f, 0);
	ring_produce(f, 5, 0);
	XA_EXPECT(ring_take(f, ARRAY_SIZE(f->got)) == 5);
	for (i = 0; i < 5; i++)
		xenaccel_ring_put_response(&f->ring, &rsp, sizeof(rsp));
	/* Waiting for the first response: not behind before the push. */
	f->shared.sring.rsp_event = 1;
	XA_EXPECT(xenaccel_ring_frontend_lag(&f->ring) == 0);
	XA_EXPECT(xenaccel_ring_push_responses(&f->ring));
	/* It has not come back for any of the 5. */
	XA_EXPECT(xenaccel_ring_frontend_lag(&f->ring) == 5);
	/* It took 3 and asked for the next. */
	f->shared.sring.rsp_event = 4;
	XA_EXPECT(xenaccel_ring_frontend_lag(&f->ring) == 2);
	/* Caught up. */
	f->shared.sring.rsp_event = 6;
	XA_EXPECT(xenaccel_ring_frontend_lag(&f->ring) == 0);
	/* Hostile: an event far ahead, or further behind than the ring. */
	f->shared.sring.rsp_event = 1000;
	XA_EXPECT(xenaccel_ring_frontend_lag(&f->ring) == 0);
	f->shared.sring.rsp_event = 5 - f->ring.nr_slots - 1;
	XA_EXPECT(xenaccel_ring_frontend_lag(&f->ring) == 0);
	ok = true;
out:
	return ok;
}

static const struct xa_selftest xa_ring_tests[] = {
	{ "ring_test_geometry", ring_test_geometry },
	{ "ring_test_copy_once", ring_test_copy_once },
	{ "ring_test_bounded_batch", ring_test_bounded_batch },
	{ "ring_test_producer_overrun", ring_test_producer_overrun },
	{ "ring_test_full_ring", ring_test_full_ring },
	{ "ring_test_wraparound", ring_test_wraparound },
	{ "ring_test_responses", ring_test_responses },
	{ "ring_test_final_check", ring_test_final_check },
	{ "ring_test_event_after", ring_test_event_after },
	{ "ring_test_frontend_lag", ring_test_frontend_lag },
};
