#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/principal.h"
#include "org/roles.h"
#include "policy/catalog.h"
#include "store/database.h"
#include "store/read_cache.h"

namespace mamori::policy {

/// A loaded version of the policy catalog (a row of policy_versions, without the files).
struct VersionInfo {
    std::string id;
    std::string version;
    std::string city;
    std::string title;
    std::string effective_date;
    std::string content_sha256;
    std::string loaded_at;
    std::string loaded_by;  ///< person id; empty when loaded by `mamori init` or the CLI
    bool in_force = false;  ///< the version in force today (see PolicyService::InForce)
};

/// A version with its parsed catalog. Immutable; shared between requests.
struct LoadedVersion {
    VersionInfo info;
    std::shared_ptr<const Catalog> catalog;
};

/// My acknowledgement (遵守の誓約) of the version in force.
struct MyAcknowledgement {
    VersionInfo version;
    std::string acknowledged_at;  ///< empty when not acknowledged yet
};

/// Acknowledgement status of one unit's active people for the version in force.
struct UnitAcknowledgements {
    std::string unit_id;
    std::string unit_name;
    std::string unit_path;  ///< "総務部 / 総務課": the unit with its ancestors, top first
    int depth = 0;          ///< 0 for a department
    int people = 0;
    int acknowledged = 0;
    struct Pending {
        std::string person_id;
        std::string username;
        std::string display_name;
    };
    std::vector<Pending> pending;  ///< who has not acknowledged, by username
};

/// The policy as versioned data: loading catalogs as new versions, the version in force,
/// reading any version, and acknowledgements. Every change is audited in its transaction.
/// Catalogs are parsed once per version and kept in memory; thread-safe.
class PolicyService {
  public:
    PolicyService(store::Database& db, const Clock& clock, const org::RoleCatalog& roles);

    /// Checks `files` and stores them as a new version. Needs policy.manage (or no actor:
    /// `mamori init` and `mamori policy load` on the server's own machine). Errors: Invalid
    /// "catalog_invalid" (nothing is stored; the version in force stays), Conflict
    /// "version_exists" (same version identifier, other content), Conflict "already_loaded"
    /// (the same content is already a version).
    [[nodiscard]] Result<VersionInfo> Load(const Context& ctx, const CatalogFiles& files);

    /// Every version, the newest effective date first, with in_force set.
    [[nodiscard]] Result<std::vector<VersionInfo>> Versions();

    /// The version in force today: of the versions whose effective date has come, the one
    /// with the latest effective date (the latest loaded on a tie). Before any version's
    /// date has come, the earliest one, with in_force false. NotFound when none is loaded.
    [[nodiscard]] Result<LoadedVersion> InForce();

    /// A version by id, or by its version identifier. NotFound when there is none.
    [[nodiscard]] Result<LoadedVersion> Get(const std::string& id_or_version);

    /// Records that the actor has read the version in force (idempotent: a second call
    /// keeps the first time).
    [[nodiscard]] Result<MyAcknowledgement> Acknowledge(const Context& ctx);
    [[nodiscard]] Result<MyAcknowledgement> Mine(const Context& ctx);

    /// For each unit the actor may see with policy.acknowledgements.read, its active
    /// people's acknowledgements of the version in force. Forbidden without the permission.
    [[nodiscard]] Result<std::vector<UnitAcknowledgements>> ByUnit(const Context& ctx);

  private:
    Result<std::shared_ptr<const Catalog>> CatalogOf(const std::string& id);
    std::string Today() const;

    store::Database& db_;
    const Clock& clock_;
    const org::RoleCatalog& roles_;
    store::ReadCache<std::vector<VersionInfo>> versions_;
    std::mutex mu_;
    std::map<std::string, std::shared_ptr<const Catalog>> catalogs_;  // by version id
};

}  // namespace mamori::policy
