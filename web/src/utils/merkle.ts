// Checks, in the browser and independently of the server's own verification, that an audit
// event is in the tamper-evident ledger (docs/ledger.md): the hashes of RFC 9162 §2.1 with
// Web Crypto's SHA-256, and the inclusion proof verification of RFC 9162 §2.1.3.2.

/** The bytes of a base64 text (standard alphabet, with padding). Throws on anything else. */
export function fromBase64(text: string): Uint8Array {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error('not base64');
    const binary = atob(text);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
}

export function toBase64(bytes: Uint8Array): string {
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary);
}

export function toHex(bytes: Uint8Array): string {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
    return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
    const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
        data.set(p, at);
        at += p.length;
    }
    return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
}

const kLeafPrefix = new Uint8Array([0x00]);
const kNodePrefix = new Uint8Array([0x01]);

/** RFC 9162 §2.1.1: the hash of a leaf, SHA-256(0x00 ‖ leaf). */
export function leafHash(leaf: Uint8Array): Promise<Uint8Array> {
    return sha256(kLeafPrefix, leaf);
}

/** RFC 9162 §2.1.1: the hash of an inner node, SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
    return sha256(kNodePrefix, left, right);
}

/**
 * RFC 9162 §2.1.3.2: the root that the inclusion proof `path` of leaf `index` in a tree of
 * `treeSize` leaves leads to, or null when the proof cannot be one (wrong length, index out of
 * the tree). The caller compares the result with the root it trusts.
 */
export async function rootFromInclusionProof(index: number, treeSize: number, leaf: Uint8Array,
                                             path: readonly Uint8Array[]): Promise<Uint8Array | null> {
    if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) {
        return null;
    }
    // Halving instead of bit shifts: JavaScript's shifts work on 32 bits.
    const lsb = (n: number) => n % 2 === 1;
    const half = (n: number) => Math.floor(n / 2);
    let fn = index;
    let sn = treeSize - 1;
    let r = leaf;
    for (const p of path) {
        if (sn === 0) return null;
        if (lsb(fn) || fn === sn) {
            r = await nodeHash(p, r);
            while (!lsb(fn) && fn !== 0) {
                fn = half(fn);
                sn = half(sn);
            }
        } else {
            r = await nodeHash(r, p);
        }
        fn = half(fn);
        sn = half(sn);
    }
    return sn === 0 ? r : null;
}

/** RFC 9162 §2.1.3.2: whether `path` proves leaf `index` (its hash `leaf`) under `root`. */
export async function verifyInclusion(index: number, treeSize: number, leaf: Uint8Array,
                                      path: readonly Uint8Array[], root: Uint8Array): Promise<boolean> {
    const computed = await rootFromInclusionProof(index, treeSize, leaf, path);
    return computed !== null && sameBytes(computed, root);
}
