import { buildApprovalCard } from '../../src/slack/blocks/approval-card';
import { buildRootMessage } from '../../src/slack/blocks/request-blocks';
import { code, composedText, userText } from '../../src/slack/mrkdwn';
import { renderEverySurface, textsOf } from '../support/rendered-texts';
import { PLAIN_TEXT, sampleRequest } from '../support/sample-request';

const RLO = '\u202e';
const ZWSP = '\u200b';
/** Controls (but line breaks, which fold into spaces), format characters and bidi controls. */
const HIDDEN = /(?![\n])[\p{Cc}\p{Cf}]/u;

describe('userText: free text such as a reason', () => {
  it.each([
    ['drops a right-to-left override', `approve ${RLO}evil`, 'approve evil'],
    ['drops bidi embeddings and isolates', 'a\u202ab\u202bc\u202cd\u202de\u2066f\u2067g\u2068h\u2069i', 'abcdefghi'],
    ['drops zero-width characters', `in${ZWSP}c\u200c-\u200d4\u2060711\ufeff`, 'inc-4711'],
    ['drops control characters', 'a\u0000b\u0007c\u007fd\u0085e\u009bf', 'abcdef'],
    ['folds line breaks and tabs into spaces', 'one\n> two\tthree\r\nfour', 'one &gt; two three four'],
    ['replaces bold, italic and strike by look-alikes', '*APPROVED* by _bob_ ~not~', '∗APPROVED∗ by ˍbobˍ ∼not∼'],
    ['replaces backticks by a look-alike', '```quote``` and `code`', 'ˋˋˋquoteˋˋˋ and ˋcodeˋ'],
    [
      'escapes what Slack parses',
      '<!channel> & <@U123> <#C1|x> <http://x|y>',
      '&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;#C1|x&gt; &lt;http://x|y&gt;',
    ],
    ['escapes a broadcast hidden behind a zero-width space', `<${ZWSP}!here>`, '&lt;!here&gt;'],
    ['keeps ordinary text as it is', 'INC-4711: db disks (2 of 3), 50% full', 'INC-4711: db disks (2 of 3), 50% full'],
    ['keeps emoji and other scripts', '🔥 障害対応 ñ', '🔥 障害対応 ñ'],
  ])('%s', (_what, input, expected) => {
    expect(userText(input, 300)).toBe(expected);
  });

  it('cuts at its bound after dropping what is hidden', () => {
    expect(userText(`${ZWSP.repeat(50)}abcdef`, 4)).toBe('abc…');
  });
});

describe('code: a name as inline code', () => {
  it.each([
    ['keeps formatting characters, inert inside the span', 'db_data_1 *x* ~y~', '`db_data_1 *x* ~y~`'],
    ['replaces a backtick, which would end the span', 'a`b``c', '`aˋbˋˋc`'],
    ['drops bidi overrides and zero-width characters', `db-${RLO}data${ZWSP}`, '`db-data`'],
    ['escapes what Slack parses', '<!channel>&', '`&lt;!channel&gt;&amp;`'],
    ['folds line breaks', 'a\nb', '`a b`'],
    ['says so for a name that shows nothing (EVS allows empty names)', `${ZWSP} `, '(no name)'],
  ])('%s', (_what, input, expected) => {
    expect(code(input)).toBe(expected);
  });
});

describe('composedText: a sentence of the bot around names', () => {
  it('keeps the bot’s code spans and drops what is hidden', () => {
    expect(composedText(`No volume is named \`db${RLO}-x\` <!here>.`, 300)).toBe(
      'No volume is named `db-x` &lt;!here&gt;.',
    );
  });
});

describe('what an approver sees', () => {
  const hostile = {
    reason: `INC-1 ${RLO}*APPROVED* by ~security~ \`ok\``,
    policyName: `*gold*_${RLO}`,
    projectName: 'prod`x',
    volumeName: `_db_ ${ZWSP}~x~`,
    zone: 'eu-de-01*',
    status: '`in-use`',
    comment: `fine ${RLO}*really*`,
    cloudMessage: '*ok* _really_',
  };

  it('shows a reason with a right-to-left override and formatting as plain text', () => {
    const card = textsOf(buildApprovalCard(sampleRequest(hostile, { state: 'pending_approval', outcome: undefined })));
    const all = card.join('\n');
    expect(all).not.toContain(RLO);
    expect(all).toContain('Reason: INC-1 ∗APPROVED∗ by ∼security∼ ˋokˋ');
  });

  it('shows names in code spans, exactly but for the backtick and what is hidden', () => {
    const all = textsOf(buildApprovalCard(sampleRequest(hostile))).join('\n');
    expect(all).toContain('`*gold*_`');
    expect(all).toContain('`prodˋx`');
    expect(all).toContain('`_db_ ~x~`');
  });

  it.each(Object.entries(renderEverySurface(hostile)))('%s hides and formats nothing', (_surface, rendered) => {
    for (const t of textsOf(rendered)) {
      expect(t).not.toMatch(HIDDEN);
      const outsideCode = t.replace(/`[^`\n]*`/g, '');
      expect(outsideCode).not.toContain('*gold*');
      expect(outsideCode).not.toContain('*APPROVED*');
      expect(outsideCode).not.toContain('*really*');
      expect(outsideCode).not.toContain('_really_');
      expect(outsideCode).not.toContain('~security~');
    }
  });

  it('says no reason was given when a reason shows nothing', () => {
    const all = textsOf(buildRootMessage(sampleRequest({ ...PLAIN_TEXT, reason: `${ZWSP}${RLO} ` }))).join('\n');
    expect(all).toContain('_No reason given._');
    expect(all).not.toContain('Reason:');
  });
});
