import type { AssociateCommand } from '../../src/domain/command-grammar';
import { editDistance, parseBackupCommand } from '../../src/domain/command-grammar';

const ID1 = '0f187b65-8d0e-4fc0-9096-3b55d330531e';
const ID2 = '0f187b65-8d0e-4fc0-9096-3b55d330531d';
const POLICY_ID = '915d1fd8-63cb-4054-a2b0-2778210e3a75';
const opts = { maxVolumes: 100 };

type Expect = Partial<Omit<AssociateCommand, 'volumes' | 'kind'>> & {
  volumes?: string[];
  kind?: 'help';
};

const good: Array<[string, string, Expect]> = [
  ['empty text is help', '', { kind: 'help' }],
  ['--server without volumes', 'associate daily-7d --server web-01', { volumes: [], server: 'web-01' }],
  [
    '--server with volumes',
    'associate daily-7d db-data-2 --server=web-01',
    { volumes: ['name:db-data-2'], server: 'web-01' },
  ],
  ['only spaces is help', '   ', { kind: 'help' }],
  ['help', 'help', { kind: 'help' }],
  ['HELP in capitals', 'HELP', { kind: 'help' }],
  ['--help', '--help', { kind: 'help' }],
  [
    'policy and one id',
    `associate daily-7d ${ID1}`,
    { policy: { kind: 'name', name: 'daily-7d' }, volumes: [`id:${ID1}`] },
  ],
  [
    'the README example',
    `associate daily-7d ${ID1}, db-data-2 --reason "INC-4711 db disks"`,
    { volumes: [`id:${ID1}`, 'name:db-data-2'], reason: 'INC-4711 db disks' },
  ],
  ['comma without spaces', `associate daily-7d ${ID1},${ID2}`, { volumes: [`id:${ID1}`, `id:${ID2}`] }],
  ['comma with spaces on both sides', 'associate daily-7d a , b ,c', { volumes: ['name:a', 'name:b', 'name:c'] }],
  ['trailing comma', 'associate daily-7d a, b,', { volumes: ['name:a', 'name:b'] }],
  ['upper-case id is lower-cased', `associate daily-7d ${ID1.toUpperCase()}`, { volumes: [`id:${ID1}`] }],
  ['policy by id', `associate ${POLICY_ID} a`, { policy: { kind: 'id', id: POLICY_ID } }],
  ['policy id in capitals', `associate ${POLICY_ID.toUpperCase()} a`, { policy: { kind: 'id', id: POLICY_ID } }],
  ['--reason=value', 'associate p a --reason=INC-1', { reason: 'INC-1' }],
  ['--reason="two words"', 'associate p a --reason="INC 1"', { reason: 'INC 1' }],
  ['smart quotes around the reason', 'associate p a --reason “INC-4711 db disks”', { reason: 'INC-4711 db disks' }],
  ['German low-high quotes', 'associate p a --reason „Platten sichern“', { reason: 'Platten sichern' }],
  ['single quotes around the reason', "associate p a --reason 'two words'", { reason: 'two words' }],
  ['apostrophe inside a word is kept', "associate p a --reason don't", { reason: "don't" }],
  ['typographic apostrophe inside a word', 'associate p a --reason it’s', { reason: 'it’s' }],
  [
    'flags before positionals',
    'associate --dry-run --project prod p a',
    { dryRun: true, project: 'prod', volumes: ['name:a'] },
  ],
  ['flag between volumes', 'associate p a --project prod b', { project: 'prod', volumes: ['name:a', 'name:b'] }],
  ['--dry-run', 'associate p a --dry-run', { dryRun: true }],
  ['--now and --move', 'associate p a --now --move', { backupNow: true, move: true }],
  [
    'disassociate takes the same grammar',
    'disassociate p a,b --reason x',
    { volumes: ['name:a', 'name:b'], reason: 'x', move: false },
  ],
  ['em dash from a Mac client reads as --', 'associate p a —dry-run —reason x', { dryRun: true, reason: 'x' }],
  ['en dash reads as --', 'associate p a –reason x', { reason: 'x' }],
  ['flag names are case-insensitive', 'associate p a --Dry-Run', { dryRun: true }],
  [
    'duplicate names are dropped and noted',
    'associate p a a b',
    { volumes: ['name:a', 'name:b'], notes: ['Named more than once, counted once: a.'] },
  ],
  ['duplicate ids in other case are dropped', `associate p ${ID1} ${ID1.toUpperCase()}`, { volumes: [`id:${ID1}`] }],
  ['quoted volume name with a space', 'associate p "my disk" b', { volumes: ['name:my disk', 'name:b'] }],
  ['quoted name keeps its comma', 'associate p "a,b"', { volumes: ['name:a,b'] }],
  ['Slack entities are decoded', 'associate p a --reason "R&amp;D &lt;db&gt;"', { reason: 'R&D <db>' }],
  ['tabs and newlines separate', 'associate\tp\na', { volumes: ['name:a'] }],
  ['subcommand in capitals', 'ASSOCIATE p a', { volumes: ['name:a'] }],
  ['a quoted word that looks like a flag is a name', 'associate p "--weird"', { volumes: ['name:--weird'] }],
  ['exactly the maximum', `associate p ${Array.from({ length: 100 }, (_, i) => `v${i}`).join(' ')}`, {}],
  ['no reason means undefined', 'associate p a', { reason: undefined, project: undefined, dryRun: false }],
];

