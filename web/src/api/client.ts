// The one typed client of the mamori HTTP API (docs/openapi.yaml). Every type here comes from
// `schema.d.ts`, which openapi-typescript generates from the contract (`npm run gen:api`;
// `npm run check:api`, part of `npm run build`, fails when it is out of date). Every call
// names its path and method as the contract writes them (`/api/v1/units/{id}`, `patch`): the
// path, its parameters, the query, the JSON body and the answer are all checked by the type
// checker against the contract, so a change of docs/openapi.yaml that the UI does not follow
// fails the build. `request` keeps the CSRF token, sends the session cookie, and turns the
// error body into an `ApiError`.

import type { components, paths } from './schema';

type S = components['schemas'];

// ---- shared schemas

/** `YYYY-MM-DD` */
export type DateString = S['Date'];
/** RFC 3339 in UTC, e.g. `2026-04-01T00:15:02Z` */
export type Timestamp = S['Timestamp'];
export type Status = S['Status'];
export type ErrorBody = S['Error'];
export type EmploymentType = S['EmploymentType'];

// ---- auth

export type Banner = S['Banner'];
export type LoginRequest = S['LoginRequest'];
export type PasswordRules = S['PasswordRules'];
export type PreviousLogin = S['PreviousLogin'];
export type LoginStatus = S['LoginStep']['status'];
export type LoginStep = S['LoginStep'];
export type PasswordChangeRequest = S['PasswordChangeRequest'];
export type MfaEnrollment = S['MfaEnrollment'];
export type MfaConfirmRequest = S['MfaConfirmRequest'];
export type MfaEnrolled = S['MfaEnrolled'];
export type MfaCodeRequest = S['MfaCodeRequest'];
export type Grant = S['Grant'];
export type User = S['User'];
/** `elevated_until`: end of the elevated window, or null when not elevated. */
export type Me = S['Me'];
export type LogoutRequest = S['LogoutRequest'];
export type ElevateRequest = S['ElevateRequest'];
export type Elevated = S['Elevated'];
export type LoginHistory = JsonAnswer<'/api/v1/auth/history', 'get'>;

// ---- API tokens

export type ApiToken = S['ApiToken'];
export type ApiTokenList = S['ApiTokenList'];
export type ApiTokenCreateRequest = S['ApiTokenCreateRequest'];
export type ApiTokenCreated = S['ApiTokenCreated'];

// ---- audit

export type AuditEvent = S['AuditEvent'];
export type AuditEventList = S['AuditEventList'];
export type AuditEventQuery = Query<'/api/v1/audit-events', 'get'>;

// ---- units

export type Unit = S['Unit'];
export type UnitKind = Unit['kind'];
export type UnitStatus = Unit['status'];
export type UnitList = S['UnitList'];
export type UnitCreate = S['UnitCreate'];
/** PATCH: an absent `name` keeps the name; `parent_id` moves the unit. */
export type UnitUpdate = S['UnitUpdate'];
/** `closed_on` absent = today (JST). */
export type UnitClose = S['UnitClose'];

// ---- roles

export type Role = S['Role'];
export type RoleCatalog = S['RoleCatalog'];

// ---- people

export type Person = S['Person'];
export type PersonStatus = Person['status'];
export type PersonWithAppointments = S['PersonWithAppointments'];
export type PersonList = S['PersonList'];
export type PersonQuery = Query<'/api/v1/people', 'get'>;
export type PersonCreate = S['PersonCreate'];
/** PATCH: absent fields stay; `null` or `""` clears `reading` and `email`. */
export type PersonUpdate = S['PersonUpdate'];
export type LeaveRequest = S['LeaveRequest'];
export type ResetPasswordRequest = S['ResetPasswordRequest'];
export type PersonHistory = JsonAnswer<'/api/v1/people/{id}/history', 'get'>;

// ---- appointments

export type Appointment = S['Appointment'];
export type AppointmentCreate = S['AppointmentCreate'];
export type AppointmentEnd = S['AppointmentEnd'];

// ---- CSV import

export type ImportedPerson = S['ImportedPerson'];
export type ImportResult = S['ImportResult'];
export type UnitImportResult = S['UnitImportResult'];
export type ImportedUnit = UnitImportResult['items'][number];
/** One problem of an import (`error.details.rows` of 400 `invalid_csv_rows`). */
export type ImportRowError = S['ImportRowError'];

// ---- policy

