# SPDX-License-Identifier: GPL-2.0
# about: disk lifecycle: guest shutdown, xl destroy mid-I/O, block-detach and block-attach while the guest runs, the guest unbinding and rebinding blkfront (reconnect), unloading the backend with nothing connected; each leaves no backend device and no persistent grant behind
# timeout: 1500

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug

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
domid=$(guest_start life-destroy --disk /dev/ram0 <<'JOB'
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

# 4. The guest disconnects and reconnects its frontend, then verifies: a
# new connection must not see mappings of the old one.
domid=$(guest_start life-reconnect --disk /dev/ram0 <<'JOB'
modprobe xen-blkfront
wait_dev /dev/xvdb
fio --name=a --filename=/dev/xvdb --rw=randwrite --bs=4k --iodepth=16 \
	--direct=1 --ioengine=libaio --size=16M --verify=crc32c --eta=never
echo vbd-51728 >/sys/bus/xen/drivers/vbd/unbind
while [ -e /dev/xvdb ]; do sleep 1; done
say unbound
echo vbd-51728 >/sys/bus/xen/drivers/vbd/bind
wait_dev /dev/xvdb
say rebound
fio --name=b --filename=/dev/xvdb --rw=randwrite --bs=4k --iodepth=16 \
	--direct=1 --ioengine=libaio --size=16M --verify=crc32c --verify_fatal=1 --eta=never
JOB
)
guest_wait life-reconnect unbound 300 >/dev/null
guest_wait life-reconnect rebound 120 >/dev/null
backend_check "$domid" || fail "reconnect: not served by $BACKEND after rebinding"
guest_finish life-reconnect 300 || fail "reconnect: verify after reconnect failed"
nothing_left "$domid" reconnect

# 5. Unload and reload the backend with nothing connected.
if [ "$BACKEND" = xenaccel ]; then
	# rmmod: modprobe -r would also try the core, which netback holds.
	rmmod xenaccel_blkback || fail "unload: rmmod xenaccel_blkback failed"
	modprobe xenaccel_blkback || fail "unload: reloading xenaccel_blkback failed"
	summary "blk-lifecycle unload: xenaccel_blkback unloaded and reloaded"
fi
