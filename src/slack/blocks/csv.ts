/**
 * CSV (RFC 4180, CRLF) for files people open in spreadsheet programs: cells that start with
 * `=`, `+`, `-` or `@` get a leading apostrophe so they are never run as formulas.
 */
export function csvCell(value: string): string {
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r']/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

export function csvRow(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
