/* SPDX-License-Identifier: MIT */
/* Journal files found and watched here; each one is read alone by
 * journal_file. Why not one sd-journal object over the whole directory:
 * it interleaves the files by time, so a position in it is a point in time
 * order and an entry that arrives later with an older time (a collector's
 * delayed upload) sorts behind it for good; and it steps every open file
 * for every entry, with two descriptors per file. */
#include "journal_source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <systemd/sd-id128.h>
#include <time.h>
#include <unistd.h>

#include "journal_file.h"
#include "macro.h"
#include "strv.h"

/* A journal file under watch. */
struct journal_record {
        char *path;
        const char *name; /* in path */
        int wd;           /* of its directory */
        ino_t ino;
        struct journal_file_ids ids;
        bool has_ids;  /* its header was read */
        bool dirty;    /* may have entries past its position */
        bool reported; /* a problem with it was reported */
};

struct watched_dir {
        char *path;
        int wd;
        bool has_files; /* else only watched for directories to appear */
};

/* Reads files with new entries one at a time, round robin, and keeps their
 * positions: the journal source's reader, and a share's on another thread
 * (journal_source_share()). */
struct reader {
        const struct journal_match *match;
        struct counter_table *positions;
        struct journal_record *records;
        size_t n_records;

        size_t next_record;
        struct journal_file *current;
        size_t current_record;
        uint64_t current_start;    /* the position it was opened at, or last committed */
        uint64_t current_returned; /* entries returned since */

        char **notices;
        size_t n_notices;
};

struct journal_source {
        struct journal_match match;
        char *identifier;
        char **hosts;
        char *roots[2]; /* where journal directories are */
        size_t n_roots;
        char *subdir;         /* the journal directory's name in a root; NULL: any machine id */
        bool root_files;      /* files directly in a root are read too */
        struct reader reader; /* its records by wd, then name; its positions borrowed */

        int inotify_fd;
        struct watched_dir *dirs;
        size_t n_dirs;
        bool waiting; /* a root and its parent are missing: check again now and then */
};

/* While a journal directory and its parent are both missing, there is no
 * directory whose inotify events would tell that one appeared. */
#define MISSING_ROOT_RETRY_MS 2000

