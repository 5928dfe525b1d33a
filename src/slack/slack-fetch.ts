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

/** The answer with its body read once, so it can be looked at here and still read by the WebClient. */
function buffered(response: FetchResponse, bytes: ArrayBuffer): FetchResponse & { readonly textBody: string } {
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

/**
 * The fetch every Slack HTTP call goes through (both WebClients, Bolt's `respond`, Socket Mode's
 * `apps.connections.open`): through the proxy when one is configured, and each call logged at
 * debug with its method, status and duration, like the cloud calls. Never a body or a header: a
 * token is in both.
 */
export function createSlackFetch(options: SlackFetchOptions): FetchFunction {
  const { clock, logger, dispatcher, onCall } = options;
  const send = (url: string | URL, init: FetchRequestInit | undefined): Promise<FetchResponse> =>
    dispatcher === undefined
      ? globalThis.fetch(url, init)
      : // undici's fetch takes the same init plus the dispatcher; its FormData is the one Node's fetch uses.
        undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
  return async (url, init) => {
    const method = methodOf(new URL(url));
    const started = clock.now();
    const report = (status: number | undefined, error: string | undefined): void => {
      const call = { method, status, durationMs: clock.now() - started, error };
      logger.debug('slack call', { method, status, durationMs: call.durationMs, error });
      onCall?.(call);
    };
    let answer: ReturnType<typeof buffered>;
    try {
      const response = await send(url, init);
      answer = buffered(response, await response.arrayBuffer());
    } catch (e) {
      report(undefined, 'network');
      throw e;
    }
    report(answer.status, errorOf(answer.status, answer.textBody));
    return answer;
  };
}
