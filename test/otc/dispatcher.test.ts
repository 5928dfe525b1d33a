import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { Agent, EnvHttpProxyAgent } from 'undici';
import type { Dispatcher } from 'undici';
import { createOtcClient } from '../../src/otc/client';
import { createOtcDispatcher } from '../../src/otc/dispatcher';
import { OtcNetworkError } from '../../src/otc/errors';
import { createFakeClock, PROJECT } from './helpers';

// Loopback only: a stand-in VBS and a CONNECT proxy on 127.0.0.1, port 0.

const servers: Server[] = [];
const dispatchers: Dispatcher[] = [];

afterEach(async () => {
  await Promise.all(dispatchers.splice(0).map((d) => d.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function startVbs(handler?: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = createServer(
    handler ??
      ((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"backup_policies":[]}');
      }),
  );
  server.keepAliveTimeout = 100;
  return listen(server);
}

/** A CONNECT proxy that sends every tunnel to `targetPort` and records what was asked for. */
async function startProxy(targetPort: number, seen: string[]): Promise<number> {
  const proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: IncomingMessage, socket, head: Buffer) => {
    seen.push(req.url ?? '');
    const upstream = connect(targetPort, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  return listen(proxy);
}

function client(dispatcher: Dispatcher, vbs: string, responseMs?: number) {
  dispatchers.push(dispatcher);
  return createOtcClient({
    credentials: { kind: 'aksk', accessKey: 'ak', secretKey: 'sk' },
    dispatcher,
    endpoints: { vbs },
    retry: { maxAttempts: 1 },
    timeouts: responseMs === undefined ? undefined : { responseMs },
    clock: createFakeClock(),
  });
}

describe('createOtcDispatcher', () => {
  it('builds a keep-alive Agent without a proxy, and an EnvHttpProxyAgent with one', async () => {
    const direct = createOtcDispatcher();
    const proxied = createOtcDispatcher({ proxy: { httpsProxy: 'http://proxy.internal:3128' } });
    const blank = createOtcDispatcher({ proxy: { httpsProxy: ' ', httpProxy: '' } });
    expect(direct).toBeInstanceOf(Agent);
    expect(proxied).toBeInstanceOf(EnvHttpProxyAgent);
    expect(blank).toBeInstanceOf(Agent);
    await Promise.all([direct.close(), proxied.close(), blank.close()]);
  });

  it('refuses a proxy that is not an http(s) URL and timeouts that are not positive', () => {
    expect(() => createOtcDispatcher({ proxy: { httpsProxy: 'socks5://p:1080' } })).toThrow(
      'proxy.httpsProxy must be an http(s) URL',
    );
    expect(() => createOtcDispatcher({ connectTimeoutMs: 0 })).toThrow(RangeError);
  });

  it('sends calls through the given proxy', async () => {
    const seen: string[] = [];
    const vbsPort = await startVbs();
    const proxyPort = await startProxy(vbsPort, seen);
    const dispatcher = createOtcDispatcher({ proxy: { httpProxy: `http://127.0.0.1:${proxyPort}` } });
    const otc = client(dispatcher, 'http://vbs.{region}.example.invalid');
    expect(await otc.listTargets(PROJECT)).toEqual([]);
    expect(seen).toEqual(['vbs.eu-de.example.invalid:80']);
  });

  it('skips the proxy for hosts in noProxy', async () => {
    const seen: string[] = [];
    const vbsPort = await startVbs();
    const proxyPort = await startProxy(vbsPort, seen);
    const dispatcher = createOtcDispatcher({
      proxy: { httpProxy: `http://127.0.0.1:${proxyPort}`, noProxy: '127.0.0.1' },
    });
    expect(await client(dispatcher, `http://127.0.0.1:${vbsPort}`).listTargets(PROJECT)).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('keeps its connect timeout through a proxy: a TLS handshake the tunnel never completes fails as a connect timeout', async () => {
    // Takes the connection and says nothing: no TLS handshake ever comes back through the tunnel.
    const held: Socket[] = [];
    const silent = createNetServer((socket) => held.push(socket));
    const silentPort = await new Promise<number>((resolve) =>
      silent.listen(0, '127.0.0.1', () => resolve((silent.address() as AddressInfo).port)),
    );
    try {
      const proxyPort = await startProxy(silentPort, []);
      const dispatcher = createOtcDispatcher({
        connectTimeoutMs: 100,
        proxy: { httpsProxy: `http://127.0.0.1:${proxyPort}` },
      });
      const started = Date.now();
      const error = await client(dispatcher, 'https://vbs.{region}.example.invalid', 30_000)
        .listTargets(PROJECT)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'OTC_NETWORK', reason: 'connect timeout' });
      // The configured 100 ms, not undici's own 10 s that a lost setting falls back to.
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('gives up on a proxy that takes the connection and never answers CONNECT (bounded by the connect timeout)', async () => {
    const held: Socket[] = [];
    const mute = createServer((_req, res) => res.writeHead(405).end());
    mute.on('connect', (_req: IncomingMessage, socket: Socket) => held.push(socket));
    const proxyPort = await listen(mute);
    try {
      const dispatcher = createOtcDispatcher({
        connectTimeoutMs: 100,
        proxy: { httpsProxy: `http://127.0.0.1:${proxyPort}` },
      });
      const error = await client(dispatcher, 'https://vbs.{region}.example.invalid', 30_000)
        .listTargets(PROJECT)
        .catch((e: unknown) => e);
      // Without the bound, undici waits its own 300 s for the answer, and this test times out.
      expect(error).toBeInstanceOf(OtcNetworkError);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });

  it('does not read proxy settings from the environment', async () => {
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy };
    process.env.HTTP_PROXY = 'http://127.0.0.1:9';
    process.env.http_proxy = 'http://127.0.0.1:9';
    try {
      const vbsPort = await startVbs();
      const dispatcher = createOtcDispatcher({ proxy: { httpsProxy: 'http://127.0.0.1:9' } });
      expect(await client(dispatcher, `http://127.0.0.1:${vbsPort}`).listTargets(PROJECT)).toEqual([]);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) Reflect.deleteProperty(process.env, key);
        else process.env[key] = value;
      }
    }
  });
});

describe('network failures through a real dispatcher', () => {
  it('reports a server that never answers as a response timeout', async () => {
    const vbsPort = await startVbs(() => undefined);
    const otc = client(createOtcDispatcher(), `http://127.0.0.1:${vbsPort}`, 100);
    const error = await otc.listTargets(PROJECT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcNetworkError);
    expect(error).toMatchObject({ code: 'OTC_NETWORK', reason: 'response timeout (no headers)', attempts: 1 });
  });

  it('reports a closed port as connection refused', async () => {
    const closed = createServer();
    const port = await new Promise<number>((resolve) =>
      closed.listen(0, '127.0.0.1', () => resolve((closed.address() as AddressInfo).port)),
    );
    await new Promise((resolve) => closed.close(resolve));
    const error = await client(createOtcDispatcher(), `http://127.0.0.1:${port}`)
      .listTargets(PROJECT)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'OTC_NETWORK', reason: 'connection refused' });
  });

  it('reports a connection the server drops mid-way as a closed socket', async () => {
    const vbsPort = await startVbs((req) => req.socket.destroy());
    const error = await client(createOtcDispatcher(), `http://127.0.0.1:${vbsPort}`)
      .listTargets(PROJECT)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'OTC_NETWORK', reason: 'socket closed by the other side' });
  });
});
