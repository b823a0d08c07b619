/* The floor: a minimal single-threaded epoll WebSocket relay in C.
 *
 * Just enough RFC 6455 for the benchmark: the HTTP upgrade, masked client
 * frames (no fragmentation, no extensions), ping -> pong, close. Pairing
 * protocol as the other peers (bench/peers/README.md): the first text frame
 * "join <room>", both get "paired" once the room has two connections, binary
 * frames are forwarded to the partner unchanged (unmasked, as a server must).
 *
 * Output to a partner is appended to its buffer while a read batch is being
 * processed and flushed with one write() per batch ("corking"); what does not
 * fit the socket waits for EPOLLOUT.
 *
 * Usage: epoll_relay PORT [PING_INTERVAL_S]   (binds 127.0.0.1 only)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define MAX_FD 65536
#define RBUF 131072
#define MAX_MSG 65540

struct conn {
    int fd;
    int upgraded;
    int partner; /* fd or -1 */
    char *rbuf;
    size_t rlen;
    char *wbuf;
    size_t wlen, wcap;
    int want_out;
    int dirty;
};

static struct conn *conns[MAX_FD];
static int ep;
static char *rooms[MAX_FD]; /* room name waiting, indexed by fd */
static int dirty_list[MAX_FD];
static int ndirty;

static void die(const char *m) { perror(m); exit(1); }

static void conn_close(int fd);

static void wappend(struct conn *c, const void *p, size_t n) {
    if (c->wlen + n > c->wcap) {
        size_t cap = c->wcap ? c->wcap : 4096;
        while (cap < c->wlen + n) cap *= 2;
        if (cap > 8u * 1024 * 1024) return; /* a slow consumer: drop (the floor keeps it simple) */
        c->wbuf = realloc(c->wbuf, cap);
        c->wcap = cap;
    }
    memcpy(c->wbuf + c->wlen, p, n);
    c->wlen += n;
    if (!c->dirty) { c->dirty = 1; dirty_list[ndirty++] = c->fd; }
}

static void send_frame(struct conn *c, int opcode, const char *p, size_t n) {
    unsigned char h[10];
    size_t hl;
    h[0] = (unsigned char)(0x80 | opcode);
    if (n < 126) { h[1] = (unsigned char)n; hl = 2; }
    else if (n < 65536) { h[1] = 126; h[2] = (unsigned char)(n >> 8); h[3] = (unsigned char)n; hl = 4; }
    else { h[1] = 127; for (int i = 0; i < 8; i++) h[2 + i] = (unsigned char)(n >> (56 - 8 * i)); hl = 10; }
    wappend(c, h, hl);
    wappend(c, p, n);
}

static void flush(struct conn *c) {
    c->dirty = 0;
    while (c->wlen > 0) {
        ssize_t w = write(c->fd, c->wbuf, c->wlen);
        if (w < 0) {
            if (errno == EAGAIN) break;
            conn_close(c->fd);
            return;
        }
        memmove(c->wbuf, c->wbuf + w, c->wlen - (size_t)w);
        c->wlen -= (size_t)w;
    }
    int want = c->wlen > 0;
    if (want != c->want_out) {
        struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.fd = c->fd};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        c->want_out = want;
    }
}

static void flush_dirty(void) {
    for (int i = 0; i < ndirty; i++) {
        struct conn *c = conns[dirty_list[i]];
        if (c && c->dirty) flush(c);
    }
    ndirty = 0;
}

static void conn_close(int fd) {
    struct conn *c = conns[fd];
    if (!c) return;
    if (c->partner >= 0 && conns[c->partner]) conns[c->partner]->partner = -1;
    if (rooms[fd]) { free(rooms[fd]); rooms[fd] = NULL; }
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
    free(c->rbuf);
    free(c->wbuf);
    free(c);
    conns[fd] = NULL;
}

