# SPDX-License-Identifier: GPL-2.0
# about: vif lifecycle: guest shutdown after traffic, xl destroy under traffic both ways, network-detach under traffic both ways and network-attach while the guest runs, the guest unbinding and rebinding netfront (reconnect, carrier off in between; the toolstack's mtu=9000 on the vif and, with xenaccel, an absurd then a garbage "mtu" key at the reconnects, clamped then refused), a guest that stops taking packets losing its carrier and getting it back, a guest flooding another that is paused then destroyed (xenaccel: the sender's mapped pages, held by the receiver's vif, come back), xl save + restore under traffic both ways (the restored guest's new vif passes traffic), NET_CYCLES (default 20) network-attach/detach cycles with no growth of dom0 memory, ring mappings or xenstore nodes, unloading and reloading the backend with nothing connected; after each no backend device is left and, with xenaccel (which maps every guest-TX packet it can here, tx_map 2, or NET_TX_MAP), nothing held (debugfs xenaccel/netback/totals back to zero, mapped guest pages included)
# timeout: 1700
# timeout-per: NET_CYCLES 5 20

case $BACKEND in
intree) netback_mod=xen_netback ;;
*) netback_mod=xenaccel_netback ;;
esac

# xenaccel maps every guest-TX packet it can (tx_map 2; NET_TX_MAP sets
# another value, "default" leaves the module's), so each teardown below
# finds mapped pages in the stack: totals' tx_maps must reach 0 too.
tx_map=${NET_TX_MAP:-2}
if [ "$BACKEND" = xenaccel ]; then
	mapparam=/sys/module/$netback_mod/parameters/tx_map
	at_exit "echo $(cat "$mapparam") >$mapparam"
	[ "$tx_map" = default ] || echo "$tx_map" >"$mapparam"
	tx_map=$(cat "$mapparam")
fi

iperf3 -s -D --pidfile /run/nl-iperf3.pid
# shellcheck disable=SC2016 # expanded at exit
at_exit 'kill "$(cat /run/nl-iperf3.pid)"'

# nothing_left DOMID WHAT: the guest's vif backend devices and net_devices
# are gone and, with xenaccel, nothing is held.
nothing_left() {
	local t=0
	while compgen -G "/sys/bus/xen-backend/devices/vif-$1-*" >/dev/null ||
		compgen -G "/sys/class/net/vif$1.*" >/dev/null; do
		[ $t -lt 60 ] || fail "$2: vif of domain $1 still there after 60 s"
		sleep 1
		t=$((t + 1))
	done
	if [ "$BACKEND" = xenaccel ]; then
		until netback_held_zero; do
			[ $t -lt 90 ] || fail "$2: held after the vif went: $(netback_held)"
			sleep 1
			t=$((t + 1))
		done
	fi
	if [ "$BACKEND" = xenaccel ]; then
		summary "net-lifecycle $2: backend device gone, nothing held after $t s"
	else
		summary "net-lifecycle $2: backend device gone after $t s"
	fi
}

# vif_maps DOMID: guest-TX pages the vif has mapped (xenaccel).
vif_maps() {
	awk '$1 == "tx" && $2 == "maps" { n += $3 } END { print n + 0 }' \
		"/sys/kernel/debug/xenaccel/netback/vif$1.0/queues"
}

# carrier DOMID: the vif's carrier (0 or 1).
carrier() { cat "/sys/class/net/vif$1.0/carrier"; }
# wait_carrier DOMID VALUE SECONDS
wait_carrier() {
	local t=0
	until [ "$(carrier "$1" 2>/dev/null)" = "$2" ]; do
		[ $t -lt "$3" ] || return 1
		sleep 1
		t=$((t + 1))
	done
	echo "carrier $2 after $t s"
}

# vif_packets DOMID: packets the vif received and sent so far.
vif_packets() {
	echo $(($(cat "/sys/class/net/vif$1.0/statistics/rx_packets") +
		$(cat "/sys/class/net/vif$1.0/statistics/tx_packets")))
}

