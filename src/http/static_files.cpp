#include "http/static_files.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include "core/crypto.h"

namespace mamori::http {

namespace {

constexpr std::string_view kNoUiPage = R"(<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>mamori</title></head>
<body><h1>mamori は動いています</h1>
<p>画面 (web/dist) がまだビルドされていないため、API のみ利用できます: <code>/api/v1</code>。
<code>make build</code> で画面をビルドしてください。</p>
<p lang="en">mamori is running. The web UI has not been built (web/dist); the API is available
under <code>/api/v1</code>. Run <code>make build</code> to build the UI.</p>
</body></html>
)";

}  // namespace

std::string_view StaticFiles::MimeType(std::string_view name) {
    static const std::pair<std::string_view, std::string_view> kTypes[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".woff", "font/woff"},
        {".woff2", "font/woff2"},
        {".ttf", "font/ttf"},
        {".txt", "text/plain; charset=utf-8"},
        {".pdf", "application/pdf"},
        {".wasm", "application/wasm"},
        {".webmanifest", "application/manifest+json"},
    };
    auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return "application/octet-stream";
    std::string ext(name.substr(dot));
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& [e, t] : kTypes)
        if (e == ext) return t;
    return "application/octet-stream";
}

std::unique_ptr<StaticFiles> StaticFiles::Load(const std::filesystem::path& root,
                                               std::size_t max_total_bytes) {
    auto sf = std::unique_ptr<StaticFiles>(new StaticFiles());
    std::error_code ec;
    std::size_t total = 0;
    if (!root.empty() && std::filesystem::is_regular_file(root / "index.html", ec)) {
        for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
            if (!it->is_regular_file(ec)) continue;  // symlinks to files are followed
            const auto size = it->file_size(ec);
            if (total + size > max_total_bytes) {
                spdlog::warn("web UI larger than {} bytes; {} and later files are not served",
                             max_total_bytes, it->path().string());
                break;
            }
            std::ifstream in(it->path(), std::ios::binary);
            std::stringstream ss;
            ss << in.rdbuf();
            File f;
            f.body = ss.str();
            total += f.body.size();
            f.content_type = std::string(MimeType(it->path().filename().string()));
            auto digest = crypto::Sha256(f.body);
            f.etag =
                "\"" +
                crypto::Hex(std::string_view(reinterpret_cast<const char*>(digest.data()), 12)) +
                "\"";
            std::string rel =
                "/" + std::filesystem::relative(it->path(), root, ec).generic_string();
            f.immutable = rel.rfind("/assets/", 0) == 0;
            sf->files_.emplace(std::move(rel), std::move(f));
        }
        sf->has_ui_ = true;
    }
    if (!sf->has_ui_) {
        File f{"text/html; charset=utf-8", std::string(kNoUiPage), "\"no-ui\"", false};
        sf->files_.emplace("/index.html", std::move(f));
    }
    return sf;
}

Response StaticFiles::Serve(const Request& req) const {
    std::string key = req.path.empty() || req.path == "/" ? "/index.html" : req.path;
    auto it = files_.find(key);
    if (it == files_.end()) {
        // A missing build asset is a real 404 (a stale page asking for an old bundle must not
        // get HTML back as JavaScript); any other path is a route of the single-page app.
        if (key.rfind("/assets/", 0) == 0)
            return Response::Text(404, "text/plain; charset=utf-8", "not found\n");
        it = files_.find("/index.html");
    }
    const File& f = it->second;
    Response r;
    r.headers.emplace_back("ETag", f.etag);
    r.headers.emplace_back("Cache-Control",
                           f.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (auto inm = req.Header("if-none-match"); inm && *inm == f.etag) {
        r.status = 304;
        r.content_type.clear();
        return r;
    }
    r.status = 200;
    r.content_type = f.content_type;
    r.body = f.body;
    return r;
}

}  // namespace mamori::http
