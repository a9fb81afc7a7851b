// Picking names in a form, and finding applications again, on the demo city. A member of staff
// of 市民課 (who may read neither the organisation nor the whole system register) applies for
// a cloud service naming as its responsible person 佐伯 真理子 of 情報政策課, found by typing
// part of her name (GET /api/v1/lookup, never the people, units or systems lists); the
// application's page shows her name, not an id, and 市民課 as the unit it came from. A form
// with a `multiple` system field takes two systems of other sections the same way. The list's
// search box finds the application by part of its number in lower case and by a word of its
// title, and says so when nothing matches; the search stays in the address. Returned, the form
// of the resubmission shows the person already chosen by name. axe-core on every page.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';

import {
    api, axeScan, expectAccessible, jstDay, kDemoPassword, loginAs, pick, repoRoot, screenshot, settle, useServer,
    withFailureScreenshot,
} from './harness.mjs';

const axe = createRequire(join(repoRoot, 'web', 'package.json'))('axe-core');

const app = useServer({ demo: true, mfaRequiredRoles: [] });

const kTitle = 'E2E 窓口予約サービス ひばりカレンダーの利用';

/** Watches the page for reads of the lists only managers may read (the forms must not need them). */
function watchRegisterLists(page) {
    const seen = [];
    page.on('request', (r) => {
        const path = new URL(r.url()).pathname;
        if (/^\/api\/v1\/(people|units|systems)$/.test(path)) seen.push(`${r.method()} ${r.url()}`);
    });
    return seen;
}

/**
 * Types `text` into the lookup select of the form item `field`, waits for the lookup's answer
 * and returns the option whose name starts with `name`.
 */
async function lookUp(page, field, kind, text, name) {
    await field.locator('.el-select').click();
    const answered = page.waitForResponse((r) => {
        const url = new URL(r.url());
        return url.pathname === '/api/v1/lookup' && url.searchParams.get('kind') === kind && url.searchParams.get('q') === text;
    });
    await field.locator('input').fill(text);
    const res = await answered;
    assert.equal(res.status(), 200);
    const option = page.getByRole('option', { name: new RegExp(`^${name}`) });
    await option.waitFor();
    return option;
}

/**
 * axe-core with a select's list open. Element Plus gives the list's popper the role tooltip
 * without a name (its own markup, on every select); every other rule applies, the contrast of
 * the names and their context lines included.
 */
async function axeScanOpenSelect(page) {
    await page.evaluate(axe.source);
    const result = await page.evaluate(() => window.axe.run(document, {
        resultTypes: ['violations'], rules: { 'aria-tooltip-name': { enabled: false } },
    }));
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n  ')}`);
}

/** The search box of the list: typed in, and the list follows (the address too). */
async function search(page, text) {
    const box = page.getByTestId('requests-filters').getByLabel('申請番号・件名で検索');
    await box.fill(text);
    await page.waitForURL((url) => url.searchParams.get('q') === text);
    await settle(page);
}

