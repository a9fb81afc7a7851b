import { reactive, ref, type Ref } from 'vue';

import { errorMessage, splitError } from '@/utils/errors';

/** One page of a list as the API answers it. */
export interface CursorPage<T> {
    items: T[];
    next_cursor: string | null;
}

/**
 * Cursor paging for a list page: remembers the cursor of every page seen so far, so that
 * "次へ" moves forward and "最初へ" returns to the newest page. `fetchPage` asks the API for
 * the page that starts at `cursor` (undefined = the first page). A 400 naming one of
 * `fields` is shown beside that filter; any other error in `error`.
 */
export function useCursorPages<T>(
    fetchPage: (cursor: string | undefined) => Promise<CursorPage<T>>,
    fields: readonly string[],
    initiallyLoading = false,
) {
    const cursors = ref<(string | undefined)[]>([undefined]);
    const page = ref(0);
    const items = ref([]) as Ref<T[]>;
    const nextCursor = ref<string | null>(null);
    const loading = ref(initiallyLoading);
    const error = ref('');
    const fieldErrors = reactive<Record<string, string>>({});

    async function load() {
        loading.value = true;
        error.value = '';
        for (const k of Object.keys(fieldErrors)) delete fieldErrors[k];
        try {
            const res = await fetchPage(cursors.value[page.value]);
            items.value = res.items;
            nextCursor.value = res.next_cursor;
        } catch (e) {
            const { field } = splitError(e, fields);
            if (field) fieldErrors[field] = errorMessage(e);
            else error.value = errorMessage(e);
            items.value = [];
            nextCursor.value = null;
        } finally {
            loading.value = false;
        }
    }

    /** Back to the first page (after the filters changed). */
    function restart() {
        cursors.value = [undefined];
        page.value = 0;
        void load();
    }

    function next() {
        if (!nextCursor.value) return;
        cursors.value = [...cursors.value.slice(0, page.value + 1), nextCursor.value];
        page.value += 1;
        void load();
    }

    function first() {
        page.value = 0;
        void load();
    }

    return { page, items, nextCursor, loading, error, fieldErrors, load, restart, next, first };
}
