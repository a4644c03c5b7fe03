// SPDX-License-Identifier: GPL-2.0
/*
 * xafront net: a netif frontend in user space, well-behaved or hostile.
 *
 *   xafront net --ip A.B.C.D --peer A.B.C.D [--dev N] [--sync] [--strict] [-v] MODE...
 *
 * One queue, one event channel, rx-copy, and a control ring for the modes
 * that want one. Our address (--ip) is ours alone; the peer (dom0's bridge
 * address) answers ARP and ICMP echo, which is how frames are checked end
 * to end: what comes back must carry what we sent.
 *
 * Each attack's outcome is one of: okay (answered NETIF_RSP_OKAY), error
 * (an error response), closed (the backend disabled the interface and went
 * to Closing) or hang (no answer, still Connected: always a failure). Every
 * attack lists the outcomes it allows; --strict narrows them to what
 * xenaccel_netback does (the rig passes it with --backend=xenaccel), which
 * is in-tree netback's answer wherever in-tree has one. After a closed
 * outcome the tool reconnects, and every mode ends with an echo.
 *
 * MODEs:
 *   rw                 ARP for the peer, then ICMP echo with small and
 *                      large payloads, single-slot and split over three
 *                      slots; every reply's payload compared
 *   tx-tiny            frames of 0, 1 and 13 bytes (below an Ethernet
 *                      header): each answered with an error, then echo works
 *   tx-bad-gref        invalid and revoked grant refs: error responses,
 *                      then echo works
 *   tx-cross-page      a slot that crosses its page's end
 *   tx-too-many-slots  a frame in 25 slots (netback's limit is 18, fatal
 *                      from 20)
 *   tx-bad-size        first-slot sizes smaller and larger than the chain
 *   tx-bad-extra       an echo request with one extra-info slot of type 0
 *                      (NONE), 6 (past the last type) or 255: closed
 *   tx-bad-gso         GSO extras: unknown GSO type, type NONE, size 0
 *                      (closed); a GSO extra on an ICMP frame (error); size 1,
 *                      size 65535 and type TCPv6 on a TCPv4 frame to a closed
 *                      port of the peer (okay: in-tree takes them too)
 *   tx-extra-chain     an echo request behind 8 extras (okay, and the reply
 *                      comes), extras whose MORE flag never ends (closed),
 *                      a chain of 255 extras filling the ring (closed)
 *   mcast-flood        with request-multicast-control: 100 MCAST_ADD extras
 *                      (the first 64 okay, then errors: the list is bounded),
 *                      a duplicate, deletions making room again, then dom0
 *                      pings a group we joined and one we left (--sync):
 *                      only the first may reach us
 *   ctrl               the control ring: unknown message types, unknown
 *                      hash algorithms and flags, keys and mapping tables
 *                      behind bad grant refs, too long, at offsets
 *                      wrapping or past the table, entries naming queues we
 *                      do not have, staging-grant messages with bad refs, a
 *                      flood of 512 messages; each must get an error status.
 *                      Then a valid Toeplitz setup: echo replies must carry
 *                      the hash of the peer's and our address under our key
 *   ring-overrun       producer indices beyond the ring on the control, tx
 *                      and rx rings: closed
 *   rx-stall           we stop posting receive buffers while dom0 floods us
 *                      (--sync: dom0 checks the carrier goes off and what
 *                      the backend holds stays bounded), then post them
 *                      again: echo works
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "xafront.h"
#include <xen/io/netif.h>

#define NET_POOL	64

/* What the extra-info slots of the last frame received said. */
struct rx_info {
	unsigned int extras;
	bool hash;
	uint8_t hash_type, hash_alg;
	uint32_t hash_value;
};

struct net {
	struct xa_dev d;
	unsigned int devid;
	bool connected, rings_granted;
	struct xa_grant txg, rxg;		/* the rings */
	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	evtchn_port_t port;
	bool have_port;
	struct xa_grant txbuf, rxbuf;		/* data pages */
	uint8_t mac[6], peer_mac[6];
	uint32_t ip, peer_ip;			/* network order */
	uint16_t seq;
	unsigned int fails, errors;
	char detail[900];

	bool strict;				/* expect xenaccel's answers */
	bool no_rx_post;			/* rx-stall: post no buffers */
	bool want_ctrl, want_mcast;		/* for this mode's connections */
	bool has_ctrl;				/* this connection has a ctrl ring */
	struct xa_grant ctrlg;
	xen_netif_ctrl_front_ring_t ctrl;
	evtchn_port_t ctrl_port;
	bool have_ctrl_port;
	uint16_t ctrl_id;
	struct xa_grant keybuf;			/* keys and mapping tables */
	struct rx_info rx_info;
};

static void note(struct net *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct net *n, const char *fmt, ...)
{
	size_t l = strlen(n->detail);
	va_list ap;

	if (l + 2 >= sizeof(n->detail))
		return;
	if (l)
		n->detail[l++] = ' ';
	va_start(ap, fmt);
	vsnprintf(n->detail + l, sizeof(n->detail) - l, fmt, ap);
	va_end(ap);
}

#define CHECK(n, cond, ...) do {					\
	if (!(cond)) {							\
		(n)->fails++;						\
		xa_log("FAIL: " __VA_ARGS__);				\
		note((n), "FAIL:" __VA_ARGS__);				\
	}								\
} while (0)

static void put16(uint8_t *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, 2);
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return ntohs(v);
}

/* --- connection ------------------------------------------------------------- */

static void net_post_rx(struct net *n)
{
	RING_IDX i;

	if (n->no_rx_post || !n->connected)
		return;
	for (i = n->rx.req_prod_pvt; i - n->rx.rsp_cons < NET_POOL &&
	     i - n->rx.rsp_cons < RING_SIZE(&n->rx); i++) {
		struct netif_rx_request *r = RING_GET_REQUEST(&n->rx, i);

		r->id = i % NET_POOL;
		r->gref = n->rxbuf.refs[i % NET_POOL];
	}
	if (i == n->rx.req_prod_pvt)
		return;
	n->rx.req_prod_pvt = i;
	xen_wmb();
	n->rx.sring->req_prod = i;
	xen_mb();
	xenevtchn_notify(n->d.xce, n->port);
}

static void net_release(struct net *n)
{
	if (n->have_port)
		xa_evtchn_free(&n->d, n->port);
	n->have_port = false;
	if (n->have_ctrl_port)
		xa_evtchn_free(&n->d, n->ctrl_port);
	n->have_ctrl_port = false;
	xa_grant_free(&n->d, &n->txg);
	xa_grant_free(&n->d, &n->rxg);
	xa_grant_free(&n->d, &n->ctrlg);
	n->has_ctrl = false;
	n->rings_granted = false;
	n->connected = false;
}

static int net_close(struct net *n)
{
	int s = xa_be_state(&n->d);

	if (s <= XenbusStateInitialising && !n->rings_granted)
		s = xa_wait_be_state(&n->d, XA_ST(XenbusStateInitWait), 30000);
	if (s == XenbusStateInitWait && !n->rings_granted)
		return 0;
	xa_set_state(&n->d, XenbusStateClosing);
	xa_wait_be_state(&n->d, XA_ST(XenbusStateClosing) | XA_ST(XenbusStateClosed), 15000);
	xa_set_state(&n->d, XenbusStateClosed);
	s = xa_wait_be_state(&n->d, XA_ST(XenbusStateClosed), 30000);
	CHECK(n, s >= 0, "close:backend-state-%d-not-Closed", xa_be_state(&n->d));
	net_release(n);
	xa_set_state(&n->d, XenbusStateInitialising);
	s = xa_wait_be_state(&n->d, XA_ST(XenbusStateInitWait), 30000);
	CHECK(n, s >= 0, "reopen:backend-state-%d-not-InitWait", xa_be_state(&n->d));
	return s >= 0 ? 0 : -1;
}

