import { WebClient } from '@slack/web-api';
import { createMemoryLogger } from '../../src/log/logger';
import { SYSTEM_CLOCK } from '../../src/otc/runtime';
import { markMessageArguments } from '../../src/slack/blocks/sandbox-mark';
import { createChatPoster } from '../../src/slack/chat-poster';
import { SlackMessageDeliverer } from '../../src/slack/message-deliverer';
import { createSlackFetch } from '../../src/slack/slack-fetch';
import { SLACK_API } from './listener-app';

/**
 * A sandbox bot's deliverer as app.ts builds it, against nock's Slack: posts and edits go through a
 * chat poster that marks them ("sandbox: no real cloud"); its other calls (look-ups, uploads, a
 * workflow step's completion) through a WebClient that never retries, unmarked.
 */
export function sandboxDeliverer(token = 'xoxb-test'): SlackMessageDeliverer {
  const logger = createMemoryLogger('error');
  const apiUrl = `${SLACK_API}/api/`;
  const client = new WebClient(token, { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, logger });
  const fetch = createSlackFetch({ clock: SYSTEM_CLOCK, logger });
  const chat = createChatPoster({ token, apiUrl, fetch, timeoutMs: 5_000, logger, prepare: markMessageArguments });
  return new SlackMessageDeliverer(client, 'C0APPROVAL', chat);
}
