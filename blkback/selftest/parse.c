// SPDX-License-Identifier: GPL-2.0
/*
 * blkif request parsing self-tests: every check a hostile frontend can hit,
 * in both request layouts. Built into debug blkback modules (run at load)
 * and the user-space unit tests; see common/selftest/selftest.h.
 */

/* Requests are built in ring slots of either layout. */
union parse_raw {
	struct blkif_request native;
	struct xa_blkif_x86_32_request x86_32;
};

static struct xa_blkif_req parse_req;

static void parse_native_rw(union parse_raw *raw, u8 op, u8 nr_segs)
{
	unsigned int i;

	memset(raw, 0, sizeof(*raw));
	raw->native.operation = op;
	raw->native.u.rw.nr_segments = nr_segs;
	raw->native.u.rw.handle = 51712;
	raw->native.u.rw.id = 0x1122334455667788ULL;
	raw->native.u.rw.sector_number = 4096;
	for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
		raw->native.u.rw.seg[i].gref = 100 + i;
		raw->native.u.rw.seg[i].first_sect = 0;
		raw->native.u.rw.seg[i].last_sect = 7;
	}
}

static int parse(union parse_raw *raw, enum xa_blkif_abi abi)
{
	return xa_blkif_parse(raw, abi, 256, &parse_req);
}

static bool parse_test_rw(void)
{
	union parse_raw raw;
	bool ok = false;

	parse_native_rw(&raw, BLKIF_OP_WRITE, 3);
	raw.native.u.rw.seg[2].first_sect = 2;
	raw.native.u.rw.seg[2].last_sect = 5;
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == 0);
	XA_EXPECT(parse_req.id == 0x1122334455667788ULL);
	XA_EXPECT(parse_req.operation == BLKIF_OP_WRITE);
	XA_EXPECT(parse_req.op == BLKIF_OP_WRITE && !parse_req.indirect);
	XA_EXPECT(parse_req.sector == 4096 && parse_req.nr_segs == 3);
	XA_EXPECT(parse_req.segs[0].gref == 100 && parse_req.segs[2].gref == 102);
	XA_EXPECT(parse_req.segs[2].first_sect == 2 && parse_req.segs[2].last_sect == 5);
	ok = true;
out:
	return ok;
}

static bool parse_test_x86_32(void)
{
	union parse_raw raw;
	bool ok = false;

	memset(&raw, 0, sizeof(raw));
	raw.x86_32.operation = BLKIF_OP_READ;
	raw.x86_32.u.rw.nr_segments = 2;
	raw.x86_32.u.rw.id = 0xabcdef0123456789ULL;
	raw.x86_32.u.rw.sector_number = 77;
	raw.x86_32.u.rw.seg[1].gref = 9;
	raw.x86_32.u.rw.seg[1].last_sect = 7;
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_X86_32) == 0);
	XA_EXPECT(parse_req.id == 0xabcdef0123456789ULL);
	XA_EXPECT(parse_req.sector == 77 && parse_req.nr_segs == 2);
	XA_EXPECT(parse_req.segs[1].gref == 9 && parse_req.segs[1].last_sect == 7);

	memset(&raw, 0, sizeof(raw));
	raw.x86_32.operation = BLKIF_OP_INDIRECT;
	raw.x86_32.u.indirect.indirect_op = BLKIF_OP_WRITE;
	raw.x86_32.u.indirect.nr_segments = 200;
	raw.x86_32.u.indirect.id = 5;
	raw.x86_32.u.indirect.sector_number = 8;
	raw.x86_32.u.indirect.indirect_grefs[0] = 31;
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_X86_32) == 0);
	XA_EXPECT(parse_req.indirect && parse_req.op == BLKIF_OP_WRITE);
	/* blkfront checks the response carries the inner operation. */
	XA_EXPECT(parse_req.operation == BLKIF_OP_WRITE);
	XA_EXPECT(parse_req.id == 5 && parse_req.sector == 8);
	XA_EXPECT(parse_req.nr_segs == 200 && parse_req.indirect_grefs[0] == 31);

	memset(&raw, 0, sizeof(raw));
	raw.x86_32.operation = BLKIF_OP_DISCARD;
	raw.x86_32.u.discard.flag = BLKIF_DISCARD_SECURE;
	raw.x86_32.u.discard.id = 6;
	raw.x86_32.u.discard.sector_number = 16;
	raw.x86_32.u.discard.nr_sectors = 64;
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_X86_32) == 0);
	XA_EXPECT(parse_req.op == BLKIF_OP_DISCARD && parse_req.secure);
	XA_EXPECT(parse_req.id == 6 && parse_req.sector == 16 &&
		  parse_req.nr_sectors == 64);
	ok = true;