/* The control ring, if this mode wants one and the backend offers it. */
static int net_setup_ctrl(struct net *n)
{
	if (!n->want_ctrl || xa_read_num(&n->d, 0, "%s/feature-ctrl-ring", n->d.be) != 1)
		return 0;
	if (xa_grant_alloc(&n->d, &n->ctrlg, 1, true))
		return -1;
	SHARED_RING_INIT((xen_netif_ctrl_sring_t *)n->ctrlg.addr);
	FRONT_RING_INIT(&n->ctrl, (xen_netif_ctrl_sring_t *)n->ctrlg.addr, XA_PAGE_SIZE);
	if (xa_evtchn_alloc(&n->d, &n->ctrl_port))
		return -1;
	n->have_ctrl_port = true;
	n->has_ctrl = true;
	return 0;
}

static int net_connect(struct net *n)
{
	xs_transaction_t t;
	char path[200], val[32];
	bool ok;
	int s;

	if (net_close(n))
		return -1;
	if (xa_grant_alloc(&n->d, &n->txg, 1, true) ||
	    xa_grant_alloc(&n->d, &n->rxg, 1, true))
		return -1;
	n->rings_granted = true;
	SHARED_RING_INIT((netif_tx_sring_t *)n->txg.addr);
	FRONT_RING_INIT(&n->tx, (netif_tx_sring_t *)n->txg.addr, XA_PAGE_SIZE);
	SHARED_RING_INIT((netif_rx_sring_t *)n->rxg.addr);
	FRONT_RING_INIT(&n->rx, (netif_rx_sring_t *)n->rxg.addr, XA_PAGE_SIZE);
	if (xa_evtchn_alloc(&n->d, &n->port))
		return -1;
	n->have_port = true;
	if (net_setup_ctrl(n))
		return -1;
again:
	t = xs_transaction_start(n->d.xs);
	ok = t != 0;
#define W(key, ...) do {						\
		snprintf(path, sizeof(path), "%s/%s", n->d.fe, key);	\
		snprintf(val, sizeof(val), __VA_ARGS__);		\
		ok = ok && xs_write(n->d.xs, t, path, val, strlen(val)); \
	} while (0)
	W("tx-ring-ref", "%u", n->txg.refs[0]);
	W("rx-ring-ref", "%u", n->rxg.refs[0]);
	W("event-channel", "%u", n->port);
	W("request-rx-copy", "1");
	W("feature-rx-notify", "1");
	W("feature-sg", "1");
	W("feature-no-csum-offload", "1");
	W("feature-gso-tcpv4", "0");
	W("request-multicast-control", "%d", n->want_mcast);
	if (n->has_ctrl) {
		W("ctrl-ring-ref", "%u", n->ctrlg.refs[0]);
		W("event-channel-ctrl", "%u", n->ctrl_port);
	} else {
		/* An earlier mode's ring is gone: the backend must not map it. */
		snprintf(path, sizeof(path), "%s/ctrl-ring-ref", n->d.fe);
		xs_rm(n->d.xs, t, path);
		snprintf(path, sizeof(path), "%s/event-channel-ctrl", n->d.fe);
		xs_rm(n->d.xs, t, path);
	}
#undef W
	if (t && !xs_transaction_end(n->d.xs, t, !ok)) {
		if (errno == EAGAIN)
			goto again;
		ok = false;
	}
	if (!ok) {
		xa_log("writing the vif keys failed");
		return -1;
	}
	/* netfront goes straight to Connected once its keys are written */
	xa_set_state(&n->d, XenbusStateConnected);
	s = xa_wait_be_state(&n->d, XA_ST(XenbusStateConnected) |
			     XA_ST(XenbusStateClosing) | XA_ST(XenbusStateClosed), 30000);
	if (s != XenbusStateConnected)
		return s;
	n->connected = true;
	net_post_rx(n);
	return s;
}

/* --- frames ------------------------------------------------------------------- */

/*
 * One TX ring slot: a request, or (extra set) an extra-info slot. Send
 * @nslots of them and wait for every request's response (extra-info
 * slots get none). Returns the first non-OKAY status, NETIF_RSP_OKAY,
 * -100 if a response is missing, -101 if the ring has no room.
 */
struct tx_slot {
	uint32_t gref;
	uint16_t offset, flags, size;
	const netif_extra_info_t *extra;
};

static int net_tx_raw(struct net *n, const struct tx_slot *s, unsigned int nslots,
		      int timeout_ms)
{
	uint64_t end = xa_now_ms() + timeout_ms;
	unsigned int i, got = 0, want = 0;
	int st = NETIF_RSP_OKAY;

	if (nslots > RING_SIZE(&n->tx) - (n->tx.req_prod_pvt - n->tx.rsp_cons))
		return -101;
	for (i = 0; i < nslots; i++) {
		struct netif_tx_request *r = RING_GET_REQUEST(&n->tx, n->tx.req_prod_pvt);

		if (s[i].extra) {
			memset(r, 0, sizeof(*r));
			memcpy(r, s[i].extra, sizeof(*s[i].extra));
		} else {
			r->gref = s[i].gref;
			r->offset = s[i].offset;
			r->flags = s[i].flags;
			r->size = s[i].size;
			r->id = (n->tx.req_prod_pvt) % RING_SIZE(&n->tx);
			want++;
		}
		n->tx.req_prod_pvt++;
	}
	xen_wmb();
	n->tx.sring->req_prod = n->tx.req_prod_pvt;
	xen_mb();
	xenevtchn_notify(n->d.xce, n->port);
	while (got < want) {
		RING_IDX rp = n->tx.sring->rsp_prod;

		xen_rmb();
		while (n->tx.rsp_cons != rp) {
			struct netif_tx_response *r = RING_GET_RESPONSE(&n->tx, n->tx.rsp_cons);

			if (r->status != NETIF_RSP_NULL) {
				if (r->status != NETIF_RSP_OKAY && st == NETIF_RSP_OKAY)
					st = r->status;
				got++;
			}
			n->tx.rsp_cons++;
		}
		if (got >= want)
			break;
		n->tx.sring->rsp_event = n->tx.rsp_cons + 1;
		xen_mb();
		if (n->tx.sring->rsp_prod != n->tx.rsp_cons)
			continue;
		if (xa_now_ms() >= end)
			return -100;
		xa_evtchn_wait(&n->d, 20);
	}
	if (st != NETIF_RSP_OKAY)
		n->errors++;
	return st;
}

/* A frame from txbuf page 0, split into @nslots pages at equal sizes. */
static int net_send(struct net *n, const uint8_t *frame, size_t len,
		    unsigned int nslots)
{
	struct tx_slot s[8] = { { 0 } };
	size_t chunk = (len + nslots - 1) / nslots, off = 0;
	unsigned int i;

	for (i = 0; i < nslots && i < 8; i++) {
		size_t c = len - off < chunk ? len - off : chunk;

		memcpy(xa_grant_page(&n->txbuf, i), frame + off, c);
		s[i].gref = n->txbuf.refs[i];
		s[i].offset = 0;
		s[i].flags = i + 1 < nslots ? NETTXF_more_data : 0;
		s[i].size = i == 0 ? len : c;
		off += c;
	}
	return net_tx_raw(n, s, nslots, 3000);
}

/*
 * Receive frames until @match accepts one (returns true) or @timeout_ms
 * passes; the frame is copied to @out and its extra-info is in
 * n->rx_info. Only single-slot frames are offered to @match; frames in
 * several slots and extra-info slots are stepped over. Returns the
 * frame's length or -1.
 */
typedef bool (*net_match_fn)(struct net *n, const uint8_t *f, size_t len, void *arg);

