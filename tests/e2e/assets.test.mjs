// The registers of 対策基準 4 and 5 in the browser, on the demo city: the asset register with
// its filters and order in the address, an asset registered through the form (personal
// information at the lowest confidentiality level: its handling rules in plain Japanese and the
// warning), edited, then disposed of; 棚卸し of a batch; the import (a file with an error row
// shown by row and column, then a good file, with elevation) and the CSV/Excel downloads; the
// system register and a system's page with its assets and an appointment made for the system;
// the home page's chart; axe-core on every new page, 768 px, and the keyboard.
//
// The demo city has its own systems and assets; nothing here counts on them: the tests make
// their own and look for those.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import {
    api, axeScan, elevateIfAsked, expectAccessible, firstAdminLogin, jstDay, kDemoPassword, loginAs,
    nav, noHorizontalOverflow, pick, screenshot, settle, useServer, withFailureScreenshot,
} from './harness.mjs';

const app = useServer({ demo: true, mfaRequiredRoles: [] });
const kAdminNewPassword = 'Hibari-Daicho-2026#';
let tmp;

before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'mamori-assets-'));
});
after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Clicks the el-checkbox whose text is exactly `text`. */
async function check(scope, text) {
    await scope.locator('.el-checkbox').filter({ hasText: new RegExp(`^\\s*${text}\\s*$`) }).click();
}

/** Fills the asset form (the dialog must be open). */
async function fillAsset(page, { name, level, personal, nextReview }) {
    const form = page.getByTestId('asset-form');
    await form.waitFor();
    await form.getByLabel('名称', { exact: true }).fill(name);
    await pick(page, form, '所管部署', /情報政策課$/);
    await pick(page, form, '機密性', `機密性${level}`);
    await pick(page, form, '完全性', '完全性1');
    await pick(page, form, '可用性', '可用性1');
    if (personal) await check(form, '個人情報');
    if (nextReview) await form.getByLabel(/^次回の見直し日/).fill(nextReview);
    return form;
}

