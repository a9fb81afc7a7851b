// Applications over real HTTP, on both databases, with the demo city: a member of staff
// takes an asset out, the section manager approves; 兼務の禁止 refused through the API; bad
// forms named field by field; only those concerned see a request.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <ctime>
#include <fstream>
#include <map>
#include <set>

#include "support/api_client.h"
#include "support/test_server.h"

namespace mamori::testing {
namespace {

namespace json = boost::json;

constexpr const char* kDemo = "Demo-Passw0rd-1";

// Today's date in Japan (YYYY-MM-DD), as the server counts validity periods.
std::string TodayInJapan() {
    const std::time_t jst = std::time(nullptr) + 9 * 3600;
    char day[11];
    std::strftime(day, sizeof day, "%Y-%m-%d", std::gmtime(&jst));
    return day;
}

class WorkflowFlowTest : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        const auto data = tmp_.path() / "data";
        auto r = InitDataDirFor(data, GetParam(), "Init-Passw0rd!", kDemo);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        WithoutMfa(data);
        server_ = ServerProcess::Start(data);
        ASSERT_TRUE(server_);
        staff_ = Login("shimin-staff");
        kacho_ = Login("shimin-kacho");
        // A 機密性3B asset of 市民課 (the staff member reads their own section's register).
        auto assets = staff_->Get("/api/v1/assets?limit=200&confidentiality=3B&status=active");
        ASSERT_EQ(assets.status, 200) << assets.body;
        ASSERT_FALSE(assets.json.at("items").as_array().empty());
        asset_ = std::string(assets.json.at("items").as_array()[0].at("id").as_string());
    }

    std::unique_ptr<ApiClient> Login(const std::string& username) {
        auto c = std::make_unique<ApiClient>(server_->port());
        c->LoginFull(username, kDemo);
        return c;
    }

    json::object Takeout() {
        return {{"type", "takeout"},
                {"title", "説明会資料の持ち出し"},
                {"form",
                 {{"asset", asset_},
                  {"purpose", "地区説明会で使うため"},
                  {"destination", "平川市文化センター"},
                  {"method", "paper"},
                  {"period", {{"from", "2026-12-01"}, {"to", "2026-12-02"}}}}}};
    }

    std::size_t Mine() {
        auto r = staff_->Get("/api/v1/requests?mine=true&limit=200");
        EXPECT_EQ(r.status, 200) << r.body;
        return r.status == 200 ? r.json.at("items").as_array().size() : 0;
    }

    TempDir tmp_;
    std::unique_ptr<ServerProcess> server_;
    std::unique_ptr<ApiClient> staff_, kacho_;
    std::string asset_;
};

TEST_P(WorkflowFlowTest, TheDemoCityHasApplicationsInEveryState) {
    auto ciso = Login("ciso");
    auto all = ciso->Get("/api/v1/requests?limit=200");
    ASSERT_EQ(all.status, 200) << all.body;
    std::set<std::string> states;
    int exceptions = 0;
    for (const auto& q : all.json.at("items").as_array()) {
        states.insert(std::string(q.at("state").as_string()));
        if (q.at("type") == "exception") ++exceptions;
    }
    EXPECT_EQ(states, (std::set<std::string>{"submitted", "returned", "approved", "rejected",
                                             "withdrawn", "expired"}));
    EXPECT_GE(exceptions, 3);  // and a fourth, past its review date, after 2 April

    // The exception in force carries its procedure, a PDF.
    auto usb = ciso->Get("/api/v1/requests?type=exception&q=USB");
    ASSERT_EQ(usb.status, 200) << usb.body;
    ASSERT_EQ(usb.json.at("items").as_array().size(), 1u);
    const std::string id(usb.json.at("items").as_array()[0].at("id").as_string());
    auto files = ciso->Get("/api/v1/requests/" + id + "/attachments");
    ASSERT_EQ(files.status, 200) << files.body;
    ASSERT_EQ(files.json.at("items").as_array().size(), 1u);
    const auto& file = files.json.at("items").as_array()[0];
    EXPECT_EQ(file.at("content_type"), "application/pdf");
    auto pdf = ciso->Get("/api/v1/attachments/" + std::string(file.at("id").as_string()));
    ASSERT_EQ(pdf.status, 200);
    EXPECT_EQ(pdf.body.substr(0, 5), "%PDF-");
    EXPECT_NE(pdf.body.find("%%EOF"), std::string::npos);
}

