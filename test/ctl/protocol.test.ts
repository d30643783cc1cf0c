import t from 'tap';
import { parseRequest, encodeLine } from '../../src/ctl/protocol.js';
import { LineSplitter } from '../../src/ctl/line-splitter.js';
import { resolveSocketPath } from '../../src/ctl/socket-path.js';

t.test('parseRequest accepts requests and names what is wrong with the rest', async (t) => {
  t.same(parseRequest('{"id":1,"method":"sessions"}'), { ok: true, request: { id: 1, method: 'sessions', params: {} } });
  t.same(parseRequest('{"method":"x","params":{"a":1},"id":"s"}'), {
    ok: true,
    request: { id: 's', method: 'x', params: { a: 1 } },
  });
  t.same(parseRequest('{"method":"version"}'), { ok: true, request: { id: null, method: 'version', params: {} } });
  t.match(parseRequest('{'), { ok: false, id: null, error: { code: 'parse-error', message: /^not JSON/ } });
  t.match(parseRequest('"x"'), { ok: false, error: { code: 'parse-error' } });
  t.match(parseRequest('null'), { ok: false, error: { code: 'parse-error' } });
  t.match(parseRequest('{"id":3,"method":""}'), { ok: false, id: 3, error: { code: 'invalid-request', message: /method/ } });
  t.match(parseRequest('{"id":true,"method":"a"}'), { ok: false, id: null, error: { message: /id/ } });
  t.match(parseRequest('{"id":4,"method":"a","params":"x"}'), { ok: false, id: 4, error: { message: /params/ } });
  t.equal(encodeLine({ a: 1 }), '{"a":1}\n');
});

t.test('LineSplitter joins pieces, skips blank lines and discards overlong ones', async (t) => {
  const lines: string[] = [];
  let overlong = 0;
  const s = new LineSplitter(10, { onLine: (l) => lines.push(l), onOverlong: () => overlong++ });
  s.push(Buffer.from('ab'));
  s.push(Buffer.from('c\r\n\n  \nd'));
  s.push(Buffer.from('e\n0123456789'));
  t.same(lines, ['abc', 'de']);
  t.equal(overlong, 0, 'exactly the limit is fine');
  s.push(Buffer.from('X'));
  t.equal(overlong, 1);
  s.push(Buffer.from('more junk without end'));
  t.equal(overlong, 1, 'reported once per line');
  s.push(Buffer.from('junk\nok\n'));
  t.same(lines, ['abc', 'de', 'ok']);
  // A multi-byte character split across chunks is decoded whole.
  const euro = Buffer.from('€\n');
  s.push(euro.subarray(0, 1));
  s.push(euro.subarray(1));
  t.equal(lines.at(-1), '€');
});

t.test('socket path: flag, then LSOE_SOCKET, then the default', async (t) => {
  t.equal(resolveSocketPath('/a.sock', { LSOE_SOCKET: '/b.sock' }), '/a.sock');
  t.equal(resolveSocketPath(undefined, { LSOE_SOCKET: '/b.sock' }), '/b.sock');
  t.equal(resolveSocketPath(undefined, { LSOE_SOCKET: '' }), '/run/lsoe/lsoe.sock');
  t.equal(resolveSocketPath(undefined, {}), '/run/lsoe/lsoe.sock');
});
