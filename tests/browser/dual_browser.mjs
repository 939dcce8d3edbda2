// Browser test of the side-by-side IPv4 and IPv6 test: run by run_dual_browser.sh inside the
// visitor namespace of the test bed (198.18.0.2, 2001:2::2), whose firewall lets 22 and 5900
// in over IPv6 only. Usage: node dual_browser.mjs BASE_URL OUT_DIR (BASE_URL on bw.test).
// The last line reads "N passed, M failed".
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [base, outDir] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
const results = { passed: 0, failed: 0 };
const PORTS = '22,80,443,5900';
const WANT = {
  ipv4: { address: '198.18.0.2', states: { 22: 'closed', 80: 'open', 443: 'closed', 5900: 'stealth' } },
  ipv6: { address: '2001:2::2', states: { 22: 'open', 80: 'open', 443: 'closed', 5900: 'open' } },
};

function check(name, ok, detail = '') {
  if (ok) results.passed++; else results.failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : ' ' + detail}`);
}

// The site and its IPv4-only name on the server's IPv4 address, the IPv6-only name on
// `v6Target`: the server's IPv6 address, or one the visitor has no route to.
async function openContext(v6Target) {
  const profile = mkdtempSync(join(tmpdir(), 'bw-chromium-'));
  const rules = `MAP bw.test 198.18.0.1, MAP v4.bw.test 198.18.0.1, MAP v6.bw.test ${v6Target}`;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--host-resolver-rules=${rules}`],
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return { context, profile, page, errors };
}

async function grid(page, family) {
  return page.locator(`#grid-${family} a.c`).evaluateAll((els) => Object.fromEntries(els.map(
    (el) => [el.id.replace(/^ipv[46]-p/, ''), (el.className.match(/st-(\w+)/) || [])[1]])));
}

// The confirm page of a custom test, then "Test IPv4 and IPv6 side by side", to the finding.
async function runSideBySide(page) {
  await page.goto(`${base}/scan/confirm?kind=custom&ports=${encodeURIComponent(PORTS)}`);
  await page.waitForSelector('#dual:not([hidden])', { timeout: 10000 });
  await page.locator('#dual-start').click();
  await page.waitForSelector('#dual[data-phase="done"]', { timeout: 90000 });
}

async function bothFamilies() {
  const { context, profile, page, errors } = await openContext('[2001:2::1]');
  try {
    await runSideBySide(page);
    for (const family of ['ipv4', 'ipv6']) {
      const target = await page.locator(`#target-${family}`).innerText();
      check(`the ${family} column names the address probed over it`,
        target === WANT[family].address, target);
      const got = await grid(page, family);
      check(`the ${family} grid fills with that family's verdicts`,
        JSON.stringify(got) === JSON.stringify(WANT[family].states), JSON.stringify(got));
    }
    const headline = await page.locator('#dual-headline').innerText();
    check('the headline names the ports only IPv6 lets in, and the IPv6 address',
      headline.startsWith('Over IPv6 your address 2001:2::2 accepts connections on ports 22 ' +
        'and 5900, which your IPv4 address hides'), headline);
    check('the finding is marked as a difference',
      (await page.locator('#dual-finding').getAttribute('class')).includes('finding-differ'));
    check('no script errors (CORS, CSP)', errors.length === 0, errors.join(' | '));
    await page.screenshot({ path: join(outDir, 'dual-both.png'), fullPage: true });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

// The IPv6 name on an address the visitor has no route to: no IPv6 connectivity.
async function missingFamily() {
  const { context, profile, page, errors } = await openContext('[2001:2::99]');
  try {
    await runSideBySide(page);
    const state = await page.locator('#state-ipv6').innerText();
    check('the IPv6 column says there is no IPv6 connectivity',
      state.startsWith('No IPv6 connectivity from your browser'), state);
    const got = await grid(page, 'ipv4');
    check('the IPv4 grid still fills', JSON.stringify(got) === JSON.stringify(WANT.ipv4.states),
      JSON.stringify(got));
    const headline = await page.locator('#dual-headline').innerText();
    check('the headline says so plainly instead of failing',
      headline.startsWith('No IPv6 connectivity from your browser: only IPv4 was tested ' +
        '(your address 198.18.0.2)'), headline);
    const pageErrors = errors.filter((e) => !e.includes('ERR_ADDRESS_UNREACHABLE') &&
      !e.includes('Failed to load resource') && !e.includes('Failed to fetch'));
    check('no script errors but the failed connection', pageErrors.length === 0, pageErrors.join(' | '));
    await page.screenshot({ path: join(outDir, 'dual-missing-ipv6.png'), fullPage: true });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

for (const step of [bothFamilies, missingFamily]) {
  try {
    await step();
  } catch (e) {
    check(`${step.name} completed`, false, String(e));
  }
}
console.log(`screenshots in ${outDir}`);
console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
