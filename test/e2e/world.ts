import type { BackupRequest } from '../../src/domain/backup-request';
import type { DemoWorld, WorldOptions } from '../../src/demo/demo-world';
import { startDemoWorld } from '../../src/demo/demo-world';
import { renderBlocks } from '../../src/demo/render-text';
import type { StandInMessage } from '../../src/demo/slack-stand-in/state';
import { waitFor } from '../../src/demo/wait';
import type { ManualClock } from '../helpers/manual-clock';
import type { TestSchema } from '../helpers/pg-schema';
import { createTestSchema } from '../helpers/pg-schema';
import { missingScopes } from '../helpers/slack-scopes';
import { SocketModeStandIn } from '../helpers/socket-mode-stand-in';

export const ALICE = 'U0ALICE001'; // in @sre-oncall
export const BOB = 'U0BOB00001'; // in @backup-admins
export const DAVE = 'U0DAVE0001'; // no group
export const CAROL = 'U0CAROL001'; // guest
export const INCIDENT = 'C0INC4711';
export const GENERAL = 'C0GENERAL1';
export const PRIVATE_WITHOUT_BOT = 'G0SECRET01';
export const DB_DATA_1 = '0f187b65-8d0e-4fc0-9096-3b55d330531e';
export const DB_DATA_2 = 'ed53b291-0b6a-4d23-861a-474ac0e64334';
export const DAILY_7D = 'b1cb1816-7d85-457c-9f32-2a1422d00e17';
export const PROJECT = '0123456789abcdef0123456789abcdef';

export type StoreKind = 'SQLite' | 'PostgreSQL';

/** The stores an end-to-end suite runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const STORES: readonly StoreKind[] = process.env['TEST_DATABASE_URL'] ? ['SQLite', 'PostgreSQL'] : ['SQLite'];

/**
 * Starts a fresh world per test (on a fresh PostgreSQL schema for 'PostgreSQL') and checks,
 * after each, that every Slack call used a scope the manifest grants.
 */
export function useWorld(options: WorldOptions = {}, store: StoreKind = 'SQLite'): () => DemoWorld {
  let world: DemoWorld | undefined;
  let schema: TestSchema | undefined;
  beforeEach(async () => {
    if (store === 'PostgreSQL') schema = await createTestSchema(process.env['TEST_DATABASE_URL']!);
    world = await startDemoWorld({ ...options, ...(schema && { databaseUrl: schema.url }) });
  });
  afterEach(async () => {
    const called = world?.slack.state.calls.map((c) => c.method) ?? [];
    await world?.stop();
    // The HTTP face answers /backup itself (slack/http-server.ts): Bolt's own answer, kept, must be
    // the empty 200 Slack already had, whatever the command was.
    const dropped = world?.logger.lines.filter((l) => l.includes('answered a command the bot had answered already'));
    world = undefined;
    await schema?.drop();
    schema = undefined;
    expect(missingScopes(called)).toEqual([]);
    expect(dropped ?? []).toEqual([]);
  });
  return () => {
    if (world === undefined) throw new Error('world not started');
    return world;
  };
}

export function text(world: DemoWorld, blocks: readonly unknown[]): string {
  return renderBlocks(blocks, world.workspace).join('\n');
}

/** The ephemeral replies sent to one command's response_url, rendered. */
export async function ephemeralReplies(world: DemoWorld, responseId: string, count = 1): Promise<string[]> {
  const replies = await waitFor(`${count} ephemeral replies`, () => {
    const found = world.slack.state.responses.filter((r) => r.id === responseId);
    return found.length >= count ? found : undefined;
  });
  return replies.map((r) => {
    const body = r.body as { blocks?: unknown[]; text?: string; response_type?: string };
    expect(body.response_type).toBe('ephemeral');
    return body.blocks ? text(world, body.blocks) : (body.text ?? '');
  });
}

export function rootMessages(world: DemoWorld, channel: string): StandInMessage[] {
  return world.slack.state.channelMessages(channel);
}

export function associateCalls(world: DemoWorld): number {
  return world.sandbox.requests.filter((r) => r.route === 'vbs.associate').length;
}

/**
 * Alice's associate of DB_DATA_1 in INCIDENT, once its root message is out; the cloud call is held a
 * little until then, so the next message the request posts is its summary.
 */
export async function associateWithRootOut(w: DemoWorld): Promise<BackupRequest> {
  w.sandbox.faults.inject('vbs.associate', { latencyMs: 150, times: 1 });
  await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
  const request = await w.latestRequest(0);
  await waitFor('the root message', () => (rootMessages(w, INCIDENT).length === 1 ? true : undefined));
  return request;
}

/** Moves the bots' clock on, then runs every background task once, as the loops would at that time. */
export async function letTimePass(w: DemoWorld, clock: ManualClock, ms: number): Promise<void> {
  clock.advance(ms);
  const scheduler = w.bot.bot.scheduler();
  if (scheduler === undefined) throw new Error('the bot has no scheduler: was it started?');
  await scheduler.runAll();
}

/** A world whose bot runs in Socket Mode against a loopback Socket Mode server. */
export interface SocketWorld {
  readonly socket: SocketModeStandIn;
  readonly world: DemoWorld;
}

export async function startSocketWorld(options: WorldOptions = {}): Promise<SocketWorld> {
  const socket = new SocketModeStandIn();
  const world = await startDemoWorld({
    ...options,
    socketUrl: await socket.url(),
    env: { SLACK_APP_TOKEN: 'xapp-1-A0BACKUPBOT-1-standin', SLACK_SIGNING_SECRET: '', ...options.env },
  });
  return { socket, world };
}

export async function stopSocketWorld(s: SocketWorld): Promise<void> {
  await s.world.stop();
  await s.socket.close();
}
