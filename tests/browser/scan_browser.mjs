// Browser test of the scan pages against the real scan service: run by run_scan_browser.sh
// inside the visitor namespace of the test bed, so the address the server probes is this
// browser's own. Usage: node scan_browser.mjs BASE_URL OUT_DIR EXPECT_JSON [udp]
// EXPECT_JSON: {"address":"198.18.0.2","open":[22,...],"closed":[3,...],
// "udp":{"open":[53,...],"filtered":[161],"silent":[51820,...]}}; every other port of 0-1055
// must be stealth, every other UDP port closed. With "udp" only the UDP steps run (the bed
// then has its UDP services up). Screenshots go to OUT_DIR; the last line reads
// "N passed, M failed".
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [base, outDir, expectFile, part] = process.argv.slice(2);
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

// Without JavaScript the probe control leads to the confirm page, whose POST starts the probe
// and whose result page reloads itself until the verdict is in.
async function singlePortProbeWithoutJavaScript() {
  const { context, profile } = await openContext({ javaScriptEnabled: false });
  const page = context.pages()[0] ?? await context.newPage();
  try {
    const port = expected.open[0];
    await page.goto(`${base}/port/${port}`);
    await page.locator('#probe-tcp').click();
    await page.waitForURL(new RegExp(`/port/${port}/probe(\\?(transport=tcp)?)?$`));
    check('without JavaScript the probe control opens the confirm page with the address',
      (await page.locator('#target').innerText()) === expected.address);
    await submitStart(page);
    // The page reloads itself (noscript refresh) until the verdict is in.
    await page.locator('#state', { hasText: /Open|Closed|Stealth/ }).waitFor({ timeout: 60000 });
    check(`probing port ${port} from its page says Open`,
      (await page.locator('#state').innerText()) === 'Open', await page.locator('#state').innerText());
    check('the probe result sits on the port page', (await page.locator('h1').innerText()).startsWith(`Port ${port}`));
    await page.screenshot({ path: join(outDir, `probe-port-${port}-no-js.png`), fullPage: true });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

// With JavaScript the same control answers on /port/N itself: it states the address first,
// probes after "Probe now", and shows the verdict with what it means for this port.
async function inlineProbe(page, port, want, shot) {
  await page.goto(`${base}/port/${port}`);
  const url = page.url();
  await page.locator('#probe-tcp').click();
  await page.waitForSelector('#probe-now', { timeout: 10000 });
  check(`port ${port}: the control opens a box under the header bar instead of navigating`,
    page.url() === url && await page.evaluate(() =>
      document.querySelector('.portbar').nextElementSibling.id === 'probe-box'), page.url());
  const plan = await page.locator('#probe-plan').innerText();
  check(`port ${port}: the box states the probe and the address before anything is sent`,
    (await page.locator('#probe-address').innerText()) === expected.address &&
    plan.includes(`one TCP SYN (a connection request) to port ${port} of ${expected.address}`), plan);
  check(`port ${port}: "Probe now" has the focus`,
    await page.evaluate(() => document.activeElement && document.activeElement.id === 'probe-now'));
  if (shot) await page.screenshot({ path: join(outDir, `${shot}-confirm.png`), fullPage: true });
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/check/${port}`), { timeout: 60000 }),
    page.locator('#probe-now').click(),
  ]);
  await page.waitForSelector('#probe-state', { timeout: 60000 });
  check(`port ${port}: the check answered 200`, answer.status() === 200, String(answer.status()));
  const state = await page.locator('#probe-state').innerText();
  const explain = await page.locator('#probe-explain').innerText();
  const reason = await page.locator('#probe-reason').innerText();
  const word = want[0].toUpperCase() + want.slice(1);
  check(`port ${port}: the verdict says ${word} in words and colour`, state === word &&
    await page.locator(`#probe-status.probe-verdict.st-${want}`).count() === 1, state);
  check(`port ${port}: the explanation names the port and what ${want} means`,
    new RegExp(`^Port ${port}\\b.* is ${want}: `).test(explain), explain);
  check(`port ${port}: reason, round trip and the probed address are shown`,
    reason.startsWith('Reason: ') && reason.includes('Round trip: ') &&
    reason.includes(`Probed address: ${expected.address}.`), reason);
  check(`port ${port}: the page stayed where it was`, page.url() === url, page.url());
  return { state, explain, reason };
}

async function inlineProbes() {
  const { context, profile } = await openContext({});
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    const open = expected.open[0];
    const r = await inlineProbe(page, open, 'open', `probe-inline-${open}`);
    check(`port ${open}: SYN-ACK is the reason, with a round trip in ms`,
      /Reason: SYN-ACK.*Round trip: \d+\.\d ms/.test(r.reason), r.reason);
    check(`port ${open}: the box points to the page's advice`,
      await page.locator('#probe-advice a[href="#exposure"]').count() === 1 &&
      await page.locator('#exposure').count() === 1);
    const colour = await page.locator('#probe-status').evaluate((el) => getComputedStyle(el).borderLeftColor);
    check('the open verdict has the red border of the grid', colour === 'rgb(208, 2, 27)', colour);
    await page.screenshot({ path: join(outDir, `probe-inline-${open}-open.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check('the inline verdict fits a phone', overflow <= 0, `overflow ${overflow}px`);
    await page.screenshot({ path: join(outDir, `probe-inline-${open}-phone.png`) });
    await page.setViewportSize({ width: 1280, height: 900 });

    // 445 is refused with ICMP admin-prohibited by this visitor's firewall: closed, and the
    // ICMP message is named.
    const closed = expected.closed.includes(445) ? 445 : expected.closed[0];
    const c = await inlineProbe(page, closed, 'closed', null);
    check(`port ${closed}: the reason names the ICMP message`,
      c.reason.includes('ICMP unreachable (admin prohibited)'), c.reason);
    await page.screenshot({ path: join(outDir, `probe-inline-${closed}-closed.png`), fullPage: true });

    const stealth = 3389;
    const s = await inlineProbe(page, stealth, 'stealth', null);
    check(`port ${stealth}: no answer and no round trip`,
      s.reason.includes('no answer') && s.reason.includes('Round trip: none'), s.reason);
    await page.screenshot({ path: join(outDir, `probe-inline-${stealth}-stealth.png`), fullPage: true });

    // Close, then Escape: the box goes away and the focus returns to the control.
    await page.locator('#probe-close').click();
    check('Close hides the box and returns the focus to the control',
      await page.locator('#probe-box').isHidden() &&
      await page.evaluate(() => document.activeElement === document.querySelector('#probe-tcp')));
    check('no console errors or CSP violations in the inline probe', errors.length === 0, errors.join(' | '));
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

// While a scan of this address runs, the inline probe shows the API's 429 and its
// Retry-After in the box.
async function inlineProbeRefused() {
  const { context, profile } = await openContext({});
  const page = context.pages()[0] ?? await context.newPage();
  try {
    const other = await context.newPage();
    await other.goto(`${base}/scan/confirm?kind=full`);
    await submitStart(other);
    await page.goto(`${base}/port/${expected.open[0]}`);
    await page.locator('#probe-tcp').click();
    await page.locator('#probe-now').click();
    await page.waitForSelector('#probe-error', { timeout: 30000 });
    const box = await page.locator('#probe-status').innerText();
    check('a refused probe shows the API message and when to try again',
      box.includes('Please wait a little') && box.includes('is already running') &&
      /try again in \d+ seconds?/.test(box) &&
      await page.locator('#probe-status a[href$="/probe"]').count() === 1, box);
    await page.screenshot({ path: join(outDir, 'probe-inline-429.png'), fullPage: true });
    await other.locator('#cancel').click();
    await other.waitForSelector('#verdict', { timeout: 30000 });

    // Answers the server gives rarely, made up in the browser (nothing is probed): a busy
    // service, a lost network, and a server without the scan service.
    const status = page.locator('#probe-status');
    await page.route('**/api/v1/check/*', (route) => route.fulfill({
      status: 503, contentType: 'application/json', headers: { 'Retry-After': '10' },
      body: '{"error":{"code":"busy","message":"The server is running <b>32</b> scans."}}' }));
    await page.locator('#probe-retry').click();
    await page.waitForSelector('#probe-status:has-text("<b>32</b>")', { timeout: 10000 });
    check('a 503 shows its message as text (no markup) and its Retry-After',
      (await status.innerText()).includes('could not answer now') &&
      (await status.innerText()).includes('try again in 10 seconds') &&
      await page.locator('#probe-status b').count() === 0, await status.innerText());
    await page.unroute('**/api/v1/check/*');
    await page.route('**/api/v1/check/*', (route) => route.abort('connectionreset'));
    await page.locator('#probe-retry').click();
    await page.waitForSelector('#probe-status:has-text("network failed")', { timeout: 10000 });
    check('a network failure says so in the box', (await status.innerText()).includes('could not be reached'),
      await status.innerText());
    await page.unroute('**/api/v1/check/*');
    await page.route('**/api/v1/address', (route) => route.fulfill({
      status: 404, contentType: 'application/json',
      body: '{"error":{"code":"not_found","message":"no such API path; see docs/api.md"}}' }));
    await page.reload();
    await page.locator('#probe-tcp').click();
    await page.waitForSelector('#probe-error', { timeout: 10000 });
    check('without the scan service the box says probes are not offered, and nothing is probed',
      (await status.innerText()).includes('does not offer probes') &&
      await page.locator('#probe-now').count() === 0, await status.innerText());
    await page.unroute('**/api/v1/address');
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

function wantUdp(port) {
  const u = expected.udp;
  if (u.open.includes(port)) return 'open';
  if (u.filtered.includes(port)) return 'filtered';
  if (u.silent.includes(port)) return 'stealth';
  return 'closed';
}

// The UDP test: its own grid that fills in live, marked UDP; each answering port listed with
// its finding, sizes and answer (as text); filtered and silent ports said as such; the verdict
// leads with the reflectors, in the findings table's words.
async function udpScan() {
  const { context, profile } = await openContext({});
  // What scan.js adds to a running page, kept across the reload at the end: the UDP cells
  // still pending when the page loaded, and every UDP list item added after that.
  await context.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const root = document.getElementById('scan');
      if (!root || root.getAttribute('data-phase') !== 'running' ||
        !document.getElementById('grid-udp')) return;
      const pending = [...document.querySelectorAll('#grid-udp a.c.st-pending')].map((c) => c.id);
      sessionStorage.setItem('bw-pending', JSON.stringify(pending));
      new MutationObserver((records) => {
        for (const r of records) {
          for (const n of r.addedNodes) {
            if (n.nodeType !== 1 || !/^u[as]\d+$/.test(n.id)) continue;
            sessionStorage.setItem(`bw-added-${n.id}`, JSON.stringify({
              text: n.innerText, markup: n.querySelectorAll('i').length,
              reach: n.querySelectorAll('a[href="/reach"]').length,
            }));
          }
        }
      }).observe(root, { childList: true, subtree: true });
    });
  });
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(`${base}/scan`);
    const description = await page.locator('#tests').innerText();
    check('/scan offers the UDP test with what it sends and what an answer means',
      description.includes('UDP services and reflectors') && description.includes('memcached') &&
      description.includes('one small request in its own protocol'), description.slice(0, 300));
    await page.getByRole('link', { name: 'UDP services and reflectors' }).first().click();
    await page.waitForURL(/\/scan\/confirm\?kind=udp$/);
    const confirm = await page.locator('main').innerText();
    check('the UDP confirm page states the address and the UDP requests',
      confirm.includes(expected.address) && /one small UDP request to each of \d+ UDP ports/.test(confirm) &&
      !confirm.includes('SYN'), confirm.slice(0, 400));
    await page.screenshot({ path: join(outDir, 'udp-confirm-desktop.png'), fullPage: true });
    await submitStart(page);
    const total = await page.locator('#grid-udp a.c').count();
    check('the UDP grid is there at once, and no TCP grid', total >= 20 &&
      await page.locator('#grid').count() === 0, `${total} UDP cells`);

    // Live: verdicts arrive while this very document is loaded (the silent ports keep the
    // scan running for their tries).
    await page.evaluate(() => { window.bwMarker = 1; });
    let live = false;
    try {
      await page.waitForFunction(() => window.bwMarker === 1 &&
        document.querySelector('#grid-udp a.c:not(.st-pending)') !== null &&
        document.querySelectorAll('#grid-udp a.c.st-pending').length > 0, null, { timeout: 60000 });
      live = true;
      await page.screenshot({ path: join(outDir, 'udp-running-desktop.png'), fullPage: true });
    } catch (e) { /* reported below */ }
    check('UDP cells fill in live from the server-sent events', live);

    await page.waitForSelector('#verdict', { timeout: 120000 });
    // What scan.js wrote for the ports still pending when the page loaded.
    const added = await page.evaluate(() => {
      const out = { pending: JSON.parse(sessionStorage.getItem('bw-pending') || '[]') };
      for (let i = 0; i < sessionStorage.length; i++) {
        const key = sessionStorage.key(i);
        if (key.startsWith('bw-added-')) out[key.slice(9)] = JSON.parse(sessionStorage.getItem(key));
      }
      return out;
    });
    const silentLive = expected.udp.silent.filter((p) => added.pending.includes(`u${p}`));
    check('scan.js lists silent WireGuard ports live with the note and the reachability check',
      silentLive.length > 0 && silentLive.every((p) => added[`us${p}`] &&
        added[`us${p}`].text.includes('healthy WireGuard port') && added[`us${p}`].reach === 1),
    JSON.stringify(added));
    if (added.pending.includes('u11211')) {
      const item = added.ua11211 || { text: '' };
      check('scan.js lists a live UDP answer with its finding, sizes and text, never as markup',
        item.text.includes('Your address runs memcached with UDP open to the internet: it can ' +
          'be used to attack others (amplification x2).') &&
        item.text.includes('17 bytes sent, 34 bytes back in 1 datagram') &&
        item.text.includes('VERSION 1.6.21 <i>bw</i>') && item.markup === 0, JSON.stringify(item));
    } else {
      check('memcached answered after the page loaded (its first try goes unanswered)', false,
        JSON.stringify(added.pending));
    }
    const got = await page.locator('#grid-udp a.c').evaluateAll((els) => els.map((el) => ({
      port: Number(el.id.slice(1)), id: el.id,
      state: (el.className.match(/st-(\w+)/) || [])[1], title: el.title,
    })));
    const udpWords = { open: 'open', closed: 'closed', filtered: 'filtered', stealth: 'no answer' };
    const wrong = [];
    for (const c of got) {
      const want = wantUdp(c.port);
      if (c.state !== want) wrong.push(`${c.port}: ${c.state}, want ${want}`);
      if (!c.id.startsWith('u') || !c.title.startsWith(`UDP port ${c.port}`) ||
        !c.title.endsWith(`: ${udpWords[want]}`)) wrong.push(`${c.port} "${c.title}"`);
    }
    check('every UDP cell has the expected state and says UDP', got.length === total &&
      wrong.length === 0, wrong.slice(0, 10).join('; '));
    const tag = await page.locator('#grid-udp .tag').innerText();
    check('the UDP grid is marked UDP', tag === 'UDP', tag);
    const colour = await page.evaluate(() => {
      const el = document.querySelector('#grid-udp a.c.st-filtered');
      return el && getComputedStyle(el).backgroundColor;
    });
    check('filtered UDP cells have their own colour', colour === 'rgb(123, 63, 179)', String(colour));
    const u = expected.udp;
    const counts = {
      open: Number(await page.locator('#nu-open').innerText()),
      closed: Number(await page.locator('#nu-closed').innerText()),
      filtered: Number(await page.locator('#nu-filtered').innerText()),
      stealth: Number(await page.locator('#nu-stealth').innerText()),
    };
    check('the UDP counts match', counts.open === u.open.length &&
      counts.filtered === u.filtered.length && counts.stealth === u.silent.length &&
      counts.closed === total - u.open.length - u.filtered.length - u.silent.length,
    JSON.stringify(counts));
    check('progress counts every UDP port',
      (await page.locator('#progress').innerText()).includes(`${total} of ${total} ports decided`),
      await page.locator('#progress').innerText());

    const dns = await page.locator('#answered-udp li#ua53').innerText();
    check('the open resolver is listed with protocol, sizes, amplification, summary and finding',
      dns.startsWith('UDP 53 DNS: open') && dns.includes('29 bytes sent, 45 bytes back') &&
      dns.includes('amplification x1.6') && dns.includes('a DNS resolver open to anyone') &&
      dns.includes('Your address answers DNS queries from anyone: it can be used to attack ' +
        'others (amplification x1.6).'), dns);
    const mc = await page.locator('#answered-udp li#ua11211').innerText();
    check('the memcached answer is shown as text', mc.includes('VERSION 1.6.21 <i>bw</i>') &&
      await page.locator('#answered-udp i').count() === 0, mc);
    const filtered = await page.locator('#answered-udp li.st-filtered').allInnerTexts();
    check('the filtered port names the ICMP message',
      filtered.length === u.filtered.length && filtered[0].includes('ICMP admin prohibited'),
      JSON.stringify(filtered));
    const silent = await page.locator('#udp-silent li').allInnerTexts();
    check('silent WireGuard ports carry the silence note and the reachability check',
      silent.length === u.silent.length &&
      silent.every((t) => t.includes('healthy WireGuard port') && t.includes('Run the reachability check')) &&
      await page.locator('#udp-silent a[href="/reach"]').count() === u.silent.length,
    JSON.stringify(silent));

    const verdict = await page.locator('#verdict').innerText();
    const headline = await page.locator('#verdict .headline').innerText();
    check('the verdict leads with a reflector in plain words',
      /^Your address (answers DNS queries from anyone|runs memcached with UDP open to the internet): it can be used to attack others \(amplification x[\d.]+\)\.$/.test(headline),
      headline);
    check('the verdict names both reflectors, their advice, the UDP summary and what silence means',
      verdict.includes('Your address answers DNS queries from anyone: it can be used to attack ' +
        'others (amplification x1.6).') &&
      verdict.includes('Turn off DNS on the router') &&
      verdict.includes(`Of ${total} UDP ports tested: ${u.open.length} answered`) &&
      verdict.includes('stealth, or a service that stays silent'), verdict.slice(0, 600));
    await page.screenshot({ path: join(outDir, 'udp-done-desktop.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check('the UDP result fits a phone', overflow <= 0, `overflow ${overflow}px`);
    await page.screenshot({ path: join(outDir, 'udp-done-phone.png'), fullPage: true });
    check('no console errors or CSP violations on the UDP result', errors.length === 0, errors.join(' | '));
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

// Probe this port over UDP on /port/N: the button the entry's transports offer, the plan in
// UDP words, then the answer and its finding, or silence with what it means there.
async function inlineUdpProbes() {
  const { context, profile } = await openContext({});
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(`${base}/port/53`);
    check('port 53 offers TCP and UDP probes', await page.locator('#probe-tcp').count() === 1 &&
      await page.locator('#probe-udp').count() === 1);
    await page.locator('#probe-udp').click();
    await page.waitForSelector('#probe-now', { timeout: 10000 });
    const plan = await page.locator('#probe-plan').innerText();
    check('the UDP plan says what is sent, in which protocol, to whom',
      plan.includes('one small UDP request in DNS') && plan.includes(`UDP port 53 of ${expected.address}`), plan);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/check/53?transport=udp'), { timeout: 60000 }),
      page.locator('#probe-now').click(),
    ]);
    await page.waitForSelector('#probe-state', { timeout: 60000 });
    const box = await page.locator('#probe-status').innerText();
    check('UDP 53: the check answered and says Open with the finding and the answer',
      answer.status() === 200 && (await page.locator('#probe-state').innerText()) === 'Open' &&
      box.includes('UDP port 53 from the internet') &&
      box.includes('Your address answers DNS queries from anyone: it can be used to attack others') &&
      box.includes('Reason: an answer in DNS: a DNS resolver open to anyone'), box);
    await page.screenshot({ path: join(outDir, 'probe-inline-udp-53.png'), fullPage: true });

    await page.goto(`${base}/port/51820`);
    check('port 51820 offers UDP only', await page.locator('#probe-tcp').count() === 0 &&
      await page.locator('#probe-udp').count() === 1);
    await page.locator('#probe-udp').click();
    await page.locator('#probe-now').click();
    await page.waitForSelector('#probe-state', { timeout: 60000 });
    const silent = await page.locator('#probe-status').innerText();
    check('UDP 51820: no answer, with the silence note and the reachability check',
      (await page.locator('#probe-state').innerText()) === 'No answer' &&
      silent.includes('healthy WireGuard port') &&
      await page.locator('#probe-silence a[href="/reach"]').count() === 1, silent);

    await page.goto(`${base}/port/161`);
    await page.locator('#probe-udp').click();
    await page.locator('#probe-now').click();
    await page.waitForSelector('#probe-state', { timeout: 60000 });
    const refused = await page.locator('#probe-status').innerText();
    check('UDP 161: filtered, with the ICMP message',
      (await page.locator('#probe-state').innerText()) === 'Filtered' &&
      refused.includes('admin prohibited'), refused);
    await page.screenshot({ path: join(outDir, 'probe-inline-udp-161.png'), fullPage: true });
    check('no console errors in the UDP probes', errors.length === 0, errors.join(' | '));
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const steps = part === 'udp' ? [udpScan, inlineUdpProbes]
  : [serviceScan, singlePortProbeWithoutJavaScript, inlineProbes, inlineProbeRefused,
    fullRangeFairUseAndCancel, withoutJavaScript];
for (const step of steps) {
  try {
    await step();
  } catch (e) {
    check(`${step.name} completed`, false, String(e));
  }
}
console.log(`screenshots in ${outDir}`);
console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
