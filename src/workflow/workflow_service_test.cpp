// The workflow engine against a real SQLite file and a real PostgreSQL server: chains,
// 兼務の禁止, vacancy routing, every transition, expiry with a fixed clock.
#include "workflow/workflow_service.h"

#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "auth/password.h"
#include "core/crypto.h"
#include "core/service_support.h"
#include "org/access.h"
#include "org/org_service.h"
#include "support/test_database.h"
#include "support/test_fixtures.h"
#include "workflow/attachments.h"
#include "workflow/lookup.h"

namespace mamori::workflow {
namespace {

Clock::TimePoint At(const char* rfc3339) {
    std::tm tm{};
    strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// The Hirakawa catalog with one more type whose chain the tests control.
constexpr const char* kTrial = R"(key: trial
prefix: TRI
name: 試験の申請
description: 試験のための申請です。
refs: ["9-4"]
validity: {field: period, max_days: 30, expiring_soon_days: 5}
fields:
  - {key: reason, label: 理由, type: text, required: true, max_length: 20}
  - {key: period, label: 期間, type: date_range, required: true}
  - {key: urgent, label: 緊急, type: boolean}
  - {key: asset, label: 情報資産, type: asset}
  - {key: system, label: 情報システム, type: system}
  - {key: kind, label: 種別, type: choice, options: [{value: a, label: あ}, {value: b, label: い}]}
  - {key: count, label: 台数, type: number, min: 1, max: 10}
  - {key: control, label: 対策基準の項目, type: control}
  - {key: units, label: 部署, type: unit, multiple: true}
  - {key: notes, label: 備考, type: long_text, max_length: 50}
  - {key: on, label: 実施日, type: date}
  - {key: evidence, label: 根拠の資料, type: file, multiple: true}
chain:
  - role: section_manager
  - role: department_officer
  - role: ciso
    when: {field: urgent, equals: true}
)";

std::shared_ptr<const policy::Catalog> Catalog() {
    static const auto catalog = [] {
        policy::CatalogFiles files = policy::BuiltinCatalogFiles();
        files["requests/trial.yaml"] = kTrial;
        return mamori::testing::ParsedCatalog(files);
    }();
    return catalog;
}

class WorkflowTest : public ::testing::TestWithParam<store::Backend> {
  protected:
    void SetUp() override {
        test_db_ = std::make_unique<mamori::testing::TestDatabase>(GetParam());
        ASSERT_TRUE(test_db_->ok());
        db_ = &test_db_->db();
        admin_ = mamori::testing::PlatformAdmin();
        org_ = std::make_unique<org::OrgService>(*db_, clock_, org::RoleCatalog::Builtin(),
                                                 auth::PasswordPolicy{});
        dept_ = org_->CreateUnit(Admin(), {"総務部", "department", ""})->id;
        sec_ = org_->CreateUnit(Admin(), {"総務課", "section", dept_})->id;
        other_ = org_->CreateUnit(Admin(), {"税務課", "section", dept_})->id;
        applicant_ = Person("shokuin", "申請 太郎", sec_);
        kacho_ = Person("kacho", "総務 課長", sec_);
        bucho_ = Person("bucho", "総務 部長", dept_);
        ciso_ = Person("ciso", "最高 責任者", dept_);
        gm_ = Person("tokatsu", "統括 責任者", dept_);
        outsider_ = Person("tanin", "税務 職員", other_);
        Appoint(kacho_, "section_manager", sec_);
        Appoint(bucho_, "department_officer", dept_);
        Appoint(ciso_, "ciso", "");
        Appoint(gm_, "general_manager", "");
        service_ = std::make_unique<WorkflowService>(
            *db_, clock_, org::RoleCatalog::Builtin(),
            []() -> Result<std::shared_ptr<const policy::Catalog>> { return Catalog(); });
    }
    void TearDown() override {
        service_.reset();
        org_.reset();
        test_db_.reset();
    }

