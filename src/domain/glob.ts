/** Two characters are the same letter in either case (`K` and the Kelvin sign, `ß` and `ẞ` too). */
function sameLetter(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase();
}

/**
 * `*` matches any run of characters, `?` one character; everything else is literal. Case-insensitive.
 *
 * Rule globs are matched against channel and policy names that other people choose, so the matcher
 * must not be a backtracking regular expression: `a*a*a*a*a*a*a*a*b` as `^a.*a.*…b$` against 80
 * `a`s blocked the event loop for minutes. This is the classic two-pointer wildcard match: on a
 * mismatch it only moves back to the last `*` (an earlier `*` never needs to take more, since the
 * later one can absorb it), so it takes at most glob length × text length steps.
 */
export function matchesGlob(glob: string, text: string): boolean {
  const p = Array.from(glob);
  const t = Array.from(text);
  let pi = 0;
  let ti = 0;
  /** The last `*` seen, and where in the text its run currently ends. */
  let star = -1;
  let starEnd = 0;
  while (ti < t.length) {
    const c = p[pi];
    const d = t[ti];
    if (c === '*') {
      star = pi;
      starEnd = ti;
      pi += 1;
    } else if (c !== undefined && d !== undefined && (c === '?' || sameLetter(c, d))) {
      pi += 1;
      ti += 1;
    } else if (star !== -1) {
      starEnd += 1;
      pi = star + 1;
      ti = starEnd;
    } else return false;
  }
  while (p[pi] === '*') pi += 1;
  return pi === p.length;
}
