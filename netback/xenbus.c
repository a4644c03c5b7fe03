// SPDX-License-Identifier: GPL-2.0
/*
 * xenaccel_netback: the Xen network backend ("vif"), xenbus side: probing,
 * the toolstack's keys and hotplug scripts, negotiation with the frontend,
 * connecting and disconnecting its queues and control ring.
 *
 * The keys, their meaning and the state machine are those of in-tree
 * xen-netback, so toolstacks and frontends cannot tell the two apart.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/kconfig.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <xen/xenbus.h>

#include <xenaccel/backend.h>
#include "common.h"

struct xa_netbk {
	struct xenbus_device *dev;
	struct xa_vif *vif;
	/*
	 * The state we are in, as far as the frontend should know: the
	 * switch is held back while the hotplug script has not reported
	 * (see xa_netbk_switch_state()).
	 */
	enum xenbus_state state;
	const char *hotplug_script;
	struct xenbus_watch hotplug_status_watch;
	bool hotplug_status_watching;
	struct xenbus_watch rate_watch;		/* our "rate" key */
	bool rate_watching;
	struct xenbus_watch mcast_watch;	/* request-multicast-control */
	bool mcast_watching;
};

static void xa_netbk_unwatch(struct xenbus_watch *watch, bool *watching)
{
	if (!*watching)
		return;
	unregister_xenbus_watch(watch);
	kfree(watch->node);
	watch->node = NULL;
	*watching = false;
}

/*
 * Switch to @state, unless a hotplug script is still attaching the
 * interface (to a bridge, say): then the switch happens when it reports,
 * so the frontend never sends before the interface is plumbed.
 */
static void xa_netbk_switch_state(struct xa_netbk *be, enum xenbus_state state)
{
	be->state = state;
	if (!be->hotplug_status_watching)
		xenbus_switch_state(be->dev, state);
}

static void xa_netbk_hotplug_status_changed(struct xenbus_watch *watch,
					    const char *path, const char *token)
{
	struct xa_netbk *be = container_of(watch, struct xa_netbk,
					   hotplug_status_watch);
	unsigned int len;
	char *str;

	str = xenbus_read(XBT_NIL, be->dev->nodename, "hotplug-status", &len);
	if (IS_ERR(str))
		return;
	if (len == strlen("connected") && !memcmp(str, "connected", len)) {
		/* The script is done: make the switch it held back. */
		xenbus_switch_state(be->dev, be->state);
		xa_netbk_unwatch(&be->hotplug_status_watch,
				 &be->hotplug_status_watching);
	}
	kfree(str);
}

static void xa_netbk_rate_changed(struct xenbus_watch *watch,
				  const char *path, const char *token);

static void xa_netbk_read_rate(struct xenbus_device *dev,
			       unsigned long *bytes, unsigned long *usec)
{
	char *s = xenbus_read(XBT_NIL, dev->nodename, "rate", NULL);

	/* Unlimited, unless the key says otherwise. */
	*bytes = ULONG_MAX;
	*usec = 0;
	if (IS_ERR(s))
		return;
	if (!xa_vif_parse_rate(s, bytes, usec)) {
		pr_warn("%s: cannot parse rate \"%s\": traffic unlimited\n",
			dev->nodename, s);
		*bytes = ULONG_MAX;
		*usec = 0;
	}
	kfree(s);
}

/*
 * The MTU the toolstack gives the vif: libxl writes "mtu" into our
 * directory (the vif's mtu= setting, when it is not the default 1500)
 * before the device appears. It is applied when the vif is created, so the hotplug
 * script finds it in place, and again at each connect, where a frontend
 * without scatter-gather limits it to one page. With no key the MTU is
 * left alone: the hotplug script's (the bridge's) or the administrator's.
 */
