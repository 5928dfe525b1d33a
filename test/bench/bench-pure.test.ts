import { callSlots, chunksOf, cloudBoundMs, cloudWaves, drawnBoundMs, efficiency, medianRun } from '../../bench/bound';
import type { CloudShape } from '../../bench/bound';
import { selfTimes } from '../../bench/profile-summary';
import type { CpuProfile } from '../../bench/profile-summary';
import { signedHeaders, slackSignature, slashCommandBody } from '../../bench/slack-sign';
import { median, pairedRatio, percentile, ratio, summarize } from '../../bench/stats';
import { formatTable } from '../../bench/table';
import { hasValidSlackSignature } from '../../src/slack/slack-signature';

/** The benchmark's arithmetic and its signer: behaviour only, no timings. */

describe('percentile (nearest rank)', () => {
  it.each([
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4], 75, 3],
    [[1, 2, 3, 4], 100, 4],
    [[7], 99, 7],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10, 1],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 11, 2],
  ])('of %j at p%d is %d', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('of 100 values: p50 is the 50th, p99 the 99th', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
  });

  it('of nothing is NaN, and refuses a percentile outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('summarize, ratio, median', () => {
  it('sorts its samples first and reports count, p50, p99, max and mean', () => {
    expect(summarize([5, 1, 4, 2, 3])).toEqual({ count: 5, p50: 3, p99: 5, max: 5, mean: 3 });
  });

  it('of no samples is all NaN but the count', () => {
    const s = summarize([]);
    expect(s.count).toBe(0);
    expect([s.p50, s.p99, s.max, s.mean].every(Number.isNaN)).toBe(true);
  });

  it('divides by the base, NaN for a base that is not positive', () => {
    expect(ratio(30, 20)).toBe(1.5);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(1, Number.NaN)).toBeNaN();
  });

  it('pairedRatio is the median of each value over the base measured next to it', () => {
    // Round by round the value is 1.05x, 1.1x and 2x its base; the medians alone would say 2x (20 / 10).
    expect(pairedRatio([21, 11, 20], [20, 10, 10])).toBeCloseTo(1.1, 10);
    expect(ratio(median([21, 11, 20]), median([20, 10, 10]))).toBe(2);
  });

  it('pairedRatio leaves out pairs without a positive base, is NaN with none left, and refuses unequal lists', () => {
    expect(pairedRatio([5, 30, 12], [0, Number.NaN, 10])).toBeCloseTo(1.2, 10);
    expect(pairedRatio([5], [0])).toBeNaN();
    expect(pairedRatio([], [])).toBeNaN();
    expect(() => pairedRatio([1, 2], [1])).toThrow(RangeError);
  });

  it('median is the lower middle of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(median([3, 1, 2])).toBe(2);
  });
});

describe('the cloud bound', () => {
  const shape: CloudShape = { chunkSize: 20, concurrencyPerRequest: 2, globalConcurrency: Infinity, latencyMs: 400 };

  it('chunks a request in calls of chunkSize volumes', () => {
    expect(chunksOf(20, 20)).toBe(1);
    expect(chunksOf(21, 20)).toBe(2);
    expect(chunksOf(1000, 20)).toBe(50);
    expect(chunksOf(0, 20)).toBe(0);
  });

  it('one request of 1,000 volumes: 50 calls, 2 at a time, 25 waves of the mean latency', () => {
    expect(cloudWaves(1, 1000, shape)).toBe(25);
    expect(cloudBoundMs(1, 1000, shape)).toBe(10_000);
  });

  it('200 requests of 20 volumes with no global limit: one wave, all at once', () => {
    expect(cloudWaves(200, 20, shape)).toBe(1);
    expect(cloudBoundMs(200, 20, shape)).toBe(400);
  });

  it('a global limit on calls in flight adds waves when it is the tighter one', () => {
    const limited = { ...shape, globalConcurrency: 8 };
    expect(cloudWaves(200, 20, limited)).toBe(25);
    expect(cloudBoundMs(200, 20, limited)).toBe(10_000);
    // One big request: its own two-at-a-time waves are the tighter limit.
    expect(cloudWaves(1, 1000, limited)).toBe(25);
  });

  it('counts the calls a run can have in flight: per request, capped by the global limit', () => {
    expect(callSlots(200, 20, shape)).toBe(200); // one chunk each
    expect(callSlots(200, 41, shape)).toBe(400); // three chunks each, two at a time
    expect(callSlots(1, 1000, shape)).toBe(2);
    expect(callSlots(200, 20, { ...shape, globalConcurrency: 8 })).toBe(8);
    expect(callSlots(1, 0, shape)).toBe(1);
  });

  it('a run of many requests cannot end before its slowest call, whatever the mean', () => {
    // 200 calls at once: the slowest decides, not the mean (400).
    const many = Array.from({ length: 200 }, (_, i) => (i === 17 ? 499 : 300 + (i % 200)));
    expect(drawnBoundMs(many, 200)).toBe(499);
    // 50 calls two at a time: the sum over the two slots decides.
    const big = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 300 : 500));
    expect(drawnBoundMs(big, 2)).toBe(10_000);
    expect(drawnBoundMs([], 2)).toBe(0);
    expect(() => drawnBoundMs([100], 0)).toThrow(RangeError);
    expect(() => drawnBoundMs([-1], 1)).toThrow(RangeError);
  });

  it('takes the run of median efficiency, its time and its bound together', () => {
    // Efficiencies 0.5, 0.25, 0.4: the median is the third run.
    expect(medianRun([1000, 2000, 1250], [500, 500, 500])).toBe(2);
    // The fastest run is not the most efficient when its calls drew less.
    expect(medianRun([900, 1000, 1100], [300, 500, 500])).toBe(2);
    expect(medianRun([], [])).toBe(-1);
    expect(() => medianRun([1], [])).toThrow(RangeError);
  });

  it('refuses shapes that make no sense', () => {
    expect(() => cloudWaves(1, 10, { ...shape, chunkSize: 0 })).toThrow(RangeError);
    expect(() => cloudWaves(1, 10, { ...shape, concurrencyPerRequest: 1.5 })).toThrow(RangeError);
    expect(() => cloudWaves(1, 10, { ...shape, globalConcurrency: 0 })).toThrow(RangeError);
    expect(() => cloudBoundMs(1, 10, { ...shape, latencyMs: -1 })).toThrow(RangeError);
  });

  it('efficiency is bound over measured', () => {
    expect(efficiency(400, 500)).toBe(0.8);
    expect(efficiency(400, 0)).toBeNaN();
  });
});

