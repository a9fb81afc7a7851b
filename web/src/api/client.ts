// The one typed client of the mamori HTTP API (docs/openapi.yaml). Types are named as the
// schemas of the contract and mirror them field by field; every call the UI makes goes
// through `request`, which keeps the CSRF token, sends the session cookie, and turns the
// error body into an `ApiError`.

// ---- shared schemas

/** `YYYY-MM-DD` */
export type DateString = string;
/** RFC 3339 in UTC, e.g. `2026-04-01T00:15:02Z` */
export type Timestamp = string;

export interface Status {
    status: string;
}

export interface ErrorBody {
    error: {
        code: string;
        message: string;
        details: { field?: string; [key: string]: unknown };
        request_id: string;
    };
}

export type EmploymentType = 'regular' | 'fiscal_year' | 'contractor' | 'other';

// ---- auth

export interface Banner {
    banner: string;
}

export interface LoginRequest {
    username: string;
    password: string;
}

export interface PasswordRules {
    min_length: number;
    min_classes: number;
    history: number;
    max_age_days: number;
}

export interface PreviousLoginValue {
    at: Timestamp;
    client_address: string;
}
export type PreviousLogin = PreviousLoginValue | null;

export type LoginStatus = 'ok' | 'password_change_required' | 'mfa_enrollment_required' | 'mfa_required';

export interface LoginStep {
    status: LoginStatus;
    csrf_token: string;
    previous_login?: PreviousLogin;
    failed_attempts_since?: number;
    password_rules?: PasswordRules;
}

export interface PasswordChangeRequest {
    current_password: string;
    new_password: string;
}

export interface MfaEnrollment {
    secret: string;
    otpauth_uri: string;
}

export interface MfaConfirmRequest {
    code: string;
}

export interface MfaEnrolled extends LoginStep {
    status: 'ok';
    recovery_codes: string[];
}

export interface MfaCodeRequest {
    code: string;
}

export interface Grant {
    role: string;
    unit_id: string | null;
}

export interface User {
    id: string;
    username: string;
    display_name: string;
    platform_admin: boolean;
    roles: Grant[];
    permissions: string[];
}

export interface Me {
    status: 'ok';
    csrf_token: string;
    previous_login: PreviousLogin;
    failed_attempts_since: number;
    user: User;
    elevated: boolean;
    /** End of the elevated window, or null when not elevated. */
    elevated_until: Timestamp | null;
}

export interface LogoutRequest {
    everywhere?: boolean;
}

export interface ElevateRequest {
    password: string;
    code?: string;
}

export interface Elevated {
    status: 'elevated';
    elevated_until: Timestamp;
}

export interface LoginHistory {
    items: AuditEvent[];
    next_cursor: null;
}

// ---- API tokens

export interface ApiToken {
    id: string;
    name: string;
    permissions: string[];
    expires_at: Timestamp;
    created_at: Timestamp;
    last_used_at: Timestamp | null;
    revoked: boolean;
}

export interface ApiTokenList {
    items: ApiToken[];
    next_cursor: null;
}

export interface ApiTokenCreateRequest {
    name: string;
    days?: number;
    permissions?: string[];
}

export interface ApiTokenCreated extends ApiToken {
    token: string;
}

// ---- audit

export interface AuditEvent {
    seq: number;
    occurred_at: Timestamp;
    actor_id: string | null;
    actor_name: string;
    action: string;
    object_type: string;
    object_id: string;
    summary: Record<string, unknown>;
    request_id: string;
    client_address: string;
}

export interface AuditEventList {
    items: AuditEvent[];
    next_cursor: string | null;
}

export interface AuditEventQuery {
    limit?: number;
    cursor?: string;
    actor_id?: string;
    action?: string;
    object_type?: string;
    object_id?: string;
    from?: string;
    to?: string;
}

// ---- units

export type UnitKind = 'department' | 'section' | 'team';