static const char *b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int do_upgrade(struct conn *c) {
    c->rbuf[c->rlen] = 0;
    char *end = strstr(c->rbuf, "\r\n\r\n");
    if (!end) return c->rlen < 8192 ? 0 : -1;
    char *k = strcasestr(c->rbuf, "Sec-WebSocket-Key:");
    if (!k) return -1;
    k += 18;
    while (*k == ' ') k++;
    char key[128];
    size_t n = 0;
    while (k[n] && k[n] != '\r' && n < 60) { key[n] = k[n]; n++; }
    memcpy(key + n, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", 36);
    unsigned char sha[20];
    SHA1((unsigned char *)key, n + 36, sha);
    char acc[32];
    int j = 0;
    for (int i = 0; i < 20; i += 3) {
        unsigned v = (unsigned)sha[i] << 16 | (i + 1 < 20 ? (unsigned)sha[i + 1] << 8 : 0) | (i + 2 < 20 ? sha[i + 2] : 0);
        acc[j++] = b64[(v >> 18) & 63];
        acc[j++] = b64[(v >> 12) & 63];
        acc[j++] = i + 1 < 20 ? b64[(v >> 6) & 63] : '=';
        acc[j++] = i + 2 < 20 ? b64[v & 63] : '=';
    }
    acc[j] = 0;
    char resp[256];
    int rl = snprintf(resp, sizeof resp,
                      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: %s\r\n\r\n", acc);
    wappend(c, resp, (size_t)rl);
    size_t used = (size_t)(end + 4 - c->rbuf);
    memmove(c->rbuf, c->rbuf + used, c->rlen - used);
    c->rlen -= used;
    c->upgraded = 1;
    return 1;
}

static void on_text(struct conn *c, char *p, size_t n) {
    if (n < 5 || memcmp(p, "join ", 5) != 0) return;
    char room[64];
    size_t rn = n - 5 < 63 ? n - 5 : 63;
    memcpy(room, p + 5, rn);
    room[rn] = 0;
    /* Linear search is fine: pairing happens once per connection at set-up. */
    for (int fd = 0; fd < MAX_FD; fd++) {
        if (rooms[fd] && fd != c->fd && strcmp(rooms[fd], room) == 0 && conns[fd]) {
            free(rooms[fd]);
            rooms[fd] = NULL;
            c->partner = fd;
            conns[fd]->partner = c->fd;
            send_frame(conns[fd], 1, "paired", 6);
            send_frame(c, 1, "paired", 6);
            return;
        }
    }
    rooms[c->fd] = strdup(room);
}

/* Parses every complete frame in rbuf. Returns -1 to close. */
static int process(struct conn *c) {
    size_t off = 0;
    while (c->rlen - off >= 2) {
        unsigned char *h = (unsigned char *)c->rbuf + off;
        int opcode = h[0] & 15;
        int masked = h[1] & 0x80;
        uint64_t len = h[1] & 127;
        size_t hl = 2;
        if (len == 126) {
            if (c->rlen - off < 4) break;
            len = (uint64_t)h[2] << 8 | h[3];
            hl = 4;
        } else if (len == 127) {
            if (c->rlen - off < 10) break;
            len = 0;
            for (int i = 0; i < 8; i++) len = len << 8 | h[2 + i];
            hl = 10;
        }
        if (!masked || len > MAX_MSG) return -1;
        if (c->rlen - off < hl + 4 + len) break;
        unsigned char *mask = h + hl;
        char *p = (char *)h + hl + 4;
        for (uint64_t i = 0; i < len; i++) p[i] ^= (char)mask[i & 3];
        if (opcode == 2) {
            if (c->partner >= 0 && conns[c->partner]) send_frame(conns[c->partner], 2, p, len);
        } else if (opcode == 1) {
            on_text(c, p, len);
        } else if (opcode == 9) {
            send_frame(c, 10, p, len);
        } else if (opcode == 8) {
            return -1;
        }
        off += hl + 4 + len;
    }
    memmove(c->rbuf, c->rbuf + off, c->rlen - off);
    c->rlen -= off;
    return 0;
}

static void on_readable(struct conn *c) {
    int fd = c->fd;
    ssize_t r = read(c->fd, c->rbuf + c->rlen, RBUF - 1 - c->rlen);
    if (r <= 0) {
        if (r < 0 && errno == EAGAIN) return;
        conn_close(fd);
        return;
    }
    c->rlen += (size_t)r;
    if (!c->upgraded) {
        int u = do_upgrade(c);
        if (u < 0) { conn_close(fd); return; }
        if (u == 0) return;
    }
    if (process(c) < 0) conn_close(fd);
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 9003;
    int ping_s = argc > 2 ? atoi(argv[2]) : 30;
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);

    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
    if (listen(ls, 4096) < 0) die("listen");
    ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec its = {.it_interval = {ping_s, 0}, .it_value = {ping_s, 0}};
    timerfd_settime(tfd, 0, &its, NULL);
    ev.data.fd = tfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
    fprintf(stderr, "epoll-relay listening on 127.0.0.1:%d\n", port);

    struct epoll_event evs[512];
    for (;;) {
        int n = epoll_wait(ep, evs, 512, -1);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == ls) {
                for (;;) {
                    int cfd = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
                    if (cfd < 0) break;
                    if (cfd >= MAX_FD) { close(cfd); continue; }
                    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct conn *c = calloc(1, sizeof *c);
                    c->fd = cfd;
                    c->partner = -1;
                    c->rbuf = malloc(RBUF);
                    conns[cfd] = c;
                    struct epoll_event e2 = {.events = EPOLLIN, .data.fd = cfd};
                    epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &e2);
                }
            } else if (fd == tfd) {
                uint64_t x;
                if (read(tfd, &x, sizeof x) < 0) {}
                for (int f = 0; f < MAX_FD; f++)
                    if (conns[f] && conns[f]->upgraded) send_frame(conns[f], 9, "", 0);
            } else {
                struct conn *c = conns[fd];
                if (!c) continue;
                if (evs[i].events & EPOLLOUT) flush(c);
                if (conns[fd] && (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) on_readable(c);
            }
        }
        flush_dirty();
    }
}