    Context Admin() { return {&admin_, "req", "127.0.0.1"}; }
    std::string Person(const std::string& username, const std::string& name,
                       const std::string& unit) {
        static const std::string hash = *auth::HashPassword("Sakura-2026!");
        org::NewPerson p;
        p.username = username;
        p.display_name = name;
        p.unit_id = unit;
        p.password_hash = hash;
        auto person = org_->CreatePerson(Admin(), p);
        EXPECT_TRUE(person) << person.error().message;
        return person ? person->id : "";
    }
    std::string Appoint(const std::string& person, const std::string& role,
                        const std::string& unit) {
        auto a = org_->CreateAppointment(Admin(), {person, role, unit, "2026-04-01", {}, {}});
        EXPECT_TRUE(a) << a.error().message;
        return a ? a->id : "";
    }
    // The person's principal as a request would carry it (grants from appointments today).
    Context As(const std::string& person_id) {
        auto p = org::LoadPrincipal(*db_, org::RoleCatalog::Builtin(), person_id, "2026-11-27");
        EXPECT_TRUE(p) << p.error().message;
        auto& kept = principals_[person_id];
        if (p) kept = std::move(*p);
        return {&kept, "req", "127.0.0.1"};
    }
    NewRequest Trial(bool urgent = false) {
        boost::json::object form{{"reason", "検証のため"},
                                 {"period", {{"from", "2026-12-01"}, {"to", "2026-12-10"}}}};
        if (urgent) form["urgent"] = true;
        return {"trial", "試験の申請", form};
    }
    std::int64_t Events(const std::string& action) {
        auto r = db_->Query("SELECT COUNT(*) FROM audit_events WHERE action = ?", {action});
        return r ? r->rows[0].Int(0) : -1;
    }

    FixedClock clock_{At("2026-11-27T01:00:00Z")};
    std::unique_ptr<mamori::testing::TestDatabase> test_db_;
    store::Database* db_ = nullptr;
    Principal admin_;
    std::map<std::string, Principal> principals_;
    std::unique_ptr<org::OrgService> org_;
    std::unique_ptr<WorkflowService> service_;
    std::string dept_, sec_, other_;
    std::string applicant_, kacho_, bucho_, ciso_, gm_, outsider_;
};

TEST_P(WorkflowTest, WalksTheChainToApproval) {
    auto r = service_->Submit(As(applicant_), Trial());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->number, "TRI-2026-0001");
    EXPECT_EQ(r->state, "submitted");
    ASSERT_EQ(r->steps.size(), 2u);  // the ciso step applies only when urgent
    EXPECT_EQ(r->steps[0].approver_id, kacho_);
    EXPECT_EQ(r->steps[0].state, "pending");
    EXPECT_EQ(r->steps[1].state, "waiting");
    EXPECT_EQ(r->valid_until, "2026-12-10");

    auto inbox = service_->InboxOf(As(kacho_));
    ASSERT_TRUE(inbox);
    ASSERT_EQ(inbox->to_approve.size(), 1u);
    EXPECT_EQ(inbox->to_approve[0].number, "TRI-2026-0001");
    EXPECT_EQ(inbox->to_approve[0].waiting_for, "総務 課長");
    EXPECT_FALSE(inbox->to_approve[0].waiting_step.empty());
    EXPECT_EQ(service_->InboxOf(As(applicant_))->mine.size(), 1u);

    // Only the pending step's approver decides.
    EXPECT_EQ(service_->Act(As(bucho_), r->id, Action::kApprove, "").error().kind,
              ErrorKind::kForbidden);
    auto one = service_->Act(As(kacho_), r->id, Action::kApprove, "確認しました");
    ASSERT_TRUE(one) << one.error().message;
    EXPECT_EQ(one->state, "submitted");
    EXPECT_EQ(one->step, 1);
    EXPECT_EQ(one->steps[1].approver_id, bucho_);
    EXPECT_TRUE(service_->InboxOf(As(kacho_))->to_approve.empty());
    auto two = service_->Act(As(bucho_), r->id, Action::kApprove, "");
    ASSERT_TRUE(two) << two.error().message;
    EXPECT_EQ(two->state, "approved");
    EXPECT_FALSE(two->decided_at.empty());
    EXPECT_EQ(Events("request.submit"), 1);
    EXPECT_EQ(Events("request.approve"), 2);

