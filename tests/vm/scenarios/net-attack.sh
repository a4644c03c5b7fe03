# SPDX-License-Identifier: GPL-2.0
# about: xafront as a netif frontend: ARP and ICMP echo to dom0 checked end to end (single and multi-slot TX), then hostile TX (frames below an Ethernet header, bad, revoked and foreign grant refs alone and among good ones, a slot crossing its page, too many slots, inconsistent sizes, unknown extra-info types, bad GSO extras, endless extra chains), TX requests rewritten by a second thread while the backend reads them (dom0 captures every frame: each must be one consistent reading), a multicast flood past the backend's list, control-ring abuse (unknown messages, algorithms, flags, keys and tables behind bad grants or past their bounds, queues that do not exist), producer indices past the control, tx and rx rings, a frontend that stops taking packets under a flood, an event-channel storm (dom0 answers, interrupts bounded by lateeoi, nothing spins), xenbus state flapping and absurd frontend keys; meanwhile a second guest pings dom0. Each attack answered with errors or a disabled interface (dom0 checks the backend's counters and its log line), then echo works again (after a reconnect if need be); after each mode the attacker's vif holds nothing (xenaccel: the debugfs totals back at their baseline), and at the end no vif holds anything. In-tree netback keeps a vif it disabled dead through reconnects: the attacker then goes on with a spare vif, and the finding is reported
# timeout: 2700

MODES=${NET_ATTACK_MODES:-"rw tx-tiny tx-bad-gref tx-cross-page tx-too-many-slots tx-bad-size tx-bad-extra tx-bad-gso tx-extra-chain tx-double-fetch mcast-flood ctrl ring-overrun rx-stall storm state-flap bad-keys"}

# xenaccel's guest TX by grant map for the attacks: NET_TX_MAP (0, 1 or
# 2) if set, else the module's default.
if [ "$BACKEND" = xenaccel ] && [ -n "${NET_TX_MAP:-}" ] && [ "$NET_TX_MAP" != default ]; then
	mapparam=/sys/module/xenaccel_netback/parameters/tx_map
	at_exit "echo $(cat "$mapparam") >$mapparam"
	echo "$NET_TX_MAP" >"$mapparam"
	summary "net-attack: guest TX with tx_map $(cat "$mapparam")"
fi

failures=()
bad() {
	echo "CHECK FAILED: $*"
	failures+=("$*")
}

victim=$(guest_start netvictim --vif <<'JOB'
modprobe xen-netfront
net_up
ping -c 1 -W 30 "$DOM0_IP" >/dev/null || ping -c 1 -W 30 "$DOM0_IP"
say victim-ready
n=0
while ! dom0_said stop; do
	ping -c 5 -W 5 "$DOM0_IP" >/tmp/ping.out || { cat /tmp/ping.out; exit 1; }
	n=$((n + 1))
done
say victim-rounds $n
JOB
)
guest_wait netvictim victim-ready 180 >/dev/null || fail "victim: no network (see guest-netvictim.console)"
# dom0's half of tx-double-fetch: a capture that checks every frame.
case " $MODES " in *" tx-double-fetch "*)
	gcc -O2 -Wall -o /tmp/xacap "$RIG/in/src/tests/frontend/xacap.c" || fail "building xacap"
