#include "org/org_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <set>

#include "auth/password.h"
#include "core/principal.h"
#include "org/access.h"
#include "org/demo.h"
#include "org/import.h"
#include "org/separation.h"
#include "support/test_database.h"

namespace mamori::org {
namespace {

constexpr const char* kPassword = "Sakura-2026!";

Clock::TimePoint At(const char* rfc3339) {
    std::tm tm{};
    strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

/// One argon2id hash shared by the people the tests create (hashing is slow under ASan).
const std::string& SharedHash() {
    static const std::string hash = *auth::HashPassword(kPassword);
    return hash;
}

TEST(UnitTreeTest, ContainsSubtreeAncestors) {
    UnitTree t({{"d", "部", "department", "", "active"},
                {"s1", "一課", "section", "d", "active"},
                {"s2", "二課", "section", "d", "active"},
                {"t", "係", "team", "s1", "active"}});
    EXPECT_TRUE(t.Contains("d", "t"));
    EXPECT_TRUE(t.Contains("s1", "s1"));
    EXPECT_FALSE(t.Contains("s2", "t"));
    EXPECT_FALSE(t.Contains("", "t"));
    EXPECT_EQ(t.Subtree("s1"), (std::vector<std::string>{"s1", "t"}));
    EXPECT_EQ(t.Ancestors("t"), (std::vector<std::string>{"t", "s1", "d"}));
}

TEST(AccessTest, SubtreeOrganisationAndNone) {
    const auto& catalog = RoleCatalog::Builtin();
    Access access(catalog, UnitTree({{"d", "部", "department", "", "active"},
                                     {"s1", "一課", "section", "d", "active"},
                                     {"s2", "二課", "section", "d", "active"},
                                     {"x", "他部", "department", "", "active"}}));
    Principal manager;
    manager.grants = {{"staff", "s1"}, {"section_manager", "s1"}};
    EXPECT_TRUE(access.Can(manager, "org.read", "s1"));
    EXPECT_FALSE(access.Can(manager, "org.read", "s2"));
    EXPECT_FALSE(access.Can(manager, "org.read", "d"));
    EXPECT_FALSE(access.Can(manager, "org.manage", "s1"));
    EXPECT_EQ(access.VisibleUnits(manager, "org.read").units, (std::vector<std::string>{"s1"}));

    Principal officer;
    officer.grants = {{"department_officer", "d"}};
    EXPECT_TRUE(access.Can(officer, "org.read", "s2"));
    EXPECT_FALSE(access.Can(officer, "org.read", "x"));

    Principal ciso;
    ciso.grants = {{"ciso", ""}};
    EXPECT_TRUE(access.Can(ciso, "org.read", "x"));
    EXPECT_TRUE(access.Can(ciso, "org.read", ""));
    EXPECT_TRUE(access.VisibleUnits(ciso, "org.read").all);
    EXPECT_FALSE(access.Can(ciso, "org.manage", "x"));

    Principal staff;
    staff.grants = {{"staff", "s1"}};
    EXPECT_FALSE(access.Can(staff, "org.read", "s1"));
    EXPECT_TRUE(access.VisibleUnits(staff, "org.read").units.empty());

    Principal forged;  // a platform_admin grant without the person flag grants nothing
    forged.grants = {{"platform_admin", ""}};
    EXPECT_FALSE(access.Can(forged, "org.manage", "s1"));
    Principal admin;
    admin.platform_admin = true;
    EXPECT_TRUE(access.Can(admin, "org.manage", "s1"));
    EXPECT_FALSE(access.Can(admin, "audit.read", "s1"));
}

TEST(SeparationTest, OverlapsAndSelfApproval) {
    EXPECT_TRUE(Overlaps({"2026-04-01", std::nullopt}, {"2027-01-01", std::nullopt}));
    EXPECT_TRUE(Overlaps({"2026-04-01", "2026-12-31"}, {"2026-12-31", std::nullopt}));
    EXPECT_FALSE(Overlaps({"2026-04-01", "2026-12-30"}, {"2026-12-31", std::nullopt}));
    EXPECT_FALSE(Separation::CheckNotSelfApproval("p1", "p1"));
    EXPECT_EQ(Separation::CheckNotSelfApproval("p1", "p1").error().kind, ErrorKind::kRuleViolation);
    EXPECT_TRUE(Separation::CheckNotSelfApproval("p1", "p2"));
}

TEST(TodayJstTest, ShiftsNineHours) {
    EXPECT_EQ(TodayJst(At("2026-11-27T14:59:59Z")), "2026-11-27");
    EXPECT_EQ(TodayJst(At("2026-11-27T15:00:00Z")), "2026-11-28");
}

class OrgStoreTest : public ::testing::TestWithParam<store::Backend> {
  protected:
    void SetUp() override {
        test_db_ = std::make_unique<mamori::testing::TestDatabase>(GetParam());
        ASSERT_TRUE(test_db_->ok());
        db_ = &test_db_->db();
        service_ = std::make_unique<OrgService>(*db_, clock_, RoleCatalog::Builtin(),
                                                auth::PasswordPolicy{});
        admin_.username = "admin";
        admin_.platform_admin = true;
        admin_.grants = {{"platform_admin", ""}};
        admin_.permissions = {"accounts.manage", "org.manage", "org.read"};
        admin_.session_stage = "full";
    }
    void TearDown() override {
        service_.reset();
        db_ = nullptr;
        test_db_.reset();
    }

    Context Admin() { return {&admin_, "req", "127.0.0.1"}; }
    std::int64_t Events() {
        auto r = db_->Query("SELECT COUNT(*) FROM audit_events");
        return r ? r->rows[0].Int(0) : -1;
    }
    std::string Unit(const std::string& name, const std::string& kind,
                     const std::string& parent = "") {
        auto u = service_->CreateUnit(Admin(), {name, kind, parent});
        EXPECT_TRUE(u) << u.error().message;
        return u ? u->id : "";
    }
    std::string Person(const std::string& username, const std::string& unit) {
        NewPerson p;
        p.username = username;
        p.display_name = "試験 太郎";
        p.reading = "しけん たろう";
        p.unit_id = unit;
        p.password_hash = SharedHash();
        auto r = service_->CreatePerson(Admin(), p);
        EXPECT_TRUE(r) << r.error().message;
        return r ? r->id : "";
    }
    std::string Appoint(const std::string& person, const std::string& role, const std::string& unit,
                        const std::string& from = "2026-04-01",
                        std::optional<std::string> to = std::nullopt) {
        auto r = service_->CreateAppointment(Admin(), {person, role, unit, from, to});
        EXPECT_TRUE(r) << r.error().message;
        return r ? r->id : "";
    }
    Principal As(const std::string& person_id) {
        auto p = LoadPrincipal(*db_, RoleCatalog::Builtin(), person_id, "2026-11-27");
        EXPECT_TRUE(p) << p.error().message;
        return p ? *p : Principal{};
    }

    FixedClock clock_{At("2026-11-27T03:00:00Z")};
    std::unique_ptr<mamori::testing::TestDatabase> test_db_;
    store::Database* db_ = nullptr;
    std::unique_ptr<OrgService> service_;
    Principal admin_;
};

TEST_P(OrgStoreTest, UnitTreeRules) {
    auto ctx = Admin();
    auto bad = service_->CreateUnit(ctx, {"課だけ", "section", ""});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().field, "parent_id");
    const std::string dept = Unit("総務部", "department");
    const std::string other = Unit("建設部", "department");
    EXPECT_EQ(Events(), 2);
    auto dept_with_parent = service_->CreateUnit(ctx, {"部", "department", dept});
    ASSERT_FALSE(dept_with_parent);
    EXPECT_EQ(dept_with_parent.error().field, "parent_id");
    auto team_under_dept = service_->CreateUnit(ctx, {"係", "team", dept});
    ASSERT_FALSE(team_under_dept);
    EXPECT_EQ(team_under_dept.error().kind, ErrorKind::kInvalidInput);
    auto bad_kind = service_->CreateUnit(ctx, {"室", "office", ""});
    ASSERT_FALSE(bad_kind);
    EXPECT_EQ(bad_kind.error().field, "kind");
    const std::string section = Unit("情報政策課", "section", dept);
    const std::string team = Unit("システム係", "team", section);
    auto dup = service_->CreateUnit(ctx, {"情報政策課", "section", dept});
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().kind, ErrorKind::kConflict);
    EXPECT_EQ(Events(), 4);

