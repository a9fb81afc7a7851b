// The information security policy in the browser, on the demo city with a second version of
// the Hirakawa catalog loaded (`mamori policy load`, effective in the future): the reader
// (table of contents, 第1章 verbatim, search for 特権 and 8-2(6), deep links, the version
// selector, the OSCAL download), versions with 制定・改正の経緯 and a diff, 遵守の誓約 on the home
// page, the status by unit for a manager, and the coverage map with its charts.

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import {
    expectAccessible, kDemoPassword, loginAs, nav, noHorizontalOverflow, repoRoot, screenshot,
    settle, useServer, withFailureScreenshot,
} from './harness.mjs';

const kNextVersion = '2027-04-01';
const kChangedSentence = '特権 ID の利用記録は 5 年間保存する。';
let catalogDir;

/** The Hirakawa catalog as a later version: another date, one more revision, 8-2(6) reworded. */
function writeNextVersion() {
    catalogDir = mkdtempSync(join(tmpdir(), 'mamori-policy-next-'));
    cpSync(join(repoRoot, 'policies', 'hirakawa'), catalogDir, { recursive: true });
    const policyYaml = join(catalogDir, 'policy.yaml');
    const policy = readFileSync(policyYaml, 'utf8')
        .replace('version: "2026-03-23"', `version: "${kNextVersion}"`)
        .replace('effective_date: 2026-03-23', `effective_date: ${kNextVersion}`)
        .replace('answer_options:', '  - date: 2027-04-01\n    label: 令和9年4月1日\n    kind: 一部改正\nanswer_options:');
    writeFileSync(policyYaml, policy);
    const technical = join(catalogDir, 'standards', '08-technical.yaml');
    const text = readFileSync(technical, 'utf8');
    const anchor = '情報システム管理者は、特権 ID の利用記録を定期的に確認する。';
    assert.ok(text.includes(anchor), '8-2(6) as expected in the catalog');
    writeFileSync(technical, text.replace(anchor, `${anchor}${kChangedSentence}`));
}

after(() => {
    if (catalogDir) rmSync(catalogDir, { recursive: true, force: true });
});

const app = useServer({
    demo: true,
    mfaRequiredRoles: [],
    beforeServe: (run) => {
        writeNextVersion();
        run(['policy', 'load', catalogDir]);
    },
});

