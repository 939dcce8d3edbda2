// Browser test of the scan pages against the real scan service: run by run_scan_browser.sh
// inside the visitor namespace of the test bed, so the address the server probes is this
// browser's own. Usage: node scan_browser.mjs BASE_URL OUT_DIR EXPECT_JSON
// EXPECT_JSON: {"address":"198.18.0.2","open":[22,...],"closed":[3,...]}; every other port
// of 0-1055 must be stealth. Screenshots go to OUT_DIR; the last line reads "N passed, M failed".
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [base, outDir, expectFile] = process.argv.slice(2);
const expected = JSON.parse(readFileSync(expectFile, 'utf8'));
mkdirSync(outDir, { recursive: true });
const results = { passed: 0, failed: 0 };

function check(name, ok, detail = '') {
  if (ok) results.passed++; else results.failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : ' ' + detail}`);
}

const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function openContext(options) {
  const profile = mkdtempSync(join(tmpdir(), 'bw-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: chromiumArgs,
    viewport: { width: 1280, height: 900 }, ...options,
  });
  return { context, profile };
}

function wantState(port) {
  if (expected.open.includes(port)) return 'open';
  if (expected.closed.includes(port)) return 'closed';
  return 'stealth';
}

// Every cell of the grid: its port, its state class and its title.
async function cells(page) {
  return page.locator('#grid a.c').evaluateAll((els) => els.map((el) => ({
    port: Number(el.id.slice(1)),
    state: (el.className.match(/st-(\w+)/) || [])[1],
    title: el.title,
    href: el.getAttribute('href'),
  })));
}

// After "Start": the result page, or a failure that names what the server answered.
async function submitStart(page) {
  await page.locator('#start').click();
  try {
    await page.waitForURL(/\/scan\/[A-Za-z0-9_-]+$/, { timeout: 15000 });
  } catch (e) {
    const text = (await page.locator('main').innerText()).slice(0, 300);
    throw new Error(`no result page after Start: at ${page.url()}: ${text}`);
  }
}

async function startScan(page, kindLink) {
  await page.goto(`${base}/scan`);
  await page.getByRole('link', { name: kindLink }).first().click();
  await page.waitForURL(/\/scan\/confirm\?kind=/);
  await submitStart(page);
}

async function serviceScan() {
  const { context, profile } = await openContext({});
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(`${base}/`);
    check('the home page links the tests', await page.locator('#home-tests a').count() >= 6);
    check('the navigation has a Scan entry', await page.locator('header nav a[href="/scan"]').count() === 1);
    await page.goto(`${base}/scan`);
    check('/scan names the address to be probed',
      (await page.locator('#target').innerText()) === expected.address, await page.locator('#target').innerText());
    await page.screenshot({ path: join(outDir, 'scan-choose-desktop.png'), fullPage: true });

    await page.getByRole('link', { name: 'All service ports (0-1055)' }).first().click();
    await page.waitForURL(/\/scan\/confirm\?kind=service$/);
    const confirm = await page.locator('main').innerText();
    check('the confirm page states the address, the probes and the duration',
      confirm.includes(expected.address) && confirm.includes('1056 ports') &&
      confirm.includes('reset') && /About .*(second|minute)/.test(confirm), confirm.slice(0, 400));
    await page.screenshot({ path: join(outDir, 'scan-confirm-desktop.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    const confirmOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check('the confirm page fits a phone', confirmOverflow <= 0, `overflow ${confirmOverflow}px`);
    await page.screenshot({ path: join(outDir, 'scan-confirm-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await submitStart(page);
    const resultUrl = page.url();
    check('the result page shows the grid at once', await page.locator('#grid a.c').count() === 1056);

    // Live filling: a cell changes while this very document is still loaded.
    await page.evaluate(() => { window.bwMarker = 1; });
    let live = false;
    try {
      await page.waitForFunction(() => window.bwMarker === 1 &&
        document.querySelectorAll('#grid a.c:not(.st-pending)').length > 0 &&
        document.querySelectorAll('#grid a.c.st-pending').length > 0, null, { timeout: 60000 });
      live = true;
      await page.screenshot({ path: join(outDir, 'scan-running-desktop.png'), fullPage: true });
    } catch (e) { /* reported below */ }
    check('cells fill in live from the server-sent events (no reload)', live);

    await page.waitForSelector('#verdict', { timeout: 180000 });
    check('the page shows the verdict when the scan is done', page.url() === resultUrl);
    const got = await cells(page);
    const wrong = [];
    for (const c of got) {
      const want = wantState(c.port);
      if (c.state !== want) wrong.push(`${c.port}: ${c.state}, want ${want}`);
      if (!c.title.includes(`Port ${c.port}: ${want}`)) wrong.push(`${c.port} title "${c.title}"`);
      if (c.href !== `/port/${c.port}`) wrong.push(`${c.port} href ${c.href}`);
    }
    check('1056 cells, one per port 0-1055', got.length === 1056 &&
      got.every((c, i) => c.port === i), `${got.length} cells`);
    check('every cell has the expected state, title and link', wrong.length === 0, wrong.slice(0, 10).join('; '));
    const colours = await page.evaluate(() => {
      const pick = (cls) => { const el = document.querySelector(`#grid a.c.${cls}`); return el && getComputedStyle(el).backgroundColor; };
      return { open: pick('st-open'), closed: pick('st-closed'), stealth: pick('st-stealth') };
    });
    check('open cells are red, closed blue, stealth green',
      colours.open === 'rgb(208, 2, 27)' && colours.closed === 'rgb(31, 95, 191)' &&
      colours.stealth === 'rgb(46, 154, 63)', JSON.stringify(colours));
    const nOpen = Number(await page.locator('#n-open').innerText());
    const nClosed = Number(await page.locator('#n-closed').innerText());
    const nStealth = Number(await page.locator('#n-stealth').innerText());
    check('the counts match', nOpen === expected.open.length && nClosed === expected.closed.length &&
      nStealth === 1056 - expected.open.length - expected.closed.length, `${nOpen}/${nClosed}/${nStealth}`);
    const listed = await page.locator('#answered li a').evaluateAll((els) => els.map((a) => Number(a.textContent.replace('Port ', ''))));
    const nonStealth = [...expected.open, ...expected.closed].sort((a, b) => a - b);
    check('the text list names every port that answered', JSON.stringify(listed) === JSON.stringify(nonStealth),
      JSON.stringify(listed));
    const verdict = await page.locator('#verdict').innerText();
    check('the verdict names the open ports in plain words',
      verdict.includes(`${expected.open.length} ports of your connection accept connections`) &&
      expected.open.every((p) => verdict.includes(`Port ${p}`)), verdict.slice(0, 300));
    check('the page says results are kept in memory only',
      (await page.locator('#retention').innerText()).includes('kept in memory only'));
    await page.screenshot({ path: join(outDir, 'scan-done-desktop.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check('no sideways scrolling on a phone', overflow <= 0, `overflow ${overflow}px`);
    await page.screenshot({ path: join(outDir, 'scan-done-phone.png'), fullPage: true });
    check('no console errors or CSP violations', errors.length === 0, errors.join(' | '));
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function singlePortProbe() {
  const { context, profile } = await openContext({});
  const page = context.pages()[0] ?? await context.newPage();
  try {
    const port = expected.open[0];
    await page.goto(`${base}/port/${port}`);
    await page.locator('#probe button').click();
    await page.waitForURL(new RegExp(`/port/${port}/probe\\??$`));
    await submitStart(page);
    await page.waitForFunction(() => /Open|Closed|Stealth/.test(document.getElementById('state').textContent),
      null, { timeout: 60000 });
    check(`probing port ${port} from its page says Open`,
      (await page.locator('#state').innerText()) === 'Open', await page.locator('#state').innerText());
    check('the probe result sits on the port page', (await page.locator('h1').innerText()).startsWith(`Port ${port}`));
    await page.screenshot({ path: join(outDir, `probe-port-${port}.png`), fullPage: true });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

// The full range shows its estimate first; while it runs, a second scan from the same
// address gets the fair-use page (429); the cancel button stops it.
async function fullRangeFairUseAndCancel() {
  const { context, profile } = await openContext({});
  const page = context.pages()[0] ?? await context.newPage();
  try {
    await page.goto(`${base}/scan/confirm?kind=full`);
    const estimate = await page.locator('#estimate').innerText();
    check('the full range shows how long it takes before it starts',
      /About \d+ (seconds|minutes)|About .*hour/.test(estimate), estimate);
    await submitStart(page);
    const other = await context.newPage();
    await other.goto(`${base}/scan/confirm?kind=common`);
    const [answer] = await Promise.all([
      other.waitForResponse((r) => r.request().method() === 'POST'),
      other.locator('#start').click(),
    ]);
    await other.waitForLoadState();
    const text = await other.locator('main').innerText();
    check('a second scan at the same time gets 429 and the fair-use page',
      answer.status() === 429 && text.includes('Fair use'), `${answer.status()} ${text.slice(0, 200)}`);
    await other.screenshot({ path: join(outDir, 'fair-use-429.png'), fullPage: true });
    await other.close();
    await page.locator('#cancel').click();
    await page.waitForSelector('#verdict', { timeout: 30000 });
    check('the cancel button stops the scan', (await page.locator('#phase').innerText()) === 'Cancelled',
      await page.locator('#phase').innerText());
    await page.screenshot({ path: join(outDir, 'full-range-cancelled.png'), fullPage: true });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function withoutJavaScript() {
  const { context, profile } = await openContext({ javaScriptEnabled: false });
  const page = context.pages()[0] ?? await context.newPage();
  try {
    await startScan(page, 'File sharing (137-139, 445)');
    // No script: the page refreshes itself (noscript meta refresh) until the verdict is there.
    await page.waitForSelector('#verdict', { timeout: 120000 });
    const got = await cells(page);
    const wrong = got.filter((c) => c.state !== wantState(c.port));
    check('without JavaScript the page refreshes until the verdict', got.length === 4 && wrong.length === 0,
      JSON.stringify(got));
    await page.screenshot({ path: join(outDir, 'file-sharing-no-js.png'), fullPage: true });
    await page.goto(`${base}/headers`);
    check('/headers shows the User-Agent this browser sent',
      (await page.locator('#headers').innerText()).includes('HeadlessChrome'));
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

for (const step of [serviceScan, singlePortProbe, fullRangeFairUseAndCancel, withoutJavaScript]) {
  try {
    await step();
  } catch (e) {
    check(`${step.name} completed`, false, String(e));
  }
}
console.log(`screenshots in ${outDir}`);
console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
