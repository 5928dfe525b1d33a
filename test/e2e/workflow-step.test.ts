import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { DemoWorld } from '../../src/demo/demo-world';
import { approveLatestCard, startDemoWorld } from '../../src/demo/demo-world';
import type { ProtectStepFields, SlackDriver } from '../../src/demo/slack-driver';
import { functionExecutedEvent } from '../../src/demo/slack-payloads';
import type { StandInStepRun } from '../../src/demo/slack-stand-in/steps';
import { waitFor } from '../../src/demo/wait';
import type { BackupRequest } from '../../src/domain/backup-request';
import type { SocketModeStandIn } from '../helpers/socket-mode-stand-in';
import {
  ALICE,
  BOB,
  CAROL,
  DAILY_7D,
  DAVE,
  DB_DATA_1,
  DB_DATA_2,
  GENERAL,
  INCIDENT,
  PROJECT,
  STORES,
  associateCalls,
  rootMessages,
  text,
  useWorld,
  startSocketWorld,
  stopSocketWorld,
} from './world';

/** DAVE is in no group and #general is no incident channel: rule others-need-approval. */
const NEEDS_APPROVAL: ProtectStepFields = { policy: 'weekly-4w', volumes: 'db-log-2', reason: 'weekly copy' };

const manifest = parse(readFileSync(join(__dirname, '..', '..', 'manifest.yml'), 'utf8')) as {
  functions: { protect_volumes: { output_parameters: Record<string, { type: string; is_required: boolean }> } };
};

/** Someone runs a workflow with the step; returns the run and the request it recorded. */
async function runStep(
  w: DemoWorld,
  userId: string,
  channelId: string,
  fields: ProtectStepFields,
  driver: SlackDriver = w.driver,
): Promise<{ run: StandInStepRun; request: BackupRequest }> {
  const started = w.clock.now();
  const sent = await driver.functionExecuted({ userId, channelId, fields });
  expect(sent.status).toBe(200);
  return { run: sent.run, request: await w.latestRequest(started) };
}

/** How Slack saw the run end, once it has. */
function ended(w: DemoWorld, run: StandInStepRun) {
  return waitFor(
    `the step ${run.executionId} to be completed`,
    () => w.slack.state.steps.runs.get(run.executionId)?.ended,
  );
}

/** Outputs as Slack would check them against the manifest: declared keys only, the required ones there, of their type. */
function expectDeclaredOutputs(outputs: Record<string, unknown>): void {
  const declared = manifest.functions.protect_volumes.output_parameters;
  for (const key of Object.keys(outputs)) expect(Object.keys(declared)).toContain(key);
  for (const [key, p] of Object.entries(declared)) {
    if (p.is_required) expect(outputs).toHaveProperty(key);
    if (outputs[key] !== undefined) expect(typeof outputs[key]).toBe(p.type === 'integer' ? 'number' : 'string');
  }
}

/** BOB approves the card through `driver`, as the demo does: the button, then the modal. */
const approve = (w: DemoWorld, requestId: string, driver?: SlackDriver): Promise<void> =>
  approveLatestCard(w, requestId, { userId: BOB, comment: 'ok', ...(driver && { driver }) });

