// Frames given as hex text, one per line: `lsoe decode --hex`. Separators
// (spaces, colons, dashes) are allowed; blank lines and `#` comments skipped.
import { CliError } from '../cli-error.js';

export function parseHexFrames(text: string, source: string): Buffer[] {
  const frames: Buffer[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/#.*/, '').trim();
    if (line === '') continue;
    const hex = line.replace(/^0x/i, '').replace(/[\s:-]/g, '');
    if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) {
      const where = lines.length > 1 ? `${source} line ${i + 1}` : source;
      throw new CliError(`${where}: not a frame in hex (${hex.length % 2 ? 'odd number of digits' : 'non-hex character'})`, 1);
    }
    frames.push(Buffer.from(hex, 'hex'));
  }
  return frames;
}
