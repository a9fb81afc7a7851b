#include "audit/audit.h"

#include <algorithm>
#include <boost/json.hpp>

#include "ledger/jcs.h"
#include "ledger/ledger_store.h"
#include "ledger/merkle.h"
#include "store/where.h"

namespace mamori::audit {

namespace {
// Arbitrary constant naming the PostgreSQL advisory lock that serialises audit appends.
constexpr std::int64_t kAuditLockKey = 7283737;

}  // namespace

Event EventFromRow(const store::Row& r) {
    Event e;
    e.seq = r.Int(0);
    e.occurred_at = r.Text(1);
    e.actor_id = r.OptText(2).value_or("");
    e.actor_name = r.Text(3);
    e.action = r.Text(4);
    e.object_type = r.Text(5);
    e.object_id = r.Text(6);
    boost::json::error_code ec;
    auto v = boost::json::parse(r.Text(7), ec);
    if (!ec && v.is_object()) e.summary = std::move(v.get_object());
    e.request_id = r.Text(8);
    e.client_address = r.Text(9);
    return e;
}

std::string CanonicalJson(const boost::json::value& v) {
    // RFC 8785. Only values that cannot be canonicalised (NaN, infinities, invalid UTF-8)
    // fail, and no event holds them: they never come out of our services or JSON input.
    auto c = ledger::Canonicalize(v);
    return c ? std::move(*c) : boost::json::serialize(v);
}

boost::json::object ToJson(const Event& e) {
    return boost::json::object{
        {"seq", e.seq},
        {"occurred_at", e.occurred_at},
        {"actor_id",
         e.actor_id.empty() ? boost::json::value(nullptr) : boost::json::value(e.actor_id)},
        {"actor_name", e.actor_name},
        {"action", e.action},
        {"object_type", e.object_type},
        {"object_id", e.object_id},
        {"summary", e.summary},
        {"request_id", e.request_id},
        {"client_address", e.client_address},
    };
}

std::string Canonical(const Event& e) { return CanonicalJson(ToJson(e)); }

Result<std::int64_t> Record(store::Tx& tx, const Context& ctx, Event e, const std::string& now) {
    if (tx.backend() == store::Backend::kPostgresql) {
        // Held to commit: the next writer reads MAX(seq) only after this one is visible.
        if (auto r = tx.Query("SELECT pg_advisory_xact_lock(?)", {kAuditLockKey}); !r)
            return Fail(r.error());
    }
    auto last = tx.Query("SELECT COALESCE(MAX(seq), 0) FROM audit_events");
    if (!last) return Fail(last.error());
    e.seq = last->rows[0].Int(0) + 1;
    e.occurred_at = now;
    if (ctx.actor) {
        // Privileged work is marked, so each elevation's record shows what was done in it.
        if (ctx.actor->elevated) e.summary["elevated"] = true;
        if (e.actor_id.empty()) e.actor_id = ctx.actor->person_id;
        if (e.actor_name.empty()) e.actor_name = ctx.actor->username;
    }
    if (e.actor_name.empty()) e.actor_name = "(anonymous)";
    if (e.request_id.empty()) e.request_id = ctx.request_id;
    if (e.client_address.empty()) e.client_address = ctx.client_address;
    auto r = tx.Exec(
        "INSERT INTO audit_events (seq, occurred_at, actor_id, actor_name, action, object_type, "
        "object_id, summary, request_id, client_address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {e.seq, e.occurred_at, e.actor_id.empty() ? store::Value() : store::Value(e.actor_id),
         e.actor_name, e.action, e.object_type, e.object_id, CanonicalJson(e.summary), e.request_id,
         e.client_address});
    if (!r) return Fail(r.error());
    // The event becomes leaf seq-1 of the ledger's Merkle tree in the same transaction.
    if (auto l = ledger::AppendLeaf(tx, static_cast<std::uint64_t>(e.seq - 1),
                                    ledger::LeafHash(Canonical(e)));
        !l)
        return Fail(l.error());
    return e.seq;
}

Result<void> RecordChange(store::Tx& tx, const Context& ctx, std::string action,
                          std::string object_type, std::string object_id,
                          boost::json::object summary, const std::string& now) {
    auto r = Record(tx, ctx,
                    {.action = std::move(action),
                     .object_type = std::move(object_type),
                     .object_id = std::move(object_id),
                     .summary = std::move(summary)},
                    now);
    if (!r) return Fail(r.error());
    return {};
}

Result<std::vector<Event>> List(store::Database& db, const Filter& f) {
    store::Where where;
    if (!f.actor_id.empty()) where.Add("actor_id = ?", {f.actor_id});
    if (!f.action.empty()) {
        if (f.action.back() == '.') {  // a prefix: "auth." is everything from "auth." to "auth/"
            where.Add("action >= ? AND action < ?",
                      {f.action, f.action.substr(0, f.action.size() - 1) + "/"});
        } else {
            where.Add("action = ?", {f.action});
        }
    }
    if (!f.object_type.empty()) where.Add("object_type = ?", {f.object_type});
    if (!f.object_id.empty()) where.Add("object_id = ?", {f.object_id});
    if (!f.from.empty()) where.Add("occurred_at >= ?", {f.from});
    if (!f.to.empty()) where.Add("occurred_at < ?", {f.to});
    if (f.before_seq > 0) where.Add("seq < ?", {f.before_seq});
    const std::string sql =
        "SELECT seq, occurred_at, actor_id, actor_name, action, object_type, object_id, summary, "
        "request_id, client_address FROM audit_events" +
        where.Sql() + " ORDER BY seq DESC LIMIT ?";
    const auto params = where.With({std::clamp(f.limit, 1, 500)});
    auto rows = db.Query(sql, params);
    if (!rows) return Fail(rows.error());
    std::vector<Event> out;
    out.reserve(rows->rows.size());
    for (const auto& r : rows->rows) out.push_back(EventFromRow(r));
    return out;
}

boost::json::object HistoryJson(const std::vector<Event>& events) {
    boost::json::array items;
    for (const auto& e : events) items.push_back(ToJson(e));
    return {{"items", std::move(items)}, {"next_cursor", nullptr}};
}

}  // namespace mamori::audit
