#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "incidents/incidents_service.h"
#include "policy/incident_rules.h"
#include "sheets/file.h"

namespace mamori::incidents {

// The incident report (issue 9): one document to hand to the CISO or the committee, with the
// incident's facts, deadlines, who was told, and its whole timeline. HTML for printing (every
// value escaped, no script), and XLSX (three sheets).

struct ReportInput {
    const Incident& incident;
    const std::vector<Entry>& timeline;
    const std::vector<Notification>& notifications;
    const policy::IncidentRules& rules;
    std::string today;    ///< the city's date the report is made
    std::string made_by;  ///< the person making it
};

/// A whole HTML page (UTF-8), styled for A4 printing.
std::string ReportHtml(const ReportInput& in);
/// mamori-incident-<number>-<yyyymmdd>.xlsx: 概要, タイムライン, 通知.
[[nodiscard]] Result<sheets::File> ReportXlsx(const ReportInput& in);

}  // namespace mamori::incidents