esac
strict=
[ "$BACKEND" = xenaccel ] && strict=--strict
# In-tree netback keeps a vif it disabled (a fatal TX error) dead through
# reconnects, until the toolstack makes a new one: the attacker gets a
# spare vif per mode, and moves on to the next when one is dead for good.
spares=0
[ "$BACKEND" = xenaccel ] || spares=$(echo $MODES | wc -w)
devs=$(seq -s, 0 "$spares")
attacker=$(guest_start netattacker --vif --env "MODES=$MODES" --env "STRICT=$strict" --env "DEVS=$devs" <<'JOB'
modprobe xen-gntalloc
modprobe xen-evtchn
dom=$(xafront xs-read domid)
last=${DEVS##*,}
t=0
until xafront xs-read "/local/domain/$dom/device/vif/$last/backend" >/dev/null 2>&1; do
	[ $t -lt 300 ] || { echo "spare vif $last never came"; exit 1; }
	sleep 1
	t=$((t + 1))
done
xafront net --sync $STRICT --dev "$DEVS" --ip "$GUEST_IP" --peer "$DOM0_IP" $MODES
JOB
)
attacker_ip=$(guest_ip netattacker)
for _ in $(seq "$spares"); do
	xl network-attach "$attacker" bridge=xenbr0 || fail "attaching a spare vif"
done
# The vif the attacker's current mode uses (it says so: mode-net-MODE dev=N).
use_dev() {
	dev=$1
	vif=vif$attacker.$dev
	vif_debug=/sys/kernel/debug/xenaccel/netback/$vif/queues
}
use_dev 0
ack() { xenstore-write "/local/domain/$attacker/data/xafront-ack" "$1"; }
vif_state() { xenstore-read "/local/domain/0/backend/vif/$attacker/$dev/state" 2>/dev/null || echo -; }
carrier() { cat "/sys/class/net/$vif/carrier" 2>/dev/null || echo -; }
totals=/sys/kernel/debug/xenaccel/netback/totals
total() { awk -v k="$1" '$1 == k { print $2 }' "$totals"; }
# What all vifs hold (packets queued for guests aside): with the attacker
# closed it must be what it was before the attacker connected.
held() { awk '$1 != "queued_skbs" { printf "%s %s ", $1, $2 }' "$totals"; }
# The baseline: the victim connected, the attacker's vif created and not
# yet connected (its guest is still booting).
baseline=
if [ "$BACKEND" = xenaccel ]; then
	t=0
	until [ "$(vif_state)" = 2 ] || [ $t -ge 60 ]; do sleep 0.5; t=$((t + 1)); done
	baseline=$(held)
	echo "held before the attacker connects: $baseline"
fi

# Counters of the attacker's vif (ethtool -S), kept across its
# reconnects: snapshot at a mode's start, then what the mode added.
stats_file=/tmp/net-attack-stats
snapshot() { ethtool -S "$vif" >"$stats_file" 2>/dev/null || : >"$stats_file"; }
added() {
	local now was
	now=$(ethtool -S "$vif" 2>/dev/null | awk -v k="$1:" '$1 == k { print $2 }')
	was=$(awk -v k="$1:" '$1 == k { print $2 }' "$stats_file")
	echo $((${now:-0} - ${was:-0}))
}
# The kernel log since the mode's start.
log_mark() { log_start=$(dmesg | wc -l); log_since=$(date +%s); }
# The most lines one rate-limited call site may print since log_mark:
# printk's default, 10 every 5 s (a slow rig makes a mode last longer);
# its windows start with a call, not at log_mark, so one more.
ratelimit_allows() { echo $((10 * (($(date +%s) - log_since) / 5 + 2))); }
new_log() { dmesg | tail -n +$((log_start + 1)); }
# disconnects REASON: how many times the mode got the attacker
# disconnected for REASON (xenaccel's rate-limited warning).
disconnects() { new_log | grep -c "domain $attacker vif 0: $1: disconnecting" || true; }
# logged TEXT: the kernel logged TEXT since the mode's start (grep -c reads
# everything: grep -q could leave dmesg a SIGPIPE, which pipefail reports).
logged() { [ "$(new_log | grep -c -- "$1" || true)" -gt 0 ]; }

# want_disconnects REASON MIN: xenaccel logged at least MIN of them.
want_disconnects() {
	local got
	got=$(disconnects "$1")
	echo "   disconnects for '$1': $got"
	[ "$got" -ge "$2" ] || bad "$m: $got disconnect(s) logged for '$1', want at least $2"
}
# want_added COUNTER MIN
want_added() {
	local got
	got=$(added "$1")
	echo "   $1 +$got"
	[ "$got" -ge "$2" ] || bad "$m: $1 went up by $got, want at least $2"
}

# mcast-flood: dom0 pings a group the attacker joined and one it left.
mcast_dom0() {
	guest_wait netattacker sync-net-mcast-flood-listen 300 >/dev/null || { bad "mcast-flood: no listen sync"; return; }
	[ "$BACKEND" != xenaccel ] || echo "   mcast list: $(head -n 1 "$vif_debug")"
	ping -c 3 -i 0.3 -t 2 -I xenbr0 224.0.1.20 >/dev/null 2>&1 || true
	ping -c 3 -i 0.3 -t 2 -I xenbr0 224.0.1.5 >/dev/null 2>&1 || true
	sleep 1
	ack net-mcast-flood-listen
}

# rx-stall: with the attacker taking nothing, flood it; the carrier must
# go within the stall timeout (60 s) and what the backend holds must stay
# bounded (xenaccel: 512 KiB of packets per queue, dropped after 10 s).
rx_stall_dom0() {
	local mac t=0 q b maxq=0 maxb=0 flood
	guest_wait netattacker sync-net-rx-stall-starved 300 >/dev/null || { bad "rx-stall: no starved sync"; return; }
	# xafront answers no ARP: tell dom0 where the attacker is.
	mac=$(xenstore-read "/local/domain/0/backend/vif/$attacker/$dev/mac")
	ip neigh replace "$attacker_ip" lladdr "$mac" dev xenbr0 nud permanent
	# UDP to the discard port, up to about 1000 datagrams of 1400 bytes
	# a second (ping -f slows down when no reply comes).
	(
		exec 3>"/dev/udp/$attacker_ip/9"
		payload=$(printf '%1400s' x)
		while :; do
			for _ in $(seq 50); do printf '%s' "$payload" >&3 || true; done
			sleep 0.05
		done
	) &
	flood=$!
	while [ "$(carrier)" = 1 ] && [ $t -lt 150 ]; do
		if [ "$BACKEND" = xenaccel ]; then
			q=$(total queued_skbs)
			b=$(awk '/queued_bytes/ { for (i = 1; i < NF; i++) if ($i == "queued_bytes") print $(i + 1) }' "$vif_debug" | head -n 1)
			[ "${q:-0}" -le "$maxq" ] || maxq=$q
			[ "${b:-0}" -le "$maxb" ] || maxb=$b
		fi
		sleep 2
		t=$((t + 2))
	done
	echo "   carrier $(carrier) after $t s of flood; most held: $maxq skbs, $maxb bytes queued for the attacker"
	summary "net-attack rx-stall: carrier $(carrier) after $t s of flood, at most $maxq skbs / $maxb bytes held"
	metric rx-stall-carrier-off-s $t s
	[ "$(carrier)" = 0 ] || bad "rx-stall: carrier still on after $t s of flood to a frontend taking nothing"
	if [ "$BACKEND" = xenaccel ]; then
		metric rx-stall-max-queued-bytes "$maxb" bytes
		echo "   $(grep -E 'stalled|held_reqs' "$vif_debug" | tr -s ' ' | tr '\n' ' ')"
		[ "$maxb" -le $((524288 + 65536)) ] || bad "rx-stall: $maxb bytes queued for the attacker, want at most 576 KiB"
		[ "$maxq" -le 1000 ] || bad "rx-stall: $maxq skbs held for guests, want at most 1000"
		want_added tx_stalls 1
		logged "$vif: guest rx stalled" || bad "rx-stall: no 'guest rx stalled' logged"
	fi
	kill "$flood" 2>/dev/null || true
	wait "$flood" 2>/dev/null || true
	ip neigh del "$attacker_ip" dev xenbr0 2>/dev/null || true
	ack net-rx-stall-starved
}

# ring-overrun: what the backend shows while the attacker overruns its
# rings, twice a second (its interrupts, and debugfs: the rings' overrun
# flags, our side of the control ring).
trace_pid=
trace_start() {
	(
		while :; do
			echo "== $(date +%s.%N)"
			grep -E 'xenaccel|vif' /proc/interrupts || true
			cat "$vif_debug" 2>/dev/null || true
			sleep 0.5
		done
	) >"$SCENARIO_OUT/ring-overrun-trace.txt" 2>&1 &
	trace_pid=$!
	at_exit "kill $trace_pid 2>/dev/null || true"
}
trace_stop() {
	[ -z "$trace_pid" ] || kill "$trace_pid" 2>/dev/null || true
	trace_pid=
}
# storm: while the attacker notifies all its channels as fast as it can,
# first with nothing new on its rings, then with traffic: dom0 answers
# (xl list), nothing spins (irq and softirq time, the vif's threads), and
# the backend takes the events that bring no work for spurious, so that
# lateeoi holds them back (the xenbus device's counters, kept for either
# backend). The back-off stays short on this kernel: its lateeoi worker
# resets the spurious count at every delayed EOI, hence hundreds of
# events a second per channel rather than one; they cost next to nothing.
vif_thread_ticks() {
	local t=0 p comm
	for p in /proc/[0-9]*; do
		comm=$(cat "$p/comm" 2>/dev/null) || continue
		case $comm in "$vif-"*)
			t=$((t + $(awk '{ print $14 + $15 }' "$p/stat" 2>/dev/null || echo 0))) ;;
		esac
	done
	echo $t
}
irq_ticks() { awk '$1 == "cpu" { print $7 + $8 }' /proc/stat; }
# The xenbus device's event counters (lateeoi's, kept for any backend).
xb_stat() { cat "/sys/bus/xen-backend/devices/vif-$attacker-$dev/xenbus/$1" 2>/dev/null || echo 0; }
storm_dom0() {
	local phase ev0 ev1 sp0 sp1 dl0 dl1 cpu0 cpu1 thr0 thr1 t0 t1 ms
	[ -r "/sys/bus/xen-backend/devices/vif-$attacker-$dev/xenbus/events" ] ||
		bad "storm: no xenbus event counters for vif-$attacker-$dev"
	for phase in idle busy; do
		guest_wait netattacker "sync-net-storm-$phase" 300 >/dev/null || { bad "storm: no $phase sync"; return; }
		sleep 1
		ev0=$(xb_stat events) sp0=$(xb_stat spurious_events)
		dl0=$(xb_stat jiffies_eoi_delayed) cpu0=$(irq_ticks) thr0=$(vif_thread_ticks)
		t0=$(date +%s%N)
		xl list >/dev/null
		t1=$(date +%s%N)
		sleep 3
		ev1=$(xb_stat events) sp1=$(xb_stat spurious_events)
		dl1=$(xb_stat jiffies_eoi_delayed) cpu1=$(irq_ticks) thr1=$(vif_thread_ticks)
		ms=$(((t1 - t0) / 1000000))
		echo "   storm $phase: xl list took $ms ms; in 3 s the device took $((ev1 - ev0)) events ($((sp1 - sp0)) spurious, EOIs delayed $((dl1 - dl0)) jiffies), dom0 spent $((cpu1 - cpu0)) ticks in irq+softirq, the vif's threads $((thr1 - thr0))"
		summary "net-attack storm $phase: xl list $ms ms; in 3 s $((ev1 - ev0)) events ($((sp1 - sp0)) spurious, EOI delayed $((dl1 - dl0)) jiffies), irq+softirq $((cpu1 - cpu0)) ticks, vif threads $((thr1 - thr0)) ticks"
		metric "storm-$phase-xl-list-ms" "$ms" ms
		metric "storm-$phase-events-3s" $((ev1 - ev0))
		metric "storm-$phase-irq-ticks-3s" $((cpu1 - cpu0)) ticks
		[ "$ms" -lt 10000 ] || bad "storm $phase: xl list took $ms ms"
		if [ $phase = idle ]; then
			[ $((ev1 - ev0)) -le 15000 ] || bad "storm idle: $((ev1 - ev0)) events in 3 s bringing no work"
			[ $(((sp1 - sp0) * 10)) -ge $(((ev1 - ev0) * 9)) ] ||
				bad "storm idle: only $((sp1 - sp0)) of $((ev1 - ev0)) events taken for spurious (no lateeoi back-off)"
			[ $((dl1 - dl0)) -gt 0 ] || bad "storm idle: no EOI delayed (no lateeoi back-off)"
			[ $((cpu1 - cpu0)) -lt 150 ] || bad "storm idle: $((cpu1 - cpu0)) ticks of irq+softirq in 3 s (spinning?)"
			[ $((thr1 - thr0)) -lt 100 ] || bad "storm idle: the vif's threads used $((thr1 - thr0)) ticks in 3 s (spinning?)"
		fi
		ack "net-storm-$phase"
	done
}

