// 申請・承認 in the browser, on the demo city: a member of staff of 市民課 applies to take one of
// the section's assets out (the type chosen from the cards, the form generated from the type,
// the browser's own checks, the approval chain previewed), the section manager finds it among
// what awaits his approval and approves it with a comment, and the applicant sees it approved;
// then an application returned with a reason, changed and resubmitted, and withdrawn. axe-core
// on every page.
//
// Nothing here counts on applications of the demo data: the tests make their own and look for
// those by their number.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
    api, axeScan, expectAccessible, jstDay, kDemoPassword, loginAs, nav, pick, screenshot, settle,
    useServer, withFailureScreenshot,
} from './harness.mjs';

const app = useServer({ demo: true, mfaRequiredRoles: [] });

async function logout(page) {
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.waitForURL(/\/login/);
}

/** The row of the list holding the application numbered `number`. */
function row(page, number) {
    return page.getByTestId('requests-table').locator(`tr[data-number="${number}"]`);
}

test('taking an asset out: applied for by staff, approved by the section manager, seen approved', { timeout: 300_000 }, async () => {
    const page = await app.openPage();
    const title = 'E2E 住民異動届の出張窓口への持ち出し';
    let number;
    await withFailureScreenshot(page, 'requests-apply', async () => {
        await loginAs(page, 'shimin-staff', kDemoPassword);
        // Home: the inbox's counts.
        await page.getByTestId('inbox-summary').waitFor();
        assert.equal((await page.getByTestId('inbox-to-approve').innerText()).trim(), '0 件');

        // 申請 → 新しい申請 → 情報資産の持ち出し.
        await nav(page).getByRole('link', { name: '申請', exact: true }).click();
        await page.waitForURL(/\/requests$/);
        await page.getByTestId('requests-table').or(page.getByTestId('requests-empty')).first().waitFor();
        await expectAccessible(page, 'applications');
        await screenshot(page, 'requests');
        await page.getByTestId('request-new').click();
        await page.waitForURL(/\/requests\/new$/);
        const types = page.getByTestId('request-types');
        await types.waitFor();
        // One card per type of the catalog, with its description and 対策基準 items.
        assert.equal(await types.locator('li[data-type]').count(), 11);
        assert.match(await types.locator('li[data-type="exception"]').innerText(), /9-4\(1\)/);
        await expectAccessible(page, 'types of application');
        await screenshot(page, 'request-types');
        await types.getByRole('link', { name: '情報資産の持ち出し', exact: true }).click();
        await page.waitForURL(/\/requests\/new\/takeout$/);
        const form = page.getByTestId('request-form');
        await form.waitFor();
        const chain = page.getByTestId('chain-preview');
        assert.match(await chain.innerText(), /分類に応じた持ち出しの許可[\s\S]*機密性3Aの情報資産の持ち出しの確認/);
        // Help text is shown. (This type has no file field: attachments.test.mjs attaches files.)
        await form.getByText('訪問先や会場の名称と所在地を書きます。').waitFor();

        // The browser's own checks, beside the fields.
        await page.getByTestId('request-submit').click();
        await page.getByTestId('request-form-error').waitFor();
        await form.getByText('件名を入力してください。').waitFor();
        await form.getByText('持ち出す情報資産を選んでください。').waitFor();
        await form.getByText('持ち出す期間の開始日と終了日を入力してください。').waitFor();
        await form.getByLabel('持ち出す期間 開始日').fill(jstDay(1));
        await form.getByLabel('持ち出す期間 終了日').fill(jstDay(40));
        await page.getByTestId('request-submit').click();
        await form.getByText(/持ち出す期間は 30 日以内にしてください/).waitFor();

        // The form, with an asset of 市民課 chosen from the register the applicant may read.
        await form.getByLabel('件名', { exact: true }).fill(title);
        await pick(page, form, '持ち出す情報資産', /住民異動届/);
        await form.getByLabel('持ち出しの目的', { exact: true }).fill('出張窓口で転入の届出を受け付けるため');
        await form.getByLabel('持ち出し先', { exact: true }).fill('ひばり野市 北部公民館 (ひばり野市北町 1-2)');
        await form.getByLabel('持ち出す期間 開始日').fill(jstDay(7));
        await form.getByLabel('持ち出す期間 終了日').fill(jstDay(8));
        await pick(page, form, '持ち出す形態', '紙の文書');
        // 機密性3B: the 3A step does not apply.
        await chain.getByText('この内容では不要です').waitFor();
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: application form');
        await screenshot(page, 'request-new-takeout');
        await page.getByTestId('request-submit').click();

        // Its page: 申請中, pending with the section manager.
        await page.waitForURL(/\/requests\/[0-9a-f]+$/);
        await page.getByTestId('request-state').getByText('申請中', { exact: true }).waitFor();
        number = (await page.getByTestId('request-number').innerText()).trim();
        assert.match(number, /^OUT-\d{4}-\d{4}$/);
        assert.equal((await page.getByTestId('request-title').innerText()).trim(), title);
        // The asset by its number and name (the applicant reads her section's register).
        const values = page.getByTestId('request-form-values');
        await values.getByRole('link', { name: /A-\d+ 住民異動届/ }).waitFor();
        assert.match(await values.innerText(), /紙の文書/);
        const steps = page.getByTestId('request-chain');
        assert.match(await steps.innerText(), /分類に応じた持ち出しの許可[\s\S]*承認待ち[\s\S]*村上 浩二/);
        assert.equal(await page.getByTestId('request-approve').count(), 0, 'the applicant never approves');
        await page.getByTestId('request-withdraw').waitFor();
        await page.getByTestId('request-history').getByText('申請', { exact: true }).waitFor();
        await expectAccessible(page, 'application, submitted');
        await screenshot(page, 'request-submitted');

        // In my applications.
        await nav(page).getByRole('link', { name: '申請', exact: true }).click();
        await row(page, number).getByText('申請中', { exact: true }).waitFor();
        assert.deepEqual(page.problems, []);
        await logout(page);
    });

    await withFailureScreenshot(page, 'requests-approve', async () => {
        await loginAs(page, 'shimin-kacho', kDemoPassword);
        assert.match(await page.getByTestId('inbox-to-approve').innerText(), /^[1-9]\d* 件$/);
        await nav(page).getByRole('link', { name: '申請', exact: true }).click();
        await page.getByTestId('request-views').getByRole('link', { name: /^承認待ち/ }).click();
        await page.waitForURL(/\/requests\?view=inbox$/);
        const mine = row(page, number);
        await mine.waitFor();
        assert.match(await mine.innerText(), /情報資産の持ち出し[\s\S]*川口 さくら[\s\S]*申請中/);
        await expectAccessible(page, 'awaiting approval');
        await screenshot(page, 'requests-inbox');
        await mine.getByRole('link', { name: title }).click();
        await page.getByTestId('request-your-turn').waitFor();
        await page.getByTestId('request-approve').click();
        const dialog = page.getByTestId('request-action-form');
        await dialog.waitFor();
        await dialog.getByLabel(/^コメント/).fill('期間中は施錠できる鞄で運んでください。');
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: approve dialog');
        await dialog.getByRole('button', { name: '承認する' }).click();
        await page.getByText('承認しました。').waitFor();
        await page.getByTestId('request-state').getByText('承認済み', { exact: true }).waitFor();
        await page.getByTestId('request-chain').getByText('期間中は施錠できる鞄で運んでください。').waitFor();
        assert.equal(await page.getByTestId('request-approve').count(), 0);
        await page.getByTestId('request-history').getByText('承認', { exact: true }).waitFor();
        await expectAccessible(page, 'application, approved');
        await screenshot(page, 'request-approved');
        assert.deepEqual(page.problems, []);
        await logout(page);
    });

    await withFailureScreenshot(page, 'requests-seen', async () => {
        await loginAs(page, 'shimin-staff', kDemoPassword);
        await nav(page).getByRole('link', { name: '申請', exact: true }).click();
        const mine = row(page, number);
        await mine.getByText('承認済み', { exact: true }).waitFor();
        await mine.getByRole('link', { name: title }).click();
        await page.getByTestId('request-state').getByText('承認済み', { exact: true }).waitFor();
        // The approval is valid for the period applied for.
        assert.match(await page.getByTestId('request-validity').innerText(), /\d+年\d+月\d+日 から \d+年\d+月\d+日 まで/);
        assert.equal(await page.getByTestId('request-withdraw').count(), 0, 'an approved application is not withdrawn');
        assert.deepEqual(page.problems, []);
    });
});

