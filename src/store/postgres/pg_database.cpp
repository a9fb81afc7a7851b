#include "store/postgres/pg_database.h"

#include <libpq-fe.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "store/dialect.h"
#include "store/pool.h"

extern char** environ;

namespace mamori::store {

namespace {

// Type OIDs from PostgreSQL's pg_type.dat; stable across versions.
constexpr Oid kBoolOid = 16, kByteaOid = 17, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23,
              kFloat4Oid = 700, kFloat8Oid = 701, kNumericOid = 1700;

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

Error ErrorFrom(PGconn* conn, const PGresult* res) {
    if (PQstatus(conn) != CONNECTION_OK)
        return Error::Unavailable("the PostgreSQL connection was lost");
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string sqlstate = state ? state : "";
    if (sqlstate == "23505")
        return Error::Conflict("duplicate", "a record with the same key already exists");
    if (sqlstate == "23503")
        return Error::Conflict("reference",
                               "the record refers to, or is referred to by, another record");
    if (sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P03")
        return Error::Unavailable("PostgreSQL is not available (" + sqlstate + ")");
    std::string msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return Error::Internal("PostgreSQL " + sqlstate + ": " + msg);
}

std::string Unhex(const char* s, std::size_t n) {
    // bytea text output is "\x" followed by hex digits.
    std::string out;
    if (n < 2) return out;
    auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return c - 'A' + 10;
    };
    out.reserve((n - 2) / 2);
    for (std::size_t i = 2; i + 1 < n; i += 2)
        out.push_back(static_cast<char>(nib(s[i]) << 4 | nib(s[i + 1])));
    return out;
}

class PgConnection final : public Connection {
  public:
    explicit PgConnection(PGconn* c) : conn_(c) {}
    ~PgConnection() override { PQfinish(conn_); }

    Result<ResultSet> Run(std::string_view sql, std::span<const Value> params) override {
        auto name = Prepare(sql);
        if (!name) return Fail(name.error());
        std::vector<std::string> text(params.size());
        std::vector<const char*> values(params.size());
        std::vector<int> lengths(params.size());
        std::vector<int> formats(params.size());
        for (std::size_t i = 0; i < params.size(); ++i) {
            std::visit(
                [&](const auto& v) {
                    using T = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<T, std::monostate>) {
                        values[i] = nullptr;
                    } else if constexpr (std::is_same_v<T, std::int64_t>) {
                        text[i] = std::to_string(v);
                        values[i] = text[i].c_str();
                    } else if constexpr (std::is_same_v<T, double>) {
                        char buf[64];
                        std::snprintf(buf, sizeof buf, "%.17g", v);
                        text[i] = buf;
                        values[i] = text[i].c_str();
                    } else if constexpr (std::is_same_v<T, std::string>) {
                        values[i] = v.c_str();
                    } else {
                        values[i] = v.bytes.data();
                        lengths[i] = static_cast<int>(v.bytes.size());
                        formats[i] = 1;  // binary
                    }
                },
                params[i].variant());
        }
        PgResult res(PQexecPrepared(conn_, name->c_str(), static_cast<int>(params.size()),
                                    values.data(), lengths.data(), formats.data(), 0));
        const auto status = PQresultStatus(res.get());
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            Error e = ErrorFrom(conn_, res.get());
            // A statement cached on a broken connection is gone with it.
            if (PQstatus(conn_) != CONNECTION_OK) cache_.clear();
            return Fail(std::move(e));
        }
        return ReadResult(res.get());
    }

    Result<void> RunScript(std::string_view sql) override {
        PgResult res(PQexec(conn_, std::string(sql).c_str()));
        const auto status = PQresultStatus(res.get());
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
            return Fail(ErrorFrom(conn_, res.get()));
        return {};
    }

    Result<void> Begin() override { return RunScript("BEGIN"); }
    Result<void> Commit() override { return RunScript("COMMIT"); }
    void Rollback() override {
        if (PQtransactionStatus(conn_) != PQTRANS_IDLE) (void)RunScript("ROLLBACK");
    }
    bool Healthy() const override { return PQstatus(conn_) == CONNECTION_OK; }

  private:
    Result<std::string> Prepare(std::string_view sql) {
        std::string key(sql);
        if (auto it = cache_.find(key); it != cache_.end()) return it->second;
        std::string name = "s" + std::to_string(cache_.size() + 1);
        PgResult res(PQprepare(conn_, name.c_str(), NumberPlaceholders(sql).c_str(), 0, nullptr));
        if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return Fail(ErrorFrom(conn_, res.get()));
        cache_.emplace(std::move(key), name);
        return name;
    }

