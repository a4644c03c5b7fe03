/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The frames of xafront net's tx-double-fetch mode are made of 64-byte
 * blocks that say where they come from: each block of the pages xafront
 * grants is an Ethernet header (to the peer, from us, ethertype 0x88b5),
 * the page's and the block's number, and 48 bytes that follow from both.
 * Every size and offset the mode writes is a multiple of 64, so a frame
 * built from any consistent reading of its slots is whole blocks of those
 * pages; one built from torn, stale or out-of-page data is not. dom0's
 * capture (xacap.c) checks each frame it sees without knowing what was
 * sent. Plain C with no Xen headers: dom0 has none.
 */
#ifndef XA_DFBLOCK_H
#define XA_DFBLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define DFB_ETHERTYPE	0x88b5		/* IEEE 802 local experimental 1 */
#define DFB_SIZE	64u
#define DFB_PER_PAGE	(4096u / DFB_SIZE)
#define DFB_PAGES	8u

static inline uint8_t dfb_byte(unsigned int page, unsigned int block, unsigned int i)
{
	uint32_t x = (page * DFB_PER_PAGE + block) * 0x9e3779b1u ^ i * 0x85ebca6bu;

	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	return (uint8_t)x;
}

/* Fill page number @page (4096 bytes at @p) with its blocks. */
static inline void dfb_fill(uint8_t *p, unsigned int page, const uint8_t *dst,
			    const uint8_t *src)
{
	unsigned int b, i;

	for (b = 0; b < DFB_PER_PAGE; b++, p += DFB_SIZE) {
		memcpy(p, dst, 6);
		memcpy(p + 6, src, 6);
		p[12] = DFB_ETHERTYPE >> 8;
		p[13] = DFB_ETHERTYPE & 0xff;
		p[14] = page;
		p[15] = b;
		for (i = 16; i < DFB_SIZE; i++)
			p[i] = dfb_byte(page, b, i);
	}
}

/*
 * Is the frame @f of @len bytes whole blocks of our pages? 0 if so, else
 * 1 + the offset of the first block that is not one (or is cut short).
 */
static inline size_t dfb_check(const uint8_t *f, size_t len, const uint8_t *dst,
			       const uint8_t *src)
{
	const uint8_t *q;
	size_t o;
	unsigned int i;

	if (!len)
		return 1;
	for (o = 0; o < len; o += DFB_SIZE) {
		q = f + o;
		if (len - o < DFB_SIZE || memcmp(q, dst, 6) || memcmp(q + 6, src, 6) ||
		    q[12] != DFB_ETHERTYPE >> 8 || q[13] != (DFB_ETHERTYPE & 0xff) ||
		    q[14] >= DFB_PAGES || q[15] >= DFB_PER_PAGE)
			return 1 + o;
		for (i = 16; i < DFB_SIZE; i++)
			if (q[i] != dfb_byte(q[14], q[15], i))
				return 1 + o;
	}
	return 0;
}

#endif
