import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

/**
 * Stands in for Slack's Socket Mode endpoint: says hello first (unless told to hold it), then sends
 * envelopes and collects acks.
 */
export class SocketModeStandIn {
  readonly server: WebSocketServer;
  readonly acks: { envelope_id: string; payload?: unknown }[] = [];
  socket: WebSocket | undefined;
  connections = 0;
  /** When set, a new connection gets no hello until `sayHello()`: open, but not yet Slack's. */
  holdHello = false;

  constructor() {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.server.on('connection', (socket) => {
      this.socket = socket;
      this.connections += 1;
      socket.on('message', (data: Buffer) => this.acks.push(JSON.parse(data.toString('utf8'))));
      if (!this.holdHello) this.sayHello();
    });
  }

  sayHello(): void {
    this.send({
      type: 'hello',
      num_connections: 1,
      connection_info: { app_id: 'A0BACKUPBOT' },
      debug_info: { host: 'stand-in' },
    });
  }

  /** Cuts the current connection without a close handshake, as a network failure does. */
  dropConnection(): void {
    this.socket?.terminate();
  }

  async url(): Promise<string> {
    if (!this.server.address()) await new Promise((resolve) => this.server.once('listening', resolve));
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/link`;
  }

  send(envelope: Record<string, unknown>): void {
    if (this.socket === undefined) throw new Error('no Socket Mode connection yet');
    this.socket.send(JSON.stringify(envelope));
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
