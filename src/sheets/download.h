#pragma once

// Spreadsheet downloads over HTTP (header-only; for route files that link mamori_http and
// mamori_sheets): the `?format=csv|xlsx` parameter and the attachment response.

#include "http/message.h"
#include "sheets/file.h"

namespace mamori::sheets {

/// `format` of the query: csv (the default) or xlsx; 400 on field `format` otherwise.
inline Result<Format> FormatParam(const http::Request& req) {
    auto f = http::QueryText(req, "format", 10);
    if (!f) return Fail(f.error());
    if (f->empty() || *f == "csv") return Format::kCsv;
    if (*f == "xlsx") return Format::kXlsx;
    return Fail(Error::Invalid("invalid_field", "format は csv か xlsx です", "format"));
}

/// 200 with the file as an attachment.
inline http::Response Download(File f) {
    return http::Response::Download(std::move(f.content_type), std::move(f.body), f.filename);
}

}  // namespace mamori::sheets
