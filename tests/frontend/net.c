// SPDX-License-Identifier: GPL-2.0
/*
 * xafront net: a netif frontend in user space, well-behaved or hostile.
 *
 *   xafront net --ip A.B.C.D --peer A.B.C.D [--dev N] [--sync] [-v] MODE...
 *
 * One queue, one event channel, rx-copy. Our address (--ip) is ours alone;
 * the peer (dom0's bridge address) answers ARP and ICMP echo, which is how
 * frames are checked end to end: what comes back must carry what we sent.
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
 * The last three may be refused with error responses or by disabling the
 * interface; either way the frontend must be able to reconnect and echo.
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
	char detail[512];
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

/* --- connection ------------------------------------------------------------- */

static void net_post_rx(struct net *n)
{
	RING_IDX i;

	for (i = n->rx.req_prod_pvt; i - n->rx.rsp_cons < NET_POOL &&
	     i - n->rx.rsp_cons < RING_SIZE(&n->rx); i++) {
		struct netif_rx_request *r = RING_GET_REQUEST(&n->rx, i);

		r->id = i % NET_POOL;
		r->gref = n->rxbuf.refs[i % NET_POOL];
	}
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
	xa_grant_free(&n->d, &n->txg);
	xa_grant_free(&n->d, &n->rxg);
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
 * Send @len bytes in @nslots slots (or with @tmpl's fields forced, for
 * attacks) and wait for every slot's response. Returns the first non-OKAY
 * status, NETIF_RSP_OKAY, or -100 if a response is missing.
 */
struct tx_slot { uint32_t gref; uint16_t offset, flags, size; };

static int net_tx_raw(struct net *n, const struct tx_slot *s, unsigned int nslots,
		      int timeout_ms)
{
	uint64_t end = xa_now_ms() + timeout_ms;
	unsigned int i, got = 0;
	int st = NETIF_RSP_OKAY;

	for (i = 0; i < nslots; i++) {
		struct netif_tx_request *r = RING_GET_REQUEST(&n->tx, n->tx.req_prod_pvt);

		r->gref = s[i].gref;
		r->offset = s[i].offset;
		r->flags = s[i].flags;
		r->size = s[i].size;
		r->id = (n->tx.req_prod_pvt) % RING_SIZE(&n->tx);
		n->tx.req_prod_pvt++;
	}
	xen_wmb();
	n->tx.sring->req_prod = n->tx.req_prod_pvt;
	xen_mb();
	xenevtchn_notify(n->d.xce, n->port);
	while (got < nslots) {
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
		if (got >= nslots)
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
	struct tx_slot s[8];
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
 * passes; the frame is copied to @out. Returns its length or -1.
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
			struct netif_rx_response *r = RING_GET_RESPONSE(&n->rx, n->rx.rsp_cons);
			const uint8_t *f = (const uint8_t *)xa_grant_page(&n->rxbuf, r->id % NET_POOL) +
					   r->offset;
			int len = r->status;
			bool hit = false;

			if (len > 0 && r->offset + len <= (int)XA_PAGE_SIZE &&
			    !(r->flags & (NETRXF_more_data | NETRXF_extra_info)))
				hit = match(n, f, len, arg);
			if (hit)
				memcpy(out, f, (size_t)len < max ? (size_t)len : max);
			n->rx.rsp_cons++;
			if (hit) {
				net_post_rx(n);
				return len;
			}
		}
		net_post_rx(n);
		n->rx.sring->rsp_event = n->rx.rsp_cons + 1;
		xen_mb();
		if (n->rx.sring->rsp_prod != n->rx.rsp_cons)
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

static bool match_arp_reply(struct net *n, const uint8_t *f, size_t len, void *arg)
{
	(void)arg;
	return len >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2 &&
	       !memcmp(f + 28, &n->peer_ip, 4) && !memcmp(f + 38, &n->ip, 4);
}

static bool net_arp(struct net *n, int tries)
{
	uint8_t f[64] = { 0 }, r[2048];
	int i, len = -1;

	memset(f, 0xff, 6);
	memcpy(f + 6, n->mac, 6);
	f[12] = 0x08, f[13] = 0x06;
	f[14] = 0, f[15] = 1, f[16] = 0x08, f[17] = 0, f[18] = 6, f[19] = 4;
	f[20] = 0, f[21] = 1;
	memcpy(f + 22, n->mac, 6);
	memcpy(f + 28, &n->ip, 4);
	memcpy(f + 38, &n->peer_ip, 4);
	for (i = 0; i < tries && len < 0; i++) {
		memcpy(xa_grant_page(&n->txbuf, 0), f, 60);
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
	       icmp[0] == 0 && ntohs(*(uint16_t *)(icmp + 4)) == e->id &&
	       ntohs(*(uint16_t *)(icmp + 6)) == e->seq;
}

/* ICMP echo to the peer with @plen bytes of pattern, in @nslots slots. */
static bool net_echo(struct net *n, size_t plen, unsigned int nslots, const char *what)
{
	static uint8_t f[2048], r[2048], payload[1500];
	struct echo e = { .id = 0x7a7a, .seq = ++n->seq, .payload = payload, .plen = plen };
	size_t i, len = 42 + plen;
	int got = -1, st, tries;

	for (i = 0; i < plen; i++)
		payload[i] = (uint8_t)(i * 7 + e.seq);
	memcpy(f, n->peer_mac, 6);
	memcpy(f + 6, n->mac, 6);
	f[12] = 0x08, f[13] = 0x00;
	memset(f + 14, 0, 20);
	f[14] = 0x45;
	*(uint16_t *)(f + 16) = htons(20 + 8 + plen);
	*(uint16_t *)(f + 18) = htons(e.seq);
	f[22] = 64, f[23] = 1;
	memcpy(f + 26, &n->ip, 4);
	memcpy(f + 30, &n->peer_ip, 4);
	*(uint16_t *)(f + 24) = csum(f + 14, 20);
	f[34] = 8, f[35] = 0, f[36] = 0, f[37] = 0;
	*(uint16_t *)(f + 38) = htons(e.id);
	*(uint16_t *)(f + 40) = htons(e.seq);
	memcpy(f + 42, payload, plen);
	*(uint16_t *)(f + 36) = csum(f + 34, 8 + plen);
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

/* After an attack: still echoing, or else a reconnect must bring it back. */
static void net_recover(struct net *n, const char *what)
{
	if (net_arp(n, 2) && net_echo(n, 200, 1, what)) {
		note(n, "%s:still-up", what);
		return;
	}
	n->fails = 0;	/* a disabled interface is a fair answer */
	n->detail[0] = 0;
	note(n, "%s:interface-disabled", what);
	net_close(n);
	CHECK(n, net_connect(n) == XenbusStateConnected, "%s:no-reconnect", what);
	CHECK(n, n->connected && net_arp(n, 10) && net_echo(n, 200, 1, what),
	      "%s:no-echo-after-reconnect", what);
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
	struct tx_slot s[25];
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
	struct tx_slot s[3];
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

static const struct {
	const char *name;
	void (*fn)(struct net *n);
} modes[] = {
	{ "rw", mode_rw },
	{ "tx-tiny", mode_tx_tiny },
	{ "tx-bad-gref", mode_tx_bad_gref },
	{ "tx-cross-page", mode_tx_cross_page },
	{ "tx-too-many-slots", mode_tx_too_many_slots },
	{ "tx-bad-size", mode_tx_bad_size },
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

int xa_net_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "ip", required_argument, NULL, 'i' },
		{ "peer", required_argument, NULL, 'p' },
		{ "sync", no_argument, NULL, 's' },
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
	    xa_grant_alloc(&n->d, &n->rxbuf, NET_POOL, true))
		return 1;
	for (i = optind; i < argc; i++)
		failed += run_mode(n, argv[i]) != 0;
	net_close(n);
	xa_grant_free(&n->d, &n->txbuf);
	xa_grant_free(&n->d, &n->rxbuf);
	xa_dev_close(&n->d);
	free(n);
	xa_log("%d net mode(s) failed", failed);
	return failed ? 1 : 0;
}
