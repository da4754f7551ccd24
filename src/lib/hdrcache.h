/*
 * The header cache: what parsing each revision file found (its id, parents,
 * labels, message, sections), kept between runs in one file so that the
 * read-only commands (heads, history, current...) need one stat per file
 * instead of opening and parsing every one, as git's index does.
 *
 * An entry is trusted only while its file's device, inode, size, mtime and
 * ctime are unchanged, and only by the binary that wrote it (the cache file
 * names the executable's own inode and mtime, so a rebuilt retort with
 * other parsing rules starts afresh).  Files changed within the last two
 * seconds are not cached, so an edit inside one timestamp tick cannot hide.
 * The file is replaced atomically (write, then rename); a cache that cannot
 * be read, is truncated or is of another format is ignored; one that cannot
 * be written (a read-only home, no home) is skipped silently.  Entries read
 * from the cache have no text: only callers that need no SQL use them.
 *
 * It also keeps each folder's listing (its revision-file names and, for a
 * recursive walk, its subfolders), trusted while the folder's own device,
 * inode, size, mtime and ctime are unchanged, as git's untracked cache
 * does: POSIX has a folder's mtime and ctime change whenever an entry is
 * made, removed or renamed in it, and nobody can set a ctime back.  A
 * folder changed within the last two seconds is not recorded, and in a
 * recursive walk neither is one holding a symbolic link or an entry of
 * unknown type (where a link's target turning into a folder would change
 * no folder).  The files themselves are still stat'ed one by one.
 */
#ifndef RT_HDRCACHE_H
#define RT_HDRCACHE_H

#include <sys/stat.h>
#include <time.h>

#include "script.h"
#include "strbuf.h"
#include "strvec.h"

struct rt_hdrcache_entry {
	unsigned long long dev, ino, size;
	long long mtime_s, mtime_ns, ctime_s, ctime_ns;
	/* read from the file: the encoded parse, decoded only on a hit */
	const unsigned char *rec;
	size_t rec_len;
	/* this run's: the unchanged old entry, or else a copy of the new
	 * parse (path and text are not kept); a pointer, so that sorting
	 * thousands of entries moves little memory */
	const struct rt_hdrcache_entry *same;
	struct rt_script *s;
};

/* One folder's listing: its stat, and the encoded names (read from the
 * file, or this run's). */
struct rt_hdrcache_dir {
	struct rt_hdrcache_entry st;     /* only the stat fields are used */
	const unsigned char *rec;
	size_t rec_len;
	struct strbuf fresh;             /* this run's encoding, when new */
};

struct rt_hdrcache {
	char *file;                      /* the cache file, or NULL: disabled */
	char exe[128];                   /* the binary's identity */
	/* the file, mapped read-only; old entries point into it.  Safe to
	 * map: the cache is only ever replaced by rename, never rewritten
	 * or truncated in place, so the mapped file cannot shrink under us */
	const unsigned char *map;
	size_t map_len;
	time_t young;                    /* files changed since are not recorded */
	struct rt_hdrcache_entry *old;   /* read from the file, sorted by dev/ino */
	int nold;
	struct rt_hdrcache_entry *now;   /* this run's files, for writing */
	int nnow, anow;
	int nsame;                       /* this run's files found unchanged */
	int changed;                     /* a file new, changed, or too young */
	struct rt_hdrcache_dir *dirs_old, *dirs_now;  /* listings read, and this run's */
	int ndirs_old, ndirs_now, adirs_now;
	int ndirs_same;                  /* this run's listings as they were read */
};

/*
 * Set up the cache for these version locations under `dir` (the cache
 * directory, e.g. ~/.cache/retort), and read it.  dir NULL disables it.
 */
void rt_hdrcache_open(struct rt_hdrcache *hc, const char *dir, const struct strvec *locations,
		      int recursive);
/* How many files this run will note, to size the array once. */
void rt_hdrcache_expect(struct rt_hdrcache *hc, int nfiles);
/* Fill `names` and `subdirs` (empty) with the listing of the folder with
 * this stat, in the order they were recorded, and keep that listing; 1 on
 * a hit, 0 when the folder must be read. */
int rt_hdrcache_listing(struct rt_hdrcache *hc, const struct stat *st, struct strvec *names,
			struct strvec *subdirs);
/* Remember this run's listing of the folder with this stat, in place of a
 * cached one just taken and refused (not recorded
 * when the folder is too young). */
void rt_hdrcache_note_listing(struct rt_hdrcache *hc, const struct stat *st,
			      const struct strvec *names, const struct strvec *subdirs);
/* Fill `s` (init'ed) from the entry for the file with this stat and
 * path; 1 on a hit, 0 when the file must be read. */
int rt_hdrcache_lookup(struct rt_hdrcache *hc, const struct stat *st, const char *path,
		       struct rt_script *s);
/* Remember the parse of one file of this run (a hit or a fresh read). */
void rt_hdrcache_note(struct rt_hdrcache *hc, const struct stat *st, const struct rt_script *s);
/* With `write`, write the cache if this run's files differ from what it
 * held; errors are ignored (the cache is an optimisation).  Then release
 * it.  A run that stopped at a bad file does not write. */
void rt_hdrcache_close(struct rt_hdrcache *hc, int write);

#endif
