/*
 * The WebSocket bench's floor: what echoing small WebSocket messages costs on this machine with no runtime
 * at all. Just enough RFC 6455 for the bench: the opening handshake (Sec-WebSocket-Accept computed with the
 * SHA-1 below), and frames with payloads under 64 KiB. Built by websocket.bench.ts with the system C compiler.
 *
 *   floor server            prints its port (127.0.0.1), then echoes for every connection: one epoll loop,
 *                           each read's frames unmasked and their echoes written back in one write().
 *   floor client PORT SECS  one connection, one masked 32-byte text message in flight (blocking write, then
 *                           read until the echo is whole) for SECS seconds; prints "MSGS_PER_S CPU_US_PER_MSG MSGS".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_BYTES (256 * 1024)
#define MAX_FD 1024

static void die(const char *what) {
  perror(what);
  exit(1);
}

/* ---------------------------------------------------------------- SHA-1 (FIPS 180-4), for the handshake only */

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1(const unsigned char *msg, size_t len, unsigned char out[20]) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  size_t total = ((len + 8) / 64 + 1) * 64;
  unsigned char *m = calloc(total, 1);
  memcpy(m, msg, len);
  m[len] = 0x80;
  uint64_t bits = (uint64_t)len * 8;
  for (int i = 0; i < 8; i++) m[total - 1 - i] = (unsigned char)(bits >> (8 * i));
  for (size_t off = 0; off < total; off += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++) w[i] = (uint32_t)m[off + 4 * i] << 24 | (uint32_t)m[off + 4 * i + 1] << 16 | (uint32_t)m[off + 4 * i + 2] << 8 | m[off + 4 * i + 3];
    for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
      uint32_t f, k;
      if (i < 20) f = (b & c) | (~b & d), k = 0x5A827999;
      else if (i < 40) f = b ^ c ^ d, k = 0x6ED9EBA1;
      else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
      else f = b ^ c ^ d, k = 0xCA62C1D6;
      uint32_t t = rol(a, 5) + f + e + k + w[i];
      e = d, d = c, c = rol(b, 30), b = a, a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
  }
  free(m);
  for (int i = 0; i < 20; i++) out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

static void base64(const unsigned char *in, size_t len, char *out) {
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < len ? in[i + 2] : 0);
    out[o++] = abc[v >> 18 & 63];
    out[o++] = abc[v >> 12 & 63];
    out[o++] = i + 1 < len ? abc[v >> 6 & 63] : '=';
    out[o++] = i + 2 < len ? abc[v & 63] : '=';
  }
  out[o] = 0;
}

/* The Sec-WebSocket-Accept value for `key` (RFC 6455 section 4.2.2). */
static void acceptFor(const char *key, size_t keyLen, char out[32]) {
  static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char joined[128], digest[20];
  if (keyLen > sizeof joined - sizeof guid) keyLen = sizeof joined - sizeof guid;
  memcpy(joined, key, keyLen);
  memcpy(joined + keyLen, guid, sizeof guid - 1);
  sha1(joined, keyLen + sizeof guid - 1, digest);
  base64(digest, 20, out);
}

static void writeAll(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        /* Loopback echo of small frames: the peer reads; wait for room rather than buffer. */
        struct timespec ts = {0, 50000};
        nanosleep(&ts, NULL);
        continue;
      }
      return;
    }
    p += w, len -= (size_t)w;
  }
}

/* ---------------------------------------------------------------- server */

struct conn {
  int upgraded;
  size_t have; /* bytes kept from earlier reads (a partial head or frame) */
  unsigned char keep[BUF_BYTES];
};

static struct conn *conns[MAX_FD];
static unsigned char in[BUF_BYTES * 2];
static unsigned char out[BUF_BYTES * 2];

