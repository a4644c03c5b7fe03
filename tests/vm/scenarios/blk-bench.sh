# SPDX-License-Identifier: GPL-2.0
# about: benchmark: the in-tree backend and xenaccel on the same guest and brd disk, interleaved over several rounds, plus fio directly in dom0 (the no-PV limit): IOPS, MiB/s, p50/p99 completion latency, dom0 and guest CPU time per I/O and interrupts per I/O, as medians and ratios with an in-tree A/A pair for the noise, and xenaccel's options as more sides (BENCH_XA_SIDES: with polling, poll_us=BENCH_POLL_US; without event coalescing, coalesce_us=0; without persistent grants); then xenaccel's 4 MiB sequential I/O with 256, 512 and 1024 indirect segments (BENCH_SEGMENTS); BENCH_WORKLOADS keeps only the workloads it names
# timeout: 3600
# needs: xenaccel

# Rounds of (in-tree, xenaccel); one more in-tree run at the end makes the
# A/A pair. BENCH_ROUNDS and BENCH_RUNTIME (seconds per workload) override.
rounds=${BENCH_ROUNDS:-3}
runtime=${BENCH_RUNTIME:-10}
disk=/dev/ram0
size=256M

# name and fio arguments of each workload
workloads=(
	"randread4k --rw=randread --bs=4k --iodepth=32"
	"randread4k-qd1 --rw=randread --bs=4k --iodepth=1"
	"randread4k-qd4 --rw=randread --bs=4k --iodepth=4"
	"randwrite4k --rw=randwrite --bs=4k --iodepth=32"
	"seqread64k --rw=read --bs=64k --iodepth=16"
	"seqwrite64k --rw=write --bs=64k --iodepth=16"
	"seqread1m --rw=read --bs=1M --iodepth=8"
	"seqwrite1m --rw=write --bs=1M --iodepth=8"
)
# BENCH_WORKLOADS (names, e.g. "randread4k seqread1m") keeps only those:
# more rounds of fewer workloads in the same time.
if [ -n "${BENCH_WORKLOADS:-}" ]; then
	kept=()
	for w in "${workloads[@]}"; do
		case " $BENCH_WORKLOADS " in *" ${w%% *} "*) kept+=("$w") ;; esac
	done
	[ ${#kept[@]} -gt 0 ] || fail "BENCH_WORKLOADS=$BENCH_WORKLOADS names no workload"
	workloads=("${kept[@]}")
fi
fio_common="--ioengine=libaio --direct=1 --size=$size --time_based --runtime=$runtime --ramp_time=2 --eta=never --output-format=json"
results=$SCENARIO_OUT/bench.jsonl
: >"$results"

# Interrupts taken so far on block event channels, all CPUs: blkback's
# ("blkif-backend" in-tree, "xenaccel-blkif") in dom0, blkfront's
# ("blkif") in the guest: the frontend's and the backend's notifications.
# shellcheck disable=SC2016 # for the guest's job too
blkif_irqs='blkif_irqs() { awk -v re="$1" '\''$NF ~ re { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i }
	END { print s + 0 }'\'' /proc/interrupts; }'
eval "$blkif_irqs"
backend_irq_names='^(blkif-backend|xenaccel-blkif)$'

# record SIDE RUN WORKLOAD CPU FIO-JSON [EVENTS GUEST-IRQS GUEST-CPU
# SECONDS COALESCED]: one line of bench.jsonl; EVENTS and GUEST-IRQS are
# the interrupts dom0's backend and the guest's frontend took meanwhile,
# GUEST-CPU the guest's CPU seconds in the SECONDS the window was open,
# COALESCED xenaccel's waits for a batch (coalesce_us) in it.
# dom0_busy and guest_busy are their shares of that time: each has one
# pCPU, so near 1 is the side that sets the rate.
record() {
	echo "$5" | jq -c --arg side "$1" --argjson run "$2" --arg w "$3" --argjson cpu "$4" \
		--argjson events "${6:-null}" --argjson girqs "${7:-null}" --argjson gcpu "${8:-null}" \
		--argjson secs "${9:-null}" --argjson coalesced "${10:-null}" '
		.jobs[0] as $j | ($j.read.io_bytes > 0) as $rd | (if $rd then $j.read else $j.write end) as $d |
		def per_io($n): if $n != null and $d.total_ios > 0 then $n / $d.total_ios else null end;
		{side: $side, run: $run, workload: $w, iops: $d.iops, mibs: ($d.bw / 1024),
		 p50_us: ($d.clat_ns.percentile["50.000000"] / 1000),
		 p99_us: ($d.clat_ns.percentile["99.000000"] / 1000),
		 ios: $d.total_ios, dom0_cpu_s: $cpu,
		 cpu_us_per_io: per_io($cpu * 1e6),
		 events_per_io: per_io($events), guest_irqs_per_io: per_io($girqs),
		 coalesced_per_io: per_io($coalesced),
		 guest_cpu_us_per_io: per_io(if $gcpu != null then $gcpu * 1e6 else null end),
		 guest_cpu_s: $gcpu, seconds: $secs,
		 dom0_busy: (if $secs != null then $cpu / $secs else null end),
		 guest_busy: (if $secs != null and $gcpu != null then $gcpu / $secs else null end)}' >>"$results"
}

# The guest's fio on its vCPU 0, where its event channels are bound.
# Both vCPUs share one pCPU (bench_pin), and a fio the guest's scheduler
# put on vCPU 1 would make Xen switch vCPUs for every completion, in
# some boots and not others. (The guest's CPU per I/O still differs by
# up to 1.3x between boots of one side: run s17-pin2.)
guest_fio_cpu=--cpus_allowed=0

# job_steps WORKLOAD...: the guest's part of each workload, inside its
# measurement window (bench_job_begin, in lib.sh).
job_steps() {
	local w name
	for w; do
		set -- $w
		name=$1
		shift
		echo "irqs0=\$(blkif_irqs '^blkif\$')"
		bench_job_begin "$name"
		echo "fio --name=$name --filename=/dev/xvdb $fio_common $guest_fio_cpu $* --output=/tmp/$name.json"
		echo "say end $name"
		echo "say irqs-$name \$((\$(blkif_irqs '^blkif\$') - irqs0))"
		echo "say_file fio-$name /tmp/$name.json"
	done
}

# measure GUEST DOMID SIDE RUN WORKLOAD...: follow the guest through the
# workloads, recording each with the dom0 and guest CPU time it took.
measure() {
	local guest=$1 domid=$2 side=$3 run=$4 w e0 events girqs k0 coalesced=
	local st=/sys/bus/xen-backend/devices/vbd-$domid-51728/statistics
	shift 4
	for w; do
		set -- $w
		bench_window_open "$guest" "$domid" "$1"
		e0=$(blkif_irqs "$backend_irq_names")
		[ "${side%%-*}" != xenaccel ] || k0=$(cat $st/coalesced)
		bench_window_close "$guest" "$domid" "$1"
		events=$(($(blkif_irqs "$backend_irq_names") - e0))
		[ "${side%%-*}" != xenaccel ] || coalesced=$(($(cat $st/coalesced) - k0))
		girqs=$(guest_wait "$guest" "irqs-$1" 60) || girqs=
		guest_wait "$guest" "fio-$1" 60 >/dev/null
		record "$side" "$run" "$1" "$window_cpu" "$(guest_report "$guest" "fio-$1")" \
			"$events" "$girqs" "$window_guest_cpu" "$window_seconds" "$coalesced"
	done
}

# The guest stays up until dom0 has read the backend's counters.
stay_until_stopped='wait_dom0 stop'
{
	echo "$blkif_irqs"
	echo 'modprobe xen-blkfront max_ring_page_order=4 max_indirect_segments=256'
	echo 'wait_dev /dev/xvdb'
	echo 'say ready'
	job_steps "${workloads[@]}"
	echo "$stay_until_stopped"
} >/tmp/blk-bench-job

# Same data under every run: reads of never-written brd pages are free.
fio --name=fill --filename=$disk --rw=write --bs=1M --iodepth=8 --ioengine=libaio \
	--direct=1 --size=$size --eta=never >/dev/null

# dom0 directly on the device: what PV could at best reach.
for w in "${workloads[@]}"; do
	set -- $w
	name=$1
	shift
	c0=$(domain_cpu 0)
	json=$(fio --name="$name" --filename=$disk $fio_common "$@")
	record dom0 0 "$name" "$(cpu_since 0 "$c0")" "$json"
done

at_exit bench_unpin

# guest_run SIDE RUN: boot the guest on SIDE's backend and run the
# workloads. Besides intree and xenaccel (defaults), the sides in
# BENCH_XA_SIDES try xenaccel's options: xenaccel-poll with
# poll_us=$poll_us, xenaccel-nocoalesce with coalesce_us=0,
# xenaccel-nopgnt without persistent grants. Set and empty, it means none
# (so does BENCH_SEGMENTS for the sweep).
poll_us=${BENCH_POLL_US:-100}
xa_sides=${BENCH_XA_SIDES-xenaccel-poll xenaccel-nocoalesce xenaccel-nopgnt}
coalesce_default=
guest_run() {
	local side=$1 run=$2 name=bench-$1-$2 be=${1%%-*} domid
	local params=/sys/module/xenaccel_blkback/parameters
	backend_use "$be" || fail "cannot switch to the $be backend"
	if [ "$be" = xenaccel ]; then
		# The module's own default, read before any side changed it.
		[ -n "$coalesce_default" ] || coalesce_default=$(cat $params/coalesce_us)
		echo 0 >$params/poll_us
		echo "$coalesce_default" >$params/coalesce_us
		echo Y >$params/feature_persistent
		case $side in
		xenaccel) ;;
		xenaccel-poll) echo "$poll_us" >$params/poll_us ;;
		xenaccel-nocoalesce) echo 0 >$params/coalesce_us ;;
		xenaccel-nopgnt) echo N >$params/feature_persistent ;;
		*) fail "unknown side $side" ;;
		esac
	fi
	domid=$(BACKEND=$be guest_start "$name" --memory 2048 --disk $disk </tmp/blk-bench-job)
	bench_pin "$domid" || fail "cannot pin $name's vCPUs"
	# The device report before the workloads start, so that its CPU
	# time is not counted as theirs.
	guest_wait "$name" ready 300 >/dev/null || fail "$name: no disk"
	[ "$run" != 1 ] || BACKEND=$be device_report "$domid" >"$SCENARIO_OUT/devices-$side.txt"
	measure "$name" "$domid" "$side" "$run" "${workloads[@]}"
	if [ "$be" = xenaccel ]; then
		st=/sys/bus/xen-backend/devices/vbd-$domid-51728/statistics
		echo "$side $run: $(for c in rd_req wr_req events passes notify batch_pushes batch_rsp polls poll_hits coalesced map_calls maps unmap_calls unmaps; do
			printf '%s=%s ' $c "$(cat $st/$c)"; done)" >>"$SCENARIO_OUT/counters.txt"
	fi
	guest_signal "$domid" stop
	guest_finish "$name" 120 || fail "$name: guest job failed"
}

