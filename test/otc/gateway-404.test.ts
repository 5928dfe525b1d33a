import { asVolumeId } from '../../src/domain/ids';
import { OtcHttpError } from '../../src/otc/errors';
import { buildClient, useMockAgent, EVS, POLICIES_PATH, PROJECT, VBS } from './helpers';

// Only a service's own 404 (`itemNotFound`, `badrequest`, ...) says a resource does not exist. The
// API gateway's 404 (a wrong endpoint or path) and a 404 without any code must never read as
// "volume not found" or "no such server": every look-up throws them.
const ECS = 'https://ecs.eu-de.otc.t-systems.com';
const GATEWAY_404 = { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published.' };
const VOLUME_ID = asVolumeId('591ac654-26d8-41be-bb77-4f90699d2d41');
const AKSK = { kind: 'aksk', accessKey: 'ak-test', secretKey: 'sk-test' } as const;

const agent = useMockAgent();

function answer404(origin: string, path: string, body: object | string): void {
  agent.get(origin).intercept({ path, method: 'GET' }).reply(404, body);
}

const client = () => buildClient(agent, { credentials: AKSK }).client;

describe("the API gateway's 404 is an error in every look-up, never 'not found'", () => {
  it.each([
    ['listTargets', VBS, POLICIES_PATH, () => client().listTargets(PROJECT)],
    [
      'listAllVolumes',
      EVS,
      `/v2/${PROJECT.id}/cloudvolumes/detail?limit=1000`,
      () => client().listAllVolumes(PROJECT, {}),
    ],
    [
      'listVolumes',
      EVS,
      `/v2/${PROJECT.id}/cloudvolumes/detail?limit=10`,
      () => client().listVolumes(PROJECT, {}, { limit: 10, offset: 0 }),
    ],
    [
      'findVolumesByRef (a name)',
      EVS,
      `/v2/${PROJECT.id}/cloudvolumes/detail?name=db-data&limit=1000`,
      () => client().findVolumesByRef(PROJECT, ['db-data']),
    ],
    [
      'findVolumesByRef (an id)',
      EVS,
      `/v2/${PROJECT.id}/volumes/${VOLUME_ID}`,
      () => client().findVolumesByRef(PROJECT, [VOLUME_ID]),
    ],
    ['listServers', ECS, `/v2.1/${PROJECT.id}/servers?limit=1000`, () => client().listServers(PROJECT)],
    [
      'findServersByRef (a name)',
      ECS,
      `/v2.1/${PROJECT.id}/servers?name=web-01&limit=1000`,
      () => client().findServersByRef(PROJECT, 'web-01'),
    ],
  ] as const)('%s throws OtcHttpError APIGW.0101', async (_name, origin, path, run) => {
    answer404(origin, path, GATEWAY_404);
    await expect(run()).rejects.toMatchObject({ code: 'OTC_HTTP', status: 404, otcCode: 'APIGW.0101' });
  });
});

describe('a 404 that names no code is an error too', () => {
  const html = '<html><body><h1>404 Not Found</h1>nginx</body></html>';

  it('getVolume throws on a proxy page instead of saying the volume does not exist', async () => {
    answer404(EVS, `/v2/${PROJECT.id}/volumes/${VOLUME_ID}`, html);
    const error = await client()
      .getVolume(PROJECT, VOLUME_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcHttpError);
    expect(error).toMatchObject({ status: 404, otcCode: undefined });
  });

  it('findVolumesByRef throws on an empty 404 for an id', async () => {
    answer404(EVS, `/v2/${PROJECT.id}/volumes/${VOLUME_ID}`, '');
    await expect(client().findVolumesByRef(PROJECT, [VOLUME_ID])).rejects.toBeInstanceOf(OtcHttpError);
  });

  it("still reads EVS's own itemNotFound as a volume that does not exist", async () => {
    answer404(EVS, `/v2/${PROJECT.id}/volumes/${VOLUME_ID}`, {
      itemNotFound: { message: `Volume ${VOLUME_ID} could not be found.` },
    });
    expect((await client().findVolumesByRef(PROJECT, [VOLUME_ID])).get(VOLUME_ID)).toEqual([]);
  });
});
