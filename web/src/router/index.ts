import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router';

import { ApiError } from '@/api/client';
import { useSessionStore } from '@/stores/session';

declare module 'vue-router' {
    interface RouteMeta {
        /** Reachable without a session (the login page). */
        public?: boolean;
        /** The permission a page needs (its link is hidden without it). */
        permission?: string;
        /** i18n key of the page title. */
        title?: string;
        /** The navigation item to mark as current (for pages below a list, such as a person). */
        nav?: string;
    }
}

// Each page is its own chunk, loaded when first visited.
export const router = createRouter({
    history: createWebHistory(),
    routes: [
        {
            path: '/login',
            name: 'login',
            component: () => import('@/views/LoginView.vue'),
            meta: { public: true, title: 'login.title' },
        },
        {
            path: '/',
            component: () => import('@/layouts/AppShell.vue'),
            children: [
                { path: '', name: 'home', component: () => import('@/views/HomeView.vue'),
                  meta: { title: 'home.title' } },
                { path: 'org', name: 'units', component: () => import('@/views/org/UnitsView.vue'),
                  meta: { permission: 'org.read', title: 'org.title' } },
                { path: 'org/people', name: 'people', component: () => import('@/views/org/PeopleView.vue'),
                  meta: { permission: 'org.read', title: 'people.title' } },
                { path: 'org/people/:id', name: 'person', component: () => import('@/views/org/PersonView.vue'),
                  meta: { permission: 'org.read', title: 'person.title', nav: 'people' } },
                { path: 'org/import', name: 'org-import', component: () => import('@/views/org/ImportView.vue'),
                  meta: { permission: 'org.manage', title: 'orgImport.title' } },
                // The registers of 対策基準 4 and 5. The asset register lives at `/inventory`, not
                // `/assets/…`: the server answers every path under `/assets/` from the web build's own
                // files (Vite's bundles, 404 when missing), so an app route there could not be
                // reloaded or linked. `/assets` (no slash) still leads to the register.
                // `inventory/import`, `/review` and `/warnings` are matched before
                // `inventory/:id` (static segments rank first).
                { path: 'assets', redirect: (to) => ({ name: 'assets', query: to.query }) },
                { path: 'inventory', name: 'assets', component: () => import('@/views/assets/AssetsView.vue'),
                  meta: { permission: 'assets.read', title: 'assets.title' } },
                { path: 'inventory/import', name: 'assets-import', component: () => import('@/views/assets/AssetImportView.vue'),
                  meta: { permission: 'assets.manage', title: 'assetImport.title' } },
                { path: 'inventory/review', name: 'assets-review', component: () => import('@/views/assets/AssetReviewView.vue'),
                  meta: { permission: 'assets.read', title: 'assetReview.title' } },
                { path: 'inventory/warnings', name: 'assets-warnings',
                  component: () => import('@/views/assets/AssetWarningsView.vue'),
                  meta: { permission: 'assets.read', title: 'assetWarnings.title' } },
                { path: 'inventory/:id', name: 'asset', component: () => import('@/views/assets/AssetView.vue'),
                  meta: { permission: 'assets.read', title: 'asset.title', nav: 'assets' } },
                { path: 'systems', name: 'systems', component: () => import('@/views/assets/SystemsView.vue'),
                  meta: { permission: 'assets.read', title: 'systems.title' } },
                { path: 'systems/:id', name: 'system', component: () => import('@/views/assets/SystemView.vue'),
                  meta: { permission: 'assets.read', title: 'system.title', nav: 'systems' } },
                // The policy: every logged-in user reads it. `policy/basic/…` and the pages below
                // `policy/` are matched before `policy/:ref` (static segments rank first).
                { path: 'policy/basic/:ref?', name: 'policy-basic', component: () => import('@/views/policy/PolicyView.vue'),
                  meta: { title: 'policy.title', nav: 'policy' } },
                { path: 'policy/versions', name: 'policy-versions',
                  component: () => import('@/views/policy/PolicyVersionsView.vue'),
                  meta: { title: 'policyVersions.title' } },
                { path: 'policy/coverage', name: 'policy-coverage',
                  component: () => import('@/views/policy/CoverageView.vue'),
                  meta: { title: 'coverage.title' } },
                { path: 'policy/acknowledgements', name: 'policy-acknowledgements',
                  component: () => import('@/views/policy/AcknowledgementsView.vue'),
                  meta: { permission: 'policy.acknowledgements.read', title: 'acks.title' } },
                { path: 'policy/:ref?', name: 'policy', component: () => import('@/views/policy/PolicyView.vue'),
                  meta: { title: 'policy.title' } },
                // 申請・承認 (docs/workflow.md): every signed-in person applies; who sees and
                // decides what is the server's. `requests/new/…` is matched before `requests/:id`.
                { path: 'requests', name: 'requests', component: () => import('@/views/requests/RequestsView.vue'),
                  meta: { title: 'requests.title' } },
                { path: 'requests/new/:type?', name: 'request-new',
                  component: () => import('@/views/requests/RequestNewView.vue'),
                  meta: { title: 'requestNew.title', nav: 'requests' } },
                { path: 'requests/:id', name: 'request', component: () => import('@/views/requests/RequestView.vue'),
                  meta: { title: 'request.title', nav: 'requests' } },
                { path: 'requests/:id/resubmit', name: 'request-resubmit',
                  component: () => import('@/views/requests/RequestEditView.vue'),
                  meta: { title: 'requestEdit.title', nav: 'requests' } },
                // 例外措置台帳 (対策基準 9-4(3), docs/workflow.md): read with exceptions.read; the review
                // form shows only with exceptions.review.
                { path: 'exceptions', name: 'exceptions', component: () => import('@/views/exceptions/ExceptionsView.vue'),
                  meta: { permission: 'exceptions.read', title: 'exceptions.title' } },
                { path: 'exceptions/:id', name: 'exception', component: () => import('@/views/exceptions/ExceptionView.vue'),
                  meta: { permission: 'exceptions.read', title: 'exception.title', nav: 'exceptions' } },
                // インシデント (対策基準 7-3, 9-3; docs/incidents.md): anyone reports (the header's
                // button) and opens an incident they reported or were told of, so its page needs no
                // permission here (the server decides); the board and the statistics need
                // incidents.read. `incidents/stats` is matched before `incidents/:id`.
                { path: 'incidents', name: 'incidents', component: () => import('@/views/incidents/IncidentsView.vue'),
                  meta: { permission: 'incidents.read', title: 'incidents.title' } },
                { path: 'incidents/stats', name: 'incident-stats',
                  component: () => import('@/views/incidents/IncidentStatsView.vue'),
                  meta: { permission: 'incidents.read', title: 'incidentStats.title' } },
                { path: 'incidents/:id', name: 'incident', component: () => import('@/views/incidents/IncidentView.vue'),
                  meta: { title: 'incident.title', nav: 'incidents' } },
                { path: 'audit', name: 'audit', component: () => import('@/views/AuditLogView.vue'),
                  meta: { permission: 'audit.read', title: 'audit.title' } },
                { path: 'ledger', name: 'ledger', component: () => import('@/views/ledger/LedgerView.vue'),
                  meta: { permission: 'audit.read', title: 'ledger.title' } },
                { path: 'account', name: 'account', component: () => import('@/views/AccountView.vue'),
                  meta: { title: 'account.title' } },
                { path: ':pathMatch(.*)*', name: 'not-found',
                  component: () => import('@/views/NotFoundView.vue'),
                  meta: { title: 'notFound.title' } },
            ],
        },
    ],
});

/** Only paths inside this app may be a place to return to after login. */
export function safeRedirect(value: unknown): string {
    return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') &&
        !value.startsWith('/login') ? value : '/';
}

export function loginLocation(from: RouteLocationNormalized | string, reason?: string) {
    const redirect = typeof from === 'string' ? from : from.fullPath;
    const query: Record<string, string> = {};
    if (redirect && redirect !== '/') query.redirect = redirect;
    if (reason) query.reason = reason;
    return { name: 'login', query };
}

router.beforeEach(async (to) => {
    if (to.meta.public) return true;
    const session = useSessionStore();
    if (!session.loggedIn) {
        try {
            await session.fetchMe({ quiet401: true });
        } catch (e) {
            if (e instanceof ApiError && (e.status === 401 || e.code === 'login_incomplete')) {
                return loginLocation(to);
            }
            throw e;
        }
    }
    if (to.meta.permission && !session.can(to.meta.permission)) return { name: 'home' };
    return true;
});
