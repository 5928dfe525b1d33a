import type { types } from '@slack/bolt';
import type { Block, SlackMessage } from './kit';
import { context, LIMITS } from './kit';

/**
 * A sandbox bot talks to its built-in OTC emulator: an "added" from it changed no real cloud. So
 * everything it shows people says so first, where it cannot be missed.
 */
export const SANDBOX_NOTE =
  ':test_tube: *sandbox: no real cloud* · this bot works against its built-in OTC emulator; nothing it does changes a real cloud.';
const SANDBOX_PREFIX = 'sandbox: no real cloud · ';

/** The note first, within `max` blocks (the last ones give way; a message at the limit already says it left some out). */
function withNote<B>(blocks: readonly B[], max: number): (B | Block)[] {
  return [context(SANDBOX_NOTE), ...blocks.slice(0, max - 1)];
}

/** A message, its notification text (the fallback) included. */
export function markMessage(m: SlackMessage): SlackMessage {
  return { text: `${SANDBOX_PREFIX}${m.text}`, blocks: withNote<Block>(m.blocks, LIMITS.blocksPerMessage) };
}

export function markModal(view: types.ModalView): types.ModalView {
  return { ...view, blocks: withNote(view.blocks, LIMITS.blocksPerView) };
}

export function markHome(view: types.HomeView): types.HomeView {
  return { ...view, blocks: withNote(view.blocks, LIMITS.blocksPerView) };
}

/**
 * Marks what a listener shows when the bot runs on the sandbox (`FlowDeps.sandbox`), and passes it
 * through untouched otherwise; built once per listener from the flag.
 */
export interface SurfaceMarks {
  message(m: SlackMessage): SlackMessage;
  modal(view: types.ModalView): types.ModalView;
  home(view: types.HomeView): types.HomeView;
}

export function surfaceMarks(sandbox: boolean): SurfaceMarks {
  return sandbox
    ? { message: markMessage, modal: markModal, home: markHome }
    : { message: (m) => m, modal: (v) => v, home: (v) => v };
}

/** A Web API message call's arguments with the note in front (`chat.postMessage`, `chat.update`). */
export function markMessageArguments(options: Record<string, unknown>): Record<string, unknown> {
  const text = options['text'];
  const blocks = options['blocks'];
  return {
    ...options,
    text: `${SANDBOX_PREFIX}${typeof text === 'string' ? text : ''}`,
    blocks: withNote<unknown>(Array.isArray(blocks) ? (blocks as unknown[]) : [], LIMITS.blocksPerMessage),
  };
}
