# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the rig's dom0 init and for scenarios (tests/vm/scenarios/*.sh),
# which run in dom0 with this file sourced, `set -euo pipefail`, and:
#   BACKEND       intree | xenaccel: the backend every guest must be served by
#   SCENARIO      the scenario's name
#   SCENARIO_OUT  its result directory (log, metrics.jsonl, summary.txt, ...)
#   RIG           the run's share: $RIG/in (inputs), $RIG/out (results)
#   DOM0          the dom0's Debian suite (bookworm, sid)
#   XEN_VERSION   its Xen's (4.17, 4.20): the toolstack is /usr/lib/xen-VERSION
# A scenario passes when it returns 0 within its timeout and dom0's kernel
# log shows no splat meanwhile.  Sourced, not executed.

export PATH=/usr/lib/xen-$XEN_VERSION/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RIG=/mnt/rig
DOM0_IP=198.18.0.1
# xenconsoled writes guest consoles straight into the share, so that the
# host can watch a guest while it runs.
GUEST_CONSOLE_DIR=$RIG/out/consoles

# Every xl call is bounded: a backend that never answers a state change
# can block the toolstack, and a scenario's own timeout cannot reach a
# command that ignores SIGTERM.
xl() { timeout -k 5 120 "/usr/lib/xen-$XEN_VERSION/bin/xl" "$@"; }

# progress MSG: one line on the serial console, which tests/vm/run echoes.
progress() { echo "xenaccel-rig: $*" >/dev/console; }

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# metric NAME VALUE [UNIT]: a number for results.json.
metric() {
	jq -cn --arg n "$1" --argjson v "$2" --arg u "${3:-}" \
		'{name: $n, value: $v, unit: $u}' >>"$SCENARIO_OUT/metrics.jsonl"
}

# summary TEXT: a line that tests/vm/run prints after the run.
summary() { echo "$*" >>"$SCENARIO_OUT/summary.txt"; }

# at_exit COMMAND: run COMMAND (eval'd) when the scenario ends, however it
# ends; guests it started are destroyed after that.
at_exit_cmds=()
at_exit() { at_exit_cmds+=("$1"); }
scenario_end() {
	local rc=$? c
	[ "$rc" = 0 ] || backend_state_dump
	for c in "${at_exit_cmds[@]}"; do
		eval "$c" || true
	done
	guests_cleanup
}

# backend_state_dump: xenaccel's ring state of every device still there
# (debugfs), into a failed scenario's log before its guests are destroyed.
backend_state_dump() {
	local f
	for f in /sys/kernel/debug/xenaccel/blkback/*/rings /sys/kernel/debug/xenaccel/netback/*/queues; do
		[ -e "$f" ] || continue
		echo "--- $f"
		cat "$f"
	done
}

scenario_begin() {
	echo "scenario $SCENARIO, backend $BACKEND, $(date -u +%FT%TZ)"
	trap scenario_end EXIT
}

# --- backends -----------------------------------------------------------

# The xenbus driver names and modules of each backend.
backend_drivers() {
	case $1 in
	intree) echo "vbd vif" ;;
	xenaccel) echo "xenaccel_vbd xenaccel_vif" ;;
	*) return 1 ;;
	esac
}
backend_modules() {
	case $1 in
	intree) echo "xen_blkback xen_netback" ;;
	xenaccel) echo "xenaccel_blkback xenaccel_netback" ;;
	*) return 1 ;;
	esac
}

# backend_use intree|xenaccel: unload the other backend and load this one.
# dom0 has no udev, so nothing would load a backend on demand.  Explicit
# modprobe ignores the blacklist in xenaccel's modprobe.d file.  Fails if
# a module does not load or the other backend's drivers stay registered;
# whether this backend registered a driver for each device type is for
# the scenarios to find out (backend_check), so that one missing backend
# does not hide what the other does.
backend_use() {
	local want=$1 other m d
	case $want in
	intree) other=xenaccel ;;
	xenaccel) other=intree ;;
	*) echo "unknown backend '$want'" >&2; return 1 ;;
	esac
	# rmmod, not modprobe -r: modprobe -r of one xenaccel backend fails
	# ("xenaccel_core is in use") while the other still holds the core.
	for m in $(backend_modules "$other") $([ "$other" = xenaccel ] && echo xenaccel_core); do
		if [ -d "/sys/module/$m" ]; then
			rmmod "$m" || return 1
		fi
	done
	modprobe -a $(backend_modules "$want") || return 1
	for d in $(backend_drivers "$other"); do
		[ ! -d "/sys/bus/xen-backend/drivers/$d" ] ||
			{ echo "xenbus driver $d still registered" >&2; return 1; }
	done
}