test('the asset register: filters in the address, an asset registered, its handling and warning, edited, disposed of; 棚卸し', { timeout: 300_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'assets-register', async () => {
        await loginAs(page, 'joho-kacho', kDemoPassword);

        // The menu: the registers for a section manager (情報セキュリティ管理者), import too.
        const menu = await nav(page).innerText();
        for (const item of ['情報資産', '情報資産台帳', '情報システム台帳', '棚卸し', '整合性の警告', '台帳の取り込み']) {
            assert.match(menu, new RegExp(item));
        }

        // Home: the figures and the chart of assets by confidentiality and zone.
        const summary = page.getByTestId('asset-summary');
        await summary.getByTestId('asset-summary-figures').waitFor();

        // The register, reached from the menu.
        await nav(page).getByRole('link', { name: '情報資産台帳', exact: true }).click();
        await page.waitForURL(/\/inventory$/);
        const stats = page.getByTestId('assets-stats');
        await stats.waitFor();
        // The counts come from the classification scheme in force, highest level first.
        const levels = await stats.locator('[data-level]').evaluateAll((els) => els.map((e) => e.getAttribute('data-level')));
        assert.deepEqual(levels, ['3A', '3B', '3C', '2', '1']);
        await expectAccessible(page, 'asset register');
        await screenshot(page, 'assets-register');

        // 新規登録: personal information classified 機密性1.
        const name = 'E2E 窓口受付簿 (試験用)';
        await page.getByTestId('asset-add').click();
        let form = await fillAsset(page, { name, level: '1', personal: true });
        // The definition of the chosen level is shown under it.
        await form.getByText(/公表しても支障のないもの/).waitFor();
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: asset form');
        await screenshot(page, 'assets-add', { fullPage: false });
        await form.getByRole('button', { name: '登録する' }).click();
        await page.waitForURL(/\/inventory\/[^/]+$/);
        assert.equal(await page.getByTestId('asset-name').innerText(), name);
        const number = (await page.getByTestId('asset-number').innerText()).trim();
        assert.match(number, /^A-\d{6}$/);
        const assetUrl = page.url();

        // The warning: personal information at the lowest confidentiality level, with its 対策基準 item.
        const warnings = page.getByTestId('asset-warnings');
        const warning = warnings.locator('[data-code="personal_info_lowest_confidentiality"]');
        await warning.waitFor();
        assert.match(await warning.innerText(), /個人情報/);
        assert.match(await warning.getByRole('link').getAttribute('href'), /^\/policy\/4(\(|%28)1(\)|%29)$/);
        // Handling at 機密性1: publication allowed, in a sentence, citing 4(2).
        const handling = page.getByTestId('asset-handling');
        const publication = handling.locator('[data-rule="publication"]');
        await publication.waitFor();
        assert.ok((await publication.innerText()).length > 10, 'a sentence for the rule');
        await publication.getByRole('link', { name: '対策基準 4(2)' }).waitFor();
        assert.equal(await handling.locator('[data-rule="takeout"]').count(), 0, 'no takeout rule at 機密性1');
        await expectAccessible(page, 'asset page');
        await screenshot(page, 'asset');

        // 編集: 機密性2. The warning goes; the rules of 機密性2 apply (持ち出しには許可).
        await page.getByTestId('asset-edit').click();
        form = page.getByTestId('asset-form');
        await form.waitFor();
        await pick(page, form, '機密性', '機密性2');
        await form.getByRole('button', { name: '保存する' }).click();
        await page.getByText('情報資産を変更しました。').waitFor();
        await page.getByTestId('asset-warnings-none').waitFor();
        const takeout = handling.locator('[data-rule="takeout"]');
        await takeout.waitFor();
        assert.match(await takeout.innerText(), /情報セキュリティ管理者/);
        await takeout.getByRole('link', { name: /対策基準 4\(2\)/ }).click();
        await page.waitForURL(/\/policy\/4(%28|\()2(%29|\))$/);
        await page.goBack();
        await page.getByTestId('asset-history').getByText('情報資産の変更').waitFor();

        // Back to 機密性1 for the warnings page, then the warnings list shows it.
        await page.getByTestId('asset-edit').click();
        await pick(page, form, '機密性', '機密性1');
        await form.getByRole('button', { name: '保存する' }).click();
        await warning.waitFor();
        await nav(page).getByRole('link', { name: '整合性の警告', exact: true }).click();
        const warningsTable = page.getByTestId('warnings-table');
        await warningsTable.getByRole('link', { name }).waitFor();
        await page.getByTestId('warnings-checks').getByText(/個人情報を含む情報資産を/).waitFor();
        await expectAccessible(page, 'warnings list');
        await screenshot(page, 'assets-warnings');

        // The register: search and filters in the address, kept by a reload; the order by a column.
        await nav(page).getByRole('link', { name: '情報資産台帳', exact: true }).click();
        const filters = page.getByTestId('assets-filters');
        const table = page.getByTestId('assets-table');
        await table.waitFor();
        await filters.getByLabel('検索', { exact: true }).fill('窓口受付簿');
        await pick(page, filters, '機密性', '機密性1');
        await pick(page, filters, '個人情報', 'あり');
        await filters.getByRole('button', { name: '検索する' }).click();
        await page.waitForURL(/confidentiality=1/);
        const query = new URL(page.url()).searchParams;
        assert.equal(query.get('q'), '窓口受付簿');
        assert.equal(query.get('personal_info'), 'true');
        await settle(page);
        assert.equal(await table.locator('tbody tr').count(), 1);
        await table.getByRole('link', { name }).waitFor();
        await page.reload();
        await table.getByRole('link', { name }).waitFor();
        assert.equal(await filters.getByLabel('検索', { exact: true }).inputValue(), '窓口受付簿');
        // Sorting: the column's button (also by keyboard); the order is in the address.
        await filters.getByRole('button', { name: '条件を消す' }).click();
        await settle(page);
        const byName = table.locator('button[data-sort="name"]');
        await byName.focus();
        await page.keyboard.press('Enter');
        await page.waitForURL(/sort=name/);
        assert.equal(await table.locator('th[aria-sort="ascending"]').count(), 1);
        await settle(page);
        const names = await table.locator('tbody tr td:nth-child(2)').allInnerTexts();
        assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), 'ordered by name');
        await byName.click();
        await page.waitForURL(/sort=-name/);
        await table.locator('th[aria-sort="descending"]').waitFor();
        // A level's count filters the list.
        await page.getByTestId('assets-stats').locator('[data-level="1"]').click();
        await page.waitForURL(/confidentiality=1/);
        await settle(page);
        for (const level of await table.locator('tbody tr td:nth-child(4)').allInnerTexts()) assert.equal(level.trim(), '機密性1');

        // 廃棄: the asset stays, with the record.
        await page.goto(assetUrl);
        await page.getByTestId('asset-dispose').click();
        const dispose = page.getByTestId('dispose-form');
        await dispose.waitFor();
        assert.equal(await dispose.getByLabel('廃棄日').inputValue(), jstDay(0));
        await dispose.getByRole('button', { name: '廃棄を記録する' }).click();
        await dispose.locator('.el-form-item__error').getByText(/廃棄の方法を入力してください/).waitFor();
        await dispose.getByLabel('廃棄の方法').fill('溶解処理');
        await dispose.getByLabel(/^立会人/).fill('ひばり環境サービス 山本');
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: dispose dialog');
        await dispose.getByRole('button', { name: '廃棄を記録する' }).click();
        await page.getByText('廃棄を記録しました。').waitFor();
        await page.getByTestId('asset-status').getByText('廃棄済み', { exact: true }).waitFor();
        assert.match(await page.getByTestId('asset-disposal').innerText(), /溶解処理[\s\S]*ひばり環境サービス 山本/);
        assert.equal(await page.getByTestId('asset-edit').count(), 0, 'a disposed asset cannot be edited');
        await page.getByTestId('asset-warnings-none').waitFor();
        await page.getByTestId('asset-history').getByText('廃棄の記録').waitFor();

        // 棚卸し: an asset due in 10 days is listed for the section, selected and recorded.
        const dueName = 'E2E 棚卸し対象台帳';
        await nav(page).getByRole('link', { name: '情報資産台帳', exact: true }).click();
        await page.getByTestId('asset-add').click();
        form = await fillAsset(page, { name: dueName, level: '2', nextReview: jstDay(10) });
        await form.getByRole('button', { name: '登録する' }).click();
        await page.waitForURL(/\/inventory\/[^/]+$/);
        const dueUrl = page.url();
        await nav(page).getByRole('link', { name: '棚卸し', exact: true }).click();
        await page.waitForURL(/\/inventory\/review\?unit_id=/);
        const review = page.getByTestId('review-table');
        const row = review.locator('tr').filter({ has: page.getByRole('link', { name: dueName }) });
        await row.waitFor();
        await expectAccessible(page, 'review');
        await screenshot(page, 'assets-review');
        await row.locator('.el-checkbox').click();
        await page.getByTestId('review-confirm').click();
        const reviewForm = page.getByTestId('review-form');
        await reviewForm.waitFor();
        const nextYear = await reviewForm.getByLabel(/^次回の見直し日/).inputValue();
        assert.equal(nextYear.slice(0, 4), String(Number(jstDay(0).slice(0, 4)) + 1));
        await reviewForm.getByRole('button', { name: '記録する' }).click();
        await page.getByTestId('review-done').getByText(/1 件を見直し済みとして記録しました/).waitFor();
        await row.waitFor({ state: 'detached' });
        await page.goto(dueUrl);
        const fields = page.getByTestId('asset-fields');
        await fields.waitFor();
        assert.match(await fields.locator('dt:text-is("最後の見直し (棚卸し)") + dd').innerText(), /佐伯 真理子/);
        await page.getByTestId('asset-history').getByText('見直し (棚卸し)').waitFor();

        assert.deepEqual(page.problems, []);
    });
});

