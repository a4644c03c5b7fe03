# SPDX-License-Identifier: GPL-2.0
# about: disk faults: a backing device that fails (dm-error: the guest sees EIO, nothing hangs, the backend counts it), xl save + restore under fio verify, block-detach of a disk being written, dom0 memory pressure (the persistent-grant shrinker gives mappings back), and BLK_CYCLES (default 50) attach/detach cycles with no growth of dom0 memory, mappings or xenstore nodes
# timeout: 1800
# timeout-per: BLK_CYCLES 6 50

cycles=${BLK_CYCLES:-50}

# gcache KEY: xenaccel's totals over every persistent grant cache.
gcache() { awk -v k="$1" '$1 == k { print $2 }' /sys/kernel/debug/xenaccel/gcache; }
# bstat DOMID DEVID NAME: one of xenaccel_blkback's counters for a disk.
bstat() { cat "/sys/bus/xen-backend/devices/vbd-$1-$2/statistics/$3"; }
xa() { [ "$BACKEND" = xenaccel ]; }

# gone DOMID DEVID WHAT: the backend device went away within 60 s.
gone() {
	local t=0
	# Short naps: the attach/detach cycles wait here a thousand times.
	while [ -e "/sys/bus/xen-backend/devices/vbd-$1-$2" ]; do
		[ $t -lt 300 ] || fail "$3: vbd-$1-$2 still there after 60 s"
		sleep 0.2
		t=$((t + 1))
	done
}

# nothing_mapped WHAT: no persistent grant cache and nothing in the budget.
nothing_mapped() {
	xa || return 0
	[ "$(gcache caches)" = 0 ] && [ "$(gcache budget_used)" = 0 ] ||
		fail "$1: persistent grants left: $(tr '\n' ' ' </sys/kernel/debug/xenaccel/gcache)"
}

# connected DOMID DEVID: both ends of a disk reached Connected (60 s).
connected() {
	local be=/local/domain/0/backend/vbd/$1/$2 t=0
	until [ "$(xenstore-read "$be/state" 2>/dev/null)" = 4 ] &&
		[ "$(xenstore-read "$(xenstore-read "$be/frontend")/state" 2>/dev/null)" = 4 ]; do
		[ $t -lt 300 ] || return 1
		sleep 0.2
		t=$((t + 1))
	done
}

# 1. The backing device fails in the middle: dm-error over 16 MiB of a
# 64 MiB device. Reads and writes there end in EIO in the guest, quickly;
# the rest of the disk keeps its data.
modprobe dm_mod
dmsetup create xa-faulty <<'EOF'
0 65536 linear /dev/ram1 0
65536 32768 error
98304 32768 linear /dev/ram1 98304
EOF
# dom0 runs no udev: make the /dev/mapper node ourselves.
dmsetup mknodes xa-faulty
at_exit "dmsetup remove xa-faulty"
domid=$(guest_start fault-eio --disk /dev/mapper/xa-faulty <<'JOB'
modprobe xen-blkfront
wait_dev /dev/xvdb
dd if=/dev/urandom of=/tmp/good bs=1M count=8 2>/dev/null
dd if=/tmp/good of=/dev/xvdb bs=1M oflag=direct 2>/dev/null
bad=0
# 36 MiB in: inside the failing range.
fio --name=rd --filename=/dev/xvdb --rw=read --bs=4k --size=64k --offset=36M \
	--direct=1 --ioengine=psync --eta=never && bad=$((bad + 1))
fio --name=wr --filename=/dev/xvdb --rw=write --bs=64k --size=256k --offset=36M \
	--direct=1 --ioengine=libaio --iodepth=4 --eta=never && bad=$((bad + 1))
say eio-seen "$bad"
cmp -n 8388608 /tmp/good /dev/xvdb || { say good-data-lost; exit 1; }
say good-data-kept
sleep 15
JOB
)
n=$(guest_wait fault-eio eio-seen 240) || fail "eio: the guest's I/O to the failing range did not end"
[ "$n" = 0 ] || fail "eio: $n of 2 I/Os to the failing range succeeded"
guest_wait fault-eio good-data-kept 60 >/dev/null || fail "eio: data outside the failing range changed"
if xa; then
	errs=$(bstat "$domid" 51728 errors)
	[ "$errs" -gt 0 ] || fail "eio: the backend counted no failed request"
	[ "$(bstat "$domid" 51728 bad_req)" = 0 ] || fail "eio: device errors were counted as malformed requests"
	summary "blk-faults eio: the guest saw EIO in the failing range and kept its data elsewhere; backend errors=$errs bad_req=0"
else
	summary "blk-faults eio: the guest saw EIO in the failing range and kept its data elsewhere"
fi
guest_finish fault-eio 120 || fail "eio: guest job failed"
gone "$domid" 51728 eio
nothing_mapped eio

