// Attachments of applications in the browser, on the demo city: a member of staff of 市民課
// applies for ソフトウェアの導入 with a PDF attached (uploaded as it is chosen, listed with its
// size, its progress shown while it is sent; a program and too large a file refused with the
// server's reason beside the field); the section manager sees the file on the application's
// page and downloads it — the very bytes uploaded, whose SHA-256 the page shows — and returns
// the application; the applicant resubmits it with the file kept. Then 特権IDの利用: the note
// on its form, and, with `auth.elevation_approval_system` set, an elevation refused for want
// of an approved privileged ID, with the server's reason in the dialog. axe-core on every page.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import {
    api, axeScan, expectAccessible, firstAdminLogin, kDemoPassword, loginAs, nav, pick, screenshot, settle,
    useServer, withFailureScreenshot,
} from './harness.mjs';

// The elevation gate names the register's entry for mamori itself; the demo city has none, so
// the test points it at 文書管理システム, read from the new database (needs the sqlite3 tool).
const hasSqlite = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' }).status === 0;

const app = useServer({
    demo: true,
    mfaRequiredRoles: [],
    editConfig: (yaml, dataDir) => {
        if (!hasSqlite) return yaml;
        const q = spawnSync('sqlite3', [join(dataDir, 'mamori.db'), "SELECT id FROM systems WHERE name = '文書管理システム'"],
                            { encoding: 'utf8' });
        const id = q.stdout.trim();
        if (q.status !== 0 || !/^[0-9a-f]+$/.test(id)) throw new Error(`no system id: ${q.stderr}${q.stdout}`);
        return yaml.replace('elevation_approval_system: ""', `elevation_approval_system: "${id}"`);
    },
});

