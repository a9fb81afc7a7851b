#include "assets/assets_service.h"

#include <gtest/gtest.h>

#include <ctime>
#include <memory>

#include "auth/password.h"
#include "org/org_service.h"
#include "policy/catalog.h"
#include "support/test_database.h"
#include "support/test_fixtures.h"

namespace mamori::assets {
namespace {

Clock::TimePoint At(const char* rfc3339) {
    std::tm tm{};
    strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

/// The roles with the permissions the lead will grant in roles.yaml.
const org::RoleCatalog& Roles() {
    static const org::RoleCatalog roles = [] {
        auto r = org::RoleCatalog::Parse(R"(
roles:
  - key: general_manager
    name: 統括情報セキュリティ責任者
    scope: organisation
    permissions: [assets.read]
  - key: auditor
    name: 情報セキュリティ監査人
    scope: organisation
    permissions: [assets.read]
  - key: section_manager
    name: 情報セキュリティ管理者
    scope: subtree
    permissions: [assets.read, assets.manage]
  - key: staff
    name: 職員等
    scope: own
    permissions: [assets.read]
  - key: platform_admin
    name: プラットフォーム管理者
    scope: organisation
    permissions: [org.read, org.manage, accounts.manage]
)");
        if (!r) throw std::runtime_error(r.error().message);
        return std::move(*r);
    }();
    return roles;
}

std::shared_ptr<const policy::Catalog> Hirakawa() {
    static const auto catalog = [] { return mamori::testing::ParsedCatalog(); }();
    return catalog;
}

class AssetsServiceTest : public ::testing::TestWithParam<store::Backend> {
  protected:
    void SetUp() override {
        test_db_ = std::make_unique<mamori::testing::TestDatabase>(GetParam());
        ASSERT_TRUE(test_db_->ok());
        db_ = &test_db_->db();
        admin_ = mamori::testing::PlatformAdmin();
        org_ = std::make_unique<org::OrgService>(*db_, clock_, org::RoleCatalog::Builtin(),
                                                 auth::PasswordPolicy{});
        Context admin{&admin_, "req", "127.0.0.1"};
        dept_ = org_->CreateUnit(admin, {"総務部", "department", ""})->id;
        s1_ = org_->CreateUnit(admin, {"総務課", "section", dept_})->id;
        team_ = org_->CreateUnit(admin, {"庶務係", "team", s1_})->id;
        s2_ = org_->CreateUnit(admin, {"税務課", "section", dept_})->id;
        static const std::string hash = *auth::HashPassword("Sakura-2026!");
        org::NewPerson p;
        p.username = "kacho";
        p.display_name = "総務 課長";
        p.unit_id = s1_;
        p.password_hash = hash;
        auto person = org_->CreatePerson(admin, p);
        ASSERT_TRUE(person) << person.error().message;
        person_id_ = person->id;

        manager_.person_id = person_id_;
        manager_.grants = {{"staff", s1_}, {"section_manager", s1_}};
        staff_.grants = {{"staff", s1_}};
        team_staff_.grants = {{"staff", team_}};
        other_manager_.grants = {{"staff", s2_}, {"section_manager", s2_}};
        gm_.grants = {{"general_manager", ""}};
        auditor_.grants = {{"auditor", ""}};
        service_ = std::make_unique<AssetsService>(
            *db_, clock_, Roles(),
            []() -> Result<std::shared_ptr<const policy::Catalog>> { return Hirakawa(); });
    }
    void TearDown() override {
        service_.reset();
        org_.reset();
        test_db_.reset();
    }

    Context As(const Principal& p) { return {&p, "req", "127.0.0.1"}; }
    std::int64_t Events() {
        auto r = db_->Query("SELECT COUNT(*) FROM audit_events");
        return r ? r->rows[0].Int(0) : -1;
    }
    NewSystem System(const std::string& name, const std::string& zone,
                     const std::string& highest = "3A") {
        return {name, "住民記録", s1_, zone, "datacenter", "株式会社サンプル", highest, "in_use"};
    }
    NewAsset Asset(const std::string& name, const std::string& c = "3B") {
        NewAsset a;
        a.name = name;
        a.description = "住民の基本台帳";
        a.owner_unit_id = s1_;
        a.confidentiality = c;
        a.integrity = "2";
        a.availability = "2";
        return a;
    }

    FixedClock clock_{At("2026-11-27T03:00:00Z")};
    std::unique_ptr<mamori::testing::TestDatabase> test_db_;
    store::Database* db_ = nullptr;
    std::unique_ptr<org::OrgService> org_;
    std::unique_ptr<AssetsService> service_;
    Principal admin_, manager_, staff_, team_staff_, other_manager_, gm_, auditor_, nobody_;
    std::string dept_, s1_, team_, s2_, person_id_;
};

TEST_P(AssetsServiceTest, SystemCreateUpdateGetListHistory) {
    const auto before = Events();
    auto s = service_->CreateSystem(As(manager_), System("住基システム", "mynumber"));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->zone, "mynumber");
    EXPECT_EQ(Events(), before + 1);

    auto u = service_->UpdateSystem(
        As(manager_), s->id,
        {.vendor = std::string("別の事業者"), .status = std::string("retired")});
    ASSERT_TRUE(u) << u.error().message;
    EXPECT_EQ(u->vendor, "別の事業者");
    EXPECT_EQ(u->status, "retired");
    EXPECT_EQ(Events(), before + 2);
    // Nothing changed: no event.
    ASSERT_TRUE(service_->UpdateSystem(As(manager_), s->id, {.vendor = std::string("別の事業者")}));
    EXPECT_EQ(Events(), before + 2);

    auto got = service_->GetSystem(As(staff_), s->id);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->name, "住基システム");

