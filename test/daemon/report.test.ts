import t from 'tap';
import { FakeClock } from '../../src/daemon/clock.js';
import { memoryLogger } from '../../src/daemon/log.js';
import { buildReport, pduName, pythonJson, Reporter } from '../../src/daemon/report.js';

const input = {
  localId: '0102030405060708090a',
  sessionNumber: 7,
  ifname: 'eth1',
  peerMac: 'aa:bb:cc:dd:ee:ff',
  peerId: '0b0c0d0e0f1011121314',
  peerAttributes: '0102',
};

t.test('the report has lsoed’s keys, order and values', async (t) => {
  const r = buildReport({ ...input, type: 'IPV4_ENCAPSULATION', encaps: [{ address: '10.0.0.1', prefixLength: 31, primary: false, loopback: false }] });
  t.equal(
    pythonJson(r),
    '{"my_switch_id": "01:02:03:04:05:06:07:08:09:0a", "session_pyid": 7, "ifname": "eth1", "peer_macaddr": "aa:bb:cc:dd:ee:ff", ' +
      '"peer_switch_id": "0b:0c:0d:0e:0f:10:11:12:13:14", "peer_attributes": [1, 2], "pdu_type": 4, "pdu_name": "IPV4ENCAPSULATION", ' +
      '"encaps": [{"primary": false, "loopback": false, "ipaddr": "10.0.0.1", "prefixlen": 31, "labels": null}], ' +
      '"unique": ["01:02:03:04:05:06:07:08:09:0a", "eth1", "aa:bb:cc:dd:ee:ff", "0b:0c:0d:0e:0f:10:11:12:13:14", "IPV4ENCAPSULATION"]}',
  );
});

t.test('MPLS labels are hex strings; other types have null labels', async (t) => {
  const r = buildReport({
    ...input,
    type: 'MPLS_IPV6_ENCAPSULATION',
    encaps: [{ address: '2001:db8::1', prefixLength: 128, primary: true, loopback: false, labels: ['00fa01'] }],
  });
  t.equal(r.pdu_type, 7);
  t.equal(r.pdu_name, 'MPLSIPV6ENCAPSULATION');
  t.same(r.encaps, [{ primary: true, loopback: false, ipaddr: '2001:db8::1', prefixlen: 128, labels: ['00fa01'] }]);
  t.same(
    ['IPV4_ENCAPSULATION', 'IPV6_ENCAPSULATION', 'MPLS_IPV4_ENCAPSULATION', 'MPLS_IPV6_ENCAPSULATION'].map((x) => pduName(x as never)),
    ['IPV4ENCAPSULATION', 'IPV6ENCAPSULATION', 'MPLSIPV4ENCAPSULATION', 'MPLSIPV6ENCAPSULATION'],
  );
});

t.test('pythonJson escapes non-ASCII like json.dumps', async (t) => {
  t.equal(pythonJson({ a: 'é', b: [true, null] }), '{"a": "\\u00e9", "b": [true, null]}');
});

t.test('an unreachable collector is retried with backoff and never loses the latest report', async (t) => {
  const clock = new FakeClock();
  const log = memoryLogger();
  let up = false;
  const received: string[] = [];
  const reporter = new Reporter({
    url: 'unix:/nowhere.sock',
    clock,
    log,
    post: async (_url, body) => {
      if (!up) throw new Error('connect ENOENT');
      received.push(body);
      return 200;
    },
  });
  const v1 = buildReport({ ...input, type: 'IPV4_ENCAPSULATION', encaps: [{ address: '10.0.0.1', prefixLength: 32, primary: true, loopback: false }] });
  const v2 = buildReport({ ...input, type: 'IPV4_ENCAPSULATION', encaps: [] });
  reporter.submit(v1);
  await new Promise((r) => setImmediate(r));
  t.equal(reporter.counters.reportsFailed, 1);
  t.ok(log.lines.some((l) => l.level === 'warning' && /unreachable.*retrying in 1 s/.test(l.message)), 'logged');
  reporter.submit(v2); // replaces v1 while waiting
  t.equal(reporter.backlog(), 1, 'one report per unique key waits');
  up = true;
  clock.advance(1);
  await new Promise((r) => setImmediate(r));
  t.same(received.map((b) => JSON.parse(b).encaps), [[]], 'only the latest version is delivered');
  t.equal(reporter.backlog(), 0);
});

t.test('the queue is bounded', async (t) => {
  const clock = new FakeClock();
  const reporter = new Reporter({ url: 'http://x', clock, log: memoryLogger(), maxQueued: 2, concurrency: 1, post: () => new Promise(() => undefined) });
  for (let i = 0; i < 5; i++) reporter.submit(buildReport({ ...input, ifname: `eth${i}`, type: 'IPV4_ENCAPSULATION', encaps: [] }));
  // one in flight (never answers), two waiting, two dropped
  t.equal(reporter.counters.reportsDropped, 2);
  t.equal(reporter.backlog(), 3);
});

t.test('a 3xx answer is a failure, retried, not a delivery', async (t) => {
  const clock = new FakeClock();
  const log = memoryLogger();
  let status = 302;
  const reporter = new Reporter({ url: 'http://collector.invalid/', clock, log, post: async () => status });
  reporter.submit(buildReport({ ...input, type: 'IPV4_ENCAPSULATION', encaps: [] }));
  await new Promise((r) => setImmediate(r));
  t.equal(reporter.counters.reportsSent, 0, 'not counted as sent');
  t.equal(reporter.counters.reportsFailed, 1);
  t.equal(reporter.backlog(), 1, 'kept for a retry');
  status = 200;
  clock.advance(1);
  await new Promise((r) => setImmediate(r));
  t.equal(reporter.counters.reportsSent, 1, 'delivered once the collector answers 2xx');
});

t.test('httpPost: a collector that trickles its answer hits the whole-request deadline', async (t) => {
  const { createServer } = await import('node:http');
  const { httpPost } = await import('../../src/daemon/report.js');
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200);
    // one octet every 100 ms: never idle for the 5 s idle limit, never finished
    const timer = setInterval(() => res.write('x'), 100);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;
  // the message names the deadline: the idle timeout (5 s) would say 'timed out'
  await t.rejects(httpPost(`http://127.0.0.1:${port}/`, '{}', 600), /no complete answer within 0.6 s/);
  server.closeAllConnections();
});