# listen_both_ways PORT_IN PORT_OUT: dom0's ends of a stream each way
# (the guest's streams_start): PORT_IN takes what the guest sends,
# PORT_OUT sends to it.  Their pids go to nc_pids.
nc_pids=()
# shellcheck disable=SC2016 # expanded at exit
at_exit 'kill "${nc_pids[@]}" 2>/dev/null'
listen_both_ways() {
	nc.openbsd -l -p "$1" </dev/null >/dev/null &
	nc_pids+=($!)
	nc.openbsd -l -p "$2" </dev/zero >/dev/null &
	nc_pids+=($!)
}
listeners_stop() {
	kill "${nc_pids[@]}" 2>/dev/null || true
	nc_pids=()
}

# traffic_flows DOMID SECONDS WHAT: the vif passes over 1000 packets in
# SECONDS, or WHAT fails.
traffic_flows() {
	local p0 p1
	p0=$(vif_packets "$1")
	sleep "$2"
	p1=$(vif_packets "$1")
	[ "$p1" -gt $((p0 + 1000)) ] ||
		fail "$3: the vif passed only $((p1 - p0)) packets in $2 s"
}

if [ "$BACKEND" = xenaccel ]; then
	netback_held_zero || fail "baseline: held before any guest: $(netback_held)"
	summary "net-lifecycle baseline: $(netback_held)"
fi

# 1. A clean shutdown after traffic both ways.
domid=$(guest_start nl-shutdown --vif <<'JOB'
modprobe xen-netfront
net_up
ping -c 3 -W 10 "$DOM0_IP" >/dev/null
iperf3 -c "$DOM0_IP" -t 3 -i 0 >/dev/null
iperf3 -c "$DOM0_IP" -t 3 -i 0 -R >/dev/null
JOB
)
guest_finish nl-shutdown 300 || fail "shutdown: guest job failed"
nothing_left "$domid" shutdown

# 2. xl destroy while streams run both ways, on two queues.
listen_both_ways 5001 5002
domid=$(guest_start nl-destroy --vif <<'JOB'
modprobe xen-netfront
net_up
ping -c 3 -W 10 "$DOM0_IP" >/dev/null
streams_start 5001 5002
say traffic
wait
JOB
)
guest_wait nl-destroy traffic 180 >/dev/null || fail "destroy: no traffic started"
traffic_flows "$domid" 8 destroy
[ "$BACKEND" != xenaccel ] || echo "held under traffic: $(netback_held)"
timeout 60 xl destroy nl-destroy || fail "destroy: xl destroy failed"
nothing_left "$domid" destroy-under-traffic
listeners_stop

# 3. Guest to guest: one guest floods another with UDP across xenbr0;
# the receiver is paused, so that its vif holds what the sender sends
# (with xenaccel's tx_map 2, mapped guest pages, up to the queue's cap).
# The sender stops, the receiver is destroyed: that drops what its vif
# held, so the sender's pages come back, and it still reaches dom0.
rx=$(guest_start nl-g2g-rx --vif <<'JOB'
modprobe xen-netfront
net_up
nc.openbsd -u -l -p 5007 >/dev/null &
say ready
wait
JOB
)
rx_ip=$(guest_ip nl-g2g-rx)
guest_wait nl-g2g-rx ready 180 >/dev/null || fail "g2g: receiver network not up"
tx=$(guest_start nl-g2g-tx --vif --env "PEER=$rx_ip" <<'JOB'
modprobe xen-netfront
net_up
ping -c 3 -W 10 "$PEER" >/dev/null
nc.openbsd -u "$PEER" 5007 </dev/zero >/dev/null 2>&1 &
flood=$!
say flooding
wait_dom0 stop
kill $flood 2>/dev/null || true
say stopped
wait_dom0 receiver-gone
ping -c 3 -W 10 "$DOM0_IP" >/dev/null
say pinged
JOB
)
guest_wait nl-g2g-tx flooding 180 >/dev/null || fail "g2g: sender not up"
traffic_flows "$rx" 5 g2g
timeout 60 xl pause nl-g2g-rx || fail "g2g: xl pause failed"
if [ "$BACKEND" = xenaccel ]; then
	t=0
	until [ "$(vif_maps "$tx")" -gt 0 ]; do
		[ $t -lt 20 ] || break
		sleep 0.5
		t=$((t + 1))
	done
	n=$(vif_maps "$tx")
	echo "g2g: receiver paused: the sender's vif maps $n pages; held: $(netback_held)"
	[ "$tx_map" != 2 ] || [ "$n" -gt 0 ] ||
		fail "g2g: no mapped page of the sender waited for the paused receiver"
