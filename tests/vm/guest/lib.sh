# SPDX-License-Identifier: GPL-2.0
# Helpers for guest jobs (the heredocs scenarios pass to guest_start), run
# by busybox sh -e in the guest.  Sourced, not executed.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

# say KEY [VALUE...]: one line dom0 reads with guest_wait KEY.  One write,
# so that it cannot interleave with kernel messages on the console.
say() { printf '@@xenaccel %s\n' "$*"; }

# say_file KEY FILE: a file's content (e.g. fio's JSON) as one line.
say_file() { printf '@@xenaccel %s %s\n' "$1" "$(tr -d '\n' <"$2")"; }

# dom0_said KEY: has dom0 said KEY (guest_signal DOMID KEY)?  dom0 writes
# it under this domain's data/ directory in xenstore, read with xafront.
dom0_said() {
	xafront xs-read "/local/domain/$(xafront xs-read domid)/data/$1" >/dev/null 2>&1
}

# wait_dom0 KEY: wait until dom0 has said KEY.
wait_dom0() {
	until dom0_said "$1"; do sleep 1; done
}

# streams_start PORT_TO_DOM0 PORT_FROM_DOM0: a stream each way with
# dom0's listeners (listen_both_ways); their pids in $streams.
streams_start() {
	nc.openbsd "$DOM0_IP" "$1" </dev/zero >/dev/null 2>&1 &
	streams=$!
	nc.openbsd "$DOM0_IP" "$2" </dev/null >/dev/null 2>&1 &
	streams="$streams $!"
}

# wait_dev PATH [SECONDS]: wait for a device node (frontends attach
# asynchronously after modprobe).
wait_dev() {
	local t=0
	while [ ! -e "$1" ]; do
		[ $t -lt "${2:-60}" ] || { echo "no $1 after ${2:-60} s"; return 1; }
		sleep 1
		t=$((t + 1))
	done
}

# net_up [DEV]: configure DEV (eth0) with GUEST_IP on dom0's bridge, and
# wait up to 60 s for its carrier: netfront has none until the backend is
# Connected, which waits for the toolstack's hotplug script (slow in this
# rig), and what the guest sends before is lost.
net_up() {
	local dev=${1:-eth0} t=0
	wait_dev "/sys/class/net/$dev"
	ip link set "$dev" up
	ip addr add "$GUEST_IP/24" dev "$dev"
	until [ "$(cat "/sys/class/net/$dev/carrier" 2>/dev/null)" = 1 ]; do
		[ $t -lt 60 ] || { echo "no carrier on $dev after 60 s"; return 0; }
		sleep 1
		t=$((t + 1))
	done
}
