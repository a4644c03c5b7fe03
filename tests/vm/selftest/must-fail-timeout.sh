# SPDX-License-Identifier: GPL-2.0
# about: MUST FAIL: a scenario that overruns its timeout is stopped and fails
# timeout: 10

sleep 120