    // A second request of the type takes the next number; an urgent one adds the CISO.
    auto urgent = service_->Submit(As(applicant_), Trial(true));
    ASSERT_TRUE(urgent) << urgent.error().message;
    EXPECT_EQ(urgent->number, "TRI-2026-0002");
    ASSERT_EQ(urgent->steps.size(), 3u);
    EXPECT_EQ(urgent->steps[2].role, "ciso");
}

TEST_P(WorkflowTest, TheApplicantNeverApproves) {
    // The section manager applies: their own step passes to the department officer, and the
    // department officer's step is then already decided (skipped).
    auto r = service_->Submit(As(kacho_), Trial());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->steps[0].approver_id, bucho_);
    ASSERT_EQ(r->steps[0].escalation.size(), 1u);
    EXPECT_EQ(r->steps[0].escalation[0].reason, "applicant");
    auto self = service_->Act(As(kacho_), r->id, Action::kApprove, "");
    ASSERT_FALSE(self);
    EXPECT_EQ(self.error().kind, ErrorKind::kRuleViolation);
    EXPECT_EQ(self.error().code, "self_approval");
    EXPECT_EQ(service_->Act(As(kacho_), r->id, Action::kReject, "不要").error().code,
              "self_approval");
    auto done = service_->Act(As(bucho_), r->id, Action::kApprove, "");
    ASSERT_TRUE(done) << done.error().message;
    EXPECT_EQ(done->state, "approved");
    EXPECT_EQ(done->steps[1].state, "skipped");

    // Urgent: the CISO's step still follows, and the applicant cannot take it either.
    auto urgent = service_->Submit(As(kacho_), Trial(true));
    ASSERT_TRUE(urgent);
    ASSERT_TRUE(service_->Act(As(bucho_), urgent->id, Action::kApprove, ""));
    auto at_ciso = service_->Get(As(kacho_), urgent->id);
    ASSERT_TRUE(at_ciso);
    EXPECT_EQ(at_ciso->step, 2);
    EXPECT_EQ(at_ciso->steps[2].approver_id, ciso_);
    EXPECT_EQ(service_->Act(As(kacho_), urgent->id, Action::kApprove, "").error().code,
              "self_approval");
}

TEST_P(WorkflowTest, NobodyApprovesTwoConsecutiveSteps) {
    // The section manager also holds department_officer for the section: after approving
    // step 1, step 2 passes over them to the general manager.
    Appoint(kacho_, "department_officer", sec_);
    auto r = service_->Submit(As(applicant_), Trial());
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(service_->Act(As(kacho_), r->id, Action::kApprove, ""));
    auto after = service_->Get(As(applicant_), r->id);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->steps[1].approver_id, gm_);
    ASSERT_FALSE(after->steps[1].escalation.empty());
    EXPECT_EQ(after->steps[1].escalation[0].reason, "previous_step");
    EXPECT_EQ(service_->Act(As(kacho_), r->id, Action::kApprove, "").error().code,
              "consecutive_steps");

    // When only the previous approver holds the role (and none above): the step is part of
    // that approval, not a dead end.
    ASSERT_TRUE(
        db_->Query("UPDATE appointments SET ends_on = '2026-04-01' WHERE person_id = ?", {ciso_}));
    Appoint(gm_, "ciso", "");
    auto urgent = service_->Submit(As(applicant_), Trial(true));
    ASSERT_TRUE(urgent) << urgent.error().message;
    ASSERT_TRUE(service_->Act(As(kacho_), urgent->id, Action::kApprove, ""));
    auto last = service_->Act(As(gm_), urgent->id, Action::kApprove, "");
    ASSERT_TRUE(last) << last.error().message;
    EXPECT_EQ(last->state, "approved");
    EXPECT_EQ(last->steps[2].state, "skipped");
}

TEST_P(WorkflowTest, AVacancyRoutesToTheNextRoleUp) {
    // The other section has no section manager: its staff's request goes to the department.
    auto r = service_->Submit(As(outsider_), Trial());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->steps[0].approver_id, bucho_);
    ASSERT_EQ(r->steps[0].escalation.size(), 1u);
    EXPECT_EQ(r->steps[0].escalation[0].reason, "vacant");
    // An appointment that ended yesterday does not count.
    ASSERT_TRUE(
        db_->Query("UPDATE appointments SET ends_on = '2026-11-26' WHERE person_id = ?", {kacho_}));
    auto mine = service_->Submit(As(applicant_), Trial());
    ASSERT_TRUE(mine) << mine.error().message;
    EXPECT_EQ(mine->steps[0].approver_id, bucho_);
}

