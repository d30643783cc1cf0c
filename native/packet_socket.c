// A Linux AF_PACKET socket for Node, the smallest that LSOE needs (see
// docs/ARCHITECTURE.md, src/io). Node-API only (ABI-stable across Node
// versions), plus libuv for the readiness poll.
//
// Why not libpcap: a libpcap capture maps a ring of megabytes per interface
// (RSS), is freed only when a frame arrives after pcap_breakloop, and its poll
// stops for good when the interface goes down. A plain packet socket bound to
// one interface and one EtherType has none of that: the kernel's receive queue
// is its buffer (SO_RCVBUF, sized for LSOE), it is released by close(2), it
// stays bound across down/up (the kernel re-hooks it on up), its multicast
// membership (PACKET_ADD_MEMBERSHIP) is reference-counted and dropped when it
// closes, and PACKET_IGNORE_OUTGOING keeps our own frames out.
//
// `lsoe sniff` opens the same socket in monitor mode (OPEN_MONITOR): every
// EtherType (ETH_P_ALL, so frames this host sends are seen too), narrowed in
// the kernel by a classic BPF program attached before bind, kernel receive
// time stamps (SO_TIMESTAMP: frames read late keep their arrival time) and
// VLAN tags put back into the frame from PACKET_AUXDATA, as libpcap does.
// Its readiness poll can be stopped (pause): the kernel then holds what
// arrives in the socket's receive queue (SO_RCVBUF) and counts what does not
// fit (PACKET_STATISTICS), so a slow reader costs no CPU and no memory of ours.
//
// JS API (all synchronous, never blocking; errors are negative errno values,
// only misuse throws):
//   open(ifindex, protocol, rcvbuf, flags, filter|null) -> fd | -errno
//        flags: OPEN_MONITOR (1), OPEN_PROMISC (2), OPEN_TIMESTAMP (4: an endpoint
//        socket's frames carry the kernel's receive time too); filter: sock_filter array
//   filter(fd, filter) -> 0 | -errno   (SO_ATTACH_FILTER: replaces the socket's filter at once)
//   join(fd, ifindex, macBuffer6) -> 0 | -errno        (PACKET_MR_MULTICAST)
//   recv(fd, buf, slot, meta:Float64Array(3*max), max) -> frames read | -errno
//        up to `max` waiting frames in one recvmmsg(2): frame i at buf[i*slot],
//        meta[3i..3i+2] = [length, pkttype, epoch seconds with µs or 0]; a VLAN
//        tag put back makes the frame 4 octets longer than on the wire's socket;
//        fewer than max: the queue is empty (-EAGAIN: it was empty already)
//   send(fd, ifindex, frame, length?) -> 0 | -errno   (sendto copies: frame may be reused)
//   drops(fd) -> frames the kernel dropped since the last call | -errno
//   watch(fd, callback(errno)) -> watcher   (callback(0): readable; >0: socket error, already cleared)
//   pause(watcher, bool)   (true: stop polling, the kernel queues; false: poll again)
//   ref(watcher, bool)
//   close(watcher | null, fd)
//   pipeSize(fd, size) -> the pipe's size after asking for `size` octets (0: only
//        ask what it is) | -errno (not a pipe: EBADF; above
//        /proc/sys/fs/pipe-max-size without CAP_SYS_RESOURCE: EPERM)
//        (decode's output: a larger pipe, fewer waits for the reader)
//   writeNowait(fd, buffer) -> octets written | -errno: write(2) of the buffer that does not
//        wait (pwritev2 RWF_NOWAIT): a pipe takes what fits now, -EAGAIN when nothing does;
//        -EOPNOTSUPP where the kernel cannot (decode's output written at once while the
//        reader keeps up, never waiting in write(2), where a signal could not be answered)
// The endpoint sockets of a process share one readiness poll (a "set": an
// epoll instance of their own, which libuv polls as one fd), so that holding
// them all for a read round is one call and one epoll_ctl, not one per socket:
//   set(ready:Int32Array(2n), callback(count)) -> set | -errno
//        callback(count): ready[2i] is a socket that is readable (ready[2i+1] = 0)
//        or reported an error (ready[2i+1] = errno, already cleared)
//   setWatch(set, fd, bool) -> 0 | -errno   (true: in the set; false: out of it)
//   setHold(set, bool)   (true: the set is not polled, the kernel queues; false: polled again)
//   setRef(set, bool)
// A quiet set is an epoll instance that nothing polls (not libuv): its members
// wake nobody; the caller asks, when it is awake anyway, which of them hold frames
// (one epoll_wait with timeout 0 for all of them), then reads those:
//   quiet() -> epoll fd | -errno
//   quietWatch(quiet, fd, bool) -> 0 | -errno   (true: a member; false: no longer)
//   quietReady(quiet, fds:Int32Array) -> how many members hold frames (their fds) | -errno
#define _GNU_SOURCE /* recvmmsg */
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032
#endif

