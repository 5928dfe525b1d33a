/**
 * The floor: a bare Bolt v5 app in HTTP mode with the bot's signing secret, whose slash command
 * handler only acks. What any Bolt app costs per command on this machine; the bot is measured
 * against it. PORT and SLACK_SIGNING_SECRET from the environment; prints one line once it listens.
 */
import { App, HTTPReceiver } from '@slack/bolt';

async function main(): Promise<void> {
  const signingSecret = process.env['SLACK_SIGNING_SECRET'] ?? '';
  const port = Number(process.env['PORT'] ?? '0');
  const receiver = new HTTPReceiver({ signingSecret, endpoints: '/slack/events' });
  // With the bot's ids given, Bolt never calls auth.test: the floor makes no outbound call at all.
  const app = new App({
    token: 'xoxb-floor',
    botId: 'B0BACKUPBOT',
    botUserId: 'U0BACKUPBOT',
    receiver,
    tokenVerificationEnabled: false,
  });
  app.command('/backup', async ({ ack }) => {
    await ack();
  });
  await app.start({ port, host: '127.0.0.1' });
  console.log(JSON.stringify({ msg: 'floor listening', port }));
  const stop = (): void => {
    void app.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
