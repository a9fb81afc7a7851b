#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace mamori::http {

/// Where a route's handler runs. Anything that touches the database or the disk runs on
/// the worker pool; only handlers that answer from memory may run on the I/O threads.
enum class RunOn { kWorker, kIo };

/// The permission that names routes anyone may call without logging in.
inline constexpr std::string_view kPublic = "public";

using Handler = std::function<Response(Request&)>;

/// One route: method, pattern ("/api/v1/units/{id}"), the permission it needs, where it
/// runs, and its handler. Every route names its permission; there is no default.
struct Route {
    Method method;
    std::string pattern;
    std::string permission;
    RunOn run_on = RunOn::kWorker;
    Handler handler;
    /// The largest request body this route takes; 0 = the server's max_body_bytes. Only a
    /// route that takes file uploads (a register import) sets it higher.
    std::size_t max_body_bytes = 0;
};

/// Matches decoded path segments against route patterns. `{name}` matches exactly one
/// non-empty segment. Literal segments win over parameters. Built once at start-up, then
/// read-only, so it is safe to use from many threads.
class Router {
  public:
    /// Adds a route. Throws std::logic_error on a duplicate method and pattern (a wiring bug).
    void Add(Route route);

    struct Match {
        const Route* route = nullptr;  ///< Null when nothing matched.
        bool path_known = false;       ///< The path matched another method (→ 405).
        std::string allow;             ///< The methods the path does accept, for `Allow`.
        std::vector<std::pair<std::string, std::string>> params;
    };
    Match Find(Method method, const std::vector<std::string>& segments) const;

    const std::vector<Route>& routes() const { return routes_; }

  private:
    struct Compiled {
        std::vector<std::string> parts;  // literal, or "{name}"
    };
    std::vector<Route> routes_;
    std::vector<Compiled> compiled_;
};

/// Splits a pattern into segments ("/a/{b}" → {"a","{b}"}).
std::vector<std::string> SplitPattern(std::string_view pattern);

}  // namespace mamori::http