export type PolicyVersion = S['PolicyVersion'];
export type Policy = S['Policy'];
export type PolicyRevision = Policy['revisions'][number];
export type BasicPolicyItem = S['BasicPolicyItem'];
export type BasicPolicy = JsonAnswer<'/api/v1/policy/basic', 'get'>;
/** A node of 第2章; leaves (`leaf: true`) carry the requirement fields, others `items`. */
export type PolicyControl = S['PolicyControl'];
export type PolicyControlTree = JsonAnswer<'/api/v1/policy/controls', 'get'>;
/** One node with its subtree, the version and the catalog file it is written in. */
export type PolicyControlDetail = JsonAnswer<'/api/v1/policy/controls/{ref}', 'get'>;
export type CapabilityRef = S['CapabilityRef'];
export type PolicyDiff = S['PolicyDiff'];
export type PolicyDiffPart = S['PolicyDiffPart'];
export type PolicyCoverage = S['PolicyCoverage'];
export type CoverageTotals = S['CoverageTotals'];
export type CoverageItem = PolicyCoverage['items'][number];
export type CoverageSupport = CoverageItem['support'];
export type PolicyAcknowledgement = S['PolicyAcknowledgement'];
export type UnitAcknowledgements = S['UnitAcknowledgements'];

export type ClassificationScheme = S['ClassificationScheme'];
export type ClassificationAxis = ClassificationScheme['axes'][number];
export type ClassificationLevel = ClassificationAxis['levels'][number];
export type Zones = S['Zones'];
export type Zone = Zones['zones'][number];

// ---- information systems and the asset register

export type System = S['System'];
export type SystemStatus = S['SystemStatus'];
export type Hosting = S['Hosting'];
export type SystemCreate = S['SystemCreate'];
/** PATCH: absent fields stay. */
export type SystemUpdate = S['SystemUpdate'];
export type SystemQuery = Query<'/api/v1/systems', 'get'>;
export type Asset = S['Asset'];
export type AssetStatus = S['AssetStatus'];
export type AssetForm = S['AssetForm'];
export type AssetCreate = S['AssetCreate'];
/** PATCH: absent fields stay; `""` clears `manager_person_id`, `system_id`, `next_review_on`. */
export type AssetUpdate = S['AssetUpdate'];
export type AssetDispose = S['AssetDispose'];
export type AssetQuery = Query<'/api/v1/assets', 'get'>;
export type AssetSort = NonNullable<AssetQuery['sort']>;
export type AssetWarning = S['AssetWarning'];
export type AssetWarningList = S['AssetWarningList'];
export type AssetWarningItem = AssetWarningList['items'][number];
export type ConsistencyCheck = AssetWarningList['checks'][number];
export type AssetStats = S['AssetStats'];
export type AssetHandling = S['AssetHandling'];
export type HandlingRule = S['HandlingRule'];
export type AssetReviewRequest = S['AssetReviewRequest'];
export type AssetReviewResult = S['AssetReviewResult'];
export type RegisterImportResult = S['RegisterImportResult'];
export type RegisterImportItem = RegisterImportResult['items'][number];
/** The media type of an Excel workbook (`.xlsx`), as the exports answer and the imports take. */
export const kXlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// ---- applications and approvals (申請・承認)

export type RequestState = S['RequestState'];
export type RequestField = S['RequestField'];
export type RequestFieldType = RequestField['type'];
export type RequestChainStep = S['RequestChainStep'];
export type RequestType = S['RequestType'];
export type RequestStep = S['RequestStep'];
export type RequestStepState = RequestStep['state'];
export type RequestEscalation = RequestStep['escalation'][number];
/** An application with its chain (the steps of the current round). */
export type WorkflowRequest = S['Request'];
export type RequestPage = S['RequestPage'];
export type RequestSubmit = S['RequestSubmit'];
export type RequestResubmit = S['RequestResubmit'];
export type RequestComment = S['RequestComment'];
export type RequestQuery = Query<'/api/v1/requests', 'get'>;
export type Inbox = S['Inbox'];
export type LookupQuery = Query<'/api/v1/lookup', 'get'>;
/** What a form may name by picking it from `lookup` (person, unit or system). */
export type LookupKind = LookupQuery['kind'];
/** A match of `lookup`: its id, name and one line of context (a person's unit, a unit's parent, a system's owner unit). */
export type LookupItem = JsonAnswer<'/api/v1/lookup', 'get'>['items'][number];
/** A file uploaded to be named by a `file` field of a form (`request_id` null until one does). */
export type Attachment = S['Attachment'];

// ---- the exceptions ledger (例外措置台帳, 対策基準 9-4(3))

/** An approved or expired exception: the application, its review date, `overdue`, its reviews (newest first). */
export type ExceptionEntry = S['ExceptionEntry'];
export type ExceptionReview = S['ExceptionReview'];
export type ExceptionReviewResult = ExceptionReview['result'];
/** `continue` needs `next_review_on` (after today, not after the last valid day); `end` takes none. */
export type ExceptionReviewCreate = S['ExceptionReviewCreate'];
export type ExceptionQuery = Query<'/api/v1/exceptions', 'get'>;

// ---- incidents (情報セキュリティインシデント, 対策基準 7-3, 9-3; docs/incidents.md)

