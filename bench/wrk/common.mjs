// What the Node load scripts of bench/wrk/ share (requests.mjs, incidents.mjs): the server's
// address and the demo password from the environment, one keep-alive HTTP agent, login, a
// runner with a bound on requests in flight, warm-up, percentiles and the per-phase report.
// Node 18+, no dependencies.
//
// Importing this module reads MAMORI_URL (required, http://127.0.0.1:PORT) and DEMO_PASSWORD
// (required) and exits with status 2 when either is missing or wrong: the scripts talk to a
// local server only.
//
// Latency is measured per request from the call to the last byte of the answer, on keep-alive
// connections opened before the phase (warmUp; a browser keeps one open too), so it is the
// server's time plus queueing in the server and in this process (which shares the machine's
// cores). Percentiles are nearest-rank over every answered request, 2xx or not.

import http from 'node:http';
import { performance } from 'node:perf_hooks';

export const base = new URL(process.env.MAMORI_URL || '');
if (base.protocol !== 'http:' || base.hostname !== '127.0.0.1') {
    console.error('MAMORI_URL must be http://127.0.0.1:PORT');
    process.exit(2);
}
export const password = process.env.DEMO_PASSWORD;
if (!password) {
    console.error('DEMO_PASSWORD missing');
    process.exit(2);
}

/** An integer from the environment, `dflt` when unset or empty; exits with 2 outside min..max. */
export const intEnv = (name, dflt, min, max) => {
    const v = process.env[name] === undefined || process.env[name] === '' ? dflt : Number(process.env[name]);
    if (!Number.isInteger(v) || v < min || v > max) {
        console.error(`${name} must be an integer in ${min}..${max}`);
        process.exit(2);
    }
    return v;
};

/** TIMEOUT (default 300 s) for the whole script: bounded in time, whatever happens it ends. */
export function deadlineFromEnv(dflt = 300) {
    const seconds = intEnv('TIMEOUT', dflt, 10, 3600);
    setTimeout(() => {
        console.error(`FAIL: the benchmark did not finish within TIMEOUT=${seconds} s`);
        process.exit(2);
    }, seconds * 1000).unref();
    return seconds;
}

const REQUEST_TIMEOUT_MS = 60_000;

export const agent = new http.Agent({
    keepAlive: true, maxSockets: Infinity, maxFreeSockets: Infinity, scheduling: 'lifo',
});

/** One HTTP call; resolves to {status, json, ms} or {status: 0, error} on a network failure. */
export function call(method, path, { session, body } = {}) {
    return new Promise((resolve) => {
        const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
        const headers = { Accept: 'application/json' };
        if (payload) {
            headers['Content-Type'] = 'application/json';
            headers['Content-Length'] = payload.length;
        } else if (method !== 'GET') {
            headers['Content-Length'] = 0;
        }
        if (session) {
            headers.Cookie = session.cookie;
            if (method !== 'GET') headers['X-CSRF-Token'] = session.csrf;
        }
        const started = performance.now();
        const req = http.request({
            host: base.hostname, port: base.port, path, method, headers, agent,
            timeout: REQUEST_TIMEOUT_MS,
        }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                const ms = performance.now() - started;
                const text = Buffer.concat(chunks).toString('utf8');
                let json = null;
                try {
                    json = text ? JSON.parse(text) : null;
                } catch {
                    json = { raw: text.slice(0, 200) };
                }
                resolve({ status: res.statusCode, json, headers: res.headers, ms });
            });
            res.on('error', (e) => resolve({ status: 0, error: e.code || e.message, ms: performance.now() - started }));
        });
        req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
        req.on('error', (e) => resolve({ status: 0, error: e.code || e.message, ms: performance.now() - started }));
        if (payload) req.write(payload);
        req.end();
    });
}

export const errorCode = (r) => (r.status === 0 ? `network ${r.error}` : `${r.status} ${r.json?.error?.code ?? ''}`.trim());

/** Signs in with the demo password: {username, cookie, csrf, id (the person's)}. */
export async function login(username) {
    const r = await call('POST', '/api/v1/auth/login', { body: { username, password } });
    if (r.status !== 200 || r.json?.status !== 'ok') {
        throw new Error(`login ${username}: ${errorCode(r)} ${JSON.stringify(r.json)}`);
    }
    const cookie = [].concat(r.headers['set-cookie'] || [])
        .map((c) => c.split(';')[0]).find((c) => c.startsWith('mamori_session='));
    if (!cookie) throw new Error(`login ${username}: no session cookie`);
    const me = await call('GET', '/api/v1/auth/me', { session: { cookie } });
    if (me.status !== 200) throw new Error(`me ${username}: ${errorCode(me)}`);
    return { username, cookie, csrf: r.json.csrf_token, id: me.json.user.id };
}

/** Runs `jobs` (functions returning promises) with at most `limit` in flight; answers in order. */
export async function runAll(jobs, limit) {
    const results = new Array(jobs.length);
    let next = 0;
    const worker = async () => {
        while (next < jobs.length) {
            const i = next++;
            results[i] = await jobs[i]();
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
    return results;
}

/** Opens `n` keep-alive connections (n concurrent GET /healthz), so a phase does not measure TCP set-up. */
export async function warmUp(n) {
    const rs = await Promise.all(Array.from({ length: n }, () => call('GET', '/healthz')));
    const bad = rs.filter((r) => r.status !== 200);
    if (bad.length) throw new Error(`warm-up: ${bad.length} of ${n} failed (${errorCode(bad[0])})`);
}

export function percentile(sorted, p) {
    if (!sorted.length) return NaN;
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Prints a phase's count, errors (anything but `okStatus`), latency percentiles and rate. */
export function report(name, results, wallMs, okStatus) {
    const answered = results.filter((r) => r.status !== 0);
    const lat = answered.map((r) => r.ms).sort((a, b) => a - b);
    const errors = {};
    for (const r of results) {
        if (r.status === okStatus) continue;
        const k = errorCode(r);
        errors[k] = (errors[k] || 0) + 1;
    }
    const nErr = Object.values(errors).reduce((a, b) => a + b, 0);
    const s = {
        name, count: results.length, errors: nErr,
        p50: percentile(lat, 50), p90: percentile(lat, 90), p99: percentile(lat, 99), max: lat[lat.length - 1],
        rate: results.length / (wallMs / 1000), wall: wallMs,
    };
    const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
    console.log(`== ${name}: ${s.count} requests in ${(wallMs / 1000).toFixed(2)} s (${s.rate.toFixed(0)}/s), ` +
                `${nErr} errors${nErr ? ' ' + JSON.stringify(errors) : ''}`);
    console.log(`   latency ms: p50 ${f(s.p50)}  p90 ${f(s.p90)}  p99 ${f(s.p99)}  max ${f(s.max)}`);
    return s;
}

/** The city's (JST) date `days` from today, YYYY-MM-DD. */
export function jstDay(days = 0) {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' })
        .format(new Date());
    const d = new Date(`${today}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
}

/** A list of checks: check(ok, what) prints "ok" or "FAIL" and remembers the failures. */
export function checks() {
    const failures = [];
    const check = (ok, what) => {
        console.log(`   ${ok ? 'ok  ' : 'FAIL'} ${what}`);
        if (!ok) failures.push(what);
    };
    return { check, failures };
}

/** Runs the script's main(): exit 0 (or process.exitCode), or 2 with "FAIL: …" when it throws. */
export function run(main) {
    main().then(() => {
        agent.destroy();
        process.exit(process.exitCode ?? 0);
    }, (e) => {
        console.error(`FAIL: ${e.message}`);
        process.exit(2);
    });
}