    // Move: a section under another department; never under a section or into itself.
    auto moved = service_->MoveUnit(ctx, section, other);
    ASSERT_TRUE(moved) << moved.error().message;
    EXPECT_EQ(moved->parent_id, other);
    EXPECT_EQ(Events(), 5);
    auto under_team = service_->MoveUnit(ctx, section, team);
    ASSERT_FALSE(under_team);
    EXPECT_EQ(under_team.error().field, "parent_id");
    auto renamed = service_->RenameUnit(ctx, section, "デジタル推進課");
    ASSERT_TRUE(renamed);
    EXPECT_EQ(Events(), 6);

    // Close: refused with active children or members; a closed unit keeps its record.
    auto with_children = service_->CloseUnit(ctx, section, "2026-11-27");
    ASSERT_FALSE(with_children);
    EXPECT_EQ(with_children.error().code, "unit_has_children");
    Person("member", team);
    auto with_members = service_->CloseUnit(ctx, team, "2026-11-27");
    ASSERT_FALSE(with_members);
    EXPECT_EQ(with_members.error().code, "unit_has_members");
    const std::string empty_team = Unit("空き係", "team", section);
    const auto before = Events();
    auto future = service_->CloseUnit(ctx, empty_team, "2027-03-31");
    ASSERT_FALSE(future) << "a unit cannot be closed on a day still to come";
    EXPECT_EQ(future.error().field, "closed_on");
    auto before_registered = service_->CloseUnit(ctx, empty_team, "2020-04-01");
    ASSERT_FALSE(before_registered);
    EXPECT_EQ(before_registered.error().field, "closed_on");
    auto closed = service_->CloseUnit(ctx, empty_team, "2026-11-27");
    ASSERT_TRUE(closed) << closed.error().message;
    EXPECT_EQ(closed->status, "closed");
    EXPECT_EQ(Events(), before + 1);
    auto again = service_->RenameUnit(ctx, empty_team, "別名");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, "unit_closed");
    auto under_closed = service_->CreateUnit(ctx, {"新係", "team", empty_team});
    EXPECT_FALSE(under_closed);