/* Answers a whole request head in `c->keep`; returns 0 to drop the connection. */
static int handshake(int fd, struct conn *c, size_t headEnd) {
  char *head = (char *)c->keep;
  head[headEnd] = 0;
  char *k = strcasestr(head, "\r\nSec-WebSocket-Key:");
  if (k == NULL) return 0;
  k += 20;
  while (*k == ' ') k++;
  char *e = strstr(k, "\r\n");
  char accept[32];
  acceptFor(k, (size_t)(e - k), accept);
  char resp[256];
  int n = snprintf(resp, sizeof resp, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", accept);
  writeAll(fd, resp, (size_t)n);
  c->upgraded = 1;
  return 1;
}

/* Echoes every whole frame in data[0..len); returns how many bytes were used (the rest is a partial frame). */
static size_t echoFrames(int fd, unsigned char *data, size_t len, int *closing) {
  size_t pos = 0, o = 0;
  while (len - pos >= 2) {
    unsigned op = data[pos] & 0x0f;
    size_t plen = data[pos + 1] & 0x7f, head = 2;
    if (plen == 126) {
      if (len - pos < 4) break;
      plen = (size_t)data[pos + 2] << 8 | data[pos + 3];
      head = 4;
    } else if (plen == 127) {
      *closing = 1;
      break;
    }
    if (len - pos < head + 4 + plen) break;
    unsigned char *key = data + pos + head, *p = key + 4;
    for (size_t i = 0; i < plen; i++) p[i] ^= key[i & 3];
    out[o++] = data[pos];
    if (plen < 126) out[o++] = (unsigned char)plen;
    else out[o++] = 126, out[o++] = (unsigned char)(plen >> 8), out[o++] = (unsigned char)plen;
    memcpy(out + o, p, plen);
    o += plen;
    pos += head + 4 + plen;
    if (op == 8) {
      *closing = 1;
      break;
    }
    if (o > sizeof out - 70000) writeAll(fd, out, o), o = 0;
  }
  if (o > 0) writeAll(fd, out, o);
  return pos;
}

static void drop(int ep, int fd) {
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
  free(conns[fd]);
  conns[fd] = NULL;
}

static void serve(void) {
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
  if (listen(ls, 128) < 0) die("listen");
  socklen_t al = sizeof a;
  getsockname(ls, (struct sockaddr *)&a, &al);
  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  struct epoll_event evs[64];
  for (;;) {
    int n = epoll_wait(ep, evs, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == ls) {
        int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
        if (c < 0) continue;
        if (c >= MAX_FD) {
          close(c);
          continue;
        }
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conns[c] = calloc(1, sizeof(struct conn));
        struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
        continue;
      }
      struct conn *c = conns[fd];
      if (c == NULL) continue;
      /* A partial frame from the last read goes in front of this one's bytes. */
      memcpy(in, c->keep, c->have);
      ssize_t r = read(fd, in + c->have, BUF_BYTES);
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r <= 0) {
        drop(ep, fd);
        continue;
      }
      size_t len = c->have + (size_t)r;
      if (!c->upgraded) {
        if (len >= BUF_BYTES) {
          drop(ep, fd);
          continue;
        }
        memcpy(c->keep, in, len);
        c->have = len;
        c->keep[len] = 0;
        char *end = strstr((char *)c->keep, "\r\n\r\n");
        if (end == NULL) continue;
        size_t headEnd = (size_t)(end - (char *)c->keep);
        if (!handshake(fd, c, headEnd)) {
          drop(ep, fd);
          continue;
        }
        size_t used = headEnd + 4;
        memmove(in, in + used, len - used);
        len -= used;
        c->have = 0;
      }
      int closing = 0;
      size_t used = echoFrames(fd, in, len, &closing);
      if (closing || len - used >= BUF_BYTES) {
        drop(ep, fd);
        continue;
      }
      c->have = len - used;
      memcpy(c->keep, in + used, c->have);
    }
  }
}

/* ---------------------------------------------------------------- client */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpuSeconds(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

static void readExactly(int fd, unsigned char *buf, size_t len) {
  size_t got = 0;
  while (got < len) {
    ssize_t r = read(fd, buf + got, len - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) die("read");
    got += (size_t)r;
  }
}

static void client(int port, double seconds) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
  char req[256], expect[32];
  int n = snprintf(req, sizeof req, "GET /echo HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", port, key);
  writeAll(fd, req, (size_t)n);
  acceptFor(key, strlen(key), expect);
  char head[4096];
  size_t hl = 0;
  while (hl < sizeof head - 1) {
    ssize_t r = read(fd, head + hl, 1);
    if (r <= 0) die("handshake");
    hl++;
    if (hl >= 4 && memcmp(head + hl - 4, "\r\n\r\n", 4) == 0) break;
  }
  head[hl] = 0;
  if (strncmp(head, "HTTP/1.1 101", 12) != 0 || strstr(head, expect) == NULL) {
    fprintf(stderr, "floor client: bad handshake answer\n%s", head);
    exit(1);
  }
  /* One masked 32-byte text frame; the key is fixed (a floor, not a browser). */
  unsigned char frame[38] = {0x81, 0x80 | 32, 0x12, 0x34, 0x56, 0x78};
  for (int i = 0; i < 32; i++) frame[6 + i] = (unsigned char)('x' ^ frame[2 + (i & 3)]);
  unsigned char echo[34];
  long count = 0;
  double start = now(), cpu0 = cpuSeconds(), end = start + seconds;
  for (;;) {
    for (int i = 0; i < 100; i++) {
      writeAll(fd, frame, sizeof frame);
      readExactly(fd, echo, sizeof echo);
      if (echo[0] != 0x81 || echo[1] != 32 || echo[2] != 'x') {
        fprintf(stderr, "floor client: wrong echo\n");
        exit(1);
      }
    }
    count += 100;
    if (now() >= end) break;
  }
  double elapsed = now() - start;
  printf("%.1f %.3f %ld\n", (double)count / elapsed, (cpuSeconds() - cpu0) * 1e6 / (double)count, count);
  close(fd);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc >= 2 && strcmp(argv[1], "server") == 0) serve();
  else if (argc >= 4 && strcmp(argv[1], "client") == 0) client(atoi(argv[2]), atof(argv[3]));
  else {
    fprintf(stderr, "usage: floor server | floor client PORT SECONDS\n");
    return 2;
  }
  return 0;
}
