// `lsoe sessions --watch`: a live view of what `lsoe sessions` would print now. It
// re-reads the session list at once when the daemon reports an event, and every second
// besides: "last heard" and the PDU counts change with every KEEPALIVE, which is no
// event, so a view built from events alone goes stale and a healthy peer looks dying.
// `q` quits.
import { oneAtATime } from './one-at-a-time.js';
import { errorLine } from '../cli-context.js';
import { useEffect, useState } from 'react';
import { Box, render, Text, useApp, useInput } from 'ink';
import type { ControlClient, StreamEvent } from '../ctl/client.js';
import type { SessionView } from '../daemon/core.js';
import { colorWanted } from '../render/output.js';
import { matchesPeer, type PeerFilter } from './peer-filter.js';
import { SESSION_HEAD, sessionRow, sortSessions, summarise } from './sessions-table.js';

const WIDTHS = [12, 19, 31, 9, 8, 12, 12, 8];
/** seconds between two reads of the session list when no event came */
const REFRESH = 1;
const RECENT_EVENTS = 5;

interface Props {
  client: ControlClient;
  filter: PeerFilter;
  color: boolean;
  /** called with the reason the view ended abnormally */
  onProblem(message: string): void;
}

function stateColor(state: string, color: boolean): string | undefined {
  if (!color) return undefined;
  return state === 'open' ? 'green' : 'yellow';
}

function Row({ cells, color, bold }: { cells: string[]; color?: string | undefined; bold?: boolean }) {
  return (
    <Box>
      {cells.map((c, i) => (
        <Box key={i} width={WIDTHS[i] ?? 10} marginRight={1}>
          <Text wrap="truncate" bold={bold ?? false} {...(color !== undefined ? { color } : {})}>
            {c}
          </Text>
        </Box>
      ))}
    </Box>
  );
}

function eventText(e: StreamEvent): string {
  if (e.event === 'events-dropped') return `${e.time}  (${String(e.dropped)} events missed; list re-read)`;
  const d = e as Record<string, unknown> & { time: string; event: string; ifname: string; peerMac: string; peerId: string | null };
  // What changed: the encapsulation type, or why a session went down, when the daemon says.
  const detail = typeof d.type === 'string' ? ` ${d.type}` : typeof d.reason === 'string' ? ` (${d.reason})` : '';
  return `${d.time}  ${d.event}  ${d.ifname} ${d.peerMac}${detail}`;
}

function SessionsWatch({ client, filter, color, onProblem }: Props) {
  const { exit } = useApp();
  const [sessions, setSessions] = useState<SessionView[] | null>(null);
  const [events, setEvents] = useState<StreamEvent[]>([]);
  const [now, setNow] = useState(Date.now());

  useInput((input) => {
    if (input === 'q' || input === 'Q') exit();
  });

  useEffect(() => {
    // At most one read in flight; events during a read ask for one more afterwards.
    const reread = oneAtATime(
      async () => {
        const list = await client.request<SessionView[]>('sessions');
        setSessions(sortSessions(list.filter((s) => matchesPeer(filter, s))));
        setNow(Date.now());
      },
      (err) => {
        onProblem(err.message);
        exit();
      },
    );
    client.onEvent((e) => {
      if (e.event !== 'events-dropped' && !matchesPeer(filter, e as { ifname: string; peerMac: string })) return;
      setEvents((prev) => [...prev, e].slice(-RECENT_EVENTS));
      void reread();
    });
    client.onClose((err) => {
      if (err) {
        onProblem(err.message);
        exit();
      }
    });
    // Subscribe before the first read, so no change falls between the two.
    client.request('subscribe').then(
      () => reread(),
      (err: Error) => {
        onProblem(err.message);
        exit();
      },
    );
    const tick = setInterval(() => void reread(), REFRESH * 1000);
    return () => clearInterval(tick);
  }, []);

  const list = sessions ?? [];
  const sum = summarise(list);
  return (
    <Box flexDirection="column">
      <Text bold>
        lsoe sessions: {sessions === null ? 'reading…' : `${sum.sessions} (${sum.open} open, ${sum.opening} opening)`}
        {'   '}
        <Text dimColor>q quits</Text>
      </Text>
      <Row cells={SESSION_HEAD} bold />
      {list.map((s) => (
        <Row key={`${s.ifname} ${s.peerMac}`} cells={sessionRow(s, now)} color={stateColor(s.state, color)} />
      ))}
      {sessions !== null && list.length === 0 ? <Text dimColor>no sessions</Text> : null}
      {events.length > 0 ? (
        <Box flexDirection="column" marginTop={1}>
          <Text dimColor>recent events</Text>
          {events.map((e, i) => (
            <Text key={i}>{eventText(e)}</Text>
          ))}
        </Box>
      ) : null}
    </Box>
  );
}

/** Runs the view until `q` (exit 0) or until the daemon goes away (exit 1). */
export async function runWatchView(client: ControlClient, filter: PeerFilter): Promise<number> {
  let problem: string | null = null;
  const app = render(
    <SessionsWatch client={client} filter={filter} color={colorWanted(process.stdout)} onProblem={(m) => (problem = m)} />,
  );
  try {
    await app.waitUntilExit();
  } finally {
    client.close();
  }
  if (problem !== null) {
    process.stderr.write(`${errorLine(problem)}\n`);
    return 1;
  }
  return 0;
}
