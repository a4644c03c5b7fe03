# SPDX-License-Identifier: GPL-2.0
# about: a guest disk (xvdb on brd) is served by the backend (with in-tree's sysfs files: physical_device, mode, statistics) and fio verify passes, with blkfront's defaults and with a 16-page ring and 256 indirect segments; xenaccel must have answered several requests with one push (brd completes them in its worker's batch); every write bio the backend queued on the disk is synchronous (REQ_SYNC, block_bio_queue's rwbs), as in-tree's
# timeout: 900

# One guest per blkfront configuration (its parameters are read-only once
# loaded).
cat >/tmp/blk-job <<'JOB'
fio_verify() {
	name=$1
	shift
	fio --name="$name" --filename=/dev/xvdb --ioengine=libaio --direct=1 \
		--verify=crc32c --verify_fatal=1 --eta=never --output-format=json \
		--output="/tmp/$name.json" "$@"
	say_file "fio-$name" "/tmp/$name.json"
}
modprobe xen-blkfront $BLKFRONT_PARAMS
wait_dev /dev/xvdb
say disk-ready "$(cat /sys/module/xen_blkfront/parameters/max_ring_page_order)" \
	"$(cat /sys/module/xen_blkfront/parameters/max_indirect_segments)"
fio_verify rand4k --rw=randwrite --bs=4k --iodepth=16 --size=16M
fio_verify seq1m --rw=write --bs=1M --iodepth=4 --size=64M
say fio-done
wait_dom0 stats-read
JOB

# The bios the backend queues on the disk, from the block_bio_queue
# tracepoint: a guest's writes must reach it as synchronous writes (rwbs
# "WS"), as in-tree's do, or an I/O scheduler and writeback throttling
# treat them as background writeback.
tracing=/sys/kernel/tracing
[ -d "$tracing/events" ] || tracing=/sys/kernel/debug/tracing
bio_event=$tracing/events/block/block_bio_queue
[ -d "$bio_event" ] || fail "no block_bio_queue tracepoint in $tracing"
ram_dev=$(( ($(stat -Lc '0x%t' /dev/ram0) << 20) | $(stat -Lc '0x%T' /dev/ram0) ))
echo "dev == $ram_dev" >"$bio_event/filter"
# shellcheck disable=SC2016 # expanded at exit
at_exit 'echo 0 >"$bio_event/enable"; echo 0 >"$bio_event/filter"'

