// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the xenstore keys a blkfront writes about its rings
 * (protocol, multi-queue-num-queues, ring-page-order), as strings, through
 * xa_blkif_parse_fe_keys(). Byte 0 says which keys are present, bytes 1-2
 * the backend's limits; the rest is the three values, split at NUL bytes.
 * The checks assert what the connect path relies on: an accepted geometry
 * never exceeds what was offered (the grant-ref array is sized by it), a
 * refusal says why and leaves the result alone.
 */
#include "fuzz.h"

#include <xenaccel/xsnum.h>
#include "../../blkback/abi.h"

static char buf[3][64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xa_blkif_geometry geo = { .nr_queues = 12345 };
	struct xa_blkif_fe_keys keys;
	unsigned int max_queues, max_order, i;
	const char *why = NULL;
	const char *val[3];
	u32 v;
	int err;

	if (size < 3)
		return 0;
	max_queues = 1 + data[1] % 64;
	max_order = data[2] % 5;	/* XENBUS_MAX_RING_GRANT_ORDER is 4 */
	for (i = 0; i < 3; i++) {
		size_t n = 0;

		while (3 + n < size && data[3 + n] && n < sizeof(buf[i]) - 1)
			n++;
		memcpy(buf[i], data + 3, n);
		buf[i][n] = 0;
		val[i] = data[0] & (1 << i) ? buf[i] : NULL;
		n = min(size - 3, n + 1);
		data += n;
		size -= n;
	}
	keys.protocol = val[0];
	keys.nr_queues = val[1];
	keys.ring_order = val[2];

	err = xa_blkif_parse_fe_keys(&keys, max_queues, max_order, &geo, &why);
	if (err) {
		CHECK(err == -EINVAL && why);
		CHECK(geo.nr_queues == 12345);
		return 0;
	}
	CHECK(geo.abi == XA_BLKIF_ABI_NATIVE || geo.abi == XA_BLKIF_ABI_X86_32);
	CHECK(geo.nr_queues >= 1 && geo.nr_queues <= max_queues);
	CHECK(geo.ring_order >= -1 && geo.ring_order <= (int)max_order);
	CHECK((geo.ring_order == -1) == !keys.ring_order);
	/* An accepted number is decimal digits and nothing else. */
	for (i = 1; i < 3; i++) {
		const char *p = val[i];

		if (!p)
			continue;
		CHECK(xa_parse_u32(p, &v));
		for (; *p; p++)
			CHECK(*p >= '0' && *p <= '9');
	}
	return 0;
}