static void xa_netbk_read_mtu(struct xa_netbk *be)
{
	struct net_device *dev = be->vif->dev;
	const char *node = be->dev->nodename;
	unsigned int max, mtu = 0;
	char *s;
	int err;

	s = xenbus_read(XBT_NIL, node, "mtu", NULL);
	if (IS_ERR(s))
		return;
	max = be->vif->can_sg ? dev->max_mtu : ETH_DATA_LEN;
	switch (xa_vif_parse_mtu(s, dev->min_mtu, max, &mtu)) {
	case XA_VIF_MTU_BAD:
		pr_warn_ratelimited("%s: refusing mtu \"%*pE\" (not a number from %u to %u): keeping %u\n",
				    node, (int)min_t(size_t, strlen(s), 32), s,
				    dev->min_mtu, max, dev->mtu);
		goto out;
	case XA_VIF_MTU_CLAMPED:
		pr_warn_ratelimited("%s: mtu \"%*pE\" is over %u: using %u\n",
				    node, (int)min_t(size_t, strlen(s), 32), s,
				    max, mtu);
		break;
	case XA_VIF_MTU_OK:
		break;
	}
	rtnl_lock();
	err = dev_set_mtu(dev, mtu);
	rtnl_unlock();
	if (err)
		pr_warn_ratelimited("%s: setting mtu %u: error %d\n", node, mtu,
				    err);
out:
	kfree(s);
}

static void xa_netbk_rate_changed(struct xenbus_watch *watch,
				  const char *path, const char *token)
{
	struct xa_netbk *be = container_of(watch, struct xa_netbk, rate_watch);
	struct xa_vif *vif = be->vif;
	unsigned long bytes, usec;
	unsigned int i;

	xa_netbk_read_rate(be->dev, &bytes, &usec);
	/* Queues change only on this (the xenbus) thread. */
	for (i = 0; i < vif->num_queues; i++) {
		struct xa_vif_queue *queue = &vif->queues[i];

		/*
		 * NAPI reads these as it goes: a poll that sees the old
		 * window with the new rate is harmless, as in-tree.
		 */
		WRITE_ONCE(queue->credit.bytes, bytes);
		WRITE_ONCE(queue->credit.window, usecs_to_jiffies(usec));
		xa_vif_tx_kick(queue);
	}
}

static void xa_netbk_mcast_changed(struct xenbus_watch *watch,
				   const char *path, const char *token)
{
	struct xa_netbk *be = container_of(watch, struct xa_netbk, mcast_watch);

	WRITE_ONCE(be->vif->multicast_control,
		   !!xenbus_read_unsigned(be->dev->otherend,
					  "request-multicast-control", 0));
}

static void xa_netbk_watch_keys(struct xa_netbk *be)
{
	struct xenbus_device *dev = be->dev;

	xa_netbk_unwatch(&be->rate_watch, &be->rate_watching);
	xa_netbk_unwatch(&be->mcast_watch, &be->mcast_watching);
	if (!xenbus_watch_pathfmt(dev, &be->rate_watch, NULL,
				  xa_netbk_rate_changed, "%s/rate",
				  dev->nodename))
		be->rate_watching = true;
	if (!xenbus_watch_pathfmt(dev, &be->mcast_watch, NULL,
				  xa_netbk_mcast_changed,
				  "%s/request-multicast-control", dev->otherend))
		be->mcast_watching = true;
}

/* Tear down what connect set up; the vif and its net_device stay. */
static void xa_netbk_disconnect(struct xa_netbk *be)
{
	struct xa_vif *vif = be->vif;
	struct xa_vif_queue *queues = vif->queues;
	unsigned int i, n = vif->num_queues;

	xa_netbk_unwatch(&be->rate_watch, &be->rate_watching);
	xa_netbk_unwatch(&be->mcast_watch, &be->mcast_watching);
	xa_vif_carrier_off(vif);

	/* The stack's transmit path and statistics readers see no queues... */
	WRITE_ONCE(vif->num_queues, 0);
	/* ...once those that still may have finished. */
	synchronize_net();
	/*
	 * Packets queued for the guest may hold guest-TX pages mapped by
	 * any of these queues, whose disconnect waits for them, and each
	 * queue's thread may send the others' packets: stop and drop the
	 * guest RX of every queue first.
	 */
	for (i = 0; i < n; i++)
		xa_vif_rx_stop(&queues[i]);
	for (i = 0; i < n; i++) {
		xa_vif_disconnect_queue(&queues[i]);
		xa_vif_stats_add(&vif->closed_stats, &queues[i].stats);
	}
	vif->queues = NULL;
	vfree(queues);
	xa_vif_disconnect_ctrl(vif);
	xa_vif_mcast_flush(vif);
	/* Nothing left can call xa_vif_fatal(): let a pending call finish. */
	cancel_work_sync(&vif->fatal_work);
}

