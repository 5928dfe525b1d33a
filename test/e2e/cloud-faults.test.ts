import { DEMO_CONFIG_YAML } from '../../src/demo/demo-world';
import { waitFor } from '../../src/demo/wait';
import type { Fault } from '../../src/sandbox/faults';
import type { SandboxRoute } from '../../src/sandbox/types';
import { ALICE, DB_DATA_1, DB_DATA_2, ephemeralReplies, INCIDENT, rootMessages, text, useWorld } from './world';

/** Retries 10 ms apart, so a failure suite never waits out the real backoff. */
const QUICK_RETRY = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 };

/** One volume per call and one call at a time: a batch of two volumes is two calls in a row. */
const YAML = DEMO_CONFIG_YAML.replace(
  'sandbox: true',
  'sandbox: true\n  associate_chunk_size: 1\n  associate_concurrency: 1\n  timeouts: { connect_ms: 1000, response_ms: 1000 }',
);

interface Case {
  readonly fault: string;
  readonly inject: ReadonlyArray<readonly [SandboxRoute, Fault]>;
  readonly state: 'succeeded' | 'partially_failed' | 'failed';
  /** Calls the sandbox received for the two volumes' associate (retries included). */
  readonly calls: number;
  /** What the summary must say of the failed volumes. */
  readonly says?: string;
}

const CASES: readonly Case[] = [
  { fault: 'a burst of 503s', inject: [['vbs.associate', { status: 503, times: 2 }]], state: 'succeeded', calls: 4 },
  {
    fault: '429 with Retry-After',
    inject: [['vbs.associate', { status: 429, retryAfterSeconds: 0, times: 1 }]],
    state: 'succeeded',
    calls: 3,
  },
  {
    // undici checks its timeouts about once a second, so the 1 s timeout (long enough for a loaded
    // machine's normal calls) fires within 2 s: the answer must come later than that.
    fault: 'a call slower than the response timeout',
    inject: [['vbs.associate', { latencyMs: 2500, times: 1 }]],
    state: 'succeeded',
    calls: 3,
  },
  {
    fault: 'a reset before the answer',
    inject: [['vbs.associate', { drop: true, times: 1 }]],
    state: 'succeeded',
    calls: 3,
  },
  {
    // The token runs out between the batch's two calls: the second gets a 401, the client fetches a
    // new token and sends it again.
    fault: 'token expiry in the middle of a batch',
    inject: [
      ['vbs.associate', { latencyMs: 0, times: 1 }],
      ['vbs.associate', { status: 401, times: 1 }],
    ],
    state: 'succeeded',
    calls: 3,
  },
  {
    // The cloud did the work but its answer cannot be read: the bot cannot claim success.
    fault: 'malformed JSON in the answer',
    inject: [['vbs.associate', { malformed: true, times: 2 }]],
    state: 'failed',
    calls: 2,
    says: 'may or may not have been added',
  },
  {
    fault: '503 on every call (the cloud is down)',
    inject: [['vbs.associate', { status: 503, times: 100 }]],
    state: 'failed',
    calls: 6,
    says: 'Asking again is safe',
  },
];

/**
 * Whatever the cloud does, a request ends in exactly one terminal state, with its root message and
 * its summary each posted once and the root message showing the end.
 */
describe.each(CASES)('when the cloud answers with $fault', ({ inject, state, calls, says }) => {
  const world = useWorld({ yaml: YAML, cloudRetry: QUICK_RETRY });

  it(`ends ${state}, with one root message and one summary`, async () => {
    const w = world();
    // Only the associate call is faulted: the checks before it (policies, volumes) go through.
    for (const [route, fault] of inject) w.sandbox.faults.inject(route, fault);
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: 'associate daily-7d db-data-1 db-data-2' });
    const request = await w.latestRequest(0);
    const done = await w.settle(request.id);

    expect(done.state).toBe(state);
    expect(done.volumes.map((v) => v.id)).toEqual([DB_DATA_1, DB_DATA_2]);
    // A call the client gave up on is logged by the sandbox when it answers, maybe after the summary.
    await waitFor(`${calls} associate calls`, () =>
      w.sandbox.requests.filter((r) => r.route === 'vbs.associate').length === calls ? true : undefined,
    );
    const roots = rootMessages(w, INCIDENT);
    expect(roots).toHaveLength(1);
    expect(w.slack.state.thread(INCIDENT, roots[0]?.ts ?? '')).toHaveLength(1);
    expect(text(w, roots[0]?.blocks ?? [])).toMatch(state === 'succeeded' ? /All added/ : /failed/i);
    const summary = text(w, w.slack.state.thread(INCIDENT, roots[0]?.ts ?? '')[0]?.blocks ?? []);
    if (says !== undefined) expect(summary).toContain(says);
    const audit = await w.bot.store.audit.list(request.id);
    expect(audit.filter((e) => e.kind === 'finished')).toHaveLength(1);
    expect(audit.filter((e) => e.kind === 'cloud_call')).toHaveLength(2);
  });
});

describe('when IAM is down', () => {
  const world = useWorld({ yaml: YAML, cloudRetry: QUICK_RETRY });

  it('records nothing and tells the asker that the cloud did not answer', async () => {
    const w = world();
    w.sandbox.faults.inject('iam.tokens', { status: 503, times: 100 });
    const sent = await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: `associate daily-7d ${DB_DATA_1}`,
    });
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toContain('The cloud did not answer');
    expect(await w.bot.store.queries.listRequests({ teamId: w.workspace.teamId, since: 0, limit: 10 })).toEqual([]);
    expect(rootMessages(w, INCIDENT)).toEqual([]);
  });
});