const dir = mkdtempSync(join(tmpdir(), 'mamori-attach-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A small PDF (the server knows a PDF by its first bytes). */
const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
const pdfName = '製品説明.pdf';
const pdfPath = join(dir, pdfName);
writeFileSync(pdfPath, pdf);
const pdfHash = createHash('sha256').update(pdf).digest('hex');
/** Larger than the default limit of 10 MB. */
const bigPath = join(dir, 'big.pdf');
writeFileSync(bigPath, Buffer.concat([pdf, Buffer.alloc(11 * 1024 * 1024)]));
/** A Windows program: never attached. */
const exePath = join(dir, 'x.exe');
writeFileSync(exePath, Buffer.concat([Buffer.from('MZ', 'latin1'), Buffer.alloc(126)]));

const kNewAdminPassword = 'Kanri-Tenpu-2026-Secure!';

async function logout(page) {
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.waitForURL(/\/login/);
}

test('software installation with a PDF attached: uploaded, refused .exe, downloaded by the approver, kept on resubmission', { timeout: 300_000 }, async () => {
    const page = await app.openPage();
    const title = 'E2E 窓口用の翻訳ソフトの導入';
    let id;
    await withFailureScreenshot(page, 'attach-apply', async () => {
        await loginAs(page, 'shimin-staff', kDemoPassword);
        await nav(page).getByRole('link', { name: '申請', exact: true }).click();
        await page.getByTestId('request-new').click();
        await page.getByTestId('request-types').getByRole('link', { name: 'ソフトウェアの導入', exact: true }).click();
        await page.waitForURL(/\/requests\/new\/software_install$/);
        const form = page.getByTestId('request-form');
        await form.waitFor();
        const field = form.locator('.el-form-item[data-field="attachments"]');
        // The kinds accepted and the size limit, beside the field; the field's help.
        assert.match(await field.innerText(), /PDF[\s\S]*PNG[\s\S]*Word[\s\S]*OpenDocument[\s\S]*既定では 10 MB まで/);
        await field.getByText('製品の説明資料や使用許諾の条件など。').waitFor();
        const input = form.getByLabel(/^添付資料/);
        assert.equal(await input.getAttribute('type'), 'file');
        await expectAccessible(page, 'software installation form');

        // A program is refused: the server's reason beside the field, in Japanese.
        await input.setInputFiles(exePath);
        const refused = field.getByTestId('file-error');
        await refused.waitFor();
        assert.match(await refused.innerText(), /添付できませんでした: 添付できるのは PDF、画像、Office の文書です/);
        await field.locator('li[data-state="failed"]').getByText('x.exe').waitFor();
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: a refused file');
        await screenshot(page, 'attach-refused');
        await field.getByRole('button', { name: 'x.exe を取り除く' }).click();
        assert.equal(await field.locator('li').count(), 0);

        // Too large a file: refused (413), the reason beside the field (the browser may also see
        // the connection closed before the whole body went out: the page then says why it may be).
        await input.setInputFiles(bigPath);
        await field.getByTestId('file-error').waitFor();
        assert.match(await field.getByTestId('file-error').innerText(), /添付できませんでした: .*大きすぎ/);
        await field.getByRole('button', { name: 'big.pdf を取り除く' }).click();

        // The PDF: uploaded at once, listed with its size, shown while it is sent (the upload is
        // held back a moment); the form is not sent before the upload is done.
        let release;
        const held = new Promise((r) => { release = r; });
        await page.route(/\/api\/v1\/attachments\?/, async (route) => {
            await held;
            await route.continue();
        });
        await input.setInputFiles(pdfPath);
        const sending = field.locator('li[data-state="uploading"]');
        await sending.getByText(/送信中 \d+%/).waitFor();
        assert.equal(await sending.getByRole('progressbar', { name: `${pdfName} の送信状況` }).count(), 1);
        await page.getByTestId('request-submit').click();
        await field.getByText('添付資料のファイルを送信しています。送信が終わってから申請してください。').waitFor();
        release();
        const done = field.locator('li[data-state="done"]');
        await done.waitFor();
        await page.unroute(/\/api\/v1\/attachments\?/);
        assert.equal(await field.getByText('添付資料のファイルを送信しています。').count(), 0, 'the error goes once sent');
        assert.match(await done.innerText(), new RegExp(`${pdfName}[\\s\\S]*${pdf.length} バイト[\\s\\S]*添付済み`));

        await form.getByLabel('件名', { exact: true }).fill(title);
        await form.getByLabel('ソフトウェアの名称', { exact: true }).fill('ひばり翻訳 窓口版');
        await form.getByLabel('導入の目的', { exact: true }).fill('外国籍の住民の窓口対応のため。既存のソフトウェアには翻訳の機能がない。');
        await pick(page, form, '導入先の情報システム', /住民記録システム/);
        await pick(page, form, 'ライセンスの種類', '無償');
        await form.getByLabel('入手元', { exact: true }).fill('https://hibari-soft.example/translate');
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: form with a file attached');
        await screenshot(page, 'attach-form');
        await page.getByTestId('request-submit').click();

        // Its page: the file in the form's values by name, and in 添付ファイル with its facts.
        await page.waitForURL(/\/requests\/[0-9a-f]+$/);
        await page.getByTestId('request-state').getByText('申請中', { exact: true }).waitFor();
        id = page.url().split('/').pop();
        const value = page.getByTestId('request-form-values').locator('dd[data-field="attachments"]');
        await value.getByRole('link', { name: pdfName }).waitFor();
        const list = page.getByTestId('request-attachments');
        const item = list.locator('li');
        assert.equal(await item.count(), 1);
        assert.match(await item.innerText(), new RegExp(`${pdfName}[\\s\\S]*PDF[\\s\\S]*${pdf.length} バイト[\\s\\S]*添付日時`));
        const hash = item.getByTestId('attachment-hash');
        assert.equal((await hash.innerText()).trim(), `${pdfHash.slice(0, 12)}…`);
        assert.match(await hash.getAttribute('title'), new RegExp(pdfHash));
        await expectAccessible(page, 'application with an attachment');
        await screenshot(page, 'attach-submitted');
        assert.deepEqual(page.problems, []);
        await logout(page);
    });

    await withFailureScreenshot(page, 'attach-approver', async () => {
        await loginAs(page, 'shimin-kacho', kDemoPassword);
        await page.goto(`/requests/${id}`);
        await page.getByTestId('request-your-turn').waitFor();
        const link = page.getByTestId('request-attachments').getByRole('link', { name: pdfName });
        const href = await link.getAttribute('href');
        assert.match(href, /^\/api\/v1\/attachments\/[0-9a-f]+$/);
        // The download: the bytes uploaded, as a PDF, under its own name.
        const res = await page.request.get(href);
        assert.equal(res.status(), 200);
        assert.match(res.headers()['content-type'], /^application\/pdf/);
        assert.match(res.headers()['content-disposition'] ?? '', /attachment/);
        assert.ok(Buffer.from(await res.body()).equals(pdf), 'the bytes uploaded');
        await expectAccessible(page, 'application with an attachment, the approver');

        // Returned, so that the applicant resubmits.
        await page.getByTestId('request-return').click();
        const dialog = page.getByTestId('request-action-form');
        await dialog.getByLabel(/^理由/).fill('導入する端末の管理番号を書いてください。');
        await dialog.getByRole('button', { name: '差し戻す' }).click();
        await page.getByTestId('request-state').getByText('差戻し', { exact: true }).waitFor();
        assert.deepEqual(page.problems, []);
        await logout(page);
    });

    await withFailureScreenshot(page, 'attach-resubmit', async () => {
        await loginAs(page, 'shimin-staff', kDemoPassword);
        await page.goto(`/requests/${id}/resubmit`);
        const form = page.getByTestId('request-form');
        await form.waitFor();
        // The file already attached, by its name.
        const field = form.locator('.el-form-item[data-field="attachments"]');
        await field.locator('li[data-state="done"]').getByText(pdfName).waitFor();
        await form.getByLabel(/^導入する端末/).fill('PC-SHIMIN-012');
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: resubmission with a file');
        await page.getByTestId('request-submit').click();
        await page.waitForURL(new RegExp(`/requests/${id}$`));
        await page.getByTestId('request-state').getByText('申請中', { exact: true }).waitFor();
        assert.match(await page.getByTestId('request-fields').innerText(), /2 回目/);
        await page.getByTestId('request-form-values').locator('dd[data-field="attachments"]').getByRole('link', { name: pdfName }).waitFor();
        assert.equal(await page.getByTestId('request-attachments').locator('li').count(), 1);
        // The history names the file and its hash for both rounds.
        const history = await page.getByTestId('request-history').innerText();
        assert.equal(history.split(`添付: ${pdfName} (SHA-256 ${pdfHash.slice(0, 12)}…)`).length - 1, 2, history);
        assert.deepEqual(page.problems, []);
    });
});

test('特権IDの利用: the note on the form; an elevation refused without an approved privileged ID', { timeout: 240_000, skip: hasSqlite ? false : 'sqlite3 is not installed' }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'privileged-note', async () => {
        await loginAs(page, 'joho-tanto', kDemoPassword);
        await page.goto('/requests/new/privileged_id');
        const note = page.getByTestId('request-privileged-note');
        await note.waitFor();
        assert.match(await note.innerText(), /承認されると[\s\S]*「使用する特権ID」にあなたのユーザー名 \(joho-tanto\)/);
        await expectAccessible(page, 'privileged ID form');
        // Another type has no such note.
        await page.goto('/requests/new/software_install');
        await page.getByTestId('request-form').waitFor();
        assert.equal(await page.getByTestId('request-privileged-note').count(), 0);
        assert.deepEqual(page.problems, []);
        await logout(page);
    });

    await withFailureScreenshot(page, 'privileged-elevation', async () => {
        await firstAdminLogin(page, kNewAdminPassword);
        // Through the API first: the refusal is 403 elevation_not_approved.
        const refused = await api(page, 'POST', '/api/v1/auth/elevate', { password: kNewAdminPassword });
        assert.equal(refused.status, 403);
        assert.equal(refused.json.error.code, 'elevation_not_approved');

        // In the page: adding a unit asks to elevate; the dialog says why it cannot.
        await nav(page).getByRole('link', { name: '組織', exact: true }).click();
        await page.getByTestId('unit-tree').getByText('情報政策課', { exact: true }).waitFor();
        await page.getByTestId('unit-add').click();
        const unitForm = page.getByTestId('unit-form');
        await unitForm.getByLabel('部署名').fill('危機管理部');
        await unitForm.getByRole('button', { name: '追加する' }).click();
        const dialog = page.getByTestId('elevation-form');
        await dialog.waitFor();
        await dialog.getByLabel('パスワード', { exact: true }).fill(kNewAdminPassword);
        await dialog.getByRole('button', { name: '昇格して続ける' }).click();
        const error = page.getByTestId('elevation-error');
        await error.waitFor();
        assert.equal((await error.innerText()).trim(), refused.json.error.message);
        assert.match(await error.innerText(), /特権IDの利用が承認されていない/);
        const apply = page.getByTestId('elevation-apply');
        await apply.waitFor();
        assert.equal(await apply.getAttribute('href'), '/requests/new/privileged_id');
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: elevation refused');
        await screenshot(page, 'elevation-not-approved');
        // The link leads to the form to apply, the dialog closed.
        await apply.click();
        await page.waitForURL(/\/requests\/new\/privileged_id$/);
        await dialog.waitFor({ state: 'hidden' });
        await page.getByTestId('request-type-name').getByText('特権IDの利用').waitFor();
        assert.deepEqual(page.problems, []);
    });
});