test('the policy reader: contents, 第1章, search, deep links, versions, OSCAL', { timeout: 180_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'policy-reader', async () => {
        await loginAs(page, 'shimin-staff', kDemoPassword);

        // Every user has the policy in the menu, in its own group.
        const menu = await nav(page).innerText();
        assert.match(menu, /情報セキュリティポリシー/);
        assert.doesNotMatch(menu, /遵守の誓約の状況|監査ログの改ざん検知/, 'no manager or auditor pages for staff');
        await nav(page).getByRole('link', { name: 'ポリシーを読む' }).click();
        await page.waitForURL(/\/policy$/);
        await page.getByRole('heading', { name: '平川市情報セキュリティポリシー', level: 1 }).waitFor();
        await page.getByRole('heading', { name: '序文' }).waitFor();
        assert.match(await page.getByTestId('policy-version').innerText(), /版 2026-03-23 \(2026年3月23日 施行\)\s*施行中/);
        assert.match(await page.getByTestId('policy-structure').innerText(), /情報セキュリティ基本方針/);
        await expectAccessible(page, 'policy overview');
        await screenshot(page, 'policy-overview');

        // 第1章, verbatim, from the table of contents.
        const toc = page.getByTestId('policy-toc');
        await toc.getByRole('link', { name: /第1章\s*情報セキュリティ基本方針/ }).click();
        await page.waitForURL(/\/policy\/basic$/);
        const basicText = page.getByTestId('policy-basic-text');
        await basicText.getByText('目的', { exact: false }).first().waitFor();
        assert.match(await basicText.innerText(), /本市/);
        const open2 = toc.getByRole('button', { name: '2 の下の項目を開く' }).first();
        assert.equal(await open2.getAttribute('aria-expanded'), 'false');
        await open2.click();
        await toc.getByRole('link', { name: /^2\(1\)/ }).first().click();
        await page.waitForURL(/\/policy\/basic\/2\(1\)$/);
        await page.getByRole('heading', { name: /基本方針 2\(1\)/ }).waitFor();
        await expectAccessible(page, 'policy 第1章');
        await screenshot(page, 'policy-basic');

        // The chapters of 第2章 are listed in the contents; one of them lists its items.
        await toc.getByRole('link', { name: /^8\s*技術的セキュリティ/ }).click();
        await page.waitForURL(/\/policy\/8$/);
        await page.getByTestId('policy-children').getByRole('link', { name: /8-2\s*アクセス制御/ }).waitFor();

        // Search: 特権 goes to the address, the contents show the matches highlighted.
        const search = page.getByTestId('policy-search');
        await search.getByLabel('ポリシーの中を検索').fill('特権');
        await search.getByRole('button', { name: '検索する' }).click();
        await page.waitForURL(/[?&]q=%E7%89%B9%E6%A8%A9/);
        await page.getByTestId('policy-search-summary').getByText(/「特権」を含む項目/).waitFor();
        const hit = toc.getByRole('link', { name: /8-2\(6\)\s*特権による接続時間の制限/ });
        await hit.waitFor();
        assert.ok(await toc.locator('mark').count() > 0, 'matches are marked in the contents');
        await hit.click();
        await page.waitForURL((url) => decodeURIComponent(url.pathname) === '/policy/8-2(6)' && url.searchParams.get('q') === '特権');
        const item = page.getByTestId('policy-item');
        await item.getByRole('heading', { name: /8-2\(6\)\s*特権による接続時間の制限/ }).waitFor();
        const requirement = item.getByTestId('policy-requirement');
        assert.ok(await requirement.locator('mark', { hasText: '特権' }).count() > 0, 'the requirement marks 特権');
        const implemented = await item.getByTestId('policy-implemented-by').innerText();
        assert.match(implemented, /利用可能/);
        assert.match(implemented, /特権 ID 利用の申請と時間制限/);
        assert.match(await item.innerText(), /統括情報セキュリティ責任者/);
        assert.match(await item.innerText(), /自己点検の設問/);
        assert.match(await item.locator('.crumbs').innerText(), /8-2 アクセス制御/);
        assert.match(await toc.locator('[aria-current="page"]').innerText(), /^8-2\(6\)\s*特権による接続時間の制限$/);
        await expectAccessible(page, 'policy search and 8-2(6)');
        await screenshot(page, 'policy-search-8-2-6');

        // Deep links: as written and percent-encoded; a related item is a link too.
        await page.goto('/policy/8-2(6)');
        await item.getByRole('heading', { name: /8-2\(6\)\s*特権による接続時間の制限/ }).waitFor();
        await page.goto('/policy/8-2%286%29');
        await item.getByRole('heading', { name: /8-2\(6\)\s*特権による接続時間の制限/ }).waitFor();
        await item.getByRole('link', { name: /^7-4\(2\)/ }).click();
        await page.waitForURL((url) => decodeURIComponent(url.pathname) === '/policy/7-4(2)');
        await item.getByRole('heading', { name: /^7-4\(2\)/ }).waitFor();
        await page.goto('/policy/99-9(9)');
        await item.getByRole('alert').waitFor();

        // Another version: the address says so, the page warns it is not the one in force.
        await page.goto('/policy/8-2(6)');
        await item.getByRole('heading', { name: /8-2\(6\)/ }).waitFor();
        assert.doesNotMatch(await item.innerText(), new RegExp(kChangedSentence));
        await page.getByTestId('policy-version-select').click();
        await page.getByRole('option', { name: new RegExp(`^${kNextVersion}`) }).click();
        await page.waitForURL(new RegExp(`version=${kNextVersion}`));
        await page.getByTestId('policy-not-in-force').waitFor();
        await item.getByText(kChangedSentence, { exact: false }).waitFor();
        assert.match(await page.getByTestId('policy-version').innerText(), /施行前/);
        await expectAccessible(page, 'policy, a version not in force');

        // OSCAL: a download of the version shown.
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('policy-oscal').click()]);
        assert.equal(download.suggestedFilename(), `mamori-policy-oscal-${kNextVersion}.json`);
        const oscal = JSON.parse(readFileSync(await download.path(), 'utf8'));
        assert.ok(oscal.catalog?.groups?.length > 0, 'an OSCAL catalog with groups');

        // Versions: both loaded, the revisions, and the difference.
        await nav(page).getByRole('link', { name: '版と改正の経緯' }).click();
        const versions = page.getByTestId('policy-versions');
        await versions.getByRole('link', { name: kNextVersion }).waitFor();
        assert.equal(await versions.locator('tbody tr').count(), 2);
        assert.match(await versions.innerText(), /施行中/);
        assert.match(await versions.innerText(), /施行前/);
        const revisions = await page.getByTestId('policy-revisions').innerText();
        assert.match(revisions, /平成18年11月28日\s*策定/);
        assert.match(revisions, /令和8年3月23日\s*一部改正/);
        await page.getByTestId('policy-diff-form').getByRole('button', { name: '比較する' }).click();
        await page.waitForURL(/from=2026-03-23&to=2027-04-01/);
        const diff = page.getByTestId('policy-diff');
        await diff.waitFor();
        assert.match(await diff.innerText(), /要件の追加 0 件、削除 0 件、変更 1 件/);
        const changed = diff.getByTestId('diff-requirements').locator('tbody tr');
        assert.equal(await changed.count(), 1);
        assert.match(await changed.innerText(), /変更\s*8-2\(6\) 特権による接続時間の制限\s*要件/);
        assert.match(await diff.getByTestId('diff-policy-fields').innerText(), /施行日/);
        await expectAccessible(page, 'policy versions and diff');
        await screenshot(page, 'policy-versions');
        // The changed item opens in the reader at the newer version.
        await changed.getByRole('link').click();
        await page.waitForURL((url) => decodeURIComponent(url.pathname) === '/policy/8-2(6)' &&
                              url.searchParams.get('version') === kNextVersion);
        await item.getByText(kChangedSentence, { exact: false }).waitFor();

        // In English, the page's own words switch (the policy's text stays as written).
        await page.getByLabel('表示言語').selectOption('en');
        await item.getByRole('heading', { name: 'Requirement', exact: true }).waitFor();
        await page.getByTestId('policy-search').getByLabel('Search the policy').waitFor();
        assert.match(await page.getByTestId('policy-not-in-force').innerText(), /not the version in force/);
        await expectAccessible(page, 'policy reader in English');
        await screenshot(page, 'policy-en');
        await page.getByLabel('Language').selectOption('ja');
        await item.getByRole('heading', { name: '要件', exact: true }).waitFor();

        // Narrow screens: nothing wider than the window.
        await page.setViewportSize({ width: 768, height: 1024 });
        await page.goto('/policy/8-2(6)?q=特権');
        await item.getByRole('heading', { name: /8-2\(6\)/ }).waitFor();
        await settle(page);
        assert.equal(await toc.locator('button[aria-expanded="false"]').count(), 0, 'a search result opens whole');
        await noHorizontalOverflow(page, 'policy reader at 768 px');
        await screenshot(page, 'policy-768');
        assert.deepEqual(page.problems, []);
    });
});

