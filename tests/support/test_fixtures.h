// Small fixtures shared by the service tests (header-only: the tests that use them link the
// libraries they name).
#pragma once

#include <memory>
#include <stdexcept>

#include "core/principal.h"
#include "policy/catalog.h"

namespace mamori::testing {

/// The catalog of `files` (the shipped Hirakawa catalog by default); throws when invalid,
/// so a test's static initialiser fails loudly.
inline std::shared_ptr<const policy::Catalog> ParsedCatalog(
    const policy::CatalogFiles& files = policy::BuiltinCatalogFiles()) {
    auto c = policy::Catalog::Parse(files);
    if (!c) throw std::runtime_error(c.error().message);
    return std::make_shared<const policy::Catalog>(std::move(*c));
}

/// A platform administrator, for setting up units, people and appointments.
inline Principal PlatformAdmin() {
    Principal p;
    p.username = "admin";
    p.platform_admin = true;
    p.grants = {{"platform_admin", ""}};
    p.permissions = {"accounts.manage", "org.manage", "org.read"};
    return p;
}

}  // namespace mamori::testing
