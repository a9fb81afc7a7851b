// Browser test harness: a real `mamori serve` on a free port with a fresh data directory, and
// Debian's chromium driven by playwright-core (no browser download). Every test file starts
// its own server, so files may run in parallel.
//
// Environment:
//   MAMORI_BIN       the mamori binary (default: build/debug/mamori of this checkout)
//   MAMORI_WEB_ROOT  the built web UI (default: web/dist)
//   CHROMIUM_BIN     the browser (default: /usr/bin/chromium)
//   MAMORI_SCREENSHOTS  where screenshots go (default: build/screenshots)

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');

// playwright-core and axe-core are devDependencies of web/, not of this folder.
const requireFromWeb = createRequire(join(repoRoot, 'web', 'package.json'));
const { chromium } = requireFromWeb('playwright-core');
const axe = requireFromWeb('axe-core');

export const mamoriBin = resolve(process.env.MAMORI_BIN || join(here, '..', '..', 'build', 'debug', 'mamori'));
export const webRoot = resolve(process.env.MAMORI_WEB_ROOT || join(repoRoot, 'web', 'dist'));
export const screenshotDir = resolve(process.env.MAMORI_SCREENSHOTS || join(repoRoot, 'build', 'screenshots'));
const chromiumBin = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

export const kAdminPassword = 'Init-Admin-Pass-2026!';
export const kDemoPassword = 'Demo-Hibari-2026!';

function checkPrerequisites() {
    if (!existsSync(mamoriBin)) throw new Error(`mamori binary not found: ${mamoriBin} (set MAMORI_BIN)`);
    if (!existsSync(join(webRoot, 'index.html'))) {
        throw new Error(`web UI not built: ${webRoot}/index.html (run: npm --prefix web run build)`);
    }
    if (!existsSync(chromiumBin)) throw new Error(`chromium not found: ${chromiumBin} (apt-get install chromium)`);
}

/**
 * Starts mamori on 127.0.0.1 with a new data directory.
 * @param {object} [opts]
 * @param {boolean} [opts.demo]  create the demo city (ひばり野市) too
 * @param {string[]|null} [opts.mfaRequiredRoles]  replaces auth.mfa_required_roles (null: keep the default)
 * @param {(yaml: string, dataDir: string) => string} [opts.editConfig]  any further change to mamori.yaml
 *        (the data directory is initialised: its database may be read)
 * @param {(run: (args: string[]) => string) => void} [opts.beforeServe]  runs after init, before the
 *        server starts; `run(args)` runs a mamori command on the new data directory (`--data` is
 *        added) and returns its output, failing the start when the command fails
 */
