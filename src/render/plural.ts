// "1 frame", "2 frames", "0 PDUs": counts in words for people.

const IRREGULAR: Record<string, string> = { neighbour: 'neighbours', neighbor: 'neighbors', entry: 'entries', this: 'these' };

export function plural(n: number, singular: string, pluralForm?: string): string {
  const many = pluralForm ?? IRREGULAR[singular] ?? `${singular}s`;
  return `${n} ${n === 1 ? singular : many}`;
}