    ASSERT_TRUE(service_->CreateSystem(As(other_manager_), [&] {
        auto n = System("税務システム", "lgwan");
        n.owner_unit_id = s2_;
        return n;
    }()));
    auto all = service_->ListSystems(As(gm_), {});
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), 2u);
    auto lgwan = service_->ListSystems(As(auditor_), {.zone = "lgwan"});
    ASSERT_TRUE(lgwan);
    ASSERT_EQ(lgwan->size(), 1u);
    EXPECT_EQ((*lgwan)[0].name, "税務システム");
    auto mine = service_->ListSystems(As(manager_), {});
    ASSERT_TRUE(mine);
    ASSERT_EQ(mine->size(), 1u);
    EXPECT_EQ((*mine)[0].name, "住基システム");
    auto retired = service_->ListSystems(As(gm_), {.unit_id = dept_, .status = "retired"});
    ASSERT_TRUE(retired);
    EXPECT_EQ(retired->size(), 1u);

    auto history = service_->SystemHistory(As(manager_), s->id, 10);
    ASSERT_TRUE(history);
    ASSERT_EQ(history->size(), 2u);
    EXPECT_EQ((*history)[0].action, "system.update");
    EXPECT_EQ((*history)[0].summary.at("status").at("to"), "retired");
    EXPECT_EQ((*history)[1].action, "system.create");
}

