/** Reading the database's rows into the domain's shapes, the same for a server and the embedded database. */

/** A timestamp column (a Date from node-postgres, a string from a text cast) as ISO 8601 in UTC. */
export const iso = (value: unknown): string => new Date(value as string | Date).toISOString();

/** A nullable column, read with `as` when it holds a value. */
export const orNull = <T>(value: unknown, as: (value: unknown) => T): T | null => (value === null || value === undefined ? null : as(value));
