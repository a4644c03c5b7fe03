# SPDX-License-Identifier: GPL-2.0
# about: disk integrity: fio crc32c verify over random and sequential mixes (512 B to 1 MiB, iodepth 1 to 64, several jobs) on a brd disk, a file-backed disk and a disk with 4096-byte sectors, with blkfront's defaults and with 16-page rings and 256 indirect segments; ext4 mkfs, write, fsck, read back; discard; the negotiated features and the backend's counters
# timeout: 2400

file_disk=/var/lib/xenaccel-verify.img
truncate -s 0 "$file_disk"
truncate -s 384M "$file_disk"
at_exit "rm -f $file_disk"
# A disk with 4096-byte logical sectors: a loop device over another file.
sector4k_file=/var/lib/xenaccel-4k.img
truncate -s 0 "$sector4k_file"
truncate -s 128M "$sector4k_file"
sector4k_disk=$(losetup --sector-size 4096 --find --show "$sector4k_file")
at_exit "losetup -d $sector4k_disk; rm -f $sector4k_file"

cat >/tmp/blk-verify-job <<'JOB'
fails=0
# fio_verify NAME DEVICE FIO-ARGS...: write, verify as it goes and at the
# end; crc32c checks every block read against what was written.
fio_verify() {
	name=$1
	dev=$2
	shift 2
	if ! fio --name="$name" --filename="$dev" --ioengine=libaio --direct=1 \
		--verify=crc32c --verify_fatal=1 --do_verify=1 --eta=never \
		--output-format=json --output="/tmp/$name.json" "$@"; then
		fails=$((fails + 1))
		say fio-failed "$name"
	fi
	say_file "fio-$name" "/tmp/$name.json"
}
modprobe xen-blkfront $BLKFRONT_PARAMS
wait_dev /dev/xvdb
wait_dev /dev/xvdc
wait_dev /dev/xvdd
say disk-ready
say sector-sizes "$(cat /sys/block/xvdb/queue/logical_block_size)" \
	"$(cat /sys/block/xvdd/queue/logical_block_size)"
for d in xvdb xvdc; do
	fio_verify "$d-seq1m" "/dev/$d" --rw=write --bs=1M --iodepth=8 --size=128M
	fio_verify "$d-rand512" "/dev/$d" --rw=randwrite --bs=512 --iodepth=1 --size=1M
	fio_verify "$d-rand4k" "/dev/$d" --rw=randwrite --bs=4k --iodepth=32 \
		--numjobs=4 --offset_increment=32M --size=16M --verify_backlog=128 --group_reporting
	# Sizes from 512 B to 1 MiB in one stream; overlapping writes are
	# serialised so that every block has one expected content.
	fio_verify "$d-mixed" "/dev/$d" --rw=randwrite \
		--bssplit=512/10:4k/30:16k/20:64k/20:256k/10:1m/10 --iodepth=64 \
		--numjobs=2 --offset_increment=128M --size=96M --norandommap \
		--serialize_overlap=1 --verify_backlog=64 --group_reporting
done
# 4096-byte sectors: whole sectors only, up to 1 MiB.
fio_verify xvdd-rand4k /dev/xvdd --rw=randwrite --bs=4k --iodepth=32 --size=32M
fio_verify xvdd-mixed /dev/xvdd --rw=randwrite --bssplit=4k/40:64k/30:1m/30 \
	--iodepth=16 --size=64M --norandommap --serialize_overlap=1 --verify_backlog=64
# Discard on the file-backed disk (a loop device punches holes): the
# range reads back as zeros.
if [ "$(cat /sys/block/xvdc/queue/discard_max_bytes)" -gt 0 ]; then
	dd if=/dev/urandom of=/dev/xvdc bs=1M count=8 oflag=direct 2>/dev/null
	if blkdiscard -o 0 -l 8388608 /dev/xvdc &&
		cmp -n 8388608 /dev/xvdc /dev/zero; then
		say discard-ok
	else
		fails=$((fails + 1))
		say discard-failed
	fi
else
	say discard-unsupported
fi
# A filesystem round on the file-backed disk.
modprobe ext4
if mkfs.ext4 -q -F /dev/xvdc && mkdir -p /mnt && mount -t ext4 /dev/xvdc /mnt &&
	dd if=/dev/urandom of=/tmp/blob bs=1M count=48 2>/dev/null &&
	cp /tmp/blob /mnt/blob && sync && umount /mnt &&
	fsck.ext4 -f -n /dev/xvdc && mount -t ext4 -o ro /dev/xvdc /mnt &&
	cmp /tmp/blob /mnt/blob && umount /mnt; then
	say fs-ok
else
	fails=$((fails + 1))
	say fs-failed
fi
say io-done "$fails"
# Stay up while dom0 reads the backend's counters.
sleep 20
[ "$fails" = 0 ]
JOB

