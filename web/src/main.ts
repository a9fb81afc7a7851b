import { createPinia } from 'pinia';
import { createApp } from 'vue';

import { setClientHooks } from '@/api/client';
import App from '@/App.vue';
import { applyDocumentLocale, i18n } from '@/i18n';
import { loginLocation, router } from '@/router';
import { useElevationStore } from '@/stores/elevation';
import { useSessionStore } from '@/stores/session';
import '@/styles/main.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia).use(router).use(i18n);

const session = useSessionStore(pinia);
const elevation = useElevationStore(pinia);

setClientHooks({
    // A lost session anywhere: back to the login page, and afterwards to where the user was.
    onUnauthorized(error) {
        session.clear();
        const current = router.currentRoute.value;
        if (current.name !== 'login') void router.push(loginLocation(current, error.code));
    },
    onElevationRequired: () => elevation.request(),
});

applyDocumentLocale();
app.mount('#app');
