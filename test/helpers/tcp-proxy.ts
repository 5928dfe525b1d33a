import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/** A TCP pipe on 127.0.0.1 in front of a server: `stop()` makes the server look gone, `start()` brings it back on the same port. */
export interface TcpProxy {
  readonly port: number;
  /** Stops listening and cuts every open connection (new ones are refused). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /**
   * Drops every open connection the way a server that went away behind a firewall does: the client
   * hears nothing until it next writes on it, and is then reset. New connections still go through.
   */
  cutSilently(): void;
}

interface Pipe {
  readonly client: Socket;
  readonly upstream: Socket;
  silent: boolean;
}

export async function startTcpProxy(target: { readonly host: string; readonly port: number }): Promise<TcpProxy> {
  const pipes = new Set<Pipe>();
  let server: Server | undefined;
  let port = 0;

  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      if (server !== undefined) return resolve();
      const listening = createServer((client) => {
        const upstream = createConnection({ host: target.host, port: target.port });
        const pipe: Pipe = { client, upstream, silent: false };
        pipes.add(pipe);
        const end = (): void => {
          pipes.delete(pipe);
          client.destroy();
          upstream.destroy();
        };
        client.on('error', end);
        client.on('close', end);
        // A silently cut pipe's upstream is gone on purpose: its client learns of it only when it writes.
        const upstreamEnded = (): void => {
          if (!pipe.silent) end();
        };
        upstream.on('error', upstreamEnded);
        upstream.on('close', upstreamEnded);
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
      for (const { client, upstream } of pipes) {
        client.destroy();
        upstream.destroy();
      }
      if (closing === undefined) return resolve();
      closing.close(() => resolve());
    });

  const cutSilently = (): void => {
    for (const pipe of pipes) {
      pipe.silent = true;
      pipe.client.unpipe(pipe.upstream);
      pipe.upstream.unpipe(pipe.client);
      pipe.upstream.destroy();
      pipe.client.once('data', () => pipe.client.resetAndDestroy());
      // Unpiped, it is paused: it must read to hear the client's next word.
      pipe.client.resume();
    }
  };

  await start();
  return {
    get port() {
      return port;
    },
    stop,
    start,
    cutSilently,
  };
}
