import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../flow/ports';

/** Slack signs a timestamp; Bolt rejects old ones, this also rejects ones more than five minutes ahead. */
export const MAX_CLOCK_SKEW_S = 300;

export interface HealthReport {
  readonly ok: boolean;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface BotHttpServerOptions {
  readonly clock: Clock;
  /** Bolt's HTTPReceiver listener for Slack's POSTs; absent in Socket Mode (then only /healthz is served). */
  readonly slackListener: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  readonly health: () => Promise<HealthReport>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function isFromTheFuture(req: IncomingMessage, nowMs: number): boolean {
  const header = req.headers['x-slack-request-timestamp'];
  const ts = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(ts) && ts > Math.floor(nowMs / 1000) + MAX_CLOCK_SKEW_S;
}

/** The bot's HTTP face: `POST /slack/events` (commands and interactivity) and `GET /healthz`. */
export function createBotHttpServer(options: BotHttpServerOptions): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' });
      options
        .health()
        .then((h) => send(res, h.ok ? 200 : 503, h.body))
        .catch(() => send(res, 503, { status: 'error' }));
      return;
    }
    if (path === '/slack/events' && options.slackListener !== undefined) {
      if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' });
      if (isFromTheFuture(req, options.clock.now())) {
        req.resume();
        return send(res, 401, { error: 'request timestamp is too far in the future' });
      }
      options.slackListener(req, res);
      return;
    }
    send(res, 404, { error: 'not found' });
  });
}

export function listen(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Stops taking connections; requests under way are still answered. Resolves once the last
 * connection has closed: call `server.closeAllConnections()` to end the ones left when waiting is over.
 */
export function stopListening(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
