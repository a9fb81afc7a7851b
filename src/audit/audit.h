#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/principal.h"
#include "store/database.h"

namespace mamori::audit {

/// One recorded event. `summary` says what changed — field names and new values, never a
/// secret (no passwords, hashes, tokens or TOTP secrets).
struct Event {
    std::int64_t seq = 0;
    std::string occurred_at;  ///< RFC 3339 UTC
    std::string actor_id;     ///< Empty when nobody is logged in (e.g. a failed login).
    std::string actor_name;
    std::string action;       ///< e.g. "unit.create", "auth.login_failed"
    std::string object_type;  ///< e.g. "unit", "person"
    std::string object_id;
    boost::json::object summary;
    std::string request_id;
    std::string client_address;
};

/// The one canonical serialisation of an event: RFC 8785 (JCS) of its fields (docs/ledger.md
/// lists them). The ledger hashes exactly these bytes: leaf seq-1 of the Merkle tree.
std::string Canonical(const Event& e);

/// RFC 8785 canonical JSON (the form used above, and for stored summaries).
std::string CanonicalJson(const boost::json::value& v);

/// Appends an event inside the caller's transaction, so the change and its event commit or
/// vanish together. Sequence numbers are dense and follow commit order (writers of audit
/// events are serialised). Fills in seq, occurred_at and, from `ctx`, the actor, request id
/// and client address when the event leaves them empty.
[[nodiscard]] Result<std::int64_t> Record(store::Tx& tx, const Context& ctx, Event e,
                                          const std::string& now);

/// Record for the common case of a service change: action, object and summary, the rest
/// from `ctx`.
[[nodiscard]] Result<void> RecordChange(store::Tx& tx, const Context& ctx, std::string action,
                                        std::string object_type, std::string object_id,
                                        boost::json::object summary, const std::string& now);

/// Filters for List. Empty fields do not filter.
struct Filter {
    std::string actor_id;
    std::string action;  ///< exact, or a prefix ending in '.' ("auth.")
    std::string object_type;
    std::string object_id;
    std::string from;             ///< occurred_at >= from (RFC 3339)
    std::string to;               ///< occurred_at < to
    std::int64_t before_seq = 0;  ///< cursor: only events with seq < this (0 = newest)
    int limit = 50;
};

/// Newest first. Returns at most `limit` events.
[[nodiscard]] Result<std::vector<Event>> List(store::Database& db, const Filter& f);

boost::json::object ToJson(const Event& e);
/// An object's history as the API answers it: {items: [events], next_cursor: null}.
boost::json::object HistoryJson(const std::vector<Event>& events);

/// An event from a row of `SELECT seq, occurred_at, actor_id, actor_name, action, object_type,
/// object_id, summary, request_id, client_address FROM audit_events`.
Event EventFromRow(const store::Row& r);

}  // namespace mamori::audit
