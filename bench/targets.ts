import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendLoad } from './load';
import type { LoadResult } from './load';
import type { Child } from './procs';
import { waitFor } from '../src/demo/wait';
import { scrapeMetrics } from '../test/helpers/metrics';
import { deployedNodeFlags, freePort, processUsage, ROOT, spawnNode, waitForHttp } from './procs';
import { slashCommandBody } from './slack-sign';
import type { WorldInfo, WorldProgress } from './world-shape';

/**
 * What the bench drives: the world process (Slack stand-in and OTC sandbox), the bot as production
 * starts it, the floor, and rounds of signed commands sent to them.
 */

/** The bot's cloud settings in the bench config: the defaults. */
export const CHUNK_SIZE = 20;
export const CONCURRENCY_PER_REQUEST = 2;
export const POLICY = 'daily-7d';
/** The sandbox's daily-7d policy. */
export const POLICY_ID = 'b1cb1816-7d85-457c-9f32-2a1422d00e17';

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return (await res.json()) as T;
}

/** The world: the Slack stand-in and the OTC sandbox in their own process. */
export interface World {
  readonly child: Child;
  readonly info: WorldInfo;
  progress(): Promise<WorldProgress>;
  /** The latencies the associate calls drew, from the `from`-th call on (as `associateCalls` counts them). */
  latencies(from: number): Promise<number[]>;
}

export async function startWorld(dir: string): Promise<World> {
  const logFile = join(dir, 'world.log');
  const child = spawnNode({ name: 'world', args: ['bench/world.ts'], env: {}, logFile });
  const control = await waitFor(
    'the world to start',
    () => {
      const exit = child.exitCode();
      if (exit !== undefined) throw new Error(`the world exited with ${String(exit)}; see ${logFile}`);
      const out = readFileIfAny(logFile);
      const line = out.split('\n').find((l) => l.startsWith('{"control"'));
      return Promise.resolve(line === undefined ? undefined : (JSON.parse(line) as { control: string }).control);
    },
    60_000,
    100,
  );
  const info = await getJson<WorldInfo>(`${control}/info`);
  return {
    child,
    info,
    progress: () => getJson<WorldProgress>(`${control}/progress`),
    latencies: (from) => getJson<number[]>(`${control}/latencies?from=${from}`),
  };
}

function readFileIfAny(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** A process that answers signed slash commands: the bot, or the floor. */
export interface Target {
  readonly name: string;
  readonly child: Child;
  readonly port: number;
  readonly eventsUrl: string;
}

export interface BotTarget extends Target {
  metrics(): Promise<Map<string, number>>;
}

export function botYaml(world: WorldInfo, maxVolumes: number): string {
  return `
slack:
  allowed_team_ids: [${world.teamId}]
cloud:
  region: eu-de
  auth_url: "${world.sandboxUrl}/v3"
  endpoints: { vbs: "${world.sandboxUrl}", evs: "${world.sandboxUrl}", ecs: "${world.sandboxUrl}" }
  associate_chunk_size: ${CHUNK_SIZE}
  associate_concurrency: ${CONCURRENCY_PER_REQUEST}
projects:
  - { name: prod, id: ${world.projectId}, region: eu-de, default: true }
limits:
  max_volumes_per_request: ${maxVolumes}
  requests_per_user_per_minute: 10000
rules:
  - { name: sre-oncall, usergroups: [sre-oncall], decision: allow }
`;
}

/** The bot as production starts it: `node dist/main.js`, HTTP mode, configured by env and YAML only. */
export async function startBot(
  name: string,
  world: WorldInfo,
  dir: string,
  secret: string,
  options: {
    /** The config's limits.max_volumes_per_request. */
    readonly maxVolumes: number;
    /** Node flags for the bot only, e.g. --cpu-prof. */
    readonly nodeFlags?: readonly string[];
    /** Another build of the bot (its main.js), to set two builds side by side in one run; default dist/main.js. */
    readonly entry?: string;
  },
): Promise<BotTarget> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const configPath = join(dir, 'backup-bot.yml');
  writeFileSync(configPath, botYaml(world, options.maxVolumes));
  const child = spawnNode({
    name,
    args: [options.entry ?? join(ROOT, 'dist', 'main.js')],
    cwd: dir,
    logFile: join(dir, 'bot.log'),
    // As npm start runs it (the profile's flags added).
    nodeFlags: [...deployedNodeFlags(), ...(options.nodeFlags ?? [])],
    env: {
      PORT: String(port),
      BACKUP_BOT_CONFIG: configPath,
      SLACK_BOT_TOKEN: world.botToken,
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: world.slackApiUrl,
      DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
      OTC_USERNAME: world.credentials.username,
      OTC_PASSWORD: world.credentials.password,
      OTC_DOMAIN_NAME: world.credentials.domainName,
      LOG_LEVEL: 'info',
    },
  });
  await waitForHttp(child, `http://127.0.0.1:${port}/readyz`);
  return { name, child, port, eventsUrl: `http://127.0.0.1:${port}/slack/events`, metrics: () => scrapeMetrics(port) };
}

