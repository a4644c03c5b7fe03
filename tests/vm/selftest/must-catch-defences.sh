# SPDX-License-Identifier: GPL-2.0
# about: MUST FAIL, on a build with defences removed (tests/vm/selftest/defences/*.patch): blk-attack's beyond, bad-op and overflow-far must each catch the backend, while its well-behaved rw mode still passes
# timeout: 1500

BLK_ATTACK_MODES="rw beyond bad-op overflow-far"
. "$RIG/in/rig/scenarios/blk-attack.sh"
