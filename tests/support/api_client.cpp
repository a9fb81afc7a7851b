#include "support/api_client.h"

#include <gtest/gtest.h>

namespace mamori::testing {

std::string ApiClient::Reply::code() const {
    if (!json.is_object()) return {};
    const auto* e = json.as_object().if_contains("error");
    if (!e || !e->is_object()) return {};
    const auto* c = e->as_object().if_contains("code");
    return c && c->is_string() ? std::string(c->as_string()) : std::string();
}

ApiClient::Reply ApiClient::Send(const std::string& method, const std::string& target,
                                 const std::string& body, const std::string& content_type,
                                 bool csrf) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!body.empty() || method != "GET") headers.emplace_back("Content-Type", content_type);
    if (!cookie_.empty()) headers.emplace_back("Cookie", cookie_);
    if (csrf && !csrf_.empty()) headers.emplace_back("X-CSRF-Token", csrf_);
    HttpResult r = Http(port_, method, target, body, headers);
    Reply reply;
    reply.status = r.status;
    reply.headers = r.headers;
    reply.body = r.body;
    boost::json::error_code ec;
    reply.json = boost::json::parse(r.body, ec);
    if (auto it = r.headers.find("set-cookie"); it != r.headers.end()) {
        std::string c = it->second.substr(0, it->second.find(';'));
        cookie_ = c.substr(c.find('=') + 1).empty() ? "" : c;
    }
    if (reply.json.is_object()) {
        if (const auto* t = reply.json.as_object().if_contains("csrf_token"); t && t->is_string())
            csrf_ = std::string(t->as_string());
    }
    return reply;
}

ApiClient::Reply ApiClient::Get(const std::string& target) { return Send("GET", target, ""); }

ApiClient::Reply ApiClient::Post(const std::string& target, const boost::json::value& body) {
    return Send("POST", target, boost::json::serialize(body));
}

ApiClient::Reply ApiClient::Patch(const std::string& target, const boost::json::value& body) {
    return Send("PATCH", target, boost::json::serialize(body));
}

void ApiClient::LoginFull(const std::string& username, const std::string& password) {
    auto r = Post("/api/v1/auth/login",
                  boost::json::object{{"username", username}, {"password", password}});
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.json.at("status").as_string(), "ok") << r.body;
}

void ApiClient::FirstLogin(const std::string& username, const std::string& temporary,
                           const std::string& new_password) {
    auto login = Post("/api/v1/auth/login",
                      boost::json::object{{"username", username}, {"password", temporary}});
    ASSERT_EQ(login.status, 200) << login.body;
    auto pw = Post("/api/v1/auth/password", boost::json::object{{"current_password", temporary},
                                                                {"new_password", new_password}});
    ASSERT_EQ(pw.status, 200) << pw.body;
    ASSERT_EQ(pw.json.at("status").as_string(), "ok") << pw.body;
}

}  // namespace mamori::testing
