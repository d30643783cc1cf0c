// A pcap (link type RAW IPv4) of one TCP stream carrying the given payloads, so tshark
// can dissect bytes we made without a network: 10.0.0.1:40000 → 10.0.0.2:179.
import { writeFileSync } from 'node:fs';
import { pcapFileHeader } from '../../src/io/capture-writer.js';

const LINKTYPE_RAW = 101;

function checksum(buf: Buffer): number {
  let sum = 0;
  for (let i = 0; i < buf.length; i += 2) sum += (buf[i]! << 8) | (buf[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function packet(seq: number, payload: Buffer): Buffer {
  const ip = Buffer.alloc(20);
  const tcp = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(40 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 6;
  Buffer.from([10, 0, 0, 1, 10, 0, 0, 2]).copy(ip, 12);
  ip.writeUInt16BE(checksum(ip), 10);
  tcp.writeUInt16BE(40000, 0);
  tcp.writeUInt16BE(179, 2);
  tcp.writeUInt32BE(seq, 4);
  tcp.writeUInt32BE(1, 8);
  tcp[12] = 0x50;
  tcp[13] = 0x18; // PSH ACK
  tcp.writeUInt16BE(65535, 14);
  const pseudo = Buffer.concat([ip.subarray(12, 20), Buffer.from([0, 6, 0, 0]), tcp, payload]);
  pseudo.writeUInt16BE(20 + payload.length, 10);
  tcp.writeUInt16BE(checksum(pseudo), 16);
  return Buffer.concat([ip, tcp, payload]);
}

/** Writes one packet per payload, in sequence, to `file`. */
export function writeTcpPcap(file: string, payloads: Buffer[]): void {
  const parts: Buffer[] = [pcapFileHeader(65535, LINKTYPE_RAW)];
  let seq = 1000;
  payloads.forEach((p, i) => {
    const pkt = packet(seq, p);
    seq += p.length;
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + i, 0);
    rec.writeUInt32LE(pkt.length, 8);
    rec.writeUInt32LE(pkt.length, 12);
    parts.push(rec, pkt);
  });
  writeFileSync(file, Buffer.concat(parts));
}
