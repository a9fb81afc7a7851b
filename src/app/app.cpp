#include "app/app.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include "app/routes.h"
#include "assets/assets_service.h"
#include "assets/demo.h"
#include "assets/register.h"
#include "audit/audit.h"
#include "auth/auth_routes.h"
#include "auth/auth_service.h"
#include "auth/password.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/logging.h"
#include "core/version.h"
#include "http/server.h"
#include "incidents/demo.h"
#include "incidents/incidents_service.h"
#include "ledger/ledger_service.h"
#include "mail/smtp.h"
#include "org/access.h"
#include "org/demo.h"
#include "org/org_service.h"
#include "org/roles.h"
#include "policy/catalog.h"
#include "policy/policy_routes.h"
#include "policy/policy_service.h"
#include "store/migrate.h"
#include "store/postgres/pg_database.h"
#include "store/read_cache.h"
#include "store/sqlite/sqlite_database.h"
#include "workflow/demo.h"
#include "workflow/workflow_service.h"

namespace fs = std::filesystem;

namespace mamori::app {

Result<Config> LoadConfig(const fs::path& data_dir) {
    std::error_code ec;
    if (!fs::is_directory(data_dir, ec))
        return Fail(Error::Invalid("data_dir_missing",
                                   "データディレクトリがありません / data directory not found: " +
                                       data_dir.string() + " (mamori init --data DIR で作成)"));
    const fs::path file = data_dir / kConfigFile;
    auto report = ReadConfigFile(file);
    if (!report.problems.empty())
        return Fail(
            Error::Invalid("config_invalid", FormatProblems(file.string(), report.problems)));
    report.config.data_dir = fs::absolute(data_dir);
    return report.config;
}

Result<std::unique_ptr<store::Database>> OpenDatabase(const Config& config, SchemaMode mode) {
    Result<std::unique_ptr<store::Database>> db;
    if (config.database == DatabaseKind::kSqlite) {
        if (access(config.SqlitePath().parent_path().c_str(), W_OK) != 0)
            return Fail(Error::Unavailable("データディレクトリに書き込めません / cannot write to " +
                                           config.SqlitePath().parent_path().string()));
        db = store::OpenSqlite(
            {config.SqlitePath(), config.sqlite.pool_size, config.sqlite.busy_timeout_ms});
    } else {
        db = store::OpenPostgres({config.postgresql.url, config.postgresql.pool_size});
    }
    if (!db) return db;
    if (mode == SchemaMode::kLeaveAsIs) {
        auto v = store::SchemaVersion(**db);
        const int known = store::BuiltinMigrations().back().version;
        if (v && *v > known) {
            (*db)->Close();
            return Fail(Error::Conflict(
                "schema_too_new",
                fmt::format("the database schema is version {}, newer than this mamori knows "
                            "(version {}); use a newer mamori binary",
                            *v, known)));
        }
        if (!v) {
            (*db)->Close();
            return Fail(v.error());
        }
        return db;
    }
    auto m = store::Migrate(**db, store::BuiltinMigrations());
    if (!m) {
        (*db)->Close();
        return Fail(m.error());
    }
    if (m->to_version != m->from_version)
        spdlog::info("database schema migrated from version {} to {}", m->from_version,
                     m->to_version);
    // Events recorded before the ledger existed become its first leaves.
    auto caught_up = ledger::CatchUp(**db);
    if (!caught_up) {
        (*db)->Close();
        return Fail(caught_up.error());
    }
    if (*caught_up > 0) spdlog::info("ledger: added {} earlier audit events", *caught_up);
    return db;
}

namespace {

std::string LedgerOrigin(const std::string& installation_id) {
    return "mamori/" + installation_id.substr(0, 16);
}

// The ledger's key; an installation made before the ledger existed gets one now.
Result<ledger::Signer> LedgerKey(const Config& config, store::Database& db) {
    auto key = ledger::LoadKey(config.data_dir);
    if (key || key.error().kind != ErrorKind::kNotFound) return key;
    auto id = db.Query("SELECT value FROM installation WHERE key = 'installation_id'");
    if (!id) return Fail(id.error());
    const std::string installation =
        id->rows.empty() ? crypto::Hex(crypto::RandomBytes(8)) : id->rows[0].Text(0);
    spdlog::warn("ledger: no signing key yet; creating {}",
                 ledger::KeyFile(config.data_dir).string());
    return ledger::CreateKey(config.data_dir, LedgerOrigin(installation));
}

}  // namespace

fs::path ResolveWebRoot(const Config& config) {
    if (!config.server.web_root.empty()) {
        fs::path p(config.server.web_root);
        return p.is_absolute() ? p : config.data_dir / p;
    }
    if (const char* env = std::getenv("MAMORI_WEB_ROOT"); env && *env) return env;
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        for (fs::path candidate :
             {exe.parent_path() / "../share/mamori/web", exe.parent_path() / "../../web/dist"}) {
            if (fs::is_regular_file(candidate / "index.html", ec))
                return fs::weakly_canonical(candidate, ec);
        }
    }
    return {};
}