static int net_recv(struct net *n, uint8_t *out, size_t max, net_match_fn match,
		    void *arg, int timeout_ms)
{
	uint64_t end = xa_now_ms() + timeout_ms;

	for (;;) {
		RING_IDX rp = n->rx.sring->rsp_prod;

		xen_rmb();
		while (n->rx.rsp_cons != rp) {
			RING_IDX i = n->rx.rsp_cons;
			const struct netif_rx_response *r = RING_GET_RESPONSE(&n->rx, i);
			uint16_t flags = r->flags, off = r->offset, id = r->id, fl;
			int len = r->status;
			struct rx_info info = { 0 };
			unsigned int data = 1;
			bool complete = true, hit = false;

			i++;
			if (flags & NETRXF_extra_info) {
				const netif_extra_info_t *e;

				do {
					if (i == rp) {
						complete = false;
						break;
					}
					e = (const void *)RING_GET_RESPONSE(&n->rx, i);
					i++;
					info.extras++;
					if (e->type == XEN_NETIF_EXTRA_TYPE_HASH) {
						info.hash = true;
						info.hash_type = e->u.hash.type;
						info.hash_alg = e->u.hash.algorithm;
						info.hash_value = e->u.hash.value[0] |
							e->u.hash.value[1] << 8 |
							e->u.hash.value[2] << 16 |
							(uint32_t)e->u.hash.value[3] << 24;
					}
				} while (e->flags & XEN_NETIF_EXTRA_FLAG_MORE);
			}
			for (fl = flags; complete && (fl & NETRXF_more_data); data++) {
				if (i == rp) {
					complete = false;
					break;
				}
				fl = RING_GET_RESPONSE(&n->rx, i)->flags;
				i++;
			}
			/* The backend publishes whole frames: the rest is coming. */
			if (!complete)
				break;
			if (data == 1 && len > 0 && off + len <= (int)XA_PAGE_SIZE) {
				const uint8_t *f = (const uint8_t *)xa_grant_page(&n->rxbuf,
									  id % NET_POOL) + off;

				hit = match(n, f, len, arg);
				if (hit) {
					memcpy(out, f, (size_t)len < max ? (size_t)len : max);
					n->rx_info = info;
				}
			}
			n->rx.rsp_cons = i;
			if (hit) {
				net_post_rx(n);
				return len;
			}
		}
		net_post_rx(n);
		n->rx.sring->rsp_event = n->rx.rsp_cons + 1;
		xen_mb();
		if (n->rx.sring->rsp_prod != rp)
			continue;
		if (xa_now_ms() >= end)
			return -1;
		xa_evtchn_wait(&n->d, 20);
	}
}

static uint16_t csum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += b[i] << 8 | b[i + 1];
	if (len & 1)
		s += b[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons(~s & 0xffff);
}

/* Ethernet and IPv4 headers from us to the peer, @l4len bytes to follow. */
static void ip4_hdr(struct net *n, uint8_t *f, uint8_t proto, size_t l4len, uint16_t ipid)
{
	uint16_t c;

	memcpy(f, n->peer_mac, 6);
	memcpy(f + 6, n->mac, 6);
	f[12] = 0x08, f[13] = 0x00;
	memset(f + 14, 0, 20);
	f[14] = 0x45;
	put16(f + 16, 20 + l4len);
	put16(f + 18, ipid);
	f[22] = 64, f[23] = proto;
	memcpy(f + 26, &n->ip, 4);
	memcpy(f + 30, &n->peer_ip, 4);
	c = csum(f + 14, 20);
	memcpy(f + 24, &c, 2);
}

/* An ICMP echo request to the peer; returns its length. */
static size_t build_echo(struct net *n, uint8_t *f, const uint8_t *payload, size_t plen,
			 uint16_t id, uint16_t seq)
{
	uint16_t c;

	ip4_hdr(n, f, 1, 8 + plen, seq);
	f[34] = 8, f[35] = 0, f[36] = 0, f[37] = 0;
	put16(f + 38, id);
	put16(f + 40, seq);
	memcpy(f + 42, payload, plen);
	c = csum(f + 34, 8 + plen);
	memcpy(f + 36, &c, 2);
	return 42 + plen;
}

/*
 * A TCP segment (ACK|PSH) with @plen bytes to port 9 of the peer, from
 * @sport; its checksum is left to the backend (GSO makes it partial).
 */
static size_t build_tcp(struct net *n, uint8_t *f, size_t plen, uint16_t sport)
{
	size_t i;

	ip4_hdr(n, f, 6, 20 + plen, sport);
	memset(f + 34, 0, 20);
	put16(f + 34, sport);
	put16(f + 36, 9);
	put16(f + 38, 0x1234);		/* seq */
	put16(f + 42, 0x5678);		/* ack */
	f[46] = 5 << 4;			/* 20-byte header */
	f[47] = 0x18;			/* ACK|PSH */
	put16(f + 48, 65535);		/* window */
	for (i = 0; i < plen; i++)
		f[54 + i] = (uint8_t)(i * 13);
	return 54 + plen;
}

static bool match_arp_reply(struct net *n, const uint8_t *f, size_t len, void *arg)
{
	(void)arg;
	return len >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2 &&
	       !memcmp(f + 28, &n->peer_ip, 4) && !memcmp(f + 38, &n->ip, 4);
}

/* An ARP request for the peer's address. */
static void build_arp(struct net *n, uint8_t *f)
{
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, n->mac, 6);
	f[12] = 0x08, f[13] = 0x06;
	f[14] = 0, f[15] = 1, f[16] = 0x08, f[17] = 0, f[18] = 6, f[19] = 4;
	f[20] = 0, f[21] = 1;
	memcpy(f + 22, n->mac, 6);
	memcpy(f + 28, &n->ip, 4);
	memcpy(f + 38, &n->peer_ip, 4);
}

static bool net_arp(struct net *n, int tries)
{
	uint8_t f[64], r[2048];
	int i, len = -1;

	build_arp(n, f);
	for (i = 0; i < tries && len < 0; i++) {
		if (net_send(n, f, 60, 1) != NETIF_RSP_OKAY)
			continue;
		len = net_recv(n, r, sizeof(r), match_arp_reply, NULL, 2000);
	}
	if (len < 0)
		return false;
	memcpy(n->peer_mac, r + 22, 6);
	return true;
}

struct echo { uint16_t id, seq; const uint8_t *payload; size_t plen; };

static bool match_echo_reply(struct net *n, const uint8_t *f, size_t len, void *arg)
{
	struct echo *e = arg;
	const uint8_t *icmp = f + 34;

	(void)n;
	return len >= 42 + e->plen && f[12] == 0x08 && f[13] == 0x00 && f[23] == 1 &&
	       icmp[0] == 0 && get16(icmp + 4) == e->id && get16(icmp + 6) == e->seq;
}

/* ICMP echo to the peer with @plen bytes of pattern, in @nslots slots. */
static bool net_echo(struct net *n, size_t plen, unsigned int nslots, const char *what)
{
	static uint8_t f[2048], r[2048], payload[1500];
	struct echo e = { .id = 0x7a7a, .seq = ++n->seq, .payload = payload, .plen = plen };
	size_t i, len;
	int got = -1, st, tries;

	for (i = 0; i < plen; i++)
		payload[i] = (uint8_t)(i * 7 + e.seq);
	len = build_echo(n, f, payload, plen, e.id, e.seq);
	for (tries = 0; tries < 3 && got < 0; tries++) {
		st = net_send(n, f, len, nslots);
		CHECK(n, st == NETIF_RSP_OKAY, "%s:tx-status-%d", what, st);
		if (st != NETIF_RSP_OKAY)
			return false;
		got = net_recv(n, r, sizeof(r), match_echo_reply, &e, 3000);
	}
	CHECK(n, got >= 0, "%s:no-echo-reply", what);
	if (got < 0)
		return false;
	CHECK(n, !memcmp(r + 42, payload, plen), "%s:reply-payload-differs", what);
	return true;
}

/* --- attacks ------------------------------------------------------------------ */

