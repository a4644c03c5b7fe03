// SPDX-License-Identifier: GPL-2.0
/*
 * xacap: dom0's half of xafront net's tx-double-fetch mode (see dfblock.h).
 *
 *   xacap IFNAME SRC-MAC DST-MAC
 *
 * Captures the frames of ethertype 0x88b5 that IFNAME (the attacker's vif)
 * receives from SRC-MAC, until SIGINT or SIGTERM; checks that each is
 * whole blocks of the attacker's pages addressed to DST-MAC; then prints
 *
 *   frames N good N bad N drops N min N max N
 *
 * (drops: frames the socket lost) and the first bad frame in hex. It says
 * "ready" once it listens. No Xen library: the rig builds it in dom0 with
 * gcc, which dom0 has for DKMS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dfblock.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int parse_mac(const char *s, uint8_t *mac)
{
	unsigned int m[6], i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = m[i];
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t f[65536 + 64], bad[65536 + 64];
	unsigned long frames = 0, good = 0, nbad = 0, min = 0, max = 0;
	size_t badlen = 0, bad_at = 0, at, i;
	struct sockaddr_ll sll = { 0 };
	struct tpacket_stats st = { 0 };
	socklen_t slen = sizeof(st);
	uint8_t src[6], dst[6];
	int fd, size = 8 << 20;

	if (argc != 4 || parse_mac(argv[2], src) || parse_mac(argv[3], dst)) {
		fprintf(stderr, "usage: xacap IFNAME SRC-MAC DST-MAC\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/*
	 * All protocols: a socket for one would see the vif's frames only
	 * after the bridge, which takes them first.
	 */
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		perror("SO_RCVBUFFORCE");
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = if_nametoindex(argv[1]);
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror(argv[1]);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = recvfrom(fd, f, sizeof(f), MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			perror("recvfrom");
			return 1;
		}
		/* What the guest sent: received by the vif, from its address. */
		if (from.sll_pkttype == PACKET_OUTGOING || n < 14 || memcmp(f + 6, src, 6) ||
		    f[12] != DFB_ETHERTYPE >> 8 || f[13] != (DFB_ETHERTYPE & 0xff))
			continue;
		frames++;
		if (!min || (unsigned long)n < min)
			min = n;
		if ((unsigned long)n > max)
			max = n;
		at = dfb_check(f, n, dst, src);
		if (!at) {
			good++;
			continue;
		}
		if (!nbad++) {
			memcpy(bad, f, n);
			badlen = n;
			bad_at = at - 1;
		}
	}
	getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &slen);
	printf("frames %lu good %lu bad %lu drops %u min %lu max %lu\n", frames, good, nbad,
	       st.tp_drops, min, max);
	if (nbad) {
		printf("first bad frame: %zu bytes, bad from byte %zu:", badlen, bad_at);
		for (i = 0; i < badlen && i < 256; i++)
			printf("%s%02x", i % 32 ? " " : "\n", bad[i]);
		printf("\n");
	}
	return 0;
}