TEST_P(WorkflowTest, EveryTransitionIsAllowedOrConflict) {
    // Expected next state for (state, action); absent = 409.
    const std::map<std::pair<std::string, Action>, std::string> allowed = {
        {{"submitted", Action::kApprove}, "submitted"},
        {{"submitted", Action::kReject}, "rejected"},
        {{"submitted", Action::kReturn}, "returned"},
        {{"submitted", Action::kWithdraw}, "withdrawn"},
        {{"returned", Action::kResubmit}, "submitted"},
        {{"returned", Action::kWithdraw}, "withdrawn"},
        {{"approved", Action::kExpire}, "expired"},
    };
    const Action actions[] = {Action::kApprove,  Action::kReject,   Action::kReturn,
                              Action::kWithdraw, Action::kResubmit, Action::kExpire};
    for (const auto& state : States())
        for (Action a : actions) {
            auto next = NextState(state, a, false);
            auto it = allowed.find({state, a});
            if (it == allowed.end())
                EXPECT_FALSE(next) << state << " " << ActionName(a);
            else
                EXPECT_EQ(next, it->second) << state << " " << ActionName(a);
        }
    EXPECT_EQ(NextState("submitted", Action::kApprove, true), "approved");

    // Through the service: bring a request into each state and try every action.
    auto in_state = [&](const std::string& state) -> std::string {
        auto r = service_->Submit(As(applicant_), Trial());
        EXPECT_TRUE(r) << r.error().message;
        if (state == "approved") {
            EXPECT_TRUE(service_->Act(As(kacho_), r->id, Action::kApprove, ""));
            EXPECT_TRUE(service_->Act(As(bucho_), r->id, Action::kApprove, ""));
        } else if (state == "rejected") {
            EXPECT_TRUE(service_->Act(As(kacho_), r->id, Action::kReject, "不可"));
        } else if (state == "returned") {
            EXPECT_TRUE(service_->Act(As(kacho_), r->id, Action::kReturn, "期間を短く"));
        } else if (state == "withdrawn") {
            EXPECT_TRUE(service_->Act(As(applicant_), r->id, Action::kWithdraw, ""));
        }
        return r->id;
    };
    for (const std::string state : {"submitted", "returned", "approved", "rejected", "withdrawn"})
        for (Action a : {Action::kApprove, Action::kReject, Action::kReturn, Action::kWithdraw,
                         Action::kResubmit}) {
            const std::string id = in_state(state);
            // The right person for the action: the pending approver, or the applicant.
            const bool by_applicant = a == Action::kWithdraw || a == Action::kResubmit;
            const std::string who = by_applicant ? applicant_ : kacho_;
            auto r = a == Action::kResubmit ? service_->Resubmit(As(who), id, Trial(), "")
                                            : service_->Act(As(who), id, a, "理由");
            const bool ok = allowed.count({state, a}) > 0;
            if (ok) {
                EXPECT_TRUE(r) << state << " " << ActionName(a) << ": " << r.error().message;
            } else {
                ASSERT_FALSE(r) << state << " " << ActionName(a);
                EXPECT_EQ(r.error().kind, ErrorKind::kConflict) << state << " " << ActionName(a);
                EXPECT_EQ(r.error().code, "invalid_transition");
            }
        }
}

TEST_P(WorkflowTest, ReturnAndResubmitStartANewRound) {
    auto r = service_->Submit(As(applicant_), Trial());
    ASSERT_TRUE(r);
    ASSERT_TRUE(service_->Act(As(kacho_), r->id, Action::kApprove, ""));
    // Returning needs a reason.
    EXPECT_EQ(service_->Act(As(bucho_), r->id, Action::kReturn, " ").error().field, "comment");
    auto back = service_->Act(As(bucho_), r->id, Action::kReturn, "期間を見直してください");
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->state, "returned");
    // Only the applicant resubmits.
    EXPECT_EQ(service_->Resubmit(As(kacho_), r->id, Trial(), "").error().kind,
              ErrorKind::kForbidden);
    auto again = service_->Resubmit(As(applicant_), r->id, Trial(true), "見直しました");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->round, 2);
    EXPECT_EQ(again->state, "submitted");
    EXPECT_EQ(again->number, r->number);  // the number stays
    ASSERT_EQ(again->steps.size(), 3u);
    EXPECT_EQ(again->steps[0].approver_id, kacho_);
    EXPECT_EQ(Events("request.resubmit"), 1);
    auto history = service_->History(As(applicant_), r->id, 50);
    ASSERT_TRUE(history);
    EXPECT_EQ(history->size(), 4u);  // submit, approve, return, resubmit
}

