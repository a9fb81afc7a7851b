#pragma once

#include <string>
#include <vector>

namespace mamori {

/// A role a person holds now, and where: the unit whose subtree it covers (empty for
/// roles held for the whole organisation, e.g. a platform administrator).
struct Grant {
    std::string role;
    std::string unit_id;
};

/// Who is acting, as established by authentication. Services take it to decide what the
/// caller may do and to name the actor in audit events.
struct Principal {
    std::string person_id;
    std::string username;
    std::string display_name;
    bool platform_admin = false;
    std::vector<Grant> grants;
    std::vector<std::string> permissions;  ///< Union over all grants (scopes checked by services).
    std::string session_stage;   ///< "ok", or a partial login stage; empty for API tokens.
    bool elevated = false;       ///< Inside a privileged (elevated) window.
    std::string elevated_until;  ///< RFC 3339 end of the elevated window; empty if none.
    std::string csrf_token;      ///< Of the session; empty for API tokens.

    bool Has(const std::string& permission) const {
        for (const auto& p : permissions)
            if (p == permission) return true;
        return false;
    }
};

/// Where a service call comes from: the actor (may be absent for logins and system jobs),
/// plus what the audit trail records about the request.
struct Context {
    const Principal* actor = nullptr;
    std::string request_id;
    std::string client_address;
};

}  // namespace mamori
