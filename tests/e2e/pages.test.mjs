// Every page built so far, as a demo person with the organisation, audit, policy and asset-register
// permissions (tokatsu, 統括情報セキュリティ責任者): content, axe-core scan, screenshots at 1280×800 and
// 768 px, a unit's details with its people and history, the language switch, API tokens, audit
// paging and filters kept in the address, the policy pages and the ledger, and the way back
// after a lost session. (policy.test.mjs and ledger.test.mjs test those pages in depth.)

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
    expectAccessible, kDemoPassword, loginAs, noHorizontalOverflow, screenshot, settle, submitLogin,
    useServer, withFailureScreenshot,
} from './harness.mjs';

// MFA is not what these tests are about: nobody must enrol.
const app = useServer({ demo: true, mfaRequiredRoles: [] });

test('home, organisation, audit log and account pages', { timeout: 120_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'pages', async () => {
        await loginAs(page, 'tokatsu', kDemoPassword);

        // Home: who I am, my roles by their Japanese names, my previous login, what awaits me.
        assert.equal(await page.getByTestId('me-display-name').innerText(), '三浦 和彦');
        await page.getByTestId('me-roles').getByText(/統括情報セキュリティ責任者/).first().waitFor();
        const roles = await page.getByTestId('me-roles').innerText();
        assert.match(roles, /統括情報セキュリティ責任者/);
        assert.match(roles, /情報セキュリティ責任者（総務部）/);
        assert.match(await page.getByTestId('previous-login').innerText(), /前回のログインの記録はありません/);
        assert.equal(await page.getByTestId('failed-count').innerText(), 'ありません');
        // Not yet acknowledged the policy in force: the prompt, and it is what awaits.
        await page.getByTestId('ack-prompt').waitFor();
        assert.match(await page.getByTestId('awaits-list').innerText(), /遵守の誓約/);
        assert.match(await page.getByTestId('header-user').innerText(), /三浦 和彦/);

        // Navigation: only the areas with something to show.
        const nav = page.getByRole('navigation', { name: 'メインメニュー' });
        const navText = await nav.innerText();
        assert.match(navText, /組織体制/);
        assert.match(navText, /評価・見直し/);
        assert.match(navText, /情報セキュリティポリシー/);
        assert.match(navText, /人的セキュリティ/);
        assert.match(navText, /情報資産/);
        assert.doesNotMatch(navText, /強靱性|委託・クラウド/);
        await expectAccessible(page, 'home');
        await screenshot(page, 'home');

        // Organisation: the unit tree of the demo city.
        await nav.getByRole('link', { name: '組織', exact: true }).click();
        const tree = page.getByTestId('unit-tree');
        await tree.waitFor();
        for (const name of ['総務部', '情報政策課', '情報システム係', '建設部']) await tree.getByText(name, { exact: true }).waitFor();
        assert.equal(await page.getByTestId('unit-add').count(), 0, 'no 部署を追加 without org.manage');
        await page.getByTestId('unit-detail-empty').waitFor();
        await expectAccessible(page, 'organisation');
        await screenshot(page, 'org');
        // A unit's details: read only (no org.manage), with links to its people and its history.
        await tree.getByText('情報政策課', { exact: true }).click();
        const detail = page.getByTestId('unit-detail');
        await detail.getByRole('heading', { name: /情報政策課/ }).waitFor();
        assert.match(await detail.getByTestId('unit-fields').innerText(), /総務部 \/ 情報政策課/);
        assert.equal(await detail.getByTestId('unit-edit').count(), 0, 'no changes without org.manage');
        await expectAccessible(page, 'organisation, a unit selected');
        await screenshot(page, 'org-unit-detail');
        await page.getByTestId('show-closed').click();
        await page.waitForURL(/closed=1/);
        await expectAccessible(page, 'organisation with closed units');
        await page.getByTestId('show-closed').click();
        // Its people: the people list, filtered by the unit through the address.
        await detail.getByRole('link', { name: 'この部署 (下位の部署を含む) の職員を見る' }).click();
        await page.waitForURL(/\/org\/people\?unit_id=/);
        const people = page.getByTestId('people-table');
        await people.getByText('佐伯 真理子').waitFor();
        assert.doesNotMatch(await people.innerText(), /三浦 和彦/, 'only the people of 情報政策課 and below');
        await page.goBack();
        await detail.getByRole('heading', { name: /情報政策課/ }).waitFor();
        // Its history: the audit log, filtered by the unit.
        await detail.getByTestId('unit-history').click();
        await page.waitForURL(/\/audit\?.*object_type=unit/);
        const unitEvents = page.getByTestId('audit-table');
        await unitEvents.waitFor();
        const unitActions = await unitEvents.locator('tbody tr td:nth-child(4)').allInnerTexts();
        assert.ok(unitActions.length > 0);
        for (const a of unitActions) assert.match(a.trim(), /^unit\./);
        assert.equal(await page.getByTestId('audit-filters').getByLabel('対象の種類').inputValue(), 'unit');
        await expectAccessible(page, 'audit log of one unit');
        await screenshot(page, 'audit-log-unit', { fullPage: false });

        // Audit log: pages, filters. (The menu link drops the unit's filter: a full page again.)
        await nav.getByRole('link', { name: '監査ログ', exact: true }).click();
        await page.waitForURL(/\/audit$/);
        const table = page.getByTestId('audit-table');
        await table.locator('tbody tr').nth(49).waitFor();
        await settle(page);
        assert.equal(await table.locator('tbody tr').count(), 50);
        await expectAccessible(page, 'audit log');
        await screenshot(page, 'audit-log', { fullPage: false });
        const firstSeqPage1 = await table.locator('tbody tr').first().locator('td').first().innerText();
        await page.getByTestId('audit-next').click();
        await page.getByText('2 ページ目', { exact: true }).waitFor();
        // The page label can change before the rows do: wait for the new rows.
        const firstCell = table.locator('tbody tr').first().locator('td').first();
        let firstSeqPage2 = await firstCell.innerText();
        for (let i = 0; i < 50 && firstSeqPage2 === firstSeqPage1; i++) {
            await page.waitForTimeout(100);
            firstSeqPage2 = await firstCell.innerText();
        }
        assert.ok(Number(firstSeqPage2) < Number(firstSeqPage1), 'page 2 holds older events');
        const filters = page.getByTestId('audit-filters');
        await filters.getByLabel('操作', { exact: true }).fill('auth.');
        await filters.getByRole('button', { name: '絞り込む' }).click();
        await page.getByText('1 ページ目', { exact: true }).waitFor();
        await settle(page);
        const actions = await table.locator('tbody tr td:nth-child(4)').allInnerTexts();
        assert.ok(actions.length > 0);
        for (const a of actions) assert.match(a.trim(), /^auth\./);
        // Filtering by a person: click the actor.
        await table.getByRole('button', { name: 'tokatsu の操作だけを表示' }).first().click();
        await settle(page);
        const actors = await table.locator('tbody tr td:nth-child(3)').allInnerTexts();
        for (const a of actors) assert.equal(a.trim(), 'tokatsu');
        // The filters are in the address: a reload, and leaving and coming back, keep them.
        const auditQuery = new URL(page.url()).searchParams;
        assert.equal(auditQuery.get('action'), 'auth.');
        assert.ok(auditQuery.get('actor_id'));
        await page.reload();
        await table.waitFor();
        await settle(page);
        assert.equal(await filters.getByLabel('操作', { exact: true }).inputValue(), 'auth.');
        assert.equal(await filters.getByLabel('操作者の ID').inputValue(), auditQuery.get('actor_id'));
        for (const a of await table.locator('tbody tr td:nth-child(3)').allInnerTexts()) assert.equal(a.trim(), 'tokatsu');
        await nav.getByRole('link', { name: 'ホーム' }).click();
        await page.getByTestId('me-username').waitFor();
        await page.goBack();
        await page.waitForURL(/\/audit\?/);
        await table.waitFor();
        assert.equal(await filters.getByLabel('操作', { exact: true }).inputValue(), 'auth.');
        // The menu link opens the log without filters.
        await nav.getByRole('link', { name: '監査ログ', exact: true }).click();
        await page.waitForURL(/\/audit$/);
        await settle(page);
        assert.equal(await filters.getByLabel('操作', { exact: true }).inputValue(), '');

        // The policy pages and the ledger (each tested in depth in its own file).
        for (const [link, testid, name] of [
            ['ポリシーを読む', 'policy-toc', 'pages-policy'],
            ['版と改正の経緯', 'policy-versions', 'pages-policy-versions'],
            ['遵守の誓約の状況', 'acks-table', 'pages-policy-acknowledgements'],
            ['対策の実装状況', 'coverage-chapters', 'pages-policy-coverage'],
            ['監査ログの改ざん検知', 'ledger-status', 'pages-ledger'],
            ['情報資産台帳', 'assets-filters', 'pages-assets'],
            ['情報システム台帳', 'systems-filters', 'pages-systems'],
            ['棚卸し', 'review-filters', 'pages-assets-review'],
            ['整合性の警告', 'warnings-filters', 'pages-assets-warnings'],
            ['申請', 'requests-filters', 'pages-requests'],
        ]) {
            await nav.getByRole('link', { name: link, exact: true }).click();
            await page.getByTestId(testid).waitFor();
            await expectAccessible(page, link);
            await screenshot(page, name, { fullPage: name !== 'pages-policy-coverage' });
        }
        await page.goto('/policy/8-2(6)?q=特権');
        await page.getByTestId('policy-requirement').waitFor();
        await expectAccessible(page, 'policy item 8-2(6) with a search');
        await screenshot(page, 'pages-policy-item');
        await page.goto('/policy/basic');
        await page.getByTestId('policy-basic-text').waitFor();
        await expectAccessible(page, 'policy 第1章');
        await screenshot(page, 'pages-policy-basic');
        // The proof of the first event (or, before the first checkpoint, the notice that there is none).
        await page.goto('/ledger?index=0');
        await page.getByTestId('proof-verdict').or(page.getByText('チェックポイントはまだありません。').first()).first().waitFor();
        await expectAccessible(page, 'ledger with a proof');
        await screenshot(page, 'pages-ledger-proof');
        await nav.getByRole('link', { name: 'ホーム' }).click();
        await page.getByTestId('ack-submit').click();
        await page.getByTestId('ack-prompt').waitFor({ state: 'hidden' });
        await page.getByTestId('awaits-empty').waitFor();

        // My account: create a token (shown once), then revoke it.
        await page.getByRole('link', { name: 'わたしのアカウント' }).click();
        await page.getByTestId('tokens-empty').waitFor();
        await expectAccessible(page, 'account');
        await screenshot(page, 'account');
        const tokenForm = page.getByTestId('token-form');
        await tokenForm.getByLabel('名前').fill('資産台帳の夜間連携');
        await tokenForm.getByRole('button', { name: 'トークンを作成' }).click();
        const secret = page.getByTestId('token-secret');
        await secret.waitFor();
        assert.match(await secret.innerText(), /^mmr_[A-Za-z0-9_-]+$/);
        await expectAccessible(page, 'token created dialog');
        await screenshot(page, 'account-token-created', { fullPage: false });
        await page.getByRole('dialog', { name: 'トークンを作成しました' }).getByRole('button', { name: '閉じる' }).last().click();
        await secret.waitFor({ state: 'hidden' });
        const tokens = page.getByTestId('tokens-table');
        await tokens.getByText('資産台帳の夜間連携').waitFor();
        await tokens.getByRole('button', { name: '失効させる: 資産台帳の夜間連携' }).click();
        await page.getByRole('dialog', { name: 'トークンの失効' }).getByRole('button', { name: '失効させる' }).click();
        await tokens.getByText('失効', { exact: true }).waitFor();

        // English: every string switches, and so does <html lang>.
        await page.getByLabel('表示言語').selectOption('en');
        await page.getByRole('heading', { name: 'My account' }).waitFor();
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
        await page.getByRole('link', { name: 'Home' }).click();
        await page.getByRole('heading', { name: 'Welcome, 三浦 和彦' }).waitFor();
        await expectAccessible(page, 'home (English)');
        await screenshot(page, 'home-en');
        await page.getByLabel('Language').selectOption('ja');
        await page.getByRole('heading', { name: 'ようこそ、三浦 和彦 さん' }).waitFor();
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'ja');

        assert.deepEqual(page.problems, []);
    });
});