# blkfront's own parameter names; default: 32 indirect segments, 1-page ring.
configs=(default "max_ring_page_order=4 max_indirect_segments=256")
for params in "${configs[@]}"; do
	tag=${params%%_*}
	mem=512
	[ "$tag" = max ] && mem=2048
	[ "$params" = default ] && params=
	: >"$tracing/trace"
	echo 1 >"$bio_event/enable"
	domid=$(guest_start "blk-$tag" --memory $mem --disk /dev/ram0 \
		--env "BLKFRONT_PARAMS=$params" </tmp/blk-job)
	echo "guest blk-$tag is domain $domid"

	read -r order segs < <(guest_wait "blk-$tag" disk-ready 180)
	device_report "$domid" | tee "$SCENARIO_OUT/devices-$tag.txt"
	# The frontend must have used the largest ring both ends allow: this
	# proves the parameters reached blkfront and the backend's offer.
	be_order=$(xenstore-read "/local/domain/0/backend/vbd/$domid/51728/max-ring-page-order" 2>/dev/null || echo 0)
	fe_order=$(xenstore-read "$(xenstore-read "/local/domain/0/backend/vbd/$domid/51728/frontend")/ring-page-order" 2>/dev/null || echo 0)
	want=$((order < be_order ? order : be_order))
	[ "$fe_order" = "$want" ] ||
		fail "$tag: frontend ring-page-order $fe_order, expected min($order, backend $be_order)"
	echo "$tag: ring-page-order $fe_order (frontend max $order, backend max $be_order), frontend max indirect segments $segs"
	# The sysfs files in-tree blkback has, which scripts may read.
	sysdev=/sys/bus/xen-backend/devices/vbd-$domid-51728
	want_pdev=$(printf '%x:%x' "$(stat -Lc '0x%t' /dev/ram0)" "$(stat -Lc '0x%T' /dev/ram0)")
	[ "$(cat "$sysdev/physical_device")" = "$want_pdev" ] ||
		fail "$tag: physical_device reads '$(cat "$sysdev/physical_device")', want $want_pdev"
	[ "$(cat "$sysdev/mode")" = w ] || fail "$tag: mode reads '$(cat "$sysdev/mode")', want w"
	for stat in oo_req rd_req wr_req f_req ds_req rd_sect wr_sect; do
		[ -r "$sysdev/statistics/$stat" ] || fail "$tag: no statistics/$stat"
	done

	guest_wait "blk-$tag" fio-done 600 >/dev/null || fail "$tag: fio did not finish"
	echo 0 >"$bio_event/enable"
	# "block_bio_queue: 1,0 WS 2048 + 8 [comm]": the field after the
	# device; data writes start with W (a flush's starts with F).
	read -r writes sync_writes < <(awk '$0 ~ /block_bio_queue:/ {
			for (i = 1; i < NF; i++) if ($i == "block_bio_queue:") break
			rwbs = $(i + 2); if (rwbs !~ /^W/) next
			n++; if (rwbs ~ /S/) s++ }
		END { print n + 0, s + 0 }' "$tracing/trace")
	echo "$tag: $writes write bios queued on the disk, $sync_writes of them synchronous"
	[ "$writes" -gt 0 ] || fail "$tag: the tracepoint saw no write bio on the disk"
	[ "$sync_writes" = "$writes" ] ||
		fail "$tag: $((writes - sync_writes)) of $writes guest writes reached the disk as background (not REQ_SYNC) writes"
	if [ "$BACKEND" = xenaccel ]; then
		# brd completes each bio as it is submitted: the worker must
		# have answered several requests with one push at least once.
		pushes=$(cat "$sysdev/statistics/batch_pushes")
		batched=$(cat "$sysdev/statistics/batch_rsp")
		echo "$tag: $batched responses published in $pushes pushes at the end of the worker's batches, $(cat "$sysdev/statistics/notify") notifications for $(($(cat "$sysdev/statistics/rd_req") + $(cat "$sysdev/statistics/wr_req"))) requests"
		[ "$pushes" -gt 0 ] && [ "$batched" -gt "$pushes" ] ||
			fail "$tag: no batch's responses went out together ($batched in $pushes pushes)"
	fi
	guest_signal "$domid" stats-read
	guest_finish "blk-$tag" 300 || fail "guest job failed (see guest-blk-$tag.console)"

	# fio exits non-zero on a verify mismatch, which fails the job above;
	# here the numbers, and a second check that every job ran clean.
	for job in rand4k seq1m; do
		json=$(guest_report "blk-$tag" "fio-$job")
		[ -n "$json" ] || fail "$tag: no fio report for $job"
		echo "$json" | jq -e '.jobs[0].error == 0' >/dev/null || fail "fio $tag $job reported an error"
		metric "$job-$tag-write-iops" "$(echo "$json" | jq '.jobs[0].write.iops | floor')" IOPS
		metric "$job-$tag-write-bw" "$(echo "$json" | jq '.jobs[0].write.bw / 1024 | floor')" MiB/s
		summary "blk-smoke $tag $job: $(echo "$json" | jq -r '"\(.jobs[0].write.iops | floor) IOPS, \(.jobs[0].write.bw / 1024 | floor) MiB/s write, verified"')"
	done
	summary "blk-smoke $tag: ring order $fe_order, served by $(cut -d'|' -f1 "$SCENARIO_OUT/devices-$tag.txt" | xargs)"
done