TEST_P(AssetsServiceTest, SystemValidationAndPermissions) {
    auto bad_zone = service_->CreateSystem(As(manager_), System("x", "dmz"));
    ASSERT_FALSE(bad_zone);
    EXPECT_EQ(bad_zone.error().kind, ErrorKind::kInvalidInput);
    EXPECT_EQ(bad_zone.error().field, "zone");
    auto bad_level = service_->CreateSystem(As(manager_), System("x", "lgwan", "9"));
    ASSERT_FALSE(bad_level);
    EXPECT_EQ(bad_level.error().field, "highest_confidentiality");
    auto hosting = System("x", "lgwan");
    hosting.hosting = "basement";
    EXPECT_EQ(service_->CreateSystem(As(manager_), hosting).error().field, "hosting");
    EXPECT_EQ(service_->CreateSystem(As(manager_), System("", "lgwan")).error().field, "name");
    auto unit = System("x", "lgwan");
    unit.owner_unit_id = "ghost";
    EXPECT_EQ(service_->CreateSystem(As(manager_), unit).error().field, "owner_unit_id");

    const auto before = Events();
    EXPECT_EQ(service_->CreateSystem(As(other_manager_), System("x", "lgwan")).error().kind,
              ErrorKind::kForbidden);
    EXPECT_EQ(service_->CreateSystem(As(gm_), System("x", "lgwan")).error().kind,
              ErrorKind::kForbidden);
    EXPECT_EQ(service_->CreateSystem(As(staff_), System("x", "lgwan")).error().kind,
              ErrorKind::kForbidden);
    EXPECT_EQ(service_->CreateSystem({}, System("x", "lgwan")).error().kind,
              ErrorKind::kUnauthenticated);
    EXPECT_EQ(Events(), before);

    auto s = service_->CreateSystem(As(manager_), System("住基", "mynumber"));
    ASSERT_TRUE(s);
    EXPECT_EQ(service_->UpdateSystem(As(other_manager_), s->id, {.name = std::string("奪取")})
                  .error()
                  .kind,
              ErrorKind::kForbidden);
    // Moving it to a section the manager does not manage is refused.
    EXPECT_EQ(service_->UpdateSystem(As(manager_), s->id, {.owner_unit_id = s2_}).error().kind,
              ErrorKind::kForbidden);
    EXPECT_EQ(service_->GetSystem(As(other_manager_), s->id).error().kind, ErrorKind::kForbidden);
    EXPECT_EQ(service_->GetSystem(As(manager_), "nope").error().kind, ErrorKind::kNotFound);
    EXPECT_EQ(service_->ListSystems(As(nobody_), {}).error().kind, ErrorKind::kForbidden);
    EXPECT_EQ(service_->ListSystems(As(gm_), {.status = "gone"}).error().field, "status");
}

TEST_P(AssetsServiceTest, AssetCreateNumbersUpdateAndHistory) {
    auto sys = service_->CreateSystem(As(manager_), System("住基", "mynumber"));
    ASSERT_TRUE(sys);
    auto a = Asset("住民基本台帳");
    a.system_id = sys->id;
    a.manager_person_id = person_id_;
    a.personal_info = true;
    a.specific_personal_info = true;
    a.next_review_on = "2027-03-31";
    const auto before = Events();
    auto created = service_->CreateAsset(As(manager_), a);
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_EQ(created->asset_number, "A-000001");
    EXPECT_EQ(created->status, "active");
    EXPECT_EQ(Events(), before + 1);
    auto second = service_->CreateAsset(As(manager_), Asset("窓口記録"));
    ASSERT_TRUE(second);
    EXPECT_EQ(second->asset_number, "A-000002");
    auto numbered = Asset("古い台帳");
    numbered.asset_number = "A-000123";
    ASSERT_TRUE(service_->CreateAsset(As(manager_), numbered));
    auto dup = service_->CreateAsset(As(manager_), numbered);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().kind, ErrorKind::kConflict);
    EXPECT_EQ(dup.error().field, "asset_number");
    EXPECT_EQ(service_->CreateAsset(As(manager_), Asset("次"))->asset_number, "A-000124");

    auto got = service_->GetAsset(As(staff_), created->id);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->system_id, sys->id);
    EXPECT_EQ(got->manager_person_id, person_id_);
    EXPECT_TRUE(got->specific_personal_info);
    EXPECT_EQ(got->next_review_on, "2027-03-31");

    auto updated = service_->UpdateAsset(
        As(manager_), created->id,
        {.confidentiality = std::string("3A"), .copies = 2, .next_review_on = std::string("")});
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(updated->confidentiality, "3A");
    EXPECT_EQ(updated->copies, 2);
    EXPECT_EQ(service_->GetAsset(As(gm_), created->id)->next_review_on, "");

    auto history = service_->AssetHistory(As(auditor_), created->id, 10);
    ASSERT_TRUE(history);
    ASSERT_EQ(history->size(), 2u);
    EXPECT_EQ((*history)[0].action, "asset.update");
    const auto& summary = (*history)[0].summary;
    EXPECT_EQ(summary.at("confidentiality").at("from"), "3B");
    EXPECT_EQ(summary.at("confidentiality").at("to"), "3A");
    EXPECT_EQ(summary.at("copies").at("to"), 2);
    EXPECT_FALSE(summary.contains("name"));
    EXPECT_EQ((*history)[1].action, "asset.create");
    EXPECT_EQ((*history)[1].summary.at("asset_number"), "A-000001");
}

