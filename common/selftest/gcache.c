// SPDX-License-Identifier: GPL-2.0
/*
 * Grant cache self-tests: insert, lookup, LRU order, idle purge, cap and
 * budget. Built into debug modules (run at load) and into the user-space
 * unit tests; the includer defines XA_EXPECT(cond), which returns false
 * from the test when @cond does not hold.
 */

struct gcache_fixture {
	struct xenaccel_gcache cache;
	struct xenaccel_gcache_entry entries[8];
	long saved_limit;
	long base_used;
};

/* Kept off the kernel stack; the tests run one at a time. */
static struct gcache_fixture gcache_fx[2];

static void gcache_release_nothing(struct xenaccel_gcache *cache,
				   struct list_head *entries)
{
}

static const struct xenaccel_gcache_ops gcache_test_ops = {
	.release = gcache_release_nothing,
};

static void gcache_setup(struct gcache_fixture *f, unsigned int cap, long budget)
{
	memset(f, 0, sizeof(*f));
	f->saved_limit = xenaccel_gcache_budget.limit;
	f->base_used = atomic_long_read(&xenaccel_gcache_budget.used);
	xenaccel_gcache_budget.limit = f->base_used + budget;
	xenaccel_gcache_init(&f->cache, cap, &gcache_test_ops);
}

static void gcache_teardown(struct gcache_fixture *f)
{
	LIST_HEAD(drained);

	xenaccel_gcache_drain(&f->cache, &drained);
	xenaccel_gcache_budget.limit = f->saved_limit;
}

/* Reserve, fill in and insert entry @i for @gref; it starts busy. */
static struct xenaccel_gcache_entry *
gcache_add(struct gcache_fixture *f, unsigned int i, grant_ref_t gref,
	   bool readonly)
{
	struct xenaccel_gcache_entry *e = &f->entries[i];

	if (xenaccel_gcache_reserve(&f->cache))
		return NULL;
	e->gref = gref;
	e->readonly = readonly;
	if (xenaccel_gcache_insert(&f->cache, e)) {
		xenaccel_gcache_unreserve(&f->cache);
		return NULL;
	}
	return e;
}

static bool gcache_test_lookup(void)
{
	static const grant_ref_t grefs[] = { 50, 30, 90, 10, 70, 40 };
	struct gcache_fixture *f = &gcache_fx[0];
	unsigned int i;
	bool ok = false;

	gcache_setup(f, 8, 8);
	for (i = 0; i < ARRAY_SIZE(grefs); i++) {
		XA_EXPECT(gcache_add(f, i, grefs[i], false) == &f->entries[i]);
		xenaccel_gcache_put(&f->cache, &f->entries[i]);
	}
	for (i = 0; i < ARRAY_SIZE(grefs); i++) {
		struct xenaccel_gcache_entry *e;

		e = xenaccel_gcache_get(&f->cache, grefs[i], true);
		XA_EXPECT(e == &f->entries[i]);
		XA_EXPECT(e->users == 1);
		xenaccel_gcache_put(&f->cache, e);
	}
	XA_EXPECT(!xenaccel_gcache_get(&f->cache, 20, false));
	XA_EXPECT(!xenaccel_gcache_get(&f->cache, 91, false));
	XA_EXPECT(f->cache.stats.hits == ARRAY_SIZE(grefs));
	XA_EXPECT(f->cache.stats.misses == 2);
	XA_EXPECT(f->cache.stats.inserts == ARRAY_SIZE(grefs));
	XA_EXPECT(f->cache.nr_entries == ARRAY_SIZE(grefs));
	XA_EXPECT(f->cache.nr_idle == ARRAY_SIZE(grefs));
	ok = true;
out:
	gcache_teardown(f);
	return ok;
}

