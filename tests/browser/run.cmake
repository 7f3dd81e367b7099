# SPDX-License-Identifier: MIT
# cmake -DNODE= -DNPM= -DNGINX= -DPYTHON= -DREQUIRE= -DSOURCE_DIR= -DBINARY= -DSCREENSHOTS= -P run.cmake
# The browser test: checks its tools, installs playwright-core from the lock
# file when node_modules is missing or older than it, runs test_pages.mjs.
cmake_minimum_required(VERSION 3.18)

# A missing tool fails the test under TICKY_REQUIRE_TESTS, else skips it.
macro(missing what)
        if(REQUIRE)
                message(FATAL_ERROR "${what} (TICKY_REQUIRE_TESTS=ON)")
        endif()
        message("SKIPPED: ${what}")
        return()
endmacro()

if(NOT NODE OR NOT EXISTS "${NODE}" OR NOT NPM OR NOT EXISTS "${NPM}")
        missing("node or npm not found (Debian: nodejs npm)")
endif()
if(NOT EXISTS /usr/bin/chromium)
        missing("/usr/bin/chromium not found (Debian: chromium)")
endif()
if(NOT EXISTS /lib/systemd/systemd-journal-remote AND NOT EXISTS /usr/lib/systemd/systemd-journal-remote)
        missing("systemd-journal-remote not found (Debian: systemd-journal-remote)")
endif()
execute_process(COMMAND ${NODE} --version OUTPUT_VARIABLE version OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT version MATCHES "^v([0-9]+)\\." OR CMAKE_MATCH_1 LESS 18)
        missing("node ${version} is too old: playwright-core needs 18 or later")
endif()

set(installed "${SOURCE_DIR}/node_modules/.package-lock.json")
if(NOT EXISTS "${installed}" OR "${SOURCE_DIR}/package-lock.json" IS_NEWER_THAN "${installed}")
        message("npm ci in ${SOURCE_DIR} (playwright-core, without a browser download)")
        execute_process(COMMAND ${CMAKE_COMMAND} -E env PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
                                ${NPM} ci --no-audit --no-fund --loglevel=error
                        WORKING_DIRECTORY ${SOURCE_DIR} RESULT_VARIABLE rc)
        if(NOT rc EQUAL 0)
                missing("npm ci failed (${rc}): playwright-core could not be installed")
        endif()
endif()

set(extra)
if(NGINX AND EXISTS "${NGINX}")
        list(APPEND extra --nginx ${NGINX})
endif()
execute_process(COMMAND ${NODE} ${SOURCE_DIR}/test_pages.mjs --binary ${BINARY} --python ${PYTHON}
                        --screenshots ${SCREENSHOTS} ${extra}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
        message(FATAL_ERROR "test_pages.mjs failed (${rc})")
endif()
