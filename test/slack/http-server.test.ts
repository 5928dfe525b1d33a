import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { signSlackRequest } from '../../src/demo/slack-driver';
import { createMemoryLogger } from '../../src/log/logger';
import { createBotHttpServer, listen, SLACK_BODY_LIMIT_BYTES, stopListening } from '../../src/slack/http-server';
import type { ReplayMemory } from '../../src/store/request-store';
import { ManualClock } from '../helpers/manual-clock';

const SECRET = 'test-signing-secret';

/** Remembers keys in a map, as the store does in a table; `broken` makes it fail as a store that is down does. */
class MemoryReplays implements Pick<ReplayMemory, 'remember'> {
  readonly keys = new Map<string, number>();
  broken = false;

  remember(key: string, expiresAt: number, now: number): Promise<boolean> {
    if (this.broken) return Promise.reject(new Error('store down'));
    const until = this.keys.get(key);
    if (until !== undefined && until > now) return Promise.resolve(false);
    this.keys.set(key, expiresAt);
    return Promise.resolve(true);
  }
}

/** What Bolt's receiver does with the body: it takes a buffered `rawBody` when there is one, else reads the stream. */
async function bodyAsBoltReadsIt(req: IncomingMessage): Promise<string> {
  const buffered = (req as IncomingMessage & { rawBody?: unknown }).rawBody;
  if (Buffer.isBuffer(buffered)) return buffered.toString('utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('the HTTP face in front of Bolt', () => {
  const clock = new ManualClock();
  const logger = createMemoryLogger('debug');
  let replays: MemoryReplays;
  let bodies: string[];
  let server: Server;
  let url: string;

  beforeEach(async () => {
    replays = new MemoryReplays();
    bodies = [];
    const listener = (req: IncomingMessage, res: ServerResponse): void => {
      void bodyAsBoltReadsIt(req).then((body) => {
        bodies.push(body);
        res.writeHead(200).end();
      });
    };
    server = createBotHttpServer({
      clock,
      logger,
      slack: { listener, signingSecret: SECRET, replays },
      health: () => Promise.resolve({ ok: true, body: { status: 'ok' } }),
    });
    url = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}/slack/events`;
  });
  afterEach(() => {
    const closed = stopListening(server);
    server.closeAllConnections();
    return closed;
  });

  function post(
    body: string,
    headers: Record<string, string> = {},
    timestamp = String(Math.floor(clock.now() / 1000)),
  ): Promise<Response> {
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': signSlackRequest(SECRET, timestamp, body),
        ...headers,
      },
      body,
    });
  }

  it('hands a signed request and its whole body to Bolt, and answers its repeat 401 without reaching Bolt', async () => {
    const body = `command=%2Fbackup&text=${'x'.repeat(200_000)}`;
    const timestamp = String(Math.floor(clock.now() / 1000));
    expect((await post(body, {}, timestamp)).status).toBe(200);
    clock.advance(12_000);
    const again = await post(body, {}, timestamp);
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ error: 'this signed request was already received' });
    expect(bodies).toEqual([body]);
    expect(logger.lines.some((l) => l.includes('refused a replayed Slack request'))).toBe(true);
  });

  it('hands requests without a valid signature to Bolt (which refuses them) and remembers nothing', async () => {
    expect((await post('command=%2Fbackup', { 'x-slack-signature': `v0=${'0'.repeat(64)}` })).status).toBe(200);
    expect((await post('ssl_check=1', { 'x-slack-signature': '' })).status).toBe(200);
    expect(bodies).toEqual(['command=%2Fbackup', 'ssl_check=1']);
    expect(replays.keys.size).toBe(0);
  });

  it('hands the request to Bolt when the store cannot remember it, so the person hears why nothing happens', async () => {
    replays.broken = true;
    expect((await post('command=%2Fbackup')).status).toBe(200);
    expect(bodies).toEqual(['command=%2Fbackup']);
    expect(logger.lines.some((l) => l.includes('could not remember a Slack request'))).toBe(true);
  });

  it('answers 413 to a body larger than Bolt would take', async () => {
    expect((await post('x'.repeat(SLACK_BODY_LIMIT_BYTES + 1))).status).toBe(413);
    expect(bodies).toEqual([]);
  });
});
