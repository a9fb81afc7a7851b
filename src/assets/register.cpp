#include "assets/register.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>

#include "http/json_reader.h"
#include "org/access.h"
#include "org/import.h"
#include "org/org_service.h"
#include "sheets/csv.h"
#include "sheets/table.h"
#include "sheets/xlsx.h"

namespace mamori::assets {

namespace {

/// One column of a register: the key the service knows the field by, the Japanese header
/// the file carries, other names accepted on import, and whether import reads it.
struct Column {
    std::string_view key;
    std::string_view header;
    std::vector<std::string_view> aliases;
    bool required = false;  ///< the import needs this column
    bool imported = true;   ///< false: written on export, ignored on import
    double width = 14;      ///< characters, for XLSX
};

const std::vector<Column>& AssetColumns() {
    static const std::vector<Column> kColumns = {
        {"asset_number", "資産番号", {"asset_number", "番号"}, false, true, 12},
        {"name", "名称", {"name", "資産名", "情報資産名"}, true, true, 30},
        {"description", "説明", {"description", "内容"}, false, true, 30},
        {"owner_unit_id", "所管課", {"owner_unit", "所管部署", "担当課"}, true, true, 24},
        {"manager_person_id", "情報セキュリティ管理者", {"manager", "管理者"}, false, true, 16},
        {"form", "形態", {"form", "媒体"}, false, true, 10},
        {"system_id", "情報システム", {"system", "システム名"}, false, true, 20},
        {"storage_location", "保管場所", {"storage_location"}, false, true, 20},
        {"confidentiality", "機密性", {"confidentiality"}, true, true, 8},
        {"integrity", "完全性", {"integrity"}, false, true, 8},
        {"availability", "可用性", {"availability"}, false, true, 8},
        {"personal_info", "個人情報", {"personal_info"}, false, true, 8},
        {"specific_personal_info", "特定個人情報", {"specific_personal_info"}, false, true, 10},
        {"retention", "保存期間", {"retention"}, false, true, 10},
        {"copies", "部数", {"copies", "複製数"}, false, true, 6},
        {"label_text", "表示", {"label_text", "ラベル"}, false, true, 12},
        {"next_review_on", "次回見直し日", {"next_review_on", "次回棚卸し日"}, false, true, 12},
        {"notes", "備考", {"notes"}, false, true, 30},
        {"status", "状態", {"status"}, false, false, 8},
        {"disposed_on", "廃棄日", {"disposed_on"}, false, false, 12},
        {"disposal_method", "廃棄方法", {"disposal_method"}, false, false, 14},
        {"disposed_by", "廃棄者", {"disposed_by"}, false, false, 12},
        {"disposal_witness", "廃棄立会人", {"disposal_witness", "立会人"}, false, false, 12},
        {"last_reviewed_on", "最終棚卸し日", {"last_reviewed_on"}, false, false, 12},
    };
    return kColumns;
}

const std::vector<Column>& SystemColumns() {
    static const std::vector<Column> kColumns = {
        {"name", "システム名", {"name", "名称", "情報システム"}, true, true, 24},
        {"purpose", "目的", {"purpose", "用途"}, false, true, 30},
        {"owner_unit_id", "所管課", {"owner_unit", "所管部署"}, true, true, 24},
        {"zone", "系統", {"zone", "ネットワーク"}, true, true, 22},
        {"hosting", "設置形態", {"hosting"}, true, true, 12},
        {"vendor", "事業者", {"vendor", "ベンダー"}, false, true, 20},
        {"highest_confidentiality", "最高機密性", {"highest_confidentiality"}, true, true, 10},
        {"status", "状態", {"status"}, false, true, 8},
    };
    return kColumns;
}

/// A closed set of values written in Japanese, read back in Japanese or as the key.
struct Choice {
    std::string_view key;
    std::string_view label;
};
constexpr Choice kForms[] = {{"electronic", "電子"}, {"paper", "紙"}, {"both", "電子・紙"}};
constexpr Choice kHosting[] = {
    {"onprem", "庁内"}, {"datacenter", "データセンター"}, {"cloud", "クラウド"}};
constexpr Choice kSystemStatus[] = {
    {"in_use", "運用中"}, {"planned", "計画中"}, {"retired", "廃止"}};
constexpr Choice kAssetStatus[] = {{"active", "使用中"}, {"disposed", "廃棄済"}};

template <std::size_t N>
std::string LabelOf(const Choice (&choices)[N], const std::string& key) {
    for (const auto& c : choices)
        if (c.key == key) return std::string(c.label);
    return key;
}

template <std::size_t N>
std::optional<std::string> KeyOf(const Choice (&choices)[N], const std::string& text) {
    for (const auto& c : choices)
        if (c.key == text || c.label == text) return std::string(c.key);
    return std::nullopt;
}

template <std::size_t N>
std::string Labels(const Choice (&choices)[N]) {
    std::string out;
    for (const auto& c : choices) out += (out.empty() ? "" : "、") + std::string(c.label);
    return out;
}

std::string YesNo(bool v) { return v ? "あり" : "なし"; }

std::optional<bool> ParseYesNo(const std::string& v) {
    static const std::set<std::string> kYes = {"あり", "有",   "はい", "○",   "〇",
                                               "true", "TRUE", "1",    "yes", "Yes"};
    static const std::set<std::string> kNo = {"",      "なし",  "無", "いいえ", "×", "-",
                                              "false", "FALSE", "0",  "no",     "No"};
    if (kYes.count(v)) return true;
    if (kNo.count(v)) return false;
    return std::nullopt;
}

/// "2026/4/1" or "2026-04-01" as "2026-04-01"; nullopt when not a date.
std::optional<std::string> ParseDate(const std::string& v) {
    int y = 0, m = 0, d = 0;
    char s1 = 0, s2 = 0;
    if (std::sscanf(v.c_str(), "%d%c%d%c%d", &y, &s1, &m, &s2, &d) != 5 || s1 != s2 ||
        (s1 != '-' && s1 != '/'))
        return std::nullopt;
    std::string out = fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
    if (!http::IsValidDate(out)) return std::nullopt;
    return out;
}

std::string Trim(const std::string& v) {
    const auto b = v.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    return v.substr(b, v.find_last_not_of(" \t") - b + 1);
}

/// "総務部/総務課" for a unit, from the tree.
std::string UnitPath(const org::UnitTree& tree, const std::string& id) {
    std::vector<std::string> names;
    for (const org::UnitNode* n = tree.Find(id); n && names.size() < 10;
         n = n->parent_id.empty() ? nullptr : tree.Find(n->parent_id))
        names.push_back(n->name);
    std::string out;
    for (auto it = names.rbegin(); it != names.rend(); ++it) out += (out.empty() ? "" : "/") + *it;
    return out;
}

std::string Today() { return org::TodayJst(std::chrono::system_clock::now()); }

Result<RegisterFile> MakeFile(SheetFormat format, std::string_view stem,
                              std::vector<sheets::Sheet> sheets) {
    return sheets::MakeFile(format, stem, sheets, Today());
}

sheets::Sheet EmptySheet(std::string_view name, const std::vector<Column>& columns) {
    sheets::Sheet s;
    s.name = std::string(name);
    for (const auto& c : columns) {
        s.header.emplace_back(c.header);
        s.widths.push_back(c.width);
    }
    return s;
}

/// id → name of every person and every system (a city has thousands, not millions).
Result<std::map<std::string, std::string>> Names(store::Database& db, std::string_view sql) {
    auto rs = db.Query(std::string(sql));
    if (!rs) return Fail(rs.error());
    std::map<std::string, std::string> out;
    for (const auto& r : rs->rows) out.emplace(r.Text(0), r.Text(1));
    return out;
}

/// The columns of a file, matched to the register's: index of each register column in the
/// file's header (-1 when absent).
Result<std::vector<int>> MatchColumns(const std::vector<std::string>& header,
                                      const std::vector<Column>& columns) {
    std::vector<int> at(columns.size(), -1);
    for (std::size_t i = 0; i < header.size(); ++i) {
        const std::string& h = header[i];
        if (h.empty()) continue;
        std::size_t found = columns.size();
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const auto& col = columns[c];
            if (col.header == h || col.key == h ||
                std::find(col.aliases.begin(), col.aliases.end(), h) != col.aliases.end()) {
                found = c;
                break;
            }
        }
        if (found == columns.size())
            return Fail(Error::Invalid(
                "unknown_column",
                fmt::format("{} 列目の見出し「{}」は台帳の列ではありません", i + 1, h)));
        if (at[found] >= 0)
            return Fail(Error::Invalid(
                "duplicate_column",
                fmt::format("列「{}」が 2 回あります ({} 列目)", columns[found].header, i + 1)));
        at[found] = static_cast<int>(i);
    }
    for (std::size_t c = 0; c < columns.size(); ++c)
        if (columns[c].required && at[c] < 0)
            return Fail(Error::Invalid(
                "missing_column", fmt::format("必須の列「{}」がありません", columns[c].header)));
    return at;
}

/// Reads the register's sheet (or the first one) of an XLSX, or a CSV.
Result<sheets::Table> ReadRegister(std::string_view bytes, std::string_view sheet) {
    auto t = sheets::ReadTable(bytes, sheet, kMaxRegisterRows);
    if (!t && t.error().code == "unknown_sheet") t = sheets::ReadTable(bytes, {}, kMaxRegisterRows);
    return t;
}

/// The Japanese header of the column a service field error names.
std::string HeaderOf(const std::vector<Column>& columns, const std::string& field) {
    for (const auto& c : columns)
        if (c.key == field) return std::string(c.header);
    return field;
}

/// Merges the rows' own problems with the service's, by row then column order.
void MergeErrors(ImportResult& result, std::vector<ImportResult::RowError> own,
                 const std::vector<Column>& columns) {
    for (auto& e : result.errors) e.field = HeaderOf(columns, e.field);
    result.errors.insert(result.errors.end(), own.begin(), own.end());
    std::stable_sort(result.errors.begin(), result.errors.end(),
                     [](const auto& a, const auto& b) { return a.row < b.row; });
    if (!result.errors.empty()) {
        result.written = false;
        result.items.clear();
        result.created = result.updated = result.unchanged = 0;
    }
}

/// The context the resolvers share: the unit tree, people by user name, systems by name,
/// the catalog's zones and levels.
struct Lookups {
    org::UnitTree tree;
    std::map<std::string, std::string> people;                ///< username → id
    std::map<std::string, std::vector<std::string>> systems;  ///< name → ids
    std::shared_ptr<const policy::Catalog> catalog;
};

Result<Lookups> LoadLookups(store::Database& db, AssetsService& service) {
    Lookups l;
    auto tree = org::UnitTree::Load(db);
    if (!tree) return Fail(tree.error());
    l.tree = std::move(*tree);
    auto people = db.Query("SELECT username, id FROM people");
    if (!people) return Fail(people.error());
    for (const auto& r : people->rows) l.people.emplace(r.Text(0), r.Text(1));
    auto systems = db.Query("SELECT name, id FROM systems");
    if (!systems) return Fail(systems.error());
    for (const auto& r : systems->rows) l.systems[r.Text(0)].push_back(r.Text(1));
    auto catalog = service.CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    l.catalog = std::move(*catalog);
    return l;
}

/// A level key of `axis` given as its key or its name (機密性3A).
std::optional<std::string> LevelKey(const policy::ClassificationScheme& scheme,
                                    std::string_view axis, const std::string& text) {
    if (const policy::Axis* a = scheme.FindAxis(axis))
        for (const auto& l : a->levels)
            if (l.key == text || l.name == text) return l.key;
    return std::nullopt;
}

/// Collects a row's resolution problems.
class RowProblems {
  public:
    RowProblems(std::vector<ImportResult::RowError>& out, int row) : out_(out), row_(row) {}
    void Add(std::string_view column, std::string message) {
        out_.push_back({row_, std::string(column), std::move(message)});
        ok_ = false;
    }
    bool ok() const { return ok_; }