#define OPEN_MONITOR 1
#define OPEN_PROMISC 2
#define OPEN_TIMESTAMP 4

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, NULL, "packet_socket: " #call " failed"); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

static napi_value int_value(napi_env env, int v) {
  napi_value out;
  napi_create_int32(env, v, &out);
  return out;
}

static int arg_int(napi_env env, napi_value v, int *out) {
  int32_t x;
  if (napi_get_value_int32(env, v, &x) != napi_ok) return 0;
  *out = x;
  return 1;
}

static int arg_function(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && t == napi_function;
}

/* an Int32Array of at least `min` elements: its data and length */
static int arg_int32s(napi_env env, napi_value v, size_t min, void **data, size_t *len) {
  napi_typedarray_type type;
  return napi_get_typedarray_info(env, v, &type, len, data, NULL, NULL) == napi_ok && type == napi_int32_array && *len >= min;
}

/* a Buffer holding a whole classic BPF program (one or more struct sock_filter) */
static int arg_filter(napi_env env, napi_value v, void **filter, size_t *len) {
  return napi_get_buffer_info(env, v, filter, len) == napi_ok && *len > 0 && *len % sizeof(struct sock_filter) == 0;
}

/* a classic BPF program (len octets of struct sock_filter) on the socket, replacing any; 0 | errno */
static int attach_filter(int fd, void *filter, size_t len) {
  struct sock_fprog prog = {(unsigned short)(len / sizeof(struct sock_filter)), (struct sock_filter *)filter};
  return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0 ? errno : 0;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int ifindex, ethertype, rcvbuf, flags = 0;
  void *filter = NULL;
  size_t filter_len = 0;
  if (argc < 3 || !arg_int(env, argv[0], &ifindex) || !arg_int(env, argv[1], &ethertype) || !arg_int(env, argv[2], &rcvbuf) ||
      (argc >= 4 && !arg_int(env, argv[3], &flags))) {
    napi_throw_type_error(env, NULL, "open(ifindex, protocol, rcvbuf, flags, filter)");
    return NULL;
  }
  if (argc >= 5) {
    napi_valuetype t;
    napi_typeof(env, argv[4], &t);
    if (t != napi_null && t != napi_undefined && !arg_filter(env, argv[4], &filter, &filter_len)) {
      napi_throw_type_error(env, NULL, "open: filter must be a Buffer of sock_filter");
      return NULL;
    }
  }
  // Protocol 0 at creation: the socket receives nothing until bind() names the
  // interface and the EtherType. Created with the EtherType, it would first hear
  // every interface, and bind() would then unhook it again (an RCU grace period
  // per socket: 2.5 ms each, measured, at a 64-port start). The filter is
  // attached before bind for the same reason: nothing it refuses is ever queued.
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return int_value(env, -errno);
  int one = 1;
  int err = 0;
  if (flags & OPEN_MONITOR) {
    // Sniff sees both directions; the time stamp and the VLAN tag come with each frame.
    if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, &one, sizeof one) < 0 || setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) < 0) err = errno;
  } else {
    // Kernels before 4.20 lack it: our own frames then come back as PACKET_OUTGOING, which the caller drops.
    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
    // a socket read late (the daemon's quiet sockets) keeps each frame's arrival time
    if ((flags & OPEN_TIMESTAMP) && setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, &one, sizeof one) < 0) err = errno;
  }
  if (rcvbuf > 0) {
    // The kernel doubles the value (it charges each frame's bookkeeping too).
    // A monitor's buffer is what holds frames while sniff's reader is slow: as
    // root (CAP_NET_ADMIN) it may pass net.core.rmem_max, as tcpdump -B may.
    int half = rcvbuf / 2;
    if (!(flags & OPEN_MONITOR) || setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &half, sizeof half) < 0) {
      if (flags & OPEN_MONITOR) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &half, sizeof half);
      else setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
  }
  if (err == 0 && filter != NULL) err = attach_filter(fd, filter, filter_len);
  if (err == 0 && (flags & OPEN_PROMISC)) {
    // Reference-counted by the kernel and dropped with the socket, even on a crash.
    struct packet_mreq mreq;
    memset(&mreq, 0, sizeof mreq);
    mreq.mr_ifindex = ifindex;
    mreq.mr_type = PACKET_MR_PROMISC;
    if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof mreq) < 0) err = errno;
  }
  struct sockaddr_ll addr;
  memset(&addr, 0, sizeof addr);
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons((uint16_t)ethertype);
  addr.sll_ifindex = ifindex;
  if (err == 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) err = errno;
  if (err != 0) {
    close(fd);
    return int_value(env, -err);
  }
  return int_value(env, fd);
}

