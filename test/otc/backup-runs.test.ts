import { asPolicyId, asVolumeId } from '../../src/domain/ids';
import type { VolumeId } from '../../src/domain/ids';
import { MAX_BACKUP_PAGES } from '../../src/otc/backup-paging';
import { BACKUP_NOW_DESCRIPTION } from '../../src/otc/cbr-runs';
import { createOtcClient } from '../../src/otc/client';
import { OtcHttpError } from '../../src/otc/errors';
import type { ProjectRef, VolumeBackup } from '../../src/otc/types';
import {
  bodyOf,
  buildClient,
  useMockAgent,
  headerOf,
  makeVolumeIds,
  PROJECT,
  readFixture,
  readJsonFixture,
  VBS,
} from './helpers';

type JsonObject = Record<string, unknown>;
const AKSK = { kind: 'aksk', accessKey: 'ak-test', secretKey: 'sk-test' } as const;
const CBR = 'https://cbr.eu-de.otc.t-systems.com';
const CBR_PROJECT: ProjectRef = { ...PROJECT, service: 'cbr' };
const POLICY = asPolicyId('af8a20b0-117d-4fc3-ae53-aa3968a4f870');
const VAULT = asPolicyId('ad7627ae-5b0b-492e-b6bd-cd809b745197');
const TASKS_PATH = `/v2/${PROJECT.id}/backuppolicy/${POLICY}/backuptasks`;
const CBR_BACKUPS_PATH = `/v3/${PROJECT.id}/backups`;
/** The volume every task of the VBS docs' example backs up. */
const DOCS_TASK_VOLUME = asVolumeId('f47a4ab5-11f5-4509-97f5-80ce0dd74e37');

const agent = useMockAgent();

/** AK/SK keeps these tests to the backup calls themselves (token handling is in auth.test.ts). */
function client(overrides: Parameters<typeof buildClient>[1] = {}) {
  return buildClient(agent, { credentials: AKSK, ...overrides }).client;
}

/** A task shaped like the second one of the VBS docs' example (a finished one). */
function task(volumeId: string, jobId: string, createdAt: string, extra: JsonObject = {}): JsonObject {
  const docs = readJsonFixture<{ tasks: JsonObject[] }>('vbs_backuptasks_response.docs.json').tasks[1]!;
  return { ...docs, resource_id: volumeId, job_id: jobId, created_at: createdAt, ...extra };
}

/** A backup shaped like the disk backup of the CBR docs' example. */
function cbrBackup(volumeId: string, id: string, createdAt: string, extra: JsonObject = {}): JsonObject {
  const docs = readJsonFixture<{ backups: JsonObject[] }>('cbr_backup_list_response.docs.json').backups[1]!;
  return { ...docs, resource_id: volumeId, id, created_at: createdAt, vault_id: VAULT, ...extra };
}

/** Answers each GET of `origin` + `path` in turn with `bodies`, recording the paths asked for in `asked`. */
function pages(origin: string, path: string, bodies: readonly object[], asked: string[] = []): string[] {
  const pool = agent.get(origin);
  for (const body of bodies) {
    pool.intercept({ path, method: 'GET' }).reply((opts) => {
      asked.push(opts.path);
      return { statusCode: 200, data: JSON.stringify(body) };
    });
  }
  return asked;
}

describe('backing up a VBS policy now', () => {
  const actionPath = `/v2/${PROJECT.id}/backuppolicy/${POLICY}/action`;

  it('executes the policy with a bodiless POST and takes the 204 without a body', async () => {
    const sent: Array<{ body: unknown; contentType: string | undefined }> = [];
    agent
      .get(VBS)
      .intercept({ path: actionPath, method: 'POST' })
      .reply((opts) => {
        sent.push({ body: opts.body ?? undefined, contentType: headerOf(opts, 'content-type') });
        return { statusCode: 204, data: '' };
      });
    await expect(client().backupNow(PROJECT, POLICY)).resolves.toEqual({ skipped: [] });
    expect(sent).toEqual([{ body: undefined, contentType: undefined }]);
  });

  it("throws VBS's refusal as an OtcHttpError, sent once", async () => {
    agent
      .get(VBS)
      .intercept({ path: actionPath, method: 'POST' })
      .reply(400, readFixture('vbs_error_response.docs.json'));
    const error = await client()
      .backupNow(PROJECT, POLICY)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcHttpError);
    expect(error).toMatchObject({ status: 400, otcCode: 'XXXX', attempts: 1, method: 'POST', path: actionPath });
  });

  it('sends again after a 503 (a second run of the policy is only an extra backup)', async () => {
    const pool = agent.get(VBS);
    pool.intercept({ path: actionPath, method: 'POST' }).reply(503, '');
    pool.intercept({ path: actionPath, method: 'POST' }).reply(204, '');
    await expect(client().backupNow({ ...PROJECT, service: 'vbs' }, POLICY)).resolves.toEqual({ skipped: [] });
  });
});

