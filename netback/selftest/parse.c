// SPDX-License-Identifier: GPL-2.0
/*
 * netif protocol self-tests: guest-TX slot chains and extra-info, the
 * control ring's hash messages, Toeplitz hashing, rate credit and guest-RX
 * slot counts. Built into debug netback modules (run at load) and the
 * user-space unit tests; see include/xenaccel/selftest.h.
 */

/* A frontend's packet, built slot by slot. */
static union xa_vif_tx_slot nb_slots[XEN_NETIF_NR_SLOTS_MIN + 16];
static struct xa_vif_tx_pkt nb_pkt;

static unsigned int nb_tx_req(unsigned int i, u16 size, u16 offset, u16 flags)
{
	memset(&nb_slots[i], 0, sizeof(nb_slots[i]));
	nb_slots[i].req.gref = 1000 + i;
	nb_slots[i].req.id = 10 + i;
	nb_slots[i].req.size = size;
	nb_slots[i].req.offset = offset;
	nb_slots[i].req.flags = flags;
	return i + 1;
}

static unsigned int nb_tx_extra(unsigned int i, u8 type, bool more)
{
	memset(&nb_slots[i], 0, sizeof(nb_slots[i]));
	nb_slots[i].extra.type = type;
	nb_slots[i].extra.flags = more ? XEN_NETIF_EXTRA_FLAG_MORE : 0;
	return i + 1;
}

static enum xa_vif_tx_verdict nb_parse(unsigned int avail)
{
	return xa_vif_tx_parse(nb_slots, avail, XA_VIF_TX_FATAL_SLOTS, &nb_pkt);
}

static bool nb_test_tx_single(void)
{
	bool ok = false;
	unsigned int n;

	n = nb_tx_req(0, 60, 100, XEN_NETTXF_csum_blank);
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_OK);
	XA_EXPECT(nb_pkt.nr_slots == 1 && nb_pkt.nr_data == 1);
	XA_EXPECT(nb_pkt.len == 60 && nb_pkt.first_len == 60);
	XA_EXPECT(nb_pkt.flags == XEN_NETTXF_csum_blank);
	XA_EXPECT(!nb_pkt.extras[XEN_NETIF_EXTRA_TYPE_GSO - 1].type);
	/* Nothing given: nothing to parse yet. */
	XA_EXPECT(nb_parse(0) == XA_VIF_TX_INCOMPLETE);
	ok = true;
out:
	return ok;
}

static bool nb_test_tx_chain(void)
{
	const struct xen_netif_tx_request *req;
	bool ok = false;
	unsigned int n;

	/* 9000 bytes: 1000 in the first slot, then 4096, 3904. */
	n = nb_tx_req(0, 9000, 0, XEN_NETTXF_more_data | XEN_NETTXF_extra_info);
	n = nb_tx_extra(n, XEN_NETIF_EXTRA_TYPE_GSO, true);
	nb_slots[1].extra.u.gso.size = 1448;
	nb_slots[1].extra.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	n = nb_tx_extra(n, XEN_NETIF_EXTRA_TYPE_HASH, false);
	n = nb_tx_req(n, 4096, 0, XEN_NETTXF_more_data);
	n = nb_tx_req(n, 3904, 192, 0);
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_OK);
	XA_EXPECT(nb_pkt.nr_slots == 5 && nb_pkt.nr_extras == 2);
	XA_EXPECT(nb_pkt.nr_data == 3 && nb_pkt.first_len == 1000);
	XA_EXPECT(nb_pkt.extras[XEN_NETIF_EXTRA_TYPE_GSO - 1].u.gso.size == 1448);
	XA_EXPECT(nb_pkt.extras[XEN_NETIF_EXTRA_TYPE_HASH - 1].type);
	req = xa_vif_tx_data_slot(nb_slots, &nb_pkt, 2);
	XA_EXPECT(req->gref == 1004 && req->offset == 192);
	XA_EXPECT(xa_vif_tx_data_len(nb_slots, &nb_pkt, 0) == 1000);
	XA_EXPECT(xa_vif_tx_data_len(nb_slots, &nb_pkt, 1) == 4096);
	/* Cut anywhere, the chain is incomplete, never misparsed. */
	for (n = 1; n < 5; n++)
		XA_EXPECT(nb_parse(n) == XA_VIF_TX_INCOMPLETE);
	ok = true;
