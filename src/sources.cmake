# SPDX-License-Identifier: MIT
# The library's layers, lowest first: each is a folder of src/ and a static
# library whose include path holds its own folder and those of the layers it
# uses, and nothing else, so that an #include in the wrong direction does not
# compile. The picture is in README.md ("Layout").
set(TICKY_LAYERS base model config sources report engine)

set(TICKY_base_SOURCES atomic_file.c calendar.c checksum.c counter_table.c line_buffer.c strv.c utf8.c)
set(TICKY_base_USES)

set(TICKY_model_SOURCES event.c imported_files.c state.c stats.c)
set(TICKY_model_USES base)

set(TICKY_config_SOURCES config.c)
set(TICKY_config_USES base)

set(TICKY_sources_SOURCES journal_file.c journal_source.c source.c syslog_archive.c syslog_line.c syslog_source.c)
set(TICKY_sources_USES base)

set(TICKY_report_SOURCES report_csv.c report_data.c report_files.c report_html.c report_json.c report_prometheus.c)
set(TICKY_report_USES base model)

set(TICKY_engine_SOURCES count.c counting_thread.c engine.c import.c ledger.c)
set(TICKY_engine_USES base model config sources report)

# What reaches sd-journal: left out of the fuzz targets' build, which has
# everything else.
set(TICKY_JOURNAL_SOURCES sources/journal_file.c sources/journal_source.c sources/source.c engine/engine.c
                          engine/import.c engine/ledger.c)

# Every source, as LAYER/FILE.c, into the variable named by out.
function(ticky_all_sources out)
        set(all)
        foreach(layer ${TICKY_LAYERS})
                list(TRANSFORM TICKY_${layer}_SOURCES PREPEND ${layer}/ OUTPUT_VARIABLE files)
                list(APPEND all ${files})
        endforeach()
        set(${out} ${all} PARENT_SCOPE)
endfunction()
