import { DatabaseTimeoutError, isDatabaseUnavailable } from './database-unavailable';

/** An error as a driver raises it: a message and a code. */
const driverError = (code: string, message = 'failed') =>
  Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a connection refused', driverError('ECONNREFUSED')],
    ['a server shutting down (57P01)', driverError('57P01')],
    ['a server starting up (57P03)', driverError('57P03')],
    ['a connection failure (08006)', driverError('08006')],
    ['too many connections (53300)', driverError('53300')],
    ['a full disk on PostgreSQL (53100)', driverError('53100')],
    ['a statement cancelled by statement_timeout (57014)', driverError('57014')],
    ['a full disk on SQLite', driverError('SQLITE_FULL')],
    ['an I/O error on SQLite (extended code)', driverError('SQLITE_IOERR_WRITE')],
    ['a locked SQLite database', driverError('SQLITE_BUSY')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
    ['our own deadline', new DatabaseTimeoutError(5000)],
    [
      "TypeORM's wrapper of a driver error",
      Object.assign(new Error('query failed'), { driverError: driverError('57P01') }),
    ],
    ['an error given as a cause', new Error('outer', { cause: driverError('ECONNRESET') })],
  ])('says yes for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', driverError('23505')],
    ['a syntax error (42601)', driverError('42601')],
    ['a SQLite constraint failure', driverError('SQLITE_CONSTRAINT_PRIMARYKEY')],
    ['a corrupt SQLite file (a bug or a disk fault, not a wait)', driverError('SQLITE_CORRUPT')],
    ['a plain error', new Error('boom')],
    ['a thrown string', 'boom'],
    ['nothing', undefined],
  ])('says no for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
