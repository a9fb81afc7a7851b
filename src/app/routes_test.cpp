#include "app/routes.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "core/clock.h"
#include "org/roles.h"
#include "support/test_database.h"

namespace mamori::app {
namespace {

std::string Lower(std::string_view m) {
    std::string s(m);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

TEST(RoutesTest, OpenApiDescribesExactlyTheRegisteredRoutes) {
    mamori::testing::TestDatabase t(store::Backend::kSqlite);
    ASSERT_TRUE(t.ok());
    SystemClock clock;
    auth::AuthOptions options;
    auth::AuthService auth(t.db(), clock, options,
                           [](const std::string&) -> Result<Principal> { return Principal{}; });
    auth::TokenService tokens(t.db(), clock);
    org::OrgService org(t.db(), clock, org::RoleCatalog::Builtin(), auth::PasswordPolicy{});
    policy::PolicyService policy(t.db(), clock, org::RoleCatalog::Builtin());
    auto key = ledger::GenerateSigner("mamori/routes-test");
    ASSERT_TRUE(key);
    ledger::LedgerService ledger(t.db(), clock, std::move(*key), {});
    assets::AssetsService assets(t.db(), clock, org::RoleCatalog::Builtin(),
                                 assets::CatalogSourceOf(policy));
    assets::Registers registers(assets, t.db());
    workflow::WorkflowService workflow(t.db(), clock, org::RoleCatalog::Builtin(),
                                       assets::CatalogSourceOf(policy));
    workflow::ExceptionsLedger exceptions(t.db(), clock, org::RoleCatalog::Builtin(), workflow);
    workflow::AttachmentStore attachments(t.db(), clock, "/nonexistent/attachments", 1024);
    incidents::IncidentsService incidents(t.db(), clock, org::RoleCatalog::Builtin(),
                                          assets::CatalogSourceOf(policy));
    Services services{t.db(),    auth,     tokens,     org,         policy,    ledger, assets,
                      registers, workflow, exceptions, attachments, incidents, {}};
    http::Router router;
    AddRoutes(router, services);

    YAML::Node spec = YAML::LoadFile(MAMORI_OPENAPI);
    std::set<std::string> documented, registered;
    for (const auto& path : spec["paths"]) {
        for (const auto& op : path.second) {
            const std::string method = op.first.as<std::string>();
            if (method == "parameters" || method == "summary" || method == "description") continue;
            documented.insert(method + " " + path.first.as<std::string>());
        }
    }
    for (const auto& r : router.routes()) {
        registered.insert(Lower(http::MethodName(r.method)) + " " + r.pattern);
        // Every operation names the permission its route checks.
        auto op = spec["paths"][r.pattern][Lower(http::MethodName(r.method))];
        if (op) {
            EXPECT_EQ(op["x-permission"].as<std::string>(""), r.permission)
                << http::MethodName(r.method) << " " << r.pattern;
        }
    }
    for (const auto& r : registered)
        EXPECT_TRUE(documented.count(r)) << "not in docs/openapi.yaml: " << r;
    for (const auto& d : documented) {
        // HEAD is answered for every GET route.
        if (d.rfind("head ", 0) == 0 && registered.count("get " + d.substr(5))) continue;
        EXPECT_TRUE(registered.count(d)) << "documented but not served: " << d;
    }
}

}  // namespace
}  // namespace mamori::app
