/** Parameters by name: every statement both dialects run is written with `@name` placeholders. */
export type SqlParams = Readonly<Record<string, unknown>>;

/**
 * The one way both dialects run a statement outside a transaction: SQLite takes `@name`
 * placeholders natively, PostgreSQL gets them rewritten to `$n` (toPositional). The shared store
 * classes (sql-stores.ts) are written against this, so a statement's shape is written once.
 */
export interface SqlRunner {
  rows<R>(sql: string, params: SqlParams): Promise<R[]>;
  /** Number of rows the statement changed. */
  changes(sql: string, params: SqlParams): Promise<number>;
}

export interface PositionalSql {
  readonly text: string;
  /** The parameter names in `$1`, `$2`, … order. */
  readonly names: readonly string[];
}

const NAMED = /@([A-Za-z_][A-Za-z0-9_]*)/g;

/** `WHERE id = @id AND x < @now` -> `WHERE id = $1 AND x < $2`; a name used twice keeps its number. */
export function toPositional(sql: string): PositionalSql {
  const names: string[] = [];
  const text = sql.replace(NAMED, (_, name: string) => {
    let index = names.indexOf(name);
    if (index < 0) index = names.push(name) - 1;
    return `$${index + 1}`;
  });
  return { text, names };
}

/** The values of `params` in the statement's order; a missing one is a bug in the caller, said at once. */
export function positionalValues(sql: PositionalSql, params: SqlParams): unknown[] {
  return sql.names.map((name) => {
    if (!(name in params)) throw new Error(`statement parameter @${name} was not given`);
    return params[name];
  });
}
