// SPDX-License-Identifier: GPL-2.0
/*
 * xafront: the plumbing of a user-space Xen PV frontend. xenstore through
 * libxenstore (/dev/xen/xenbus in a guest), grants through libxengnttab's
 * gntshr API (/dev/xen/gntalloc), event channels through libxenevtchn
 * (/dev/xen/evtchn). The protocols live in blk.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "xafront.h"

bool xa_verbose;
bool xa_sync;

void xa_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("xafront: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* One write(2), so that the line cannot interleave with kernel messages. */
void xa_say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "@@xenaccel ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	fflush(stdout);
	if (write(STDOUT_FILENO, buf, n) != n)
		xa_log("writing to stdout failed");
}

uint64_t xa_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int xa_msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	return nanosleep(&ts, NULL);
}

/* --- xenstore ----------------------------------------------------------- */

static char *xa_vread(struct xa_dev *d, const char *fmt, va_list ap)
{
	char path[256];
	unsigned int len;

	vsnprintf(path, sizeof(path), fmt, ap);
	return xs_read(d->xs, XBT_NULL, path, &len);
}

char *xa_read(struct xa_dev *d, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = xa_vread(d, fmt, ap);
	va_end(ap);
	return v;
}

long long xa_read_num(struct xa_dev *d, long long def, const char *fmt, ...)
{
	va_list ap;
	char *v, *end;
	long long n;

	va_start(ap, fmt);
	v = xa_vread(d, fmt, ap);
	va_end(ap);
	if (!v)
		return def;
	n = strtoll(v, &end, 0);
	if (end == v || *end)
		n = def;
	free(v);
	return n;
}

bool xa_write(struct xa_dev *d, const char *path, const char *fmt, ...)
{
	char val[256];
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	ok = xs_write(d->xs, XBT_NULL, path, val, strlen(val));
	if (!ok)
		xa_log("xenstore write %s=%s: %s", path, val, strerror(errno));
	return ok;
}

bool xa_rm(struct xa_dev *d, const char *path)
{
	return xs_rm(d->xs, XBT_NULL, path) || errno == ENOENT;
}

int xa_be_state(struct xa_dev *d)
{
	return xa_read_num(d, -1, "%s/state", d->be);
}

int xa_fe_state(struct xa_dev *d)
{
	return xa_read_num(d, -1, "%s/state", d->fe);
}

bool xa_set_state(struct xa_dev *d, int state)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/state", d->fe);
	return xa_write(d, path, "%d", state);
}

/*
 * Wait until the backend's state is one of @mask (XA_ST bits). Returns the
 * state, or -1 after @timeout_ms with the state not in the mask.
 */
int xa_wait_be_state(struct xa_dev *d, unsigned int mask, int timeout_ms)
{
	uint64_t end = xa_now_ms() + timeout_ms;
	int s;

	for (;;) {
		s = xa_be_state(d);
		if (s >= 0 && s < 32 && (mask & XA_ST(s)))
			return s;
		if (xa_now_ms() >= end)
			return -1;
		xa_msleep(10);
	}
}

/*
 * Point @d at device TYPE/DEVID (its frontend and backend directories);
 * the handles stay, so grants made for another device of the same
 * backend domain stay usable.
 */
int xa_dev_find(struct xa_dev *d, const char *type, unsigned int devid)
{
	char *be;

	snprintf(d->fe, sizeof(d->fe), "/local/domain/%u/device/%s/%u",
		 d->domid, type, devid);
	be = xa_read(d, "%s/backend", d->fe);
	if (!be) {
		xa_log("no %s/backend: is device %s/%u attached?", d->fe, type,
		       devid);
		return -1;
	}
	snprintf(d->be, sizeof(d->be), "%s", be);
	free(be);
	d->backend_id = xa_read_num(d, 0, "%s/backend-id", d->fe);
	return 0;
}

int xa_dev_open(struct xa_dev *d, const char *type, unsigned int devid)
{
	memset(d, 0, sizeof(*d));
	d->xs = xs_open(0);
	if (!d->xs) {
		xa_log("xs_open: %s", strerror(errno));
		return -1;
	}
	d->domid = xa_read_num(d, -1, "domid");
	if ((int)d->domid < 0) {
		xa_log("cannot read our domid from xenstore");
		return -1;
	}
	if (xa_dev_find(d, type, devid))
		return -1;
	d->gs = xengntshr_open(NULL, 0);
	if (!d->gs) {
		xa_log("xengntshr_open (is xen-gntalloc loaded?): %s",
		       strerror(errno));
		return -1;
	}
	d->xce = xenevtchn_open(NULL, 0);
	if (!d->xce) {
		xa_log("xenevtchn_open (is xen-evtchn loaded?): %s",
		       strerror(errno));
		return -1;
	}
	return 0;
}

void xa_dev_close(struct xa_dev *d)
{
	if (d->xce)
		xenevtchn_close(d->xce);
	if (d->gs)
		xengntshr_close(d->gs);
	if (d->xs)
		xs_close(d->xs);
	memset(d, 0, sizeof(*d));
}

/* --- grants and event channels ------------------------------------------ */

int xa_grant_alloc(struct xa_dev *d, struct xa_grant *g, unsigned int count,
		   bool writable)
{
	memset(g, 0, sizeof(*g));
	if (count > ARRAY_SIZE(g->refs))
		return -1;
	g->addr = xengntshr_share_pages(d->gs, d->backend_id, count, g->refs,
					writable);
	if (!g->addr) {
		xa_log("sharing %u pages: %s", count, strerror(errno));
		return -1;
	}
	g->count = count;
	g->writable = writable;
	memset(g->addr, 0, (size_t)count * XA_PAGE_SIZE);
	return 0;
}

