# SPDX-License-Identifier: GPL-2.0
# about: the user-space frontend (tests/frontend, xafront) as a well-behaved blkif frontend: direct, partial, indirect and batched writes read back and compared, flush, last block, reconnect; single and multi-page rings, with and without persistent grants, the x86_64 and x86_32 request layouts; the backend's event requests (one per request for a frontend that keeps up, fewer for one behind, whose requests queued without an event are still answered); nothing left mapped after
# timeout: 900

# gcache KEY: xenaccel's totals over every persistent grant cache.
gcache() { awk -v k="$1" '$1 == k { print $2 }' /sys/kernel/debug/xenaccel/gcache; }

# The events mode reads the backend's req_event a few milliseconds after
# an answer: xenaccel's wait for a batch must outlast that, so it gets
# its longest, restored at exit.
coalesce=/sys/module/xenaccel_blkback/parameters/coalesce_us
if [ "$BACKEND" = xenaccel ]; then
	coalesce_was=$(cat $coalesce)
	at_exit "echo $coalesce_was >$coalesce"
	echo 10000 >$coalesce
fi

domid=$(guest_start frontend --disk /dev/ram0 <<'JOB'
modprobe xen-gntalloc
modprobe xen-evtchn
rc=0
xafront blk rw || rc=1
xafront blk --order 2 --no-persistent rw || rc=1
xafront blk --order 4 rw || rc=1
xafront blk --order -1 rw || rc=1
# A 32-bit guest's request layout (protocol x86_32-abi).
xafront blk --abi x86_32 rw || rc=1
xafront blk --abi x86_32 --order 4 rw || rc=1
xafront blk events || rc=1
exit $rc
JOB
)
rc=0
guest_finish frontend 600 || rc=1
guest_console frontend | sed -n 's/^@@xenaccel result-/xafront blk /p' | while read -r line; do
	summary "blk-frontend: $line"
done
n=$(guest_console frontend | grep -c '^@@xenaccel result-rw PASS' || true)
metric rw_passed "$n"
[ "$n" = 6 ] || fail "xafront rw passed $n of 6 configurations"
events=$(guest_report frontend result-events)
case $events in PASS*) ;; *) fail "xafront events: ${events:-no result}" ;; esac
quiet=$(echo "$events" | sed -n 's/.*quiet=\([0-9]*\).*/\1/p')
if [ "$BACKEND" = xenaccel ]; then
	[ "${quiet:-0}" -gt 0 ] || fail "xenaccel never coalesced events for a frontend behind: $events"
else
	[ "${quiet:-0}" = 0 ] || fail "in-tree let requests go without an event: $events"
fi
[ $rc = 0 ] || fail "the frontend guest's job failed"
if [ "$BACKEND" = xenaccel ]; then
	[ "$(gcache caches)" = 0 ] && [ "$(gcache budget_used)" = 0 ] ||
		fail "persistent grants left: $(tr '\n' ' ' </sys/kernel/debug/xenaccel/gcache)"
fi
# A grant dom0 still maps keeps the dead domain around.
for _ in $(seq 30); do
	xl list | awk '$1 == "(null)"' | grep -q . || break
	sleep 1
done
! xl list | awk '$1 == "(null)"' | grep -q . || fail "domain $domid lingers after destroy: grants still mapped?"
