/** A one-row read by one key; undefined when no row matches. */
export type KeyedRead<Row> = (key: string) => Promise<Row | undefined>;