out:
	return ok;
}

static bool nb_test_tx_extras(void)
{
	bool ok = false;
	unsigned int n;

	/* Unknown and zero extra types are hostile. */
	n = nb_tx_req(0, 100, 0, XEN_NETTXF_extra_info);
	n = nb_tx_extra(n, XEN_NETIF_EXTRA_TYPE_MAX, false);
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_FATAL);
	n = nb_tx_extra(1, XEN_NETIF_EXTRA_TYPE_NONE, false);
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_FATAL);
	/* XDP info on TX is legal, and ignored. */
	n = nb_tx_extra(1, XEN_NETIF_EXTRA_TYPE_XDP, false);
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_OK && nb_pkt.nr_extras == 1);
	/* GSO without a size or with an unknown type is hostile. */
	n = nb_tx_extra(1, XEN_NETIF_EXTRA_TYPE_GSO, false);
	nb_slots[1].extra.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV6;
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_FATAL);
	nb_slots[1].extra.u.gso.size = 1400;
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_OK);
	nb_slots[1].extra.u.gso.type = 3;
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_FATAL);
	/* An extra promising more, and no more slots: incomplete. */
	n = nb_tx_extra(1, XEN_NETIF_EXTRA_TYPE_HASH, true);
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_INCOMPLETE);
	ok = true;
out:
	return ok;
}

static bool nb_test_tx_mcast(void)
{
	bool ok = false;
	unsigned int n;

	/* A filter update: first slot and extras only, even if more_data. */
	n = nb_tx_req(0, 0, 0, XEN_NETTXF_extra_info | XEN_NETTXF_more_data);
	n = nb_tx_extra(n, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, false);
	nb_slots[1].extra.u.mcast.addr[0] = 0x01;
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_MCAST);
	XA_EXPECT(nb_pkt.nr_slots == 2);
	XA_EXPECT(nb_pkt.extras[XEN_NETIF_EXTRA_TYPE_MCAST_ADD - 1].u.mcast.addr[0] == 1);
	ok = true;
out:
	return ok;
}

static bool nb_test_tx_slot_limits(void)
{
	bool ok = false;
	unsigned int i, n;

	/* 1 + 18 data slots are served, as in-tree... */
	n = nb_tx_req(0, 19 * 100, 0, XEN_NETTXF_more_data);
	for (i = 0; i < 18; i++)
		n = nb_tx_req(n, 100, 0, i < 17 ? XEN_NETTXF_more_data : 0);
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_OK && nb_pkt.nr_data == 19);
	/* ...one more is dropped, with every slot accounted for... */
	nb_slots[n - 1].req.flags = XEN_NETTXF_more_data;
	n = nb_tx_req(n, 100, 0, 0);
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_DROP && nb_pkt.nr_slots == 20);
	/* ...and past fatal_skb_slots the frontend is hostile. */
	nb_slots[n - 1].req.flags = XEN_NETTXF_more_data;
	n = nb_tx_req(n, 100, 0, XEN_NETTXF_more_data);
	n = nb_tx_req(n, 100, 0, 0);
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_FATAL);
	ok = true;
out:
	return ok;
}