# bstat DOMID NAME: one of xenaccel_blkback's counters for the guest's xvdb.
bstat() { cat "/sys/bus/xen-backend/devices/vbd-$1-51728/statistics/$2"; }

# With persistent grants blkfront preallocates a page for every grant a
# queue may use: slots x (segments + indirect pages), about 514 MiB per
# queue of a 16-page ring with 256 segments. Three such disks with two
# queues each would need 3 GiB: the large configuration uses one queue.
configs=(default "max_ring_page_order=4 max_indirect_segments=256 max_queues=1")
for params in "${configs[@]}"; do
	tag=${params%%_*}
	mem=768
	[ "$tag" = max ] && mem=3072
	[ "$params" = default ] && params=
	domid=$(guest_start "verify-$tag" --memory $mem --disk /dev/ram0 \
		--disk "$file_disk" --disk "$sector4k_disk" \
		--env "BLKFRONT_PARAMS=$params" </tmp/blk-verify-job)
	guest_wait "verify-$tag" disk-ready 180 >/dev/null
	sizes=$(guest_wait "verify-$tag" sector-sizes 30)
	[ "$sizes" = "512 4096" ] || fail "$tag: guest sector sizes $sizes, want 512 4096"
	device_report "$domid" | tee "$SCENARIO_OUT/devices-$tag.txt"
	be=/local/domain/0/backend/vbd/$domid/51728
	fe=$(xenstore-read "$be/frontend")
	persistent=$(xenstore-read "$fe/feature-persistent" 2>/dev/null || echo 0)
	order=$(xenstore-read "$fe/ring-page-order" 2>/dev/null || echo 0)
	queues=$(xenstore-read "$fe/multi-queue-num-queues" 2>/dev/null || echo 1)
	segs=$(xenstore-read "$be/feature-max-indirect-segments")
	summary "blk-verify $tag: negotiated persistent=$persistent ring-page-order=$order queues=$queues backend-indirect-segments=$segs"
	[ "$persistent" = 1 ] || fail "$tag: persistent grants not negotiated"
	if [ "$tag" = max ]; then
		[ "$order" = 4 ] || fail "$tag: ring-page-order $order, want 4"
	fi

	# The file-backed disk (a loop device) has a write cache and discard.
	fbe=/local/domain/0/backend/vbd/$domid/51744
	summary "blk-verify $tag: file-backed disk feature-flush-cache=$(xenstore-read "$fbe/feature-flush-cache") feature-discard=$(xenstore-read "$fbe/feature-discard")"
	fails=$(guest_wait "verify-$tag" io-done 1500) || fail "$tag: guest did not finish its I/O"
	guest_console "verify-$tag" | grep -q '^@@xenaccel discard-ok' ||
		[ "$(xenstore-read "$fbe/feature-discard")" != 1 ] ||
		fail "$tag: discard advertised but not verified"
	if [ "$BACKEND" = xenaccel ]; then
		for s in rd_req wr_req indirect_req errors bad_req pgnt_hits pgnt_misses \
			pgnt_entries map_calls maps unmap_calls max_map_batch; do
			echo "$tag $s $(bstat "$domid" $s)"
		done | tee "$SCENARIO_OUT/stats-$tag.txt"
		[ "$(bstat "$domid" errors)" = 0 ] || fail "$tag: the backend answered errors"
		[ "$(bstat "$domid" bad_req)" = 0 ] || fail "$tag: the backend saw malformed requests"
		[ "$(bstat "$domid" pgnt_hits)" -gt 0 ] || fail "$tag: no persistent grant was reused"
		if [ "$tag" = max ]; then
			[ "$(bstat "$domid" indirect_req)" -gt 0 ] || fail "$tag: no indirect request"
			# In-tree maps at most 11 grants per hypercall.
			[ "$(bstat "$domid" max_map_batch)" -gt 11 ] ||
				fail "$tag: largest map batch $(bstat "$domid" max_map_batch)"
		fi
		summary "blk-verify $tag: $(tr '\n' ' ' <"$SCENARIO_OUT/stats-$tag.txt" | sed "s/$tag //g")"
	fi
	guest_finish "verify-$tag" 120 || fail "$tag: guest job failed ($fails failures; see guest-verify-$tag.console)"
	# fio may put a warning before its JSON ("multiple writers may
	# overwrite blocks ..."): the JSON starts at the first brace.
	for job in $(guest_console "verify-$tag" | sed -n 's/^@@xenaccel fio-\([a-z0-9-]*\) .*/\1/p'); do
		json=$(guest_report "verify-$tag" "fio-$job" | sed 's/^[^{]*//')
		echo "$json" | jq -e '[.jobs[].error] | all(. == 0)' >/dev/null ||
			fail "$tag: fio $job reported an error"
		metric "$tag-$job-write-iops" "$(echo "$json" | jq '[.jobs[].write.iops] | add | floor')" IOPS
	done
	summary "blk-verify $tag: every fio job verified, ext4 round passed"
done
