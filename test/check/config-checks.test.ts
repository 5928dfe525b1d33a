import type { AccessRule } from '../../src/domain/access-rules';
import { checkRules } from '../../src/check/config-checks';

const allowSre: AccessRule = { name: 'sre', usergroups: ['sre-oncall'], decision: 'allow' };

describe('checkRules: a rule list that denies every request', () => {
  it('is said when no rules are there, a catch-all deny comes first, or every rule denies', () => {
    expect(checkRules([])).toEqual([expect.stringMatching(/^There are no access rules/)]);
    expect(checkRules([{ name: 'nobody', everyone: true, decision: 'deny' }, allowSre])).toEqual([
      expect.stringMatching(/^Rule "nobody" \(everyone: true, decision: deny\) comes first/),
    ]);
    expect(checkRules([{ ...allowSre, decision: 'deny' }])).toEqual([
      expect.stringMatching(/^Every access rule that covers associate says decision: deny/),
    ]);
  });

  it('is not said for a deny that covers only other actions, however early it comes', () => {
    const noUndo: AccessRule = { name: 'no-undo', everyone: true, actions: ['disassociate'], decision: 'deny' };
    const noNow: AccessRule = { name: 'no-now', everyone: true, actions: ['backup_now'], decision: 'deny' };
    expect(checkRules([noUndo, noNow, allowSre])).toEqual([]);
    // Nor for a first catch-all deny that narrows (a channel): it does not match every request.
    expect(
      checkRules([{ name: 'not-here', everyone: true, channels: ['#general'], decision: 'deny' }, allowSre]),
    ).toEqual([]);
  });

  it('is said when the rules that would let associate through cover only other actions', () => {
    const undoOnly: AccessRule = { ...allowSre, actions: ['disassociate'] };
    expect(checkRules([undoOnly])).toEqual([expect.stringMatching(/^No access rule covers associate/)]);
    // A catch-all deny of associate behind a deny of undo still denies everything.
    expect(
      checkRules([
        { name: 'no-undo', everyone: true, actions: ['disassociate'], decision: 'deny' },
        { name: 'nobody', everyone: true, actions: ['associate', 'disassociate'], decision: 'deny' },
        allowSre,
      ]),
    ).toEqual([expect.stringMatching(/^Rule "nobody"/)]);
  });
});
