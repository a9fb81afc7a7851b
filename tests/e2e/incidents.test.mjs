// インシデント (issue 9, 対策基準 7-3, 9-3) in the browser, on the demo city, whose incidents
// include 住民票の写しの誤交付 (市民課, personal information, 高, 原因調査, its 速報 due in two
// days). A member of staff reports an incident from the header of another page and gets its
// number; a CSIRT member finds it on the board, accepts it as 高 (which tells the
// 統括情報セキュリティ責任者 and the CISO), takes it through 対応中, 原因調査 and 再発防止策,
// records a note and the 速報 to 個人情報保護委員会, and closes it; the 統括情報セキュリティ責任者
// has it in the header's badge; the demo's personal-information incident shows its deadlines
// and the 緊急時対応計画; the yearly statistics draw their charts. axe-core on every page, and
// the pages at 768 px.
//
// The tests run in order: each goes on with the incident the first one reported.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
    api, axeScan, expectAccessible, jstDay, kDemoPassword, loginAs, nav, noHorizontalOverflow, pick, screenshot, settle,
    useServer, withFailureScreenshot,
} from './harness.mjs';

const app = useServer({ demo: true, mfaRequiredRoles: [] });

const kTitle = 'E2E 窓口で申請書の控えを別の方に渡した';
const kDemoPersonal = '住民票の写しの誤交付';
/** A small PDF (the server knows a PDF by its first bytes). */
const kPdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
let number = '';
let incidentPath = '';

/** axe-core once the dropdowns of the selects have closed (an open one is a tooltip without a name). */
async function axeClosed(page) {
    await page.waitForFunction(() => [...document.querySelectorAll('.el-select__popper')]
        .every((el) => getComputedStyle(el).display === 'none'));
    await settle(page);
    return axeScan(page);
}

/** The board's card of the incident numbered `n`. */
function card(page, n) {
    return page.getByTestId('incidents-board').locator(`[data-testid="incident-card"][data-number="${n}"]`);
}

async function openBoard(page) {
    await nav(page).getByRole('link', { name: 'インシデント', exact: true }).click();
    await page.waitForURL(/\/incidents$/);
    await page.getByTestId('incidents-board').waitFor();
}

/** Clicks the move to `label` and submits its dialog after `fill(form)`; waits for the state badge. */
async function move(page, label, state, fill = async () => {}) {
    await page.getByTestId('incident-transitions').getByRole('button', { name: label, exact: true }).click();
    const form = page.getByTestId('incident-transition-form');
    await form.waitFor();
    await fill(form);
    await form.getByRole('button', { name: label, exact: true }).click();
    await form.waitFor({ state: 'hidden' });
    await page.locator(`[data-testid="incident-state"][data-state="${state}"]`).waitFor();
}

