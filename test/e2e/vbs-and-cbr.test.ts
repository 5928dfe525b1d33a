import type { DemoWorld } from '../../src/demo/demo-world';
import { DEMO_PROJECT_ID } from '../../src/demo/demo-world';
import { DEMO_WORKSPACE } from '../../src/demo/slack-stand-in/workspace';
import { waitFor } from '../../src/demo/wait';
import { DEFAULT_CBR_PROJECT_ID, seededPolicyId } from '../../src/sandbox';
import type { BackupRequest } from '../../src/domain/backup-request';
import { ManualClock } from '../helpers/manual-clock';
import { ALICE, DAVE, INCIDENT, ephemeralReplies, letTimePass, rootMessages, text, useWorld } from './world';

/** Both kinds of project side by side, with rules that let @sre-oncall take volumes out again. */
const YAML = `
slack:
  allowed_team_ids: [${DEMO_WORKSPACE.teamId}]
cloud:
  region: eu-de
  sandbox: true
projects:
  - { name: prod, id: ${DEMO_PROJECT_ID}, region: eu-de, default: true }
  - { name: vaulted, id: ${DEFAULT_CBR_PROJECT_ID}, region: eu-de, service: cbr }
approvals:
  channel: C0APPROVAL
  approvers: { usergroups: [backup-admins] }
rules:
  - { name: sre-oncall, usergroups: [sre-oncall], actions: [associate, disassociate], decision: allow }
  - { name: others-need-approval, everyone: true, actions: [associate, disassociate], decision: require_approval }
`;

interface Side {
  readonly service: 'vbs' | 'cbr';
  readonly project: string;
  readonly projectId: string;
  readonly target: string;
  readonly noun: string;
  /** Where the cloud holds a volume now (a policy id on VBS, a vault id on CBR). */
  readonly holder: (w: DemoWorld, volumeName: string) => string | undefined;
  readonly targetId: (w: DemoWorld) => string | undefined;
}

function volumeId(w: DemoWorld, projectId: string, name: string): string {
  const found = w.sandbox.state.listVolumes(projectId).filter((v) => v.name === name);
  if (found.length !== 1 || found[0] === undefined) throw new Error(`no single volume ${name}`);
  return found[0].id;
}

const SIDES: readonly Side[] = [
  {
    service: 'vbs',
    project: 'prod',
    projectId: DEMO_PROJECT_ID,
    target: 'daily-7d',
    noun: 'backup policy',
    holder: (w, name) => w.sandbox.state.policyOfVolume(DEMO_PROJECT_ID, volumeId(w, DEMO_PROJECT_ID, name)),
    targetId: () => seededPolicyId('daily-7d'),
  },
  {
    service: 'cbr',
    project: 'vaulted',
    projectId: DEFAULT_CBR_PROJECT_ID,
    target: 'vault-daily',
    noun: 'vault',
    holder: (w, name) =>
      w.sandbox.state.cbr.vaultOfVolume(DEFAULT_CBR_PROJECT_ID, volumeId(w, DEFAULT_CBR_PROJECT_ID, name)),
    targetId: (w) => w.sandbox.state.cbr.findVaultByName(DEFAULT_CBR_PROJECT_ID, 'vault-daily')?.id,
  },
];

async function typed(w: DemoWorld, userId: string, command: string): Promise<BackupRequest> {
  const started = Date.now();
  const sent = await w.driver.slashCommand({ userId, channelId: INCIDENT, text: command });
  expect(sent.status).toBe(200);
  const request = await w.latestRequest(started);
  return w.settle(request.id);
}

/** The thread of a request's root message, rendered, oldest first. */
function threadTexts(w: DemoWorld, request: BackupRequest): string[] {
  const root = rootMessages(w, INCIDENT).find((m) => m.ts === request.rootMessage?.ts);
  if (root === undefined) throw new Error(`no root message for ${request.id}`);
  return w.slack.state.thread(INCIDENT, root.ts).map((m) => text(w, m.blocks));
}

async function clickUndo(w: DemoWorld, userId: string, request: BackupRequest): Promise<BackupRequest> {
  const summaryTs = w.slack.state
    .thread(INCIDENT, request.rootMessage?.ts ?? '')
    .find((m) => JSON.stringify(m.blocks).includes('request.undo'))?.ts;
  if (summaryTs === undefined) throw new Error('the summary has no Undo button');
  const started = Date.now();
  await w.driver.clickButton({
    userId,
    channelId: INCIDENT,
    messageTs: summaryTs,
    actionId: 'request.undo',
    value: request.id,
  });
  const undo = await waitFor('the undo request', async () => {
    const latest = await w.latestRequest(started).catch(() => undefined);
    return latest?.undoOf === request.id ? latest : undefined;
  });
  return w.settle(undo.id);
}

