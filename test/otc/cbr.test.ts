import { asPolicyId, asVolumeId } from '../../src/domain/ids';
import type { VolumeId } from '../../src/domain/ids';
import { extraCallBudget } from '../../src/otc/all-or-nothing';
import { createOtcClient } from '../../src/otc/client';
import { OtcHttpError } from '../../src/otc/errors';
import type { ChunkReport, ProjectRef, SendingChunk } from '../../src/otc/types';
import {
  bodyOf,
  buildClient,
  useMockAgent,
  makeVolumeIds,
  POLICIES_PATH,
  PROJECT,
  readFixture,
  readJsonFixture,
  VBS,
} from './helpers';

type JsonObject = Record<string, unknown>;
const AKSK = { kind: 'aksk', accessKey: 'ak-test', secretKey: 'sk-test' } as const;
const CBR = 'https://cbr.eu-de.otc.t-systems.com';
const CBR_PROJECT: ProjectRef = { ...PROJECT, service: 'cbr' };
const BASE = `/v3/${PROJECT.id}`;
const VAULT = asPolicyId('ad7627ae-5b0b-492e-b6bd-cd809b745197');
const OTHER_VAULT = asPolicyId('fe578a6c-d1a8-4790-bd52-5954af4d446c');

const agent = useMockAgent();

/** AK/SK keeps these tests to the CBR calls themselves (token handling is in auth.test.ts). */
function client(overrides: Parameters<typeof buildClient>[1] = {}) {
  return buildClient(agent, { credentials: AKSK, ...overrides });
}

/** OTC's vault list example, made a vault of `object_type` holding `volumeIds`. */
function vaultLike(id: string, volumeIds: readonly string[], objectType = 'disk', extra: JsonObject = {}): JsonObject {
  const docs = readJsonFixture<{ vaults: JsonObject[] }>('cbr_vault_list_response.docs.json').vaults[0]!;
  return {
    ...docs,
    id,
    name: `vault-${id.slice(0, 4)}`,
    resources: volumeIds.map((volumeId) => ({ id: volumeId, type: 'OS::Cinder::Volume', size: 10 })),
    billing: { ...(docs.billing as JsonObject), object_type: objectType },
    ...extra,
  };
}

function mockVault(id: string, volumeIds: readonly string[], times = 1): void {
  agent
    .get(CBR)
    .intercept({ path: `${BASE}/vaults/${id}`, method: 'GET' })
    .reply(200, { vault: vaultLike(id, volumeIds) })
    .times(times);
}

/** The CBR error body of OTC's docs, with another code and message. */
function cbrError(code: string, message: string): string {
  const body = readJsonFixture<JsonObject>('cbr_error_response.docs.json');
  return JSON.stringify({ ...body, error_code: code, error_msg: message });
}

interface AddRequest {
  readonly resources: ReadonlyArray<{ readonly id: string; readonly type: string }>;
}

/**
 * An all-or-nothing `addresources`: a call with any of `bad` is refused with 6103, any other is
 * answered with the docs' success body. Records each request body.
 */
function mockAddResources(bad: ReadonlySet<string>, times: number): AddRequest[] {
  const requests: AddRequest[] = [];
  agent
    .get(CBR)
    .intercept({ path: `${BASE}/vaults/${VAULT}/addresources`, method: 'POST' })
    .reply((opts) => {
      const body = bodyOf<AddRequest>(opts);
      requests.push(body);
      if (body.resources.some((r) => bad.has(r.id)))
        return { statusCode: 400, data: cbrError('BackupService.6103', 'Resource already in other vault.') };
      return { statusCode: 200, data: readFixture('cbr_addresources_response.docs.json') };
    })
    .times(times);
  return requests;
}

