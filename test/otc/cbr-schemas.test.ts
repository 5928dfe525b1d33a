import { readTriggerPatterns } from '../../src/otc/cbr-schedule';
import { isVolumeVault, policyListBodySchema, toBackupVault, vaultListBodySchema } from '../../src/otc/cbr-schemas';
import type { PolicyBody, VaultBody } from '../../src/otc/cbr-schemas';
import { readJsonFixture } from './helpers';

type JsonObject = Record<string, unknown>;

/** The vault of OTC's vault list example, verbatim (a server vault without resources). */
const docsVault = (): JsonObject =>
  readJsonFixture<{ vaults: JsonObject[] }>('cbr_vault_list_response.docs.json').vaults[0]!;

const VOLUME_A = '0c2b6f5a-41cf-4f65-a4b8-4e0b3b1c9a01';
const VOLUME_B = '0c2b6f5a-41cf-4f65-a4b8-4e0b3b1c9a02';

/** The docs' vault made a disk vault holding two disks (one id in capitals) and a stray server. */
function diskVault(): VaultBody {
  const raw = docsVault();
  const body = vaultListBodySchema.parse({
    vaults: [
      {
        ...raw,
        resources: [
          { id: VOLUME_A, type: 'OS::Cinder::Volume', size: 40, name: 'db-data', protect_status: 'available' },
          { id: VOLUME_B.toUpperCase(), type: 'OS::Cinder::Volume', size: 10 },
          { id: '97595625-198e-4e4d-879b-9d53f68ba551', type: 'OS::Nova::Server' },
        ],
        billing: { ...(raw.billing as JsonObject), object_type: 'disk', size: 200, allocated: 50 },
      },
    ],
  });
  return body.vaults[0]!;
}

function policy(extra: JsonObject): PolicyBody {
  return policyListBodySchema.parse({
    policies: [
      {
        id: 'cbb3ce6f-3332-4e7c-b98e-77290d8471ff',
        name: 'daily-7d',
        enabled: true,
        operation_type: 'backup',
        operation_definition: { max_backups: 7, timezone: 'UTC+08:00' },
        trigger: { properties: { pattern: ['FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=14;BYMINUTE=00'] } },
        associated_vaults: [{ vault_id: docsVault().id }],
        ...extra,
      },
    ],
  }).policies[0]!;
}

