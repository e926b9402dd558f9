/*
 * The DNS bench's load generator: one query, sent over and over to 127.0.0.1:PORT with a fresh ID each
 * time, keeping WINDOW queries in flight. Written in C because a Node client's own per-datagram cost is
 * about a Node server's, so it could not keep a faster server busy; batched system calls (sendmmsg,
 * recvmmsg) make the client's share small and the same for every server it drives.
 *
 *   loadgen PORT WINDOW WARM_MS MEASURE_MS QUERY_HEX
 *
 * After the warm-up it prints "start" on stdout; after the measurement "done ANSWERS SECONDS". A query with
 * no answer for 20 ms counts as lost and its slot is refilled, so a dropped datagram never shrinks the window.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_WINDOW 256
#define MAX_QUERY 512
#define REPLY_BYTES 1500
#define LOST_MS 20

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: loadgen PORT WINDOW WARM_MS MEASURE_MS QUERY_HEX\n");
    return 2;
  }
  int port = atoi(argv[1]);
  int window = atoi(argv[2]);
  double warm = atoi(argv[3]) / 1000.0, measure = atoi(argv[4]) / 1000.0;
  const char *hex = argv[5];
  size_t qlen = strlen(hex) / 2;
  if (window < 1 || window > MAX_WINDOW || qlen < 12 || qlen > MAX_QUERY) {
    fprintf(stderr, "loadgen: bad window or query\n");
    return 2;
  }

  static unsigned char queries[MAX_WINDOW][MAX_QUERY];
  static unsigned char replies[MAX_WINDOW][REPLY_BYTES];
  struct mmsghdr out[MAX_WINDOW], in[MAX_WINDOW];
  struct iovec outv[MAX_WINDOW], inv[MAX_WINDOW];
  for (int i = 0; i < window; i++) {
    for (size_t j = 0; j < qlen; j++) sscanf(hex + 2 * j, "%2hhx", &queries[i][j]);
    outv[i] = (struct iovec){ queries[i], qlen };
    inv[i] = (struct iovec){ replies[i], REPLY_BYTES };
    memset(&out[i], 0, sizeof out[i]);
    memset(&in[i], 0, sizeof in[i]);
    out[i].msg_hdr.msg_iov = &outv[i];
    out[i].msg_hdr.msg_iovlen = 1;
    in[i].msg_hdr.msg_iov = &inv[i];
    in[i].msg_hdr.msg_iovlen = 1;
  }

  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
    perror("loadgen");
    return 1;
  }

  unsigned id = 0;
  long inflight = 0, answered = 0, atStart = 0;
  int measuring = 0;
  double t0 = now(), start = 0;
  struct pollfd p = { .fd = fd, .events = POLLIN };
  for (;;) {
    int want = window - inflight;
    for (int i = 0; i < want; i++) {
      id = (id + 1) & 0xffff;
      queries[i][0] = id >> 8;
      queries[i][1] = id & 0xff;
    }
    if (want > 0) {
      int sent = sendmmsg(fd, out, want, 0);
      if (sent > 0) inflight += sent;
    }
    int ready = poll(&p, 1, LOST_MS);
    if (ready == 0) {
      inflight = 0;
    } else if (ready > 0) {
      int got = recvmmsg(fd, in, window, MSG_DONTWAIT, NULL);
      if (got > 0) {
        answered += got;
        inflight = inflight > got ? inflight - got : 0;
      }
    }
    double t = now();
    if (!measuring && t - t0 >= warm) {
      measuring = 1;
      start = t;
      atStart = answered;
      printf("start\n");
      fflush(stdout);
    } else if (measuring && t - start >= measure) {
      printf("done %ld %.6f\n", answered - atStart, t - start);
      fflush(stdout);
      return 0;
    }
  }
}
