// Incidents against a real SQLite file and a real PostgreSQL server: the whole lifecycle
// with its required fields, escalation by severity, who may do what, the append-only
// timeline (enforced by the database too), deadlines with a fixed clock, lists, statistics,
// notifications and their e-mail.
#include "incidents/incidents_service.h"

#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <map>
#include <memory>

#include "auth/password.h"
#include "core/service_support.h"
#include "incidents/report.h"
#include "org/access.h"
#include "org/org_service.h"
#include "support/test_database.h"
#include "support/test_fixtures.h"
#include "workflow/attachments.h"

namespace mamori::incidents {
namespace {

Clock::TimePoint At(const char* rfc3339) { return *ParseTimestamp(rfc3339); }

std::shared_ptr<const policy::Catalog> Catalog() {
    static const auto catalog = mamori::testing::ParsedCatalog(policy::BuiltinCatalogFiles());
    return catalog;
}

struct Mail {
    std::string to, subject, body;
};

class IncidentsTest : public ::testing::TestWithParam<store::Backend> {
  protected:
    void SetUp() override {
        test_db_ = std::make_unique<mamori::testing::TestDatabase>(GetParam());
        ASSERT_TRUE(test_db_->ok());
        db_ = &test_db_->db();
        admin_ = mamori::testing::PlatformAdmin();
        org_ = std::make_unique<org::OrgService>(*db_, clock_, org::RoleCatalog::Builtin(),
                                                 auth::PasswordPolicy{});
        dept_ = org_->CreateUnit(Admin(), {"市民部", "department", ""})->id;
        sec_ = org_->CreateUnit(Admin(), {"市民課", "section", dept_})->id;
        other_ = org_->CreateUnit(Admin(), {"税務課", "section", dept_})->id;
        staff_ = Person("shokuin", "市民 職員", sec_, "shokuin@example.jp");
        kacho_ = Person("kacho", "市民 課長", sec_, "kacho@example.jp");
        csirt_ = Person("csirt", "対応 要員", other_, "csirt@example.jp");
        gm_ = Person("tokatsu", "統括 責任者", dept_, "");
        ciso_ = Person("ciso", "最高 責任者", dept_, "ciso@example.jp");
        outsider_ = Person("tanin", "税務 職員", other_, "");
        auditor_ = Person("kansa", "監査 人", dept_, "");
        Appoint(kacho_, "section_manager", sec_);
        Appoint(csirt_, "csirt_member", "");
        Appoint(gm_, "general_manager", "");
        Appoint(ciso_, "ciso", "");
        Appoint(auditor_, "auditor", "");
        service_ = MakeService({});
    }
    void TearDown() override {
        service_.reset();
        org_.reset();
        test_db_.reset();
    }

    std::unique_ptr<IncidentsService> MakeService(Mailer mailer) {
        return std::make_unique<IncidentsService>(
            *db_, clock_, org::RoleCatalog::Builtin(),
            []() -> Result<std::shared_ptr<const policy::Catalog>> { return Catalog(); },
            std::move(mailer));
    }
    Context Admin() { return {&admin_, "req", "127.0.0.1"}; }
    std::string Person(const std::string& username, const std::string& name,
                       const std::string& unit, const std::string& email) {
        static const std::string hash = *auth::HashPassword("Sakura-2026!");
        org::NewPerson p;
        p.username = username;
        p.display_name = name;
        p.unit_id = unit;
        p.email = email;
        p.password_hash = hash;
        auto person = org_->CreatePerson(Admin(), p);
        EXPECT_TRUE(person) << person.error().message;
        return person ? person->id : "";
    }
    void Appoint(const std::string& person, const std::string& role, const std::string& unit) {
        auto a = org_->CreateAppointment(Admin(), {person, role, unit, "2026-04-01", {}, {}});
        EXPECT_TRUE(a) << a.error().message;
    }
    Context As(const std::string& person_id) {
        auto p = org::LoadPrincipal(*db_, org::RoleCatalog::Builtin(), person_id,
                                    org::TodayJst(clock_.Now()));
        EXPECT_TRUE(p) << p.error().message;
        auto& kept = principals_[person_id];
        if (p) kept = std::move(*p);
        return {&kept, "req", "127.0.0.1"};
    }
    NewIncident Lost(const std::string& discovered = "2026-11-27T09:30+09:00") {
        NewIncident n;
        n.title = "USB メモリの紛失";
        n.description = "窓口の引き出しに入れていた USB メモリが見当たらない。";
        n.category = "loss_theft";
        n.discovered_at = discovered;
        return n;
    }
    Incident Reported(NewIncident n) {
        auto i = service_->Report(As(staff_), n);
        EXPECT_TRUE(i) << i.error().message;
        return i ? *i : Incident{};
    }
    std::vector<std::string> Notified(const std::string& id, const std::string& reason) {
        auto ns = service_->Notifications(As(csirt_), id);
        EXPECT_TRUE(ns) << ns.error().message;
        std::vector<std::string> out;
        if (ns)
            for (const auto& n : *ns)
                if (n.reason == reason) out.push_back(n.person_id);
        std::sort(out.begin(), out.end());
        return out;
    }
    std::int64_t Count(const std::string& sql, std::vector<store::Value> params = {}) {
        auto r = db_->Query(sql, params);
        EXPECT_TRUE(r) << r.error().message;
        return r ? r->rows[0].Int(0) : -1;
    }
    static std::vector<std::string> Sorted(std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        return v;
    }

