#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "assets/consistency.h"
#include "assets/handling.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/principal.h"
#include "org/access.h"
#include "org/roles.h"
#include "policy/catalog.h"
#include "store/database.h"

namespace mamori::assets {

/// An information system (対策基準 5): where it sits among the three zones and the most
/// confidential data it holds.
struct System {
    std::string id;
    std::string name;
    std::string purpose;
    std::string owner_unit_id;
    std::string zone;                     ///< zones.yaml key: mynumber | lgwan | internet
    std::string hosting;                  ///< onprem | datacenter | cloud
    std::string vendor;                   ///< free text until the vendor area exists
    std::string highest_confidentiality;  ///< confidentiality level key of the scheme
    std::string status;                   ///< in_use | planned | retired
    std::string created_at;
    std::string updated_at;
};

struct NewSystem {
    std::string name;
    std::string purpose;
    std::string owner_unit_id;
    std::string zone;
    std::string hosting;
    std::string vendor;
    std::string highest_confidentiality;
    std::string status = "in_use";
};

/// Fields to change; absent ones stay.
struct SystemUpdate {
    std::optional<std::string> name;
    std::optional<std::string> purpose;
    std::optional<std::string> owner_unit_id;
    std::optional<std::string> zone;
    std::optional<std::string> hosting;
    std::optional<std::string> vendor;
    std::optional<std::string> highest_confidentiality;
    std::optional<std::string> status;
};

struct SystemFilter {
    std::string unit_id;  ///< this unit and every unit below it
    std::string zone;
    std::string status;
};

/// A classified information asset (対策基準 4). Never deleted: disposal is a state.
struct Asset {
    std::string id;
    std::string asset_number;  ///< human-facing, stable (e.g. A-000123)
    std::string name;
    std::string description;
    std::string owner_unit_id;
    std::string manager_person_id;  ///< 情報セキュリティ管理者; empty when not set
    std::string form;               ///< electronic | paper | both
    std::string system_id;          ///< empty when not kept in a registered system
    std::string storage_location;
    std::string confidentiality;  ///< level keys of the scheme in force
    std::string integrity;
    std::string availability;
    bool personal_info = false;
    bool specific_personal_info = false;  ///< 特定個人情報; only with personal_info
    std::string retention;
    int copies = 1;
    std::string label_text;
    std::string next_review_on;  ///< "YYYY-MM-DD" or empty
    std::string notes;
    std::string status;  ///< active | disposed
    std::string disposed_on;
    std::string disposal_method;
    std::string disposed_by;  ///< person id
    std::string disposal_witness;
    std::string created_at;
    std::string updated_at;
};

struct NewAsset {
    std::string asset_number;  ///< empty: the next free A-nnnnnn
    std::string name;
    std::string description;
    std::string owner_unit_id;
    std::string manager_person_id;
    std::string form = "electronic";
    std::string system_id;
    std::string storage_location;
    std::string confidentiality;
    std::string integrity;
    std::string availability;
    bool personal_info = false;
    bool specific_personal_info = false;
    std::string retention;
    int copies = 1;
    std::string label_text;
    std::string next_review_on;
    std::string notes;
};

/// Fields to change; absent ones stay. Empty text clears optional ones (manager, system,
/// next review date).
struct AssetUpdate {
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<std::string> owner_unit_id;
    std::optional<std::string> manager_person_id;
    std::optional<std::string> form;
    std::optional<std::string> system_id;
    std::optional<std::string> storage_location;
    std::optional<std::string> confidentiality;
    std::optional<std::string> integrity;
    std::optional<std::string> availability;
    std::optional<bool> personal_info;
    std::optional<bool> specific_personal_info;
    std::optional<std::string> retention;
    std::optional<int> copies;
    std::optional<std::string> label_text;
    std::optional<std::string> next_review_on;
    std::optional<std::string> notes;
};

struct AssetFilter {
    std::string unit_id;    ///< this unit and every unit below it
    std::string system_id;  ///< kept in this system
    std::string zone;       ///< kept in a system of this zone
    std::string confidentiality;
    std::optional<bool> personal_info;
    std::string review_due_by;  ///< active assets with next_review_on <= this date
    std::string status;         ///< "" (all), active or disposed
    std::string q;              ///< substring of name or description
    std::string cursor;         ///< next_cursor of the previous page
    int limit = 50;             ///< 1..200
};

struct Disposal {
    std::string disposed_on;  ///< "YYYY-MM-DD"; empty: today
    std::string method;       ///< how (required), e.g. 溶解処理
    std::string disposed_by;  ///< person id; empty: the actor
    std::string witness;      ///< name of the witness (may be an outsider); optional
};

/// One page of a list; `next_cursor` is empty on the last page.
template <typename T>
struct Page {
    std::vector<T> items;
    std::string next_cursor;
};

/// Returns the policy catalog in force (its classification scheme and zones).
using CatalogSource = std::function<Result<std::shared_ptr<const policy::Catalog>>()>;

/// The register of information systems and classified information assets. Every method
/// takes the caller's Context, checks the permission for the owner unit concerned
/// (`assets.read` to read, `assets.manage` to change; an `own`-scope role such as staff
/// holding `assets.read` reads its own unit's; `assets.manage` also reads), validates
/// (levels against the scheme in force, zones against the catalog's zones) and writes the
/// change with exactly one audit event in one transaction. A refused call changes nothing.
/// Errors: kUnauthenticated without an actor; kForbidden "forbidden"; kInvalidInput naming
/// the field; kNotFound; kConflict "duplicate" (asset number), "disposed" (changing a disposed
/// asset) and "already_disposed".
/// Thread-safe (all state is in the database).
class AssetsService {
  public:
    /// `db`, `clock` and `roles` must outlive the service.
    AssetsService(store::Database& db, const Clock& clock, const org::RoleCatalog& roles,
                  CatalogSource catalog);