export type IncidentState = S['IncidentState'];
/** `names` only from `GET /api/v1/incidents/{id}`; `transitions`: where the caller may move it now. */
export type Incident = S['Incident'];
export type IncidentDeadline = S['IncidentDeadline'];
export type IncidentDeadlineState = IncidentDeadline['state'];
export type IncidentOutsideReporter = S['IncidentOutsideReporter'];
export type IncidentPage = S['IncidentPage'];
export type IncidentQuery = Query<'/api/v1/incidents', 'get'>;
export type IncidentCreate = S['IncidentCreate'];
/** PATCH: absent fields stay. */
export type IncidentUpdate = S['IncidentUpdate'];
export type IncidentTransition = S['IncidentTransition'];
export type IncidentEntry = S['IncidentEntry'];
export type IncidentEntryKind = S['IncidentEntryKind'];
export type IncidentEntryCreate = S['IncidentEntryCreate'];
export type IncidentManualKind = IncidentEntryCreate['kind'];
export type IncidentAttachment = S['IncidentAttachment'];
export type IncidentNotification = S['IncidentNotification'];
export type IncidentAlerts = S['IncidentAlerts'];
export type IncidentAlert = IncidentAlerts['items'][number];
export type IncidentStats = S['IncidentStats'];
export type IncidentCount = S['IncidentCount'];
export type IncidentRules = S['IncidentRules'];
export type IncidentSeverity = IncidentRules['severities'][number];
export type ResponsePlan = IncidentRules['response_plan'];

// ---- ledger

export type LedgerCheckpoint = S['LedgerCheckpoint'];
export type LedgerVerification = S['LedgerVerification'];
export type LedgerStatus = JsonAnswer<'/api/v1/ledger/status', 'get'>;
/** Leaf `index` = the audit event with seq index + 1; `leaf` and `leaf_hash` are base64. */
export type LedgerEntry = JsonAnswer<'/api/v1/ledger/entries/{index}', 'get'>;
export type InclusionProof = JsonAnswer<'/api/v1/ledger/proof/inclusion', 'get'>;

/**
 * The permissions whose operations need an elevated session (`x-elevation-required` in the
 * contract; the server's list is `elevated_permissions` in src/auth/auth_routes.h, which the
 * API does not expose). An API token can never be elevated, so these are never offered for a
 * token (the server refuses them with 400 `invalid_field`).
 */
export const kElevatedPermissions: readonly string[] = ['org.manage', 'accounts.manage', 'policy.manage'];

// ---- the contract's operations, as types

/** The HTTP methods the UI uses, as the generated `paths` name them. */
type HttpMethod = 'get' | 'post' | 'patch' | 'delete';

/** The paths of the contract that have an operation for `M`. */
type PathWith<M extends HttpMethod> = {
    [P in keyof paths]-?: undefined extends paths[P][M] ? never : P;
}[keyof paths];

type Operation<P extends keyof paths, M extends HttpMethod> = Exclude<paths[P][M], undefined>;

/** The JSON of an operation's success answer (200 or 201). */
type JsonAnswer<P extends keyof paths, M extends HttpMethod> =
    Operation<P, M> extends { responses: infer R }
        ? R[Extract<keyof R, 200 | 201>] extends { content: { 'application/json': infer T } } ? T : never
        : never;

/** The query parameters of an operation (`{}` when it takes none). */
type Query<P extends keyof paths, M extends HttpMethod> =
    Operation<P, M> extends { parameters: { query?: infer Q } } ? ([Q] extends [undefined] ? object : NonNullable<Q>) : never;

type PathParams<P extends keyof paths, M extends HttpMethod> =
    Operation<P, M> extends { parameters: { path: infer PP } } ? PP : never;

/** The JSON request body of an operation; `never` when it takes none. */
type JsonBody<P extends keyof paths, M extends HttpMethod> =
    Operation<P, M> extends { requestBody?: infer RB }
        ? [NonNullable<RB>] extends [never] ? never
            : NonNullable<RB> extends { content: { 'application/json': infer B } } ? B : never
        : never;

/** Whether the JSON body may be left out (the contract marks it optional). */
type BodyOptional<P extends keyof paths, M extends HttpMethod> =
    Operation<P, M> extends { requestBody: unknown } ? false : true;

// Compile-time checks that the helpers read the contract as intended (a failure here is a
// type error of this file, not of a page). Exported only so that the checker keeps them.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type Expect<T extends true> = T;
export type ContractSelfCheck = [
    Expect<Equal<JsonAnswer<'/api/v1/units/{id}', 'patch'>, Unit>>,
    Expect<Equal<JsonBody<'/api/v1/units/{id}/close', 'post'>, UnitClose>>,
    Expect<Equal<BodyOptional<'/api/v1/units/{id}/close', 'post'>, true>>,
    Expect<Equal<BodyOptional<'/api/v1/units/{id}', 'patch'>, false>>,
    Expect<Equal<PathParams<'/api/v1/units/{id}', 'patch'>, { id: string }>>,
    Expect<Equal<JsonBody<'/api/v1/units', 'get'>, never>>,
    Expect<Equal<PathParams<'/api/v1/units', 'get'>, never>>,
];

// ---- errors

