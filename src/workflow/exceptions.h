#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sheets/file.h"
#include "workflow/workflow_service.h"

namespace mamori::workflow {

// The 例外措置台帳 (対策基準 9-4(3)): the approved (and since expired) requests of the
// catalog's exception type, with their reviews. docs/workflow.md, "The exceptions ledger".

/// A review of an exception in force.
struct ExceptionReview {
    std::string id;
    std::string reviewed_on;
    std::string result;  ///< continue | end
    std::string note;
    std::string next_review_on;  ///< continue only
    std::string reviewer_id;
    std::string reviewer_name;
};

struct ExceptionEntry {
    Request request;  ///< approved or expired
    /// When it is next to be reviewed: the last review's next date, else the earlier of the
    /// approval day + 180 days and the last valid day.
    std::string review_due_on;
    bool overdue = false;                  ///< in force, and its review date has passed
    std::vector<ExceptionReview> reviews;  ///< newest first
};

struct NewExceptionReview {
    std::string result;
    std::string note;
    std::string next_review_on;
};

/// The first review of an exception approved on `approved_on` comes this many days later
/// (or at the end of its validity, if sooner).
inline constexpr int kFirstReviewDays = 180;

class ExceptionsLedger {
  public:
    /// `db`, `clock`, `roles` and `service` must outlive the ledger.
    ExceptionsLedger(store::Database& db, const Clock& clock, const org::RoleCatalog& roles,
                     WorkflowService& service);

    /// The ledger, newest number first (exceptions.read everywhere: the CISO, the general
    /// manager, auditors). `overdue_only`: only those past their review date.
    [[nodiscard]] Result<std::vector<ExceptionEntry>> List(const Context& ctx, bool overdue_only);
    [[nodiscard]] Result<ExceptionEntry> Get(const Context& ctx, const std::string& id);
    /// Records a review (exceptions.review: the CISO, the general manager). `continue` needs a
    /// next review date after today and not after the last valid day; `end` ends the
    /// exception today (it expires tomorrow). Only an approved exception is reviewed (409).
    [[nodiscard]] Result<ExceptionEntry> Review(const Context& ctx, const std::string& id,
                                                const NewExceptionReview& r);
    /// The ledger as CSV or XLSX: fixed columns, then every field of the exception type by
    /// its label, references written as names.
    [[nodiscard]] Result<sheets::File> Export(const Context& ctx, sheets::Format format);

  private:
    Result<std::vector<ExceptionEntry>> Load(const std::string& id, bool overdue_only);
    std::string Today() const;

    store::Database& db_;
    const Clock& clock_;
    const org::RoleCatalog& roles_;
    WorkflowService& service_;
};

}  // namespace mamori::workflow
