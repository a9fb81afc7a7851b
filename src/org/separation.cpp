#include "org/separation.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "org/access.h"

namespace mamori::org {

namespace {

using QueryFn =
    std::function<Result<store::ResultSet>(std::string_view, const std::vector<store::Value>&)>;

QueryFn FromTx(store::Tx& tx) {
    return [&tx](std::string_view sql, const std::vector<store::Value>& params) {
        return tx.Query(sql, params);
    };
}

QueryFn FromDb(store::Database& db) {
    return [&db](std::string_view sql, const std::vector<store::Value>& params) {
        return db.Query(sql, params);
    };
}

Error Rule(std::string code, std::string message, std::string field = {}) {
    return Error{ErrorKind::kRuleViolation, std::move(code), std::move(message), std::move(field)};
}

std::string RoleName(const RoleCatalog& c, const std::string& key) {
    const Role* r = c.Find(key);
    return r ? r->name : key;
}

Result<void> Incompatible(const QueryFn& q, const RoleCatalog& catalog,
                          const std::string& person_id, const std::string& role,
                          const Period& period) {
    for (const auto& rule : catalog.incompatible()) {
        std::string other;
        if (rule.first == role) other = rule.second;
        if (rule.second == role) other = rule.first;
        if (other.empty()) continue;
        // Overlap of [starts_on, ends_on] with the new period, NULL ends meaning open.
        std::string sql =
            "SELECT starts_on, ends_on FROM appointments WHERE person_id = ? AND role = ? "
            "AND (ends_on IS NULL OR ends_on >= ?)";
        std::vector<store::Value> params{person_id, other, period.starts_on};
        if (period.ends_on) {
            sql += " AND starts_on <= ?";
            params.emplace_back(*period.ends_on);
        }
        // An appointment ended before it began (cancelled) never overlaps anything.
        sql += " AND (ends_on IS NULL OR ends_on >= starts_on) LIMIT 1";
        auto rs = q(sql, params);
        if (!rs) return Fail(rs.error());
        if (!rs->rows.empty()) {
            const auto& r = rs->rows[0];
            return Fail(
                Rule("separation_of_duties",
                     fmt::format(
                         "兼務の禁止に当たるため任命できません (規則: {})。この職員は {} からの {} "
                         "の任命と期間が重なります",
                         rule.name, r.Text(0), RoleName(catalog, other)),
                     "role"));
        }
    }
    return {};
}

struct Holder {
    std::string person_id, username, display_name, unit_id;
};

/// Current, active holders of `role`; for `unit_id` set, only those held for that unit; for
/// `system_id` set, only those appointed for that system.
Result<std::vector<Holder>> Holders(const QueryFn& q, const std::string& role,
                                    const std::string* unit_id, const std::string& date,
                                    const std::string* system_id = nullptr) {
    std::string sql =
        "SELECT p.id, p.username, p.display_name, a.unit_id FROM appointments a "
        "JOIN people p ON p.id = a.person_id WHERE a.role = ? AND a.starts_on <= ? "
        "AND (a.ends_on IS NULL OR a.ends_on >= ?) AND p.status = 'active'";
    std::vector<store::Value> params{role, date, date};
    if (unit_id) {
        sql += " AND a.unit_id = ?";
        params.emplace_back(*unit_id);
    }
    if (system_id) {
        sql += " AND a.system_id = ?";
        params.emplace_back(*system_id);
    }
    sql += " ORDER BY a.starts_on, a.id";
    auto rs = q(sql, params);
    if (!rs) return Fail(rs.error());
    std::vector<Holder> out;
    for (const auto& r : rs->rows)
        out.push_back({r.Text(0), r.Text(1), r.Text(2), r.OptText(3).value_or("")});
    return out;
}

Result<Approver> Resolve(const QueryFn& q, store::Database& db, store::Tx* tx,
                         const RoleCatalog& catalog, const ApproverQuery& query) {
    const std::string& applicant_id = query.applicant_id;
    const std::string& starting_role = query.starting_role;
    const std::string& unit_id = query.unit_id;
    const std::string& date = query.date;
    if (!catalog.Find(starting_role))
        return Fail(Error::Invalid("unknown_role",
                                   fmt::format("知らない役割です: {}", starting_role), "role"));
    auto applicant = q("SELECT unit_id FROM people WHERE id = ?", {applicant_id});
    if (!applicant) return Fail(applicant.error());
    if (applicant->rows.empty()) return Fail(Error::NotFound("申請者が見つかりません"));
    std::string unit = unit_id.empty() ? applicant->rows[0].OptText(0).value_or("") : unit_id;

    auto tree = tx ? UnitTree::Load(*tx) : UnitTree::Load(db);
    if (!tree) return Fail(tree.error());
    if (!unit.empty() && !tree->Find(unit)) return Fail(Error::NotFound("部署が見つかりません"));
    const std::vector<std::string> levels = tree->Ancestors(unit);

    std::vector<std::string> sequence{starting_role};
    const auto& esc = catalog.escalation();
    auto pos = std::find(esc.begin(), esc.end(), starting_role);
    sequence.insert(sequence.end(), pos == esc.end() ? esc.begin() : pos + 1, esc.end());

    Approver result;
    for (const auto& role : sequence) {
        const Role* r = catalog.Find(role);
        if (!r) continue;
        std::vector<Holder> nearest;
        if (!query.system_id.empty() && role == starting_role) {
            auto h = Holders(q, role, nullptr, date, &query.system_id);
            if (!h) return Fail(h.error());
            nearest = std::move(*h);
        } else if (r->scope == RoleScope::kOrganisation) {
            auto h = Holders(q, role, nullptr, date);
            if (!h) return Fail(h.error());
            nearest = std::move(*h);
        } else {
            for (const auto& level : levels) {
                auto h = Holders(q, role, &level, date);
                if (!h) return Fail(h.error());
                if (!h->empty()) {
                    nearest = std::move(*h);
                    break;
                }
            }
        }
        const Holder* pick = nullptr;
        bool excluded = false;
        for (const auto& h : nearest) {
            if (h.person_id == applicant_id) continue;
            if (std::find(query.excluded.begin(), query.excluded.end(), h.person_id) !=
                query.excluded.end()) {
                excluded = true;
                continue;
            }
            pick = &h;
            break;
        }
        if (pick) {
            result.person_id = pick->person_id;
            result.username = pick->username;
            result.display_name = pick->display_name;
            result.role = role;
            result.unit_id = pick->unit_id;
            result.escalated = !result.steps.empty();
            return result;
        }
        if (nearest.empty()) {
            result.steps.push_back(
                {role, "vacant", fmt::format("{} が不在のため上位の役割へ回付しました", r->name)});
        } else if (excluded) {
            result.steps.push_back(
                {role, "previous_step",
                 fmt::format("{} が直前の段階の承認者と同じため上位の役割へ回付しました "
                             "(兼務の禁止)",
                             r->name)});
        } else {
            result.steps.push_back(
                {role, "applicant",
                 fmt::format("{} が申請者本人のため上位の役割へ回付しました (兼務の禁止)",
                             r->name)});
        }
    }
    return Fail(
        Rule("no_approver",
             "承認できる人がいません。申請者本人以外に承認の役割を持つ人を任命してください"));
}

Result<void> Independence(const QueryFn& q, store::Database& db, store::Tx* tx,
                          const RoleCatalog& catalog, const std::string& auditor_id,
                          const std::string& unit_id, const std::string& date) {
    auto tree = tx ? UnitTree::Load(*tx) : UnitTree::Load(db);
    if (!tree) return Fail(tree.error());
    const UnitNode* audited = tree->Find(unit_id);
    if (!audited) return Fail(Error::NotFound("監査対象の部署が見つかりません"));
    auto person = q("SELECT unit_id FROM people WHERE id = ?", {auditor_id});
    if (!person) return Fail(person.error());
    if (person->rows.empty()) return Fail(Error::NotFound("監査人が見つかりません"));
    const std::string own = person->rows[0].OptText(0).value_or("");
    if (!own.empty() && tree->Contains(unit_id, own)) {
        return Fail(
            Rule("auditor_not_independent",
                 fmt::format("監査人は自分の所属する部署 ({}) を監査できません (兼務の禁止)",
                             audited->name),
                 "auditor"));
    }
    auto held =
        q("SELECT role, unit_id FROM appointments WHERE person_id = ? AND starts_on <= ? "
          "AND (ends_on IS NULL OR ends_on >= ?) AND unit_id IS NOT NULL",
          {auditor_id, date, date});
    if (!held) return Fail(held.error());
    for (const auto& r : held->rows) {
        const std::string& role = r.Text(0);
        const std::string held_unit = r.OptText(1).value_or("");
        const Role* def = catalog.Find(role);
        const bool inside = tree->Contains(unit_id, held_unit);
        const bool above =
            def && def->scope == RoleScope::kSubtree && tree->Contains(held_unit, unit_id);
        if (inside || above) {
            return Fail(
                Rule("auditor_not_independent",
                     fmt::format("監査人は役割 ({}) を持つ部署 ({}) を監査できません (兼務の禁止)",
                                 def ? def->name : role, audited->name),
                     "auditor"));
        }
    }
    return {};
}

}  // namespace

bool Overlaps(const Period& a, const Period& b) {
    const bool a_before_b_ends = !b.ends_on || a.starts_on <= *b.ends_on;
    const bool b_before_a_ends = !a.ends_on || b.starts_on <= *a.ends_on;
    return a_before_b_ends && b_before_a_ends;
}

Result<void> Separation::CheckIncompatible(store::Tx& tx, const std::string& person_id,
                                           const std::string& role, const Period& period) const {
    return Incompatible(FromTx(tx), catalog_, person_id, role, period);
}

Result<void> Separation::CheckIncompatible(const std::string& person_id, const std::string& role,
                                           const Period& period) const {
    return Incompatible(FromDb(db_), catalog_, person_id, role, period);
}

Result<Approver> Separation::ResolveApprover(store::Tx& tx, const std::string& applicant_id,
                                             const std::string& starting_role,
                                             const std::string& unit_id,
                                             const std::string& date) const {
    return Resolve(FromTx(tx), db_, &tx, catalog_, {applicant_id, starting_role, unit_id, date});
}

Result<Approver> Separation::ResolveApprover(store::Tx& tx, const ApproverQuery& query) const {
    return Resolve(FromTx(tx), db_, &tx, catalog_, query);
}

Result<Approver> Separation::ResolveApprover(const std::string& applicant_id,
                                             const std::string& starting_role,
                                             const std::string& unit_id,
                                             const std::string& date) const {
    return Resolve(FromDb(db_), db_, nullptr, catalog_,
                   {applicant_id, starting_role, unit_id, date});
}

Result<void> Separation::CheckAuditorIndependence(store::Tx& tx, const std::string& auditor_id,
                                                  const std::string& unit_id,
                                                  const std::string& date) const {
    return Independence(FromTx(tx), db_, &tx, catalog_, auditor_id, unit_id, date);
}

Result<void> Separation::CheckAuditorIndependence(const std::string& auditor_id,
                                                  const std::string& unit_id,
                                                  const std::string& date) const {
    return Independence(FromDb(db_), db_, nullptr, catalog_, auditor_id, unit_id, date);
}

Result<void> Separation::CheckNotSelfApproval(std::string_view applicant_id,
                                              std::string_view approver_id) {
    if (applicant_id == approver_id)
        return Fail(Rule("self_approval", "申請者本人は自分の申請を承認できません (兼務の禁止)",
                         "approver"));
    return {};
}

}  // namespace mamori::org
