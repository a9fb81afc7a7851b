// Writes the OSCAL export of a policy catalog to a file, for the oscal_schema test (which
// validates it against NIST's schema with Ajv, tests/oscal/validate.mjs).
//
//   oscal_export_for_test OUT.json [CATALOG_DIR]
//
// Without CATALOG_DIR it exports the Hirakawa catalog shipped in the binary.
#include <boost/json.hpp>
#include <fstream>
#include <iostream>

#include "policy/catalog.h"
#include "policy/oscal.h"

int main(int argc, char** argv) {
    using namespace mamori::policy;
    if (argc < 2 || argc > 3) {
        std::cerr << "usage: oscal_export_for_test OUT.json [CATALOG_DIR]\n";
        return 2;
    }
    CatalogFiles files = BuiltinCatalogFiles();
    if (argc == 3) {
        auto read = ReadCatalogDir(argv[2]);
        if (!read) {
            std::cerr << argv[2] << ": " << read.error().message << "\n";
            return 1;
        }
        files = std::move(*read);
    }
    std::vector<Problem> problems;
    auto catalog = Catalog::Parse(files, &problems);
    if (!catalog) {
        std::cerr << FormatProblems(problems);
        return 1;
    }
    std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
    out << boost::json::serialize(ToOscal(*catalog)) << "\n";
    if (!out.flush()) {
        std::cerr << argv[1] << ": cannot write\n";
        return 1;
    }
    return 0;
}
