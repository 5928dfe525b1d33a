import type { HomeContent } from '../../src/flow/home';
import { homeContent } from '../../src/flow/home';
import { buildHomeView } from '../../src/slack/blocks/home-view';
import type { FlowFixture } from '../support/flow-fixture';
import { actor, recorded, typeCommand, useFlowFixture, waitingForApproval } from '../support/flow-fixture';
import { ALICE, BOB, DAVE, ERIN } from '../support/flow-world';
import { HOUR, MINUTE } from '../support/test-clock';

/** The home of a person of the served workspace (a refusal fails the test). */
async function shown(f: FlowFixture, userId: string): Promise<HomeContent> {
  const home = await homeContent(f.deps, actor(userId));
  if (!home.ok) throw new Error(`no home: ${home.why}`);
  return home;
}

describe('homeContent', () => {
  const fixture = useFlowFixture();

  it('lists the person’s own recent requests, newest first, and nobody else’s', async () => {
    const f = fixture();
    const first = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1'));
    f.clock.advance(MINUTE);
    const second = recorded(await typeCommand(f, ALICE, 'weekly-4w db-data-2'));
    await waitingForApproval(f, DAVE);
    const home = await shown(f, ALICE);
    expect(home.recent.map((r) => r.id)).toEqual([second.id, first.id]);
    expect(home.toDecide).toEqual([]);
  });

  it('leaves out the person’s requests older than thirty days', async () => {
    const f = fixture();
    await typeCommand(f, ALICE, 'daily-7d db-data-1');
    f.clock.advance(31 * 24 * HOUR);
    const recent = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1'));
    expect((await shown(f, ALICE)).recent.map((r) => r.id)).toEqual([recent.id]);
  });

  it('shows at most the ten newest requests', async () => {
    const f = fixture();
    for (let i = 0; i < 11; i += 1) {
      recorded(await typeCommand(f, ALICE, `daily-7d db-data-1 --reason "run ${i}"`));
      f.clock.advance(MINUTE);
    }
    const home = await shown(f, ALICE);
    expect(home.recent.map((r) => r.reason)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((i) => `run ${i}`));
  });

  it('lists what waits for the approver’s decision, oldest first, but not their own requests', async () => {
    const f = fixture();
    const older = await waitingForApproval(f, DAVE, 'daily-7d db-data-1');
    f.clock.advance(MINUTE);
    const newer = await waitingForApproval(f, ERIN, 'daily-7d db-data-2');
    await waitingForApproval(f, BOB, 'weekly-4w db-data-1');
    const home = await shown(f, BOB);
    expect(home.toDecide.map((r) => r.id)).toEqual([older.id, newer.id]);
  });

  it('lists a rule’s request only to that rule’s approvers', async () => {
    const f = fixture();
    const critical = await waitingForApproval(f, DAVE, 'critical-hourly db-data-1 --reason INC-1');
    expect((await shown(f, ERIN)).toDecide.map((r) => r.id)).toEqual([critical.id]);
    expect((await shown(f, BOB)).toDecide).toEqual([]);
    expect((await shown(f, ALICE)).toDecide).toEqual([]);
  });

  it('looks the approver up once per set of approvers, from the directory’s cache', async () => {
    const f = fixture();
    await waitingForApproval(f, DAVE, 'daily-7d db-data-1');
    await waitingForApproval(f, ERIN, 'daily-7d db-data-2');
    f.people.calls.length = 0;
    await shown(f, BOB);
    expect(f.people.calls.filter((c) => c.method === 'groupsOf')).toEqual([
      { method: 'groupsOf', userId: BOB, fresh: false },
    ]);
  });

  it('lists nothing to decide while Slack cannot tell the groups', async () => {
    const f = fixture();
    await waitingForApproval(f);
    f.people.unknown.add('groups');
    expect((await shown(f, BOB)).toDecide).toEqual([]);
  });
});

describe('homeContent under a burst of approvals', () => {
  const fixture = useFlowFixture();

  it('still finds a request for this approver behind sixty that wait for others', async () => {
    const f = fixture();
    for (let i = 0; i < 60; i += 1) {
      await typeCommand(f, DAVE, `daily-7d db-data-1 --reason "burst ${i}"`);
      f.clock.advance(MINUTE);
    }
    const critical = await waitingForApproval(f, DAVE, 'critical-hourly db-data-1 --reason INC-1');
    const home = await shown(f, ERIN);
    expect(home.toDecide.map((r) => r.id)).toEqual([critical.id]);
    expect(home.scannedAll).toBe(true);
  });

  it('says when it read fewer than were waiting, rather than showing the list as complete', async () => {
    const f = fixture();
    await waitingForApproval(f, DAVE, 'daily-7d db-data-1');
    f.clock.advance(MINUTE);
    await waitingForApproval(f, DAVE, 'daily-7d db-data-2');
    f.clock.advance(MINUTE);
    const critical = await waitingForApproval(f, DAVE, 'critical-hourly db-data-1 --reason INC-1');
    const cut = await homeContent(f.deps, actor(ERIN), 2);
    expect(cut).toMatchObject({ ok: true, toDecide: [], scannedAll: false });
    if (!cut.ok) return;
    const view = JSON.stringify(buildHomeView(cut));
    expect(view).toContain('Waiting for your decision (0 or more)');
    expect(view).toContain('others may wait for you in the approvals channel');
    expect(await homeContent(f.deps, actor(ERIN), 3)).toMatchObject({
      toDecide: [{ id: critical.id }],
      scannedAll: true,
    });
    expect(JSON.stringify(buildHomeView({ recent: [], toDecide: [] }))).not.toContain('Waiting for your decision');
  });
});
