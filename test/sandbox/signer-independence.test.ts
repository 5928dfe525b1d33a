import { Agent } from 'undici';
import { asProjectId } from '../../src/domain/ids';
import { createOtcClient } from '../../src/otc/client';
import { OtcAuthError } from '../../src/otc/errors';
import type * as Signer from '../../src/otc/signer';
import type { SignableRequest, SigningKeys, SigningOptions } from '../../src/otc/signer';
import type { Sandbox } from '../../src/sandbox';
import { DEFAULT_PROJECT_ID, startSandbox } from '../../src/sandbox';

// A signer bug planted in the bot: it forgets the query when it signs. Were the sandbox to verify
// with the bot's signer, it would make the same mistake and accept the request.
jest.mock('../../src/otc/signer', () => {
  const actual = jest.requireActual<typeof Signer>('../../src/otc/signer');
  return {
    ...actual,
    signRequest: (request: SignableRequest, keys: SigningKeys, options: SigningOptions) =>
      actual.signRequest({ ...request, query: [] }, keys, options),
  };
});

const PROJECT = { id: asProjectId(DEFAULT_PROJECT_ID), region: 'eu-de' };

describe('the sandbox checks signatures with its own implementation', () => {
  let sandbox: Sandbox;
  let agent: Agent;

  beforeEach(async () => {
    sandbox = await startSandbox();
    agent = new Agent();
  });
  afterEach(async () => {
    await agent.close();
    await sandbox.stop();
  });

  it("refuses a request the bot's (broken) signer signed, where the bot's own check would pass it", async () => {
    const client = createOtcClient({
      credentials: { kind: 'aksk', accessKey: sandbox.credentials.accessKey, secretKey: sandbox.credentials.secretKey },
      endpoints: { vbs: sandbox.url, evs: sandbox.url, ecs: sandbox.url },
      dispatcher: agent,
    });

    await expect(client.listAllVolumes(PROJECT, { name: 'db-data-1' })).rejects.toBeInstanceOf(OtcAuthError);
    expect(sandbox.requests.map((r) => [r.route, r.status])).toEqual([['evs.volumes.detail', 401]]);
    // A request without a query is signed right even by this signer, and passes.
    expect(await client.listTargets(PROJECT)).not.toHaveLength(0);
  });
});