test('遵守の誓約: the prompt on the home page, then the date', { timeout: 60_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'policy-acknowledge', async () => {
        await loginAs(page, 'kankyo-staff', kDemoPassword);
        const prompt = page.getByTestId('ack-prompt');
        await prompt.waitFor();
        assert.match(await prompt.innerText(), /平川市情報セキュリティポリシー \(版 2026-03-23、2026年3月23日 施行\)/);
        assert.match(await page.getByTestId('ack-status').innerText(), /まだ誓約していません/);
        await page.getByTestId('awaits-list').waitFor();
        assert.equal(await page.getByTestId('awaits-empty').count(), 0);
        await expectAccessible(page, 'home with the acknowledgement prompt');
        await screenshot(page, 'home-ack-prompt');

        // The link reads the policy; back home, acknowledge.
        await prompt.getByRole('link', { name: 'ポリシーを読む' }).click();
        await page.waitForURL(/\/policy$/);
        await page.getByRole('heading', { name: '序文' }).waitFor();
        await page.goBack();
        await prompt.getByRole('button', { name: '内容を確認し、遵守します' }).click();
        await prompt.waitFor({ state: 'hidden' });
        await page.getByText('遵守の誓約を受け付けました。').waitFor();
        assert.match(await page.getByTestId('ack-status').innerText(),
                     /\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}\s*に誓約しました \(版 2026-03-23\)/);
        await page.getByTestId('awaits-empty').waitFor();
        await expectAccessible(page, 'home after acknowledging');
        await screenshot(page, 'home-ack-done');

        // It stays: a reload shows no prompt.
        await page.reload();
        await page.getByTestId('ack-status').getByText(/に誓約しました/).waitFor();
        assert.equal(await page.getByTestId('ack-prompt').count(), 0);
        assert.deepEqual(page.problems, []);
    });
});