/** An error answer of the API (or a network failure, with status 0 and code `network`). */
export class ApiError extends Error {
    readonly status: number;
    readonly code: string;
    readonly field: string | undefined;
    readonly details: Record<string, unknown>;
    readonly requestId: string | undefined;

    constructor(status: number, code: string, message: string, details: Record<string, unknown> = {},
                requestId?: string) {
        super(message);
        this.name = 'ApiError';
        this.status = status;
        this.code = code;
        this.details = details;
        this.field = typeof details.field === 'string' ? details.field : undefined;
        this.requestId = requestId;
    }
}

export function isApiError(e: unknown): e is ApiError {
    return e instanceof ApiError;
}

// ---- the request machinery

interface CommonOptions {
    /** A body sent unchanged (bytes of a file), with its content type. */
    raw?: { data: ArrayBuffer; contentType: string };
    /**
     * Part of the login flow: a 401 here is an answer for the login page (wrong password,
     * wrong code), not a lost session, so it does not send the user to the login page.
     */
    loginFlow?: boolean;
    /** Do not offer elevation on 403 `elevation_required` (the elevation call itself). */
    noElevation?: boolean;
}

/** What a call of `P` `M` takes: path parameters, query and body exactly as the contract has them. */
type RequestOptions<P extends keyof paths, M extends HttpMethod> = CommonOptions
    & ([PathParams<P, M>] extends [never] ? { path?: never } : { path: PathParams<P, M> })
    & { query?: Query<P, M> }
    & ([JsonBody<P, M>] extends [never] ? { body?: never }
        : BodyOptional<P, M> extends true ? { body?: JsonBody<P, M> } : { body: JsonBody<P, M> });

/** The options of a call, as `send` sees them (the types are checked at the call). */
interface SendOptions extends CommonOptions {
    path?: Record<string, string | number>;
    query?: object;
    body?: unknown;
}

/** Hooks the app installs: what to do on a lost session and when elevation is needed. */
export interface ClientHooks {
    /** A call outside the login flow answered 401. */
    onUnauthorized?: (error: ApiError) => void;
    /**
     * A call answered 403 `elevation_required`. Resolve true once the session is elevated
     * (the call is then retried once), false when the user gave up.
     */
    onElevationRequired?: () => Promise<boolean>;
}

let csrfToken = '';
let hooks: ClientHooks = {};

export function setClientHooks(h: ClientHooks): void {
    hooks = h;
}

/** Forgets the CSRF token (after logout). */
export function clearCsrfToken(): void {
    csrfToken = '';
}

/** A path segment percent-encoded as RFC 3986 asks (also `( ) ! ' *`, as in `8-2%286%29`). */
function encodeSegment(value: string | number): string {
    return encodeURIComponent(String(value))
        .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** The contract's path with its `{parameters}` filled in (encoded), and the query string. */
function buildUrl(template: string, opts: SendOptions): string {
    let url = template.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value = opts.path?.[name];
        if (value === undefined) throw new Error(`missing path parameter ${name} of ${template}`);
        return encodeSegment(value);
    });
    if (opts.query) {
        const params = new URLSearchParams();
        for (const [k, v] of Object.entries(opts.query)) {
            if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
        }
        const qs = params.toString();
        if (qs) url += '?' + qs;
    }
    return url;
}

async function send<T>(method: HttpMethod, template: string, opts: SendOptions): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    let body: string | ArrayBuffer | undefined;
    if (opts.raw) {
        headers['Content-Type'] = opts.raw.contentType;
        body = opts.raw.data;
    } else if (opts.body !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(opts.body);
    }
    if (method !== 'get' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

    let res: Response;
    try {
        res = await fetch(buildUrl(template, opts), {
            method: method.toUpperCase(),
            headers,
            body,
            credentials: 'same-origin',
            cache: 'no-store',
        });
    } catch {
        throw new ApiError(0, 'network', 'network error');
    }

    return answer<T>(res.status, res.ok, res.statusText, await res.text());
}

/** The JSON of an answer, or its error as an `ApiError`; keeps a CSRF token the answer carries. */
function answer<T>(status: number, ok: boolean, statusText: string, text: string): T {
    let json: unknown = undefined;
    if (text) {
        try {
            json = JSON.parse(text);
        } catch {
            json = undefined;
        }
    }
    if (!ok) {
        const err = (json as ErrorBody | undefined)?.error;
        throw new ApiError(status, err?.code ?? 'http_' + status, err?.message ?? statusText,
                           err?.details ?? {}, err?.request_id);
    }
    if (json && typeof json === 'object' && 'csrf_token' in json) {
        const token = (json as { csrf_token: unknown }).csrf_token;
        if (typeof token === 'string' && token) csrfToken = token;
    }
    return json as T;
}

/** What an upload reports while it runs, and how to stop it. */
export interface UploadOptions {
    /** Called as the body goes out: bytes sent so far and in all. */
    onProgress?: (sent: number, total: number) => void;
    /** Stops the upload; the call then fails with an `ApiError` of code `aborted` (status 0). */
    signal?: AbortSignal;
}

