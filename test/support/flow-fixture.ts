import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/config/load-config';
import { loadConfig } from '../../src/config/load-config';
import type { Actor, ChannelRef } from '../../src/domain/actor';
import type { BackupRequest } from '../../src/domain/backup-request';
import type { AssociateCommand } from '../../src/domain/command-grammar';
import { parseBackupCommand } from '../../src/domain/command-grammar';
import type { RequestId } from '../../src/domain/ids';
import { createFlowDeps } from '../../src/flow/create-flow-deps';
import type { FlowDeps } from '../../src/flow/flow-deps';
import type { TypedOutcome } from '../../src/flow/typed-request';
import { submitTypedRequest } from '../../src/flow/typed-request';
import type { Logger } from '../../src/log/logger';
import { createMemoryLogger } from '../../src/log/logger';
import type { RequestStore } from '../../src/store/request-store';
import { SqliteRequestStore } from '../../src/store/sqlite-store';
import { FakeCloud } from './fake-cloud';
import { FakePeople } from './fake-people';
import { DAVE, FLOW_CONFIG_YAML, INCIDENT, seedCloud, seedPeople, TEAM } from './flow-world';
import { RecordingDeliverer } from './recording-deliverer';
import { sequentialIds } from './sequential-ids';
import { TestClock } from './test-clock';

/** The flows on a real SQLite store in a temp dir, with everything outside faked and observable. */
export interface FlowFixture {
  readonly deps: FlowDeps;
  readonly config: Config;
  readonly store: RequestStore;
  readonly cloud: FakeCloud;
  readonly people: FakePeople;
  readonly deliverer: RecordingDeliverer;
  readonly clock: TestClock;
  readonly ids: ReturnType<typeof sequentialIds>;
  readonly logger: Logger & { readonly lines: string[] };
  /**
   * The flows as a bot restarted with another rules file builds them: the same store, cloud,
   * people, deliverer and clock, a new config.
   */
  rebuild(yaml: string): FlowDeps;
  /** Waits for the background work, then closes the store and removes its files. */
  close(): Promise<void>;
}

export interface FixtureOptions {
  /** Another rules file (default FLOW_CONFIG_YAML). */
  readonly yaml?: string;
}

/**
 * The fixture's cloud is a fake, not the sandbox: a file that does not ask for the sandbox gets
 * (made-up) credentials, as a real deployment would; a sandbox file must get none.
 */
export function loadTestConfig(yaml = FLOW_CONFIG_YAML): Config {
  const credentials = /sandbox:\s*true/.test(yaml) ? {} : { OTC_ACCESS_KEY: 'test-ak', OTC_SECRET_KEY: 'test-sk' };
  return loadConfig(
    { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'test-secret', ...credentials },
    { readFile: () => yaml },
  );
}

export async function createFlowFixture(options: FixtureOptions = {}): Promise<FlowFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'flow-'));
  const store = new SqliteRequestStore({ path: join(dir, 'requests.db') });
  await store.migrate();
  const config = loadTestConfig(options.yaml);
  const cloud = new FakeCloud();
  seedCloud(cloud);
  const people = new FakePeople();
  seedPeople(people);
  const deliverer = new RecordingDeliverer();
  const clock = new TestClock();
  const ids = sequentialIds();
  const logger = createMemoryLogger('debug');
  const build = (built: Config) =>
    createFlowDeps({
      config: built,
      store,
      cloud,
      people,
      deliverer,
      clock,
      newRequestId: ids,
      owner: 'test-replica',
      logger,
    });
  const deps = build(config);
  const rebuilt: FlowDeps[] = [];
  return {
    deps,
    config,
    store,
    cloud,
    people,
    deliverer,
    clock,
    ids,
    logger,
    rebuild(yaml) {
      const again = build(loadTestConfig(yaml));
      rebuilt.push(again);
      return again;
    },
    async close() {
      for (const d of [deps, ...rebuilt]) await d.work.idle();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh fixture for each test of the enclosing describe. */
export function useFlowFixture(options: FixtureOptions = {}): () => FlowFixture {
  let fixture: FlowFixture | undefined;
  beforeEach(async () => {
    fixture = await createFlowFixture(options);
  });
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });
  return () => {
    if (fixture === undefined) throw new Error('the flow fixture is only there inside a test');
    return fixture;
  };
}

export function actor(userId: string, teamId = TEAM): Actor {
  return { teamId, userId };
}

/** A channel as a slash command names it (the id, and the name from the payload). */
export function channel(id = INCIDENT, name?: string): ChannelRef {
  return { id, name };
}

/** `associate …` as the grammar reads it; the flow's own volume limit is what is tested, not the grammar's. */
export function associate(args: string): AssociateCommand {
  const parsed = parseBackupCommand(`associate ${args}`, { maxVolumes: 1000 });
  if (!parsed.ok || parsed.value.kind !== 'associate') throw new Error(`not an associate command: ${args}`);
  return parsed.value;
}

/** Types `/backup associate …` as `userId` in `channelId`. */
export function typeCommand(
  f: FlowFixture,
  userId: string,
  args: string,
  options: { channelId?: string; teamId?: string } = {},
): Promise<TypedOutcome> {
  const text = `associate ${args}`;
  return submitTypedRequest(
    f.deps,
    actor(userId, options.teamId),
    channel(options.channelId ?? INCIDENT),
    text,
    associate(args),
  );
}

/** Types `/backup <text>` (any subcommand that names volumes) as `userId` in `channelId`. */
export function typeBackup(
  f: FlowFixture,
  userId: string,
  text: string,
  options: { channelId?: string } = {},
): Promise<TypedOutcome> {
  const parsed = parseBackupCommand(text, { maxVolumes: 1000 });
  if (!parsed.ok || (parsed.value.kind !== 'associate' && parsed.value.kind !== 'disassociate'))
    throw new Error(`not a command that names volumes: ${text}`);
  return submitTypedRequest(f.deps, actor(userId), channel(options.channelId ?? INCIDENT), text, parsed.value);
}

/** The request a typed command recorded; fails the test on any other outcome. */
export function recorded(outcome: TypedOutcome): BackupRequest {
  if (outcome.kind !== 'accepted') throw new Error(`expected the request to be accepted, got ${outcome.kind}`);
  return outcome.request;
}

export async function stored(f: FlowFixture, id: RequestId): Promise<BackupRequest> {
  const request = await f.store.requests.get(id);
  if (request === undefined) throw new Error(`no request ${id}`);
  return request;
}

/** The audit kinds of a request, oldest first. */
export async function auditKinds(f: FlowFixture, id: RequestId): Promise<string[]> {
  return (await f.store.audit.list(id)).map((e) => e.kind);
}

/** A request waiting for approval (DAVE needs one for daily-7d), its first messages delivered. */
export async function waitingForApproval(
  f: FlowFixture,
  userId = DAVE,
  args = 'daily-7d db-data-1',
): Promise<BackupRequest> {
  const request = recorded(await typeCommand(f, userId, args));
  await f.deps.work.idle();
  return stored(f, request.id);
}
