/**
 * The benchmark's "world", in a process of its own so that serving the bot's calls does not take
 * CPU from the load generator's clock: the Slack Web API stand-in and the OTC sandbox, with every
 * associate call answered after 300-500 ms. A small control server tells the bench what Slack
 * has seen (summaries posted, root messages edited), what the sandbox holds, and the latency each
 * associate call drew (GET /latencies?from=N).
 *   node -r ./test/helpers/register-ts.js bench/world.ts   (prints one JSON line: the control URL)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSlackStandIn } from '../src/demo/slack-stand-in/server';
import { startSandbox, DEFAULT_PROJECT_ID } from '../src/sandbox';
import { benchWorkspace, WORLD_DEFAULTS } from './world-shape';
import type { WorldInfo, WorldProgress } from './world-shape';

const volumeCount = Number(process.env['BENCH_VOLUMES'] ?? WORLD_DEFAULTS.volumes);
const userCount = Number(process.env['BENCH_USERS'] ?? WORLD_DEFAULTS.users);
const latencyMin = Number(process.env['BENCH_LATENCY_MIN_MS'] ?? WORLD_DEFAULTS.latencyMinMs);
const latencyMax = Number(process.env['BENCH_LATENCY_MAX_MS'] ?? WORLD_DEFAULTS.latencyMaxMs);

/** Faults queued ahead on the associate route, each one call's latency, drawn uniformly from [min, max]. */
const QUEUED_LATENCIES = 2000;

async function main(): Promise<void> {
  const workspace = benchWorkspace(userCount);
  const sandbox = await startSandbox({ projects: [{ id: DEFAULT_PROJECT_ID, name: 'prod', region: 'eu-de' }] });
  const slack = await startSlackStandIn({ workspace });
  const volumeIds: string[] = [];
  for (let i = 0; i < volumeCount; i += 1)
    volumeIds.push(
      sandbox.state.addVolume(DEFAULT_PROJECT_ID, {
        name: `bench-vol-${String(i).padStart(5, '0')}`,
        size: 10 + (i % 90),
        availabilityZone: `eu-de-0${1 + (i % 3)}`,
        volumeType: 'SAS',
      }).id,
    );

  let latencySum = 0;
  let latencyCount = 0;
  // Each associate call's latency, in the order the calls came: a round's are a slice of it.
  const drawn: number[] = [];
  const topUp = (): void => {
    const missing = QUEUED_LATENCIES - sandbox.faults.pending('vbs.associate');
    for (let i = 0; i < missing; i += 1) {
      const latencyMs = Math.round(latencyMin + Math.random() * (latencyMax - latencyMin));
      sandbox.faults.inject('vbs.associate', { latencyMs });
    }
  };
  topUp();
  const topUpTimer = setInterval(topUp, 20);

  // What Slack saw, read incrementally from the stand-in's call log.
  let scanned = 0;
  const progress = { summaries: 0, firstSummaryAt: 0, lastSummaryAt: 0, rootUpdates: 0, lastMessageAt: 0 };
  const scan = (): WorldProgress => {
    const calls = slack.state.calls;
    for (; scanned < calls.length; scanned += 1) {
      const call = calls[scanned];
      if (call === undefined) continue;
      if (call.method === 'chat.postMessage') {
        const metadata = call.args['metadata'] as { event_payload?: { kind?: unknown } } | undefined;
        const kind = metadata?.event_payload?.kind;
        if (kind === 'root.post' || kind === 'thread.summary')
          progress.lastMessageAt = Math.max(progress.lastMessageAt, call.at);
        if (kind === 'thread.summary') {
          progress.summaries += 1;
          if (progress.firstSummaryAt === 0) progress.firstSummaryAt = call.at;
          progress.lastSummaryAt = Math.max(progress.lastSummaryAt, call.at);
        }
      } else if (call.method === 'chat.update') {
        progress.rootUpdates += 1;
        progress.lastMessageAt = Math.max(progress.lastMessageAt, call.at);
      }
    }
    return {
      ...progress,
      associateCalls: latencyCount,
      ephemeralReplies: slack.state.responses.length,
      refused: slack.state.refused.length,
      slackCalls: calls.length,
    };
  };
  // The latencies actually drawn, for the bound: the mean of those the sandbox has taken.
  const originalTake = sandbox.faults.take.bind(sandbox.faults);
  sandbox.faults.take = (route) => {
    const fault = originalTake(route);
    if (route === 'vbs.associate' && fault?.latencyMs !== undefined) {
      latencySum += fault.latencyMs;
      latencyCount += 1;
      drawn.push(fault.latencyMs);
    }
    return fault;
  };

  const control = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://world');
    const path = url.pathname;
    let body: unknown;
    if (path === '/info') {
      const info: WorldInfo = {
        slackApiUrl: slack.apiUrl,
        slackUrl: slack.url,
        botToken: slack.botToken,
        sandboxUrl: sandbox.url,
        credentials: sandbox.credentials,
        projectId: DEFAULT_PROJECT_ID,
        volumeIds,
        teamId: workspace.teamId,
        channel: { id: workspace.channels[0]?.id ?? '', name: workspace.channels[0]?.name ?? '' },
        users: workspace.users.filter((u) => u.isBot !== true).map((u) => ({ id: u.id, name: u.name })),
        latencyMinMs: latencyMin,
        latencyMaxMs: latencyMax,
      };
      body = info;
    } else if (path === '/progress') {
      const p = scan();
      body = { ...p, meanAssociateLatencyMs: p.associateCalls === 0 ? Number.NaN : latencySum / p.associateCalls };
    } else if (path === '/latencies') {
      // The latencies of the associate calls from the `from`-th on (0-based, as /progress counts them).
      body = drawn.slice(Number(url.searchParams.get('from') ?? 0));
    } else {
      res.writeHead(404).end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const stop = (): void => {
    clearInterval(topUpTimer);
    control.close();
    void Promise.all([slack.stop(), sandbox.stop()]).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  console.log(JSON.stringify({ control: `http://127.0.0.1:${(control.address() as AddressInfo).port}` }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
