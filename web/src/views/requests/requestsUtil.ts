import { reactive, ref, type Ref } from 'vue';

import * as api from '@/api/client';
import { i18n } from '@/i18n';
import { useSessionStore } from '@/stores/session';
import { errorMessage } from '@/utils/errors';
import { unitPaths } from '@/views/org/orgUtil';

export const kRequestStates: readonly api.RequestState[] =
    ['submitted', 'returned', 'approved', 'rejected', 'withdrawn', 'expired'];
/** The list page's three views: my applications, what awaits my approval, all I may see. */
export const kRequestViews = ['mine', 'inbox', 'all'] as const;
export type RequestView = (typeof kRequestViews)[number];

/** The field types that name an object of another register (a select fed by its list). */
export const kRefKinds = ['asset', 'system', 'unit', 'person', 'control'] as const;
export type RefKind = (typeof kRefKinds)[number];

export function isRefKind(type: api.RequestFieldType): type is RefKind {
    return (kRefKinds as readonly string[]).includes(type);
}

/**
 * The kinds a form picks through `GET /api/v1/lookup` (names only, for anyone who may apply),
 * not from the registers, which only some may read (docs/workflow.md, "Picking names in a form").
 */
export const kLookupKinds: readonly api.LookupKind[] = ['person', 'unit', 'system'];

export function isLookupKind(kind: RefKind): kind is RefKind & api.LookupKind {
    return (kLookupKinds as readonly string[]).includes(kind);
}

/** An option of a reference select. */
export interface RefOption {
    value: string;
    label: string;
    /** One line of context shown under the name (a person's unit, a unit's parent, a system's owner unit). */
    detail?: string;
    /** The asset's confidentiality level (to preview a `confidentiality_at_least` step). */
    confidentiality?: string;
}

const kPageSize = 200;
const kSearchSize = 50;
/** Matches of `lookup` asked at a time (the server's default). */
export const kLookupSize = 20;

function nodeOptions(items: api.PolicyControl[], out: RefOption[] = []): RefOption[] {
    for (const c of items) {
        out.push({ value: c.ref, label: `${c.ref} ${c.title}` });
        if (c.items) nodeOptions(c.items, out);
    }
    return out;
}

function assetOption(a: api.Asset): RefOption {
    return { value: a.id, label: `${a.asset_number} ${a.name}`, confidentiality: a.confidentiality };
}

function personOption(p: api.Person): RefOption {
    return { value: p.id, label: `${p.display_name} (${p.username})` };
}

/**
 * What a request form refers to (assets, systems, units, people, 対策基準 items): options for
 * the selects, and names for ids on the request's page.
 *
 * People, units and systems are picked through `lookup`, which anyone may ask. Assets and
 * 対策基準 items come from the caller's readable lists; a list the caller may not read (no
 * permission, or 403) is marked unavailable: the form then takes the id as text. Assets are
 * searched on the server when their list is longer than one page.
 *
 * Names come from the application itself first (`adopt`: its `names`, which name every id of
 * its form whatever the reader may read), then from what `lookup` answered, then from the
 * registers the caller may read (`resolve`); an id nobody named stays an id.
 */