describe.each(SIDES)('the same scenarios on a $service project ($target)', (side) => {
  const world = useWorld({
    yaml: YAML,
    extraProjects: [{ id: DEFAULT_CBR_PROJECT_ID, name: 'vaulted', region: 'eu-de', backupService: 'cbr' }],
  });

  it('adds volumes and says where, in the words of its service', async () => {
    const w = world();
    // vault-daily has 820 GB free: both fit.
    const done = await typed(w, ALICE, `associate ${side.target} db-data-1 db-log-2 --project ${side.project}`);
    expect(done).toMatchObject({ state: 'succeeded', target: { kind: side.noun === 'vault' ? 'vault' : 'policy' } });
    const root = text(w, rootMessages(w, INCIDENT)[0]!.blocks);
    expect(root).toContain(`asks to add 2 volumes to ${side.noun} \`${side.target}\` in project \`${side.project}\`.`);
    const [summary] = threadTexts(w, done);
    expect(summary).toContain(`All 2 volumes added to ${side.noun} \`${side.target}\`.`);
    expect(summary).toContain('[ Undo ]');
    expect(side.holder(w, 'db-data-1')).toBe(side.targetId(w));
    expect(side.holder(w, 'db-log-2')).toBe(side.targetId(w));
  });

  it('undoes exactly what was added, as a request of its own in the same thread, audited', async () => {
    const w = world();
    const done = await typed(w, ALICE, `associate ${side.target} db-data-1 --project ${side.project}`);
    const undone = await clickUndo(w, ALICE, done);
    expect(undone).toMatchObject({ state: 'succeeded', action: 'disassociate', undoOf: done.id });
    expect(side.holder(w, 'db-data-1')).toBeUndefined();
    const thread = threadTexts(w, done);
    expect(thread.some((t) => t.includes(`undo request \`${done.id}\`: remove 1 volume from ${side.noun}`))).toBe(true);
    expect(thread.some((t) => t.includes(`The volume was removed from ${side.noun} \`${side.target}\`.`))).toBe(true);
    // Its own record and trail, and no second root message in the channel.
    expect(rootMessages(w, INCIDENT)).toHaveLength(1);
    const kinds = (await w.bot.store.audit.list(undone.id)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['received', 'decided', 'started', 'cloud_call', 'finished']));
  });

  it('takes volumes out with /backup disassociate', async () => {
    const w = world();
    await typed(w, ALICE, `associate ${side.target} db-data-2 --project ${side.project}`);
    const out = await typed(w, ALICE, `disassociate ${side.target} db-data-2 --project ${side.project}`);
    expect(out).toMatchObject({ state: 'succeeded', action: 'disassociate' });
    expect(side.holder(w, 'db-data-2')).toBeUndefined();
  });

  it('lets only the requester and approvers ask for an undo', async () => {
    const w = world();
    const done = await typed(w, ALICE, `associate ${side.target} db-data-1 --project ${side.project}`);
    const summaryTs = w.slack.state.thread(INCIDENT, done.rootMessage!.ts)[0]!.ts;
    const sent = await w.driver.clickButton({
      userId: DAVE,
      channelId: INCIDENT,
      messageTs: summaryTs,
      actionId: 'request.undo',
      value: done.id,
    });
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toContain('Only the person who asked for this request, or one of its approvers, can undo it.');
    expect(side.holder(w, 'db-data-1')).toBe(side.targetId(w));
  });
});

