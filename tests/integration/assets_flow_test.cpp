// The asset and system registers over real HTTP, on both databases, with the demo city:
// scopes (section manager, staff, auditor), handling rules, warnings, disposal, 棚卸し,
// export and import (CSV and XLSX, all or nothing, round trip), and system appointments.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/api_client.h"
#include "support/test_server.h"

namespace mamori::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kAdmin = "Kanri-Passw0rd-2026";
constexpr const char* kDemo = "Demo-Passw0rd-1";
constexpr const char* kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

class AssetsFlowTest : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        data_ = tmp_.path() / "data";
        auto r = InitDataDirFor(data_, GetParam(), "Init-Passw0rd!", kDemo);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        WithoutMfa(data_);
        server_ = ServerProcess::Start(data_);
        ASSERT_TRUE(server_);
        manager_ = Login("shimin-kacho");                   // section_manager of 市民課
        auto units = Login("kansa")->Get("/api/v1/units");  // an auditor reads every unit
        ASSERT_EQ(units.status, 200) << units.body;
        for (const auto& u : units.json.at("items").as_array()) {
            const std::string name(u.at("name").as_string());
            if (name == "市民課") shimin_ = std::string(u.at("id").as_string());
            if (name == "税務課") zeimu_ = std::string(u.at("id").as_string());
        }
        ASSERT_FALSE(shimin_.empty());
        ASSERT_FALSE(zeimu_.empty());
    }

    std::unique_ptr<ApiClient> Login(const std::string& username) {
        auto c = std::make_unique<ApiClient>(server_->port());
        c->LoginFull(username, kDemo);
        return c;
    }

    ApiClient::Reply CreateAsset(ApiClient& c, const std::string& unit, json::object extra = {}) {
        json::object body{{"name", "窓口受付簿"},
                          {"owner_unit_id", unit},
                          {"confidentiality", "3B"},
                          {"integrity", "2"},
                          {"availability", "2"}};
        for (auto& [k, v] : extra) body[k] = v;
        return c.Post("/api/v1/assets", body);
    }

    int Count(ApiClient& c, const std::string& query = "") {
        int n = 0;
        std::string cursor;
        do {
            auto r = c.Get("/api/v1/assets?limit=200" + query +
                           (cursor.empty() ? "" : "&cursor=" + cursor));
            EXPECT_EQ(r.status, 200) << r.body;
            if (r.status != 200) return -1;
            n += static_cast<int>(r.json.at("items").as_array().size());
            const auto& next = r.json.at("next_cursor");
            cursor = next.is_null() ? "" : std::string(next.as_string());
        } while (!cursor.empty());
        return n;
    }

    TempDir tmp_;
    fs::path data_;
    std::unique_ptr<ServerProcess> server_;
    std::unique_ptr<ApiClient> manager_;
    std::string shimin_, zeimu_;
};

TEST_P(AssetsFlowTest, SectionManagersChangeOnlyTheirSectionsAndStaffReadOnlyTheirs) {
    auto created = CreateAsset(*manager_, shimin_);
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(created.json.at("status").as_string(), "active");
    EXPECT_TRUE(created.json.at("asset_number").as_string().starts_with("A-"));
    const std::string id(created.json.at("id").as_string());

    auto elsewhere = CreateAsset(*manager_, zeimu_);
    EXPECT_EQ(elsewhere.status, 403) << elsewhere.body;

    auto bad = CreateAsset(*manager_, shimin_, {{"confidentiality", "9Z"}});
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.code(), "unknown_level");

    auto staff = Login("shimin-staff");
    EXPECT_EQ(staff->Get("/api/v1/assets/" + id).status, 200);
    EXPECT_EQ(CreateAsset(*staff, shimin_).status, 403);
    auto all_for_staff = staff->Get("/api/v1/assets?limit=200");
    ASSERT_EQ(all_for_staff.status, 200);
    for (const auto& a : all_for_staff.json.at("items").as_array())
        EXPECT_EQ(a.at("owner_unit_id").as_string(), shimin_);

    auto auditor = Login("kansa");
    EXPECT_GT(Count(*auditor), Count(*staff));
    EXPECT_EQ(auditor->Patch("/api/v1/assets/" + id, json::object{{"name", "x"}}).status, 403);
}

