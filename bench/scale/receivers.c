/*
 * The scale bench's receivers: N connections to a room, each counting the lines it is sent. Written in C so
 * the load generator, which shares this 2-core machine with the servers, costs little and the same for
 * every server: one epoll loop, large reads, a newline count.
 *
 *   receivers irc|socketio N TAG PORT...
 *
 * IRC: NICK/USER/JOIN #bench as TAG<i>, ready once its 366 (end of NAMES) came; then every line counts and a
 * PING is answered. Socket.IO: a WebSocket upgrade to /socket.io/?EIO=4&transport=websocket, the namespace
 * connect ("40"), ready once the server acknowledged it; then every event frame ("42...") counts and an
 * Engine.IO ping ("2") is answered ("3"). Connections go round-robin over the PORTs, 20 at a time.
 *
 * Prints "ready" once every connection is ready. On stdin, "go L" zeroes the counts, prints "counting", and
 * prints "done" once every connection counted L; "exit" ends.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_BYTES (256 * 1024)
#define HEAD_BYTES 8192

struct conn {
  int fd;
  int ready;
  long count;
  char nick[32];
  /* Before ready: what came so far (IRC lines, or the HTTP answer); Socket.IO: a partial frame. */
  char head[HEAD_BYTES];
  size_t headLen;
  /* Socket.IO: whether the WebSocket upgrade is done (frames from then on). */
  int upgraded;
};

static int irc;
static int n;
static long target = -1;
static int readyCount;
static struct conn *conns;
static char buf[READ_BYTES];

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void sendAll(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, data, len);
    if (w < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      die("write");
    }
    data += w;
    len -= (size_t)w;
  }
}

/* A client WebSocket text frame (masked with a zero key, which leaves the payload as it is). */
static void sendFrame(int fd, const char *text) {
  char frame[64];
  size_t len = strlen(text);
  frame[0] = (char)0x81;
  frame[1] = (char)(0x80 | len);
  memset(frame + 2, 0, 4);
  memcpy(frame + 6, text, len);
  sendAll(fd, frame, 6 + len);
}

static void becomeReady(struct conn *c) {
  c->ready = 1;
  c->count = 0;
  if (++readyCount == n) {
    printf("ready\n");
    fflush(stdout);
  }
}

static void checkDone(void) {
  if (target < 0) return;
  for (int i = 0; i < n; i++)
    if (conns[i].count < target) return;
  target = -1;
  printf("done\n");
  fflush(stdout);
}

static void ircData(struct conn *c, const char *data, size_t len) {
  if (c->ready) {
    for (const char *p = data; (p = memchr(p, '\n', (size_t)(data + len - p))) != NULL; p++) c->count++;
    /* A PING starts a read only when it is all the server had to say: answer it there. */
    if (len > 5 && memcmp(data, "PING ", 5) == 0) {
      char pong[600];
      size_t l = len < 500 ? len : 500;
      memcpy(pong, data, l);
      pong[1] = 'O';
      sendAll(c->fd, pong, l);
    }
    return;
  }
  size_t room = sizeof c->head - 1 - c->headLen;
  if (len > room) {
    /* Keep the tail, where the 366 will be. */
    memmove(c->head, c->head + c->headLen / 2, c->headLen - c->headLen / 2);
    c->headLen -= c->headLen / 2;
    room = sizeof c->head - 1 - c->headLen;
    if (len > room) data += len - room, len = room;
  }
  memcpy(c->head + c->headLen, data, len);
  c->headLen += len;
  c->head[c->headLen] = 0;
  char want[64];
  snprintf(want, sizeof want, " 366 %s ", c->nick);
  if (strstr(c->head, want) != NULL) becomeReady(c);
}

/* One complete Engine.IO message (a frame's payload), seen before ready or whole. */
static void engineMessage(struct conn *c, const unsigned char *p, size_t len) {
  if (len >= 2 && p[0] == '4' && p[1] == '2') c->count++;
  else if (len >= 1 && p[0] == '2') sendFrame(c->fd, "3");
  else if (len >= 1 && p[0] == '0') sendFrame(c->fd, "40");
  else if (len >= 2 && p[0] == '4' && p[1] == '0' && !c->ready) becomeReady(c);
}

