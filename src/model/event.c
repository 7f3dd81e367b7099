/* SPDX-License-Identifier: MIT */
/* The event grammar, by hand: a regex would be slower and hide the edge cases. */
#include "event.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* ASCII whitespace as SPEC defines it; deliberately not isspace(), which
 * depends on the locale. */
static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

int event_parse(const char *msg, size_t len, struct event *ret) {
        enum event_level level;
        size_t start, end, open, i;

        if (!msg || memchr(msg, '\0', len))
                return -EINVAL;

        if (len >= 5 && memcmp(msg, "INFO ", 5) == 0) {
                level = EVENT_INFO;
                start = 5;
        } else if (len >= 6 && memcmp(msg, "ERROR ", 6) == 0) {
                level = EVENT_ERROR;
                start = 6;
        } else
                return -EINVAL;

        end = len;
        while (end > start && is_space(msg[end - 1]))
                end--;
        if (end <= start || msg[end - 1] != ')')
                return -EINVAL;

        /* USER: back from the final ')' to its '('; no whitespace or parens inside. */
        open = end - 1;
        while (open > start) {
                char c = msg[open - 1];
                if (c == '(')
                        break;
                if (c == ')' || is_space(c))
                        return -EINVAL;
                open--;
        }
        if (open == start || open == end - 1)
                return -EINVAL; /* no '(' found, or empty USER */
        open--;                 /* now at '(' */

        /* "TEXT SP (": the byte before '(' is the separating space, and the
         * LEVEL's space must not be reused as it. */
        if (open <= start || msg[open - 1] != ' ')
                return -EINVAL;

        i = start;
        size_t text_end = open - 1;
        while (i < text_end && is_space(msg[i]))
                i++;
        while (text_end > i && is_space(msg[text_end - 1]))
                text_end--;
        if (text_end == i)
                return -EINVAL;

        *ret = (struct event){
                .level = level,
                .text = msg + i,
                .text_len = text_end - i,
                .user = msg + open + 1,
                .user_len = end - 1 - (open + 1),
        };
        return 0;
}
