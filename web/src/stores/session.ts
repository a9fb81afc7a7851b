import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

import * as api from '@/api/client';

/** The logged-in person, the role catalog, and the elevation window. */
export const useSessionStore = defineStore('session', () => {
    const me = ref<api.Me | null>(null);
    const roles = ref<api.RoleCatalog | null>(null);
    /** End of the elevated window (ms since epoch), when this page elevated it. */
    const elevatedUntil = ref<number | null>(null);
    /** The server says the session is elevated but this page does not know until when. */
    const elevatedUnknownEnd = ref(false);

    const user = computed(() => me.value?.user ?? null);
    const loggedIn = computed(() => me.value !== null);

    function can(permission: string): boolean {
        return me.value?.user.permissions.includes(permission) ?? false;
    }

    /** Loads who is logged in. `quiet401`: a 401 is for the caller (the router) to handle. */
    async function fetchMe(opts: { quiet401?: boolean } = {}): Promise<api.Me> {
        const m = await api.getMe(opts);
        me.value = m;
        if (!m.elevated) {
            elevatedUntil.value = null;
            elevatedUnknownEnd.value = false;
        } else if (m.elevated_until) {
            setElevated(m.elevated_until);
        } else if (elevatedUntil.value === null) {
            elevatedUnknownEnd.value = true;
        }
        return m;
    }

    async function fetchRoles(): Promise<api.RoleCatalog> {
        if (!roles.value) roles.value = await api.listRoles();
        return roles.value;
    }

    function roleName(key: string): string {
        return roles.value?.items.find((r) => r.key === key)?.name ?? key;
    }

    function setElevated(until: string): void {
        const t = Date.parse(until);
        elevatedUntil.value = Number.isNaN(t) ? null : t;
        elevatedUnknownEnd.value = false;
        if (me.value) me.value.elevated = true;
    }

    function dropElevation(): void {
        elevatedUntil.value = null;
        elevatedUnknownEnd.value = false;
        if (me.value) me.value.elevated = false;
    }

    /** Forgets everything about the session (logout, or the server said 401). */
    function clear(): void {
        me.value = null;
        roles.value = null;
        elevatedUntil.value = null;
        elevatedUnknownEnd.value = false;
        api.clearCsrfToken();
    }

    async function logout(): Promise<void> {
        try {
            await api.logout();
        } finally {
            clear();
        }
    }

    return {
        me, roles, elevatedUntil, elevatedUnknownEnd, user, loggedIn,
        can, fetchMe, fetchRoles, roleName, setElevated, dropElevation, clear, logout,
    };
});