test('a lost session leads to the login page and back to the page the user was on', { timeout: 60_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'session-lost', async () => {
        await loginAs(page, 'kansa', kDemoPassword);
        // Home has finished asking (the register summary loads after the page shows), so the
        // lost session is first noticed by the click below.
        await page.waitForLoadState('networkidle');
        // The session ends behind the page's back (as on idle expiry).
        await page.context().clearCookies();
        await page.getByRole('link', { name: '監査ログ', exact: true }).click();
        await page.waitForURL(/\/login\?redirect=(%2F|\/)audit/);
        await page.getByText('ログインの有効期間が切れたか、ログアウトされました。').waitFor();
        await submitLogin(page, 'kansa', kDemoPassword);
        await page.waitForURL(/\/audit$/);
        await page.getByTestId('audit-table').waitFor();
        // The previous login is now known, shown in JST.
        await page.getByRole('link', { name: 'ホーム' }).click();
        assert.match(await page.getByTestId('previous-login').innerText(), /\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}（令和\d+年/);
        assert.deepEqual(page.problems, []);
    });
});

test('tablet width (768 px) and long Japanese names', { timeout: 60_000 }, async () => {
    const page = await app.openPage({ width: 768, height: 1024 });
    await withFailureScreenshot(page, 'tablet', async () => {
        // A very long name, as the API could return it, must wrap rather than widen the page.
        const longName = 'ひばり野市総務部情報政策課情報システム係長兼最高情報セキュリティ責任者補佐事務取扱 寿限無寿限無五劫の擦り切れ海砂利水魚の水行末雲来末風来末';
        await page.route('**/api/v1/auth/me', async (route) => {
            const res = await route.fetch();
            const body = await res.json();
            body.user.display_name = longName;
            await route.fulfill({ response: res, json: body });
        });
        await loginAs(page, 'tokatsu', kDemoPassword);
        await page.getByRole('heading', { name: `ようこそ、${longName} さん` }).waitFor();
        await noHorizontalOverflow(page, 'home at 768 px');
        await expectAccessible(page, 'home at 768 px');
        await screenshot(page, 'home-768');
        for (const [link, name] of [['組織', 'org-768'], ['監査ログ', 'audit-log-768'], ['わたしのアカウント', 'account-768'],
                                    ['ポリシーを読む', 'policy-overview-768'], ['版と改正の経緯', 'policy-versions-768'],
                                    ['遵守の誓約の状況', 'policy-acknowledgements-768'], ['対策の実装状況', 'policy-coverage-768'],
                                    ['監査ログの改ざん検知', 'ledger-status-768'], ['情報資産台帳', 'pages-assets-768'],
                                    ['情報システム台帳', 'pages-systems-768'], ['申請', 'pages-requests-768']]) {
            await page.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: link, exact: true }).click();
            await settle(page);
            await noHorizontalOverflow(page, `${link} at 768 px`);
            await screenshot(page, name, { fullPage: name !== 'audit-log-768' && name !== 'policy-coverage-768' });
        }
        assert.deepEqual(page.problems, []);
    });
});

test('keyboard only: log in and reach a page', { timeout: 60_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'keyboard', async () => {
        await page.goto('/login');
        await page.getByTestId('login-form').waitFor();
        await page.keyboard.press('Tab');  // the language switch
        await page.keyboard.press('Tab');  // username
        await page.keyboard.type('soumu-csirt');
        await page.keyboard.press('Tab');  // password
        await page.keyboard.type(kDemoPassword);
        await page.keyboard.press('Enter');
        await page.getByTestId('me-username').waitFor();
        // The skip link is the first stop, and it moves focus to the content.
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
        assert.equal(focused, '本文へ移動');
        const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
        assert.notEqual(outline, 'none', 'focus is visible');
        assert.deepEqual(page.problems, []);
    });
});
