import { csvCell, csvRow } from '../../src/slack/blocks/csv';

/**
 * What a spreadsheet sees of one cell when it splits at `separator` and ignores quotes (a semicolon
 * locale opening a comma file does in effect, and a naive reader splits lines): every fragment.
 */
function fragments(cell: string, separator: RegExp): string[] {
  const inner = cell.slice(1, -1).replace(/""/g, '"');
  return inner.split(separator);
}

const FORMULA_START = /^[\s"]*[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/;

/** Attack strings from the OWASP CSV injection page, and the ones issue 9 found. */
const attacks: Array<[string, string, string]> = [
  ['OWASP: DDE calc', "=cmd|' /C calc'!A0", `"'=cmd|' /C calc'!A0"`],
  ['OWASP: a sum that runs a command', "@SUM(1+1)*cmd|' /C calc'!A0", `"'@SUM(1+1)*cmd|' /C calc'!A0"`],
  ['OWASP: minus start', "-2+3+cmd|' /C calc'!A0", `"'-2+3+cmd|' /C calc'!A0"`],
  ['OWASP: plus start', "+2+3+cmd|' /C calc'!A0", `"'+2+3+cmd|' /C calc'!A0"`],
  [
    'OWASP: a hyperlink',
    '=HYPERLINK("http://evil.example","click")',
    `"'=HYPERLINK(""http://evil.example"",""click"")"`,
  ],
  ['OWASP: a quote, then a semicolon and a formula', '=1+2";=1+2', `"'=1+2"";'=1+2"`],
  ['OWASP: quotes, a semicolon, a comma and a formula', `=1+2'" ;,=1+2`, `"'=1+2'"" ;,'=1+2"`],
  ['a semicolon, then a formula', ';=1+4', `"';'=1+4"`],
  ['text, a semicolon, then a formula', 'INC-1;=1+4', `"'INC-1;'=1+4"`],
  ['a comma, then a formula', 'db disks,=1+4', `"'db disks,'=1+4"`],
  ['a tab, then a formula', 'a\t=1+4', `"'a\t'=1+4"`],
  ['a fullwidth comma, then a formula', 'a，=1+4', `"'a，'=1+4"`],
  ['a fullwidth semicolon, then an at', 'a；@SUM(1)', `"'a；'@SUM(1)"`],
  ['a semicolon, a quote, then a formula', 'a;"=1+4"', `"'a;'""=1+4"""`],
  ['a fullwidth equals sign', '＝1+4', `"'＝1+4"`],
  ['a fullwidth plus sign', '＋1+4', `"'＋1+4"`],
  ['a fullwidth minus sign', '－1+4', `"'－1+4"`],
  ['a fullwidth at sign', '＠SUM(1)', `"'＠SUM(1)"`],
  ['a tab first', '\t=1+4', `"'\t'=1+4"`],
  ['a carriage return first', '\r=1+4', `"'\r'=1+4"`],
  ['a line feed first', '\n=1+4', `"'\n'=1+4"`],
  ['a second line that starts a formula', 'fine\n-1+4', `"'fine\n'-1+4"`],
  ['a space, then a formula', ' =1+4', `"' =1+4"`],
];

const plain: Array<[string, string, string]> = [
  ['an ordinary reason', 'INC-4711 db disks', '"INC-4711 db disks"'],
  ['an empty cell', '', '""'],
  ['quotes inside', 'say "hi"', '"say ""hi"""'],
  ['a comma between words', 'a, b', '"a, b"'],
  ['a dash inside a name', 'db-data-1', '"db-data-1"'],
  ['an ISO time', '2026-01-01T00:00:00.000Z', '"2026-01-01T00:00:00.000Z"'],
];

describe('csvCell', () => {
  it.each(attacks)('guards %s', (_what, value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it.each(plain)('quotes %s and leaves it as it is', (_what, value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it.each(attacks)('leaves no fragment of %s that starts a formula, whatever the separator', (_what, value) => {
    const cell = csvCell(value);
    for (const separator of [/[,，]/, /[;；]/, /\t/, /\r\n?|\n/]) {
      for (const fragment of fragments(cell, separator)) expect(fragment).not.toMatch(FORMULA_START);
    }
  });
});

describe('csvRow', () => {
  it('quotes every cell and ends the row with CRLF', () => {
    expect(csvRow(['r-1', '=1+2', 'a;b'])).toBe(`"r-1","'=1+2","a;b"\r\n`);
  });
});
