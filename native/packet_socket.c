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
// JS API (all synchronous, never blocking; errors are negative errno values,
// only misuse throws):
//   open(ifindex, ethertype, rcvbuf) -> fd | -errno
//   join(fd, ifindex, macBuffer6) -> 0 | -errno        (PACKET_MR_MULTICAST)
//   recv(fd, buf, meta:Int32Array(2)) -> length | -errno  (meta = [ifindex, pkttype])
//   send(fd, ifindex, frame) -> 0 | -errno
//   drops(fd) -> frames the kernel dropped since the last call | -errno
//   watch(fd, callback(errno)) -> watcher   (callback(0): readable; >0: socket error, already cleared)
//   ref(watcher, bool)
//   close(watcher | null, fd)
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int ifindex, ethertype, rcvbuf;
  if (argc < 3 || !arg_int(env, argv[0], &ifindex) || !arg_int(env, argv[1], &ethertype) || !arg_int(env, argv[2], &rcvbuf)) {
    napi_throw_type_error(env, NULL, "open(ifindex, ethertype, rcvbuf)");
    return NULL;
  }
  // Protocol 0 at creation: the socket receives nothing until bind() names the
  // interface and the EtherType. Created with the EtherType, it would first hear
  // every interface, and bind() would then unhook it again (an RCU grace period
  // per socket: 2.5 ms each, measured, at a 64-port start).
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return int_value(env, -errno);
  int one = 1;
  // Kernels before 4.20 lack it: our own frames then come back as PACKET_OUTGOING, which the caller drops.
  setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_ll addr;
  memset(&addr, 0, sizeof addr);
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons((uint16_t)ethertype);
  addr.sll_ifindex = ifindex;
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int err = errno;
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

static napi_value js_recv(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  void *buf;
  size_t len;
  napi_typedarray_type type;
  size_t meta_len;
  void *meta;
  if (argc < 3 || !arg_int(env, argv[0], &fd) || napi_get_buffer_info(env, argv[1], &buf, &len) != napi_ok ||
      napi_get_typedarray_info(env, argv[2], &type, &meta_len, &meta, NULL, NULL) != napi_ok || type != napi_int32_array ||
      meta_len < 2) {
    napi_throw_type_error(env, NULL, "recv(fd, buffer, Int32Array(2))");
    return NULL;
  }
  struct sockaddr_ll from;
  socklen_t fromlen = sizeof from;
  ssize_t n = recvfrom(fd, buf, len, MSG_TRUNC, (struct sockaddr *)&from, &fromlen);
  if (n < 0) return int_value(env, -errno);
  ((int32_t *)meta)[0] = from.sll_ifindex;
  ((int32_t *)meta)[1] = from.sll_pkttype;
  // MSG_TRUNC: the real length, so a frame longer than the buffer is seen as such.
  return int_value(env, (int)n);
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd, ifindex;
  void *frame;
  size_t len;
  if (argc < 3 || !arg_int(env, argv[0], &fd) || !arg_int(env, argv[1], &ifindex) ||
      napi_get_buffer_info(env, argv[2], &frame, &len) != napi_ok || len < 14) {
    napi_throw_type_error(env, NULL, "send(fd, ifindex, frame)");
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

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  int fd;
  int closing;
} watcher_t;

/* the watcher starts with its poll handle: freeing the handle frees the watcher */
static void on_closed(uv_handle_t *handle) { free(handle); }

static void call_back(watcher_t *w, int err) {
  napi_env env = w->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, arg, result;
  if (napi_get_reference_value(env, w->callback, &cb) == napi_ok && cb != NULL && napi_get_global(env, &recv) == napi_ok) {
    napi_create_int32(env, err, &arg);
    // make_callback runs the microtasks queued by the callback, like any libuv callback in Node
    if (napi_make_callback(env, w->async, recv, cb, 1, &arg, &result) != napi_ok) {
      napi_value exc;
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (pending && napi_get_and_clear_last_exception(env, &exc) == napi_ok) napi_fatal_exception(env, exc);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  (void)events;
  watcher_t *w = (watcher_t *)handle->data;
  if (w->closing) return;
  if (status < 0) {
    // libuv stops a poll that saw POLLERR (a link going down sets ENETDOWN on
    // the socket): read and clear the socket error, then poll again, so that
    // the socket is never left deaf.
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    if (!w->closing) uv_poll_start(&w->poll, UV_READABLE, on_poll);
    call_back(w, soerr > 0 ? soerr : EIO);
    return;
  }
  call_back(w, 0);
}

static napi_value js_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  napi_valuetype t;
  if (argc < 2 || !arg_int(env, argv[0], &fd) || napi_typeof(env, argv[1], &t) != napi_ok || t != napi_function) {
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

static watcher_t *watcher_of(napi_env env, napi_value v) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external) return NULL;
  void *p = NULL;
  napi_get_value_external(env, v, &p);
  return (watcher_t *)p;
}

static napi_value js_ref(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  watcher_t *w = argc >= 2 ? watcher_of(env, argv[0]) : NULL;
  bool on = false;
  if (w == NULL || napi_get_value_bool(env, argv[1], &on) != napi_ok) {
    napi_throw_type_error(env, NULL, "ref(watcher, bool)");
    return NULL;
  }
  if (!w->closing) {
    if (on) uv_ref((uv_handle_t *)&w->poll);
    else uv_unref((uv_handle_t *)&w->poll);
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
  watcher_t *w = watcher_of(env, argv[0]);
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

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"join", NULL, js_join, NULL, NULL, NULL, napi_default, NULL},
      {"recv", NULL, js_recv, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"drops", NULL, js_drops, NULL, NULL, NULL, napi_default, NULL},
      {"watch", NULL, js_watch, NULL, NULL, NULL, napi_default, NULL},
      {"ref", NULL, js_ref, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(packet_socket, init)
