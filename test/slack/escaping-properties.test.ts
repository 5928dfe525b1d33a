import fc from 'fast-check';
import { hasVisibleText } from '../../src/domain/visible-text';
import { code, composedText, userText } from '../../src/slack/mrkdwn';
import { mrkdwnTextsOf, renderEverySurface, textsOf } from '../support/rendered-texts';
import type { ForeignText } from '../support/sample-request';
import { APPROVER, CHANNEL, REQUESTER } from '../support/sample-request';

/** Pieces an attacker would type, mixed with any code point at all (lone surrogates included). */
const piece = fc.oneof(
  fc.constantFrom(
    '<!channel>',
    '<!here|here>',
    '<@U0EVE0001>',
    '<#C0OTHER01>',
    '<!subteam^S1>',
    '<http://evil.example|docs>',
    '<',
    '<\u200b!',
    '&lt;',
    '&',
    '>',
    '*',
    '_',
    '~',
    '`',
    '```',
    '\n',
    '\r\n> ',
    '\t',
    '\u202a',
    '\u202b',
    '\u202c',
    '\u202d',
    '\u202e',
    '\u2066',
    '\u2067',
    '\u2068',
    '\u2069',
    '\u200b',
    '\u200c',
    '\u200d',
    '\u2060',
    '\ufeff',
    '\u00ad',
    '\u0000',
    '\u0085',
    ':white_check_mark:',
    'APPROVED',
    ' ',
    'a',
  ),
  fc.string({ unit: 'binary', maxLength: 3 }),
);
const hostile = fc.array(piece, { maxLength: 12 }).map((ps) => ps.join(''));

/** Bidi embeddings, overrides and isolates, and the zero-width characters. */
const BIDI_OR_ZERO_WIDTH = /[\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060\ufeff\u180e]/u;
/** Controls and format characters, lone surrogates; a line break is the bot's own. */
const HIDDEN = /(?![\n])[\p{Cc}\p{Cf}\p{Cs}]/u;
/** What the bot itself puts in angle brackets: the requester, the approver, the channel, times. */
const BOT_TOKENS = new RegExp(
  `<@${REQUESTER}>|<@${APPROVER}>|<#${CHANNEL}>|<!date\\^\\d+\\^\\{time\\} \\{date_short_pretty\\}\\|\\d\\d:\\d\\d UTC, \\d{4}-\\d\\d-\\d\\d>`,
  'g',
);

describe('escaping never lets through a broadcast, a mention, a bidi override or a formatting character', () => {
  it('userText', () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 1, max: 80 }), (text, max) => {
        const out = userText(text, max);
        expect(out).not.toContain('<');
        expect(out).not.toMatch(BIDI_OR_ZERO_WIDTH);
        expect(out).not.toMatch(HIDDEN);
        expect(out).not.toMatch(/[*_~`\n]/);
      }),
      { numRuns: 3000 },
    );
  });

  it('code: one span, closed, whatever the name holds', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const out = code(text);
        expect(out).not.toContain('<');
        expect(out).not.toMatch(HIDDEN);
        expect(out).not.toContain('\n');
        if (out !== '(no name)') expect(out).toMatch(/^`[^`]+`$/);
      }),
      { numRuns: 3000 },
    );
  });

  it('composedText', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const out = composedText(`No volume is named \`${text}\`.`, 300);
        expect(out).not.toContain('<');
        expect(out).not.toMatch(HIDDEN);
      }),
      { numRuns: 2000 },
    );
  });
});

const foreignText: fc.Arbitrary<ForeignText> = fc.record({
  reason: fc.option(hostile, { nil: undefined }),
  policyName: hostile,
  projectName: hostile,
  volumeName: hostile,
  zone: hostile,
  status: hostile,
  comment: hostile,
  cloudMessage: hostile,
});

/** The same request with every piece of foreign text made harmless: what the bot's own formatting is. */
function harmless(text: ForeignText): ForeignText {
  return {
    reason: text.reason !== undefined && hasVisibleText(text.reason) ? 'x' : undefined,
    policyName: 'x',
    projectName: 'x',
    volumeName: 'x',
    zone: 'x',
    status: 'x',
    comment: 'x',
    cloudMessage: 'x',
  };
}

/** The formatting characters left once code spans (where Slack applies none) are taken out. */
function formatting(text: string): string {
  return text
    .replace(/`[^`\n]*`/g, '')
    .replace(/[^*_~`]/g, '')
    .split('')
    .sort()
    .join('');
}

/** Surfaces made of the bot's own sentences around names, shown only to the asker (see composedText). */
const COMPOSED = new Set(['dry run', 'notes reply', 'problems reply', 'form, checked']);

describe('every surface that shows a request', () => {
  it('shows foreign text without hidden characters or anything Slack would act on', () => {
    fc.assert(
      fc.property(foreignText, (text) => {
        for (const rendered of Object.values(renderEverySurface(text))) {
          for (const t of textsOf(rendered)) expect(t).not.toMatch(HIDDEN);
          // Plain text (labels, options) is shown as it is: Slack acts on angle brackets in mrkdwn only.
          for (const t of mrkdwnTextsOf(rendered)) expect(t.replace(BOT_TOKENS, '')).not.toContain('<');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('has only the bot’s own formatting, whatever a name, reason or comment holds', () => {
    fc.assert(
      fc.property(foreignText, (text) => {
        const rendered = renderEverySurface(text);
        const baseline = renderEverySurface(harmless(text));
        for (const [surface, message] of Object.entries(rendered)) {
          if (COMPOSED.has(surface)) continue;
          expect({ surface, formatting: mrkdwnTextsOf(message).map(formatting) }).toEqual({
            surface,
            formatting: mrkdwnTextsOf(baseline[surface]).map(formatting),
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});
