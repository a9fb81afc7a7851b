#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "http/message.h"
#include "http/router.h"
#include "http/static_files.h"

namespace mamori::http {

struct ServerOptions {
    std::string host = "127.0.0.1";
    unsigned short port = 8080;  ///< 0 picks a free port; see Server::port().
    int io_threads = 2;
    int worker_threads = 4;
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;
    int max_json_depth = 32;
    std::chrono::seconds read_timeout{15};
    std::chrono::seconds idle_timeout{60};
    std::chrono::seconds shutdown_grace{30};
    std::string tls_certificate_file;  ///< PEM; TLS is on when set.
    std::string tls_private_key_file;
    bool access_log = true;
    bool trust_forwarded_for = false;  ///< Client address from the last X-Forwarded-For entry.
};

/// Decides whether a request may use a route that is not public. Returns an Error
/// (401/403) to refuse. Runs on a worker thread. Without one, every non-public route is
/// refused with 401: deny by default.
using Authorizer = std::function<Result<void>(Request&, const Route&)>;

/// The HTTP server: Boost.Beast over Asio with C++20 coroutines.
///
/// A request flows: accept → read with limits and timeouts → parse the URL (Boost.URL) →
/// request id → route → authorizer → handler (on the worker pool unless the route runs on
/// I/O) → security headers → write → access log. Errors become the JSON error format in one
/// place (ErrorResponse). Unknown /api/ paths get a JSON 404; other GETs the web UI.
class Server {
  public:
    Server(ServerOptions options, const Router& router, std::unique_ptr<StaticFiles> static_files,
           Authorizer authorizer = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds the listening socket. Fails (kUnavailable) if the address is taken or invalid,
    /// or (kInvalidInput) if the TLS files cannot be read.
    [[nodiscard]] Result<void> Listen();
    /// The bound port (after Listen).
    unsigned short port() const;
    /// Serves until Stop() or SIGINT/SIGTERM (when `handle_signals`), then shuts down
    /// cleanly: stops accepting, lets in-flight requests finish (up to the grace period),
    /// closes idle connections, and returns.
    void Run(bool handle_signals);
    /// Asks Run() to shut down; safe from any thread.
    void Stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mamori::http