  private:
    std::vector<ImportResult::RowError>& out_;
    int row_;
    bool ok_ = true;
};

std::string UnitId(const Lookups& l, const std::string& text, std::string_view column,
                   RowProblems& p) {
    if (text.empty()) return {};  // the service names the missing field
    std::string problem;
    const org::UnitNode* unit = org::FindUnitByReference(l.tree, text, problem);
    if (!unit) {
        p.Add(column, problem);
        return {};
    }
    return unit->id;
}

/// After a large import, fresh planner statistics: the register's shape changed.
void Reanalyse(store::Database& db, const ImportResult& r) {
    if (r.written && r.created + r.updated >= 1000) AnalyseRegister(db);
}

}  // namespace

void AnalyseRegister(store::Database& db) {
    auto count = db.Query("SELECT COUNT(*) FROM assets");
    if (!count || count->rows.empty() || count->rows[0].Int(0) < kAnalyseFrom) return;
    if (auto r = db.Query("ANALYZE assets"); !r)
        spdlog::warn("ANALYZE assets failed: {}", r.error().message);
}

// ---------------------------------------------------------------------------------------
// Export

Result<RegisterFile> Registers::ExportSystems(const Context& ctx, SheetFormat format) {
    auto sheet = SystemsSheet(ctx);
    if (!sheet) return Fail(sheet.error());
    std::vector<sheets::Sheet> out;
    out.push_back(std::move(*sheet));
    return MakeFile(format, "systems", std::move(out));
}