/**
 * POSTs a file as the raw body of `path` with XMLHttpRequest, which (unlike fetch) reports
 * how much of the body has gone out. Same session cookie, CSRF token and errors as `request`.
 */
function upload<P extends PathWith<'post'>>(path: P, file: Blob, opts: UploadOptions & { query?: Query<P, 'post'> }):
    Promise<JsonAnswer<P, 'post'>> {
    return new Promise((resolve, reject) => {
        if (opts.signal?.aborted) {
            reject(new ApiError(0, 'aborted', 'aborted'));
            return;
        }
        const xhr = new XMLHttpRequest();
        xhr.open('POST', buildUrl(path, { query: opts.query }));
        xhr.withCredentials = true;
        xhr.setRequestHeader('Accept', 'application/json');
        xhr.setRequestHeader('Content-Type', 'application/octet-stream');
        if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
        xhr.upload.onprogress = (ev) => {
            if (ev.lengthComputable) opts.onProgress?.(ev.loaded, ev.total);
        };
        const onAbort = () => xhr.abort();
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        const done = () => opts.signal?.removeEventListener('abort', onAbort);
        xhr.onload = () => {
            done();
            try {
                const ok = xhr.status >= 200 && xhr.status < 300;
                resolve(answer<JsonAnswer<P, 'post'>>(xhr.status, ok, xhr.statusText, xhr.responseText));
            } catch (e) {
                if (e instanceof ApiError && e.status === 401) hooks.onUnauthorized?.(e);
                reject(e);
            }
        };
        xhr.onerror = () => {
            done();
            reject(new ApiError(0, 'network', 'network error'));
        };
        xhr.onabort = () => {
            done();
            reject(new ApiError(0, 'aborted', 'aborted'));
        };
        xhr.send(file);
    });
}

/** One operation of the contract: `request('patch', '/api/v1/units/{id}', { path: { id }, body })`. */
async function request<M extends HttpMethod, P extends PathWith<M>>(
    method: M, path: P, ...[opts]: {} extends RequestOptions<P, M> ? [RequestOptions<P, M>?] : [RequestOptions<P, M>]
): Promise<JsonAnswer<P, M>> {
    const o = (opts ?? {}) as SendOptions;
    try {
        return await send<JsonAnswer<P, M>>(method, path, o);
    } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        if (e.status === 401 && !o.loginFlow) {
            hooks.onUnauthorized?.(e);
        } else if (e.status === 403 && e.code === 'elevation_required' && !o.noElevation &&
                   hooks.onElevationRequired) {
            if (await hooks.onElevationRequired()) return send<JsonAnswer<P, M>>(method, path, o);
        }
        throw e;
    }
}

// ---- auth

export const getBanner = () => request('get', '/api/v1/auth/banner', { loginFlow: true });

export const login = (body: LoginRequest) =>
    request('post', '/api/v1/auth/login', { body, loginFlow: true });

/** The forced change during login, or a voluntary change in a full session. */
export const changePassword = (body: PasswordChangeRequest, opts: { loginFlow?: boolean } = {}) =>
    request('post', '/api/v1/auth/password', { body, loginFlow: opts.loginFlow ?? false });

export const beginMfaEnrollment = () =>
    request('post', '/api/v1/auth/mfa/enroll', { loginFlow: true });

export const confirmMfaEnrollment = (body: MfaConfirmRequest) =>
    request('post', '/api/v1/auth/mfa/enroll/confirm', { body, loginFlow: true });

export const verifyMfa = (body: MfaCodeRequest) =>
    request('post', '/api/v1/auth/mfa', { body, loginFlow: true });

/** `quiet401`: the caller handles "not logged in" itself (the router's first check). */
export const getMe = (opts: { quiet401?: boolean } = {}) =>
    request('get', '/api/v1/auth/me', { loginFlow: opts.quiet401 ?? false });

export const logout = (body: LogoutRequest = {}) =>
    request('post', '/api/v1/auth/logout', { body, loginFlow: true });

/** The caller's 50 most recent `auth.*` events, newest first. */
export const getLoginHistory = () => request('get', '/api/v1/auth/history');

export const elevate = (body: ElevateRequest) =>
    request('post', '/api/v1/auth/elevate', { body, noElevation: true });

// ---- tokens

export const listTokens = () => request('get', '/api/v1/tokens');

export const createToken = (body: ApiTokenCreateRequest) => request('post', '/api/v1/tokens', { body });

export const revokeToken = (id: string) => request('delete', '/api/v1/tokens/{id}', { path: { id } });

// ---- audit

export const listAuditEvents = (query: AuditEventQuery = {}) =>
    request('get', '/api/v1/audit-events', { query });

// ---- organisation

export const listUnits = (query: Query<'/api/v1/units', 'get'> = {}) => request('get', '/api/v1/units', { query });

export const createUnit = (body: UnitCreate) => request('post', '/api/v1/units', { body });