    // Systems.
    [[nodiscard]] Result<System> CreateSystem(const Context& ctx, const NewSystem& s);
    [[nodiscard]] Result<System> UpdateSystem(const Context& ctx, const std::string& id,
                                              const SystemUpdate& u);
    [[nodiscard]] Result<System> GetSystem(const Context& ctx, const std::string& id);
    /// Systems the caller may read, ordered by name (a city has tens of systems).
    [[nodiscard]] Result<std::vector<System>> ListSystems(const Context& ctx,
                                                          const SystemFilter& f);
    /// The audit events of the system, newest first.
    [[nodiscard]] Result<std::vector<audit::Event>> SystemHistory(const Context& ctx,
                                                                  const std::string& id, int limit);

    // Assets.
    [[nodiscard]] Result<Asset> CreateAsset(const Context& ctx, const NewAsset& a);
    /// Refused (409 "disposed") for a disposed asset.
    [[nodiscard]] Result<Asset> UpdateAsset(const Context& ctx, const std::string& id,
                                            const AssetUpdate& u);
    [[nodiscard]] Result<Asset> GetAsset(const Context& ctx, const std::string& id);
    /// Assets the caller may read, ordered by asset number; one indexed query per page.
    [[nodiscard]] Result<Page<Asset>> ListAssets(const Context& ctx, const AssetFilter& f);
    /// Records the disposal; the asset stays, with status disposed. A second disposal is
    /// refused (409 "already_disposed").
    [[nodiscard]] Result<Asset> DisposeAsset(const Context& ctx, const std::string& id,
                                             const Disposal& d);
    /// The audit events of the asset, newest first.
    [[nodiscard]] Result<std::vector<audit::Event>> AssetHistory(const Context& ctx,
                                                                 const std::string& id, int limit);
    /// The handling rules that apply to the asset under the scheme in force.
    [[nodiscard]] Result<std::vector<AppliedRule>> Handling(const Context& ctx,
                                                            const std::string& id);
    /// The consistency warnings of the asset as of today.
    [[nodiscard]] Result<std::vector<Warning>> Warnings(const Context& ctx, const std::string& id);

  private:
    struct Reach;
    /// What every change starts from: the actor (holding assets.manage somewhere, else 403),
    /// the catalog in force and the time.
    struct Change {
        const Principal* actor = nullptr;
        std::shared_ptr<const policy::Catalog> catalog;
        std::string now;
    };
    Result<Change> BeginChange(const Context& ctx);
    /// Refuses (403) when `access` does not let `actor` manage `unit_id`; with `new_unit`
    /// (an owner being set) first checks that the unit exists and is active (400).
    Result<void> CheckManaged(const org::Access& access, const Principal& actor,
                              const std::string& unit_id, bool new_unit) const;
    /// The actor's Access (unit tree read in the change's `tx`), after CheckManaged.
    Result<org::Access> ManageAccess(store::Tx& tx, const Principal& actor,
                                     const std::string& unit_id, bool new_unit);
    std::string Now() const;
    std::string Today() const;
    Result<std::shared_ptr<const policy::Catalog>> CatalogInForce();
    /// An object of a change (404 when `found` is empty) with the actor's Access, refusing
    /// (403) when the actor may not manage its owner unit.
    template <typename T>
    Result<std::pair<T, org::Access>> ForChange(store::Tx& tx, const Principal& actor,
                                                Result<std::optional<T>> found,
                                                std::string_view missing);
    /// Where the actor may read (assets.read or assets.manage), with the unit tree.
    Result<Reach> ReadReach(const Principal& actor);
    Result<std::vector<audit::Event>> History(std::string_view type, const std::string& id,
                                              int limit);

    store::Database& db_;
    const Clock& clock_;
    const org::RoleCatalog& roles_;
    CatalogSource catalog_;
};

}  // namespace mamori::assets
