import { Agent } from 'undici';
import type { Dispatcher } from 'undici';
import { createProxyDispatcher } from '../net/proxy-dispatcher';
import type { ProxySettings } from '../net/proxy-dispatcher';

export interface OtcDispatcherOptions {
  /** TCP + TLS connect timeout, default 10 s. */
  readonly connectTimeoutMs?: number | undefined;
  /** How long an idle keep-alive socket is kept, default 30 s (capped by the server's Keep-Alive hint). */
  readonly keepAliveTimeoutMs?: number | undefined;
  /**
   * Explicit proxy settings; this module never reads process.env (main.ts passes HTTPS_PROXY,
   * HTTP_PROXY and NO_PROXY in). Omitted or all empty: direct connections.
   */
  readonly proxy?: ProxySettings | undefined;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 30_000;

/**
 * The production dispatcher for the OTC client: a keep-alive undici Agent, or the proxy's
 * (net/proxy-dispatcher.ts, never read from the environment). Never installed globally.
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
  const connect = { timeout: connectTimeoutMs };
  const direct = { connect, keepAliveTimeout: keepAliveTimeoutMs };
  // Through a proxy undici builds its own connectors, from these two: to the proxy, and the TLS
  // handshake with the cloud inside the tunnel. `connect` alone would leave both at undici's 10 s.
  const proxied = { ...direct, proxyTls: connect, requestTls: connect };
  return createProxyDispatcher(options.proxy, proxied, connectTimeoutMs) ?? new Agent(direct);
}
