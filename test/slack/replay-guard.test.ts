import type { IncomingMessage } from 'node:http';
import { signSlackRequest } from '../../src/demo/slack-driver';
import { createMemoryLogger } from '../../src/log/logger';
import { checkReplay, REPLAY_CHECK_BUDGET_MS } from '../../src/slack/replay-guard';
import { ManualClock } from '../helpers/manual-clock';

const SECRET = 'test-signing-secret';

/** A signed request's headers, as the HTTP face sees them. */
function signedRequest(clock: ManualClock, body: string): IncomingMessage {
  const timestamp = String(Math.floor(clock.now() / 1000));
  const headers = {
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': signSlackRequest(SECRET, timestamp, body),
  };
  return { headers } as unknown as IncomingMessage;
}

describe('checkReplay with a store that does not answer', () => {
  afterEach(() => jest.useRealTimers());

  it('lets the request on once the budget is spent, so the ack still comes within Slack’s 3 s', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'Date'] });
    const clock = new ManualClock();
    const logger = createMemoryLogger('debug');
    const body = 'command=%2Fbackup';
    let settled = false;
    const hanging = { signingSecret: SECRET, replays: { remember: () => new Promise<boolean>(() => undefined) } };
    const checked = checkReplay(signedRequest(clock, body), Buffer.from(body), hanging, { clock, logger }).finally(
      () => (settled = true),
    );
    await jest.advanceTimersByTimeAsync(REPLAY_CHECK_BUDGET_MS - 1);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await expect(checked).resolves.toEqual({ kind: 'admitted' });
    expect(logger.lines.some((l) => l.includes('the replay check took too long'))).toBe(true);
  });
});
