// The initial JavaScript download (the entry script and what index.html preloads), gzipped,
// stays under 300 KB; everything else is loaded per page.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { webRoot } from './harness.mjs';

test('initial JS under 300 KB gzipped', () => {
    const html = readFileSync(join(webRoot, 'index.html'), 'utf8');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script in index.html (CSP)');
    const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    assert.ok(files.length > 0, 'index.html loads no script');
    let total = 0;
    for (const f of files) total += gzipSync(readFileSync(join(webRoot, f))).length;
    const kb = total / 1024;
    console.log(`initial JS: ${files.length} files, ${kb.toFixed(1)} KB gzipped`);
    assert.ok(kb < 300, `initial JS is ${kb.toFixed(1)} KB gzipped`);
});
