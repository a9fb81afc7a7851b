#include "workflow/lookup.h"

#include "core/service_support.h"

namespace mamori::workflow {

Result<std::vector<LookupItem>> Lookup(store::Database& db, const Context& ctx, LookupKind kind,
                                       const std::string& q, int limit) {
    if (auto actor = service::ActorOf(ctx); !actor) return Fail(actor.error());
    const char* sql = nullptr;
    switch (kind) {
        case LookupKind::kPerson:
            sql =
                "SELECT p.id, p.display_name, COALESCE(u.name, '') FROM people p LEFT JOIN units "
                "u ON u.id = p.unit_id WHERE p.status = 'active' AND p.display_name LIKE ? "
                "ESCAPE '\\' ORDER BY p.display_name, p.id LIMIT ?";
            break;
        case LookupKind::kUnit:
            sql =
                "SELECT u.id, u.name, COALESCE(parent.name, '') FROM units u LEFT JOIN units "
                "parent ON parent.id = u.parent_id WHERE u.status = 'active' AND u.name LIKE ? "
                "ESCAPE '\\' ORDER BY u.name, u.id LIMIT ?";
            break;
        case LookupKind::kSystem:
            sql =
                "SELECT s.id, s.name, u.name FROM systems s JOIN units u ON u.id = "
                "s.owner_unit_id WHERE s.status <> 'retired' AND s.name LIKE ? ESCAPE '\\' "
                "ORDER BY s.name, s.id LIMIT ?";
            break;
    }
    auto rs = db.Query(sql, {service::LikePattern(q), service::ClampLimit(limit, 50)});
    if (!rs) return Fail(rs.error());
    std::vector<LookupItem> out;
    for (const auto& r : rs->rows) out.push_back({r.Text(0), r.Text(1), r.Text(2)});
    return out;
}

}  // namespace mamori::workflow
