#include "app/routes.h"

#include "app/system_routes.h"
#include "assets/assets_routes.h"
#include "audit/audit_routes.h"
#include "incidents/incidents_routes.h"
#include "ledger/ledger_routes.h"
#include "org/org_routes.h"
#include "policy/policy_routes.h"
#include "workflow/workflow_routes.h"

namespace mamori::app {

void AddRoutes(http::Router& router, Services& s) {
    AddSystemRoutes(router, s.db);
    auth::AddAuthRoutes(router, s.auth, s.route_options);
    auth::AddTokenRoutes(router, s.tokens);
    audit::AddAuditRoutes(router, s.db);
    org::AddOrgRoutes(router, s.org, s.read_cache);
    policy::AddPolicyRoutes(router, s.policy);
    ledger::AddLedgerRoutes(router, s.ledger);
    assets::AddAssetsRoutes(router, s.assets, s.registers, s.org.catalog());
    incidents::IncidentsService* incidents = &s.incidents;
    workflow::AddWorkflowRoutes(router, s.workflow, s.exceptions, s.attachments,
                                [incidents](const Context& ctx, const workflow::Attachment& a) {
                                    return incidents->MayReadAttachment(ctx, a);
                                });
    incidents::AddIncidentRoutes(router, s.incidents);
}

}  // namespace mamori::app
