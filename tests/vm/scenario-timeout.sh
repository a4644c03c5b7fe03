# SPDX-License-Identifier: GPL-2.0
# Shared by tests/vm/run (the run's overall limit) and dom0's init (each
# scenario's own): how long a scenario may take.  Sourced, not executed.

# scenario_timeout FILE: the scenario's "# timeout: SECONDS" line (600
# without one), plus, for a "# timeout-per: VAR SECONDS DEFAULT" line,
# SECONDS for each unit of $VAR (DEFAULT when unset or not a number): for
# scenarios whose length a variable sets, like blk-faults' BLK_CYCLES.
scenario_timeout() {
	local t per var secs def n
	t=$(sed -n 's/^# timeout: *\([0-9]*\)$/\1/p' "$1")
	t=${t:-600}
	per=$(sed -n 's/^# timeout-per: *\([A-Z][A-Z0-9_]*\) \([0-9]*\) \([0-9]*\)$/\1 \2 \3/p' "$1")
	if [ -n "$per" ]; then
		read -r var secs def <<<"$per"
		n=${!var:-$def}
		[[ $n =~ ^[0-9]+$ ]] || n=$def
		t=$((t + secs * n))
	fi
	echo "$t"
}
