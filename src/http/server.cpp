#include "http/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/crypto.h"

namespace mamori::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Sent on every response. The UI needs inline styles (Element Plus) but no inline scripts.
constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

Method ToMethod(bhttp::verb v) {
    switch (v) {
        case bhttp::verb::get:
            return Method::kGet;
        case bhttp::verb::head:
            return Method::kHead;
        case bhttp::verb::post:
            return Method::kPost;
        case bhttp::verb::put:
            return Method::kPut;
        case bhttp::verb::patch:
            return Method::kPatch;
        case bhttp::verb::delete_:
            return Method::kDelete;
        default:
            return Method::kOther;
    }
}

bool ValidRequestId(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
            return false;
    return true;
}

/// Runs `f` on the worker pool and resumes the calling coroutine on its own executor with
/// the result (or rethrows what `f` threw).
asio::awaitable<Response> OnWorker(asio::thread_pool& pool, std::function<Response()> f) {
    return asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr, Response)>(
        [&pool, f = std::move(f)](auto handler) mutable {
            asio::post(pool, [f = std::move(f), handler = std::move(handler)]() mutable {
                std::exception_ptr error;
                Response r;
                try {
                    r = f();
                } catch (...) {
                    error = std::current_exception();
                }
                auto ex = asio::get_associated_executor(handler);
                asio::dispatch(ex,
                               [handler = std::move(handler), error, r = std::move(r)]() mutable {
                                   std::move(handler)(error, std::move(r));
                               });
            });
        },
        asio::use_awaitable);
}

/// What the shutdown needs to know about one connection. Touched only on the connection's
/// strand, except `idle` which is read there too (the close request is posted to it).
struct Connection {
    bool idle = true;
    bool alive = true;
    tcp::socket* socket = nullptr;
};

}  // namespace

struct Server::Impl {
    Impl(ServerOptions o, const Router& r, std::unique_ptr<StaticFiles> f, Authorizer a)
        : opt(std::move(o)),
          router(r),
          files(std::move(f)),
          authorize(std::move(a)),
          ioc(opt.io_threads),
          workers(static_cast<std::size_t>(opt.worker_threads)),
          signals(ioc),
          grace(ioc),
          id_prefix(crypto::Hex(crypto::RandomBytes(4))) {
        for (const auto& route : router.routes())
            largest_body = std::max(largest_body, route.max_body_bytes);
    }

    ServerOptions opt;
    const Router& router;
    std::size_t largest_body = 0;  ///< the largest body any route takes
    std::unique_ptr<StaticFiles> files;
    Authorizer authorize;
    asio::io_context ioc;
    asio::thread_pool workers;
    asio::signal_set signals;
    asio::steady_timer grace;
    std::optional<tcp::acceptor> acceptor;
    std::optional<asio::ssl::context> tls;
    std::string id_prefix;
    std::atomic<std::uint64_t> next_request{0};
    std::atomic<bool> stopping{false};

    std::mutex mu;
    std::unordered_map<std::uint64_t, std::pair<std::shared_ptr<Connection>, asio::any_io_executor>>
        conns;                    // GUARDED_BY(mu)
    std::uint64_t next_conn = 0;  // GUARDED_BY(mu)

    std::string NewRequestId() { return fmt::format("{}-{:x}", id_prefix, ++next_request); }

    // --- request handling -------------------------------------------------------------

    /// The body limit for a request whose header has been read: the route's own limit when
    /// it sets a larger one, else the server's.
    std::size_t BodyLimitFor(const bhttp::request_parser<bhttp::string_body>::value_type& h) const {
        if (h.method() != bhttp::verb::post && h.method() != bhttp::verb::put)
            return opt.max_body_bytes;
        auto url = boost::urls::parse_origin_form(h.target());
        if (!url) return opt.max_body_bytes;
        std::vector<std::string> segments;
        for (auto seg : url->segments()) segments.emplace_back(seg);
        auto match = router.Find(ToMethod(h.method()), segments);
        if (!match.route || match.route->max_body_bytes <= opt.max_body_bytes)
            return opt.max_body_bytes;
        return match.route->max_body_bytes;
    }

