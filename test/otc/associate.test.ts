import type { MockAgent } from 'undici';
import { asPolicyId, asVolumeId } from '../../src/domain/ids';
import type { VolumeId } from '../../src/domain/ids';
import { mergeVbsAnswers, NOT_REPORTED_MESSAGE, runChunked } from '../../src/otc/associate';
import type { ChunkedRunOptions, VbsChunkCall } from '../../src/otc/associate';
import { OtcHttpError, OtcNetworkError } from '../../src/otc/errors';
import type { ResourcesBody } from '../../src/otc/vbs-schemas';
import {
  ASSOCIATE_PATH,
  bodyOf,
  buildClient,
  countInFlight,
  createMockAgent,
  makeVolumeIds,
  mockTokenIssue,
  PROJECT,
  readFixture,
  readJsonFixture,
  VBS,
} from './helpers';
import type { ResourcesRequest } from './helpers';

const site = { method: 'POST', path: ASSOCIATE_PATH };

/** A cloud that adds every volume it is sent, in AZ eu-de-01 on pod01. */
function addAll(ids: readonly VolumeId[]): ResourcesBody {
  return {
    success_resources: ids.map((id) => ({
      resource_id: id,
      os_vol_host_attr: 'pod01.eu-de-01',
      availability_zone: 'eu-de-01',
      resource_type: 'volume',
    })),
    fail_resources: [],
  };
}

/** runChunked over VBS calls, whose answers are merged volume by volume. */
const runVbs = (ids: readonly VolumeId[], options: ChunkedRunOptions, call: VbsChunkCall) =>
  runChunked(ids, options, mergeVbsAnswers(call));

