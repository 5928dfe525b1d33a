import type { RequestId } from '../../src/domain/ids';
import { CLOUD_CACHE_TTL_MS, MAX_QUERY_LENGTH } from '../../src/flow/cloud-cache';
import type { SuggestQuery } from '../../src/flow/form-suggestions';
import { suggestPolicies, suggestServers, suggestVolumes } from '../../src/flow/form-suggestions';
import { DRAFT_TTL_MS } from '../../src/flow/request-form';
import { volume } from '../support/fake-cloud';
import type { FlowFixture } from '../support/flow-fixture';
import { actor, useFlowFixture } from '../support/flow-fixture';
import { ALICE, APP_A, APP_B, DAVE, DB_01, DB_DATA_1, PROD, TWIN_A, TWIN_B, WEB_ROOT } from '../support/flow-world';
import { openDraft } from '../support/form-draft';

function query(draftId: RequestId, q: string, fields: Partial<SuggestQuery> = {}): SuggestQuery {
  return { actor: actor(DAVE), draftId, projectName: 'prod', query: q, ...fields };
}

const names = (items: readonly { name: string }[]) => items.map((i) => i.name);

describe('form suggestions', () => {
  const fixture = useFlowFixture();
  let f: FlowFixture;
  let draft: RequestId;
  beforeEach(async () => {
    f = fixture();
    draft = await openDraft(f, DAVE);
  });

  it('suggests only for the asker’s own form, and reads nothing for anyone else', async () => {
    const theirs = query(draft, '', { actor: actor(ALICE) });
    expect(await suggestPolicies(f.deps, theirs)).toEqual([]);
    expect(await suggestServers(f.deps, theirs)).toEqual([]);
    expect(await suggestVolumes(f.deps, theirs)).toEqual({ volumes: [], serverNames: new Map() });
    expect(f.cloud.calls).toEqual([]);
  });

  it('suggests nothing once the form expired', async () => {
    f.clock.advance(DRAFT_TTL_MS);
    expect(await suggestPolicies(f.deps, query(draft, ''))).toEqual([]);
  });

  it('suggests nothing, without a look-up, for a query longer than anyone types', async () => {
    const long = 'x'.repeat(MAX_QUERY_LENGTH + 1);
    expect(await suggestPolicies(f.deps, query(draft, long))).toEqual([]);
    expect((await suggestVolumes(f.deps, query(draft, long))).volumes).toEqual([]);
    expect(f.cloud.calls).toEqual([]);
    expect(names(await suggestPolicies(f.deps, query(draft, 'd'.repeat(MAX_QUERY_LENGTH))))).toEqual([]);
    expect(f.cloud.count('listTargets')).toBe(1);
  });

  it('suggests nothing for a project the rules file does not name', async () => {
    expect(await suggestPolicies(f.deps, query(draft, '', { projectName: 'nowhere' }))).toEqual([]);
  });

  it('suggests policies by name, any case, sorted, or by the start of their id', async () => {
    expect(names(await suggestPolicies(f.deps, query(draft, '')))).toEqual([
      'critical-hourly',
      'daily-7d',
      'legacy-tape',
      'weekly-4w',
    ]);
    expect(names(await suggestPolicies(f.deps, query(draft, 'LY')))).toEqual([
      'critical-hourly',
      'daily-7d',
      'weekly-4w',
    ]);
    expect(names(await suggestPolicies(f.deps, query(draft, 'A0000002')))).toEqual(['weekly-4w']);
  });

  it('suggests from the project picked in the form', async () => {
    expect(names(await suggestPolicies(f.deps, query(draft, '', { projectName: 'staging' })))).toEqual([
      'staging-daily',
    ]);
  });

  it('suggests servers by name or id prefix', async () => {
    expect((await suggestServers(f.deps, query(draft, 'app'))).map((s) => s.id).sort()).toEqual([APP_A, APP_B].sort());
    expect(names(await suggestServers(f.deps, query(draft, DB_01.slice(0, 8))))).toEqual(['db-01']);
  });

  it('ranks volumes: exact name, then names starting with the query, then containing it, then ids', async () => {
    f.cloud.project(PROD).volumes.push(volume('e0000001-0000-4000-8000-000000000001', 'twinkle'));
    f.cloud.project(PROD).volumes.push(volume('e0000002-0000-4000-8000-000000000002', 'old-twin'));
    const found = await suggestVolumes(f.deps, query(draft, 'twin'));
    expect(found.volumes.map((v) => v.name)).toEqual(['twin', 'twin', 'twinkle', 'old-twin']);
    expect(
      found.volumes
        .slice(0, 2)
        .map((v) => v.id)
        .sort(),
    ).toEqual([TWIN_A, TWIN_B].sort());
    expect((await suggestVolumes(f.deps, query(draft, WEB_ROOT.slice(0, 8)))).volumes.map((v) => v.id)).toEqual([
      WEB_ROOT,
    ]);
  });

  it('names the servers volumes are attached to', async () => {
    const found = await suggestVolumes(f.deps, query(draft, 'db-data-1'));
    expect(found.volumes.map((v) => v.id)).toEqual([DB_DATA_1]);
    expect(found.serverNames.get(DB_01)).toBe('db-01');
  });

  it('still suggests volumes when the server list cannot be read', async () => {
    jest.spyOn(f.cloud, 'listServers').mockRejectedValue(new Error('ECS is down'));
    const found = await suggestVolumes(f.deps, query(draft, 'db-data-1'));
    expect(found.volumes.map((v) => v.id)).toEqual([DB_DATA_1]);
    expect(found.serverNames.size).toBe(0);
  });

  it('answers every keystroke from the form’s copy of the cloud, refreshed after a minute', async () => {
    await suggestVolumes(f.deps, query(draft, 'd'));
    await suggestVolumes(f.deps, query(draft, 'db'));
    await suggestPolicies(f.deps, query(draft, 'd'));
    await suggestPolicies(f.deps, query(draft, 'da'));
    expect(f.cloud.count('listAllVolumes')).toBe(1);
    expect(f.cloud.count('listTargets')).toBe(1);
    f.clock.advance(CLOUD_CACHE_TTL_MS);
    await suggestPolicies(f.deps, query(draft, 'dai'));
    expect(f.cloud.count('listTargets')).toBe(2);
  });
});
