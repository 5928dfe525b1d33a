import type { Sandbox } from '../../src/sandbox';
import { VBS_DISK_STATUS_FAIL_REASON, seededPolicyId, seededVolumeIds, startSandbox } from '../../src/sandbox';
import type { JsonResponse, TaskJson } from './helpers';
import { PROJECT, call, getToken } from './helpers';

const DAILY_7D = seededPolicyId('daily-7d')!; // web-01-data (100 GB, eu-de-01), k8s-node-1-root (80 GB)
const WEEKLY_4W = seededPolicyId('weekly-4w')!; // db-log-1, jenkins-home
const DB_HOURLY = seededPolicyId('db-hourly')!; // OFF, no volumes
const WEB_01_DATA = seededVolumeIds('web-01-data')[0]!;
const K8S_1_ROOT = seededVolumeIds('k8s-node-1-root')[0]!;
const UNKNOWN_POLICY = '915d1fd8-63cb-4054-a2b0-2778210e3a75';
const T0 = Date.parse('2025-03-03T10:00:00.000Z');
const DURATION = 1000;

describe('sandbox VBS backup jobs: execute a policy, its tasks, the backups they leave', () => {
  let sandbox: Sandbox;
  let token: string;
  let now: number;
  const advance = (ms: number): void => void (now += ms);
  const get = (path: string): Promise<JsonResponse> =>
    call(sandbox, 'GET', `/v2/${PROJECT}${path}`, { headers: { 'X-Auth-Token': token } });
  const execute = (policyId: string, body?: object): Promise<JsonResponse> =>
    call(sandbox, 'POST', `/v2/${PROJECT}/backuppolicy/${policyId}/action`, {
      headers: { 'X-Auth-Token': token },
      ...(body === undefined ? {} : { body }),
    });
  const tasks = (policyId: string, query = ''): Promise<JsonResponse> =>
    get(`/backuppolicy/${policyId}/backuptasks${query}`);
  const taskOf = async (volumeId: string): Promise<TaskJson> =>
    (await tasks(DAILY_7D)).body.tasks.find((t) => t.resource_id === volumeId)!;
  const at = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString().slice(0, 23);

  beforeEach(async () => {
    now = T0;
    sandbox = await startSandbox({ now: () => new Date(now), backupDurationMs: DURATION });
    token = await getToken(sandbox);
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  it('executes a policy at once: 204 without a body, one task per volume, WAITING -> RUNNING -> EXECUTE_SUCCESS on the clock', async () => {
    const response = await execute(DAILY_7D);

    expect(response.status).toBe(204);
    expect(response.headers.get('content-length')).toBe('0');
    const listed = await tasks(DAILY_7D);
    expect(listed.status).toBe(200);
    expect(listed.body.count).toBe(2);
    expect(listed.body.tasks.map((t) => t.resource_id).sort()).toEqual([WEB_01_DATA, K8S_1_ROOT].sort());
    const task = listed.body.tasks[0]!;
    // The fields and their order as the docs' example lists a task that has not ended.
    expect(Object.keys(task)).toEqual([
      'status',
      'job_id',
      'created_at',
      'backup_name',
      'resource_id',
      'resource_type',
    ]);
    expect(task).toMatchObject({ status: 'WAITING', created_at: at(0), resource_type: 'volume' });
    expect(task.job_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(task.backup_name).toMatch(/^autobk_[0-9a-f]{4}$/);

    advance(DURATION / 5 - 1);
    expect((await taskOf(WEB_01_DATA)).status).toBe('WAITING');
    advance(1);
    expect((await taskOf(WEB_01_DATA)).status).toBe('RUNNING');
    advance(DURATION - DURATION / 5 - 1);
    expect((await taskOf(WEB_01_DATA)).status).toBe('RUNNING');
    advance(1);
    const done = await taskOf(WEB_01_DATA);
    expect(Object.keys(done)).toEqual([
      'status',
      'job_id',
      'created_at',
      'finished_at',
      'backup_name',
      'resource_id',
      'resource_type',
    ]);
    expect(done).toMatchObject({ status: 'EXECUTE_SUCCESS', created_at: at(0), finished_at: at(DURATION) });
    expect(sandbox.requests.filter((r) => r.route === 'vbs.execute').map((r) => r.status)).toEqual([204]);
  });

  it('leaves a backup per task in backups/detail: creating while the task runs, then available, the size of the disk', async () => {
    await execute(DAILY_7D);
    const task = await taskOf(WEB_01_DATA);

    const running = await get(`/backups/detail?volume_id=${WEB_01_DATA}`);
    expect(running.status).toBe(200);
    expect(running.body.backups).toHaveLength(1);
    expect(running.body.backups[0]).toMatchObject({ name: task.backup_name, status: 'creating', fail_reason: null });

    advance(DURATION);
    const backup = (await get(`/backups/detail?volume_id=${WEB_01_DATA}`)).body.backups[0]!;
    expect(backup).toEqual({
      id: backup.id,
      name: task.backup_name,
      status: 'available',
      description: null,
      links: [
        { href: `${sandbox.url}/v2/${PROJECT}/backups/${backup.id}`, rel: 'self' },
        { href: `${sandbox.url}/${PROJECT}/backups/${backup.id}`, rel: 'bookmark' },
      ],
      availability_zone: 'eu-de-01',
      volume_id: WEB_01_DATA,
      fail_reason: null,
      size: 100,
      object_count: null,
      container: null,
      created_at: '2025-03-03T10:00:00.000000',
      updated_at: '2025-03-03T10:00:01.000000',
      'os-bak-tenant-attr:tenant_id': PROJECT,
      service_metadata: '{"bootable":false,"progress":"100","Type":0}',
      data_timestamp: '2025-03-03T10:00:00.000000',
      snapshot_id: null,
    });
    const shown = await get(`/backups/${backup.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.backup).toEqual(backup);
  });

  it('fails a volume told to fail once (failNext): EXECUTE_FAIL and an error backup with the reason; the next run succeeds', async () => {
    sandbox.state.backups.failNext(PROJECT, WEB_01_DATA, 'Snapshot quota exceeded.');
    await execute(DAILY_7D);
    advance(DURATION);

    expect((await taskOf(WEB_01_DATA)).status).toBe('EXECUTE_FAIL');
    expect((await taskOf(K8S_1_ROOT)).status).toBe('EXECUTE_SUCCESS');
    const failed = (await get(`/backups/detail?volume_id=${WEB_01_DATA}`)).body.backups[0];
    expect(failed).toMatchObject({ status: 'error', fail_reason: 'Snapshot quota exceeded.', size: 100 });

    await execute(DAILY_7D);
    advance(DURATION);
    const statuses = (await get(`/backups/detail?volume_id=${WEB_01_DATA}&sort_dir=asc`)).body.backups.map(
      (b) => b.status,
    );
    expect(statuses).toEqual(['error', 'available']);
  });

  it('fails every backup of a volume told so (failVolume) until the failures are cleared; a disk in a bad status fails on its own', async () => {
    sandbox.state.backups.failVolume(PROJECT, K8S_1_ROOT);
    sandbox.state.setVolumeStatus(PROJECT, WEB_01_DATA, 'error_extending');
    for (let i = 0; i < 2; i += 1) {
      expect((await execute(DAILY_7D)).status).toBe(204);
      advance(DURATION);
    }
    sandbox.state.backups.clearFailures(PROJECT, K8S_1_ROOT);
    sandbox.state.setVolumeStatus(PROJECT, WEB_01_DATA, 'in-use');
    await execute(DAILY_7D);
    advance(DURATION);

    const reasons = (id: string) => sandbox.state.backups.jobsOfVolume(PROJECT, id).map((j) => j.failReason);
    expect(reasons(K8S_1_ROOT)).toEqual(['Failed to create the snapshot.', 'Failed to create the snapshot.', null]);
    expect(reasons(WEB_01_DATA)).toEqual([VBS_DISK_STATUS_FAIL_REASON, VBS_DISK_STATUS_FAIL_REASON, null]);
    const failedStatuses = (await tasks(DAILY_7D, '?status=EXECUTE_FAIL')).body;
    expect(failedStatuses.count).toBe(4);
  });

  it('refuses to execute a policy whose tasks still run (400 AutoBackup.0225) and takes it again once they ended', async () => {
    await execute(DAILY_7D);
    advance(DURATION - 1);

    const busy = await execute(DAILY_7D);
    expect(busy.status).toBe(400);
    expect(busy.body).toEqual({ error: { code: 'AutoBackup.0225', message: 'The policy is being executed.' } });
    expect((await execute(WEEKLY_4W)).status).toBe(204);
    advance(1);
    expect((await execute(DAILY_7D)).status).toBe(204);
    expect((await tasks(DAILY_7D)).body.count).toBe(4);
  });

  it('answers an unknown policy with 400 AutoBackup.0205 (execute) and AutoBackup.1100 (tasks); a policy without volumes starts nothing', async () => {
    const unknown = await execute(UNKNOWN_POLICY);
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ error: { code: 'AutoBackup.0205', message: 'The policy does not exist.' } });
    const unknownTasks = await tasks(UNKNOWN_POLICY);
    expect(unknownTasks.status).toBe(400);
    expect(unknownTasks.body).toEqual({
      error: { code: 'AutoBackup.1100', message: 'The queried policy does not exist.' },
    });

    expect((await execute(DB_HOURLY)).status).toBe(204);
    expect((await tasks(DB_HOURLY)).body).toEqual({ tasks: [], count: 0 });
  });

  it('ignores a request body on execute (the docs give none) and needs credentials like every VBS call', async () => {
    expect((await execute(DAILY_7D, { action: 'execute' })).status).toBe(204);
    const anonymous = await call(sandbox, 'POST', `/v2/${PROJECT}/backuppolicy/${DAILY_7D}/action`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('AutoBackup.0002');
    const wrongMethod = await call(sandbox, 'GET', `/v2/${PROJECT}/backuppolicy/${DAILY_7D}/action`);
    expect([wrongMethod.status, wrongMethod.headers.get('allow')]).toEqual([405, 'POST']);
  });

  describe('the tasks list: filters, order and paging', () => {
    /** Three runs of daily-7d a second apart: six tasks, the last run still waiting. */
    async function threeRuns(): Promise<void> {
      sandbox.state.backups.failNext(PROJECT, WEB_01_DATA);
      for (let i = 0; i < 3; i += 1) {
        if (i > 0) advance(DURATION);
        await execute(DAILY_7D);
      }
    }

    it('lists newest first by default and oldest first with sort_dir=asc; count is every matching task', async () => {
      await threeRuns();
      const desc = (await tasks(DAILY_7D)).body;
      const asc = (await tasks(DAILY_7D, '?sort_key=created_at&sort_dir=asc')).body;

      expect(desc.count).toBe(6);
      expect(desc.tasks.map((t) => t.created_at)).toEqual([at(2000), at(2000), at(1000), at(1000), at(0), at(0)]);
      expect(asc.tasks.map((t) => t.job_id)).toEqual(desc.tasks.map((t) => t.job_id).reverse());
      expect(desc.tasks.map((t) => t.status)).toEqual([
        'WAITING',
        'WAITING',
        'EXECUTE_SUCCESS',
        'EXECUTE_SUCCESS',
        'EXECUTE_SUCCESS',
        'EXECUTE_FAIL',
      ]);
    });

    it('filters by status and job_id', async () => {
      await threeRuns();
      const all = (await tasks(DAILY_7D)).body.tasks;

      expect((await tasks(DAILY_7D, '?status=WAITING')).body.count).toBe(2);
      expect((await tasks(DAILY_7D, '?status=EXECUTE_FAIL')).body.tasks.map((t) => t.resource_id)).toEqual([
        WEB_01_DATA,
      ]);
      expect((await tasks(DAILY_7D, '?status=SKIP')).body).toEqual({ tasks: [], count: 0 });
      const one = (await tasks(DAILY_7D, `?job_id=${all[3]!.job_id.toUpperCase()}`)).body;
      expect(one).toEqual({ tasks: [all[3]], count: 1 });
    });

    it('pages with limit (default 20), offset and marker; a page past the end is empty', async () => {
      for (let i = 0; i < 11; i += 1) {
        await execute(DAILY_7D);
        advance(DURATION);
      }
      const all = (await tasks(DAILY_7D, '?limit=100')).body.tasks;
      expect(all).toHaveLength(22);

      expect((await tasks(DAILY_7D)).body.tasks).toEqual(all.slice(0, 20));
      expect((await tasks(DAILY_7D, '?limit=5&offset=20')).body).toEqual({ tasks: all.slice(20), count: 22 });
      expect((await tasks(DAILY_7D, `?limit=3&marker=${all[4]!.job_id}`)).body.tasks).toEqual(all.slice(5, 8));
      expect((await tasks(DAILY_7D, `?limit=3&offset=1&marker=${all[4]!.job_id}`)).body.tasks).toEqual(all.slice(6, 9));
      expect((await tasks(DAILY_7D, '?offset=22')).body).toEqual({ tasks: [], count: 22 });
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=ten', 'limit'],
      ['offset=-1', 'offset'],
      ['sort_key=name', 'sort_key'],
      ['sort_dir=up', 'sort_dir'],
      ['status=DONE', 'status'],
      [`marker=${UNKNOWN_POLICY}`, 'marker'],
    ])('refuses %s with 400 VolumeBackup.0002', async (query, names) => {
      const response = await tasks(DAILY_7D, `?${query}`);

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VolumeBackup.0002');
      expect(response.body.error.message).toMatch(/^The request format is incorrect\. /);
      expect(response.body.error.message).toContain(names);
    });
  });

  describe('backups/detail: filters, order, paging and the next link', () => {
    /** daily-7d twice and weekly-4w once, all ended: six backups. */
    async function sixBackups(): Promise<void> {
      await execute(DAILY_7D);
      advance(DURATION);
      await execute(WEEKLY_4W);
      sandbox.state.backups.failNext(PROJECT, WEB_01_DATA, 'broken');
      await execute(DAILY_7D);
      advance(DURATION);
    }

    it('filters by volume_id, status and name', async () => {
      await sixBackups();
      const all = (await get('/backups/detail')).body.backups;
      expect(all).toHaveLength(6);

      const web = (await get(`/backups/detail?volume_id=${WEB_01_DATA.toUpperCase()}`)).body.backups;
      expect(web.map((b) => b.status)).toEqual(['error', 'available']);
      expect(web[0]?.fail_reason).toBe('broken');
      expect((await get('/backups/detail?status=error')).body.backups.map((b) => b.volume_id)).toEqual([WEB_01_DATA]);
      expect((await get(`/backups/detail?name=${all[2]!.name}`)).body.backups.map((b) => b.id)).toContain(all[2]!.id);
      expect((await get('/backups/detail?status=deleting')).body.backups).toEqual([]);
      expect((await get('/backups/detail?name=nobody')).body.backups).toEqual([]);
    });

    it('sorts by created_at desc by default, by another key in either direction', async () => {
      await sixBackups();
      const byDefault = (await get('/backups/detail')).body.backups.map((b) => b.created_at);
      expect(byDefault).toEqual([...byDefault].sort().reverse());

      const bySize = (await get('/backups/detail?sort_key=size&sort_dir=asc')).body.backups.map((b) => b.size);
      expect(bySize).toEqual([...bySize].sort((a, b) => Number(a) - Number(b)));
      const byName = (await get('/backups/detail?sort_key=name')).body.backups.map((b) => b.name);
      expect(byName).toEqual([...byName].sort().reverse());
    });

    it('pages with limit and offset and links the next page (same filters, limit and a marker), which it follows', async () => {
      await sixBackups();
      const all = (await get('/backups/detail?sort_dir=asc')).body.backups;

      const first = await get('/backups/detail?sort_dir=asc&limit=4');
      expect(first.body.backups).toEqual(all.slice(0, 4));
      const next = first.body.backups_links[0]!;
      expect(next.rel).toBe('next');
      expect(next.href).toBe(`${sandbox.url}/v2/${PROJECT}/backups/detail?sort_dir=asc&limit=4&marker=${all[3]!.id}`);
      const second = await get(next.href.slice(`${sandbox.url}/v2/${PROJECT}`.length));
      expect(second.body.backups).toEqual(all.slice(4));
      expect(second.body.backups_links).toBeUndefined();
      expect((await get('/backups/detail?sort_dir=asc&limit=2&offset=3')).body.backups).toEqual(all.slice(3, 5));
      expect((await get('/backups/detail?offset=6')).body.backups).toEqual([]);
    });

    it.each([['sort_key=flavor'], ['sort_dir=sideways'], ['limit=0'], ['offset=x'], [`marker=${UNKNOWN_POLICY}`]])(
      'refuses %s with Cinder’s 400 badRequest',
      async (query) => {
        const response = await get(`/backups/detail?${query}`);

        expect(response.status).toBe(400);
        expect(response.body.badRequest.code).toBe(400);
        expect(response.body.badRequest.message).toMatch(/^Invalid input received: /);
      },
    );

    it('answers an unknown backup id with Cinder’s 404 itemNotFound', async () => {
      const response = await get(`/backups/${UNKNOWN_POLICY}`);

      expect(response.status).toBe(404);
      expect(response.body).toEqual({
        itemNotFound: { code: 404, message: `Backup ${UNKNOWN_POLICY} could not be found.` },
      });
    });
  });

  describe('faults', () => {
    it('a faulted execute starts nothing; the next one does', async () => {
      sandbox.faults.inject('vbs.execute', { status: 503 });

      expect((await execute(DAILY_7D)).status).toBe(503);
      expect(sandbox.state.backups.jobsOfVolume(PROJECT, WEB_01_DATA)).toEqual([]);
      expect((await execute(DAILY_7D)).status).toBe(204);
      expect(sandbox.state.backups.jobsOfVolume(PROJECT, WEB_01_DATA)).toHaveLength(1);
    });

    it('answers injected faults on the tasks list and the backups list as VBS and the gateway do', async () => {
      sandbox.faults.inject('vbs.backup_tasks', { status: 500 });
      sandbox.faults.inject('vbs.backups', { status: 429, retryAfterSeconds: 2 });
      sandbox.faults.inject('vbs.show_backup', { status: 403 });

      const tasksFault = await tasks(DAILY_7D);
      expect([tasksFault.status, tasksFault.body.error.code]).toEqual([500, 'AutoBackup.0009']);
      const listFault = await get('/backups/detail');
      expect([listFault.status, listFault.body.error_code, listFault.headers.get('retry-after')]).toEqual([
        429,
        'APIGW.0308',
        '2',
      ]);
      const showFault = await get(`/backups/${UNKNOWN_POLICY}`);
      expect([showFault.status, showFault.body.error.code]).toEqual([403, 'AutoBackup.0213']);
      expect((await tasks(DAILY_7D)).status).toBe(200);
    });

    it('a malformed answer to execute still started the tasks', async () => {
      sandbox.faults.inject('vbs.execute', { malformed: true });

      const response = await execute(DAILY_7D);
      expect(response.status).toBe(200);
      expect((await tasks(DAILY_7D)).body.count).toBe(2);
    });
  });
});
