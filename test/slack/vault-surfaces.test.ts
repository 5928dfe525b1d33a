import { asPolicyId, asVolumeId } from '../../src/domain/ids';
import type { BackupTarget } from '../../src/otc/types';
import { buildPreviewBlocks } from '../../src/slack/blocks/preview-blocks';
import { buildRequestForm } from '../../src/slack/blocks/request-form-view';
import { buildSummaryMessage, undoConfirmText } from '../../src/slack/blocks/summary-blocks';
import { buildVolumeStatusMessage } from '../../src/slack/blocks/volume-status-blocks';
import { readFormState } from '../../src/slack/form-state';
import { ACTION_UNDO, FORM_OPTIONS } from '../../src/slack/ids';
import { policyLabel } from '../../src/slack/listeners/form-options';
import { decodeRequest } from '../../src/store/record-codec';
import { policy } from '../support/fake-cloud';
import { PLAIN_TEXT, sampleChecked, sampleRequest, volumeId } from '../support/sample-request';

const VAULT: BackupTarget = {
  kind: 'vault',
  id: asPolicyId('35c262b8-6c50-4693-9d31-015c3ff5ab74'),
  name: 'vault-daily',
  policy: (({ kind: _kind, resourceCount: _count, ...schedule }) => schedule)(
    policy('e312be6d-88e9-46d3-8fff-f9948ee0b8f1', 'daily-7-backups'),
  ),

  volumeIds: [],
  resourceCount: 2,
  capacityGb: 1000,
  allocatedGb: 180,
};

const json = (x: unknown) => JSON.stringify(x);

describe('vaults where a policy used to be', () => {
  it('labels a vault in the type-ahead with its bound policy, volume count and room', () => {
    expect(policyLabel(VAULT)).toBe('vault-daily · every day at 02:00 UTC · keeps 7 · 2 volumes · 180/1000 GB');
    expect(policyLabel({ ...VAULT, policy: undefined, resourceCount: 1 })).toBe(
      'vault-daily · no policy bound · 1 volume · 180/1000 GB',
    );
  });

  it('shows a vault in the preview with its policy and room, says what moves, and no VBS move note', () => {
    const checked = {
      ...sampleChecked(PLAIN_TEXT),
      target: VAULT,
      moves: [
        {
          volumeId: volumeId(0),
          vault: { id: asPolicyId('28a574c4-2a6a-4e02-b327-adc9c3bea07b'), name: 'vault-weekly' },
        },
      ],
    };
    const text = json(buildPreviewBlocks(checked, undefined));
    expect(text).toContain(
      'Vault `vault-daily` `35c262b8-6c50-4693-9d31-015c3ff5ab74` (policy `daily-7-backups`: starts 02:00 UTC, every day, keeps 7 backups; 2 volumes; 180 of 1000 GB taken)',
    );
    expect(text).toContain('moves here from vault `vault-weekly`');
    expect(text).not.toContain('A volume belongs to at most one backup policy');
    const now = json(buildPreviewBlocks({ ...checked, backupNow: true }, undefined));
    expect(now).toContain(
      'Back up now: right after the volumes are added, every volume in the vault is backed up (2 volumes before this request), not only these.',
    );
  });

  it('asks for a vault and offers --move in the form of a CBR project, and reads the box back', () => {
    const model = {
      draftId: 'r-abcdefgh',
      projects: ['prod', 'vaulted'],
      project: 'vaulted',
      askChannel: false,
      channelId: undefined,
      policy: undefined,
      server: undefined,
      volumes: [],
      reason: undefined,
      service: 'cbr' as const,
      move: true,
      backupNow: false,
      reasonRequired: false,
      preview: 'loading' as const,
      approvers: undefined,
    };
    const form = json(buildRequestForm(model));
    expect(form).toContain('"text":"Vault"');
    expect(form).toContain('"value":"move"');
    expect(form).toContain('"value":"now"');
    const vbsForm = json(buildRequestForm({ ...model, service: 'vbs', move: false }));
    expect(vbsForm).toContain('"value":"now"');
    expect(vbsForm).not.toContain('"value":"move"');
    const projects = [
      { name: 'prod', id: 'p' as never, region: 'eu-de', isDefault: true, service: 'vbs' as const },
      { name: 'vaulted', id: 'v' as never, region: 'eu-de', isDefault: false, service: 'cbr' as const },
    ];
    const values = {
      project: { 'form.project': { type: 'static_select', selected_option: { value: 'vaulted' } } },
      options: { [FORM_OPTIONS]: { type: 'checkboxes', selected_options: [{ value: 'move' }, { value: 'now' }] } },
    };
    const config = { projects, defaultProject: projects[0]! };
    expect(readFormState(values as never, config).selection).toMatchObject({ move: true, backupNow: true });
    // A VBS project has no --move, whatever the state says.
    const onVbs = {
      ...values,
      project: { 'form.project': { type: 'static_select', selected_option: { value: 'prod' } } },
    };
    expect(readFormState(onVbs as never, config).selection).toMatchObject({ move: false, backupNow: true });
    expect(readFormState({ project: values.project } as never, config).selection.move).toBe(false);
  });
});

