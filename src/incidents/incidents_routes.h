#pragma once

#include "http/router.h"
#include "incidents/incidents_service.h"

namespace mamori::incidents {

/// The incident routes (docs/openapi.yaml, tag incidents). Any session may report and read
/// what it may see; changing fields and moving the state need incidents.manage; the service
/// checks the scope of each (incidents.read, incidents.manage):
///   GET   /api/v1/incidents                      list (?state= &severity= &category= …)
///   POST  /api/v1/incidents                      report
///   GET   /api/v1/incidents/rules                categories, severities, plan (緊急時対応計画)
///   GET   /api/v1/incidents/alerts               my notifications not yet opened
///   GET   /api/v1/incidents/stats                ?fiscal_year= (incidents.read)
///   GET   /api/v1/incidents/{id}                 one incident
///   PATCH /api/v1/incidents/{id}                 change fields (incidents.manage)
///   POST  /api/v1/incidents/{id}/transitions     {to, comment, severity, duplicate_of}
///   GET   /api/v1/incidents/{id}/timeline        oldest first
///   POST  /api/v1/incidents/{id}/timeline        a new entry (never an edit)
///   GET   /api/v1/incidents/{id}/notifications   who was told, when, and when they opened it
///   GET   /api/v1/incidents/{id}/report          ?format=html|xlsx
/// `service` must outlive the router.
void AddIncidentRoutes(http::Router& router, IncidentsService& service);

}  // namespace mamori::incidents
