#pragma once

#include "http/router.h"
#include "policy/policy_service.h"

namespace mamori::policy {

/// Registers the policy API on `router` (all on the worker pool). `?version=` (an id or a
/// version identifier) selects a version where it applies; the default is the version in
/// force.
///   GET  /api/v1/policy                              session
///   GET  /api/v1/policy/versions                     session
///   GET  /api/v1/policy/versions/{a}/diff/{b}        session
///   GET  /api/v1/policy/basic                        session
///   GET  /api/v1/policy/controls                     session (?q= searches)
///   GET  /api/v1/policy/controls/{ref}               session (ref URL-encoded: 8-2%286%29)
///   GET  /api/v1/policy/classification               session
///   GET  /api/v1/policy/zones                        session
///   GET  /api/v1/policy/coverage                     session
///   GET  /api/v1/policy/export/oscal                 session
///   GET  /api/v1/policy/acknowledgements             session (mine)
///   POST /api/v1/policy/acknowledgements             session (acknowledge the version in force)
///   GET  /api/v1/policy/acknowledgements/units       policy.acknowledgements.read
/// `service` must outlive the router.
void AddPolicyRoutes(http::Router& router, PolicyService& service);

}  // namespace mamori::policy
