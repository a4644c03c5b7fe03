# SPDX-License-Identifier: GPL-2.0
# about: network integrity: guests on xenbr0 with netfront's 1 and 2 queues (two configurations each), then 4 queues (all configurations); per configuration (MTU 1500 and 9000; offloads all on, TSO/GSO off, SG off, checksum offload off, set in the guest with ethtool -K and on the vif in dom0) pings of 1 to 65507 bytes both ways and a stream each way with its sha256 compared at both ends, plus a 1 GiB stream each way and, on 4 queues, 4 streams of different data to the guest at once (xenaccel sends queues' packets in each other's copy batches: that must have happened); the negotiated features from xenstore and the vif's ethtool -S counters; the 1-queue guest's vif gets MTU 9000 from the toolstack (xl's mtu=, the backend's "mtu" key), read back from xenstore and the vif; xenaccel maps guest TX (tx_map 2) for the 4-queue guest and chooses by measured cost (tx_map 1) for the others (NET_TX_MAP: one value for all, "default" the module's), counters and costs reported; a 32 MiB stream guest to guest with sha256 compared (xenaccel: tx_map 2, mapped packets forwarded to the other guest uncopied); at the end nothing held (debugfs totals zero)
# timeout: 3000

# Each guest runs the configurations in COMBOS in order (MTU-OFFLOADS).
# For each, dom0 sets its side up and opens a sink (port 5001), a source
# (5002) and a "go" port (5000); the guest waits for go, sets its side up,
# pings dom0 with every size, sends a stream to the sink and receives one
# from the source, reporting both sha256 sums on its console; dom0 then
# compares them with its own and pings the guest with every size.
# Every configuration with 4 queues; a few with 1 and 2.
combos_full="1500-on 1500-nogso 1500-nosg 1500-nocsum 9000-on 9000-nogso"
# ICMP payload sizes: the extremes, around the MTUs' fragment boundaries,
# around page sizes, and up to the largest IPv4 datagram.
ping_sizes="1 2 56 100 1000 1472 1473 2000 4000 4096 8000 8972 8973 9000 16384 32000 60000 65507"
small_chunks=4		# 4 x 8 MiB per stream in each configuration
big_chunks=128		# 1 GiB each way, once
par_streams=4		# streams to the 4-queue guest at once...
par_chunks=8		# ...of 8 x 8 MiB each, each from a blob of its own

case $BACKEND in
intree) netback_mod=xen_netback ;;
*) netback_mod=xenaccel_netback ;;
esac
# The backends offer min(dom0's CPUs, ...) = 2 queues here: allow 4.
qparam=/sys/module/$netback_mod/parameters/max_queues
old_max_queues=$(cat "$qparam")
echo 4 >"$qparam"
at_exit "echo $old_max_queues >$qparam"
at_exit "ip link set xenbr0 mtu 1500"
# xenaccel: guest TX by grant map (tx_map): 2 (map whenever possible) for
# the 4-queue guest and guest to guest, 1 (by measured cost) for the
# others; NET_TX_MAP sets one value for all, "default" leaves the module's.
mapparam=/sys/module/$netback_mod/parameters/tx_map
if [ "$BACKEND" = xenaccel ]; then
	at_exit "echo $(cat "$mapparam") >$mapparam"
fi
# tx_map_set VALUE: xenaccel's tx_map for the next guest; prints the value
# in force.
tx_map_set() {
	[ "$BACKEND" = xenaccel ] || return 0
	[ "${NET_TX_MAP:-$1}" = default ] || echo "${NET_TX_MAP:-$1}" >"$mapparam"
	cat "$mapparam"
}

# The guests generate their streams from a random blob; so does dom0,
# with one more for each parallel stream, so that a page delivered to
# the wrong stream cannot match.
for s in "" $(seq 1 $par_streams); do
	head -c 8M /dev/urandom >"/tmp/nv-blob$s"
done
# gen CHUNKS [STREAM]: the stream dom0 sends, chunk headers between the
# blobs so that no page-aligned content repeats at the same offset.
gen() {
	local i
	for i in $(seq 1 "$1"); do
		echo "chunk $i"
		cat "/tmp/nv-blob${2:-}"
	done
}

