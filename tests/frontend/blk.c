// SPDX-License-Identifier: GPL-2.0
/*
 * xafront blk: a blkif frontend in user space, well-behaved or hostile.
 *
 *   xafront blk [--dev N] [--order N] [--no-persistent] [--expect-close]
 *               [--abi x86_32] [--sync] [-v] MODE...
 *
 * Each MODE connects to the vbd (device N under device/vbd, default 51728,
 * xvdb), does its work, and closes the connection again (frontend Closing,
 * Closed, then Initialising so that the backend waits for the next one).
 * A mode prints "@@xenaccel result-MODE PASS|FAIL details" and the program
 * exits non-zero if any mode failed. Every response's padding must be zero
 * (no dom0 memory reaches the guest), in every mode.
 *
 * MODEs:
 *   rw            well-behaved: direct, partial-sector, indirect and batched
 *                 writes read back and compared, flush, the disk's last
 *                 block, then a reconnect and the data read again
 *   bad-segs      nr_segments 0, 12, 255 (and a flush with 12)
 *   bad-sect      first_sect > last_sect, last_sect > 7, also indirect
 *   beyond        sector ranges past the end of the disk, and wrapping
 *   bad-op        unknown operations
 *   indirect      indirect requests with bad segment counts or operations
 *   discard       discards out of the disk (EOPNOTSUPP when not offered)
 *   ro-disk       writes to a read-only disk (attach it with access=ro)
 *   bad-gref      invalid, revoked, foreign and read-only grant refs, and
 *                 one bad ref among good ones (direct and indirect)
 *   dup-gref      the same grant in every segment of a request
 *   double-fetch  a second thread rewrites requests while the backend
 *                 reads them; every response must match one version
 *   overflow, overflow-wrap, overflow-far
 *                 a request producer index past the ring: with
 *                 --expect-close the backend must close the device,
 *                 otherwise close it or stop answering
 *   events        the backend's event requests: for the next request
 *                 when we keep up; fewer when we fall behind, and then a
 *                 request queued without an event is still answered
 *   storm         event-channel notifications as fast as we can send
 *                 them, then the ring must still work
 *   state-flap    our xenbus state flapping through every value, then a
 *                 clean close and a working connection
 *   bad-keys      absurd ring-page-order, multi-queue-num-queues,
 *                 protocol, event-channel and ring-ref values: the
 *                 backend must refuse each, then accept a good one
 *
 * With --abi x86_32 the frontend speaks the 32-bit x86 request layout
 * (protocol "x86_32-abi": the 64-bit fields only 4-byte aligned) that a
 * 32-bit guest's blkfront uses; only the rw mode supports it. Requests are
 * built natively and converted field by field as they are published.
 *
 * With --sync, after each mode's attack and after each close, the program
 * waits for dom0 (the rig) to check the backend and acknowledge; see
 * xa_sync_point().
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "xafront.h"

#define SECT		512u
#define SECTS_PER_PAGE	(XA_PAGE_SIZE / SECT)
#define SEGS_PER_IND	(XA_PAGE_SIZE / sizeof(struct blkif_request_segment))
#define RSP_TIMEOUT	(-100)
#define RSP_BADID	(-101)
#define IO_TIMEOUT_MS	15000
/* Ring slots of the x86_32 ABI: a 108-byte request, a 12-byte response. */
#define X86_32_SLOT	108u
#define X86_32_PROTOCOL	"x86_32-abi"

/* Keys to write instead of the good ones (bad-keys). */
struct blk_keys {
	const char *ring_page_order;
	const char *num_queues;
	const char *protocol;
	const char *event_channel;
	const char *ring_ref;
};

struct blk {
	struct xa_dev d;
	unsigned int devid;
	int order;		/* ring-page-order, -1: one page, "ring-ref" */
	bool persistent;
	bool expect_close;
	bool x86_32;		/* requests in the 32-bit x86 layout */

	/* the connection */
	bool connected;
	bool ring_mapped;	/* granted, the backend may map it */
	struct xa_grant ring_g;
	blkif_front_ring_t ring;
	/* x86_32: requests as built, converted onto the ring by blk_push() */
	struct blkif_request *shadow;
	RING_IDX converted;
	evtchn_port_t port;
	bool have_port;

	/* what the backend offers */
	uint64_t sectors;
	unsigned int sector_size, info, max_indirect, max_order, max_queues;
	bool flush, discard;

	/* buffers: two pools of data pages and the indirect pages */
	struct xa_grant a, b, ind;
	uint64_t next_id;
	uint32_t gen;		/* data pattern generation */

	/* results of the current mode */
	unsigned int fails, errors, pad_bad;
	char detail[512];
};

static void note(struct blk *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct blk *b, const char *fmt, ...)
{
	size_t n = strlen(b->detail);
	va_list ap;

	if (n + 2 >= sizeof(b->detail))
		return;
	if (n)
		b->detail[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(b->detail + n, sizeof(b->detail) - n, fmt, ap);
	va_end(ap);
}

/* CHECK(b, cond, fmt, ...): count and log a failed expectation. */
#define CHECK(b, cond, ...) do {					\
	if (!(cond)) {							\
		(b)->fails++;						\
		xa_log("FAIL: " __VA_ARGS__);				\
		note((b), "FAIL:" __VA_ARGS__);				\
	}								\
} while (0)

static const char *st_name(int st)
{
	switch (st) {
	case BLKIF_RSP_OKAY: return "OKAY";
	case BLKIF_RSP_ERROR: return "ERROR";
	case BLKIF_RSP_EOPNOTSUPP: return "EOPNOTSUPP";
	case RSP_TIMEOUT: return "no-response";
	case RSP_BADID: return "wrong-id";
	default: return "?";
	}
}

/* --- data patterns: each 512-byte sector says which sector it is -------- */

static uint64_t pat_word(uint32_t gen, uint64_t sector, unsigned int i)
{
	uint64_t x = sector * 0x9e3779b97f4a7c15ull ^ ((uint64_t)gen << 32) ^ i;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return x;
}

static void pat_fill(void *buf, uint64_t sector, unsigned int nsect, uint32_t gen)
{
	uint64_t *w = buf;
	unsigned int s, i;

	for (s = 0; s < nsect; s++)
		for (i = 0; i < SECT / 8; i++)
			*w++ = pat_word(gen, sector + s, i);
}

static bool pat_check(const void *buf, uint64_t sector, unsigned int nsect,
		      uint32_t gen)
{
	const uint64_t *w = buf;
	unsigned int s, i;

	for (s = 0; s < nsect; s++)
		for (i = 0; i < SECT / 8; i++)
			if (*w++ != pat_word(gen, sector + s, i)) {
				xa_log("data mismatch at sector %" PRIu64
				       " word %u", sector + s, i);
				return false;
			}
	return true;
}

/* --- requests ------------------------------------------------------------ */

/*
 * Request ids use bytes 0, 2 and 3 only. A backend may build its response
 * in the ring slot over the request (in-tree does, since XSA-216), so the
 * response's padding bytes (9 and 12-15 of the slot) still hold bytes 1
 * and 4-7 of our id: keeping those zero lets a non-zero padding byte mean
 * that the backend put something of its own there.
 */
static uint64_t mkid(uint32_t n)
{
	return (n & 0xff) | (uint64_t)(n >> 8 & 0xffff) << 16;
}

static uint32_t unid(uint64_t id)
{
	if (id & 0xffffffff0000ff00ull)
		return UINT32_MAX;
	return (id & 0xff) | (uint32_t)(id >> 16) << 8;
}

static void rq_rw(struct blkif_request *r, uint8_t op, uint64_t sector,
		  unsigned int nseg, const uint32_t *grefs, uint8_t first,
		  uint8_t last)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->operation = op;
	r->nr_segments = nseg;
	r->sector_number = sector;
	for (i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
		r->seg[i].gref = grefs[i];
		r->seg[i].first_sect = first;
		r->seg[i].last_sect = last;
	}
}

/* An indirect request; its segments are in b->ind's pages (ind_fill). */
static void rq_ind(struct blk *b, struct blkif_request *raw, uint8_t op,
		   uint64_t sector, unsigned int nseg)
{
	struct blkif_request_indirect *r = (void *)raw;
	unsigned int i, pages = (nseg + SEGS_PER_IND - 1) / SEGS_PER_IND;

	memset(raw, 0, sizeof(*raw));
	r->operation = BLKIF_OP_INDIRECT;
	r->indirect_op = op;
	r->nr_segments = nseg;
	r->sector_number = sector;
	if (pages > BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST)
		pages = BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST;
	if (pages == 0)
		pages = 1;
	for (i = 0; i < pages; i++)
		r->indirect_grefs[i] = b->ind.refs[i];
}

static void ind_fill(struct blk *b, unsigned int nseg, const uint32_t *grefs,
		     uint8_t first, uint8_t last)
{
	struct blkif_request_segment *s = b->ind.addr;
	unsigned int i;

	for (i = 0; i < nseg && i < SEGS_PER_IND * b->ind.count; i++) {
		s[i].gref = grefs[i];
		s[i].first_sect = first;
		s[i].last_sect = last;
	}
}

static void rq_discard(struct blkif_request *raw, uint64_t sector,
		       uint64_t nr, uint8_t flag)
{
	struct blkif_request_discard *r = (void *)raw;

	memset(raw, 0, sizeof(*raw));
	r->operation = BLKIF_OP_DISCARD;
	r->flag = flag;
	r->sector_number = sector;
	r->nr_sectors = nr;
}

