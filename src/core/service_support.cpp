#include "core/service_support.h"

#include <algorithm>

#include "core/crypto.h"

namespace mamori::service {

std::string NewId() { return crypto::Hex(crypto::RandomBytes(16)); }

Error Forbidden() {
    return Error{ErrorKind::kForbidden, "forbidden", "この操作を行う権限がありません", {}};
}

Result<const Principal*> ActorOf(const Context& ctx) {
    if (!ctx.actor)
        return Fail(
            Error{ErrorKind::kUnauthenticated, "unauthenticated", "ログインしてください", {}});
    return ctx.actor;
}

int ClampLimit(int limit, int max) { return std::clamp(limit <= 0 ? 50 : limit, 1, max); }

std::string LikePattern(std::string_view q) {
    std::string out = "%";
    for (char c : q) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    out += '%';
    return out;
}

}  // namespace mamori::service
