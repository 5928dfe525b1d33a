/** Characters a spreadsheet may read as the start of a formula, fullwidth forms included (Excel folds them). */
const FORMULA_START = '=+\\-@\\t\\r\\n\\uFF1D\\uFF0B\\uFF0D\\uFF20';
/** Where a spreadsheet may start a new cell inside ours: list separators of any locale, line breaks. */
const CELL_BREAK = ',;\\t\\r\\n\\uFF0C\\uFF1B';

/** Blanks and quotes before the formula character do not stop a spreadsheet from running it. */
const STARTS_AS_FORMULA = new RegExp(`^[\\s"]*[${FORMULA_START}]`);
const BREAK_BEFORE_FORMULA = new RegExp(`([${CELL_BREAK}])(?=[\\s"]*[${FORMULA_START}])`, 'g');

/**
 * One cell of a CSV (RFC 4180, CRLF) for files people open in spreadsheet programs, guarded as
 * OWASP's CSV injection page says: every cell is quoted (`"` doubled), and a cell that starts like
 * a formula (`=`, `+`, `-`, `@`, tab, CR, LF or their fullwidth forms) gets a leading `'`, so it
 * is read as text.
 *
 * Quoting only protects a reader that splits where we do. Excel in a semicolon locale splits our
 * comma file at the `;` in `INC-1;=1+4`, quotes or not, and its second piece runs. So a cell with
 * a separator (`,` `;` tab, fullwidth `，` `；`) or a line break before a formula character also
 * gets the leading `'`, and a `'` right after that separator, so no piece of it can start a formula.
 */
export function csvCell(value: string): string {
  const inner = value.replace(BREAK_BEFORE_FORMULA, "$1'");
  const guarded = inner !== value || STARTS_AS_FORMULA.test(value) ? `'${inner}` : inner;
  return `"${guarded.replace(/"/g, '""')}"`;
}

export function csvRow(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