describe('the Undo button of a summary', () => {
  it('is there when the request added something, and carries only the request id', () => {
    const request = sampleRequest(PLAIN_TEXT);
    const blocks = json(buildSummaryMessage(request, request.outcome!).message.blocks);
    expect(blocks).toContain(`"action_id":"${ACTION_UNDO}"`);
    expect(blocks).toContain(`"value":"${request.id}"`);
  });

  it('says before it asks that on VBS a volume that was in the policy before is taken out too', () => {
    const request = sampleRequest(PLAIN_TEXT);
    const onVbs = json(buildSummaryMessage(request, request.outcome!).message.blocks);
    expect(request.project.service).toBe('vbs');
    expect(onVbs).toContain('VBS cannot say whether a volume was in this policy before the request');
    expect(onVbs).not.toContain('exactly');
    const onCbr = { ...request, project: { ...request.project, service: 'cbr' as const } };
    const cbrText = json(buildSummaryMessage(onCbr, request.outcome!).message.blocks);
    expect(cbrText).toContain('take out exactly the volumes this request added');
    for (const text of [undoConfirmText(request), undoConfirmText(onCbr)]) expect(text.length).toBeLessThanOrEqual(300);
  });

  it('is not there for a request that only found its volumes in place, nor for a disassociate', () => {
    const request = sampleRequest(PLAIN_TEXT);
    const onlyAlready = {
      ...request.outcome!,
      added: request.outcome!.added.map((a) => ({ ...a, already: true })),
    };
    expect(json(buildSummaryMessage(request, onlyAlready).message.blocks)).not.toContain(ACTION_UNDO);
    const out = { ...request, action: 'disassociate' as const };
    const summary = json(buildSummaryMessage(out, request.outcome!).message.blocks);
    expect(summary).not.toContain(ACTION_UNDO);
    expect(summary).toContain('removed from backup policy');
  });
});

describe('a request stored before CBR and undo', () => {
  it('reads back as an associate to a VBS policy', () => {
    const body = {
      channel: { id: 'C0INC4711', name: 'inc' },
      project: { name: 'prod', id: '0123456789abcdef0123456789abcdef', region: 'eu-de' },
      policy: { id: 'b1cb1816-7d85-457c-9f32-2a1422d00e17', name: 'daily-7d' },
      volumes: [
        {
          id: asVolumeId('0f187b65-8d0e-4fc0-9096-3b55d330531e'),
          name: 'db',
          status: 'in-use',
          availabilityZone: 'eu-de-01',
          sizeGb: 1,
        },
      ],
      decision: { verdict: 'allow', decidedBy: 'x', reason: 'y' },
    };
    const request = decodeRequest({
      id: 'r-abcdefgh',
      team_id: 'T1',
      requester_id: 'U1',
      state: 'succeeded',
      created_at: 1,
      updated_at: 2,
      expires_at: null,
      remind_at: null,
      reminded_at: null,
      body: JSON.stringify(body),
      approval: null,
      root_message: null,
      approval_message: null,
      outcome: null,
    });
    expect(request).toMatchObject({
      action: 'associate',
      target: { kind: 'policy', id: 'b1cb1816-7d85-457c-9f32-2a1422d00e17', name: 'daily-7d' },
      project: { service: 'vbs' },
      moves: [],
      undoOf: undefined,
      thread: undefined,
    });
  });
});

describe('/backup status <volume>, answered', () => {
  it('escapes what the person typed when no volume matches it', () => {
    const reply = json(
      buildVolumeStatusMessage({
        ok: false,
        why: 'problem',
        text: 'No volume is named `<!channel> *x*` in project `prod`.',
      }),
    );
    expect(reply).not.toContain('<!channel>');
    expect(reply).toContain('&lt;!channel&gt;');
  });
});
