import type { ObjectLiteral, Repository } from 'typeorm';

/**
 * Deletes at most `limit` rows matching `where` (a condition on the alias `row`, with
 * `parameters`), chosen by their key column; returns how many. By key, because `DELETE … LIMIT`
 * is not SQL that PostgreSQL accepts (nor SQLite unless built for it).
 */
export async function deleteAtMost<Entity extends ObjectLiteral>(
  repository: Repository<Entity>,
  keyColumn: string,
  where: string,
  parameters: ObjectLiteral,
  limit: number,
): Promise<number> {
  const some = repository
    .createQueryBuilder('row')
    .select(`row.${keyColumn}`)
    .where(where)
    .limit(limit)
    .getQuery();
  const result = await repository
    .createQueryBuilder()
    .delete()
    .where(`${keyColumn} IN (${some})`, parameters)
    .execute();
  return result.affected ?? 0;
}
