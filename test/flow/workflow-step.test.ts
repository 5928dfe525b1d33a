import type { BackupRequest } from '../../src/domain/backup-request';
import type { StepInputs } from '../../src/domain/step-command';
import { cancel, decide, expireDue } from '../../src/flow/approvals';
import type { StepOutcome } from '../../src/flow/workflow-step';
import { submitStepRequest } from '../../src/flow/workflow-step';
import type { FlowFixture } from '../support/flow-fixture';
import { actor, auditKinds, channel, stored, useFlowFixture } from '../support/flow-fixture';
import {
  ALICE,
  BOB,
  DAVE,
  DB_DATA_1,
  DB_DATA_2,
  DB_LOG,
  GENERAL,
  GUEST,
  INCIDENT,
  NO_BOT,
  OTHER_TEAM,
  STRANGER,
  TEAM,
} from '../support/flow-world';
import { HOUR, SECOND } from '../support/test-clock';

const TOKEN = 'xwfp-2335208212870-2354592155553-5925491402867-c2a66a8fb377';

let runs = 0;

/** A run of the "Protect volumes" step by `userId`, with the fields a workflow's author filled in. */
function runStep(
  f: FlowFixture,
  userId: string,
  fields: Partial<StepInputs> = {},
  options: { executionId?: string; channelId?: string; teamId?: string } = {},
): Promise<StepOutcome> {
  runs += 1;
  return submitStepRequest(
    f.deps,
    actor(userId, options.teamId),
    channel(options.channelId ?? INCIDENT),
    { policy: 'daily-7d', volumes: 'db-data-1', server: undefined, project: undefined, reason: undefined, ...fields },
    { functionExecutionId: options.executionId ?? `Fx0RUN${runs}`, token: TOKEN },
  );
}

function accepted(outcome: StepOutcome): BackupRequest {
  if (outcome.kind !== 'accepted') throw new Error(`expected the step's request to be accepted, got ${outcome.kind}`);
  return outcome.request;
}

const allRequests = (f: FlowFixture) => f.store.queries.listRequests({ teamId: TEAM, since: 0, limit: 100 });

