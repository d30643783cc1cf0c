// The daemon's configuration keys: names, defaults and help, with no parsing code, so
// the command module can declare one flag per key without loading the daemon.

export interface KeyInfo {
  /** INI key and flag name */
  key: string;
  /** default, as it would be written in the file ('' = unset) */
  def: string;
  /** flag metavariable */
  arg: string;
  help: string;
}

export const CONFIG_KEYS: readonly KeyInfo[] = [
  { key: 'retransmit-initial-interval', def: '1.0', arg: 'seconds', help: 'first retransmission delay of an acked PDU' },
  { key: 'retransmit-exponential-backoff', def: 'yes', arg: 'yes|no', help: 'double the delay after each retransmission' },
  { key: 'retransmit-max-drop', def: '3', arg: 'n', help: 'unanswered sends of one PDU that close the session' },
  { key: 'keepalive-send-interval', def: '1.0', arg: 'seconds', help: 'KEEPALIVE period while open' },
  { key: 'keepalive-receive-timeout', def: '60.0', arg: 'seconds', help: 'silence that closes a session (0 = never)' },
  { key: 'hello-interval', def: '60.0', arg: 'seconds', help: 'HELLO beacon period' },
  { key: 'reassembly-timeout', def: '1.0', arg: 'seconds', help: 'how long pieces of a PDU wait for the rest' },
  { key: 'mac-address-cache-timeout', def: '300.0', arg: 'seconds', help: 'forget a neighbour that is not open (opening or hopeless) and silent this long (0 = never)' },
  { key: 'hello-multicast-macaddr', def: '01-80-C2-00-00-0E', arg: 'mac', help: 'HELLO destination' },
  { key: 'local-id', def: '', arg: 'hex', help: 'our 10-octet Local ID (default: derived from /etc/machine-id and the network namespace)' },
  { key: 'report-rfc7752-url', def: '', arg: 'url', help: 'POST each learned encapsulation here (http://…, unix:/path.sock)' },
  { key: 'ethertype', def: '0x88b5', arg: 'type', help: 'LSOE EtherType (0x8885 to talk to the published lsoed)' },
  { key: 'interface', def: '', arg: 'globs', help: 'interfaces to run on (globs, ! excludes)' },
  { key: 'loopback-interfaces', def: 'lo', arg: 'globs', help: 'interfaces whose addresses are announced as Loopback' },
  { key: 'max-sessions', def: '1024', arg: 'n', help: 'sessions in total' },
  { key: 'max-sessions-per-interface', def: '256', arg: 'n', help: 'sessions per interface' },
  { key: 'max-new-sessions-per-second', def: '100', arg: 'n', help: 'new sessions per second per interface' },
  { key: 'reassembly-max-bytes-per-sender', def: '65535', arg: 'octets', help: 'reassembly memory per sender' },
  { key: 'reassembly-max-bytes-per-interface', def: '1048576', arg: 'octets', help: 'reassembly memory for the senders without an open session on one interface (oldest evicted first)' },
  { key: 'reassembly-max-bytes-total', def: '4194304', arg: 'octets', help: 'reassembly memory for all senders (an open session may always complete one PDU: strangers are evicted for it)' },
  { key: 'max-encapsulations-per-type', def: '1024', arg: 'n', help: 'encapsulation entries kept per type per session (the first ones; at most 10921, what one PDU can carry)' },
  { key: 'max-encapsulation-bytes-per-interface', def: '1048576', arg: 'octets', help: 'encapsulation octets (as on the wire) kept for all sessions of one interface' },
  { key: 'restart-limit', def: '5', arg: 'n', help: 'restarts a neighbour may cause within restart-window before it is held down' },
  { key: 'restart-window', def: '10.0', arg: 'seconds', help: 'the window restart-limit counts over' },
  { key: 'restart-hold-down', def: '30.0', arg: 'seconds', help: 'how long a neighbour that restarted too often is ignored' },
  { key: 'max-control-connections', def: '64', arg: 'n', help: 'concurrent control-socket connections' },
  { key: 'mpls-ipv4-encapsulation', def: '', arg: 'list', help: "MPLS IPv4 encapsulations, e.g. '10.0.0.1/32 label 16001, …'" },
  { key: 'metrics-listen', def: '', arg: 'addr:port', help: 'serve Prometheus /metrics here (a port alone = 127.0.0.1; off when unset)' },
  { key: 'looking-glass', def: 'no', arg: 'yes|no', help: 'also serve a read-only JSON looking glass under /looking-glass/ on the metrics listener' },
  { key: 'mpls-ipv6-encapsulation', def: '', arg: 'list', help: "MPLS IPv6 encapsulations, e.g. '2001:db8::1/128 label 16001 16002'" },
  { key: 'bgp-peer', def: '', arg: 'list', help: 'BGP-LS peers to connect to: ADDR, ADDR:PORT or [IPv6]:PORT, comma-separated (none = no BGP)' },
  { key: 'bgp-asn', def: '', arg: 'as', help: 'our AS number (needed with bgp-peer)' },
  { key: 'bgp-router-id', def: '', arg: 'ipv4', help: 'BGP identifier; only our lowest loopback IPv4 is accepted (the default)' },
  { key: 'bgp-peer-asn', def: '', arg: 'as', help: "the peers' AS (default bgp-asn: iBGP)" },
  { key: 'bgp-hold-time', def: '90', arg: 'seconds', help: 'BGP hold time (0 or 3..65535); also how long a peer may take to send its OPEN' },
  { key: 'bgp-ls-instance-id', def: '0', arg: 'n', help: 'BGP-LS Identifier in every NLRI' },
  { key: 'bgp-ls-remote-asn', def: '', arg: 'as|list', help: "AS of the LSOE neighbours in Link NLRI: one AS, or 'swp1=65011, *=65000' (default bgp-asn)" },
  { key: 'bgp-ls-igp-router-id', def: 'no', arg: 'yes|no', help: 'also send the router-id as IGP Router-ID (TLV 515), for GoBGP' },
  { key: 'bgp-ls-node-name', def: '', arg: 'name', help: 'Node Name in the Node NLRI (default the host name)' },
];