static int xa_netbk_read_mac(struct xenbus_device *dev, u8 *mac)
{
	char *s = xenbus_read(XBT_NIL, dev->nodename, "mac", NULL);
	int err = 0, end = 0;

	if (IS_ERR(s))
		return PTR_ERR(s);
	if (sscanf(s, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%n", &mac[0], &mac[1],
		   &mac[2], &mac[3], &mac[4], &mac[5], &end) != ETH_ALEN || s[end])
		err = -EINVAL;
	kfree(s);
	return err;
}

/**
 * xa_netbk_refuse - close the device on the frontend's account
 * @dev: the device
 * @err: the error, for the log line and the error node
 * @fmt: what was wrong
 *
 * xenbus_dev_fatal() with its log line rate-limited: a frontend that
 * offers what we refuse, again and again, must not flood dom0's log. The
 * toolstack still finds the reason where xenbus_dev_fatal() puts it,
 * under error/ in xenstore.
 */
void xa_netbk_refuse(struct xenbus_device *dev, int err, const char *fmt, ...)
{
	char *msg, *dir;
	va_list ap;

	va_start(ap, fmt);
	msg = kvasprintf(GFP_KERNEL, fmt, ap);
	va_end(ap);
	if (msg) {
		dev_warn_ratelimited(&dev->dev, "%i %s\n", -err, msg);
		dir = kasprintf(GFP_KERNEL, "error/%s", dev->nodename);
		if (dir)
			xenbus_printf(XBT_NIL, dir, "error", "%i %s", -err, msg);
		kfree(dir);
	}
	kfree(msg);
	xenbus_switch_state(dev, XenbusStateClosing);
}

/* The headroom the frontend's XDP program asks for, if we offer it. */
static void xa_netbk_read_xdp_headroom(struct xa_netbk *be)
{
	unsigned int headroom = 0;

	if (xa_vif_xdp_headroom)
		headroom = xenbus_read_unsigned(be->dev->otherend,
						"xdp-headroom", 0);
	/* netif.h allows up to 0x7fff; data must still fit after it. */
	WRITE_ONCE(be->vif->xdp_headroom,
		   min_t(unsigned int, headroom, XEN_PAGE_SIZE / 2));
}

/* What the frontend offers; false if it cannot be served. */
static bool xa_netbk_read_features(struct xa_netbk *be)
{
	struct xenbus_device *dev = be->dev;
	struct xa_vif *vif = be->vif;
	u32 rx_copy = 0;

	/* Malformed feature flags below read as absent, as in-tree reads them. */
	if (xenaccel_read_u32(dev->otherend, "request-rx-copy", &rx_copy) || !rx_copy) {
		xa_netbk_refuse(dev, -EOPNOTSUPP,
				"frontend does not request rx-copy, the only receive mode");
		return false;
	}
	vif->rx_notify = xenbus_read_unsigned(dev->otherend, "feature-rx-notify", 0);
	if (vif->rx_notify) {
		vif->stall_timeout = msecs_to_jiffies(xa_vif_stall_timeout_ms);
		vif->drain_timeout = msecs_to_jiffies(xa_vif_drain_timeout_ms);
	} else {
		/* No events for new rx requests: poll, and no stall detection. */
		vif->stall_timeout = 0;
		vif->drain_timeout = msecs_to_jiffies(30);
	}
	vif->can_sg = !!xenbus_read_unsigned(dev->otherend, "feature-sg", 0);
	vif->gso_mask = 0;
	if (xenbus_read_unsigned(dev->otherend, "feature-gso-tcpv4", 0))
		vif->gso_mask |= BIT(XEN_NETIF_GSO_TYPE_TCPV4);
	if (xenbus_read_unsigned(dev->otherend, "feature-gso-tcpv6", 0))
		vif->gso_mask |= BIT(XEN_NETIF_GSO_TYPE_TCPV6);
	vif->ip_csum = !xenbus_read_unsigned(dev->otherend,
					     "feature-no-csum-offload", 0);
	vif->ipv6_csum = !!xenbus_read_unsigned(dev->otherend,
						"feature-ipv6-csum-offload", 0);
	vif->multicast_control = !!xenbus_read_unsigned(dev->otherend,
							"request-multicast-control", 0);
	xa_netbk_read_xdp_headroom(be);
	return true;
}

