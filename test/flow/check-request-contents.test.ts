import type { AssociateCommand } from '../../src/domain/command-grammar';
import type { UnusableMode } from '../../src/domain/resolution';
import type { CheckOutcome } from '../../src/flow/check-request';
import { checkRequest } from '../../src/flow/check-request';
import type { FlowFixture } from '../support/flow-fixture';
import { actor, associate, channel, recorded, typeCommand, useFlowFixture } from '../support/flow-fixture';
import { ALICE, BIG, BROKEN, DAVE, DB_DATA_1, DB_DATA_2, DB_LOG, TWIN_A, TWIN_B } from '../support/flow-world';

function check(
  f: FlowFixture,
  args: string | AssociateCommand,
  userId = ALICE,
  unusableVolumes: UnusableMode = 'error',
) {
  const cmd = typeof args === 'string' ? associate(args) : args;
  return checkRequest(f.deps, actor(userId), channel(), cmd, { unusableVolumes });
}

function problemsOf(outcome: CheckOutcome) {
  if (outcome.kind !== 'invalid') throw new Error(`expected invalid, got ${outcome.kind}`);
  return outcome.problems;
}

function checkedOf(outcome: CheckOutcome) {
  if (outcome.kind !== 'checked') throw new Error(`expected checked, got ${outcome.kind}`);
  return outcome.checked;
}

/** What is asked for: the policy, the volumes (named or a server's), the size, the rules and the reason. */
describe('checkRequest: the policy, the volumes and the rules', () => {
  const fixture = useFlowFixture();

  it('resolves names against the cloud and says which rule decided', async () => {
    const checked = checkedOf(await check(fixture(), 'daily-7d db-data-1 db-data-2'));
    expect(checked.target.name).toBe('daily-7d');
    expect(checked.volumes.map((v) => v.id)).toEqual([DB_DATA_1, DB_DATA_2]);
    expect(checked.decision).toMatchObject({ verdict: 'allow', decidedBy: 'sre-oncall' });
    expect(checked.project.name).toBe('prod');
  });

  it('lists every problem at once: an unknown policy and an unknown and an ambiguous volume', async () => {
    const problems = problemsOf(await check(fixture(), 'daily-77 nonexistent twin'));
    expect(problems).toEqual([
      { field: 'policy', text: expect.stringContaining('There is no backup policy named `daily-77`') },
      { field: 'volumes', text: 'No volume is named `nonexistent` in this project.' },
      { field: 'volumes', text: expect.stringMatching(/^2 volumes are named `twin`/) },
    ]);
    expect(problems[2]!.text).toContain(TWIN_A);
    expect(problems[2]!.text).toContain(TWIN_B);
  });

  it('calls a named volume that cannot be added an error when typed', async () => {
    const problems = problemsOf(await check(fixture(), 'daily-7d db-data-1 broken-disk'));
    expect(problems).toEqual([{ field: 'volumes', text: expect.stringContaining('is in status `error`') }]);
  });

  it('leaves a volume that cannot be added out when picked in a form', async () => {
    const checked = checkedOf(await check(fixture(), `daily-7d db-data-1 ${BROKEN}`, ALICE, 'exclude'));
    expect(checked.volumes.map((v) => v.id)).toEqual([DB_DATA_1]);
    expect(checked.excluded.map((v) => v.id)).toEqual([BROKEN]);
  });

  it('refuses a request whose every volume would be left out', async () => {
    const problems = problemsOf(await check(fixture(), 'daily-7d broken-disk', ALICE, 'exclude'));
    expect(problems).toEqual([{ field: 'volumes', text: expect.stringContaining('None of these volumes') }]);
  });

  it('adds the usable volumes of a server and leaves its unusable ones out', async () => {
    const checked = checkedOf(await check(fixture(), 'daily-7d --server db-01'));
    expect(checked.volumes.map((v) => v.id)).toEqual([DB_DATA_1, DB_DATA_2]);
    expect(checked.excluded.map((v) => v.id)).toEqual([DB_LOG]);
    expect(checked.notes).toContainEqual(expect.stringContaining('Server `db-01` added 2 volume(s)'));
  });

  it('counts a volume named and attached to the server once', async () => {
    const checked = checkedOf(await check(fixture(), 'daily-7d db-data-1 --server db-01'));
    expect(checked.volumes.map((v) => v.id)).toEqual([DB_DATA_1, DB_DATA_2]);
  });

  it.each([
    ['no server has the name', 'nowhere-01', 'No server is named `nowhere-01`'],
    ['two servers have the name', 'app', '2 servers are named `app`'],
    ['the server has no volume', 'empty-01', 'No volume is attached to server `empty-01`'],
  ])('puts a server problem on the server field when %s', async (_what, name, text) => {
    const problems = problemsOf(await check(fixture(), `daily-7d --server ${name}`));
    expect(problems).toEqual([{ field: 'server', text: expect.stringContaining(text) }]);
  });

  it('refuses more volumes than one request may hold, and says how many', async () => {
    const problems = problemsOf(await check(fixture(), 'daily-7d --server big-01'));
    expect(problems).toEqual([{ field: 'volumes', text: expect.stringContaining(`That is ${BIG.length} volumes`) }]);
    expect(problems[0]!.text).toContain('at most 5');
  });

  it('takes as many volumes as the limit allows', async () => {
    const checked = checkedOf(await check(fixture(), `daily-7d ${BIG.slice(0, 5).join(' ')}`));
    expect(checked.volumes).toHaveLength(5);
  });

  it('denies what a deny rule matches, with what was checked', async () => {
    const outcome = await check(fixture(), 'legacy-tape db-data-1');
    expect(outcome).toMatchObject({ kind: 'denied', decision: { verdict: 'deny', decidedBy: 'no-tape' } });
    expect(outcome.kind === 'denied' && outcome.checked?.target.name).toBe('legacy-tape');
  });

  it('asks for a reason when the deciding rule requires one', async () => {
    const problems = problemsOf(await check(fixture(), 'critical-hourly db-data-1'));
    expect(problems).toEqual([{ field: 'reason', text: expect.stringContaining('Rule `critical` needs a reason') }]);
  });

  it('does not take a blank reason (as a form may send) for one', async () => {
    const blank = { ...associate('critical-hourly db-data-1'), reason: '   ' };
    const problems = problemsOf(await check(fixture(), blank));
    expect(problems.map((p) => p.field)).toEqual(['reason']);
  });

  it('passes a request with the reason its rule requires', async () => {
    const checked = checkedOf(await check(fixture(), 'critical-hourly db-data-1 --reason "INC-4711"', DAVE));
    expect(checked.decision).toMatchObject({ verdict: 'require_approval', decidedBy: 'critical' });
  });

  it('notes another open request for the same volume (adding twice is harmless)', async () => {
    const f = fixture();
    const first = recorded(await typeCommand(f, DAVE, 'weekly-4w db-data-1'));
    const checked = checkedOf(await check(f, 'daily-7d db-data-1 db-data-2'));
    expect(checked.notes).toEqual([expect.stringContaining(`\`db-data-1\` is also in request \`${first.id}\``)]);
  });

  it('reads the cloud but writes nothing', async () => {
    const f = fixture();
    await check(f, 'daily-7d db-data-1');
    expect(f.cloud.count('associate')).toBe(0);
    expect(await f.store.queries.listRequests({ teamId: actor(ALICE).teamId, since: 0, limit: 10 })).toEqual([]);
  });
});