/** Rename and/or move; the answer's `depth` is 0 (only the list computes it). */
export const updateUnit = (id: string, body: UnitUpdate) =>
    request('patch', '/api/v1/units/{id}', { path: { id }, body });

/** 廃止: refused while the unit has open sub-units, members, or appointments after the date. */
export const closeUnit = (id: string, body: UnitClose = {}) =>
    request('post', '/api/v1/units/{id}/close', { path: { id }, body });

export const listRoles = () => request('get', '/api/v1/roles');

export const listPeople = (query: PersonQuery = {}) => request('get', '/api/v1/people', { query });

export const getPerson = (id: string) => request('get', '/api/v1/people/{id}', { path: { id } });

export const getPersonHistory = (id: string, limit = 100) =>
    request('get', '/api/v1/people/{id}/history', { path: { id }, query: { limit } });

export const createPerson = (body: PersonCreate) => request('post', '/api/v1/people', { body });

/** The answer has no `appointments`. */
export const updatePerson = (id: string, body: PersonUpdate) =>
    request('patch', '/api/v1/people/{id}', { path: { id }, body });

export const suspendPerson = (id: string) =>
    request('post', '/api/v1/people/{id}/suspend', { path: { id }, body: {} });

export const reactivatePerson = (id: string) =>
    request('post', '/api/v1/people/{id}/reactivate', { path: { id }, body: {} });

export const leavePerson = (id: string, body: LeaveRequest) =>
    request('post', '/api/v1/people/{id}/leave', { path: { id }, body });

export const unlockPerson = (id: string) =>
    request('post', '/api/v1/people/{id}/unlock', { path: { id }, body: {} });

export const resetPassword = (id: string, body: ResetPasswordRequest) =>
    request('post', '/api/v1/people/{id}/reset-password', { path: { id }, body });

/** For a lost authenticator: the person enrols a new one at their next login. No body. */
export const resetMfa = (id: string) => request('post', '/api/v1/people/{id}/reset-mfa', { path: { id } });

/** Paged, newest start first; `system_id` lists the appointments for one information system. */
export const listAppointments = (query: Query<'/api/v1/appointments', 'get'> = {}) =>
    request('get', '/api/v1/appointments', { query });

export const createAppointment = (body: AppointmentCreate) => request('post', '/api/v1/appointments', { body });

export const endAppointment = (id: string, body: AppointmentEnd) =>
    request('post', '/api/v1/appointments/{id}/end', { path: { id }, body });

/** The file's bytes are sent unchanged (UTF-8 or Shift_JIS: the server decides). */
export const importPeople = (data: ArrayBuffer, dryRun: boolean) =>
    request('post', '/api/v1/people/import', {
        raw: { data, contentType: 'text/csv' }, query: { dry_run: dryRun ? 'true' : undefined },
    });

export const importUnits = (data: ArrayBuffer, dryRun: boolean) =>
    request('post', '/api/v1/units/import', {
        raw: { data, contentType: 'text/csv' }, query: { dry_run: dryRun ? 'true' : undefined },
    });

// ---- policy (any logged-in user; the unit status needs policy.acknowledgements.read)

export const getPolicy = (version?: string) => request('get', '/api/v1/policy', { query: { version } });

export const listPolicyVersions = () => request('get', '/api/v1/policy/versions');

export const getBasicPolicy = (version?: string) => request('get', '/api/v1/policy/basic', { query: { version } });

/** 第2章 as a tree; with `q`, only what matches and the path down to it. */
export const listPolicyControls = (query: { version?: string; q?: string } = {}) =>
    request('get', '/api/v1/policy/controls', { query });

/** One node of 第2章 with its subtree; the ref is sent URL-encoded (`8-2%286%29`). */
export const getPolicyControl = (ref: string, version?: string) =>
    request('get', '/api/v1/policy/controls/{ref}', { path: { ref }, query: { version } });

export const diffPolicyVersions = (a: string, b: string) =>
    request('get', '/api/v1/policy/versions/{a}/diff/{b}', { path: { a, b } });

export const getPolicyCoverage = (version?: string) =>
    request('get', '/api/v1/policy/coverage', { query: { version } });

/** Where the browser downloads the OSCAL catalog (an attachment; the session cookie goes with it). */
export function policyOscalUrl(version?: string): string {
    return buildUrl('/api/v1/policy/export/oscal', { query: { version } });
}

/** The classification scheme in force: axes, levels (highest first) and their handling rules. */
export const getClassification = (version?: string) =>
    request('get', '/api/v1/policy/classification', { query: { version } });

/** The three-tier zones of the catalog in force. */
export const getZones = (version?: string) => request('get', '/api/v1/policy/zones', { query: { version } });

export const getMyAcknowledgement = () => request('get', '/api/v1/policy/acknowledgements');

/** 遵守の誓約 of the version in force; acknowledging again keeps the first time. */
export const acknowledgePolicy = () => request('post', '/api/v1/policy/acknowledgements', { body: {} });

export const listAcknowledgementsByUnit = () => request('get', '/api/v1/policy/acknowledgements/units');

