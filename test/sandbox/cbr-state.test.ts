import type { Sandbox, SandboxProjectSeed } from '../../src/sandbox';
import {
  DEFAULT_CBR_PROJECT_ID,
  DEFAULT_PROJECT_ID,
  formatSandboxBanner,
  seededCbrPolicyId,
  seededVaultId,
  seededVolumeIds,
  startSandbox,
} from '../../src/sandbox';
import { CLI_USAGE, parseCliArgs, runCli, sandboxOptionsOf } from '../../src/sandbox/cli';

const P = DEFAULT_PROJECT_ID;
const SECOND = DEFAULT_CBR_PROJECT_ID;
const VBS_ONLY = 'fedcba9876543210fedcba9876543210';
const one = (name: string): string => seededVolumeIds(name)[0]!;
const VAULT_DAILY = seededVaultId('vault-daily')!;
const VAULT_WEEKLY = seededVaultId('vault-weekly')!;
const VAULT_SMALL = seededVaultId('vault-small')!;
const VAULT_ARCHIVE = seededVaultId('vault-archive')!;

describe('sandbox CBR seed', () => {
  let sandbox: Sandbox;
  const projects = [
    { id: P, backupService: 'cbr' as const },
    { id: SECOND, backupService: 'cbr' as const, region: 'eu-nl' },
    { id: VBS_ONLY },
  ];

  beforeAll(async () => {
    sandbox = await startSandbox({ projects });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('seeds a CBR project with disk vaults bound to policies, a server vault, and disks in vault-weekly', () => {
    const cbr = sandbox.state.cbr;
    const policyName = (id: string | null): string | undefined =>
      id === null ? undefined : cbr.getPolicy(P, id)?.name;

    expect(cbr.listVaults(P).map((v) => [v.name, v.objectType, v.sizeGb, policyName(v.policyId)])).toEqual([
      ['vault-daily', 'disk', 1000, 'daily-7-backups'],
      ['vault-weekly', 'disk', 2000, 'weekly-30-days'],
      ['vault-small', 'disk', 60, 'daily-7-backups'],
      ['vault-archive', 'disk', 500, undefined],
      ['vault-servers', 'server', 800, 'weekly-30-days'],
    ]);
    expect(cbr.vaultResources(P, VAULT_WEEKLY)).toEqual([
      one('db-log-1'),
      one('jenkins-home'),
      one('app-01-data'),
      one('app-02-data'),
    ]);
    expect(cbr.allocatedGb(P, VAULT_WEEKLY)).toBe(750);
    // Nearly full: 10 GB left.
    expect(cbr.allocatedGb(P, VAULT_SMALL)).toBe(50);
    expect(cbr.getVault(P, VAULT_SMALL)?.sizeGb).toBe(60);
  });

  it('seeds the CBR policies: daily at 02:00 keeping 7 backups, weekly MO,WE keeping 30 days in UTC+01:00', () => {
    const cbr = sandbox.state.cbr;

    expect(cbr.findPolicyByName(P, 'daily-7-backups')).toEqual({
      id: seededCbrPolicyId('daily-7-backups'),
      name: 'daily-7-backups',
      enabled: true,
      pattern: ['FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=00'],
      startTime: '2024-01-08 09:00:00',
      maxBackups: 7,
    });
    expect(cbr.findPolicyByName(P, 'weekly-30-days')).toMatchObject({
      pattern: ['FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=14;BYMINUTE=00'],
      retentionDurationDays: 30,
      timezone: 'UTC+01:00',
    });
    expect(cbr.findPolicyByName(P, 'paused-nightly')?.enabled).toBe(false);
  });

  it('gives a further CBR project its own ids, with its own disks in the same vaults', () => {
    const cbr = sandbox.state.cbr;
    const firstIds = new Set([...cbr.listVaults(P), ...cbr.listPolicies(P)].map((x) => x.id));
    const weekly = cbr.findVaultByName(SECOND, 'vault-weekly')!;

    expect(cbr.listVaults(SECOND).map((v) => v.name)).toEqual(cbr.listVaults(P).map((v) => v.name));
    expect([...cbr.listVaults(SECOND), ...cbr.listPolicies(SECOND)].some((x) => firstIds.has(x.id))).toBe(false);
    const names = cbr.vaultResources(SECOND, weekly.id).map((id) => sandbox.state.getVolume(SECOND, id)?.name);
    expect(names).toEqual(['db-log-1', 'jenkins-home', 'app-01-data', 'app-02-data']);
    expect(weekly.policyId).toBe(cbr.findPolicyByName(SECOND, 'weekly-30-days')?.id);
  });

  it('gives a VBS project no vaults and no CBR policies', () => {
    expect(sandbox.state.cbr.listVaults(VBS_ONLY)).toEqual([]);
    expect(sandbox.state.cbr.listPolicies(VBS_ONLY)).toEqual([]);
    expect(sandbox.projects.map((p) => p.backupService)).toEqual(['cbr', 'cbr', 'vbs']);
  });

  it('is deterministic: two sandboxes hold the same vaults, policies and members', async () => {
    const again = await startSandbox({ projects });
    try {
      for (const { id } of projects) {
        expect(again.state.cbr.listVaults(id)).toEqual(sandbox.state.cbr.listVaults(id));
        expect(again.state.cbr.listPolicies(id)).toEqual(sandbox.state.cbr.listPolicies(id));
        for (const vault of sandbox.state.cbr.listVaults(id)) {
          expect(again.state.cbr.vaultResources(id, vault.id)).toEqual(sandbox.state.cbr.vaultResources(id, vault.id));
        }
      }
    } finally {
      await again.stop();
    }
  });

  it('refuses a backup service other than vbs or cbr', async () => {
    // From JavaScript, or a parsed file, anything may come.
    const seed = { id: P, backupService: 'csbs' } as unknown as SandboxProjectSeed;
    await expect(startSandbox({ projects: [seed] })).rejects.toThrow(
      "sandbox: invalid backup service 'csbs' (vbs or cbr)",
    );
  });
});

describe('CbrState: what tests arrange and assert with', () => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await startSandbox({
      now: () => new Date('2025-05-05T05:05:05.000Z'),
      projects: [{ id: P, backupService: 'cbr' }],
    });
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  it('creates a vault (any id case) with a policy, and refuses a duplicate id', () => {
    const cbr = sandbox.state.cbr;
    const policy = cbr.addPolicy(P, { name: 'hourly', pattern: ['FREQ=DAILY;INTERVAL=1;BYHOUR=5;BYMINUTE=00'] });
    const id = '11111111-2222-4333-8444-555555555555';
    const vault = cbr.addVault(P, { id: id.toUpperCase(), name: 'vault-new', sizeGb: 30, policyId: policy.id });

    expect(vault).toEqual({
      id,
      name: 'vault-new',
      description: null,
      objectType: 'disk',
      sizeGb: 30,
      policyId: policy.id,
      createdAt: '2025-05-05T05:05:05.000000',
    });
    expect(policy).toMatchObject({ enabled: true, startTime: '2025-05-05 05:05:05' });
    expect(policy).not.toHaveProperty('maxBackups');
    expect(cbr.getVault(P, id.toUpperCase())).toEqual(vault);
    expect(cbr.listVaults(P).at(-1)).toEqual(vault);
    expect(() => cbr.addVault(P, { id, name: 'again' })).toThrow(`vault ${id} exists`);
    expect(() => cbr.addVault(P, { name: 'bad', policyId: 'nope' })).toThrow('no CBR policy nope');
  });

  it('sets a capacity and a policy (or none) on a vault', () => {
    const cbr = sandbox.state.cbr;
    const weeklyPolicy = seededCbrPolicyId('weekly-30-days')!;

    expect(cbr.setVaultCapacity(P, VAULT_SMALL, 10).sizeGb).toBe(10);
    expect(cbr.setVaultPolicy(P, VAULT_SMALL, weeklyPolicy).policyId).toBe(weeklyPolicy);
    expect(cbr.setVaultPolicy(P, VAULT_SMALL, null).policyId).toBeNull();
    expect(cbr.getVault(P, VAULT_SMALL)).toMatchObject({ sizeGb: 10, policyId: null });
    expect(() => cbr.setVaultCapacity(P, VAULT_SMALL, 0)).toThrow(RangeError);
    expect(() => cbr.setVaultCapacity(P, 'nope', 10)).toThrow('no vault nope');
  });

  it('puts a disk in a vault (moving it, last in line, no checks), takes it out, and tells where it is', () => {
    const cbr = sandbox.state.cbr;
    const dbLog1 = one('db-log-1');

    cbr.putVolumeInVault(P, dbLog1.toUpperCase(), VAULT_DAILY);
    expect(cbr.vaultOfVolume(P, dbLog1)).toBe(VAULT_DAILY);
    expect(cbr.vaultResources(P, VAULT_DAILY).at(-1)).toBe(dbLog1);
    expect(cbr.vaultResources(P, VAULT_WEEKLY)).not.toContain(dbLog1);
    expect(cbr.allocatedGb(P, VAULT_DAILY)).toBe(280);

    // No capacity check when arranging: a full vault can be made fuller.
    cbr.putVolumeInVault(P, one('ftp-01-data'), VAULT_SMALL);
    expect(cbr.allocatedGb(P, VAULT_SMALL)).toBe(1050);

    expect(cbr.removeVolumeFromVault(P, dbLog1)).toBe(true);
    expect(cbr.removeVolumeFromVault(P, dbLog1)).toBe(false);
    expect(cbr.vaultOfVolume(P, dbLog1)).toBeUndefined();
    expect(() => cbr.putVolumeInVault(P, 'no-such-volume', VAULT_DAILY)).toThrow('no volume no-such-volume');
    expect(() => cbr.putVolumeInVault(P, dbLog1, 'no-such-vault')).toThrow('no vault no-such-vault');
  });

  it('counts a disk EVS no longer has in no vault', () => {
    const cbr = sandbox.state.cbr;
    const jenkins = one('jenkins-home');

    sandbox.state.removeVolume(P, jenkins);

    expect(cbr.vaultOfVolume(P, jenkins)).toBeUndefined();
    expect(cbr.vaultResources(P, VAULT_WEEKLY)).not.toContain(jenkins);
    expect(cbr.allocatedGb(P, VAULT_WEEKLY)).toBe(500);
  });

  it('returns copies: changing a returned object does not change the sandbox', () => {
    const vault = sandbox.state.cbr.getVault(P, VAULT_ARCHIVE)!;
    (vault as { sizeGb: number }).sizeGb = 1;
    const policy = sandbox.state.cbr.listPolicies(P)[0]!;
    (policy.pattern as string[]).push('FREQ=DAILY');

    expect(sandbox.state.cbr.getVault(P, VAULT_ARCHIVE)?.sizeGb).toBe(500);
    expect(sandbox.state.cbr.listPolicies(P)[0]?.pattern).toHaveLength(1);
  });

  it('state.reset() brings back the seeded vaults and members too', () => {
    const cbr = sandbox.state.cbr;
    cbr.addVault(P, { name: 'vault-extra' });
    cbr.removeVolumeFromVault(P, one('db-log-1'));
    cbr.setVaultCapacity(P, VAULT_SMALL, 500);

    sandbox.state.reset();

    expect(cbr.findVaultByName(P, 'vault-extra')).toBeUndefined();
    expect(cbr.vaultOfVolume(P, one('db-log-1'))).toBe(VAULT_WEEKLY);
    expect(cbr.getVault(P, VAULT_SMALL)?.sizeGb).toBe(60);
  });

  it('throws on an unknown project, naming it', () => {
    expect(() => sandbox.state.cbr.listVaults('nope')).toThrow('unknown project nope');
  });
});

describe('the sandbox reports its CBR endpoint and vaults', () => {
  it('names every endpoint, CBR included, on the one server', async () => {
    const sandbox = await startSandbox();
    try {
      const url = sandbox.url;
      expect(sandbox.endpoints).toEqual({ iam: `${url}/v3`, vbs: url, evs: url, ecs: url, cbr: url });
      const banner = formatSandboxBanner(sandbox);
      expect(banner).toContain(`CBR  ${url}`);
      // No CBR project: the configuration snippet stays what a bot without CBR settings accepts.
      expect(banner).not.toContain(`cbr: '`);
      expect(banner).toMatch(/0123456789abcdef0123456789abcdef\s+sandbox\s+eu-de\s+VBS\n/);
    } finally {
      await sandbox.stop();
    }
  });

  it('shows a CBR project with its policies, its vaults (capacity, policy, disks) and each disk’s vault', async () => {
    const sandbox = await startSandbox(sandboxOptionsOf({ port: 0, host: '127.0.0.1', cbr: true }));
    try {
      const banner = formatSandboxBanner(sandbox);
      const named = `sandbox-cbr (${SECOND})`;

      expect(banner).toMatch(new RegExp(`${SECOND}\\s+sandbox-cbr\\s+eu-de\\s+CBR\\n`));
      expect(banner).toContain(`CBR policies in ${named}\n`);
      expect(banner).toMatch(
        /weekly-30-days\s+\S+\s+FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=14;BYMINUTE=00\s+30 days \(UTC\+01:00\)\s+ON\s+vault-weekly, vault-servers\n/,
      );
      expect(banner).toContain(`CBR vaults in ${named}\n`);
      expect(banner).toMatch(/NAME\s+ID\s+TYPE\s+CAPACITY\s+POLICY\s+DISKS\n/);
      expect(banner).toMatch(
        /vault-weekly\s+\S+\s+disk\s+750 of 2000 GB\s+weekly-30-days\s+db-log-1, jenkins-home, app-01-data, app-02-data\n/,
      );
      expect(banner).toMatch(
        /vault-small\s+\S+\s+disk\s+50 of 60 GB\s+daily-7-backups\s+monitoring-01-root, test-vol-1\n/,
      );
      expect(banner).toMatch(/vault-archive\s+\S+\s+disk\s+0 of 500 GB\s+-\s+-\n/);
      expect(banner).toMatch(/vault-servers\s+\S+\s+server\s+0 of 800 GB\s+weekly-30-days\s+-\n/);
      const volumes = banner.slice(banner.indexOf(`Volumes in ${named}`));
      expect(volumes).toMatch(/NAME\s+ID\s+AZ\s+SIZE\s+STATUS\s+SERVER\s+VAULT\n/);
      expect(volumes).toMatch(
        /jenkins-home\s+\S+\s+eu-de-02\s+250 GB SAS\s+in-use\s+jenkins-01 \/dev\/vdb\s+vault-weekly\n/,
      );
      // The VBS project beside it keeps its VBS tables.
      expect(banner).toContain(`Backup policies in sandbox (${P})`);
      expect(banner).toContain(
        `  endpoints: { vbs: '${sandbox.url}', evs: '${sandbox.url}', ecs: '${sandbox.url}', cbr: '${sandbox.url}' }\n`,
      );
      expect(banner).toContain(
        `  - { name: sandbox-cbr, id: ${SECOND}, region: eu-de }  # backs up with CBR (vaults)\n`,
      );
    } finally {
      await sandbox.stop();
    }
  });

  it('adds a curl example for the vaults when the first project is a CBR one', async () => {
    const sandbox = await startSandbox({ projects: [{ id: P, backupService: 'cbr' }] });
    try {
      expect(formatSandboxBanner(sandbox)).toContain(
        `curl -s -H "X-Auth-Token: $TOKEN" '${sandbox.url}/v3/${P}/vaults?object_type=disk'`,
      );
    } finally {
      await sandbox.stop();
    }
  });
});

describe('sandbox CLI --cbr', () => {
  it('parses --cbr beside the other arguments, and names it in the usage', () => {
    expect(parseCliArgs(['--cbr'])).toEqual({ kind: 'run', options: { port: 0, host: '127.0.0.1', cbr: true } });
    expect(parseCliArgs(['--port', '8787', '--cbr'])).toEqual({
      kind: 'run',
      options: { port: 8787, host: '127.0.0.1', cbr: true },
    });
    expect(CLI_USAGE).toContain('--cbr');
  });

  it('adds a second project, sandbox-cbr, that backs up with CBR', () => {
    expect(sandboxOptionsOf({ port: 0, host: '::1' })).toEqual({ port: 0, host: '::1' });
    expect(sandboxOptionsOf({ port: 1, host: 'h', cbr: true })).toEqual({
      port: 1,
      host: 'h',
      projects: [{ id: P }, { id: SECOND, name: 'sandbox-cbr', backupService: 'cbr' }],
    });
  });

  it('prints a banner with the CBR vaults and serves them until SIGINT', async () => {
    const lines: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((text: string) => void lines.push(text));
    try {
      const done = runCli(['--port', '0', '--cbr']);
      while (lines.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(lines[0]).toContain(`CBR vaults in sandbox-cbr (${SECOND})`);
      const url = /running at (http:\/\/\S+)/.exec(lines[0] ?? '')?.[1] ?? '';
      expect((await fetch(`${url}/v3/${SECOND}/vaults`)).status).toBe(401);

      process.emit('SIGINT', 'SIGINT');

      await expect(done).resolves.toBe(0);
    } finally {
      log.mockRestore();
    }
  });
});
