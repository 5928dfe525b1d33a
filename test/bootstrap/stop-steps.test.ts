import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { closeStoreStep, cutCalls, runStopSteps } from '../../src/bootstrap';
import { createMemoryLogger } from '../../src/log/logger';

describe('the steps of a stop', () => {
  it('run the last one started first, all of them, and fail together when one failed', async () => {
    const ran: string[] = [];
    const logger = createMemoryLogger('debug');
    const step = (name: string, failure?: Error) => (): Promise<void> => {
      ran.push(name);
      return failure === undefined ? Promise.resolve() : Promise.reject(failure);
    };
    const steps = [step('store'), step('dispatcher', new Error('close failed')), step('bot')];
    await expect(runStopSteps(steps, logger)).rejects.toThrow('1 shutdown step(s) failed');
    expect(ran).toEqual(['bot', 'dispatcher', 'store']);
    expect(logger.lines.filter((l) => l.includes('shutdown step failed') && l.includes('close failed'))).toHaveLength(
      1,
    );
    // Taken: a second stop has nothing left to do.
    await expect(runStopSteps(steps, logger)).resolves.toBeUndefined();
    expect(ran).toHaveLength(3);
  });

  it('fail, and go on, when the store does not close in time (a connection still lent out)', async () => {
    const ran: string[] = [];
    const logger = createMemoryLogger('debug');
    const never = new Promise<void>(() => undefined);
    const steps = [
      (): Promise<void> => {
        ran.push('sandbox');
        return Promise.resolve();
      },
      closeStoreStep({ close: () => never }, 50),
    ];
    await expect(runStopSteps(steps, logger)).rejects.toThrow('1 shutdown step(s) failed');
    expect(ran).toEqual(['sandbox']);
    expect(logger.lines.some((l) => l.includes('closing the store did not finish within 50 ms'))).toBe(true);
  });

  it('resolve when every step did', async () => {
    await expect(runStopSteps([() => Promise.resolve()], createMemoryLogger())).resolves.toBeUndefined();
  });
});

describe('closing the cloud dispatcher at a stop', () => {
  let server: Server;
  let url: string;
  beforeEach(async () => {
    // Answers nothing: a cloud call that would take its whole response timeout.
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('cuts a call still under way, which would otherwise hold the stop until its answer', async () => {
    const agent = new Agent();
    const call = request(url, { dispatcher: agent }).then(
      () => 'answered',
      (e: unknown) => `cut: ${e instanceof Error ? e.message : String(e)}`,
    );
    await new Promise((resolve) => server.once('request', resolve));
    await cutCalls(agent);
    expect(await call).toBe('cut: The client is destroyed');
  });
});
