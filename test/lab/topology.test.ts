import t from 'tap';
import { buildTopology, clos, parseLinks, parseTopologyText, TopologyError } from '../../src/lab/topology.js';

t.test('clos links every spine to every leaf, spines first', async (t) => {
  const links = clos(2, 3);
  t.same(links, [
    ['spine0', 'leaf0'], ['spine0', 'leaf1'], ['spine0', 'leaf2'],
    ['spine1', 'leaf0'], ['spine1', 'leaf1'], ['spine1', 'leaf2'],
  ]);
  const topo = buildTopology(links);
  t.same(topo.nodes, ['spine0', 'spine1', 'leaf0', 'leaf1', 'leaf2']);
  t.equal(topo.layers.get('spine1'), 0);
  t.equal(topo.layers.get('leaf2'), 1);
});

t.test('layers follow the longest chain of upper links', async (t) => {
  const topo = buildTopology([['core', 'agg'], ['agg', 'tor'], ['core', 'tor']]);
  t.same([...topo.layers], [['core', 0], ['agg', 1], ['tor', 2]]);
  // The order is by layer, whatever order the links came in.
  t.same(buildTopology([['agg', 'tor'], ['core', 'agg']]).nodes, ['core', 'agg', 'tor']);
});

t.test('a loop of upper/lower links is refused', async (t) => {
  t.throws(() => buildTopology([['a', 'b'], ['b', 'c'], ['c', 'a']]), TopologyError);
});

t.test('the reference demo format parses; bad files say what and where', async (t) => {
  t.same(parseTopologyText('[["spine0","leaf0"]]', 'x.json'), [['spine0', 'leaf0']]);
  const cases: [string, RegExp][] = [
    ['{', /^x\.json: not JSON/],
    ['{"a":1}', /^x\.json: want a JSON list/],
    ['[]', /^x\.json: no links/],
    ['[["a"]]', /^x\.json: link 0: want a pair/],
    ['[["a","b"],["a",3]]', /^x\.json: link 1: want a pair/],
    ['[["a b","c"]]', /^x\.json: link 0: bad node name 'a b'/],
    ['[["a","a"]]', /^x\.json: link 0: 'a' linked to itself/],
  ];
  for (const [text, message] of cases) {
    t.throws(() => parseTopologyText(text, 'x.json'), { name: 'TopologyError', message }, text);
  }
  t.throws(() => parseLinks([['x'.repeat(33), 'y']], 'f'), { message: /bad node name/ });
});