TEST_P(WorkflowFlowTest, TheExceptionsLedger) {
    auto ciso = Login("ciso");
    auto ledger = ciso->Get("/api/v1/exceptions");
    ASSERT_EQ(ledger.status, 200) << ledger.body;
    const auto& items = ledger.json.at("items").as_array();
    ASSERT_GE(items.size(), 3u);
    std::string in_force;
    int overdue = 0;
    for (const auto& e : items) {
        EXPECT_EQ(e.at("type"), "exception");
        if (e.at("overdue").as_bool()) ++overdue;
        if (e.at("state") == "approved" && in_force.empty())
            in_force = std::string(e.at("id").as_string());
    }
    if (items.size() >= 4) {
        EXPECT_EQ(overdue, 1);
        auto only = ciso->Get("/api/v1/exceptions?overdue=true");
        ASSERT_EQ(only.status, 200);
        EXPECT_EQ(only.json.at("items").as_array().size(), 1u);
    }
    // The auditor reads it; staff do not; exports in both formats.
    EXPECT_EQ(Login("kansa")->Get("/api/v1/exceptions").status, 200);
    EXPECT_EQ(staff_->Get("/api/v1/exceptions").status, 403);
    auto csv = ciso->Get("/api/v1/exceptions/export?format=csv");
    ASSERT_EQ(csv.status, 200);
    EXPECT_NE(csv.body.find("申請番号"), std::string::npos);
    EXPECT_NE(csv.body.find("代替措置"), std::string::npos);
    auto xlsx = ciso->Get("/api/v1/exceptions/export?format=xlsx");
    ASSERT_EQ(xlsx.status, 200);
    EXPECT_EQ(xlsx.body.substr(0, 2), "PK");

    // A review: the auditor may not; the CISO records one with the next date.
    ASSERT_FALSE(in_force.empty());
    json::object review{{"result", "continue"},
                        {"note", "代替措置が守られていることを確かめた"},
                        {"next_review_on", "2099-01-01"}};
    EXPECT_EQ(Login("kansa")->Post("/api/v1/exceptions/" + in_force + "/reviews", review).status,
              403);
    auto undated = ciso->Post("/api/v1/exceptions/" + in_force + "/reviews",
                              json::object{{"result", "continue"}, {"note", "日付なし"}});
    EXPECT_EQ(undated.status, 400) << undated.body;
    EXPECT_EQ(undated.json.at("error").at("code"), "missing_field");
    auto bad = ciso->Post("/api/v1/exceptions/" + in_force + "/reviews", review);
    EXPECT_EQ(bad.status, 400) << bad.body;  // after the last valid day
    EXPECT_EQ(bad.json.at("error").at("details").at("field"), "next_review_on");
    auto entry = ciso->Get("/api/v1/exceptions/" + in_force);
    ASSERT_EQ(entry.status, 200);
    // The entry names what its form refers to (here the 対策基準 item departed from).
    const std::string control(entry.json.at("form").at("control").as_string());
    const std::string named(entry.json.at("names").at(control).as_string());
    EXPECT_EQ(named.substr(0, control.size() + 1), control + " ");
    review["next_review_on"] = entry.json.at("valid_until");
    auto done = ciso->Post("/api/v1/exceptions/" + in_force + "/reviews", review);
    ASSERT_EQ(done.status, 201) << done.body;
    EXPECT_EQ(done.json.at("review_due_on"), entry.json.at("valid_until"));
    EXPECT_FALSE(done.json.at("overdue").as_bool());
    EXPECT_EQ(done.json.at("reviews").as_array().size(),
              entry.json.at("reviews").as_array().size() + 1);

    // Ended by a review, it is reviewed no more.
    json::object end{{"result", "end"}, {"note", "代替の仕組みが整ったため終了とする"}};
    auto ended = ciso->Post("/api/v1/exceptions/" + in_force + "/reviews", end);
    ASSERT_EQ(ended.status, 201) << ended.body;
    auto again = ciso->Post("/api/v1/exceptions/" + in_force + "/reviews", end);
    EXPECT_EQ(again.status, 409) << again.body;
    EXPECT_EQ(again.json.at("error").at("code"), "exception_ended");
}

