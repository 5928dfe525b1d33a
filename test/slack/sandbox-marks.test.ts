import type { BackupRequest } from '../../src/domain/backup-request';
import type { MessageIntent } from '../../src/domain/message-intent';
import { markHome, markMessage, markModal, SANDBOX_NOTE } from '../../src/slack/blocks/sandbox-mark';
import { context, LIMITS, section } from '../../src/slack/blocks/kit';
import { recorded, stored, typeCommand, useFlowFixture, waitingForApproval } from '../support/flow-fixture';
import { ALICE } from '../support/flow-world';
import { checkNockAfterEach, expectSlackCall } from '../support/listener-app';
import { sandboxDeliverer } from '../support/sandbox-deliverer';

const MARK = 'sandbox: no real cloud';

describe('the sandbox marks (pure)', () => {
  it('say “sandbox: no real cloud” in the first block and in the fallback text', () => {
    expect(SANDBOX_NOTE).toContain(MARK);
    const marked = markMessage({ text: 'All added', blocks: [section('All added')] });
    expect(marked.text).toBe(`${MARK} · All added`);
    expect(marked.blocks).toEqual([context(SANDBOX_NOTE), section('All added')]);
  });

  it('keep a full message, modal and home within Slack’s block limits', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => section(`line ${i}`));
    expect(markMessage({ text: 't', blocks: many(LIMITS.blocksPerMessage) }).blocks).toHaveLength(
      LIMITS.blocksPerMessage,
    );
    const modal = markModal({ type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: many(100) });
    expect(modal.blocks).toHaveLength(LIMITS.blocksPerView);
    expect(modal.blocks[0]).toEqual(context(SANDBOX_NOTE));
    expect(markHome({ type: 'home', blocks: many(3) }).blocks[0]).toEqual(context(SANDBOX_NOTE));
  });
});

describe('the messages a sandbox bot delivers: root message, approval card, thread, summary', () => {
  const fixture = useFlowFixture();
  checkNockAfterEach();
  const timeline: string[] = [];
  const deliverer = sandboxDeliverer;

  async function deliver(request: BackupRequest, intent: MessageIntent, method: string) {
    const call = expectSlackCall(timeline, method, { channel: 'C0INC47110', ts: '1.000200' });
    const outbox = { id: 1, requestId: request.id, intent, attempts: 0, claims: 1, nextAttemptAt: 0, createdAt: 0 };
    expect(await deliverer().deliver({ ...outbox, lastError: undefined }, request)).toMatchObject({ ok: true });
    call.scope.done();
    return call.bodies[0]!;
  }

  function firstBlockText(body: Record<string, unknown>): string {
    return JSON.stringify((body['blocks'] as unknown[])[0]);
  }

  it.each([
    ['the root message', { kind: 'root.post' }, 'chat.postMessage'],
    ['the approval card', { kind: 'card.post' }, 'chat.postMessage'],
    ['an edit of the root message', { kind: 'root.update' }, 'chat.update'],
    ['a note in the thread', { kind: 'thread.note', note: 'waiting' }, 'chat.postMessage'],
  ] as const)('marks %s', async (_what, intent, method) => {
    const f = fixture();
    const waiting = await waitingForApproval(f);
    // A post is made once: the record must not know of one yet (an edit needs the root message).
    const request = intent.kind.endsWith('.post')
      ? { ...waiting, rootMessage: undefined, approvalMessage: undefined }
      : waiting;
    const body = await deliver(request, intent, method);
    expect(firstBlockText(body)).toContain(MARK);
    expect(body['text']).toMatch(/^sandbox: no real cloud · /);
  });

  it('marks the summary that says what was added', async () => {
    const f = fixture();
    const request = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1'));
    await f.deps.work.idle();
    const body = await deliver(await stored(f, request.id), { kind: 'thread.summary' }, 'chat.postMessage');
    expect(firstBlockText(body)).toContain(MARK);
    expect(JSON.stringify(body['blocks'])).toContain('The volume was added');
  });
});
