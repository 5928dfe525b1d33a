import type { RequestId } from '../../src/domain/ids';
import type { NewRequestId } from '../../src/flow/ports';

/** The request id alphabet (src/domain/ids.ts): its first letter is the zero digit. */
const ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';

/** The n-th id of a sequence: `r-22222223` for 1, `r-22222224` for 2, … (valid for parseRequestId). */
export function nthRequestId(n: number): RequestId {
  let digits = '';
  for (let rest = n, i = 0; i < 8; i += 1, rest = Math.floor(rest / ALPHABET.length))
    digits = ALPHABET[rest % ALPHABET.length]! + digits;
  return `r-${digits}` as RequestId;
}

/** Ids in order, so a test can name the request it is about to make. */
export function sequentialIds(): NewRequestId & { readonly peek: () => RequestId } {
  let n = 0;
  const next = (): RequestId => nthRequestId(++n);
  return Object.assign(next, { peek: () => nthRequestId(n + 1) });
}
