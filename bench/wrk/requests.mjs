// The approval workflow under load (issue 8 target: 1,000 concurrent submissions and approvals
// keep p99 < 100 ms, with no lost or duplicated 申請番号). Run by bench/wrk/requests.sh, which
// starts a server with the demo city and no MFA; this script only talks HTTP to it.
//
//   phase 1  COUNT applications of type media_use (chain: the applicant's section manager only)
//            by the staff of eight sections, round robin, all in flight at once;
//   phase 2  each section manager reads their inbox and approves every one of them, all at once;
//   check    through GET /api/v1/requests (paged, as the auditor, who reads every unit): exactly
//            COUNT new requests, the same ids that were submitted, numbers distinct and
//            contiguous per prefix and year, every one approved.
//
// Latency is measured per request from the call to the last byte of the answer, on keep-alive
// connections opened before the phase (a browser keeps one open too), so it is the server's
// time plus queueing in the server and in this process (which shares the machine's cores).
// Percentiles are nearest-rank over every answered request, 2xx or not.
//
// Environment: MAMORI_URL (required, http://127.0.0.1:PORT), DEMO_PASSWORD (required),
// COUNT (1000), CONCURRENCY (in flight at most; default COUNT), TARGET_P99_MS (100; 0 = report
// only), TIMEOUT (300 s for the whole script). Node 18+, no dependencies; the HTTP client, login,
// runner and report are common.mjs's.

import { performance } from 'node:perf_hooks';
import {
    call, checks, deadlineFromEnv, errorCode, intEnv, jstDay, login, report, run, runAll, warmUp,
} from './common.mjs';

const COUNT = intEnv('COUNT', 1000, 1, 10000);
const CONCURRENCY = intEnv('CONCURRENCY', COUNT, 1, COUNT);
const TARGET_P99_MS = intEnv('TARGET_P99_MS', 100, 0, 100000);
deadlineFromEnv(300);

// Staff of eight sections and their section managers (docs/demo.md).
const SECTIONS = ['shimin', 'zeimu', 'kankyo', 'fukushi', 'kenko', 'toshi', 'doro', 'jinji'];
const READER = 'kansa';  // auditor of the whole organisation: reads every unit's requests
const TYPE = 'media_use';

/** Every request of TYPE the session sees, paging through with the largest page. */
async function listAll(session) {
    const items = [];
    let cursor = null;
    for (let pages = 0; pages < 1000; pages++) {
        const q = new URLSearchParams({ type: TYPE, limit: '200' });
        if (cursor) q.set('cursor', cursor);
        const r = await call('GET', `/api/v1/requests?${q}`, { session });
        if (r.status !== 200) throw new Error(`list: ${errorCode(r)}`);
        items.push(...r.json.items);
        cursor = r.json.next_cursor;
        if (!cursor) return items;
    }
    throw new Error('list: more than 1000 pages');
}

