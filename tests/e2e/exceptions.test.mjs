// 例外措置台帳 (対策基準 9-4(3)) in the browser, on the demo city, whose ledger holds four
// exceptions: one in force past its review date (不法投棄監視カメラの映像の庁外保管, reviewed
// by the CISO with a next review date of yesterday), one 緊急時の事後報告, one for 税務課, one
// expired. A member of staff has no menu entry and no page; the auditor reads the ledger and an
// exception but records nothing; the CISO sees the overdue one flagged, downloads the ledger,
// meets the form's checks and a refusal of the server, records 継続 with a next date, and the
// flag is gone. axe-core on every page, and at 768 px.
//
// The tests run in order: the auditor looks before the CISO's review clears the flag.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
    api, axeScan, expectAccessible, jstDay, kDemoPassword, loginAs, nav, noHorizontalOverflow, screenshot, settle,
    useServer, withFailureScreenshot,
} from './harness.mjs';

const app = useServer({ demo: true, mfaRequiredRoles: [] });

const kOverdue = '不法投棄監視カメラの映像の庁外保管';
const kEmergency = '停電時の住民票の写しの手書き交付';
const kUsb = '確定申告期の窓口端末での USB メモリの使用';
const kExpired = '旧課税システムの更新遅れ';

/** The ledger's row of the exception titled `title`. */
function row(page, title) {
    return page.getByTestId('exceptions-table').locator('tbody tr').filter({ hasText: title });
}

/** A cell of a row by its column's field key (`data-column`). */
function cell(rowLocator, column) {
    return rowLocator.locator(`td[data-column="${column}"]`);
}

async function openLedger(page) {
    await nav(page).getByRole('link', { name: '例外措置台帳', exact: true }).click();
    await page.waitForURL(/\/exceptions$/);
    await page.getByTestId('exceptions-table').waitFor();
}

test('a member of staff has no ledger: no menu entry, and its addresses lead home', { timeout: 60_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'exceptions-staff', async () => {
        await loginAs(page, 'shimin-staff', kDemoPassword);
        const menu = await nav(page).innerText();
        assert.doesNotMatch(menu, /例外措置台帳/);
        assert.doesNotMatch(menu, /運用/, 'the area has nothing else for staff');
        await page.goto('/exceptions');
        await page.waitForURL((url) => url.pathname === '/');
        await page.getByTestId('me-username').waitFor();
        await page.goto('/exceptions/0123456789abcdef0123456789abcdef');
        await page.waitForURL((url) => url.pathname === '/');
        // The API refuses too.
        assert.equal((await api(page, 'GET', '/api/v1/exceptions')).status, 403);
        assert.equal((await page.request.get('/api/v1/exceptions/export?format=csv')).status(), 403);
        assert.deepEqual(page.problems, []);
    });
});

test('the auditor reads the ledger and an exception, and records nothing', { timeout: 120_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'exceptions-auditor', async () => {
        await loginAs(page, 'kansa', kDemoPassword);
        await openLedger(page);
        // All four, the expired one included; the overdue one flagged.
        assert.equal(await page.getByTestId('exceptions-table').locator('tbody tr').count(), 4);
        await row(page, kOverdue).getByTestId('exception-overdue').waitFor();
        assert.equal(await page.getByTestId('exceptions-table').getByTestId('exception-overdue').count(), 1);
        assert.match(await page.getByTestId('exceptions-summary').innerText(), /4 件 \(有効 3 件、うち見直し期限超過 1 件\)/);
        await expectAccessible(page, 'ledger, auditor');

        await row(page, kOverdue).getByTestId('exception-link').click();
        await page.waitForURL(/\/exceptions\/[0-9a-f]+$/);
        await page.getByTestId('exception-overdue-alert').waitFor();
        await page.getByTestId('exception-reviews').waitFor();
        assert.equal(await page.getByTestId('exception-review-form').count(), 0, 'no review form without exceptions.review');
        assert.equal(await page.getByTestId('exception-review-closed').count(), 0);
        // The menu marks the ledger as where this page belongs.
        assert.equal(await nav(page).getByRole('link', { name: '例外措置台帳' }).getAttribute('aria-current'), 'page');
        await expectAccessible(page, 'exception, auditor');
        await screenshot(page, 'exception-auditor');
        // The server refuses a review from the auditor as well.
        const id = page.url().split('/').pop();
        const refused = await api(page, 'POST', `/api/v1/exceptions/${id}/reviews`, { result: 'end', note: '監査人による試行' });
        assert.equal(refused.status, 403);
        assert.deepEqual(page.problems, []);
    });
});