fi
guest_signal "$tx" stop
guest_wait nl-g2g-tx stopped 60 >/dev/null || fail "g2g: the sender did not stop"
[ "$BACKEND" != xenaccel ] || echo "g2g: sender stopped: its vif maps $(vif_maps "$tx") pages"
timeout 60 xl destroy nl-g2g-rx || fail "g2g: xl destroy of the receiver failed"
if [ "$BACKEND" = xenaccel ]; then
	t=0
	until [ "$(vif_maps "$tx")" = 0 ]; do
		[ $t -lt 60 ] || fail "g2g: the sender's vif still maps $(vif_maps "$tx") pages 30 s after the receiver went"
		sleep 0.5
		t=$((t + 1))
	done
	summary "net-lifecycle g2g: the paused receiver's vif held $n of the sender's mapped pages; the receiver destroyed, they came back within $(((t + 1) / 2)) s; sender's vif: $(ethtool -S "vif$tx.0" | grep -E '^ +rx_(zerocopy_sent|zerocopy_success|zerocopy_fail|map_busy|map_errors):' | tr -s ' ' | tr '\n' ' ')"
fi
guest_signal "$tx" receiver-gone
guest_wait nl-g2g-tx pinged 60 >/dev/null || fail "g2g: the sender no longer reaches dom0"
guest_finish nl-g2g-tx 60 || fail "g2g: sender job failed"
nothing_left "$tx" g2g-sender
nothing_left "$rx" g2g-receiver

# 4. Detach the vif from a running guest while streams run both ways,
# then attach a new one.
listen_both_ways 5003 5004
domid=$(guest_start nl-hotplug --vif <<'JOB'
modprobe xen-netfront
net_up
ping -c 3 -W 10 "$DOM0_IP" >/dev/null
streams_start 5003 5004
say ready
while [ -e /sys/class/net/eth0 ]; do sleep 1; done
kill $streams 2>/dev/null
say detached
t=0
until ls /sys/class/net | grep -q '^eth'; do
	[ $t -lt 120 ] || exit 1
	sleep 1
	t=$((t + 1))
done
dev=$(ls /sys/class/net | grep '^eth' | head -n 1)
net_up "$dev"
ping -c 3 -W 10 "$DOM0_IP" >/dev/null
say attached "$dev"
ping -c 3 -s 20000 "$DOM0_IP" >/dev/null
iperf3 -c "$DOM0_IP" -t 3 -i 0 >/dev/null
iperf3 -c "$DOM0_IP" -t 3 -i 0 -R >/dev/null
JOB
)
guest_wait nl-hotplug ready 180 >/dev/null || fail "hotplug: guest network not up"
traffic_flows "$domid" 5 hotplug
[ "$BACKEND" != xenaccel ] || echo "held under traffic: $(netback_held)"
timeout 60 xl network-detach "$domid" 0 || fail "hotplug: network-detach under traffic failed"
guest_wait nl-hotplug detached 60 >/dev/null || fail "hotplug: the guest still has eth0"
nothing_left "$domid" network-detach
timeout 60 xl network-attach "$domid" bridge=xenbr0 || fail "hotplug: network-attach failed"
guest_wait nl-hotplug attached 120 || fail "hotplug: the attached vif does not pass traffic"
backend_check "$domid" || fail "hotplug: the attached vif is not served by $BACKEND"
guest_finish nl-hotplug 300 || fail "hotplug: traffic on the attached vif failed"
nothing_left "$domid" network-attach
listeners_stop