    asio::awaitable<Response> Handle(bhttp::request<bhttp::string_body>& breq, Request& req) {
        req.method = ToMethod(breq.method());
        req.max_json_depth = opt.max_json_depth;
        auto incoming_id = breq["x-request-id"];
        req.request_id = ValidRequestId(incoming_id) ? std::string(incoming_id) : NewRequestId();

        auto url = boost::urls::parse_origin_form(breq.target());
        if (!url) {
            co_return ErrorResponse(Error::Invalid("invalid_target", "リクエストの URL が不正です"),
                                    req.request_id);
        }
        req.path = url->path();
        for (auto seg : url->segments()) req.segments.emplace_back(seg);
        for (auto p : url->params()) req.query.emplace_back(p.key, p.has_value ? p.value : "");
        req.headers.reserve(8);
        for (const auto& f : breq) {
            std::string name(f.name_string());
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            req.headers.emplace_back(std::move(name), std::string(f.value()));
        }
        req.body = std::move(breq.body());
        if (opt.trust_forwarded_for) {
            // The proxy appends the address it saw; earlier entries are the client's claims.
            if (auto xff = req.Header("x-forwarded-for")) {
                std::string_view last = *xff;
                if (auto comma = last.rfind(','); comma != std::string_view::npos)
                    last.remove_prefix(comma + 1);
                while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
                while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
                beast::error_code ec;
                auto ip = asio::ip::make_address(std::string(last), ec);
                if (!ec) req.client_address = ip.to_string();
            }
        }

        const bool api = !req.segments.empty() && req.segments[0] == "api";
        auto match = router.Find(req.method, req.segments);
        if (!match.route) {
            if (!api && (req.method == Method::kGet || req.method == Method::kHead))
                co_return files->Serve(req);
            if (match.path_known) {
                Response r = ErrorResponse(
                    Error::Invalid("method_not_allowed", "この URL にこのメソッドは使えません"),
                    req.request_id);
                r.status = 405;
                r.headers.emplace_back("Allow", match.allow);
                co_return r;
            }
            co_return ErrorResponse(Error::NotFound("該当する API がありません: " + req.path),
                                    req.request_id);
        }
        req.path_params = std::move(match.params);
        const Route& route = *match.route;
        const bool is_public = route.permission == kPublic;
        auto run = [this, &req, &route, is_public]() -> Response {
            try {
                if (!is_public) {
                    Result<void> ok = authorize ? authorize(req, route)
                                                : Fail(Error{ErrorKind::kUnauthenticated,
                                                             "unauthenticated",
                                                             "ログインが必要です",
                                                             {}});
                    if (!ok) return ErrorResponse(ok.error(), req.request_id);
                }
                return route.handler(req);
            } catch (const std::exception& e) {
                return ErrorResponse(Error::Internal(std::string("handler threw: ") + e.what()),
                                     req.request_id);
            }
        };
        if (route.run_on == RunOn::kIo && is_public) co_return run();
        co_return co_await OnWorker(workers, run);
    }

    bhttp::response<bhttp::string_body> ToBeast(Response&& r, unsigned version, bool keep_alive,
                                                bool head, const std::string& request_id,
                                                bool api) {
        bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
        res.set(bhttp::field::server, "mamori");
        if (!r.content_type.empty()) res.set(bhttp::field::content_type, r.content_type);
        res.set("X-Request-Id", request_id);
        res.set("X-Content-Type-Options", "nosniff");
        res.set("X-Frame-Options", "DENY");
        res.set("Referrer-Policy", "no-referrer");
        res.set("Content-Security-Policy", kCsp);
        res.set("Cross-Origin-Opener-Policy", "same-origin");
        if (tls) res.set("Strict-Transport-Security", "max-age=31536000");
        if (api) res.set(bhttp::field::cache_control, "no-store");
        for (auto& [k, v] : r.headers) res.set(k, v);
        res.keep_alive(keep_alive);
        const auto size = r.body.size();
        if (!head) res.body() = std::move(r.body);
        res.content_length(size);
        return res;
    }

    void AccessLog(const Request& req, int status, std::size_t bytes,
                   std::chrono::steady_clock::time_point start) {
        if (!opt.access_log) return;
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
        // The path only: query strings may carry search terms about people.
        spdlog::info("access id={} client={} {} {} status={} bytes={} ms={:.3f}", req.request_id,
                     req.client_address, MethodName(req.method), req.path, status, bytes,
                     static_cast<double>(us) / 1000.0);
    }

    // --- connections ------------------------------------------------------------------

    std::pair<std::uint64_t, std::shared_ptr<Connection>> Register(tcp::socket& s) {
        auto c = std::make_shared<Connection>();
        c->socket = &s;
        std::lock_guard lock(mu);
        const auto id = ++next_conn;
        conns.emplace(id, std::make_pair(c, s.get_executor()));
        return {id, c};
    }