    FixedClock clock_{At("2026-11-27T01:00:00Z")};  // 10:00 in Japan
    std::unique_ptr<mamori::testing::TestDatabase> test_db_;
    store::Database* db_ = nullptr;
    Principal admin_;
    std::map<std::string, Principal> principals_;
    std::unique_ptr<org::OrgService> org_;
    std::unique_ptr<IncidentsService> service_;
    std::string dept_, sec_, other_;
    std::string staff_, kacho_, csirt_, gm_, ciso_, outsider_, auditor_;
};

TEST_P(IncidentsTest, WalksTheWholeLifecycleWithItsRequiredFields) {
    Incident i = Reported(Lost());
    EXPECT_EQ(i.number, "INC-2026-0001");
    EXPECT_EQ(i.state, "reported");
    EXPECT_EQ(i.unit_id, sec_);  // the reporter's unit by default
    EXPECT_EQ(i.discovered_at, "2026-11-27T00:30:00Z");
    EXPECT_EQ(i.discovered_on, "2026-11-27");
    EXPECT_TRUE(i.transitions.empty());  // the reporter moves nothing
    // The section's 情報セキュリティ管理者 and the CSIRT are told at once, nobody else.
    EXPECT_EQ(Notified(i.id, "reported"), Sorted({kacho_, csirt_}));
    EXPECT_TRUE(Notified(i.id, "escalated").empty());
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'incident.report'"), 1);

    const Context team = As(csirt_);
    auto got = service_->Get(team, i.id);
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->can_manage);
    EXPECT_EQ(got->transitions, (std::vector<std::string>{"accepted", "duplicate"}));

    auto step = [&](const std::string& to, const std::string& comment = "") {
        return service_->Move(team, i.id, {to, comment, "", ""});
    };
    auto missing = [](const auto& r) { return r ? std::string("ok") : r.error().field; };
    EXPECT_EQ(missing(step("accepted")), "severity");
    EXPECT_EQ(step("investigating").error().code, "invalid_transition");  // skipping a state
    ASSERT_TRUE(service_->Move(team, i.id, {"accepted", "", "medium", ""}));
    ASSERT_TRUE(step("responding"));
    EXPECT_EQ(missing(step("investigating")), "containment");
    IncidentChange c;
    c.containment = "立ち回り先を探し、警察に遺失届を出した。";
    ASSERT_TRUE(service_->Update(team, i.id, c));
    ASSERT_TRUE(step("investigating"));
    EXPECT_EQ(missing(step("preventing")), "cause");
    c = {};
    c.cause = "持ち出し後に引き出しへ戻す手順がなかった。";
    ASSERT_TRUE(service_->Update(team, i.id, c));
    ASSERT_TRUE(step("preventing"));
    EXPECT_EQ(missing(step("closed")), "recurrence_prevention");
    c = {};
    c.recurrence_prevention = "USB メモリは施錠できる保管庫で管理し、貸出簿をつける。";
    ASSERT_TRUE(service_->Update(team, i.id, c));
    auto closed = step("closed");
    ASSERT_TRUE(closed) << closed.error().message;
    EXPECT_EQ(closed->state, "closed");
    EXPECT_FALSE(closed->closed_at.empty());
    EXPECT_EQ(closed->transitions, (std::vector<std::string>{"responding"}));

