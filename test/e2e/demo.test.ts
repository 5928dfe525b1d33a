import { runDemo } from '../../src/demo/run-demo';

describe('npm run demo', () => {
  it('plays a typo, a partly failed request, an approval, a workflow step and --now with its first backups, printed as people in Slack see them', async () => {
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
    expect(out.slice(thread, edited)).toContain('2 volumes added to backup policy `daily-7d`, 1 failed.');
    expect(out.slice(thread, edited)).toContain('sap-hana-data-1');
    expect(out.slice(thread, edited)).toContain('`AutoBackup.0210`');
    expect(out.slice(edited)).toContain('Partly failed (2 added, 1 failed)');
    const approval = out.slice(out.indexOf('▶ 3.'));
    // The demo runs on the sandbox: its messages say so first.
    expect(approval).toMatch(
      /── #general · OTC Backup posted:\n.*sandbox: no real cloud.*\n {4}✋ Waiting for approval/,
    );
    expect(approval).toContain('Waiting for approval by @backup-admins');
    expect(approval).toContain('[ Cancel request ]');
    expect(approval).toContain('── #backup-approvals · OTC Backup posted:');
    expect(approval).toContain('[ Approve ] [ Deny ]');
    expect(approval).toContain('── a modal opened: Approve request');
    expect(approval).toContain('✅ Approved by @bob at');
    expect(approval).toContain(': ok for a weekly copy');
    expect(approval).toContain('The volume was added to backup policy `weekly-4w`.');
    expect(approval).toContain('Outcome: 1 added, 0 failed');
    const step = out.slice(out.indexOf('▶ 4.'));
    expect(step).toContain('Protect volumes · policy daily-7d · volumes prometheus-data');
    expect(step).toContain('@alice asks to add 1 volume to backup policy `daily-7d`');
    expect(step).toMatch(
      /the workflow's next steps get: request_id=r-[a-z2-9]{8}, state=succeeded, added_count=1, failed_count=0, thread_ts=\d+\.\d{6}/,
    );
    expect(step).toContain(
      'the step fails; Slackbot tells @carol: No rule allows this request (guest accounts only match rules that name their user id). Nothing was changed.',
    );
    const now = out.slice(out.indexOf('▶ 5.'));
    expect(now).toContain('/backup associate daily-7d web-02-data app-01-logs --now');
    expect(now).toContain('Backup started now (it covers every volume of the policy)');
    expect(now).toMatch(
      /First backup of `web-02-data` finished at \d\d:\d\d UTC, \d{4}-\d\d-\d\d \(`autobk_[0-9a-f]{4}`\)/,
    );
    expect(now).toMatch(/First backup of `app-01-logs` finished at/);
    expect(now).toContain('Protected: every added volume has its first backup.');
    expect(out).toContain('Cloud calls that changed something: 4');
  });
});