/* Outcomes of an attack (bits, so that an attack can allow several). */
enum { O_OKAY = 1, O_ERROR = 2, O_CLOSED = 4, O_HANG = 8 };

static const char *oname(int o)
{
	switch (o) {
	case O_OKAY: return "okay";
	case O_ERROR: return "error";
	case O_CLOSED: return "closed";
	default: return "hang";
	}
}

/* Connect again after the backend closed us; false if that fails. */
static bool net_reconnect(struct net *n, const char *what)
{
	bool ok;

	net_close(n);
	ok = net_connect(n) == XenbusStateConnected && net_arp(n, 10);
	CHECK(n, ok, "%s:no-reconnect", what);
	return ok;
}

/*
 * Send slots @s and classify the answer; @loose allows outcomes, @strict
 * (with --strict) narrows them. A closed or hung interface is reconnected.
 * Returns the outcome, or 0 if the tool could not go on.
 */
static int net_attack(struct net *n, const char *what, const struct tx_slot *s,
		      unsigned int nslots, int loose, int strict)
{
	int allowed = n->strict ? strict : loose, st, o, bs;

	st = net_tx_raw(n, s, nslots, 2500);
	if (st == -101) {
		CHECK(n, 0, "%s:tx-ring-full", what);
		return 0;
	}
	o = st == NETIF_RSP_OKAY ? O_OKAY : st == -100 ? O_HANG : O_ERROR;
	bs = xa_wait_be_state(&n->d, XA_ST(XenbusStateClosing) | XA_ST(XenbusStateClosed),
			      o == O_HANG ? 5000 : 200);
	if (bs >= 0)
		o = O_CLOSED;
	note(n, "%s:%s", what, oname(o));
	CHECK(n, o & allowed, "%s:%s-not-expected", what, oname(o));
	if ((o == O_CLOSED || o == O_HANG) && !net_reconnect(n, what))
		return 0;
	return o;
}

/* After an attack: still echoing, or else a reconnect must bring it back. */
static void net_recover(struct net *n, const char *what)
{
	unsigned int fails = n->fails;
	size_t l = strlen(n->detail);

	if (xa_be_state(&n->d) == XenbusStateConnected && net_arp(n, 2) &&
	    net_echo(n, 200, 1, what)) {
		note(n, "%s:still-up", what);
		return;
	}
	/* A disabled interface is a fair answer: forget the probe's failures. */
	n->fails = fails;
	n->detail[l] = 0;
	note(n, "%s:interface-disabled", what);
	net_close(n);
	CHECK(n, net_connect(n) == XenbusStateConnected, "%s:no-reconnect", what);
	CHECK(n, n->connected && net_arp(n, 10) && net_echo(n, 200, 1, what),
	      "%s:no-echo-after-reconnect", what);
}

/* An echo request in txbuf page 0 as the first slot, extras after it. */
static unsigned int slots_with_extras(struct net *n, struct tx_slot *s, size_t len,
				      const netif_extra_info_t *extras, unsigned int nextras)
{
	unsigned int i;

	memset(s, 0, sizeof(*s) * (nextras + 1));
	s[0].gref = n->txbuf.refs[0];
	s[0].size = len;
	s[0].flags = nextras ? NETTXF_extra_info : 0;
	for (i = 0; i < nextras; i++)
		s[i + 1].extra = &extras[i];
	return nextras + 1;
}

static size_t echo_in_txbuf(struct net *n, uint16_t seq)
{
	uint8_t payload[56];
	size_t i;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i + seq);
	return build_echo(n, xa_grant_page(&n->txbuf, 0), payload, sizeof(payload), 0x7a7a, seq);
}

/* --- modes ------------------------------------------------------------------- */

static void mode_rw(struct net *n)
{
	unsigned int i;

	CHECK(n, net_arp(n, 10), "arp:no-reply");
	if (n->fails)
		return;
	net_echo(n, 56, 1, "echo-56");
	net_echo(n, 1400, 1, "echo-1400");
	net_echo(n, 1400, 3, "echo-1400-3-slots");
	net_echo(n, 1, 2, "echo-1-2-slots");
	for (i = 0; i < 20 && !n->fails; i++)
		net_echo(n, 100 + i * 60, 1 + i % 4, "echo-series");
	note(n, "peer-mac=%02x:%02x:%02x:%02x:%02x:%02x", n->peer_mac[0], n->peer_mac[1],
	     n->peer_mac[2], n->peer_mac[3], n->peer_mac[4], n->peer_mac[5]);
}

static void mode_tx_tiny(struct net *n)
{
	static const uint16_t sizes[] = { 0, 1, 13 };
	struct tx_slot s = { .gref = n->txbuf.refs[0] };
	unsigned int i;
	int st;

	CHECK(n, net_arp(n, 10), "arp:no-reply");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		s.size = sizes[i];
		st = net_tx_raw(n, &s, 1, 10000);
		CHECK(n, st == NETIF_RSP_ERROR || st == NETIF_RSP_DROPPED,
		      "size-%u:status-%d", sizes[i], st);
	}
	CHECK(n, net_echo(n, 56, 1, "echo-after"), "no-echo-after");
}

static void mode_tx_bad_gref(struct net *n)
{
	struct tx_slot s = { .size = 60 };
	struct xa_grant g;
	int st;

	CHECK(n, net_arp(n, 10), "arp:no-reply");
	s.gref = 0xffffffffu;
	st = net_tx_raw(n, &s, 1, 10000);
	CHECK(n, st == NETIF_RSP_ERROR || st == NETIF_RSP_DROPPED, "gref-invalid:status-%d", st);
	if (xa_grant_alloc(&n->d, &g, 1, false) == 0) {
		s.gref = g.refs[0];
		xa_grant_free(&n->d, &g);
		st = net_tx_raw(n, &s, 1, 10000);
		CHECK(n, st == NETIF_RSP_ERROR || st == NETIF_RSP_DROPPED,
		      "gref-revoked:status-%d", st);
	}
	CHECK(n, net_echo(n, 56, 1, "echo-after"), "no-echo-after");
}

static void mode_tx_cross_page(struct net *n)
{
	struct tx_slot s = { .gref = n->txbuf.refs[0], .offset = 4000, .size = 200 };
	int st;

	CHECK(n, net_arp(n, 10), "arp:no-reply");
	st = net_tx_raw(n, &s, 1, 5000);
	note(n, "status=%d", st);
	net_recover(n, "after");
}

static void mode_tx_too_many_slots(struct net *n)
{
	struct tx_slot s[25] = { { 0 } };
	unsigned int i;
	int st;

	CHECK(n, net_arp(n, 10), "arp:no-reply");
	for (i = 0; i < ARRAY_SIZE(s); i++) {
		s[i].gref = n->txbuf.refs[i];
		s[i].offset = 0;
		s[i].size = i == 0 ? 25 * 60 : 60;
		s[i].flags = i + 1 < ARRAY_SIZE(s) ? NETTXF_more_data : 0;
	}
	st = net_tx_raw(n, s, ARRAY_SIZE(s), 5000);
	note(n, "status=%d", st);
	net_recover(n, "after");
}

static void mode_tx_bad_size(struct net *n)
{
	struct tx_slot s[3] = { { 0 } };
	unsigned int i;
	int st;

	CHECK(n, net_arp(n, 10), "arp:no-reply");
	for (i = 0; i < 3; i++) {
		s[i].gref = n->txbuf.refs[i];
		s[i].offset = 0;
		s[i].size = 100;
		s[i].flags = i < 2 ? NETTXF_more_data : 0;
	}
	s[0].size = 150;	/* less than the chain's 300 */
	st = net_tx_raw(n, s, 3, 5000);
	note(n, "short-first=%d", st);
	s[0].size = 5000;	/* more than the chain */
	st = net_tx_raw(n, s, 3, 5000);
	note(n, "long-first=%d", st);
	net_recover(n, "after");
}

