#include "workflow/attachments.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <iterator>

#include "audit/audit.h"
#include "core/crypto.h"
#include "core/service_support.h"
#include "core/text.h"
#include "workflow/workflow_service.h"

namespace mamori::workflow {

namespace fs = std::filesystem;

namespace {

// The leading bytes of each family of file accepted.
constexpr std::string_view kPdf = "%PDF-";
constexpr std::string_view kPng = "\x89PNG\r\n\x1a\n";
constexpr std::string_view kJpeg = "\xFF\xD8\xFF";
constexpr std::string_view kGif87 = "GIF87a";
constexpr std::string_view kGif89 = "GIF89a";
constexpr std::string_view kZip = "PK\x03\x04";  // OOXML and OpenDocument are ZIP files
constexpr std::string_view kOle =
    std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);  // the older Office files

struct KnownKind {
    FileKind kind;
    std::string_view magic;
    std::string_view magic2;  ///< another signature of the same kind, if any
};

constexpr std::array kKinds = {
    KnownKind{{"pdf", "application/pdf"}, kPdf, {}},
    KnownKind{{"png", "image/png"}, kPng, {}},
    KnownKind{{"jpg", "image/jpeg"}, kJpeg, {}},
    KnownKind{{"jpeg", "image/jpeg"}, kJpeg, {}},
    KnownKind{{"gif", "image/gif"}, kGif87, kGif89},
    KnownKind{{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
              kZip,
              {}},
    KnownKind{
        {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, kZip, {}},
    KnownKind{{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
              kZip,
              {}},
    KnownKind{{"odt", "application/vnd.oasis.opendocument.text"}, kZip, {}},
    KnownKind{{"ods", "application/vnd.oasis.opendocument.spreadsheet"}, kZip, {}},
    KnownKind{{"odp", "application/vnd.oasis.opendocument.presentation"}, kZip, {}},
    KnownKind{{"doc", "application/msword"}, kOle, {}},
    KnownKind{{"xls", "application/vnd.ms-excel"}, kOle, {}},
    KnownKind{{"ppt", "application/vnd.ms-powerpoint"}, kOle, {}},
};

constexpr std::size_t kMaxFilenameBytes = 200;

std::string Accepted() {
    std::string list;
    for (const auto& k : kKinds) list += (list.empty() ? "" : ", ") + std::string(k.kind.extension);
    return list;
}

// A file name as shown and offered back on download: UTF-8 text without folders or control
// characters.
Result<void> CheckFilename(const std::string& name) {
    auto bad = [](std::string msg) {
        return Fail(Error::Invalid("invalid_field", msg, "filename"));
    };
    if (name.empty()) return bad("ファイル名を指定してください");
    if (name.size() > kMaxFilenameBytes)
        return bad(fmt::format("ファイル名は {} バイトまでにしてください", kMaxFilenameBytes));
    if (name == "." || name == ".." || !core::ValidUtf8(name))
        return bad("ファイル名が正しくありません");
    for (unsigned char c : name)
        if (c < 0x20 || c == 0x7F || c == '/' || c == '\\')
            return bad("ファイル名に使えない文字 (制御文字、/ または \\) が含まれています");
    return {};
}

Attachment FromRow(const store::Row& r) {
    Attachment a;
    a.id = r.Text(0);
    a.sha256 = r.Text(1);
    a.size_bytes = r.Int(2);
    a.filename = r.Text(3);
    a.content_type = r.Text(4);
    a.uploaded_by = r.Text(5);
    a.uploaded_at = r.Text(6);
    a.request_id = r.OptText(7).value_or("");
    a.incident_entry_id = r.OptText(8).value_or("");
    return a;
}

constexpr const char* kColumns =
    "id, sha256, size_bytes, filename, content_type, uploaded_by, uploaded_at, request_id, "
    "incident_entry_id";

// Writes `content` to `path` durably: a temporary file in the same folder, flushed to disk,
// then renamed into place, so a crash never leaves half a file under the final name.
Result<void> WriteDurably(const fs::path& path, std::string_view content) {
    const fs::path tmp = path.string() + ".part";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Fail(Error::Unavailable("cannot create " + tmp.string()));
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n <= 0) {
            ::close(fd);
            ::unlink(tmp.c_str());
            return Fail(Error::Unavailable("cannot write " + tmp.string()));
        }
        done += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    std::error_code ec;
    if (synced) fs::rename(tmp, path, ec);
    if (!synced || ec) {
        fs::remove(tmp, ec);
        return Fail(Error::Unavailable("cannot store " + path.string()));
    }
    return {};
}

}  // namespace

Result<FileKind> DetectKind(std::string_view filename, std::string_view content) {
    const auto dot = filename.rfind('.');
    std::string ext;
    if (dot != std::string_view::npos)
        for (char c : filename.substr(dot + 1))
            ext += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto known = std::find_if(kKinds.begin(), kKinds.end(),
                                    [&](const KnownKind& k) { return k.kind.extension == ext; });
    if (known == kKinds.end())
        return Fail(Error::Invalid(
            "unsupported_media_type",
            fmt::format("添付できるのは PDF、画像、Office の文書です (拡張子: {})", Accepted()),
            "filename"));
    const bool matches = content.starts_with(known->magic) ||
                         (!known->magic2.empty() && content.starts_with(known->magic2));
    if (!matches)
        return Fail(Error::Invalid(
            "unsupported_media_type",
            fmt::format("ファイルの中身が拡張子 .{} の形式ではありません", known->kind.extension),
            "filename"));
    return known->kind;
}

AttachmentStore::AttachmentStore(store::Database& db, const Clock& clock, fs::path dir,
                                 std::size_t max_bytes)
    : db_(db), clock_(clock), dir_(std::move(dir)), max_bytes_(max_bytes) {}

fs::path AttachmentStore::PathOf(const std::string& id) const {
    // Ids are our own hex; two characters of folder keep any one folder small.
    return dir_ / id.substr(0, 2) / id;
}

Result<Attachment> AttachmentStore::Upload(const Context& ctx, const std::string& filename,
                                           std::string_view content) {
    auto actor = service::ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    if (auto r = CheckFilename(filename); !r) return Fail(r.error());
    if (content.empty())
        return Fail(Error::Invalid("invalid_field", "空のファイルは添付できません", "body"));
    if (content.size() > max_bytes_)
        return Fail(Error{ErrorKind::kTooLarge, "body_too_large",
                          fmt::format("ファイルが大きすぎます。添付ファイルは {} MB までです",
                                      max_bytes_ / (1024 * 1024)),
                          "body"});
    auto kind = DetectKind(filename, content);
    if (!kind) return Fail(kind.error());

    Attachment a;
    a.id = service::NewId();
    a.sha256 = crypto::Sha256Hex(content);
    a.size_bytes = static_cast<std::int64_t>(content.size());
    a.filename = filename;
    a.content_type = std::string(kind->content_type);
    a.uploaded_by = (*actor)->person_id;
    a.uploaded_at = FormatRfc3339(clock_.Now());

    const fs::path path = PathOf(a.id);
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) return Fail(Error::Unavailable("cannot create " + path.parent_path().string()));
    for (const fs::path& d : {dir_, path.parent_path()})  // only the service's user reads them
        fs::permissions(d, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (auto w = WriteDurably(path, content); !w) return Fail(w.error());

    auto r = db_.Transact([&](store::Tx& tx) -> Result<void> {
        auto pending = tx.Query(
            "SELECT COUNT(*) FROM attachments WHERE uploaded_by = ? AND request_id IS NULL AND "
            "incident_entry_id IS NULL",
            {a.uploaded_by});
        if (!pending) return Fail(pending.error());
        if (pending->rows.at(0).Int(0) >= kMaxPendingUploads)
            return Fail(Error{ErrorKind::kRateLimited,
                              "too_many_uploads",
                              fmt::format("申請に添付されていないファイルが {} 件あります。"
                                          "申請を出すか、1 日待ってから添付してください",
                                          kMaxPendingUploads),
                              {}});
        auto ins = tx.Exec(
            fmt::format("INSERT INTO attachments ({}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                        kColumns),
            {a.id, a.sha256, a.size_bytes, a.filename, a.content_type, a.uploaded_by,
             a.uploaded_at});
        if (!ins) return Fail(ins.error());
        return audit::RecordChange(tx, ctx, "attachment.upload", "attachment", a.id,
                                   {{"filename", a.filename},
                                    {"content_type", a.content_type},
                                    {"size_bytes", a.size_bytes},
                                    {"sha256", a.sha256}},
                                   a.uploaded_at);
    });
    if (!r) {
        fs::remove(path, ec);  // nothing refers to it
        return Fail(r.error());
    }
    return a;
}

Result<std::optional<Attachment>> FindAttachment(store::Tx& tx, const std::string& id) {
    auto rs = tx.Query(fmt::format("SELECT {} FROM attachments WHERE id = ?", kColumns), {id});
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty()) return std::optional<Attachment>();
    return std::optional<Attachment>(FromRow(rs->rows[0]));
}

AttachmentVisibility RequestVisibility(WorkflowService& workflow, AttachmentVisibility others) {
    return [&workflow, others = std::move(others)](const Context& ctx,
                                                   const Attachment& a) -> Result<void> {
        if (a.request_id.empty()) {
            if (!others) return Fail(Error::NotFound("添付ファイルが見つかりません"));
            return others(ctx, a);
        }
        auto q = workflow.Get(ctx, a.request_id);
        if (!q) return Fail(q.error());
        return {};
    };
}

Result<AttachmentFile> AttachmentStore::Read(const Context& ctx, const std::string& id,
                                             const AttachmentVisibility& may_read) {
    auto actor = service::ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    auto found = db_.Transact(
        [&](store::Tx& tx) -> Result<std::optional<Attachment>> { return FindAttachment(tx, id); });
    if (!found) return Fail(found.error());
    const auto not_found = Error::NotFound("添付ファイルが見つかりません");
    if (!*found) return Fail(not_found);
    Attachment a = std::move(**found);
    if (a.uploaded_by != (*actor)->person_id) {
        if (a.request_id.empty() && a.incident_entry_id.empty()) return Fail(not_found);
        auto q = may_read(ctx, a);  // the visibility of what names it
        if (!q)
            return Fail(q.error().kind == ErrorKind::kForbidden ||
                                q.error().kind == ErrorKind::kNotFound
                            ? not_found
                            : q.error());
    }
    std::ifstream in(PathOf(a.id), std::ios::binary);
    if (!in) {
        spdlog::error("attachment {}: its file is missing", a.id);
        return Fail(Error::Internal("添付ファイルの中身が見つかりません"));
    }
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (crypto::Sha256Hex(content) != a.sha256) {
        spdlog::error("attachment {}: its content no longer has the recorded SHA-256", a.id);
        return Fail(Error::Internal("添付ファイルが記録と一致しません (改ざんの疑い)"));
    }
    return AttachmentFile{std::move(a), std::move(content)};
}

Result<std::vector<Attachment>> AttachmentStore::OfRequest(const std::string& request_id) {
    return db_.Transact([&](store::Tx& tx) -> Result<std::vector<Attachment>> {
        auto rs = tx.Query(
            fmt::format("SELECT {} FROM attachments WHERE request_id = ? ORDER BY uploaded_at, id",
                        kColumns),
            {request_id});
        if (!rs) return Fail(rs.error());
        std::vector<Attachment> out;
        for (const auto& r : rs->rows) out.push_back(FromRow(r));
        return out;
    });
}

Result<int> AttachmentStore::DiscardUnattached() {
    const std::string now = FormatRfc3339(clock_.Now());
    const std::string cutoff = FormatRfc3339(clock_.Now() - std::chrono::hours(24));
    std::vector<std::string> gone;
    auto r = db_.Transact([&](store::Tx& tx) -> Result<void> {
        gone.clear();
        auto rs = tx.Query(fmt::format("SELECT {} FROM attachments WHERE request_id IS NULL AND "
                                       "incident_entry_id IS NULL AND uploaded_at < ? "
                                       "ORDER BY uploaded_at LIMIT 500",
                                       kColumns),
                           {cutoff});
        if (!rs) return Fail(rs.error());
        const Context system;  // no actor: the system acts
        for (const auto& row : rs->rows) {
            const Attachment a = FromRow(row);
            auto del = tx.Exec(
                "DELETE FROM attachments WHERE id = ? AND request_id IS NULL AND "
                "incident_entry_id IS NULL",
                {a.id});
            if (!del) return Fail(del.error());
            if (*del == 0) continue;
            if (auto e = audit::RecordChange(tx, system, "attachment.discard", "attachment", a.id,
                                             {{"filename", a.filename},
                                              {"sha256", a.sha256},
                                              {"uploaded_by", a.uploaded_by}},
                                             now);
                !e)
                return Fail(e.error());
            gone.push_back(a.id);
        }
        return {};
    });
    if (!r) return Fail(r.error());
    std::error_code ec;
    for (const auto& id : gone) fs::remove(PathOf(id), ec);  // after the rows are gone
    return static_cast<int>(gone.size());
}

}  // namespace mamori::workflow
