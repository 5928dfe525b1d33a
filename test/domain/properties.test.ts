import fc from 'fast-check';
import type { AccessRequest, AccessRule } from '../../src/domain/access-rules';
import { decideAccess, matchRule } from '../../src/domain/access-rules';
import { parseBackupCommand } from '../../src/domain/command-grammar';

const ID = '0f187b65-8d0e-4fc0-9096-3b55d330531e';

/** Pieces people (and attackers) type: subcommands, flags with the dashes phones make, quotes, entities. */
const commandPiece = fc.constantFrom(
  'associate',
  'status',
  'audit',
  'help',
  'daily-7d',
  'db-data-1',
  ID,
  '0f187b65-',
  'r-7kq2m9xa',
  '--reason',
  '--reason=',
  '—reason',
  '–project',
  '--project=prod',
  '--server',
  '--dry-run',
  '--dry-run=1',
  '--days',
  '--days=0',
  '--days=91',
  '"',
  '“',
  '”',
  "'",
  '&lt;!channel&gt;',
  '&amp;',
  '<@U123>',
  '\u202e',
  '\u200b',
  '\\',
  '=',
  '--',
  ' ',
  '\n',
);

describe('parseBackupCommand on any input', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (text) => {
        expect(() => parseBackupCommand(text, { maxVolumes: 20 })).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on commands assembled from the pieces of real ones', () => {
    fc.assert(
      fc.property(fc.array(commandPiece, { maxLength: 14 }), fc.constantFrom('', ' '), (pieces, sep) => {
        const text = pieces.join(sep);
        const parsed = parseBackupCommand(text, { maxVolumes: 3 });
        // Either a command or an error that says something: never an empty answer.
        expect(parsed.ok || parsed.error.message.length > 0).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const someOf = <T>(values: T[]) => fc.subarray(values, { minLength: 1 });

/** Rules built from small pools of values, so that random rules and requests match each other often. */
const ruleSelectors = fc.record({
  users: maybe(someOf(['U0ALICE', 'U0BOB', 'U0GUEST'])),
  usergroups: maybe(someOf(['sre-oncall', '@dba', 'SRE-ONCALL'])),
  channels: maybe(someOf(['inc-*', '#inc-4711', 'C0INC4711', '*', 'gen?ral'])),
  policies: maybe(someOf(['daily-*', '*-7d', ID, 'weekly-4w'])),
  projects: maybe(someOf(['prod', 'dev'])),
  maxVolumes: maybe(fc.integer({ min: 0, max: 12 })),
  everyone: maybe(fc.boolean()),
  actions: maybe(fc.subarray(['associate', 'disassociate'] as const, { minLength: 1 })),
});

const rule = fc
  .tuple(ruleSelectors, fc.constantFrom('allow', 'deny', 'require_approval') as fc.Arbitrary<AccessRule['decision']>)
  .map(([selectors, decision]): AccessRule => ({ name: 'x', decision, ...selectors }));

const request: fc.Arbitrary<AccessRequest> = fc.record({
  teamId: fc.constant('T1'),
  user: fc.record({ id: fc.constantFrom('U0ALICE', 'U0BOB', 'U0GUEST'), isGuest: fc.boolean(), isBot: fc.boolean() }),
  usergroups: maybe(fc.subarray(['sre-oncall', 'dba', '@SRE-Oncall'])),
  channel: fc.record({
    id: fc.constantFrom('C0INC4711', 'C0GENERAL'),
    name: maybe(fc.constantFrom('inc-4711', 'general', 'INC-9', 'generaal')),
  }),
  action: fc.constantFrom('associate', 'disassociate'),
  policy: fc.record({
    kind: fc.constantFrom('policy', 'vault'),
    id: fc.constantFrom(ID, 'other-id'),
    name: fc.constantFrom('daily-7d', 'weekly-4w', 'Daily-30d'),
  }),
  project: fc.constantFrom('prod', 'dev'),
  volumeCount: fc.integer({ min: 1, max: 15 }),
});

describe('decideAccess', () => {
  it('lets a deny rule win over an allow rule after it that matches the same request', () => {
    fc.assert(
      fc.property(
        fc.array(rule, { maxLength: 4 }),
        rule,
        fc.array(rule, { maxLength: 4 }),
        fc.array(rule, { maxLength: 4 }),
        request,
        (before, allow, between, after, req) => {
          const named = (rs: AccessRule[], prefix: string) => rs.map((r, i) => ({ ...r, name: `${prefix}-${i}` }));
          const earlier = named(before, 'before');
          const deny: AccessRule = { ...allow, name: 'the-deny', decision: 'deny' };
          const allowRule: AccessRule = { ...allow, name: 'the-allow', decision: 'allow' };
          const rules = [...earlier, deny, ...named(between, 'between'), allowRule, ...named(after, 'after')];
          const decision = decideAccess({ rules }, req);
          expect(decision.decidedBy).not.toBe('the-allow');
          if (matchRule(allowRule, req).matched) {
            // The first earlier rule that matches decides, or one that would deny or ask for
            // approval but for user groups Slack could not tell (it denies: fail closed).
            const first = earlier.find((r) => {
              const m = matchRule(r, req);
              return m.matched || ('groupsUnknown' in m && r.decision !== 'allow');
            });
            expect(decision.decidedBy).toBe(first?.name ?? 'the-deny');
            if (first === undefined) expect(decision.verdict).toBe('deny');
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
