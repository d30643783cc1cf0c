// One BGP peer over node:net: turns socket bytes into session-machine events and the
// machine's actions into writes, connects and timers (STYLE.md: the socket adapter
// only translates). What it announces comes from `routes()`, diffed against what the
// peer already has, so every change is a small UPDATE and a reconnect sends it all.
// Nothing here can throw into the daemon: a broken peer costs a NOTIFICATION, a
// closed socket and a retry later.
import { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../daemon/clock.js';
import type { Logger } from '../daemon/log.js';
import { initialState, step } from './fsm/machine.js';
import type { FsmAction, FsmEvent, FsmParams, FsmState, PeerInfo, TimerName } from './fsm/types.js';
import { buildUpdates, diffRoutes } from './ls/diff.js';
import type { LsNlriTypeName } from './ls/tlv.js';
import type { LsRoute } from './ls/view.js';
import { MessageSplitter } from './wire/header.js';
import { BgpMessageError } from './wire/errors.js';
import { decodeMessage, encodeMessage, type BgpMessage } from './wire/message.js';
import { notificationText } from './wire/notification.js';
import type { MessageTypeName } from './wire/constants.js';
import { peerText, type PeerAddress } from './peer-address.js';

export interface SpeakerOptions {
  peer: PeerAddress;
  params: FsmParams;
  clock: Clock;
  log: Logger;
  /** the routes we should have announced now */
  routes(): ReadonlyMap<string, LsRoute>;
  /** true when the peer's AS differs from ours */
  ebgp: boolean;
  /** octets queued on the socket beyond which the peer counts as stalled */
  maxQueued?: number;
  /** told of every state change and every batch of UPDATEs sent (the control socket's `bgp` events) */
  onChange?: (change: SpeakerChange) => void;
}

/** What `onChange` is told: a state change, or NLRI sent to the peer. */
export type SpeakerChange =
  | { kind: 'state'; state: FsmState['name']; previous: FsmState['name']; lastError: string | null }
  | { kind: 'sent'; announced: number; withdrawn: number; held: number };

type ByType<K extends string> = Record<K, number>;
const zeroTypes = (): ByType<LsNlriTypeName> => ({ node: 0, link: 0, 'ipv4-prefix': 0, 'ipv6-prefix': 0 });
const zeroMessages = (): ByType<MessageTypeName> => ({ OPEN: 0, UPDATE: 0, NOTIFICATION: 0, KEEPALIVE: 0, ROUTE_REFRESH: 0 });

export interface PeerStatus {
  peer: string;
  asn: number;
  peerAsn: number;
  state: FsmState['name'];
  /** ISO time the state was entered */
  since: string;
  peerRouterId: string | null;
  localAddress: string | null;
  linkState: boolean | null;
  messagesSent: ByType<MessageTypeName>;
  messagesReceived: ByType<MessageTypeName>;
  announced: ByType<LsNlriTypeName>;
  withdrawn: ByType<LsNlriTypeName>;
  /** routes the peer has from us now */
  held: number;
  connects: number;
  lastError: string | null;
}

const DEFAULT_MAX_QUEUED = 4 << 20;

export class BgpSpeaker {
  private s: FsmState;
  private socket: Socket | null = null;
  private splitter = new MessageSplitter();
  private readonly timers = new Map<TimerName, TimerHandle>();
  /** what the peer has from us (valid while established) */
  private sent = new Map<string, LsRoute>();
  private peer: PeerInfo | null = null;
  private localAddress: string | null = null;
  private stopping: (() => void) | null = null;
  private readonly messagesSent = zeroMessages();
  private readonly messagesReceived = zeroMessages();
  private readonly announced = zeroTypes();
  private readonly withdrawn = zeroTypes();
  private connects = 0;

  constructor(private readonly o: SpeakerOptions) {
    this.s = initialState(o.params, o.clock.now());
  }

  get state(): FsmState['name'] {
    return this.s.name;
  }

  start(): void {
    this.feed({ type: 'start' });
  }

  /** Cease (administrative shutdown unless `subcode`), then closed; resolves once the NOTIFICATION is written. */
  stop(subcode?: number): Promise<void> {
    return new Promise((resolve) => {
      const socket = this.socket;
      if (socket === null || socket.destroyed) {
        this.feed({ type: 'stop', subcode });
        resolve();
        return;
      }
      this.stopping = resolve;
      this.feed({ type: 'stop', subcode });
      // Already resolved by the close in feed() unless the write is still under way.
      setTimeout(() => this.stopping?.(), 1000).unref();
    });
  }

  /** The routes changed: send the difference (when established and the peer takes BGP-LS). */
  sync(): void {
    if (this.s.name !== 'established' || this.peer?.linkState !== true || this.socket === null) return;
    const want = this.o.routes();
    const diff = diffRoutes(this.sent, want);
    if (diff.announce.length === 0 && diff.withdraw.length === 0) return;
    const updates = buildUpdates(diff, { ebgp: this.o.ebgp, asn: this.o.params.asn, nextHop: this.localAddress ?? '0.0.0.0' });
    for (const u of updates) this.write(u);
    if (this.o.log.debugEnabled('bgp')) {
      this.o.log.log('debug', 'bgp', `${peerText(this.o.peer)}: ${updates.length} UPDATE(s): ${diff.announce.length} NLRI announced, ${diff.withdraw.length} withdrawn`);
    }
    for (const r of diff.announce) this.announced[r.nlri.type]++;
    for (const r of diff.withdraw) this.withdrawn[r.nlri.type]++;
    this.sent = new Map(want);
    this.o.onChange?.({ kind: 'sent', announced: diff.announce.length, withdrawn: diff.withdraw.length, held: this.sent.size });
  }

  status(): PeerStatus {
    return {
      peer: peerText(this.o.peer),
      asn: this.o.params.asn,
      peerAsn: this.o.params.peerAsn,
      state: this.s.name,
      since: new Date(Math.round(this.s.since * 1000)).toISOString(),
      peerRouterId: this.peer?.bgpId ?? null,
      localAddress: this.localAddress,
      linkState: this.peer?.linkState ?? null,
      messagesSent: { ...this.messagesSent },
      messagesReceived: { ...this.messagesReceived },
      announced: { ...this.announced },
      withdrawn: { ...this.withdrawn },
      held: this.s.name === 'established' ? this.sent.size : 0,
      connects: this.connects,
      lastError: this.s.lastError,
    };
  }

  private feed(e: FsmEvent): void {
    const before = this.s.name;
    const r = step(this.s, e, this.o.params, this.o.clock.now());
    this.s = r.state;
    if (before !== this.s.name) this.o.log.log('debug', 'bgp', `${peerText(this.o.peer)}: ${before} → ${this.s.name}`);
    for (const a of r.actions) this.act(a);
    // after the actions, so a listener that asks for the status sees what was sent on establishing
    if (before !== this.s.name) this.o.onChange?.({ kind: 'state', state: this.s.name, previous: before, lastError: this.s.lastError });
  }

  private act(a: FsmAction): void {
    switch (a.type) {
      case 'connect':
        return this.connect();
      case 'close':
        return this.close();
      case 'send':
        return this.write(a.message);
      case 'set-timer': {
        this.clearTimer(a.name);
        const h = this.o.clock.setTimer(Math.max(0, a.at - this.o.clock.now()), () => {
          this.timers.delete(a.name);
          this.feed({ type: 'timer', name: a.name });
        });
        this.timers.set(a.name, h);
        return;
      }
      case 'clear-timer':
        return this.clearTimer(a.name);
      case 'established':
        this.peer = a.peer;
        this.sent = new Map();
        this.o.log.log('info', 'bgp', `${peerText(this.o.peer)}: established with ${a.peer.bgpId} AS ${a.peer.asn}`, { peer: peerText(this.o.peer) });
        if (!a.peer.linkState) this.o.log.log('warning', 'bgp', `${peerText(this.o.peer)} did not negotiate BGP-LS (AFI 16388 SAFI 71): sending it nothing`);
        return this.sync();
      case 'refresh':
        this.sent = new Map();
        return this.sync();
      case 'down':
        this.o.log.log('warning', 'bgp', `${peerText(this.o.peer)}: session down: ${a.reason}`, { peer: peerText(this.o.peer) });
        this.sent = new Map();
        this.peer = null;
        return;
      case 'update-received':
        return;
    }
  }

  private clearTimer(name: TimerName): void {
    const h = this.timers.get(name);
    if (h !== undefined) this.o.clock.clearTimer(h);
    this.timers.delete(name);
  }

  private connect(): void {
    this.close();
    this.connects++;
    this.splitter = new MessageSplitter();
    const socket = new Socket();
    this.socket = socket;
    const mine = () => this.socket === socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      if (!mine()) return;
      this.localAddress = socket.localAddress?.replace(/^::ffff:/, '') ?? null;
      this.feed({ type: 'tcp-connected' });
    });
    socket.on('data', (chunk: Buffer) => {
      if (!mine()) return;
      try {
        this.receive(chunk);
      } catch (err) {
        // a bug of ours, not the peer's: drop this connection, keep the daemon
        this.o.log.log('error', 'bgp', `${peerText(this.o.peer)}: ${(err as Error).message}`);
        this.feed({ type: 'tcp-closed', reason: `internal error: ${(err as Error).message}` });
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (mine()) this.feed({ type: 'tcp-closed', reason: err.code ?? err.message });
    });
    socket.on('close', () => {
      if (!mine()) return;
      const pending = this.splitter.buffered;
      this.feed({ type: 'tcp-closed', reason: pending > 0 ? `peer closed mid-message (${pending} octets of it received)` : 'peer closed the connection' });
    });
    socket.connect({ host: this.o.peer.host, port: this.o.peer.port });
  }

  private close(): void {
    const socket = this.socket;
    this.socket = null;
    if (socket === null) return;
    // end() lets a NOTIFICATION just written go out; destroy after a moment regardless.
    socket.end(() => {
      socket.destroy();
      const done = this.stopping;
      this.stopping = null;
      done?.();
    });
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  private receive(chunk: Buffer): void {
    let messages: Buffer[];
    try {
      messages = this.splitter.push(chunk);
    } catch (err) {
      return this.malformed(err);
    }
    for (const raw of messages) {
      let m: BgpMessage;
      try {
        // the peer's UPDATEs are counted and ignored: no need to read their contents
        m = decodeMessage(raw, false);
      } catch (err) {
        return this.malformed(err);
      }
      this.messagesReceived[m.type]++;
      this.feed({ type: 'message', message: m });
      if (this.socket === null) return;
    }
  }

  private malformed(err: unknown): void {
    if (!(err instanceof BgpMessageError)) throw err;
    this.feed({ type: 'malformed', code: err.code, subcode: err.subcode, data: err.data, reason: err.message });
  }

  private write(m: BgpMessage): void {
    const socket = this.socket;
    if (socket === null || socket.destroyed) return;
    if (socket.writableLength > (this.o.maxQueued ?? DEFAULT_MAX_QUEUED)) {
      // The peer stopped reading: give up on this connection rather than queue without end.
      this.feed({ type: 'tcp-closed', reason: `peer not reading (${socket.writableLength} octets queued)` });
      return;
    }
    this.messagesSent[m.type]++;
    if (m.type === 'NOTIFICATION') {
      this.o.log.log('warning', 'bgp', `${peerText(this.o.peer)}: sending NOTIFICATION ${notificationText(m.code, m.subcode)}`);
    }
    socket.write(encodeMessage(m));
  }
}
