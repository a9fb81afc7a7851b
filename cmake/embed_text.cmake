# Generates a C++ source defining `std::string_view NAME()` that returns the bytes of FILE,
# so data the binary needs (catalog files) travels inside it.
#   cmake -DOUT=file.cpp -DFILE=in.yaml -DNAME=Func -DNAMESPACE=mamori::org -P embed_text.cmake
file(READ "${FILE}" text)
string(FIND "${text}" ")mamori_text\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${FILE} contains the raw-string delimiter")
endif()
file(WRITE "${OUT}.tmp" "// Generated from ${FILE} by cmake/embed_text.cmake.\n#include <string_view>\n\nnamespace ${NAMESPACE} {\n\nstd::string_view ${NAME}() {\n  static constexpr std::string_view kText = R\"mamori_text(${text})mamori_text\";\n  return kText;\n}\n\n}  // namespace ${NAMESPACE}\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
