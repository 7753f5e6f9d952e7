import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room left free in each new page of `refresh_tokens`, in percent of the page.
 *
 * Every link of a chain is written once and updated once, when it is consumed. PostgreSQL
 * keeps that update on the row's own page ("HOT") only if the page has room for the new row
 * version, and then it adds no index entries: nothing new in the token-hash key nor in the
 * (session, generation) index, less WAL, and nothing in the indexes for VACUUM to remove. At
 * PostgreSQL's default of 100 a page is full by the time its rows are consumed, and 36% of
 * the updates were HOT. At 50 they all were, with 20% less WAL per rotation, the database's CPU
 * per rotation down by about 13% (within the machine's noise), and the table growing no faster:
 * the old versions are pruned from the page as it is next used. `npm run
 * bench:pg-rotation-write` measures it (see BENCHMARKS.md).
 */
const REFRESH_TOKENS_FILL_FACTOR = 50;

/** Applies to pages written from now on; existing pages stay as they are. */
export class PostgresRefreshTokensFillFactor1795390725935 implements MigrationInterface {
  name = 'PostgresRefreshTokensFillFactor1795390725935';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" SET (fillfactor = ${REFRESH_TOKENS_FILL_FACTOR})`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" RESET (fillfactor)`);
  }
}
