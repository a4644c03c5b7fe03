# SPDX-License-Identifier: GPL-2.0
# about: benchmark: in-tree netback and xenaccel on the same guest, interleaved over several rounds: iperf3 TCP guest->dom0 and dom0->guest with 1 and 4 streams, UDP 64 and 1472-byte payloads (packets per second received), ping round trips dom0->guest (p50/p99), dom0 CPU time per byte and the guest iperf3's CPU share, as medians and ratios with an in-tree A/A pair for the noise; asserts nothing about speed
# timeout: 3600
# needs: xenaccel

# Rounds of (in-tree, xenaccel); one more in-tree run at the end makes the
# A/A pair. BENCH_ROUNDS and BENCH_RUNTIME (seconds per workload) override.
rounds=${BENCH_ROUNDS:-2}
runtime=${BENCH_RUNTIME:-8}
results=$SCENARIO_OUT/bench.jsonl
: >"$results"

# name and iperf3 arguments of each workload (-R: dom0 sends)
workloads=(
	"tcp-up-1 -P 1"
	"tcp-up-4 -P 4"
	"tcp-down-1 -P 1 -R"
	"tcp-down-4 -P 4 -R"
	"udp64-up -u -b 0 -l 64"
	"udp64-down -u -b 0 -l 64 -R"
	"udp1472-up -u -b 0 -l 1472"
	"udp1472-down -u -b 0 -l 1472 -R"
)

iperf3 -s -D --pidfile /run/nb-iperf3.pid
# shellcheck disable=SC2016 # expanded at exit
at_exit 'kill "$(cat /run/nb-iperf3.pid)"'

# record SIDE RUN WORKLOAD CPU IPERF-JSON GUEST-CPU SECONDS: one line of
# bench.jsonl. guest_cpu_pct is the guest's iperf3 (user and system time,
# percent of one vCPU); dom0_busy and guest_busy are the domains' CPU
# seconds (CPU, GUEST-CPU) in the SECONDS the window was open: each has
# one pCPU, so near 1 is the side that sets the rate.
record() {
	echo "$5" | jq -c --arg side "$1" --argjson run "$2" --arg w "$3" --argjson cpu "$4" \
		--argjson gcpu "$6" --argjson secs "$7" '
		(.start.test_start.protocol == "UDP") as $udp |
		(if $udp then .end.sum else .end.sum_received end) as $s |
		(if $udp then ($s.packets - $s.lost_packets) else null end) as $pkts |
		(if $udp then $pkts * .start.test_start.blksize else $s.bytes end) as $bytes |
		{side: $side, run: $run, workload: $w,
		 mbits: ($bytes * 8 / $s.seconds / 1e6),
		 kpps: (if $udp then $pkts / $s.seconds / 1000 else null end),
		 bytes: $bytes, dom0_cpu_s: $cpu,
		 cpu_ns_per_byte: (if $bytes > 0 then $cpu * 1e9 / $bytes else null end),
		 guest_cpu_pct: .end.cpu_utilization_percent.host_total,
		 guest_cpu_s: $gcpu, seconds: $secs,
		 dom0_busy: ($cpu / $secs), guest_busy: ($gcpu / $secs)}' >>"$results"
}

# shellcheck disable=SC2016 # the job expands them in the guest
# The guest's job: each workload inside its measurement window
# (bench_job_begin, in lib.sh); then it waits while dom0 pings it.
{
	echo 'modprobe xen-netfront'
	echo 'net_up'
	echo 'ping -c 3 -W 10 "$DOM0_IP" >/dev/null'
	echo 'say ready'
	for w in "${workloads[@]}"; do
		set -- $w
		name=$1
		shift
		bench_job_begin "$name"
		echo "iperf3 -c \"\$DOM0_IP\" -t $runtime -i 0 -J $* >/tmp/$name.json || true"
		echo "say end $name"
		echo "say_file iperf-$name /tmp/$name.json"
	done
	echo 'say ping-me'
	echo 'until nc.openbsd -z -w 2 "$DOM0_IP" 5000 2>/dev/null; do sleep 1; done'
} >/tmp/net-bench-job

# ping_rtt IP SIDE RUN: 500 pings 10 ms apart; p50/p99 in microseconds.
ping_rtt() {
	local c0 cpu
	c0=$(domain_cpu 0)
	ping -c 500 -i 0.01 -W 2 "$1" | sed -n 's/.* time=\([0-9.]*\) ms$/\1/p' | sort -n >/tmp/nb-rtt
	cpu=$(cpu_since 0 "$c0")
	awk -v side="$2" -v run="$3" -v cpu="$cpu" '{ v[NR] = $1 * 1000 }
		END { if (NR == 0) exit 1
		      p50 = v[int((NR - 1) * 0.50) + 1]; p99 = v[int((NR - 1) * 0.99) + 1]
		      printf "{\"side\":\"%s\",\"run\":%d,\"workload\":\"ping\",\"p50_us\":%.1f,\"p99_us\":%.1f,\"replies\":%d,\"dom0_cpu_s\":%s}\n", side, run, p50, p99, NR, cpu }' \
		/tmp/nb-rtt >>"$results"
}