describe("a VBS policy's backups since a time", () => {
  const firstPage = `${TASKS_PATH}?sort_key=created_at&sort_dir=desc&limit=100`;

  it("reads the docs' task list newest first and answers oldest first, its zone-less times as UTC", async () => {
    pages(VBS, firstPage, [readJsonFixture('vbs_backuptasks_response.docs.json')]);
    const backups = await client().listBackups(PROJECT, POLICY, [DOCS_TASK_VOLUME], Date.UTC(2016, 11, 2));
    expect(backups).toEqual<VolumeBackup[]>([
      {
        volumeId: DOCS_TASK_VOLUME,
        status: 'succeeded',
        cloudStatus: 'EXECUTE_SUCCESS',
        name: 'autobk_e6d2',
        id: 'c11b5a18-4559-4731-b7b3-58e2bd89cdb9',
        createdAt: Date.UTC(2016, 11, 2, 9, 6, 46, 706),
        finishedAt: Date.UTC(2016, 11, 2, 13, 0, 0, 121),
        sizeGb: undefined,
        message: undefined,
      },
      {
        volumeId: DOCS_TASK_VOLUME,
        status: 'running',
        cloudStatus: 'RUNNING',
        name: 'autobk_a61d',
        id: '0781095c-b8ab-4ce5-99f3-4c5f6ff75319',
        createdAt: Date.UTC(2016, 11, 3, 6, 24, 34, 467),
        finishedAt: undefined,
        sizeGb: undefined,
        message: undefined,
      },
    ]);
  });

  it('keeps only tasks created at or after `since`, of the volumes asked for', async () => {
    const [mine, other] = makeVolumeIds(2) as [VolumeId, VolumeId];
    pages(VBS, firstPage, [
      {
        tasks: [
          task(other, 'j-4', '2024-05-01T10:00:00.000'),
          task(mine.toUpperCase(), 'j-3', '2024-05-01T09:00:00.000'),
          task(mine, 'j-2', '2024-05-01T08:00:00.000'),
          task(mine, 'j-1', '2024-05-01T07:59:59.999'),
        ],
        count: 4,
      },
    ]);
    const backups = await client().listBackups(PROJECT, POLICY, [mine], Date.UTC(2024, 4, 1, 8));
    expect(backups.map((b) => [b.id, b.volumeId])).toEqual([
      ['j-2', mine],
      ['j-3', mine],
    ]);
  });

  it('pages by offset and asks no page past one that reaches `since`', async () => {
    const [a, b] = makeVolumeIds(2) as [VolumeId, VolumeId];
    const asked = pages(VBS, `${TASKS_PATH}?sort_key=created_at&sort_dir=desc&limit=2`, [
      { tasks: [task(a, 'j-6', '2024-05-01T12:00:00'), task(b, 'j-5', '2024-05-01T11:00:00')], count: 9 },
    ]);
    pages(
      VBS,
      `${TASKS_PATH}?sort_key=created_at&sort_dir=desc&limit=2&offset=2`,
      [{ tasks: [task(a, 'j-4', '2024-05-01T10:00:00'), task(b, 'j-3', '2024-05-01T08:00:00')], count: 9 }],
      asked,
    );
    const backups = await client({ backups: { pageSize: 2 } }).listBackups(
      PROJECT,
      POLICY,
      [a, b],
      Date.UTC(2024, 4, 1, 9),
    );
    expect(asked).toEqual([
      `${TASKS_PATH}?sort_key=created_at&sort_dir=desc&limit=2`,
      `${TASKS_PATH}?sort_key=created_at&sort_dir=desc&limit=2&offset=2`,
    ]);
    expect(backups.map((x) => x.id)).toEqual(['j-4', 'j-5', 'j-6']);
  });

  it(`reads at most ${MAX_BACKUP_PAGES} pages of a list that never ends`, async () => {
    const [a] = makeVolumeIds(1) as [VolumeId];
    let served = 0;
    agent
      .get(VBS)
      .intercept({ path: (path) => path.startsWith(`${TASKS_PATH}?`), method: 'GET' })
      .reply(() => {
        served += 1;
        return { statusCode: 200, data: { tasks: [task(a, `j-${served}`, '2024-05-01T12:00:00')] } };
      })
      .times(MAX_BACKUP_PAGES);
    const backups = await client({ backups: { pageSize: 1 } }).listBackups(PROJECT, POLICY, [a], 0);
    expect(served).toBe(MAX_BACKUP_PAGES);
    expect(backups).toHaveLength(MAX_BACKUP_PAGES);
  });

  it('stops when a page brings nothing new (a cloud that ignores offset)', async () => {
    const [a] = makeVolumeIds(1) as [VolumeId];
    const same = { tasks: [task(a, 'j-1', '2024-05-01T12:00:00')] };
    pages(VBS, `${TASKS_PATH}?sort_key=created_at&sort_dir=desc&limit=1`, [same]);
    pages(VBS, `${TASKS_PATH}?sort_key=created_at&sort_dir=desc&limit=1&offset=1`, [same]);
    expect(await client({ backups: { pageSize: 1 } }).listBackups(PROJECT, POLICY, [a], 0)).toHaveLength(1);
  });

  it('reads on past a count as long as the page, which may count that page only, to an empty page', async () => {
    const [a] = makeVolumeIds(1) as [VolumeId];
    const tasks = [task(a, 'j-2', '2024-05-01T12:00:00'), task(a, 'j-1', '2024-05-01T11:00:00')];
    pages(VBS, `${TASKS_PATH}?sort_key=created_at&sort_dir=desc&limit=1`, [{ tasks: [tasks[0]], count: 1 }]);
    pages(VBS, `${TASKS_PATH}?sort_key=created_at&sort_dir=desc&limit=1&offset=1`, [{ tasks: [tasks[1]], count: 1 }]);
    pages(VBS, `${TASKS_PATH}?sort_key=created_at&sort_dir=desc&limit=1&offset=2`, [{ tasks: [], count: 0 }]);
    const backups = await client({ backups: { pageSize: 1 } }).listBackups(PROJECT, POLICY, [a], 0);
    expect(backups.map((b) => b.id)).toEqual(['j-1', 'j-2']);
  });

  it("maps every documented task status, keeps an unknown one as waiting, and reads a failed task's message", async () => {
    const statuses = ['WAITING', 'RUNNING', 'EXECUTE_SUCCESS', 'EXECUTE_FAIL', 'EXECUTE_TIMEOUT', 'SKIP', 'PAUSED'];
    const ids = makeVolumeIds(statuses.length);
    pages(VBS, firstPage, [
      {
        tasks: statuses.map((status, i) =>
          task(ids[i]!, `j-${i}`, `2024-05-01T12:00:0${i}`, {
            status,
            ...(status === 'EXECUTE_FAIL' ? { message: 'snapshot failed', code: 'VolumeBackup.0008' } : {}),
            ...(status === 'EXECUTE_TIMEOUT' ? { code: 'VolumeBackup.0014' } : {}),
          }),
        ),
      },
    ]);
    const backups = await client().listBackups(PROJECT, POLICY, ids, 0);
    expect(backups.map((b) => [b.cloudStatus, b.status, b.message])).toEqual([
      ['WAITING', 'waiting', undefined],
      ['RUNNING', 'running', undefined],
      ['EXECUTE_SUCCESS', 'succeeded', undefined],
      ['EXECUTE_FAIL', 'failed', 'snapshot failed'],
      ['EXECUTE_TIMEOUT', 'timed_out', 'VolumeBackup.0014'],
      ['SKIP', 'skipped', undefined],
      ['PAUSED', 'waiting', undefined],
    ]);
  });

  it('leaves out a task without a creation time, and asks nothing for no volumes', async () => {
    const [a] = makeVolumeIds(1) as [VolumeId];
    pages(VBS, firstPage, [{ tasks: [task(a, 'j-1', '2024-05-01T12:00:00', { created_at: null })] }]);
    expect(await client().listBackups(PROJECT, POLICY, [a], 0)).toEqual([]);
    expect(await client().listBackups(PROJECT, POLICY, [], 0)).toEqual([]);
  });

  it('rejects a task list whose task names no volume', async () => {
    pages(VBS, firstPage, [{ tasks: [task('', 'j-1', '2024-05-01T12:00:00')] }]);
    await expect(client().listBackups(PROJECT, POLICY, [DOCS_TASK_VOLUME], 0)).rejects.toMatchObject({
      code: 'OTC_RESPONSE_SHAPE',
      issues: ['tasks.0.resource_id: too_small'],
    });
  });
});