export function useRequestRefs() {
    const session = useSessionStore();
    /** true: the list was read; false: the caller may not read it. Absent: not asked yet. */
    const available = reactive<Partial<Record<RefKind, boolean>>>({});
    /** The first page of each list (all of it for systems, units and 対策基準 items). */
    const lists = reactive<Partial<Record<RefKind, RefOption[]>>>({});
    /** Whether `lists[kind]` holds every entry (else the search asks the server). */
    const complete = reactive<Partial<Record<RefKind, boolean>>>({});
    /** Every label read from a register, by kind and id (also those found on their own, for the request's page). */
    const names = ref<Record<string, string>>({});
    /** Names by id from the application (`names`) and from `lookup`: shown before a register's label. */
    const given = ref<Record<string, string>>({});
    const levels = ref<Record<string, string>>({});
    const loading = new Map<RefKind, Promise<void>>();

    const kPermission: Record<RefKind, string | null> = {
        asset: 'assets.read', system: 'assets.read', unit: 'org.read', person: 'org.read', control: null,
    };

    function remember(kind: RefKind, options: RefOption[]) {
        const next = { ...names.value };
        for (const o of options) {
            next[`${kind}:${o.value}`] = o.label;
            if (o.confidentiality) levels.value = { ...levels.value, [o.value]: o.confidentiality };
        }
        names.value = next;
    }

    async function fetchList(kind: RefKind): Promise<{ options: RefOption[]; complete: boolean }> {
        switch (kind) {
        case 'asset': {
            const page = await api.listAssets({ status: 'active', limit: kPageSize });
            return { options: page.items.map(assetOption), complete: page.next_cursor === null };
        }
        case 'system': {
            const page = await api.listSystems();
            const zone = (s: api.System) => (s.zone_name ? `（${s.zone_name}）` : '');
            return {
                options: page.items.filter((s) => s.status !== 'retired').map((s) => ({ value: s.id, label: `${s.name}${zone(s)}` })),
                complete: true,
            };
        }
        case 'unit': {
            const page = await api.listUnits({ status: 'active' });
            const paths = unitPaths(page.items);
            return { options: page.items.map((u) => ({ value: u.id, label: paths.get(u.id) ?? u.name })), complete: true };
        }
        case 'person': {
            const page = await api.listPeople({ status: 'active', limit: kPageSize });
            return { options: page.items.map(personOption), complete: page.next_cursor === null };
        }
        case 'control': {
            const tree = await api.listPolicyControls();
            return { options: nodeOptions(tree.items), complete: true };
        }
        }
    }

    /** Reads the list of `kind` once; marks it unavailable without the permission or on 403/404. */
    function loadKind(kind: RefKind): Promise<void> {
        const known = loading.get(kind);
        if (known) return known;
        const p = (async () => {
            const permission = kPermission[kind];
            if (permission && !session.can(permission)) {
                available[kind] = false;
                return;
            }
            try {
                const { options, complete: all } = await fetchList(kind);
                lists[kind] = options;
                complete[kind] = all;
                available[kind] = true;
                remember(kind, options);
            } catch (e) {
                if (e instanceof api.ApiError && (e.status === 403 || e.status === 404)) {
                    available[kind] = false;
                    return;
                }
                loading.delete(kind);
                throw e;
            }
        })();
        loading.set(kind, p);
        return p;
    }

    /** Loads the lists a form's fields pick from (people, units and systems need none: they are looked up). */
    async function loadFor(fields: api.RequestField[]): Promise<void> {
        const kinds = new Set<RefKind>();
        for (const f of fields) {
            if (!isRefKind(f.type)) continue;
            if (isLookupKind(f.type)) available[f.type] = true;
            else kinds.add(f.type);
        }
        await Promise.all([...kinds].map(loadKind));
    }

    /** Names an application carries for the ids of its form (`names` of `GET /api/v1/requests/{id}`). */
    function adopt(known: Record<string, string> | undefined) {
        if (known && Object.keys(known).length) given.value = { ...given.value, ...known };
    }

    /** Matches of `lookup` (thrown errors are the caller's to show). */
    async function lookup(kind: api.LookupKind, query: string): Promise<RefOption[]> {
        const q = query.trim();
        const page = await api.lookup({ kind, q: q || undefined, limit: kLookupSize });
        const found = page.items.map((i) => ({ value: i.id, label: i.name, detail: i.detail || undefined }));
        adopt(Object.fromEntries(found.map((o) => [o.value, o.label])));
        return found;
    }

    /**
     * Options matching `query`: people, units and systems from `lookup`; otherwise from the list
     * when it is whole, else from the server.
     */
    async function search(kind: RefKind, query: string): Promise<RefOption[]> {
        if (isLookupKind(kind)) return lookup(kind, query);
        const all = lists[kind] ?? [];
        const q = query.trim();
        if (!q) return all;
        if (complete[kind] !== false) {
            const needle = q.toLowerCase();
            return all.filter((o) => o.label.toLowerCase().includes(needle) || o.value === q);
        }
        try {
            let found: RefOption[] = [];
            if (kind === 'asset') {
                found = (await api.listAssets({ q, status: 'active', limit: kSearchSize })).items.map(assetOption);
            }
            remember(kind, found);
            return found;
        } catch {
            return [];
        }
    }

    /**
     * Looks up in the registers the names of ids not seen yet (for the request's page);
     * unreadable ones stay ids. Assets and systems are read even when the application named
     * them (their pages are linked only when the caller may read them); people, units and
     * 対策基準 items it named are not.
     */
    async function resolve(kind: RefKind, ids: string[]): Promise<void> {
        const todo = [...new Set(ids.filter((id) => id && names.value[`${kind}:${id}`] === undefined &&
            (kind === 'asset' || kind === 'system' || given.value[id] === undefined)))];
        if (!todo.length) return;
        if (kind === 'unit' || kind === 'control') {
            try {
                await loadKind(kind);
            } catch {
                // The ids stay.
            }
            return;
        }
        const permission = kPermission[kind];
        if (permission && !session.can(permission)) return;
        await Promise.allSettled(todo.map(async (id) => {
            let option: RefOption;
            if (kind === 'asset') option = assetOption(await api.getAsset(id));
            else if (kind === 'system') option = { value: id, label: (await api.getSystem(id)).name };
            else option = personOption(await api.getPerson(id));
            remember(kind, [option]);
        }));
    }

    /** The name of an id, or undefined when it is not known (the page then shows the id). */
    function label(kind: RefKind, id: string): string | undefined {
        return given.value[id] ?? names.value[`${kind}:${id}`];
    }

    /** Whether the caller read the id in its register (so its page may be linked). */
    function inRegister(kind: RefKind, id: string): boolean {
        return names.value[`${kind}:${id}`] !== undefined;
    }

    /** A name the application or `lookup` gave an id of any kind (an attached file too). */
    function givenName(id: string): string | undefined {
        return given.value[id];
    }

    /** The confidentiality level of an asset, when its list or page was read. */
    function assetLevel(id: string): string | undefined {
        return levels.value[id];
    }

    return {
        available, lists, complete, loadKind, loadFor, adopt, search, resolve, label, inRegister, givenName, assetLevel,
    };
}