at_exit bench_unpin

# guest_run SIDE RUN: boot the guest on SIDE's backend and run the workloads.
guest_run() {
	local side=$1 run=$2 name=nb-$1-$2 domid w key ip
	backend_use "$side" || fail "cannot switch to the $side backend"
	domid=$(BACKEND=$side guest_start "$name" --vif </tmp/net-bench-job)
	bench_pin "$domid" || fail "cannot pin $name's vCPUs"
	ip=$(guest_ip "$name")
	# Before the workloads: xenstore reads cost dom0 time too.
	guest_wait "$name" ready 300 >/dev/null || fail "$name: no network"
	[ "$run" != 1 ] || BACKEND=$side device_report "$domid" >"$SCENARIO_OUT/devices-$side.txt"
	for w in "${workloads[@]}"; do
		set -- $w
		bench_window_open "$name" "$domid" "$1"
		bench_window_close "$name" "$domid" "$1"
		key=iperf-$1
		guest_wait "$name" "$key" 60 >/dev/null
		record "$side" "$run" "$1" "$window_cpu" "$(guest_report "$name" "$key")" \
			"$window_guest_cpu" "$window_seconds" ||
			echo "$name: no result for $1: $(guest_report "$name" "$key" | head -c 300)"
	done
	guest_wait "$name" ping-me 60 >/dev/null || fail "$name: guest not waiting for pings"
	ping_rtt "$ip" "$side" "$run" || echo "$name: no ping replies"
	[ "$side" != xenaccel ] || ethtool -S "vif$domid.0" >"$SCENARIO_OUT/ethtool-S-$side-$run.txt"
	nc.openbsd -l -p 5000 </dev/null >/dev/null &
	guest_finish "$name" 120 || fail "$name: guest job failed"
}

for run in $(seq 1 "$rounds"); do
	guest_run intree "$run"
	guest_run xenaccel "$run"
done
guest_run intree $((rounds + 1))
backend_use "$BACKEND"

# The report: medians per side (with min-max), the ratio xenaccel/in-tree
# and the A/A ratio (in-tree's last run against its first).
jq -rs --argjson last $((rounds + 1)) '
	def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def r2: if . == null then "-" else (. * 100 | round / 100 | tostring) end;
	def side($s; $w; $f): [.[] | select(.side == $s and .workload == $w and (.run < $last or $s != "intree")) | .[$f] | select(. != null)];
	def one($w; $run; $f): [.[] | select(.side == "intree" and .workload == $w and .run == $run) | .[$f]][0];
	def pad($n): . + " " * ([$n - length, 1] | max);
	. as $all | [.[].workload] | unique as $ws |
	("workload" | pad(14)) + ("metric" | pad(16)) + ("in-tree med (min-max)" | pad(28)) +
		("xenaccel med (min-max)" | pad(28)) + ("ratio" | pad(7)) + "A/A",
	($ws[] as $w | ["mbits", "kpps", "p50_us", "p99_us", "cpu_ns_per_byte", "guest_cpu_pct", "dom0_busy", "guest_busy"][] as $f |
		($all | side("intree"; $w; $f)) as $a | ($all | side("xenaccel"; $w; $f)) as $b |
		select(($a | length) > 0 or ($b | length) > 0) |
		($w | pad(14)) + ($f | pad(16)) +
		(($a | median | r2) + " (" + ($a | min | r2) + "-" + ($a | max | r2) + ")" | pad(28)) +
		(($b | median | r2) + " (" + ($b | min | r2) + "-" + ($b | max | r2) + ")" | pad(28)) +
		(if ($a | median) > 0 and ($b | median) != null then (($b | median) / ($a | median)) | r2 else "-" end | pad(7)) +
		(($all | one($w; $last; $f)) as $x | ($all | one($w; 1; $f)) as $y |
			if $y != null and $y > 0 and $x != null then ($x / $y | r2) else "-" end))
' "$results" | tee "$SCENARIO_OUT/bench.txt"
summary "net-bench: $rounds rounds x $runtime s per workload, 2 queues, $(bench_placement); table in bench.txt"
while read -r line; do summary "  $line"; done <"$SCENARIO_OUT/bench.txt"
