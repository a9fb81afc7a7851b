#include "cli/admin_commands.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "app/app.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "org/import.h"
#include "org/org_service.h"
#include "org/roles.h"

namespace fs = std::filesystem;

namespace mamori::cli {

namespace {

struct Options {
    fs::path data;
    // user
    std::string username, display_name, reading, email, unit, employment = "regular", id;
    // unit
    std::string name, kind, parent;
    // appoint
    std::string person, role, starts_on, ends_on;
    // import
    fs::path file;
    bool dry_run = false;
};

/// Opens the data directory and runs `fn(service, ctx)`.
int WithService(const Options& o, const std::function<int(org::OrgService&, const Context&)>& fn) {
    return WithDatabase(o.data, [&](store::Database& db, const Config& config, const Context& ctx) {
        SystemClock clock;
        const auth::PasswordPolicy policy{
            config.auth.password_min_length, config.auth.password_min_classes,
            config.auth.password_history, config.auth.password_max_age_days};
        org::OrgService service(db, clock, org::RoleCatalog::Builtin(), policy);
        return fn(service, ctx);
    });
}

/// A unit given by id, unique name or path ("総務部/情報政策課"), as the CSV import reads it.
Result<std::string> ResolveUnit(org::OrgService& s, const std::string& ref) {
    if (ref.empty()) return std::string();
    auto tree = org::UnitTree::Load(s.database());
    if (!tree) return mamori::Fail(tree.error());
    std::string problem;
    const org::UnitNode* unit = org::FindUnitByReference(*tree, ref, problem);
    if (!unit) return mamori::Fail(Error::Invalid("unknown_unit", problem, "unit"));
    return unit->id;
}

std::string PasswordFromEnvOrGenerate(bool& generated) {
    if (const char* p = std::getenv("MAMORI_USER_PASSWORD"); p && *p) {
        generated = false;
        return p;
    }
    generated = true;
    return crypto::GeneratePassword(16);
}

}  // namespace

// The local administrator: whoever may read the data directory runs the installation.
Principal CliAdmin() {
    Principal p;
    p.username = "(cli)";
    p.display_name = "コマンドライン管理者";
    p.platform_admin = true;
    p.grants.push_back({"platform_admin", ""});
    if (const auto* r = org::RoleCatalog::Builtin().Find("platform_admin"))
        p.permissions = r->permissions;
    p.elevated = true;  // a local administrator is at the machine; record it as privileged
    return p;
}

int WithDatabase(const fs::path& data,
                 const std::function<int(store::Database&, const Config&, const Context&)>& fn) {
    auto config = app::LoadConfig(data);
    if (!config) return Report(config.error());
    auto db = app::OpenDatabase(*config, app::SchemaMode::kMigrate);
    if (!db) return Report(db.error());
    const Principal admin = CliAdmin();
    const Context ctx{&admin, "cli-" + crypto::Hex(crypto::RandomBytes(4)), "local"};
    int code = fn(**db, *config, ctx);
    (*db)->Close();
    return code;
}

int Report(const Error& e) {
    std::fprintf(stderr, "mamori: %s%s%s\n", e.message.c_str(), e.field.empty() ? "" : " — ",
                 e.field.c_str());
    return 1;
}

std::function<int()> AddAdminCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto data_opt = [o](CLI::App* c) {
        c->add_option("--data", o->data, "データディレクトリ / data directory")->required();
    };

    // user
    auto* user = app.add_subcommand("user", "アカウントの管理 / manage accounts");
    user->require_subcommand(1);
    auto* user_add = user->add_subcommand(
        "add",
        "職員を追加 (仮パスワードは MAMORI_USER_PASSWORD、なければ生成して表示) / add a "
        "person; temporary password from MAMORI_USER_PASSWORD or generated and printed");
    data_opt(user_add);
    user_add->add_option("username", o->username, "ユーザー名 / username")->required();
    user_add->add_option("--name", o->display_name, "氏名 / display name")->required();
    user_add->add_option("--reading", o->reading, "よみ / reading (kana)");
    user_add->add_option("--email", o->email, "メール / e-mail");
    user_add->add_option("--unit", o->unit, "所属 (ID、名前、または 部/課) / unit")->required();
    user_add->add_option("--employment", o->employment,
                         "雇用形態 regular|fiscal_year|contractor|other");
    auto* user_list = user->add_subcommand("list", "職員の一覧 / list people");
    data_opt(user_list);
    auto* user_reset = user->add_subcommand(
        "reset-password", "仮パスワードを再発行しロックを解除 / set a new temporary password");
    data_opt(user_reset);
    user_reset->add_option("username", o->username, "ユーザー名 / username")->required();
    auto* user_unlock = user->add_subcommand("unlock", "ロックを解除 / unlock an account");
    data_opt(user_unlock);
    user_unlock->add_option("username", o->username, "ユーザー名 / username")->required();