out:
	return ok;
}

static bool parse_test_segment_counts(void)
{
	union parse_raw raw;
	bool ok = false;

	parse_native_rw(&raw, BLKIF_OP_READ, 0);
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == -EINVAL);
	parse_native_rw(&raw, BLKIF_OP_READ, BLKIF_MAX_SEGMENTS_PER_REQUEST + 1);
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == -EINVAL);
	parse_native_rw(&raw, BLKIF_OP_WRITE, 255);
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == -EINVAL);
	parse_native_rw(&raw, BLKIF_OP_READ, BLKIF_MAX_SEGMENTS_PER_REQUEST);
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == 0);
	/* A flush may come without data. */
	parse_native_rw(&raw, BLKIF_OP_FLUSH_DISKCACHE, 0);
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == 0);
	XA_EXPECT(parse_req.nr_segs == 0);
	parse_native_rw(&raw, BLKIF_OP_WRITE_BARRIER, 12);
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == -EINVAL);
	ok = true;
out:
	return ok;
}

static bool parse_test_bad_segments(void)
{
	union parse_raw raw;
	bool ok = false;

	parse_native_rw(&raw, BLKIF_OP_READ, 4);
	raw.native.u.rw.seg[3].first_sect = 5;
	raw.native.u.rw.seg[3].last_sect = 4;
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == -EINVAL);
	parse_native_rw(&raw, BLKIF_OP_READ, 4);
	raw.native.u.rw.seg[1].last_sect = XA_BLKIF_SECTORS_PER_PAGE;
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == -EINVAL);
	/* Segments past nr_segments are not looked at. */
	parse_native_rw(&raw, BLKIF_OP_READ, 4);
	raw.native.u.rw.seg[4].first_sect = 9;
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == 0);
	ok = true;
out:
	return ok;
}

static bool parse_test_unknown_op(void)
{
	union parse_raw raw;
	bool ok = false;

	memset(&raw, 0, sizeof(raw));
	raw.native.operation = 4;	/* the retired BLKIF_OP_RESERVED_1 */
	raw.native.u.other.id = 42;
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == -EOPNOTSUPP);
	XA_EXPECT(parse_req.id == 42 && parse_req.operation == 4);
	raw.native.operation = 0xff;
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == -EOPNOTSUPP);

	memset(&raw, 0, sizeof(raw));
	raw.x86_32.operation = 200;
	raw.x86_32.u.other.id = 43;
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_X86_32) == -EOPNOTSUPP);
	XA_EXPECT(parse_req.id == 43);
	ok = true;
out:
	return ok;
}

static void parse_native_indirect(union parse_raw *raw, u8 op, u16 nr_segs)
{
	memset(raw, 0, sizeof(*raw));
	raw->native.operation = BLKIF_OP_INDIRECT;
	raw->native.u.indirect.indirect_op = op;
	raw->native.u.indirect.nr_segments = nr_segs;
	raw->native.u.indirect.id = 7;
}

