// The pure parts of PcapLink's health check: reading /proc/net/packet and
// telling a stopped poll from a quiet link by the kernel's frame counts.
import t from 'tap';
import { pollStalled, socketState } from '../../src/io/pcap-link.js';

const TABLE = [
  'sk               RefCnt Type Proto  Iface R Rmem   User   Inode',
  '0000000000000001 3      3    88b5   7     1 0      0      1001',
  '0000000000000002 3      3    88b5   8     0 0      0      1002',
  '0000000000000003 3      3    88b5   -1    0 0      0      1003',
].join('\n');

t.test('socketState reads the row of the inode', async (t) => {
  t.equal(socketState(TABLE, '1001'), 'running');
  t.equal(socketState(TABLE, '1002'), 'down', 'bound but not running: interface down');
  t.equal(socketState(TABLE, '1003'), 'gone', 'unbound: interface deleted');
  t.equal(socketState(TABLE, '9999'), 'gone', 'no such socket');
});

t.test('pollStalled', async (t) => {
  t.equal(pollStalled({ queued: 5, read: 5 }, { queued: 8, read: 5 }, { queued: 8, read: 5 }), true, 'frames queued an interval ago, nothing read since: stopped');
  t.equal(pollStalled({ queued: 5, read: 5 }, { queued: 8, read: 8 }, { queued: 8, read: 8 }), false, 'read in the interval they arrived');
  t.equal(pollStalled({ queued: 5, read: 5 }, { queued: 8, read: 5 }, { queued: 9, read: 8 }), false, 'read in the next interval (arrived just before a check)');
  t.equal(pollStalled({ queued: 5, read: 5 }, { queued: 5, read: 5 }, { queued: 6, read: 5 }), false, 'frames that arrived just now have one more interval to be read');
  t.equal(pollStalled({ queued: 3, read: 0 }, { queued: 3, read: 0 }, { queued: 3, read: 0 }), false, 'a quiet link, with frames libpcap discarded when it opened');
});