static int xa_netbk_connect_ctrl(struct xa_netbk *be, unsigned int nr_queues)
{
	struct xenbus_device *dev = be->dev;
	u32 ref, evtchn;
	int err;

	err = xenaccel_read_u32(dev->otherend, "ctrl-ring-ref", &ref);
	if (err == -ENOENT)
		return 0;	/* the frontend has no control ring */
	if (err) {
		xa_netbk_refuse(dev, err, "reading %s/ctrl-ring-ref", dev->otherend);
		return err;
	}
	err = xenaccel_read_u32(dev->otherend, "event-channel-ctrl", &evtchn);
	if (err) {
		xa_netbk_refuse(dev, err, "reading %s/event-channel-ctrl",
				dev->otherend);
		return err;
	}
	err = xa_vif_connect_ctrl(be->vif, ref, evtchn, nr_queues);
	if (err)
		xa_netbk_refuse(dev, err, "mapping control ring %u port %u",
				ref, evtchn);
	return err;
}

/* Map one queue's rings and bind its event channels, from @dir's keys. */
static int xa_netbk_connect_queue(struct xa_netbk *be,
				  struct xa_vif_queue *queue, const char *dir)
{
	struct xenbus_device *dev = be->dev;
	u32 tx_ref, rx_ref, tx_evtchn, rx_evtchn;
	int err;

	if (xenaccel_read_u32(dir, "tx-ring-ref", &tx_ref) ||
	    xenaccel_read_u32(dir, "rx-ring-ref", &rx_ref)) {
		xa_netbk_refuse(dev, -EINVAL, "reading %s/{tx,rx}-ring-ref", dir);
		return -EINVAL;
	}
	/* Split event channels if the frontend made them, else one. */
	if (xenaccel_read_u32(dir, "event-channel-tx", &tx_evtchn) ||
	    xenaccel_read_u32(dir, "event-channel-rx", &rx_evtchn)) {
		if (xenaccel_read_u32(dir, "event-channel", &tx_evtchn)) {
			xa_netbk_refuse(dev, -EINVAL,
					"reading %s/event-channel(-tx/rx)", dir);
			return -EINVAL;
		}
		rx_evtchn = tx_evtchn;
	}
	err = xa_vif_connect_queue(queue, tx_ref, rx_ref, tx_evtchn, rx_evtchn);
	if (err)
		xa_netbk_refuse(dev, err,
				"mapping rings %u/%u, ports tx %u rx %u",
				tx_ref, rx_ref, tx_evtchn, rx_evtchn);
	return err;
}

static int xa_netbk_connect_queues(struct xa_netbk *be, unsigned int nr)
{
	struct xa_vif *vif = be->vif;
	struct xa_vif_queue *queues;
	unsigned long bytes, usec;
	unsigned int i;
	int err = 0;

	queues = vzalloc(array_size(nr, sizeof(*queues)));
	if (!queues)
		return -ENOMEM;
	xa_netbk_read_rate(be->dev, &bytes, &usec);
	for (i = 0; i < nr; i++) {
		struct xa_vif_queue *queue = &queues[i];
		char *dir;

		queue->vif = vif;
		queue->id = i;
		queue->credit.bytes = bytes;
		queue->credit.remaining = bytes;
		queue->credit.window = usecs_to_jiffies(usec);
		queue->credit.window_start = jiffies;
		/* One queue: its keys are at the top; else under queue-N. */
		if (nr == 1)
			dir = kstrdup(be->dev->otherend, GFP_KERNEL);
		else
			dir = kasprintf(GFP_KERNEL, "%s/queue-%u",
					be->dev->otherend, i);
		if (!dir) {
			err = -ENOMEM;
			break;
		}
		err = xa_netbk_connect_queue(be, queue, dir);
		kfree(dir);
		if (err)
			break;
	}
	if (err) {
		/* Queue i cleaned up after itself. */
		while (i--)
			xa_vif_disconnect_queue(&queues[i]);
		vfree(queues);
		return err;
	}
	vif->queues = queues;
	/* The queues are complete before anyone sees the count. */
	smp_store_release(&vif->num_queues, nr);
	return 0;
}