    // unit
    auto* unit = app.add_subcommand("unit", "部署の管理 / manage units");
    unit->require_subcommand(1);
    auto* unit_add = unit->add_subcommand("add", "部署を追加 / add a unit");
    data_opt(unit_add);
    unit_add->add_option("name", o->name, "名前 / name")->required();
    unit_add->add_option("--kind", o->kind, "department|section|team")->required();
    unit_add->add_option("--parent", o->parent, "上位の部署 (ID または名前) / parent unit");
    auto* unit_list = unit->add_subcommand("list", "部署の一覧 / list units");
    data_opt(unit_list);

    // appoint
    auto* appoint = app.add_subcommand("appoint", "役割に任命 / appoint a person to a role");
    data_opt(appoint);
    appoint->add_option("username", o->person, "ユーザー名 / username")->required();
    appoint->add_option("--role", o->role, "役割 (例 section_manager) / role key")->required();
    appoint->add_option("--unit", o->unit, "部署 (ID または名前) / unit");
    appoint->add_option("--from", o->starts_on, "開始日 YYYY-MM-DD (既定 今日) / start date");
    appoint->add_option("--until", o->ends_on, "終了日 YYYY-MM-DD / end date");

    // import
    auto* import = app.add_subcommand("import", "CSV から取り込み / import from CSV");
    import->require_subcommand(1);
    auto* import_people = import->add_subcommand(
        "people",
        "職員を CSV (UTF-8 / Shift_JIS) から一括登録。1 行でも誤りがあれば何も登録しない "
        "/ import people, all or nothing");
    data_opt(import_people);
    import_people->add_option("file", o->file, "CSV ファイル")
        ->required()
        ->check(CLI::ExistingFile);
    import_people->add_flag("--dry-run", o->dry_run, "確認のみ / check only");
    auto* import_units = import->add_subcommand(
        "units",
        "部署を CSV (列: 名前, 種別, 上位部署) から一括登録。1 行でも誤りがあれば何も登録しない "
        "/ import units, all or nothing");
    data_opt(import_units);
    import_units->add_option("file", o->file, "CSV ファイル")->required()->check(CLI::ExistingFile);
    import_units->add_flag("--dry-run", o->dry_run, "確認のみ / check only");

    // A person by exact username, paging through the search results.
    auto find_person = [](org::OrgService& s, const Context& ctx,
                          const std::string& username) -> Result<org::Person> {
        org::PersonFilter f;
        f.q = username;
        f.limit = org::kMaxPageSize;
        for (;;) {
            auto page = s.ListPeople(ctx, f);
            if (!page) return mamori::Fail(page.error());
            for (const auto& p : page->items)
                if (p.username == username) return p;
            if (page->next_cursor.empty()) break;
            f.cursor = page->next_cursor;
        }
        return mamori::Fail(Error::NotFound("そのユーザーはいません: " + username));
    };