test('a member of staff reports an incident from the header and gets its number', { timeout: 120_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'incidents-report', async () => {
        await loginAs(page, 'shimin-staff', kDemoPassword);
        // No board for staff: no menu entry, and its address leads home.
        assert.doesNotMatch(await nav(page).innerText(), /インシデント/);
        await page.goto('/incidents');
        await page.waitForURL((url) => url.pathname === '/');
        await page.getByTestId('me-username').waitFor();

        // From another page: the policy.
        await nav(page).getByRole('link', { name: 'ポリシーを読む' }).click();
        await page.waitForURL(/\/policy/);
        await page.getByRole('button', { name: 'インシデント報告', exact: true }).click();
        const form = page.getByTestId('incident-report-form');
        await form.waitFor();
        // The time found is now (Japan), to begin with.
        const found = await form.locator('input[name="discovered_at"]').inputValue();
        assert.match(found, new RegExp(`^${jstDay(0)}T\\d{2}:\\d{2}$`));
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: the report form');
        await screenshot(page, 'incident-report-form');

        // The browser's checks, beside the fields.
        await form.getByRole('button', { name: '報告する' }).click();
        await form.getByText('件名を入力してください。').waitFor();
        await form.getByText('何が起きたかを入力してください。').waitFor();
        await form.getByText('分類を選んでください。').waitFor();
        assert.deepEqual(await axeClosed(page), [], 'axe: the report form with errors');

        await form.getByLabel('件名').fill(kTitle);
        await form.getByLabel('何が起きたか').fill('住民異動届の控えを、次に来た別の方に渡してしまった。気づいてすぐに声をかけ、その場で回収した。');
        await pick(page, form, '分類', '誤送信・誤配布');
        await form.getByText('個人情報が関わる、または関わるおそれがある').click();
        await form.getByLabel('影響の見込み (任意)').fill('住民 1 名の氏名と住所');
        // A field error of the server shows at its field (the answer is made up here: the
        // browser's checks leave nothing for the server to refuse).
        const refuse = (route) => (route.request().method() === 'POST'
            ? route.fulfill({ status: 400, contentType: 'application/json',
                              body: JSON.stringify({ error: { code: 'invalid_field', message: 'この分類は使えません',
                                                              details: { field: 'category' }, request_id: 'e2e' } }) })
            : route.continue());
        await page.route('**/api/v1/incidents', refuse);
        await form.getByRole('button', { name: '報告する' }).click();
        await form.locator('.el-form-item.is-error').filter({ hasText: '分類' }).getByText('この分類は使えません').waitFor();
        await page.unroute('**/api/v1/incidents', refuse);
        await form.getByRole('button', { name: '報告する' }).click();

        const done = page.getByTestId('incident-report-done');
        await done.waitFor();
        number = (await page.getByTestId('incident-report-number').innerText()).trim();
        assert.match(number, /^INC-\d{4}-\d{4}$/);
        assert.match(await done.innerText(), new RegExp(`${number} として受け付けました`));
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: the report received');
        await screenshot(page, 'incident-reported');

        // The link opens the incident: the reporter reads it, and may add a note, nothing more.
        await page.getByTestId('incident-report-link').click();
        await page.waitForURL(/\/incidents\/[0-9a-f]+$/);
        incidentPath = new URL(page.url()).pathname;
        assert.equal((await page.getByTestId('incident-number').innerText()).trim(), number);
        assert.equal((await page.getByTestId('incident-title').innerText()).trim(), kTitle);
        assert.equal(await page.getByTestId('incident-state').getAttribute('data-state'), 'reported');
        assert.match(await page.getByTestId('incident-state').innerText(), /報告/);
        assert.match(await page.getByTestId('incident-severity').innerText(), /未判定/);
        assert.equal(await page.getByTestId('incident-transitions').count(), 0, 'no moves for the reporter');
        assert.equal(await page.getByTestId('incident-edit').count(), 0, 'no edit for the reporter');
        const fields = await page.getByTestId('incident-fields').innerText();
        assert.match(fields, /関係する部署\s+市民課/, 'the reporter\'s own unit by default');
        assert.match(fields, /個人情報が関わる\s+はい/);
        // The two reports owed to 個人情報保護委員会.
        assert.equal(await page.getByTestId('incident-deadline').count(), 2);
        await page.getByTestId('incident-timeline').locator('[data-kind="reported"]').waitFor();
        await expectAccessible(page, 'the incident, for its reporter');
        assert.deepEqual(page.problems, []);
    });
});