describe('CBR vaults as backup targets', () => {
  const vaultsPath = (limit: number, offset: number) => `${BASE}/vaults?limit=${limit}&offset=${offset}`;
  const policiesPath = `${BASE}/policies?operation_type=backup`;

  it("stops at OTC's example page, shorter than asked, and lists no server vault", async () => {
    agent
      .get(CBR)
      .intercept({ path: vaultsPath(100, 0), method: 'GET' })
      .reply(200, readFixture('cbr_vault_list_response.docs.json'));
    agent.get(CBR).intercept({ path: policiesPath, method: 'GET' }).reply(200, { policies: [] });
    const { client: otc } = client();
    expect(await otc.listTargets(CBR_PROJECT)).toEqual([]);
  });

  it('pages by offset until count vaults are read, asking no page past a count that fills the last one', async () => {
    const [a, b, c] = makeVolumeIds(3);
    agent
      .get(CBR)
      .intercept({ path: vaultsPath(2, 0), method: 'GET' })
      .reply(200, { vaults: [vaultLike('v-1', [a!]), vaultLike('v-2', [], 'server')], count: 4 });
    agent
      .get(CBR)
      .intercept({ path: vaultsPath(2, 2), method: 'GET' })
      .reply(200, { vaults: [vaultLike('v-3', [b!, c!]), vaultLike('v-4', [])], count: 4 });
    agent.get(CBR).intercept({ path: policiesPath, method: 'GET' }).reply(200, { policies: [] });
    const { client: otc } = client({ vaults: { pageSize: 2 } });
    const targets = await otc.listTargets(CBR_PROJECT);
    expect(targets.map((t) => [t.kind, t.id, t.kind === 'vault' ? t.volumeIds : []])).toEqual([
      ['vault', 'v-1', [a]],
      ['vault', 'v-3', [b, c]],
      ['vault', 'v-4', []],
    ]);
  });

  it('without a count, pages until a page is empty', async () => {
    agent
      .get(CBR)
      .intercept({ path: vaultsPath(1, 0), method: 'GET' })
      .reply(200, { vaults: [vaultLike('v-1', [])] });
    agent
      .get(CBR)
      .intercept({ path: vaultsPath(1, 1), method: 'GET' })
      .reply(200, { vaults: [] });
    agent.get(CBR).intercept({ path: policiesPath, method: 'GET' }).reply(200, { policies: [] });
    const { client: otc } = client({ vaults: { pageSize: 1 } });
    expect((await otc.listTargets(CBR_PROJECT)).map((t) => t.id)).toEqual(['v-1']);
  });

  it("cuts the page size to the API's maximum of 1000", async () => {
    agent
      .get(CBR)
      .intercept({ path: vaultsPath(1000, 0), method: 'GET' })
      .reply(200, { vaults: [], count: 0 });
    agent.get(CBR).intercept({ path: policiesPath, method: 'GET' }).reply(200, { policies: [] });
    const { client: otc } = client({ vaults: { pageSize: 5000 } });
    expect(await otc.listTargets(CBR_PROJECT)).toEqual([]);
  });

  it('binds each vault its backup policy, with the schedule the bot reads', async () => {
    const [a] = makeVolumeIds(1);
    agent
      .get(CBR)
      .intercept({ path: vaultsPath(100, 0), method: 'GET' })
      .reply(200, {
        vaults: [vaultLike(VAULT, [a!], 'disk', { billing: { object_type: 'disk', size: 500, allocated: 120 } })],
        count: 1,
      });
    agent
      .get(CBR)
      .intercept({ path: policiesPath, method: 'GET' })
      .reply(200, {
        policies: [
          {
            id: 'p-1',
            name: 'weekly-4',
            enabled: true,
            operation_type: 'backup',
            operation_definition: { max_backups: 4, timezone: 'UTC+01:00' },
            trigger: { properties: { pattern: ['FREQ=WEEKLY;BYDAY=SU;BYHOUR=22;BYMINUTE=00'] } },
            associated_vaults: [{ vault_id: VAULT }],
          },
        ],
        count: 1,
      });
    const { client: otc } = client();
    expect(await otc.listTargets(CBR_PROJECT)).toEqual([
      {
        kind: 'vault',
        id: VAULT,
        name: `vault-${VAULT.slice(0, 4)}`,
        volumeIds: [a],
        resourceCount: 1,
        capacityGb: 500,
        allocatedGb: 120,
        policy: {
          id: 'p-1',
          name: 'weekly-4',
          status: 'ON',
          startTime: '22:00',
          timeZone: 'UTC+01:00',
          weekDays: ['SUN'],
          frequencyDays: undefined,
          retentionCount: 4,
          retentionDays: undefined,
        },
      },
    ]);
  });

  it("throws CBR's own error code and message from a failed list", async () => {
    agent
      .get(CBR)
      .intercept({ path: vaultsPath(100, 0), method: 'GET' })
      .reply(400, readFixture('cbr_error_response.docs.json'));
    agent.get(CBR).intercept({ path: policiesPath, method: 'GET' }).reply(200, { policies: [] });
    const { client: otc } = client();
    const error = await otc.listTargets(CBR_PROJECT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcHttpError);
    expect(error).toMatchObject({
      status: 400,
      otcCode: 'BackupService.9900',
      otcMessage: 'Invalid vault_id provided.',
    });
  });
});

