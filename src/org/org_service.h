#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "auth/password.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/principal.h"
#include "org/access.h"
#include "org/roles.h"
#include "org/separation.h"
#include "store/database.h"

namespace mamori::org {

/// The city's calendar date ("YYYY-MM-DD") at `t`, in Japan Standard Time (UTC+9, no DST).
std::string TodayJst(Clock::TimePoint t);

/// A unit (部 / 課 / 係).
struct Unit {
    std::string id;
    std::string name;
    std::string kind;       ///< "department" | "section" | "team"
    std::string parent_id;  ///< Empty for a department.
    std::string status;     ///< "active" | "closed"
    std::string closed_on;  ///< Empty unless closed.
    std::string created_at;
    std::string updated_at;
    int depth = 0;  ///< 0 for departments; filled by ListUnits.
};

struct NewUnit {
    std::string name;
    std::string kind;
    std::string parent_id;
};

/// Fields to change; absent ones stay.
struct UnitUpdate {
    std::optional<std::string> name;
    std::optional<std::string> parent_id;
};

struct UnitFilter {
    std::string status;  ///< "" (all), "active" or "closed"
};

/// A role appointment: a person holds a role for a unit over a period. Never deleted.
struct Appointment {
    std::string id;
    std::string person_id;
    std::string role;
    std::string unit_id;    ///< Empty for an organisation-wide appointment.
    std::string system_id;  ///< For one information system (then unit_id is its owner unit).
    std::string starts_on;
    std::string ends_on;  ///< Empty while open-ended.
    std::string created_at;
    std::string updated_at;
};

/// A person (and their login account). Secrets are never part of it.
struct Person {
    std::string id;
    std::string username;
    std::string display_name;
    std::string reading;
    std::string email;
    std::string unit_id;
    std::string employment_type;  ///< "regular" | "fiscal_year" | "contractor" | "other"
    std::string status;           ///< "active" | "suspended" | "left"
    std::string left_on;
    bool platform_admin = false;
    bool must_change_password = false;
    bool locked = false;  ///< failed_logins locked the account until a time not yet passed.
    std::string created_at;
    std::string updated_at;
    std::vector<Appointment> appointments;  ///< Current ones; filled by GetPerson only.
};

struct NewPerson {
    std::string username;
    std::string display_name;
    std::string reading;
    std::string email;
    std::string unit_id;
    std::string employment_type = "regular";
    std::string password;  ///< Temporary; checked against the PasswordPolicy.
    /// Seeding only (demo): an argon2id hash made by auth::HashPassword from a password that
    /// passed the policy, used instead of `password`; and whether the first login must
    /// change it. Never set from a request.
    std::string password_hash;
    bool must_change_password = true;
};

/// Fields to change; absent ones stay. Empty reading/email clear them.
struct PersonUpdate {
    std::optional<std::string> display_name;
    std::optional<std::string> reading;
    std::optional<std::string> email;
    std::optional<std::string> unit_id;
    std::optional<std::string> employment_type;
};

struct PersonFilter {
    std::string unit_id;  ///< This unit and every unit below it.
    std::string status;
    std::string employment_type;
    std::string q;       ///< Substring of username, display name or reading.
    std::string cursor;  ///< next_cursor of the previous page.
    int limit = 50;      ///< 1..200
};

struct NewAppointment {
    std::string person_id;
    std::string role;
    std::string unit_id;  ///< Required unless the role's scope is organisation or system_id is set.
    std::string starts_on;
    std::optional<std::string> ends_on;
    /// For a role with `system: true`: the information system; the unit is then the
    /// system's owner unit (unit_id must be empty or that unit).
    std::string system_id;
};

struct AppointmentFilter {
    std::string person_id;
    std::string unit_id;
    std::string system_id;
    std::string role;
    std::string current_on;  ///< Only appointments in force on this date.
    std::string cursor;
    int limit = 50;
};

/// One page of a list; `next_cursor` is empty on the last page.
template <typename T>
struct Page {
    std::vector<T> items;
    std::string next_cursor;
};

/// The largest page a list returns.
inline constexpr int kMaxPageSize = 200;

/// The only way to change units, people and appointments. Every method takes the caller's
/// Context first, checks the permission (org.read for reads, org.manage for changes,
/// accounts.manage for unlock and password reset) for the unit concerned via Access,
/// validates, and writes the change together with exactly one audit event in one
/// transaction. A refused call changes nothing and writes no event.
/// Errors: kUnauthenticated without an actor; kForbidden "forbidden"; kInvalidInput with
/// the field; kNotFound; kConflict for state transitions; kRuleViolation for 兼務の禁止.
/// Thread-safe (all state is in the database).
class OrgService {
  public:
    /// All references must outlive the service.
    OrgService(store::Database& db, const Clock& clock, const RoleCatalog& catalog,
               auth::PasswordPolicy policy);

