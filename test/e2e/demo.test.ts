import { runDemo } from '../../src/demo/run-demo';

describe('npm run demo', () => {
  it('plays a typo and a partly failed request, printed as people in Slack see them', async () => {
    const lines: string[] = [];
    await runDemo((line) => lines.push(line));
    const out = lines.join('\n');

    expect(out).toContain('── only @alice sees (ephemeral):');
    expect(out).toContain('No volume is named `db-dta-2` in this project.');

    const posted = out.indexOf('── #inc-4711-db-latency · OTC Backup posted:');
    const thread = out.indexOf('── #inc-4711-db-latency · OTC Backup replied in the thread:');
    const edited = out.indexOf('── #inc-4711-db-latency · OTC Backup edited its message (edit 1):');
    expect(posted).toBeGreaterThan(-1);
    expect(thread).toBeGreaterThan(posted);
    expect(edited).toBeGreaterThan(thread);
    expect(out.slice(posted, thread)).toContain('⏳ Working');
    expect(out.slice(thread, edited)).toContain('2 volumes added to daily-7d, 1 failed.');
    expect(out.slice(thread, edited)).toContain('sap-hana-data-1');
    expect(out.slice(thread, edited)).toContain('`AutoBackup.0210`');
    expect(out.slice(edited)).toContain('Partly failed (2 added, 1 failed)');
    expect(out).toContain('Cloud calls that changed something: 1');
  });
});