/* Where request @idx is built: its ring slot, or its x86_32 shadow. */
static struct blkif_request *blk_req(struct blk *b, RING_IDX idx)
{
	if (b->x86_32)
		return &b->shadow[idx & (RING_SIZE(&b->ring) - 1)];
	return RING_GET_REQUEST(&b->ring, idx);
}

/* The next free request slot, cleared. */
static struct blkif_request *blk_slot(struct blk *b)
{
	struct blkif_request *r = blk_req(b, b->ring.req_prod_pvt);

	memset(r, 0, sizeof(*r));
	b->ring.req_prod_pvt++;
	return r;
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/*
 * A native request in the x86_32 layout: operation at 0, then per kind
 * (blkif.h's packed blkif_x86_32_request_*): id at 4, sector at 12, and
 * read/write segments at 20, or indirect handle at 20, grefs at 24, or
 * discard flag at 1 and nr_sectors at 20.
 */
static void req_to_x86_32(uint8_t *dst, const struct blkif_request *r)
{
	const struct blkif_request_indirect *ri = (const void *)r;
	const struct blkif_request_discard *rd = (const void *)r;
	unsigned int i;

	memset(dst, 0, X86_32_SLOT);
	dst[0] = r->operation;
	put64(dst + 4, r->id);
	switch (r->operation) {
	case BLKIF_OP_INDIRECT:
		dst[1] = ri->indirect_op;
		put16(dst + 2, ri->nr_segments);
		put64(dst + 12, ri->sector_number);
		put16(dst + 20, ri->handle);
		for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
			put32(dst + 24 + 4 * i, ri->indirect_grefs[i]);
		break;
	case BLKIF_OP_DISCARD:
		dst[1] = rd->flag;
		put64(dst + 12, rd->sector_number);
		put64(dst + 20, rd->nr_sectors);
		break;
	default:
		dst[1] = r->nr_segments;
		put16(dst + 2, r->handle);
		put64(dst + 12, r->sector_number);
		for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
			memcpy(dst + 20 + 8 * i, &r->seg[i], 8);
		break;
	}
}

static uint8_t *x86_32_slot(struct blk *b, RING_IDX idx)
{
	return (uint8_t *)b->ring.sring->ring +
	       (size_t)(idx & (RING_SIZE(&b->ring) - 1)) * X86_32_SLOT;
}

static void blk_notify(struct blk *b)
{
	xenevtchn_notify(b->d.xce, b->port);
}

/*
 * Publish the requests written so far. Returns whether the backend asked
 * for an event for them, as RING_PUSH_REQUESTS_AND_CHECK_NOTIFY.
 */
static bool blk_publish(struct blk *b)
{
	RING_IDX old = b->ring.sring->req_prod, new = b->ring.req_prod_pvt;

	for (; b->x86_32 && b->converted != new; b->converted++)
		req_to_x86_32(x86_32_slot(b, b->converted),
			      blk_req(b, b->converted));
	xen_wmb();
	b->ring.sring->req_prod = new;
	xen_mb();
	return (RING_IDX)(new - b->ring.sring->req_event) < (RING_IDX)(new - old);
}

/* Publish the requests written so far; we always notify. */
static void blk_push(struct blk *b)
{
	blk_publish(b);
	blk_notify(b);
}

/*
 * Take up to @want responses within @timeout_ms. Checks that their
 * padding is zero: struct blkif_response is id (8 bytes), operation (1),
 * a pad byte, status (2) and 4 bytes of tail padding.
 */
static int blk_collect(struct blk *b, struct blkif_response *out, int want,
		       int timeout_ms)
{
	uint64_t end = xa_now_ms() + timeout_ms;
	int got = 0;

	while (got < want) {
		RING_IDX rp = b->ring.sring->rsp_prod;

		xen_rmb();
		if (rp - b->ring.rsp_cons > RING_SIZE(&b->ring)) {
			xa_log("backend's response producer %u is past the ring (cons %u)",
			       rp, b->ring.rsp_cons);
			b->fails++;
			note(b, "FAIL:rsp_prod-overrun");
			return got;
		}
		while (b->ring.rsp_cons != rp && got < want) {
			const uint8_t *raw;
			unsigned int i;

			if (b->x86_32) {
				/* id 0-7, operation 8, pad 9, status 10-11 */
				raw = x86_32_slot(b, b->ring.rsp_cons);
				memset(&out[got], 0, sizeof(*out));
				memcpy(&out[got].id, raw, 8);
				out[got].operation = raw[8];
				memcpy(&out[got].status, raw + 10, 2);
			} else {
				raw = (const void *)RING_GET_RESPONSE(&b->ring,
								      b->ring.rsp_cons);
				for (i = 12; i < 16; i++)
					if (raw[i])
						b->pad_bad++;
				memcpy(&out[got], raw, sizeof(*out));
			}
			if (raw[9])
				b->pad_bad++;
			got++;
			b->ring.rsp_cons++;
		}
		if (got >= want)
			break;
		b->ring.sring->rsp_event = b->ring.rsp_cons + 1;
		xen_mb();
		if (b->ring.sring->rsp_prod != b->ring.rsp_cons)
			continue;
		if (xa_now_ms() >= end)
			break;
		xa_evtchn_wait(&b->d, 20);
	}
	return got;
}

/*
 * Send one request (a 112-byte template; its id is ours) and wait for its
 * response. Returns the status, RSP_TIMEOUT or RSP_BADID.
 */
static int blk_do(struct blk *b, const struct blkif_request *tmpl)
{
	struct blkif_request *r = blk_slot(b);
	const struct blkif_request_indirect *ind = (const void *)tmpl;
	struct blkif_response rsp;
	uint64_t id = mkid(++b->next_id);

	memcpy(r, tmpl, sizeof(*r));
	r->id = id;		/* at offset 8 in every request layout */
	blk_push(b);
	if (blk_collect(b, &rsp, 1, IO_TIMEOUT_MS) != 1) {
		xa_log("no response to request %" PRIu64 " (operation %u)",
		       id, tmpl->operation);
		return RSP_TIMEOUT;
	}
	if (rsp.id != id) {
		xa_log("response id %" PRIu64 ", expected %" PRIu64, rsp.id, id);
		return RSP_BADID;
	}
	/* Indirect requests are answered with either operation. */
	if (rsp.operation != tmpl->operation &&
	    !(tmpl->operation == BLKIF_OP_INDIRECT &&
	      rsp.operation == ind->indirect_op)) {
		xa_log("response operation %u to a request of operation %u",
		       rsp.operation, tmpl->operation);
		b->fails++;
		note(b, "FAIL:rsp-op-%u-for-%u", rsp.operation, tmpl->operation);
	}
	if (rsp.status != BLKIF_RSP_OKAY)
		b->errors++;
	if (xa_verbose)
		xa_log("request %" PRIu64 " op %u: %s", id, tmpl->operation,
		       st_name(rsp.status));
	return rsp.status;
}

/* The request must be refused: ERROR or EOPNOTSUPP, nothing else. */
static void expect_refused(struct blk *b, const char *what,
			   const struct blkif_request *r)
{
	int st = blk_do(b, r);

	CHECK(b, st == BLKIF_RSP_ERROR || st == BLKIF_RSP_EOPNOTSUPP,
	      "%s:%s", what, st_name(st));
}

static void expect_ok(struct blk *b, const char *what,
		      const struct blkif_request *r)
{
	int st = blk_do(b, r);

	CHECK(b, st == BLKIF_RSP_OKAY, "%s:%s", what, st_name(st));
}

/*
 * Write @npages pages of pattern from pool @src at @sector (direct if they
 * fit in one request, else indirect), read them back into pool @dst and
 * compare. Returns true if all went well.
 */
static bool blk_rw_check(struct blk *b, const char *what, uint64_t sector,
			 unsigned int npages, bool indirect)
{
	struct blkif_request r;
	unsigned int i, fails = b->fails;

	for (i = 0; i < npages; i++)
		pat_fill(xa_grant_page(&b->a, i), sector + i * SECTS_PER_PAGE,
			 SECTS_PER_PAGE, b->gen);
	memset(b->b.addr, 0, (size_t)b->b.count * XA_PAGE_SIZE);
	if (indirect) {
		ind_fill(b, npages, b->a.refs, 0, SECTS_PER_PAGE - 1);
		rq_ind(b, &r, BLKIF_OP_WRITE, sector, npages);
	} else {
		rq_rw(&r, BLKIF_OP_WRITE, sector, npages, b->a.refs, 0,
		      SECTS_PER_PAGE - 1);
	}
	expect_ok(b, what, &r);
	if (indirect) {
		ind_fill(b, npages, b->b.refs, 0, SECTS_PER_PAGE - 1);
		rq_ind(b, &r, BLKIF_OP_READ, sector, npages);
	} else {
		rq_rw(&r, BLKIF_OP_READ, sector, npages, b->b.refs, 0,
		      SECTS_PER_PAGE - 1);
	}
	expect_ok(b, what, &r);
	for (i = 0; i < npages; i++)
		if (!pat_check(xa_grant_page(&b->b, i),
			       sector + i * SECTS_PER_PAGE, SECTS_PER_PAGE,
			       b->gen))
			break;
	CHECK(b, i == npages, "%s:data-mismatch-page-%u", what, i);
	return b->fails == fails;
}

/* A plain write and read back: is the backend still serving us? */
static void blk_control(struct blk *b, const char *what)
{
	b->gen++;
	blk_rw_check(b, what, 1024, 1, false);
}

/* --- connecting ---------------------------------------------------------- */

static void blk_release(struct blk *b)
{
	if (b->have_port)
		xa_evtchn_free(&b->d, b->port);
	b->have_port = false;
	xa_grant_free(&b->d, &b->ring_g);
	b->ring_mapped = false;
	b->connected = false;
}

/*
 * Bring the backend back to InitWait: Closing, Closed, Initialising, as a
 * frontend that goes away and comes back. Releases our ring once the
 * backend says Closed. Returns 0, or -1 (with a failure counted).
 */
static int blk_close(struct blk *b)
{
	int s = xa_be_state(&b->d);

	/* a fresh device: the backend may not have probed it yet */
	if (s <= XenbusStateInitialising && !b->ring_mapped)
		s = xa_wait_be_state(&b->d, XA_ST(XenbusStateInitWait), 30000);
	if (s == XenbusStateInitWait && !b->ring_mapped)
		return 0;
	xa_set_state(&b->d, XenbusStateClosing);
	s = xa_wait_be_state(&b->d, XA_ST(XenbusStateClosing) |
			     XA_ST(XenbusStateClosed), 15000);
	CHECK(b, s >= 0, "close:backend-state-%d-after-Closing", xa_be_state(&b->d));
	xa_set_state(&b->d, XenbusStateClosed);
	s = xa_wait_be_state(&b->d, XA_ST(XenbusStateClosed), 30000);
	CHECK(b, s >= 0, "close:backend-state-%d-not-Closed", xa_be_state(&b->d));
	blk_release(b);
	xa_set_state(&b->d, XenbusStateInitialising);
	s = xa_wait_be_state(&b->d, XA_ST(XenbusStateInitWait), 30000);
	CHECK(b, s >= 0, "reopen:backend-state-%d-not-InitWait", xa_be_state(&b->d));
	return s >= 0 ? 0 : -1;
}

static bool blk_write_keys(struct blk *b, const struct blk_keys *k)
{
	static const char *const old[] = {
		"ring-ref", "ring-page-order", "num-ring-pages", "event-channel",
		"protocol", "multi-queue-num-queues", "feature-persistent",
		"queue-0", "queue-1",
	};
	unsigned int i, npages = b->ring_g.count;
	xs_transaction_t t;
	char path[200], val[32];
	bool ok;

again:
	t = xs_transaction_start(b->d.xs);
	if (!t)
		return false;
	ok = true;
	for (i = 0; i < ARRAY_SIZE(old); i++) {
		snprintf(path, sizeof(path), "%s/%s", b->d.fe, old[i]);
		xs_rm(b->d.xs, t, path);
	}
	for (i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "%s/ring-ref%u", b->d.fe, i);
		xs_rm(b->d.xs, t, path);
	}
#define W(key, ...) do {						\
		snprintf(path, sizeof(path), "%s/%s", b->d.fe, key);	\
		snprintf(val, sizeof(val), __VA_ARGS__);		\
		ok = ok && xs_write(b->d.xs, t, path, val, strlen(val)); \
	} while (0)
	if (k && k->ring_ref) {
		W("ring-ref", "%s", k->ring_ref);
	} else if (b->order < 0 && !(k && k->ring_page_order)) {
		W("ring-ref", "%u", b->ring_g.refs[0]);
	} else {
		if (k && k->ring_page_order)
			W("ring-page-order", "%s", k->ring_page_order);
		else
			W("ring-page-order", "%d", b->order);
		for (i = 0; i < npages; i++) {
			char key[24];

			snprintf(key, sizeof(key), "ring-ref%u", i);
			W(key, "%u", b->ring_g.refs[i]);
		}
	}
	if (k && k->event_channel)
		W("event-channel", "%s", k->event_channel);
	else
		W("event-channel", "%u", b->port);
	W("protocol", "%s", k && k->protocol ? k->protocol :
			    b->x86_32 ? X86_32_PROTOCOL : XEN_IO_PROTO_ABI_X86_64);
	if (k && k->num_queues)
		W("multi-queue-num-queues", "%s", k->num_queues);
	W("feature-persistent", "%u", b->persistent);