    return [=]() -> int {
        if (user_add->parsed()) {
            return WithService(*o, [&](org::OrgService& s, const Context& ctx) {
                auto unit_id = ResolveUnit(s, o->unit);
                if (!unit_id) return Report(unit_id.error());
                bool generated = false;
                org::NewPerson p;
                p.username = o->username;
                p.display_name = o->display_name;
                p.reading = o->reading;
                p.email = o->email;
                p.unit_id = *unit_id;
                p.employment_type = o->employment;
                p.password = PasswordFromEnvOrGenerate(generated);
                auto made = s.CreatePerson(ctx, p);
                if (!made) return Report(made.error());
                std::printf("追加しました / added: %s (%s)\n", made->username.c_str(),
                            made->id.c_str());
                if (generated)
                    std::printf("仮パスワード / temporary password: %s\n", p.password.c_str());
                return 0;
            });
        }
        if (user_list->parsed()) {
            return WithService(*o, [&](org::OrgService& s, const Context& ctx) {
                org::PersonFilter f;
                f.limit = org::kMaxPageSize;
                for (;;) {
                    auto page = s.ListPeople(ctx, f);
                    if (!page) return Report(page.error());
                    for (const auto& p : page->items)
                        std::printf("%-20s %-20s %-10s %s%s\n", p.username.c_str(),
                                    p.display_name.c_str(), p.status.c_str(),
                                    p.platform_admin ? "platform_admin " : "",
                                    p.locked ? "locked" : "");
                    if (page->next_cursor.empty()) break;
                    f.cursor = page->next_cursor;
                }
                return 0;
            });
        }
        if (user_reset->parsed() || user_unlock->parsed()) {
            const bool reset = user_reset->parsed();
            return WithService(*o, [&](org::OrgService& s, const Context& ctx) {
                auto p = find_person(s, ctx, o->username);
                if (!p) return Report(p.error());
                if (!reset) {
                    auto r = s.UnlockPerson(ctx, p->id);
                    if (!r) return Report(r.error());
                    std::printf("ロックを解除しました / unlocked: %s\n", o->username.c_str());
                    return 0;
                }
                bool generated = false;
                std::string pw = PasswordFromEnvOrGenerate(generated);
                auto r = s.ResetPassword(ctx, p->id, pw);
                if (!r) return Report(r.error());
                std::printf("仮パスワードを設定しました / temporary password set: %s\n",
                            o->username.c_str());
                if (generated) std::printf("仮パスワード / temporary password: %s\n", pw.c_str());
                return 0;
            });
        }
        if (unit_add->parsed()) {
            return WithService(*o, [&](org::OrgService& s, const Context& ctx) {
                auto parent = ResolveUnit(s, o->parent);
                if (!parent) return Report(parent.error());
                auto u = s.CreateUnit(ctx, {o->name, o->kind, *parent});
                if (!u) return Report(u.error());
                std::printf("追加しました / added: %s (%s)\n", u->name.c_str(), u->id.c_str());
                return 0;
            });
        }
        if (unit_list->parsed()) {
            return WithService(*o, [&](org::OrgService& s, const Context& ctx) {
                auto units = s.ListUnits(ctx, {});
                if (!units) return Report(units.error());
                for (const auto& u : *units)
                    std::printf("%s%s [%s] %s%s\n",
                                std::string(static_cast<std::size_t>(u.depth) * 2, ' ').c_str(),
                                u.name.c_str(), u.kind.c_str(), u.id.c_str(),
                                u.status == "closed" ? " (廃止 / closed)" : "");
                return 0;
            });
        }
        if (appoint->parsed()) {
            return WithService(*o, [&](org::OrgService& s, const Context& ctx) {
                auto p = find_person(s, ctx, o->person);
                if (!p) return Report(p.error());
                auto unit_id = ResolveUnit(s, o->unit);
                if (!unit_id) return Report(unit_id.error());
                org::NewAppointment a;
                a.person_id = p->id;
                a.role = o->role;
                a.unit_id = *unit_id;
                a.starts_on = o->starts_on.empty() ? org::TodayJst(s.clock().Now()) : o->starts_on;
                if (!o->ends_on.empty()) a.ends_on = o->ends_on;
                auto made = s.CreateAppointment(ctx, a);
                if (!made) return Report(made.error());
                std::printf("任命しました / appointed: %s → %s (%s)\n", o->person.c_str(),
                            o->role.c_str(), made->id.c_str());
                return 0;
            });
        }
        if (import_people->parsed() || import_units->parsed()) {
            const bool people = import_people->parsed();
            return WithService(*o, [&](org::OrgService& s, const Context& ctx) {
                std::ifstream in(o->file, std::ios::binary);
                std::stringstream ss;
                ss << in.rdbuf();
                std::vector<org::ImportRowError> errors;
                std::size_t count = 0;
                bool written = false;
                std::string encoding;
                if (people) {
                    auto r = org::ImportPeople(s, ctx, ss.str(), o->dry_run);
                    if (!r) return Report(r.error());
                    errors = r->errors;
                    count = r->people.size();
                    written = r->written;
                    encoding = r->encoding;
                } else {
                    auto r = org::ImportUnits(s, ctx, ss.str(), o->dry_run);
                    if (!r) return Report(r.error());
                    errors = r->errors;
                    count = r->units.size();
                    written = r->written;
                    encoding = r->encoding;
                }
                for (const auto& e : errors)
                    std::fprintf(stderr, "%d 行目 %s: %s\n", e.row, e.column.c_str(),
                                 e.message.c_str());
                if (!errors.empty()) {
                    std::fprintf(
                        stderr, "%zu 件の誤りがあるため、何も登録していません / nothing imported\n",
                        errors.size());
                    return 1;
                }
                std::printf("%zu 件を%s / %zu rows %s (%s)\n", count,
                            written ? "登録しました" : "確認しました (登録はしていません)", count,
                            written ? "imported" : "checked", encoding.c_str());
                return 0;
            });
        }
        return -1;
    };
}

}  // namespace mamori::cli