// ---- ledger (audit.read)

export const getLedgerStatus = () => request('get', '/api/v1/ledger/status');

export const listLedgerCheckpoints = (query: Query<'/api/v1/ledger/checkpoints', 'get'> = {}) =>
    request('get', '/api/v1/ledger/checkpoints', { query });

export const getLedgerEntry = (index: number) =>
    request('get', '/api/v1/ledger/entries/{index}', { path: { index } });

export const getInclusionProof = (index: number, treeSize: number) =>
    request('get', '/api/v1/ledger/proof/inclusion', { query: { index, tree_size: treeSize } });

export const verifyLedger = () => request('post', '/api/v1/ledger/verify', { body: {} });

// ---- information systems (assets.read to read, assets.manage to change)

export const listSystems = (query: SystemQuery = {}) => request('get', '/api/v1/systems', { query });

export const getSystem = (id: string) => request('get', '/api/v1/systems/{id}', { path: { id } });

export const createSystem = (body: SystemCreate) => request('post', '/api/v1/systems', { body });

export const updateSystem = (id: string, body: SystemUpdate) =>
    request('patch', '/api/v1/systems/{id}', { path: { id }, body });

export const getSystemHistory = (id: string, limit = 100) =>
    request('get', '/api/v1/systems/{id}/history', { path: { id }, query: { limit } });

/** Where the browser downloads the system register (an attachment). */
export function systemsExportUrl(format: 'csv' | 'xlsx'): string {
    return buildUrl('/api/v1/systems/export', { query: { format } });
}

/** The file's bytes are sent unchanged: CSV (UTF-8 or Shift_JIS) or an Excel workbook. Needs elevation. */
export const importSystems = (data: ArrayBuffer, contentType: string, dryRun: boolean) =>
    request('post', '/api/v1/systems/import', {
        raw: { data, contentType }, query: { dry_run: dryRun ? 'true' : 'false' },
    });

// ---- classified information assets

export const listAssets = (query: AssetQuery = {}) => request('get', '/api/v1/assets', { query });

export const getAsset = (id: string) => request('get', '/api/v1/assets/{id}', { path: { id } });

export const createAsset = (body: AssetCreate) => request('post', '/api/v1/assets', { body });

export const updateAsset = (id: string, body: AssetUpdate) =>
    request('patch', '/api/v1/assets/{id}', { path: { id }, body });

export const disposeAsset = (id: string, body: AssetDispose) =>
    request('post', '/api/v1/assets/{id}/dispose', { path: { id }, body });

export const getAssetHistory = (id: string, limit = 100) =>
    request('get', '/api/v1/assets/{id}/history', { path: { id }, query: { limit } });

/** The handling rules of the asset's levels, merged, each as a plain Japanese sentence. */
export const getAssetHandling = (id: string) => request('get', '/api/v1/assets/{id}/handling', { path: { id } });

export const getAssetWarnings = (id: string) => request('get', '/api/v1/assets/{id}/warnings', { path: { id } });

export const listAssetWarnings = (query: Query<'/api/v1/assets/warnings', 'get'> = {}) =>
    request('get', '/api/v1/assets/warnings', { query });

export const getAssetStats = (query: Query<'/api/v1/assets/stats', 'get'> = {}) =>
    request('get', '/api/v1/assets/stats', { query });

/** 棚卸し: every asset listed is recorded as reviewed today, or none is. */
export const reviewAssets = (body: AssetReviewRequest) => request('post', '/api/v1/assets/review', { body });

/** Where the browser downloads the asset register (CSV; XLSX with both registers). */
export function assetsExportUrl(format: 'csv' | 'xlsx', unitId?: string): string {
    return buildUrl('/api/v1/assets/export', { query: { format, unit_id: unitId } });
}

/** As importSystems, for the asset register. Needs elevation. */
export const importAssets = (data: ArrayBuffer, contentType: string, dryRun: boolean) =>
    request('post', '/api/v1/assets/import', {
        raw: { data, contentType }, query: { dry_run: dryRun ? 'true' : 'false' },
    });

// ---- applications and approvals (any signed-in person; who sees what: docs/workflow.md)

/** The application types of the catalog in force, with their forms and chains. */
export const listRequestTypes = () => request('get', '/api/v1/request-types');

export const getRequestType = (key: string) => request('get', '/api/v1/request-types/{key}', { path: { key } });

/** Newest first; `mine` only the caller's own; `q` part of the 申請番号 (any case) or of the title. */
export const listRequests = (query: RequestQuery = {}) => request('get', '/api/v1/requests', { query });

export const submitRequest = (body: RequestSubmit) => request('post', '/api/v1/requests', { body });

export const getRequest = (id: string) => request('get', '/api/v1/requests/{id}', { path: { id } });

/** The application's audit events, newest first. */
export const getRequestHistory = (id: string, limit = 200) =>
    request('get', '/api/v1/requests/{id}/history', { path: { id }, query: { limit } });

