// Tables as lldpcli and FRR print them: a bold header, one line per row, columns two
// spaces apart, no rule lines. When a table is wider than the terminal, columns marked
// optional are dropped (last listed first) rather than wrapped; a pipe has no width
// unless COLUMNS says one.

export interface TableOptions {
  /** column indices that may be dropped to fit, the least important last */
  optional?: readonly number[];
  /** the width to fit; undefined = no limit */
  width?: number;
  /** styles the header cells (bold on a colour terminal) */
  head?: (text: string) => string;
}

const GAP = 2;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function visible(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

function widthsOf(rows: readonly (readonly string[])[], cols: readonly number[]): number[] {
  return cols.map((c) => Math.max(...rows.map((r) => visible(r[c] ?? ''))));
}

function total(widths: readonly number[]): number {
  return widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, widths.length - 1);
}

/** The columns kept so that the table fits `width`. */
export function fittingColumns(head: readonly string[], rows: readonly (readonly string[])[], opts: TableOptions): number[] {
  let cols = head.map((_h, i) => i);
  const all = [head, ...rows];
  const droppable = [...(opts.optional ?? [])].reverse();
  while (opts.width !== undefined && total(widthsOf(all, cols)) > opts.width && droppable.length > 0) {
    const drop = droppable.shift()!;
    cols = cols.filter((c) => c !== drop);
  }
  return cols;
}

export function renderTable(head: readonly string[], rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  const cols = fittingColumns(head, rows, opts);
  const widths = widthsOf([head, ...rows], cols);
  const line = (cells: readonly string[], style?: (t: string) => string): string =>
    cols
      .map((c, i) => {
        const text = cells[c] ?? '';
        const shown = style ? style(text) : text;
        return i === cols.length - 1 ? shown : shown + ' '.repeat(widths[i]! - visible(text) + GAP);
      })
      .join('')
      .trimEnd();
  return [line(head, opts.head), ...rows.map((r) => line(r))].join('\n');
}

/** The width a table should fit on this stream: the terminal's, COLUMNS, or none. */
export function outputWidth(stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  if (stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0) return stream.columns;
  return undefined;
}
