import WebSocket from 'ws';
import { expect, saveScreen, test } from './fixtures';

// starting the web host (embedded backend, virtual reader) and restarting it takes over a minute on a loaded machine
test.describe.configure({ timeout: 180_000 });

test.describe('foundation', () => {
  test('the app opens in French', async ({ app }) => {
    await expect(app.locator('html')).toHaveAttribute('lang', 'fr');
    await expect(app.getByRole('heading', { level: 1 })).toHaveText('Connexion');
    await expect(app.getByText('Insérez votre carte CPS dans le lecteur pour vous connecter.')).toBeVisible();
    // the live state from the core reaches the screen
    await expect(app.getByTestId('card-status')).not.toHaveAttribute('data-status', 'starting');
    await expect(app.getByTestId('connection-banner')).toHaveCount(0);
    await saveScreen(app, 'home');
  });

  test('switching to English changes the visible text and is remembered after a restart', async ({
    app,
    vigie,
  }) => {
    await app.getByRole('radio', { name: 'English' }).click();
    await expect(app.getByRole('heading', { level: 1 })).toHaveText('Sign in');
    await expect(app.locator('html')).toHaveAttribute('lang', 'en');
    await expect(app.getByText('Insérez votre carte CPS')).toHaveCount(0);
    await saveScreen(app, 'home');

    await vigie.restart();
    await app.goto(vigie.url);
    await expect(app.getByRole('heading', { level: 1 })).toHaveText('Sign in');
    await app.getByRole('radio', { name: 'Français' }).click();
    await expect(app.getByRole('heading', { level: 1 })).toHaveText('Connexion');
  });

  test('the page has a strict CSP and no console errors', async ({ page, vigie }) => {
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    const response = await page.goto(vigie.url);
    const header = response?.headers()['content-security-policy'] ?? '';
    expect(header).toContain("default-src 'none'");
    expect(header).toContain("script-src 'self'");
    expect(header).not.toContain('unsafe-inline');
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(meta).toContain("script-src 'self'");
    expect(meta).not.toContain('unsafe');
    await expect(page.getByTestId('card-status')).toBeVisible();
    await page.waitForTimeout(500);
    expect(errors).toEqual([]);
  });

  test('the WebSocket refuses a wrong token and a foreign Origin', async ({ vigie }) => {
    const attempt = (token: string, origin: string) =>
      new Promise<number | 'open'>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${vigie.port}/api?token=${token}`, { origin });
        ws.on('open', () => {
          ws.close();
          resolve('open');
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => resolve(0));
      });
    const ours = `http://127.0.0.1:${vigie.port}`;
    expect(await attempt('wrong-token', ours)).toBe(401);
    expect(await attempt('', ours)).toBe(401);
    expect(await attempt(vigie.token, 'http://evil.example')).toBe(403);
    expect(await attempt(vigie.token, ours)).toBe('open');
  });

  test('a renderer-API call that breaks the schema is refused with a clear code', async ({ vigie }) => {
    const ws = new WebSocket(`ws://127.0.0.1:${vigie.port}/api?token=${vigie.token}`, {
      origin: `http://127.0.0.1:${vigie.port}`,
    });
    await new Promise((r) => ws.once('open', r));
    const ask = (msg: unknown) =>
      new Promise<unknown>((resolve) => {
        ws.once('message', (d) => resolve(JSON.parse(String(d))));
        ws.send(JSON.stringify(msg));
      });
    expect(await ask({ t: 'call', id: 1, ch: 'app.setLanguage', req: { language: 'de' } })).toMatchObject({
      t: 'result',
      id: 1,
      res: { ok: false, code: 'INVALID_REQUEST' },
    });
    expect(await ask({ t: 'call', id: 2, ch: 'card.sendApdu', req: '00A4' })).toMatchObject({
      res: { ok: false, code: 'INVALID_REQUEST' },
    });
    expect(await ask({ t: 'call', id: 3, ch: 'app.getInfo' })).toMatchObject({
      res: { ok: true, value: { name: 'Vigie', mode: 'browser', language: 'fr' } },
    });
    ws.close();
  });
});
