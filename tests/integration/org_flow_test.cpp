// The organisation area over real HTTP, on both databases: elevation, units, people,
// appointments, 兼務の禁止, CSV import and the audit trail.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "support/api_client.h"
#include "support/test_postgres.h"
#include "support/test_server.h"

namespace mamori::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kInitial = "Init-Passw0rd!";
constexpr const char* kAdmin = "Kanri-Passw0rd-2026";

class OrgFlowTest : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        data_ = tmp_.path() / "data";
        auto r = InitDataDirFor(data_, GetParam(), kInitial);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        WithoutMfa(data_);  // these tests are about the organisation, not MFA
        server_ = ServerProcess::Start(data_);
        ASSERT_TRUE(server_);
        admin_ = std::make_unique<ApiClient>(server_->port());
        admin_->FirstLogin("admin", kInitial, kAdmin);
    }

    void Elevate() {
        auto e = admin_->Post("/api/v1/auth/elevate", json::object{{"password", kAdmin}});
        ASSERT_EQ(e.status, 200) << e.body;
    }

    std::string CreateUnit(const std::string& name, const std::string& kind,
                           const std::string& parent = "") {
        json::object body{{"name", name}, {"kind", kind}};
        if (!parent.empty()) body["parent_id"] = parent;
        auto r = admin_->Post("/api/v1/units", body);
        EXPECT_EQ(r.status, 201) << r.body;
        return r.status == 201 ? std::string(r.json.at("id").as_string()) : "";
    }

    std::string CreatePerson(const std::string& username, const std::string& name,
                             const std::string& unit) {
        auto r = admin_->Post("/api/v1/people", json::object{{"username", username},
                                                             {"display_name", name},
                                                             {"unit_id", unit},
                                                             {"password", "Temp-Passw0rd-1"}});
        EXPECT_EQ(r.status, 201) << r.body;
        return r.status == 201 ? std::string(r.json.at("id").as_string()) : "";
    }

    ApiClient::Reply Appoint(const std::string& person, const std::string& role,
                             const std::string& unit) {
        json::object body{{"person_id", person}, {"role", role}, {"starts_on", "2026-04-01"}};
        if (!unit.empty()) body["unit_id"] = unit;
        return admin_->Post("/api/v1/appointments", body);
    }

    TempDir tmp_;
    fs::path data_;
    std::unique_ptr<ServerProcess> server_;
    std::unique_ptr<ApiClient> admin_;
};

TEST_P(OrgFlowTest, AdministrativeChangesNeedElevation) {
    auto refused =
        admin_->Post("/api/v1/units", json::object{{"name", "総務部"}, {"kind", "department"}});
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(refused.code(), "elevation_required");
    auto wrong = admin_->Post("/api/v1/auth/elevate", json::object{{"password", "nope"}});
    EXPECT_EQ(wrong.status, 400);
    Elevate();
    auto me = admin_->Get("/api/v1/auth/me");
    EXPECT_TRUE(me.json.at("elevated").as_bool());
    EXPECT_FALSE(CreateUnit("総務部", "department").empty());
}

