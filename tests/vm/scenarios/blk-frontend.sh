# SPDX-License-Identifier: GPL-2.0
# about: the user-space frontend (tests/frontend, xafront) as a well-behaved blkif frontend: direct, partial, indirect and batched writes read back and compared, flush, last block, reconnect; single and multi-page rings, with and without persistent grants, the x86_64 and x86_32 request layouts; nothing left mapped after
# timeout: 900

# gcache KEY: xenaccel's totals over every persistent grant cache.
gcache() { awk -v k="$1" '$1 == k { print $2 }' /sys/kernel/debug/xenaccel/gcache; }

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