test('a CSIRT member takes the incident through the lifecycle', { timeout: 300_000 }, async () => {
    assert.ok(number, 'the first test reported an incident');
    const page = await app.openPage();
    await withFailureScreenshot(page, 'incidents-csirt', async () => {
        await loginAs(page, 'soumu-csirt', kDemoPassword);
        await openBoard(page);
        // The board: a column per stage; the new incident is in 報告, marked personal information.
        const columns = (await page.locator('.column-title').allInnerTexts()).map((s) => s.replace(/\s*\d+ 件$/, '').trim());
        assert.deepEqual(columns, ['報告', '受付', '対応中', '原因調査', '再発防止策', '完了']);
        const c = card(page, number);
        await c.waitFor();
        assert.equal(await c.locator('xpath=ancestor::section[1]').getAttribute('data-state'), 'reported');
        await c.getByTestId('incident-personal').waitFor();
        await c.getByText('未判定').waitFor();
        await page.getByTestId('incident-card').filter({ hasText: kDemoPersonal }).waitFor();
        await expectAccessible(page, 'the board');
        await screenshot(page, 'incidents-board');

        // Filters, kept in the address: personal information only.
        await page.getByTestId('incidents-personal').click();
        await page.getByTestId('incidents-search').click();
        await page.waitForURL(/personal=1/);
        await card(page, number).waitFor();
        assert.equal(await page.getByTestId('incident-card').filter({ hasText: 'USB メモリの紛失' }).count(), 0);
        // The table view: the same incidents.
        await page.getByTestId('incidents-view-list').click();
        await page.waitForURL(/view=list/);
        const row = page.getByTestId('incidents-table').locator(`tr[data-number="${number}"]`);
        await row.waitFor();
        assert.match(await row.innerText(), /報告/);
        await expectAccessible(page, 'the table view');
        await page.getByTestId('incidents-view-board').click();
        await card(page, number).waitFor();

        // Open it: accept it as 高 (escalation).
        await card(page, number).getByTestId('incident-link').click();
        await page.waitForURL(/\/incidents\/[0-9a-f]+$/);
        assert.equal(new URL(page.url()).pathname, incidentPath);
        await page.getByTestId('incident-response-plan').waitFor();
        await expectAccessible(page, 'the incident, reported');
        await move(page, '受け付ける', 'accepted', async (form) => {
            await form.getByText('統括情報セキュリティ責任者と最高情報セキュリティ責任者 (CISO) にも通知されます').waitFor();
            await form.getByRole('button', { name: '受け付ける' }).click();
            await form.getByText('重大度を選んでください。').waitFor();
            await pick(page, form, '重大度', '高');
            assert.deepEqual(await axeClosed(page), [], 'axe: the accept dialog');
        });
        await page.locator('[data-testid="incident-severity"][data-severity="high"]').waitFor();
        assert.match(await page.getByTestId('incident-severity').innerText(), /高/);
        await page.getByTestId('incident-escalated').waitFor();
        await page.getByTestId('incident-timeline').locator('[data-kind="severity"]').first().waitFor();

        await move(page, '対応中にする', 'responding');
        // 原因調査 needs the containment.
        await move(page, '原因調査へ進める', 'investigating', async (form) => {
            await form.getByRole('button', { name: '原因調査へ進める' }).click();
            await form.getByText(/応急措置.*を入力してください。/).waitFor();
            await form.getByLabel(/応急措置/).fill('渡した控えをその場で回収し、ご本人に説明して謝罪した。');
        });
        assert.match(await page.getByTestId('incident-containment').innerText(), /その場で回収/);
        await move(page, '再発防止策へ進める', 'preventing', async (form) => {
            await form.getByLabel('原因', { exact: true }).fill('控えを窓口の同じトレイに重ねて置いていた。');
        });

        // A note, then the 速報 to 個人情報保護委員会.
        const entryForm = page.getByTestId('incident-entry-form');
        await page.getByTestId('incident-entry-text').fill('控えの置き場所を分ける案を窓口と相談した。');
        // With a file: uploaded as it is chosen, then kept with the entry and its SHA-256.
        await page.getByTestId('file-input-entry-attachments').setInputFiles({ name: '窓口の配置図.pdf', mimeType: 'application/pdf', buffer: kPdf });
        await page.getByTestId('file-list-entry-attachments').locator('[data-state="done"]').waitFor();
        await page.getByTestId('incident-entry-submit').click();
        const note = page.getByTestId('incident-timeline').locator('[data-kind="note"]').filter({ hasText: '控えの置き場所を分ける案' });
        await note.waitFor();
        const file = note.getByTestId('incident-entry-file');
        assert.equal((await file.innerText()).trim(), '窓口の配置図.pdf');
        assert.equal((await note.getByTestId('incident-entry-sha256').innerText()).trim(), createHash('sha256').update(kPdf).digest('hex'));
        const download = await page.request.get(await file.getAttribute('href'));
        assert.equal(download.status(), 200);
        assert.deepEqual(Buffer.from(await download.body()), kPdf);
        await page.getByTestId('file-list-entry-attachments').waitFor({ state: 'detached' });
        // A correction of the note: a new entry naming it; the note says it was corrected.
        await pick(page, entryForm, '記録の種類', '訂正');
        await pick(page, entryForm, '訂正する記録', /メモ: 控えの置き場所/);
        await page.getByTestId('incident-entry-text').fill('相談した相手は窓口ではなく、市民課の係長だった。');
        await page.getByTestId('incident-entry-submit').click();
        const correction = page.getByTestId('incident-timeline').locator('[data-kind="correction"]');
        await correction.waitFor();
        const noteSeq = await note.getAttribute('data-seq');
        assert.equal(await correction.getByRole('link', { name: `第 ${noteSeq} 項の訂正` }).getAttribute('href'), `#incident-entry-${noteSeq}`);
        await note.getByTestId('incident-entry-corrected').waitFor();
        await pick(page, entryForm, '記録の種類', '外部機関への報告');
        await pick(page, entryForm, '報告先', '個人情報保護委員会');
        assert.equal(await entryForm.locator('input[name="reported_on"]').inputValue(), jstDay(0));
        await pick(page, entryForm, 'この報告で満たす期限 (任意)', '個人情報保護委員会への速報');
        await page.getByTestId('incident-entry-text').fill('漏えい等報告 (速報) を提出した。');
        assert.deepEqual(await axeClosed(page), [], 'axe: the outside report form');
        await page.getByTestId('incident-entry-submit').click();
        const report = page.getByTestId('incident-timeline').locator('[data-kind="outside_report"]');
        await report.waitFor();
        assert.match(await report.innerText(), /報告先\s+個人情報保護委員会[\s\S]*満たした期限\s+個人情報保護委員会への速報/);
        const prompt = page.getByTestId('incident-deadlines').locator('[data-key="ppc_prompt"]');
        await page.getByTestId('incident-deadlines').locator('[data-key="ppc_prompt"][data-state="done"]').waitFor();
        assert.match(await prompt.innerText(), /報告済み/);
        assert.equal(await page.getByTestId('incident-deadlines').locator('[data-key="ppc_full"]').getAttribute('data-state'), 'upcoming');

        // The edit dialog: only what changed is saved, and the change is in the timeline.
        const changesBefore = await page.getByTestId('incident-timeline').locator('[data-kind="change"]').count();
        await page.getByTestId('incident-edit').click();
        const edit = page.getByTestId('incident-edit-form');
        await edit.waitFor();
        assert.equal(await edit.getByLabel('件名').inputValue(), kTitle);
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: the edit dialog');
        await edit.getByLabel('影響の見込み (任意)').fill('住民 1 名の氏名と住所 (控え 1 枚、回収済み)');
        await edit.getByRole('button', { name: '修正を保存する' }).click();
        await edit.waitFor({ state: 'hidden' });
        await page.getByTestId('incident-fields').getByText('控え 1 枚、回収済み', { exact: false }).waitFor();
        await page.waitForFunction((n) => document.querySelectorAll('[data-testid="incident-timeline"] [data-kind="change"]').length > n,
                                   changesBefore);

        // 完了 needs the recurrence prevention (the cause is known).
        await move(page, '完了にする', 'closed', async (form) => {
            assert.match(await form.getByLabel('原因', { exact: true }).inputValue(), /同じトレイ/);
            await form.getByLabel('再発防止策').fill('控えは申請ごとに封筒に分け、交付の前に氏名を読み上げて確かめる。');
        });
        assert.match(await page.getByTestId('incident-prevention').innerText(), /封筒に分け/);
        await page.getByTestId('incident-transitions').getByRole('button', { name: '再開する' }).waitFor();
        assert.equal(await page.getByTestId('incident-response-plan').count(), 0, 'no plan beside a closed incident');
        // The moves are in the timeline, oldest first.
        const kinds = await page.getByTestId('incident-timeline').locator('[data-testid="incident-entry"]').evaluateAll(
            (els) => els.map((e) => e.dataset.kind));
        assert.equal(kinds[0], 'reported');
        assert.ok(kinds.indexOf('note') < kinds.indexOf('outside_report'), kinds.join(','));
        // Who was told: the 統括情報セキュリティ責任者 for the severity, not opened yet.
        const told = page.getByTestId('incident-notifications');
        await told.waitFor();
        assert.match(await told.locator('tr[data-reason="escalated"]').first().innerText(), /未確認/);
        // The report: HTML to print, XLSX to download.
        assert.equal(await page.getByTestId('incident-report-html').getAttribute('target'), '_blank');
        const html = await page.request.get(await page.getByTestId('incident-report-html').getAttribute('href'));
        assert.equal(html.status(), 200);
        assert.match(html.headers()['content-type'], /text\/html/);
        assert.ok((await html.text()).includes(number));
        const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('incident-report-xlsx').click()]);
        assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString('latin1'), 'PK', 'a zip (xlsx)');
        await expectAccessible(page, 'the incident, closed');
        await screenshot(page, 'incident-closed');

        // The board has it in 完了.
        await openBoard(page);
        assert.equal(await card(page, number).locator('xpath=ancestor::section[1]').getAttribute('data-state'), 'closed');
        assert.deepEqual(page.problems, []);
    });
});

