import { asPolicyId, asVolumeId } from '../../src/domain/ids';
import { NOT_REPORTED_MESSAGE } from '../../src/otc/associate';
import { ASSOCIATE_PATH, buildClient, useMockAgent, POLICIES_PATH, PROJECT, readJsonFixture, VBS } from './helpers';

type JsonObject = Record<string, unknown>;
const AKSK = { kind: 'aksk', accessKey: 'ak-test', secretKey: 'sk-test' } as const;
const agent = useMockAgent();

const client = () => buildClient(agent, { credentials: AKSK }).client;

describe('a weekly VBS policy keeps its schedule', () => {
  // The documented create request (week_frequency, rentention_day, time_zone) as the list returns a
  // policy: python-otcextensions reads `time_zone` beside `scheduled_policy`, as it is sent.
  const created = readJsonFixture<JsonObject>('vbs_policy_create_request.docs.json');
  const listed = { ...created, backup_policy_id: 'ZZ', policy_resource_count: 3 };

  it('reads week_frequency, rentention_day (sic) and time_zone', async () => {
    agent
      .get(VBS)
      .intercept({ path: POLICIES_PATH, method: 'GET' })
      .reply(200, { backup_policies: [listed] });
    expect(await client().listTargets(PROJECT)).toEqual([
      {
        kind: 'policy',
        id: 'ZZ',
        name: 'policy_01',
        status: 'ON',
        startTime: '12:00',
        timeZone: 'UTC+08:00',
        frequencyDays: undefined,
        weekDays: ['SUN', 'WED'],
        retentionCount: undefined,
        retentionDays: 30,
        resourceCount: 3,
      },
    ]);
  });
});

describe('a VBS resources answer may lack either list', () => {
  const policyId = asPolicyId('915d1fd8-63cb-4054-a2b0-2778210e3a75');
  const added = asVolumeId('bce8d47a-af17-4169-901f-4c7ae9f29c2c');
  const other = asVolumeId('bbba7509-f457-4732-97f1-a8e24b6ed9bc');

  it('takes the documented success answer without fail_resources', async () => {
    const body = readJsonFixture<JsonObject>('vbs_associate_response_success.docs.json');
    delete body.fail_resources;
    agent.get(VBS).intercept({ path: ASSOCIATE_PATH, method: 'POST' }).reply(200, body);
    const result = await client().associate(PROJECT, policyId, [added]);
    expect(result.added).toEqual([{ volumeId: added, availabilityZone: 'eu-de-01', pod: 'pod01.eu-de-01' }]);
    expect(result.failed).toEqual([]);
  });

  it('takes the documented failed answer without success_resources', async () => {
    const body = readJsonFixture<JsonObject>('vbs_disassociate_response_failed.docs.json');
    delete body.success_resources;
    agent
      .get(VBS)
      .intercept({ path: `${ASSOCIATE_PATH}/${policyId}/deleted_resources`, method: 'POST' })
      .reply(200, body);
    const result = await client().disassociate(PROJECT, policyId, [other]);
    expect(result.failed).toEqual([{ volumeId: other, code: undefined, message: undefined }]);
  });

  it('reports every volume as not reported when both lists are missing', async () => {
    agent.get(VBS).intercept({ path: ASSOCIATE_PATH, method: 'POST' }).reply(200, {});
    const result = await client().associate(PROJECT, policyId, [added]);
    expect(result.failed).toEqual([{ volumeId: added, code: undefined, message: NOT_REPORTED_MESSAGE }]);
  });
});
