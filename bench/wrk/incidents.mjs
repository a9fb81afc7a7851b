// Incidents at city scale (issue 9 target: creating 10,000 incidents with timelines and
// listing them with filters keeps p99 under 50 ms). Run by bench/wrk/incidents.sh, which starts
// a server with the demo city and no MFA; this script only talks HTTP to it.
//
//   phase 1  COUNT incidents reported by the staff of eight sections, round robin; each is a
//            chain of three requests: the report (POST /api/v1/incidents), a note by the
//            reporter, then an action by the section's manager (POST …/{id}/timeline).
//            CONCURRENCY chains in flight. Report and timeline latencies are reported apart.
//   phase 2  the CSIRT (soumu-csirt) accepts about a quarter of them, severities in turn
//            low, medium, high, critical (high and above also notify the 統括 and the CISO),
//            CONCURRENCY in flight;
//   phase 3  LIST_COUNT GET /api/v1/incidents with a mix of filters (state, severity,
//            category, personal_information, open, unit_id, q on a number, pages 2 and 3 by
//            cursor, limits 20/50/100), about 60 % by the CSIRT (every unit) and 40 % by the
//            eight section managers (their own section only), LIST_CONCURRENCY in flight;
//   checks   every report 201 and every entry 201, every acceptance 200; the new numbers
//            distinct and contiguous after the demo's; 50 timelines (spread over the run) hold
//            the reported entry, the note, the action and, when accepted, the state and
//            severity entries, numbered 1..n; every list answer is exactly what the filter,
//            the caller's scope, the order (number, descending, as text) and the cursor give
//            for the incidents this script knows of (so a filter returns only matching items
//            and none is missing); paging through all incidents by 200 returns each once.
//
// The attributes (category, personal information, which are accepted, the list mix) come
// from a fixed-seed generator, so two runs with the same COUNT do the same work.
// Latency: see common.mjs (call to last byte, keep-alive, the client shares the cores).
//
// Environment: MAMORI_URL (required, http://127.0.0.1:PORT), DEMO_PASSWORD (required),
// COUNT (10000, at most 20000), CONCURRENCY (20), LIST_COUNT (2000), LIST_CONCURRENCY (20),
// TARGET_P99_MS (50 for every phase; 0 = report only), TIMEOUT (600 s for the whole script).
// Node 18+, no dependencies.

import { performance } from 'node:perf_hooks';
import {
    call, checks, deadlineFromEnv, errorCode, intEnv, login, percentile, report, run, runAll, warmUp,
} from './common.mjs';

const COUNT = intEnv('COUNT', 10000, 1, 20000);
const CONCURRENCY = intEnv('CONCURRENCY', 20, 1, 1000);
const LIST_COUNT = intEnv('LIST_COUNT', 2000, 1, 20000);
const LIST_CONCURRENCY = intEnv('LIST_CONCURRENCY', 20, 1, 1000);
const TARGET_P99_MS = intEnv('TARGET_P99_MS', 50, 0, 100000);
deadlineFromEnv(600);

