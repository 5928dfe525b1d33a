import { positionalValues, toPositional } from '../../src/store/sql-runner';

describe('toPositional', () => {
  it.each([
    ['SELECT 1', 'SELECT 1', []],
    ['WHERE id = @id', 'WHERE id = $1', ['id']],
    ['WHERE a = @a AND b < @b OR c = @a', 'WHERE a = $1 AND b < $2 OR c = $1', ['a', 'b']],
    ['SET x = @value::jsonb', 'SET x = $1::jsonb', ['value']],
    ['VALUES (@leaseUntil, @lease)', 'VALUES ($1, $2)', ['leaseUntil', 'lease']],
  ])('rewrites %j to PostgreSQL placeholders', (named, text, names) => {
    expect(toPositional(named)).toEqual({ text, names });
  });
});

describe('positionalValues', () => {
  it('puts the values in the order of the placeholders, null included', () => {
    const sql = toPositional('UPDATE t SET a = @a, b = @b WHERE id = @id AND a <> @a');
    expect(positionalValues(sql, { id: 7, b: null, a: 'x', unused: true })).toEqual(['x', null, 7]);
  });

  it('names a parameter the caller forgot instead of sending undefined', () => {
    expect(() => positionalValues(toPositional('WHERE id = @id AND at < @now'), { id: 1 })).toThrow(
      'statement parameter @now was not given',
    );
  });
});