/*
 * Revoke the grants (gntalloc ends foreign access when the pages are
 * unmapped; a page the backend still maps stays allocated until it lets go).
 */
void xa_grant_free(struct xa_dev *d, struct xa_grant *g)
{
	if (g->addr)
		xengntshr_unshare(d->gs, g->addr, g->count);
	memset(g, 0, sizeof(*g));
}

int xa_evtchn_alloc(struct xa_dev *d, evtchn_port_t *local)
{
	xenevtchn_port_or_error_t p;

	p = xenevtchn_bind_unbound_port(d->xce, d->backend_id);
	if (p < 0) {
		xa_log("allocating an event channel: %s", strerror(errno));
		return -1;
	}
	*local = p;
	return 0;
}

void xa_evtchn_free(struct xa_dev *d, evtchn_port_t local)
{
	xenevtchn_unbind(d->xce, local);
}

/* Wait up to @timeout_ms for an event; 1 if one came, 0 if not. */
int xa_evtchn_wait(struct xa_dev *d, int timeout_ms)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(d->xce), .events = POLLIN };
	xenevtchn_port_or_error_t p;

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return 0;
	p = xenevtchn_pending(d->xce);
	if (p >= 0)
		xenevtchn_unmask(d->xce, p);
	return 1;
}

/* --- the double-fetch modes' second thread ------------------------------ */

static void *xa_rewriter_main(void *arg)
{
	struct xa_rewriter *r = arg;

	while (r->run != 2) {
		if (r->run != 1) {
			xa_msleep(1);
			continue;
		}
		pthread_mutex_lock(&r->lock);
		if (r->run == 1)
			r->pass(r->arg);
		pthread_mutex_unlock(&r->lock);
	}
	return NULL;
}

/* Start the thread, paused; 0 or -1. */
int xa_rewriter_start(struct xa_rewriter *r, void (*pass)(void *arg), void *arg)
{
	memset(r, 0, sizeof(*r));
	r->pass = pass;
	r->arg = arg;
	pthread_mutex_init(&r->lock, NULL);
	if (pthread_create(&r->thread, NULL, xa_rewriter_main, r)) {
		xa_log("pthread_create failed");
		return -1;
	}
	return 0;
}

void xa_rewriter_go(struct xa_rewriter *r)
{
	r->run = 1;
}

/* Once this returns, no pass runs until xa_rewriter_go(). */
void xa_rewriter_pause(struct xa_rewriter *r)
{
	r->run = 0;
	pthread_mutex_lock(&r->lock);
	pthread_mutex_unlock(&r->lock);
}

void xa_rewriter_stop(struct xa_rewriter *r)
{
	r->run = 2;
	pthread_join(r->thread, NULL);
	pthread_mutex_destroy(&r->lock);
}

/*
 * With --sync: report @tag to dom0 ("@@xenaccel sync-TAG") and wait until
 * dom0 writes TAG to our data/xafront-ack, calling @busy meanwhile (to
 * keep an attack going while dom0 measures). Without --sync, call @busy
 * for a few seconds instead.
 */
int xa_sync_point(struct xa_dev *d, const char *tag, xa_busy_fn busy,
		  void *arg)
{
	uint64_t end, next = 0;
	char *ack;

	if (!xa_sync) {
		end = xa_now_ms() + 3000;
		while (busy && xa_now_ms() < end)
			busy(arg);
		return 0;
	}
	xa_say("sync-%s", tag);
	end = xa_now_ms() + 600 * 1000;
	while (xa_now_ms() < end) {
		if (xa_now_ms() >= next) {
			ack = xa_read(d, "/local/domain/%u/data/xafront-ack",
				      d->domid);
			if (ack && !strcmp(ack, tag)) {
				free(ack);
				return 0;
			}
			free(ack);
			next = xa_now_ms() + 100;
		}
		if (busy)
			busy(arg);
		else
			xa_msleep(20);
	}
	xa_log("dom0 did not acknowledge %s", tag);
	return -1;
}

/* --- main ------------------------------------------------------------- */

static int usage(void)
{
	fprintf(stderr,
		"usage: xafront blk [OPTIONS] MODE...   drive a vbd (see blk.c)\n"
		"       xafront net [OPTIONS] MODE...   drive a vif (see net.c)\n"
		"       xafront xs-read PATH            print a xenstore value\n"
		"       xafront xs-write PATH VALUE\n"
		"       xafront selftest                check request layouts\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct xs_handle *xs;
	unsigned int len;
	char *v;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "blk"))
		return xa_blk_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "net"))
		return xa_net_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "selftest"))
		return xa_selftest();
	if (!strcmp(argv[1], "xs-read") && argc == 3) {
		xs = xs_open(0);
		v = xs ? xs_read(xs, XBT_NULL, argv[2], &len) : NULL;
		if (!v)
			return 1;
		printf("%s\n", v);
		return 0;
	}
	if (!strcmp(argv[1], "xs-write") && argc == 4) {
		xs = xs_open(0);
		return !(xs && xs_write(xs, XBT_NULL, argv[2], argv[3],
					strlen(argv[3])));
	}
	return usage();
}
