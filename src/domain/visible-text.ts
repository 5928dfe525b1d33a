/**
 * Characters that change how text reads without being seen: controls (Cc, except the ordinary
 * whitespace ones), format characters (Cf: zero-width spaces and joiners, the byte-order mark, soft
 * hyphens, the bidi embeddings and overrides U+202A–U+202E and isolates U+2066–U+2069 that let a
 * reason be shown reordered) and lone surrogates (Cs), which are not text at all.
 */
const INVISIBLE = /(?![\t\n\v\f\r])[\p{Cc}\p{Cf}\p{Cs}]/gu;

/**
 * Blank by design though not whitespace, so they do not count as something said: the
 * default-ignorable code points (Hangul fillers, variation selectors, the Cf characters again)
 * and the braille blank U+2800.
 */
const BLANK = /[\p{Default_Ignorable_Code_Point}\u2800]/gu;

/** A letter, digit, punctuation mark or symbol: something a reader sees. */
const SEEN = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** The text without the characters above; whitespace stays as it is, for the caller to fold. */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/** Whether a person reading the text sees at least one character (a required reason must say something). */
export function hasVisibleText(text: string | undefined): boolean {
  return text !== undefined && SEEN.test(stripInvisible(text).replace(BLANK, ''));
}
