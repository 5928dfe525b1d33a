import { parseDuration } from '../../src/domain/duration';
import { matchesGlob } from '../../src/domain/glob';
import { formatRequestId, isUuid, parseRequestId } from '../../src/domain/ids';
import { redactSecrets } from '../../src/domain/redact';
import { tokenize } from '../../src/domain/tokenize';
import { buildSummary } from '../../src/domain/summary';
import type { VolumeId } from '../../src/domain/ids';

describe('parseDuration', () => {
  it.each([
    ['30m', 1_800_000],
    ['4h', 14_400_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['45s', 45_000],
    ['300ms', 300],
    ['1ms', 1],
    ['1m5s', 65_000],
    ['1s500ms', 1_500],
    ['2m300ms', 120_300],
    ['1h1m1s1ms', 3_661_001],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, value: ms });
  });
  it.each(['', '4', 'h', '4x', '-1h', '0m', '1.5h', 'ms', '0ms', '300 ms', '5sm', '1msm', '2us'])(
    'rejects %p',
    (text) => {
      expect(parseDuration(text).ok).toBe(false);
    },
  );
});

describe('matchesGlob', () => {
  it.each([
    ['inc-*', 'inc-4711', true],
    ['inc-*', 'INC-4711', true],
    ['inc-*', 'prod-inc-1', false],
    ['daily-?d', 'daily-7d', true],
    ['daily-?d', 'daily-30d', false],
    ['a.b', 'axb', false],
    ['(x)', '(x)', true],
  ])('%s ~ %s = %s', (glob, text, expected) => {
    expect(matchesGlob(glob, text)).toBe(expected);
  });
});

describe('ids', () => {
  it('formats short readable request ids from random bytes and parses them back', () => {
    const id = formatRequestId(Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 255]));
    expect(id).toMatch(/^r-[2-9a-z]{8}$/);
    expect(parseRequestId(` ${id.toUpperCase()} `)).toBe(id);
    expect(parseRequestId('r-0000000o')).toBeUndefined();
    expect(() => formatRequestId(new Uint8Array(4))).toThrow(RangeError);
  });
  it('recognises UUIDs', () => {
    expect(isUuid('0f187b65-8d0e-4fc0-9096-3b55d330531e')).toBe(true);
    expect(isUuid('0f187b65-8d0e-4fc0-9096-3b55d330531')).toBe(false);
  });
});

