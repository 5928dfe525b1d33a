import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { asVolumeId } from '../../src/domain/ids';
import { backupsSince, newestBackup } from '../../src/otc/backup-paging';
import { backupNowName } from '../../src/otc/cbr-runs';
import { parseCloudTime } from '../../src/otc/cloud-time';
import type { VolumeBackup } from '../../src/otc/types';

describe('parseCloudTime', () => {
  it.each([
    ['2016-12-02T09:06:46.706', Date.UTC(2016, 11, 2, 9, 6, 46, 706)],
    ['2020-02-21T07:00:54.065135', Date.UTC(2020, 1, 21, 7, 0, 54, 65)],
    ['2013-06-27T08:48:03.000000', Date.UTC(2013, 5, 27, 8, 48, 3)],
    ['2024-05-01 10:00:00', Date.UTC(2024, 4, 1, 10)],
    ['2024-05-01T10:00', Date.UTC(2024, 4, 1, 10)],
    ['2024-05-01T10:00:00.5', Date.UTC(2024, 4, 1, 10, 0, 0, 500)],
    ['2024-05-01T10:00:00Z', Date.UTC(2024, 4, 1, 10)],
    ['2024-05-01T10:00:00+02:00', Date.UTC(2024, 4, 1, 8)],
    ['2024-05-01T10:00:00-0530', Date.UTC(2024, 4, 1, 15, 30)],
  ])('reads %s', (text, expected) => {
    expect(parseCloudTime(text)).toBe(expected);
  });

  it.each([[undefined], [null], [''], ['yesterday'], ['2024-02-31T10:00:00'], ['2024-05-01T25:00:00'], ['2024-05-01']])(
    'gives undefined for %p',
    (text) => {
      expect(parseCloudTime(text)).toBeUndefined();
    },
  );

  it("reads a time without a zone as UTC whatever the bot's own zone (a process in UTC+05:30)", () => {
    const script = [
      "const { parseCloudTime } = require('./src/otc/cloud-time.ts');",
      "const text = '2016-12-02T09:06:46.706';",
      'console.log(JSON.stringify([new Date(2016, 11, 2).getTimezoneOffset(), parseCloudTime(text)]));',
    ].join('\n');
    const child = spawnSync(process.execPath, ['-r', './test/helpers/register-ts.js', '-e', script], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, TZ: 'Asia/Kolkata' },
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual([-330, Date.UTC(2016, 11, 2, 9, 6, 46, 706)]);
  });
});

describe('picking backups', () => {
  const volume = asVolumeId('00000000-0000-4000-8000-000000000001');
  const backup = (id: string, createdAt: number | undefined, volumeId = volume): VolumeBackup => ({
    volumeId,
    status: 'succeeded',
    cloudStatus: 'available',
    name: undefined,
    id,
    createdAt,
    finishedAt: undefined,
    sizeGb: undefined,
    message: undefined,
  });

  it('keeps the backups at or after since, oldest first, same times in the order read', () => {
    const other = asVolumeId('00000000-0000-4000-8000-000000000002');
    const picked = backupsSince(
      [
        backup('d', 30),
        backup('c', 20),
        backup('b', 20),
        backup('x', 40, other),
        backup('a', 10),
        backup('u', undefined),
      ],
      [volume.toUpperCase()],
      20,
    );
    expect(picked.map((b) => b.id)).toEqual(['c', 'b', 'd']);
  });

  it('takes the newest, a backup without a time only when none has one', () => {
    expect(newestBackup([backup('a', 10), backup('u', undefined), backup('b', 30), backup('c', 20)])?.id).toBe('b');
    expect(newestBackup([backup('u', undefined), backup('v', undefined)])?.id).toBe('u');
    expect(newestBackup([])).toBeUndefined();
  });
});

describe('backupNowName', () => {
  it('names a restore point by the UTC second, in the characters CBR allows', () => {
    const name = backupNowName(Date.UTC(2024, 0, 2, 3, 4, 5, 999));
    expect(name).toBe('backup-bot-20240102-030405');
    expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});
