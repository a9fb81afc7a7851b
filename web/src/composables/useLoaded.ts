import { onMounted, ref, type Ref } from 'vue';

import { errorMessage } from '@/utils/errors';

/**
 * One answer a page shows: fetched when the page is mounted and again by `load`, with
 * `loading` meanwhile and the error as a message for the user. `load` returns the answer
 * (the previous one, or null, when the request failed).
 */
export function useLoaded<T>(fetch: () => Promise<T>, opts: { onMount?: boolean } = {}) {
    const data = ref(null) as Ref<T | null>;
    const loading = ref(true);
    const error = ref('');

    async function load(): Promise<T | null> {
        loading.value = true;
        try {
            data.value = await fetch();
            error.value = '';
        } catch (e) {
            error.value = errorMessage(e);
        } finally {
            loading.value = false;
        }
        return data.value;
    }

    if (opts.onMount ?? true) onMounted(load);
    return { data, loading, error, load };
}
