// Issue 4: "create a unit and a person, appoint a role, see both in the audit log". As the
// administrator (MFA off): a 部 on the organisation page, a person with a temporary password,
// and an organisation-wide 監査人 appointment. Then that person logs in (one wrong password
// first, then the forced password change), finds the three events in 監査ログ, sees the login
// (and the failure, highlighted) in My account's ログイン履歴, and re-enrols an authenticator
// app from My account (elevation, QR code, code, ten new recovery codes).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
    changeInitialPassword, choose, elevateIfAsked, expectAccessible, firstAdminLogin, screenshot, submitLogin,
    totp, useServer, withFailureScreenshot,
} from './harness.mjs';

const kAdminNew = 'Hibari-Kanri-2026#';
const kTempPassword = 'Kari-Kansa-2026a';
const kAuditorPassword = 'Hibari-Kansa-2026#';
const app = useServer({ mfaRequiredRoles: [] });

test('audit trail: unit, person and appointment in the audit log; login history; MFA re-enrolment',
     { timeout: 240_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'audit-trail', async () => {
        await firstAdminLogin(page, kAdminNew);
        const nav = page.getByRole('navigation', { name: 'メインメニュー' });

        // A 部 on the organisation page.
        await nav.getByRole('link', { name: '組織', exact: true }).click();
        await page.getByTestId('unit-add').click();
        const unitForm = page.getByTestId('unit-form');
        await unitForm.getByLabel('部署名').fill('監査委員事務局');
        await unitForm.getByRole('button', { name: '追加する' }).click();
        await elevateIfAsked(page, kAdminNew);
        await page.getByTestId('unit-tree').getByText('監査委員事務局', { exact: true }).waitFor();
        await unitForm.waitFor({ state: 'hidden' });

        // A person in it, with a temporary password.
        await nav.getByRole('link', { name: '職員', exact: true }).click();
        await page.getByTestId('people-table').getByText('admin', { exact: true }).waitFor();
        await page.getByTestId('person-add').click();
        const personForm = page.getByTestId('person-form');
        await personForm.getByLabel('ユーザー名').fill('kansa-jimu');
        await personForm.getByLabel('氏名').fill('監査 一郎');
        await choose(page, personForm, '所属', '監査委員事務局');
        await personForm.getByLabel('初期パスワード').fill(kTempPassword);
        await personForm.getByRole('button', { name: '登録する' }).click();
        await elevateIfAsked(page, kAdminNew);

        // The person's page: appoint 情報セキュリティ監査人 (organisation-wide: no unit).
        await page.waitForURL(/\/org\/people\/[0-9a-f]+$/);
        await page.getByTestId('appointments-empty').waitFor();
        await page.getByTestId('appoint').click();
        const appointForm = page.getByTestId('appoint-form');
        await appointForm.waitFor();
        await choose(page, appointForm, '役割', '情報セキュリティ監査人');
        await appointForm.getByText('この役割は全庁が対象のため、部署は選びません。').waitFor();
        await appointForm.getByRole('button', { name: '任命する' }).click();
        await elevateIfAsked(page, kAdminNew);
        const appointments = page.getByTestId('appointments-table');
        await appointments.getByText('情報セキュリティ監査人', { exact: true }).waitFor();
        assert.match(await appointments.innerText(), /全庁/);

        // Log out; the person logs in: one wrong password, then the forced change.
        await page.getByRole('button', { name: 'ログアウト' }).click();
        await page.waitForURL(/\/login/);
        await page.getByTestId('login-form').waitFor();
        await submitLogin(page, 'kansa-jimu', 'Wrong-Password-1');
        await page.getByRole('alert').getByText('ユーザー名またはパスワードが正しくありません。').waitFor();
        await submitLogin(page, 'kansa-jimu', kTempPassword);
        await changeInitialPassword(page, kTempPassword, kAuditorPassword);
        assert.equal((await page.getByTestId('me-username').innerText()).trim(), 'kansa-jimu');

        // 監査ログ: the three events made by the administrator.
        await nav.getByRole('link', { name: '監査ログ', exact: true }).click();
        const audit = page.getByTestId('audit-table');
        await audit.waitFor();
        const actions = (await audit.locator('tbody tr td:nth-child(4)').allInnerTexts())
            .map((s) => s.trim().split(/\s+/)[0]);
        for (const a of ['unit.create', 'person.create', 'appointment.create']) {
            assert.ok(actions.includes(a), `${a} in the audit log (${actions.join(', ')})`);
        }
        const auditText = await audit.innerText();
        assert.match(auditText, /監査委員事務局/, 'the unit is named in the log');
        assert.match(auditText, /kansa-jimu/, 'the person is named in the log');
        await expectAccessible(page, 'audit log as the auditor');
        await screenshot(page, 'audit-trail');

        // My account → ログイン履歴: the login, the password change, and the failure, highlighted.
        await page.getByRole('link', { name: 'わたしのアカウント' }).click();
        const history = page.getByTestId('login-history-table');
        await history.waitFor();
        await history.locator('tr[data-action="auth.login"]').first().waitFor();
        assert.equal((await history.locator('tr[data-action="auth.login"] td').nth(1).first().innerText()).trim(),
                     'ログイン');
        assert.match(await history.locator('tr[data-action="auth.login"] td').first().innerText(),
                     /\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/);
        assert.match(await history.locator('tr[data-action="auth.login"] td').nth(2).innerText(), /127\.0\.0\.1/);
        assert.ok(await history.getByText('パスワードの変更', { exact: true }).count() >= 1);
        const failed = history.locator('tr.failure[data-action="auth.login_failed"]');
        assert.equal(await failed.count(), 1, 'the wrong password is shown as a failure');
        assert.match(await failed.innerText(), /失敗\s*ログインの失敗/);
        await expectAccessible(page, 'account with login history');
        await screenshot(page, 'account-history');

        // 多要素認証の再登録: elevation first, then the login page's enrolment and recovery steps.
        await page.getByTestId('mfa-reenroll-start').click();
        await elevateIfAsked(page, kAuditorPassword);
        const reenroll = page.getByTestId('mfa-reenroll');
        const secretEl = reenroll.getByTestId('mfa-secret');
        await secretEl.waitFor();
        await reenroll.getByTestId('mfa-qr').waitFor();
        const secret = await secretEl.getAttribute('data-secret');
        assert.ok(secret, 'the secret is shown');
        await expectAccessible(page, 'MFA re-enrolment');
        const enrollForm = reenroll.getByTestId('mfa-enroll-form');
        await enrollForm.getByLabel('認証アプリに表示された 6 桁のコード').fill(totp(secret));
        await enrollForm.getByRole('button', { name: '登録する' }).click();
        const codes = reenroll.getByTestId('recovery-codes');
        await codes.waitFor();
        assert.equal(await codes.locator('li').count(), 10);
        await reenroll.getByTestId('recovery-saved').click();
        await reenroll.getByRole('button', { name: '完了' }).click();
        await reenroll.getByTestId('mfa-reenroll-done').waitFor();
        await history.getByText('認証アプリの登録', { exact: true }).waitFor();

        // English labels for the history.
        await page.getByLabel('表示言語').selectOption('en');
        await page.getByRole('heading', { name: 'Login history' }).waitFor();
        await history.getByText('Failed login', { exact: true }).waitFor();
        assert.match(await history.locator('tr[data-action="auth.login"] td').first().innerText(), /JST$/);

        assert.deepEqual(page.problems, []);
    });
});
