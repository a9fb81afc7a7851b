// The organisation pages as the administrator (MFA off): units, a person created in a 課,
// appointments with the 兼務の禁止 refusal shown in the dialog, the person's history, 編集 (a new
// 氏名 and a move to the 部), the people list with search (kept in the address: reload, back),
// and the CSV import (per-row errors, then a good file).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import {
    addUnit, axeScan, choose, elevateIfAsked as elevateWith, expectAccessible, firstAdminLogin,
    noHorizontalOverflow, screenshot, settle, useServer, withFailureScreenshot,
} from './harness.mjs';

const kNewPassword = 'Hibari-Soshiki-2026#';
const app = useServer({ mfaRequiredRoles: [] });
let tmp;

before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'mamori-org-csv-'));
});

after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const elevateIfAsked = (page) => elevateWith(page, kNewPassword);

async function appoint(page, role, unit) {
    await page.getByTestId('appoint').click();
    const form = page.getByTestId('appoint-form');
    await form.waitFor();
    await choose(page, form, '役割', role);
    if (unit) await choose(page, form, '部署', unit);
    await form.getByRole('button', { name: '任命する' }).click();
}

test('organisation: people, appointments, 兼務の禁止, history, CSV import', { timeout: 240_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'org', async () => {
        // The administrator's first login: the initial password must be changed.
        await firstAdminLogin(page, kNewPassword);

        // A 部 and a 課 on the units page.
        const nav = page.getByRole('navigation', { name: 'メインメニュー' });
        await nav.getByRole('link', { name: '組織', exact: true }).click();
        await addUnit(page, { kind: '部', name: '危機管理部', password: kNewPassword });
        await addUnit(page, { kind: '課', name: '防災課', parent: '危機管理部', password: kNewPassword });

        // People: the list (only admin so far), then a new person in the 課.
        await nav.getByRole('link', { name: '職員', exact: true }).click();
        const table = page.getByTestId('people-table');
        await table.getByText('admin', { exact: true }).waitFor();
        await page.getByTestId('person-add').click();
        const form = page.getByTestId('person-form');
        await form.getByLabel('ユーザー名').fill('bousai-kacho');
        await form.getByLabel('氏名').fill('防災 花子');
        await form.getByLabel(/^よみ/).fill('ぼうさい はなこ');
        await choose(page, form, '所属', '危機管理部 / 防災課');
        // A field error from the server is shown next to its field.
        await form.getByLabel('初期パスワード').fill('short');
        await form.getByRole('button', { name: '登録する' }).click();
        await form.locator('.el-form-item__error').getByText(/パスワードの条件を満たしていません/).waitFor();
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: add person dialog');
        await screenshot(page, 'org-person-add', { fullPage: false });
        await form.getByLabel('初期パスワード').fill('Kari-Bousai-2026');
        await form.getByRole('button', { name: '登録する' }).click();

        // The person's page: appoint 情報セキュリティ管理者 of the 課.
        await page.waitForURL(/\/org\/people\/[0-9a-f]+$/);
        assert.equal(await page.getByTestId('person-name').innerText(), '防災 花子');
        await page.getByTestId('appointments-empty').waitFor();
        await appoint(page, '情報セキュリティ管理者', null);  // the unit defaults to the person's own
        const appointments = page.getByTestId('appointments-table');
        await appointments.getByText('情報セキュリティ管理者', { exact: true }).waitFor();
        assert.match(await appointments.innerText(), /危機管理部 \/ 防災課/);

        // 統括情報セキュリティ責任者 (organisation-wide), then 監査人: refused, 兼務の禁止.
        await appoint(page, '統括情報セキュリティ責任者', null);
        await appointments.getByText('統括情報セキュリティ責任者', { exact: true }).waitFor();
        await appoint(page, '情報セキュリティ監査人', null);
        const refusal = page.getByTestId('sod-refusal');
        await refusal.waitFor();
        const refusalText = await refusal.innerText();
        assert.match(refusalText, /兼務の禁止に当たるため、任命できません。/);
        assert.match(refusalText, /監査人と統括情報セキュリティ責任者の兼務禁止/);
        assert.ok(await page.getByTestId('appoint-form').isVisible(), 'the refusal is shown inside the dialog');
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: appoint dialog with the refusal');
        await screenshot(page, 'org-appoint-refused', { fullPage: false });
        await page.getByRole('dialog', { name: '役割の任命' }).getByRole('button', { name: 'キャンセル' }).click();
        await page.getByTestId('appoint-form').waitFor({ state: 'hidden' });

        // History: the creation and the appointments, in Japanese, in JST.
        const history = page.getByTestId('history-table');
        await history.getByText('職員の登録', { exact: true }).waitFor();
        assert.equal(await history.getByText('役割への任命', { exact: true }).count(), 2);
        assert.match(await history.innerText(), /\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/);

        // 編集: a new 氏名 and a move to the 部; the page and the history show the change.
        await page.getByTestId('person-edit').click();
        const edit = page.getByTestId('person-edit-form');
        await edit.waitFor();
        assert.equal(await edit.getByLabel('氏名').inputValue(), '防災 花子');
        await edit.getByLabel('氏名').fill('防災 春子');
        await choose(page, edit, '所属', '危機管理部');
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: edit person dialog');
        await screenshot(page, 'org-person-edit', { fullPage: false });
        await edit.getByRole('button', { name: '保存する' }).click();
        await elevateIfAsked(page);
        await edit.waitFor({ state: 'hidden' });
        await page.getByText('職員の情報を変更しました。').waitFor();
        await history.getByText('職員の情報の変更', { exact: true }).waitFor();
        assert.equal(await page.getByTestId('person-name').innerText(), '防災 春子');
        const fields = page.getByTestId('person-fields');
        assert.equal((await fields.locator('dt:text-is("氏名") + dd').innerText()).trim(), '防災 春子');
        assert.equal((await fields.locator('dt:text-is("所属") + dd').innerText()).trim(), '危機管理部');
        await expectAccessible(page, 'person page');
        await screenshot(page, 'org-person');

        // CSV import: a file with a bad row shows every problem by row, and imports nothing.
        await nav.getByRole('link', { name: 'CSV 取り込み' }).click();
        const header = 'ユーザー名,氏名,よみ,所属,雇用形態,初期パスワード\r\n';
        const bad = join(tmp, 'bad.csv');
        writeFileSync(bad, header +
            'bousai-1,防災 一郎,ぼうさい いちろう,危機管理部/防災課,正職員,Kari-Pass-2026a\r\n' +
            'bousai-2,防災 次郎,ぼうさい じろう,存在しない課,正職員,Kari-Pass-2026b\r\n');
        await page.getByTestId('import-file').setInputFiles(bad);
        await page.getByTestId('import-check').click();
        const errors = page.getByTestId('import-errors');
        await errors.waitFor();
        const errorRow = errors.locator('tbody tr').first();
        assert.equal((await errorRow.locator('td').first().innerText()).trim(), '3');
        assert.equal((await errorRow.locator('td').nth(1).innerText()).trim(), '所属 (unit)');
        assert.match(await errorRow.locator('td').nth(2).innerText(), /存在しない課/);
        assert.equal(await page.getByTestId('import-run').count(), 0, 'nothing to import from a bad file');
        await expectAccessible(page, 'import with errors');
        await screenshot(page, 'org-import-errors');

        // A good file: checked first (preview), then imported.
        const good = join(tmp, 'good.csv');
        writeFileSync(good, header +
            'bousai-1,防災 一郎,ぼうさい いちろう,危機管理部/防災課,正職員,Kari-Pass-2026a\r\n' +
            'bousai-2,防災 次郎,ぼうさい じろう,危機管理部/防災課,会計年度任用職員,Kari-Pass-2026b\r\n');
        await page.getByTestId('import-file').setInputFiles(good);
        await page.getByTestId('import-check').click();
        const preview = page.getByTestId('import-preview');
        await preview.waitFor();
        assert.match(await page.getByTestId('import-checked').innerText(), /2 件を取り込めます/);
        assert.match(await preview.innerText(), /会計年度任用職員/);
        await expectAccessible(page, 'import preview');
        await screenshot(page, 'org-import');
        await page.getByTestId('import-run').click();
        await page.getByTestId('import-done').getByText('2 件を取り込みました。').waitFor();

        // The list: the imported people, search, and the status filter.
        await nav.getByRole('link', { name: '職員', exact: true }).click();
        await table.getByText('bousai-2', { exact: true }).waitFor();
        assert.equal(await table.locator('tbody tr').count(), 4);
        const filters = page.getByTestId('people-filters');
        const historyLength = await page.evaluate(() => history.length);
        await filters.getByLabel('検索').fill('じ');
        await filters.getByRole('button', { name: '検索する' }).click();
        await filters.getByLabel('検索').fill('じろう');
        await filters.getByRole('button', { name: '検索する' }).click();
        await settle(page);
        assert.equal(await table.locator('tbody tr').count(), 1);
        assert.match(await table.innerText(), /防災 次郎/);
        // The search is in the address, replaced rather than added to the history.
        assert.equal(new URL(page.url()).searchParams.get('q'), 'じろう');
        assert.equal(await page.evaluate(() => history.length), historyLength, 'searching adds no history entries');
        // A reload shows the same list, with the search in its field.
        await page.reload();
        await table.getByText('防災 次郎').waitFor();
        assert.equal(await filters.getByLabel('検索').inputValue(), 'じろう');
        assert.equal(await table.locator('tbody tr').count(), 1);
        // To a person and back: the list is still the searched one.
        await table.getByRole('link', { name: '防災 次郎', exact: true }).click();
        await page.getByTestId('person-name').waitFor();
        await page.goBack();
        await page.waitForURL(/\/org\/people\?q=/);
        await table.getByText('防災 次郎').waitFor();
        assert.equal(await filters.getByLabel('検索').inputValue(), 'じろう');
        assert.equal(await table.locator('tbody tr').count(), 1);
        await filters.getByRole('button', { name: '条件を消す' }).click();
        await settle(page);
        assert.equal(new URL(page.url()).search, '', 'cleared filters leave the address');
        await choose(page, filters, '所属', '危機管理部 / 防災課');
        await filters.getByRole('button', { name: '検索する' }).click();
        await settle(page);
        assert.equal(await table.locator('tbody tr').count(), 2, 'the unit filter leaves out admin and 防災 春子 (moved)');
        assert.ok(new URL(page.url()).searchParams.get('unit_id'), 'the unit filter is in the address');
        await expectAccessible(page, 'people list');
        await screenshot(page, 'org-people');

        // Tablet width: nothing wider than the window.
        await page.setViewportSize({ width: 768, height: 1024 });
        await settle(page);
        await noHorizontalOverflow(page, 'people at 768 px');
        await screenshot(page, 'org-people-768');
        await table.getByRole('link', { name: '防災 次郎', exact: true }).click();
        await page.getByTestId('history-table').waitFor();
        await settle(page);
        await noHorizontalOverflow(page, 'person at 768 px');
        await screenshot(page, 'org-person-768');

        assert.deepEqual(page.problems, []);
    });
});
