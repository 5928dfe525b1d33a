// The suite's Jest environment: Node's, plus one thing at each file's end. Jest runs no afterAll
// of a file whose tests were all skipped (the PostgreSQL suites without TEST_DATABASE_URL), so
// the nock that test/setup/network.ts patched into node:http for that file is taken out here,
// while the file's globals are still whole.
const { TestEnvironment } = require('jest-environment-node');

const RESTORE = Symbol.for('otc-backup-bot.test.nock-restore');

class BotTestEnvironment extends TestEnvironment {
  async teardown() {
    const restore = this.global[RESTORE];
    if (typeof restore === 'function') restore();
    await super.teardown();
  }
}

module.exports = BotTestEnvironment;