/* Extra-info types netif.h does not define: netback must refuse them. */
static void mode_tx_bad_extra(struct net *n)
{
	/* NONE, one past Linux's last (XDP), and the largest */
	static const uint8_t types[] = { XEN_NETIF_EXTRA_TYPE_NONE, 6, 0xff };
	netif_extra_info_t e;
	struct tx_slot s[2];
	unsigned int i, ns;
	char what[32];

	if (!net_arp(n, 10)) {
		CHECK(n, 0, "arp:no-reply");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		memset(&e, 0, sizeof(e));
		e.type = types[i];
		e.u.pad[0] = 0x5a5a;
		ns = slots_with_extras(n, s, echo_in_txbuf(n, ++n->seq), &e, 1);
		snprintf(what, sizeof(what), "type-%u", types[i]);
		if (!net_attack(n, what, s, ns, O_ERROR | O_CLOSED, O_CLOSED))
			return;
	}
	net_recover(n, "after");
}

static bool match_rst(struct net *n, const uint8_t *f, size_t len, void *arg)
{
	uint16_t sport = *(uint16_t *)arg;

	return len >= 54 && f[12] == 0x08 && f[13] == 0x00 && f[23] == 6 &&
	       !memcmp(f + 26, &n->peer_ip, 4) && !memcmp(f + 30, &n->ip, 4) &&
	       get16(f + 36) == sport && (f[47] & 0x04);
}

/* GSO extras: some hostile, some only odd. */
static void mode_tx_bad_gso(struct net *n)
{
	static const struct {
		const char *what;
		bool tcp;
		uint8_t type;
		uint16_t size;
		int loose, strict;
	} cases[] = {
		/* Odd but well-formed: in-tree takes them, so do we. */
		{ "icmp-gso", false, XEN_NETIF_GSO_TYPE_TCPV4, 1400,
		  O_OKAY | O_ERROR, O_ERROR },
		{ "gso-size-1", true, XEN_NETIF_GSO_TYPE_TCPV4, 1,
		  O_OKAY | O_ERROR | O_CLOSED, O_OKAY },
		{ "gso-size-65535", true, XEN_NETIF_GSO_TYPE_TCPV4, 65535,
		  O_OKAY | O_ERROR | O_CLOSED, O_OKAY },
		{ "gso-v6-on-v4", true, XEN_NETIF_GSO_TYPE_TCPV6, 1400,
		  O_OKAY | O_ERROR | O_CLOSED, O_OKAY },
		/* Hostile: netif.h has no such GSO. */
		{ "gso-type-3", true, 3, 1400, O_ERROR | O_CLOSED, O_CLOSED },
		{ "gso-type-none", true, XEN_NETIF_GSO_TYPE_NONE, 1400,
		  O_ERROR | O_CLOSED, O_CLOSED },
		{ "gso-size-0", true, XEN_NETIF_GSO_TYPE_TCPV4, 0,
		  O_ERROR | O_CLOSED, O_CLOSED },
	};
	static uint8_t r[2048];
	netif_extra_info_t e;
	struct tx_slot s[2];
	unsigned int i, ns;
	uint16_t sport;
	size_t len;
	int o;

	if (!net_arp(n, 10)) {
		CHECK(n, 0, "arp:no-reply");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		sport = 40000 + i;
		len = cases[i].tcp ? build_tcp(n, xa_grant_page(&n->txbuf, 0), 1400, sport) :
				     echo_in_txbuf(n, ++n->seq);
		memset(&e, 0, sizeof(e));
		e.type = XEN_NETIF_EXTRA_TYPE_GSO;
		e.u.gso.type = cases[i].type;
		e.u.gso.size = cases[i].size;
		ns = slots_with_extras(n, s, len, &e, 1);
		o = net_attack(n, cases[i].what, s, ns, cases[i].loose, cases[i].strict);
		if (!o)
			return;
		/* Delivered to a closed port: the peer answers with a reset. */
		if (o == O_OKAY && cases[i].tcp)
			note(n, "%s-rst:%s", cases[i].what,
			     net_recv(n, r, sizeof(r), match_rst, &sport, 2000) > 0 ? "yes" : "no");
	}
	net_recover(n, "after");
}

/* Long and endless chains of extra-info slots. */
static void mode_tx_extra_chain(struct net *n)
{
	static netif_extra_info_t e[255];
	static struct tx_slot s[256];
	static uint8_t r[2048];
	struct echo ech = { .id = 0x7a7a, .plen = 0 };
	unsigned int i, ns;
	int o;

	if (!net_arp(n, 10)) {
		CHECK(n, 0, "arp:no-reply");
		return;
	}
	memset(e, 0, sizeof(e));
	for (i = 0; i < ARRAY_SIZE(e); i++) {
		e[i].type = XEN_NETIF_EXTRA_TYPE_HASH;
		e[i].flags = XEN_NETIF_EXTRA_FLAG_MORE;
		e[i].u.hash.type = i;
		e[i].u.hash.algorithm = i;
	}
	/* 8 extras of one type, ended: an odd packet, but a packet. */
	e[7].flags = 0;
	ech.seq = ++n->seq;
	ns = slots_with_extras(n, s, echo_in_txbuf(n, ech.seq), e, 8);
	o = net_attack(n, "chain-8", s, ns, O_OKAY | O_ERROR | O_CLOSED, O_OKAY);
	if (!o)
		return;
	if (o == O_OKAY)
		CHECK(n, net_recv(n, r, sizeof(r), match_echo_reply, &ech, 3000) > 0,
		      "chain-8:no-echo-reply");
	e[7].flags = XEN_NETIF_EXTRA_FLAG_MORE;
	/* The last extra promises more, and nothing follows. */
	ns = slots_with_extras(n, s, echo_in_txbuf(n, ++n->seq), e, 3);
	if (!net_attack(n, "unterminated", s, ns, O_ERROR | O_CLOSED, O_CLOSED))
		return;
	/* A chain that fills the whole ring and still goes on. */
	ns = slots_with_extras(n, s, echo_in_txbuf(n, ++n->seq), e, 255);
	if (!net_attack(n, "ring-long", s, ns, O_ERROR | O_CLOSED, O_CLOSED))
		return;
	net_recover(n, "after");
}

/* A multicast filter update: no data, just the extras. */
static int net_mcast(struct net *n, const uint8_t *add, const uint8_t *del)
{
	netif_extra_info_t e[2];
	struct tx_slot s[3];
	unsigned int ne = 0;

	memset(e, 0, sizeof(e));
	if (add) {
		e[ne].type = XEN_NETIF_EXTRA_TYPE_MCAST_ADD;
		memcpy(e[ne++].u.mcast.addr, add, 6);
	}
	if (del) {
		e[ne].type = XEN_NETIF_EXTRA_TYPE_MCAST_DEL;
		memcpy(e[ne++].u.mcast.addr, del, 6);
	}
	if (ne == 2)
		e[0].flags = XEN_NETIF_EXTRA_FLAG_MORE;
	slots_with_extras(n, s, 0, e, ne);
	return net_tx_raw(n, s, ne + 1, 3000);
}

/* 01:00:5e:00:01:i, the MAC of 224.0.1.i */
static const uint8_t *group(unsigned int i)
{
	static uint8_t a[6] = { 0x01, 0x00, 0x5e, 0x00, 0x01, 0 };

	a[5] = i;
	return a;
}

struct mcast_seen { unsigned int joined, left; };

/* Count the frames to two groups; accept none, so all are stepped over. */
static bool match_mcast(struct net *n, const uint8_t *f, size_t len, void *arg)
{
	struct mcast_seen *m = arg;

	(void)n;
	if (len >= 14 && !memcmp(f, group(20), 6))
		m->joined++;
	if (len >= 14 && !memcmp(f, group(5), 6))
		m->left++;
	return false;
}

struct mcast_listen { struct net *n; struct mcast_seen seen; };