TEST_P(AssetsServiceTest, AssetValidationNamesTheField) {
    struct Case {
        const char* field;
        std::function<void(NewAsset&)> change;
    };
    const std::vector<Case> cases = {
        {"name", [](NewAsset& a) { a.name = "   "; }},
        {"name", [](NewAsset& a) { a.name = std::string(201, 'x'); }},
        {"name", [](NewAsset& a) { a.name = "a\x01"; }},
        {"description", [](NewAsset& a) { a.description = std::string(2001, 'x'); }},
        {"asset_number", [](NewAsset& a) { a.asset_number = "A 1"; }},
        {"form", [](NewAsset& a) { a.form = "stone"; }},
        {"confidentiality", [](NewAsset& a) { a.confidentiality = "4"; }},
        {"integrity", [](NewAsset& a) { a.integrity = ""; }},
        {"availability", [](NewAsset& a) { a.availability = "3"; }},
        {"specific_personal_info", [](NewAsset& a) { a.specific_personal_info = true; }},
        {"copies", [](NewAsset& a) { a.copies = -1; }},
        {"copies", [](NewAsset& a) { a.copies = 10000; }},
        {"next_review_on", [](NewAsset& a) { a.next_review_on = "2026-02-30"; }},
        {"label_text", [](NewAsset& a) { a.label_text = std::string(101, 'x'); }},
        {"notes", [](NewAsset& a) { a.notes = "\xff"; }},
        {"owner_unit_id", [](NewAsset& a) { a.owner_unit_id = ""; }},
        {"owner_unit_id", [](NewAsset& a) { a.owner_unit_id = "ghost"; }},
        {"manager_person_id", [](NewAsset& a) { a.manager_person_id = "ghost"; }},
        {"system_id", [](NewAsset& a) { a.system_id = "ghost"; }},
    };
    const auto before = Events();
    for (const auto& c : cases) {
        NewAsset a = Asset("台帳");
        c.change(a);
        auto r = service_->CreateAsset(As(manager_), a);
        ASSERT_FALSE(r) << c.field;
        EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput) << c.field;
        EXPECT_EQ(r.error().field, c.field) << r.error().message;
    }
    auto multi = Asset("台帳");
    multi.notes = "一行目\n二行目";
    EXPECT_TRUE(service_->CreateAsset(As(manager_), multi));
    EXPECT_EQ(Events(), before + 1);

    auto a = service_->CreateAsset(As(manager_), Asset("台帳"));
    ASSERT_TRUE(a);
    auto bad = service_->UpdateAsset(As(manager_), a->id, {.integrity = std::string("X")});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().field, "integrity");
    EXPECT_EQ(service_->UpdateAsset(As(manager_), "nope", {}).error().kind, ErrorKind::kNotFound);
}

