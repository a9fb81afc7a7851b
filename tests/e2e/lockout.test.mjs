// Wrong passwords: the message for a wrong password, then the account locks after five
// consecutive failures and the page says so in Japanese.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { axeScan, screenshot, settle, submitLogin, useServer, withFailureScreenshot } from './harness.mjs';

const app = useServer({ demo: true, mfaRequiredRoles: [] });

test('five wrong passwords lock the account, shown in Japanese', { timeout: 90_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'lockout', async () => {
        await page.goto('/login');

        // Empty fields are caught before anything is sent, next to each field.
        await page.getByTestId('login-form').getByRole('button', { name: 'ログイン' }).click();
        await page.getByText('ユーザー名を入力してください。').waitFor();
        await page.getByText('パスワードを入力してください。').waitFor();

        const error = page.getByTestId('login-error');
        for (let i = 1; i <= 5; i++) {
            await submitLogin(page, 'shimin-staff', `wrong-password-${i}`);
            await page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
            await error.waitFor();
            const text = await error.innerText();
            if (i < 5) assert.match(text, /ユーザー名またはパスワードが正しくありません。/, `attempt ${i}`);
        }
        // Locked now: even the right password is refused with the lock message.
        await submitLogin(page, 'shimin-staff', 'wrong-password-6');
        await error.getByText(/アカウントは一時的にロックされています/).waitFor();
        await settle(page);
        assert.deepEqual(await axeScan(page), [], 'axe: login with the lock message');
        await screenshot(page, 'login-locked');
        assert.deepEqual(page.problems, []);
    });
});