TEST_P(WorkflowTest, ApprovalsExpireByThemselves) {
    auto r = service_->Submit(As(applicant_), Trial());
    ASSERT_TRUE(r);
    ASSERT_TRUE(service_->Act(As(kacho_), r->id, Action::kApprove, ""));
    ASSERT_TRUE(service_->Act(As(bucho_), r->id, Action::kApprove, ""));
    // Expiring soon (the type says 5 days): not on 1 December, listed from 5 December.
    clock_.Set(At("2026-12-01T01:00:00Z"));
    EXPECT_TRUE(service_->InboxOf(As(applicant_))->expiring.empty());
    clock_.Set(At("2026-12-05T01:00:00Z"));
    auto soon = service_->InboxOf(As(applicant_));
    ASSERT_TRUE(soon);
    ASSERT_EQ(soon->expiring.size(), 1u);
    EXPECT_EQ(soon->expiring[0].id, r->id);
    EXPECT_TRUE(service_->InboxOf(As(kacho_))->expiring.empty());  // the applicant's list
    clock_.Set(At("2026-12-10T14:00:00Z"));  // 23:00 on the last valid day, in Japan
    EXPECT_EQ(*service_->ExpireDue(), 0);
    clock_.Set(At("2026-12-10T15:30:00Z"));  // 00:30 the day after
    EXPECT_EQ(*service_->ExpireDue(), 1);
    EXPECT_EQ(service_->Get(As(applicant_), r->id)->state, "expired");
    EXPECT_EQ(Events("request.expire"), 1);
    EXPECT_EQ(*service_->ExpireDue(), 0);
}

TEST_P(WorkflowTest, BadFormsAreRefusedFieldByField) {
    auto field_of = [&](boost::json::object form) {
        NewRequest n = Trial();
        for (auto& kv : form) n.form[kv.key()] = kv.value();
        auto r = service_->Submit(As(applicant_), n);
        return r ? std::string("(accepted)") : r.error().field;
    };
    EXPECT_EQ(field_of({{"reason", ""}}), "form.reason");
    EXPECT_EQ(field_of({{"reason", "あ\nい"}}), "form.reason");
    EXPECT_EQ(field_of({{"reason", std::string(21, 'x')}}), "form.reason");
    EXPECT_EQ(field_of({{"period", {{"from", "2026-12-10"}, {"to", "2026-12-01"}}}}),
              "form.period");
    EXPECT_EQ(field_of({{"period", {{"from", "2026-12-01"}, {"to", "2027-01-31"}}}}),
              "form.period");  // longer than 30 days
    EXPECT_EQ(field_of({{"period", "2026-12-01"}}), "form.period");
    EXPECT_EQ(field_of({{"urgent", "yes"}}), "form.urgent");
    EXPECT_EQ(field_of({{"asset", "no-such-asset"}}), "form.asset");
    EXPECT_EQ(field_of({{"system", "no-such-system"}}), "form.system");
    EXPECT_EQ(field_of({{"kind", "c"}}), "form.kind");
    EXPECT_EQ(field_of({{"count", 11}}), "form.count");
    EXPECT_EQ(field_of({{"count", "3"}}), "form.count");
    EXPECT_EQ(field_of({{"control", "99-9"}}), "form.control");
    EXPECT_EQ(field_of({{"units", sec_}}), "form.units");  // not a list
    EXPECT_EQ(field_of({{"units", {sec_, "ghost"}}}), "form.units");
    EXPECT_EQ(field_of({{"notes", std::string(51, 'x')}}), "form.notes");
    EXPECT_EQ(field_of({{"on", "2026-02-30"}}), "form.on");
    EXPECT_EQ(field_of({{"evidence", {"no-such-upload"}}}), "form.evidence");
    EXPECT_EQ(field_of({{"evidence", "not-a-list"}}), "form.evidence");
    EXPECT_EQ(field_of({{"unknown", 1}}), "form.unknown");
    EXPECT_EQ(field_of({{"kind", "b"},
                        {"count", 3},
                        {"control", "9-4(1)"},
                        {"units", {sec_, other_}},
                        {"notes", "一行目\n二行目"},
                        {"on", "2026-12-01"}}),
              "(accepted)");
    EXPECT_EQ(service_->Submit(As(applicant_), {"nope", "件名", {}}).error().field, "type");
    NewRequest untitled = Trial();
    untitled.title = "";
    EXPECT_EQ(service_->Submit(As(applicant_), untitled).error().field, "title");
    EXPECT_EQ(Events("request.submit"), 1);  // only the accepted one
}

