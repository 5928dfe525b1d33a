import type { DemoWorld } from '../../src/demo/demo-world';
import { DEMO_CONFIG_YAML, DEMO_PROJECT_ID } from '../../src/demo/demo-world';
import type { ViewValues } from '../../src/demo/slack-driver';
import { renderBlocks } from '../../src/demo/render-text';
import type { StandInView } from '../../src/demo/slack-stand-in/state';
import { waitFor } from '../../src/demo/wait';
import { seededPolicyId, seededServerId, seededVolumeIds } from '../../src/sandbox';
import { ALICE, CAROL, DAVE, GENERAL, INCIDENT, STORES, associateCalls, rootMessages, text, useWorld } from './world';

const DAILY_7D = seededPolicyId('daily-7d')!;
const id = (name: string) => seededVolumeIds(name)[0]!;
const opt = (value: string, label = value) => ({ text: { type: 'plain_text', text: label }, value });

interface Form {
  project?: string;
  channel?: string;
  policy?: string;
  volumes?: string[];
  server?: string;
  reason?: string;
}

/** The modal's state as Slack would send it after a person filled these fields. */
function values(f: Form, project = 'prod'): ViewValues {
  const v: ViewValues = {
    [`policy.${project}`]: {
      'form.policy': { type: 'external_select', selected_option: f.policy ? opt(f.policy) : null },
    },
    [`volumes.${project}`]: {
      'form.volumes': { type: 'multi_external_select', selected_options: (f.volumes ?? []).map((x) => opt(x)) },
    },
    [`server.${project}`]: {
      'form.server': { type: 'external_select', selected_option: f.server ? opt(f.server) : null },
    },
    reason: { 'form.reason': { type: 'plain_text_input', value: f.reason ?? null } },
  };
  if (f.project) v['project'] = { 'form.project': { type: 'static_select', selected_option: opt(f.project) } };
  if (f.channel !== undefined)
    v['channel'] = { 'form.channel': { type: 'conversations_select', selected_conversation: f.channel } };
  return v;
}

function current(w: DemoWorld, view: StandInView): StandInView {
  return w.slack.state.views.get(view.id)!;
}

function viewText(w: DemoWorld, view: StandInView): string {
  return renderBlocks((current(w, view).view['blocks'] as unknown[] | undefined) ?? [], w.workspace).join('\n');
}

async function openForm(w: DemoWorld, userId = ALICE, channelId = INCIDENT): Promise<StandInView> {
  const before = w.slack.state.views.size;
  await w.driver.slashCommand({ userId, channelId, text: 'associate' });
  return waitFor('the form', () => {
    const opened = [...w.slack.state.views.values()].slice(before)[0];
    return opened && opened.view['callback_id'] === 'request.form' ? opened : undefined;
  });
}

/** Changes a field and waits for the bot to redraw the form. */
async function change(
  w: DemoWorld,
  view: StandInView,
  userId: string,
  field: 'policy' | 'volumes' | 'server' | 'project' | 'channel',
  form: Form,
  project = 'prod',
): Promise<StandInView> {
  const hash = current(w, view).hash;
  const blockId = field === 'project' || field === 'channel' ? field : `${field}.${project}`;
  await w.driver.changeView({
    userId,
    viewId: view.id,
    blockId,
    actionId: `form.${field}`,
    action: { type: 'external_select' },
    values: values(form, project),
  });
  return waitFor('the redrawn form', () => (current(w, view).hash !== hash ? current(w, view) : undefined));
}

function submitLabel(w: DemoWorld, view: StandInView): string {
  return (current(w, view).view['submit'] as { text: string }).text;
}

