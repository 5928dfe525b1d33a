import { checkRequest } from '../../src/flow/check-request';
import { submitForm } from '../../src/flow/request-form';
import { actor, associate, channel, useFlowFixture } from '../support/flow-fixture';
import { CRITICAL_HOURLY, DAVE, DB_DATA_1 } from '../support/flow-world';
import { openDraft, selection } from '../support/form-draft';

/** Reasons that look like something in the command but show nothing to an approver. */
const invisible: Array<[string, string]> = [
  ['one zero-width space', '\u200b'],
  ['zero-width joiners and non-joiners', '\u200d\u200c\u2060'],
  ['a byte-order mark and a soft hyphen', '\ufeff\u00ad'],
  ['bidi overrides and isolates', '\u202e\u202a\u2066\u2069'],
  ['control characters', '\u0000\u0007\u007f\u0085'],
  ['Hangul fillers', '\u3164\u115f\uffa0'],
  ['a braille blank among spaces', ' \u2800 '],
  ['non-breaking and ideographic spaces', '\u00a0\u3000\u2007'],
];

describe('a rule that requires a reason', () => {
  const fixture = useFlowFixture();

  it.each(invisible)('does not take %s for one in a typed command', async (_what, reason) => {
    const cmd = { ...associate('critical-hourly db-data-1'), reason };
    const outcome = await checkRequest(fixture().deps, actor(DAVE), channel(), cmd, { unusableVolumes: 'error' });
    expect(outcome).toMatchObject({ kind: 'invalid', problems: [{ field: 'reason' }] });
  });

  it.each(invisible)('does not take %s for one in the form', async (_what, reason) => {
    const f = fixture();
    const id = await openDraft(f, DAVE);
    const submitted = await submitForm(
      f.deps,
      actor(DAVE),
      id,
      selection({ policyId: CRITICAL_HOURLY, volumeIds: [DB_DATA_1], reason }),
    );
    expect(submitted?.outcome).toMatchObject({ kind: 'invalid', problems: [{ field: 'reason' }] });
  });

  it.each([
    ['an incident number behind a zero-width space', '\u200bINC-4711'],
    ['a single letter', 'x'],
    ['an emoji', '🔥'],
    ['a reason in Japanese', '障害対応'],
  ])('takes %s', async (_what, reason) => {
    const cmd = { ...associate('critical-hourly db-data-1'), reason };
    const outcome = await checkRequest(fixture().deps, actor(DAVE), channel(), cmd, { unusableVolumes: 'error' });
    expect(outcome).toMatchObject({ kind: 'checked', checked: { decision: { decidedBy: 'critical' } } });
  });
});
