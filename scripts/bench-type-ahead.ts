/**
 * Benchmark (reports numbers, asserts nothing): how fast the request form's volume type-ahead
 * answers for a project with 5,000 volumes, through the real bot over HTTP (signed
 * block_suggestion requests, the Bolt app, the cache, the sandbox cloud).
 *   npm run bench:type-ahead
 */
import { startDemoWorld, DEMO_PROJECT_ID } from '../src/demo/demo-world';
import { waitFor } from '../src/demo/wait';

const VOLUMES = 5000;
const QUERIES = 300;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const world = await startDemoWorld();
  try {
    const zones = ['eu-de-01', 'eu-de-02', 'eu-de-03'];
    for (let i = 0; i < VOLUMES; i += 1) {
      world.sandbox.state.addVolume(DEMO_PROJECT_ID, {
        name: `vol-${String(i).padStart(5, '0')}-${['data', 'logs', 'root'][i % 3] ?? 'data'}`,
        size: 10 + (i % 500),
        availabilityZone: zones[i % 3] ?? 'eu-de-01',
      });
    }
    await world.driver.slashCommand({ userId: 'U0ALICE001', channelId: 'C0INC4711', text: 'associate' });
    const form = await waitFor('the form', () =>
      [...world.slack.state.views.values()].find((v) => v.view['callback_id'] === 'request.form'),
    );
    const ask = async (value: string) => {
      const started = process.hrtime.bigint();
      const res = await world.driver.suggest({
        userId: 'U0ALICE001',
        viewId: form.id,
        blockId: 'volumes.prod',
        actionId: 'form.volumes',
        value,
      });
      return { ms: Number(process.hrtime.bigint() - started) / 1e6, count: res.options.length };
    };
    const before = world.sandbox.requests.length;
    const cold = await ask('vol-0');
    const listing = world.sandbox.requests.length - before;
    const times: number[] = [];
    for (let i = 0; i < QUERIES; i += 1)
      times.push(
        (
          await ask(
            `vol-${String((i * 37) % VOLUMES)
              .padStart(5, '0')
              .slice(0, 1 + (i % 5))}`,
          )
        ).ms,
      );
    times.sort((a, b) => a - b);
    console.log(`project with ${world.sandbox.state.listVolumes(DEMO_PROJECT_ID).length} volumes`);
    console.log(
      `first query (cache empty; ${listing} cloud calls: IAM token, server list, EVS pages of 1000): ${cold.ms.toFixed(1)} ms, ${cold.count} options`,
    );
    console.log(
      `next ${QUERIES} queries (cached, no cloud call: ${world.sandbox.requests.length - before - listing} calls): p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, max ${(times.at(-1) ?? Number.NaN).toFixed(1)} ms`,
    );
    console.log('Slack allows 3000 ms for an options request.');
  } finally {
    await world.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