describe('the payload signer', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const body = slashCommandBody({
    teamId: 'T0BENCH001',
    userId: 'U0BENCH0001',
    userName: 'operator-1',
    channelId: 'C0BENCH001',
    channelName: 'inc-bench-load',
    text: 'associate daily-7d 0f187b65-8d0e-4fc0-9096-3b55d330531e',
    responseUrl: 'http://127.0.0.1:1/response/r1',
    triggerId: '1.2.trigger',
  });

  it('signs as Slack does: the bot’s own check accepts it', () => {
    const headers = signedHeaders(secret, body, 1_700_000_000.9);
    expect(headers['x-slack-request-timestamp']).toBe('1700000000');
    expect(
      hasValidSlackSignature(
        secret,
        headers['x-slack-request-timestamp'] ?? '',
        Buffer.from(body),
        headers['x-slack-signature'] ?? '',
      ),
    ).toBe(true);
  });

  it('the bot refuses it under another secret, another timestamp or another body', () => {
    const signature = slackSignature(secret, '1700000000', body);
    expect(hasValidSlackSignature('another-secret', '1700000000', Buffer.from(body), signature)).toBe(false);
    expect(hasValidSlackSignature(secret, '1700000001', Buffer.from(body), signature)).toBe(false);
    expect(hasValidSlackSignature(secret, '1700000000', Buffer.from(`${body}x`), signature)).toBe(false);
  });

  it('builds the form body Slack sends for a slash command', () => {
    const fields = new URLSearchParams(body);
    expect(fields.get('command')).toBe('/backup');
    expect(fields.get('text')).toBe('associate daily-7d 0f187b65-8d0e-4fc0-9096-3b55d330531e');
    expect(fields.get('team_id')).toBe('T0BENCH001');
    expect(fields.get('response_url')).toBe('http://127.0.0.1:1/response/r1');
  });
});

describe('the profile summary', () => {
  it('adds self time by function and leaves idle out of the busy total', () => {
    const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 3, 4] },
        { id: 2, callFrame: frame('(idle)') },
        { id: 3, callFrame: frame('write', 'file:///repo/dist/store/sqlite-database.js', 38) },
        { id: 4, callFrame: frame('(garbage collector)') },
      ],
      samples: [2, 3, 3, 4, 2],
      timeDeltas: [1000, 2000, 2000, 1000, 5000],
    };
    const { busyMs, idleMs, rows } = selfTimes(profile);
    expect(busyMs).toBe(5);
    expect(idleMs).toBe(6);
    expect(rows).toEqual([
      { function: 'write (dist/store/sqlite-database.js:39)', selfMs: 4, percent: 80 },
      { function: '(garbage collector)', selfMs: 1, percent: 20 },
    ]);
  });
});

describe('the table', () => {
  it('prints a goal per line with its floor, the bot, the ratio and whether it is met', () => {
    const table = formatTable([
      { goal: '2', what: 'ack p50 (ms)', base: 20, value: 25, ratio: 1.25, target: '<= 1.5x', met: true },
      {
        goal: '4',
        what: 'bulk (ms)',
        base: 400,
        value: 800,
        ratio: 0.5,
        ratioLabel: 'eff',
        target: '>= 0.8',
        met: false,
      },
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^goal\s+measure\s+floor \/ base \/ bound\s+bot\s+ratio\s+target\s+met$/);
    expect(lines[2]).toMatch(/^2\s+ack p50 \(ms\)\s+20\.0\s+25\.0\s+1\.25x\s+<= 1\.5x\s+yes$/);
    expect(lines[3]).toMatch(/^4\s+bulk \(ms\)\s+400\s+800\s+0\.50 eff\s+>= 0\.8\s+NO$/);
  });
});