test('import: an error row shown by row and column, then a good file; the downloads', { timeout: 240_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'assets-import', async () => {
        await loginAs(page, 'joho-kacho', kDemoPassword);
        await nav(page).getByRole('link', { name: '情報資産台帳', exact: true }).click();
        await page.getByTestId('assets-table').or(page.getByTestId('assets-empty')).first().waitFor();

        // The downloads: CSV (UTF-8 with BOM) and Excel, as attachments.
        const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('assets-export-csv').click()]);
        assert.match(csvDownload.suggestedFilename(), /\.csv$/);
        const csv = readFileSync(await csvDownload.path());
        assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM');
        const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('assets-export-xlsx').click()]);
        assert.match(xlsxDownload.suggestedFilename(), /\.xlsx$/);
        assert.equal(readFileSync(await xlsxDownload.path()).subarray(0, 2).toString('latin1'), 'PK', 'a zip (xlsx)');

        // The columns of the download are those of the import: a new asset (no 資産番号) and one
        // with a level the scheme does not have.
        const header = csv.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0];
        const columns = header.split(',');
        const at = (label) => {
            const i = columns.findIndex((c) => c.replace(/"/g, '') === label);
            assert.ok(i >= 0, `column ${label} in ${header}`);
            return i;
        };
        const unitColumn = columns.findIndex((c) => /所管/.test(c));
        assert.ok(unitColumn >= 0, `a unit column in ${header}`);
        const values = (name, level) => {
            const v = columns.map(() => '');
            v[at('名称')] = name;
            v[unitColumn] = '総務部/情報政策課';
            v[at('機密性')] = level;
            v[at('完全性')] = '1';
            v[at('可用性')] = '1';
            return v.join(',');
        };
        const good = 'E2E 取り込み台帳 (試験用)';
        const bad = join(tmp, 'bad.csv');
        writeFileSync(bad, `${header}\r\n${values(good, '2')}\r\n${values('E2E 誤りのある行', '9Z')}\r\n`);
        const ok = join(tmp, 'good.csv');
        writeFileSync(ok, `${header}\r\n${values(good, '2')}\r\n`);

        await nav(page).getByRole('link', { name: '台帳の取り込み', exact: true }).click();
        await page.getByTestId('asset-import-file').setInputFiles(bad);
        await page.getByTestId('asset-import-check').click();
        const errors = page.getByTestId('asset-import-errors');
        await errors.waitFor();
        const errorRow = errors.locator('tbody tr').first();
        assert.equal((await errorRow.locator('td').first().innerText()).trim(), '3');
        assert.match(await errorRow.locator('td').nth(1).innerText(), /機密性/);
        assert.equal(await page.getByTestId('asset-import-run').count(), 0, 'nothing to import from a bad file');
        await expectAccessible(page, 'import with errors');
        await screenshot(page, 'assets-import-errors');

        await page.getByTestId('asset-import-file').setInputFiles(ok);
        await page.getByTestId('asset-import-check').click();
        const preview = page.getByTestId('asset-import-preview');
        await preview.waitFor();
        assert.match(await page.getByTestId('asset-import-checked').innerText(), /新規 1 件/);
        assert.equal(await preview.locator('tr[data-action="create"]').count(), 1);
        await expectAccessible(page, 'import preview');
        await screenshot(page, 'assets-import');
        await page.getByTestId('asset-import-run').click();
        // Importing needs elevation: the password again (when the server asks).
        await elevateIfAsked(page, kDemoPassword);
        await page.getByTestId('asset-import-done').getByText(/新規 1 件/).waitFor();

        // The imported asset is in the register.
        await page.goto(`/inventory?q=${encodeURIComponent('取り込み台帳')}`);
        await page.getByTestId('assets-table').getByRole('link', { name: good }).waitFor();

        // The system register's downloads too.
        await nav(page).getByRole('link', { name: '情報システム台帳', exact: true }).click();
        const [systems] = await Promise.all([page.waitForEvent('download'), page.getByTestId('systems-export-csv').click()]);
        assert.deepEqual([...readFileSync(await systems.path()).subarray(0, 3)], [0xef, 0xbb, 0xbf]);
        assert.deepEqual(page.problems, []);
    });
});

