import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasValidSlackSignature } from '../../src/slack/slack-signature';

interface Vector {
  readonly name: string;
  readonly signing_secret: string;
  readonly timestamp: string;
  readonly body: string;
  readonly expected_signature: string;
}

const { vectors } = JSON.parse(readFileSync(join(__dirname, '../fixtures/slack/signature-vectors.json'), 'utf8')) as {
  vectors: Vector[];
};

describe('hasValidSlackSignature', () => {
  it.each(vectors)('accepts the signature of $name', (v) => {
    expect(hasValidSlackSignature(v.signing_secret, v.timestamp, Buffer.from(v.body), v.expected_signature)).toBe(true);
  });

  it.each(vectors)('refuses $name with one byte of the body, the timestamp or the secret changed', (v) => {
    const body = Buffer.from(v.body);
    const changed = Buffer.from(`${v.body.slice(0, -1)}${v.body.endsWith('x') ? 'y' : 'x'}`);
    expect(hasValidSlackSignature(v.signing_secret, v.timestamp, changed, v.expected_signature)).toBe(false);
    expect(hasValidSlackSignature(v.signing_secret, `${Number(v.timestamp) + 1}`, body, v.expected_signature)).toBe(
      false,
    );
    expect(hasValidSlackSignature(`${v.signing_secret}x`, v.timestamp, body, v.expected_signature)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['without the version', 'a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503'],
    ['of another version', 'v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503'],
    ['too short', 'v0=a2114d57'],
    ['in upper case', 'v0=A2114D57B48EAC39B9AD189DD8316235A7B4A8D21A10BD27519666489C69B503'],
  ])('refuses a signature header %s', (_, signature) => {
    const [v] = vectors;
    if (v === undefined) throw new Error('no vectors');
    expect(hasValidSlackSignature(v.signing_secret, v.timestamp, Buffer.from(v.body), signature)).toBe(false);
  });
});
