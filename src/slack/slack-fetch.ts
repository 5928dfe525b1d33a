import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { fetch as undiciFetch } from 'undici';
import type { Dispatcher } from 'undici';
import type { FetchFunction } from '@slack/web-api';
import type { Clock } from '../domain/clock';
import type { FieldLogger } from '../log/fields';

type FetchRequestInit = Parameters<FetchFunction>[1];
type FetchResponse = Awaited<ReturnType<FetchFunction>>;

/** One HTTP call to Slack as the logs and metrics see it. */
export interface SlackCall {
  /** The Web API method (`chat.postMessage`), or `response_url` / `file_upload` for Slack's other URLs. */
  readonly method: string;
  /** Undefined when no HTTP answer came (network failure, timeout). */
  readonly status: number | undefined;
  readonly durationMs: number;
  /** Slack's error (`ok: false` -> its `error`, 429 -> `ratelimited`, 5xx -> `http_5xx`, no answer -> `network`). */
  readonly error: string | undefined;
}

export interface SlackFetchOptions {
  readonly clock: Clock;
  readonly logger: Pick<FieldLogger, 'debug'>;
  /** The proxy's dispatcher, when one is configured; otherwise the global fetch (which tests' nock intercepts). */
  readonly dispatcher?: Dispatcher | undefined;
  readonly onCall?: ((call: SlackCall) => void) | undefined;
}

function methodOf(url: URL): string {
  const match = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
  if (match?.[1] !== undefined) return match[1];
  return url.pathname.startsWith('/commands/') || url.pathname.startsWith('/actions/') ? 'response_url' : 'file_upload';
}

function errorOf(status: number, text: string): string | undefined {
  if (status === 429) return 'ratelimited';
  if (status >= 500) return 'http_5xx';
  if (status >= 400) return `http_${status}`;
  try {
    const body: unknown = JSON.parse(text);
    if (body !== null && typeof body === 'object' && Reflect.get(body, 'ok') === false) {
      const error: unknown = Reflect.get(body, 'error');
      return typeof error === 'string' ? error : 'unknown_error';
    }
  } catch {
    // not JSON (a file upload's answer, response_url's "ok"): no Slack error in it
  }
  return undefined;
}

/** What the WebClient reads of an answer. */
type Head = Pick<FetchResponse, 'ok' | 'status' | 'statusText' | 'url' | 'headers'>;

/** The answer with its body read once, so it can be looked at here and still read by the WebClient. */
function buffered(response: Head, bytes: ArrayBuffer): FetchResponse & { readonly textBody: string } {
  const textBody = new TextDecoder().decode(bytes);
  return {
    ok: response.ok,
    status: response.status,
    statusText: response.statusText,
    url: response.url,
    headers: response.headers,
    textBody,
    arrayBuffer: () => Promise.resolve(bytes.slice(0)),
    text: () => Promise.resolve(textBody),
    json: () => Promise.resolve(JSON.parse(textBody) as unknown),
  };
}

type Answer = ReturnType<typeof buffered>;

/** The request body as bytes, and the content type a FormData or other non-text body brings with it. */
async function bodyBytes(
  url: string,
  init: FetchRequestInit,
): Promise<{ readonly bytes: Buffer | undefined; readonly contentType: string | null }> {
  const body = init?.body;
  if (body === undefined) return { bytes: undefined, contentType: null };
  if (typeof body === 'string') return { bytes: Buffer.from(body), contentType: null };
  // A file upload's FormData (or a Blob, or bytes): serialised as fetch would, boundary included.
  const request = new Request(url, { method: 'POST', body });
  return { bytes: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type') };
}

function headersOf(message: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] ?? '', raw[i + 1] ?? '');
  return headers;
}

/** How long a connection to Slack is kept open unused: as long as the global fetch (undici) keeps one. */
export const KEPT_ALIVE_IDLE_MS = 4_000;

/**
 * One call on node:http(s) over kept-alive connections. Measured against the global fetch for a
 * chat.postMessage to a loopback server: about a quarter of its CPU per call (0.1 against 0.4 ms),
 * and a command makes three or more of them. It does what the WebClient needs of fetch: a string,
 * FormData or byte body, the abort signal of its timeout, the status, headers and body of the
 * answer. It follows no redirects (the Web API and its upload URLs answer directly; a 3xx reaches
 * the WebClient as the HTTP error it is) and asks for no compression.
 */
