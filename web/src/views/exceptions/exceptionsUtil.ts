import type * as api from '@/api/client';

import { isRefKind, type RefKind } from '@/views/requests/requestsUtil';

/** The kinds of field that say what an exception covers (対象): units, systems, assets. */
export const kScopeKinds: readonly RefKind[] = ['unit', 'system', 'asset'];

/**
 * A column of the ledger drawn from the exception type's fields (docs/workflow.md: the ledger
 * holds everything the request holds, "as the exception type's fields say"):
 * - `control`: the 対策基準 item(s) departed from (fields of type `control`);
 * - `scope`: every unit, system and asset field, together in one column (対象);
 * - `field`: any other field, by its label (the reason, the compensating measures, …).
 * Files and the validity period are not columns (the period is the ledger's own 有効期間), nor
 * are yes/no fields (the emergency flag): those that hold show as marks by the title
 * (`flagFields`), where they are seen without scrolling.
 */
export interface LedgerColumn {
    key: string;
    kind: 'control' | 'scope' | 'field';
    /** The field's label; empty for `scope` (the page names that column). */
    label: string;
    fields: api.RequestField[];
}

/** The fields of the exception types, by key (the first type that has a key gives its label). */
export function exceptionFields(types: api.RequestType[]): api.RequestField[] {
    const seen = new Map<string, api.RequestField>();
    for (const ty of types) {
        for (const f of ty.fields) {
            if (f.type === 'file' || ty.validity?.field === f.key || seen.has(f.key)) continue;
            seen.set(f.key, f);
        }
    }
    return [...seen.values()];
}

/** The ledger's columns for those fields, in the catalog's order (対象 where its first field is). */
export function ledgerColumns(fields: api.RequestField[]): LedgerColumn[] {
    const columns: LedgerColumn[] = [];
    let scope: LedgerColumn | null = null;
    for (const f of fields) {
        if (f.type === 'boolean') continue;
        if (isRefKind(f.type) && kScopeKinds.includes(f.type)) {
            if (!scope) {
                scope = { key: 'scope', kind: 'scope', label: '', fields: [] };
                columns.push(scope);
            }
            scope.fields.push(f);
        } else {
            columns.push({ key: f.key, kind: f.type === 'control' ? 'control' : 'field', label: f.label, fields: [f] });
        }
    }
    return columns;
}

/** The yes/no fields (such as 緊急時の事後報告), shown as a mark when they hold. */
export function flagFields(fields: api.RequestField[]): api.RequestField[] {
    return fields.filter((f) => f.type === 'boolean');
}

/** Whether a form value is empty (not given). */
export function isEmptyValue(value: unknown): boolean {
    return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Whether the exception is in force (approved; an expired one is kept in the ledger). */
export function inForce(e: api.ExceptionEntry): boolean {
    return e.state === 'approved';
}

/** Whether its latest review ended it: today is its last valid day (it expires tomorrow). */
export function endedByReview(e: api.ExceptionEntry): boolean {
    return inForce(e) && e.reviews[0]?.result === 'end';
}

/** Whether a review can still be recorded: in force and not already ended by a review. */
export function reviewable(e: api.ExceptionEntry): boolean {
    return inForce(e) && !endedByReview(e);
}
