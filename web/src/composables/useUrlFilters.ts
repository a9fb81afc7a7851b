import { reactive, watch } from 'vue';
import { type LocationQuery, type LocationQueryValue, useRoute, useRouter } from 'vue-router';

export type FilterValues<K extends string> = Record<K, string>;

/** A parameter of the address as one string ('' when absent; the first when repeated). */
export function queryText(v: LocationQueryValue | LocationQueryValue[] | undefined): string {
    const first = Array.isArray(v) ? v[0] : v;
    return typeof first === 'string' ? first : '';
}

/** The address with some parameters set, and those given as '' or undefined left out. */
export function withQuery(query: LocationQuery, changes: Record<string, string | undefined>): LocationQuery {
    const next: LocationQuery = { ...query };
    for (const [k, v] of Object.entries(changes)) {
        if (v) next[k] = v;
        else delete next[k];
    }
    return next;
}

function fromQuery<K extends string>(keys: readonly K[], query: LocationQuery): FilterValues<K> {
    const values = {} as FilterValues<K>;
    for (const k of keys) values[k] = queryText(query[k]);
    return values;
}

function same<K extends string>(keys: readonly K[], a: FilterValues<K>, b: FilterValues<K>): boolean {
    return keys.every((k) => a[k] === b[k]);
}

/**
 * A list page's filters kept in the address (`?q=…&status=…`), so that a reload, a link and
 * the browser's back and forward show the same list. `filters` are the inputs; `applied` the
 * filters of the list on screen, which `apply` takes from the inputs and writes to the
 * address with `router.replace` (one history entry per page, not one per search). A change of
 * the address from outside (back/forward, a menu link) refills the inputs. Each time the
 * applied filters are set, `onApply` runs (it loads the first page).
 */
export function useUrlFilters<K extends string>(keys: readonly K[], onApply: (applied: FilterValues<K>) => void) {
    const route = useRoute();
    const router = useRouter();
    const routeName = route.name;

    let applied = fromQuery(keys, route.query);
    const filters = reactive({ ...applied }) as FilterValues<K>;

    /** Applies the inputs (trimmed), writes them to the address, and reloads. */
    function apply() {
        const next = {} as FilterValues<K>;
        for (const k of keys) next[k] = filters[k].trim();
        Object.assign(filters, next);
        const changed = !same(keys, next, applied);
        applied = next;
        // Other parameters of the address stay; a cleared filter leaves it.
        if (changed) void router.replace({ query: withQuery(route.query, next) });
        onApply(applied);
    }

    /** Empties the inputs and applies. */
    function clear() {
        for (const k of keys) filters[k] = '';
        apply();
    }

    // Back/forward or a link to this page with other filters: follow the address. (Leaving
    // the page also changes the route; that is not ours to follow.)
    watch(() => route.query, (query) => {
        if (route.name !== routeName) return;
        const next = fromQuery(keys, query);
        if (same(keys, next, applied)) return;
        applied = next;
        Object.assign(filters, next);
        onApply(applied);
    });

    return { filters, apply, clear, applied: () => applied };
}