    // Closed: no change without reopening, and reopening needs a reason.
    c = {};
    c.title = "変えたい件名";
    EXPECT_EQ(service_->Update(team, i.id, c).error().code, "incident_closed");
    EXPECT_EQ(missing(step("responding")), "comment");
    auto reopened = step("responding", "同じ保管庫の鍵も見当たらないことが分かった");
    ASSERT_TRUE(reopened) << reopened.error().message;
    EXPECT_EQ(reopened->state, "responding");
    EXPECT_TRUE(reopened->closed_at.empty());

    auto timeline = service_->Timeline(team, i.id);
    ASSERT_TRUE(timeline);
    std::vector<std::string> kinds;
    for (const auto& e : *timeline) kinds.push_back(e.kind);
    EXPECT_EQ(kinds,
              (std::vector<std::string>{"reported", "severity", "state", "state", "change", "state",
                                        "change", "state", "change", "state", "state"}));
    for (std::size_t k = 0; k < timeline->size(); ++k)
        EXPECT_EQ((*timeline)[k].seq, static_cast<int>(k + 1));
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'incident.transition'"), 6);
}

TEST_P(IncidentsTest, EscalatesOnceFromTheConfiguredSeverity) {
    Incident i = Reported(Lost());
    const Context team = As(csirt_);
    ASSERT_TRUE(service_->Move(team, i.id, {"accepted", "", "low", ""}));
    EXPECT_TRUE(Notified(i.id, "escalated").empty());
    IncidentChange c;
    c.severity = "high";  // escalate_from: high
    auto up = service_->Update(team, i.id, c);
    ASSERT_TRUE(up) << up.error().message;
    EXPECT_TRUE(up->escalated);
    EXPECT_EQ(Notified(i.id, "escalated"), Sorted({gm_, ciso_}));
    // They see it as an alert until they open it, which is recorded.
    auto alerts = service_->Alerts(As(gm_));
    ASSERT_TRUE(alerts);
    ASSERT_EQ(alerts->size(), 1u);
    EXPECT_EQ((*alerts)[0].reason, "escalated");
    EXPECT_EQ((*alerts)[0].severity_name, "高");
    clock_.Advance(std::chrono::minutes(5));
    ASSERT_TRUE(service_->Get(As(gm_), i.id));
    EXPECT_TRUE(service_->Alerts(As(gm_))->empty());
    auto ns = service_->Notifications(As(csirt_), i.id);
    ASSERT_TRUE(ns);
    for (const auto& n : *ns) {
        if (n.person_id == gm_) EXPECT_EQ(n.opened_at, "2026-11-27T01:05:00Z");
        if (n.person_id == ciso_) EXPECT_EQ(n.opened_at, "");
        EXPECT_EQ(n.email, "not_configured");
    }
    // Raising it further tells nobody twice.
    c.severity = "critical";
    ASSERT_TRUE(service_->Update(team, i.id, c));
    EXPECT_EQ(Notified(i.id, "escalated"), Sorted({gm_, ciso_}));
}

TEST_P(IncidentsTest, EachRoleMayDoOnlyItsPart) {
    Incident i = Reported(Lost());
    const auto forbidden = ErrorKind::kForbidden;
    // Outside the unit and not told: as if it did not exist.
    EXPECT_EQ(service_->Get(As(outsider_), i.id).error().kind, ErrorKind::kNotFound);
    EXPECT_EQ(service_->Timeline(As(outsider_), i.id).error().kind, ErrorKind::kNotFound);
    EXPECT_TRUE(service_->List(As(outsider_), {})->items.empty());
    // The reporter and the section manager read and add notes, but move nothing.
    for (const auto& who : {staff_, kacho_}) {
        auto got = service_->Get(As(who), i.id);
        ASSERT_TRUE(got);
        EXPECT_FALSE(got->can_manage);
        EXPECT_EQ(service_->Move(As(who), i.id, {"accepted", "", "low", ""}).error().kind,
                  forbidden);
        EXPECT_EQ(service_->Update(As(who), i.id, {}).error().kind, forbidden);
        EXPECT_TRUE(
            service_->AddEntry(As(who), i.id, {"note", "気づいたことのメモ", "", "", "", 0, {}}));
        EXPECT_EQ(service_
                      ->AddEntry(As(who), i.id,
                                 {"outside_report", "県へ報告", "青森県", "2026-11-27", "", 0, {}})
                      .error()
                      .kind,
                  forbidden);
    }
    // The auditor reads everything (incidents.read), decides nothing.
    EXPECT_EQ(service_->List(As(auditor_), {})->items.size(), 1u);
    EXPECT_EQ(service_->Move(As(auditor_), i.id, {"accepted", "", "low", ""}).error().kind,
              forbidden);
    // The general manager, like the CSIRT, manages.
    EXPECT_TRUE(service_->Move(As(gm_), i.id, {"accepted", "", "low", ""}));
    // Reports from outside are entered by the contact point only.
    NewIncident outside = Lost();
    outside.outside_reporter = OutsideReporter{"平川 一郎", "住民", "0172-00-0000"};
    EXPECT_EQ(service_->Report(As(staff_), outside).error().kind, forbidden);
    auto entered = service_->Report(As(csirt_), outside);
    ASSERT_TRUE(entered) << entered.error().message;
    EXPECT_EQ(entered->source, "outside");
    ASSERT_TRUE(entered->outside_reporter);
    EXPECT_EQ(entered->outside_reporter->name, "平川 一郎");
    EXPECT_EQ(entered->reporter_id, csirt_);
    // Staff list only their own; the section manager their section's.
    EXPECT_EQ(service_->List(As(staff_), {})->items.size(), 1u);
    EXPECT_EQ(service_->List(As(kacho_), {})->items.size(), 1u);
}

TEST_P(IncidentsTest, TheTimelineIsAppendOnly) {
    Incident i = Reported(Lost());
    const Context team = As(csirt_);
    auto note = service_->AddEntry(team, i.id, {"note", "誤った記録", "", "", "", 0, {}});
    ASSERT_TRUE(note);
    EXPECT_EQ(note->seq, 2);
    // A correction is a new entry naming the one it corrects.
    EXPECT_EQ(
        service_->AddEntry(team, i.id, {"correction", "訂正", "", "", "", 0, {}}).error().field,
        "corrects");
    EXPECT_EQ(
        service_->AddEntry(team, i.id, {"correction", "訂正", "", "", "", 99, {}}).error().field,
        "corrects");
    auto fix =
        service_->AddEntry(team, i.id, {"correction", "正しくは会議室で紛失", "", "", "", 2, {}});
    ASSERT_TRUE(fix) << fix.error().message;
    EXPECT_EQ(fix->corrects, 2);
    // Kinds mamori writes cannot be written by people.
    EXPECT_EQ(
        service_->AddEntry(team, i.id, {"state", "偽の状態", "", "", "", 0, {}}).error().field,
        "kind");
    // The database refuses edits and deletions whoever asks.
    EXPECT_FALSE(
        db_->Query("UPDATE incident_entries SET text = 'x' WHERE incident_id = ?", {i.id}));
    EXPECT_FALSE(db_->Query("DELETE FROM incident_entries WHERE incident_id = ?", {i.id}));
    EXPECT_FALSE(db_->Query("DELETE FROM incidents WHERE id = ?", {i.id}));
    EXPECT_EQ(Count("SELECT COUNT(*) FROM incident_entries WHERE incident_id = ?", {i.id}), 3);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM incident_entries WHERE text = '誤った記録'"), 1);
    // An incident is never deleted: it may be marked as a duplicate of another.
    Incident other = Reported(Lost());
    EXPECT_EQ(service_->Move(team, other.id, {"duplicate", "", "", ""}).error().field,
              "duplicate_of");
    EXPECT_EQ(service_->Move(team, other.id, {"duplicate", "", "", other.id}).error().field,
              "duplicate_of");
    auto dup = service_->Move(team, other.id, {"duplicate", "同じ USB メモリ", "", i.id});
    ASSERT_TRUE(dup) << dup.error().message;
    EXPECT_EQ(dup->state, "duplicate");
    EXPECT_EQ(dup->duplicate_of_number, i.number);
    EXPECT_TRUE(dup->transitions.empty());
}

TEST_P(IncidentsTest, DeadlinesRunFromDiscoveryAndAreMetByOutsideReports) {
    // Discovered 16:00 UTC on 31 October = 1 November in Japan.
    NewIncident n = Lost("2026-10-31T16:00:00Z");
    n.category = "leak";
    n.personal_information = true;
    Incident i = Reported(n);
    EXPECT_EQ(i.discovered_on, "2026-11-01");
    auto got = service_->Get(As(csirt_), i.id);
    ASSERT_TRUE(got);
    ASSERT_EQ(got->deadlines.size(), 2u);
    EXPECT_EQ(got->deadlines[0].deadline.key, "ppc_prompt");
    EXPECT_EQ(got->deadlines[0].deadline.due_on, "2026-11-06");
    EXPECT_EQ(got->deadlines[0].deadline.state, DeadlineState::kOverdue);
    EXPECT_EQ(got->deadlines[1].deadline.due_on, "2026-12-01");  // across the month end
    EXPECT_EQ(got->deadlines[1].deadline.days_left, 4);
    EXPECT_EQ(got->deadlines[1].deadline.state, DeadlineState::kDueSoon);

    const Context team = As(csirt_);
    // A report is recorded with its body and date; it may meet a deadline of that body.
    EXPECT_EQ(
        service_->AddEntry(team, i.id, {"outside_report", "速報", "市長", "2026-11-05", "", 0, {}})
            .error()
            .field,
        "outside_body");
    EXPECT_EQ(
        service_
            ->AddEntry(team, i.id,
                       {"outside_report", "速報", "個人情報保護委員会", "2026-11-28", "", 0, {}})
            .error()
            .field,
        "reported_on");  // tomorrow
    EXPECT_EQ(service_
                  ->AddEntry(team, i.id,
                             {"outside_report", "速報", "警察", "2026-11-05", "ppc_prompt", 0, {}})
                  .error()
                  .field,
              "deadline");  // the police is not who that deadline is owed to
    EXPECT_EQ(service_->AddEntry(team, i.id, {"note", "メモ", "警察", "", "", 0, {}}).error().field,
              "outside_body");
    auto sent = service_->AddEntry(team, i.id,
                                   {"outside_report",
                                    "漏えい等報告 (速報) を提出",
                                    "個人情報保護委員会",
                                    "2026-11-05",
                                    "ppc_prompt",
                                    0,
                                    {}});
    ASSERT_TRUE(sent) << sent.error().message;
    got = service_->Get(team, i.id);
    EXPECT_TRUE(got->deadlines[0].done);
    EXPECT_EQ(got->deadlines[0].reported_on, "2026-11-05");
    EXPECT_FALSE(got->deadlines[1].done);

    // Malicious: 60 days for the full report; the clock moves the state.
    IncidentChange c;
    c.malicious = true;
    ASSERT_TRUE(service_->Update(team, i.id, c));
    got = service_->Get(team, i.id);
    EXPECT_EQ(got->deadlines[1].deadline.due_on, "2026-12-31");
    EXPECT_EQ(got->deadlines[1].deadline.state, DeadlineState::kUpcoming);
    clock_.Set(At("2027-01-01T01:00:00Z"));
    got = service_->Get(team, i.id);
    EXPECT_EQ(got->deadlines[1].deadline.state, DeadlineState::kOverdue);

    // No personal information, no deadline.
    EXPECT_TRUE(Reported(Lost()).deadlines.empty());
}

TEST_P(IncidentsTest, BadInputIsNamedAndChangesNothing) {
    auto field = [&](NewIncident n) {
        auto r = service_->Report(As(staff_), n);
        return r ? std::string("accepted") : r.error().field;
    };
    NewIncident n = Lost();
    n.title = " ";
    EXPECT_EQ(field(n), "title");
    n = Lost();
    n.title = std::string(201 * 3, 'a');
    EXPECT_EQ(field(n), "title");
    n = Lost();
    n.description = "";
    EXPECT_EQ(field(n), "description");
    n = Lost();
    n.category = "earthquake";
    EXPECT_EQ(field(n), "category");
    for (const char* bad : {"2026-11-27", "昨日", "2026-11-27T11:00+09:00" /* an hour ahead */}) {
        n = Lost(bad);
        EXPECT_EQ(field(n), "discovered_at") << bad;
    }
    n = Lost();
    n.system_ids = {"no-such-system"};
    EXPECT_EQ(field(n), "system_ids");
    n = Lost();
    n.unit_id = "no-such-unit";
    EXPECT_EQ(field(n), "unit_id");
    n = Lost();
    n.attachments = {"no-such-file"};
    EXPECT_EQ(field(n), "attachments");
    EXPECT_EQ(Count("SELECT COUNT(*) FROM incidents"), 0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM incident_notifications"), 0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'incident.%'"), 0);

