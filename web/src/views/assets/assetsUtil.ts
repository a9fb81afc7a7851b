import { computed, ref } from 'vue';

import * as api from '@/api/client';
import { dateJst, unitPaths } from '@/views/org/orgUtil';

export const kAxes = ['confidentiality', 'integrity', 'availability'] as const;
export type Axis = (typeof kAxes)[number];
export const kAssetForms = ['electronic', 'paper', 'both'] as const;
export const kAssetStatuses = ['active', 'disposed'] as const;
export const kHostings = ['onprem', 'datacenter', 'cloud'] as const;
export const kSystemStatuses = ['in_use', 'planned', 'retired'] as const;
/** The register's sortable columns (the server's `sort`; a leading `-` for descending). */
export const kAssetSortKeys = ['asset_number', 'name', 'confidentiality', 'next_review_on', 'updated_at'] as const;
export type AssetSortKey = (typeof kAssetSortKeys)[number];
/** 棚卸し looks this many days ahead. */
export const kReviewWindowDays = 30;

/** `YYYY-MM-DD` plus `days` (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
    const d = new Date(date + 'T00:00:00Z');
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
}

/** Today in Japan plus `days`. */
export function jstDayFromToday(days: number): string {
    return addDays(dateJst(), days);
}

/** The same day one year later (29 February becomes 1 March). */
export function oneYearAfter(date: string): string {
    const d = new Date(date + 'T00:00:00Z');
    d.setUTCFullYear(d.getUTCFullYear() + 1);
    return d.toISOString().slice(0, 10);
}

/**
 * What the register pages look up to show names instead of keys: the classification scheme
 * and the zones of the policy in force (never hard-coded: a city may change its catalog), the
 * units (names need `org.read`; without it ids are shown) and, when asked, the systems.
 */
export function useRegisterRefs(opts: { systems?: boolean } = {}) {
    const scheme = ref<api.ClassificationScheme | null>(null);
    const zones = ref<api.Zone[]>([]);
    const units = ref<api.Unit[]>([]);
    const systems = ref<api.System[]>([]);
    const paths = computed(() => unitPaths(units.value));
    const activeUnits = computed(() => units.value.filter((u) => u.status === 'active'));

    /** Loads everything; throws when the policy cannot be read (units and systems are optional). */
    async function loadRefs(): Promise<void> {
        const [c, z, u, s] = await Promise.allSettled([
            api.getClassification(),
            api.getZones(),
            api.listUnits(),
            opts.systems ? api.listSystems() : Promise.resolve({ items: [] as api.System[], next_cursor: null }),
        ]);
        if (c.status === 'rejected') throw c.reason;
        if (z.status === 'rejected') throw z.reason;
        scheme.value = c.value;
        zones.value = z.value.zones;
        if (u.status === 'fulfilled') units.value = u.value.items;
        if (s.status === 'fulfilled') systems.value = s.value.items;
    }

    function axis(key: Axis): api.ClassificationAxis | undefined {
        return scheme.value?.axes.find((a) => a.key === key);
    }
    /** The axes of the scheme in force, in the usual order. */
    const axes = computed(() => kAxes.filter((k) => axis(k) !== undefined));
    function levels(key: Axis): api.ClassificationLevel[] {
        return axis(key)?.levels ?? [];
    }
    function levelName(key: Axis, level: string | null | undefined): string {
        if (!level) return '';
        return levels(key).find((l) => l.key === level)?.name ?? level;
    }
    function levelDefinition(key: Axis, level: string): string {
        return levels(key).find((l) => l.key === level)?.definition ?? '';
    }
    function zoneName(key: string | null | undefined): string {
        if (!key) return '';
        return zones.value.find((z) => z.key === key)?.name ?? key;
    }
    function unitName(id: string | null | undefined): string {
        if (!id) return '';
        return paths.value.get(id) ?? id;
    }
    function systemName(id: string | null | undefined): string {
        if (!id) return '';
        return systems.value.find((s) => s.id === id)?.name ?? id;
    }

    return {
        scheme, zones, units, systems, paths, activeUnits, axes,
        loadRefs, levels, levelName, levelDefinition, zoneName, unitName, systemName,
    };
}

export type RegisterRefs = ReturnType<typeof useRegisterRefs>;

/** The file's media type as the import routes take it: by its name (`.xlsx`), else CSV. */
export function importContentType(fileName: string): string {
    return /\.xlsx$/i.test(fileName) ? api.kXlsxType : 'text/csv';
}

/**
 * People's names for ids (manager, reviewer, who disposed of an asset): looked up once each;
 * without `org.read` (or for someone out of reach) the id stays.
 */
export function usePersonNames() {
    const names = ref<Record<string, string>>({});
    const asked = new Set<string>();
    async function lookUp(ids: (string | null | undefined)[]): Promise<void> {
        const todo = [...new Set(ids.filter((id): id is string => !!id && !asked.has(id)))];
        todo.forEach((id) => asked.add(id));
        await Promise.allSettled(todo.map(async (id) => {
            const p = await api.getPerson(id);
            names.value = { ...names.value, [id]: p.display_name };
        }));
    }
    function personName(id: string | null | undefined): string {
        if (!id) return '';
        return names.value[id] ?? id;
    }
    return { lookUp, personName };
}
