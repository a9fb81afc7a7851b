#include "core/config.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>

namespace mamori {

namespace {

int LineOf(const YAML::Node& n) { return n.Mark().is_null() ? 0 : n.Mark().line + 1; }

/// Walks one mapping, reading the keys it knows and reporting the rest.
class MapReader {
  public:
    MapReader(const YAML::Node& node, std::string prefix, std::vector<ConfigProblem>& problems)
        : node_(node), prefix_(std::move(prefix)), problems_(problems) {}

    bool IsMap() const { return node_.IsMap(); }

    void Int(const std::string& key, int& out, long min, long max) {
        auto n = Take(key);
        if (!n) return;
        if (!n.IsScalar()) return Problem(key, n, "must be a whole number");
        const std::string& s = n.Scalar();
        long v = 0;
        std::size_t used = 0;
        try {
            v = std::stol(s, &used);
        } catch (...) {
            used = 0;
        }
        if (used == 0 || used != s.size()) return Problem(key, n, "must be a whole number");
        if (v < min || v > max)
            return Problem(key, n, fmt::format("must be between {} and {}", min, max));
        out = static_cast<int>(v);
    }

    void Size(const std::string& key, std::size_t& out, long min, long max) {
        int v = static_cast<int>(out);
        Int(key, v, min, max);
        out = static_cast<std::size_t>(v);
    }

    void Bool(const std::string& key, bool& out) {
        auto n = Take(key);
        if (!n) return;
        bool v = false;
        if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v))
            return Problem(key, n, "must be true or false");
        out = v;
    }

    void String(const std::string& key, std::string& out) {
        auto n = Take(key);
        if (!n) return;
        if (n.IsNull()) {
            out.clear();
            return;
        }
        if (!n.IsScalar()) return Problem(key, n, "must be a text value");
        out = n.Scalar();
    }

    void Choice(const std::string& key, std::string& out,
                std::initializer_list<const char*> allowed) {
        auto n = Take(key);
        if (!n) return;
        if (n.IsScalar()) {
            for (const char* a : allowed) {
                if (n.Scalar() == a) {
                    out = a;
                    return;
                }
            }
        }
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        Problem(key, n, "must be one of: " + list);
    }

    void StringList(const std::string& key, std::vector<std::string>& out) {
        auto n = Take(key);
        if (!n) return;
        if (!n.IsSequence()) return Problem(key, n, "must be a list of text values");
        std::vector<std::string> v;
        for (const auto& item : n) {
            if (!item.IsScalar()) return Problem(key, item, "must be a list of text values");
            v.push_back(item.Scalar());
        }
        out = std::move(v);
    }

    /// A nested mapping, or an empty node when absent.
    MapReader Sub(const std::string& key) {
        auto n = Take(key);
        if (n && !n.IsMap() && !n.IsNull()) Problem(key, n, "must be a mapping of keys");
        return MapReader(n && n.IsMap() ? n : YAML::Node(), prefix_ + key + ".", problems_);
    }

    /// Reports every key that no reader asked for.
    void RejectUnknown() {
        if (!node_.IsMap()) return;
        for (const auto& kv : node_) {
            const std::string key = kv.first.Scalar();
            if (!seen_.count(key))
                problems_.push_back({prefix_ + key, LineOf(kv.first), "unknown key"});
        }
    }

  private:
    YAML::Node Take(const std::string& key) {
        seen_[key] = true;
        if (!node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
        YAML::Node n = node_[key];
        return n.IsDefined() ? n : YAML::Node(YAML::NodeType::Undefined);
    }
    void Problem(const std::string& key, const YAML::Node& n, std::string msg) {
        problems_.push_back({prefix_ + key, LineOf(n), std::move(msg)});
    }

    YAML::Node node_;
    std::string prefix_;
    std::vector<ConfigProblem>& problems_;
    std::map<std::string, bool> seen_;
};

/// Escapes text for a double-quoted YAML scalar.
std::string YamlEscape(const std::string& s) {
    std::string out;
    for (char ch : s) {
        if (ch == '"' || ch == '\\') out.push_back('\\');
        out.push_back(ch);
    }
    return out;
}

}  // namespace

