# SPDX-License-Identifier: GPL-2.0
# about: developer's profile, not a test: for each backend in PROFILE_BACKENDS (default "intree xenaccel"), one guest runs each workload of PROFILE_WORKLOADS (default tcp-up tcp-down udp64-up randread4k seqread1m) while dom0 samples itself with perf record -a -g (cpu-clock); per workload the dom0 and guest CPU seconds Xen accounted and perf's top symbols and modules, in the scenario's directory
# timeout: 2400
# needs: xenaccel perf

backends=${PROFILE_BACKENDS:-intree xenaccel}
workloads=${PROFILE_WORKLOADS:-tcp-up tcp-down udp64-up randread4k seqread1m}
# Seconds each workload runs, and of it how long perf samples.
runtime=${PROFILE_RUNTIME:-20}
sample=${PROFILE_SAMPLE:-10}
disk=/dev/ram0

DEBIAN_FRONTEND=noninteractive dpkg -i "$RIG"/in/debs-perf/*.deb >"$SCENARIO_OUT/dpkg.log" 2>&1 ||
	fail "cannot install linux-perf (see dpkg.log)"
# bookworm's linux-perf is /usr/bin/perf itself (its wrapper diverted).
perf=/usr/bin/perf
"$perf" --version >/dev/null || fail "perf does not run"
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid

iperf3 -s -D --pidfile /run/profile-iperf3.pid
# shellcheck disable=SC2016 # expanded at exit
at_exit 'kill "$(cat /run/profile-iperf3.pid)"'
fio --name=fill --filename=$disk --rw=write --bs=1M --iodepth=8 --ioengine=libaio \
	--direct=1 --size=256M --eta=never >/dev/null

# workload_cmd NAME: the guest's command for one workload.
workload_cmd() {
	local fio="fio --filename=/dev/xvdb --ioengine=libaio --direct=1 --size=256M --time_based --runtime=$runtime --eta=never --name"
	case $1 in
	tcp-up) echo "iperf3 -c \"\$DOM0_IP\" -t $runtime -i 0 >/dev/null" ;;
	tcp-down) echo "iperf3 -c \"\$DOM0_IP\" -t $runtime -i 0 -R >/dev/null" ;;
	udp64-up) echo "iperf3 -c \"\$DOM0_IP\" -t $runtime -i 0 -u -b 0 -l 64 >/dev/null" ;;
	randread4k) echo "$fio=$1 --rw=randread --bs=4k --iodepth=32 >/dev/null" ;;
	seqread1m) echo "$fio=$1 --rw=read --bs=1M --iodepth=8 >/dev/null" ;;
	*) fail "unknown workload $1" ;;
	esac
}

# shellcheck disable=SC2016 # the job expands them in the guest
{
	echo 'modprobe xen-blkfront max_ring_page_order=4 max_indirect_segments=256'
	echo 'modprobe xen-netfront'
	echo 'wait_dev /dev/xvdb'
	echo 'net_up'
	echo 'ping -c 3 -W 10 "$DOM0_IP" >/dev/null'
	# Each workload when dom0 says so, its output kept and its status
	# said: one that ends early must not run into the next one's sample.
	for w in $workloads; do
		bench_job_begin "$w"
		echo "rc=0; $(workload_cmd "$w" | sed 's|>/dev/null$|>/tmp/out 2>\&1|') || rc=\$?"
		echo "say end $w \$rc"
		echo "say_file out-$w /tmp/out"
	done
	echo 'wait_dom0 stop'
} >/tmp/profile-job

at_exit bench_unpin
for be in $backends; do
	backend_use "$be" || fail "cannot switch to the $be backend"
	name=prof-$be
	domid=$(BACKEND=$be guest_start "$name" --memory 2048 --disk $disk --vif </tmp/profile-job)
	bench_pin "$domid" || fail "cannot pin $name's vCPUs"
	for w in $workloads; do
		guest_signal "$domid" "go-$w"
		guest_wait "$name" "begin $w" 300 >/dev/null || fail "$name: no begin $w"
		sleep 3
		d0=$(domain_cpu 0)
		g0=$(domain_cpu "$domid")
		data=/tmp/perf-$be-$w.data
		"$perf" record -q -a -g -e cpu-clock -F 499 -o "$data" -- sleep "$sample" 2>/dev/null ||
			fail "perf record failed"
		d=$(cpu_since 0 "$d0")
		g=$(cpu_since "$domid" "$g0")
		report=$SCENARIO_OUT/$be-$w.txt
		{
			awk -v d="$d" -v g="$g" -v s="$sample" \
				'BEGIN { printf "%s s sampled: dom0 %.2f CPU s, guest %.2f CPU s\n", s, d, g }'
			echo "--- by module"
			"$perf" report -i "$data" --stdio --no-children --sort dso -g none \
				--percent-limit 1 2>/dev/null | grep -v -e '^#' -e '^$' || true
			echo "--- by symbol"
			"$perf" report -i "$data" --stdio --no-children --sort dso,sym -g none \
				--percent-limit 0.5 2>/dev/null | grep -v -e '^#' -e '^$' | head -n 60 || true
			echo "--- callers of the top symbols"
			"$perf" report -i "$data" --stdio --no-children --sort sym -g caller,0.5,callee \
				--percent-limit 3 2>/dev/null | grep -v -e '^#' -e '^$' | head -n 200 || true
		} >"$report"
		rm -f "$data"
		summary "profile $be $w: $(head -n 1 "$report"); top: $(sed -n '/^--- by symbol/,/^---/p' "$report" | sed -n '2,4p' | awk '{ printf "%s %s; ", $1, $NF }')"
		rc=$(guest_wait "$name" "end $w" $((runtime + 120))) || fail "$name: no end $w"
		if [ "$rc" != 0 ]; then
			summary "profile $be $w: the workload failed (rc $rc): $(guest_report "$name" "out-$w" | tail -c 300)"
			fail "$name: $w failed"
		fi
	done
	guest_signal "$domid" stop
	guest_finish "$name" 120 || fail "$name: guest job failed"
done
backend_use "$BACKEND"
