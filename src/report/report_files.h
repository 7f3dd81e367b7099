/* SPDX-License-Identifier: MIT */
/* Writing the report files: the five of SPEC plus report.json, and the
 * optional node_exporter textfile. */
#pragma once

#include "report_data.h"

/* Writes error_message.{html,csv}, user_statistics.{html,csv}, report.json and index.html
 * into dir, each replaced atomically; index.html last. Returns 0 or -errno
 * (the files written before the failure stay replaced, the others old). */
int report_files_write(const char *dir, const struct report_data *d);

/* Writes the node_exporter textfile at path, replaced atomically. Returns 0
 * or -errno. */
int report_files_write_prometheus(const char *path, const struct report_data *d);

/* Removes temporary report files left in dir by a killed writer. Returns 0
 * or -errno. */
int report_files_remove_stale(const char *dir);

/* Removes the temporary files a killed writer left beside the
 * node_exporter textfile at path, and only those: the directory is shared
 * with other programs. Returns 0 or -errno. */
int report_files_remove_stale_prometheus(const char *path);
