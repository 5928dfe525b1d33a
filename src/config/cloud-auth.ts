import type { CloudAuth, CloudCredentials } from './config-schema';
import type { Env } from './env-schema';

const CREDENTIAL_VARIABLES = [
  'OTC_USERNAME',
  'OTC_PASSWORD',
  'OTC_DOMAIN_NAME',
  'OTC_ACCESS_KEY',
  'OTC_SECRET_KEY',
] as const satisfies readonly (keyof Env)[];

/**
 * How the bot reaches the cloud: the sandbox when the file says so, else with the credentials from
 * the environment. A sandbox bot with real credentials set is refused: it would answer "added" for
 * changes no cloud saw, in a deployment that looks like production. The variables are named,
 * never their values.
 */
export function pickCloudAuth(env: Env, sandbox: boolean, problems: string[]): CloudAuth | undefined {
  if (!sandbox) return pickCredentials(env, problems);
  for (const name of CREDENTIAL_VARIABLES.filter((n) => env[n] !== undefined))
    problems.push(`${name}: must not be set while cloud.sandbox is true (the sandbox never uses real credentials)`);
  return { kind: 'sandbox' };
}

/**
 * The cloud credentials the environment gives: an IAM password or an AK/SK pair, never both. What is
 * missing or conflicting goes to `problems` by variable name, never with a value.
 */
function pickCredentials(env: Env, problems: string[]): CloudCredentials | undefined {
  const password = {
    OTC_USERNAME: env.OTC_USERNAME,
    OTC_PASSWORD: env.OTC_PASSWORD,
    OTC_DOMAIN_NAME: env.OTC_DOMAIN_NAME,
  };
  const aksk = { OTC_ACCESS_KEY: env.OTC_ACCESS_KEY, OTC_SECRET_KEY: env.OTC_SECRET_KEY };
  const given = (o: Record<string, string | undefined>) => Object.values(o).some((v) => v !== undefined);
  const missing = (o: Record<string, string | undefined>) => Object.keys(o).filter((k) => o[k] === undefined);
  if (given(password) && given(aksk)) {
    problems.push(
      'OTC_USERNAME/OTC_ACCESS_KEY: set either OTC_USERNAME, OTC_PASSWORD, OTC_DOMAIN_NAME or OTC_ACCESS_KEY, OTC_SECRET_KEY, not both',
    );
    return undefined;
  }
  if (given(aksk)) {
    for (const key of missing(aksk)) problems.push(`${key}: required with the other AK/SK variable`);
    return env.OTC_ACCESS_KEY && env.OTC_SECRET_KEY
      ? { kind: 'aksk', accessKey: env.OTC_ACCESS_KEY, secretKey: env.OTC_SECRET_KEY }
      : undefined;
  }
  if (given(password)) {
    for (const key of missing(password)) problems.push(`${key}: required with the other IAM password variables`);
    return env.OTC_USERNAME && env.OTC_PASSWORD && env.OTC_DOMAIN_NAME
      ? { kind: 'password', username: env.OTC_USERNAME, password: env.OTC_PASSWORD, domainName: env.OTC_DOMAIN_NAME }
      : undefined;
  }
  problems.push(
    'OTC_USERNAME: cloud credentials are required (OTC_USERNAME, OTC_PASSWORD, OTC_DOMAIN_NAME, or OTC_ACCESS_KEY, OTC_SECRET_KEY) unless cloud.sandbox is true',
  );
  return undefined;
}
