import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/** A TCP pipe on 127.0.0.1 in front of a server: `stop()` makes the server look gone, `start()` brings it back on the same port. */
export interface TcpProxy {
  readonly port: number;
  /** Stops listening and cuts every open connection (new ones are refused). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

export async function startTcpProxy(target: { readonly host: string; readonly port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const track = (socket: Socket, peer: Socket): void => {
    sockets.add(socket);
    socket.on('error', () => peer.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      peer.destroy();
    });
  };

  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      if (server !== undefined) return resolve();
      const listening = createServer((client) => {
        const upstream = createConnection({ host: target.host, port: target.port });
        track(client, upstream);
        track(upstream, client);
        client.pipe(upstream).pipe(client);
      });
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => {
        port = (listening.address() as AddressInfo).port;
        server = listening;
        resolve();
      });
    });

  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      const closing = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      if (closing === undefined) return resolve();
      closing.close(() => resolve());
    });

  await start();
  return {
    get port() {
      return port;
    },
    stop,
    start,
  };
}