# backend_check DOMID: every vbd and vif of the guest must be bound to
# $BACKEND's xenbus driver and Connected on both ends in xenstore; prints
# one line per device: DEVICE DRIVER MODULE.  Fails if any device is unbound
# or served by the other backend.
backend_check() {
	local domid=$1 dev name type drv want mod be fe bstate fstate n=0
	for dev in /sys/bus/xen-backend/devices/vbd-"$domid"-* /sys/bus/xen-backend/devices/vif-"$domid"-*; do
		[ -e "$dev" ] || continue
		name=${dev##*/}
		type=${name%%-*}
		if [ "$type" = vbd ]; then
			want=$(backend_drivers "$BACKEND" | cut -d' ' -f1)
		else
			want=$(backend_drivers "$BACKEND" | cut -d' ' -f2)
		fi
		[ -e "$dev/driver" ] || { echo "$name: bound to no driver" >&2; return 1; }
		drv=$(basename "$(readlink -f "$dev/driver")")
		mod=built-in
		[ -e "$dev/driver/module" ] && mod=$(basename "$(readlink -f "$dev/driver/module")")
		[ "$drv" = "$want" ] ||
			{ echo "$name: served by $drv ($mod), expected $want ($BACKEND)" >&2; return 1; }
		be=$(cat "$dev/nodename")
		fe=$(xenstore-read "$be/frontend")
		bstate=$(xenstore-read "$be/state")
		fstate=$(xenstore-read "$fe/state")
		[ "$bstate" = 4 ] && [ "$fstate" = 4 ] ||
			{ echo "$name: backend state $bstate, frontend state $fstate, want 4/4" >&2; return 1; }
		echo "$name $drv $mod"
		n=$((n + 1))
	done
	[ $n -gt 0 ] || { echo "domain $domid has no backend devices" >&2; return 1; }
}

# device_report DOMID: for each device of the guest (backend_check must
# pass), a line "DEVICE DRIVER MODULE | backend: KEYS | frontend: KEYS"
# with the negotiation keys both ends wrote.
device_report() {
	local dev drv mod be
	backend_check "$1" | while read -r dev drv mod; do
		be=$(cat "/sys/bus/xen-backend/devices/$dev/nodename")
		echo "$dev $drv $mod | backend: $(xs_features "$be")| frontend: $(xs_features "$(xenstore-read "$be/frontend")")"
	done
}

# xs_features PATH: the negotiation keys under a xenstore device directory,
# as "key=value" words (features, rings, queues).
xs_features() {
	local k
	for k in $(xenstore-list "$1"); do
		case $k in
		feature-* | max-ring-page-order | ring-page-order | multi-queue-* | request-rx-copy)
			echo -n "$k=$(xenstore-read "$1/$k") "
			;;
		esac
	done
	echo
}

# --- leaks ---------------------------------------------------------------

# xenaccel netback's debugfs totals: what all vifs hold together.
netback_totals=/sys/kernel/debug/xenaccel/netback/totals
# netback_held: those totals on one line, e.g. "vifs 0 queues 0 ...".
netback_held() { tr '\n' ' ' <"$netback_totals"; }
# netback_held_zero: nothing held by any vif, with the module loaded.
netback_held_zero() { [ -z "$(awk '$2 != 0' "$netback_totals")" ]; }
# netback_total KEY: one of them.
netback_total() { awk -v k="$1" '$1 == k { print $2 }' "$netback_totals"; }

# What connecting and disconnecting a device again and again must not grow.
slab_unreclaimable() { awk '$1 == "SUnreclaim:" { print $2 }' /proc/meminfo; }
# Live vmalloc areas (rings are mapped there).  vfree()d ones stay listed
# as "unpurged vm_area" until the kernel's lazy purge, which is no leak.
vmalloc_areas() { grep -vc 'unpurged vm_area' /proc/vmallocinfo; }
# vmalloc_callers: live areas per allocating caller, to show what grew.
vmalloc_callers() {
	grep -v 'unpurged vm_area' /proc/vmallocinfo | awk '{ print $3 }' | sort | uniq -c
}
xenstore_nodes() { xenstore-ls -f / | wc -l; }