export interface Unit {
    id: string;
    name: string;
    kind: UnitKind;
    parent_id: string | null;
    status: 'active' | 'closed';
    closed_on: DateString | null;
    depth: number;
    created_at: Timestamp;
    updated_at: Timestamp;
}

export interface UnitList {
    items: Unit[];
    next_cursor: null;
}

export interface UnitCreate {
    name: string;
    kind: UnitKind;
    parent_id?: string;
}

// ---- roles

export interface Role {
    key: string;
    name: string;
    description: string;
    scope: 'subtree' | 'organisation' | 'own';
    permissions: string[];
}

export interface RoleCatalog {
    items: Role[];
    next_cursor: null;
    incompatible_roles: { name: string; roles: [string, string] }[];
    approval_escalation: string[];
}

// ---- people

export type PersonStatus = 'active' | 'suspended' | 'left';

export interface Person {
    id: string;
    username: string;
    display_name: string;
    reading: string;
    email: string;
    unit_id: string | null;
    employment_type: EmploymentType;
    employment_type_label: string;
    status: PersonStatus;
    left_on: DateString | null;
    platform_admin: boolean;
    must_change_password: boolean;
    locked: boolean;
    created_at: Timestamp;
    updated_at: Timestamp;
}

export interface PersonWithAppointments extends Person {
    appointments: Appointment[];
}

export interface PersonList {
    items: Person[];
    next_cursor: string | null;
}

export interface PersonQuery {
    limit?: number;
    cursor?: string;
    unit_id?: string;
    status?: PersonStatus;
    employment_type?: EmploymentType;
    q?: string;
}

export interface PersonCreate {
    username: string;
    display_name: string;
    reading?: string;
    email?: string;
    unit_id: string;
    employment_type?: EmploymentType;
    password: string;
}

/** PATCH: absent fields stay; `null` or `""` clears `reading` and `email`. */
export interface PersonUpdate {
    display_name?: string;
    reading?: string | null;
    email?: string | null;
    unit_id?: string;
    employment_type?: EmploymentType;
}

export interface LeaveRequest {
    left_on?: DateString;
}

export interface ResetPasswordRequest {
    password: string;
}

export interface PersonHistory {
    items: AuditEvent[];
    next_cursor: null;
}

// ---- appointments

export interface Appointment {
    id: string;
    person_id: string;
    role: string;
    role_name: string;
    unit_id: string | null;
    starts_on: DateString;
    ends_on: DateString | null;
    created_at: Timestamp;
    updated_at: Timestamp;
}

export interface AppointmentCreate {
    person_id: string;
    role: string;
    unit_id?: string;
    starts_on: DateString;
    ends_on?: DateString;
}

export interface AppointmentEnd {
    ends_on?: DateString;
}

// ---- CSV import

export interface ImportedPerson {
    row: number;
    id: string | null;
    username: string;
    display_name: string;
    reading: string;
    email: string;
    unit_id: string | null;
    unit_name: string;
    employment_type: EmploymentType;
}

export interface ImportResult {
    dry_run: boolean;
    written: boolean;
    encoding: 'utf-8' | 'cp932';
    count: number;
    items: ImportedPerson[];
}

export interface ImportedUnit {
    row: number;
    id: string | null;
    name: string;
    kind: UnitKind;
    parent: string;
}

export interface UnitImportResult {
    dry_run: boolean;
    written: boolean;
    encoding: 'utf-8' | 'cp932';
    count: number;
    items: ImportedUnit[];
}

