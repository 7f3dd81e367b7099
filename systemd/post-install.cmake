# SPDX-License-Identifier: MIT
# Part of cmake --install: on the live system (no DESTDIR), apply the
# sysusers.d and tmpfiles.d files just installed, as a package would.
if(NOT "$ENV{DESTDIR}" STREQUAL "")
        return()
endif()
find_program(TICKY_SYSUSERS_PROGRAM systemd-sysusers)
find_program(TICKY_TMPFILES_PROGRAM systemd-tmpfiles)
if(NOT TICKY_SYSUSERS_PROGRAM OR NOT TICKY_TMPFILES_PROGRAM)
        message(WARNING "systemd-sysusers or systemd-tmpfiles not found: create the user ticky-reportd "
                        "(${TICKY_SYSUSERS_CONF}) and its access to the output directory "
                        "(${TICKY_TMPFILES_CONF}) before starting ticky-reportd.service")
        return()
endif()
message(STATUS "Applying: ${TICKY_SYSUSERS_CONF}")
execute_process(COMMAND ${TICKY_SYSUSERS_PROGRAM} ${TICKY_SYSUSERS_CONF} RESULT_VARIABLE rc)
if(rc EQUAL 0)
        message(STATUS "Applying: ${TICKY_TMPFILES_CONF}")
        execute_process(COMMAND ${TICKY_TMPFILES_PROGRAM} --create ${TICKY_TMPFILES_CONF} RESULT_VARIABLE rc)
endif()
if(rc EQUAL 0)
        message(STATUS "To start the service: systemctl daemon-reload && systemctl enable --now ticky-reportd")
else()
        message(WARNING "Applying the sysusers.d/tmpfiles.d files of ticky-reportd failed (${rc}); as root, run "
                        "systemd-sysusers ${TICKY_SYSUSERS_CONF} && systemd-tmpfiles --create ${TICKY_TMPFILES_CONF}")
endif()