static napi_value js_join(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd, ifindex;
  void *mac;
  size_t len;
  if (argc < 3 || !arg_int(env, argv[0], &fd) || !arg_int(env, argv[1], &ifindex) ||
      napi_get_buffer_info(env, argv[2], &mac, &len) != napi_ok || len != 6) {
    napi_throw_type_error(env, NULL, "join(fd, ifindex, mac)");
    return NULL;
  }
  struct packet_mreq mreq;
  memset(&mreq, 0, sizeof mreq);
  mreq.mr_ifindex = ifindex;
  mreq.mr_type = PACKET_MR_MULTICAST;
  mreq.mr_alen = 6;
  memcpy(mreq.mr_address, mac, 6);
  if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof mreq) < 0) return int_value(env, -errno);
  return int_value(env, 0);
}

/* Room for each frame's control messages: the receive time and the VLAN tag. */
#define CONTROL_SPACE (CMSG_SPACE(sizeof(struct timeval)) + CMSG_SPACE(sizeof(struct tpacket_auxdata)))
/* Frames one recv() reads at most (the caller's budget is read in calls of up to this). */
#define RECV_BATCH 64

/* The length of a frame read into `frame` (n octets, `room` kept) after its control messages: the time into *time, a VLAN tag put back. */
static ssize_t after_read(struct msghdr *msg, char *frame, size_t room, ssize_t n, double *time) {
  *time = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMP) {
      struct timeval tv;
      memcpy(&tv, CMSG_DATA(c), sizeof tv);
      // seconds + µs/1e6: the same double libpcap's µs header gives, so -w files read back equal
      *time = (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
    } else if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
      struct tpacket_auxdata aux;
      memcpy(&aux, CMSG_DATA(c), sizeof aux);
      // The kernel took the tag out of the frame (it travels beside it): put it back, as libpcap does.
      if ((aux.tp_vlan_tci != 0 || (aux.tp_status & TP_STATUS_VLAN_VALID)) && n >= 12) {
        size_t kept = (size_t)n < room ? (size_t)n : room;
        uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux.tp_vlan_tpid : ETH_P_8021Q;
        memmove(frame + 16, frame + 12, kept - 12);
        uint16_t be_tpid = htons(tpid), be_tci = htons(aux.tp_vlan_tci);
        memcpy(frame + 12, &be_tpid, 2);
        memcpy(frame + 14, &be_tci, 2);
        n += 4;
      }
    }
  }
  return n;
}