/** One problem of an import (`error.details.rows` of 400 `invalid_csv_rows`). */
export interface ImportRowError {
    row: number;
    column: string | null;
    message: string;
}

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

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface RequestOptions {
    body?: unknown;
    /** A body sent unchanged (bytes of a file), with its content type. */
    raw?: { data: ArrayBuffer; contentType: string };
    query?: Record<string, string | number | undefined>;
    /**
     * Part of the login flow: a 401 here is an answer for the login page (wrong password,
     * wrong code), not a lost session, so it does not send the user to the login page.
     */
    loginFlow?: boolean;
    /** Do not offer elevation on 403 `elevation_required` (the elevation call itself). */
    noElevation?: boolean;
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

const kBase = '/api/v1';
let csrfToken = '';
let hooks: ClientHooks = {};

export function setClientHooks(h: ClientHooks): void {
    hooks = h;
}

/** Forgets the CSRF token (after logout). */
export function clearCsrfToken(): void {
    csrfToken = '';
}

function buildUrl(path: string, query?: RequestOptions['query']): string {
    let url = kBase + path;
    if (query) {
        const params = new URLSearchParams();
        for (const [k, v] of Object.entries(query)) {
            if (v !== undefined && v !== '') params.set(k, String(v));
        }
        const qs = params.toString();
        if (qs) url += '?' + qs;
    }
    return url;
}

async function send<T>(method: Method, path: string, opts: RequestOptions): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    let body: string | ArrayBuffer | undefined;
    if (opts.raw) {
        headers['Content-Type'] = opts.raw.contentType;
        body = opts.raw.data;
    } else if (opts.body !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(opts.body);
    }
    if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

    let res: Response;
    try {
        res = await fetch(buildUrl(path, opts.query), {
            method,
            headers,
            body,
            credentials: 'same-origin',
            cache: 'no-store',
        });
    } catch {
        throw new ApiError(0, 'network', 'network error');
    }

    const text = await res.text();
    let json: unknown = undefined;
    if (text) {
        try {
            json = JSON.parse(text);
        } catch {
            json = undefined;
        }
    }
    if (!res.ok) {
        const err = (json as ErrorBody | undefined)?.error;
        throw new ApiError(res.status, err?.code ?? 'http_' + res.status, err?.message ?? res.statusText,
                           err?.details ?? {}, err?.request_id);
    }
    if (json && typeof json === 'object' && 'csrf_token' in json) {
        const token = (json as { csrf_token: unknown }).csrf_token;
        if (typeof token === 'string' && token) csrfToken = token;
    }
    return json as T;
}

async function request<T>(method: Method, path: string, opts: RequestOptions = {}): Promise<T> {
    try {
        return await send<T>(method, path, opts);
    } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        if (e.status === 401 && !opts.loginFlow) {
            hooks.onUnauthorized?.(e);
        } else if (e.status === 403 && e.code === 'elevation_required' && !opts.noElevation &&
                   hooks.onElevationRequired) {
            if (await hooks.onElevationRequired()) return send<T>(method, path, opts);
        }
        throw e;
    }
}

// ---- auth

export const getBanner = () => request<Banner>('GET', '/auth/banner', { loginFlow: true });

export const login = (body: LoginRequest) =>
    request<LoginStep>('POST', '/auth/login', { body, loginFlow: true });

/** The forced change during login, or a voluntary change in a full session. */
export const changePassword = (body: PasswordChangeRequest, opts: { loginFlow?: boolean } = {}) =>
    request<LoginStep>('POST', '/auth/password', { body, loginFlow: opts.loginFlow ?? false });

export const beginMfaEnrollment = () =>
    request<MfaEnrollment>('POST', '/auth/mfa/enroll', { loginFlow: true });

export const confirmMfaEnrollment = (body: MfaConfirmRequest) =>
    request<MfaEnrolled>('POST', '/auth/mfa/enroll/confirm', { body, loginFlow: true });

export const verifyMfa = (body: MfaCodeRequest) =>
    request<LoginStep>('POST', '/auth/mfa', { body, loginFlow: true });

/** `quiet401`: the caller handles "not logged in" itself (the router's first check). */
export const getMe = (opts: { quiet401?: boolean } = {}) =>
    request<Me>('GET', '/auth/me', { loginFlow: opts.quiet401 ?? false });

