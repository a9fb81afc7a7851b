import { useI18n } from 'vue-i18n';
import type { RouteLocationRaw } from 'vue-router';

import * as api from '@/api/client';
import { useSessionStore } from '@/stores/session';
import { formatDate } from '@/utils/datetime';
import { standardLink } from '@/views/policy/policyUtil';

import { choiceLabel, type DateRange, isRefKind, type RefKind, type RequestRefs } from './requestsUtil';

/**
 * One piece of a shown value: text, a link within the app (an asset, a system, a 対策基準
 * item), a download (`href`: an attached file), or an id.
 */
export interface ValuePart { text: string; to?: RouteLocationRaw; href?: string; mono?: boolean }
/** One field of an application as a page shows it. */
export interface FormRow { key: string; label: string; parts: ValuePart[]; pre?: boolean; empty?: boolean }

const kRoutes: Partial<Record<RefKind, string>> = { asset: 'asset', system: 'system' };

/**
 * The values of an application's form as pages show them, by the type's fields: dates in the
 * user's language, choices by their labels, assets, systems, units and people by name (the
 * names the application carries, `refs.adopt`, else what the caller may read in the
 * registers; an asset or a system is a link only when the caller read it there), 対策基準
 * items as links to the reader, files by their names as downloads (`attachments`: the
 * application's files, as read; else the name the application gives). Used by the
 * application's page and the exceptions ledger, so both say the same thing the same way.
 */
export function useFieldValues(refs: RequestRefs, attachments: () => readonly api.Attachment[] = () => []) {
    const { t, locale } = useI18n();
    const session = useSessionStore();

    function refPart(kind: RefKind, id: string): ValuePart {
        const name = refs.label(kind, id);
        const route = kRoutes[kind];
        if (kind === 'control') return { text: name ?? id, to: standardLink(id) };
        if (route && name && refs.inRegister(kind, id) && session.can('assets.read')) {
            return { text: name, to: { name: route, params: { id } } };
        }
        return name ? { text: name } : { text: id, mono: true };
    }

    /** The value of a field (undefined: a key the type does not have), empty when not given. */
    function valueParts(f: api.RequestField | undefined, value: unknown): ValuePart[] {
        if (value === undefined || value === null || value === '' || (Array.isArray(value) && !value.length)) return [];
        if (!f) {
            // A key the type no longer has: a name when the application gives one for the value.
            if (typeof value === 'string') return [{ text: refs.givenName(value) ?? value }];
            return [{ text: JSON.stringify(value) }];
        }
        switch (f.type) {
        case 'boolean': return [{ text: value === true ? t('request.yes') : t('request.no') }];
        case 'date': return [{ text: formatDate(String(value), locale.value) }];
        case 'date_range': {
            const r = value as Partial<DateRange>;
            return [{ text: t('request.validityRange', { from: formatDate(r.from ?? '', locale.value), to: formatDate(r.to ?? '', locale.value) }) }];
        }
        case 'choice': return [{ text: choiceLabel(f, String(value)) }];
        case 'file': {
            const ids = Array.isArray(value) ? value.map(String) : [String(value)];
            return ids.map((id) => {
                const a = attachments().find((x) => x.id === id);
                if (a) return { text: a.filename, href: api.attachmentUrl(id) };
                const name = refs.givenName(id);
                return name ? { text: name, href: api.attachmentUrl(id) } : { text: id, mono: true };
            });
        }
        case 'asset': case 'system': case 'unit': case 'person': case 'control': {
            const ids = Array.isArray(value) ? value.map(String) : [String(value)];
            return ids.map((id) => refPart(f.type as RefKind, id));
        }
        default: return [{ text: String(value) }];
        }
    }

    /** Every field of the type in its order (a boolean not given is いいえ), then any key the type no longer has. */
    function formRows(fields: api.RequestField[], form: Record<string, unknown>): FormRow[] {
        const rows: FormRow[] = fields.map((f) => {
            const parts = valueParts(f, form[f.key]);
            if (f.type === 'boolean' && !parts.length) parts.push({ text: t('request.no') });
            return { key: f.key, label: f.label, parts, pre: f.type === 'long_text', empty: !parts.length };
        });
        for (const [key, value] of Object.entries(form)) {
            if (fields.some((f) => f.key === key)) continue;
            const parts = valueParts(undefined, value);
            rows.push({ key, label: key, parts, empty: !parts.length });
        }
        return rows;
    }

    return { valueParts, formRows };
}

/**
 * Looks up the names of what the form refers to (assets, systems, units, people, 対策基準
 * items) for many applications at once: each list is read once, then the ids it did not hold
 * one by one. Ids the caller may not read stay ids.
 */
export async function resolveFormNames(refs: RequestRefs, fields: api.RequestField[],
                                       forms: Record<string, unknown>[], extra: { kind: RefKind; ids: string[] }[] = []) {
    const byKind = new Map<RefKind, string[]>();
    const add = (kind: RefKind, ids: string[]) => byKind.set(kind, [...(byKind.get(kind) ?? []), ...ids]);
    for (const f of fields) {
        if (!isRefKind(f.type)) continue;
        for (const form of forms) {
            const v = form[f.key];
            const ids = Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : [];
            if (ids.length) add(f.type, ids);
        }
    }
    for (const x of extra) if (x.ids.length) add(x.kind, x.ids);
    // Many applications: read each whole list first (one request), then what is still unknown.
    if (forms.length > 1) {
        await Promise.allSettled([...byKind.keys()].filter((k) => k !== 'person').map((k) => refs.loadKind(k)));
    }
    await Promise.allSettled([...byKind].map(([kind, ids]) => refs.resolve(kind, ids)));
}
