import type { RequestId } from '../../src/domain/ids';
import type { FormSelection } from '../../src/flow/request-form';
import { openForm } from '../../src/flow/request-form';
import type { FlowFixture } from './flow-fixture';
import { actor } from './flow-fixture';
import { DAVE, INCIDENT } from './flow-world';

/** What the form's fields hold; by default the project is picked and nothing else. */
export function selection(fields: Partial<FormSelection> = {}): FormSelection {
  return {
    projectName: 'prod',
    channelId: undefined,
    policyId: undefined,
    volumeIds: [],
    serverId: undefined,
    reason: undefined,
    move: false,
    backupNow: false,
    ...fields,
  };
}

/** Opens the form as `userId` from a command typed in `channelId`, and gives its draft id. */
export function openDraft(f: FlowFixture, userId = DAVE, channelId = INCIDENT): Promise<RequestId> {
  return draftOf(f, userId, channelId);
}

/** Opens the form as `userId` from the global shortcut (no channel: the form asks), and gives its draft id. */
export function openShortcutDraft(f: FlowFixture, userId = DAVE): Promise<RequestId> {
  return draftOf(f, userId, undefined);
}

async function draftOf(f: FlowFixture, userId: string, channelId: string | undefined): Promise<RequestId> {
  const opened = await openForm(f.deps, actor(userId), channelId);
  if (!opened.ok) throw new Error(`form not opened: ${opened.why}`);
  return opened.draft.id;
}
