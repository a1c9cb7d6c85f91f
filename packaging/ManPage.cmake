# One man page made from a program's own --help and --version by help2man, so
# the page says what the program says (packaging/CMakeLists.txt runs this at
# build time; a program whose --help or --version fails fails the build):
#   cmake -DHELP2MAN=help2man -DPROGRAM=exe -DSUMMARY="what it is" -DOUT=page.1[.gz]
#         [-DGZIP=gzip] [-DCOMMANDS=ON] [-DSEE_ALSO="other(1)"] -P ManPage.cmake
# SUMMARY is the NAME line's text after "program \- " (lower case, no article,
# no full stop: what whatis(1) lists). OUT ending in .gz is written gzipped by
# GZIP, with -9n (no name or time stamp: the same page gives the same bytes).
# COMMANDS=ON: the commands listed under "commands:" in PROGRAM --help (one
# home for the list: the program) each get their `PROGRAM COMMAND --help`
# verbatim in a COMMANDS section. Programs run with QT_QPA_PLATFORM=offscreen
# (no display needed).
foreach(var HELP2MAN PROGRAM SUMMARY OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "ManPage.cmake: pass -D${var}=...")
  endif()
endforeach()
set(ENV{QT_QPA_PLATFORM} offscreen)
# A sanitizer build (preset asan) runs them too: Qt's process-lifetime allocations are not leaks.
set(ENV{ASAN_OPTIONS} detect_leaks=0)
get_filename_component(program_name "${PROGRAM}" NAME)

# Text shown as it is in roff: backslashes escaped, lines that start with a
# control character (. or ') defused, minus signs as minus signs.
function(roff_verbatim text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

set(include_text "")
if(COMMANDS)
  execute_process(COMMAND "${PROGRAM}" --help RESULT_VARIABLE status OUTPUT_VARIABLE help)
  # "commands:" then one "  name   what it does" line each, up to a blank line.
  string(REGEX MATCH "\ncommands:\n(  [a-z][^\n]*\n)+" block "${help}")
  string(REGEX MATCHALL "\n  [a-z][a-z-]*" SUBCOMMANDS "${block}")
  string(REGEX REPLACE "\n  " "" SUBCOMMANDS "${SUBCOMMANDS}")
  if(NOT status EQUAL 0 OR NOT SUBCOMMANDS)
    message(FATAL_ERROR "ManPage.cmake: no \"commands:\" list in '${program_name} --help'")
  endif()
  string(APPEND include_text "[COMMANDS]\nEach command takes \\fB\\-\\-help\\fR; what it prints:\n")
  foreach(command IN LISTS SUBCOMMANDS)
    execute_process(COMMAND "${PROGRAM}" ${command} --help
                    RESULT_VARIABLE status OUTPUT_VARIABLE help ERROR_VARIABLE error)
    if(NOT status EQUAL 0)
      message(FATAL_ERROR "ManPage.cmake: '${program_name} ${command} --help' failed (${status}): ${error}")
    endif()
    roff_verbatim("${help}" help)
    string(APPEND include_text ".SS ${command}\n.nf\n${help}.fi\n")
  endforeach()
endif()
if(SEE_ALSO)
  string(REGEX REPLACE "([^;(]+)\\(([0-9])\\)" ".BR \\1 (\\2)" see_also "${SEE_ALSO}")
  string(REPLACE ";" ",\n" see_also "${see_also}")
  string(APPEND include_text "[SEE ALSO]\n${see_also}\n")
endif()
file(WRITE "${OUT}.h2m" "${include_text}")

# help2man takes the SYNOPSIS from a "Usage:" line; the command line (like its
# commands' --help) says "usage:", so help2man reads it through a wrapper of the
# same name that capitalises that one word.
set(wrapper_dir "${OUT}.bin")
file(MAKE_DIRECTORY "${wrapper_dir}")
file(WRITE "${wrapper_dir}/${program_name}"
     "#!/bin/sh\n\"${PROGRAM}\" \"$@\" | sed '1s/^usage:/Usage:/'\n")
file(CHMOD "${wrapper_dir}/${program_name}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
execute_process(COMMAND "${HELP2MAN}" --no-info --section=1 "--name=${SUMMARY}"
                        "--include=${OUT}.h2m" "--output=${OUT}.tmp" "${wrapper_dir}/${program_name}"
                RESULT_VARIABLE status ERROR_VARIABLE error)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "ManPage.cmake: help2man on ${program_name} failed (${status}): ${error}")
endif()
if(OUT MATCHES "\\.gz$")
  if(NOT GZIP)
    message(FATAL_ERROR "ManPage.cmake: OUT ends in .gz: pass -DGZIP=...")
  endif()
  execute_process(COMMAND "${GZIP}" -9n -c "${OUT}.tmp" OUTPUT_FILE "${OUT}.gz.tmp" RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "ManPage.cmake: ${GZIP} failed (${status})")
  endif()
  file(REMOVE "${OUT}.tmp")
  file(RENAME "${OUT}.gz.tmp" "${OUT}.tmp")
endif()
# Renamed into place: a stopped build leaves no half-written page.
file(RENAME "${OUT}.tmp" "${OUT}")