Result<ListenAddress> ParseListen(const std::string& listen) {
    auto bad = [] {
        return Fail(Error::Invalid("invalid_listen",
                                   "must be IP:PORT, e.g. 127.0.0.1:8080 or [::1]:8080 "
                                   "(an IP address, not a host name)"));
    };
    auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0) return bad();
    std::string host = listen.substr(0, colon);
    const std::string port = listen.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535)
        return bad();
    unsigned char buf[sizeof(in6_addr)];
    if (inet_pton(AF_INET, host.c_str(), buf) != 1 && inet_pton(AF_INET6, host.c_str(), buf) != 1)
        return bad();
    return ListenAddress{host, static_cast<unsigned short>(std::stoi(port))};
}

std::filesystem::path Config::SqlitePath() const {
    std::filesystem::path p(sqlite.file);
    return p.is_absolute() ? p : data_dir / p;
}

ConfigReport ParseConfig(const std::string& text, const std::filesystem::path& data_dir) {
    ConfigReport report;
    report.config.data_dir = data_dir;
    auto& c = report.config;
    auto& problems = report.problems;

    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        problems.push_back(
            {"(file)", e.mark.is_null() ? 0 : e.mark.line + 1, "not valid YAML: " + e.msg});
        return report;
    }
    if (!root.IsMap()) {
        problems.push_back({"(file)", LineOf(root), "must be a mapping of keys"});
        return report;
    }

    MapReader top(root, "", problems);
    {
        MapReader s = top.Sub("server");
        s.String("listen", c.server.listen);
        s.Int("io_threads", c.server.io_threads, 1, 64);
        s.Int("worker_threads", c.server.worker_threads, 1, 256);
        s.String("web_root", c.server.web_root);
        s.Bool("trust_forwarded_for", c.server.trust_forwarded_for);
        s.Int("read_cache_seconds", c.server.read_cache_seconds, 0, 300);
        MapReader lim = s.Sub("limits");
        lim.Size("max_header_bytes", c.server.max_header_bytes, 1024, 1024 * 1024);
        lim.Size("max_body_bytes", c.server.max_body_bytes, 1024, 1024L * 1024 * 1024);
        lim.Int("max_json_depth", c.server.max_json_depth, 2, 256);
        lim.RejectUnknown();
        MapReader t = s.Sub("timeouts");
        t.Int("read_seconds", c.server.read_timeout_seconds, 1, 3600);
        t.Int("idle_seconds", c.server.idle_timeout_seconds, 1, 86400);
        t.RejectUnknown();
        MapReader tls = s.Sub("tls");
        tls.String("certificate", c.server.tls_certificate);
        tls.String("private_key", c.server.tls_private_key);
        tls.RejectUnknown();
        s.RejectUnknown();
        if (auto l = ParseListen(c.server.listen); !l)
            problems.push_back(
                {"server.listen", LineOf(root["server"]["listen"]), l.error().message});
        if (c.server.tls_certificate.empty() != c.server.tls_private_key.empty())
            problems.push_back({"server.tls", LineOf(root["server"]["tls"]),
                                "certificate and private_key must be set together"});
        for (const auto* f : {&c.server.tls_certificate, &c.server.tls_private_key}) {
            if (f->empty()) continue;
            std::filesystem::path p(*f);
            if (!p.is_absolute()) p = data_dir / p;
            std::error_code ec;
            if (!std::filesystem::is_regular_file(p, ec))
                problems.push_back({f == &c.server.tls_certificate ? "server.tls.certificate"
                                                                   : "server.tls.private_key",
                                    LineOf(root["server"]["tls"]),
                                    "file not found: " + p.string()});
        }
    }
    {
        std::string db = "sqlite";
        top.Choice("database", db, {"sqlite", "postgresql"});
        c.database = db == "postgresql" ? DatabaseKind::kPostgresql : DatabaseKind::kSqlite;
        MapReader sq = top.Sub("sqlite");
        sq.String("file", c.sqlite.file);
        sq.Int("busy_timeout_ms", c.sqlite.busy_timeout_ms, 0, 600000);
        sq.Int("pool_size", c.sqlite.pool_size, 1, 64);
        sq.RejectUnknown();
        MapReader pg = top.Sub("postgresql");
        pg.String("url", c.postgresql.url);
        pg.Int("pool_size", c.postgresql.pool_size, 1, 256);
        pg.RejectUnknown();
        if (c.database == DatabaseKind::kSqlite && c.sqlite.file.empty())
            problems.push_back({"sqlite.file", LineOf(root["sqlite"]), "must not be empty"});
        if (c.database == DatabaseKind::kPostgresql &&
            c.postgresql.url.rfind("postgresql://", 0) != 0 &&
            c.postgresql.url.rfind("postgres://", 0) != 0)
            problems.push_back({"postgresql.url", LineOf(root["postgresql"]),
                                "must be a URL starting with postgresql:// when database is "
                                "postgresql"});
    }
    {
        MapReader a = top.Sub("auth");
        a.String("login_banner", c.auth.login_banner);
        MapReader pw = a.Sub("password");
        pw.Int("min_length", c.auth.password_min_length, 4, 128);
        pw.Int("min_classes", c.auth.password_min_classes, 1, 4);
        pw.Int("history", c.auth.password_history, 0, 24);
        pw.Int("max_age_days", c.auth.password_max_age_days, 0, 3650);
        pw.RejectUnknown();
        MapReader lo = a.Sub("lockout");
        lo.Int("threshold", c.auth.lockout_threshold, 1, 100);
        lo.Int("minutes", c.auth.lockout_minutes, 0, 10080);
        lo.RejectUnknown();
        MapReader se = a.Sub("session");
        se.Int("idle_minutes", c.auth.session_idle_minutes, 1, 1440);
        se.Int("absolute_hours", c.auth.session_absolute_hours, 1, 168);
        se.RejectUnknown();
        a.Int("elevation_minutes", c.auth.elevation_minutes, 1, 240);
        a.String("elevation_approval_system", c.auth.elevation_approval_system);
        a.Int("login_attempts_per_minute", c.auth.login_attempts_per_minute, 1, 10000);
        a.Bool("secure_cookie", c.auth.secure_cookie);
        a.StringList("mfa_required_roles", c.auth.mfa_required_roles);
        a.RejectUnknown();
    }
    {
        MapReader l = top.Sub("log");
        l.Choice("level", c.log.level, {"trace", "debug", "info", "warn", "error"});
        l.Bool("access_log", c.log.access_log);
        l.RejectUnknown();
        MapReader lg = top.Sub("ledger");
        lg.Int("checkpoint_every_events", c.ledger.checkpoint_every_events, 1, 1000000);
        lg.Int("checkpoint_every_seconds", c.ledger.checkpoint_every_seconds, 1, 86400);
        lg.String("external_file", c.ledger.external_file);
        lg.RejectUnknown();
        MapReader wf = top.Sub("workflow");
        wf.Int("attachment_max_megabytes", c.workflow.attachment_max_megabytes, 1, 100);
        wf.RejectUnknown();
        MapReader m = top.Sub("mail");
        m.String("smtp_url", c.mail.smtp_url);
        m.String("from", c.mail.from);
        m.String("username", c.mail.username);
        m.String("password_file", c.mail.password_file);
        m.Bool("require_tls", c.mail.require_tls);
        m.Int("timeout_seconds", c.mail.timeout_seconds, 1, 120);
        m.RejectUnknown();
        const auto line = LineOf(root["mail"]);
        const std::string& url = c.mail.smtp_url;
        if (!url.empty() && url.rfind("smtp://", 0) != 0 && url.rfind("smtps://", 0) != 0)
            problems.push_back({"mail.smtp_url", line, "must start with smtp:// or smtps://"});
        if (!url.empty() && c.mail.from.find('@') == std::string::npos)
            problems.push_back({"mail.from", line, "a sender address is required with smtp_url"});
        if (!c.mail.username.empty() && c.mail.password_file.empty())
            problems.push_back({"mail.password_file", line, "required with username"});
        if (!c.mail.password_file.empty()) {
            std::filesystem::path p(c.mail.password_file);
            if (!p.is_absolute()) p = data_dir / p;
            std::error_code ec;
            if (!std::filesystem::is_regular_file(p, ec))
                problems.push_back({"mail.password_file", line, "file not found: " + p.string()});
        }
    }
    top.RejectUnknown();
    return report;
}

