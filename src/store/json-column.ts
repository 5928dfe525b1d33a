/** JSON columns as both stores read and write them. */

export type Nullable<T> = T | null;
/** A JSON column's value: parsed (PostgreSQL JSONB) or text (SQLite). */
export type Json<T> = T | string;

/** PostgreSQL hands JSONB back parsed, SQLite as text. */
export function parseJson<T>(value: Json<T>): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

export function orUndefined<T>(value: T | null | undefined): T | undefined {
  return value === null || value === undefined ? undefined : value;
}

export function encodeJson(value: unknown): string {
  return JSON.stringify(value);
}

export function encodeOptionalJson(value: unknown): string | null {
  return value === undefined ? null : encodeJson(value);
}