    // Units.
    [[nodiscard]] Result<Unit> CreateUnit(const Context& ctx, const NewUnit& u);
    /// Renames and/or moves in one change. A section moves only under a department, a team
    /// only under a section; departments stay at the top; never under a closed unit.
    [[nodiscard]] Result<Unit> UpdateUnit(const Context& ctx, const std::string& id,
                                          const UnitUpdate& u);
    [[nodiscard]] Result<Unit> RenameUnit(const Context& ctx, const std::string& id,
                                          const std::string& name);
    [[nodiscard]] Result<Unit> MoveUnit(const Context& ctx, const std::string& id,
                                        const std::string& parent_id);
    /// Closes a unit on `closed_on` (empty: today). Refused (409) while it has active
    /// sub-units, members who have not left, or appointments in force on or after that date.
    [[nodiscard]] Result<Unit> CloseUnit(const Context& ctx, const std::string& id,
                                         const std::string& closed_on);
    [[nodiscard]] Result<Unit> GetUnit(const Context& ctx, const std::string& id);
    /// Units the caller may read, in tree order (depth first, siblings by name).
    [[nodiscard]] Result<std::vector<Unit>> ListUnits(const Context& ctx, const UnitFilter& f);

    // People.
    [[nodiscard]] Result<Person> CreatePerson(const Context& ctx, const NewPerson& p);
    [[nodiscard]] Result<Person> UpdatePerson(const Context& ctx, const std::string& id,
                                              const PersonUpdate& u);
    /// active → suspended; ends the person's sessions.
    [[nodiscard]] Result<Person> SuspendPerson(const Context& ctx, const std::string& id);
    /// suspended → active.
    [[nodiscard]] Result<Person> ReactivatePerson(const Context& ctx, const std::string& id);
    /// Marks the person as left on `left_on` (empty: today), ends every appointment still in
    /// force on that date (ones not yet begun get an empty period and never take effect)
    /// and deletes their sessions.
    [[nodiscard]] Result<Person> LeavePerson(const Context& ctx, const std::string& id,
                                             const std::string& left_on);
    /// For a lost authenticator: removes the person's TOTP secret and recovery codes and ends
    /// their sessions, so that the next login enrols a new authenticator (where MFA is
    /// required). Not for one's own account (409 "self").
    [[nodiscard]] Result<Person> ResetMfa(const Context& ctx, const std::string& id);
    /// Clears failed logins and the lock.
    [[nodiscard]] Result<Person> UnlockPerson(const Context& ctx, const std::string& id);
    /// Sets a new temporary password (must be changed at next login), clears the lock and
    /// ends every session.
    [[nodiscard]] Result<Person> ResetPassword(const Context& ctx, const std::string& id,
                                               const std::string& password);
    /// The person with their current appointments.
    [[nodiscard]] Result<Person> GetPerson(const Context& ctx, const std::string& id);
    /// What happened to a person and their appointments (newest first, at most `limit`), for
    /// anyone who may read the person: the audit events about them, login events excluded
    /// (those are the person's own and the auditors' business).
    [[nodiscard]] Result<std::vector<audit::Event>> PersonHistory(const Context& ctx,
                                                                  const std::string& id, int limit);
    /// People the caller may read, ordered by username; one indexed query per page.
    [[nodiscard]] Result<Page<Person>> ListPeople(const Context& ctx, const PersonFilter& f);