ConfigReport ReadConfigFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ConfigReport r;
        r.config.data_dir = path.parent_path();
        r.problems.push_back({"(file)", 0, "cannot read " + path.string()});
        return r;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return ParseConfig(ss.str(), path.parent_path());
}

std::string FormatProblems(const std::string& file_name, const std::vector<ConfigProblem>& ps) {
    std::string out;
    for (const auto& p : ps) {
        out += p.line > 0 ? fmt::format("{}:{}: {}: {}\n", file_name, p.line, p.key, p.message)
                          : fmt::format("{}: {}: {}\n", file_name, p.key, p.message);
    }
    return out;
}

std::string DefaultConfigText(DatabaseKind kind, const std::string& postgresql_url) {
    return fmt::format(R"(# mamori の設定ファイル / mamori configuration
# `mamori check-config --data DIR` で内容を検査できます。値を変えたらサーバを再起動してください。
# Check with `mamori check-config --data DIR`; restart the server after a change.

server:
  # 待ち受けるアドレスとポート。外部公開はリバースプロキシ経由を推奨 (docs/operations.md)。
  # Address to listen on. Put a reverse proxy in front for outside access.
  listen: "127.0.0.1:8080"
  # ネットワーク I/O のスレッド数 / threads for network I/O (never blocked by the database)
  io_threads: 2
  # データベース処理のスレッド数 / threads that run database work for requests
  worker_threads: 4
  # 画面 (web/dist) のフォルダ。空なら自動で探します / built web UI folder; empty = automatic
  web_root: ""
  # リバースプロキシの X-Forwarded-For を信じて利用者のアドレスとする (プロキシの内側でだけ true)
  # Use the last X-Forwarded-For entry as the client address (true only behind a reverse proxy)
  trust_forwarded_for: false
  # 読み取った内容 (セッション・権限・一覧) を使い回す秒数。この mamori での変更は即座に反映されます。
  # 同じ PostgreSQL を共有する別の mamori での変更が見えるまでの上限です。0 = 毎回読む
  # Seconds a read (session, permissions, list page) may be reused; changes made through this
  # process show at once. Bounds how long changes by another process sharing PostgreSQL go unseen.
  read_cache_seconds: 5
  limits:
    max_header_bytes: 16384     # リクエストヘッダの上限 / request header limit (431 beyond)
    max_body_bytes: 1048576     # リクエスト本文の上限 / request body limit (413 beyond)
    max_json_depth: 32          # JSON の入れ子の深さの上限 / JSON nesting limit (400 beyond)
  timeouts:
    read_seconds: 15            # リクエスト全体の受信期限 / a whole request must arrive in this
    idle_seconds: 60            # 待機中の接続を閉じるまで / idle keep-alive connections close after
  tls:
    # 両方を設定すると HTTPS で待ち受けます (PEM 形式、相対パスはこのフォルダから)。
    # Set both to serve HTTPS (PEM files; relative paths are from this folder).
    certificate: ""
    private_key: ""

# データベース: sqlite (このフォルダ内のファイル) または postgresql
# Database: sqlite (a file in this folder) or postgresql
database: {}

sqlite:
  file: mamori.db
  busy_timeout_ms: 5000
  pool_size: 4

postgresql:
  # 例 / e.g. postgresql://mamori:secret@127.0.0.1:5432/mamori
  url: "{}"
  pool_size: 8

auth:
  # ログイン画面に表示する注意文 (対策基準 8-2(4)) / banner shown before login
  login_banner: "このシステムは業務のために利用が許可された者だけが使用できます。操作はすべて記録されます。"
  password:                # 対策基準 7-4
    min_length: 8          # 最小文字数 / minimum characters
    min_classes: 3         # 英大文字・英小文字・数字・記号のうち何種類 / of upper, lower, digit, symbol
    history: 5             # 直近何回分の再利用を禁止 / previous passwords that may not be reused
    max_age_days: 365      # 有効期間 (0 = 無期限) / validity; 0 = never expires
  lockout:
    threshold: 5           # 連続失敗でロック / consecutive failures before the account locks
    minutes: 30            # ロック時間 (0 = 管理者が解除するまで) / 0 = until an administrator unlocks
  session:
    idle_minutes: 30       # 無操作でログアウト / idle timeout
    absolute_hours: 12     # ログインの最長時間 / absolute lifetime
  elevation_minutes: 30    # 特権操作の昇格の最長時間 (対策基準 8-2(6)) / longest elevation
  # 台帳で mamori 自身を表す情報システムの ID。設定すると、昇格には、そのシステムで自分の
  # ユーザー名を特権IDとする「特権IDの利用」の承認 (期間中) が必要になります。空 = 不要。
  # The system register's id for mamori itself: when set, elevating needs an approved
  # 特権ID利用 for it, in force today, naming one's own user name. Empty = not needed.
  elevation_approval_system: ""
  login_attempts_per_minute: 20   # 同じアドレスからのログイン試行の上限 (超えると 429)
  secure_cookie: false     # TLS をプロキシで終端するときは true / true when a proxy terminates TLS
  # 多要素認証を必須とする役割 / roles that must use MFA (TOTP)
  mfa_required_roles: [ciso, general_manager, department_officer, section_manager, system_manager,
                       system_staff, committee_member, csirt_member, auditor, platform_admin]

log:
  level: info        # trace, debug, info, warn, error
  access_log: true   # 1 リクエスト 1 行のアクセスログ / one line per request

# 監査記録の改ざん検知 (台帳)。署名付きチェックポイントを作る間隔と、写しを追記するファイル。
# The tamper-evident ledger: how often a signed checkpoint is made, and a file (e.g. on another
# machine or a WORM volume) to which every checkpoint is also appended.
ledger:
  checkpoint_every_events: 1000   # この件数ごと / after this many audit events
  checkpoint_every_seconds: 60    # またはこの秒数ごと / or after this many seconds
  external_file: ""               # 例 / e.g. /mnt/worm/mamori-checkpoints.txt

# 申請と承認 / applications and approvals
workflow:
  attachment_max_megabytes: 10    # 添付ファイル 1 件の上限 (MB) / largest attached file

# メール (インシデントの通知)。smtp_url が空なら画面の通知だけ。
# Outgoing mail for incident notifications; with smtp_url empty, notifications are in-app only.
mail:
  smtp_url: ""          # 例 / e.g. smtp://mail.city.lg.jp:587 (STARTTLS) or smtps://…:465
  from: ""              # 例 / e.g. mamori@city.lg.jp
  username: ""          # 認証しないなら空 / empty: no authentication
  password_file: ""     # パスワードだけを書いたファイル (0600) / a file holding only the password
  require_tls: true     # STARTTLS できなければ送らない / send only over TLS
  timeout_seconds: 10
)",
                       kind == DatabaseKind::kPostgresql ? "postgresql" : "sqlite",
                       YamlEscape(postgresql_url));
}

}  // namespace mamori