static napi_value js_recv(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd, slot, max;
  void *buf;
  size_t len;
  napi_typedarray_type type;
  size_t meta_len;
  void *meta;
  if (argc < 5 || !arg_int(env, argv[0], &fd) || napi_get_buffer_info(env, argv[1], &buf, &len) != napi_ok || !arg_int(env, argv[2], &slot) ||
      napi_get_typedarray_info(env, argv[3], &type, &meta_len, &meta, NULL, NULL) != napi_ok || type != napi_float64_array ||
      !arg_int(env, argv[4], &max) || slot < 64 || max < 1 || max > RECV_BATCH || (size_t)slot * (size_t)max > len || meta_len < 3 * (size_t)max) {
    napi_throw_type_error(env, NULL, "recv(fd, buffer, slot, Float64Array(3 * max), max)");
    return NULL;
  }
  struct mmsghdr msgs[RECV_BATCH];
  struct iovec iov[RECV_BATCH];
  struct sockaddr_ll from[RECV_BATCH];
  union {
    struct cmsghdr align;
    char space[CONTROL_SPACE];
  } control[RECV_BATCH];
  memset(msgs, 0, sizeof msgs[0] * (size_t)max);
  for (int i = 0; i < max; i++) {
    // room for a VLAN tag put back in front of the EtherType
    iov[i].iov_base = (char *)buf + (size_t)i * (size_t)slot;
    iov[i].iov_len = (size_t)slot - 4;
    msgs[i].msg_hdr.msg_name = &from[i];
    msgs[i].msg_hdr.msg_namelen = sizeof from[i];
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_control = control[i].space;
    msgs[i].msg_hdr.msg_controllen = sizeof control[i].space;
  }
  // One system call for everything waiting (up to max): it stops at the first
  // empty read. MSG_TRUNC: the real length, so a frame longer than its slot is seen as such.
  int got = recvmmsg(fd, msgs, (unsigned)max, MSG_TRUNC, NULL);
  if (got < 0) return int_value(env, -errno);
  double *m = (double *)meta;
  for (int i = 0; i < got; i++) {
    m[3 * i + 0] = (double)after_read(&msgs[i].msg_hdr, iov[i].iov_base, iov[i].iov_len, (ssize_t)msgs[i].msg_len, &m[3 * i + 2]);
    m[3 * i + 1] = from[i].sll_pkttype;
  }
  return int_value(env, got);
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd, ifindex, length = -1;
  void *frame;
  size_t len;
  if (argc < 3 || !arg_int(env, argv[0], &fd) || !arg_int(env, argv[1], &ifindex) ||
      napi_get_buffer_info(env, argv[2], &frame, &len) != napi_ok || (argc >= 4 && !arg_int(env, argv[3], &length)) ||
      (length >= 0 && (size_t)length > len)) {
    napi_throw_type_error(env, NULL, "send(fd, ifindex, frame, length)");
    return NULL;
  }
  // the first `length` octets (the caller's buffer is reused: sendto copies them before returning)
  if (length >= 0) len = (size_t)length;
  if (len < 14) {
    napi_throw_type_error(env, NULL, "send: a frame has at least 14 octets");
    return NULL;
  }
  struct sockaddr_ll to;
  memset(&to, 0, sizeof to);
  to.sll_family = AF_PACKET;
  to.sll_ifindex = ifindex;
  to.sll_halen = 6;
  memcpy(to.sll_addr, frame, 6);
  memcpy(&to.sll_protocol, (char *)frame + 12, 2);
  ssize_t n = sendto(fd, frame, len, 0, (struct sockaddr *)&to, sizeof to);
  if (n < 0) return int_value(env, -errno);
  return int_value(env, 0);
}

static napi_value js_drops(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  if (argc < 1 || !arg_int(env, argv[0], &fd)) {
    napi_throw_type_error(env, NULL, "drops(fd)");
    return NULL;
  }
  struct tpacket_stats st;
  socklen_t sl = sizeof st;
  // The kernel resets these counters on each read: the caller adds them up.
  if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl) < 0) return int_value(env, -errno);
  return int_value(env, (int)st.tp_drops);
}

static napi_value js_pipe_size(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd, size;
  if (argc < 2 || !arg_int(env, argv[0], &fd) || !arg_int(env, argv[1], &size)) {
    napi_throw_type_error(env, NULL, "pipeSize(fd, size)");
    return NULL;
  }
  if (size > 0 && fcntl(fd, F_SETPIPE_SZ, size) < 0) return int_value(env, -errno);
  int now = fcntl(fd, F_GETPIPE_SZ);
  return int_value(env, now < 0 ? -errno : now);
}

static napi_value js_write_nowait(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  void *data;
  size_t len;
  if (argc < 2 || !arg_int(env, argv[0], &fd) || napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok || len > INT32_MAX) {
    napi_throw_type_error(env, NULL, "writeNowait(fd, buffer)");
    return NULL;
  }
  struct iovec iov = {data, len};
  ssize_t n;
  do {
    n = pwritev2(fd, &iov, 1, -1, RWF_NOWAIT); /* -1: at the file position, as write(2) */
  } while (n < 0 && errno == EINTR);
  return int_value(env, n < 0 ? -errno : (int)n);
}

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  int fd;
  int closing;
  /* pause(true): the poll is stopped until pause(false) */
  int paused;
} watcher_t;

/* the watcher starts with its poll handle: freeing the handle frees the watcher */
static void on_closed(uv_handle_t *handle) { free(handle); }

