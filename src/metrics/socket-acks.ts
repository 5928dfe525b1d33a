import type { App } from '@slack/bolt';
import type { Clock } from '../flow/ports';

/** The envelopes Bolt was handed over the socket and has not acked yet. */
export interface SocketAcks {
  /** How many are waiting for their ack. */
  readonly waiting: number;
  /** Resolves once none is waiting (at once when none is): each was acked, or its listeners gave up. */
  settled(): Promise<void>;
}

/**
 * Socket Mode has no HTTP request to time: each envelope's ack is timed from the moment the
 * receiver hands it to Bolt until the listener acks. (HTTP mode times the answer in http-server.ts,
 * which also counts the replay check before Bolt.) The envelopes not acked yet are counted, so
 * that a stop closes the socket only once their acks were sent: a form's submit acks after its
 * check, and an ack cannot cross a closed socket.
 */
export function timeSocketAcks(app: App, clock: Clock, observe: (ms: number) => void): SocketAcks {
  const processEvent = app.processEvent.bind(app);
  let waiting = 0;
  let waiters: Array<() => void> = [];
  const doneOne = (): void => {
    waiting -= 1;
    if (waiting > 0) return;
    const wake = waiters;
    waiters = [];
    for (const w of wake) w();
  };
  app.processEvent = (event) => {
    const receivedAt = clock.now();
    let acked = false;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      doneOne();
    };
    waiting += 1;
    return processEvent({
      ...event,
      ack: async (response) => {
        if (!acked) observe(clock.now() - receivedAt);
        acked = true;
        try {
          await event.ack(response);
        } finally {
          finish();
        }
      },
    }).finally(finish);
  };
  return {
    get waiting() {
      return waiting;
    },
    settled: () => (waiting === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
  };
}
