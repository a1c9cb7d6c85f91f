# The layer rule (docs/architecture.md), checked on every build: a source that
# includes what its layer may not fails the build with the file, the line and
# the rule. Run by the check_layers target (root CMakeLists.txt):
#   cmake -DROOT=<repository> -P cmake/CheckLayers.cmake
# Each rule: a folder, then the include patterns (regular expressions on the
# text between the quotes or angle brackets) its sources may not include.
set(app_layers "state|engine|paint|view|export|window")
set(rules
  "core"        "^(${app_layers}|cli)/|^Q|^qt"
  "app/state"   "^(engine|paint|view|export|window|cli)/|^QtWidgets|^QtOpenGL|^QOpenGL|^QWidget|^QtCharts"
  "app/paint"   "^(engine|view|export|window|cli)/|^QtOpenGL|^QOpenGL|^QWidget|^QtWidgets"
  "app/engine"  "^(paint|view|export|window|cli)/|^QtOpenGL|^QOpenGL|^QWidget|^QtWidgets"
  "app/export"  "^(engine|view|window|cli)/|^QtOpenGL|^QOpenGL|^QWidget|^QtWidgets"
  "app/view"    "^(engine|export|window|cli)/"
  "cli"         "^(engine|window|view)/|^QtOpenGL|^QOpenGL|^QWidget|^QtWidgets"
  "tests/core"  "^(${app_layers}|cli)/"
)
if(NOT ROOT)
  message(FATAL_ERROR "CheckLayers.cmake: pass -DROOT=<repository>")
endif()
set(violations "")
list(LENGTH rules n)
math(EXPR last "${n} - 1")
foreach(i RANGE 0 ${last} 2)
  list(GET rules ${i} folder)
  math(EXPR j "${i} + 1")
  list(GET rules ${j} forbidden)
  file(GLOB_RECURSE sources "${ROOT}/${folder}/*.h" "${ROOT}/${folder}/*.cpp")
  foreach(src ${sources})
    file(STRINGS "${src}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(line ${lines})
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]*)[>\"].*" "\\1" target "${line}")
      if(target MATCHES "${forbidden}")
        file(RELATIVE_PATH rel "${ROOT}" "${src}")
        string(APPEND violations "  ${rel}: #include ${target} (${folder} may not include ${forbidden})\n")
      endif()
    endforeach()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "layer rule broken (docs/architecture.md):\n${violations}")
endif()
