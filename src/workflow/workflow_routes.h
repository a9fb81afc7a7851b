#pragma once

#include "http/router.h"
#include "workflow/attachments.h"
#include "workflow/exceptions.h"
#include "workflow/workflow_service.h"

namespace mamori::workflow {

/// Registers the applications API on `router` (all on the worker pool, any signed-in
/// person; the service decides who may see and do what):
///   GET  /api/v1/request-types                 the types of the catalog in force
///   GET  /api/v1/request-types/{key}           one type: its form and chain
///   GET  /api/v1/requests                      ?type= &state= &mine= &q= &cursor= &limit=
///   POST /api/v1/requests                      submit {type, title, form}
///   GET  /api/v1/requests/{id}                 with its chain
///   GET  /api/v1/requests/{id}/history         its audit events
///   POST /api/v1/requests/{id}/approve|reject|return|withdraw   {comment}
///   POST /api/v1/requests/{id}/resubmit        {title, form, comment}
///   GET  /api/v1/requests/{id}/attachments     the files its forms named
///   POST /api/v1/attachments?filename=         upload (the body is the file)
///   GET  /api/v1/attachments/{id}              download (uploader, or readers of what names it)
///   GET  /api/v1/lookup                        ?kind=person|unit|system &q= &limit= (names)
///   GET  /api/v1/inbox                         what awaits me, what I applied for
///   GET  /api/v1/exceptions                    the 例外措置台帳 (exceptions.read; ?overdue=)
///   GET  /api/v1/exceptions/export             exceptions.read (?format=csv|xlsx)
///   GET  /api/v1/exceptions/{id}               exceptions.read
///   POST /api/v1/exceptions/{id}/reviews       exceptions.review
/// `service`, `ledger` and `attachments` must outlive the router. `others` decides who may
/// download a file that no request names (an incident's timeline entry).
void AddWorkflowRoutes(http::Router& router, WorkflowService& service, ExceptionsLedger& ledger,
                       AttachmentStore& attachments, AttachmentVisibility others);

/// The JSON of a request type (for the form and the chain preview).
boost::json::object RequestTypeJson(const policy::RequestType& t);

}  // namespace mamori::workflow