# cycles_check WHAT COUNT FUNCTION: run "FUNCTION 0" (so that caches the
# first cycle fills count as baseline), then "FUNCTION I" for I in
# 1..COUNT; fail if unreclaimable slab, live vmalloc areas or xenstore
# nodes grew.  Reports the figures as metrics and a summary line.
cycles_check() {
	local what=$1 count=$2 fn=$3 i t0 secs slab0 vmap0 nodes0 slab1 vmap1 nodes1
	"$fn" 0
	slab0=$(slab_unreclaimable) vmap0=$(vmalloc_areas) nodes0=$(xenstore_nodes)
	vmalloc_callers >/tmp/vmalloc-callers-0
	t0=$(date +%s)
	for i in $(seq 1 "$count"); do
		"$fn" "$i"
	done
	secs=$(($(date +%s) - t0))
	slab1=$(slab_unreclaimable) vmap1=$(vmalloc_areas) nodes1=$(xenstore_nodes)
	echo "$what: live vmalloc areas per caller, before and after the cycles:"
	vmalloc_callers | diff /tmp/vmalloc-callers-0 - || true
	metric cycles "$count"
	metric cycle-seconds "$secs" s
	metric slab-unreclaimable-growth-kib $((slab1 - slab0)) KiB
	summary "$what: $count attach/detach cycles in $secs s: SUnreclaim $slab0 -> $slab1 KiB, vmalloc areas $vmap0 -> $vmap1, xenstore nodes $nodes0 -> $nodes1"
	[ "$nodes1" -le "$nodes0" ] || fail "$what: xenstore grew from $nodes0 to $nodes1 nodes"
	[ "$vmap1" -le $((vmap0 + 8)) ] || fail "$what: vmalloc areas grew from $vmap0 to $vmap1"
	# 512 KiB of noise, and 8 KiB a cycle: a leaked ring or request pool
	# per cycle is more.
	[ $((slab1 - slab0)) -lt $((512 + 8 * count)) ] ||
		fail "$what: unreclaimable slab grew by $((slab1 - slab0)) KiB"
}

# --- guests -------------------------------------------------------------

# guest_start NAME [--memory MB] [--disk TARGET]... [--vif] [--vif-opt K=V]...
#             [--env K=V]... < JOB
# Start a PV guest running Debian bookworm's kernel ($RIG/in/guest-vmlinuz,
# whatever dom0 runs) with the rig's initramfs and the job script read
# from stdin.  The guest's init runs JOB
# with busybox sh (helpers from tests/vm/guest/lib.sh available), reports
# "@@xenaccel exit RC" on its console and powers off.  Disks are xvdb,
# xvdc, ... in order (raw, rw); a vif joins xenbr0, and the job finds its
# address in $GUEST_IP (one per guest started in this boot) and dom0's in
# $DOM0_IP, and each --env K=V as $K.  Each --vif-opt goes into the vif's
# xl specification (e.g. mtu=9000; implies --vif).  Prints the domid.
guest_start() {
	local name=$1 mem=512 vif=0 disks=() envs=() vif_opts="" cfg job letter=b d guest_seq
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--memory) mem=$2; shift 2 ;;
		--disk) disks+=("$2"); shift 2 ;;
		--vif) vif=1; shift ;;
		--vif-opt) vif=1; vif_opts="$vif_opts, $2"; shift 2 ;;
		--env) envs+=("$2"); shift 2 ;;
		*) echo "guest_start: unknown option $1" >&2; return 1 ;;
		esac
	done
	job=/tmp/guest-$name
	rm -rf "$job"
	mkdir -p "$job/root/job"
	cat >"$job/root/job/run"
	cp "$RIG/in/rig/guest/init" "$job/root/init"
	cp "$RIG/in/rig/guest/lib.sh" "$job/root/job/lib.sh"
	guest_seq=$(($(cat /run/rig-guest-seq 2>/dev/null || echo 0) + 1))
	echo "$guest_seq" >/run/rig-guest-seq
	{
		printf 'DOM0_IP=%s\nGUEST_IP=198.18.0.%d\n' "$DOM0_IP" $((10 + guest_seq % 200))
		for d in "${envs[@]}"; do
			printf '%s=%q\n' "${d%%=*}" "${d#*=}"
		done
	} >"$job/root/job/env"
	chmod 755 "$job/root/init"
	# The kernel unpacks concatenated cpio archives, compressed or not:
	# this guest's init and job, then the cached base.  The small archive
	# goes first and uncompressed because libxc inflates a ramdisk that
	# starts with gzip's magic itself and fails on concatenated streams.
	{
		(cd "$job/root" && find . | cpio -o -H newc --quiet)
		cat "$RIG/in/guest-base.cpio.gz"
	} >"$job/initrd"
	cfg=$job/xl.cfg
	{
		echo "name = '$name'"
		echo "type = 'pv'"
		echo "kernel = '$RIG/in/guest-vmlinuz'"
		echo "ramdisk = '$job/initrd'"
		echo "extra = 'console=hvc0 loglevel=5'"
		echo "memory = $mem"
		echo "vcpus = 2"
		echo "on_poweroff = 'destroy'"
		echo "on_crash = 'destroy'"
		echo -n "disk = ["
		for d in "${disks[@]}"; do
			echo -n "'format=raw, vdev=xvd$letter, access=rw, target=$d', "
			letter=$(echo "$letter" | tr a-y b-z)
		done
		echo "]"
		if [ $vif = 1 ]; then
			echo "vif = ['bridge=xenbr0$vif_opts']"
		fi
	} >"$cfg"
	rm -f "$GUEST_CONSOLE_DIR/guest-$name.log"
	xl create -q "$cfg" >&2 || return 1
	xl domid "$name"
}