describe("a VBS volume's last backup", () => {
  const volume = asVolumeId('2748f2f2-4394-4e6e-af8d-8dd34496c024');
  const path = `/v2/${PROJECT.id}/backups/detail?volume_id=${volume}&sort_key=created_at&sort_dir=desc&limit=1`;

  it("asks for the newest one and, in the docs' unordered list, takes the one created last", async () => {
    pages(VBS, path, [readJsonFixture('vbs_backups_detail_response.docs.json')]);
    expect(await client().lastBackup(PROJECT, volume)).toEqual<VolumeBackup>({
      volumeId: volume,
      status: 'failed',
      cloudStatus: 'error',
      name: undefined,
      id: '80e17946-6e56-46e0-9547-e9ba4f1619bd',
      createdAt: Date.UTC(2013, 5, 27, 8, 56, 58),
      finishedAt: undefined,
      sizeGb: 1,
      message: 'Connection to swift failed: [Errno 111] ECONNREFUSED',
    });
  });

  it.each([
    ['available', 'succeeded'],
    ['creating', 'running'],
    ['error', 'failed'],
    ['restoring', 'waiting'],
    ['deleting', 'waiting'],
    ['error_restoring', 'waiting'],
  ])('maps a backup %s to %s', async (cloudStatus, status) => {
    const docs = readJsonFixture<{ backups: JsonObject[] }>('vbs_backups_detail_response.docs.json').backups[0]!;
    pages(VBS, path, [{ backups: [{ ...docs, status: cloudStatus, name: 'manual-1', fail_reason: null }] }]);
    expect(await client().lastBackup(PROJECT, volume)).toMatchObject({ status, cloudStatus, name: 'manual-1' });
  });

  it('is undefined for a volume without backups, or a list of another volume', async () => {
    pages(VBS, path, [{ backups: [] }]);
    expect(await client().lastBackup(PROJECT, volume)).toBeUndefined();
    const other = asVolumeId('00000000-0000-4000-8000-000000000000');
    pages(VBS, path.replace(volume, other), [readJsonFixture('vbs_backups_detail_response.docs.json')]);
    expect(await client().lastBackup(PROJECT, other)).toBeUndefined();
  });
});

