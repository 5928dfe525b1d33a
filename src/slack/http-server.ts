import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../flow/ports';
import type { FieldLogger } from '../log/fields';
import { KeptAnswer, slashCommandOf } from './early-answer';
import type { ReplayGuard } from './replay-guard';
import { checkReplay, headerOf } from './replay-guard';
import { SIGNATURE_WINDOW_S } from './slack-signature';

/** Bolt's receiver takes bodies up to 4 MB (its default bodyLimit); the replay check reads the body first, to the same limit. */
export const SLACK_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export interface HealthReport {
  readonly ok: boolean;
  readonly body: Readonly<Record<string, unknown>>;
}

/** HTTP mode's Slack endpoint: Bolt's receiver, behind a replay check of its own. */
export interface SlackEndpoint extends ReplayGuard {
  /** Bolt's HTTPReceiver listener. */
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * Slash commands whose listener acks first, with no body: the HTTP face answers them 200 itself as
   * soon as they prove themselves, and Bolt handles them after (its ack is kept, not sent).
   */
  readonly answersAtOnce?: readonly string[];
}

export interface BotHttpServerOptions {
  readonly clock: Clock;
  /** Slack's POSTs; absent in Socket Mode (then only the operator's paths are served). */
  readonly slack: SlackEndpoint | undefined;
  /** /readyz: can the bot serve now (store, schema, Slack's socket)? */
  readonly ready: () => Promise<HealthReport>;
  /** /metrics: the Prometheus text exposition. */
  readonly metrics: () => Promise<{ readonly contentType: string; readonly body: string }>;
  /** Told how long each accepted Slack request took from receipt to its ack (the 200 answer). */
  readonly onAck?: (ms: number) => void;
  readonly logger: Pick<FieldLogger, 'warn'>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The request's timestamp in seconds, or undefined unless it is whole seconds, digits only, as
 * Slack sends it. Bolt signs `Number(header)`, so `0…`, `….0` or `+…` would verify there too while
 * the replay check, which keys on the header as sent, took them for a new request: anything but the
 * plain form is refused before either looks.
 */
function plainTimestampOf(req: IncomingMessage): number | undefined {
  const header = headerOf(req, 'x-slack-request-timestamp') ?? '';
  return /^[1-9]\d{0,11}$/.test(header) ? Number(header) : undefined;
}

const secondsAt = (nowMs: number): number => Math.floor(nowMs / 1000);

/** Bolt rejects timestamps older than Slack's window; this rejects ones further ahead than it. */
function isFromTheFuture(timestampS: number, nowMs: number): boolean {
  return timestampS > secondsAt(nowMs) + SIGNATURE_WINDOW_S;
}

/**
 * Bolt reads its clock a moment later than the bot, and each may differ from the other's: a request
 * this close to the end of the window is left for Bolt to take or refuse itself.
 */
const WINDOW_MARGIN_S = 10;

/** Whether Bolt will surely take the request's timestamp: it refuses one more than five minutes old. */
function isWellWithinWindow(timestampS: number, nowMs: number): boolean {
  return timestampS >= secondsAt(nowMs) - SIGNATURE_WINDOW_S + WINDOW_MARGIN_S;
}

/** The whole body, or undefined once it passes `limit` (the rest is drained, not kept). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

/**
 * Reads the body, refuses a replay, and hands the rest to Bolt, which still verifies everything
 * itself; it takes the body already read from `rawBody`, as its receiver does for any body read
 * before it.
 *
 * A command in `answersAtOnce` that is signed, not a replay and within the timestamp window Bolt
 * takes is answered 200 here, and Bolt gets it on the event loop's next check phase: the answers of
 * every request read in this turn go out before Bolt parses, verifies and routes any of them again.
 * Its listener acks first with nothing, so Slack hears what it would have heard, sooner; what the
 * command does is told as before (ephemeral replies, the request's thread).
 */
async function admitOnce(
  req: IncomingMessage,
  res: ServerResponse,
  timestampS: number,
  slack: SlackEndpoint,
  options: Pick<BotHttpServerOptions, 'clock' | 'logger'>,
): Promise<void> {
  const body = await readBody(req, SLACK_BODY_LIMIT_BYTES);
  if (body === undefined) {
    send(res, 413, { error: 'request body too large' });
    return;
  }
  const verdict = await checkReplay(req, body, slack, options);
  if (verdict.kind === 'refused') {
    send(res, verdict.status, { error: verdict.error });
    return;
  }
  const buffered = Object.assign(req, { rawBody: body });
  const command = verdict.kind === 'admitted' ? slashCommandOf(req, body) : undefined;
  if (
    command !== undefined &&
    slack.answersAtOnce?.includes(command) === true &&
    isWellWithinWindow(timestampS, options.clock.now())
  ) {
    res.writeHead(200).end();
    const kept = new KeptAnswer(command, options.logger);
    setImmediate(() => {
      try {
        slack.listener(buffered, kept.asResponse());
      } catch (e) {
        options.logger.warn('Bolt could not take a command the bot had answered already', {
          command,
          failure: e instanceof Error ? e.message : String(e),
        });
      }
    });
    return;
  }
  slack.listener(buffered, res);
}

/** The operator's paths: GET (or HEAD) only; true when the request was one of them. */
function serveOperatorPath(
  path: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  options: BotHttpServerOptions,
): boolean {
  if (path !== '/healthz' && path !== '/readyz' && path !== '/metrics') return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, { error: 'method not allowed' });
    return true;
  }
  switch (path) {
    case '/healthz':
      // Alive: the process answers. Whether it can serve is /readyz's question, so a database
      // outage takes replicas out of the load balancer instead of getting them restarted.
      send(res, 200, { status: 'ok' });
      return true;
    case '/readyz':
      options
        .ready()
        .then((h) => send(res, h.ok ? 200 : 503, h.body))
        .catch(() => send(res, 503, { status: 'error' }));
      return true;
    case '/metrics':
      options
        .metrics()
        .then((m) => {
          res.writeHead(200, { 'content-type': m.contentType, 'content-length': Buffer.byteLength(m.body) });
          res.end(m.body);
        })
        .catch(() => send(res, 500, { error: 'metrics unavailable' }));
      return true;
  }
}