describe('submitStepRequest: the Protect volumes workflow step', () => {
  const fixture = useFlowFixture();

  it('records the request as the person who ran the workflow, and tells the step last, once it has run', async () => {
    const f = fixture();
    const request = accepted(
      await runStep(f, ALICE, { volumes: 'db-data-1, db-data-2', reason: 'INC-4711' }, { executionId: 'Fx0ABC' }),
    );
    expect(request).toMatchObject({
      requesterId: ALICE,
      channel: { id: INCIDENT, name: 'inc-4711' },
      target: { name: 'daily-7d' },
      volumes: [{ id: DB_DATA_1 }, { id: DB_DATA_2 }],
      reason: 'INC-4711',
      state: 'allowed',
      workflowStep: { executionId: 'Fx0ABC', token: TOKEN },
    });
    await f.deps.work.idle();
    expect(f.deliverer.deliveries.map((d) => [d.kind, d.state])).toEqual([
      ['root.post', 'allowed'],
      ['thread.summary', 'succeeded'],
      ['root.update', 'succeeded'],
      ['step.complete', 'succeeded'],
    ]);
    // Told: the secret is kept no longer.
    expect((await stored(f, request.id)).workflowStep).toStrictEqual({ executionId: 'Fx0ABC', token: undefined });
  });

  it('keeps the step’s token out of the audit trail and the log, and names the run instead', async () => {
    const f = fixture();
    const request = accepted(await runStep(f, ALICE, {}, { executionId: 'Fx0AUDIT' }));
    await f.deps.work.idle();
    const audit = await f.store.audit.list(request.id);
    expect(audit[0]).toMatchObject({ kind: 'received', actor: ALICE, detail: { workflowStep: 'Fx0AUDIT' } });
    expect(JSON.stringify(audit)).not.toContain(TOKEN);
    expect(f.logger.lines.join('\n')).not.toContain(TOKEN);
    expect(f.logger.lines.some((l) => l.includes('workflow step handled') && l.includes('Fx0AUDIT'))).toBe(true);
  });

  it('reads the step’s fields as the command reads them: a server’s volumes, a project, duplicates noted', async () => {
    const f = fixture();
    const outcome = await runStep(f, ALICE, { volumes: 'db-data-1 db-data-1', server: 'db-01', project: 'prod' });
    expect(outcome).toMatchObject({
      kind: 'accepted',
      request: { volumes: [{ id: DB_DATA_1 }, { id: DB_DATA_2 }], project: { name: 'prod' } },
      notes: expect.arrayContaining(['Named more than once, counted once: db-data-1.']),
    });
    expect(accepted(outcome).volumes.map((v) => v.id)).not.toContain(DB_LOG);
  });

  it.each([
    ['invalid', 'an unknown volume', ALICE, { volumes: 'nonexistent' }, INCIDENT],
    ['invalid', 'a dry run', ALICE, { volumes: 'db-data-1 --dry-run' }, INCIDENT],
    ['invalid', 'a volume in an error state', ALICE, { volumes: 'broken-disk' }, INCIDENT],
    ['cannot_post', 'a channel the bot is not in', ALICE, {}, NO_BOT],
    ['unknown_user', 'a person Slack does not know', STRANGER, {}, INCIDENT],
    ['denied', 'a guest no rule names', GUEST, {}, INCIDENT],
    ['denied', 'a policy the rules deny', ALICE, { policy: 'legacy-tape' }, INCIDENT],
    ['invalid', 'a person not in the workflow’s channel', DAVE, {}, GENERAL],
  ])('answers %s for %s, records nothing and tells nobody', async (kind, _what, userId, fields, channelId) => {
    const f = fixture();
    expect((await runStep(f, userId, fields, { channelId })).kind).toBe(kind);
    await f.deps.work.idle();
    expect(await allRequests(f)).toEqual([]);
    expect(f.deliverer.deliveries).toEqual([]);
    expect(f.cloud.count('associate')).toBe(0);
  });

  it('takes the workflow’s channel only from a person in it: a channel rule is not theirs to borrow', async () => {
    const f = fixture();
    // DAVE is in #inc-4711, not in #general: the step's channel is the workflow's field, not where he typed.
    expect(await runStep(f, DAVE, {}, { channelId: GENERAL })).toEqual({
      kind: 'invalid',
      problems: [
        {
          field: 'channel',
          text: 'You are not in the channel this workflow records its request in: join it, or ask the workflow’s owner to pick one you are in.',
        },
      ],
    });
    expect(f.people.calls).toContainEqual({ method: 'isMember', channelId: GENERAL, userId: DAVE });
    expect(f.cloud.calls).toEqual([]);
    // In it, the same person's run is checked by the rules as usual.
    expect((await runStep(f, DAVE, {}, { channelId: INCIDENT })).kind).toBe('accepted');
    // Slack cannot tell: no guess either way.
    f.people.unknown.add('membership');
    expect(await runStep(f, ALICE, {}, { channelId: GENERAL })).toMatchObject({
      kind: 'invalid',
      problems: [{ field: 'channel', text: expect.stringContaining('could not tell me whether you are in') }],
    });
    expect(await allRequests(f)).toHaveLength(1);
  });

  it('refuses a workspace the bot does not serve before reading the cloud', async () => {
    const f = fixture();
    expect(await runStep(f, ALICE, {}, { teamId: OTHER_TEAM })).toMatchObject({
      kind: 'denied',
      decision: { decidedBy: 'slack.allowed_team_ids' },
    });
    expect(f.cloud.calls).toEqual([]);
  });

  it('finds the first request when Slack delivers the same run twice, and calls the cloud once', async () => {
    const f = fixture();
    const [first, second] = await Promise.all([
      runStep(f, ALICE, {}, { executionId: 'Fx0TWICE' }),
      runStep(f, ALICE, {}, { executionId: 'Fx0TWICE' }),
    ]);
    expect([first.kind, second.kind].sort()).toEqual(['accepted', 'duplicate']);
    await f.deps.work.idle();
    // A day later too: the execution id is never reused.
    f.clock.advance(23 * HOUR);
    expect((await runStep(f, ALICE, {}, { executionId: 'Fx0TWICE' })).kind).toBe('duplicate');
    expect(f.cloud.count('associate')).toBe(1);
    expect(f.deliverer.kinds().filter((k) => k === 'step.complete')).toHaveLength(1);
  });

  it('makes two requests of two runs with the same fields (no double-submit window between runs)', async () => {
    const f = fixture();
    expect((await runStep(f, ALICE)).kind).toBe('accepted');
    expect((await runStep(f, ALICE)).kind).toBe('accepted');
  });
});