static void mcast_listen(void *arg)
{
	struct mcast_listen *l = arg;
	uint8_t r[64];

	net_recv(l->n, r, sizeof(r), match_mcast, &l->seen, 50);
}

static void mode_mcast_flood(struct net *n)
{
	unsigned int i, ok = 0, ok_late = 0, first_err = 0, bad = 0;
	struct mcast_listen l = { .n = n };
	uint8_t add[6];
	int st;

	if (!net_arp(n, 10)) {
		CHECK(n, 0, "arp:no-reply");
		return;
	}
	/* 100 groups: a bounded list takes some, then refuses the rest. */
	for (i = 0; i < 100; i++) {
		st = net_mcast(n, group(i), NULL);
		if (st == -100 || st == -101) {
			CHECK(n, 0, "add-%u:status-%d", i, st);
			return;
		}
		if (st == NETIF_RSP_OKAY) {
			ok++;
			if (first_err)
				ok_late++;
		} else if (!first_err) {
			first_err = i + 1;
		}
	}
	note(n, "add-100:okay=%u first-error=%u", ok, first_err ? first_err - 1 : 0);
	CHECK(n, first_err && !ok_late, "add:list-unbounded-okay-%u-late-%u", ok, ok_late);
	if (n->strict)
		CHECK(n, ok == 64 && first_err == 65, "add:want-64-okay-then-errors");
	/* The same group again takes no room. */
	st = net_mcast(n, group(0), NULL);
	note(n, "add-dup:%d", st);
	CHECK(n, !n->strict || st == NETIF_RSP_OKAY, "add-dup:status-%d", st);
	/* Leaving 10 groups makes room for 10 more, and no more. */
	for (i = 0; i < 10; i++)
		bad += net_mcast(n, NULL, group(i)) != NETIF_RSP_OKAY;
	for (i = 100; i < 110; i++)
		bad += net_mcast(n, group(i), NULL) != NETIF_RSP_OKAY;
	st = net_mcast(n, group(110), NULL);
	note(n, "del-10-add-10:%u-not-okay add-one-more:%d", bad, st);
	CHECK(n, !n->strict || (!bad && st == NETIF_RSP_ERROR), "del-add:want-okay-then-error");
	/* Leaving a group we never joined is harmless. */
	st = net_mcast(n, NULL, group(200));
	CHECK(n, st != -100, "del-unknown:no-answer");
	/* Adding and leaving in one update, with the list full. */
	memcpy(add, group(111), 6);
	st = net_mcast(n, add, group(10));
	note(n, "add-del:%d", st);
	CHECK(n, st != -100, "add-del:no-answer");
	/* dom0 pings 224.0.1.20 (joined) and 224.0.1.5 (left). */
	xa_sync_point(&n->d, "net-mcast-flood-listen", mcast_listen, &l);
	note(n, "joined-frames=%u left-frames=%u", l.seen.joined, l.seen.left);
	if (xa_sync && n->strict)
		CHECK(n, l.seen.joined > 0 && l.seen.left == 0, "filter:joined-%u-left-%u",
		      l.seen.joined, l.seen.left);
	net_recover(n, "after");
}

/* --- the control ring ------------------------------------------------------- */

/*
 * Send @count copies of one control request and wait for their responses:
 * the first response's status (and data in *@out), or -1 if one is missing.
 */
static int net_ctrl_n(struct net *n, unsigned int count, uint16_t type, uint32_t d0,
		      uint32_t d1, uint32_t d2, uint32_t *out)
{
	uint64_t end = xa_now_ms() + 5000;
	unsigned int i, got = 0;
	uint16_t first = n->ctrl_id + 1;
	int st = -1;

	if (count > RING_SIZE(&n->ctrl) - (n->ctrl.req_prod_pvt - n->ctrl.rsp_cons))
		return -1;
	for (i = 0; i < count; i++) {
		struct xen_netif_ctrl_request *r = RING_GET_REQUEST(&n->ctrl, n->ctrl.req_prod_pvt);

		memset(r, 0, sizeof(*r));
		r->id = ++n->ctrl_id;
		r->type = type;
		r->data[0] = d0;
		r->data[1] = d1;
		r->data[2] = d2;
		n->ctrl.req_prod_pvt++;
	}
	xen_wmb();
	n->ctrl.sring->req_prod = n->ctrl.req_prod_pvt;
	xen_mb();
	xenevtchn_notify(n->d.xce, n->ctrl_port);
	while (got < count) {
		RING_IDX rp = n->ctrl.sring->rsp_prod;

		xen_rmb();
		while (n->ctrl.rsp_cons != rp) {
			const struct xen_netif_ctrl_response *r =
				RING_GET_RESPONSE(&n->ctrl, n->ctrl.rsp_cons);

			if (r->id == first && r->type == type) {
				st = r->status;
				if (out)
					*out = r->data;
			}
			n->ctrl.rsp_cons++;
			got++;
		}
		if (got >= count)
			break;
		n->ctrl.sring->rsp_event = n->ctrl.rsp_cons + 1;
		xen_mb();
		if (n->ctrl.sring->rsp_prod != n->ctrl.rsp_cons)
			continue;
		if (xa_now_ms() >= end)
			return -1;
		xa_evtchn_wait(&n->d, 20);
	}
	return st;
}

static int net_ctrl(struct net *n, uint16_t type, uint32_t d0, uint32_t d1, uint32_t d2,
		    uint32_t *out)
{
	return net_ctrl_n(n, 1, type, d0, d1, d2, out);
}

/* A control request that must fail: with --strict, with status @want. */
#define CTRL_BAD(n, what, want, type, d0, d1, d2) do {			\
		int _st = net_ctrl((n), (type), (d0), (d1), (d2), NULL);	\
		CHECK((n), _st > 0, "%s:status-%d", (what), _st);	\
		CHECK((n), !(n)->strict || _st == (want),		\
		      "%s:status-%d-want-%d", (what), _st, (want));	\
	} while (0)

#define CTRL_OK(n, what, type, d0, d1, d2, out) do {			\
		int _st = net_ctrl((n), (type), (d0), (d1), (d2), (out));	\
		CHECK((n), _st == XEN_NETIF_CTRL_STATUS_SUCCESS,	\
		      "%s:status-%d", (what), _st);			\
	} while (0)

/* The verification key of Microsoft's RSS specification. */
static const uint8_t rss_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* Toeplitz, bit by bit: for each set input bit, the 32 key bits from there. */
static uint32_t toeplitz(const uint8_t *key, size_t keylen, const uint8_t *data, size_t len)
{
	uint32_t h = 0, w;
	size_t i, b, k;

	for (i = 0; i < len * 8; i++) {
		if (!(data[i / 8] & (0x80 >> (i % 8))))
			continue;
		for (w = 0, b = 0; b < 32; b++) {
			k = i + b;
			w = w << 1 | (k / 8 < keylen && (key[k / 8] & (0x80 >> (k % 8))) ? 1 : 0);
		}
		h ^= w;
	}
	return h;
}