export type RequestRefs = ReturnType<typeof useRequestRefs>;

// ---- the form's values

export interface DateRange { from: string; to: string }
/** A field's value while it is edited: text for text, dates, numbers and choices. */
export type FieldValue = string | boolean | string[] | DateRange;
export type FormValues = Record<string, FieldValue>;

/** The empty value of a field (the input's own). */
export function emptyValue(field: api.RequestField): FieldValue {
    if (field.type === 'boolean') return false;
    if (field.type === 'date_range') return { from: '', to: '' };
    // Files are always a list while edited (the ids of the uploads); one or none for a single file.
    if (field.multiple || field.type === 'file') return [];
    return '';
}

/** A submitted value as the form edits it (for a resubmission). */
export function editValue(field: api.RequestField, value: unknown): FieldValue {
    if (value === undefined || value === null) return emptyValue(field);
    if (field.type === 'boolean') return value === true;
    if (field.type === 'date_range') {
        const r = value as Partial<DateRange>;
        return { from: typeof r.from === 'string' ? r.from : '', to: typeof r.to === 'string' ? r.to : '' };
    }
    if (field.multiple || field.type === 'file') {
        return Array.isArray(value) ? value.map(String) : value === '' ? [] : [String(value)];
    }
    return String(value);
}

/** The ids typed in a text input (when the list cannot be read): separated by commas, 、 or spaces. */
export function splitIds(text: string): string[] {
    return text.split(/[\s,、，]+/).map((s) => s.trim()).filter(Boolean);
}

/** Characters as the server counts them (code points, not UTF-16 units). */
export function charCount(text: string): number {
    return [...text].length;
}

/** Days from `from` to `to`, both included (calendar days). */
export function daysInRange(from: string, to: string): number {
    const a = Date.parse(from + 'T00:00:00Z');
    const b = Date.parse(to + 'T00:00:00Z');
    return Math.round((b - a) / 86_400_000) + 1;
}

function isEmpty(field: api.RequestField, value: FieldValue | undefined): boolean {
    if (value === undefined) return true;
    if (field.type === 'boolean') return false;
    if (field.type === 'date_range') {
        const r = value as DateRange;
        return !r.from && !r.to;
    }
    if (Array.isArray(value)) return value.length === 0;
    return String(value).trim() === '';
}

/** The JSON value of a field for the API, or undefined to leave it out (an empty optional field). */
export function payloadValue(field: api.RequestField, value: FieldValue | undefined): unknown {
    if (field.type === 'boolean') return value === true;
    if (isEmpty(field, value)) return undefined;
    // The upload ids: a list for a `multiple` field, else the one id.
    if (field.type === 'file') return field.multiple ? [...(value as string[])] : (value as string[])[0];
    if (field.type === 'date_range') return { ...(value as DateRange) };
    if (field.type === 'number') return Number(String(value).trim());
    if (Array.isArray(value)) return [...value];
    return typeof value === 'string' && field.type !== 'long_text' ? value.trim() : value;
}

/** The form as the API takes it. */
export function formPayload(fields: api.RequestField[], values: FormValues): Record<string, unknown> {
    const form: Record<string, unknown> = {};
    for (const f of fields) {
        const v = payloadValue(f, values[f.key]);
        if (v !== undefined) form[f.key] = v;
    }
    return form;
}

