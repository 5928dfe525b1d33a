import { DOUBLE_SUBMIT_WINDOW_MS } from '../../src/flow/record-request';
import { backgroundTasks } from '../../src/flow/scheduler';
import { recorded, typeCommand, useFlowFixture } from '../support/flow-fixture';
import { DAVE } from '../support/flow-world';

describe('the background task that forgets double-submit keys', () => {
  const fixture = useFlowFixture();
  const dedupeTask = () => {
    const task = backgroundTasks(fixture().deps).find((t) => t.name === 'dedupe');
    if (task === undefined) throw new Error('no dedupe task');
    return task;
  };

  it("runs hourly and drops a command's key only after its window, keeping the request", async () => {
    const f = fixture();
    const first = recorded(await typeCommand(f, DAVE, 'daily-7d db-data-1'));
    expect(dedupeTask().everyMs).toBe(3_600_000);

    f.clock.advance(DOUBLE_SUBMIT_WINDOW_MS - 1);
    expect(await dedupeTask().run()).toBe(0);
    f.clock.advance(1);
    expect(await dedupeTask().run()).toBe(1);
    expect((await f.store.requests.get(first.id))?.id).toBe(first.id);
  });
});