describe('backing up a CBR vault now', () => {
  const checkpointsPath = `/v3/${PROJECT.id}/checkpoints`;

  it('makes a restore point of the whole vault, by hand, incremental, named by the UTC time', async () => {
    const requests: unknown[] = [];
    agent
      .get(CBR)
      .intercept({ path: checkpointsPath, method: 'POST' })
      .reply((opts) => {
        requests.push(bodyOf(opts));
        return { statusCode: 200, data: readFixture('cbr_checkpoint_create_response.docs.json') };
      });
    // The fake clock starts at 2015-11-09T00:42:57.527Z.
    await expect(client().backupNow(CBR_PROJECT, VAULT)).resolves.toEqual({ skipped: [] });
    expect(requests).toEqual([
      {
        checkpoint: {
          vault_id: VAULT,
          parameters: {
            auto_trigger: false,
            description: BACKUP_NOW_DESCRIPTION,
            incremental: true,
            name: 'backup-bot-20151109-004257',
          },
        },
      },
    ]);
    // The docs' request names the same fields; the bot leaves out `resources`, so every volume is backed up.
    const docs = readJsonFixture<{ checkpoint: { parameters: JsonObject } }>('cbr_checkpoint_create_request.docs.json');
    const sent = requests[0] as { checkpoint: { parameters: JsonObject } };
    expect(Object.keys(sent.checkpoint.parameters).sort()).toEqual(
      Object.keys(docs.checkpoint.parameters)
        .filter((k) => k !== 'resources')
        .sort(),
    );
    expect(BACKUP_NOW_DESCRIPTION.length).toBeLessThanOrEqual(255);
  });

  it('says which disks CBR left out of the backup, and why (skipped_resources)', async () => {
    const answer = readJsonFixture<{ checkpoint: { vault: { skipped_resources: unknown[] } } }>(
      'cbr_checkpoint_create_response.docs.json',
    );
    answer.checkpoint.vault.skipped_resources = [
      { id: 'CD000003-0000-4000-8000-000000000003', code: 'BackupService.7003', reason: 'disk in status error' },
      { code: 'BackupService.6125', reason: 'no id: left out' },
    ];
    agent.get(CBR).intercept({ path: checkpointsPath, method: 'POST' }).reply(200, answer);
    await expect(client().backupNow(CBR_PROJECT, VAULT)).resolves.toEqual({
      skipped: [
        {
          volumeId: 'cd000003-0000-4000-8000-000000000003',
          code: 'BackupService.7003',
          message: 'disk in status error',
        },
      ],
    });
  });

  it("throws CBR's refusal as an OtcHttpError", async () => {
    agent
      .get(CBR)
      .intercept({ path: checkpointsPath, method: 'POST' })
      .reply(400, readFixture('cbr_error_response.docs.json'));
    const error = await client()
      .backupNow(CBR_PROJECT, VAULT)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcHttpError);
    expect(error).toMatchObject({ status: 400, otcCode: 'BackupService.9900', attempts: 1 });
  });

  it('rejects a 200 that carries no restore point', async () => {
    agent.get(CBR).intercept({ path: checkpointsPath, method: 'POST' }).reply(200, {});
    await expect(client().backupNow(CBR_PROJECT, VAULT)).rejects.toMatchObject({ code: 'OTC_RESPONSE_SHAPE' });
  });
});

