# SPDX-License-Identifier: GPL-2.0
# about: xafront as a netif frontend: ARP and ICMP echo to dom0 checked end to end (single and multi-slot TX), then hostile TX (frames below an Ethernet header, bad grant refs, a slot crossing its page, too many slots, inconsistent sizes) while a second guest pings dom0; each attack answered with errors or a disabled interface, then echo works again (after a reconnect if need be)
# timeout: 900

MODES="rw tx-tiny tx-bad-gref tx-cross-page tx-too-many-slots tx-bad-size"

failures=()
bad() {
	echo "CHECK FAILED: $*"
	failures+=("$*")
}

victim=$(guest_start netvictim --vif <<'JOB'
modprobe xen-netfront
net_up
dom=$(xafront xs-read domid)
n=0
while ! xafront xs-read /local/domain/$dom/data/stop >/dev/null 2>&1; do
	ping -c 5 -W 5 "$DOM0_IP" >/tmp/ping.out || { cat /tmp/ping.out; exit 1; }
	n=$((n + 1))
done
say victim-rounds $n
JOB
)
attacker=$(guest_start netattacker --vif --env "MODES=$MODES" <<'JOB'
modprobe xen-gntalloc
modprobe xen-evtchn
xafront net --sync --ip "$GUEST_IP" --peer "$DOM0_IP" $MODES
JOB
)
ack() { xenstore-write "/local/domain/$attacker/data/xafront-ack" "$1"; }
vif_state() { xenstore-read "/local/domain/0/backend/vif/$attacker/0/state" 2>/dev/null || echo -; }

for m in $MODES; do
	progress "net-attack: $m"
	tool=$(guest_wait netattacker "stats-net-$m" 600) || { bad "$m: the attacker did not get through"; break; }
	guest_wait netattacker "sync-net-$m-attacked" 60 >/dev/null || { bad "$m: no sync"; break; }
	echo "== $m: attacker says: $tool; backend state $(vif_state)"
	ack "net-$m-attacked"
	guest_wait netattacker "sync-net-$m-closed" 120 >/dev/null || { bad "$m: no close"; break; }
	[ "$(vif_state)" = 2 ] || bad "$m: backend state $(vif_state) after close, want 2 (InitWait)"
	ack "net-$m-closed"
	res=$(guest_wait netattacker "result-net-$m" 60) || { bad "$m: no result"; break; }
	echo "   result: $res"
	summary "net-attack $m: $res"
	case $res in PASS*) ;; *) bad "$m: the attacker reports $res" ;; esac
done

xenstore-write "/local/domain/$victim/data/stop" 1
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
[ ${#failures[@]} = 0 ] || fail "${#failures[@]} checks failed: ${failures[*]}"
