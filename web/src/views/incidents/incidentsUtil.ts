import { ref } from 'vue';

import * as api from '@/api/client';
import { dateJst } from '@/views/org/orgUtil';

/** The board's columns, in the order of the lifecycle (a duplicate is not a column). */
export const kBoardStates: readonly api.IncidentState[] =
    ['reported', 'accepted', 'responding', 'investigating', 'preventing', 'closed'];
export const kIncidentStates: readonly api.IncidentState[] = [...kBoardStates, 'duplicate'];

/** Whether the incident is still being handled (neither 完了 nor 重複). */
export function isOpen(i: Pick<api.Incident, 'state'>): boolean {
    return i.state !== 'closed' && i.state !== 'duplicate';
}

/** The kinds of timeline entry anyone who reads the incident may add. */
export const kReaderKinds: readonly api.IncidentManualKind[] = ['note', 'action'];
/** The kinds a holder of incidents.manage adds as well. */
export const kManagerKinds: readonly api.IncidentManualKind[] =
    ['note', 'action', 'decision', 'contact', 'outside_report', 'correction'];

/** What must be written before entering a state (the server checks the same: 400 missing_field). */
export type TransitionField = 'severity' | 'containment' | 'cause' | 'recurrence_prevention' | 'comment' | 'duplicate_of';
export function transitionFields(from: api.IncidentState, to: api.IncidentState): TransitionField[] {
    if (to === 'accepted') return ['severity'];
    if (to === 'investigating') return ['containment'];
    if (to === 'preventing') return ['cause'];
    if (to === 'closed') return ['cause', 'recurrence_prevention'];
    if (to === 'duplicate') return ['duplicate_of'];
    if (to === 'responding' && from === 'closed') return ['comment'];
    return [];
}

// ---- severities: a colour by rank (lowest 0); the word is always shown

/** The severity's position among the rules' severities (lowest 0), -1 when not triaged or unknown. */
export function severityRank(rules: api.IncidentRules | null, key: string): number {
    if (!rules || !key) return -1;
    return rules.severities.findIndex((s) => s.key === key);
}

/** A CSS class for the severity: `sev-none`, `sev-0` … `sev-3` (the highest ranks share `sev-3`). */
export function severityClass(rules: api.IncidentRules | null, key: string): string {
    const rank = severityRank(rules, key);
    if (rank < 0) return key ? 'sev-1' : 'sev-none';
    const n = rules?.severities.length ?? 4;
    // Spread the catalog's levels over the four colours, the highest always the darkest.
    const step = n <= 1 ? 3 : Math.round((rank * 3) / (n - 1));
    return `sev-${Math.min(3, Math.max(0, step))}`;
}

// ---- times: the city works in JST whatever the browser's zone

/** Now in Japan as `YYYY-MM-DDTHH:MM` (the value of a datetime-local input). */
export function nowJstLocal(at: Date = new Date()): string {
    const parts = new Intl.DateTimeFormat('en-CA', {
        timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
        hourCycle: 'h23',
    }).formatToParts(at);
    const p = (type: string) => parts.find((x) => x.type === type)?.value ?? '';
    return `${p('year')}-${p('month')}-${p('day')}T${p('hour')}:${p('minute')}`;
}

/** A time given in the city's time (datetime-local, JST) as the API takes it: with its offset. */
export function jstLocalToApi(local: string): string {
    return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local) ? `${local}+09:00` : local;
}

/** An RFC 3339 time as the value of a datetime-local input in JST (`""` for none). */
export function apiToJstLocal(ts: string): string {
    if (!ts) return '';
    const d = new Date(ts);
    return Number.isNaN(d.getTime()) ? '' : nowJstLocal(d);
}

/** The fiscal year (年度, April to March) a day in Japan belongs to, by the year it starts in. */
export function fiscalYearOf(date: string = dateJst()): number {
    const [y, m] = date.split('-').map(Number);
    return m >= 4 ? y : y - 1;
}

// ---- the rules, read once per page load (they change only with a new catalog version)

let rulesPromise: Promise<api.IncidentRules> | null = null;

/** The incident rules, shared by every page (a failure is retried at the next call). */
export function loadIncidentRules(): Promise<api.IncidentRules> {
    if (!rulesPromise) {
        rulesPromise = api.getIncidentRules();
        rulesPromise.catch(() => { rulesPromise = null; });
    }
    return rulesPromise;
}

/** The rules as a ref for a component, with the error when they could not be read. */
export function useIncidentRules() {
    const rules = ref<api.IncidentRules | null>(null);
    const rulesError = ref<unknown>(null);
    const ready = loadIncidentRules().then((r) => { rules.value = r; return r; })
        .catch((e: unknown) => { rulesError.value = e; return null; });
    return { rules, rulesError, ready };
}

/** The name of a category key by the rules (else the key). */
export function categoryName(rules: api.IncidentRules | null, key: string): string {
    return rules?.categories.find((c) => c.key === key)?.name ?? key;
}

/** The first 12 characters of a SHA-256, for lists (the full hash is shown beside it on request). */
export function shortHash(sha: string): string {
    return sha.slice(0, 12);
}