    static ResultSet ReadResult(PGresult* r) {
        ResultSet rs;
        const int nf = PQnfields(r), nt = PQntuples(r);
        std::vector<Oid> types(static_cast<std::size_t>(nf));
        for (int c = 0; c < nf; ++c) {
            rs.columns.emplace_back(PQfname(r, c));
            types[static_cast<std::size_t>(c)] = PQftype(r, c);
        }
        rs.rows.reserve(static_cast<std::size_t>(nt));
        for (int t = 0; t < nt; ++t) {
            std::vector<Value> row;
            row.reserve(static_cast<std::size_t>(nf));
            for (int c = 0; c < nf; ++c) {
                if (PQgetisnull(r, t, c)) {
                    row.emplace_back(nullptr);
                    continue;
                }
                const char* v = PQgetvalue(r, t, c);
                const auto len = static_cast<std::size_t>(PQgetlength(r, t, c));
                switch (types[static_cast<std::size_t>(c)]) {
                    case kInt2Oid:
                    case kInt4Oid:
                    case kInt8Oid:
                        row.emplace_back(std::strtoll(v, nullptr, 10));
                        break;
                    case kBoolOid:
                        row.emplace_back(static_cast<long long>(v[0] == 't' ? 1 : 0));
                        break;
                    case kNumericOid:
                        // SUM/COUNT-like results over integers are NUMERIC here but INTEGER in
                        // SQLite; read whole numbers as integers so both backends agree.
                        if (std::strpbrk(v, ".eEN") == nullptr && len < 19) {
                            row.emplace_back(std::strtoll(v, nullptr, 10));
                            break;
                        }
                        row.emplace_back(std::strtod(v, nullptr));
                        break;
                    case kFloat4Oid:
                    case kFloat8Oid:
                        row.emplace_back(std::strtod(v, nullptr));
                        break;
                    case kByteaOid:
                        row.emplace_back(Blob{Unhex(v, len)});
                        break;
                    default:
                        row.emplace_back(std::string(v, len));
                }
            }
            rs.rows.emplace_back(std::move(row));
        }
        const char* affected = PQcmdTuples(r);
        rs.affected = (affected && *affected) ? std::strtoll(affected, nullptr, 10) : 0;
        if (nf > 0) rs.affected = 0;  // a SELECT or RETURNING: count only writes without rows
        return rs;
    }

    PGconn* conn_;
    std::unordered_map<std::string, std::string> cache_;
};

Result<std::unique_ptr<Connection>> Connect(const std::string& url) {
    // connect_timeout first, so a value in the URL wins; dbname is expanded as a URI.
    const char* keys[] = {"connect_timeout", "client_encoding", "dbname", nullptr};
    const char* vals[] = {"5", "UTF8", url.c_str(), nullptr};
    PGconn* c = PQconnectdbParams(keys, vals, 1);
    if (!c) return Fail(Error::Unavailable("out of memory connecting to PostgreSQL"));
    if (PQstatus(c) != CONNECTION_OK) {
        std::string msg = PQerrorMessage(c);
        while (!msg.empty() && msg.back() == '\n') msg.pop_back();
        PQfinish(c);
        return Fail(
            Error::Unavailable("cannot connect to PostgreSQL at " + RedactUrl(url) + ": " + msg));
    }
    auto conn = std::make_unique<PgConnection>(c);
    // UTC everywhere; times are stored as RFC 3339 text anyway.
    if (auto r = conn->RunScript("SET TIME ZONE 'UTC'"); !r) return Fail(r.error());
    return std::unique_ptr<Connection>(std::move(conn));
}

/// libpq environment variables (PGHOST, PGPASSWORD, …) for a URL, so that child programs get
/// the password through their environment rather than their command line.
Result<std::vector<std::string>> EnvironmentFor(const std::string& url) {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
    if (!opts) {
        std::string msg = err ? err : "invalid URL";
        PQfreemem(err);
        return Fail(Error::Invalid("invalid_url", "invalid PostgreSQL URL: " + msg));
    }
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
        if (std::strncmp(*e, "PG", 2) != 0) env.emplace_back(*e);
    for (PQconninfoOption* o = opts; o->keyword; ++o) {
        if (o->val && *o->val && o->envvar) env.push_back(std::string(o->envvar) + "=" + o->val);
    }
    PQconninfoFree(opts);
    return env;
}

std::string PgBinary(const std::string& name) {
    // Prefer the newest server version's tools so pg_dump is never older than the server.
    for (int v = 20; v >= 12; --v) {
        std::string p = "/usr/lib/postgresql/" + std::to_string(v) + "/bin/" + name;
        if (access(p.c_str(), X_OK) == 0) return p;
    }
    return name;
}

Result<void> RunTool(const std::string& url, std::vector<std::string> args) {
    auto env = EnvironmentFor(url);
    if (!env) return Fail(env.error());
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : *env) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), envp.data()) != 0)
        return Fail(Error::Internal("cannot start " + args[0]));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return Fail(Error::Internal(args[0] + " failed (exit status " +
                                    std::to_string(WEXITSTATUS(status)) + ")"));
    return {};
}

class PgDatabase final : public PooledDatabase {
  public:
    explicit PgDatabase(PostgresOptions o)
        : PooledDatabase([url = o.url] { return Connect(url); }, o.pool_size), url_(o.url) {}

    Backend backend() const override { return Backend::kPostgresql; }

    Result<void> DumpTo(const std::filesystem::path& file) override {
        // pg_dump takes one snapshot, so the dump is consistent while others write.
        return RunTool(url_, {PgBinary("pg_dump"), "--format=plain", "--no-owner",
                              "--no-privileges", "--file=" + file.string()});
    }

  private:
    std::string url_;
};

}  // namespace

std::string RedactUrl(const std::string& url) {
    // postgresql://user:password@host → postgresql://user:***@host
    auto scheme = url.find("://");
    auto at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
    if (scheme == std::string::npos || at == std::string::npos) return url;
    auto colon = url.find(':', scheme + 3);
    if (colon == std::string::npos || colon > at) return url;
    return url.substr(0, colon + 1) + "***" + url.substr(at);
}

Result<std::unique_ptr<Database>> OpenPostgres(const PostgresOptions& options) {
    auto db = std::make_unique<PgDatabase>(options);
    if (auto p = db->Ping(); !p) return Fail(p.error());
    return std::unique_ptr<Database>(std::move(db));
}

Result<void> RestorePostgres(const std::string& url, const std::filesystem::path& dump) {
    return RunTool(url, {PgBinary("psql"), "--quiet", "--no-psqlrc", "--set=ON_ERROR_STOP=1",
                         "--single-transaction", "--file=" + dump.string()});
}

}  // namespace mamori::store
