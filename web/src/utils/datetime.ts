// Times come from the API in UTC; the city works in Japan Standard Time.
const kTimeZone = 'Asia/Tokyo';

function toDate(ts: string): Date | null {
    const d = new Date(ts);
    return Number.isNaN(d.getTime()) ? null : d;
}

/** e.g. 2026年11月27日 11:00 (ja) or 27 Nov 2026, 11:00 (en), always in JST. */
export function formatDateTime(ts: string | null | undefined, locale: string): string {
    if (!ts) return '';
    const d = toDate(ts);
    if (!d) return ts;
    if (locale === 'ja') {
        return new Intl.DateTimeFormat('ja-JP', {
            timeZone: kTimeZone, year: 'numeric', month: 'long', day: 'numeric',
            hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
        }).format(d);
    }
    return new Intl.DateTimeFormat('en-GB', {
        timeZone: kTimeZone, year: 'numeric', month: 'short', day: 'numeric',
        hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).format(d) + ' JST';
}

/** 和暦 (e.g. 令和8年11月27日), as city documents write dates. */
export function formatWareki(ts: string | null | undefined): string {
    if (!ts) return '';
    const d = toDate(ts);
    if (!d) return '';
    return new Intl.DateTimeFormat('ja-JP-u-ca-japanese', {
        timeZone: kTimeZone, era: 'long', year: 'numeric', month: 'long', day: 'numeric',
    }).format(d);
}

/** A calendar date `YYYY-MM-DD` as 2026年4月1日 (ja) or 1 Apr 2026 (en). */
export function formatDate(date: string | null | undefined, locale: string): string {
    if (!date) return '';
    const d = toDate(date + 'T00:00:00Z');
    if (!d) return date;
    return new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', {
        timeZone: 'UTC', year: 'numeric', month: locale === 'ja' ? 'long' : 'short', day: 'numeric',
    }).format(d);
}
