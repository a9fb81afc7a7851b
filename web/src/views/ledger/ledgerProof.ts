import * as api from '@/api/client';
import { type NoteCheck, parseCheckpoint, verifyNote } from '@/utils/checkpoint';
import { fromBase64, leafHash, rootFromInclusionProof, sameBytes, toBase64 } from '@/utils/merkle';

/** What the browser found out about one audit event and a signed checkpoint. */
export interface ProofResult {
    entry: api.LedgerEntry;
    /** The exact bytes hashed (RFC 8785 JSON), as text. */
    leafText: string;
    /** SHA-256(0x00 ‖ leaf), computed here (base64). */
    computedLeafHash: string;
    /** It equals the server's `leaf_hash`. */
    leafHashOk: boolean;
    /** The leaf's `seq` is index + 1 (the event is the one asked for). */
    seqOk: boolean;
    checkpoint: api.LedgerCheckpoint;
    treeSize: number;
    /** The root written in the signed note (base64). */
    checkpointRoot: string;
    /** The inclusion proof (base64, leaf side first); null when the event came after the checkpoint. */
    proof: string[] | null;
    /** The root the proof leads to from the leaf hash computed here (base64), or null. */
    computedRoot: string | null;
    rootOk: boolean;
    signature: NoteCheck;
    /** Everything holds: the event is in the signed tree. */
    ok: boolean;
}

/**
 * Proves, in the browser, that leaf `index` (the audit event with seq index + 1) is in the tree
 * of the latest signed checkpoint: the leaf hash is computed from the leaf's bytes, the root
 * from it and the inclusion proof (RFC 9162 §2.1.3.2), and compared with the root in the
 * note, whose signature is checked with the ledger's public key.
 */
export async function proveInBrowser(index: number, status: api.LedgerStatus): Promise<ProofResult> {
    const checkpoint = status.latest_checkpoint;
    if (!checkpoint) throw new Error('no checkpoint');
    const body = parseCheckpoint(checkpoint.note);
    if (!body) throw new Error('not a checkpoint');
    const included = index < body.treeSize;
    const [entry, proof, signature] = await Promise.all([
        api.getLedgerEntry(index),
        included ? api.getInclusionProof(index, body.treeSize) : Promise.resolve(null),
        verifyNote(checkpoint.note, status.public_key),
    ]);

    const leaf = fromBase64(entry.leaf);
    const computedLeaf = await leafHash(leaf);
    const leafText = new TextDecoder().decode(leaf);
    let seqOk = false;
    try {
        seqOk = (JSON.parse(leafText) as { seq?: unknown }).seq === index + 1;
    } catch {
        seqOk = false;
    }
    const leafHashOk = sameBytes(computedLeaf, fromBase64(entry.leaf_hash));

    let computedRoot: Uint8Array | null = null;
    if (proof) {
        try {
            computedRoot = await rootFromInclusionProof(index, body.treeSize, computedLeaf, proof.hashes.map(fromBase64));
        } catch {
            computedRoot = null;  // a hash that is not base64
        }
    }
    const rootOk = computedRoot !== null && sameBytes(computedRoot, body.root);
    const signatureOk = signature === 'valid' || signature === 'unsupported';
    return {
        entry, leafText, computedLeafHash: toBase64(computedLeaf), leafHashOk, seqOk,
        checkpoint, treeSize: body.treeSize, checkpointRoot: toBase64(body.root),
        proof: proof?.hashes ?? null, computedRoot: computedRoot ? toBase64(computedRoot) : null, rootOk,
        signature, ok: leafHashOk && seqOk && rootOk && signatureOk,
    };
}
