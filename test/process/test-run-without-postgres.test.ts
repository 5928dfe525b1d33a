import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * README: without TEST_DATABASE_URL, `npm test` skips only the PostgreSQL suites and says so. Jest
 * runs no afterAll of a file whose tests were all skipped, so such a file once left its nock
 * patched into node:http and failed every file that ran after it in the same worker.
 */
describe('npm test without TEST_DATABASE_URL', () => {
  it('skips only the PostgreSQL suites, says so, and the files after them pass', async () => {
    const env: Record<string, string> = { ...process.env } as Record<string, string>;
    delete env['TEST_DATABASE_URL'];
    const files = [
      'test/store/postgres-store.test.ts',
      'test/store/query-plans.test.ts',
      'test/store/row-codecs.test.ts',
    ];
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
          '--runInBand',
          '--ci',
          `--testSequencer=${join(ROOT, 'test', 'helpers', 'path-order-sequencer.js')}`,
          ...files,
        ],
        { cwd: ROOT, env },
      );
      let text = '';
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.stderr.on('data', (c: Buffer) => (text += c.toString()));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, out: text }));
    });
    expect(out.match(/TEST_DATABASE_URL not set: the PostgreSQL suites .* are skipped/g)).toHaveLength(1);
    // The PostgreSQL file is skipped whole; the other two run (the SQLite plans and the codecs) and pass.
    expect(out).toMatch(/Test Suites: 1 skipped, 2 passed, 2 of 3 total/);
    expect(out).not.toMatch(/\d+ failed/);
    expect(code).toBe(0);
  }, 120_000);
});
