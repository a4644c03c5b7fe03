// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: frontend-written netif data through netback's pure
 * logic. Byte 0 picks the part:
 *  - even: a guest-TX ring of slots through xa_vif_tx_parse(), packet
 *    after packet, as NAPI walks it; the checks assert what tx.c relies
 *    on: a packet never claims more slots than it was given, and a
 *    packet passed as OK has data slots that stay within their pages,
 *    sizes that add up, and at most 1 + 18 data slots;
 *  - odd: a sequence of control-ring requests (with the contents of
 *    their grants) through xa_vif_ctrl_handle(); the checks assert what
 *    queue selection relies on: the mapping never names a queue the
 *    frontend lacks, nor reaches past its table;
 *  - 0xff: the rest as the toolstack's "mtu" key through
 *    xa_vif_parse_mtu(): an accepted MTU lies within the bounds given;
 *  - 0xfd: the rest as a number the frontend wrote (a ring ref, a queue
 *    count) through xa_parse_u32(): accepted exactly when it is
 *    decimal digits of a value below 2^32.
 */
#include "fuzz.h"

#include <xen/page.h>
#include <xenaccel/xsnum.h>
#include "../../netback/proto.h"

static union xa_vif_tx_slot slots[256];

static void fuzz_tx(const uint8_t *data, size_t size)
{
	unsigned int avail = min(size / sizeof(slots[0]), ARRAY_SIZE(slots));
	unsigned int pos = 0, fatal = XA_VIF_TX_FATAL_SLOTS;
	struct xa_vif_tx_pkt pkt;

	memcpy(slots, data, avail * sizeof(slots[0]));
	while (pos < avail) {
		enum xa_vif_tx_verdict v;
		unsigned int i, sum;

		v = xa_vif_tx_parse(&slots[pos], avail - pos, fatal, &pkt);
		if (v == XA_VIF_TX_INCOMPLETE || v == XA_VIF_TX_FATAL)
			return;
		CHECK(pkt.nr_slots >= 1 && pkt.nr_slots <= avail - pos);
		if (v == XA_VIF_TX_OK) {
			CHECK(pkt.nr_data >= 1 && pkt.nr_data <= 1 + XA_VIF_TX_DROP_SLOTS);
			CHECK(pkt.nr_slots == pkt.nr_extras + pkt.nr_data);
			CHECK(pkt.len >= 14 && pkt.len <= XEN_NETIF_MAX_TX_SIZE);
			for (i = 0, sum = 0; i < pkt.nr_data; i++) {
				const struct xen_netif_tx_request *req =
					xa_vif_tx_data_slot(&slots[pos], &pkt, i);
				unsigned int len = xa_vif_tx_data_len(&slots[pos], &pkt, i);

				CHECK(req->offset + len <= XEN_PAGE_SIZE);
				sum += len;
			}
			CHECK(sum == pkt.len);
			if (pkt.extras[XEN_NETIF_EXTRA_TYPE_GSO - 1].type)
				CHECK(pkt.extras[XEN_NETIF_EXTRA_TYPE_GSO - 1].u.gso.size);
		}
		pos += pkt.nr_slots;
	}
}

static struct xa_vif_hash hash;
static u8 grant[XEN_PAGE_SIZE];

static void fuzz_ctrl(const uint8_t *data, size_t size)
{
	unsigned int nr_queues = 1 + data[0] % 8, i;

	memset(&hash, 0, sizeof(hash));
	data++;
	size--;
	while (size >= sizeof(struct xen_netif_ctrl_request) + 1) {
		struct xen_netif_ctrl_request req;
		struct xen_netif_ctrl_response rsp;
		unsigned int len;
		bool copied = data[0] & 1;

		memcpy(&req, data + 1, sizeof(req));
		data += 1 + sizeof(req);
		size -= 1 + sizeof(req);
		len = xa_vif_ctrl_copy_len(&req, &hash);
		CHECK(len <= XA_VIF_HASH_MAPPING_MAX * sizeof(u32));
		/* The grant's contents: what follows, zero past the input. */
		memset(grant, 0, len);
		memcpy(grant, data, min(size, (size_t)len));
		xa_vif_ctrl_handle(&hash, &req, grant, copied, nr_queues, &rsp);
		CHECK(rsp.id == req.id && rsp.type == req.type);
		CHECK(rsp.status <= XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
		CHECK(hash.size <= XA_VIF_HASH_MAPPING_MAX);
		for (i = 0; i < hash.size; i++)
			CHECK(hash.mapping[i] < nr_queues);
		CHECK(xa_vif_hash_queue(&hash, req.data[0], nr_queues) < nr_queues);
	}
}

static char key[64];

static void fuzz_mtu(const uint8_t *data, size_t size)
{
	unsigned int mtu = 0, max = 68 + data[0] * 256;
	enum xa_vif_mtu_verdict v;

	size = min(size - 1, sizeof(key) - 1);
	memcpy(key, data + 1, size);
	key[size] = 0;
	v = xa_vif_parse_mtu(key, 68, max, &mtu);
	if (v == XA_VIF_MTU_BAD)
		CHECK(mtu == 0);
	else
		CHECK(mtu >= 68 && mtu <= max);
	CHECK(v != XA_VIF_MTU_OK || (unsigned int)atoi(key) == mtu);
}

static void fuzz_fe_u32(const uint8_t *data, size_t size)
{
	unsigned long long want;
	bool digits;
	u32 v = 0;

	size = min(size, sizeof(key) - 1);
	memcpy(key, data, size);
	key[size] = 0;
	digits = key[0] && strspn(key, "0123456789") == strlen(key);
	errno = 0;
	want = strtoull(key, NULL, 10);
	if (xa_parse_u32(key, &v))
		CHECK(digits && !errno && want == v);
	else
		CHECK(!digits || errno || want > 0xffffffffull);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	if (data[0] == 0xff)
		fuzz_mtu(data + 1, size - 1);
	else if (data[0] == 0xfd)
		fuzz_fe_u32(data + 1, size - 1);
	else if (data[0] & 1)
		fuzz_ctrl(data + 1, size - 1);
	else
		fuzz_tx(data + 1, size - 1);
	return 0;
}
