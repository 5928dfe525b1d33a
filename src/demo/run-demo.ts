import type { DemoWorld } from './demo-world';
import { DEMO_PROJECT_ID, startDemoWorld } from './demo-world';
import { describeEvents } from './show-events';
import { waitFor } from './wait';

export const DEMO_COMMANDS = {
  typo: 'associate daily-7d db-data-2 db-dta-2',
  partial:
    'associate daily-7d 0f187b65-8d0e-4fc0-9096-3b55d330531e, db-data-2 sap-hana-data-1 --reason "INC-4711 db disks"',
} as const;

const ALICE = 'U0ALICE001';
const INCIDENT = 'C0INC4711';

async function scene(world: DemoWorld, print: (line: string) => void, title: string, text: string): Promise<void> {
  const from = world.slack.state.log.length;
  print('');
  print(`▶ ${title}`);
  print(`  @alice in #inc-4711-db-latency types:  /backup ${text}`);
  const startedAt = Date.now();
  const sent = await world.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text });
  print(`  (Slack got its answer in time: HTTP ${sent.status})`);
  await waitFor('a reply to the command', () => (world.slack.state.log.length > from ? true : undefined));
  const request = (
    await world.bot.store.listRequests({ teamId: world.workspace.teamId, since: startedAt, limit: 1 })
  )[0];
  if (request !== undefined) await world.settle(request.id);
  for (const line of describeEvents(world.slack.state.log.slice(from), world.workspace, 'alice')) print(line);
}

/** The bot's main job, end to end, with no Slack workspace and no cloud account. */
export async function runDemo(print: (line: string) => void): Promise<void> {
  const world = await startDemoWorld();
  try {
    print(
      'otc-backup-bot demo: the real bot in HTTP mode, a Slack stand-in and the built-in OTC sandbox, all on loopback.',
    );
    print(`  cloud sandbox: ${world.sandbox.url} (project prod = ${DEMO_PROJECT_ID})`);
    print(`  Slack stand-in: ${world.slack.apiUrl}   bot: http://127.0.0.1:${world.bot.port}/slack/events`);
    print('  rules: @sre-oncall may always; anyone in an inc-* channel may add up to 10 volumes to daily-* policies.');
    await scene(world, print, 'A typo: the bot explains, only to the asker, and changes nothing', DEMO_COMMANDS.typo);
    await scene(
      world,
      print,
      'A real request: two disks are protected, one cannot be (a HANA disk)',
      DEMO_COMMANDS.partial,
    );
    print('');
    print(
      `Cloud calls that changed something: ${world.sandbox.requests.filter((r) => r.route === 'vbs.associate').length} (one associate call, made after the checks passed).`,
    );
  } catch (e) {
    print('The demo failed. The bot log follows:');
    for (const line of world.logger.lines) print(line);
    throw e;
  } finally {
    await world.stop();
  }
}
