import type { DemoWorld } from '../../src/demo/demo-world';
import { DEMO_CONFIG_YAML, DEMO_PROJECT_ID } from '../../src/demo/demo-world';
import { waitFor } from '../../src/demo/wait';
import type { BackupRequest } from '../../src/domain/backup-request';
import { FIRST_LOOK_MS } from '../../src/domain/watch';
import { DEFAULT_CBR_PROJECT_ID } from '../../src/sandbox';
import { ManualClock } from '../helpers/manual-clock';
import {
  ALICE,
  DB_DATA_1,
  DB_DATA_2,
  INCIDENT,
  ephemeralReplies,
  letTimePass,
  rootMessages,
  text,
  useWorld,
} from './world';

/** The demo rules, with @sre-oncall allowed to back up now. */
const YAML = DEMO_CONFIG_YAML.replace(
  '  - { name: sre-oncall, usergroups: [sre-oncall], decision: allow }',
  '  - { name: sre-oncall, usergroups: [sre-oncall], actions: [associate, backup_now], decision: allow }',
);

/** The bots' clock stands still between steps: a request made now is dated by it, not by Date.now(). */
async function associateNow(w: DemoWorld, clock: ManualClock): Promise<BackupRequest> {
  const started = w.sandbox.state.backups;
  expect(started).toBeDefined();
  const since = clock.now();
  const sent = await w.driver.slashCommand({
    userId: ALICE,
    channelId: INCIDENT,
    text: `associate daily-7d ${DB_DATA_1} ${DB_DATA_2} --now`,
  });
  expect(sent.status).toBe(200);
  return w.settle((await w.latestRequest(since)).id);
}

function thread(w: DemoWorld, request: BackupRequest): string[] {
  return w.slack.state.thread(INCIDENT, request.rootMessage!.ts).map((m) => text(w, m.blocks));
}

describe('--now and the first backup, against the sandbox', () => {
  const clock = new ManualClock();
  const world = useWorld({ yaml: YAML, clock, intervals: { watchMs: 3_600_000 } });

  it('starts the backup, then says per volume when its first backup finished or failed, and marks the root', async () => {
    const w = world();
    // db-data-2's next backup fails.
    w.sandbox.state.backups.failNext(DEMO_PROJECT_ID, DB_DATA_2, 'snapshot quota exceeded');
    const done = await associateNow(w, clock);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.backupNow).toMatchObject({ started: true });
    expect(thread(w, done)[0]).toContain('Backup started now (it covers every volume of the policy)');

    await letTimePass(w, clock, FIRST_LOOK_MS);
    const lines = await waitFor('a line per volume', () => {
      const t = thread(w, done);
      return t.length >= 3 ? t : undefined;
    });
    expect(lines.some((l) => l.includes('First backup of `db-data-1` finished') && /autobk_[0-9a-f]{4}/.test(l))).toBe(
      true,
    );
    expect(lines.some((l) => l.includes('First backup of `db-data-2` failed') && l.includes('EXECUTE_FAIL'))).toBe(
      true,
    );
    const root = await waitFor('the root message to say how the first backups went', () => {
      const r = text(w, rootMessages(w, INCIDENT)[0]!.blocks);
      return r.includes('First backups: 1 done, 1 failed') ? r : undefined;
    });
    expect(root).toContain('First backups');
    const kinds = (await w.bot.store.audit.list(done.id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'first_backup')).toHaveLength(2);
  });

  it('answers /backup status <volume> with the last backup', async () => {
    const w = world();
    await associateNow(w, clock);
    await letTimePass(w, clock, FIRST_LOOK_MS);
    const sent = await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: 'status db-data-1' });
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toContain('VBS cannot list which policy holds a volume');
    expect(reply).toMatch(/Last backup: .* · succeeded \(`available`\)/);
  });
});

describe('the first-backup watch outlives the replica that ran the request', () => {
  const clock = new ManualClock();
  const world = useWorld({ yaml: YAML, clock, replicas: 2, intervals: { watchMs: 3_600_000 } });

  it('is finished by the other replica once the first one stops', async () => {
    const w = world();
    const done = await associateNow(w, clock);
    expect(done.watch?.closed).toBeUndefined();
    // The first replica stops; the watch is in the shared store, and the second picks it up.
    await w.bots[0]!.stop();
    const other = w.bots[1]!;
    clock.advance(FIRST_LOOK_MS);
    await other.bot.scheduler()!.runAll();
    const lines = await waitFor('both first-backup lines', () => {
      const t = thread(w, done).filter((l) => l.includes('First backup of'));
      return t.length === 2 ? t : undefined;
    });
    expect(lines.every((l) => l.includes('finished'))).toBe(true);
    const after = await other.store.requests.get(done.id);
    expect(after?.watch?.closed).toBe('all_done');
    expect(text(w, rootMessages(w, INCIDENT)[0]!.blocks)).toContain('Protected');
  });
});

describe('--now and the first backup on a CBR project', () => {
  const clock = new ManualClock();
  const CBR_YAML = YAML.replace(
    '  - { name: prod, id: 0123456789abcdef0123456789abcdef, region: eu-de, default: true }',
    `  - { name: prod, id: 0123456789abcdef0123456789abcdef, region: eu-de, default: true }\n  - { name: vaulted, id: ${DEFAULT_CBR_PROJECT_ID}, region: eu-de, service: cbr }`,
  );
  const world = useWorld({
    yaml: CBR_YAML,
    clock,
    intervals: { watchMs: 3_600_000 },
    extraProjects: [{ id: DEFAULT_CBR_PROJECT_ID, name: 'vaulted', region: 'eu-de', backupService: 'cbr' }],
  });

  it('backs the vault up and reports the first backup of each added disk from the vault backups', async () => {
    const w = world();
    const since = clock.now();
    await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: 'associate vault-daily db-log-2 --now --project vaulted',
    });
    const done = await w.settle((await w.latestRequest(since)).id);
    expect(done).toMatchObject({ state: 'succeeded', outcome: { backupNow: { started: true } } });
    expect(thread(w, done)[0]).toContain('Backup started now (it covers every volume in the vault)');
    await letTimePass(w, clock, FIRST_LOOK_MS);
    const line = await waitFor('the first-backup line', () =>
      thread(w, done).find((l) => l.includes('First backup of `db-log-2`')),
    );
    expect(line).toContain('finished');
    expect((await w.bot.store.requests.get(done.id))?.watch?.closed).toBe('all_done');
  });
});
