// Browser test: Debian's chromium, driven by playwright-core, against the real
// `breakwater serve`. Usage: node web_browser.mjs BINARY DATA_DIR OUT_DIR
// Screenshots go to OUT_DIR; the last line reads "N passed, M failed".
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [binary, dataDir, outDir] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
const results = { passed: 0, failed: 0 };

function check(name, ok, detail = '') {
  if (ok) results.passed++; else results.failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : ' ' + detail}`);
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function startServer(http, https, state) {
  const proc = spawn(binary, ['--data', dataDir, 'serve', '--http', `127.0.0.1:${http}`,
    '--https', `127.0.0.1:${https}`, '--state-dir', state, '--log-level', 'warn'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${log}`)), 30000);
    proc.stderr.on('data', (chunk) => {
      log += chunk;
      if (log.includes('listening on')) { clearTimeout(timer); resolve(proc); }
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${log}`)));
  });
}

const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Each context gets its own fresh profile directory (--user-data-dir).
async function openContext(options) {
  const profile = mkdtempSync(join(tmpdir(), 'bw-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: chromiumArgs,
    ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 }, ...options,
  });
  return { context, profile };
}

async function heading(page) {
  return (await page.locator('h1').innerText()).replace(/\s+/g, ' ').trim();
}

async function run(base, secure) {
  const { context, profile } = await openContext({});
  const page = context.pages()[0] ?? await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  try {
    await page.goto(`${base}/port/443`);
    check('/port/443 heading', (await heading(page)).startsWith('Port 443'), await heading(page));
    check('/port/443 shows IANA registrations', await page.locator('#iana h3', { hasText: 'TCP' }).count() === 1);
    check('/port/443 shows our entry', (await page.locator('#entry').innerText()).includes('Transport Layer Security'));
    check('/port/443 shows related ports as links', await page.locator('#entry a[href="/port/80"]').count() === 1);
    check('the probe control is present', (await page.locator('#probe').innerText()).includes('Probe port 443'));
    check('the stylesheet applied (header bar is a grid)',
      await page.locator('.portbar').evaluate((el) => getComputedStyle(el).display) === 'grid');
    await page.screenshot({ path: join(outDir, 'port-443-desktop.png'), fullPage: true });

    await page.getByRole('link', { name: /Next port/ }).click();
    await page.waitForURL(/\/port\/444$/);
    check('"next port" leads to /port/444', (await heading(page)).startsWith('Port 444'));

    await page.locator('#port-box').fill('22');
    await page.locator('#port-box').press('Enter');
    await page.waitForURL(/\/port\/22$/);
    check('the enter-port box leads to /port/22', (await heading(page)).startsWith('Port 22'));

    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/\/port\/23$/);
    check('the right arrow key steps to the next port (site.js)', (await heading(page)).startsWith('Port 23'));

    await page.goto(`${base}/`);
    await page.locator('#home-search').fill('remote desktop');
    await page.locator('#home-search').press('Enter');
    await page.waitForURL(/\/search\?q=remote\+desktop/);
    const rdp = page.locator('ol.results li a[href="/port/3389"]');
    check('search lists port 3389 among its results', await rdp.count() === 1);
    await page.screenshot({ path: join(outDir, 'search-remote-desktop.png'), fullPage: true });
    await rdp.click();
    await page.waitForURL(/\/port\/3389$/);
    check('a search result opens its port page', (await heading(page)).startsWith('Port 3389'));

    check('no console errors or CSP violations so far', consoleErrors.length === 0, consoleErrors.join(' | '));
    await page.goto(`${base}/port/70000`);
    check('/port/70000 explains the range', (await page.locator('main').innerText()).includes('0 to 65535'));
    consoleErrors.length = 0;  // chromium logs the 404 status of that page itself

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/port/443`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check('no sideways scrolling on a phone', overflow <= 0, `overflow ${overflow}px`);
    await page.screenshot({ path: join(outDir, 'port-443-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.goto(`${secure}/port/443`);
    const box = await page.locator('#tls').innerText();
    check('over HTTPS the TLS box shows version, ALPN and SNI',
      /TLSv1\.3/.test(box) && box.includes('http/1.1') && box.includes('localhost'), box);
    check('the TLS box shows the certificate fingerprint', /([0-9A-F]{2}:){31}[0-9A-F]{2}/.test(box));
    await page.screenshot({ path: join(outDir, 'port-443-https.png'), fullPage: true });
    await page.getByRole('link', { name: 'Show this page over plain HTTP' }).click();
    await page.waitForURL(/^http:\/\/.*\/port\/443$/);
    check('the link back to plain HTTP works', (await heading(page)).startsWith('Port 443'));
    check('no console errors or CSP violations', consoleErrors.length === 0, consoleErrors.join(' | '));
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }

  const noJs = await openContext({ javaScriptEnabled: false });
  try {
    const p = noJs.context.pages()[0] ?? await noJs.context.newPage();
    await p.goto(`${base}/port/443`);
    await p.locator('#port-box').fill('8080');
    await p.locator('#port-box').press('Enter');
    await p.waitForURL(/\/port\/8080$/);
    check('with JavaScript off, the enter-port box still works', (await heading(p)).startsWith('Port 8080'));
    await p.screenshot({ path: join(outDir, 'port-8080-no-js.png'), fullPage: true });
  } finally {
    await noJs.context.close();
    rmSync(noJs.profile, { recursive: true, force: true });
  }
}

const state = mkdtempSync(join(tmpdir(), 'bw-browser-state-'));
const http = await freePort();
const https = await freePort();
const server = await startServer(http, https, state);
try {
  await run(`http://127.0.0.1:${http}`, `https://localhost:${https}`);
} catch (e) {
  check('browser run completed', false, String(e));
} finally {
  server.kill('SIGTERM');
}
console.log(`screenshots in ${outDir}`);
console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
