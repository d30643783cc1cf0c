// The state of every session end of a lab, read from the daemons' control
// sockets and laid over the plan: each link has two ends, each end is a
// session (or the lack of one) in the daemon of that end's node.
import { askOnce, ControlError, type ControlClient } from '../ctl/client.js';
import type { SessionState } from '../daemon/views.js';
import { linkEnds, type LabPlan } from './plan.js';

/** A session end: the daemon's own state of its session, or 'down' where there is none. */
export type EndState = SessionState | 'down';
const SESSION_STATES: readonly string[] = ['open', 'opening', 'hopeless', 'held-down'] satisfies SessionState[];

export interface WireSession {
  ifname: string;
  peerMac: string;
  peerId: string | null;
  state: string;
  since?: string;
  lastHeard?: string | null;
}

/** One record of `lsoe lab status --json`; keys are always present. */
export interface EndStatus {
  node: string;
  ifname: string;
  mac: string;
  peerNode: string;
  peerIfname: string;
  /** the session's peer MAC, or the MAC at the other end of the wire when there is no session */
  peerMac: string;
  peerId: string | null;
  state: EndState;
  /** false when the node's daemon does not answer on its control socket */
  daemon: boolean;
  since: string | null;
  lastHeard: string | null;
  link: number;
}

/** null: the daemon did not answer. */
export type SessionsByNode = Map<string, WireSession[] | null>;

function asSessions(v: unknown): WireSession[] | null {
  if (!Array.isArray(v)) return null;
  return v.filter(
    (s): s is WireSession =>
      typeof s === 'object' && s !== null && typeof (s as WireSession).ifname === 'string' &&
      typeof (s as WireSession).peerMac === 'string' && typeof (s as WireSession).state === 'string',
  );
}

/** A control socket we may not use: not the same as a daemon that is down. */
export class LabPermissionError extends Error {
  override readonly name = 'LabPermissionError';
}


/**
 * Each node's sessions, null where the daemon did not answer. With `strict`, a socket
 * that refuses us (EACCES: not root, not in its group) throws LabPermissionError instead
 * of passing for a daemon that is down. `via` gives a connection already open to a node
 * (the collector's subscribed ones); the others are asked on a connection of their own.
 */
export async function querySessions(
  plan: LabPlan,
  nodes = plan.nodes.map((n) => n.name),
  strict = false,
  via: (node: string) => ControlClient | null = () => null,
): Promise<SessionsByNode> {
  const out: SessionsByNode = new Map();
  const denied: string[] = [];
  await Promise.all(
    plan.nodes
      .filter((n) => nodes.includes(n.name))
      .map(async (n) => {
        try {
          const open = via(n.name);
          const answer = open !== null ? await open.request('sessions') : await askOnce(n.socket, 'sessions', { timeoutMs: 1000 });
          out.set(n.name, asSessions(answer));
        } catch (err) {
          // an absent or silent daemon is an answer too
          if (err instanceof ControlError && err.kind === 'permission') denied.push(n.socket);
          out.set(n.name, null);
        }
      }),
  );
  if (strict && denied.length > 0) {
    const more = denied.length > 1 ? ` and ${denied.length - 1} other sockets` : '';
    throw new LabPermissionError(`permission denied on ${denied.sort()[0]}${more} (run lsoe lab status as root)`);
  }
  return out;
}

/** The session's own state (hopeless and held-down are shown as such); no session, or a state we do not know: down. */
function stateOf(s: WireSession | undefined): EndState {
  return s && SESSION_STATES.includes(s.state) ? (s.state as SessionState) : 'down';
}

/** Pure: the plan's link ends with what the daemons said about them. */
export function endStatuses(plan: LabPlan, sessions: SessionsByNode): EndStatus[] {
  return linkEnds(plan).map(({ link, end, peer }) => {
    const list = sessions.get(end.node) ?? null;
    const onIf = (list ?? []).filter((s) => s.ifname === end.ifname);
    // The session with the expected peer wins; a stray one (a MAC change) only if there is no other.
    const session =
      onIf.find((s) => s.peerMac.toLowerCase() === peer.mac) ?? onIf.find((s) => s.state === 'open') ?? onIf[0];
    return {
      node: end.node,
      ifname: end.ifname,
      mac: end.mac,
      peerNode: peer.node,
      peerIfname: peer.ifname,
      peerMac: session ? session.peerMac.toLowerCase() : peer.mac,
      peerId: session?.peerId ?? null,
      state: stateOf(session),
      daemon: list !== null,
      since: session?.since ?? null,
      lastHeard: session?.lastHeard ?? null,
      link: link.index,
    };
  });
}

/** Throws LabPermissionError when we may not ask the daemons. */
export async function labStatus(plan: LabPlan): Promise<EndStatus[]> {
  return endStatuses(plan, await querySessions(plan, undefined, true));
}