TEST_P(WorkflowTest, OnlyThoseConcernedSeeARequest) {
    auto r = service_->Submit(As(applicant_), Trial());
    ASSERT_TRUE(r);
    EXPECT_TRUE(service_->Get(As(applicant_), r->id));
    EXPECT_TRUE(service_->Get(As(kacho_), r->id));  // its approver
    EXPECT_EQ(service_->Get(As(outsider_), r->id).error().kind, ErrorKind::kNotFound);
    EXPECT_EQ(service_->Act(As(outsider_), r->id, Action::kWithdraw, "").error().kind,
              ErrorKind::kNotFound);
    EXPECT_TRUE(service_->Get(As(ciso_), r->id));  // requests.read everywhere
    auto list = service_->List(As(outsider_), {});
    ASSERT_TRUE(list) << list.error().message;
    EXPECT_TRUE(list->items.empty());
    auto all = service_->List(As(ciso_), {.type = "trial"});
    ASSERT_TRUE(all) << all.error().message;
    EXPECT_EQ(all->items.size(), 1u);
    EXPECT_EQ(service_->List(As(ciso_), {.state = "odd"}).error().field, "state");

    // Newest first, page by page.
    for (int i = 0; i < 4; ++i) {
        clock_.Advance(std::chrono::seconds(60));
        ASSERT_TRUE(service_->Submit(As(applicant_), Trial()));
    }
    std::vector<std::string> numbers;
    RequestFilter f{.mine = true, .limit = 2};
    for (int page = 0; page < 4; ++page) {
        auto r = service_->List(As(applicant_), f);
        ASSERT_TRUE(r) << r.error().message;
        for (const auto& q : r->items) numbers.push_back(q.number);
        if (r->next_cursor.empty()) break;
        f.cursor = r->next_cursor;
    }
    EXPECT_EQ(numbers, (std::vector<std::string>{"TRI-2026-0005", "TRI-2026-0004", "TRI-2026-0003",
                                                 "TRI-2026-0002", "TRI-2026-0001"}));
}

// Lists find a request by part of its number (any case) or title; its page names what the
// form refers to; a lookup gives names only, to anyone signed in.
TEST_P(WorkflowTest, SearchNamesAndLookup) {
    NewRequest a = Trial();
    a.title = "庁舎外での説明会 100% 参加";
    a.form["units"] = boost::json::array{sec_.c_str()};
    a.form["control"] = "9-4(1)";
    a.form["notes"] = "備考";
    ASSERT_TRUE(service_->Submit(As(applicant_), a));
    NewRequest b = Trial();
    b.title = "別件";
    ASSERT_TRUE(service_->Submit(As(applicant_), b));
    auto find = [&](const std::string& q) {
        RequestFilter f;
        f.mine = true;
        f.q = q;
        auto page = service_->List(As(applicant_), f);
        EXPECT_TRUE(page) << page.error().message;
        std::vector<std::string> numbers;
        if (page)
            for (const auto& r : page->items) numbers.push_back(r.number);
        return numbers;
    };
    EXPECT_EQ(find("説明会"), std::vector<std::string>{"TRI-2026-0001"});
    EXPECT_EQ(find("tri-2026-0002"), std::vector<std::string>{"TRI-2026-0002"});
    EXPECT_EQ(find("100%"), std::vector<std::string>{"TRI-2026-0001"});  // % is a character
    EXPECT_EQ(find("1_0"), std::vector<std::string>{});                  // and so is _
    EXPECT_EQ(find("").size(), 2u);

    auto page = service_->List(As(applicant_), {});
    ASSERT_TRUE(page);
    EXPECT_EQ(page->items.at(0).unit_name, "総務課");
    std::string first;  // both were made at the same instant: find TRI-2026-0001 by number
    for (const auto& r : page->items)
        if (r.number == "TRI-2026-0001") first = r.id;
    auto got = service_->Get(As(applicant_), first);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->unit_name, "総務課");
    EXPECT_EQ(got->names.at(sec_), "総務課");
    EXPECT_NE(std::string(got->names.at("9-4(1)").as_string()).find("9-4(1) "), std::string::npos);

    auto people = Lookup(*db_, As(outsider_), LookupKind::kPerson, "課長", 20);
    ASSERT_TRUE(people) << people.error().message;
    ASSERT_EQ(people->size(), 1u);
    EXPECT_EQ((*people)[0].id, kacho_);
    EXPECT_EQ((*people)[0].name, "総務 課長");
    EXPECT_EQ((*people)[0].detail, "総務課");
    auto units = Lookup(*db_, As(outsider_), LookupKind::kUnit, "", 20);
    ASSERT_TRUE(units);
    EXPECT_EQ(units->size(), 3u);
    EXPECT_EQ(Lookup(*db_, Context{}, LookupKind::kUnit, "", 20).error().kind,
              ErrorKind::kUnauthenticated);
}