# 5. The guest disconnects and reconnects netfront; then it stops taking
# packets (link down: netfront stops posting buffers) until the backend
# takes its carrier away, and gets it back when it takes packets again.
# The guest's link stays down long enough for its 256 posted buffers to
# fill and the stall timeout (60 s, both backends' default) to pass.
# The toolstack gives the vif MTU 9000; while netfront is unbound, dom0
# writes an absurd "mtu" (clamped at the reconnect), then garbage (refused).
domid=$(guest_start nl-reconnect --vif-opt mtu=9000 --env STALL_WAIT=110 <<'JOB'
modprobe xen-netfront
net_up
ping -c 3 -W 10 "$DOM0_IP" >/dev/null
say ready
echo vif-0 >/sys/bus/xen/drivers/vif/unbind
while [ -e /sys/class/net/eth0 ]; do sleep 1; done
say unbound
sleep 15
echo vif-0 >/sys/bus/xen/drivers/vif/bind
net_up
ping -c 3 -W 10 "$DOM0_IP" >/dev/null
iperf3 -c "$DOM0_IP" -t 3 -i 0 >/dev/null
iperf3 -c "$DOM0_IP" -t 3 -i 0 -R >/dev/null
say rebound
# dom0 checks the reconnected vif before the next unbind.
sleep 20
echo vif-0 >/sys/bus/xen/drivers/vif/unbind
while [ -e /sys/class/net/eth0 ]; do sleep 1; done
say unbound-again
sleep 10
echo vif-0 >/sys/bus/xen/drivers/vif/bind
net_up
ping -c 3 -W 10 "$DOM0_IP" >/dev/null
say rebound-again
sleep 5
ip link set eth0 down
say link-down
sleep "$STALL_WAIT"
ip link set eth0 up
ping -c 3 -W 10 "$DOM0_IP" >/dev/null
say link-up
sleep 5
JOB
)
guest_wait nl-reconnect ready 180 >/dev/null || fail "reconnect: guest network not up"
ip=$(guest_ip nl-reconnect)
be=/local/domain/0/backend/vif/$domid/0
vif=vif$domid.0
[ "$(xenstore-read "$be/mtu")" = 9000 ] || fail "mtu: the toolstack did not write mtu 9000"
[ "$(cat "/sys/class/net/$vif/mtu")" = 9000 ] ||
	fail "mtu: $vif has MTU $(cat "/sys/class/net/$vif/mtu"), the toolstack set 9000"
summary "net-lifecycle mtu: $vif has the toolstack's MTU 9000"
guest_wait nl-reconnect unbound 60 >/dev/null || fail "reconnect: netfront did not unbind"
# xenaccel reads "mtu" at each connect (the hotplug script, which in-tree
# relies on, runs only when the vif is created): an absurd value is clamped.
[ "$BACKEND" != xenaccel ] || xenstore-write "$be/mtu" 99999999999999999999999
t=0
until [ "$(xenstore-read "$be/state")" != 4 ]; do
	[ $t -lt 10 ] || fail "reconnect: backend still Connected with netfront unbound"
	sleep 1
	t=$((t + 1))
done
wait_carrier "$domid" 0 10 || fail "reconnect: carrier on with netfront unbound"
if [ "$BACKEND" = xenaccel ]; then
	echo "held while unbound: $(netback_held)"
	[ "$(netback_total queues)" = 0 ] ||
		fail "reconnect: queues held while unbound: $(netback_held)"
