// The ledger page's verifier (web/src/utils/merkle.ts), outside the browser: its RFC 9162
// inclusion proof verification against a reference written here from the RFC (MTH and PATH,
// §2.1.1 and §2.1.3.1, with node:crypto), for every leaf of every tree of 1 to 70 leaves, and
// proofs that must fail. The module is TypeScript: it is transpiled with the web UI's own
// TypeScript (no bundler) and imported; Node's Web Crypto stands in for the browser's.
// ledger.test.mjs checks the same module in the browser against the server's real tree.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';

import { repoRoot } from './harness.mjs';

const ts = createRequire(join(repoRoot, 'web', 'package.json'))('typescript');
let dir;
let merkle;

before(async () => {
    const source = readFileSync(join(repoRoot, 'web', 'src', 'utils', 'merkle.ts'), 'utf8');
    const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    });
    dir = mkdtempSync(join(tmpdir(), 'mamori-merkle-'));
    const file = join(dir, 'merkle.mjs');
    writeFileSync(file, outputText);
    merkle = await import(pathToFileURL(file).href);
});

after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---- the reference, as RFC 9162 §2.1 writes it

const sha256 = (...parts) => new Uint8Array(createHash('sha256').update(Buffer.concat(parts.map((p) => Buffer.from(p)))).digest());
const refLeaf = (data) => sha256([0x00], data);
/** The largest power of two smaller than n. */
const split = (n) => {
    let k = 1;
    while (k * 2 < n) k *= 2;
    return k;
};
function mth(leaves) {
    if (leaves.length === 1) return refLeaf(leaves[0]);
    const k = split(leaves.length);
    return sha256([0x01], mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function refPath(m, leaves) {
    if (leaves.length === 1) return [];
    const k = split(leaves.length);
    return m < k ? [...refPath(m, leaves.slice(0, k)), mth(leaves.slice(k))]
        : [...refPath(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

test('hashes: leaf = SHA-256(0x00 ‖ leaf), node = SHA-256(0x01 ‖ left ‖ right)', async () => {
    const leaf = new TextEncoder().encode('{"seq":1}');
    assert.deepEqual(await merkle.leafHash(leaf), refLeaf(leaf));
    const a = refLeaf([1]);
    const b = refLeaf([2]);
    assert.deepEqual(await merkle.nodeHash(a, b), sha256([0x01], a, b));
    assert.equal(merkle.toBase64(merkle.fromBase64('AAEC/w==')), 'AAEC/w==');
    assert.equal(merkle.toHex(merkle.fromBase64('AAEC/w==')), '000102ff');
    assert.throws(() => merkle.fromBase64('not base64!'));
});

test('every leaf of trees of 1 to 70 leaves is proven; altered proofs are not', async () => {
    for (let size = 1; size <= 70; size++) {
        const leaves = Array.from({ length: size }, (_, i) => Buffer.from(`{"seq":${i + 1}}`));
        const root = mth(leaves);
        for (let index = 0; index < size; index++) {
            const leaf = await merkle.leafHash(leaves[index]);
            const proof = refPath(index, leaves);
            assert.ok(await merkle.verifyInclusion(index, size, leaf, proof, root), `leaf ${index} of ${size}`);
            if (size > 1) {
                assert.ok(!await merkle.verifyInclusion((index + 1) % size, size, leaf, proof, root), `wrong index ${index}/${size}`);
                const other = await merkle.leafHash(leaves[(index + 1) % size]);
                assert.ok(!await merkle.verifyInclusion(index, size, other, proof, root), `wrong leaf ${index}/${size}`);
                const altered = proof.map((h, i) => (i === proof.length - 1 ? Uint8Array.from(h, (x, j) => (j === 0 ? x ^ 1 : x)) : h));
                assert.ok(!await merkle.verifyInclusion(index, size, leaf, altered, root), `altered hash ${index}/${size}`);
                assert.ok(!await merkle.verifyInclusion(index, size, leaf, proof.slice(0, -1), root), `short proof ${index}/${size}`);
                assert.ok(!await merkle.verifyInclusion(index, size, leaf, [...proof, root], root), `long proof ${index}/${size}`);
            }
        }
    }
});

test('an index outside the tree has no root', async () => {
    const leaf = refLeaf([0]);
    assert.equal(await merkle.rootFromInclusionProof(3, 3, leaf, []), null);
    assert.equal(await merkle.rootFromInclusionProof(-1, 3, leaf, []), null);
    assert.equal(await merkle.rootFromInclusionProof(0, 0, leaf, []), null);
    assert.deepEqual(await merkle.rootFromInclusionProof(0, 1, leaf, []), leaf, 'a tree of one leaf: the leaf is the root');
});
