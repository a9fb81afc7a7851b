// The units page as the administrator, in the demo city: a new 課 is renamed and moved to
// another 部, a 部 that still has 課 and people cannot be closed (the reason is shown), the
// closing date cannot be before the unit was registered or after today, and a closed unit
// stays in the tree with its date. The page's state (selected unit, closed units shown) is in
// the address. Then My account offers API tokens only the permissions a token can use.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
    addUnit, choose, elevateIfAsked, expectAccessible, firstAdminLogin, noHorizontalOverflow, screenshot, settle,
    useServer, withFailureScreenshot,
} from './harness.mjs';

const kNewPassword = 'Hibari-Soshiki-2026#';
const app = useServer({ demo: true, mfaRequiredRoles: [] });

/** Today in Japan, as the page computes it. */
function todayJst() {
    return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' })
        .format(new Date());
}

test('units: rename, move, close (refused, then done), closed units kept; token permissions', { timeout: 240_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'units', async () => {
        await firstAdminLogin(page, kNewPassword);

        const nav = page.getByRole('navigation', { name: 'メインメニュー' });
        await nav.getByRole('link', { name: '組織', exact: true }).click();
        const tree = page.getByTestId('unit-tree');
        const detail = page.getByTestId('unit-detail');
        await tree.getByText('情報政策課', { exact: true }).waitFor();
        await detail.getByTestId('unit-detail-empty').waitFor();
        await addUnit(page, { kind: '課', name: '防災課', parent: '総務部', password: kNewPassword });

        // Choosing a unit shows its details, and puts it in the address.
        await tree.getByText('防災課', { exact: true }).click();
        await detail.getByRole('heading', { name: /防災課/ }).waitFor();
        const unitId = new URL(page.url()).searchParams.get('unit');
        assert.ok(unitId, 'the selected unit is in the address');
        const fields = detail.getByTestId('unit-fields');
        assert.equal((await fields.locator('dt:text-is("組織上の位置") + dd').innerText()).trim(), '総務部 / 防災課');
        assert.equal((await fields.locator('dt:text-is("状態") + dd').innerText()).trim(), '運用中');
        await expectAccessible(page, 'units page with a unit selected');
        await screenshot(page, 'org-unit-selected');

        // 名前の変更・移動: a new name and another 部, in one change.
        await detail.getByTestId('unit-edit').click();
        const edit = page.getByTestId('unit-edit-form');
        await edit.waitFor();
        assert.equal(await edit.getByLabel('部署名').inputValue(), '防災課');
        await edit.getByLabel('部署名').fill('危機管理課');
        await choose(page, edit, '上位の部署', '市民生活部');
        await expectAccessible(page, 'rename and move dialog');
        await screenshot(page, 'org-unit-edit', { fullPage: false });
        await edit.getByRole('button', { name: '保存する' }).click();
        await elevateIfAsked(page, kNewPassword);
        await edit.waitFor({ state: 'hidden' });
        await page.getByText('部署「危機管理課」を変更しました。').waitFor();
        await detail.getByRole('heading', { name: /危機管理課/ }).waitFor();
        assert.equal((await fields.locator('dt:text-is("組織上の位置") + dd').innerText()).trim(), '市民生活部 / 危機管理課');
        assert.equal(await tree.getByText('防災課', { exact: true }).count(), 0, 'the old name is gone');
        const shiminNode = tree.getByRole('treeitem').filter({ has: page.getByText('市民生活部', { exact: true }) }).first();
        await shiminNode.getByText('危機管理課', { exact: true }).waitFor();

        // A 部 with 課 and people cannot be closed: the dialog says why, readably.
        await tree.getByText('市民生活部', { exact: true }).click();
        await detail.getByRole('heading', { name: /市民生活部/ }).waitFor();
        await detail.getByTestId('unit-close').click();
        const close = page.getByTestId('unit-close-form');
        await close.waitFor();
        await close.getByRole('button', { name: '廃止する' }).click();
        const refusal = page.getByTestId('unit-close-form-error');
        await refusal.waitFor();
        assert.match(await refusal.innerText(), /配下に廃止していない部署があるため、廃止できません。/);
        await expectAccessible(page, 'close dialog with the refusal');
        await screenshot(page, 'org-unit-close-refused', { fullPage: false });
        await page.getByRole('dialog', { name: '部署の廃止' }).getByRole('button', { name: 'キャンセル' }).click();
        await close.waitFor({ state: 'hidden' });

        // Closing 危機管理課: the date is between its registration (today) and today.
        await tree.getByText('危機管理課', { exact: true }).click();
        await detail.getByRole('heading', { name: /危機管理課/ }).waitFor();
        await detail.getByTestId('unit-close').click();
        await close.waitFor();
        const date = close.getByLabel('廃止日');
        const today = todayJst();
        assert.equal(await date.inputValue(), today, 'today by default');
        assert.equal(await date.getAttribute('min'), today, 'not before the unit was registered');
        assert.equal(await date.getAttribute('max'), today, 'not after today');
        await date.fill('2000-04-01');
        await close.getByRole('button', { name: '廃止する' }).click();
        await close.getByText(/廃止日は、部署を登録した日 \(.+\) 以降の日付にしてください。/).waitFor();
        await date.fill('2999-03-31');
        await close.getByRole('button', { name: '廃止する' }).click();
        await close.getByText('廃止日に今日より後の日付は指定できません。').waitFor();
        await expectAccessible(page, 'close dialog with a date error');
        await screenshot(page, 'org-unit-close', { fullPage: false });
        await date.fill(today);
        await close.getByRole('button', { name: '廃止する' }).click();
        await elevateIfAsked(page, kNewPassword);
        await close.waitFor({ state: 'hidden' });
        await page.getByText(/部署「危機管理課」を廃止しました/).waitFor();

        // Kept in the tree, marked with its date; no longer changeable.
        assert.equal(new URL(page.url()).searchParams.get('closed'), '1', 'closed units are shown now');
        const closedNode = tree.locator('.node.closed').filter({ hasText: '危機管理課' });
        await closedNode.waitFor();
        assert.match(await closedNode.innerText(), /廃止 \(\d{4}年\d{1,2}月\d{1,2}日\)/);
        await detail.getByTestId('unit-closed-note').waitFor();
        assert.equal(await detail.getByTestId('unit-edit').count(), 0);
        assert.equal(await detail.getByTestId('unit-close').count(), 0);
        await expectAccessible(page, 'a closed unit');
        await screenshot(page, 'org-unit-closed');

        // A reload shows the same: the address holds the selection and the closed units.
        await page.reload();
        await detail.getByTestId('unit-closed-note').waitFor();
        assert.equal(new URL(page.url()).searchParams.get('unit'), unitId);
        await tree.locator('.node.closed').filter({ hasText: '危機管理課' }).waitFor();
        assert.ok(await page.getByTestId('show-closed').locator('input').isChecked());

        // Hiding closed units hides it (and lets go of it).
        await page.getByTestId('show-closed').click();
        await detail.getByTestId('unit-detail-empty').waitFor();
        assert.equal(await tree.getByText('危機管理課', { exact: true }).count(), 0);
        assert.equal(new URL(page.url()).search, '');

        // With the keyboard: down to the next unit, Enter chooses it; left closes its branch.
        await tree.locator('[role="treeitem"]').first().focus();
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        await detail.getByRole('heading', { name: /健康推進課/ }).waitFor();
        await tree.locator('[role="treeitem"]').first().focus();
        await page.keyboard.press('ArrowLeft');
        await tree.getByText('福祉課', { exact: true }).waitFor({ state: 'hidden' });
        await page.keyboard.press('ArrowRight');
        await tree.getByText('福祉課', { exact: true }).waitFor();

        // Tablet width: the details go below the tree, nothing wider than the window.
        await tree.getByText('情報システム係', { exact: true }).click();
        await page.setViewportSize({ width: 768, height: 1024 });
        await settle(page);
        await noHorizontalOverflow(page, 'units at 768 px');
        await screenshot(page, 'org-units-768');
        await page.setViewportSize({ width: 1280, height: 800 });

        // API tokens: only the permissions a token can use are offered (admin also holds
        // org.manage, accounts.manage and policy.manage, which need elevation).
        await page.getByRole('link', { name: 'わたしのアカウント' }).click();
        const perms = page.getByTestId('token-permissions');
        await perms.waitFor();
        const offered = await perms.getByRole('checkbox').evaluateAll((els) => els.map((e) => e.value));
        assert.ok(offered.includes('org.read'), `org.read is offered (${offered.join(', ')})`);
        for (const p of ['org.manage', 'accounts.manage', 'policy.manage']) {
            assert.ok(!offered.includes(p), `${p} needs elevation: not offered (${offered.join(', ')})`);
        }
        const notOffered = await page.getByTestId('token-permissions-not-offered').innerText();
        assert.match(notOffered, /org\.manage/);
        assert.match(notOffered, /accounts\.manage/);
        const tokenForm = page.getByTestId('token-form');
        await tokenForm.getByLabel('名前').fill('組織の夜間連携');
        await perms.getByText('org.read', { exact: true }).click();
        await tokenForm.getByRole('button', { name: 'トークンを作成' }).click();
        await page.getByTestId('token-secret').waitFor();
        await page.getByRole('dialog', { name: 'トークンを作成しました' }).getByRole('button', { name: '閉じる' }).last().click();
        await page.getByTestId('tokens-table').getByText('組織の夜間連携').waitFor();
        assert.match(await page.getByTestId('tokens-table').innerText(), /org\.read/);

        assert.deepEqual(page.problems, []);
    });
});
