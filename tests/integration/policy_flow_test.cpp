// The policy area over real HTTP and the real CLI, on both databases: the Hirakawa catalog
// loaded by init, reading it, a new version loaded while the server runs, the diff, the
// acknowledgement asked again for the new version, and a bad catalog that changes nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "support/api_client.h"
#include "support/test_server.h"

namespace mamori::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kInitial = "Init-Passw0rd!";
constexpr const char* kAdmin = "Kanri-Passw0rd-2026";
constexpr const char* kTemp = "Temp-Passw0rd-1";
constexpr const char* kStaff = "Shokuin-Passw0rd-9";

class PolicyFlowTest : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        data_ = tmp_.path() / "data";
        auto r = InitDataDirFor(data_, GetParam(), kInitial);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_NE(r.out.find("2026-03-23"), std::string::npos) << r.out;
        WithoutMfa(data_);
        server_ = ServerProcess::Start(data_);
        ASSERT_TRUE(server_);
        admin_ = std::make_unique<ApiClient>(server_->port());
        admin_->FirstLogin("admin", kInitial, kAdmin);
    }

    // A unit with one staff member who has logged in (and changed the temporary password).
    std::string AddStaff(const std::string& username, std::string* unit_out = nullptr) {
        auto e = admin_->Post("/api/v1/auth/elevate", json::object{{"password", kAdmin}});
        EXPECT_EQ(e.status, 200) << e.body;
        auto unit = admin_->Post("/api/v1/units",
                                 json::object{{"name", "情報政策課"}, {"kind", "department"}});
        EXPECT_EQ(unit.status, 201) << unit.body;
        const std::string unit_id(unit.json.at("id").as_string());
        auto person = admin_->Post("/api/v1/people", json::object{{"username", username},
                                                                  {"display_name", "平川 花子"},
                                                                  {"unit_id", unit_id},
                                                                  {"password", kTemp}});
        EXPECT_EQ(person.status, 201) << person.body;
        if (unit_out) *unit_out = unit_id;
        return std::string(person.json.at("id").as_string());
    }

    std::unique_ptr<ApiClient> LogIn(const std::string& username) {
        auto c = std::make_unique<ApiClient>(server_->port());
        c->FirstLogin(username, kTemp, kStaff);
        return c;
    }

    // A copy of the shipped catalog, to edit.
    fs::path CopyCatalog() {
        const fs::path to = tmp_.path() / "catalog";
        fs::copy(fs::path(MAMORI_SOURCE_DIR) / "policies/hirakawa", to,
                 fs::copy_options::recursive);
        return to;
    }

    static void Replace(const fs::path& file, const std::string& from, const std::string& to) {
        std::string text = ReadFile(file);
        const auto at = text.find(from);
        ASSERT_NE(at, std::string::npos) << from;
        text.replace(at, from.size(), to);
        std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
    }

    TempDir tmp_;
    fs::path data_;
    std::unique_ptr<ServerProcess> server_;
    std::unique_ptr<ApiClient> admin_;
};

