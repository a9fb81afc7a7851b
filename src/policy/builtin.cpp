#include <span>
#include <string_view>
#include <utility>

#include "policy/catalog.h"

namespace mamori::policy {

// Generated from policies/hirakawa/ by cmake/embed_files.cmake.
std::span<const std::pair<std::string_view, std::string_view>> BuiltinCatalogEntries();

const CatalogFiles& BuiltinCatalogFiles() {
    static const CatalogFiles kFiles = [] {
        CatalogFiles files;
        for (const auto& [path, text] : BuiltinCatalogEntries()) files.emplace(path, text);
        return files;
    }();
    return kFiles;
}

}  // namespace mamori::policy