static bool gcache_test_duplicate_and_readonly(void)
{
	struct gcache_fixture *f = &gcache_fx[0];
	struct xenaccel_gcache_entry *e;
	bool ok = false;

	gcache_setup(f, 8, 8);
	XA_EXPECT(gcache_add(f, 0, 7, true));
	/* The same gref again while cached: refused, room handed back. */
	XA_EXPECT(xenaccel_gcache_reserve(&f->cache) == 0);
	f->entries[1].gref = 7;
	XA_EXPECT(xenaccel_gcache_insert(&f->cache, &f->entries[1]) == -EEXIST);
	xenaccel_gcache_unreserve(&f->cache);
	XA_EXPECT(f->cache.nr_entries == 1);
	xenaccel_gcache_put(&f->cache, &f->entries[0]);

	/* A read-only mapping serves reads, never writes. */
	XA_EXPECT(!xenaccel_gcache_get(&f->cache, 7, true));
	e = xenaccel_gcache_get(&f->cache, 7, false);
	XA_EXPECT(e == &f->entries[0]);
	xenaccel_gcache_put(&f->cache, e);
	ok = true;
out:
	gcache_teardown(f);
	return ok;
}

static bool gcache_test_lru_order(void)
{
	struct gcache_fixture *f = &gcache_fx[0];
	LIST_HEAD(out);
	bool ok = false;
	unsigned int i;

	gcache_setup(f, 8, 8);
	for (i = 0; i < 4; i++)
		XA_EXPECT(gcache_add(f, i, 100 + i, false));
	/* Busy entries are never evicted. */
	XA_EXPECT(xenaccel_gcache_evict(&f->cache, &out, 8, jiffies) == 0);

	/* Idle in the order 2, 0, 3; 1 stays busy. */
	xenaccel_gcache_put(&f->cache, &f->entries[2]);
	xenaccel_gcache_put(&f->cache, &f->entries[0]);
	xenaccel_gcache_put(&f->cache, &f->entries[3]);
	/* Using an idle entry again moves it to the recent end. */
	XA_EXPECT(xenaccel_gcache_get(&f->cache, 102, false) == &f->entries[2]);
	XA_EXPECT(f->cache.nr_idle == 2);
	xenaccel_gcache_put(&f->cache, &f->entries[2]);

	XA_EXPECT(xenaccel_gcache_evict(&f->cache, &out, 1, jiffies) == 1);
	XA_EXPECT(list_first_entry(&out, struct xenaccel_gcache_entry, lru) ==
		  &f->entries[0]);
	XA_EXPECT(!xenaccel_gcache_get(&f->cache, 100, false));
	XA_EXPECT(xenaccel_gcache_evict(&f->cache, &out, 8, jiffies) == 2);
	XA_EXPECT(list_last_entry(&out, struct xenaccel_gcache_entry, lru) ==
		  &f->entries[2]);
	XA_EXPECT(f->cache.nr_entries == 1 && f->cache.nr_idle == 0);
	XA_EXPECT(f->cache.stats.evictions == 3);
	xenaccel_gcache_put(&f->cache, &f->entries[1]);
	ok = true;
out:
	gcache_teardown(f);
	return ok;
}

static bool gcache_test_idle_purge(void)
{
	unsigned long start = jiffies;
	struct gcache_fixture *f = &gcache_fx[0];
	LIST_HEAD(out);
	bool ok = false;

	gcache_setup(f, 8, 8);
	XA_EXPECT(gcache_add(f, 0, 1, false));
	XA_EXPECT(gcache_add(f, 1, 2, false));
	xenaccel_gcache_put(&f->cache, &f->entries[0]);
	f->entries[0].last_used = start - 100;	/* idle for 100 ticks */
	xenaccel_gcache_put(&f->cache, &f->entries[1]);

	/* Only what has been idle since 50 ticks ago goes. */
	XA_EXPECT(xenaccel_gcache_evict(&f->cache, &out, 8, start - 50) == 1);
	XA_EXPECT(list_first_entry(&out, struct xenaccel_gcache_entry, lru) ==
		  &f->entries[0]);
	XA_EXPECT(xenaccel_gcache_get(&f->cache, 2, false) == &f->entries[1]);
	xenaccel_gcache_put(&f->cache, &f->entries[1]);
	ok = true;
out:
	gcache_teardown(f);
	return ok;
}