cat >/tmp/net-verify-job <<'JOB'
head -c 8388608 /dev/urandom >/tmp/blob
gen() {
	i=1
	while [ $i -le "$1" ]; do
		echo "chunk $i"
		cat /tmp/blob
		i=$((i + 1))
	done
}
# wait_go: dom0 opens port 5000 once its side is ready.
wait_go() {
	t=0
	until nc.openbsd -z -w 2 "$DOM0_IP" 5000 2>/dev/null; do
		[ $t -lt 600 ] || { say go-timeout; return 1; }
		sleep 1
		t=$((t + 1))
	done
}
# send_stream CHUNKS: to dom0's sink; the same stream is generated again
# for the hash, in parallel (cheaper than tee's small writes to a pipe).
send_stream() {
	gen "$1" | sha256sum | cut -d' ' -f1 >/tmp/sent.sum &
	gen "$1" | nc.openbsd -N "$DOM0_IP" 5001
	wait
	cat /tmp/sent.sum
}
recv_stream() {
	nc.openbsd "$DOM0_IP" 5002 </dev/null | sha256sum | cut -d' ' -f1
}
modprobe xen-netfront max_queues=$QUEUES
net_up
ping -c 3 -W 10 "$DOM0_IP" >/dev/null
say net-ready "$(ls -d /sys/class/net/eth0/queues/tx-* | wc -l)"
for combo in $COMBOS; do
	mtu=${combo%%-*}
	case ${combo#*-} in
	on) feats="tx on sg on tso on gso on" ;;
	nogso) feats="tx on sg on tso off gso off" ;;
	nosg) feats="tx on sg off tso off gso off" ;;
	nocsum) feats="tx off sg off tso off gso off" ;;
	esac
	wait_go
	# Lower the MTU before dropping SG, raise it after enabling SG.
	[ "$mtu" -gt 1500 ] || ip link set eth0 mtu "$mtu"
	ethtool -K eth0 $feats || say ethtool-failed "$combo"
	ip link set eth0 mtu "$mtu"
	say configured "$combo" mtu "$(cat /sys/class/net/eth0/mtu)" \
		"$(ethtool -k eth0 | grep -E '^(tx-checksumming|scatter-gather|tcp-segmentation-offload|generic-segmentation-offload):' | tr '\n' ' ')"
	bad=
	for s in $PING_SIZES; do
		# Two tries of two pings: one lost reply is noise, two are not.
		ping -c 2 -i 0.2 -W 5 -s "$s" "$DOM0_IP" >/tmp/ping.out 2>&1 ||
			ping -c 2 -i 0.2 -W 5 -s "$s" "$DOM0_IP" >/tmp/ping.out 2>&1 ||
			bad="$bad $s"
	done
	say pinged "$combo" "${bad:-none}"
	t0=$(date +%s)
	sum=$(send_stream "$CHUNKS")
	say up-sum "$combo" "$sum" $(($(date +%s) - t0))
	t0=$(date +%s)
	sum=$(recv_stream)
	say down-sum "$combo" "$sum" $(($(date +%s) - t0))
	if [ "$combo" = "$BIG_COMBO" ]; then
		wait_go
		t0=$(date +%s)
		sum=$(send_stream "$BIG_CHUNKS")
		say big-up-sum "$sum" $(($(date +%s) - t0))
		t0=$(date +%s)
		sum=$(recv_stream)
		say big-down-sum "$sum" $(($(date +%s) - t0))
		if [ "${PAR_STREAMS:-0}" -gt 0 ]; then
			wait_go
			t0=$(date +%s)
			s=1
			while [ $s -le "$PAR_STREAMS" ]; do
				nc.openbsd "$DOM0_IP" $((5010 + s)) </dev/null |
					sha256sum | cut -d' ' -f1 >/tmp/par$s.sum &
				s=$((s + 1))
			done
			wait
			say par-down-sums "$(cat /tmp/par*.sum | tr '\n' ' ')" $(($(date +%s) - t0))
		fi
	fi
	say combo-done "$combo"
done
# Stay connected until dom0 has read the counters.
wait_go
JOB