describe('a step’s request that needs approval', () => {
  const fixture = useFlowFixture();

  async function waiting(f: FlowFixture): Promise<BackupRequest> {
    const request = accepted(await runStep(f, DAVE));
    await f.deps.work.idle();
    expect(f.deliverer.kinds(request.id)).toEqual(['root.post', 'thread.note:waiting', 'card.post']);
    return request;
  }

  it('tells the step once the approved request has run', async () => {
    const f = fixture();
    const request = await waiting(f);
    await decide(f.deps, request.id, actor(BOB), 'approve', 'ok');
    await f.deps.work.idle();
    expect(f.deliverer.kinds(request.id).slice(3)).toEqual([
      'card.update',
      'thread.note:decision',
      'root.update',
      'thread.summary',
      'root.update',
      'card.update',
      'step.complete',
    ]);
    expect(f.deliverer.deliveries.at(-1)).toMatchObject({ kind: 'step.complete', state: 'succeeded' });
  });

  it.each([
    [
      'an approver denies it',
      (f: FlowFixture, r: BackupRequest) => decide(f.deps, r.id, actor(BOB), 'deny', 'no'),
      'decision',
    ],
    ['the requester cancels it', (f: FlowFixture, r: BackupRequest) => cancel(f.deps, r.id, actor(DAVE)), 'cancelled'],
    [
      'it expires',
      (f: FlowFixture) => {
        f.clock.advance(4 * HOUR);
        return expireDue(f.deps);
      },
      'expired',
    ],
  ])('tells the step at once when %s, and runs nothing', async (_what, close, note) => {
    const f = fixture();
    const request = await waiting(f);
    await close(f, request);
    await f.deps.work.idle();
    expect(f.deliverer.kinds(request.id).slice(3)).toEqual([
      'card.update',
      `thread.note:${note}`,
      'root.update',
      'step.complete',
    ]);
    expect(f.cloud.count('associate')).toBe(0);
    expect((await stored(f, request.id)).workflowStep?.token).toBeUndefined();
  });
});

describe('telling the step through the outbox', () => {
  const fixture = useFlowFixture();

  it('when Slack no longer takes the token: gives up at once, forgets it, says so in the thread; the request stands', async () => {
    const f = fixture();
    f.deliverer.failWith = (kind) =>
      kind === 'step.complete'
        ? {
            ok: false,
            retryable: false,
            stepUnreachable: true,
            error: "Slack no longer accepts the workflow step's token (token_revoked)",
          }
        : undefined;
    const request = accepted(await runStep(f, ALICE));
    await f.deps.work.idle();
    expect(f.deliverer.kinds(request.id)).toEqual([
      'root.post',
      'thread.summary',
      'root.update',
      'thread.note:step_unreachable',
    ]);
    const done = await stored(f, request.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.added).toHaveLength(1);
    expect(done.workflowStep?.token).toBeUndefined();
    const failed = (await f.store.audit.list(request.id)).filter((e) => e.kind === 'message_failed');
    expect(failed).toEqual([
      expect.objectContaining({
        detail: {
          kind: 'step.complete',
          attempts: 1,
          error: "Slack no longer accepts the workflow step's token (token_revoked)",
        },
      }),
    ]);
    expect(await f.store.outbox.listOpen(request.id)).toEqual([]);
  });

  it('retries a completion Slack could not take for a while, keeping the token until it goes out', async () => {
    const f = fixture();
    let refusals = 1;
    f.deliverer.failWith = (kind) =>
      kind === 'step.complete' && refusals-- > 0 ? { ok: false, retryable: true, error: 'http_5xx' } : undefined;
    const request = accepted(await runStep(f, ALICE));
    await f.deps.work.idle();
    expect(f.deliverer.kinds(request.id)).not.toContain('step.complete');
    expect((await stored(f, request.id)).workflowStep?.token).toBe(TOKEN);
    f.clock.advance(2 * SECOND);
    await f.deps.outbox.drain();
    expect(f.deliverer.kinds(request.id).at(-1)).toBe('step.complete');
    expect((await stored(f, request.id)).workflowStep?.token).toBeUndefined();
  });

  it('audits a delivered completion like any message', async () => {
    const f = fixture();
    const request = accepted(await runStep(f, ALICE));
    await f.deps.work.idle();
    expect((await auditKinds(f, request.id)).filter((k) => k === 'message_posted')).toHaveLength(4);
  });
});
