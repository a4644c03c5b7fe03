# SPDX-License-Identifier: GPL-2.0
# about: MUST FAIL: data corrupted behind fio's back fails fio verify in the guest
# timeout: 300

domid=$(guest_start corrupt --disk /dev/ram1 <<'JOB'
modprobe xen-blkfront
wait_dev /dev/xvdb
job="--name=v --filename=/dev/xvdb --ioengine=libaio --direct=1 --rw=write --bs=64k --size=16M --verify=crc32c --eta=never"
fio $job
# Overwrite one block in the middle, then verify what was written.
dd if=/dev/zero of=/dev/xvdb bs=64k seek=100 count=1 oflag=direct
fio $job --verify_only
JOB
)
guest_finish corrupt 240
