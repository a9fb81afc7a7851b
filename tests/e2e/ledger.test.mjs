// 監査ログの改ざん検知 in the browser, as the demo city's auditor (kansa): the ledger's state
// and public key, the latest signed checkpoint, 今すぐ検証, the checkpoint history, and the proof
// of events checked in the browser (Web Crypto, RFC 9162) — opened from the audit log's 証明
// link, for leaves at several positions of the tree, and shown as ✗ when the server's answer
// is altered on the way. Checkpoints are made every second here.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
    expectAccessible, kDemoPassword, loginAs, nav, noHorizontalOverflow, screenshot, settle,
    useServer, withFailureScreenshot,
} from './harness.mjs';

const app = useServer({
    demo: true,
    mfaRequiredRoles: [],
    editConfig: (yaml) => {
        const edited = yaml.replace(/checkpoint_every_seconds: \d+/, 'checkpoint_every_seconds: 1');
        assert.notEqual(edited, yaml, 'ledger.checkpoint_every_seconds in mamori.yaml');
        return edited;
    },
});

/** Checks leaf `index` on the page and waits for the verdict; returns data-ok (yes, no, pending). */
async function prove(page, index) {
    const form = page.getByTestId('ledger-proof-form');
    await form.getByLabel('台帳の番号').fill(String(index));
    await form.getByRole('button', { name: '証明を確かめる' }).click();
    await page.waitForURL(new RegExp(`[?&]index=${index}(&|$)`));
    const verdict = page.getByTestId('proof-verdict');
    await verdict.waitFor();
    await settle(page);
    assert.match(await page.getByTestId('proof-leaf').innerText(), new RegExp(`"seq":${index + 1}[,}]`));
    return verdict.getAttribute('data-ok');
}