Result<sheets::Sheet> Registers::SystemsSheet(const Context& ctx) {
    auto systems = service_.ListSystems(ctx, {});
    if (!systems) return Fail(systems.error());
    auto tree = org::UnitTree::Load(db_);
    if (!tree) return Fail(tree.error());
    auto catalog = service_.CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    sheets::Sheet sheet = EmptySheet(kSystemSheet, SystemColumns());
    for (const auto& s : *systems) {
        std::string zone = s.zone;
        for (const auto& z : (*catalog)->zones().zones)
            if (z.key == s.zone) zone = z.name;
        sheet.rows.push_back({s.name, s.purpose, UnitPath(*tree, s.owner_unit_id), zone,
                              LabelOf(kHosting, s.hosting), s.vendor, s.highest_confidentiality,
                              LabelOf(kSystemStatus, s.status)});
    }
    return sheet;
}

Result<RegisterFile> Registers::ExportAssets(const Context& ctx, SheetFormat format,
                                             const std::string& unit_id) {
    auto tree = org::UnitTree::Load(db_);
    if (!tree) return Fail(tree.error());
    auto people = Names(db_, "SELECT id, username FROM people");
    if (!people) return Fail(people.error());
    auto systems = Names(db_, "SELECT id, name FROM systems");
    if (!systems) return Fail(systems.error());
    auto name_of = [](const std::map<std::string, std::string>& m, const std::string& id) {
        auto it = m.find(id);
        return it == m.end() ? id : it->second;
    };
    sheets::Sheet sheet = EmptySheet(kAssetSheet, AssetColumns());
    AssetFilter f;
    f.unit_id = unit_id;
    f.limit = 200;
    for (;;) {
        auto page = service_.ListAssets(ctx, f);
        if (!page) return Fail(page.error());
        for (const auto& a : page->items)
            sheet.rows.push_back(
                {a.asset_number,
                 a.name,
                 a.description,
                 UnitPath(*tree, a.owner_unit_id),
                 a.manager_person_id.empty() ? "" : name_of(*people, a.manager_person_id),
                 LabelOf(kForms, a.form),
                 a.system_id.empty() ? "" : name_of(*systems, a.system_id),
                 a.storage_location,
                 a.confidentiality,
                 a.integrity,
                 a.availability,
                 YesNo(a.personal_info),
                 YesNo(a.specific_personal_info),
                 a.retention,
                 std::to_string(a.copies),
                 a.label_text,
                 a.next_review_on,
                 a.notes,
                 LabelOf(kAssetStatus, a.status),
                 a.disposed_on,
                 a.disposal_method,
                 a.disposed_by.empty() ? "" : name_of(*people, a.disposed_by),
                 a.disposal_witness,
                 a.last_reviewed_on});
        if (page->next_cursor.empty()) break;
        f.cursor = page->next_cursor;
    }
    std::vector<sheets::Sheet> out;
    out.push_back(std::move(sheet));
    if (format == SheetFormat::kXlsx) {
        // The workbook carries both registers, as a city keeps them.
        auto systems_sheet = SystemsSheet(ctx);
        if (!systems_sheet) return Fail(systems_sheet.error());
        out.push_back(std::move(*systems_sheet));
    }
    return MakeFile(format, "assets", std::move(out));
}