fi
summary "net-lifecycle unbind: backend state $(xenstore-read "$be/state"), carrier off"
guest_wait nl-reconnect rebound 180 >/dev/null || fail "reconnect: no traffic after rebinding"
backend_check "$domid" || fail "reconnect: not served by $BACKEND after rebinding"
wait_carrier "$domid" 1 10 || fail "reconnect: carrier off after rebinding"
summary "net-lifecycle rebind: Connected again, carrier on, traffic both ways"
if [ "$BACKEND" = xenaccel ]; then
	[ "$(cat "/sys/class/net/$vif/mtu")" = 65517 ] ||
		fail "mtu: an absurd mtu key gave $vif MTU $(cat "/sys/class/net/$vif/mtu"), not 65517"
	dmesg | grep -q "${be#/local/domain/0/}: mtu \"99999999999999999999999\" is over 65517: using 65517" ||
		fail "mtu: no log line for the clamped mtu key"
	guest_wait nl-reconnect unbound-again 60 >/dev/null || fail "mtu: netfront did not unbind again"
	ip link set "$vif" mtu 1500
	xenstore-write "$be/mtu" '9000; reboot'
	guest_wait nl-reconnect rebound-again 120 >/dev/null || fail "mtu: no traffic after the second rebind"
	[ "$(cat "/sys/class/net/$vif/mtu")" = 1500 ] ||
		fail "mtu: a garbage mtu key changed $vif's MTU to $(cat "/sys/class/net/$vif/mtu")"
	dmesg | grep -q "${be#/local/domain/0/}: refusing mtu \"9000; reboot\"" ||
		fail "mtu: no log line for the refused mtu key"
	summary "net-lifecycle mtu: at reconnect an absurd key was clamped to 65517, a garbage one refused (MTU kept), each logged"
else
	guest_wait nl-reconnect rebound-again 180 >/dev/null || fail "reconnect: no traffic after the second rebind"
fi

guest_wait nl-reconnect link-down 60 >/dev/null || fail "stall: guest link not down"
# A guest whose link is down answers no ARP: once dom0's neighbour entry
# failed, only an ARP request a second would reach the vif, too few to
# fill the guest's 256 buffers in time. A permanent entry keeps every
# ping going to the vif.
ip neigh replace "$ip" lladdr "$(xenstore-read "$be/mac")" dev xenbr0 nud permanent
at_exit "ip neigh del $ip dev xenbr0 2>/dev/null"
ping -i 0.01 "$ip" >/dev/null 2>&1 &
ping_pid=$!
at_exit "kill $ping_pid 2>/dev/null"
line=$(wait_carrier "$domid" 0 105) || fail "stall: carrier still on with the guest taking nothing"
kill $ping_pid 2>/dev/null || true
ip neigh del "$ip" dev xenbr0
summary "net-lifecycle stall: $line after the guest stopped taking packets"
guest_wait nl-reconnect link-up 120 >/dev/null || fail "stall: guest link not back up"
line=$(wait_carrier "$domid" 1 30) || fail "stall: carrier still off with the guest taking packets again"
summary "net-lifecycle stall: $line once the guest took packets again"
[ "$BACKEND" != xenaccel ] ||
	grep -E '^ +tx_stalls: [1-9]' <(ethtool -S "vif$domid.0") || fail "stall: tx_stalls not counted"
guest_finish nl-reconnect 120 || fail "reconnect: guest job failed"
nothing_left "$domid" reconnect

