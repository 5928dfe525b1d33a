import fc from 'fast-check';
import { matchesGlob } from '../../src/domain/glob';

/**
 * The obvious definition, as a recursion over both strings with memo: slow in constants but
 * polynomial, and short enough to trust. `*` any run, `?` one character, case-insensitive.
 */
function referenceMatch(glob: string, text: string): boolean {
  const p = Array.from(glob);
  const t = Array.from(text);
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase();
  const memo = new Map<number, boolean>();
  const at = (i: number, j: number): boolean => {
    const key = i * (t.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    const c = p[i];
    if (c === undefined) result = j === t.length;
    else if (c === '*') result = at(i + 1, j) || (j < t.length && at(i, j + 1));
    else {
      const d = t[j];
      result = d !== undefined && (c === '?' || same(c, d)) && at(i + 1, j + 1);
    }
    memo.set(key, result);
    return result;
  };
  return at(0, 0);
}

/** A small alphabet, so random globs and names often match; with case pairs, an accent and an emoji. */
const nameChar = fc.constantFrom('a', 'A', 'b', 'B', 'é', 'É', '-', '.', '1', '😀', '\n');
const globChar = fc.oneof(nameChar, fc.constantFrom('*', '?', '*'));

describe('matchesGlob on pathological patterns', () => {
  const a80 = 'a'.repeat(80);

  it.each([
    ['eight stars, then a letter the name lacks', 'a*a*a*a*a*a*a*a*b', a80, false],
    ['eight stars, all letters present', 'a*a*a*a*a*a*a*a*a', a80, true],
    ['stars on both ends around a missing letter', '*a*a*a*a*a*a*a*a*c*', a80, false],
    ['stars and question marks', '*?*?*?*?*?*?*?*?*?*b', a80, false],
    ['a run of thirty-two stars', '********************************b', a80, false],
    ['forty stars, then a missing letter', `${'a*'.repeat(40)}b`, a80, false],
    ['eighty stars and eighty letters', '*a'.repeat(80), a80, true],
    ['eighty-one letters against eighty', '*a'.repeat(81), a80, false],
    ['a channel-like name of dashes', 'inc-*-*-*-*-*-*-*-*-x', `inc-${'-'.repeat(76)}`, false],
  ])('%s: the answer is right', (_what, glob, text, expected) => {
    expect(matchesGlob(glob, text)).toBe(expected);
  });

  it('answers for a long name and a long pattern (thousands of characters)', () => {
    expect(matchesGlob(`${'*a'.repeat(500)}*b`, 'a'.repeat(5000))).toBe(false);
    expect(matchesGlob(`${'*a'.repeat(500)}*`, 'a'.repeat(5000))).toBe(true);
  });
});

describe('matchesGlob agrees with a reference on random input', () => {
  it('matches exactly when the reference does', () => {
    fc.assert(
      fc.property(fc.array(globChar, { maxLength: 12 }), fc.array(nameChar, { maxLength: 16 }), (g, t) => {
        const glob = g.join('');
        const text = t.join('');
        expect(matchesGlob(glob, text)).toBe(referenceMatch(glob, text));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches every name against the glob made from it with some characters turned into ? or *', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(nameChar, fc.constantFrom('keep', '?', '*', 'upper')), { maxLength: 20 }), (cs) => {
        const text = cs.map(([c]) => c).join('');
        const glob = cs.map(([c, how]) => (how === 'keep' ? c : how === 'upper' ? c.toUpperCase() : how)).join('');
        expect(matchesGlob(glob, text)).toBe(true);
      }),
    );
  });

  it('returns for long random names against patterns full of stars', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', '*', '?'), { minLength: 20, maxLength: 60 }),
        fc.array(fc.constantFrom('a', 'b'), { minLength: 60, maxLength: 200 }),
        (g, t) => {
          const glob = `${g.join('')}c`;
          expect(matchesGlob(glob, t.join(''))).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