TEST_P(OrgFlowTest, UnitsPeopleAppointmentsAndSeparationOfDuties) {
    Elevate();
    const std::string dept = CreateUnit("総務部", "department");
    const std::string sect = CreateUnit("情報政策課", "section", dept);
    const std::string audit_room = CreateUnit("行政監査室", "section", dept);
    auto bad_tree = admin_->Post(
        "/api/v1/units", json::object{{"name", "係だけ"}, {"kind", "team"}, {"parent_id", dept}});
    EXPECT_EQ(bad_tree.status, 400) << bad_tree.body;

    const std::string manager = CreatePerson("joho-kacho", "佐伯 真理子", sect);
    const std::string auditor = CreatePerson("kansa", "久保田 茂", audit_room);
    auto bad_person = admin_->Post("/api/v1/people", json::object{{"username", "X Y"},
                                                                  {"display_name", "名前"},
                                                                  {"unit_id", sect},
                                                                  {"password", "Temp-Passw0rd-1"}});
    EXPECT_EQ(bad_person.status, 400);
    EXPECT_EQ(bad_person.json.at("error").at("details").at("field").as_string(), "username");
    auto unknown_field =
        admin_->Post("/api/v1/people", json::object{{"username", "abc"},
                                                    {"display_name", "名前"},
                                                    {"unit_id", sect},
                                                    {"password", "Temp-Passw0rd-1"},
                                                    {"is_platform_admin", true}});
    EXPECT_EQ(unknown_field.status, 400);
    EXPECT_EQ(unknown_field.code(), "unknown_field");

    EXPECT_EQ(Appoint(manager, "section_manager", sect).status, 201);
    EXPECT_EQ(Appoint(manager, "general_manager", "").status, 201);
    auto conflict = Appoint(manager, "auditor", "");
    EXPECT_EQ(conflict.status, 422) << conflict.body;
    EXPECT_EQ(conflict.code(), "separation_of_duties");
    EXPECT_NE(conflict.body.find("兼務"), std::string::npos) << conflict.body;
    EXPECT_EQ(Appoint(auditor, "auditor", "").status, 201);

    auto person = admin_->Get("/api/v1/people/" + manager);
    ASSERT_EQ(person.status, 200);
    auto history = admin_->Get("/api/v1/people/" + manager + "/history");
    ASSERT_EQ(history.status, 200) << history.body;
    std::set<std::string> happened;
    for (const auto& e : history.json.at("items").as_array())
        happened.insert(std::string(e.at("action").as_string()));
    EXPECT_TRUE(happened.count("person.create"));
    EXPECT_TRUE(happened.count("appointment.create"));
    EXPECT_FALSE(happened.count("auth.login"));
    EXPECT_EQ(person.json.at("display_name").as_string(), "佐伯 真理子");

    auto list = admin_->Get("/api/v1/people?limit=1");
    ASSERT_EQ(list.status, 200);
    EXPECT_EQ(list.json.at("items").as_array().size(), 1u);
    ASSERT_TRUE(list.json.at("next_cursor").is_string());
    auto page2 = admin_->Get("/api/v1/people?limit=1&cursor=" +
                             std::string(list.json.at("next_cursor").as_string()));
    EXPECT_EQ(page2.json.at("items").as_array().size(), 1u);
    EXPECT_NE(page2.json.at("items").at(0).at("id"), list.json.at("items").at(0).at("id"));

    // The auditor logs in and sees every change in the audit log.
    ApiClient kansa(server_->port());
    auto login = kansa.Post("/api/v1/auth/login",
                            json::object{{"username", "kansa"}, {"password", "Temp-Passw0rd-1"}});
    ASSERT_EQ(login.status, 200);
    ASSERT_EQ(login.json.at("status").as_string(), "password_change_required");
    ASSERT_EQ(
        kansa
            .Post("/api/v1/auth/password", json::object{{"current_password", "Temp-Passw0rd-1"},
                                                        {"new_password", "Audit-Passw0rd-9"}})
            .status,
        200);
    auto events = kansa.Get("/api/v1/audit-events?limit=100");
    ASSERT_EQ(events.status, 200) << events.body;
    std::set<std::string> actions;
    for (const auto& e : events.json.at("items").as_array())
        actions.insert(std::string(e.at("action").as_string()));
    for (const char* a : {"unit.create", "person.create", "appointment.create", "auth.elevated",
                          "auth.login", "auth.password_changed"})
        EXPECT_TRUE(actions.count(a)) << a;
    auto creates = kansa.Get("/api/v1/audit-events?action=appointment.create");
    EXPECT_EQ(creates.json.at("items").as_array().size(), 3u);  // the refused one left none

    // Staff cannot read the audit log; the administrator (not an approver) cannot either.
    EXPECT_EQ(admin_->Get("/api/v1/audit-events").status, 403);
}