/* calls the JS `callback` with one int argument, as libuv callbacks in Node are called */
static void invoke(napi_env env, napi_ref callback, napi_async_context async, int value) {
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, arg, result;
  if (napi_get_reference_value(env, callback, &cb) == napi_ok && cb != NULL && napi_get_global(env, &recv) == napi_ok) {
    napi_create_int32(env, value, &arg);
    // make_callback runs the microtasks queued by the callback, like any libuv callback in Node
    if (napi_make_callback(env, async, recv, cb, 1, &arg, &result) != napi_ok) {
      napi_value exc;
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (pending && napi_get_and_clear_last_exception(env, &exc) == napi_ok) napi_fatal_exception(env, exc);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void call_back(watcher_t *w, int err) { invoke(w->env, w->callback, w->async, err); }

/* the socket's pending error, read and so cleared (EIO when it names none) */
static int socket_error(int fd) {
  int soerr = 0;
  socklen_t sl = sizeof soerr;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
  return soerr > 0 ? soerr : EIO;
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  (void)events;
  watcher_t *w = (watcher_t *)handle->data;
  if (w->closing || w->paused) return;
  if (status < 0) {
    // libuv stops a poll that saw POLLERR (a link going down sets ENETDOWN on
    // the socket): read and clear the socket error, then poll again, so that
    // the socket is never left deaf.
    int err = socket_error(w->fd);
    if (!w->closing && !w->paused) uv_poll_start(&w->poll, UV_READABLE, on_poll);
    call_back(w, err);
    return;
  }
  call_back(w, 0);
}

static napi_value js_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  if (argc < 2 || !arg_int(env, argv[0], &fd) || !arg_function(env, argv[1])) {
    napi_throw_type_error(env, NULL, "watch(fd, callback)");
    return NULL;
  }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  watcher_t *w = calloc(1, sizeof *w);
  if (w == NULL) {
    napi_throw_error(env, NULL, "packet_socket: out of memory");
    return NULL;
  }
  w->env = env;
  w->fd = fd;
  napi_value name;
  napi_create_string_utf8(env, "lsoe:packet-socket", NAPI_AUTO_LENGTH, &name);
  if (napi_create_reference(env, argv[1], 1, &w->callback) != napi_ok || napi_async_init(env, NULL, name, &w->async) != napi_ok) {
    free(w);
    napi_throw_error(env, NULL, "packet_socket: watch setup failed");
    return NULL;
  }
  if (uv_poll_init(loop, &w->poll, fd) != 0) {
    napi_delete_reference(env, w->callback);
    napi_async_destroy(env, w->async);
    free(w);
    return int_value(env, -EBADF);
  }
  w->poll.data = w;
  uv_poll_start(&w->poll, UV_READABLE, on_poll);
  napi_value out;
  CHECK(napi_create_external(env, w, NULL, NULL, &out));
  return out;
}

/* the pointer an external holds (a watcher or a set); NULL when `v` is none */
static void *external_of(napi_env env, napi_value v) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external) return NULL;
  void *p = NULL;
  napi_get_value_external(env, v, &p);
  return p;
}

/* the (external, bool) arguments of ref, pause, setHold and setRef: the external's pointer; NULL after throwing a TypeError naming `usage` */
static void *external_and_flag(napi_env env, napi_callback_info info, const char *usage, bool *on) {
  size_t argc = 2;
  napi_value argv[2];
  napi_valuetype t;
  void *p = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) argc = 0;
  if (argc < 2 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_external || napi_get_value_external(env, argv[0], &p) != napi_ok || p == NULL ||
      napi_get_value_bool(env, argv[1], on) != napi_ok) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  return p;
}

static napi_value js_ref(napi_env env, napi_callback_info info) {
  bool on = false;
  watcher_t *w = external_and_flag(env, info, "ref(watcher, bool)", &on);
  if (w == NULL) return NULL;
  if (!w->closing) {
    if (on) uv_ref((uv_handle_t *)&w->poll);
    else uv_unref((uv_handle_t *)&w->poll);
  }
  return NULL;
}