# bench_pin DOMID: the guest's vCPUs on the last pCPU, dom0's on the
# others, so that a benchmark's frontend and backend never share a pCPU
# in one run and not in the next as Xen's scheduler happens to place
# them. BENCH_PIN=0 leaves placement to Xen. bench_unpin: dom0 back on
# every pCPU.
bench_pin() {
	local last
	[ "${BENCH_PIN:-1}" = 1 ] || return 0
	last=$(($(xl info | awk '$1 == "nr_cpus" { print $3 }') - 1))
	[ "$last" -ge 1 ] || return 0
	xl vcpu-pin 0 all "0-$((last - 1))" && xl vcpu-pin "$1" all "$last"
}
bench_unpin() { [ "${BENCH_PIN:-1}" != 1 ] || xl vcpu-pin 0 all all; }
# bench_placement: how bench_pin placed the vCPUs, for a report.
bench_placement() {
	if [ "${BENCH_PIN:-1}" = 1 ]; then
		echo "guest vCPUs pinned to the last pCPU, dom0's to the others"
	else
		echo "vCPUs placed by Xen's scheduler"
	fi
}

# guest_ip NAME: the address guest_start gave guest NAME ($GUEST_IP in it).
guest_ip() { sed -n 's/^GUEST_IP=//p' "/tmp/guest-$1/root/job/env"; }

# guest_signal DOMID KEY: say KEY to a guest job (its dom0_said/wait_dom0).
guest_signal() { xenstore-write "/local/domain/$1/data/$2" 1; }

guest_console() { tr -d '\r' <"$GUEST_CONSOLE_DIR/guest-$1.log" 2>/dev/null; }

# guest_wait NAME KEY [SECONDS]: wait until the guest reported KEY
# ("@@xenaccel KEY ..." on its console) and print what followed KEY.
# Fails early if the guest is gone.
guest_wait() {
	local name=$1 key=$2 limit=${3:-120} deadline
	deadline=$(($(date +%s) + limit))
	while [ "$(date +%s)" -lt $deadline ]; do
		if guest_console "$name" | grep -q -e "^@@xenaccel $key\$" -e "^@@xenaccel $key "; then
			guest_report "$name" "$key"
			return 0
		fi
		if ! xl domid "$name" >/dev/null 2>&1; then
			echo "guest $name ended before reporting '$key'" >&2
			return 1
		fi
		sleep 1
	done
	echo "guest $name did not report '$key' within $limit s" >&2
	return 1
}

# guest_mark NAME KEY [SECONDS]: wait for the guest's "@@xenaccel KEY"
# line like guest_wait, but by following its console (tail, at a tenth of
# a second on the 9p share) instead of rereading it and asking xl every
# second: a benchmark's dom0 CPU window then opens and closes within a
# tenth of a second of the guest's markers and pays for no xl or rescan
# of the console while open. No early exit if the guest dies: SECONDS.
guest_mark() {
	local name=$1 key=$2 limit=${3:-120} fd tail_pid rc=0
	exec {fd}< <(exec tail -s 0.1 -n +1 -F "$GUEST_CONSOLE_DIR/guest-$name.log" 2>/dev/null)
	tail_pid=$!
	timeout "$limit" grep -q -E "^@@xenaccel $key( |"$'\r'"?\$)" <&"$fd" || rc=$?
	kill "$tail_pid" 2>/dev/null || true
	exec {fd}<&-
	[ $rc = 0 ] || echo "guest $name did not report '$key' within $limit s" >&2
	return $rc
}