TEST_P(AssetsServiceTest, AssetPermissionsBySection) {
    auto mine = service_->CreateAsset(As(manager_), Asset("総務の台帳"));
    ASSERT_TRUE(mine);
    auto theirs = Asset("税の台帳");
    theirs.owner_unit_id = s2_;
    const auto before = Events();
    EXPECT_EQ(service_->CreateAsset(As(manager_), theirs).error().kind, ErrorKind::kForbidden);
    EXPECT_EQ(service_->CreateAsset(As(staff_), Asset("x")).error().kind, ErrorKind::kForbidden);
    EXPECT_EQ(service_->CreateAsset(As(gm_), Asset("x")).error().kind, ErrorKind::kForbidden);
    EXPECT_EQ(Events(), before);
    auto other = service_->CreateAsset(As(other_manager_), theirs);
    ASSERT_TRUE(other);

    // A section manager edits assets of a team below the section.
    auto team_asset = Asset("係の台帳");
    team_asset.owner_unit_id = team_;
    auto t = service_->CreateAsset(As(manager_), team_asset);
    ASSERT_TRUE(t) << t.error().message;

    EXPECT_EQ(service_->UpdateAsset(As(other_manager_), mine->id, {.name = std::string("x")})
                  .error()
                  .kind,
              ErrorKind::kForbidden);
    EXPECT_EQ(service_->UpdateAsset(As(staff_), mine->id, {.name = std::string("x")}).error().kind,
              ErrorKind::kForbidden);
    EXPECT_EQ(service_->UpdateAsset(As(manager_), mine->id, {.owner_unit_id = s2_}).error().kind,
              ErrorKind::kForbidden);

    // Staff read their own section's, not the other section's nor the team's below.
    EXPECT_TRUE(service_->GetAsset(As(staff_), mine->id));
    EXPECT_EQ(service_->GetAsset(As(staff_), other->id).error().kind, ErrorKind::kForbidden);
    EXPECT_EQ(service_->GetAsset(As(staff_), t->id).error().kind, ErrorKind::kForbidden);
    EXPECT_TRUE(service_->GetAsset(As(team_staff_), t->id));
    // The general manager and auditors read all.
    EXPECT_TRUE(service_->GetAsset(As(gm_), other->id));
    EXPECT_TRUE(service_->GetAsset(As(auditor_), mine->id));
    EXPECT_EQ(service_->GetAsset(As(nobody_), mine->id).error().kind, ErrorKind::kForbidden);
    EXPECT_EQ(service_->AssetHistory(As(other_manager_), mine->id, 5).error().kind,
              ErrorKind::kForbidden);

    auto staff_list = service_->ListAssets(As(staff_), {});
    ASSERT_TRUE(staff_list);
    ASSERT_EQ(staff_list->items.size(), 1u);
    EXPECT_EQ(staff_list->items[0].id, mine->id);
    auto manager_list = service_->ListAssets(As(manager_), {});
    ASSERT_TRUE(manager_list);
    EXPECT_EQ(manager_list->items.size(), 2u);
    EXPECT_EQ(service_->ListAssets(As(auditor_), {})->items.size(), 3u);
    EXPECT_EQ(service_->ListAssets(As(nobody_), {}).error().kind, ErrorKind::kForbidden);
}

