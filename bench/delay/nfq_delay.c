/*
 * nfq_delay: holds every packet of one NFQUEUE queue for a fixed time, then
 * accepts it. With an iptables rule such as
 *
 *     iptables -A INPUT -i lo -p tcp -j NFQUEUE --queue-num 7 --queue-bypass
 *
 * inside a private network namespace, each packet on loopback arrives DELAY
 * later, so one round trip costs twice DELAY. This stands in for netem, which
 * the kernels we bench on do not have. The hook is INPUT on purpose: on
 * OUTPUT the sending socket still owns the queued skb, TCP Small Queues
 * throttles the socket, and a burst's later segments wait behind the held
 * ones (a delay that grows with the burst, not a fixed one).
 *
 *     nfq_delay -q QUEUE -d DELAY_MS
 *
 * Prints "ready" on stdout once the queue is bound; exits on SIGTERM/SIGINT.
 * The delay is the same for every packet, so packets leave in the order they
 * came: a FIFO ring of (packet id, due time) is all the state needed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* More packets than a loopback benchmark ever has in flight at once. */
#define HELD_CAPACITY 65536

typedef struct {
	uint32_t packet_id;
	uint64_t due_ns;
} held_packet;

typedef struct {
	held_packet *ring;
	size_t head;	/* oldest held packet */
	size_t count;
	uint64_t delay_ns;
	unsigned long long held_total;
	unsigned long long overflowed;
	struct nfq_q_handle *queue;
} delayer;

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int signo)
{
	(void) signo;
	stop_requested = 1;
}

static uint64_t monotonic_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t) now.tv_sec * 1000000000ull + (uint64_t) now.tv_nsec;
}

static int on_packet(struct nfq_q_handle *queue, struct nfgenmsg *message, struct nfq_data *packet, void *context)
{
	delayer *state = context;
	struct nfqnl_msg_packet_hdr *header = nfq_get_msg_packet_hdr(packet);
	uint32_t packet_id;

	(void) message;
	if (header == NULL) {
		return 0;
	}
	packet_id = ntohl(header->packet_id);
	if (state->count == HELD_CAPACITY) {
		/* Never drop: a drop would add a retransmission timeout to the measurement. */
		state->overflowed++;
		return nfq_set_verdict(queue, packet_id, NF_ACCEPT, 0, NULL);
	}
	state->ring[(state->head + state->count) % HELD_CAPACITY] = (held_packet) {
		.packet_id = packet_id,
		.due_ns = monotonic_ns() + state->delay_ns,
	};
	state->count++;
	state->held_total++;
	return 0;
}

/* Accepts every packet whose time has come; returns ns until the next one is due, or -1 if none is held. */
static int64_t release_due_packets(delayer *state)
{
	uint64_t now = monotonic_ns();

	while (state->count > 0) {
		held_packet *oldest = &state->ring[state->head];

		if (oldest->due_ns > now) {
			return (int64_t) (oldest->due_ns - now);
		}
		nfq_set_verdict(state->queue, oldest->packet_id, NF_ACCEPT, 0, NULL);
		state->head = (state->head + 1) % HELD_CAPACITY;
		state->count--;
	}
	return -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: nfq_delay -q QUEUE_NUMBER -d ONE_WAY_DELAY_MS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long queue_number = -1;
	double delay_ms = -1;
	int option;
	delayer state = { 0 };
	struct nfq_handle *handle;
	struct sigaction stop_action = { 0 };
	char buffer[65536] __attribute__((aligned));
	int fd;
	int exit_code = 0;

	while ((option = getopt(argc, argv, "q:d:")) != -1) {
		switch (option) {
		case 'q':
			queue_number = strtol(optarg, NULL, 10);
			break;
		case 'd':
			delay_ms = strtod(optarg, NULL);
			break;
		default:
			usage();
		}
	}
	if (queue_number < 0 || queue_number > 65535 || delay_ms < 0) {
		usage();
	}
	state.delay_ns = (uint64_t) (delay_ms * 1e6);
	state.ring = calloc(HELD_CAPACITY, sizeof(*state.ring));
	if (state.ring == NULL) {
		perror("nfq_delay: calloc");
		return 1;
	}

	stop_action.sa_handler = on_stop_signal;
	sigaction(SIGTERM, &stop_action, NULL);
	sigaction(SIGINT, &stop_action, NULL);

	handle = nfq_open();
	if (handle == NULL) {
		perror("nfq_delay: nfq_open");
		free(state.ring);
		return 1;
	}
	state.queue = nfq_create_queue(handle, (uint16_t) queue_number, on_packet, &state);
	if (state.queue == NULL) {
		perror("nfq_delay: nfq_create_queue");
		nfq_close(handle);
		free(state.ring);
		return 1;
	}
	/* Only the verdict matters: ask for metadata, not the payload. */
	if (nfq_set_mode(state.queue, NFQNL_COPY_META, 0) < 0) {
		perror("nfq_delay: nfq_set_mode");
		exit_code = 1;
		goto out;
	}
	nfq_set_queue_maxlen(state.queue, HELD_CAPACITY);
	/* If the kernel queue ever fills, let packets through rather than drop them. */
	nfq_set_queue_flags(state.queue, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
	fd = nfq_fd(handle);
	{
		int no_enobufs = 1;
		int receive_buffer = 8 * 1024 * 1024;

		setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &no_enobufs, sizeof(no_enobufs));
		setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer, sizeof(receive_buffer));
	}

	printf("ready\n");
	fflush(stdout);

	while (!stop_requested) {
		int64_t wait_ns = release_due_packets(&state);
		struct timespec timeout = { .tv_sec = 0, .tv_nsec = 200 * 1000000L };
		struct pollfd readable = { .fd = fd, .events = POLLIN };
		int ready;

		if (wait_ns >= 0) {
			timeout.tv_sec = wait_ns / 1000000000;
			timeout.tv_nsec = wait_ns % 1000000000;
		}
		ready = ppoll(&readable, 1, &timeout, NULL);
		if (ready < 0) {
			if (errno == EINTR) {
				continue;
			}
			perror("nfq_delay: ppoll");
			exit_code = 1;
			break;
		}
		if (ready == 0) {
			continue;
		}
		for (;;) {
			ssize_t received = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);

			if (received < 0) {
				if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ENOBUFS) {
					perror("nfq_delay: recv");
					exit_code = 1;
				}
				break;
			}
			nfq_handle_packet(handle, buffer, (int) received);
		}
		if (exit_code != 0) {
			break;
		}
	}

	/* Let whatever is still held go now, so no connection is left hanging. */
	while (state.count > 0) {
		nfq_set_verdict(state.queue, state.ring[state.head].packet_id, NF_ACCEPT, 0, NULL);
		state.head = (state.head + 1) % HELD_CAPACITY;
		state.count--;
	}
	fprintf(stderr, "nfq_delay: held %llu packets, %llu passed undelayed (ring full)\n",
		state.held_total, state.overflowed);
out:
	nfq_destroy_queue(state.queue);
	nfq_close(handle);
	free(state.ring);
	return exit_code;
}