test('a manager sees, per unit, who has not acknowledged yet', { timeout: 90_000 }, async () => {
    // 安藤 良太 (総務課) acknowledges first.
    const staff = await app.openPage();
    await withFailureScreenshot(staff, 'policy-acks-staff', async () => {
        await loginAs(staff, 'soumu-staff', kDemoPassword);
        await staff.getByTestId('ack-submit').click();
        await staff.getByTestId('ack-prompt').waitFor({ state: 'hidden' });
        // Staff have no such page: the menu has no link, the address leads home.
        assert.doesNotMatch(await nav(staff).innerText(), /遵守の誓約の状況/);
        await staff.goto('/policy/acknowledgements');
        await staff.waitForURL((url) => url.pathname === '/');
    });

    const page = await app.openPage();
    await withFailureScreenshot(page, 'policy-acks', async () => {
        // 藤田 美穂, 情報セキュリティ管理者 of 総務課.
        await loginAs(page, 'soumu-kacho', kDemoPassword);
        await nav(page).getByRole('link', { name: '遵守の誓約の状況' }).click();
        const table = page.getByTestId('acks-table');
        await table.waitFor();
        const row = table.locator('tr[data-unit="総務課"]');
        assert.match(await row.innerText(), /総務課\s*3\s*1/);
        const pending = await row.getByTestId('acks-pending').innerText();
        assert.match(pending, /藤田 美穂/);
        assert.match(pending, /平野 智子/);
        assert.doesNotMatch(pending, /安藤 良太/);
        assert.match(await row.getByRole('progressbar').getAttribute('aria-label'), /総務課: 3 人中 1 人が誓約済み/);
        assert.doesNotMatch(await table.innerText(), /市民課/, 'only units within the manager’s scope');
        assert.match(await page.getByTestId('acks-totals').innerText(), /対象の職員 3 人のうち 1 人が誓約済み/);
        await expectAccessible(page, 'acknowledgements by unit');
        await screenshot(page, 'policy-acknowledgements');
        await page.getByTestId('acks-only-pending').click();
        await page.waitForURL(/pending=1/);
        await table.locator('tr[data-unit="総務課"]').waitFor();
        assert.deepEqual(page.problems, []);
    });
});

test('the coverage map: totals, charts with text alternatives, the filterable list', { timeout: 90_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'policy-coverage', async () => {
        await loginAs(page, 'shimin-staff', kDemoPassword);
        await nav(page).getByRole('link', { name: '対策の実装状況' }).click();
        await page.waitForURL(/\/policy\/coverage$/);
        const totals = page.getByTestId('coverage-totals');
        await totals.waitFor();
        const n = (s) => Number(s.replace(/\D.*$/s, ''));
        const all = n(await totals.locator('dd[data-support="all"]').innerText());
        const parts = await Promise.all(['available', 'planned', 'manual']
            .map(async (s) => n(await totals.locator(`dd[data-support="${s}"]`).innerText())));
        assert.ok(all > 100, `requirements: ${all}`);
        assert.equal(parts.reduce((a, b) => a + b, 0), all, 'available + planned + manual = requirements');

        // The charts are drawn (a canvas each) and described in words.
        const pie = page.getByTestId('coverage-pie');
        await pie.locator('canvas').waitFor();
        await page.getByTestId('coverage-bars').locator('canvas').waitFor();
        assert.equal(await pie.getAttribute('role'), 'img');
        assert.equal(await pie.getAttribute('aria-label'),
                     `要件 ${all} 件のうち、利用可能 ${parts[0]} 件、対応予定 ${parts[1]} 件、手作業 ${parts[2]} 件`);
        assert.match(await page.getByTestId('coverage-bars').getAttribute('aria-label'), /^1 趣旨: 利用可能/);
        assert.equal(await page.getByTestId('coverage-chapters').locator('tbody tr').count(), 11);
        assert.match(await page.getByTestId('coverage-count').innerText(), new RegExp(`${all} 件中 ${all} 件`));
        await expectAccessible(page, 'coverage');
        await screenshot(page, 'policy-coverage', { fullPage: false });

        // Only the manual ones, kept in the address.
        const filters = page.getByTestId('coverage-filters');
        await filters.locator('.el-form-item').filter({ hasText: '対応状況' }).locator('.el-select').click();
        await page.getByRole('option', { name: '手作業', exact: true }).click();
        await filters.getByRole('button', { name: '絞り込む' }).click();
        await page.waitForURL(/support=manual/);
        await page.getByTestId('coverage-count').getByText(`${all} 件中 ${parts[2]} 件`).waitFor();
        const tags = await page.getByTestId('coverage-items').locator('tbody tr td:nth-child(3)').allInnerTexts();
        assert.equal(tags.length, parts[2]);
        for (const tag of tags) assert.equal(tag.trim(), '手作業');
        await page.getByTestId('coverage-items').scrollIntoViewIfNeeded();
        await screenshot(page, 'policy-coverage-manual', { fullPage: false });
        await page.reload();
        await page.getByTestId('coverage-count').getByText(`${all} 件中 ${parts[2]} 件`).waitFor();
        assert.deepEqual(page.problems, []);
    });
});
