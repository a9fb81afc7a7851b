// `mamori backup` and `mamori restore`: one .tar.gz holding manifest.json, mamori.yaml,
// keys/, attachments/ and the database (database/mamori.db for SQLite, database/dump.sql for
// PostgreSQL).
#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "app/app.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/version.h"
#include "store/migrate.h"
#include "store/postgres/pg_database.h"

namespace fs = std::filesystem;

namespace mamori::app {

namespace {

constexpr const char* kSqliteEntry = "database/mamori.db";
constexpr const char* kPostgresEntry = "database/dump.sql";
/// Folders of the data directory copied whole (attachments/ holds the files of applications).
constexpr const char* kFolders[] = {"keys", "attachments"};

std::string ReadFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

using crypto::Sha256Hex;

/// A temporary directory removed when it goes out of scope.
struct TempDir {
    fs::path path;
    explicit TempDir(const fs::path& near) {
        std::string tmpl = (near.parent_path() / ".mamori-XXXXXX").string();
        if (char* p = mkdtemp(tmpl.data())) path = p;
    }
    ~TempDir() {
        std::error_code ec;
        if (!path.empty()) fs::remove_all(path, ec);
    }
};

struct ArchiveWriter {
    archive* a = archive_write_new();
    ~ArchiveWriter() { archive_write_free(a); }
    Result<void> Add(const std::string& name, const std::string& data, int mode) {
        archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, name.c_str());
        archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, mode);
        archive_entry_set_mtime(e, std::time(nullptr), 0);
        int rc = archive_write_header(a, e);
        archive_entry_free(e);
        if (rc != ARCHIVE_OK ||
            archive_write_data(a, data.data(), data.size()) != static_cast<la_ssize_t>(data.size()))
            return Fail(Error::Unavailable(std::string("cannot write the backup: ") +
                                           archive_error_string(a)));
        return {};
    }
};

}  // namespace

Result<void> Backup(const fs::path& data_dir, const fs::path& to) {
    auto config = LoadConfig(data_dir);
    if (!config) return Fail(config.error());
    std::error_code ec;
    if (fs::exists(to, ec))
        return Fail(Error::Conflict("backup_exists",
                                    "既にあるファイルは上書きしません / refusing "
                                    "to overwrite " +
                                        to.string()));
    auto db = OpenDatabase(*config, SchemaMode::kLeaveAsIs);
    if (!db) return Fail(db.error());
    auto version = store::SchemaVersion(**db);
    if (!version) return Fail(version.error());

    TempDir tmp(fs::absolute(to));
    if (tmp.path.empty()) return Fail(Error::Unavailable("cannot create a temporary directory"));
    const bool sqlite = config->database == DatabaseKind::kSqlite;
    const fs::path dump = tmp.path / (sqlite ? "mamori.db" : "dump.sql");
    auto dumped = (*db)->DumpTo(dump);
    (*db)->Close();
    if (!dumped) return Fail(dumped.error());

    // Everything that goes in, with its content, so the manifest can list checksums.
    std::vector<std::tuple<std::string, std::string, int>> entries;
    entries.emplace_back(kConfigFile, ReadFile(data_dir / kConfigFile), 0600);
    // The keys, and the files attached to applications (their hashes are in the database;
    // half-written uploads, *.part, are left out).
    for (const char* folder : kFolders) {
        std::error_code fec;
        for (auto it = fs::recursive_directory_iterator(data_dir / folder, fec);
             !fec && it != fs::recursive_directory_iterator(); it.increment(fec)) {
            if (it->is_regular_file() && it->path().extension() != ".part")
                entries.emplace_back(
                    std::string(folder) + "/" +
                        fs::relative(it->path(), data_dir / folder).generic_string(),
                    ReadFile(it->path()), 0600);
        }
    }
    entries.emplace_back(sqlite ? kSqliteEntry : kPostgresEntry, ReadFile(dump), 0600);

    boost::json::object files;
    for (const auto& [name, data, mode] : entries) files[name] = Sha256Hex(data);
    boost::json::object manifest{
        {"format", "mamori-backup/1"},
        {"mamori_version", kVersion},
        {"schema_version", *version},
        {"database", sqlite ? "sqlite" : "postgresql"},
        {"created_at", FormatRfc3339(std::chrono::system_clock::now())},
        {"files", std::move(files)},
    };

    const fs::path partial = tmp.path / "backup.tar.gz";
    {
        ArchiveWriter w;
        archive_write_add_filter_gzip(w.a);
        archive_write_set_format_pax_restricted(w.a);
        if (archive_write_open_filename(w.a, partial.c_str()) != ARCHIVE_OK)
            return Fail(Error::Unavailable("cannot create " + to.string()));
        if (auto r = w.Add("manifest.json", boost::json::serialize(manifest) + "\n", 0644); !r)
            return r;
        for (const auto& [name, data, mode] : entries)
            if (auto r = w.Add(name, data, mode); !r) return r;
        if (archive_write_close(w.a) != ARCHIVE_OK)
            return Fail(Error::Unavailable(std::string("cannot finish the backup: ") +
                                           archive_error_string(w.a)));
    }
    fs::permissions(partial, fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace, ec);
    fs::rename(partial, to, ec);  // same directory: atomic, so no half-written backup
    if (ec) return Fail(Error::Unavailable("cannot move the backup into place: " + ec.message()));
    return {};
}