// Staff of eight sections and their section managers (docs/demo.md, src/org/demo.cpp).
const SECTIONS = ['shimin', 'zeimu', 'kankyo', 'fukushi', 'kenko', 'toshi', 'doro', 'jinji'];
const CSIRT = 'soumu-csirt';
const CATEGORIES = ['loss_theft', 'misdelivery', 'malware', 'unauthorized_access', 'leak', 'outage',
                    'violation', 'other'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const TIMELINE_SAMPLE = 50;
const NO_NUMBER = 'INC-0000-0000';  // q when a section has no new incident (COUNT < 8)

/** mulberry32: a small generator with a fixed seed, so runs are repeatable. */
function generator(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
const rng = generator(9);
const pick = (xs) => xs[Math.floor(rng() * xs.length)];

/** A time `minutes` ago in Japan time, RFC 3339 with its offset (2026-11-27T09:30:00+09:00). */
function jstAgo(minutes) {
    const t = new Date(Date.now() - minutes * 60_000 + 9 * 3600_000);
    return `${t.toISOString().slice(0, 19)}+09:00`;
}

/** The order of a number: year, then the counter as a number (INC-2026-10000 after INC-2026-9999). */
const serial = (number) => {
    const m = /^[A-Z]+-(\d{4})-(\d+)$/.exec(number);
    return m ? Number(m[1]) * 1_000_000 + Number(m[2]) : NaN;
};
const byNumberDesc = (a, b) => serial(b.number) - serial(a.number);

/** Every incident the session sees (optionally filtered), paging through with the largest page. */
async function listAll(session, params = {}) {
    const items = [];
    let cursor = null;
    for (let pages = 0; pages < 1000; pages++) {
        const q = new URLSearchParams({ ...params, limit: '200' });
        if (cursor) q.set('cursor', cursor);
        const r = await call('GET', `/api/v1/incidents?${q}`, { session });
        if (r.status !== 200) throw new Error(`list: ${errorCode(r)}`);
        items.push(...r.json.items);
        cursor = r.json.next_cursor;
        if (!cursor) return items;
    }
    throw new Error('list: more than 1000 pages');
}

/** Whether incident `i` matches the list filter `p` (the server's rules, docs/openapi.yaml). */
function matches(i, p) {
    if (p.state && i.state !== p.state) return false;
    if (p.open === 'true' && (i.state === 'closed' || i.state === 'duplicate')) return false;
    if (p.severity === 'none' && i.severity) return false;
    if (p.severity && p.severity !== 'none' && i.severity !== p.severity) return false;
    if (p.category && i.category !== p.category) return false;
    if (p.unit_id && i.unit_id !== p.unit_id) return false;
    if (p.personal_information && i.personal_information !== (p.personal_information === 'true')) return false;
    if (p.q && !i.number.includes(p.q.toUpperCase()) && !i.title.toLowerCase().includes(p.q.toLowerCase())) return false;
    if (p.cursor && !(serial(i.number) < serial(p.cursor))) return false;
    return true;
}

/** The items a list request must answer, from what this script knows (`visible`, sorted by byNumberDesc). */
function expected(visible, p) {
    const limit = Number(p.limit || 50);
    const out = [];
    for (const i of visible) {
        if (out.length === limit) break;
        if (matches(i, p)) out.push(i);
    }
    return out;
}

/** Small figures for one group of answers: count, p50, p99, max. */
function latencyLine(results) {
    const lat = results.filter((r) => r.status !== 0).map((r) => r.ms).sort((a, b) => a - b);
    const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
    return `${String(results.length).padStart(5)}  p50 ${f(percentile(lat, 50)).padStart(6)}  ` +
           `p99 ${f(percentile(lat, 99)).padStart(6)}  max ${f(lat[lat.length - 1]).padStart(6)}`;
}

async function main() {
    const { check, failures } = checks();

    // 8 staff + 8 managers + the CSIRT: 17 logins, under the default 20 per minute per address.
    const staff = [];
    const managers = [];
    for (const s of SECTIONS) {
        staff.push(await login(`${s}-staff`));
        managers.push(await login(`${s}-kacho`));
    }
    const csirt = await login(CSIRT);
    const before = await listAll(csirt);
    // What each manager already sees (the demo's incidents of their section or told to them).
    const managerBefore = [];
    for (const m of managers) managerBefore.push(await listAll(m));
    console.log(`logged in ${staff.length} staff, ${managers.length} section managers and ${CSIRT}; ` +
                `${before.length} incidents before`);

    // Phase 1: COUNT chains (report, note by the reporter, action by the section manager).
    const plan = Array.from({ length: COUNT }, (_, i) => ({
        k: i % SECTIONS.length,
        category: pick(CATEGORIES),
        personal: rng() < 0.3,
        accept: rng() < 0.25,
        minutesAgo: 1 + Math.floor(rng() * 3 * 24 * 60),
    }));
    const reports = new Array(COUNT);
    const entries = [];
    const chainJobs = plan.map((p, i) => async () => {
        const reporter = staff[p.k];
        const r = await call('POST', '/api/v1/incidents', {
            session: reporter,
            body: {
                title: `負荷試験の報告 #${i + 1}`,
                description: '負荷試験のためのインシデント報告です。窓口で書類の取り違えに気づきました。',
                category: p.category,
                discovered_at: jstAgo(p.minutesAgo),
                personal_information: p.personal,
                ...(i % 2 ? { scope_estimate: '住民 1 名分の書類' } : {}),
            },
        });
        reports[i] = r;
        if (r.status !== 201) return;
        const id = r.json.id;
        entries.push(Object.assign(await call('POST', `/api/v1/incidents/${id}/timeline`, {
            session: reporter, body: { kind: 'note', text: '発見した職員のメモ: 書類は回収済みです。' },
        }), { kind: 'note' }));
        entries.push(Object.assign(await call('POST', `/api/v1/incidents/${id}/timeline`, {
            session: managers[p.k], body: { kind: 'action', text: '課長が相手方に連絡し、書類を回収しました。' },
        }), { kind: 'action' }));
    });
    await warmUp(Math.min(CONCURRENCY, COUNT));
    let t0 = performance.now();
    await runAll(chainJobs, CONCURRENCY);
    let wall = performance.now() - t0;
    console.log(`phase 1: ${COUNT} incidents, each reported then given a note and an action, ` +
                `${CONCURRENCY} in flight; ${(3 * COUNT / (wall / 1000)).toFixed(0)} requests/s in all`);
    const rep = report(`phase 1a: report (POST /api/v1/incidents, ${CONCURRENCY} in flight)`, reports, wall, 201);
    const tl = report(`phase 1b: timeline entries (POST /api/v1/incidents/{id}/timeline, note and action)`,
                      entries, wall, 201);
    const created = reports.map((r, i) => (r?.status === 201 ? { ...r.json, plan: plan[i] } : null));
    const made = created.filter(Boolean);

    // Phase 2: the CSIRT accepts about a quarter, with severities in turn.
    const toAccept = made.filter((i) => i.plan.accept);
    const acceptJobs = toAccept.map((inc, j) => () => call('POST', `/api/v1/incidents/${inc.id}/transitions`, {
        session: csirt, body: { to: 'accepted', severity: SEVERITIES[j % SEVERITIES.length] },
    }).then((r) => Object.assign(r, { inc, severity: SEVERITIES[j % SEVERITIES.length] })));
    await warmUp(Math.min(CONCURRENCY, Math.max(acceptJobs.length, 1)));
    t0 = performance.now();
    const accepted = await runAll(acceptJobs, CONCURRENCY);
    const acc = report(`phase 2: accept (POST /api/v1/incidents/{id}/transitions by the CSIRT, ${CONCURRENCY} in flight)`,
                       accepted, performance.now() - t0, 200);
    // What the script knows of every incident now.
    const known = new Map(before.map((i) => [i.id, i]));
    for (const i of made) known.set(i.id, i);
    for (const r of accepted) {
        if (r.status === 200) known.set(r.json.id, r.json);
    }
    const all = [...known.values()].sort(byNumberDesc);

    // Phase 3: lists with filters.
    const unitOf = SECTIONS.map((_, k) => made.find((i) => i.plan.k === k)?.unit_id ?? '');
    // A section manager reads what they saw before and every new incident of their section.
    const madeIds = new Set(made.map((i) => i.id));
    const managerVisible = managers.map((_, k) => {
        const ids = new Set(managerBefore[k].map((i) => i.id));
        return all.filter((i) => ids.has(i.id) || (madeIds.has(i.id) && i.unit_id === unitOf[k]));
    });
    const numberOf = (k) => {
        const own = made.filter((i) => k === undefined || i.plan.k === k);
        return own.length ? pick(own).number : NO_NUMBER;
    };
    const csirtFilters = [
        ['none', () => ({})],
        ['state', () => ({ state: pick(['reported', 'accepted']) })],
        ['state+open', () => ({ state: 'reported', open: 'true' })],
        ['severity', () => ({ severity: pick([...SEVERITIES, 'none']) })],
        ['category', () => ({ category: pick(CATEGORIES) })],
        ['personal_information', () => ({ personal_information: pick(['true', 'false']) })],
        ['open', () => ({ open: 'true' })],
        ['unit_id', () => ({ unit_id: pick(unitOf) })],
        ['q number', () => ({ q: numberOf() })],
        ['state+severity+category', () => ({ state: 'accepted', severity: pick(SEVERITIES), category: pick(CATEGORIES) })],
        ['unit_id+personal', () => ({ unit_id: pick(unitOf), personal_information: 'true' })],
        ['category+open+severity', () => ({ category: pick(CATEGORIES), open: 'true', severity: pick(SEVERITIES) })],
        ['page 2-3', () => ({ page: pick([2, 3]) })],
        ['page 2-3 state', () => ({ state: 'accepted', page: pick([2, 3]) })],
        ['page 2-3 unit_id', () => ({ unit_id: pick(unitOf), page: pick([2, 3]) })],
        ['page 2 personal', () => ({ personal_information: 'true', page: 2 })],
    ];
    const managerFilters = [
        ['none', () => ({})],
        ['state', () => ({ state: 'reported' })],
        ['personal+open', () => ({ personal_information: 'true', open: 'true' })],
        ['category', () => ({ category: pick(CATEGORIES) })],
        ['severity', () => ({ severity: pick(SEVERITIES) })],
        ['q own number', (k) => ({ q: numberOf(k) })],
        ['q other number', (k) => ({ q: numberOf((k + 1 + Math.floor(rng() * (SECTIONS.length - 1))) % SECTIONS.length) })],
        ['page 2', () => ({ page: 2 })],
    ];
    const plans = Array.from({ length: LIST_COUNT }, () => {
        const byCsirt = rng() < 0.6;
        const k = Math.floor(rng() * managers.length);
        const [kind, make] = pick(byCsirt ? csirtFilters : managerFilters);
        const p = make(k);
        const limit = pick(['50', '50', '50', '20', '100']);
        if (limit !== '50') p.limit = limit;
        return { who: byCsirt ? 'csirt' : 'manager', k, kind: `${byCsirt ? 'CSIRT' : 'manager'} ${kind}`, p };
    });
    // Pages 2 and 3: the cursor a client would have from the pages before (read now, not timed).
    const cursors = new Map();
    for (const pl of plans) {
        if (!pl.p.page) continue;
        const { page, ...rest } = pl.p;
        const session = pl.who === 'csirt' ? csirt : managers[pl.k];
        const key = `${session.username} ${JSON.stringify(rest)}`;
        if (!cursors.has(key)) {
            const found = [];
            let cursor = null;
            for (let n = 2; n <= 3; n++) {
                const q = new URLSearchParams(rest);
                if (cursor) q.set('cursor', cursor);
                const r = await call('GET', `/api/v1/incidents?${q}`, { session });
                if (r.status !== 200) throw new Error(`cursor for ${key}: ${errorCode(r)}`);
                cursor = r.json.next_cursor;
                found.push(cursor);
                if (!cursor) break;
            }
            cursors.set(key, found);
        }
        const cursor = cursors.get(key)[page - 2];
        pl.p = cursor ? { ...rest, cursor } : rest;  // fewer pages than that: the first page
    }
    const listJobs = plans.map((pl) => () => call('GET', `/api/v1/incidents?${new URLSearchParams(pl.p)}`, {
        session: pl.who === 'csirt' ? csirt : managers[pl.k],
    }).then((r) => Object.assign(r, { pl })));
    await warmUp(Math.min(LIST_CONCURRENCY, LIST_COUNT));
    t0 = performance.now();
    const lists = await runAll(listJobs, LIST_CONCURRENCY);
    const lst = report(`phase 3: list (GET /api/v1/incidents with filters, ${LIST_CONCURRENCY} in flight)`,
                       lists, performance.now() - t0, 200);
    const kinds = [...new Set(plans.map((pl) => pl.kind))].sort();
    console.log('   by caller and filter:      count      ms');
    for (const kind of kinds) console.log(`   ${kind.padEnd(32)} ${latencyLine(lists.filter((r) => r.pl.kind === kind))}`);

    // Checks.
    console.log('== checks');
    check(made.length === COUNT, `${made.length}/${COUNT} reports answered 201`);
    const okEntries = entries.filter((r) => r.status === 201);
    check(okEntries.length === 2 * COUNT, `${okEntries.length}/${2 * COUNT} timeline entries answered 201`);
    const goodAccepts = accepted.filter((r) => r.status === 200 && r.json?.state === 'accepted' && r.json?.severity === r.severity);
    check(goodAccepts.length === toAccept.length,
          `${goodAccepts.length}/${toAccept.length} acceptances answered 200, accepted with the severity given`);
    // Numbers: distinct, contiguous, following the demo's.
    const numRe = /^INC-(\d{4})-(\d{4,})$/;
    const seqs = made.map((i) => numRe.exec(i.number)).filter(Boolean).map((m) => Number(m[2])).sort((a, b) => a - b);
    const years = new Set(made.map((i) => numRe.exec(i.number)?.[1]));
    const distinct = new Set(made.map((i) => i.number)).size;
    check(seqs.length === made.length, `every number of the form INC-YYYY-NNNN (${made.length - seqs.length} not)`);
    check(distinct === made.length, `${distinct}/${made.length} numbers distinct`);
    const beforeMax = Math.max(0, ...before.map((i) => numRe.exec(i.number)).filter((m) => m && years.has(m[1])).map((m) => Number(m[2])));
    const contiguous = years.size === 1 && seqs.every((n, i) => n === beforeMax + 1 + i);
    const span = seqs.length ? `INC-${[...years].join('/')}-${String(seqs[0]).padStart(4, '0')}…${String(seqs[seqs.length - 1]).padStart(4, '0')}` : '-';
    check(contiguous, `numbers contiguous after the ${beforeMax} before: ${span} (${seqs.length})`);
    // Timelines: a sample spread over the run, accepted ones included.
    const sample = [];
    for (let j = 0; j < Math.min(TIMELINE_SAMPLE, made.length); j++) {
        sample.push(made[Math.floor((j * made.length) / Math.min(TIMELINE_SAMPLE, made.length))]);
    }
    let timelinesOk = 0;
    const timelineProblems = [];
    for (const inc of sample) {
        const r = await call('GET', `/api/v1/incidents/${inc.id}/timeline`, { session: csirt });
        const items = r.json?.items ?? [];
        const kindsSeen = items.map((e) => e.kind);
        const wantAccepted = known.get(inc.id).state === 'accepted';
        const ok = r.status === 200 && items.length >= 3 && items.every((e, n) => e.seq === n + 1) &&
            kindsSeen[0] === 'reported' && items[0].author_id === inc.reporter_id &&
            items.some((e) => e.kind === 'note' && e.author_id === staff[inc.plan.k].id) &&
            items.some((e) => e.kind === 'action' && e.author_id === managers[inc.plan.k].id) &&
            (!wantAccepted || (kindsSeen.includes('state') && kindsSeen.includes('severity')));
        if (ok) timelinesOk++;
        else if (timelineProblems.length < 3) timelineProblems.push(`${inc.number}: ${r.status} [${kindsSeen.join(', ')}]`);
    }
    check(timelinesOk === sample.length,
          `${timelinesOk}/${sample.length} sampled timelines hold reported, note (reporter), action (manager)` +
          `${timelineProblems.length ? ' — ' + timelineProblems.join('; ') : ''}, and state + severity when accepted`);
    // Lists: each answer is exactly what the filter gives.
    let exact = 0;
    let nonEmpty = 0;
    const listProblems = [];
    for (const r of lists) {
        if (r.status !== 200) continue;
        const visible = r.pl.who === 'csirt' ? all : managerVisible[r.pl.k];
        const want = expected(visible, r.pl.p).map((i) => i.number);
        const got = r.json.items.map((i) => i.number);
        const wrongItems = r.json.items.filter((i) => !matches(i, r.pl.p)).length;
        if (got.length) nonEmpty++;
        if (wrongItems === 0 && got.join() === want.join()) exact++;
        else if (listProblems.length < 3) {
            listProblems.push(`${r.pl.kind} ${JSON.stringify(r.pl.p)}: got ${got.length} (${wrongItems} not matching), ` +
                              `expected ${want.length}; first ${got[0]} vs ${want[0]}`);
        }
    }
    const answered = lists.filter((r) => r.status === 200).length;
    check(answered === LIST_COUNT, `${answered}/${LIST_COUNT} lists answered 200`);
    check(exact === answered, `${exact}/${answered} list answers exactly the expected items (filter, scope, order, cursor, limit); ` +
          `${nonEmpty} of them non-empty` + (listProblems.length ? ` — ${listProblems.join('; ')}` : ''));
    const qOwn = lists.filter((r) => r.status === 200 && r.pl.p.q !== NO_NUMBER &&
                                     (r.pl.kind === 'manager q own number' || r.pl.kind === 'CSIRT q number'));
    const qOther = lists.filter((r) => r.status === 200 && r.pl.kind === 'manager q other number');
    // (A number is searched as text: INC-2026-1000 also finds INC-2026-10000 … 10009.)
    check(qOwn.every((r) => r.json.items.some((i) => i.number === r.pl.p.q) &&
                            r.json.items.every((i) => i.number.includes(r.pl.p.q))) &&
          qOther.every((r) => r.json.items.every((i) => i.unit_id === unitOf[r.pl.k] && i.number !== r.pl.p.q)),
          `q on a number finds that incident (${qOwn.length} lists), and a manager nothing when it ` +
          `belongs to another section (${qOther.length} lists)`);
    const paged = await listAll(csirt);
    const pagedIds = new Set(paged.map((i) => i.id));
    check(paged.length === all.length && pagedIds.size === all.length && all.every((i) => pagedIds.has(i.id)),
          `paging through every incident by 200 returns each once (${paged.length} items, ${pagedIds.size} distinct, ` +
          `${all.length} expected)`);
    const newest = seqs.length ? `INC-${[...years][0]}-${String(seqs[seqs.length - 1]).padStart(4, '0')}` : '';
    if (paged.length && newest && paged[0].number !== newest) {
        console.log(`   note the first item of the list is ${paged[0].number}, not the newest ${newest}: ` +
                    'numbers are ordered as text, and past 9999 they have five digits');
    }

    const p99ok = (s) => TARGET_P99_MS === 0 || s.p99 < TARGET_P99_MS;
    if (TARGET_P99_MS > 0) {
        for (const [name, s] of [['report', rep], ['timeline entry', tl], ['accept', acc], ['list', lst]]) {
            check(p99ok(s), `${name} p99 ${s.p99.toFixed(1)} ms < ${TARGET_P99_MS} ms`);
        }
    }
    const f = (s) => `p99 ${s.p99.toFixed(1)} ms (${s.rate.toFixed(0)}/s)`;
    console.log(`summary: COUNT=${COUNT} CONCURRENCY=${CONCURRENCY} LIST_COUNT=${LIST_COUNT} ` +
                `LIST_CONCURRENCY=${LIST_CONCURRENCY} · report ${f(rep)} · timeline ${f(tl)} · ` +
                `accept ${f(acc)} (${toAccept.length}) · list ${f(lst)} · ` +
                `${distinct}/${COUNT} numbers distinct${contiguous ? ' and contiguous' : ', NOT contiguous or incomplete'} · ` +
                `timelines ${timelinesOk}/${sample.length} · lists exact ${exact}/${LIST_COUNT} · ` +
                `${rep.errors + tl.errors + acc.errors + lst.errors} errors`);
    if (failures.length) {
        console.log(`FAIL: ${failures.length} check(s) failed`);
        process.exitCode = 1;
    }
}

run(main);
