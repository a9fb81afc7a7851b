// Incidents over real HTTP, on both databases, with the demo city: the demo's incidents and
// their deadlines; a member of staff reports, the CSIRT triages and escalates, the general
// manager's alert; bad input named by field; who may call what; the printable report and
// its spreadsheet; a file on the timeline.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>

#include "support/api_client.h"
#include "support/test_server.h"

namespace mamori::testing {
namespace {

namespace json = boost::json;

constexpr const char* kDemo = "Demo-Passw0rd-1";

class IncidentsFlowTest : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        const auto data = tmp_.path() / "data";
        auto r = InitDataDirFor(data, GetParam(), "Init-Passw0rd!", kDemo);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        WithoutMfa(data);
        server_ = ServerProcess::Start(data);
        ASSERT_TRUE(server_);
        staff_ = Login("shimin-staff");
        csirt_ = Login("soumu-csirt");
    }

    std::unique_ptr<ApiClient> Login(const std::string& username) {
        auto c = std::make_unique<ApiClient>(server_->port());
        c->LoginFull(username, kDemo);
        return c;
    }

    json::object Report(const std::string& title) {
        return {{"title", title},
                {"description", "住民からの問い合わせのメールを、別の住民に返信してしまった。"},
                {"category", "misdelivery"},
                {"discovered_at", "2026-11-02T10:15:00+09:00"},
                {"personal_information", true},
                {"scope_estimate", "住民 1 名の氏名とメールアドレス"}};
    }

    TempDir tmp_;
    std::unique_ptr<ServerProcess> server_;
    std::unique_ptr<ApiClient> staff_, csirt_;
};

TEST_P(IncidentsFlowTest, TheDemoCityHasIncidentsWithDeadlinesRunning) {
    auto all = csirt_->Get("/api/v1/incidents?limit=200");
    ASSERT_EQ(all.status, 200) << all.body;
    std::set<std::string> states;
    const json::object* leak = nullptr;
    for (const auto& i : all.json.at("items").as_array()) {
        states.insert(std::string(i.at("state").as_string()));
        if (i.at("title") == "住民票の写しの誤交付") leak = &i.as_object();
    }
    EXPECT_EQ(states, (std::set<std::string>{"reported", "accepted", "responding", "investigating",
                                             "closed"}));
    ASSERT_NE(leak, nullptr);
    const auto& deadlines = leak->at("deadlines").as_array();
    ASSERT_EQ(deadlines.size(), 2u);
    EXPECT_EQ(deadlines[0].at("key"), "ppc_prompt");
    EXPECT_EQ(deadlines[0].at("state"), "due_soon");
    EXPECT_EQ(deadlines[1].at("state"), "upcoming");
    // The rules, with the 緊急時対応計画.
    auto rules = staff_->Get("/api/v1/incidents/rules");
    ASSERT_EQ(rules.status, 200) << rules.body;
    EXPECT_EQ(rules.json.at("categories").as_array().size(), 8u);
    EXPECT_EQ(rules.json.at("escalate_from"), "high");
    EXPECT_GE(rules.json.at("response_plan").at("steps").as_array().size(), 3u);
    // The CISO was told of the 高 one and has not opened it yet.
    auto ciso = Login("ciso");
    auto alerts = ciso->Get("/api/v1/incidents/alerts");
    ASSERT_EQ(alerts.status, 200) << alerts.body;
    EXPECT_EQ(alerts.json.at("count"), 1);
}