/** The floor: a bare Bolt app that only acks. */
export async function startFloor(dir: string, secret: string): Promise<Target> {
  const port = await freePort();
  const child = spawnNode({
    name: 'floor',
    args: ['bench/floor.ts'],
    logFile: join(dir, 'floor.log'),
    env: { PORT: String(port), SLACK_SIGNING_SECRET: secret },
  });
  // The floor serves only /slack/events; a GET there is answered (404), which says it listens.
  await waitFor(
    'the floor to listen',
    async () => {
      if (child.exitCode() !== undefined) throw new Error(`the floor exited; see ${join(dir, 'floor.log')}`);
      const res = await fetch(`http://127.0.0.1:${port}/slack/events`).catch(() => undefined);
      await res?.body?.cancel();
      return res === undefined ? undefined : true;
    },
    60_000,
    100,
  );
  return { name: 'floor', child, port, eventsUrl: `http://127.0.0.1:${port}/slack/events` };
}

/** Hands out commands: each names volumes no other command in flight names, from a different person. */
export class Commands {
  private volumeCursor = 0;
  private userCursor = 0;
  private responseSeq = 0;

  constructor(private readonly world: WorldInfo) {}

  body(volumes: number): string {
    const ids: string[] = [];
    for (let k = 0; k < volumes; k += 1) {
      ids.push(this.world.volumeIds[this.volumeCursor % this.world.volumeIds.length] ?? '');
      this.volumeCursor += 1;
    }
    const user = this.world.users[this.userCursor % this.world.users.length];
    this.userCursor += 1;
    this.responseSeq += 1;
    return slashCommandBody({
      teamId: this.world.teamId,
      userId: user?.id ?? '',
      userName: user?.name ?? '',
      channelId: this.world.channel.id,
      channelName: this.world.channel.name,
      text: `associate ${POLICY} ${ids.join(' ')}`,
      responseUrl: `${this.world.slackUrl}/response/bench${this.responseSeq}`,
      triggerId: `${Date.now()}.${randomBytes(4).readUInt32BE(0)}.trigger`,
    });
  }
}

export interface Round {
  readonly load: LoadResult;
  /** Bot rounds: from the last ack to the last summary, and the CPU the bot spent on the round, drain included. */
  readonly drainMs?: number;
  /** Bot rounds: from the first command sent to the last request's last message. */
  readonly spanMs?: number;
  readonly lastSummaryAt?: number;
  readonly cpuMs?: number;
  /** Bot rounds: the CPU the Slack stand-in and the OTC sandbox (one process) spent serving the round. */
  readonly worldCpuMs?: number;
  /** Bot rounds: the latency each of the round's associate calls drew, in the order they came. */
  readonly associateLatenciesMs?: readonly number[];
}

/**
 * Waits until `count` more requests have their summary posted and the bot owes no more messages
 * (its outbox is empty: the root message's last edit, or a root post made once the request had
 * ended, went out). The bot's /metrics is read only once the summaries are in.
 */
export async function waitForSummaries(
  world: World,
  bot: BotTarget,
  before: WorldProgress,
  count: number,
  timeoutMs: number,
): Promise<WorldProgress> {
  const deadline = Date.now() + timeoutMs;
  await waitFor(
    `${count} summaries`,
    async () => ((await world.progress()).summaries >= before.summaries + count ? true : undefined),
    timeoutMs,
    50,
  );
  await waitFor(
    'the bot to owe no more messages',
    async () => ((await bot.metrics()).get('backup_bot_outbox_backlog') === 0 ? true : undefined),
    Math.max(1, deadline - Date.now()),
    50,
  );
  return world.progress();
}

export async function botRound(
  world: World,
  bot: BotTarget,
  secret: string,
  count: number,
  concurrency: number,
  body: () => string,
  timeoutMs = 180_000,
): Promise<Round> {
  const before = await world.progress();
  const cpuBefore = processUsage(bot.child.pid).cpuMs;
  const worldCpuBefore = processUsage(world.child.pid).cpuMs;
  const bodies = Array.from({ length: count }, body);
  const load = await sendLoad({
    url: bot.eventsUrl,
    signingSecret: secret,
    count,
    concurrency,
    body: (i) => bodies[i] ?? '',
  });
  const after = await waitForSummaries(world, bot, before, count - load.errors.length, timeoutMs);
  return {
    load,
    drainMs: after.lastMessageAt - load.lastAckAt,
    spanMs: after.lastMessageAt - load.startedAt,
    lastSummaryAt: after.lastSummaryAt,
    cpuMs: processUsage(bot.child.pid).cpuMs - cpuBefore,
    worldCpuMs: processUsage(world.child.pid).cpuMs - worldCpuBefore,
    associateLatenciesMs: (await world.latencies(before.associateCalls)).slice(
      0,
      after.associateCalls - before.associateCalls,
    ),
  };
}

export async function floorRound(
  floor: Target,
  secret: string,
  count: number,
  concurrency: number,
  body: () => string,
): Promise<Round> {
  const bodies = Array.from({ length: count }, body);
  return {
    load: await sendLoad({
      url: floor.eventsUrl,
      signingSecret: secret,
      count,
      concurrency,
      body: (i) => bodies[i] ?? '',
    }),
  };
}
