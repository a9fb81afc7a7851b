#include "org/roles.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace mamori::org {

std::string_view BuiltinRolesYaml();  // generated from policies/hirakawa/roles.yaml

namespace {

std::string At(const YAML::Node& n) {
    return n.Mark().is_null() ? "" : " (line " + std::to_string(n.Mark().line + 1) + ")";
}

}  // namespace

Result<RoleCatalog> RoleCatalog::Parse(std::string_view yaml) {
    RoleCatalog c;
    std::vector<std::string> problems;
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        return Fail(Error::Invalid("invalid_catalog", "roles: not valid YAML: " + e.msg));
    }
    std::set<std::string> keys;
    for (const auto& r : root["roles"]) {
        Role role;
        role.key = r["key"].as<std::string>("");
        role.name = r["name"].as<std::string>("");
        role.description = r["description"].as<std::string>("");
        const std::string scope = r["scope"].as<std::string>("subtree");
        if (scope == "organisation") {
            role.scope = RoleScope::kOrganisation;
        } else if (scope == "own") {
            role.scope = RoleScope::kOwn;
        } else if (scope != "subtree") {
            problems.push_back("role " + role.key + ": unknown scope " + scope + At(r));
        }
        for (const auto& p : r["permissions"]) role.permissions.push_back(p.as<std::string>());
        role.for_system = r["system"].as<bool>(false);
        if (role.for_system && role.scope == RoleScope::kOrganisation)
            problems.push_back("role " + role.key +
                               ": an organisation-wide role cannot be "
                               "appointed for a system" +
                               At(r));
        if (role.key.empty() || role.name.empty())
            problems.push_back("a role needs key and name" + At(r));
        if (!keys.insert(role.key).second) problems.push_back("duplicate role " + role.key + At(r));
        c.roles_.push_back(std::move(role));
    }
    if (c.roles_.empty()) problems.push_back("no roles");
    for (const auto& i : root["incompatible_roles"]) {
        IncompatibleRoles pair;
        pair.name = i["name"].as<std::string>("");
        if (i["roles"].size() != 2) {
            problems.push_back("incompatible_roles: each entry names two roles" + At(i));
            continue;
        }
        pair.first = i["roles"][0].as<std::string>();
        pair.second = i["roles"][1].as<std::string>();
        for (const auto& k : {pair.first, pair.second})
            if (!keys.count(k)) problems.push_back("incompatible_roles: unknown role " + k + At(i));
        c.incompatible_.push_back(std::move(pair));
    }
    for (const auto& e : root["approval_escalation"]) {
        std::string k = e.as<std::string>();
        if (!keys.count(k)) problems.push_back("approval_escalation: unknown role " + k + At(e));
        c.escalation_.push_back(std::move(k));
    }
    if (!problems.empty()) {
        std::string msg = "roles catalog:";
        for (const auto& p : problems) msg += "\n  " + p;
        return Fail(Error::Invalid("invalid_catalog", msg));
    }
    return c;
}

const RoleCatalog& RoleCatalog::Builtin() {
    static const RoleCatalog kCatalog = [] {
        auto c = Parse(BuiltinRolesYaml());
        if (!c) {  // the shipped file is tested; this is a build defect
            std::fprintf(stderr, "%s\n", c.error().message.c_str());
            std::abort();
        }
        return std::move(*c);
    }();
    return kCatalog;
}

const Role* RoleCatalog::Find(std::string_view key) const {
    for (const auto& r : roles_)
        if (r.key == key) return &r;
    return nullptr;
}

std::vector<std::string> RoleCatalog::AllPermissions() const {
    std::set<std::string> all;
    for (const auto& r : roles_) all.insert(r.permissions.begin(), r.permissions.end());
    return {all.begin(), all.end()};
}

}  // namespace mamori::org