// ---------------------------------------------------------------------------------------
// Import

Result<RegisterImport> Registers::ImportAssets(const Context& ctx, std::string_view bytes,
                                               bool dry_run) {
    auto table = ReadRegister(bytes, kAssetSheet);
    if (!table) return Fail(table.error());
    const auto& columns = AssetColumns();
    auto at = MatchColumns(table->header, columns);
    if (!at) return Fail(at.error());
    auto lookups = LoadLookups(db_, service_);
    if (!lookups) return Fail(lookups.error());
    const policy::ClassificationScheme& scheme = lookups->catalog->classification();

    std::vector<ImportResult::RowError> own;
    std::vector<AssetImportRow> rows;
    rows.reserve(table->rows.size());
    for (std::size_t r = 0; r < table->rows.size(); ++r) {
        const auto& cells = table->rows[r];
        const int row = table->row_numbers[r];
        RowProblems p(own, row);
        auto cell = [&](std::size_t c) -> std::string {
            return (*at)[c] < 0 ? std::string() : Trim(cells[static_cast<std::size_t>((*at)[c])]);
        };
        auto has = [&](std::size_t c) { return (*at)[c] >= 0; };
        AssetImportRow out;
        out.row = row;
        NewAsset& a = out.asset;
        std::size_t c = 0;
        a.asset_number = cell(c++);
        a.name = cell(c++);
        a.description = has(c) ? cells[static_cast<std::size_t>((*at)[c])] : "";  // multi-line
        ++c;
        a.owner_unit_id = UnitId(*lookups, cell(c), columns[c].header, p);
        ++c;
        if (const std::string m = cell(c); !m.empty()) {
            auto it = lookups->people.find(m);
            if (it == lookups->people.end())
                p.Add(columns[c].header, fmt::format("ユーザー名「{}」の職員がいません", m));
            else
                a.manager_person_id = it->second;
        }
        ++c;
        if (const std::string v = cell(c); !v.empty()) {
            if (auto k = KeyOf(kForms, v))
                a.form = *k;
            else
                p.Add(columns[c].header, fmt::format("形態は {} のいずれかです", Labels(kForms)));
        }
        ++c;
        if (const std::string v = cell(c); !v.empty()) {
            auto it = lookups->systems.find(v);
            if (it == lookups->systems.end())
                p.Add(columns[c].header, fmt::format("情報システム「{}」は登録されていません", v));
            else if (it->second.size() > 1)
                p.Add(columns[c].header,
                      fmt::format("情報システム「{}」は同じ名前で複数登録されています", v));
            else
                a.system_id = it->second.front();
        }
        ++c;
        a.storage_location = cell(c++);
        for (std::string_view axis : {"confidentiality", "integrity", "availability"}) {
            const std::string v = cell(c);
            std::string* target = axis == "confidentiality" ? &a.confidentiality
                                  : axis == "integrity"     ? &a.integrity
                                                            : &a.availability;
            if (v.empty()) {
                // the service names a missing level
            } else if (auto k = LevelKey(scheme, axis, v)) {
                *target = *k;
            } else {
                std::string list;
                if (const policy::Axis* ax = scheme.FindAxis(axis))
                    for (const auto& l : ax->levels) list += (list.empty() ? "" : "、") + l.key;
                p.Add(columns[c].header,
                      fmt::format("「{}」は{}の区分ではありません ({} のいずれか)", v,
                                  columns[c].header, list));
            }
            ++c;
        }
        for (bool* target : {&a.personal_info, &a.specific_personal_info}) {
            if (auto b = ParseYesNo(cell(c)))
                *target = *b;
            else
                p.Add(columns[c].header, "「あり」か「なし」で書いてください");
            ++c;
        }
        a.retention = cell(c++);
        if (const std::string v = cell(c); !v.empty()) {
            int n = 0;
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (ec != std::errc() || end != v.data() + v.size())
                p.Add(columns[c].header, "部数は 0 以上の整数で書いてください");
            else
                a.copies = n;
        }
        ++c;
        a.label_text = cell(c++);
        if (const std::string v = cell(c); !v.empty()) {
            if (auto d = ParseDate(v))
                a.next_review_on = *d;
            else
                p.Add(columns[c].header,
                      fmt::format("「{}」は日付 (YYYY-MM-DD) ではありません", v));
        }
        ++c;
        a.notes = has(c) ? cells[static_cast<std::size_t>((*at)[c])] : "";
        if (p.ok()) rows.push_back(std::move(out));
    }
    // The rows that resolved are checked by the service (always as a dry run when other rows
    // already failed), so the preview lists every problem at once.
    auto result = service_.ImportAssets(ctx, rows, dry_run || !own.empty());
    if (!result) return Fail(result.error());
    MergeErrors(*result, std::move(own), columns);
    result->dry_run = dry_run;
    Reanalyse(db_, *result);
    return RegisterImport{std::move(*result), table->detected_encoding};
}