listeners=()
# listen_up FILE: sink of one guest stream; its sha256 lands in FILE.
listen_up() {
	rm -f "$1"
	(nc.openbsd -l -p 5001 </dev/null | sha256sum | cut -d' ' -f1 >"$1.tmp" && mv "$1.tmp" "$1") &
	listeners+=($!)
}
# listen_down CHUNKS FILE: source of one stream to the guest; the same
# stream is generated again for its hash, into FILE.
listen_down() {
	rm -f "$2"
	(gen "$1" | sha256sum | cut -d' ' -f1 >"$2.tmp" && mv "$2.tmp" "$2") &
	(gen "$1" | nc.openbsd -N -l -p 5002) &
	listeners+=($!)
}
# wait_listening PORT...: until dom0 listens on each port (10 s in all).
wait_listening() {
	local t=0 p
	for p in "$@"; do
		until ss -ltn | grep -q ":$p "; do
			[ $t -lt 50 ] || fail "no listener on port $p"
			sleep 0.2
			t=$((t + 1))
		done
	done
}
# open_go [streams]: let the guest go on, once the stream listeners are up.
open_go() {
	[ "${1:-}" != streams ] || wait_listening 5001 5002
	(nc.openbsd -l -p 5000 </dev/null >/dev/null) &
	listeners+=($!)
}
stop_listeners() {
	local p
	for p in "${listeners[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	listeners=()
}
at_exit stop_listeners

# wait_file FILE SECONDS
wait_file() {
	local t=0
	while [ ! -s "$1" ]; do
		[ $t -lt "$2" ] || return 1
		sleep 1
		t=$((t + 1))
	done
}

# dom0_side VIF MTU OFFLOADS: the vif's offloads towards the guest, and
# the MTU of the vif and the bridge (raised vif first, lowered bridge first).
dom0_side() {
	local vif=$1 mtu=$2 feats
	case $3 in
	on) feats="tx on sg on tso on" ;;
	nogso) feats="tx on sg on tso off" ;;
	nosg) feats="tx on sg off tso off" ;;
	nocsum) feats="tx off sg off tso off" ;;
	esac
	ip link set xenbr0 mtu 1500
	ip link set "$vif" mtu 1500
	# shellcheck disable=SC2086 # words of ethtool -K
	ethtool -K "$vif" $feats || fail "ethtool -K $vif $feats failed"
	ip link set "$vif" mtu "$mtu"
	ip link set xenbr0 mtu "$mtu"
}

# verify_parallel_down GUEST VIF: streams of different data to the guest
# at once, which its queues' hashes spread over the queues; each must
# arrive whole. xenaccel then sends some queues' packets in the copy
# batches of another queue's thread: tx_sibling_batched counts them.
verify_parallel_down() {
	local name=$1 vif=$2 s line want=() got secs before after
	before=$(ethtool -S "$vif" | awk '$1 == "tx_sibling_batched:" { print $2 }')
	for s in $(seq 1 $par_streams); do
		want+=("$(gen $par_chunks "$s" | sha256sum | cut -d' ' -f1)")
		(gen $par_chunks "$s" | nc.openbsd -N -l -p $((5010 + s))) &
		listeners+=($!)
	done
	wait_listening $(seq 5011 $((5010 + par_streams)))
	open_go
	line=$(guest_wait "$name" par-down-sums 600) || fail "q4: no parallel streams"
	# "SUM1 ... SUMn SECONDS", the sums in stream order.
	read -r -a got <<<"$line"
	secs=${got[$par_streams]}
	for s in $(seq 0 $((par_streams - 1))); do
		[ "${got[$s]}" = "${want[$s]}" ] ||
			fail "q4: parallel stream $((s + 1)) to the guest sent ${want[$s]}, received ${got[$s]}"
	done
	stop_listeners
	summary "net-verify q4: $par_streams streams of $((par_chunks * 8)) MiB to the guest at once, each sha256 matches ($secs s)"
	if [ "$BACKEND" = xenaccel ]; then
		after=$(ethtool -S "$vif" | awk '$1 == "tx_sibling_batched:" { print $2 }')
		metric q4_tx_sibling_batched $((after - before)) packets
		[ $((after - before)) -gt 0 ] ||
			fail "q4: no packet of one queue went in another queue's copy batch ($before -> $after)"
		summary "net-verify q4: $((after - before)) packets sent in another queue's copy batch meanwhile"
	fi
}

