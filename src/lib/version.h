/* retort's version: printed by --version and the man page, recorded in
 * retort_history beside each migration it runs (db/history.h). */
#ifndef RT_VERSION_H
#define RT_VERSION_H

#define RETORT_VERSION "0.1.0"

#endif