    // Appointments.
    /// Refused with 422 "separation_of_duties" when it conflicts with an incompatible pair.
    [[nodiscard]] Result<Appointment> CreateAppointment(const Context& ctx,
                                                        const NewAppointment& a);
    /// Ends an appointment on `ends_on` (empty: today); only shortens, never extends.
    [[nodiscard]] Result<Appointment> EndAppointment(const Context& ctx, const std::string& id,
                                                     const std::string& ends_on);
    [[nodiscard]] Result<Appointment> GetAppointment(const Context& ctx, const std::string& id);
    /// Newest start first, history included.
    [[nodiscard]] Result<Page<Appointment>> ListAppointments(const Context& ctx,
                                                             const AppointmentFilter& f);

    /// The roles of the catalog (names and descriptions in Japanese).
    const RoleCatalog& catalog() const { return catalog_; }
    const Separation& separation() const { return separation_; }
    const auth::PasswordPolicy& password_policy() const { return policy_; }
    const Clock& clock() const { return clock_; }
    store::Database& database() { return db_; }

    /// Validation shared with the CSV import. Each returns kInvalidInput naming `field`.
    [[nodiscard]] static Result<void> ValidateUsername(const std::string& v);
    [[nodiscard]] static Result<void> ValidateDisplayName(const std::string& v);
    [[nodiscard]] static Result<void> ValidateReading(const std::string& v);
    [[nodiscard]] static Result<void> ValidateEmail(const std::string& v);
    [[nodiscard]] static Result<void> ValidateEmploymentType(const std::string& v);
    [[nodiscard]] Result<void> ValidatePassword(const std::string& password,
                                                const std::string& username) const;

    /// Creates a unit inside `tx` with its audit event, checking everything CreateUnit checks
    /// (used by the unit import so that a whole file is one transaction).
    [[nodiscard]] Result<Unit> InsertUnit(store::Tx& tx, const Context& ctx, const NewUnit& u,
                                          const std::string& now);

    /// Inserts a validated person inside `tx` with its audit event (used by the import so
    /// that a whole file is one transaction). `password_hash` is argon2id.
    [[nodiscard]] Result<Person> InsertPerson(store::Tx& tx, const Context& ctx, const NewPerson& p,
                                              const std::string& password_hash,
                                              const std::string& now, bool imported);

    /// An Access for the actor, loading the unit tree only when the permission does not
    /// already reach everywhere.
    [[nodiscard]] Result<Access> AccessFor(const Principal& actor, std::string_view permission);

  private:
    store::Database& db_;
    const Clock& clock_;
    const RoleCatalog& catalog_;
    auth::PasswordPolicy policy_;
    Separation separation_;

    std::string Now() const;
    std::string Today() const;
    /// A unit the caller may change (org.manage on it) that is still active, with the Access
    /// used to decide it (its tree serves further checks, e.g. a move).
    [[nodiscard]] Result<std::pair<Unit, Access>> ActiveUnitForChange(store::Tx& tx,
                                                                      const Principal& actor,
                                                                      const std::string& id,
                                                                      const char* closed_message);
    /// Loads a person the caller may change under `permission` and runs `change` on it in one
    /// transaction (the change writes its own statements and audit event).
    [[nodiscard]] Result<Person> ChangePerson(
        const Context& ctx, std::string_view permission, const std::string& id,
        const std::function<Result<void>(store::Tx&, Person&, const Principal&,
                                         const std::string&)>& change);
};

/// Japanese label of an employment type (正職員, 会計年度任用職員, 委託事業者, その他).
std::string EmploymentTypeLabel(const std::string& type);

}  // namespace mamori::org
