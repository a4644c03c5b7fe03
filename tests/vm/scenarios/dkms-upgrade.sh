# SPDX-License-Identifier: GPL-2.0
# about: installing a second kernel (bookworm-backports 6.12 image + headers) makes DKMS build and install xenaccel for it, with no user action
# timeout: 2700
# needs: bpo-kernel xenaccel

# The host downloaded the packages (the rig has no network); installing
# them with dpkg runs the kernel's and the headers' postinst hooks, and
# DKMS's hooks there must build xenaccel for the new kernel by themselves.
[ -d /var/lib/dkms/xenaccel ] || fail "xenaccel is not registered with DKMS"
running=$(uname -r)
debs=$RIG/in/debs-bpo
image=$(ls "$debs"/linux-image-6.*.deb)
new=$(dpkg-deb -f "$image" Package)
new=${new#linux-image-}
[ "$new" != "$running" ] || fail "the second kernel is the running one ($new)"
echo "before:"
dkms status xenaccel

progress "scenario dkms-upgrade: installing linux-image-$new with dpkg (slow under TCG)"
t0=$(date +%s)
DEBIAN_FRONTEND=noninteractive dpkg -i "$debs"/*.deb
metric dpkg-install-seconds $(($(date +%s) - t0)) s
echo "after:"
dkms status xenaccel | tee "$SCENARIO_OUT/dkms-status.txt"

# Both kernels must show the package installed, and the new kernel's
# module tree must hold all three modules built for it.
for k in "$running" "$new"; do
	grep -q "^xenaccel/[^,]*, $k, x86_64: installed" "$SCENARIO_OUT/dkms-status.txt" ||
		fail "dkms status does not show xenaccel installed for $k"
done
for m in xenaccel_core xenaccel_blkback xenaccel_netback; do
	f=$(modinfo -k "$new" -n "$m") || fail "no $m for $new"
	vermagic=$(modinfo -k "$new" -F vermagic "$m")
	case $vermagic in
	"$new "*) echo "$f: $vermagic" ;;
	*) fail "$m for $new has vermagic '$vermagic'" ;;
	esac
done
summary "dkms-upgrade: installing linux-image-$new rebuilt xenaccel automatically: $(grep -c installed "$SCENARIO_OUT/dkms-status.txt") kernels with xenaccel installed"
