/* SPDX-License-Identifier: MIT */
/* A handful of batches circulate between two queues under one lock: empty
 * ones for the reader, filled ones for the counter. Each entry keeps offsets
 * into its batch's bytes, which may move while the batch grows. */
#include "counting_thread.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "count.h"

/* Enough in flight that neither side waits on the other's jitter, little
 * enough to stay in the cache: 3 x 2048 entries of about 100 bytes. */
#define BATCHES       3
#define BATCH_ENTRIES 2048
#define BATCH_BYTES   (256u * 1024u) /* a batch of long messages is cut short */

#define NO_TEXT SIZE_MAX

struct batch_entry {
        size_t message_offset; /* NO_TEXT: none */
        size_t message_len;
        size_t host_offset; /* NO_TEXT: none */
        size_t host_len;
        uint64_t realtime_usec;
};

struct entry_batch {
        struct batch_entry entries[BATCH_ENTRIES];
        size_t n_entries;
        char *bytes;
        size_t n_bytes, bytes_size;
};

struct counting_thread {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t changed;
        struct stats *stats;

        struct entry_batch batches[BATCHES];
        struct entry_batch *empty[BATCHES]; /* a stack */
        size_t n_empty;
        struct entry_batch *filled[BATCHES]; /* a ring, counted in order */
        size_t first_filled, n_filled;
        bool closed; /* nothing more will be submitted */
        int error;   /* of the first count_entry() that failed */
};

static int append_text(struct entry_batch *b, const char *text, size_t len, size_t *ret_offset) {
        if (!text) {
                *ret_offset = NO_TEXT;
                return 0;
        }
        /* An empty text is still text, not absent: it needs an address. */
        if (!b->bytes || len > b->bytes_size - b->n_bytes) {
                size_t size = b->bytes_size ? b->bytes_size : BATCH_BYTES;
                while (len > size - b->n_bytes) {
                        if (size > SIZE_MAX / 2)
                                return -ENOMEM;
                        size *= 2;
                }
                char *bytes = realloc(b->bytes, size);
                if (!bytes)
                        return -ENOMEM;
                b->bytes = bytes;
                b->bytes_size = size;
        }
        if (len > 0)
                memcpy(b->bytes + b->n_bytes, text, len);
        *ret_offset = b->n_bytes;
        b->n_bytes += len;
        return 0;
}

int entry_batch_add(struct entry_batch *b, const struct entry *e) {
        struct batch_entry *be = &b->entries[b->n_entries];
        size_t n_bytes = b->n_bytes;
        int r;

        assert(!entry_batch_full(b));

        r = append_text(b, e->message, e->message_len, &be->message_offset);
        if (r >= 0)
                r = append_text(b, e->host, e->host_len, &be->host_offset);
        if (r < 0) {
                b->n_bytes = n_bytes;
                return r;
        }
        be->message_len = e->message_len;
        be->host_len = e->host_len;
        be->realtime_usec = e->realtime_usec;
        b->n_entries++;
        return 0;
}

bool entry_batch_full(const struct entry_batch *b) {
        return b->n_entries == BATCH_ENTRIES || b->n_bytes >= BATCH_BYTES;
}

static const char *text_at(const struct entry_batch *b, size_t offset) {
        return offset == NO_TEXT ? NULL : b->bytes + offset;
}

static int count_batch(struct stats *s, const struct entry_batch *b) {
        for (size_t i = 0; i < b->n_entries; i++) {
                const struct batch_entry *be = &b->entries[i];
                int r = count_entry(s, &(struct entry){
                                               .message = text_at(b, be->message_offset),
                                               .message_len = be->message_len,
                                               .host = text_at(b, be->host_offset),
                                               .host_len = be->host_len,
                                               .realtime_usec = be->realtime_usec,
                                       });
                if (r < 0)
                        return r;
        }
        return 0;
}

static void *count_batches(void *userdata) {
        struct counting_thread *t = userdata;

        pthread_mutex_lock(&t->lock);
        for (;;) {
                while (t->n_filled == 0 && !t->closed)
                        pthread_cond_wait(&t->changed, &t->lock);
                if (t->n_filled == 0)
                        break;
                struct entry_batch *b = t->filled[t->first_filled];
                t->first_filled = (t->first_filled + 1) % BATCHES;
                t->n_filled--;
                bool failed = t->error < 0;
                pthread_mutex_unlock(&t->lock);

                /* After a failure, batches still come back empty, so that
                 * the reader never waits for ever; they are not counted. */
                int r = failed ? 0 : count_batch(t->stats, b);

                pthread_mutex_lock(&t->lock);
                if (r < 0)
                        t->error = r;
                t->empty[t->n_empty++] = b;
                pthread_cond_broadcast(&t->changed);
        }
        pthread_mutex_unlock(&t->lock);
        return NULL;
}

static void free_thread(struct counting_thread *t) {
        for (size_t i = 0; i < BATCHES; i++)
                free(t->batches[i].bytes);
        pthread_cond_destroy(&t->changed);
        pthread_mutex_destroy(&t->lock);
        free(t);
}

int counting_thread_start(struct stats *s, struct counting_thread **ret) {
        struct counting_thread *t;
        int r;

        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->stats = s;
        for (size_t i = 0; i < BATCHES; i++)
                t->empty[t->n_empty++] = &t->batches[i];
        pthread_mutex_init(&t->lock, NULL);
        pthread_cond_init(&t->changed, NULL);
        r = pthread_create(&t->thread, NULL, count_batches, t);
        if (r != 0) {
                free_thread(t);
                return -r;
        }
        *ret = t;
        return 0;
}

struct entry_batch *counting_thread_batch(struct counting_thread *t) {
        struct entry_batch *b = NULL;

        pthread_mutex_lock(&t->lock);
        while (t->n_empty == 0)
                pthread_cond_wait(&t->changed, &t->lock);
        if (t->error == 0) {
                b = t->empty[--t->n_empty];
                b->n_entries = b->n_bytes = 0;
        }
        pthread_mutex_unlock(&t->lock);
        return b;
}

void counting_thread_submit(struct counting_thread *t, struct entry_batch *b) {
        pthread_mutex_lock(&t->lock);
        t->filled[(t->first_filled + t->n_filled) % BATCHES] = b;
        t->n_filled++;
        pthread_cond_broadcast(&t->changed);
        pthread_mutex_unlock(&t->lock);
}

int counting_thread_stop(struct counting_thread *t) {
        int r;

        pthread_mutex_lock(&t->lock);
        t->closed = true;
        pthread_cond_broadcast(&t->changed);
        pthread_mutex_unlock(&t->lock);
        (void) pthread_join(t->thread, NULL);

        r = t->error;
        free_thread(t);
        return r;
}
