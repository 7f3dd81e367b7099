# SPDX-License-Identifier: MIT
# The library's sources, relative to this directory: the part that needs no
# sd-journal (which the fuzz targets build with their own flags), then the rest.
set(TICKY_CORE_SOURCES
        atomic_file.c
        config.c
        counter_table.c
        crc32.c
        event.c
        line_buffer.c
        report.c
        report_csv.c
        report_html.c
        report_json.c
        report_prometheus.c
        state.c
        stats.c
        strv.c
        syslog_line.c
        utf8.c)
set(TICKY_JOURNAL_SOURCES
        collector.c
        counting_thread.c
        import.c
        journal_source.c
        source.c
        syslog_source.c)