TEST_P(WorkflowFlowTest, StaffTakesAnAssetOutAndTheSectionManagerApproves) {
    auto types = staff_->Get("/api/v1/request-types");
    ASSERT_EQ(types.status, 200) << types.body;
    EXPECT_GE(types.json.at("items").as_array().size(), 9u);
    auto takeout_type = staff_->Get("/api/v1/request-types/takeout");
    ASSERT_EQ(takeout_type.status, 200) << takeout_type.body;

    json::object body = Takeout();
    // The demo city already has applications (docs/demo.md); count from here.
    const auto waiting = kacho_->Get("/api/v1/inbox").json.at("counts").at("to_approve").as_int64();
    const auto open = staff_->Get("/api/v1/inbox").json.at("counts").at("mine").as_int64();
    const auto mine_before = Mine();
    auto submitted = staff_->Post("/api/v1/requests", body);
    ASSERT_EQ(submitted.status, 201) << submitted.body;
    const std::string id(submitted.json.at("id").as_string());
    EXPECT_EQ(submitted.json.at("state"), "submitted");
    EXPECT_EQ(std::string(submitted.json.at("number").as_string()).substr(0, 9), "OUT-2026-");
    const auto& first = submitted.json.at("steps").as_array().at(0);
    EXPECT_EQ(first.at("approver_role"), "section_manager");

    auto inbox = kacho_->Get("/api/v1/inbox");
    ASSERT_EQ(inbox.status, 200) << inbox.body;
    EXPECT_EQ(inbox.json.at("counts").at("to_approve").as_int64(), waiting + 1);
    EXPECT_EQ(staff_->Get("/api/v1/inbox").json.at("counts").at("mine").as_int64(), open + 1);

    // The applicant cannot approve it; the section manager does.
    auto self = staff_->Post("/api/v1/requests/" + id + "/approve", json::object{});
    EXPECT_EQ(self.status, 422) << self.body;
    EXPECT_EQ(self.json.at("error").at("code"), "self_approval");
    auto approved =
        kacho_->Post("/api/v1/requests/" + id + "/approve", json::object{{"comment", "了承"}});
    ASSERT_EQ(approved.status, 200) << approved.body;
    EXPECT_EQ(approved.json.at("state"), "approved");
    auto seen = staff_->Get("/api/v1/requests/" + id);
    ASSERT_EQ(seen.status, 200);
    EXPECT_EQ(seen.json.at("state"), "approved");
    EXPECT_EQ(seen.json.at("unit_name"), "市民課");
    EXPECT_FALSE(seen.json.at("names").at(asset_).as_string().empty());  // number and name

    // Staff may pick people of other sections in a form: names only.
    auto people = staff_->Get("/api/v1/lookup?kind=person&q=%E8%AA%B2");  // 課
    ASSERT_EQ(people.status, 200) << people.body;
    for (const auto& p : people.json.at("items").as_array()) {
        EXPECT_EQ(p.as_object().size(), 3u) << p;  // id, name, detail
        EXPECT_FALSE(p.as_object().contains("username"));
    }
    EXPECT_EQ(staff_->Get("/api/v1/lookup?kind=asset").status, 400);
    EXPECT_EQ(
        staff_->Get("/api/v1/requests?q=" + std::string(submitted.json.at("number").as_string()))
            .json.at("items")
            .as_array()
            .size(),
        1u);
    auto history = staff_->Get("/api/v1/requests/" + id + "/history");
    ASSERT_EQ(history.status, 200);
    EXPECT_EQ(history.json.at("items").as_array().size(), 2u);

    // Approving again is not a transition of an approved request.
    auto again = kacho_->Post("/api/v1/requests/" + id + "/approve", json::object{});
    EXPECT_EQ(again.status, 409) << again.body;
    EXPECT_EQ(again.json.at("error").at("code"), "invalid_transition");

    // Another section's manager does not see it; the list shows it to its applicant.
    auto zeimu = Login("zeimu-kacho");
    EXPECT_EQ(zeimu->Get("/api/v1/requests/" + id).status, 404);
    EXPECT_EQ(Mine(), mine_before + 1);

    // A section manager's own request goes to the department officer.
    auto own = kacho_->Post("/api/v1/requests", body);
    ASSERT_EQ(own.status, 201) << own.body;
    const auto& step = own.json.at("steps").as_array().at(0);
    EXPECT_EQ(step.at("approver_role"), "department_officer");
    EXPECT_EQ(step.at("escalation").as_array().at(0).at("reason"), "applicant");
}

