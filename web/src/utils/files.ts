import { i18n } from '@/i18n';

/**
 * What the file chooser of an attachment offers: the extensions the server accepts
 * (docs/workflow.md, "Attachments"). The server still decides from the file's first bytes.
 */
export const kAttachmentAccept = '.pdf,.png,.jpg,.jpeg,.gif,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp';

/**
 * The largest attachment by default (`workflow.attachment_max_megabytes`). The API does not
 * tell the configured limit; this is only to explain a failed upload of a larger file.
 */
export const kDefaultAttachmentMaxBytes = 10 * 1024 * 1024;

/** A size for people: bytes under 1 KB, then KB or MB with one decimal (1 KB = 1024 bytes, as the server counts). */
export function formatBytes(n: number): string {
    const locale = i18n.global.locale.value;
    const one = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    if (n < 1024) return i18n.global.t('common.bytes', { n: new Intl.NumberFormat(locale).format(n) });
    if (n < 1024 * 1024) return `${one.format(n / 1024)} KB`;
    return `${one.format(n / (1024 * 1024))} MB`;
}

const kKindNames: [RegExp, string][] = [
    [/^application\/pdf$/, 'PDF'],
    [/^image\/png$/, 'PNG'],
    [/^image\/jpeg$/, 'JPEG'],
    [/^image\/gif$/, 'GIF'],
    [/msword|wordprocessingml/, 'Word'],
    [/ms-excel|spreadsheetml/, 'Excel'],
    [/ms-powerpoint|presentationml/, 'PowerPoint'],
    [/opendocument/, 'OpenDocument'],
];

/** The kind of a stored file by its media type (PDF, Word, …), else the media type. */
export function fileKind(contentType: string): string {
    return kKindNames.find(([re]) => re.test(contentType))?.[1] ?? contentType;
}
