import { ApiError } from '@/api/client';
import { i18n } from '@/i18n';

/**
 * A readable message for an error, in the current language: the UI's own text for codes it
 * knows, else the server's message (Japanese, written for people), else a generic one.
 */
export function errorMessage(e: unknown): string {
    const t = i18n.global.t;
    const te = i18n.global.te;
    if (!(e instanceof ApiError)) return t('errors.unknown');
    if (e.code === 'password_policy') return t('errors.password_policy', { detail: e.message });
    const key = 'errors.' + e.code;
    // te() with the key typed loosely: codes come from the server.
    if (te(key as never)) return t(key as never);
    if (e.message) return e.message;
    return t('errors.unknown');
}

/** The field an error belongs to (`details.field`), if any. */
export function errorField(e: unknown): string | undefined {
    return e instanceof ApiError ? e.field : undefined;
}

/**
 * Splits an error into a message for a form field (when the field is one of `fields`) or a
 * message for the whole form.
 */
export function splitError(e: unknown, fields: readonly string[]):
    { field: string | undefined; message: string } {
    const field = errorField(e);
    return { field: field && fields.includes(field) ? field : undefined, message: errorMessage(e) };
}
