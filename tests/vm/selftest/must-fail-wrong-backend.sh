# SPDX-License-Identifier: GPL-2.0
# about: MUST FAIL: a disk served by the in-tree backend while xenaccel is expected
# timeout: 300

# Run with --backend=intree: the guest's disk is served by xen-blkback,
# and backend_check, told to expect xenaccel, must refuse it.
BACKEND=xenaccel
domid=$(guest_start wrong --disk /dev/ram1 <<'JOB'
modprobe xen-blkfront
wait_dev /dev/xvdb
say disk-ready
# Stay up while dom0 looks at the backend.
sleep 300
JOB
)
guest_wait wrong disk-ready 180 >/dev/null
backend_check "$domid"