TEST_P(IncidentsFlowTest, StaffReportsAndTheCsirtEscalates) {
    auto made = staff_->Post("/api/v1/incidents", Report("メールの誤送信"));
    ASSERT_EQ(made.status, 201) << made.body;
    const std::string id(made.json.at("id").as_string());
    const std::string number(made.json.at("number").as_string());
    EXPECT_EQ(number.substr(0, 4), "INC-");
    EXPECT_EQ(number.substr(number.size() - 5), "-0006");  // after the demo's five
    EXPECT_EQ(made.json.at("state"), "reported");
    EXPECT_EQ(made.json.at("discovered_on"), "2026-11-02");
    EXPECT_EQ(made.json.at("unit_name"), "市民課");
    EXPECT_EQ(made.json.at("deadlines").as_array().size(), 2u);
    EXPECT_EQ(made.json.at("transitions").as_array().size(), 0u);

    // Staff may not move it: the route needs incidents.manage.
    auto refused = staff_->Post("/api/v1/incidents/" + id + "/transitions",
                                json::object{{"to", "accepted"}, {"severity", "low"}});
    EXPECT_EQ(refused.status, 403) << refused.body;
    // Another section's staff does not see it at all.
    auto other = Login("zeimu-staff");
    EXPECT_EQ(other->Get("/api/v1/incidents/" + id).status, 404);

    auto accepted = csirt_->Post("/api/v1/incidents/" + id + "/transitions",
                                 json::object{{"to", "accepted"}, {"severity", "high"}});
    ASSERT_EQ(accepted.status, 200) << accepted.body;
    EXPECT_EQ(accepted.json.at("escalated"), true);
    auto skip =
        csirt_->Post("/api/v1/incidents/" + id + "/transitions", json::object{{"to", "closed"}});
    EXPECT_EQ(skip.status, 409) << skip.body;
    EXPECT_EQ(skip.json.at("error").at("code"), "invalid_transition");

    auto gm = Login("tokatsu");
    auto alerts = gm->Get("/api/v1/incidents/alerts");
    ASSERT_EQ(alerts.status, 200);
    bool told = false;
    for (const auto& a : alerts.json.at("items").as_array())
        if (a.at("incident_id") == id.c_str()) told = a.at("reason") == "escalated";
    EXPECT_TRUE(told) << alerts.body;
    ASSERT_EQ(gm->Get("/api/v1/incidents/" + id).status, 200);
    auto ns = csirt_->Get("/api/v1/incidents/" + id + "/notifications");
    ASSERT_EQ(ns.status, 200) << ns.body;
    std::map<std::string, std::string> opened;
    for (const auto& n : ns.json.at("items").as_array())
        opened[std::string(n.at("role").as_string())] = std::string(n.at("opened_at").as_string());
    EXPECT_FALSE(opened["general_manager"].empty());
    EXPECT_TRUE(opened["ciso"].empty());
    EXPECT_EQ(opened.count("section_manager"), 1u);

    // The report to the Commission meets its deadline.
    auto sent = csirt_->Post("/api/v1/incidents/" + id + "/timeline",
                             json::object{{"kind", "outside_report"},
                                          {"text", "漏えい等報告 (速報) を提出した"},
                                          {"outside_body", "個人情報保護委員会"},
                                          {"reported_on", "2026-11-05"},
                                          {"deadline", "ppc_prompt"}});
    ASSERT_EQ(sent.status, 201) << sent.body;
    auto got = csirt_->Get("/api/v1/incidents/" + id);
    EXPECT_EQ(got.json.at("deadlines").as_array()[0].at("state"), "done");

    // The printable report: escaped, nothing may run in it.
    auto html = csirt_->Get("/api/v1/incidents/" + id + "/report?format=html");
    ASSERT_EQ(html.status, 200);
    EXPECT_NE(html.headers["content-type"].find("text/html"), std::string::npos);
    EXPECT_EQ(html.headers["content-security-policy"],
              "default-src 'none'; style-src 'unsafe-inline'");
    EXPECT_NE(html.body.find("メールの誤送信"), std::string::npos);
    EXPECT_NE(html.body.find("個人情報保護委員会"), std::string::npos);
    auto xlsx = csirt_->Get("/api/v1/incidents/" + id + "/report?format=xlsx");
    ASSERT_EQ(xlsx.status, 200);
    EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
    EXPECT_NE(xlsx.headers["content-disposition"].find(number), std::string::npos);
    EXPECT_EQ(csirt_->Get("/api/v1/incidents/" + id + "/report?format=pdf").status, 400);
}

TEST_P(IncidentsFlowTest, BadInputIsNamedAndChangesNothing) {
    auto field = [&](json::object body) {
        auto r = staff_->Post("/api/v1/incidents", body);
        EXPECT_EQ(r.status, 400) << r.body;
        return r.status == 400 && r.json.at("error").at("details").as_object().contains("field")
                   ? std::string(r.json.at("error").at("details").at("field").as_string())
                   : std::string();
    };
    auto body = Report("件名");
    body["category"] = "earthquake";
    EXPECT_EQ(field(body), "category");
    body = Report("件名");
    body["discovered_at"] = "2999-01-01T00:00:00+09:00";
    EXPECT_EQ(field(body), "discovered_at");
    body = Report("件名");
    body["personal_information"] = "はい";
    EXPECT_EQ(field(body), "personal_information");
    body = Report("件名");
    body["colour"] = "red";
    EXPECT_EQ(field(body), "colour");
    auto list = csirt_->Get("/api/v1/incidents?limit=200");
    EXPECT_EQ(list.json.at("items").as_array().size(), 5u);  // the demo's only
    EXPECT_EQ(csirt_->Get("/api/v1/incidents?state=done").status, 400);
    EXPECT_EQ(csirt_->Get("/api/v1/incidents?personal_information=maybe").status, 400);
    // Statistics need incidents.read.
    EXPECT_EQ(staff_->Get("/api/v1/incidents/stats").status, 403);
    auto stats = csirt_->Get("/api/v1/incidents/stats");
    ASSERT_EQ(stats.status, 200) << stats.body;
    EXPECT_EQ(stats.json.at("by_month").as_array().size(), 12u);
}

TEST_P(IncidentsFlowTest, AFileOnTheTimeline) {
    const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(32, '\0');
    auto up = staff_->Send("POST", "/api/v1/attachments?filename=photo.png", png, "image/png");
    ASSERT_EQ(up.status, 201) << up.body;
    const std::string file(up.json.at("id").as_string());
    auto body = Report("誤送信 (画面の写真あり)");
    body["attachments"] = json::array{file.c_str()};
    auto made = staff_->Post("/api/v1/incidents", body);
    ASSERT_EQ(made.status, 201) << made.body;
    const std::string id(made.json.at("id").as_string());
    auto timeline = csirt_->Get("/api/v1/incidents/" + id + "/timeline");
    ASSERT_EQ(timeline.status, 200) << timeline.body;
    const auto& files = timeline.json.at("items").as_array()[0].at("attachments").as_array();
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].at("sha256"), up.json.at("sha256"));
    auto got = csirt_->Get("/api/v1/attachments/" + file);
    ASSERT_EQ(got.status, 200);
    EXPECT_EQ(got.body, png);
    EXPECT_EQ(Login("zeimu-staff")->Get("/api/v1/attachments/" + file).status, 404);
}

INSTANTIATE_TEST_SUITE_P(Databases, IncidentsFlowTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace mamori::testing