describe('runChunked (merging chunk results)', () => {
  it('sends 45 volumes as 20 + 20 + 5 and keeps the input order', async () => {
    const ids = makeVolumeIds(45).reverse();
    const sent: VolumeId[][] = [];
    const result = await runVbs(ids, { chunkSize: 20, concurrency: 2 }, (chunk) => {
      sent.push([...chunk]);
      return Promise.resolve({ body: addAll([...chunk].reverse()), attempts: 1 });
    });
    expect(sent.map((c) => c.length)).toEqual([20, 20, 5]);
    expect(result.added.map((a) => a.volumeId)).toEqual(ids);
    expect(result.added[0]).toEqual({ volumeId: ids[0], availabilityZone: 'eu-de-01', pod: 'pod01.eu-de-01' });
    expect(result.chunks.map((c) => [c.index, c.added, c.failed, c.attempts])).toEqual([
      [0, 20, 0, 1],
      [1, 20, 0, 1],
      [2, 5, 0, 1],
    ]);
  });

  it('keeps a failed entry without code and message as undefined, and fails volumes the cloud did not mention', async () => {
    const [a, b, c] = makeVolumeIds(3) as [VolumeId, VolumeId, VolumeId];
    const result = await runVbs([a, b, c], { chunkSize: 20, concurrency: 2 }, () =>
      Promise.resolve({
        body: {
          success_resources: [{ resource_id: a.toUpperCase() }],
          fail_resources: [{ resource_id: b }],
        },
        attempts: 1,
      }),
    );
    expect(result.added).toEqual([{ volumeId: a, availabilityZone: undefined, pod: undefined }]);
    expect(result.failed).toEqual([
      { volumeId: b, code: undefined, message: undefined },
      { volumeId: c, code: undefined, message: NOT_REPORTED_MESSAGE },
    ]);
  });

  it('sends a duplicated id once', async () => {
    const [a, b] = makeVolumeIds(2) as [VolumeId, VolumeId];
    const sent: VolumeId[][] = [];
    const result = await runVbs([a, b, a, asVolumeId(b.toUpperCase())], { chunkSize: 20, concurrency: 1 }, (chunk) => {
      sent.push([...chunk]);
      return Promise.resolve({ body: addAll(chunk), attempts: 1 });
    });
    expect(sent).toEqual([[a, b]]);
    expect(result.added).toHaveLength(2);
  });

  it('fails only the volumes of a chunk whose whole call failed, with the error in its report', async () => {
    const ids = makeVolumeIds(5);
    const call: VbsChunkCall = (chunk) => {
      if (chunk.includes(ids[2]!)) {
        const error = new OtcHttpError({ site, status: 503, otcRequestId: 'req-9' });
        error.attempts = 4;
        return Promise.reject(error);
      }
      if (chunk.includes(ids[4]!)) return Promise.reject(new OtcNetworkError(site, 'connection reset by peer'));
      return Promise.resolve({ body: addAll(chunk), attempts: 1 });
    };
    const result = await runVbs(ids, { chunkSize: 2, concurrency: 2 }, call);
    expect(result.added.map((a) => a.volumeId)).toEqual(ids.slice(0, 2));
    expect(result.failed.map((f) => [f.volumeId, f.code])).toEqual([
      [ids[2], 'HTTP 503'],
      [ids[3], 'HTTP 503'],
      [ids[4], 'OTC_NETWORK'],
    ]);
    expect(result.failed[0]!.message).toContain('failed with 503');
    expect(result.chunks[1]).toMatchObject({
      attempts: 4,
      failed: 2,
      error: { code: 'OTC_HTTP', status: 503, otcCode: undefined, otcRequestId: 'req-9' },
    });
    expect(result.chunks[2]!.error).toMatchObject({ code: 'OTC_NETWORK', status: undefined });
  });

  it('uses the OTC code and message of a whole-call error when the body names them', async () => {
    const ids = makeVolumeIds(2);
    const result = await runVbs(ids, { chunkSize: 20, concurrency: 1 }, () =>
      Promise.reject(
        new OtcHttpError({ site, status: 400, otcCode: 'AutoBackup.0205', otcMessage: 'The policy does not exist.' }),
      ),
    );
    expect(result.failed).toEqual(
      ids.map((volumeId) => ({ volumeId, code: 'AutoBackup.0205', message: 'The policy does not exist.' })),
    );
  });

  it('throws errors that are not cloud errors (bugs are not volume outcomes)', async () => {
    await expect(
      runVbs(makeVolumeIds(1), { chunkSize: 20, concurrency: 1 }, () => Promise.reject(new TypeError('bug'))),
    ).rejects.toThrow('bug');
  });

  it('never has more chunk calls in flight than the concurrency option', async () => {
    let inFlight = 0;
    let peak = 0;
    const call: VbsChunkCall = async (chunk) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return { body: addAll(chunk), attempts: 1 };
    };
    for (const concurrency of [1, 2, 3]) {
      peak = 0;
      await runVbs(makeVolumeIds(100), { chunkSize: 10, concurrency }, call);
      expect(peak).toBe(concurrency);
    }
  });

  it('does not send chunks after the signal aborted; their volumes are failed as not sent', async () => {
    const controller = new AbortController();
    const ids = makeVolumeIds(4);
    const result = await runVbs(ids, { chunkSize: 2, concurrency: 1, signal: controller.signal }, (chunk) => {
      controller.abort();
      return Promise.resolve({ body: addAll(chunk), attempts: 1 });
    });
    expect(result.added).toHaveLength(2);
    expect(result.failed.map((f) => f.code)).toEqual(['OTC_ABORTED', 'OTC_ABORTED']);
    expect(result.chunks[1]).toMatchObject({ attempts: 0, error: { code: 'OTC_ABORTED' } });
  });
});

