#include "org/demo.h"

#include <fmt/format.h>

#include <map>
#include <vector>

#include "auth/password.h"
#include "org/access.h"
#include "org/org_service.h"

namespace mamori::org {

namespace {

struct DemoUnit {
    const char* key;
    const char* name;
    const char* kind;
    const char* parent;  // key, or "" for a department
};

// ひばり野市: a fictional city.
const std::vector<DemoUnit> kUnits = {
    {"soumu-bu", "総務部", "department", ""},
    {"shimin-bu", "市民生活部", "department", ""},
    {"fukushi-bu", "健康福祉部", "department", ""},
    {"kensetsu-bu", "建設部", "department", ""},
    {"soumu", "総務課", "section", "soumu-bu"},
    {"jinji", "人事課", "section", "soumu-bu"},
    {"joho", "情報政策課", "section", "soumu-bu"},
    {"kansa", "行政監査室", "section", "soumu-bu"},
    {"joho-sys", "情報システム係", "team", "joho"},
    {"shimin", "市民課", "section", "shimin-bu"},
    {"zeimu", "税務課", "section", "shimin-bu"},
    {"kankyo", "環境課", "section", "shimin-bu"},
    {"fukushi", "福祉課", "section", "fukushi-bu"},
    {"kenko", "健康推進課", "section", "fukushi-bu"},
    {"toshi", "都市計画課", "section", "kensetsu-bu"},
    {"doro", "道路課", "section", "kensetsu-bu"},
};

struct DemoRole {
    const char* role;
    const char* unit;  // unit key, or "" for the whole organisation
};

struct DemoPerson {
    const char* username;
    const char* name;
    const char* reading;
    const char* unit;
    const char* employment;
    std::vector<DemoRole> roles;
};

const std::vector<DemoPerson> kPeople = {
    {"ciso",
     "高森 誠一",
     "たかもり せいいち",
     "soumu-bu",
     "regular",
     {{"ciso", ""}, {"committee_member", ""}}},
    {"tokatsu",
     "三浦 和彦",
     "みうら かずひこ",
     "soumu-bu",
     "regular",
     {{"general_manager", ""}, {"department_officer", "soumu-bu"}, {"committee_member", ""}}},
    {"shimin-bucho",
     "小野寺 恵子",
     "おのでら けいこ",
     "shimin-bu",
     "regular",
     {{"department_officer", "shimin-bu"}, {"committee_member", ""}}},
    {"fukushi-bucho",
     "石川 直樹",
     "いしかわ なおき",
     "fukushi-bu",
     "regular",
     {{"department_officer", "fukushi-bu"}, {"committee_member", ""}}},
    {"kensetsu-bucho",
     "大久保 隆",
     "おおくぼ たかし",
     "kensetsu-bu",
     "regular",
     {{"department_officer", "kensetsu-bu"}, {"committee_member", ""}}},
    {"soumu-kacho", "藤田 美穂", "ふじた みほ", "soumu", "regular", {{"section_manager", "soumu"}}},
    {"jinji-kacho",
     "中島 健一",
     "なかじま けんいち",
     "jinji",
     "regular",
     {{"section_manager", "jinji"}}},
    {"joho-kacho",
     "佐伯 真理子",
     "さえき まりこ",
     "joho",
     "regular",
     {{"section_manager", "joho"}, {"system_manager", "joho"}}},
    {"shimin-kacho",
     "村上 浩二",
     "むらかみ こうじ",
     "shimin",
     "regular",
     {{"section_manager", "shimin"}}},
    {"zeimu-kacho",
     "西村 陽子",
     "にしむら ようこ",
     "zeimu",
     "regular",
     {{"section_manager", "zeimu"}, {"system_manager", "zeimu"}}},
    {"kankyo-kacho",
     "岡本 修",
     "おかもと おさむ",
     "kankyo",
     "regular",
     {{"section_manager", "kankyo"}}},
    {"fukushi-kacho",
     "長谷川 由紀",
     "はせがわ ゆき",
     "fukushi",
     "regular",
     {{"section_manager", "fukushi"}}},
    {"kenko-kacho", "松田 亮", "まつだ りょう", "kenko", "regular", {{"section_manager", "kenko"}}},
    {"toshi-kacho",
     "森本 敦子",
     "もりもと あつこ",
     "toshi",
     "regular",
     {{"section_manager", "toshi"}}},
    {"doro-kacho", "菅原 誠", "すがわら まこと", "doro", "regular", {{"section_manager", "doro"}}},
    {"joho-kakaricho",
     "坂口 大輔",
     "さかぐち だいすけ",
     "joho-sys",
     "regular",
     {{"system_staff", "joho"}, {"csirt_member", ""}}},
    {"joho-tanto",
     "吉川 彩",
     "よしかわ あや",
     "joho-sys",
     "regular",
     {{"system_staff", "joho"}, {"csirt_member", ""}}},
    {"zeimu-tanto", "今井 拓也", "いまい たくや", "zeimu", "regular", {{"system_staff", "zeimu"}}},
    {"soumu-csirt", "平野 智子", "ひらの ともこ", "soumu", "regular", {{"csirt_member", ""}}},
    {"kansa", "久保田 茂", "くぼた しげる", "kansa", "regular", {{"auditor", ""}}},
    {"shimin-staff",
     "川口 さくら",
     "かわぐち さくら",
     "shimin",
     "fiscal_year",
     {{"staff", "shimin"}}},
    {"zeimu-staff", "野口 翔", "のぐち しょう", "zeimu", "regular", {{"staff", "zeimu"}}},
    {"kankyo-staff", "原田 千尋", "はらだ ちひろ", "kankyo", "regular", {{"staff", "kankyo"}}},
    {"fukushi-staff",
     "宮本 加奈",
     "みやもと かな",
     "fukushi",
     "fiscal_year",
     {{"staff", "fukushi"}}},
    {"kenko-staff", "上田 悠斗", "うえだ ゆうと", "kenko", "regular", {{"staff", "kenko"}}},
    {"toshi-staff", "横山 沙織", "よこやま さおり", "toshi", "regular", {{"staff", "toshi"}}},
    {"doro-staff", "小池 勇気", "こいけ ゆうき", "doro", "regular", {{"staff", "doro"}}},
    {"jinji-staff", "北村 真由美", "きたむら まゆみ", "jinji", "regular", {{"staff", "jinji"}}},
    {"soumu-staff", "安藤 良太", "あんどう りょうた", "soumu", "fiscal_year", {{"staff", "soumu"}}},
    {"itaku", "杉本 健", "すぎもと けん", "joho", "contractor", {{"staff", "joho"}}},
};

}  // namespace

std::string FiscalYearStart(const std::string& today) {
    int year = std::stoi(today.substr(0, 4));
    if (std::stoi(today.substr(5, 2)) < 4) --year;
    return fmt::format("{:04d}-04-01", year);
}

Result<void> SeedDemo(store::Database& db, const Clock& clock, const std::string& demo_password) {
    const RoleCatalog& catalog = RoleCatalog::Builtin();
    auth::PasswordPolicy policy;
    if (auto r = policy.Check(demo_password, ""); !r) {
        Error e = r.error();
        e.field = "demo_password";
        return Fail(e);
    }
    auto existing = db.Query("SELECT COUNT(*) FROM units");
    if (!existing) return Fail(existing.error());
    if (existing->rows[0].Int(0) > 0)
        return Fail(Error::Conflict("demo_exists", "部署が既にあるため、デモの市は作れません"));

    Principal demo;
    demo.username = "(demo)";
    demo.display_name = "デモデータ";
    demo.platform_admin = true;
    demo.grants.push_back({"platform_admin", ""});
    if (const Role* admin = catalog.Find("platform_admin")) demo.permissions = admin->permissions;
    demo.session_stage = "full";
    const Context ctx{&demo, "demo-seed", ""};

    OrgService service(db, clock, catalog, policy);
    auto hash = auth::HashPassword(demo_password);
    if (!hash) return Fail(hash.error());

    std::map<std::string, std::string> unit_ids;
    for (const auto& u : kUnits) {
        auto made = service.CreateUnit(
            ctx, {u.name, u.kind, *u.parent ? unit_ids.at(u.parent) : std::string()});
        if (!made) return Fail(made.error());
        unit_ids[u.key] = made->id;
    }
    const std::string starts_on = FiscalYearStart(TodayJst(clock.Now()));
    for (const auto& p : kPeople) {
        NewPerson np;
        np.username = p.username;
        np.display_name = p.name;
        np.reading = p.reading;
        np.email = fmt::format("{}@hibarino.example", p.username);
        np.unit_id = unit_ids.at(p.unit);
        np.employment_type = p.employment;
        np.password_hash = *hash;
        np.must_change_password = false;
        auto person = service.CreatePerson(ctx, np);
        if (!person) return Fail(person.error());
        for (const auto& r : p.roles) {
            auto a = service.CreateAppointment(
                ctx, {person->id, r.role, *r.unit ? unit_ids.at(r.unit) : std::string(), starts_on,
                      std::nullopt});
            if (!a) return Fail(a.error());
        }
    }
    return {};
}

Result<std::string> DemoActors::Person(const std::string& username) {
    auto rs = db_.Query("SELECT id FROM people WHERE username = ?", {username});
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty())
        return Fail(Error::Invalid("demo_city_missing", "デモの職員がいません: " + username));
    return rs->rows[0].Text(0);
}

Result<Context> DemoActors::As(const std::string& person_id) {
    auto p = LoadPrincipal(db_, roles_, person_id, today_);
    if (!p) return Fail(p.error());
    principals_[person_id] = std::move(*p);
    return Context{&principals_[person_id], "demo", "local"};
}

Result<Context> DemoActors::AsUser(const std::string& username) {
    auto person = Person(username);
    if (!person) return Fail(person.error());
    return As(*person);
}

}  // namespace mamori::org
