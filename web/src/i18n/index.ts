import { createI18n } from 'vue-i18n';

import en from './en';
import ja, { type MessageSchema } from './ja';

export type Locale = 'ja' | 'en';
export const kLocales: readonly Locale[] = ['ja', 'en'];
const kStorageKey = 'mamori.locale';

function initialLocale(): Locale {
    try {
        const saved = localStorage.getItem(kStorageKey);
        if (saved === 'ja' || saved === 'en') return saved;
    } catch {
        // Storage may be unavailable (private mode); Japanese is the default.
    }
    return 'ja';
}

export const i18n = createI18n<[MessageSchema], Locale, false>({
    legacy: false,
    locale: initialLocale(),
    fallbackLocale: 'ja',
    messages: { ja, en },
});

/** Switches the language, remembers it, and keeps <html lang> in step. */
export function setLocale(locale: Locale): void {
    i18n.global.locale.value = locale;
    try {
        localStorage.setItem(kStorageKey, locale);
    } catch {
        // Not remembered; the switch still applies to this page.
    }
    applyDocumentLocale();
}

export function applyDocumentLocale(): void {
    document.documentElement.lang = i18n.global.locale.value;
}
