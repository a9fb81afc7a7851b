// The demo registers of ひばり野市 (docs/demo.md), made through AssetsService on both
// databases after the demo city and the builtin policy catalog.
#include "assets/demo.h"

#include <gtest/gtest.h>

#include <ctime>
#include <map>
#include <memory>
#include <set>

#include "org/demo.h"
#include "policy/catalog.h"
#include "policy/policy_service.h"
#include "support/test_database.h"

namespace mamori::assets {
namespace {

Clock::TimePoint At(const char* rfc3339) {
    std::tm tm{};
    strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

class DemoAssetsTest : public ::testing::TestWithParam<store::Backend> {
  protected:
    void SetUp() override {
        test_db_ = std::make_unique<mamori::testing::TestDatabase>(GetParam());
        ASSERT_TRUE(test_db_->ok());
        db_ = &test_db_->db();
        reader_.username = "tokatsu";
        reader_.grants = {{"general_manager", ""}};
    }

    /// The demo city and a policy catalog (the builtin one unless `files` are given).
    void MakeCity(const policy::CatalogFiles& files = policy::BuiltinCatalogFiles()) {
        ASSERT_TRUE(org::SeedDemo(*db_, clock_, "Hibarino-Demo-2026!"));
        LoadCatalog(files);
    }
    void LoadCatalog(const policy::CatalogFiles& files) {
        policies_ = std::make_unique<policy::PolicyService>(*db_, clock_, Roles());
        auto loaded = policies_->Load({nullptr, "test", ""}, files);
        ASSERT_TRUE(loaded) << loaded.error().message;
    }
    CatalogSource InForce() {
        return [this]() -> Result<std::shared_ptr<const policy::Catalog>> {
            auto v = policies_->InForce();
            if (!v) return Fail(v.error());
            return v->catalog;
        };
    }
    static const org::RoleCatalog& Roles() { return org::RoleCatalog::Builtin(); }
    Result<void> Seed() { return SeedDemoAssets(*db_, clock_, Roles(), InForce()); }
    AssetsService Service() { return AssetsService(*db_, clock_, Roles(), InForce()); }
    Context AsReader() { return {&reader_, "req", "127.0.0.1"}; }
    std::vector<Asset> AllAssets() {
        AssetFilter f;
        f.limit = 200;
        auto page = Service().ListAssets(AsReader(), f);
        EXPECT_TRUE(page) << page.error().message;
        return page ? page->items : std::vector<Asset>{};
    }

    FixedClock clock_{At("2026-11-27T03:00:00Z")};  // 2026-11-27 in JST
    std::unique_ptr<mamori::testing::TestDatabase> test_db_;
    store::Database* db_ = nullptr;
    std::unique_ptr<policy::PolicyService> policies_;
    Principal reader_;
};

TEST_P(DemoAssetsTest, SeedsSystemsAssetsWarningsAndDisposals) {
    MakeCity();
    auto seeded = Seed();
    ASSERT_TRUE(seeded) << seeded.error().message;
    AssetsService service = Service();

    auto systems = service.ListSystems(AsReader(), {});
    ASSERT_TRUE(systems) << systems.error().message;
    EXPECT_EQ(systems->size(), 9u);
    std::set<std::string> zones;
    int planned = 0;
    for (const auto& s : *systems) {
        zones.insert(s.zone);
        planned += s.status == "planned";
    }
    EXPECT_EQ(zones, (std::set<std::string>{"internet", "lgwan", "mynumber"}));
    EXPECT_EQ(planned, 1);

    const auto assets = AllAssets();
    EXPECT_EQ(assets.size(), 36u);
    int disposed = 0, specific = 0, paper = 0, with_manager = 0, due_soon = 0, next_april = 0;
    std::map<std::string, std::vector<std::string>> warned;  // code → asset names
    for (const auto& a : assets) {
        if (a.status == "disposed") {
            ++disposed;
            EXPECT_NE(a.disposal_method.find("溶解処理"), std::string::npos) << a.name;
            EXPECT_FALSE(a.disposal_witness.empty()) << a.name;
            EXPECT_FALSE(a.disposed_by.empty()) << a.name;
            EXPECT_LT(a.disposed_on, "2026-11-27") << a.name;
            continue;
        }
        specific += a.specific_personal_info;
        paper += a.form == "paper";
        with_manager += !a.manager_person_id.empty();
        if (a.next_review_on >= "2026-11-27" && a.next_review_on <= "2026-12-27") ++due_soon;
        if (a.next_review_on == "2027-04-01") ++next_april;
        if (a.form == "paper") {
            EXPECT_TRUE(a.system_id.empty()) << a.name;
        }
        auto warnings = service.Warnings(AsReader(), a.id);
        ASSERT_TRUE(warnings) << warnings.error().message;
        for (const auto& w : *warnings) warned[w.code].push_back(a.name);
    }
    EXPECT_EQ(disposed, 2);
    EXPECT_GE(specific, 5);
    EXPECT_GE(paper, 8);
    EXPECT_EQ(with_manager, 33);  // 行政監査室 has no section manager
    EXPECT_EQ(due_soon, 2);
    EXPECT_GE(next_april, 25);
    EXPECT_EQ(warned["review_overdue"],
              (std::vector<std::string>{"印鑑登録原票", "道路占用許可申請書"}));
    EXPECT_EQ(warned["specific_personal_info_outside_mynumber"],
              (std::vector<std::string>{"扶養控除等申告書データ"}));
    EXPECT_EQ(warned["personal_info_lowest_confidentiality"],
              (std::vector<std::string>{"健康まつり 参加申込者名簿"}));
    EXPECT_EQ(warned.size(), 3u);

    // Every change is one audit event by the demo actor.
    auto events = db_->Query(
        "SELECT COUNT(*) FROM audit_events WHERE actor_name = '(demo)' AND object_type IN "
        "('system', 'asset')");
    ASSERT_TRUE(events);
    EXPECT_EQ(events->rows[0].Int(0), 9 + 36 + 2);

    // Only once.
    auto again = Seed();
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, "demo_assets_exist");
}

TEST_P(DemoAssetsTest, NeedsTheDemoCity) {
    LoadCatalog(policy::BuiltinCatalogFiles());
    auto seeded = Seed();
    ASSERT_FALSE(seeded);
    EXPECT_EQ(seeded.error().code, "demo_city_missing");
    auto count = db_->Query("SELECT COUNT(*) FROM systems");
    ASSERT_TRUE(count);
    EXPECT_EQ(count->rows[0].Int(0), 0);
}

// Under the earlier 3/2/1 scheme the 3A/3B/3C levels become 3; the checks still find the
// same inconsistencies.
TEST_P(DemoAssetsTest, FollowsTheLegacySchemeWhenItIsInForce) {
    policy::CatalogFiles files = policy::BuiltinCatalogFiles();
    std::string& policy = files["policy.yaml"];
    const auto at = policy.find("classification: classification.yaml");
    ASSERT_NE(at, std::string::npos);
    policy.replace(at, std::string("classification: classification.yaml").size(),
                   "classification: classification-legacy.yaml");
    // The application types name levels of the scheme in force too (the check says where).
    std::string& takeout = files["requests/takeout.yaml"];
    const auto level = takeout.find("confidentiality_at_least: \"3A\"");
    ASSERT_NE(level, std::string::npos);
    takeout.replace(level, std::string("confidentiality_at_least: \"3A\"").size(),
                    "confidentiality_at_least: \"3\"");
    MakeCity(files);
    auto seeded = Seed();
    ASSERT_TRUE(seeded) << seeded.error().message;
    std::set<std::string> levels;
    int warned = 0;
    AssetsService service = Service();
    for (const auto& a : AllAssets()) {
        levels.insert(a.confidentiality);
        if (a.status == "active")
            warned += static_cast<int>(service.Warnings(AsReader(), a.id)->size());
    }
    EXPECT_EQ(levels, (std::set<std::string>{"1", "2", "3"}));
    EXPECT_EQ(warned, 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, DemoAssetsTest, mamori::testing::AllBackends(),
                         mamori::testing::BackendName);

}  // namespace
}  // namespace mamori::assets