const bad: Array<[string, string, RegExp]> = [
  ['unknown subcommand', 'frobnicate', /is not a \/backup subcommand/],
  ['typo of associate suggests it', 'asociate p a', /Did you mean `associate`/],
  ['associate with only flags', 'associate --dry-run', /Which backup policy/],
  [
    'policy, no volumes and an empty --server',
    'associate daily-7d --server=',
    /`--server` needs a value, e.g. --server web-01/,
  ],
  ['policy but no volumes', 'associate daily-7d', /Which volumes\?/],
  ['policy with only commas after it', 'associate daily-7d , ,', /Which volumes\?/],
  ['unknown flag', 'associate p a --force', /`--force` is not an option/],
  ['single-dash flag', 'associate p a -f', /`-f` is not an option/],
  ['reason without value at the end', 'associate p a --reason', /`--reason` needs a value/],
  ['reason followed by a flag', 'associate p a --reason --dry-run', /`--reason` needs a value/],
  ['empty --reason=', 'associate p a --reason=', /`--reason` needs a value/],
  ['blank quoted reason', 'associate p a --reason "  "', /`--reason` needs a value/],
  ['reason given twice', 'associate p a --reason x --reason y', /given twice/],
  ['dry-run given twice', 'associate p a --dry-run --dry-run', /given twice/],
  ['dry-run with a value', 'associate p a --dry-run=yes', /takes no value/],
  ['project without value', 'associate p a --project', /`--project` needs a value/],
  ['unclosed straight quote', 'associate p a --reason "INC', /quote .* is not closed/],
  ['unclosed smart quote', 'associate p a --reason “INC', /quote .* is not closed/],
  ['truncated id', 'associate p 0f187b65-8d0e-4fc0-9096', /is not a valid volume id/],
  ['id with a wrong character', 'associate p 0f187b65-8d0e-4fc0-9096-3b55d330531z', /is not a valid volume id/],
  [
    'too many volumes',
    `associate p ${Array.from({ length: 101 }, (_, i) => `v${i}`).join(' ')}`,
    /101 volumes; one request may hold at most 100/,
  ],
  ['comma-joined policy and volume', 'associate p,a b', /not a policy or vault name/],
];

describe('parseBackupCommand accepts', () => {
  it.each(good)('%s', (_title, text, expected) => {
    const result = parseBackupCommand(text, opts);
    if (!result.ok) throw new Error(`expected success, got: ${result.error.message}`);
    const cmd = result.value;
    if (expected.kind === 'help') {
      expect(cmd).toEqual({ kind: 'help' });
      return;
    }
    if (cmd.kind !== 'associate' && cmd.kind !== 'disassociate') throw new Error('expected associate or disassociate');
    const { volumes, kind: _kind, ...rest } = expected;
    if (volumes) expect(cmd.volumes.map((v) => (v.kind === 'id' ? `id:${v.id}` : `name:${v.name}`))).toEqual(volumes);
    expect(cmd).toMatchObject(rest);
    for (const [key, value] of Object.entries(rest)) {
      if (value === undefined) expect(cmd[key as keyof typeof cmd]).toBeUndefined();
    }
  });
});

