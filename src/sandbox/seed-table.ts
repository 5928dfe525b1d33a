/** The seed tables are text, one row a line, columns split on spaces; `#` starts a comment line. */
export function rows(table: string): string[][] {
  return table
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(/\s+/));
}

export function cell(row: readonly string[], index: number): string {
  const value = row[index];
  if (value === undefined) throw new Error(`seed row is missing column ${index}: ${row.join(' ')}`);
  return value;
}
