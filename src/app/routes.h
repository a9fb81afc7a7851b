#pragma once

#include <chrono>

#include "assets/assets_service.h"
#include "assets/register.h"
#include "auth/auth_routes.h"
#include "auth/auth_service.h"
#include "auth/token_service.h"
#include "http/router.h"
#include "incidents/incidents_service.h"
#include "ledger/ledger_service.h"
#include "org/org_service.h"
#include "policy/policy_service.h"
#include "store/database.h"
#include "workflow/attachments.h"
#include "workflow/exceptions.h"
#include "workflow/workflow_service.h"

namespace mamori::app {

/// The services the routes call; built once in Serve and outliving the server.
struct Services {
    store::Database& db;
    auth::AuthService& auth;
    auth::TokenService& tokens;
    org::OrgService& org;
    policy::PolicyService& policy;
    ledger::LedgerService& ledger;
    assets::AssetsService& assets;
    assets::Registers& registers;
    workflow::WorkflowService& workflow;
    workflow::ExceptionsLedger& exceptions;
    workflow::AttachmentStore& attachments;
    incidents::IncidentsService& incidents;
    auth::AuthRouteOptions route_options;
    std::chrono::milliseconds read_cache{0};  ///< server.read_cache_seconds
};

/// Registers every route of the API on `router`: the one list of what the server answers
/// (docs/openapi.yaml must describe exactly these; a test checks it).
void AddRoutes(http::Router& router, Services& services);

}  // namespace mamori::app