TEST_P(WorkflowFlowTest, BadInputIsNamedAndChangesNothing) {
    const std::size_t before = Mine();
    json::object body = Takeout();
    body["form"].as_object()["period"] = {{"from", "2026-12-05"}, {"to", "2026-12-01"}};
    auto bad = staff_->Post("/api/v1/requests", body);
    EXPECT_EQ(bad.status, 400) << bad.body;
    EXPECT_EQ(bad.json.at("error").at("details").at("field"), "form.period");
    body = Takeout();
    body["type"] = "nothing";
    EXPECT_EQ(staff_->Post("/api/v1/requests", body).json.at("error").at("details").at("field"),
              "type");
    body = Takeout();
    body["surprise"] = 1;
    EXPECT_EQ(staff_->Post("/api/v1/requests", body).status, 400);
    EXPECT_EQ(staff_->Get("/api/v1/requests?state=odd").status, 400);
    EXPECT_EQ(staff_->Get("/api/v1/requests/no-such-id").status, 404);
    EXPECT_EQ(Mine(), before);
}

// Attachments over HTTP: uploaded as the body with the name in the query, named in the form
// of a 例外措置, listed with the request, downloaded by its approver under its own name and
// refused to others; a program and an empty body are refused.
TEST_P(WorkflowFlowTest, AFileAttachedToAnApplication) {
    const std::string pdf = "%PDF-1.4\n% 代替措置の手順書\n%%EOF\n";
    const std::string name = "%E6%89%8B%E9%A0%86%E6%9B%B8%20v2.pdf";  // 手順書 v2.pdf
    auto up = staff_->Send("POST", "/api/v1/attachments?filename=" + name, pdf, "application/pdf");
    ASSERT_EQ(up.status, 201) << up.body;
    EXPECT_EQ(up.json.at("filename"), "手順書 v2.pdf");
    EXPECT_EQ(up.json.at("content_type"), "application/pdf");
    EXPECT_EQ(up.json.at("sha256").as_string().size(), 64u);
    const std::string file_id(up.json.at("id").as_string());

    auto exe = staff_->Send("POST", "/api/v1/attachments?filename=tool.exe", "MZ\x90\x00",
                            "application/octet-stream");
    EXPECT_EQ(exe.status, 400) << exe.body;
    EXPECT_EQ(exe.json.at("error").at("code"), "unsupported_media_type");
    EXPECT_EQ(
        staff_->Send("POST", "/api/v1/attachments?filename=a.pdf", "", "application/pdf").status,
        400);
    // The route takes more than the server's default body limit (1 MiB), up to its own
    // (workflow.attachment_max_megabytes; beyond it 413, tested on the service).
    auto scan = staff_->Send("POST", "/api/v1/attachments?filename=scan.pdf",
                             "%PDF-" + std::string(2 * 1024 * 1024, 'x'), "application/pdf");
    EXPECT_EQ(scan.status, 201) << scan.body.substr(0, 200);
    // Without the CSRF header an upload is refused like any other change.
    EXPECT_EQ(
        staff_->Send("POST", "/api/v1/attachments?filename=a.pdf", pdf, "application/pdf", false)
            .status,
        403);

    json::object body{
        {"type", "exception"},
        {"title", "窓口端末での USB メモリの使用"},
        {"form",
         {{"control", "9-4(1)"},
          {"reason", "窓口で届出の電子データを受け取るため"},
          {"compensating_measures", "支給の暗号化 USB メモリに限り、使用後に消去する"},
          {"period", {{"from", "2026-12-01"}, {"to", "2026-12-20"}}},
          {"attachments", json::array{file_id.c_str()}}}}};
    auto submitted = staff_->Post("/api/v1/requests", body);
    ASSERT_EQ(submitted.status, 201) << submitted.body;
    const std::string id(submitted.json.at("id").as_string());
    auto listed = kacho_->Get("/api/v1/requests/" + id + "/attachments");
    ASSERT_EQ(listed.status, 200) << listed.body;
    ASSERT_EQ(listed.json.at("items").as_array().size(), 1u);
    EXPECT_EQ(listed.json.at("items").as_array()[0].at("sha256"), up.json.at("sha256"));

    auto got = kacho_->Get("/api/v1/attachments/" + file_id);
    ASSERT_EQ(got.status, 200);
    EXPECT_EQ(got.body, pdf);
    EXPECT_EQ(got.headers["content-type"], "application/pdf");
    EXPECT_NE(got.headers["content-disposition"].find("filename*=UTF-8''" + name),
              std::string::npos)
        << got.headers["content-disposition"];
    auto other = Login("zeimu-kacho");
    EXPECT_EQ(other->Get("/api/v1/attachments/" + file_id).status, 404);
    EXPECT_EQ(other->Get("/api/v1/requests/" + id + "/attachments").status, 404);
}