#undef W
	if (!xs_transaction_end(b->d.xs, t, !ok)) {
		if (errno == EAGAIN)
			goto again;
		return false;
	}
	return ok;
}

/*
 * Grant a ring, write the keys (@k overrides some with bad values) and
 * go Initialised. Returns the backend state it settled in: Connected (and
 * we are too), Closing/Closed (refused), or -1 if it did neither in 30 s.
 */
static int blk_connect(struct blk *b, const struct blk_keys *k)
{
	unsigned int npages = b->order < 0 ? 1 : 1u << b->order;
	struct blkif_sring *sring;
	int s;

	if (blk_close(b))
		return -1;
	if (xa_grant_alloc(&b->d, &b->ring_g, npages, true))
		return -1;
	sring = b->ring_g.addr;
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&b->ring, sring, (size_t)npages * XA_PAGE_SIZE);
	b->ring_mapped = true;
	if (b->x86_32) {
		/* (64 B header + n x 108 B) rounds to as many slots as native. */
		free(b->shadow);
		b->shadow = calloc(RING_SIZE(&b->ring), sizeof(*b->shadow));
		if (!b->shadow)
			return -1;
		b->converted = 0;
	}
	if (xa_evtchn_alloc(&b->d, &b->port))
		return -1;
	b->have_port = true;
	if (!blk_write_keys(b, k)) {
		xa_log("writing the frontend keys failed");
		return -1;
	}
	xa_set_state(&b->d, XenbusStateInitialised);
	s = xa_wait_be_state(&b->d, XA_ST(XenbusStateConnected) |
			     XA_ST(XenbusStateClosing) | XA_ST(XenbusStateClosed),
			     30000);
	if (s != XenbusStateConnected)
		return s;

	b->sectors = xa_read_num(&b->d, 0, "%s/sectors", b->d.be);
	b->sector_size = xa_read_num(&b->d, 512, "%s/sector-size", b->d.be);
	b->info = xa_read_num(&b->d, 0, "%s/info", b->d.be);
	b->flush = xa_read_num(&b->d, 0, "%s/feature-flush-cache", b->d.be) > 0;
	b->discard = xa_read_num(&b->d, 0, "%s/feature-discard", b->d.be) > 0;
	b->max_indirect = xa_read_num(&b->d, 0, "%s/feature-max-indirect-segments",
				      b->d.be);
	if (b->max_indirect > SEGS_PER_IND * b->ind.count)
		b->max_indirect = SEGS_PER_IND * b->ind.count;
	xa_set_state(&b->d, XenbusStateConnected);
	b->connected = true;
	if (xa_verbose)
		xa_log("connected: %" PRIu64 " sectors of %u, info %#x, ring %u slots, indirect %u, flush %d, discard %d",
		       b->sectors, b->sector_size, b->info, RING_SIZE(&b->ring),
		       b->max_indirect, b->flush, b->discard);
	return s;
}

/* --- modes ----------------------------------------------------------------- */

