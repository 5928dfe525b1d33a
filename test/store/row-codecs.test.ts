import { decodeOutbox } from '../../src/store/row-codecs';

const row = (kind: string, payload: string) => ({
  id: 3,
  request_id: 'r-abcdefgh',
  kind,
  payload,
  attempts: 1,
  claims: 2,
  next_attempt_at: 10,
  created_at: 5,
  last_error: null,
});

describe('decodeOutbox', () => {
  it('reads a stored intent back with its payload', () => {
    expect(decodeOutbox(row('thread.note', '{"note":"waiting"}')).intent).toStrictEqual({
      kind: 'thread.note',
      note: 'waiting',
    });
  });

  it('reads a kind this version does not know as unreadable, naming what was stored', () => {
    const message = decodeOutbox(row('thread.poll', '{}'));
    expect(message.intent).toStrictEqual({ kind: 'unreadable', stored: 'thread.poll' });
    expect(message.lastError).toBeUndefined();
  });
});
