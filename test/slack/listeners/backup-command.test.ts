import * as typedRequest from '../../../src/flow/typed-request';
import { registerBackupCommand } from '../../../src/slack/listeners/backup-command';
import type { FlowFixture } from '../../support/flow-fixture';
import { useFlowFixture } from '../../support/flow-fixture';
import { ALICE, DAVE, DB_DATA_1, NO_BOT, OTHER_TEAM, STRANGER, TEAM } from '../../support/flow-world';
import type { ListenerApp } from '../../support/listener-app';
import { checkNockAfterEach, createListenerApp, expectResponse, traceFlow } from '../../support/listener-app';
import { nthRequestId } from '../../support/sequential-ids';
import { slashCommand } from '../../support/slash-command';

/** `/backup associate …` typed: the listener acks, calls submitTypedRequest once, and renders its outcome. */
describe('registerBackupCommand: a typed associate', () => {
  const fixture = useFlowFixture();
  checkNockAfterEach();
  let f: FlowFixture;
  let bot: ListenerApp;
  beforeEach(() => {
    f = fixture();
    bot = createListenerApp(f.deps, registerBackupCommand);
  });

  /** Sends the command, expects one ephemeral answer, and gives it. */
  async function answerTo(text: string, userId = ALICE, options: { channelId?: string; teamId?: string } = {}) {
    const command = slashCommand(text, { userId, ...options });
    const reply = expectResponse(bot.timeline, command.response_url!);
    await bot.send(command);
    reply.scope.done();
    return reply.bodies[0]!;
  }

  it.each<[string, string, string, { channelId?: string; teamId?: string }, RegExp]>([
    ['invalid', 'associate daily-7d nonexistent', ALICE, {}, /^Nothing was changed: No volume is named `nonexistent`/],
    ['cannot_post', 'associate daily-7d db-data-1', ALICE, { channelId: NO_BOT }, /^I cannot post in this channel/],
    ['unknown_user', 'associate daily-7d db-data-1', STRANGER, {}, /^Slack could not tell me who you are/],
    ['denied', 'associate legacy-tape db-data-1', ALICE, {}, /^Denied by no-tape$/],
    [
      'denied (foreign workspace)',
      'associate daily-7d db-data-1',
      ALICE,
      { teamId: OTHER_TEAM },
      /^Denied by slack\.allowed_team_ids$/,
    ],
    [
      'dry_run',
      'associate daily-7d db-data-1 --dry-run',
      DAVE,
      {},
      /^Dry run: 1 volume\(s\) to `daily-7d`; decided by `others-need-approval`$/,
    ],
  ])('answers %s only to the asker, after the ack', async (_kind, text, userId, options, expected) => {
    const spy = traceFlow(typedRequest, 'submitTypedRequest', bot.timeline);
    const reply = await answerTo(text, userId, options);
    expect(reply).toMatchObject({ response_type: 'ephemeral', replace_original: false, blocks: expect.any(Array) });
    expect(reply['text']).toMatch(expected);
    expect(bot.timeline).toEqual(['ack', 'submitTypedRequest', 'respond']);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]!.slice(1, 4)).toEqual([
      { teamId: options.teamId ?? TEAM, userId },
      expect.objectContaining({ id: options.channelId ?? 'C0INC47110', name: 'inc-4711' }),
      text,
    ]);
  });

  it('answers a foreign workspace without reading the cloud', async () => {
    await answerTo('associate daily-7d db-data-1', ALICE, { teamId: OTHER_TEAM });
    expect(f.cloud.calls).toEqual([]);
  });

  it('answers nothing for an accepted request without notes: its root message in the channel is the answer', async () => {
    const spy = traceFlow(typedRequest, 'submitTypedRequest', bot.timeline);
    await bot.send(slashCommand('associate daily-7d db-data-1', { userId: ALICE }));
    expect(bot.timeline).toEqual(['ack', 'submitTypedRequest']);
    expect(spy).toHaveBeenCalledTimes(1);
    await f.deps.work.idle();
    expect(f.deliverer.kinds()).toEqual(['root.post', 'thread.summary', 'root.update']);
  });

  it('tells the notes of an accepted request to the asker', async () => {
    const reply = await answerTo(`associate daily-7d db-data-1 ${DB_DATA_1}`);
    expect(reply['text']).toBe(`Request ${nthRequestId(1)} started`);
    expect(JSON.stringify(reply['blocks'])).toContain('are the same volume; counted once');
  });

  it('answers a double submit with the request already under way, and starts it once', async () => {
    const first = slashCommand('associate daily-7d db-data-1', { userId: ALICE });
    await bot.send(first);
    const reply = await answerTo('associate daily-7d db-data-1');
    expect(reply['text']).toMatch(`I am already working on this: request ${nthRequestId(1)},`);
    await f.deps.work.idle();
    expect(f.cloud.count('associate')).toBe(1);
  });
});

describe('registerBackupCommand: commands that need no flow', () => {
  const fixture = useFlowFixture();
  checkNockAfterEach();

  it.each([
    ['help', 'help', /^How to use \/backup/],
    ['a mistyped subcommand', 'asociate daily-7d x', /^Nothing was changed: `asociate` is not a \/backup subcommand/],
    ['an unknown flag', 'associate daily-7d db-data-1 --bogus', /^Nothing was changed: /],
  ])('answers %s from the grammar alone, without calling a flow', async (_what, text, expected) => {
    const f = fixture();
    const bot = createListenerApp(f.deps, registerBackupCommand);
    const spy = traceFlow(typedRequest, 'submitTypedRequest', bot.timeline);
    const command = slashCommand(text, { userId: ALICE });
    const reply = expectResponse(bot.timeline, command.response_url!);
    await bot.send(command);
    reply.scope.done();
    expect(reply.bodies[0]!['text']).toMatch(expected);
    expect(bot.timeline).toEqual(['ack', 'respond']);
    expect(spy).not.toHaveBeenCalled();
    expect(f.cloud.calls).toEqual([]);
  });
});