static bool parse_test_indirect(void)
{
	union parse_raw raw;
	bool ok = false;

	parse_native_indirect(&raw, BLKIF_OP_READ, 256);
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == 0);
	XA_EXPECT(parse_req.nr_segs == 256 && parse_req.nr_indirect_pages == 1);
	parse_native_indirect(&raw, BLKIF_OP_READ, 0);
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == -EINVAL);
	/* More than advertised. */
	parse_native_indirect(&raw, BLKIF_OP_WRITE, 257);
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == -EINVAL);
	parse_native_indirect(&raw, BLKIF_OP_WRITE, 0xffff);
	XA_EXPECT(xa_blkif_parse(&raw, XA_BLKIF_ABI_NATIVE, 0xffff, &parse_req) == -EINVAL);
	/* Two indirect pages. */
	parse_native_indirect(&raw, BLKIF_OP_WRITE, XA_BLKIF_SEGS_PER_INDIRECT_PAGE + 1);
	XA_EXPECT(xa_blkif_parse(&raw, XA_BLKIF_ABI_NATIVE, 4096, &parse_req) == 0);
	XA_EXPECT(parse_req.nr_indirect_pages == 2);
	/* Only reads and writes can be indirect. */
	parse_native_indirect(&raw, BLKIF_OP_FLUSH_DISKCACHE, 8);
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == -EINVAL);
	parse_native_indirect(&raw, BLKIF_OP_INDIRECT, 8);
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == -EINVAL);
	ok = true;
out:
	return ok;
}

static bool parse_test_discard(void)
{
	union parse_raw raw;
	bool ok = false;

	memset(&raw, 0, sizeof(raw));
	raw.native.operation = BLKIF_OP_DISCARD;
	raw.native.u.discard.id = 8;
	raw.native.u.discard.sector_number = 1 << 20;
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == -EINVAL);
	raw.native.u.discard.nr_sectors = 2048;
	XA_EXPECT(parse(&raw, XA_BLKIF_ABI_NATIVE) == 0);
	XA_EXPECT(!parse_req.secure && parse_req.nr_sectors == 2048);
	ok = true;
out:
	return ok;
}

/* Two indirect pages: segment i is gref 1000 + i, sectors 0-7. */
static struct blkif_request_segment parse_pages[2][XA_BLKIF_SEGS_PER_INDIRECT_PAGE];
static struct blkif_request_segment parse_segs[2 * XA_BLKIF_SEGS_PER_INDIRECT_PAGE];

static bool parse_test_copy_indirect(void)
{
	void *pages[2] = { parse_pages[0], parse_pages[1] };
	unsigned int n = XA_BLKIF_SEGS_PER_INDIRECT_PAGE + 3, i;
	bool ok = false;

	for (i = 0; i < n; i++) {
		struct blkif_request_segment *seg =
			&parse_pages[i / XA_BLKIF_SEGS_PER_INDIRECT_PAGE]
				    [i % XA_BLKIF_SEGS_PER_INDIRECT_PAGE];

		seg->gref = 1000 + i;
		seg->first_sect = 0;
		seg->last_sect = 7;
	}
	XA_EXPECT(xa_blkif_copy_indirect(parse_segs, pages, n) == 0);
	for (i = 0; i < n; i++)
		XA_EXPECT(parse_segs[i].gref == 1000 + i);
	/* The copies stay as read when the guest rewrites its page. */
	parse_pages[1][0].gref = 1;
	XA_EXPECT(parse_segs[XA_BLKIF_SEGS_PER_INDIRECT_PAGE].gref ==
		  1000 + XA_BLKIF_SEGS_PER_INDIRECT_PAGE);
	/* A bad segment on the second page fails the request. */
	parse_pages[1][2].first_sect = 7;
	parse_pages[1][2].last_sect = 6;
	XA_EXPECT(xa_blkif_copy_indirect(parse_segs, pages, n) == -EINVAL);
	/* ...but not if the request does not reach it. */
	XA_EXPECT(xa_blkif_copy_indirect(parse_segs, pages, n - 1) == 0);
	ok = true;
out:
	return ok;
}

