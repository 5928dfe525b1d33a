import { WebClient } from '@slack/web-api';
import type { BackupRequest } from '../../src/domain/backup-request';
import type { MessageIntent } from '../../src/domain/message-intent';
import { createMemoryLogger } from '../../src/log/logger';
import {
  markHome,
  markMessage,
  markMessageArguments,
  markModal,
  SANDBOX_NOTE,
} from '../../src/slack/blocks/sandbox-mark';
import { createChatPoster } from '../../src/slack/chat-poster';
import { createSlackFetch } from '../../src/slack/slack-fetch';
import { SYSTEM_CLOCK } from '../../src/otc/runtime';
import { context, LIMITS, section } from '../../src/slack/blocks/kit';
import { SlackMessageDeliverer } from '../../src/slack/message-deliverer';
import { SandboxMarkedClient } from '../../src/slack/sandbox-client';
import { recorded, stored, typeCommand, useFlowFixture, waitingForApproval } from '../support/flow-fixture';
import { ALICE } from '../support/flow-world';
import { checkNockAfterEach, expectSlackCall, SLACK_API } from '../support/listener-app';

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

/** The client the messages go out with: the marked WebClient alone, or its posts and edits through the chat poster as the bot has it (app.ts). */
const SENDERS = [
  ['the marked WebClient', false],
  ['the chat poster', true],
] as const;

describe.each(SENDERS)(
  'the messages a sandbox bot delivers (%s): root message, approval card, thread, summary',
  (_name, poster) => {
    const fixture = useFlowFixture();
    checkNockAfterEach();
    const timeline: string[] = [];

    function deliverer(): SlackMessageDeliverer {
      const logger = createMemoryLogger('error');
      const inner = new WebClient('xoxb-test', {
        slackApiUrl: `${SLACK_API}/api/`,
        retryConfig: { retries: 0 },
        logger,
      });
      const chat = poster
        ? createChatPoster({
            token: 'xoxb-test',
            apiUrl: `${SLACK_API}/api/`,
            fetch: createSlackFetch({ clock: SYSTEM_CLOCK, logger }),
            timeoutMs: 5_000,
            logger,
            prepare: markMessageArguments,
          })
        : undefined;
      return new SlackMessageDeliverer(new SandboxMarkedClient(inner), 'C0APPROVAL', chat);
    }

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

    it('leaves other calls as they are', async () => {
      const inner = new WebClient('xoxb-test', { slackApiUrl: `${SLACK_API}/api/`, retryConfig: { retries: 0 } });
      const join = expectSlackCall(timeline, 'conversations.join');
      await new SandboxMarkedClient(inner).conversations.join({ channel: 'C0INC47110' });
      join.scope.done();
      expect(join.bodies[0]).toEqual({ channel: 'C0INC47110' });
    });
  },
);