static void mode_ctrl(struct net *n)
{
	uint32_t out = 0, *map = xa_grant_page(&n->keybuf, 1), hash;
	struct xa_grant g;
	uint32_t revoked = 0xffffffffu;
	uint8_t *key = xa_grant_page(&n->keybuf, 0), addrs[8];
	unsigned int i;
	int st;

	if (!n->has_ctrl) {
		note(n, "no-ctrl-ring");
		CHECK(n, !n->strict, "backend-offers-no-ctrl-ring");
		net_recover(n, "after");
		return;
	}
	if (xa_grant_alloc(&n->d, &g, 1, false) == 0) {
		revoked = g.refs[0];
		xa_grant_free(&n->d, &g);
	}
	/* The tool first: questions with answers. */
	CTRL_OK(n, "get-flags", XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS, 0, 0, 0, &out);
	CHECK(n, out & XEN_NETIF_CTRL_HASH_TYPE_IPV4, "get-flags:no-ipv4-%#x", out);
	note(n, "flags=%#x", out);
	CTRL_OK(n, "get-map-size", XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE, 0, 0, 0, &out);
	note(n, "map-size=%u", out);

	/* Messages nobody defined. */
	CTRL_BAD(n, "type-0", XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED, XEN_NETIF_CTRL_TYPE_INVALID, 1, 2, 3);
	CTRL_BAD(n, "type-11", XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED, 11, 1, 2, 3);
	CTRL_BAD(n, "type-ffff", XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED, 0xffff, ~0u, ~0u, ~0u);
	/* Flags before an algorithm, unknown algorithms, unknown flags. */
	CTRL_BAD(n, "flags-no-alg", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS, XEN_NETIF_CTRL_HASH_TYPE_IPV4, 0, 0);
	CTRL_BAD(n, "alg-2", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM, 2, 0, 0);
	CTRL_BAD(n, "alg-ffffffff", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM, ~0u, 0, 0);
	CTRL_OK(n, "alg-toeplitz", XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
		XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ, 0, 0, NULL);
	CTRL_BAD(n, "flags-bit-4", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS, 1u << 4, 0, 0);
	CTRL_BAD(n, "flags-bit-31", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS, XEN_NETIF_CTRL_HASH_TYPE_IPV4 | 1u << 31, 0, 0);
	/* Keys: behind bad grants, longer than a key, than a page, than anything. */
	memcpy(key, rss_key, sizeof(rss_key));
	CTRL_BAD(n, "key-gref-invalid", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 0xffffffffu, 40, 0);
	CTRL_BAD(n, "key-gref-revoked", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, revoked, 40, 0);
	CTRL_BAD(n, "key-41", XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, n->keybuf.refs[0], 41, 0);
	CTRL_BAD(n, "key-4097", XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, n->keybuf.refs[0], 4097, 0);
	CTRL_BAD(n, "key-ffffffff", XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, n->keybuf.refs[0], ~0u, 0);
	/* Mapping tables: sizes, grants, offsets, and queues we lack. */
	CTRL_BAD(n, "map-size-65536", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE, 65536, 0, 0);
	CTRL_BAD(n, "map-size-ffffffff", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE, ~0u, 0, 0);
	CTRL_OK(n, "map-size-8", XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE, 8, 0, 0, NULL);
	memset(map, 0, XA_PAGE_SIZE);
	CTRL_BAD(n, "map-gref-invalid", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 0xffffffffu, 8, 0);
	CTRL_BAD(n, "map-gref-revoked", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, revoked, 8, 0);
	CTRL_BAD(n, "map-len-2000", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, n->keybuf.refs[1], 2000, 0);
	CTRL_BAD(n, "map-past-table", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, n->keybuf.refs[1], 4, 6);
	CTRL_BAD(n, "map-offset-wraps", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, n->keybuf.refs[1], 4, 0xfffffffeu);
	CTRL_BAD(n, "map-len-wraps", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, n->keybuf.refs[1], 0xffffffffu, 2);
	map[3] = 1;		/* we have one queue: 0 */
	CTRL_BAD(n, "map-queue-1", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, n->keybuf.refs[1], 8, 0);
	map[3] = 0xffffffffu;
	CTRL_BAD(n, "map-queue-ffffffff", XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		 XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, n->keybuf.refs[1], 8, 0);
	map[3] = 0;
	CTRL_OK(n, "map-valid", XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, n->keybuf.refs[1], 8, 0, NULL);
	/* Staging grants, with grants that do not exist. */
	st = net_ctrl(n, XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE, 0, 0, 0, &out);
	note(n, "gref-map-size:%d", st);
	CHECK(n, st >= 0, "gref-map-size:no-answer");
	CTRL_BAD(n, "add-gref-map", XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED,
		 XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING, 0xffffffffu, 16, 0);
	CTRL_BAD(n, "del-gref-map", XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED,
		 XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING, revoked, 0xffffffffu, 0);
	/* A flood: every request answered, nothing lost. */
	for (i = 0; i < 8; i++) {
		st = net_ctrl_n(n, 64, 0x7777, i, 0, 0, NULL);
		if (st <= 0)
			break;
	}
	CHECK(n, i == 8, "flood:batch-%u-status-%d", i, st);

	/* Now a real configuration: echo replies must carry its hash. */
	CTRL_OK(n, "key-valid", XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, n->keybuf.refs[0], 40, 0, NULL);
	CTRL_OK(n, "flags-ipv4", XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS,
		XEN_NETIF_CTRL_HASH_TYPE_IPV4, 0, 0, NULL);
	if (n->fails)
		return;
	memcpy(addrs, &n->peer_ip, 4);
	memcpy(addrs + 4, &n->ip, 4);
	hash = toeplitz(rss_key, sizeof(rss_key), addrs, 8);
	if (!net_arp(n, 10) || !net_echo(n, 56, 1, "echo-hashed"))
		return;
	note(n, "reply-hash:%s type=%u alg=%u value=%#x want=%#x", n->rx_info.hash ? "yes" : "no",
	     n->rx_info.hash_type, n->rx_info.hash_alg, n->rx_info.hash_value, hash);
	if (n->strict)
		CHECK(n, n->rx_info.hash && n->rx_info.hash_value == hash &&
		      n->rx_info.hash_type == _XEN_NETIF_CTRL_HASH_TYPE_IPV4 &&
		      n->rx_info.hash_alg == XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ,
		      "reply-hash-wrong");
	/* Hashing off again: no more hash extras. */
	CTRL_OK(n, "alg-none", XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
		XEN_NETIF_CTRL_HASH_ALGORITHM_NONE, 0, 0, NULL);
	if (net_echo(n, 56, 1, "echo-unhashed"))
		CHECK(n, !n->rx_info.hash, "echo-unhashed:hash-extra");
}

/* Write a producer index past the ring; wait for the backend to close. */
static void overrun(struct net *n, const char *what, RING_IDX *req_prod, RING_IDX rsp_prod,
		    unsigned int size, evtchn_port_t port, bool poke)
{
	uint8_t f[64];
	uint64_t t0;
	int s, i;

	/*
	 * Far past the ring: the backend measures from the responses it has
	 * written, which run ahead of the rsp_prod we read (the rx ring
	 * answers frames meanwhile), so size + a few could still fit.
	 */
	*req_prod = rsp_prod + 3 * size;
	xen_mb();
	xenevtchn_notify(n->d.xce, port);
	/*
	 * The backend reads the rx ring when it has frames for us and runs
	 * out of the buffers it took before: ask the peer for more replies
	 * than we posted buffers.
	 */
	build_arp(n, f);
	for (i = 0; poke && i < NET_POOL + 16; i++)
		if (net_send(n, f, 60, 1) != NETIF_RSP_OKAY)
			break;
	t0 = xa_now_ms();
	s = xa_wait_be_state(&n->d, XA_ST(XenbusStateClosing) | XA_ST(XenbusStateClosed), 15000);
	note(n, "%s:%s-after-%ums", what, s >= 0 ? "closed" : "still-connected",
	     (unsigned int)(xa_now_ms() - t0));
	CHECK(n, s >= 0 || !n->strict, "%s:not-closed", what);
	net_reconnect(n, what);
}