/** The servers that are stopping (see `stopListening`). */
const stopping = new WeakSet<Server>();

/** The bot's HTTP face: `POST /slack/events` (commands and interactivity), `GET /healthz`, `/readyz`, `/metrics`. */
export function createBotHttpServer(options: BotHttpServerOptions): Server {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (stopping.has(server)) {
      // The connection closes after this answer: a kept-alive one would otherwise bring new requests.
      res.shouldKeepAlive = false;
      if (path === '/slack/events') {
        req.resume();
        return send(res, 503, { error: 'the bot is stopping' });
      }
    }
    if (serveOperatorPath(path, req, res, options)) return;
    if (path === '/slack/events' && options.slack !== undefined) {
      if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' });
      const receivedAt = options.clock.now();
      const { onAck } = options;
      if (onAck !== undefined)
        res.once('finish', () => {
          if (res.statusCode === 200) onAck(options.clock.now() - receivedAt);
        });
      const timestampS = plainTimestampOf(req);
      if (timestampS === undefined) {
        req.resume();
        return send(res, 401, { error: 'request timestamp is not whole seconds' });
      }
      if (isFromTheFuture(timestampS, options.clock.now())) {
        req.resume();
        return send(res, 401, { error: 'request timestamp is too far in the future' });
      }
      admitOnce(req, res, timestampS, options.slack, options).catch(() => {
        if (!res.headersSent) send(res, 400, { error: 'could not read the request' });
        req.destroy();
      });
      return;
    }
    send(res, 404, { error: 'not found' });
  });
  return server;
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
 * Stops taking connections and requests; the requests under way are still answered, each on a
 * connection that then closes. A Slack request that arrives on a kept-alive connection from now on
 * (pipelined behind one under way) is refused with 503, so no new work starts.
 * Resolves once the last connection has closed: call `server.closeAllConnections()` to end the
 * ones left when waiting is over.
 */
export function stopListening(server: Server): Promise<void> {
  // Node answers the requests under way with `Connection: close` once the server is closing.
  stopping.add(server);
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