describe.each(STORES)('the request form, on %s', (store) => {
  const world = useWorld({}, store);

  it('opens from /backup associate within the trigger window: a loading view first, then the form', async () => {
    const w = world();
    const form = await openForm(w);
    const [open, update] = [w.slack.state.callsOf('views.open')[0]!, w.slack.state.callsOf('views.update')[0]!];
    expect(JSON.stringify(open.args['view'])).toContain('Opening the form');
    expect(update.args['view_id']).toBe(form.id);
    expect(current(w, form).view['private_metadata']).toMatch(/^r-[a-z2-9]{8}$/);
    const t = viewText(w, form);
    expect(t).toContain('Backup policy: ____');
    expect(t).toContain('Volumes: ____');
    expect(t).toContain('…or every volume of a server: ____');
    expect(t).not.toContain('Project');
    expect(t).not.toContain('Channel for the record');
    expect(t).toContain('Pick a policy and volumes (or a server) to see what will happen.');
  });

  it('answers type-ahead from a cache: names, ids, labels, no cloud call per keystroke, nothing for absurd or foreign queries', async () => {
    const w = world();
    const form = await openForm(w);
    const first = await w.driver.suggest({
      userId: ALICE,
      viewId: form.id,
      blockId: 'volumes.prod',
      actionId: 'form.volumes',
      value: 'db-da',
    });
    expect(first.options.map((o) => o.text.text)).toEqual([
      'db-data-1 · 500 GB · eu-de-01 · in-use · db-01',
      'db-data-2 · 500 GB · eu-de-02 · in-use · db-02',
      'db-data-3 · 500 GB · eu-de-01 · error · not attached',
    ]);
    const cloudCalls = w.sandbox.requests.length;
    for (const q of ['d', 'db', 'db-', 'db-d', id('web-01-root').slice(0, 6)]) {
      await w.driver.suggest({
        userId: ALICE,
        viewId: form.id,
        blockId: 'volumes.prod',
        actionId: 'form.volumes',
        value: q,
      });
    }
    const byId = await w.driver.suggest({
      userId: ALICE,
      viewId: form.id,
      blockId: 'volumes.prod',
      actionId: 'form.volumes',
      value: id('web-01-root').slice(0, 8),
    });
    expect(byId.options.map((o) => o.value)).toEqual([id('web-01-root')]);
    expect(w.sandbox.requests.length).toBe(cloudCalls);

    const policies = await w.driver.suggest({
      userId: ALICE,
      viewId: form.id,
      blockId: 'policy.prod',
      actionId: 'form.policy',
      value: '',
    });
    expect(policies.options.map((o) => o.text.text)).toContain('daily-7d · every day at 02:00 UTC · keeps 7');
    expect(policies.options.map((o) => o.text.text)).toContain('db-hourly · every day at 00:00 UTC · keeps 24 · off');
    const servers = await w.driver.suggest({
      userId: ALICE,
      viewId: form.id,
      blockId: 'server.prod',
      actionId: 'form.server',
      value: 'web',
    });
    expect(servers.options.map((o) => o.text.text)).toEqual(['web-01', 'web-02', 'web-03']);

    const huge = await w.driver.suggest({
      userId: ALICE,
      viewId: form.id,
      blockId: 'volumes.prod',
      actionId: 'form.volumes',
      value: 'x'.repeat(2000),
    });
    expect(huge).toEqual({ status: 200, options: [] });
    const foreign = await w.driver.suggest({
      userId: DAVE,
      viewId: form.id,
      blockId: 'volumes.prod',
      actionId: 'form.volumes',
      value: 'db',
    });
    expect(foreign).toEqual({ status: 200, options: [] });
  });

  it('answers type-ahead from a guest and from another workspace with no options and no error, reading nothing from the cloud', async () => {
    const w = world();
    const form = await openForm(w);
    const cloudCalls = w.sandbox.requests.length;
    const asked = [
      { userId: CAROL, blockId: 'volumes.prod', actionId: 'form.volumes', value: 'db' },
      { userId: CAROL, blockId: 'policy.prod', actionId: 'form.policy', value: '' },
      { userId: ALICE, teamId: 'T0ELSEWHERE', blockId: 'volumes.prod', actionId: 'form.volumes', value: 'db' },
      { userId: ALICE, teamId: 'T0ELSEWHERE', blockId: 'server.prod', actionId: 'form.server', value: 'web' },
    ];
    for (const input of asked) {
      // Sent against Alice's form (a guest cannot open one), carrying its draft id.
      expect(await w.driver.suggest({ viewId: form.id, ...input })).toEqual({ status: 200, options: [] });
    }
    expect(w.sandbox.requests.length).toBe(cloudCalls);
    expect(w.logger.lines.filter((l) => l.includes('"request failed"'))).toEqual([]);
    // Alice herself, in her own workspace, is answered from the same form.
    const own = await w.driver.suggest({
      userId: ALICE,
      viewId: form.id,
      blockId: 'volumes.prod',
      actionId: 'form.volumes',
      value: 'db-data-1',
    });
    expect(own.options.map((o) => o.value)).toEqual([id('db-data-1')]);
  });

  it('redraws a preview as fields change: what will be added, what is left out and why, and who decides', async () => {
    const w = world();
    const form = await openForm(w);
    const f = { policy: DAILY_7D, volumes: [id('db-data-1'), id('db-data-3')] };
    await change(w, form, ALICE, 'policy', { policy: DAILY_7D });
    const redrawn = await change(w, form, ALICE, 'volumes', f);
    const t = viewText(w, redrawn);
    expect(t).toContain('1 volume will be added:');
    expect(t).toContain(`\`db-data-1\` \`${id('db-data-1')}\` · eu-de-01 · 500 GB · in-use`);
    expect(t).toContain('Left out (1):');
    expect(t).toContain('`db-data-3`');
    expect(t).toContain('is in status `error`');
    expect(t).toContain('Allowed by rule `sre-oncall`: you are in @sre-oncall.');
    expect(t).toContain('one that is in another policy will be moved to this one');
    expect(submitLabel(w, redrawn)).toBe('Add 1 volume');
    // The selection survives the redraw.
    expect(JSON.stringify(current(w, redrawn).view)).toContain(
      `"initial_options":[{"text":{"type":"plain_text","text":"${id('db-data-1')}"`,
    );

    const daves = await openForm(w, DAVE, GENERAL);
    await change(w, daves, DAVE, 'volumes', { policy: DAILY_7D, volumes: [id('db-data-2')] });
    expect(viewText(w, daves)).toContain('Needs approval by @backup-admins (rule `others-need-approval`');
    expect(submitLabel(w, daves)).toBe('Ask for approval');
  });

  it('adds every volume of a chosen server, freezing their ids into the request', async () => {
    const w = world();
    const form = await openForm(w);
    const redrawn = await change(w, form, ALICE, 'server', { policy: DAILY_7D, server: seededServerId('web-01')! });
    expect(viewText(w, redrawn)).toContain('2 volumes will be added:');
    const res = await w.driver.submitView({
      userId: ALICE,
      viewId: form.id,
      values: values({ policy: DAILY_7D, server: seededServerId('web-01')! }),
    });
    expect(res.answer).toEqual({ response_action: 'clear' });
    const request = await w.settle((await w.latestRequest(0)).id);
    expect(request.volumes.map((v) => v.name).sort()).toEqual(['web-01-data', 'web-01-root']);
  });

  it('shows problems inline on their fields and changes nothing', async () => {
    const w = world();
    const form = await openForm(w);
    const empty = await w.driver.submitView({ userId: ALICE, viewId: form.id, values: values({ policy: DAILY_7D }) });
    expect(empty.answer).toEqual({
      response_action: 'errors',
      errors: { 'volumes.prod': 'Pick at least one volume, or a server.' },
    });
    // The policy is deleted while the form is open.
    w.sandbox.state.deletePolicy(DEMO_PROJECT_ID, DAILY_7D);
    const gone = await w.driver.submitView({
      userId: ALICE,
      viewId: form.id,
      values: values({ policy: DAILY_7D, volumes: [id('db-data-1')] }),
    });
    expect(gone.answer).toEqual({
      response_action: 'errors',
      errors: { 'policy.prod': `There is no backup policy with id \`${DAILY_7D}\` in this project.` },
    });
    const bad = await w.driver.submitView({
      userId: ALICE,
      viewId: form.id,
      values: values({ policy: seededPolicyId('daily-30d')!, volumes: [id('db-data-3')] }),
    });
    expect(bad.answer).toEqual({
      response_action: 'errors',
      errors: { 'volumes.prod': 'None of these volumes can be added to a backup policy (see their status).' },
    });
    expect(await w.bot.store.queries.listRequests({ teamId: w.workspace.teamId, since: 0, limit: 5 })).toEqual([]);
    expect(associateCalls(w)).toBe(0);
  });

  it('continues in the channel exactly like a typed command, once however often the form is submitted', async () => {
    const w = world();
    const form = await openForm(w);
    const filled = values({
      policy: DAILY_7D,
      volumes: [id('db-data-1'), id('db-data-3')],
      reason: 'INC-4711 via the form',
    });
    const answers = await Promise.all(
      [1, 2].map(() => w.driver.submitView({ userId: ALICE, viewId: form.id, values: filled })),
    );
    expect(answers.map((a) => a.answer)).toEqual([{ response_action: 'clear' }, { response_action: 'clear' }]);
    const request = await w.settle((await w.latestRequest(0)).id);
    expect(request.id).toBe(current(w, form).view['private_metadata']);
    expect(request.state).toBe('succeeded');
    const [root, ...others] = rootMessages(w, INCIDENT);
    expect(others).toEqual([]);
    expect(text(w, root!.blocks)).toContain(
      '@alice asks to add 1 volume to backup policy `daily-7d` in project `prod`.',
    );
    expect(text(w, root!.blocks)).toContain('Reason: INC-4711 via the form');
    expect(text(w, w.slack.state.thread(INCIDENT, root!.ts)[0]!.blocks)).toContain(
      'The volume was added to backup policy `daily-7d`.',
    );
    const received = (await w.bot.store.audit.list(request.id)).find((e) => e.kind === 'received')!;
    expect(received.detail['excluded']).toEqual([id('db-data-3')]);
    expect(associateCalls(w)).toBe(1);
  });

  it('ignores a private_metadata naming a form that is not the submitter’s own', async () => {
    const w = world();
    const alices = await openForm(w);
    const filled = values({ policy: DAILY_7D, volumes: [id('db-data-1')] });
    for (const privateMetadata of [
      String(current(w, alices).view['private_metadata']),
      '{"channel":"C0INC4711"}',
      'r-zzzzzzzz',
    ]) {
      // A fresh form of Dave's each time: the refusal replaces the one submitted.
      const daves = await openForm(w, DAVE, GENERAL);
      const res = await w.driver.submitView({ userId: DAVE, viewId: daves.id, values: filled, privateMetadata });
      expect(res.answer).toMatchObject({ response_action: 'update' });
      expect(JSON.stringify(res.answer)).toContain('This form has expired or belongs to someone else.');
    }
    expect(await w.bot.store.queries.listRequests({ teamId: w.workspace.teamId, since: 0, limit: 5 })).toEqual([]);
  });

  it('notes a volume another open request is already adding, and lets it through', async () => {
    const w = world();
    await w.driver.slashCommand({ userId: DAVE, channelId: GENERAL, text: 'associate weekly-4w db-data-2' });
    const pending = await w.settle((await w.latestRequest(0)).id, 10_000, { finalOrWaiting: true });
    const form = await openForm(w);
    const redrawn = await change(w, form, ALICE, 'volumes', { policy: DAILY_7D, volumes: [id('db-data-2')] });
    expect(viewText(w, redrawn)).toContain(
      `Note: \`db-data-2\` is also in request \`${pending.id}\` (waiting for approval); adding a volume twice is harmless.`,
    );
    expect(submitLabel(w, redrawn)).toBe('Add 1 volume');
  });
});

