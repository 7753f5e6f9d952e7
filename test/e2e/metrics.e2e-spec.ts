import { request as httpRequest } from 'node:http';
import { MetricsServer } from '../../src/metrics/metrics-server';
import { ADMIN_KEY_ID, startTestApp, type TestApp } from '../support/test-app';
import { adminTokens, bearer, refresh } from '../support/factories';

/** Samples of a Prometheus text exposition: `name{labels}` (labels as printed) to value. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

async function scrape(t: TestApp): Promise<Map<string, number>> {
  const response = await t.http.get('/metrics').expect(200);
  expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parse(response.text);
}

/** How much each sample moved between two scrapes (absent before counts as 0). */
function moved(before: Map<string, number>, after: Map<string, number>, sample: string): number {
  expect({ sample, present: after.has(sample) }).toEqual({ sample, present: true });
  return (after.get(sample) ?? 0) - (before.get(sample) ?? 0);
}

function get(port: number, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    })
      .on('error', reject)
      .end();
  });
}

describe('Metrics', () => {
  describe('on the main port (the default)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(() => t.dispose());

    it('counts issue, rotate, reuse, revoke, refused exchanges and failures with their labels', async () => {
      const before = await scrape(t);
      // Every label value is there from the start, at 0: rate() works from the first scrape.
      for (const result of ['rotated', 'grace_retry', 'reused', 'expired', 'revoked', 'invalid'])
        expect(before.get(`auth_refresh_total{result="${result}"}`)).toBe(0);
      expect(before.get('auth_rate_limited_total')).toBe(0);

      // Issue (api_key), rotate, then reuse the rotated token: the session is revoked.
      const first = await adminTokens(t.http);
      const rotated = await refresh(t.http, first.refresh_token).expect(200);
      await refresh(t.http, first.refresh_token).expect(401);
      // Through a profile's wire format: counted the same.
      const second = await adminTokens(t.http);
      await t.http
        .post('/api/login/refresh-token')
        .send({ refreshToken: second.refresh_token })
        .expect(200);
      // Revoke a session, then present its refresh token.
      const third = await adminTokens(t.http);
      await t.http
        .delete(`/sessions/${third.session_state}`)
        .set(bearer(third.access_token))
        .expect(204);
      await refresh(t.http, third.refresh_token).expect(401);
      // Unknown refresh token; wrong secret; unknown key; refused access token.
      await refresh(t.http, 'A'.repeat(43)).expect(401);
      await t.http
        .post('/auth/token')
        .send({ api_key_id: ADMIN_KEY_ID, api_key_secret: 'W'.repeat(40) })
        .expect(401);
      await t.http
        .post('/auth/token')
        .send({ api_key_id: 'unknown-key-id-000001', api_key_secret: 'W'.repeat(40) })
        .expect(401);
      await t.http.get('/sessions').set(bearer(first.access_token)).expect(401);
      await t.http.get('/no/such/route/abc123').expect(404);

      const after = await scrape(t);
      const delta = (sample: string) => moved(before, after, sample);
      expect({
        issuedApiKey: delta('auth_tokens_issued_total{grant="api_key"}'),
        issuedRefresh: delta('auth_tokens_issued_total{grant="refresh_token"}'),
        rotated: delta('auth_refresh_total{result="rotated"}'),
        reused: delta('auth_refresh_total{result="reused"}'),
        revoked: delta('auth_refresh_total{result="revoked"}'),
        invalid: delta('auth_refresh_total{result="invalid"}'),
        expired: delta('auth_refresh_total{result="expired"}'),
        graceRetry: delta('auth_refresh_total{result="grace_retry"}'),
        revokedForReuse: delta('auth_sessions_revoked_total{reason="refresh_token_reused"}'),
        revokedByCall: delta('auth_sessions_revoked_total{reason="revoked"}'),
        wrongSecret: delta('auth_failed_total{reason="wrong_secret"}'),
        unknownKey: delta('auth_failed_total{reason="unknown_api_key"}'),
        invalidAccessToken: delta('auth_failed_total{reason="invalid_access_token"}'),
        rateLimited: delta('auth_rate_limited_total'),
      }).toEqual({
        issuedApiKey: 3,
        issuedRefresh: 2,
        rotated: 2,
        reused: 1,
        revoked: 1,
        invalid: 1,
        expired: 0,
        graceRetry: 0,
        revokedForReuse: 1,
        revokedByCall: 1,
        wrongSecret: 1,
        unknownKey: 1,
        invalidAccessToken: 1,
        rateLimited: 0,
      });
      expect(rotated.body.refresh_token).toEqual(expect.any(String));

      // The histogram: labelled by route template, never by the raw URL.
      const histogram = 'http_server_request_duration_seconds';
      expect(delta(`${histogram}_count{method="POST",route="/auth/token",status="200"}`)).toBe(3);
      expect(delta(`${histogram}_count{method="POST",route="/auth/token",status="401"}`)).toBe(2);
      expect(delta(`${histogram}_count{method="DELETE",route="/sessions/:id",status="204"}`)).toBe(
        1,
      );
      expect(delta(`${histogram}_count{method="GET",route="unmatched",status="404"}`)).toBe(1);
      expect(
        after.get(
          `${histogram}_bucket{le="+Inf",method="DELETE",route="/sessions/:id",status="204"}`,
        ) ??
          after.get(
            `${histogram}_bucket{method="DELETE",route="/sessions/:id",status="204",le="+Inf"}`,
          ),
      ).toBe(1);
      expect([...after.keys()].join('\n')).not.toContain(third.session_state);
      expect([...after.keys()].join('\n')).not.toContain('abc123');

      // prom-client's process metrics.
      expect(after.has('process_cpu_user_seconds_total')).toBe(true);
      expect(after.has('nodejs_heap_size_used_bytes')).toBe(true);
    });

    it('is public, and left out of the OpenAPI document', async () => {
      await t.http.get('/metrics').expect(200);
      const document = await t.http.get('/docs-json').expect(200);
      expect(Object.keys(document.body.paths)).not.toContain('/metrics');
    });
  });

  it('METRICS_ENABLED=false: no /metrics (404)', async () => {
    const t = await startTestApp({ env: { METRICS_ENABLED: 'false' } });
    try {
      await t.http.get('/metrics').expect(404);
      await adminTokens(t.http);
    } finally {
      await t.dispose();
    }
  });

  it('METRICS_PORT serves them on that port only; a 429 is counted', async () => {
    const t = await startTestApp({ env: { METRICS_PORT: '0', RATE_LIMIT_PER_MINUTE: '1' } });
    try {
      await t.http.get('/metrics').expect(404);
      const port = t.app.get(MetricsServer).port as number;
      expect(port).toBeGreaterThan(0);
      const before = await get(port, '/metrics');
      expect(before.status).toBe(200);
      await adminTokens(t.http);
      await refresh(t.http, 'A'.repeat(43)).expect(429);
      const after = parse((await get(port, '/metrics')).text);
      expect(moved(parse(before.text), after, 'auth_rate_limited_total')).toBe(1);
      expect(moved(parse(before.text), after, 'auth_tokens_issued_total{grant="api_key"}')).toBe(1);
      expect((await get(port, '/other')).status).toBe(404);
    } finally {
      await t.dispose();
    }
    // Closed with the app.
    await expect(get(t.app.get(MetricsServer).port ?? 1, '/metrics')).rejects.toThrow();
  });
});
