/* SPDX-License-Identifier: MIT */
/* Built with the report layer's include path only, this must not compile:
 * the report layer sees the model and base layers, never a source. The
 * test structure_layers_enforced builds it and expects the failure. */
#include "journal_source.h"
#include "report_data.h"
