# SPDX-License-Identifier: GPL-2.0
# about: a guest vif on xenbr0 is served by the backend and passes traffic both ways: ping each way, iperf3 guest to dom0 and dom0 to guest
# timeout: 300

iperf3 -s -D --pidfile /run/iperf3.pid
at_exit 'kill "$(cat /run/iperf3.pid)"'

domid=$(guest_start net --memory 512 --vif <<'JOB'
modprobe xen-netfront
net_up
ping -c 3 -W 10 "$DOM0_IP"
say net-ready "$GUEST_IP"
# dom0 pings this address before the guest goes on (and may be gone).
wait_dom0 pinged
# -R: dom0 sends, the guest receives.
iperf3 -c "$DOM0_IP" -t 5 -i 0 -J >/tmp/up.json
say_file iperf-up /tmp/up.json
iperf3 -c "$DOM0_IP" -t 5 -i 0 -J -R >/tmp/down.json
say_file iperf-down /tmp/down.json
JOB
)
echo "guest net is domain $domid"

ip=$(guest_wait net net-ready 180)
device_report "$domid" | tee "$SCENARIO_OUT/devices.txt"
ping -c 3 -W 10 "$ip" || fail "dom0 cannot ping the guest at $ip"
guest_signal "$domid" pinged
guest_finish net 120 || fail "guest job failed (see guest-net.console)"

for dir in up down; do
	json=$(guest_report net "iperf-$dir")
	[ -n "$json" ] || fail "no iperf3 report for $dir"
	echo "$json" | jq -e '.error == null' >/dev/null || fail "iperf3 $dir: $(echo "$json" | jq -r .error)"
	mbit=$(echo "$json" | jq '.end.sum_received.bits_per_second / 1e6 | floor')
	[ "$mbit" -gt 0 ] || fail "iperf3 $dir moved no data"
	metric "tcp-$dir" "$mbit" Mbit/s
done
summary "net-smoke: guest->dom0 $(jq -r 'select(.name == "tcp-up") | .value' "$SCENARIO_OUT/metrics.jsonl") Mbit/s, dom0->guest $(jq -r 'select(.name == "tcp-down") | .value' "$SCENARIO_OUT/metrics.jsonl") Mbit/s, served by: $(cut -d'|' -f1 "$SCENARIO_OUT/devices.txt" | xargs)"
