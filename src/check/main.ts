import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config-error';
import type { Config } from '../config/load-config';
import { loadConfig } from '../config/load-config';
import { createLogger } from '../log/logger';
import { createProxyDispatcher } from '../net/proxy-dispatcher';
import { createOtcClient } from '../otc/client';
import { createOtcDispatcher } from '../otc/dispatcher';
import { SYSTEM_CLOCK } from '../otc/runtime';
import { createSlackFetch } from '../slack/slack-fetch';
import { runChecks } from './run-checks';
import { checkClients } from './slack-checks';

/** `npm run check`: loads the config as `npm start` does, checks the set-up, prints each problem with its fix. */
async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(process.env, { readFile: (path) => readFileSync(path, 'utf8') });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.log('The configuration is invalid; fix these first:');
    for (const problem of e.problems) console.log(`- ${problem}`);
    return 1;
  }
  const logger = createLogger({ level: 'error' });
  // The same routes as the bot: through the proxy when one is set, to the configured endpoints.
  const slackDispatcher = createProxyDispatcher(config.proxy);
  const cloudDispatcher = createOtcDispatcher({ connectTimeoutMs: config.cloud.connectTimeoutMs, proxy: config.proxy });
  try {
    const clientOptions = {
      fetch: createSlackFetch({ clock: SYSTEM_CLOCK, logger, dispatcher: slackDispatcher }),
      ...(config.slack.apiUrl && { slackApiUrl: config.slack.apiUrl }),
      retryConfig: { retries: 0 },
      logger,
    };
    const { web, appWeb } = checkClients(config.slack, clientOptions);
    const auth = config.cloud.auth;
    const cloud =
      auth.kind === 'sandbox'
        ? undefined
        : createOtcClient({
            credentials: auth,
            authUrl: config.cloud.authUrl,
            endpoints: config.cloud.endpoints,
            dispatcher: cloudDispatcher,
            timeouts: { responseMs: config.cloud.responseTimeoutMs },
          });
    const report = await runChecks({ config, web, appWeb, cloud });
    for (const note of report.notes) console.log(`note: ${note}`);
    for (const problem of report.problems) console.log(`problem: ${problem}`);
    if (report.problems.length === 0) console.log('The set-up looks right.');
    return report.problems.length === 0 ? 0 : 1;
  } finally {
    await cloudDispatcher.close();
    await slackDispatcher?.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error('The self-check could not run:', e);
    process.exitCode = 1;
  },
);
