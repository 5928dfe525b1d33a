import { cancel, checkDecision, decide } from '../../src/flow/approvals';
import { suggestPolicies } from '../../src/flow/form-suggestions';
import { exportRequests, requestHistory } from '../../src/flow/history';
import { homeContent } from '../../src/flow/home';
import { openForm, previewForm, submitForm } from '../../src/flow/request-form';
import { RequestLimiter } from '../../src/flow/request-limiter';
import { rateLimitText } from '../../src/slack/blocks/admission-text';
import type { FlowFixture } from '../support/flow-fixture';
import { actor, auditKinds, typeCommand, useFlowFixture, waitingForApproval } from '../support/flow-fixture';
import { ALICE, BOB, DAILY_7D, DAVE, DB_DATA_1, FLOW_CONFIG_YAML, INCIDENT } from '../support/flow-world';
import { openDraft, selection } from '../support/form-draft';
import { nthRequestId } from '../support/sequential-ids';
import { SECOND, TestClock } from '../support/test-clock';

/** The flow tests' rules file with the default limit, ten requests a minute, spelt out. */
const TEN_A_MINUTE = FLOW_CONFIG_YAML.replace(
  / {2}max_volumes_per_request: 5\n( {2}requests_per_user_per_minute: \d+\n)?/,
  '  max_volumes_per_request: 5\n  requests_per_user_per_minute: 10\n',
);

describe('RequestLimiter', () => {
  it('lets ten requests through in a minute, refuses the eleventh, and says when the oldest leaves the window', () => {
    const clock = new TestClock();
    const limiter = new RequestLimiter(clock, 10);
    expect(limiter.take('alice')).toBeUndefined();
    clock.advance(20 * SECOND);
    for (let i = 0; i < 9; i += 1) expect(limiter.take('alice')).toBeUndefined();
    expect(limiter.take('alice')).toEqual({ limit: 10, retryInMs: 40 * SECOND });
    expect(limiter.take('bob')).toBeUndefined();
  });

  it('does not count a refused request, and lets the next one through once the oldest is a minute old', () => {
    const clock = new TestClock();
    const limiter = new RequestLimiter(clock, 2);
    limiter.take('alice');
    clock.advance(30 * SECOND);
    limiter.take('alice');
    for (let i = 0; i < 5; i += 1) expect(limiter.take('alice')).toEqual({ limit: 2, retryInMs: 30 * SECOND });
    clock.advance(30 * SECOND - 1);
    expect(limiter.take('alice')).toEqual({ limit: 2, retryInMs: 1 });
    clock.advance(1);
    expect(limiter.take('alice')).toBeUndefined();
    expect(limiter.take('alice')).toEqual({ limit: 2, retryInMs: 30 * SECOND });
  });

  it('checks without counting', () => {
    const limiter = new RequestLimiter(new TestClock(), 1);
    expect(limiter.check('alice')).toBeUndefined();
    expect(limiter.check('alice')).toBeUndefined();
    limiter.take('alice');
    expect(limiter.check('alice')).toEqual({ limit: 1, retryInMs: 60 * SECOND });
  });
});