Result<void> Restore(const fs::path& from, const fs::path& data_dir,
                     const std::string& postgresql_url) {
    std::error_code ec;
    if (fs::exists(data_dir, ec))
        return Fail(
            Error::Conflict("data_dir_exists",
                            "復元先は新しいディレクトリを指定してください / restore needs a "
                            "new directory; " +
                                data_dir.string() + " exists"));

    // Read every entry into memory first, checking names, so nothing is written if the
    // archive is damaged.
    std::map<std::string, std::string> entries;
    {
        archive* a = archive_read_new();
        archive_read_support_filter_gzip(a);
        archive_read_support_format_tar(a);
        std::unique_ptr<archive, int (*)(archive*)> guard(a, archive_read_free);
        if (archive_read_open_filename(a, from.c_str(), 1 << 16) != ARCHIVE_OK)
            return Fail(Error::Invalid("backup_unreadable",
                                       "バックアップを読めません / cannot read " + from.string()));
        archive_entry* e = nullptr;
        int rc;
        while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
            if (archive_entry_filetype(e) != AE_IFREG) {  // folders carry no data
                archive_read_data_skip(a);
                continue;
            }
            std::string name = archive_entry_pathname(e);
            while (name.rfind("./", 0) == 0) name.erase(0, 2);
            fs::path p(name);
            bool safe = !p.is_absolute() && !name.empty();
            for (const auto& part : p) safe = safe && part != "..";
            if (!safe)
                return Fail(Error::Invalid("backup_unsafe", "unsafe path in backup: " + name));
            std::string data;
            const void* buf;
            size_t size;
            la_int64_t offset;
            while ((rc = archive_read_data_block(a, &buf, &size, &offset)) == ARCHIVE_OK)
                data.append(static_cast<const char*>(buf), size);
            if (rc != ARCHIVE_EOF)
                return Fail(Error::Invalid("backup_damaged", "the backup is damaged: " + name));
            entries[name] = std::move(data);
        }
        if (rc != ARCHIVE_EOF)
            return Fail(Error::Invalid("backup_damaged", std::string("the backup is damaged: ") +
                                                             archive_error_string(a)));
    }
    auto damaged = [](const std::string& why) {
        return Fail(Error::Invalid("backup_damaged",
                                   "バックアップが壊れています / the backup is damaged: " + why));
    };
    auto mf = entries.find("manifest.json");
    if (mf == entries.end()) return damaged("no manifest.json");
    boost::json::error_code jec;
    auto parsed = boost::json::parse(mf->second, jec);
    const boost::json::object* manifest = jec ? nullptr : parsed.if_object();
    if (!manifest) return damaged("manifest.json is not a JSON object");
    const auto* format = manifest->if_contains("format");
    const auto* database = manifest->if_contains("database");
    const auto* files = manifest->if_contains("files");
    if (!format || *format != "mamori-backup/1") return damaged("unknown format");
    if (!database || (*database != "sqlite" && *database != "postgresql"))
        return damaged("unknown database kind");
    if (!files || !files->is_object()) return damaged("no list of files");
    // Every file must be listed with its checksum, and every listed file must be there.
    for (const auto& [name, data] : entries) {
        if (name == "manifest.json") continue;
        const auto* sum = files->as_object().if_contains(name);
        if (!sum || !sum->is_string() || Sha256Hex(data) != sum->as_string())
            return damaged("checksum mismatch or unlisted file: " + name);
    }
    for (const auto& [name, sum] : files->as_object())
        if (!entries.count(std::string(name))) return damaged("missing file: " + std::string(name));
    const bool sqlite = *database == "sqlite";
    if (!entries.count(kConfigFile) || !entries.count(sqlite ? kSqliteEntry : kPostgresEntry))
        return damaged("config or database missing");
    if (!sqlite && postgresql_url.empty())
        return Fail(Error::Invalid("database_url_required",
                                   "PostgreSQL のバックアップには復元先の空のデータベースを "
                                   "--database-url で指定してください / restoring a PostgreSQL "
                                   "backup needs --database-url of an empty database",
                                   "database-url"));

    fs::create_directories(data_dir / "keys", ec);
    if (ec) return Fail(Error::Unavailable("cannot create " + data_dir.string()));
    fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    auto undo = [&] {
        std::error_code ignored;
        fs::remove_all(data_dir, ignored);
    };
    auto write = [&](const fs::path& p, const std::string& data) -> bool {
        std::ofstream out(p, std::ios::binary);
        out << data;
        out.close();
        std::error_code pec;
        fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write,
                        fs::perm_options::replace, pec);
        return static_cast<bool>(out);
    };

    std::string config_text = entries[kConfigFile];
    if (sqlite) {
        // The database must land inside the new directory, never on a live file elsewhere.
        auto cfg = ParseConfig(config_text, data_dir);
        if (fs::path(cfg.config.sqlite.file).is_absolute()) {
            undo();
            return Fail(Error::Invalid(
                "absolute_sqlite_file",
                "sqlite.file is an absolute path (" + cfg.config.sqlite.file +
                    "); restoring would overwrite it. Make it relative in the config first"));
        }
    } else {
        // Point the restored config at the new database: replace the one line of
        // postgresql.url, leaving every comment in place.
        YAML::Node root = YAML::Load(config_text);
        auto node = root["postgresql"]["url"];
        if (!node || node.Mark().is_null())
            return Fail(
                Error::Invalid("backup_damaged", "the backed-up config has no postgresql.url"));
        std::istringstream in(config_text);
        std::string line, out;
        for (int n = 0; std::getline(in, line); ++n) {
            if (n == node.Mark().line) {
                std::string esc;
                for (char c : postgresql_url) {
                    if (c == '"' || c == '\\') esc += '\\';
                    esc += c;
                }
                line = line.substr(0, static_cast<std::size_t>(node.Mark().column)) + "\"" + esc +
                       "\"";
            }
            out += line + "\n";
        }
        config_text = out;
    }
    if (!write(data_dir / kConfigFile, config_text)) {
        undo();
        return Fail(Error::Unavailable("cannot write the config"));
    }
    for (const auto& [name, data] : entries) {
        const bool in_folder =
            std::any_of(std::begin(kFolders), std::end(kFolders),
                        [&](const char* f) { return name.rfind(std::string(f) + "/", 0) == 0; });
        if (!in_folder) continue;
        fs::create_directories((data_dir / name).parent_path(), ec);
        if (!write(data_dir / name, data)) {
            undo();
            return Fail(Error::Unavailable("cannot write " + name));
        }
    }
    auto config = LoadConfig(data_dir);
    if (!config) {
        undo();
        return Fail(config.error());
    }
    if (sqlite) {
        if (!write(config->SqlitePath(), entries[kSqliteEntry])) {
            undo();
            return Fail(Error::Unavailable("cannot write the database file"));
        }
    } else {
        fs::path dump = data_dir / ".restore.sql";
        if (!write(dump, entries[kPostgresEntry])) {
            undo();
            return Fail(Error::Unavailable("cannot write the dump"));
        }
        auto r = store::RestorePostgres(config->postgresql.url, dump);
        fs::remove(dump, ec);
        if (!r) {
            undo();
            return Fail(r.error());
        }
    }
    // The restored database must open and carry a schema this binary understands.
    auto db = OpenDatabase(*config, SchemaMode::kLeaveAsIs);
    if (!db) {
        undo();
        return Fail(db.error());
    }
    (*db)->Close();
    return {};
}

}  // namespace mamori::app
