#pragma once

#include <string>

#include "core/clock.h"
#include "core/error.h"
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

}  // namespace mamori::org
