#pragma once

#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace mamori {

/// The kinds of expected failure. Each maps to one HTTP status and one JSON error code
/// (see http/message.cpp), so a service never needs to know about HTTP.
enum class ErrorKind {
    kInvalidInput,     ///< 400: the caller sent something malformed; `field` names it.
    kUnauthenticated,  ///< 401
    kForbidden,        ///< 403
    kNotFound,         ///< 404
    kConflict,         ///< 409: duplicate, or a state transition not allowed.
    kTooLarge,         ///< 413
    kRuleViolation,    ///< 422: a policy rule refused it (e.g. separation of duties).
    kLocked,           ///< 423
    kRateLimited,      ///< 429
    kUnavailable,      ///< 503: a dependency (the database) does not answer.
    kInternal,         ///< 500: a bug or an environment failure; details go to the log only.
};

/// An expected failure: a kind, a stable snake_case code, a message for people and an
/// optional field name. Messages never contain secrets.
struct Error {
    ErrorKind kind = ErrorKind::kInternal;
    std::string code;
    std::string message;
    std::string field;

    static Error Invalid(std::string code, std::string message, std::string field = {}) {
        return {ErrorKind::kInvalidInput, std::move(code), std::move(message), std::move(field)};
    }
    static Error NotFound(std::string message) {
        return {ErrorKind::kNotFound, "not_found", std::move(message), {}};
    }
    static Error Conflict(std::string code, std::string message) {
        return {ErrorKind::kConflict, std::move(code), std::move(message), {}};
    }
    static Error Unavailable(std::string message) {
        return {ErrorKind::kUnavailable, "unavailable", std::move(message), {}};
    }
    static Error Internal(std::string message) {
        return {ErrorKind::kInternal, "internal", std::move(message), {}};
    }
};

/// `Result<T>` carries a value or an Error. Check it; never ignore it.
template <typename T>
using Result = tl::expected<T, Error>;

/// Shorthand for returning an error from a function that returns Result<T>.
inline tl::unexpected<Error> Fail(Error e) { return tl::unexpected<Error>(std::move(e)); }

}  // namespace mamori
