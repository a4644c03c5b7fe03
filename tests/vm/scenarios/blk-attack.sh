# SPDX-License-Identifier: GPL-2.0
# about: a hostile blkif frontend (xafront) against the backend, one attack per XSA class (malformed segments, sectors, operations, indirect and discard requests, bad grants, double fetch, producer overrun, event storm, state flapping, absurd keys, writes to a read-only disk), while a second guest's fio verify runs; per attack: the expected responses and counters, no spinning worker, and after the attacker disconnects nothing left mapped
# timeout: 1800

# BLK_ATTACK_MODES (set by a wrapper scenario) runs a subset.
MODES=${BLK_ATTACK_MODES:-"rw bad-segs bad-sect beyond bad-op indirect discard bad-gref dup-gref double-fetch storm overflow overflow-wrap overflow-far state-flap bad-keys"}
# Malformed requests (xenaccel counts them in bad_req).
MALFORMED="bad-segs bad-sect beyond bad-op indirect"

gcache() { awk -v k="$1" '$1 == k { print $2 }' /sys/kernel/debug/xenaccel/gcache; }
stat_of() { cat "/sys/bus/xen-backend/devices/vbd-$attacker-$1/statistics/$2" 2>/dev/null || echo -; }
be_state() { xenstore-read "/local/domain/0/backend/vbd/$attacker/$1/state" 2>/dev/null || echo -; }

# ring_cpu DOMID: CPU ticks used so far by the backend's ring threads of
# the domain (xenaccel "xablk.D.H.Q", in-tree "blkback.D.xvdX-Q").
ring_cpu() {
	local t=0 p comm
	for p in /proc/[0-9]*; do
		comm=$(cat "$p/comm" 2>/dev/null) || continue
		case $comm in
		"xablk.$1."* | "blkback.$1."*)
			t=$((t + $(awk '{ print $14 + $15 }' "$p/stat" 2>/dev/null || echo 0))) ;;
		esac
	done
	echo $t
}

failures=()
bad() {
	echo "CHECK FAILED: $*"
	failures+=("$*")
}

# The victim: fio write+verify rounds on its own disk until dom0 says stop.
victim=$(guest_start victim --disk /dev/ram1 <<'JOB'
modprobe xen-blkfront feature_persistent=0
wait_dev /dev/xvdb
say victim-ready
n=0
while ! dom0_said stop; do
	fio --name=v$n --filename=/dev/xvdb --rw=randwrite --bs=4k --iodepth=8 \
		--direct=1 --ioengine=libaio --size=8M --offset=$(( (n % 16) * 8 ))M \
		--verify=crc32c --verify_fatal=1 --eta=never --output=/tmp/fio.out ||
		{ cat /tmp/fio.out; exit 1; }
	n=$((n + 1))
done
say victim-rounds $n
JOB
)
guest_wait victim victim-ready 180 >/dev/null || fail "victim did not start"

expect=
[ "$BACKEND" = xenaccel ] && expect=--expect-close
attacker=$(guest_start attacker --disk /dev/ram0 --env "MODES=$MODES" --env "EXPECT=$expect" <<'JOB'
modprobe xen-gntalloc
modprobe xen-evtchn
t=0
dom=$(xafront xs-read domid)
while ! xafront xs-read /local/domain/$dom/device/vbd/51744/backend >/dev/null 2>&1; do
	[ $t -lt 120 ] || { echo "no read-only disk attached"; exit 1; }
	sleep 1
	t=$((t + 1))
done
rc=0
xafront blk --sync $EXPECT $MODES || rc=1
xafront blk --sync --dev 51744 ro-disk || rc=1
exit $rc
JOB
)

# A read-only disk for the ro-disk attack: a loop device (both RAM disks
# are taken) that the toolstack attaches with access=ro.
modprobe loop
truncate -s 64M /tmp/ro-disk.img
rodev=$(losetup -f --show -r /tmp/ro-disk.img)
at_exit "losetup -d $rodev"
xl block-attach "$attacker" "format=raw, vdev=xvdc, access=ro, target=$rodev" ||
	fail "block-attach of the read-only disk failed"

ack() { xenstore-write "/local/domain/$attacker/data/xafront-ack" "$1"; }

