#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/principal.h"
#include "store/database.h"

namespace mamori::workflow {

class WorkflowService;

// Files attached to applications (issue 8; docs/workflow.md "Attachments"): a person
// uploads a file, gets its id, and names that id in a `file` field of a request form. The
// content lives under `<data>/attachments/`, the row keeps its SHA-256, and the upload's
// audit event records the same hash, so a file changed on disk is noticed when it is read.

/// What an upload is: only PDF, images and office files, told apart by their first bytes
/// (never by what the client claims), and the name's extension must agree.
struct FileKind {
    std::string_view extension;     ///< lower case, without the dot
    std::string_view content_type;  ///< the type the file is served with
};

/// The kind of `filename` + `content`, or a 400 naming what is accepted.
[[nodiscard]] Result<FileKind> DetectKind(std::string_view filename, std::string_view content);

/// An uploaded file as the API shows it.
struct Attachment {
    std::string id;
    std::string sha256;  ///< hex
    std::int64_t size_bytes = 0;
    std::string filename;
    std::string content_type;
    std::string uploaded_by;
    std::string uploaded_at;
    std::string request_id;         ///< empty until a request names it
    std::string incident_entry_id;  ///< or an incident's timeline entry
};

/// Whether the caller may read what names an attachment (its request or incident): nothing
/// when they may, an error (forbidden or not found become 404) when not.
using AttachmentVisibility = std::function<Result<void>(const Context&, const Attachment&)>;

/// A file to send: its row and content.
struct AttachmentFile {
    Attachment meta;
    std::string content;
};

/// Readers of the request naming the file (WorkflowService::Get) may read it; a file no
/// request names is left to `others` (none: nobody but its uploader).
AttachmentVisibility RequestVisibility(WorkflowService& workflow, AttachmentVisibility others = {});

class AttachmentStore {
  public:
    /// Files go under `dir` (created when missing). `max_bytes` bounds one file.
    AttachmentStore(store::Database& db, const Clock& clock, std::filesystem::path dir,
                    std::size_t max_bytes);

    /// Stores an upload by the caller: checks name, size and kind, writes the file, then
    /// the row and its audit event (`attachment.upload`, with the hash) in one transaction.
    /// 413 too_large beyond max_bytes; 429 too_many_uploads when the caller holds
    /// kMaxPendingUploads files no request names yet.
    [[nodiscard]] Result<Attachment> Upload(const Context& ctx, const std::string& filename,
                                            std::string_view content);
    /// The file, for its uploader or anyone `may_read` lets read what names it (404
    /// otherwise, as if it did not exist). 500 when the content no longer has its hash.
    [[nodiscard]] Result<AttachmentFile> Read(const Context& ctx, const std::string& id,
                                              const AttachmentVisibility& may_read);
    /// The attachments a request names, for its page.
    [[nodiscard]] Result<std::vector<Attachment>> OfRequest(const std::string& request_id);
    /// Uploads that no request named within a day are deleted (one audit event each);
    /// returns how many. Run hourly.
    [[nodiscard]] Result<int> DiscardUnattached();

    std::size_t max_bytes() const { return max_bytes_; }

    /// Unattached uploads one person may hold at a time.
    static constexpr int kMaxPendingUploads = 20;

  private:
    std::filesystem::path PathOf(const std::string& id) const;

    store::Database& db_;
    const Clock& clock_;
    std::filesystem::path dir_;
    std::size_t max_bytes_;
};

/// The row of attachment `id` (for the form check and the submit event), or nullopt.
[[nodiscard]] Result<std::optional<Attachment>> FindAttachment(store::Tx& tx,
                                                               const std::string& id);

}  // namespace mamori::workflow