static void mode_rw(struct blk *b)
{
	struct blkif_request r;
	struct blkif_response rsp[64];
	uint32_t old_refs[ARRAY_SIZE(b->b.refs)];
	unsigned int i, j, n, seen, reused;
	uint8_t *p, *q;

	blk_rw_check(b, "direct-1", 2048, 1, false);
	blk_rw_check(b, "direct-11", 4096, BLKIF_MAX_SEGMENTS_PER_REQUEST, false);

	/* Segments of 3, 8 and 3 sectors: offsets inside pages count. */
	pat_fill((uint8_t *)xa_grant_page(&b->a, 0) + 1 * SECT, 8192, 3, b->gen);
	pat_fill(xa_grant_page(&b->a, 1), 8195, 8, b->gen);
	pat_fill((uint8_t *)xa_grant_page(&b->a, 2) + 4 * SECT, 8203, 3, b->gen);
	rq_rw(&r, BLKIF_OP_WRITE, 8192, 3, b->a.refs, 0, 7);
	r.seg[0].first_sect = 1, r.seg[0].last_sect = 3;
	r.seg[2].first_sect = 4, r.seg[2].last_sect = 6;
	expect_ok(b, "partial-write", &r);
	memset(b->b.addr, 0, 3 * XA_PAGE_SIZE);
	rq_rw(&r, BLKIF_OP_READ, 8192, 1, b->b.refs, 0, 7);
	expect_ok(b, "partial-read", &r);
	p = xa_grant_page(&b->b, 0);
	CHECK(b, pat_check(p, 8192, 8, b->gen), "partial:data-mismatch");

	if (b->max_indirect >= BLKIF_MAX_SEGMENTS_PER_REQUEST + 1) {
		n = b->max_indirect < b->a.count ? b->max_indirect : b->a.count;
		blk_rw_check(b, "indirect", 16384, n, true);
		blk_rw_check(b, "indirect-12", 24576, 12, true);
	}

	/* A batch in flight: one request per slot, up to 32 at a time. */
	n = RING_SIZE(&b->ring) < 32 ? RING_SIZE(&b->ring) : 32;
	for (i = 0; i < n; i++) {
		pat_fill(xa_grant_page(&b->a, i), 32768 + i * 64, SECTS_PER_PAGE, b->gen);
		rq_rw(blk_slot(b), BLKIF_OP_WRITE, 32768 + i * 64, 1, &b->a.refs[i], 0, 7);
		blk_req(b, b->ring.req_prod_pvt - 1)->id = mkid(1000 + i);
	}
	blk_push(b);
	CHECK(b, blk_collect(b, rsp, n, IO_TIMEOUT_MS) == (int)n, "batch:missing-responses");
	for (i = 0, seen = 0; i < n; i++) {
		CHECK(b, rsp[i].status == BLKIF_RSP_OKAY, "batch:status-%d", rsp[i].status);
		if (unid(rsp[i].id) - 1000 < n)
			seen |= 1u << (unid(rsp[i].id) - 1000);
	}
	CHECK(b, seen == (n == 32 ? 0xffffffffu : (1u << n) - 1), "batch:ids-%#x", seen);
	for (i = 0; i < n; i++) {
		memset(xa_grant_page(&b->b, i), 0, XA_PAGE_SIZE);
		rq_rw(&r, BLKIF_OP_READ, 32768 + i * 64, 1, &b->b.refs[i], 0, 7);
		expect_ok(b, "batch-read", &r);
		CHECK(b, pat_check(xa_grant_page(&b->b, i), 32768 + i * 64, 8, b->gen),
		      "batch:data-mismatch-%u", i);
	}

	if (b->flush) {
		rq_rw(&r, BLKIF_OP_FLUSH_DISKCACHE, 0, 0, NULL, 0, 0);
		expect_ok(b, "flush", &r);
	}
	/* The disk's last page is still the disk. */
	if (b->sectors >= 2 * SECTS_PER_PAGE)
		blk_rw_check(b, "last-page", (b->sectors & ~7ull) - SECTS_PER_PAGE, 1, false);

	/*
	 * A new connection sees what the old one wrote, through new pages:
	 * the read buffer is granted afresh, usually under the same refs
	 * (the guest's grant allocator hands freed refs out again). A backend
	 * that kept the old connection's persistent mappings would read into
	 * the old pages and leave these zero.
	 */
	blk_close(b);
	memcpy(old_refs, b->b.refs, sizeof(old_refs));
	xa_grant_free(&b->d, &b->b);
	CHECK(b, xa_grant_alloc(&b->d, &b->b, ARRAY_SIZE(old_refs), true) == 0,
	      "reconnect:no-grants");
	if (!b->b.addr)
		return;
	for (i = 0, reused = 0; i < ARRAY_SIZE(old_refs); i++)
		for (j = 0; j < ARRAY_SIZE(old_refs); j++)
			reused += b->b.refs[i] == old_refs[j];
	CHECK(b, blk_connect(b, NULL) == XenbusStateConnected, "reconnect:refused");
	if (!b->connected)
		return;
	rq_rw(&r, BLKIF_OP_READ, 4096, BLKIF_MAX_SEGMENTS_PER_REQUEST, b->b.refs, 0, 7);
	expect_ok(b, "reconnect-read", &r);
	for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
		q = xa_grant_page(&b->b, i);
		if (!pat_check(q, 4096 + i * 8, 8, b->gen))
			break;
	}
	CHECK(b, i == BLKIF_MAX_SEGMENTS_PER_REQUEST, "reconnect:data-mismatch");
	note(b, "sectors=%" PRIu64 " ring=%u indirect=%u flush=%d discard=%d reused-refs=%u",
	     b->sectors, RING_SIZE(&b->ring), b->max_indirect, b->flush, b->discard,
	     reused);
}

static void mode_bad_segs(struct blk *b)
{
	struct blkif_request r;

	rq_rw(&r, BLKIF_OP_READ, 0, 0, b->b.refs, 0, 7);
	expect_refused(b, "read-0-segs", &r);
	rq_rw(&r, BLKIF_OP_WRITE, 0, 0, b->a.refs, 0, 7);
	expect_refused(b, "write-0-segs", &r);
	rq_rw(&r, BLKIF_OP_READ, 0, 11, b->b.refs, 0, 7);
	r.nr_segments = 12;
	expect_refused(b, "read-12-segs", &r);
	r.nr_segments = 255;
	expect_refused(b, "read-255-segs", &r);
	r.operation = BLKIF_OP_WRITE;
	expect_refused(b, "write-255-segs", &r);
	rq_rw(&r, BLKIF_OP_FLUSH_DISKCACHE, 0, 11, b->a.refs, 0, 7);
	r.nr_segments = 12;
	expect_refused(b, "flush-12-segs", &r);
	blk_control(b, "after");
}

static void mode_bad_sect(struct blk *b)
{
	static const uint8_t bad[][2] = { { 5, 2 }, { 0, 8 }, { 8, 8 }, { 0, 255 },
					  { 255, 255 }, { 7, 0 } };
	struct blkif_request r;
	unsigned int i;
	char what[32];

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(what, sizeof(what), "read-%u-%u", bad[i][0], bad[i][1]);
		rq_rw(&r, BLKIF_OP_READ, 0, 1, b->b.refs, bad[i][0], bad[i][1]);
		expect_refused(b, what, &r);
		/* the same as the middle segment of three */
		rq_rw(&r, BLKIF_OP_WRITE, 0, 3, b->a.refs, 0, 7);
		r.seg[1].first_sect = bad[i][0];
		r.seg[1].last_sect = bad[i][1];
		snprintf(what, sizeof(what), "write-mid-%u-%u", bad[i][0], bad[i][1]);
		expect_refused(b, what, &r);
		if (b->max_indirect >= 16) {
			ind_fill(b, 16, b->b.refs, 0, 7);
			((struct blkif_request_segment *)b->ind.addr)[9].first_sect = bad[i][0];
			((struct blkif_request_segment *)b->ind.addr)[9].last_sect = bad[i][1];
			rq_ind(b, &r, BLKIF_OP_READ, 0, 16);
			snprintf(what, sizeof(what), "indirect-%u-%u", bad[i][0], bad[i][1]);
			expect_refused(b, what, &r);
		}
	}
	blk_control(b, "after");
}

static void mode_beyond(struct blk *b)
{
	uint64_t end = b->sectors;
	struct blkif_request r;

	CHECK(b, end >= 1024, "disk-too-small-%" PRIu64, end);
	rq_rw(&r, BLKIF_OP_READ, end - 8, 1, b->b.refs, 0, 7);
	expect_ok(b, "read-last-page", &r);
	rq_rw(&r, BLKIF_OP_READ, end, 1, b->b.refs, 0, 7);
	expect_refused(b, "read-at-end", &r);
	rq_rw(&r, BLKIF_OP_READ, end - 4, 1, b->b.refs, 0, 7);
	expect_refused(b, "read-across-end", &r);
	rq_rw(&r, BLKIF_OP_READ, end - 1, 1, b->b.refs, 0, 0);
	expect_ok(b, "read-last-sector", &r);
	rq_rw(&r, BLKIF_OP_READ, end, 1, b->b.refs, 0, 0);
	expect_refused(b, "read-one-past", &r);
	rq_rw(&r, BLKIF_OP_WRITE, end, 1, b->a.refs, 0, 7);
	expect_refused(b, "write-at-end", &r);
	rq_rw(&r, BLKIF_OP_READ, UINT64_MAX - 7, 1, b->b.refs, 0, 7);
	expect_refused(b, "read-wrapping", &r);
	rq_rw(&r, BLKIF_OP_WRITE, UINT64_MAX - 3, 1, b->a.refs, 0, 7);
	expect_refused(b, "write-wrapping", &r);
	rq_rw(&r, BLKIF_OP_READ, 1ull << 63, 1, b->b.refs, 0, 7);
	expect_refused(b, "read-2^63", &r);
	rq_rw(&r, BLKIF_OP_WRITE, end - 80, 11, b->a.refs, 0, 7);
	expect_refused(b, "write-11-across-end", &r);
	if (b->max_indirect >= 32) {
		ind_fill(b, 32, b->b.refs, 0, 7);
		rq_ind(b, &r, BLKIF_OP_READ, end - 200, 32);
		expect_refused(b, "indirect-across-end", &r);
		rq_ind(b, &r, BLKIF_OP_READ, UINT64_MAX - 100, 32);
		expect_refused(b, "indirect-wrapping", &r);
	}
	blk_control(b, "after");
}

static void mode_bad_op(struct blk *b)
{
	static const uint8_t ops[] = { BLKIF_OP_RESERVED_1, 7, 8, 9, 0x40, 0x7f,
				       0x80, 0xfe, 0xff };
	struct blkif_request r;
	unsigned int i, notsupp = 0;
	char what[16];
	int st;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		rq_rw(&r, ops[i], 0, 1, b->b.refs, 0, 7);
		snprintf(what, sizeof(what), "op-%u", ops[i]);
		st = blk_do(b, &r);
		CHECK(b, st == BLKIF_RSP_ERROR || st == BLKIF_RSP_EOPNOTSUPP,
		      "%s:%s", what, st_name(st));
		notsupp += st == BLKIF_RSP_EOPNOTSUPP;
	}
	note(b, "eopnotsupp=%u/%zu", notsupp, ARRAY_SIZE(ops));
	blk_control(b, "after");
}

