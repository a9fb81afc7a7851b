#pragma once

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assets/assets_service.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/principal.h"
#include "incidents/deadlines.h"
#include "org/roles.h"
#include "org/separation.h"
#include "policy/incident_rules.h"
#include "store/database.h"
#include "workflow/attachments.h"

namespace mamori::incidents {

struct Outgoing;  // a notification mail waiting for its transaction to commit

// Incidents (issue 9; docs/incidents.md): a report reaches the right people at once, every
// incident is followed through one state machine to its end, its timeline is append-only,
// and the legal deadlines of the catalog's incidents.yaml stay in view.

/// The states of an incident. Transitions (anything else is 409 "invalid_transition"):
///   reported → accepted        triage: needs a severity
///   accepted → responding      containment starts
///   responding → investigating needs `containment` (what was done to stop the damage)
///   investigating → preventing needs `cause`
///   preventing → closed        needs `cause` and `recurrence_prevention`
///   closed → responding        reopen: needs a comment
///   reported, accepted → duplicate   needs `duplicate_of` (another incident, not a duplicate)
/// Every transition is incidents.manage's (the CSIRT, the 統括情報セキュリティ責任者).
const std::vector<std::string>& States();
std::string_view StateName(std::string_view state);  ///< Japanese
/// Whether `from` → `to` is a transition of the machine.
bool Allowed(std::string_view from, std::string_view to);

/// Timeline entry kinds: written by mamori, or by people (manual).
struct EntryKind {
    std::string_view key;
    std::string_view name;
    bool manual;
};
const std::vector<EntryKind>& EntryKinds();

struct OutsideReporter {  ///< a resident or outside body reporting (7-3(2))
    std::string name, organisation, contact;
};

struct DeadlineView {
    Deadline deadline;
    bool done = false;
    std::string reported_on;  ///< of the outside report that met it
};

struct Incident {
    std::string id, number, title, description, category, category_name, state;
    std::string severity, severity_name;  ///< empty until triaged
    bool escalated = false;               ///< severity at or above escalate_from
    std::string discovered_at, discovered_on, occurred_at;
    std::string unit_id, unit_name;
    std::vector<std::string> system_ids, asset_ids, control_refs;
    bool personal_information = false, specific_personal_information = false, malicious = false;
    std::string scope_estimate;
    std::string source;  ///< staff | outside
    std::optional<OutsideReporter> outside_reporter;
    std::string reporter_id, reporter_name, handler_id, handler_name;
    std::string containment, cause, recurrence_prevention;
    std::string exception_request_id, review_note, duplicate_of, duplicate_of_number;
    std::string catalog_version, created_at, updated_at, closed_at;
    std::vector<DeadlineView> deadlines;
    boost::json::object names;  ///< Get only: what the linked ids stand for
    bool can_manage = false;
    std::vector<std::string> transitions;  ///< target states the caller may move it to now
};

struct NewIncident {
    std::string title, description, category, discovered_at, occurred_at, unit_id;
    std::vector<std::string> system_ids, asset_ids, attachments;
    bool personal_information = false, specific_personal_information = false, malicious = false;
    std::string scope_estimate;
    std::optional<OutsideReporter> outside_reporter;
};

/// A PATCH: only the fields present change.
struct IncidentChange {
    std::optional<std::string> title, description, category, severity, occurred_at, unit_id;
    std::optional<std::vector<std::string>> system_ids, asset_ids, control_refs;
    std::optional<bool> personal_information, specific_personal_information, malicious;
    std::optional<std::string> scope_estimate, handler_id, containment, cause,
        recurrence_prevention, exception_request_id, review_note;
};

struct Transition {
    std::string to;
    std::string comment;
    std::string severity;      ///< may be given with accepted
    std::string duplicate_of;  ///< with duplicate
};

struct EntryFile {
    std::string id, filename, sha256, content_type;
    std::int64_t size_bytes = 0;
};

struct Entry {
    std::string id;
    int seq = 0;
    std::string at, author_id, author_name, kind, text;
    std::string outside_body, reported_on, deadline;
    int corrects = 0;
    std::vector<EntryFile> attachments;
};

struct NewEntry {
    std::string kind, text, outside_body, reported_on, deadline;
    int corrects = 0;
    std::vector<std::string> attachments;
};

struct Notification {
    std::string person_id, person_name, role, role_name, reason, sent_at, email, opened_at;
};

struct Alert {  ///< a notification the person has not opened yet
    std::string incident_id, number, title, severity, severity_name, reason, sent_at;
};

struct IncidentFilter {
    std::string state, severity, category, unit_id, q, cursor;
    std::optional<bool> personal_information;
    bool open = false;  ///< only those not closed nor duplicate
    int limit = 50;
};

template <typename T>
struct Page {
    std::vector<T> items;
    std::string next_cursor;
};

struct Count {
    std::string key, name;
    int count = 0;
};

struct Stats {
    int fiscal_year = 0;
    std::string from, to;  ///< April 1 … March 31 (JST dates)
    int total = 0, personal_information = 0;
    std::vector<Count> by_category, by_severity, by_unit, by_month, by_state;
};

/// Sends one notification by e-mail; returns "sent" or "failed". Unset: no SMTP configured.
using Mailer = std::function<std::string(const std::string& to, const std::string& subject,
                                         const std::string& body)>;
/// Runs a job later, off the request's thread (the server's mail thread). Unset: at once.
using Later = std::function<void(std::function<void()>)>;

class IncidentsService {
  public:
    /// Everything must outlive the service.
    IncidentsService(store::Database& db, const Clock& clock, const org::RoleCatalog& roles,
                     assets::CatalogSource catalog, Mailer mailer = {}, Later later = {});

