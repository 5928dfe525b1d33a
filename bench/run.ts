/**
 * `npm run bench`: the bot under load against a bare Bolt app (the floor), on this machine, against
 * the project's own loopback Slack stand-in and OTC sandbox (in a process of their own). Reports
 * numbers and whether each goal is met; asserts nothing. See README "Performance".
 *   npm run bench                 the full run (a few minutes on 2 cores)
 *   npm run bench -- --quick      small counts, a smoke run
 *   npm run bench -- --profile    also profiles the bot under the 50-concurrent load (--cpu-prof)
 *   npm run bench -- --only=acks,history,bulk
 *   npm run bench -- --idle-ms=5000   shorter idle after the load (default 30 s)
 *   npm run bench -- --bot=other/dist/main.js   measure another build of the bot
 *   npm run bench -- --node-flag=--max-semi-space-size=4   add a node flag to the deployed ones (repeatable)
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { sampleSum } from '../test/helpers/metrics';
import { callSlots, cloudBoundMs, drawnBoundMs, efficiency, medianRun } from './bound';
import type { CloudShape } from './bound';
import { closeAgents } from './load';
import { deployedNodeFlags, processUsage, ROOT, sampleRss, sleep } from './procs';
import { readProfile, selfTimes } from './profile-summary';
import { seedHistory } from './seed-history';
import { median, pairedRatio, ratio, summarize } from './stats';
import type { Summary } from './stats';
import { formatTable } from './table';
import type { GoalRow } from './table';
import type { Round, World } from './targets';
import {
  botRound,
  CHUNK_SIZE,
  Commands,
  CONCURRENCY_PER_REQUEST,
  floorRound,
  POLICY,
  POLICY_ID,
  startBot,
  startFloor,
  startWorld,
} from './targets';

const MB = 1024 * 1024;

interface Sizes {
  readonly concurrency: number;
  readonly warmup: number;
  readonly ackRounds: number;
  readonly ackPerRound: number;
  readonly historyRows: number;
  readonly historyRounds: number;
  readonly historyPerRound: number;
  readonly idleMs: number;
  readonly bulkRuns: number;
  readonly bulkRequests: number;
  readonly bulkVolumes: number;
  readonly bigVolumes: number;
}

const FULL: Sizes = {
  concurrency: 50,
  warmup: 250,
  ackRounds: 4,
  ackPerRound: 250,
  historyRows: 100_000,
  historyRounds: 15,
  historyPerRound: 150,
  idleMs: 30_000,
  bulkRuns: 3,
  bulkRequests: 200,
  bulkVolumes: 20,
  bigVolumes: 1000,
};

const QUICK: Sizes = {
  concurrency: 50,
  warmup: 20,
  ackRounds: 2,
  ackPerRound: 50,
  historyRows: 5_000,
  historyRounds: 2,
  historyPerRound: 50,
  idleMs: 3_000,
  bulkRuns: 1,
  bulkRequests: 20,
  bulkVolumes: 20,
  bigVolumes: 200,
};

const SCENARIOS = ['acks', 'history', 'bulk'] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Args {
  readonly quick: boolean;
  /** Overrides how long the bot idles after the load before its RSS is read again. */
  readonly idleMs: number | undefined;
  /** Another build of the bot to measure (its main.js), e.g. an earlier commit's dist/. */
  readonly bot: string | undefined;
  readonly profile: boolean;
  readonly only: ReadonlySet<Scenario>;
  /** Node flags added to the ones `npm start` uses (--node-flag=--max-semi-space-size=4), to try a setting. */
  readonly nodeFlags: readonly string[];
}

function parseArgs(argv: readonly string[]): Args {
  let quick = false;
  let profile = false;
  let only = new Set<Scenario>(SCENARIOS);
  let idleMs: number | undefined;
  let bot: string | undefined;
  const nodeFlags: string[] = [];
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (/^--idle-ms=\d+$/.test(arg)) idleMs = Number(arg.slice('--idle-ms='.length));
    else if (arg.startsWith('--bot=')) bot = resolve(arg.slice('--bot='.length));
    else if (arg === '--profile') profile = true;
    else if (/^--node-flag=--\S+$/.test(arg)) nodeFlags.push(arg.slice('--node-flag='.length));
    else if (arg.startsWith('--only=')) {
      const names = arg.slice('--only='.length).split(',');
      const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
      if (unknown.length > 0)
        throw new Error(`unknown scenario(s) ${unknown.join(', ')}; know ${SCENARIOS.join(', ')}`);
      only = new Set(names as Scenario[]);
    } else
      throw new Error(
        `unknown argument ${arg}; use --quick, --profile, --idle-ms=N, --bot=PATH, --node-flag=--FLAG, --only=${SCENARIOS.join(',')}`,
      );
  }
  return { quick, profile, only, idleMs, bot, nodeFlags };
}

