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
#include "policy/policy_service.h"
#include "store/database.h"
#include "store/text_search.h"

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
    std::string last_reviewed_on;  ///< 棚卸し: "YYYY-MM-DD" or empty
    std::string last_reviewed_by;  ///< person id or empty
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
    std::string integrity;
    std::string availability;
    std::optional<bool> personal_info;
    std::optional<bool> specific_personal_info;
    std::string review_due_by;  ///< active assets with next_review_on <= this date
    std::string status;         ///< "" (all), active or disposed
    std::string q;              ///< substring of name or description
    /// asset_number (default), name, confidentiality, next_review_on or updated_at; a
    /// leading '-' sorts descending. Ties are broken by asset number.
    std::string sort;
    std::string cursor;  ///< next_cursor of the previous page (the last asset number)
    int limit = 50;      ///< 1..200
};

/// A batch of 棚卸し (review) confirmations.
struct Review {
    std::vector<std::string> asset_ids;  ///< 1..kMaxReviewBatch
    std::string next_review_on;          ///< empty: one year after today
};
inline constexpr std::size_t kMaxReviewBatch = 500;

struct ReviewResult {
    std::string reviewed_on;
    std::string next_review_on;
    std::vector<Asset> items;
};

/// Counts of the active assets the caller may read.
struct AssetStats {
    int active = 0;
    int disposed = 0;
    int personal_info = 0;
    int specific_personal_info = 0;
    int review_overdue = 0;
    int review_due_soon = 0;  ///< due within kReviewSoonDays, not yet overdue
    struct ByLevel {
        std::string level;
        int count = 0;
    };
    std::vector<ByLevel> by_confidentiality;  ///< every level of the scheme, in its order
    struct ByZone {
        std::string zone;  ///< empty: not kept in a registered system
        std::string confidentiality;
        int count = 0;
    };
    std::vector<ByZone> by_zone;
};
inline constexpr int kReviewSoonDays = 30;

struct WarningFilter {
    std::string unit_id;
    std::string code;
    std::string cursor;  ///< the last asset number of the previous page
    int limit = 50;
};

/// An active asset with its consistency warnings.
struct AssetWarnings {
    Asset asset;
    std::vector<Warning> warnings;
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

/// One row of a register import, resolved to field values. An asset row whose asset
/// number exists updates that asset; otherwise it creates one (with that number, or the
/// next free one when empty). A system row whose name exists updates that system.
struct AssetImportRow {
    int row = 0;  ///< as Excel numbers it
    NewAsset asset;
};
struct SystemImportRow {
    int row = 0;
    NewSystem system;
};

/// What an import did (or, for a dry run, would do). `errors` non-empty ⇒ nothing written.
struct ImportResult {
    bool dry_run = true;
    bool written = false;
    int created = 0;
    int updated = 0;
    int unchanged = 0;
    struct Item {
        int row = 0;
        std::string key;  ///< asset number or system name
        std::string name;
        std::string action;  ///< create | update | unchanged
    };
    std::vector<Item> items;
    struct RowError {
        int row = 0;
        std::string field;  ///< the service's field name; empty for the whole row
        std::string message;
    };
    std::vector<RowError> errors;
};

/// Returns the policy catalog in force (its classification scheme and zones).
using CatalogSource = std::function<Result<std::shared_ptr<const policy::Catalog>>()>;

/// The catalog of the version in force in `policies` (which must outlive the source).
CatalogSource CatalogSourceOf(policy::PolicyService& policies);

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
    /// Active assets the caller may read that have warnings (optionally of one code), by
    /// asset number. Scans the register in asset-number order.
    [[nodiscard]] Result<Page<AssetWarnings>> ListWarnings(const Context& ctx,
                                                           const WarningFilter& f);
    /// Records 棚卸し of every asset in the batch in one transaction (one audit event each):
    /// last_reviewed_on = today, last_reviewed_by = the actor, next_review_on as given.
    /// All or nothing: 404 for an unknown id, 403 outside the actor's scope, 409 "disposed".
    [[nodiscard]] Result<ReviewResult> ReviewAssets(const Context& ctx, const Review& r);
    /// Counts for the register's header and the dashboard (within unit_id when given).
    [[nodiscard]] Result<AssetStats> Stats(const Context& ctx, const std::string& unit_id);
    /// Creates or updates every row in one transaction, with the same checks and audit
    /// events as CreateAsset / UpdateAsset (and one "asset.import" event). Every row is
    /// checked; with any error, or with `dry_run`, the transaction is rolled back. Refused
    /// (403) without assets.manage anywhere; a row outside the actor's scope is a row error.
    [[nodiscard]] Result<ImportResult> ImportAssets(const Context& ctx,
                                                    const std::vector<AssetImportRow>& rows,
                                                    bool dry_run);
    [[nodiscard]] Result<ImportResult> ImportSystems(const Context& ctx,
                                                     const std::vector<SystemImportRow>& rows,
                                                     bool dry_run);
    /// The policy catalog in force (its scheme names the levels; its zones the zones).
    [[nodiscard]] Result<std::shared_ptr<const policy::Catalog>> CatalogInForce();

  private:
    struct Reach;
    /// What every change starts from: the actor (holding assets.manage somewhere, else 403),
    /// the catalog in force and the time.
    struct Change {
        const Principal* actor = nullptr;
        std::shared_ptr<const policy::Catalog> catalog;
        std::string now;
        /// An import's queue of search text, written before it commits; null: at once.
        store::TextBatch* text = nullptr;
    };
    /// Writes the asset's search text, through `change.text` when it is set.
    static Result<void> IndexAsset(store::Tx& tx, const Change& change, const Asset& a);
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
    // The writes inside a transaction, shared by the single-object calls and the import.
    // `access` is the actor's Access over the unit tree read in `tx`.
    Result<System> InsertSystem(store::Tx& tx, const Context& ctx, const Change& change,
                                const org::Access& access, const NewSystem& n);
    /// The system as updated (`before` itself when nothing changed: no write, no event).
    Result<System> ApplySystemUpdate(store::Tx& tx, const Context& ctx, const Change& change,
                                     const org::Access& access, const System& before,
                                     const SystemUpdate& u);
    /// `number` is the asset number to use (already chosen).
    Result<Asset> InsertAsset(store::Tx& tx, const Context& ctx, const Change& change,
                              const org::Access& access, const NewAsset& n,
                              const std::string& number);
    Result<Asset> ApplyAssetUpdate(store::Tx& tx, const Context& ctx, const Change& change,
                                   const org::Access& access, const Asset& before,
                                   const AssetUpdate& u);

    store::Database& db_;
    const Clock& clock_;
    const org::RoleCatalog& roles_;
    CatalogSource catalog_;
};

/// Writes the text-search tokens of assets that have none — rows written before the
/// search index existed, or by hand — and returns how many. Run at server start.
Result<int> IndexAssetText(store::Database& db);

}  // namespace mamori::assets