for run in $(seq 1 "$rounds"); do
	guest_run intree "$run"
	guest_run xenaccel "$run"
	for side in $xa_sides; do
		guest_run "$side" "$run"
	done
done
guest_run intree $((rounds + 1))

# Larger indirect requests, xenaccel only (in-tree stops at 256
# segments): 4 MiB sequential I/O with the backend and blkfront both at
# each maximum, one queue with a 4-page ring; the block layer's default request cap (1280 KiB) is
# lifted to what the device allows.
sweep_workloads=(
	"seqread4m --rw=read --bs=4M --iodepth=4"
	"seqwrite4m --rw=write --bs=4M --iodepth=4"
)
swept=
for segs in ${BENCH_SEGMENTS-256 512 1024}; do
	swept=1
	backend_use xenaccel || fail "cannot load xenaccel"
	rmmod xenaccel_blkback
	# (rmmod drops the sides' parameters: the defaults again)
	modprobe xenaccel_blkback max_indirect_segments="$segs" ||
		fail "cannot load xenaccel_blkback with $segs segments"
	{
		echo "$blkif_irqs"
		# blkfront preallocates a page per persistent grant it may use
		# (ring slots x (segments + indirect pages) per queue): one
		# queue of 128 slots keeps 1024 segments within the guest.
		echo "modprobe xen-blkfront max_ring_page_order=2 max_queues=1 max_indirect_segments=$segs"
		echo 'wait_dev /dev/xvdb'
		echo 'cat /sys/block/xvdb/queue/max_hw_sectors_kb >/sys/block/xvdb/queue/max_sectors_kb'
		echo 'say max-request-kib "$(cat /sys/block/xvdb/queue/max_sectors_kb)"'
		job_steps "${sweep_workloads[@]}"
	} >/tmp/blk-bench-sweep
	name=bench-segs-$segs
	domid=$(BACKEND=xenaccel guest_start "$name" --memory 2048 --disk $disk </tmp/blk-bench-sweep)
	bench_pin "$domid" || fail "cannot pin $name's vCPUs"
	kib=$(guest_wait "$name" max-request-kib 300) || fail "$name: guest did not start"
	measure "$name" "$domid" "segs$segs" 1 "${sweep_workloads[@]}"
	summary "blk-bench segments $segs: largest request $kib KiB, $(jq -r --arg s "segs$segs" \
		'select(.side == $s) | "\(.workload) \(.mibs | floor) MiB/s \(.cpu_us_per_io | floor) us dom0 CPU/io"' "$results" | paste -sd ';' -)"
	guest_finish "$name" 120 || fail "$name: guest job failed"
