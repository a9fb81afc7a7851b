import type { Unit } from '@/api/client';

/** Each unit's path (総務部 / 情報政策課), for selects and lists; the list comes in tree order. */
export function unitPaths(units: Unit[]): Map<string, string> {
    const byId = new Map(units.map((u) => [u.id, u]));
    const paths = new Map<string, string>();
    for (const u of units) {
        const names: string[] = [u.name];
        let p = u.parent_id ? byId.get(u.parent_id) : undefined;
        while (p) {
            names.unshift(p.name);
            p = p.parent_id ? byId.get(p.parent_id) : undefined;
        }
        paths.set(u.id, names.join(' / '));
    }
    return paths;
}

/** The day in Japan (the city's calendar) of a moment (default: now), as `YYYY-MM-DD`. */
export function dateJst(at: Date = new Date()): string {
    return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' })
        .format(at);
}

/** Today in Japan, as `YYYY-MM-DD`. */
export function todayJst(): string {
    return dateJst();
}

export const kEmploymentTypes = ['regular', 'fiscal_year', 'contractor', 'other'] as const;
export const kPersonStatuses = ['active', 'suspended', 'left'] as const;
