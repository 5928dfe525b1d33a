import { Agent, EnvHttpProxyAgent } from 'undici';
import type { Dispatcher } from 'undici';

export interface OtcDispatcherOptions {
  /** TCP + TLS connect timeout, default 10 s. */
  readonly connectTimeoutMs?: number | undefined;
  /** How long an idle keep-alive socket is kept, default 30 s (capped by the server's Keep-Alive hint). */
  readonly keepAliveTimeoutMs?: number | undefined;
  /**
   * Explicit proxy settings; this module never reads process.env (main.ts passes HTTPS_PROXY,
   * HTTP_PROXY and NO_PROXY in). Omitted or all empty: direct connections.
   */
  readonly proxy?:
    | {
        readonly httpsProxy?: string | undefined;
        readonly httpProxy?: string | undefined;
        readonly noProxy?: string | undefined;
      }
    | undefined;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 30_000;

/**
 * The production dispatcher for the OTC client: a keep-alive undici Agent, or an EnvHttpProxyAgent
 * built from the explicit proxy values (never from the environment: each value is passed, empty
 * when unset, so undici does not fall back to process.env). Never installed globally.
 */
export function createOtcDispatcher(options: OtcDispatcherOptions = {}): Dispatcher {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
  for (const [name, value] of [
    ['connectTimeoutMs', connectTimeoutMs],
    ['keepAliveTimeoutMs', keepAliveTimeoutMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number`);
  }
  const agentOptions = { connect: { timeout: connectTimeoutMs }, keepAliveTimeout: keepAliveTimeoutMs };
  const httpsProxy = checkProxyUrl('httpsProxy', options.proxy?.httpsProxy);
  const httpProxy = checkProxyUrl('httpProxy', options.proxy?.httpProxy);
  if (httpsProxy === '' && httpProxy === '') return new Agent(agentOptions);
  return new EnvHttpProxyAgent({
    ...agentOptions,
    httpsProxy,
    httpProxy,
    noProxy: options.proxy?.noProxy?.trim() ?? '',
  });
}

function checkProxyUrl(name: string, value: string | undefined): string {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') return '';
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new TypeError(`proxy.${name} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`proxy.${name} must be an http(s) URL`);
  }
  return trimmed;
}