    Incident i = Reported(Lost());
    IncidentChange c;
    c.severity = "huge";
    EXPECT_EQ(service_->Update(As(csirt_), i.id, c).error().field, "severity");
    c = {};
    c.control_refs = std::vector<std::string>{"99-99"};
    EXPECT_EQ(service_->Update(As(csirt_), i.id, c).error().field, "control_refs");
    EXPECT_EQ(service_->Move(As(csirt_), i.id, {"finished", "", "", ""}).error().field, "to");
    EXPECT_EQ(service_->Get(As(csirt_), "nope").error().kind, ErrorKind::kNotFound);
}

TEST_P(IncidentsTest, ListsFilterAndPage) {
    for (int k = 0; k < 5; ++k) {
        NewIncident n = Lost();
        n.title = "紛失 " + std::to_string(k);
        n.personal_information = k % 2 == 0;
        Reported(n);
    }
    const Context team = As(csirt_);
    auto all = service_->List(team, {});
    ASSERT_TRUE(all);
    ASSERT_EQ(all->items.size(), 5u);
    EXPECT_EQ(all->items[0].number, "INC-2026-0005");  // newest first
    ASSERT_TRUE(service_->Move(team, all->items[0].id, {"accepted", "", "high", ""}));
    IncidentFilter f;
    f.state = "accepted";
    EXPECT_EQ(service_->List(team, f)->items.size(), 1u);
    f = {};
    f.severity = "none";
    EXPECT_EQ(service_->List(team, f)->items.size(), 4u);
    f = {};
    f.personal_information = true;
    EXPECT_EQ(service_->List(team, f)->items.size(), 3u);
    f = {};
    f.q = "inc-2026-0003";
    ASSERT_EQ(service_->List(team, f)->items.size(), 1u);
    f = {};
    f.q = "紛失 4";
    EXPECT_EQ(service_->List(team, f)->items.size(), 1u);
    f = {};
    f.limit = 2;
    std::vector<std::string> seen;
    for (int page = 0; page < 5; ++page) {
        auto p = service_->List(team, f);
        ASSERT_TRUE(p);
        for (const auto& i : p->items) seen.push_back(i.number);
        if (p->next_cursor.empty()) break;
        f.cursor = p->next_cursor;
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"INC-2026-0005", "INC-2026-0004", "INC-2026-0003",
                                              "INC-2026-0002", "INC-2026-0001"}));
    f = {};
    f.state = "done";
    EXPECT_EQ(service_->List(team, f).error().field, "state");
}

