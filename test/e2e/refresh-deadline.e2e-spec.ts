import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../libs/auth/src/common/crypto';
import { uuidv7 } from '../../libs/auth/src/common/ids';
import { RefreshTokensRepository } from '../../libs/auth/src/sessions/refresh-tokens.repository';
import { refreshTokenKey } from '../../libs/auth/src/sessions/refresh-token-key';
import type { RotationAttempt } from '../../libs/auth/src/sessions/session-writes';
import { adminTokens, loggedInOperator, refresh } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * A rotation's write carries its request's deadline (DATABASE_TIMEOUT_MS after it began): run
 * later (a queue, a frozen database), it consumes nothing, so the 503 the request answered
 * stays true and the client's retry with the same token succeeds.
 */
describe("Rotation writes past their request's deadline", () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await adminTokens(t.http)).access_token;
  });
  afterAll(() => t.dispose());

  function attemptFor(refreshToken: string, deadline: number): RotationAttempt {
    return {
      presentedHash: refreshTokenKey(refreshToken),
      now: Date.now(),
      successorHash: sha256Hex(randomBytes(32).toString('base64url')),
      successorSealed: null,
      successorTtlMs: 60_000,
      forgetSealed: false,
      onlyForApiKey: null,
      auditId: uuidv7(),
      auditIp: '203.0.113.5',
      clientAddress: null,
      deadline,
    };
  }

  it('consume nothing and write no audit event; the token refreshes afterwards', async () => {
    const operator = await loggedInOperator(t.http, admin);
    const statements = t.app.get(RefreshTokensRepository).statements();
    const late = attemptFor(operator.tokens.refresh_token, Date.now() - 1);

    expect(await statements.rotateIfAllowed(late)).toBeNull();

    const rows = await t.dataSource.query<{ links: string | number; events: string | number }[]>(
      `SELECT (SELECT count(*) FROM refresh_tokens WHERE session_id = '${operator.tokens.session_state}') AS links,
              (SELECT count(*) FROM audit_events WHERE id = '${late.auditId}') AS events`,
    );
    expect(rows.map((row) => [Number(row.links), Number(row.events)])).toEqual([[1, 0]]);
    await refresh(t.http, operator.tokens.refresh_token).expect(200);
  });

  it('within the deadline, rotate as usual', async () => {
    const operator = await loggedInOperator(t.http, admin);
    const statements = t.app.get(RefreshTokensRepository).statements();
    const inTime = attemptFor(operator.tokens.refresh_token, Date.now() + 60_000);
    expect(await statements.rotateIfAllowed(inTime)).toEqual(
      expect.objectContaining({ sessionId: operator.tokens.session_state, generation: 0 }),
    );
  });
});