static void mode_indirect(struct blk *b)
{
	static const uint8_t bad_ops[] = { BLKIF_OP_WRITE_BARRIER,
					   BLKIF_OP_FLUSH_DISKCACHE,
					   BLKIF_OP_DISCARD, BLKIF_OP_INDIRECT,
					   BLKIF_OP_RESERVED_1, 0xff };
	unsigned int max = b->max_indirect, i;
	struct blkif_request r;
	char what[32];

	ind_fill(b, SEGS_PER_IND * b->ind.count, b->b.refs, 0, 7);
	/* nr_segments is u16: up to 65535, far beyond 8 pages */
	for (i = 0; i < 5; i++) {
		static const unsigned int counts[] = { 0, 1, 4096, 4097, 65535 };
		unsigned int n = counts[i] == 1 ? max + 1 : counts[i];

		if (n <= max && n != 0)
			continue;
		rq_ind(b, &r, BLKIF_OP_READ, 0, n);
		snprintf(what, sizeof(what), "read-%u-segs", n);
		expect_refused(b, what, &r);
		rq_ind(b, &r, BLKIF_OP_WRITE, 0, n);
		snprintf(what, sizeof(what), "write-%u-segs", n);
		expect_refused(b, what, &r);
	}
	for (i = 0; i < ARRAY_SIZE(bad_ops); i++) {
		rq_ind(b, &r, bad_ops[i], 0, 8);
		snprintf(what, sizeof(what), "indirect-op-%u", bad_ops[i]);
		expect_refused(b, what, &r);
	}
	if (max >= 16) {
		/* the control: a good indirect read still works */
		ind_fill(b, 16, b->b.refs, 0, 7);
		rq_ind(b, &r, BLKIF_OP_READ, 0, 16);
		expect_ok(b, "indirect-read", &r);
	} else {
		note(b, "backend-offers-no-indirect");
	}
	blk_control(b, "after");
}

static void mode_discard(struct blk *b)
{
	uint64_t end = b->sectors;
	struct blkif_request r;
	int st;

	if (!b->discard) {
		rq_discard(&r, 0, 8, 0);
		expect_refused(b, "unoffered-discard", &r);
		rq_discard(&r, end, 8, 0);
		expect_refused(b, "unoffered-discard-past-end", &r);
		note(b, "discard-not-offered");
	} else {
		rq_discard(&r, 0, 8, 0);
		expect_ok(b, "discard", &r);
		rq_discard(&r, end, 8, 0);
		expect_refused(b, "discard-at-end", &r);
		rq_discard(&r, end - 8, 16, 0);
		expect_refused(b, "discard-across-end", &r);
	}
	rq_discard(&r, UINT64_MAX - 7, 16, 0);
	expect_refused(b, "discard-wrapping", &r);
	rq_discard(&r, 0, UINT64_MAX, 0);
	expect_refused(b, "discard-huge", &r);
	rq_discard(&r, 8, 8, 0xff);
	st = blk_do(b, &r);
	CHECK(b, st != RSP_TIMEOUT && st != RSP_BADID, "discard-flags:%s", st_name(st));
	rq_discard(&r, 0, 0, 0);
	st = blk_do(b, &r);
	CHECK(b, st != RSP_TIMEOUT && st != RSP_BADID, "discard-0:%s", st_name(st));
	blk_control(b, "after");
}

static void mode_ro_disk(struct blk *b)
{
	struct blkif_request r;
	char *mode = xa_read(&b->d, "%s/mode", b->d.be);
	uint8_t before[XA_PAGE_SIZE];
	int st;

	CHECK(b, mode && mode[0] == 'r', "disk-not-read-only(mode=%s)", mode ? mode : "?");
	free(mode);
	CHECK(b, b->info & VDISK_READONLY, "info-without-VDISK_READONLY");
	rq_rw(&r, BLKIF_OP_READ, 0, 1, b->b.refs, 0, 7);
	expect_ok(b, "read", &r);
	memcpy(before, b->b.addr, sizeof(before));
	memset(b->a.addr, 0xee, XA_PAGE_SIZE);
	rq_rw(&r, BLKIF_OP_WRITE, 0, 1, b->a.refs, 0, 7);
	expect_refused(b, "write", &r);
	if (b->max_indirect >= 16) {
		ind_fill(b, 16, b->a.refs, 0, 7);
		rq_ind(b, &r, BLKIF_OP_WRITE, 0, 16);
		expect_refused(b, "indirect-write", &r);
	}
	rq_discard(&r, 0, 8, 0);
	expect_refused(b, "discard", &r);
	rq_rw(&r, BLKIF_OP_WRITE_BARRIER, 0, 1, b->a.refs, 0, 7);
	expect_refused(b, "barrier-write", &r);
	rq_rw(&r, BLKIF_OP_FLUSH_DISKCACHE, 0, 1, b->a.refs, 0, 7);
	expect_refused(b, "flush-write", &r);
	rq_rw(&r, BLKIF_OP_FLUSH_DISKCACHE, 0, 0, NULL, 0, 0);
	st = blk_do(b, &r);
	note(b, "empty-flush=%s", st_name(st));
	memset(b->b.addr, 0, XA_PAGE_SIZE);
	rq_rw(&r, BLKIF_OP_READ, 0, 1, b->b.refs, 0, 7);
	expect_ok(b, "read-again", &r);
	CHECK(b, !memcmp(before, b->b.addr, sizeof(before)), "disk-changed");
}

static void mode_bad_gref(struct blk *b)
{
	static const uint32_t junk[] = { 0xffffffffu, 0x7fffffffu, 0xffff0000u,
					 1u << 20 };
	struct xa_grant g, fg;
	struct blkif_request r;
	uint32_t refs[BLKIF_MAX_SEGMENTS_PER_REQUEST], revoked;
	unsigned int i;
	char what[32];
	uint8_t *p;

	for (i = 0; i < ARRAY_SIZE(junk); i++) {
		snprintf(what, sizeof(what), "read-gref-%#x", junk[i]);
		rq_rw(&r, BLKIF_OP_READ, 0, 1, &junk[i], 0, 7);
		expect_refused(b, what, &r);
		snprintf(what, sizeof(what), "write-gref-%#x", junk[i]);
		r.operation = BLKIF_OP_WRITE;
		expect_refused(b, what, &r);
	}

	/* revoked: granted, then the grant ended */
	if (xa_grant_alloc(&b->d, &g, 1, true) == 0) {
		revoked = g.refs[0];
		xa_grant_free(&b->d, &g);
		rq_rw(&r, BLKIF_OP_READ, 0, 1, &revoked, 0, 7);
		expect_refused(b, "read-revoked", &r);
		r.operation = BLKIF_OP_WRITE;
		expect_refused(b, "write-revoked", &r);
		/* one bad among good ones */
		memcpy(refs, b->b.refs, sizeof(refs));
		refs[6] = revoked;
		memset(b->b.addr, 0xa5, 11 * XA_PAGE_SIZE);
		rq_rw(&r, BLKIF_OP_READ, 0, 11, refs, 0, 7);
		expect_refused(b, "read-one-revoked-of-11", &r);
		if (b->max_indirect >= 64) {
			uint32_t many[64];

			memcpy(many, b->b.refs, sizeof(many));
			many[37] = revoked;
			ind_fill(b, 64, many, 0, 7);
			rq_ind(b, &r, BLKIF_OP_READ, 0, 64);
			expect_refused(b, "indirect-one-revoked-of-64", &r);
			ind_fill(b, 64, b->a.refs, 0, 7);
			rq_ind(b, &r, BLKIF_OP_WRITE, 0, 64);
			((struct blkif_request_indirect *)&r)->indirect_grefs[0] = revoked;
			expect_refused(b, "indirect-page-revoked", &r);
		}
	}

	/* foreign: granted to another domain (ourselves), not the backend */
	fg.addr = xengntshr_share_pages(b->d.gs, b->d.domid, 1, fg.refs, 1);
	if (fg.addr) {
		rq_rw(&r, BLKIF_OP_READ, 0, 1, fg.refs, 0, 7);
		expect_refused(b, "read-foreign", &r);
		r.operation = BLKIF_OP_WRITE;
		expect_refused(b, "write-foreign", &r);
		xengntshr_unshare(b->d.gs, fg.addr, 1);
	} else {
		note(b, "no-foreign-grant");
	}

	/* read-only: a read would make the backend write to it */
	if (xa_grant_alloc(&b->d, &g, 1, false) == 0) {
		memset(g.addr, 0x5a, XA_PAGE_SIZE);
		rq_rw(&r, BLKIF_OP_READ, 0, 1, g.refs, 0, 7);
		expect_refused(b, "read-into-readonly", &r);
		for (p = g.addr, i = 0; i < XA_PAGE_SIZE && p[i] == 0x5a; i++)
			;
		CHECK(b, i == XA_PAGE_SIZE, "readonly-page-written");
		rq_rw(&r, BLKIF_OP_WRITE, 4096, 1, g.refs, 0, 7);
		note(b, "write-from-readonly=%s", st_name(blk_do(b, &r)));
		xa_grant_free(&b->d, &g);
	}
	blk_control(b, "after");
}

static void mode_dup_gref(struct blk *b)
{
	uint32_t refs[64];
	struct blkif_request r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(refs); i++)
		refs[i] = b->a.refs[0];
	b->gen++;
	pat_fill(b->a.addr, 40960, SECTS_PER_PAGE, b->gen);
	/* eleven times the same page: every page of the disk range gets it */
	rq_rw(&r, BLKIF_OP_WRITE, 40960, 11, refs, 0, 7);
	expect_ok(b, "write-11-same", &r);
	for (i = 0; i < 11; i++) {
		memset(b->b.addr, 0, XA_PAGE_SIZE);
		rq_rw(&r, BLKIF_OP_READ, 40960 + i * 8, 1, b->b.refs, 0, 7);
		expect_ok(b, "read-back", &r);
		CHECK(b, pat_check(b->b.addr, 40960, 8, b->gen), "dup:page-%u-differs", i);
	}
	for (i = 0; i < ARRAY_SIZE(refs); i++)
		refs[i] = b->b.refs[0];
	rq_rw(&r, BLKIF_OP_READ, 40960, 11, refs, 0, 7);
	expect_ok(b, "read-11-same", &r);
	if (b->max_indirect >= 64) {
		ind_fill(b, 64, refs, 0, 7);
		rq_ind(b, &r, BLKIF_OP_READ, 40960, 64);
		expect_ok(b, "indirect-read-64-same", &r);
	}
	blk_control(b, "after");
}

