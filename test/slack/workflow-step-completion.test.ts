import type { BackupRequest } from '../../src/domain/backup-request';
import type { RequestState } from '../../src/domain/request-state';
import { plainSentence, stepEnding, stepRefusalText } from '../../src/slack/blocks/step-text';
import { buildThreadNote } from '../../src/slack/blocks/thread-notes';
import type { SlackMessageDeliverer } from '../../src/slack/message-deliverer';
import { checkNockAfterEach, SLACK_API } from '../support/listener-app';
import { sandboxDeliverer } from '../support/sandbox-deliverer';
import { PLAIN_TEXT, sampleRequest } from '../support/sample-request';
import nock from 'nock';

const STEP = { executionId: 'Fx0ABCDEF12', token: 'xwfp-1-2-3-secret' };
const ROOT = { channel: 'C0INC4711', ts: '1767258000.000100' };

function stepRequest(overrides: Partial<BackupRequest> = {}): BackupRequest {
  return sampleRequest(PLAIN_TEXT, { workflowStep: STEP, rootMessage: ROOT, ...overrides });
}

describe('what a workflow step is told', () => {
  it('gives a finished request’s outputs: id, state, counts and the thread', () => {
    expect(stepEnding(stepRequest())).toEqual({
      kind: 'success',
      outputs: {
        request_id: 'r-abcdefgh',
        state: 'partially_failed',
        added_count: 1,
        failed_count: 1,
        thread_ts: ROOT.ts,
      },
    });
    expect(stepEnding(stepRequest({ rootMessage: undefined }))).toEqual({
      kind: 'success',
      outputs: expect.not.objectContaining({ thread_ts: expect.anything() }),
    });
  });

  it.each<[RequestState, RegExp]>([
    ['denied', /^Request r-abcdefgh was denied by an approver: looks fine\. Nothing was changed\.$/],
    ['expired', /^Request r-abcdefgh expired at 01:00 UTC: nobody decided in time\. Nothing was changed\.$/],
    ['cancelled', /^Request r-abcdefgh was cancelled by the person who asked\. Nothing was changed\.$/],
  ])('fails the step of a %s request with one plain sentence', (state, sentence) => {
    expect(stepEnding(stepRequest({ state }))).toEqual({ kind: 'error', error: expect.stringMatching(sentence) });
  });

  it.each<RequestState>(['pending_approval', 'approved', 'allowed', 'running'])(
    'tells nothing while the request is %s',
    (state) => {
      expect(stepEnding(stepRequest({ state }))).toBeUndefined();
    },
  );

  it('words a refusal as the typed command does, without code spans and with nothing Slack acts on', () => {
    expect(
      stepRefusalText({
        kind: 'invalid',
        problems: [{ field: 'volumes', text: 'No volume is named `<!channel>` in this project.' }],
      }),
    ).toBe('No volume is named &lt;!channel&gt; in this project. Nothing was changed.');
    expect(
      stepRefusalText({
        kind: 'denied',
        decision: { verdict: 'deny', decidedBy: 'no-tape', reason: 'denied by rule no-tape: policy legacy-tape' },
        checked: undefined,
      }),
    ).toBe('Denied by rule no-tape: policy legacy-tape. Nothing was changed.');
    expect(stepRefusalText({ kind: 'cannot_post', why: 'not_in_channel' })).toMatch(
      /^I cannot post in this channel.*\/invite @OTC Backup/,
    );
    expect(stepRefusalText({ kind: 'unknown_user' })).toMatch(/^Slack could not tell me who you are/);
    expect(stepRefusalText({ kind: 'rate_limited', rate: { limit: 10, retryInMs: 40_000 } })).toBe(
      'You have made 10 requests in the last minute; try again in 40 s. Nothing was changed.',
    );
    expect(stepRefusalText({ kind: 'duplicate', existing: stepRequest() })).toBeUndefined();
  });

  it('keeps a step’s error to one bounded line of visible text', () => {
    expect(plainSentence('a\u202e b\n\n`c`')).toBe('a b c');
    expect(Array.from(plainSentence('x'.repeat(5000)))).toHaveLength(1000);
  });

  it('tells the thread when the step could not be told', () => {
    const note = buildThreadNote('step_unreachable', stepRequest());
    expect(note.text).toContain('could not be told how it ended: Slack no longer accepts the step');
    expect(JSON.stringify(note.blocks)).toContain('The request itself ended: *partly failed*');
  });
});