static bool gcache_test_cap(void)
{
	struct gcache_fixture *f = &gcache_fx[0];
	LIST_HEAD(out);
	bool ok = false;

	gcache_setup(f, 2, 8);
	XA_EXPECT(gcache_add(f, 0, 1, false));
	XA_EXPECT(gcache_add(f, 1, 2, false));
	XA_EXPECT(xenaccel_gcache_reserve(&f->cache) == -ENOSPC);
	XA_EXPECT(f->cache.stats.full == 1);
	/* The refusal charged nothing to the budget. */
	XA_EXPECT(atomic_long_read(&xenaccel_gcache_budget.used) ==
		  f->base_used + 2);
	xenaccel_gcache_put(&f->cache, &f->entries[0]);
	XA_EXPECT(xenaccel_gcache_evict(&f->cache, &out, 1, jiffies) == 1);
	XA_EXPECT(gcache_add(f, 2, 3, false));
	xenaccel_gcache_put(&f->cache, &f->entries[1]);
	xenaccel_gcache_put(&f->cache, &f->entries[2]);
	ok = true;
out:
	gcache_teardown(f);
	return ok;
}

static bool gcache_test_global_budget(void)
{
	struct gcache_fixture *a = &gcache_fx[0], *b = &gcache_fx[1];
	LIST_HEAD(out);
	bool ok = false;

	gcache_setup(a, 8, 3);
	/* b shares the budget set for a-> */
	memset(b, 0, sizeof(*b));
	xenaccel_gcache_init(&b->cache, 8, &gcache_test_ops);
	XA_EXPECT(gcache_add(a, 0, 1, false));
	XA_EXPECT(gcache_add(a, 1, 2, false));
	XA_EXPECT(gcache_add(b, 0, 1, false));
	XA_EXPECT(xenaccel_gcache_reserve(&b->cache) == -ENOSPC);
	XA_EXPECT(xenaccel_gcache_reserve(&a->cache) == -ENOSPC);
	XA_EXPECT(atomic_long_read(&xenaccel_gcache_budget.used) ==
		  a->base_used + 3);

	/* What a gives back, b can use. */
	xenaccel_gcache_put(&a->cache, &a->entries[0]);
	XA_EXPECT(xenaccel_gcache_evict(&a->cache, &out, 8, jiffies) == 1);
	XA_EXPECT(gcache_add(b, 1, 2, false));
	xenaccel_gcache_put(&a->cache, &a->entries[1]);
	xenaccel_gcache_put(&b->cache, &b->entries[0]);
	xenaccel_gcache_put(&b->cache, &b->entries[1]);
	ok = true;
out:
	xenaccel_gcache_drain(&b->cache, &out);
	gcache_teardown(a);
	return ok;
}

static bool gcache_test_drain(void)
{
	struct gcache_fixture *f = &gcache_fx[0];
	LIST_HEAD(out);
	bool ok = false;
	unsigned int i;

	gcache_setup(f, 8, 8);
	for (i = 0; i < 5; i++) {
		XA_EXPECT(gcache_add(f, i, i, false));
		xenaccel_gcache_put(&f->cache, &f->entries[i]);
	}
	XA_EXPECT(xenaccel_gcache_drain(&f->cache, &out) == 5);
	XA_EXPECT(f->cache.nr_entries == 0 && f->cache.nr_idle == 0);
	XA_EXPECT(atomic_long_read(&xenaccel_gcache_budget.used) == f->base_used);
	for (i = 0; i < 5; i++)
		XA_EXPECT(!xenaccel_gcache_get(&f->cache, i, false));
	ok = true;
out:
	gcache_teardown(f);
	return ok;
}

static const struct xa_selftest xa_gcache_tests[] = {
	{ "gcache_test_lookup", gcache_test_lookup },
	{ "gcache_test_duplicate_and_readonly", gcache_test_duplicate_and_readonly },
	{ "gcache_test_lru_order", gcache_test_lru_order },
	{ "gcache_test_idle_purge", gcache_test_idle_purge },
	{ "gcache_test_cap", gcache_test_cap },
	{ "gcache_test_global_budget", gcache_test_global_budget },
	{ "gcache_test_drain", gcache_test_drain },
};