/* --- double fetch ---------------------------------------------------------- */

#define DF_OP_BOGUS	0x77

struct df_ctx {
	struct blk *b;
	struct xa_rewriter rw;	/* the second thread */
	RING_IDX from, to;	/* the slots to rewrite */
	unsigned int k;
	bool indirect;
};

/*
 * The second thread's pass: flip each request between its good version
 * and bad ones (unknown operation, too many segments, a bad sector
 * range), and the indirect segments between good and malformed, field by
 * field, without touching the bytes that carry the id (see
 * mode_double_fetch).
 */
static void df_pass(void *arg)
{
	struct df_ctx *c = arg;
	struct blk *b = c->b;
	unsigned int k;
	RING_IDX i;

	for (i = c->from; i != c->to && xa_rewriter_running(&c->rw); i++) {
		volatile struct blkif_request *r =
			(volatile void *)RING_GET_REQUEST(&b->ring, i);

		k = ++c->k;
		if (c->indirect) {
			volatile struct blkif_request_indirect *ri = (volatile void *)r;
			volatile struct blkif_request_segment *s = b->ind.addr;

			ri->nr_segments = (k & 1) ? 16 : 5000;
			ri->indirect_op = (k & 8) ? BLKIF_OP_READ : DF_OP_BOGUS;
			s[k % 16].last_sect = (k & 2) ? 7 : 9;
			s[(k + 5) % 16].first_sect = (k & 4) ? 0 : 200;
		} else {
			r->operation = (k & 1) ? BLKIF_OP_READ : DF_OP_BOGUS;
			r->nr_segments = (k & 2) ? 1 : 200;
			r->seg[0].last_sect = (k & 4) ? 7 : 9;
			r->sector_number = (k & 8) ? 0 : ~0ull - 3;
		}
	}
	/* and leave them good for a moment */
	for (i = c->from; i != c->to && xa_rewriter_running(&c->rw); i++) {
		volatile struct blkif_request *r =
			(volatile void *)RING_GET_REQUEST(&b->ring, i);

		if (c->indirect) {
			((volatile struct blkif_request_indirect *)r)->nr_segments = 16;
			((volatile struct blkif_request_indirect *)r)->indirect_op = BLKIF_OP_READ;
		} else {
			r->operation = BLKIF_OP_READ;
			r->nr_segments = 1;
			r->seg[0].last_sect = 7;
			r->sector_number = 0;
		}
	}
}

static void mode_double_fetch(struct blk *b)
{
	struct df_ctx c = { .b = b };
	struct blkif_response rsp[64];
	unsigned int n, i, round, ok = 0, err = 0, nots = 0, rounds = 200;
	int got;

	/* sector 0 holds a known pattern; good reads must return it */
	b->gen++;
	blk_rw_check(b, "setup", 0, 1, false);
	if (xa_rewriter_start(&c.rw, df_pass, &c)) {
		CHECK(b, 0, "pthread_create");
		return;
	}
	n = RING_SIZE(&b->ring) < 32 ? RING_SIZE(&b->ring) : 32;
	for (round = 0; round < rounds && !b->fails; round++) {
		xa_rewriter_pause(&c.rw);
		c.indirect = b->max_indirect >= 16 && (round & 1);
		if (c.indirect) {
			ind_fill(b, 16, b->b.refs, 0, 7);
			for (i = 1; i < 16; i++)
				((struct blkif_request_segment *)b->ind.addr)[i].gref = b->b.refs[i];
		}
		c.from = b->ring.req_prod_pvt;
		for (i = 0; i < n; i++) {
			struct blkif_request *r = blk_slot(b);

			memset(xa_grant_page(&b->b, i), 0, XA_PAGE_SIZE);
			if (c.indirect)
				rq_ind(b, r, BLKIF_OP_READ, 0, 16);
			else
				rq_rw(r, BLKIF_OP_READ, 0, 1, &b->b.refs[i], 0, 7);
			/*
			 * Responses land in these slots while the thread still
			 * rewrites them: the id goes where it does not write
			 * (bytes 0-1 or 1-3 are the response's id bytes 0-1 or
			 * 1-3), and where the padding check does not look.
			 */
			r->id = c.indirect ? i : (uint64_t)i << 16;
		}
		c.to = b->ring.req_prod_pvt;
		xa_rewriter_go(&c.rw);
		blk_push(b);
		got = blk_collect(b, rsp, n, IO_TIMEOUT_MS);
		xa_rewriter_pause(&c.rw);
		CHECK(b, got == (int)n, "round-%u:%d-of-%u-responses", round, got, n);
		for (i = 0; i < (unsigned int)got; i++) {
			unsigned int id = rsp[i].id & 0xffffffff00000000ull ? ~0u :
					  c.indirect ? rsp[i].id & 0xff : rsp[i].id >> 16 & 0xffff;
			uint8_t op = rsp[i].operation;
			int st = rsp[i].status;

			CHECK(b, id < n, "round-%u:unknown-id-%" PRIu64, round, rsp[i].id);
			if (c.indirect) {
				CHECK(b, ((op == BLKIF_OP_READ || op == BLKIF_OP_INDIRECT) &&
				       (st == BLKIF_RSP_OKAY || st == BLKIF_RSP_ERROR)) ||
				      (op == DF_OP_BOGUS && st != BLKIF_RSP_OKAY),
				      "round-%u:indirect-op-%u-status-%d", round, op, st);
			} else if (op == DF_OP_BOGUS) {
				CHECK(b, st == BLKIF_RSP_EOPNOTSUPP || st == BLKIF_RSP_ERROR,
				      "round-%u:bogus-op-status-%d", round, st);
			} else {
				CHECK(b, op == BLKIF_OP_READ &&
				      (st == BLKIF_RSP_OKAY || st == BLKIF_RSP_ERROR),
				      "round-%u:op-%u-status-%d", round, op, st);
				/* a good read read sector 0 */
				if (st == BLKIF_RSP_OKAY && id < n)
					CHECK(b, pat_check(xa_grant_page(&b->b, id), 0, 8, b->gen),
					      "round-%u:okay-read-with-wrong-data", round);
			}
			ok += st == BLKIF_RSP_OKAY;
			err += st == BLKIF_RSP_ERROR;
			nots += st == BLKIF_RSP_EOPNOTSUPP;
		}
	}
	xa_rewriter_stop(&c.rw);
	note(b, "rounds=%u okay=%u error=%u eopnotsupp=%u", round, ok, err, nots);
	b->errors += err + nots;
	blk_control(b, "after");
}

/* --- the ring and the event channel -------------------------------------- */

/* Notifications as fast as we can (storm), or a steady stream (overflow). */
static void notify_storm(void *arg)
{
	struct blk *b = arg;
	unsigned int i;

	for (i = 0; i < 1000; i++)
		blk_notify(b);
	xa_msleep(1);
}

static void notify_some(void *arg)
{
	struct blk *b = arg;
	unsigned int i;

	for (i = 0; i < 50; i++)
		blk_notify(b);
	xa_msleep(5);
}

/* The producer index goes @ahead past the last request we made. */
static void mode_overflow(struct blk *b, RING_IDX ahead, const char *how)
{
	RING_IDX prod;
	struct blkif_response rsp;
	RING_IDX rsp_prod;
	int s, i;

	blk_control(b, "before");
	if (b->fails)
		return;
	rsp_prod = b->ring.sring->rsp_prod;
	prod = b->ring.req_prod_pvt + ahead;
	/* requests that look fine, so only the index is wrong */
	for (i = 0; i < (int)RING_SIZE(&b->ring); i++)
		rq_rw(RING_GET_REQUEST(&b->ring, i), BLKIF_OP_READ, 0, 1, b->b.refs, 0, 7);
	xen_wmb();
	b->ring.sring->req_prod = prod;
	xen_mb();
	blk_notify(b);
	s = xa_wait_be_state(&b->d, XA_ST(XenbusStateClosing) | XA_ST(XenbusStateClosed),
			     b->expect_close ? 20000 : 5000);
	if (s >= 0) {
		note(b, "%s:backend-closed-the-device(state-%d)", how, s);
	} else {
		CHECK(b, !b->expect_close, "%s:backend-state-%d-not-Closing", how,
		      xa_be_state(&b->d));
		/* then it must at least have stopped answering */
		CHECK(b, blk_collect(b, &rsp, 1, 3000) == 0 &&
		      b->ring.sring->rsp_prod == rsp_prod,
		      "%s:backend-answered-an-overrun-ring", how);
		note(b, "%s:backend-halted-the-ring(state-%d)", how, xa_be_state(&b->d));
	}
}

static void mode_overflow_just(struct blk *b)
{
	mode_overflow(b, RING_SIZE(&b->ring) + 1, "overflow");
}

static void mode_overflow_wrap(struct blk *b)
{
	mode_overflow(b, -1, "overflow-wrap");
}

static void mode_overflow_far(struct blk *b)
{
	mode_overflow(b, 0x80000000u, "overflow-far");
}

/*
 * Wait until @n responses past the ones we took are published, taking
 * none and asking for no event: a frontend busy elsewhere.
 */
static bool blk_wait_published(struct blk *b, unsigned int n, int timeout_ms)
{
	uint64_t end = xa_now_ms() + timeout_ms;

	while ((RING_IDX)(b->ring.sring->rsp_prod - b->ring.rsp_cons) < n) {
		if (xa_now_ms() >= end)
			return false;
		usleep(50);
	}
	xen_rmb();
	return true;
}

