import fc from 'fast-check';
import { parseBackupCommand } from '../../src/domain/command-grammar';
import type { StepInputs } from '../../src/domain/step-command';
import { quoteWord, readStepCommand } from '../../src/domain/step-command';
import { tokenize, decodeSlackEntities } from '../../src/domain/tokenize';

const OPTIONS = { maxVolumes: 10 };

function inputs(overrides: Partial<StepInputs> = {}): StepInputs {
  return {
    policy: 'daily-7d',
    volumes: 'db-data-1, db-data-2',
    server: undefined,
    project: undefined,
    reason: undefined,
    ...overrides,
  };
}

describe('quoteWord', () => {
  it('makes any text one quoted word the grammar reads back exactly, or says it cannot', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (value) => {
        const word = quoteWord(value);
        if (word === undefined) {
          expect(/["”“]/.test(value) && value.includes('»') && value.includes('«')).toBe(true);
          return;
        }
        expect(tokenize(decodeSlackEntities(word))).toEqual({ ok: true, value: [{ text: value, quoted: true }] });
      }),
    );
  });

  it.each([
    ['plain text', 'INC-4711 db disks', '"INC-4711 db disks"'],
    ['an option', '--dry-run', '"--dry-run"'],
    ['a double quote', 'say "hi"', '«say "hi"»'],
    ['a closing guillemet too', 'say "hi" »', '»say "hi" »«'],
    ['an entity', 'a &lt; b & c', '"a &amp;lt; b &amp; c"'],
  ])('quotes %s', (_, value, word) => {
    expect(quoteWord(value)).toBe(word);
  });
});

describe('readStepCommand', () => {
  it('reads the same command as the typed text with the same fields', () => {
    const step = readStepCommand(inputs({ server: 'db-01', project: 'prod', reason: 'INC-4711 "db" disks' }), OPTIONS);
    const typed = parseBackupCommand(
      'associate daily-7d db-data-1, db-data-2 --server db-01 --project prod --reason «INC-4711 "db" disks»',
      OPTIONS,
    );
    expect(step).toEqual(typed);
    expect(step).toMatchObject({ ok: true, value: { reason: 'INC-4711 "db" disks', server: 'db-01' } });
  });

  it('keeps the grammar of the volumes: ids, names, commas, duplicates counted once, --move', () => {
    const read = readStepCommand(
      inputs({ volumes: '0f187b65-8d0e-4fc0-9096-3b55d330531e db-data-2,db-data-2 --move' }),
      OPTIONS,
    );
    expect(read).toMatchObject({
      ok: true,
      value: {
        volumes: [
          { kind: 'id', id: '0f187b65-8d0e-4fc0-9096-3b55d330531e' },
          { kind: 'name', name: 'db-data-2' },
        ],
        move: true,
        notes: ['Named more than once, counted once: db-data-2.'],
      },
    });
  });

  it('never reads a field as an option, nor a policy with a space as two words', () => {
    const read = readStepCommand(inputs({ policy: 'daily 7d', reason: '--dry-run' }), OPTIONS);
    expect(read).toMatchObject({
      ok: true,
      value: { policy: { kind: 'name', name: 'daily 7d' }, reason: '--dry-run', dryRun: false },
    });
  });

  it.each([
    ['a dry run among the volumes', { volumes: 'db-data-1 --dry-run' }, /always makes its request/],
    ['no volumes at all', { volumes: ' , ' }, /Which volumes\?/],
    ['an unknown option among the volumes', { volumes: 'db-data-1 --force' }, /`--force` is not an option/],
    ['a reason given twice', { volumes: 'db-data-1 --reason x', reason: 'y' }, /`--reason` is given twice/],
    ['too many volumes', { volumes: 'a b c d e f g h i j k' }, /one request may hold at most 10/],
    ['a policy list', { policy: 'daily-7d,weekly-4w' }, /is not a policy or vault name/],
    ['a reason no quote can hold', { reason: '" « »' }, /cannot hold both kinds of guillemets/],
  ])('refuses %s with the sentence the command would get', (_, fields, message) => {
    const read = readStepCommand(inputs(fields), OPTIONS);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error.message).toMatch(message);
  });
});
