import type { App } from '@slack/bolt';
import { timeSocketAcks } from '../../src/metrics/socket-acks';

type ProcessEvent = App['processEvent'];
type Envelope = Parameters<ProcessEvent>[0];

/** An app whose processEvent runs `listener` with the envelope's ack, as Bolt would. */
function fakeApp(listener: (ack: Envelope['ack']) => Promise<void>): App {
  const app = {
    processEvent: async (event: Envelope) => {
      await listener(event.ack);
    },
  };
  return app as unknown as App;
}

const envelope = (acks: unknown[]): Envelope => ({
  body: {},
  ack: (response?: unknown) => {
    acks.push(response);
    return Promise.resolve();
  },
});

describe('the envelopes waiting for their ack (Socket Mode)', () => {
  it('are settled once each was acked, and each ack is timed once', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const app = fakeApp(async (ack) => {
      await gate;
      await ack();
      await ack(); // a second ack is passed on, not timed again
    });
    const timed: number[] = [];
    let now = 1_000;
    const acks = timeSocketAcks(app, { now: () => now }, (ms) => timed.push(ms));
    const sent: unknown[] = [];
    const processing = app.processEvent(envelope(sent));
    expect(acks.waiting).toBe(1);
    let settled = false;
    void acks.settled().then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    now = 1_250;
    release();
    await processing;
    await Promise.resolve();
    expect(settled).toBe(true);
    expect(acks.waiting).toBe(0);
    expect(timed).toEqual([250]);
    expect(sent).toHaveLength(2);
  });

  it('are settled too when a listener gave up without acking, and at once when none waits', async () => {
    const app = fakeApp(() => Promise.reject(new Error('listener failed')));
    const acks = timeSocketAcks(app, { now: () => 0 }, () => undefined);
    await expect(acks.settled()).resolves.toBeUndefined();
    await expect(app.processEvent(envelope([]))).rejects.toThrow('listener failed');
    expect(acks.waiting).toBe(0);
    await expect(acks.settled()).resolves.toBeUndefined();
  });
});