test('the 統括情報セキュリティ責任者 has an alert for the escalated incident', { timeout: 120_000 }, async () => {
    assert.ok(number, 'the first test reported an incident');
    const page = await app.openPage();
    await withFailureScreenshot(page, 'incidents-alert', async () => {
        await loginAs(page, 'tokatsu', kDemoPassword);
        const badge = page.getByTestId('incident-alerts');
        await badge.waitFor();
        const before = Number(await page.getByTestId('incident-alerts-count').innerText());
        assert.ok(before >= 1);
        await badge.click();
        assert.equal(await badge.getAttribute('aria-expanded'), 'true');
        const link = page.locator(`#incident-alerts-list li[data-number="${number}"]`).getByTestId('incident-alert-link');
        await link.waitFor();
        await expectAccessible(page, 'home with the alert list open');
        await link.click();
        await page.waitForURL((url) => url.pathname === incidentPath);
        await page.getByTestId('incident-title').waitFor();
        // Opened: it leaves the badge.
        await page.waitForFunction((n) => !document.querySelector(`#incident-alerts-list li[data-number="${n}"]`), number);
        if (before > 1) {
            await page.getByTestId('incident-alerts-count').getByText(String(before - 1), { exact: true }).waitFor();
        } else {
            await badge.waitFor({ state: 'detached' });
        }
        const alerts = await api(page, 'GET', '/api/v1/incidents/alerts');
        assert.ok(!alerts.json.items.some((a) => a.number === number));
        assert.deepEqual(page.problems, []);
    });
});

