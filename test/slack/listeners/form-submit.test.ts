import type { RequestId } from '../../../src/domain/ids';
import * as requestForm from '../../../src/flow/request-form';
import { VIEW_FORM } from '../../../src/slack/ids';
import { registerFormSubmit, SUBMIT_BUDGET_MS } from '../../../src/slack/listeners/form-submit';
import type { FlowFixture } from '../../support/flow-fixture';
import { stored, useFlowFixture } from '../../support/flow-fixture';
import {
  ALICE,
  DAILY_7D,
  DAVE,
  DB_DATA_1,
  EMPTY_01,
  GENERAL,
  INCIDENT,
  CRITICAL_HOURLY,
  LEGACY_TAPE,
  NO_BOT,
} from '../../support/flow-world';
import { openDraft, openShortcutDraft } from '../../support/form-draft';
import type { FormFields } from '../../support/form-view-state';
import { formValues } from '../../support/form-view-state';
import { submitView } from '../../support/interaction';
import type { ListenerApp } from '../../support/listener-app';
import { checkNockAfterEach, createListenerApp, traceFlow } from '../../support/listener-app';

const UNKNOWN_VOLUME = 'deadbeef-0000-4000-8000-000000000000';

/**
 * The form's submit answered inline, within Slack's three seconds. The listener races the flow
 * against a 2 s budget: setTimeout is faked here, so the budget never runs out unless a test says so.
 */
describe('registerFormSubmit: answers in time', () => {
  const fixture = useFlowFixture();
  checkNockAfterEach();
  let f: FlowFixture;
  let bot: ListenerApp;
  beforeEach(() => {
    jest.useFakeTimers({
      doNotFake: ['Date', 'nextTick', 'setImmediate', 'queueMicrotask', 'setInterval', 'clearInterval'],
    });
    f = fixture();
    bot = createListenerApp(f.deps, (app, deps) => registerFormSubmit(app, deps, SUBMIT_BUDGET_MS));
  });
  afterEach(() => jest.useRealTimers());

  async function submit(userId: string, draft: RequestId | string, fields: FormFields) {
    await bot.send(submitView(userId, { callbackId: VIEW_FORM, privateMetadata: draft, values: formValues(fields) }));
    expect(bot.acks).toHaveLength(1);
    return bot.acks[0] as Record<string, unknown>;
  }

  it('closes the form on a recorded request, calling submitForm once and Slack not at all', async () => {
    const draft = await openDraft(f, ALICE);
    const spy = traceFlow(requestForm, 'submitForm', bot.timeline);
    const ack = await submit(ALICE, draft, { policy: DAILY_7D, volumes: [DB_DATA_1], reason: 'INC-7' });
    expect(ack).toEqual({ response_action: 'clear' });
    expect(bot.timeline).toEqual(['submitForm', 'ack']);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(await stored(f, draft)).toMatchObject({ requesterId: ALICE, reason: 'INC-7', channel: { id: INCIDENT } });
  });

  it.each<[string, FormFields, Record<string, string>]>([
    [
      'what is missing',
      {},
      { 'policy.prod': 'Pick a policy.', 'volumes.prod': 'Pick at least one volume, or a server.' },
    ],
    [
      'what is missing in another project',
      { project: 'staging' },
      { 'policy.staging': 'Pick a policy.', 'volumes.staging': 'Pick at least one volume, or a server.' },
    ],
    [
      'a volume the cloud does not have',
      { policy: DAILY_7D, volumes: [UNKNOWN_VOLUME] },
      { 'volumes.prod': `No volume has the id \`${UNKNOWN_VOLUME}\` in this project.` },
    ],
    [
      'a server without volumes',
      { policy: DAILY_7D, server: EMPTY_01 },
      { 'server.prod': `No volume is attached to server \`${EMPTY_01}\`.` },
    ],
    [
      'a missing reason the rule requires',
      { policy: CRITICAL_HOURLY, volumes: [DB_DATA_1] },
      { reason: expect.stringContaining('Rule `critical` needs a reason') as string },
    ],
    [
      'a denial',
      { policy: LEGACY_TAPE, volumes: [DB_DATA_1] },
      { 'volumes.prod': expect.stringMatching(/^Denied by no-tape: /) as string },
    ],
  ])('puts %s on its field, and records nothing', async (_what, fields, errors) => {
    const draft = await openDraft(f, ALICE);
    expect(await submit(ALICE, draft, fields)).toEqual({ response_action: 'errors', errors });
    expect(await f.store.requests.get(draft)).toBeUndefined();
  });

  it.each<[string, FormFields, string | RegExp]>([
    ['no channel is picked', { policy: DAILY_7D, volumes: [DB_DATA_1] }, 'Pick a channel.'],
    ['the person is not in it', { channel: GENERAL, policy: DAILY_7D, volumes: [DB_DATA_1] }, /^You are not in that/],
    ['the bot cannot post in it', { channel: NO_BOT, policy: DAILY_7D, volumes: [DB_DATA_1] }, /^I cannot post in/],
  ])('answers on the channel field of a shortcut form when %s', async (_what, fields, text) => {
    const draft = await openShortcutDraft(f, DAVE);
    const ack = await submit(DAVE, draft, fields);
    expect(ack).toMatchObject({ response_action: 'errors', errors: { channel: expect.stringMatching(text) } });
    expect((ack['errors'] as Record<string, string>)['channel']!.length).toBeLessThanOrEqual(300);
  });

  it('replaces the form with why, when the channel it was opened in can no longer be posted in', async () => {
    const draft = await openDraft(f, ALICE);
    f.people.addChannel(INCIDENT, { canPost: false, why: 'archived' });
    const ack = await submit(ALICE, draft, { policy: DAILY_7D, volumes: [DB_DATA_1] });
    expect(ack).toMatchObject({ response_action: 'update', view: { title: { text: 'Request backup' } } });
    expect(JSON.stringify(ack['view'])).toContain('This channel is archived');
  });

  it('replaces the form with a “try again” when Slack cannot tell who submits it', async () => {
    const draft = await openDraft(f, ALICE);
    f.people.unknown.add('users');
    const ack = await submit(ALICE, draft, { policy: DAILY_7D, volumes: [DB_DATA_1] });
    expect(JSON.stringify(ack['view'])).toContain('Slack could not tell me who you are');
  });

  it('tells someone submitting another person’s form that it is not theirs, and records nothing', async () => {
    const draft = await openDraft(f, DAVE);
    const ack = await submit(ALICE, draft, { policy: DAILY_7D, volumes: [DB_DATA_1] });
    expect(ack).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify(ack['view'])).toContain('This form has expired or belongs to someone else');
    expect(await f.store.requests.get(draft)).toBeUndefined();
  });
});
