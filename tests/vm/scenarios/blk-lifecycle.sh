# SPDX-License-Identifier: GPL-2.0
# about: disk lifecycle: guest shutdown, xl destroy mid-I/O, block-detach and block-attach while the guest runs, the guest unbinding blkfront (backend closes and unmaps, device kept), online resize of a file-backed disk while the guest uses it, unloading the backend with nothing connected; each leaves no backend device and no persistent grant behind
# timeout: 1500

# gcache KEY: xenaccel's totals over every persistent grant cache.
gcache() { awk -v k="$1" '$1 == k { print $2 }' /sys/kernel/debug/xenaccel/gcache; }

# nothing_left DOMID WHAT: the guest's backend devices are gone and, with
# xenaccel, no persistent grant is mapped any more.
nothing_left() {
	local t=0
	while ls /sys/bus/xen-backend/devices/ | grep -q "^vbd-$1-"; do
		[ $t -lt 60 ] || fail "$2: backend device of domain $1 still there after 60 s"
		sleep 1
		t=$((t + 1))
	done
	if [ "$BACKEND" = xenaccel ]; then
		[ "$(gcache caches)" = 0 ] && [ "$(gcache budget_used)" = 0 ] ||
			fail "$2: persistent grants left: $(tr '\n' ' ' </sys/kernel/debug/xenaccel/gcache)"
	fi
	summary "blk-lifecycle $2: backend device gone after $t s, nothing left mapped"
}

# 1. A clean shutdown after some I/O.
domid=$(guest_start life-shutdown --disk /dev/ram0 <<'JOB'
modprobe xen-blkfront
wait_dev /dev/xvdb
fio --name=w --filename=/dev/xvdb --rw=randwrite --bs=4k --iodepth=16 \
	--direct=1 --ioengine=libaio --size=16M --verify=crc32c --eta=never
JOB
)
guest_finish life-shutdown 300 || fail "shutdown: guest job failed"
nothing_left "$domid" shutdown

# 2. xl destroy while fio is writing.
# blkfront with persistent grants preallocates a page per grant it may
# use: 16-page rings and 256 segments take about 1 GiB of a 2-queue guest.
domid=$(guest_start life-destroy --memory 2048 --disk /dev/ram0 <<'JOB'
modprobe xen-blkfront max_ring_page_order=4 max_indirect_segments=256
wait_dev /dev/xvdb
say io-started
fio --name=w --filename=/dev/xvdb --rw=randrw --bs=64k --iodepth=32 \
	--direct=1 --ioengine=libaio --size=256M --time_based --runtime=600 --eta=never
JOB
)
guest_wait life-destroy io-started 180 >/dev/null
sleep 5
[ "$BACKEND" != xenaccel ] ||
	echo "in flight before destroy: $(cat /sys/bus/xen-backend/devices/vbd-$domid-51728/statistics/inflight)"
timeout 60 xl destroy life-destroy || fail "destroy: xl destroy failed"
nothing_left "$domid" destroy-mid-io

# 3. Detach a disk from a running guest, attach another in its place.
domid=$(guest_start life-hotplug --disk /dev/ram0 --disk /dev/ram1 <<'JOB'
modprobe xen-blkfront
wait_dev /dev/xvdc
say ready
while [ -e /dev/xvdc ]; do sleep 1; done
say detached
wait_dev /dev/xvdc 120
say attached
fio --name=v --filename=/dev/xvdc --rw=randwrite --bs=16k --iodepth=16 \
	--direct=1 --ioengine=libaio --size=32M --verify=crc32c --verify_fatal=1 --eta=never
JOB
)
guest_wait life-hotplug ready 180 >/dev/null
timeout 60 xl block-detach "$domid" xvdc || fail "hotplug: block-detach failed"
guest_wait life-hotplug detached 60 >/dev/null
! [ -e "/sys/bus/xen-backend/devices/vbd-$domid-51744" ] || fail "hotplug: vbd-$domid-51744 still there"
timeout 60 xl block-attach "$domid" 'format=raw, vdev=xvdc, access=rw, target=/dev/ram1' ||
	fail "hotplug: block-attach failed"
guest_wait life-hotplug attached 120 >/dev/null
backend_check "$domid" || fail "hotplug: the attached disk is not served by $BACKEND"
guest_finish life-hotplug 300 || fail "hotplug: fio on the re-attached disk failed"
nothing_left "$domid" hotplug

