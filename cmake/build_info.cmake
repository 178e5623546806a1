# Writes build_info.h: remc's version and the git commit of the sources. Run
# at every build, not only at configure time, so a result file never names a
# stale commit; "-dirty" marks tracked files changed since that commit. The
# header is rewritten only when its text changes, so nothing recompiles
# otherwise. Inputs: SOURCE_DIR, OUTPUT, VERSION.
set(REMC_GIT_SHA "")
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY "${SOURCE_DIR}"
                OUTPUT_VARIABLE sha OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE status)
if(status EQUAL 0 AND sha)
  set(REMC_GIT_SHA "${sha}")
  execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY "${SOURCE_DIR}"
                  OUTPUT_VARIABLE changes ERROR_QUIET)
  if(changes)
    string(APPEND REMC_GIT_SHA "-dirty")
  endif()
endif()
set(PROJECT_VERSION "${VERSION}")
configure_file("${SOURCE_DIR}/host/build_info.h.in" "${OUTPUT}" @ONLY)