// Numbers past 9999 in a year keep their order (INC-2026-10000 is newer than INC-2026-9999).
TEST_P(IncidentsTest, ListsInTheOrderOfNumbersPast9999) {
    ASSERT_TRUE(
        db_->Query("INSERT INTO request_counters (prefix, year, last) VALUES ('INC', 2026, 9998)"));
    for (int k = 0; k < 3; ++k) Reported(Lost());
    IncidentFilter f;
    f.limit = 2;
    auto first = service_->List(As(csirt_), f);
    ASSERT_TRUE(first);
    ASSERT_EQ(first->items.size(), 2u);
    EXPECT_EQ(first->items[0].number, "INC-2026-10001");
    EXPECT_EQ(first->items[1].number, "INC-2026-10000");
    f.cursor = first->next_cursor;
    auto second = service_->List(As(csirt_), f);
    ASSERT_TRUE(second);
    ASSERT_EQ(second->items.size(), 1u);
    EXPECT_EQ(second->items[0].number, "INC-2026-9999");
    f.cursor = "not-a-number";
    EXPECT_EQ(service_->List(As(csirt_), f).error().field, "cursor");
}

// Acting on an incident opens it: the CSIRT's notification is opened by its acceptance.
TEST_P(IncidentsTest, ActingOnAnIncidentOpensIt) {
    Incident i = Reported(Lost());
    ASSERT_EQ(service_->Alerts(As(csirt_))->size(), 1u);
    ASSERT_TRUE(service_->Move(As(csirt_), i.id, {"accepted", "", "low", ""}));
    EXPECT_TRUE(service_->Alerts(As(csirt_))->empty());
    EXPECT_EQ(service_->Alerts(As(kacho_))->size(), 1u);
}