TEST_P(AssetsServiceTest, ListFiltersAndPaging) {
    auto mn = service_->CreateSystem(As(manager_), System("住基", "mynumber"));
    auto lg = service_->CreateSystem(As(manager_), System("文書管理", "lgwan"));
    ASSERT_TRUE(mn && lg);
    for (int n = 0; n < 5; ++n) {
        auto a = Asset("住民票 " + std::to_string(n), n % 2 ? "3A" : "2");
        a.system_id = n < 3 ? mn->id : lg->id;
        a.personal_info = n < 2;
        a.next_review_on = n == 4 ? "2026-12-01" : "2027-06-30";
        if (n == 3) a.description = "100%_完了の記録";
        ASSERT_TRUE(service_->CreateAsset(As(manager_), a));
    }
    auto other = Asset("税の台帳");
    other.owner_unit_id = s2_;
    ASSERT_TRUE(service_->CreateAsset(As(other_manager_), other));

    auto count = [&](const AssetFilter& f) -> int {
        auto r = service_->ListAssets(As(gm_), f);
        EXPECT_TRUE(r) << r.error().message;
        return r ? static_cast<int>(r->items.size()) : -1;
    };
    EXPECT_EQ(count({}), 6);
    EXPECT_EQ(count({.unit_id = s1_}), 5);
    EXPECT_EQ(count({.unit_id = dept_}), 6);
    EXPECT_EQ(count({.system_id = mn->id}), 3);
    EXPECT_EQ(count({.zone = "lgwan"}), 2);
    EXPECT_EQ(count({.zone = "internet"}), 0);
    EXPECT_EQ(count({.confidentiality = "3A"}), 2);
    EXPECT_EQ(count({.personal_info = true}), 2);
    EXPECT_EQ(count({.personal_info = false}), 4);
    EXPECT_EQ(count({.review_due_by = "2026-12-31"}), 1);
    EXPECT_EQ(count({.q = "住民票 3"}), 1);  // every term, anywhere in name or description
    EXPECT_EQ(count({.q = "民票"}), 5);
    EXPECT_EQ(count({.q = "完了"}), 1);
    EXPECT_EQ(count({.q = "税"}), 1);
    EXPECT_EQ(count({.q = "台帳 住民"}), 5);  // both words, apart, in five descriptions
    EXPECT_EQ(count({.q = "税 住民票"}), 0);
    EXPECT_EQ(service_->ListAssets(As(gm_), {.q = "%_"}).error().field, "q");  // no letters
    // Rows without search tokens (written before the index, or by hand) are filled in.
    ASSERT_TRUE(db_->Query("DELETE FROM asset_text"));
    EXPECT_EQ(count({.q = "民票"}), 0);
    auto filled = IndexAssetText(*db_);
    ASSERT_TRUE(filled) << filled.error().message;
    EXPECT_EQ(*filled, 6);
    EXPECT_EQ(count({.q = "民票"}), 5);
    // A renamed asset is found by its new name only.
    auto taxes = service_->ListAssets(As(gm_), {.q = "税の台帳"});
    ASSERT_TRUE(taxes && taxes->items.size() == 1u);
    ASSERT_TRUE(service_->UpdateAsset(As(other_manager_), taxes->items[0].id,
                                      {.name = std::string("固定資産課税台帳")}));
    EXPECT_EQ(count({.q = "税の"}), 0);
    EXPECT_EQ(count({.q = "固定資産"}), 1);
    EXPECT_EQ(count({.status = "disposed"}), 0);

    // Paging by asset number.
    std::vector<std::string> seen;
    AssetFilter f{.limit = 4};
    for (int page = 0; page < 3; ++page) {
        auto r = service_->ListAssets(As(gm_), f);
        ASSERT_TRUE(r);
        for (const auto& a : r->items) seen.push_back(a.asset_number);
        if (r->next_cursor.empty()) break;
        f.cursor = r->next_cursor;
    }
    ASSERT_EQ(seen.size(), 6u);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    EXPECT_EQ(seen.front(), "A-000001");

    EXPECT_EQ(service_->ListAssets(As(gm_), {.zone = "dmz"}).error().field, "zone");
    EXPECT_EQ(service_->ListAssets(As(gm_), {.confidentiality = "9"}).error().field,
              "confidentiality");
    EXPECT_EQ(service_->ListAssets(As(gm_), {.review_due_by = "soon"}).error().field,
              "review_due_by");
    EXPECT_EQ(service_->ListAssets(As(gm_), {.q = std::string(101, 'x')}).error().field, "q");
    EXPECT_EQ(service_->ListAssets(As(gm_), {.cursor = "a b"}).error().field, "cursor");
    EXPECT_EQ(service_->ListAssets(As(gm_), {.unit_id = "ghost"}).error().field, "unit_id");
    // A manager filtering on another section sees nothing of it.
    auto none = service_->ListAssets(As(manager_), {.unit_id = s2_});
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->items.empty());
}

TEST_P(AssetsServiceTest, DisposeOnceAndKeep) {
    auto a = service_->CreateAsset(As(manager_), Asset("旧台帳"));
    ASSERT_TRUE(a);
    EXPECT_EQ(service_->DisposeAsset(As(manager_), a->id, {.method = ""}).error().field, "method");
    EXPECT_EQ(
        service_->DisposeAsset(As(manager_), a->id, {.disposed_on = "2026-11-28", .method = "溶解"})
            .error()
            .field,
        "disposed_on");
    EXPECT_EQ(service_->DisposeAsset(As(other_manager_), a->id, {.method = "溶解"}).error().kind,
              ErrorKind::kForbidden);
    const auto before = Events();
    auto d = service_->DisposeAsset(
        As(manager_), a->id,
        {.disposed_on = "2026-11-20", .method = "溶解処理", .witness = "立会 花子"});
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->status, "disposed");
    EXPECT_EQ(d->disposed_by, person_id_);
    EXPECT_EQ(Events(), before + 1);

    auto again = service_->DisposeAsset(As(manager_), a->id, {.method = "溶解"});
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().kind, ErrorKind::kConflict);
    EXPECT_EQ(again.error().code, "already_disposed");
    EXPECT_EQ(service_->UpdateAsset(As(manager_), a->id, {.name = std::string("x")}).error().kind,
              ErrorKind::kConflict);
    EXPECT_EQ(Events(), before + 1);

    auto kept = service_->GetAsset(As(auditor_), a->id);
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->disposed_on, "2026-11-20");
    EXPECT_EQ(kept->disposal_method, "溶解処理");
    EXPECT_EQ(kept->disposal_witness, "立会 花子");
    EXPECT_EQ(service_->ListAssets(As(gm_), {.status = "disposed"})->items.size(), 1u);
    auto history = service_->AssetHistory(As(manager_), a->id, 10);
    ASSERT_TRUE(history);
    EXPECT_EQ((*history)[0].action, "asset.dispose");
    EXPECT_EQ((*history)[0].summary.at("method"), "溶解処理");
}

