import { waitFor } from '../../src/demo/wait';
import { ALICE, DB_DATA_1, INCIDENT, useWorld } from './world';

describe('the log of a request', () => {
  const world = useWorld();

  it('names the request on the cloud and Slack calls of its run, and OTC’s own id under otcRequestId', async () => {
    const w = world();
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
    const request = await w.settle((await w.latestRequest(0)).id);
    const records = w.logger.lines.map((l) => JSON.parse(l) as Record<string, unknown>);

    const associate = records.filter(
      (r) => r['msg'] === 'otc call' && String(r['path']).endsWith('/backuppolicyresources'),
    );
    expect(associate.length).toBeGreaterThan(0);
    for (const r of associate) {
      expect(r['requestId']).toBe(request.id);
      expect(typeof r['otcRequestId']).toBe('string');
    }
    const posts = records.filter((r) => r['msg'] === 'slack call' && r['slackMethod'] === 'chat.postMessage');
    expect(posts.length).toBeGreaterThan(0);
    for (const r of posts) expect(r['requestId']).toBe(request.id);
    expect(records.find((r) => r['msg'] === 'request finished')?.['requestId']).toBe(request.id);
  });

  it('names it on the failure to tell the notes of an accepted command', async () => {
    const w = world();
    // A response_url nobody answers on: the notes cannot be told, the request goes on.
    const body = w.driver.slashCommandBody(
      { userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1} ${DB_DATA_1}` },
      'http://127.0.0.1:1/response/gone',
    );
    expect((await w.driver.post(body)).status).toBe(200);
    const request = await w.settle((await w.latestRequest(0)).id);
    expect(request.state).toBe('succeeded');
    const failures = await waitFor('the failure to tell the notes', () => {
      const found = w.logger.lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((r) => r['msg'] === 'could not send the notes');
      return found.length > 0 ? found : undefined;
    });
    expect(failures).toEqual([expect.objectContaining({ requestId: request.id })]);
  });
});

describe('the log keys', () => {
  const world = useWorld();

  it('mean one thing each, failures included: error an error, method an HTTP verb, slackMethod a Slack method', async () => {
    const w = world();
    // A Slack post refused once (the outbox says why and retries), a cloud call failed once (retried).
    w.slack.failNext('chat.postMessage', { status: 503 });
    w.sandbox.faults.inject('vbs.associate', { status: 500, times: 1 });
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
    const request = await w.settle((await w.latestRequest(0)).id);
    expect(request.state).toBe('succeeded');
    const records = w.logger.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const withKey = (key: string) => records.filter((r) => key in r);

    expect(withKey('failure').length).toBeGreaterThan(0);
    for (const r of withKey('failure')) expect(typeof r['failure']).toBe('string');
    for (const r of withKey('error'))
      expect(r['error']).toEqual(expect.objectContaining({ message: expect.any(String) }));
    expect(withKey('method').length).toBeGreaterThan(0);
    for (const r of withKey('method')) expect(r['method']).toMatch(/^(GET|POST|PUT|DELETE)$/);
    expect(withKey('slackMethod').length).toBeGreaterThan(0);
    for (const r of withKey('slackMethod'))
      expect(r['slackMethod']).toMatch(/^([a-z]+(\.[a-zA-Z]+)+|response_url|file_upload)$/);
    for (const r of withKey('slackError')) expect(r['slackError']).toMatch(/^[a-z_0-9]+$/);
    for (const r of withKey('requestId')) expect(r['requestId']).toBe(request.id);
  });
});
