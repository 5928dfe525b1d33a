import { EnvHttpProxyAgent, Pool } from 'undici';
import type { Dispatcher } from 'undici';

/**
 * Proxy settings as the config holds them (from HTTPS_PROXY, HTTP_PROXY and NO_PROXY, read by
 * main.ts only). The cloud client and every Slack connection go through the same ones.
 */
export interface ProxySettings {
  readonly httpsProxy?: string | undefined;
  readonly httpProxy?: string | undefined;
  readonly noProxy?: string | undefined;
}

/** How long a proxy may take to answer CONNECT by default (undici would wait its 300 s headers timeout). */
export const DEFAULT_PROXY_ANSWER_MS = 10_000;

/**
 * An EnvHttpProxyAgent built from the explicit values (each passed, empty when unset, so undici
 * never falls back to process.env), or undefined when no proxy is set: then the caller connects
 * directly. Never installed globally. `proxyAnswerMs` bounds the wait for the proxy's answer to
 * CONNECT: a proxy that takes the connection and never answers would otherwise hold a call for
 * five minutes, through every timeout and abort of the caller's (none applies before the tunnel).
 */
export function createProxyDispatcher(
  proxy: ProxySettings | undefined,
  agentOptions: Omit<EnvHttpProxyAgent.Options, 'httpProxy' | 'httpsProxy' | 'noProxy'> = {},
  proxyAnswerMs = DEFAULT_PROXY_ANSWER_MS,
): Dispatcher | undefined {
  const httpsProxy = checkProxyUrl('httpsProxy', proxy?.httpsProxy);
  const httpProxy = checkProxyUrl('httpProxy', proxy?.httpProxy);
  if (httpsProxy === '' && httpProxy === '') return undefined;
  return new EnvHttpProxyAgent({
    clientFactory: (origin: URL, opts: object) => new Pool(origin, { ...opts, headersTimeout: proxyAnswerMs }),
    ...agentOptions,
    httpsProxy,
    httpProxy,
    noProxy: proxy?.noProxy?.trim() ?? '',
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