test('systems: registered, its page with its assets, someone appointed for it', { timeout: 240_000 }, async () => {
    const kacho = await app.openPage();
    const systemName = 'E2E 窓口予約システム';
    let systemUrl;
    await withFailureScreenshot(kacho, 'systems-register', async () => {
        await loginAs(kacho, 'joho-kacho', kDemoPassword);
        await nav(kacho).getByRole('link', { name: '情報システム台帳', exact: true }).click();
        await kacho.getByTestId('systems-table').or(kacho.getByTestId('systems-empty')).first().waitFor();
        await expectAccessible(kacho, 'system register');
        await screenshot(kacho, 'systems');
        await kacho.getByTestId('system-add').click();
        const form = kacho.getByTestId('system-form');
        await form.waitFor();
        await form.getByLabel('システム名').fill(systemName);
        await pick(kacho, form, '所管部署', /情報政策課$/);
        await pick(kacho, form, '系統 (三層の対策)', 'LGWAN接続系');
        await pick(kacho, form, '設置形態', 'クラウドサービス');
        await pick(kacho, form, '扱う情報の最高の機密性', '機密性2');
        await settle(kacho);
        assert.deepEqual(await axeScan(kacho), [], 'axe: system form');
        await form.getByRole('button', { name: '登録する' }).click();
        await kacho.waitForURL(/\/systems\/[^/]+$/);
        systemUrl = new URL(kacho.url()).pathname;
        const systemId = systemUrl.split('/').pop();
        assert.equal(await kacho.getByTestId('system-name').innerText(), systemName);
        assert.match(await kacho.getByTestId('system-fields').innerText(), /LGWAN接続系/);
        assert.equal(await kacho.getByTestId('system-appoint').count(), 0, 'appointing needs org.manage');
        // An asset kept in it (through the API: the form is tested above).
        const units = (await api(kacho, 'GET', '/api/v1/units')).json.items;
        const joho = units.find((u) => u.name === '情報政策課');
        const created = await api(kacho, 'POST', '/api/v1/assets', {
            name: 'E2E 予約データ', owner_unit_id: joho.id, system_id: systemId, confidentiality: '2',
            integrity: '1', availability: '1', personal_info: true,
        });
        assert.equal(created.status, 201, JSON.stringify(created.json));
        await kacho.reload();
        await kacho.getByTestId('system-assets').getByRole('link', { name: 'E2E 予約データ' }).waitFor();
        // The register filtered by this system.
        await kacho.getByRole('link', { name: '情報資産台帳で見る' }).click();
        await kacho.waitForURL(/\/inventory\?system_id=/);
        await kacho.getByTestId('assets-table').getByRole('link', { name: 'E2E 予約データ' }).waitFor();
        assert.deepEqual(kacho.problems, []);
    });

    // The administrator appoints a 情報システム担当者 for this system (org.manage). To read the
    // register the administrator is made a CSIRT member first (through the API).
    const admin = await app.openPage();
    await withFailureScreenshot(admin, 'systems-appoint', async () => {
        await firstAdminLogin(admin, kAdminNewPassword);
        const elevated = await api(admin, 'POST', '/api/v1/auth/elevate', { password: kAdminNewPassword });
        assert.equal(elevated.status, 200, JSON.stringify(elevated.json));
        const me = (await api(admin, 'GET', '/api/v1/auth/me')).json;
        const csirt = await api(admin, 'POST', '/api/v1/appointments', { person_id: me.user.id, role: 'csirt_member', starts_on: jstDay(0) });
        assert.equal(csirt.status, 201, JSON.stringify(csirt.json));
        await admin.goto(systemUrl);
        await admin.getByTestId('system-name').waitFor();
        await admin.getByTestId('system-people-empty').waitFor();
        await admin.getByTestId('system-appoint').click();
        const form = admin.getByTestId('system-appoint-form');
        await form.waitFor();
        await form.getByRole('radio', { name: '情報システム担当者' }).click({ force: true });
        await form.locator('.el-select').click();
        await admin.keyboard.type('joho-tanto');
        await admin.getByRole('option', { name: /吉川 彩/ }).click();
        await settle(admin);
        assert.deepEqual(await axeScan(admin), [], 'axe: appoint for a system');
        await screenshot(admin, 'system-appoint', { fullPage: false });
        await form.getByRole('button', { name: '任命する' }).click();
        await elevateIfAsked(admin, kAdminNewPassword);
        const people = admin.getByTestId('system-people');
        await people.getByText('吉川 彩').waitFor();
        assert.match(await people.innerText(), /情報システム担当者/);
        // The appointment is for the system, in the system's owner unit.
        const list = (await api(admin, 'GET', `/api/v1/appointments?system_id=${systemUrl.split('/').pop()}`)).json.items;
        assert.equal(list.length, 1);
        assert.equal(list[0].role, 'system_staff');
        await expectAccessible(admin, 'system page');
        await screenshot(admin, 'system');
        assert.deepEqual(admin.problems, []);
    });
});

