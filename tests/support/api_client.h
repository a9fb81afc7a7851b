#pragma once

#include <boost/json.hpp>
#include <string>

#include "support/test_server.h"

namespace mamori::testing {

/// A browser-like client for the JSON API: keeps the session cookie and the CSRF token
/// (taken from any response that carries "csrf_token") and sends both, as the web UI does.
class ApiClient {
  public:
    explicit ApiClient(unsigned short port) : port_(port) {}

    struct Reply {
        int status = 0;
        boost::json::value json;
        std::map<std::string, std::string> headers;
        std::string body;
        /// error.code of an error reply, or "".
        std::string code() const;
    };

    Reply Get(const std::string& target);
    Reply Post(const std::string& target, const boost::json::value& body = boost::json::object{});
    Reply Patch(const std::string& target, const boost::json::value& body);
    /// Any request; `csrf` false leaves the X-CSRF-Token header out.
    Reply Send(const std::string& method, const std::string& target, const std::string& body,
               const std::string& content_type = "application/json", bool csrf = true);

    /// Logs in and walks the whole contract for a known password (no password change, no
    /// MFA); fails the test unless the result is "ok".
    void LoginFull(const std::string& username, const std::string& password);
    /// A first login: the temporary password, then the forced change to `new_password`
    /// (accounts without MFA). Fails the test unless the session ends fully logged in.
    void FirstLogin(const std::string& username, const std::string& temporary,
                    const std::string& new_password);

    const std::string& cookie() const { return cookie_; }
    const std::string& csrf() const { return csrf_; }
    void Forget() {
        cookie_.clear();
        csrf_.clear();
    }

  private:
    unsigned short port_;
    std::string cookie_;
    std::string csrf_;
};

}  // namespace mamori::testing