export const logout = (body: LogoutRequest = {}) =>
    request<Status>('POST', '/auth/logout', { body, loginFlow: true });

/** The caller's 50 most recent `auth.*` events, newest first. */
export const getLoginHistory = () => request<LoginHistory>('GET', '/auth/history');

export const elevate = (body: ElevateRequest) =>
    request<Elevated>('POST', '/auth/elevate', { body, noElevation: true });

// ---- tokens

export const listTokens = () => request<ApiTokenList>('GET', '/tokens');

export const createToken = (body: ApiTokenCreateRequest) =>
    request<ApiTokenCreated>('POST', '/tokens', { body });

export const revokeToken = (id: string) =>
    request<Status>('DELETE', '/tokens/' + encodeURIComponent(id));

// ---- audit

export const listAuditEvents = (query: AuditEventQuery = {}) =>
    request<AuditEventList>('GET', '/audit-events', { query: { ...query } });

// ---- organisation

export const listUnits = (query: { status?: 'active' | 'closed' } = {}) =>
    request<UnitList>('GET', '/units', { query });

export const createUnit = (body: UnitCreate) => request<Unit>('POST', '/units', { body });

export const listRoles = () => request<RoleCatalog>('GET', '/roles');

export const listPeople = (query: PersonQuery = {}) =>
    request<PersonList>('GET', '/people', { query: { ...query } });

export const getPerson = (id: string) =>
    request<PersonWithAppointments>('GET', '/people/' + encodeURIComponent(id));

export const getPersonHistory = (id: string, limit = 100) =>
    request<PersonHistory>('GET', '/people/' + encodeURIComponent(id) + '/history', { query: { limit } });

export const createPerson = (body: PersonCreate) => request<Person>('POST', '/people', { body });

/** The answer has no `appointments`. */
export const updatePerson = (id: string, body: PersonUpdate) =>
    request<Person>('PATCH', '/people/' + encodeURIComponent(id), { body });

export const suspendPerson = (id: string) =>
    request<Person>('POST', '/people/' + encodeURIComponent(id) + '/suspend', { body: {} });

export const reactivatePerson = (id: string) =>
    request<Person>('POST', '/people/' + encodeURIComponent(id) + '/reactivate', { body: {} });

export const leavePerson = (id: string, body: LeaveRequest) =>
    request<Person>('POST', '/people/' + encodeURIComponent(id) + '/leave', { body });

export const unlockPerson = (id: string) =>
    request<Person>('POST', '/people/' + encodeURIComponent(id) + '/unlock', { body: {} });

export const resetPassword = (id: string, body: ResetPasswordRequest) =>
    request<Person>('POST', '/people/' + encodeURIComponent(id) + '/reset-password', { body });

/** For a lost authenticator: the person enrols a new one at their next login. */
export const resetMfa = (id: string) =>
    request<Person>('POST', '/people/' + encodeURIComponent(id) + '/reset-mfa', { body: {} });

export const createAppointment = (body: AppointmentCreate) =>
    request<Appointment>('POST', '/appointments', { body });

export const endAppointment = (id: string, body: AppointmentEnd) =>
    request<Appointment>('POST', '/appointments/' + encodeURIComponent(id) + '/end', { body });

/** The file's bytes are sent unchanged (UTF-8 or Shift_JIS: the server decides). */
export const importPeople = (data: ArrayBuffer, dryRun: boolean) =>
    request<ImportResult>('POST', '/people/import', {
        raw: { data, contentType: 'text/csv' }, query: { dry_run: dryRun ? 'true' : undefined },
    });

export const importUnits = (data: ArrayBuffer, dryRun: boolean) =>
    request<UnitImportResult>('POST', '/units/import', {
        raw: { data, contentType: 'text/csv' }, query: { dry_run: dryRun ? 'true' : undefined },
    });
