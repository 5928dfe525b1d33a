import type { DemoWorld } from '../../src/demo/demo-world';
import { startDemoWorld } from '../../src/demo/demo-world';
import { waitFor } from '../../src/demo/wait';
import type { ConnectProxy } from '../helpers/connect-proxy';
import { startConnectProxy } from '../helpers/connect-proxy';
import { SocketModeStandIn } from '../helpers/socket-mode-stand-in';
import { ALICE, DB_DATA_1, INCIDENT, rootMessages } from './world';

/** Behind a mandatory proxy the bot reaches Slack only through it: Web API, response URLs and Socket Mode. */
describe('HTTPS_PROXY for Slack', () => {
  let proxy: ConnectProxy;
  let world: DemoWorld | undefined;
  let socket: SocketModeStandIn | undefined;

  beforeEach(async () => {
    proxy = await startConnectProxy();
  });
  afterEach(async () => {
    await world?.stop();
    await socket?.close();
    await proxy.stop();
    world = undefined;
    socket = undefined;
  });

  const slackHost = (w: DemoWorld): string => new URL(w.slack.apiUrl).host;

  it('sends the Web API calls through the proxy in HTTP mode', async () => {
    world = await startDemoWorld({ env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url } });
    const w = world;
    // auth.test at start already went through it.
    expect(proxy.tunnels).toContain(slackHost(w));
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
    const done = await w.settle((await w.latestRequest(0)).id);
    expect(done.state).toBe('succeeded');
    expect(rootMessages(w, INCIDENT)).toHaveLength(1);
    // The cloud's calls too (the token, the look-up, the associate): the sandbox is reached through it.
    expect(proxy.tunnels).toContain(new URL(w.sandbox.url).host);
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    world = await startDemoWorld({ env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    expect(proxy.tunnels).toEqual([]);
  });

  it('opens the Socket Mode connection through the proxy', async () => {
    socket = new SocketModeStandIn();
    const url = await socket.url();
    world = await startDemoWorld({
      socketUrl: url,
      env: { SLACK_APP_TOKEN: 'xapp-1-A0BACKUPBOT-1-standin', SLACK_SIGNING_SECRET: '', HTTP_PROXY: proxy.url },
    });
    const w = world;
    await waitFor('the socket to connect', () => (socket && socket.connections >= 1 ? true : undefined));
    expect(proxy.tunnels).toEqual(expect.arrayContaining([slackHost(w), new URL(url).host]));
  });
});