describe('the request form from the global shortcut and the App Home', () => {
  const world = useWorld();

  it('asks for the channel, and posts the record there', async () => {
    const w = world();
    await w.driver.shortcut({ userId: ALICE, callbackId: 'request_backup' });
    const form = await waitFor('the form', () =>
      [...w.slack.state.views.values()].find((v) => v.view['callback_id'] === 'request.form'),
    );
    expect(viewText(w, form)).toContain('Channel for the record: ____');
    const noChannel = await w.driver.submitView({
      userId: ALICE,
      viewId: form.id,
      values: values({ policy: DAILY_7D, volumes: [id('db-data-1')] }),
    });
    expect(noChannel.answer).toEqual({ response_action: 'errors', errors: { channel: 'Pick a channel.' } });
    const res = await w.driver.submitView({
      userId: ALICE,
      viewId: form.id,
      values: values({ channel: INCIDENT, policy: DAILY_7D, volumes: [id('db-data-1')] }),
    });
    expect(res.answer).toEqual({ response_action: 'clear' });
    await w.settle((await w.latestRequest(0)).id);
    expect(rootMessages(w, INCIDENT)).toHaveLength(1);
  });

  it('does not open a form for someone who may not request at all', async () => {
    const w = world();
    await w.driver.shortcut({ userId: 'U0CAROL001', callbackId: 'request_backup' });
    const view = await waitFor('the answer', () =>
      [...w.slack.state.views.values()].find((v) => !JSON.stringify(v.view).includes('Opening the form')),
    );
    expect(viewText(w, view)).toContain('You may not request backups here.');
    expect(await w.bot.store.queries.listRequests({ teamId: w.workspace.teamId, since: 0, limit: 5 })).toEqual([]);
  });

  it('shows the App Home: your recent requests, and for approvers the requests waiting for them with the buttons', async () => {
    const w = world();
    await w.driver.slashCommand({
      userId: DAVE,
      channelId: GENERAL,
      text: 'associate weekly-4w db-data-2 --reason "weekly copy"',
    });
    const pending = await w.settle((await w.latestRequest(0)).id, 10_000, { finalOrWaiting: true });
    const published = () => w.slack.state.callsOf('views.publish');

    expect(
      (await w.driver.event({ type: 'app_home_opened', user: 'U0BOB00001', tab: 'home', channel: 'D0BOB00001' }))
        .status,
    ).toBe(200);
    const bobs = await waitFor('the home view', () => published()[0]);
    expect(bobs.args['user_id']).toBe('U0BOB00001');
    const bobText = renderBlocks((bobs.args['view'] as { blocks: unknown[] }).blocks, w.workspace).join('\n');
    expect(bobText).toContain('WAITING FOR YOUR DECISION (1)');
    expect(bobText).toContain(`Request \`${pending.id}\``);
    expect(bobText).toContain('[ Approve ] [ Deny ]');

    await w.driver.event({ type: 'app_home_opened', user: DAVE, tab: 'home', channel: 'D0DAVE0001' }, { retryNum: 1 });
    const daves = await waitFor('dave’s home', () => published().find((c) => c.args['user_id'] === DAVE));
    const daveText = renderBlocks((daves.args['view'] as { blocks: unknown[] }).blocks, w.workspace).join('\n');
    expect(daveText).not.toContain('Waiting for your decision');
    expect(daveText).toContain(`Waiting for approval · \`${pending.id}\` · 1 volume to \`weekly-4w\` in \`prod\``);

    // The same Approve button as on the card.
    await w.driver.clickButton({
      userId: 'U0BOB00001',
      channelId: 'D0BOB00001',
      messageTs: '0',
      actionId: 'approval.approve',
      value: pending.id,
    });
    await waitFor('the approval form', () =>
      [...w.slack.state.views.values()].find((v) => v.view['callback_id'] === 'approval.approve.modal'),
    );
  });
});

