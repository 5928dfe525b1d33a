import { App } from '@slack/bolt';
import type { Receiver } from '@slack/bolt';
import nock from 'nock';
import type { FlowDeps } from '../../src/flow/flow-deps';
import { createMemoryLogger } from '../../src/log/logger';
import { registerRouted } from '../../src/slack/listeners/listener-router';
import type { SlackListeners } from '../../src/slack/listeners/listener-router';

/** Where the app's WebClient and the payloads' response_url point: nock answers both. */
export const SLACK_API = 'https://slack.test';
export const HOOKS = 'https://hooks.slack.test';

/** A receiver that receives nothing: the test hands payloads to `app.processEvent` itself. */
const noReceiver: Receiver = { init: () => undefined, start: () => Promise.resolve(), stop: () => Promise.resolve() };

export interface ListenerApp {
  readonly app: App;
  /** What happened, in order: `ack`, each Slack call answered (`views.open`, `respond`), each traced flow. */
  readonly timeline: string[];
  /** What each ack was given, in order. */
  readonly acks: unknown[];
  /** Hands a payload to the listeners and waits for them (not for the flows' background work). */
  send(body: Record<string, unknown>, retry?: { retryNum: number; retryReason: string }): Promise<void>;
}

/**
 * A real Bolt app with the listeners `register` adds, and no HTTP: token, bot id and bot user id
 * are given (no auth.test), the Web API goes to SLACK_API with no retries.
 */
export function createListenerApp(
  deps: FlowDeps,
  register: (listeners: SlackListeners, deps: FlowDeps) => void,
): ListenerApp {
  const app = new App({
    token: 'xoxb-listener-test',
    botId: 'B0BACKUPBOT',
    botUserId: 'U0BACKUPBOT',
    receiver: noReceiver,
    logger: createMemoryLogger('error'),
    clientOptions: { slackApiUrl: `${SLACK_API}/api/`, retryConfig: { retries: 0 } },
  });
  // As app.ts registers them: through the router.
  registerRouted(app, (listeners) => register(listeners, deps));
  const timeline: string[] = [];
  const acks: unknown[] = [];
  return {
    app,
    timeline,
    acks,
    send: (body, retry) =>
      app.processEvent({
        body,
        ack: (response?: unknown) => {
          timeline.push('ack');
          acks.push(response);
          return Promise.resolve();
        },
        ...retry,
      }),
  };
}

/** A Web API call's form body as values: JSON arguments (view, blocks) decoded. */
function decodeBody(body: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> =
    typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : { ...(body as Record<string, unknown>) };
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string' && /^[[{]/.test(value)) fields[key] = JSON.parse(value);
  }
  return fields;
}

/** One expected call: its scope (assert `done()`), and what it was sent once it came. */
export interface ExpectedCall {
  readonly scope: nock.Scope;
  /** The decoded body of each call answered, in order. */
  readonly bodies: Record<string, unknown>[];
}

/** Expects `times` calls of a Web API method, each answered with `answer` and noted in the timeline. */
export function expectSlackCall(
  timeline: string[],
  method: string,
  answer: Record<string, unknown> = {},
  times = 1,
): ExpectedCall {
  const bodies: Record<string, unknown>[] = [];
  const scope = nock(SLACK_API)
    .post(`/api/${method}`)
    .times(times)
    .reply(200, (_uri, body) => {
      timeline.push(method);
      bodies.push(decodeBody(body));
      return { ok: true, ...answer };
    });
  return { scope, bodies };
}

/** Expects `times` replies to a response_url (ephemeral answers), noted in the timeline as `respond`. */
export function expectResponse(timeline: string[], responseUrl: string, times = 1): ExpectedCall {
  const url = new URL(responseUrl);
  const bodies: Record<string, unknown>[] = [];
  const scope = nock(url.origin)
    .post(url.pathname)
    .times(times)
    .reply(200, (_uri, body) => {
      timeline.push('respond');
      bodies.push(decodeBody(body));
      return 'ok';
    });
  return { scope, bodies };
}

/**
 * Traces calls of a module's exported function in the timeline (and lets them through), so a test
 * sees which flow a listener called, how often and when.
 */
type Flow = (...args: never[]) => unknown;

export function traceFlow<M extends Record<K, Flow>, K extends string>(
  module: M,
  name: K,
  timeline: string[],
): jest.SpyInstance<ReturnType<M[K]>, Parameters<M[K]>> {
  const original = module[name];
  const spyOn = jest.spyOn as (object: object, method: string) => jest.SpyInstance;
  const spy = spyOn(module, name) as jest.SpyInstance<ReturnType<M[K]>, Parameters<M[K]>>;
  spy.mockImplementation((...args) => {
    timeline.push(name);
    return original(...args) as ReturnType<M[K]>;
  });
  return spy;
}

/**
 * After each test: every scope was used, none is left for the next, and no request went out that
 * no scope expected (even one the bot swallowed, as it does for best-effort replies).
 */
export function checkNockAfterEach(): void {
  const unexpected: string[] = [];
  const noteUnexpected = (request: { method?: string; href?: string; options?: { href?: string } }) =>
    unexpected.push(`${request.method ?? '?'} ${request.href ?? request.options?.href ?? '?'}`);
  beforeEach(() => {
    unexpected.length = 0;
    nock.emitter.on('no match', noteUnexpected);
  });
  afterEach(() => {
    nock.emitter.removeListener('no match', noteUnexpected);
    const pending = nock.pendingMocks();
    nock.cleanAll();
    jest.restoreAllMocks();
    expect(pending).toEqual([]);
    expect(unexpected).toEqual([]);
  });
}