test('the CISO sees the overdue exception, downloads the ledger and records 継続', { timeout: 300_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'exceptions-ciso', async () => {
        await loginAs(page, 'ciso', kDemoPassword);
        await openLedger(page);
        const table = page.getByTestId('exceptions-table');

        // The review date first; then the columns of the exception type: the 対策基準 item, 対象,
        // the reason, the compensating measures. The emergency flag is a mark by the title.
        const headers = (await table.locator('thead th').allInnerTexts()).map((s) => s.trim());
        assert.deepEqual(headers, ['申請番号', '件名', '次回の見直し', '有効期間', '例外とする対策基準の項目', '対象',
                                   '例外が必要な理由', '代替措置', '状態']);
        const overdue = row(page, kOverdue);
        await overdue.getByTestId('exception-overdue').waitFor();
        assert.match(await overdue.getByTestId('exception-review-due').innerText(), /見直し期限超過/);
        assert.match(await cell(overdue, 'control').innerText(), /^9-4\(1\)/);
        assert.match(await cell(overdue, 'compensating_measures').innerText(), /施錠した筐体/);
        assert.equal((await row(page, kEmergency).getByTestId('exception-flag').innerText()).trim(), '緊急時の事後報告');
        assert.equal(await table.getByTestId('exception-flag').count(), 1, 'only the emergency one is marked');
        assert.match(await cell(row(page, kUsb), 'scope').innerText(), /部署: 市民生活部 \/ 税務課/);
        assert.match(await row(page, kExpired).innerText(), /終了済み[\s\S]*期限切れ/);
        // 申請番号 opens the application.
        const number = (await overdue.locator('td').first().innerText()).trim();
        assert.match(number, /^EXC-\d{4}-\d{4}$/);
        assert.match(await overdue.getByRole('link', { name: `申請 ${number} を開く` }).getAttribute('href'), /^\/requests\/[0-9a-f]+$/);
        await expectAccessible(page, 'ledger');
        await screenshot(page, 'exceptions');

        // Only the overdue ones, kept in the address.
        await page.getByTestId('exceptions-only-overdue').click();
        await page.waitForURL(/\/exceptions\?overdue=1$/);
        await page.getByTestId('exceptions-summary').getByText('見直し期限を過ぎた例外措置: 1 件').waitFor();
        assert.equal(await table.locator('tbody tr').count(), 1);
        await page.reload();
        await page.getByTestId('exceptions-summary').getByText('見直し期限を過ぎた例外措置: 1 件').waitFor();
        await page.getByTestId('exceptions-only-overdue').click();
        await page.waitForURL(/\/exceptions$/);
        await page.getByTestId('exceptions-summary').getByText(/^4 件/).waitFor();

        // The downloads: CSV (UTF-8 with BOM) and Excel, as attachments.
        const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('exceptions-export-csv').click()]);
        assert.match(csvDownload.suggestedFilename(), /^mamori-exceptions-\d{8}\.csv$/);
        const csv = readFileSync(await csvDownload.path());
        assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM');
        const text = csv.toString('utf8');
        assert.match(text.split(/\r?\n/)[0], /申請番号/);
        for (const title of [kOverdue, kEmergency, kUsb, kExpired]) assert.ok(text.includes(title), `${title} in the CSV`);
        const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('exceptions-export-xlsx').click()]);
        assert.match(xlsxDownload.suggestedFilename(), /^mamori-exceptions-\d{8}\.xlsx$/);
        assert.equal(readFileSync(await xlsxDownload.path()).subarray(0, 2).toString('latin1'), 'PK', 'a zip (xlsx)');

        // The overdue exception: its contents, its one review, and the form.
        await overdue.getByTestId('exception-link').click();
        await page.waitForURL(/\/exceptions\/[0-9a-f]+$/);
        assert.equal((await page.getByTestId('exception-title').innerText()).trim(), kOverdue);
        assert.equal((await page.getByTestId('exception-number').innerText()).trim(), number);
        await page.getByTestId('exception-overdue-alert').getByText(/見直しを記録してください/).waitFor();
        const fields = await page.getByTestId('exception-fields').innerText();
        assert.match(fields, /例外が必要な理由\s+監視カメラの録画装置/);
        assert.match(fields, /代替措置\s+録画装置を施錠した筐体/);
        assert.match(fields, /緊急時の事後報告\s+いいえ/);
        const reviews = page.getByTestId('exception-reviews');
        assert.equal(await reviews.locator('tbody tr').count(), 1);
        assert.match(await reviews.locator('tbody tr').first().innerText(), /継続[\s\S]*高森 誠一/);
        const form = page.getByTestId('exception-review-form');
        await form.waitFor();
        await expectAccessible(page, 'exception with the review form');
        await screenshot(page, 'exception-overdue');

        // The browser's checks, in Japanese beside the fields.
        await page.getByTestId('exception-review-submit').click();
        await form.getByText('見直しの結果を選んでください。').waitFor();
        await form.getByText('所見を入力してください。').waitFor();
        await form.getByRole('radio', { name: '継続する' }).click({ force: true });
        await form.getByLabel('所見').fill('筐体の施錠と映像の暗号化を現地で確かめた。');
        await page.getByTestId('exception-review-submit').click();
        await form.getByText('継続するときは、次回の見直し日を入力してください。').waitFor();
        await form.getByLabel('次回の見直し日').fill(jstDay(0));
        await page.getByTestId('exception-review-submit').click();
        await form.getByText('次回の見直し日には、明日以降の日付を指定してください。').waitFor();
        await form.getByLabel('次回の見直し日').fill(jstDay(400));
        await page.getByTestId('exception-review-submit').click();
        await form.getByText(/次回の見直し日は、有効期間の最終日 \(\d+年\d+月\d+日\) までの日付にしてください。/).waitFor();
        // 終了 warns what it does.
        await form.getByRole('radio', { name: '終了する' }).click({ force: true });
        await form.getByText(/明日から期限切れになります/).waitFor();
        await page.getByTestId('exception-review-submit').getByText('終了として記録する').waitFor();
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: review form with errors');

        // 継続 with a date in a month: recorded, the flag gone, the review on top.
        await form.getByRole('radio', { name: '継続する' }).click({ force: true });
        await form.getByLabel('次回の見直し日').fill(jstDay(30));
        await page.getByTestId('exception-review-submit').click();
        await page.getByText(/見直しを記録しました。次回の見直し日は \d+年\d+月\d+日 です。/).waitFor();
        await page.getByTestId('exception-overdue-alert').waitFor({ state: 'detached' });
        assert.equal(await page.getByTestId('exception-overdue').count(), 0);
        await reviews.locator('tbody tr').nth(1).waitFor();
        const [y, m, d] = jstDay(30).split('-').map(Number);
        const next = `${y}年${m}月${d}日`;
        assert.match(await reviews.locator('tbody tr').first().innerText(), new RegExp(`継続\\s+${next}\\s+筐体の施錠と映像の暗号化を現地で確かめた。\\s+高森 誠一`));
        assert.equal((await page.getByTestId('exception-review-due').innerText()).trim(), next);
        // The form is emptied (Element Plus writes the input's value a tick later).
        await page.waitForFunction(() => document.querySelector('[data-testid="exception-review-form"] textarea[name="note"]')?.value === '');
        await expectAccessible(page, 'exception, reviewed');
        await screenshot(page, 'exception-reviewed');

        // The ledger: no flag left; the overdue list is empty.
        await nav(page).getByRole('link', { name: '例外措置台帳' }).click();
        await page.waitForURL(/\/exceptions$/);
        await row(page, kOverdue).waitFor();
        assert.equal(await table.getByTestId('exception-overdue').count(), 0);
        assert.match(await row(page, kOverdue).getByTestId('exception-review-due').innerText(), new RegExp(next));
        assert.match(await page.getByTestId('exceptions-summary').innerText(), /うち見直し期限超過 0 件/);
        await page.getByTestId('exceptions-only-overdue').click();
        await page.getByTestId('exceptions-empty').getByText('見直し期限を過ぎた例外措置はありません。').waitFor();
        await expectAccessible(page, 'ledger, nothing overdue');
        await page.getByTestId('exceptions-only-overdue').click();

        // The application's history (the history table shared with the registers) words the review.
        await row(page, kOverdue).getByRole('link', { name: `申請 ${number} を開く` }).click();
        await page.waitForURL(/\/requests\/[0-9a-f]+$/);
        const reviewEvent = page.getByTestId('request-history').locator('tr[data-action="exception.review"]').first();
        await reviewEvent.waitFor();
        assert.match(await reviewEvent.innerText(),
                     new RegExp(`例外措置の見直し[\\s\\S]*見直しの結果: 継続[\\s\\S]*次回の見直し日: ${next}[\\s\\S]*所見: 筐体の施錠と映像の暗号化`));
        await expectAccessible(page, 'the application of the exception');
        assert.deepEqual(page.problems, []);
    });
});