describe.each(STORES)('the Protect volumes workflow step, end to end on %s', (store) => {
  const world = useWorld({}, store);

  it('runs an allowed request like a typed one and completes the step with its outputs', async () => {
    const w = world();
    const { run, request } = await runStep(w, ALICE, INCIDENT, {
      policy: 'daily-7d',
      volumes: `${DB_DATA_1}, db-data-2`,
      reason: 'INC-4711 db disks',
    });
    const done = await w.settle(request.id);
    expect(done).toMatchObject({ state: 'succeeded', requesterId: ALICE, reason: 'INC-4711 db disks' });
    const [root, ...others] = rootMessages(w, INCIDENT);
    expect(others).toEqual([]);
    expect(text(w, root!.blocks)).toContain(
      '@alice asks to add 2 volumes to backup policy `daily-7d` in project `prod`.',
    );
    expect(text(w, w.slack.state.thread(INCIDENT, root!.ts)[0]!.blocks)).toContain('All 2 volumes added');
    expect(w.sandbox.state.policyOfVolume(PROJECT, DB_DATA_2)).toBe(DAILY_7D);

    const end = await ended(w, run);
    expect(end).toEqual({
      kind: 'success',
      outputs: { request_id: request.id, state: 'succeeded', added_count: 2, failed_count: 0, thread_ts: root!.ts },
    });
    expectDeclaredOutputs(end.kind === 'success' ? end.outputs : {});
    expect(w.slack.state.steps.completions).toHaveLength(1);
    expect(associateCalls(w)).toBe(1);
    // The token is a secret: used, then forgotten; never logged, never audited.
    expect((await w.bot.store.requests.get(request.id))?.workflowStep).toEqual({
      executionId: run.executionId,
      token: undefined,
    });
    expect(w.logger.lines.join('\n')).not.toContain(run.token);
    expect(JSON.stringify(await w.bot.store.audit.list(request.id))).not.toContain(run.token);
  });

  it('fails the step with the sentence the command would answer when the rules deny, and records nothing', async () => {
    const w = world();
    const sent = await w.driver.functionExecuted({
      userId: CAROL,
      channelId: INCIDENT,
      fields: { policy: 'daily-7d', volumes: 'db-data-2' },
    });
    expect(sent.status).toBe(200);
    expect(await ended(w, sent.run)).toEqual({
      kind: 'error',
      error:
        'No rule allows this request (guest accounts only match rules that name their user id). Nothing was changed.',
    });
    expect(await w.bot.store.queries.listRequests({ teamId: w.workspace.teamId, since: 0, limit: 5 })).toEqual([]);
    expect(w.slack.state.messages).toEqual([]);
    expect(associateCalls(w)).toBe(0);
  });

  it('fails the step with the problem when a volume is unknown', async () => {
    const w = world();
    const sent = await w.driver.functionExecuted({
      userId: ALICE,
      channelId: INCIDENT,
      fields: { policy: 'daily-7d', volumes: 'db-data-2 no-such-disk' },
    });
    expect(await ended(w, sent.run)).toEqual({
      kind: 'error',
      error: expect.stringMatching(/^No volume is named no-such-disk in this project\..* Nothing was changed\.$/),
    });
  });

  it('completes the step only once an approver has approved and the request has run', async () => {
    const w = world();
    const { run, request } = await runStep(w, DAVE, GENERAL, NEEDS_APPROVAL);
    expect((await w.settle(request.id, 10_000, { finalOrWaiting: true })).state).toBe('pending_approval');
    expect(w.slack.state.steps.runs.get(run.executionId)?.ended).toBeUndefined();
    await approve(w, request.id);
    const done = await w.settle(request.id);
    expect(done.state).toBe('succeeded');
    expect(await ended(w, run)).toEqual({
      kind: 'success',
      outputs: expect.objectContaining({ request_id: request.id, state: 'succeeded', added_count: 1 }),
    });
  });

  it('when Slack no longer takes the step’s token: records it, says so in the thread, and the request is intact', async () => {
    const w = world();
    const { run, request } = await runStep(w, DAVE, GENERAL, NEEDS_APPROVAL);
    await w.settle(request.id, 10_000, { finalOrWaiting: true });
    // The approval outlived the step: Slack has let its token lapse.
    w.slack.state.steps.revoke(run.executionId, 'token_expired');
    await approve(w, request.id);
    const done = await w.settle(request.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.added).toHaveLength(1);
    await waitFor('the thread note', async () =>
      (await w.bot.store.outbox.listOpen(request.id)).length === 0 &&
      rootMessages(w, GENERAL)[0] !== undefined &&
      w.slack.state.thread(GENERAL, rootMessages(w, GENERAL)[0]!.ts).some((m) => m.text.includes('could not be told'))
        ? true
        : undefined,
    );
    const thread = w.slack.state.thread(GENERAL, rootMessages(w, GENERAL)[0]!.ts);
    expect(text(w, thread.at(-1)!.blocks)).toContain(
      `could not be told how it ended: Slack no longer accepts the step's token`,
    );
    expect(text(w, thread.at(-1)!.blocks)).toContain('The request itself ended: all added.');
    expect(w.slack.state.steps.runs.get(run.executionId)?.ended).toBeUndefined();
    const audit = await w.bot.store.audit.list(request.id);
    expect(audit.filter((e) => e.kind === 'message_failed').map((e) => e.detail)).toEqual([
      {
        kind: 'step.complete',
        attempts: 1,
        error: "Slack no longer accepts the workflow step's token (token_expired)",
      },
    ]);
    expect((await w.bot.store.requests.get(request.id))?.workflowStep?.token).toBeUndefined();
  });

  it('fails a step whose inputs Slack did not fill in, without a look at the cloud', async () => {
    const w = world();
    const run = w.slack.state.steps.start();
    const event = functionExecutedEvent(run, {
      userId: ALICE,
      channelId: INCIDENT,
      fields: { policy: 'daily-7d', volumes: 'db-data-2' },
    });
    const sent = await w.driver.event({ ...event, inputs: { channel: INCIDENT, policy: 'daily-7d', volumes: 'x' } });
    expect(sent.status).toBe(200);
    expect(await ended(w, run)).toEqual({
      kind: 'error',
      error:
        'The step needs the person who runs the workflow, the channel for the record, a policy or vault, and the volumes. Nothing was changed.',
    });
    expect(w.sandbox.requests).toEqual([]);
  });

  it('makes one request of a run Slack delivers twice', async () => {
    const w = world();
    const { run, request } = await runStep(w, ALICE, INCIDENT, { policy: 'daily-7d', volumes: 'db-data-2' });
    const again = await w.driver.functionExecuted({
      userId: ALICE,
      channelId: INCIDENT,
      fields: { policy: 'daily-7d', volumes: 'db-data-2' },
      run,
      retryNum: 1,
    });
    expect(again.status).toBe(200);
    await w.settle(request.id);
    await ended(w, run);
    expect(await w.bot.store.queries.listRequests({ teamId: w.workspace.teamId, since: 0, limit: 5 })).toHaveLength(1);
    expect(w.slack.state.steps.completions).toHaveLength(1);
    expect(associateCalls(w)).toBe(1);
  });
});