# tx-double-fetch: capture the attacker's frames on its vif; each must be
# whole blocks of its pages (tests/frontend/dfblock.h), and none may go
# missing of those sent as meant.
df_dom0() {
	local out=$SCENARIO_OUT/xacap-$dev.txt mac br pid want t=0 frames bad_frames drops
	guest_wait netattacker sync-net-tx-double-fetch-capture 600 >/dev/null || { bad "tx-double-fetch: no capture sync"; return; }
	mac=$(xenstore-read "/local/domain/0/backend/vif/$attacker/$dev/mac")
	br=$(cat /sys/class/net/xenbr0/address)
	/tmp/xacap "$vif" "$mac" "$br" >"$out" 2>&1 &
	pid=$!
	until grep -q '^ready' "$out" || [ $t -ge 20 ]; do sleep 0.5; t=$((t + 1)); done
	grep -q '^ready' "$out" || bad "tx-double-fetch: xacap did not start: $(cat "$out")"
	ack net-tx-double-fetch-capture
	guest_wait netattacker sync-net-tx-double-fetch-sent 900 >/dev/null || bad "tx-double-fetch: no sent sync"
	sleep 1
	kill -INT "$pid" 2>/dev/null || true
	wait "$pid" || true
	want=$(guest_report netattacker net-df-frames)
	echo "   capture on $vif: $(grep '^frames' "$out") (sent as meant: at least ${want:-?})"
	sed -n '/^first bad/,$p' "$out"
	read -r _ frames _ _ _ bad_frames _ drops _ < <(grep '^frames' "$out") || true
	summary "net-attack tx-double-fetch: captured $(grep '^frames' "$out"), at least ${want:-?} sent as meant"
	metric df-frames-captured "${frames:-0}"
	[ "${bad_frames:-1}" = 0 ] || bad "tx-double-fetch: ${bad_frames:-?} captured frames are no consistent reading of their slots (see $(basename "$out"))"
	[ $((${frames:-0} + ${drops:-0})) -ge "${want:-1}" ] || bad "tx-double-fetch: ${frames:-0} frames captured, ${want:-?} were sent as meant"
	ack net-tx-double-fetch-sent
}

