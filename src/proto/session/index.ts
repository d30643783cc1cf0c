// The LSOE session state machine (PROTOCOL.md section 5): pure, one per (ifname, peerMac).
//
// Usage (the daemon runtime):
//
//   import { createSession, step, sessionKey } from '../proto/session/index.js';
//
//   let s = createSession({ ifname: 'eth1', peerMac, localId, nonceSeed: randomInt(2 ** 32),
//                           announced: { IPV4_ENCAPSULATION: [...] }, timing: config.timing }, now());
//   table.set(sessionKey('eth1', peerMac), s);
//
//   // on every event for that session (a decoded PDU from peerMac, a timer, link down, ...):
//   const r = step(s, { type: 'pdu-received', pdu }, now());
//   table.set(key, r.session);
//   for (const a of r.actions) switch (a.type) {
//     case 'send':         link.send(a.dst, encodeFramesOf(a.pdu)); break;
//     case 'arm-timer':    replaceTimeout(key, a.name, a.at - now(), () =>
//                            feed(key, { type: 'timer-fired', name: a.name })); break;
//     case 'cancel-timer': clearTimeoutFor(key, a.name); break;
//     case 'session-up': case 'session-down': publish(a); break;
//     case 'report':       northbound(a.pdu); break;
//     case 'withdraw':     for (const t of a.types) northbound({ type: t, encaps: [] }); break;
//     case 'vendor-received': plugins.deliver(a.pdu); break;
//     case 'log':          log.fsm(a.level, a.message); break;
//   }
//   // an idle session (r.session.phase === 'idle') may be dropped from the table;
//   // a hopeless one is kept so the peer cannot reopen it at once (the daemon
//   // still ages it out after mac-address-cache-timeout and evicts it first
//   // when the table is full, so spoofed peers cannot pin the bounds).
//
// Actions must be executed in order (e.g. an ACK goes out before our OPEN).
//
// Decisions where PROTOCOL.md / the draft leave room:
// - Encapsulation and VENDOR PDUs before the peer's OPEN of this start: not ACKed (the
//   peer retransmits); on an idle session they start it. After the peer's OPEN but before
//   ours is ACKed they are ACKed and held, and reported on open (the reference drops them).
// - HOPELESS keeps the session closed until `link-down` or an operator `reset`; `close`
//   leaves it hopeless. Any ACK carrying HOPELESS/RESTART counts, even with nothing in flight.
// - Withdraw is emitted only when an open session closes, for all four types (lsoed style).
// - VENDOR is delivered at least once (a retransmission after a lost ACK is delivered
//   again); `send-vendor` while not open is dropped with a warning.
// - keepalive-receive-timeout runs from the session's start (opening too) and counts any PDU.
// - Limitation of the protocol: an ACK names only a type, so a late duplicate ACK can
//   acknowledge the next PDU of that type; the machine cannot tell them apart.

export * from './types.js';
export { createSession, step } from './machine.js';
export { sessionKey, isOpen, resolveTiming } from './util.js';
export { KEEPALIVE } from './timers.js';