    auto list = service_->ListUnits(ctx, {.status = "active"});
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 4u);  // 建設部 > デジタル推進課 > システム係, 総務部
    EXPECT_EQ((*list)[0].name, "建設部");
    EXPECT_EQ((*list)[1].depth, 1);
    EXPECT_EQ((*list)[2].depth, 2);
}

TEST_P(OrgStoreTest, PersonValidationNamesTheField) {
    const std::string unit = Unit("総務部", "department");
    const auto before = Events();
    auto attempt = [&](auto tweak) {
        NewPerson p{"yamada", "山田 花子", "やまだ はなこ", "hanako@example.jp",
                    unit,     "regular",   kPassword,       "",
                    true};
        tweak(p);
        auto r = service_->CreatePerson(Admin(), p);
        EXPECT_FALSE(r);
        return r ? std::string("(accepted)") : r.error().field;
    };
    EXPECT_EQ(attempt([](NewPerson& p) { p.username = "Ya"; }), "username");
    EXPECT_EQ(attempt([](NewPerson& p) { p.username = "yamada hanako"; }), "username");
    EXPECT_EQ(attempt([](NewPerson& p) { p.display_name = "\u3000"; }), "display_name");
    EXPECT_EQ(attempt([](NewPerson& p) { p.display_name = std::string(101, 'a'); }),
              "display_name");
    EXPECT_EQ(attempt([](NewPerson& p) { p.reading = "山田"; }), "reading");
    EXPECT_EQ(attempt([](NewPerson& p) { p.email = "hanako.example.jp"; }), "email");
    EXPECT_EQ(attempt([](NewPerson& p) { p.employment_type = "part_time"; }), "employment_type");
    EXPECT_EQ(attempt([](NewPerson& p) { p.password = "short"; }), "password");
    EXPECT_EQ(attempt([](NewPerson& p) { p.unit_id = "nowhere"; }), "unit_id");
    EXPECT_EQ(Events(), before);
    auto none = db_->Query("SELECT COUNT(*) FROM people");
    EXPECT_EQ(none->rows[0].Int(0), 0);

    // A valid one with a real password: hashed, temporary, in the history, audited once.
    NewPerson ok{"yamada", "山田 花子",   "ヤマダ ハナコ", "hanako@example.jp",
                 unit,     "fiscal_year", kPassword,       "",
                 true};
    auto made = service_->CreatePerson(Admin(), ok);
    ASSERT_TRUE(made) << made.error().message;
    EXPECT_TRUE(made->must_change_password);
    EXPECT_EQ(Events(), before + 1);
    auto row = db_->Query(
        "SELECT password_hash, (SELECT COUNT(*) FROM password_history h WHERE h.person_id = "
        "people.id) FROM people WHERE id = ?",
        {made->id});
    EXPECT_TRUE(auth::VerifyPassword(kPassword, row->rows[0].Text(0)));
    EXPECT_EQ(row->rows[0].Int(1), 1);
    auto event = db_->Query("SELECT summary FROM audit_events ORDER BY seq DESC LIMIT 1");
    EXPECT_EQ(event->rows[0].Text(0).find("argon2"), std::string::npos);
    auto dup = service_->CreatePerson(Admin(), ok);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().kind, ErrorKind::kConflict);
}

