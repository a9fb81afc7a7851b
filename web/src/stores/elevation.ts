import { defineStore } from 'pinia';
import { ref } from 'vue';

/**
 * The elevation dialog's state. The API client calls `request()` when an operation answers
 * 403 `elevation_required`; the dialog settles it: true once elevated, false when cancelled.
 * Calls that need elevation at the same time share one dialog.
 */
export const useElevationStore = defineStore('elevation', () => {
    const visible = ref(false);
    let pending: Promise<boolean> | null = null;
    let settle: ((ok: boolean) => void) | null = null;

    function request(): Promise<boolean> {
        if (pending) return pending;
        pending = new Promise<boolean>((resolve) => {
            settle = resolve;
        });
        visible.value = true;
        return pending;
    }

    function finish(ok: boolean): void {
        visible.value = false;
        const s = settle;
        pending = null;
        settle = null;
        s?.(ok);
    }

    return { visible, request, finish };
});