TEST_P(AssetsFlowTest, HandlingRulesAndWarningsComeFromTheCatalog) {
    auto created =
        CreateAsset(*manager_, shimin_, {{"confidentiality", "1"}, {"personal_info", true}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id(created.json.at("id").as_string());
    auto warnings = manager_->Get("/api/v1/assets/" + id + "/warnings");
    ASSERT_EQ(warnings.status, 200);
    bool lowest = false;
    for (const auto& w : warnings.json.at("items").as_array())
        lowest |= w.at("code").as_string() == "personal_info_lowest_confidentiality";
    EXPECT_TRUE(lowest) << warnings.body;

    auto raised = manager_->Patch("/api/v1/assets/" + id, json::object{{"confidentiality", "3A"}});
    ASSERT_EQ(raised.status, 200) << raised.body;
    auto handling = manager_->Get("/api/v1/assets/" + id + "/handling");
    ASSERT_EQ(handling.status, 200) << handling.body;
    EXPECT_EQ(handling.json.at("levels").at("confidentiality").at("key").as_string(), "3A");
    bool takeout = false;
    for (const auto& r : handling.json.at("rules").as_array()) {
        EXPECT_FALSE(r.at("ref").as_string().empty());
        if (r.at("key").as_string() == "takeout") {
            takeout = true;
            EXPECT_EQ(r.at("title").as_string(), "持ち出し");
            EXPECT_NE(std::string(r.at("text").as_string()).find("情報セキュリティ管理者"),
                      std::string::npos)
                << r;
        }
    }
    EXPECT_TRUE(takeout);

    auto list = manager_->Get("/api/v1/assets/warnings?limit=200");
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_FALSE(list.json.at("checks").as_array().empty());
}

TEST_P(AssetsFlowTest, DisposalIsRecordedOnceAndEndsChanges) {
    auto created = CreateAsset(*manager_, shimin_);
    ASSERT_EQ(created.status, 201);
    const std::string id(created.json.at("id").as_string());
    auto no_method = manager_->Post("/api/v1/assets/" + id + "/dispose", json::object{});
    EXPECT_EQ(no_method.status, 400);
    auto disposed = manager_->Post("/api/v1/assets/" + id + "/dispose",
                                   json::object{{"method", "溶解処理"}, {"witness", "山田 一郎"}});
    ASSERT_EQ(disposed.status, 200) << disposed.body;
    EXPECT_EQ(disposed.json.at("disposal").at("method").as_string(), "溶解処理");
    EXPECT_EQ(
        manager_->Post("/api/v1/assets/" + id + "/dispose", json::object{{"method", "溶解処理"}})
            .code(),
        "already_disposed");
    EXPECT_EQ(manager_->Patch("/api/v1/assets/" + id, json::object{{"name", "x"}}).code(),
              "disposed");
    auto history = manager_->Get("/api/v1/assets/" + id + "/history");
    ASSERT_EQ(history.status, 200);
    EXPECT_EQ(history.json.at("items").as_array().size(), 2u);
}

TEST_P(AssetsFlowTest, ReviewBatchIsAllOrNothing) {
    auto a = CreateAsset(*manager_, shimin_, {{"next_review_on", "2020-01-01"}});
    auto b = CreateAsset(*manager_, shimin_);
    ASSERT_EQ(a.status, 201);
    ASSERT_EQ(b.status, 201);
    const std::string ida(a.json.at("id").as_string()), idb(b.json.at("id").as_string());
    ASSERT_EQ(
        manager_
            ->Post("/api/v1/assets/" + idb + "/dispose", json::object{{"method", "シュレッダー"}})
            .status,
        200);
    auto refused =
        manager_->Post("/api/v1/assets/review",
                       json::object{{"asset_ids", json::array{ida.c_str(), idb.c_str()}}});
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_EQ(manager_->Get("/api/v1/assets/" + ida).json.at("next_review_on").as_string(),
              "2020-01-01");
    auto done = manager_->Post(
        "/api/v1/assets/review",
        json::object{{"asset_ids", json::array{ida.c_str()}}, {"next_review_on", "2099-04-01"}});
    ASSERT_EQ(done.status, 200) << done.body;
    auto after = manager_->Get("/api/v1/assets/" + ida);
    EXPECT_EQ(after.json.at("next_review_on").as_string(), "2099-04-01");
    EXPECT_FALSE(after.json.at("last_reviewed_on").is_null());
    EXPECT_FALSE(after.json.at("last_reviewed_by").is_null());
}

TEST_P(AssetsFlowTest, ExportThenImportChangesNothing) {
    ASSERT_EQ(CreateAsset(*manager_, shimin_, {{"notes", "1行目\n2行目, \"引用\""}}).status, 201);
    const int before = Count(*manager_);
    auto csv = manager_->Get("/api/v1/assets/export?format=csv");
    ASSERT_EQ(csv.status, 200) << csv.body;
    ASSERT_TRUE(csv.body.starts_with("\xEF\xBB\xBF")) << "UTF-8 BOM for Excel";
    EXPECT_NE(csv.headers["content-disposition"].find("attachment"), std::string::npos);
    auto again = manager_->Send("POST", "/api/v1/assets/import", csv.body, "text/csv");
    ASSERT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(again.json.at("created").as_int64(), 0);
    EXPECT_EQ(again.json.at("updated").as_int64(), 0);
    EXPECT_EQ(again.json.at("unchanged").as_int64(), before);
    EXPECT_EQ(Count(*manager_), before);

    auto xlsx = manager_->Get("/api/v1/assets/export?format=xlsx");
    ASSERT_EQ(xlsx.status, 200);
    ASSERT_TRUE(xlsx.body.starts_with("PK"));
    auto preview = manager_->Send("POST", "/api/v1/assets/import?dry_run=true", xlsx.body, kXlsx);
    ASSERT_EQ(preview.status, 200) << preview.body;
    EXPECT_EQ(preview.json.at("encoding").as_string(), "xlsx");
    EXPECT_EQ(preview.json.at("unchanged").as_int64(), before);
}

TEST_P(AssetsFlowTest, AnImportWithOneBadRowImportsNothing) {
    const int before = Count(*manager_);
    const std::string csv =
        "名称,所管課,機密性,完全性,可用性,次回見直し日\r\n"
        "転入届綴り,市民課,3B,2,2,2027-04-01\r\n"
        "転出届綴り,市民課,3Z,2,2,2027-04-01\r\n"
        "住所変更届,存在しない課,2,2,2,2027-13-01\r\n";
    auto r = manager_->Send("POST", "/api/v1/assets/import", csv, "text/csv");
    ASSERT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.code(), "invalid_csv_rows");
    const auto& rows = r.json.at("error").at("details").at("rows").as_array();
    ASSERT_GE(rows.size(), 3u) << r.body;
    EXPECT_EQ(rows[0].at("row").as_int64(), 3);
    EXPECT_EQ(rows[0].at("column").as_string(), "機密性");
    EXPECT_EQ(Count(*manager_), before);

    const std::string good =
        "名称,所管課,機密性,完全性,可用性,個人情報\r\n転入届綴り,市民課,3B,2,2,あり\r\n";
    auto ok = manager_->Send("POST", "/api/v1/assets/import", good, "text/csv");
    ASSERT_EQ(ok.status, 201) << ok.body;
    EXPECT_EQ(ok.json.at("created").as_int64(), 1);
    EXPECT_EQ(Count(*manager_), before + 1);
}

TEST_P(AssetsFlowTest, SystemsHaveAppointedStaff) {
    auto admin = std::make_unique<ApiClient>(server_->port());
    admin->FirstLogin("admin", "Init-Passw0rd!", kAdmin);
    auto elevate = admin->Post("/api/v1/auth/elevate", json::object{{"password", kAdmin}});
    ASSERT_EQ(elevate.status, 200) << elevate.body;
    auto auditor = Login("kansa");
    auto systems = auditor->Get("/api/v1/systems");
    ASSERT_EQ(systems.status, 200) << systems.body;
    ASSERT_FALSE(systems.json.at("items").as_array().empty());
    std::set<std::string> zones;
    for (const auto& s : systems.json.at("items").as_array())
        zones.insert(std::string(s.at("zone").as_string()));
    EXPECT_EQ(zones.size(), 3u);
    const auto& system = systems.json.at("items").as_array().front();
    const std::string sid(system.at("id").as_string());

    auto people = admin->Get("/api/v1/people?q=shimin-staff");
    ASSERT_EQ(people.status, 200);
    const std::string person(people.json.at("items").as_array().front().at("id").as_string());
    auto wrong_role =
        admin->Post("/api/v1/appointments", json::object{{"person_id", person},
                                                         {"role", "auditor"},
                                                         {"system_id", sid},
                                                         {"starts_on", "2026-04-01"}});
    EXPECT_EQ(wrong_role.status, 400);
    auto appointed = admin->Post("/api/v1/appointments", json::object{{"person_id", person},
                                                                      {"role", "system_staff"},
                                                                      {"system_id", sid},
                                                                      {"starts_on", "2026-04-01"}});
    ASSERT_EQ(appointed.status, 201) << appointed.body;
    EXPECT_EQ(appointed.json.at("system_id").as_string(), sid);
    EXPECT_EQ(appointed.json.at("unit_id").as_string(), system.at("owner_unit_id").as_string());
    auto listed = admin->Get("/api/v1/appointments?system_id=" + sid);
    ASSERT_EQ(listed.status, 200);
    EXPECT_EQ(listed.json.at("items").as_array().size(), 1u);

    auto csv = auditor->Get("/api/v1/systems/export?format=csv");
    ASSERT_EQ(csv.status, 200);
    EXPECT_NE(csv.body.find("システム名"), std::string::npos);
}

TEST_P(AssetsFlowTest, ListSortsPagesAndCounts) {
    auto auditor = Login("kansa");
    auto first = auditor->Get("/api/v1/assets?sort=-name&limit=5");
    ASSERT_EQ(first.status, 200) << first.body;
    const auto& items = first.json.at("items").as_array();
    ASSERT_EQ(items.size(), 5u);
    for (std::size_t i = 1; i < items.size(); ++i)
        EXPECT_GE(items[i - 1].at("name").as_string(), items[i].at("name").as_string());
    auto second = auditor->Get("/api/v1/assets?sort=-name&limit=5&cursor=" +
                               std::string(first.json.at("next_cursor").as_string()));
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_LE(second.json.at("items").as_array().front().at("name").as_string(),
              items.back().at("name").as_string());
    EXPECT_EQ(auditor->Get("/api/v1/assets?sort=colour").status, 400);

    auto stats = auditor->Get("/api/v1/assets/stats");
    ASSERT_EQ(stats.status, 200) << stats.body;
    EXPECT_EQ(stats.json.at("active").as_int64(), Count(*auditor, "&status=active"));
    EXPECT_GT(stats.json.at("review_overdue").as_int64(), 0);
    int by_level = 0;
    for (const auto& b : stats.json.at("by_confidentiality").as_array())
        by_level += static_cast<int>(b.at("count").as_int64());
    EXPECT_EQ(by_level, stats.json.at("active").as_int64());
}

INSTANTIATE_TEST_SUITE_P(Databases, AssetsFlowTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace mamori::testing