describe('associating volumes with a CBR vault', () => {
  it("sends only the volumes not in the vault yet, in the body python-otcextensions' test posts", async () => {
    const [inVault, fresh] = makeVolumeIds(2) as [VolumeId, VolumeId];
    mockVault(VAULT, [inVault.toUpperCase()]);
    const requests = mockAddResources(new Set(), 1);
    const chunks: ChunkReport[] = [];
    const { client: otc } = client();
    const result = await otc.associate(CBR_PROJECT, VAULT, [inVault, fresh], {
      onChunk: (chunk) => {
        chunks.push(chunk);
        return Promise.resolve();
      },
    });

    const upstream = readJsonFixture<AddRequest>('cbr_addresources_request.otcextensions.json');
    expect(requests).toEqual([{ resources: [{ ...upstream.resources[0], id: fresh, type: 'OS::Cinder::Volume' }] }]);
    expect(Object.keys(requests[0]!.resources[0]!)).toEqual(Object.keys(upstream.resources[0]!));
    expect(result.added).toEqual([
      { volumeId: inVault, availabilityZone: undefined, pod: undefined, already: true },
      { volumeId: fresh, availabilityZone: undefined, pod: undefined },
    ]);
    expect(result.failed).toEqual([]);
    expect(chunks).toEqual([{ index: 0, volumeIds: [fresh], attempts: 1, added: 1, failed: 0 }]);
  });

  it('says which volumes it is about to send before each call, and nothing for a vault it could not read', async () => {
    const [inVault, fresh] = makeVolumeIds(2) as [VolumeId, VolumeId];
    mockVault(VAULT, [inVault]);
    const events: string[] = [];
    agent
      .get(CBR)
      .intercept({ path: `${BASE}/vaults/${VAULT}/addresources`, method: 'POST' })
      .reply((opts) => {
        events.push(
          `call ${bodyOf<AddRequest>(opts)
            .resources.map((r) => r.id)
            .join()}`,
        );
        return { statusCode: 200, data: { add_resource_ids: [fresh] } };
      });
    const options = {
      onSending: (chunk: SendingChunk) => {
        events.push(`sending ${chunk.index}: ${chunk.volumeIds.join()}`);
        return Promise.resolve();
      },
      onChunk: (chunk: ChunkReport) => {
        events.push(`done ${chunk.index}`);
        return Promise.resolve();
      },
    };
    const { client: otc } = client();
    await otc.associate(CBR_PROJECT, VAULT, [inVault, fresh], options);
    expect(events).toEqual([`sending 0: ${fresh}`, `call ${fresh}`, 'done 0']);

    events.length = 0;
    agent
      .get(CBR)
      .intercept({ path: `${BASE}/vaults/${VAULT}`, method: 'GET' })
      .reply(404, cbrError('BackupService.6105', 'Vault Not Found'));
    await otc.associate(CBR_PROJECT, VAULT, [fresh], options);
    expect(events).toEqual(['done 0']);
  });

  it('sends nothing when every volume is in the vault already (a resumed run)', async () => {
    const ids = makeVolumeIds(3);
    mockVault(VAULT, ids);
    const { client: otc } = client();
    const result = await otc.associate(CBR_PROJECT, VAULT, ids);
    expect(result.added.map((a) => a.already)).toEqual([true, true, true]);
    expect(result.chunks).toEqual([]);
  });

  it.each([
    ['a 6103 (in another vault)', 'BackupService.6103', 400],
    ['a 7000 (a disk deleted since the check)', 'BackupService.7000', 404],
  ])(
    'fails the volume %s names with its code and message, and adds the rest on the next call',
    async (_what, code, status) => {
      const ids = makeVolumeIds(4);
      const message = `Resource ${ids[1]!} refused.`;
      mockVault(VAULT, []);
      const sent: string[][] = [];
      agent
        .get(CBR)
        .intercept({ path: `${BASE}/vaults/${VAULT}/addresources`, method: 'POST' })
        .reply((opts) => {
          const ids2 = bodyOf<AddRequest>(opts).resources.map((r) => r.id);
          sent.push(ids2);
          return ids2.includes(ids[1]!)
            ? { statusCode: status, data: cbrError(code, message) }
            : { statusCode: 200, data: { add_resource_ids: ids2 } };
        })
        .times(2);
      const { client: otc } = client();
      const result = await otc.associate(CBR_PROJECT, VAULT, ids);
      expect(sent).toEqual([ids, [ids[0], ids[2], ids[3]]]);
      expect(result.failed).toEqual([{ volumeId: ids[1], code, message }]);
      expect(result.added.map((a) => a.volumeId)).toEqual([ids[0], ids[2], ids[3]]);
      expect(result.chunks).toEqual([{ index: 0, volumeIds: ids, attempts: 2, added: 3, failed: 1 }]);
    },
  );

  it('finds one volume in another vault among 8 by halving, and reports the chunk once with every send', async () => {
    const ids = makeVolumeIds(8);
    mockVault(VAULT, []);
    const requests = mockAddResources(new Set([ids[3]!]), 7);
    const chunks: ChunkReport[] = [];
    const { client: otc } = client();
    const result = await otc.associate(CBR_PROJECT, VAULT, ids, {
      onChunk: (chunk) => {
        chunks.push(chunk);
        return Promise.resolve();
      },
    });
    expect(requests.map((r) => r.resources.length)).toEqual([8, 4, 2, 2, 1, 1, 4]);
    expect(requests.length - 1).toBeLessThanOrEqual(extraCallBudget(8));
    expect(result.added.map((a) => a.volumeId)).toEqual(ids.filter((_, i) => i !== 3));
    expect(result.failed).toEqual([
      { volumeId: ids[3], code: 'BackupService.6103', message: 'Resource already in other vault.' },
    ]);
    expect(chunks).toEqual([{ index: 0, volumeIds: ids, attempts: 7, added: 7, failed: 1 }]);
  });

  it('fails the whole chunk on 9900 (invalid vault) with one call and no halving', async () => {
    const ids = makeVolumeIds(4);
    mockVault(VAULT, []);
    agent
      .get(CBR)
      .intercept({ path: `${BASE}/vaults/${VAULT}/addresources`, method: 'POST' })
      .reply(400, readFixture('cbr_error_response.docs.json'), { headers: { 'x-request-id': 'req-9900' } });
    const { client: otc } = client();
    const result = await otc.associate(CBR_PROJECT, VAULT, ids);
    expect(result.failed).toEqual(
      ids.map((volumeId) => ({ volumeId, code: 'BackupService.9900', message: 'Invalid vault_id provided.' })),
    );
    expect(result.chunks).toEqual([
      {
        index: 0,
        volumeIds: ids,
        attempts: 1,
        added: 0,
        failed: 4,
        error: expect.objectContaining({
          code: 'OTC_HTTP',
          status: 400,
          otcCode: 'BackupService.9900',
          otcRequestId: 'req-9900',
        }),
      },
    ]);
  });

  it('does not halve a chunk that keeps getting 503: it fails as a whole after the core retries', async () => {
    const ids = makeVolumeIds(3);
    // Read before the call, and again after it (a 503 may come from a gateway for a call CBR took).
    mockVault(VAULT, [], 2);
    agent
      .get(CBR)
      .intercept({ path: `${BASE}/vaults/${VAULT}/addresources`, method: 'POST' })
      .reply(503, '')
      .times(4);
    const { client: otc } = client();
    const result = await otc.associate(CBR_PROJECT, VAULT, ids);
    expect(result.failed.map((f) => f.code)).toEqual(['HTTP 503', 'HTTP 503', 'HTTP 503']);
    expect(result.chunks[0]).toMatchObject({ attempts: 4, error: { status: 503 } });
  });

  it('sends nothing when the vault cannot be read, and fails every volume with the read error', async () => {
    const ids = makeVolumeIds(2);
    agent
      .get(CBR)
      .intercept({ path: `${BASE}/vaults/${VAULT}`, method: 'GET' })
      .reply(404, cbrError('BackupService.6105', 'Vault Not Found'));
    const { client: otc } = client();
    const result = await otc.associate(CBR_PROJECT, VAULT, ids);
    expect(result.added).toEqual([]);
    expect(result.failed).toEqual(
      ids.map((volumeId) => ({ volumeId, code: 'BackupService.6105', message: 'Vault Not Found' })),
    );
    expect(result.chunks).toEqual([
      expect.objectContaining({
        index: 0,
        volumeIds: ids,
        attempts: 1,
        error: expect.objectContaining({ status: 404 }),
      }),
    ]);
  });

  it('takes a refused resend as done when the vault shows the first send was (its answer was lost)', async () => {
    const ids = makeVolumeIds(2);
    mockVault(VAULT, []);
    const pool = agent.get(CBR);
    pool.intercept({ path: `${BASE}/vaults/${VAULT}/addresources`, method: 'POST' }).reply(503, '');
    pool
      .intercept({ path: `${BASE}/vaults/${VAULT}/addresources`, method: 'POST' })
      .reply(400, cbrError('BackupService.6103', 'Resource already in other vault.'));
    mockVault(VAULT, ids);
    const { client: otc } = client();
    const result = await otc.associate(CBR_PROJECT, VAULT, ids);
    expect(result.failed).toEqual([]);
    expect(result.added.map((a) => [a.volumeId, a.already])).toEqual(ids.map((id) => [id, undefined]));
    expect(result.chunks[0]).toMatchObject({ attempts: 2, added: 2 });
  });

  it.each(['a 504', 'no answer'])(
    'takes a call as done when every send got %s but the vault shows its volumes (the answers were lost)',
    async (what) => {
      const ids = makeVolumeIds(2);
      mockVault(VAULT, []);
      const add = agent.get(CBR).intercept({ path: `${BASE}/vaults/${VAULT}/addresources`, method: 'POST' });
      if (what === 'a 504') add.reply(504, '').times(4);
      else add.replyWithError(new Error('socket hang up')).times(4);
      mockVault(VAULT, ids);
      const { client: otc } = client();
      const result = await otc.associate(CBR_PROJECT, VAULT, ids);
      expect(result.failed).toEqual([]);
      expect(result.added.map((a) => [a.volumeId, a.already])).toEqual(ids.map((id) => [id, undefined]));
    },
  );

  it('keeps a call whose answers were lost a failure when the vault shows only some of its volumes', async () => {
    const ids = makeVolumeIds(2);
    mockVault(VAULT, []);
    agent
      .get(CBR)
      .intercept({ path: `${BASE}/vaults/${VAULT}/addresources`, method: 'POST' })
      .reply(504, '')
      .times(4);
    mockVault(VAULT, [ids[0]!]);
    const { client: otc } = client();
    const result = await otc.associate(CBR_PROJECT, VAULT, ids);
    expect(result.failed.map((f) => [f.volumeId, f.code])).toEqual(ids.map((id) => [id, 'HTTP 504']));
  });

  it('keeps a refused resend a refusal when the vault shows the volumes are not in it', async () => {
    const [only] = makeVolumeIds(1) as [VolumeId];
    mockVault(VAULT, []);
    const pool = agent.get(CBR);
    pool.intercept({ path: `${BASE}/vaults/${VAULT}/addresources`, method: 'POST' }).reply(502, '');
    pool
      .intercept({ path: `${BASE}/vaults/${VAULT}/addresources`, method: 'POST' })
      .reply(400, cbrError('BackupService.6103', 'Resource already in other vault.'));
    mockVault(VAULT, []);
    const { client: otc } = client();
    const result = await otc.associate(CBR_PROJECT, VAULT, [only]);
    expect(result.failed).toEqual([
      { volumeId: only, code: 'BackupService.6103', message: 'Resource already in other vault.' },
    ]);
  });

  it('sends at most 256 volumes per call, whatever chunk size is configured', async () => {
    const ids = makeVolumeIds(300);
    mockVault(VAULT, []);
    const requests = mockAddResources(new Set(), 2);
    const { client: otc } = client({ associate: { chunkSize: 500 } });
    const result = await otc.associate(CBR_PROJECT, VAULT, ids, { concurrency: 1 });
    expect(requests.map((r) => r.resources.length)).toEqual([256, 44]);
    expect(result.added).toHaveLength(300);
  });

  it('keeps a smaller configured chunk size', async () => {
    const ids = makeVolumeIds(5);
    mockVault(VAULT, []);
    const requests = mockAddResources(new Set(), 3);
    const { client: otc } = client();
    await otc.associate(CBR_PROJECT, VAULT, ids, { chunkSize: 2, concurrency: 1 });
    expect(requests.map((r) => r.resources.length)).toEqual([2, 2, 1]);
  });

  it('sends nothing, reads nothing, once the signal fired', async () => {
    const controller = new AbortController();
    controller.abort();
    const { client: otc } = client();
    const result = await otc.associate(CBR_PROJECT, VAULT, makeVolumeIds(2), { signal: controller.signal });
    expect(result.failed.map((f) => f.code)).toEqual(['OTC_ABORTED', 'OTC_ABORTED']);
  });
});