# next_mode MODE: the mode the attacker runs after MODE.
next_mode() {
	local x found=
	for x in $MODES; do
		[ -z "$found" ] || { echo "$x"; return; }
		[ "$x" != "$1" ] || found=1
	done
}

# What the backend must show for each mode, with the attack on.
mode_checks() {
	case $m in
	tx-tiny)
		want_added rx_malformed 3 ;;
	tx-bad-extra)
		want_disconnects "invalid extra-info type" 3 ;;
	tx-bad-gso)
		want_disconnects "unknown GSO type" 2
		want_disconnects "GSO size 0" 1
		want_added rx_csum_errors 1
		want_added rx_gso 4 ;;
	tx-extra-chain)
		want_disconnects "packet continues past the published requests" 1
		want_disconnects "packet longer than the ring" 1 ;;
	mcast-flood)
		want_added rx_mcast_updates 123
		want_added tx_dropped 3
		n=$(head -n 1 "$vif_debug" | sed -n 's/.* mcast \([0-9]*\).*/\1/p')
		echo "   mcast list holds ${n:--}"
		[ "$n" = 64 ] || bad "mcast-flood: the list holds ${n:--} addresses, want 64" ;;
	ctrl)
		logged "$vif: connected: .*control ring" || bad "ctrl: no control ring connected" ;;
	ring-overrun)
		want_disconnects "control request producer overran the ring" 1
		want_disconnects "tx request producer overran the ring" 1
		want_disconnects "rx request producer overran the ring" 1 ;;
	rx-stall)
		logged "$vif: guest rx ready" || bad "rx-stall: no 'guest rx ready' logged" ;;
	tx-double-fetch)
		want_added rx_packets 2000
		want_added rx_copy_errors 1 ;;
	state-flap | bad-keys)
		# One line per refusal, rate-limited: a frontend refused again
		# and again must not flood dom0's log.
		n=$(refusals)
		c=$(new_log | grep -c "$vif: connected: " || true)
		allowed=$(ratelimit_allows)
		echo "   refusals logged: $n, connections logged: $c (rate limit allows $allowed in $(($(date +%s) - log_since)) s)"
		metric "$m-refusals-logged" "$n"
		metric "$m-connections-logged" "$c"
		[ "$c" -le "$allowed" ] || bad "$m: $c connections logged, more than $allowed (not rate-limited?)"
		[ "$m" = state-flap ] || [ "$n" -ge 1 ] || bad "$m: no refusal logged"
		[ "$n" -le "$allowed" ] || bad "$m: $n refusals logged, more than $allowed (not rate-limited?)" ;;
	esac
}
# Lines xenbus (or the backend) logged for the attacker's vif device.
refusals() { new_log | grep -c " vif-$attacker-$dev: " || true; }