/* Queue a one-page read of sector @sector into page @page of pool b. */
static void blk_queue_read(struct blk *b, uint64_t sector, unsigned int page)
{
	struct blkif_request *r = blk_slot(b);

	rq_rw(r, BLKIF_OP_READ, sector, 1, &b->b.refs[page], 0, 7);
	r->id = mkid(++b->next_id);
}

/* Take every published response, all OKAY, and ask for the next event. */
static void blk_catch_up(struct blk *b, const char *what)
{
	struct blkif_response rsp[32];
	int n, i;

	while ((n = b->ring.sring->rsp_prod - b->ring.rsp_cons) > 0) {
		n = blk_collect(b, rsp, n < 32 ? n : 32, IO_TIMEOUT_MS);
		for (i = 0; i < n; i++)
			CHECK(b, rsp[i].status == BLKIF_RSP_OKAY, "%s:status-%d",
			      what, rsp[i].status);
		if (n == 0)
			break;
	}
	b->ring.sring->rsp_event = b->ring.rsp_cons + 1;
	xen_mb();
}

#define EVENTS_BEHIND 16

/*
 * What the backend asks of our events. Caught up (every response taken,
 * the next asked for), we must be asked to notify for our very next
 * request: req_event at most one past req_prod. Behind on 16 responses,
 * a backend may ask for an event only every few requests (xenaccel's
 * coalesce_us); a request we then queue without notifying must still be
 * answered, by the backend's own look. "quiet=N" counts those requests:
 * the rig expects some from xenaccel, none from in-tree.
 */
static void mode_events(struct blk *b)
{
	unsigned int i, tries, quiet = 0;
	RING_IDX ahead;

	if (RING_SIZE(&b->ring) < EVENTS_BEHIND + 2) {
		note(b, "FAIL:ring-of-%u-too-small", RING_SIZE(&b->ring));
		b->fails++;
		return;
	}
	for (i = 0; i < 16; i++) {
		blk_queue_read(b, i * SECTS_PER_PAGE, 0);
		blk_push(b);
		CHECK(b, blk_wait_published(b, 1, IO_TIMEOUT_MS), "caught-up:no-response");
		blk_catch_up(b, "caught-up");
		/* Long enough for the backend to ask for its next event. */
		usleep(2000);
		ahead = b->ring.sring->req_event - b->ring.req_prod_pvt;
		CHECK(b, ahead <= 1, "caught-up:req_event-%u-ahead", ahead);
	}
	for (tries = 0; tries < 10 && quiet < 3 && !b->fails; tries++) {
		/* 16 answered and none taken: we are behind. */
		for (i = 0; i < EVENTS_BEHIND; i++)
			blk_queue_read(b, i * SECTS_PER_PAGE, i);
		blk_push(b);
		CHECK(b, blk_wait_published(b, EVENTS_BEHIND, IO_TIMEOUT_MS),
		      "behind:no-responses");
		/* One more, answered while we are still behind. */
		blk_queue_read(b, 0, EVENTS_BEHIND);
		blk_push(b);
		CHECK(b, blk_wait_published(b, EVENTS_BEHIND + 1, IO_TIMEOUT_MS),
		      "behind:no-response");
		usleep(500);
		/* And the next, with an event only if the backend asked. */
		blk_queue_read(b, 8, EVENTS_BEHIND + 1);
		if (blk_publish(b))
			blk_notify(b);
		else
			quiet++;
		CHECK(b, blk_wait_published(b, EVENTS_BEHIND + 2, 5000),
		      "behind:request-without-event-unanswered");
		blk_catch_up(b, "behind");
	}
	note(b, "quiet=%u tries=%u", quiet, tries);
}

/* The storm itself runs while dom0 watches (run_mode's sync point). */
static void mode_storm(struct blk *b)
{
	blk_control(b, "before");
}

/*
 * Our state through every value, fast, with a granted ring. (Not through
 * Unknown or an unparsable value: the backend rightly takes those for a
 * frontend gone for good and removes the device.)
 */
static void mode_state_flap(struct blk *b)
{
	static const int seq[] = { 3, 4, 1, 3, 5, 3, 4, 6, 1, 3, 2, 7, 8, 4, 5, 6, 1,
				   3, 9, 1, 4, 3, 1000, 1 };
	unsigned int i, r;
	char path[160];
	int s;

	snprintf(path, sizeof(path), "%s/state", b->d.fe);
	for (r = 0; r < 50; r++) {
		for (i = 0; i < ARRAY_SIZE(seq); i++)
			xa_write(&b->d, path, "%d", seq[i]);
		xa_msleep(r % 5);
	}
	/* settle: a frontend going away */
	xa_set_state(&b->d, XenbusStateClosing);
	xa_wait_be_state(&b->d, XA_ST(XenbusStateClosing) | XA_ST(XenbusStateClosed), 15000);
	xa_set_state(&b->d, XenbusStateClosed);
	s = xa_wait_be_state(&b->d, XA_ST(XenbusStateClosed), 30000);
	CHECK(b, s >= 0, "backend-state-%d-after-Closed", xa_be_state(&b->d));
	blk_release(b);
	xa_set_state(&b->d, XenbusStateInitialising);
	s = xa_wait_be_state(&b->d, XA_ST(XenbusStateInitWait), 30000);
	CHECK(b, s >= 0, "backend-state-%d-not-InitWait", xa_be_state(&b->d));
	CHECK(b, blk_connect(b, NULL) == XenbusStateConnected, "no-connection-after-flapping");
	if (b->connected)
		blk_control(b, "after");
}

static void mode_bad_keys(struct blk *b)
{
	char order_plus[16], queues_plus[16];
	const struct {
		const char *what;
		struct blk_keys k;
	} cases[] = {
		{ "ring-page-order=99", { .ring_page_order = "99" } },
		{ "ring-page-order=max+1", { .ring_page_order = order_plus } },
		{ "ring-page-order=4294967295", { .ring_page_order = "4294967295" } },
		{ "ring-page-order=-1", { .ring_page_order = "-1" } },
		{ "ring-page-order=junk", { .ring_page_order = "junk" } },
		{ "multi-queue-num-queues=0", { .num_queues = "0" } },
		{ "multi-queue-num-queues=max+1", { .num_queues = queues_plus } },
		{ "multi-queue-num-queues=1000", { .num_queues = "1000" } },
		{ "multi-queue-num-queues=4294967295", { .num_queues = "4294967295" } },
		{ "protocol=bogus", { .protocol = "bogus-abi" } },
		{ "event-channel=99999", { .event_channel = "99999" } },
		{ "event-channel=junk", { .event_channel = "junk" } },
		{ "ring-ref=0xffffffff", { .ring_ref = "4294967295" } },
		{ "ring-ref=junk", { .ring_ref = "junk" } },
	};
	unsigned int i;
	int s;

	b->max_order = xa_read_num(&b->d, 0, "%s/max-ring-page-order", b->d.be);
	b->max_queues = xa_read_num(&b->d, 1, "%s/multi-queue-max-queues", b->d.be);
	snprintf(order_plus, sizeof(order_plus), "%u", b->max_order + 1);
	snprintf(queues_plus, sizeof(queues_plus), "%u", b->max_queues + 1);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		s = blk_connect(b, &cases[i].k);
		CHECK(b, s == XenbusStateClosing || s == XenbusStateClosed,
		      "%s:backend-state-%d", cases[i].what, s);
		if (s == XenbusStateConnected)
			b->connected = false;	/* we never went Connected */
		blk_close(b);
	}
	note(b, "%zu-refused", ARRAY_SIZE(cases));
	CHECK(b, blk_connect(b, NULL) == XenbusStateConnected, "good-keys-refused");
	if (b->connected)
		blk_control(b, "after");
}

/* --- the driver ------------------------------------------------------------ */

enum { M_CONNECTED = 1, M_SELF = 2 };

static const struct {
	const char *name;
	void (*fn)(struct blk *b);
	int how;
} modes[] = {
	{ "rw", mode_rw, M_CONNECTED },
	{ "bad-segs", mode_bad_segs, M_CONNECTED },
	{ "bad-sect", mode_bad_sect, M_CONNECTED },
	{ "beyond", mode_beyond, M_CONNECTED },
	{ "bad-op", mode_bad_op, M_CONNECTED },
	{ "indirect", mode_indirect, M_CONNECTED },
	{ "discard", mode_discard, M_CONNECTED },
	{ "ro-disk", mode_ro_disk, M_CONNECTED },
	{ "bad-gref", mode_bad_gref, M_CONNECTED },
	{ "dup-gref", mode_dup_gref, M_CONNECTED },
	{ "double-fetch", mode_double_fetch, M_CONNECTED },
	{ "overflow", mode_overflow_just, M_CONNECTED },
	{ "overflow-wrap", mode_overflow_wrap, M_CONNECTED },
	{ "overflow-far", mode_overflow_far, M_CONNECTED },
	{ "events", mode_events, M_CONNECTED },
	{ "storm", mode_storm, M_CONNECTED },
	{ "state-flap", mode_state_flap, M_CONNECTED },
	{ "bad-keys", mode_bad_keys, M_SELF },
};

