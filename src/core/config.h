#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"

namespace mamori {

enum class DatabaseKind { kSqlite, kPostgresql };

/// Everything `DIR/mamori.yaml` can say. Defaults here are the documented defaults; the
/// file written by `mamori init` repeats them with comments.
struct Config {
    std::filesystem::path data_dir;  ///< Not in the file: the directory the file is in.

    struct Server {
        std::string listen = "127.0.0.1:8080";
        int io_threads = 2;      ///< Threads that run the network I/O (never blocked).
        int worker_threads = 4;  ///< Threads that run database work for requests.
        std::string web_root;    ///< Folder of the built web UI; empty = found automatically.
        std::size_t max_header_bytes = 16 * 1024;
        std::size_t max_body_bytes = 1024 * 1024;
        int max_json_depth = 32;
        int read_timeout_seconds = 15;  ///< Whole request (headers and body) must arrive in this.
        int idle_timeout_seconds = 60;  ///< Keep-alive connection closed after this idle time.
        /// Take the client address from the last X-Forwarded-For entry (only behind a
        /// reverse proxy that sets it; otherwise clients could claim any address).
        bool trust_forwarded_for = false;
        /// How long what was read for a request (a session, a principal, a list page) may
        /// be reused. Changes made through this process invalidate it at once; the time only
        /// bounds how long changes by another process on the same PostgreSQL go unseen.
        /// 0 = read everything on every request.
        int read_cache_seconds = 5;
        std::string tls_certificate;  ///< PEM file; TLS is on when this and the key are set.
        std::string tls_private_key;
    } server;

    DatabaseKind database = DatabaseKind::kSqlite;
    struct Sqlite {
        std::string file = "mamori.db";  ///< Relative to the data directory.
        int busy_timeout_ms = 5000;
        int pool_size = 4;
    } sqlite;
    struct Postgresql {
        std::string url;  ///< postgresql://user:password@host:port/dbname
        int pool_size = 8;
    } postgresql;

    struct Log {
        std::string level = "info";  ///< trace, debug, info, warn, error
        bool access_log = true;
    } log;

    /// The tamper-evident ledger over the audit events (docs/ledger.md).
    struct Ledger {
        int checkpoint_every_events = 1000;  ///< sign a tree head after this many events…
        int checkpoint_every_seconds = 60;   ///< …or after this long (if any were added)
        std::string external_file;  ///< also append every checkpoint here (another machine)
    } ledger;

    /// Login and session rules (対策基準 7-4, 8-2).
    struct Auth {
        std::string login_banner =
            "このシステムは業務のために利用が許可された者だけが使用できます。"
            "操作はすべて記録されます。";
        int password_min_length = 8;
        int password_min_classes = 3;
        int password_history = 5;
        int password_max_age_days = 365;
        int lockout_threshold = 5;
        int lockout_minutes = 30;  ///< 0: locked until an administrator unlocks
        int session_idle_minutes = 30;
        int session_absolute_hours = 12;
        int elevation_minutes = 30;
        /// The id of the system register's entry for mamori itself. When set, a person may
        /// elevate only while they hold an approved 特権ID利用 for that system whose ID is
        /// their own user name (docs/workflow.md "Privileged IDs"). Empty: no approval needed.
        std::string elevation_approval_system;
        int login_attempts_per_minute = 20;  ///< Per client address; beyond it 429.
        bool secure_cookie = false;          ///< Force the Secure flag (TLS at a proxy).
        std::vector<std::string> mfa_required_roles = {
            "ciso",           "general_manager", "department_officer", "section_manager",
            "system_manager", "system_staff",    "committee_member",   "csirt_member",
            "auditor",        "platform_admin"};
    } auth;

    /// Applications and approvals (docs/workflow.md).
    struct Workflow {
        int attachment_max_megabytes = 10;  ///< one attached file at most
    } workflow;

    /// Outgoing mail (incident notifications). No smtp_url: no mail, notifications in-app only.
    struct Mail {
        std::string smtp_url;  ///< smtp://host:587 (STARTTLS) or smtps://host:465
        std::string from;      ///< sender address; required with smtp_url
        std::string username;  ///< empty: no authentication
        std::string
            password_file;  ///< the password, alone in a file (0600); relative to the data dir
        bool require_tls = true;  ///< smtp://: send only after STARTTLS
        int timeout_seconds = 10;
    } mail;

    bool TlsEnabled() const { return !server.tls_certificate.empty(); }
    /// The SQLite file as an absolute path.
    std::filesystem::path SqlitePath() const;
};

/// A listening address: an IP literal (v4, or v6 with or without brackets) and a port.
struct ListenAddress {
    std::string host;
    unsigned short port = 0;
};

/// Parses "127.0.0.1:8080" or "[::1]:8080". Host names are refused: the server binds an
/// address, and a name could resolve to several.
[[nodiscard]] Result<ListenAddress> ParseListen(const std::string& listen);

/// One problem found in a config file: the dotted key, the line (1-based, 0 if unknown)
/// and what is wrong.
struct ConfigProblem {
    std::string key;
    int line = 0;
    std::string message;
};

/// The result of reading a config file: the config as far as it could be read, and every
/// problem found. The config is usable only when `problems` is empty.
struct ConfigReport {
    Config config;
    std::vector<ConfigProblem> problems;
};

/// Reads and validates `path`. Never throws; a missing or unparsable file is a problem.
ConfigReport ReadConfigFile(const std::filesystem::path& path);

/// Parses config text (for tests and check-config). `data_dir` is recorded in the result.
ConfigReport ParseConfig(const std::string& text, const std::filesystem::path& data_dir);

/// The commented config file that `mamori init` writes.
std::string DefaultConfigText(DatabaseKind kind, const std::string& postgresql_url);

/// Formats problems one per line: "mamori.yaml:12: server.listen: …".
std::string FormatProblems(const std::string& file_name, const std::vector<ConfigProblem>& ps);

}  // namespace mamori