function log(text: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}`);
}

interface ProfileResult {
  readonly file: string;
  readonly busyMs: number;
  readonly rows: ReturnType<typeof selfTimes>['rows'];
}

/** The bot build to start (dist/main.js unless --bot names another), and node flags to add to the deployed ones. */
type EntryOption = { readonly entry?: string; readonly nodeFlags?: readonly string[] };

const profileFlags = (dir: string | undefined): string[] =>
  dir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];

/** The top self-time functions of the profile a stopped bot wrote into `dir`. */
function profileIn(dir: string | undefined): ProfileResult | undefined {
  if (dir === undefined) return undefined;
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) return undefined;
  const { busyMs, rows } = selfTimes(readProfile(join(dir, file)), 25);
  return { file: join(dir, file), busyMs, rows };
}

function printProfile(what: string, profile: ProfileResult | undefined): void {
  if (profile === undefined) return;
  console.log(`bot CPU profile, ${what} (${profile.file}), busy ${profile.busyMs.toFixed(0)} ms; top self time:`);
  for (const r of profile.rows.slice(0, 20))
    console.log(`  ${r.percent.toFixed(1).padStart(5)} %  ${r.selfMs.toFixed(0).padStart(6)} ms  ${r.function}`);
  console.log('');
}

interface HeapFigures {
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
  readonly externalMb: number;
  readonly rssMb: number;
}

function heapOf(samples: ReadonlyMap<string, number>): HeapFigures {
  return {
    heapUsedMb: sampleSum(samples, 'nodejs_heap_size_used_bytes') / MB,
    heapTotalMb: sampleSum(samples, 'nodejs_heap_size_total_bytes') / MB,
    externalMb: sampleSum(samples, 'nodejs_external_memory_bytes') / MB,
    rssMb: sampleSum(samples, 'process_resident_memory_bytes') / MB,
  };
}

const acksOf = (rounds: readonly Round[]): number[] => rounds.flatMap((r) => r.load.acksMs);
const errorsOf = (rounds: readonly Round[]): string[] => rounds.flatMap((r) => r.load.errors);

interface AcksResult {
  readonly floor: Summary;
  readonly bot: Summary;
  readonly floorErrors: number;
  readonly botErrors: string[];
  readonly commands: number;
  readonly accepted: number;
  readonly finished: number;
  readonly drainMs: number[];
  readonly drainBoundMs: number;
  /** Per bot round: first command sent to last message; and the floor's time to take as many commands. */
  readonly spanMs: number[];
  readonly floorSubmitMs: number[];
  readonly cpuMsPerCommand: number;
  readonly floorCpuMsPerCommand: number;
  /** What serving the bot's Slack and cloud calls cost the stand-ins, which share the machine's cores. */
  readonly worldCpuMsPerCommand: number;
  readonly rss: {
    readonly floorIdle: number;
    readonly botIdle: number;
    readonly floorAfterLoad: number;
    readonly botAfterLoad: number;
    readonly floorAfterIdle: number;
    readonly botAfterIdle: number;
  };
  /** The bot's own view of its memory (prom-client's Node metrics), in MB. */
  readonly heap: { readonly afterLoad: HeapFigures; readonly afterIdle: HeapFigures };
  readonly meanAssociateLatencyMs: number;
  readonly profile?: ProfileResult | undefined;
}

async function acksScenario(
  world: World,
  dir: string,
  sizes: Sizes,
  shape: CloudShape,
  profileDir: string | undefined,
  entry: EntryOption,
): Promise<AcksResult> {
  const secret = randomBytes(16).toString('hex');
  const commands = new Commands(world.info);
  const floor = await startFloor(dir, secret);
  const bot = await startBot('bot', world.info, join(dir, 'bot-acks'), secret, {
    ...entry,
    maxVolumes: 100,
    nodeFlags: [...(entry.nodeFlags ?? []), ...profileFlags(profileDir)],
  });
  try {
    log(`acks: warm-up, ${sizes.warmup} commands each`);
    await floorRound(floor, secret, sizes.warmup, sizes.concurrency, () => commands.body(1));
    await botRound(world, bot, secret, sizes.warmup, sizes.concurrency, () => commands.body(1));
    await sleep(2000);
    const floorIdle = processUsage(floor.child.pid).rssBytes;
    const botIdle = processUsage(bot.child.pid).rssBytes;
    const floorRounds: Round[] = [];
    let floorCpuMs = 0;
    const botRounds: Round[] = [];
    let floorAfterLoad = 0;
    for (let r = 0; r < sizes.ackRounds; r += 1) {
      const floorCpu = processUsage(floor.child.pid).cpuMs;
      floorRounds.push(await floorRound(floor, secret, sizes.ackPerRound, sizes.concurrency, () => commands.body(1)));
      floorCpuMs += processUsage(floor.child.pid).cpuMs - floorCpu;
      floorAfterLoad = processUsage(floor.child.pid).rssBytes;
      const round = await botRound(world, bot, secret, sizes.ackPerRound, sizes.concurrency, () => commands.body(1));
      botRounds.push(round);
      const s = summarize(round.load.acksMs);
      const f = summarize(floorRounds[r]?.load.acksMs ?? []);
      log(
        `acks round ${r + 1}/${sizes.ackRounds}: floor p50 ${f.p50.toFixed(1)} p99 ${f.p99.toFixed(1)} max ${f.max.toFixed(1)} ms | ` +
          `bot p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} max ${s.max.toFixed(1)} ms, drain ${String(round.drainMs)} ms`,
      );
    }
    const botAfterLoad = processUsage(bot.child.pid).rssBytes;
    const samples = await bot.metrics();
    const heapAfterLoad = heapOf(samples);
    const total = sizes.warmup + sizes.ackRounds * sizes.ackPerRound;
    const accepted = sampleSum(samples, 'backup_bot_commands_total', 'subcommand="associate"', 'outcome="accepted"');
    const finished = sampleSum(samples, 'backup_bot_requests_final_total', 'state="succeeded"');
    log(`acks: idle for ${sizes.idleMs / 1000} s`);
    await sleep(sizes.idleMs);
    const botAfterIdle = processUsage(bot.child.pid).rssBytes;
    const heapAfterIdle = heapOf(await bot.metrics());
    const floorAfterIdle = processUsage(floor.child.pid).rssBytes;
    const progress = await world.progress();
    const botCommands = sizes.ackRounds * sizes.ackPerRound;
    const result: AcksResult = {
      floor: summarize(acksOf(floorRounds)),
      bot: summarize(acksOf(botRounds)),
      floorErrors: errorsOf(floorRounds).length,
      botErrors: errorsOf(botRounds),
      commands: total,
      accepted,
      finished,
      drainMs: botRounds.map((r) => r.drainMs ?? Number.NaN),
      spanMs: botRounds.map((r) => r.spanMs ?? Number.NaN),
      floorSubmitMs: floorRounds.map((r) => r.load.lastAckAt - r.load.startedAt),
      drainBoundMs: cloudBoundMs(1, 1, shape),
      cpuMsPerCommand: botRounds.reduce((a, r) => a + (r.cpuMs ?? 0), 0) / botCommands,
      floorCpuMsPerCommand: floorCpuMs / botCommands,
      worldCpuMsPerCommand: botRounds.reduce((a, r) => a + (r.worldCpuMs ?? 0), 0) / botCommands,
      rss: { floorIdle, botIdle, floorAfterLoad, botAfterLoad, floorAfterIdle, botAfterIdle },
      heap: { afterLoad: heapAfterLoad, afterIdle: heapAfterIdle },
      meanAssociateLatencyMs: progress.meanAssociateLatencyMs ?? Number.NaN,
    };
    await bot.child.stop();
    return { ...result, profile: profileIn(profileDir) };
  } finally {
    await Promise.all([floor.child.stop(), bot.child.stop()]);
  }
}

interface HistoryResult {
  readonly rows: number;
  readonly seedMs: number;
  readonly empty: Summary;
  readonly history: Summary;
  /** The median over rounds of each round's ack p50: a round that a noisy neighbour slowed does not decide. */
  readonly emptyRoundP50: number;
  readonly historyRoundP50: number;
  /** Each round's ack p50 of the full store over the empty store's in the same round, their median. */
  readonly pairedP50Ratio: number;
  readonly roundP50s: { readonly empty: number[]; readonly history: number[] };
  readonly emptyCpuMsPerCommand: number;
  readonly historyCpuMsPerCommand: number;
  readonly errors: number;
}

async function historyScenario(world: World, dir: string, sizes: Sizes, entry: EntryOption): Promise<HistoryResult> {
  const secret = randomBytes(16).toString('hex');
  const commands = new Commands(world.info);
  const historyDir = join(dir, 'bot-history');
  mkdirSync(historyDir, { recursive: true });
  log(`history: seeding ${sizes.historyRows.toLocaleString('en')} finished requests`);
  const seedStart = Date.now();
  await seedHistory({
    path: join(historyDir, 'bot.db'),
    count: sizes.historyRows,
    teamId: world.info.teamId,
    channel: world.info.channel,
    users: world.info.users.map((u) => u.id),
    projectId: world.info.projectId,
    policy: { id: POLICY_ID, name: POLICY },
    volumeIds: world.info.volumeIds,
    endAt: Date.now() - 60_000,
    spanMs: 365 * 24 * 3600 * 1000,
  });
  const seedMs = Date.now() - seedStart;
  log(`history: seeded in ${(seedMs / 1000).toFixed(1)} s`);
  const empty = await startBot('bot (empty store)', world.info, join(dir, 'bot-empty'), secret, {
    ...entry,
    maxVolumes: 100,
  });
  const history = await startBot('bot (100k history)', world.info, historyDir, secret, { ...entry, maxVolumes: 100 });
  try {
    for (const bot of [empty, history])
      await botRound(world, bot, secret, sizes.warmup, sizes.concurrency, () => commands.body(1));
    const rounds = { empty: [] as Round[], history: [] as Round[] };
    for (let r = 0; r < sizes.historyRounds; r += 1) {
      // Alternating which goes first, so neither always runs right after the other's drain.
      const order = r % 2 === 0 ? (['empty', 'history'] as const) : (['history', 'empty'] as const);
      for (const which of order) {
        const bot = which === 'empty' ? empty : history;
        rounds[which].push(
          await botRound(world, bot, secret, sizes.historyPerRound, sizes.concurrency, () => commands.body(1)),
        );
      }
      log(
        `history round ${r + 1}/${sizes.historyRounds}: ack p50 empty ${summarize(rounds.empty[r]?.load.acksMs ?? []).p50.toFixed(1)} ms, ` +
          `history ${summarize(rounds.history[r]?.load.acksMs ?? []).p50.toFixed(1)} ms`,
      );
    }
    const cpuPerCommand = (rs: readonly Round[]): number =>
      rs.reduce((a, r) => a + (r.cpuMs ?? 0), 0) / (rs.length * sizes.historyPerRound);
    const p50s = (rs: readonly Round[]): number[] => rs.map((r) => summarize(r.load.acksMs).p50);
    const roundP50s = { empty: p50s(rounds.empty), history: p50s(rounds.history) };
    return {
      rows: sizes.historyRows,
      seedMs,
      empty: summarize(acksOf(rounds.empty)),
      history: summarize(acksOf(rounds.history)),
      emptyRoundP50: median(roundP50s.empty),
      historyRoundP50: median(roundP50s.history),
      pairedP50Ratio: pairedRatio(roundP50s.history, roundP50s.empty),
      roundP50s,
      emptyCpuMsPerCommand: cpuPerCommand(rounds.empty),
      historyCpuMsPerCommand: cpuPerCommand(rounds.history),
      errors: errorsOf([...rounds.empty, ...rounds.history]).length,
    };
  } finally {
    await Promise.all([empty.child.stop(), history.child.stop()]);
  }
}

interface BulkResult {
  readonly requests: number;
  readonly volumes: number;
  readonly runsMs: number[];
  /** Each run's bound: the latencies its calls drew (`drawnBoundMs`). */
  readonly runBoundsMs: number[];
  /** The run of median efficiency: its time and its bound. */
  readonly measuredMs: number;
  readonly boundMs: number;
  /** One wave of mean latency: the bound the figures before 1 December used. */
  readonly meanBoundMs: number;
  readonly submitMs: number;
  readonly errors: number;
  readonly big: {
    readonly volumes: number;
    readonly measuredMs: number;
    readonly boundMs: number;
    readonly meanBoundMs: number;
    readonly idleRssBytes: number;
    readonly peakRssBytes: number;
  };
  readonly profile?: ProfileResult | undefined;
}

async function bulkScenario(
  world: World,
  dir: string,
  sizes: Sizes,
  shape: CloudShape,
  profileDir: string | undefined,
  entry: EntryOption,
): Promise<BulkResult> {
  const secret = randomBytes(16).toString('hex');
  const commands = new Commands(world.info);
  const bot = await startBot('bot (bulk)', world.info, join(dir, 'bot-bulk'), secret, {
    ...entry,
    maxVolumes: 1000,
    nodeFlags: [...(entry.nodeFlags ?? []), ...profileFlags(profileDir)],
  });
  try {
    await botRound(world, bot, secret, sizes.warmup, sizes.concurrency, () => commands.body(1));
    const runsMs: number[] = [];
    const runBoundsMs: number[] = [];
    const submits: number[] = [];
    const slots = callSlots(sizes.bulkRequests, sizes.bulkVolumes, shape);
    let errors = 0;
    for (let run = 0; run < sizes.bulkRuns; run += 1) {
      const round = await botRound(world, bot, secret, sizes.bulkRequests, sizes.concurrency, () =>
        commands.body(sizes.bulkVolumes),
      );
      errors += round.load.errors.length;
      runsMs.push((round.lastSummaryAt ?? Number.NaN) - round.load.startedAt);
      runBoundsMs.push(drawnBoundMs(round.associateLatenciesMs ?? [], slots));
      submits.push(round.load.lastAckAt - round.load.startedAt);
      log(
        `bulk ${sizes.bulkRequests}x${sizes.bulkVolumes} run ${run + 1}/${sizes.bulkRuns}: last summary after ${String(runsMs.at(-1))} ms, ` +
          `bound ${String(runBoundsMs.at(-1))} ms (slowest call), bot CPU ${(round.cpuMs ?? Number.NaN).toFixed(0)} ms`,
      );
    }
    await sleep(2000);
    const idleRssBytes = processUsage(bot.child.pid).rssBytes;
    const sampler = sampleRss(bot.child.pid);
    const big = await botRound(world, bot, secret, 1, 1, () => commands.body(sizes.bigVolumes));
    const peakRssBytes = sampler.stop();
    const bigMs = (big.lastSummaryAt ?? Number.NaN) - big.load.startedAt;
    const bigBoundMs = drawnBoundMs(big.associateLatenciesMs ?? [], callSlots(1, sizes.bigVolumes, shape));
    const middle = medianRun(runsMs, runBoundsMs);
    await bot.child.stop();
    log(
      `one request of ${sizes.bigVolumes} volumes: summary after ${bigMs} ms, peak RSS ${(peakRssBytes / MB).toFixed(0)} MB`,
    );
    return {
      requests: sizes.bulkRequests,
      volumes: sizes.bulkVolumes,
      runsMs,
      runBoundsMs,
      measuredMs: runsMs[middle] ?? Number.NaN,
      boundMs: runBoundsMs[middle] ?? Number.NaN,
      meanBoundMs: cloudBoundMs(sizes.bulkRequests, sizes.bulkVolumes, shape),
      submitMs: median(submits),
      errors: errors + big.load.errors.length,
      big: {
        volumes: sizes.bigVolumes,
        measuredMs: bigMs,
        boundMs: bigBoundMs,
        meanBoundMs: cloudBoundMs(1, sizes.bigVolumes, shape),
        idleRssBytes,
        peakRssBytes,
      },
      profile: profileIn(profileDir),
    };
  } finally {
    await bot.child.stop();
  }
}

function goalRows(
  acks: AcksResult | undefined,
  history: HistoryResult | undefined,
  bulk: BulkResult | undefined,
): GoalRow[] {
  const rows: GoalRow[] = [];
  if (history !== undefined) {
    const n = history.rows.toLocaleString('en');
    rows.push(
      {
        goal: '1',
        what: `ack p50, ${n} stored vs empty (ms; ratio: median of paired rounds)`,
        base: history.emptyRoundP50,
        value: history.historyRoundP50,
        ratio: history.pairedP50Ratio,
        target: '<= 1.1x',
        met: history.pairedP50Ratio <= 1.1,
      },
      {
        goal: '1',
        what: `CPU per command, ${n} stored vs empty (ms)`,
        base: history.emptyCpuMsPerCommand,
        value: history.historyCpuMsPerCommand,
        ratio: ratio(history.historyCpuMsPerCommand, history.emptyCpuMsPerCommand),
        target: '<= 1.1x',
        met: ratio(history.historyCpuMsPerCommand, history.emptyCpuMsPerCommand) <= 1.1,
      },
    );
  }
  if (acks !== undefined) {
    const { floor, bot } = acks;
    rows.push(
      {
        goal: '2',
        what: 'ack p50 at 50 concurrent (ms)',
        base: floor.p50,
        value: bot.p50,
        ratio: ratio(bot.p50, floor.p50),
        target: '<= 1.5x',
        met: ratio(bot.p50, floor.p50) <= 1.5,
      },
      {
        goal: '2',
        what: 'ack p99 at 50 concurrent (ms)',
        base: floor.p99,
        value: bot.p99,
        ratio: ratio(bot.p99, floor.p99),
        target: '<= 1.5x',
        met: ratio(bot.p99, floor.p99) <= 1.5,
      },
      {
        goal: '2',
        what: 'slowest ack (ms)',
        base: floor.max,
        value: bot.max,
        ratio: ratio(bot.max, floor.max),
        target: '< 1000 ms',
        met: bot.max < 1000,
      },
      {
        goal: '2',
        what: 'errors (non-200 or no answer)',
        base: acks.floorErrors,
        value: acks.botErrors.length,
        ratio: Number.NaN,
        target: '0',
        met: acks.botErrors.length === 0,
      },
      {
        goal: '2',
        what: `requests finished with a summary (of ${acks.commands})`,
        base: acks.commands,
        value: acks.finished,
        ratio: Number.NaN,
        target: 'all',
        met: acks.finished === acks.commands && acks.accepted === acks.commands,
      },
      {
        goal: '2',
        what: 'drain: last ack to last message, median round (ms)',
        base: acks.drainBoundMs,
        value: median(acks.drainMs),
        ratio: ratio(median(acks.drainMs), acks.drainBoundMs),
        target: '<= 1.5x',
        met: ratio(median(acks.drainMs), acks.drainBoundMs) <= 1.5,
      },
      {
        goal: '2',
        what: 'round: first command to last message, median (ms)',
        base: median(acks.floorSubmitMs) + acks.drainBoundMs,
        value: median(acks.spanMs),
        ratio: ratio(median(acks.spanMs), median(acks.floorSubmitMs) + acks.drainBoundMs),
        target: '(reported)',
        met: undefined,
      },
      {
        goal: '2',
        what: 'CPU per command, drain included (ms)',
        base: acks.floorCpuMsPerCommand,
        value: acks.cpuMsPerCommand,
        ratio: ratio(acks.cpuMsPerCommand, acks.floorCpuMsPerCommand),
        target: '(reported)',
        met: undefined,
      },
      {
        goal: '2',
        what: 'stand-ins (Slack, OTC) CPU per command (ms)',
        base: Number.NaN,
        value: acks.worldCpuMsPerCommand,
        ratio: Number.NaN,
        target: '(reported)',
        met: undefined,
      },
      {
        goal: '3',
        what: 'RSS after the load (MB)',
        base: acks.rss.floorAfterLoad / MB,
        value: acks.rss.botAfterLoad / MB,
        ratio: ratio(acks.rss.botAfterLoad, acks.rss.floorAfterLoad),
        target: '<= 1.5x',
        met: ratio(acks.rss.botAfterLoad, acks.rss.floorAfterLoad) <= 1.5,
      },
      {
        goal: '3',
        what: 'RSS after idling vs idle before (MB)',
        base: acks.rss.botIdle / MB,
        value: acks.rss.botAfterIdle / MB,
        ratio: ratio(acks.rss.botAfterIdle, acks.rss.botIdle),
        target: '<= 1.2x',
        met: ratio(acks.rss.botAfterIdle, acks.rss.botIdle) <= 1.2,
      },
    );
  }
  if (bulk !== undefined) {
    const eff = efficiency(bulk.boundMs, bulk.measuredMs);
    const meanEff = efficiency(bulk.meanBoundMs, bulk.measuredMs);
    const bigEff = efficiency(bulk.big.boundMs, bulk.big.measuredMs);
    rows.push(
      {
        goal: '4',
        what: `${bulk.requests} requests x ${bulk.volumes} volumes to last summary (ms)`,
        base: bulk.boundMs,
        value: bulk.measuredMs,
        ratio: eff,
        target: 'eff >= 0.8',
        met: eff >= 0.8,
        ratioLabel: 'eff',
      },
      {
        goal: '4',
        what: `  the same, against one call of mean latency`,
        base: bulk.meanBoundMs,
        value: bulk.measuredMs,
        ratio: meanEff,
        target: '(reported)',
        met: undefined,
        ratioLabel: 'eff',
      },
      {
        goal: '4',
        what: `1 request of ${bulk.big.volumes} volumes to its summary (ms)`,
        base: bulk.big.boundMs,
        value: bulk.big.measuredMs,
        ratio: bigEff,
        target: 'eff >= 0.8',
        met: bigEff >= 0.8,
        ratioLabel: 'eff',
      },
      {
        goal: '4',
        what: `peak RSS, 1 request of ${bulk.big.volumes} volumes (MB)`,
        base: bulk.big.idleRssBytes / MB,
        value: bulk.big.peakRssBytes / MB,
        ratio: ratio(bulk.big.peakRssBytes, bulk.big.idleRssBytes),
        target: '(reported)',
        met: undefined,
      },
    );
  }
  return rows;
}

function gitCommit(): string {
  const out = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  return `${out.stdout.trim()}${dirty === '' ? '' : '+dirty'}`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // Ctrl-C ends the run through process.exit, whose 'exit' hook stops every child process.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const base = args.quick ? QUICK : FULL;
  const sizes = args.idleMs === undefined ? base : { ...base, idleMs: args.idleMs };
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-if-needed.js')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
  const dir = mkdtempSync(join(tmpdir(), 'otc-backup-bot-bench-'));
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const profileDir = args.profile ? join(resultsDir, `profile-${stamp}`) : undefined;
  log(`${args.quick ? 'quick' : 'full'} run; working in ${dir}`);
  const world = await startWorld(dir);
  const shape: CloudShape = {
    chunkSize: CHUNK_SIZE,
    concurrencyPerRequest: CONCURRENCY_PER_REQUEST,
    globalConcurrency: Infinity,
    latencyMs: (world.info.latencyMinMs + world.info.latencyMaxMs) / 2,
  };
  let keep = false;
  try {
    const entry: EntryOption = { ...(args.bot !== undefined && { entry: args.bot }), nodeFlags: args.nodeFlags };
    const profileOf = (scenario: string): string | undefined =>
      profileDir === undefined ? undefined : join(profileDir, scenario);
    const acks = args.only.has('acks')
      ? await acksScenario(world, dir, sizes, shape, profileOf('acks'), entry)
      : undefined;
    const history = args.only.has('history') ? await historyScenario(world, dir, sizes, entry) : undefined;
    const bulk = args.only.has('bulk')
      ? await bulkScenario(world, dir, sizes, shape, profileOf('bulk'), entry)
      : undefined;
    const progress = await world.progress();
    const rows = goalRows(acks, history, bulk);
    const result = {
      at: new Date().toISOString(),
      commit: gitCommit(),
      bot: args.bot ?? 'dist/main.js',
      nodeFlags: [...deployedNodeFlags(), ...args.nodeFlags],
      quick: args.quick,
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? '',
        memoryMb: Math.round(totalmem() / MB),
        node: process.version,
      },
      sizes,
      cloud: {
        ...shape,
        globalConcurrency: 'none',
        latencyRangeMs: [world.info.latencyMinMs, world.info.latencyMaxMs],
      },
      world: progress,
      goals: rows,
      acks,
      history,
      bulk,
    };
    const file = join(resultsDir, `${stamp}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log('');
    console.log(formatTable(rows));
    console.log('');
    printProfile('acks at 50 concurrent', acks?.profile);
    printProfile('bulk', bulk?.profile);
    if (progress.refused > 0) console.log(`the Slack stand-in refused ${progress.refused} calls (see the world log)`);
    console.log(
      `bot: ${result.bot} (node ${result.nodeFlags.join(' ')}), commit ${result.commit}; machine: ${result.machine.cpus} x ${result.machine.model}, node ${process.version}; results: ${file}`,
    );
  } catch (e) {
    keep = true;
    log(`failed; logs kept in ${dir}`);
    throw e;
  } finally {
    await closeAgents();
    await world.child.stop();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