TEST_P(WorkflowTest, NumbersAreNeverDuplicatedUnderConcurrency) {
    constexpr int kThreads = 4, kEach = 5;
    std::vector<std::thread> threads;
    std::vector<std::string> numbers[kThreads];
    const Context applicant = As(applicant_);
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                auto r = service_->Submit(applicant, Trial());
                if (r) numbers[t].push_back(r->number);
            }
        });
    for (auto& t : threads) t.join();
    std::set<std::string> all;
    std::size_t count = 0;
    for (const auto& n : numbers) {
        count += n.size();
        all.insert(n.begin(), n.end());
    }
    EXPECT_EQ(count, static_cast<std::size_t>(kThreads * kEach));
    EXPECT_EQ(all.size(), count);
    EXPECT_EQ(*all.rbegin(), "TRI-2026-0020");
}

// Uploads: stored with their hash, named in a form, linked to the request, readable by
// those who may read the request, refused when they are not the applicant's own, checked
// against their hash when read, and discarded when no request named them within a day.
TEST_P(WorkflowTest, AttachmentsAreKeptWithTheirHash) {
    const auto dir = std::filesystem::temp_directory_path() / ("mamori-att-" + service::NewId());
    AttachmentStore files(*db_, clock_, dir, 1024);
    const std::string pdf = "%PDF-1.7\n% 根拠の資料\n%%EOF\n";

    auto up = files.Upload(As(applicant_), "根拠 資料.pdf", pdf);
    ASSERT_TRUE(up) << up.error().message;
    EXPECT_EQ(up->sha256, crypto::Sha256Hex(pdf));
    EXPECT_EQ(up->content_type, "application/pdf");
    EXPECT_EQ(up->size_bytes, static_cast<std::int64_t>(pdf.size()));
    auto ev = db_->Query(
        "SELECT summary FROM audit_events WHERE action = 'attachment.upload' AND object_id = ?",
        {up->id});
    ASSERT_TRUE(ev);
    ASSERT_EQ(ev->rows.size(), 1u);
    EXPECT_NE(ev->rows[0].Text(0).find(up->sha256), std::string::npos);

    // Bad uploads change nothing.
    EXPECT_EQ(files.Upload(As(applicant_), "big.pdf", std::string(1025, '%')).error().kind,
              ErrorKind::kTooLarge);
    EXPECT_EQ(files.Upload(As(applicant_), "../x.pdf", pdf).error().field, "filename");
    EXPECT_EQ(files.Upload(As(applicant_), "", pdf).error().field, "filename");
    EXPECT_EQ(files.Upload(As(applicant_), "x.pdf", "").error().field, "body");
    EXPECT_EQ(files.Upload(As(applicant_), "x.png", pdf).error().code, "unsupported_media_type");
    EXPECT_EQ(Events("attachment.upload"), 1);

    // Someone else's upload cannot be named; one's own can, and is then linked.
    auto theirs = files.Upload(As(outsider_), "other.pdf", pdf);
    ASSERT_TRUE(theirs);
    NewRequest n = Trial();
    n.form["evidence"] = boost::json::array{theirs->id.c_str()};
    EXPECT_EQ(service_->Submit(As(applicant_), n).error().field, "form.evidence");
    n.form["evidence"] = boost::json::array{up->id.c_str()};
    auto q = service_->Submit(As(applicant_), n);
    ASSERT_TRUE(q) << q.error().message;
    auto linked = files.OfRequest(q->id);
    ASSERT_TRUE(linked);
    ASSERT_EQ(linked->size(), 1u);
    EXPECT_EQ((*linked)[0].sha256, up->sha256);
    auto submit = db_->Query(
        "SELECT summary FROM audit_events WHERE action = 'request.submit' AND object_id = ?",
        {q->id});
    ASSERT_TRUE(submit);
    EXPECT_NE(submit->rows.at(0).Text(0).find(up->sha256), std::string::npos);
    // A file named by one request cannot be named by another.
    EXPECT_EQ(service_->Submit(As(applicant_), n).error().field, "form.evidence");

    // Read: the applicant and the approver; not someone unconcerned (404, as if absent).
    auto mine = files.Read(As(applicant_), up->id, RequestVisibility(*service_));
    ASSERT_TRUE(mine) << mine.error().message;
    EXPECT_EQ(mine->content, pdf);
    EXPECT_TRUE(files.Read(As(kacho_), up->id, RequestVisibility(*service_)));
    EXPECT_EQ(files.Read(As(outsider_), up->id, RequestVisibility(*service_)).error().kind,
              ErrorKind::kNotFound);
    EXPECT_EQ(files.Read(As(applicant_), theirs->id, RequestVisibility(*service_)).error().kind,
              ErrorKind::kNotFound);

    // A file changed on disk no longer matches its hash and is not served.
    {
        std::ofstream out(dir / up->id.substr(0, 2) / up->id, std::ios::binary | std::ios::app);
        out << "changed";
    }
    EXPECT_EQ(files.Read(As(applicant_), up->id, RequestVisibility(*service_)).error().kind,
              ErrorKind::kInternal);

    // At most kMaxPendingUploads unattached files per person.
    for (int i = 1; i < AttachmentStore::kMaxPendingUploads; ++i)
        ASSERT_TRUE(files.Upload(As(outsider_), "more.pdf", pdf));
    EXPECT_EQ(files.Upload(As(outsider_), "one-too-many.pdf", pdf).error().code,
              "too_many_uploads");

    // A day later the unattached uploads are discarded, file and row; the linked one stays.
    clock_.Set(clock_.Now() + std::chrono::hours(25));
    auto gone = files.DiscardUnattached();
    ASSERT_TRUE(gone) << gone.error().message;
    EXPECT_EQ(*gone, AttachmentStore::kMaxPendingUploads);
    EXPECT_FALSE(std::filesystem::exists(dir / theirs->id.substr(0, 2) / theirs->id));
    EXPECT_TRUE(std::filesystem::exists(dir / up->id.substr(0, 2) / up->id));
    EXPECT_EQ(Events("attachment.discard"), AttachmentStore::kMaxPendingUploads);
    std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkflowTest,
                         ::testing::Values(store::Backend::kSqlite, store::Backend::kPostgresql),
                         [](const auto& info) {
                             return info.param == store::Backend::kSqlite ? "Sqlite" : "Postgresql";
                         });

}  // namespace
}  // namespace mamori::workflow