TEST_P(OrgStoreTest, LeaveEndsAppointmentsAndSessions) {
    const std::string dept = Unit("総務部", "department");
    const std::string section = Unit("総務課", "section", dept);
    const std::string person = Person("tanaka", section);
    const std::string current = Appoint(person, "section_manager", section);
    const std::string future = Appoint(person, "csirt_member", "", "2027-04-01");
    const std::string past = Appoint(person, "system_staff", section, "2025-04-01", "2026-03-31");
    ASSERT_TRUE(db_->Transact([&](store::Tx& tx) {
        return tx.Exec(
            "INSERT INTO sessions (token_hash, person_id, csrf_token, stage, created_at, "
            "last_seen_at, expires_at) VALUES ('h1', ?, 'c', 'full', 'x', 'x', 'x')",
            {person});
    }));
    const auto before = Events();
    auto left = service_->LeavePerson(Admin(), person, "2026-12-31");
    ASSERT_TRUE(left) << left.error().message;
    EXPECT_EQ(left->status, "left");
    EXPECT_EQ(Events(), before + 1);
    auto ends = [&](const std::string& id) {
        return db_->Query("SELECT ends_on FROM appointments WHERE id = ?", {id})->rows[0].Text(0);
    };
    EXPECT_EQ(ends(current), "2026-12-31");
    EXPECT_EQ(ends(future), "2026-12-31");  // never takes effect
    EXPECT_EQ(ends(past), "2026-03-31");    // history untouched
    auto sessions = db_->Query("SELECT COUNT(*) FROM sessions WHERE person_id = ?", {person});
    EXPECT_EQ(sessions->rows[0].Int(0), 0);
    auto principal = LoadPrincipal(*db_, RoleCatalog::Builtin(), person, "2026-11-27");
    ASSERT_FALSE(principal);
    EXPECT_EQ(principal.error().kind, ErrorKind::kUnauthenticated);
    auto twice = service_->LeavePerson(Admin(), person, "2026-12-31");
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().kind, ErrorKind::kConflict);
    auto appoint_left =
        service_->CreateAppointment(Admin(), {person, "staff", section, "2027-01-01", {}});
    EXPECT_FALSE(appoint_left);
}