TEST_P(PolicyFlowTest, TheHirakawaPolicyIsInForceAfterInit) {
    auto policy = admin_->Get("/api/v1/policy");
    ASSERT_EQ(policy.status, 200) << policy.body;
    EXPECT_EQ(policy.json.at("city").as_string(), "平川市");
    EXPECT_EQ(policy.json.at("revisions").as_array().size(), 9u);
    EXPECT_TRUE(policy.json.at("version").at("in_force").as_bool());
    EXPECT_GT(policy.json.at("requirements").as_int64(), 130);

    auto basic = admin_->Get("/api/v1/policy/basic");
    ASSERT_EQ(basic.status, 200);
    EXPECT_EQ(basic.json.at("items").as_array().size(), 10u);

    auto tree = admin_->Get("/api/v1/policy/controls");
    ASSERT_EQ(tree.status, 200);
    EXPECT_EQ(tree.json.at("items").as_array().size(), 11u);

    auto one = admin_->Get("/api/v1/policy/controls/8-2%286%29");
    ASSERT_EQ(one.status, 200) << one.body;
    EXPECT_EQ(one.json.at("title").as_string(), "特権による接続時間の制限");
    EXPECT_FALSE(one.json.at("requirement").as_string().empty());
    EXPECT_EQ(admin_->Get("/api/v1/policy/controls/99-1").status, 404);

    // Searching Japanese text keeps the path down to what matches.
    auto found = admin_->Get("/api/v1/policy/controls?q=%E7%89%B9%E6%A8%A9");  // 特権
    ASSERT_EQ(found.status, 200);
    EXPECT_NE(found.body.find("8-2(6)"), std::string::npos);
    EXPECT_EQ(found.body.find("6-1(1)"), std::string::npos);

    auto scheme = admin_->Get("/api/v1/policy/classification");
    ASSERT_EQ(scheme.status, 200);
    EXPECT_EQ(scheme.json.at("key").as_string(), "municipal-2024");
    EXPECT_EQ(scheme.json.at("alternatives").as_array().size(), 1u);

    auto zones = admin_->Get("/api/v1/policy/zones");
    ASSERT_EQ(zones.status, 200);
    EXPECT_EQ(zones.json.at("flows").as_array().size(), 6u);

    auto coverage = admin_->Get("/api/v1/policy/coverage");
    ASSERT_EQ(coverage.status, 200);
    const auto& totals = coverage.json.at("totals");
    EXPECT_EQ(totals.at("requirements").as_int64(), totals.at("available").as_int64() +
                                                        totals.at("planned").as_int64() +
                                                        totals.at("manual").as_int64());

    auto oscal = Http(server_->port(), "GET", "/api/v1/policy/export/oscal", "",
                      {{"Cookie", admin_->cookie()}});
    ASSERT_EQ(oscal.status, 200);
    EXPECT_NE(oscal.body.find("\"catalog\""), std::string::npos);
    EXPECT_NE(oscal.headers["content-disposition"].find("attachment"), std::string::npos);
    auto cli = RunMamori({"policy", "export-oscal", "--data", data_.string()});
    ASSERT_EQ(cli.exit_code, 0) << cli.err;
    EXPECT_EQ(json::parse(cli.out), json::parse(oscal.body)) << "the CLI and the API agree";
}

TEST_P(PolicyFlowTest, StaffAcknowledgeAndManagersSeeWhoHasNot) {
    std::string unit;
    const std::string staff_id = AddStaff("hanako", &unit);
    auto staff = LogIn("hanako");

    auto mine = staff->Get("/api/v1/policy/acknowledgements");
    ASSERT_EQ(mine.status, 200) << mine.body;
    EXPECT_FALSE(mine.json.at("acknowledged").as_bool());

    // Only managers see acknowledgements by unit; the platform administrator is not one.
    EXPECT_EQ(admin_->Get("/api/v1/policy/acknowledgements/units").status, 403);
    EXPECT_EQ(staff->Get("/api/v1/policy/acknowledgements/units").status, 403);

    auto ack = staff->Post("/api/v1/policy/acknowledgements");
    ASSERT_EQ(ack.status, 200) << ack.body;
    EXPECT_TRUE(ack.json.at("acknowledged").as_bool());
    const std::string when(ack.json.at("acknowledged_at").as_string());
    auto again = staff->Post("/api/v1/policy/acknowledgements");
    EXPECT_EQ(again.json.at("acknowledged_at").as_string(), when) << "the first time is kept";
    EXPECT_EQ(staff->Post("/api/v1/policy/acknowledgements", json::object{{"x", 1}}).status, 400);

    // A section manager of the unit sees it; a second person there has not acknowledged.
    auto second = admin_->Post("/api/v1/people", json::object{{"username", "taro"},
                                                              {"display_name", "平川 太郎"},
                                                              {"unit_id", unit},
                                                              {"password", kTemp}});
    ASSERT_EQ(second.status, 201) << second.body;
    auto appoint = admin_->Post("/api/v1/appointments", json::object{{"person_id", staff_id},
                                                                     {"role", "section_manager"},
                                                                     {"unit_id", unit},
                                                                     {"starts_on", "2026-04-01"}});
    ASSERT_EQ(appoint.status, 201) << appoint.body;
    auto units = staff->Get("/api/v1/policy/acknowledgements/units");
    ASSERT_EQ(units.status, 200) << units.body;
    const auto& items = units.json.at("items").as_array();
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].at("unit_path").as_string(), "情報政策課");
    EXPECT_EQ(items[0].at("depth").as_int64(), 0);
    EXPECT_EQ(items[0].at("people").as_int64(), 2);
    EXPECT_EQ(items[0].at("acknowledged").as_int64(), 1);
    ASSERT_EQ(items[0].at("pending").as_array().size(), 1u);
    EXPECT_EQ(items[0].at("pending").as_array()[0].at("username").as_string(), "taro");
}