static napi_value js_pause(napi_env env, napi_callback_info info) {
  bool on = false;
  watcher_t *w = external_and_flag(env, info, "pause(watcher, bool)", &on);
  if (w == NULL) return NULL;
  if (!w->closing && w->paused != (int)on) {
    w->paused = on;
    // A stopped poll takes the fd out of epoll: nothing wakes us, the kernel queues.
    if (on) uv_poll_stop(&w->poll);
    else uv_poll_start(&w->poll, UV_READABLE, on_poll);
  }
  return NULL;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  if (argc < 2 || !arg_int(env, argv[1], &fd)) {
    napi_throw_type_error(env, NULL, "close(watcher, fd)");
    return NULL;
  }
  watcher_t *w = (watcher_t *)external_of(env, argv[0]);
  if (w != NULL && !w->closing) {
    w->closing = 1;
    uv_poll_stop(&w->poll);
    napi_delete_reference(env, w->callback);
    napi_async_destroy(env, w->async);
    // uv_poll_stop took the fd out of epoll: it can be closed now; the memory goes when libuv is done
    uv_close((uv_handle_t *)&w->poll, on_closed);
  }
  close(fd);
  return NULL;
}

/* fd into (on) or out of an epoll instance, for readability; 0 | -errno (already so: 0) */
static int epoll_member(int epfd, int fd, bool on) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (epoll_ctl(epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd, &ev) < 0 && errno != (on ? EEXIST : ENOENT)) return -errno;
  return 0;
}

/* ---- the set: one poll for every endpoint socket ---- */

/* Sockets reported per wake-up at most (more wait for the next turn, level-triggered). */
#define SET_BATCH 64

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_ref ready_ref;
  napi_async_context async;
  int32_t *ready;
  size_t ready_pairs;
  int epfd;
  /* setHold(true): the poll is stopped until setHold(false) */
  int held;
} set_t;

static void on_set_poll(uv_poll_t *handle, int status, int events) {
  (void)events;
  set_t *s = (set_t *)handle->data;
  if (s->held) return;
  if (status < 0) {
    // an epoll fd reports no error of its own; should libuv stop it anyway, poll again
    uv_poll_start(&s->poll, UV_READABLE, on_set_poll);
    return;
  }
  struct epoll_event ev[SET_BATCH];
  int max = s->ready_pairs < SET_BATCH ? (int)s->ready_pairs : SET_BATCH;
  int n = epoll_wait(s->epfd, ev, max, 0);
  if (n <= 0) return;
  for (int i = 0; i < n; i++) {
    int err = 0;
    if (ev[i].events & EPOLLERR) {
      // (a link going down sets ENETDOWN on the socket): cleared, so that the
      // socket reports it once and keeps listening
      err = socket_error(ev[i].data.fd);
    }
    s->ready[2 * i] = ev[i].data.fd;
    s->ready[2 * i + 1] = err;
  }
  invoke(s->env, s->callback, s->async, n);
}

static napi_value js_set(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  size_t len;
  void *data;
  if (argc < 2 || !arg_int32s(env, argv[0], 2, &data, &len) || !arg_function(env, argv[1])) {
    napi_throw_type_error(env, NULL, "set(Int32Array, callback)");
    return NULL;
  }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return int_value(env, -errno);
  set_t *s = calloc(1, sizeof *s);
  if (s == NULL) {
    close(epfd);
    napi_throw_error(env, NULL, "packet_socket: out of memory");
    return NULL;
  }
  s->env = env;
  s->epfd = epfd;
  s->ready = (int32_t *)data;
  s->ready_pairs = len / 2;
  napi_value name;
  napi_create_string_utf8(env, "lsoe:packet-socket-set", NAPI_AUTO_LENGTH, &name);
  if (napi_create_reference(env, argv[1], 1, &s->callback) != napi_ok || napi_create_reference(env, argv[0], 1, &s->ready_ref) != napi_ok ||
      napi_async_init(env, NULL, name, &s->async) != napi_ok || uv_poll_init(loop, &s->poll, epfd) != 0) {
    close(epfd);
    free(s);
    napi_throw_error(env, NULL, "packet_socket: set setup failed");
    return NULL;
  }
  s->poll.data = s;
  uv_poll_start(&s->poll, UV_READABLE, on_set_poll);
  // a set lives as long as the process (one per host); it keeps it running only while a member wants it (setRef)
  uv_unref((uv_handle_t *)&s->poll);
  napi_value out;
  CHECK(napi_create_external(env, s, NULL, NULL, &out));
  return out;
}

static napi_value js_set_watch(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  set_t *s = argc >= 3 ? (set_t *)external_of(env, argv[0]) : NULL;
  int fd;
  bool on;
  if (s == NULL || !arg_int(env, argv[1], &fd) || napi_get_value_bool(env, argv[2], &on) != napi_ok) {
    napi_throw_type_error(env, NULL, "setWatch(set, fd, bool)");
    return NULL;
  }
  return int_value(env, epoll_member(s->epfd, fd, on));
}