    void Unregister(std::uint64_t id) {
        std::lock_guard lock(mu);
        conns.erase(id);
        if (stopping && conns.empty()) asio::post(ioc, [this] { grace.cancel(); });
    }

    /// Writes a bare error answer for a request that could not be read, then closes.
    template <class Stream>
    asio::awaitable<void> Refuse(Stream& stream, int status, Error e) {
        const std::string id = NewRequestId();
        Response r = ErrorResponse(e, id);
        r.status = status;
        auto res = ToBeast(std::move(r), 11, false, false, id, true);
        beast::get_lowest_layer(stream).expires_after(opt.read_timeout);
        co_await bhttp::async_write(stream, res, kTuple);
        spdlog::info("access id={} refused status={} reason={}", id, status, e.code);
    }

    template <class Stream>
    asio::awaitable<void> Session(Stream stream, std::string client) {
        auto& lowest = beast::get_lowest_layer(stream);
        auto [conn_id, conn] = Register(lowest.socket());
        beast::flat_buffer buffer;
        bool ok = true;
        if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
            lowest.expires_after(opt.read_timeout);
            auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
            ok = !ec;
        }
        while (ok && !stopping) {
            // Wait for the next request with the idle timeout; once it starts, the whole
            // request must arrive within the read timeout (slow clients are cut off).
            if (buffer.size() == 0) {
                conn->idle = true;
                lowest.expires_after(opt.idle_timeout);
                auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kTuple);
                conn->idle = false;
                if (ec) break;
                buffer.commit(n);
            }
            conn->idle = false;
            const auto start = std::chrono::steady_clock::now();
            bhttp::request_parser<bhttp::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(opt.max_header_bytes));
            // The header first, read with the largest limit any route allows, so that a
            // route taking uploads may take a larger body; then the request's own limit.
            parser.body_limit(std::max<std::uint64_t>(opt.max_body_bytes, largest_body));
            lowest.expires_after(opt.read_timeout);
            // (No structured bindings around these co_awaits: GCC 12 miscompiles them in a
            // nested scope of a coroutine.)
            auto header = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
            beast::error_code ec = std::get<0>(header);
            std::size_t body_limit = opt.max_body_bytes;
            if (!ec) {
                body_limit = BodyLimitFor(parser.get());
                const auto length = parser.content_length();
                if (length && *length > body_limit) {
                    ec = bhttp::error::body_limit;
                } else {
                    parser.body_limit(body_limit);
                    if (!parser.is_done()) {
                        auto body = co_await bhttp::async_read(stream, buffer, parser, kTuple);
                        ec = std::get<0>(body);
                    }
                }
            }
            // Each refusal's Error is a named local: GCC 12 destroys a temporary argument of
            // a co_awaited coroutine twice when it is built in the call.
            if (ec == bhttp::error::header_limit) {
                Error too_large{ErrorKind::kTooLarge,
                                "headers_too_large",
                                fmt::format("リクエストヘッダが大きすぎます (上限 {} バイト)",
                                            opt.max_header_bytes),
                                {}};
                co_await Refuse(stream, 431, std::move(too_large));
                break;
            }
            if (ec == bhttp::error::body_limit) {
                Error too_large{
                    ErrorKind::kTooLarge,
                    "body_too_large",
                    fmt::format("リクエスト本文が大きすぎます (上限 {} バイト)", body_limit),
                    {}};
                co_await Refuse(stream, 413, std::move(too_large));
                break;
            }
            if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream ||
                ec == asio::error::eof || ec == asio::error::connection_reset ||
                ec == asio::error::operation_aborted)
                break;
            if (ec) {
                Error malformed = Error::Invalid(
                    "malformed_request", "HTTP リクエストとして読めません: " + ec.message());
                co_await Refuse(stream, 400, std::move(malformed));
                break;
            }
            auto& breq = parser.get();
            const bool head = breq.method() == bhttp::verb::head;
            const unsigned version = breq.version();
            const bool keep_alive = breq.keep_alive();
            Request req;
            req.client_address = client;
            Response r = co_await Handle(breq, req);
            const int status = r.status;
            const bool api = !req.segments.empty() && req.segments[0] == "api";
            auto res =
                ToBeast(std::move(r), version, keep_alive && !stopping, head, req.request_id, api);
            const auto bytes = res.body().size();
            lowest.expires_after(opt.read_timeout);
            auto [wec, wn] = co_await bhttp::async_write(stream, res, kTuple);
            AccessLog(req, status, bytes, start);
            if (wec || !res.keep_alive()) break;
        }
        if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
            lowest.expires_after(std::chrono::seconds(2));
            co_await stream.async_shutdown(kTuple);
        } else {
            beast::error_code ignored;
            lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
        }
        conn->alive = false;
        Unregister(conn_id);
    }

    asio::awaitable<void> Accept() {
        while (acceptor && acceptor->is_open()) {
            auto [ec, socket] = co_await acceptor->async_accept(asio::make_strand(ioc), kTuple);
            if (ec) {
                if (ec == asio::error::operation_aborted || stopping) break;
                spdlog::warn("accept failed: {}", ec.message());
                continue;
            }
            beast::error_code ep_ec;
            auto ep = socket.remote_endpoint(ep_ec);
            std::string client = ep_ec ? "unknown" : ep.address().to_string();
            auto ex = socket.get_executor();
            if (tls) {
                asio::co_spawn(ex,
                               Session(beast::ssl_stream<beast::tcp_stream>(
                                           beast::tcp_stream(std::move(socket)), *tls),
                                       std::move(client)),
                               asio::detached);
            } else {
                asio::co_spawn(ex, Session(beast::tcp_stream(std::move(socket)), std::move(client)),
                               asio::detached);
            }
        }
    }

    void BeginShutdown() {
        if (stopping.exchange(true)) return;
        spdlog::info("shutting down: no new connections; finishing requests in flight");
        beast::error_code ec;
        if (acceptor) acceptor->close(ec);
        signals.cancel(ec);
        std::lock_guard lock(mu);
        for (auto& [id, entry] : conns) {
            auto c = entry.first;
            asio::post(entry.second, [c] {
                if (c->alive && c->idle) {
                    beast::error_code ignored;
                    c->socket->cancel(ignored);
                }
            });
        }
        if (conns.empty()) return;
        grace.expires_after(opt.shutdown_grace);
        grace.async_wait([this](beast::error_code e) {
            if (!e) {
                spdlog::warn("requests still running after {} s; stopping anyway",
                             opt.shutdown_grace.count());
                ioc.stop();
            }
        });
    }
};