TEST_P(PolicyFlowTest, ANewVersionComesIntoForceAndEveryoneIsAskedAgain) {
    AddStaff("hanako");
    auto staff = LogIn("hanako");
    ASSERT_EQ(staff->Post("/api/v1/policy/acknowledgements").status, 200);

    const fs::path catalog = CopyCatalog();
    Replace(catalog / "policy.yaml", "version: \"2026-03-23\"", "version: \"2026-11-01\"");
    Replace(catalog / "policy.yaml", "effective_date: 2026-03-23", "effective_date: 2026-11-01");
    const fs::path standards = catalog / "standards/08-technical.yaml";
    Replace(standards, "title: 特権による接続時間の制限\n",
            "title: 特権による接続時間の制限\n        colour: blue\n");
    // A catalog with a problem: the checker names file and line, and nothing is loaded.
    auto bad = RunMamori({"policy", "load", catalog.string(), "--data", data_.string()});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("standards/08-technical.yaml:"), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("unknown key `colour`"), std::string::npos) << bad.err;
    auto check = RunMamori({"policy", "check", catalog.string()});
    EXPECT_EQ(check.exit_code, 1);
    EXPECT_EQ(admin_->Get("/api/v1/policy/versions").json.at("items").as_array().size(), 1u);

    Replace(standards,
            "        colour: blue\n        requirement: |\n          特権 ID による接続は、",
            "        requirement: |\n          改正した要件。特権 ID による接続は、");
    auto ok = RunMamori({"policy", "check", catalog.string()});
    ASSERT_EQ(ok.exit_code, 0) << ok.err;
    auto loaded = RunMamori({"policy", "load", catalog.string(), "--data", data_.string()});
    ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
    auto twice = RunMamori({"policy", "load", catalog.string(), "--data", data_.string()});
    EXPECT_EQ(twice.exit_code, 1);

    // Loaded by another process: the server sees it within server.read_cache_seconds.
    ApiClient::Reply policy;
    for (int i = 0; i < 80; ++i) {
        policy = admin_->Get("/api/v1/policy");
        if (policy.status == 200 &&
            policy.json.at("version").at("version").as_string() == "2026-11-01")
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(policy.json.at("version").at("version").as_string(), "2026-11-01");

    auto versions = admin_->Get("/api/v1/policy/versions");
    ASSERT_EQ(versions.json.at("items").as_array().size(), 2u);
    auto old_one = admin_->Get("/api/v1/policy/controls/8-2%286%29?version=2026-03-23");
    ASSERT_EQ(old_one.status, 200);
    EXPECT_EQ(old_one.json.at("requirement").as_string().find("改正"), std::string::npos)
        << "older versions stay citable";
    auto diff = admin_->Get("/api/v1/policy/versions/2026-03-23/diff/2026-11-01");
    ASSERT_EQ(diff.status, 200) << diff.body;
    const auto& changed = diff.json.at("requirements").at("changed").as_array();
    ASSERT_EQ(changed.size(), 1u) << diff.body;
    EXPECT_EQ(changed[0].at("ref").as_string(), "8-2(6)");

    auto mine = staff->Get("/api/v1/policy/acknowledgements");
    ASSERT_EQ(mine.status, 200);
    EXPECT_EQ(mine.json.at("version").at("version").as_string(), "2026-11-01");
    EXPECT_FALSE(mine.json.at("acknowledged").as_bool()) << "asked again for the new version";
}

INSTANTIATE_TEST_SUITE_P(Databases, PolicyFlowTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace mamori::testing