/* Frames as they come; one cut by a read waits in head (the bench's frames are far smaller than head). */
static void socketIoData(struct conn *c, const unsigned char *data, size_t len) {
  unsigned char *h = (unsigned char *)c->head;
  while (len > 0) {
    size_t take = sizeof c->head - c->headLen;
    if (take > len) take = len;
    memcpy(h + c->headLen, data, take);
    c->headLen += take;
    data += take;
    len -= take;
    size_t at = 0;
    for (;;) {
      size_t avail = c->headLen - at;
      if (avail < 2) break;
      unsigned long long plen = h[at + 1] & 0x7f;
      size_t hdr = 2;
      if (plen == 126) {
        if (avail < 4) break;
        plen = ((unsigned)h[at + 2] << 8) | h[at + 3];
        hdr = 4;
      } else if (plen == 127) {
        die("frame too large for this bench");
      }
      if (hdr + plen > sizeof c->head) die("frame too large for this bench");
      if (avail - hdr < plen) break;
      engineMessage(c, h + at + hdr, (size_t)plen);
      at += hdr + (size_t)plen;
    }
    memmove(h, h + at, c->headLen - at);
    c->headLen -= at;
  }
}

static void httpData(struct conn *c, const char *data, size_t len) {
  size_t room = sizeof c->head - 1 - c->headLen;
  if (len > room) die("upgrade answer too long");
  memcpy(c->head + c->headLen, data, len);
  c->headLen += len;
  c->head[c->headLen] = 0;
  char *end = strstr(c->head, "\r\n\r\n");
  if (end == NULL) return;
  if (strncmp(c->head, "HTTP/1.1 101", 12) != 0) die("upgrade refused");
  size_t rest = c->headLen - (size_t)(end + 4 - c->head);
  char tail[HEAD_BYTES];
  memcpy(tail, end + 4, rest);
  c->headLen = 0;
  c->upgraded = 1;
  socketIoData(c, (unsigned char *)tail, rest);
}

static int dial(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) die("connect");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: receivers irc|socketio N TAG PORT...\n");
    return 2;
  }
  irc = strcmp(argv[1], "irc") == 0;
  n = atoi(argv[2]);
  const char *tag = argv[3];
  int ports = argc - 4;
  conns = calloc((size_t)n, sizeof *conns);
  int ep = epoll_create1(0);
  if (ep < 0) die("epoll_create1");
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (unsigned long long)n};
  epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev);
  int opened = 0;
  char line[256];
  size_t lineLen = 0;
  struct epoll_event events[256];
  for (;;) {
    /* Twenty connections at a time, the next twenty once those are ready. */
    while (opened < n && opened - readyCount < 20) {
      struct conn *c = &conns[opened];
      c->fd = dial(atoi(argv[4 + opened % ports]));
      char req[512];
      if (irc) {
        snprintf(c->nick, sizeof c->nick, "%s%d", tag, opened);
        snprintf(req, sizeof req, "NICK %s\r\nUSER %s 0 * :bench\r\nJOIN #bench\r\n", c->nick, c->nick);
      } else {
        snprintf(req, sizeof req,
                 "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
      }
      sendAll(c->fd, req, strlen(req));
      struct epoll_event ce = {.events = EPOLLIN, .data.u64 = (unsigned long long)opened};
      epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ce);
      opened++;
    }
    int got = epoll_wait(ep, events, 256, -1);
    if (got < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int e = 0; e < got; e++) {
      unsigned long long id = events[e].data.u64;
      if (id == (unsigned long long)n) {
        ssize_t r = read(0, line + lineLen, sizeof line - 1 - lineLen);
        if (r <= 0) return 0;
        lineLen += (size_t)r;
        line[lineLen] = 0;
        char *nl;
        while ((nl = strchr(line, '\n')) != NULL) {
          *nl = 0;
          if (strncmp(line, "go ", 3) == 0) {
            for (int i = 0; i < n; i++) conns[i].count = 0;
            target = atol(line + 3);
            printf("counting\n");
            fflush(stdout);
            checkDone();
          } else if (strcmp(line, "exit") == 0) {
            return 0;
          }
          lineLen -= (size_t)(nl + 1 - line);
          memmove(line, nl + 1, lineLen + 1);
        }
        continue;
      }
      struct conn *c = &conns[id];
      ssize_t r = read(c->fd, buf, sizeof buf);
      if (r == 0) {
        fprintf(stderr, "receivers: connection %llu closed by the server\n", id);
        return 1;
      }
      if (r < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        die("read");
      }
      if (irc) ircData(c, buf, (size_t)r);
      else if (!c->upgraded) httpData(c, buf, (size_t)r);
      else socketIoData(c, (unsigned char *)buf, (size_t)r);
    }
    checkDone();
  }
}
