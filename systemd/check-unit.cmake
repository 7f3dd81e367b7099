# SPDX-License-Identifier: MIT
# Checks of the systemd files, run by CTest (see CMakeLists.txt):
#   cmake -DMODE=security -DSYSTEMD_ANALYZE=... -DUNIT=... -DMAX_EXPOSURE=1.0 -P check-unit.cmake
#   cmake -DMODE=verify -DSYSTEMD_ANALYZE=... -DBINARY_DIR=... -DCONFIG=... -DSTAGE=...
#         -DUNIT=<installed path> -DKILL_PROGRAM=... -P check-unit.cmake
#   cmake -DMODE=sysusers-tmpfiles -DSYSTEMD_SYSUSERS=... -DSYSTEMD_TMPFILES=... -DSTAGE=...
#         -DSYSUSERS_CONF=... -DTMPFILES_CONF=... -P check-unit.cmake
# Prints "SKIPPED: ..." (the tests' skip marker) when a tool is missing.
cmake_minimum_required(VERSION 3.18)

function(require_tool var)
        if(NOT ${var} OR NOT EXISTS "${${var}}")
                message("SKIPPED: ${var} not found")
                # Exit early with success; CTest reports the test as skipped.
                set(skipped TRUE PARENT_SCOPE)
        endif()
endfunction()

if(MODE STREQUAL "security")
        require_tool(SYSTEMD_ANALYZE)
        if(skipped)
                return()
        endif()
        execute_process(COMMAND ${SYSTEMD_ANALYZE} security --no-pager --offline=yes ${UNIT}
                        RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
        message("${out}${err}")
        if(NOT rc EQUAL 0)
                message(FATAL_ERROR "systemd-analyze security failed (${rc})")
        endif()
        if(NOT out MATCHES "Overall exposure level for [^:]+: ([0-9]+)\\.([0-9]+)")
                message(FATAL_ERROR "no overall exposure level in the output")
        endif()
        # Compare in tenths: the figure is printed with one decimal.
        math(EXPR exposure "${CMAKE_MATCH_1} * 10 + ${CMAKE_MATCH_2}")
        string(REPLACE "." "" max "${MAX_EXPOSURE}")
        if(exposure GREATER max)
                message(FATAL_ERROR "exposure ${CMAKE_MATCH_1}.${CMAKE_MATCH_2} is above ${MAX_EXPOSURE}")
        endif()

elseif(MODE STREQUAL "verify")
        require_tool(SYSTEMD_ANALYZE)
        require_tool(KILL_PROGRAM)
        if(skipped)
                return()
        endif()
        # The unit as cmake --install puts it, next to the binary it starts.
        file(REMOVE_RECURSE "${STAGE}")
        set(ENV{DESTDIR} "${STAGE}")
        execute_process(COMMAND ${CMAKE_COMMAND} --install ${BINARY_DIR} --config ${CONFIG}
                        RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
        unset(ENV{DESTDIR})
        if(NOT rc EQUAL 0)
                message(FATAL_ERROR "cmake --install into ${STAGE} failed (${rc}):\n${out}${err}")
        endif()
        # What the unit depends on beyond itself: the vendor units of this host
        # (sysinit.target, basic.target, ...) and ExecReload='s kill, found
        # through PATH as on the host.
        set(copied "")
        foreach(dir /usr/lib/systemd/system /lib/systemd/system)
                get_filename_component(real "${dir}" REALPATH)
                if(IS_DIRECTORY "${real}" AND NOT real IN_LIST copied)
                        list(APPEND copied "${real}")
                        file(COPY "${real}/" DESTINATION "${STAGE}${real}"
                             PATTERN "ticky-reportd.service" EXCLUDE)
                endif()
        endforeach()
        if(NOT copied)
                message("SKIPPED: no systemd unit directory on this host")
                return()
        endif()
        get_filename_component(kill_dir "${KILL_PROGRAM}" DIRECTORY)
        file(COPY "${KILL_PROGRAM}" DESTINATION "${STAGE}${kill_dir}")

        if(NOT EXISTS "${STAGE}${UNIT}")
                message(FATAL_ERROR "cmake --install did not install ${UNIT}")
        endif()
        execute_process(COMMAND ${SYSTEMD_ANALYZE} verify --no-pager --man=no --root=${STAGE} ${STAGE}${UNIT}
                        RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
        if(NOT rc EQUAL 0 OR NOT "${out}${err}" STREQUAL "")
                message(FATAL_ERROR "systemd-analyze verify (${rc}):\n${out}${err}")
        endif()
        message("systemd-analyze verify --root=${STAGE} ${STAGE}${UNIT}: clean")

elseif(MODE STREQUAL "sysusers-tmpfiles")
        require_tool(SYSTEMD_SYSUSERS)
        require_tool(SYSTEMD_TMPFILES)
        if(skipped)
                return()
        endif()
        file(REMOVE_RECURSE "${STAGE}")
        file(MAKE_DIRECTORY "${STAGE}/etc" "${STAGE}/var")
        execute_process(COMMAND ${SYSTEMD_SYSUSERS} --root=${STAGE} ${SYSUSERS_CONF}
                        RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
        message("${out}${err}")
        file(READ "${STAGE}/etc/passwd" passwd)
        if(NOT rc EQUAL 0 OR NOT passwd MATCHES "(^|\n)ticky-reportd:x:[0-9]+:[0-9]+:[^\n]*:/var/lib/ticky-reportd:")
                message(FATAL_ERROR "systemd-sysusers did not create the user ticky-reportd (${rc})")
        endif()
        execute_process(COMMAND ${SYSTEMD_TMPFILES} --root=${STAGE} --create ${TMPFILES_CONF}
                        RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
        message("${out}${err}")
        # The ACL names the user, which systemd-tmpfiles resolves on this host,
        # not in the staging root: unless it exists here, that line is skipped
        # with the message below. Anything else is an error in the file.
        string(REGEX REPLACE "Failed to parse ACL \"user:ticky-reportd:rwx\": Invalid argument\\. Ignoring\n?" ""
               rest "${out}${err}")
        if(NOT rc EQUAL 0 OR NOT rest STREQUAL "" OR NOT IS_DIRECTORY "${STAGE}/var/www/html")
                message(FATAL_ERROR "systemd-tmpfiles --create failed (${rc})")
        endif()

else()
        message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()
