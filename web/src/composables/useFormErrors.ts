import { reactive, ref } from 'vue';

import { splitError } from '@/utils/errors';

/**
 * The error and progress state of one form: a message per field (`fieldErrors`, beside the
 * field), one for the whole form (`formError`), and `busy` while its request runs. `submit`
 * runs the request; an error naming one of `fields` goes beside that field, any other above
 * the form. It returns the answer, or undefined when the request failed.
 */
export function useFormErrors(fields: readonly string[]) {
    const fieldErrors = reactive<Record<string, string>>({});
    const formError = ref('');
    const busy = ref(false);

    function reset() {
        for (const k of Object.keys(fieldErrors)) delete fieldErrors[k];
        formError.value = '';
    }

    function hasErrors(): boolean {
        return Object.keys(fieldErrors).length > 0 || formError.value !== '';
    }

    async function submit<T>(request: () => Promise<T>): Promise<T | undefined> {
        busy.value = true;
        try {
            return await request();
        } catch (e) {
            const { field, message } = splitError(e, fields);
            if (field) fieldErrors[field] = message;
            else formError.value = message;
            return undefined;
        } finally {
            busy.value = false;
        }
    }

    return { fieldErrors, formError, busy, reset, hasErrors, submit };
}
