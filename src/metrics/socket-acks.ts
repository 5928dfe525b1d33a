import type { App } from '@slack/bolt';
import type { Clock } from '../flow/ports';

/**
 * Socket Mode has no HTTP request to time: each envelope's ack is timed from the moment the
 * receiver hands it to Bolt until the listener acks. (HTTP mode times the answer in http-server.ts,
 * which also counts the replay check before Bolt.)
 */
export function timeSocketAcks(app: App, clock: Clock, observe: (ms: number) => void): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = (event) => {
    const receivedAt = clock.now();
    let acked = false;
    return processEvent({
      ...event,
      ack: (response) => {
        if (!acked) observe(clock.now() - receivedAt);
        acked = true;
        return event.ack(response);
      },
    });
  };
}
