// One spelling of a Local ID in every text output: ten colon-separated octets, the way
// lsoed prints switch IDs (01:02:03:04:05:06:07:08:09:0a). JSON keeps PROTOCOL.md's
// form (20 hex digits). On input every usual spelling is taken: plain hex, 0x, octets
// separated by colons, dashes, dots or spaces, any case.

export function formatLocalId(hex: string | null): string {
  if (hex === null || hex === '') return '-';
  return (hex.toLowerCase().match(/../g) ?? []).join(':');
}

/** 20 lowercase hex digits, or null when `text` is not 10 octets in any usual spelling. */
export function parseLocalId(text: string): string | null {
  const t = text.trim().toLowerCase().replace(/^0x/, '');
  const octets = /[:\-. ]/.test(t) ? t.split(/[:\-. ]+/) : (t.match(/../g) ?? []);
  if (octets.length !== 10 || !octets.every((o) => /^[0-9a-f]{1,2}$/.test(o))) return null;
  if (!/[:\-. ]/.test(t) && t.length !== 20) return null;
  return octets.map((o) => o.padStart(2, '0')).join('');
}