describe('associate and disassociate against a mocked VBS', () => {
  let agent: MockAgent;
  const policyId = asPolicyId('915d1fd8-63cb-4054-a2b0-2778210e3a75');

  beforeEach(() => {
    agent = createMockAgent();
    mockTokenIssue(agent);
  });

  afterEach(async () => {
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  it('posts the documented request body and maps the documented success answer', async () => {
    const requests: unknown[] = [];
    agent
      .get(VBS)
      .intercept({ path: ASSOCIATE_PATH, method: 'POST' })
      .reply((opts) => {
        requests.push(bodyOf<ResourcesRequest>(opts));
        return { statusCode: 200, data: readFixture('vbs_associate_response_success.docs.json') };
      });
    const docsRequest = readJsonFixture<Required<ResourcesRequest>>('vbs_associate_request.docs.json');
    const { client } = buildClient(agent);
    const requested = docsRequest.resources.map((r) => asVolumeId(r.resource_id));
    const volume = asVolumeId('bce8d47a-af17-4169-901f-4c7ae9f29c2c');
    const result = await client.associate(PROJECT, asPolicyId(docsRequest.backup_policy_id), [...requested, volume]);

    expect(requests).toEqual([
      { ...docsRequest, resources: [...docsRequest.resources, { resource_id: volume, resource_type: 'volume' }] },
    ]);
    expect(result.added).toEqual([{ volumeId: volume, availabilityZone: 'eu-de-01', pod: 'pod01.eu-de-01' }]);
    // The docs' response names a different volume than its request: those two are "not reported".
    expect(result.failed).toEqual(
      requested.map((volumeId: VolumeId) => ({ volumeId, code: undefined, message: NOT_REPORTED_MESSAGE })),
    );
  });

  it('disassociates with the documented body and keeps a bare failed entry without code or message', async () => {
    const requests: unknown[] = [];
    const failedId = asVolumeId('bbba7509-f457-4732-97f1-a8e24b6ed9bc');
    agent
      .get(VBS)
      .intercept({ path: `/v2/${PROJECT.id}/backuppolicyresources/${policyId}/deleted_resources`, method: 'POST' })
      .reply((opts) => {
        requests.push(bodyOf<ResourcesRequest>(opts));
        return { statusCode: 200, data: readFixture('vbs_disassociate_response_failed.docs.json') };
      });
    const { client } = buildClient(agent);
    const result = await client.disassociate(PROJECT, policyId, [failedId]);
    const docsRequest = readJsonFixture<ResourcesRequest>('vbs_disassociate_request.docs.json');
    expect(requests).toEqual([{ resources: [{ ...docsRequest.resources[0], resource_id: failedId }] }]);
    expect(Object.keys((requests[0] as { resources: object[] }).resources[0]!)).toEqual(
      Object.keys(docsRequest.resources[0]!),
    );
    expect(result).toEqual({
      added: [],
      failed: [{ volumeId: failedId, code: undefined, message: undefined }],
      chunks: [{ index: 0, volumeIds: [failedId], attempts: 1, added: 0, failed: 1 }],
    });
  });

  it('sends 45 volumes in 3 calls, at most 2 at once; a chunk that keeps getting 503 fails alone', async () => {
    const ids = makeVolumeIds(45);
    const bodies: ResourcesRequest[] = [];
    agent
      .get(VBS)
      .intercept({ path: ASSOCIATE_PATH, method: 'POST' })
      .reply((opts) => {
        const body = bodyOf<ResourcesRequest>(opts);
        bodies.push(body);
        const chunk = body.resources.map((r) => asVolumeId(r.resource_id));
        if (chunk.includes(ids[20]!))
          return { statusCode: 503, data: '', responseOptions: { headers: { 'x-request-id': 'req-503' } } };
        return { statusCode: 200, data: addAll(chunk) };
      })
      .delay(5)
      .times(6);
    const counter = countInFlight(agent, VBS);
    const { client, clock } = buildClient(counter.dispatcher);
    const result = await client.associate(PROJECT, policyId, ids);

    const distinct = new Set(bodies.map((b) => b.resources[0]!.resource_id));
    expect(distinct.size).toBe(3);
    expect(bodies).toHaveLength(6); // 1 + 4 (503, retried to maxAttempts) + 1
    expect(counter.max()).toBe(2);
    expect(clock.sleeps).toHaveLength(3);
    expect(result.added.map((a) => a.volumeId)).toEqual([...ids.slice(0, 20), ...ids.slice(40)]);
    expect(result.failed.map((f) => f.volumeId)).toEqual(ids.slice(20, 40));
    expect(new Set(result.failed.map((f) => f.code))).toEqual(new Set(['HTTP 503']));
    expect(result.chunks.map((c) => c.error?.otcRequestId)).toEqual([undefined, 'req-503', undefined]);
    expect(result.chunks.map((c) => c.attempts)).toEqual([1, 4, 1]);
  });

  it('honours a per-call chunk size and concurrency', async () => {
    const ids = makeVolumeIds(12);
    let calls = 0;
    agent
      .get(VBS)
      .intercept({ path: ASSOCIATE_PATH, method: 'POST' })
      .reply((opts) => {
        calls += 1;
        return {
          statusCode: 200,
          data: addAll(bodyOf<ResourcesRequest>(opts).resources.map((r) => asVolumeId(r.resource_id))),
        };
      })
      .delay(5)
      .times(4);
    const counter = countInFlight(agent, VBS);
    const { client } = buildClient(counter.dispatcher, { associate: { chunkSize: 20, concurrency: 2 } });
    const result = await client.associate(PROJECT, policyId, ids, { chunkSize: 3, concurrency: 1 });
    expect(calls).toBe(4);
    expect(counter.max()).toBe(1);
    expect(result.added).toHaveLength(12);
  });
});