export async function startServer(opts = {}) {
    checkPrerequisites();
    const dir = mkdtempSync(join(tmpdir(), 'mamori-e2e-'));
    const dataDir = join(dir, 'data');
    const env = {
        ...process.env,
        MAMORI_ADMIN_PASSWORD: kAdminPassword,
        MAMORI_DEMO_PASSWORD: kDemoPassword,
        MAMORI_WEB_ROOT: webRoot,
        ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=0',
    };
    const init = spawnSync(mamoriBin, ['init', '--data', dataDir, ...(opts.demo ? ['--demo'] : [])],
                           { env, encoding: 'utf8', timeout: 120_000 });
    if (init.status !== 0) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`mamori init failed (${init.status}): ${init.stderr}\n${init.stdout}`);
    }

    const configPath = join(dataDir, 'mamori.yaml');
    let yaml = readFileSync(configPath, 'utf8');
    if (opts.mfaRequiredRoles) {
        const replaced = yaml.replace(/mfa_required_roles:\s*\[[^\]]*\]/s,
                                      `mfa_required_roles: [${opts.mfaRequiredRoles.join(', ')}]`);
        if (replaced === yaml) throw new Error('mfa_required_roles not found in mamori.yaml');
        yaml = replaced;
    }
    if (opts.editConfig) yaml = opts.editConfig(yaml, dataDir);
    writeFileSync(configPath, yaml);
    if (opts.beforeServe) {
        opts.beforeServe((args) => {
            const r = spawnSync(mamoriBin, [...args, '--data', dataDir], { env, encoding: 'utf8', timeout: 120_000 });
            if (r.status !== 0) {
                rmSync(dir, { recursive: true, force: true });
                throw new Error(`mamori ${args.join(' ')} failed (${r.status}): ${r.stderr}\n${r.stdout}`);
            }
            return r.stdout;
        });
    }

    const child = spawn(mamoriBin, ['serve', '--data', dataDir, '--listen', '127.0.0.1:0'],
                        { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const url = await new Promise((resolveUrl, reject) => {
        const timer = setTimeout(() => reject(new Error(`mamori serve did not start in time:\n${output}`)), 60_000);
        const onData = (chunk) => {
            output += chunk.toString();
            const m = output.match(/mamori: serving on (https?:\/\/[^\s/]+\/)/);
            if (m) {
                clearTimeout(timer);
                resolveUrl(m[1]);
            }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', (chunk) => { output += chunk.toString(); });
        child.on('exit', (code) => {
            clearTimeout(timer);
            reject(new Error(`mamori serve exited (${code}):\n${output}`));
        });
    });
    // Keep draining the pipes so the server never blocks on a full one; keep the tail for errors.
    child.stdout.removeAllListeners('data');
    child.stderr.removeAllListeners('data');
    const keep = (chunk) => { output = (output + chunk.toString()).slice(-20_000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.removeAllListeners('exit');

    async function stop() {
        if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((r) => child.once('exit', r));
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            await exited;
            clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
    }

    return { url, dataDir, stop, output: () => output };
}

export async function launchBrowser() {
    return chromium.launch({
        executablePath: chromiumBin,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
               '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        timeout: 60_000,
    });
}

/**
 * A new page with its own cookies. `page.problems` collects what must never happen: uncaught
 * exceptions and Content-Security-Policy violations.
 */
export async function newPage(browser, baseURL, { width = 1280, height = 800 } = {}) {
    const context = await browser.newContext({ baseURL, viewport: { width, height }, locale: 'ja-JP' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.problems = [];
    page.on('pageerror', (err) => page.problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
        if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) {
            page.problems.push(`CSP: ${msg.text()}`);
        }
    });
    // Only this machine: nothing may leave 127.0.0.1.
    await context.route(/^(?!https?:\/\/127\.0\.0\.1[:/])/, (route) => route.abort());
    return page;
}

/**
 * One server (`startServer(opts)`) and one browser for the tests of a file: started before
 * the first test, stopped after the last. `openPage(viewport)` opens a page on the server.
 */
export function useServer(opts = {}) {
    let server;
    let browser;
    before(async () => {
        server = await startServer(opts);
        browser = await launchBrowser();
    });
    after(async () => {
        await browser?.close();
        await server?.stop();
    });
    return { openPage: (viewport) => newPage(browser, server.url, viewport) };
}

// ---- TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps)

function base32Decode(text) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = 0;
    let value = 0;
    const out = [];
    for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) {
        const i = alphabet.indexOf(ch);
        if (i < 0) throw new Error(`not base32: ${ch}`);
        value = (value << 5) | i;
        bits += 5;
        if (bits >= 8) {
            out.push((value >>> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return Buffer.from(out);
}

export function totpStep(timeMs = Date.now()) {
    return Math.floor(timeMs / 1000 / 30);
}

export function totp(secret, step = totpStep()) {
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(step));
    const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
    const offset = mac[mac.length - 1] & 0x0f;
    const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
    return String(n).padStart(6, '0');
}

/** A code for a time step later than `usedStep` (the server accepts each step once), waiting if needed. */
export async function freshTotp(secret, usedStep) {
    let step = totpStep();
    while (step <= usedStep) {
        const wait = (usedStep + 1) * 30_000 - Date.now() + 200;
        await new Promise((r) => setTimeout(r, Math.max(wait, 100)));
        step = totpStep();
    }
    return { code: totp(secret, step), step };
}

// ---- accessibility and screenshots

/** Runs axe-core on the page; returns the serious and critical violations (an empty list is a pass). */
export async function axeScan(page) {
    // Evaluated through the DevTools protocol, so the page's CSP does not block it.
    await page.evaluate(axe.source);
    const result = await page.evaluate(() => window.axe.run(document, {
        resultTypes: ['violations'],
    }));
    return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n  ')}`);
}

/** Waits for the page to settle, then fails on any serious or critical axe-core violation. */
export async function expectAccessible(page, what) {
    await settle(page);
    assert.deepEqual(await axeScan(page), [], `axe: ${what}`);
}

/** Fails when the page is wider than the window (it would scroll sideways). */
export async function noHorizontalOverflow(page, what) {
    const { scroll, client } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
    }));
    assert.ok(scroll <= client, `${what}: page is ${scroll}px wide in a ${client}px window`);
}

export async function screenshot(page, name, { fullPage = true } = {}) {
    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage });
}

