import type { RouteLocationRaw } from 'vue-router';

import type * as api from '@/api/client';
import { todayJst } from '@/views/org/orgUtil';

/** One entry of the reader's table of contents: an item of 第1章 or a node of 第2章. */
export interface TocNode {
    /** `b:2(1)` for 第1章, `s:8-2(6)` for 第2章 (the two chapters number their items alike). */
    key: string;
    ref: string;
    title: string;
    /** Where its link goes; a heading without a page of its own has none. */
    to?: RouteLocationRaw;
    children: TocNode[];
}

/** The parameters of the address that stay when moving inside the reader. */
export interface ReaderQuery {
    version?: string;
    q?: string;
}

function cleanQuery(q: ReaderQuery): Record<string, string> {
    const out: Record<string, string> = {};
    if (q.version) out.version = q.version;
    if (q.q) out.q = q.q;
    return out;
}

/** The reader at an item of 第2章 (`ref` empty: the overview). */
export function standardLink(ref: string, query: ReaderQuery = {}): RouteLocationRaw {
    return { name: 'policy', params: ref ? { ref } : {}, query: cleanQuery(query) };
}

/** The reader at an item of 第1章 (`ref` empty: the whole chapter). */
export function basicLink(ref: string, query: ReaderQuery = {}): RouteLocationRaw {
    return { name: 'policy-basic', params: ref ? { ref } : {}, query: cleanQuery(query) };
}

export function basicToc(items: api.BasicPolicyItem[], query: ReaderQuery): TocNode[] {
    return items.map((b) => ({
        key: `b:${b.ref}`, ref: b.ref, title: b.title, to: basicLink(b.ref, query),
        children: basicToc(b.items, query),
    }));
}

export function standardToc(items: api.PolicyControl[], query: ReaderQuery): TocNode[] {
    return items.map((c) => ({
        key: `s:${c.ref}`, ref: c.ref, title: c.title, to: standardLink(c.ref, query),
        children: standardToc(c.items ?? [], query),
    }));
}

/** Every node of a tree by its ref. */
export function indexByRef<T extends { ref: string; items?: T[] }>(items: T[], into = new Map<string, T>()): Map<string, T> {
    for (const item of items) {
        into.set(item.ref, item);
        if (item.items) indexByRef(item.items, into);
    }
    return into;
}

/** The leaves (requirements) of a subtree. */
export function countLeaves(items: api.PolicyControl[]): number {
    return items.reduce((n, c) => n + (c.leaf ? 1 : countLeaves(c.items ?? [])), 0);
}

/** The keys of every node that has children (to open a whole search result). */
export function branchKeys(nodes: TocNode[], into: string[] = []): string[] {
    for (const n of nodes) {
        if (n.children.length) {
            into.push(n.key);
            branchKeys(n.children, into);
        }
    }
    return into;
}

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * 第1章 searched in the browser as the server searches 第2章: the items whose ref, title or
 * text contains `q`, with the path down to them; an item that matches keeps its sub-items.
 */
export function searchBasic(items: api.BasicPolicyItem[], q: string): api.BasicPolicyItem[] {
    const needle = asciiLower(q);
    const out: api.BasicPolicyItem[] = [];
    for (const b of items) {
        const self = [b.ref, b.title, b.text, b.closing].some((s) => asciiLower(s).includes(needle));
        const children = self ? b.items : searchBasic(b.items, q);
        if (self || children.length) out.push({ ...b, items: children });
    }
    return out;
}

/** Paragraphs of a verbatim text (separated by blank lines); single line breaks stay. */
export function paragraphs(text: string): string[] {
    return text.split(/\n\s*\n/).map((p) => p.replace(/\s+$/, '')).filter((p) => p.length > 0);
}

export type VersionState = 'in_force' | 'upcoming' | 'superseded';

/** Versions come into force on a date in JST. */
export function versionState(v: api.PolicyVersion): VersionState {
    if (v.in_force) return 'in_force';
    return v.effective_date > todayJst() ? 'upcoming' : 'superseded';
}
