import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MockAgent } from 'undici';
import type { Dispatcher } from 'undici';
import { asProjectId, asVolumeId } from '../../src/domain/ids';
import type { VolumeId } from '../../src/domain/ids';
import { createOtcClient } from '../../src/otc/client';
import type { OtcClient, OtcClientOptions } from '../../src/otc/client';
import type { Clock, Sleeper } from '../../src/domain/clock';
import type { SafeFields } from '../../src/log/fields';
import type { OtcLogger } from '../../src/otc/runtime';
import type { ProjectRef } from '../../src/otc/types';

/** Fixtures copied from /work/shared/reference/otc; each has a `.src` sibling (or a `#` header) naming its upstream source. */
const FIXTURES = join(__dirname, '..', 'fixtures', 'otc');

export function readFixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export function readJsonFixture<T>(name: string): T {
  return JSON.parse(readFixture(name)) as T;
}

/** The IAM token example body, verbatim (trailing comma and all), without the `#` source header lines. */
export function readIamTokenBody(expiresAt?: string): string {
  const body = readFixture('iam_token_response_body.docs.txt')
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n');
  return expiresAt === undefined ? body : body.replace('2015-11-09T01:42:57.527363Z', expiresAt);
}

export const PROJECT: ProjectRef = { id: asProjectId('0a1b2c3d4e5f60718293a4b5c6d7e8f9'), region: 'eu-de' };
export const IAM = 'https://iam.eu-de.otc.t-systems.com';
export const VBS = 'https://vbs.eu-de.otc.t-systems.com';
export const EVS = 'https://evs.eu-de.otc.t-systems.com';
export const TOKEN_PATH = '/v3/auth/tokens';
export const POLICIES_PATH = `/v2/${PROJECT.id}/backuppolicy`;
export const ASSOCIATE_PATH = `/v2/${PROJECT.id}/backuppolicyresources`;

export const PASSWORD = 'Pa55-w0rd-never-logged';
export const TOKEN = 'MIIToken-gAAAAA-secret-token-value-1';
export const SECRET_KEY = 'SK-s3cr3t-key-value-0123456789abcdef';
export const ACCESS_KEY = 'AKIDEXAMPLE0123456789';

export interface FakeClock extends Clock, Sleeper {
  readonly sleeps: number[];
  advance(ms: number): void;
}

/** Time only moves when a test (or a retry wait) moves it: no real sleeps. */
export function createFakeClock(startIso = '2015-11-09T00:42:57.527Z'): FakeClock {
  let now = Date.parse(startIso);
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms: number) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

export interface RecordingLogger extends OtcLogger {
  readonly calls: Array<{ level: 'debug' | 'warn'; message: string; fields: SafeFields | undefined }>;
}

export function createRecordingLogger(): RecordingLogger {
  const calls: RecordingLogger['calls'] = [];
  return {
    calls,
    debug: (message, fields) => calls.push({ level: 'debug', message, fields }),
    warn: (message, fields) => calls.push({ level: 'warn', message, fields }),
  };
}

export function createMockAgent(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  return agent;
}

/**
 * A fresh MockAgent for each test of the file, checked for unused interceptors and closed after it.
 * The returned object stands for the current test's agent.
 */
export function useMockAgent(): MockAgent {
  let current: MockAgent | undefined;
  beforeEach(() => {
    current = createMockAgent();
  });
  afterEach(async () => {
    current?.assertNoPendingInterceptors();
    await current?.close();
    current = undefined;
  });
  return new Proxy(Object.create(MockAgent.prototype) as MockAgent, {
    get(_target, key) {
      if (current === undefined) throw new Error('the mock agent is only there inside a test');
      const value: unknown = Reflect.get(current, key, current);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(current) : value;
    },
  });
}

/** Replies to one IAM token request with the doc's body and the given token header. */
export function mockTokenIssue(agent: MockAgent, token = TOKEN, expiresAt?: string): void {
  agent
    .get(IAM)
    .intercept({ path: TOKEN_PATH, method: 'POST' })
    .reply(201, readIamTokenBody(expiresAt), {
      headers: { 'x-subject-token': token, 'content-type': 'application/json' },
    });
}

export function buildClient(
  dispatcher: Dispatcher,
  overrides: Partial<OtcClientOptions> = {},
): { client: OtcClient; clock: FakeClock; logger: RecordingLogger } {
  const clock = (overrides.clock as FakeClock | undefined) ?? createFakeClock();
  const logger = (overrides.logger as RecordingLogger | undefined) ?? createRecordingLogger();
  const client = createOtcClient({
    credentials: { kind: 'password', username: 'bot-user', password: PASSWORD, domainName: 'OTC00000000001000000001' },
    dispatcher,
    random: () => 0.5,
    ...overrides,
    clock,
    logger,
  });
  return { client, clock, logger };
}

/** `count` distinct, sortable volume ids. */
export function makeVolumeIds(count: number): VolumeId[] {
  return Array.from({ length: count }, (_, i) => asVolumeId(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`));
}

/** Counts requests to `origin` in flight through a dispatcher (from dispatch to the end or error of the response). */
export function countInFlight(
  dispatcher: Dispatcher,
  origin: string,
): { dispatcher: Dispatcher; readonly max: () => number } {
  let current = 0;
  let max = 0;
  const composed = dispatcher.compose((dispatch) => (opts, handler) => {
    if (String(opts.origin) !== origin) return dispatch(opts, handler);
    current += 1;
    max = Math.max(max, current);
    const done = (): void => {
      current -= 1;
    };
    return dispatch(opts, {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onResponseStart: (controller, status, headers, message) =>
        handler.onResponseStart?.(controller, status, headers, message),
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => {
        done();
        handler.onResponseEnd?.(controller, trailers);
      },
      onResponseError: (controller, error) => {
        done();
        handler.onResponseError?.(controller, error);
      },
    });
  });
  return { dispatcher: composed, max: () => max };
}

/** The VBS associate / disassociate request body. */
export interface ResourcesRequest {
  readonly backup_policy_id?: string;
  readonly resources: ReadonlyArray<{ readonly resource_id: string; readonly resource_type?: string }>;
}

/** Parses the JSON body a MockAgent reply callback received. */
export function bodyOf<T>(opts: { body?: unknown }): T {
  const text = typeof opts.body === 'string' ? opts.body : Buffer.from(opts.body as Uint8Array).toString('utf8');
  return JSON.parse(text) as T;
}

/** A header from a MockAgent reply callback's options, whatever form undici passed them in. */
export function headerOf(opts: { headers?: unknown }, name: string): string | undefined {
  const headers = opts.headers;
  if (headers === undefined || headers === null) return undefined;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === name.toLowerCase()) return String(headers[i + 1]);
    }
    return undefined;
  }
  // undici may hand over its own Headers class (not the global one): recognise it by its get().
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') return (get.call(headers, name) as string | null) ?? undefined;
  for (const [k, v] of Object.entries(headers as Record<string, string>)) {
    if (k.toLowerCase() === name.toLowerCase()) return v;
  }
  return undefined;
}