TEST_P(AssetsServiceTest, HandlingAndWarningsOfAnAsset) {
    auto lg = service_->CreateSystem(As(manager_), System("文書管理", "lgwan", "2"));
    ASSERT_TRUE(lg);
    auto a = Asset("マイナンバー台帳", "3A");
    a.system_id = lg->id;
    a.personal_info = true;
    a.specific_personal_info = true;
    a.next_review_on = "2026-11-01";
    auto created = service_->CreateAsset(As(manager_), a);
    ASSERT_TRUE(created);

    auto rules = service_->Handling(As(staff_), created->id);
    ASSERT_TRUE(rules) << rules.error().message;
    bool takeout = false;
    for (const auto& r : *rules)
        if (r.key == "takeout") {
            takeout = true;
            EXPECT_EQ(r.fields.at("requires_approval_by"), "section_manager");
        }
    EXPECT_TRUE(takeout);

    auto warnings = service_->Warnings(As(staff_), created->id);
    ASSERT_TRUE(warnings);
    std::vector<std::string> codes;
    for (const auto& w : *warnings) codes.push_back(w.code);
    EXPECT_EQ(codes, (std::vector<std::string>{"specific_personal_info_outside_mynumber",
                                               "above_system_highest", "review_overdue"}));
    EXPECT_EQ(service_->Warnings(As(other_manager_), created->id).error().kind,
              ErrorKind::kForbidden);
}

TEST_P(AssetsServiceTest, ImportCreatesUpdatesAndLeavesUnchangedAllOrNothing) {
    auto existing = service_->CreateAsset(As(manager_), Asset("既存台帳"));
    ASSERT_TRUE(existing) << existing.error().message;
    const auto before = Events();

    // Row 2 updates the existing asset, row 3 creates with a given number, row 4 gets a
    // generated number that must skip A-000002 (given in the file), row 5 repeats a number.
    auto same = Asset("既存台帳");
    same.asset_number = existing->asset_number;
    auto renamed = same;
    renamed.name = "既存台帳 (改)";
    auto given = Asset("新しい台帳");
    given.asset_number = "A-000002";
    auto generated = Asset("番号なし");
    auto twice = Asset("重複");
    twice.asset_number = "A-000002";
    std::vector<AssetImportRow> rows{{2, renamed}, {3, given}, {4, generated}, {5, twice}};
    auto bad = service_->ImportAssets(As(manager_), rows, false);
    ASSERT_TRUE(bad) << bad.error().message;
    ASSERT_EQ(bad->errors.size(), 1u);
    EXPECT_EQ(bad->errors[0].row, 5);
    EXPECT_EQ(bad->errors[0].field, "asset_number");
    EXPECT_FALSE(bad->written);
    EXPECT_EQ(Events(), before);  // rolled back

    rows.pop_back();
    auto ok = service_->ImportAssets(As(manager_), rows, false);
    ASSERT_TRUE(ok) << ok.error().message;
    ASSERT_TRUE(ok->errors.empty()) << ok->errors[0].message;
    EXPECT_TRUE(ok->written);
    EXPECT_EQ(ok->created, 2);
    EXPECT_EQ(ok->updated, 1);
    EXPECT_EQ(ok->items[2].key, "A-000003");  // A-000001 exists, A-000002 was given
    EXPECT_EQ(Events(), before + 4);          // three changes and the import itself
    // Imported text is searchable: the new name and the created rows, not the old name.
    auto found = [&](const char* q) {
        auto r = service_->ListAssets(As(manager_), {.q = q});
        return r ? static_cast<int>(r->items.size()) : -1;
    };
    EXPECT_EQ(found("(改)"), 1);
    EXPECT_EQ(found("新しい"), 1);
    EXPECT_EQ(found("番号なし"), 1);
    EXPECT_EQ(found("台帳 改"), 1);

    // The same file again changes nothing (the generated row now creates another asset, so
    // leave it out as an exported file would carry its number).
    rows.pop_back();
    auto again = service_->ImportAssets(As(manager_), rows, false);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->unchanged, 2);
    EXPECT_EQ(again->created + again->updated, 0);

    // Another section's manager may not touch these rows; a dry run writes nothing.
    auto theirs = service_->ImportAssets(As(other_manager_), rows, true);
    ASSERT_TRUE(theirs);
    ASSERT_EQ(theirs->errors.size(), 2u);
    EXPECT_EQ(theirs->errors[0].field, "owner_unit_id");
    EXPECT_EQ(service_->ImportAssets(As(staff_), rows, true).error().kind, ErrorKind::kForbidden);
}