TEST_P(OrgStoreTest, AccountActions) {
    const std::string unit = Unit("総務部", "department");
    const std::string person = Person("suzuki", unit);
    ASSERT_TRUE(db_->Transact([&](store::Tx& tx) {
        return tx.Exec("UPDATE people SET failed_logins = 5, locked_until = ? WHERE id = ?",
                       {"2026-11-27T04:00:00Z", person});
    }));
    auto got = service_->GetPerson(Admin(), person);
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->locked);
    auto before = Events();
    auto unlocked = service_->UnlockPerson(Admin(), person);
    ASSERT_TRUE(unlocked);
    EXPECT_FALSE(unlocked->locked);
    EXPECT_EQ(Events(), before + 1);
    auto suspended = service_->SuspendPerson(Admin(), person);
    ASSERT_TRUE(suspended);
    EXPECT_EQ(suspended->status, "suspended");
    EXPECT_FALSE(service_->SuspendPerson(Admin(), person));
    ASSERT_TRUE(service_->ReactivatePerson(Admin(), person));
    auto weak = service_->ResetPassword(Admin(), person, "password");
    ASSERT_FALSE(weak);
    EXPECT_EQ(weak.error().field, "password");
    before = Events();
    auto reset = service_->ResetPassword(Admin(), person, "Kaede#2027x");
    ASSERT_TRUE(reset) << reset.error().message;
    EXPECT_TRUE(reset->must_change_password);
    EXPECT_EQ(Events(), before + 1);
    auto updated = service_->UpdatePerson(
        Admin(), person, {.display_name = "鈴木 一郎", .email = "ichiro@example.jp"});
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(updated->display_name, "鈴木 一郎");
    EXPECT_EQ(Events(), before + 2);
}

TEST_P(OrgStoreTest, IncompatibleRolesAreRefusedWithTheRuleName) {
    const std::string unit = Unit("監査室", "department");
    const std::string person = Person("kansa", unit);
    Appoint(person, "auditor", "", "2026-04-01", "2026-12-31");
    const auto before = Events();
    auto clash = service_->CreateAppointment(Admin(), {person, "ciso", "", "2026-10-01", {}});
    ASSERT_FALSE(clash);
    EXPECT_EQ(clash.error().kind, ErrorKind::kRuleViolation);
    EXPECT_EQ(clash.error().code, "separation_of_duties");
    EXPECT_EQ(clash.error().field, "role");
    EXPECT_NE(clash.error().message.find("監査人と CISO の兼務禁止"), std::string::npos)
        << clash.error().message;
    EXPECT_EQ(Events(), before);
    // After the auditor appointment ends, the other role may begin.
    auto later = service_->CreateAppointment(Admin(), {person, "ciso", "", "2027-01-01", {}});
    EXPECT_TRUE(later) << later.error().message;

    auto admin_role =
        service_->CreateAppointment(Admin(), {person, "platform_admin", "", "2026-04-01", {}});
    ASSERT_FALSE(admin_role);
    EXPECT_EQ(admin_role.error().field, "role");
    auto no_unit =
        service_->CreateAppointment(Admin(), {person, "section_manager", "", "2026-04-01", {}});
    ASSERT_FALSE(no_unit);
    EXPECT_EQ(no_unit.error().field, "unit_id");
    auto backwards = service_->CreateAppointment(
        Admin(), {person, "staff", unit, "2026-04-01", std::string("2026-03-01")});
    ASSERT_FALSE(backwards);
    EXPECT_EQ(backwards.error().field, "ends_on");
}