TEST_P(IncidentsTest, CountsAFiscalYear) {
    Reported(Lost("2026-04-01T09:00+09:00"));
    Reported(Lost("2026-03-31T09:00+09:00"));  // the previous fiscal year
    NewIncident n = Lost();
    n.category = "misdelivery";
    n.personal_information = true;
    Reported(n);
    auto s = service_->StatsOf(As(ciso_), 0);  // this fiscal year
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->fiscal_year, 2026);
    EXPECT_EQ(s->from, "2026-04-01");
    EXPECT_EQ(s->total, 2);
    EXPECT_EQ(s->personal_information, 1);
    ASSERT_EQ(s->by_month.size(), 12u);
    EXPECT_EQ(s->by_month[0].key, "2026-04");
    EXPECT_EQ(s->by_month[0].count, 1);
    EXPECT_EQ(s->by_month[7].key, "2026-11");
    EXPECT_EQ(s->by_month[7].count, 1);
    EXPECT_EQ(s->by_month[11].key, "2027-03");
    int misdelivery = 0;
    for (const auto& c : s->by_category)
        if (c.key == "misdelivery") misdelivery = c.count;
    EXPECT_EQ(misdelivery, 1);
    ASSERT_EQ(s->by_unit.size(), 1u);
    EXPECT_EQ(s->by_unit[0].name, "市民課");
    EXPECT_EQ(service_->StatsOf(As(ciso_), 2025)->total, 1);
    EXPECT_EQ(service_->StatsOf(As(staff_), 0).error().kind, ErrorKind::kForbidden);
}

