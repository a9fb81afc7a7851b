#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>

#include "http/message.h"

namespace mamori::http {

/// The built web UI, read into memory once at start-up so that serving it never touches the
/// disk on an I/O thread. Immutable after construction; safe from many threads.
///
/// Caching: files under /assets/ carry a content hash in their name (Vite does this), so they
/// are cached for a year as immutable; everything else, index.html above all, must be
/// revalidated (ETag, 304). Paths under /api/ are never answered here.
class StaticFiles {
  public:
    /// Loads every regular file below `root` (at most `max_total_bytes`; larger trees are cut
    /// with a warning). An empty or missing root gives a built-in page saying the UI is not
    /// built, so the API still works.
    static std::unique_ptr<StaticFiles> Load(const std::filesystem::path& root,
                                             std::size_t max_total_bytes = 256u << 20);

    /// The file for a GET/HEAD of `path` (decoded), honouring If-None-Match. Unknown paths get
    /// index.html so the single-page app can route them.
    Response Serve(const Request& req) const;

    std::size_t file_count() const { return files_.size(); }
    bool has_ui() const { return has_ui_; }

    /// MIME type for a file name, by extension; "application/octet-stream" when unknown.
    static std::string_view MimeType(std::string_view filename);

  private:
    struct File {
        std::string content_type;
        std::string body;
        std::string etag;
        bool immutable = false;
    };
    std::unordered_map<std::string, File> files_;  // key: "/path/from/root"
    bool has_ui_ = false;
};

}  // namespace mamori::http