# 2. xl save + xl restore while fio writes with verify: requests in
# flight at the suspend are replayed on the new connection, and a
# verify-only pass after restore reads back every block written.
save=/var/lib/xenaccel-save.chk
at_exit "rm -f $save"
domid=$(guest_start fault-save --disk /dev/ram0 <<'JOB'
modprobe xen-blkfront
wait_dev /dev/xvdb
job="--name=sr --filename=/dev/xvdb --rw=randwrite --bs=16k --iodepth=16 --direct=1 --ioengine=libaio --size=64M --verify=crc32c --verify_fatal=1 --eta=never"
say io-started
# Slow enough that the save lands in the middle of the writes.
fio $job --rate_iops=200 --do_verify=0
say written
fio $job --verify_only
say verified
JOB
)
guest_wait fault-save io-started 180 >/dev/null || fail "save: guest did not start"
sleep 6
t0=$(date +%s)
xl save fault-save "$save" || fail "save: xl save failed"
gone "$domid" 51728 save
nothing_mapped save
xl restore "$save" || fail "save: xl restore failed"
domid=$(xl domid fault-save) || fail "save: no domain after restore"
metric save-restore-seconds $(($(date +%s) - t0)) s
connected "$domid" 51728 || fail "save: the restored guest's disk did not reconnect"
backend_check "$domid" >/dev/null || fail "save: the restored disk is not served by $BACKEND"
guest_wait fault-save written 300 >/dev/null || fail "save: writes did not finish after restore"
guest_finish fault-save 300 || fail "save: verify after restore failed (see guest-fault-save.console)"
summary "blk-faults save: xl save + restore in the middle of fio's writes; every block verified after restore"
gone "$domid" 51728 save-end
nothing_mapped save-end

# 3. block-detach of a disk while the guest writes to it: the guest's
# I/O may fail, but the detach completes, nothing stays mapped, and a
# disk attached in its place works.
# Large rings with persistent grants: blkfront preallocates ~0.5 GiB per
# queue of each disk, so one queue each keeps two disks within 2 GiB.
domid=$(guest_start fault-detach --memory 2048 --disk /dev/ram0 --disk /dev/ram1 <<'JOB'
modprobe xen-blkfront max_ring_page_order=4 max_indirect_segments=256 max_queues=1
wait_dev /dev/xvdc
say io-started
fio --name=busy --filename=/dev/xvdc --rw=randwrite --bs=64k --iodepth=32 \
	--direct=1 --ioengine=libaio --size=256M --time_based --runtime=600 --eta=never || true
say io-ended
while [ -e /dev/xvdc ]; do sleep 1; done
wait_dev /dev/xvdc 180
say reattached
fio --name=v --filename=/dev/xvdc --rw=randwrite --bs=16k --iodepth=16 --direct=1 \
	--ioengine=libaio --size=32M --verify=crc32c --verify_fatal=1 --eta=never
JOB
)
guest_wait fault-detach io-started 180 >/dev/null || fail "detach: guest did not start"
sleep 5
if ! timeout 90 xl block-detach "$domid" xvdc; then
	echo "block-detach refused while in use; forcing"
	timeout 90 xl block-detach -f "$domid" xvdc || fail "detach: block-detach -f failed"
fi
gone "$domid" 51744 detach
guest_wait fault-detach io-ended 120 >/dev/null || fail "detach: the guest's fio did not end after the detach"
timeout 60 xl block-attach "$domid" 'format=raw, vdev=xvdc, access=rw, target=/dev/ram1' ||
	fail "detach: block-attach failed"
guest_wait fault-detach reattached 180 >/dev/null || fail "detach: the guest did not see the new disk"
guest_finish fault-detach 300 || fail "detach: verify on the re-attached disk failed"
summary "blk-faults detach: block-detach under 32-deep writes completed; the re-attached disk verified"
gone "$domid" 51728 detach-end
nothing_mapped detach-end

# 4. Memory pressure: reclaim (drop_caches runs every shrinker) takes
# idle persistent grants back, and the guest's data stays right.
domid=$(guest_start fault-shrink --memory 2048 --disk /dev/ram0 <<'JOB'
modprobe xen-blkfront max_ring_page_order=4 max_indirect_segments=256
wait_dev /dev/xvdb
job="--name=s --filename=/dev/xvdb --rw=randwrite --bs=4k --iodepth=64 --direct=1 --ioengine=libaio --size=64M --verify=crc32c --verify_fatal=1 --eta=never"
fio $job --do_verify=0
say idle
# dom0 runs reclaim as soon as it reads "idle".
sleep 30
fio $job --verify_only
JOB
)
guest_wait fault-shrink idle 300 >/dev/null || fail "shrink: guest did not finish writing"
if xa; then
	before=$(gcache entries)
	echo 2 >/proc/sys/vm/drop_caches
	after=$(gcache entries)
	metric shrink-entries-before "$before"
	metric shrink-entries-after "$after"
	[ "$before" -gt 0 ] || fail "shrink: no persistent grant to reclaim"
	[ "$after" -lt "$before" ] || fail "shrink: reclaim left $after of $before persistent grants"
	summary "blk-faults shrink: reclaim took persistent grants from $before to $after; evictions=$(bstat "$domid" 51728 pgnt_evictions)"
fi
guest_finish fault-shrink 300 || fail "shrink: verify after reclaim failed"
gone "$domid" 51728 shrink
nothing_mapped shrink

# 5. Attach/detach cycles on a running guest: no growth of unreclaimable
# slab, vmalloc'd ring mappings or xenstore nodes.
domid=$(guest_start fault-cycles --disk /dev/ram0 <<'JOB'
modprobe xen-blkfront
wait_dev /dev/xvdb
say ready
sleep 100000
JOB
)
guest_wait fault-cycles ready 180 >/dev/null || fail "cycles: guest did not start"
cycle() {
	timeout 60 xl block-attach "$domid" 'format=raw, vdev=xvdc, access=rw, target=/dev/ram1' ||
		fail "cycles: block-attach $1 failed"
	connected "$domid" 51744 || fail "cycles: attach $1 did not connect"
	timeout 60 xl block-detach "$domid" xvdc || fail "cycles: block-detach $1 failed"
	gone "$domid" 51744 "cycle $1"
}
cycles_check "blk-faults cycles" "$cycles" cycle
xl destroy fault-cycles
gone "$domid" 51728 cycles-end
# Only now: the guest's own disk kept its rings (and caches) until here.
nothing_mapped cycles