# domain_cpu DOMID: the domain's CPU time in seconds, all its vCPUs, as
# Xen accounts it (to a tenth of a second).
domain_cpu() { xl list "$1" | awk 'NR == 2 { print $6 }'; }
# cpu_since DOMID T0: the CPU seconds DOMID used since domain_cpu gave T0.
cpu_since() { awk -v a="$(domain_cpu "$1")" -v b="$2" 'BEGIN { print a - b }'; }
# seconds_since T0: wall-clock seconds since $EPOCHREALTIME was T0.
seconds_since() { awk -v a="$EPOCHREALTIME" -v b="$1" 'BEGIN { printf "%.3f\n", a - b }'; }

# A benchmark's measurement window around one workload. The guest's job
# runs it between the lines bench_job_begin emits and a "say end W";
# dom0 calls bench_window_open, then bench_window_close. The guest waits
# for dom0's go: dom0 may still be reading the last workload's results,
# and must not see a begin late.
# bench_job_begin W: the guest job's lines before workload W.
bench_job_begin() { printf '%s\n' "wait_dom0 go-$1" "say begin $1"; }
# dom0_and_guest_cpu DOMID: dom0's and DOMID's CPU seconds, one xl call
# (xl list takes at most one domain: list them all).
dom0_and_guest_cpu() {
	xl list | awk -v d="$1" '$2 == 0 { a = $6 } $2 == d { b = $6 }
		END { if (a == "" || b == "") exit 1; print a, b }'
}
# bench_window_open NAME DOMID W: start guest NAME's workload W and open
# the window on its begin marker.
bench_window_open() {
	guest_signal "$2" "go-$3"
	guest_mark "$1" "begin $3" 300 || fail "$1: no begin $3"
	window_t0=$EPOCHREALTIME
	window_cpu0=$(dom0_and_guest_cpu "$2") || fail "no CPU time for domain $2"
}
# bench_window_close NAME DOMID W: close it on W's end marker. Sets
# window_seconds, and window_cpu and window_guest_cpu: the CPU seconds
# dom0 and the guest used while it was open.
bench_window_close() {
	local now
	guest_mark "$1" "end $3" 300 || fail "$1: no end $3"
	now=$(dom0_and_guest_cpu "$2") || fail "no CPU time for domain $2"
	window_seconds=$(seconds_since "$window_t0")
	read -r window_cpu window_guest_cpu < <(echo "$window_cpu0 $now" |
		awk '{ print $3 - $1, $4 - $2 }')
}

# guest_report NAME KEY: what the guest reported after KEY, from its
# console (one line; for reports made before guest_finish).
guest_report() { guest_console "$1" | sed -n "s/^@@xenaccel $2 //p" | tail -n 1; }

# guest_finish NAME [SECONDS]: wait for the guest's job to end and make
# sure the domain is gone; returns the job's exit code.  (The scenario's
# end keeps the guest's console as $SCENARIO_OUT/guest-NAME.console.)
guest_finish() {
	local name=$1 rc
	rc=$(guest_wait "$name" exit "${2:-300}") || rc=fail
	xl destroy "$name" 2>/dev/null || true
	echo "guest $name: job exit $rc"
	[ "$rc" = 0 ]
}

# guests_cleanup: destroy every guest, keep their consoles in
# $SCENARIO_OUT/guest-NAME.console and clear them for the next scenario.
guests_cleanup() {
	local d c
	# A dying domain shows as "(null)" until Xen has freed it.
	for d in $(xl list | awk 'NR > 2 && $1 != "(null)" { print $1 }'); do
		echo "destroying leftover guest $d"
		xl destroy "$d" || true
	done
	for c in "$GUEST_CONSOLE_DIR"/guest-*.log; do
		[ -e "$c" ] || continue
		d=${c##*/guest-}
		d=${d%.log}
		guest_console "$d" >"$SCENARIO_OUT/guest-$d.console"
		rm -f "$c"
	done
}
