import { createMemoryLogger, withLogFields } from '../../src/log/logger';

const parsed = (lines: readonly string[]): Record<string, unknown>[] =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('bound log fields', () => {
  it('writes the fields of with() on every line, and its children keep them', () => {
    const logger = createMemoryLogger('debug');
    const bound = logger.with({ requestId: 'REQ-1' });
    bound.info('one');
    bound.child('otc').with({ attempt: 2 }).debug('two');
    logger.info('three');
    expect(parsed(logger.lines).map((l) => [l['msg'], l['requestId'], l['attempt'], l['name']])).toEqual([
      ['one', 'REQ-1', undefined, 'backup-bot'],
      ['two', 'REQ-1', 2, 'backup-bot.otc'],
      ['three', undefined, undefined, 'backup-bot'],
    ]);
  });

  it('puts withLogFields() on the lines of any logger written inside it, across awaits, and nowhere else', async () => {
    const logger = createMemoryLogger('debug');
    const otc = logger.child('otc');
    await Promise.all([
      withLogFields({ requestId: 'REQ-A' }, async () => {
        await Promise.resolve();
        otc.debug('otc call A');
      }),
      withLogFields({ requestId: 'REQ-B' }, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        otc.debug('otc call B');
      }),
    ]);
    otc.debug('outside');
    expect(parsed(logger.lines).map((l) => [l['msg'], l['requestId']])).toEqual([
      ['otc call A', 'REQ-A'],
      ['otc call B', 'REQ-B'],
      ['outside', undefined],
    ]);
  });
});