describe('redactSecrets', () => {
  it.each([
    ['token xoxb-123-456-abcdef in text', 'xoxb-123-456-abcdef'],
    ['app xapp-1-A1-abc', 'xapp-1-A1-abc'],
    ['X-Auth-Token: MIIEabc.def', 'MIIEabc.def'],
    ['{"x-subject-token":"tok123"}', 'tok123'],
    ['SDK-HMAC-SHA256 Credential=AKID/20260101///sdk_request, SignedHeaders=host, Signature=abcdef0123', 'AKID'],
    ['Signature=abcdef0123', 'abcdef0123'],
    ['{"password":"hunter2","user":"x"}', 'hunter2'],
    ['postgres://bob:s3cret@db:5432/x', 's3cret'],
    ['a step token xwfp-2335208212870-2354592155553-c2a66a8f in text', '2335208212870'],
    ['{"bot_access_token":"wf-token-without-prefix"}', 'wf-token-without-prefix'],
    ['{"requester":{"id":"U0ALICE001","secret":"c3RhbmQtaW4"}}', 'c3RhbmQtaW4'],
    // A Socket Mode envelope as the client's debug line has it, then as a JSON log line holds that line.
    ['Received a message: {"payload":{"token":"VERIFTOKEN123","user":"U1"}}', 'VERIFTOKEN123'],
    ['{"msg":"Received: {\\"token\\":\\"VERIFTOKEN123\\",\\"x\\":1}"}', 'VERIFTOKEN123'],
    ['{"msg":"{\\"user_context\\":{\\"id\\":\\"U1\\",\\"secret\\":\\"SEKRET\\"}}"}', 'SEKRET'],
    ['{"msg":"{\\\\\\"token\\\\\\":\\\\\\"TWICE\\\\\\"}"}', 'TWICE'],
    ['{"response_url":"https://hooks.slack.com/commands/T0001/1234/AbCdEf"}', 'AbCdEf'],
    ['{"msg":"{\\"response_url\\":\\"https:\\/\\/hooks.slack.com\\/actions\\/T1\\/2\\/XyZ\\"}"}', 'XyZ'],
  ])('masks the secret in %p', (text, secret) => {
    expect(redactSecrets(text)).not.toContain(secret);
  });
  it('masks an escaped value to its end, across the escaped slashes Slack writes', () => {
    const line = JSON.stringify({ msg: '{\\"secret\\":\\"ab\\/cd+EF==\\",\\"user\\":\\"U1\\"}' });
    expect(redactSecrets(line)).not.toContain('cd+EF');
    expect(redactSecrets(line)).toContain('U1');
  });
  it('masks an escaped password to its end, past a quote escaped deeper inside it', () => {
    const line = JSON.stringify({ msg: JSON.stringify({ password: 'ab"cd-SECRETTAIL', user: 'U1' }) });
    expect(redactSecrets(line)).not.toContain('SECRETTAIL');
    expect(JSON.parse(JSON.parse(redactSecrets(line)).msg as string)).toEqual({ password: '[redacted]', user: 'U1' });
  });
  it('leaves a ticket in any other URL alone', () => {
    const text = 'see https://servicedesk.example.com/view?ticket=CHG-12345';
    expect(redactSecrets(text)).toBe(text);
  });
  it("masks a Socket Mode connection's ticket", () => {
    const line = '{"url":"wss://wss-primary.slack.com/link/?ticket=4f2a-77c1-secret&app_id=A0BACKUPBOT"}';
    expect(redactSecrets(line)).toBe(
      '{"url":"wss://wss-primary.slack.com/link/?ticket=[redacted]&app_id=A0BACKUPBOT"}',
    );
  });
  it('reads a line with a long run of backslashes in one pass (every log line goes through it)', () => {
    // 200,000 backslashes: a pattern that tries the run from each of its backslashes takes about
    // 40 s here (the one before this test did), one pass a few milliseconds. Not a speed target: a
    // bound 1,000 times what one pass needs, that only a quadratic pattern can cross. (Jest cannot
    // time out a synchronous call, so the test measures it.)
    const line = `{"msg":"x${'\\'.repeat(200_000)}y"}`;
    const started = performance.now();
    expect(redactSecrets(line)).toBe(line);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
  it('keeps the JSON around an escaped secret whole', () => {
    const line = JSON.stringify({ msg: JSON.stringify({ token: 'VERIFTOKEN123', user: 'U1' }) });
    const masked = redactSecrets(line);
    expect(JSON.parse(JSON.parse(masked).msg as string)).toEqual({ token: '[redacted]', user: 'U1' });
  });
  it('leaves ordinary text alone', () => {
    expect(redactSecrets('volume db-data-2 added to daily-7d')).toBe('volume db-data-2 added to daily-7d');
  });
});

describe('tokenize', () => {
  it('keeps track of words that start with a quote', () => {
    expect(tokenize('a "b c" --x="d e"')).toEqual({
      ok: true,
      value: [
        { text: 'a', quoted: false },
        { text: 'b c', quoted: true },
        { text: '--x=d e', quoted: false },
      ],
    });
  });
});

describe('buildSummary', () => {
  const A = 'aaaaaaaa-0000-4000-8000-000000000001' as VolumeId;
  const B = 'aaaaaaaa-0000-4000-8000-000000000002' as VolumeId;
  const C = 'aaaaaaaa-0000-4000-8000-000000000003' as VolumeId;
  const volumes = [A, B, C].map((id, i) => ({
    id,
    name: `v${i}`,
    status: 'in-use',
    availabilityZone: 'eu-de-02',
    sizeGb: 10,
    serverId: undefined,
  }));

  it('names volumes, keeps cloud codes, adds hints and says when the cloud gave no reason', () => {
    const summary = buildSummary(
      { volumes, moves: [] },
      {
        added: [{ volumeId: A, availabilityZone: 'eu-de-01', pod: 'pod01.eu-de-01' }],
        failed: [
          { volumeId: B, code: 'AutoBackup.0206', message: 'The status of the disk to be associated is invalid.' },
          { volumeId: C, code: undefined, message: undefined },
        ],
        startedAt: 1000,
        finishedAt: 3500,
      },
    );
    expect(summary.state).toBe('partially_failed');
    expect(summary.durationMs).toBe(2500);
    expect(summary.added).toEqual([
      expect.objectContaining({ name: 'v0', availabilityZone: 'eu-de-01', pod: 'pod01.eu-de-01' }),
    ]);
    expect(summary.failed[0]).toMatchObject({
      name: 'v1',
      code: 'AutoBackup.0206',
      hint: expect.stringMatching(/error or transfer state/),
    });
    expect(summary.failed[1]).toMatchObject({
      name: 'v2',
      code: undefined,
      message: 'no reason given by the cloud',
      hint: undefined,
    });
  });
});
