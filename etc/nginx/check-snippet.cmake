# SPDX-License-Identifier: MIT
# cmake -DNGINX=... -DSNIPPET=... -DWORK_DIR=... -P check-snippet.cmake
# nginx -t on a minimal nginx.conf that includes SNIPPET inside server {}.
# Fails on any error or warning; prints "SKIPPED: ..." without nginx.
cmake_minimum_required(VERSION 3.18)
if(NOT NGINX OR NOT EXISTS "${NGINX}")
        message("SKIPPED: nginx not found")
        return()
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/logs" "${WORK_DIR}/tmp")
file(WRITE "${WORK_DIR}/nginx.conf" "
pid ${WORK_DIR}/nginx.pid;
error_log stderr;
events {}
http {
        types { text/plain txt; }
        access_log off;
        client_body_temp_path ${WORK_DIR}/tmp/body;
        proxy_temp_path ${WORK_DIR}/tmp/proxy;
        fastcgi_temp_path ${WORK_DIR}/tmp/fastcgi;
        uwsgi_temp_path ${WORK_DIR}/tmp/uwsgi;
        scgi_temp_path ${WORK_DIR}/tmp/scgi;
        server {
                listen 127.0.0.1:8080;
                location / {
                        try_files \$uri \$uri/ =404;
                }
                include ${SNIPPET};
        }
}
")
execute_process(COMMAND ${NGINX} -t -q -e stderr -p ${WORK_DIR} -c ${WORK_DIR}/nginx.conf
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT "${out}${err}" STREQUAL "")
        message(FATAL_ERROR "nginx -t (${rc}):\n${out}${err}")
endif()
message("nginx -t: ${SNIPPET} is fine inside server {}")