static void mode_ring_overrun(struct net *n)
{
	if (!net_arp(n, 10)) {
		CHECK(n, 0, "arp:no-reply");
		return;
	}
	if (n->has_ctrl) {
		/* The ring works first: one question, and how long it took. */
		uint64_t t0 = xa_now_ms();
		int st = net_ctrl(n, XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS, 0, 0, 0, NULL);

		note(n, "ctrl-probe:%d-in-%ums", st, (unsigned int)(xa_now_ms() - t0));
		CHECK(n, st == XEN_NETIF_CTRL_STATUS_SUCCESS, "ctrl-probe:status-%d", st);
		overrun(n, "ctrl", &n->ctrl.sring->req_prod, n->ctrl.sring->rsp_prod,
			RING_SIZE(&n->ctrl), n->ctrl_port, false);
	} else {
		note(n, "no-ctrl-ring");
	}
	if (!n->connected)
		return;
	overrun(n, "tx", &n->tx.sring->req_prod, n->tx.sring->rsp_prod,
		RING_SIZE(&n->tx), n->port, false);
	if (!n->connected)
		return;
	overrun(n, "rx", &n->rx.sring->req_prod, n->rx.sring->rsp_prod,
		RING_SIZE(&n->rx), n->port, true);
	net_recover(n, "after");
}

static bool match_none(struct net *n, const uint8_t *f, size_t len, void *arg)
{
	(void)n, (void)f, (void)len, (void)arg;
	return false;
}

static void mode_rx_stall(struct net *n)
{
	uint8_t r[64];

	if (!net_arp(n, 10) || !net_echo(n, 56, 1, "echo-before")) {
		CHECK(n, 0, "no-echo-before");
		return;
	}
	/* Take nothing: the buffers posted fill up, then the backend queues. */
	n->no_rx_post = true;
	xa_sync_point(&n->d, "net-rx-stall-starved", NULL, NULL);
	n->no_rx_post = false;
	/* Take what was delivered and post buffers again. */
	net_recv(n, r, sizeof(r), match_none, NULL, 500);
	CHECK(n, net_arp(n, 15) && net_echo(n, 56, 1, "echo-after"), "no-echo-after-stall");
}

static const struct {
	const char *name;
	void (*fn)(struct net *n);
	bool ctrl, mcast;
} modes[] = {
	{ "rw", mode_rw, false, false },
	{ "tx-tiny", mode_tx_tiny, false, false },
	{ "tx-bad-gref", mode_tx_bad_gref, false, false },
	{ "tx-cross-page", mode_tx_cross_page, false, false },
	{ "tx-too-many-slots", mode_tx_too_many_slots, false, false },
	{ "tx-bad-size", mode_tx_bad_size, false, false },
	{ "tx-bad-extra", mode_tx_bad_extra, false, false },
	{ "tx-bad-gso", mode_tx_bad_gso, false, false },
	{ "tx-extra-chain", mode_tx_extra_chain, false, false },
	{ "mcast-flood", mode_mcast_flood, false, true },
	{ "ctrl", mode_ctrl, true, false },
	{ "ring-overrun", mode_ring_overrun, true, false },
	{ "rx-stall", mode_rx_stall, false, false },
};

static int run_mode(struct net *n, const char *name)
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
	n->fails = n->errors = 0;
	n->detail[0] = 0;
	n->want_ctrl = modes[i].ctrl;
	n->want_mcast = modes[i].mcast;
	n->no_rx_post = false;
	xa_log("mode %s", name);
	s = net_connect(n);
	CHECK(n, s == XenbusStateConnected, "connect:backend-state-%d", s);
	if (!n->fails)
		modes[i].fn(n);
	snprintf(tag, sizeof(tag), "net-%s-attacked", name);
	if (xa_sync)
		xa_say("stats-net-%s errors=%u fails=%u", name, n->errors, n->fails);
	xa_sync_point(&n->d, tag, NULL, NULL);
	net_close(n);
	snprintf(tag, sizeof(tag), "net-%s-closed", name);
	xa_sync_point(&n->d, tag, NULL, NULL);
	xa_say("result-net-%s %s errors=%u %s", name, n->fails ? "FAIL" : "PASS",
	       n->errors, n->detail);
	return n->fails ? 1 : 0;
}

/* Host-side checks of what needs no Xen (xafront selftest). */
int xa_net_selftest(void)
{
	/* Microsoft's RSS verification suite: 66.9.149.187:2794 -> 161.142.100.80:1766 */
	static const uint8_t v4[12] = {
		66, 9, 149, 187, 161, 142, 100, 80, 0x0a, 0xea, 0x06, 0xe6,
	};
	struct net *n = calloc(1, sizeof(*n));
	static uint8_t f[2048];
	netif_extra_info_t e;
	int fails = 0;

#define T(cond) do { if (!(cond)) { fails++; xa_log("net selftest: %s", #cond); } } while (0)
	T(toeplitz(rss_key, 40, v4, 8) == 0x323e8fc2);
	T(toeplitz(rss_key, 40, v4, 12) == 0x51ccc178);
	T(toeplitz(rss_key, 0, v4, 12) == 0);
	/* Layouts netback reads (Linux's include/xen/interface/io/netif.h) */
	T(sizeof(struct netif_tx_request) == 12 && sizeof(netif_extra_info_t) == 8);
	T(sizeof(struct xen_netif_ctrl_request) == 16);
	T(sizeof(struct xen_netif_ctrl_response) == 12);
	memset(&e, 0, sizeof(e));
	e.u.gso.size = 0x1234;
	e.u.gso.type = 2;
	T(((uint8_t *)&e)[2] == 0x34 && ((uint8_t *)&e)[4] == 2);
	memcpy(e.u.mcast.addr, group(7), 6);
	T(((uint8_t *)&e)[2] == 1 && ((uint8_t *)&e)[7] == 7);
	/* Frames: an IPv4 header whose checksum checks, the TCP flags */
	n->ip = htonl(0xc612000a);
	n->peer_ip = htonl(0xc6120001);
	T(build_echo(n, f, (const uint8_t *)"abcd", 4, 1, 2) == 46);
	T(csum(f + 14, 20) == 0 && csum(f + 34, 12) == 0);
	T(build_tcp(n, f, 100, 40000) == 154 && get16(f + 16) == 140 && f[47] == 0x18);
	T(csum(f + 14, 20) == 0 && get16(f + 34) == 40000);
#undef T
	free(n);
	return fails;
}

int xa_net_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "ip", required_argument, NULL, 'i' },
		{ "peer", required_argument, NULL, 'p' },
		{ "sync", no_argument, NULL, 's' },
		{ "strict", no_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct net *n = calloc(1, sizeof(*n));
	unsigned int m[6];
	int c, i, failed = 0;
	char *mac;

	if (!n)
		return 1;
	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 'd': n->devid = strtoul(optarg, NULL, 0); break;
		case 'i': inet_pton(AF_INET, optarg, &n->ip); break;
		case 'p': inet_pton(AF_INET, optarg, &n->peer_ip); break;
		case 's': xa_sync = true; break;
		case 'S': n->strict = true; break;
		case 'v': xa_verbose = true; break;
		default: return 2;
		}
	}
	if (optind >= argc || !n->ip || !n->peer_ip) {
		xa_log("usage: xafront net --ip ADDR --peer ADDR MODE...");
		return 2;
	}
	if (xa_dev_open(&n->d, "vif", n->devid))
		return 1;
	mac = xa_read(&n->d, "%s/mac", n->d.fe);
	if (!mac || sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
			   &m[4], &m[5]) != 6) {
		xa_log("no mac under %s", n->d.fe);
		return 1;
	}
	free(mac);
	for (i = 0; i < 6; i++)
		n->mac[i] = m[i];
	if (xa_grant_alloc(&n->d, &n->txbuf, 32, false) ||
	    xa_grant_alloc(&n->d, &n->rxbuf, NET_POOL, true) ||
	    xa_grant_alloc(&n->d, &n->keybuf, 2, false))
		return 1;
	for (i = optind; i < argc; i++)
		failed += run_mode(n, argv[i]) != 0;
	net_close(n);
	xa_grant_free(&n->d, &n->txbuf);
	xa_grant_free(&n->d, &n->rxbuf);
	xa_grant_free(&n->d, &n->keybuf);
	xa_dev_close(&n->d);
	free(n);
	xa_log("%d net mode(s) failed", failed);
	return failed ? 1 : 0;
}
