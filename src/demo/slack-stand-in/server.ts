import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BLOCK_LIMITS, checkBlocks, checkView } from './block-check';
import { handleMethod } from './methods';
import type { StandInState, StandInFault } from './state';
import { createState } from './state';
import type { StandInWorkspace } from './workspace';
import { DEMO_WORKSPACE } from './workspace';

export interface SlackStandIn {
  /** Base URL of the Web API, for SLACK_API_URL (ends with /api/). */
  readonly apiUrl: string;
  readonly url: string;
  readonly botToken: string;
  readonly state: StandInState;
  /** A response_url for a new slash command or interaction; what is posted to it lands in `state.responses`. */
  newResponseUrl(): string;
  /**
   * A trigger_id for a new slash command or interaction, issued now by the stand-in's clock:
   * `views.open` and `views.push` accept it once, within three seconds.
   */
  newTriggerId(): string;
  /**
   * A modal changed by a view_submission answer (`response_action: update`), as Slack would apply
   * it. Throws, naming the problems, when Slack would refuse the view (the person would see an error).
   */
  applyViewUpdate(viewId: string, view: Record<string, unknown>): void;
  /** Makes the next `times` calls of `method` fail this way. */
  failNext(method: string, fault: StandInFault, times?: number): void;
  stop(): Promise<void>;
}

export interface StandInOptions {
  readonly workspace?: StandInWorkspace;
  readonly botToken?: string;
  /** `apps.connections.open` answers with this WebSocket URL (Socket Mode tests). */
  readonly socketUrl?: string;
  /** Milliseconds since the epoch, for issuing and expiring trigger ids (default `Date.now`). */
  readonly clock?: () => number;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Form fields as the WebClient sends them; object-valued ones arrive JSON-encoded. */
function parseArgs(req: IncomingMessage, body: string): Record<string, unknown> {
  if ((req.headers['content-type'] ?? '').includes('application/json'))
    return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

/**
 * The file's text from an upload: files.uploadV2 sends multipart form data with one file part.
 * Enough of multipart for the one client it serves (a text file, no nested parts).
 */
function uploadedContent(req: IncomingMessage, body: string): string {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) return body;
  const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1];
  if (boundary === undefined) return '';
  for (const part of body.split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0 || !/filename=/i.test(part.slice(0, split))) continue;
    return part.slice(split + 4).replace(/\r\n$/, '');
  }
  return '';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * A loopback stand-in for Slack's Web API: enough of it for the bot to run end to end with no
 * workspace (the demo and the end-to-end tests). It keeps every message, edit, upload and
 * ephemeral reply, checks tokens and Block Kit limits, and can fail on demand.
 */
export async function startSlackStandIn(options: StandInOptions = {}): Promise<SlackStandIn> {
  const workspace = options.workspace ?? DEMO_WORKSPACE;
  const botToken = options.botToken ?? `xoxb-standin-${randomBytes(6).toString('hex')}`;
  const state = createState(workspace, options.clock ?? Date.now);
  let base = '';

  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const body = await readBody(req);
      if (path.startsWith('/response/')) {
        // Slack refuses a response_url message that breaks Block Kit limits, as an incoming webhook does.
        const problems = checkBlocks(
          (safeJson(body) as { blocks?: unknown } | null)?.blocks,
          BLOCK_LIMITS.blocksPerMessage,
        );
        if (problems.length > 0) {
          state.refused.push({ method: 'response_url', error: 'invalid_blocks', problems });
          json(res, 400, { ok: false, error: 'invalid_blocks', errors: problems });
          return;
        }
        state.responses.push({ id: path.slice('/response/'.length), at: Date.now(), body: safeJson(body) });
        state.log.push({ kind: 'ephemeral', responseId: path.slice('/response/'.length), body: safeJson(body) });
        json(res, 200, { ok: true });
        return;
      }
      if (path.startsWith('/upload/')) {
        state.uploads.set(path.slice('/upload/'.length), uploadedContent(req, body));
        json(res, 200, { ok: true });
        return;
      }
      if (!path.startsWith('/api/')) {
        json(res, 404, { ok: false, error: 'unknown_path' });
        return;
      }
      const method = path.slice('/api/'.length);
      const args = parseArgs(req, body);
      state.calls.push({ method, args, at: Date.now() });
      const fault = state.takeFault(method);
      let lateMs = 0;
      if (fault !== undefined && 'lateMs' in fault) lateMs = fault.lateMs;
      else if (fault !== undefined) {
        if ('status' in fault) {
          const headers: Record<string, string> =
            fault.retryAfterS !== undefined ? { 'retry-after': String(fault.retryAfterS) } : {};
          json(
            res,
            fault.status,
            { ok: false, error: fault.status === 429 ? 'ratelimited' : 'internal_error' },
            headers,
          );
          return;
        }
        json(res, 200, { ok: false, error: fault.error });
        return;
      }
      const auth = req.headers.authorization ?? `Bearer ${typeof args['token'] === 'string' ? args['token'] : ''}`;
      // A workflow step's completion takes that step's own token (steps.ts checks it), not the bot's.
      const ownAuth = method === 'apps.connections.open' || method.startsWith('functions.');
      if (!ownAuth && auth !== `Bearer ${botToken}`) {
        json(res, 200, { ok: false, error: 'invalid_auth' });
        return;
      }
      const token = auth.replace(/^Bearer /, '');
      const answer = handleMethod(state, method, args, { base, socketUrl: options.socketUrl, token });
      if (lateMs > 0)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, lateMs);
          // The caller hung up (timed out, or its process died): nobody is left to answer.
          res.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      // A client that gave up meanwhile has closed the socket: the work is done, the answer is lost.
      // Slack tells every caller the token's scopes in a header; the self-check reads auth.test's.
      if (!res.destroyed) json(res, 200, answer, { 'x-oauth-scopes': state.grantedScopes.join(',') });
    })().catch((e: unknown) => json(res, 500, { ok: false, error: 'stand_in_failure', detail: String(e) }));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let responseSeq = 0;

  return {
    apiUrl: `${base}/api/`,
    url: base,
    botToken,
    state,
    newResponseUrl() {
      responseSeq += 1;
      return `${base}/response/r${responseSeq}`;
    },
    newTriggerId: () => state.issueTrigger(),
    applyViewUpdate(viewId, view) {
      const existing = state.views.get(viewId);
      if (existing === undefined) return;
      const problems = checkView(view);
      if (problems.length > 0) {
        state.refused.push({ method: 'response_action', error: 'invalid_arguments', problems });
        throw new Error(`Slack would refuse the view the bot answered for ${viewId}: ${problems.join('; ')}`);
      }
      existing.view = view;
      existing.hash = state.nextId('h');
      state.log.push({ kind: 'view', action: 'update', view: { ...existing } });
    },
    failNext(method, fault, times = 1) {
      state.addFault(method, fault, times);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