test('an exception ended elsewhere: the server refuses the review and the page shows it ended; an ended or expired exception takes no review', { timeout: 120_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'exceptions-refused', async () => {
        await loginAs(page, 'ciso', kDemoPassword);
        await openLedger(page);
        await row(page, kUsb).getByTestId('exception-link').click();
        await page.waitForURL(/\/exceptions\/[0-9a-f]+$/);
        const id = page.url().split('/').pop();
        const form = page.getByTestId('exception-review-form');
        await form.waitFor();

        // Meanwhile someone ends it: today becomes its last valid day. The page still offers
        // the old period, so only the server can say no.
        const ended = await api(page, 'POST', `/api/v1/exceptions/${id}/reviews`, { result: 'end', note: 'E2E 別の画面で終了' });
        assert.equal(ended.status, 201, JSON.stringify(ended.json));
        await form.getByRole('radio', { name: '継続する' }).click({ force: true });
        await form.getByLabel('次回の見直し日').fill(jstDay(10));
        await form.getByLabel('所見').fill('継続の見直し');
        await page.getByTestId('exception-review-submit').click();
        // The server answers 409 exception_ended; the page reads the entry again and, ended
        // by that review, it takes no further review.
        await page.getByTestId('exception-review-closed').getByText(/見直しで終了と記録されています/).waitFor();
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: after a refusal of the server');
        // The same after reading it again; it is valid until today.
        await page.reload();
        await page.getByTestId('exception-review-closed').getByText(/見直しで終了と記録されています/).waitFor();
        assert.equal(await page.getByTestId('exception-review-form').count(), 0);
        const [y, m, d] = jstDay(0).split('-').map(Number);
        assert.equal((await page.getByTestId('exception-review-due').innerText()).trim(), `${y}年${m}月${d}日に終了`);
        assert.match(await page.getByTestId('exception-reviews').locator('tbody tr').first().innerText(), /終了\s+なし\s+E2E 別の画面で終了/);

        // The expired exception: its page says why there is no form.
        await nav(page).getByRole('link', { name: '例外措置台帳' }).click();
        await row(page, kExpired).getByTestId('exception-link').click();
        await page.getByTestId('exception-review-closed').waitFor();
        assert.equal(await page.getByTestId('exception-review-form').count(), 0);
        await page.getByTestId('exception-no-reviews').waitFor();

        // At 768 px: nothing wider than the window (the table scrolls in its own region).
        await page.setViewportSize({ width: 768, height: 900 });
        await settle(page);
        await noHorizontalOverflow(page, 'exception at 768 px');
        await expectAccessible(page, 'expired exception at 768 px');
        await nav(page).getByRole('link', { name: '例外措置台帳' }).click();
        await page.getByTestId('exceptions-table').waitFor();
        await settle(page);
        await noHorizontalOverflow(page, 'ledger at 768 px');
        await expectAccessible(page, 'ledger at 768 px');
        await screenshot(page, 'exceptions-768');
        assert.deepEqual(page.problems, []);
    });
});