# verify_guest QUEUES COMBOS BIG-COMBO [VIF-MTU] [TX-MAP]: with VIF-MTU,
# the toolstack sets the vif's MTU (xl's vif mtu=, the backend's "mtu"
# key), which must be the vif's MTU once connected; xenaccel's tx_map is
# TX-MAP (default 1) while the guest runs.
verify_guest() {
	local q=$1 combos=$2 big=$3 vif_mtu=${4:-} tx_map name=nv-q$1 domid vif ip n fe got combo s bad sum secs line d ops bytes ns
	local opts=(--vif)
	tx_map=$(tx_map_set "${5:-1}")
	[ -z "$vif_mtu" ] || opts=(--vif-opt "mtu=$vif_mtu")
	domid=$(guest_start "$name" --memory 512 "${opts[@]}" --env "QUEUES=$q" \
		--env "COMBOS=$combos" --env "PING_SIZES=$ping_sizes" \
		--env "CHUNKS=$small_chunks" --env "BIG_CHUNKS=$big_chunks" \
		--env "BIG_COMBO=$big" --env "PAR_STREAMS=$([ "$q" = 4 ] && echo $par_streams || echo 0)" \
		</tmp/net-verify-job)
	vif=vif$domid.0
	ip=$(guest_ip "$name")
	n=$(guest_wait "$name" net-ready 180) || fail "q$q: guest network not up"
	[ "$n" = "$q" ] || fail "q$q: the guest has $n queues"
	device_report "$domid" | tee "$SCENARIO_OUT/devices-q$q.txt"
	fe=$(xenstore-read "/local/domain/0/backend/vif/$domid/0/frontend")
	got=$(xenstore-read "$fe/multi-queue-num-queues" 2>/dev/null || echo 1)
	[ "$got" = "$q" ] || fail "q$q: frontend negotiated $got queues"
	summary "net-verify q$q negotiated: $(cut -d'|' -f2- "$SCENARIO_OUT/devices-q$q.txt")"
	if [ -n "$vif_mtu" ]; then
		got=$(xenstore-read "/local/domain/0/backend/vif/$domid/0/mtu" 2>/dev/null || echo none)
		[ "$got" = "$vif_mtu" ] || fail "q$q: the toolstack wrote mtu $got, not $vif_mtu"
		got=$(cat "/sys/class/net/$vif/mtu")
		[ "$got" = "$vif_mtu" ] || fail "q$q: $vif has MTU $got, the toolstack set $vif_mtu"
		if [ "$BACKEND" = xenaccel ]; then
			dmesg | grep -q "$vif: connected: $q queue(s), mtu $vif_mtu," ||
				fail "q$q: the backend did not connect $vif with MTU $vif_mtu"
		fi
		summary "net-verify q$q: the toolstack's mtu $vif_mtu read back from xenstore and $vif"
	fi

	for combo in $combos; do
		progress "net-verify q$q $combo"
		dom0_side "$vif" "${combo%%-*}" "${combo#*-}"
		listen_up /tmp/nv-up.sum
		listen_down $small_chunks /tmp/nv-down.sum
		open_go streams
		line=$(guest_wait "$name" "configured $combo" 120) || fail "q$q $combo: guest not configured"
		echo "q$q $combo guest: $line; vif: $(ethtool -k "$vif" | grep -E '^(tx-checksumming|scatter-gather|tcp-segmentation-offload):' | tr '\n' ' ')"
		grep -q "^mtu ${combo%%-*} " <<<"$line" || fail "q$q $combo: guest MTU not set: $line"
		! guest_console "$name" | grep -q "^@@xenaccel ethtool-failed $combo" ||
			fail "q$q $combo: ethtool -K failed in the guest"
		bad=$(guest_wait "$name" "pinged $combo" 600) || fail "q$q $combo: guest pings did not finish"
		[ "$bad" = none ] || fail "q$q $combo: guest->dom0 pings of sizes$bad failed"
		line=$(guest_wait "$name" "up-sum $combo" 600) || fail "q$q $combo: no up stream"
		read -r sum secs <<<"$line"
		wait_file /tmp/nv-up.sum 60 || fail "q$q $combo: dom0 received no stream"
		[ "$sum" = "$(cat /tmp/nv-up.sum)" ] ||
			fail "q$q $combo: guest->dom0 stream sent $sum, received $(cat /tmp/nv-up.sum)"
		line=$(guest_wait "$name" "down-sum $combo" 600) || fail "q$q $combo: no down stream"
		read -r sum secs <<<"$line"
		wait_file /tmp/nv-down.sum 60 || fail "q$q $combo: dom0 sent no stream"
		[ "$sum" = "$(cat /tmp/nv-down.sum)" ] ||
			fail "q$q $combo: dom0->guest stream sent $(cat /tmp/nv-down.sum), received $sum"
		if [ "$combo" = "$big" ]; then
			listen_up /tmp/nv-up.sum
			listen_down $big_chunks /tmp/nv-down.sum
			open_go streams
			line=$(guest_wait "$name" big-up-sum 1200) || fail "q$q: no 1 GiB up stream"
			read -r sum secs <<<"$line"
			wait_file /tmp/nv-up.sum 120 || fail "q$q: dom0 received no 1 GiB stream"
			[ "$sum" = "$(cat /tmp/nv-up.sum)" ] ||
				fail "q$q: 1 GiB guest->dom0 stream sent $sum, received $(cat /tmp/nv-up.sum)"
			summary "net-verify q$q $combo: 1 GiB guest->dom0 sha256 matches ($secs s)"
			line=$(guest_wait "$name" big-down-sum 1200) || fail "q$q: no 1 GiB down stream"
			read -r sum secs <<<"$line"
			wait_file /tmp/nv-down.sum 120 || fail "q$q: dom0 sent no 1 GiB stream"
			[ "$sum" = "$(cat /tmp/nv-down.sum)" ] ||
				fail "q$q: 1 GiB dom0->guest stream sent $(cat /tmp/nv-down.sum), received $sum"
			summary "net-verify q$q $combo: 1 GiB dom0->guest sha256 matches ($secs s)"
			[ "$q" != 4 ] || verify_parallel_down "$name" "$vif"
		fi
		guest_wait "$name" "combo-done $combo" 120 >/dev/null || fail "q$q $combo: guest did not finish"
		bad=
		for s in $ping_sizes; do
			ping -c 2 -i 0.2 -W 5 -s "$s" "$ip" >/dev/null 2>&1 ||
				ping -c 2 -i 0.2 -W 5 -s "$s" "$ip" >/dev/null 2>&1 ||
				bad="$bad $s"
		done
		[ -z "$bad" ] || fail "q$q $combo: dom0->guest pings of sizes$bad failed"
		stop_listeners
		summary "net-verify q$q $combo: pings of $(wc -w <<<"$ping_sizes") sizes both ways, ${small_chunks}x8 MiB streams both ways verified"
	done

	ethtool -S "$vif" >"$SCENARIO_OUT/ethtool-S-q$q.txt" || fail "q$q: ethtool -S $vif failed"
	summary "net-verify q$q $vif ethtool -S: $(grep -E '^ +(rx_gso_checksum_fixup|rx_packets|rx_gso|rx_dropped|rx_malformed|tx_packets|tx_gso|tx_dropped|rx_copy_hypercalls|rx_copy_ops|tx_copy_hypercalls|tx_copy_ops|tx_zerocopy_sent|tx_zerocopy_fail|tx_frag_overflow):' "$SCENARIO_OUT/ethtool-S-q$q.txt" | tr -s ' ' | tr '\n' ' ')"
	if [ "$BACKEND" = xenaccel ]; then
		cp "/sys/kernel/debug/xenaccel/netback/$vif/queues" "$SCENARIO_OUT/queues-q$q.txt"
		for s in rx_malformed rx_copy_errors tx_copy_errors rx_csum_errors rx_nomem tx_too_big rx_map_errors; do
			n=$(awk -v k="$s:" '$1 == k { print $2 }' "$SCENARIO_OUT/ethtool-S-q$q.txt")
			[ "$n" = 0 ] || fail "q$q: $vif counter $s is $n"
		done
		# What a grant copy costs here, per op and per KiB, each way.
		for d in rx tx; do
			read -r ops bytes ns < <(awk -v d="$d" '
				$1 == d "_copy_ops:" { o = $2 } $1 == d "_copy_bytes:" { b = $2 }
				$1 == d "_copy_ns:" { n = $2 } END { printf "%.0f %.0f %.0f\n", o, b, n }' \
				"$SCENARIO_OUT/ethtool-S-q$q.txt")
			[ "$ops" -gt 0 ] && [ "$ns" -gt 0 ] ||
				fail "q$q: $vif ${d}_copy_ns $ns for $ops copies"
			metric "q${q}_${d}_copy_ns_per_op" $((ns / ops)) ns
			metric "q${q}_${d}_copy_ns_per_kib" $((ns / (bytes / 1024 + 1))) ns
		done
		# Guest TX by grant map: mapped packets, and the stack gave them
		# back (copied, as it delivers to a socket in dom0, or not).
		map_report "q$q" "$tx_map" "$SCENARIO_OUT/ethtool-S-q$q.txt" "$SCENARIO_OUT/queues-q$q.txt"
		summary "net-verify q$q grant copy cost: guest TX (rx_) $(grep -E '^ +rx_copy_(ops|bytes|ns):' "$SCENARIO_OUT/ethtool-S-q$q.txt" | tr -s ' ' | tr '\n' ' '), guest RX (tx_) $(grep -E '^ +tx_copy_(ops|bytes|ns):' "$SCENARIO_OUT/ethtool-S-q$q.txt" | tr -s ' ' | tr '\n' ' ')"
	fi
	open_go
	guest_finish "$name" 120 || fail "q$q: guest job failed (see guest-$name.console)"
	stop_listeners
	ip link set xenbr0 mtu 1500
}

# map_report WHAT TX-MAP ETHTOOL-S QUEUES: xenaccel's guest-TX map
# counters and costs (from ethtool -S and debugfs) into the summary and
# metrics; with tx_map 1 or 2 some packet must have been mapped and given
# back, with 0 none mapped.
map_report() {
	local what=$1 tx_map=$2 stats=$3 queues=$4 k v
	local -A c
	while read -r k v; do
		c[${k%:}]=$v
	done < <(grep -E '^ +rx_(copied|zerocopy_[a-z]+|map_[a-z]+|unmap_[a-z]+|copy_[a-z]+):' "$stats")
	if [ "$tx_map" = 0 ]; then
		[ "${c[rx_zerocopy_sent]}" = 0 ] || fail "$what: tx_map 0 mapped ${c[rx_zerocopy_sent]} packets"
	else
		[ "${c[rx_zerocopy_sent]}" -gt 0 ] || fail "$what: tx_map $tx_map mapped no packet"
		[ $((c[rx_zerocopy_success] + c[rx_zerocopy_fail])) -gt 0 ] ||
			fail "$what: no mapped packet came back from the stack"
		[ "${c[rx_unmap_pages]}" -gt 0 ] || fail "$what: nothing unmapped"
		metric "${what}_map_ns_per_page" $((c[rx_map_ns] / c[rx_map_pages])) ns
		metric "${what}_unmap_ns_per_page" $((c[rx_unmap_ns] / c[rx_unmap_pages])) ns
		metric "${what}_stack_copied_pct" $((100 * c[rx_zerocopy_fail] / (c[rx_zerocopy_success] + c[rx_zerocopy_fail] + 1))) %
	fi
	metric "${what}_tx_copy_ns_per_kib" $((c[rx_copy_ns] / (c[rx_copy_bytes] / 1024 + 1))) ns
	summary "net-verify $what tx_map $tx_map: packets copied ${c[rx_copied]}, mapped ${c[rx_zerocopy_sent]} (given back ${c[rx_zerocopy_success]}, copied by the stack ${c[rx_zerocopy_fail]}, no map free ${c[rx_map_busy]}); maps ${c[rx_map_pages]} in ${c[rx_map_hypercalls]} hypercalls, $((c[rx_map_ns] / (c[rx_map_pages] + 1))) ns/page; unmaps ${c[rx_unmap_pages]} in ${c[rx_unmap_hypercalls]} hypercalls, $((c[rx_unmap_ns] / (c[rx_unmap_pages] + 1))) ns/page; grant copy $((c[rx_copy_ns] / (c[rx_copy_bytes] / 1024 + 1))) ns/KiB"
	summary "net-verify $what cost estimates per queue (ns): $(sed -n 's/^  tx cost //p' "$queues" | tr '\n' ';')"
}

# The guests that let xenaccel choose (tx_map 1) first, then the one that
# maps everything it can.
verify_guest 1 "1500-nosg 9000-on" "" 9000
verify_guest 2 "1500-nocsum 9000-nogso" ""
verify_guest 4 "$combos_full" 1500-on "" 2

# Guest to guest across xenbr0, 32 MiB with sha256 compared: with xenaccel's
# tx_map 2, the sender's mapped pages go to the receiver's vif, whose guest
# RX copies straight from them: the zero-copy path that saves a copy.
progress "net-verify guest to guest"
tx_map=$(tx_map_set 2)
guest_start nv-g2g-rx --vif <<'JOB' >/dev/null
modprobe xen-netfront
net_up
say ready
nc.openbsd -l -p 5003 </dev/null | sha256sum | cut -d' ' -f1 >/tmp/sum
say sum "$(cat /tmp/sum)"
JOB
rx_ip=$(guest_ip nv-g2g-rx)
guest_wait nv-g2g-rx ready 180 >/dev/null || fail "g2g: receiver network not up"
snd=$(guest_start nv-g2g-tx --vif --env "PEER=$rx_ip" <<'JOB'
modprobe xen-netfront
net_up
head -c 33554432 /dev/urandom >/tmp/blob
say sent "$(sha256sum </tmp/blob | cut -d' ' -f1)"
t=0
until nc.openbsd -N "$PEER" 5003 </tmp/blob; do
	[ $t -lt 30 ] || exit 1
	sleep 1
	t=$((t + 1))
done
say done
sleep 20
JOB
)
sent=$(guest_wait nv-g2g-tx sent 180) || fail "g2g: sender not up"
got=$(guest_wait nv-g2g-rx sum 300) || fail "g2g: receiver got no stream"
[ "$sent" = "$got" ] || fail "g2g: sent $sent, received $got"
guest_wait nv-g2g-tx done 60 >/dev/null || fail "g2g: sender did not finish"
if [ "$BACKEND" = xenaccel ]; then
	ethtool -S "vif$snd.0" >"$SCENARIO_OUT/ethtool-S-g2g.txt"
	cp "/sys/kernel/debug/xenaccel/netback/vif$snd.0/queues" "$SCENARIO_OUT/queues-g2g.txt"
	n=$(awk '$1 == "rx_zerocopy_success:" { print $2 }' "$SCENARIO_OUT/ethtool-S-g2g.txt")
	[ "$tx_map" = 0 ] || [ "${n:-0}" -gt 0 ] ||
		fail "g2g: no mapped packet reached the other guest without a copy"
	map_report g2g "$tx_map" "$SCENARIO_OUT/ethtool-S-g2g.txt" "$SCENARIO_OUT/queues-g2g.txt"
	summary "net-verify guest to guest, tx_map $tx_map: 32 MiB sha256 matches"
else
	summary "net-verify guest to guest: 32 MiB sha256 matches"
fi
guest_finish nv-g2g-tx 120 || fail "g2g: sender job failed"
guest_finish nv-g2g-rx 120 || fail "g2g: receiver job failed"
if [ "$BACKEND" = xenaccel ]; then
	t=0
	until netback_held_zero; do
		[ $t -lt 90 ] || fail "held after every guest went: $(netback_held)"
		sleep 1
		t=$((t + 1))
	done
	summary "net-verify: nothing held once the guests went ($t s): $(netback_held)"
fi
