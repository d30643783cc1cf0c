// An example vendor plugin for `lsoe daemon --plugin examples/hostname-plugin.js`.
//
// When a session opens, it tells the peer our host name in a VENDOR PDU (enterprise
// number 32473, the IANA number reserved for documentation, RFC 5612; enterprise
// type 1), and it logs the host name each peer tells us. The daemon ACKs every
// VENDOR PDU itself and retransmits ours until the peer ACKs it.
//
// A plugin is an ES module whose default export (or `register` export) receives the
// plugin API:
//   api.onVendor(enterpriseNumber, (pdu, session) => …)   pdu: {enterpriseNumber, enterpriseType, data: hex}
//   api.onSessionUp((session) => …) / api.onSessionDown((session) => …)
//   session: {ifname, peerMac, peerId, peerAttributes, send(enterpriseNumber, enterpriseType, data)}
//   api.log(level, message, fields)                          level: debug | info | warning | error
import { hostname } from 'node:os';

export const ENTERPRISE_NUMBER = 32473;
export const TYPE_HOSTNAME = 1;

/** Builds the plugin for a given name (tests give each daemon its own). */
export function createHostnamePlugin(name = hostname()) {
  /** what each peer said, by "ifname peerMac" */
  const names = new Map();
  function register(api) {
    api.onSessionUp((session) => {
      session.send(ENTERPRISE_NUMBER, TYPE_HOSTNAME, Buffer.from(name, 'utf8'));
    });
    api.onSessionDown((session) => {
      names.delete(`${session.ifname} ${session.peerMac}`);
    });
    api.onVendor(ENTERPRISE_NUMBER, (pdu, session) => {
      if (pdu.enterpriseType !== TYPE_HOSTNAME) return;
      const peerName = Buffer.from(pdu.data, 'hex').toString('utf8');
      names.set(`${session.ifname} ${session.peerMac}`, peerName);
      api.log('info', `peer ${session.peerMac} on ${session.ifname} is ${peerName}`, { peerName });
    });
  }
  return { register, names };
}

export default createHostnamePlugin().register;
