// The RFC 4271 session machine's contract (section 8), for a speaker that only
// connects out: `step(state, event, now) → { state, actions }`. Pure like the LSOE
// session machine (src/proto/session): no clock, no socket, no timer; time comes in
// as `now` (seconds), everything to do comes out as data.
import type { BgpMessage } from '../wire/message.js';

export type BgpStateName = 'idle' | 'connect' | 'active' | 'open-sent' | 'open-confirm' | 'established';

export interface FsmParams {
  asn: number;
  /** the AS the peer must open with */
  peerAsn: number;
  /** our hold time (also the longest OpenSent waits for the peer's OPEN), seconds */
  holdTime: number;
  /** our BGP Identifier, dotted quad */
  routerId: string;
  /** first connect-retry delay and its ceiling, seconds (doubles in between) */
  connectRetryFirst: number;
  connectRetryMax: number;
  /**
   * Uniform in [0, 1): RFC 4271 section 10's jitter. Connect-retry and keepalive timers
   * run for 0.75 to 1 times their value, so speakers that lost one peer together (a
   * collector restarted under a whole fabric) do not all retry in the same instant.
   * Injected, so the machine stays pure; absent = no jitter (the full value).
   */
  random?: () => number;
}

export interface PeerInfo {
  bgpId: string;
  asn: number;
  /** the peer offered AFI 16388 / SAFI 71: without it we send nothing */
  linkState: boolean;
  routeRefresh: boolean;
}

export interface FsmState {
  name: BgpStateName;
  /** when this state was entered */
  since: number;
  /** the next connect-retry delay */
  retryDelay: number;
  /** hold time agreed with the peer (0 = no keepalives) */
  holdTime: number;
  peer: PeerInfo | null;
  /** why the last session ended or the last attempt failed */
  lastError: string | null;
}

export type TimerName = 'connect-retry' | 'hold' | 'keepalive';

export type FsmEvent =
  | { type: 'start' }
  /** operator stop or daemon exit: Cease, administrative shutdown (or `subcode`) */
  | { type: 'stop'; subcode?: number }
  | { type: 'tcp-connected' }
  /** the connection attempt failed, or the established connection closed */
  | { type: 'tcp-closed'; reason: string }
  | { type: 'timer'; name: TimerName }
  | { type: 'message'; message: BgpMessage }
  /** the peer's bytes did not decode: send this NOTIFICATION */
  | { type: 'malformed'; code: number; subcode: number; data: Buffer; reason: string };

export type FsmAction =
  | { type: 'connect' }
  | { type: 'close' }
  | { type: 'send'; message: BgpMessage }
  | { type: 'set-timer'; name: TimerName; at: number }
  | { type: 'clear-timer'; name: TimerName }
  /** the session is up: send every NLRI (when the peer took BGP-LS) */
  | { type: 'established'; peer: PeerInfo }
  /** the peer asked for everything again */
  | { type: 'refresh' }
  /** the session (or attempt) ended: forget what the peer had */
  | { type: 'down'; reason: string }
  | { type: 'update-received' };

export interface StepResult {
  state: FsmState;
  actions: FsmAction[];
}
