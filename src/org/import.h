#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/principal.h"
#include "org/org_service.h"

namespace mamori::org {

/// The most data rows one import file may have.
inline constexpr std::size_t kMaxImportRows = 5000;

/// One problem in one cell (or row) of an import file.
struct ImportRowError {
    int row = 0;          ///< As Excel numbers rows: the header is row 1.
    std::string column;   ///< The canonical column name (e.g. "unit"); empty for the whole row.
    std::string message;  ///< Japanese.
};

/// One person as read (and, unless a dry run, created).
struct ImportedPerson {
    int row = 0;
    std::string id;  ///< Set once created.
    std::string username;
    std::string display_name;
    std::string reading;
    std::string email;
    std::string unit_id;
    std::string unit_name;
    std::string employment_type;
};

/// What an import did or would do.
struct ImportReport {
    bool dry_run = true;
    bool written = false;  ///< True when the people were created.
    std::string encoding;  ///< "utf-8" or "cp932"
    std::vector<ImportedPerson> people;
    std::vector<ImportRowError> errors;  ///< Non-empty ⇒ nothing was written.
};

/// Finds an active unit by id, by a name unique among active units, or by a path of names
/// "部/課[/係]". On failure returns null and says why in `problem` (Japanese).
const UnitNode* FindUnitByReference(const UnitTree& tree, const std::string& ref,
                                    std::string& problem);

/// Imports people from a CSV file as Excel writes it (UTF-8, with or without BOM, or
/// CP932), all or nothing.
///
/// Columns (header row; order free; English or Japanese names):
///   username (ユーザー名) — required; display_name (氏名) — required; reading (よみ,
///   ふりがな); email (メール, メールアドレス); unit (所属) — required: a unit id, a unit name
///   that is unique among active units, or a path "総務部/情報政策課"; employment_type
///   (雇用形態) — regular|fiscal_year|contractor|other or 正職員|会計年度任用職員|委託事業者|
///   その他, default regular; password (初期パスワード) — required, temporary.
///
/// Every row is checked (fields, the password policy, duplicate usernames in the file and
/// in the database, the unit, and the caller's org.manage permission on it) and every
/// problem is reported in `errors` by row and column; then, if there is none and this is not
/// a dry run, all people are created in one transaction with one `person.create` audit event
/// each and one `person.import` event for the file. Passwords are hashed before the
/// transaction starts.
/// Errors (as Error): the file cannot be read as CSV (kInvalidInput "invalid_csv" /
/// "invalid_encoding"), an unknown or missing column ("invalid_csv", field = the column),
/// more than kMaxImportRows rows (kTooLarge), no actor, or a database failure.
[[nodiscard]] Result<ImportReport> ImportPeople(OrgService& service, const Context& ctx,
                                                std::string_view csv_bytes, bool dry_run);

/// One unit as read (and, unless a dry run, created).
struct ImportedUnit {
    int row = 0;
    std::string id;  ///< Set once created.
    std::string name;
    std::string kind;
    std::string parent;  ///< As written in the file.
};

struct UnitImportReport {
    bool dry_run = true;
    bool written = false;
    std::string encoding;
    std::vector<ImportedUnit> units;
    std::vector<ImportRowError> errors;  ///< Non-empty ⇒ nothing was written.
};

/// Imports units (部 / 課 / 係) from a CSV file, all or nothing.
///
/// Columns: name (名前, 部署名) — required; kind (種別) — department|section|team or 部|課|係,
/// required; parent (上位部署) — empty for a department, otherwise a unit id, a unique name or
/// a path "部/課", which may name a unit created by an earlier row of the same file.
/// Rows are applied in order inside one transaction with the same checks as creating a unit
/// one by one (tree rules, unique sibling names, org.manage on the parent); every problem is
/// reported by row and column, and then — on any problem, or for a dry run — the transaction
/// is rolled back, so nothing is written. Otherwise one `unit.create` event per row and one
/// `unit.import` event for the file are written with the units.
[[nodiscard]] Result<UnitImportReport> ImportUnits(OrgService& service, const Context& ctx,
                                                   std::string_view csv_bytes, bool dry_run);

}  // namespace mamori::org