test('the demo\'s personal-information incident shows its deadlines and the response plan', { timeout: 120_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'incidents-deadlines', async () => {
        await loginAs(page, 'shimin-kacho', kDemoPassword);
        await openBoard(page);
        const demo = page.getByTestId('incident-card').filter({ hasText: kDemoPersonal });
        await demo.waitFor();
        assert.match(await demo.getByTestId('incident-deadline-mark').innerText(), /期限が近い: 個人情報保護委員会への速報/);
        await demo.getByTestId('incident-link').click();
        await page.waitForURL(/\/incidents\/[0-9a-f]+$/);
        const prompt = page.getByTestId('incident-deadlines').locator('[data-key="ppc_prompt"]');
        await prompt.waitFor();
        assert.equal(await prompt.getAttribute('data-state'), 'due_soon');
        const text = await prompt.innerText();
        assert.match(text, /期限が近い/);
        assert.match(text, /報告先: 個人情報保護委員会/);
        assert.match(text, /期限: \d+年\d+月\d+日/);
        assert.match(await prompt.getByTestId('incident-deadline-left').innerText(), /^(あと \d+ 日|今日が期限)$/);
        await page.getByTestId('incident-deadlines').locator('[data-key="ppc_full"]').waitFor();
        await page.getByTestId('incident-response-plan').waitFor();
        assert.equal(await page.getByTestId('incident-state').getAttribute('data-state'), 'investigating');
        await expectAccessible(page, 'the demo incident');
        await screenshot(page, 'incident-deadlines');

        // At 768 px: nothing wider than the window.
        await page.setViewportSize({ width: 768, height: 900 });
        await settle(page);
        await noHorizontalOverflow(page, 'incident at 768 px');
        await expectAccessible(page, 'incident at 768 px');
        await openBoard(page);
        await settle(page);
        await noHorizontalOverflow(page, 'board at 768 px');
        await expectAccessible(page, 'board at 768 px');
        await screenshot(page, 'incidents-board-768');
        assert.deepEqual(page.problems, []);
    });
});