TEST_P(AssetsServiceTest, ReviewStatsAndSort) {
    auto overdue = Asset("期限切れ");
    overdue.next_review_on = "2026-01-31";
    overdue.personal_info = true;
    auto a = service_->CreateAsset(As(manager_), overdue);
    auto soon = Asset("まもなく", "2");
    soon.next_review_on = "2026-12-10";
    auto b = service_->CreateAsset(As(manager_), soon);
    ASSERT_TRUE(a && b);

    auto stats = service_->Stats(As(gm_), "");
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_EQ(stats->active, 2);
    EXPECT_EQ(stats->personal_info, 1);
    EXPECT_EQ(stats->review_overdue, 1);
    EXPECT_EQ(stats->review_due_soon, 1);
    EXPECT_EQ(stats->by_confidentiality.size(), 5u);  // every level of the scheme

    auto by_level = service_->ListAssets(As(gm_), {.sort = "-confidentiality"});
    ASSERT_TRUE(by_level) << by_level.error().message;
    ASSERT_EQ(by_level->items.size(), 2u);
    EXPECT_EQ(by_level->items[0].confidentiality, "3B");  // rank 4 before rank 2
    auto page = service_->ListAssets(As(gm_), {.sort = "next_review_on", .limit = 1});
    ASSERT_TRUE(page);
    EXPECT_EQ(page->items[0].name, "期限切れ");
    auto next = service_->ListAssets(
        As(gm_), {.sort = "next_review_on", .cursor = page->next_cursor, .limit = 1});
    ASSERT_TRUE(next) << next.error().message;
    EXPECT_EQ(next->items[0].name, "まもなく");

    EXPECT_EQ(service_->ReviewAssets(As(other_manager_), {{a->id}, ""}).error().kind,
              ErrorKind::kForbidden);
    EXPECT_EQ(service_->ReviewAssets(As(manager_), {{a->id}, "2026-11-27"}).error().code,
              "invalid_field");  // not after today
    auto done = service_->ReviewAssets(As(manager_), {{a->id, b->id}, ""});
    ASSERT_TRUE(done) << done.error().message;
    EXPECT_EQ(done->reviewed_on, "2026-11-27");
    EXPECT_EQ(done->next_review_on, "2027-11-27");
    auto got = service_->GetAsset(As(manager_), a->id);
    EXPECT_EQ(got->last_reviewed_by, person_id_);
    EXPECT_EQ(got->next_review_on, "2027-11-27");
    EXPECT_EQ(service_->Stats(As(gm_), "")->review_overdue, 0);

    auto warnings = service_->ListWarnings(As(gm_), {});
    ASSERT_TRUE(warnings);
    EXPECT_TRUE(warnings->items.empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, AssetsServiceTest, mamori::testing::AllBackends(),
                         mamori::testing::BackendName);

}  // namespace
}  // namespace mamori::assets