describe('the deliverer tells the step with its own token', () => {
  checkNockAfterEach();

  // A sandbox bot's deliverer too: only messages are marked, a step's completion goes through as it is.
  const deliverer = (): SlackMessageDeliverer => sandboxDeliverer('xoxb-bot-token');

  const message = (claims = 1) => ({
    id: 7,
    requestId: stepRequest().id,
    intent: { kind: 'step.complete' } as const,
    attempts: 0,
    claims,
    nextAttemptAt: 0,
    createdAt: 0,
    lastError: undefined,
  });

  /** Expects one call of `method` answered with `answer`, and checks it carried the step's token, not the bot's. */
  function expectStepCall(method: string, answer: Record<string, unknown> = { ok: true }) {
    const bodies: Record<string, unknown>[] = [];
    const scope = nock(SLACK_API, { reqheaders: { authorization: `Bearer ${STEP.token}` } })
      .post(`/api/${method}`)
      .reply(200, (_uri, body) => {
        bodies.push(Object.fromEntries(new URLSearchParams(body as string)));
        return answer;
      });
    return { scope, bodies };
  }

  it('completes a finished request’s step with its outputs', async () => {
    const call = expectStepCall('functions.completeSuccess');
    expect(await deliverer().deliver(message(), stepRequest())).toEqual({ ok: true });
    call.scope.done();
    expect(call.bodies[0]?.['function_execution_id']).toBe(STEP.executionId);
    expect(JSON.parse(String(call.bodies[0]?.['outputs']))).toEqual({
      request_id: 'r-abcdefgh',
      state: 'partially_failed',
      added_count: 1,
      failed_count: 1,
      thread_ts: ROOT.ts,
    });
  });

  it('fails a denied request’s step with its sentence', async () => {
    const call = expectStepCall('functions.completeError');
    expect(await deliverer().deliver(message(), stepRequest({ state: 'denied' }))).toEqual({ ok: true });
    call.scope.done();
    expect(call.bodies[0]?.['error']).toBe(
      'Request r-abcdefgh was denied by an approver: looks fine. Nothing was changed.',
    );
  });

  it.each(['token_revoked', 'token_expired', 'invalid_auth', 'function_execution_not_found'])(
    'gives up at once, saying the step is out of reach, when Slack answers %s',
    async (error) => {
      const call = expectStepCall('functions.completeSuccess', { ok: false, error });
      expect(await deliverer().deliver(message(), stepRequest())).toEqual({
        ok: false,
        retryable: false,
        stepUnreachable: true,
        error: `Slack no longer accepts the workflow step's token (${error})`,
      });
      call.scope.done();
    },
  );

  it('counts a step found over as told when an earlier claim may have told it', async () => {
    const call = expectStepCall('functions.completeSuccess', { ok: false, error: 'execution_not_in_running_state' });
    expect(await deliverer().deliver(message(2), stepRequest())).toEqual({ ok: true });
    call.scope.done();
  });

  it('retries when Slack fails for a while, and gives up outputs Slack finds invalid', async () => {
    const down = nock(SLACK_API).post('/api/functions.completeSuccess').reply(503, 'unavailable');
    expect(await deliverer().deliver(message(), stepRequest())).toMatchObject({ ok: false, retryable: true });
    down.done();
    const invalid = expectStepCall('functions.completeSuccess', { ok: false, error: 'parameter_validation_failed' });
    expect(await deliverer().deliver(message(), stepRequest())).toEqual({
      ok: false,
      retryable: false,
      error: 'parameter_validation_failed',
    });
    invalid.scope.done();
  });

  it('sends nothing once the token is forgotten, for a request still open, or one no step made', async () => {
    const d = deliverer();
    expect(await d.deliver(message(), stepRequest({ workflowStep: { ...STEP, token: undefined } }))).toEqual({
      ok: true,
    });
    expect(await d.deliver(message(), stepRequest({ state: 'running' }))).toMatchObject({
      ok: false,
      retryable: false,
    });
    expect(await d.deliver(message(), sampleRequest(PLAIN_TEXT))).toMatchObject({ ok: false, retryable: false });
    // checkNockAfterEach: no call went out.
  });
});
