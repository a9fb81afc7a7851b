#pragma once

#include <string>
#include <vector>

namespace mamori::policy {

// What the policy says about incidents (対策基準 7-3, 9-3), as data: incidents.yaml of a
// catalog (format: docs/policy-catalog.md, "incidents.yaml"). The incidents area
// (src/incidents/) applies it. Legal deadlines live here because the law and its guidance
// may change; a city changes the file, not the program.

struct IncidentCategory {
    std::string key;
    std::string name;  ///< Japanese
};

/// Severity levels, lowest first.
struct IncidentSeverity {
    std::string key;
    std::string name;
    std::string description;
};

/// A report owed to an outside body, due a number of days after the incident was discovered.
struct IncidentDeadline {
    std::string key;
    std::string name;  ///< e.g. 個人情報保護委員会への速報
    std::string to;    ///< the body reported to
    std::string
        applies;   ///< "personal_information" (any personal information involved) or "always"
    int days = 0;  ///< after the day of discovery (that day not counted)
    int days_if_malicious = 0;  ///< when the leak may have been malicious; 0: same as days
    int warn_days = 0;          ///< shown as due soon this many days before
    std::string basis;          ///< where the rule comes from, for people
};

/// The 緊急時対応計画 (9-3): whom to call and what to do, shown beside an open incident.
struct ResponseContact {
    std::string role;     ///< e.g. 統括情報セキュリティ責任者
    std::string name;     ///< who holds it, or the desk
    std::string contact;  ///< how to reach them (内線, 電話)
    std::string note;     ///< when to call
};
struct ResponseStep {
    std::string title;
    std::string detail;
};
struct ResponsePlan {
    std::string name;
    std::vector<ResponseContact> contacts;
    std::vector<ResponseStep> steps;
};

struct IncidentRules {
    bool defined = false;  ///< the catalog has incidents.yaml
    std::string file;
    std::vector<IncidentCategory> categories;
    std::vector<IncidentSeverity> severities;
    /// From this severity up, the 統括情報セキュリティ責任者 and the CISO are notified.
    std::string escalate_from;
    std::vector<IncidentDeadline> deadlines;
    /// Outside bodies a report may be recorded for (prefecture, 総務省, police, …).
    std::vector<std::string> outside_bodies;
    ResponsePlan response_plan;

    const IncidentSeverity* FindSeverity(const std::string& key) const;
    /// Position of the severity, lowest 0; -1 when unknown.
    int SeverityRank(const std::string& key) const;
};

}  // namespace mamori::policy
