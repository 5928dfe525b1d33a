import type { DemoWorld } from './demo-world';
import { approveLatestCard, DEMO_PROJECT_ID, startDemoWorld } from './demo-world';
import { describeEvents } from './show-events';
import { waitFor } from './wait';

export const DEMO_COMMANDS = {
  typo: 'associate daily-7d db-data-2 db-dta-2',
  partial:
    'associate daily-7d 0f187b65-8d0e-4fc0-9096-3b55d330531e, db-data-2 sap-hana-data-1 --reason "INC-4711 db disks"',
  approval: 'associate weekly-4w db-log-2 --reason "keep a weekly copy of the db-02 logs"',
  now: 'associate daily-7d web-02-data app-01-logs --now --reason "INC-4711 copy before the hotfix"',
} as const;

const ALICE = 'U0ALICE001';
const BOB = 'U0BOB00001';
const DAVE = 'U0DAVE0001';
const CAROL = 'U0CAROL001';
const INCIDENT = 'C0INC4711';
const GENERAL = 'C0GENERAL1';

type Print = (line: string) => void;

function show(world: DemoWorld, print: Print, from: number, asker: string): void {
  for (const line of describeEvents(world.slack.state.log.slice(from), world.workspace, asker)) print(line);
}

async function command(
  world: DemoWorld,
  print: Print,
  who: { id: string; name: string; channel: string; channelName: string },
  text: string,
): Promise<string | undefined> {
  const from = world.slack.state.log.length;
  print(`  @${who.name} in #${who.channelName} types:  /backup ${text}`);
  const startedAt = Date.now();
  const sent = await world.driver.slashCommand({ userId: who.id, channelId: who.channel, text });
  print(`  (Slack got its answer in time: HTTP ${sent.status})`);
  await waitFor('a reply to the command', () => (world.slack.state.log.length > from ? true : undefined));
  const request = (
    await world.bot.store.queries.listRequests({ teamId: world.workspace.teamId, since: startedAt, limit: 1 })
  )[0];
  if (request !== undefined) await world.settle(request.id, 10_000, { finalOrWaiting: true });
  show(world, print, from, who.name);
  return request?.id;
}

/** Bob approves the card: the click opens a modal, he writes a comment and submits it. */
async function approve(world: DemoWorld, print: Print, requestId: string): Promise<void> {
  const from = world.slack.state.log.length;
  print('  @bob clicks Approve on the card, writes "ok for a weekly copy" and submits the modal.');
  await approveLatestCard(world, requestId, { userId: BOB, comment: 'ok for a weekly copy' });
  await world.settle(requestId);
  show(world, print, from, 'bob');
}

/** The fields of the "Protect volumes" step in the demo's incident workflow. */
export const DEMO_STEP_FIELDS = {
  policy: 'daily-7d',
  volumes: 'prometheus-data',
  reason: 'INC-4711 keep the metrics of the incident',
} as const;

/**
 * Someone runs the incident workflow, whose "Protect volumes" step asks for a backup: the channel
 * sees the same record as for a typed command, and the workflow gets the step's outputs (or its error).
 */
async function workflowStep(world: DemoWorld, print: Print, who: { id: string; name: string }): Promise<void> {
  const from = world.slack.state.log.length;
  const f = DEMO_STEP_FIELDS;
  print(`  @${who.name} runs the workflow "Incident: protect the disks", in #inc-4711-db-latency. Its step:`);
  print(`    Protect volumes · policy ${f.policy} · volumes ${f.volumes} · reason "${f.reason}"`);
  const startedAt = Date.now();
  const sent = await world.driver.functionExecuted({ userId: who.id, channelId: INCIDENT, fields: f });
  print(`  (Slack got its answer in time: HTTP ${sent.status})`);
  const end = await waitFor('the step to end', () => world.slack.state.steps.runs.get(sent.run.executionId)?.ended);
  const request = (
    await world.bot.store.queries.listRequests({ teamId: world.workspace.teamId, since: startedAt, limit: 1 })
  )[0];
  if (request !== undefined) await world.settle(request.id);
  show(world, print, from, who.name);
  if (end.kind === 'success')
    print(
      `── the workflow's next steps get: ${Object.entries(end.outputs)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ')}`,
    );
  else print(`── the step fails; Slackbot tells @${who.name}: ${end.error}`);
}

/** Waits until the bot has said how each disk's first backup went, and shows it. */
async function firstBackups(world: DemoWorld, print: Print, requestId: string): Promise<void> {
  const from = world.slack.state.log.length;
  print('  (a few seconds later, the sandbox has run the backups)');
  await waitFor(
    'the first backups to be reported',
    async () => {
      const request = await world.bot.store.requests.get(requestId as never);
      return request?.watch?.closed !== undefined && (await world.bot.store.outbox.listOpen(request.id)).length === 0
        ? true
        : undefined;
    },
    20_000,
  );
  show(world, print, from, 'alice');
}

/** The bot's main job, end to end, with no Slack workspace and no cloud account. */
export async function runDemo(print: Print): Promise<void> {
  const world = await startDemoWorld();
  try {
    print(
      'otc-backup-bot demo: the real bot in HTTP mode, a Slack stand-in and the built-in OTC sandbox, all on loopback.',
    );
    print(`  cloud sandbox: ${world.sandbox.url} (project prod = ${DEMO_PROJECT_ID})`);
    print(`  Slack stand-in: ${world.slack.apiUrl}   bot: http://127.0.0.1:${world.bot.port}/slack/events`);
    print('  rules: @sre-oncall may always; anyone in an inc-* channel may add up to 10 volumes to daily-* policies;');
    print('         everyone else needs the approval of @backup-admins (cards in #backup-approvals).');
    const alice = { id: ALICE, name: 'alice', channel: INCIDENT, channelName: 'inc-4711-db-latency' };

    print('');
    print('▶ 1. A typo: the bot explains, only to the asker, and changes nothing');
    await command(world, print, alice, DEMO_COMMANDS.typo);

    print('');
    print('▶ 2. A real request: two disks are protected, one cannot be (a HANA disk)');
    await command(world, print, alice, DEMO_COMMANDS.partial);

    print('');
    print('▶ 3. A request that needs approval: @dave asks in #general, @bob approves');
    const requestId = await command(
      world,
      print,
      { id: DAVE, name: 'dave', channel: GENERAL, channelName: 'general' },
      DEMO_COMMANDS.approval,
    );
    if (requestId === undefined) throw new Error('the approval request was not recorded');
    await approve(world, print, requestId);

    print('');
    print(
      '▶ 4. A Workflow Builder step: the incident workflow protects a disk for @alice; @carol (a guest) is refused',
    );
    await workflowStep(world, print, { id: ALICE, name: 'alice' });
    await workflowStep(world, print, { id: CAROL, name: 'carol' });

    print('');
    print('▶ 5. Back up now, and proof the first backup ran: one line per disk in the thread');
    const nowId = await command(world, print, alice, DEMO_COMMANDS.now);
    if (nowId === undefined) throw new Error('the --now request was not recorded');
    await firstBackups(world, print, nowId);

    print('');
    const changes = world.sandbox.requests.filter((r) => r.route === 'vbs.associate').length;
    print(
      `Cloud calls that changed something: ${changes} (one per request that passed its checks; none for the typo or the guest).`,
    );
  } catch (e) {
    print('The demo failed. The bot log follows:');
    for (const line of world.logger.lines) print(line);
    throw e;
  } finally {
    await world.stop();
  }
}