static bool nb_test_tx_sizes(void)
{
	bool ok = false;
	unsigned int n;

	/* Shorter than an Ethernet header: dropped. */
	n = nb_tx_req(0, 13, 0, 0);
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_DROP && nb_pkt.nr_slots == 1);
	/* Later slots larger than the packet: dropped (64 KiB overflow). */
	n = nb_tx_req(0, 100, 0, XEN_NETTXF_more_data);
	n = nb_tx_req(n, 200, 0, 0);
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_DROP && nb_pkt.nr_slots == 2);
	/* A slot crossing its page, first or later: hostile. */
	n = nb_tx_req(0, 100, XEN_PAGE_SIZE - 50, 0);
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_FATAL);
	n = nb_tx_req(0, 200, 0, XEN_NETTXF_more_data);
	n = nb_tx_req(n, 100, XEN_PAGE_SIZE - 99, 0);
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_FATAL);
	/* Exactly to the end of the page is fine. */
	nb_slots[1].req.offset = XEN_PAGE_SIZE - 100;
	XA_EXPECT(nb_parse(n) == XA_VIF_TX_OK && nb_pkt.first_len == 100);
	ok = true;
out:
	return ok;
}

/* The verification suite of Microsoft's RSS specification. */
static const u8 nb_rss_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static bool nb_test_toeplitz(void)
{
	/* 66.9.149.187:2794 -> 161.142.100.80:1766 */
	static const u8 v4[12] = {
		66, 9, 149, 187, 161, 142, 100, 80, 0x0a, 0xea, 0x06, 0xe6,
	};
	/* 199.92.111.2:14230 -> 65.69.140.83:4739 */
	static const u8 v4b[12] = {
		199, 92, 111, 2, 65, 69, 140, 83, 0x37, 0x96, 0x12, 0x83,
	};
	bool ok = false;

	XA_EXPECT(xa_vif_toeplitz(nb_rss_key, 40, v4, 8) == 0x323e8fc2);
	XA_EXPECT(xa_vif_toeplitz(nb_rss_key, 40, v4, 12) == 0x51ccc178);
	XA_EXPECT(xa_vif_toeplitz(nb_rss_key, 40, v4b, 8) == 0xd718262a);
	XA_EXPECT(xa_vif_toeplitz(nb_rss_key, 40, v4b, 12) == 0xc626b0ea);
	/* No key hashes everything to zero. */
	XA_EXPECT(xa_vif_toeplitz(nb_rss_key, 0, v4, 12) == 0);
	ok = true;
out:
	return ok;
}

static struct xa_vif_hash nb_hash;

static u32 nb_ctrl(u16 type, u32 d0, u32 d1, u32 d2, const void *data,
		   bool copied, u32 *out)
{
	struct xen_netif_ctrl_request req = {
		.id = 7, .type = type, .data = { d0, d1, d2 },
	};
	struct xen_netif_ctrl_response rsp;

	xa_vif_ctrl_handle(&nb_hash, &req, data, copied, 4, &rsp);
	if (rsp.id != 7 || rsp.type != type)
		return 0xdead;
	if (out)
		*out = rsp.data;
	return rsp.status;
}