TEST_P(OrgStoreTest, ResolveApprover) {
    const std::string dept = Unit("市民生活部", "department");
    const std::string section = Unit("市民課", "section", dept);
    const std::string team = Unit("窓口係", "team", section);
    const std::string vacant = Unit("税務課", "section", dept);
    const std::string kacho = Person("kacho", section);
    const std::string bucho = Person("bucho", dept);
    const std::string clerk = Person("clerk", team);
    const std::string ciso = Person("ciso", dept);
    Appoint(kacho, "section_manager", section);
    Appoint(bucho, "department_officer", dept);
    Appoint(ciso, "ciso", "");
    const Separation& sep = service_->separation();

    auto normal = sep.ResolveApprover(clerk, "section_manager", "", "2026-11-27");
    ASSERT_TRUE(normal) << normal.error().message;
    EXPECT_EQ(normal->person_id, kacho);  // found by walking up from the team
    EXPECT_FALSE(normal->escalated);

    auto self = sep.ResolveApprover(kacho, "section_manager", "", "2026-11-27");
    ASSERT_TRUE(self) << self.error().message;
    EXPECT_EQ(self->person_id, bucho);
    EXPECT_EQ(self->role, "department_officer");
    EXPECT_TRUE(self->escalated);
    ASSERT_EQ(self->steps.size(), 1u);
    EXPECT_EQ(self->steps[0].reason, "applicant");

    auto vacancy = sep.ResolveApprover(clerk, "section_manager", vacant, "2026-11-27");
    ASSERT_TRUE(vacancy);
    EXPECT_EQ(vacancy->person_id, bucho);
    EXPECT_EQ(vacancy->steps[0].reason, "vacant");

    // The department officer applies: section manager vacant above them, they are the
    // department officer, general manager vacant → CISO.
    auto climb = sep.ResolveApprover(bucho, "section_manager", "", "2026-11-27");
    ASSERT_TRUE(climb);
    EXPECT_EQ(climb->person_id, ciso);
    EXPECT_EQ(climb->steps.size(), 3u);

    auto top = sep.ResolveApprover(ciso, "ciso", "", "2026-11-27");
    ASSERT_FALSE(top);
    EXPECT_EQ(top.error().code, "no_approver");

    // Before any appointment began, every role is vacant.
    auto before_start = sep.ResolveApprover(clerk, "section_manager", "", "2025-01-01");
    ASSERT_FALSE(before_start);
    EXPECT_EQ(before_start.error().code, "no_approver");
}

TEST_P(OrgStoreTest, AuditorIndependence) {
    const std::string dept = Unit("総務部", "department");
    const std::string audit_office = Unit("監査室", "section", dept);
    const std::string section = Unit("人事課", "section", dept);
    const std::string other_dept = Unit("建設部", "department");
    const std::string auditor = Person("kansa", audit_office);
    Appoint(auditor, "auditor", "");
    const Separation& sep = service_->separation();
    EXPECT_TRUE(sep.CheckAuditorIndependence(auditor, other_dept, "2026-11-27"));
    EXPECT_TRUE(sep.CheckAuditorIndependence(auditor, section, "2026-11-27"));
    auto own = sep.CheckAuditorIndependence(auditor, dept, "2026-11-27");  // belongs below
    ASSERT_FALSE(own);
    EXPECT_EQ(own.error().code, "auditor_not_independent");
    EXPECT_EQ(own.error().kind, ErrorKind::kRuleViolation);

    Appoint(auditor, "system_staff", other_dept);
    auto holds = sep.CheckAuditorIndependence(auditor, other_dept, "2026-11-27");
    ASSERT_FALSE(holds);
    EXPECT_EQ(holds.error().code, "auditor_not_independent");

    const std::string bucho = Person("bucho", dept);
    Appoint(bucho, "department_officer", dept);
    EXPECT_FALSE(sep.CheckAuditorIndependence(bucho, section, "2026-11-27"));  // manages it
}