static int xa_netbk_connect(struct xa_netbk *be)
{
	struct xenbus_device *dev = be->dev;
	struct xa_vif *vif = be->vif;
	u32 nr = 1;
	int err;

	err = xenaccel_read_u32(dev->otherend, "multi-queue-num-queues", &nr);
	if (err && err != -ENOENT) {
		xa_netbk_refuse(dev, err, "reading %s/multi-queue-num-queues",
				dev->otherend);
		return err;
	}
	if (nr == 0 || nr > vif->max_queues) {
		xa_netbk_refuse(dev, -EINVAL, "%u queues requested, at most %u",
				nr, vif->max_queues);
		return -EINVAL;
	}
	err = xa_netbk_read_mac(dev, vif->fe_mac);
	if (err) {
		xa_netbk_refuse(dev, err, "parsing %s/mac", dev->nodename);
		return err;
	}
	if (!xa_netbk_read_features(be))
		return -EOPNOTSUPP;
	clear_bit(XA_VIF_DISABLED, &vif->flags);
	xa_netbk_read_mtu(be);

	err = xa_netbk_connect_ctrl(be, nr);
	if (err)
		return err;
	err = xa_netbk_connect_queues(be, nr);
	if (err) {
		if (err == -ENOMEM)
			xa_netbk_refuse(dev, err, "allocating queues");
		xa_vif_disconnect_ctrl(vif);
		return err;
	}
	xa_netbk_watch_keys(be);
	xa_vif_carrier_on(vif, nr);
	/* A frontend can connect again and again: rate-limited. */
	pr_info_ratelimited("%s: connected: %u queue(s), mtu %u, %s event channels, sg %s, gso%s%s, csum%s%s%s\n",
			    netdev_name(vif->dev), nr, vif->dev->mtu,
			    vif->queues[0].tx_irq == vif->queues[0].rx_irq ? "shared" : "split",
			    vif->can_sg ? "on" : "off",
			    vif->gso_mask & BIT(XEN_NETIF_GSO_TYPE_TCPV4) ? " tcpv4" : "",
			    vif->gso_mask & BIT(XEN_NETIF_GSO_TYPE_TCPV6) ? " tcpv6" : "",
			    vif->ip_csum ? " ipv4" : "", vif->ipv6_csum ? " ipv6" : "",
			    vif->ctrl_irq ? ", control ring" : "");

	/* Hold the switch to Connected until the hotplug script is done. */
	xa_netbk_unwatch(&be->hotplug_status_watch, &be->hotplug_status_watching);
	if (!xenbus_watch_pathfmt(dev, &be->hotplug_status_watch, NULL,
				  xa_netbk_hotplug_status_changed,
				  "%s/hotplug-status", dev->nodename))
		be->hotplug_status_watching = true;
	return 0;
}

/*
 * Move to @target by the shortest way the protocol allows:
 *
 *	Initialising -> InitWait -> Connected
 *	      |            |            |
 *	      v            v            v
 *	    Closed <---> Closing <------+
 */
static void xa_netbk_set_state(struct xa_netbk *be, enum xenbus_state target)
{
	while (be->state != target) {
		enum xenbus_state next;

		switch (be->state) {
		case XenbusStateInitialising:
			next = target == XenbusStateClosed ? XenbusStateClosed :
							     XenbusStateInitWait;
			break;
		case XenbusStateClosed:
			next = target == XenbusStateClosing ? XenbusStateClosing :
							      XenbusStateInitWait;
			break;
		case XenbusStateInitWait:
			next = XenbusStateClosing;
			if (target == XenbusStateConnected) {
				if (xa_netbk_connect(be)) {
					/* Reported; xa_netbk_refuse() closed us. */
					be->state = XenbusStateClosing;
					return;
				}
				next = XenbusStateConnected;
			}
			break;
		case XenbusStateConnected:
			xa_netbk_disconnect(be);
			next = XenbusStateClosing;
			break;
		case XenbusStateClosing:
			next = XenbusStateClosed;
			break;
		default:
			WARN_ONCE(1, "backend in state %d\n", be->state);
			return;
		}
		xa_netbk_switch_state(be, next);
	}
}