describe('the workflow step when the cloud does not answer', () => {
  const world = useWorld({ cloudRetry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 } });

  it('fails the step with the sentence a person would read, and records nothing', async () => {
    const w = world();
    w.sandbox.faults.inject('iam.tokens', { status: 503, times: 100 });
    const sent = await w.driver.functionExecuted({
      userId: ALICE,
      channelId: INCIDENT,
      fields: { policy: 'daily-7d', volumes: DB_DATA_1 },
    });
    expect(await ended(w, sent.run)).toEqual({
      kind: 'error',
      error: expect.stringContaining('The cloud did not answer'),
    });
    expect(await w.bot.store.queries.listRequests({ teamId: w.workspace.teamId, since: 0, limit: 5 })).toEqual([]);
    expect(w.slack.state.messages).toEqual([]);
  });
});

describe('the workflow step across replicas', () => {
  let world: DemoWorld | undefined;
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });

  it('is completed by the replica that approves it, from the record the other one made', async () => {
    world = await startDemoWorld({ replicas: 2 });
    const w = world;
    const [first, second] = w.drivers;
    const { run, request } = await runStep(w, DAVE, GENERAL, NEEDS_APPROVAL, first);
    await w.settle(request.id, 10_000, { finalOrWaiting: true });
    await approve(w, request.id, second);
    expect(await ended(w, run)).toMatchObject({ kind: 'success', outputs: { request_id: request.id } });
    const started = (await w.bot.store.audit.list(request.id)).find((e) => e.kind === 'started');
    expect(started?.detail).toEqual({ runner: 'replica-2' });
  });

  it('retries a completion Slack could not take from the outbox, on whichever replica is free', async () => {
    world = await startDemoWorld({ replicas: 2 });
    const w = world;
    w.slack.failNext('functions.completeSuccess', { status: 503 });
    const { run, request } = await runStep(w, ALICE, INCIDENT, { policy: 'daily-7d', volumes: 'db-data-2' });
    expect(await ended(w, run)).toMatchObject({ kind: 'success', outputs: { request_id: request.id } });
    expect(w.slack.state.callsOf('functions.completeSuccess')).toHaveLength(2);
    expect(w.slack.state.steps.completions).toHaveLength(1);
  });
});

describe('the workflow step in Socket Mode', () => {
  let socket: SocketModeStandIn;
  let world: DemoWorld;

  beforeEach(async () => {
    ({ socket, world } = await startSocketWorld());
  });
  afterEach(() => stopSocketWorld({ socket, world }));

  it('acks the function_executed envelope and completes the step as in HTTP mode', async () => {
    const run = world.slack.state.steps.start();
    socket.send({
      envelope_id: 'env-step-1',
      type: 'events_api',
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: '',
      payload: {
        token: 'x',
        team_id: world.workspace.teamId,
        api_app_id: 'A0BACKUPBOT',
        type: 'event_callback',
        event_id: 'Ev0STEP1',
        event_time: Math.floor(Date.now() / 1000),
        event: {
          ...functionExecutedEvent(run, {
            userId: ALICE,
            channelId: INCIDENT,
            fields: { policy: 'daily-7d', volumes: DB_DATA_1, reason: 'via socket' },
          }),
          event_ts: String(Date.now() / 1000),
        },
      },
    });
    await waitFor('the envelope ack', () => socket.acks.find((a) => a.envelope_id === 'env-step-1'));
    const end = await waitFor(
      'the step to be completed',
      () => world.slack.state.steps.runs.get(run.executionId)?.ended,
    );
    expect(end).toMatchObject({ kind: 'success', outputs: { state: 'succeeded', added_count: 1 } });
    const [root] = rootMessages(world, INCIDENT);
    expect(text(world, root!.blocks)).toContain('Reason: via socket');
  });
});