async function main() {
    const { check, failures } = checks();

    // 8 staff + 8 managers + the reader: 17 logins, under the default 20 per minute per address.
    const staff = [];
    const managers = new Map();
    for (const s of SECTIONS) {
        staff.push(await login(`${s}-staff`));
        managers.set(`${s}-kacho`, await login(`${s}-kacho`));
    }
    const reader = await login(READER);
    const before = await listAll(reader);
    const beforeIds = new Set(before.map((q) => q.id));
    console.log(`logged in ${staff.length} staff, ${managers.size} section managers and ${READER}; ` +
                `${before.length} ${TYPE} requests before`);

    // Phase 1: submissions.
    const from = jstDay(0);
    const to = jstDay(30);
    const submitJobs = Array.from({ length: COUNT }, (_, i) => {
        const session = staff[i % staff.length];
        return () => call('POST', '/api/v1/requests', {
            session,
            body: {
                type: TYPE,
                title: `負荷試験 USBメモリの使用 ${i + 1}`,
                form: {
                    media: 'usb_memory', media_id: `BENCH-${String(i + 1).padStart(5, '0')}`,
                    purpose: '負荷試験のための申請です。', period: { from, to },
                },
            },
        }).then((r) => Object.assign(r, { applicant: session.username }));
    });
    await warmUp(Math.min(CONCURRENCY, COUNT));
    let t0 = performance.now();
    const submitted = await runAll(submitJobs, CONCURRENCY);
    const submit = report(`phase 1: submit (POST /api/v1/requests, ${CONCURRENCY} in flight)`, submitted,
                          performance.now() - t0, 201);
    const created = submitted.filter((r) => r.status === 201).map((r) => r.json);
    const createdIds = new Set(created.map((q) => q.id));

    // Phase 2: each manager's inbox, then every approval at once.
    const approveJobs = [];
    const seen = new Set();
    let misrouted = 0;
    let duplicatesInInbox = 0;
    for (const [username, session] of managers) {
        const r = await call('GET', '/api/v1/inbox', { session });
        if (r.status !== 200) throw new Error(`inbox ${username}: ${errorCode(r)}`);
        const section = username.replace(/-kacho$/, '');
        for (const q of r.json.to_approve.filter((x) => createdIds.has(x.id))) {
            if (seen.has(q.id)) duplicatesInInbox++;
            seen.add(q.id);
            const applicant = staff.find((s) => s.id === q.applicant_id);
            if (!applicant || !applicant.username.startsWith(`${section}-`)) misrouted++;
            approveJobs.push(() => call('POST', `/api/v1/requests/${q.id}/approve`, {
                session, body: { comment: '負荷試験: 承認' },
            }));
        }
    }
    console.log(`inboxes: ${approveJobs.length} of ${created.length} new requests wait for a section manager`);
    await warmUp(Math.min(CONCURRENCY, Math.max(approveJobs.length, 1)));
    t0 = performance.now();
    const approved = await runAll(approveJobs, CONCURRENCY);
    const approve = report(`phase 2: approve (POST /api/v1/requests/{id}/approve, ${CONCURRENCY} in flight)`, approved,
                           performance.now() - t0, 200);

    // Checks.
    console.log('== checks');
    const after = await listAll(reader);
    const fresh = after.filter((q) => !beforeIds.has(q.id));
    const numbers = fresh.map((q) => q.number);
    check(created.length === COUNT, `${created.length}/${COUNT} submissions answered 201`);
    check(seen.size === created.length && duplicatesInInbox === 0 && misrouted === 0,
          `every new request in exactly one inbox, its own section manager's (${seen.size} found, ` +
          `${duplicatesInInbox} twice, ${misrouted} elsewhere)`);
    check(approved.filter((r) => r.status === 200 && r.json?.state === 'approved').length === COUNT,
          `${approved.filter((r) => r.status === 200 && r.json?.state === 'approved').length}/${COUNT} approvals answered 200 approved`);
    check(fresh.length === COUNT, `the list holds ${fresh.length} new ${TYPE} requests (expected ${COUNT}; paged, limit 200)`);
    check(fresh.length === createdIds.size && fresh.every((q) => createdIds.has(q.id)),
          'they are exactly the submitted ones (same ids)');
    const byId = new Map(created.map((q) => [q.id, q.number]));
    check(fresh.every((q) => byId.get(q.id) === q.number), 'each number in the list is the one the submission answered');
    const distinct = new Set(numbers).size;
    check(distinct === numbers.length, `${distinct}/${numbers.length} numbers distinct`);
    // Per prefix and year: the new numbers follow the ones before without a gap or a repeat.
    const groups = new Map();
    let malformed = 0;
    for (const q of [...before, ...fresh]) {
        const m = /^([A-Z]+)-(\d{4})-(\d{4,})$/.exec(q.number);
        if (!m) {
            malformed++;
            continue;
        }
        const key = `${m[1]}-${m[2]}`;
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push(Number(m[3]));
    }
    check(malformed === 0, `every number of the form PREFIX-YYYY-NNNN (${malformed} not)`);
    let contiguous = true;
    const spans = [];
    for (const [key, seqs] of groups) {
        seqs.sort((a, b) => a - b);
        const ok = seqs.every((n, i) => n === i + 1);
        if (!ok) contiguous = false;
        spans.push(`${key}-${String(seqs[0]).padStart(4, '0')}…${String(seqs[seqs.length - 1]).padStart(4, '0')} ` +
                   `(${seqs.length}${ok ? '' : ', NOT 1..n'})`);
    }
    check(contiguous, `numbers contiguous from 1 per prefix and year: ${spans.join(', ')}`);
    const notApproved = fresh.filter((q) => q.state !== 'approved');
    check(notApproved.length === 0, `${fresh.length - notApproved.length}/${fresh.length} approved` +
          (notApproved.length ? ` (others: ${[...new Set(notApproved.map((q) => q.state))].join(', ')})` : ''));

    const p99ok = (s) => TARGET_P99_MS === 0 || s.p99 < TARGET_P99_MS;
    if (TARGET_P99_MS > 0) {
        check(p99ok(submit), `submit p99 ${submit.p99.toFixed(1)} ms < ${TARGET_P99_MS} ms`);
        check(p99ok(approve), `approve p99 ${approve.p99.toFixed(1)} ms < ${TARGET_P99_MS} ms`);
    }
    const numbersOk = distinct === COUNT && fresh.length === COUNT && contiguous;
    console.log(`summary: COUNT=${COUNT} CONCURRENCY=${CONCURRENCY} · submit p99 ${submit.p99.toFixed(1)} ms ` +
                `(${submit.rate.toFixed(0)}/s) · approve p99 ${approve.p99.toFixed(1)} ms (${approve.rate.toFixed(0)}/s) · ` +
                `${distinct}/${COUNT} numbers distinct${numbersOk ? ' and contiguous' : ', NOT contiguous or incomplete'} · ` +
                `${fresh.length - notApproved.length}/${COUNT} approved · ${submit.errors + approve.errors} errors`);
    if (failures.length) {
        console.log(`FAIL: ${failures.length} check(s) failed`);
        process.exitCode = 1;
    }
}

run(main);