static void xa_netbk_frontend_changed(struct xenbus_device *dev,
				      enum xenbus_state frontend_state)
{
	struct xa_netbk *be = dev_get_drvdata(&dev->dev);

	switch (frontend_state) {
	case XenbusStateInitialising:
		xa_netbk_set_state(be, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
		break;
	case XenbusStateConnected:
		xa_netbk_set_state(be, XenbusStateConnected);
		break;
	case XenbusStateReconfiguring:
		/* netfront changes its XDP headroom this way. */
		xa_netbk_read_xdp_headroom(be);
		xenbus_switch_state(dev, XenbusStateReconfigured);
		break;
	case XenbusStateClosing:
		xa_netbk_set_state(be, XenbusStateClosing);
		break;
	case XenbusStateClosed:
		xa_netbk_set_state(be, XenbusStateClosed);
		if (xenbus_dev_is_online(dev))
			break;
		fallthrough;
	case XenbusStateUnknown:
		/* The frontend is gone (xl destroy): remove() cleans up. */
		xa_netbk_set_state(be, XenbusStateClosed);
		device_unregister(&dev->dev);
		break;
	default:
		xa_netbk_refuse(dev, -EINVAL, "frontend in unknown state %d",
				frontend_state);
		break;
	}
}

/* The hotplug scripts' environment, as in-tree netback gives it. */
static int xa_netbk_uevent(XENACCEL_XENBUS_UEVENT_CONST struct xenbus_device *dev,
			   struct kobj_uevent_env *env)
{
	struct xa_netbk *be = dev_get_drvdata(&dev->dev);

