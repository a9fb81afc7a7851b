#pragma once

#include "http/router.h"
#include "ledger/ledger_service.h"

namespace mamori::ledger {

/// Registers the ledger API (docs/ledger.md) on `router`:
///   GET  /api/v1/ledger/checkpoint            public   latest signed note (text/plain)
///   GET  /api/v1/ledger/public-key            public   verifier key (text/plain)
///   GET  /api/v1/ledger/checkpoints           audit.read  history, newest first
///   GET  /api/v1/ledger/entries/{index}       audit.read  the event and its leaf bytes
///   GET  /api/v1/ledger/proof/inclusion       audit.read  ?index=I&tree_size=N
///   GET  /api/v1/ledger/proof/consistency     audit.read  ?first=M&second=N
///   GET  /api/v1/ledger/status                audit.read  size, latest checkpoint, last check
///   POST /api/v1/ledger/verify                audit.read  recompute everything now
/// `service` must outlive the router.
void AddLedgerRoutes(http::Router& router, LedgerService& service);

}  // namespace mamori::ledger
