import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { ADMIN_KEY_ID, ADMIN_KEY_SECRET, startTestApp, type TestApp } from '../support/test-app';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

/** The operation block of Swagger UI for one method and path. */
function operation(page: Page, method: 'get' | 'post', path: string): Locator {
  return page.locator(`.opblock-${method}`, {
    has: page.locator(`.opblock-summary-path[data-path="${path}"]`),
  });
}

/** Expands an operation, clicks "Try it out", optionally fills the JSON body, and executes it. */
async function tryItOut(block: Locator, body?: object): Promise<void> {
  await block.locator('.opblock-summary').first().click();
  await block.locator('button.try-out__btn').click();
  if (body) await block.locator('textarea.body-param__text').fill(JSON.stringify(body));
  await block.locator('button.execute').click();
  await block.locator('.live-responses-table tbody .response-col_status').first().waitFor();
}

describe('Swagger UI in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { PROFILES: 'all' } });
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.dispose();
  });

  it('gets a token through "Try it out", authorizes with it and calls GET /api-users/me (200)', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await page.goto(`${base}/docs`);
    await page.locator('.swagger-ui .opblock').first().waitFor();

    const token = operation(page, 'post', '/auth/token');
    await tryItOut(token, { api_key_id: ADMIN_KEY_ID, api_key_secret: ADMIN_KEY_SECRET });
    await expect(
      token.locator('.live-responses-table tbody .response-col_status').first().innerText(),
    ).resolves.toContain('200');
    const responseBody = await token
      .locator('.live-responses-table tbody .response-col_description .highlight-code pre')
      .first()
      .innerText();
    const accessToken = (JSON.parse(responseBody) as { access_token: string }).access_token;
    expect(accessToken.split('.')).toHaveLength(3);

    await page.locator('.auth-wrapper button.authorize').click();
    const dialog = page.locator('.dialog-ux');
    await dialog.locator('input[type="text"], input[type="password"]').first().fill(accessToken);
    await dialog.locator('button.authorize').first().click();
    await dialog.locator('button.btn-done').first().click();

    const me = operation(page, 'get', '/api-users/me');
    await tryItOut(me);
    await expect(
      me.locator('.live-responses-table tbody .response-col_status').first().innerText(),
    ).resolves.toContain('200');
    await expect(
      me
        .locator('.live-responses-table tbody .response-col_description .highlight-code pre')
        .first()
        .innerText(),
    ).resolves.toContain('"role": "admin"');

    mkdirSync(ARTIFACTS, { recursive: true });
    await me.scrollIntoViewIfNeeded();
    await page.screenshot({
      path: join(ARTIFACTS, 'swagger-ui-authorized-me.png'),
      fullPage: false,
    });
    await page.close();
  });
});
