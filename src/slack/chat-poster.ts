import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';
import type { FetchFunction, WebAPICallResult, WebClient } from '@slack/web-api';
import type { FieldLogger } from '../log/fields';

type FetchResponse = Awaited<ReturnType<FetchFunction>>;

/** The two Web API calls nearly every message the outbox owes is made with. */
export type ChatCalls = Pick<WebClient['chat'], 'postMessage' | 'update'>;

export interface ChatPosterOptions {
  readonly token: string;
  /** The Web API's base URL, like the WebClient's `slackApiUrl` (a missing trailing slash is added); default Slack's own. */
  readonly apiUrl?: string | undefined;
  /** The fetch every Slack call goes through (slack-fetch.ts: the proxy, the debug line, the metrics). */
  readonly fetch: FetchFunction;
  /**
   * A call not answered by then fails, as a request error (the outbox retries; the deliverer looks
   * before it posts again). 0 or less: no limit, as for the WebClient.
   */
  readonly timeoutMs: number;
  /** A call that got no answer (why), and Slack's warnings about a call (`response_metadata.warnings`), as the WebClient logs them. */
  readonly logger: Pick<FieldLogger, 'warn'>;
  /** Changes a message call's arguments before they are sent (the sandbox's mark). */
  readonly prepare?: ((args: Record<string, unknown>) => Record<string, unknown>) | undefined;
}

export const SLACK_API_URL = 'https://slack.com/api/';

/**
 * The JSON body Slack recommends for these methods (it needs the token in the Authorization header):
 * the arguments Slack reads are those of the WebClient's form body, where an object or array went
 * as its JSON text, and an argument that is null or undefined is left out as the form leaves it out.
 * Encoding the blocks as a form (every quote and brace escaped) took three times the CPU and half
 * as many bytes again.
 */
function jsonBody(args: object): string {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) if (value !== undefined && value !== null) fields[key] = value;
  return JSON.stringify(fields);
}

/** Slack's Retry-After in whole seconds, as the WebClient reads it; undefined when there is none. */
function retryAfterOf(response: FetchResponse): number | undefined {
  const value = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
  return Number.isNaN(value) ? undefined : value;
}

/** The answer as JSON when it is an object; undefined when it is not (an HTML error page, an empty body). */
function resultOf(text: string): WebAPICallResult | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as WebAPICallResult)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `chat.postMessage` and `chat.update` for the outbox, without the WebClient around them. The
 * WebClient deep-copies and serialises every call's arguments, headers and result for its debug
 * log whether that log is on or not, and puts each call through a queue and a retry wrapper. A
 * command's three messages went through it: without it, the bot's CPU per command in `npm run bench`
 * went down by 8-9 % and the drain after a burst by a tenth (four alternating runs). These calls
 * need none of that: the outbox's client never retries and rejects rate-limited calls. The same
 * arguments and bearer token as the WebClient's request (as JSON where it sends a form), and the
 * same errors for the same answers (WebAPIPlatformError, WebAPIRateLimitedError, WebAPIHTTPError,
 * WebAPIRequestError), so `classifySlackError` tells them apart as before. Two answers the WebClient
 * fails on otherwise are HTTP errors here, retryable as before: a 429 without a usable Retry-After,
 * and a 200 whose body is not a JSON object.
 */
export function createChatPoster(options: ChatPosterOptions): ChatCalls {
  const { token, fetch, timeoutMs, logger, prepare } = options;
  const base = options.apiUrl ?? SLACK_API_URL;
  const apiUrl = base.endsWith('/') ? base : `${base}/`;
  const call = async (method: string, args: object): Promise<WebAPICallResult> => {
    let response: FetchResponse;
    let text: string;
    try {
      response = await fetch(`${apiUrl}${method}`, {
        method: 'POST',
        headers: {
          Accept: 'application/json',
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json; charset=utf-8',
        },
        body: jsonBody(prepare === undefined ? args : prepare({ ...args })),
        redirect: 'error',
        ...(timeoutMs > 0 && { signal: AbortSignal.timeout(timeoutMs) }),
      });
      text = await response.text();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      // The error the outbox sees names only its kind; why the call got no answer is said here.
      logger.warn('Slack call got no answer', { slackMethod: method, failure: error.message });
      throw new WebAPIRequestError(error);
    }
    const retryAfter = response.status === 429 ? retryAfterOf(response) : undefined;
    if (retryAfter !== undefined) throw new WebAPIRateLimitedError(retryAfter);
    const body = response.status === 200 ? resultOf(text) : undefined;
    if (body === undefined)
      throw new WebAPIHTTPError(
        response.status,
        response.statusText,
        Object.fromEntries(response.headers.entries()),
        text,
      );
    for (const warning of body.response_metadata?.warnings ?? [])
      logger.warn('Slack warns about a call', { slackMethod: method, warning });
    // As the WebClient does: the answer itself is the error's data (`data.error` names it).
    if (!body.ok) throw new WebAPIPlatformError(body as WebAPICallResult & { error: string });
    return body;
  };
  return {
    postMessage: (args) => call('chat.postMessage', args),
    update: (args) => call('chat.update', args),
  };
}