static napi_value js_set_hold(napi_env env, napi_callback_info info) {
  bool on = false;
  set_t *s = external_and_flag(env, info, "setHold(set, bool)", &on);
  if (s == NULL) return NULL;
  if (s->held != (int)on) {
    s->held = on;
    // one poll stopped or started for every endpoint socket: one epoll_ctl
    if (on) uv_poll_stop(&s->poll);
    else uv_poll_start(&s->poll, UV_READABLE, on_set_poll);
  }
  return NULL;
}

static napi_value js_set_ref(napi_env env, napi_callback_info info) {
  bool on = false;
  set_t *s = external_and_flag(env, info, "setRef(set, bool)", &on);
  if (s == NULL) return NULL;
  if (on) uv_ref((uv_handle_t *)&s->poll);
  else uv_unref((uv_handle_t *)&s->poll);
  return NULL;
}

static napi_value js_filter(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  void *filter;
  size_t len;
  if (argc < 2 || !arg_int(env, argv[0], &fd) || !arg_filter(env, argv[1], &filter, &len)) {
    napi_throw_type_error(env, NULL, "filter(fd, Buffer of sock_filter)");
    return NULL;
  }
  // The kernel swaps the program in one step: each frame meets the old one or the new one.
  return int_value(env, -attach_filter(fd, filter, len));
}

/* ---- the quiet set: sockets nobody polls, asked about when awake anyway ---- */

static napi_value js_quiet(napi_env env, napi_callback_info info) {
  (void)info;
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  return int_value(env, epfd < 0 ? -errno : epfd);
}

static napi_value js_quiet_watch(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int epfd, fd;
  bool on;
  if (argc < 3 || !arg_int(env, argv[0], &epfd) || !arg_int(env, argv[1], &fd) || napi_get_value_bool(env, argv[2], &on) != napi_ok) {
    napi_throw_type_error(env, NULL, "quietWatch(quiet, fd, bool)");
    return NULL;
  }
  return int_value(env, epoll_member(epfd, fd, on));
}

static napi_value js_quiet_ready(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int epfd;
  size_t len;
  void *data;
  if (argc < 2 || !arg_int(env, argv[0], &epfd) || !arg_int32s(env, argv[1], 1, &data, &len)) {
    napi_throw_type_error(env, NULL, "quietReady(quiet, Int32Array)");
    return NULL;
  }
  struct epoll_event ev[SET_BATCH];
  int max = len < SET_BATCH ? (int)len : SET_BATCH;
  // timeout 0: a question, never a wait
  int n = epoll_wait(epfd, ev, max, 0);
  if (n < 0) return int_value(env, -errno);
  int32_t *fds = (int32_t *)data;
  for (int i = 0; i < n; i++) fds[i] = ev[i].data.fd;
  return int_value(env, n);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"join", NULL, js_join, NULL, NULL, NULL, napi_default, NULL},
      {"recv", NULL, js_recv, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"drops", NULL, js_drops, NULL, NULL, NULL, napi_default, NULL},
      {"watch", NULL, js_watch, NULL, NULL, NULL, napi_default, NULL},
      {"pause", NULL, js_pause, NULL, NULL, NULL, napi_default, NULL},
      {"ref", NULL, js_ref, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
      {"pipeSize", NULL, js_pipe_size, NULL, NULL, NULL, napi_default, NULL},
      {"writeNowait", NULL, js_write_nowait, NULL, NULL, NULL, napi_default, NULL},
      {"set", NULL, js_set, NULL, NULL, NULL, napi_default, NULL},
      {"setWatch", NULL, js_set_watch, NULL, NULL, NULL, napi_default, NULL},
      {"setHold", NULL, js_set_hold, NULL, NULL, NULL, napi_default, NULL},
      {"setRef", NULL, js_set_ref, NULL, NULL, NULL, napi_default, NULL},
      {"filter", NULL, js_filter, NULL, NULL, NULL, napi_default, NULL},
      {"quiet", NULL, js_quiet, NULL, NULL, NULL, napi_default, NULL},
      {"quietWatch", NULL, js_quiet_watch, NULL, NULL, NULL, napi_default, NULL},
      {"quietReady", NULL, js_quiet_ready, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(packet_socket, init)
