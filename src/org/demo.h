#pragma once

#include <map>
#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "core/principal.h"
#include "org/roles.h"
#include "store/database.h"

namespace mamori::org {

/// Adds the fictional city ひばり野市 (docs/demo.md): 4 departments, 11 sections, a team,
/// 30 people and an appointment for every role of the catalog except platform_admin (a
/// person flag). Every account uses `demo_password` and may log in directly
/// (must_change_password = 0). Everything goes through OrgService and is audited with the
/// actor "(demo)". Appointments start on 1 April of the current fiscal year (JST).
/// Errors: kInvalidInput "password_policy" when the password fails the default policy;
/// kConflict "demo_exists" when the database already has units. Each change is its own
/// transaction, so a failure part-way leaves what was made (`mamori init` removes the whole
/// data directory on failure).
[[nodiscard]] Result<void> SeedDemo(store::Database& db, const Clock& clock,
                                    const std::string& demo_password);

/// 1 April of the fiscal year (年度) that contains `today` ("YYYY-MM-DD").
std::string FiscalYearStart(const std::string& today);

/// The demo people as the demo seeders of every area act through them: a person's id by
/// user name, and the principal a request of theirs would carry on `today`.
class DemoActors {
  public:
    DemoActors(store::Database& db, const RoleCatalog& roles, std::string today)
        : db_(db), roles_(roles), today_(std::move(today)) {}

    /// kInvalidInput "demo_city_missing" when there is no such person.
    [[nodiscard]] Result<std::string> Person(const std::string& username);
    /// Valid until the next call for the same person.
    [[nodiscard]] Result<Context> As(const std::string& person_id);
    /// Person, then As.
    [[nodiscard]] Result<Context> AsUser(const std::string& username);

    const std::string& today() const { return today_; }

  private:
    store::Database& db_;
    const RoleCatalog& roles_;
    std::string today_;
    std::map<std::string, Principal> principals_;
};

}  // namespace mamori::org