describe('CBR vault bodies', () => {
  it("reads OTC's vault list example (a numeric enterprise_project_id, unknown fields and all)", () => {
    const body = vaultListBodySchema.parse(readJsonFixture('cbr_vault_list_response.docs.json'));
    expect(body.count).toBe(50);
    expect(body.vaults).toHaveLength(1);
    expect(isVolumeVault(body.vaults[0]!)).toBe(false);
    expect(toBackupVault(body.vaults[0]!, [])).toEqual({
      id: 'a335f9e1-1628-4c64-a7be-38656e5ec19c',
      name: 'vault-8538',
      policy: undefined,
      volumeIds: [],
      resourceCount: 0,
      capacityGb: 100,
      allocatedGb: 0,
    });
  });

  it('tolerates a vault without resources or billing (and does not take it for a disk vault)', () => {
    const vault = vaultListBodySchema.parse({ vaults: [{ id: 'v-1', name: 'bare', resources: null }] }).vaults[0]!;
    expect(isVolumeVault(vault)).toBe(false);
    expect(toBackupVault(vault, [])).toMatchObject({ volumeIds: [], resourceCount: 0, capacityGb: undefined });
  });

  it("lists a disk vault's disks (lower-cased), counts all of its resources, and reads its capacity", () => {
    const vault = diskVault();
    expect(isVolumeVault(vault)).toBe(true);
    expect(toBackupVault(vault, [])).toMatchObject({
      volumeIds: [VOLUME_A, VOLUME_B],
      resourceCount: 3,
      capacityGb: 200,
      allocatedGb: 50,
    });
  });

  it('rejects a vault without an id, naming the path', () => {
    const raw = { ...docsVault() };
    delete raw.id;
    const result = vaultListBodySchema.safeParse({ vaults: [raw] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['vaults', 0, 'id']);
  });
});

describe('the backup policy bound to a vault', () => {
  it('reads a weekly policy: days as VBS names them, the start time, its zone and the backups kept', () => {
    expect(toBackupVault(diskVault(), [policy({})]).policy).toEqual({
      id: 'cbb3ce6f-3332-4e7c-b98e-77290d8471ff',
      name: 'daily-7d',
      status: 'ON',
      startTime: '14:00',
      timeZone: 'UTC+08:00',
      frequencyDays: undefined,
      weekDays: ['MON', 'WED'],
      retentionCount: 7,
      retentionDays: undefined,
    });
  });

  it('reads a disabled daily policy that keeps backups by age, in UTC', () => {
    const daily = policy({
      enabled: false,
      operation_definition: { retention_duration_days: 30, max_backups: -1 },
      trigger: { properties: { pattern: ['FREQ=DAILY;INTERVAL=3;BYHOUR=2;BYMINUTE=30'] } },
    });
    expect(toBackupVault(diskVault(), [daily]).policy).toMatchObject({
      status: 'OFF',
      startTime: '02:30',
      timeZone: undefined,
      frequencyDays: 3,
      weekDays: undefined,
      retentionCount: undefined,
      retentionDays: 30,
    });
  });

  it("takes the docs' policy created with day/week/month backups and no max_backups", () => {
    const created = policy({
      operation_definition: {
        retention_duration_days: -1,
        day_backups: 0,
        week_backups: 0,
        timezone: 'UTC+08:00',
      },
      trigger: {
        properties: {
          pattern: ['FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=14;BYMINUTE=00'],
          start_time: '2019-05-08T06:57:05.000+00:00',
        },
        type: 'time',
      },
    });
    expect(toBackupVault(diskVault(), [created]).policy).toMatchObject({
      weekDays: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'],
      retentionCount: undefined,
      retentionDays: undefined,
    });
  });

  it('is undefined when no backup policy names the vault; a replication policy does not count', () => {
    const elsewhere = policy({ associated_vaults: [{ vault_id: 'another-vault' }] });
    const replication = policy({ operation_type: 'replication' });
    expect(toBackupVault(diskVault(), [elsewhere, replication]).policy).toBeUndefined();
  });

  it('keeps the status unknown when the policy does not say whether it is enabled', () => {
    expect(toBackupVault(diskVault(), [policy({ enabled: null })]).policy?.status).toBe('UNKNOWN');
  });

  it('leaves the schedule unknown for a pattern it cannot read, and still reads the rest', () => {
    const odd = policy({ trigger: { properties: { pattern: ['FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=1;BYMINUTE=0'] } } });
    expect(toBackupVault(diskVault(), [odd]).policy).toMatchObject({
      status: 'ON',
      startTime: undefined,
      weekDays: undefined,
      frequencyDays: undefined,
      retentionCount: 7,
      timeZone: 'UTC+08:00',
    });
  });
});

describe('readTriggerPatterns', () => {
  const unknown = { startTime: undefined, weekDays: undefined, frequencyDays: undefined };

  it.each<[string, string[], object]>([
    ['weekly', ['FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=14;BYMINUTE=00'], { startTime: '14:00', weekDays: ['MON', 'WED'] }],
    ['week days in any order', ['FREQ=WEEKLY;BYDAY=SU,FR;BYHOUR=3;BYMINUTE=5'], { weekDays: ['FRI', 'SUN'] }],
    ['daily without an interval', ['FREQ=DAILY;BYHOUR=23;BYMINUTE=59'], { startTime: '23:59', frequencyDays: 1 }],
    ['every 7 days', ['FREQ=DAILY;INTERVAL=7;BYHOUR=00;BYMINUTE=00'], { frequencyDays: 7, weekDays: undefined }],
    [
      'several times on the same days',
      ['FREQ=WEEKLY;BYDAY=MO;BYHOUR=14;BYMINUTE=00', 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=2;BYMINUTE=0'],
      { startTime: '02:00,14:00', weekDays: ['MON'] },
    ],
    ['hours and minutes as lists', ['FREQ=DAILY;BYHOUR=14,2;BYMINUTE=30'], { startTime: '02:30,14:30' }],
    [
      'lower case and spaces',
      [' freq=weekly; byday=tu ;byhour=9;byminute=15 '],
      { startTime: '09:15', weekDays: ['TUE'] },
    ],
    ['a week start', ['FREQ=WEEKLY;WKST=MO;BYDAY=SA;BYHOUR=9;BYMINUTE=0'], { weekDays: ['SAT'] }],
  ])('reads %s', (_title, patterns, expected) => {
    expect(readTriggerPatterns(patterns)).toMatchObject(expected);
  });

  it.each<[string, string[]]>([
    ['no pattern', []],
    ['not a rule', ['every monday at two']],
    ['a monthly rule', ['FREQ=MONTHLY;BYHOUR=1;BYMINUTE=0']],
    ['an hourly rule', ['FREQ=HOURLY;INTERVAL=4']],
    ['a part it does not know', ['FREQ=DAILY;BYHOUR=1;BYMINUTE=0;COUNT=3']],
    ['no hour', ['FREQ=DAILY;BYMINUTE=0']],
    ['no minute', ['FREQ=DAILY;BYHOUR=3']],
    ['hour 24', ['FREQ=DAILY;BYHOUR=24;BYMINUTE=0']],
    ['minute 60', ['FREQ=DAILY;BYHOUR=2;BYMINUTE=60']],
    ['a negative hour', ['FREQ=DAILY;BYHOUR=-1;BYMINUTE=0']],
    ['an unknown day', ['FREQ=WEEKLY;BYDAY=MO,XX;BYHOUR=1;BYMINUTE=0']],
    ['a numbered day', ['FREQ=WEEKLY;BYDAY=1MO;BYHOUR=1;BYMINUTE=0']],
    ['weekly without days', ['FREQ=WEEKLY;BYHOUR=1;BYMINUTE=0']],
    ['every other week', ['FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYHOUR=1;BYMINUTE=0']],
    ['daily on week days', ['FREQ=DAILY;BYDAY=MO;BYHOUR=1;BYMINUTE=0']],
    ['an interval of 0', ['FREQ=DAILY;INTERVAL=0;BYHOUR=1;BYMINUTE=0']],
    ['a part twice', ['FREQ=DAILY;BYHOUR=1;BYHOUR=2;BYMINUTE=0']],
    ['a part without a value', ['FREQ=DAILY;BYHOUR=;BYMINUTE=0']],
    ['a part with two values', ['FREQ=DAILY=WEEKLY;BYHOUR=1;BYMINUTE=0']],
    [
      'times on different days',
      ['FREQ=WEEKLY;BYDAY=MO;BYHOUR=14;BYMINUTE=00', 'FREQ=WEEKLY;BYDAY=WE;BYHOUR=2;BYMINUTE=00'],
    ],
    ['a daily and a weekly rule', ['FREQ=DAILY;BYHOUR=14;BYMINUTE=00', 'FREQ=WEEKLY;BYDAY=WE;BYHOUR=2;BYMINUTE=00']],
    ['rules of different intervals', ['FREQ=DAILY;BYHOUR=1;BYMINUTE=0', 'FREQ=DAILY;INTERVAL=2;BYHOUR=2;BYMINUTE=0']],
    ['one good rule and one it cannot read', ['FREQ=DAILY;BYHOUR=1;BYMINUTE=0', 'FREQ=YEARLY']],
  ])('leaves the schedule unknown for %s, without throwing', (_title, patterns) => {
    expect(readTriggerPatterns(patterns)).toEqual(unknown);
  });
});