TEST_P(OrgStoreTest, AccessScopingAndRefusalsChangeNothing) {
    const std::string dept = Unit("健康福祉部", "department");
    const std::string a = Unit("福祉課", "section", dept);
    const std::string b = Unit("健康推進課", "section", dept);
    const std::string kacho = Person("kacho", a);
    const std::string bucho = Person("bucho", dept);
    const std::string staff = Person("staff", b);
    Appoint(kacho, "section_manager", a);
    Appoint(bucho, "department_officer", dept);

    Principal pk = As(kacho);
    EXPECT_TRUE(pk.Has("org.read"));
    EXPECT_FALSE(pk.Has("org.manage"));
    Context ck{&pk, "r", ""};
    EXPECT_TRUE(service_->GetPerson(ck, kacho));
    auto other = service_->GetPerson(ck, staff);
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().kind, ErrorKind::kForbidden);
    auto list = service_->ListPeople(ck, {});
    ASSERT_TRUE(list);
    ASSERT_EQ(list->items.size(), 1u);
    EXPECT_EQ(list->items[0].username, "kacho");

    Principal pb = As(bucho);
    Context cb{&pb, "r", ""};
    auto dept_list = service_->ListPeople(cb, {});
    ASSERT_TRUE(dept_list);
    EXPECT_EQ(dept_list->items.size(), 3u);

    Principal ps = As(staff);
    EXPECT_EQ(ps.permissions, std::vector<std::string>{"assets.read"});  // no org.read
    Context cs{&ps, "r", ""};
    EXPECT_EQ(service_->ListPeople(cs, {}).error().kind, ErrorKind::kForbidden);

    // Refused changes: nothing written, no audit event.
    const auto before = Events();
    auto unit = service_->CreateUnit(ck, {"新課", "section", dept});
    ASSERT_FALSE(unit);
    EXPECT_EQ(unit.error().kind, ErrorKind::kForbidden);
    EXPECT_FALSE(service_->SuspendPerson(ck, staff));
    EXPECT_FALSE(service_->UnlockPerson(cb, staff));
    EXPECT_FALSE(service_->CreateAppointment(ck, {staff, "csirt_member", "", "2026-04-01", {}}));
    EXPECT_FALSE(service_->CloseUnit(cb, b, "2026-11-27"));
    EXPECT_FALSE(service_->CreateUnit(Context{}, {"x", "department", ""}));
    EXPECT_EQ(Events(), before);
    auto units = db_->Query("SELECT COUNT(*) FROM units");
    EXPECT_EQ(units->rows[0].Int(0), 3);
}

TEST_P(OrgStoreTest, LoadPrincipalGrants) {
    const std::string dept = Unit("総務部", "department");
    const std::string person = Person("gm01", dept);
    Appoint(person, "general_manager", "");
    Appoint(person, "department_officer", dept, "2027-04-01");  // not yet
    Principal p = As(person);
    EXPECT_EQ(p.username, "gm01");
    ASSERT_EQ(p.grants.size(), 2u);
    EXPECT_EQ(p.grants[0].role, "staff");
    EXPECT_EQ(p.grants[0].unit_id, dept);
    EXPECT_EQ(p.grants[1].role, "general_manager");
    EXPECT_EQ(p.permissions,
              (std::vector<std::string>{"assets.read", "audit.read", "exceptions.read",
                                        "exceptions.review", "incidents.manage", "incidents.read",
                                        "org.read", "policy.acknowledgements.read", "policy.manage",
                                        "requests.read"}));
}

TEST_P(OrgStoreTest, PagingByUsername) {
    const std::string unit = Unit("総務部", "department");
    for (int i = 0; i < 25; ++i) Person("user" + std::to_string(100 + i), unit);
    std::vector<std::string> seen;
    std::string cursor;
    int pages = 0;
    do {
        auto page = service_->ListPeople(Admin(), {.cursor = cursor, .limit = 10});
        ASSERT_TRUE(page) << page.error().message;
        for (const auto& p : page->items) seen.push_back(p.username);
        cursor = page->next_cursor;
        ++pages;
    } while (!cursor.empty());
    EXPECT_EQ(pages, 3);
    ASSERT_EQ(seen.size(), 25u);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    auto search = service_->ListPeople(Admin(), {.q = "user11"});
    ASSERT_TRUE(search);
    EXPECT_EQ(search->items.size(), 10u);
    auto wildcard = service_->ListPeople(Admin(), {.q = "%"});
    EXPECT_TRUE(wildcard->items.empty());
    EXPECT_FALSE(service_->ListPeople(Admin(), {.cursor = "NOT VALID"}));
}

