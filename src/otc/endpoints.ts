import { escapeForSigning } from './signer';

/**
 * Service base URLs as templates with `{region}`. Defaults are Open Telekom Cloud's public
 * endpoints; every one can be overridden (Huawei Cloud: `https://vbs.{region}.myhuaweicloud.com`,
 * the sandbox: `http://127.0.0.1:<port>`).
 */
export interface EndpointTemplates {
  /** IAM v3 base, the token call is `{iam}/auth/tokens`. */
  readonly iam: string;
  readonly vbs: string;
  readonly evs: string;
  /** ECS (Nova-compatible compute), the server calls are `{ecs}/v2.1/{project_id}/servers...`. */
  readonly ecs: string;
  /** CBR (Cloud Backup and Recovery, VBS's successor), the vault calls are `{cbr}/v3/{project_id}/vaults...`. */
  readonly cbr: string;
}

export const DEFAULT_ENDPOINTS: EndpointTemplates = Object.freeze({
  iam: 'https://iam.{region}.otc.t-systems.com/v3',
  vbs: 'https://vbs.{region}.otc.t-systems.com',
  evs: 'https://evs.{region}.otc.t-systems.com',
  ecs: 'https://ecs.{region}.otc.t-systems.com',
  cbr: 'https://cbr.{region}.otc.t-systems.com',
});

const SAMPLE_REGION = 'eu-de';
const REGION_RE = /^[a-z0-9][a-z0-9-]{0,62}$/i;

/** Merges overrides over the defaults and checks each template; throws TypeError naming the bad key. */
export type EndpointOverrides = { readonly [K in keyof EndpointTemplates]?: string | undefined };

export function resolveEndpointTemplates(overrides: EndpointOverrides | undefined): EndpointTemplates {
  return Object.freeze({
    iam: checkTemplate('iam', overrides?.iam ?? DEFAULT_ENDPOINTS.iam),
    vbs: checkTemplate('vbs', overrides?.vbs ?? DEFAULT_ENDPOINTS.vbs),
    evs: checkTemplate('evs', overrides?.evs ?? DEFAULT_ENDPOINTS.evs),
    ecs: checkTemplate('ecs', overrides?.ecs ?? DEFAULT_ENDPOINTS.ecs),
    cbr: checkTemplate('cbr', overrides?.cbr ?? DEFAULT_ENDPOINTS.cbr),
  });
}

function checkTemplate(key: string, template: string): string {
  const trimmed = template.trim().replace(/\/+$/, '');
  const leftover = /\{[^}]*\}/.exec(trimmed.replaceAll('{region}', SAMPLE_REGION));
  if (leftover) throw new TypeError(`endpoint ${key}: unknown placeholder ${leftover[0]} (only {region} is supported)`);
  let url: URL;
  try {
    url = new URL(trimmed.replaceAll('{region}', SAMPLE_REGION));
  } catch {
    throw new TypeError(`endpoint ${key}: not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`endpoint ${key}: must be an http(s) URL, got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') throw new TypeError(`endpoint ${key}: must not contain credentials`);
  if (url.search !== '' || url.hash !== '')
    throw new TypeError(`endpoint ${key}: must not contain a query or fragment`);
  return trimmed;
}

/** The base URL of one service in one region. Throws RangeError on a region that is not a plain name. */
export function resolveEndpoint(template: string, region: string): string {
  if (!REGION_RE.test(region)) throw new RangeError('region must be letters, digits and dashes, e.g. eu-de');
  return template.replaceAll('{region}', region.toLowerCase());
}

export type QueryPairs = ReadonlyArray<readonly [string, string]>;

/**
 * `base` + path segments (each percent-encoded) + query. The query is encoded exactly as the AK/SK
 * signer canonicalises it, so what is sent is what was signed.
 */
export function buildUrl(base: string, segments: readonly string[], query: QueryPairs = []): URL {
  const path = segments.map((s) => encodeURIComponent(s)).join('/');
  const search = query.map(([k, v]) => `${escapeForSigning(k)}=${escapeForSigning(v)}`).join('&');
  return new URL(`${base}/${path}${search === '' ? '' : `?${search}`}`);
}