Result<InitResult> InitDataDir(const InitOptions& o) {
    // The policy catalog is checked before anything is created: a bad catalog leaves no
    // half-made data directory behind.
    policy::CatalogFiles catalog_files = policy::BuiltinCatalogFiles();
    if (!o.policy_dir.empty()) {
        auto files = policy::ReadCatalogDir(o.policy_dir);
        if (!files) return Fail(files.error());
        catalog_files = std::move(*files);
    }
    if (auto checked = policy::Catalog::Parse(catalog_files); !checked)
        return Fail(checked.error());
    std::error_code ec;
    if (fs::exists(o.data_dir, ec) && !fs::is_empty(o.data_dir, ec))
        return Fail(
            Error::Conflict("data_dir_exists",
                            "データディレクトリは既にあります。上書きしません / refusing to "
                            "overwrite the existing data directory " +
                                o.data_dir.string()));
    const bool created = !fs::exists(o.data_dir, ec);
    fs::create_directories(o.data_dir / "keys", ec);
    if (ec)
        return Fail(Error::Unavailable("データディレクトリを作成できません / cannot create " +
                                       o.data_dir.string() + ": " + ec.message()));
    auto undo = [&] {
        std::error_code ignored;
        if (created) {
            fs::remove_all(o.data_dir, ignored);
        } else {
            for (auto& e : fs::directory_iterator(o.data_dir, ignored)) fs::remove_all(e, ignored);
        }
    };
    fs::permissions(o.data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    fs::permissions(o.data_dir / "keys", fs::perms::owner_all, fs::perm_options::replace, ec);

    // The config may hold a database password: readable by the owner only.
    const fs::path config_file = o.data_dir / kConfigFile;
    {
        std::ofstream out(config_file, std::ios::binary);
        out << DefaultConfigText(o.database, o.postgresql_url);
        if (!out) {
            undo();
            return Fail(Error::Unavailable("cannot write " + config_file.string()));
        }
    }
    fs::permissions(config_file, fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace, ec);

    auto config = LoadConfig(o.data_dir);
    if (!config) {
        undo();
        return Fail(config.error());
    }
    auto db = OpenDatabase(*config, SchemaMode::kMigrate);
    if (!db) {
        undo();
        return Fail(db.error());
    }

    InitResult result;
    std::string password = o.admin_password;
    if (password.empty()) {
        password = crypto::GeneratePassword(16);
        result.admin_password = password;
    }
    auto hash = auth::HashPassword(password);
    if (!hash) {
        (*db)->Close();
        undo();
        return Fail(hash.error());
    }
    result.installation_id = crypto::Hex(crypto::RandomBytes(16));
    const std::string now = FormatRfc3339(std::chrono::system_clock::now());
    auto written = (*db)->Transact([&](store::Tx& tx) -> Result<void> {
        // An installation that already has accounts was initialised before (e.g. a shared
        // PostgreSQL database): refuse rather than add a second administrator.
        auto existing = tx.Query("SELECT COUNT(*) FROM people");
        if (!existing) return Fail(existing.error());
        if (existing->rows[0].Int(0) > 0)
            return Fail(Error::Conflict("database_not_empty",
                                        "データベースは既に初期化されています / the database "
                                        "already holds an installation"));
        for (const auto& [k, v] : std::initializer_list<std::pair<const char*, std::string>>{
                 {"installation_id", result.installation_id},
                 {"created_at", now},
                 {"created_by_version", kVersion},
                 {"demo", o.demo ? "true" : "false"}}) {
            if (auto r = tx.Exec("INSERT INTO installation (key, value) VALUES (?, ?)", {k, v}); !r)
                return Fail(r.error());
        }
        const std::string admin_id = crypto::Hex(crypto::RandomBytes(16));
        auto r = tx.Exec(
            "INSERT INTO people (id, username, display_name, password_hash, password_changed_at, "
            "must_change_password, is_platform_admin, status, created_at, updated_at) "
            "VALUES (?, 'admin', ?, ?, ?, 1, 1, 'active', ?, ?)",
            {admin_id, "プラットフォーム管理者", *hash, now, now, now});
        if (!r) return Fail(r.error());
        const Context system{nullptr, "init", "local"};
        auto a = audit::Record(tx, system,
                               {.actor_name = "(mamori init)",
                                .action = "person.create",
                                .object_type = "person",
                                .object_id = admin_id,
                                .summary = {{"username", "admin"},
                                            {"platform_admin", true},
                                            {"demo_installation", o.demo}}},
                               now);
        if (!a) return Fail(a.error());
        return {};
    });
    if (written && o.demo) {
        std::string demo_password = o.demo_password;
        if (demo_password.empty()) {
            demo_password = crypto::GeneratePassword(12);
            result.demo_password = demo_password;
        }
        SystemClock clock;
        if (auto seeded = org::SeedDemo(**db, clock, demo_password); !seeded)
            written = Fail(seeded.error());
    }
    if (written) {
        // The ledger's signing key, named by the log's origin (docs/ledger.md).
        auto key = ledger::CreateKey(o.data_dir, LedgerOrigin(result.installation_id));
        if (key)
            result.ledger_public_key = key->verifier().Format();
        else
            written = Fail(key.error());
    }
    if (written) {
        SystemClock clock;
        policy::PolicyService policies(**db, clock, org::RoleCatalog::Builtin());
        const Context system{nullptr, "init", "local"};
        auto loaded = policies.Load(system, catalog_files);
        if (loaded)
            result.policy_version = loaded->version;
        else
            written = Fail(loaded.error());
        // The demo registers need the catalog in force (levels, zones, consistency checks).
        if (written && o.demo) {
            if (auto seeded = assets::SeedDemoAssets(**db, clock, org::RoleCatalog::Builtin(),
                                                     assets::CatalogSourceOf(policies));
                !seeded)
                written = Fail(seeded.error());
            else {
                workflow::AttachmentStore files(**db, clock, o.data_dir / "attachments",
                                                10 * 1024 * 1024);
                if (auto requests =
                        workflow::SeedDemoRequests(**db, clock, org::RoleCatalog::Builtin(),
                                                   assets::CatalogSourceOf(policies), &files);
                    !requests)
                    written = Fail(requests.error());
                else if (auto incidents =
                             incidents::SeedDemoIncidents(**db, clock, org::RoleCatalog::Builtin(),
                                                          assets::CatalogSourceOf(policies));
                         !incidents)
                    written = Fail(incidents.error());
            }
        }
    }
    (*db)->Close();
    if (!written) {
        undo();
        return Fail(written.error());
    }
    return result;
}

int Serve(const fs::path& data_dir, const std::optional<std::string>& listen) {
    auto config = LoadConfig(data_dir);
    if (!config) {
        std::fprintf(stderr, "mamori: %s\n", config.error().message.c_str());
        return 1;
    }
    if (listen) config->server.listen = *listen;
    InitLogging(config->log.level);

    const auto& s = config->server;
    auto address = ParseListen(s.listen);
    if (!address) {
        std::fprintf(stderr, "mamori: --listen %s\n", address.error().message.c_str());
        return 2;
    }
    http::ServerOptions opt;
    opt.host = address->host;
    opt.port = address->port;
    opt.io_threads = s.io_threads;
    opt.worker_threads = s.worker_threads;
    opt.max_header_bytes = s.max_header_bytes;
    opt.max_body_bytes = s.max_body_bytes;
    opt.max_json_depth = s.max_json_depth;
    opt.read_timeout = std::chrono::seconds(s.read_timeout_seconds);
    opt.idle_timeout = std::chrono::seconds(s.idle_timeout_seconds);
    opt.access_log = config->log.access_log;
    opt.trust_forwarded_for = s.trust_forwarded_for;
    if (config->TlsEnabled()) {
        auto abs = [&](const std::string& p) {
            fs::path f(p);
            return (f.is_absolute() ? f : config->data_dir / f).string();
        };
        opt.tls_certificate_file = abs(s.tls_certificate);
        opt.tls_private_key_file = abs(s.tls_private_key);
    }

    auto db = OpenDatabase(*config, SchemaMode::kMigrate);
    if (!db) {
        spdlog::error("cannot open the database: {}", db.error().message);
        return 1;
    }
    if (auto filled = assets::IndexAssetText(**db); !filled)
        spdlog::warn("indexing asset text failed: {}", filled.error().message);
    else if (*filled > 0)
        spdlog::info("indexed the text of {} assets for search", *filled);
    assets::AnalyseRegister(**db);

    for (const auto& role : config->auth.mfa_required_roles) {
        if (!org::RoleCatalog::Builtin().Find(role)) {
            spdlog::error("auth.mfa_required_roles: unknown role {}", role);
            (*db)->Close();
            return 1;
        }
    }
    // The areas, wired: every service gets the database, the clock and its rules here.
    store::Database& database = **db;
    SystemClock clock;
    const auto& catalog = org::RoleCatalog::Builtin();
    const auth::PasswordPolicy password_policy{
        config->auth.password_min_length, config->auth.password_min_classes,
        config->auth.password_history, config->auth.password_max_age_days};
    auth::AuthOptions auth_options;
    auth_options.password = password_policy;
    auth_options.lockout_threshold = config->auth.lockout_threshold;
    auth_options.lockout_minutes = config->auth.lockout_minutes;
    auth_options.session_idle = std::chrono::minutes(config->auth.session_idle_minutes);
    auth_options.session_absolute = std::chrono::hours(config->auth.session_absolute_hours);
    auth_options.elevation = std::chrono::minutes(config->auth.elevation_minutes);
    auth_options.login_attempts_per_minute = config->auth.login_attempts_per_minute;
    auth_options.mfa_required_roles = config->auth.mfa_required_roles;
    auth_options.banner = config->auth.login_banner;
    const std::chrono::milliseconds read_cache =
        std::chrono::seconds(config->server.read_cache_seconds);
    auth_options.read_cache = read_cache;
    // Who a person is and what they may do is read for every request: keep it while
    // nothing changes (store::ReadCache), per person and day (appointments start and end
    // on dates).
    store::ReadCache<Principal> principals(database, read_cache, 10000);
    auth::PrincipalLoader loader = [&database, &catalog, &clock,
                                    &principals](const std::string& id) -> Result<Principal> {
        const std::string today = org::TodayJst(clock.Now());
        const std::string key = id + "@" + today;
        if (auto hit = principals.Get(key)) return *hit;
        const auto generation = principals.Generation();
        auto p = org::LoadPrincipal(database, catalog, id, today);
        if (p) principals.Put(key, *p, generation);
        return p;
    };
    auth::AuthService auth_service(database, clock, auth_options, loader);
    auth::AuthRouteOptions route_options;
    route_options.secure_cookie = config->TlsEnabled() || config->auth.secure_cookie;
    auth::TokenService token_service(database, clock, route_options.elevated_permissions);
    org::OrgService org_service(database, clock, catalog, password_policy);
    policy::PolicyService policy_service(database, clock, catalog);
    auto ledger_key = LedgerKey(*config, database);
    if (!ledger_key) {
        spdlog::error("{}", ledger_key.error().message);
        (*db)->Close();
        return 1;
    }
    ledger::LedgerOptions ledger_options{
        config->ledger.checkpoint_every_events, config->ledger.checkpoint_every_seconds, {}};
    if (!config->ledger.external_file.empty()) {
        const fs::path ext = config->ledger.external_file;
        ledger_options.external_file = ext.is_absolute() ? ext : config->data_dir / ext;
    }
    ledger::LedgerService ledger_service(database, clock, std::move(*ledger_key), ledger_options);

    assets::AssetsService assets_service(database, clock, catalog,
                                         assets::CatalogSourceOf(policy_service));
    assets::Registers registers(assets_service, database);
    workflow::WorkflowService workflow_service(database, clock, catalog,
                                               assets::CatalogSourceOf(policy_service));
    workflow::ExceptionsLedger exceptions_ledger(database, clock, catalog, workflow_service);
    if (const std::string& system = config->auth.elevation_approval_system; !system.empty()) {
        auto found = database.Query("SELECT name FROM systems WHERE id = ?", {system});
        if (!found || found->rows.empty()) {
            spdlog::error(
                "auth.elevation_approval_system: no system with id {} in the register; set "
                "the id of the register's entry for mamori, or leave it empty",
                system);
            (*db)->Close();
            return 1;
        }
        spdlog::info("elevation needs an approved 特権ID利用 for {}", found->rows[0].Text(0));
        auth_service.RequireApprovalForElevation(
            [&workflow_service, system](
                const std::string& person_id,
                const std::string& username) -> Result<std::optional<auth::ElevationGrant>> {
                auto g = workflow_service.ActiveGrant(person_id, system, username);
                if (!g) return Fail(g.error());
                if (!*g) return std::optional<auth::ElevationGrant>();
                return std::optional<auth::ElevationGrant>(
                    auth::ElevationGrant{(*g)->number, (*g)->ends_at});
            });
    }
    workflow::AttachmentStore attachments(
        database, clock, config->data_dir / "attachments",
        static_cast<std::size_t>(config->workflow.attachment_max_megabytes) * 1024 * 1024);
    // Approvals whose validity period has ended expire now, then hourly (below).
    if (auto expired = workflow_service.ExpireDue(); !expired)
        spdlog::error("expiring approvals: {}", expired.error().message);
    else if (*expired > 0)
        spdlog::info("{} approvals expired", *expired);

    std::unique_ptr<mail::SmtpSender> smtp;
    if (!config->mail.smtp_url.empty()) {
        mail::SmtpSettings ms{config->mail.smtp_url,
                              config->mail.from,
                              config->mail.username,
                              "",
                              config->mail.require_tls,
                              config->mail.timeout_seconds,
                              ""};
        if (!config->mail.password_file.empty()) {
            fs::path p = config->mail.password_file;
            if (!p.is_absolute()) p = config->data_dir / p;
            std::ifstream in(p, std::ios::binary);
            std::getline(in, ms.password);
            if (!in && ms.password.empty()) {
                spdlog::error("mail.password_file: cannot read {}", p.string());
                (*db)->Close();
                return 1;
            }
        }
        smtp = std::make_unique<mail::SmtpSender>(std::move(ms));
        spdlog::info("incident notifications are also mailed through {}", config->mail.smtp_url);
    }
    // Notification mail goes out on a thread of its own, never on a request's; the queue is
    // emptied (joined) before the database closes.
    boost::asio::thread_pool mail_thread(1);
    incidents::Later later = [&mail_thread](std::function<void()> job) {
        boost::asio::post(mail_thread, std::move(job));
    };
    incidents::Mailer mailer;
    if (smtp)
        mailer = [&smtp](const std::string& to, const std::string& subject,
                         const std::string& body) {
            auto sent = smtp->Send(to, subject, body);
            if (sent) return std::string("sent");
            spdlog::warn("notification mail to {}: {}", to, sent.error().message);
            return std::string("failed");
        };
    incidents::IncidentsService incidents_service(database, clock, catalog,
                                                  assets::CatalogSourceOf(policy_service),
                                                  std::move(mailer), std::move(later));

    http::Router router;
    Services services{database,         auth_service,      token_service,  org_service,
                      policy_service,   ledger_service,    assets_service, registers,
                      workflow_service, exceptions_ledger, attachments,    incidents_service,
                      route_options,    read_cache};
    AddRoutes(router, services);

    const fs::path web_root = ResolveWebRoot(*config);
    auto files = http::StaticFiles::Load(web_root);
    if (files->has_ui())
        spdlog::info("web UI: {} files from {}", files->file_count(), web_root.string());
    else
        spdlog::warn("web UI not found (run `make build`); serving the API only");

    int code = 0;
    {
        http::Server server(
            opt, router, std::move(files),
            auth::MakeAuthorizer(auth_service, token_service, loader, route_options));
        if (auto l = server.Listen(); !l) {
            spdlog::error("{}", l.error().message);
            (*db)->Close();
            return 1;
        }
        const std::string host =
            opt.host.find(':') != std::string::npos ? "[" + opt.host + "]" : opt.host;
        std::printf("mamori: serving on %s://%s:%u/\n", config->TlsEnabled() ? "https" : "http",
                    host.c_str(), server.port());
        std::fflush(stdout);
        spdlog::info("mamori {} serving on {}:{} (database: {})", kVersion, host, server.port(),
                     config->database == DatabaseKind::kSqlite ? "sqlite" : "postgresql");
        // Signed tree heads every N events or T seconds, and one more at a clean stop; and
        // hourly, approvals whose validity has ended expire.
        std::jthread checkpoints(
            [&ledger_service, &workflow_service, &attachments](std::stop_token stop) {
                std::mutex m;
                std::condition_variable_any cv;
                for (int second = 1; !stop.stop_requested(); ++second) {
                    std::unique_lock lock(m);
                    cv.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
                    if (stop.stop_requested()) break;
                    if (auto c = ledger_service.CheckpointIfDue(false); !c)
                        spdlog::error("ledger checkpoint: {}", c.error().message);
                    if (second % 3600 == 0) {
                        if (auto e = workflow_service.ExpireDue(); !e)
                            spdlog::error("expiring approvals: {}", e.error().message);
                        if (auto d = attachments.DiscardUnattached(); !d)
                            spdlog::error("discarding unattached uploads: {}", d.error().message);
                    }
                }
            });
        server.Run(true);
        checkpoints.request_stop();
        checkpoints.join();
        if (auto c = ledger_service.CheckpointIfDue(true); !c)
            spdlog::error("ledger checkpoint at shutdown: {}", c.error().message);
        else if (*c)
            spdlog::info("ledger: checkpoint of {} events at shutdown", (*c)->tree_size);
    }
    mail_thread.join();  // the notifications still queued are sent
    (*db)->Close();
    spdlog::info("stopped cleanly");
    spdlog::shutdown();
    return code;
}

}  // namespace mamori::app
