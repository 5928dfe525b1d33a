import type { BackupRequest, ExecutionOutcome } from '../../src/domain/backup-request';
import type { RequestId, VolumeId } from '../../src/domain/ids';
import { checkBlocks } from '../../src/demo/slack-stand-in/block-check';
import { buildProblemsMessage } from '../../src/slack/blocks/reply-blocks';
import { buildRootMessage } from '../../src/slack/blocks/request-blocks';
import { buildSummaryMessage, INLINE_VOLUMES, summaryCsv } from '../../src/slack/blocks/summary-blocks';
import { buildSummary } from '../../src/domain/summary';
import { packLines, message, section, LIMITS } from '../../src/slack/blocks/kit';
import { escapeText, formatElapsed, slackTime, truncate, userText } from '../../src/slack/mrkdwn';

function volumeId(i: number): VolumeId {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` as VolumeId;
}

function request(count: number, overrides: Partial<BackupRequest> = {}): BackupRequest {
  return {
    id: 'r-abcdefgh' as RequestId,
    teamId: 'T1',
    requesterId: 'U0ALICE001',
    channel: { id: 'C0INC4711', name: 'inc-4711' },
    project: {
      name: 'prod',
      id: '0123456789abcdef0123456789abcdef' as BackupRequest['project']['id'],
      region: 'eu-de',
      service: 'vbs',
    },
    action: 'associate',
    target: {
      kind: 'policy',
      id: 'b1cb1816-7d85-457c-9f32-2a1422d00e17' as BackupRequest['target']['id'],
      name: 'daily-7d',
    },
    moves: [],
    undoOf: undefined,
    thread: undefined,
    backupNow: false,
    watch: undefined,
    volumes: Array.from({ length: count }, (_, i) => ({
      id: volumeId(i),
      name: `volume-with-a-long-name-${i}`,
      status: 'in-use',
      availabilityZone: 'eu-de-01',
      sizeGb: 10,
      serverId: undefined,
    })),
    reason: 'INC-1',
    decision: { verdict: 'allow', decidedBy: 'sre-oncall', reason: 'allowed' },
    state: 'running',
    approval: undefined,
    rootMessage: undefined,
    approvalMessage: undefined,
    outcome: undefined,
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}

function outcome(count: number, failEvery: number): ExecutionOutcome {
  const ids = Array.from({ length: count }, (_, i) => volumeId(i));
  return {
    added: ids
      .filter((_, i) => i % failEvery !== 0)
      .map((v) => ({ volumeId: v, availabilityZone: 'eu-de-01', pod: 'pod01.eu-de-01' })),
    failed: ids
      .filter((_, i) => i % failEvery === 0)
      .map((v) => ({
        volumeId: v,
        code: 'AutoBackup.0206',
        message: 'The status of the disk to be associated is invalid.',
      })),
    startedAt: 0,
    finishedAt: 65_000,
  };
}

describe('summary blocks', () => {
  it.each([1, INLINE_VOLUMES, INLINE_VOLUMES + 1, 100, 500])('is valid Block Kit for %i volumes', (count) => {
    const out = buildSummaryMessage(request(count), outcome(count, 3));
    expect(checkBlocks(out.message.blocks, LIMITS.blocksPerMessage)).toEqual([]);
    expect(out.csv === undefined).toBe(count <= INLINE_VOLUMES);
    expect(out.message.text.length).toBeLessThanOrEqual(LIMITS.fallbackText);
  });

  it('shows failures first with their hint, and the time taken', () => {
    const out = buildSummaryMessage(request(3), outcome(3, 3));
    const all = JSON.stringify(out.message.blocks);
    expect(all.indexOf('*Failed* (1)')).toBeLessThan(all.indexOf('*Added* (2)'));
    expect(all).toContain('Repair it or wait until it is available or in-use');
    expect(all).toContain('Took 1 minute 5 seconds');
  });

  it('escapes volume names that came from the cloud', () => {
    const req = request(1, {
      volumes: [
        {
          id: volumeId(0),
          name: '<!here> db',
          status: 'in-use',
          availabilityZone: 'eu-de-01',
          sizeGb: 1,
          serverId: undefined,
        },
      ],
    });
    const out = buildSummaryMessage(req, outcome(1, 2));
    expect(JSON.stringify(out.message.blocks)).toContain('&lt;!here&gt; db');
    expect(JSON.stringify(out.message.blocks)).not.toContain('<!here>');
  });

  it('says "no reason given by the cloud" when a failure has no code or message', () => {
    const out = buildSummaryMessage(request(1), {
      added: [],
      failed: [{ volumeId: volumeId(0), code: undefined, message: undefined }],
      startedAt: 0,
      finishedAt: 1,
    });
    expect(JSON.stringify(out.message.blocks)).toContain('no reason given by the cloud');
  });

  it('writes a CSV that spreadsheet programs cannot execute', () => {
    const req = request(2, {
      volumes: [
        {
          id: volumeId(0),
          name: '=HYPERLINK("http://x")',
          status: 'in-use',
          availabilityZone: 'eu-de-01',
          sizeGb: 1,
          serverId: undefined,
        },
        {
          id: volumeId(1),
          name: 'a,b',
          status: 'in-use',
          availabilityZone: 'eu-de-01',
          sizeGb: 1,
          serverId: undefined,
        },
      ],
    });
    const csv = summaryCsv('r-1', buildSummary(req, outcome(2, 5)));
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(csv).toContain('"a,b"');
  });
});

describe('root message', () => {
  it('escapes and cuts the reason and names the rule', () => {
    const m = buildRootMessage(request(2, { reason: `<!channel> ${'y'.repeat(1000)}` }));
    const all = JSON.stringify(m.blocks);
    expect(all).toContain('&lt;!channel&gt;');
    expect(all).not.toContain('y'.repeat(400));
    expect(all).toContain('rule `sre-oncall`');
    expect(checkBlocks(m.blocks, 50)).toEqual([]);
  });

  it('shows the final counts once the request has an outcome', () => {
    const m = buildRootMessage(request(3, { state: 'partially_failed', outcome: outcome(3, 3) }));
    expect(JSON.stringify(m.blocks)).toContain(':warning: *Partly failed* (2 added, 1 failed)');
  });
});

describe('problems message', () => {
  it('escapes user text inside problems and lists each one', () => {
    const m = buildProblemsMessage(['No volume is named `<@U123>`.', 'second'], 'usage');
    const all = JSON.stringify(m.blocks);
    expect(all).toContain('&lt;@U123&gt;');
    expect(all).toContain('Please fix these 2 things');
  });
});

describe('Block Kit helpers', () => {
  it('packs many lines into sections under 3000 characters without splitting a line', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'z'.repeat(50)}`);
    const blocks = packLines(lines, 'head');
    for (const b of blocks) expect((b as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
    expect(blocks.map((b) => (b as { text: { text: string } }).text.text).join('\n')).toBe(
      ['head', ...lines].join('\n'),
    );
  });

  it('keeps a message at 50 blocks and says what was left out', () => {
    const m = message(
      't',
      Array.from({ length: 70 }, (_, i) => section(`s${i}`)),
    );
    expect(m.blocks).toHaveLength(50);
    expect(JSON.stringify(m.blocks[49])).toContain('21 more sections were left out');
  });

  it('escapes, truncates and formats', () => {
    expect(escapeText('a & <b>')).toBe('a &amp; &lt;b&gt;');
    expect(truncate('héllo wörld', 5)).toBe('héll…');
    expect(userText('  two\n lines  ', 100)).toBe('two lines');
    expect(formatElapsed(400)).toBe('less than a second');
    expect(formatElapsed(3_600_000 + 2_000)).toBe('1 hour 2 seconds');
  });
});

describe('slackTime', () => {
  it('shows the day with the time of day, so a backup twelve days old does not read as this morning', () => {
    const at = Date.UTC(2026, 10, 18, 2, 14, 30);
    // Slack renders the tokens in the reader's zone ("2:14 AM Nov 18"); the fallback is UTC with the date.
    expect(slackTime(at)).toBe(`<!date^${Math.floor(at / 1000)}^{time} {date_short_pretty}|02:14 UTC, 2026-11-18>`);
  });
});