static int run_mode(struct blk *b, const char *name)
{
	unsigned int i;
	char tag[64];
	int s;

	for (i = 0; i < ARRAY_SIZE(modes); i++)
		if (!strcmp(modes[i].name, name))
			break;
	if (i == ARRAY_SIZE(modes)) {
		xa_log("unknown mode %s", name);
		return -1;
	}
	b->fails = b->errors = b->pad_bad = 0;
	b->detail[0] = 0;
	b->gen = (uint32_t)xa_now_ms() ^ (i << 24);
	xa_log("mode %s", name);

	if (modes[i].how == M_CONNECTED) {
		s = blk_connect(b, NULL);
		CHECK(b, s == XenbusStateConnected, "connect:backend-state-%d", s);
	}
	if (b->fails == 0)
		modes[i].fn(b);

	/* dom0 checks the backend with the attack still on */
	snprintf(tag, sizeof(tag), "%s-attacked", name);
	if (xa_sync)
		xa_say("stats-%s errors=%u fails=%u", name, b->errors, b->fails);
	if (!b->connected)
		xa_sync_point(&b->d, tag, NULL, NULL);
	else if (!strcmp(name, "storm"))
		xa_sync_point(&b->d, tag, notify_storm, b);
	else if (!strncmp(name, "overflow", 8))
		xa_sync_point(&b->d, tag, notify_some, b);
	else
		xa_sync_point(&b->d, tag, NULL, NULL);
	if (!strcmp(name, "storm") && b->connected)
		blk_control(b, "after-storm");

	blk_close(b);
	snprintf(tag, sizeof(tag), "%s-closed", name);
	xa_sync_point(&b->d, tag, NULL, NULL);

	CHECK(b, b->pad_bad == 0, "response-padding-not-zero(%u-bytes)", b->pad_bad);
	xa_say("result-%s %s errors=%u %s", name, b->fails ? "FAIL" : "PASS",
	       b->errors, b->detail);
	return b->fails ? 1 : 0;
}

int xa_blk_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "order", required_argument, NULL, 'o' },
		{ "no-persistent", no_argument, NULL, 'P' },
		{ "expect-close", no_argument, NULL, 'c' },
		{ "abi", required_argument, NULL, 'a' },
		{ "sync", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct blk *b = calloc(1, sizeof(*b));
	int c, failed = 0, i;

	if (!b)
		return 1;
	b->devid = 51728;
	b->order = 0;
	b->persistent = true;
	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 'd': b->devid = strtoul(optarg, NULL, 0); break;
		case 'o': b->order = atoi(optarg); break;
		case 'P': b->persistent = false; break;
		case 'c': b->expect_close = true; break;
		case 'a':
			if (strcmp(optarg, "x86_32")) {
				xa_log("--abi: only x86_32 (x86_64 is the default)");
				return 2;
			}
			b->x86_32 = true;
			break;
		case 's': xa_sync = true; break;
		case 'v': xa_verbose = true; break;
		default: return 2;
		}
	}
	if (optind >= argc) {
		xa_log("no mode given (see blk.c)");
		return 2;
	}
	for (i = optind; b->x86_32 && i < argc; i++)
		if (strcmp(argv[i], "rw")) {
			xa_log("--abi x86_32: mode %s writes the ring itself; only rw", argv[i]);
			return 2;
		}
	if (xa_dev_open(&b->d, "vbd", b->devid))
		return 1;
	xa_log("vbd %u: frontend %s, backend %s (domain %u), states %d/%d",
	       b->devid, b->d.fe, b->d.be, b->d.backend_id, xa_fe_state(&b->d),
	       xa_be_state(&b->d));
	if (xa_grant_alloc(&b->d, &b->a, 64, true) ||
	    xa_grant_alloc(&b->d, &b->b, 64, true) ||
	    xa_grant_alloc(&b->d, &b->ind, BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST, true))
		return 1;
	for (i = optind; i < argc; i++)
		failed += run_mode(b, argv[i]) != 0;
	/* leave the device as the toolstack made it: a frontend not yet there */
	blk_close(b);
	xa_grant_free(&b->d, &b->a);
	xa_grant_free(&b->d, &b->b);
	xa_grant_free(&b->d, &b->ind);
	xa_dev_close(&b->d);
	free(b->shadow);
	free(b);
	xa_log("%d mode(s) failed", failed);
	return failed ? 1 : 0;
}

/* --- host-side checks of what we put on the ring --------------------------- */

int xa_selftest(void)
{
	static uint8_t ring_mem[4 * XA_PAGE_SIZE] __attribute__((aligned(4096)));
	struct blk *b = calloc(1, sizeof(*b));
	struct blkif_request r;
	const uint8_t *raw = (const void *)&r;
	uint32_t refs[11] = { 0x11223344, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	int fails = 0;

#define T(cond) do { if (!(cond)) { fails++; xa_log("selftest: %s", #cond); } } while (0)
	/* Linux's layouts (include/xen/interface/io/blkif.h), x86_64 */
	T(sizeof(struct blkif_request) == 112);
	T(sizeof(struct blkif_response) == 16);
	T(offsetof(struct blkif_request, id) == 8);
	T(offsetof(struct blkif_request, seg) == 24);
	T(offsetof(struct blkif_request_indirect, nr_segments) == 2);
	T(offsetof(struct blkif_request_indirect, id) == 8);
	T(offsetof(struct blkif_request_indirect, handle) == 24);
	T(offsetof(struct blkif_request_indirect, indirect_grefs) == 28);
	T(offsetof(struct blkif_request_discard, nr_sectors) == 24);
	T(sizeof(struct blkif_request_segment) == 8);

	rq_rw(&r, BLKIF_OP_WRITE, 0x0102030405060708ull, 11, refs, 1, 6);
	T(raw[0] == 1 && raw[1] == 11);
	T(raw[16] == 8 && raw[23] == 1);
	T(raw[24] == 0x44 && raw[27] == 0x11 && raw[28] == 1 && raw[29] == 6);
	T(raw[24 + 10 * 8] == 11);

	b->ind.count = 8;
	for (int i = 0; i < 8; i++)
		b->ind.refs[i] = 100 + i;
	rq_ind(b, &r, BLKIF_OP_READ, 7, 1000);
	T(raw[0] == BLKIF_OP_INDIRECT && raw[1] == BLKIF_OP_READ);
	T(raw[2] == (1000 & 0xff) && raw[3] == 1000 >> 8);
	T(raw[28] == 100 && raw[28 + 4] == 101 && raw[28 + 4 * 7] == 0);
	rq_ind(b, &r, BLKIF_OP_READ, 7, 4096);
	T(raw[28 + 4 * 7] == 107);
	rq_discard(&r, 5, 0x100000000ull, 1);
	T(raw[0] == BLKIF_OP_DISCARD && raw[1] == 1 && raw[16] == 5 && raw[28] == 1);

	/* the ring: 32 slots in a page, 4 pages hold 128 */
	SHARED_RING_INIT((struct blkif_sring *)ring_mem);
	FRONT_RING_INIT(&b->ring, (struct blkif_sring *)ring_mem, XA_PAGE_SIZE);
	T(RING_SIZE(&b->ring) == 32);
	FRONT_RING_INIT(&b->ring, (struct blkif_sring *)ring_mem, sizeof(ring_mem));
	T(RING_SIZE(&b->ring) == 128);
	T((uint8_t *)RING_GET_REQUEST(&b->ring, 1) - ring_mem == 64 + 112);
	T(RING_GET_REQUEST(&b->ring, 128) == RING_GET_REQUEST(&b->ring, 0));

	/* the x86_32 layout (blkif.h's packed blkif_x86_32_request) */
	{
		uint8_t x[X86_32_SLOT];

		rq_rw(&r, BLKIF_OP_WRITE, 0x0102030405060708ull, 11, refs, 1, 6);
		r.id = 0xa1a2a3a4a5a6a7a8ull;
		req_to_x86_32(x, &r);
		T(x[0] == 1 && x[1] == 11 && x[4] == 0xa8 && x[11] == 0xa1);
		T(x[12] == 8 && x[19] == 1);
		T(x[20] == 0x44 && x[23] == 0x11 && x[24] == 1 && x[25] == 6);
		T(x[20 + 10 * 8] == 11 && 20 + 11 * 8 == X86_32_SLOT);
		rq_ind(b, &r, BLKIF_OP_READ, 7, 1000);
		r.id = 5;
		req_to_x86_32(x, &r);
		T(x[0] == BLKIF_OP_INDIRECT && x[1] == BLKIF_OP_READ && x[4] == 5);
		T(x[2] == (1000 & 0xff) && x[3] == 1000 >> 8 && x[12] == 7);
		T(x[24] == 100 && x[28] == 101);
		rq_discard(&r, 5, 0x100000000ull, 1);
		req_to_x86_32(x, &r);
		T(x[0] == BLKIF_OP_DISCARD && x[1] == 1 && x[12] == 5 && x[24] == 1);
		/* 32 slots in a page, as native */
		T((XA_PAGE_SIZE - 64) / X86_32_SLOT >= 32 && (XA_PAGE_SIZE - 64) / X86_32_SLOT < 64);
	}

	T(unid(mkid(0x123456)) == 0x123456 && !(mkid(0xffffff) & 0xffffffff0000ff00ull));
	T(unid(0x100) == UINT32_MAX);

	/* patterns tell sectors and generations apart */
	{
		static uint8_t page[XA_PAGE_SIZE];

		pat_fill(page, 77, 8, 1);
		T(pat_check(page, 77, 8, 1));
		T(!pat_check(page, 78, 8, 1));
		T(!pat_check(page, 77, 8, 2));
		T(pat_check(page + SECT, 78, 7, 1));
	}
#undef T
	free(b);
	fails += xa_net_selftest();
	printf("selftest: %s\n", fails ? "FAILED" : "passed");
	return fails ? 1 : 0;
}
