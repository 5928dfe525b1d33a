import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const REGISTER_TS = join(ROOT, 'test', 'helpers', 'register-ts.js');

/**
 * What a bot on SQLite has loaded once its app is built and its store is open, in a process of its
 * own (jest's module registry is not Node's). Each module kept loaded costs resident memory for as
 * long as the bot runs: the PostgreSQL driver about 15 MB, all of date-fns (300 modules) about 10 MB,
 * the built-in OTC emulator (36 modules) about 4 MB of heap.
 */
function loadedBySqliteBot(dir: string): {
  readonly pg: number;
  readonly dateFns: number;
  readonly dateFnsIndex: number;
  readonly sandbox: number;
} {
  const script = `
    const { openStore } = require('./src/store/open-store');
    require('./src/bootstrap');
    require('./src/app');
    openStore({ sqlitePath: ${JSON.stringify(join(dir, 'bot.db'))} }).then(async (store) => {
      await store.close();
      const loaded = Object.keys(require.cache);
      const count = (re) => loaded.filter((path) => re.test(path)).length;
      process.stdout.write(JSON.stringify({
        pg: count(/[\\\\/]node_modules[\\\\/]pg[\\\\/]/),
        dateFns: count(/[\\\\/]node_modules[\\\\/]date-fns[\\\\/]/),
        dateFnsIndex: count(/[\\\\/]node_modules[\\\\/]date-fns[\\\\/]index\\./),
        sandbox: count(/[\\\\/]src[\\\\/]sandbox[\\\\/]/),
      }));
    });
  `;
  return JSON.parse(
    execFileSync(process.execPath, ['-r', REGISTER_TS, '-e', script], { cwd: ROOT, encoding: 'utf8' }),
  ) as {
    pg: number;
    dateFns: number;
    dateFnsIndex: number;
    sandbox: number;
  };
}

describe('modules a bot on SQLite keeps loaded', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'backup-bot-modules-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has no PostgreSQL driver, no OTC emulator, and of date-fns only the functions it uses', () => {
    const loaded = loadedBySqliteBot(dir);
    expect(loaded.pg).toBe(0);
    // The built-in sandbox is loaded when the config asks for it (cloud.sandbox: true), never otherwise.
    expect(loaded.sandbox).toBe(0);
    expect(loaded.dateFnsIndex).toBe(0);
    // The few functions imported by path, with their helpers; the whole package is about 300.
    expect(loaded.dateFns).toBeGreaterThan(0);
    expect(loaded.dateFns).toBeLessThan(100);
  });
});