Server::Server(ServerOptions options, const Router& router,
               std::unique_ptr<StaticFiles> static_files, Authorizer authorizer)
    : impl_(std::make_unique<Impl>(std::move(options), router, std::move(static_files),
                                   std::move(authorizer))) {}

Server::~Server() { impl_->workers.join(); }

Result<void> Server::Listen() {
    auto& o = impl_->opt;
    if (!o.tls_certificate_file.empty()) {
        try {
            asio::ssl::context ctx(asio::ssl::context::tls_server);
            ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                            asio::ssl::context::no_tlsv1_1);
            ctx.use_certificate_chain_file(o.tls_certificate_file);
            ctx.use_private_key_file(o.tls_private_key_file, asio::ssl::context::pem);
            impl_->tls.emplace(std::move(ctx));
        } catch (const std::exception& e) {
            return Fail(Error::Invalid("tls_files", std::string("cannot use the TLS certificate or "
                                                                "key: ") +
                                                        e.what()));
        }
    }
    beast::error_code ec;
    auto address = asio::ip::make_address(o.host, ec);
    if (ec) return Fail(Error::Invalid("listen_address", "invalid listen address " + o.host));
    tcp::endpoint ep(address, o.port);
    tcp::acceptor a(impl_->ioc);
    a.open(ep.protocol(), ec);
    if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(ep, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return Fail(Error::Unavailable(
            fmt::format("cannot listen on {}:{}: {}", o.host, o.port, ec.message())));
    impl_->acceptor.emplace(std::move(a));
    return {};
}

unsigned short Server::port() const {
    return impl_->acceptor ? impl_->acceptor->local_endpoint().port() : 0;
}

void Server::Run(bool handle_signals) {
    auto& i = *impl_;
    if (handle_signals) {
        i.signals.add(SIGINT);
        i.signals.add(SIGTERM);
        i.signals.async_wait([&i](beast::error_code ec, int) {
            if (!ec) i.BeginShutdown();
        });
    }
    asio::co_spawn(i.ioc, i.Accept(), asio::detached);
    std::vector<std::thread> threads;
    for (int t = 1; t < i.opt.io_threads; ++t) threads.emplace_back([&i] { i.ioc.run(); });
    i.ioc.run();
    for (auto& t : threads) t.join();
    i.workers.join();
}

void Server::Stop() {
    asio::post(impl_->ioc, [i = impl_.get()] { i->BeginShutdown(); });
}

}  // namespace mamori::http
