// contrib/grafana and contrib/prometheus held to the real promtool: every dashboard query
// and alert parses as PromQL, names only metrics the daemon exports, and the flapping
// alert fires on flaps and not on operator closes (promtool test rules).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { FAMILIES } from '../../src/metrics/families.js';
import { repoRoot } from '../helpers/vectors.js';

const root = repoRoot();
const rulesFile = path.join(root, 'contrib/prometheus/lsoe-rules.yml');
const dashboard = JSON.parse(readFileSync(path.join(root, 'contrib/grafana/lsoe-dashboard.json'), 'utf8')) as {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
};
const dir = mkdtempSync(path.join(tmpdir(), 'lsoe-monitoring-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const promtool = (...args: string[]) => {
  const r = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

/** Metric names a PromQL expression mentions (ours and the process metrics). */
const metricsIn = (expr: string) => [...expr.matchAll(/\b((?:lsoe|process|nodejs)_[a-z_]+)\b/g)].map((m) => m[1]!);
const exported = new Set([...FAMILIES.map((f) => f.name), 'process_resident_memory_bytes']);

t.test('the alerting rules pass promtool check rules and name exported metrics', async (t) => {
  const r = promtool('check', 'rules', rulesFile);
  t.equal(r.code, 0, r.out);
  t.same(metricsIn(readFileSync(rulesFile, 'utf8')).filter((m) => !exported.has(m)), []);
});

t.test('every dashboard query is PromQL over exported metrics', async (t) => {
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((x) => x.expr));
  t.ok(exprs.length >= 8);
  // Grafana's variables replaced as Grafana would, then each query checked as a recording rule.
  const rules = exprs.map((e, i) => `      - record: lsoe:panel_${i}\n        expr: ${JSON.stringify(e.replaceAll('$__rate_interval', '5m').replaceAll('$instance', '.*'))}\n`);
  writeFileSync(path.join(dir, 'panels.yml'), `groups:\n  - name: panels\n    rules:\n${rules.join('')}`);
  const r = promtool('check', 'rules', 'panels.yml');
  t.equal(r.code, 0, r.out);
  t.same(exprs.flatMap(metricsIn).filter((m) => !exported.has(m)), [], 'no metric the daemon does not export');
  const titles = dashboard.panels.map((p) => p.title).join(' | ');
  t.match(titles, /Sessions by state/);
  t.match(titles, /flaps/);
  t.match(titles, /dropped by reason/);
  t.match(titles, /BGP-LS peers/);
  t.match(titles, /NLRI announced and withdrawn/);
});

/** `promtool test rules` on the rules file with one test group (its input_series and alert_rule_test). */
function ruleTest(name: string, group: string) {
  writeFileSync(path.join(dir, `${name}.yml`), `rule_files: [${JSON.stringify(rulesFile)}]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n${group}`);
  return promtool('test', 'rules', `${name}.yml`);
}

t.test('LsoeBgpPeerDown fires for the peer that stays down, not for one that came back', async (t) => {
  const r = ruleTest(
    'bgp-test',
    `    input_series:
      - series: 'lsoe_bgp_peer_state{instance="leaf1", peer="192.0.2.9:179", state="established"}'
        values: '1 1 0 0 0 0 0 0 0 0'
      - series: 'lsoe_bgp_peer_state{instance="leaf2", peer="192.0.2.9:179", state="established"}'
        values: '1 0 0 0 1 1 1 1 1 1'
    alert_rule_test:
      - eval_time: 9m
        alertname: LsoeBgpPeerDown
        exp_alerts:
          - exp_labels: { severity: critical, instance: leaf1, peer: '192.0.2.9:179', state: established }
            exp_annotations:
              summary: 'leaf1: BGP-LS peer 192.0.2.9:179 not established for 5 minutes'
      - eval_time: 5m
        alertname: LsoeBgpPeerDown
        exp_alerts: []
`,
  );
  t.equal(r.code, 0, r.out);
});

t.test('LsoeSessionFlapping fires on link flaps, not on operator closes', async (t) => {
  const r = ruleTest(
    'flap-test',
    `    input_series:
      - series: 'lsoe_session_downs_total{instance="leaf1", reason="link-down"}'
        values: '0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20'
      - series: 'lsoe_session_downs_total{instance="leaf2", reason="admin"}'
        values: '0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20'
    alert_rule_test:
      - eval_time: 15m
        alertname: LsoeSessionFlapping
        exp_alerts:
          - exp_labels: { severity: warning, instance: leaf1 }
            exp_annotations:
              summary: 'leaf1: LSOE sessions went down 15 times in 15 minutes'
`,
  );
  t.equal(r.code, 0, r.out);
});