describe('moving volumes between CBR vaults', () => {
  it("migrates with the docs' request body, reporting each moved volume with the vault it came from", async () => {
    const docsRequest = readJsonFixture<{ resource_ids: string[]; destination_vault_id: string }>(
      'cbr_migrateresources_request.docs.json',
    );
    const moving = asVolumeId(docsRequest.resource_ids[0]!);
    const [there] = makeVolumeIds(1) as [VolumeId];
    mockVault(docsRequest.destination_vault_id, [there]);
    const requests: unknown[] = [];
    agent
      .get(CBR)
      .intercept({ path: `${BASE}/vaults/${VAULT}/migrateresources`, method: 'POST' })
      .reply((opts) => {
        requests.push(bodyOf(opts));
        // The docs' answer lists the destination vault, not the volume: a 2xx means all moved.
        return { statusCode: 200, data: readFixture('cbr_migrateresources_response.docs.json') };
      });
    const { client: otc } = client();
    const result = await otc.move(CBR_PROJECT, VAULT, asPolicyId(docsRequest.destination_vault_id), [moving, there]);
    expect(requests).toEqual([docsRequest]);
    expect(result.added).toEqual([
      { volumeId: moving, availabilityZone: undefined, pod: undefined, movedFrom: VAULT },
      { volumeId: there, availabilityZone: undefined, pod: undefined, already: true },
    ]);
    expect(result.failed).toEqual([]);
  });

  it('fails a volume the migrate refuses, with the code, and moves the others', async () => {
    const ids = makeVolumeIds(2);
    mockVault(OTHER_VAULT, []);
    agent
      .get(CBR)
      .intercept({ path: `${BASE}/vaults/${VAULT}/migrateresources`, method: 'POST' })
      .reply((opts) =>
        bodyOf<{ resource_ids: string[] }>(opts).resource_ids.includes(ids[0]!)
          ? { statusCode: 400, data: cbrError('BackupService.6100', 'Resources of vault over limit: 256.') }
          : { statusCode: 200, data: { migrated_resources: [ids[1]] } },
      )
      .times(3);
    const { client: otc } = client();
    const result = await otc.move(CBR_PROJECT, VAULT, OTHER_VAULT, ids);
    expect(result.failed.map((f) => [f.volumeId, f.code])).toEqual([[ids[0], 'BackupService.6100']]);
    expect(result.added).toEqual([{ volumeId: ids[1], availabilityZone: undefined, pod: undefined, movedFrom: VAULT }]);
  });

  it('moves the others when one volume is no longer in the vault it moves from (6135)', async () => {
    const ids = makeVolumeIds(3);
    const message = `The resource ${ids[0]!} does not exist in the vault.`;
    mockVault(OTHER_VAULT, []);
    const sent: string[][] = [];
    agent
      .get(CBR)
      .intercept({ path: `${BASE}/vaults/${VAULT}/migrateresources`, method: 'POST' })
      .reply((opts) => {
        const moving = bodyOf<{ resource_ids: string[] }>(opts).resource_ids;
        sent.push(moving);
        return moving.includes(ids[0]!)
          ? { statusCode: 400, data: cbrError('BackupService.6135', message) }
          : { statusCode: 200, data: { migrated_resources: moving } };
      })
      .times(2);
    const { client: otc } = client();
    const result = await otc.move(CBR_PROJECT, VAULT, OTHER_VAULT, ids);
    expect(sent).toEqual([ids, [ids[1], ids[2]]]);
    expect(result.failed).toEqual([{ volumeId: ids[0], code: 'BackupService.6135', message }]);
    expect(result.added.map((a) => a.volumeId)).toEqual([ids[1], ids[2]]);
  });
});

