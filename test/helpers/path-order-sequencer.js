// A Jest test sequencer that runs files in path order, so a test of the suite itself can say which
// file runs after which (test/process/test-run-without-postgres.test.ts).
const Sequencer = require('@jest/test-sequencer').default;

class PathOrderSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

module.exports = PathOrderSequencer;
