# SPDX-License-Identifier: GPL-2.0
# Shared by the host-side rig scripts (build-images, run): paths and helpers.
# Sourced, not executed.

vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$vm_dir/../.." && pwd)
cache=${XENACCEL_CACHE:-$top/.cache}
vmcache=$cache/vm
mirror=${XENACCEL_MIRROR:-http://deb.debian.org/debian}
security_mirror=${XENACCEL_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

log() { printf '[vm %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# need_cmd CMD PACKAGE: install PACKAGE with apt when CMD is missing, so the
# rig works on a fresh CI machine as well as on a prepared one.
need_cmd() {
	command -v "$1" >/dev/null 2>&1 && return 0
	log "installing $2 (for $1)"
	if [ -z "${apt_updated:-}" ]; then
		timeout 600 apt-get update -q >&2
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive timeout 900 \
		apt-get install -y -q --no-install-recommends "$2" >&2
}

# lock_wait FLOCK-ARGS...: flock(1) on an inherited descriptor, waited for
# in the background so that a TERM or INT to the script (see the traps in
# run) ends the wait too, instead of leaving a flock behind that holds the
# descriptor, and with it the lock, after the script is gone.
lock_wait() {
	flock "$@" &
	lock_pid=$!
	wait "$lock_pid"
	local rc=$?
	lock_pid=
	return $rc
}

# The dom0s the rig boots (--dom0=NAME): a Debian suite and its Xen.
# bookworm, the default, is what users of Debian 12 run; sid brings the
# newest kernel of the build matrix.  Guests run bookworm's kernel on both.
dom0_known() { case $1 in bookworm | sid) ;; *) return 1 ;; esac; }
dom0_xen() {
	case $1 in
	bookworm) echo 4.17 ;;
	sid) echo 4.20 ;;
	esac
}
# dom0_dir NAME: where a dom0's root, images and .deb cache live; the
# default's are the cache's top, where they always were.
dom0_dir() {
	if [ "$1" = bookworm ]; then
		echo "$cache/vm"
	else
		echo "$cache/vm/dom0-$1"
	fi
}