/**
 * What the browser can check before sending, as the server would (docs/policy-catalog.md,
 * "Fields"): required, lengths, whole numbers within their limits, a period whose last day is
 * not before its first and, for the type's validity field, not longer than `max_days`. The
 * first problem of each field, by its key.
 */
export function checkForm(type: api.RequestType, values: FormValues): Record<string, string> {
    const t = i18n.global.t;
    const problems: Record<string, string> = {};
    for (const f of type.fields) {
        const v = values[f.key];
        const name = f.label;
        if (isEmpty(f, v)) {
            if (f.required && f.type === 'file') {
                problems[f.key] = t('requestForm.check.attach', { field: name });
            } else if (f.required) {
                const choose = ['choice', 'asset', 'system', 'unit', 'person', 'control'].includes(f.type);
                problems[f.key] = f.type === 'date_range' ? t('requestForm.check.rangeBoth', { field: name })
                    : t(choose ? 'requestForm.check.choose' : 'requestForm.check.required', { field: name });
            }
            continue;
        }
        if (f.type === 'text' || f.type === 'long_text') {
            const max = f.max_length ?? (f.type === 'text' ? 200 : 4000);
            if (charCount(String(v)) > max) problems[f.key] = t('requestForm.check.tooLong', { field: name, n: max });
        } else if (f.type === 'number') {
            const text = String(v).trim();
            if (!/^-?\d+$/.test(text)) {
                problems[f.key] = t('requestForm.check.integer', { field: name });
            } else if (f.min !== undefined && Number(text) < f.min) {
                problems[f.key] = t('requestForm.check.min', { field: name, n: f.min });
            } else if (f.max !== undefined && Number(text) > f.max) {
                problems[f.key] = t('requestForm.check.max', { field: name, n: f.max });
            }
        } else if (f.type === 'date_range') {
            const r = v as DateRange;
            if (!r.from || !r.to) {
                problems[f.key] = t('requestForm.check.rangeBoth', { field: name });
            } else if (r.to < r.from) {
                problems[f.key] = t('requestForm.check.rangeOrder', { field: name });
            } else if (type.validity?.field === f.key && type.validity.max_days &&
                       daysInRange(r.from, r.to) > type.validity.max_days) {
                problems[f.key] = t('requestForm.check.rangeMax', { field: name, n: type.validity.max_days });
            }
        }
    }
    return problems;
}

/**
 * The message of an API error for the field it names: the server's own sentence, which names
 * the field by its Japanese label (「持ち出しの目的を入力してください」), in Japanese; in
 * English the UI's text for the code.
 */
export function fieldErrorMessage(e: unknown): string {
    if (e instanceof api.ApiError && e.message && i18n.global.locale.value === 'ja' && e.status === 400) return e.message;
    return errorMessage(e);
}

/**
 * A refused submission shown where it belongs: beside its field when the form has that field
 * (and 「入力内容を確かめてください」 above the form; returns true, so that the caller may focus
 * it), otherwise above the form (returns false).
 */
export function showSubmitError(e: unknown, fields: readonly string[], fieldErrors: Record<string, string>,
                                formError: Ref<string>): boolean {
    const field = e instanceof api.ApiError ? e.field : undefined;
    if (field && fields.includes(field)) {
        fieldErrors[field] = fieldErrorMessage(e);
        formError.value = i18n.global.t('requestForm.check.fix');
        return true;
    }
    formError.value = fieldErrorMessage(e);
    return false;
}

// ---- the approval chain's preview

/** Whether a step's `when` holds for the form as filled in (null: cannot tell yet). */
export function whenHolds(step: api.RequestChainStep, type: api.RequestType, values: FormValues,
                          rank: (level: string) => number | undefined, assetLevel: (id: string) => string | undefined):
    boolean | null {
    const w = step.when;
    if (!w?.field) return true;
    const field = type.fields.find((f) => f.key === w.field);
    if (!field) return null;
    const v = values[w.field];
    if (w.confidentiality_at_least !== undefined) {
        if (typeof v !== 'string' || !v) return null;
        const level = assetLevel(v);
        const have = level ? rank(level) : undefined;
        const need = rank(w.confidentiality_at_least);
        if (have === undefined || need === undefined) return null;
        return have >= need;
    }
    if (isEmpty(field, v)) return field.type === 'boolean' ? false : null;
    const text = field.type === 'boolean' ? String(v === true) : String(v);
    if (w.equals !== undefined) return text === w.equals;
    if (w.in) return w.in.includes(text);
    return null;
}

/** The label of a choice's value, else the value. */
export function choiceLabel(field: api.RequestField | undefined, value: string): string {
    return field?.options?.find((o) => o.value === value)?.label ?? value;
}