test('returned with a reason, changed and resubmitted, then withdrawn', { timeout: 240_000 }, async () => {
    const staff = await app.openPage();
    const kacho = await app.openPage();
    let id;
    let number;
    await withFailureScreenshot(staff, 'requests-return-submit', async () => {
        await loginAs(staff, 'shimin-staff', kDemoPassword);
        // Submitted through the API (the form is tested above).
        const assets = (await api(staff, 'GET', '/api/v1/assets?status=active')).json.items;
        const asset = assets.find((a) => /住民異動届/.test(a.name));
        assert.ok(asset, 'an asset of 市民課');
        const created = await api(staff, 'POST', '/api/v1/requests', {
            type: 'takeout', title: 'E2E 差戻しの試験', form: {
                asset: asset.id, purpose: '研修会の資料', destination: '県庁', method: 'paper',
                period: { from: jstDay(3), to: jstDay(3) },
            },
        });
        assert.equal(created.status, 201, JSON.stringify(created.json));
        ({ id, number } = created.json);
    });

    await withFailureScreenshot(kacho, 'requests-return', async () => {
        await loginAs(kacho, 'shimin-kacho', kDemoPassword);
        await kacho.goto(`/requests/${id}`);
        await kacho.getByTestId('request-return').click();
        const dialog = kacho.getByTestId('request-action-form');
        await dialog.getByRole('button', { name: '差し戻す' }).click();
        await dialog.getByText('理由を入力してください。').waitFor();
        await dialog.getByLabel(/^理由/).fill('持ち出し先の所在地も書いてください。');
        await dialog.getByRole('button', { name: '差し戻す' }).click();
        await kacho.getByText('差し戻しました。').waitFor();
        await kacho.getByTestId('request-state').getByText('差戻し', { exact: true }).waitFor();
        assert.deepEqual(kacho.problems, []);
    });

    await withFailureScreenshot(staff, 'requests-resubmit', async () => {
        await staff.goto(`/requests/${id}`);
        await staff.getByTestId('request-state').getByText('差戻し', { exact: true }).waitFor();
        await staff.getByTestId('request-resubmit').click();
        await staff.waitForURL(/\/resubmit$/);
        const form = staff.getByTestId('request-form');
        await form.waitFor();
        await staff.getByText(/持ち出し先の所在地も書いてください。/).waitFor();
        // The form holds what was sent.
        assert.equal(await form.getByLabel('件名', { exact: true }).inputValue(), 'E2E 差戻しの試験');
        assert.equal(await form.getByLabel('持ち出し先', { exact: true }).inputValue(), '県庁');
        assert.match(await form.locator('.el-form-item[data-field="asset"]').innerText(), /住民異動届/);
        await form.getByLabel('持ち出し先', { exact: true }).fill('県庁 (県庁所在地 本町 1-1)');
        await form.getByLabel(/^修正の内容/).fill('所在地を書き加えました。');
        await settle(staff);
        assert.deepEqual(await axeScan(staff), [], 'axe: resubmission');
        await screenshot(staff, 'request-resubmit');
        await staff.getByTestId('request-submit').click();
        await staff.waitForURL(new RegExp(`/requests/${id}$`));
        await staff.getByTestId('request-state').getByText('申請中', { exact: true }).waitFor();
        assert.equal((await staff.getByTestId('request-number').innerText()).trim(), number, 'the same number');
        assert.match(await staff.getByTestId('request-fields').innerText(), /2 回目/);
        assert.match(await staff.getByTestId('request-form-values').innerText(), /本町 1-1/);
        await staff.getByTestId('request-history').getByText('再申請', { exact: true }).waitFor();
        assert.deepEqual(staff.problems, []);
    });

    // The section manager opens it again (round 2, his to decide) …
    await withFailureScreenshot(kacho, 'requests-round2', async () => {
        await kacho.goto(`/requests/${id}`);
        await kacho.getByTestId('request-approve').waitFor();
        assert.match(await kacho.getByTestId('request-chain').innerText(), /承認待ち/);
    });

    // … while the applicant withdraws it: no action is left for her.
    await withFailureScreenshot(staff, 'requests-withdraw', async () => {
        await staff.getByTestId('request-withdraw').click();
        const dialog = staff.getByTestId('request-action-form');
        await dialog.getByRole('button', { name: '取り下げる' }).click();
        await staff.getByText('取り下げました。').waitFor();
        await staff.getByTestId('request-state').getByText('取下げ', { exact: true }).waitFor();
        assert.equal(await staff.getByTestId('request-withdraw').count(), 0);
        assert.equal(await staff.getByTestId('request-resubmit').count(), 0);
        await expectAccessible(staff, 'application, withdrawn');
        assert.deepEqual(staff.problems, []);
    });

    // The approver's page was read before: the server refuses (409), the page says so in
    // Japanese and shows the application as it is now.
    await withFailureScreenshot(kacho, 'requests-stale', async () => {
        await kacho.getByTestId('request-approve').click();
        const dialog = kacho.getByTestId('request-action-form');
        await dialog.getByRole('button', { name: '承認する' }).click();
        await kacho.getByTestId('request-action-form-error').getByText(/いまの状態ではこの操作ができません/).waitFor();
        await kacho.getByTestId('request-state').getByText('取下げ', { exact: true }).waitFor();
        await dialog.getByRole('button', { name: 'キャンセル' }).click();
        assert.equal(await kacho.getByTestId('request-approve').count(), 0);
        assert.deepEqual(kacho.problems, []);
    });
});
