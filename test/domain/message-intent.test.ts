import type { MessageIntent } from '../../src/domain/message-intent';
import { isThreadNote, joinIntent, splitIntent, THREAD_NOTES } from '../../src/domain/message-intent';

const EVERY_INTENT: readonly MessageIntent[] = [
  { kind: 'root.post' },
  { kind: 'root.update' },
  ...THREAD_NOTES.map((note) => ({ kind: 'thread.note' as const, note })),
  { kind: 'thread.summary' },
  { kind: 'thread.summary_file' },
  { kind: 'card.post' },
  { kind: 'card.update' },
  { kind: 'card.remind' },
  { kind: 'step.complete' },
];

describe('message intents as the outbox stores them', () => {
  it.each(EVERY_INTENT.map((i) => [JSON.stringify(i), i] as const))('%s reads back as written', (_, intent) => {
    const { kind, payload } = splitIntent(intent);
    expect(joinIntent(kind, JSON.parse(JSON.stringify(payload)) as Record<string, unknown>)).toStrictEqual(intent);
  });

  it('keeps only the payload beside the kind', () => {
    expect(splitIntent({ kind: 'thread.note', note: 'expired' })).toEqual({
      kind: 'thread.note',
      payload: { note: 'expired' },
    });
    expect(splitIntent({ kind: 'root.post' })).toEqual({ kind: 'root.post', payload: {} });
  });

  it.each([
    ['an unknown kind', 'root.delete', {}],
    ['a thread note without its note', 'thread.note', {}],
    ['a thread note of an unknown note', 'thread.note', { note: 'party' }],
    ['a prototype key', 'constructor', {}],
  ])('reads %s as nothing it would deliver', (_, kind, payload) => {
    expect(joinIntent(kind, payload)).toBeUndefined();
  });

  it('knows exactly the five thread notes', () => {
    expect(THREAD_NOTES.filter(isThreadNote)).toHaveLength(5);
    expect(isThreadNote('approved')).toBe(false);
    expect(isThreadNote(undefined)).toBe(false);
  });
});