TEST_P(OrgStoreTest, CsvImportIsAllOrNothing) {
    const std::string dept = Unit("総務部", "department");
    Unit("情報政策課", "section", dept);
    Person("taken", dept);
    const auto before = Events();
    const std::string bad =
        "ユーザー名,氏名,よみ,メール,所属,雇用形態,初期パスワード\r\n"
        "sato,佐藤 一郎,さとう いちろう,sato@example.jp,総務部/情報政策課,正職員,Sakura-2026!\r\n"
        "taken,既存 者,,,総務部,正職員,Sakura-2026!\r\n"
        "ito,伊藤 二郎,イトウ,bad-mail,どこにもない課,アルバイト,short\r\n";
    auto report = ImportPeople(*service_, Admin(), bad, false);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_FALSE(report->written);
    ASSERT_EQ(report->errors.size(), 5u);
    EXPECT_EQ(report->errors[0].row, 3);
    EXPECT_EQ(report->errors[0].column, "username");
    std::set<std::string> row4;
    for (const auto& e : report->errors)
        if (e.row == 4) row4.insert(e.column);
    EXPECT_EQ(row4, (std::set<std::string>{"email", "employment_type", "password", "unit"}));
    EXPECT_EQ(Events(), before);
    auto count = db_->Query("SELECT COUNT(*) FROM people");
    EXPECT_EQ(count->rows[0].Int(0), 1);

    const std::string good =
        "username,display_name,unit,password,employment_type\n"
        "sato,佐藤 一郎,情報政策課,Sakura-2026!,fiscal_year\n"
        "ito,伊藤 二郎,総務部,Kaede#2027x,\n";
    auto preview = ImportPeople(*service_, Admin(), good, true);
    ASSERT_TRUE(preview);
    EXPECT_TRUE(preview->errors.empty());
    EXPECT_FALSE(preview->written);
    EXPECT_EQ(preview->people.size(), 2u);
    EXPECT_EQ(Events(), before);

    auto done = ImportPeople(*service_, Admin(), good, false);
    ASSERT_TRUE(done) << done.error().message;
    EXPECT_TRUE(done->written);
    EXPECT_EQ(Events(), before + 3);  // two people and the file
    count = db_->Query("SELECT COUNT(*) FROM people");
    EXPECT_EQ(count->rows[0].Int(0), 3);

    auto unknown = ImportPeople(*service_, Admin(), "username,shoe_size\nx,1\n", false);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, "invalid_csv");
}

TEST_P(OrgStoreTest, DemoCityHasEveryRole) {
    auto seeded = SeedDemo(*db_, clock_, kPassword);
    ASSERT_TRUE(seeded) << seeded.error().code << " " << seeded.error().field << " "
                        << seeded.error().message;
    auto people = db_->Query("SELECT COUNT(*) FROM people WHERE must_change_password = 0");
    EXPECT_EQ(people->rows[0].Int(0), 30);
    auto roles = db_->Query("SELECT DISTINCT role FROM appointments");
    std::set<std::string> held;
    for (const auto& r : roles->rows) held.insert(r.Text(0));
    for (const auto& role : RoleCatalog::Builtin().roles()) {
        if (role.key != "platform_admin") {
            EXPECT_TRUE(held.count(role.key)) << role.key;
        }
    }
    auto actors = db_->Query("SELECT DISTINCT actor_name FROM audit_events");
    ASSERT_EQ(actors->rows.size(), 1u);
    EXPECT_EQ(actors->rows[0].Text(0), "(demo)");
    EXPECT_FALSE(SeedDemo(*db_, clock_, kPassword));
}

INSTANTIATE_TEST_SUITE_P(Backends, OrgStoreTest, mamori::testing::AllBackends(),
                         mamori::testing::BackendName);

}  // namespace
}  // namespace mamori::org
