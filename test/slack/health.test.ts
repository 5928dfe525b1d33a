import { EventEmitter } from 'node:events';
import { createReadinessCheck, watchSocket } from '../../src/slack/health';
import type { StoreHealth } from '../../src/store/request-store';

const storeSaying = (health: StoreHealth) => ({ health: () => Promise.resolve(health) });

describe('createReadinessCheck', () => {
  it.each([
    ['ok', true, { ok: true, body: { status: 'ok', mode: 'socket' } }],
    ['ok', false, { ok: false, body: { status: 'degraded', mode: 'socket', slack: 'disconnected' } }],
    ['schema_outdated', true, { ok: false, body: { status: 'degraded', mode: 'socket', store: 'schema_outdated' } }],
    [
      'unavailable',
      false,
      { ok: false, body: { status: 'degraded', mode: 'socket', store: 'unavailable', slack: 'disconnected' } },
    ],
  ] as const)('store %s, socket connected %s', async (store, connected, report) => {
    const check = createReadinessCheck({ mode: 'socket', store: storeSaying(store), socketConnected: () => connected });
    expect(await check()).toEqual(report);
  });

  it('says the store is unavailable when it does not answer within storeAnswerMs', async () => {
    const hung = { health: () => new Promise<StoreHealth>(() => undefined) };
    const check = createReadinessCheck({ mode: 'http', store: hung, storeAnswerMs: 50 });
    expect(await check()).toEqual({ ok: false, body: { status: 'degraded', mode: 'http', store: 'unavailable' } });
  });

  it('asks nothing of Slack in HTTP mode', async () => {
    expect(await createReadinessCheck({ mode: 'http', store: storeSaying('ok') })()).toEqual({
      ok: true,
      body: { status: 'ok', mode: 'http' },
    });
  });
});

describe('watchSocket', () => {
  it('is connected from hello until the socket closes, and again after the next hello', () => {
    const client = new EventEmitter();
    const connected = watchSocket(client);
    expect(connected()).toBe(false);
    client.emit('connecting');
    expect(connected()).toBe(false);
    client.emit('connected');
    expect(connected()).toBe(true);
    client.emit('close');
    expect(connected()).toBe(false);
    client.emit('reconnecting');
    client.emit('connected');
    expect(connected()).toBe(true);
    client.emit('disconnecting');
    expect(connected()).toBe(false);
  });
});
