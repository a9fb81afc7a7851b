#include "auth/token_service.h"

#include <algorithm>
#include <boost/json.hpp>

#include "audit/audit.h"
#include "auth/auth_service.h"
#include "core/crypto.h"

namespace mamori::auth {

namespace {

constexpr std::string_view kPrefix = "mmr_";

std::vector<std::string> ParseList(const std::string& json_text) {
    std::vector<std::string> out;
    boost::json::error_code ec;
    auto v = boost::json::parse(json_text, ec);
    if (ec || !v.is_array()) return out;
    for (const auto& x : v.as_array())
        if (x.is_string()) out.emplace_back(x.as_string());
    return out;
}

boost::json::array ToArray(const std::vector<std::string>& v) {
    boost::json::array a;
    for (const auto& s : v) a.push_back(boost::json::value(s));
    return a;
}

Error NotAuthenticated() {
    return {ErrorKind::kUnauthenticated,
            "invalid_token",
            "API トークンが無効です (失効、期限切れ、または存在しません)",
            {}};
}

}  // namespace

Result<NewApiToken> TokenService::Create(const Context& ctx, const std::string& name,
                                         const std::vector<std::string>& permissions, int days) {
    if (!ctx.actor) return Fail(NotAuthenticated());
    if (days < 1 || days > 366)
        return Fail(Error::Invalid("invalid_field", "有効日数は 1 から 366 日です", "days"));
    auto needs_elevation = [&](const std::string& p) {
        return std::find(elevated_.begin(), elevated_.end(), p) != elevated_.end();
    };
    std::vector<std::string> perms = permissions;
    if (perms.empty()) {
        for (const auto& p : ctx.actor->permissions)
            if (!needs_elevation(p)) perms.push_back(p);
    }
    for (const auto& p : perms) {
        if (!ctx.actor->Has(p))
            return Fail(Error{ErrorKind::kForbidden, "forbidden",
                              "自分の持たない権限をトークンに与えることはできません: " + p,
                              "permissions"});
        if (needs_elevation(p))
            return Fail(Error::Invalid(
                "invalid_field",
                "昇格が必要な権限は API トークンでは使えないため、与えられません: " + p,
                "permissions"));
    }
    std::sort(perms.begin(), perms.end());
    perms.erase(std::unique(perms.begin(), perms.end()), perms.end());
    NewApiToken t;
    t.secret = std::string(kPrefix) + crypto::Base64Url(crypto::RandomBytes(32));
    t.token.id = crypto::Hex(crypto::RandomBytes(16));
    t.token.name = name;
    t.token.permissions = perms;
    t.token.created_at = FormatRfc3339(clock_.Now());
    t.token.expires_at = FormatRfc3339(clock_.Now() + std::chrono::hours(24) * days);
    auto r = db_.Transact([&](store::Tx& tx) -> Result<void> {
        auto i = tx.Exec(
            "INSERT INTO api_tokens (id, person_id, name, token_hash, permissions, expires_at, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {t.token.id, ctx.actor->person_id, name, AuthService::HashToken(t.secret),
             boost::json::serialize(ToArray(perms)), t.token.expires_at, t.token.created_at});
        if (!i) return Fail(i.error());
        auto a = audit::Record(tx, ctx,
                               {.action = "token.create",
                                .object_type = "api_token",
                                .object_id = t.token.id,
                                .summary = {{"name", name},
                                            {"permissions", ToArray(perms)},
                                            {"expires_at", t.token.expires_at}}},
                               t.token.created_at);
        if (!a) return Fail(a.error());
        return {};
    });
    if (!r) return Fail(r.error());
    return t;
}

Result<std::vector<ApiToken>> TokenService::List(const Context& ctx) {
    if (!ctx.actor) return Fail(NotAuthenticated());
    auto rows = db_.Query(
        "SELECT id, name, permissions, expires_at, created_at, last_used_at, revoked_at "
        "FROM api_tokens WHERE person_id = ? ORDER BY created_at DESC, id",
        {ctx.actor->person_id});
    if (!rows) return Fail(rows.error());
    std::vector<ApiToken> out;
    for (const auto& r : rows->rows) {
        ApiToken t;
        t.id = r.Text(0);
        t.name = r.Text(1);
        t.permissions = ParseList(r.Text(2));
        t.expires_at = r.Text(3);
        t.created_at = r.Text(4);
        t.last_used_at = r.OptText(5).value_or("");
        t.revoked = !r.IsNull(6);
        out.push_back(std::move(t));
    }
    return out;
}

Result<void> TokenService::Revoke(const Context& ctx, const std::string& id) {
    if (!ctx.actor) return Fail(NotAuthenticated());
    const std::string now = FormatRfc3339(clock_.Now());
    return db_.Transact([&](store::Tx& tx) -> Result<void> {
        auto u = tx.Exec(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND person_id = ? AND "
            "revoked_at IS NULL",
            {now, id, ctx.actor->person_id});
        if (!u) return Fail(u.error());
        if (*u == 0) return Fail(Error::NotFound("そのトークンはありません"));
        auto a = audit::Record(
            tx, ctx, {.action = "token.revoke", .object_type = "api_token", .object_id = id}, now);
        if (!a) return Fail(a.error());
        return {};
    });
}

Result<TokenIdentity> TokenService::Authenticate(const std::string& secret) {
    if (secret.rfind(kPrefix, 0) != 0 || secret.size() > 100) return Fail(NotAuthenticated());
    const auto now_tp = clock_.Now();
    const std::string now = FormatRfc3339(now_tp);
    const std::string hash = AuthService::HashToken(secret);
    auto rows = db_.Query(
        "SELECT t.id, t.person_id, t.permissions, t.expires_at, t.revoked_at, t.last_used_at, "
        "p.status FROM api_tokens t JOIN people p ON p.id = t.person_id WHERE t.token_hash = ?",
        {hash});
    if (!rows) return Fail(rows.error());
    if (rows->rows.empty()) return Fail(NotAuthenticated());
    const auto& r = rows->rows[0];
    if (!r.IsNull(4) || r.Text(3) <= now || r.Text(6) != "active") return Fail(NotAuthenticated());
    // Usage is recorded at most once a minute, so automation does not write on every call.
    if (r.OptText(5).value_or("") <= FormatRfc3339(now_tp - std::chrono::minutes(1)))
        (void)db_.Query("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", {now, r.Text(0)});
    return TokenIdentity{r.Text(1), r.Text(0), ParseList(r.Text(2))};
}

}  // namespace mamori::auth