#define FILE_DIR_EVENTS                                                                                                \
        (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define ROOT_EVENTS (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

__attribute__((format(printf, 2, 3))) static void add_notice(struct reader *rd, const char *fmt, ...) {
        char *line, **grown;
        va_list ap;

        va_start(ap, fmt);
        int r = vasprintf(&line, fmt, ap);
        va_end(ap);
        if (r < 0)
                return; /* out of memory: the notice is lost, nothing else */
        grown = realloc(rd->notices, (rd->n_notices + 2) * sizeof(*grown));
        if (!grown) {
                free(line);
                return;
        }
        grown[rd->n_notices++] = line;
        grown[rd->n_notices] = NULL;
        rd->notices = grown;
}

char **journal_source_take_notices(struct journal_source *js) {
        js->reader.n_notices = 0;
        return TAKE_PTR(js->reader.notices);
}

static bool is_journal_name(const char *name) {
        size_t n = strlen(name);

        return name[0] != '.' &&
               ((n > 8 && strcmp(name + n - 8, ".journal") == 0) || (n > 9 && strcmp(name + n - 9, ".journal~") == 0));
}

/* A machine id, optionally followed by ".namespace": what sd-journal takes
 * for a journal directory inside a directory it is given. */
static bool is_machine_dir_name(const char *name) {
        for (size_t i = 0; i < 32; i++)
                if (!strchr("0123456789abcdef", name[i]) || name[i] == '\0')
                        return false;
        return name[32] == '\0' || name[32] == '.';
}

static bool wanted_subdir(const struct journal_source *js, const char *name) {
        return js->subdir ? strcmp(name, js->subdir) == 0 : is_machine_dir_name(name);
}

static void closedirp(DIR **d) {
        if (*d)
                (void) closedir(*d);
}

static void records_free(struct journal_record *records, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(records[i].path);
        free(records);
}

static void dirs_free(struct watched_dir *dirs, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(dirs[i].path);
        free(dirs);
}

static int compare_records(const void *a, const void *b) {
        const struct journal_record *x = a, *y = b;

        if (x->wd != y->wd)
                return x->wd < y->wd ? -1 : 1;
        return strcmp(x->name, y->name);
}

static struct journal_record *find_record(struct journal_record *records, size_t n, int wd, const char *name) {
        struct journal_record key = { .wd = wd, .name = name };

        if (n == 0) /* records is NULL then, which bsearch() must not see */
                return NULL;
        return bsearch(&key, records, n, sizeof(*records), compare_records);
}

/* What one scan of the directories builds, to replace the previous one. */
struct scan {
        struct watched_dir *dirs;
        size_t n_dirs;
        struct journal_record *records;
        size_t n_records, n_allocated;
        bool complete;    /* every file's header was read */
        bool missing_dir; /* a root could not be watched, nor its parent */
};

static void scan_done(struct scan *s) {
        dirs_free(s->dirs, s->n_dirs);
        records_free(s->records, s->n_records);
        *s = (struct scan){ .dirs = NULL };
}

static int scan_add_dir(struct scan *s, const char *path, int wd, bool has_files) {
        struct watched_dir *grown = realloc(s->dirs, (s->n_dirs + 1) * sizeof(*grown));

        if (!grown)
                return -ENOMEM;
        s->dirs = grown;
        s->dirs[s->n_dirs] = (struct watched_dir){ .path = strdup(path), .wd = wd, .has_files = has_files };
        if (!s->dirs[s->n_dirs].path)
                return -ENOMEM;
        s->n_dirs++;
        return 0;
}

/* A record for the file name of dir (watched as wd), carried over from the
 * previous scan if it is the same file. */
static int scan_add_file(struct journal_source *js, struct scan *s, int dir_fd, const char *dir, int wd,
                         const char *name) {
        struct journal_record *old, *rec;
        struct stat st;

        if (fstatat(dir_fd, name, &st, 0) < 0 || !S_ISREG(st.st_mode))
                return 0; /* gone already, or not a file: not ours */
        if (s->n_records == s->n_allocated) {
                size_t n = s->n_allocated ? s->n_allocated * 2 : 16;
                struct journal_record *grown = realloc(s->records, n * sizeof(*grown));
                if (!grown)
                        return -ENOMEM;
                s->records = grown;
                s->n_allocated = n;
        }
        rec = &s->records[s->n_records];
        *rec = (struct journal_record){ .wd = wd, .ino = st.st_ino, .dirty = true };
        if (asprintf(&rec->path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        rec->name = rec->path + strlen(dir) + 1;
        s->n_records++;

        old = find_record(js->reader.records, js->reader.n_records, wd, name);
        if (old && old->ino == st.st_ino && old->has_ids) {
                rec->ids = old->ids;
                rec->has_ids = true;
                rec->dirty = old->dirty;
                rec->reported = old->reported;
                return 0;
        }
        rec->has_ids = journal_file_read_ids(dir_fd, name, &rec->ids) >= 0;
        if (!rec->has_ids)
                s->complete = false; /* being created, or unreadable */
        return 0;
}

/* Records every journal file of dir, and with subdirs, watches and scans the
 * wanted directories inside it. */
static int scan_dir(struct journal_source *js, struct scan *s, const char *dir, int wd, bool files, bool subdirs) {
        _cleanup_(closedirp) DIR *d = opendir(dir);
        struct dirent *de;
        int r = 0;

        if (!d) {
                s->complete = false;
                return errno == ENOENT || errno == EACCES || errno == ENOTDIR ? 0 : -errno;
        }
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                if (files && is_journal_name(de->d_name))
                        r = scan_add_file(js, s, dirfd(d), dir, wd, de->d_name);
                else if (subdirs && wanted_subdir(js, de->d_name)) {
                        _cleanup_free_ char *path = NULL;
                        if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
                                return -ENOMEM;
                        int sub = inotify_add_watch(js->inotify_fd, path, FILE_DIR_EVENTS);
                        if (sub < 0)
                                continue; /* removed meanwhile, or not a directory */
                        r = scan_add_dir(s, path, sub, true);
                        if (r >= 0)
                                r = scan_dir(js, s, path, sub, true, false);
                }
        }
        if (r >= 0 && errno != 0)
                r = -errno;
        return r;
}

/* Watches root, or while it is missing, its parent, for it to appear. */
static int scan_root(struct journal_source *js, struct scan *s, const char *root) {
        int wd = inotify_add_watch(js->inotify_fd, root, js->root_files ? FILE_DIR_EVENTS : ROOT_EVENTS);
        int r;

        if (wd < 0) {
                if (errno != ENOENT)
                        return -errno;
                _cleanup_free_ char *parent = strdup(root);
                if (!parent)
                        return -ENOMEM;
                *strrchr(parent, '/') = '\0';
                wd = inotify_add_watch(js->inotify_fd, parent, ROOT_EVENTS);
                if (wd < 0) {
                        s->missing_dir = true;
                        return 0;
                }
                return scan_add_dir(s, parent, wd, false);
        }
        r = scan_add_dir(s, root, wd, js->root_files);
        if (r >= 0)
                r = scan_dir(js, s, root, wd, js->root_files, true);
        return r;
}

static bool watched(const struct scan *s, int wd) {
        for (size_t i = 0; i < s->n_dirs; i++)
                if (s->dirs[i].wd == wd)
                        return true;
        return false;
}

static int compare_ids(const void *a, const void *b) {
        return memcmp(a, b, JOURNAL_ID_BYTES);
}

struct prune {
        uint8_t (*present)[JOURNAL_ID_BYTES]; /* sorted */
        size_t n_present;
        uint64_t before; /* last seen before this: forgotten */
};

static bool forgotten(const struct counter_row *row, void *userdata) {
        const struct prune *p = userdata;

        return row->count[1] < p->before &&
               (row->key_len != JOURNAL_ID_BYTES ||
                !bsearch(row->key, p->present, p->n_present, JOURNAL_ID_BYTES, compare_ids));
}

/* Marks the positions of the files present as seen now, and forgets those
 * of files absent for longer than the retention. Only after a scan that
 * read every file's header: a file whose header could not be read might
 * be one of those. */
static int update_positions(struct journal_source *js, bool complete) {
        uint64_t now = (uint64_t) time(NULL);
        struct prune p = { .n_present = 0 };
        int r = 0;

        p.present = calloc(js->reader.n_records + 1, JOURNAL_ID_BYTES);
        if (!p.present)
                return -ENOMEM;
        for (size_t i = 0; i < js->reader.n_records && r >= 0; i++) {
                const char *key = (const char *) js->reader.records[i].ids.file_id;
                if (!js->reader.records[i].has_ids)
                        continue;
                memcpy(p.present[p.n_present++], key, JOURNAL_ID_BYTES);
                if (counter_table_get(js->reader.positions, key, JOURNAL_ID_BYTES))
                        r = counter_table_set(js->reader.positions, key, JOURNAL_ID_BYTES, 1, now);
        }
        if (r >= 0 && complete && p.n_present > 0) {
                qsort(p.present, p.n_present, JOURNAL_ID_BYTES, compare_ids);
                p.before = now > JOURNAL_POSITION_RETENTION_SECONDS ? now - JOURNAL_POSITION_RETENTION_SECONDS : 0;
                r = counter_table_remove_if(js->reader.positions, forgotten, &p);
        }
        free(p.present);
        return r;
}

static void close_current(struct reader *rd) {
        rd->current = journal_file_close(rd->current);
        rd->current_returned = 0;
}

/* Finds every journal file anew; files already known keep what is known
 * of them. */
static int rescan(struct journal_source *js) {
        struct scan s = { .complete = true };
        int r = 0;

        /* Everything returned is committed (see journal_source_process()):
         * the file being read is opened again at its position. */
        if (js->reader.current) {
                js->reader.records[js->reader.current_record].dirty = true;
                close_current(&js->reader);
        }
        for (size_t i = 0; i < js->n_roots && r >= 0; i++)
                r = scan_root(js, &s, js->roots[i]);
        if (r < 0) {
                scan_done(&s);
                return r;
        }
        for (size_t i = 0; i < js->n_dirs; i++)
                if (!watched(&s, js->dirs[i].wd))
                        (void) inotify_rm_watch(js->inotify_fd, js->dirs[i].wd);
        if (s.n_records > 0)
                qsort(s.records, s.n_records, sizeof(*s.records), compare_records);
        dirs_free(js->dirs, js->n_dirs);
        records_free(js->reader.records, js->reader.n_records);
        js->dirs = s.dirs;
        js->n_dirs = s.n_dirs;
        js->reader.records = s.records;
        js->reader.n_records = s.n_records;
        js->waiting = s.missing_dir;
        js->reader.next_record = 0;
        return update_positions(js, s.complete && !s.missing_dir);
}

static int machine_dir_name(const char *namespace, char **ret) {
        char id[SD_ID128_STRING_MAX];
        sd_id128_t machine;
        int r;

        r = sd_id128_get_machine(&machine);
        if (r < 0)
                return r;
        sd_id128_to_string(machine, id);
        if ((namespace ? asprintf(ret, "%s.%s", id, namespace) : asprintf(ret, "%s", id)) < 0)
                return -ENOMEM;
        return 0;
}

/* Where to look, as sd_journal_open_directory(), sd_journal_open_namespace()
 * and sd_journal_open(SD_JOURNAL_LOCAL_ONLY) do. */
static int set_roots(struct journal_source *js, const struct journal_source_options *o) {
        struct stat st;
        int r;

        if (o->directory) {
                if (stat(o->directory, &st) < 0)
                        return -errno;
                if (!S_ISDIR(st.st_mode))
                        return -ENOTDIR;
                js->roots[0] = strdup(o->directory);
                js->n_roots = 1;
                js->root_files = true;
                return js->roots[0] ? 0 : -ENOMEM;
        }
        r = machine_dir_name(o->namespace, &js->subdir);
        if (r < 0)
                return r;
        js->roots[0] = strdup("/run/log/journal");
        js->roots[1] = strdup("/var/log/journal");
        js->n_roots = 2;
        return js->roots[0] && js->roots[1] ? 0 : -ENOMEM;
}

int journal_source_open(const struct journal_source_options *o, struct counter_table *positions,
                        struct journal_source **ret) {
        struct journal_source *js;
        int r;

        js = calloc(1, sizeof(*js));
        if (!js)
                return -ENOMEM;
        js->inotify_fd = -1;
        js->reader.positions = positions;
        js->reader.match = &js->match;
        js->identifier = strdup(o->identifier);
        r = js->identifier ? strv_copy(o->hosts, &js->hosts) : -ENOMEM;
        js->match = (struct journal_match){
                .identifier = js->identifier,
                .hosts = js->hosts,
                .want_hostname = o->want_hostname,
        };
        if (r >= 0)
                r = set_roots(js, o);
        if (r >= 0) {
                js->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
                r = js->inotify_fd < 0 ? -errno : rescan(js);
        }
        if (r < 0) {
                journal_source_close(js);
                return r;
        }
        *ret = js;
        return 0;
}

struct journal_source *journal_source_close(struct journal_source *js) {
        if (!js)
                return NULL;
        journal_file_close(js->reader.current);
        if (js->inotify_fd >= 0)
                (void) close(js->inotify_fd);
        records_free(js->reader.records, js->reader.n_records);
        dirs_free(js->dirs, js->n_dirs);
        for (size_t i = 0; i < ELEMENTSOF(js->roots); i++)
                free(js->roots[i]);
        free(js->subdir);
        free(js->identifier);
        strv_free(js->hosts);
        strv_free(js->reader.notices);
        free(js);
        return NULL;
}

static uint64_t position_of(const struct reader *rd, const struct journal_record *rec) {
        const struct counter_row *row =
                counter_table_get(rd->positions, (const char *) rec->ids.file_id, JOURNAL_ID_BYTES);

        return row ? row->count[0] : 0;
}

static int set_position(struct reader *rd, const struct journal_record *rec, uint64_t seqnum) {
        const char *key = (const char *) rec->ids.file_id;
        int r;

        r = counter_table_set(rd->positions, key, JOURNAL_ID_BYTES, 0, seqnum);
        if (r >= 0)
                r = counter_table_set(rd->positions, key, JOURNAL_ID_BYTES, 1, (uint64_t) time(NULL));
        return r;
}

/* Opens rec at its position. Returns 1, 0 if it cannot be read (reported
 * once), or -ENOMEM. */
static int open_record(struct reader *rd, struct journal_record *rec, uint64_t position, struct journal_file **ret) {
        int r;

        r = journal_file_open(rec->path, rd->match, ret);
        if (r >= 0) {
                r = journal_file_seek_after(*ret, &rec->ids, position);
                if (r < 0)
                        *ret = journal_file_close(*ret);
        }
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                if (!rec->reported)
                        add_notice(rd, "Journal file %s cannot be read (%s); skipped until it changes.", rec->path,
                                   strerror(-r));
                rec->reported = true;
                return 0;
        }
        return 1;
}

/* The sequence number of the n-th entry after position in rec: where a file
 * that sd-journal dropped as damaged was read up to. Returns 0 or -errno. */
static int seqnum_of_nth(struct reader *rd, struct journal_record *rec, uint64_t position, uint64_t n, uint64_t *ret) {
        _cleanup_(journal_file_closep) struct journal_file *f = NULL;
        struct entry e;
        int r;

        r = open_record(rd, rec, position, &f);
        if (r <= 0)
                return r < 0 ? r : -EIO;
        for (uint64_t i = 0; i < n; i++) {
                r = journal_file_next(f, &e);
                if (r <= 0)
                        return r < 0 ? r : -EIO;
        }
        return journal_file_seqnum(f, ret);
}

/* Records the position of the file being read and closes it. */
static int finish_current(struct reader *rd) {
        struct journal_record *rec = &rd->records[rd->current_record];
        bool damaged = journal_file_damaged(rd->current);
        uint64_t seqnum;
        int r = 0;

        if (rd->current_returned > 0) {
                if (damaged)
                        r = seqnum_of_nth(rd, rec, rd->current_start, rd->current_returned, &seqnum);
                else
                        r = journal_file_seqnum(rd->current, &seqnum);
                if (r >= 0)
                        r = set_position(rd, rec, seqnum);
        }
        if (r >= 0 && damaged && !rec->reported) {
                add_notice(rd,
                           "Journal file %s is damaged after sequence number %" PRIu64
                           "; its entries up to there are counted, the rest of it is skipped.",
                           rec->path, rd->current_returned > 0 ? seqnum : rd->current_start);
                rec->reported = true;
        }
        close_current(rd);
        return r;
}

/* Opens the next file with new entries, if any. Returns 1, 0, or -errno. */
static int open_next(struct reader *rd) {
        for (size_t k = 0; k < rd->n_records; k++) {
                size_t i = (rd->next_record + k) % rd->n_records;
                struct journal_record *rec = &rd->records[i];
                int r;

                if (!rec->dirty || !rec->has_ids)
                        continue;
                rec->dirty = false;
                rd->current_start = position_of(rd, rec);
                r = open_record(rd, rec, rd->current_start, &rd->current);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                rd->current_record = i;
                rd->next_record = i + 1;
                return 1;
        }
        return 0;
}

static int reader_next(struct reader *rd, struct entry *ret) {
        int r;

        for (;;) {
                if (!rd->current) {
                        r = open_next(rd);
                        if (r <= 0)
                                return r;
                }
                r = journal_file_next(rd->current, ret);
                if (r > 0)
                        rd->current_returned++;
                if (r != 0)
                        return r;
                r = finish_current(rd);
                if (r < 0)
                        return r;
        }
}

static int reader_commit(struct reader *rd) {
        uint64_t seqnum;
        int r;

        if (!rd->current || rd->current_returned == 0)
                return 0;
        r = journal_file_seqnum(rd->current, &seqnum);
        if (r >= 0)
                r = set_position(rd, &rd->records[rd->current_record], seqnum);
        if (r < 0)
                return r;
        rd->current_start = seqnum;
        rd->current_returned = 0;
        return 0;
}

int journal_source_next(struct journal_source *js, struct entry *ret) {
        return reader_next(&js->reader, ret);
}

int journal_source_commit(struct journal_source *js) {
        return reader_commit(&js->reader);
}

struct journal_share {
        struct reader reader; /* over copies of the source's records, with positions of its own */
        size_t *origin;       /* each record's index in the source's */
};

static struct journal_share *share_free(struct journal_share *sh) {
        if (!sh)
                return NULL;
        journal_file_close(sh->reader.current);
        records_free(sh->reader.records, sh->reader.n_records);
        counter_table_free(sh->reader.positions);
        strv_free(sh->reader.notices);
        free(sh->origin);
        free(sh);
        return NULL;
}

static int compare_file_ids(const void *a, const void *b, void *userdata) {
        const struct journal_record *records = userdata;

        return memcmp(records[*(const size_t *) a].ids.file_id, records[*(const size_t *) b].ids.file_id,
                      JOURNAL_ID_BYTES);
}

/* Moves the record at index i of js into sh, with its position. */
static int share_add(struct journal_source *js, struct journal_share *sh, size_t i) {
        struct journal_record *rec = &js->reader.records[i], *copy = &sh->reader.records[sh->reader.n_records];
        const struct counter_row *row =
                counter_table_get(js->reader.positions, (const char *) rec->ids.file_id, JOURNAL_ID_BYTES);
        int r = 0;

        *copy = *rec;
        copy->path = strdup(rec->path);
        if (!copy->path)
                return -ENOMEM;
        copy->name = copy->path + (rec->name - rec->path);
        sh->origin[sh->reader.n_records++] = i;
        for (unsigned c = 0; row && c < 2 && r >= 0; c++)
                r = counter_table_set(sh->reader.positions, row->key, row->key_len, c, row->count[c]);
        rec->dirty = false;
        return r;
}

/* Every other file with new entries goes to sh. Copies of a file (the same
 * file id) share one position: they go to the same side, and the file
 * being read stays here. */
static int share_files(struct journal_source *js, struct journal_share *sh, size_t *dirty, size_t n) {
        const struct journal_record *records = js->reader.records;
        bool to_share = false, keep_group = false;
        int r = 0;

        qsort_r(dirty, n, sizeof(*dirty), compare_file_ids, js->reader.records);
        for (size_t k = 0; k < n && r >= 0; k++) {
                bool new_group = k == 0 || memcmp(records[dirty[k]].ids.file_id, records[dirty[k - 1]].ids.file_id,
                                                  JOURNAL_ID_BYTES) != 0;
                if (new_group) {
                        to_share = !to_share;
                        keep_group = false;
                        for (size_t g = k; g < n && !keep_group &&
                                           memcmp(records[dirty[g]].ids.file_id, records[dirty[k]].ids.file_id,
                                                  JOURNAL_ID_BYTES) == 0;
                             g++)
                                keep_group = js->reader.current && dirty[g] == js->reader.current_record;
                }
                if (to_share && !keep_group)
                        r = share_add(js, sh, dirty[k]);
        }
        return r;
}

int journal_source_share(struct journal_source *js, struct journal_share **ret) {
        _cleanup_free_ size_t *dirty = calloc(js->reader.n_records + 1, sizeof(*dirty));
        struct journal_share *sh = calloc(1, sizeof(*sh));
        size_t n = 0;
        int r;

        *ret = NULL;
        if (!dirty || !sh) {
                free(sh);
                return -ENOMEM;
        }
        for (size_t i = 0; i < js->reader.n_records; i++) {
                const struct journal_record *rec = &js->reader.records[i];
                if ((rec->dirty && rec->has_ids) || (js->reader.current && i == js->reader.current_record))
                        dirty[n++] = i;
        }
        sh->reader = (struct reader){
                .match = js->reader.match,
                .positions = counter_table_new(),
                .records = calloc(n + 1, sizeof(struct journal_record)),
        };
        sh->origin = calloc(n + 1, sizeof(*sh->origin));
        r = sh->reader.positions && sh->reader.records && sh->origin ? 0 : -ENOMEM;
        if (r >= 0 && n >= 2)
                r = share_files(js, sh, dirty, n);
        if (r < 0 || sh->reader.n_records == 0) {
                /* Back as they were: what was moved is still marked in sh. */
                for (size_t i = 0; i < sh->reader.n_records; i++)
                        js->reader.records[sh->origin[i]].dirty = true;
                share_free(sh);
                return r;
        }
        *ret = sh;
        return 0;
}

int journal_share_next(struct journal_share *sh, struct entry *ret) {
        return reader_next(&sh->reader, ret);
}

/* Appends the notices of from to those of to; out of memory, they are lost,
 * as add_notice() loses one. */
static void move_notices(struct reader *to, struct reader *from) {
        char **grown = NULL;

        if (from->n_notices > 0)
                grown = realloc(to->notices, (to->n_notices + from->n_notices + 1) * sizeof(*grown));
        if (grown) {
                memcpy(grown + to->n_notices, from->notices, (from->n_notices + 1) * sizeof(*grown));
                to->notices = grown;
                to->n_notices += from->n_notices;
                free(from->notices);
        } else
                strv_free(from->notices);
        from->notices = NULL;
        from->n_notices = 0;
}

int journal_source_unshare(struct journal_source *js, struct journal_share *sh) {
        const struct counter_row *row;
        int r;

        r = reader_commit(&sh->reader);
        if (sh->reader.current) {
                /* Stopped inside a file: the rest of it is read later. */
                sh->reader.records[sh->reader.current_record].dirty = true;
                close_current(&sh->reader);
        }
        for (size_t i = 0; r >= 0 && (row = counter_table_next(sh->reader.positions, &i));)
                for (unsigned c = 0; c < 2 && r >= 0; c++)
                        r = counter_table_set(js->reader.positions, row->key, row->key_len, c, row->count[c]);
        for (size_t i = 0; i < sh->reader.n_records; i++) {
                struct journal_record *rec = &js->reader.records[sh->origin[i]];
                rec->dirty = rec->dirty || sh->reader.records[i].dirty;
                rec->reported = rec->reported || sh->reader.records[i].reported;
        }
        move_notices(&js->reader, &sh->reader);
        share_free(sh);
        return r;
}

/* The position a reader of the merged journal at cursor had reached in rec:
 * just before the first entry it would have read next. */
static int migrate_record(struct journal_source *js, struct journal_record *rec, const char *cursor) {
        _cleanup_(journal_file_closep) struct journal_file *f = NULL;
        struct entry e;
        uint64_t seqnum;
        int r;

        r = journal_file_open(rec->path, js->reader.match, &f);
        if (r < 0)
                return r == -ENOMEM ? r : 0; /* unreadable then too: read it from its start */
        r = journal_file_seek_cursor(f, cursor);
        if (r >= 0)
                r = journal_file_next(f, &e);
        if (r > 0) {
                r = journal_file_seqnum(f, &seqnum);
                seqnum--;
        } else if (r == 0 && !journal_file_damaged(f))
                r = journal_file_last_seqnum(f, &seqnum);
        else
                return r == -ENOMEM ? r : 0;
        if (r < 0 || seqnum == 0)
                return r == -ENOMEM ? r : 0;
        return set_position(&js->reader, rec, seqnum);
}

int journal_source_migrate(struct journal_source *js, const char *cursor) {
        for (size_t i = 0; i < js->reader.n_records; i++) {
                struct journal_record *rec = &js->reader.records[i];
                int r;

                if (!rec->has_ids ||
                    counter_table_get(js->reader.positions, (const char *) rec->ids.file_id, JOURNAL_ID_BYTES))
                        continue;
                r = migrate_record(js, rec, cursor);
                if (r < 0)
                        return r;
        }
        return 0;
}

int journal_source_wait_params(struct journal_source *js, int *ret_fd, short *ret_events, int *ret_timeout_ms) {
        *ret_fd = js->inotify_fd;
        *ret_events = POLLIN;
        *ret_timeout_ms = js->waiting ? MISSING_ROOT_RETRY_MS : -1;
        return 0;
}

static const struct watched_dir *find_dir(const struct journal_source *js, int wd) {
        for (size_t i = 0; i < js->n_dirs; i++)
                if (js->dirs[i].wd == wd)
                        return &js->dirs[i];
        return NULL;
}

/* Whether ev needs a new scan; if it only says that a known file grew, marks
 * the file. */
static bool needs_rescan(struct journal_source *js, const struct inotify_event *ev) {
        const struct watched_dir *dir;
        struct journal_record *rec;

        if (ev->mask & IN_Q_OVERFLOW)
                return true;
        dir = find_dir(js, ev->wd);
        if (!dir)
                return false; /* a watch already dropped */
        if (!dir->has_files || (ev->mask & (IN_ISDIR | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)))
                return true;
        if (ev->len == 0 || !is_journal_name(ev->name))
                return false;
        if (!(ev->mask & IN_MODIFY))
                return true; /* created, renamed or deleted */
        rec = find_record(js->reader.records, js->reader.n_records, ev->wd, ev->name);
        if (!rec || !rec->has_ids)
                return true;
        rec->dirty = true;
        return false;
}

int journal_source_process(struct journal_source *js) {
        _Alignas(struct inotify_event) char buffer[16384];
        bool rescan_needed = js->waiting, overflow = false;
        ssize_t n;

        while ((n = read(js->inotify_fd, buffer, sizeof(buffer))) > 0)
                for (char *p = buffer; p < buffer + n;) {
                        const struct inotify_event *ev = (const struct inotify_event *) p;
                        overflow = overflow || (ev->mask & IN_Q_OVERFLOW);
                        rescan_needed = needs_rescan(js, ev) || rescan_needed;
                        p += sizeof(*ev) + ev->len;
                }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
                return -errno;
        if (!rescan_needed)
                return 0;
        int r = rescan(js);
        /* Events were lost: any file may have grown. */
        for (size_t i = 0; r >= 0 && overflow && i < js->reader.n_records; i++)
                js->reader.records[i].dirty = true;
        return r;
}

size_t journal_source_n_files(const struct journal_source *js) {
        return js->reader.n_records;
}