done
# Without a sweep (BENCH_SEGMENTS=) the A/A run left in-tree loaded.
[ -z "$swept" ] || rmmod xenaccel_blkback
backend_use "$BACKEND"

# The report: medians per side, ratios, the A/A pair (in-tree's first run
# against its last) and fractions of the dom0 limit.
jq -rs --argjson last $((rounds + 1)) --arg extra "$xa_sides" '
	def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def r2: if . == null then "-" else (. * 100 | round / 100 | tostring) end;
	def side($s; $w; $f): [.[] | select(.side == $s and .workload == $w and (.run < $last or $s != "intree")) | .[$f] | select(. != null)];
	def one($w; $run; $f): [.[] | select(.side == "intree" and .workload == $w and .run == $run) | .[$f]][0];
	. as $all | [.[] | select(.side == "intree") | .workload] | unique as $ws |
	($extra | split(" ") | map(select(length > 0))) as $xs |
	"workload       metric              in-tree(med,min-max)       xenaccel(med,min-max)      ratio  A/A   dom0     it/dom0 xa/dom0 " +
		([$xs[] | (ltrimstr("xenaccel-") | . + "(med)" | . + " " * (13 - length)) + (ltrimstr("xenaccel-") | . + "/it" | . + " " * (10 - length))] | join("")),
	($ws[] as $w | ["iops", "mibs", "p50_us", "p99_us", "cpu_us_per_io", "events_per_io", "coalesced_per_io", "guest_irqs_per_io", "guest_cpu_us_per_io", "dom0_busy", "guest_busy"][] as $f |
		($all | side("intree"; $w; $f)) as $a | ($all | side("xenaccel"; $w; $f)) as $b |
		($all | side("dom0"; $w; $f) | median) as $d |
		"\($w | .[0:14] | . + " " * (15 - length))\($f | . + " " * (20 - length))" +
		"\(($a | median | r2) + " (" + ($a | min | r2) + "-" + ($a | max | r2) + ")" | . + " " * (27 - length))" +
		"\(($b | median | r2) + " (" + ($b | min | r2) + "-" + ($b | max | r2) + ")" | . + " " * (27 - length))" +
		"\(if ($a | median) > 0 then (($b | median) / ($a | median)) | r2 else "-" end | . + " " * (7 - length))" +
		"\(($all | one($w; $last; $f)) as $x | ($all | one($w; 1; $f)) as $y | if $y > 0 and $x != null then ($x / $y | r2) else "-" end | . + " " * (6 - length))" +
		"\($d | r2 | . + " " * (9 - length))" +
		"\(if $d > 0 and ($f == "iops" or $f == "mibs") then (($a | median) / $d | r2) else "-" end | . + " " * (8 - length))" +
		"\(if $d > 0 and ($f == "iops" or $f == "mibs") then (($b | median) / $d | r2) else "-" end | . + " " * (8 - length))" +
		([$xs[] as $x | ($all | side($x; $w; $f) | median) as $c |
			"\($c | r2 | . + " " * (13 - length))" +
			"\(if ($a | median) > 0 and $c != null then ($c / ($a | median)) | r2 else "-" end | . + " " * (10 - length))"] | join("")))
' "$results" | tee "$SCENARIO_OUT/bench.txt"
summary "blk-bench: $rounds rounds x $runtime s per workload, $(bench_placement); table in bench.txt"
while read -r line; do summary "  $line"; done <"$SCENARIO_OUT/bench.txt"
summary "blk-bench counters per guest run (poll_us=$poll_us for xenaccel-poll, coalesce_us=0 for xenaccel-nocoalesce, no persistent grants for xenaccel-nopgnt):"
while read -r line; do summary "  $line"; done <"$SCENARIO_OUT/counters.txt"
