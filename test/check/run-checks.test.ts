import { BOT_SCOPES } from '../../src/slack/scopes';
import { manifestBotScopes } from '../helpers/slack-scopes';
import { WebClient } from '@slack/web-api';
import { Agent } from 'undici';
import { runChecks } from '../../src/check/run-checks';
import { checkClients } from '../../src/check/slack-checks';
import { loadConfig } from '../../src/config/load-config';
import type { SlackStandIn } from '../../src/demo/slack-stand-in/server';
import { startSlackStandIn } from '../../src/demo/slack-stand-in/server';
import { asProjectId } from '../../src/domain/ids';
import { createOtcClient } from '../../src/otc/client';
import type { Sandbox } from '../../src/sandbox';
import { DEFAULT_PROJECT_ID, startSandbox } from '../../src/sandbox';

// A config as `npm start` reads it, against the stand-in workspace (team T0DEMO0001, #backup-approvals
// with the bot in it, groups sre-oncall and backup-admins) and the sandbox's one project.
const GOOD = {
  slack: '',
  approvals: 'C0APPROVAL',
  rules: `
  - { name: sre, usergroups: ['@sre-oncall'], decision: allow }
  - { name: others-ask, everyone: true, decision: require_approval }`,
};

function configOf(parts: Partial<typeof GOOD> = {}) {
  const p = { ...GOOD, ...parts };
  const yaml = `${p.slack}
cloud: { region: eu-de, sandbox: true }
projects:
  - { name: sandbox, id: ${DEFAULT_PROJECT_ID}, region: eu-de }
approvals:
  channel: ${p.approvals}
  approvers: { usergroups: [backup-admins] }
  ttl: 4h
rules:${p.rules}
`;
  return loadConfig({ SLACK_BOT_TOKEN: 'xoxb-unused', SLACK_APP_TOKEN: 'xapp-unused' }, { readFile: () => yaml });
}