describe('the per-person limit, at every entry point', () => {
  const fixture = useFlowFixture({ yaml: TEN_A_MINUTE });

  /** Alice's eleventh request of the minute: ten status look-ups first, the first of them 20 s ago. */
  async function spendTheMinute(f: FlowFixture): Promise<void> {
    await requestHistory(f.deps, actor(ALICE), nthRequestId(1));
    f.clock.advance(20 * SECOND);
    for (let i = 0; i < 9; i += 1) await requestHistory(f.deps, actor(ALICE), nthRequestId(1));
  }

  const limited = { why: 'rate_limited', rate: { limit: 10, retryInMs: 40 * SECOND } };

  it('runs on a rules file that spells the limit out (the replacement hits)', () => {
    expect(TEN_A_MINUTE).toContain('requests_per_user_per_minute: 10');
  });

  it('answers the eleventh request of a minute with how long to wait, in a sentence', async () => {
    const f = fixture();
    await spendTheMinute(f);
    const result = await requestHistory(f.deps, actor(ALICE), nthRequestId(1));
    expect(result).toEqual({ ok: false, ...limited });
    expect(result.ok || (result.why === 'rate_limited' && rateLimitText(result.rate))).toBe(
      'You have made 10 requests in the last minute; try again in 40 s.',
    );
  });

  it('refuses every counted entry point once the person is at the limit, and nobody else', async () => {
    const f = fixture();
    const waiting = await waitingForApproval(f, DAVE);
    const draft = await openDraft(f, ALICE);
    f.clock.advance(61 * SECOND);
    await spendTheMinute(f);
    const alice = actor(ALICE);
    expect(await typeCommand(f, ALICE, 'daily-7d db-data-1')).toEqual({ kind: 'rate_limited', rate: limited.rate });
    expect(await exportRequests(f.deps, alice, 7)).toEqual({ ok: false, ...limited });
    expect(await homeContent(f.deps, alice)).toEqual({ ok: false, ...limited });
    expect(await openForm(f.deps, alice, INCIDENT)).toEqual({ ok: false, ...limited });
    expect(await checkDecision(f.deps, waiting.id, alice, 'approve')).toEqual({ ok: false, refusal: limited });
    expect(await decide(f.deps, waiting.id, alice, 'approve', undefined)).toEqual({ ok: false, refusal: limited });
    expect(await cancel(f.deps, waiting.id, alice)).toEqual({ ok: false, refusal: limited });
    const picked = selection({ policyId: DAILY_7D, volumeIds: [DB_DATA_1] });
    expect(await submitForm(f.deps, alice, draft, picked)).toMatchObject({
      outcome: { kind: 'rate_limited', rate: limited.rate },
    });
    // An open form's redraws and type-ahead count nothing, but give nothing while the person is at the limit.
    expect(await previewForm(f.deps, alice, draft, picked)).toBeUndefined();
    expect(await suggestPolicies(f.deps, { actor: alice, draftId: draft, projectName: 'prod', query: '' })).toEqual([]);
    // Nothing was written for the refusals: an abuser cannot fill the audit trail either.
    expect(await auditKinds(f, waiting.id)).not.toContain('refused');
    expect((await checkDecision(f.deps, waiting.id, actor(BOB), 'approve')).ok).toBe(true);
  });

  it('lets an open form’s redraws and type-ahead through without counting them', async () => {
    const f = fixture();
    const draft = await openDraft(f, ALICE);
    const picked = selection({ policyId: DAILY_7D, volumeIds: [DB_DATA_1] });
    for (let i = 0; i < 30; i += 1) {
      expect(await previewForm(f.deps, actor(ALICE), draft, picked)).toBeDefined();
      expect(
        await suggestPolicies(f.deps, { actor: actor(ALICE), draftId: draft, projectName: 'prod', query: '' }),
      ).not.toEqual([]);
    }
    expect((await submitForm(f.deps, actor(ALICE), draft, picked))?.outcome.kind).toBe('accepted');
  });
});

describe('group look-ups for status and audit', () => {
  const fixture = useFlowFixture();

  it('come from the directory’s short cache, not afresh, for someone who is not an approver', async () => {
    const f = fixture();
    const request = await waitingForApproval(f, DAVE);
    f.people.calls.length = 0;
    await requestHistory(f.deps, actor(ALICE), request.id);
    await exportRequests(f.deps, actor(ALICE), 7);
    const lookUps = f.people.calls.filter((c) => c.method === 'groupsOf');
    expect(lookUps.length).toBeGreaterThan(0);
    expect(lookUps.filter((c) => 'fresh' in c && c.fresh)).toEqual([]);
  });
});