for m in $MODES ro-disk; do
	dev=51728
	[ "$m" = ro-disk ] && dev=51744
	progress "blk-attack: $m"
	tool=$(guest_wait attacker "stats-$m" 900) || { bad "$m: the attacker did not get through"; break; }
	guest_wait attacker "sync-$m-attacked" 60 >/dev/null || { bad "$m: no sync"; break; }
	echo "== $m: attacker says: $tool; backend state $(be_state $dev)"

	# With the attack still on: the backend's view.
	if [ "$BACKEND" = xenaccel ] && [ -d "/sys/bus/xen-backend/devices/vbd-$attacker-$dev/statistics" ]; then
		errs=$(stat_of $dev errors)
		tool_errs=$(echo "$tool" | sed -n 's/.*errors=\([0-9]*\).*/\1/p')
		echo "   errors=$errs bad_req=$(stat_of $dev bad_req) map_errors=$(stat_of $dev map_errors) inflight=$(stat_of $dev inflight) pgnt_entries=$(stat_of $dev pgnt_entries)"
		case $m in overflow*) ;; *)
			[ "$errs" = "$tool_errs" ] || bad "$m: backend counted $errs error responses, the attacker saw $tool_errs"
			[ "$(stat_of $dev inflight)" = 0 ] || bad "$m: $(stat_of $dev inflight) requests still in flight"
			;;
		esac
		case " $MALFORMED " in *" $m "*)
			[ "$(stat_of $dev bad_req)" -gt 0 ] || bad "$m: bad_req did not count the malformed requests" ;;
		esac
		[ "$m" != bad-gref ] || [ "$(stat_of $dev map_errors)" -gt 0 ] || bad "$m: map_errors stayed 0"
	fi
	case $m in
	overflow*)
		# The ring is dead and the attacker keeps notifying: no thread may spin.
		[ "$BACKEND" != xenaccel ] || [ "$(be_state $dev)" = 5 ] ||
			bad "$m: backend state $(be_state $dev), want 5 (Closing)"
		c0=$(ring_cpu "$attacker"); sleep 3; c1=$(ring_cpu "$attacker")
		echo "   ring threads used $((c1 - c0)) ticks in 3 s"
		metric "$m-ring-cpu-ticks-3s" $((c1 - c0)) ticks
		[ $((c1 - c0)) -lt 100 ] || bad "$m: ring threads used $((c1 - c0)) ticks in 3 s (spinning?)"
		;;
	storm)
		c0=$(ring_cpu "$attacker"); t0=$(date +%s%N)
		xl list >/dev/null
		t1=$(date +%s%N); sleep 3; c1=$(ring_cpu "$attacker")
		echo "   during the storm: xl list took $(((t1 - t0) / 1000000)) ms, ring threads $((c1 - c0)) ticks in 3 s"
		metric storm-xl-list-ms $(((t1 - t0) / 1000000)) ms
		metric storm-ring-cpu-ticks-3s $((c1 - c0)) ticks
		[ $(((t1 - t0) / 1000000)) -lt 10000 ] || bad "storm: xl list took $(((t1 - t0) / 1000000)) ms"
		[ $((c1 - c0)) -lt 150 ] || bad "storm: ring threads used $((c1 - c0)) ticks in 3 s"
		;;
	esac
	ack "$m-attacked"

	# After the attacker closed: the device waits for a new frontend and
	# nothing of the attacker's stays mapped.
	guest_wait attacker "sync-$m-closed" 120 >/dev/null || { bad "$m: no close"; break; }
	[ "$(be_state $dev)" = 2 ] || bad "$m: backend state $(be_state $dev) after close, want 2 (InitWait)"
	if [ "$BACKEND" = xenaccel ]; then
		[ "$(gcache caches)" = 0 ] && [ "$(gcache entries)" = 0 ] && [ "$(gcache budget_used)" = 0 ] ||
			bad "$m: persistent grants left after close: $(tr '\n' ' ' </sys/kernel/debug/xenaccel/gcache)"
	fi
	ack "$m-closed"
	res=$(guest_wait attacker "result-$m" 60) || { bad "$m: no result"; break; }
	echo "   result: $res"
	summary "blk-attack $m: $res"
	case $res in PASS*) ;; *) bad "$m: the attacker reports $res" ;; esac
done

guest_signal "$victim" stop
rounds=$(guest_wait victim victim-rounds 300) || bad "victim: fio failed while attacked (see guest-victim.console)"
metric victim-fio-rounds "${rounds:-0}"
summary "blk-attack victim: ${rounds:-no} fio verify rounds passed on its own disk meanwhile"
guest_finish victim 120 || bad "victim's job failed"
guest_finish attacker 120 || bad "attacker's job failed"

if [ "$BACKEND" = xenaccel ]; then
	[ "$(gcache caches)" = 0 ] && [ "$(gcache budget_used)" = 0 ] ||
		bad "persistent grants left at the end: $(tr '\n' ' ' </sys/kernel/debug/xenaccel/gcache)"
fi
# A grant dom0 still maps keeps a destroyed domain around as "(null)".
for _ in $(seq 30); do
	xl list | awk '$1 == "(null)"' | grep -q . || break
	sleep 1
done
! xl list | awk '$1 == "(null)"' | grep -q . || bad "a destroyed domain lingers: grants still mapped?"

[ ${#failures[@]} = 0 ] || fail "${#failures[@]} checks failed: ${failures[*]}"
