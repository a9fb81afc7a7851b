#include "org/import.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <optional>
#include <set>

#include "audit/audit.h"
#include "sheets/csv.h"

namespace mamori::org {

namespace {

struct ColumnDef {
    std::string_view key;
    bool required;
    std::vector<std::string_view> aliases;
};

const std::vector<ColumnDef>& PeopleColumns() {
    static const std::vector<ColumnDef> kColumns = {
        {"username", true, {"username", "ユーザー名", "ユーザ名", "ユーザーid"}},
        {"display_name", true, {"display_name", "氏名", "名前"}},
        {"reading", false, {"reading", "よみ", "読み", "ふりがな", "フリガナ"}},
        {"email", false, {"email", "メール", "メールアドレス"}},
        {"unit", true, {"unit", "unit_id", "所属", "部署"}},
        {"employment_type", false, {"employment_type", "雇用形態"}},
        {"password", true, {"password", "初期パスワード", "パスワード"}},
    };
    return kColumns;
}

std::string Lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

using ColumnMap = std::map<std::string, std::size_t, std::less<>>;

/// Maps a header row to canonical column keys (English or Japanese names, any case).
/// Unknown, repeated or missing required columns are errors naming row 1.
Result<ColumnMap> MapColumns(const std::vector<std::string>& header,
                             const std::vector<ColumnDef>& defs) {
    ColumnMap col;
    for (std::size_t i = 0; i < header.size(); ++i) {
        const std::string name = Lower(header[i]);
        const ColumnDef* def = nullptr;
        for (const auto& c : defs)
            for (auto alias : c.aliases)
                if (name == alias) def = &c;
        if (!def)
            return Fail(Error::Invalid(
                "invalid_csv",
                fmt::format("1 行目 {} 列目: 知らない列名です: {}", i + 1, header[i]), header[i]));
        if (!col.emplace(std::string(def->key), i).second)
            return Fail(Error::Invalid(
                "invalid_csv", fmt::format("1 行目 {} 列目: 列 {} が二度あります", i + 1, def->key),
                std::string(def->key)));
    }
    for (const auto& c : defs)
        if (c.required && !col.count(c.key))
            return Fail(Error::Invalid(
                "invalid_csv",
                fmt::format("1 行目: 必須の列 {} ({}) がありません", c.key, c.aliases[1]),
                std::string(c.key)));
    return col;
}

/// Reads the CSV and refuses files beyond the row limit.
Result<sheets::Table> ReadImportCsv(std::string_view bytes) {
    auto table = sheets::ReadCsv(bytes, kMaxImportRows + 1);
    if (!table) return Fail(table.error());
    if (table->rows.size() > kMaxImportRows)
        return Fail(Error{ErrorKind::kTooLarge,
                          "too_many_rows",
                          fmt::format("一度に取り込めるのは {} 行までです", kMaxImportRows),
                          {}});
    return table;
}

const std::vector<ColumnDef>& UnitColumns() {
    static const std::vector<ColumnDef> kColumns = {
        {"name", true, {"name", "名前", "部署名"}},
        {"kind", true, {"kind", "種別"}},
        {"parent", false, {"parent", "上位部署", "parent_id"}},
    };
    return kColumns;
}

std::optional<std::string> KindFrom(const std::string& v) {
    static const std::map<std::string, std::string, std::less<>> kMap = {
        {"department", "department"},
        {"部", "department"},
        {"section", "section"},
        {"課", "section"},
        {"team", "team"},
        {"係", "team"},
    };
    auto it = kMap.find(Lower(v));
    if (it == kMap.end()) return std::nullopt;
    return it->second;
}

/// The import column an error's field belongs to.
std::string UnitColumnOf(const std::string& field) {
    if (field == "parent_id") return "parent";
    if (field == "name" || field == "kind") return field;
    return "";
}

std::optional<std::string> EmploymentFrom(const std::string& v) {
    if (v.empty()) return "regular";
    static const std::map<std::string, std::string, std::less<>> kMap = {
        {"regular", "regular"},
        {"正職員", "regular"},
        {"fiscal_year", "fiscal_year"},
        {"会計年度任用職員", "fiscal_year"},
        {"contractor", "contractor"},
        {"委託事業者", "contractor"},
        {"other", "other"},
        {"その他", "other"},
    };
    auto it = kMap.find(Lower(v));
    if (it == kMap.end()) return std::nullopt;
    return it->second;
}

}  // namespace

/// Finds a unit by id, by a unique active name, or by a path of names "部/課[/係]".
const UnitNode* FindUnitByReference(const UnitTree& tree, const std::string& ref,
                                    std::string& problem) {
    if (const UnitNode* n = tree.Find(ref)) return n;
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        auto slash = ref.find('/', start);
        parts.push_back(ref.substr(start, slash - start));
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    if (parts.size() == 1) {
        const UnitNode* found = nullptr;
        int count = 0;
        for (const auto& n : tree.nodes()) {
            if (n.name == ref && n.status == "active") {
                found = &n;
                ++count;
            }
        }
        if (count == 1) return found;
        problem =
            count == 0
                ? fmt::format("部署「{}」が見つかりません", ref)
                : fmt::format("部署名「{}」が複数あります。「部/課」の形で指定してください", ref);
        return nullptr;
    }
    std::string parent;
    const UnitNode* node = nullptr;
    for (const auto& part : parts) {
        node = nullptr;
        for (const UnitNode* c : tree.Children(parent)) {
            if (c->name == part && c->status == "active") {
                node = c;
                break;
            }
        }
        if (!node) {
            problem = fmt::format("部署「{}」が見つかりません", ref);
            return nullptr;
        }
        parent = node->id;
    }
    return node;
}

Result<ImportReport> ImportPeople(OrgService& service, const Context& ctx,
                                  std::string_view csv_bytes, bool dry_run) {
    if (!ctx.actor)
        return Fail(
            Error{ErrorKind::kUnauthenticated, "unauthenticated", "ログインしてください", {}});
    const Principal& actor = *ctx.actor;
    auto table = ReadImportCsv(csv_bytes);
    if (!table) return Fail(table.error());

    auto col = MapColumns(table->header, PeopleColumns());
    if (!col) return Fail(col.error());

    auto tree = UnitTree::Load(service.database());
    if (!tree) return Fail(tree.error());
    Access access(service.catalog(), std::move(*tree));

    ImportReport report;
    report.dry_run = dry_run;
    report.encoding = table->detected_encoding;
    std::vector<std::string> passwords;
    std::map<std::string, int> seen_usernames;
    std::vector<std::string> usernames;

    auto cell = [&](const std::vector<std::string>& row, std::string_view key) -> std::string {
        auto it = col->find(key);
        return it == col->end() ? std::string() : row[it->second];
    };
    for (std::size_t i = 0; i < table->rows.size(); ++i) {
        const auto& row = table->rows[i];
        const int rowno = table->row_numbers[i];
        auto problem = [&](std::string column, std::string message) {
            report.errors.push_back({rowno, std::move(column), std::move(message)});
        };
        auto check = [&](const Result<void>& r, const char* column) {
            if (!r) problem(column, r.error().message);
        };
        ImportedPerson p;
        p.row = rowno;
        p.username = cell(row, "username");
        p.display_name = cell(row, "display_name");
        p.reading = cell(row, "reading");
        p.email = cell(row, "email");
        const std::string password = cell(row, "password");
        check(OrgService::ValidateUsername(p.username), "username");
        check(OrgService::ValidateDisplayName(p.display_name), "display_name");
        check(OrgService::ValidateReading(p.reading), "reading");
        check(OrgService::ValidateEmail(p.email), "email");
        if (auto e = EmploymentFrom(cell(row, "employment_type"))) {
            p.employment_type = *e;
        } else {
            problem("employment_type",
                    "雇用形態は 正職員、会計年度任用職員、委託事業者、その他 のいずれかです");
        }
        check(service.ValidatePassword(password, p.username), "password");
        const std::string unit_ref = cell(row, "unit");
        if (unit_ref.empty()) {
            problem("unit", "所属を入力してください");
        } else {
            std::string why;
            const UnitNode* unit = FindUnitByReference(access.tree(), unit_ref, why);
            if (!unit) {
                problem("unit", why);
            } else if (unit->status != "active") {
                problem("unit", fmt::format("部署「{}」は廃止されています", unit->name));
            } else if (!access.Can(actor, "org.manage", unit->id)) {
                problem("unit",
                        fmt::format("部署「{}」に職員を登録する権限がありません", unit->name));
            } else {
                p.unit_id = unit->id;
                p.unit_name = unit->name;
            }
        }
        if (!p.username.empty()) {
            auto [it, fresh] = seen_usernames.emplace(p.username, rowno);
            if (!fresh)
                problem("username", fmt::format("ユーザー名 {} は {} 行目と重複しています",
                                                p.username, it->second));
            else
                usernames.push_back(p.username);
        }
        passwords.push_back(password);
        report.people.push_back(std::move(p));
    }

    // Usernames already taken, in chunks to bound the statement size.
    constexpr std::size_t kChunk = 200;
    for (std::size_t at = 0; at < usernames.size(); at += kChunk) {
        const std::size_t n = std::min(kChunk, usernames.size() - at);
        std::string sql = "SELECT username FROM people WHERE username IN (";
        std::vector<store::Value> params;
        for (std::size_t k = 0; k < n; ++k) {
            sql += k ? ", ?" : "?";
            params.emplace_back(usernames[at + k]);
        }
        sql += ")";
        auto rs = service.database().Query(sql, params);
        if (!rs) return Fail(rs.error());
        for (const auto& r : rs->rows) {
            const std::string& taken = r.Text(0);
            report.errors.push_back({seen_usernames[taken], "username",
                                     fmt::format("ユーザー名 {} は既に使われています", taken)});
        }
    }
    std::stable_sort(report.errors.begin(), report.errors.end(),
                     [](const auto& a, const auto& b) { return a.row < b.row; });
    if (!report.errors.empty() || dry_run) return report;

    std::vector<std::string> hashes;
    hashes.reserve(passwords.size());
    for (const auto& pw : passwords) {
        auto h = auth::HashPassword(pw);
        if (!h) return Fail(h.error());
        hashes.push_back(std::move(*h));
    }
    const std::string now = FormatRfc3339(service.clock().Now());
    auto written = service.database().Transact([&](store::Tx& tx) -> Result<void> {
        for (std::size_t i = 0; i < report.people.size(); ++i) {
            auto& p = report.people[i];
            NewPerson np{p.username, p.display_name,    p.reading, p.email,
                         p.unit_id,  p.employment_type, "",        "",
                         true};
            auto created = service.InsertPerson(tx, ctx, np, hashes[i], now, true);
            if (!created) return Fail(created.error());
            p.id = created->id;
        }
        auto ev = audit::Record(
            tx, ctx,
            {.action = "person.import",
             .object_type = "person",
             .object_id = "",
             .summary = {{"rows", report.people.size()}, {"encoding", report.encoding}}},
            now);
        if (!ev) return Fail(ev.error());
        return {};
    });
    if (!written) return Fail(written.error());
    report.written = true;
    return report;
}

Result<UnitImportReport> ImportUnits(OrgService& service, const Context& ctx,
                                     std::string_view csv_bytes, bool dry_run) {
    if (!ctx.actor)
        return Fail(
            Error{ErrorKind::kUnauthenticated, "unauthenticated", "ログインしてください", {}});
    auto table = ReadImportCsv(csv_bytes);
    if (!table) return Fail(table.error());
    auto col = MapColumns(table->header, UnitColumns());
    if (!col) return Fail(col.error());
    auto cell = [&](const std::vector<std::string>& row, std::string_view key) -> std::string {
        auto it = col->find(key);
        return it == col->end() ? std::string() : row[it->second];
    };

    UnitImportReport report;
    report.dry_run = dry_run;
    report.encoding = table->detected_encoding;
    const std::string now = FormatRfc3339(service.clock().Now());
    // Rows go in one by one inside one transaction, so later rows can name units made by
    // earlier ones; any problem (or a dry run) rolls the whole file back.
    const Error rollback{ErrorKind::kConflict, "import_rolled_back", "", {}};
    auto outcome = service.database().Transact([&](store::Tx& tx) -> Result<void> {
        for (std::size_t i = 0; i < table->rows.size(); ++i) {
            const auto& row = table->rows[i];
            ImportedUnit u;
            u.row = table->row_numbers[i];
            u.name = cell(row, "name");
            u.parent = cell(row, "parent");
            auto problem = [&](std::string column, std::string message) {
                report.errors.push_back({u.row, std::move(column), std::move(message)});
            };
            auto kind = KindFrom(cell(row, "kind"));
            if (!kind) {
                problem("kind", "種別は 部 (department)、課 (section)、係 (team) のいずれかです");
                report.units.push_back(std::move(u));
                continue;
            }
            u.kind = *kind;
            std::string parent_id;
            if (!u.parent.empty()) {
                auto tree = UnitTree::Load(tx);
                if (!tree) return Fail(tree.error());
                std::string why;
                const UnitNode* parent = FindUnitByReference(*tree, u.parent, why);
                if (!parent) {
                    problem("parent", why);
                    report.units.push_back(std::move(u));
                    continue;
                }
                parent_id = parent->id;
            }
            auto made = service.InsertUnit(tx, ctx, {u.name, u.kind, parent_id}, now);
            if (!made) {
                if (made.error().kind != ErrorKind::kInvalidInput &&
                    made.error().kind != ErrorKind::kConflict &&
                    made.error().kind != ErrorKind::kForbidden)
                    return Fail(made.error());
                problem(UnitColumnOf(made.error().field), made.error().message);
            } else {
                u.id = made->id;
            }
            report.units.push_back(std::move(u));
        }
        if (!report.errors.empty() || dry_run) return Fail(rollback);
        auto ev = audit::Record(
            tx, ctx,
            {.action = "unit.import",
             .object_type = "unit",
             .object_id = "",
             .summary = {{"rows", report.units.size()}, {"encoding", report.encoding}}},
            now);
        if (!ev) return Fail(ev.error());
        return {};
    });
    if (!outcome && outcome.error().code != rollback.code) return Fail(outcome.error());
    if (!outcome) {
        for (auto& u : report.units) u.id.clear();  // rolled back: nothing was made
        return report;
    }
    report.written = true;
    return report;
}

}  // namespace mamori::org