describe('a second project', () => {
  const world = useWorld({
    yaml: DEMO_CONFIG_YAML.replace(
      '  - { name: prod, id: 0123456789abcdef0123456789abcdef, region: eu-de, default: true }',
      '  - { name: prod, id: 0123456789abcdef0123456789abcdef, region: eu-de, default: true }\n  - { name: staging, id: fedcba9876543210fedcba9876543210, region: eu-de }',
    ),
    extraProjects: [{ id: 'fedcba9876543210fedcba9876543210', name: 'staging', region: 'eu-de' }],
  });

  it('offers the project, and a change of project clears the policy and volumes', async () => {
    const w = world();
    const form = await openForm(w);
    expect(viewText(w, form)).toContain('Project: ____');
    await change(w, form, ALICE, 'volumes', { project: 'prod', policy: DAILY_7D, volumes: [id('db-data-1')] });
    const staging = await change(w, form, ALICE, 'project', { project: 'staging' }, 'staging');
    const blockIds = (current(w, staging).view['blocks'] as { block_id?: string }[]).map((b) => b.block_id);
    expect(blockIds).toEqual(
      expect.arrayContaining(['project', 'policy.staging', 'volumes.staging', 'server.staging']),
    );
    expect(JSON.stringify(current(w, staging).view)).not.toContain('initial_options');
    const stagingPolicies = await w.driver.suggest({
      userId: ALICE,
      viewId: form.id,
      blockId: 'policy.staging',
      actionId: 'form.policy',
      value: 'daily-7d',
      values: values({ project: 'staging' }, 'staging'),
    });
    expect(stagingPolicies.options).toHaveLength(1);
    expect(stagingPolicies.options[0]!.value).not.toBe(DAILY_7D);
  });
});
