/* SPDX-License-Identifier: GPL-2.0 */
/* The values of a frontend's "protocol" key (xen/include/public/io/protocols.h). */
#ifndef XENACCEL_SHIM_PROTOCOLS_H
#define XENACCEL_SHIM_PROTOCOLS_H

#define XEN_IO_PROTO_ABI_X86_32	"x86_32-abi"
#define XEN_IO_PROTO_ABI_X86_64	"x86_64-abi"
#define XEN_IO_PROTO_ABI_ARM	"arm-abi"

#endif
