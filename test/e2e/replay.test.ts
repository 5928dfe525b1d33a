import { ManualClock } from '../helpers/manual-clock';
import type { StoreKind } from './world';
import {
  ALICE,
  associateCalls,
  DB_DATA_1,
  DB_DATA_2,
  INCIDENT,
  letTimePass,
  rootMessages,
  STORES,
  useWorld,
} from './world';

const MINUTE = 60_000;

describe.each(STORES)('a replayed signed request (%s)', (store: StoreKind) => {
  const clock = new ManualClock();
  const world = useWorld({ clock, replicas: 2, intervals: { outboxMs: MINUTE, resumeMs: MINUTE } }, store);

  function signedCommand(): { body: string; timestamp: string } {
    const w = world();
    const responseUrl = w.slack.newResponseUrl();
    const text = `associate daily-7d ${DB_DATA_1} --reason "INC-4711"`;
    return {
      body: w.driver.slashCommandBody({ userId: ALICE, channelId: INCIDENT, text }, responseUrl),
      timestamp: String(Math.floor(clock.now() / 1000)),
    };
  }

  async function requestsOfTeam(): Promise<number> {
    const w = world();
    return (await w.bot.store.queries.listRequests({ teamId: w.workspace.teamId, since: 0, limit: 10 })).length;
  }

  async function settleAnotherCommand(): Promise<void> {
    const w = world();
    const since = clock.now();
    const sent = await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: `associate daily-7d ${DB_DATA_2}`,
    });
    expect(sent.status).toBe(200);
    await w.settle((await w.latestRequest(since)).id);
  }

  it('creates and runs one request when the same signed command arrives again 12 s later', async () => {
    const w = world();
    const { body, timestamp } = signedCommand();
    expect((await w.driver.post(body, { timestamp })).status).toBe(200);
    await w.settle((await w.latestRequest(0)).id);

    clock.advance(12_000);
    const replay = await w.driver.post(body, { timestamp });
    expect(replay.status).toBe(401);
    // A command after the replay, settled: had the replay been let through, its request would be there by now.
    await settleAnotherCommand();

    expect(await requestsOfTeam()).toBe(2);
    expect(associateCalls(w)).toBe(2);
    expect(rootMessages(w, INCIDENT)).toHaveLength(2);
  });

  it('is refused when its timestamp comes back written another way, which Bolt would still verify', async () => {
    const w = world();
    const { body, timestamp } = signedCommand();
    const signed = w.driver.signature(timestamp, body);
    expect((await w.driver.post(body, { timestamp })).status).toBe(200);
    await w.settle((await w.latestRequest(0)).id);

    clock.advance(12_000);
    for (const written of [`0${timestamp}`, `${timestamp}.0`, `+${timestamp}`])
      expect((await w.driver.post(body, { timestamp: written, signature: signed })).status).toBe(401);
    await settleAnotherCommand();
    expect(await requestsOfTeam()).toBe(2);
    expect(associateCalls(w)).toBe(2);
  });

  it('is refused by another replica too: the replicas share what they accepted', async () => {
    const w = world();
    const [, second] = w.drivers;
    const { body, timestamp } = signedCommand();
    expect((await w.driver.post(body, { timestamp })).status).toBe(200);
    await w.settle((await w.latestRequest(0)).id);

    clock.advance(12_000);
    expect((await second!.post(body, { timestamp })).status).toBe(401);
    await settleAnotherCommand();
    expect(await requestsOfTeam()).toBe(2);
    expect(associateCalls(w)).toBe(2);
  });

  it("refuses the repeat for the whole of Slack's window, and the scheduler drops what expired", async () => {
    const w = world();
    const { body, timestamp } = signedCommand();
    expect((await w.driver.post(body, { timestamp })).status).toBe(200);
    await w.settle((await w.latestRequest(0)).id);
    await w.bot.store.replays.remember('expires-in-a-minute', clock.now() + MINUTE, clock.now());

    await letTimePass(w, clock, 5 * MINUTE);
    expect((await w.driver.post(body, { timestamp })).status).toBe(401);
    expect(await w.bot.store.replays.deleteExpired(clock.now())).toBe(0);
    expect(await requestsOfTeam()).toBe(1);
  });
});
