// Signed checkpoints of the ledger (docs/ledger.md §3), read and checked in the browser: the
// C2SP tlog-checkpoint body (origin, tree size, root hash) and the C2SP signed note's
// Ed25519 signature, with the verifier key text of Go's sumdb/note (`name+keyid+base64(0x01‖key)`).

import { fromBase64, sameBytes } from './merkle';

/** The body of a checkpoint: the signed note's text before the blank line. */
export interface CheckpointBody {
    origin: string;
    treeSize: number;
    root: Uint8Array;
}

/** Origin, tree size and root hash of a checkpoint note; null when it is not one. */
export function parseCheckpoint(note: string): CheckpointBody | null {
    const lines = note.split('\n');
    if (lines.length < 3 || !/^[0-9]+$/.test(lines[1] ?? '')) return null;
    try {
        const root = fromBase64(lines[2] ?? '');
        if (root.length !== 32) return null;
        return { origin: lines[0] ?? '', treeSize: Number(lines[1]), root };
    } catch {
        return null;
    }
}

/**
 * `valid`: the note carries a signature by the key and it verifies; `invalid`: it does not;
 * `no_signature`: no signature line of this key; `bad_key`: the key text is not one;
 * `unsupported`: this browser's Web Crypto has no Ed25519.
 */
export type NoteCheck = 'valid' | 'invalid' | 'no_signature' | 'bad_key' | 'unsupported';

async function keyId(name: string, key: Uint8Array): Promise<Uint8Array> {
    const nameBytes = new TextEncoder().encode(name + '\n');
    const data = new Uint8Array(nameBytes.length + key.length);
    data.set(nameBytes);
    data.set(key, nameBytes.length);
    return new Uint8Array(await crypto.subtle.digest('SHA-256', data)).slice(0, 4);
}

/** Checks the signature of `verifierKey` on a signed note. */
export async function verifyNote(note: string, verifierKey: string): Promise<NoteCheck> {
    // The name has no '+'; the key's base64 may.
    const parts = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(verifierKey.trim());
    if (!parts) return 'bad_key';
    const [, name, idHex, keyText] = parts as unknown as [string, string, string, string];
    let key: Uint8Array;
    try {
        key = fromBase64(keyText);
    } catch {
        return 'bad_key';
    }
    if (key.length !== 33 || key[0] !== 0x01) return 'bad_key';
    const id = Uint8Array.from(idHex.match(/../g)!.map((h) => parseInt(h, 16)));
    if (!sameBytes(await keyId(name, key), id)) return 'bad_key';

    // The text ends at the blank line; each signature line is "— name base64(keyid ‖ signature)".
    const end = note.indexOf('\n\n');
    if (end < 0) return 'no_signature';
    const text = new TextEncoder().encode(note.slice(0, end + 1));
    for (const line of note.slice(end + 2).split('\n')) {
        const m = /^\u2014 (\S+) (\S+)$/.exec(line);
        if (!m || m[1] !== name) continue;
        let sig: Uint8Array;
        try {
            sig = fromBase64(m[2]!);
        } catch {
            continue;
        }
        if (sig.length !== 68 || !sameBytes(sig.slice(0, 4), id)) continue;
        try {
            const publicKey = await crypto.subtle.importKey('raw', key.slice(1), { name: 'Ed25519' }, false, ['verify']);
            return await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, sig.slice(4), text) ? 'valid' : 'invalid';
        } catch {
            return 'unsupported';
        }
    }
    return 'no_signature';
}