// Privileged IDs (8-2(6)): with auth.elevation_approval_system set to the register's entry
// for mamori, a person elevates only while an approved 特権ID利用 for that system naming their
// own user name is in force, and never past its last day; an approval for another ID does
// not count; a system id that is not in the register stops the server from starting.
TEST_P(WorkflowFlowTest, ElevationNeedsAnApprovedPrivilegedId) {
    auto tanto = Login("joho-tanto");
    auto systems = tanto->Get("/api/v1/systems?limit=200");
    ASSERT_EQ(systems.status, 200) << systems.body;
    ASSERT_FALSE(systems.json.at("items").as_array().empty());
    const std::string system(systems.json.at("items").as_array()[0].at("id").as_string());

    const std::string today = TodayInJapan();

    // Without the setting, elevation needs no approval.
    json::object elevate{{"password", kDemo}};
    ASSERT_EQ(tanto->Post("/api/v1/auth/elevate", elevate).status, 200);

    server_.reset();
    const auto config = tmp_.path() / "data" / "mamori.yaml";
    std::string text = ReadFile(config);
    const std::string unset = "elevation_approval_system: \"\"";
    ASSERT_NE(text.find(unset), std::string::npos);
    {
        std::ofstream(config, std::ios::trunc) << std::string(text).replace(
            text.find(unset), unset.size(), "elevation_approval_system: \"no-such-system\"");
    }
    auto refused =
        RunMamori({"serve", "--data", (tmp_.path() / "data").string(), "--listen", "127.0.0.1:0"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("elevation_approval_system"), std::string::npos) << refused.err;
    {
        std::ofstream(config, std::ios::trunc) << text.replace(
            text.find(unset), unset.size(), "elevation_approval_system: \"" + system + "\"");
    }
    server_ = ServerProcess::Start(tmp_.path() / "data");
    ASSERT_TRUE(server_);

    std::map<std::string, std::unique_ptr<ApiClient>> approvers;  // by person id
    for (const char* who : {"joho-kacho", "tokatsu", "ciso", "soumu-kacho", "shimin-kacho"}) {
        auto c = Login(who);
        auto me = c->Get("/api/v1/auth/me");
        approvers[std::string(me.json.at("user").at("id").as_string())] = std::move(c);
    }
    // Applies for `account` on the system and walks the chain to approval.
    auto grant = [&](ApiClient& applicant, const std::string& account) {
        json::object body{{"type", "privileged_id"},
                          {"title", "設定変更のための特権IDの利用"},
                          {"form",
                           {{"system", system},
                            {"account", account},
                            {"work", "利用者の権限設定を見直す"},
                            {"reason", "権限の変更には管理者の権限が必要なため"},
                            {"period", {{"from", today}, {"to", today}}}}}};
        auto r = applicant.Post("/api/v1/requests", body);
        EXPECT_EQ(r.status, 201) << r.body;
        for (int i = 0; i < 8 && r.status < 300 && r.json.at("state") == "submitted"; ++i) {
            const auto& step = r.json.at("steps").as_array().at(r.json.at("step").as_int64());
            auto it = approvers.find(std::string(step.at("approver_id").as_string()));
            if (it == approvers.end()) {
                ADD_FAILURE() << "no client for the approver of " << step;
                break;
            }
            r = it->second->Post(
                "/api/v1/requests/" + std::string(r.json.at("id").as_string()) + "/approve",
                json::object{});
            EXPECT_EQ(r.status, 200) << r.body;
        }
        EXPECT_EQ(r.json.at("state"), "approved") << r.body;
    };

    tanto = Login("joho-tanto");
    auto no = tanto->Post("/api/v1/auth/elevate", elevate);
    EXPECT_EQ(no.status, 403) << no.body;
    EXPECT_EQ(no.json.at("error").at("code"), "elevation_not_approved");

    // An approval for another ID does not let its holder elevate in mamori.
    auto kakaricho = Login("joho-kakaricho");
    grant(*kakaricho, "administrator");
    EXPECT_EQ(kakaricho->Post("/api/v1/auth/elevate", elevate).status, 403);

    grant(*tanto, "joho-tanto");
    auto yes = tanto->Post("/api/v1/auth/elevate", elevate);
    ASSERT_EQ(yes.status, 200) << yes.body;
    EXPECT_LE(std::string(yes.json.at("elevated_until").as_string()), today + "T15:00:00Z");
}

// Every shipped request type walked through its whole chain, by a member of staff and by a
// section manager (whose own step passes up): at every step the applicant tries to approve
// (422 self_approval) and the previous step's approver tries to approve again (422
// consecutive_steps); then the pending approver approves, until the request is approved.
TEST_P(WorkflowFlowTest, EveryShippedTypeWalksItsChainWithoutSelfApproval) {
    auto ciso = Login("ciso");
    std::map<std::string, std::string> usernames;  // person id → username
    for (std::string cursor;;) {
        auto people = ciso->Get("/api/v1/people?limit=200" +
                                (cursor.empty() ? std::string() : "&cursor=" + cursor));
        ASSERT_EQ(people.status, 200) << people.body;
        for (const auto& p : people.json.at("items").as_array())
            usernames[std::string(p.at("id").as_string())] = p.at("username").as_string();
        const auto& next = people.json.at("next_cursor");
        if (next.is_null()) break;
        cursor = next.as_string();
    }
    std::map<std::string, std::unique_ptr<ApiClient>> clients;  // by person id, logged in once
    auto client = [&](const std::string& id) -> ApiClient& {
        auto& c = clients[id];
        if (!c) c = Login(usernames.at(id));
        return *c;
    };
    auto id_of = [&](const std::string& username) {
        for (const auto& [id, name] : usernames)
            if (name == username) return id;
        ADD_FAILURE() << "no person " << username;
        return std::string();
    };
    auto systems = kacho_->Get("/api/v1/systems?limit=200");
    ASSERT_EQ(systems.status, 200) << systems.body;
    ASSERT_FALSE(systems.json.at("items").as_array().empty());
    const std::string system(systems.json.at("items").as_array()[0].at("id").as_string());
    const std::string today = TodayInJapan();

    auto types = staff_->Get("/api/v1/request-types");
    ASSERT_EQ(types.status, 200) << types.body;
    ASSERT_GE(types.json.at("items").as_array().size(), 9u);
    int walked = 0;
    for (const char* applicant : {"shimin-staff", "shimin-kacho"}) {
        const std::string me = id_of(applicant);
        ApiClient& self = client(me);
        for (const auto& tv : types.json.at("items").as_array()) {
            const auto& type = tv.as_object();
            const std::string key(type.at("key").as_string());
            SCOPED_TRACE(key + " applied for by " + applicant);
            // A form of the required fields, and one attached file where the type takes one.
            json::object form;
            for (const auto& fv : type.at("fields").as_array()) {
                const auto& f = fv.as_object();
                const std::string t(f.at("type").as_string());
                const bool multiple = f.at("multiple").as_bool();
                if (t == "file") {
                    auto up = self.Send("POST", "/api/v1/attachments?filename=walk.pdf",
                                        "%PDF-1.4\n%%EOF\n", "application/pdf");
                    ASSERT_EQ(up.status, 201) << up.body;
                    form[f.at("key").as_string()] = json::array{up.json.at("id")};
                    continue;
                }
                if (!f.at("required").as_bool()) continue;
                json::value v;
                if (t == "text" || t == "long_text")
                    v = "試験のための申請";
                else if (t == "date")
                    v = today;
                else if (t == "date_range")
                    v = {{"from", today}, {"to", today}};
                else if (t == "number")
                    v = f.contains("min") ? f.at("min").as_int64() : 1;
                else if (t == "choice")
                    v = f.at("options").as_array().at(0).at("value");
                else if (t == "asset")
                    v = asset_;
                else if (t == "system")
                    v = system;
                else if (t == "person")
                    v = me;
                else if (t == "control")
                    v = "9-4(1)";
                else
                    FAIL() << "no value for a required " << t << " field";
                form[f.at("key").as_string()] = multiple ? json::value(json::array{v}) : v;
            }
            auto r =
                self.Post("/api/v1/requests",
                          json::object{{"type", key}, {"title", "試験の申請"}, {"form", form}});
            ASSERT_EQ(r.status, 201) << r.body;
            const std::string path = "/api/v1/requests/" + std::string(r.json.at("id").as_string());
            std::string previous;
            int steps = 0;
            while (r.json.at("state") == "submitted" && steps < 10) {
                const auto& step = r.json.at("steps").as_array().at(r.json.at("step").as_int64());
                const std::string approver(step.at("approver_id").as_string());
                ASSERT_NE(approver, me) << "the applicant is never an approver";
                auto mine = self.Post(path + "/approve", json::object{});
                EXPECT_EQ(mine.status, 422) << mine.body;
                EXPECT_EQ(mine.code(), "self_approval");
                if (!previous.empty() && previous != approver) {
                    auto twice = client(previous).Post(path + "/approve", json::object{});
                    EXPECT_EQ(twice.status, 422) << twice.body;
                    EXPECT_EQ(twice.code(), "consecutive_steps");
                }
                r = client(approver).Post(path + "/approve", json::object{{"comment", "確認"}});
                ASSERT_EQ(r.status, 200) << r.body;
                previous = approver;
                ++steps;
            }
            EXPECT_EQ(r.json.at("state"), "approved") << r.body;
            EXPECT_GE(steps, 1);
            ++walked;
        }
    }
    EXPECT_EQ(walked, 2 * static_cast<int>(types.json.at("items").as_array().size()));
}

INSTANTIATE_TEST_SUITE_P(Databases, WorkflowFlowTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace mamori::testing