    /// The rules of the catalog in force (404 no_incident_rules when it has none).
    [[nodiscard]] Result<std::shared_ptr<const policy::Catalog>> CatalogInForce();

    /// Any signed-in person reports; a report from outside (`outside_reporter`) needs
    /// incidents.manage. Notifies the unit's 情報セキュリティ管理者 and the CSIRT.
    [[nodiscard]] Result<Incident> Report(const Context& ctx, const NewIncident& n);
    /// Also records the caller's first opening of their notifications.
    [[nodiscard]] Result<Incident> Get(const Context& ctx, const std::string& id);
    [[nodiscard]] Result<Page<Incident>> List(const Context& ctx, const IncidentFilter& f);
    [[nodiscard]] Result<Incident> Update(const Context& ctx, const std::string& id,
                                          const IncidentChange& c);
    [[nodiscard]] Result<Incident> Move(const Context& ctx, const std::string& id,
                                        const Transition& t);
    [[nodiscard]] Result<std::vector<Entry>> Timeline(const Context& ctx, const std::string& id);
    [[nodiscard]] Result<Entry> AddEntry(const Context& ctx, const std::string& id,
                                         const NewEntry& n);
    [[nodiscard]] Result<std::vector<Notification>> Notifications(const Context& ctx,
                                                                  const std::string& id);
    [[nodiscard]] Result<std::vector<Alert>> Alerts(const Context& ctx);
    /// The fiscal year (年度, April to March) by the day of discovery; 0: the current one.
    [[nodiscard]] Result<Stats> StatsOf(const Context& ctx, int fiscal_year);
    /// Whether the caller may read the incident whose timeline names attachment `a`.
    [[nodiscard]] Result<void> MayReadAttachment(const Context& ctx, const workflow::Attachment& a);

    /// The city's date (JST) by the service's clock.
    std::string Today() const;

  private:
    std::string Now() const;

    store::Database& db_;
    const Clock& clock_;
    const org::RoleCatalog& roles_;
    assets::CatalogSource catalog_;
    /// Nothing when the caller may read the incident; 404 otherwise (also when missing).
    [[nodiscard]] Result<void> CheckReadable(const Context& ctx, const std::string& id);
    /// Mails the notifications a committed change wrote, through `later_`.
    void Mail(std::vector<Outgoing> mail);

    Mailer mailer_;
    Later later_;
    org::Separation separation_;
};

}  // namespace mamori::incidents
