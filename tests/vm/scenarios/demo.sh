# SPDX-License-Identifier: GPL-2.0
# about: one guest with a disk and a vif served by the backend, a short fio and iperf3, and a table of who served each device, what was negotiated, the throughput and the time taken
# timeout: 900

t0=$(date +%s)
iperf3 -s -D --pidfile /run/iperf3.pid
at_exit 'kill "$(cat /run/iperf3.pid)"'

progress "demo: starting a guest with xvdb and a vif"
domid=$(guest_start demo --memory 2048 --disk /dev/ram0 --vif \
	--env "BLKFRONT_PARAMS=max_ring_page_order=4 max_indirect_segments=256" <<'JOB'
modprobe xen-blkfront $BLKFRONT_PARAMS
modprobe xen-netfront
wait_dev /dev/xvdb
net_up
ping -c 3 -W 10 "$DOM0_IP"
say devices-ready
fio_run() {
	name=$1
	shift
	fio --name="$name" --filename=/dev/xvdb --ioengine=libaio --direct=1 \
		--time_based --runtime=10 --eta=never --output-format=json \
		--output="/tmp/$name.json" "$@"
	say_file "fio-$name" "/tmp/$name.json"
}
# Something to read: fill the disk first.
dd if=/dev/urandom of=/dev/xvdb bs=1M count=256 oflag=direct 2>/dev/null
say workload-start
fio_run rand4k --rw=randread --bs=4k --iodepth=32 --size=256M
fio_run seq1m --rw=read --bs=1M --iodepth=8 --size=256M
iperf3 -c "$DOM0_IP" -t 10 -i 0 -J >/tmp/up.json
say_file iperf-up /tmp/up.json
iperf3 -c "$DOM0_IP" -t 10 -i 0 -J -R >/tmp/down.json
say_file iperf-down /tmp/down.json
JOB
)
guest_wait demo devices-ready 240 >/dev/null
t_up=$(($(date +%s) - t0))
device_report "$domid" | tee "$SCENARIO_OUT/devices.txt"
progress "demo: guest up after $t_up s, devices served by $(cut -d' ' -f3 "$SCENARIO_OUT/devices.txt" | xargs)"
guest_wait demo workload-start 240 >/dev/null
t_work=$(date +%s)
progress "demo: fio and iperf3 running (about a minute)"
guest_finish demo 600 || fail "guest job failed (see guest-demo.console)"
t_work=$(($(date +%s) - t_work))

rand=$(guest_report demo fio-rand4k | jq '.jobs[0].read.iops | floor')
seq=$(guest_report demo fio-seq1m | jq '.jobs[0].read.bw / 1024 | floor')
up=$(guest_report demo iperf-up | jq '.end.sum_received.bits_per_second / 1e6 | floor')
down=$(guest_report demo iperf-down | jq '.end.sum_received.bits_per_second / 1e6 | floor')
metric fio-4k-randread-iops "$rand" IOPS
metric fio-1m-seqread-bw "$seq" MiB/s
metric tcp-guest-to-dom0 "$up" Mbit/s
metric tcp-dom0-to-guest "$down" Mbit/s
metric guest-up-seconds "$t_up" s

# negotiated BACKEND_KEYS FRONTEND_KEYS: the features both ends turned on,
# then the frontend's ring and queue choices.
negotiated() {
	local k v out=
	for kv in $1; do
		k=${kv%%=*}
		v=${kv#*=}
		case $k in
		feature-*)
			[ "$v" != 0 ] && case " $2 " in *" $k="[1-9]*) out+="${k#feature-} " ;; esac
			;;
		esac
	done
	for kv in $2; do
		case ${kv%%=*} in
		ring-page-order | multi-queue-num-queues) out+="$kv " ;;
		esac
	done
	case " $1 " in *" feature-max-indirect-segments="*)
		out+="indirect-segments=$(echo " $1 " | sed 's/.* feature-max-indirect-segments=\([0-9]*\) .*/\1/')" ;;
	esac
	echo "$out"
}

{
	echo "xenaccel demo: backend $BACKEND, Xen $(xl info | awk '$1 == "xen_version" { print $3 }'), dom0 $(uname -r)"
	printf '  %-13s %-32s %s\n' device "served by (driver / module)" "negotiated (backend and frontend)"
	while IFS='|' read -r dev be fe; do
		set -- $dev
		printf '  %-13s %-32s %s\n' "$1" "$2 / $3" \
			"$(negotiated "${be#*: }" "${fe#*: }")"
	done <"$SCENARIO_OUT/devices.txt"
	printf '  %-46s %s\n' "fio 4 KiB random read, iodepth 32, 10 s" "$rand IOPS"
	printf '  %-46s %s\n' "fio 1 MiB sequential read, iodepth 8, 10 s" "$seq MiB/s"
	printf '  %-46s %s\n' "iperf3 guest -> dom0, 10 s" "$up Mbit/s"
	printf '  %-46s %s\n' "iperf3 dom0 -> guest, 10 s" "$down Mbit/s"
	printf '  %-46s %s\n' "time: guest up / workloads / scenario" "$t_up s / $t_work s / $(($(date +%s) - t0)) s"
} | tee -a "$SCENARIO_OUT/summary.txt"
