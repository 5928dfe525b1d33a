import { orAfter, STORE_ANSWER_MS } from '../flow/deadline';
import type { RequestStore } from '../store/request-store';
import type { HealthReport } from './http-server';

/** The events of @slack/socket-mode's client that say whether Slack's socket is up (its `State` values, and `close`). */
const SOCKET_UP = 'connected';
const SOCKET_DOWN = ['connecting', 'reconnecting', 'disconnecting', 'disconnected', 'close'] as const;

/** What of a Socket Mode client the watch needs: its event emitter. */
export interface SocketEvents {
  on(event: string, listener: () => void): unknown;
}

/**
 * Follows a Socket Mode client: connected from Slack's `hello` on a socket until that socket
 * closes. An open socket Slack has not greeted yet does not count: no envelope arrives on it.
 * Watch before starting the client, or its first `hello` is missed.
 */
export function watchSocket(client: SocketEvents): () => boolean {
  let connected = false;
  client.on(SOCKET_UP, () => {
    connected = true;
  });
  for (const event of SOCKET_DOWN)
    client.on(event, () => {
      connected = false;
    });
  return () => connected;
}

export interface HealthSources {
  readonly mode: 'http' | 'socket';
  readonly store: Pick<RequestStore, 'health'>;
  /** Socket Mode: is the socket to Slack up? (HTTP mode has none: Slack comes to us.) */
  readonly socketConnected?: () => boolean;
  /** How long to wait for the store (default STORE_ANSWER_MS): one that does not answer by then is unavailable. */
  readonly storeAnswerMs?: number;
}

/**
 * /readyz: 200 only when the bot can serve, i.e. the store answers with the schema this build
 * needs (and answers within storeAnswerMs) and, in Socket Mode, the socket is up. Otherwise 503 with what is wrong, in words that
 * name no host, URL or SQL.
 */
export function createReadinessCheck(sources: HealthSources): () => Promise<HealthReport> {
  const { mode, store, socketConnected } = sources;
  return async () => {
    const storeHealth = await orAfter(sources.storeAnswerMs ?? STORE_ANSWER_MS, store.health(), 'unavailable');
    const slackDown = socketConnected !== undefined && !socketConnected();
    if (storeHealth === 'ok' && !slackDown) return { ok: true, body: { status: 'ok', mode } };
    return {
      ok: false,
      body: {
        status: 'degraded',
        mode,
        ...(storeHealth !== 'ok' && { store: storeHealth }),
        ...(slackDown && { slack: 'disconnected' }),
      },
    };
  };
}