test('the yearly statistics draw their charts', { timeout: 120_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'incidents-stats', async () => {
        await loginAs(page, 'ciso', kDemoPassword);
        await nav(page).getByRole('link', { name: 'インシデントの統計' }).click();
        await page.waitForURL(/\/incidents\/stats$/);
        await page.getByTestId('incident-stats-total').waitFor();
        assert.match(await page.getByTestId('incident-stats-total').innerText(), /^\d+ 件$/);
        assert.match(await page.getByTestId('incident-stats-period').innerText(), /年度 \(\d+年4月1日 から \d+年3月31日 まで\)/);
        for (const key of ['month', 'category', 'severity', 'unit']) {
            const chart = page.getByTestId(`incident-stats-${key}`);
            await chart.locator('canvas').first().waitFor();
            assert.match(await chart.getAttribute('aria-label'), /件/);
        }
        assert.equal(await page.getByTestId('incident-stats-table-month').locator('tbody tr').count(), 12);
        await expectAccessible(page, 'statistics');
        await screenshot(page, 'incident-stats');
        await page.setViewportSize({ width: 768, height: 900 });
        await settle(page);
        await noHorizontalOverflow(page, 'statistics at 768 px');
        await expectAccessible(page, 'statistics at 768 px');
        assert.deepEqual(page.problems, []);
    });
});

test('the CSIRT enters a report received from a resident, with the reporter\'s details', { timeout: 120_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'incidents-outside', async () => {
        await loginAs(page, 'soumu-csirt', kDemoPassword);
        await page.getByRole('button', { name: 'インシデント報告', exact: true }).click();
        const form = page.getByTestId('incident-report-form');
        await form.waitFor();
        await form.getByText('住民や外部の機関から受けた報告を、代わりに入力する').click();
        await form.getByRole('button', { name: '報告する' }).click();
        await form.getByText('報告者の氏名を入力してください。').waitFor();
        assert.deepEqual(await axeClosed(page), [], 'axe: the report form for an outside report');
        await form.getByLabel('報告者の氏名').fill('平川 花子');
        await form.getByLabel('報告者の所属・立場 (任意)').fill('住民');
        await form.getByLabel('報告者の連絡先 (任意)').fill('0172-00-0000');
        await form.getByLabel('件名').fill('E2E 住民から: 届いた通知に他人の名前があった');
        await form.getByLabel('何が起きたか').fill('届いた納税通知書の封筒に、別の方の通知書も入っていたとの電話があった。');
        await pick(page, form, '分類', '誤送信・誤配布');
        await form.getByRole('button', { name: '報告する' }).click();
        await page.getByTestId('incident-report-done').waitFor();
        await page.getByTestId('incident-report-link').click();
        await page.waitForURL(/\/incidents\/[0-9a-f]+$/);
        const fields = await page.getByTestId('incident-fields').innerText();
        assert.match(fields, /平川 花子/);
        assert.match(fields, /0172-00-0000/);
        // Staff see no such choice.
        const staff = await app.openPage();
        await loginAs(staff, 'shimin-staff', kDemoPassword);
        await staff.getByRole('button', { name: 'インシデント報告', exact: true }).click();
        await staff.getByTestId('incident-report-form').waitFor();
        assert.equal(await staff.getByTestId('incident-report-outside').count(), 0);
        assert.deepEqual(page.problems, []);
    });
});