test('staff name a person and systems of other sections by lookup, and find the application again', { timeout: 300_000 }, async () => {
    const page = await app.openPage();
    const lists = watchRegisterLists(page);
    let id;
    let number;

    await withFailureScreenshot(page, 'lookup-apply', async () => {
        await loginAs(page, 'shimin-staff', kDemoPassword);
        await page.goto('/requests/new/cloud_service');
        const form = page.getByTestId('request-form');
        await form.waitFor();
        // No "enter the ID" fallback for a person: anyone may look names up.
        assert.equal(await form.getByText('一覧を見る権限がないため').count(), 0);

        await form.getByLabel('件名', { exact: true }).fill(kTitle);
        await form.getByLabel('サービスの名称', { exact: true }).fill('ひばりカレンダー');
        await form.getByLabel('提供する事業者', { exact: true }).fill('ひばりソフト株式会社');
        await form.getByLabel('利用の目的', { exact: true }).fill('窓口の来庁予約をオンラインで受け付けるため');
        await pick(page, form, '扱う情報の最も高い機密性', '機密性1');
        await pick(page, form, 'ISMAP 等への登録', 'ISMAP に登録されている');
        await form.getByLabel('利用の期間 開始日').fill(jstDay(1));
        await form.getByLabel('利用の期間 終了日').fill(jstDay(90));

        // 利用の責任者: part of her name, and she is offered with her unit.
        const owner = form.locator('.el-form-item[data-field="owner"]');
        const saeki = await lookUp(page, owner, 'person', '佐伯', '佐伯 真理子');
        assert.match(await saeki.innerText(), /佐伯 真理子\s*情報政策課/);
        await settle(page);
        assert.deepEqual(await axeScanOpenSelect(page), [], 'axe: form with the lookup open');
        await screenshot(page, 'lookup-person-open', { fullPage: false });
        await saeki.click();
        await owner.locator('.el-select').getByText('佐伯 真理子').waitFor();
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: form, person chosen');
        await page.getByTestId('request-submit').click();

        // Its page: her name (no id), and 市民課 as the unit applied from.
        await page.waitForURL(/\/requests\/[0-9a-f]+$/);
        await page.getByTestId('request-state').getByText('申請中', { exact: true }).waitFor();
        id = page.url().split('/').pop();
        number = (await page.getByTestId('request-number').innerText()).trim();
        assert.match(number, /^CLD-\d{4}-\d{4}$/);
        const value = page.getByTestId('request-form-values').locator('dd[data-field="owner"]');
        assert.equal((await value.innerText()).trim(), '佐伯 真理子');
        assert.equal(await value.locator('.mono').count(), 0, 'no id shown');
        assert.equal((await page.getByTestId('request-unit').innerText()).trim(), '市民課');
        assert.match(await page.getByTestId('request-who').innerText(), /市民課の川口 さくら/);
        await expectAccessible(page, 'application naming a person of another section');
        await screenshot(page, 'lookup-request');
        assert.deepEqual(lists, [], 'the register lists are never read');
        assert.deepEqual(page.problems, []);
    });

    await withFailureScreenshot(page, 'lookup-systems', async () => {
        // A multiple system field: two systems of other sections, each found by part of its name.
        await page.goto('/requests/new/remote_access');
        const form = page.getByTestId('request-form');
        await form.waitFor();
        await form.getByLabel('件名', { exact: true }).fill('E2E 出張先からの文書管理と人事給与の利用');
        await form.getByLabel('接続の目的', { exact: true }).fill('出張先で決裁と勤務の記録を行うため');
        const systems = form.locator('.el-form-item[data-field="systems"]');
        const bunsho = await lookUp(page, systems, 'system', '文書', '文書管理システム');
        assert.match(await bunsho.innerText(), /文書管理システム\s*総務課/);
        await bunsho.click();
        const jinji = await lookUp(page, systems, 'system', '人事', '人事給与システム');
        assert.match(await jinji.innerText(), /人事給与システム\s*人事課/);
        await jinji.click();
        await page.keyboard.press('Escape');
        const tags = systems.locator('.el-tag');
        assert.deepEqual((await tags.allInnerTexts()).map((s) => s.trim()), ['文書管理システム', '人事給与システム']);
        await form.getByLabel('使用する支給端末', { exact: true }).fill('HB-PC-0123');
        await pick(page, form, '接続する場所', '出張先');
        await form.getByLabel('接続する期間 開始日').fill(jstDay(2));
        await form.getByLabel('接続する期間 終了日').fill(jstDay(3));
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: form, two systems chosen');
        await page.getByTestId('request-submit').click();
        await page.waitForURL(/\/requests\/[0-9a-f]+$/);
        await page.getByTestId('request-state').getByText('申請中', { exact: true }).waitFor();
        const value = page.getByTestId('request-form-values').locator('dd[data-field="systems"]');
        assert.equal((await value.innerText()).trim(), '文書管理システム、人事給与システム');
        assert.deepEqual(lists, [], 'the register lists are never read');
        assert.deepEqual(page.problems, []);
    });

    await withFailureScreenshot(page, 'lookup-search', async () => {
        await page.goto('/requests');
        const table = page.getByTestId('requests-table');
        await table.waitFor();
        // The unit applied from, in its own column.
        assert.match(await table.locator(`tr[data-number="${number}"] td[data-column="unit"]`).innerText(), /市民課/);

        // Part of the number, in lower case: that one application only.
        const part = number.slice(1).toLowerCase();
        await search(page, part);
        await table.locator(`tr[data-number="${number}"]`).waitFor();
        assert.equal(await table.locator('tbody tr').count(), 1);
        await expectAccessible(page, 'applications searched by number');
        await screenshot(page, 'lookup-search-number');
        // Kept in the address: a reload shows the same list and the same words in the box.
        await page.reload();
        await table.locator(`tr[data-number="${number}"]`).waitFor();
        assert.equal(await page.getByTestId('requests-filters').getByLabel('申請番号・件名で検索').inputValue(), part);

        // A word of the title.
        await search(page, 'ひばりカレンダー');
        await table.locator(`tr[data-number="${number}"]`).waitFor();
        assert.equal(await table.locator('tbody tr').count(), 1);

        // Nonsense: nothing, and the page says so.
        await search(page, 'zzq-何もない-9999');
        const empty = page.getByTestId('requests-empty');
        await empty.waitFor();
        assert.match(await empty.innerText(), /「zzq-何もない-9999」を申請番号か件名に含む申請は見つかりませんでした。/);
        assert.equal(await table.count(), 0);
        await expectAccessible(page, 'applications, nothing found');

        // 条件を消す: every application again.
        await page.getByTestId('requests-filters').getByRole('button', { name: '条件を消す' }).click();
        await page.waitForURL((url) => !url.searchParams.has('q'));
        await table.locator(`tr[data-number="${number}"]`).waitFor();
        assert.ok(await table.locator('tbody tr').count() >= 2);
        assert.deepEqual(page.problems, []);
    });

    // Returned by the section manager: the resubmission's form names her, not an id.
    const kacho = await app.openPage();
    await withFailureScreenshot(kacho, 'lookup-return', async () => {
        await loginAs(kacho, 'shimin-kacho', kDemoPassword);
        const returned = await api(kacho, 'POST', `/api/v1/requests/${id}/return`, { comment: '利用の期間を見直してください。' });
        assert.equal(returned.status, 200, JSON.stringify(returned.json));
    });
    await withFailureScreenshot(page, 'lookup-resubmit', async () => {
        await page.goto(`/requests/${id}/resubmit`);
        const form = page.getByTestId('request-form');
        await form.waitFor();
        const owner = form.locator('.el-form-item[data-field="owner"]');
        await owner.locator('.el-select').getByText('佐伯 真理子').waitFor();
        assert.doesNotMatch(await owner.innerText(), /[0-9a-f]{16}/, 'no id shown');
        await form.getByLabel('利用の期間 終了日').fill(jstDay(60));
        await form.getByLabel(/^修正の内容/).fill('期間を 60 日にしました。');
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: resubmission naming a person');
        await page.getByTestId('request-submit').click();
        await page.waitForURL(new RegExp(`/requests/${id}$`));
        await page.getByTestId('request-state').getByText('申請中', { exact: true }).waitFor();
        const value = page.getByTestId('request-form-values').locator('dd[data-field="owner"]');
        assert.equal((await value.innerText()).trim(), '佐伯 真理子');
        assert.deepEqual(lists, [], 'the register lists are never read');
        assert.deepEqual(page.problems, []);
    });
});
