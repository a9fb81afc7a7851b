#pragma once

#include <string>
#include <string_view>

#include "core/error.h"
#include "core/principal.h"

namespace mamori::service {

// Small pieces every area's service uses in the same way (org, assets, …).

/// A new opaque id: 128 random bits in hex.
std::string NewId();

/// 403 "forbidden": the permission is missing or the object is out of the caller's scope.
Error Forbidden();

/// The acting principal, or 401 "unauthenticated" when the call has none.
[[nodiscard]] Result<const Principal*> ActorOf(const Context& ctx);

/// A page size: 50 when unset (≤ 0), otherwise within [1, max].
int ClampLimit(int limit, int max);

/// `%q%` for LIKE with `%`, `_` and `\` escaped by a backslash (use with ESCAPE '\').
std::string LikePattern(std::string_view q);

}  // namespace mamori::service