# 4. Online resize: grow the file behind a loop device while the guest
# reads from the disk; the guest must see the new size and verify data
# written past the old end.
resize_file=/var/lib/xenaccel-resize.img
truncate -s 0 "$resize_file"
truncate -s 64M "$resize_file"
resize_loop=$(losetup --find --show "$resize_file")
at_exit "losetup -d $resize_loop; rm -f $resize_file"
domid=$(guest_start life-resize --disk "$resize_loop" <<'JOB'
modprobe xen-blkfront
wait_dev /dev/xvdb
say size "$(cat /sys/block/xvdb/size)"
# The backend notices a new size when it serves a request: keep reading.
t=0
while [ "$(cat /sys/block/xvdb/size)" = 131072 ]; do
	[ $t -lt 120 ] || { say resize-not-seen; exit 1; }
	dd if=/dev/xvdb of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null
	sleep 1
	t=$((t + 1))
done
say resized "$(cat /sys/block/xvdb/size)"
fio --name=grown --filename=/dev/xvdb --rw=randwrite --bs=64k --iodepth=8 \
	--direct=1 --ioengine=libaio --offset=60M --size=68M --verify=crc32c \
	--verify_fatal=1 --eta=never
JOB
)
size=$(guest_wait life-resize size 180) || fail "resize: guest did not see its disk"
[ "$size" = 131072 ] || fail "resize: guest sees $size sectors, want 131072"
truncate -s 128M "$resize_file"
losetup -c "$resize_loop"
size=$(guest_wait life-resize resized 180) || fail "resize: the guest never saw the new size"
[ "$size" = 262144 ] || fail "resize: guest sees $size sectors after growing, want 262144"
guest_finish life-resize 300 || fail "resize: verify across the old end failed"
summary "blk-lifecycle resize: the guest saw 64 MiB grow to 128 MiB while it ran and verified across the old end"
nothing_left "$domid" resize

# 5. Unload and reload the backend with nothing connected.
if [ "$BACKEND" = xenaccel ]; then
	# rmmod: modprobe -r would also try the core, which netback holds.
	rmmod xenaccel_blkback || fail "unload: rmmod xenaccel_blkback failed"
	modprobe xenaccel_blkback || fail "unload: reloading xenaccel_blkback failed"
	summary "blk-lifecycle unload: xenaccel_blkback unloaded and reloaded"
fi

# 6. The guest unbinds blkfront after writing: the backend closes the
# connection and unmaps everything, while the device stays (the toolstack
# still has it online). Stock blkfront cannot be bound again (its probe
# never returns to Initialising, and it connects only from there), with
# any backend; a frontend reconnect is proven by blk-frontend (xafront
# reconnects through new pages under reused grant refs) and by blk-faults
# (save and restore reconnect blkfront to a new backend device).
domid=$(guest_start life-unbind --disk /dev/ram0 <<'JOB'
modprobe xen-blkfront
wait_dev /dev/xvdb
fio --name=a --filename=/dev/xvdb --rw=randwrite --bs=4k --iodepth=16 \
	--direct=1 --ioengine=libaio --size=16M --verify=crc32c --eta=never
echo vbd-51728 >/sys/bus/xen/drivers/vbd/unbind
while [ -e /dev/xvdb ]; do sleep 1; done
say unbound
sleep 20
JOB
)
guest_wait life-unbind unbound 300 >/dev/null || fail "unbind: the guest could not unbind blkfront"
be=/local/domain/0/backend/vbd/$domid/51728
t=0
until [ "$(xenstore-read "$be/state")" = 6 ]; do
	[ $t -lt 30 ] || fail "unbind: backend in state $(xenstore-read "$be/state"), not Closed, 30 s after the frontend left"
	sleep 1
	t=$((t + 1))
done
[ -e "/sys/bus/xen-backend/devices/vbd-$domid-51728" ] ||
	fail "unbind: the backend device went away although the disk is still online"
if [ "$BACKEND" = xenaccel ]; then
	[ "$(gcache caches)" = 0 ] && [ "$(gcache budget_used)" = 0 ] ||
		fail "unbind: persistent grants left: $(tr '\n' ' ' </sys/kernel/debug/xenaccel/gcache)"
fi
summary "blk-lifecycle unbind: backend Closed $t s after blkfront left, device kept, nothing mapped"
guest_finish life-unbind 300 || fail "unbind: guest job failed"
nothing_left "$domid" unbind