	if (!be)
		return 0;
	if (add_uevent_var(env, "script=%s", be->hotplug_script))
		return -ENOMEM;
	if (!be->vif)
		return 0;
	return add_uevent_var(env, "vif=%s", be->vif->dev->name);
}

static void xa_netbk_remove(struct xenbus_device *dev)
{
	struct xa_netbk *be = dev_get_drvdata(&dev->dev);

	xa_netbk_unwatch(&be->hotplug_status_watch, &be->hotplug_status_watching);
	xenbus_rm(XBT_NIL, dev->nodename, "hotplug-status");
	if (be->vif) {
		kobject_uevent(&dev->dev.kobj, KOBJ_OFFLINE);
		xa_netbk_disconnect(be);
		xa_vif_free(be->vif);
		be->vif = NULL;
	}
	kfree(be->hotplug_script);
	dev_set_drvdata(&dev->dev, NULL);
	kfree(be);
}

XENACCEL_DEFINE_XENBUS_REMOVE(xa_netbk_remove)

/*
 * Queues to offer a new vif: the parameter may change at any time, and
 * each vif keeps what it offered.
 */
static unsigned int xa_netbk_max_queues(void)
{
	unsigned int n = READ_ONCE(xa_vif_max_queues);

	if (!n)
		n = min_t(unsigned int, num_online_cpus(), 8);
	return min_t(unsigned int, n, XA_VIF_MAX_QUEUES);
}

/* What we offer, written before the frontend looks. */
static int xa_netbk_write_features(struct xenbus_device *dev,
				   unsigned int max_queues)
{
	struct xenbus_transaction xbt;
	int err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		return err;
	err = xenbus_printf(xbt, dev->nodename, "feature-sg", "%d", 1);
	err = err ?: xenbus_printf(xbt, dev->nodename, "feature-gso-tcpv4", "%d", 1);
	err = err ?: xenbus_printf(xbt, dev->nodename, "feature-gso-tcpv6", "%d", 1);
	/* Partial checksums of IPv6 packets are set up here too. */
	err = err ?: xenbus_printf(xbt, dev->nodename,
				   "feature-ipv6-csum-offload", "%d", 1);
	err = err ?: xenbus_printf(xbt, dev->nodename, "feature-rx-copy", "%d", 1);
	/* Page flipping is long gone, in-tree too. */
	err = err ?: xenbus_printf(xbt, dev->nodename, "feature-rx-flip", "%d", 0);
	err = err ?: xenbus_printf(xbt, dev->nodename, "feature-xdp-headroom",
				   "%d", xa_vif_xdp_headroom);
	err = err ?: xenbus_printf(xbt, dev->nodename,
				   "feature-multicast-control", "%d", 1);
	err = err ?: xenbus_printf(xbt, dev->nodename,
				   "feature-dynamic-multicast-control", "%d", 1);
	err = err ?: xenbus_printf(xbt, dev->nodename,
				   "feature-split-event-channels", "%u",
				   xa_vif_split_evtchn);
	err = err ?: xenbus_printf(xbt, dev->nodename, "multi-queue-max-queues",
				   "%u", max_queues);
	err = err ?: xenbus_printf(xbt, dev->nodename, "feature-ctrl-ring",
				   "%u", 1);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		return err;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	return err;
}

static int xa_netbk_probe(struct xenbus_device *dev,
			  const struct xenbus_device_id *id)
{
	unsigned int handle, max_queues = xa_netbk_max_queues();
	struct xa_netbk *be;
	const char *script;
	int err;

	be = kzalloc(sizeof(*be), GFP_KERNEL);
	if (!be) {
		xenbus_dev_fatal(dev, -ENOMEM, "allocating backend structure");
		return -ENOMEM;
	}
	be->dev = dev;
	dev_set_drvdata(&dev->dev, be);

	err = xa_netbk_write_features(dev, max_queues);
	if (err) {
		xenbus_dev_fatal(dev, err, "writing backend features");
		goto fail;
	}
	xa_netbk_switch_state(be, XenbusStateInitWait);

	script = xenbus_read(XBT_NIL, dev->nodename, "script", NULL);
	if (IS_ERR(script)) {
		err = PTR_ERR(script);
		xenbus_dev_fatal(dev, err, "reading script");
		goto fail;
	}
	be->hotplug_script = script;

	if (xenbus_scanf(XBT_NIL, dev->nodename, "handle", "%u", &handle) != 1) {
		err = -EINVAL;
		xenbus_dev_fatal(dev, err, "reading handle");
		goto fail;
	}
	be->vif = xa_vif_alloc(dev, handle, max_queues);
	if (IS_ERR(be->vif)) {
		err = PTR_ERR(be->vif);
		be->vif = NULL;
		xenbus_dev_fatal(dev, err, "creating interface");
		goto fail;
	}
	xa_netbk_read_mtu(be);
	/* Runs the hotplug scripts (with the environment above). */
	kobject_uevent(&dev->dev.kobj, KOBJ_ONLINE);
	return 0;
fail:
	xa_netbk_remove(dev);
	return err;
}

static const struct xenbus_device_id xa_netbk_ids[] = {
	{ "vif" },
	{ "" }
};

static struct xenbus_driver xa_netbk_driver = {
	/* Not "vif": in-tree xen-netback may be registered at the same time. */
	.name = "xenaccel_vif",
	.ids = xa_netbk_ids,
	.probe = xa_netbk_probe,
	.remove = XENACCEL_XENBUS_REMOVE(xa_netbk_remove),
	.uevent = xa_netbk_uevent,
	.otherend_changed = xa_netbk_frontend_changed,
	.allow_rebind = true,
};

static int __init xenaccel_netback_init(void)
{
	int err;

	err = xenaccel_backend_available("vif",
					 IS_BUILTIN(CONFIG_XEN_NETDEV_BACKEND));
	if (err)
		return err;
	err = xa_vif_selftest();
	if (err)
		return err;
	xa_vif_fatal_slots = clamp_t(unsigned int, xa_vif_fatal_slots,
				     XA_VIF_TX_DROP_SLOTS,
				     XA_VIF_TX_FATAL_SLOTS_MAX);
	xa_vif_debugfs_init();
	err = xenbus_register_backend(&xa_netbk_driver);
	if (err)
		xa_vif_debugfs_exit();
	return err;
}

static void __exit xenaccel_netback_exit(void)
{
	xenbus_unregister_driver(&xa_netbk_driver);
	xa_vif_debugfs_exit();
}

module_init(xenaccel_netback_init);
module_exit(xenaccel_netback_exit);

MODULE_DESCRIPTION("xenaccel: Xen PV network backend");
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The xenaccel developers");
MODULE_SOFTDEP("pre: xenaccel_core");