describe('the set-up self-check', () => {
  let slack: SlackStandIn;
  let sandbox: Sandbox;
  let agent: Agent;
  let web: WebClient;
  let cloud: ReturnType<typeof createOtcClient>;

  beforeEach(async () => {
    slack = await startSlackStandIn();
    sandbox = await startSandbox();
    agent = new Agent();
    web = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    cloud = createOtcClient({
      credentials: { kind: 'password', ...sandbox.credentials },
      authUrl: `${sandbox.url}/v3`,
      endpoints: { vbs: sandbox.url, cbr: sandbox.url, evs: sandbox.url, ecs: sandbox.url },
      dispatcher: agent,
    });
  });
  afterEach(async () => {
    await agent.close();
    await sandbox.stop();
    await slack.stop();
  });

  const check = (config = configOf()) => runChecks({ config, web, cloud });

  it('finds nothing wrong with a working set-up', async () => {
    expect(await check()).toEqual({ problems: [], notes: [] });
  });

  it('says the token was refused and where to get a valid one', async () => {
    slack.failNext('auth.test', { error: 'invalid_auth' });
    const { problems } = await check();
    expect(problems).toEqual([
      expect.stringMatching(/refused the bot token \(auth\.test: invalid_auth\).*set SLACK_BOT_TOKEN/),
    ]);
  });

  it('says when Slack cannot be reached at all, and what to check', async () => {
    const unreachable = new WebClient(slack.botToken, {
      slackApiUrl: 'http://127.0.0.1:9/api/',
      retryConfig: { retries: 0 },
    });
    const { problems } = await runChecks({ config: configOf(), web: unreachable, cloud });
    expect(problems).toEqual([
      expect.stringMatching(/Slack cannot be reached \(auth\.test: .*check the network, HTTPS_PROXY/),
    ]);
  });

  describe('in Socket Mode', () => {
    let socketSlack: SlackStandIn;
    let appWeb: WebClient;
    beforeEach(async () => {
      // Its apps.connections.open hands out this socket URL (nothing connects to it).
      socketSlack = await startSlackStandIn({ socketUrl: 'ws://127.0.0.1:9/socket' });
      appWeb = new WebClient('xapp-1-A0BACKUPBOT-1-standin', {
        slackApiUrl: socketSlack.apiUrl,
        retryConfig: { retries: 0 },
      });
    });
    afterEach(() => socketSlack.stop());

    it('finds nothing wrong with an app-level token that opens connections', async () => {
      expect(await runChecks({ config: configOf(), web, appWeb, cloud })).toEqual({ problems: [], notes: [] });
      expect(socketSlack.state.callsOf('apps.connections.open')).toHaveLength(1);
    });

    it('says it could not check the app-level token when Slack rate-limits the call, not that the token is wrong', async () => {
      // The clients `npm run check` builds, from a config in Socket Mode.
      const config = configOf();
      const clients = checkClients(
        { ...config.slack, botToken: socketSlack.botToken },
        { slackApiUrl: socketSlack.apiUrl, retryConfig: { retries: 0 } },
      );
      expect(config.slack.mode).toBe('socket');
      socketSlack.failNext('apps.connections.open', { status: 429, retryAfterS: 30 });
      const report = await runChecks({ config, ...clients, cloud });
      expect(report.problems).toEqual([]);
      expect(report.notes).toEqual([expect.stringMatching(/rate-limited apps\.connections\.open.*again in 30 s/)]);
    });

    it('says the app-level token was refused and where to get one', async () => {
      socketSlack.failNext('apps.connections.open', { error: 'invalid_auth' });
      const { problems } = await runChecks({ config: configOf(), web, appWeb, cloud });
      expect(problems).toEqual([
        expect.stringMatching(
          /refused the app-level token \(apps\.connections\.open: invalid_auth\).*SLACK_APP_TOKEN.*connections:write/,
        ),
      ]);
    });
  });

  it("says the token's workspace is not in slack.allowed_team_ids and how to let it in", async () => {
    const { problems } = await check(configOf({ slack: 'slack: { allowed_team_ids: [T0123ABCD] }' }));
    expect(problems).toEqual([expect.stringMatching(/T0DEMO0001.*add T0DEMO0001 to slack\.allowed_team_ids/)]);
  });

  it('says which scopes the token lacks and how to grant them', async () => {
    slack.state.grantedScopes = slack.state.grantedScopes.filter((s) => s !== 'usergroups:read' && s !== 'files:write');
    const { problems } = await check();
    expect(problems).toEqual([
      expect.stringMatching(
        /lacks the scopes usergroups:read, files:write: add them under OAuth & Permissions.*reinstall/,
      ),
    ]);
  });

  it('says the approvals channel cannot be reached and what to set', async () => {
    const { problems } = await check(configOf({ approvals: 'C0MISSING1' }));
    expect(problems).toEqual([
      expect.stringMatching(/C0MISSING1 cannot be reached.*channel_not_found.*set approvals\.channel/),
    ]);
  });

  it('says the bot is not in the approvals channel and to invite it', async () => {
    const { problems } = await check(configOf({ approvals: 'C0INC4712' }));
    expect(problems).toEqual([expect.stringMatching(/not a member of .*#inc-4712-storage.*invite it/)]);
  });

  it('names a user group that does not exist and how to fix it', async () => {
    const rules = `${GOOD.rules}
  - { name: dba, policies: ['db-*'], decision: require_approval, approvers: { usergroups: [dba-leads] } }`;
    const { problems } = await check(configOf({ rules }));
    expect(problems).toEqual([
      expect.stringMatching(/@dba-leads .*does not exist.*create the group, or correct the handle/),
    ]);
  });

  it('finds a user group named in other letter case, as the rules match it', async () => {
    const rules = `
  - { name: sre, usergroups: ['@SRE-Oncall'], decision: allow }`;
    expect((await check(configOf({ rules }))).problems).toEqual([]);
  });

  it('says when user groups cannot be listed and which scope is missing', async () => {
    slack.failNext('usergroups.list', { error: 'missing_scope' });
    const { problems } = await check();
    expect(problems).toEqual([expect.stringMatching(/usergroups\.list: missing_scope.*usergroups:read/)]);
  });

  it('says the cloud refused the credentials and which settings to check', async () => {
    sandbox.faults.inject('iam.tokens', { status: 401 });
    const { problems } = await check();
    expect(problems).toEqual([expect.stringMatching(/refused the credentials.*check OTC_USERNAME/)]);
  });

  it('names a project the credentials cannot reach and what to check', async () => {
    const config = configOf();
    const projects = [
      ...config.projects,
      { ...config.projects[0]!, name: 'other', id: asProjectId('ffffffffffffffffffffffffffffffff') },
    ];
    const { problems } = await runChecks({ config: { ...config, projects }, web, cloud });
    expect(problems).toEqual([
      expect.stringMatching(/refused a token for project other \(f+, eu-de\).*check the project id/),
    ]);
  });

  it('lists the vaults of a CBR project, and says so when that fails', async () => {
    const config = configOf();
    const projects = config.projects.map((p) => ({ ...p, service: 'cbr' as const }));
    sandbox.faults.inject('cbr.list_vaults', { status: 403 });
    const { problems } = await runChecks({ config: { ...config, projects }, web, cloud });
    expect(problems).toEqual([
      expect.stringMatching(/^Listing the vaults of project sandbox .*GET \/v3\/.*\/vaults.*may read CBR vaults/),
    ]);
  });

  it('skips the cloud in sandbox mode and says so', async () => {
    expect(await runChecks({ config: configOf(), web, cloud: undefined })).toEqual({
      problems: [],
      notes: [expect.stringContaining('sandbox is in use')],
    });
  });

  it('says that no rules at all deny everything', async () => {
    const { problems } = await check(configOf({ rules: ' []' }));
    expect(problems).toEqual([expect.stringMatching(/no access rules.*add rules/)]);
  });

  it('says that a first rule denying everyone denies everything and how to fix it', async () => {
    const rules = `
  - { name: nobody, everyone: true, decision: deny }${GOOD.rules}`;
    const { problems } = await check(configOf({ rules }));
    expect(problems).toEqual([expect.stringMatching(/Rule "nobody" .*every request is denied: move the rules/)]);
  });
});

describe('the scopes the self-check expects', () => {
  it('are exactly the bot scopes manifest.yml asks for', () => {
    expect([...BOT_SCOPES].sort()).toEqual(manifestBotScopes().sort());
  });
});
