import { fileURLToPath, URL } from 'node:url';

import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { defineConfig } from 'vite';

// The SPA is served by the mamori binary, whose Content-Security-Policy allows scripts only
// from 'self' (no inline scripts, no eval) and inline styles. `npm run dev` proxies /api to a
// local `mamori serve` on 127.0.0.1:8080.
export default defineConfig({
    plugins: [
        vue(),
        // Element Plus components used in templates are imported on demand, with their CSS.
        Components({
            dts: 'src/components.d.ts',
            resolvers: [ElementPlusResolver({ importStyle: 'css' })],
        }),
    ],
    resolve: {
        alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
    },
    define: {
        // vue-i18n: JIT-compile messages to an AST (never `new Function`, so CSP-safe) and
        // leave out the legacy API and devtools.
        __VUE_I18N_FULL_INSTALL__: true,
        __VUE_I18N_LEGACY_API__: false,
        __INTLIFY_JIT_COMPILATION__: true,
        __INTLIFY_DROP_MESSAGE_COMPILER__: false,
        __INTLIFY_PROD_DEVTOOLS__: false,
    },
    build: {
        outDir: 'dist',
        emptyOutDir: true,
        target: 'es2022',
        sourcemap: false,
        reportCompressedSize: true,
        // The largest chunk is ECharts (the coverage charts, ~170 KB gzipped), loaded only on
        // that page; the initial download is checked by tests/e2e/bundle_size.test.mjs.
        chunkSizeWarningLimit: 560,
    },
    server: {
        proxy: { '/api': 'http://127.0.0.1:8080' },
    },
});