Result<RegisterImport> Registers::ImportSystems(const Context& ctx, std::string_view bytes,
                                                bool dry_run) {
    auto table = ReadRegister(bytes, kSystemSheet);
    if (!table) return Fail(table.error());
    const auto& columns = SystemColumns();
    auto at = MatchColumns(table->header, columns);
    if (!at) return Fail(at.error());
    auto lookups = LoadLookups(db_, service_);
    if (!lookups) return Fail(lookups.error());
    const policy::ClassificationScheme& scheme = lookups->catalog->classification();

    std::vector<ImportResult::RowError> own;
    std::vector<SystemImportRow> rows;
    for (std::size_t r = 0; r < table->rows.size(); ++r) {
        const auto& cells = table->rows[r];
        const int row = table->row_numbers[r];
        RowProblems p(own, row);
        auto cell = [&](std::size_t c) -> std::string {
            return (*at)[c] < 0 ? std::string() : Trim(cells[static_cast<std::size_t>((*at)[c])]);
        };
        SystemImportRow out;
        out.row = row;
        NewSystem& s = out.system;
        s.name = cell(0);
        s.purpose = (*at)[1] < 0 ? "" : cells[static_cast<std::size_t>((*at)[1])];
        s.owner_unit_id = UnitId(*lookups, cell(2), columns[2].header, p);
        if (const std::string v = cell(3); !v.empty()) {
            s.zone = v;  // a key as it is; the service names an unknown one
            for (const auto& z : lookups->catalog->zones().zones)
                if (z.name == v) s.zone = z.key;
        }
        if (const std::string v = cell(4); !v.empty()) {
            if (auto k = KeyOf(kHosting, v))
                s.hosting = *k;
            else
                p.Add(columns[4].header,
                      fmt::format("設置形態は {} のいずれかです", Labels(kHosting)));
        }
        s.vendor = cell(5);
        if (const std::string v = cell(6); !v.empty())
            s.highest_confidentiality = LevelKey(scheme, "confidentiality", v).value_or(v);
        if (const std::string v = cell(7); !v.empty()) {
            if (auto k = KeyOf(kSystemStatus, v))
                s.status = *k;
            else
                p.Add(columns[7].header,
                      fmt::format("状態は {} のいずれかです", Labels(kSystemStatus)));
        }
        if (p.ok()) rows.push_back(std::move(out));
    }
    auto result = service_.ImportSystems(ctx, rows, dry_run || !own.empty());
    if (!result) return Fail(result.error());
    MergeErrors(*result, std::move(own), columns);
    result->dry_run = dry_run;
    Reanalyse(db_, *result);
    return RegisterImport{std::move(*result), table->detected_encoding};
}

}  // namespace mamori::assets