export function createHttpTransport(
  options: { readonly idleMs?: number } = {},
): (url: string | URL, init: FetchRequestInit) => Promise<Answer> {
  // An idle connection is closed after idleMs (sooner when the server's Keep-Alive hint says so),
  // before a server that drops idle connections can close it under a request just written to it:
  // that request would fail with ECONNRESET, and a post is never retried blindly.
  const idle = { keepAlive: true, timeout: options.idleMs ?? KEPT_ALIVE_IDLE_MS };
  const agents = { 'http:': new HttpAgent(idle), 'https:': new HttpsAgent(idle) };
  return async (url, init) => {
    const target = new URL(url);
    const protocol = target.protocol === 'http:' ? 'http:' : 'https:';
    const { bytes, contentType } = await bodyBytes(target.href, init);
    const headers: OutgoingHttpHeaders = Object.fromEntries(
      new Headers(init?.headers as ConstructorParameters<typeof Headers>[0]),
    );
    if (contentType !== null) headers['content-type'] = contentType;
    if (bytes !== undefined) headers['content-length'] = bytes.length;
    const signal = init?.signal ?? undefined;
    signal?.throwIfAborted();
    return new Promise<Answer>((resolve, reject) => {
      const send = protocol === 'http:' ? httpRequest : httpsRequest;
      const req = send(target, { method: init?.method ?? 'GET', headers, agent: agents[protocol] }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        // Also an answer cut short: node:http reports the connection closed mid-body as an error.
        res.on('error', reject);
        res.on('end', () => {
          signal?.removeEventListener('abort', abort);
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks);
          const head = {
            ok: status >= 200 && status < 300,
            status,
            statusText: res.statusMessage ?? '',
            url: target.href,
            headers: headersOf(res),
          };
          resolve(buffered(head, body.buffer.slice(body.byteOffset, body.byteOffset + body.length)));
        });
      });
      const abort = (): void => {
        const reason: unknown = signal?.reason;
        req.destroy(reason instanceof Error ? reason : new Error(`the Slack call was aborted (${String(reason)})`));
      };
      signal?.addEventListener('abort', abort, { once: true });
      req.on('error', (e) => {
        signal?.removeEventListener('abort', abort);
        reject(e);
      });
      req.end(bytes);
    });
  };
}

/**
 * The fetch every Slack HTTP call goes through (both WebClients, Bolt's `respond`, Socket Mode's
 * `apps.connections.open`): through the proxy when one is configured, and each call logged at
 * debug with its method, status and duration, like the cloud calls. Never a body or a header: a
 * token is in both.
 */
export function createSlackFetch(options: SlackFetchOptions): FetchFunction {
  const { clock, logger, dispatcher, onCall } = options;
  const direct = createHttpTransport();
  const send = async (url: string | URL, init: FetchRequestInit | undefined): Promise<Answer> => {
    if (dispatcher === undefined) return direct(url, init);
    // Through the proxy, on undici's fetch. Its FormData is not Node's (a file upload's body would go
    // out as the text "[object FormData]"), so the body goes as the bytes Node's fetch would send.
    const { bytes, contentType } = await bodyBytes(new URL(url).href, init);
    const headers = new Headers(init?.headers);
    if (contentType !== null) headers.set('content-type', contentType);
    const response = await undiciFetch(url, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      headers: Object.fromEntries(headers),
      body: bytes ?? null,
      dispatcher,
    });
    return buffered(response, await response.arrayBuffer());
  };
  return async (url, init) => {
    const method = methodOf(new URL(url));
    const started = clock.now();
    const report = (status: number | undefined, error: string | undefined): void => {
      const call = { method, status, durationMs: clock.now() - started, error };
      logger.debug('slack call', { slackMethod: method, status, durationMs: call.durationMs, slackError: error });
      onCall?.(call);
    };
    let answer: Answer;
    try {
      answer = await send(url, init);
    } catch (e) {
      report(undefined, 'network');
      throw e;
    }
    report(answer.status, errorOf(answer.status, answer.textBody));
    return answer;
  };
}