log_mark
snapshot
[ "${MODES%% *}" != ring-overrun ] || trace_start
for m in $MODES; do
	progress "net-attack: $m"
	d=$(guest_wait netattacker "mode-net-$m" 900) || { bad "$m: the attacker did not start it"; break; }
	use_dev "${d#dev=}"
	case $m in
	mcast-flood) mcast_dom0 ;;
	rx-stall) rx_stall_dom0 ;;
	tx-double-fetch) df_dom0 ;;
	storm) storm_dom0 ;;
	esac
	tool=$(guest_wait netattacker "stats-net-$m" 600) || { bad "$m: the attacker did not get through"; break; }
	guest_wait netattacker "sync-net-$m-attacked" 60 >/dev/null || { bad "$m: no sync"; break; }
	echo "== $m: attacker says: $tool; backend state $(vif_state), carrier $(carrier)"
	if [ "$m" = rx-stall ]; then
		t=0
		until [ "$(carrier)" = 1 ] || [ $t -ge 30 ]; do sleep 1; t=$((t + 1)); done
		[ "$(carrier)" = 1 ] || bad "rx-stall: carrier still off with the attacker taking packets again"
	fi
	[ "$BACKEND" != xenaccel ] || mode_checks
	[ "$m" != ring-overrun ] || trace_stop
	disabling=$(new_log | grep -c "$vif: fatal error; disabling device" || true)
	[ "$BACKEND" = xenaccel ] || echo "   dom0 logged for $vif: $(new_log | grep -c -e "$vif: " -e " vif-$attacker-$dev: " || true) lines, $disabling of them 'fatal error; disabling device'"
	ack "net-$m-attacked"
	guest_wait netattacker "sync-net-$m-closed" 120 >/dev/null || { bad "$m: no close"; break; }
	[ "$(vif_state)" = 2 ] || bad "$m: backend state $(vif_state) after close, want 2 (InitWait)"
	if [ "$BACKEND" = xenaccel ]; then
		# The attacker's vif: no queue, no ring, no multicast list left;
		# and all vifs together hold what they held before it connected.
		if ! head -n 1 "$vif_debug" | grep -q "connected 0 .* mcast 0$" ||
			grep -q "^queue " "$vif_debug"; then
			bad "$m: the attacker's vif holds something after close: $(tr '\n' ' ' <"$vif_debug")"
		fi
		[ "$(held)" = "$baseline" ] || bad "$m: the vifs hold $(held)after close, before the attacker $baseline"
	fi
	# The attacker starts its next mode once acknowledged: mark here.
	log_mark
	snapshot
	[ "$(next_mode "$m")" != ring-overrun ] || trace_start
	ack "net-$m-closed"
	res=$(guest_wait netattacker "result-net-$m" 60) || { bad "$m: no result"; break; }
	echo "   result: $res"
	summary "net-attack $m: $res"
	case $res in PASS*) ;; *) bad "$m: the attacker reports $res" ;; esac
	# Without --strict the attacker takes a vif that stops answering for
	# one the backend disabled: in-tree says so in its log.
	case $res in *disabled-silently*)
		[ "$disabling" -gt 0 ] ||
			bad "$m: the vif stopped answering and $BACKEND logged no 'fatal error; disabling device'" ;;
	esac
	case $res in *vif-disabled-for-good*)
		summary "net-attack $m: FINDING: $BACKEND netback keeps $vif disabled through the frontend's reconnect (only a new vif works again)" ;;
	esac
