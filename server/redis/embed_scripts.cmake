# Generates a C++ source that embeds Lua scripts as raw string literals.
# Usage (script mode): cmake -DOUT=file.cpp -DNAMESPACE=ns -DSCRIPT_DIR=dir -P embed_scripts.cmake
# Each script `x.lua` becomes `const peerline::redis::script& ns::x()`.
file(GLOB SCRIPTS "${SCRIPT_DIR}/*.lua")
list(SORT SCRIPTS)
set(content "// Generated from .lua files by embed_scripts.cmake. Do not edit.\n")
string(APPEND content "#include \"redis/script.hpp\"\n\nnamespace ${NAMESPACE} {\n")
foreach(path IN LISTS SCRIPTS)
  get_filename_component(name "${path}" NAME_WE)
  file(READ "${path}" body)
  string(APPEND content "const peerline::redis::script& ${name}() {\n")
  string(APPEND content "    static const peerline::redis::script s{\"${name}\", R\"peerline_lua(${body})peerline_lua\"};\n")
  string(APPEND content "    return s;\n}\n")
endforeach()
string(APPEND content "} // namespace ${NAMESPACE}\n")
file(WRITE "${OUT}.tmp" "${content}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
