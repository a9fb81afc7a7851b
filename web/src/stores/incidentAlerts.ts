import { defineStore } from 'pinia';
import { ref } from 'vue';

import * as api from '@/api/client';

/**
 * The caller's incident notifications not yet opened (`GET /api/v1/incidents/alerts`), for the
 * header badge. Refreshed when the shell shows a page and when an incident page has opened one
 * (which the server records); a failed refresh keeps what was known.
 */
export const useIncidentAlertsStore = defineStore('incidentAlerts', () => {
    const alerts = ref<api.IncidentAlerts | null>(null);
    let inFlight: Promise<void> | null = null;
    let again = false;

    async function fetchOnce(): Promise<void> {
        try {
            alerts.value = await api.getIncidentAlerts();
        } catch {
            // The badge is a help; the pages still show every incident.
        }
    }

    /** Reads the alerts again (one request at a time; a call meanwhile asks once more after it). */
    function refresh(): Promise<void> {
        if (inFlight) {
            again = true;
            return inFlight;
        }
        inFlight = (async () => {
            do {
                again = false;
                await fetchOnce();
            } while (again);
            inFlight = null;
        })();
        return inFlight;
    }

    function clear(): void {
        alerts.value = null;
    }

    return { alerts, refresh, clear };
});
