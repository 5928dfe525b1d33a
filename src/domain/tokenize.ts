import type { Result } from './result';
import { err, ok } from './result';

/** A word of the command line; a word that starts with a quote is never read as a flag. */
export interface Token {
  readonly text: string;
  readonly quoted: boolean;
}

/** Opening quote -> the closing quotes that end it. Slack clients turn "x" into “x” (and German keyboards into „x“). */
const DOUBLE_QUOTES: ReadonlyMap<string, string> = new Map([
  ['"', '"”“'],
  ['“', '”"“'],
  ['”', '”"'],
  ['„', '“”"'],
  ['«', '»'],
  ['»', '«'],
]);
/** Single quotes open a quoted word only at the start of a word, so "don't" stays one word. */
const SINGLE_QUOTES: ReadonlyMap<string, string> = new Map([
  ["'", "'’"],
  ['‘', "’'"],
]);

const SLACK_ENTITIES: ReadonlyArray<readonly [RegExp, string]> = [
  [/&lt;/g, '<'],
  [/&gt;/g, '>'],
  [/&amp;/g, '&'],
];

/** Slack escapes &, < and > in command text even with escaping off; undo that before parsing. */
export function decodeSlackEntities(text: string): string {
  let out = text;
  for (const [re, ch] of SLACK_ENTITIES) out = out.replace(re, ch);
  return out;
}

/**
 * Splits a command line into words: whitespace separates, quotes group (straight, smart and
 * guillemets), commas stay inside words for the grammar to split volume lists.
 */
export function tokenize(input: string): Result<Token[], string> {
  const tokens: Token[] = [];
  // By code point, so a quote or a space is never half of a surrogate pair.
  const chars = Array.from(input);
  const at = (k: number): string => chars[k] ?? '';
  let i = 0;
  while (i < chars.length) {
    if (/\s/u.test(at(i))) {
      i += 1;
      continue;
    }
    let text = '';
    let quoted = false;
    while (i < chars.length && !/\s/u.test(at(i))) {
      const ch = at(i);
      const closers = DOUBLE_QUOTES.get(ch) ?? (text === '' ? SINGLE_QUOTES.get(ch) : undefined);
      if (closers === undefined) {
        text += ch;
        i += 1;
        continue;
      }
      let j = i + 1;
      while (j < chars.length && !closers.includes(at(j))) j += 1;
      if (j >= chars.length) return err(`a quote (${ch}) is not closed`);
      if (text === '') quoted = true;
      text += chars.slice(i + 1, j).join('');
      i = j + 1;
    }
    tokens.push({ text, quoted });
  }
  return ok(tokens);
}