done
[ "$BACKEND" != xenaccel ] || summary "net-attack: the attacker's vif counters: $(ethtool -S "$vif" | grep -E '^ +(rx_dropped|rx_malformed|rx_slot_overflow|rx_copy_errors|rx_csum_errors|rx_gso|rx_mcast_updates|tx_dropped|tx_expired|tx_stalls):' | tr -s ' ' | tr '\n' ' ')"

guest_signal "$victim" stop
rounds=$(guest_wait netvictim victim-rounds 120) || bad "victim: ping to dom0 failed while attacked (see guest-netvictim.console)"
metric victim-ping-rounds "${rounds:-0}"
summary "net-attack victim: ${rounds:-no} rounds of 5 pings to dom0 meanwhile"
guest_finish netvictim 60 || bad "victim's job failed"
guest_finish netattacker 120 || bad "attacker's job failed"
for _ in $(seq 30); do
	xl list | awk '$1 == "(null)"' | grep -q . || break
	sleep 1
done
! xl list | awk '$1 == "(null)"' | grep -q . || bad "a destroyed domain lingers: grants still mapped?"
if [ "$BACKEND" = xenaccel ]; then
	t=0
	until [ -z "$(awk '$2 != 0' "$totals")" ] || [ $t -ge 60 ]; do sleep 1; t=$((t + 1)); done
	held=$(tr '\n' ' ' <"$totals")
	echo "held at the end: $held"
	[ -z "$(awk '$2 != 0' "$totals")" ] || bad "held with both guests gone: $held"
fi
[ ${#failures[@]} = 0 ] || fail "${#failures[@]} checks failed: ${failures[*]}"
