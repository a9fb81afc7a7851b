// First login of the administrator: forced password change, MFA enrolment with a TOTP code
// computed here, recovery codes, home; logout; login again with the second factor; then an
// administrative operation that asks to elevate (password + a fresh TOTP code).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
    axeScan, freshTotp, kAdminPassword, screenshot, settle, submitLogin, totp, totpStep,
    useServer, withFailureScreenshot,
} from './harness.mjs';

const app = useServer();  // default config: MFA required for platform_admin

test('admin: first login, MFA enrolment, logout, MFA login, elevation', { timeout: 180_000 }, async () => {
    const page = await app.openPage();
    const newPassword = 'Hibari-Kanri-2026#';
    await withFailureScreenshot(page, 'admin-login', async () => {

    // Unknown page without a session: to the login page, with the way back remembered.
    await page.goto('/account');
    await page.waitForURL(/\/login\?redirect=(%2F|\/)account/);
    await page.getByTestId('login-banner').waitFor();
    assert.match(await page.getByTestId('login-banner').innerText(), /利用が許可された者だけ/);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ja');
    await settle(page);
    assert.deepEqual(await axeScan(page), [], 'axe: login page');
    await screenshot(page, 'login');

    // Step 1: the initial password.
    await submitLogin(page, 'admin', kAdminPassword);

    // Step 2: forced password change, with the rules in Japanese.
    await page.getByTestId('password-change-form').waitFor();
    const rules = await page.locator('.rules').innerText();
    assert.match(rules, /8 文字以上/);
    assert.match(rules, /3 種類以上/);
    assert.match(rules, /直近 5 回/);
    assert.match(rules, /有効期間は 365 日/);
    await settle(page);
    assert.deepEqual(await axeScan(page), [], 'axe: password change');
    await screenshot(page, 'login-password-change');

    const pw = page.getByTestId('password-change-form');
    // A mismatch is caught before anything is sent.
    await pw.getByLabel('現在のパスワード').fill(kAdminPassword);
    await pw.getByLabel('新しいパスワード', { exact: true }).fill(newPassword);
    await pw.getByLabel('新しいパスワード (確認のためもう一度)').fill('something-else');
    await pw.getByRole('button', { name: 'パスワードを変更する' }).click();
    await pw.getByText('確認のために入力したパスワードが一致しません。').waitFor();
    // A password that breaks the rules: the server's answer shown next to the field.
    await pw.getByLabel('新しいパスワード', { exact: true }).fill('short');
    await pw.getByLabel('新しいパスワード (確認のためもう一度)').fill('short');
    await pw.getByRole('button', { name: 'パスワードを変更する' }).click();
    await pw.locator('.el-form-item__error').getByText(/パスワードの条件を満たしていません/).waitFor();
    await pw.getByLabel('新しいパスワード', { exact: true }).fill(newPassword);
    await pw.getByLabel('新しいパスワード (確認のためもう一度)').fill(newPassword);
    await pw.getByRole('button', { name: 'パスワードを変更する' }).click();

    // Step 3: MFA enrolment: QR code, the secret for manual entry, a code computed here.
    await page.getByTestId('mfa-secret').waitFor();
    await page.getByTestId('mfa-qr').waitFor();
    const qrSrc = await page.getByTestId('mfa-qr').getAttribute('src');
    assert.match(qrSrc, /^data:image\/png;base64,/);
    const secret = await page.getByTestId('mfa-secret').getAttribute('data-secret');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal((await page.getByTestId('mfa-secret').innerText()).replace(/\s/g, ''), secret);
    await settle(page);
    assert.deepEqual(await axeScan(page), [], 'axe: MFA enrolment');
    await screenshot(page, 'login-mfa-enroll');

    const enroll = page.getByTestId('mfa-enroll-form');
    await enroll.getByLabel('認証アプリに表示された 6 桁のコード').fill('000000' === totp(secret) ? '111111' : '000000');
    await enroll.getByRole('button', { name: '登録する' }).click();
    await enroll.locator('.el-form-item__error').getByText('コードが正しくないか、すでに使われたコードです。').waitFor();
    let usedStep = totpStep();
    await enroll.getByLabel('認証アプリに表示された 6 桁のコード').fill(totp(secret, usedStep));
    await enroll.getByRole('button', { name: '登録する' }).click();

    // Step 4: ten recovery codes, and a confirmation before going on.
    const codesList = page.getByTestId('recovery-codes');
    await codesList.waitFor();
    const codes = (await codesList.locator('li').allInnerTexts()).map((c) => c.trim());
    assert.equal(codes.length, 10);
    for (const c of codes) assert.match(c, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    const go = page.getByRole('button', { name: '利用を始める' });
    assert.equal(await go.isDisabled(), true);
    await settle(page);
    assert.deepEqual(await axeScan(page), [], 'axe: recovery codes');
    await screenshot(page, 'login-recovery-codes');
    await page.getByTestId('recovery-saved').click();
    await go.click();

    // Back where the user was going (/account), fully logged in.
    await page.waitForURL(/\/account$/);
    await page.getByRole('heading', { name: 'わたしのアカウント' }).waitFor();
    assert.match(await page.getByTestId('header-user').innerText(), /プラットフォーム管理者/);
    await page.getByRole('link', { name: 'ホーム' }).click();
    assert.equal(await page.getByTestId('me-username').innerText(), 'admin');

    // Logout, then log in again: now the second factor is asked for.
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.waitForURL(/\/login/);
    await page.getByText('ログアウトしました。').waitFor();
    await submitLogin(page, 'admin', newPassword);
    const mfa = page.getByTestId('mfa-form');
    await mfa.waitFor();
    await settle(page);
    assert.deepEqual(await axeScan(page), [], 'axe: MFA code');
    await screenshot(page, 'login-mfa');

    // A code is never accepted twice: the enrolment's step is spent, so wait for the next one.
    const fresh = await freshTotp(secret, usedStep);
    usedStep = fresh.step;
    await mfa.getByLabel('確認コードまたは回復コード').fill(fresh.code);
    await mfa.getByRole('button', { name: '確認する' }).click();
    await page.getByTestId('me-username').waitFor();
    // The previous login (the first one) is shown in JST.
    assert.match(await page.getByTestId('previous-login').innerText(), /\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/);

    // The organisation page: adding a 部 needs elevation (password + a fresh TOTP code).
    await page.getByRole('link', { name: '組織', exact: true }).click();
    await page.getByText('表示できる部署はありません。').waitFor();  // a new installation
    await page.getByTestId('unit-add').click();
    const unitForm = page.getByTestId('unit-form');
    await unitForm.getByLabel('部署名').fill('危機管理部');
    await unitForm.getByRole('button', { name: '追加する' }).click();
    const elevation = page.getByTestId('elevation-form');
    await elevation.waitFor();
    await settle(page);
    assert.deepEqual(await axeScan(page), [], 'axe: elevation dialog');
    await screenshot(page, 'elevation-dialog', { fullPage: false });
    await elevation.getByLabel('パスワード', { exact: true }).fill(newPassword);
    const elevateCode = await freshTotp(secret, usedStep);
    await elevation.getByLabel(/認証アプリの 6 桁のコード/).fill(elevateCode.code);
    await elevation.getByRole('button', { name: '昇格して続ける' }).click();

    // The call is retried after elevation; the header counts the minutes down.
    await page.getByTestId('unit-tree').getByText('危機管理部').waitFor();
    await page.getByTestId('elevation-form').waitFor({ state: 'hidden' });
    await page.getByTestId('unit-form').waitFor({ state: 'hidden' });
    await settle(page);
    assert.match(await page.getByTestId('elevation-remaining').innerText(), /管理者権限 残り (30|29) 分/);
    await screenshot(page, 'org-after-elevation');

    // Logging out again and back in with a recovery code (single use).
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.waitForURL(/\/login/);
    await submitLogin(page, 'admin', newPassword);
    await page.getByTestId('mfa-form').getByLabel('確認コードまたは回復コード').fill(codes[0].toUpperCase());
    await page.getByTestId('mfa-form').getByRole('button', { name: '確認する' }).click();
    await page.getByTestId('me-username').waitFor();

    assert.deepEqual(page.problems, []);
    });
});
