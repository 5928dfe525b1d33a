import type { PolicyId, ProjectId, VolumeId } from '../../src/domain/ids';
import { shareTargetLists, TARGET_LIST_TTL_MS } from '../../src/flow/target-lists';
import type { AssociationResult, BackupBackend, BackupTarget, ProjectRef } from '../../src/otc/types';
import { deferred } from '../helpers/deferred';

const PROD: ProjectRef = { id: 'p-prod' as ProjectId, region: 'eu-de' };
const STAGING: ProjectRef = { id: 'p-staging' as ProjectId, region: 'eu-de' };
const POLICY = 'policy-1' as PolicyId;
const VOLUMES = ['v-1' as VolumeId];
const NOTHING: AssociationResult = { added: [], failed: [], chunks: [] };

/** A cloud whose listTargets answers with a new list (its generation in the name) per call, counted per project. */
class CountingCloud implements BackupBackend {
  readonly lists = new Map<string, number>();
  nextList: Promise<readonly BackupTarget[]> | undefined;
  write = Promise.resolve(NOTHING);

  listTargets(project: ProjectRef): Promise<readonly BackupTarget[]> {
    const n = (this.lists.get(project.id) ?? 0) + 1;
    this.lists.set(project.id, n);
    const answer = this.nextList;
    this.nextList = undefined;
    return answer ?? Promise.resolve([{ kind: 'policy', id: POLICY, name: `list-${n}` } as unknown as BackupTarget]);
  }
  associate(..._call: unknown[]): Promise<AssociationResult> {
    return this.write;
  }
  disassociate(..._call: unknown[]): Promise<AssociationResult> {
    return this.write;
  }
  move(..._call: unknown[]): Promise<AssociationResult> {
    return this.write;
  }
  /** Not a write: passed through as is. */
  describe(project: ProjectRef): string {
    return `cloud of ${project.id}`;
  }
}

const nameOf = async (targets: Promise<readonly BackupTarget[]>): Promise<string> => (await targets)[0]!.name;

describe('shareTargetLists', () => {
  let now = 1_000_000;
  const clock = { now: () => now };
  let cloud: CountingCloud;
  let shared: CountingCloud;

  beforeEach(() => {
    now = 1_000_000;
    cloud = new CountingCloud();
    shared = shareTargetLists(cloud, clock);
  });

  it('reads a project once for a burst of checks, and again once the copy is older than the TTL', async () => {
    const burst = await Promise.all(Array.from({ length: 50 }, () => nameOf(shared.listTargets(PROD))));
    expect(new Set(burst)).toEqual(new Set(['list-1']));
    now += TARGET_LIST_TTL_MS - 1;
    expect(await nameOf(shared.listTargets(PROD))).toBe('list-1');
    now += 1;
    expect(await nameOf(shared.listTargets(PROD))).toBe('list-2');
    expect(cloud.lists.get(PROD.id)).toBe(2);
  });

  it('keeps one copy per project', async () => {
    await shared.listTargets(PROD);
    await shared.listTargets(STAGING);
    await shared.listTargets(PROD);
    expect(Object.fromEntries(cloud.lists)).toEqual({ [PROD.id]: 1, [STAGING.id]: 1 });
  });

  it('does not keep a failed read: the next check asks again', async () => {
    cloud.nextList = Promise.reject(new Error('cloud down'));
    await expect(shared.listTargets(PROD)).rejects.toThrow('cloud down');
    expect(await nameOf(shared.listTargets(PROD))).toBe('list-2');
  });

  it.each(['associate', 'disassociate', 'move'] as const)(
    'forgets the copy when the bot itself changes the project (%s), read before or during the change',
    async (write) => {
      await shared.listTargets(PROD);
      await shared.listTargets(STAGING);
      const change = deferred<AssociationResult>();
      cloud.write = change.promise;
      const call = write === 'move' ? shared.move(PROD, POLICY, POLICY, VOLUMES) : shared[write](PROD, POLICY, VOLUMES);
      // Read while the change is under way: may show either side of it, so it is not kept past it.
      expect(await nameOf(shared.listTargets(PROD))).toBe('list-2');
      change.resolve(NOTHING);
      await expect(call).resolves.toBe(NOTHING);
      expect(await nameOf(shared.listTargets(PROD))).toBe('list-3');
      // Another project's copy is still good.
      expect(await nameOf(shared.listTargets(STAGING))).toBe('list-1');
    },
  );

  it('forgets the copy after a change that failed, too', async () => {
    await shared.listTargets(PROD);
    cloud.write = Promise.reject(new Error('timeout'));
    await expect(shared.associate(PROD, POLICY, VOLUMES)).rejects.toThrow('timeout');
    expect(await nameOf(shared.listTargets(PROD))).toBe('list-2');
  });

  it('passes every other method through to the cloud', () => {
    expect(shared.describe(PROD)).toBe('cloud of p-prod');
  });
});
