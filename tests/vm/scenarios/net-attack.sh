# SPDX-License-Identifier: GPL-2.0
# about: xafront as a netif frontend: ARP and ICMP echo to dom0 checked end to end (single and multi-slot TX), then hostile TX (frames below an Ethernet header, bad grant refs, a slot crossing its page, too many slots, inconsistent sizes, unknown extra-info types, bad GSO extras, endless extra chains), a multicast flood past the backend's list, control-ring abuse (unknown messages, algorithms, flags, keys and tables behind bad grants or past their bounds, queues that do not exist), producer indices past the control, tx and rx rings, and a frontend that stops taking packets under a flood; meanwhile a second guest pings dom0. Each attack answered with errors or a disabled interface (dom0 checks the backend's counters and its log line), then echo works again (after a reconnect if need be); after each mode the attacker's vif holds nothing, and at the end no vif holds anything
# timeout: 1800

MODES=${NET_ATTACK_MODES:-"rw tx-tiny tx-bad-gref tx-cross-page tx-too-many-slots tx-bad-size tx-bad-extra tx-bad-gso tx-extra-chain mcast-flood ctrl ring-overrun rx-stall"}

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
strict=
[ "$BACKEND" = xenaccel ] && strict=--strict
attacker=$(guest_start netattacker --vif --env "MODES=$MODES" --env "STRICT=$strict" <<'JOB'
modprobe xen-gntalloc
modprobe xen-evtchn
xafront net --sync $STRICT --ip "$GUEST_IP" --peer "$DOM0_IP" $MODES
JOB
)
attacker_ip=$(sed -n 's/^GUEST_IP=//p' /tmp/guest-netattacker/root/job/env)
vif=vif$attacker.0
ack() { xenstore-write "/local/domain/$attacker/data/xafront-ack" "$1"; }
vif_state() { xenstore-read "/local/domain/0/backend/vif/$attacker/0/state" 2>/dev/null || echo -; }
carrier() { cat "/sys/class/net/$vif/carrier" 2>/dev/null || echo -; }
totals=/sys/kernel/debug/xenaccel/netback/totals
total() { awk -v k="$1" '$1 == k { print $2 }' "$totals"; }
vif_debug=/sys/kernel/debug/xenaccel/netback/$vif/queues

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
log_mark() { log_start=$(dmesg | wc -l); }
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
	mac=$(xenstore-read "/local/domain/0/backend/vif/$attacker/0/mac")
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
	esac
}

log_mark
snapshot
[ "${MODES%% *}" != ring-overrun ] || trace_start
for m in $MODES; do
	progress "net-attack: $m"
	case $m in
	mcast-flood) mcast_dom0 ;;
	rx-stall) rx_stall_dom0 ;;
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
	ack "net-$m-attacked"
	guest_wait netattacker "sync-net-$m-closed" 120 >/dev/null || { bad "$m: no close"; break; }
	[ "$(vif_state)" = 2 ] || bad "$m: backend state $(vif_state) after close, want 2 (InitWait)"
	if [ "$BACKEND" = xenaccel ]; then
		# The attacker's vif: no queue, no ring, no multicast list left.
		if ! head -n 1 "$vif_debug" | grep -q "connected 0 .* mcast 0$" ||
			grep -q "^queue " "$vif_debug"; then
			bad "$m: the attacker's vif holds something after close: $(tr '\n' ' ' <"$vif_debug")"
		fi
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