test('the ledger: state, 今すぐ検証, checkpoints and the proof of events in the browser', { timeout: 180_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'ledger', async () => {
        await loginAs(page, 'kansa', kDemoPassword);
        await nav(page).getByRole('link', { name: '監査ログの改ざん検知' }).click();
        await page.waitForURL(/\/ledger$/);
        await page.getByTestId('ledger-status').waitFor();

        // A checkpoint is made within a second or two of the first events.
        const note = page.getByTestId('ledger-note');
        for (let i = 0; i < 30 && !(await note.count()); i++) {
            await page.waitForTimeout(500);
            await page.reload();
            await page.getByTestId('ledger-status').waitFor();
            await settle(page);
        }
        await note.waitFor();
        const noteText = await note.innerText();
        assert.match(noteText, /^mamori\/[0-9a-f]{16}\n\d+\n[A-Za-z0-9+/]{43}=\n\n\u2014 mamori\/[0-9a-f]{16} \S+/);
        assert.match(await note.evaluate((el) => getComputedStyle(el).fontFamily), /monospace/);
        const key = (await page.getByTestId('ledger-public-key').innerText()).trim();
        assert.match(key, /^mamori\/[0-9a-f]{16}\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/);
        const published = await (await page.request.get('/api/v1/ledger/public-key')).text();
        assert.equal(published.trim(), key, 'the key shown is the published one');
        assert.match(await page.getByTestId('ledger-tree-size').innerText(), /^\d+ 件$/);

        // 今すぐ検証: the whole tree, recorded and shown.
        await page.getByTestId('ledger-verify-none').waitFor();
        await page.getByTestId('ledger-verify').click();
        await page.getByText(/件を検証しました。改ざんは見つかりませんでした。/).waitFor();
        const result = page.getByTestId('ledger-verify-result');
        await result.waitFor();
        assert.match(await result.innerText(), /✓\s*改ざんは見つかりませんでした/);
        assert.match(await page.getByTestId('ledger-verification').innerText(), /検証した日時\s*\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/);

        // The checkpoint history, largest first.
        const history = page.getByTestId('ledger-checkpoints');
        await history.locator('tbody tr').first().waitFor();
        const sizes = (await history.locator('tbody tr td:first-child').allInnerTexts()).map(Number);
        assert.ok(sizes.length >= 1);
        assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a), 'largest tree first');
        await expectAccessible(page, 'ledger');
        await screenshot(page, 'ledger');

        // From the audit log: the 証明 link of an event opens its proof (index = seq − 1).
        await nav(page).getByRole('link', { name: '監査ログ', exact: true }).click();
        const table = page.getByTestId('audit-table');
        await table.locator('tbody tr').nth(20).waitFor();
        const row = table.locator('tbody tr').nth(20);
        const seq = Number(await row.locator('td').first().innerText());
        await row.getByRole('link', { name: `証明: 番号 ${seq} の記録が改ざんされていないことを確かめる` }).click();
        await page.waitForURL(new RegExp(`/ledger\\?index=${seq - 1}$`));
        const verdict = page.getByTestId('proof-verdict');
        await verdict.waitFor();
        assert.equal(await verdict.getAttribute('data-ok'), 'yes', await verdict.innerText());
        assert.match(await verdict.innerText(), new RegExp(`✓\\s*番号 ${seq} の記録は、署名されたチェックポイント \\(\\d+ 件\\) に含まれていることを確かめました。`));
        const steps = page.getByTestId('proof-steps');
        for (const step of ['leaf', 'seq', 'root', 'signature']) {
            assert.equal(await steps.locator(`li[data-step="${step}"]`).getAttribute('class'), 'ok', `step ${step}`);
        }
        assert.ok(await page.getByTestId('proof-path').locator('li').count() >= 1, 'the proof has hashes');
        assert.equal(await page.getByTestId('proof-root-computed').innerText(),
                     (await page.getByTestId('ledger-checkpoint').locator('dd.mono').innerText()).trim());
        await expectAccessible(page, 'ledger with a proof');
        await screenshot(page, 'ledger-proof');

        // Leaves at other places of the tree: the first, the second, the last of the checkpoint.
        const size = Number((await page.getByTestId('ledger-note').innerText()).split('\n')[1]);
        for (const index of [0, 1, Math.floor(size / 2), size - 1]) {
            assert.equal(await prove(page, index), 'yes', `leaf ${index} of ${size}`);
        }
        // An event after the checkpoint cannot be proven yet, and says so.
        await page.route('**/api/v1/ledger/status', async (route) => {
            const res = await route.fetch();
            const body = await res.json();
            body.latest_checkpoint = (await (await page.request.get('/api/v1/ledger/checkpoints?limit=500')).json())
                .items.at(-1);
            await route.fulfill({ response: res, json: body });
        });
        const oldest = Number((await page.request.get('/api/v1/ledger/checkpoints?limit=500')
            .then((r) => r.json())).items.at(-1).tree_size);
        if (oldest < size) assert.equal(await prove(page, oldest), 'pending');
        await page.unroute('**/api/v1/ledger/status');

        // Altered on the way: a proof hash, then the leaf's bytes. The browser notices.
        await page.route('**/api/v1/ledger/proof/inclusion**', async (route) => {
            const res = await route.fetch();
            const body = await res.json();
            const first = Buffer.from(body.hashes[0], 'base64');
            first[0] ^= 0x01;
            body.hashes[0] = first.toString('base64');
            await route.fulfill({ response: res, json: body });
        });
        assert.equal(await prove(page, 1), 'no');
        assert.equal(await steps.locator('li[data-step="root"]').getAttribute('class'), 'ng');
        assert.equal(await steps.locator('li[data-step="leaf"]').getAttribute('class'), 'ok');
        await page.unroute('**/api/v1/ledger/proof/inclusion**');
        await page.route('**/api/v1/ledger/entries/**', async (route) => {
            const res = await route.fetch();
            const body = await res.json();
            body.leaf = Buffer.from(Buffer.from(body.leaf, 'base64').toString('utf8')
                .replace(/"client_address":"[^"]*"/, '"client_address":"203.0.113.9"')).toString('base64');
            await route.fulfill({ response: res, json: body });
        });
        assert.equal(await prove(page, 2), 'no');
        assert.match(await page.getByTestId('proof-verdict').innerText(), /✗\s*番号 3 の記録を証明できませんでした/);
        assert.equal(await steps.locator('li[data-step="leaf"]').getAttribute('class'), 'ng');
        assert.equal(await steps.locator('li[data-step="root"]').getAttribute('class'), 'ng');
        await screenshot(page, 'ledger-proof-tampered', { fullPage: false });
        await page.unroute('**/api/v1/ledger/entries/**');
        // A checkpoint whose signature was altered: the root matches, the signature does not.
        await page.route('**/api/v1/ledger/status', async (route) => {
            const res = await route.fetch();
            const body = await res.json();
            body.latest_checkpoint.note = body.latest_checkpoint.note.replace(/(\u2014 \S+ \S{10})(\S)/,
                (_, head, c) => head + (c === 'A' ? 'B' : 'A'));
            await route.fulfill({ response: res, json: body });
        });
        assert.equal(await prove(page, 1), 'no');
        assert.equal(await steps.locator('li[data-step="root"]').getAttribute('class'), 'ok');
        assert.equal(await steps.locator('li[data-step="signature"]').getAttribute('class'), 'ng');
        assert.match(await steps.locator('li[data-step="signature"]').innerText(), /署名が公開鍵と合いません/);
        await page.unroute('**/api/v1/ledger/status');
        assert.equal(await prove(page, 1), 'yes', 'the genuine answers prove it again');

        await page.setViewportSize({ width: 768, height: 1024 });
        await settle(page);
        await noHorizontalOverflow(page, 'ledger at 768 px');
        await screenshot(page, 'ledger-768');
        assert.deepEqual(page.problems, []);
    });
});

test('staff have no ledger page', { timeout: 60_000 }, async () => {
    const page = await app.openPage();
    await withFailureScreenshot(page, 'ledger-staff', async () => {
        await loginAs(page, 'zeimu-staff', kDemoPassword);
        assert.doesNotMatch(await nav(page).innerText(), /監査ログ/);
        await page.goto('/ledger?index=0');
        await page.waitForURL((url) => url.pathname === '/');
        await page.getByTestId('me-username').waitFor();
        assert.deepEqual(page.problems, []);
    });
});