static bool nb_test_ctrl_hash(void)
{
	struct xen_netif_ctrl_request req = { .type = XEN_NETIF_CTRL_TYPE_SET_HASH_KEY };
	u32 table[4] = { 3, 2, 1, 0 }, out = 0;
	bool ok = false;

	memset(&nb_hash, 0, sizeof(nb_hash));
	/* Flags need an algorithm; unknown algorithms and flags are refused. */
	XA_EXPECT(nb_ctrl(XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS,
			  XEN_NETIF_CTRL_HASH_TYPE_IPV4, 0, 0, NULL, false, NULL) ==
		  XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	XA_EXPECT(nb_ctrl(XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM, 2, 0, 0,
			  NULL, false, NULL) == XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	XA_EXPECT(nb_ctrl(XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
			  XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ, 0, 0, NULL,
			  false, NULL) == XEN_NETIF_CTRL_STATUS_SUCCESS);
	XA_EXPECT(nb_ctrl(XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS, 0, 0, 0, NULL,
			  false, &out) == XEN_NETIF_CTRL_STATUS_SUCCESS);
	XA_EXPECT(out == XA_VIF_HASH_FLAGS_SUPPORTED);
	XA_EXPECT(nb_ctrl(XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS, 1U << 4, 0, 0,
			  NULL, false, NULL) == XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	XA_EXPECT(nb_ctrl(XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS,
			  XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP, 0, 0, NULL, false,
			  NULL) == XEN_NETIF_CTRL_STATUS_SUCCESS);
	XA_EXPECT(nb_hash.flags == XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP);

	/* Keys: at most 40 octets, copied, the rest zero. */
	req.data[1] = 41;
	XA_EXPECT(xa_vif_ctrl_copy_len(&req, &nb_hash) == 0);
	XA_EXPECT(nb_ctrl(XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 5, 41, 0, NULL,
			  false, NULL) == XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	req.data[1] = 3;
	XA_EXPECT(xa_vif_ctrl_copy_len(&req, &nb_hash) == 3);
	XA_EXPECT(nb_ctrl(XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 5, 3, 0, nb_rss_key,
			  false, NULL) == XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	XA_EXPECT(nb_ctrl(XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 5, 3, 0, nb_rss_key,
			  true, NULL) == XEN_NETIF_CTRL_STATUS_SUCCESS);
	XA_EXPECT(nb_hash.key[2] == 0x56 && nb_hash.key[3] == 0);

	/* Mapping: size first, then entries naming real queues. */
	XA_EXPECT(nb_ctrl(XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE, 0, 0, 0,
			  NULL, false, &out) == XEN_NETIF_CTRL_STATUS_SUCCESS);
	XA_EXPECT(out == XA_VIF_HASH_MAPPING_MAX);
	XA_EXPECT(nb_ctrl(XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE, 129, 0, 0,
			  NULL, false, NULL) == XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	XA_EXPECT(nb_ctrl(XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE, 8, 0, 0,
			  NULL, false, NULL) == XEN_NETIF_CTRL_STATUS_SUCCESS);
	/* Out of the table, or wrapping round: refused before any copy. */
	req.type = XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING;
	req.data[1] = 4;
	req.data[2] = 5;
	XA_EXPECT(xa_vif_ctrl_copy_len(&req, &nb_hash) == 0);
	req.data[2] = 0xfffffffe;
	XA_EXPECT(xa_vif_ctrl_copy_len(&req, &nb_hash) == 0);
	XA_EXPECT(nb_ctrl(XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 9, 4, 5, table,
			  true, NULL) == XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	req.data[2] = 4;
	XA_EXPECT(xa_vif_ctrl_copy_len(&req, &nb_hash) == 16);
	XA_EXPECT(nb_ctrl(XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 9, 4, 4, table,
			  true, NULL) == XEN_NETIF_CTRL_STATUS_SUCCESS);
	XA_EXPECT(nb_hash.mapping[4] == 3 && nb_hash.mapping[7] == 0);
	XA_EXPECT(xa_vif_hash_queue(&nb_hash, 12, 4) == 3);
	XA_EXPECT(xa_vif_hash_queue(&nb_hash, 3, 4) == 0);
	/* A queue the frontend does not have: the table stays as it was. */
	table[1] = 4;
	XA_EXPECT(nb_ctrl(XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 9, 4, 0, table,
			  true, NULL) == XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	XA_EXPECT(nb_hash.mapping[1] == 0);
	/* Staging grants and unknown messages are not supported. */
	XA_EXPECT(nb_ctrl(9 /* ADD_GREF_MAPPING, not in Linux's netif.h */,
			  0, 0, 0, NULL, false, NULL) ==
		  XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED);
	XA_EXPECT(nb_ctrl(0xffff, 0, 0, 0, NULL, false, NULL) ==
		  XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED);
	/* No mapping: hash modulo the queues. */
	nb_hash.size = 0;
	XA_EXPECT(xa_vif_hash_queue(&nb_hash, 7, 4) == 3);
	ok = true;
out:
	return ok;
}

static bool nb_test_rate(void)
{
	struct xa_vif_credit c = {
		.bytes = 10000, .window = 10, .remaining = 10000,
		.window_start = 1000,
	};
	unsigned long bytes = 0, usec = 0, retry = 0;
	bool ok = false;

	XA_EXPECT(xa_vif_parse_rate("10000000,50000", &bytes, &usec));
	XA_EXPECT(bytes == 10000000 && usec == 50000);
	XA_EXPECT(!xa_vif_parse_rate("10000000", &bytes, &usec));
	XA_EXPECT(!xa_vif_parse_rate("1,2x", &bytes, &usec));
	XA_EXPECT(!xa_vif_parse_rate(",5", &bytes, &usec));
	XA_EXPECT(!xa_vif_parse_rate("99999999999999999999999,5", &bytes, &usec));

	/* Within the window's credit: go. */
	XA_EXPECT(xa_vif_credit_take(&c, 6000, 1001, &retry));
	XA_EXPECT(c.remaining == 4000);
	/* Beyond it: wait for the next window, charge nothing. */
	XA_EXPECT(!xa_vif_credit_take(&c, 6000, 1005, &retry));
	XA_EXPECT(retry == 1010 && c.remaining == 4000);
	XA_EXPECT(xa_vif_credit_take(&c, 6000, 1010, &retry));
	XA_EXPECT(c.remaining == 4000 && c.window_start == 1010);
	/* A packet bigger than a window's credit still goes, in time. */
	c.bytes = 1000;
	c.remaining = 0;
	XA_EXPECT(!xa_vif_credit_take(&c, 1500, 1020, &retry));
	XA_EXPECT(xa_vif_credit_take(&c, 1500, 1030, &retry));
	/* Unlimited is unlimited. */
	c.bytes = ULONG_MAX;
	c.remaining = 0;
	XA_EXPECT(xa_vif_credit_take(&c, 65535, 1031, &retry));
	ok = true;
out:
	return ok;
}

static bool nb_test_mtu(void)
{
	unsigned int mtu = 1234;
	bool ok = false;

	XA_EXPECT(xa_vif_parse_mtu("9000", 68, 65517, &mtu) == XA_VIF_MTU_OK);
	XA_EXPECT(mtu == 9000);
	XA_EXPECT(xa_vif_parse_mtu("68", 68, 65517, &mtu) == XA_VIF_MTU_OK);
	XA_EXPECT(mtu == 68);
	XA_EXPECT(xa_vif_parse_mtu("65517", 68, 65517, &mtu) == XA_VIF_MTU_OK);
	XA_EXPECT(mtu == 65517);
	/* Too large for the vif, or for any integer: the largest it takes. */
	XA_EXPECT(xa_vif_parse_mtu("65518", 68, 65517, &mtu) == XA_VIF_MTU_CLAMPED);
	XA_EXPECT(mtu == 65517);
	XA_EXPECT(xa_vif_parse_mtu("9000", 68, 1500, &mtu) == XA_VIF_MTU_CLAMPED);
	XA_EXPECT(mtu == 1500);
	mtu = 1;
	XA_EXPECT(xa_vif_parse_mtu("99999999999999999999999999", 68, 65517, &mtu) ==
		  XA_VIF_MTU_CLAMPED);
	XA_EXPECT(mtu == 65517);
	/* Garbage and values too small to carry IP: refused, untouched. */
	mtu = 1234;
	XA_EXPECT(xa_vif_parse_mtu("", 68, 65517, &mtu) == XA_VIF_MTU_BAD);
	XA_EXPECT(xa_vif_parse_mtu("0", 68, 65517, &mtu) == XA_VIF_MTU_BAD);
	XA_EXPECT(xa_vif_parse_mtu("67", 68, 65517, &mtu) == XA_VIF_MTU_BAD);
	XA_EXPECT(xa_vif_parse_mtu("-1", 68, 65517, &mtu) == XA_VIF_MTU_BAD);
	XA_EXPECT(xa_vif_parse_mtu("+1500", 68, 65517, &mtu) == XA_VIF_MTU_BAD);
	XA_EXPECT(xa_vif_parse_mtu(" 1500", 68, 65517, &mtu) == XA_VIF_MTU_BAD);
	XA_EXPECT(xa_vif_parse_mtu("1500 ", 68, 65517, &mtu) == XA_VIF_MTU_BAD);
	XA_EXPECT(xa_vif_parse_mtu("1500\n", 68, 65517, &mtu) == XA_VIF_MTU_BAD);
	XA_EXPECT(xa_vif_parse_mtu("0x5dc", 68, 65517, &mtu) == XA_VIF_MTU_BAD);
	XA_EXPECT(xa_vif_parse_mtu("9000junk", 68, 65517, &mtu) == XA_VIF_MTU_BAD);
	XA_EXPECT(xa_vif_parse_mtu("99999999999999999999999x", 68, 65517, &mtu) ==
		  XA_VIF_MTU_BAD);
	XA_EXPECT(mtu == 1234);
	ok = true;
out:
	return ok;
}

static bool nb_test_fe_u32(void)
{
	u32 v = 7;
	bool ok = false;

	XA_EXPECT(xa_parse_u32("0", &v) && v == 0);
	XA_EXPECT(xa_parse_u32("4294967295", &v) && v == 4294967295u);
	XA_EXPECT(xa_parse_u32("00012", &v) && v == 12);
	/* What scanf("%u") reads as something else: refused, untouched. */
	v = 7;
	XA_EXPECT(!xa_parse_u32("4294967296", &v));
	XA_EXPECT(!xa_parse_u32("4294967308", &v));
	XA_EXPECT(!xa_parse_u32("99999999999999999999999", &v));
	XA_EXPECT(!xa_parse_u32("", &v));
	XA_EXPECT(!xa_parse_u32("-1", &v));
	XA_EXPECT(!xa_parse_u32("+1", &v));
	XA_EXPECT(!xa_parse_u32(" 1", &v));
	XA_EXPECT(!xa_parse_u32("1 ", &v));
	XA_EXPECT(!xa_parse_u32("12abc", &v));
	XA_EXPECT(!xa_parse_u32("0x10", &v));
	XA_EXPECT(v == 7);
	ok = true;
out:
	return ok;
}

static bool nb_test_tx_cost(void)
{
	struct xa_vif_tx_cost c = {};
	unsigned int i;
	bool ok = false;

	/* Nothing measured: copy, to measure the copy first... */
	XA_EXPECT(!xa_vif_tx_cost_map_better(&c, 4096, 1));
	/* ...from batches of large copies only: 64 KiB in 1024 copies is not. */
	xa_vif_tx_cost_copy(&c, 64000, 64 * 1024, 1024);
	XA_EXPECT(!c.copy_kib);
	/* Copy 1 KiB in 1000 ns. */
	xa_vif_tx_cost_copy(&c, 64000, 64 * 1024, 32);
	XA_EXPECT(c.copy_kib == 16000);
	/* Then map, to measure the map and the unmap. */
	XA_EXPECT(xa_vif_tx_cost_map_better(&c, 1024, 1));
	/* Map 500 ns and unmap 1500 ns a page. */
	xa_vif_tx_cost_map(&c, 5000, 10);
	XA_EXPECT(xa_vif_tx_cost_map_better(&c, 1024, 1));
	xa_vif_tx_cost_unmap(&c, 15000, 10);
	XA_EXPECT(c.map_page == 8000 && c.unmap_page == 24000);
	/* A page of data: copy 4000 ns against map 2000 ns. */
	XA_EXPECT(xa_vif_tx_cost_map_better(&c, 4096, 1));
	/* 1 KiB in one page: copy 1000 ns, map 2000 ns. */
	XA_EXPECT(!xa_vif_tx_cost_map_better(&c, 1024, 1));
	/* Two half pages: 4 KiB copied against two maps and unmaps. */
	XA_EXPECT(!xa_vif_tx_cost_map_better(&c, 4096, 2));
	/* Averages move 1/8 of the way to each sample. */
	xa_vif_tx_cost_unmap(&c, 8 * 24000 / 16 + 80000, 8);
	XA_EXPECT(c.unmap_page == 24000 + (184000 - 24000) / 8);
	c.unmap_page = 24000;
	/* The stack copying every mapped packet makes mapping lose. */
	for (i = 0; i < 100; i++)
		xa_vif_tx_cost_zerocopy(&c, true);
	XA_EXPECT(c.copied > 1000 && c.copied <= 1024);
	XA_EXPECT(!xa_vif_tx_cost_map_better(&c, 4096, 1));
	/* Once the stack stops copying, mapping pays again. */
	for (i = 0; i < 100; i++)
		xa_vif_tx_cost_zerocopy(&c, false);
	XA_EXPECT(c.copied == 0);
	XA_EXPECT(xa_vif_tx_cost_map_better(&c, 4096, 1));
	/* One batch in XA_VIF_TX_COST_PROBE goes the dearer way. */
	for (i = 1; i < XA_VIF_TX_COST_PROBE; i++) {
		xa_vif_tx_cost_batch(&c);
		XA_EXPECT(xa_vif_tx_cost_map_better(&c, 4096, 1));
	}
	xa_vif_tx_cost_batch(&c);
	XA_EXPECT(!xa_vif_tx_cost_map_better(&c, 4096, 1));
	XA_EXPECT(xa_vif_tx_cost_map_better(&c, 1024, 1));
	xa_vif_tx_cost_batch(&c);
	XA_EXPECT(xa_vif_tx_cost_map_better(&c, 4096, 1));
	/* Absurd samples saturate, and never divide by zero. */
	xa_vif_tx_cost_copy(&c, ~0ULL / 32, 1, 0);
	xa_vif_tx_cost_copy(&c, 1000, 0, 0);
	xa_vif_tx_cost_map(&c, ~0ULL / 32, 1);
	xa_vif_tx_cost_map(&c, 1000, 0);
	xa_vif_tx_cost_unmap(&c, 1000, 0);
	XA_EXPECT(c.copy_kib > 0x10000000 && c.map_page > 0x10000000);
	/* No overflow at the largest: copied by the stack, mapping loses. */
	c.copied = 1024;
	XA_EXPECT(!xa_vif_tx_cost_map_better(&c, 65535, 17));
	ok = true;
out:
	return ok;
}

/*
 * @batches batches of 64 packets of one page each, on a queue where a copy
 * costs @copy ns per KiB, a map and an unmap @map and @unmap ns per page,
 * and the stack copies every mapped packet if @stack_copies: each batch
 * feeds the queue's estimates what it would measure. Returns the packets
 * mapped.
 */
static unsigned int nb_tx_cost_run(struct xa_vif_tx_cost *c,
				   unsigned int batches, u32 copy, u32 map,
				   u32 unmap, bool stack_copies)
{
	unsigned int b, i, mapped, total = 0;

	for (b = 0; b < batches; b++) {
		mapped = 0;
		for (i = 0; i < 64; i++)
			mapped += xa_vif_tx_cost_map_better(c, 4096, 1);
		if (mapped) {
			xa_vif_tx_cost_map(c, (u64)map * mapped, mapped);
			xa_vif_tx_cost_unmap(c, (u64)unmap * mapped, mapped);
			for (i = 0; i < mapped; i++)
				xa_vif_tx_cost_zerocopy(c, stack_copies);
		} else {
			/* Whole packets copied: two copies each. */
			xa_vif_tx_cost_copy(c, (u64)copy * 4 * 64, 4096 * 64,
					    2 * 64);
		}
		xa_vif_tx_cost_batch(c);
		total += mapped;
	}
	return total;
}

/* The choice follows the costs as they change, both ways. */
static bool nb_test_tx_cost_follow(void)
{
	const unsigned int n = 10 * XA_VIF_TX_COST_PROBE, probes = 10 * 64;
	struct xa_vif_tx_cost c = {};
	bool ok = false;

	/* The first batch copies, the second maps: both measured. */
	XA_EXPECT(nb_tx_cost_run(&c, 1, 4000, 3000, 5000, false) == 0);
	XA_EXPECT(c.copy_kib == 4000 * 16);
	XA_EXPECT(nb_tx_cost_run(&c, 1, 4000, 3000, 5000, false) == 64);
	XA_EXPECT(c.map_page == 3000 * 16 && c.unmap_page == 5000 * 16);
	/* Forwarded packets, a page copied in 16 us, mapped in 8 us: map. */
	XA_EXPECT(nb_tx_cost_run(&c, n, 4000, 3000, 5000, false) ==
		  n * 64 - probes);
	/* The copy gets cheaper (4 us a page): the probes notice. */
	nb_tx_cost_run(&c, 20 * XA_VIF_TX_COST_PROBE, 1000, 3000, 5000, false);
	XA_EXPECT(c.copy_kib < 1100 * 16);
	XA_EXPECT(nb_tx_cost_run(&c, n, 1000, 3000, 5000, false) == probes);
	/* The map gets cheaper again (2 us a page): mapping comes back. */
	nb_tx_cost_run(&c, 20 * XA_VIF_TX_COST_PROBE, 1000, 500, 1500, false);
	XA_EXPECT(nb_tx_cost_run(&c, n, 1000, 500, 1500, false) ==
		  n * 64 - probes);
	/*
	 * The stack copies what is mapped (delivered in dom0): a map, an
	 * unmap and a copy cost more than the copy, however cheap the map.
	 */
	nb_tx_cost_run(&c, 2 * XA_VIF_TX_COST_PROBE, 1000, 500, 1500, true);
	XA_EXPECT(c.copied > 1000);
	XA_EXPECT(nb_tx_cost_run(&c, n, 1000, 500, 1500, true) == probes);
	ok = true;
out:
	return ok;
}

static bool nb_test_rx_slots(void)
{
	bool ok = false;

	XA_EXPECT(xa_vif_rx_slots(60, 0) == 1);
	XA_EXPECT(xa_vif_rx_slots(XEN_PAGE_SIZE, 0) == 1);
	XA_EXPECT(xa_vif_rx_slots(XEN_PAGE_SIZE + 1, 0) == 2);
	XA_EXPECT(xa_vif_rx_slots(65535 + 14, 0) == 17);
	/* XDP headroom leaves less room in each buffer. */
	XA_EXPECT(xa_vif_rx_slots(XEN_PAGE_SIZE, 256) == 2);
	ok = true;
out:
	return ok;
}

static const struct xa_selftest xa_netif_tests[] = {
	{ "nb_test_tx_single", nb_test_tx_single },
	{ "nb_test_tx_chain", nb_test_tx_chain },
	{ "nb_test_tx_extras", nb_test_tx_extras },
	{ "nb_test_tx_mcast", nb_test_tx_mcast },
	{ "nb_test_tx_slot_limits", nb_test_tx_slot_limits },
	{ "nb_test_tx_sizes", nb_test_tx_sizes },
	{ "nb_test_toeplitz", nb_test_toeplitz },
	{ "nb_test_ctrl_hash", nb_test_ctrl_hash },
	{ "nb_test_rate", nb_test_rate },
	{ "nb_test_mtu", nb_test_mtu },
	{ "nb_test_fe_u32", nb_test_fe_u32 },
	{ "nb_test_tx_cost", nb_test_tx_cost },
	{ "nb_test_tx_cost_follow", nb_test_tx_cost_follow },
	{ "nb_test_rx_slots", nb_test_rx_slots },
};
