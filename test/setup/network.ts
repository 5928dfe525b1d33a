// Loaded before every test file (jest setupFilesAfterEnv): nock must patch the global fetch and
// node:http before any Slack WebClient is built. Tests never reach the internet; loopback (sandbox,
// Slack stand-in) is allowed.
//
// Each test file loads its own nock, but node:http is one module for the whole jest worker: a nock
// left active after its file would stay patched under the next file's, layer on layer, until the
// kept-alive Slack connections recurse through them. So every file takes its nock out at its end,
// and a file that finds an earlier file's nock still in place fails at once.
import http from 'node:http';
import nock from 'nock';

const ACTIVE = Symbol.for('otc-backup-bot.test.nock-active');
/** Where the file's environment (test/setup/environment.js) finds how to take this nock out. */
const RESTORE = Symbol.for('otc-backup-bot.test.nock-restore');
const shared = http as unknown as Record<symbol, string | undefined>;
if (shared[ACTIVE] !== undefined) {
  throw new Error(`nock of an earlier test file (${shared[ACTIVE]}) is still patched into node:http`);
}
shared[ACTIVE] = expect.getState().testPath ?? 'a test file';

nock.disableNetConnect();
nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));

let restored = false;
const restore = (): void => {
  if (restored) return;
  restored = true;
  nock.cleanAll();
  nock.restore();
  shared[ACTIVE] = undefined;
};
(globalThis as unknown as Record<symbol, unknown>)[RESTORE] = restore;
// Also at the environment's teardown, for a file whose tests were all skipped (Jest runs no afterAll then).
afterAll(restore);
