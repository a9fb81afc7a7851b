#include "store/migrate.h"

#include <fmt/format.h>

#include "core/clock.h"
#include "store/dialect.h"

namespace mamori::store {

namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL)";

Result<int> CurrentVersion(Tx& tx) {
    auto r = tx.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!r) return Fail(r.error());
    return static_cast<int>(r->rows.at(0).Int(0));
}

}  // namespace

Result<int> SchemaVersion(Database& db) {
    return db.Transact([](Tx& tx) -> Result<int> {
        if (auto r = tx.connection().RunScript(kCreateTable); !r) return Fail(r.error());
        return CurrentVersion(tx);
    });
}

Result<MigrationReport> Migrate(Database& db, const std::vector<Migration>& ms) {
    return db.Transact([&](Tx& tx) -> Result<MigrationReport> {
        if (db.backend() == Backend::kPostgresql) {
            // Two processes starting at once must not both migrate.
            if (auto r = tx.Query("SELECT pg_advisory_xact_lock(7283736)"); !r)
                return Fail(r.error());
        }
        if (auto r = tx.connection().RunScript(kCreateTable); !r) return Fail(r.error());
        auto current = CurrentVersion(tx);
        if (!current) return Fail(current.error());
        MigrationReport report{*current, *current};
        const int newest = ms.empty() ? 0 : ms.back().version;
        if (*current > newest)
            return Fail(Error::Conflict(
                "schema_too_new",
                fmt::format("the database schema is version {}, newer than this mamori knows "
                            "(version {}); use a newer mamori binary",
                            *current, newest)));
        const std::string now = FormatRfc3339(std::chrono::system_clock::now());
        for (const auto& m : ms) {
            if (m.version <= *current) continue;
            if (auto r = tx.connection().RunScript(ExpandMigration(m.sql, db.backend())); !r) {
                Error e = r.error();
                e.message = fmt::format("migration {} failed: {}", m.name, e.message);
                return Fail(std::move(e));
            }
            auto ins = tx.Exec(
                "INSERT INTO schema_migrations (version, name, applied_at) "
                "VALUES (?, ?, ?)",
                {m.version, m.name, now});
            if (!ins) return Fail(ins.error());
            report.to_version = m.version;
        }
        return report;
    });
}

}  // namespace mamori::store