/** Waits until no request is in flight and Vue has rendered. */
export async function settle(page) {
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(150);
}

// ---- the login form

/** Fills the login form and submits it (the page must be on /login). */
export async function submitLogin(page, username, password) {
    const form = page.getByTestId('login-form');
    await form.getByLabel('ユーザー名').fill(username);
    await form.getByLabel('パスワード', { exact: true }).fill(password);
    await form.getByRole('button', { name: 'ログイン' }).click();
}

/** The forced password change of a first login; waits for the home page. */
export async function changeInitialPassword(page, current, next) {
    const pw = page.getByTestId('password-change-form');
    await pw.waitFor();
    await pw.getByLabel('現在のパスワード').fill(current);
    await pw.getByLabel('新しいパスワード', { exact: true }).fill(next);
    await pw.getByLabel('新しいパスワード (確認のためもう一度)').fill(next);
    await pw.getByRole('button', { name: 'パスワードを変更する' }).click();
    await page.getByTestId('me-username').waitFor();
}

/** The administrator's first login (MFA off): the initial password, then the forced change to `newPassword`. */
export async function firstAdminLogin(page, newPassword) {
    await page.goto('/login');
    await submitLogin(page, 'admin', kAdminPassword);
    await changeInitialPassword(page, kAdminPassword, newPassword);
}

/** Logs in a person without a second factor and waits for the home page. */
export async function loginAs(page, username, password) {
    await page.goto('/login');
    await submitLogin(page, username, password);
    await page.getByTestId('me-username').waitFor();
}

/** Runs `fn`; on failure saves a screenshot `failed-NAME.png` (and the page's problems) first. */
export async function withFailureScreenshot(page, name, fn) {
    try {
        await fn();
    } catch (e) {
        try {
            await screenshot(page, `failed-${name}`);
        } catch {
            // The page may be gone.
        }
        if (page.problems?.length) e.message += `\npage problems:\n${page.problems.join('\n')}`;
        throw e;
    }
}

// ---- forms and dialogs

/** Picks an option of the el-select in the form item labelled `label` (inside `scope`). */
export async function choose(page, scope, label, option) {
    await scope.locator('.el-form-item').filter({ has: page.getByText(label, { exact: true }) })
        .locator('.el-select').click();
    await page.getByRole('option', { name: option, exact: true }).click();
}

/** Elevates with `password` (no second factor) when the elevation dialog appears. */
export async function elevateIfAsked(page, password) {
    const form = page.getByTestId('elevation-form');
    try {
        await form.waitFor({ timeout: 3000 });
    } catch {
        return;
    }
    await form.getByLabel('パスワード', { exact: true }).fill(password);
    await form.getByRole('button', { name: '昇格して続ける' }).click();
    await form.waitFor({ state: 'hidden' });
}

/** Adds a unit on the organisation page (elevating with `password` if asked) and waits for it in the tree. */
export async function addUnit(page, { kind, name, parent, password }) {
    await page.getByTestId('unit-add').click();
    const form = page.getByTestId('unit-form');
    if (kind !== '部') await form.getByRole('radio', { name: kind }).click({ force: true });
    if (parent) await choose(page, form, '上位の部署', parent);
    await form.getByLabel('部署名').fill(name);
    await form.getByRole('button', { name: '追加する' }).click();
    await elevateIfAsked(page, password);
    await page.getByTestId('unit-tree').getByText(name, { exact: true }).waitFor();
    await form.waitFor({ state: 'hidden' });
}

// ---- helpers of the pages' tests

/** The main menu. */
export const nav = (page) => page.getByRole('navigation', { name: 'メインメニュー' });

/** A day in Japan, `days` from today, as the pages compute it. */
export function jstDay(days = 0) {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' })
        .format(new Date());
    const d = new Date(`${today}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
}

/** Picks the option matching `option` (text or RegExp) of the el-select in the form item labelled `label`. */
export async function pick(page, scope, label, option) {
    await scope.locator('.el-form-item').filter({ has: page.getByText(label, { exact: true }) })
        .locator('.el-select').first().click();
    await page.getByRole('option', { name: option, exact: typeof option === 'string' }).first().click();
}

/** A JSON call of the API as the page's user (cookies of the page, the CSRF token from /auth/me). */
export async function api(page, method, path, body) {
    const me = await (await page.request.get('/api/v1/auth/me')).json();
    const res = await page.request.fetch(path, {
        method, headers: { 'X-CSRF-Token': me.csrf_token, 'Content-Type': 'application/json' },
        data: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status(), json: text ? JSON.parse(text) : null };
}
