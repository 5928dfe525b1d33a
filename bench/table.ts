/** One line of the result table: a goal's figure for the floor (or baseline) and the bot, and whether it is met. */
export interface GoalRow {
  readonly goal: string;
  readonly what: string;
  /** The floor's figure, the baseline's (empty store, idle), or the bound. */
  readonly base: number;
  readonly value: number;
  /** value / base, or for bounds the efficiency bound / value (then `ratioLabel` is 'eff'). */
  readonly ratio: number;
  readonly ratioLabel?: string;
  readonly target: string;
  /** Undefined: reported, no goal. */
  readonly met: boolean | undefined;
}

function num(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** A plain-text table, columns padded to their widest cell. */
export function formatTable(rows: readonly GoalRow[]): string {
  const header = ['goal', 'measure', 'floor / base / bound', 'bot', 'ratio', 'target', 'met'];
  const cells = rows.map((r) => [
    r.goal,
    r.what,
    num(r.base),
    num(r.value),
    Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}${r.ratioLabel === undefined ? 'x' : ` ${r.ratioLabel}`}` : '-',
    r.target,
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string =>
    c
      .map((cell, i) => (i >= 2 && i <= 4 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
