// SPDX-License-Identifier: GPL-2.0
/*
 * xafront net: a netif frontend in user space, well-behaved or hostile.
 *
 *   xafront net --ip A.B.C.D --peer A.B.C.D [--dev N[,N...]] [--sync] [--strict] [-v] MODE...
 *
 * One queue, one event channel (split tx and rx for the modes that want
 * them), rx-copy, and a control ring for the modes that want one. Our
 * address (--ip) is ours alone; the peer (dom0's bridge address) answers
 * ARP and ICMP echo, which is how frames are checked end to end: what
 * comes back must carry what we sent. Every extra-info slot the backend
 * writes must have its unused bytes zero, in every mode.
 *
 * Each attack's outcome is one of: okay (answered NETIF_RSP_OKAY), error
 * (an error response), closed (the backend disabled the interface and went
 * to Closing) or hang (no answer, still Connected: always a failure). Every
 * attack lists the outcomes it allows; --strict narrows them to what
 * xenaccel_netback does (the rig passes it with --backend=xenaccel), which
 * is in-tree netback's answer wherever in-tree has one. After a closed
 * outcome the tool reconnects, and every mode ends with an echo. Without
 * --strict a vif that stops answering counts as closed (in-tree netback
 * disables a vif without telling the frontend), and one that stays dead
 * after a reconnect (in-tree keeps it disabled until the toolstack makes
 * a new vif) ends the mode with a note; the next mode goes on with the
 * next vif --dev names.
 *
 * MODEs:
 *   rw                 ARP for the peer, then ICMP echo with small and
 *                      large payloads, single-slot and split over three
 *                      slots; every reply's payload compared
 *   tx-tiny            frames of 0, 1 and 13 bytes (below an Ethernet
 *                      header): each answered with an error, then echo works
 *   tx-bad-gref        invalid, revoked and foreign (granted to ourselves)
 *                      grant refs, alone and as one slot of a three-slot
 *                      echo request: error responses and no reply, then
 *                      echo works (from read-only grants, as TX wants)
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
 *   tx-double-fetch    a second thread rewrites published TX requests (gref,
 *                      offset, size, flags, more_data, extra_info, extra-
 *                      info types and MORE) while the backend reads them;
 *                      frames of self-checking blocks (dfblock.h). Every
 *                      slot answered once with OKAY (benign rewrites) or
 *                      OKAY/error (odd ones), or closed (hostile ones); dom0
 *                      captures every frame on the vif (--sync, xacap.c):
 *                      each must be one consistent reading of its slots
 *   storm              notifications on the split tx and rx and the control
 *                      channels as fast as we can, idle and with traffic
 *                      (--sync: dom0 checks it answers, the events stay
 *                      bounded, nothing spins); then echo and the control
 *                      ring work
 *   state-flap         our xenbus state flapping at random with valid keys,
 *                      junk keys and valid keys again; then a clean close
 *                      and a connection that echoes
 *   bad-keys           absurd queue counts, ring refs, event channels (also
 *                      tx without rx), request-rx-copy, control-ring keys,
 *                      missing queue-N/ keys: each refused (Closing); junk
 *                      feature flags read as absent; then a good connect
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
#include "dfblock.h"
#include <xen/io/netif.h>

#define NET_POOL	64
/* Linux's netif.h has it, Xen 4.17's not yet: u.pad[0] is the headroom. */
#define XEN_NETIF_EXTRA_TYPE_XDP_	5
#define NET_XDP_HEADROOM	256
/* Spare vifs (--dev 0,1,...) for a backend that disables one for good. */
#define NET_MAX_DEVS	32

/* What the extra-info slots of the last frame received said. */
struct rx_info {
	unsigned int extras;
	bool hash, xdp;
	uint8_t hash_type, hash_alg;
	uint32_t hash_value;
	uint16_t xdp_headroom;
};

/* A frontend key and its value (see net_write_keys()). */
struct net_kv {
	char key[40];
	char val[48];
};

#define NET_MAX_KEYS	48

struct net {
	struct xa_dev d;
	unsigned int devid;
	unsigned int devs[NET_MAX_DEVS], ndevs;	/* --dev: this one and spares */
	bool connected, rings_granted;
	bool dead;				/* loose: the backend disabled the vif for good */
	struct xa_grant txg, rxg;		/* the rings */
	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	evtchn_port_t port;			/* the tx channel, or the only one */
	evtchn_port_t rx_port;			/* split event channels: rx */
	bool have_port, have_rx_port;
	bool split;				/* this mode wants split channels */
	bool xdp;				/* ... asks for XDP headroom */
	const char *const *keys;		/* bad-keys: overrides for the next connect */
	/* bad-keys: a second queue's rings, for keys under queue-1/ */
	struct xa_grant q1tx, q1rx;
	evtchn_port_t q1port;
	bool have_q1;
	unsigned int pad_bad;			/* extra-info slots with odd bytes set */
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

/* Our MAC: the toolstack's, from the vif's frontend directory. */
static int net_read_mac(struct net *n)
{
	unsigned int m[6], i;
	char *mac = xa_read(&n->d, "%s/mac", n->d.fe);

	if (!mac || sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
			   &m[5]) != 6) {
		free(mac);
		xa_log("no mac under %s", n->d.fe);
		return -1;
	}
	free(mac);
	for (i = 0; i < 6; i++)
		n->mac[i] = m[i];
	return 0;
}

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
	xenevtchn_notify(n->d.xce, n->have_rx_port ? n->rx_port : n->port);
}