describe('parseBackupCommand rejects', () => {
  it.each(bad)('%s', (_title, text, message) => {
    const result = parseBackupCommand(text, opts);
    if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
    expect(result.error.message).toMatch(message);
    expect(result.error.usage).toMatch(/\/backup associate <policy> <volume>/);
  });

  it.each([
    ['disassociate', /Which policy or vault, and which volumes\?/],
    ['disassociate p a --move', /`--move` is not an option of \/backup disassociate/],
    ['disassociate p a --now', /`--now` is not an option of \/backup disassociate/],
  ])('rejects %p with the disassociate usage', (text, message) => {
    const result = parseBackupCommand(text, opts);
    if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
    expect(result.error.message).toMatch(message);
    expect(result.error.usage).toMatch(/\/backup disassociate <policy> <volume>/);
  });

  it('honours a configured smaller maximum', () => {
    const result = parseBackupCommand('associate p a b c', { maxVolumes: 2 });
    expect(result.ok).toBe(false);
  });
});

describe('editDistance', () => {
  it.each([
    ['associate', 'associate', 0],
    ['associate', 'asociate', 1],
    ['help', 'hlep', 2],
    ['', 'abc', 3],
  ] as const)('%s ~ %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});

describe('parseBackupCommand: the form', () => {
  it('opens the form for associate without arguments', () => {
    expect(parseBackupCommand('associate', opts)).toEqual({ ok: true, value: { kind: 'open_modal' } });
    expect(parseBackupCommand('  ASSOCIATE  ', opts)).toEqual({ ok: true, value: { kind: 'open_modal' } });
  });
});

describe('parseBackupCommand: status and audit', () => {
  it.each([
    ['status r-7kq2m9xa', { kind: 'status', requestId: 'r-7kq2m9xa' }],
    ['status R-7KQ2M9XA', { kind: 'status', requestId: 'r-7kq2m9xa' }],
    ['status db-data-1', { kind: 'volume_status', volume: { kind: 'name', name: 'db-data-1' }, project: undefined }],
    [
      `status ${ID1.toUpperCase()} --project prod`,
      { kind: 'volume_status', volume: { kind: 'id', id: ID1 }, project: 'prod' },
    ],
    [
      'status --project=prod db-data-1',
      { kind: 'volume_status', volume: { kind: 'name', name: 'db-data-1' }, project: 'prod' },
    ],
    ['audit', { kind: 'audit', days: 7 }],
    ['audit --days 30', { kind: 'audit', days: 30 }],
    ['audit --days=90', { kind: 'audit', days: 90 }],
    ['audit —days 1', { kind: 'audit', days: 1 }],
  ])('reads %p', (text, expected) => {
    expect(parseBackupCommand(text, opts)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['status', /Which request or volume\?/, /\/backup status <request-id>/],
    ['status r-7kq2m9xa extra', /Give one request id/, /\/backup status/],
    ['status r-0000000o', /is neither a request id/, /\/backup status/],
    ['status r-7kq2m9xa --project prod', /goes with a volume/, /\/backup status/],
    ['status db-data-1 --days 3', /is not an option of \/backup status/, /\/backup status/],
    ['status db-data-1 --project --dry-run', /`--project` needs a value/, /\/backup status/],
    ['status db-data-1 --project', /`--project` needs a value/, /\/backup status/],
    ['audit --days 0', /from 1 to 90/, /\/backup audit/],
    ['audit --days 91', /from 1 to 90/, /\/backup audit/],
    ['audit --days', /from 1 to 90/, /\/backup audit/],
    ['audit --days 3 --days 4', /given twice/, /\/backup audit/],
    ['audit yesterday', /is not an option of \/backup audit/, /\/backup audit/],
    ['stauts r-7kq2m9xa', /Did you mean `status`/, /\/backup associate/],
  ])('rejects %p', (text, message, usage) => {
    const result = parseBackupCommand(text, opts);
    if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
    expect(result.error.message).toMatch(message);
    expect(result.error.usage).toMatch(usage);
  });
});
