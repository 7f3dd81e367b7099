/* SPDX-License-Identifier: MIT */
#include "count.h"

#include "event.h"

int count_entry(struct stats *s, const struct entry *e) {
        struct event ev;

        if (event_parse(e->message, e->message_len, &ev) < 0) {
                stats_add_unparsed(s);
                return 0;
        }
        return stats_add_event(s, &ev, e->host, e->host_len, e->realtime_usec);
}