static void net_release(struct net *n)
{
	if (n->have_port)
		xa_evtchn_free(&n->d, n->port);
	n->have_port = false;
	if (n->have_rx_port)
		xa_evtchn_free(&n->d, n->rx_port);
	n->have_rx_port = false;
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

/* Set @key to @val in @kv (*@nkv of them), or leave it out if @val is NULL. */
static void kv_set(struct net_kv *kv, unsigned int *nkv, const char *key, const char *val)
{
	unsigned int i;

	for (i = 0; i < *nkv; i++)
		if (!strcmp(kv[i].key, key))
			break;
	if (!val) {
		if (i < *nkv)
			kv[i] = kv[--*nkv];
		return;
	}
	if (i == *nkv) {
		if (*nkv == NET_MAX_KEYS)
			return;
		snprintf(kv[i].key, sizeof(kv[i].key), "%s", key);
		++*nkv;
	}
	snprintf(kv[i].val, sizeof(kv[i].val), "%s", val);
}

/*
 * Apply @o to @kv: "KEY=VALUE" sets KEY (a path under the device's
 * directory, so "queue-1/tx-ring-ref" too), "-KEY" leaves it out. A VALUE
 * "$NAME" is NAME's value in @vars, the live grants and ports.
 */
static void kv_override(struct net_kv *kv, unsigned int *nkv, const char *o,
			const struct net_kv *vars, unsigned int nvars)
{
	const char *eq = strchr(o, '='), *val;
	char key[sizeof(kv->key)];
	unsigned int i;

	if (o[0] == '-') {
		kv_set(kv, nkv, o + 1, NULL);
		return;
	}
	if (!eq || (size_t)(eq - o) >= sizeof(key))
		return;
	memcpy(key, o, eq - o);
	key[eq - o] = 0;
	val = eq + 1;
	if (val[0] == '$')
		for (i = 0; i < nvars; i++)
			if (!strcmp(vars[i].key, val + 1)) {
				val = vars[i].val;
				break;
			}
	kv_set(kv, nkv, key, val);
}

/*
 * The keys netfront writes, then n->keys' overrides; everything any mode
 * may have written before goes first, in the same transaction.
 */
static bool net_write_keys(struct net *n)
{
	static const char *const stale[] = {
		"tx-ring-ref", "rx-ring-ref", "event-channel", "event-channel-tx",
		"event-channel-rx", "request-rx-copy", "feature-rx-notify", "feature-sg",
		"feature-no-csum-offload", "feature-gso-tcpv4", "request-multicast-control",
		"xdp-headroom", "ctrl-ring-ref", "event-channel-ctrl",
		"multi-queue-num-queues", "queue-0", "queue-1", "queue-2", "queue-3",
	};
	static const char *const base[] = {
		"tx-ring-ref=$tx", "rx-ring-ref=$rx", "request-rx-copy=1",
		"feature-rx-notify=1", "feature-sg=1", "feature-no-csum-offload=1",
		"feature-gso-tcpv4=0", NULL,
	};
	struct net_kv kv[NET_MAX_KEYS], vars[16];
	unsigned int nkv = 0, nvars = 0, i;
	const char *const *o;
	xs_transaction_t t;
	char path[200];
	bool ok;

#define VAR(name, ...) do {							\
		snprintf(vars[nvars].key, sizeof(vars[nvars].key), "%s", name);	\
		snprintf(vars[nvars].val, sizeof(vars[nvars].val), __VA_ARGS__);	\
		nvars++;							\
	} while (0)
	VAR("tx", "%u", n->txg.refs[0]);
	VAR("rx", "%u", n->rxg.refs[0]);
	/* The same ref, 2^32 on: scanf("%u") would wrap it back. */
	VAR("tx4g", "%llu", n->txg.refs[0] + (1ull << 32));
	VAR("txjunk", "%ujunk", n->txg.refs[0]);
	VAR("evt", "%u", n->port);
	VAR("evtrx", "%u", n->rx_port);
	VAR("ctrl", "%u", n->ctrlg.refs[0]);
	VAR("ctrlevt", "%u", n->ctrl_port);
	VAR("tx1", "%u", n->q1tx.refs[0]);
	VAR("rx1", "%u", n->q1rx.refs[0]);
	VAR("evt1", "%u", n->q1port);
	VAR("xdp", "%u", NET_XDP_HEADROOM);
#undef VAR
	for (o = base; *o; o++)
		kv_override(kv, &nkv, *o, vars, nvars);
	if (n->split) {
		kv_override(kv, &nkv, "event-channel-tx=$evt", vars, nvars);
		kv_override(kv, &nkv, "event-channel-rx=$evtrx", vars, nvars);
	} else {
		kv_override(kv, &nkv, "event-channel=$evt", vars, nvars);
	}
	kv_set(kv, &nkv, "request-multicast-control", n->want_mcast ? "1" : "0");
	if (n->xdp)
		kv_override(kv, &nkv, "xdp-headroom=$xdp", vars, nvars);
	if (n->has_ctrl) {
		kv_override(kv, &nkv, "ctrl-ring-ref=$ctrl", vars, nvars);
		kv_override(kv, &nkv, "event-channel-ctrl=$ctrlevt", vars, nvars);
	}
	for (o = n->keys; o && *o; o++)
		kv_override(kv, &nkv, *o, vars, nvars);
again:
	t = xs_transaction_start(n->d.xs);
	if (!t)
		return false;
	for (i = 0; i < ARRAY_SIZE(stale); i++) {
		snprintf(path, sizeof(path), "%s/%s", n->d.fe, stale[i]);
		xs_rm(n->d.xs, t, path);
	}
	for (i = 0, ok = true; i < nkv && ok; i++) {
		snprintf(path, sizeof(path), "%s/%.*s", n->d.fe, (int)sizeof(kv[i].key), kv[i].key);
		ok = xs_write(n->d.xs, t, path, kv[i].val, strlen(kv[i].val));
	}
	if (!xs_transaction_end(n->d.xs, t, !ok)) {
		if (errno == EAGAIN)
			goto again;
		return false;
	}
	return ok;
}

/*
 * Grant fresh rings, write the keys (with n->keys' overrides) and go
 * Connected. Returns the backend state it settled in: Connected (and we
 * are too), Closing/Closed (refused), or -1.
 */
