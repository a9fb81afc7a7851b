// Small catalogs for the policy tests (test code only): the shipped Hirakawa files for
// everything but 第2章, and 第2章 files written by the test.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>

#include "policy/catalog.h"

namespace mamori::policy::testing {

/// The shipped catalog with `standards` (path under the catalog, e.g. "standards/01-a.yaml"
/// → YAML) as its whole 第2章 and no application types. Every `ref:` of zones.yaml and the
/// classification files is pointed at `anchor`, a ref the standards must define, so that
/// those files stay valid.
inline CatalogFiles SmallCatalogFiles(const std::map<std::string, std::string>& standards,
                                      const std::string& anchor = "1") {
    CatalogFiles files = BuiltinCatalogFiles();
    std::erase_if(files, [](const auto& f) {
        return f.first.rfind("standards/", 0) == 0 || f.first.rfind("requests/", 0) == 0;
    });
    for (const auto& [path, text] : standards) files[path] = text;
    for (auto& [path, text] : files) {
        if (path == "zones.yaml" || path.rfind("classification", 0) == 0) {
            text = std::regex_replace(text, std::regex(R"re(ref: "[^"]+")re"),
                                      "ref: \"" + anchor + "\"");
        }
    }
    return files;
}

/// Replaces the first match of `pattern` in `files[path]` with `replacement`.
inline void Edit(CatalogFiles& files, const std::string& path, const std::string& pattern,
                 const std::string& replacement) {
    files[path] = std::regex_replace(files[path], std::regex(pattern), replacement,
                                     std::regex_constants::format_first_only);
}

/// The catalog of `files`; a test failure listing every problem when it is not valid.
inline Catalog MustParse(const CatalogFiles& files) {
    std::vector<Problem> problems;
    auto c = Catalog::Parse(files, &problems);
    if (!c) {
        ADD_FAILURE() << FormatProblems(problems);
        return Catalog{};
    }
    return std::move(*c);
}

/// The shipped Hirakawa catalog, parsed once.
inline const Catalog& Hirakawa() {
    static const Catalog kCatalog = MustParse(BuiltinCatalogFiles());
    return kCatalog;
}

}  // namespace mamori::policy::testing