static bool parse_test_range(void)
{
	bool ok = false;

	XA_EXPECT(xa_blkif_check_range(0, 8, 1024, 1) == 0);
	XA_EXPECT(xa_blkif_check_range(1016, 8, 1024, 1) == 0);
	XA_EXPECT(xa_blkif_check_range(1017, 8, 1024, 1) == -EINVAL);
	XA_EXPECT(xa_blkif_check_range(1025, 0, 1024, 1) == -EINVAL);
	/* Wrapping around the sector space is no way in. */
	XA_EXPECT(xa_blkif_check_range(~0ULL - 3, 8, 1024, 1) == -EINVAL);
	XA_EXPECT(xa_blkif_check_range(8, ~0ULL - 3, 1024, 1) == -EINVAL);
	/* 4096-byte logical blocks: whole blocks only. */
	XA_EXPECT(xa_blkif_check_range(8, 16, 1024, 8) == 0);
	XA_EXPECT(xa_blkif_check_range(4, 8, 1024, 8) == -EINVAL);
	XA_EXPECT(xa_blkif_check_range(8, 4, 1024, 8) == -EINVAL);
	ok = true;
out:
	return ok;
}

static int parse_keys(const char *protocol, const char *queues,
		      const char *order, struct xa_blkif_geometry *geo)
{
	struct xa_blkif_fe_keys keys = {
		.protocol = protocol, .nr_queues = queues, .ring_order = order,
	};
	const char *why = NULL;
	int err = xa_blkif_parse_fe_keys(&keys, 4, 4, geo, &why);

	return err && !why ? -EFAULT : err;	/* a refusal says why */
}

static bool parse_test_fe_keys(void)
{
	struct xa_blkif_geometry geo;
	bool ok = false;

	/* Nothing written: a frontend from before the features. */
	XA_EXPECT(parse_keys(NULL, NULL, NULL, &geo) == 0);
	XA_EXPECT(geo.abi == XA_BLKIF_ABI_NATIVE && geo.nr_queues == 1 &&
		  geo.ring_order == -1);
	XA_EXPECT(parse_keys("x86_32-abi", "4", "0", &geo) == 0);
	XA_EXPECT(geo.abi == XA_BLKIF_ABI_X86_32 && geo.nr_queues == 4 &&
		  geo.ring_order == 0);
	XA_EXPECT(parse_keys("x86_64-abi", "2", "4", &geo) == 0);
	XA_EXPECT(geo.abi == XA_BLKIF_ABI_NATIVE && geo.ring_order == 4);
	/* Refused, and @geo left alone. */
	geo.nr_queues = 77;
	XA_EXPECT(parse_keys("arm-abi", NULL, NULL, &geo) == -EINVAL);
	XA_EXPECT(parse_keys("", NULL, NULL, &geo) == -EINVAL);
	XA_EXPECT(parse_keys(NULL, "0", NULL, &geo) == -EINVAL);
	XA_EXPECT(parse_keys(NULL, "5", NULL, &geo) == -EINVAL);
	XA_EXPECT(parse_keys(NULL, "4294967297", NULL, &geo) == -EINVAL);
	XA_EXPECT(parse_keys(NULL, "2x", NULL, &geo) == -EINVAL);
	XA_EXPECT(parse_keys(NULL, NULL, "5", &geo) == -EINVAL);
	XA_EXPECT(parse_keys(NULL, NULL, "-1", &geo) == -EINVAL);
	XA_EXPECT(parse_keys(NULL, NULL, "", &geo) == -EINVAL);
	XA_EXPECT(geo.nr_queues == 77);
	ok = true;
out:
	return ok;
}

static const struct xa_selftest xa_blkif_parse_tests[] = {
	{ "parse_test_rw", parse_test_rw },
	{ "parse_test_x86_32", parse_test_x86_32 },
	{ "parse_test_segment_counts", parse_test_segment_counts },
	{ "parse_test_bad_segments", parse_test_bad_segments },
	{ "parse_test_unknown_op", parse_test_unknown_op },
	{ "parse_test_indirect", parse_test_indirect },
	{ "parse_test_discard", parse_test_discard },
	{ "parse_test_copy_indirect", parse_test_copy_indirect },
	{ "parse_test_range", parse_test_range },
	{ "parse_test_fe_keys", parse_test_fe_keys },
};
