import { Column, type ColumnOptions } from 'typeorm';

/**
 * PostgreSQL returns `bigint` as a string; SQLite returns a number. Epoch milliseconds fit
 * comfortably in a double, so both come back as numbers.
 */
const epochTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/** An instant, stored as epoch milliseconds in a `bigint` on both dialects. */
export function EpochColumn(
  options: Omit<ColumnOptions, 'type' | 'transformer'> = {},
): PropertyDecorator {
  return Column({ ...options, type: 'bigint', transformer: epochTransformer });
}
