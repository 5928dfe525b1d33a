import { parseBackupCommand } from '../../src/domain/command-grammar';
import type { VolumeFacts } from '../../src/domain/resolution';
import { resolvePolicy, resolveProject, resolveVolumes } from '../../src/domain/resolution';

const vol = (id: string, name: string, status = 'in-use', serverId?: string): VolumeFacts => ({
  id,
  name,
  status,
  availabilityZone: 'eu-de-01',
  sizeGb: 40,
  attachments: serverId ? [{ serverId }] : [],
});
const A = '0f187b65-8d0e-4fc0-9096-3b55d330531e';
const B = '11111111-2222-4333-8444-555555555555';
const C = '11111111-2222-4333-8444-666666666666';

function refs(text: string) {
  const parsed = parseBackupCommand(`associate p ${text}`, { maxVolumes: 100 });
  if (!parsed.ok || parsed.value.kind !== 'associate') throw new Error('bad test input');
  return parsed.value.volumes;
}

describe('resolveVolumes', () => {
  it('resolves ids and names to volumes, keeping the order and the attached server', () => {
    const found = new Map([
      [A, [vol(A, 'db-data-1', 'in-use', 'srv-1')]],
      ['db-data-2', [vol(B, 'db-data-2', 'available')]],
    ]);
    const result = resolveVolumes(refs(`${A} db-data-2`), found);
    expect(result).toEqual({
      ok: true,
      value: {
        volumes: [
          { id: A, name: 'db-data-1', status: 'in-use', availabilityZone: 'eu-de-01', sizeGb: 40, serverId: 'srv-1' },
          {
            id: B,
            name: 'db-data-2',
            status: 'available',
            availabilityZone: 'eu-de-01',
            sizeGb: 40,
            serverId: undefined,
          },
        ],
        excluded: [],
        notes: [],
        gone: [],
      },
    });
  });

  it('leaves out disks in a bad state in exclude mode (a form or a server), and lists them', () => {
    const found = new Map([
      ['a', [vol(A, 'a')]],
      ['b', [vol(B, 'b', 'error_restoring')]],
    ]);
    const result = resolveVolumes(refs('a b'), found, 'exclude');
    expect(result.ok && result.value.volumes.map((v) => v.name)).toEqual(['a']);
    expect(result.ok && result.value.excluded.map((v) => [v.name, v.status])).toEqual([['b', 'error_restoring']]);
  });

  it('lists every unknown, ambiguous and unusable volume in one answer', () => {
    const found = new Map([
      ['scratch', [vol(B, 'scratch'), vol(C, 'scratch')]],
      ['db-data-3', [vol(A, 'db-data-3', 'error')]],
    ]);
    const result = resolveVolumes(refs(`nope ${B} scratch db-data-3`), found);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toEqual([
      'No volume is named `nope` in this project.',
      `No volume has the id \`${B}\` in this project.`,
      `2 volumes are named \`scratch\`; name one by its id: \`${B}\` (eu-de-01, 40 GB, in-use), \`${C}\` (eu-de-01, 40 GB, in-use).`,
      `\`db-data-3\` (\`${A}\`) is in status \`error\`, and a disk in that status cannot be added to a backup policy.`,
    ]);
  });

  it.each(['error', 'error_extending', 'error_restoring', 'error_rollbacking', 'error_deleting', 'awaiting-transfer'])(
    'refuses a disk in status %s before calling the cloud',
    (status) => {
      expect(resolveVolumes(refs('d'), new Map([['d', [vol(A, 'd', status)]]])).ok).toBe(false);
    },
  );

  it('leaves out an id the project no longer has when asked to (an undo), but still refuses an unknown name', () => {
    const found = new Map([[A, [vol(A, 'db-data-1')]]]);
    const result = resolveVolumes(refs(`${A} ${B}`), found, 'accept', 'leave_out');
    expect(result).toMatchObject({ ok: true, value: { volumes: [{ id: A }], gone: [B] } });
    expect(resolveVolumes(refs(`${A} nope`), found, 'accept', 'leave_out').ok).toBe(false);
    expect(resolveVolumes(refs(`${A} ${B}`), found, 'accept').ok).toBe(false);
  });

  it('counts a volume named by both its name and its id once, and says so', () => {
    const found = new Map([
      [A, [vol(A, 'db-data-1')]],
      ['db-data-1', [vol(A, 'db-data-1')]],
    ]);
    const result = resolveVolumes(refs(`${A} db-data-1`), found);
    expect(result.ok && result.value.volumes.map((v) => v.id)).toEqual([A]);
    expect(result.ok && result.value.notes).toEqual([`\`db-data-1\` and \`${A}\` are the same volume; counted once.`]);
  });
});

describe('resolvePolicy', () => {
  const policies = [
    { id: '915d1fd8-63cb-4054-a2b0-2778210e3a75', name: 'daily-7d' },
    { id: 'a15d1fd8-63cb-4054-a2b0-2778210e3a75', name: 'weekly-4w' },
  ];

  it('finds a policy by name or by id', () => {
    expect(resolvePolicy({ kind: 'name', name: 'daily-7d' }, policies)).toEqual({ ok: true, value: policies[0] });
    expect(resolvePolicy({ kind: 'id', id: policies[1]!.id }, policies)).toEqual({ ok: true, value: policies[1] });
  });

  it('suggests close names for a typo and lists the policies', () => {
    const result = resolvePolicy({ kind: 'name', name: 'daly-7d' }, policies);
    expect(result).toEqual({
      ok: false,
      error: 'There is no backup policy named `daly-7d`. Did you mean `daily-7d`? Policies: `daily-7d`, `weekly-4w`.',
    });
  });

  it('asks for the id when two policies share a name', () => {
    const result = resolvePolicy({ kind: 'name', name: 'daily-7d' }, [...policies, { id: 'x', name: 'daily-7d' }]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/2 backup policies are named `daily-7d`; use the id/);
  });

  it('rejects an unknown id', () => {
    expect(resolvePolicy({ kind: 'id', id: 'b15d1fd8-63cb-4054-a2b0-2778210e3a75' }, policies).ok).toBe(false);
  });
});

describe('resolveProject', () => {
  const projects = [
    { name: 'prod', isDefault: true },
    { name: 'staging', isDefault: false },
  ];
  it('uses the default project when none is named', () => {
    expect(resolveProject(undefined, projects)).toEqual({ ok: true, value: projects[0] });
  });
  it('finds a named project and rejects an unknown one with the list', () => {
    expect(resolveProject('staging', projects)).toEqual({ ok: true, value: projects[1] });
    expect(resolveProject('qa', projects)).toEqual({
      ok: false,
      error: 'There is no project `qa`. Projects: `prod`, `staging`.',
    });
  });
});