describe('removing volumes from a CBR vault', () => {
  it("reports volumes not in the vault as done without sending them, and removes the rest with the docs' body", async () => {
    const docsRequest = readJsonFixture<{ resource_ids: string[] }>('cbr_removeresources_request.docs.json');
    const inVault = asVolumeId(docsRequest.resource_ids[0]!);
    const [gone] = makeVolumeIds(1) as [VolumeId];
    mockVault(VAULT, [inVault]);
    const requests: unknown[] = [];
    agent
      .get(CBR)
      .intercept({ path: `${BASE}/vaults/${VAULT}/removeresources`, method: 'POST' })
      .reply((opts) => {
        requests.push(bodyOf(opts));
        return { statusCode: 200, data: readFixture('cbr_removeresources_response.docs.json') };
      });
    const { client: otc } = client();
    const result = await otc.disassociate(CBR_PROJECT, VAULT, [gone, inVault]);
    expect(requests).toEqual([docsRequest]);
    expect(result.added).toEqual([
      { volumeId: gone, availabilityZone: undefined, pod: undefined, already: true },
      { volumeId: inVault, availabilityZone: undefined, pod: undefined },
    ]);
  });

  it('is idempotent: asked again, it sends nothing', async () => {
    const ids = makeVolumeIds(2);
    mockVault(VAULT, []);
    const { client: otc } = client();
    const result = await otc.disassociate(CBR_PROJECT, VAULT, ids);
    expect(result.added.map((a) => a.already)).toEqual([true, true]);
    expect(result.failed).toEqual([]);
  });
});

