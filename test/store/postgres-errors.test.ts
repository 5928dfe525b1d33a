import {
  describeTarget,
  isConnectionFailure,
  isDroppedConnection,
  toPostgresStoreError,
} from '../../src/store/postgres-errors';
import { StoreUnavailableError } from '../../src/store/request-store';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('toPostgresStoreError', () => {
  it.each([
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['admin shutdown', withCode('terminating connection due to administrator command', '57P01')],
    ['server starting up', withCode('the database system is starting up', '57P03')],
    ['connection exception class', withCode('connection failure', '08006')],
    ['too many connections', withCode('sorry, too many clients already', '53300')],
    ['failed password', withCode('password authentication failed for user "bot"', '28P01')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['dropped connection', new Error('Connection terminated unexpectedly')],
    [
      'happy-eyeballs failure',
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], 'connect failed'),
    ],
  ])('maps %s to StoreUnavailableError', (_label, err) => {
    expect(isConnectionFailure(err)).toBe(true);
    const mapped = toPostgresStoreError(err, 'db:5432');
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect(mapped.message).toMatch(/^PostgreSQL store unavailable at db:5432 \(/);
    // The driver's error is kept as a scrubbed copy (class and message), never as the object itself.
    expect(mapped.cause).not.toBe(err);
    expect(mapped.cause).toMatchObject({ name: err.name, message: err.message });
  });

  it.each([
    ['unique violation', withCode('duplicate key value violates unique constraint', '23505')],
    ['syntax error', withCode('syntax error at or near "SELEC"', '42601')],
    ['foreign key violation', withCode('insert or update violates foreign key constraint', '23503')],
  ])('passes %s through unchanged', (_label, err) => {
    expect(isConnectionFailure(err)).toBe(false);
    expect(toPostgresStoreError(err, 'db:5432')).toBe(err);
  });
});

describe('isDroppedConnection', () => {
  it.each([
    ['admin shutdown', withCode('terminating connection due to administrator command', '57P01'), true],
    ['crash shutdown', withCode('terminating connection because of crash of another server process', '57P02'), true],
    ['reset', withCode('read ECONNRESET', 'ECONNRESET'), true],
    ['cut mid-answer', new Error('Connection terminated unexpectedly'), true],
    // Not a connection the pool held: reading again would only wait for the same answer.
    ['refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), false],
    ['starting up', withCode('the database system is starting up', '57P03'), false],
    ['pool timeout', new Error('timeout exceeded when trying to connect'), false],
    ['unique violation', withCode('duplicate key value violates unique constraint', '23505'), false],
  ])('%s -> %s', (_label, err, dropped) => {
    expect(isDroppedConnection(err)).toBe(dropped);
  });
});

describe('describeTarget', () => {
  it('names host and port but never user or password', () => {
    expect(describeTarget('postgres://bot:pw-123@db.internal:6432/bot?sslmode=require')).toBe('db.internal:6432');
    expect(describeTarget('postgresql://db.internal/bot')).toBe('db.internal');
  });

  it('falls back to a neutral phrase for an unparsable string', () => {
    expect(describeTarget('postgres://bot:pw@[broken/bot')).toBe('the configured server');
  });
});