describe("a CBR vault's backups since a time", () => {
  const query = (extra: string) => `${CBR_BACKUPS_PATH}?vault_id=${VAULT}${extra}`;

  it("reads the docs' backup list for one volume, filtered by it, its zone-less times as UTC", async () => {
    const volume = asVolumeId('54f7ccbc-072f-4ec5-a7b7-b24dabdb4539');
    const asked = pages(CBR, query(`&resource_id=${volume}&sort=created_at:desc&limit=100`), [
      readJsonFixture('cbr_backup_list_response.docs.json'),
    ]);
    const backups = await client().listBackups(CBR_PROJECT, VAULT, [volume], Date.UTC(2020, 1, 21));
    expect(asked).toHaveLength(1);
    expect(backups).toEqual<VolumeBackup[]>([
      {
        volumeId: volume,
        status: 'succeeded',
        cloudStatus: 'available',
        name: 'autobk_6809',
        id: '5606aab5-2dc2-4498-8144-dc848d099af5',
        createdAt: Date.UTC(2020, 1, 21, 7, 0, 34, 882),
        finishedAt: undefined,
        sizeGb: 40,
        message: undefined,
      },
    ]);
  });

  it('lists the vault once for several volumes, paging by offset down to `since`, oldest first', async () => {
    const [a, b, c] = makeVolumeIds(3) as [VolumeId, VolumeId, VolumeId];
    const asked = pages(CBR, query('&sort=created_at:desc&limit=2'), [
      { backups: [cbrBackup(a, 'b-5', '2024-05-01T12:00:00.5'), cbrBackup(c, 'b-4', '2024-05-01T11:00:00')], count: 7 },
    ]);
    pages(
      CBR,
      query('&sort=created_at:desc&limit=2&offset=2'),
      [
        {
          backups: [cbrBackup(b, 'b-3', '2024-05-01T10:00:00Z'), cbrBackup(a, 'b-2', '2024-05-01T08:00:00')],
          count: 7,
        },
      ],
      asked,
    );
    const backups = await client({ backups: { pageSize: 2 } }).listBackups(
      CBR_PROJECT,
      VAULT,
      [a, b],
      Date.UTC(2024, 4, 1, 9),
    );
    expect(asked).toEqual([
      `${CBR_BACKUPS_PATH}?vault_id=${VAULT}&sort=created_at%3Adesc&limit=2`,
      `${CBR_BACKUPS_PATH}?vault_id=${VAULT}&sort=created_at%3Adesc&limit=2&offset=2`,
    ]);
    expect(backups.map((x) => [x.id, x.volumeId, x.createdAt])).toEqual([
      ['b-3', b, Date.UTC(2024, 4, 1, 10)],
      ['b-5', a, Date.UTC(2024, 4, 1, 12, 0, 0, 500)],
    ]);
  });

  it(`reads at most ${MAX_BACKUP_PAGES} pages, and asks at most 1000 backups a page`, async () => {
    const [a] = makeVolumeIds(1) as [VolumeId];
    let served = 0;
    agent
      .get(CBR)
      .intercept({
        path: (path) => path.startsWith(`${CBR_BACKUPS_PATH}?`) && path.includes('limit=1000'),
        method: 'GET',
      })
      .reply(() => {
        served += 1;
        const backups = Array.from({ length: 1000 }, (_, i) => cbrBackup(a, `b-${served}-${i}`, '2024-05-01T12:00:00'));
        return { statusCode: 200, data: { backups } };
      })
      .times(MAX_BACKUP_PAGES);
    const backups = await client({ backups: { pageSize: 5000 } }).listBackups(CBR_PROJECT, VAULT, [a], 0);
    expect(served).toBe(MAX_BACKUP_PAGES);
    expect(backups).toHaveLength(MAX_BACKUP_PAGES * 1000);
  });

  it.each([
    ['available', 'succeeded'],
    ['protecting', 'running'],
    ['waiting_protect', 'running'],
    ['error', 'failed'],
    ['deleting', 'waiting'],
    ['restoring', 'waiting'],
    ['waiting_delete', 'waiting'],
    ['waiting_restore', 'waiting'],
    ['frozen', 'waiting'],
  ])('maps a backup %s to %s', async (cloudStatus, status) => {
    const [a] = makeVolumeIds(1) as [VolumeId];
    pages(CBR, query(`&resource_id=${a}&sort=created_at:desc&limit=100`), [
      { backups: [cbrBackup(a, 'b-1', '2024-05-01T12:00:00', { status: cloudStatus })] },
    ]);
    const [backup] = await client().listBackups(CBR_PROJECT, VAULT, [a], 0);
    expect(backup).toMatchObject({ status, cloudStatus });
  });
});