TEST_P(OrgFlowTest, CsvImportIsAllOrNothing) {
    Elevate();
    const std::string dept = CreateUnit("市民生活部", "department");
    CreateUnit("市民課", "section", dept);
    const std::string csv =
        "ユーザー名,氏名,よみ,所属,雇用形態,初期パスワード\r\n"
        "shimin-1,川口 さくら,かわぐち さくら,市民課,会計年度任用職員,Temp-Passw0rd-1\r\n"
        "shimin-2,野口 翔,のぐち しょう,存在しない課,正職員,Temp-Passw0rd-1\r\n"
        "shimin-3,原田 千尋,はらだ ちひろ,市民課,正職員,short\r\n";
    auto bad = admin_->Send("POST", "/api/v1/people/import", csv, "text/csv");
    ASSERT_EQ(bad.status, 400) << bad.body;
    EXPECT_EQ(bad.code(), "invalid_csv_rows");
    const auto& rows = bad.json.at("error").at("details").at("rows").as_array();
    ASSERT_GE(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("row").as_int64(), 3);
    EXPECT_EQ(rows[1].at("row").as_int64(), 4);
    auto people = admin_->Get("/api/v1/people?q=shimin");
    EXPECT_EQ(people.json.at("items").as_array().size(), 0u);  // nothing imported

    const std::string good =
        "username,display_name,unit,password\n"
        "shimin-1,川口 さくら,市民課,Temp-Passw0rd-1\n"
        "shimin-2,野口 翔,市民課,Temp-Passw0rd-1\n";
    auto dry = admin_->Send("POST", "/api/v1/people/import?dry_run=true", good, "text/csv");
    EXPECT_EQ(dry.status, 200) << dry.body;
    EXPECT_EQ(admin_->Get("/api/v1/people?q=shimin").json.at("items").as_array().size(), 0u);
    auto ok = admin_->Send("POST", "/api/v1/people/import?dry_run=false", good, "text/csv");
    EXPECT_EQ(ok.status, 201) << ok.body;
    EXPECT_EQ(admin_->Get("/api/v1/people?q=shimin").json.at("items").as_array().size(), 2u);
}

TEST_P(OrgFlowTest, UnitCsvImportBuildsATreeAllOrNothing) {
    Elevate();
    const std::string bad =
        "名前,種別,上位部署\n"
        "健康福祉部,部,\n"
        "福祉課,課,健康福祉部\n"
        "介護係,係,存在しない部/課\n"
        "重複課,課,健康福祉部\n"
        "重複課,課,健康福祉部\n";
    auto refused = admin_->Send("POST", "/api/v1/units/import", bad, "text/csv");
    ASSERT_EQ(refused.status, 400) << refused.body;
    const auto& rows = refused.json.at("error").at("details").at("rows").as_array();
    ASSERT_EQ(rows.size(), 2u) << refused.body;
    EXPECT_EQ(rows[0].at("row").as_int64(), 4);
    EXPECT_EQ(rows[0].at("column").as_string(), "parent");
    EXPECT_EQ(rows[1].at("row").as_int64(), 6);
    EXPECT_EQ(admin_->Get("/api/v1/units").json.at("items").as_array().size(), 0u);

    const std::string good =
        "name,kind,parent\n"
        "健康福祉部,department,\n"
        "福祉課,section,健康福祉部\n"
        "介護係,team,健康福祉部/福祉課\n";
    auto dry = admin_->Send("POST", "/api/v1/units/import?dry_run=true", good, "text/csv");
    EXPECT_EQ(dry.status, 200) << dry.body;
    EXPECT_EQ(admin_->Get("/api/v1/units").json.at("items").as_array().size(), 0u);
    auto ok = admin_->Send("POST", "/api/v1/units/import", good, "text/csv");
    ASSERT_EQ(ok.status, 201) << ok.body;
    EXPECT_EQ(admin_->Get("/api/v1/units").json.at("items").as_array().size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Databases, OrgFlowTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace mamori::testing
