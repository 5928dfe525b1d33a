import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Vectors copied from ../shared/reference/otc (each file names its upstream source in its header).
const FIXTURES = join(__dirname, '..', 'fixtures', 'otc');

export interface SigningVector {
  readonly title: string;
  readonly fields: Record<string, string>;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly authorization: string;
}

/** The `=== title` blocks of an upstream vector file: request fields and the three expected texts. */
export function parseSigningVectors(file: string): SigningVector[] {
  const text = readFileSync(join(FIXTURES, file), 'utf8');
  return text
    .split(/^=== /m)
    .slice(1)
    .map((block) => {
      const [title = '', ...rest] = block.split('\n');
      const body = rest.join('\n');
      const section = (name: string): string => {
        const start = body.indexOf(`--- ${name}`);
        const from = body.indexOf('\n', start) + 1;
        const next = body.indexOf('\n--- ', from);
        return body.slice(from, next === -1 ? undefined : next).replace(/\n+$/, '');
      };
      const fields: Record<string, string> = {};
      for (const line of body.slice(0, body.indexOf('--- ')).split('\n')) {
        const m = /^([A-Za-z-]+): (.*)$/.exec(line);
        if (m?.[1] !== undefined && m[2] !== undefined) fields[m[1]] = m[2];
      }
      return {
        title: title.trim(),
        fields,
        canonicalRequest: section('CanonicalRequest'),
        stringToSign: section('StringToSign'),
        authorization: section('Authorization'),
      };
    });
}

/** The hex signature at the end of an Authorization value. */
export function signatureOf(authorization: string): string {
  return /Signature=([0-9a-f]+)\s*$/.exec(authorization)?.[1] ?? '';
}