TEST_P(IncidentsTest, MailsWhereAnAddressIsKnownAndRecordsTheOutcome) {
    std::vector<Mail> sent;
    service_ = MakeService(
        [&](const std::string& to, const std::string& subject, const std::string& body) {
            sent.push_back({to, subject, body});
            return to == "csirt@example.jp" ? std::string("failed") : std::string("sent");
        });
    Incident i = Reported(Lost());
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_NE(sent[0].subject.find(i.number), std::string::npos);
    EXPECT_EQ(sent[0].body.find("引き出し"), std::string::npos);  // no details by mail
    ASSERT_TRUE(service_->Move(As(csirt_), i.id, {"accepted", "", "critical", ""}));
    auto ns = service_->Notifications(As(csirt_), i.id);
    ASSERT_TRUE(ns);
    std::map<std::string, std::string> email;
    for (const auto& n : *ns) email[n.person_id] = n.email;
    EXPECT_EQ(email[kacho_], "sent");
    EXPECT_EQ(email[csirt_], "failed");
    EXPECT_EQ(email[ciso_], "sent");
    EXPECT_EQ(email[gm_], "no_address");
}

// Mail never holds up the answer: it goes to the server's mail thread (here, a list of jobs
// run by hand), and its outcome is recorded when it has gone.
TEST_P(IncidentsTest, MailIsSentLaterOffTheRequest) {
    std::vector<Mail> sent;
    std::vector<std::function<void()>> jobs;
    service_ = std::make_unique<IncidentsService>(
        *db_, clock_, org::RoleCatalog::Builtin(),
        []() -> Result<std::shared_ptr<const policy::Catalog>> { return Catalog(); },
        [&](const std::string& to, const std::string& subject, const std::string& body) {
            sent.push_back({to, subject, body});
            return std::string("sent");
        },
        [&](std::function<void()> job) { jobs.push_back(std::move(job)); });
    Incident i = Reported(Lost());
    EXPECT_TRUE(sent.empty());
    ASSERT_EQ(jobs.size(), 1u);
    auto pending = service_->Notifications(As(csirt_), i.id);
    ASSERT_TRUE(pending);
    for (const auto& n : *pending) EXPECT_EQ(n.email, "pending") << n.person_name;
    for (auto& job : jobs) job();
    EXPECT_EQ(sent.size(), 2u);
    auto done = service_->Notifications(As(csirt_), i.id);
    ASSERT_TRUE(done);
    for (const auto& n : *done) EXPECT_EQ(n.email, "sent");
}

