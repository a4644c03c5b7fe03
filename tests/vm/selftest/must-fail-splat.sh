# SPDX-License-Identifier: GPL-2.0
# about: MUST FAIL: a WARNING in dom0's kernel log fails a scenario that returns 0
# timeout: 60

# The line has the kernel's own WARN format, injected through /dev/kmsg.
echo "<4>WARNING: CPU: 0 PID: $$ at tests/vm/selftest: injected by must-fail-splat" >/dev/kmsg
