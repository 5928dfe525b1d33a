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
    const posts = records.filter((r) => r['msg'] === 'slack call' && r['method'] === 'chat.postMessage');
    expect(posts.length).toBeGreaterThan(0);
    for (const r of posts) expect(r['requestId']).toBe(request.id);
    expect(records.find((r) => r['msg'] === 'request finished')?.['requestId']).toBe(request.id);
  });
});