namespace mamori::workflow {
namespace {

constexpr std::string_view kPdfBytes = "%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n";

TEST(AttachmentKindTest, TheFirstBytesMustAgreeWithTheName) {
    EXPECT_EQ(DetectKind("報告書.PDF", kPdfBytes)->content_type, "application/pdf");
    EXPECT_EQ(DetectKind("写真.jpg", "\xFF\xD8\xFF\xE0rest")->content_type, "image/jpeg");
    EXPECT_EQ(DetectKind("一覧.xlsx", std::string("PK\x03\x04", 4) + "zip")->content_type,
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    EXPECT_EQ(DetectKind("古い.doc", std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + "x")
                  ->content_type,
              "application/msword");
    // A program, a page of HTML, a PDF named as an image, a name without an extension.
    for (auto [name, content] :
         std::vector<std::pair<std::string, std::string>>{{"setup.exe", "MZ\x90"},
                                                          {"page.html", "<html>"},
                                                          {"picture.png", std::string(kPdfBytes)},
                                                          {"README", std::string(kPdfBytes)}}) {
        auto k = DetectKind(name, content);
        ASSERT_FALSE(k) << name;
        EXPECT_EQ(k.error().code, "unsupported_media_type") << name;
    }
}

}  // namespace
}  // namespace mamori::workflow
