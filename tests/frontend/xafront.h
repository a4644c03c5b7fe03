/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xafront: a user-space Xen PV frontend for testing backends (see README).
 * Shared declarations of the plumbing (xafront.c) and the protocols (blk.c).
 */
#ifndef XAFRONT_H
#define XAFRONT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The current interface; ring.h wants barriers from its includer (x86: TSO). */
#define __XEN_TOOLS__ 1
#define xen_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb()	__atomic_signal_fence(__ATOMIC_SEQ_CST)
#define xen_wmb()	__atomic_signal_fence(__ATOMIC_SEQ_CST)

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/io/ring.h>
#include <xen/io/blkif.h>
#include <xen/io/xenbus.h>
#include <xen/io/protocols.h>

#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#define XA_PAGE_SIZE	4096u
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* One frontend device directory and the backend serving it. */
struct xa_dev {
	struct xs_handle *xs;
	xengntshr_handle *gs;
	xenevtchn_handle *xce;
	unsigned int domid;		/* ours */
	unsigned int backend_id;	/* the backend's domain */
	char fe[128];			/* /local/domain/D/device/TYPE/N */
	char be[128];			/* the backend's directory */
};

/* Pages granted to the backend with xengntshr. */
struct xa_grant {
	void *addr;
	unsigned int count;
	uint32_t refs[64];
	bool writable;
};

/* Logging: to stderr, and "@@xenaccel ..." lines for the rig on stdout. */
void xa_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xa_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern bool xa_verbose;

/* xenstore */
char *xa_read(struct xa_dev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
long long xa_read_num(struct xa_dev *d, long long def, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool xa_write(struct xa_dev *d, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool xa_rm(struct xa_dev *d, const char *path);
int xa_be_state(struct xa_dev *d);
int xa_fe_state(struct xa_dev *d);
bool xa_set_state(struct xa_dev *d, int state);
int xa_wait_be_state(struct xa_dev *d, unsigned int mask, int timeout_ms);
#define XA_ST(s)	(1u << (s))
int xa_msleep(int ms);
uint64_t xa_now_ms(void);

/* Open the handles and find the device; type is "vbd" or "vif". */
int xa_dev_open(struct xa_dev *d, const char *type, unsigned int devid);
int xa_dev_find(struct xa_dev *d, const char *type, unsigned int devid);
void xa_dev_close(struct xa_dev *d);

/* Grants */
int xa_grant_alloc(struct xa_dev *d, struct xa_grant *g, unsigned int count,
		   bool writable);
void xa_grant_free(struct xa_dev *d, struct xa_grant *g);
static inline void *xa_grant_page(struct xa_grant *g, unsigned int i)
{
	return (char *)g->addr + (size_t)i * XA_PAGE_SIZE;
}

/* Event channels */
int xa_evtchn_alloc(struct xa_dev *d, evtchn_port_t *local);
void xa_evtchn_free(struct xa_dev *d, evtchn_port_t local);
int xa_evtchn_wait(struct xa_dev *d, int timeout_ms);

/*
 * The double-fetch modes' second thread: it calls pass(arg) over and over
 * while running, each pass under the lock; a pass that loops checks
 * xa_rewriter_running() to stop early.
 */
struct xa_rewriter {
	void (*pass)(void *arg);
	void *arg;
	volatile int run;	/* 0 paused, 1 running, 2 exit */
	pthread_mutex_t lock;	/* held during a pass */
	pthread_t thread;
};

int xa_rewriter_start(struct xa_rewriter *r, void (*pass)(void *arg), void *arg);
void xa_rewriter_go(struct xa_rewriter *r);
void xa_rewriter_pause(struct xa_rewriter *r);
void xa_rewriter_stop(struct xa_rewriter *r);
static inline bool xa_rewriter_running(const struct xa_rewriter *r)
{
	return r->run == 1;
}

/* The rig's synchronisation with dom0 (--sync). */
extern bool xa_sync;
typedef void (*xa_busy_fn)(void *arg);
int xa_sync_point(struct xa_dev *d, const char *tag, xa_busy_fn busy,
		  void *arg);

/* Protocols */
int xa_blk_main(int argc, char **argv);
int xa_net_main(int argc, char **argv);
int xa_selftest(void);
int xa_net_selftest(void);

#endif