TEST_P(IncidentsTest, TimelineFilesKeepTheirHashAndTheirReaders) {
    const auto dir = std::filesystem::temp_directory_path() / ("mamori-inc-" + service::NewId());
    workflow::AttachmentStore files(*db_, clock_, dir, 1 << 20);
    const std::string pdf = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    auto up = files.Upload(As(staff_), "写真.pdf", pdf);
    ASSERT_TRUE(up) << up.error().message;
    NewIncident n = Lost();
    n.attachments = {up->id};
    Incident i = Reported(n);
    auto timeline = service_->Timeline(As(csirt_), i.id);
    ASSERT_TRUE(timeline);
    ASSERT_EQ((*timeline)[0].attachments.size(), 1u);
    EXPECT_EQ((*timeline)[0].attachments[0].sha256, up->sha256);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'incident.report' AND "
                    "summary LIKE ?",
                    {"%" + up->sha256 + "%"}),
              1);
    auto read = [&](const std::string& who) {
        return files.Read(As(who), up->id, [&](const Context& ctx, const workflow::Attachment& a) {
            return service_->MayReadAttachment(ctx, a);
        });
    };
    EXPECT_TRUE(read(csirt_));
    EXPECT_TRUE(read(kacho_));
    EXPECT_EQ(read(outsider_).error().kind, ErrorKind::kNotFound);
    // A file named once cannot be named again.
    EXPECT_EQ(service_->AddEntry(As(staff_), i.id, {"note", "もう一度", "", "", "", 0, {up->id}})
                  .error()
                  .field,
              "attachments");
    std::filesystem::remove_all(dir);
}

TEST_P(IncidentsTest, TheReportHoldsTheFactsAndTheTimeline) {
    NewIncident n = Lost();
    n.title = "<script>alert(1)</script>";
    Incident i = Reported(n);
    const Context team = As(csirt_);
    auto got = service_->Get(team, i.id);
    auto timeline = service_->Timeline(team, i.id);
    auto ns = service_->Notifications(team, i.id);
    ASSERT_TRUE(got && timeline && ns);
    const ReportInput in{*got,         *timeline,  *ns, Catalog()->incident_rules(),
                         "2026-11-27", "対応 要員"};
    const std::string html = ReportHtml(in);
    EXPECT_EQ(html.find("<script>"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
    EXPECT_NE(html.find("INC-2026-0001"), std::string::npos);
    EXPECT_NE(html.find("市民 課長"), std::string::npos);         // who was told
    EXPECT_NE(html.find("2026-11-27 09:30"), std::string::npos);  // discovery, in Japan time
    auto xlsx = ReportXlsx(in);
    ASSERT_TRUE(xlsx) << xlsx.error().message;
    EXPECT_EQ(xlsx->filename, "mamori-incident-INC-2026-0001-20261127.xlsx");
    EXPECT_EQ(xlsx->body.substr(0, 2), "PK");
}

INSTANTIATE_TEST_SUITE_P(Backends, IncidentsTest,
                         ::testing::Values(store::Backend::kSqlite, store::Backend::kPostgresql),
                         [](const auto& info) {
                             return info.param == store::Backend::kSqlite ? "Sqlite" : "Postgresql";
                         });

}  // namespace
}  // namespace mamori::incidents
