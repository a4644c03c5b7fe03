# SPDX-License-Identifier: GPL-2.0
# about: dom0 is up under Xen, the toolstack answers, the backend is loaded
# timeout: 120

xl info >"$SCENARIO_OUT/xl-info.txt"
xen=$(awk '$1 == "xen_version" { print $3 }' "$SCENARIO_OUT/xl-info.txt")
[ -n "$xen" ] || fail "xl info reports no xen_version"
[ "$(xl list | awk 'NR == 2 { print $1 }')" = Domain-0 ] || fail "xl list shows no Domain-0"

# The selected backend's modules are loaded and no other backend's xenbus
# driver is registered.  A module of the selected backend that registers
# no driver (work in progress) is reported here and fails the scenarios
# that need it.
registered=$(ls /sys/bus/xen-backend/drivers | xargs)
echo "xenbus backend drivers registered: $registered"
for d in $(backend_drivers intree) $(backend_drivers xenaccel); do
	case " $(backend_drivers "$BACKEND") " in *" $d "*) continue ;; esac
	[ ! -d "/sys/bus/xen-backend/drivers/$d" ] || fail "xenbus driver $d of the other backend is registered"
done
missing=
for d in $(backend_drivers "$BACKEND"); do
	[ -d "/sys/bus/xen-backend/drivers/$d" ] || missing+="$d "
done
loaded=$(lsmod | awk '$1 ~ /^(xen_blkback|xen_netback|xenaccel_)/ { print $1 }' | sort | xargs)
echo "backend modules loaded: $loaded"
for m in $(backend_modules "$BACKEND"); do
	case " $loaded " in *" $m "*) ;; *) fail "module $m not loaded" ;; esac
done

# A debug build ran its self-tests at load; a failure refused the load.
selftests=$(dmesg | sed -n 's/.*\(xenaccel_[a-z]*: .* self-tests: .*\)/\1/p' | sort -u)
[ -z "$selftests" ] || echo "$selftests" | tee "$SCENARIO_OUT/selftests.txt"
if [ "${XENACCEL_DEBUG:-0}" = 1 ] && [ "$BACKEND" = xenaccel ]; then
	[ -n "$selftests" ] || fail "debug build, but no self-test ran at load"
	! echo "$selftests" | grep -v ', 0 failed$' || fail "a self-test failed"
	summary "boot: in-module self-tests: $(echo "$selftests" | paste -sd ';' -)"
fi

free=$(awk '$1 == "free_memory" { print $3 }' "$SCENARIO_OUT/xl-info.txt")
metric xen_free_memory "$free" MiB
summary "boot: Xen $xen, dom0 $(uname -r) ($DOM0), backend $BACKEND ($loaded), xenbus drivers: $registered${missing:+; NOT registered: $missing}"