test('home chart, every register page with axe at 768 px', { timeout: 240_000 }, async () => {
    const page = await app.openPage({ width: 768, height: 1024 });
    await withFailureScreenshot(page, 'assets-768', async () => {
        // The general manager (統括情報セキュリティ責任者) reads every register, manages none.
        await loginAs(page, 'tokatsu', kDemoPassword);
        const summary = page.getByTestId('asset-summary');
        await summary.getByTestId('asset-summary-figures').waitFor();
        // The chart: an image with a text alternative, drawn in a canvas, and its table.
        const chart = summary.getByTestId('asset-zone-chart');
        await chart.waitFor();
        await chart.locator('canvas').first().waitFor();
        assert.match(await chart.getAttribute('aria-label'), /機密性/);
        await summary.getByTestId('asset-zone-table').waitFor();
        await noHorizontalOverflow(page, 'home at 768 px');
        await expectAccessible(page, 'home with the asset chart');
        await screenshot(page, 'assets-home-768');
        assert.match(await nav(page).innerText(), /情報資産台帳/);
        assert.doesNotMatch(await nav(page).innerText(), /台帳の取り込み/, 'no import without assets.manage');

        for (const [path, testid, name] of [
            ['/assets', 'assets-filters', 'assets-768'],  // leads to /inventory
            ['/systems', 'systems-filters', 'systems-768'],
            ['/inventory/review', 'review-filters', 'assets-review-768'],
            ['/inventory/warnings', 'warnings-filters', 'assets-warnings-768'],
        ]) {
            await page.goto(path);
            await page.getByTestId(testid).waitFor();
            if (path === '/assets') assert.equal(new URL(page.url()).pathname, '/inventory');
            await settle(page);
            await noHorizontalOverflow(page, `${path} at 768 px`);
            await expectAccessible(page, `${path} at 768 px`);
            await screenshot(page, name);
        }
        assert.equal(await page.getByTestId('asset-add').count(), 0, 'no 新規登録 without assets.manage');
        // An asset's and a system's page, the first of each in the register.
        await page.goto('/inventory');
        const firstAsset = page.getByTestId('assets-table').locator('tbody tr a').first();
        await firstAsset.click();
        await page.getByTestId('asset-fields').waitFor();
        await settle(page);
        await noHorizontalOverflow(page, 'asset at 768 px');
        await expectAccessible(page, 'asset at 768 px');
        await page.goto('/systems');
        await page.getByTestId('systems-table').locator('tbody tr a').first().click();
        await page.getByTestId('system-fields').waitFor();
        await settle(page);
        await noHorizontalOverflow(page, 'system at 768 px');
        await expectAccessible(page, 'system at 768 px');
        assert.deepEqual(page.problems, []);
    });
});
