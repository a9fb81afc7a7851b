# Generates a C++ source defining
#   std::span<const std::pair<std::string_view, std::string_view>> NAME()
# that returns every file under DIR matching the GLOBS (relative to DIR) as (relative path,
# bytes), sorted by path — so a folder of data (the policy catalog) travels in the binary.
#   cmake -DOUT=file.cpp -DDIR=policies/hirakawa "-DGLOBS=*.yaml;standards/*.yaml"
#         -DNAME=Func -DNAMESPACE=mamori::policy -P embed_files.cmake
set(paths)
foreach(g IN LISTS GLOBS)
  file(GLOB found RELATIVE "${DIR}" "${DIR}/${g}")
  list(APPEND paths ${found})
endforeach()
list(SORT paths)
set(body "")
set(i 0)
foreach(p IN LISTS paths)
  file(READ "${DIR}/${p}" text)
  string(FIND "${text}" ")mamori_text\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${p} contains the raw-string delimiter")
  endif()
  string(APPEND body "    {\"${p}\", R\"mamori_text(${text})mamori_text\"},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from ${DIR} by cmake/embed_files.cmake.\n#include <span>\n#include <string_view>\n#include <utility>\n\nnamespace ${NAMESPACE} {\n\nstd::span<const std::pair<std::string_view, std::string_view>> ${NAME}() {\n  static constexpr std::pair<std::string_view, std::string_view> kFiles[] = {\n${body}  };\n  return kFiles;\n}\n\n}  // namespace ${NAMESPACE}\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