static int net_connect(struct net *n)
{
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
	if (n->split) {
		if (xa_evtchn_alloc(&n->d, &n->rx_port))
			return -1;
		n->have_rx_port = true;
	}
	if (net_setup_ctrl(n))
		return -1;
	if (!net_write_keys(n)) {
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

/* A frame into txbuf's first @nslots (at most 8) pages at equal sizes. */
static void net_split(struct net *n, const uint8_t *frame, size_t len, unsigned int nslots,
		      struct tx_slot *s)
{
	size_t chunk = (len + nslots - 1) / nslots, off = 0;
	unsigned int i;

	memset(s, 0, sizeof(*s) * nslots);
	for (i = 0; i < nslots && i < 8; i++) {
		size_t c = len - off < chunk ? len - off : chunk;

		memcpy(xa_grant_page(&n->txbuf, i), frame + off, c);
		s[i].gref = n->txbuf.refs[i];
		s[i].offset = 0;
		s[i].flags = i + 1 < nslots ? NETTXF_more_data : 0;
		s[i].size = i == 0 ? len : c;
		off += c;
	}
}

static int net_send(struct net *n, const uint8_t *frame, size_t len,
		    unsigned int nslots)
{
	struct tx_slot s[8];

	net_split(n, frame, len, nslots, s);
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

/*
 * An extra-info slot the backend wrote: a type it may send, and zero in
 * every byte that type leaves unused (no dom0 memory reaches the guest).
 */
static void net_rx_extra(struct net *n, const netif_extra_info_t *e, struct rx_info *info)
{
	bool ok = !(e->flags & ~XEN_NETIF_EXTRA_FLAG_MORE);

	switch (e->type) {
	case XEN_NETIF_EXTRA_TYPE_GSO:
		ok = ok && !e->u.gso.pad && !e->u.gso.features;
		break;
	case XEN_NETIF_EXTRA_TYPE_HASH:
		info->hash = true;
		info->hash_type = e->u.hash.type;
		info->hash_alg = e->u.hash.algorithm;
		info->hash_value = e->u.hash.value[0] | e->u.hash.value[1] << 8 |
				   e->u.hash.value[2] << 16 |
				   (uint32_t)e->u.hash.value[3] << 24;
		break;
	case XEN_NETIF_EXTRA_TYPE_XDP_:
		ok = ok && !e->u.pad[1] && !e->u.pad[2];
		info->xdp = true;
		info->xdp_headroom = e->u.pad[0];
		break;
	default:
		ok = false;
		break;
	}
	if (!ok && !n->pad_bad++)
		xa_log("rx extra-info type %u flags %#x bytes %04x %04x %04x", e->type, e->flags,
		       e->u.pad[0], e->u.pad[1], e->u.pad[2]);
}

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
					net_rx_extra(n, e, &info);
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
			/*
			 * With XDP headroom the data starts past it, and the
			 * status counts it (in-tree's way, xenaccel's too).
			 */
			if (info.xdp && !off && len > info.xdp_headroom) {
				off = info.xdp_headroom;
				len -= off;
			}
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

/*
 * Connect again after the backend closed us; false if that fails. Without
 * --strict a backend may keep a vif it disabled dead through reconnects
 * (in-tree netback's vif->disabled lasts until the toolstack makes a new
 * vif): that is noted, not failed, and the mode ends there (n->dead: the
 * next mode moves to a spare vif, see run_mode()).
 */
static bool net_reconnect(struct net *n, const char *what)
{
	int s;

	net_close(n);
	s = net_connect(n);
	if (s == XenbusStateConnected && net_arp(n, 10))
		return true;
	if (s == XenbusStateConnected && !n->strict) {
		n->dead = true;
		note(n, "%s:vif-disabled-for-good", what);
		return false;
	}
	CHECK(n, 0, "%s:no-reconnect(state-%d)", what, s);
	return false;
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

	/* In-tree netback disables a vif without telling the frontend. */
	if (!n->strict && (allowed & O_CLOSED))
		allowed |= O_HANG;
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
	note(n, "%s:%s", what, o == O_HANG && (allowed & O_HANG) ? "disabled-silently" : oname(o));
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
	if (net_reconnect(n, what))
		CHECK(n, net_echo(n, 200, 1, what), "%s:no-echo-after-reconnect", what);
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

/*
 * An echo request in three slots whose slot @bad names @gref: refused
 * (every slot of it, with --strict), and no reply comes.
 */
static void bad_gref_in_chain(struct net *n, const char *what, unsigned int bad, uint32_t gref)
{
	static uint8_t f[2048], r[2048], payload[1400];
	struct echo e = { .id = 0x7a7a, .seq = ++n->seq, .payload = payload,
			  .plen = sizeof(payload) };
	struct tx_slot s[3];
	size_t i, len;
	int st;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 3 + e.seq);
	len = build_echo(n, f, payload, sizeof(payload), e.id, e.seq);
	net_split(n, f, len, 3, s);
	s[bad].gref = gref;
	st = net_tx_raw(n, s, 3, 10000);
	CHECK(n, st == NETIF_RSP_ERROR || st == NETIF_RSP_DROPPED, "%s:status-%d", what, st);
	CHECK(n, net_recv(n, r, sizeof(r), match_echo_reply, &e, 1500) < 0, "%s:echo-reply-came", what);
}

/*
 * Grant refs that are no grant, revoked, or granted to another domain
 * (ourselves), alone and as one slot among good ones; a read-only grant
 * is what TX wants (every echo in these modes comes from one).
 */
static void mode_tx_bad_gref(struct net *n)
{
	struct tx_slot s = { .size = 60 };
	struct xa_grant g, fg;
	uint32_t revoked = 0;
	int st;

	CHECK(n, net_arp(n, 10), "arp:no-reply");
	s.gref = 0xffffffffu;
	st = net_tx_raw(n, &s, 1, 10000);
	CHECK(n, st == NETIF_RSP_ERROR || st == NETIF_RSP_DROPPED, "gref-invalid:status-%d", st);
	if (xa_grant_alloc(&n->d, &g, 1, false) == 0) {
		revoked = g.refs[0];
		xa_grant_free(&n->d, &g);
		s.gref = revoked;
		st = net_tx_raw(n, &s, 1, 10000);
		CHECK(n, st == NETIF_RSP_ERROR || st == NETIF_RSP_DROPPED,
		      "gref-revoked:status-%d", st);
	}
	fg.addr = xengntshr_share_pages(n->d.gs, n->d.domid, 1, fg.refs, 0);
	if (fg.addr) {
		memcpy(fg.addr, xa_grant_page(&n->txbuf, 0), 60);
		s.gref = fg.refs[0];
		st = net_tx_raw(n, &s, 1, 10000);
		CHECK(n, st == NETIF_RSP_ERROR || st == NETIF_RSP_DROPPED,
		      "gref-foreign:status-%d", st);
		bad_gref_in_chain(n, "foreign-in-slot-2-of-3", 2, fg.refs[0]);
	} else {
		note(n, "no-foreign-grant");
	}
	if (revoked) {
		bad_gref_in_chain(n, "revoked-in-slot-0-of-3", 0, revoked);
		bad_gref_in_chain(n, "revoked-in-slot-1-of-3", 1, revoked);
	}
	bad_gref_in_chain(n, "invalid-in-slot-1-of-3", 1, 0xffffffffu);
	/* dom0 forgets us when it hears nothing for a while: we answer no ARP. */
	CHECK(n, net_arp(n, 10), "arp-after:no-reply");
	CHECK(n, net_echo(n, 1400, 3, "echo-after-3-slots"), "no-echo-after");
	CHECK(n, net_echo(n, 56, 1, "echo-after"), "no-echo-after");
	if (fg.addr)
		xengntshr_unshare(n->d.gs, fg.addr, 1);
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
	/* We asked for XDP headroom too: both extras, padding checked. */
	note(n, "reply-xdp:%s headroom=%u", n->rx_info.xdp ? "yes" : "no", n->rx_info.xdp_headroom);
	if (n->strict)
		CHECK(n, n->rx_info.xdp && n->rx_info.xdp_headroom == NET_XDP_HEADROOM,
		      "reply-xdp-headroom-wrong");
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
	if (!n->connected || n->dead)
		return;
	overrun(n, "tx", &n->tx.sring->req_prod, n->tx.sring->rsp_prod,
		RING_SIZE(&n->tx), n->port, false);
	if (!n->connected || n->dead)
		return;
	overrun(n, "rx", &n->rx.sring->req_prod, n->rx.sring->rsp_prod,
		RING_SIZE(&n->rx), n->port, true);
	if (!n->dead)
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

/* --- event storms, state flapping, absurd keys -------------------------------- */

/* Notify every channel we have, @count times each. */
static void net_notify_all(struct net *n, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		xenevtchn_notify(n->d.xce, n->port);
		if (n->have_rx_port)
			xenevtchn_notify(n->d.xce, n->rx_port);
		if (n->have_ctrl_port)
			xenevtchn_notify(n->d.xce, n->ctrl_port);
	}
}

/* As fast as we can, with nothing new on any ring. */
static void storm_idle(void *arg)
{
	net_notify_all(arg, 1000);
	xa_msleep(1);
}

struct storm_busy {
	struct net *n;
	unsigned int sent, okay, replies;
};

static bool match_count_arp(struct net *n, const uint8_t *f, size_t len, void *arg)
{
	unsigned int *replies = arg;

	if (match_arp_reply(n, f, len, NULL))
		++*replies;
	return false;
}

/* The same with an ARP request on the ring each time; its replies taken. */
static void storm_busy(void *arg)
{
	struct storm_busy *b = arg;
	uint8_t f[64], r[64];

	build_arp(b->n, f);
	b->sent++;
	if (net_send(b->n, f, 60, 1) == NETIF_RSP_OKAY)
		b->okay++;
	net_notify_all(b->n, 300);
	net_recv(b->n, r, sizeof(r), match_count_arp, &b->replies, 0);
}

/*
 * Notifications on every channel (split tx and rx, control) as fast as we
 * can, first with nothing new on the rings, then with an ARP request on
 * the tx ring each round; with --sync dom0 measures during each. Then the
 * rings and the control ring still work.
 */
static void mode_storm(struct net *n)
{
	struct storm_busy b = { .n = n };
	int st;

	if (!net_arp(n, 10) || !net_echo(n, 56, 1, "echo-before")) {
		CHECK(n, 0, "no-echo-before");
		return;
	}
	note(n, "channels:%s%s", n->have_rx_port ? "split" : "shared",
	     n->have_ctrl_port ? "+ctrl" : "");
	xa_sync_point(&n->d, "net-storm-idle", storm_idle, n);
	xa_sync_point(&n->d, "net-storm-busy", storm_busy, &b);
	note(n, "busy:arp-sent=%u okay=%u replies=%u", b.sent, b.okay, b.replies);
	CHECK(n, b.sent && b.okay == b.sent, "busy:%u-of-%u-arp-requests-okay", b.okay, b.sent);
	CHECK(n, b.replies > 0, "busy:no-arp-reply");
	/* A channel the storm backed off may take a second to answer again. */
	CHECK(n, net_arp(n, 10) && net_echo(n, 56, 1, "echo-after"), "no-echo-after-storm");
	if (n->has_ctrl) {
		st = net_ctrl(n, XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS, 0, 0, 0, NULL);
		CHECK(n, st == XEN_NETIF_CTRL_STATUS_SUCCESS, "ctrl-after-storm:status-%d", st);
	}
}

/* Repeatable pseudo-random numbers (xorshift32; the seed is never 0). */
static uint32_t xrand(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/*
 * @writes frontend states in random order, at most a few milliseconds
 * apart: mostly the four a frontend goes through, sometimes Initialised,
 * Reconfiguring and values no frontend writes. (Never Unknown or a
 * non-number: the backend rightly takes those for a frontend gone for
 * good and removes the device.)
 */
static void flap(struct net *n, uint32_t *seed, unsigned int writes)
{
	static const int states[] = {
		XenbusStateInitialising, XenbusStateInitialising, XenbusStateConnected,
		XenbusStateConnected, XenbusStateConnected, XenbusStateClosing,
		XenbusStateClosing, XenbusStateClosed, XenbusStateClosed,
		XenbusStateInitialised, XenbusStateReconfiguring, XenbusStateInitWait,
		XenbusStateReconfigured, 9, 1000,
	};
	unsigned int i;

	for (i = 0; i < writes; i++) {
		xa_set_state(&n->d, states[xrand(seed) % ARRAY_SIZE(states)]);
		if (xrand(seed) % 4 == 0)
			xa_msleep(xrand(seed) % 5);
	}
}

/*
 * Our state flapping with valid keys (each Connected may map the rings
 * again), with keys that cannot be served, and with valid keys again;
 * then a frontend going away and a fresh connection that works.
 */
static void mode_state_flap(struct net *n)
{
	static const char *const junk[] = {
		"tx-ring-ref=junk", "rx-ring-ref=-1", "event-channel=99999", NULL,
	};
	uint32_t seed = 0x5eed0001u ^ (uint32_t)xa_now_ms();

	if (!net_arp(n, 10)) {
		CHECK(n, 0, "arp:no-reply");
		return;
	}
	note(n, "seed=%#x", seed);
	flap(n, &seed, 400);
	n->keys = junk;
	CHECK(n, net_write_keys(n), "writing-junk-keys");
	n->keys = NULL;
	flap(n, &seed, 400);
	CHECK(n, net_write_keys(n), "writing-keys");
	flap(n, &seed, 400);
	/* A frontend going away (Closing, Closed, Initialising), then back. */
	n->connected = false;
	if (net_close(n))
		return;
	CHECK(n, net_connect(n) == XenbusStateConnected, "no-connection-after-flapping");
	if (n->connected)
		CHECK(n, net_arp(n, 10) && net_echo(n, 200, 1, "echo-after"),
		      "no-echo-after-flapping");
}

#define KEYS(...)	((const char *const[]){ __VA_ARGS__, NULL })
enum { BK_REFUSED, BK_TWO_QUEUES, BK_WORKS };
/* Two queues' keys under queue-0/ and queue-1/, for the cases that want them. */
#define Q0_KEYS		"-tx-ring-ref", "-rx-ring-ref", "-event-channel",		\
			"queue-0/tx-ring-ref=$tx", "queue-0/rx-ring-ref=$rx",		\
			"queue-0/event-channel=$evt"

/*
 * Keys no frontend should write, each of which must be refused: the
 * backend goes Closing and holds nothing (dom0 checks). A backend may
 * take some (without --strict: noted, and whether the vif then passes
 * frames). Malformed feature flags read as absent, as every in-tree
 * backend reads them: that connection must work. At the end a connection
 * with the right keys works.
 */
static void mode_bad_keys(struct net *n)
{
	char mq_plus[48];
	const struct {
		const char *what;
		const char *const *keys;
		int how;	/* BK_* */
	} cases[] = {
		{ "mq=0", KEYS("multi-queue-num-queues=0"), BK_REFUSED },
		{ "mq=max+1", KEYS(mq_plus), BK_REFUSED },
		{ "mq=4294967295", KEYS("multi-queue-num-queues=4294967295"), BK_REFUSED },
		{ "mq=4294967297", KEYS("multi-queue-num-queues=4294967297"), BK_REFUSED },
		{ "mq=-1", KEYS("multi-queue-num-queues=-1"), BK_REFUSED },
		{ "mq=1junk", KEYS("multi-queue-num-queues=1junk"), BK_REFUSED },
		{ "mq=junk", KEYS("multi-queue-num-queues=junk"), BK_REFUSED },
		{ "mq=empty", KEYS("multi-queue-num-queues="), BK_REFUSED },
		{ "tx-ring-ref=invalid", KEYS("tx-ring-ref=65827"), BK_REFUSED },
		{ "tx-ring-ref=junk", KEYS("tx-ring-ref=junk"), BK_REFUSED },
		{ "tx-ring-ref=ref-junk", KEYS("tx-ring-ref=$txjunk"), BK_REFUSED },
		{ "tx-ring-ref=ref+2^32", KEYS("tx-ring-ref=$tx4g"), BK_REFUSED },
		{ "rx-ring-ref=missing", KEYS("-rx-ring-ref"), BK_REFUSED },
		{ "rx-ring-ref=-1", KEYS("rx-ring-ref=-1"), BK_REFUSED },
		{ "event-channel=junk", KEYS("event-channel=junk"), BK_REFUSED },
		{ "event-channel=99999", KEYS("event-channel=99999"), BK_REFUSED },
		{ "event-channel=missing", KEYS("-event-channel"), BK_REFUSED },
		{ "event-channel-tx-only", KEYS("-event-channel", "event-channel-tx=$evt"),
		  BK_REFUSED },
		{ "event-channel-rx=junk", KEYS("-event-channel", "event-channel-tx=$evt",
						"event-channel-rx=junk"), BK_REFUSED },
		{ "request-rx-copy=0", KEYS("request-rx-copy=0"), BK_REFUSED },
		{ "request-rx-copy=missing", KEYS("-request-rx-copy"), BK_REFUSED },
		{ "request-rx-copy=junk", KEYS("request-rx-copy=junk"), BK_REFUSED },
		{ "ctrl-ring-ref=junk", KEYS("ctrl-ring-ref=junk"), BK_REFUSED },
		{ "ctrl-ring-ref=invalid", KEYS("ctrl-ring-ref=65827"), BK_REFUSED },
		{ "event-channel-ctrl=missing", KEYS("-event-channel-ctrl"), BK_REFUSED },
		{ "event-channel-ctrl=junk", KEYS("event-channel-ctrl=junk"), BK_REFUSED },
		{ "mq=2:keys-at-top", KEYS("multi-queue-num-queues=2"), BK_TWO_QUEUES },
		{ "mq=2:queue-1-missing", KEYS("multi-queue-num-queues=2", Q0_KEYS), BK_TWO_QUEUES },
		{ "mq=2:queue-1-rx-ring-ref=invalid",
		  KEYS("multi-queue-num-queues=2", Q0_KEYS, "queue-1/tx-ring-ref=$tx1",
		       "queue-1/rx-ring-ref=65827", "queue-1/event-channel=$evt1"), BK_TWO_QUEUES },
		{ "mq=2:queue-1-event-channel=99999",
		  KEYS("multi-queue-num-queues=2", Q0_KEYS, "queue-1/tx-ring-ref=$tx1",
		       "queue-1/rx-ring-ref=$rx1", "queue-1/event-channel=99999"), BK_TWO_QUEUES },
		{ "feature-junk", KEYS("feature-sg=junk", "feature-rx-notify=yes",
				       "feature-gso-tcpv4=-1", "feature-no-csum-offload=2x",
				       "request-multicast-control=maybe", "xdp-headroom=lots"),
		  BK_WORKS },
	};
	unsigned int i, max_queues, refused = 0;
	int s;

	max_queues = xa_read_num(&n->d, 1, "%s/multi-queue-max-queues", n->d.be);
	snprintf(mq_plus, sizeof(mq_plus), "multi-queue-num-queues=%u", max_queues + 1);
	/* A second queue's rings, empty, for the keys under queue-1/. */
	if (xa_grant_alloc(&n->d, &n->q1tx, 1, true) || xa_grant_alloc(&n->d, &n->q1rx, 1, true) ||
	    xa_evtchn_alloc(&n->d, &n->q1port)) {
		CHECK(n, 0, "no-second-queue");
		return;
	}
	n->have_q1 = true;
	SHARED_RING_INIT((netif_tx_sring_t *)n->q1tx.addr);
	SHARED_RING_INIT((netif_rx_sring_t *)n->q1rx.addr);
	for (i = 0; i < ARRAY_SIZE(cases) && !n->fails; i++) {
		const char *what = cases[i].what;

		if (cases[i].how == BK_TWO_QUEUES && max_queues < 2) {
			note(n, "%s:skipped(one-queue-offered)", what);
			continue;
		}
		n->keys = cases[i].keys;
		s = net_connect(n);
		n->keys = NULL;
		if (cases[i].how == BK_WORKS) {
			CHECK(n, s == XenbusStateConnected && net_arp(n, 10) &&
			      net_echo(n, 56, 1, what), "%s:state-%d-no-echo", what, s);
		} else if (s == XenbusStateConnected) {
			/* Taken, or just said so: does the vif pass frames? */
			note(n, "%s:connected,%s", what, net_arp(n, 2) ? "passes-frames" : "dead");
			CHECK(n, !n->strict, "%s:accepted", what);
		} else {
			CHECK(n, s == XenbusStateClosing || s == XenbusStateClosed,
			      "%s:backend-state-%d", what, s);
			refused++;
		}
		net_close(n);
	}
	xa_evtchn_free(&n->d, n->q1port);
	xa_grant_free(&n->d, &n->q1tx);
	xa_grant_free(&n->d, &n->q1rx);
	n->have_q1 = false;
	note(n, "%u-refused", refused);
	CHECK(n, net_connect(n) == XenbusStateConnected, "good-keys-refused");
	if (n->connected)
		CHECK(n, net_arp(n, 10) && net_echo(n, 200, 1, "echo-after"), "no-echo-after");
}

/* --- double fetch ------------------------------------------------------------ */

/*
 * tx-double-fetch: rounds of DF_SLOTS slots (single-slot frames, chains
 * of three, frames with a hash extra, and a last frame left alone) from
 * pages of self-checking blocks (dfblock.h), which a second thread keeps
 * rewriting while the backend reads them. Benign rounds rewrite within
 * what is valid (grefs among those pages, offsets and sizes that stay in
 * the page, the hash value): every data slot must be answered OKAY. Odd
 * rounds also write sizes of 0, bad and foreign grefs, the chains'
 * more_data, checksum flags and GSO for the hash extras, every version
 * dropped at worst: each slot may be answered OKAY or with an error,
 * nothing else, never the same id twice, and the interface stays up.
 * Hostile rounds add sizes and offsets past the page, extra_info flags,
 * extra-info types netif.h lacks and MORE flags: the backend may also
 * close the interface. In all, dom0 checks that each frame that arrived
 * is whole blocks of the pages (xacap.c): one consistent reading of its
 * slots.
 *
 * A response overwrites a slot's first four bytes (its request's slot,
 * or a later one's when the backend answers out of order): the thread
 * writes a slot only while no response is published there, and a response
 * it overwrote all the same (it raced the backend's publishing) shows as
 * an id without DF_ID, which every id we use has and no value the thread
 * writes there has; such responses are counted and skipped.
 */
#define DF_ID		0x8000u
#define DF_BAD_GREF	0x10123u	/* past any grant table; no DF_ID bit */
#define DF_SLOTS	30
#define DF_FRAMES	22		/* frames in a round, read as meant */
#define DF_BENIGN	100
#define DF_ODD		40
#define DF_HOSTILE	30

enum { DF_LEVEL_BENIGN, DF_LEVEL_ODD, DF_LEVEL_HOSTILE };

enum { DF_SINGLE, DF_FIRST, DF_CONT, DF_LAST, DF_XFIRST, DF_EXTRA, DF_FINAL };

static const uint8_t df_layout[DF_SLOTS] = {
	DF_SINGLE, DF_SINGLE, DF_SINGLE, DF_SINGLE, DF_SINGLE, DF_SINGLE, DF_SINGLE, DF_SINGLE,
	DF_SINGLE, DF_SINGLE, DF_SINGLE, DF_SINGLE, DF_SINGLE, DF_SINGLE, DF_SINGLE, DF_SINGLE,
	DF_FIRST, DF_CONT, DF_LAST, DF_FIRST, DF_CONT, DF_LAST, DF_FIRST, DF_CONT, DF_LAST,
	DF_XFIRST, DF_EXTRA, DF_XFIRST, DF_EXTRA, DF_FINAL,
};

struct df {
	struct net *n;
	struct xa_grant pages;		/* DFB_PAGES pages of blocks */
	struct xa_grant foreign;	/* granted to ourselves */
	struct xa_rewriter rw;		/* the second thread */
	netif_tx_front_ring_t *ring;
	RING_IDX from, to;		/* the slots it rewrites */
	uint32_t x;			/* its random bits */
	int level;			/* DF_LEVEL_* */
	/* what the responses said */
	unsigned int rounds, okay, error, null, clobbered, closed, hung;
};

/* A slot's first version: what it means, before the thread gets at it. */
static void df_init_slot(struct df *c, struct netif_tx_request *r, unsigned int k, RING_IDX idx)
{
	static const uint16_t sizes[] = {
		[DF_FIRST] = 1536, [DF_CONT] = 512, [DF_LAST] = 512, [DF_XFIRST] = 256,
		[DF_FINAL] = DFB_SIZE,
	};
	netif_extra_info_t *e = (void *)r;
	uint8_t kind = df_layout[k];

	memset(r, 0, sizeof(*r));
	r->id = DF_ID | (idx & 0xff);
	if (kind == DF_EXTRA) {
		/* Bytes 8-11, past the extra: an id and size, should it be read as a request. */
		r->size = DFB_SIZE;
		e->type = XEN_NETIF_EXTRA_TYPE_HASH;
		e->u.hash.type = _XEN_NETIF_CTRL_HASH_TYPE_IPV4;
		e->u.hash.algorithm = XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ;
		return;
	}
	r->gref = c->pages.refs[k % DFB_PAGES];
	r->offset = kind == DF_SINGLE ? DFB_SIZE * (k % 8) : 0;
	r->size = kind == DF_SINGLE ? DFB_SIZE * (1 + k) : sizes[kind];
	r->flags = kind == DF_FIRST || kind == DF_CONT ? NETTXF_more_data :
		   kind == DF_XFIRST ? NETTXF_extra_info : 0;
}

/* Another version of slot @i (of kind @kind), from random bits @x. */
static void df_rewrite(struct df *c, RING_IDX i, uint8_t kind, uint32_t x)
{
	static const uint16_t odd_sizes[] = { 0, 64, 512, 1024, 1536, 2048 };
	static const uint16_t hostile_sizes[] = { 0, 64, 512, 1024, 1536, 4096, 8192, 65472 };
	static const uint16_t hostile_offsets[] = { 0, 64, 2048, 4032 };
	static const uint8_t types[] = {
		XEN_NETIF_EXTRA_TYPE_HASH, XEN_NETIF_EXTRA_TYPE_HASH, XEN_NETIF_EXTRA_TYPE_GSO,
		XEN_NETIF_EXTRA_TYPE_NONE, 0xff,
	};
	volatile struct netif_tx_request *r = (volatile void *)RING_GET_REQUEST(c->ring, i);
	volatile uint8_t *b = (volatile uint8_t *)r;
	bool chain = kind == DF_FIRST || kind == DF_CONT || kind == DF_LAST;
	uint32_t gref = c->pages.refs[x % DFB_PAGES];
	uint16_t flags;

	/*
	 * Answered: the slot holds the response now. Read afresh for each
	 * slot (not once a pass, as the compiler may otherwise do): a
	 * backend that answers in several pushes, as one mapping guest TX
	 * does, would see its answers overwritten all pass long.
	 */
	if ((int32_t)(i - __atomic_load_n(&c->ring->sring->rsp_prod, __ATOMIC_ACQUIRE)) < 0)
		return;
	if (kind == DF_EXTRA) {
		/*
		 * Bytes 4-7: the hash value, or a GSO extra's type (byte 4),
		 * pad and features. Type and flags (bytes 0-1) are where a
		 * response's id goes, and with answers out of order (mapped
		 * slots are answered late) any response may land in an
		 * extra's slot: write both bytes in one store, so that one we
		 * overwrite reads as an id without DF_ID (clobbered), never as
		 * a made-up id of ours.
		 */
		volatile uint16_t *type_flags = (volatile uint16_t *)b;

		switch (c->level) {
		case DF_LEVEL_BENIGN:
			b[4] = x;
			b[5] = x >> 8;
			b[6] = x >> 16;
			b[7] = x >> 24;
			break;
		case DF_LEVEL_ODD:
			/* A GSO extra on a frame that is no TCP: dropped. */
			b[4] = XEN_NETIF_GSO_TYPE_TCPV4;
			*type_flags = (x >> 4) % 4 ? XEN_NETIF_EXTRA_TYPE_HASH : XEN_NETIF_EXTRA_TYPE_GSO;
			break;
		default:
			b[4] = x % 3 ? XEN_NETIF_GSO_TYPE_TCPV4 : 7;
			b[5] = x >> 8;
			b[6] = x >> 16;
			b[7] = x >> 24;
			*type_flags = types[(x >> 4) % ARRAY_SIZE(types)] |
				      ((x >> 12) % 4 ? 0 : XEN_NETIF_EXTRA_FLAG_MORE << 8);
			break;
		}
		return;
	}
	switch (c->level) {
	case DF_LEVEL_BENIGN:
		if (chain) {
			/* The chains' own data is 512 bytes. */
			r->offset = DFB_SIZE * ((x >> 8) % 57);
		} else {
			r->offset = DFB_SIZE * ((x >> 8) % 33);
			r->size = DFB_SIZE * (1 + (x >> 16) % 32);
		}
		r->gref = gref;
		return;
	case DF_LEVEL_ODD:
		/*
		 * Nothing past the page, and chains that end where they did
		 * at the latest: every reading is a frame or a drop.
		 */
		r->offset = DFB_SIZE * ((x >> 8) % 33);
		r->size = odd_sizes[(x >> 14) % ARRAY_SIZE(odd_sizes)];
		flags = r->flags & ~(NETTXF_csum_blank | NETTXF_data_validated);
		if (kind == DF_FIRST || kind == DF_CONT)
			flags = ((x >> 17) % 2) ? flags | NETTXF_more_data : flags & ~NETTXF_more_data;
		break;
	default:
		r->offset = hostile_offsets[(x >> 8) % ARRAY_SIZE(hostile_offsets)];
		r->size = hostile_sizes[(x >> 12) % ARRAY_SIZE(hostile_sizes)];
		flags = r->flags & ~(NETTXF_more_data | NETTXF_extra_info | NETTXF_csum_blank |
				     NETTXF_data_validated);
		if ((x >> 16) % 2)
			flags |= NETTXF_more_data;
		if ((x >> 17) % 4 == 0)
			flags |= NETTXF_extra_info;
		break;
	}
	/* Odd and hostile: checksum flags, and refs that are not ours to give. */
	if ((x >> 19) % 8 == 0)
		flags |= NETTXF_csum_blank;
	if ((x >> 22) % 4 == 0)
		flags |= NETTXF_data_validated;
	r->flags = flags;
	if ((x >> 24) % 8 == 0)
		gref = (x >> 27) % 2 ? DF_BAD_GREF : c->foreign.refs[0];
	r->gref = gref;
}

/* The second thread's pass over the round's slots. */
static void df_pass(void *arg)
{
	struct df *c = arg;
	RING_IDX i;

	for (i = c->from; i != c->to && xa_rewriter_running(&c->rw); i++)
		df_rewrite(c, i, df_layout[i - c->from], xrand(&c->x));
}

/*
 * One round: publish, let the thread rewrite until every slot is answered
 * (or the backend closes, or 5 s pass), check the answers. Returns O_OKAY
 * (all answered), O_CLOSED or O_HANG.
 */
static int df_round(struct net *n, struct df *c, unsigned int round)
{
	netif_tx_sring_t *sr = n->tx.sring;
	RING_IDX start = n->tx.req_prod_pvt, rp, i;
	unsigned int k, seen[DF_SLOTS] = { 0 }, okay = 0, null = 0, clobbered = 0;
	uint64_t end = xa_now_ms() + 5000, look = 0;
	int o = O_OKAY;

	c->ring = &n->tx;
	/* Each slot starts as some version of its level, not the first. */
	for (k = 0; k < DF_SLOTS; k++) {
		df_init_slot(c, RING_GET_REQUEST(&n->tx, start + k), k, start + k);
		if (k < DF_SLOTS - 1)
			df_rewrite(c, start + k, df_layout[k], xrand(&c->x));
	}
	c->from = start;
	c->to = start + DF_SLOTS - 1;	/* the last frame stays as it is */
	xa_rewriter_go(&c->rw);
	n->tx.req_prod_pvt = start + DF_SLOTS;
	xen_wmb();
	sr->req_prod = n->tx.req_prod_pvt;
	xen_mb();
	xenevtchn_notify(n->d.xce, n->port);
	for (;;) {
		rp = sr->rsp_prod;
		xen_rmb();
		if (rp - start >= DF_SLOTS)
			break;
		sr->rsp_event = rp + 1;
		xen_mb();
		if (sr->rsp_prod != rp)
			continue;
		if (xa_now_ms() >= look) {
			int bs = xa_be_state(&n->d);

			if (bs == XenbusStateClosing || bs == XenbusStateClosed) {
				o = O_CLOSED;
				break;
			}
			look = xa_now_ms() + 200;
		}
		if (xa_now_ms() >= end) {
			o = O_HANG;
			break;
		}
		xa_evtchn_wait(&n->d, 20);
	}
	xa_rewriter_pause(&c->rw);
	CHECK(n, rp - start <= DF_SLOTS, "round-%u:rsp_prod-%u-past-%u", round, rp, start + DF_SLOTS);
	for (i = start; i != rp && rp - start <= DF_SLOTS; i++) {
		const struct netif_tx_response *r = RING_GET_RESPONSE(&n->tx, i);
		uint16_t id = r->id;
		int16_t st = r->status;

		if (st == NETIF_RSP_NULL) {
			null++;
			continue;
		}
		if (!(id & DF_ID)) {
			clobbered++;
			continue;
		}
		k = (uint8_t)(id - start);
		CHECK(n, id >> 8 == DF_ID >> 8 && k < DF_SLOTS && !seen[k]++,
		      "round-%u:unknown-or-repeated-id-%#x", round, id);
		CHECK(n, st == NETIF_RSP_OKAY || st == NETIF_RSP_ERROR || st == NETIF_RSP_DROPPED,
		      "round-%u:status-%d", round, st);
		okay += st == NETIF_RSP_OKAY;
		c->error += st != NETIF_RSP_OKAY;
		if (c->level == DF_LEVEL_BENIGN)
			CHECK(n, st == NETIF_RSP_OKAY, "benign-round-%u:slot-%u-status-%d", round, k, st);
	}
	n->tx.rsp_cons = rp;
	c->okay += okay;
	c->null += null;
	c->clobbered += clobbered;
	c->rounds++;
	/*
	 * Every slot answered, data OKAY (checked above) and the two extras
	 * NULL, unless the thread overwrote their answers: those count as
	 * clobbered.
	 */
	if (c->level == DF_LEVEL_BENIGN)
		CHECK(n, o == O_OKAY && null <= 2 && okay + null + clobbered == DF_SLOTS,
		      "benign-round-%u:%s-okay-%u-null-%u-clobbered-%u", round, oname(o), okay,
		      null, clobbered);
	return o;
}

static void mode_tx_double_fetch(struct net *n)
{
	struct df c = { .n = n, .x = 0x2545f491u };
	unsigned int round, frames = 0;
	int o;

	if (!net_arp(n, 10)) {
		CHECK(n, 0, "arp:no-reply");
		return;
	}
	if (xa_grant_alloc(&n->d, &c.pages, DFB_PAGES, false)) {
		CHECK(n, 0, "no-pages");
		return;
	}
	for (round = 0; round < DFB_PAGES; round++)
		dfb_fill(xa_grant_page(&c.pages, round), round, n->peer_mac, n->mac);
	c.foreign.addr = xengntshr_share_pages(n->d.gs, n->d.domid, 1, c.foreign.refs, 0);
	if (!c.foreign.addr)
		c.foreign.refs[0] = DF_BAD_GREF;
	if (xa_rewriter_start(&c.rw, df_pass, &c)) {
		CHECK(n, 0, "pthread_create");
		xa_grant_free(&n->d, &c.pages);
		return;
	}
	/* dom0 starts capturing what reaches the vif. */
	xa_sync_point(&n->d, "net-tx-double-fetch-capture", NULL, NULL);
	for (round = 0; round < DF_BENIGN + DF_ODD + DF_HOSTILE && !n->fails; round++) {
		c.level = round < DF_BENIGN ? DF_LEVEL_BENIGN :
			  round < DF_BENIGN + DF_ODD ? DF_LEVEL_ODD : DF_LEVEL_HOSTILE;
		o = df_round(n, &c, round);
		if (c.level == DF_LEVEL_BENIGN && o == O_OKAY)
			frames += DF_FRAMES;
		/*
		 * Odd rounds drop a few frames each: slow enough that no
		 * backend takes us for a frontend that only sends malformed
		 * ones (xenaccel closes one at max_bad_packets, 100 a second).
		 */
		if (c.level == DF_LEVEL_ODD)
			xa_msleep(250);
		if (o == O_OKAY)
			continue;
		c.closed += o == O_CLOSED;
		c.hung += o == O_HANG;
		/* xenaccel closes; in-tree disables the vif without a word. */
		CHECK(n, c.level == DF_LEVEL_HOSTILE && (o == O_CLOSED || !n->strict),
		      "round-%u:%s", round, oname(o));
		if (!net_reconnect(n, "double-fetch") || n->fails)
			break;
	}
	xa_rewriter_stop(&c.rw);
	note(n, "rounds=%u okay=%u error=%u null=%u clobbered=%u closed=%u %s=%u frames-sent>=%u",
	     c.rounds, c.okay, c.error, c.null, c.clobbered, c.closed,
	     n->strict ? "hung" : "disabled-silently", c.hung, frames);
	n->errors += c.error;
	xa_say("net-df-frames %u", frames);
	/* dom0 checks every frame it captured. */
	xa_sync_point(&n->d, "net-tx-double-fetch-sent", NULL, NULL);
	if (!n->dead)
		net_recover(n, "after");
	if (c.foreign.addr)
		xengntshr_unshare(n->d.gs, c.foreign.addr, 1);
	xa_grant_free(&n->d, &c.pages);
}

/* How a mode connects: a control ring, multicast control, split event channels, XDP headroom. */
enum { M_CTRL = 1, M_MCAST = 2, M_SPLIT = 4, M_XDP = 8 };

static const struct {
	const char *name;
	void (*fn)(struct net *n);
	unsigned int how;
} modes[] = {
	{ "rw", mode_rw, 0 },
	{ "tx-tiny", mode_tx_tiny, 0 },
	{ "tx-bad-gref", mode_tx_bad_gref, 0 },
	{ "tx-cross-page", mode_tx_cross_page, 0 },
	{ "tx-too-many-slots", mode_tx_too_many_slots, 0 },
	{ "tx-bad-size", mode_tx_bad_size, 0 },
	{ "tx-bad-extra", mode_tx_bad_extra, 0 },
	{ "tx-bad-gso", mode_tx_bad_gso, 0 },
	{ "tx-extra-chain", mode_tx_extra_chain, 0 },
	{ "tx-double-fetch", mode_tx_double_fetch, 0 },
	{ "mcast-flood", mode_mcast_flood, M_MCAST },
	{ "ctrl", mode_ctrl, M_CTRL | M_XDP },
	{ "ring-overrun", mode_ring_overrun, M_CTRL },
	{ "rx-stall", mode_rx_stall, 0 },
	{ "storm", mode_storm, M_CTRL | M_SPLIT },
	{ "state-flap", mode_state_flap, M_CTRL | M_SPLIT },
	{ "bad-keys", mode_bad_keys, M_CTRL },
};

/*
 * Without --strict, a vif the backend disabled for good (n->dead) is left
 * for the next one --dev named; 0 if there is one (or no need).
 */
static int net_next_dev(struct net *n)
{
	unsigned int i;

	if (!n->dead)
		return 0;
	for (i = 0; i + 1 < n->ndevs && n->devs[i] != n->devid; i++)
		;
	if (i + 1 >= n->ndevs) {
		xa_log("vif %u is disabled for good and no spare vif is left", n->devid);
		return -1;
	}
	net_close(n);
	n->devid = n->devs[i + 1];
	if (xa_dev_find(&n->d, "vif", n->devid) || net_read_mac(n))
		return -1;
	n->dead = false;
	return 0;
}

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
	n->fails = n->errors = n->pad_bad = 0;
	n->detail[0] = 0;
	n->want_ctrl = modes[i].how & M_CTRL;
	n->want_mcast = modes[i].how & M_MCAST;
	n->split = modes[i].how & M_SPLIT;
	n->xdp = modes[i].how & M_XDP;
	n->keys = NULL;
	n->no_rx_post = false;
	xa_log("mode %s", name);
	CHECK(n, net_next_dev(n) == 0, "no-live-vif");
	/* dom0 learns which vif this mode uses. */
	xa_say("mode-net-%s dev=%u", name, n->devid);
	if (!n->fails) {
		s = net_connect(n);
		CHECK(n, s == XenbusStateConnected, "connect:backend-state-%d", s);
	}
	if (!n->fails)
		modes[i].fn(n);
	CHECK(n, n->pad_bad == 0, "rx-extra-info-padding-not-zero(%u)", n->pad_bad);
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
	/* tx-double-fetch's blocks: our pages' pass, torn or cut ones not */
	{
		static const uint8_t dst[6] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };
		static const uint8_t src[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x02 };
		static uint8_t p3[4096], p5[4096], g[4096];

		dfb_fill(p3, 3, dst, src);
		dfb_fill(p5, 5, dst, src);
		T(dfb_check(p3, 4096, dst, src) == 0 && dfb_check(p3 + 64, 1024, dst, src) == 0);
		memcpy(g, p3 + 128, 64);
		memcpy(g + 64, p5 + 4032, 64);
		T(dfb_check(g, 128, dst, src) == 0);
		T(dfb_check(g, 100, dst, src) == 1 + 64 && dfb_check(g, 0, dst, src) == 1);
		T(dfb_check(p3, 64, src, dst) == 1);
		memcpy(g + 64 + 32, p3 + 32, 32);
		T(dfb_check(g, 128, dst, src) == 1 + 64);
		g[15] = DFB_PER_PAGE;
		T(dfb_check(g, 64, dst, src) == 1);
		T(dfb_byte(3, 2, 16) != dfb_byte(5, 2, 16) || dfb_byte(3, 2, 17) != dfb_byte(5, 2, 17));
	}
	/* bad-keys' overrides */
	{
		static const struct net_kv vars[] = { { "tx", "8" }, { "evt", "5" } };
		struct net_kv kv[NET_MAX_KEYS];
		unsigned int nkv = 0;

		kv_override(kv, &nkv, "tx-ring-ref=$tx", vars, 2);
		kv_override(kv, &nkv, "event-channel=$evt", vars, 2);
		kv_override(kv, &nkv, "queue-0/tx-ring-ref=$tx", vars, 2);
		kv_override(kv, &nkv, "tx-ring-ref=junk", vars, 2);
		kv_override(kv, &nkv, "-event-channel", vars, 2);
		kv_override(kv, &nkv, "-no-such-key", vars, 2);
		kv_override(kv, &nkv, "empty=", vars, 2);
		kv_override(kv, &nkv, "x=$nosuch", vars, 2);
		kv_override(kv, &nkv, "no-equals-sign", vars, 2);
		T(nkv == 4);
		T(!strcmp(kv[0].key, "tx-ring-ref") && !strcmp(kv[0].val, "junk"));
		/* a key left out takes the last one's place */
		T(!strcmp(kv[1].key, "queue-0/tx-ring-ref") && !strcmp(kv[1].val, "8"));
		T(!strcmp(kv[2].key, "empty") && !kv[2].val[0]);
		T(!strcmp(kv[3].key, "x") && !strcmp(kv[3].val, "$nosuch"));
	}
	{
		uint32_t a = 1, b = 1, i;

		for (i = 0; i < 1000; i++)
			T(xrand(&a) == xrand(&b) && a);
	}
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
	int c, i, failed = 0;
	char *p;

	if (!n)
		return 1;
	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			/* N[,N...]: the vif to use, then spares */
			for (p = optarg, n->ndevs = 0; *p && n->ndevs < NET_MAX_DEVS; p++) {
				n->devs[n->ndevs++] = strtoul(p, &p, 0);
				if (*p != ',')
					break;
			}
			n->devid = n->devs[0];
			break;
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
	if (xa_dev_open(&n->d, "vif", n->devid) || net_read_mac(n))
		return 1;
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