/** The pending step's approver: approve (comment optional), reject or return (comment required). */
export const decideRequest = (id: string, action: 'approve' | 'reject' | 'return', body: RequestComment) => {
    switch (action) {
    case 'approve': return request('post', '/api/v1/requests/{id}/approve', { path: { id }, body });
    case 'reject': return request('post', '/api/v1/requests/{id}/reject', { path: { id }, body });
    case 'return': return request('post', '/api/v1/requests/{id}/return', { path: { id }, body });
    }
};

/** The applicant, while submitted or returned. */
export const withdrawRequest = (id: string, body: RequestComment = {}) =>
    request('post', '/api/v1/requests/{id}/withdraw', { path: { id }, body });

/** The applicant sends a returned application again, changed: a new round from the first step. */
export const resubmitRequest = (id: string, body: RequestResubmit) =>
    request('post', '/api/v1/requests/{id}/resubmit', { path: { id }, body });

/** The files the application's forms named, in every round (oldest first). */
export const listRequestAttachments = (id: string) =>
    request('get', '/api/v1/requests/{id}/attachments', { path: { id } });

/**
 * Uploads a file to name in a `file` field (its id). The server decides its kind from the
 * first bytes and the name's extension: 400 `unsupported_media_type`, 413 `body_too_large`,
 * 429 `too_many_uploads`, each with a Japanese message.
 */
export const uploadAttachment = (file: Blob, filename: string, opts: UploadOptions = {}) =>
    upload('/api/v1/attachments', file, { ...opts, query: { filename } });

/** Where the browser downloads an attached file (the session cookie goes with it). */
export function attachmentUrl(id: string): string {
    return buildUrl('/api/v1/attachments/{id}', { path: { id } });
}

/**
 * People, units or systems whose name contains `q`, to pick in a form: for anyone who may
 * apply, without reading the organisation or the system register (names only).
 */
export const lookup = (query: LookupQuery) => request('get', '/api/v1/lookup', { query });

/** What awaits the caller's approval (oldest first) and their own open applications, with counts. */
export const getInbox = () => request('get', '/api/v1/inbox');

// ---- the exceptions ledger (exceptions.read to read, exceptions.review to review)

/** The whole ledger, newest first (not paged); `overdue` only those past their review date. */
export const listExceptions = (query: ExceptionQuery = {}) => request('get', '/api/v1/exceptions', { query });

export const getException = (id: string) => request('get', '/api/v1/exceptions/{id}', { path: { id } });

/** Records a review; the answer is the exception with it. */
export const reviewException = (id: string, body: ExceptionReviewCreate) =>
    request('post', '/api/v1/exceptions/{id}/reviews', { path: { id }, body });

/** Where the browser downloads the ledger (an attachment; the session cookie goes with it). */
export function exceptionsExportUrl(format: 'csv' | 'xlsx'): string {
    return buildUrl('/api/v1/exceptions/export', { query: { format } });
}


// ---- incidents (any signed-in person reports; incidents.read to list, incidents.manage to handle)

/** Newest number first, paged; items carry no `names`. */
export const listIncidents = (query: IncidentQuery = {}) => request('get', '/api/v1/incidents', { query });

/** 報告: anyone signed in (an outside reporter needs incidents.manage). Files are uploaded first. */
export const reportIncident = (body: IncidentCreate) => request('post', '/api/v1/incidents', { body });

/** Categories, severities, deadlines, outside bodies, states, entry kinds and the 緊急時対応計画. */
export const getIncidentRules = () => request('get', '/api/v1/incidents/rules');

/** The caller's notifications whose incident they have not opened yet (the header badge). */
export const getIncidentAlerts = () => request('get', '/api/v1/incidents/alerts');

export const getIncidentStats = (fiscalYear?: number) =>
    request('get', '/api/v1/incidents/stats', { query: { fiscal_year: fiscalYear } });

/** Opening it records the caller's first opening of a notification. */
export const getIncident = (id: string) => request('get', '/api/v1/incidents/{id}', { path: { id } });

export const updateIncident = (id: string, body: IncidentUpdate) =>
    request('patch', '/api/v1/incidents/{id}', { path: { id }, body });

export const transitionIncident = (id: string, body: IncidentTransition) =>
    request('post', '/api/v1/incidents/{id}/transitions', { path: { id }, body });

/** Oldest first. */
export const getIncidentTimeline = (id: string) =>
    request('get', '/api/v1/incidents/{id}/timeline', { path: { id } });

export const addIncidentEntry = (id: string, body: IncidentEntryCreate) =>
    request('post', '/api/v1/incidents/{id}/timeline', { path: { id }, body });

export const getIncidentNotifications = (id: string) =>
    request('get', '/api/v1/incidents/{id}/notifications', { path: { id } });

/** Where the browser opens (HTML, to print) or downloads (XLSX) the incident report. */
export function incidentReportUrl(id: string, format: 'html' | 'xlsx'): string {
    return buildUrl('/api/v1/incidents/{id}/report', { path: { id }, query: { format } });
}