# 6. xl save + xl restore while streams run both ways: the vif goes with
# the saved domain, and the restored one's netfront connects to a new vif
# that passes traffic again.
listen_both_ways 5005 5006
save=/var/lib/xenaccel-nl-save.chk
at_exit "rm -f $save"
domid=$(guest_start nl-save --vif <<'JOB'
modprobe xen-netfront
net_up
ping -c 3 -W 10 "$DOM0_IP" >/dev/null
streams_start 5005 5006
say streaming
wait_dom0 restored
kill $streams 2>/dev/null
ping -c 3 -W 10 "$DOM0_IP" >/dev/null
iperf3 -c "$DOM0_IP" -t 3 -i 0 >/dev/null
iperf3 -c "$DOM0_IP" -t 3 -i 0 -R >/dev/null
say restored-traffic
JOB
)
guest_wait nl-save streaming 180 >/dev/null || fail "save: no traffic started"
traffic_flows "$domid" 5 save
timeout 300 xl save nl-save "$save" || fail "save: xl save failed"
nothing_left "$domid" save-under-traffic
timeout 300 xl restore "$save" || fail "save: xl restore failed"
domid=$(xl domid nl-save) || fail "save: no domain after restore"
t=0
until backend_check "$domid" >/dev/null 2>&1; do
	[ $t -lt 60 ] || fail "save: the restored guest's vif did not connect: $(backend_check "$domid" 2>&1)"
	sleep 1
	t=$((t + 1))
done
guest_signal "$domid" restored
guest_wait nl-save restored-traffic 180 >/dev/null || fail "save: no traffic both ways after restore"
summary "net-lifecycle restore: the restored guest's vif connected after $t s and passed traffic both ways"
guest_finish nl-save 120 || fail "save: guest job failed after restore"
nothing_left "$domid" restore
listeners_stop

# 7. Attach/detach cycles on a running guest (NET_CYCLES, default 20):
# each vif connects and goes, with no growth of unreclaimable slab,
# vmalloc'd ring mappings or xenstore nodes.
domid=$(guest_start nl-cycles <<'JOB'
modprobe xen-netfront
say ready
sleep 100000
JOB
)
guest_wait nl-cycles ready 180 >/dev/null || fail "cycles: guest did not start"
net_cycle() {
	local be=/local/domain/0/backend/vif/$domid/0 t=0
	timeout 60 xl network-attach "$domid" bridge=xenbr0 || fail "cycles: network-attach $1 failed"
	until [ "$(xenstore-read "$be/state" 2>/dev/null)" = 4 ] &&
		[ "$(xenstore-read "$(xenstore-read "$be/frontend")/state" 2>/dev/null)" = 4 ]; do
		[ $t -lt 120 ] || fail "cycles: attach $1 did not connect"
		sleep 0.5
		t=$((t + 1))
	done
	timeout 60 xl network-detach "$domid" 0 || fail "cycles: network-detach $1 failed"
	t=0
	while [ -e "/sys/bus/xen-backend/devices/vif-$domid-0" ] ||
		[ -e "/sys/class/net/vif$domid.0" ]; do
		[ $t -lt 60 ] || fail "cycles: vif of cycle $1 still there after 60 s"
		sleep 1
		t=$((t + 1))
	done
}
cycles_check "net-lifecycle cycles" "${NET_CYCLES:-20}" net_cycle
timeout 60 xl destroy nl-cycles || fail "cycles: xl destroy failed"
nothing_left "$domid" cycles

# 8. Unload and reload the backend with nothing connected.
# modprobe -r also tries xenaccel_core, which xenaccel_blkback still uses:
# that complaint is no failure of the module under test.
modprobe -r "$netback_mod" 2>/tmp/nl-modprobe.err ||
	grep -qx 'modprobe: FATAL: Module xenaccel_core is in use.' /tmp/nl-modprobe.err ||
	fail "unload: modprobe -r $netback_mod failed: $(cat /tmp/nl-modprobe.err)"
[ ! -d "/sys/module/$netback_mod" ] || fail "unload: $netback_mod still loaded"
modprobe "$netback_mod" || fail "unload: reloading $netback_mod failed"
if [ "$BACKEND" = xenaccel ]; then
	netback_held_zero || fail "unload: held after reload: $(netback_held)"
fi
summary "net-lifecycle unload: $netback_mod unloaded and reloaded"
