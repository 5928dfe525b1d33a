import type { DemoWorld } from '../../src/demo/demo-world';
import { DEMO_CONFIG_YAML } from '../../src/demo/demo-world';
import { renderBlocks } from '../../src/demo/render-text';
import type { StandInView } from '../../src/demo/slack-stand-in/state';
import { waitFor } from '../../src/demo/wait';
import { seededPolicyId, seededVolumeIds } from '../../src/sandbox';
import {
  ALICE,
  CAROL,
  DAVE,
  GENERAL,
  INCIDENT,
  associateCalls,
  ephemeralReplies,
  rootMessages,
  text,
  useWorld,
} from './world';

const DAILY_7D = seededPolicyId('daily-7d')!;
const id = (name: string) => seededVolumeIds(name)[0]!;
const opt = (value: string) => ({ text: { type: 'plain_text', text: value }, value });

function formValues(f: { channel?: string; policy: string; volumes: string[] }) {
  return {
    ...(f.channel && {
      channel: { 'form.channel': { type: 'conversations_select', selected_conversation: f.channel } },
    }),
    'policy.prod': { 'form.policy': { type: 'external_select', selected_option: opt(f.policy) } },
    'volumes.prod': { 'form.volumes': { type: 'multi_external_select', selected_options: f.volumes.map(opt) } },
    'server.prod': { 'form.server': { type: 'external_select', selected_option: null } },
    reason: { 'form.reason': { type: 'plain_text_input', value: null } },
  };
}

async function openFormFor(w: DemoWorld, userId: string, how: 'command' | 'shortcut'): Promise<StandInView> {
  const before = w.slack.state.views.size;
  if (how === 'command') await w.driver.slashCommand({ userId, channelId: INCIDENT, text: 'associate' });
  else await w.driver.shortcut({ userId, callbackId: 'request_backup' });
  return waitFor('the form', () => {
    const v = [...w.slack.state.views.values()].slice(before)[0];
    return v && v.view['callback_id'] === 'request.form' ? v : undefined;
  });
}

function viewText(w: DemoWorld, view: StandInView): string {
  return renderBlocks(
    (w.slack.state.views.get(view.id)!.view['blocks'] as unknown[] | undefined) ?? [],
    w.workspace,
  ).join('\n');
}

describe('edges where safety matters', () => {
  const world = useWorld();

  it('tells a guest no before looking anything up in the cloud, and shows no volume', async () => {
    const w = world();
    const before = w.sandbox.requests.length;
    const sent = await w.driver.slashCommand({
      userId: CAROL,
      channelId: INCIDENT,
      text: 'associate daily-7d scratch --dry-run',
    });
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toContain('Denied');
    expect(reply).toContain('guest accounts only match rules that name their user id');
    expect(reply).not.toContain('scratch');
    expect(w.sandbox.requests.length).toBe(before);
  });

  it('escapes names in the notes it sends the asker (a volume named like a mention pings nobody)', async () => {
    const w = world();
    w.sandbox.state.addVolume(w.sandbox.projects[0]!.id, { name: '<!channel>-disk', size: 10 });
    const sent = await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: 'associate daily-7d "<!channel>-disk" "<!channel>-disk"',
    });
    const request = await w.settle((await w.latestRequest(0)).id);
    expect(request.state).toBe('succeeded');
    const [note] = await ephemeralReplies(w, sent.responseId);
    expect(note).toContain('Named more than once, counted once: <!channel>-disk.');
    const raw = JSON.stringify(w.slack.state.responses.find((r) => r.id === sent.responseId)!.body);
    expect(raw).not.toContain('<!channel>');
    expect(raw).toContain('&lt;!channel&gt;-disk');
    // The root message, the thread and every fallback text too.
    const posted = JSON.stringify(w.slack.state.messages.map((m) => [m.text, m.blocks]));
    expect(posted).not.toContain('<!channel>');
  });

  it('joins a public channel it only posted in, to attach a long summary as a file there', async () => {
    const w = world();
    const usable = w.sandbox.state
      .listVolumes(w.sandbox.projects[0]!.id)
      .filter(
        (v) =>
          ['in-use', 'available'].includes(v.status) && !v.name.startsWith('scratch') && !v.name.startsWith('sap-hana'),
      )
      .map((v) => v.id);
    await w.driver.slashCommand({
      userId: ALICE,
      channelId: 'C0INC4712',
      text: `associate daily-30d ${usable.join(' ')}`,
    });
    const request = await w.settle((await w.latestRequest(0)).id, 20_000);
    expect(request.state).toBe('succeeded');
    expect(w.slack.state.callsOf('conversations.join').map((c) => c.args['channel'])).toEqual(['C0INC4712']);
    const shared = w.slack.state.files.filter((f) => f.channel !== undefined);
    expect(shared).toEqual([
      expect.objectContaining({
        channel: 'C0INC4712',
        threadTs: rootMessages(w, 'C0INC4712')[0]!.ts,
        filename: `${request.id}-summary.csv`,
      }),
    ]);
  });

  it('only lets a form record in a channel the person is in', async () => {
    const w = world();
    const form = await openFormFor(w, ALICE, 'shortcut');
    const res = await w.driver.submitView({
      userId: ALICE,
      viewId: form.id,
      values: formValues({ channel: 'C0APPROVAL', policy: DAILY_7D, volumes: [id('db-data-1')] }),
    });
    expect(res.answer).toEqual({
      response_action: 'errors',
      errors: { channel: 'You are not in that channel: pick one you are in (the record goes there).' },
    });
    expect(associateCalls(w)).toBe(0);
  });
});

describe('a form submit slower than its budget', () => {
  // The budget (2 s in production, inside Slack's 3) shortened, and a look-up held longer than it:
  // the timer that answers "checking" always fires first, and nobody waits seconds for it.
  const world = useWorld({ submitBudgetMs: 20 });

  it('is answered in time with "checking", then shows the result in the form', async () => {
    const w = world();
    const form = await openFormFor(w, ALICE, 'command');
    // Every volume look-up of the submit (it reads the picked volumes afresh) is slow.
    w.sandbox.faults.inject('evs.volume.get', { latencyMs: 150, times: Infinity });
    const res = await w.driver.submitView({
      userId: ALICE,
      viewId: form.id,
      values: formValues({ policy: DAILY_7D, volumes: [id('db-data-1')] }),
    });
    expect(res.answer).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify(res.answer)).toContain('Checking your request');
    await waitFor('the result in the form', () =>
      viewText(w, form).includes('is recorded; it continues in') ? true : undefined,
    );
    w.sandbox.faults.clear();
    const request = await w.settle((await w.latestRequest(0)).id);
    expect(request.state).toBe('succeeded');
    expect(rootMessages(w, INCIDENT)).toHaveLength(1);
    expect(text(w, w.slack.state.thread(INCIDENT, rootMessages(w, INCIDENT)[0]!.ts)[0]!.blocks)).toContain(
      'The volume was added',
    );
  });
});

describe('a dry run the rules deny', () => {
  const world = useWorld({
    yaml: DEMO_CONFIG_YAML.replace(
      '  - { name: others-need-approval',
      '  - { name: not-from-general, channels: [general], decision: deny }\n  - { name: others-need-approval',
    ),
  });

  it('is answered with the denial and the rule, not with a preview of the volumes', async () => {
    const w = world();
    const sent = await w.driver.slashCommand({
      userId: DAVE,
      channelId: GENERAL,
      text: 'associate daily-7d db-data-2 --dry-run',
    });
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toContain('Denied by `not-from-general`');
    expect(reply).not.toContain('db-data-2');
    expect(reply).not.toContain('will be added');
  });
});