describe('CBR only: what an all-or-nothing API and explicit moves mean for a request', () => {
  const world = useWorld({
    yaml: YAML,
    extraProjects: [{ id: DEFAULT_CBR_PROJECT_ID, name: 'vaulted', region: 'eu-de', backupService: 'cbr' }],
  });
  const cbr = SIDES[1]!;
  const vaultId = (w: DemoWorld, name: string) => w.sandbox.state.cbr.findVaultByName(DEFAULT_CBR_PROJECT_ID, name)?.id;

  it('leaves a volume in another vault alone without --move, says so, and adds the rest', async () => {
    const w = world();
    // web-01-data is in vault-daily in the seed.
    const started = Date.now();
    const sent = await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: 'associate vault-weekly web-01-data db-data-1 --project vaulted',
    });
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toContain('`web-01-data` is in vault `vault-daily`; add --move to move it');
    const done = await w.settle((await w.latestRequest(started)).id);
    expect(done.volumes.map((v) => v.name)).toEqual(['db-data-1']);
    expect(cbr.holder(w, 'web-01-data')).toBe(vaultId(w, 'vault-daily'));
    expect(cbr.holder(w, 'db-data-1')).toBe(vaultId(w, 'vault-weekly'));
  });

  it('moves it with --move, says from where, and the undo moves it back', async () => {
    const w = world();
    const done = await typed(w, ALICE, 'associate vault-weekly web-01-data --move --project vaulted');
    expect(done.state).toBe('succeeded');
    expect(cbr.holder(w, 'web-01-data')).toBe(vaultId(w, 'vault-weekly'));
    const [summary] = threadTexts(w, done);
    expect(summary).toContain('moved from vault `vault-daily`');
    const undone = await clickUndo(w, ALICE, done);
    expect(undone.state).toBe('succeeded');
    expect(cbr.holder(w, 'web-01-data')).toBe(vaultId(w, 'vault-daily'));
    expect(threadTexts(w, done).some((t) => t.includes('moved back to vault `vault-daily`'))).toBe(true);
  });

  it('adds what fits into a nearly full vault and fails the rest with the cloud reason, one by one', async () => {
    const w = world();
    // vault-small holds 50 of 60 GB: test-vol-2 (10 GB) fits, db-data-1 (500 GB) does not.
    const started = Date.now();
    const sent = await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: 'associate vault-small test-vol-2 db-data-1 --project vaulted',
    });
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toContain('Vault `vault-small` has 10 GB free and these volumes need 510 GB');
    const done = await w.settle((await w.latestRequest(started)).id);
    expect(done.state).toBe('partially_failed');
    expect(done.outcome?.failed).toEqual([
      expect.objectContaining({
        volumeId: volumeId(w, DEFAULT_CBR_PROJECT_ID, 'db-data-1'),
        code: 'BackupService.6100',
      }),
    ]);
    expect(cbr.holder(w, 'test-vol-2')).toBe(vaultId(w, 'vault-small'));
    expect(cbr.holder(w, 'db-data-1')).toBeUndefined();
    const [summary] = threadTexts(w, done);
    expect(summary).toContain('1 volume added to vault `vault-small`, 1 failed.');
    expect(summary).toContain('The vault is full');
  });
});

describe('CBR: a run resumed after the first one could not record its outcome', () => {
  const clock = new ManualClock();
  const world = useWorld({
    yaml: YAML,
    clock,
    extraProjects: [{ id: DEFAULT_CBR_PROJECT_ID, name: 'vaulted', region: 'eu-de', backupService: 'cbr' }],
  });
  const cbr = SIDES[1]!;

  it('reports what the first run added as added, not as there already, and the undo takes it out', async () => {
    const w = world();
    const records = w.bot.store.requests;
    const transition = records.transition.bind(records);
    let refused = false;
    // The first run's outcome cannot be written (the disk failed a moment): the request stays running.
    jest.spyOn(records, 'transition').mockImplementation(async (id, step, ...rest) => {
      if (step.from === 'running' && !refused) {
        refused = true;
        throw new Error('disk I/O error');
      }
      return transition(id, step, ...rest);
    });
    await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: 'associate vault-daily db-data-1 --project vaulted',
    });
    // The bots' clock is the test's: every request is newer than 0.
    const request = await w.latestRequest(0);
    await waitFor('the first run to fail to record its outcome', () => (refused ? true : undefined));
    expect(cbr.holder(w, 'db-data-1')).toBe(cbr.targetId(w));

    // Past the run's lease: the scheduler resumes it, and finds the volume in the vault.
    await letTimePass(w, clock, 60_000);
    const done = await w.settle(request.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.added).toEqual([expect.not.objectContaining({ already: true })]);
    const summary = threadTexts(w, done).find((t) => t.includes('added to vault'));
    expect(summary).toBeDefined();
    expect(summary).not.toContain('was there already');
    const undone = await clickUndo(w, ALICE, done);
    expect(undone.state).toBe('succeeded');
    expect(cbr.holder(w, 'db-data-1')).toBeUndefined();
  });
});