describe("a CBR volume's last backup", () => {
  const volume = asVolumeId('54f7ccbc-072f-4ec5-a7b7-b24dabdb4539');
  const path = `${CBR_BACKUPS_PATH}?resource_id=${volume}&sort=created_at:desc&limit=1`;

  it('asks CBR for the newest backup of the volume, in any vault', async () => {
    const docs = readJsonFixture<{ backups: JsonObject[] }>('cbr_backup_list_response.docs.json');
    const asked = pages(CBR, path, [{ backups: [docs.backups[1]], count: 2 }]);
    expect(await client().lastBackup(CBR_PROJECT, volume)).toMatchObject({
      volumeId: volume,
      id: '5606aab5-2dc2-4498-8144-dc848d099af5',
      status: 'succeeded',
      createdAt: Date.UTC(2020, 1, 21, 7, 0, 34, 882),
    });
    expect(asked).toEqual([`${CBR_BACKUPS_PATH}?resource_id=${volume}&sort=created_at%3Adesc&limit=1`]);
  });

  it('is undefined for a volume without backups', async () => {
    pages(CBR, path, [{ backups: [], count: 0 }]);
    expect(await client().lastBackup(CBR_PROJECT, volume)).toBeUndefined();
  });
});

describe('backup list options', () => {
  it('refuses a nonsense backup page size, naming the option', () => {
    expect(() => createOtcClient({ credentials: AKSK, dispatcher: agent, backups: { pageSize: 0 } })).toThrow(
      'backups.pageSize',
    );
  });
});
