# SPDX-License-Identifier: GPL-2.0
#
# xenaccel: out-of-tree Xen PV backends. This Makefile only wraps Kbuild
# (see Kbuild) and the project's checks.
#
#   make                  build against the running kernel, or KDIR=...
#   make XENACCEL_DEBUG=1 debug build: in-module self-tests run at load
#   make check            sparse (C=1) and W=1 against KDIR
#   make unit             user-space unit tests (no Xen needed)
#   make matrix           build against every supported Debian kernel
#   make checkpatch       checkpatch --strict over the sources
#   make fuzz             each libFuzzer target for 60 s (tests/fuzz/run N)
#   make test             everything .ci/run runs
#   make install-modprobe install /etc/modprobe.d/xenaccel.conf
#   make demo             the main job: the Xen rig with xenaccel serving a guest
#   make vm-test          the rig's scenarios (tests/vm/Makefile.inc)

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(CURDIR)
MODPROBE_D ?= /etc/modprobe.d

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

check:
	$(MAKE) -C $(KDIR) M=$(PWD) W=1 C=1 modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean
	$(MAKE) -C tests/unit clean

unit:
	$(MAKE) -C tests/unit

matrix:
	tests/matrix/run --sparse

checkpatch:
	tests/checkpatch/run

fuzz:
	tests/fuzz/run

test:
	tests/run

install-modprobe:
	install -D -m 0644 xenaccel.modprobe.conf $(DESTDIR)$(MODPROBE_D)/xenaccel.conf

uninstall-modprobe:
	rm -f $(DESTDIR)$(MODPROBE_D)/xenaccel.conf

include tests/vm/Makefile.inc

.PHONY: all modules check clean unit matrix checkpatch fuzz test install-modprobe uninstall-modprobe