describe('a VBS project next to CBR', () => {
  it('lists VBS policies for a project without a service, and for one that names VBS', async () => {
    agent
      .get(VBS)
      .intercept({ path: POLICIES_PATH, method: 'GET' })
      .reply(200, readFixture('vbs_policy_list_response.docs.json'))
      .times(2);
    const { client: otc } = client();
    expect((await otc.listTargets(PROJECT)).map((t) => [t.kind, t.id])).toEqual([
      ['policy', 'XX'],
      ['policy', 'YY'],
    ]);
    expect(await otc.listTargets({ ...PROJECT, service: 'vbs' })).toHaveLength(2);
  });

  it('fails every volume of a move on VBS, sending nothing', async () => {
    const ids = makeVolumeIds(2);
    const { client: otc } = client();
    const result = await otc.move(PROJECT, VAULT, OTHER_VAULT, ids);
    expect(result.failed.map((f) => f.code)).toEqual(['NOT_SUPPORTED', 'NOT_SUPPORTED']);
    expect(result.chunks).toEqual([]);
  });
});

describe('CBR client options', () => {
  it('reaches CBR through an endpoint override', async () => {
    agent
      .get('https://cbr.ap-southeast-1.myhuaweicloud.com')
      .intercept({ path: `${BASE}/vaults/${VAULT}`, method: 'GET' })
      .reply(200, { vault: vaultLike(VAULT, []) });
    const { client: otc } = client({ endpoints: { cbr: 'https://cbr.{region}.myhuaweicloud.com/' } });
    const result = await otc.disassociate({ ...CBR_PROJECT, region: 'ap-southeast-1' }, VAULT, makeVolumeIds(1));
    expect(result.added).toHaveLength(1);
  });

  it('refuses a bad CBR endpoint and a nonsense vault page size, naming the option', () => {
    expect(() => createOtcClient({ credentials: AKSK, dispatcher: agent, endpoints: { cbr: 'ftp://cbr' } })).toThrow(
      'endpoint cbr: must be an http(s) URL',
    );
    expect(() => createOtcClient({ credentials: AKSK, dispatcher: agent, vaults: { pageSize: 0 } })).toThrow(
      'vaults.pageSize',
    );
  });
});
